"""Run one case through several implementations and compare them with scratch.

Comparison goes quantity by quantity in the order the maths computes them
(forward z_l, a_l per layer -> loss -> delta_l from the output down -> gradients),
so the first failing check names where two implementations part.

A net with batch norm or dropout runs in training and in inference mode. In training
mode each framework's dropout draws its own mask, and its batch norm stores its own
convention of the running variance (core.normalization); the harness hands both, read from
the framework's Trace, to scratch, and compares the framework with that scratch pass: the
comparison tests everything but the random stream (whose keep rate and scale
tests/test_dropout_statistics.py checks) and the one convention no framework lets us set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

import numpy as np

from compare import registry
from compare.data.cases import Case
from compare.parity.tolerances import tolerance_for
from core.normalization import MODES, TRAIN, check_mode
from core.spec import Spec
from core.trace import Trace
from core.trace import quantity_names as trace_quantity_names
from core.validate import check_inputs, check_params, check_targets

REFERENCE = registry.REFERENCE

# evaluate(spec, params, X, y, dtype, **mode) -> Trace, the signature every implementation's model module exports
Evaluate = Callable[..., Trace]


def evaluate_with(
    framework: str,
    spec: Spec,
    params: Mapping[str, np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    dtype: str,
    mode: str = TRAIN,
) -> Trace:
    """``<implementation>.model.evaluate(spec, params, X, y, dtype)`` for ``framework`` in the registry.

    ``mode`` is passed only for a net with batch norm or dropout (a plain net is the same in both).

    Raises:
        InputError: an unknown framework name, or bad input for the implementation.
    """
    trace: Trace = registry.get(framework).evaluate(spec, params, X, y, dtype, **mode_kwargs(spec, mode))
    return trace


def mode_kwargs(spec: Spec, mode: str) -> dict[str, object]:
    """``{"mode": mode}`` for a net with batch norm or dropout, ``{}`` for a plain one (called as before)."""
    return {"mode": mode} if spec.mode_dependent else {}


def replay_kwargs(trace: Trace) -> dict[str, object]:
    """What scratch needs to repeat a framework's pass: its mode, its dropout masks, its running-variance convention."""
    out: dict[str, object] = mode_kwargs(trace.spec, trace.mode)
    if trace.masks:
        out["masks"] = trace.masks
    if trace.running_variance:
        out["running_variance"] = trace.running_variance
    return out


def reference_for(
    trace: Trace, reference: Trace, evaluate: Evaluate, params: Mapping[str, np.ndarray], X: np.ndarray, y: np.ndarray, dtype: str
) -> Trace:
    """The scratch pass a framework's ``trace`` is compared with.

    ``reference`` itself for a plain net; else ``evaluate`` (scratch's) repeated with the
    framework's mode, masks and running-variance convention (:func:`replay_kwargs`).
    """
    if not trace.spec.mode_dependent:
        return reference
    return evaluate(trace.spec, params, X, y, dtype, **replay_kwargs(trace))


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
    # where max_rel_err was taken: (index, actual, expected) there; None when no entry of expected is nonzero
    worst: tuple[tuple[int, ...], float, float] | None = None


def compare_arrays(framework: str, quantity: str, actual: np.ndarray, expected: np.ndarray, dtype: str) -> Check:
    """Elementwise ``|actual - expected| <= atol + rtol |expected|`` with ``dtype``'s tolerances.

    ``max_rel_err`` is the largest ``|actual - expected| / |expected|`` over the
    elements where ``expected != 0``; elements where it is 0 are judged by atol.
    ``worst`` is that element's index and both values (the first of equals; a NaN ratio wins,
    as it makes ``max_rel_err`` NaN). A shape mismatch fails with infinite errors.
    """
    tol = tolerance_for(dtype)
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if actual.shape != expected.shape:
        return Check(framework, quantity, float("inf"), float("inf"), tol.atol, tol.rtol, False)
    with np.errstate(invalid="ignore"):  # inf - inf is NaN, as it should be: such a run is reported as not finite
        diff = np.abs(actual - expected)
    size = np.abs(expected)
    nonzero = ~(size == 0)  # a NaN counts: its ratio is NaN, and max_rel_err with it
    max_abs = float(diff.max()) if diff.size else 0.0
    max_rel, worst = 0.0, None
    if nonzero.any():
        with np.errstate(invalid="ignore"):  # NaN / NaN and inf / inf: NaN ratios
            relative = diff[nonzero] / size[nonzero]
        k = int(np.argmax(relative))  # argmax, like max, stops at the first NaN
        max_rel = float(relative[k])
        at = np.unravel_index(int(np.flatnonzero(nonzero)[k]), expected.shape)
        worst = (tuple(int(i) for i in at), float(actual[at]), float(expected[at]))
    passed = bool(np.all(diff <= tol.atol + tol.rtol * size))  # NaN compares False: fails
    return Check(framework, quantity, max_abs, max_rel, tol.atol, tol.rtol, passed, worst)


def quantity_names(spec: Spec, mode: str = TRAIN) -> list[str]:
    """Every quantity a full :class:`Trace` holds, in computation order (core.trace.quantity_names).

    ``z1, a1, ..., zL, aL, loss, deltaL, ..., delta1, dWL, dbL, ..., dW1, db1`` for a plain net
    (the order of :meth:`Trace.quantities`).
    """
    return trace_quantity_names(spec, mode)


def describe_quantity(quantity: str, spec: Spec | None = None) -> str:
    """Where a quantity sits in the network, in words: ``"z1"`` -> ``"layer 1 pre-activation"``.

    With ``spec``, the last layer's activation is called the output.
    """
    if quantity == "loss":
        return "the loss"
    if quantity == "output":
        return "the output a_L"
    for prefix, words in (
        ("running_mean", "batch norm's running mean after the pass"),
        ("running_var", "batch norm's running variance after the pass"),
        ("delta", "delta (backward)"),
        ("dgamma", "batch norm scale gradient"),
        ("dbeta", "batch norm shift gradient"),
        ("dW", "weight gradient"),
        ("db", "bias gradient"),
        ("bn", "batch norm output (the activation's input)"),
        ("mask", "dropout keep mask"),
        ("h", "activation (before dropout)"),
        ("z", "pre-activation" if spec is None or not spec.mode_dependent else "linear map output"),
        ("a", "activation" if spec is None or not spec.has_dropout else "output (after any dropout)"),
    ):
        layer = quantity[len(prefix) :]
        if quantity.startswith(prefix) and layer.isdigit():
            if prefix == "a" and spec is not None and int(layer) == spec.n_layers:
                words = "activation = output"
            return f"layer {layer} {words}"
    return quantity


def _missing(framework: str, quantity: str, dtype: str) -> Check:
    """A quantity only one side reports (e.g. a dropped bias gradient) fails with infinite errors."""
    tol = tolerance_for(dtype)
    return Check(framework, quantity, float("inf"), float("inf"), tol.atol, tol.rtol, False)


def compare_traces(framework: str, actual: Trace, expected: Trace, dtype: str) -> list[Check]:
    """One :class:`Check` per quantity, in computation order (:func:`quantity_names`).

    A quantity present in one trace but missing from the other fails (infinite
    errors), so that a dropped gradient cannot pass by being absent.
    """
    got, reference = dict(actual.quantities()), dict(expected.quantities())
    checks = []
    for name in quantity_names(expected.spec, expected.mode):
        if name in got and name in reference:
            checks.append(compare_arrays(framework, name, got[name], reference[name], dtype))
        elif name in got or name in reference:
            checks.append(_missing(framework, name, dtype))
    return checks


def first_divergence(checks: Iterable[Check]) -> Check | None:
    """The earliest failing check in computation order, or None when all pass."""
    return next((c for c in checks if not c.passed), None)


@dataclass(repr=False)
class CaseResult:
    """One case in one dtype: every framework's trace and its checks against scratch.

    ``repr(result)`` is one line (case, dtype, mode, how many checks passed, the first that
    failed); ``result._repr_html_()`` a table of each framework's checks for a notebook.
    """

    name: str
    spec: Spec
    dtype: str
    traces: dict[str, Trace]
    checks: list[Check] = field(default_factory=list)
    mode: str = TRAIN
    references: dict[str, Trace] = field(default_factory=dict)  # framework -> the scratch pass it was compared with

    @property
    def non_finite(self) -> list[str]:
        """``framework:quantity`` of every quantity holding NaN or inf (an overflow), in computation order."""
        return [
            f"{framework}:{name}"
            for framework, trace in self.traces.items()
            for name, value in trace.quantities()
            if not np.all(np.isfinite(value))
        ]

    @property
    def finite(self) -> bool:
        """Every number of every trace is finite: NaN or inf proves nothing, even where both sides agree."""
        return not self.non_finite

    @property
    def passed(self) -> bool:
        """Every number is finite and every check passed."""
        return self.finite and all(c.passed for c in self.checks)

    def checks_for(self, framework: str) -> list[Check]:
        """The checks of one framework, in computation order."""
        return [c for c in self.checks if c.framework == framework]

    def __repr__(self) -> str:
        """``CaseResult(spiral-2-4-3 float64 train: 28 of 28 checks pass, torch, keras)``."""
        good = sum(c.passed for c in self.checks)
        failed = next((c for c in self.checks if not c.passed), None)
        first = "" if failed is None else f"; first ✗ {failed.framework} {failed.quantity} (max rel err {failed.max_rel_err:.1e})"
        finite = "" if self.finite else "; not finite"
        frameworks = ", ".join(fw for fw in self.traces if fw != REFERENCE)
        counts = f"{good} of {len(self.checks)} checks pass"
        return f"CaseResult({self.name} {self.dtype} {self.mode}: {counts}{first}{finite}, {frameworks})"

    def _repr_html_(self) -> str:
        """An HTML table for notebooks: one row per quantity, one column per framework, ✓/✗ and the max relative error."""
        import html

        frameworks = list(dict.fromkeys(c.framework for c in self.checks))
        head = "".join(f"<th>{html.escape(fw)}</th>" for fw in frameworks)
        rows = []
        for quantity in dict.fromkeys(c.quantity for c in self.checks):
            cells = {
                c.framework: f"{'✓' if c.passed else '✗'} {c.max_rel_err:.1e}" for c in self.checks if c.quantity == quantity
            }
            rows.append(
                f"<tr><td>{html.escape(quantity)}</td>" + "".join(f"<td>{cells.get(fw, '')}</td>" for fw in frameworks) + "</tr>"
            )
        return f"<table><caption>{html.escape(repr(self))}</caption><tr><th>quantity</th>{head}</tr>{''.join(rows)}</table>"


def _checked(case: Case) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    params = check_params(case.spec, case.params, "float64")
    X = check_inputs(case.spec, case.X, "float64")
    return params, X, check_targets(case.spec, case.y, X.shape[0], "float64")


def modes_of(spec: Spec) -> tuple[str, ...]:
    """The modes a parity run covers: training and inference for a net with batch norm or dropout, else one."""
    return MODES if spec.mode_dependent else (TRAIN,)


Run = tuple[Case, str] | tuple[Case, str, str]  # (case, dtype) or (case, dtype, mode)


def run_cases(
    runs: Sequence[Run],
    frameworks: Iterable[str],
    evaluators: Mapping[str, Evaluate] | None = None,
    after_submit: Callable[[], object] | None = None,
    on_result: Callable[[CaseResult], object] | None = None,
) -> list[CaseResult]:
    """:func:`run_case` for every ``(case, dtype[, mode])`` of ``runs``, the workers' share started first.

    Every input is checked before anything runs. Implementations that run in a worker
    process (compare.registry) get all their requests at once and answer them while this
    process computes its own; the results come back in the order of ``runs``. Each
    framework is compared with the scratch pass :func:`reference_for` gives it.
    ``after_submit`` runs once the workers have their requests and before this process
    evaluates (the CLI imports its own frameworks there, while the workers compute);
    ``on_result`` runs after each result (the CLI's progress lines).

    Raises:
        InputError: bad weights or data for a case's spec, or a bad mode (before any evaluation).
    """
    evaluators = dict(evaluators or {})
    frameworks = [fw for fw in registry.with_reference(frameworks)]
    full = [(run[0], run[1], check_mode(run[2]) if len(run) > 2 else TRAIN) for run in runs]
    inputs = [_checked(case) for case, _, _ in full]
    futures: list[dict[str, Future[Trace]]] = [{} for _ in full]
    for framework in frameworks:  # the workers' share first, so that they work while we do
        impl = registry.get(framework)
        if framework not in evaluators and not impl.runs_here():
            for pending, (case, dtype, mode), (params, X, y) in zip(futures, full, inputs, strict=True):
                pending[framework] = impl.submit_evaluate(case.spec, params, X, y, dtype, **mode_kwargs(case.spec, mode))
    if after_submit is not None:
        after_submit()
    results = []
    for pending, (case, dtype, mode), (params, X, y) in zip(futures, full, inputs, strict=True):
        traces: dict[str, Trace] = {}
        kwargs = mode_kwargs(case.spec, mode)
        for framework in frameworks:
            if framework in pending:
                traces[framework] = pending[framework].result()
            elif framework in evaluators:
                traces[framework] = evaluators[framework](case.spec, params, X, y, dtype, **kwargs)
            else:
                traces[framework] = evaluate_with(framework, case.spec, params, X, y, dtype, mode)
        scratch = evaluators.get(REFERENCE, registry.get(REFERENCE).evaluate)
        results.append(_checked_result(case, dtype, mode, traces, scratch, (params, X, y)))
        if on_result is not None:
            on_result(results[-1])
    return results


def _checked_result(
    case: Case,
    dtype: str,
    mode: str,
    traces: dict[str, Trace],
    scratch: Evaluate,
    inputs: tuple[dict[str, np.ndarray], np.ndarray, np.ndarray],
) -> CaseResult:
    """The CaseResult of ``traces``: each framework checked against the scratch pass :func:`reference_for` gives it."""
    params, X, y = inputs
    result = CaseResult(case.name, case.spec, dtype, traces, mode=mode)
    for framework in list(traces)[1:]:
        reference = reference_for(traces[framework], traces[REFERENCE], scratch, params, X, y, dtype)
        result.references[framework] = reference
        result.checks += compare_traces(framework, traces[framework], reference, dtype)
    return result


def run_case(
    case: Case, dtype: str, frameworks: Iterable[str], evaluators: Mapping[str, Evaluate] | None = None, mode: str = TRAIN
) -> CaseResult:
    """Evaluate ``case`` with scratch and each of ``frameworks``; compare each with scratch.

    Inputs are checked once up front, so bad input fails before any framework is imported.
    ``evaluators`` optionally replaces an implementation's ``evaluate`` by name, e.g.
    ``{"scratch": planted_bug}`` to check that the comparison catches a wrong reference
    (tests/planted_bugs.py). ``mode`` matters only for a net with batch norm or dropout.

    Raises:
        InputError: bad weights or data for the case's spec.
    """
    return run_cases([(case, dtype, mode)], frameworks, evaluators)[0]
