"""Why a student's gradients are wrong: classic mistakes as hypotheses, each tested numerically.

A hypothesis predicts what a mistaken backprop returns, in the canonical layout:

- a transformation of the right gradient g: ``m g`` (the 1/m forgotten, or the bias
  gradients summed instead of averaged), ``g^T`` (a transpose), ``-g`` (a sign flip),
  ``2 g`` (the 1/2 of E = 1/2 (t - o)^2 missing);
- a deliberately wrong backward pass, built from scratch's own pieces
  (:func:`wrong_grads`, :func:`variant_grads`): g' evaluated at a instead of z; softmax
  differentiated elementwise; in one hidden layer, another activation's derivative (or a
  derivative mis-written, such as tanh's as 1 - a), no ReLU mask, or the wrong upstream
  gradient (dA of the layer above instead of its dZ, or its activation);
- a bias gradient summed over the wrong axis (one number per sample) or over both;
- an L2 term c W in the weight gradients only, fitted by least squares (compare.students.l2);
- a reduction: the loss and every gradient m times the mean's (a sum over the samples).

A hypothesis explains a parameter's gradient when the student's value agrees with
the prediction within the float64 tolerances of :mod:`compare.parity.tolerances` *and*
the prediction differs from the correct gradient (with m = 1, ``m g`` is ``g`` and
proves nothing). Each hint names the layer, the quantity and the lecture equation (by
the lecture's title), and what the student's numbers show.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from compare.parity.harness import compare_arrays
from compare.students import conventions
from compare.students.l2 import FORMS, L2Term, both_forms
from core.activations import ACTIVATIONS
from core.losses import LOSSES
from core.spec import Spec
from core.trace import Trace
from scratch.activations import DERIVATIVE, FORWARD
from scratch.losses import output_delta
from scratch.model import Internals, backward, forward, gradients, hidden_delta

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
    "wrong_derivative",
    "missing_relu_mask",
    "wrong_upstream",
    "bias_wrong_axis",
    "l2_present",
    "l2_missing",
    "l2_other_form",
    "l2_wrong_lambda",
    "summed_reduction",
    "averaged_reduction",
    "bn_backward_without_mean_terms",
)

# Derivatives students mis-write, per activation: (as written, g' it computes from z and a = g(z)).
# Optional per activation (CONTRIBUTING.md, "Adding an activation"): one with no entry gets the generic hypotheses.
MISWRITTEN: dict[str, tuple[tuple[str, Callable[[np.ndarray, np.ndarray], np.ndarray]], ...]] = {
    "tanh": (
        ("1 - a (the square of 1 - a^2 missing)", lambda z, a: 1.0 - a),
        ("tanh(a) (the activation applied once more, to a)", lambda z, a: FORWARD["tanh"](a)),
    ),
    "sigmoid": (
        ("1 - a (the factor a of a (1 - a) missing)", lambda z, a: 1.0 - a),
        ("a (the factor 1 - a missing)", lambda z, a: a),
        ("sigmoid(a) (the activation applied once more, to a)", lambda z, a: FORWARD["sigmoid"](a)),
    ),
}

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
    "hidden_delta": {
        "columns": "ED5340 L26: dz[l] = W[l+1]^T dz[l+1] * a[l]'(z[l])",
        "rows": "Session-5 backprop: dA1 = np.dot(dz2, W2.T), then dz1 = dA1 * g'(z1)",
        "canonical": "CS60050 backprop: delta^(l) = (Theta^(l))^T delta^(l+1) .* g'(z^(l))",
    },
    "relu_mask": {
        "columns": "Session-5 backprop: dA1[z1 <= 0] = 0 (ReLU'(z) = 1 if z > 0, else 0)",
        "rows": "Session-5 backprop: dA1 = np.dot(dz2, W2.T); dA1[z1 <= 0] = 0 (ReLU'(z) = 1 if z > 0, else 0)",
        "canonical": "Session-5 backprop: dA1[z1 <= 0] = 0 (ReLU'(z) = 1 if z > 0, else 0)",
    },
}
_AXES = {"columns": (1, 0), "rows": (0, 1), "canonical": (0, 1)}  # (the samples' axis, the units' axis) of dZ
_L2_EQUATION = "CS60050 backprop: J = (1/n) sum_i L_i + lambda/(2n) sum_l sum_jk (W^l_jk)^2, biases excluded"
_MEAN_EQUATION = "CS60050 backprop: J = (1/n) sum_i L(x_i, y_i)"


def _names(params: tuple[str, ...]) -> str:
    return ", ".join(f"d{p}" for p in params)


def _message(key: str, params: tuple[str, ...], spec: Spec, m: int, convention: str, info: Mapping[str, str]) -> str:
    names = _names(params)
    if key in _SIMPLE:
        return _SIMPLE[key](names, spec, m, convention, info)
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
    if key == "wrong_derivative":
        return (
            f"{_EQUATIONS['hidden_delta'][convention]} -- layer {info['layer']} is {info['activation']}, "
            f"so g'(z) = {info['correct']}, but your {names} match {info['used']} in its place"
        )
    if key == "transposed_recursion":
        return (
            f"{_EQUATIONS['hidden_delta'][convention]} -- your {names} match layer {info['layer']}'s delta sent back "
            f"through W{info['above']} in the other orientation (its transpose): W{info['above']} is square "
            f"({info['n']} x {info['n']}), so the wrong one runs without a shape error"
        )
    if key == "missing_relu_mask":
        return (
            f"{_EQUATIONS['relu_mask'][convention]} -- your {names} match layer {info['layer']}'s delta without the "
            f"{info['activation']} mask: the gradient flows through units whose z <= 0"
        )
    if key == "wrong_upstream":
        return (
            f"{_EQUATIONS['hidden_delta'][convention]} -- your {names} match layer {info['layer']}'s delta computed "
            f"from {info['used']} instead of layer {info['above']}'s delta dZ = dA * g'(Z): {info['why']}"
        )
    if key == "bias_wrong_axis":
        return _bias_axis_message(names, m, convention, info)
    raise KeyError(key)


def _bias_axis_message(names: str, m: int, convention: str, info: Mapping[str, str]) -> str:
    samples, units = _AXES[convention]
    several = "," in names
    if info["how"] == "units":
        what = (
            f"{'hold' if several else 'holds'} one number per sample (m = {m}): np.sum ran over axis={units}, the units, "
            f"instead of axis={samples}, the samples of the {convention} layout"
        )
    else:
        what = (
            f"{'are' if several else 'is'} one number: np.sum without axis= added every unit and every sample; use axis={samples}"
        )
    return f"{_EQUATIONS['bias_summed'][convention]} -- your {names} {what}{info.get('scale', '')}"


def _are(names: str, plural: str = "are", singular: str = "is") -> str:
    """The verb for ``names``: ``"dW1, db1"`` are, ``"dW1"`` is."""
    return plural if "," in names else singular


_SIMPLE: dict[str, Callable[[str, Spec, int, str, Mapping[str, str]], str]] = {
    "forgot_1_over_m": lambda names, spec, m, c, info: (
        f"{_EQUATIONS['forgot_1_over_m'][c]} -- your {names} {_are(names)} m = {m} times too large: the 1/m was forgotten"
    ),
    "bias_summed": lambda names, spec, m, c, info: (
        f"{_EQUATIONS['bias_summed'][c]} -- your {names} {_are(names)} m = {m} times too large: "
        "the bias gradients are summed over the samples instead of averaged"
    ),
    "transpose": lambda names, spec, m, c, info: f"{_EQUATIONS['transpose'][c]} -- your {names} {_are(names)} transposed",
    "sign_flip": lambda names, spec, m, c, info: (
        f"{LOSSES[spec.loss].output_delta} -- your {names} {_are(names, 'have', 'has')} the wrong sign "
        "(target - output instead of output - target): gradient descent would climb the loss"
    ),
    "missing_half": lambda names, spec, m, c, info: (
        f"{LOSSES[spec.loss].output_delta} -- your {names} {_are(names)} 2 times too large: "
        "the 1/2 of E = 1/2 (t - o)^2 cancels the 2 of the square's derivative, and yours is missing"
    ),
    "bn_backward_without_mean_terms": lambda names, spec, m, c, info: (
        "Ioffe & Szegedy (2015), section 3: dL/dz_i = (dL/dzhat_i - mean_j dL/dzhat_j - zhat_i mean_j dL/dzhat_j zhat_j) "
        f"/ sqrt(var + eps) -- your {names} match batch norm's backward without its mean terms: in training mode the "
        "batch mean and variance are functions of every z_i, so dL/dz_i = dL/dzhat_i / sqrt(var + eps) alone (the "
        "inference-mode gradient) is wrong; dgamma and dbeta are unaffected"
    ),
}


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


GPrime = Callable[[int, np.ndarray, np.ndarray], np.ndarray]  # (layer, z_l, a_l) -> the g'(z_l) used
Upstream = Callable[[int, Mapping[int, np.ndarray]], np.ndarray]  # (layer l, deltas so far) -> what is multiplied by W_{l+1}


def variant_grads(
    spec: Spec,
    params: Mapping[str, np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    g_prime: GPrime | None = None,
    upstream: Upstream | None = None,
    delta_L: np.ndarray | None = None,
    recursion_W: Mapping[int, np.ndarray] | None = None,
) -> tuple[dict[int, np.ndarray], dict[str, np.ndarray]]:
    """A backward pass as scratch.model.backward, with any of its pieces replaced.

    Args:
        spec: the architecture.
        params: canonical float64 parameters.
        X: ``(m, n_0)``.
        y: prepared targets (:func:`core.validate.check_targets`).
        g_prime: the hidden layers' g'(z_l) (default: scratch's DERIVATIVE at z).
        upstream: what layer l multiplies by W_{l+1} (default: delta_{l+1}).
        delta_L: the output delta (default: scratch.losses.output_delta).
        recursion_W: by layer l, the matrix that sends delta_{l+1} back in place of W_{l+1} (the
            forward pass keeps W_{l+1}).

    Returns:
        ``(delta, grads)``: per-sample ``delta[l]`` ``(m, n_l)`` and canonical batch-mean gradients.
    """
    L = spec.n_layers
    z, a = forward(spec, params, X)
    delta = {L: output_delta(spec.loss, spec.activations[-1], z[L], a[L], y) if delta_L is None else delta_L}
    for l in range(L - 1, 0, -1):
        g = spec.activations[l - 1]
        derivative = g_prime(l, z[l], a[l]) if g_prime else DERIVATIVE[g](z[l], a[l])
        W = (recursion_W or {}).get(l, params[f"W{l + 1}"])
        delta[l] = hidden_delta(delta[l + 1] if upstream is None else upstream(l, delta), W, derivative)
    return delta, gradients(delta, a)


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
    delta_L = None
    if variant in ("output_at_a", "all_at_a", "softmax_elementwise"):
        z, a = forward(spec, params, X)
        delta_L = _dl_da(spec, a[L], y) * _derivative_at(out_act, variant != "softmax_elementwise", z[L], a[L])
    g_prime: GPrime | None = None
    if variant in ("hidden_at_a", "all_at_a"):

        def g_prime(l: int, z_l: np.ndarray, a_l: np.ndarray) -> np.ndarray:
            return _derivative_at(spec.activations[l - 1], True, z_l, a_l)

    return variant_grads(spec, params, X, y, g_prime=g_prime, delta_L=delta_L)[1]


def bn_backward_without_mean_terms(
    spec: Spec, params: Mapping[str, np.ndarray], X: np.ndarray, y: np.ndarray
) -> dict[str, np.ndarray] | None:
    """Canonical gradients of a training-mode pass whose batch norms back-propagate as if mu and var were constants.

    None without batch norm. Built from scratch's own pieces: its forward pass, then its backward
    pass with each batch norm's cache marked as inference (scratch.layers.batch_norm_backward).
    """
    if not any(spec.batch_norm):
        return None
    internals = Internals()
    z, a = forward(spec, params, X, internals=internals)
    internals.caches = {l: dataclasses.replace(cache, training=False) for l, cache in internals.caches.items()}
    return backward(spec, params, z, a, y, internals)[1]


def _record_formula(name: str) -> str:
    return ACTIVATIONS[name].derivative.format(z="z", a="a")


def _at_z(name: str) -> str:
    """h'(z) in words: ``s(1 - s) with s = sigmoid(z)``, or ``[z > 0]``."""
    template = ACTIVATIONS[name].derivative
    return template.format(z="z", a="s") + (f" with s = {name}(z)" if "{a}" in template else "")


def _derivative_variants(spec: Spec) -> list[tuple[str, int, GPrime, dict[str, str]]]:
    """(key, layer, g' used in that layer, message details) for each wrong derivative in one hidden layer."""
    out: list[tuple[str, int, GPrime, dict[str, str]]] = []
    # the derivative left out (g' = 1) first: where every z > 0 relu's [z > 0] predicts the same numbers, and
    # the first of equals wins; leaving g' out is the mistake students make, not writing another activation's
    others = sorted(ACTIVATIONS.items(), key=lambda item: item[0] != "linear")
    for l in range(1, spec.n_layers):
        g = spec.activations[l - 1]
        base = {"layer": str(l), "activation": g, "correct": _record_formula(g)}
        for h, record in others:
            if h == g or not record.hidden or h not in DERIVATIVE:
                continue
            key = "missing_relu_mask" if h == "linear" and ACTIVATIONS[g].kink_at_zero else "wrong_derivative"
            used = "no derivative at all (g' = 1)" if h == "linear" else f"{h}'s derivative {_at_z(h)}"
            out.append((key, l, _other_at_z(h), {**base, "used": used}))
            if "{a}" in record.derivative and "{z}" not in record.derivative:
                used = f"{h}'s formula {_record_formula(h)} applied to {g}'s a"
                out.append(("wrong_derivative", l, _formula_on_a(h), {**base, "used": used}))
        for written, fn in MISWRITTEN.get(g, ()):
            out.append(("wrong_derivative", l, _written(fn), {**base, "used": f"g'(z) written {written}"}))
    return out


def _other_at_z(h: str) -> GPrime:
    return lambda l, z, a: DERIVATIVE[h](z, FORWARD[h](z))


def _formula_on_a(h: str) -> GPrime:
    return lambda l, z, a: DERIVATIVE[h](z, a)


def _written(fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> GPrime:
    return lambda l, z, a: fn(z, a)


def _only_in(layer: int, replacement: GPrime, spec: Spec) -> GPrime:
    def g_prime(l: int, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        return replacement(l, z, a) if l == layer else DERIVATIVE[spec.activations[l - 1]](z, a)

    return g_prime


def _upstream_variants(
    spec: Spec, params: Mapping[str, np.ndarray], X: np.ndarray, y: np.ndarray
) -> list[tuple[int, Upstream, dict[str, str]]]:
    """(layer, upstream used, message details): dA of the layer above instead of its dZ, or its activation a."""
    L = spec.n_layers
    z, a = forward(spec, params, X)
    out: list[tuple[int, Upstream, dict[str, str]]] = []
    for l in range(1, L):
        above = l + 1

        def dA(layer: int, delta: Mapping[int, np.ndarray], at: int = l) -> np.ndarray:
            if layer != at:
                return delta[layer + 1]
            if layer + 1 == L:
                return _dl_da(spec, a[L], y)
            return delta[layer + 2] @ params[f"W{layer + 2}"]

        def activation(layer: int, delta: Mapping[int, np.ndarray], at: int = l) -> np.ndarray:
            return a[layer + 1] if layer == at else delta[layer + 1]

        info = {"layer": str(l), "above": str(above)}
        out.append(
            (
                l,
                dA,
                {
                    **info,
                    "used": f"dA[{above}] (the gradient with respect to a[{above}])",
                    "why": f"the g'(Z[{above}]) factor of layer {above} is missing from what you pass down",
                },
            )
        )
        out.append(
            (l, activation, {**info, "used": f"a[{above}], the activation", "why": "pass down the delta, not the activation"})
        )
    return out


def _transposed_recursions(spec: Spec, params: Mapping[str, np.ndarray], X: np.ndarray, y: np.ndarray) -> list[Prediction]:
    """W_{l+1} in the other orientation where layer l's delta is sent back: only a square W runs that way."""
    out: list[Prediction] = []
    for l in range(1, spec.n_layers):
        W = params[f"W{l + 1}"]
        if W.shape[0] == W.shape[1]:
            grads = variant_grads(spec, params, X, y, recursion_W={l: W.T})[1]
            out.append(("transposed_recursion", grads, {"layer": str(l), "above": str(l + 1), "n": str(W.shape[0])}))
    return out


def _bias_axis_predictions(
    spec: Spec, delta: Mapping[int, np.ndarray], m: int, student: Mapping[str, np.ndarray]
) -> list[tuple[str, dict[str, np.ndarray], dict[str, str]]]:
    """db summed over the units (one number per sample) or over everything, with or without the 1/m."""
    out: list[tuple[str, dict[str, np.ndarray], dict[str, str]]] = []
    for how, reduce in (("units", lambda d: d.sum(axis=1)), ("all", lambda d: np.asarray(d.sum()))):
        for scale, note in ((1.0 / m, ""), (1.0, f", and the 1/m is missing (m = {m})")):
            predicted: dict[str, np.ndarray] = {}
            for l, d in delta.items():
                value = reduce(d) * scale
                got = student[f"b{l}"]
                if value.size == got.size and value.size != spec.sizes[l]:
                    predicted[f"b{l}"] = value.reshape(got.shape)
            if predicted:
                out.append(("bias_wrong_axis", predicted, {"how": how, "scale": note}))
    return out


# ---------------------------------------------------------------------------------------------
# Testing the hypotheses.


def agrees(actual: np.ndarray, expected: np.ndarray) -> bool:
    """Same shape and within the float64 tolerances (compare.parity.harness.compare_arrays)."""
    return compare_arrays("student", "", actual, expected, DTYPE).passed


Prediction = tuple[str, dict[str, np.ndarray], dict[str, str]]  # (mistake key, predicted canonical gradients, message details)


def _predictions(
    spec: Spec,
    params: Mapping[str, np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    reference: Mapping[str, np.ndarray],
    student: Mapping[str, np.ndarray],
    l2_grads: Mapping[str, np.ndarray],
) -> list[Prediction]:
    """Every hypothesis's prediction, in the order hints are tried (the first of equals wins)."""
    m = X.shape[0]
    out: list[Prediction] = [
        ("times_m", {p: m * g for p, g in reference.items()}, {}),
        ("transpose", {p: g.T for p, g in reference.items() if p.startswith("W")}, {}),
        ("sign_flip", {p: -g for p, g in reference.items()}, {}),
    ]
    if spec.loss == "sse":  # the 1/2 of E = 1/2 (t - o)^2 (Mazur's worked example)
        out.append(("missing_half", {p: 2.0 * g for p, g in reference.items()}, {}))

    def with_l2(grads: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {p: g + l2_grads[p] for p, g in grads.items()}

    if spec.mode_dependent:  # the backward-pass variants below know no batch norm; its own classic mistake instead
        without = bn_backward_without_mean_terms(spec, params, X, y)
        return out + ([("bn_backward_without_mean_terms", with_l2(without), {})] if without is not None else [])

    for variant in ("hidden_at_a", "all_at_a", "output_at_a"):
        grads = wrong_grads(spec, params, X, y, variant)
        if grads is not None:
            out.append(("derivative_on_a", with_l2(grads), {}))
    grads = wrong_grads(spec, params, X, y, "softmax_elementwise")
    if grads is not None:
        out.append(("softmax_not_simplified", with_l2(grads), {}))
    for key, layer, g_prime, info in _derivative_variants(spec):
        out.append((key, with_l2(variant_grads(spec, params, X, y, g_prime=_only_in(layer, g_prime, spec))[1]), info))
    for _, upstream, info in _upstream_variants(spec, params, X, y):
        out.append(("wrong_upstream", with_l2(variant_grads(spec, params, X, y, upstream=upstream)[1]), info))
    out += [(key, with_l2(grads), info) for key, grads, info in _transposed_recursions(spec, params, X, y)]
    delta, _ = variant_grads(spec, params, X, y)
    out.extend(_bias_axis_predictions(spec, delta, m, student))
    return out


def _backward_order(spec: Spec) -> list[str]:
    return gradient_order(spec)


def gradient_order(spec: Spec) -> list[str]:
    """The trained parameters from the output layer down: ``W_L, b_L, ..., W_1, b_1`` (``gamma_l, beta_l`` with batch norm)."""
    trained = spec.param_shapes()
    return [p for l in range(spec.n_layers, 0, -1) for p in (f"W{l}", f"b{l}", f"gamma{l}", f"beta{l}") if p in trained]


@dataclass
class Expected:
    """The right answer for the student's case, and the parts the hints need.

    Attributes:
        loss: the mean loss plus the L2 term (when ``l2``).
        grads: canonical gradients with the L2 term.
        base: scratch's trace without any L2 term.
        l2_grads: the L2 term's gradients (zeros without ``l2``).
    """

    loss: float
    grads: dict[str, np.ndarray]
    base: Trace
    l2: L2Term | None = None
    l2_grads: dict[str, np.ndarray] = field(default_factory=dict)


def expected_for(trace: Trace, params: Mapping[str, np.ndarray], m: int, l2: L2Term | None) -> Expected:
    """The loss and gradients a student's function must return (the mean's scale), from a framework's trace."""
    if l2 is None:
        zeros = {p: np.zeros_like(g) for p, g in trace.grads.items()}
        return Expected(float(trace.loss), dict(trace.grads), trace, None, zeros)
    extra = l2.gradients(params, m)
    return Expected(
        float(trace.loss) + l2.penalty(params, m), {p: g + extra[p] for p, g in trace.grads.items()}, trace, l2, extra
    )


def diagnose(
    spec: Spec,
    params: Mapping[str, np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    loss: float | None,
    student: Mapping[str, np.ndarray],
    expected: Expected,
    convention: str = "canonical",
    reduction: str = "mean",
    raw: Mapping[str, np.ndarray] | None = None,
) -> list[Hint]:
    """Hints for everything of the student's that disagrees with ``expected`` (a summed reduction found as one).

    Args:
        spec: the architecture.
        params: the canonical float64 parameters the student's function was given.
        X: its ``(m, n_0)`` inputs, canonical.
        y: its targets, prepared (:func:`core.validate.check_targets`).
        loss: the student's loss brought to the mean's scale, or None when it returned none.
        student: the student's gradients, canonical, at the mean's scale.
        expected: scratch's answer (:func:`expected_for`).
        convention: the student's layout, to quote the lecture equation they wrote and their shapes.
        reduction: ``"mean"`` or ``"sum"``, what the student said their code computes.
        raw: the student's gradients as returned (their shapes), for the shape messages.

    Returns:
        [] when everything agrees; otherwise the hints, the known mistakes first, then
        ``shape`` / ``unexplained`` for the rest.
    """
    m = X.shape[0]
    loss_wrong = loss is not None and not agrees(np.asarray(loss), np.asarray(expected.loss))
    reduction_hint = _reduction(spec, m, loss, student, expected, reduction)
    if reduction_hint is not None:
        return [reduction_hint]
    hints: list[Hint] = []
    explained_loss = False
    l2_hint = _l2(spec, params, m, loss, student, expected)
    if l2_hint is not None:
        hints.append(l2_hint[0])
        explained_loss = l2_hint[1]
    if loss_wrong and not explained_loss and loss is not None:
        unregularised = expected.base.loss if expected.l2 is not None else None
        hints.append(diagnose_loss(spec, m, loss, expected.loss, unregularised, reduction))
    covered = set(l2_hint[0].params) if l2_hint else set()
    return hints + diagnose_grads(spec, params, X, y, student, expected, convention, raw, covered)


def _reduction(
    spec: Spec, m: int, loss: float | None, student: Mapping[str, np.ndarray], expected: Expected, reduction: str
) -> Hint | None:
    """One finding when the loss and every gradient are m times (sum of a mean) or 1/m times (mean of a sum) the right ones."""
    if loss is None or m == 1:
        return None
    factor = float(m) if reduction == "mean" else 1.0 / m
    if not agrees(np.asarray(loss), np.asarray(factor * expected.loss)):
        return None
    if not all(agrees(student[p], factor * g) for p, g in expected.grads.items()):
        return None
    everything = tuple(_backward_order(spec))
    if reduction == "mean":
        return Hint(
            "summed_reduction",
            everything,
            f"{_MEAN_EQUATION} -- your code sums over the samples: your loss and your {_names(everything)} are all "
            f"m = {m} times the mean's; pass --reduction sum, or divide by m",
        )
    return Hint(
        "averaged_reduction",
        everything,
        f"{_MEAN_EQUATION} -- your code averages over the samples: with --reduction sum your loss and your "
        f"{_names(everything)} are all 1/m = 1/{m} of the sum; drop --reduction sum (the default is mean), or multiply by m",
    )


def _l2(
    spec: Spec,
    params: Mapping[str, np.ndarray],
    m: int,
    loss: float | None,
    student: Mapping[str, np.ndarray],
    expected: Expected,
) -> tuple[Hint, bool] | None:
    """An L2 term c W in the weight gradients only (biases right) that differs from the one asked for.

    Returns:
        ``(hint, whether the student's loss carries the same term)``, or None.
    """
    base = expected.base.grads
    weights = [p for p in spec.param_shapes() if p.startswith("W")]
    biases = [p for p in spec.param_shapes() if p.startswith("b")]
    if any(student[p].shape != base[p].shape for p in base) or not all(agrees(student[b], base[b]) for b in biases):
        return None
    norm = sum(float(np.sum(params[w] * params[w])) for w in weights)
    if norm == 0:
        return None
    c = sum(float(np.sum((student[w] - base[w]) * params[w])) for w in weights) / norm
    if not all(agrees(student[w], base[w] + c * params[w]) for w in weights):
        return None
    wanted = expected.l2.coefficient(m) if expected.l2 else 0.0
    if agrees(np.asarray(c), np.asarray(wanted)):
        return None
    in_loss = loss is not None and agrees(np.asarray(loss), np.asarray(expected.base.loss + c / 2 * norm))
    names = _names(tuple(weights))
    loss_note = " (and so does your loss)" if in_loss else ""
    if expected.l2 is None:
        key = "l2_present"
        what = f"your {names} have an L2 term{loss_note}: {both_forms(c, m)}; the biases are right. Pass --l2 LAMBDA"
    elif agrees(np.asarray(c), np.asarray(0.0)):
        key = "l2_missing"
        lacks = " (your loss has it)" if loss is not None and agrees(np.asarray(loss), np.asarray(expected.loss)) else ""
        what = (
            f"with --l2 {expected.l2.lam:g} in the form {FORMS[expected.l2.form]}, your {names} lack the L2 term's gradient "
            f"{wanted:.6g} W{lacks}: add it to every dW (not to db)"
        )
    else:
        other = L2Term(expected.l2.lam, "batch" if expected.l2.form == "lectures" else "lectures")
        if agrees(np.asarray(c), np.asarray(other.coefficient(m))):
            key = "l2_other_form"
            what = (
                f"your {names} have the L2 term of the form {FORMS[other.form]}{loss_note}, not {FORMS[expected.l2.form]}: "
                f"pass --l2-form {other.form}"
            )
        else:
            key = "l2_wrong_lambda"
            what = f"your {names} have an L2 term with {both_forms(c, m)}{loss_note}, not the --l2 {expected.l2.lam:g} asked for"
    return Hint(key, tuple(weights), f"{_L2_EQUATION} -- {what}"), in_loss


def diagnose_grads(
    spec: Spec,
    params: Mapping[str, np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    student: Mapping[str, np.ndarray],
    expected: Expected | Trace,
    convention: str = "canonical",
    raw: Mapping[str, np.ndarray] | None = None,
    covered: set[str] | None = None,
) -> list[Hint]:
    """Hints for every gradient of ``student`` that disagrees with the expected gradients.

    Args:
        spec: the architecture.
        params: the canonical float64 parameters the student's function was given.
        X: its ``(m, n_0)`` inputs, canonical.
        y: its targets, prepared (:func:`core.validate.check_targets`).
        student: the student's gradients translated to canonical (compare.students.conventions.grads_from).
        expected: the right answer (:func:`expected_for`), or scratch's float64 :class:`Trace` (no L2).
        convention: the student's layout, to quote the lecture equation they wrote.
        raw: the student's gradients as returned, for the shape messages (default: ``student``).
        covered: parameters another hint already explains.

    Returns:
        [] when every gradient agrees; otherwise hints covering every wrong gradient,
        the known mistakes first, then ``shape`` / ``unexplained`` for the rest.
    """
    if isinstance(expected, Trace):
        expected = expected_for(expected, params, X.shape[0], None)
    ref = expected.grads
    order = _backward_order(spec)
    wrong = [p for p in order if not agrees(student[p], ref[p]) and p not in (covered or set())]
    hints: list[Hint] = []
    m = X.shape[0]
    candidates = _predictions(spec, params, X, y, ref, student, expected.l2_grads) if wrong else []
    while wrong:
        best: tuple[str, list[str], dict[str, str]] | None = None
        for key, predicted, info in candidates:
            explained = [
                p
                for p in wrong
                if p in predicted
                and not agrees(predicted[p], ref[p])  # the mistake must change the gradient
                and agrees(student[p], predicted[p])
            ]
            if explained and (best is None or len(explained) > len(best[1])):
                best = (key, explained, info)
        if best is None:
            break
        key, explained, info = best
        if key == "times_m":
            key = "forgot_1_over_m" if any(p.startswith("W") for p in explained) else "bias_summed"
        hints.append(Hint(key, tuple(explained), _message(key, tuple(explained), spec, m, convention, info)))
        wrong = [p for p in wrong if p not in explained]
    shapes = raw if raw is not None else student
    unexplained: dict[str, list[str]] = {}  # by layer: the gradients no hypothesis explains, one hint per layer
    places: list[Hint | str] = []  # the hints in order, a layer's number where its unexplained hint goes
    for p in wrong:
        hint = _unexplained(p, student[p], ref[p], shapes.get(p, student[p]), spec, m, convention)
        layer = _layer(p)
        if hint is not None:
            places.append(hint)
        elif layer in unexplained:
            unexplained[layer].append(p)
        else:
            unexplained[layer] = [p]
            places.append(layer)
    return hints + [_no_classic_mistake(unexplained[h], spec, convention) if isinstance(h, str) else h for h in places]


def _layer(param: str) -> str:
    """The layer number of a parameter name: ``"3"`` for ``W3``, ``b3`` or ``gamma3``."""
    return "".join(ch for ch in param if ch.isdigit())


def _no_classic_mistake(params: list[str], spec: Spec, convention: str) -> Hint:
    """The hint for a layer's gradients that no classic mistake explains: where backprop's chain starts."""
    names = _names(tuple(params))
    output = (  # bce and cce come with a sigmoid and a softmax output (core.spec), and simplify (scratch.losses.output_delta)
        "delta_L = a_L - y"
        if spec.loss in ("bce", "cce")
        else f"delta_L = dL/da_L .* g'(z_L) ({spec.loss} with a {spec.activations[-1]} output)"
    )
    return Hint(
        "unexplained",
        tuple(params),
        f"{_EQUATIONS['hidden_delta'][convention]}, from {output} -- your {names} {_are(names)} wrong and no classic "
        f"mistake explains {'them' if ',' in names else 'it'}; backprop runs from the output down, so check layer "
        f"{_layer(params[0])}'s delta first",
    )


def _unexplained(
    p: str, actual: np.ndarray, expected: np.ndarray, returned: np.ndarray, spec: Spec, m: int, convention: str
) -> Hint | None:
    if actual.shape != expected.shape:
        wanted = conventions.param_shape(convention, spec, p)
        got = tuple(np.shape(returned))
        others = conventions.other_layouts(convention, spec, p, got)
        question = f"; {got} is {p}'s shape in the {' and '.join(others)} layout: is --convention right?" if others else ""
        swapped = [q for q in spec.param_shapes() if q != p and tuple(conventions.param_shape(convention, spec, q)) == got]
        if swapped and not others:
            in_order = ", ".join(f"d{q}" for q in spec.param_shapes())  # layer order, as a sequence is read
            question = (
                f"; {got} is {swapped[0]}'s shape: is that d{swapped[0]}? Gradients in a sequence are read in "
                f"layer order 1..L ({in_order}), not from the output layer down"
            )
        return Hint(
            "shape",
            (p,),
            f"your d{p} has shape {got} but {p} has shape {wanted} in the {convention} layout: "
            f"a gradient has the shape of its parameter{question}",
        )
    nonzero = np.abs(expected) > 0
    ratio = actual[nonzero] / expected[nonzero] if nonzero.any() else np.array([])
    if ratio.size and agrees(actual, ratio[0] * expected):
        exact = [f for f in (float(m), 2.0, -1.0) if agrees(np.asarray(ratio[0]), np.asarray(f))]
        if actual.size > 1 or exact:
            return Hint(
                "unexplained",
                (p,),
                f"your d{p} is {ratio[0]:.6g} times the right gradient; no classic mistake gives that factor",
            )
    return None  # no classic mistake explains it: diagnose_grads gives one hint per layer


def diagnose_loss(
    spec: Spec, m: int, student: float, reference: float, unregularised: float | None = None, reduction: str = "mean"
) -> Hint:
    """A hint for a loss that disagrees with ``reference`` (the mean loss, plus any L2 term asked for).

    Args:
        spec: the architecture.
        m: the number of samples.
        student: the student's loss at the mean's scale.
        reference: the right loss.
        unregularised: the loss without the L2 term, when one was asked for.
        reduction: what the student said their code computes (``--reduction``).
    """
    checks = [
        (
            float(m) if reduction == "mean" else 1.0 / m,
            "loss_summed" if reduction == "mean" else "loss_averaged",
            f"{_MEAN_EQUATION} -- your loss is m = {m} times too large: summed over the samples instead of averaged"
            if reduction == "mean"
            else f"{_MEAN_EQUATION} -- with --reduction sum your loss is 1/m = 1/{m} of the sum: it is averaged",
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
    if unregularised is not None and agrees(np.asarray(student), np.asarray(unregularised)):
        return Hint(
            "loss_l2_missing", (), f"{_L2_EQUATION} -- your loss has no L2 term ({unregularised:.10g} is the loss without it)"
        )
    return Hint(
        "loss",
        (),
        f"your loss is {student:.10g} but the {spec.loss} loss of these weights is {reference:.10g} "
        "(a mean over the m samples, see docs/students.md)",
    )
