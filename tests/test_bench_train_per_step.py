"""bench --train's split of a training's time into its one-time cost and its cost per step (no timing here)."""

import io

import pytest
from rich.console import Console

from compare.bench.training import _per_step, render


def test_the_cost_per_step_is_what_the_long_run_adds_over_the_one_step_run():
    # six trainings of 1,001 steps take 1.3 s, of one step 0.1 s: 1.2 s for 6 x 1,000 more steps
    split = _per_step(median_s=1.3, one_time_s=0.1, floor_s=0.6, steps=1001)
    assert split["step_us_beyond"] == pytest.approx(200.0)
    assert split["floor_step_us"] == pytest.approx(0.6 / 6006 * 1e6)  # 99.9 µs
    assert split["step_ratio"] == pytest.approx(200.0 / (0.6 / 6006 * 1e6))


def test_one_step_has_no_cost_beyond_its_one_time_cost():
    split = _per_step(median_s=0.2, one_time_s=0.2, floor_s=0.01, steps=1)
    assert split["step_us_beyond"] is None and split["step_ratio"] is None
    assert split["floor_step_us"] == pytest.approx(0.01 / 6 * 1e6)


def row(**split):
    base = {"bench_step": "scratch", "first_s": 1.5, "median_s": 1.3, "floor_s": 0.6, "ratio": 1.3 / 0.6, "one_time_s": 0.1}
    return base | split


@pytest.mark.parametrize("steps, expected", [(1001, ["200 µs", "×2.00"]), (1, [])])
def test_the_table_shows_the_split_and_leaves_it_blank_for_one_step(steps, expected):
    split = _per_step(1.3, 0.1, 0.6, steps)
    result = {
        "steps": steps,
        "case": "spiral-2-4-3",
        "runs": 3,
        "frameworks": {"scratch": row(**split)},
        "command": None,
        "load_average": {"before": [0.5, 0, 0], "after": [1.0, 0, 0]},
    }
    out = io.StringIO()
    render(result, Console(file=out, width=250, color_system=None))
    line = next(line for line in out.getvalue().splitlines() if line.strip().startswith("scratch"))
    assert "0.10 s" in line  # the one-time cost
    for cell in expected:
        assert cell in line
    if not expected:
        assert "µs" in line and line.count("µs") == 1  # only the floor's per step
