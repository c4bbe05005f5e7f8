"""The tolerance table is pinned: a difference just above each bound is reported ✗, one just below it ✓.

The bounds are the documented ones (README "Tolerances", docs/tolerances.md), typed here, not
read from compare/parity/tolerances.py. Each pair of tests sits 1.5x above and 0.5x below one
bound, with the other bound negligible, so loosening either rtol or atol of either dtype by 10x
turns a ✗ into a ✓ and fails a test; so does a rule other than ``<=`` (numpy.isclose's).
"""

from __future__ import annotations

import numpy as np
import pytest
from rich.console import Console

from compare import registry
from compare.data.cases import get_case
from compare.parity import report
from compare.parity.harness import compare_arrays, run_case
from compare.parity.tolerances import TOLERANCES
from core.trace import Trace

DOCUMENTED = {"float64": {"rtol": 1e-10, "atol": 1e-12}, "float32": {"rtol": 1e-5, "atol": 1e-6}}
DTYPES = sorted(DOCUMENTED)
LARGE = 1e3  # |expected| where rtol decides: atol is 1e-5 (float64) or 1e-4 (float32) of rtol |expected|


def test_the_table_is_the_documented_one():
    assert {dtype: tol._asdict() for dtype, tol in TOLERANCES.items()} == DOCUMENTED


def verdict(dtype: str, expected: float, difference: float) -> bool:
    return compare_arrays("other", "q", np.array([expected + difference]), np.array([expected]), dtype).passed


@pytest.mark.parametrize("dtype", DTYPES)
def test_atol_decides_where_the_reference_is_zero(dtype):
    atol = DOCUMENTED[dtype]["atol"]
    assert verdict(dtype, 0.0, 1.5 * atol) is False  # passes if atol is loosened by 10x
    assert verdict(dtype, 0.0, -1.5 * atol) is False
    assert verdict(dtype, 0.0, 0.5 * atol) is True
    assert verdict(dtype, 0.0, atol) is True  # the bound itself agrees: |a - e| <= atol + rtol |e|


@pytest.mark.parametrize("dtype", DTYPES)
def test_rtol_decides_on_large_values(dtype):
    rtol = DOCUMENTED[dtype]["rtol"]
    assert verdict(dtype, LARGE, 1.5 * rtol * LARGE) is False  # passes if rtol is loosened by 10x
    assert verdict(dtype, -LARGE, -1.5 * rtol * LARGE) is False
    assert verdict(dtype, LARGE, 0.5 * rtol * LARGE) is True


def _shifted(trace: Trace, by: float) -> Trace:
    return Trace(trace.spec, dict(trace.z), dict(trace.a), trace.loss + by, dict(trace.delta), dict(trace.grads))


@pytest.mark.parametrize("factor, agrees", [(1.5, False), (0.5, True)], ids=["just-above", "just-below"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_the_report_marks_a_loss_just_past_its_bound(dtype, factor, agrees):
    """End to end: a framework whose loss is off by factor x (atol + rtol |loss|) is ✗ (or ✓) in the table and the JSON."""
    case = get_case("fish-2-4-3")
    other = registry.OTHERS[0]
    tol = DOCUMENTED[dtype]
    reference = registry.get(registry.REFERENCE).evaluate(case.spec, case.params, case.X, case.y, dtype)
    bound = tol["atol"] + tol["rtol"] * abs(reference.loss)

    def planted(spec, params, X, y, dt):
        return _shifted(registry.get(registry.REFERENCE).evaluate(spec, params, X, y, dt), factor * bound)

    result = run_case(case, dtype, [other], evaluators={other: planted})
    loss = next(c for c in result.checks if c.quantity == "loss")
    assert loss.passed is agrees and result.passed is agrees
    assert report.to_json([result])["passed"] is agrees
    console = Console(record=True, width=200)
    report.render_table([result], console)
    text = console.export_text()
    assert ("✓ agrees" in text) is agrees
    assert ("✗ first differs at loss" in text) is not agrees


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_a_nan_or_an_infinity_in_the_reference_makes_the_relative_error_nan_not_zero(bad):
    """The finite entries agree; the NaN or infinite one has no size, so the largest relative error is NaN (JSON null)."""
    check = compare_arrays("other", "z2", np.array([[bad, 1.0]]), np.array([[bad, 1.0]]), "float64")
    assert not check.passed and np.isnan(check.max_rel_err) and np.isnan(check.max_abs_err)
    assert check.worst is not None and check.worst[0] == (0, 0)
