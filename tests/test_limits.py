"""Resource limits (core.limits): each refuses one past its bound and accepts the bound, before allocating.

The defaults are the documented ones (docs/limits.md, typed here); each limit is raised or
lowered with ``core.limits.using`` in the Python API and with its ``--max-*`` flag in the CLI.
"Before allocating" is measured with tracemalloc, which NumPy reports its array memory to.
"""

from __future__ import annotations

import dataclasses
import re
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from compare.cli import main
from compare.data.cases import get_case
from compare.training.batches import make_batches
from core import limits
from core.errors import InputError
from core.limits import Limits, check_net, param_count, using
from core.spec import parse_spec
from core.training import recorded, recorded_count
from scratch import evaluate
from scratch.init import init_params
from scratch.train import train

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTED = {
    "params": 10_000_000,
    "activations": 100_000_000,
    "layers": 100,
    "batch": 1_000_000,
    "steps": 1_000_000,
    "history": 10_000_000,
    "file_bytes": 256 * 2**20,
    "members": 1_000,
    "compression_ratio": 200,
    "repeats": 1_000,
    "block_ms": 10_000,
}
SPEC = parse_spec("2-3-2:tanh,softmax:cce")  # 9 + 8 = 17 parameters


def lowered(**changes: int) -> Limits:
    return dataclasses.replace(limits.DEFAULT, **changes)


def peak_bytes(call) -> int:
    """Peak traced allocation while ``call()`` raises InputError."""
    tracemalloc.start()
    try:
        with pytest.raises(InputError):
            call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_defaults_are_the_documented_ones():
    assert dataclasses.asdict(limits.DEFAULT) == DOCUMENTED
    assert limits.current() == limits.DEFAULT


def test_docs_state_every_limit_its_default_and_its_flag():
    text = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(--max-[a-z-]+)` \| ([\d,]+) \|", text, re.M))
    assert rows == {limits.flag(name): f"{value:,}" for name, value in DOCUMENTED.items()}
    assert "(docs/limits.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_param_count_by_hand():
    assert param_count(SPEC) == 3 * (2 + 1) + 2 * (3 + 1) == 17
    assert param_count(parse_spec("2-1000000-1000000-2:relu,relu,softmax:cce")) == 1_000_006_000_002


@pytest.mark.parametrize(
    "name, at_limit, over, call",
    [
        ("params", 17, 16, lambda: check_net(SPEC)),
        ("layers", 2, 1, lambda: check_net(SPEC)),
        ("activations", 5 * 5, 5 * 5 - 1, lambda: check_net(SPEC, 5)),  # m (n_1 + n_2) = 5 x (3 + 2)
        ("batch", 5, 4, lambda: check_net(SPEC, 5)),
    ],
)
def test_each_net_limit_accepts_its_bound_and_refuses_one_more(name, at_limit, over, call):
    with using(lowered(**{name: at_limit})):
        call()
    with using(lowered(**{name: over})), pytest.raises(InputError, match=re.escape(limits.flag(name))):
        call()
    call()  # the block is over: the defaults are back


def test_using_nests_and_restores():
    with using(lowered(params=5)):
        with using(lowered(params=50)):
            check_net(SPEC)
        with pytest.raises(InputError):
            check_net(SPEC)
    assert limits.current() is limits.DEFAULT


def test_the_python_api_refuses_a_huge_net_before_allocating():
    spec = parse_spec("2-1000000-1000000-2:relu,relu,softmax:cce")  # 7.28 TiB of float64 parameters
    assert peak_bytes(lambda: init_params(spec)) < 2**20
    X, y = np.zeros((3, 2)), np.zeros(3, dtype=int)
    with pytest.raises(InputError, match="1,000,006,000,002 parameters, expected at most 10,000,000"):
        evaluate(spec, {}, X, y)


def test_evaluate_refuses_a_batch_above_the_limit():
    params = init_params(SPEC)
    X, y = np.zeros((5, 2)), np.zeros(5, dtype=int)
    with using(lowered(batch=4)), pytest.raises(InputError, match=r"X: 5 rows, expected at most 4 \(--max-batch"):
        evaluate(SPEC, params, X, y)
    evaluate(SPEC, params, X, y)


def test_a_trillion_steps_are_refused_before_any_batch_is_built():
    assert peak_bytes(lambda: make_batches(300, None, steps=10**12)) < 2**16
    assert peak_bytes(lambda: make_batches(300, 1, epochs=10**8)) < 2**16
    with using(lowered(steps=3)):
        assert len(make_batches(300, 100, epochs=1)) == 3
        with pytest.raises(InputError, match="steps"):
            make_batches(300, 100, steps=4)


def test_recorded_count_is_what_recorded_keeps():
    for n in range(1, 40):
        for every in range(1, 45):
            assert recorded_count(n, every) == sum(recorded(k, n, every) for k in range(1, n + 1)), (n, every)


def test_training_refuses_a_history_above_the_limit():
    case = get_case("fish-2-4-3")  # 27 parameters
    batches = make_batches(len(case.X), None, steps=10)
    from core.optimizers import matched

    kwargs = dict(optimizer="sgd", hyper=matched("sgd", 0.1), batches=batches, every=1)
    with using(lowered(history=10 * 27)):
        train(case.spec, case.params, case.X, case.y, **kwargs)
    with using(lowered(history=10 * 27 - 1)), pytest.raises(InputError, match="10 recorded steps x 27 parameters"):
        train(case.spec, case.params, case.X, case.y, **kwargs)


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, True])
def test_seeds_numpy_refuses_are_input_errors(seed):
    with pytest.raises(InputError, match=r"seed: expected an integer in \[0, 4294967295\]"):
        init_params(SPEC, seed)
    with pytest.raises(InputError, match="seed"):
        get_case("worked-2-2-2", seed)  # published weights: the seed is unused, and still checked
    with pytest.raises(InputError, match="seed"):
        make_batches(10, 2, steps=3, seed=seed)


def test_non_finite_hyperparameters_are_input_errors():
    import math

    from core.optimizers import Hyperparameters
    from core.regularization import check_l2

    for bad in (math.inf, math.nan, 0.0, -1.0):
        with pytest.raises(InputError, match="learning_rate: expected a finite number > 0"):
            Hyperparameters(learning_rate=bad)
    for bad in (math.inf, math.nan, -1.0):
        with pytest.raises(InputError, match="l2: expected a finite lambda >= 0"):
            check_l2(bad, 5)
    with pytest.raises(InputError, match="epsilon: expected a finite number >= 0"):
        Hyperparameters(learning_rate=0.1, epsilon=math.inf)
    check_l2(0.0, 5)


def test_the_largest_seed_is_taken():
    assert init_params(SPEC, 2**32 - 1)["W1"].shape == (3, 2)


def run(argv, capsys):
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.err.strip()


@pytest.mark.parametrize(
    "argv, at_limit",
    [
        (["--arch", "worked-2-2-2", "--frameworks", "scratch", "--max-params"], 12),
        (["--arch", "worked-2-2-2", "--frameworks", "scratch", "--max-activations"], 4),
        (["train", "--arch", "worked-2-2-2", "--frameworks", "scratch", "--steps", "7", "--max-steps"], 7),
        (["train", "--arch", "worked-2-2-2", "--frameworks", "scratch", "--steps", "5", "--every", "1", "--max-history"], 60),
    ],
    ids=["params", "activations", "steps", "history"],
)
def test_each_flag_sets_its_limit(capsys, argv, at_limit):
    """worked-2-2-2: 12 parameters, 1 row x (2 + 2) activations; 5 steps x 12 parameters recorded."""
    assert run([*argv, str(at_limit), "--quiet"], capsys) == (0, "")
    code, err = run([*argv, str(at_limit - 1)], capsys)
    assert code == 2 and f"expected at most {at_limit - 1:,}" in err and argv[-1] in err
