"""A transposed load must make parity fail, and the report must say where (issue 2).

The worked 2-2-2 example has square, asymmetric W1 and W2, so a layout bug in
one framework's translation does not raise a shape error: only the numbers show it.
"""

import numpy as np
import pytest

from compare.cases import worked_2_2_2
from compare.harness import first_divergence, run_case


def torch_load_transposed(linears, params):
    import torch

    with torch.no_grad():
        for l, linear in enumerate(linears, start=1):
            linear.weight.copy_(torch.from_numpy(np.asarray(params[f"W{l}"]).T.copy()))  # the bug
            linear.bias.copy_(torch.from_numpy(np.asarray(params[f"b{l}"])))


def keras_load_untransposed(denses, params):
    for l, dense in enumerate(denses, start=1):
        dense.kernel.assign(np.asarray(params[f"W{l}"]))  # the bug: kernel must be W^T
        dense.bias.assign(np.asarray(params[f"b{l}"]))


@pytest.mark.parametrize(
    "framework,module,buggy",
    [("torch", "torch_impl.model", torch_load_transposed), ("keras", "keras_impl.model", keras_load_untransposed)],
    ids=["torch-weight-transposed", "keras-kernel-not-transposed"],
)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_transposed_load_fails_parity_at_z1(monkeypatch, framework, module, buggy, dtype):
    monkeypatch.setattr(f"{module}.load_params", buggy)
    result = run_case(worked_2_2_2(), dtype, [framework])
    assert not result.passed
    first = first_divergence(result.checks_for(framework))
    assert first.quantity == "z1"
    assert first.max_abs_err > 1e-3


def test_transposed_weights_file_breaks_the_published_numbers(tmp_path, capsys):
    """Loaded transposed into every implementation alike, parity holds but the slide's numbers do not."""
    from compare.cli import main
    from compare.files import load_weights, save_weights

    case = worked_2_2_2()
    path = save_weights(tmp_path / "w.npz", {k: (v.T.copy() if k.startswith("W") else v) for k, v in case.params.items()})
    case.params = load_weights(path)
    result = run_case(case, "float64", ["torch"])
    assert result.passed  # the frameworks agree with each other on the wrong weights...
    assert abs(result.traces["scratch"].a[1][0, 0] - 0.593269992) > 1e-3  # ...but not with the slide
    assert main(["--arch", "worked-2-2-2", "--weights", str(path), "--frameworks", "scratch,torch", "--dtype", "float64"]) == 0
