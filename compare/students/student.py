"""Check a student's own backprop against scratch, PyTorch and Keras, and say what is wrong.

The student writes one function (docs/students.md)::

    def backprop(params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray) -> tuple[float, dict[str, np.ndarray]]

returning the loss (a mean over the m samples) and the gradients, keyed like the
parameters (``W1, b1, ...``; ``dW1, db1, ...`` also accepted), in one of the
layouts of :mod:`compare.students.conventions`. :func:`check_function` runs it on the
built-in cases that match an architecture, translates its gradients to the
canonical layout, compares loss and gradients with each framework's float64
:class:`~core.trace.Trace` (``compare.parity.harness.evaluate_with``) using
``compare.parity.harness.compare_arrays``, and on a mismatch asks :mod:`compare.students.hints` why.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from compare import registry
from compare.data.cases import CASES, Case, get_case
from compare.parity.harness import Check, compare_arrays, evaluate_with
from compare.students import conventions
from compare.students.hints import DTYPE, Hint, diagnose_grads, diagnose_loss
from core.errors import InputError
from core.spec import Spec, parse_spec
from core.validate import prepare
from scratch.init import DEFAULT_SEED, init_params

DEFAULT_FUNCTION = "backprop"
BATCH_SIZE = 5  # the seeded batch: m > 2, so a forgotten 1/m (x m) is told apart from a missing 1/2 (x 2)

StudentFunction = Callable[[dict, np.ndarray, np.ndarray], tuple]


# ---------------------------------------------------------------------------------------------
# Loading the student's file


def split_target(target: str) -> tuple[Path, str]:
    """``"path/file.py:func"`` -> ``(Path("path/file.py"), "func")``; the function defaults to ``backprop``."""
    path, sep, name = target.rpartition(":")
    if sep and name.isidentifier() and path:
        return Path(path), name
    return Path(target), DEFAULT_FUNCTION


def load_function(target: str) -> StudentFunction:
    """Import ``FILE.py[:FUNCTION]`` and return the function. This runs the file's code.

    Raises:
        InputError: the file is missing or not .py, running it raises, or the function is missing.
    """
    path, name = split_target(target)
    if path.suffix != ".py":
        raise InputError(f"{target}: expected a Python file FILE.py[:FUNCTION], got {path.name!r}")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    module_name = f"student_{path.stem}_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise InputError(f"{path}: cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # so that dataclasses and pickling inside the file work
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - the student's file: any failure is bad input
        sys.modules.pop(module_name, None)
        raise InputError(f"{path}: running the file raised {type(exc).__name__}: {_one_line(exc)}") from None
    function = getattr(module, name, None)
    if not callable(function):
        found = sorted(n for n, v in vars(module).items() if callable(v) and getattr(v, "__module__", None) == module_name)
        raise InputError(
            f"{path}: no function {name!r} (functions defined there: {', '.join(found) or 'none'}); name it with {path}:FUNCTION"
        )
    return function


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or "(no message)"


# ---------------------------------------------------------------------------------------------
# Running it in the student's layout


@dataclass
class StudentOutput:
    """What the student's function returned, translated to canonical: loss and ``grads["W1"]`` (n_1, n_0) ..."""

    loss: float
    grads: dict[str, np.ndarray]


def run_student(
    function: StudentFunction,
    spec: Spec,
    params: Mapping[str, np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    convention: str = "canonical",
) -> StudentOutput:
    """Call ``function`` on fresh copies in ``convention``'s layout; translate its answer to canonical.

    Args:
        function: the student's ``backprop(params, X, y) -> (loss, grads)``.
        spec: the architecture.
        params: canonical float64 parameters, as prepared by :func:`core.validate.prepare`.
        X: canonical ``(m, n_0)`` inputs.
        y: prepared canonical targets.
        convention: the student's layout (compare.students.conventions).

    Raises:
        InputError: the function raises, or returns something other than ``(loss, grads)``.
    """
    args = (
        conventions.params_to(convention, params),
        conventions.inputs_to(convention, X),
        conventions.targets_to(convention, spec, y),
    )
    name = getattr(function, "__name__", "the function")
    try:
        returned = function(*args)
    except Exception as exc:  # noqa: BLE001 - the student's code
        raise InputError(
            f"{name}() raised {type(exc).__name__}: {_one_line(exc)} -- with --convention {convention} "
            f"it receives {conventions.describe(convention, spec)}; is that the layout it expects?"
        ) from None
    if not isinstance(returned, (tuple, list)) or len(returned) != 2:
        raise InputError(
            f"{name}() must return (loss, grads), got {type(returned).__name__}"
            + (f" of length {len(returned)}" if isinstance(returned, (tuple, list)) else "")
        )
    loss, grads = returned
    try:
        loss_array = np.asarray(loss, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{name}(): the loss must be a number, got {type(loss).__name__}") from None
    if loss_array.size != 1:
        raise InputError(f"{name}(): the loss must be one number (a mean over the samples), got shape {loss_array.shape}")
    return StudentOutput(float(loss_array.reshape(())), conventions.grads_from(convention, spec, grads))


# ---------------------------------------------------------------------------------------------
# The cases a check runs on


def seeded_case(spec: Spec, seed: int = DEFAULT_SEED, m: int = BATCH_SIZE) -> Case:
    """A small batch for ``spec`` from ``RandomState(seed)``: X ~ N(0, 1), weights from ``init_params``.

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
    return Case(f"{spec} seeded batch (m={m})", spec, init_params(spec, seed), X, y, source=f"RandomState({seed})")


def cases_for(arch: str, seed: int = DEFAULT_SEED) -> list[Case]:
    """The built-in case ``arch``, or every built-in case whose spec is the SPEC ``arch``.

    A seeded batch of m = 5 is added whenever no chosen case has m > 2: the lecture
    examples have m = 1, where a forgotten 1/m cannot show.

    Raises:
        InputError: ``arch`` is neither a built-in case nor a valid SPEC.
    """
    if arch in CASES:
        cases = [get_case(arch, seed)]
        spec = cases[0].spec
    elif ":" in arch:
        spec = parse_spec(arch)
        cases = [case for case in (get_case(name, seed) for name in CASES) if case.spec == spec]
    else:
        raise InputError(
            f"--arch {arch!r} is neither a built-in case ({', '.join(CASES)}) nor a SPEC like 2-4-3:relu,softmax:cce"
        )
    if not any(np.asarray(case.X).shape[0] > 2 for case in cases):
        cases.append(seeded_case(spec, seed))
    return cases


# ---------------------------------------------------------------------------------------------
# The check


@dataclass
class CaseCheck:
    """The student's function on one case.

    Attributes:
        checks: one :class:`Check` per framework and quantity (``loss``, ``dW2``, ``db2``, ...),
            the student's value against that framework's.
        hints: why it differs from scratch (empty when it agrees).
    """

    case: str
    spec: Spec
    m: int
    student: StudentOutput
    checks: list[Check] = field(default_factory=list)
    hints: list[Hint] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Every check passed."""
        return all(c.passed for c in self.checks)


@dataclass
class CheckResult:
    """A student's function on every case of one architecture."""

    target: str
    convention: str
    frameworks: tuple[str, ...]
    cases: list[CaseCheck]

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


def check_case(
    function: StudentFunction, case: Case, convention: str = "canonical", frameworks: Iterable[str] = registry.NAMES
) -> CaseCheck:
    """Run ``function`` on ``case``; compare its loss and gradients with every framework; diagnose.

    Raises:
        InputError: bad case data, or the function fails or returns the wrong type.
    """
    params, X, y = prepare(case.spec, case.params, case.X, case.y, DTYPE)
    output = run_student(function, case.spec, params, X, y, convention)
    frameworks = registry.with_reference(frameworks)  # scratch is the reference for the hints
    result = CaseCheck(case.name, case.spec, X.shape[0], output)
    traces = {framework: evaluate_with(framework, case.spec, params, X, y, DTYPE) for framework in frameworks}
    reference = traces[registry.REFERENCE]
    for framework, trace in traces.items():
        result.checks.append(compare_arrays(framework, "loss", np.asarray(output.loss), np.asarray(trace.loss), DTYPE))
        for l in range(case.spec.n_layers, 0, -1):
            for p in (f"W{l}", f"b{l}"):
                result.checks.append(compare_arrays(framework, f"d{p}", output.grads[p], trace.grads[p], DTYPE))
    loss_hint = diagnose_loss(case.spec, X.shape[0], output.loss, reference.loss)
    result.hints = ([loss_hint] if loss_hint else []) + diagnose_grads(
        case.spec, params, X, y, output.grads, reference, convention
    )
    return result


def check_function(
    function: StudentFunction,
    arch: str,
    convention: str = "canonical",
    frameworks: Iterable[str] = registry.NAMES,
    seed: int = DEFAULT_SEED,
    target: str | None = None,
) -> CheckResult:
    """Check ``function`` on every case of ``arch`` (see :func:`cases_for`).

    Raises:
        InputError: unknown arch or convention, or the function fails or returns the wrong type.
    """
    frameworks = _validate(arch, convention, frameworks)
    cases = [check_case(function, case, convention, frameworks) for case in cases_for(arch, seed)]
    return CheckResult(target or str(getattr(function, "__name__", "function")), convention, frameworks, cases)


def _validate(arch: str, convention: str, frameworks: Iterable[str]) -> tuple[str, ...]:
    """Arguments checked before the student's file runs."""
    if convention not in conventions.CONVENTIONS:
        raise InputError(f"--convention {convention!r}: choose from {', '.join(conventions.CONVENTIONS)}")
    frameworks = tuple(frameworks)
    for framework in frameworks:
        registry.get(framework)  # raises InputError for an unknown name
    if arch not in CASES:
        if ":" not in arch:
            raise InputError(
                f"--arch {arch!r} is neither a built-in case ({', '.join(CASES)}) nor a SPEC like 2-4-3:relu,softmax:cce"
            )
        parse_spec(arch)
    return frameworks


def check_file(
    target: str, arch: str, convention: str = "canonical", frameworks: Iterable[str] = registry.NAMES, seed: int = DEFAULT_SEED
) -> CheckResult:
    """:func:`check_function` on ``FILE.py[:FUNCTION]`` (loaded with :func:`load_function`).

    The arguments are checked before the file runs.
    """
    _validate(arch, convention, frameworks)
    return check_function(load_function(target), arch, convention, frameworks, seed, target)
