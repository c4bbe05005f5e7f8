"""What every report shares: the ✓/✗ marks, the one JSON writer, one JSON object per check, the console, the versions line."""

from __future__ import annotations

import contextlib
import errno
import io
import json
import math
import select
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Protocol, cast

import numpy as np

from compare.versions import implementations, implementations_lines, versions, versions_line
from core.errors import InputError

MARK = {True: "✓", False: "✗"}
NON_FINITE_WHY = (
    "JSON (RFC 8259) has no NaN or infinity: these numbers were NaN or infinite (an overflow, or an error "
    "that has no size, such as a shape mismatch) and are written as null; a run with them never passes"
)
NON_FINITE_LISTED = 20  # JSON Pointers listed in "non_finite"; the count covers all of them

__all__ = [
    "MARK",
    "check_json",
    "console",
    "report_to",
    "stdout_closed",
    "dumps",
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
    """A float for JSON, which has no inf/NaN: they (a shape mismatch, a NaN) become null.

    Reports go through :func:`dumps`, which does this for every number and says where it did.
    """
    return float(x) if math.isfinite(x) else None


def _plain(value: Any, pointer: str, found: list[str]) -> tuple[Any, bool]:
    """``value`` as JSON-ready Python (arrays as lists); non-finite floats -> None, their JSON Pointers in ``found``.

    Returns the value and whether a non-finite number was found in it; every ``"passed": true``
    of a dict holding one becomes false.
    """
    if isinstance(value, np.ndarray):
        value = value.tolist()
    elif isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        found.append(pointer)
        return None, True
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        bad = False
        for key, item in value.items():
            out[str(key)], item_bad = _plain(item, f"{pointer}/{_escape(str(key))}", found)
            bad = bad or item_bad
        if bad and out.get("passed") is True:
            out["passed"] = False
        return out, bad
    if isinstance(value, (list, tuple)):
        items = [_plain(item, f"{pointer}/{i}", found) for i, item in enumerate(value)]
        return [item for item, _ in items], any(bad for _, bad in items)
    return value, False


def _escape(key: str) -> str:
    """A JSON Pointer token (RFC 6901): ``~`` -> ``~0``, ``/`` -> ``~1``."""
    return key.replace("~", "~0").replace("/", "~1")


def dumps(report: Mapping[str, Any], indent: int | None = 1) -> str:
    """The one JSON writer of every report: valid RFC 8259 JSON, whatever the numbers.

    NumPy arrays and scalars become JSON arrays and numbers. NaN and infinity, which JSON
    cannot write, become null; the report then gets a ``"non_finite"`` field (why, how many,
    and the JSON Pointers of the first :data:`NON_FINITE_LISTED`), and every ``"passed"``
    above such a number is false.
    """
    found: list[str] = []
    plain, _ = _plain(report, "", found)
    if found:
        plain["non_finite"] = {"why": NON_FINITE_WHY, "count": len(found), "paths": found[:NON_FINITE_LISTED]}
    return json.dumps(plain, indent=indent, allow_nan=False)


def check_json(check: CheckLike, quantity: str | None = None) -> dict[str, Any]:
    """One comparison as JSON: framework, quantity (``quantity`` renames it), both errors, both tolerances, passed."""
    return {
        "framework": check.framework,
        "quantity": quantity or check.quantity,
        "max_abs_err": check.max_abs_err,  # dumps writes inf (a shape mismatch) as null
        "max_rel_err": check.max_rel_err,
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


@contextlib.contextmanager
def report_to(path: str | Path | None) -> Iterator[None]:
    """``--output FILE``: what the block prints on stdout goes to ``path`` instead, written when the block ends.

    The path is checked before the block runs (its folder is created; compare.data.files.writable_file),
    so a bad path costs no work. The file is written only when the block ends without an exception (a run
    that stops with an error leaves an existing file as it was) and is announced on stderr (``wrote FILE``).
    ``None``: stdout as it is.

    Raises:
        InputError: the path is a folder, or its folder or the file cannot be written.
    """
    if path is None:
        yield
        return
    from compare.data.files import writable_file

    target = writable_file(path, "--output")
    report = io.StringIO()
    with contextlib.redirect_stdout(report):
        yield
    try:
        target.write_text(report.getvalue(), encoding="utf-8")
    except OSError as exc:  # checked writable before the run; a full disk shows only now
        raise InputError(f"--output {str(target)!r}: cannot write the file ({exc.strerror})") from None
    sys.stderr.write(f"wrote {target}\n")


class TrimmedLines(io.TextIOBase):
    """The current ``sys.stdout`` with the spaces at each line's end dropped, for a report on a pipe or a file.

    rich pads every cell of a table to its column's width, so each line of a table ends in spaces
    up to the table's edge; pasted into a file or a diff they are noise. A line is written once its
    newline arrives (every ``print`` of rich ends with one); ``flush`` writes a partial line as it is.
    ``sys.stdout`` is looked up at each write, so ``--output``'s redirection still applies.
    """

    def __init__(self) -> None:
        super().__init__()
        self._partial = ""

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        *lines, self._partial = (self._partial + text).split("\n")
        if lines:
            sys.stdout.write("".join(line.rstrip(" ") + "\n" for line in lines))
        return len(text)

    def flush(self) -> None:
        if self._partial:
            sys.stdout.write(self._partial)
            self._partial = ""
        sys.stdout.flush()


def console(width: int = 1000) -> Any:
    """A rich Console: a terminal's own width, or ``width`` columns on a pipe or a file (no wrapping mid-table).

    On a pipe or a file its lines end without rich's padding (:class:`TrimmedLines`). A closed
    stdout (``| head -n 3``) raises BrokenPipeError, which compare.cli turns into exit code 141;
    rich's own reaction would be exit code 1, this CLI's "something differs".
    """
    from rich.console import Console

    class ReportConsole(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError(errno.EPIPE, "stdout was closed")

    if sys.stdout.isatty():
        return ReportConsole()
    return ReportConsole(width=width, file=cast(IO[str], TrimmedLines()))  # rich needs only write and flush


def stdout_closed() -> bool:
    """Whether stdout is a pipe whose reader has gone (``poll`` reports POLLERR on its write end).

    False for stdout held in memory (``--output``'s buffer), a file or a terminal.
    """
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & select.POLLERR for _, events in poller.poll(0))
    except (OSError, ValueError):  # io.UnsupportedOperation (no file descriptor) is both
        return False
