"""--plot writes real PNGs: they exist, carry the PNG signature, load, and are not blank."""

import numpy as np
import pytest

from compare.cases import get_case
from compare.plots import write_plots
from compare.training import run_training

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def spiral_plots(tmp_path_factory):
    directory = tmp_path_factory.mktemp("plots")
    run = run_training(get_case("spiral-2-4-3"), optimizer="adam", dtype="float64", frameworks=("torch",), steps=30)
    return write_plots(run, directory, "spiral-adam")


def test_spiral_gets_loss_divergence_and_boundary_plots(spiral_plots):
    assert sorted(p.name for p in spiral_plots) == ["spiral-adam-boundary.png", "spiral-adam-divergence.png", "spiral-adam-loss.png"]


@pytest.mark.parametrize("kind", ["loss", "divergence", "boundary"])
def test_each_plot_is_a_valid_non_blank_png(spiral_plots, kind):
    import matplotlib.image

    path = next(p for p in spiral_plots if p.name.endswith(f"-{kind}.png"))
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    pixels = matplotlib.image.imread(path)
    assert pixels.ndim == 3 and pixels.shape[0] > 100 and pixels.shape[1] > 100
    assert float(np.var(pixels[..., :3])) > 0  # not one flat colour


def test_boundary_plot_shows_several_classes(spiral_plots):
    """The decision-region panel holds more than two distinct colours (3 regions + points + axes)."""
    import matplotlib.image

    pixels = matplotlib.image.imread(next(p for p in spiral_plots if p.name.endswith("-boundary.png")))
    colours = np.unique((pixels[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 5


def test_cases_without_2d_inputs_get_no_boundary_plot(tmp_path):
    run = run_training(get_case("lecture-4-4-1-bce"), optimizer="sgd", dtype="float64", frameworks=(), steps=3)
    assert [p.name for p in write_plots(run, tmp_path, "bce")] == ["bce-loss.png"]
