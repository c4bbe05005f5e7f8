"""One record per activation: what the spec, the initialiser, ``explain`` and the hints know of it.

The maths is in the implementations: ``scratch.activations`` writes g(z) and g'(z)
out, ``torch_impl.activations`` and ``keras_impl.activations`` map the name to a
native layer. Every implementation covers every record here (the conformance tests
check it), and looking up a name that has no record raises :class:`~core.errors.InputError`.

Formulas are templates: ``{z}`` and ``{a}`` stand for the pre-activation z and the
activation a = g(z) of one unit.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import lookup

LEAKY_SLOPE = 0.01  # ED5340 L25: Leaky ReLU = max(0.01 z, z); also torch's default (Keras's are 0.2 and 0.3)


@dataclass(frozen=True)
class ActivationRecord:
    """What is known of one activation, outside any framework.

    Attributes:
        name: the spec's name, e.g. ``"leaky_relu"``.
        formula: g(z) as a template in ``{z}``, e.g. ``"max(0.01*{z}, {z})"``.
        derivative: g'(z) as a template in ``{z}`` and ``{a}``; ``""`` for softmax, which
            has no elementwise derivative (it only appears as an output paired with cce).
        source: the lecture (or paper) the formula comes from.
        init: the initialiser its layers get, ``"xavier"`` or ``"he"`` (scratch.init).
        hidden: whether a hidden layer may use it (softmax normalises a whole layer: output only).
        derivative_on_a: the hint for a student who feeds the activation a to g' instead of z.
        kink_at_zero: whether g' jumps at z = 0 (the frameworks take the z > 0 branch only for z > 0).
    """

    name: str
    formula: str
    derivative: str
    source: str
    init: str
    hidden: bool = True
    derivative_on_a: str = ""
    kink_at_zero: bool = False


ACTIVATIONS: dict[str, ActivationRecord] = {
    record.name: record
    for record in (
        ActivationRecord(
            "sigmoid",
            "1/(1+e^-{z})",
            "{a}(1 - {a})",
            "Amrita FFNN intro; ED5340 L26: sigma'(z) = a (1 - a)",
            "xavier",
            derivative_on_a="sigma'(a) = sigma(a)(1 - sigma(a)) instead of sigma'(z) = a (1 - a)",
        ),
        ActivationRecord(
            "tanh",
            "tanh({z})",
            "1 - ({a})^2",
            "ED5340 L25: tanh(z) = (e^z - e^-z) / (e^z + e^-z)",
            "xavier",
            derivative_on_a="1 - tanh(a)^2 instead of tanh'(z) = 1 - a^2",
        ),
        ActivationRecord(
            "relu",
            "max(0, {z})",
            "[{z} > 0]",
            "ED5340 L25: ReLU(z) = max(0, z)",
            "he",
            derivative_on_a="relu'(a) instead of relu'(z)",
            kink_at_zero=True,
        ),
        ActivationRecord(
            "leaky_relu",
            f"max({LEAKY_SLOPE:g}*{{z}}, {{z}})",
            f"(1 if {{z}} > 0 else {LEAKY_SLOPE:g})",
            "ED5340 L25: Leaky ReLU = max(0.01 z, z)",
            "he",
            derivative_on_a="leaky_relu'(a) instead of leaky_relu'(z)",
            kink_at_zero=True,
        ),
        ActivationRecord(
            "linear",
            "{z}",
            "1",
            "CS60050 backprop: linear output for regression",
            "xavier",
            derivative_on_a="g'(a) instead of g'(z)",
        ),
        ActivationRecord(
            "softmax",
            "e^({z}) / sum_k e^(z_k)",
            "",
            "Amrita FFNN intro: softmax(z)_i = e^{z_i} / sum_j e^{z_j}",
            "xavier",
            hidden=False,
        ),
    )
}


def activation(name: str) -> ActivationRecord:
    """The record for ``name``.

    Raises:
        InputError: for a name with no record (the message lists the known ones).
    """
    return lookup(ACTIVATIONS, name, "activation")
