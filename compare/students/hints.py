"""Why a student's gradients are wrong: classic mistakes as hypotheses, each tested numerically.

A hypothesis predicts what a mistaken backprop returns, in the canonical layout:

- a transformation of the reference gradient g: ``m g`` (the 1/m forgotten, or the
  bias gradients summed instead of averaged), ``g^T`` (a transpose), ``-g`` (a sign
  flip), ``2 g`` (the 1/2 of E = 1/2 (t - o)^2 missing);
- a deliberately wrong backward pass, built from scratch's own pieces
  (:func:`wrong_grads`): g' evaluated at a instead of z, and softmax differentiated
  elementwise as a (1 - a) and multiplied by dL/da = -y/a.

A hypothesis explains a parameter's gradient when the student's value agrees with
the prediction within the float64 tolerances of :mod:`compare.parity.tolerances` *and*
the prediction differs from the correct gradient (with m = 1, ``m g`` is ``g`` and
proves nothing). Each hint names the lecture equation that applies (seed and
equation) and what the student's numbers show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from compare.parity.harness import compare_arrays
from core.activations import ACTIVATIONS
from core.losses import LOSSES
from core.spec import Spec
from core.trace import Trace
from scratch.activations import DERIVATIVE, FORWARD
from scratch.losses import output_delta
from scratch.model import forward, gradients, hidden_delta

DTYPE = "float64"  # a student's NumPy code runs in float64, and so does every check here


@dataclass(frozen=True)
class Hint:
    """One diagnosis.

    Attributes:
        key: the mistake (a key of :data:`MISTAKES`, or ``loss_*``, ``shape``, ``unexplained``).
        params: the canonical parameter names whose gradients it explains, e.g. ``("W1", "W2")``.
        message: one line: the lecture equation, then what the student's numbers show.
    """

    key: str
    params: tuple[str, ...]
    message: str


MISTAKES = (
    "forgot_1_over_m",
    "bias_summed",
    "transpose",
    "sign_flip",
    "missing_half",
    "derivative_on_a",
    "softmax_not_simplified",
)

# ---------------------------------------------------------------------------------------------
# The lecture equations each hint cites, by the student's convention (compare.students.conventions).

_EQUATIONS: dict[str, dict[str, str]] = {
    "forgot_1_over_m": {
        "columns": "ED5340 L26: dW = (1/m) dZ A^T, db = (1/m) np.sum(dZ, axis=1, keepdims=True)",
        "rows": "Session-5 backprop: dW2 = np.dot(A1.T, dz2) / m, db2 = np.sum(dz2, axis=0, keepdims=True) / m",
        "canonical": "ED5340 L26: dW = (1/m) dZ A^T (batch-first: dW_l = delta_l^T a_{l-1} / m)",
    },
    "bias_summed": {
        "columns": "ED5340 L26: db = (1/m) np.sum(dZ, axis=1, keepdims=True)",
        "rows": "Session-5 backprop: db2 = np.sum(dz2, axis=0, keepdims=True) / m",
        "canonical": "ED5340 L26: db = (1/m) np.sum(dZ, axis=1) (batch-first: db_l = delta_l.sum(axis=0) / m)",
    },
    "transpose": {
        "columns": "ED5340 L26: dW = (1/m) dZ A^T, which has W's shape (n_l, n_{l-1})",
        "rows": "Session-5 backprop: dW2 = np.dot(A1.T, dz2) / m, which has W2's shape (in, out)",
        "canonical": "CS60050 backprop: dJ/dw^l_jk = a^{l-1}_k delta^l_j, "
        "so dW_l = delta_l^T a_{l-1} / m has W_l's shape (n_l, n_{l-1})",
    },
    "derivative_on_a": {
        "columns": "ED5340 L26: dZ[1] = W[2]^T dZ[2] * g'(Z[1]), where sigma'(z) = a (1 - a)",
        "rows": "CS60050 backprop: delta^(l) = (Theta^(l))^T delta^(l+1) .* g'(z^(l)), where g'(z^(l)) = a^(l) .* (1 - a^(l))",
        "canonical": "CS60050 backprop: delta^(l) = (Theta^(l))^T delta^(l+1) .* g'(z^(l)), "
        "where g'(z^(l)) = a^(l) .* (1 - a^(l))",
    },
}


def _names(params: tuple[str, ...]) -> str:
    return ", ".join(f"d{p}" for p in params)


def _message(key: str, params: tuple[str, ...], spec: Spec, m: int, convention: str) -> str:
    names = _names(params)
    if key == "forgot_1_over_m":
        return f"{_EQUATIONS[key][convention]} -- your {names} are m = {m} times too large: the 1/m was forgotten"
    if key == "bias_summed":
        return (
            f"{_EQUATIONS[key][convention]} -- your {names} are m = {m} times too large: "
            "the bias gradients are summed over the samples instead of averaged"
        )
    if key == "transpose":
        return f"{_EQUATIONS[key][convention]} -- your {names} are transposed"
    if key == "sign_flip":
        return (
            f"{LOSSES[spec.loss].output_delta} -- your {names} have the wrong sign "
            "(target - output instead of output - target): gradient descent would climb the loss"
        )
    if key == "missing_half":
        return (
            f"{LOSSES[spec.loss].output_delta} -- your {names} are 2 times too large: "
            "the 1/2 of E = 1/2 (t - o)^2 cancels the 2 of the square's derivative, and yours is missing"
        )
    if key == "derivative_on_a":
        hidden = dict.fromkeys(spec.activations[:-1] if spec.loss in ("bce", "cce") else spec.activations)
        detail = "; ".join(ACTIVATIONS[name].derivative_on_a for name in hidden)
        return (
            f"{_EQUATIONS[key][convention]} -- your {names} match the derivative taken on a instead of z: "
            f"{detail} (a = g(z) is already the activation)"
        )
    if key == "softmax_not_simplified":
        return (
            f"{LOSSES['cce'].output_delta} -- your {names} match dL/da = -y/a multiplied elementwise by a (1 - a): "
            "softmax is not elementwise (its Jacobian is diag(a) - a a^T), and with cross-entropy "
            "the chain rule simplifies to a - y"
        )
    raise KeyError(key)


# ---------------------------------------------------------------------------------------------
# Deliberately wrong backward passes, from scratch's pieces (scratch itself is untouched).


def _dl_da(spec: Spec, a: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dl/da_L per sample, the factor students multiply by g'(z_L) when they do not simplify."""
    if spec.loss == "bce":
        return -y / a + (1 - y) / (1 - a)  # ED5340 L26: dJ/da = -y/a + (1 - y)/(1 - a)
    if spec.loss == "cce":
        onehot = np.zeros_like(a)
        onehot[np.arange(len(y)), y] = 1.0
        return -onehot / a  # Amrita FFNN intro: L = -sum y_i log(yhat_i)
    if spec.loss == "sse":
        return a - y
    return 2.0 * (a - y) / a.shape[1]


def _derivative_at(name: str, at_a: bool, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """g'(z) as scratch computes it, or the mistaken g'(a): the same formula fed the activation."""
    if name == "softmax":  # the mistake: treat softmax like a sigmoid, elementwise s (1 - s)
        return a * (1.0 - a)
    if at_a:
        return DERIVATIVE[name](a, FORWARD[name](a))
    return DERIVATIVE[name](z, a)


def wrong_grads(
    spec: Spec, params: Mapping[str, np.ndarray], X: np.ndarray, y: np.ndarray, variant: str
) -> dict[str, np.ndarray] | None:
    """Canonical gradients of a backprop with one planted mistake, or None when it does not apply.

    Variants:
        ``hidden_at_a``: g'(a) instead of g'(z) in the hidden layers.
        ``output_at_a``: delta_L = dl/da * g'(a_L) (no simplification, derivative on a).
        ``all_at_a``: both of the above.
        ``softmax_elementwise``: delta_L = (-y/a) * a (1 - a) for softmax + cce.

    Args:
        spec: the architecture.
        params: canonical float64 parameters.
        X: ``(m, n_0)``.
        y: prepared targets (:func:`core.validate.check_targets`).
        variant: one of the variants above.
    """
    L = spec.n_layers
    out_act = spec.activations[-1]
    if variant == "softmax_elementwise" and spec.loss != "cce":
        return None
    if variant in ("output_at_a", "all_at_a") and out_act == "softmax":
        return None
    if variant == "hidden_at_a" and L < 2:
        return None
    z, a = forward(spec, params, X)
    if variant in ("output_at_a", "all_at_a", "softmax_elementwise"):
        delta_L = _dl_da(spec, a[L], y) * _derivative_at(out_act, variant != "softmax_elementwise", z[L], a[L])
    else:
        delta_L = output_delta(spec.loss, out_act, z[L], a[L], y)
    hidden_at_a = variant in ("hidden_at_a", "all_at_a")
    delta = {L: delta_L}
    for l in range(L - 1, 0, -1):  # as scratch.model.backward, with the chosen derivative
        g_prime = _derivative_at(spec.activations[l - 1], hidden_at_a, z[l], a[l])
        delta[l] = hidden_delta(delta[l + 1], params[f"W{l + 1}"], g_prime)
    return gradients(delta, a)


# ---------------------------------------------------------------------------------------------
# Testing the hypotheses.


def agrees(actual: np.ndarray, expected: np.ndarray) -> bool:
    """Same shape and within the float64 tolerances (compare.parity.harness.compare_arrays)."""
    return compare_arrays("student", "", actual, expected, DTYPE).passed


def _predictions(spec: Spec, params, X, y, reference: Mapping[str, np.ndarray]) -> list[tuple[str, dict[str, np.ndarray]]]:
    """(mistake key, predicted canonical gradients), in the order hints are tried."""
    m = X.shape[0]
    out: list[tuple[str, dict[str, np.ndarray]]] = [
        ("times_m", {p: m * g for p, g in reference.items()}),
        ("transpose", {p: g.T for p, g in reference.items() if p.startswith("W")}),
        ("sign_flip", {p: -g for p, g in reference.items()}),
    ]
    if spec.loss == "sse":  # the 1/2 of E = 1/2 (t - o)^2 (Mazur's worked example)
        out.append(("missing_half", {p: 2.0 * g for p, g in reference.items()}))
    for variant in ("hidden_at_a", "all_at_a", "output_at_a"):
        grads = wrong_grads(spec, params, X, y, variant)
        if grads is not None:
            out.append(("derivative_on_a", grads))
    grads = wrong_grads(spec, params, X, y, "softmax_elementwise")
    if grads is not None:
        out.append(("softmax_not_simplified", grads))
    return out


def _backward_order(spec: Spec) -> list[str]:
    return [p for l in range(spec.n_layers, 0, -1) for p in (f"W{l}", f"b{l}")]


def diagnose_grads(
    spec: Spec,
    params: Mapping[str, np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    student: Mapping[str, np.ndarray],
    reference: Trace,
    convention: str = "canonical",
) -> list[Hint]:
    """Hints for every gradient of ``student`` that disagrees with ``reference.grads``.

    Args:
        spec: the architecture.
        params: the canonical float64 parameters the student's function was given.
        X: its ``(m, n_0)`` inputs, canonical.
        y: its targets, prepared (:func:`core.validate.check_targets`).
        student: the student's gradients translated to canonical (compare.students.conventions.grads_from).
        reference: scratch's float64 :class:`Trace` on the same inputs.
        convention: the student's layout, to quote the lecture equation they wrote.

    Returns:
        [] when every gradient agrees; otherwise hints covering every wrong gradient,
        the known mistakes first, then ``shape`` / ``unexplained`` for the rest.
    """
    ref = reference.grads
    order = _backward_order(spec)
    wrong = [p for p in order if not agrees(student[p], ref[p])]
    hints: list[Hint] = []
    m = X.shape[0]
    candidates = _predictions(spec, params, X, y, ref) if wrong else []
    while wrong:
        best: tuple[str, list[str]] | None = None
        for key, predicted in candidates:
            explained = [
                p
                for p in wrong
                if p in predicted
                and not agrees(predicted[p], ref[p])  # the mistake must change the gradient
                and agrees(student[p], predicted[p])
            ]
            if explained and (best is None or len(explained) > len(best[1])):
                best = (key, explained)
        if best is None:
            break
        key, explained = best
        if key == "times_m":
            key = "forgot_1_over_m" if any(p.startswith("W") for p in explained) else "bias_summed"
        hints.append(Hint(key, tuple(explained), _message(key, tuple(explained), spec, m, convention)))
        wrong = [p for p in wrong if p not in explained]
    for p in wrong:
        hints.append(_unexplained(p, student[p], ref[p], convention))
    return hints


def _unexplained(p: str, actual: np.ndarray, expected: np.ndarray, convention: str) -> Hint:
    if actual.shape != expected.shape:
        shown = expected.T.shape if convention == "rows" and expected.ndim == 2 else expected.shape
        got = actual.T.shape if convention == "rows" and actual.ndim == 2 else actual.shape
        return Hint(
            "shape",
            (p,),
            f"d{p} has shape {got} but {p} has shape {shown} in the {convention} layout: "
            "a gradient has the shape of its parameter (is --convention right?)",
        )
    nonzero = np.abs(expected) > 0
    ratio = actual[nonzero] / expected[nonzero] if nonzero.any() else np.array([])
    if ratio.size and agrees(actual, ratio[0] * expected):
        return Hint(
            "unexplained", (p,), f"your d{p} is {ratio[0]:.6g} times the right gradient; no classic mistake gives that factor"
        )
    layer = p[1:]
    return Hint(
        "unexplained",
        (p,),
        f"CS60050 backprop: delta^L = a^L - y, delta^l = (W^(l+1))^T delta^(l+1) .* g'(z^l) -- "
        f"your d{p} is wrong and no classic mistake explains it; backprop runs from the "
        f"output down, so check layer {layer}'s delta first",
    )


def diagnose_loss(spec: Spec, m: int, student: float, reference: float) -> Hint | None:
    """A hint when the student's loss disagrees with the reference, else None."""
    if agrees(np.asarray(student), np.asarray(reference)):
        return None
    checks = [
        (
            m,
            "loss_summed",
            f"CS60050 backprop: J = (1/n) sum_i L(x_i, y_i) -- your loss is m = {m} times too large: "
            "summed over the samples instead of averaged",
        ),
        (
            2.0,
            "loss_missing_half",
            "Mazur's worked example: E_total = sum 1/2 (target - output)^2 -- your loss is 2 times too large: the 1/2 is missing",
        ),
        (
            -1.0,
            "loss_sign",
            "Amrita FFNN intro: L = -log(yhat) -- your loss has the wrong sign (a cross-entropy or squared error is >= 0)",
        ),
    ]
    for factor, key, message in checks:
        if factor != 1 and agrees(np.asarray(student), np.asarray(factor * reference)):
            return Hint(key, (), message)
    return Hint(
        "loss",
        (),
        f"your loss is {student:.10g} but the {spec.loss} loss of these weights is {reference:.10g} "
        "(a mean over the m samples, see docs/students.md)",
    )
