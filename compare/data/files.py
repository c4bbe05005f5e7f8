"""Weights and data files. Never through pickle.

Weights: canonical ``W1, b1, ..., WL, bL`` (``W_l`` ``(n_l, n_{l-1})``, ``b_l`` ``(n_l,)``)
in ``.safetensors`` or ``.npz``. Data: ``.npz`` holding ``X`` ``(m, n_0)`` and ``y``.
``.npz`` files are read with ``allow_pickle=False``, so an object array (which
would need pickle) is refused, never loaded.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import numpy as np

from core.errors import InputError

WEIGHT_SUFFIXES = (".safetensors", ".npz")


def _existing(path: str | Path, what: str) -> Path:
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{what} file {str(path)!r} is a directory, not a file")
    if not path.is_file():
        raise InputError(f"{what} file {str(path)!r} does not exist")
    return path


def _refuse(path: Path, what: str, exc: Exception) -> InputError:
    """The one-line error for a file NumPy cannot read without pickle, or cannot read at all."""
    text = str(exc)
    if "Object arrays" in text:
        return InputError(f"{what} file {str(path)!r} holds an object array, which needs pickle; refused")
    if "pickled" in text or "allow_pickle" in text:
        # NumPy takes any file that is neither .npz (zip) nor .npy for a pickle
        return InputError(
            f"{what} file {str(path)!r} is neither an .npz archive nor an .npy array "
            "(NumPy could only unpickle it, which needs pickle; refused)"
        )
    return InputError(f"{what} file {str(path)!r} is not a valid .npz archive ({text})")


def _read_npz(path: Path, what: str) -> dict[str, np.ndarray]:
    """Every array of an ``.npz``, read with ``allow_pickle=False``: nothing is ever unpickled."""
    try:
        loaded = np.load(path, allow_pickle=False)
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise _refuse(path, what, exc) from None
    if not hasattr(loaded, "files"):
        raise InputError(f"{what} file {str(path)!r} is a single .npy array, not an .npz archive")
    with loaded as f:
        try:
            return {key: f[key] for key in f.files}
        except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
            raise _refuse(path, what, exc) from None


def writable_dir(path: str | Path, flag: str) -> Path:
    """Create the output folder for ``flag`` (e.g. ``"--plot"``) now, before any work is done.

    Raises:
        InputError: if it cannot be created (a file is in the way, no permission, ...).
    """
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{flag} {str(path)!r}: cannot create the directory ({exc.strerror})") from None
    return path


def writable_file(path: str | Path, flag: str) -> Path:
    """Check that the output file for ``flag`` (e.g. ``"--output"``) can be written, before any work is done.

    Creates its folder if needed; leaves the file itself untouched.

    Raises:
        InputError: if the folder cannot be created or the path is a folder.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{flag} {str(path)!r} is a directory, expected a file path")
    writable_dir(path.parent, flag)
    return path


def load_weights(path: str | Path) -> dict[str, np.ndarray]:
    """Read canonical parameters from ``.safetensors`` or ``.npz``.

    The keys and shapes are checked against a spec later, by
    :func:`core.validate.check_params`.

    Raises:
        InputError: a missing file, another suffix, or an unreadable / pickled file.
    """
    path = _existing(path, "weights")
    if path.suffix == ".safetensors":
        from safetensors import SafetensorError
        from safetensors.numpy import load_file

        try:
            return dict(load_file(path))
        except (SafetensorError, OSError, ValueError) as exc:
            raise InputError(f"weights file {str(path)!r} is not a valid safetensors file ({exc})") from None
    if path.suffix == ".npz":
        return _read_npz(path, "weights")
    raise InputError(f"weights file {str(path)!r}: expected a {' or '.join(WEIGHT_SUFFIXES)} file")


def save_weights(path: str | Path, params: Mapping[str, np.ndarray]) -> Path:
    """Write canonical parameters to ``.safetensors`` or ``.npz`` (chosen by suffix).

    Raises:
        InputError: for another suffix.
    """
    path = Path(path)
    arrays = {name: np.ascontiguousarray(value) for name, value in params.items()}
    if path.suffix == ".safetensors":
        from safetensors.numpy import save_file

        save_file(arrays, path)
    elif path.suffix == ".npz":
        np.savez(path, **cast(dict[str, Any], arrays))  # NumPy's stub types **kwds like allow_pickle
    else:
        raise InputError(f"weights file {str(path)!r}: expected a {' or '.join(WEIGHT_SUFFIXES)} file")
    return path


def load_data(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Read ``X`` and ``y`` from an ``.npz`` file.

    Shapes and values are checked against a spec later, by
    :func:`core.validate.check_inputs` and :func:`core.validate.check_targets`.

    Raises:
        InputError: a missing file, not ``.npz``, a missing ``X`` or ``y``, or a pickled array.
    """
    path = _existing(path, "data")
    if path.suffix != ".npz":
        raise InputError(f"data file {str(path)!r}: expected an .npz file with arrays X and y")
    arrays = _read_npz(path, "data")
    missing = [key for key in ("X", "y") if key not in arrays]
    if missing:
        raise InputError(f"data file {str(path)!r}: missing {' and '.join(missing)} (has {', '.join(arrays) or 'nothing'})")
    return arrays["X"], arrays["y"]


def save_data(path: str | Path, X: np.ndarray, y: np.ndarray) -> Path:
    """Write ``X`` and ``y`` to an ``.npz`` file."""
    path = Path(path)
    np.savez(path, X=X, y=y)
    return path
