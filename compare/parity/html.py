"""``python -m compare --format html``: the parity report as one self-contained HTML page.

The page holds what the text report holds (the same rich table, exported by rich), the
equations every implementation computes (MathML), and a plot of each framework's worst
relative error per case against the dtype's tolerance (inline SVG).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from compare.html.page import Equation, Section, page, recorded, svg
from compare.log_ticks import log_ticks
from compare.parity.harness import REFERENCE, CaseResult
from compare.parity.tolerances import tolerance_for
from core.losses import LOSSES

__all__ = ["equations", "plot_errors", "render"]

ZERO_FLOOR = 1e-18  # an error of exactly 0 is drawn here: a log axis has no 0

FORWARD = (
    Equation("z^[l] = W^[l] a^[l-1] + b^[l]", "ED5340 L26, per sample; batch-first rows: Z = A W^T + b"),
    Equation("a^[l] = g^[l](z^[l])", "ED5340 L25: g the layer's activation"),
)
BACKWARD = (
    Equation("delta^[L] = dl/dz^[L]", "the output delta of the loss, e.g. ED5340 L26: dZ = A - Y"),
    Equation("delta^[l] = (W^[l+1])^T delta^[l+1] * g'(z^[l])", "CS60050 backprop; * is element by element"),
    Equation("dW^[l] = (1/m) sum_i delta^[l] (a^[l-1])^T", "ED5340 L26: (1/m) dZ A^T"),
    Equation("db^[l] = (1/m) sum_i delta^[l]", "ED5340 L26: (1/m) sum dZ"),
)


def equations(results: Sequence[CaseResult]) -> list[Equation]:
    """The forward pass, each loss the cases use (per sample, then the mean), and back-propagation."""
    losses = dict.fromkeys(r.spec.loss for r in results)
    per_sample = [Equation(f"l = {LOSSES[name].per_sample}", f"{name}: {LOSSES[name].source}") for name in losses]
    mean = Equation("L = (1/m) sum_i l_i", "every loss: the mean of l over the m samples")
    return [*FORWARD, *per_sample, mean, *BACKWARD]


def plot_errors(results: Sequence[CaseResult]) -> Any:
    """Figure: each framework's worst max relative error per case and dtype, log scale, and each dtype's rtol."""
    from matplotlib.figure import Figure

    from compare import registry

    rows = [r for r in results if len(r.traces) > 1]
    fig = Figure(figsize=(9, 0.35 * max(len(rows), 4) + 1.6))
    ax = fig.subplots()
    frameworks = list(dict.fromkeys(fw for r in rows for fw in r.traces if fw != REFERENCE))
    for k, framework in enumerate(frameworks):
        ys, xs = [], []
        for i, r in enumerate(rows):
            checks = r.checks_for(framework)
            if checks:
                errors = [c.max_rel_err for c in checks if np.isfinite(c.max_rel_err)]
                ys.append(i + (k - (len(frameworks) - 1) / 2) * 0.12)
                xs.append(max(max(errors, default=0.0), ZERO_FLOOR))
        style = registry.get(framework).style
        ax.plot(xs, ys, linestyle="none", marker="o", color=style.get("color"), label=framework)
    for dtype in dict.fromkeys(r.dtype for r in rows):
        ax.axvline(tolerance_for(dtype).rtol, color="0.4", linestyle="--", linewidth=1, label=f"rtol {dtype}")
    ax.set_xscale("log")
    ax.set_yticks(range(len(rows)), [f"{r.name} {r.dtype}" + (f" {r.mode}" if r.spec.mode_dependent else "") for r in rows])
    ax.invert_yaxis()
    ax.set_xlabel("worst max relative error against scratch over output, loss and gradients")
    ax.set_title(f"an error of exactly 0 is drawn at {ZERO_FLOOR:g}", fontsize=9)
    ax.legend(loc="lower right", fontsize=8)
    log_ticks(ax.xaxis)
    ax.grid(True, which="major", axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def render(results: Sequence[CaseResult], threads: Mapping[str, Any] | None = None) -> str:
    """The parity report as an HTML document."""
    from compare.parity.report import render_table

    passed = sum(r.passed for r in results)
    table = recorded(lambda out: render_table(results, out=out, threads=threads))
    sections = [
        Section("What every implementation computes", equations=equations(results)),
        Section("Parity against scratch", blocks=[table]),
    ]
    if any(len(r.traces) > 1 for r in results):
        caption = "each framework's worst relative error per case; the dashed lines are the tolerances"
        sections.insert(1, Section("Worst error per case", figures=[(caption, svg(plot_errors(results)))]))
    # the table's own last lines name the versions, the implementations and the threads
    return page(
        "Parity against scratch",
        sections,
        summary=[f"{passed} of {len(results)} runs agree with scratch (forward, loss and gradients)"],
    )
