"""How a check's result is shown: the compact summary (text, HTML, rich) and the entry-level view of the first wrong quantity.

The summary has one row per case and one column per quantity (loss, dW_L, db_L, ...,
dW1, db1): ✓ when the student's value agrees with every framework compared, ✗ (and
which framework disagrees, if not all) otherwise; the hints follow. The entry-level
view puts the student's array, the expected one, their ratio and their difference side
by side, in the student's layout and at the student's scale (a summed reduction shows
sums).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import numpy as np

from compare.output import MARK
from compare.students import conventions

if TYPE_CHECKING:
    from compare.students.student import CaseCheck, CheckResult

MAX_ENTRIES = 6  # rows and columns of a matrix shown in the entry-level view


def _quantities(result: CheckResult) -> list[str]:
    return list(dict.fromkeys(c.quantity for case in result.cases for c in case.checks))


def _cell(case: CaseCheck, quantity: str, frameworks: tuple[str, ...]) -> str:
    checks = [c for c in case.checks if c.quantity == quantity]
    if not checks:
        return "—"
    failing = [c.framework for c in checks if not c.passed]
    if not failing:
        return MARK[True]
    if len(failing) == len(checks):
        return MARK[False]
    return f"{MARK[False]} {','.join(failing)}"


def _rows(result: CheckResult) -> tuple[list[str], list[list[str]]]:
    quantities = _quantities(result)
    header = ["case", "m", *quantities]
    rows = [[case.case, str(case.m), *(_cell(case, q, result.frameworks) for q in quantities)] for case in result.cases]
    return header, rows


def verdict(result: CheckResult) -> str:
    """``correct`` / ``WRONG``, with what was judged."""
    judged = "" if result.loss_judged else " (gradients only: your function returns no loss)"
    return ("correct" if result.passed else "WRONG") + judged


def text_summary(result: CheckResult) -> str:
    """The compact plain-text table (``repr`` of a :class:`~compare.students.student.CheckResult`)."""
    header, rows = _rows(result)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [f"CheckResult({result.target}, {result.convention} layout, vs {', '.join(result.frameworks)}): {verdict(result)}"]
    for row in [header, *rows]:
        lines.append("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    lines += [f"  - {hint.message}" for hint in result.hints]
    if result.fd is not None:
        lines.append(f"  {result.fd.message}")
    return "\n".join(lines)


def html_summary(result: CheckResult) -> str:
    """The compact table as HTML (a notebook's ``_repr_html_``)."""
    header, rows = _rows(result)
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    hints = "".join(f"<li>{html.escape(h.message)}</li>" for h in result.hints)
    fd = f"<p>{html.escape(result.fd.message)}</p>" if result.fd else ""
    title = html.escape(
        f"check {result.target} ({result.convention} layout, vs {', '.join(result.frameworks)}): {verdict(result)}"
    )
    return f"<div><p><b>{title}</b></p><table><tr>{head}</tr>{body}</table>{f'<ul>{hints}</ul>' if hints else ''}{fd}</div>"


def rich_summary(result: CheckResult) -> Any:
    """The compact table as a rich renderable (``rich.print(result)``)."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    header, rows = _rows(result)
    table = Table(title=f"check {result.target} ({result.convention} layout): {verdict(result)}", title_justify="left")
    for name in header:
        table.add_column(name)
    for row in rows:
        table.add_row(*row)
    parts: list[Any] = [table, *(Text(f"- {hint.message}") for hint in result.hints)]
    if result.fd is not None:
        parts.append(Text(result.fd.message))
    return Group(*parts)


# ---------------------------------------------------------------------------------------------
# The entry-level view


def _matrix(value: np.ndarray) -> str:
    """A small array as aligned rows of numbers (at most MAX_ENTRIES x MAX_ENTRIES, then ...)."""
    array = np.atleast_2d(np.asarray(value, dtype=np.float64)) if np.ndim(value) <= 2 else np.asarray(value).reshape(-1, 1)
    shown = array[:MAX_ENTRIES, :MAX_ENTRIES]
    cells = [[f"{x:.6g}" for x in row] for row in shown]
    width = max((len(c) for row in cells for c in row), default=1)
    lines = [" ".join(c.rjust(width) for c in row) + (" ..." if array.shape[1] > MAX_ENTRIES else "") for row in cells]
    if array.shape[0] > MAX_ENTRIES:
        lines.append("...")
    return "\n".join(lines)


def entry_view(result: CheckResult) -> tuple[str, dict[str, Any]] | None:
    """The first wrong quantity, entry by entry: ``(title, {"yours", "expected", "ratio", "difference"})``.

    Arrays are in the student's layout and at the student's scale; ``ratio`` is None where an
    expected entry is 0 or the shapes differ. None when everything agrees.
    """
    found = result.first_wrong()
    if found is None:
        return None
    case, quantity = found
    assert case.expected is not None
    if quantity == "loss":
        assert case.student.loss is not None
        yours = np.asarray(case.student.loss * case.scale)
        expected = np.asarray(case.expected.loss * case.scale)
    else:
        name = quantity[1:]
        yours = case.student.raw[name] * case.scale
        expected = conventions.param_to(result.convention, name, case.expected.grads[name]) * case.scale
        if expected.size == yours.size and expected.shape != yours.shape and name.startswith("b"):
            expected = expected.reshape(yours.shape)  # a bias returned as (n,) where the layout has (n, 1): same numbers
    same = yours.shape == expected.shape
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(expected != 0, yours / np.where(expected != 0, expected, 1), np.nan) if same else None
    scale = f", your scale (sums over m = {case.m})" if case.scale != 1 else ""
    title = (
        f"the first wrong quantity, {quantity} on {case.case} ({result.convention} layout{scale}): "
        f"yours {tuple(yours.shape)}, expected {tuple(expected.shape)}"
    )
    return title, {"yours": yours, "expected": expected, "ratio": ratio, "difference": yours - expected if same else None}


def entry_table(result: CheckResult) -> tuple[str, Any] | None:
    """:func:`entry_view` as its title and a rich table (one column each for yours, expected, ratio, difference), or None."""
    from rich.table import Table

    view = entry_view(result)
    if view is None:
        return None
    title, arrays = view
    table = Table()
    columns = [("yours", arrays["yours"]), ("expected", arrays["expected"])]
    columns += [(name, arrays[name]) for name in ("ratio", "difference") if arrays[name] is not None]
    for name, _ in columns:
        table.add_column(f"{name} (yours / expected)" if name == "ratio" else name, justify="right")
    table.add_row(*(_matrix(value) for _, value in columns))
    return title, table


def entry_json(result: CheckResult) -> dict[str, Any] | None:
    """:func:`entry_view` for ``--format json`` (NaN and inf as null)."""
    view = entry_view(result)
    if view is None:
        return None
    found = result.first_wrong()
    assert found is not None
    title, arrays = view

    def listed(value: np.ndarray | None) -> Any:
        if value is None:
            return None
        return np.where(np.isfinite(value), value, np.nan).tolist() if np.ndim(value) else float(value)

    out = {name: _nulls(listed(value)) for name, value in arrays.items()}
    return {"case": found[0].case, "quantity": found[1], "title": title, **out}


def _nulls(value: Any) -> Any:
    if isinstance(value, list):
        return [_nulls(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
