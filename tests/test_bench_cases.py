"""Which built-in cases ``python -m compare bench`` times: every case its steps can run, a clear refusal for the rest.

A bench step is a plain training step from the canonical weights (compare.bench.steps); a net
with dropout would need a keep mask per step that each implementation draws on its own, so the
cases with batch norm or dropout are left out of the default and refused by name. In-process
and without a framework: scratch's step alone shows that every default case runs.
"""

import numpy as np
import pytest

from compare import registry
from compare.bench.command import build_parser
from compare.bench.steps import make_step
from compare.cli import main
from compare.data.cases import CASES, get_case
from core.validate import prepare

STEP = "the training-step benchmark"  # what the refusals call the bench without --train or --startup


def _has_batch_norm_or_dropout(name: str) -> bool:
    spec = get_case(name).spec
    layers = range(1, spec.n_layers + 1)
    return any(spec.has_batch_norm(l) or spec.dropout_rate(l) is not None for l in layers)


def test_the_default_cases_are_every_built_in_case_without_batch_norm_or_dropout():
    default = build_parser().parse_args([]).cases
    assert set(default) == {name for name in CASES if not _has_batch_norm_or_dropout(name)}
    assert len(default) == 7 and set(CASES) - set(default)  # the lecture nets; the two regularised cases are out


def test_every_default_case_runs_two_scratch_bench_steps_that_lower_its_loss():
    for name in build_parser().parse_args([]).cases:
        case = get_case(name)
        params, X, y = prepare(case.spec, case.params, case.X, case.y, "float64")
        step = make_step(registry.REFERENCE, case.spec, params, X, y, case.learning_rate, "float64")
        first, second = float(step.run()), float(step.run())
        assert np.isfinite(first) and second < first, (name, first, second)


@pytest.mark.parametrize(
    "argv, option",
    [
        pytest.param(["bench", "--cases", "fish-2-4-3,fish-2-4-3-bn-dropout"], "--cases", id="cases"),
        pytest.param(["bench", "--train", "--case", "spiral-2-32-3-bn-dropout"], "--case", id="train-case"),
    ],
)
def test_a_case_with_batch_norm_or_dropout_is_one_line_and_exit_2_before_any_step(argv, option, capsys, monkeypatch):
    import compare.bench.steps

    def no_timing(*args, **kwargs):
        raise AssertionError("bench built a step before refusing the case")

    monkeypatch.setattr(compare.bench.steps, "make_step", no_timing)
    try:
        code = main(argv)
    except SystemExit as stop:  # argparse's usage error
        code = stop.code
    assert code == 2
    out, err = capsys.readouterr()
    assert out == ""
    (line,) = err.strip().splitlines()
    assert option in line and "bn-dropout has batch norm or dropout" in line and "choose from worked-2-2-2" in line, line


def test_an_unknown_case_lists_only_the_cases_the_bench_can_time(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["bench", "--cases", "worked-2-2-2,no-such-net"])
    assert stop.value.code == 2
    (line,) = capsys.readouterr().err.strip().splitlines()[-1:]
    choices = line.split("choose from ")[1].split(",")
    assert "unknown case no-such-net" in line and choices == list(build_parser().parse_args([]).cases), line


@pytest.mark.parametrize(
    "argv, message",
    [
        pytest.param(["--case", "iris-4-8-3"], "--case: only for --train, not with the training-step benchmark", id="case"),
        pytest.param(["--ste", "20"], "--steps: only for --train, not with the training-step benchmark", id="abbreviated"),
        pytest.param(["--no-command"], "--no-command: only for --train, not with the training-step benchmark", id="no-command"),
        pytest.param(["--runs", "2"], "--runs: only for --startup or --train, not with the training-step benchmark", id="runs"),
        pytest.param(["--startup", "--widths", "4"], f"--widths: only for {STEP}, not with --startup", id="widths"),
        pytest.param(["--train", "--dtype", "float32"], f"--dtype: only for {STEP}, not with --train", id="dtype"),
        pytest.param(["--startup", "--threads", "1"], f"--threads: only for {STEP} or --train, not with --startup", id="threads"),
        pytest.param(
            ["--frameworks", "torch", "--implementations", "torch"],
            "--frameworks and --implementations: expected one of them (both choose what the bench times)",
            id="frameworks-and-implementations",
        ),
    ],
)
def test_an_option_the_chosen_benchmark_does_not_use_is_refused_not_ignored(argv, message, capsys, monkeypatch):
    import compare.bench.startup
    import compare.bench.steps
    import compare.bench.training

    def no_timing(*args, **kwargs):
        raise AssertionError("bench started timing before refusing the option")

    timers = [(compare.bench.steps, "make_step"), (compare.bench.training, "measure"), (compare.bench.startup, "measure")]
    for module, name in timers:
        monkeypatch.setattr(module, name, no_timing)
    assert main(["bench", "--quick", *argv]) == 2
    out, err = capsys.readouterr()
    (line,) = err.strip().splitlines()
    assert out == "" and line == f"python -m compare bench: error: {message}", line


def test_frameworks_choose_the_bench_steps_of_those_implementations():
    from compare.bench.command import apply_options
    from compare.options import given_options

    parser = build_parser()
    for frameworks in (["torch"], list(registry.OTHERS)):
        argv = ["--frameworks", ",".join(frameworks)]
        args = parser.parse_args(argv)
        apply_options(args, given_options(parser, argv, args))
        owners = [registry.bench_owner(step).name for step in args.implementations]
        assert set(owners) == set(frameworks) and all(step in registry.bench_steps() for step in args.implementations)
        assert len(args.implementations) == sum(len(registry.get(name).bench) for name in frameworks)  # every step of each
    args = parser.parse_args([])
    apply_options(args, given_options(parser, [], args))
    assert args.implementations == tuple(registry.bench_steps())  # no --frameworks: every step


def test_turning_off_both_the_cases_and_the_sweep_is_refused(capsys):
    assert main(["bench", "--quick", "--no-cases", "--no-sweep"]) == 2
    out, err = capsys.readouterr()
    refusal = "--no-cases and --no-sweep: expected at most one of them (with both there is nothing to time)"
    assert out == "" and err.strip() == f"python -m compare bench: error: {refusal}"
