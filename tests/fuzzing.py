"""Hostile input for every subcommand, as hypothesis strategies: argument vectors and file contents.

Shared by tests/test_fuzz.py (in process; the ``ci`` profile in the suite, ``large`` by hand)
and scripts/fuzz_campaign.py (real subprocesses, each timed and its peak memory measured).

An invocation is a list of tokens: strings, :class:`FileArg` (an input file whose bytes the
strategy made) and :class:`OutArg` (an output path). :func:`materialise` writes the files into a
folder and returns the argv. :func:`check_outcome` is the promise every run must keep: stderr
holds only lines that start with ``prog:`` (the progress lines of compare.progress); exit 2 with
exactly one ``prog: error: ...`` line, the last, and nothing on stdout, or exit 0 / 1 with no
error line and, with ``--format json``, valid RFC 8259 JSON on stdout whose ``"passed"`` is
never true beside a non-finite number.

Valid values in the pools are small on purpose (a few steps, tiny bench blocks), so that an
input the fuzzer gets right runs in well under a second; the big values all lie above a limit.
``FRAMEWORKS`` holds only scratch for the in-process test; the campaign adds torch and keras.
"""

from __future__ import annotations

import functools
import io
import json
import math
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from hypothesis import strategies as st
from safetensors.numpy import save_file

from compare import registry
from compare.data.cases import CASES
from core.activations import ACTIVATIONS
from core.losses import LOSSES
from core.optimizers import OPTIMIZERS

ROOT = Path(__file__).resolve().parents[1]
STUDENTS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "examples" / "students").glob("*.py"))
UNWRITABLE = Path("/sys")  # a folder even root cannot create files in (sysfs)


@dataclass(frozen=True)
class FileArg:
    """An input path: ``kind`` is ``"file"`` (``content`` written there), ``"missing"`` or ``"dir"``."""

    suffix: str
    kind: str
    content: bytes = b""
    what: str = ""

    def __repr__(self) -> str:  # hypothesis prints failing examples; bytes would flood it
        return f"FileArg({self.suffix!r}, {self.kind!r}, {len(self.content)} bytes, {self.what!r})"


@dataclass(frozen=True)
class OutArg:
    """An output path: ``"new"`` (a fresh path), ``"file"`` (an existing file), ``"dir"``, ``"unwritable"``
    (a path in a folder that refuses files), ``"unwritable-dir"`` (that folder itself)."""

    suffix: str
    kind: str


Token = str | FileArg | OutArg


OUTPUTS = {
    "file": lambda folder, i, suffix: _occupied(folder / f"arg{i}{suffix}"),
    "dir": lambda folder, i, suffix: _folder(folder / f"arg{i}{suffix}"),
    "unwritable": lambda folder, i, suffix: UNWRITABLE / f"fuzz{suffix}",
    "unwritable-dir": lambda folder, i, suffix: UNWRITABLE,
    "new": lambda folder, i, suffix: folder / f"new{i}" / f"out{suffix}",
}


def _occupied(path: Path) -> Path:
    path.write_bytes(b"occupied")
    return path


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


def _input(token: FileArg, path: Path) -> Path:
    if token.kind == "file":
        path.write_bytes(token.content)
    elif token.kind == "dir":
        path.mkdir()
    return path  # "missing": the path is never made


def materialise(tokens: list[Token], folder: Path) -> list[str]:
    """Write each token's file into ``folder``; the argv of plain strings."""
    argv = []
    for i, token in enumerate(tokens):
        if isinstance(token, str):
            argv.append(token)
        elif isinstance(token, FileArg):
            argv.append(str(_input(token, folder / f"arg{i}{token.suffix}")))
        else:
            argv.append(str(OUTPUTS[token.kind](folder, i, token.suffix)))
    return argv


def one_line_argv(argv: list[str]) -> str:
    """The argv as one shell line (quoted, control characters escaped), for reports."""
    import shlex

    from compare.options import one_line

    return one_line(" ".join(shlex.quote(a) for a in argv))


def reject_constant(text: str) -> float:
    """``json.loads(parse_constant=...)``: NaN, Infinity and -Infinity are not JSON (RFC 8259)."""
    raise AssertionError(f"stdout is not RFC 8259 JSON: it holds {text}")


def _holds_passed_true(value: object) -> bool:
    if isinstance(value, dict):
        return value.get("passed") is True or any(_holds_passed_true(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_passed_true(v) for v in value)
    return False


def check_outcome(argv: list[str], code: object, out: str, err: str) -> None:
    """The CLI's promise for any input (see the module docstring); AssertionError says which part broke."""
    named = bool(argv) and argv[0] in ("parity", "train", "check", "explain", "bench")
    prog = "python -m compare" + (f" {argv[0]}" if named else "")
    assert "Traceback" not in err, err
    assert code in (0, 1, 2), (code, err)
    lines = err.splitlines()
    # stderr holds progress lines (compare.progress: "prog: ...") and, on exit 2, one error line, the last
    assert all(line.startswith((f"{prog}: ", "wrote ")) for line in lines), err  # and the files it wrote
    errors = [line for line in lines if line.startswith(f"{prog}: error: ")]
    if code == 2:
        assert len(errors) == 1 and lines[-1] == errors[0], err
        assert out == "", out[:500]
        return
    if any(a in ("-h", "--help") for a in argv):
        return
    assert errors == [], err
    if _json_format(argv):
        report = json.loads(out, parse_constant=reject_constant)
        if "non_finite" in report:
            assert report["non_finite"]["count"] >= 1 and report["non_finite"]["why"]
            assert not _holds_passed_true(report), "a report with non-finite numbers says passed: true"
        if "passed" in report:
            assert report["passed"] is (code == 0), (code, report["passed"])


def _json_format(argv: list[str]) -> bool:
    """The last ``--format`` given is json (argparse keeps the last one)."""
    formats = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--format"]
    formats += [a.split("=", 1)[1] for a in argv if a.startswith("--format=")]
    return bool(formats) and formats[-1] == "json"


# --- values ------------------------------------------------------------------------------------

INTS = ["-1", "0", "1", "2", "3", "4294967295", "4294967296", "100000000000000000000", "1e3", "1.5", "abc", "", "-0", "٣"]
FLOATS = ["0", "-1", "0.001", "0.5", "1e308", "1e309", "nan", "inf", "-inf", "abc", "", "1e-320", "-0.0"]
LOWER_LIMITS = ["0", "-1", "1", "2", "abc", "1e3", ""]  # --max-* only ever lowered: raising one is a deliberate act
JUNK = ["", " ", "--", "-", "a\nb", "\x00", "--no-such-flag", "-x", "é", "%s", "{}", "../..", "x" * 300]


def ints() -> st.SearchStrategy[str]:
    """Integer-ish text: valid small numbers, boundaries, huge values and junk."""
    return st.sampled_from(INTS) | st.integers(-(2**70), 2**70).map(str)


def floats() -> st.SearchStrategy[str]:
    """Float-ish text, with NaN, infinities, overflow and subnormals."""
    return st.sampled_from(FLOATS) | st.floats(allow_nan=True, allow_infinity=True).map(repr)


def specs() -> st.SearchStrategy[str]:
    """SPEC text, mostly malformed: odd sizes, unknown names, broken structure."""
    size = st.sampled_from(["0", "1", "2", "3", "4", "-1", "1000000", "100000000000000000000", "x", ""])
    activation = st.sampled_from([*ACTIVATIONS, "swish", "", "RELU"])
    loss = st.sampled_from([*LOSSES, "hinge", ""])
    sizes = st.lists(size, min_size=1, max_size=5).map("-".join)
    activations = st.lists(activation, min_size=1, max_size=4).map(",".join)
    sane = st.builds(lambda s, a, lo: f"{s}:{a}:{lo}", sizes, activations, loss)
    deep = st.integers(50, 300).map(lambda n: "-".join(["2"] * n) + ":" + ",".join(["tanh"] * (n - 2)) + ",linear:mse")
    return sane | deep | st.sampled_from(["2-4-3:relu,softmax", "2-4-3:relu,softmax:cce:x", "::", ":", "2-4-3::cce"])


def arch() -> st.SearchStrategy[str]:
    """``--arch``: a built-in case, a SPEC, or junk."""
    return st.sampled_from(list(CASES)) | specs() | st.sampled_from(["no-such-case", "WORKED-2-2-2", *JUNK])


# --- file contents -----------------------------------------------------------------------------

DTYPES = [
    "float64",
    "float32",
    "float16",
    "longdouble",
    "int64",
    "int8",
    "uint64",
    "bool",
    "complex128",
    "timedelta64[s]",
    "datetime64[D]",
    "<U3",
    "|S2",
    "[('a', '<f8')]",
]
SPECIAL = [0.0, 1.0, -1.0, 0.5, 2.0, 3.0, 1e308, -1e308, 1e-320, math.nan, math.inf, -math.inf]


def _dtype(name: str) -> np.dtype:
    return np.dtype(eval(name)) if name.startswith("[") else np.dtype(name)  # noqa: S307 - our own literal list


def _array(dtype_name: str, shape: tuple[int, ...], fill: float) -> np.ndarray:
    dtype = _dtype(dtype_name)
    with np.errstate(all="ignore"):
        if dtype.kind in "fc":
            return np.full(shape, fill, dtype=dtype)
        if dtype.kind in "iub":
            value = 0 if not math.isfinite(fill) else int(max(min(fill, 2**31), -(2**31)))
            return np.full(shape, value).astype(dtype)
        if dtype.kind in "mM":
            return np.zeros(shape, dtype="int64").astype(dtype)
        return np.zeros(shape, dtype=dtype)


def arrays() -> st.SearchStrategy[np.ndarray]:
    """Small arrays of hostile dtypes, shapes and values."""
    shape = st.sampled_from([(), (0,), (5,), (5, 2), (2, 5), (5, 1), (5, 3), (0, 2), (3, 2), (3,), (2,), (1, 3), (5, 2, 1)])
    return st.builds(_array, st.sampled_from(DTYPES), shape, st.sampled_from(SPECIAL))


def npz_bytes(members: dict[str, np.ndarray], compressed: bool = False) -> bytes:
    """An ``.npz`` of ``members`` made by NumPy itself."""
    buffer = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buffer, **members)
    return buffer.getvalue()


def npy_claiming(shape: tuple[int, ...], descr: str, data: bytes) -> bytes:
    """A ``.npy`` whose header claims ``shape`` and ``descr`` whatever ``data`` holds."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue() + data


def zip_of(members: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> bytes:
    """A zip of raw member bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@functools.cache
def zeros_bomb(nbytes: int, name: str = "X.npy", beside: tuple[tuple[str, bytes], ...] = ()) -> bytes:
    """A deflated ``.npz`` whose member ``name`` is a valid ``.npy`` of ``nbytes`` zero bytes (about 1000 : 1).

    ``beside``: other members (name, bytes), stored before it. Written in 1 MiB chunks, never held whole.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for other, data in beside:
            archive.writestr(other, data)
        with archive.open(name, "w", force_zip64=True) as member:
            member.write(npy_claiming((nbytes // 8,), "<f8", b""))
            chunk = bytes(2**20)
            for _ in range(nbytes // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def _good_data() -> dict[str, np.ndarray]:
    rng = np.random.RandomState(0)
    return {"X": rng.normal(size=(5, 2)), "y": np.array([0, 1, 2, 0, 1])}


def _mutate(data: bytes, position: int, how: str) -> bytes:
    position %= max(len(data), 1)
    if how == "truncate":
        return data[:position]
    if how == "flip":
        return data[:position] + bytes([data[position] ^ 0xFF]) + data[position + 1 :] if data else data
    if how == "append":
        return data + b"\x00junk"
    return b"junk" + data


def mutated(valid: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    """Valid file bytes, truncated, with a byte flipped, or with junk added."""
    return st.builds(_mutate, valid, st.integers(0, 10**6), st.sampled_from(["truncate", "flip", "append", "prepend"]))


def _crafted_npz() -> st.SearchStrategy[bytes]:
    """Members whose .npy headers lie, that are not .npy at all, or that hold pickles."""
    lying = st.builds(
        lambda shape, descr: zip_of(
            {"X.npy": npy_claiming(shape, descr, bytes(80)), "y.npy": npy_claiming((5,), "<i8", bytes(40))}
        ),
        st.sampled_from([(10**12, 2), (5, 2), (2**62, 2**62), (5, -2), (0, 2), (10, 2)]),
        st.sampled_from(["<f8", "|O", "<f4", "V8", "<m8[s]", ">f8", "<c16"]),
    )
    not_npy = st.sampled_from(
        [
            zip_of({"X.npy": b"not an array", "y.npy": b""}),
            zip_of({}),
            zip_of({"X.npy": npy_claiming((5, 2), "<f8", bytes(80))}, zipfile.ZIP_LZMA),
            zip_of({"X.npy": npy_claiming((5, 2), "<f8", bytes(80))}, zipfile.ZIP_BZIP2),
            zip_of({f"m{i}.npy": b"" for i in range(1500)}),
        ]
    )
    return lying | not_npy


def data_files() -> st.SearchStrategy[FileArg]:
    """``--data``: NumPy-made archives of hostile arrays, lying headers, bombs, mutations, other formats."""
    members = st.dictionaries(st.sampled_from(["X", "y", "Z", "W1", "X.npy"]), arrays(), max_size=4)
    made = st.builds(npz_bytes, members, st.booleans())
    good = st.just(npz_bytes(_good_data()))
    content = made | good | _crafted_npz() | mutated(good) | st.builds(lambda: zeros_bomb(2 * 2**20)) | st.binary(max_size=64)
    files = st.builds(FileArg, st.sampled_from([".npz", ".npz", ".npy", ".csv", ""]), st.just("file"), content)
    return files | st.builds(FileArg, st.sampled_from([".npz", ""]), st.sampled_from(["missing", "dir"]))


SAFETENSORS_NAMES = ["F64", "F32", "F16", "BF16", "F8_E4M3", "F8_E5M2", "I32", "BOOL", "U8", "C64", "F4", "XYZ", ""]
ITEMSIZE = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "F8_E4M3": 1, "F8_E5M2": 1, "I32": 4, "BOOL": 1, "U8": 1, "C64": 8}


def raw_safetensors(entries: list[tuple[str, str, tuple[int, ...]]], consistent: bool) -> bytes:
    """A safetensors file written by hand: any dtype name, any shape; offsets right or wrong."""
    header: dict[str, object] = {}
    offset = 0
    for name, dtype, shape in entries:
        size = math.prod(shape) * ITEMSIZE.get(dtype, 4) if consistent else 8
        size = min(size, 4096)
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + size]}
        offset += size
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + bytes(offset)


def weights_files() -> st.SearchStrategy[FileArg]:
    """``--weights``: safetensors of every dtype name, NumPy archives, mutations, other formats."""
    names = st.sampled_from(["W1", "b1", "W2", "b2", "W3", ""])
    shape = st.sampled_from([(4, 2), (4,), (3, 4), (3,), (2, 2), (2,), (10**9, 10**9), (0,), ()])
    entries = st.lists(st.tuples(names, st.sampled_from(SAFETENSORS_NAMES), shape), max_size=5, unique_by=lambda e: e[0])
    raw = st.builds(raw_safetensors, entries, st.booleans())
    real = st.builds(
        lambda arrays_: _save_safetensors(arrays_),
        st.dictionaries(names, arrays().filter(lambda a: a.dtype.kind in "fiub" and a.dtype.itemsize <= 8), max_size=4),
    )
    safetensors = st.builds(
        FileArg, st.just(".safetensors"), st.just("file"), raw | real | mutated(real) | st.binary(max_size=64)
    )
    npz = st.builds(FileArg, st.just(".npz"), st.just("file"), st.builds(npz_bytes, st.dictionaries(names, arrays(), max_size=4)))
    other = st.builds(
        FileArg, st.sampled_from([".pt", ".pkl", ".bin", ".safetensors"]), st.sampled_from(["file", "missing", "dir"])
    )
    return safetensors | npz | other


def _save_safetensors(arrays_: dict[str, np.ndarray]) -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "w.safetensors"
        save_file({k: np.ascontiguousarray(v) for k, v in arrays_.items()}, path)
        return path.read_bytes()


def out_paths(suffix: str) -> st.SearchStrategy[OutArg]:
    """An output path: fresh, occupied by a file, a folder, or unwritable."""
    return st.builds(OutArg, st.just(suffix), st.sampled_from(["new", "file", "dir", "unwritable", "unwritable-dir"]))


# --- argument vectors --------------------------------------------------------------------------

FRAMEWORKS = ["scratch", ",", "bogus", "scratch,bogus", "scratch,scratch", ""]


def _flags(table: dict[str, st.SearchStrategy[Token] | None]) -> st.SearchStrategy[list[Token]]:
    """Up to 6 flags from ``table`` (None: a switch without a value), or junk, in any order."""
    names = sorted(table)

    def pair(name: str) -> st.SearchStrategy[list[Token]]:
        value = table[name]
        return st.just([name]) if value is None else value.map(lambda v: [name, v])

    one = st.sampled_from(names).flatmap(pair) | st.sampled_from(JUNK).map(lambda j: [j])
    return st.lists(one, max_size=6).map(lambda groups: [t for g in groups for t in g])


def _limits(*names: str) -> dict[str, st.SearchStrategy[Token] | None]:
    from core.limits import flag

    return {flag(name): st.sampled_from(LOWER_LIMITS) for name in names}


def _common(frameworks: list[str]) -> dict[str, st.SearchStrategy[Token] | None]:
    return {
        "--arch": arch(),
        "--weights": weights_files(),
        "--data": data_files(),
        "--seed": ints(),
        "--dtype": st.sampled_from(["float32", "float64", "both", "float16", ""]),
        "--frameworks": st.sampled_from(frameworks),
        "--format": st.sampled_from(["json", "json", "table", "xml"]),
        **_limits("params", "activations", "layers", "batch", "file_bytes", "members", "compression_ratio"),
    }


def parity(frameworks: list[str] = FRAMEWORKS) -> st.SearchStrategy[list[Token]]:
    """``python -m compare`` with hostile flags and files."""
    table = {**_common(frameworks), "--save-weights": out_paths("")}
    return _flags(table).map(lambda flags: ["--frameworks", "scratch", "--format", "json", *flags])


def train(frameworks: list[str] = FRAMEWORKS) -> st.SearchStrategy[list[Token]]:
    """``python -m compare train``."""
    table = {
        **_common(frameworks),
        **_limits("steps", "history"),
        "--optimizer": st.sampled_from([*OPTIMIZERS, "all", "bogus", ""]),
        "--learning-rate": floats(),
        "--steps": ints(),
        "--epochs": ints(),
        "--batch-size": ints(),
        "--l2": floats(),
        "--every": ints(),
        "--freeze-biases": None,
        "--framework-defaults": None,
        "--plot": out_paths(""),
    }
    return _flags(table).map(lambda flags: ["train", "--frameworks", "scratch", "--steps", "3", "--format", "json", *flags])


def check(frameworks: list[str] = FRAMEWORKS) -> st.SearchStrategy[list[Token]]:
    """``python -m compare check FILE``, with the example files and hostile targets (never new student code)."""
    target = st.sampled_from(
        [*STUDENTS, "missing.py", "examples/students", "README.md", "x.py:", f"{STUDENTS[0]}:nope"]
    ) | st.builds(FileArg, st.sampled_from([".py", ".txt"]), st.sampled_from(["missing", "dir"]))
    table = {
        "--arch": arch(),
        "--convention": st.sampled_from(["canonical", "columns", "rows", "bogus", ""]),
        "--seed": ints(),
        "--format": st.sampled_from(["json", "text", "xml"]),
        "--frameworks": st.sampled_from(frameworks),
    }
    base = ["--arch", "worked-2-2-2", "--frameworks", "scratch", "--format", "json"]
    return st.builds(lambda t, flags: ["check", t, *base, *flags], target, _flags(table))


def explain(frameworks: list[str] = FRAMEWORKS) -> st.SearchStrategy[list[Token]]:
    """``python -m compare explain CASE``."""
    case = st.sampled_from([*CASES, "no-such-case", "", "--sample"])
    table = {
        "--sample": ints(),
        "--seed": ints(),
        "--format": st.sampled_from(["text", "markdown", "html", "json"]),
        "--output": out_paths(".md"),
        "--frameworks": st.sampled_from(frameworks),
    }
    return st.builds(lambda c, flags: ["explain", c, "--frameworks", "scratch", *flags], case, _flags(table))


BENCH_BASE = ["--quick", "--no-sweep", "--implementations", registry.REFERENCE, "--cases", "worked-2-2-2"]
BENCH_BASE += ["--matmul-size", "8", "--repeats", "1", "--block-ms", "0.1", "--format", "json"]


def bench(implementations: list[str] = FRAMEWORKS, startup: bool = False) -> st.SearchStrategy[list[Token]]:
    """``python -m compare bench`` on a base that times almost nothing, so that a valid run is quick."""
    table: dict[str, st.SearchStrategy[Token] | None] = {
        **_limits("params", "activations", "layers", "batch", "repeats", "block_ms"),
        "--cases": st.sampled_from(["worked-2-2-2", "bogus", ",", "fish-2-4-3,worked-2-2-2"]),
        "--no-cases": None,
        "--widths": st.sampled_from(["4", "0", "-1", "1000000", "4,16", "", "a,b", "100000000000000000000"]),
        "--batches": st.sampled_from(["1", "0", "10000000000", "5,7", "", "-3"]),
        "--no-sweep": None,
        "--implementations": st.sampled_from(implementations),
        "--dtype": st.sampled_from(["float32", "float64", "both", ""]),
        "--repeats": st.sampled_from(["-1", "0", "1", "2", "1000000000", "abc", "nan"]),
        "--block-ms": st.sampled_from(["0", "-1", "nan", "inf", "0.1", "1e9", "abc", "1e-300"]),
        "--threads": st.sampled_from(["1", "0", "-1", "100000", "abc"]),
        "--matmul-size": st.sampled_from(["-1", "0", "1", "8", "1000000", "abc"]),
        "--runs": st.sampled_from(["-1", "0", "1000000000", "abc"]),
        "--seed": ints(),
        "--format": st.sampled_from(["json", "table", "xml"]),
        "--plot": out_paths(".png") | st.sampled_from(["plot.svg", ""]),
    }
    if startup:
        table["--startup"] = None
    return _flags(table).map(lambda flags: ["bench", *_base(flags), *flags, *_one_startup_run(flags)])


def _base(flags: list[Token]) -> list[Token]:
    """BENCH_BASE, or for ``--startup`` only its options that the start-up benchmark takes (it refuses the others)."""
    return ["--quick", "--format", "json"] if "--startup" in flags else BENCH_BASE


def _one_startup_run(flags: list[Token]) -> list[Token]:
    """``--runs 1`` after a valid ``--startup`` (7 runs of 4 commands take minutes; the pool's own --runs are all bad)."""
    return ["--runs", "1"] if "--startup" in flags and "--runs" not in flags else []


def invocations(frameworks: list[str] = FRAMEWORKS, startup: bool = False) -> st.SearchStrategy[list[Token]]:
    """Any subcommand, hostile flags and files; also a bare junk argv."""
    # junk after a subcommand, or alone (the bare defaults of parity and train are quick; bench's take minutes)
    junk: st.SearchStrategy[list[Token]] = st.builds(
        lambda head, tail: head + tail,
        st.sampled_from([[], ["parity"], ["train"]]),
        st.lists(st.sampled_from(JUNK), max_size=3),
    )
    return parity(frameworks) | train(frameworks) | check(frameworks) | explain(frameworks) | bench(frameworks, startup) | junk
