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
    """Collects steps; each value is read from every implementation's Trace by a getter.

    ``references``: per framework, the scratch pass it is compared with (with dropout, scratch
    repeated on the framework's own masks; compare.parity.harness.reference_for); scratch's own
    pass otherwise.
    """

    def __init__(
        self,
        case: Case,
        traces: Mapping[str, Trace],
        references: Mapping[str, Trace] | None = None,
        sample_traces: Mapping[str, Trace] | None = None,
    ) -> None:
        from compare.parity.harness import compare_arrays

        self._compare = compare_arrays
        self.case = case
        self.traces = traces
        self.scratch = traces[REFERENCE]
        self.references = dict(references or {})
        self.sample_traces = dict(sample_traces or {})  # each implementation's pass on the shown sample alone
        self.steps: list[Step] = []
        self.slides = SLIDE_NUMBERS.get(case.name, {})
        self.notes = SLIDE_NOTES.get(case.name, {})

    def add(
        self,
        section: str,
        symbol: str,
        formula: str,
        numbers: str,
        get: Getter,
        everywhere: bool = True,
        traces: Mapping[str, Trace] | None = None,
    ) -> float:
        """Add one step; ``everywhere=False`` for a factor only scratch exposes. Returns scratch's value.

        ``traces``: read the value from these passes instead (each compared with scratch's among them).
        """
        references = self.references if traces is None else {}
        scratch = self.scratch if traces is None else traces[REFERENCE]
        traces = traces if traces is not None else self.traces
        traces = traces if everywhere else {REFERENCE: traces[REFERENCE]}
        values = {fw: float(get(t)) for fw, t in traces.items()}
        agrees = {
            fw: self._compare(fw, symbol, np.asarray(v), np.asarray(float(get(references.get(fw, scratch)))), DTYPE).passed
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


SHOWN_ROWS = 8  # a batch statistic lists every sample's number up to this batch size


def _forward_steps(b: _Builder, i: int, note: str) -> None:
    """z^[l]_j = sum_k w^[l]_jk a^[l-1]_k + b^[l]_j and a^[l]_j = g(z^[l]_j), for sample i (batch norm and dropout between)."""
    spec, p, s = b.case.spec, b.case.params, b.scratch
    for l in range(1, spec.n_layers + 1):
        act, n_prev = spec.activations[l - 1], spec.sizes[l - 1]
        normed = spec.has_batch_norm(l)
        for j in range(spec.sizes[l]):
            terms = " + ".join(f"w^[{l}]_{j + 1}{k + 1} a^[{l - 1}]_{k + 1}" for k in range(n_prev))
            numbers = " + ".join(f"{term_short(p[f'W{l}'][j, k])}*{term(s.a[l - 1][i, k])}" for k in range(n_prev))
            bias = "" if normed else f" + b^[{l}]_{j + 1}"
            b.add(
                FORWARD,
                f"z^[{l}]_{j + 1}",
                f"{terms}{bias}{note}" + (" (no bias: batch norm's beta is the shift)" if normed else ""),
                numbers + ("" if normed else f" + {term_short(p[f'b{l}'][j])}"),
                lambda tr, l=l, j=j: tr.z[l][i, j],
            )
        if normed:
            _batch_norm_steps(b, l, i, note)
        into = f"bn^[{l}]" if normed else f"z^[{l}]"
        inputs = s.bn[l] if normed else s.z[l]
        rate = spec.dropout_rate(l)
        dropped = rate is not None and s.mode == "train"
        for j in range(spec.sizes[l]):
            if act == "softmax":
                formula = f"e^(z^[{l}]_{j + 1}) / sum_k e^(z^[{l}]_k)"
                numbers = f"e^{term(s.z[l][i, j])} / ({' + '.join(f'e^{term(v)}' for v in s.z[l][i])})"
            else:
                formula = f"{act}({into}_{j + 1}) = " + ACTIVATIONS[act].formula.format(z=f"{into}_{j + 1}")
                numbers = ACTIVATIONS[act].formula.format(z=term(inputs[i, j]))
            symbol = f"h^[{l}]_{j + 1}" if dropped else f"a^[{l}]_{j + 1}"
            b.add(FORWARD, symbol, formula, numbers, lambda tr, l=l, j=j, d=dropped: (tr.h if d else tr.a)[l][i, j])
        if rate is not None:
            _dropout_steps(b, l, i, rate)


def _batch_norm_steps(b: _Builder, l: int, i: int, note: str) -> None:
    """mu, var (scratch's; batch statistics in training mode), zhat, bn = gamma zhat + beta, and the running statistics."""
    from core.normalization import MATCHED

    s, p = b.scratch, b.case.params
    m, eps, w = s.a[0].shape[0], MATCHED.epsilon, MATCHED.new_weight
    training = s.mode == "train"
    for j in range(b.case.spec.sizes[l]):
        unit = f"^[{l}]_{j + 1}"
        column = s.z[l][:, j]
        listed = m <= SHOWN_ROWS
        mu = float(s.intermediates[f"mu{l}"][j])
        var = float(s.intermediates[f"var{l}"][j])
        if training:
            b.add(
                FORWARD,
                f"mu{unit}",
                f"(1/m) sum over the m = {m} samples of z{unit} (Ioffe & Szegedy, Algorithm 1)",
                f"(1/{m})({' + '.join(term(v) for v in column)})" if listed else "",
                lambda tr, j=j: tr.intermediates[f"mu{l}"][j],
                everywhere=False,
            )
            b.add(
                FORWARD,
                f"var{unit}",
                f"(1/m) sum over the samples of (z{unit} - mu{unit})^2 (the biased variance: divide by m)",
                f"(1/{m})({' + '.join(f'({term(v)} - {term(mu)})^2' for v in column)})" if listed else "",
                lambda tr, j=j: tr.intermediates[f"var{l}"][j],
                everywhere=False,
            )
        stats = "mu, var" if training else "the running mean and variance"
        b.add(
            FORWARD,
            f"zhat{unit}",
            f"(z{unit} - mu{unit}) / sqrt(var{unit} + eps), eps = {eps:g}{note}" + ("" if training else f" ({stats})"),
            f"({term(s.z[l][i, j])} - {term(mu)}) / sqrt({term(var)} + {eps:g})",
            lambda tr, j=j: tr.intermediates[f"zhat{l}"][i, j],
            everywhere=False,
        )
        zhat = float(s.intermediates[f"zhat{l}"][i, j])
        b.add(
            FORWARD,
            f"bn{unit}",
            f"gamma{unit} zhat{unit} + beta{unit}{note}",
            f"{term_short(float(p[f'gamma{l}'][j]))}*{term(zhat)} + {term_short(float(p[f'beta{l}'][j]))}",
            lambda tr, j=j: tr.bn[l][i, j],
        )
        if not training:
            continue
        old_mean, old_var = float(p[f"running_mean{l}"][j]), float(p[f"running_var{l}"][j])
        b.add(
            FORWARD,
            f"running_mean{unit}+",
            f"(1 - w) running_mean{unit} + w mu{unit}, w = {w:g} (torch momentum {w:g}, Keras momentum {1 - w:g})",
            f"(1 - {w:g})*{term_short(old_mean)} + {w:g}*{term(mu)}",
            lambda tr, j=j: tr.running[f"running_mean{l}"][j],
        )
        b.add(
            FORWARD,
            f"running_var{unit}+",
            f"(1 - w) running_var{unit} + w m/(m - 1) var{unit} (scratch and torch: unbiased; "
            "Keras averages var itself, and is compared with scratch doing so)",
            f"(1 - {w:g})*{term_short(old_var)} + {w:g}*{m}/{m - 1}*{term(var)}",
            lambda tr, j=j: tr.running[f"running_var{l}"][j],
        )


def _dropout_steps(b: _Builder, l: int, i: int, rate: float) -> None:
    """mask^[l]_j (each implementation's own draw) and a^[l]_j = h mask / (1 - p) in training mode; a = h in inference."""
    s = b.scratch
    for j in range(b.case.spec.sizes[l]):
        unit = f"^[{l}]_{j + 1}"
        if s.mode != "train":
            b.add(
                FORWARD,
                f"a{unit}",
                f"h{unit}: inference mode keeps every unit and scales none (dropout p = {rate:g})",
                "",
                lambda tr, j=j: tr.a[l][i, j],
            )
            continue
        b.add(
            FORWARD,
            f"mask{unit}",
            f"1 with probability 1 - p = {1 - rate:g}, else 0 (each implementation draws its own)",
            "",
            lambda tr, j=j: tr.masks[l][i, j],
        )
        b.add(
            FORWARD,
            f"a{unit}",
            f"h{unit} mask{unit} / (1 - p) (inverted dropout, p = {rate:g})",
            f"{term(s.h[l][i, j])}*{int(s.masks[l][i, j])}/{1 - rate:g}",
            lambda tr, j=j: tr.a[l][i, j],
        )


def _loss_step(b: _Builder, i: int) -> None:
    """The per-sample formula with sample i's numbers: l for sample i alone (when m > 1), then L, the mean over the batch.

    Sample i's loss is each implementation's own loss of its own pass on that sample alone
    (``b.sample_traces``; absent with batch norm or dropout in training mode, where one sample
    alone is another batch).
    """
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
        targets = y.reshape(m, -1)[i]
        formula = "sum_j 1/2 (y_j - a^[L]_j)^2"
        numbers = " + ".join(f"1/2 ({term_short(float(t))} - {term(s.a[L][i, j])})^2" for j, t in enumerate(targets))
    else:
        targets = y.reshape(m, -1)[i]
        formula = "(1/n_L) sum_j (y_j - a^[L]_j)^2"
        squares = " + ".join(f"({term_short(float(t))} - {term(s.a[L][i, j])})^2" for j, t in enumerate(targets))
        numbers = f"(1/{targets.size}) ({squares})"
    if m == 1:
        b.add(LOSS, "L", formula, numbers, lambda tr: tr.loss)
        return
    if b.sample_traces:
        b.add(LOSS, f"l(sample {i + 1})", formula, numbers, lambda tr: tr.loss, traces=b.sample_traces)
    b.add(LOSS, "L", f"(1/m) sum_i l(sample i), the mean of {formula} over the m = {m} samples", "", lambda tr: tr.loss)


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


def _regulariser_backward_steps(b: _Builder, l: int, i: int, note: str) -> None:
    """A hidden layer with batch norm or dropout: da, dh, dbn (scratch's), dgamma, dbeta and delta = dL/dz (per sample)."""
    from core.normalization import MATCHED
    from scratch.activations import DERIVATIVE
    from scratch.layers import dropout_backward

    spec, p, s = b.case.spec, b.case.params, b.scratch
    n = spec.sizes[l]
    rate, normed = spec.dropout_rate(l), spec.has_batch_norm(l)
    da = s.delta[l + 1] @ p[f"W{l + 1}"]
    dropped = rate is not None and s.mode == "train"
    dh = dropout_backward(da, s.masks[l], rate) if dropped and rate is not None else da
    h = s.h[l] if dropped else s.a[l]
    u = s.bn[l] if normed else s.z[l]
    dbn = dh * DERIVATIVE[spec.activations[l - 1]](u, h)
    into = "bn" if normed else "z"
    for j in range(n):
        unit = f"^[{l}]_{j + 1}"
        back = " + ".join(f"{term_short(p[f'W{l + 1}'][r, j])}*{term(s.delta[l + 1][i, r])}" for r in range(spec.sizes[l + 1]))
        b.add(BACKWARD, f"da{unit}", f"sum_r w^[{l + 1}]_r{j + 1} delta^[{l + 1}]_r{note}", back, lambda tr, j=j: da[i, j], False)
        if dropped and rate is not None:
            b.add(
                BACKWARD,
                f"dh{unit}",
                f"da{unit} mask{unit} / (1 - p): a dropped unit passes nothing back",
                f"{term(da[i, j])}*{int(s.masks[l][i, j])}/{1 - rate:g}",
                lambda tr, j=j: dh[i, j],
                everywhere=False,
            )
        derivative = ACTIVATIONS[spec.activations[l - 1]].derivative.format(z=f"{into}{unit}", a=f"h{unit}")
        upstream = f"dh{unit}" if dropped else f"da{unit}"
        numbers = f"{term(dh[i, j])} * {term(dbn[i, j] / dh[i, j])}" if dh[i, j] != 0 else ""
        if normed:
            b.add(BACKWARD, f"dbn{unit}", f"{upstream} * {derivative}", numbers, lambda tr, j=j: dbn[i, j], everywhere=False)
        else:
            b.add(BACKWARD, f"delta{unit}", f"{upstream} * {derivative}{note}", numbers, lambda tr, j=j: tr.delta[l][i, j])
    if not normed:
        return
    zhat = s.intermediates[f"zhat{l}"]
    inv_std = 1.0 / np.sqrt(s.intermediates[f"var{l}"] + MATCHED.epsilon)
    for j in range(n):
        unit = f"^[{l}]_{j + 1}"
        b.add(
            BACKWARD,
            f"dgamma{unit}",
            f"(1/m) sum over samples of dbn{unit} zhat{unit} (Ioffe & Szegedy, section 3)",
            "",
            lambda tr, j=j: tr.grads[f"gamma{l}"][j],
        )
        b.add(BACKWARD, f"dbeta{unit}", f"(1/m) sum over samples of dbn{unit}", "", lambda tr, j=j: tr.grads[f"beta{l}"][j])
        if s.mode == "train":
            mean_d, mean_dz = float(dbn[:, j].mean()), float((dbn[:, j] * zhat[:, j]).mean())
            formula = (
                f"gamma{unit} / sqrt(var{unit} + eps) * (dbn{unit} - mean dbn{unit} - zhat{unit} mean(dbn{unit} zhat{unit})): "
                f"the two mean terms are mu's and var's own dependence on z (Ioffe & Szegedy, section 3){note}"
            )
            numbers = (
                f"{term_short(float(p[f'gamma{l}'][j]))}*{term(float(inv_std[j]))}*({term(float(dbn[i, j]))} - {term(mean_d)}"
                f" - {term(float(zhat[i, j]))}*{term(mean_dz)})"
            )
        else:
            formula = f"gamma{unit} / sqrt(running_var{unit} + eps) * dbn{unit} (inference: the statistics are constants){note}"
            numbers = f"{term_short(float(p[f'gamma{l}'][j]))}*{term(float(inv_std[j]))}*{term(float(dbn[i, j]))}"
        b.add(BACKWARD, f"delta^[{l}]_{j + 1}", formula, numbers, lambda tr, j=j: tr.delta[l][i, j])


def _backward_steps(b: _Builder, i: int, note: str) -> None:
    """delta^[l]_j (sample i), dW^[l]_jk and db^[l]_j (over the batch), from the output layer down."""
    from scratch.activations import DERIVATIVE

    spec, p, s = b.case.spec, b.case.params, b.scratch
    L, m = spec.n_layers, s.a[0].shape[0]
    for l in range(L, 0, -1):
        regularised = spec.has_batch_norm(l) or spec.dropout_rate(l) is not None
        if regularised:
            _regulariser_backward_steps(b, l, i, note)
        for j in range(0 if regularised else spec.sizes[l]):
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
            if spec.has_batch_norm(l):
                continue
            formula = f"delta^[{l}]_{j + 1}" if m == 1 else f"(1/m) sum over samples of delta^[{l}]_{j + 1}"
            b.add(BACKWARD, f"db^[{l}]_{j + 1}", formula, "", lambda tr, l=l, j=j: tr.grads[f"b{l}"][j])


def _update_steps(b: _Builder) -> None:
    """w^[l]_jk+ and b^[l]_j+ (gamma, beta with batch norm) = value - eta * gradient, output layer first."""
    spec, p, eta = b.case.spec, b.case.params, b.case.learning_rate
    trained = spec.param_shapes()
    for l in range(spec.n_layers, 0, -1):
        for name in (f"{kind}{l}" for kind in ("W", "b", "gamma", "beta") if f"{kind}{l}" in trained):
            kind = name.rstrip("0123456789")
            for index in np.ndindex(p[name].shape):
                sub = "".join(str(n + 1) for n in index)
                sym = f"{kind.lower() if len(kind) == 1 else kind}^[{l}]_{sub}"
                grad = float(b.scratch.grads[name][index])
                b.add(
                    UPDATE,
                    f"{sym}+",
                    f"{sym} - eta * d{kind}^[{l}]_{sub}",
                    f"{term_short(float(p[name][index]))} - {term_short(eta)} * {term(grad)}",
                    lambda tr, name=name, index=index: p[name][index] - eta * tr.grads[name][index],
                )


def layer_steps(
    case: Case,
    traces: Mapping[str, Trace],
    sample: int = 0,
    references: Mapping[str, Trace] | None = None,
    sample_traces: Mapping[str, Trace] | None = None,
) -> list[Step]:
    """Any case: z^[l]_j, a^[l]_j, the loss, delta^[l]_j, dW^[l]_jk, db^[l]_j, then the update.

    z, a and delta are shown for one sample (row ``sample`` of X); the loss, the
    gradients and the update are over the whole batch of m samples. A layer with batch
    norm shows mu, var, zhat, bn and the running statistics, and backwards dbn, dgamma,
    dbeta and delta with its mean terms; a layer with dropout its mask and the scaled a,
    and backwards dh. ``references``: per framework, the scratch pass it is compared with.
    ``sample_traces``: each implementation's pass on row ``sample`` alone, for that sample's own loss.
    """
    b = _Builder(case, traces, references, sample_traces)
    m = b.scratch.a[0].shape[0]
    note = f" (sample {sample + 1} of {m})" if m > 1 else ""
    _forward_steps(b, sample, note)
    _loss_step(b, sample)
    _backward_steps(b, sample, note)
    _update_steps(b)
    return b.steps


def explain_case(
    case: str | Case, frameworks: Sequence[str] = registry.NAMES, seed: int = 0, sample: int = 0, mode: str = "train"
) -> tuple[Case, list[Step]]:
    """A case (a built-in name, or a Case such as compare.data.cases.load_cases makes) and its steps.

    Each framework's float64 Trace in ``mode``; with dropout, each framework is compared with
    scratch repeated on that framework's own masks. Mazur's worked example gets its own steps in
    the slide's symbols; any other case the layer-by-layer steps (:func:`layer_steps`), with the
    shown sample's own loss from every implementation's pass on that sample alone.

    Raises:
        InputError: unknown case, mode, or a sample index outside the batch.
    """
    from compare.data.cases import get_case
    from compare.parity.harness import evaluate_with, reference_for
    from core.errors import InputError
    from core.normalization import check_mode
    from core.validate import prepare

    check_mode(mode)
    case = get_case(case, seed) if isinstance(case, str) else case
    params, X, y = prepare(case.spec, case.params, case.X, case.y, DTYPE)
    if not 0 <= sample < X.shape[0]:
        raise InputError(f"--sample {sample + 1}: {case.name} has samples 1..{X.shape[0]}")
    frameworks = registry.with_reference(frameworks)
    traces = {fw: evaluate_with(fw, case.spec, params, X, y, DTYPE, mode) for fw in frameworks}
    if case.name == "worked-2-2-2":
        return case, worked_example_steps(case, traces)
    scratch = registry.get(REFERENCE).evaluate
    references = {fw: reference_for(t, traces[REFERENCE], scratch, params, X, y, DTYPE) for fw, t in traces.items()}
    alone = None
    if X.shape[0] > 1 and not (case.spec.mode_dependent and mode == "train"):  # one row alone is another batch there
        row = slice(sample, sample + 1)
        alone = {fw: evaluate_with(fw, case.spec, params, X[row], y[row], DTYPE, mode) for fw in frameworks}
    return case, layer_steps(case, traces, sample, references, alone)
