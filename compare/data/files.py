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


DATA_SUFFIXES = (".npz", ".safetensors", ".csv")


def _csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """The header and the non-empty rows, each row as long as the header."""
    import csv

    with path.open(newline="", encoding="utf-8-sig") as f:
        rows = [row for row in csv.reader(f) if any(cell.strip() for cell in row)]
    if len(rows) < 2:
        raise InputError(f"data file {str(path)!r}: expected a header row naming the columns and at least one row of data")
    header = [name.strip() for name in rows[0]]
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise InputError(f"data file {str(path)!r}: row {number} has {len(row)} values, the header names {len(header)}")
    return header, rows[1:]


def _csv_labels(path: Path, columns: list[list[str]], labels: list[str]) -> tuple[np.ndarray, list[str]]:
    """Numbers as they are (whole numbers as int64 class labels); words as codes 0, 1, ... in sorted order."""
    try:
        y = np.array([[float(v) for v in column] for column in columns]).T
    except ValueError:
        if len(columns) > 1:
            raise InputError(f"data file {str(path)!r}: label columns {', '.join(labels)} must hold numbers") from None
        classes = sorted(set(columns[0]))
        return np.array([classes.index(v) for v in columns[0]], dtype=np.int64), classes
    if y.shape[1] > 1:
        return y, []
    y = y[:, 0]
    return (y.astype(np.int64) if np.all(y == np.round(y)) else y), []


def load_csv(path: str | Path, label: str | None = None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Read ``X`` and ``y`` from a CSV file whose first row names the columns (read with the ``csv`` module).

    Args:
        path: the file.
        label: the label column(s): a name, or names joined by commas (sse/mse with several
            outputs); default: the last column. Every other column is a feature, in file order.

    Returns:
        ``(X, y, classes)``: X ``(m, n_features)`` float64; y ``(m,)`` for one label column (int64 when
        every value is a whole number), else ``(m, n_labels)``; ``classes`` lists the label values in
        the order of their codes when the label column holds words (sorted: ``setosa`` -> 0, ...), else ``[]``.

    Raises:
        InputError: a missing file, no header, an unknown label column, a ragged row, or a
            feature that is not a number (the message names the row and the column).
    """
    path = _existing(path, "data")
    header, rows = _csv_rows(path)
    labels = [name.strip() for name in label.split(",")] if label else [header[-1]]
    unknown = [name for name in labels if name not in header]
    if unknown:
        raise InputError(f"data file {str(path)!r}: no label column {', '.join(unknown)} (columns: {', '.join(header)})")
    features = [i for i, name in enumerate(header) if name not in labels]
    if not features:
        raise InputError(f"data file {str(path)!r}: no feature columns besides the label {', '.join(labels)}")
    X = np.empty((len(rows), len(features)))
    for r, row in enumerate(rows):
        for c, i in enumerate(features):
            try:
                X[r, c] = float(row[i])
            except ValueError:
                raise InputError(
                    f"data file {str(path)!r}: row {r + 2}, column {header[i]!r}: expected a number, got {row[i]!r}"
                ) from None
    y, classes = _csv_labels(path, [[row[header.index(name)].strip() for row in rows] for name in labels], labels)
    return X, y, classes


def load_data_file(path: str | Path, label: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``X`` and ``y`` from an ``.npz`` (:func:`load_data`), a ``.safetensors`` holding tensors ``X`` and ``y``, or a CSV.

    Args:
        path: the file; its suffix says which.
        label: the CSV's label column(s) (see :func:`load_csv`); refused for the other formats.

    Raises:
        InputError: another suffix, a missing file, a missing ``X`` or ``y``, or an unreadable file.
    """
    suffix = Path(path).suffix
    if label and suffix != ".csv":
        raise InputError(f"--label {label!r}: only a .csv data file has named columns, got {str(path)!r}")
    if suffix == ".npz":
        return load_data(path)
    if suffix == ".csv":
        X, y, _ = load_csv(path, label)
        return X, y
    if suffix == ".safetensors":
        from safetensors import SafetensorError
        from safetensors.numpy import load_file

        try:
            arrays = dict(load_file(_existing(path, "data")))
        except (SafetensorError, OSError, ValueError) as exc:
            raise InputError(f"data file {str(path)!r} is not a valid safetensors file ({exc})") from None
        missing = [key for key in ("X", "y") if key not in arrays]
        if missing:
            raise InputError(f"data file {str(path)!r}: missing {' and '.join(missing)} (has {', '.join(arrays) or 'nothing'})")
        return arrays["X"], arrays["y"]
    raise InputError(f"data file {str(path)!r}: expected a {', '.join(DATA_SUFFIXES)} file")
