"""The sandbox process that runs a student's file: ``python -m compare.students.worker`` (started by compare.students.sandbox).

Protocol: one JSON request per line on stdin, one JSON answer per line on stdout.
Before anything runs, the worker moves that channel to private file descriptors and
points file descriptors 0, 1 and 2 elsewhere: stdin reads nothing, and everything
the student's code prints (``print``, warnings, C code writing to fd 1) goes to the
file its parent gave as stderr. The student's code can therefore print, exit, raise or
loop: the channel carries only the worker's answers, and a call that runs past its
timeout is ended by :func:`faulthandler.dump_traceback_later`, which writes where it
was stuck to a file the parent reads.

Requests: ``{"op": "load", "path", "functions", "timeout", "hang_file"[, "driver"]}``,
``{"op": "call", "params", "samples": [[X, y], ...], "l2", "n_layers"}`` (values encoded by
compare.students.calling.encode) and ``{"op": "run", "function", "args"}``. Answers:
``{"ok": true, ...}`` or ``{"ok": false, "failure": {...}}`` (compare.students.calling.failure).

A ``driver`` is a project module imported before the student's file, outside the timeout
(``check --framework``: compare.students.framework_torch or framework_keras, which import
the framework). ``run`` calls ``driver.<function>(module, roots, **args)`` with the student's
module and folder, under the same timeout; the driver returns JSON-ready data.
"""

from __future__ import annotations

import faulthandler
import importlib
import json
import os
import sys
from typing import Any, TextIO

from compare.students import calling


class Worker:
    """The loaded student's functions, and how long one call may run."""

    def __init__(self) -> None:
        self.functions: list[Any] = []
        self.module: Any = None
        self.driver: Any = None
        self.roots: list[str] = []
        self.timeout = 5.0
        self.hang: TextIO | None = None

    def _timed(self, run: Any) -> Any:
        assert self.hang is not None
        faulthandler.dump_traceback_later(self.timeout, exit=True, file=self.hang)
        try:
            return run()
        finally:
            faulthandler.cancel_dump_traceback_later()
            sys.stdout.flush()
            sys.stderr.flush()

    def load(self, request: dict[str, Any]) -> dict[str, Any]:
        """Import the student's file (its folder first on sys.path, as `python FILE.py` has it) and find its functions."""
        path = request["path"]
        folder = os.path.dirname(os.path.realpath(path))
        self.roots = [folder]
        self.timeout = float(request["timeout"])
        self.hang = open(request["hang_file"], "w")  # noqa: SIM115 - kept open for faulthandler until the process ends
        if request.get("driver"):
            try:
                self.driver = importlib.import_module(request["driver"])
            except Exception as exc:  # noqa: BLE001 - e.g. the framework is not installed
                message = f"{request['driver']} could not be imported: {type(exc).__name__}: {exc}"
                return {"ok": False, "failure": {"kind": "setup", "type": "", "message": message, "file": None, "line": None}}
        sys.path.insert(0, folder)  # as `python FILE.py` does
        sys.argv = [path]
        try:
            module = self._timed(lambda: calling.load_module(path))
        except BaseException as exc:  # noqa: BLE001 - the student's file: SystemExit and KeyboardInterrupt included
            return {"ok": False, "failure": calling.failure(exc, self.roots)}
        found = calling.functions_in(module, request["functions"])
        if isinstance(found, str):
            return {"ok": False, "failure": {"kind": "missing", "type": "", "message": found, "file": None, "line": None}}
        self.functions = found
        self.module = module
        return {"ok": True}

    def run(self, request: dict[str, Any]) -> dict[str, Any]:
        """``driver.<function>(module, roots, **args)`` with the timeout; its JSON-ready answer."""
        function = getattr(self.driver, request["function"])
        try:
            returned = self._timed(lambda: function(self.module, self.roots, **request["args"]))
        except BaseException as exc:  # noqa: BLE001 - the student's code: SystemExit and KeyboardInterrupt included
            return {"ok": False, "failure": calling.failure(exc, self.roots)}
        return {"ok": True, "returned": returned}

    def call(self, request: dict[str, Any]) -> dict[str, Any]:
        """One call per (X, y) in ``request["samples"]``, each with its own timeout; the answers in order."""
        params = calling.decode(request["params"])
        extra = params if isinstance(params, dict) else {}
        answers = []
        for X, y in request["samples"]:
            X, y = calling.decode(X), calling.decode(y)
            try:
                returned = self._timed(
                    lambda X=X, y=y: calling.call(self.functions, params, X, y, request["n_layers"], request.get("l2"), extra)
                )
            except BaseException as exc:  # noqa: BLE001 - the student's code: SystemExit and KeyboardInterrupt included
                return {"ok": False, "failure": calling.failure(exc, self.roots)}
            answers.append(calling.encode(calling.plain(returned)))
        return {"ok": True, "returned": answers}


def main() -> None:
    """Serve requests until stdin closes."""
    channel_in = os.fdopen(os.dup(0), "r", encoding="utf-8")
    channel_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # the student's stdout joins its stderr in the parent's capture file
    sys.stdin = open(os.devnull)  # noqa: SIM115 - input() gets EOF, never the channel
    if sys.path and os.path.realpath(sys.path[0] or ".") == os.path.realpath(os.getcwd()):
        sys.path.pop(0)  # `python -m` put the caller's folder first; the student's folder replaces it
    worker = Worker()
    for line in channel_in:
        request = json.loads(line)
        answer = {"load": worker.load, "call": worker.call, "run": worker.run}[request["op"]](request)
        channel_out.write(json.dumps(answer) + "\n")
        channel_out.flush()


if __name__ == "__main__":
    main()
