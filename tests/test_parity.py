"""Every built-in case agrees with scratch in every framework and dtype."""

import numpy as np
import pytest

from compare import registry
from compare.data.cases import CASES, get_case
from compare.parity.harness import first_divergence, modes_of, quantity_names, run_case

FRAMEWORKS = registry.OTHERS
DTYPES = ("float64", "float32")
CANCELLATION = 1e-6  # an entry below this fraction of its quantity's largest entry is the difference of near-equal sums


CASE_MODES = [
    pytest.param(name, mode, id=name if len(modes_of(get_case(name).spec)) == 1 else f"{name}-{mode}")
    for name in CASES
    for mode in modes_of(get_case(name).spec)
]  # a case with batch norm or dropout runs in training and in inference mode


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize(("case_name", "mode"), CASE_MODES)
def test_framework_agrees_with_scratch(case_name, mode, framework, dtype):
    result = run_case(get_case(case_name), dtype, [framework], mode=mode)
    checks = result.checks_for(framework)
    # every forward value, the loss, every delta and every gradient was compared, in computation order
    assert [c.quantity for c in checks] == quantity_names(result.spec, mode)
    failed = first_divergence(checks)
    assert failed is None, f"{framework} first differs at {failed.quantity}: {failed}"


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize(("case_name", "mode"), CASE_MODES)
def test_float64_agreement_is_within_1e_10_relative(case_name, mode, framework):
    """float64: every entry within 1e-10 relative, except entries cancelled to a millionth of their quantity's scale.

    Such an entry (a delta or bias gradient summing terms of opposite sign) carries the absolute
    rounding of its terms; test_cancelled_entries_are_within_rounding_of_the_exact_value shows on
    one that scratch and the framework are both that far from the exact value. With dropout each
    framework is measured against scratch on that framework's own masks (result.references).
    """
    result = run_case(get_case(case_name), "float64", [framework], mode=mode)
    reference = dict(result.references[framework].quantities())
    for name, value in result.traces[framework].quantities():
        expected = np.asarray(reference[name], dtype=np.float64)
        kept = np.abs(expected) > CANCELLATION * np.abs(expected).max()
        rel = np.abs(np.asarray(value, dtype=np.float64)[kept] - expected[kept]) / np.abs(expected[kept])
        assert rel.size == 0 or rel.max() <= 1e-10, (framework, name, rel.max())


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_cancelled_entries_are_within_rounding_of_the_exact_value(framework):
    """iris delta1[118, 1] = sum_r W2[r, 1] delta2[118, r] cancels from terms ~0.1 to 1.5e-8.

    Computed with 200-bit floats (mpmath) from the same float64 inputs, the exact value is
    1.46248419160443e-8; every implementation's float64 value lies within 2e-9 relative of it
    (a few ulp of the terms), so a relative difference of that size between two of them says
    nothing about which is right. Measured: scratch 1.7e-9, Keras on JAX 1.3e-9.
    """
    from mpmath import mp, mpf

    case = get_case("iris-2-4-3")
    mp.prec = 200
    W1, b1, W2, b2 = ([[mpf(float(v)) for v in row] for row in np.atleast_2d(case.params[k])] for k in ("W1", "b1", "W2", "b2"))
    x = [mpf(float(v)) for v in case.X[118]]
    z1 = [sum(W1[k][q] * x[q] for q in range(2)) + b1[0][k] for k in range(4)]
    a1 = [v if v > 0 else mpf(0) for v in z1]
    z2 = [sum(W2[k][q] * a1[q] for q in range(4)) + b2[0][k] for k in range(3)]
    e = [mp.exp(v - max(z2)) for v in z2]
    delta2 = [e[k] / sum(e) - (1 if k == int(case.y[118]) else 0) for k in range(3)]
    exact = sum(W2[k][1] * delta2[k] for k in range(3))
    assert z1[1] > 0 and abs(exact) < 2e-8  # the ReLU passes it, and it is a cancelled entry
    result = run_case(case, "float64", [framework])
    assert set(result.traces) == {registry.REFERENCE, framework}
    for name, trace in result.traces.items():
        assert abs(mpf(float(trace.delta[1][118, 1])) - exact) / abs(exact) < 2e-9, name
