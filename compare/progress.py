"""Feedback on stderr while people wait: a first line saying what is loading and what will run, then n/N.

Reports go to stdout and these lines to stderr, so a piped report (and JSON) stays the report
alone. On a terminal the count rewrites one line; elsewhere (a pipe, a CI log) each update is a
line of its own, at most one every :data:`PERIOD_S` seconds, and always the last, each with an
estimate of the time left: the mean time per item since the first finished, times the items
left (the first item also pays the frameworks' imports and compilations, several times an
item's own time, so no estimate is given until a second is done). A short
command's first line shows only on a terminal. ``--quiet`` turns every line off.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import IO

PERIOD_S = 1.0  # the shortest interval between two count lines off a terminal


class Feedback:
    """Lines for people: :meth:`say` one now; :meth:`start` a count of N items, :meth:`advance` it, :meth:`done`.

    Every line starts with ``prog:``, as the one error line does (``prog: error: ...``), so a
    log says which command wrote it and an error stands out. ``stream``: where the lines go
    (default stderr, read when a line is written); ``clock``: seconds (tests pass a fake one).
    Safe to call from several threads (a worker's callbacks).
    """

    def __init__(
        self,
        quiet: bool = False,
        prog: str = "python -m compare",
        stream: IO[str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        period_s: float = PERIOD_S,
    ) -> None:
        self.quiet, self.prog, self._stream, self.clock, self.period_s = quiet, prog, stream, clock, period_s
        self._lock = threading.Lock()
        self.what, self.total, self.count = "", 0, 0
        self.started = self.last = self.first_done = 0.0
        self._open = False  # a terminal line is being rewritten

    @property
    def stream(self) -> IO[str]:
        """Where the lines go: the stream given, else this moment's stderr."""
        return self._stream if self._stream is not None else sys.stderr

    def _terminal(self) -> bool:
        isatty = getattr(self.stream, "isatty", None)
        return bool(isatty and isatty())

    def say(self, text: str, terminal_only: bool = False) -> None:
        """One line now (after the count line on a terminal, which it ends).

        ``terminal_only``: only when the stream is a terminal (a short command whose input errors
        come later: a pipe or a log then holds the error line alone).
        """
        if self.quiet or (terminal_only and not self._terminal()):
            return
        with self._lock:
            self._end_line()
            self.stream.write(f"{self.prog}: {text}\n")
            self.stream.flush()

    def start(self, what: str, total: int) -> None:
        """Begin counting ``total`` items of ``what`` (``"runs"``, ``"trainings"``)."""
        with self._lock:
            self.what, self.total, self.count = what, total, 0
            self.started = self.last = self.clock()

    def advance(self, label: str = "") -> None:
        """One more item done (``label``: which); a count line when it is time for one."""
        if self.quiet:
            return
        with self._lock:
            self.count += 1
            now = self.clock()
            if self.count == 1:
                self.first_done = now
            last = self.count >= self.total
            if self._terminal():
                self.stream.write(f"\r\x1b[K{self._line(label, now)}")
                self._open = True
            elif last or now - self.last >= self.period_s:
                self.stream.write(f"{self._line(label, now)}\n")
                self.last = now
            self.stream.flush()

    def done(self) -> None:
        """End the count (clears a terminal's count line)."""
        if self.quiet:
            return
        with self._lock:
            self._end_line()

    def _end_line(self) -> None:
        if self._open:
            self.stream.write("\r\x1b[K")
            self._open = False

    def _line(self, label: str, now: float) -> str:
        elapsed = now - self.started
        if self.count >= self.total:
            estimate = f", {elapsed:.0f} s"
        elif self.count == 1:
            estimate = ""  # the first item's time includes the loading: no estimate from it
        else:
            left = (now - self.first_done) / (self.count - 1) * (self.total - self.count)
            estimate = f", about {left:.0f} s left"
        return f"{self.prog}: {self.count}/{self.total} {self.what}" + (f" ({label})" if label else "") + estimate


def listing(names: Iterable[str]) -> str:
    """``"a, b and c"``."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1] if names else "nothing"


def plural(n: int, noun: str) -> str:
    """``"1 run"``, ``"22 runs"``."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")
