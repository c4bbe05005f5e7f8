"""Reading what a student's function returns, and calling it the way it was written (compare.students.returns, calling).

The gradients here are made up (each entry tells which parameter it is), so what is
checked is where each one lands, not any arithmetic.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from compare.students import calling, conventions
from compare.students.returns import read_returned
from core.errors import InputError
from core.spec import Spec

SPEC = Spec((3, 4, 2), ("relu", "sigmoid"), "sse")  # W1 (4, 3), b1 (4,), W2 (2, 4), b2 (2,)


def _canonical() -> dict[str, np.ndarray]:
    return {name: np.full(shape, float(i + 1)) for i, (name, shape) in enumerate(SPEC.param_shapes().items())}


def _columns() -> dict[str, np.ndarray]:
    return {k: v.reshape(-1, 1) if k.startswith("b") else v for k, v in _canonical().items()}


def _assert_canonical(grads):
    for name, value in _canonical().items():
        np.testing.assert_array_equal(grads[name], value, err_msg=name)


@pytest.mark.parametrize(
    "returned, how",
    [
        pytest.param(lambda g: (0.5, g), "a dict keyed W1, b1, W2, b2, with the loss first", id="loss-dict"),
        pytest.param(lambda g: (g, 0.5), "a dict keyed W1, b1, W2, b2, with the loss last", id="dict-loss"),
        pytest.param(
            lambda g: (np.array([[0.5]]), {f"d{k}": v for k, v in g.items()}),
            "a dict keyed dW1, db1, dW2, db2, with the loss first",
            id="1x1-loss-d-keys",
        ),
        pytest.param(
            lambda g: ([g["b1"], g["b2"]], [g["W1"], g["W2"]], 0.5),
            "(nabla_b, nabla_w): two sequences in layer order 1..L, with the loss last",
            id="nabla_b-nabla_w-loss",
        ),
        pytest.param(
            lambda g: (0.5, [g["W1"], g["W2"]], (g["b1"], g["b2"])),
            "(nabla_w, nabla_b): two sequences in layer order 1..L, with the loss first",
            id="loss-nabla_w-nabla_b",
        ),
        pytest.param(
            lambda g: (0.5, [g["W1"], g["b1"], g["W2"], g["b2"]]),
            "(dW1, db1, dW2, db2, ...): one sequence in layer order 1..L, with the loss first",
            id="loss-flat",
        ),
        pytest.param(
            lambda g: (g["b1"], g["W1"], g["b2"], g["W2"], 0.5),
            "(db1, dW1, db2, dW2, ...): one sequence in layer order 1..L, with the loss last",
            id="flat-bias-first-loss",
        ),
    ],
)
def test_every_documented_form_is_read_the_same(returned, how):
    output = read_returned(returned(_columns()), SPEC, "columns")
    assert output.loss == 0.5
    assert output.how == how
    _assert_canonical(output.grads)
    assert output.raw["b1"].shape == (4, 1)  # as the student returned it


def test_no_loss_means_gradients_only():
    output = read_returned(
        ([_canonical()["b1"], _canonical()["b2"]], [_canonical()["W1"], _canonical()["W2"]]), SPEC, "canonical"
    )
    assert output.loss is None and output.how.endswith("no loss")
    _assert_canonical(output.grads)


@pytest.mark.parametrize("convention, shape", [("canonical", (4,)), ("canonical", (4, 1)), ("columns", (1, 4)), ("rows", (4, 1))])
def test_a_bias_gradient_may_be_a_row_a_column_or_flat(convention, shape):
    grads = conventions.params_to(convention, _canonical())
    grads["b1"] = np.asarray(grads["b1"]).reshape(shape)
    _assert_canonical(read_returned((0.0, grads), SPEC, convention).grads)


def test_a_name_mapping_reads_the_students_keys_and_lists():
    names = conventions.parse_names("W1=w_hidden,b1=b_hidden,W=weights")
    g = _canonical()
    returned = {"dw_hidden": g["W1"], "DB_HIDDEN": g["b1"], "d_weights": [None, g["W2"]], "b2": g["b2"]}
    returned["d_weights"][0] = g["W1"]
    _assert_canonical(read_returned(returned, SPEC, "canonical", names).grads)


@pytest.mark.parametrize("style", ["grad_w_{l}", "dW_{l}", "d_w{l}", "nabla_W{l}", "GRAD_W{l}"])
def test_gradient_keys_are_read_whatever_their_case_and_underscores(style):
    g = _canonical()
    returned = {style.format(l=l): g[f"W{l}"] for l in (1, 2)} | {
        style.replace("w", "b").replace("W", "b").format(l=l): g[f"b{l}"] for l in (1, 2)
    }
    output = read_returned(returned, SPEC, "canonical")
    _assert_canonical(output.grads)
    keyed = [
        style.format(l=l) if kind == "W" else style.replace("w", "b").replace("W", "b").format(l=l)
        for l in (1, 2)
        for kind in "Wb"
    ]
    assert output.how == f"a dict keyed {', '.join(keyed)}, no loss"


def test_the_params_a_mapping_passes_are_keyed_as_the_student_wrote():
    names = conventions.parse_names("W=weights,b=biases")
    passed = conventions.params_to("columns", _canonical(), names)
    assert set(passed) == {"weights", "biases"}
    assert [w.shape for w in passed["weights"]] == [(4, 3), (2, 4)]
    assert [b.shape for b in passed["biases"]] == [(4, 1), (2, 1)]


@pytest.mark.parametrize(
    "returned, message",
    [
        pytest.param(1.0, "the return value is float; expected the gradients as a dict", id="float"),
        pytest.param((1.0, [np.zeros(3)]), "the return value is tuple of 2: (float, list of 1 arrays)", id="short-list"),
        pytest.param((1.0, {"W1": 0, "b1": 0, "W2": 0}), "the gradients have no 'b2' (nor 'db2')", id="missing-key"),
        pytest.param(
            (1.0, {"W1": "x", "b1": 0, "W2": 0, "b2": 0}), "gradient 'W1': expected a numeric array, got str", id="text"
        ),
    ],
)
def test_a_form_not_understood_says_what_came_back(returned, message):
    with pytest.raises(InputError, match=r"^" + r"\s*".join(map(__import__("re").escape, message.split()))):
        read_returned(calling.plain(returned), SPEC, "canonical")


def test_names_refused_when_not_parameters():
    with pytest.raises(InputError, match="'V1' is not a parameter"):
        conventions.parse_names("V1=v")
    with pytest.raises(InputError, match="W3 is not a parameter of 3-4-2"):
        conventions.check_names(conventions.parse_names("W3=w3"), SPEC)


# ---------------------------------------------------------------------------------------------
# Calling by name

X, Y = np.zeros((1, 3)), np.zeros((1, 2))


def test_arguments_are_bound_by_name_in_any_order():
    seen = {}

    def grads(Y, parameters, X):
        seen.update(Y=Y, parameters=parameters, X=X)
        return "done"

    assert calling.call([grads], {"W1": 1}, "the X", "the y", 2) == "done"
    assert seen == {"Y": "the y", "parameters": {"W1": 1}, "X": "the X"}


def test_unknown_names_fall_back_to_params_X_y_by_position():
    assert calling.call([lambda net_params, inputs_, targets_: (net_params, inputs_, targets_)], "p", "x", "y", 2) == (
        "p",
        "x",
        "y",
    )


def test_an_l2_argument_receives_lambda_and_keeps_its_default_without_it():
    def loss(model, X, y, reg=0.0):
        return reg

    assert calling.call([loss], {}, X, Y, 2, l2=0.25) == 0.25
    assert calling.call([loss], {}, X, Y, 2) == 0.0


def test_a_chain_passes_output_cache_and_cost_by_name():
    def forward(X, parameters):
        return np.array([2.0]), {"Z1": "z"}

    def cost(A2, Y):
        return float(A2[0] * 10 + Y)

    def backward(parameters, cache, X, Y):
        return {"from cache": cache["Z1"]}

    assert calling.call([forward, cost, backward], {}, X, 1.0, 2) == (21.0, {"from cache": "z"})


def test_a_chain_argument_without_a_value_is_named():
    def backward(cache, dropout_mask):
        return {}

    with pytest.raises(calling.BindError, match=r"backward\(cache, dropout_mask\): no value for 'dropout_mask'"):
        calling.call([lambda X, params: (np.zeros(1), {}), backward], {}, X, Y, 2)


@settings(max_examples=40, deadline=None)
@given(
    hnp.arrays(
        np.float64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=4), elements=st.floats(allow_nan=True, allow_infinity=True)
    )
)
def test_arrays_cross_the_sandbox_boundary_bit_for_bit(array):
    """JSON writes floats by repr, so the worker's numbers reach the check unchanged (NaN and inf included)."""
    import json

    back = calling.decode(json.loads(json.dumps(calling.encode(calling.plain({"g": [array, (1.5, None)]})))))
    assert isinstance(back, dict)
    np.testing.assert_array_equal(back["g"][0], array)
    assert back["g"][0].shape == array.shape and back["g"][0].dtype == np.float64
    assert back["g"][1] == (1.5, None)


def test_what_is_not_data_comes_back_as_its_type_name():
    assert repr(calling.plain({"f": print})["f"]) == "<builtin_function_or_method>"
