"""The SPEC text form and the combinations it refuses."""

import pytest

from core.errors import InputError
from core.spec import parse_spec


@pytest.mark.parametrize(
    "text",
    [
        "2-4-1:sigmoid,sigmoid:bce",
        "2-4-3:relu,softmax:cce",
        "2-2-2:sigmoid,sigmoid:sse",
        "3-5-5-5-2:tanh,leaky_relu,relu,linear:mse",
    ],
)
def test_round_trip(text):
    assert str(parse_spec(text)) == text


def test_shapes_follow_the_canonical_layout():
    assert parse_spec("2-4-3:relu,softmax:cce").param_shapes() == {"W1": (4, 2), "b1": (4,), "W2": (3, 4), "b2": (3,)}


@pytest.mark.parametrize(
    "text,why",
    [
        ("2-4-3:relu,softmax:bce", "bce needs exactly one output unit"),
        ("2-4-1:sigmoid,relu:bce", "bce needs a sigmoid output"),
        ("2-4-3:relu,sigmoid:cce", "cce needs a softmax output"),
        ("2-4-3:softmax,softmax:cce", "softmax is only allowed on the output layer"),
        ("2-4-3:relu,softmax:sse", "softmax output is only paired with cce"),
        ("2-4-1:relu,sigmoid,sigmoid:bce", "one activation per layer"),
        ("2-4-1:swish,sigmoid:bce", "unknown activation 'swish'"),
        ("2-4-1:relu,sigmoid:hinge", "unknown loss 'hinge'"),
        ("2-x-1:relu,sigmoid:bce", "must be integers"),
        ("2-0-1:relu,sigmoid:bce", "positive integers"),
        ("2-4-1", "SIZES:ACTIVATIONS:LOSS"),
    ],
)
def test_nonsense_is_refused_with_the_reason(text, why):
    with pytest.raises(InputError, match=why):
        parse_spec(text)


@pytest.mark.parametrize(
    "text",
    [
        "2-32-3:bn+relu+dropout=0.2,softmax:cce",
        "3-5-4-1:bn+tanh,relu+dropout=0.5,sigmoid:bce",
        "2-4-2:leaky_relu+dropout=0.0,linear:mse",
        "2-4-2:bn+sigmoid+dropout=0.125,sigmoid:sse",
    ],
)
def test_batch_norm_and_dropout_round_trip(text):
    spec = parse_spec(text)
    assert str(spec) == text and parse_spec(str(spec)) == spec and spec.mode_dependent


def test_a_plain_spec_equals_its_constructed_form_and_has_no_modes():
    from core.spec import Spec

    spec = parse_spec("2-4-3:relu,softmax:cce")
    assert spec == Spec((2, 4, 3), ("relu", "softmax"), "cce") and not spec.mode_dependent
    assert spec.batch_norm == (False, False) and spec.dropout == (None, None) and spec.buffer_shapes() == {}


def test_batch_norm_layers_have_gamma_beta_and_running_statistics_instead_of_a_bias():
    spec = parse_spec("2-4-3:bn+relu+dropout=0.2,softmax:cce")
    assert spec.param_shapes() == {"W1": (4, 2), "gamma1": (4,), "beta1": (4,), "W2": (3, 4), "b2": (3,)}
    assert spec.buffer_shapes() == {"running_mean1": (4,), "running_var1": (4,)}
    assert list(spec.canonical_shapes()) == ["W1", "gamma1", "beta1", "running_mean1", "running_var1", "W2", "b2"]
    assert spec.has_batch_norm(1) and spec.dropout_rate(1) == 0.2 and spec.dropout_rate(2) is None


@pytest.mark.parametrize(
    "text,why",
    [
        ("2-4-3:relu+bn,softmax:cce", "batch norm goes between the linear map and the activation, so it is written first"),
        ("2-4-3:dropout=0.2+relu,softmax:cce", "dropout goes after the activation, so it is written last"),
        ("2-4-3:relu,softmax+dropout=0.2:cce", "output layer: dropout goes on hidden layers only"),
        ("2-4-3:relu,bn+softmax:cce", "output layer: batch norm goes on hidden layers only"),
        ("2-4-3:relu+dropout=1,softmax:cce", r"dropout rate must be a number in \[0, 1\)"),
        ("2-4-3:relu+dropout=-0.1,softmax:cce", r"dropout rate must be a number in \[0, 1\)"),
        ("2-4-3:relu+dropout=nan,softmax:cce", r"dropout rate must be a number in \[0, 1\)"),
        ("2-4-3:relu+dropout=half,softmax:cce", "the dropout rate 'half' must be a number"),
        ("2-4-3:relu+dropout,softmax:cce", "write dropout with its rate"),
        ("2-4-3:bn+bn+relu,softmax:cce", "bn appears 2 times"),
        ("2-4-3:relu+dropout=0.1+dropout=0.2,softmax:cce", "dropout appears 2 times"),
        ("2-4-3:bn,softmax:cce", "with one activation"),
        ("2-4-3:bn+swish,softmax:cce", "unknown activation 'swish'"),
    ],
)
def test_batch_norm_and_dropout_nonsense_is_refused_with_the_reason(text, why):
    with pytest.raises(InputError, match=why):
        parse_spec(text)
