"""``python -m compare`` end to end, through a subprocess: exit codes 0, 1 and 2, JSON shape."""

import json
import subprocess
import sys

import numpy as np
import pytest

from compare import registry
from compare.data.files import save_data, save_weights
from core.spec import parse_spec
from planted_bugs import run_cli_with_keras_kernel_not_transposed

pytestmark = pytest.mark.full  # every test runs the CLI in a fresh process: the full suite only (README, Tests)


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "compare", *args], capture_output=True, text=True, timeout=300)


def test_exit_0_and_json_shape_on_user_files_made_with_numpy(tmp_path):
    """A SPEC with weights and data a user made with NumPy alone."""
    rng = np.random.RandomState(7)
    spec = parse_spec("2-4-3:relu,softmax:cce")
    weights = {"W1": rng.randn(4, 2), "b1": rng.randn(4) * 0.1, "W2": rng.randn(3, 4), "b2": np.zeros(3)}
    save_weights(tmp_path / "W.safetensors", weights)
    save_data(tmp_path / "D.npz", rng.randn(20, 2), rng.randint(0, 3, size=20))
    done = run_cli(
        "--arch", str(spec), "--weights", str(tmp_path / "W.safetensors"), "--data", str(tmp_path / "D.npz"), "--format", "json"
    )
    assert done.returncode == 0, done.stderr
    assert all(line.startswith("python -m compare: ") for line in done.stderr.splitlines())  # progress, no log noise
    report = json.loads(done.stdout)
    assert report["passed"] is True
    assert set(report["versions"]) >= {name for impl in registry.IMPLEMENTATIONS.values() for name in impl.versions}
    assert [(c["spec"], c["dtype"]) for c in report["cases"]] == [(str(spec), "float64"), (str(spec), "float32")]
    case = report["cases"][0]
    assert set(case) == {"name", "spec", "dtype", "mode", "passed", "results", "checks"} and case["mode"] == "train"
    assert set(case["results"]) == set(registry.NAMES)
    torch_result = case["results"]["torch"]
    assert np.asarray(torch_result["output"]).shape == (20, 3)
    assert np.allclose(np.asarray(torch_result["output"]).sum(axis=1), 1.0)  # probabilities
    assert {k: np.asarray(v).shape for k, v in torch_result["grads"].items()} == spec.param_shapes()
    check = case["checks"][0]
    assert set(check) == {"framework", "quantity", "max_abs_err", "max_rel_err", "atol", "rtol", "passed"}
    assert {"output", "loss", "dW1", "db2"} <= {c["quantity"] for c in case["checks"]}


def test_exit_1_when_an_implementation_differs():
    """A layout bug planted in keras_impl's translation, the CLI run in a real subprocess."""
    done = run_cli_with_keras_kernel_not_transposed("--arch", "worked-2-2-2", "--dtype", "float64")
    assert done.returncode == 1, done.stderr
    assert "first differs at z1" in done.stdout


@pytest.mark.parametrize(
    "args,message",
    [
        (["--arch", "2-4-3:relu,softmax:bce"], "bce needs exactly one output unit"),
        (["--frameworks", "scratch,jax"], "unknown framework jax"),
        (["--arch", "no-such-case"], "neither a built-in case"),
    ],
    ids=["bad-spec", "bad-framework", "unknown-case"],
)
def test_exit_2_with_one_line_and_no_traceback(args, message):
    done = run_cli(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_the_table_fits_a_100_column_terminal_without_cutting_numbers():
    import io

    from rich.console import Console

    from compare.data.cases import get_case
    from compare.parity.harness import run_case
    from compare.parity.report import render_table

    results = [run_case(get_case("lecture-4-4-3-softmax"), "float64", list(registry.OTHERS))]
    out = io.StringIO()
    render_table(results, Console(file=out, width=100))
    text = out.getvalue()
    assert "…" not in text
    for check in results[0].checks_for("keras"):
        if check.quantity in ("loss", "dW1", "db2"):
            assert f"{check.max_abs_err:.1e}" in text and f"{check.max_rel_err:.1e}" in text
    assert "lecture-4-4-3-softmax" in text and "✓ agrees" in text
