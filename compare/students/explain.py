"""``python -m compare explain CASE``: the forward and backward passes, number by number, as the slides do them.

Each step gives the lecture's symbol, its formula, the formula with scratch's
numbers put in, scratch's value, each framework's value beside it (✓ when it
agrees with scratch within the float64 tolerances of compare/tolerances.py) and,
for the Amrita FFNN intro's slides, the slide's printed number, marked ✗ where it differs
by more than its own rounding (half a unit in its last printed digit), with why.

Symbols: the worked example (Mazur's worked example, the Amrita FFNN intro's "Practice Problem") uses the slide's
net_h1, out_h1, E_total, dE_total/dw5, w5+ ...; every other case uses ED5340 L25 and
004's z^[l]_j, a^[l]_j, delta^[l]_j, dW^[l]_jk (units counted from 1). Values that
no framework exposes (a factor like dout_o1/dnet_o1) are shown for scratch only;
updates are w - eta * dE/dw with each implementation's own gradient.

Exit codes: 0 every implementation agrees with scratch, 1 one differs, 2 bad usage or input.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from compare import registry
from compare.data.files import writable_file
from compare.options import EXIT_MISMATCH, EXIT_OK, ArgumentParser, frameworks_option
from compare.output import MARK, versions_line
from compare.registry import REFERENCE

DTYPE = "float64"


@dataclass
class Step:
    """One line of the explanation.

    Attributes:
        section: ``"Forward pass"``, ``"Loss"``, ``"Backward pass"`` or ``"Update"``.
        symbol: the lecture's name for the value, e.g. ``net_h1`` or ``z^[1]_2``.
        formula: how it is computed, in the lecture's symbols.
        numbers: the formula with scratch's numbers put in ("" when it adds nothing).
        values: each implementation's value; only scratch for factors no framework exposes.
        agrees: for each framework other than scratch, whether it agrees with scratch.
        slide: the slide's printed number, as printed (None when the slide gives none).
        note: why the slide differs, when it does.
    """

    section: str
    symbol: str
    formula: str
    numbers: str
    values: dict[str, float]
    agrees: dict[str, bool]
    slide: str | None = None
    note: str = ""

    @property
    def slide_agrees(self) -> bool | None:
        """Whether scratch's value rounds to the slide's printed number (None without a slide number)."""
        if self.slide is None:
            return None
        return within_rounding(self.values[REFERENCE], self.slide)


def within_rounding(value: float, printed: str) -> bool:
    """|value - printed| <= half a unit in the printed number's last digit (plus float64 slack)."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return abs(value - float(printed)) <= 0.5 * 10.0 ** -decimals * (1 + 1e-9)


def fmt(x: float) -> str:
    """Numbers the way the slides print them: 9 decimals, trailing zeros dropped (tiny ones in e-notation)."""
    if x == 0:
        return "0"
    if abs(x) < 1e-4:
        return f"{x:.6e}"
    return f"{x:.9f}".rstrip("0").rstrip(".")


def short(x: float) -> str:
    """A given number (a weight, an input) as it was written: 0.15, not 0.150000000."""
    return f"{x:g}" if float(f"{x:g}") == x else fmt(x)


def term(x: float) -> str:
    """:func:`fmt` for use inside an expression: negative numbers in parentheses."""
    return f"({fmt(x)})" if x < 0 else fmt(x)


def term_short(x: float) -> str:
    """:func:`short` for use inside an expression: negative numbers in parentheses."""
    return f"({short(x)})" if x < 0 else short(x)


# ---------------------------------------------------------------------------------------------
# The slides' printed numbers (Amrita FFNN intro), and why they differ where they do.
# A value here is the text as printed; the comparison allows half a unit of its last digit.

SLIDE_NUMBERS: dict[str, dict[str, str]] = {
    "worked-2-2-2": {
        "net_h1": "0.3775", "out_h1": "0.593269992", "out_h2": "0.596884378", "net_o1": "1.105905967",
        "out_o1": "0.75136507", "out_o2": "0.772928465", "E_o1": "0.274811083", "E_o2": "0.023560026",
        "E_total": "0.298371109", "dE_total/dout_o1": "0.74136507", "dout_o1/dnet_o1": "0.186815602",
        "dnet_o1/dw5": "0.593269992", "dE_total/dw5": "0.082167041", "w5+": "0.35891648", "w6+": "0.408666186",
        "w7+": "0.511301270", "w8+": "0.561370121", "dE_total/dw1": "0.000438568", "w1+": "0.149780716",
        "w2+": "0.19956143", "w3+": "0.24975114", "w4+": "0.29950229",
    },
    "lecture-4-4-1-bce": {
        "z^[1]_1": "0.01", "z^[1]_2": "0.71", "z^[1]_3": "0.42", "z^[1]_4": "0.63",
        "a^[1]_1": "0.50", "a^[1]_2": "0.67", "a^[1]_3": "0.60", "a^[1]_4": "0.65",
        "z^[2]_1": "0.921", "a^[2]_1": "0.7152", "L": "1.2560",
    },
    "lecture-4-4-3-softmax": {
        "z^[1]_1": "0.62", "z^[1]_2": "0.09", "z^[1]_3": "0.2", "z^[1]_4": "-0.15",
        "a^[1]_1": "0.65", "a^[1]_2": "0.52", "a^[1]_3": "0.55", "a^[1]_4": "0.46",
        "z^[2]_1": "0.32", "z^[2]_2": "0.29", "z^[2]_3": "0.85",
        "a^[2]_1": "0.2718", "a^[2]_2": "0.2634", "a^[2]_3": "0.4648", "L": "0.7661",
    },
}

SLIDE_NOTES: dict[str, dict[str, str]] = {
    "lecture-4-4-1-bce": {
        "a^[2]_1": "rounding carried forward: the slide put its rounded a_2 = 0.921 into the sigmoid "
                   "(sigmoid(0.921) = 0.71525); the unrounded 0.921228 gives 0.715292",
        "L": "rounding carried forward: -log(1 - 0.7152) = 1.25597 from the slide's rounded yhat; "
             "the given weights give -log(1 - 0.715292) = 1.256292",
    },
    "lecture-4-4-3-softmax": {
        "z^[2]_3": "slip on the slide: the given W_2 row [0.2 0.1 0.6 0.6] times h_1 gives 0.790 "
                   "(0.788 from the slide's own rounded h_1 = [0.65 0.52 0.55 0.46]); 0.85 is no rounding of that",
        "a^[2]_1": "the slide's yhat is not the softmax of its own a_2 = [0.32 0.29 0.85] (that is [0.2725 0.2645 0.4630]) "
                   "nor of the true a_2 = [0.318 0.287 0.790] (that is [0.2800 0.2714 0.4487])",
        "a^[2]_2": "see a^[2]_1",
        "a^[2]_3": "see a^[2]_1",
        "L": "-log(0.4648) = 0.7661 follows from the slide's yhat_3, so it inherits that error; "
             "the given weights give -log(0.448672) = 0.801462",
    },
}

SLIDE_SYMBOLS = {  # what the Amrita FFNN intro's binary / multi-class slides call each quantity
    "lecture-4-4-1-bce": "the slide writes a_1 for z^[1], h_1 for a^[1], a_2 for z^[2], yhat for a^[2] and L(Theta) for L",
    "lecture-4-4-3-softmax": "the slide writes a_1 for z^[1], h_1 for a^[1], a_2 for z^[2], yhat for a^[2] and L(Theta) for L",
}


# ---------------------------------------------------------------------------------------------
# Building the steps


Getter = Callable[[object], float]


class _Builder:
    """Collects steps; a getter reads one number from a Trace."""

    def __init__(self, case, traces: dict) -> None:
        from compare.parity.harness import compare_arrays

        self._compare = compare_arrays
        self.case = case
        self.traces = traces
        self.scratch = traces[REFERENCE]
        self.steps: list[Step] = []
        self.slides = SLIDE_NUMBERS.get(case.name, {})
        self.notes = SLIDE_NOTES.get(case.name, {})

    def add(self, section: str, symbol: str, formula: str, numbers: str, get: Getter, everywhere: bool = True) -> float:
        values = {fw: float(get(t)) for fw, t in self.traces.items()} if everywhere else {REFERENCE: float(get(self.scratch))}
        agrees = {fw: self._compare(fw, symbol, np.asarray(v), np.asarray(values[REFERENCE]), DTYPE).passed
                  for fw, v in values.items() if fw != REFERENCE}
        step = Step(section, symbol, formula, numbers, values, agrees, self.slides.get(symbol))
        if step.slide_agrees is False:
            step.note = self.notes.get(symbol, "differs from the slide beyond its rounding")
        self.steps.append(step)
        return values[REFERENCE]


def worked_example_steps(case, traces: dict) -> list[Step]:
    """Mazur's worked example (the Amrita FFNN intro's practice problem) in the slide's symbols (W1 = [[w1, w2], [w3, w4]], W2 = [[w5, w6], [w7, w8]])."""
    b = _Builder(case, traces)
    p, eta = case.params, case.learning_rate
    X, y = np.asarray(case.X, dtype=float), np.asarray(case.y, dtype=float)
    w = {f"w{1 + 2 * j + k}": p["W1"][j, k] for j in range(2) for k in range(2)}
    w |= {f"w{5 + 2 * j + k}": p["W2"][j, k] for j in range(2) for k in range(2)}
    i1, i2 = X[0]
    t = y[0]
    F, L, B, U = "Forward pass", "Loss", "Backward pass", "Update"

    out_h = []
    for j, (wa, wb) in enumerate((("w1", "w2"), ("w3", "w4"))):
        h = f"h{j + 1}"
        net = b.add(F, f"net_{h}", f"{wa}*i1 + {wb}*i2 + b1*1",
                    f"{term_short(w[wa])}*{term_short(i1)} + {term_short(w[wb])}*{term_short(i2)} + {term_short(p['b1'][j])}*1", lambda tr, j=j: tr.z[1][0, j])
        out_h.append(b.add(F, f"out_{h}", f"1/(1+e^-net_{h})", f"1/(1+e^-{term(net)})", lambda tr, j=j: tr.a[1][0, j]))
    out_o = []
    for j, (wa, wb) in enumerate((("w5", "w6"), ("w7", "w8"))):
        o = f"o{j + 1}"
        net = b.add(F, f"net_{o}", f"{wa}*out_h1 + {wb}*out_h2 + b2*1",
                    f"{term_short(w[wa])}*{term(out_h[0])} + {term_short(w[wb])}*{term(out_h[1])} + {term_short(p['b2'][j])}*1",
                    lambda tr, j=j: tr.z[2][0, j])
        out_o.append(b.add(F, f"out_{o}", f"1/(1+e^-net_{o})", f"1/(1+e^-{term(net)})", lambda tr, j=j: tr.a[2][0, j]))

    errors = []
    for j in range(2):
        o = f"o{j + 1}"
        errors.append(b.add(L, f"E_{o}", f"1/2 (target_{o} - out_{o})^2", f"1/2 ({term_short(t[j])} - {term(out_o[j])})^2",
                            lambda tr, j=j: 0.5 * (t[j] - tr.a[2][0, j]) ** 2, everywhere=False))
    b.add(L, "E_total", "E_o1 + E_o2", f"{term(errors[0])} + {term(errors[1])}", lambda tr: tr.loss)

    delta_o = []
    for j, (wa, wb) in enumerate((("w5", "w6"), ("w7", "w8"))):
        o = f"o{j + 1}"
        de_dout = b.add(B, f"dE_total/dout_{o}", f"-(target_{o} - out_{o})", f"-({term_short(t[j])} - {term(out_o[j])})",
                        lambda tr, j=j: -(t[j] - tr.a[2][0, j]), everywhere=False)
        dout_dnet = b.add(B, f"dout_{o}/dnet_{o}", f"out_{o}(1 - out_{o})", f"{term(out_o[j])}(1 - {term(out_o[j])})",
                          lambda tr, j=j: tr.a[2][0, j] * (1 - tr.a[2][0, j]), everywhere=False)
        if j == 0:
            b.add(B, "dnet_o1/dw5", "out_h1", "", lambda tr: tr.a[1][0, 0], everywhere=False)
        delta = b.add(B, f"delta_{o}", f"dE_total/dnet_{o} = dE_total/dout_{o} * dout_{o}/dnet_{o}",
                      f"{term(de_dout)} * {term(dout_dnet)}", lambda tr, j=j: tr.delta[2][0, j])
        delta_o.append(delta)
        for k, wk in enumerate((wa, wb)):
            b.add(B, f"dE_total/d{wk}", f"delta_{o} * out_h{k + 1}", f"{term(delta)} * {term(out_h[k])}",
                  lambda tr, j=j, k=k: tr.grads["W2"][j, k])
        b.add(B, f"dE_total/db2({o})", f"delta_{o} (the slide shares one b2 and leaves it unchanged)", "",
              lambda tr, j=j: tr.grads["b2"][j])
    for j, (wa, wb) in enumerate((("w1", "w2"), ("w3", "w4"))):
        h = f"h{j + 1}"
        back = ("w5", "w7") if j == 0 else ("w6", "w8")
        de_dout = b.add(B, f"dE_total/dout_{h}", f"delta_o1*{back[0]} + delta_o2*{back[1]}",
                        f"{term(delta_o[0])}*{term_short(w[back[0]])} + {term(delta_o[1])}*{term_short(w[back[1]])}",
                        lambda tr, j=j: tr.delta[2][0] @ case.params["W2"][:, j], everywhere=False)
        dout_dnet = b.add(B, f"dout_{h}/dnet_{h}", f"out_{h}(1 - out_{h})", f"{term(out_h[j])}(1 - {term(out_h[j])})",
                          lambda tr, j=j: tr.a[1][0, j] * (1 - tr.a[1][0, j]), everywhere=False)
        delta = b.add(B, f"delta_{h}", f"dE_total/dnet_{h} = dE_total/dout_{h} * dout_{h}/dnet_{h}",
                      f"{term(de_dout)} * {term(dout_dnet)}", lambda tr, j=j: tr.delta[1][0, j])
        for k, (wk, ik) in enumerate(((wa, "i1"), (wb, "i2"))):
            b.add(B, f"dE_total/d{wk}", f"delta_{h} * {ik}", f"{term(delta)} * {term_short(X[0, k])}",
                  lambda tr, j=j, k=k: tr.grads["W1"][j, k])
        b.add(B, f"dE_total/db1({h})", f"delta_{h} (the slide shares one b1 and leaves it unchanged)", "",
              lambda tr, j=j: tr.grads["b1"][j])

    for layer, names in ((2, ("w5", "w6", "w7", "w8")), (1, ("w1", "w2", "w3", "w4"))):
        for n, name in enumerate(names):
            j, k = divmod(n, 2)
            grad = float(traces[REFERENCE].grads[f"W{layer}"][j, k])
            b.add(U, f"{name}+", f"{name} - eta * dE_total/d{name}", f"{term_short(w[name])} - {term_short(eta)} * {term(grad)}",
                  lambda tr, layer=layer, j=j, k=k: p[f"W{layer}"][j, k] - eta * tr.grads[f"W{layer}"][j, k])
    return b.steps


_ACTIVATION_TEXT = {
    "sigmoid": "1/(1+e^-{z})", "tanh": "tanh({z})", "relu": "max(0, {z})", "leaky_relu": "max(0.01*{z}, {z})", "linear": "{z}",
}
_DERIVATIVE_TEXT = {
    "sigmoid": "a^[{l}]_{j}(1 - a^[{l}]_{j})", "tanh": "1 - (a^[{l}]_{j})^2", "relu": "[z^[{l}]_{j} > 0]",
    "leaky_relu": "(1 if z^[{l}]_{j} > 0 else 0.01)", "linear": "1",
}


def layer_steps(case, traces: dict, sample: int = 0) -> list[Step]:
    """Any case in ED5340 L25 and CS60050 backprop symbols: z^[l]_j, a^[l]_j, delta^[l]_j, dW^[l]_jk, db^[l]_j, then the update.

    z, a and delta are shown for one sample (row ``sample`` of X); the loss, the
    gradients and the update are over the whole batch of m samples.
    """
    from scratch.activations import DERIVATIVE

    b = _Builder(case, traces)
    spec, p, eta = case.spec, case.params, case.learning_rate
    s = traces[REFERENCE]
    m = s.a[0].shape[0]
    L = spec.n_layers
    i = sample
    F, LOSS, B, U = "Forward pass", "Loss", "Backward pass", "Update"
    sample_note = f" (sample {i + 1} of {m})" if m > 1 else ""
    for l in range(1, L + 1):
        act = spec.activations[l - 1]
        n_prev = spec.sizes[l - 1]
        for j in range(spec.sizes[l]):
            terms = " + ".join(f"w^[{l}]_{j + 1}{k + 1} a^[{l - 1}]_{k + 1}" for k in range(n_prev))
            numbers = " + ".join(f"{term_short(p[f'W{l}'][j, k])}*{term(s.a[l - 1][i, k])}" for k in range(n_prev))
            b.add(F, f"z^[{l}]_{j + 1}", f"{terms} + b^[{l}]_{j + 1}{sample_note}", f"{numbers} + {term_short(p[f'b{l}'][j])}",
                  lambda tr, l=l, j=j: tr.z[l][i, j])
        for j in range(spec.sizes[l]):
            if act == "softmax":
                formula = f"e^(z^[{l}]_{j + 1}) / sum_k e^(z^[{l}]_k)"
                numbers = f"e^{term(s.z[l][i, j])} / ({' + '.join(f'e^{term(v)}' for v in s.z[l][i])})"
            else:
                formula = f"{act}(z^[{l}]_{j + 1}) = " + _ACTIVATION_TEXT[act].format(z=f"z^[{l}]_{j + 1}")
                numbers = _ACTIVATION_TEXT[act].format(z=term(s.z[l][i, j]))
            b.add(F, f"a^[{l}]_{j + 1}", formula, numbers, lambda tr, l=l, j=j: tr.a[l][i, j])

    y = np.asarray(case.y)
    mean = f", mean over the m = {m} samples" if m > 1 else ""
    if spec.loss == "bce":
        yi = float(y.reshape(m, -1)[i, 0])
        formula, numbers = "-[y log a^[L]_1 + (1 - y) log(1 - a^[L]_1)]", f"-[{term_short(yi)} log {term(s.a[L][i, 0])} + {term_short(1 - yi)} log(1 - {term(s.a[L][i, 0])})]"
    elif spec.loss == "cce":
        label = int(y[i])
        formula, numbers = "-log a^[L]_y (y = the true class)", f"-log {term(s.a[L][i, label])}  (class {label + 1})"
    elif spec.loss == "sse":
        formula, numbers = "sum_j 1/2 (y_j - a^[L]_j)^2", ""
    else:
        formula, numbers = "(1/n_L) sum_j (y_j - a^[L]_j)^2", ""
    b.add(LOSS, "L", formula + mean, numbers if m == 1 else "", lambda tr: tr.loss)

    out = spec.activations[-1]
    for l in range(L, 0, -1):
        act = spec.activations[l - 1]
        for j in range(spec.sizes[l]):
            if l == L and spec.loss in ("bce", "cce"):
                formula = f"a^[{l}]_{j + 1} - y_{j + 1}" + (" (Session-5 backprop: probs - onehot)" if spec.loss == "cce" else " (ED5340 L26: A - Y)")
            elif l == L:
                dl_da = "(a - y)" if spec.loss == "sse" else "(2/n_L)(a - y)"
                formula = f"{dl_da}_{j + 1} * " + _DERIVATIVE_TEXT[out].format(l=l, j=j + 1)
            else:
                formula = (f"sum_i w^[{l + 1}]_i{j + 1} delta^[{l + 1}]_i * " + _DERIVATIVE_TEXT[act].format(l=l, j=j + 1)
                           + " (CS60050 backprop)")
            numbers = ""
            if l < L:
                derivative = float(DERIVATIVE[act](s.z[l][i:i + 1, j], s.a[l][i:i + 1, j])[0])
                numbers = "(" + " + ".join(f"{term_short(p[f'W{l + 1}'][r, j])}*{term(s.delta[l + 1][i, r])}"
                                           for r in range(spec.sizes[l + 1])) + f") * {term(derivative)}"
            b.add(B, f"delta^[{l}]_{j + 1}", formula + sample_note, numbers, lambda tr, l=l, j=j: tr.delta[l][i, j])
        for j in range(spec.sizes[l]):
            for k in range(spec.sizes[l - 1]):
                if m == 1:
                    formula, numbers = f"delta^[{l}]_{j + 1} a^[{l - 1}]_{k + 1}", f"{term(s.delta[l][0, j])} * {term(s.a[l - 1][0, k])}"
                else:
                    formula, numbers = f"(1/m) sum over samples of delta^[{l}]_{j + 1} a^[{l - 1}]_{k + 1} (ED5340 L26: (1/m) dZ A^T)", ""
                b.add(B, f"dW^[{l}]_{j + 1}{k + 1}", formula, numbers, lambda tr, l=l, j=j, k=k: tr.grads[f"W{l}"][j, k])
            formula = f"delta^[{l}]_{j + 1}" if m == 1 else f"(1/m) sum over samples of delta^[{l}]_{j + 1}"
            b.add(B, f"db^[{l}]_{j + 1}", formula, "", lambda tr, l=l, j=j: tr.grads[f"b{l}"][j])

    for l in range(L, 0, -1):
        for name in (f"W{l}", f"b{l}"):
            for index in np.ndindex(p[name].shape):
                sub = "".join(str(n + 1) for n in index)
                sym = f"{name[0].lower()}^[{l}]_{sub}"
                grad = float(s.grads[name][index])
                b.add(U, f"{sym}+", f"{sym} - eta * d{name[0]}^[{l}]_{sub}", f"{term_short(p[name][index])} - {term_short(eta)} * {term(grad)}",
                      lambda tr, name=name, index=index: p[name][index] - eta * tr.grads[name][index])
    return b.steps


def explain_case(name: str, frameworks: Sequence[str] = registry.NAMES, seed: int = 0, sample: int = 0) -> tuple[object, list[Step]]:
    """The built-in case ``name`` and its steps, with each framework's float64 Trace.

    Raises:
        InputError: unknown case or a sample index outside the batch.
    """
    from compare.data.cases import get_case
    from compare.parity.harness import evaluate_with
    from core.errors import InputError
    from core.validate import prepare

    case = get_case(name, seed)
    params, X, y = prepare(case.spec, case.params, case.X, case.y, DTYPE)
    if not 0 <= sample < X.shape[0]:
        raise InputError(f"--sample {sample + 1}: {name} has samples 1..{X.shape[0]}")
    traces = {fw: evaluate_with(fw, case.spec, params, X, y, DTYPE) for fw in registry.with_reference(frameworks)}
    if name == "worked-2-2-2":
        return case, worked_example_steps(case, traces)
    return case, layer_steps(case, traces, sample)


# ---------------------------------------------------------------------------------------------
# Rendering


def _header(case, frameworks: Sequence[str]) -> list[str]:
    lines = [f"{case.name}: {case.spec}, m = {np.asarray(case.X).shape[0]}, eta = {short(case.learning_rate)}"
             + (f" -- {case.source}" if case.source else "")]
    others = [fw for fw in frameworks if fw != REFERENCE]
    lines.append("values: scratch" + (f", then {' and '.join(others)} (✓ agrees with scratch in float64, ✗ differs)" if others else "")
                 + ("; slide: the slide's printed number (✓ within its rounding, ✗ differs beyond it)" if case.name in SLIDE_NUMBERS else ""))
    if case.name in SLIDE_SYMBOLS:
        lines.append(f"symbols: {SLIDE_SYMBOLS[case.name]}")
    lines.append(versions_line())
    return lines


def render_text(case, steps: list[Step], frameworks: Sequence[str]) -> str:
    lines = _header(case, frameworks)
    section = None
    for step in steps:
        if step.section != section:
            section = step.section
            lines += ["", section]
        equation = f"  {step.symbol} = {step.formula}"
        if step.numbers:
            equation += f" = {step.numbers}"
        lines.append(f"{equation} = {fmt(step.values['scratch'])}")
        extra = [f"{fw} {fmt(v)} {MARK[step.agrees[fw]]}" for fw, v in step.values.items() if fw != REFERENCE]
        if step.slide is not None:
            extra.append(f"slide {step.slide} {MARK[bool(step.slide_agrees)]}" + (f" -- {step.note}" if step.note else ""))
        if extra:
            lines.append("      " + "   ".join(extra))
    return "\n".join(lines) + "\n"


def render_markdown(case, steps: list[Step], frameworks: Sequence[str]) -> str:
    others = [fw for fw in frameworks if fw != REFERENCE]
    has_slide = case.name in SLIDE_NUMBERS
    lines = [f"# explain {case.name}", ""] + [f"{line}  " for line in _header(case, frameworks)]
    section = None
    for step in steps:
        if step.section != section:
            section = step.section
            head = ["step", "formula", REFERENCE, *others] + (["slide", "note"] if has_slide else [])
            lines += ["", f"## {section}", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        formula = step.formula + (f" = {step.numbers}" if step.numbers else "")
        cells = [f"`{step.symbol}`", f"`{formula}`".replace("|", "\\|"), fmt(step.values[REFERENCE])]
        cells += [f"{fmt(step.values[fw])} {MARK[step.agrees[fw]]}" if fw in step.values else "·" for fw in others]
        if has_slide:
            slide = "" if step.slide is None else f"{step.slide} {MARK[bool(step.slide_agrees)]}"
            cells += [slide, step.note]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def build_parser(prog: str = "python -m compare explain") -> ArgumentParser:
    """The ``explain`` parser."""
    from compare.data.cases import CASES

    parser = ArgumentParser(
        prog=prog,
        parents=[frameworks_option()],
        description="Print a built-in case's forward and backward pass step by step, as the slides do: "
        "the lecture's symbol, the formula with the numbers put in, scratch's value and each framework's beside it, "
        "and the slide's printed number where the slide gives one.",
        epilog="Exit codes: 0 every implementation agrees with scratch, 1 one differs, 2 bad usage or input.",
    )
    parser.add_argument("case", choices=tuple(CASES), metavar="CASE", help=f"one of: {', '.join(CASES)}")
    parser.add_argument("--format", choices=("text", "markdown"), default="text")
    parser.add_argument("--output", metavar="FILE", help="write to FILE instead of stdout")
    parser.add_argument("--sample", type=int, default=1, help="which sample's z, a and delta to show (1-based, default 1)")
    parser.add_argument("--seed", type=int, default=0, help="seed for weights of cases without published ones (default 0)")
    return parser


def main(argv: Sequence[str], prog: str = "python -m compare explain") -> int:
    """Explain one case; 0 every implementation agrees with scratch, 1 one differs."""
    args = build_parser(prog).parse_args(list(argv))
    output = writable_file(args.output, "--output") if args.output else None
    frameworks = registry.with_reference(args.frameworks)
    case, steps = explain_case(args.case, frameworks, args.seed, args.sample - 1)
    render = render_markdown if args.format == "markdown" else render_text
    text = render(case, steps, frameworks)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    agree = all(all(step.agrees.values()) for step in steps)
    return EXIT_OK if agree else EXIT_MISMATCH
