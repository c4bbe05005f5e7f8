"""A picture of the network, as the worked-example figures draw it: ``explain CASE --plot FILE``.

Two panels of one sample's pass (scratch's Trace, float64):

- forward: a node per unit with its z and a (the inputs with x), an edge per weight labelled
  with W_l[j, k] (the weight from unit k of layer l-1 to unit j of layer l, the lectures' w^l_jk),
  each unit's bias under it;
- backward: the same nodes with delta_l (dL/dz_l of this sample), the edges labelled with the
  gradient dL/dW_l[j, k] of the batch.

Edge width grows with |value|; blue is positive, orange negative (from matplotlib's
colour-blind-safe ``tableau-colorblind10``). The edges' numbers are printed for nets of at most
:data:`EDGES_LABELLED` units a layer (the lecture examples), the nodes' numbers up to
:data:`LABELLED`; wider nets are drawn by width and colour alone.
Sized for a slide (13 x 5.5 inches).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.trace import Trace

POSITIVE, NEGATIVE = "#006BA4", "#C85200"
LABELLED = 6  # the most units in a layer for which the nodes' numbers are printed
EDGES_LABELLED = 3  # the most units in a layer for which the edges' numbers are printed
WIDEST_EDGE = 4.0  # points, for the largest |value| of a panel
NODE_SIZE = 1500  # a node's marker area, points squared (a radius of about 22 points)
NODE_OFFSET = 24  # points from a node's centre to the top of its numbers, below it


def _centred(sizes: tuple[int, ...]) -> dict[tuple[int, int], tuple[float, float]]:
    """(layer, unit) -> (x, y): layers left to right, each layer's units top to bottom around y = 0."""
    return {(layer, unit): (float(layer), (n - 1) / 2 - unit) for layer, n in enumerate(sizes) for unit in range(n)}


def unit_name(layer: int, unit: int, n_layers: int) -> str:
    """``x1`` for inputs, ``h1`` (or ``h2_1`` with several hidden layers) for hidden units, ``o1`` for outputs."""
    if layer == 0:
        return f"x{unit + 1}"
    if layer == n_layers:
        return f"o{unit + 1}"
    return f"h{unit + 1}" if n_layers == 2 else f"h{layer}_{unit + 1}"


def _panel(ax: Any, trace: Trace, edges: dict[int, np.ndarray], nodes: dict[tuple[int, int], str], title: str) -> None:
    sizes = trace.spec.sizes
    where = _centred(sizes)
    labelled, edges_labelled = max(sizes) <= LABELLED, max(sizes) <= EDGES_LABELLED
    largest = max(float(np.max(np.abs(values))) for values in edges.values()) or 1.0
    for layer, values in edges.items():
        for j in range(values.shape[0]):
            for k in range(values.shape[1]):
                (x0, y0), (x1, y1) = where[(layer - 1, k)], where[(layer, j)]
                value = float(values[j, k])
                ax.plot(
                    [x0, x1],
                    [y0, y1],
                    color=POSITIVE if value >= 0 else NEGATIVE,
                    linewidth=0.5 + WIDEST_EDGE * abs(value) / largest,
                    zorder=1,
                    gid=f"edge W{layer}[{j},{k}]",
                )
                if edges_labelled:  # between 35% and 65% of the way back from the target: one node's edge labels part
                    t = 0.35 + 0.3 * (k / (values.shape[1] - 1)) if values.shape[1] > 1 else 0.5
                    ax.text(
                        x1 + (x0 - x1) * t,
                        y1 + (y0 - y1) * t,
                        f"{value:.4g}",
                        fontsize=8,
                        ha="center",
                        va="center",
                        bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
                        zorder=3,
                    )
    for (layer, unit), (x, y) in where.items():
        ax.scatter([x], [y], s=NODE_SIZE, facecolors="white", edgecolors="black", linewidths=1.2, zorder=4)
        name = unit_name(layer, unit, trace.spec.n_layers)
        ax.text(x, y, name, fontsize=10, ha="center", va="center", weight="bold", zorder=5)
        if labelled and (layer, unit) in nodes:
            ax.annotate(
                nodes[(layer, unit)],
                (x, y),
                xytext=(0, -NODE_OFFSET),
                textcoords="offset points",
                fontsize=8,
                ha="center",
                va="top",
                bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
                zorder=5,
            )
    ax.set_title(title, fontsize=11)
    ax.set_xlim(-0.5, len(sizes) - 0.5)
    tallest = max(sizes)
    ax.set_ylim(-(tallest - 1) / 2 - 0.9, (tallest - 1) / 2 + 0.5)
    ax.axis("off")


def plot_network(trace: Trace, name: str, sample: int = 0, params: dict[str, np.ndarray] | None = None):
    """Figure: the forward panel (weights, z, a, biases) and the backward panel (gradients, delta) of one sample.

    Args:
        trace: scratch's float64 Trace of the batch (z, a, delta per sample; grads of the batch).
        name: the case's name, for the title.
        sample: which sample's z, a and delta to show (0-based).
        params: the weights drawn on the forward panel's edges and the biases under its nodes
            (canonical layout: ``W_l`` ``(n_l, n_{l-1})``, ``b_l`` ``(n_l,)``).
    """
    from matplotlib.figure import Figure

    params = params or {}
    L = trace.spec.n_layers
    fig = Figure(figsize=(13, 5.5))
    forward_ax, backward_ax = fig.subplots(1, 2)
    forward_nodes = {(0, k): f"x = {trace.a[0][sample, k]:.4g}" for k in range(trace.spec.sizes[0])}
    backward_nodes: dict[tuple[int, int], str] = {}
    for layer in range(1, L + 1):
        for j in range(trace.spec.sizes[layer]):
            bias = f"\nb = {params[f'b{layer}'][j]:.4g}" if f"b{layer}" in params else ""
            forward_nodes[(layer, j)] = f"z = {trace.z[layer][sample, j]:.4g}\na = {trace.a[layer][sample, j]:.4g}{bias}"
            if layer in trace.delta:
                backward_nodes[(layer, j)] = f"delta = {trace.delta[layer][sample, j]:.4g}"
    weights = {layer: np.asarray(params[f"W{layer}"]) for layer in range(1, L + 1) if f"W{layer}" in params}
    gradients = {layer: np.asarray(trace.grads[f"W{layer}"]) for layer in range(1, L + 1)}
    m = trace.a[0].shape[0]
    _panel(forward_ax, trace, weights or gradients, forward_nodes, f"forward pass, sample {sample + 1} of {m}: W, z, a, b")
    _panel(backward_ax, trace, gradients, backward_nodes, f"backward pass: dL/dW of the batch, delta of sample {sample + 1}")
    fig.suptitle(f"{name}  [{trace.spec}]   loss {trace.loss:.6g}   (blue > 0, orange < 0; width ~ |value|)", fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 0.94))  # the suptitle above the panels' titles
    return fig
