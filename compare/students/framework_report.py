"""How ``check --framework`` shows its result: text (rich tables) and ``--format json`` (shape in docs/students.md)."""

from __future__ import annotations

from typing import Any

import numpy as np

from compare.output import MARK, check_json, console, versions, versions_line
from compare.parity.harness import Check
from compare.students.framework_check import FrameworkCase, FrameworkResult, describe_architecture
from compare.students.report import _matrix, _nulls
from compare.students.sandbox import shown

PRINTED_LINES = 20  # lines of the student's own output shown in text mode (the JSON has all of it)
OUTPUTS = {
    "logits": "the logits z_L",
    "probabilities": "the probabilities a_L",
    "log_probabilities": "the log-probabilities log a_L",
    "values": "the output a_L",
}
STATUSES = {
    "replaced": "loaded by the check",
    "loaded": "already there: your build_model loaded this case's weights",
    "transposed": "your build_model's, transposed (see the hints)",
}


def _cell(check: Check) -> str:
    if np.isinf(check.max_rel_err) and np.isinf(check.max_abs_err):
        return f"{MARK[False]} shape"
    return f"{MARK[check.passed]} {check.max_rel_err:.1e}"


def weight_mapping(result: FrameworkResult) -> list[dict[str, Any]]:
    """Which layer gets which W_l, b_l: the linear layers in call order, with the layout translation."""
    spec, framework = result.spec, result.framework
    out = []
    for l, layer in enumerate(result.architecture.layers, start=1):
        W = f"W{l}" + (".T" if framework.transposed else "")
        shape = (spec.sizes[l - 1], spec.sizes[l]) if framework.transposed else (spec.sizes[l], spec.sizes[l - 1])
        name = layer.linear["name"]
        out.append(
            {
                "layer": l,
                "weight": f"{W} {shape}",
                "into": f"{framework.linear} {name!r}.{framework.weight_name}",
                "bias": f"b{l} -> {name!r}.bias",
            }
        )
    return out


def _model_lines(result: FrameworkResult) -> list[str]:
    description, architecture = result.description, result.architecture
    lines = [f"your model: {description['model']}: {describe_architecture(architecture) or 'no layers'}"]
    if architecture.mismatches:
        lines.append(f"it does not match {result.spec}:")
        lines += [f"  - {problem}" for problem in architecture.mismatches]
        return lines
    lines.append(f"  matches {result.spec} layer by layer; it returns {OUTPUTS[architecture.output]}")
    loss = description["loss"]
    reduction = f", reduction {loss['reduction']!r}" if loss.get("reduction") else ""
    logits = f", from_logits={loss['from_logits']}" if loss.get("from_logits") is not None else ""
    if result.spec.loss == "cce":
        targets = "; y: int64 class labels (m,)" if result.targets == "labels" else "; y: one-hot rows (m, n_L)"
    else:  # bce, sse, mse: the prepared floats
        targets = f"; y: {result.dtype} targets (m, {result.spec.sizes[-1]})"
    lines.append(f"your loss: {loss['type']}{reduction}{logits}, called {result.framework.loss_call}{targets}")
    lines.append(f"weights ({result.framework.layout}):")
    lines += [f"  {w['weight']} -> {w['into']}, {w['bias']}" for w in weight_mapping(result)]
    return lines


def _case_table(case: FrameworkCase) -> Any:
    from rich.table import Table

    table = Table()
    table.add_column("your value")
    table.add_column("scratch: max relative error")
    for check in case.checks:
        table.add_row(check.quantity, _cell(check))
    return table


def _case_lines(case: FrameworkCase) -> list[str]:
    lines = []
    if any(status != "replaced" for status in case.weights):
        lines.append("  weights: " + "; ".join(f"W{l}, b{l} {STATUSES[s]}" for l, s in enumerate(case.weights, start=1)))
    if case.error:
        lines.append(f"  your code failed: {case.error}")
    if case.optimizer is not None:
        rule = f"the lecture's {case.optimizer.rule} rule" if case.optimizer.rule else "no lecture rule"
        lines.append(f"  your optimizer: {case.optimizer.held}: {rule}")
    return lines


def first_wrong(result: FrameworkResult) -> tuple[FrameworkCase, str] | None:
    """The first case that disagrees, and its first wrong quantity."""
    for case in result.cases:
        quantity = case.first_wrong()
        if quantity is not None:
            return case, quantity
    return None


def _entry_table(case: FrameworkCase, quantity: str) -> Any:
    from rich.table import Table

    yours, expected = case.values[quantity]
    table = Table()
    for name in ("yours", "scratch", "difference"):
        table.add_column(name, justify="right")
    difference = yours - expected if yours.shape == expected.shape else None
    table.add_row(_matrix(yours), _matrix(expected), _matrix(difference) if difference is not None else "shapes differ")
    return table


def _verdict(result: FrameworkResult) -> str:
    if result.architecture.mismatches:
        return "result: WRONG: your model's architecture differs from --arch (nothing else was compared)"
    if not result.passed and not result.hints:
        return "result: WRONG: no classic framework mistake explains it; the first wrong quantity is shown above"
    if not result.passed:
        return "result: WRONG: see the hints above (docs/students.md explains each)"
    what = "output, loss, gradients" + (" and both training steps" if result.description["has"]["train_step"] else "")
    return f"result: correct: {what} agree with scratch"


def header(result: FrameworkResult) -> str:
    """The first line: the file, the framework and its version (and Keras's backend), the dtype."""
    framework, description = result.framework, result.description
    backend = f" on {description['backend']}" if description.get("backend") else ""
    own = (
        " (your model's dtype; --dtype float64 compares in float64)"
        if result.dtype_from_model and result.dtype == "float32"
        else ""
    )
    return (
        f"check {shown(result.target)} --framework {framework.name} ({framework.label} {description['version']}{backend}), "
        f"{result.dtype}{own}, against scratch, tolerances of compare/parity/tolerances.py"
    )


def _printed_lines(printed: str) -> list[str]:
    lines = printed.splitlines()
    if not lines:
        return []
    shown_lines = [f"your code printed ({len(lines)} lines):", *(f"  | {line}" for line in lines[:PRINTED_LINES])]
    if len(lines) > PRINTED_LINES:
        shown_lines.append(f"  ... ({len(lines) - PRINTED_LINES} more lines; --format json has them all)")
    return shown_lines


def render_text(result: FrameworkResult) -> None:
    """The model read, the weights mapping, a table per case, the first wrong entries, notes, hints, the verdict."""
    from rich.text import Text

    out = console()
    for line in [header(result), *_model_lines(result), *_printed_lines(result.printed)]:
        out.print(Text(line), soft_wrap=True)
    for case in result.cases:
        out.print(Text(f"{case.case}  [{case.spec}]  m = {case.m}  {'✓ correct' if case.passed else '✗ wrong'}"))
        for line in _case_lines(case):
            out.print(Text(line), soft_wrap=True)
        if case.checks:
            out.print(_case_table(case))
    found = first_wrong(result)
    if found is not None:
        case, quantity = found
        yours, expected = case.values[quantity]
        out.print(Text(f"the first wrong quantity, {quantity} on {case.case}: yours {yours.shape}, scratch's {expected.shape}"))
        out.print(_entry_table(case, quantity))
    lines = [f"note: {note}" for note in result.notes] + (["hints:"] if result.hints else [])
    for line in lines + [f"  - {hint.message}" for hint in result.hints]:
        out.print(Text(line), soft_wrap=True)
    out.print(_verdict(result))
    out.print(versions_line(), soft_wrap=True)


def _listed(value: np.ndarray) -> Any:
    return _nulls(value.tolist() if value.ndim else float(value))


def _case_json(case: FrameworkCase) -> dict[str, Any]:
    optimizer = None
    if case.optimizer is not None:
        optimizer = {
            "rule": case.optimizer.rule,
            "settings": case.optimizer.held,
            "unsupported": list(case.optimizer.unsupported),
        }
    return {
        "name": case.case,
        "spec": str(case.spec),
        "m": case.m,
        "passed": case.passed,
        "weights": case.weights,
        "error": case.error,
        "optimizer": optimizer,
        "checks": [check_json(c) for c in case.checks],
        "yours": {quantity: _listed(yours) for quantity, (yours, _) in case.values.items()},
        "warnings": case.warnings,
        "notes": case.notes,
    }


def to_json(result: FrameworkResult) -> dict[str, Any]:
    """The ``--format json`` object (shape in docs/students.md)."""
    found = first_wrong(result)
    first = None
    if found is not None:
        case, quantity = found
        yours, expected = case.values[quantity]
        first = {"case": case.case, "quantity": quantity, "yours": _listed(yours), "expected": _listed(expected)}
    description = result.description
    return {
        "target": result.target,
        "framework": result.framework.name,
        "framework_version": description["version"],
        "backend": description.get("backend"),
        "spec": str(result.spec),
        "dtype": result.dtype,
        "dtype_from_model": result.dtype_from_model,
        "targets": result.targets,
        "passed": result.passed,
        "model": {
            "type": description["model"],
            "layers": description["items"],
            "matches": not result.architecture.mismatches,
            "mismatches": result.architecture.mismatches,
            "output": result.architecture.output,
        },
        "loss": description["loss"],
        "weights": weight_mapping(result) if not result.architecture.mismatches else [],
        "printed": result.printed,
        "cases": [_case_json(case) for case in result.cases],
        "first_wrong": first,
        "hints": [{"key": h.key, "params": list(h.params), "message": h.message} for h in result.hints],
        "notes": result.notes,
        "versions": versions(),
    }
