"""Running a student's code so that nothing it does can break the check: its prints, exits, hangs and crashes.

Two runners with one interface, ``call(params, X, y, n_layers, l2) -> plain value`` and
``output`` (what the code printed):

- :class:`Sandbox` runs ``FILE.py[:FUNCTION]`` in its own process
  (compare.students.worker), with the file's folder first on ``sys.path`` and a timeout
  per call (its top-level code included). ``python -m compare check`` uses it.
- :class:`InProcess` calls a function of the caller's process (``check_function`` from a
  notebook), with its prints captured; there is no timeout there.

Every failure becomes one :class:`~core.errors.InputError` line naming the student's
file:line (:func:`failure_message`); the CLI prints it and exits 2.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
import tokenize
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np

from compare.students import calling
from core.errors import InputError

DEFAULT_TIMEOUT = 5.0  # seconds per call of the student's code (and for its file's top-level code)
GRACE = 3.0  # after the timeout, how long the worker has to write where it was stuck and end
# an error about shapes: NumPy's words for it, or a shape itself, such as (1, 2), in the message
SHAPE_WORDS = re.compile(
    r"shape|broadcast|align|dimension|matmul|operands|size \d+ is different|out of bounds|index|\(\d+, *\d*\)", re.I
)
_FRAME = re.compile(r'File "(?P<file>.*)", line (?P<line>\d+) in (?P<function>\S+)')
TOP_LEVEL = "your file's top-level code"
ROOT = Path(__file__).resolve().parents[2]  # the folder holding compare/, for the worker's sys.path


def shown(path: object) -> str:
    r"""A path for a one-line message: as it is when printable, else quoted with escapes (a newline becomes \\n)."""
    text = str(path)
    return text if text.isprintable() else repr(text)


def _relative(file: str) -> str:
    """``file`` relative to the working folder when it lies inside it, else as it is."""
    try:
        relative = os.path.relpath(file)
    except ValueError:  # another drive
        return file
    return file if relative.startswith(os.pardir) else relative


def failure_message(failure: dict[str, Any], function: str, layout: str | None = None) -> str:
    """One line for a failure of the student's code (compare.students.calling.failure).

    Args:
        failure: what went wrong and where.
        function: the function (or the file) that was run, for the message.
        layout: the shapes the function was given, in words; appended as a question only when
            the error is about shapes.
    """
    where = ""
    if failure.get("file"):
        where = f"{shown(_relative(str(failure['file'])))}:{failure['line']}: "
        if failure.get("function") and failure["function"] != "<module>":
            where += f"in {failure['function']}: "
    kind, message = failure["kind"], failure.get("message") or ""
    if kind == "syntax":
        return f"{where}your file has a syntax error: {message}"
    if kind == "exit":
        return f"{where}{function} called sys.exit({message}); a checked function must return, not exit"
    if kind == "interrupt":
        return f"{where}{function} raised KeyboardInterrupt"
    if kind == "timeout":
        question = f"is this {failure['loop']} loop endless?" if failure.get("loop") else "an endless loop?"
        return f"{where}{function} did not finish within {message} s (--timeout SECONDS changes the limit): {question}"
    if kind in ("missing", "bind", "ended", "setup"):
        return f"{where}{message}"
    text = f"{where}{function} raised {failure['type']}: {message or '(no message)'}"
    if layout and (SHAPE_WORDS.search(message) or failure["type"] == "IndexError"):
        text += f" -- {layout}; is that the layout it expects?"
    return text


def enclosing_loop(file: str, line: int) -> tuple[int, str] | None:
    """The innermost ``for`` or ``while`` loop of ``file`` that spans ``line``: (its first line, ``"for"``/``"while"``).

    None when no loop spans it or the file cannot be read or parsed. A timeout stops a loop on its
    header or anywhere in its body; the loop's own line is the same on every run.
    """
    try:
        with tokenize.open(file) as source:
            tree = ast.parse(source.read(), file)
    except (OSError, SyntaxError, ValueError):  # UnicodeDecodeError is a ValueError
        return None
    loops = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.For | ast.AsyncFor | ast.While) and node.lineno <= line <= (node.end_lineno or node.lineno)
    ]
    if not loops:
        return None
    innermost = max(loops, key=lambda node: node.lineno)  # loops spanning one line nest: the latest start is inside the others
    return innermost.lineno, "while" if isinstance(innermost, ast.While) else "for"


class InProcess:
    """The student's functions of this process; prints captured, no timeout.

    A ``KeyboardInterrupt`` is left to propagate here: in a notebook it is the stop button.
    """

    def __init__(self, functions: Sequence[Callable[..., Any]], label: str, roots: Sequence[str] | None = None) -> None:
        self.functions = list(functions)
        self.label = label
        self.roots = list(roots) if roots is not None else sorted({_folder_of(f) for f in self.functions})
        self._output = io.StringIO()

    @property
    def output(self) -> str:
        """Everything the student's code printed so far."""
        return self._output.getvalue()

    def call(self, params: object, X: np.ndarray, y: np.ndarray, n_layers: int, l2: float | None, layout: str = "") -> object:
        """One call; the student's return value as plain data (compare.students.calling.plain).

        Raises:
            InputError: the code raised, exited or could not be bound (one line, with file:line).
        """
        extra = params if isinstance(params, dict) else {}
        try:
            with contextlib.redirect_stdout(self._output), contextlib.redirect_stderr(self._output), _on_path(self.roots):
                returned = calling.call(self.functions, params, X, y, n_layers, l2, extra)
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - the student's code
            raise InputError(failure_message(calling.failure(exc, self.roots), self.label, layout)) from None
        return calling.plain(returned)

    def calls(
        self, params: object, samples: Sequence[tuple[np.ndarray, np.ndarray]], n_layers: int, l2: float | None, layout: str = ""
    ) -> list[object]:
        """:meth:`call` for each ``(X, y)`` (``--per-sample``)."""
        return [self.call(params, X, y, n_layers, l2, layout) for X, y in samples]

    def close(self) -> None:
        """Nothing to end."""


def _folder_of(function: Callable[..., Any]) -> str:
    code = getattr(function, "__code__", None)
    filename = code.co_filename if code is not None else ""
    return os.path.dirname(os.path.realpath(filename)) if filename and not filename.startswith("<") else filename


@contextlib.contextmanager
def _on_path(folders: Sequence[str]) -> Iterator[None]:
    added = [f for f in folders if f and os.path.isdir(f) and f not in sys.path]
    sys.path[:0] = added
    try:
        yield
    finally:
        for folder in added:
            with contextlib.suppress(ValueError):
                sys.path.remove(folder)


def load_in_process(path: Path, names: Sequence[str]) -> InProcess:
    """Import ``path`` into this process (its folder on ``sys.path`` while it loads) and return its functions.

    Raises:
        InputError: the file fails to load (one line, with file:line) or lacks a function.
    """
    folder = os.path.dirname(os.path.realpath(path))
    label = _label(names)
    try:
        with _on_path([folder]):
            module = calling.load_module(str(path))
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - the student's file
        raise InputError(failure_message(calling.failure(exc, [folder]), TOP_LEVEL)) from None
    found = calling.functions_in(module, names)
    if isinstance(found, str):
        raise InputError(f"{shown(path)}: {found}; name it with {shown(path)}:FUNCTION")
    return InProcess(found, label, [folder])


def _label(names: Sequence[str]) -> str:
    return ", ".join(f"{n}()" for n in names)


class Sandbox:
    """``FILE.py``'s functions in a worker process (compare.students.worker), each call with a timeout.

    Use as a context manager, or call :meth:`close`.

    Raises:
        InputError: from the constructor when the file fails to load, hangs, exits or lacks a
            function; from :meth:`call` when a call fails (one line each, with file:line).
    """

    def __init__(self, path: Path, names: Sequence[str], timeout: float = DEFAULT_TIMEOUT, driver: str | None = None) -> None:
        self.path = path
        self.label = _label(names)
        self.timeout = timeout
        self._dir = tempfile.TemporaryDirectory(prefix="compare-check-")
        self._hang_file = os.path.join(self._dir.name, "hang.txt")
        self._printed = ""
        self._capture: IO[bytes] = open(os.path.join(self._dir.name, "output.txt"), "w+b")  # noqa: SIM115 - closed in close()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
        env["PYTHONIOENCODING"] = "utf-8"
        self._process = subprocess.Popen(
            [sys.executable, "-m", "compare.students.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._capture,
            env=env,
            text=True,
            encoding="utf-8",
        )
        self._answers: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        request = {
            "op": "load",
            "path": os.path.realpath(path),
            "functions": list(names),
            "timeout": timeout,
            "hang_file": self._hang_file,
            "driver": driver,
        }
        try:
            self._ask(request, TOP_LEVEL, "")
        except InputError:
            self.close()
            raise

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self._answers.put(line)
        self._answers.put(None)

    @property
    def output(self) -> str:
        """Everything the student's code printed so far (stdout and stderr, in order)."""
        if self._capture.closed:
            return self._printed
        self._capture.flush()
        self._capture.seek(0)
        return self._capture.read().decode("utf-8", errors="replace")

    def _ask(self, request: dict[str, Any], function: str, layout: str, calls: int = 1) -> dict[str, Any]:
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(json.dumps(request) + "\n")
            self._process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise InputError(self._ended(function)) from None
        try:
            line = self._answers.get(timeout=self.timeout * calls + GRACE)  # each call is timed in the worker
        except queue.Empty:
            self._process.kill()
            self._process.wait()
            line = None
        if line is None:
            raise InputError(self._ended(function))
        answer: dict[str, Any] = json.loads(line)
        if not answer["ok"]:
            failure = answer["failure"]
            if failure["kind"] == "missing":
                raise InputError(f"{shown(self.path)}: {failure['message']}; name it with {shown(self.path)}:FUNCTION")
            raise InputError(failure_message(failure, function, layout))
        return answer

    def _ended(self, function: str) -> str:
        """Why the worker is gone: a timeout (where it was stuck), or the student's code ended the process."""
        try:
            self._process.wait(timeout=GRACE)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        hang = Path(self._hang_file).read_text(encoding="utf-8", errors="replace") if os.path.exists(self._hang_file) else ""
        if "Timeout" in hang or self._process.returncode == -9:
            frames = [
                m for m in _FRAME.finditer(hang) if calling.under(m["file"], [os.path.dirname(os.path.realpath(self.path))])
            ]
            failure: dict[str, Any] = {"kind": "timeout", "message": f"{self.timeout:g}", "file": None, "line": None}
            if frames:  # faulthandler lists the most recent call first
                failure.update(file=frames[0]["file"], line=int(frames[0]["line"]), function=frames[0]["function"])
                loop = enclosing_loop(failure["file"], failure["line"])
                if loop:  # the loop's own line, wherever in its body the timeout stopped it
                    failure.update(line=loop[0], loop=loop[1])
            return failure_message(failure, function)
        return (
            f"{shown(self.path)}: {function} ended the process (exit status {self._process.returncode}) "
            "instead of returning, e.g. with os._exit or a crash in C code"
        )

    def call(self, params: object, X: np.ndarray, y: np.ndarray, n_layers: int, l2: float | None, layout: str = "") -> object:
        """One call in the worker; the student's return value as plain data (compare.students.calling.plain).

        Raises:
            InputError: the code raised, exited, hung past the timeout or ended the process.
        """
        return self.calls(params, [(X, y)], n_layers, l2, layout)[0]

    def calls(
        self, params: object, samples: Sequence[tuple[np.ndarray, np.ndarray]], n_layers: int, l2: float | None, layout: str = ""
    ) -> list[object]:
        """One call per ``(X, y)`` in one round trip (``--per-sample``), each with its own timeout.

        Raises:
            InputError: as :meth:`call`, for the first call that fails.
        """
        request = {
            "op": "call",
            "params": calling.encode(calling.plain(params)),
            "samples": [[calling.encode(calling.plain(X)), calling.encode(calling.plain(y))] for X, y in samples],
            "l2": l2,
            "n_layers": n_layers,
        }
        return [calling.decode(value) for value in self._ask(request, self.label, layout, len(samples))["returned"]]

    def run(self, function: str, label: str, **args: Any) -> Any:
        """``driver.<function>(module, roots, **args)`` in the worker (``driver`` given to the constructor), with the timeout.

        ``args`` and the answer are JSON data (compare.students.framework_driver packs arrays).

        Raises:
            InputError: the student's code raised, exited, hung past the timeout or ended the process.
        """
        return self._ask({"op": "run", "function": function, "args": args}, label, "")["returned"]

    def close(self) -> None:
        """End the worker and remove its files (what it printed is kept in :attr:`output` until then)."""
        if self._process.poll() is None:
            with contextlib.suppress(OSError):
                assert self._process.stdin is not None
                self._process.stdin.close()
            try:
                self._process.wait(timeout=GRACE)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._reader.join(timeout=GRACE)  # the worker has ended: its stdout reaches end of file
        if self._process.stdout is not None and not self._reader.is_alive():
            self._process.stdout.close()
        if not self._capture.closed:
            self._printed = self.output
            self._capture.close()
        self._dir.cleanup()
