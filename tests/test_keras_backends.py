"""Keras 3 on each of its backends: the environment fixes, the facts that differ between backends, workers.

Every registry entry with a ``KERAS_BACKEND`` in its environment is one backend; each fact is
asserted on every backend, in a process of its own (Keras fixes one backend per process).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from compare import registry
from compare.data.cases import custom_case
from compare.parity.harness import run_case
from helpers import has_known_difference, run_in

pytestmark = pytest.mark.full  # each Keras backend in a process of its own, started per test: the full suite only (README, Tests)

ROOT = Path(__file__).resolve().parents[1]
KERAS = [name for name in registry.NAMES if "KERAS_BACKEND" in registry.get(name).environment]


def test_every_keras_backend_is_registered():
    assert sorted(registry.get(name).environment["KERAS_BACKEND"] for name in KERAS) == ["jax", "tensorflow", "torch"]


@pytest.mark.parametrize("framework", KERAS)
def test_float64_stays_float64_and_keras_still_needs_the_fix(framework):
    """Canary: Keras maps float64 to float32 in type promotion off TensorFlow (keras-team/keras#23704).

    When a Keras release stops doing that, this test fails for JAX and torch: then
    keras_impl.backend.fix_dtypes (and this test) can go.
    """
    out = run_in(
        framework,
        "import keras_impl, keras\n"
        "from keras_impl import backend\n"
        "x = keras.ops.ones((2,), dtype='float64')\n"
        "print(backend.name(), backend.KERAS_FLOAT64_RESULT, keras.backend.result_type('float64', 'float64'),"
        " keras.backend.standardize_dtype(keras.ops.mean(x).dtype))",
    )
    name, keras_own, fixed, mean = out.split()
    assert name == registry.get(framework).environment["KERAS_BACKEND"]
    assert keras_own == ("float64" if name == "tensorflow" else "float32")
    assert fixed == mean == "float64"


@pytest.mark.parametrize("framework", KERAS)
def test_keras_imports_without_its_unused_optional_packages_which_import_afterwards(framework):
    """keras_impl.backend.import_keras: scikit-learn (for Keras's wrappers) and, off JAX, JAX (TFLite, Orbax) stay out."""
    out = run_in(
        framework,
        "import sys, importlib, keras_impl\n"
        "from keras_impl import backend\n"
        "from keras.src.wrappers import fixes\n"
        "hidden = backend.UNUSED_IMPORTS[backend.name()]\n"
        "loaded_with_keras = [m for m in hidden if m in sys.modules]\n"
        "for m in hidden:\n"
        "    importlib.import_module(m)\n"
        "print(','.join(hidden), loaded_with_keras, fixes.sklearn is None, all(sys.modules[m] is not None for m in hidden))",
    )
    hidden, loaded_with_keras, wrappers_without_sklearn, importable_afterwards = out.split()
    backend = registry.get(framework).environment["KERAS_BACKEND"]
    assert hidden == ("sklearn" if backend == "jax" else "sklearn,jax")  # JAX is the JAX backend's framework
    assert loaded_with_keras == "[]" and wrappers_without_sklearn == "True" and importable_afterwards == "True"


@pytest.mark.parametrize("framework", KERAS)
def test_a_numpy_array_becomes_a_tensor_of_the_same_dtype_shape_and_values(framework):
    out = run_in(
        framework,
        "import numpy as np, keras_impl, keras\n"
        "from keras_impl import backend\n"
        "for a in (np.arange(6.0).reshape(2, 3), np.arange(4, dtype=np.float32) / 3, np.array([2, 0, 1])):\n"
        "    t = backend.tensor(a)\n"
        "    b = keras.ops.convert_to_numpy(t)\n"
        "    print(keras.ops.is_tensor(t), b.dtype == a.dtype, b.shape == a.shape, np.array_equal(a, b))",
    )
    assert out.split() == ["True"] * 12


@pytest.mark.parametrize("framework", [n for n in KERAS if registry.get(n).environment["KERAS_BACKEND"] == "jax"])
def test_on_jax_the_conversion_compiles_nothing_where_keras_own_compiles(framework):
    """Canary for keras_impl.backend.TENSORS: Keras's conversion (jnp.asarray) compiles for each new shape.

    When it no longer does, the second count is 0, this test fails, and the JAX entry can go.
    """
    out = run_in(
        framework,
        "import logging, numpy as np, keras_impl, keras, jax\n"
        "from keras_impl import backend\n"
        "messages = []\n"
        "handler = logging.Handler()\n"
        "handler.emit = lambda record: messages.append(record.getMessage())\n"
        "logging.getLogger('jax').addHandler(handler)\n"
        "jax.config.update('jax_log_compiles', True)\n"
        "backend.tensor(np.zeros((3, 7)))\n"
        "ours = len(messages)\n"
        "keras.ops.convert_to_tensor(np.zeros((3, 9)))\n"
        "print(ours, len(messages) - ours)",
    )
    ours, keras_own = map(int, out.split())
    assert ours == 0 and keras_own > 0


@pytest.mark.parametrize("framework", KERAS)
def test_python_float_momentum_is_float32_only_where_documented(framework):
    """Two SGD steps with g = 1 and eta = 1 (exact): theta_2 = -2 - mu, so mu is read back from theta_2.

    On TensorFlow Keras casts the Python float 0.9 through float32 even in a float64 model (its
    known difference ``hyperparameters_float32``); JAX and torch hold 0.9 itself.
    """
    out = run_in(
        framework,
        "import numpy as np, keras_impl, keras\n"
        "from keras_impl.optimizers import exact\n"
        "v = keras.Variable(np.zeros(1), dtype='float64')\n"
        "opt = keras.optimizers.SGD(learning_rate=exact(1.0), momentum=0.9)\n"
        "opt.build([v])\n"
        "for _ in range(2): opt.apply_gradients([(keras.ops.ones((1,), dtype='float64'), v)])\n"
        "print(repr(-float(keras.ops.convert_to_numpy(v)[0]) - 2))",
    )
    mu = float(out)  # within the rounding of -theta_2 - 2 (~4e-16) of the mu the optimizer held
    float32 = has_known_difference(framework, "hyperparameters_float32")
    expected, other = (float(np.float32(0.9)), 0.9) if float32 else (0.9, float(np.float32(0.9)))
    assert abs(mu - expected) < 1e-15 and abs(mu - other) > 1e-9


@pytest.mark.parametrize("framework", KERAS)
def test_leaky_relu_slope_in_float64(framework):
    """0.01 exactly, except on TensorFlow (its known difference ``leaky_slope_float32``: 0.009999999776)."""
    out = run_in(
        framework,
        "import numpy as np, keras_impl\n"
        "from keras_impl.activations import make_activation\n"
        "import keras\n"
        "a = make_activation('leaky_relu', 'float64')(keras.ops.convert_to_tensor(np.array([-1.0])))\n"
        "print(repr(-float(keras.ops.convert_to_numpy(a)[0])))",
    )
    expected = float(np.float32(0.01)) if has_known_difference(framework, "leaky_slope_float32") else 0.01
    assert float(out) == expected


@pytest.mark.parametrize("framework", [n for n in KERAS if not has_known_difference(n, "leaky_slope_float32")])
def test_float64_leaky_net_agrees_where_the_slope_is_exact(framework):
    rng = np.random.RandomState(5)
    case = custom_case("3-5-2:leaky_relu,linear:mse", rng.randn(8, 3), rng.randn(8, 2), None, 5)
    assert run_case(case, "float64", [framework]).passed


def test_the_report_names_each_backend_and_only_its_versions():
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "compare",
            "--arch",
            "worked-2-2-2",
            "--dtype",
            "float64",
            "--frameworks",
            ",".join(KERAS),
            "--format",
            "json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    implementations = json.loads(done.stdout)["implementations"]
    assert implementations["keras-jax"]["label"] == "Keras 3 on JAX"
    assert set(implementations["keras-jax"]["versions"]) == {"jax", "jaxlib", "keras"}  # never "tensorflow 2.21.0"
    assert "tensorflow" not in implementations["keras-torch"]["versions"]
    assert implementations["keras-torch"]["versions"]["torch"].startswith("2.")
    assert "tensorflow" in implementations["keras"]["versions"]


MISSING = """
import sys
from compare import registry
from compare.registry import BenchStep, Implementation
registry.register(Implementation(
    name="keras-mxnet", label="a backend that is not installed", package="keras_impl", imports=("keras", "no_such_module"),
    versions={}, style={}, bench=(BenchStep("keras-mxnet", "compare.bench.steps:keras_step", "C7"),),
    environment={"KERAS_BACKEND": "mxnet"}))
registry.register(Implementation(
    name="broken", label="a worker that cannot start", package="no_such_package", imports=("numpy",),
    versions={}, style={}, bench=(), environment={"COMPARE_TEST_WORKER": "other"}))
from compare.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _run_missing(*argv: str) -> subprocess.CompletedProcess:
    env = {"COMPARE_TEST_WORKER": "here"}
    import os

    return subprocess.run(
        [sys.executable, "-c", MISSING, *argv], cwd=ROOT, capture_output=True, text=True, timeout=300, env={**os.environ, **env}
    )


def test_a_backend_that_is_not_installed_is_skipped_by_default_and_named_in_the_report():
    done = _run_missing("--arch", "worked-2-2-2", "--dtype", "float64", "--frameworks", "scratch", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert "no_such_module not installed" in json.loads(done.stdout)["skipped"]["keras-mxnet"]


def test_asking_for_a_backend_that_is_not_installed_exits_2_with_one_line():
    done = _run_missing("--arch", "worked-2-2-2", "--frameworks", "keras-mxnet")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "'keras-mxnet' needs no_such_module" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_a_worker_that_fails_to_start_exits_2_with_one_line_naming_it():
    done = _run_missing("--arch", "worked-2-2-2", "--dtype", "float64", "--frameworks", "broken")
    assert done.returncode == 2, done.stdout
    lines = done.stderr.splitlines()  # the progress line (it fails once it is asked), then one error line
    errors = [line for line in lines if line.startswith("python -m compare: error: ")]
    assert len(errors) == 1 and lines[-1] == errors[0] and "'broken'" in errors[0], done.stderr
    assert "Traceback" not in done.stderr


COMPILED_VS_EAGER = """
import json, numpy as np, keras_impl
from keras_impl import backend, gradients
from keras_impl.train import train
from compare.data.cases import get_case
from compare.training.batches import make_batches
from core.optimizers import matched
case = get_case("spiral-2-4-3")
batches = make_batches(len(case.X), 100, steps=6, seed=1)
compiled = gradients.TRAIN_STEPS[backend.name()]
worst = {}
for name in ("sgd", "nesterov", "adagrad", "rmsprop", "adam"):
    runs = []
    for step in (compiled, gradients._eager_step):
        gradients.TRAIN_STEPS[backend.name()] = step
        runs.append(train(case.spec, case.params, case.X, case.y, optimizer=name, hyper=matched(name, 0.05),
                          batches=batches, l2=0.5).final_params)
    gradients.TRAIN_STEPS[backend.name()] = compiled
    worst[name] = max(float(np.max(np.abs(runs[0][k] - runs[1][k]) / np.abs(runs[1][k]))) for k in runs[1])
print(json.dumps(worst))
"""


@pytest.mark.parametrize(
    "framework",
    [
        pytest.param(name, marks=pytest.mark.slow) if registry.get(name).environment["KERAS_BACKEND"] == "jax" else name
        for name in KERAS
    ],
)  # eager JAX compiles each operation on its own: ~40 s; run with -m slow
def test_compiled_training_step_computes_what_the_eager_one_does(framework):
    """6 mini-batch float64 steps with L2, five optimizers: the backend's compiled step against the eager step.

    TensorFlow's tf.function (Grappler off, keras_impl.backend.fix_graphs): bitwise equal. torch: the same
    eager step. JAX: jax.jit fuses and reorders floating-point operations (XLA), within 5e-14 relative of
    the eager result; neither is the reference (both agree with scratch, tests/conformance).
    """
    worst = json.loads(run_in(framework, COMPILED_VS_EAGER))
    backend = registry.get(framework).environment["KERAS_BACKEND"]
    assert max(worst.values()) <= (5e-14 if backend == "jax" else 0.0), worst
