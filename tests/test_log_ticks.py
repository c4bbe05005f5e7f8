"""Log axes label enough ticks to read a value off them, at any span (matplotlib's default labels only 10^k)."""

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from compare.log_ticks import label, log_ticks


def labelled_ticks(low: float, high: float, axis: str = "y") -> list[str]:
    """The labels drawn inside [low, high] on a log axis set by log_ticks, after a real Agg draw."""
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.plot([low, high], [low, high])
    getattr(ax, f"set_{axis}scale")("log")
    getattr(ax, f"set_{axis}lim")(low, high)
    target = getattr(ax, f"{axis}axis")
    log_ticks(target)
    fig.canvas.draw()
    return [t.label1.get_text() for t in target.get_major_ticks() if low <= t.get_loc() <= high and t.label1.get_text()]


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0.6, 1.5, ["0.6", "0.8", "1", "1.2", "1.4"]),  # a loss plot inside one decade: matplotlib labels only 1
        (0.62, 0.98, ["0.65", "0.7", "0.75", "0.8", "0.85", "0.9", "0.95"]),  # no power of ten inside at all
        (0.05, 3.0, ["0.05", "0.1", "0.2", "0.5", "1", "2"]),  # 1.8 decades: 1, 2 and 5 times 10^k
        (1e-13, 1e-11, [f"${m}10^{{{e}}}$" for e in (-13, -12) for m in ("", r"2\times", r"5\times")] + ["$10^{-11}$"]),
    ],
)
def test_narrow_and_medium_ranges_label_every_tick(low, high, expected):
    assert labelled_ticks(low, high) == expected


def test_a_wide_range_labels_powers_of_ten_alike_and_at_most_eleven():
    labels = labelled_ticks(1e-18, 1e-2)  # a divergence plot: exact agreement drawn at 1e-18
    assert 5 <= len(labels) <= 11
    assert all(text.startswith("$10^{") for text in labels), labels  # 0.01 is written 10^-2 too, like its neighbours


def test_the_x_axis_works_the_same():
    assert labelled_ticks(0.6, 1.5, axis="x") == ["0.6", "0.8", "1", "1.2", "1.4"]


@pytest.mark.parametrize(
    ("value", "plain", "text"),
    [
        (0.65, True, "0.65"),
        (20.0, True, "20"),
        (0.001, True, "0.001"),
        (2e-5, True, r"$2\times10^{-5}$"),
        (1e-12, True, "$10^{-12}$"),
        (9.9996e-6, True, "$10^{-5}$"),  # the mantissa rounds up to 10
        (0.01, False, "$10^{-2}$"),
        (12000.0, True, r"$1.2\times10^{4}$"),
    ],
)
def test_label(value, plain, text):
    assert label(value, plain) == text


def test_a_linear_axis_is_refused_with_its_scale_named():
    ax = Figure().subplots()
    with pytest.raises(ValueError, match="expected an axis on a log scale, got scale 'linear'"):
        log_ticks(ax.yaxis)
