"""``python -m compare bench``: what it times is a real training step, and its output has the promised shape.

Times are never asserted (speed is measured in the benchmark, not tested);
only the structure of the table and JSON, the FLOP counts and the timer's bookkeeping.
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from compare import registry
from compare.bench.steps import make_step
from compare.bench.timing import Timing, time_step
from compare.data.cases import get_case
from compare.parity.tolerances import tolerance_for
from compare.threads import step_flops
from core.spec import parse_spec
from core.validate import prepare
from helpers import shared_across_workers
from scratch.init import init_params
from scratch.model import evaluate

pytestmark = pytest.mark.full  # every test runs the CLI in a fresh process: the full suite only (README, Tests)

BENCH_STEPS = tuple(registry.bench_steps())


def run_bench(*args):
    return subprocess.run([sys.executable, "-m", "compare", "bench", *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def quick_json(tmp_path_factory, worker_id):
    """``bench --quick --format json --plot PNG``, once for all the xdist workers: (report, png, stderr)."""

    def bench():
        png = tmp_path_factory.mktemp("bench") / "time.png"
        done = run_bench("--quick", "--threads", "1", "--format", "json", "--plot", str(png))
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout), str(png), done.stderr

    report, png, stderr = shared_across_workers(tmp_path_factory, worker_id, "bench_quick", bench)
    return report, Path(png), stderr


def problems():
    """The lecture cases, a sweep net and a tanh + mse net: (spec, params, X, y, learning_rate)."""
    out = []
    for name in ("worked-2-2-2", "lecture-4-4-1-bce", "lecture-4-4-3-softmax", "spiral-2-4-3"):
        case = get_case(name)
        out.append(pytest.param(case.spec, case.params, case.X, case.y, case.learning_rate, id=name))
    spec = parse_spec("2-8-8-3:relu,relu,softmax:cce")
    rng = np.random.RandomState(3)
    out.append(pytest.param(spec, init_params(spec, 3), rng.randn(40, 2), rng.randint(0, 3, 40), 0.01, id="sweep-2-8-8-3"))
    spec = parse_spec("3-5-2:tanh,sigmoid:mse")
    out.append(pytest.param(spec, init_params(spec, 4), rng.randn(10, 3), rng.rand(10, 2), 0.1, id="tanh-mse-3-5-2"))
    return out


@pytest.mark.parametrize("implementation", BENCH_STEPS[1:])
@pytest.mark.parametrize("spec, params, X, y, learning_rate", problems())
def test_each_step_is_one_sgd_step_of_the_lecture_maths(implementation, spec, params, X, y, learning_rate):
    """Two steps of each implementation land where two hand-applied theta - eta * grad steps of scratch land (float64)."""
    p, X, y = prepare(spec, params, X, y, "float64")
    expected = p
    for _ in range(2):
        grads = evaluate(spec, expected, X, y, "float64").grads
        expected = {k: v - learning_rate * grads[k] for k, v in expected.items()}
    step = make_step(implementation, spec, p, X, y, learning_rate, "float64")
    step.run()
    step.run()
    step.sync()
    got = step.params()
    tol = tolerance_for("float64")
    assert set(got) == set(expected)
    for name in expected:
        assert got[name].dtype == np.float64
        np.testing.assert_allclose(got[name], expected[name], rtol=tol.rtol, atol=tol.atol, err_msg=f"{implementation} {name}")
    assert any(not np.array_equal(got[name], p[name]) for name in p), "the step did not move the weights"


def test_scratch_step_does_not_modify_the_callers_params():
    case = get_case("worked-2-2-2")
    p, X, y = prepare(case.spec, case.params, case.X, case.y, "float64")
    before = {k: v.copy() for k, v in p.items()}
    make_step("scratch", case.spec, p, X, y, 0.5, "float64").run()
    assert all(np.array_equal(p[k], before[k]) for k in p)


@pytest.mark.parametrize(
    "text, m, expected",
    [
        pytest.param("2-2-2:sigmoid,sigmoid:sse", 1, 6 * (2 * 2 + 2 * 2), id="worked-2-2-2"),
        pytest.param("2-4-3:relu,softmax:cce", 300, 6 * 300 * (2 * 4 + 4 * 3), id="spiral-2-4-3"),
        pytest.param("2-1024-1024-3:relu,relu,softmax:cce", 30000, 6 * 30000 * (2048 + 1024 * 1024 + 3072), id="sweep-1024"),
    ],
)
def test_step_flops_counts_forward_and_backward_matmuls(text, m, expected):
    assert step_flops(parse_spec(text), m) == expected


class FakeClock:
    """A clock that only moves when a fake step says how long it took: the timer test neither sleeps nor reads real time."""

    def __init__(self, durations):
        self.now = 0.0
        self.durations = list(durations)

    def __call__(self) -> float:
        return self.now

    def step(self) -> None:
        self.now += self.durations.pop(0)  # IndexError: time_step ran more steps than the schedule expects


# Step costs are powers of two, so every clock reading and difference is exact.
FAST = 2.0**-7  # 7.8 ms
BLOCK_S = 2.0**-5  # = 4 FAST steps
# calibration: a block of 1 step (too short; grows to int(1 * 4 * 1.2) = 4 steps), then a block of 4 that is long
# enough: it is the first timed block. Then 4 more blocks of 4 steps, each with its own per-step cost.
TIMED = [FAST] + [FAST] * 4 + [2.0**-5] * 4 + [2.0**-8] * 4 + [2.0**-6] * 4 + [2.0**-6] * 4


@pytest.mark.parametrize(
    "warm_up",
    [
        pytest.param([0.5, 0.5], id="two-slow-steps"),  # under a second alone: a second warm-up step
        pytest.param([1.5], id="one-step-over-a-second"),
        pytest.param([FAST] * 7, id="fast-steps-for-warmup_s"),  # 6 FAST = 0.047 s < warmup_s = 0.05 <= 7 FAST
    ],
)
def test_time_step_excludes_warm_up_and_reports_the_median_of_the_blocks(warm_up):
    clock = FakeClock(warm_up + TIMED)
    syncs = []
    timing = time_step(clock.step, lambda: syncs.append(clock.now), repeats=5, block_s=BLOCK_S, warmup_s=0.05, clock=clock)
    assert clock.durations == []  # exactly the warm-up, the calibration block and the 5 timed blocks ran
    # per-step seconds of the 5 blocks: FAST, 2^-5, 2^-8, 2^-6, 2^-6 -> median 2^-6 (the mean would be 0.0164);
    # the warm-up's 0.5 s steps are in none of them
    assert timing == Timing(median_s=2.0**-6, min_s=2.0**-8, max_s=2.0**-5, steps_per_block=4, repeats=5)
    assert len(syncs) == 1 + 1 + 5  # after the warm-up, after the 1-step calibration block, after each timed block


def test_quick_json_has_every_implementation_ratio_and_throughput(quick_json):
    result, png, stderr = quick_json
    *progress, last = stderr.splitlines()
    assert last == f"wrote {png}"  # the file it wrote, and no framework log noise: only progress lines before
    assert progress and all(line.startswith("python -m compare bench: timing ") for line in progress), stderr
    assert set(result) >= {"dtype", "machine", "threads", "matmul_peak_gflops", "repeats", "versions", "results"}
    assert result["dtype"] == "float32"
    assert result["threads"]["requested"] == 1
    assert all(pool["num_threads"] == 1 for pool in result["threads"]["threadpools"])
    assert result["threads"]["torch_intra_op"] == 1
    assert result["threads"]["tensorflow_intra_op"] == 1
    assert result["matmul_peak_gflops"]["numpy"] > 0
    rows = {(r["name"], r["batch"]): r for r in result["results"]}
    assert set(rows) == {("worked-2-2-2", 1), ("w=4", 300), ("w=16", 300)}
    assert rows[("w=16", 300)]["spec"] == "2-16-16-3:relu,relu,softmax:cce"
    assert rows[("w=16", 300)]["mflop_per_step"] == pytest.approx(6 * 300 * (2 * 16 + 16 * 16 + 16 * 3) / 1e6)
    for row in result["results"]:
        assert list(row["implementations"]) == list(BENCH_STEPS)
        assert row["implementations"]["scratch"]["ratio_to_scratch"] == 1.0
        for impl, r in row["implementations"].items():
            assert 0 < r["min_us"] <= r["median_us"] <= r["max_us"] < float("inf"), impl
            assert r["repeats"] == 2
            # a step timed in another process (another Keras backend) is against the scratch timed there
            scratch_us = r.get("scratch_us", row["implementations"]["scratch"]["median_us"])
            assert r["ratio_to_scratch"] == pytest.approx(r["median_us"] / scratch_us)
            assert r["gflops"] == pytest.approx(row["mflop_per_step"] * 1e6 / (r["median_us"] * 1e-6) / 1e9)
            assert r["fraction_of_peak"] == pytest.approx(r["gflops"] / result["matmul_peak_gflops"]["numpy"])


def test_plot_is_a_png(quick_json):
    _, png, _ = quick_json
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_table_names_nets_and_implementations():
    done = run_bench("--quick", "--threads", "1", "--implementations", "scratch,torch", "--no-sweep", "--dtype", "float64")
    assert done.returncode == 0, done.stderr
    for text in ("worked-2-2-2", "µs", "float64", "intra_op=1", *registry.with_reference(["torch"])):
        assert text in done.stdout, text
    assert ["threads:", "1"] in [line.split() for line in done.stdout.splitlines()]
    assert "keras" not in done.stdout.split("versions:")[0]


@pytest.mark.parametrize(
    "args, message",
    [
        pytest.param(["--widths", "0,4"], "positive integers", id="width-0"),
        pytest.param(["--batches", "ten"], "positive integers", id="batch-not-int"),
        pytest.param(["--implementations", "jax"], "unknown implementation jax", id="unknown-implementation"),
        pytest.param(["--cases", "nope"], "unknown case nope", id="unknown-case"),
        pytest.param(["--repeats", "0"], "--repeats", id="repeats-0"),
        pytest.param(["--threads", "0"], "--threads", id="threads-0"),
        pytest.param(["--plot", "out.svg"], ".png", id="plot-not-png"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args, message):
    done = run_bench(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and message in done.stderr, done.stderr


def test_unwritable_plot_path_exits_2_before_any_timing(capsys, monkeypatch):
    """--plot under a folder that cannot be created: one line, exit 2, and no step is ever built."""
    import compare.bench.steps
    from compare.cli import main

    def no_timing(*args, **kwargs):
        raise AssertionError("bench timed a step before checking --plot")

    monkeypatch.setattr(compare.bench.steps, "make_step", no_timing)
    assert main(["bench", "--quick", "--plot", "/proc/nope/x.png"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and "--plot" in err and "/proc/nope" in err, err


@pytest.mark.parametrize("width", [pytest.param(160, id="wide"), pytest.param(36, id="narrow-terminal")])
def test_thread_settings_never_wrap_between_name_and_number(width):
    from io import StringIO

    from rich.console import Console

    from compare.bench.report import setup_grid

    result = {
        "machine": {"cpu": "Some CPU @ 2.00GHz with a long model name", "cpus": 2},
        "threads": {
            "requested": 2,
            "threadpools": [{"internal_api": "openblas", "version": "0.3.29", "architecture": "Haswell", "num_threads": 2}],
            "torch_intra_op": 2,
            "tensorflow_intra_op": 2,
            "tensorflow_inter_op": 1,
            "OPENBLAS_CORETYPE": None,
        },
        "versions": {"numpy": "2.4.0", "torch": "2.13.0"},
    }
    out = StringIO()
    Console(file=out, width=width).print(setup_grid(result))
    lines = out.getvalue().splitlines()
    words = [line.split() for line in lines]
    assert ["threads:", "2"] in words, lines
    assert ["torch:", "intra_op=2"] in words, lines
    assert any(w[:2] == ["tensorflow:", "intra_op=2,"] for w in words), lines  # the key and its first setting together
    for token in ("threads=2", "inter_op=1"):
        assert any(token in w for w in words), (token, lines)


def test_json_records_the_load_average_before_and_after(quick_json):
    result, _, _ = quick_json
    load = result["load_average"]
    assert len(load["before"]) == len(load["after"]) == 3  # 1, 5 and 15 minutes
    assert all(x >= 0 for x in load["before"] + load["after"])


@pytest.mark.parametrize(
    ("before", "after", "warns"),
    [(0.2, 0.9, False), (1.0, 1.0, False), (1.01, 0.1, True), (0.1, 3.9, True)],  # 2 CPUs: busy above 1.0
)
def test_a_busy_machine_gets_a_warning(before, after, warns):
    from compare.bench.report import load_warning

    result = {"machine": {"cpus": 2}, "load_average": {"before": [before, 0, 0], "after": [after, 0, 0]}}
    warning = load_warning(result)
    assert (warning is not None) == warns
    if warns:
        assert f"load average {max(before, after):.1f} on 2 CPUs" in warning and "upper bounds" in warning


def test_on_a_busy_machine_with_several_threads_the_warning_suggests_one():
    from compare.bench.report import load_warning

    busy = {"machine": {"cpus": 2}, "load_average": {"before": [3.0, 0, 0], "after": [3.0, 0, 0]}}
    assert "--threads 1" in load_warning(busy | {"threads": {"requested": 2}})
    assert "--threads 1" not in load_warning(busy | {"threads": {"requested": 1}})


def test_a_piped_table_cuts_no_cell(quick_json, capsys):
    from compare.bench.report import render_table

    report, _, _ = quick_json
    render_table(report)  # stdout is pytest's capture, not a terminal: as in `bench > file` or `bench | less`
    out = capsys.readouterr().out
    assert "keras-train_on_batch" in out and "…" not in out


def test_each_cell_shows_the_spread_of_its_blocks():
    from compare.bench.report import _cell

    cell = _cell(
        {"median_us": 200.0, "min_us": 190.0, "max_us": 250.0, "ratio_to_scratch": 1.0, "gflops": 1.0, "fraction_of_peak": 0.5}
    )
    assert cell.splitlines()[-1] == "spread 30%"  # (250 - 190) / 200
