"""scripts/torch_compile.py, the torch.compile measurement docs/benchmarks.md §2g quotes: it compares the same training.

With dynamo's ``eager`` backend (the captured graphs run op by op, the same kernels) the
compiled model lands on eager's parameters exactly; so does the compiled optimizer step of SGD,
while Adam's compiled step parts from eager: compiled, torch's ``_get_value`` keeps the step
counter a tensor, float32 by default (torch/optim/optimizer.py, ``_get_value`` and
``_get_scalar_dtype``), and the bias corrections are computed from it in float32, where eager
takes its ``.item()``. No time is asserted.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.full  # a fresh process that imports torch._dynamo: the full suite only

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "torch_compile.py"


def test_the_compiled_ways_with_the_eager_backend_land_on_eagers_parameters():
    args = ["--backend", "eager", "--steps", "3", "--blocks", "1", "--block-steps", "2", "--optimizers", "sgd,adam"]
    done = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["backend"] == "eager" and report["steps"] == 3 and report["threads"]["torch_intra_op"] == 1
    for optimizer in ("sgd", "adam"):
        rows = report["optimizers"][optimizer]
        assert list(rows) == ["eager", "compiled model", "compiled model and step"]
        for row in rows.values():
            assert row["first_call_s"] > 0 and row["step_us"] > 0
        assert rows["eager"]["pays_off_after_steps"] is None
        assert rows["eager"]["max_rel_diff_from_eager"] == 0.0
        assert rows["compiled model"]["max_rel_diff_from_eager"] == 0.0, optimizer
    assert report["optimizers"]["sgd"]["compiled model and step"]["max_rel_diff_from_eager"] == 0.0
    assert report["optimizers"]["adam"]["compiled model and step"]["max_rel_diff_from_eager"] > 1e-9  # float32 counter


def test_adams_compiled_step_agrees_once_its_step_counter_is_float64():
    args = ["--backend", "eager", "--steps", "1", "--blocks", "1", "--block-steps", "2", "--optimizers", "adam"]
    done = subprocess.run([sys.executable, str(SCRIPT), *args, "--default-float64"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["default_dtype"] == "float64"
    assert report["optimizers"]["adam"]["compiled model and step"]["max_rel_diff_from_eager"] < 1e-14  # rounding only
