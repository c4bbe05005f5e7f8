"""``python -m compare explain``: every number of the Amrita FFNN intro's slides, reproduced or marked.

The golden numbers below are typed from the slide text of the Amrita FFNN intro lecture
(Mazur's worked example and the binary and multi-class examples), never produced by the
code under test. A printed number is reproduced when the computed value lies within half
a unit of its last printed digit.
"""

from __future__ import annotations

import dataclasses
import math
import re

import numpy as np
import pytest

from compare import registry
from compare.students.explain import explain_case, main, render_markdown, render_text
from compare.students.steps import worked_example_steps
from core.errors import InputError
from planted_bugs import run_cli_with_keras_kernel_not_transposed

# Mazur's worked example, the Amrita FFNN intro's "Practice Problem - Back Propagation", as printed
WORKED_SLIDE = {
    "net_h1": "0.3775",
    "out_h1": "0.593269992",
    "out_h2": "0.596884378",
    "net_o1": "1.105905967",
    "out_o1": "0.75136507",
    "out_o2": "0.772928465",
    "E_o1": "0.274811083",
    "E_o2": "0.023560026",
    "E_total": "0.298371109",
    "dE_total/dout_o1": "0.74136507",
    "dout_o1/dnet_o1": "0.186815602",
    "dnet_o1/dw5": "0.593269992",
    "dE_total/dw5": "0.082167041",
    "w5+": "0.35891648",
    "w6+": "0.408666186",
    "w7+": "0.511301270",
    "w8+": "0.561370121",
    "dE_total/dw1": "0.000438568",
    "w1+": "0.149780716",
    "w2+": "0.19956143",
    "w3+": "0.24975114",
    "w4+": "0.29950229",
}


def half_unit(printed: str) -> float:
    return 0.5 * 10.0 ** -len(printed.split(".")[1])


@pytest.fixture(scope="module")
def worked():
    case, steps = explain_case("worked-2-2-2")  # scratch, torch and keras
    return case, {step.symbol: step for step in steps}


@pytest.mark.parametrize("symbol", list(WORKED_SLIDE))
def test_worked_example_reproduces_the_slide(worked, symbol):
    _, steps = worked
    step = steps[symbol]
    printed = WORKED_SLIDE[symbol]
    assert abs(step.values["scratch"] - float(printed)) <= half_unit(printed) * (1 + 1e-9)
    assert step.slide == printed and step.slide_agrees is True and step.note == ""
    assert all(step.agrees.values())


def test_worked_example_shows_every_framework_beside_scratch(worked):
    _, steps = worked
    for symbol in ("net_h1", "out_o2", "E_total", "delta_o1", "delta_h2", "dE_total/dw5", "dE_total/dw4", "w8+"):
        assert set(steps[symbol].values) == set(registry.NAMES), symbol
    # factors autograd does not expose are scratch's only, not invented for the frameworks
    assert set(steps["dout_o1/dnet_o1"].values) == {"scratch"}


def test_text_reads_like_the_slide(worked):
    case, steps = worked
    text = render_text(case, list(steps.values()), registry.NAMES)
    assert "net_h1 = w1*i1 + w2*i2 + b1*1 = 0.15*0.05 + 0.2*0.1 + 0.35*1 = 0.3775\n" in text
    assert "w5+ = w5 - eta * dE_total/dw5 = 0.4 - 0.5 * 0.082167041 = 0.35891648\n" in text
    assert "✗" not in text.split("Forward pass", 1)[1]


def test_a_framework_that_differs_is_marked():
    case, _ = explain_case("worked-2-2-2", ("scratch",))
    from scratch.model import evaluate

    good = evaluate(case.spec, case.params, case.X, case.y)
    bad = dataclasses.replace(good, grads={**good.grads, "W2": good.grads["W2"] * (1 + 1e-6)})
    steps = {s.symbol: s for s in worked_example_steps(case, {registry.REFERENCE: good, "torch": bad})}
    assert steps["dE_total/dw5"].agrees == {"torch": False}
    assert steps["dE_total/dw1"].agrees == {"torch": True}
    assert steps["w5+"].agrees == {"torch": False}


def _steps(name: str) -> dict:
    _, steps = explain_case(name, ("scratch",))
    return {step.symbol: step for step in steps}


def test_binary_slide_rounding_carried_forward_is_marked():
    """4-4-1: a_1 and h_1 match; yhat 0.7152 and L 1.2560 came from the rounded a_2 = 0.921."""
    steps = _steps("lecture-4-4-1-bce")
    for j, printed in enumerate(("0.01", "0.71", "0.42", "0.63"), start=1):
        assert steps[f"z^[1]_{j}"].slide == printed and steps[f"z^[1]_{j}"].slide_agrees, j
    for j, printed in enumerate(("0.50", "0.67", "0.60", "0.65"), start=1):
        assert abs(steps[f"a^[1]_{j}"].values["scratch"] - float(printed)) <= 0.005
    assert abs(steps["z^[2]_1"].values["scratch"] - 0.921) <= 0.0005
    # independent derivation: the slide's numbers follow from its rounded a_2 = 0.921
    yhat_from_rounded = 1 / (1 + math.exp(-0.921))
    assert round(yhat_from_rounded, 4) == 0.7152 and round(-math.log(1 - 0.7152), 4) == 1.2560
    for symbol in ("a^[2]_1", "L"):
        assert steps[symbol].slide_agrees is False and "rounded" in steps[symbol].note
    assert abs(steps["a^[2]_1"].values["scratch"] - 0.7152) < 2e-4
    assert abs(steps["L"].values["scratch"] - 1.2560) < 5e-4


def test_softmax_slide_slip_is_marked():
    """4-4-3: the slide prints a_2 = [0.32 0.29 0.85]; the given W_2 row 3 times h_1 gives ~0.79."""
    steps = _steps("lecture-4-4-3-softmax")
    assert steps["z^[2]_1"].slide_agrees and steps["z^[2]_2"].slide_agrees
    by_hand = 0.2 * 0.65 + 0.1 * 0.52 + 0.6 * 0.55 + 0.6 * 0.46  # W_2 row 3 . the slide's h_1
    assert abs(steps["z^[2]_3"].values["scratch"] - by_hand) < 0.005
    assert steps["z^[2]_3"].slide_agrees is False and "slip" in steps["z^[2]_3"].note
    for j in (1, 2, 3):
        assert steps[f"a^[2]_{j}"].slide_agrees is False
    # the slide's loss is consistent with its own yhat_3 = 0.4648, not with the weights
    assert round(-math.log(0.4648), 4) == 0.7661
    assert steps["L"].slide_agrees is False
    probabilities = [steps[f"a^[2]_{j}"].values["scratch"] for j in (1, 2, 3)]
    assert math.isclose(sum(probabilities), 1.0, rel_tol=1e-12)
    assert math.isclose(steps["L"].values["scratch"], -math.log(probabilities[2]), rel_tol=1e-12)


def test_other_cases_use_layer_symbols():
    steps = _steps("fish-2-4-3")
    assert {f"z^[1]_{j}" for j in range(1, 5)} <= set(steps)
    assert sum(s.startswith("dW^[") for s in steps) == 2 * 4 + 4 * 3
    assert all(step.slide is None for step in steps.values())
    assert "(1/m) sum over samples" in steps["dW^[2]_11"].formula


def test_sample_out_of_range_is_input_error():
    with pytest.raises(InputError, match="--sample 7"):
        explain_case("fish-2-4-3", ("scratch",), sample=6)


def test_markdown_page(tmp_path):
    out = tmp_path / "worked.md"
    assert main(["worked-2-2-2", "--format", "markdown", "--output", str(out), "--frameworks", "scratch"]) == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("# explain worked-2-2-2")
    assert "## Backward pass" in page and "| `dE_total/dw5` |" in page
    assert "| 0.082167041 | 0.082167041 ✓ |" in page


def test_markdown_marks_the_slip():
    case, steps = explain_case("lecture-4-4-3-softmax", ("scratch",))
    page = render_markdown(case, steps, ("scratch",))
    row = next(line for line in page.splitlines() if line.startswith("| `z^[2]_3`"))
    assert "0.85 ✗" in row and "slip" in row
    assert np.isfinite(steps[0].values["scratch"])


def test_an_unwritable_output_is_refused_before_any_work(tmp_path, capsys):
    from compare.cli import main

    assert main(["explain", "worked-2-2-2", "--format", "markdown", "--output", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--output" in err[0] and "is a directory" in err[0]


@pytest.mark.full  # runs the CLI with a planted bug: the full suite only
def test_cli_exits_1_when_an_implementation_differs():
    """A layout bug planted in keras_impl (the kernel loaded without its .T), ``explain`` run in a real subprocess.

    The worked example's W1 is square and asymmetric, so the planted bug changes keras's numbers without a
    shape error. The legend line always contains a ✗, so the mark is looked for beside keras's values.
    """
    done = run_cli_with_keras_kernel_not_transposed("explain", "worked-2-2-2")
    assert done.returncode == 1, done.stderr
    # by hand, with kernel = W1 instead of W1^T: net_h1 = w1*i1 + w3*i2 + b1 = 0.15*0.05 + 0.25*0.1 + 0.35 = 0.3825
    assert "torch 0.3775 ✓   keras 0.3825 ✗" in done.stdout, done.stdout
    assert len(re.findall(r"keras \S+ ✗", done.stdout)) >= 8  # every forward value of the net is off


@pytest.fixture(scope="module")
def regularised():
    case, steps = explain_case("fish-2-4-3-bn-dropout", sample=3)
    return case, steps, {step.symbol: step for step in steps}


def test_batch_norm_and_dropout_steps_are_shown_in_computation_order(regularised):
    _, steps, by_symbol = regularised
    order = [step.symbol for step in steps]
    for unit in ("^[1]_1", "^[1]_4"):
        forward = [f"z{unit}", f"mu{unit}", f"var{unit}", f"zhat{unit}", f"bn{unit}", f"running_mean{unit}+", f"h{unit}"]
        assert [order.index(s) for s in forward] == sorted(order.index(s) for s in forward), forward
        assert order.index(f"mask{unit}") < order.index(f"a{unit}") < order.index("L")
        backward = [f"da{unit}", f"dh{unit}", f"dbn{unit}", f"dgamma{unit}", f"dbeta{unit}", f"delta{unit}", "gamma^[1]_1+"]
        assert [order.index(s) for s in backward] == sorted(order.index(s) for s in backward), backward
    assert "db^[1]_1" not in by_symbol and "b^[1]_1+" not in by_symbol  # no bias before batch norm
    assert {"gamma^[1]_2+", "beta^[1]_3+", "w^[1]_41+"} <= set(by_symbol)


def test_batch_norm_numbers_follow_from_the_shown_ones(regularised):
    """Each batch-norm step's value is its formula applied to the values shown before it (sample 4 of 6)."""
    case, _, s = regularised
    z = [s[f"z^[1]_{j}"].values["scratch"] for j in range(1, 5)]
    for j in range(1, 5):
        unit = f"^[1]_{j}"
        mu, var = s[f"mu{unit}"].values["scratch"], s[f"var{unit}"].values["scratch"]
        zhat = (z[j - 1] - mu) / math.sqrt(var + 1e-5)
        assert s[f"zhat{unit}"].values["scratch"] == pytest.approx(zhat, rel=1e-12)
        bn = case.params["gamma1"][j - 1] * zhat + case.params["beta1"][j - 1]
        assert s[f"bn{unit}"].values["scratch"] == pytest.approx(bn, rel=1e-12)
        h = max(0.0, bn)
        assert s[f"h{unit}"].values["scratch"] == pytest.approx(h, rel=1e-12, abs=1e-15)
        assert s[f"a{unit}"].values["scratch"] == pytest.approx(h * s[f"mask{unit}"].values["scratch"] / 0.5, rel=1e-12)
        mean = 0.9 * case.params["running_mean1"][j - 1] + 0.1 * mu
        assert s[f"running_mean{unit}+"].values["scratch"] == pytest.approx(mean, rel=1e-12)
        assert s[f"running_var{unit}+"].values["scratch"] == pytest.approx(
            0.9 * case.params["running_var1"][j - 1] + 0.1 * var * 6 / 5
        )


def test_every_framework_agrees_on_its_own_masks(regularised):
    _, steps, by_symbol = regularised
    assert all(all(step.agrees.values()) for step in steps)
    assert set(by_symbol["mask^[1]_1"].values) == set(registry.NAMES)  # each implementation's own draw is shown
    assert set(by_symbol["mu^[1]_1"].values) == set(by_symbol["dbn^[1]_1"].values) == {"scratch"}  # not exposed


def test_inference_mode_shows_the_running_statistics_and_no_dropout():
    _, steps = explain_case("fish-2-4-3-bn-dropout", frameworks=registry.OTHERS[:1], mode="inference")
    symbols = [step.symbol for step in steps]
    assert "mask^[1]_1" not in symbols and "running_mean^[1]_1+" not in symbols and "mu^[1]_1" not in symbols
    zhat = next(step for step in steps if step.symbol == "zhat^[1]_1")
    assert "running mean and variance" in zhat.formula and all(all(step.agrees.values()) for step in steps)


def test_cli_explains_batch_norm_and_dropout_with_exit_0(capsys):
    assert main(["fish-2-4-3-bn-dropout", "--frameworks", "torch", "--sample", "4"]) == 0
    out = capsys.readouterr().out
    assert "the two mean terms are mu's and var's own dependence on z" in out
    assert "dropout: each implementation draws its own masks" in out
