"""What every report shares: the ✓/✗ marks, JSON numbers, one JSON object per check, the console, the versions line."""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from typing import Any, Protocol

from compare.versions import implementations, implementations_lines, versions, versions_line

MARK = {True: "✓", False: "✗"}

__all__ = [
    "MARK",
    "check_json",
    "console",
    "implementations",
    "implementations_lines",
    "json_number",
    "skipped_line",
    "threads_line",
    "versions",
    "versions_line",
]


class CheckLike(Protocol):
    """What :func:`check_json` reads (compare.parity.harness.Check has it)."""

    framework: str
    quantity: str
    max_abs_err: float
    max_rel_err: float
    atol: float
    rtol: float
    passed: bool


def json_number(x: float) -> float | None:
    """A float for JSON, which has no inf/NaN: they (a shape mismatch, a NaN) become null."""
    return float(x) if math.isfinite(x) else None


def check_json(check: CheckLike, quantity: str | None = None) -> dict[str, Any]:
    """One comparison as JSON: framework, quantity (``quantity`` renames it), both errors, both tolerances, passed."""
    return {
        "framework": check.framework,
        "quantity": quantity or check.quantity,
        "max_abs_err": json_number(check.max_abs_err),
        "max_rel_err": json_number(check.max_rel_err),
        "atol": check.atol,
        "rtol": check.rtol,
        "passed": check.passed,
    }


def skipped_line() -> str | None:
    """``"skipped: keras-jax (jax not installed ...)"`` for the implementations not installed, or None."""
    from compare.registry import skipped

    reasons = skipped()
    return "skipped: " + "; ".join(f"{name} ({why})" for name, why in reasons.items()) if reasons else None


def threads_line(threads: Mapping[str, Any]) -> str:
    """``"threads: 1 per framework (compare.threads: small nets)"`` for a report's last lines."""
    return f"threads: {threads['requested']} per framework (python -m compare ... --threads N; rule in compare/threads.py)"


def console(width: int = 1000) -> Any:
    """A rich Console: a terminal's own width, or ``width`` columns on a pipe or a file (no wrapping mid-table)."""
    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else width)
