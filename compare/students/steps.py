"""The steps ``explain`` prints: every forward and backward value of one case, number by number, as the slides do.

Each step gives the lecture's symbol, its formula, the formula with scratch's
numbers put in, scratch's value, each framework's value beside it (✓ when it
agrees with scratch within the float64 tolerances of compare/parity/tolerances.py)
and, for the Amrita FFNN intro's slides, the slide's printed number
(compare.students.slides).

Symbols: Mazur's worked example (the Amrita FFNN intro's "Practice Problem") uses
the slide's net_h1, out_h1, E_total, dE_total/dw5, w5+ ...; every other case uses
ED5340 L25 and CS60050 backprop's z^[l]_j, a^[l]_j, delta^[l]_j, dW^[l]_jk (units
counted from 1). Values that no framework exposes (a factor like dout_o1/dnet_o1)
are shown for scratch only; updates are w - eta * dE/dw with each implementation's
own gradient.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from compare import registry
from compare.data.cases import Case
from compare.registry import REFERENCE
from compare.students.slides import SLIDE_NOTES, SLIDE_NUMBERS
from core.activations import ACTIVATIONS
from core.trace import Trace

DTYPE = "float64"
FORWARD, LOSS, BACKWARD, UPDATE = "Forward pass", "Loss", "Backward pass", "Update"

Getter = Callable[[Trace], Any]  # reads one number from a Trace


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
    return abs(value - float(printed)) <= 0.5 * 10.0**-decimals * (1 + 1e-9)


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


class _Builder:
    """Collects steps; each value is read from every implementation's Trace by a getter."""

    def __init__(self, case: Case, traces: Mapping[str, Trace]) -> None:
        from compare.parity.harness import compare_arrays

        self._compare = compare_arrays
        self.case = case
        self.traces = traces
        self.scratch = traces[REFERENCE]
        self.steps: list[Step] = []
        self.slides = SLIDE_NUMBERS.get(case.name, {})
        self.notes = SLIDE_NOTES.get(case.name, {})

    def add(self, section: str, symbol: str, formula: str, numbers: str, get: Getter, everywhere: bool = True) -> float:
        """Add one step; ``everywhere=False`` for a factor only scratch exposes. Returns scratch's value."""
        traces = self.traces if everywhere else {REFERENCE: self.scratch}
        values = {fw: float(get(t)) for fw, t in traces.items()}
        agrees = {
            fw: self._compare(fw, symbol, np.asarray(v), np.asarray(values[REFERENCE]), DTYPE).passed
            for fw, v in values.items()
            if fw != REFERENCE
        }
        step = Step(section, symbol, formula, numbers, values, agrees, self.slides.get(symbol))
        if step.slide_agrees is False:
            step.note = self.notes.get(symbol, "differs from the slide beyond its rounding")
        self.steps.append(step)
        return values[REFERENCE]


# ---------------------------------------------------------------------------------------------
# Mazur's worked example, in the slide's symbols: W1 = [[w1, w2], [w3, w4]], W2 = [[w5, w6], [w7, w8]]

HIDDEN_WEIGHTS = (("w1", "w2"), ("w3", "w4"))  # into h1, h2
OUTPUT_WEIGHTS = (("w5", "w6"), ("w7", "w8"))  # into o1, o2


def _named_weights(params: Mapping[str, np.ndarray]) -> dict[str, float]:
    w = {f"w{1 + 2 * j + k}": float(params["W1"][j, k]) for j in range(2) for k in range(2)}
    return w | {f"w{5 + 2 * j + k}": float(params["W2"][j, k]) for j in range(2) for k in range(2)}


def _worked_forward(b: _Builder, w: dict[str, float]) -> tuple[list[float], list[float]]:
    """net_h, out_h, net_o, out_o; returns scratch's (out_h, out_o)."""
    p, (i1, i2) = b.case.params, np.asarray(b.case.X, dtype=float)[0]
    out_h = []
    for j, (wa, wb) in enumerate(HIDDEN_WEIGHTS):
        h = f"h{j + 1}"
        numbers = f"{term_short(w[wa])}*{term_short(i1)} + {term_short(w[wb])}*{term_short(i2)} + {term_short(p['b1'][j])}*1"
        net = b.add(FORWARD, f"net_{h}", f"{wa}*i1 + {wb}*i2 + b1*1", numbers, lambda tr, j=j: tr.z[1][0, j])
        out_h.append(b.add(FORWARD, f"out_{h}", f"1/(1+e^-net_{h})", f"1/(1+e^-{term(net)})", lambda tr, j=j: tr.a[1][0, j]))
    out_o = []
    for j, (wa, wb) in enumerate(OUTPUT_WEIGHTS):
        o = f"o{j + 1}"
        numbers = f"{term_short(w[wa])}*{term(out_h[0])} + {term_short(w[wb])}*{term(out_h[1])} + {term_short(p['b2'][j])}*1"
        net = b.add(FORWARD, f"net_{o}", f"{wa}*out_h1 + {wb}*out_h2 + b2*1", numbers, lambda tr, j=j: tr.z[2][0, j])
        out_o.append(b.add(FORWARD, f"out_{o}", f"1/(1+e^-net_{o})", f"1/(1+e^-{term(net)})", lambda tr, j=j: tr.a[2][0, j]))
    return out_h, out_o


def _worked_loss(b: _Builder, t: np.ndarray, out_o: list[float]) -> None:
    """E_o1, E_o2 (scratch only) and E_total."""
    errors = []
    for j in range(2):
        o = f"o{j + 1}"
        errors.append(
            b.add(
                LOSS,
                f"E_{o}",
                f"1/2 (target_{o} - out_{o})^2",
                f"1/2 ({term_short(t[j])} - {term(out_o[j])})^2",
                lambda tr, j=j: 0.5 * (t[j] - tr.a[2][0, j]) ** 2,
                everywhere=False,
            )
        )
    b.add(LOSS, "E_total", "E_o1 + E_o2", f"{term(errors[0])} + {term(errors[1])}", lambda tr: tr.loss)


def _worked_output_deltas(b: _Builder, t: np.ndarray, out_h: list[float], out_o: list[float]) -> list[float]:
    """dE/dout_o, dout_o/dnet_o, delta_o, dE/dw5..w8, dE/db2; returns scratch's delta_o."""
    delta_o = []
    for j, (wa, wb) in enumerate(OUTPUT_WEIGHTS):
        o = f"o{j + 1}"
        de_dout = b.add(
            BACKWARD,
            f"dE_total/dout_{o}",
            f"-(target_{o} - out_{o})",
            f"-({term_short(t[j])} - {term(out_o[j])})",
            lambda tr, j=j: -(t[j] - tr.a[2][0, j]),
            everywhere=False,
        )
        dout_dnet = b.add(
            BACKWARD,
            f"dout_{o}/dnet_{o}",
            f"out_{o}(1 - out_{o})",
            f"{term(out_o[j])}(1 - {term(out_o[j])})",
            lambda tr, j=j: tr.a[2][0, j] * (1 - tr.a[2][0, j]),
            everywhere=False,
        )
        if j == 0:
            b.add(BACKWARD, "dnet_o1/dw5", "out_h1", "", lambda tr: tr.a[1][0, 0], everywhere=False)
        delta = b.add(
            BACKWARD,
            f"delta_{o}",
            f"dE_total/dnet_{o} = dE_total/dout_{o} * dout_{o}/dnet_{o}",
            f"{term(de_dout)} * {term(dout_dnet)}",
            lambda tr, j=j: tr.delta[2][0, j],
        )
        delta_o.append(delta)
        for k, wk in enumerate((wa, wb)):
            b.add(
                BACKWARD,
                f"dE_total/d{wk}",
                f"delta_{o} * out_h{k + 1}",
                f"{term(delta)} * {term(out_h[k])}",
                lambda tr, j=j, k=k: tr.grads["W2"][j, k],
            )
        b.add(
            BACKWARD,
            f"dE_total/db2({o})",
            f"delta_{o} (the slide shares one b2 and leaves it unchanged)",
            "",
            lambda tr, j=j: tr.grads["b2"][j],
        )
    return delta_o


def _worked_hidden_deltas(b: _Builder, w: dict[str, float], out_h: list[float], delta_o: list[float]) -> None:
    """dE/dout_h, dout_h/dnet_h, delta_h, dE/dw1..w4, dE/db1."""
    X, W2 = np.asarray(b.case.X, dtype=float), b.case.params["W2"]
    for j, (wa, wb) in enumerate(HIDDEN_WEIGHTS):
        h = f"h{j + 1}"
        back = ("w5", "w7") if j == 0 else ("w6", "w8")  # the weights out of h_j
        numbers = f"{term(delta_o[0])}*{term_short(w[back[0]])} + {term(delta_o[1])}*{term_short(w[back[1]])}"
        de_dout = b.add(
            BACKWARD,
            f"dE_total/dout_{h}",
            f"delta_o1*{back[0]} + delta_o2*{back[1]}",
            numbers,
            lambda tr, j=j: tr.delta[2][0] @ W2[:, j],
            everywhere=False,
        )
        dout_dnet = b.add(
            BACKWARD,
            f"dout_{h}/dnet_{h}",
            f"out_{h}(1 - out_{h})",
            f"{term(out_h[j])}(1 - {term(out_h[j])})",
            lambda tr, j=j: tr.a[1][0, j] * (1 - tr.a[1][0, j]),
            everywhere=False,
        )
        delta = b.add(
            BACKWARD,
            f"delta_{h}",
            f"dE_total/dnet_{h} = dE_total/dout_{h} * dout_{h}/dnet_{h}",
            f"{term(de_dout)} * {term(dout_dnet)}",
            lambda tr, j=j: tr.delta[1][0, j],
        )
        for k, (wk, ik) in enumerate(((wa, "i1"), (wb, "i2"))):
            b.add(
                BACKWARD,
                f"dE_total/d{wk}",
                f"delta_{h} * {ik}",
                f"{term(delta)} * {term_short(X[0, k])}",
                lambda tr, j=j, k=k: tr.grads["W1"][j, k],
            )
        b.add(
            BACKWARD,
            f"dE_total/db1({h})",
            f"delta_{h} (the slide shares one b1 and leaves it unchanged)",
            "",
            lambda tr, j=j: tr.grads["b1"][j],
        )


def _worked_update(b: _Builder, w: dict[str, float]) -> None:
    """w5+ .. w8+, then w1+ .. w4+: w - eta * dE/dw with each implementation's own gradient."""
    p, eta = b.case.params, b.case.learning_rate
    for layer, names in ((2, ("w5", "w6", "w7", "w8")), (1, ("w1", "w2", "w3", "w4"))):
        for n, name in enumerate(names):
            j, k = divmod(n, 2)
            grad = float(b.scratch.grads[f"W{layer}"][j, k])
            b.add(
                UPDATE,
                f"{name}+",
                f"{name} - eta * dE_total/d{name}",
                f"{term_short(w[name])} - {term_short(eta)} * {term(grad)}",
                lambda tr, layer=layer, j=j, k=k: p[f"W{layer}"][j, k] - eta * tr.grads[f"W{layer}"][j, k],
            )


def worked_example_steps(case: Case, traces: Mapping[str, Trace]) -> list[Step]:
    """Mazur's worked example (the Amrita FFNN intro's practice problem), in the slide's symbols and order."""
    b = _Builder(case, traces)
    w = _named_weights(case.params)
    t = np.asarray(case.y, dtype=float)[0]
    out_h, out_o = _worked_forward(b, w)
    _worked_loss(b, t, out_o)
    delta_o = _worked_output_deltas(b, t, out_h, out_o)
    _worked_hidden_deltas(b, w, out_h, delta_o)
    _worked_update(b, w)
    return b.steps


# ---------------------------------------------------------------------------------------------
# Any case, layer by layer, in ED5340 L25 and CS60050 backprop symbols


def _unit(l: int, j: int) -> dict[str, str]:
    """The placeholders of core.activations' formula templates for unit j (1-based) of layer l."""
    return {"z": f"z^[{l}]_{j}", "a": f"a^[{l}]_{j}"}


def _forward_steps(b: _Builder, i: int, note: str) -> None:
    """z^[l]_j = sum_k w^[l]_jk a^[l-1]_k + b^[l]_j and a^[l]_j = g(z^[l]_j), for sample i."""
    spec, p, s = b.case.spec, b.case.params, b.scratch
    for l in range(1, spec.n_layers + 1):
        act, n_prev = spec.activations[l - 1], spec.sizes[l - 1]
        for j in range(spec.sizes[l]):
            terms = " + ".join(f"w^[{l}]_{j + 1}{k + 1} a^[{l - 1}]_{k + 1}" for k in range(n_prev))
            numbers = " + ".join(f"{term_short(p[f'W{l}'][j, k])}*{term(s.a[l - 1][i, k])}" for k in range(n_prev))
            b.add(
                FORWARD,
                f"z^[{l}]_{j + 1}",
                f"{terms} + b^[{l}]_{j + 1}{note}",
                f"{numbers} + {term_short(p[f'b{l}'][j])}",
                lambda tr, l=l, j=j: tr.z[l][i, j],
            )
        for j in range(spec.sizes[l]):
            if act == "softmax":
                formula = f"e^(z^[{l}]_{j + 1}) / sum_k e^(z^[{l}]_k)"
                numbers = f"e^{term(s.z[l][i, j])} / ({' + '.join(f'e^{term(v)}' for v in s.z[l][i])})"
            else:
                formula = f"{act}(z^[{l}]_{j + 1}) = " + ACTIVATIONS[act].formula.format(z=f"z^[{l}]_{j + 1}")
                numbers = ACTIVATIONS[act].formula.format(z=term(s.z[l][i, j]))
            b.add(FORWARD, f"a^[{l}]_{j + 1}", formula, numbers, lambda tr, l=l, j=j: tr.a[l][i, j])


def _loss_step(b: _Builder, i: int) -> None:
    """L, the per-sample formula (with sample i's numbers when m = 1), then the mean over the batch."""
    spec, s = b.case.spec, b.scratch
    L, m, y = spec.n_layers, s.a[0].shape[0], np.asarray(b.case.y)
    if spec.loss == "bce":
        yi = float(y.reshape(m, -1)[i, 0])
        formula = "-[y log a^[L]_1 + (1 - y) log(1 - a^[L]_1)]"
        numbers = f"-[{term_short(yi)} log {term(s.a[L][i, 0])} + {term_short(1 - yi)} log(1 - {term(s.a[L][i, 0])})]"
    elif spec.loss == "cce":
        label = int(y[i])
        formula, numbers = "-log a^[L]_y (y = the true class)", f"-log {term(s.a[L][i, label])}  (class {label + 1})"
    elif spec.loss == "sse":
        formula, numbers = "sum_j 1/2 (y_j - a^[L]_j)^2", ""
    else:
        formula, numbers = "(1/n_L) sum_j (y_j - a^[L]_j)^2", ""
    mean = f", mean over the m = {m} samples" if m > 1 else ""
    b.add(LOSS, "L", formula + mean, numbers if m == 1 else "", lambda tr: tr.loss)


def _delta_formula(spec: Any, l: int, j: int) -> str:
    """delta^[l]_j in words: the simplified output delta, dl/da * g'(z) at the output, or CS60050's hidden delta."""
    L = spec.n_layers
    if l == L and spec.loss in ("bce", "cce"):
        cite = " (Session-5 backprop: probs - onehot)" if spec.loss == "cce" else " (ED5340 L26: A - Y)"
        return f"a^[{l}]_{j} - y_{j}{cite}"
    derivative = ACTIVATIONS[spec.activations[l - 1]].derivative.format(**_unit(l, j))
    if l == L:
        dl_da = "(a - y)" if spec.loss == "sse" else "(2/n_L)(a - y)"
        return f"{dl_da}_{j} * {derivative}"
    return f"sum_i w^[{l + 1}]_i{j} delta^[{l + 1}]_i * {derivative} (CS60050 backprop)"


def _backward_steps(b: _Builder, i: int, note: str) -> None:
    """delta^[l]_j (sample i), dW^[l]_jk and db^[l]_j (over the batch), from the output layer down."""
    from scratch.activations import DERIVATIVE

    spec, p, s = b.case.spec, b.case.params, b.scratch
    L, m = spec.n_layers, s.a[0].shape[0]
    for l in range(L, 0, -1):
        for j in range(spec.sizes[l]):
            numbers = ""
            if l < L:
                g_prime = float(DERIVATIVE[spec.activations[l - 1]](s.z[l][i : i + 1, j], s.a[l][i : i + 1, j])[0])
                back = " + ".join(
                    f"{term_short(p[f'W{l + 1}'][r, j])}*{term(s.delta[l + 1][i, r])}" for r in range(spec.sizes[l + 1])
                )
                numbers = f"({back}) * {term(g_prime)}"
            b.add(
                BACKWARD,
                f"delta^[{l}]_{j + 1}",
                _delta_formula(spec, l, j + 1) + note,
                numbers,
                lambda tr, l=l, j=j: tr.delta[l][i, j],
            )
        for j in range(spec.sizes[l]):
            for k in range(spec.sizes[l - 1]):
                if m == 1:
                    formula = f"delta^[{l}]_{j + 1} a^[{l - 1}]_{k + 1}"
                    numbers = f"{term(s.delta[l][0, j])} * {term(s.a[l - 1][0, k])}"
                else:
                    formula = f"(1/m) sum over samples of delta^[{l}]_{j + 1} a^[{l - 1}]_{k + 1} (ED5340 L26: (1/m) dZ A^T)"
                    numbers = ""
                b.add(BACKWARD, f"dW^[{l}]_{j + 1}{k + 1}", formula, numbers, lambda tr, l=l, j=j, k=k: tr.grads[f"W{l}"][j, k])
            formula = f"delta^[{l}]_{j + 1}" if m == 1 else f"(1/m) sum over samples of delta^[{l}]_{j + 1}"
            b.add(BACKWARD, f"db^[{l}]_{j + 1}", formula, "", lambda tr, l=l, j=j: tr.grads[f"b{l}"][j])


def _update_steps(b: _Builder) -> None:
    """w^[l]_jk+ and b^[l]_j+ = value - eta * gradient, output layer first."""
    spec, p, eta = b.case.spec, b.case.params, b.case.learning_rate
    for l in range(spec.n_layers, 0, -1):
        for name in (f"W{l}", f"b{l}"):
            for index in np.ndindex(p[name].shape):
                sub = "".join(str(n + 1) for n in index)
                sym = f"{name[0].lower()}^[{l}]_{sub}"
                grad = float(b.scratch.grads[name][index])
                b.add(
                    UPDATE,
                    f"{sym}+",
                    f"{sym} - eta * d{name[0]}^[{l}]_{sub}",
                    f"{term_short(float(p[name][index]))} - {term_short(eta)} * {term(grad)}",
                    lambda tr, name=name, index=index: p[name][index] - eta * tr.grads[name][index],
                )


def layer_steps(case: Case, traces: Mapping[str, Trace], sample: int = 0) -> list[Step]:
    """Any case: z^[l]_j, a^[l]_j, the loss, delta^[l]_j, dW^[l]_jk, db^[l]_j, then the update.

    z, a and delta are shown for one sample (row ``sample`` of X); the loss, the
    gradients and the update are over the whole batch of m samples.
    """
    b = _Builder(case, traces)
    m = b.scratch.a[0].shape[0]
    note = f" (sample {sample + 1} of {m})" if m > 1 else ""
    _forward_steps(b, sample, note)
    _loss_step(b, sample)
    _backward_steps(b, sample, note)
    _update_steps(b)
    return b.steps


def explain_case(
    name: str, frameworks: Sequence[str] = registry.NAMES, seed: int = 0, sample: int = 0
) -> tuple[Case, list[Step]]:
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
