"""--plot PATH means the same in train, explain and bench: a folder, or a .png file name."""

from __future__ import annotations

import pytest

from compare.cli import main
from compare.plot_target import file_name, plot_target
from core.errors import InputError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_a_name_without_suffix_is_a_folder_created_now(tmp_path):
    target = plot_target(str(tmp_path / "new" / "plots"))
    assert (tmp_path / "new" / "plots").is_dir()  # created before any work
    assert target.file("time-vs-width") == tmp_path / "new" / "plots" / "time-vs-width.png"
    assert target.prefix("spiral-2-4-3-sgd-float64") == "spiral-2-4-3-sgd-float64"


def test_an_existing_folder_is_a_folder_whatever_its_name(tmp_path):
    folder = tmp_path / "run.v2"
    folder.mkdir()
    assert plot_target(str(folder)).file("x") == folder / "x.png"


def test_a_png_name_is_the_file_or_the_stem_of_several(tmp_path):
    target = plot_target(str(tmp_path / "net.PNG"))
    assert target.file("worked-2-2-2-network") == tmp_path / "net.PNG"  # one figure: the file given, as given
    assert target.prefix("spiral-2-4-3-sgd-float64") == "net-spiral-2-4-3-sgd-float64"  # several: beside it


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("plot.svg", "--plot 'plot.svg': expected a folder or a .png file name, got a '.svg' name"),
        ("", "--plot '': expected a folder or a .png file name, got an empty path"),
        ("/proc/no/such/x.png", "--plot '/proc/no/such': cannot create the directory"),
    ],
)
def test_other_names_are_refused_in_one_line(value, message):
    with pytest.raises(InputError) as caught:
        plot_target(value)
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


def test_a_spec_becomes_a_file_name():
    assert file_name("2-4-3:relu,softmax:cce") == "2-4-3_relu_softmax_cce"


@pytest.mark.parametrize(
    ("argv", "written"),
    [
        (["explain", "worked-2-2-2", "--frameworks", "scratch"], ["worked-2-2-2-network.png"]),
        (
            ["train", "--frameworks", "scratch", "--steps", "3"],
            ["spiral-2-4-3-sgd-float64-boundary.png", "spiral-2-4-3-sgd-float64-loss.png"],
        ),
    ],
    ids=["explain", "train"],
)
def test_every_subcommand_takes_a_folder_and_a_png_name(tmp_path, capsys, argv, written):
    assert main([*argv, "--plot", str(tmp_path / "in")]) in (0, 1)
    assert sorted(p.name for p in (tmp_path / "in").iterdir()) == written
    assert main([*argv, "--plot", str(tmp_path / "mine.png")]) in (0, 1)
    beside = sorted(p.name for p in tmp_path.iterdir() if p.is_file())
    assert beside == (["mine.png"] if len(written) == 1 else [f"mine-{name}" for name in written])
    err = capsys.readouterr().err
    for path in [*(tmp_path / "in").iterdir(), *(p for p in tmp_path.iterdir() if p.is_file())]:
        assert f"wrote {path}\n" in err  # every file announced
        assert path.read_bytes()[:8] == PNG_SIGNATURE
