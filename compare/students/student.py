"""Check a student's own backprop against scratch, PyTorch and Keras, and say what is wrong.

The student writes one function (docs/students.md)::

    def backprop(params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray) -> tuple[float, dict[str, np.ndarray]]

or a chain ``forward,cost,backward`` (compare.students.calling), returning the loss
(optional) and the gradients in any form compare.students.returns reads, in one of the
layouts of :mod:`compare.students.conventions`, for the batch or (``per_sample``) for
one sample at a time, as a mean or a sum over the samples, with or without an L2 term.
:func:`check_file` runs the file in a sandbox process (compare.students.sandbox);
:func:`check_function` calls a function of this process. Both translate the answer to
the canonical layout at the mean's scale, compare it with each framework's float64
:class:`~core.trace.Trace` (``compare.parity.harness.evaluate_with``) using
``compare.parity.harness.compare_arrays``, and on a mismatch ask
:mod:`compare.students.hints` why. ``fd`` also checks the student's own loss by central
finite differences (scratch.gradcheck.central_differences).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from compare import registry
from compare.data.cases import CASES, Case, get_case
from compare.parity.harness import Check, compare_arrays, evaluate_with
from compare.students import conventions
from compare.students.hints import DTYPE, Expected, Hint, agrees, diagnose, expected_for, gradient_order
from compare.students.l2 import FORMS, L2Term
from compare.students.returns import StudentOutput, read_returned
from compare.students.sandbox import DEFAULT_TIMEOUT, InProcess, Sandbox, load_in_process, shown
from core.errors import InputError
from core.spec import Spec, parse_spec
from core.validate import prepare
from scratch.gradcheck import central_differences
from scratch.init import DEFAULT_SEED, init_params

DEFAULT_FUNCTION = "backprop"
BATCH_SIZE = 5  # the seeded batch: m > 2, so a forgotten 1/m (x m) is told apart from a missing 1/2 (x 2)
REDUCTIONS = ("mean", "sum")
# --fd: central differences of the student's loss in float64 with h = 1e-6 (tests/test_gradcheck.py's oracle):
# truncation ~h^2 |L'''| ~ 1e-12, rounding ~eps |L| / h ~ 2e-10 |L|; atol 1e-8 |L| sits above both and far below a bug.
FD_STEP, FD_RTOL, FD_ATOL = 1e-6, 1e-6, 1e-8

StudentFunction = Callable[..., Any]


class Runner(Protocol):
    """What runs the student's code: compare.students.sandbox.Sandbox or InProcess."""

    label: str

    @property
    def output(self) -> str:
        """What the code printed."""
        ...

    def call(self, params: object, X: np.ndarray, y: np.ndarray, n_layers: int, l2: float | None, layout: str = "") -> object:
        """One call; the return value as plain data."""
        ...

    def calls(
        self, params: object, samples: Sequence[tuple[np.ndarray, np.ndarray]], n_layers: int, l2: float | None, layout: str = ""
    ) -> list[object]:
        """One call per sample."""
        ...


# ---------------------------------------------------------------------------------------------
# The target and the options


def split_target(target: str) -> tuple[Path, tuple[str, ...]]:
    """``"path/file.py:func"`` -> ``(Path("path/file.py"), ("func",))``; ``:forward,cost,backward`` names a chain.

    The function defaults to ``backprop``.
    """
    path, sep, names = target.rpartition(":")
    functions = tuple(n.strip() for n in names.split(","))
    if sep and path and all(n.isidentifier() for n in functions):
        return Path(path), functions
    return Path(target), (DEFAULT_FUNCTION,)


def _checked_path(target: str) -> tuple[Path, tuple[str, ...]]:
    path, names = split_target(target)
    if path.suffix != ".py":
        raise InputError(f"{shown(target)}: expected a Python file FILE.py[:FUNCTION], got {shown(path.name)}")
    if not path.is_file():
        raise InputError(f"{shown(path)}: no such file")
    return path, names


def load_function(target: str) -> StudentFunction:
    """Import ``FILE.py[:FUNCTION]`` into this process and return the function. This runs the file's code.

    Raises:
        InputError: the file is missing or not .py, running it fails (one line with file:line), or the function is missing.
    """
    path, names = _checked_path(target)
    return load_in_process(path, names[:1]).functions[0]


@dataclass(frozen=True)
class CheckOptions:
    """How the student's code is called and read (each is a ``check`` flag, docs/students.md).

    Attributes:
        convention: the layout (compare.students.conventions.CONVENTIONS).
        per_sample: call once per sample with that layout's single-sample shapes.
        reduction: ``"mean"`` or ``"sum"``: what the loss and gradients are over the samples.
        l2: lambda of an L2 term in the loss, or None.
        l2_form: ``"lectures"`` (lambda/(2m) sum W^2) or ``"batch"`` (1/2 lambda sum W^2).
        names: the student's names for the parameters (a :class:`~compare.students.conventions.Names`
            or its ``--names`` text).
        fd: check the student's loss by central finite differences.

    Raises:
        InputError: any value out of its choices or range.
    """

    convention: str = "canonical"
    per_sample: bool = False
    reduction: str = "mean"
    l2: float | None = None
    l2_form: str = "lectures"
    names: conventions.Names | str = field(default_factory=conventions.Names)
    fd: bool = False

    def __post_init__(self) -> None:
        """Check every value before any student code runs."""
        if self.convention not in conventions.CONVENTIONS:
            raise InputError(f"--convention {self.convention!r}: choose from {', '.join(conventions.CONVENTIONS)}")
        if self.reduction not in REDUCTIONS:
            raise InputError(f"--reduction {self.reduction!r}: choose from {', '.join(REDUCTIONS)}")
        if self.l2_form not in FORMS:
            raise InputError(f"--l2-form {self.l2_form!r}: choose from {', '.join(FORMS)}")
        if self.l2 is not None and not (math.isfinite(self.l2) and self.l2 >= 0):
            raise InputError(f"--l2: expected a finite lambda >= 0, got {self.l2}")
        if isinstance(self.names, str):
            object.__setattr__(self, "names", conventions.parse_names(self.names))

    @property
    def student_names(self) -> conventions.Names:
        """:attr:`names`, parsed."""
        assert isinstance(self.names, conventions.Names)
        return self.names

    @property
    def l2_term(self) -> L2Term | None:
        """The L2 term asked for, or None."""
        return None if self.l2 is None else L2Term(self.l2, self.l2_form)


# ---------------------------------------------------------------------------------------------
# Running it in the student's layout


def _combine(outputs: list[StudentOutput], spec: Spec) -> StudentOutput:
    """The mean of per-sample outputs (the mean's scale whatever the reduction: a sum / m is the mean)."""
    first = outputs[0]
    for name in first.grads:
        shapes = {o.grads[name].shape for o in outputs}
        if len(shapes) > 1:
            raise InputError(f"--per-sample: your d{name} changes shape from sample to sample ({', '.join(map(str, shapes))})")
    loss = None if any(o.loss is None for o in outputs) else float(np.mean([o.loss for o in outputs]))
    grads = {p: np.mean([o.grads[p] for o in outputs], axis=0) for p in first.grads}
    raw = {p: np.mean([o.raw[p] for o in outputs], axis=0) for p in first.raw}
    return StudentOutput(loss, grads, raw, f"{first.how}; called once per sample")


def run_student(
    runner: Runner | StudentFunction,
    spec: Spec,
    params: Mapping[str, np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    options: CheckOptions | None = None,
) -> StudentOutput:
    """Call the student's code on fresh copies in its layout; its answer, canonical, at the mean's scale.

    Args:
        runner: a :class:`Runner`, or a function of this process.
        spec: the architecture.
        params: canonical float64 parameters, as prepared by :func:`core.validate.prepare`.
        X: canonical ``(m, n_0)`` inputs.
        y: prepared canonical targets.
        options: the layout, per-sample calls, reduction, L2 and names (default: canonical, batch, mean).

    Raises:
        InputError: the code fails (one line with the student's file:line), or returns a form not understood.
    """
    options = options or CheckOptions()
    active: Runner = runner if not callable(runner) else InProcess([runner], f"{getattr(runner, '__name__', 'the function')}()")
    convention, names = options.convention, options.student_names
    student_params = conventions.params_to(convention, params, names)
    layout = conventions.describe(convention, spec, options.per_sample)
    L, m = spec.n_layers, X.shape[0]
    if not options.per_sample:
        X_student, y_student = conventions.inputs_to(convention, X), conventions.targets_to(convention, spec, y)
        returned = active.call(student_params, X_student, y_student, L, options.l2, layout)
        output = read_returned(returned, spec, convention, names)
        return output.scaled(m) if options.reduction == "sum" else output
    samples = [conventions.sample_to(convention, spec, X, y, i) for i in range(m)]
    returned_each = active.calls(student_params, samples, L, options.l2, layout)
    return _combine([read_returned(returned, spec, convention, names) for returned in returned_each], spec)


# ---------------------------------------------------------------------------------------------
# The cases a check runs on


def seeded_case(spec: Spec, seed: int = DEFAULT_SEED, m: int = BATCH_SIZE, params: dict[str, np.ndarray] | None = None) -> Case:
    """A small batch for ``spec`` from ``RandomState(seed)``: X ~ N(0, 1), weights from ``init_params`` (or ``params``).

    Targets: cce labels cycling through every class, bce 0/1 alternating, sse/mse uniform in [0.01, 0.99].
    """
    rng = np.random.RandomState(seed)
    X = rng.randn(m, spec.sizes[0])
    n_out = spec.sizes[-1]
    if spec.loss == "cce":
        y = rng.permutation(np.arange(m) % n_out)
    elif spec.loss == "bce":
        y = np.arange(m) % 2
    else:
        y = rng.uniform(0.01, 0.99, size=(m, n_out))
    weights = params if params is not None else init_params(spec, seed)
    return Case(f"{spec} seeded batch (m={m})", spec, weights, X, y, source=f"RandomState({seed})")


def _arch_error(arch: str) -> InputError:
    return InputError(f"--arch {arch!r} is neither a built-in case ({', '.join(CASES)}) nor a SPEC like 2-4-3:relu,softmax:cce")


def cases_for(
    arch: str, seed: int = DEFAULT_SEED, weights: str | None = None, data: str | None = None, label: str | None = None
) -> list[Case]:
    """The built-in case ``arch``, or every built-in case whose spec is the SPEC ``arch``; or the student's own.

    ``weights`` (``.npz`` / ``.safetensors``, canonical ``W1, b1, ...``) replaces the cases'
    weights; ``data`` (``.npz``, ``.safetensors`` or a CSV with a header, compare.data.files.load_data_file)
    replaces a built-in case's data, or with a SPEC makes the one case checked. A seeded batch
    of m = 5 is added whenever no chosen case has m > 2: the lecture examples have m = 1,
    where a forgotten 1/m cannot show.

    Raises:
        InputError: ``arch`` is neither a built-in case nor a valid SPEC, or a file is unreadable.
    """
    from compare.data.files import load_data_file, load_weights

    params = load_weights(weights) if weights else None
    arrays = load_data_file(data, label) if data else None
    if arch in CASES:
        cases = [get_case(arch, seed)]
        spec = cases[0].spec
    elif ":" in arch:
        spec = parse_spec(arch)
        if arrays is not None:
            cases = [Case(f"{spec} on {shown(data)}", spec, init_params(spec, seed), arrays[0], arrays[1], source="user")]
        else:
            cases = [case for case in (get_case(name, seed) for name in CASES) if case.spec == spec]
    else:
        raise _arch_error(arch)
    for case in cases:
        if params is not None:
            case.params = params
        if arrays is not None:
            case.X, case.y = arrays
    if not any(np.asarray(case.X).shape[0] > 2 for case in cases):
        cases.append(seeded_case(spec, seed, params=params))
    return cases


# ---------------------------------------------------------------------------------------------
# The check


@dataclass
class CaseCheck:
    """The student's function on one case.

    Attributes:
        student: what it returned, canonical, at the mean's scale.
        expected: scratch's answer at the mean's scale (with the L2 term asked for).
        scale: m when the student's code sums over the samples (``--reduction sum``), else 1:
            the student's own numbers are ``scale`` times ``student``'s.
        checks: one :class:`Check` per framework and quantity (``loss``, ``dW2``, ``db2``, ...),
            the student's value against that framework's.
        hints: why it differs from scratch (empty when it agrees).
    """

    case: str
    spec: Spec
    m: int
    student: StudentOutput
    expected: Expected | None = None
    scale: float = 1.0
    checks: list[Check] = field(default_factory=list)
    hints: list[Hint] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Every check passed."""
        return all(c.passed for c in self.checks)

    def first_wrong(self) -> str | None:
        """The first quantity (loss, dW_L, db_L, ..., dW1, db1) that disagrees with scratch, or None."""
        return next((c.quantity for c in self.checks if c.framework == registry.REFERENCE and not c.passed), None)


@dataclass
class FiniteDifferences:
    """``--fd``: the student's gradients against central finite differences of the student's own loss.

    Attributes:
        case: the case it ran on (the smallest wrong one).
        loss_right: whether the student's loss agrees with scratch's.
        disagree: the gradients that differ from the finite differences of the student's loss.
        message: the finding, one line.
    """

    case: str
    loss_right: bool
    disagree: tuple[str, ...]
    message: str


@dataclass
class CheckResult:
    """A student's function on every case of one architecture.

    Renders as a compact table: ``repr(result)`` as text, ``result._repr_html_()`` in a notebook,
    and as a rich table with ``rich.print(result)`` (compare.students.report).
    """

    target: str
    convention: str
    frameworks: tuple[str, ...]
    cases: list[CaseCheck]
    options: CheckOptions = field(default_factory=CheckOptions)
    printed: str = ""
    fd: FiniteDifferences | None = None

    @property
    def passed(self) -> bool:
        """Every case passed."""
        return all(c.passed for c in self.cases)

    @property
    def hints(self) -> list[Hint]:
        """Every distinct hint over all cases (by key and parameters), in first-seen order."""
        seen: dict[tuple[str, tuple[str, ...]], Hint] = {}
        for case in self.cases:
            for hint in case.hints:
                seen.setdefault((hint.key, hint.params), hint)
        return list(seen.values())

    @property
    def loss_judged(self) -> bool:
        """Whether the function returned a loss (otherwise only the gradients are judged)."""
        return all(case.student.loss is not None for case in self.cases)

    @property
    def how(self) -> str:
        """How the return value was read (compare.students.returns), from the first case."""
        return self.cases[0].student.how if self.cases else ""

    def first_wrong(self) -> tuple[CaseCheck, str] | None:
        """The first case that is wrong, and its first wrong quantity; None when everything agrees."""
        for case in self.cases:
            quantity = case.first_wrong()
            if quantity is not None:
                return case, quantity
        return None

    def __repr__(self) -> str:
        from compare.students.report import text_summary

        return text_summary(self)

    def _repr_html_(self) -> str:
        from compare.students.report import html_summary

        return html_summary(self)

    def __rich__(self) -> Any:
        from compare.students.report import rich_summary

        return rich_summary(self)


def check_case(
    runner: Runner | StudentFunction,
    case: Case,
    options: CheckOptions | str = "canonical",
    frameworks: Iterable[str] = registry.NAMES,
) -> CaseCheck:
    """Run the student's code on ``case``; compare its loss and gradients with every framework; diagnose.

    Raises:
        InputError: bad case data, or the code fails or returns a form not understood.
    """
    options = CheckOptions(convention=options) if isinstance(options, str) else options
    params, X, y = prepare(case.spec, case.params, case.X, case.y, DTYPE)
    m = X.shape[0]
    output = run_student(runner, case.spec, params, X, y, options)
    frameworks = registry.with_reference(frameworks)  # scratch is the reference for the hints
    scale = float(m) if options.reduction == "sum" else 1.0
    result = CaseCheck(case.name, case.spec, m, output, scale=scale)
    for framework in frameworks:
        trace = evaluate_with(framework, case.spec, params, X, y, DTYPE)
        expected = expected_for(trace, params, m, options.l2_term)
        if framework == registry.REFERENCE:
            result.expected = expected
        if output.loss is not None:
            result.checks.append(compare_arrays(framework, "loss", np.asarray(output.loss), np.asarray(expected.loss), DTYPE))
        for p in gradient_order(case.spec):
            result.checks.append(compare_arrays(framework, f"d{p}", output.grads[p], expected.grads[p], DTYPE))
    assert result.expected is not None
    result.hints = diagnose(
        case.spec, params, X, y, output.loss, output.grads, result.expected, options.convention, options.reduction, output.raw
    )
    return result


def finite_differences(runner: Runner | StudentFunction, case: Case, options: CheckOptions) -> FiniteDifferences:
    """Central finite differences of the student's own loss (scratch.gradcheck.central_differences) against its gradients.

    If the loss is wrong, that is said first: the derivatives of a wrong loss cannot
    judge the gradients. If the loss is right and the gradients are not its derivatives,
    the mistake is in the backward pass.

    Raises:
        InputError: the function returns no loss, or fails.
    """
    params, X, y = prepare(case.spec, case.params, case.X, case.y, DTYPE)
    output = run_student(runner, case.spec, params, X, y, options)
    if output.loss is None:
        raise InputError("--fd differentiates your loss, but your function returns only gradients; return (loss, grads)")

    def loss_of(perturbed: Mapping[str, np.ndarray]) -> float:
        loss = run_student(runner, case.spec, perturbed, X, y, options).loss
        assert loss is not None
        return loss

    numeric = central_differences(loss_of, params, FD_STEP)
    expected = expected_for(
        evaluate_with(registry.REFERENCE, case.spec, params, X, y, DTYPE), params, X.shape[0], options.l2_term
    )
    loss_right = agrees(np.asarray(output.loss), np.asarray(expected.loss))
    atol = FD_ATOL * max(1.0, abs(output.loss))
    order = gradient_order(case.spec)
    disagree = tuple(
        p
        for p in order
        if output.grads[p].shape != numeric[p].shape
        or not np.allclose(output.grads[p], numeric[p], rtol=FD_RTOL, atol=atol, equal_nan=False)
    )
    names = ", ".join(f"d{p}" for p in disagree)
    if not loss_right:
        consistent = (
            f"your {names} are not its derivatives either"
            if disagree
            else "your gradients are its derivatives, so they follow it"
        )
        message = (
            f"--fd on {case.name}: your loss itself is wrong ({output.loss:.10g}, the {case.spec.loss} loss of these weights is "
            f"{expected.loss:.10g}): fix it first; {consistent}"
        )
    elif disagree:
        message = (
            f"--fd on {case.name}: your loss is right, but your {names} are not its derivatives "
            f"(central finite differences, h = {FD_STEP:g}): the mistake is in the backward pass"
        )
    else:
        message = f"--fd on {case.name}: your loss is right and your gradients are its derivatives (central finite differences)"
    return FiniteDifferences(case.name, loss_right, disagree, message)


def _fd_case(cases: list[Case], checks: list[CaseCheck]) -> Case:
    """The smallest wrong case (each loss evaluation runs the whole case), or the smallest case."""
    wrong = [case for case, check in zip(cases, checks, strict=True) if not check.passed]
    return min(wrong or cases, key=lambda case: np.asarray(case.X).shape[0])


def _run_checks(
    runner: Runner, arch: str, options: CheckOptions, frameworks: tuple[str, ...], cases: list[Case], target: str
) -> CheckResult:
    checks = [check_case(runner, case, options, frameworks) for case in cases]
    fd = finite_differences(runner, _fd_case(cases, checks), options) if options.fd else None
    return CheckResult(target, options.convention, frameworks, checks, options, runner.output, fd)


def _options(convention: str, settings: Mapping[str, Any]) -> CheckOptions:
    try:
        return CheckOptions(convention=convention, **settings)
    except TypeError:
        unknown = sorted(set(settings) - set(CheckOptions.__dataclass_fields__))
        raise InputError(
            f"unknown option {', '.join(unknown)}; choose from {', '.join(CheckOptions.__dataclass_fields__)}"
        ) from None


def check_function(
    function: StudentFunction,
    arch: str,
    convention: str = "canonical",
    frameworks: Iterable[str] = registry.NAMES,
    seed: int = DEFAULT_SEED,
    target: str | None = None,
    *,
    weights: str | None = None,
    data: str | None = None,
    label: str | None = None,
    **settings: Any,
) -> CheckResult:
    """Check ``function`` (of this process; prints captured, no timeout) on every case of ``arch`` (see :func:`cases_for`).

    Args:
        function: ``backprop(params, X, y)`` in the student's layout (compare.students.calling binds other names).
        arch: a built-in case or a SPEC.
        convention: the layout.
        frameworks: which implementations to compare with (scratch always runs).
        seed: weights of cases without published ones.
        target: the name shown in the report.
        weights: a weights file replacing the cases' weights.
        data: a data file (``.npz``, ``.safetensors``, CSV with a header).
        label: the CSV's label column(s).
        **settings: the other :class:`CheckOptions` fields (``per_sample``, ``reduction``, ``l2``, ``l2_form``,
            ``names``, ``fd``).

    Returns:
        A :class:`CheckResult`, which renders as a table in a terminal and in a notebook.

    Raises:
        InputError: unknown arch, option or framework, an unreadable file, or the function fails or returns a form
            not understood (one line, with the student's file:line).
    """
    options = _options(convention, settings)
    frameworks = _validate(arch, frameworks)
    cases = cases_for(arch, seed, weights, data, label)
    label_text = target or f"{getattr(function, '__name__', 'function')}()"
    return _run_checks(InProcess([function], label_text), arch, options, frameworks, cases, label_text)


def _validate(arch: str, frameworks: Iterable[str]) -> tuple[str, ...]:
    """Arguments checked before the student's file runs."""
    frameworks = tuple(frameworks)
    for framework in frameworks:
        registry.get(framework)  # raises InputError for an unknown name
    if arch not in CASES:
        if ":" not in arch:
            raise _arch_error(arch)
        parse_spec(arch)
    spec = get_case(arch).spec if arch in CASES else parse_spec(arch)
    dropped = [l for l in range(1, spec.n_layers + 1) if (spec.dropout_rate(l) or 0) > 0]
    if dropped:
        raise InputError(
            f"--arch {arch}: layer {dropped[0]} has dropout, whose random mask your function cannot know; "
            "check the net without dropout (batch norm is fine: it is deterministic in training mode)"
        )
    return frameworks


def check_file(
    target: str,
    arch: str,
    convention: str = "canonical",
    frameworks: Iterable[str] = registry.NAMES,
    seed: int = DEFAULT_SEED,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    sandbox: bool = True,
    weights: str | None = None,
    data: str | None = None,
    label: str | None = None,
    **settings: Any,
) -> CheckResult:
    """:func:`check_function` on ``FILE.py[:FUNCTION]`` or ``FILE.py:forward,cost,backward``.

    Every argument and file is checked before the student's file runs. With ``sandbox``
    (the default, and the CLI's), the file runs in its own process with its folder first on
    ``sys.path``, its prints captured, and ``timeout`` seconds for its top-level code and for
    each call; ``sandbox=False`` imports it into this process (faster, no timeout).

    Raises:
        InputError: as :func:`check_function`; also a missing file or function, and a file that
            fails to load, exits or hangs (one line, with the student's file:line).
    """
    options = _options(convention, settings)
    frameworks = _validate(arch, frameworks)
    if not (math.isfinite(timeout) and timeout > 0):
        raise InputError(f"--timeout: expected a number of seconds > 0, got {timeout}")
    path, names = _checked_path(target)
    cases = cases_for(arch, seed, weights, data, label)
    for case in cases:
        conventions.check_names(options.student_names, case.spec)
    if not sandbox:
        return _run_checks(load_in_process(path, names), arch, options, frameworks, cases, target)
    with Sandbox(path, names, timeout) as runner:
        return _run_checks(runner, arch, options, frameworks, cases, target)
