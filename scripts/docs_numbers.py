"""Every number the docs quote from the tool: the command that prints it, and where each one is quoted.

Each quoted number in README.md and docs/*.md sits between two invisible HTML comments,
``<!-- n:KEY -->1.4e-11<!-- /n -->`` (a generated table or code block likewise, the comments on
lines of their own). ``KEYS`` maps every KEY to its source and to how the quoted text is read
from that source's output. A source is a ``python -m compare`` command (``SOURCES``, each run
once however many keys read it), a page of the docs (numbers derived from a table on it), or
the project itself (a cheap function). Nothing between the comments is typed by hand::

    python scripts/docs_numbers.py --check         # one line per drifted number, exit 1 if any
    python scripts/docs_numbers.py --write         # run the commands, rewrite every span
    python scripts/docs_numbers.py --write --source train   # only the spans one source produces

``tests/test_docs_numbers.py`` runs the same sources and fails on any drift; the ``slow``
sources only under ``python -m pytest -m slow``. Timings (docs/benchmarks.md) are never
asserted: ``REGENERATED`` lists the commands that rewrite them.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: the project's packages (compare, core) are beside scripts/
    sys.path.insert(0, str(ROOT))

SPAN = re.compile(r"<!-- n:(?P<key>[a-z0-9-]+) -->(?P<text>.*?)<!-- /n -->", re.DOTALL)
OPENING = re.compile(r"<!-- n:|<!-- /n -->")
BENCHMARKS = "docs/benchmarks.md"

# Timings depend on the machine and its load: no test asserts them. These commands rewrite them.
REGENERATED = {
    "docs/benchmarks.md §1, start-up": "python -m compare bench --startup --runs 5",
    "docs/benchmarks.md §2a-2e, one training step": (
        "python -m compare bench --format json (and the variants §2 lists), then python scripts/bench_tables.py"
    ),
    "docs/benchmarks.md §2f, whole trainings": "python -m compare bench --train",
    "docs/benchmarks.md §4, test-suite time": "python scripts/suite_time.py --write",
}

OPTIMIZER_NAMES = {
    "sgd": "SGD",
    "momentum": "momentum",
    "nesterov": "Nesterov",
    "adagrad": "AdaGrad",
    "rmsprop": "RMSProp",
    "adam": "Adam",
}
BACKEND_NAMES = {"keras": "TensorFlow", "keras-jax": "JAX", "keras-torch": "the torch backend", "torch": "torch"}
KERAS_BACKENDS = ("keras", "keras-jax", "keras-torch")
FRAMEWORKS = ("torch", *KERAS_BACKENDS)
PARAMETERS = re.compile(r"^(W|b|gamma|beta)\d+$")  # the trained parameters among a training run's checks
WORDS = dict(
    enumerate(("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"))
)


# --- sources ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Where some quoted numbers come from: ``produce()`` gives its output (JSON-able), computed once per run."""

    name: str
    shown: str  # what the docs name: the command, or the page
    produce: Callable[[], Any]
    slow: bool = False  # checked only under ``pytest -m slow`` (a deterministic run of a minute or more)
    write_only: bool = False  # produces a block that --write pastes and another source's numbers check


def command(*args: str, json_out: bool = True) -> Callable[[], dict[str, Any]]:
    """A ``python -m compare ARGS`` run: ``{"report": its JSON, "stderr": ...}`` (or ``{"stdout": ...}``)."""

    def run() -> dict[str, Any]:
        done = subprocess.run([sys.executable, "-m", "compare", *args], cwd=ROOT, capture_output=True, text=True, timeout=900)
        if done.returncode not in (0, 1):  # 1: something differs, which some quoted runs show on purpose
            raise RuntimeError(f"python -m compare {' '.join(args)}: exit {done.returncode}: {done.stderr[-2000:]}")
        if json_out:
            return {"report": json.loads(done.stdout), "stderr": done.stderr}
        return {"stdout": done.stdout, "stderr": done.stderr}

    return run


ROWS = ("breast-cancer-2-4-1", "spiral-2-4-3", "iris-2-4-3", "spiral-2-32-3-bn-dropout")  # the cases whose rows are quoted


def _page(name: str) -> Callable[[], str]:
    return lambda: (ROOT / name).read_text(encoding="utf-8")


def _neglog_p_error() -> float:
    """docs/numerics.md §2: BCE at z = ln(1e12), y = 1, as -log(p) of the stored p = sigma(z), against log1p(e^-z)."""
    import numpy as np

    z = np.log(1e12)
    exact = np.log1p(np.exp(-z))
    return float(abs(-np.log(1 / (1 + np.exp(-z))) - exact) / exact)


def _project() -> dict[str, Any]:
    """Numbers of the project itself, cheap to compute here: the data sets' sizes, the float32 roundings, exp's limits."""
    import numpy as np

    from compare.data.cases import get_case
    from compare.training.batches import steps_per_epoch
    from compare.training.command import _table_rows
    from core.training import recorded

    steps, every = 10_000, 1_000  # the README's `train --arch worked-2-2-2 --steps 10000 --every 1000`
    kept = [k for k in range(1, steps + 1) if recorded(k, steps, every)]
    slope = float(np.float32(0.01))
    return {
        "rows": {name: int(get_case(name).X.shape[0]) for name in ROWS},
        "every-1000-recorded": len(kept),
        "every-1000-shown": [kept[i] for i in _table_rows(len(kept))],
        "mu-float32": repr(float(np.float32(0.9))),
        "slope-float32": slope,
        "slope-relative": (0.01 - slope) / 0.01,
        "eta-float32": float(np.float32(0.1)),
        "exp-overflow": {dtype: float(np.log(np.finfo(dtype).max)) for dtype in ("float64", "float32")},
        "ln-1e12": float(np.log(1e12)),
        "neglog-p-error": _neglog_p_error(),
        "fit-steps-per-epoch": steps_per_epoch(int(get_case("spiral-2-4-3").X.shape[0]), 32),  # fit's default batch_size
    }


STUDENTS_CHECK = "python -m compare check examples/students/"
# docs/students.md's `check` runs, each quoted as a whole code block: its key and the exact command the page shows.
# Runs that depend on each other (the weights one saves and the next reads) form one group, run in order.
STUDENT_RUNS: tuple[tuple[tuple[str, str], ...], ...] = tuple(
    tuple((key, cmd.replace("CHECK ", STUDENTS_CHECK)) for key, cmd in group)
    for group in (
        (("students-prints", "CHECK styles/prints_while_training.py --arch worked-2-2-2 --frameworks scratch"),),
        (
            (
                "students-prints-json",
                "CHECK styles/prints_while_training.py --arch worked-2-2-2 --frameworks scratch --format json | python -c "
                "\"import json, sys; r = json.load(sys.stdin); print(r['passed'], r['printed'].splitlines()[:2])\"",
            ),
        ),
        (
            (
                "students-notebook-csv",
                "CHECK styles/notebook_style.py:forward_propagation,compute_cost,backward_propagation "
                "--arch 2-4-1:tanh,sigmoid:bce --convention columns --data examples/students/styles/two_blobs.csv "
                "--frameworks scratch",
            ),
        ),
        (
            (
                "students-save-weights",
                "python -m compare parity --arch fish-2-4-3 --seed 3 --frameworks scratch --save-weights out | tail -n 1",
            ),
            (
                "students-weights",
                "CHECK correct_rows.py --arch spiral-2-4-3 --convention rows --weights out/fish-2-4-3.safetensors "
                "--frameworks scratch | head -n 3",
            ),
        ),
        (
            (
                "students-online",
                "CHECK styles/online_network.py --arch worked-2-2-2 --convention columns --per-sample --reduction sum "
                "--names W=weights,b=biases --frameworks scratch",
            ),
        ),
        (
            (
                "students-summed",
                "CHECK summed_reduction.py --arch 2-4-1:sigmoid,sigmoid:bce --convention columns --frameworks scratch",
            ),
        ),
        (
            (
                "students-summed-sum",
                "CHECK summed_reduction.py --arch 2-4-1:sigmoid,sigmoid:bce --convention columns --reduction sum "
                "--frameworks scratch | tail -n 3",
            ),
        ),
        (
            (
                "students-l2-present",
                "CHECK l2_present.py --arch 2-4-1:sigmoid,sigmoid:bce --convention columns --frameworks scratch | tail -n 4",
            ),
        ),
        (
            (
                "students-l2-present-l2",
                "CHECK l2_present.py --arch 2-4-1:sigmoid,sigmoid:bce --convention columns --l2 0.7 --frameworks scratch "
                "| tail -n 2",
            ),
        ),
        (
            (
                "students-l2-missing",
                "CHECK l2_missing_in_gradients.py --arch 2-4-1:sigmoid,sigmoid:bce --convention columns --l2 0.7 "
                "--frameworks scratch | tail -n 4",
            ),
        ),
        (
            (
                "students-script-l2",
                "CHECK styles/script_l2.py:loss --arch spiral-2-4-3 --convention rows --l2 0.05 --names W1=w1,W2=w2 "
                "--frameworks scratch | tail -n 4",
            ),
        ),
        (
            (
                "students-script-l2-batch",
                "CHECK styles/script_l2.py:loss --arch spiral-2-4-3 --convention rows --l2 0.05 --l2-form batch "
                "--names W1=w1,W2=w2 --frameworks scratch | tail -n 3",
            ),
        ),
        (("students-fd", "CHECK wrong_upstream.py --arch worked-2-2-2 --fd --frameworks scratch"),),
        (
            (
                "students-forgot-1-over-m",
                "CHECK forgot_1_over_m.py --arch 2-4-1:sigmoid,sigmoid:bce --convention columns --frameworks scratch",
            ),
        ),
        (
            (
                "students-json",
                "CHECK sign_flip.py --arch worked-2-2-2 --frameworks scratch --format json | python -c "
                '"import json, sys; r = json.load(sys.stdin); print(sorted(r)); '
                "print(r['first_wrong']['quantity'], r['first_wrong']['yours'], r['first_wrong']['expected'])\"",
            ),
        ),
        (
            (
                "students-hint-activation",
                "CHECK wrong_activation_derivative.py --arch spiral-2-4-3 --convention rows --frameworks scratch | tail -n 4",
            ),
        ),
        (
            (
                "students-hint-tanh",
                "CHECK tanh_derivative_1_minus_a.py --arch 2-4-1:tanh,sigmoid:bce --convention columns "
                "--frameworks scratch | tail -n 3 | head -n 1",
            ),
        ),
        (
            (
                "students-hint-relu-mask",
                "CHECK missing_relu_mask.py --arch spiral-2-4-3 --convention rows --frameworks scratch | tail -n 3 | head -n 1",
            ),
        ),
        (
            (
                "students-hint-bias-axis",
                "CHECK bias_wrong_axis.py --arch 2-4-1:sigmoid,sigmoid:bce --convention columns --frameworks scratch "
                "| tail -n 3 | head -n 1",
            ),
        ),
    )
)


# docs/students.md's `check --framework` runs, quoted likewise (torch or Keras imported in each: 20 s for all ten here).
FRAMEWORK_SPIRAL = "--arch spiral-2-4-3"
FRAMEWORK_STUDENT_RUNS: tuple[tuple[tuple[str, str], ...], ...] = tuple(
    ((key, f"{STUDENTS_CHECK}{cmd}"),)
    for key, cmd in (
        ("students-torch-double-softmax", f"torch_double_softmax.py --framework torch {FRAMEWORK_SPIRAL}"),
        (
            "students-torch-zero-grad",
            f"torch_zero_grad_missing.py --framework torch {FRAMEWORK_SPIRAL} | tail -n 3 | head -n 1",
        ),
        ("students-keras-adam-defaults", f"keras_adam_defaults.py --framework keras {FRAMEWORK_SPIRAL} | tail -n 3 | head -n 1"),
        ("students-torch-wrong-activation", f"torch_wrong_activation.py --framework torch {FRAMEWORK_SPIRAL}"),
        ("students-keras-wrong-width", f"keras_wrong_width.py --framework keras {FRAMEWORK_SPIRAL}"),
        ("students-torch-no-loss-fn", f"torch_no_loss_fn.py --framework torch {FRAMEWORK_SPIRAL}"),
        ("students-torch-no-build-model", f"torch_no_build_model.py --framework torch {FRAMEWORK_SPIRAL}"),
        ("students-torch-float32", f"torch_float32_model.py --framework torch {FRAMEWORK_SPIRAL} | head -n 1"),
        (
            "students-torch-float32-as-float64",
            f"torch_float32_model.py --framework torch {FRAMEWORK_SPIRAL} --dtype float64 | tail -n 3 | head -n 1",
        ),
        (
            "students-torch-json",
            f"torch_zero_grad_missing.py --framework torch {FRAMEWORK_SPIRAL} --format json | python -c "
            "\"import json, sys; r = json.load(sys.stdin); print(sorted(r)); print(sorted(r['cases'][0])); "
            "print(r['first_wrong']['quantity'], [h['key'] for h in r['hints']])\"",
        ),
    )
)


def _student_group(commands: Sequence[str], root: Path) -> dict[str, str]:
    """One group of docs/students.md's runs, in order, as the page's shell runs them: ``{command: what it shows}``.

    What a command shows is its stdout, or its stderr when stdout is empty (a refused file: exit 2 and one line).

    They run in a scratch folder that links ``examples/`` (so ``--save-weights out`` writes nowhere in
    the repository), with ``python`` this interpreter and the project importable.
    """
    import os

    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env["PYTHONPATH"] = f"{ROOT}{os.pathsep}{env['PYTHONPATH']}" if env.get("PYTHONPATH") else str(ROOT)
    (root / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    out = {}
    for cmd in commands:
        done = subprocess.run(
            cmd, shell=True, executable="/bin/bash", cwd=root, env=env, capture_output=True, text=True, timeout=300
        )
        shown = done.stdout if done.stdout.strip() else done.stderr if done.returncode == 2 else ""
        if not shown.strip():
            raise RuntimeError(f"{cmd}: exit {done.returncode}, printed nothing: {done.stderr[-2000:]}")
        out[cmd] = shown
    return out


def _students(runs: tuple[tuple[tuple[str, str], ...], ...] = STUDENT_RUNS) -> dict[str, str]:
    """docs/students.md's ``check`` runs ``runs``, two side by side: ``{command: what it shows}``."""
    import tempfile
    from concurrent.futures import ThreadPoolExecutor

    with tempfile.TemporaryDirectory() as scratch, ThreadPoolExecutor(max_workers=2) as pool:
        folders = [Path(scratch) / f"{i}" for i in range(len(runs))]
        for folder in folders:
            folder.mkdir()
        groups = [[cmd for _, cmd in group] for group in runs]
        return {cmd: text for part in pool.map(_student_group, groups, folders) for cmd, text in part.items()}


def _train_args(*args: str) -> tuple[str, ...]:
    return ("train", *args, "--format", "json")


def _side_by_side(runs: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """``{name: the JSON report of python -m compare ARGS}`` for each of ``runs``, two commands side by side."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = pool.map(lambda args: command(*args)()["report"], runs.values())
        return dict(zip(runs, reports, strict=True))


NESTEROV_EDGE = _train_args(
    "--arch", "spiral-2-4-3", "--optimizer", "nesterov", "--learning-rate", "1", "--steps", "1000", "--frameworks", "torch,keras"
)
# docs/training.md's --framework-defaults table: one 1,000-step run per optimizer, eta given (the matched run's eta)
DEFAULTS_RUNS = (
    ("sgd", "1"),
    ("momentum", "0.1"),
    ("nesterov", "0.1"),
    ("adagrad", "0.01"),
    ("rmsprop", "0.01"),
    ("adam", "0.01"),
)
DEFAULTS_COMMAND = "python -m compare train --optimizer OPT --learning-rate ETA --framework-defaults --steps 1000"
DEFAULTS_COMMAND += " --frameworks torch,keras --format json"
WORKED = ("--arch", "worked-2-2-2", "--learning-rate", "0.5", "--steps", "10000", "--every", "1", "--frameworks", "torch,keras")
WORKED_COMMAND = f"python -m compare train {' '.join(WORKED)} [--freeze-biases] --format json"
L2_RUN = _train_args("--l2", "0.1", "--steps", "1", "--frameworks", "torch,keras")


def _defaults() -> dict[str, Any]:
    """docs/training.md's --framework-defaults runs: ``{optimizer: its JSON report}``."""
    flags = ("--framework-defaults", "--steps", "1000", "--frameworks", "torch,keras")
    return _side_by_side({name: _train_args("--optimizer", name, "--learning-rate", eta, *flags) for name, eta in DEFAULTS_RUNS})


def _worked() -> dict[str, Any]:
    """The worked example trained 10,000 steps, biases frozen and trained: ``{"frozen": report, "trained": report}``."""
    return _side_by_side({"frozen": _train_args(*WORKED, "--freeze-biases"), "trained": _train_args(*WORKED)})


FLOAT64_EPS = 2.220446049250313e-16  # 1 + it is the next float64 after 1: the perturbation below


def _perturbed() -> dict[str, Any]:
    """scratch against itself: Nesterov on the spiral from its weights and from them x (1 + 2.2e-16), 1,000 steps.

    Per eta (the case's own, and Nesterov's default eta (1 - mu) times it), the largest relative
    parameter difference between the two runs at each recorded step (every 100th, as the train
    command records 1,000 steps by default), the measure of the train report's ``divergence``.
    """
    import dataclasses

    from compare.data.cases import get_case
    from compare.training.run import default_learning_rate, param_divergence, run_training

    case = get_case("spiral-2-4-3")
    nudged = dataclasses.replace(case, params={name: value * (1 + FLOAT64_EPS) for name, value in case.params.items()})
    out = {}
    for eta in (case.learning_rate, default_learning_rate("nesterov", case.learning_rate)):
        first, second = (
            run_training(c, optimizer="nesterov", dtype="float64", frameworks=(), learning_rate=eta, steps=1000, every=100)
            for c in (case, nudged)
        )
        steps = first.results["scratch"].steps
        out[f"{eta:g}"] = {"steps": steps, "divergence": param_divergence(second.results["scratch"], first.results["scratch"])}
    return {eta: {"steps": run["steps"], "divergence": [float(v) for v in run["divergence"]]} for eta, run in out.items()}


def _losses() -> dict[str, float]:
    """docs/numerics.md §3: the frameworks' own losses on probabilities, and the exact values they are set against.

    Keras on TensorFlow (the backend keras_impl selects) and torch, called as the table shows.
    """
    import importlib

    importlib.import_module("keras_impl")  # first: it selects the TensorFlow backend before keras is imported
    import keras
    import numpy as np
    import torch

    def keras_bce(p: Any, dtype: str | None = "float64") -> float:
        return float(keras.losses.BinaryCrossentropy(dtype=dtype)(np.array([[1.0]]), p))

    def probability(value: float, dtype: str = "float64") -> Any:
        return keras.ops.convert_to_tensor(np.array([[value]]), dtype=dtype)

    def sigmoid_output(z: float) -> Any:
        return keras.layers.Activation("sigmoid", dtype="float64")(probability(z))

    def torch_bce(p: Any) -> float:
        one = torch.tensor([1.0], dtype=torch.float64)
        return float(torch.nn.BCELoss()(torch.as_tensor(p, dtype=torch.float64).reshape(1), one).item())

    ln_1e12 = float(np.log(1e12))
    logit = torch.tensor([-1000.0], dtype=torch.float64)
    return {
        "keras-probability": keras_bce(probability(1e-12)),
        "keras-probability-float32": keras_bce(probability(1e-12, "float32"), None),  # floatx: float32
        "keras-sigmoid-100": keras_bce(sigmoid_output(-100.0)),
        "keras-sigmoid-ln-1e12": keras_bce(sigmoid_output(-ln_1e12)),
        "torch-1e-12": torch_bce(1e-12),
        "torch-1e-50": torch_bce(1e-50),
        "torch-sigmoid-1000": torch_bce(torch.sigmoid(logit)),
        "torch-logits-1000": float(torch.nn.BCEWithLogitsLoss()(logit, torch.tensor([1.0], dtype=torch.float64)).item()),
        "exact-100": float(np.logaddexp(0.0, 100.0)),  # -log sigma(-100) = log(1 + e^100)
        "exact-1e-50": float(-np.log(1e-50)),
        "exact-1000": float(np.logaddexp(0.0, 1000.0)),
    }


FD_NETS, FD_STEP, KINK_MARGIN = 400, 1e-6, 1e-3  # tests/test_properties.py's h and kink margin


def _fd_nets() -> dict[str, Any]:
    """docs/numerics.md §6: scratch's chain rule against central differences on FD_NETS random nets.

    Net ``seed`` draws from ``RandomState(seed)`` what tests/test_properties.py's strategy draws
    (1-4 weight layers, widths 1-12, any hidden activation, any output pairing, a batch of 1-8, a
    gain of 0.5, 1 or 2), then its weights and data as that test's ``make_problem`` does; a net with
    a ReLU-family |z| within KINK_MARGIN of 0 is skipped, as the test skips it. The measure is the
    test's: the largest |chain rule - finite difference| over all gradients, over max(1, |L|).
    """
    import numpy as np

    from core.activations import ACTIVATIONS
    from core.spec import Spec
    from scratch.gradcheck import numerical_gradients
    from scratch.model import evaluate, forward

    hidden = [name for name, record in ACTIVATIONS.items() if record.hidden]
    kinked = {name for name, record in ACTIVATIONS.items() if record.kink_at_zero}
    pairings = [("sigmoid", "bce", 1, 1), ("softmax", "cce", 2, 12)]
    pairings += [(activation, loss, 1, 12) for activation in hidden for loss in ("sse", "mse")]
    worst, skipped = 0.0, 0
    for seed in range(FD_NETS):
        rng = np.random.RandomState(seed)
        depth = int(rng.randint(1, 5))
        output, loss, n_min, n_max = pairings[rng.randint(len(pairings))]
        activations = (*(hidden[rng.randint(len(hidden))] for _ in range(depth - 1)), output)
        sizes = [int(rng.randint(1, 13)) for _ in range(depth)] + [int(rng.randint(n_min, n_max + 1))]
        m, gain = int(rng.randint(1, 9)), (0.5, 1.0, 2.0)[rng.randint(3)]
        spec = Spec(tuple(sizes), activations, loss)
        params = {}
        for l in range(1, depth + 1):
            limit = gain * np.sqrt(6.0 / (sizes[l - 1] + sizes[l]))
            params[f"W{l}"] = rng.uniform(-limit, limit, size=(sizes[l], sizes[l - 1]))
            params[f"b{l}"] = rng.uniform(-0.5, 0.5, size=sizes[l])
        X = rng.normal(0.0, 1.0, size=(m, sizes[0]))
        if loss == "bce":
            y = rng.randint(0, 2, size=m)
        elif loss == "cce":
            y = rng.randint(0, sizes[-1], size=m)
        else:
            y = rng.uniform(-1.0, 1.0, size=(m, sizes[-1]))
        z, _ = forward(spec, params, X)
        if any(np.abs(z[l]).min() <= KINK_MARGIN for l, name in enumerate(activations, start=1) if name in kinked):
            skipped += 1
            continue
        trace = evaluate(spec, params, X, y, "float64")
        numeric = numerical_gradients(spec, params, X, y, h=FD_STEP)
        error = max(float(np.abs(trace.grads[name] - numeric[name]).max()) for name in numeric)
        worst = max(worst, error / max(1.0, abs(float(trace.loss))))
    return {"drawn": FD_NETS, "measured": FD_NETS - skipped, "worst": worst}


SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source("project", "the project's own functions (scripts/docs_numbers.py _project)", _project),
        Source("benchmarks", f"the tables of {BENCHMARKS}", _page(BENCHMARKS)),
        Source("parity", "python -m compare --format json", command("--format", "json")),
        Source(
            "parity-sample",
            "python -m compare --arch worked-2-2-2 --arch spiral-2-4-3",
            command("--arch", "worked-2-2-2", "--arch", "spiral-2-4-3", json_out=False),
            write_only=True,
        ),
        Source("students", "python -m compare check ... (the runs docs/students.md shows, two side by side)", _students),
        Source(
            "students-frameworks",
            "python -m compare check ... --framework torch|keras (the runs docs/students.md shows, two side by side)",
            partial(_students, FRAMEWORK_STUDENT_RUNS),
            slow=True,
        ),
        Source(
            "train",
            "python -m compare train --arch spiral-2-4-3 --optimizer all --steps 1000 --dtype both --format json",
            command(*_train_args("--arch", "spiral-2-4-3", "--optimizer", "all", "--steps", "1000", "--dtype", "both")),
        ),
        Source(
            "train-bn",
            "python -m compare train --arch spiral-2-32-3-bn-dropout --optimizer all --steps 300 --format json",
            command(*_train_args("--arch", "spiral-2-32-3-bn-dropout", "--optimizer", "all", "--steps", "300")),
            slow=True,
        ),
        Source("perturbed", "scratch trained twice, from weights 2.2e-16 apart (scripts/docs_numbers.py _perturbed)", _perturbed),
        Source("nesterov-edge", f"python -m compare {' '.join(NESTEROV_EDGE)}", command(*NESTEROV_EDGE), slow=True),
        Source("train-defaults", f"{DEFAULTS_COMMAND}, one run per row of the table", _defaults, slow=True),
        Source("train-worked", WORKED_COMMAND, _worked, slow=True),
        Source("train-l2", f"python -m compare {' '.join(L2_RUN)}", command(*L2_RUN), slow=True),
        Source(
            "losses", "torch's and Keras's own BCE losses on probabilities (scripts/docs_numbers.py _losses)", _losses, slow=True
        ),
        Source(
            "fd-nets",
            f"scratch's gradients against finite differences on {FD_NETS} random nets (scripts/docs_numbers.py _fd_nets)",
            _fd_nets,
            slow=True,
        ),
        Source(
            "train-adam-defaults",
            "python -m compare train --optimizer adam --framework-defaults --learning-rate 0.01 --steps 300 --every 1 "
            "--format json",
            command(
                *_train_args(
                    "--optimizer", "adam", "--framework-defaults", "--learning-rate", "0.01", "--steps", "300", "--every", "1"
                )
            ),
            slow=True,
        ),
    )
}


# --- formats -----------------------------------------------------------------------------------------------------------


def e1(value: float) -> str:
    """``3.6e-4``: one decimal, the exponent without its leading zero (the docs' prose)."""
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def e1_tool(value: float) -> str:
    """``3.6e-04``: one decimal, as the tool's tables print it."""
    return f"{value:.1e}"


def word(count: int) -> str:
    """A count as the prose spells it: ``nine``."""
    return WORDS.get(count, f"{count:,}")


# --- reading the reports ---------------------------------------------------------------------------------------------


def plain(case: Mapping[str, Any]) -> bool:
    """A built-in case without batch norm (the seven the tolerance tables were measured on)."""
    return "bn" not in case["spec"]


def parity_checks(
    report: Mapping[str, Any], dtype: str, frameworks: Iterable[str], cases: Callable[[Mapping[str, Any]], bool] = plain
) -> Iterator[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    """``(case, check)`` for every check of ``frameworks`` in ``dtype`` on the cases ``cases`` keeps."""
    wanted = set(frameworks)
    for case in report["cases"]:
        if case["dtype"] == dtype and cases(case):
            for check in case["checks"]:
                if check["framework"] in wanted:
                    yield case, check


def worst(
    report: Mapping[str, Any],
    dtype: str,
    field: str,
    frameworks: Iterable[str] = ("torch", "keras"),
    cases: Callable[[Mapping[str, Any]], bool] = plain,
) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """The ``(case, check)`` with the largest ``field`` (``max_abs_err`` or ``max_rel_err``); the first of equals."""
    found = list(parity_checks(report, dtype, frameworks, cases))
    return max(found, key=lambda pair: pair[1][field] or 0.0)


def entry(case: Mapping[str, Any], check: Mapping[str, Any]) -> dict[str, float]:
    """The entry a check's largest relative error was taken at (the report's ``max_rel_err_at``): its size, its errors."""
    at = case["results"][check["framework"]]["max_rel_err_at"][check["quantity"]]
    return {"size": abs(at["expected"]), "abs": abs(at["actual"] - at["expected"]), "rel": check["max_rel_err"]}


def where(case: Mapping[str, Any], check: Mapping[str, Any], framework: bool = True) -> str:
    """```db2`, spiral-2-4-3, keras``: the quantity, the case and (optionally) the framework of a check."""
    return f"`{check['quantity']}`, {case['name']}" + (f", {check['framework']}" if framework else "")


def cancelled(report: Mapping[str, Any]) -> dict[str, float]:
    """Keras on JAX's worst float64 entry (docs/numerics.md §4b, docs/tolerances.md), against its 200-bit exact value.

    The entry (the parity report's ``max_rel_err_at``) is delta_{L-1}[i, j] = sum_k W_L[k, j] delta_L[i, k]
    of a net with a softmax + cce output after a ReLU: computed here again with 200-bit floats (mpmath)
    from the case's float64 weights and data. Returns its size, the largest of its terms, the
    smallest |delta_L[i, k]| among the terms' true class (p - 1, cancelled from 1), JAX's and scratch's
    distances from the exact value (relative) and from each other (absolute).

    Raises:
        ValueError: the worst entry moved to another kind of quantity or net: the pages' prose needs rewriting.
    """
    import numpy as np
    from mpmath import mp, mpf

    from compare.data.cases import get_case

    case, check = worst(report, "float64", "max_rel_err", ("keras-jax",))
    quantity, spec = check["quantity"], case["spec"]
    if not re.fullmatch(r"\d+-\d+-\d+:relu,softmax:cce", spec) or quantity != "delta1":
        raise ValueError(f"Keras on JAX's worst entry is now in {quantity} of {case['name']} ({spec}): rewrite the prose")
    at = case["results"]["keras-jax"]["max_rel_err_at"][quantity]
    i, j = at["index"]
    data = get_case(case["name"])
    mp.prec = 200
    W1, b1, W2, b2 = ([[mpf(float(v)) for v in row] for row in np.atleast_2d(data.params[k])] for k in ("W1", "b1", "W2", "b2"))
    x = [mpf(float(v)) for v in data.X[i]]
    z1 = [sum(W1[k][q] * x[q] for q in range(len(x))) + b1[0][k] for k in range(len(W1))]
    a1 = [v if v > 0 else mpf(0) for v in z1]
    z2 = [sum(W2[k][q] * a1[q] for q in range(len(a1))) + b2[0][k] for k in range(len(W2))]
    e = [mp.exp(v - max(z2)) for v in z2]
    label = int(data.y[i])
    delta2 = [e[k] / sum(e) - (1 if k == label else 0) for k in range(len(W2))]
    terms = [W2[k][j] * delta2[k] for k in range(len(W2))]
    if not z1[j] > 0:  # a ReLU that blocks: the entry would be 0, never a relative error
        raise ValueError(f"{case['name']} delta1{[i, j]}: z1 <= 0 there")
    exact = sum(terms)
    return {
        "size": float(abs(exact)),
        "terms": float(max(abs(t) for t in terms)),
        "p": float(abs(delta2[label])),
        "jax": float(abs(mpf(at["actual"]) - exact) / abs(exact)),
        "scratch": float(abs(mpf(at["expected"]) - exact) / abs(exact)),
        "abs": abs(at["actual"] - at["expected"]),
    }


def logits(report: Mapping[str, Any], dtype: str) -> dict[str, float]:
    """The worst absolute error in ``dtype`` (docs/tolerances.md): the largest |z_L| of that case, and the error over it.

    scratch's logits, computed here again (the parity run's scratch pass is the same, bit for bit).

    Raises:
        ValueError: the worst absolute error is no longer in the logits z_L: the page's prose needs rewriting.
    """
    import numpy as np

    from compare.data.cases import get_case
    from scratch.model import evaluate

    case, check = worst(report, dtype, "max_abs_err")
    data = get_case(case["name"])
    if check["quantity"] != f"z{data.spec.n_layers}":
        raise ValueError(f"the worst absolute error in {dtype} is now in {check['quantity']}: rewrite the prose")
    largest = float(np.abs(evaluate(data.spec, data.params, data.X, data.y, dtype).z[data.spec.n_layers]).max())
    return {"largest": largest, "relative": check["max_abs_err"] / largest}


def runs(report: Mapping[str, Any], dtype: str) -> list[Mapping[str, Any]]:
    """A training report's runs in ``dtype``, in the order the tool ran them (one per optimizer)."""
    return [run for run in report["runs"] if run["dtype"] == dtype]


def check_of(run: Mapping[str, Any], framework: str, quantity: str) -> Mapping[str, Any]:
    """One check of a training run."""
    return next(c for c in run["checks"] if c["framework"] == framework and c["quantity"] == quantity)


def params_error(run: Mapping[str, Any], framework: str) -> float:
    """The tool's parameter check: the largest elementwise relative difference over all final parameters."""
    return max(c["max_rel_err"] for c in run["checks"] if c["framework"] == framework and PARAMETERS.match(c["quantity"]))


def framework_passed(run: Mapping[str, Any], framework: str) -> bool:
    """Whether every check of ``framework`` in a training run passed (the tool's ✓ for it)."""
    return all(c["passed"] for c in run["checks"] if c["framework"] == framework)


def worst_run(report: Mapping[str, Any], dtype: str, frameworks: Sequence[str]) -> tuple[float, str, str]:
    """``(error, optimizer, framework)``: the largest parameter check over the runs in ``dtype``."""
    return max((params_error(run, fw), run["optimizer"]["name"], fw) for run in runs(report, dtype) for fw in frameworks)


def worst_loss(report: Mapping[str, Any], dtype: str, frameworks: Sequence[str]) -> float:
    """The largest loss-history check over the runs in ``dtype``."""
    return max(check_of(run, fw, "loss_history")["max_rel_err"] for run in runs(report, dtype) for fw in frameworks)


def described(optimizer: str, framework: str) -> str:
    """``RMSProp on TensorFlow``: an optimizer's run on a framework, in words."""
    return f"{OPTIMIZER_NAMES[optimizer]} on {BACKEND_NAMES[framework]}"


def table(header: Sequence[str], rows: Iterable[Sequence[str]], align: Sequence[str] | None = None) -> str:
    """A Markdown table, on lines of its own between the span's comments."""
    rule = align or ["---"] * len(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(rule) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n\n" + "\n".join(lines) + "\n\n"


def recorded_steps(report: Mapping[str, Any]) -> int:
    """How many steps a training report recorded (the steps its loss-history check compares)."""
    return len(report["runs"][0]["results"]["scratch"]["loss_steps"])


def train_table(report: Mapping[str, Any], dtype: str, frameworks: Sequence[str]) -> str:
    """Per optimizer and framework: the tool's checks, final loss and accuracy (and ✓/✗ in float32)."""
    header = ["optimizer", "η", "framework", "parameters (worst of W, b)", f"loss at the {recorded_steps(report)} recorded steps"]
    header += ["final loss", "accuracy"] + (["verdict"] if dtype == "float32" else [])
    rows = []
    for run in runs(report, dtype):
        for fw in frameworks:
            result = run["results"][fw]
            row = [run["optimizer"]["name"], f"{run['optimizer']['hyperparameters']['learning_rate']:g}", fw]
            row += [e1_tool(params_error(run, fw)), e1_tool(check_of(run, fw, "loss_history")["max_rel_err"])]
            row += [f"{result['final_loss']:.6f}", f"{result['accuracy']:.3f}"]
            rows.append(row + (["✓" if framework_passed(run, fw) else "✗"] if dtype == "float32" else []))
    return table(header, rows)


def backends_table(report: Mapping[str, Any]) -> str:
    """Per optimizer, the parameter check of Keras on each backend (float64)."""
    header = ["optimizer", "keras (TensorFlow)", "keras-jax", "keras-torch"]
    rows = [
        [run["optimizer"]["name"], *(e1_tool(params_error(run, fw)) for fw in KERAS_BACKENDS)] for run in runs(report, "float64")
    ]
    return table(header, rows)


def bn_parity_table(report: Mapping[str, Any]) -> str:
    """spiral-2-32-3-bn-dropout: per framework, the largest abs and rel error over all quantities and both modes."""

    def bn(case: Mapping[str, Any]) -> bool:
        return case["name"] == "spiral-2-32-3-bn-dropout"

    rows = []
    for fw in FRAMEWORKS:
        row = [fw]
        for dtype in ("float64", "float32"):
            for field in ("max_abs_err", "max_rel_err"):
                case, check = worst(report, dtype, field, (fw,), bn)
                mode = "" if case["mode"] == "train" else f", {case['mode']}"
                row.append(f"{e1_tool(check[field])} ({check['quantity']}{mode})")
        rows.append(row)
    return table(["", "float64 max abs", "float64 max rel", "float32 max abs", "float32 max rel"], rows)


def bn_train_table(report: Mapping[str, Any]) -> str:
    """spiral-2-32-3-bn-dropout trained: per optimizer, the worst check over the four frameworks and two of them."""
    rows = []
    for run in report["runs"]:
        top = max((c for c in run["checks"] if c["framework"] in FRAMEWORKS), key=lambda c: c["max_rel_err"])

        def largest(quantity: str, run: Mapping[str, Any] = run) -> str:
            return e1_tool(max(check_of(run, fw, quantity)["max_rel_err"] for fw in FRAMEWORKS))

        cell = f"{e1_tool(top['max_rel_err'])} ({top['quantity']}, {top['framework']})"
        rows.append([run["optimizer"]["name"], cell, largest("loss_history"), largest("final_output")])
    return table(["optimizer", "worst (quantity, framework)", "loss history", "inference output"], rows)


def holds_block(report: Mapping[str, Any]) -> str:
    """The ``FRAMEWORK holds: ...`` lines a ``--framework-defaults`` run prints under its loss table."""
    from compare.training.command import _settings_text

    settings = report["runs"][0]["optimizer"]["settings"]
    return "\n```\n" + "\n".join(f"{fw} holds: {_settings_text(held)}" for fw, held in settings.items()) + "\n```\n"


def progress_line(stderr: str) -> str:
    """The first progress line of a parity run (what it will run), without the ``python -m compare: `` prefix."""
    line = next(line for line in stderr.splitlines() if ": comparing " in line)
    return "`" + line.split(": ", 1)[1] + "`"


def bench_table(page: str, heading: str) -> list[list[str]]:
    """The body rows of the first Markdown table after the line that starts with ``heading`` on the page."""
    lines = page.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    first = next(i for i in range(start, len(lines)) if lines[i].startswith("|"))
    rows = []
    for line in lines[first + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def ratio(cell: str) -> float:
    """``108 x3.59`` or ``x0.95`` or ``**1.53**`` -> the ratio."""
    return float(re.search(r"x?([\d.]+)\**$", cell.replace(",", ""))[1])  # type: ignore[index]


def lecture_ratios(page: str, columns: Sequence[int]) -> list[float]:
    """docs/benchmarks.md §2a: each lecture net's ``x scratch`` ratios in the given columns."""
    rows = bench_table(page, "### 2a.")
    return [ratio(row[c]) for row in rows for c in columns]


def startup_ratio(page: str) -> float:
    """docs/benchmarks.md §1: the default run's median against the import floor (five implementations)."""
    rows = bench_table(page, "**Now, with Keras on three backends**")
    return ratio(next(row for row in rows if row[0].startswith("`python -m compare` ("))[-1])


def train_ratios(page: str) -> list[float]:
    """docs/benchmarks.md §2f: each framework's median training against its compiled steps."""
    return [ratio(row[5]) for row in bench_table(page, "## 2f.")]


def train_step_ratios(page: str) -> list[float]:
    """docs/benchmarks.md §2f: each framework's training loop per step (beyond its one-time costs) against its compiled step."""
    return [ratio(row[9]) for row in bench_table(page, "## 2f.")]


# --- the keys ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    """One quoted number (or table, or line): its source and how its text is read from that source's output.

    ``checked_by`` is for a block pasted from a command that the tests do not run: another source
    and a function that returns what in the block disagrees with it (an empty list when nothing).
    """

    key: str
    source: str
    text: Callable[[Any], str]
    checked_by: tuple[str, Callable[[str, Any], list[str]]] | None = None


def parity_key(key: str, text: Callable[[Mapping[str, Any]], str]) -> Key:
    """A key read from the parity report."""
    return Key(key, "parity", lambda out: text(out["report"]))


def train_key(key: str, text: Callable[[Mapping[str, Any]], str], source: str = "train") -> Key:
    """A key read from a training report (the spiral's 1,000 steps unless ``source`` names another)."""
    return Key(key, source, lambda out: text(out["report"]))


def project_key(key: str, text: Callable[[Mapping[str, Any]], str]) -> Key:
    """A key read from the project's own numbers (:func:`_project`)."""
    return Key(key, "project", text)


def bench_key(key: str, text: Callable[[str], str]) -> Key:
    """A key derived from the tables of docs/benchmarks.md (regenerated by the bench commands, REGENERATED)."""
    return Key(key, "benchmarks", text)


SAMPLE = (("worked-2-2-2", "float64", "torch"), ("spiral-2-4-3", "float32", "keras-jax"))  # the README's excerpt


def sample_block(out: Mapping[str, Any]) -> str:
    """The README's excerpt of the parity table: its head, two case x framework blocks, its last lines."""
    lines = [line.rstrip() for line in out["stdout"].splitlines()]
    head = [line for line in lines[:4] if line]
    kept: list[str] = []
    for name, dtype, framework in SAMPLE:
        start = next(
            i for i, line in enumerate(lines) if line.split()[:2] == [name, framework] and lines[i + 1].split()[0] == dtype
        )
        end = next(i for i in range(start, len(lines)) if not lines[i])
        kept += [*lines[start:end], "  ..."]
    tail_start = next(i for i, line in enumerate(lines) if line.startswith("scratch = "))
    return "\n```text\n" + "\n".join([*head, *kept, *lines[tail_start:]]) + "\n```\n"


def verify_sample(block: str, out: Mapping[str, Any]) -> list[str]:
    """What in the README's excerpt differs from the parity report: every row's ✓/✗ and errors, the last lines."""
    report = out["report"]
    lines = block.strip().strip("`").splitlines()[1:]  # after ```text
    header = next(line for line in lines if "framework" in line and "quantity" in line)
    at_fw, at_q = header.index("framework"), header.index("quantity")
    problems, current, seen = [], None, 0
    cases = {(c["name"], c["dtype"]): c for c in report["cases"] if c["mode"] == "train"}
    for i, line in enumerate(lines):
        parts = line[at_q:].split()
        if len(parts) < 4 or parts[1] not in "✓✗" or line.strip().startswith("case"):
            continue
        name, framework = line[:at_fw].strip(), line[at_fw:at_q].strip()
        if framework:
            current = (cases[(name, lines[i + 1][:at_fw].strip())], framework)
        assert current is not None, line
        case, fw = current
        check = next(c for c in case["checks"] if c["framework"] == fw and c["quantity"] == parts[0])
        expected = ["✓" if check["passed"] else "✗", e1_tool(check["max_abs_err"]), e1_tool(check["max_rel_err"])]
        seen += 1
        if parts[1:4] != expected:
            problems.append(f"{case['name']} {case['dtype']} {fw} {parts[0]}: {' '.join(parts[1:4])} -> {' '.join(expected)}")
    names = {name for name, _, _ in SAMPLE}
    sampled = [c for c in report["cases"] if c["name"] in names]
    summary = f"{sum(c['passed'] for c in sampled)} of {len(sampled)} case x dtype runs agree"
    for fw, held in report["implementations"].items():
        line = f"{fw} = {held['label']} ({', '.join(f'{p} {v}' for p, v in held['versions'].items())})"
        if line not in lines:
            problems.append(f"no line {line!r}")
    if summary not in lines:
        problems.append(f"no line {summary!r}")
    if seen != 12:
        problems.append(f"{seen} rows of errors, expected the 12 of {len(SAMPLE)} case x framework blocks")
    return problems


def _tolerance(report: Mapping[str, Any], dtype: str, field: str, part: str) -> str:
    """The worst ``field`` in ``dtype`` (torch and Keras on TensorFlow, the plain cases): its value, place or entry."""
    case, check = worst(report, dtype, field)
    if part == "value":
        return e1(check[field])
    if part == "where":
        return where(case, check)
    return e1(entry(case, check)[part])


def _tolerance_keys() -> list[Key]:
    """README's and docs/tolerances.md's worst measured errors: torch and Keras on TensorFlow, the seven plain cases."""
    keys = []
    for dtype, short in (("float64", "f64"), ("float32", "f32")):
        for field, kind in (("max_rel_err", "rel"), ("max_abs_err", "abs")):
            parts = {"": "value", "-where": "where"}
            if kind == "rel":  # the entry behind the worst relative error: its size, and in float32 its error
                parts["-entry-size"] = "size"
            if kind == "rel" and dtype == "float32":
                parts["-entry-abs"] = "abs"
            for suffix, part in parts.items():
                text = partial(_tolerance, dtype=dtype, field=field, part=part)
                keys.append(parity_key(f"tol-{short}-{kind}{suffix}", text))
    return keys


def _backend_keys() -> list[Key]:
    """docs/numerics.md §4b: Keras on its other backends against scratch, float64, the seven plain cases."""
    jax = lambda r: worst(r, "float64", "max_rel_err", ("keras-jax",))  # noqa: E731
    return [
        parity_key("backends-f64-abs", lambda r: e1(worst(r, "float64", "max_abs_err", KERAS_BACKENDS)[1]["max_abs_err"])),
        parity_key(
            "backends-f64-rel-torch", lambda r: e1(worst(r, "float64", "max_rel_err", ("keras-torch",))[1]["max_rel_err"])
        ),
        parity_key("backends-f64-rel-jax", lambda r: e1(jax(r)[1]["max_rel_err"])),
        parity_key("backends-f64-rel-jax-where", lambda r: where(*jax(r), framework=False)),
    ]


def _count_keys() -> list[Key]:
    def names(report: Mapping[str, Any], keep: Callable[[Mapping[str, Any]], bool] = lambda case: True) -> int:
        return len({case["name"] for case in report["cases"] if keep(case)})

    return [
        parity_key("cases", lambda r: word(names(r))),
        parity_key("cases-plain", lambda r: word(names(r, plain))),
        Key("parity-progress", "parity", lambda out: progress_line(out["stderr"])),
    ]


def _train_keys() -> list[Key]:
    def f64(report: Mapping[str, Any], frameworks: Sequence[str] = KERAS_BACKENDS) -> tuple[float, str, str]:
        return worst_run(report, "float64", frameworks)

    return [
        train_key("train-f64-keras-worst", lambda r: e1(f64(r)[0])),
        train_key("train-f64-keras-worst-where", lambda r: described(*f64(r)[1:])),
        train_key("train-f64-keras-jax-worst", lambda r: e1(f64(r, ("keras-jax",))[0])),
        train_key("train-f64-keras-torch-worst", lambda r: e1(f64(r, ("keras-torch",))[0])),
        train_key("train-f64-params-worst", lambda r: e1(f64(r, ("torch", "keras"))[0])),
        train_key("train-f64-loss-worst", lambda r: e1(worst_loss(r, "float64", ("torch", "keras")))),
        train_key("train-f32-worst", lambda r: e1(worst_run(r, "float32", FRAMEWORKS)[0])),
        train_key("train-f32-worst-where", lambda r: described(*worst_run(r, "float32", FRAMEWORKS)[1:])),
        train_key("train-f32-loss-worst", lambda r: e1(worst_loss(r, "float32", FRAMEWORKS))),
        train_key("train-recorded", lambda r: f"{recorded_steps(r)}"),
        train_key("train-f64-table", lambda r: train_table(r, "float64", ("torch", "keras"))),
        train_key("train-f64-backends-table", backends_table),
        train_key("train-f32-table", lambda r: train_table(r, "float32", FRAMEWORKS)),
        train_key("train-bn-table", bn_train_table, "train-bn"),
        train_key("adam-defaults-holds", holds_block, "train-adam-defaults"),
        *(
            train_key(f"adam-defaults-{fw}-{what}", partial(_adam_defaults, framework=fw, what=what), "train-adam-defaults")
            for fw in ("torch", "keras")
            for what in ("loss", "params")
        ),
    ]


def spike(report: Mapping[str, Any]) -> dict[str, float]:
    """scratch's largest rise of the loss at a recorded step above the lowest loss recorded before it.

    Raises:
        ValueError: the loss never rises (no spike to describe).
    """
    scratch = report["runs"][0]["results"]["scratch"]
    losses, steps = scratch["loss_history"], scratch["loss_steps"]
    rise, k = max((losses[k] - min(losses[:k]), k) for k in range(1, len(losses)))
    if rise <= 0:
        raise ValueError("the loss never rises: no spike")
    return {"to": losses[k], "step": steps[k], "from": min(losses[:k])}


def edge_divergence(report: Mapping[str, Any], last: bool) -> float:
    """The train report's ``divergence`` of every framework: its largest value, or its largest at the last step."""
    curves = report["runs"][0]["divergence"].values()
    return max(curve[-1] if last else max(curve) for curve in curves)


def _perturbed_divergence(out: Mapping[str, Any], eta: str, last: bool) -> str:
    curve = out[eta]["divergence"]
    return e1(curve[-1] if last else max(curve))


def _edge_keys() -> list[Key]:
    """docs/training.md's ill-conditioned trajectories: Nesterov at the spiral's own eta, and scratch against itself."""
    return [
        train_key("edge-spike-to", lambda r: f"{spike(r)['to']:.2f}", "nesterov-edge"),
        train_key("edge-spike-step", lambda r: f"{spike(r)['step']:,}", "nesterov-edge"),
        train_key("edge-spike-from", lambda r: f"{spike(r)['from']:.2f}", "nesterov-edge"),
        train_key("edge-divergence-max", lambda r: e1(edge_divergence(r, last=False)), "nesterov-edge"),
        train_key("edge-divergence-last", lambda r: e1(edge_divergence(r, last=True)), "nesterov-edge"),
        Key("perturbed-edge-max", "perturbed", partial(_perturbed_divergence, eta="1", last=False)),
        Key("perturbed-edge-last", "perturbed", partial(_perturbed_divergence, eta="1", last=True)),
        Key("perturbed-default-max", "perturbed", partial(_perturbed_divergence, eta="0.1", last=False)),
    ]


def normwise(run: Mapping[str, Any], framework: str) -> float:
    """||theta_framework - theta_scratch|| / ||theta_scratch|| of a training report's run, all final parameters together.

    compare.training.run.normwise_difference on the report's ``final_params``.
    """
    import numpy as np

    from compare.registry import REFERENCE
    from compare.training.run import normwise_difference
    from core.training import TrainResult

    def final(name: str) -> TrainResult:
        params = {p: np.asarray(v, dtype=np.float64) for p, v in run["results"][name]["final_params"].items()}
        return TrainResult([], [], [], params, 0.0, None)

    return normwise_difference(final(framework), final(REFERENCE))


def defaults_table(out: Mapping[str, Any]) -> str:
    """Per optimizer (one --framework-defaults run each, eta given): scratch's final loss, torch's and Keras's and their drift."""
    rows = []
    for name, _ in DEFAULTS_RUNS:
        run = out[name]["runs"][0]
        row = [
            name,
            f"{run['optimizer']['hyperparameters']['learning_rate']:g}",
            f"{run['results']['scratch']['final_loss']:.6f}",
        ]
        row += [f"{run['results'][fw]['final_loss']:.6f} ({e1_tool(normwise(run, fw))})" for fw in ("torch", "keras")]
        rows.append(row)
    header = ["optimizer", "η", "scratch final loss", "torch final loss (‖Δθ‖/‖θ‖)", "keras final loss (‖Δθ‖/‖θ‖)"]
    return table(header, rows)


def _defaults_drift(out: Mapping[str, Any], optimizer: str, framework: str, percent: bool = False) -> str:
    drift = normwise(out[optimizer]["runs"][0], framework)
    return f"{100 * drift:.0f} %" if percent else e1(drift)


def _defaults_keys() -> list[Key]:
    """docs/training.md's --framework-defaults table and the drifts its prose names."""
    drifts = [("momentum", "torch", False), ("nesterov", "torch", False), ("adagrad", "torch", True)]
    drifts += [("rmsprop", "torch", True), ("rmsprop", "keras", True), ("adam", "torch", False), ("adam", "keras", False)]
    return [
        Key("defaults-table", "train-defaults", defaults_table),
        *(
            Key(f"defaults-{opt}-{fw}", "train-defaults", partial(_defaults_drift, optimizer=opt, framework=fw, percent=pct))
            for opt, fw, pct in drifts
        ),
    ]


MAZUR_E1, MAZUR_E10000 = 0.291027924, 0.0000351085  # the post's printed E after 1 and after 10,000 rounds


def worked_e0(out: Mapping[str, Any]) -> str:
    """E before training (the first recorded loss) to 9 decimals, as the seed prints it: one number if all agree."""
    found = {f"{r['loss_history'][0]:.9f}" for report in out.values() for r in report["runs"][0]["results"].values()}
    return found.pop() if len(found) == 1 else " / ".join(sorted(found))


def worked_table(out: Mapping[str, Any]) -> str:
    """Per biases frozen / trained and implementation: E after 1 step and after the last (full digits)."""
    rows = []
    for label, name in (("frozen", "frozen"), ("trained", "trained")):
        run = out[name]["runs"][0]
        for fw, result in run["results"].items():
            rows.append([label, fw, repr(result["loss_history"][1]), repr(result["final_loss"])])
    steps = out["frozen"]["runs"][0]["steps"]
    return table(["biases", "framework", "E after 1 step", f"E after {steps:,} steps"], rows)


def worked_agreement(out: Mapping[str, Any]) -> float:
    """The largest relative difference from scratch of any loss-history or parameter check, both runs."""
    return max(
        c["max_rel_err"]
        for report in out.values()
        for c in report["runs"][0]["checks"]
        if c["quantity"] == "loss_history" or PARAMETERS.match(c["quantity"])
    )


def _frozen(out: Mapping[str, Any]) -> Mapping[str, Any]:
    return out["frozen"]["runs"][0]["results"]["scratch"]


def _worked_keys() -> list[Key]:
    """docs/training.md's worked example trained 10,000 steps."""

    def key(name: str, text: Callable[[Mapping[str, Any]], str]) -> Key:
        return Key(name, "train-worked", text)

    def final(out: Mapping[str, Any], name: str) -> float:
        return float(out[name]["runs"][0]["results"]["scratch"]["final_loss"])

    return [
        key("worked-table", worked_table),
        key("worked-e0", worked_e0),
        key("worked-agreement", lambda out: e1(worked_agreement(out))),
        key("worked-recorded", lambda out: f"{len(_frozen(out)['loss_history']):,}"),
        key("worked-exit", lambda out: f"exit {0 if all(r['passed'] for r in out.values()) else 1}"),
        key("worked-ratio", lambda out: f"{final(out, 'frozen') / final(out, 'trained'):.0f}"),
        key("worked-e1", lambda out: f"{_frozen(out)['loss_history'][1]:.9f}"),
        key("worked-e1-off", lambda out: e1(abs(_frozen(out)["loss_history"][1] - MAZUR_E1))),
        key("worked-e-last", lambda out: f"{_frozen(out)['final_loss']:.10f}"),
        key("worked-e-last-off", lambda out: e1(abs(_frozen(out)["final_loss"] - MAZUR_E10000))),
        key("worked-e-before-last", lambda out: f"{_frozen(out)['loss_history'][-1]:.7e}"),
    ]


def l2_used(report: Mapping[str, Any]) -> str:
    """The lambda every implementation trained with (``l2_used``): one number for every run."""
    found = {repr(run["l2_used"]) for run in report["runs"]}
    return found.pop() if len(found) == 1 else " / ".join(sorted(found))


LOSS_FORMATS = {
    "keras-probability": ".3f",
    "keras-probability-float32": ".6f",
    "keras-sigmoid-100": ".1f",
    "keras-sigmoid-ln-1e12": ".3f",
    "torch-1e-12": ".3f",
    "torch-1e-50": ".1f",
    "torch-sigmoid-1000": ".1f",
    "torch-logits-1000": "g",
    "exact-100": ".1f",
    "exact-1e-50": ".2f",
    "exact-1000": "g",
}


def _loss_keys() -> list[Key]:
    """docs/numerics.md §3: what the frameworks' own losses give on probabilities (``keras-clip-loss``: Keras's clip)."""
    names = {"keras-probability": "keras-clip-loss", "keras-probability-float32": "keras-clip-loss-float32"}
    return [
        Key(names.get(name, f"loss-{name}"), "losses", lambda out, name=name, spec=spec: format(out[name], spec))
        for name, spec in LOSS_FORMATS.items()
    ]


def _fd_keys() -> list[Key]:
    """docs/numerics.md §6: the finite-difference measurement."""
    k = lambda out: out["worst"] * 2 * FD_STEP / FLOAT64_EPS  # noqa: E731  (rounding k eps |L| over 2h, eps = float64's)
    return [
        Key("fd-measured", "fd-nets", lambda out: f"{out['measured']:,}"),
        Key("fd-drawn", "fd-nets", lambda out: f"{out['drawn']:,}"),
        Key("fd-worst", "fd-nets", lambda out: e1(out["worst"])),
        Key("fd-k", "fd-nets", lambda out: f"{k(out):.0f}"),
        Key("fd-skipped", "fd-nets", lambda out: f"{100 * (out['drawn'] - out['measured']) / out['drawn']:.0f} %"),
    ]


def _cancelled_keys() -> list[Key]:
    """Keras on JAX's cancelled entry and the float32 logits behind the worst absolute error (the parity report)."""
    keys = [parity_key(f"jax-cancelled-{part}", lambda r, part=part: e1(cancelled(r)[part])) for part in cancelled_parts()]
    keys.append(parity_key("tol-f32-abs-logits", lambda r: f"{logits(r, 'float32')['largest']:.0f}"))
    keys.append(parity_key("tol-f32-abs-logits-rel", lambda r: e1(logits(r, "float32")["relative"])))
    return keys


def cancelled_parts() -> tuple[str, ...]:
    """The numbers :func:`cancelled` returns."""
    return ("size", "terms", "p", "jax", "scratch", "abs")


def _adam_defaults(report: Mapping[str, Any], framework: str, what: str) -> str:
    """The Adam --framework-defaults run: a framework's loss-history or parameter check."""
    run = report["runs"][0]
    return e1(params_error(run, framework) if what == "params" else check_of(run, framework, "loss_history")["max_rel_err"])


def _rows(project: Mapping[str, Any], name: str) -> str:
    return f"{project['rows'][name]:,}"


def _project_keys() -> list[Key]:
    rows = [project_key(f"rows-{name}", partial(_rows, name=name)) for name in ROWS]
    return [
        *rows,
        project_key("every-1000-recorded", lambda p: f"{p['every-1000-recorded']}"),
        project_key("every-1000-shown", lambda p: ", ".join(f"{k}" for k in p["every-1000-shown"])),
        project_key("mu-float32", lambda p: p["mu-float32"]),
        project_key("slope-float32", lambda p: f"{p['slope-float32']:.12f}"),
        project_key("slope-float32-repr", lambda p: repr(p["slope-float32"])),
        project_key("slope-relative", lambda p: e1(p["slope-relative"])),
        project_key("eta-float32", lambda p: f"{p['eta-float32']:.11f}"),
        project_key("eta-float32-relative", lambda p: e1((p["eta-float32"] - 0.1) / 0.1)),
        *(project_key(f"exp-overflow-{d}", lambda p, d=d: f"{p['exp-overflow'][d]:.2f}") for d in ("float64", "float32")),
        project_key("ln-1e12", lambda p: f"{p['ln-1e12']:.3f}"),
        project_key("neglog-p-error", lambda p: e1(p["neglog-p-error"])),
        project_key("fit-steps-per-epoch", lambda p: f"{p['fit-steps-per-epoch']}"),
    ]


def student_block(out: Mapping[str, str], command: str) -> str:
    """One code block of docs/students.md: ``$ COMMAND`` and what it prints."""
    return f"\n```\n$ {command}\n{out[command].rstrip(chr(10))}\n```\n"


def _student_keys() -> list[Key]:
    return [
        Key(key, source, partial(student_block, command=cmd))
        for source, runs in (("students", STUDENT_RUNS), ("students-frameworks", FRAMEWORK_STUDENT_RUNS))
        for group in runs
        for key, cmd in group
    ]


def _bench_keys() -> list[Key]:
    return [
        bench_key("bench-startup-ratio", lambda page: f"{startup_ratio(page):.2f}"),
        bench_key("bench-train-ratio-min", lambda page: f"{min(train_ratios(page)):.2f}"),
        bench_key("bench-train-ratio-max", lambda page: f"{max(train_ratios(page)):.2f}"),
        bench_key("bench-train-step-ratio-max", lambda page: f"{max(train_step_ratios(page)):.2f}"),
        bench_key("bench-scratch-over-torch-min", lambda page: f"{1 / max(lecture_ratios(page, (3,))):.2f}"),
        bench_key("bench-scratch-over-torch-max", lambda page: f"{1 / min(lecture_ratios(page, (3,))):.2f}"),
        bench_key("bench-keras-over-scratch-min", lambda page: f"{min(lecture_ratios(page, (4, 5))):.1f}"),
        bench_key("bench-keras-over-scratch-max", lambda page: f"{max(lecture_ratios(page, (4, 5))):.1f}"),
        bench_key("bench-keras-jax-over-scratch-min", lambda page: f"{min(lecture_ratios(page, (6,))):.2f}"),
        bench_key("bench-keras-jax-over-scratch-max", lambda page: f"{max(lecture_ratios(page, (6,))):.2f}"),
        bench_key("bench-keras-torch-over-scratch-min", lambda page: f"{min(lecture_ratios(page, (7,))):.1f}"),
        bench_key("bench-keras-torch-over-scratch-max", lambda page: f"{max(lecture_ratios(page, (7,))):.1f}"),
    ]


KEYS: dict[str, Key] = {
    k.key: k
    for k in (
        Key("readme-parity-sample", "parity-sample", sample_block, checked_by=("parity", verify_sample)),
        parity_key("bn-parity-table", bn_parity_table),
        *_tolerance_keys(),
        *_backend_keys(),
        *_count_keys(),
        *_train_keys(),
        *_project_keys(),
        *_edge_keys(),
        *_defaults_keys(),
        *_worked_keys(),
        Key("l2-used", "train-l2", lambda out: l2_used(out["report"])),
        *_loss_keys(),
        *_fd_keys(),
        *_cancelled_keys(),
        *_student_keys(),
        *_bench_keys(),
    )
}


# --- the docs ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """One quoted number in a page: its key, its text and where it is."""

    path: str  # relative to the repository root
    line: int
    key: str
    text: str
    start: int  # offsets of the text in the page
    end: int


def pages(root: Path | None = None) -> list[Path]:
    """README.md and every page of docs/ (of the repository, or of ``root``)."""
    root = root or ROOT
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def spans(text: str, path: str) -> list[Span]:
    """The spans of one page, in order.

    Raises:
        ValueError: a comment that opens or closes a span is left over (unclosed, nested or misspelt).
    """
    found = []
    for match in SPAN.finditer(text):
        if OPENING.search(match["text"]):
            raise ValueError(f"{path}:{text.count(chr(10), 0, match.start()) + 1}: a span inside a span")
        line = text.count("\n", 0, match.start()) + 1
        found.append(Span(path, line, match["key"], match["text"], match.start("text"), match.end("text")))
    leftover = SPAN.sub("", text)
    if OPENING.search(leftover):
        at = OPENING.search(leftover)
        assert at is not None
        raise ValueError(f"{path}: a span comment without its pair near {leftover[max(0, at.start() - 40) : at.end() + 40]!r}")
    return found


def all_spans(root: Path | None = None) -> list[Span]:
    """Every span of README.md and docs/*.md."""
    root = root or ROOT
    return [s for page in pages(root) for s in spans(page.read_text(encoding="utf-8"), str(page.relative_to(root)))]


def sources_for(keys: Iterable[str], for_writing: bool) -> list[str]:
    """The sources that ``keys`` need: to write them (each key's own) or to check them (``checked_by`` where given)."""
    needed = []
    for name in keys:
        key = KEYS[name]
        source = key.source if for_writing or key.checked_by is None else key.checked_by[0]
        if source not in needed:
            needed.append(source)
    return needed


def produce(names: Iterable[str], log: Callable[[str], None] = lambda message: None) -> dict[str, Any]:
    """Each named source's output."""
    outputs = {}
    for name in names:
        log(f"running {SOURCES[name].shown}")
        outputs[name] = SOURCES[name].produce()
    return outputs


@dataclass(frozen=True)
class Drift:
    """A span whose text is not what its source produces."""

    span: Span
    says: str
    prints: str

    def __str__(self) -> str:
        return f"{self.span.path}:{self.span.line} {self.span.key}: docs say {self.says}, command prints {self.prints}"


def _short(text: str) -> str:
    return text.strip() if "\n" not in text.strip() else repr(text.strip()[:200] + ("..." if len(text.strip()) > 200 else ""))


def drifts(found: Iterable[Span], outputs: Mapping[str, Any]) -> list[Drift]:
    """The spans whose text differs from what the given outputs produce (spans of other sources are skipped)."""
    out = []
    for span in found:
        key = KEYS[span.key]
        if key.checked_by is not None:
            source, verify = key.checked_by
            if source in outputs:
                out += [Drift(span, "(block)", problem) for problem in verify(span.text, outputs[source])]
        elif key.source in outputs:
            expected = key.text(outputs[key.source])
            if span.text != expected:
                lines = zip([*span.text.splitlines(), ""], [*expected.splitlines(), ""], strict=False)
                whole = (span.text, expected)
                shown = next(((a, b) for a, b in lines if a != b), whole) if "\n" in span.text + expected else whole
                out.append(Drift(span, _short(shown[0]), _short(shown[1])))
    return out


def rewrite(text: str, path: str, outputs: Mapping[str, Any]) -> str:
    """The page with every span whose key's own source is in ``outputs`` rewritten from it."""
    parts, at = [], 0
    for span in spans(text, path):
        key = KEYS[span.key]
        if key.source in outputs:
            parts += [text[at : span.start], key.text(outputs[key.source])]
            at = span.end
    return "".join([*parts, text[at:]])


def unknown_and_unused(found: Sequence[Span]) -> tuple[list[Span], list[str]]:
    """Spans whose key is not registered, and registered keys no page quotes."""
    used = {s.key for s in found}
    return [s for s in found if s.key not in KEYS], [k for k in KEYS if k not in used]


def _list() -> None:
    """Print each source with the keys it produces or checks, then the regenerated-only sections."""
    for source in SOURCES.values():
        keys = [k.key for k in KEYS.values() if source.name in (k.source, (k.checked_by or ("",))[0])]
        print(f"{source.name}{' (slow)' if source.slow else ''}: {source.shown}\n    {', '.join(keys)}")
    for section, regenerate in REGENERATED.items():
        print(f"regenerated only, {section}: {regenerate}")


def _write(outputs: Mapping[str, Any]) -> None:
    """Rewrite every page's spans from ``outputs``; print the pages that changed."""
    root = ROOT
    for page in pages(root):
        text = page.read_text(encoding="utf-8")
        new = rewrite(text, str(page.relative_to(root)), outputs)
        if new != text:
            page.write_text(new, encoding="utf-8")
            print(f"rewrote {page.relative_to(root)}")


def main(argv: Sequence[str] | None = None) -> int:
    """--check: print the drifted spans, exit 1 if any; --write: rewrite them. Both run every source they need."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="print FILE:LINE key: docs say X, command prints Y; exit 1 on drift")
    mode.add_argument("--write", action="store_true", help="rewrite every span in README.md and docs/*.md from its source")
    mode.add_argument("--list", action="store_true", help="list the sources, their keys and the regenerated sections")
    parser.add_argument(
        "--source", action="append", choices=sorted(SOURCES), help="only the spans this source gives (repeatable)"
    )
    parser.add_argument("--skip-slow", action="store_true", help="leave out the sources marked slow (as the quick tests do)")
    args = parser.parse_args(argv)
    found = all_spans()
    unknown, unused = unknown_and_unused(found)
    for span in unknown:
        print(f"{span.path}:{span.line} {span.key}: no such key in scripts/docs_numbers.py")
    for name in unused:
        print(f"{name}: registered in scripts/docs_numbers.py, quoted nowhere")
    if unknown:
        return 1
    if args.list:
        _list()
        return 0
    keys = [
        k for k in dict.fromkeys(s.key for s in found) if args.source is None or sources_for([k], args.write)[0] in args.source
    ]
    names = [n for n in sources_for(keys, args.write) if not (args.skip_slow and SOURCES[n].slow)]
    outputs = produce(names, log=lambda message: print(message, file=sys.stderr))
    if args.write:
        _write(outputs)
        return 0
    drifted = drifts(found, outputs)
    for drift in drifted:
        print(drift)
    return 1 if drifted or unused else 0


if __name__ == "__main__":
    sys.exit(main())
