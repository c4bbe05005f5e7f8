"""``python -m compare train --format html``: the training report as one self-contained HTML page.

The update rule of each optimizer that ran (MathML, with its source), each run's plots
(compare.training.plots: loss, divergence from scratch, decision regions, eta, validation
loss) as inline SVG, and the text report's tables exported by rich.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from compare.training.run import TrainingRun

__all__ = ["render"]

CAPTIONS = {
    "loss": "the loss of every implementation, recorded steps",
    "divergence": "each framework's largest relative parameter difference from scratch after each recorded step",
    "boundary": "each implementation's decision regions from its own final parameters",
    "learning_rate": "the learning rate each implementation used at each step",
    "validation": "the validation loss after each epoch",
}


def render(runs: Sequence[TrainingRun], threads: Mapping[str, Any] | None = None) -> str:
    """The training runs as an HTML document."""
    from compare.html.page import Equation, Section, page, recorded, svg
    from compare.training.command import render_table
    from compare.training.plots import figures_for
    from core.optimizers import OPTIMIZERS

    optimizers = dict.fromkeys(run.optimizer for run in runs)
    rules = [Equation(OPTIMIZERS[name].rule, f"{name}: {OPTIMIZERS[name].source}") for name in optimizers]
    gradient = Equation("g = dL/d theta", "the gradient of the batch's mean loss (plus the L2 term with --l2)")
    sections = [Section("Update rules", lines=["theta is every W and b; one step per batch"], equations=[gradient, *rules])]
    for run in runs:
        figures = [(CAPTIONS[kind], svg(figure)) for kind, figure in figures_for(run).items()]
        sections.append(Section(f"{run.name} {run.optimizer} {run.dtype}", figures=figures))
    sections.append(Section("Report", blocks=[recorded(lambda out: render_table(runs, out=out, threads=threads))]))
    agree = sum(run.passed for run in runs)
    return page("Training against scratch", sections, summary=[f"{agree} of {len(runs)} training runs agree with scratch"])
