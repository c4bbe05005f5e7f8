"""Ticks a reader can read on a matplotlib log axis, whatever range its data spans.

matplotlib's default log axis labels only the powers of ten: a loss falling from 1.5 to 0.6
gets one label (10^0), a range inside one decade none. :func:`log_ticks` picks the ticks
from the range the axis shows once the data are drawn:

- under one decade: 4 to 8 evenly spaced round values (``MaxNLocator``; over so short a range
  a log axis is nearly linear), all labelled: 0.6, 0.7, ... 1.5;
- one to three decades: 1, 2 and 5 times each power of ten, all labelled;
- wider: the powers of ten (``LogLocator`` thins them past about ten), labelled 10^k, with
  unlabelled minor ticks between them.

Labels are plain decimals from 0.001 to 9,999 (``0.65``, ``20``) and ``m×10^k`` outside
(mathtext, drawn by matplotlib itself); on an axis wider than three decades every label is a
power of ten, so the labels read alike. Source: matplotlib's ``matplotlib.ticker`` docs
(``LogLocator``, ``MaxNLocator``, ``FuncFormatter``).
"""

from __future__ import annotations

import math
from typing import Any

PLAIN = (1e-3, 1e4)  # labels in this range are written as decimals, outside it as m x 10^k


def label(value: float, plain: bool = True) -> str:
    r"""The tick label of ``value`` (> 0): ``0.65``, ``20``, ``$2\times10^{-5}$``, ``$10^{-12}$``.

    ``plain``: decimals inside :data:`PLAIN` (False: every label as a power of ten, as on a wide axis).
    """
    if plain and PLAIN[0] <= value < PLAIN[1]:
        return f"{value:.4g}"
    exponent = math.floor(math.log10(value))
    mantissa = round(value / 10.0**exponent, 3)
    if mantissa >= 10:  # 9.9996e-6 rounds up to 10 x 10^-6
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"$10^{{{exponent}}}$" if mantissa == 1 else f"${mantissa:g}\\times10^{{{exponent}}}$"


def log_ticks(axis: Any) -> None:
    """Set ``axis`` (``ax.xaxis`` or ``ax.yaxis``, already on a log scale, its data drawn) to readable ticks.

    Call it after the last artist is added: the choice depends on the range shown then.
    Raises ValueError when the axis is not on a log scale.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter, NullLocator

    if axis.get_scale() != "log":
        raise ValueError(f"log_ticks: expected an axis on a log scale, got scale {axis.get_scale()!r}")
    ax = axis.axes
    low, high = sorted(ax.get_xlim() if axis is ax.xaxis else ax.get_ylim())
    decades = math.log10(high / low) if low > 0 else math.inf
    if decades < 1:
        axis.set_major_locator(MaxNLocator(nbins=7, steps=[1, 2, 2.5, 5, 10], min_n_ticks=4))
        axis.set_minor_locator(NullLocator())
    elif decades <= 3:
        axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        axis.set_minor_locator(NullLocator())
    else:
        axis.set_major_locator(LogLocator(base=10, subs=(1.0,), numticks=11))
        axis.set_minor_locator(LogLocator(base=10, subs=tuple(range(2, 10)), numticks=11))
        axis.set_minor_formatter(NullFormatter())
    plain = decades <= 3
    axis.set_major_formatter(FuncFormatter(lambda value, _: label(value, plain) if value > 0 else ""))
