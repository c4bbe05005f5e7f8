"""Run one case through several implementations and compare them with scratch.

Comparison goes quantity by quantity in the order the maths computes them
(forward z_l, a_l per layer -> loss -> delta_l from the output down -> gradients),
so the first failing check names where two implementations part.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Iterable, Mapping

import numpy as np

from compare.cases import Case
from compare.tolerances import tolerance_for
from scratch.spec import Spec
from scratch.trace import Trace
from scratch.validate import check_inputs, check_params, check_targets

# Imported on first use, so that `--frameworks scratch` never imports torch or TensorFlow.
IMPLEMENTATIONS = {"scratch": "scratch.network", "torch": "torch_impl.model", "keras": "keras_impl.model"}
REFERENCE = "scratch"


def evaluate_with(framework: str, spec: Spec, params: Mapping[str, np.ndarray], X: np.ndarray, y: np.ndarray, dtype: str) -> Trace:
    """``<implementation>.evaluate(spec, params, X, y, dtype)`` for ``framework`` in IMPLEMENTATIONS."""
    module = importlib.import_module(IMPLEMENTATIONS[framework])
    return module.evaluate(spec, params, X, y, dtype)


@dataclass
class Check:
    """One quantity of one framework against the reference."""

    framework: str
    quantity: str
    max_abs_err: float
    max_rel_err: float
    atol: float
    rtol: float
    passed: bool


def compare_arrays(framework: str, quantity: str, actual: np.ndarray, expected: np.ndarray, dtype: str) -> Check:
    """Elementwise ``|actual - expected| <= atol + rtol |expected|`` with ``dtype``'s tolerances.

    ``max_rel_err`` is the largest ``|actual - expected| / |expected|`` over the
    elements where ``expected != 0``; elements where it is 0 are judged by atol.
    A shape mismatch fails with infinite errors.
    """
    tol = tolerance_for(dtype)
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if actual.shape != expected.shape:
        return Check(framework, quantity, float("inf"), float("inf"), tol.atol, tol.rtol, False)
    diff = np.abs(actual - expected)
    size = np.abs(expected)
    nonzero = size > 0
    max_abs = float(diff.max()) if diff.size else 0.0
    max_rel = float((diff[nonzero] / size[nonzero]).max()) if nonzero.any() else 0.0
    passed = bool(np.all(diff <= tol.atol + tol.rtol * size))  # NaN compares False: fails
    return Check(framework, quantity, max_abs, max_rel, tol.atol, tol.rtol, passed)


def compare_traces(framework: str, actual: Trace, expected: Trace, dtype: str) -> list[Check]:
    """One :class:`Check` per quantity of :meth:`Trace.quantities`, in computation order."""
    reference = dict(expected.quantities())
    return [
        compare_arrays(framework, name, value, reference[name], dtype)
        for name, value in actual.quantities()
        if name in reference
    ]


def first_divergence(checks: Iterable[Check]) -> Check | None:
    """The earliest failing check in computation order, or None when all pass."""
    return next((c for c in checks if not c.passed), None)


@dataclass
class CaseResult:
    """One case in one dtype: every framework's trace and its checks against scratch."""

    name: str
    spec: Spec
    dtype: str
    traces: dict[str, Trace]
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def checks_for(self, framework: str) -> list[Check]:
        return [c for c in self.checks if c.framework == framework]


def run_case(case: Case, dtype: str, frameworks: Iterable[str]) -> CaseResult:
    """Evaluate ``case`` with scratch and each of ``frameworks``; compare each with scratch.

    Inputs are checked once up front, so bad input fails before any framework is imported.

    Raises:
        InputError: bad weights or data for the case's spec.
    """
    params = check_params(case.spec, case.params, "float64")
    X = check_inputs(case.spec, case.X, "float64")
    y = check_targets(case.spec, case.y, X.shape[0], "float64")
    traces = {REFERENCE: evaluate_with(REFERENCE, case.spec, params, X, y, dtype)}
    result = CaseResult(case.name, case.spec, dtype, traces)
    for framework in frameworks:
        if framework == REFERENCE:
            continue
        traces[framework] = evaluate_with(framework, case.spec, params, X, y, dtype)
        result.checks += compare_traces(framework, traces[framework], traces[REFERENCE], dtype)
    return result
