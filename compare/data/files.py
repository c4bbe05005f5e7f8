"""Weights and data files. Never through pickle.

Weights: canonical ``W1, b1, ..., WL, bL`` (``W_l`` ``(n_l, n_{l-1})``, ``b_l`` ``(n_l,)``)
in ``.safetensors`` or ``.npz``. Data: ``.npz`` holding ``X`` ``(m, n_0)`` and ``y``.

Hostile files are refused before they cost memory (limits in core.limits, docs/limits.md):
an ``.npz``'s member count, declared sizes and compression ratios are read from the zip's
directory, and each member's ``.npy`` header (shape, dtype) before its data is decompressed;
a ``.safetensors`` file's dtypes and shapes are read from its header before any tensor.
Arrays are read with ``allow_pickle=False`` and object dtypes are refused at the header,
so nothing is ever unpickled.
"""

from __future__ import annotations

import lzma
import math
import tempfile
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any, cast

import numpy as np

from core.errors import InputError
from core.limits import check_file, check_ratio, current, flag

WEIGHT_SUFFIXES = (".safetensors", ".npz")


def _existing(path: str | Path, what: str) -> Path:
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{what} file {str(path)!r} is a directory, not a file")
    if not path.is_file():
        raise InputError(f"{what} file {str(path)!r} does not exist")
    return path


NPZ_MAGIC = b"PK\x03\x04"  # a zip archive's first local file header
NPY_MAGIC = np.lib.format.MAGIC_PREFIX
DIRECTORY_BYTES_PER_MEMBER = 1024  # a central-directory entry is 46 bytes + name + extras; NumPy's are under 120
# The dtypes NumPy holds, by their safetensors names (integers and bool load, and are refused later as not floating point)
SAFETENSORS_DTYPES: dict[str, type] = {
    "F64": np.float64,
    "F32": np.float32,
    "F16": np.float16,
    "I64": np.int64,
    "U64": np.uint64,
    "I32": np.int32,
    "U32": np.uint32,
    "I16": np.int16,
    "U16": np.uint16,
    "I8": np.int8,
    "U8": np.uint8,
    "BOOL": np.bool_,
}
READ_ERRORS = (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error, lzma.LZMAError, NotImplementedError, RuntimeError)


def _name(path: Path, what: str) -> str:
    return f"{what} file {str(path)!r}"


def _zip_member_count(path: Path, what: str) -> None:
    """Refuse too many members from the end-of-central-directory record, before zipfile reads the directory.

    The record's entry count may lie; the directory's byte size is what zipfile would read and
    parse, so it is bounded too, at :data:`DIRECTORY_BYTES_PER_MEMBER` per member allowed.
    """
    with open(path, "rb") as f:
        record = zipfile._EndRecData(f)  # type: ignore[attr-defined]  # the stdlib's own EOCD reader (also zip64)
    if record is None:
        raise InputError(f"{_name(path, what)} is not a valid .npz archive (no end of central directory record)")
    check_file(_name(path, what), record[zipfile._ECD_ENTRIES_TOTAL], 0)  # type: ignore[attr-defined]
    directory_bytes = record[zipfile._ECD_SIZE]  # type: ignore[attr-defined]
    allowed = current().members * DIRECTORY_BYTES_PER_MEMBER
    if directory_bytes > allowed:
        raise InputError(
            f"{_name(path, what)}: a zip directory of {directory_bytes:,} bytes, expected at most {allowed:,} "
            f"({DIRECTORY_BYTES_PER_MEMBER} per member; {flag('members')} raises the limit)"
        )


def _npy_header(stream: IO[bytes], where: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    """(shape, fortran_order, dtype) from a .npy header (numpy.lib.format), reading no array data.

    Raises:
        InputError: no .npy magic, a malformed header, another format version, or an object dtype.
    """
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            raise InputError(f"{where}: .npy format version {version[0]}.{version[1]}, expected 1.0 or 2.0")
    except InputError:
        raise
    except ValueError as exc:  # numpy.lib.format's word for a bad magic string or header; zip errors go up
        raise InputError(f"{where}: not a valid .npy array ({_one_line(exc)})") from None
    if dtype.hasobject:
        raise InputError(f"{where} holds an object array, which needs pickle; refused")
    if any(n < 0 for n in shape):
        raise InputError(f"{where}: negative dimension in shape {shape}")
    return shape, fortran_order, dtype


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _read_npz(path: Path, what: str, wanted: Sequence[str] | None = None) -> tuple[dict[str, np.ndarray], list[str]]:
    """The arrays of an ``.npz`` (all, or those in ``wanted``) and the names of all, checked before a byte is decompressed.

    First the zip's directory: the member count, each member's declared size and compression ratio
    (core.limits), for every member, used or not. Then each member read: its .npy header's shape and
    dtype (numpy.lib.format), so that its size is known before it is decompressed; object arrays are
    refused there, so nothing is ever unpickled.
    """
    with open(path, "rb") as f:
        magic = f.read(len(NPZ_MAGIC))
    if magic == NPY_MAGIC[: len(NPZ_MAGIC)]:
        raise InputError(f"{_name(path, what)} is a single .npy array, not an .npz archive")
    if magic != NPZ_MAGIC:
        raise InputError(
            f"{_name(path, what)} is neither an .npz archive nor an .npy array "
            "(NumPy could only unpickle it, which needs pickle; refused)"
        )
    _zip_member_count(path, what)
    try:
        archive = zipfile.ZipFile(path)
    except READ_ERRORS as exc:
        raise InputError(f"{_name(path, what)} is not a valid .npz archive ({_one_line(exc)})") from None
    with archive:
        members = archive.infolist()
        check_file(_name(path, what), len(members), sum(info.file_size for info in members))
        for info in members:
            check_ratio(f"{_name(path, what)}: member {info.filename!r}", info.file_size, info.compress_size)
        arrays: dict[str, np.ndarray] = {}
        for info in members:
            key = info.filename.removesuffix(".npy")
            if wanted is None or key in wanted:
                arrays[key] = _read_member(archive, info, f"{_name(path, what)}: member {info.filename!r}")
    return arrays, [info.filename.removesuffix(".npy") for info in members]


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> np.ndarray:
    """One member: its header checked against its declared size, then its data, never unpickled."""
    try:
        with archive.open(info) as stream:
            shape, _, dtype = _npy_header(stream, where)
            header_bytes = stream.tell()
        nbytes = math.prod(shape) * dtype.itemsize
        if header_bytes + nbytes > info.file_size:
            raise InputError(f"{where}: its header says {shape} {dtype} ({nbytes:,} bytes), the member holds {info.file_size:,}")
        with archive.open(info) as stream:
            return np.lib.format.read_array(stream, allow_pickle=False)
    except InputError:
        raise
    except READ_ERRORS as exc:
        raise InputError(f"{where} cannot be read ({_one_line(exc)})") from None


def _read_safetensors(path: Path, what: str) -> dict[str, np.ndarray]:
    """Every tensor of a ``.safetensors`` file; its header's dtypes and shapes are checked before any tensor is read."""
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(path), framework="numpy") as f:
            names = list(f.keys())
            check_file(_name(path, what), len(names), 0)
            nbytes = 0
            for name in names:
                tensor = f.get_slice(name)
                dtype_name = tensor.get_dtype()
                if dtype_name not in SAFETENSORS_DTYPES:
                    raise InputError(
                        f"{_name(path, what)}: {name} has dtype {dtype_name}, which NumPy cannot hold "
                        f"(bfloat16 and the float8/float6/float4 types); expected F64, F32 or F16"
                    )
                nbytes += math.prod(tensor.get_shape()) * np.dtype(SAFETENSORS_DTYPES[dtype_name]).itemsize
            check_file(_name(path, what), len(names), nbytes)
            return {name: f.get_tensor(name) for name in names}
    except InputError:
        raise
    except (SafetensorError, OSError, ValueError, TypeError) as exc:
        raise InputError(f"{_name(path, what)} is not a valid safetensors file ({_one_line(exc)})") from None


def writable_dir(path: str | Path, flag: str) -> Path:
    """Create the output folder for ``flag`` (e.g. ``"--plot"``) now, and write a file there, before any work is done.

    A folder can exist and still refuse files (permissions, a read-only or virtual file system such as
    /sys, where even root cannot write): a probe file is created and removed, which is the only sure test.

    Raises:
        InputError: if it cannot be created or written (a file is in the way, no permission, ...).
    """
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        in_the_way = next((folder for folder in (path, *path.parents) if folder.exists()), None)
        if in_the_way is not None and not in_the_way.is_dir():
            where = f"{flag} {str(path)!r}" + ("" if in_the_way == path else f": {str(in_the_way)!r}")
            raise InputError(f"{where} is a file, not a folder") from None
        raise InputError(f"{flag} {str(path)!r}: cannot create the directory ({exc.strerror})") from None
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-probe-") as probe:
            probe.write(b"")
    except OSError as exc:
        raise InputError(f"{flag} {str(path)!r}: cannot write files there ({exc.strerror})") from None
    return path


def writable_file(path: str | Path, flag: str) -> Path:
    """Check that the output file for ``flag`` (e.g. ``"--output"``) can be written, before any work is done.

    Creates its folder if needed and checks that a file can be written there; an existing file
    is opened for writing without being changed.

    Raises:
        InputError: if the folder cannot be created or written, the path is a folder, or the file is read-only.
    """
    if not str(path):
        raise InputError(f"{flag}: expected a file path, got an empty one")
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{flag} {str(path)!r} is a directory, expected a file path")
    writable_dir(path.parent, flag)
    if path.exists():
        try:
            with open(path, "r+b"):
                pass
        except OSError as exc:
            raise InputError(f"{flag} {str(path)!r}: cannot write the file ({exc.strerror})") from None
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
        return _read_safetensors(path, "weights")
    if path.suffix == ".npz":
        return _read_npz(path, "weights")[0]
    raise InputError(f"weights file {str(path)!r}: expected a {' or '.join(WEIGHT_SUFFIXES)} file")


def save_weights(path: str | Path, params: Mapping[str, np.ndarray]) -> Path:
    """Write canonical parameters to ``.safetensors`` or ``.npz`` (chosen by suffix).

    Raises:
        InputError: for another suffix, or when the file cannot be written.
    """
    from safetensors import SafetensorError

    path = Path(path)
    arrays = {name: np.ascontiguousarray(value) for name, value in params.items()}
    if path.suffix not in WEIGHT_SUFFIXES:
        raise InputError(f"weights file {str(path)!r}: expected a {' or '.join(WEIGHT_SUFFIXES)} file")
    try:
        if path.suffix == ".safetensors":
            from safetensors.numpy import save_file

            save_file(arrays, path)
        else:
            np.savez(path, **cast(dict[str, Any], arrays))  # NumPy's stub types **kwds like allow_pickle
    except (SafetensorError, OSError) as exc:
        raise InputError(f"weights file {str(path)!r}: cannot be written ({_one_line(exc)})") from None
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
    arrays, names = _read_npz(path, "data", wanted=("X", "y"))
    missing = [key for key in ("X", "y") if key not in arrays]
    if missing:
        raise InputError(f"data file {str(path)!r}: missing {' and '.join(missing)} (has {', '.join(names) or 'nothing'})")
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
