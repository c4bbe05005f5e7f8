"""Every built-in case agrees with scratch in every framework and dtype (issue 2)."""

import pytest

from compare import registry
from compare.data.cases import CASES, get_case
from compare.parity.harness import first_divergence, run_case

FRAMEWORKS = registry.OTHERS
DTYPES = ("float64", "float32")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("case_name", list(CASES))
def test_framework_agrees_with_scratch(case_name, framework, dtype):
    result = run_case(get_case(case_name), dtype, [framework])
    checks = result.checks_for(framework)
    quantities = {c.quantity for c in checks}
    L = result.spec.n_layers
    # every forward value, the loss, every delta and every gradient was compared
    assert {f"a{L}", "loss", "delta1", "dW1", "db1", f"dW{L}"} <= quantities
    failed = first_divergence(checks)
    assert failed is None, f"{framework} first differs at {failed.quantity}: {failed}"


@pytest.mark.parametrize("case_name", list(CASES))
def test_float64_agreement_is_within_1e_10_relative(case_name):
    """Issue 2's done-when: float64 agreement <= 1e-10 relative on every nonzero entry."""
    result = run_case(get_case(case_name), "float64", FRAMEWORKS)
    worst = max(result.checks, key=lambda c: c.max_rel_err)
    assert worst.max_rel_err <= 1e-10, worst
