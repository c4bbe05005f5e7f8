"""A fuzzing campaign by hand: hostile inputs to every subcommand, each a real ``python -m compare`` process.

Draws fresh invocations from tests/fuzzing.py (argument vectors and file contents, with torch
and Keras in the pools, unlike the in-process suite) and adds the named
hostile cases of tests/hostile_cases.py, including the 4 GiB zip bomb. Each one runs as a
subprocess; its exit code, stdout and stderr must keep the CLI's promise
(``fuzzing.check_outcome``), and its wall time and peak memory (``VmHWM``, sampled)
are recorded against the budget of 60 s and 2 GB per run. Valid ``bench --startup`` runs are
left out of the draw: they time whole runs of the CLI by design (the named cases refuse bad
``--startup`` arguments).

    python scripts/fuzz_campaign.py --count 150 --seed 17 --json campaign.json

docs/limits.md records the last campaign.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # this tree, not an installed copy, and the strategies

import fuzzing  # noqa: E402 - tests/ is put on the path above
import hostile_cases  # noqa: E402

from compare import registry  # noqa: E402

TIME_BUDGET_S = 60.0
MEMORY_BUDGET_BYTES = 2 * 10**9
KILL_AFTER_S = 180.0


def draw(count: int, seed: int) -> list[tuple[str, list[fuzzing.Token]]]:
    """``count`` distinct invocations from the strategies, with every registered implementation in the pools."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as seeded

    frameworks = [*fuzzing.FRAMEWORKS, *registry.OTHERS, ",".join(registry.NAMES), ",".join(registry.OTHERS)]
    found: dict[str, list[fuzzing.Token]] = {}

    @seeded(seed)  # a fresh campaign per seed, and the same one again for the same seed
    @settings(max_examples=count * 4, database=None, phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(fuzzing.invocations(frameworks))
    def collect(tokens: list[fuzzing.Token]) -> None:
        if len(found) < count and not any(isinstance(t, str) and "\x00" in t for t in tokens):  # no OS passes a NUL in argv
            found.setdefault(repr(tokens), tokens)

    collect()
    return [(f"fuzz-{i:03d}", tokens) for i, tokens in enumerate(found.values())]


def high_water_bytes(pid: int) -> int:
    """The process's peak resident memory so far (``VmHWM`` of /proc/PID/status), or 0 once it has exited.

    ``ru_maxrss`` from ``wait4`` would not do: Linux carries the parent's high-water mark across
    fork and exec, so every child would report at least this campaign's own size.
    """
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            line = next((line for line in f if line.startswith("VmHWM:")), "")
    except OSError:
        return 0
    return int(line.split()[1]) * 1024 if line else 0  # kB


def run_one(argv: list[str]) -> dict:
    """One real run: exit code, stdout, stderr, wall seconds and peak resident bytes (sampled every 10 ms)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "compare", *argv],
            cwd=ROOT,
            stdout=out,
            stderr=err,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        killed, peak = False, 0
        while process.poll() is None:
            peak = max(peak, high_water_bytes(process.pid))
            if time.monotonic() - start > KILL_AFTER_S and not killed:
                process.kill()
                killed = True
            time.sleep(0.01)
        seconds = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        return {
            "code": 124 if killed else process.returncode,
            "stdout": out.read().decode("utf-8", "replace"),
            "stderr": err.read().decode("utf-8", "replace"),
            "seconds": seconds,
            "peak_bytes": peak,
        }


def main(argv: list[str] | None = None) -> int:
    """Run the campaign; print one line per input and the summary; 0 when every input kept the promise."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=150, help="fuzzed invocations (the named cases come on top)")
    parser.add_argument("--seed", type=int, default=int(time.time()), help="hypothesis seed of the draw")
    parser.add_argument("--no-named", action="store_true", help="only the fuzzed invocations")
    parser.add_argument("--json", help="write every run's record here")
    args = parser.parse_args(argv)
    invocations = ([] if args.no_named else hostile_cases.campaign_cases()) + draw(args.count, args.seed)
    records = []
    for name, tokens in invocations:
        with tempfile.TemporaryDirectory(prefix="campaign-") as folder:
            command = fuzzing.materialise(tokens, Path(folder))
            result = run_one(command)
        problem = ""
        try:
            fuzzing.check_outcome(command, result["code"], result["stdout"], result["stderr"])
        except AssertionError as exc:
            problem = " ".join(str(exc).split())[:300]
        if result["seconds"] > TIME_BUDGET_S:
            problem += f" over {TIME_BUDGET_S:.0f} s"
        if result["peak_bytes"] > MEMORY_BUDGET_BYTES:
            problem += f" over {MEMORY_BUDGET_BYTES / 1e9:.0f} GB"
        shown = fuzzing.one_line_argv(command)
        records.append(
            {"name": name, "argv": shown, **{k: result[k] for k in ("code", "seconds", "peak_bytes")}, "problem": problem}
        )
        verdict = "FAIL " + problem if problem else "ok"
        first_error = result["stderr"].strip().splitlines()[:1]
        print(
            f"{name:24} exit {result['code']:3} {result['seconds']:6.1f} s {result['peak_bytes'] / 2**20:7.0f} MiB  {verdict}  "
            f"{shown[:140]}  {first_error[0][:160] if first_error else ''}",
            flush=True,
        )
    failures = [r for r in records if r["problem"]]
    codes = Counter(r["code"] for r in records)
    kept = len(records) - len(failures)
    print(f"\n{len(records)} inputs ({kept} kept the promise, {len(failures)} did not); exit codes {dict(codes)}")
    print(f"seed {args.seed}; peak memory {max(r['peak_bytes'] for r in records) / 2**20:.0f} MiB")
    print("slowest:")
    for r in sorted(records, key=lambda r: -r["seconds"])[:5]:
        print(f"  {r['seconds']:5.1f} s {r['peak_bytes'] / 2**20:5.0f} MiB exit {r['code']}  {r['name']}: {r['argv'][:150]}")
    print("largest:")
    for r in sorted(records, key=lambda r: -r["peak_bytes"])[:3]:
        print(f"  {r['peak_bytes'] / 2**20:5.0f} MiB {r['seconds']:5.1f} s exit {r['code']}  {r['name']}: {r['argv'][:150]}")
    if args.json:
        Path(args.json).write_text(json.dumps({"seed": args.seed, "records": records}, indent=1), encoding="utf-8")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
