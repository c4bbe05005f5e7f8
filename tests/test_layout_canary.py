"""A transposed load must make parity fail, and the report must say where.

The worked 2-2-2 example has square, asymmetric W1 and W2, so a layout bug in
one framework's translation does not raise a shape error: only the numbers show it.
"""

import numpy as np
import pytest

from compare import registry
from compare.data.cases import worked_2_2_2
from compare.parity.harness import first_divergence, run_case
from helpers import one_per_package


def transposed_load(load_params):
    """The implementation's own load_params, fed every W_l transposed: its translation made wrong by one .T."""

    def load(layers, params):
        load_params(layers, {k: (np.asarray(v).T.copy() if k.startswith("W") else v) for k, v in params.items()})

    return load


@pytest.mark.parametrize("framework", one_per_package())
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_transposed_load_fails_parity_at_z1(monkeypatch, framework, dtype):
    """torch with weight = W^T, Keras with kernel = W (no .T): either fails at z1, with no shape error.

    One entry per package (its convert.py is shared by all its backends), one that runs in this
    process, so that the planted bug reaches it.
    """
    model = registry.get(framework).module("model")
    monkeypatch.setattr(model, "load_params", transposed_load(model.load_params))
    result = run_case(worked_2_2_2(), dtype, [framework])
    assert not result.passed
    first = first_divergence(result.checks_for(framework))
    assert first.quantity == "z1"
    assert first.max_abs_err > 1e-3


def test_transposed_weights_file_breaks_the_published_numbers(tmp_path, capsys):
    """Loaded transposed into every implementation alike, parity holds but the slide's numbers do not."""
    from compare.cli import main
    from compare.data.files import load_weights, save_weights

    case = worked_2_2_2()
    path = save_weights(tmp_path / "w.npz", {k: (v.T.copy() if k.startswith("W") else v) for k, v in case.params.items()})
    case.params = load_weights(path)
    result = run_case(case, "float64", ["torch"])
    assert result.passed  # the frameworks agree with each other on the wrong weights...
    assert abs(result.traces[registry.REFERENCE].a[1][0, 0] - 0.593269992) > 1e-3  # ...but not with the slide
    assert main(["--arch", "worked-2-2-2", "--weights", str(path), "--frameworks", "scratch,torch", "--dtype", "float64"]) == 0
