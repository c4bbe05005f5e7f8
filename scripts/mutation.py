"""Single-point mutation testing of the three implementations, the harness and the input guards.

Each mutant changes one expression in one file of a copy of the tree (``git archive`` of a commit,
so the working tree is never touched), then runs the quick suite with ``-x`` (the mutant's own
test files first, so a killed mutant stops early). A mutant is killed when the suite fails;
it survives when the suite passes. A mutant whose text is not in the tree (the code it changes
does not exist at that commit) is reported as n/a and left out of the score.

Run by hand (about 40 minutes on 2 cores; docs/limits.md records the last run)::

    python scripts/mutation.py                 # the tree at HEAD
    python scripts/mutation.py --commit 4183205 --json before.json
    python scripts/mutation.py --only T1,K1    # some mutants
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 900
# pytest-xdist's workers, one per CPU, where the tree's suite can use them (its own tests decide nothing)
WORKERS = ("-n", str(os.cpu_count() or 1)) if importlib.util.find_spec("xdist") else ()


@dataclass(frozen=True)
class Mutant:
    """One change: ``old`` (found exactly once in ``path``) becomes ``new``; ``focus`` runs first."""

    id: str
    path: str
    old: str
    new: str
    focus: tuple[str, ...]
    what: str
    alternatives: tuple[tuple[str, str], ...] = ()  # the same change where the code has moved: (old, new)

    def change(self, text: str) -> str | None:
        """``text`` mutated, or None when neither ``old`` nor an alternative is in it exactly once."""
        for old, new in ((self.old, self.new), *self.alternatives):
            if text.count(old) == 1:
                return text.replace(old, new)
        return None


def m(id: str, path: str, old: str, new: str, focus: str, what: str, *alternatives: tuple[str, str]) -> Mutant:  # noqa: A002
    """A :class:`Mutant`; ``focus`` is a space-separated list of test files."""
    return Mutant(id, path, old, new, tuple(focus.split()), what, alternatives)


TOL = "compare/parity/tolerances.py"
HARNESS = "compare/parity/harness.py"
VALIDATE = "core/validate.py"
FILES = "compare/data/files.py"
LIMITS = "core/limits.py"
OUTPUT = "compare/output.py"

MUTANTS: list[Mutant] = [
    # the tolerance table, loosened 10x
    m(
        "T1",
        TOL,
        "Tolerance(rtol=1e-10, atol=1e-12)",
        "Tolerance(rtol=1e-9, atol=1e-12)",
        "tests/test_tolerances.py",
        "float64 rtol x10",
    ),
    m(
        "T2",
        TOL,
        "Tolerance(rtol=1e-10, atol=1e-12)",
        "Tolerance(rtol=1e-10, atol=1e-11)",
        "tests/test_tolerances.py",
        "float64 atol x10",
    ),
    m(
        "T3",
        TOL,
        "Tolerance(rtol=1e-5, atol=1e-6)",
        "Tolerance(rtol=1e-4, atol=1e-6)",
        "tests/test_tolerances.py",
        "float32 rtol x10",
    ),
    m(
        "T4",
        TOL,
        "Tolerance(rtol=1e-5, atol=1e-6)",
        "Tolerance(rtol=1e-5, atol=1e-5)",
        "tests/test_tolerances.py",
        "float32 atol x10",
    ),
    # the harness's comparison
    m(
        "H1",
        HARNESS,
        "diff <= tol.atol + tol.rtol * size",
        "diff <= tol.atol + tol.rtol",
        "tests/test_tolerances.py",
        "rtol not scaled by |expected|",
    ),
    m(
        "H2",
        HARNESS,
        "diff <= tol.atol + tol.rtol * size",
        "diff < tol.atol + tol.rtol * size",
        "tests/test_tolerances.py",
        "<= becomes <",
    ),
    m(
        "H3",
        HARNESS,
        "elif name in got or name in reference:",
        "elif False:",
        "tests/test_planted_bugs.py",
        "a missing quantity passes",
    ),
    m(
        "H4",
        HARNESS,
        "return next((c for c in checks if not c.passed), None)",
        "return next((c for c in checks if c.passed), None)",
        "tests/test_planted_bugs.py",
        "first divergence inverted",
    ),
    m("H5", HARNESS, "if actual.shape != expected.shape:", "if False:", "tests/test_check.py", "shape mismatch broadcast"),
    # Keras losses on probabilities instead of logits (TensorFlow recovers the logits of a sigmoid / softmax output)
    m(
        "K1",
        "keras_impl/losses.py",
        "keras.losses.BinaryCrossentropy(from_logits=True, dtype=dtype), 1.0, True)",
        "keras.losses.BinaryCrossentropy(from_logits=False, dtype=dtype), 1.0, False)",
        "tests/test_keras_losses.py tests/test_edges.py",
        "Keras BCE from_logits=False",
    ),
    m(
        "K2",
        "keras_impl/losses.py",
        "keras.losses.SparseCategoricalCrossentropy(from_logits=True, dtype=dtype), 1.0, True\n",
        "keras.losses.SparseCategoricalCrossentropy(from_logits=False, dtype=dtype), 1.0, False\n",
        "tests/test_keras_losses.py tests/test_edges.py",
        "Keras CCE from_logits=False",
    ),
    m(
        "K3",
        "keras_impl/losses.py",
        "keras.losses.MeanSquaredError(dtype=dtype), 0.5 * n_outputs, False)",
        "keras.losses.MeanSquaredError(dtype=dtype), 0.5, False)",
        "tests/test_parity.py",
        "Keras sse weight",
    ),
    # torch
    m(
        "P1",
        "torch_impl/losses.py",
        "return lambda z, a, y: 0.5 * squared_sum(a, y) / a.shape[0]",
        "return lambda z, a, y: 0.5 * squared_sum(a, y) / a.numel()",
        "tests/test_parity.py",
        "torch sse over all elements",
    ),
    m(
        "P2",
        "torch_impl/losses.py",
        'bce = nn.BCEWithLogitsLoss(reduction="mean")\n    return lambda z, a, y: bce(z, y)',
        'bce = nn.BCELoss(reduction="mean")\n    return lambda z, a, y: bce(a, y)',
        "tests/test_edges.py",
        "torch BCELoss on probabilities",
    ),
    # scratch
    m(
        "S1",
        "scratch/activations.py",
        "return a * (1.0 - a)",
        "return a * (1.0 + a)",
        "tests/test_gradcheck.py",
        "sigmoid derivative",
    ),
    m(
        "S2",
        "scratch/activations.py",
        "return (z > 0).astype(z.dtype)",
        "return (z >= 0).astype(z.dtype)",
        "tests/test_edges.py",
        "ReLU'(0) = 1",
    ),
    m(
        "S3",
        "scratch/activations.py",
        "e = np.exp(z - z.max(axis=1, keepdims=True))",
        "e = np.exp(z)",
        "tests/test_edges.py",
        "unshifted softmax",
    ),
    m(
        "S4",
        "scratch/model.py",
        'grads[f"b{l}"] = delta[l].sum(axis=0) / m',
        'grads[f"b{l}"] = delta[l].sum(axis=0)',
        "tests/test_gradcheck.py",
        "db without 1/m",
    ),
    m(
        "S5",
        "scratch/losses.py",
        "np.log1p(np.exp(-np.abs(z)))",
        "np.log(1 + np.exp(-np.abs(z)))",
        "tests/test_edges.py",
        "bce log(1 + x) instead of log1p",
    ),
    m("S6", "core/activations.py", "LEAKY_SLOPE = 0.01", "LEAKY_SLOPE = 0.02", "tests/test_parity.py", "leaky slope"),
    m(
        "S7",
        "scratch/optimizers.py",
        "v[...] = h.momentum * v - h.learning_rate * g\n    return theta + v",
        "v[...] = h.momentum * v - h.learning_rate * g\n    return theta - v",
        "tests/test_optimizers.py",
        "momentum sign",
    ),
    m(
        "S8",
        "scratch/optimizers.py",
        "m_hat = m / (1 - h.beta_1**t)",
        "m_hat = m",
        "tests/test_optimizers.py",
        "Adam without bias correction",
    ),
    # input checks
    m(
        "V1",
        VALIDATE,
        'if not np.all(np.isfinite(value)):\n            raise InputError(f"{name}: contains NaN or inf")',
        "if False:\n            pass",
        "tests/test_bad_input.py",
        "NaN weights accepted",
        (
            'if not np.all(np.isfinite(value)):\n        raise InputError(f"{name}: contains NaN or inf")',
            "if False:\n        pass",
        ),
    ),
    m(
        "V2",
        VALIDATE,
        'if not np.all(np.isfinite(X)):\n        raise InputError("X: contains NaN or inf")',
        "if False:\n        pass",
        "tests/test_bad_input.py",
        "NaN X accepted",
        (  # the check moved into one helper for every array: X, weights and targets
            '    if not np.all(np.isfinite(value)):\n        raise InputError(f"{name}: contains NaN or inf")',
            "    if False:\n        pass",
        ),
    ),
    m(
        "V3",
        VALIDATE,
        "if low < 0 or high >= n_out:",
        "if low < 0 or high > n_out:",
        "tests/test_bad_input.py",
        "label n_L accepted",
    ),
    m(
        "V4",
        VALIDATE,
        "if not np.all((y == 0) | (y == 1)):",
        "if False:",
        "tests/test_bad_input.py",
        "bce targets not 0/1 accepted",
    ),
    m("V5", VALIDATE, "if y.ndim == 0 or y.shape[0] != m:", "if y.ndim == 0:", "tests/test_bad_input.py", "y length unchecked"),
    m(
        "V6",
        "core/spec.py",
        'if self.loss == "bce" and n_out != 1:',
        "if False:",
        "tests/test_bad_input.py tests/test_spec.py",
        "bce with two outputs",
    ),
    m(
        "V7",
        "core/spec.py",
        "if not ACTIVATIONS[name].hidden:",
        "if False:",
        "tests/test_bad_input.py tests/test_spec.py",
        "softmax hidden",
    ),
    # files
    m(
        "F1",
        FILES,
        "np.load(path, allow_pickle=False)",
        "np.load(path, allow_pickle=True)",
        "tests/test_bad_input.py tests/test_files.py",
        "npz with pickle allowed",
        # the guard now: an object dtype refused at the .npy header (read_array's flag is G24)
        ("    if dtype.hasobject:\n", "    if False:\n"),
    ),
    m(
        "F2",
        FILES,
        'missing = [key for key in ("X", "y") if key not in arrays]',
        "missing = []",
        "tests/test_bad_input.py",
        "data without X or y",
        (  # the .npz reader's (the first of the two readers)
            '("X", "y"))\n    missing = [key for key in ("X", "y") if key not in arrays]',
            '("X", "y"))\n    missing = []',
        ),
    ),
    # the CLI and the reports
    m(
        "L1",
        "compare/cli.py",
        'sys.stderr.write(f"{prog}: error: {exc}\\n")\n        return EXIT_USAGE\n    except ModuleNotFoundError',
        'sys.stderr.write(f"{prog}: error: {exc}\\n")\n        return 1\n    except ModuleNotFoundError',
        "tests/test_bad_input.py",
        "bad input exits 1",
        (
            "sys.stderr.write(error_line(prog, str(exc)))\n        return EXIT_USAGE\n    except ModuleNotFoundError",
            "sys.stderr.write(error_line(prog, str(exc)))\n        return 1\n    except ModuleNotFoundError",
        ),
    ),
    m(
        "L2",
        "compare/parity/command.py",
        "return EXIT_OK if all(r.passed for r in results) else EXIT_MISMATCH",
        "return EXIT_OK",
        "tests/test_cli.py",
        "parity always exits 0",
    ),
    m(
        "L3",
        "compare/options.py",
        'or value == float("inf"):',
        ":",
        "tests/test_train_cli.py tests/test_bad_input.py",
        "an infinite learning rate accepted",
    ),
    m(
        "L4",
        "compare/bench/command.py",
        "if args.repeats < 1:",
        "if args.repeats < 0:",
        "tests/test_bench.py",
        "--repeats 0 accepted",
        ('"--repeats", type=positive_int', '"--repeats", type=int'),  # the flag's type refuses it now
    ),
    m(
        "J1",
        OUTPUT,
        "return float(x) if math.isfinite(x) else None",
        "return float(x)",
        "tests/test_json.py",
        "inf written into JSON",
    ),
    m(
        "J2",
        "compare/parity/report.py",
        '"passed": all(r.passed for r in results)',
        '"passed": True',
        "tests/test_json.py tests/test_cli.py",
        "JSON always passed",
    ),
    # training
    m(
        "B1",
        "compare/training/batches.py",
        "order = rng.permutation(m)",
        "order = np.arange(m)",
        "tests/test_batches.py",
        "mini-batches never shuffled",
    ),
    m(
        "B2",
        "compare/training/run.py",
        'compare_arrays(framework, "loss_history", np.array(actual.loss_history), np.array(expected.loss_history), dtype),\n',
        "",
        "tests/test_train_cli.py",
        "loss history not compared",
    ),
    # guards added for hostile input (n/a on trees without them)
    m("G1", LIMITS, "if params > limits.params:", "if params > 10 * limits.params:", "tests/test_limits.py", "params limit x10"),
    m("G2", LIMITS, "if activations > limits.activations:", "if False:", "tests/test_limits.py", "activations unlimited"),
    m("G3", LIMITS, "if m > current().batch:", "if False:", "tests/test_limits.py", "batch unlimited"),
    m("G4", LIMITS, "if steps > current().steps:", "if False:", "tests/test_limits.py", "steps unlimited"),
    m("G5", LIMITS, "if nbytes > limits.file_bytes:", "if False:", "tests/test_hostile_files.py", "file bytes unlimited"),
    m(
        "G6",
        LIMITS,
        "if uncompressed > RATIO_FLOOR_BYTES and ratio > limit:",
        "if False:",
        "tests/test_hostile_files.py",
        "ratio unlimited",
    ),
    m("G7", LIMITS, "if members > limits.members:", "if False:", "tests/test_hostile_files.py", "member count unlimited"),
    m(
        "G8",
        FILES,
        "if header_bytes + nbytes > info.file_size:",
        "if False:",
        "tests/test_hostile_files.py",
        "npy header not checked",
    ),
    m(
        "G9",
        FILES,
        "if dtype_name not in SAFETENSORS_DTYPES:",
        "if False:",
        "tests/test_hostile_files.py",
        "bfloat16 let through",
    ),
    m("G10", VALIDATE, "if not 0 <= seed <= MAX_SEED:", "if not 0 <= seed:", "tests/test_limits.py", "seed 2**32 accepted"),
    m(
        "G11",
        VALIDATE,
        'return dtype.kind in "iuf"',
        'return dtype.kind in "iufm"',
        "tests/test_hostile_input.py",
        "timedelta64 is a number",
    ),
    m(
        "G12",
        OUTPUT,
        "if isinstance(value, float) and not math.isfinite(value):",
        "if False:",
        "tests/test_json.py",
        "NaN to the writer",
    ),
    m(
        "G13",
        HARNESS,
        "return self.finite and all(c.passed",
        "return all(c.passed",
        "tests/test_json.py",
        "non-finite parity passes",
    ),
    m(
        "G14",
        FILES,
        'with tempfile.NamedTemporaryFile(dir=path, prefix=".write-probe-") as probe:\n            probe.write(b"")',
        "if False:\n            pass",
        "tests/test_hostile_files.py",
        "no write probe",
    ),
    m(
        "G15",
        "compare/options.py",
        'return "".join(ch if ch.isprintable()',
        'return message or "".join(ch if ch.isprintable()',
        "tests/test_hostile_input.py",
        "newline kept",
    ),
    m(
        "G16",
        "compare/cli.py",
        'warnings.simplefilter("ignore", RuntimeWarning)',
        "pass",
        "tests/test_hostile_input.py",
        "overflow warnings on stderr",
    ),
    m(
        "G17",
        "compare/training/run.py",
        "return self.finite and all(c.passed",
        "return all(c.passed",
        "tests/test_hostile_input.py",
        "non-finite training passes",
    ),
    m(
        "G18",
        VALIDATE,
        "    if not np.all(np.isfinite(out)):",
        "    if False:",
        "tests/test_hostile_input.py",
        "overflow in the cast accepted",
    ),
    m("G19", LIMITS, "if values > current().history:", "if False:", "tests/test_limits.py", "history unlimited"),
    m("G20", LIMITS, "if spec.n_layers > limits.layers:", "if False:", "tests/test_limits.py", "layers unlimited"),
    m(
        "G21",
        "compare/options.py",
        "positive_int = int_in(1)",
        "positive_int = int_in(0)",
        "tests/test_bench.py tests/test_hostile_input.py",
        "0 taken as a count",
    ),
    m(
        "G22",
        FILES,
        "    if directory_bytes > allowed:",
        "    if False:",
        "tests/test_hostile_files.py",
        "zip directory unbounded",
    ),
    m(
        "G23",
        FILES,
        "check_file(_name(path, what), record[zipfile._ECD_ENTRIES_TOTAL], 0)",
        "pass",
        "tests/test_hostile_files.py",
        "EOCD count unchecked",
    ),
    m(
        "G24",
        FILES,
        "read_array(stream, allow_pickle=False)",
        "read_array(stream, allow_pickle=True)",
        "tests/test_bad_input.py",
        "pickle allowed",
    ),
    m(
        "G25",
        "compare/training/run.py",
        "if not math.isfinite(held):",
        "if False:",
        "tests/test_hostile_input.py",
        "l2 overflow in a framework",
    ),
    m(
        "G26",
        "core/regularization.py",
        "if not 0 <= l2 < math.inf:",
        "if not 0 <= l2:",
        "tests/test_limits.py tests/test_l2.py",
        "infinite l2",
    ),
    m(
        "G27",
        "core/optimizers.py",
        "if not 0 < self.learning_rate < math.inf:",
        "if not 0 < self.learning_rate:",
        "tests/test_optimizers.py",
        "infinite eta",
    ),
]


def copy_tree(commit: str, dest: Path) -> None:
    """The tree of ``commit`` (tracked files only) into ``dest``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)


def first_failure(output: str) -> str:
    """The first ``FAILED``/``ERROR`` test id in pytest's output, or its last line."""
    found = re.search(r"^(?:FAILED|ERROR) (\S+)", output, re.M)
    lines = output.strip().splitlines()
    return found.group(1) if found else (lines[-1] if lines else "")


def run_suite(tree: Path, focus: tuple[str, ...]) -> tuple[int, str, float]:
    """The focus files, then (if they pass) the whole quick suite, each with ``-x``; (exit code, first failure, seconds).

    Two runs, because pytest collects a file named beside its folder in the folder's order.
    The suite includes the focus files, so the outcome is the suite's either way.
    """
    present = [f for f in focus if (tree / f).is_file()]
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    start = time.monotonic()
    for paths in ([present] if present else []) + [["tests"]]:
        command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *WORKERS, *paths]
        try:
            done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return 124, "timeout", time.monotonic() - start
        if done.returncode != 0:
            return done.returncode, first_failure(done.stdout + done.stderr), time.monotonic() - start
    return 0, "", time.monotonic() - start


def main(argv: list[str] | None = None) -> int:
    """Run the mutants; print one line each and the score; 0 when the unmutated suite passes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commit", default="HEAD")
    parser.add_argument("--only", help="comma-separated mutant ids")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)
    chosen = [mu for mu in MUTANTS if not args.only or mu.id in args.only.split(",")]
    results = []
    with tempfile.TemporaryDirectory(prefix="mutants-") as tmp:
        tree = Path(tmp)
        copy_tree(args.commit, tree)
        code, failure, seconds = run_suite(tree, ())
        print(f"unmutated suite: exit {code} in {seconds:.0f} s {failure}", flush=True)
        if code != 0:
            return 1
        for mu in chosen:
            path = tree / mu.path
            text = path.read_text(encoding="utf-8") if path.is_file() else ""
            mutated = mu.change(text)
            if mutated is None:
                results.append({"id": mu.id, "what": mu.what, "path": mu.path, "outcome": "n/a"})
                print(f"{mu.id:4} n/a       {mu.path}: {mu.what}", flush=True)
                continue
            path.write_text(mutated, encoding="utf-8")
            shutil.rmtree(tree / ".pytest_cache", ignore_errors=True)
            try:
                code, failure, seconds = run_suite(tree, mu.focus)
            finally:
                path.write_text(text, encoding="utf-8")
            outcome = "survived" if code == 0 else "killed"
            results.append({"id": mu.id, "what": mu.what, "path": mu.path, "outcome": outcome, "by": failure, "seconds": seconds})
            print(f"{mu.id:4} {outcome:9} {mu.path}: {mu.what} ({seconds:.0f} s) {failure if code else ''}", flush=True)
    applicable = [r for r in results if r["outcome"] != "n/a"]
    killed = [r for r in applicable if r["outcome"] == "killed"]
    survivors = ", ".join(r["id"] for r in applicable if r not in killed) or "none"
    print(f"score: {len(killed)} of {len(applicable)} killed; survivors: {survivors}")
    if args.json:
        Path(args.json).write_text(json.dumps({"commit": args.commit, "results": results}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
