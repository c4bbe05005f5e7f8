"""The built-in cases: the lecture nets on the lectures' own numbers and on real data.

Worked-example wiring (Mazur's worked example, the Amrita FFNN intro's "Practice Problem - Back Propagation")::

    inputs i1, i2 -> hidden h1, h2 -> outputs o1, o2
    w1: i1->h1  w2: i2->h1  w3: i1->h2  w4: i2->h2      b1 = 0.35 (both hidden units)
    w5: h1->o1  w6: h2->o1  w7: h1->o2  w8: h2->o2      b2 = 0.60 (both output units)

W_l[j, k] is the weight from unit k of layer l-1 to unit j of layer l (CS60050 backprop's
w^l_jk), so W1 = [[w1, w2], [w3, w4]] and W2 = [[w5, w6], [w7, w8]]. Both are
square and asymmetric: loading them transposed changes every number, which makes
this case the canary for a layout bug.

Cases without published weights draw them from ``scratch.init.init_params(spec, seed)``
(default seed 0; ``python -m compare --seed N`` changes it, ``--save-weights DIR`` keeps them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from compare.data import datasets
from core.errors import InputError, did_you_mean
from core.spec import Spec, parse_spec
from core.validate import check_seed
from scratch.init import DEFAULT_SEED, init_params


@dataclass
class Case:
    """One network on one batch.

    Attributes:
        params: canonical ``W_l`` ``(n_l, n_{l-1})``, ``b_l`` ``(n_l,)`` float64.
        X: ``(m, n_0)``; y: targets for ``spec.loss``.
        learning_rate: eta for a gradient-descent step (the lecture's where it gives one).
    """

    name: str
    spec: Spec
    params: dict[str, np.ndarray]
    X: np.ndarray
    y: np.ndarray
    learning_rate: float = 0.5
    source: str = ""
    features: tuple[str, ...] = ()  # the columns of X, for axis labels ("" where unnamed)
    classes: tuple[str, ...] = ()  # the labels 0, 1, ... of a classification, for legends


def worked_2_2_2(seed: int = DEFAULT_SEED) -> Case:
    """Mazur's worked example: inputs 0.05, 0.10; targets 0.01, 0.99; eta 0.5."""
    return Case(
        name="worked-2-2-2",
        spec=parse_spec("2-2-2:sigmoid,sigmoid:sse"),
        params={
            "W1": np.array([[0.15, 0.20], [0.25, 0.30]]),  # [[w1, w2], [w3, w4]]
            "b1": np.array([0.35, 0.35]),
            "W2": np.array([[0.40, 0.45], [0.50, 0.55]]),  # [[w5, w6], [w7, w8]]
            "b2": np.array([0.60, 0.60]),
        },
        X=np.array([[0.05, 0.10]]),
        y=np.array([[0.01, 0.99]]),
        learning_rate=0.5,
        source="Mazur's worked example (Amrita FFNN intro, practice problem)",
    )


def lecture_4_4_1(seed: int = DEFAULT_SEED) -> Case:
    """The Amrita FFNN intro's binary example: 4-4-1 sigmoid + BCE, y = 0; b = [0.5 0.3] is b1 = 0.5, b2 = 0.3."""
    return Case(
        name="lecture-4-4-1-bce",
        spec=parse_spec("4-4-1:sigmoid,sigmoid:bce"),
        params={
            "W1": np.array([[0.9, 0.2, 0.4, 0.3], [-0.5, 0.4, 0.3, 0.3], [0.1, 0.1, -0.1, 0.2], [-0.2, 0.5, 0.5, 0.7]]),
            "b1": np.full(4, 0.5),
            "W2": np.array([[0.5, 0.8, -0.6, 0.3]]),
            "b2": np.array([0.3]),
        },
        X=np.array([[-0.6, -0.6, 0.2, 0.3]]),
        y=np.array([0]),
        source='Amrita FFNN intro, "loss function for binary class classification"',
    )


def lecture_4_4_3(seed: int = DEFAULT_SEED) -> Case:
    """The Amrita FFNN intro's multi-class example: 4-4-3 sigmoid hidden + softmax + CE, third class true, b = 0."""
    return Case(
        name="lecture-4-4-3-softmax",
        spec=parse_spec("4-4-3:sigmoid,softmax:cce"),
        params={
            "W1": np.array([[0.1, 0.3, 0.8, -0.4], [-0.3, -0.2, 0.5, 0.5], [-0.3, 0.1, 0.5, 0.4], [0.2, 0.5, -0.9, 0.7]]),
            "b1": np.zeros(4),
            "W2": np.array([[0.3, 0.8, -0.2, -0.4], [0.5, -0.2, -0.3, 0.5], [0.2, 0.1, 0.6, 0.6]]),
            "b2": np.zeros(3),
        },
        X=np.array([[0.6, 0.4, 0.6, 0.1]]),
        y=np.array([2]),
        source='Amrita FFNN intro, "loss function for multi class classification"',
    )


def _seeded(
    name: str, spec_text: str, data: Callable[[], tuple[np.ndarray, np.ndarray]], seed: int, learning_rate: float, source: str
) -> Case:
    spec = parse_spec(spec_text)
    X, y = data()
    features, classes = datasets.FEATURES.get(data.__name__, ()), datasets.CLASSES.get(data.__name__, ())
    return Case(name, spec, init_params(spec, seed), X, y, learning_rate, source, features, classes)


def breast_cancer_2_4_1(seed: int = DEFAULT_SEED) -> Case:
    """ED5340 L26's 2-layer sigmoid + BCE net on 569 breast-cancer rows (mean radius, mean texture), seeded weights."""
    return _seeded(
        "breast-cancer-2-4-1",
        "2-4-1:sigmoid,sigmoid:bce",
        datasets.breast_cancer,
        seed,
        0.5,
        "ED5340 L26's 2-layer sigmoid + BCE net on scikit-learn's breast-cancer data",
    )


def spiral_2_4_3(seed: int = DEFAULT_SEED) -> Case:
    """Session-5 backprop's ReLU + softmax net on its 300-point, 3-class spiral, seeded weights, eta 1."""
    return _seeded(
        "spiral-2-4-3",
        "2-4-3:relu,softmax:cce",
        datasets.spiral,
        seed,
        1.0,
        "Session-5 backprop's ReLU + softmax net on its spiral data",
    )


def iris_2_4_3(seed: int = DEFAULT_SEED) -> Case:
    """Session-5 backprop's net on iris petal length and width (cm), 150 rows, seeded weights."""
    return _seeded(
        "iris-2-4-3",
        "2-4-3:relu,softmax:cce",
        datasets.iris,
        seed,
        0.1,
        "Session-5 backprop's net on iris petal length and width",
    )


def fish_2_4_3(seed: int = DEFAULT_SEED) -> Case:
    """Session-5 backprop's net on its six-row fish table (width, height), standardised, seeded weights."""
    return _seeded(
        "fish-2-4-3", "2-4-3:relu,softmax:cce", datasets.fish, seed, 0.1, "Session-5 backprop's net on its six-row fish table"
    )


def spiral_batch_norm_dropout(seed: int = DEFAULT_SEED) -> Case:
    """The spiral with a wider hidden layer (32 units), batch norm before its ReLU and dropout 0.2 after it, eta 0.5.

    The Amrita FFNN intro's hyper-parameter slide lists both among the regularisers; Session-5
    backprop's net and data are the rest. Its linear map has no bias (batch norm's beta1 is the shift).
    """
    return _seeded(
        "spiral-2-32-3-bn-dropout",
        "2-32-3:bn+relu+dropout=0.2,softmax:cce",
        datasets.spiral,
        seed,
        0.5,
        "Session-5 backprop's spiral; batch norm and drop-out from the Amrita FFNN intro's hyper-parameter slide",
    )


def fish_batch_norm_dropout(seed: int = DEFAULT_SEED) -> Case:
    """Session-5 backprop's six-row fish table through batch norm, ReLU and dropout 0.5: small enough to explain by hand."""
    return _seeded(
        "fish-2-4-3-bn-dropout",
        "2-4-3:bn+relu+dropout=0.5,softmax:cce",
        datasets.fish,
        seed,
        0.1,
        "Session-5 backprop's fish table; batch norm and drop-out from the Amrita FFNN intro's hyper-parameter slide",
    )


CASES: dict[str, Callable[[int], Case]] = {
    "worked-2-2-2": worked_2_2_2,
    "lecture-4-4-1-bce": lecture_4_4_1,
    "lecture-4-4-3-softmax": lecture_4_4_3,
    "breast-cancer-2-4-1": breast_cancer_2_4_1,
    "spiral-2-4-3": spiral_2_4_3,
    "iris-2-4-3": iris_2_4_3,
    "fish-2-4-3": fish_2_4_3,
    "spiral-2-32-3-bn-dropout": spiral_batch_norm_dropout,
    "fish-2-4-3-bn-dropout": fish_batch_norm_dropout,
}


def get_case(name: str, seed: int = DEFAULT_SEED) -> Case:
    """A built-in case by name.

    Raises:
        InputError: for an unknown name (the message lists the known ones), or a seed outside [0, 2**32 - 1].
    """
    name = case_name(name) or name
    if name not in CASES:
        raise InputError(f"unknown case {name!r}{did_you_mean(name, CASES)}; built-in cases: {', '.join(CASES)}")
    return CASES[name](check_seed(seed))


def case_name(name: str) -> str | None:
    """The built-in case ``name`` means, its case ignored (``Spiral-2-4-3`` is ``spiral-2-4-3``); None if none."""
    return next((known for known in CASES if known.lower() == name.lower()), None)


def custom_case(
    spec_text: str, X: np.ndarray, y: np.ndarray, params: dict[str, np.ndarray] | None, seed: int = DEFAULT_SEED
) -> Case:
    """A case from a SPEC string, user data and (optionally) user weights."""
    spec = parse_spec(spec_text)
    return Case(
        name=str(spec),
        spec=spec,
        params=params if params is not None else init_params(spec, seed),
        X=X,
        y=y,
        learning_rate=0.1,
        source="user",
    )


def load_cases(
    arch: Sequence[str] | None,
    weights: str | None = None,
    data: str | None = None,
    seed: int = DEFAULT_SEED,
    what: str = "--arch",
) -> list[Case]:
    """The cases ``--arch`` names (default: every built-in case), with ``--weights`` / ``--data`` files applied.

    Every file and name is checked before anything runs, so bad input fails before any framework import.
    ``what``: the argument the names came from, for the error messages.

    Raises:
        InputError: an unreadable file, an unknown case, a malformed SPEC, or a SPEC without ``data``.
    """
    from compare.data.files import load_data, load_weights

    params = load_weights(weights) if weights else None
    arrays = load_data(data) if data else None
    cases = []
    for name in arch or list(CASES):
        name = case_name(name) or name
        if name in CASES:
            case = get_case(name, seed)
            if params is not None:
                case.params = params
            if arrays is not None:
                case.X, case.y = arrays
        elif ":" in name:
            parse_spec(name)  # a malformed spec is the first thing to report
            if arrays is None:
                raise InputError(f"{what} {name}: a SPEC needs --data FILE (an .npz with X and y)")
            case = custom_case(name, arrays[0], arrays[1], params, seed)
        else:
            raise InputError(
                f"{what} {name!r} is neither a built-in case nor a SPEC like 2-4-3:relu,softmax:cce"
                f"{did_you_mean(name, CASES)}; built-in cases: {', '.join(CASES)}"
            )
        cases.append(case)
    return cases
