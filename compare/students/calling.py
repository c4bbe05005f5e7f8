"""Calling a student's code the way its author wrote it, and carrying what it returns across a process boundary.

Two forms of target (docs/students.md, "How your function is called"):

- one function, ``backprop(params, X, y)``: its arguments are bound **by name** when every
  required one has a name below (``def grads(X, Y, parameters)`` works), otherwise by
  position as ``(params, X, y)``;
- a chain ``forward,backward`` or ``forward,cost,backward`` (course-notebook style): each
  function's arguments are bound by name from ``params``, ``X``, ``y``, the L2 lambda, and
  what the earlier functions returned. The forward function's result is read as the
  output ``AL`` (an array), the ``cache`` (a dict, list or tuple) and a ``cost`` (a
  number); the cost function's result is the cost; the backward function's result is
  the gradients, returned as ``(cost, gradients)`` when a cost is known.

This module imports only NumPy and the standard library: it runs inside the sandbox
process (compare.students.worker) as well as in the caller's process.
"""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

# The names an argument may have, per role. Matching is exact (X and x both mean the inputs).
ROLE_NAMES: dict[str, tuple[str, ...]] = {
    "params": ("params", "parameters", "param", "p", "theta", "model", "net", "network", "weights_and_biases"),
    "X": ("X", "x", "inputs", "input", "A0", "a0", "features", "xs", "X_batch", "x_batch", "X_train", "x_train"),
    "y": ("y", "Y", "t", "T", "target", "targets", "label", "labels", "y_true", "Y_true", "ys", "y_batch", "Y_train", "y_train"),
    "l2": ("lambd", "lam", "lmbda", "lambda_", "l2", "reg", "reg_lambda", "l2_lambda"),
    "cache": ("cache", "caches"),
    "cost": ("cost", "loss", "J"),
    "output": ("AL", "A_L", "aL", "a_L", "yhat", "y_hat", "Y_hat", "output", "out", "probs", "A_last", "A_out"),
}
MAX_DEPTH = 4  # how deep a returned structure is read (a cache of dicts of lists is not the gradients)


class BindError(ValueError):
    """A student's function whose arguments cannot be matched to params, X, y (the message says which)."""


@dataclass(frozen=True)
class Opaque:
    """Something the student returned that is neither a number, an array, a dict nor a sequence."""

    type_name: str

    def __repr__(self) -> str:
        return f"<{self.type_name}>"


def _role_of(name: str, n_layers: int, extra: Mapping[str, object]) -> str | None:
    if name in extra:
        return name
    for role, names in ROLE_NAMES.items():
        if name in names:
            return role
    if name in (f"A{n_layers}", f"a{n_layers}"):
        return "output"
    return None


def bind(function: Callable[..., Any], values: Mapping[str, object], n_layers: int, positional: bool) -> tuple[list, dict]:
    """The positional and keyword arguments for ``function`` from ``values`` (keyed by role or by a student key).

    Args:
        function: the student's function.
        values: ``{"params": ..., "X": ..., "y": ...}`` and optionally ``l2``, ``cache``, ``cost``,
            ``output``, and the student's own parameter keys (a name mapping).
        n_layers: L, so that an argument named ``A2`` (L = 2) is the output.
        positional: fall back to ``function(params, X, y)`` when names do not match (single functions).

    Raises:
        BindError: a required argument has no value.
    """
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return [values["params"], values["X"], values["y"]], {}
    kwargs: dict[str, object] = {}
    unbound: list[str] = []
    unset_l2: list[str] = []  # arguments named as the L2 strength, with no λ given
    required = 0
    extra = {k: v for k, v in values.items() if k not in ROLE_NAMES}
    for parameter in signature.parameters.values():
        if parameter.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            continue
        role = _role_of(parameter.name, n_layers, extra)
        has_default = parameter.default is not inspect.Parameter.empty
        required += not has_default
        if role is not None and role in values and values[role] is not None:
            kwargs[parameter.name] = values[role]
        elif not has_default:
            unbound.append(parameter.name)
            if role == "l2":
                unset_l2.append(parameter.name)
    if not unbound:
        if any(p.kind is inspect.Parameter.POSITIONAL_ONLY for p in signature.parameters.values() if p.name in kwargs):
            names = [p.name for p in signature.parameters.values() if p.name in kwargs]
            return [kwargs[n] for n in names], {}
        return [], kwargs
    if positional and (required == 3 or _takes_varargs(signature)):
        return [values["params"], values["X"], values["y"]], {}
    raise BindError(_unbound(f"{getattr(function, '__name__', 'the function')}{signature}", unbound, unset_l2, values))


def _unbound(called: str, unbound: list[str], unset_l2: list[str], values: Mapping[str, object]) -> str:
    """Why ``called`` (name and signature) cannot be called: the L2 strength not given, or names not matched."""
    if unset_l2 and len(unset_l2) == len(unbound):
        return (
            f"{called}: {', '.join(map(repr, unset_l2))} is the L2 strength lambda, and none was given: "
            "pass --l2 LAMBDA (l2=LAMBDA in check_file and check_function)"
        )
    understood = "; ".join(f"{role}: {', '.join(names)}" for role, names in ROLE_NAMES.items() if role in values)
    return f"{called}: no value for {', '.join(map(repr, unbound))} (arguments are matched by name -- {understood})"


def _takes_varargs(signature: inspect.Signature) -> bool:
    return any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in signature.parameters.values())


def _is_number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, numbers.Real):
        return True
    return isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "fiu"


def read_forward(returned: object) -> dict[str, object]:
    """What a forward function returned, by role: ``output`` (the first array), ``cache``, ``cost`` (a number, not an array)."""
    items = list(returned) if isinstance(returned, (tuple, list)) else [returned]
    out: dict[str, object] = {}
    for item in items:
        if isinstance(item, np.ndarray) and item.ndim >= 1 and "output" not in out:
            out["output"] = item  # an array first: with n_L = 1 and m = 1 the output is a 1 x 1 array
        elif _is_number(item) and "cost" not in out:
            out["cost"] = item
        elif isinstance(item, (Mapping, list, tuple)) and "cache" not in out:
            out["cache"] = item
    return out


def call(
    functions: Sequence[Callable[..., Any]],
    params: object,
    X: np.ndarray,
    y: np.ndarray,
    n_layers: int,
    l2: float | None = None,
    extra: Mapping[str, object] | None = None,
) -> object:
    """Run the student's function (or chain, see the module docstring) once and return what it returned.

    Args:
        functions: one function, or the chain forward[, cost], backward.
        params: the parameters in the student's layout (a dict).
        X: inputs in the student's layout.
        y: targets in the student's layout.
        n_layers: L.
        l2: lambda for an argument named like ``lambd`` (None: not passed).
        extra: the student's own parameter keys (a name mapping), bound to arguments of the same name.

    Raises:
        BindError: an argument that cannot be matched. The student's own exceptions propagate.
    """
    values: dict[str, object] = {"params": params, "X": X, "y": y, "l2": l2, **(extra or {})}
    if len(functions) == 1:
        args, kwargs = bind(functions[0], values, n_layers, positional=True)
        return functions[0](*args, **kwargs)
    forward, *middle, backward = functions
    args, kwargs = bind(forward, values, n_layers, positional=False)
    values.update(read_forward(forward(*args, **kwargs)))
    for function in middle:
        args, kwargs = bind(function, values, n_layers, positional=False)
        cost = function(*args, **kwargs)
        values["cost"] = read_forward(cost).get("cost", cost)
    args, kwargs = bind(backward, values, n_layers, positional=False)
    grads = backward(*args, **kwargs)
    return grads if values.get("cost") is None else (values["cost"], grads)


# ---------------------------------------------------------------------------------------------
# What the student returned, as plain values, and as JSON for the trip out of the sandbox.


def plain(value: object, depth: int = 0) -> object:
    """``value`` as floats, NumPy arrays (copies), dicts, lists and tuples; anything else becomes :class:`Opaque`."""
    if value is None or isinstance(value, (bool, str)):
        return value if value is None else Opaque(type(value).__name__)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, np.ndarray):
        return np.array(value) if value.dtype.kind in "fiub" else Opaque(f"array of {value.dtype}")
    if depth >= MAX_DEPTH:
        return Opaque(type(value).__name__)
    if isinstance(value, Mapping):
        return {str(k): plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        items = [plain(v, depth + 1) for v in value]
        return tuple(items) if isinstance(value, tuple) else items
    if hasattr(value, "__array__"):  # e.g. a CPU tensor
        try:
            return plain(np.asarray(value), depth)
        except Exception:  # noqa: BLE001 - the student's object: any failure means "not an array"
            return Opaque(type(value).__name__)
    return Opaque(type(value).__name__)


def encode(value: object) -> object:
    """A plain value (see :func:`plain`) as JSON-ready data; :func:`decode` inverts it exactly (floats by repr)."""
    if value is None or isinstance(value, float):
        return value
    if isinstance(value, np.ndarray):
        return {"array": value.reshape(-1).tolist(), "dtype": value.dtype.kind, "shape": list(value.shape)}
    if isinstance(value, dict):
        return {"dict": [[k, encode(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return {"tuple" if isinstance(value, tuple) else "list": [encode(v) for v in value]}
    if isinstance(value, Opaque):
        return {"opaque": value.type_name}
    return {"opaque": type(value).__name__}


_KINDS = {"f": np.float64, "i": np.int64, "u": np.int64, "b": np.bool_}


def decode(data: object) -> object:
    """The plain value that :func:`encode` wrote."""
    if data is None or isinstance(data, (int, float)):
        return None if data is None else float(data)
    if not isinstance(data, dict):
        return Opaque(type(data).__name__)
    if "array" in data:
        return np.array(data["array"], dtype=_KINDS[data["dtype"]]).reshape(data["shape"])
    if "dict" in data:
        return {k: decode(v) for k, v in data["dict"]}
    if "tuple" in data:
        return tuple(decode(v) for v in data["tuple"])
    if "list" in data:
        return [decode(v) for v in data["list"]]
    return Opaque(str(data.get("opaque", "object")))


# ---------------------------------------------------------------------------------------------
# What went wrong, in the student's terms: the kind, the exception, and the student's file:line.


def under(filename: str, roots: Sequence[str]) -> bool:
    """Whether ``filename`` lies in one of the folders ``roots`` (real paths)."""
    import os.path

    path = os.path.realpath(filename)
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def failure(exc: BaseException, roots: Sequence[str]) -> dict[str, object]:
    """A JSON-ready account of ``exc`` raised by the student's code.

    Args:
        exc: what the student's code raised (``SystemExit`` and ``KeyboardInterrupt`` included).
        roots: the student's folder(s), real paths: the frame reported is the last one in a file under them.

    Returns:
        ``{"kind", "type", "message", "file", "line", "function"}``; kind is ``syntax``, ``exit``,
        ``interrupt``, ``bind`` or ``raised``; file/line/function are None when no frame is the student's.
    """
    import traceback

    kind = "raised"
    if isinstance(exc, SyntaxError):
        kind = "syntax"
    elif isinstance(exc, SystemExit):
        kind = "exit"
    elif isinstance(exc, KeyboardInterrupt):
        kind = "interrupt"
    elif isinstance(exc, BindError):
        kind = "bind"
    where: dict[str, object] = {"file": None, "line": None, "function": None}
    if isinstance(exc, SyntaxError) and exc.filename:
        where = {"file": exc.filename, "line": exc.lineno, "function": None}
    else:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if under(f.filename, roots)]
        if frames:
            where = {"file": frames[-1].filename, "line": frames[-1].lineno, "function": frames[-1].name}
    if isinstance(exc, SystemExit):
        message = repr(exc.code) if exc.code is not None else ""
    elif isinstance(exc, SyntaxError):
        message = str(exc.msg)
    else:
        message = " ".join(str(exc).split())
    return {"kind": kind, "type": type(exc).__name__, "message": message, **where}


def load_module(path: str) -> Any:
    """Import the student's file as a module (its top-level code runs), named by its stem where that is free.

    Named by its stem, a sibling module that does ``from mynet import sigmoid`` gets this
    very module, as when the author runs it. The folder must already be on ``sys.path``.
    """
    import importlib.util
    import os.path
    import sys
    import zlib

    stem = os.path.splitext(os.path.basename(path))[0]
    name = stem if stem.isidentifier() and stem not in sys.modules else f"student_{zlib.crc32(path.encode())}_{len(sys.modules)}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{path!r} cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and sibling imports inside the file find it
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def functions_in(module: Any, names: Sequence[str]) -> list[Callable[..., Any]] | str:
    """The module's functions ``names``, or a one-line reason (which are missing, which the file defines)."""
    found = [getattr(module, name, None) for name in names]
    missing = [name for name, f in zip(names, found, strict=True) if not callable(f)]
    if not missing:
        return [f for f in found if callable(f)]
    defined = sorted(n for n, v in vars(module).items() if callable(v) and getattr(v, "__module__", None) == module.__name__)
    return f"no function {', '.join(map(repr, missing))} (functions defined there: {', '.join(defined) or 'none'})"
