"""Named hostile inputs: one or more per kind of failure found by fuzzing every subcommand.

Each is an invocation (tokens for ``fuzzing.materialise``), the exit code it must give and the
words its one stderr line must hold. tests/test_hostile_input.py runs them in process, as
regression tests; scripts/fuzz_campaign.py runs them as real processes (``campaign_cases``,
which also has the 4 GiB zip bomb and runs with torch and Keras).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace

import numpy as np
from fuzzing import BENCH_BASE, FileArg, OutArg, Token, npy_claiming, npz_bytes, raw_safetensors, zeros_bomb, zip_of

from compare import registry
from core.limits import DEFAULT

SPEC = "2-3-2:tanh,softmax:cce"
RELU = "2-3-2:relu,softmax:cce"  # relu passes an overflow on, where tanh saturates
M = 5
STUDENT = "examples/students/correct_canonical.py"


@dataclass(frozen=True)
class Hostile:
    """One named input: its tokens, the exit code it must give, and words of its stderr line (exit 2)."""

    id: str
    tokens: tuple[Token, ...]
    code: int
    words: str = ""


def good_arrays(m: int = M) -> dict[str, np.ndarray]:
    """Valid data for :data:`SPEC`: X ``(m, 2)``, labels in {0, 1}."""
    rng = np.random.RandomState(1)
    return {"X": rng.normal(size=(m, 2)), "y": rng.randint(0, 2, size=m)}


def data(**members: np.ndarray) -> FileArg:
    """A data ``.npz`` of :func:`good_arrays` with ``members`` changed."""
    return FileArg(".npz", "file", npz_bytes({**good_arrays(), **members}))


def raw_data(content: bytes) -> FileArg:
    """A data file of these bytes."""
    return FileArg(".npz", "file", content)


def parity(*tokens: Token, spec: str = SPEC, frameworks: str = "scratch") -> tuple[Token, ...]:
    """``python -m compare --arch SPEC ... --format json``."""
    return ("--arch", spec, "--frameworks", frameworks, "--format", "json", *tokens)


def with_data(file: FileArg, *tokens: Token) -> tuple[Token, ...]:
    """Parity on :data:`SPEC` with this data file."""
    return parity("--data", file, *tokens)


def weights(entries: list[tuple[str, str, tuple[int, ...]]]) -> tuple[Token, ...]:
    """Parity on :data:`SPEC` with a hand-written safetensors file."""
    return with_data(data(), "--weights", FileArg(".safetensors", "file", raw_safetensors(entries, consistent=True)))


SAFETENSORS_SHAPES = [("W1", "F64", (3, 2)), ("b1", "F64", (3,)), ("W2", "F64", (2, 3))]
DEEP = "-".join(["2"] * 121) + ":" + ",".join(["tanh"] * 119) + ",linear:mse"
TRAIN = ("train", "--frameworks", "scratch", "--format", "json")
BENCH = ("bench", *BENCH_BASE)
BENCH_SWEEP = (
    "bench",
    "--quick",
    "--implementations",
    "scratch",
    "--no-cases",
    "--widths",
    "4",
    "--batches",
    "5",
    "--matmul-size",
    "8",
)
RATIO = f"expected at most {DEFAULT.compression_ratio:,} : 1"


def cases(bomb_bytes: int = 64 * 2**20, frameworks: str = "scratch") -> list[Hostile]:
    """Every named hostile input; ``bomb_bytes``: what the zip bombs hold uncompressed."""
    good = (("X.npy", _npy(good_arrays()["X"])), ("y.npy", _npy(good_arrays()["y"])))
    return [
        # seeds NumPy's RandomState refuses, on every subcommand that takes one
        Hostile(
            "seed-negative-parity",
            ("--seed", "-1", "--arch", "fish-2-4-3", "--frameworks", "scratch"),
            2,
            "--seed: expected an integer in [0, 4294967295], got -1",
        ),
        Hostile("seed-2**32-train", (*TRAIN, "--seed", "4294967296", "--steps", "2"), 2, "got 4294967296"),
        Hostile(
            "seed-negative-explain",
            ("explain", "fish-2-4-3", "--seed", "-1", "--frameworks", "scratch"),
            2,
            "--seed: expected an integer",
        ),
        Hostile("seed-2**32-bench", (*BENCH, "--seed", "4294967296"), 2, "--seed: expected an integer"),
        Hostile(
            "seed-negative-check",
            ("check", STUDENT, "--arch", "fish-2-4-3", "--seed", "-1", "--frameworks", "scratch"),
            2,
            "--seed",
        ),
        # safetensors dtypes NumPy cannot hold
        Hostile(
            "safetensors-bfloat16",
            weights([("W1", "BF16", (3, 2)), *SAFETENSORS_SHAPES[1:]]),
            2,
            "W1 has dtype BF16, which NumPy cannot hold",
        ),
        Hostile(
            "safetensors-float8-e4m3", weights([*SAFETENSORS_SHAPES[:2], ("W2", "F8_E4M3", (2, 3))]), 2, "W2 has dtype F8_E4M3"
        ),
        Hostile("safetensors-float8-e5m2", weights([("b1", "F8_E5M2", (3,))]), 2, "b1 has dtype F8_E5M2"),
        # dtypes that are not numbers, though NumPy files hold them
        Hostile("labels-timedelta64", with_data(data(y=np.arange(M).astype("timedelta64[s]"))), 2, "y: expected numbers"),
        Hostile(
            "X-timedelta64", with_data(data(X=np.ones((M, 2), dtype="int64").astype("timedelta64[s]"))), 2, "X: expected numbers"
        ),
        Hostile("X-datetime64", with_data(data(X=np.zeros((M, 2), dtype="datetime64[D]"))), 2, "X: expected numbers"),
        # sizes above the limits, refused before anything is allocated
        Hostile(
            "net-7-TiB",
            with_data(data()) + ("--arch", "2-1000000-1000000-2:relu,relu,softmax:cce"),
            2,
            "parameters, expected at most 10,000,000 (--max-params",
        ),
        Hostile(
            "net-width-1e20",
            with_data(data()) + ("--arch", "2-100000000000000000000-2:relu,softmax:cce"),
            2,
            "--max-params raises",
        ),
        Hostile(
            "net-121-layers",
            ("--arch", DEEP, "--data", data(y=np.zeros((M, 2))), "--frameworks", "scratch"),
            2,
            "120 layers, expected at most 100 (--max-layers",
        ),
        Hostile(
            "net-121-layers-limit-raised",
            ("--arch", DEEP, "--data", data(y=np.zeros((M, 2))), "--frameworks", "scratch", "--max-layers", "120"),
            0,
        ),
        Hostile(
            "activations-per-pass",
            parity("--data", data(**good_arrays(40_000)), spec="2-3000-2:tanh,softmax:cce"),
            2,
            "activation values per pass, expected at most 100,000,000 (--max-activations",
        ),
        Hostile(
            "params-limit-lowered",
            ("--arch", "fish-2-4-3", "--frameworks", "scratch", "--max-params", "26"),
            2,
            "27 parameters, expected at most 26",
        ),
        Hostile("bench-widths-1e6", (*BENCH, "--widths", "1000000"), 2, "--max-params raises"),
        Hostile(
            "bench-batches-1e10",
            (*BENCH, "--batches", "10000000000"),
            2,
            "--batches: 10,000,000,000 rows, expected at most 1,000,000 (--max-batch",
        ),
        Hostile("bench-matmul-1e6", (*BENCH, "--matmul-size", "1000000"), 2, "matrix entries, expected at most 100,000,000"),
        Hostile(
            "train-steps-1e12",
            (*TRAIN, "--steps", "1000000000000"),
            2,
            "--steps: 1,000,000,000,000 steps, expected at most 1,000,000 (--max-steps",
        ),
        Hostile("train-epochs-1e8-batch-1", (*TRAIN, "--epochs", "100000000", "--batch-size", "1"), 2, "--max-steps raises"),
        Hostile("train-batch-size-1e10", (*TRAIN, "--batch-size", "10000000000"), 2, "--batch-size: 10,000,000,000 rows"),
        Hostile(
            "train-learning-rate-inf",
            (*TRAIN, "--learning-rate", "inf"),
            2,
            "argument --learning-rate: expected a finite number > 0, got inf",
        ),
        Hostile("train-l2-inf", (*TRAIN, "--l2", "inf"), 2, "argument --l2: expected a finite number >= 0, got inf"),
        Hostile(
            "train-l2-beyond-a-framework", (*TRAIN, "--frameworks", ",".join(registry.NAMES), "--l2", "1e308"), *_l2_outcome()
        ),
        Hostile(
            "train-every-step-of-a-million",
            (*TRAIN, "--steps", "1000000", "--every", "1"),
            2,
            "recorded values, expected at most 10,000,000 (--max-history",
        ),
        Hostile("bench-block-ms-nan", (*BENCH, "--block-ms", "nan"), 2, "--block-ms: expected a finite number > 0, got nan"),
        Hostile("bench-block-ms-inf", (*BENCH, "--block-ms", "inf"), 2, "--block-ms: expected a finite number > 0, got inf"),
        Hostile("bench-block-ms-1e9", (*BENCH, "--block-ms", "1e9"), 2, "--max-block-ms raises"),
        Hostile(
            "bench-repeats-1e9",
            (*BENCH, "--repeats", "1000000000"),
            2,
            "--repeats: 1,000,000,000, expected at most 1,000 (--max-repeats",
        ),
        Hostile("bench-runs-1e9", ("bench", "--startup", "--runs", "1000000000"), 2, "--runs: 1,000,000,000 runs"),
        Hostile("bench-threads-1e5", (*BENCH, "--threads", "100000"), 2, "--threads: expected at most 1024"),
        # outputs that cannot be written: refused before any work, nothing on stdout
        Hostile(
            "save-weights-unwritable-folder",
            ("--arch", "fish-2-4-3", "--frameworks", "scratch", "--save-weights", OutArg("", "unwritable-dir")),
            2,
            "cannot write files there",
        ),
        Hostile(
            "bench-plot-unwritable-folder", (*BENCH_SWEEP, "--plot", OutArg(".png", "unwritable")), 2, "cannot write files there"
        ),
        Hostile("bench-plot-without-sweep", (*BENCH, "--plot", OutArg(".png", "new")), 2, "--no-sweep"),
        Hostile(
            "train-plot-unwritable-folder",
            (*TRAIN, "--steps", "2", "--plot", OutArg("", "unwritable-dir")),
            2,
            "cannot write files there",
        ),
        Hostile(
            "explain-output-unwritable",
            ("explain", "fish-2-4-3", "--frameworks", "scratch", "--output", OutArg(".md", "unwritable")),
            2,
            "cannot",
        ),
        # numbers that overflow: valid JSON, null with the reason, never passed: true (exit 1)
        Hostile(
            "json-X-1e308",
            parity("--data", data(X=np.full((M, 2), 1e308)), "--dtype", "float64", spec=RELU, frameworks=frameworks),
            1,
        ),
        Hostile(
            "json-X-1e308-float32",
            with_data(data(X=np.full((M, 2), 1e308)), "--dtype", "float32"),
            2,
            "X: values up to 1e+308 overflow float32",
        ),
        Hostile(
            "json-train-learning-rate-1e308", (*TRAIN, "--frameworks", frameworks, "--learning-rate", "1e308", "--steps", "3"), 1
        ),
        Hostile("json-train-l2-1e308", (*TRAIN, "--frameworks", frameworks, "--l2", "1e308", "--steps", "3"), 1),
        # memory: archives refused from their directory and headers, before decompressing
        Hostile("npz-zip-bomb-unused-key", with_data(raw_data(zeros_bomb(bomb_bytes, "unused.npy", good))), 2, RATIO),
        Hostile("npz-zip-bomb-in-X", with_data(raw_data(zeros_bomb(bomb_bytes, "X.npy"))), 2, RATIO),
        Hostile(
            "npz-header-claims-1e12-rows",
            with_data(
                raw_data(zip_of({"X.npy": npy_claiming((10**12, 2), "<f8", bytes(80)), "y.npy": _npy(good_arrays()["y"])}))
            ),
            2,
            "its header says (1000000000000, 2) float64",
        ),
        Hostile(
            "npz-1500-members",
            with_data(raw_data(zip_of({f"m{i}.npy": b"" for i in range(1500)}))),
            2,
            "1,500 arrays, expected at most 1,000 (--max-members",
        ),
        Hostile(
            "npz-file-bytes-lowered",
            with_data(data(), "--max-file-bytes", "100"),
            2,
            "bytes uncompressed, expected at most 100 (--max-file-bytes",
        ),
        Hostile(
            "npz-object-header",
            with_data(raw_data(zip_of({"X.npy": npy_claiming((5, 2), "|O", bytes(80)), "y.npy": _npy(good_arrays()["y"])}))),
            2,
            "object array, which needs pickle; refused",
        ),
        # one line, whatever the value holds
        Hostile("newline-in-an-argument", ("--arch", "a\nb"), 2, "'a\\nb'"),
        Hostile("newline-unrecognized", ("bench", "x\ny"), 2, "unrecognized arguments: x\\ny"),
    ]


def _l2_outcome() -> tuple[int, str]:
    """lambda = 1e308 on the spiral's 300 rows: a framework holding lambda / (2 n) in float32 (Keras) cannot; exit 2.

    With only float64 holders registered the run would overflow instead: exit 1.
    """
    import math

    from compare.training.run import representable_l2

    try:
        with np.errstate(over="ignore"):  # the float32 cast overflows: that is the point
            held = representable_l2(1e308, 300, registry.NAMES)
    except ValueError:
        return 2, "cannot hold lambda = 1e+308 for n = 300"
    assert math.isfinite(held)
    return 1, ""


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def campaign_cases() -> list[tuple[str, list[Token]]]:
    """The named cases for scripts/fuzz_campaign.py: the real 4 GiB bomb, and torch and Keras where numbers overflow."""
    named = cases(bomb_bytes=4 * 2**30) + [
        replace(h, id=f"{h.id}-all-frameworks") for h in cases(frameworks=",".join(registry.NAMES)) if h.id.startswith("json-")
    ]
    return [(h.id, list(h.tokens)) for h in named]
