"""Hostile files are refused from their directory and headers, before a byte of their data is decompressed.

``load_data`` / ``load_weights`` read an ``.npz``'s member count, declared sizes and compression
ratios from the zip's directory, and each member's ``.npy`` header (numpy.lib.format) before its
data; a ``.safetensors`` file's dtypes and shapes from its header (safetensors.safe_open) before
any tensor. tracemalloc (which NumPy and zlib report to) shows the peak memory of each refusal.
"""

from __future__ import annotations

import dataclasses
import io
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
from fuzzing import UNWRITABLE, npy_claiming, npz_bytes, raw_safetensors, zeros_bomb, zip_of
from safetensors.numpy import save_file

from compare.data.files import load_data, load_weights, save_weights, writable_dir, writable_file
from core import limits
from core.errors import InputError
from core.limits import using

MIB = 2**20
GOOD = {"X": np.arange(10.0).reshape(5, 2), "y": np.array([0, 1, 1, 0, 1])}


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def write(tmp_path: Path, content: bytes, name: str = "data.npz") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def refused_peak(call, words: str) -> int:
    """The call raises InputError with ``words``; returns its peak traced allocation."""
    tracemalloc.start()
    try:
        with pytest.raises(InputError) as raised:
            call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert words in str(raised.value) and "\n" not in str(raised.value)
    return peak


def test_a_zip_bomb_in_an_unused_key_is_refused_without_decompressing(tmp_path):
    """64 MiB of zeros deflated to about 64 KiB, beside valid X and y: refused for its ratio, under 1 MiB of memory."""
    path = write(tmp_path, zeros_bomb(64 * MIB, "unused.npy", (("X.npy", npy(GOOD["X"])), ("y.npy", npy(GOOD["y"])))))
    assert path.stat().st_size < MIB
    assert refused_peak(lambda: load_data(path), "member 'unused.npy': 67,108,992 bytes compressed into") < MIB


def test_a_member_over_the_file_limit_is_refused_before_decompressing(tmp_path):
    """A real 2 MiB array, stored: refused by its declared size when the limit is 1 MiB, without reading it."""
    path = write(tmp_path, npz_bytes({"X": np.zeros((2 * MIB // 16, 2)), "y": GOOD["y"]}))
    with using(dataclasses.replace(limits.DEFAULT, file_bytes=MIB)):
        assert (
            refused_peak(lambda: load_data(path), "bytes uncompressed, expected at most 1,048,576 (--max-file-bytes") < MIB // 4
        )
    assert load_data(path)[0].shape == (2 * MIB // 16, 2)


def test_a_header_that_claims_a_trillion_rows_is_refused_before_allocating(tmp_path):
    path = write(tmp_path, zip_of({"X.npy": npy_claiming((10**12, 2), "<f8", bytes(80)), "y.npy": npy(GOOD["y"])}))
    assert refused_peak(lambda: load_data(path), "its header says (1000000000000, 2) float64 (16,000,000,000,000 bytes)") < MIB


def test_too_many_members_are_refused_before_zipfile_reads_its_directory(tmp_path):
    """5,000 empty members (a small directory, under 1 KiB each): the end record's count refuses them unparsed."""
    path = write(tmp_path, zip_of({f"{i}.npy": b"" for i in range(5000)}))
    assert refused_peak(lambda: load_data(path), "5,000 arrays, expected at most 1,000 (--max-members") < 2**18


def test_a_zip_directory_larger_than_its_members_allow_is_refused(tmp_path):
    """One member with a 4,000-byte comment: its directory entry exceeds the 1,024 bytes a member may take."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("X.npy")
        info.comment = b"c" * 4000
        archive.writestr(info, npy(GOOD["X"]))
    with using(dataclasses.replace(limits.DEFAULT, members=2)):
        refused_peak(lambda: load_data(write(tmp_path, buffer.getvalue())), "a zip directory of 4,")


def test_small_members_are_not_refused_for_their_ratio(tmp_path):
    """Below 1 MiB a member may compress as well as it likes: 512 KiB of zero labels."""
    labels = np.zeros(64 * 1024, dtype=np.int64)
    X = np.random.RandomState(0).normal(size=(labels.size, 2))  # 1 MiB that does not compress
    path = write(tmp_path, npz_bytes({"X": X, "y": labels}, compressed=True))
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("y.npy")
        assert info.file_size / info.compress_size > limits.DEFAULT.compression_ratio
    X, y = load_data(path)
    assert X.shape == (labels.size, 2) and y.shape == labels.shape


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_every_zip_compression_is_read(tmp_path, compression):
    path = write(tmp_path, zip_of({"X.npy": npy(GOOD["X"]), "y.npy": npy(GOOD["y"])}, compression))
    X, y = load_data(path)
    assert np.array_equal(X, GOOD["X"]) and np.array_equal(y, GOOD["y"])


@pytest.mark.parametrize(
    "content, words",
    [
        (
            zip_of({"X.npy": npy_claiming((5, 2), "|O", bytes(80)), "y.npy": npy(GOOD["y"])}),
            "holds an object array, which needs pickle",
        ),
        (zip_of({"X.npy": b"not an array", "y.npy": npy(GOOD["y"])}), "member 'X.npy': not a valid .npy array"),
        (zip_of({"X.npy": npy_claiming((5, -2), "<f8", bytes(80)), "y.npy": npy(GOOD["y"])}), "negative dimension"),
        (
            zip_of({"X.npy": npy_claiming((5, 2), "<f8", bytes(8)), "y.npy": npy(GOOD["y"])}),
            "its header says (5, 2) float64 (80 bytes)",
        ),
        (zip_of({f"m{i}.npy": b"" for i in range(1001)}), "1,001 arrays, expected at most 1,000 (--max-members"),
        (npz_bytes(GOOD)[:-30], "not a valid .npz archive"),
    ],
    ids=["object-dtype", "not-npy", "negative-shape", "truncated-member", "too-many-members", "truncated-zip"],
)
def test_malformed_archives_are_one_line_input_errors(tmp_path, content, words):
    path = write(tmp_path, content)
    refused_peak(lambda: load_data(path), words)


def test_a_corrupted_member_fails_its_crc(tmp_path):
    content = bytearray(zip_of({"X.npy": npy(GOOD["X"]), "y.npy": npy(GOOD["y"])}))
    at = bytes(content).index(npy(GOOD["X"])) + 200  # inside X's data
    content[at] ^= 0xFF
    refused_peak(lambda: load_data(write(tmp_path, bytes(content))), "member 'X.npy' cannot be read (Bad CRC-32")


@pytest.mark.parametrize("dtype", ["BF16", "F8_E4M3", "F8_E5M2"])
def test_safetensors_dtypes_numpy_cannot_hold_are_refused(tmp_path, dtype):
    path = write(tmp_path, raw_safetensors([("W1", "F64", (3, 2)), ("b1", dtype, (3,))], consistent=True), "w.safetensors")
    refused_peak(lambda: load_weights(path), f"b1 has dtype {dtype}, which NumPy cannot hold")


def test_safetensors_over_the_file_limit_are_refused_before_any_tensor_is_read(tmp_path):
    path = tmp_path / "w.safetensors"
    save_file({"W1": np.zeros((MIB // 8, 2)), "b1": np.zeros(3)}, path)
    with using(dataclasses.replace(limits.DEFAULT, file_bytes=MIB)):
        assert refused_peak(lambda: load_weights(path), "bytes uncompressed, expected at most 1,048,576") < MIB // 4
    assert load_weights(path)["W1"].shape == (MIB // 8, 2)


def test_float16_safetensors_load():
    """F16 is a float NumPy holds: it loads, and check_params casts it (not refused with bfloat16)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "w.safetensors"
        save_file({"W1": np.full((3, 2), 0.5, dtype=np.float16)}, path)
        assert load_weights(path)["W1"].dtype == np.float16


def _unwritable() -> Path:
    probe = UNWRITABLE / "probe"
    try:
        probe.write_bytes(b"")
    except OSError:
        return UNWRITABLE
    probe.unlink()
    pytest.skip(f"{UNWRITABLE} is writable here")


def test_an_existing_folder_that_refuses_files_is_refused_before_any_work():
    folder = _unwritable()
    with pytest.raises(InputError, match=r"--save-weights '/sys': cannot write files there \(Permission denied\)"):
        writable_dir(folder, "--save-weights")
    with pytest.raises(InputError, match="--plot"):
        writable_file(folder / "x.png", "--plot")
    with pytest.raises(InputError, match="cannot be written"):
        save_weights(folder / "w.safetensors", GOOD)


def test_the_write_probe_leaves_nothing_behind(tmp_path):
    writable_dir(tmp_path / "out", "--plot")
    writable_file(tmp_path / "out" / "x.png", "--plot")
    assert list((tmp_path / "out").iterdir()) == []


def test_a_read_only_file_is_refused_but_left_alone(tmp_path):
    path = tmp_path / "page.md"
    path.write_text("mine")
    path.chmod(0o444)
    try:
        with open(path, "r+b"):
            pytest.skip("root opens read-only files for writing")
    except OSError:
        pass
    with pytest.raises(InputError, match="cannot write the file"):
        writable_file(path, "--output")
    assert path.read_text() == "mine"
