"""The Markdown tables of docs/benchmarks.md §2 from the JSON of ``python -m compare bench``.

Nothing in those tables is typed by hand: run the bench with ``--format json`` and print its
tables here, then paste them under the heading that names the command::

    python -m compare bench --format json > bench.json
    python scripts/bench_tables.py bench.json                 # the lecture nets and the sweep
    python scripts/bench_tables.py bench.json --widths 256,1024   # only those sweep widths

Cells, as the bench's own table has them: the median µs per step and the ratio to scratch's
median (``x1.00`` for scratch); sweep cells add the achieved GFLOP/s. Below each table, one line
gives what the numbers depend on: dtype, threads, the BLAS kernel, the NumPy matmul peak and the
load average before and after.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path


class UntimedWidths(ValueError):
    """``--widths`` asked for a width the bench JSON has no sweep row for."""


def microseconds(us: float) -> str:
    """``30.0``, ``96.2``, ``108``, ``1,046``: one decimal under 100 µs, whole µs with thousands separators above."""
    return f"{us:,.0f}" if round(us, 1) >= 100 else f"{us:.1f}"  # 99.96 is "100", not "100.0"


def three_digits(x: float) -> str:
    """Three significant digits, never an exponent: ``0.0648``, ``795``, ``1,200``, ``190,000``."""
    rounded = float(f"{x:.3g}")
    if rounded >= 100 or rounded == 0:
        return f"{rounded:,.0f}"
    return f"{rounded:.{2 - math.floor(math.log10(abs(rounded)))}f}".rstrip("0").rstrip(".")


def cell(timing: dict, with_gflops: bool) -> str:
    """``61.3 x1.00`` (µs per step, x scratch), and ``· 0.816`` GFLOP/s in the sweep."""
    text = f"{microseconds(timing['median_us'])} x{timing['ratio_to_scratch']:.2f}"
    return text + (f" · {three_digits(timing['gflops'])}" if with_gflops else "")


def lecture_table(result: dict) -> list[str]:
    """One row per lecture net: net, m, then each implementation's cell."""
    rows = [r for r in result["results"] if r["group"] == "lecture"]
    if not rows:
        return []
    names = list(rows[0]["implementations"])
    lines = ["| net | m | " + " | ".join(names) + " |", "|---|---:|" + "---:|" * len(names)]
    for r in rows:
        lines.append(f"| {r['name']} | {r['batch']} | " + " | ".join(cell(r["implementations"][i], False) for i in names) + " |")
    return lines


def sweep_table(result: dict, widths: Sequence[int] | None = None) -> list[str]:
    """One row per sweep width and batch (only ``widths`` when given): w, m, MFLOP, then each cell with GFLOP/s.

    Raises:
        UntimedWidths: a width in ``widths`` that the JSON's sweep did not time (naming the ones it did).
    """
    sweep = [r for r in result["results"] if r["group"] == "sweep"]
    missing = sorted(set(widths or ()) - {r["width"] for r in sweep})
    if missing:
        timed = ",".join(map(str, sorted({r["width"] for r in sweep}))) or "none"
        raise UntimedWidths(f"--widths: expected widths the sweep timed ({timed}), got {','.join(map(str, missing))}")
    rows = [r for r in sweep if widths is None or r["width"] in widths]
    if not rows:
        return []
    names = list(rows[0]["implementations"])
    lines = ["| w | m | MFLOP | " + " | ".join(names) + " |", "|---:|---:|---:|" + "---:|" * len(names)]
    for r in rows:
        cells = " | ".join(cell(r["implementations"][i], True) for i in names)
        lines.append(f"| {r['width']} | {r['batch']} | {three_digits(r['mflop_per_step'])} | {cells} |")
    return lines


def setting(result: dict) -> str:
    """dtype, threads, kernel, matmul peak and load: what the table's numbers depend on."""
    kernels = sorted({p["architecture"] for p in result["threads"]["threadpools"] if p.get("architecture")})
    load, threads = result.get("load_average") or {}, result["threads"]["requested"]
    loads = f"; load average {load['before'][0]:.2f} before, {load['after'][0]:.2f} after" if load else ""
    return (
        f"{result['dtype']}, {threads} thread{'' if threads == 1 else 's'}, BLAS kernel {', '.join(kernels) or 'not reported'}, "
        f"NumPy matmul peak {result['matmul_peak_gflops']['numpy']:.1f} GFLOP/s{loads}"
    )


def render(result: dict, widths: Sequence[int] | None = None) -> str:
    """Both tables, each followed by a blank line, and the setting line."""
    out: list[str] = []
    for table in (lecture_table(result), sweep_table(result, widths)):
        if table:
            out += [*table, ""]
    return "\n".join([*out, setting(result)]) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Print the tables of one bench JSON file; 2 with one line on stderr when it is not one."""
    parser = argparse.ArgumentParser(prog="python scripts/bench_tables.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("json", type=Path, help="the output of python -m compare bench --format json")
    parser.add_argument("--widths", type=width_list, help="comma-separated sweep widths to keep (default: all)")
    args = parser.parse_args(argv)
    try:
        result = json.loads(args.json.read_text(encoding="utf-8"))
        tables = render(result, args.widths)
    except UntimedWidths as error:
        print(f"python scripts/bench_tables.py: error: {error}", file=sys.stderr)
        return 2
    except (OSError, ValueError, KeyError, TypeError) as error:
        return _not_bench_json(args.json, error)
    sys.stdout.write(tables)
    return 0


def width_list(text: str) -> list[int]:
    """The ``--widths`` type: ``"256,1024"`` -> ``[256, 1024]``, positive integers."""
    try:
        widths = [int(w) for w in text.split(",")]
    except ValueError:
        widths = []
    if not widths or min(widths) < 1:
        raise argparse.ArgumentTypeError(f"expected comma-separated positive integers, got {text!r}")
    return widths


def _not_bench_json(path: Path, error: Exception) -> int:
    """One line on stderr: ``path`` is not what the bench writes; 2."""
    message = f"{path}: expected the JSON of python -m compare bench ({error})"
    print(f"python scripts/bench_tables.py: error: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
