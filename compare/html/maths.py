"""The project's plain-text maths as MathML, for the HTML reports.

The reports and ``explain`` write equations in a plain notation a terminal shows
(``z^[1]_2 = w^[1]_21 a^[0]_1 + b^[1]_2``, ``theta <- theta - eta g / (sqrt(r) + eps)``,
``1/(1+e^-net_h1)``). :func:`to_latex` reads that notation into LaTeX; latex2mathml
(a library) turns the LaTeX into MathML, which browsers draw without fetching anything.

The notation, as the rest of the project writes it:

- ``x^[l]_jk``: layer l in brackets (the lectures' superscript [l]), then unit subscripts;
- ``name_sub`` (``net_h1``, ``E_total``, ``m_hat``): a subscript, or a hat for ``_hat``;
- ``e^(...)``, ``e^-x``, ``g^2``, ``A^T``: powers and the transpose;
- ``sqrt(...)``, ``sum_k``, ``max``, ``log``; ``<-`` an assignment; ``*`` a product;
- Greek letters by name (eta, mu, rho, delta, ...); ``eps`` is epsilon;
- English words (``sample 1 of 300``, ``the mean of``) are text; a parenthesised
  remark with words in it is one piece of text.
"""

from __future__ import annotations

import re

__all__ = ["mathml", "split_remarks", "to_latex"]

GREEK = {
    "alpha": r"\alpha",
    "beta": r"\beta",
    "gamma": r"\gamma",
    "delta": r"\delta",
    "eps": r"\epsilon",
    "epsilon": r"\epsilon",
    "eta": r"\eta",
    "theta": r"\theta",
    "lambda": r"\lambda",
    "mu": r"\mu",
    "rho": r"\rho",
    "sigma": r"\sigma",
}
FUNCTIONS = {"log": r"\log\,", "max": r"\max", "min": r"\min", "exp": r"\exp\,", "sum": r"\sum"}
NAMED = {"sqrt", "hat", "relu", "tanh", "sigmoid", "softmax", "leaky_relu", "net", "out", "target", "probs", "onehot", "sgn"}
SYMBOLS = {"<-": r"\leftarrow", "*": r"\cdot", "->": r"\rightarrow", "<=": r"\le", ">=": r"\ge", "!=": r"\ne"}
TEXT_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}[:,;]?|[a-z]{2}|[A-Z]{2,}\d*:?|\d+[a-z]+|L\d+:?")
TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d+)?(?:e[-+]?\d+)?)
  | (?P<symbol><-|->|<=|>=|!=|[-+*/=<>,;:|^_()\[\]{}'])
  | (?P<name>[A-Za-z][A-Za-z0-9]*(?:_(?:[A-Za-z0-9]+))*(?:\^\[[A-Za-z0-9+-]+\])?(?:_[A-Za-z0-9]+)?)
  | (?P<other>.)
    """,
    re.X,
)
POWER = re.compile(r"-?(?:[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*(?:\^\[[A-Za-z0-9+-]+\])?(?:_[A-Za-z0-9]+)?|[0-9.]+)")
NAME = re.compile(r"(?P<base>[A-Za-z][A-Za-z0-9]*?)(?P<subs>(?:_[A-Za-z0-9]+)*)(?:\^\[(?P<layer>[^\]]+)\])?(?:_(?P<unit>\w+))?$")


def _base(base: str, subs: str) -> tuple[str, list[str]]:
    """The LaTeX of a name's base (``w``, ``net``, ``zhat``, ``dgamma``) and the subscripts left after it."""
    pieces = [p for p in subs.split("_") if p and p != "hat"]
    if base + subs in ("running_mean", "running_var"):  # batch norm's running averages: one name
        return r"\text{" + base + subs + "}", []
    if base.endswith("hat") and len(base) > 3:  # zhat: the normalised z
        return rf"\hat{{{base[:-3]}}}", pieces
    if base.startswith("d") and base[1:] in GREEK:  # dgamma, dbeta: a gradient
        return rf"\mathrm{{d}}{GREEK[base[1:]]}", pieces
    if base in GREEK or base in FUNCTIONS:
        return GREEK.get(base) or FUNCTIONS[base], pieces
    if len(base) == 2 and base[1].isdigit():  # b1, W2: a letter and its number
        return f"{base[0]}_{{{base[1]}}}", pieces
    return (rf"\mathrm{{{base}}}" if len(base) > 1 else base), pieces


def _identifier(text: str) -> str:
    r"""``w^[1]_21`` -> ``w_{21}^{[1]}``; ``net_h1`` -> ``\mathrm{net}_{h1}``; ``m_hat`` -> ``\hat{m}``."""
    match = NAME.match(text)
    assert match is not None, text  # TOKEN's name pattern is a subset of NAME
    latex, pieces = _base(match["base"], match["subs"])
    if "hat" in match["subs"].split("_"):
        latex = rf"\hat{{{latex}}}"
    subscript = [*pieces, *([match["unit"]] if match["unit"] else [])]
    if subscript:
        latex = f"{{{latex}}}_{{{','.join(subscript)}}}"
    if match["layer"] is not None:  # x_j^[l]: one msubsup, the layer above the unit
        latex += f"^{{[{match['layer']}]}}"
    return latex


def _text(words: str) -> str:
    return r"\text{" + words.replace("\\", "").replace("{", "(").replace("}", ")") + "}"


def _remark_end(text: str, start: int) -> int | None:
    """Where the parenthesised group at ``start`` closes, when it holds English words (a remark), else None."""
    try:
        inner, end = _group(text, start)
    except ValueError:  # unclosed: not a remark (the equation reader names the error)
        return None
    words = [w for w in re.split(r"[\s(),=:]+", inner) if w]
    return end if "^[" not in inner and any(_is_word(w) for w in words) else None  # words, and no layer's symbol


def _is_word(token: str) -> bool:
    """A word of English (or a lecture's name) rather than a symbol: ``sample``, ``the``, ``ED5340``, ``L26:``."""
    core = token.rstrip(":,;")
    if core in GREEK or core in FUNCTIONS or core in NAMED or "_" in core or "^" in core:
        return False
    if core in ("of", "is", "at", "if", "on", "to", "in", "or", "by", "as", "an"):
        return True
    return TEXT_WORD.fullmatch(token) is not None and not (len(core) == 2 and core[1].isdigit() and core[0] != "L")


def split_remarks(text: str) -> tuple[str, list[str]]:
    """``text`` without its trailing parenthesised remarks, and the remarks (``(sample 1 of 300)``), in order.

    A page shows the remarks as text beside the equation, where they can wrap.
    """
    remarks: list[str] = []
    colon = text.rfind(": ")
    rest = text[colon + 2 :]
    outside = text[:colon].count("(") == text[:colon].count(")")  # not inside a parenthesised remark
    if colon > 0 and outside and "^[" not in rest and any(_is_word(w) for w in rest.split()):
        text, remarks = text[:colon], [rest]  # "...: a dropped unit passes nothing back"
    while True:
        body = text.rstrip()
        if not body.endswith(")"):
            return body, remarks
        depth = 0
        for start in range(len(body) - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(body[start], 0)
            if depth == 0:
                break
        if depth != 0 or start == 0 or _remark_end(body, start) != len(body):
            return body, remarks
        remarks.insert(0, body[start:])
        text = body[:start]


def to_latex(text: str) -> str:
    """The plain notation ``text`` as LaTeX (see the module docstring for the notation).

    Raises:
        ValueError: unbalanced parentheses in ``sqrt(...)`` or ``e^(...)``.
    """
    if re.fullmatch(r"\S+\+", text):  # w5+, b^[2]_1+: the value after the update
        return f"{{{to_latex(text[:-1])}}}^{{+}}"
    out: list[str] = []
    i = 0
    words: list[str] = []

    def flush() -> None:
        if words:
            out.append(_text(" " + " ".join(words) + " "))
            words.clear()

    while i < len(text):
        if text[i] == "(" and (end := _remark_end(text, i)) is not None:
            flush()
            out.append(_text(" " + text[i:end] + " "))
            i = end
            continue
        match = TOKEN.match(text, i)
        assert match is not None  # "other" matches any one character
        kind, token = match.lastgroup or "other", match.group()
        i = match.end()
        if kind == "space":
            continue
        if (kind == "name" and _is_word(token)) or (kind == "number" and words and _next_is_word(text, i)):
            words.append(token)  # a word, or a number between words ("sample 1 of 300"): text
            continue
        flush()
        latex, i = _piece(text, i, kind, token)
        out.append(latex)
    flush()
    return "".join(out).strip()


def _piece(text: str, i: int, kind: str, token: str) -> tuple[str, int]:
    """The LaTeX of one math token that ended at ``i`` (with its argument for ``sqrt`` and ``^``), and where it ends."""
    if kind == "name" and token == "sqrt" and text.startswith("(", i):
        inner, i = _group(text, i)
        return rf"\sqrt{{{to_latex(inner)}}}", i
    if kind == "symbol" and token == "^":
        if text.startswith("(", i):
            inner, i = _group(text, i)
        else:
            power = POWER.match(text, i)
            inner, i = (power.group(), power.end()) if power else ("", i)
        return f"^{{{'T' if inner == 'T' else to_latex(inner)}}}", i
    if kind == "name":
        return _identifier(token) + " ", i
    if kind == "symbol":
        return SYMBOLS.get(token, {"{": r"\{", "}": r"\}", "_": r"\_"}.get(token, token)) + " ", i
    if kind == "number":
        return token + " ", i
    return _text(token), i


def _next_is_word(text: str, i: int) -> bool:
    rest = text[i:].lstrip()
    match = TOKEN.match(rest)
    return match is not None and match.lastgroup == "name" and _is_word(match.group())


def _group(text: str, start: int) -> tuple[str, int]:
    """The inside of the parenthesised group at ``start`` and the index after it."""
    depth = 0
    for i in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return text[start + 1 : i], i + 1
    raise ValueError(f"equation: expected a closing parenthesis for the one at {start}, got {text!r}")


def mathml(text: str, display: bool = False) -> str:
    """The plain-notation equation ``text`` as a ``<math>`` element (MathML Core, which Chromium and Firefox draw).

    Raises:
        ValueError: text the notation cannot read (unbalanced parentheses).
    """
    from latex2mathml.converter import convert

    return convert(to_latex(text), display="block" if display else "inline")
