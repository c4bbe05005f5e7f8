"""explain --plot: the network drawn as the worked-example figures draw it, read back from the Figure.

Golden numbers: Mazur's worked example as the Amrita "Feed Forward Neural Networks – Introduction"
lecture gives it: net_h1 = 0.3775, out_h1 = 0.593269992, out_o1 = 0.75136507, dE/dw5 = 0.082167041.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from compare import registry
from compare.data.cases import get_case
from compare.students.network_plot import EDGES_LABELLED, WIDEST_EDGE, plot_network, unit_name

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def worked():
    case = get_case("worked-2-2-2")
    trace = registry.get("scratch").evaluate(case.spec, case.params, case.X, case.y, "float64")
    return case, plot_network(trace, case.name, 0, case.params)


def _texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def test_the_forward_panel_has_the_lectures_z_a_and_weights(worked):
    case, fig = worked
    forward, _ = fig.axes
    texts = _texts(forward)
    assert "z = 0.3775\na = 0.5933\nb = 0.35" in texts  # net_h1, out_h1, b1
    assert any(t.startswith("z = 1.106\na = 0.7514") for t in texts)  # net_o1 = 1.105905967, out_o1
    assert sorted(float(t) for t in texts if t.replace(".", "").isdigit()) == sorted(
        np.concatenate([case.params["W1"].ravel(), case.params["W2"].ravel()]).tolist()
    )  # one label per weight: w1..w8
    assert {"x1", "x2", "h1", "h2", "o1", "o2"} <= set(texts)


def test_the_backward_panel_has_the_gradients_and_deltas(worked):
    _, fig = worked
    _, backward = fig.axes
    texts = _texts(backward)
    assert "0.08217" in texts  # dE/dw5 = 0.082167041
    assert any(t.startswith("delta = 0.1385") for t in texts)  # delta_o1 = (out_o1 - t1) out_o1 (1 - out_o1) = 0.138498562


def test_one_edge_per_weight_its_width_growing_with_the_weight(worked):
    case, fig = worked
    forward, _ = fig.axes
    edges = {line.get_gid(): line for line in forward.get_lines() if (line.get_gid() or "").startswith("edge")}
    assert len(edges) == case.params["W1"].size + case.params["W2"].size
    w8 = edges["edge W2[1,1]"]  # 0.55, the largest |weight|
    w1 = edges["edge W1[0,0]"]  # 0.15
    assert w8.get_linewidth() == pytest.approx(0.5 + WIDEST_EDGE)
    assert w1.get_linewidth() == pytest.approx(0.5 + WIDEST_EDGE * 0.15 / 0.55)


def test_wide_nets_keep_the_edges_but_not_their_numbers():
    case = get_case("spiral-2-4-3")
    assert max(case.spec.sizes) > EDGES_LABELLED
    trace = registry.get("scratch").evaluate(case.spec, case.params, case.X, case.y, "float64")
    forward, _ = plot_network(trace, case.name, 4, case.params).axes
    assert len([line for line in forward.get_lines() if (line.get_gid() or "").startswith("edge")]) == 2 * 4 + 4 * 3
    numbers = [t for t in _texts(forward) if t.lstrip("-").replace(".", "").isdigit()]
    assert numbers == []
    assert any(t.startswith(f"z = {trace.z[1][4, 0]:.4g}\n") for t in _texts(forward))  # sample 5's z of h1


def test_unit_names_follow_the_worked_example():
    assert [unit_name(0, 0, 2), unit_name(1, 1, 2), unit_name(2, 0, 2)] == ["x1", "h2", "o1"]
    assert unit_name(2, 0, 3) == "h2_1"


def test_cli_writes_the_picture_and_says_so(tmp_path):
    png = tmp_path / "net.png"
    done = subprocess.run(
        [sys.executable, "-m", "compare", "explain", "worked-2-2-2", "--frameworks", "scratch", "--plot", str(png)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == f"wrote {png}\n"
    assert png.read_bytes()[:8] == PNG_SIGNATURE


def test_cli_refuses_a_plot_that_is_not_png(capsys):
    from compare.cli import main

    assert main(["explain", "worked-2-2-2", "--plot", "net.svg"]) == 2
    err = capsys.readouterr().err
    assert err == "python -m compare explain: error: --plot 'net.svg': expected a folder or a .png file name, got a '.svg' name\n"
