"""Bad input at every entry point: one clear error, never a traceback, never an unpickle.

Each malformed input is built on top of a valid base (weights from ``init_params``,
a 5-row data file), changing one thing, and is checked twice:

- the Python API (``compare.data.files``, ``scratch.parse_spec``, ``scratch.evaluate``,
  ``compare.parity.harness.run_case``) raises ``InputError`` -- a ``ValueError`` -- whose
  one-line message contains the expected words;
- the CLI, run in-process through ``compare.cli.main``, exits 2 with exactly that
  message as its one stderr line. A handful also run as real subprocesses, to show
  that no traceback reaches the terminal.

The base itself is checked to pass (exit 0), so every failure is the one change's.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save_file

from compare.cli import main
from compare.data.cases import get_case
from compare.data.files import load_data, load_weights
from compare.parity.harness import run_case
from core.validate import check_params
from scratch import InputError, evaluate, parse_spec
from scratch.init import init_params

ROOT = Path(__file__).resolve().parents[1]
SPECS = {"cce": "2-3-2:tanh,softmax:cce", "bce": "2-3-1:tanh,sigmoid:bce", "mse": "2-3-2:tanh,linear:mse"}
M = 5


def base_params(loss: str = "cce") -> dict[str, np.ndarray]:
    return init_params(parse_spec(SPECS[loss]), seed=0)


def base_data(loss: str = "cce") -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.RandomState(1)
    X = rng.normal(size=(M, 2))
    y = {"cce": np.array([0, 1, 1, 0, 1]), "bce": np.array([1, 0, 0, 1, 1]), "mse": rng.uniform(-1, 1, size=(M, 2))}[loss]
    return X, y


class Payload:
    """Unpickling this calls ``open(marker, "w")``: a loader that unpickles leaves the marker file behind."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


@dataclass
class Built:
    argv: list[str]
    api: Callable[[], object] | None  # the Python API route, or None for CLI-only flags
    marker: Path | None = None  # a file that must never appear (pickle payloads)


def _cli_args(loss: str, data: Path, weights: Path | None = None, spec: str | None = None) -> list[str]:
    argv = [
        "--arch",
        spec or SPECS[loss],
        "--data",
        str(data),
        "--frameworks",
        "scratch",
        "--dtype",
        "float64",
        "--format",
        "json",
    ]
    return argv + (["--weights", str(weights)] if weights is not None else [])


def _write_data(tmp: Path, loss: str = "cce", **arrays) -> Path:
    path = tmp / "data.npz"
    np.savez(path, **arrays)
    return path


def _valid_data(tmp: Path, loss: str = "cce") -> Path:
    X, y = base_data(loss)
    return _write_data(tmp, loss, X=X, y=y)


# --- builders ---------------------------------------------------------------------------------


def weights_npz(change: Callable[[dict], dict], loss: str = "cce") -> Callable[[Path], Built]:
    def build(tmp: Path) -> Built:
        path = tmp / "weights.npz"
        np.savez(path, **change(base_params(loss)))
        return Built(
            _cli_args(loss, _valid_data(tmp, loss), path), lambda: check_params(parse_spec(SPECS[loss]), load_weights(path))
        )

    return build


def weights_safetensors(change: Callable[[dict], dict]) -> Callable[[Path], Built]:
    def build(tmp: Path) -> Built:
        path = tmp / "weights.safetensors"
        save_file({k: np.ascontiguousarray(v) for k, v in change(base_params()).items()}, path)
        return Built(_cli_args("cce", _valid_data(tmp), path), lambda: check_params(parse_spec(SPECS["cce"]), load_weights(path)))

    return build


def weights_file(write: Callable[[Path, Path], None], name: str) -> Callable[[Path], Built]:
    """A weights file written by ``write(path, marker)``, possibly holding a pickle payload."""

    def build(tmp: Path) -> Built:
        path, marker = tmp / name, tmp / "UNPICKLED"
        write(path, marker)
        return Built(_cli_args("cce", _valid_data(tmp), path), lambda: load_weights(path), marker)

    return build


def data_npz(change: Callable[[np.ndarray, np.ndarray], dict], loss: str = "cce") -> Callable[[Path], Built]:
    def build(tmp: Path) -> Built:
        path = _write_data(tmp, loss, **change(*base_data(loss)))

        def api():
            X, y = load_data(path)
            return evaluate(parse_spec(SPECS[loss]), base_params(loss), X, y)

        return Built(_cli_args(loss, path), api)

    return build


def spec_text(text: str) -> Callable[[Path], Built]:
    def build(tmp: Path) -> Built:
        return Built(_cli_args("cce", _valid_data(tmp), spec=text), lambda: parse_spec(text))

    return build


def flags(argv: list[str], api: Callable[[], object] | None = None) -> Callable[[Path], Built]:
    def build(tmp: Path) -> Built:
        return Built(list(argv), api)

    build.cli_only = api is None  # argparse-level flags have no Python API counterpart
    return build


def _with(params: dict, **changes) -> dict:
    out = dict(params)
    for key, value in changes.items():
        if value is None:
            del out[key]
        else:
            out[key] = value
    return out


def _pickle_payload(path: Path, marker: Path) -> None:
    with open(path, "wb") as f:
        pickle.dump({"W1": Payload(marker)}, f)


def _torch_save_payload(path: Path, marker: Path) -> None:
    import torch

    torch.save({"W1": Payload(marker)}, path)


def _object_array_npz(path: Path, marker: Path) -> None:
    np.savez(path, **_with(base_params(), W1=np.array([Payload(marker)], dtype=object)))


def _object_array_data(tmp: Path) -> Built:
    marker = tmp / "UNPICKLED"
    X, _ = base_data()
    path = _write_data(tmp, X=X, y=np.array([Payload(marker)], dtype=object))
    return Built(_cli_args("cce", path), lambda: load_data(path), marker)


def _garbage(path: Path, marker: Path) -> None:
    path.write_bytes(b"this is not an archive\x00\x01")


def _single_npy(path: Path, marker: Path) -> None:
    with open(path, "wb") as f:
        np.save(f, np.zeros((3, 2)))


def _directory(tmp: Path) -> Built:
    (tmp / "weights.npz").mkdir()
    return Built(_cli_args("cce", _valid_data(tmp), tmp / "weights.npz"), lambda: load_weights(tmp / "weights.npz"))


def _missing_file(tmp: Path) -> Built:
    return Built(_cli_args("cce", _valid_data(tmp), tmp / "nope.safetensors"), lambda: load_weights(tmp / "nope.safetensors"))


def _missing_data_file(tmp: Path) -> Built:
    return Built(_cli_args("cce", tmp / "nope.npz"), lambda: load_data(tmp / "nope.npz"))


def _data_not_npz(tmp: Path) -> Built:
    path = tmp / "data.csv"
    path.write_text("x1,x2,y\n0.1,0.2,1\n")
    return Built(_cli_args("cce", path), lambda: load_data(path))


def _fish_case():
    return get_case("fish-2-4-3")


P = base_params()
X0, Y0 = base_data()

# (id, builder, words the message must contain)
MALFORMED = [
    # weights files
    ("weights-missing-key", weights_npz(lambda p: _with(p, b2=None)), "missing b2"),
    ("weights-extra-key", weights_npz(lambda p: _with(p, W3=np.zeros((2, 2)))), "unexpected W3"),
    ("weights-W1-transposed-shape", weights_npz(lambda p: _with(p, W1=p["W1"].T)), "W1: expected shape (3, 2), got (2, 3)"),
    ("weights-b1-2d", weights_npz(lambda p: _with(p, b1=p["b1"][:, None])), "b1: expected shape (3,), got (3, 1)"),
    (
        "weights-int",
        weights_npz(lambda p: _with(p, W2=np.ones((2, 3), dtype=np.int64))),
        "W2: expected a floating-point array, got dtype int64",
    ),
    (
        "weights-complex",
        weights_npz(lambda p: _with(p, W1=p["W1"] + 1j)),
        "W1: expected a floating-point array, got dtype complex128",
    ),
    (
        "weights-strings",
        weights_npz(lambda p: _with(p, b1=np.array(["a", "b", "c"]))),
        "b1: expected a floating-point array, got dtype <U1",
    ),
    (
        "weights-bool",
        weights_npz(lambda p: _with(p, b2=np.array([True, False]))),
        "b2: expected a floating-point array, got dtype bool",
    ),
    ("weights-nan", weights_npz(lambda p: _with(p, W1=np.where(p["W1"] > 0, np.nan, p["W1"]))), "W1: contains NaN or inf"),
    ("weights-inf", weights_npz(lambda p: _with(p, b2=np.array([np.inf, 0.0]))), "b2: contains NaN or inf"),
    ("weights-for-another-spec", weights_npz(lambda p: base_params("bce")), "W2: expected shape (2, 3), got (1, 3)"),
    (
        "safetensors-int32",
        weights_safetensors(lambda p: _with(p, W1=np.ones((3, 2), dtype=np.int32))),
        "W1: expected a floating-point array, got dtype int32",
    ),
    (
        "safetensors-wrong-shape",
        weights_safetensors(lambda p: _with(p, W2=np.zeros((3, 2)))),
        "W2: expected shape (2, 3), got (3, 2)",
    ),
    ("safetensors-missing-key", weights_safetensors(lambda p: _with(p, W1=None)), "missing W1"),
    ("safetensors-nan", weights_safetensors(lambda p: _with(p, b1=np.array([0.0, np.nan, 0.0]))), "b1: contains NaN or inf"),
    ("safetensors-garbage", weights_file(_garbage, "weights.safetensors"), "not a valid safetensors file"),
    ("npz-garbage", weights_file(_garbage, "weights.npz"), "is neither an .npz archive nor an .npy array"),
    ("npz-is-a-single-npy", weights_file(_single_npy, "weights.npz"), "single .npy array"),
    ("npz-object-array-pickle", weights_file(_object_array_npz, "weights.npz"), "object array, which needs pickle; refused"),
    ("pickle-named-npz", weights_file(_pickle_payload, "weights.npz"), "is neither an .npz archive nor an .npy array"),
    ("torch-pt-file", weights_file(_torch_save_payload, "weights.pt"), "expected a .safetensors or .npz file"),
    ("pickle-pkl-file", weights_file(_pickle_payload, "weights.pkl"), "expected a .safetensors or .npz file"),
    ("weights-missing-file", _missing_file, "does not exist"),
    ("weights-directory", _directory, "is a directory, not a file"),
    # data files
    ("data-missing-X", data_npz(lambda X, y: {"y": y}), "missing X"),
    ("data-missing-y", data_npz(lambda X, y: {"X": X, "labels": y}), "missing y (has X, labels)"),
    ("data-feature-count", data_npz(lambda X, y: {"X": np.ones((M, 3)), "y": y}), "X: expected 2 features"),
    ("data-X-1d", data_npz(lambda X, y: {"X": X[:, 0], "y": y}), "X: expected shape (m, 2), got (5,)"),
    ("data-X-strings", data_npz(lambda X, y: {"X": X.astype(str), "y": y}), "X: expected numbers"),
    ("data-label-too-large", data_npz(lambda X, y: {"X": X, "y": np.array([0, 1, 2, 0, 1])}), "class labels must lie in [0, 1]"),
    ("data-label-negative", data_npz(lambda X, y: {"X": X, "y": np.array([0, -1, 1, 0, 1])}), "class labels must lie in [0, 1]"),
    (
        "data-label-not-integer",
        data_npz(lambda X, y: {"X": X, "y": np.array([0, 0.5, 1, 0, 1])}),
        "cce expects integer class labels",
    ),
    ("data-label-one-hot", data_npz(lambda X, y: {"X": X, "y": np.eye(2)[y]}), "cce expects integer class labels of shape (5,)"),
    (
        "data-bce-target-2",
        data_npz(lambda X, y: {"X": X, "y": np.array([0, 1, 2, 0, 1])}, "bce"),
        "bce expects targets that are 0 or 1",
    ),
    (
        "data-bce-target-half",
        data_npz(lambda X, y: {"X": X, "y": np.array([0, 1, 0.5, 0, 1])}, "bce"),
        "bce expects targets that are 0 or 1",
    ),
    ("data-empty", data_npz(lambda X, y: {"X": np.zeros((0, 2)), "y": np.zeros(0, dtype=int)}), "X: empty data (0 samples)"),
    ("data-X-nan", data_npz(lambda X, y: {"X": np.where(X > 0, np.nan, X), "y": y}), "X: contains NaN or inf"),
    ("data-y-nan", data_npz(lambda X, y: {"X": X, "y": np.where(y > 0, np.nan, y)}, "mse"), "y: contains NaN or inf"),
    ("data-y-length", data_npz(lambda X, y: {"X": X, "y": y[:3]}), "y: expected 5 targets (one per row of X), got shape (3,)"),
    (
        "data-mse-y-shape",
        data_npz(lambda X, y: {"X": X, "y": np.zeros((M, 3))}, "mse"),
        "mse expects targets of shape (5, 2), got (5, 3)",
    ),
    ("data-object-array-pickle", _object_array_data, "object array, which needs pickle; refused"),
    ("data-not-npz", _data_not_npz, "expected an .npz file"),
    ("data-missing-file", _missing_data_file, "does not exist"),
    # specs
    ("spec-unknown-activation", spec_text("2-3-2:swish,softmax:cce"), "unknown activation 'swish'"),
    ("spec-unknown-loss", spec_text("2-3-2:tanh,softmax:hinge"), "unknown loss 'hinge'"),
    ("spec-softmax-hidden", spec_text("2-3-2:softmax,softmax:cce"), "softmax is only allowed on the output layer"),
    ("spec-bce-two-outputs", spec_text("2-3-2:tanh,sigmoid:bce"), "bce needs exactly one output unit"),
    ("spec-bce-tanh-output", spec_text("2-3-1:tanh,tanh:bce"), "bce needs a sigmoid output"),
    ("spec-cce-without-softmax", spec_text("2-3-2:tanh,sigmoid:cce"), "cce needs a softmax output"),
    ("spec-cce-one-class", spec_text("2-3-1:tanh,softmax:cce"), "cce needs at least 2 output classes"),
    ("spec-softmax-with-mse", spec_text("2-3-2:tanh,softmax:mse"), "a softmax output is only paired with cce"),
    ("spec-two-parts", spec_text("2-3-2:relu,softmax"), "is not SIZES:ACTIVATIONS:LOSS"),
    ("spec-sizes-not-integers", spec_text("2-x-2:relu,softmax:cce"), "must be integers joined by '-'"),
    ("spec-zero-width", spec_text("2-0-2:relu,softmax:cce"), "layer sizes must be positive integers, got 0"),
    ("spec-activation-count", spec_text("2-3-2:softmax:cce"), "give one activation per layer"),
    ("spec-one-size", spec_text("2:relu:mse"), "at least 2 layer sizes"),
    # flags and names, with their Python API counterparts
    (
        "flag-frameworks-bogus",
        flags(["--frameworks", "bogus"], lambda: run_case(_fish_case(), "float64", ["bogus"])),
        "unknown framework",
    ),
    (
        "flag-dtype-float16",
        flags(["--dtype", "float16"], lambda: evaluate(parse_spec(SPECS["cce"]), P, X0, Y0, "float16")),
        "float16",
    ),
    ("flag-unknown-case", flags(["--arch", "no-such-case"], lambda: get_case("no-such-case")), "no-such-case"),
    ("flag-spec-without-data", flags(["--arch", SPECS["cce"]]), "a SPEC needs --data FILE"),
    ("flag-frameworks-empty", flags(["--frameworks", ","]), "expected at least one framework, got an empty list"),
    ("flag-seed-not-int", flags(["--seed", "abc"]), "--seed: expected an integer in [0, 4294967295], got 'abc'"),
    ("flag-format-xml", flags(["--format", "xml"]), "invalid choice: 'xml'"),
    ("flag-unknown", flags(["--no-such-flag"]), "unrecognized arguments: --no-such-flag"),
]
IDS = [entry[0] for entry in MALFORMED]
WITH_API = [entry for entry in MALFORMED if not getattr(entry[1], "cli_only", False)]


def run_in_process(argv: list[str], capsys) -> tuple[int, list[str], str]:
    """``compare.cli.main(argv)`` -> (exit code, stderr lines, stdout); argparse's sys.exit counts as a return."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.err.strip().splitlines(), captured.out


def test_at_least_30_malformed_inputs():
    assert len(MALFORMED) >= 30 and len(set(IDS)) == len(IDS)


@pytest.mark.parametrize("loss", sorted(SPECS))
def test_the_valid_base_passes(tmp_path, capsys, loss):
    """The control: the unchanged base files give exit 0, so each failure below is its one change."""
    weights = tmp_path / "weights.safetensors"
    save_file(base_params(loss), weights)
    code, err, _ = run_in_process(_cli_args(loss, _valid_data(tmp_path, loss), weights), capsys)
    assert code == 0 and all(line.startswith("python -m compare") and ": error: " not in line for line in err), err
    X, y = load_data(_valid_data(tmp_path, loss))
    evaluate(parse_spec(SPECS[loss]), load_weights(weights), X, y)


def test_at_least_30_malformed_inputs_checked_both_ways():
    assert len(WITH_API) >= 30


@pytest.mark.parametrize(("build", "words"), [entry[1:] for entry in WITH_API], ids=[entry[0] for entry in WITH_API])
def test_python_api_raises_input_error(tmp_path, build, words):
    built = build(tmp_path)
    with pytest.raises(InputError) as raised:
        built.api()
    message = str(raised.value)
    assert isinstance(raised.value, ValueError)
    assert "\n" not in message
    if words is not None:
        assert words in message
    if built.marker is not None:
        assert not built.marker.exists(), "a pickle was unpickled"


@pytest.mark.parametrize(("build", "words"), [entry[1:] for entry in MALFORMED], ids=IDS)
def test_cli_exits_2_with_one_line(tmp_path, capsys, build, words):
    built = build(tmp_path)
    code, err, out = run_in_process(built.argv, capsys)
    assert code == 2, (code, err)
    assert len(err) == 1, err
    assert err[0].startswith("python -m compare: error: ")
    if words is not None:
        assert words in err[0]
    assert out == ""
    if built.marker is not None:
        assert not built.marker.exists(), "a pickle was unpickled"


@pytest.mark.parametrize(
    "write", [_pickle_payload, _torch_save_payload, _object_array_npz], ids=["pickle", "torch.save", "npz-object"]
)
def test_the_payload_would_fire_if_unpickled(tmp_path, write):
    """Control for the 'never unpickled' checks: loading these files the unsafe way does create the marker."""
    path, marker = tmp_path / "payload", tmp_path / "FIRED"
    write(path, marker)
    if write is _object_array_npz:
        np.load(path if path.suffix else path.with_suffix(".npz"), allow_pickle=True)["W1"]
    elif write is _torch_save_payload:
        import torch

        torch.load(path, weights_only=False)
    else:
        with open(path, "rb") as f:
            pickle.load(f)
    assert marker.exists()


SUBPROCESS = [
    "torch-pt-file",
    "npz-object-array-pickle",
    "weights-W1-transposed-shape",
    "spec-softmax-hidden",
    "flag-dtype-float16",
]


@pytest.mark.parametrize("name", SUBPROCESS)
def test_real_cli_prints_no_traceback(tmp_path, name):
    build, words = dict((entry[0], entry[1:]) for entry in MALFORMED)[name]
    built = build(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "compare", *built.argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert words in done.stderr
    assert done.stdout == ""
    if built.marker is not None:
        assert not built.marker.exists()


def test_save_weights_onto_an_existing_file(tmp_path, capsys):
    occupied = tmp_path / "occupied"
    occupied.write_text("")
    code, err, out = run_in_process(
        ["--arch", "worked-2-2-2", "--frameworks", "scratch", "--save-weights", str(occupied)], capsys
    )
    assert code == 2 and len(err) == 1 and "--save-weights" in err[0]
