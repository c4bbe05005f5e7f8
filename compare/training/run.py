"""Train one case with several implementations from identical weights, data and batches; compare with scratch.

Every implementation gets the same initial canonical parameters, the same index
batches (compare.training.batches) and the same hyperparameters (core.optimizers.matched),
and returns a :class:`core.training.TrainResult`. The checks compare, for each
framework against scratch: the recorded loss history, the loss on the whole
dataset after the last step, and every final parameter (compare.parity.harness.compare_arrays,
so the tolerances are compare/parity/tolerances.py's).

With batch norm or dropout each framework trains first, drawing its own dropout masks (one
per step and layer) and storing its own running-variance convention; scratch then trains
again with that framework's masks and convention, and the framework is checked against that
run (:attr:`TrainingRun.references`). The running statistics are among the final parameters,
and the inference-mode output on the whole dataset is checked too. With ``--framework-defaults``
the frameworks' batch norms get their own defaults too, while scratch keeps the matched ones
and the textbook (unbiased) running variance: the drift that remains has these causes.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from compare import registry
from compare.data.cases import Case
from compare.parity.harness import REFERENCE, Check, compare_arrays
from compare.parity.tolerances import tolerance_for
from compare.training.batches import make_batches, steps_per_epoch
from core.early_stopping import EarlyStopping, Validation
from core.early_stopping import validation_split as validation_split_rows
from core.errors import InputError
from core.normalization import MATCHED, BatchNormSettings
from core.optimizers import Hyperparameters, check_name, matched
from core.optimizers import optimizer as optimizer_record
from core.schedules import CONSTANT, Schedule, make_schedule
from core.training import StepCallback, TrainResult
from core.validate import check_inputs, check_params, check_targets


def default_learning_rate(optimizer: str, case_learning_rate: float) -> float:
    """eta used when none is given (core.optimizers.OptimizerRecord.default_learning_rate)."""
    return optimizer_record(optimizer).default_learning_rate(case_learning_rate)


def representable_l2(l2: float, n: int, frameworks: Iterable[str]) -> float:
    """The lambda nearest ``l2`` that every one of ``frameworks`` holds exactly (each one's regularization module).

    Raises:
        InputError: a framework cannot hold ``l2`` at all (its setting overflows).
    """
    if l2 == 0.0:  # no penalty: every framework holds 0 (and none needs importing to say so)
        return 0.0
    for framework in frameworks:
        with np.errstate(over="ignore"):  # an overflow is reported below, as one line
            held = registry.get(framework).module("regularization").representable_l2(l2, n)
        if not math.isfinite(held):  # e.g. lambda / (2 n) beyond the float32 that Keras holds it in
            raise InputError(
                f"l2: {framework} cannot hold lambda = {l2:g} for n = {n} (its setting overflows); expected a smaller lambda"
            )
        l2 = held
    return l2


@dataclass
class TrainingRun:
    """One case, one optimizer, one dtype: each implementation's result and its checks against scratch."""

    name: str
    case: Case
    dtype: str
    optimizer: str
    hyper: Hyperparameters
    framework_defaults: bool
    batch_size: int | None
    l2_requested: float
    l2_used: float
    freeze_biases: bool
    results: dict[str, TrainResult] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    references: dict[str, TrainResult] = field(default_factory=dict)  # framework -> the scratch run it was checked with
    drift: list[DriftCause] = field(default_factory=list)  # --framework-defaults with batch norm: the drift, cause by cause
    schedule: Schedule = CONSTANT
    velocity_drift: dict[str, float] = field(default_factory=dict)  # framework -> its parameters against the lectures' form
    eta_differs_at: dict[str, int] = field(default_factory=dict)  # framework -> the first step whose eta differs
    validation_rows: np.ndarray | None = None  # the held-out rows, with a validation split
    early_stopping: EarlyStopping | None = None

    @property
    def steps(self) -> int:
        """The number of steps trained."""
        return self.results[REFERENCE].steps[-1]

    @property
    def finite(self) -> bool:
        """Every recorded loss, final loss and final parameter of every implementation is finite."""
        return all(
            np.all(np.isfinite(result.loss_history))
            and np.isfinite(result.final_loss)
            and all(np.all(np.isfinite(value)) for value in result.final_params.values())
            for result in self.results.values()
        )

    @property
    def passed(self) -> bool:
        """Every number is finite (NaN or inf proves nothing) and every check passed."""
        return self.finite and all(c.passed for c in self.checks)

    def checks_for(self, framework: str) -> list[Check]:
        """The checks of one framework."""
        return [c for c in self.checks if c.framework == framework]

    def reference_for(self, framework: str) -> TrainResult:
        """The scratch run ``framework`` is checked against (scratch's own, for a plain net)."""
        return self.references.get(framework, self.results[REFERENCE])


BATCH_NORM_FIELDS = (("new_weight", "momentum"), ("epsilon", "eps"), ("running_variance", "variance"))
DRIFT_RTOL = 1e-9  # a setting this close to scratch's (Keras's 1 - 0.9 = 0.09999999999999998) only rounds differently


def drift_causes(framework: TrainResult, reference: TrainResult) -> list[str]:
    """The batch-norm settings in which a framework differs from the scratch run it is checked with (momentum, eps, ...)."""
    mine, theirs = framework.batch_norm, reference.batch_norm
    causes = []
    for key, words in BATCH_NORM_FIELDS:
        if key not in mine or key not in theirs:
            continue
        a, b = mine[key], theirs[key]
        if isinstance(a, float) and isinstance(b, float):
            if abs(a - b) > DRIFT_RTOL * abs(b):
                causes.append(words)
        elif a != b:
            causes.append(words)
    return causes


@dataclass
class DriftCause:
    """One row of the batch-norm drift by cause: a run against the matched scratch run, on one framework's masks.

    Attributes:
        framework: whose masks (and whose batch-norm settings) the row is about.
        cause: ``"momentum"``, ``"eps"``, ``"variance"``, ``"all"`` (scratch with every one of the
            framework's batch-norm settings), ``"framework"`` (the framework's own run) or
            ``"rest"`` (the framework against scratch with all its batch-norm settings: what the
            batch norms do not explain, e.g. the optimizer's defaults).
        setting: the change, e.g. ``"w 0.1 -> 0.01"``.
        checks: ``running_mean_l``, ``running_var_l`` and ``final_output`` (inference mode), max relative differences.
    """

    framework: str
    cause: str
    setting: str
    checks: list[Check]


def _drift_checks(framework: str, actual: TrainResult, expected: TrainResult, dtype: str) -> list[Check]:
    """The running statistics and the inference-mode output of ``actual`` against ``expected``."""
    names = [name for name in expected.final_params if name.startswith(("running_mean", "running_var"))]
    checks = [compare_arrays(framework, name, actual.final_params[name], expected.final_params[name], dtype) for name in names]
    if actual.final_output is not None and expected.final_output is not None:
        checks.append(compare_arrays(framework, "final_output", actual.final_output, expected.final_output, dtype))
    return checks


def batch_norm_drift(framework: str, result: TrainResult, matched_run: TrainResult, rerun: Any, dtype: str) -> list[DriftCause]:
    """The drift of ``framework``'s running statistics and inference output from ``matched_run``, cause by cause.

    scratch is trained again on the framework's masks with one of the framework's batch-norm
    settings at a time (its new-batch weight, its eps, its running-variance convention), then with
    all of them; ``rerun(**kwargs)`` is that scratch run. The last two rows are the framework's own
    drift and what is left of it against scratch with all its settings (~1e-15 when the optimizers
    are matched: the named causes are the whole story).
    """
    causes = drift_causes(result, matched_run)
    if not causes:
        return []
    held = result.batch_norm
    w, eps, variance = float(str(held["new_weight"])), float(str(held["epsilon"])), str(held["running_variance"])
    theirs = BatchNormSettings(new_weight=w, epsilon=eps)
    settings: dict[str, tuple[str, dict[str, Any]]] = {
        "momentum": (f"w {MATCHED.new_weight:g} -> {w:.6g}", {"batch_norm": BatchNormSettings(w, MATCHED.epsilon)}),
        "eps": (f"eps {MATCHED.epsilon:g} -> {eps:g}", {"batch_norm": BatchNormSettings(MATCHED.new_weight, eps)}),
        "variance": (f"{matched_run.running_variance} -> {variance}", {"running_variance": variance}),
    }
    rows = [
        DriftCause(
            framework, cause, settings[cause][0], _drift_checks(framework, rerun(**settings[cause][1]), matched_run, dtype)
        )
        for cause in causes
    ]
    every_setting = rerun(batch_norm=theirs, running_variance=variance)
    rows.append(
        DriftCause(framework, "all", "scratch with all of the above", _drift_checks(framework, every_setting, matched_run, dtype))
    )
    rows.append(
        DriftCause(framework, "framework", f"{framework}'s own run", _drift_checks(framework, result, matched_run, dtype))
    )
    rows.append(
        DriftCause(
            framework,
            "rest",
            f"{framework} vs scratch with all",
            _drift_checks(framework, result, every_setting, dtype),
        )
    )
    return rows


def train_with(framework: str, case: Case, **kwargs: Any) -> TrainResult:
    """``<implementation>.train.train(spec, params, X, y, **kwargs)`` for ``framework`` in the registry."""
    result: TrainResult = registry.get(framework).train(case.spec, case.params, case.X, case.y, **kwargs)
    return result


def first_difference(actual: Sequence[float], expected: Sequence[float]) -> int | None:
    """The first step k (1-based) whose eta differs beyond float64's tolerance, None if none does (or the runs' lengths differ).

    eta is a float64 number in every implementation (a Python float in torch, a float64 tensor in Keras).
    """
    tol = tolerance_for("float64")
    if len(actual) != len(expected):  # other steps (fit's own batches, another stopping epoch): no step to name
        return None
    a, e = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    bad = np.flatnonzero(~(np.abs(a - e) <= tol.atol + tol.rtol * np.abs(e)))
    return int(bad[0]) + 1 if bad.size else None


def compare_results(framework: str, actual: TrainResult, expected: TrainResult, dtype: str) -> list[Check]:
    """The learning rates (with a schedule), loss history, final loss, then each final parameter, against the reference."""
    etas = []
    if len(set(expected.learning_rates)) > 1 or len(set(actual.learning_rates)) > 1:  # a schedule
        etas = [
            compare_arrays(
                framework, "learning_rate", np.array(actual.learning_rates), np.array(expected.learning_rates), "float64"
            )
        ]
    checks = etas + [
        compare_arrays(framework, "loss_history", np.array(actual.loss_history), np.array(expected.loss_history), dtype),
        compare_arrays(framework, "final_loss", np.array(actual.final_loss), np.array(expected.final_loss), dtype),
    ]
    checks += [
        compare_arrays(framework, name, actual.final_params[name], value, dtype) for name, value in expected.final_params.items()
    ]
    if expected.final_output is not None and actual.final_output is not None:  # batch norm or dropout: inference mode's
        checks.append(compare_arrays(framework, "final_output", actual.final_output, expected.final_output, dtype))
    if expected.validation_losses:
        checks.append(
            compare_arrays(
                framework, "validation_loss", np.array(actual.validation_losses), np.array(expected.validation_losses), dtype
            )
        )
    if expected.best_epoch is not None:  # early stopping: the same epochs, exactly
        for quantity in ("stopped_epoch", "best_epoch"):
            mine, theirs = getattr(actual, quantity), getattr(expected, quantity)
            checks.append(compare_arrays(framework, quantity, np.array(mine or 0.0), np.array(theirs or 0.0), "float64"))
    return checks


def normwise_difference(actual: TrainResult, expected: TrainResult) -> float:
    """||theta_actual - theta_expected|| / ||theta_expected|| over every final parameter together (2-norms)."""
    names = list(expected.final_params)
    difference = sum(float(np.sum((actual.final_params[n] - expected.final_params[n]) ** 2)) for n in names)
    size = sum(float(np.sum(expected.final_params[n] ** 2)) for n in names)
    return math.sqrt(difference / size) if size else math.sqrt(difference)


def param_divergence(actual: TrainResult, expected: TrainResult) -> np.ndarray:
    """Per recorded step, the largest |actual - expected| / |expected| over all parameters (0-valued entries skipped).

    Computed in float64 whatever the run's dtype, as the checks are (compare_arrays).
    """
    out = []
    for mine, theirs in zip(actual.param_history, expected.param_history, strict=True):
        worst = 0.0
        for name, held in theirs.items():
            value = np.asarray(held, dtype=np.float64)
            size = np.abs(value)
            nonzero = size > 0
            if nonzero.any():
                difference = np.abs(np.asarray(mine[name], dtype=np.float64) - value)
                worst = max(worst, float((difference[nonzero] / size[nonzero]).max()))
        out.append(worst)
    return np.array(out)


def divergences(run: TrainingRun) -> dict[str, np.ndarray]:
    """Per framework but scratch, :func:`param_divergence` from the scratch run it is checked against, per recorded step.

    A framework that recorded other steps (``model.fit``'s own batches, an early stop elsewhere) has
    no step-by-step divergence and is left out. The curves of ``--plot``'s divergence.png and the
    train JSON's ``divergence``.
    """
    return {
        framework: param_divergence(result, run.reference_for(framework))
        for framework, result in run.results.items()
        if framework != REFERENCE and result.steps == run.reference_for(framework).steps
    }


def run_training(case: Case, **options: Any) -> TrainingRun:
    """Train ``case`` with scratch and each framework, compare each with scratch: :func:`start_training`'s options, finished."""
    return finish_training(start_training(case, **options))


@dataclass
class TrainingJob:
    """A training comparison begun by :func:`start_training`: its run, and what :func:`finish_training` needs."""

    run: TrainingRun
    frameworks: tuple[str, ...]
    common: dict[str, Any]
    theirs: Any  # Hyperparameters, or a mapping asking for the frameworks' own defaults
    on_step: StepCallback | None
    pending: dict[str, Future[TrainResult]]  # framework -> its result, being computed in its worker

    def cancel(self) -> None:
        """Drop the worker requests that have not started (after an error or Ctrl-C)."""
        for future in self.pending.values():
            future.cancel()


def start_training(
    case: Case,
    *,
    optimizer: str,
    dtype: str,
    frameworks: Iterable[str],
    learning_rate: float | None = None,
    batch_size: int | None = None,
    steps: int | None = None,
    epochs: int | None = None,
    l2: float = 0.0,
    freeze_biases: bool = False,
    framework_defaults: bool = False,
    seed: int = 0,
    every: int = 1,
    on_step: StepCallback | None = None,
    schedule: str = "constant",
    schedule_options: Mapping[str, Any] | None = None,
    validation_split: float | None = None,
    early_stopping: EarlyStopping | None = None,
) -> TrainingJob:
    """Begin training ``case`` with scratch and each of ``frameworks`` on the same batches, to compare each with scratch.

    Every input is checked here; the frameworks that run in a worker process (a second Keras
    backend) are queued in it now and train while this process goes on (several jobs started
    one after another overlap); :func:`finish_training` trains the rest and does the checks.

    scratch always runs with :func:`core.optimizers.matched` hyperparameters.
    ``l2`` is used as given unless a framework cannot hold it exactly (Keras); then every
    implementation uses :func:`representable_l2` of it (``run.l2_requested``, ``run.l2_used``).
    With ``framework_defaults`` the frameworks get their own defaults instead
    (``torch_impl.optimizers.own_defaults``, ``keras_impl.optimizers.own_defaults``;
    eta too unless ``learning_rate`` is given).
    ``schedule`` names a learning-rate schedule (core.schedules) and ``schedule_options`` its
    ``unit``, ``gamma``, ``decay_steps`` and ``eta_min``; every implementation gets the same one.
    A framework whose momentum keeps eta outside its velocity (torch) is checked against scratch
    in that form when eta changes (``run.velocity_drift``: how far the lectures' form is).
    ``validation_split``: that fraction of the rows is held out (core.early_stopping.validation_split,
    seeded by ``seed``), the batches take the rest, every implementation records the validation
    loss after each epoch and, with ``early_stopping``, stops by its rule; the stopping epoch, the
    best epoch and the validation losses are checked too. Both need ``epochs``.

    Raises:
        InputError: bad weights, data, optimizer or batch settings, before any framework is imported.
    """
    check_name(optimizer)
    params = check_params(case.spec, case.params, "float64")
    X = check_inputs(case.spec, case.X, "float64")
    y = check_targets(case.spec, case.y, X.shape[0], "float64")
    checked = dataclasses.replace(case, params=params, X=X, y=y)
    rows, held_out = _split(X.shape[0], validation_split, early_stopping, epochs, seed)
    batches = [rows[b] for b in make_batches(rows.size, batch_size, steps=steps, epochs=epochs, seed=seed)]
    per_epoch = steps_per_epoch(rows.size, batch_size)
    eta = learning_rate if learning_rate is not None else default_learning_rate(optimizer, case.learning_rate)
    chosen = make_schedule(
        schedule,
        steps=len(batches),
        steps_per_epoch=per_epoch,
        learning_rate=eta,
        **{"unit": "step", **(schedule_options or {})},
    )
    hyper = matched(optimizer, eta)
    frameworks = registry.with_reference(frameworks)
    l2_used = representable_l2(l2, X.shape[0], frameworks)
    # a mapping instead of Hyperparameters asks each framework for its own defaults, except eta when given
    theirs = ({} if learning_rate is None else {"learning_rate": learning_rate}) if framework_defaults else hyper
    run = TrainingRun(case.name, checked, dtype, optimizer, hyper, framework_defaults, batch_size, l2, l2_used, freeze_biases)
    run.schedule = chosen
    common: dict[str, Any] = dict(
        optimizer=optimizer, batches=batches, l2=l2_used, freeze_biases=freeze_biases, dtype=dtype, every=every
    )
    if not chosen.constant:
        common["schedule"] = chosen
    if held_out is not None:
        common["validation"] = Validation(held_out, per_epoch, early_stopping)
        run.validation_rows, run.early_stopping = held_out, early_stopping
    modal = case.spec.mode_dependent
    if modal:
        common["seed"] = seed  # the dropout stream too

    job = TrainingJob(run, frameworks, common, theirs, on_step, {})
    for framework in frameworks:
        impl = registry.get(framework)
        if framework != REFERENCE and not impl.runs_here():
            args, kwargs = _train_args(job, framework)
            job.pending[framework] = impl.submit_train(*args, **kwargs)
    return job


def _train_args(job: TrainingJob, framework: str) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """``(args, kwargs)`` of ``framework``'s train call in ``job``."""
    run = job.run
    # None: the framework's own batch-norm defaults (torch_impl.layers, keras_impl.layers)
    batch_norm = {"batch_norm": None if run.framework_defaults else MATCHED} if run.case.spec.mode_dependent else {}
    case = run.case
    return (case.spec, case.params, case.X, case.y), dict(hyper=job.theirs, on_step=job.on_step, **job.common, **batch_norm)


def finish_training(job: TrainingJob) -> TrainingRun:
    """Train scratch and the frameworks that run here, collect the workers' results, check each against scratch.

    Raises:
        InputError: a framework refused the input, or its worker failed.
    """
    run = job.run
    try:
        run.results[REFERENCE] = train_with(REFERENCE, run.case, hyper=run.hyper, on_step=job.on_step, **job.common)
        for framework in job.frameworks:
            if framework == REFERENCE:
                continue
            if framework in job.pending:
                run.results[framework] = job.pending[framework].result()
            else:
                args, kwargs = _train_args(job, framework)
                run.results[framework] = registry.get(framework).train(*args, **kwargs)
            _check(run, framework, job.common)
    except BaseException:
        job.cancel()
        raise
    return run


def _check(run: TrainingRun, framework: str, common: dict[str, Any]) -> None:
    """Check ``framework``'s result in ``run`` against scratch (its replayed run where it needs one)."""
    checked, hyper, dtype, framework_defaults = run.case, run.hyper, run.dtype, run.framework_defaults
    modal = checked.spec.mode_dependent
    velocity = _velocity_replay(run.results[framework], run.results[REFERENCE], run.schedule)
    if modal or velocity:
        run.references[framework] = train_with(
            REFERENCE, checked, hyper=hyper, **common, **replay(run.results[framework], framework_defaults), **velocity
        )
    if velocity:
        run.velocity_drift[framework] = normwise_difference(run.results[framework], run.results[REFERENCE])
    run.checks += compare_results(framework, run.results[framework], run.reference_for(framework), dtype)
    differs = first_difference(run.results[framework].learning_rates, run.reference_for(framework).learning_rates)
    if differs is not None:
        run.eta_differs_at[framework] = differs
    if modal and framework_defaults and any(checked.spec.batch_norm):
        masks = replay(run.results[framework], framework_defaults=True)

        def rerun(masks: dict[str, Any] = masks, **settings: Any) -> TrainResult:
            return train_with(REFERENCE, checked, hyper=hyper, **common, **masks, **settings)

        run.drift += batch_norm_drift(framework, run.results[framework], run.references[framework], rerun, dtype)


def _split(
    m: int, fraction: float | None, early_stopping: EarlyStopping | None, epochs: int | None, seed: int
) -> tuple[np.ndarray, np.ndarray | None]:
    """``(training rows, validation rows or None)``.

    Raises:
        InputError: early stopping without a split, or a split without ``epochs``.
    """
    if early_stopping is not None and fraction is None:
        raise InputError("early stopping: expected a validation split (--validation-split F)")
    if fraction is None:
        return np.arange(m), None
    if epochs is None:
        raise InputError("--validation-split: expected --epochs (early stopping decides after whole epochs), got --steps")
    return validation_split_rows(m, fraction, seed)


def _velocity_replay(result: TrainResult, reference: TrainResult, schedule: Schedule) -> dict[str, Any]:
    """``{"velocity": ...}`` when ``result``'s momentum convention is not scratch's and eta changes, else ``{}``.

    While eta is constant both conventions are the same method (only the rounding differs), so
    scratch stays in the lectures' form and every earlier number stays as it was.
    """
    if schedule.constant or not result.velocity or result.velocity == reference.velocity:
        return {}
    return {"velocity": result.velocity}


def replay(result: TrainResult, framework_defaults: bool) -> dict[str, Any]:
    """What scratch needs to repeat a framework's run: its dropout masks, and (matched runs) its running-variance convention.

    Under ``--framework-defaults`` scratch keeps the textbook convention, so that the drift shows it.
    """
    out: dict[str, Any] = {}
    if result.masks:
        out["masks"] = result.masks
    if result.running_variance and not framework_defaults:
        out["running_variance"] = result.running_variance
    return out
