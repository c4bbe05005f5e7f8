"""--plot: the figures hold the run's data (read back from the matplotlib objects), and the PNGs are real images."""

import numpy as np
import pytest
from matplotlib.colors import to_rgb

from compare import registry
from compare.data.cases import get_case
from compare.parity.tolerances import tolerance_for
from compare.training.plots import ZERO_FLOOR, class_colours, plot_boundary, plot_divergence, plot_loss, write_plots
from compare.training.run import run_training

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# the frameworks that run in this process: the plots draw whatever a run holds, and a Keras backend
# in a worker process of its own would only add its start-up to every pytest worker
PLOTTED = [fw for fw in registry.OTHERS if registry.get(fw).runs_here()]


@pytest.fixture(scope="module")
def spiral_run():
    """torch and Keras with their own Adam defaults (eta given): parameter differences well above 0 to plot."""
    return run_training(
        get_case("spiral-2-4-3"),
        optimizer="adam",
        dtype="float64",
        frameworks=PLOTTED,
        steps=30,
        every=3,
        learning_rate=0.01,
        framework_defaults=True,
    )


@pytest.fixture(scope="module")
def spiral_plots(spiral_run, tmp_path_factory):
    return write_plots(spiral_run, tmp_path_factory.mktemp("plots"), "spiral-adam")


def max_relative_difference(mine: dict, theirs: dict) -> float:
    """max over every parameter entry with theirs != 0 of |mine - theirs| / |theirs|, written out for the test."""
    a = np.concatenate([mine[name].ravel() for name in theirs])
    b = np.concatenate([theirs[name].ravel() for name in theirs])
    keep = b != 0
    return float(np.max(np.abs(a[keep] - b[keep]) / np.abs(b[keep])))


def test_loss_plot_has_each_implementations_loss_history_on_a_log_scale(spiral_run):
    (ax,) = plot_loss(spiral_run).axes
    assert ax.get_yscale() == "log"
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert len(PLOTTED) >= 2 and set(lines) == set(registry.with_reference(PLOTTED))
    for framework, result in spiral_run.results.items():
        assert list(lines[framework].get_xdata()) == result.steps == [1, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30]
        np.testing.assert_array_equal(lines[framework].get_ydata(), result.loss_history)


def test_divergence_plot_has_the_max_relative_parameter_difference_per_recorded_step(spiral_run):
    (ax,) = plot_divergence(spiral_run).axes
    assert ax.get_yscale() == "log"
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {f"{fw} vs scratch" for fw in PLOTTED} | {"rtol float64"}
    reference = spiral_run.results["scratch"]
    for framework in PLOTTED:
        result = spiral_run.results[framework]
        expected = [
            max_relative_difference(mine, theirs)
            for mine, theirs in zip(result.param_history, reference.param_history, strict=True)
        ]
        assert min(expected) > ZERO_FLOOR  # own defaults: real differences, none drawn at the floor
        assert expected[-1] > 1e-9  # and they grow to something visible
        assert list(lines[f"{framework} vs scratch"].get_xdata()) == result.steps
        np.testing.assert_allclose(lines[f"{framework} vs scratch"].get_ydata(), expected, rtol=1e-15)
    assert set(lines["rtol float64"].get_ydata()) == {tolerance_for("float64").rtol}


def test_boundary_plot_has_one_panel_per_implementation_with_class_regions_and_the_data(spiral_run):
    from matplotlib.collections import PathCollection
    from matplotlib.contour import ContourSet

    case = spiral_run.case
    axes = plot_boundary(spiral_run).axes
    assert [ax.get_title().split(":")[0] for ax in axes] == list(registry.with_reference(PLOTTED))
    for ax in axes:
        contours = [c for c in ax.collections if isinstance(c, ContourSet)]
        assert len(contours) == 1 and contours[0].filled
        levels = contours[0].levels
        for k in range(3):  # every class k lies inside exactly one level band
            assert sum(lo < k < hi for lo, hi in zip(levels[:-1], levels[1:], strict=True)) == 1
        (scatter,) = [c for c in ax.collections if isinstance(c, PathCollection)]
        np.testing.assert_array_equal(scatter.get_offsets(), case.X)
        # class k: its region and its points in the k-th colour of the colour-blind-safe palette
        np.testing.assert_allclose(contours[0].get_facecolor()[:, :3], [to_rgb(TABLEAU_CB10[k]) for k in range(3)])
        np.testing.assert_allclose(scatter.get_facecolor()[:, :3], [to_rgb(TABLEAU_CB10[int(k)]) for k in case.y])
        assert (ax.get_xlabel(), ax.get_ylabel()) == ("x1", "x2")
    (legend,) = plot_boundary(spiral_run).legends
    assert [text.get_text() for text in legend.get_texts()] == ["arm 0", "arm 1", "arm 2"]
    assert [to_rgb(h.get_facecolor()) for h in legend.legend_handles] == [to_rgb(c) for c in TABLEAU_CB10[:3]]


# matplotlib's tableau-colorblind10 style (lib/matplotlib/mpl-data/stylelib/tableau-colorblind10.mplstyle), by hand
TABLEAU_CB10 = ["#006BA4", "#FF800E", "#ABABAB", "#595959", "#5F9ED1", "#C85200", "#898989", "#A2C8EC", "#FFBC79", "#CFCFCF"]


def test_the_palette_is_matplotlibs_colour_blind_safe_one():
    assert [c.upper() for c in class_colours(12)] == TABLEAU_CB10 + TABLEAU_CB10[:2]


def test_the_boundary_axes_name_the_real_features_and_classes():
    run = run_training(get_case("breast-cancer-2-4-1"), optimizer="sgd", dtype="float64", frameworks=(), steps=2)
    (ax,) = plot_boundary(run).axes
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("mean radius (standardised)", "mean texture (standardised)")
    (legend,) = plot_boundary(run).legends
    # scikit-learn's load_breast_cancer: target 0 is malignant, 1 benign (target_names)
    from sklearn.datasets import load_breast_cancer

    assert [t.get_text() for t in legend.get_texts()] == list(load_breast_cancer().target_names)


def drawn_labels(fig, axis: str = "y") -> list[str]:
    """The labels of the major ticks inside the first axes' view, after a real Agg draw."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig).draw()
    ax = fig.axes[0]
    low, high = sorted(getattr(ax, f"get_{axis}lim")())
    ticks = getattr(ax, f"{axis}axis").get_major_ticks()
    return [t.label1.get_text() for t in ticks if low <= t.get_loc() <= high and t.label1.get_text()]


def test_the_loss_plot_labels_several_ticks_though_its_loss_spans_under_a_decade(spiral_run):
    losses = np.concatenate([r.loss_history for r in spiral_run.results.values()])
    assert losses.max() / losses.min() < 10  # the case matplotlib's own log axis labels once (10^0) or not at all
    labels = drawn_labels(plot_loss(spiral_run))
    assert len(labels) >= 3, labels
    assert all(float(text) > 0 for text in labels)  # plain decimals such as 0.8, 1, 1.2


def test_the_divergence_plot_labels_its_powers_of_ten(spiral_run):
    labels = drawn_labels(plot_divergence(spiral_run))
    assert len(labels) >= 3, labels
    assert all(text.startswith("$") and "10^{" in text for text in labels), labels


def test_every_written_plot_is_announced_on_stderr(spiral_run, tmp_path, capsys):
    paths = write_plots(spiral_run, tmp_path, "announced")
    assert capsys.readouterr().err == "".join(f"wrote {p}\n" for p in paths)


def test_spiral_gets_loss_divergence_and_boundary_plots(spiral_plots):
    assert sorted(p.name for p in spiral_plots) == [
        "spiral-adam-boundary.png",
        "spiral-adam-divergence.png",
        "spiral-adam-loss.png",
    ]


@pytest.mark.parametrize("kind", ["loss", "divergence", "boundary"])
def test_each_plot_is_a_valid_non_blank_png(spiral_plots, kind):
    import matplotlib.image

    path = next(p for p in spiral_plots if p.name.endswith(f"-{kind}.png"))
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    pixels = matplotlib.image.imread(path)
    assert pixels.ndim == 3 and pixels.shape[0] > 100 and pixels.shape[1] > 100
    assert float(np.var(pixels[..., :3])) > 0  # not one flat colour


def test_cases_without_2d_inputs_get_no_boundary_plot(tmp_path):
    run = run_training(get_case("lecture-4-4-1-bce"), optimizer="sgd", dtype="float64", frameworks=(), steps=3)
    assert [p.name for p in write_plots(run, tmp_path, "bce")] == ["bce-loss.png"]


@pytest.mark.full
def test_every_implementation_gets_a_loss_line_and_a_boundary_panel_of_its_own_forward_pass():
    """The same plots with every implementation, the Keras backends in worker processes included (their panels
    come from their own inference-mode forward pass through the worker)."""
    run = run_training(get_case("spiral-2-4-3"), optimizer="adam", dtype="float64", frameworks=registry.OTHERS, steps=6)
    (ax,) = plot_loss(run).axes
    assert {line.get_label() for line in ax.get_lines()} == set(registry.NAMES)
    axes = plot_boundary(run).axes
    assert [a.get_title().split(":")[0] for a in axes] == list(registry.NAMES)
