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
