"""Weights and data files round-trip without pickle, in both formats."""

import numpy as np
import pytest

from compare.data.cases import get_case
from compare.data.files import load_data, load_weights, save_data, save_weights
from core.errors import InputError


@pytest.mark.parametrize("suffix", [".safetensors", ".npz"])
def test_weights_round_trip_exactly(tmp_path, suffix):
    params = get_case("spiral-2-4-3").params
    loaded = load_weights(save_weights(tmp_path / f"w{suffix}", params))
    assert set(loaded) == set(params)
    for name in params:
        assert loaded[name].dtype == params[name].dtype
        np.testing.assert_array_equal(loaded[name], params[name])


def test_data_round_trip(tmp_path):
    case = get_case("iris-2-4-3")
    X, y = load_data(save_data(tmp_path / "d.npz", case.X, case.y))
    np.testing.assert_array_equal(X, case.X)
    np.testing.assert_array_equal(y, case.y)


def test_object_arrays_are_refused_not_unpickled(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, W1=np.array([{"a": 1}], dtype=object))
    with pytest.raises(InputError, match="pickle"):
        load_weights(path)


def test_save_weights_cli_flag_writes_reusable_files(tmp_path):
    from compare.cli import main

    assert (
        main(
            [
                "--arch",
                "spiral-2-4-3",
                "--frameworks",
                "scratch",
                "--seed",
                "5",
                "--save-weights",
                str(tmp_path),
                "--dtype",
                "float64",
            ]
        )
        == 0
    )
    saved = load_weights(tmp_path / "spiral-2-4-3.safetensors")
    expected = get_case("spiral-2-4-3", seed=5).params
    for name in expected:
        np.testing.assert_array_equal(saved[name], expected[name])
    assert not np.allclose(saved["W1"], get_case("spiral-2-4-3", seed=0).params["W1"])  # the seed matters
