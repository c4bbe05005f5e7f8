"""``explain`` of any network: a SPEC with --data and --weights, and the shown sample's own loss.

The expected numbers are NumPy written out here (a 2-3-1 sigmoid net with the binary cross
entropy, and the spiral net's softmax), not read from the code under test.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from compare import registry
from compare.cli import main
from compare.data.cases import get_case
from compare.students.explain import explain_case

SPEC = "2-3-1:sigmoid,sigmoid:bce"
W1 = np.array([[0.2, -0.4], [0.7, 0.1], [-0.3, 0.5]])
b1 = np.array([0.1, -0.2, 0.05])
W2 = np.array([[0.6, -0.8, 0.3]])
b2 = np.array([0.02])
X = np.array([[1.0, 2.0], [-0.5, 0.3], [0.0, -1.0], [2.0, 0.5]])
y = np.array([[1.0], [0.0], [1.0], [0.0]])


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def bce_per_sample():
    """l_i = -[y log a + (1 - y) log(1 - a)] for each row, the forward pass written out."""
    a1 = sigmoid(X @ W1.T + b1)
    a2 = sigmoid(a1 @ W2.T + b2)
    return (-(y * np.log(a2) + (1 - y) * np.log(1 - a2))).ravel()


@pytest.fixture
def files(tmp_path):
    weights, data = tmp_path / "w.npz", tmp_path / "d.npz"
    np.savez(weights, W1=W1, b1=b1, W2=W2, b2=b2)
    np.savez(data, X=X, y=y)
    return str(weights), str(data)


def value_of(text: str, symbol: str) -> float:
    """scratch's value on the line of ``symbol`` (the number after the last '=')."""
    line = next(line for line in text.splitlines() if line.strip().startswith(f"{symbol} ="))
    return float(line.rsplit("=", 1)[1])


def test_a_spec_with_weights_and_data_is_explained_with_each_samples_loss(files, capsys):
    weights, data = files
    argv = ["explain", SPEC, "--weights", weights, "--data", data, "--frameworks", "scratch", "--sample", "3"]
    assert main([*argv, "--format", "text"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{SPEC}, m = 4,")  # the SPEC once: it is its own name
    assert out.splitlines()[0].count(SPEC) == 1
    per_sample = bce_per_sample()
    assert value_of(out, "l(sample 3)") == pytest.approx(per_sample[2], abs=1e-9)
    assert value_of(out, "L") == pytest.approx(per_sample.mean(), abs=1e-9)
    assert value_of(out, "a^[1]_2") == pytest.approx(sigmoid(X[2] @ W1[1] + b1[1]), abs=1e-9)  # sample 3's row
    assert "slide" not in out


def test_a_built_in_case_given_other_weights_is_renamed_and_compared_with_no_slide(files, capsys, tmp_path):
    """The worked example's slide numbers are for its own weights: with others there is nothing to compare."""
    worked = get_case("worked-2-2-2")
    other = tmp_path / "other.npz"
    np.savez(other, **{name: value + 0.1 for name, value in worked.params.items()})
    assert main(["explain", "worked-2-2-2", "--weights", str(other), "--frameworks", "scratch"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"worked-2-2-2 with --weights {other}:") and "slide" not in out
    assert "net_h1" not in out and "z^[1]_1" in out  # the layer steps, not the slide's symbols


def test_the_shown_samples_loss_is_each_frameworks_own_and_agrees():
    """The spiral's sample 7: -log of its true class's probability, from every implementation's pass on that row."""
    case = get_case("spiral-2-4-3")
    framework = next(n for n in registry.NAMES if n != registry.REFERENCE and registry.get(n).runs_here())
    _, steps = explain_case(case, (registry.REFERENCE, framework), sample=6)
    step = next(s for s in steps if s.symbol == "l(sample 7)")
    a1 = np.maximum(case.X[6] @ case.params["W1"].T + case.params["b1"], 0)
    z2 = a1 @ case.params["W2"].T + case.params["b2"]
    expected = -(z2[case.y[6]] - np.log(np.exp(z2).sum()))
    assert step.values[registry.REFERENCE] == pytest.approx(expected, rel=1e-12)
    assert step.values[framework] == pytest.approx(expected, rel=1e-10) and step.agrees[framework]
    assert re.search(r"-log [0-9.]+  \(class \d\)", step.numbers)


def test_the_mean_loss_is_named_a_mean_of_the_per_sample_loss():
    _, steps = explain_case("iris-2-4-3", (registry.REFERENCE,))
    mean = next(s for s in steps if s.symbol == "L")
    assert mean.formula.startswith("(1/m) sum_i l(sample i)") and "m = 150" in mean.formula


@pytest.mark.parametrize(
    "argv, message",
    [
        (["explain", SPEC], f"CASE {SPEC}: a SPEC needs --data FILE"),
        (["explain", "spirl-2-4-3"], "did you mean 'spiral-2-4-3'"),
        (["explain", "2-3:relu"], "2-3:relu"),
    ],
)
def test_bad_cases_exit_2_with_one_line(capsys, argv, message):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and message in captured.err and len(captured.err.strip().splitlines()) == 1, captured.err
