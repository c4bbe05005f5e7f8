"""scripts/bench_tables.py: docs/benchmarks.md §2's Markdown tables from the bench's JSON, cell by cell.

The JSON below is written by hand in the shape ``python -m compare bench --format json`` gives
(tests/test_bench.py checks that shape on a real run); the expected cells are worked out here.
"""

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = importlib.util.spec_from_file_location("bench_tables", ROOT / "scripts" / "bench_tables.py")
assert SPEC is not None and SPEC.loader is not None
bench_tables = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench_tables)


def _timing(us, ratio, gflops):
    return {"median_us": us, "ratio_to_scratch": ratio, "gflops": gflops, "min_us": us, "max_us": us, "fraction_of_peak": 0.0}


RESULT = {
    "dtype": "float32",
    "threads": {"requested": 2, "threadpools": [{"architecture": "SkylakeX"}, {"architecture": "SkylakeX"}, {}]},
    "matmul_peak_gflops": {"numpy": 462.64, "n": 2048},
    "load_average": {"before": [0.41, 0.5, 0.6], "after": [1.234, 1.0, 1.0]},
    "results": [
        {
            "group": "lecture",
            "name": "worked-2-2-2",
            "batch": 1,
            "mflop_per_step": 4.8e-05,
            "implementations": {"reference": _timing(30.04, 1.0, 0.0016), "other": _timing(107.6, 3.582, 0.00045)},
        },
        {
            "group": "sweep",
            "name": "w=4",
            "width": 4,
            "batch": 300,
            "mflop_per_step": 0.0648,
            "implementations": {"reference": _timing(79.4, 1.0, 0.8161), "other": _timing(1046.4, 13.179, 0.06193)},
        },
        {
            "group": "sweep",
            "name": "w=1024",
            "width": 1024,
            "batch": 30000,
            "mflop_per_step": 190000.0,
            "implementations": {"reference": _timing(953449.2, 1.0, 199.27), "other": _timing(1280071.0, 1.34257, 148.4)},
        },
    ],
}


def test_lecture_cells_are_microseconds_and_ratio_to_scratch():
    assert bench_tables.lecture_table(RESULT) == [
        "| net | m | reference | other |",
        "|---|---:|---:|---:|",
        "| worked-2-2-2 | 1 | 30.0 x1.00 | 108 x3.58 |",
    ]


def test_sweep_cells_add_gflops_and_widths_select_rows():
    assert bench_tables.sweep_table(RESULT) == [
        "| w | m | MFLOP | reference | other |",
        "|---:|---:|---:|---:|---:|",
        "| 4 | 300 | 0.0648 | 79.4 x1.00 · 0.816 | 1,046 x13.18 · 0.0619 |",
        "| 1024 | 30000 | 190,000 | 953,449 x1.00 · 199 | 1,280,071 x1.34 · 148 |",
    ]
    assert [line.split(" | ")[0] for line in bench_tables.sweep_table(RESULT, [1024])[2:]] == ["| 1024"]


def test_three_digits_never_use_an_exponent():
    assert [bench_tables.three_digits(x) for x in (999.7, 4e-05, 0.0648, 7.95, 120.0, 190000.0)] == [
        "1,000",
        "0.00004",
        "0.0648",
        "7.95",
        "120",
        "190,000",
    ]


def test_the_setting_line_names_dtype_threads_kernel_peak_and_load():
    assert bench_tables.setting(RESULT) == (
        "float32, 2 threads, BLAS kernel SkylakeX, NumPy matmul peak 462.6 GFLOP/s; load average 0.41 before, 1.23 after"
    )


def test_the_command_reads_a_file_and_refuses_other_json_with_one_line(tmp_path, capsys):
    good, bad = tmp_path / "bench.json", tmp_path / "other.json"
    good.write_text(json.dumps(RESULT), encoding="utf-8")
    bad.write_text(json.dumps({"cases": []}), encoding="utf-8")
    assert bench_tables.main([str(good)]) == 0
    out = capsys.readouterr().out
    assert "| worked-2-2-2 | 1 | 30.0 x1.00 | 108 x3.58 |" in out and out.endswith("load average 0.41 before, 1.23 after\n")
    assert bench_tables.main([str(bad)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert str(bad) in line and "expected the JSON of python -m compare bench" in line


def test_microseconds_that_round_to_100_drop_the_decimal():
    assert [bench_tables.microseconds(us) for us in (99.94, 99.96, 100.4, 1046.4)] == ["99.9", "100", "100", "1,046"]


def test_widths_name_the_option_not_the_file_when_they_are_wrong(tmp_path, capsys):
    good = tmp_path / "bench.json"
    good.write_text(json.dumps(RESULT), encoding="utf-8")
    assert bench_tables.main([str(good), "--widths", "4,64"]) == 2  # the sweep timed 4 and 1024
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == "python scripts/bench_tables.py: error: --widths: expected widths the sweep timed (4,1024), got 64"
    for text in ("4,x", "0", ""):
        try:
            bench_tables.main([str(good), "--widths", text])
        except SystemExit as stop:  # argparse's usage error
            assert stop.code == 2
        else:
            raise AssertionError(f"--widths {text!r} was taken")
        err = capsys.readouterr().err
        assert f"--widths: expected comma-separated positive integers, got {text!r}" in err and str(good) not in err
