"""Every printed number of the lectures' worked examples, checked against what the given weights produce.

The Amrita FFNN intro's 4-4-1 and 4-4-3 examples, the intermediate numbers of Mazur's worked
example it reproduces, its "divide by the sum" slide and hmkcode's 2-2-1 matrix example, and
Session-5 backprop's small numeric asides and fish table. The expected numbers are the slides'
own, or derived here independently with scalar ``math`` and plain loops (no project code), and
then compared with the implementations (all three for the two single-sample examples, scratch
for the rest). Where the slide's printed value differs by more than half a unit of its last
digit, the test says so, checks what explains it, and docs/lecture-examples.md says why.
"""

import math

import numpy as np
import pytest

from compare import registry
from compare.data.cases import lecture_4_4_1, lecture_4_4_3, worked_2_2_2
from compare.data.datasets import FISH_CLASSES, FISH_TABLE, fish
from compare.parity.harness import evaluate_with
from core.spec import parse_spec
from scratch.activations import softmax as scratch_softmax
from scratch.losses import output_delta
from scratch.model import evaluate as scratch_evaluate
from scratch.model import gradients as scratch_gradients

IMPLEMENTATIONS = registry.NAMES


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def by_hand(case):
    """Scalar forward pass: z1_j = sum_k W1[j][k] x_k + b1_j, a1 = sigmoid(z1), z2 likewise."""
    W1, b1, W2, b2 = (case.params[k].tolist() for k in ("W1", "b1", "W2", "b2"))
    x = case.X[0].tolist()
    z1 = [sum(w * xk for w, xk in zip(row, x, strict=True)) + b for row, b in zip(W1, b1, strict=True)]
    a1 = [sigmoid(v) for v in z1]
    z2 = [sum(w * ak for w, ak in zip(row, a1, strict=True)) + b for row, b in zip(W2, b2, strict=True)]
    return z1, a1, z2


def test_4_4_1_by_hand_matches_the_slide_up_to_its_rounding():
    z1, a1, z2 = by_hand(lecture_4_4_1())
    # slide: a1 = [0.01 0.71 0.42 0.63], h1 = [0.50 0.67 0.60 0.65], a2 = 0.921
    assert [round(v, 2) for v in z1] == [0.01, 0.71, 0.42, 0.63]
    assert [round(v, 2) for v in a1] == [0.50, 0.67, 0.60, 0.65]
    assert round(z2[0], 3) == 0.921
    y_hat = sigmoid(z2[0])
    loss = -math.log(1.0 - y_hat)  # y = 0
    # The slide prints y_hat = 0.7152 and L = 1.2560; the exact values are 0.71529 and 1.25629.
    # The slide carried its rounded a2 = 0.921 forward: sigmoid(0.921) = 0.715246, -log(1 - 0.7152) = 1.25597.
    assert abs(y_hat - 0.7152) > 0.5e-4 and abs(y_hat - 0.71529) < 0.5e-5
    assert abs(loss - 1.2560) > 0.5e-4 and abs(loss - 1.25629) < 0.5e-5
    assert round(-math.log(1.0 - 0.7152), 4) == 1.2560  # the slide's own arithmetic


def test_4_4_1_slide_yhat_is_sigmoid_of_its_rounded_a2():
    assert round(sigmoid(0.921), 4) == 0.7152  # the slide's y_hat is sigma(0.921), rounded
    assert abs(sigmoid(0.921) - 0.715246) < 0.5e-6  # sigma(0.921) = 0.7152458...
    assert abs(sigmoid(0.921) - 0.71523) > 0.5e-5  # so "0.71523" is no rounding of it
    # a2 from the slide's own 2-decimal h1 is 0.921 exactly: 0.5*0.50 + 0.8*0.67 - 0.6*0.60 + 0.3*0.65 + 0.3
    assert round(0.5 * 0.50 + 0.8 * 0.67 - 0.6 * 0.60 + 0.3 * 0.65 + 0.3, 12) == 0.921


def test_4_4_3_by_hand_shows_the_slide_slip_in_a2():
    z1, a1, z2 = by_hand(lecture_4_4_3())
    assert [round(v, 2) for v in z1] == [0.62, 0.09, 0.2, -0.15]
    assert [round(v, 2) for v in a1] == [0.65, 0.52, 0.55, 0.46]
    # slide: a2 = [0.32 0.29 0.85]; the given weights give [0.318, 0.287, 0.790]
    assert [round(v, 2) for v in z2[:2]] == [0.32, 0.29]
    assert abs(z2[2] - 0.85) > 0.05  # a slip on the slide, not rounding
    assert round(z2[2], 3) == 0.790


def softmax(z):
    total = sum(math.exp(v) for v in z)
    return [math.exp(v) / total for v in z]


def within_rounding(value, printed):
    """Half a unit in the last printed decimal."""
    return abs(value - float(printed)) <= 0.5 * 10.0 ** -len(printed.split(".")[1])


def test_4_4_3_slide_numbers_follow_from_w2_row_3_starting_with_0_3_instead_of_the_printed_0_2():
    printed_a2, printed_y_hat, printed_loss = ("0.32", "0.29", "0.85"), ("0.2718", "0.2634", "0.4648"), "0.7661"
    # the slide's y_hat is not the softmax of its own printed a2 ...
    from_printed_a2 = softmax([float(v) for v in printed_a2])
    assert not within_rounding(from_printed_a2[0], printed_y_hat[0])  # 0.2725, not 0.2718
    assert not within_rounding(from_printed_a2[2], printed_y_hat[2])  # 0.4630, not 0.4648
    # ... but every printed a2, y_hat and L follows from the exact h1 with W2[2][0] = 0.3 (printed: 0.2)
    case = lecture_4_4_3()
    case.params["W2"] = case.params["W2"].copy()
    case.params["W2"][2, 0] = 0.3
    _, _, z2 = by_hand(case)
    assert all(within_rounding(v, p) for v, p in zip(z2, printed_a2, strict=True))  # [0.318 0.287 0.855]
    y_hat = softmax(z2)
    assert all(within_rounding(v, p) for v, p in zip(y_hat, printed_y_hat, strict=True))
    assert within_rounding(-math.log(y_hat[2]), printed_loss)
    assert within_rounding(-math.log(0.4648), printed_loss)  # the slide's own last step
    # and the slide's own 2-decimal h1 with that weight does not reproduce y_hat: it used the unrounded h1
    assert not within_rounding(softmax([0.317, 0.286, 0.853])[1], printed_y_hat[1])


def test_amrita_dividing_by_the_sum_gives_the_printed_shares_and_a_negative_one():
    # a3 = [3 4 10 3] -> 0.15 0.20 0.50 0.15; a3 = [7 -2 4 1] -> 0.70 -0.20 0.40 0.10 (not a probability)
    for a3, printed in (([3, 4, 10, 3], ("0.15", "0.20", "0.50", "0.15")), ([7, -2, 4, 1], ("0.70", "-0.20", "0.40", "0.10"))):
        shares = [v / sum(a3) for v in a3]
        assert [round(v, 12) for v in shares] == [float(p) for p in printed]  # exact
    assert min(v / 10 for v in [7, -2, 4, 1]) < 0  # why the slide turns to softmax
    out = scratch_softmax(np.array([[7.0, -2.0, 4.0, 1.0]]))[0]
    assert out.tolist() == pytest.approx(softmax([7.0, -2.0, 4.0, 1.0]), rel=1e-12) and min(out) > 0


def hmkcode():
    """hmkcode's 2-2-1 example (Amrita FFNN intro, last slide): [2 3] . [[.11 .12] [.21 .08]] . [.14 .15]^T, linear, no bias.

    The slide multiplies a row by an in x out matrix (row convention); canonical W1 is its transpose.
    """
    printed_W1 = np.array([[0.11, 0.12], [0.21, 0.08]])  # rows: inputs, columns: hidden units
    printed_W2 = np.array([[0.14], [0.15]])
    params = {"W1": printed_W1.T.copy(), "b1": np.zeros(2), "W2": printed_W2.T.copy(), "b2": np.zeros(1)}
    return parse_spec("2-2-1:linear,linear:sse"), params, np.array([[2.0, 3.0]]), printed_W1


def test_hmkcode_matrix_example_reproduces_0_85_0_48_and_0_191():
    spec, params, x, printed_W1 = hmkcode()
    # the slide's arithmetic: 2*.11 + 3*.21 = .85, 2*.12 + 3*.08 = .48, .85*.14 + .48*.15 = .191
    assert round(2 * 0.11 + 3 * 0.21, 12) == 0.85 and round(2 * 0.12 + 3 * 0.08, 12) == 0.48
    assert round(0.85 * 0.14 + 0.48 * 0.15, 12) == 0.191
    trace = scratch_evaluate(spec, params, x, np.array([[1.0]]))
    assert trace.a[1][0].tolist() == pytest.approx([0.85, 0.48], rel=1e-14)
    assert trace.a[2][0, 0] == pytest.approx(0.191, rel=1e-14)
    # loading the printed matrix as canonical W1 (no transpose) gives 2*.11 + 3*.12 = .58, not .85
    wrong = scratch_evaluate(spec, dict(params, W1=printed_W1), x, np.array([[1.0]]))
    assert wrong.a[1][0, 0] == pytest.approx(0.58, rel=1e-14)


MAZUR_INTERMEDIATE = [  # (quantity, slide value as printed), from the Amrita FFNN intro's practice problem
    ("net_h1", "0.3775"),
    ("net_o1", "1.105905967"),
    ("E_o1", "0.274811083"),
    ("E_o2", "0.023560026"),
    ("dE/dout_o1", "0.74136507"),
    ("dout_o1/dnet_o1", "0.186815602"),
    ("dnet_o1/dw5", "0.593269992"),
]


@pytest.mark.parametrize("quantity,printed", MAZUR_INTERMEDIATE, ids=[q for q, _ in MAZUR_INTERMEDIATE])
def test_mazur_intermediate_numbers_match_the_slide_to_its_rounding(quantity, printed):
    case = worked_2_2_2()
    trace = scratch_evaluate(case.spec, case.params, case.X, case.y)
    (t1, t2), (o1, o2) = case.y[0], trace.a[2][0]
    values = {
        "net_h1": trace.z[1][0, 0],
        "net_o1": trace.z[2][0, 0],
        "E_o1": 0.5 * (t1 - o1) ** 2,
        "E_o2": 0.5 * (t2 - o2) ** 2,
        "dE/dout_o1": -(t1 - o1),
        "dout_o1/dnet_o1": o1 * (1 - o1),
        "dnet_o1/dw5": trace.a[1][0, 0],
    }
    assert within_rounding(values[quantity], printed)


def test_mazur_slide_arithmetic_on_its_own_printed_numbers():
    assert round(0.15 * 0.05 + 0.2 * 0.1 + 0.35 * 1, 12) == 0.3775
    assert within_rounding(0.4 * 0.593269992 + 0.45 * 0.596884378 + 0.6 * 1, "1.105905967")
    assert within_rounding(sigmoid(1.105905967), "0.75136507")
    assert round(0.274811083 + 0.023560026, 12) == 0.298371109  # E_total = E_o1 + E_o2, exact
    assert within_rounding(0.75136507 * (1 - 0.75136507), "0.186815602")
    assert within_rounding(0.74136507 * 0.186815602 * 0.593269992, "0.082167041")
    assert within_rounding(0.4 - 0.5 * 0.082167041, "0.35891648")
    assert round(0.15 - 0.5 * 0.000438568, 12) == 0.149780716
    # E_o1 recomputed from the printed out_o1 would round to ...084: the slide used the unrounded out_o1
    assert not within_rounding(0.5 * (0.01 - 0.75136507) ** 2, "0.274811083")
    assert within_rounding(0.5 * (0.01 - sigmoid(0.4 * sigmoid(0.3775) + 0.45 * sigmoid(0.3925) + 0.6)) ** 2, "0.274811083")


def test_session5_dz2_example_probs_minus_onehot():
    # P = [0.2 0.3 0.5], actual class 1: [0.2, 0.3 - 1, 0.5] = [0.2 -0.7 0.5]
    probs = np.array([[0.2, 0.3, 0.5]])
    trace = scratch_evaluate(
        parse_spec("1-3:softmax:cce"), {"W1": np.zeros((3, 1)), "b1": np.log(probs[0])}, np.zeros((1, 1)), np.array([1])
    )
    assert trace.a[1][0].tolist() == pytest.approx([0.2, 0.3, 0.5], rel=1e-12)
    assert trace.delta[1][0].tolist() == pytest.approx([0.2, -0.7, 0.5], rel=1e-12)


def test_session5_db2_example_column_sums_over_m():
    # np.sum([[1 2 3] [4 5 6]], axis=0) / 2 = [5/2 7/2 9/2]: db = the mean of dz over the rows
    dz = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert (np.sum(dz, axis=0, keepdims=True) / 2).tolist() == [[2.5, 3.5, 4.5]]
    grads = scratch_gradients({1: dz}, {0: np.zeros((2, 1))})
    assert grads["b1"].tolist() == [5 / 2, 7 / 2, 9 / 2]


def test_session5_onehot_rows_and_the_subtraction_as_transcribed():
    # the notes write [0 1 0] - [1 0 0] = [0 0 1]: as arithmetic that is [-1 1 0]; as a list, the three one-hot rows
    assert (np.array([0, 1, 0]) - np.array([1, 0, 0])).tolist() == [-1, 1, 0] != [0, 0, 1]
    onehot = -output_delta("cce", "softmax", np.zeros((3, 3)), np.zeros((3, 3)), np.array([1, 0, 2]))
    assert onehot.tolist() == [[0, 1, 0], [1, 0, 0], [0, 0, 1]]


def test_session5_log_1_is_0_and_minus_log_half_is_ln_2():
    spec = parse_spec("1-2:softmax:cce")
    certain = scratch_evaluate(spec, {"W1": np.zeros((2, 1)), "b1": np.array([1000.0, 0.0])}, np.zeros((1, 1)), np.array([0]))
    assert certain.loss == 0.0 == math.log(1)
    even = scratch_evaluate(spec, {"W1": np.zeros((2, 1)), "b1": np.zeros(2)}, np.zeros((1, 1)), np.array([0]))
    assert even.loss == pytest.approx(-math.log(0.5), rel=1e-15) and round(-math.log(0.5), 4) == 0.6931


def test_session5_fish_table_is_the_six_printed_rows():
    # Width, Height (cm) -> class: 5 20 salmon, 6 21 salmon, 30 200 hammer shark, 40 300 hammer shark, 10 50 tuna, 15 60 tuna
    printed = [(5, 20, "salmon"), (6, 21, "salmon"), (30, 200, "hammerhead shark"), (40, 300, "hammerhead shark")]
    printed += [(10, 50, "tuna"), (15, 60, "tuna")]
    assert [(int(w), int(h), FISH_CLASSES[int(c)]) for w, h, c in FISH_TABLE] == printed
    X, y = fish()
    widths = [5, 6, 30, 40, 10, 15]
    mean = sum(widths) / 6
    std = math.sqrt(sum((w - mean) ** 2 for w in widths) / 6)
    assert X[:, 0].tolist() == pytest.approx([(w - mean) / std for w in widths], rel=1e-12)
    assert y.tolist() == [0, 0, 2, 2, 1, 1]


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_4_4_1_implementations_match_the_hand_computation(implementation):
    case = lecture_4_4_1()
    z1, a1, z2 = by_hand(case)
    trace = evaluate_with(implementation, case.spec, case.params, case.X, case.y, "float64")
    y_hat = sigmoid(z2[0])
    assert trace.z[1][0].tolist() == pytest.approx(z1, rel=1e-12)
    assert trace.output[0, 0] == pytest.approx(y_hat, rel=1e-12)
    assert trace.loss == pytest.approx(-math.log(1.0 - y_hat), rel=1e-12)
    # BCE with sigmoid: dL/dz2 = y_hat - y, so dL/dW2_k = (y_hat - 0) a1_k (ED5340 L26)
    assert trace.grads["W2"][0].tolist() == pytest.approx([y_hat * a for a in a1], rel=1e-12)


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_4_4_3_implementations_match_the_hand_computation(implementation):
    case = lecture_4_4_3()
    _, a1, z2 = by_hand(case)
    total = sum(math.exp(v) for v in z2)
    probs = [math.exp(v) / total for v in z2]
    trace = evaluate_with(implementation, case.spec, case.params, case.X, case.y, "float64")
    assert trace.output[0].tolist() == pytest.approx(probs, rel=1e-12)
    assert trace.loss == pytest.approx(-math.log(probs[2]), rel=1e-12)
    # softmax + CE: dL/dz2 = probs - onehot(third class) (Session-5 backprop)
    delta2 = [p - (1.0 if j == 2 else 0.0) for j, p in enumerate(probs)]
    assert trace.grads["b2"].tolist() == pytest.approx(delta2, rel=1e-12)
