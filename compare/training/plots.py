"""PNG plots of a training run, drawn headless (matplotlib Figures outside pyplot, no display needed).

Each ``plot_*`` function returns the Figure, so tests can read its data; ``write_plots`` saves them.

- ``loss.png``: every implementation's loss history on a log scale, overlaid
  (identical trajectories draw on top of each other; line styles differ so all stay visible).
- ``divergence.png``: per recorded step, the largest relative parameter difference
  of each framework from scratch, on a log scale, with the dtype's rtol.
- ``boundary.png`` (2-D inputs, classification): each implementation's decision
  regions from its own final parameters and its own forward pass, side by side, with the data,
  the features' names (and units) on the axes and a legend naming the classes.

Colours: matplotlib's ``tableau-colorblind10`` palette (Tableau's colour-blind-safe set), one
colour per class; log axes get ticks that read at any span (compare.log_ticks: a loss from
1.5 to 0.6 is labelled 0.6, 0.8, ... 1.4, not only 10^0).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

from compare import registry
from compare.log_ticks import log_ticks
from compare.parity.harness import REFERENCE, evaluate_with
from compare.parity.tolerances import tolerance_for
from compare.training.run import TrainingRun, divergences
from core.normalization import INFERENCE

ZERO_FLOOR = 1e-18  # exact agreement (a difference of 0) is drawn here: log axes have no 0
GRID = 200  # decision-boundary grid points per axis
REGION_ALPHA = 0.3  # a class's region: its colour, faded; its points: the colour itself


def class_colours(n: int) -> list[str]:
    """``n`` colours from matplotlib's ``tableau-colorblind10`` style, class k the k-th (repeating after 10)."""
    import matplotlib.style

    cycle = [entry["color"] for entry in matplotlib.style.library["tableau-colorblind10"]["axes.prop_cycle"]]
    return [cycle[k % len(cycle)] for k in range(n)]


def _figure(figsize: tuple[float, float]):
    """A matplotlib Figure outside pyplot: no global state, no display, nothing to close (PNG via Agg on save)."""
    from matplotlib.figure import Figure

    return Figure(figsize=figsize)


def _title(run: TrainingRun) -> str:
    mode = "framework defaults" if run.framework_defaults else f"eta {run.hyper.learning_rate:g}"
    batch = "full batch" if run.batch_size is None else f"batch {run.batch_size}"
    return f"{run.name} [{run.case.spec}] {run.optimizer}, {mode}, {batch}, {run.dtype}"


def plot_loss(run: TrainingRun):
    """Figure: the loss history of every implementation (one line each, labelled by name) against step, log-scale y."""
    fig = _figure((7, 4.5))
    ax = fig.subplots()
    own = {fw: result.steps_per_epoch for fw, result in run.results.items() if result.steps_per_epoch}
    for framework, result in run.results.items():
        if own:  # a run chose its own batches (fit's defaults): every curve against the epochs completed
            per_epoch = result.steps_per_epoch or run.schedule.steps_per_epoch
            x = (np.array(result.steps) - 1) / per_epoch  # the loss at the start of step k: k - 1 steps taken
            label = f"{framework} ({per_epoch} step{'s' if per_epoch > 1 else ''} per epoch)"
        else:
            x, label = np.array(result.steps), framework
        ax.plot(x, result.loss_history, label=label, **registry.get(framework).style)
    ax.set_yscale("log")
    ax.set_xlabel("epochs completed ((k - 1) / steps per epoch)" if own else "step k")
    ax.set_ylabel("batch loss at the start of step k")
    ax.set_title(_title(run), fontsize=9)
    ax.legend()
    log_ticks(ax.yaxis)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    return fig


def plot_divergence(run: TrainingRun):
    """Figure: max |theta_fw - theta_scratch| / |theta_scratch| per recorded step, log-scale y, and the dtype's rtol.

    One line per framework, labelled ``"<framework> vs scratch"``; 0 is drawn at ZERO_FLOOR.
    """
    fig = _figure((7, 4.5))
    ax = fig.subplots()
    for framework, divergence in divergences(run).items():  # none for a run on other steps (fit's own batches)
        steps = run.results[framework].steps
        ax.plot(steps, np.maximum(divergence, ZERO_FLOOR), label=f"{framework} vs scratch", **registry.get(framework).style)
    ax.axhline(tolerance_for(run.dtype).rtol, color="red", linewidth=1, label=f"rtol {run.dtype}")
    ax.set_yscale("log")
    ax.set_xlabel("step k")
    ax.set_ylabel("max relative parameter difference after step k")
    ax.set_title(
        _title(run) + "\nmax over parameters of |theta - theta_scratch| / |theta_scratch|; it spikes where a parameter\n"
        f"passes near 0 (a tiny |theta_scratch|); a difference of exactly 0 is drawn at {ZERO_FLOOR:g}",
        fontsize=8,
        wrap=True,
    )
    ax.legend()
    log_ticks(ax.yaxis)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    return fig


def can_plot_boundary(run: TrainingRun) -> bool:
    """2 input features and a classification loss (bce or cce)."""
    return run.case.spec.sizes[0] == 2 and run.case.spec.loss in ("bce", "cce")


def predicted_class(run: TrainingRun, framework: str, points: np.ndarray) -> np.ndarray:
    """Class of each point under ``framework``'s final parameters, by its own forward pass (in inference mode)."""
    spec = run.case.spec
    dummy = np.zeros(len(points), dtype=np.int64)  # targets are required by evaluate; label 0 is valid for bce and cce
    params = run.results[framework].final_params
    output = evaluate_with(framework, spec, params, points, dummy, run.dtype, INFERENCE).output
    return (output[:, 0] > 0.5).astype(int) if spec.loss == "bce" else np.argmax(output, axis=1)


def plot_boundary(run: TrainingRun):
    """Figure: one subplot per implementation, in ``run.results`` order, with its decision regions.

    Each region is a filled contour with one level band per class; the training data is
    scattered on top, coloured by class.
    """
    from matplotlib.patches import Patch

    X, y = run.case.X, np.asarray(run.case.y).reshape(-1)
    margin = 0.1 * (X.max(axis=0) - X.min(axis=0))
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], GRID), np.linspace(lo[1], hi[1], GRID))
    points = np.c_[g0.ravel(), g1.ravel()]
    frameworks = list(run.results)
    n_classes = max(2, run.case.spec.sizes[-1])
    names = run.case.classes or tuple(f"class {k}" for k in range(n_classes))
    features = run.case.features or ("input 1", "input 2")
    colours = class_colours(n_classes)
    fig = _figure((4.2 * len(frameworks), 4.6))
    axes = fig.subplots(1, len(frameworks), squeeze=False)
    for ax, framework in zip(axes[0], frameworks, strict=True):
        regions = predicted_class(run, framework, points).reshape(g0.shape)
        levels = np.arange(n_classes + 1) - 0.5
        ax.contourf(g0, g1, regions, levels=levels, colors=colours, alpha=REGION_ALPHA)
        ax.scatter(X[:, 0], X[:, 1], c=[colours[int(k)] for k in y], s=10, edgecolors="k", linewidths=0.3)
        accuracy = run.results[framework].accuracy
        ax.set_title(f"{framework}: accuracy {accuracy:.3f}", fontsize=9)
        ax.set_xlim(lo[0], hi[0])
        ax.set_ylim(lo[1], hi[1])
        ax.set_xlabel(features[0])
        ax.set_ylabel(features[1])
    handles = [Patch(facecolor=colours[k], edgecolor="k", label=names[k]) for k in range(n_classes)]
    fig.legend(handles=handles, loc="lower center", ncol=n_classes, fontsize=8, frameon=False)
    fig.suptitle(_title(run), fontsize=9, wrap=True)  # wraps within a one-panel figure
    fig.tight_layout(rect=(0, 0.06, 1, 1))  # room for the class legend below the panels
    return fig


def plot_learning_rate(run: TrainingRun):
    """Figure: the eta each implementation used at every step k (one line each), with the schedule in the title."""
    fig = _figure((7, 4.5))
    ax = fig.subplots()
    for framework, result in run.results.items():
        steps = np.arange(1, len(result.learning_rates) + 1)
        ax.plot(steps, result.learning_rates, label=framework, **registry.get(framework).style)
    for framework, k in run.eta_differs_at.items():
        ax.axvline(k, color="red", linewidth=1, linestyle=":", label=f"{framework}: eta first differs at step {k}")
    ax.set_xlabel("step k")
    ax.set_ylabel("learning rate eta used by step k")
    ax.set_title(_title(run) + "\n" + run.schedule.describe(), fontsize=9)
    ax.legend()
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    return fig


def plot_validation(run: TrainingRun):
    """Figure: the validation loss after each epoch for every implementation, the best and stopping epochs marked."""
    fig = _figure((7, 4.5))
    ax = fig.subplots()
    for framework, result in run.results.items():
        epochs = np.arange(1, len(result.validation_losses) + 1)
        ax.plot(epochs, result.validation_losses, label=framework, **registry.get(framework).style)
    reference = run.results[REFERENCE]
    if reference.best_epoch is not None:
        best = reference.validation_losses[reference.best_epoch - 1]
        ax.plot([reference.best_epoch], [best], "o", color="black", label=f"best epoch {reference.best_epoch} (scratch)")
    if reference.stopped_epoch is not None:
        ax.axvline(reference.stopped_epoch, color="red", linewidth=1, label=f"stopped after epoch {reference.stopped_epoch}")
    ax.set_xlabel("epoch")
    ax.set_ylabel(f"loss on the {run.validation_rows.size if run.validation_rows is not None else 0} validation rows")
    ax.set_title(_title(run) + "\nvalidation loss after each epoch (inference mode, no penalty)", fontsize=9)
    ax.legend()
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    return fig


def write_plots(run: TrainingRun, directory: str | Path, prefix: str) -> list[Path]:
    """All plots that apply to ``run``, as ``directory/prefix-{loss,divergence,boundary,learning_rate,validation}.png`` (100 dpi).

    Each file written is announced on stderr (``wrote PATH``), so a run's outputs are never silent.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind, fig in figures_for(run).items():
        paths.append(directory / f"{prefix}-{kind}.png")
        fig.savefig(paths[-1], dpi=100)
        sys.stderr.write(f"wrote {paths[-1]}\n")
    return paths


def figures_for(run: TrainingRun) -> dict[str, Any]:
    """Every plot that applies to ``run``, by kind: loss, divergence, boundary, learning_rate, validation (in that order)."""
    figures = {"loss": plot_loss(run)}
    if len(run.results) > 1:
        figures["divergence"] = plot_divergence(run)
    if can_plot_boundary(run):
        figures["boundary"] = plot_boundary(run)
    if not run.schedule.constant:
        figures["learning_rate"] = plot_learning_rate(run)
    if run.validation_rows is not None:
        figures["validation"] = plot_validation(run)
    return figures
