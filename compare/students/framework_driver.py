"""What the two framework drivers share: they run in the sandbox worker, beside the student's Keras or PyTorch file.

``check --framework`` (compare.students.framework_check) starts the sandbox worker
(compare.students.worker) with a driver, compare.students.framework_torch or
compare.students.framework_keras, which imports the framework before the student's file
loads. The parent then asks the driver, one request at a time and each under the timeout,
to ``describe`` the student's model, loss and optimizer, to ``evaluate`` (forward, the
student's loss, backward) and to ``train`` (the student's ``train_step``, twice) on a case.
The student's model is always driven through its framework's own API; nothing here does
the maths.

This module imports only NumPy and the standard library. Its answers are JSON data:
arrays travel as :func:`pack` writes them, exactly (floats by repr).
"""

from __future__ import annotations

import contextlib
import inspect
import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from compare.students import calling

REQUIRED = ("build_model", "loss_fn")  # docs/students.md, "Checking your PyTorch or Keras code"
OPTIONAL = ("make_optimizer", "train_step")
# the student's own weights count as this case's when they equal them to float32 rounding (6e-8 relative):
# a float32 model holding the lecture's numbers; a random initialisation is nowhere near
SAME_WEIGHTS_RTOL, SAME_WEIGHTS_ATOL = 1e-6, 1e-12


def pack(value: Any) -> Any:
    """``value`` as JSON data: arrays become ``{"ndarray": [...], "dtype", "shape"}``, containers recursively."""
    if isinstance(value, np.ndarray):
        return {"ndarray": value.reshape(-1).tolist(), "dtype": str(value.dtype), "shape": list(value.shape)}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Mapping):
        return {str(k): pack(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [pack(v) for v in value]
    return value


def unpack(data: Any) -> Any:
    """The value :func:`pack` wrote (arrays in their own dtype)."""
    if isinstance(data, dict):
        if set(data) == {"ndarray", "dtype", "shape"}:
            return np.array(data["ndarray"], dtype=data["dtype"]).reshape(data["shape"])
        return {k: unpack(v) for k, v in data.items()}
    if isinstance(data, list):
        return [unpack(v) for v in data]
    return data


def missing_names(module: Any) -> list[str]:
    """The required names (``build_model``, ``loss_fn``) the student's file does not define."""
    return [name for name in REQUIRED if getattr(module, name, None) is None]


def _imported_definition(value: Any) -> bool:
    return inspect.isclass(value) or inspect.isfunction(value) or inspect.isbuiltin(value)


def defined(module: Any) -> list[str]:
    """The top-level names the student's file defines itself (for the message about what is missing): not its imports."""
    return sorted(
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and not inspect.ismodule(value)
        and (getattr(value, "__module__", None) == module.__name__ or not _imported_definition(value))
    )


@contextlib.contextmanager
def recorded_warnings(into: list[str]) -> Iterator[None]:
    """Collect every warning raised inside as ``"Category: message"`` in ``into`` (the framework's own words)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for warning in caught:
        line = f"{warning.category.__name__}: {' '.join(str(warning.message).split())}"
        if line not in into:
            into.append(line)


def failed(stage: str, exc: BaseException, roots: Sequence[str]) -> dict[str, Any]:
    """An exception of the student's code at ``stage`` (``forward``, ``loss``, ``backward``, ``train_step``) as data."""
    return {"stage": stage, "failure": calling.failure(exc, roots)}


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=SAME_WEIGHTS_RTOL, atol=SAME_WEIGHTS_ATOL))


def weight_status(initial: Mapping[str, np.ndarray], params: Mapping[str, np.ndarray], layer: int) -> str:
    """Whether the student's ``build_model`` already put this case's layer-``layer`` weights in, canonical view.

    Returns:
        ``"loaded"`` (equal to W_l, b_l), ``"transposed"`` (W_l^T where W_l is not symmetric: the layout
        mistake), or ``"replaced"`` (anything else: a random initialisation, which the check overwrites).
    """
    W, b = np.asarray(params[f"W{layer}"]), np.asarray(params[f"b{layer}"])
    W_student, b_student = np.asarray(initial[f"W{layer}"], dtype=np.float64), np.asarray(initial[f"b{layer}"], dtype=np.float64)
    if not _close(b_student.reshape(-1), b.reshape(-1)):
        return "replaced"
    if _close(W_student, W):
        return "loaded"
    if _close(W_student, W.T):
        return "transposed"
    return "replaced"
