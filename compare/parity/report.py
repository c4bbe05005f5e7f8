"""Render parity results: a rich table for people, one JSON object for programs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from compare import output
from compare.output import (
    MARK,
    check_json,
    console,
    implementations,
    implementations_lines,
    skipped_line,
    threads_line,
    versions,
)
from compare.parity.harness import REFERENCE, CaseResult, describe_quantity, first_divergence, quantity_names
from compare.parity.known_differences import known_cause
from compare.registry import skipped
from core.spec import Spec

NON_FINITE_SHOWN = 6  # quantities the table names in a "not finite" row


def divergence(result: CaseResult, framework: str) -> dict[str, Any] | None:
    """Where ``framework`` first parts from scratch, or None when it agrees.

    ``{"quantity": "z1", "layer": 1, "description": "layer 1 pre-activation", "cause": None}``;
    layer is None for the loss; cause is a documented framework fact when one explains it
    (its registry entry's known differences, :mod:`compare.parity.known_differences`).
    Quantities are searched in computation order: forward z/a per layer -> loss ->
    delta per layer (output down) -> gradients.
    """
    first = first_divergence(result.checks_for(framework))
    if first is None:
        return None
    digits = "".join(ch for ch in first.quantity if ch.isdigit())
    return {
        "quantity": first.quantity,
        "layer": int(digits) if digits else None,
        "description": describe_quantity(first.quantity, result.spec),
        "cause": known_cause(result.spec, result.dtype, framework, first.quantity),
    }


def new_quantities(spec: Spec, mode: str) -> list[str]:
    """Batch norm's and dropout's quantities of a pass, in computation order (none for a plain net).

    ``bn_l``, ``running_mean_l``, ``running_var_l`` (training mode), ``h_l`` and ``mask_l`` (training
    mode), layer by layer: the table shows them before the output, the loss and the gradients.
    """
    return [q for q in quantity_names(spec, mode) if q.startswith(("bn", "running_", "h", "mask"))]


def max_rel_err_at(result: CaseResult, framework: str) -> dict[str, dict[str, Any]]:
    """Per checked quantity of ``framework``, the entry its ``max_rel_err`` was taken at (JSON ``max_rel_err_at``).

    ``{"delta1": {"index": [118, 1], "actual": ..., "expected": ...}, ...}``: the entry with the
    largest ``|actual - expected| / |expected|`` over the entries where scratch's value
    (``expected``, the pass the framework was compared with) is not 0, the first of equals, and
    both values there (compare.parity.harness.compare_arrays, ``Check.worst``); ``index`` is ``[]``
    for the loss. A quantity with no such entry (all zero, missing on one side, another shape) has
    none. Named as in ``checks`` (``output`` for a_L).
    """
    L = result.spec.n_layers
    return {
        ("output" if c.quantity == f"a{L}" else c.quantity): {
            "index": list(c.worst[0]),
            "actual": c.worst[1],
            "expected": c.worst[2],
        }
        for c in result.checks_for(framework)
        if c.worst is not None
    }


def worst_entry(check: Any) -> str | None:
    """``largest relative error at z1[3, 0]: torch 0.123457, scratch 0.154321`` (6 significant digits).

    The entry of ``check`` (a compare.parity.harness.Check) its ``max_rel_err`` was taken at, with
    both values; the loss has no index. None when there is none (every expected entry is 0, or the
    shapes differ) or the error is NaN or infinite (a NaN or an infinity on either side).
    """
    if check.worst is None or not np.isfinite(check.max_rel_err):
        return None  # no size to show: a NaN or an infinity on either side
    index, actual, expected = check.worst
    at = f"[{', '.join(map(str, index))}]" if index else ""
    return f"largest relative error at {check.quantity}{at}: {check.framework} {actual:.6g}, {REFERENCE} {expected:.6g}"


def to_json(results: Sequence[CaseResult], threads: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The ``python -m compare --format json`` object (shape documented in the README).

    Each framework's results but scratch's also hold ``max_rel_err_at`` (:func:`max_rel_err_at`).
    """
    cases = []
    for r in results:
        L = r.spec.n_layers
        cases.append(
            {
                "name": r.name,
                "spec": str(r.spec),
                "dtype": r.dtype,
                "mode": r.mode,
                "passed": r.passed,
                "results": {
                    fw: {"output": t.output, "loss": float(t.loss), "grads": dict(t.grads)}
                    | ({} if fw == REFERENCE else {"max_rel_err_at": max_rel_err_at(r, fw)})
                    for fw, t in r.traces.items()
                },
                "checks": [check_json(c, "output" if c.quantity == f"a{L}" else None) for c in r.checks],
            }
        )
    names = list(dict.fromkeys(fw for r in results for fw in r.traces))
    return {
        "passed": all(r.passed for r in results),
        "versions": versions(),
        "implementations": implementations(names),
        "threads": dict(threads or {}),
        "skipped": skipped(),
        "cases": cases,
    }


def dumps(results: Sequence[CaseResult], threads: Mapping[str, Any] | None = None) -> str:
    """:func:`to_json` as text, through the one JSON writer (compare.output.dumps)."""
    return output.dumps(to_json(results, threads))


def _lines(values: Sequence[str] | Any) -> str:
    return "\n".join(values)


def render_table(results: Sequence[CaseResult], out: Any = None, threads: Mapping[str, Any] | None = None) -> None:
    """The parity table: one row per case x dtype x framework.

    One line per quantity (output, loss, each gradient) with ✓/✗, the max abs and the
    max rel error against scratch, and where it first parts: the quantity, in words, the entry of
    it with the largest relative error and both values there (:func:`worst_entry`), and the
    known cause when one explains it.
    """
    from rich import box
    from rich.table import Table

    out = out or console()  # a terminal gets its own width; a pipe or a file gets the table's natural width
    table = Table(title="Parity against scratch", title_justify="left", show_lines=True, box=box.SIMPLE_HEAD)
    table.add_column("case", no_wrap=True)
    table.add_column("framework", no_wrap=True)
    table.add_column("quantity", no_wrap=True)
    table.add_column("", no_wrap=True)  # ✓ / ✗
    table.add_column("max abs err", no_wrap=True, justify="right")
    table.add_column("max rel err", no_wrap=True, justify="right")
    table.add_column("result", overflow="fold")  # the verdict names where two implementations part
    for r in results:
        case = f"{r.name}\n{r.dtype}" + (f"\n{r.mode} mode" if r.spec.mode_dependent else "")
        frameworks = [fw for fw in r.traces if fw != REFERENCE]
        if not frameworks:
            table.add_row(case, REFERENCE, "loss", "", "", "", f"reference only: loss {r.traces[REFERENCE].loss:.6g}")
        if not r.finite:
            listed = ", ".join(r.non_finite[:NON_FINITE_SHOWN])
            more = f", ... ({len(r.non_finite)} in all; the JSON lists them)" if len(r.non_finite) > NON_FINITE_SHOWN else ""
            table.add_row(case, "", "", MARK[False], "", "", f"not finite (NaN or inf, an overflow): {listed}{more}")
        L = r.spec.n_layers
        shown = [(q, q) for q in new_quantities(r.spec, r.mode)]
        shown += [("output", f"a{L}"), ("loss", "loss")] + [(f"d{p}", f"d{p}") for p in r.spec.param_shapes()]
        for fw in frameworks:
            checks = {c.quantity: c for c in r.checks_for(fw)}
            rows = [(label, checks[q]) for label, q in shown if q in checks]
            first = divergence(r, fw)
            verdict = (
                f"{MARK[True]} agrees"
                if first is None
                else (
                    f"{MARK[False]} first differs at {first['quantity']}\n({first['description']})"
                    + (f"\n{worst}" if (worst := worst_entry(checks[first["quantity"]])) else "")
                    + (f"\n{first['cause']}" if first["cause"] else "")
                )
            )
            table.add_row(
                case,
                fw,
                _lines(label for label, _ in rows),
                _lines(MARK[c.passed] for _, c in rows),
                _lines(f"{c.max_abs_err:.1e}" for _, c in rows),
                _lines(f"{c.max_rel_err:.1e}" for _, c in rows),
                verdict,
            )
    out.print(table)
    names = list(dict.fromkeys(fw for r in results for fw in r.traces))
    for line in implementations_lines(names):
        out.print(line, highlight=False, markup=False)
    if skipped_line():
        out.print(skipped_line(), highlight=False, markup=False)
    if threads:
        out.print(threads_line(threads), highlight=False, markup=False)
    failed = [r for r in results if not r.passed]
    if names == [REFERENCE]:  # only the reference ran: its own checks (finite numbers), no comparison
        out.print(f"only {REFERENCE} ran: nothing was compared (name other implementations with --frameworks)")
        return
    runs = "case x dtype x mode" if any(r.spec.mode_dependent for r in results) else "case x dtype"
    out.print(f"{len(results) - len(failed)} of {len(results)} {runs} runs agree" + ("" if not failed else "; see ✗ rows"))
