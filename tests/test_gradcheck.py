"""scratch's chain rule against central finite differences in float64 (an independent oracle)."""

import numpy as np
import pytest

from compare.data.cases import CASES, get_case
from scratch.gradcheck import numerical_gradients
from scratch.model import evaluate

# Central differences with h = 1e-6: truncation error ~h^2 |L'''| ~ 1e-12, rounding
# error ~eps |L| / h ~ 2e-10 for losses of order 1. atol 1e-8 sits above both,
# and far below any gradient bug (planted bugs change gradients by >= 1e-3 relative).
FD_RTOL, FD_ATOL = 1e-6, 1e-8


@pytest.mark.parametrize("case_name", list(CASES))
def test_backprop_matches_finite_differences(case_name):
    case = get_case(case_name)
    analytic = evaluate(case.spec, case.params, case.X, case.y, "float64").grads
    numeric = numerical_gradients(case.spec, case.params, case.X, case.y)
    for name in case.spec.param_shapes():
        np.testing.assert_allclose(analytic[name], numeric[name], rtol=FD_RTOL, atol=FD_ATOL, err_msg=name)


def test_finite_differences_see_a_wrong_gradient():
    """The oracle is not blind: a gradient off by 1% in one entry is caught."""
    case = get_case("worked-2-2-2")
    numeric = numerical_gradients(case.spec, case.params, case.X, case.y)
    wrong = evaluate(case.spec, case.params, case.X, case.y).grads["W1"].copy()
    wrong[0, 0] *= 1.01
    assert not np.allclose(wrong, numeric["W1"], rtol=FD_RTOL, atol=FD_ATOL)
