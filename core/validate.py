"""Checks and casts shared by the three implementations and the harness.

Every check raises :class:`core.errors.InputError` with a one-line message
that names the parameter, the expected value or shape and the received one.
Nothing here does maths; it only makes sure the maths gets what it expects.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from core.errors import InputError
from core.limits import check_net
from core.spec import Spec

DTYPES = {"float32": np.float32, "float64": np.float64}
MAX_SEED = 2**32 - 1  # NumPy's RandomState takes seeds in [0, 2**32 - 1]


def check_seed(seed: object) -> int:
    """``seed`` itself when it is an integer NumPy's ``RandomState`` takes, ``[0, 2**32 - 1]``.

    Raises:
        InputError: a non-integer, or an integer outside that range.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise InputError(f"seed: expected an integer in [0, {MAX_SEED}], got {seed!r}")
    if not 0 <= seed <= MAX_SEED:
        raise InputError(f"seed: expected an integer in [0, {MAX_SEED}], got {seed}")
    return int(seed)


def is_number(dtype: np.dtype, allow_bool: bool = False) -> bool:
    """Integer or floating point (and bool when ``allow_bool``); never complex, timedelta, datetime, text or records.

    ``np.timedelta64`` is a subclass of ``np.signedinteger``, so ``np.issubdtype`` would take it for a number.
    """
    if allow_bool and dtype.kind == "b":
        return True
    return dtype.kind in "iuf"


def _cast_finite(name: str, value: np.ndarray, dt: np.dtype) -> np.ndarray:
    """``value`` as a C-contiguous ``dt`` array, refused when it holds NaN or inf, before or after the cast."""
    if not np.all(np.isfinite(value)):
        raise InputError(f"{name}: contains NaN or inf")
    with np.errstate(over="ignore"):  # overflow is reported below, as one line, not as a RuntimeWarning
        out = np.ascontiguousarray(value, dtype=dt)
    if not np.all(np.isfinite(out)):
        largest = float(np.max(np.abs(value.astype(np.longdouble))))
        raise InputError(f"{name}: values up to {largest:g} overflow {dt.name} (largest finite {float(np.finfo(dt).max):g})")
    return out


def as_dtype(dtype: str | np.dtype | type) -> np.dtype:
    """``"float32"`` / ``"float64"`` (or the NumPy types) as a NumPy dtype.

    Raises:
        InputError: for any other dtype.
    """
    name = np.dtype(dtype).name if not isinstance(dtype, str) else dtype
    if name not in DTYPES:
        raise InputError(f"dtype must be float32 or float64, got {name}")
    return np.dtype(DTYPES[name])


def _check_array(name: str, value: object) -> np.ndarray:
    if not isinstance(value, np.ndarray):
        try:
            value = np.asarray(value)
        except Exception:  # noqa: BLE001 - any failure here is bad input
            raise InputError(f"{name}: cannot be read as a numeric array") from None
    if value.dtype == object:
        raise InputError(f"{name}: object arrays are refused (they can hold pickled code)")
    return value


def check_params(spec: Spec, params: Mapping[str, object], dtype: str | np.dtype = "float64") -> dict[str, np.ndarray]:
    """Check canonical parameters against ``spec`` and cast them to ``dtype``.

    Expects exactly ``W1, b1, ..., WL, bL`` with ``W_l`` of shape ``(n_l, n_{l-1})``
    and ``b_l`` of shape ``(n_l,)``, real floating point and finite; a layer with batch
    norm has ``gamma_l``, ``beta_l``, ``running_mean_l`` and ``running_var_l`` (each ``(n_l,)``,
    the variances >= 0) instead of ``b_l`` (:meth:`core.spec.Spec.canonical_shapes`).

    Returns:
        A new dict of C-contiguous arrays of ``dtype``, in the order W1, b1, W2, ...

    Raises:
        InputError: missing or extra keys, a wrong shape, a non-float dtype, NaN/inf, or a negative running variance.
    """
    dt = as_dtype(dtype)
    check_net(spec)
    expected = spec.canonical_shapes()
    missing = [k for k in expected if k not in params]
    extra = [k for k in params if k not in expected]
    if missing:
        raise InputError(f"weights for spec {spec}: missing {', '.join(missing)}")
    if extra:
        why = [f"layer {k[1:]} has batch norm, whose beta{k[1:]} is the shift" for k in extra if f"beta{str(k)[1:]}" in expected]
        raise InputError(
            f"weights for spec {spec}: unexpected {', '.join(map(str, extra))} (expected {', '.join(expected)})"
            + (f"; {'; '.join(why)}" if why else "")
        )
    out: dict[str, np.ndarray] = {}
    for name, shape in expected.items():
        value = _check_array(name, params[name])
        if value.shape != shape:
            raise InputError(f"{name}: expected shape {shape}, got {value.shape} for spec {spec}")
        if value.dtype.kind != "f":
            raise InputError(f"{name}: expected a floating-point array, got dtype {value.dtype}")
        if name.startswith("running_var") and np.any(value < 0):
            raise InputError(f"{name}: a variance must be >= 0, got a minimum of {value.min():g}")
        out[name] = _cast_finite(name, value, dt)
    return out


def check_batch_for_mode(spec: Spec, m: int, mode: str, what: str = "X") -> None:
    """Batch norm in training mode needs at least 2 rows: the batch variance of one row is 0.

    torch refuses such a batch (``Expected more than 1 value per channel when training``,
    torch/nn/functional.py:2853-2856); Keras silently outputs beta (known difference); so do we refuse it.

    Raises:
        InputError: a spec with batch norm, training mode and m < 2.
    """
    if mode == "train" and any(spec.batch_norm) and m < 2:
        raise InputError(
            f"{what}: batch norm in training mode needs at least 2 rows per batch (one row's batch variance is 0), got {m}"
        )


def check_inputs(spec: Spec, X: object, dtype: str | np.dtype = "float64") -> np.ndarray:
    """Check the batch ``X`` of shape ``(m, n_0)`` and cast it to ``dtype``.

    Raises:
        InputError: not 2-D, no samples, wrong feature count, non-numeric, NaN/inf.
    """
    dt = as_dtype(dtype)
    X = _check_array("X", X)
    if X.ndim != 2:
        raise InputError(f"X: expected shape (m, {spec.sizes[0]}), got {X.shape}")
    if X.shape[0] == 0:
        raise InputError("X: empty data (0 samples)")
    if X.shape[1] != spec.sizes[0]:
        raise InputError(f"X: expected {spec.sizes[0]} features for spec {spec}, got shape {X.shape}")
    if not is_number(X.dtype):
        raise InputError(f"X: expected numbers (integer or floating point), got dtype {X.dtype}")
    check_net(spec, X.shape[0])  # before the cast and before any pass allocates m x n_l
    return _cast_finite("X", X, dt)


def check_targets(spec: Spec, y: object, m: int, dtype: str | np.dtype = "float64") -> np.ndarray:
    """Check targets for ``spec.loss`` and bring them to the shape the losses use.

    - ``cce``: integer labels ``(m,)`` in ``[0, n_L)`` -> int64 ``(m,)``.
    - ``bce``: 0/1 values ``(m,)`` or ``(m, 1)`` -> ``dtype`` ``(m, 1)``.
    - ``sse`` / ``mse``: targets ``(m, n_L)`` (or ``(m,)`` when n_L = 1) -> ``dtype`` ``(m, n_L)``.

    Raises:
        InputError: wrong length or shape, non-integer or out-of-range labels,
            bce targets other than 0/1, NaN/inf.
    """
    dt = as_dtype(dtype)
    y = _check_array("y", y)
    if y.ndim == 0 or y.shape[0] != m:
        raise InputError(f"y: expected {m} targets (one per row of X), got shape {y.shape}")
    if not is_number(y.dtype, allow_bool=True):
        raise InputError(f"y: expected numbers (integer, floating point or bool), got dtype {y.dtype}")
    if not np.all(np.isfinite(y)):
        raise InputError("y: contains NaN or inf")
    if spec.loss == "cce":
        return _class_labels(y, m, spec.sizes[-1])
    if spec.loss == "bce":
        return _binary_targets(y, m, dt)
    return _real_targets(spec.loss, y, m, spec.sizes[-1], dt)


def _class_labels(y: np.ndarray, m: int, n_out: int) -> np.ndarray:
    """cce: integer labels ``(m,)`` in ``[0, n_out)`` -> int64."""
    if y.ndim != 1:
        raise InputError(f"y: cce expects integer class labels of shape ({m},), got {y.shape}")
    if not np.issubdtype(y.dtype, np.integer) and not np.all(y == np.round(y)):
        raise InputError(f"y: cce expects integer class labels, got non-integer values of dtype {y.dtype}")
    low, high = y.min().item(), y.max().item()  # checked before the cast, which would wrap huge values
    if low < 0 or high >= n_out:
        raise InputError(f"y: class labels must lie in [0, {n_out - 1}] for {n_out} outputs, got range [{low:g}, {high:g}]")
    return y.astype(np.int64)


def _binary_targets(y: np.ndarray, m: int, dt: np.dtype) -> np.ndarray:
    """bce: 0/1 values ``(m,)`` or ``(m, 1)`` -> ``(m, 1)``."""
    if y.shape not in ((m,), (m, 1)):
        raise InputError(f"y: bce expects 0/1 values of shape ({m},) or ({m}, 1), got {y.shape}")
    if not np.all((y == 0) | (y == 1)):
        raise InputError("y: bce expects targets that are 0 or 1")
    return np.ascontiguousarray(y.reshape(m, 1), dtype=dt)


def _real_targets(loss: str, y: np.ndarray, m: int, n_out: int, dt: np.dtype) -> np.ndarray:
    """sse / mse: ``(m, n_out)`` (or ``(m,)`` when n_out = 1) -> ``(m, n_out)``."""
    if y.ndim == 1 and n_out == 1:
        y = y.reshape(m, 1)
    if y.shape != (m, n_out):
        raise InputError(f"y: {loss} expects targets of shape ({m}, {n_out}), got {y.shape}")
    return _cast_finite("y", y, dt)


def prepare(
    spec: Spec, params: Mapping[str, object], X: object, y: object, dtype: str | np.dtype
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Run all three checks; return ``(params, X, y)`` cast for ``dtype``.

    Raises:
        InputError: bad shapes, keys, dtypes or values (see each check).
    """
    X = check_inputs(spec, X, dtype)
    return check_params(spec, params, dtype), X, check_targets(spec, y, X.shape[0], dtype)
