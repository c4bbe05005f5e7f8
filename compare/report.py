"""Render parity results: a rich table for people, one JSON object for programs."""

from __future__ import annotations

import json
import sys
from typing import Sequence

import numpy as np

from compare.harness import REFERENCE, CaseResult, Check, describe_quantity, first_divergence
from compare.versions import versions

MARK = {True: "✓", False: "✗"}


def _number(x: float) -> float | None:
    """JSON has no inf/NaN: they become null."""
    return float(x) if np.isfinite(x) else None


def divergence(result: CaseResult, framework: str) -> dict | None:
    """Where ``framework`` first parts from scratch, or None when it agrees.

    ``{"quantity": "z1", "layer": 1, "description": "layer 1 pre-activation"}``; layer is
    None for the loss. Quantities are searched in computation order: forward z/a per
    layer -> loss -> delta per layer (output down) -> gradients.
    """
    first = first_divergence(result.checks_for(framework))
    if first is None:
        return None
    digits = "".join(ch for ch in first.quantity if ch.isdigit())
    return {"quantity": first.quantity, "layer": int(digits) if digits else None,
            "description": describe_quantity(first.quantity, result.spec)}


def to_json(results: Sequence[CaseResult]) -> dict:
    """The ``python -m compare --format json`` object (shape documented in the README)."""
    cases = []
    for r in results:
        L = r.spec.n_layers
        cases.append({
            "name": r.name,
            "spec": str(r.spec),
            "dtype": r.dtype,
            "passed": r.passed,
            "results": {
                fw: {"output": t.output.tolist(), "loss": float(t.loss), "grads": {k: v.tolist() for k, v in t.grads.items()}}
                for fw, t in r.traces.items()
            },
            "checks": [
                {
                    "framework": c.framework,
                    "quantity": "output" if c.quantity == f"a{L}" else c.quantity,
                    "max_abs_err": _number(c.max_abs_err),
                    "max_rel_err": _number(c.max_rel_err),
                    "atol": c.atol,
                    "rtol": c.rtol,
                    "passed": c.passed,
                }
                for c in r.checks
            ],
        })
    return {"passed": all(r.passed for r in results), "versions": versions(), "cases": cases}


def dumps(results: Sequence[CaseResult]) -> str:
    return json.dumps(to_json(results), indent=1)


def _cell(check: Check | None, label: str = "") -> str:
    if check is None:
        return ""
    return f"{MARK[check.passed]} {label}{check.max_abs_err:.1e} {check.max_rel_err:.1e}"


def render_table(results: Sequence[CaseResult], console=None) -> None:
    """One row per case x dtype x framework: errors against scratch (max abs / max rel)."""
    from rich.console import Console
    from rich.table import Table

    from rich import box

    # a terminal gets its own width; a pipe or file gets room for the whole table
    console = console or Console(width=None if sys.stdout.isatty() else 132)
    table = Table(title="Parity against scratch: max abs err, max rel err", show_lines=True, box=box.SIMPLE_HEAD)
    for column in ("case", "dtype", "framework", "output", "loss", "gradients", "result"):
        # the verdict names where two implementations part: never cut it short
        table.add_column(column, no_wrap=True, min_width=30 if column == "result" else None)
    for r in results:
        frameworks = [fw for fw in r.traces if fw != REFERENCE]
        if not frameworks:
            table.add_row(r.name, r.dtype, REFERENCE, "", f"loss {r.traces[REFERENCE].loss:.6g}", "", "reference only")
        for fw in frameworks:
            checks = {c.quantity: c for c in r.checks_for(fw)}
            L = r.spec.n_layers
            grads = "\n".join(_cell(checks.get(f"d{p}"), f"d{p} ") for p in r.spec.param_shapes())
            first = divergence(r, fw)
            verdict = f"{MARK[True]} agrees" if first is None else (
                f"{MARK[False]} first differs at {first['quantity']}\n({first['description']})")
            table.add_row(r.name, r.dtype, fw, _cell(checks.get(f"a{L}")), _cell(checks.get("loss")), grads, verdict)
    console.print(table)
    v = versions()
    console.print("versions: " + ", ".join(f"{k} {v[k]}" for k in v))
    failed = [r for r in results if not r.passed]
    console.print(f"{len(results) - len(failed)} of {len(results)} case x dtype runs agree" + ("" if not failed else "; see ✗ rows"))
