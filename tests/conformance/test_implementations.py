"""What every registered implementation must pass: the conformance suite, parametrised over compare.registry.

A new implementation is one package (with modules parallel to scratch's) and one
registry entry; these tests are what it has to satisfy. Each one compares against
scratch in float64 (or in float32 where a documented known difference shows in
float64) on small seeded nets, so that every record of core.activations,
core.losses and core.optimizers is exercised in every implementation.
"""

from __future__ import annotations

import numpy as np
import pytest

from compare import registry
from compare.data.cases import custom_case, get_case
from compare.output import versions
from compare.parity.harness import compare_arrays, first_divergence, quantity_names, run_case
from compare.training.batches import make_batches
from core.activations import ACTIVATIONS
from core.errors import InputError
from core.losses import LOSSES
from core.normalization import BatchNormSettings
from core.optimizers import OPTIMIZERS, matched
from core.trace import Trace
from helpers import honest_dtype

PARALLEL_MODULES = ("activations", "losses", "model", "optimizers", "regularization", "train", "init", "threads")


def _net(spec_text: str, seed: int = 0, m: int = 6):
    """A seeded case for ``spec_text``: N(0, 1) inputs, targets drawn to suit the loss."""
    rng = np.random.RandomState(seed)
    n_in = int(spec_text.split("-")[0])
    case = custom_case(spec_text, rng.randn(m, n_in), np.zeros(m), None, seed)
    n_out, loss = case.spec.sizes[-1], case.spec.loss
    if loss == "cce":
        case.y = np.arange(m) % n_out
    elif loss == "bce":
        case.y = np.arange(m) % 2
    else:
        case.y = rng.uniform(0.05, 0.95, size=(m, n_out))
    return case


def _covering_nets() -> list:
    """One net per (activation record, place) and per loss record."""
    nets = []
    for name, record in ACTIVATIONS.items():
        if record.hidden:
            nets.append(pytest.param(f"3-4-2:{name},linear:mse", id=f"hidden-{name}"))
        if name != "softmax":
            nets.append(pytest.param(f"3-4-2:tanh,{name}:sse", id=f"output-{name}"))
    output_for = {
        "bce": "3-4-1:tanh,sigmoid:bce",
        "cce": "3-4-3:tanh,softmax:cce",
        "sse": "3-4-2:tanh,sigmoid:sse",
        "mse": "3-4-2:tanh,linear:mse",
    }
    nets += [pytest.param(output_for[name], id=f"loss-{name}") for name in LOSSES]
    return nets


@pytest.mark.parametrize("framework", registry.NAMES)
def test_package_has_the_parallel_modules_and_functions(framework):
    impl = registry.get(framework)
    for part in PARALLEL_MODULES:
        impl.module(part)  # imports
    assert callable(impl.evaluate) and callable(impl.train) and callable(impl.draw)
    optimizers = impl.module("optimizers")
    assert callable(optimizers.make_optimizer) and callable(optimizers.settings)
    assert callable(impl.module("regularization").representable_l2)
    assert callable(impl.module("threads").set_threads)
    assert impl.module("init").HE_TRUNCATED_AT in (None, 2.0)


@pytest.mark.parametrize("framework", registry.NAMES)
def test_entry_reports_its_versions_and_documents_its_known_differences(framework):
    impl = registry.get(framework)
    reported = versions()
    for name in impl.versions:
        assert reported[name] != "absent", name
    for difference in impl.known_differences:
        assert difference.note.startswith("known: ") and difference.source and callable(difference.applies)


@pytest.mark.parametrize("spec_text", _covering_nets())
@pytest.mark.parametrize("framework", registry.OTHERS)
def test_every_activation_and_loss_record_agrees_with_scratch(framework, spec_text):
    case = _net(spec_text)
    result = run_case(case, honest_dtype(framework, case.spec), [framework])
    checks = result.checks_for(framework)
    assert [c.quantity for c in checks] == quantity_names(case.spec)  # a full Trace: every quantity compared
    first = first_divergence(checks)
    assert first is None, f"{framework} parts from scratch at {first.quantity} on {spec_text}: {first}"


@pytest.mark.parametrize("framework", registry.NAMES)
def test_evaluate_returns_a_full_trace_and_leaves_its_inputs_alone(framework):
    case = get_case("worked-2-2-2")
    before = {k: v.copy() for k, v in case.params.items()}
    trace = registry.get(framework).evaluate(case.spec, case.params, case.X, case.y, "float64")
    assert isinstance(trace, Trace)
    assert [name for name, _ in trace.quantities()] == quantity_names(case.spec)
    assert all(np.array_equal(case.params[k], before[k]) for k in before)


@pytest.fixture(scope="module")
def spiral_runs():
    """scratch's 5-step full-batch trajectory on the spiral for every optimizer record."""
    case = get_case("spiral-2-4-3")
    batches = make_batches(len(case.X), None, steps=5)
    return (
        case,
        batches,
        {
            name: registry.get(registry.REFERENCE).train(
                case.spec, case.params, case.X, case.y, optimizer=name, hyper=matched(name, 0.05), batches=batches
            )
            for name in OPTIMIZERS
        },
    )


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("framework", registry.OTHERS)
def test_every_optimizer_record_trains_like_scratch(framework, name, spiral_runs):
    case, batches, reference = spiral_runs
    result = registry.get(framework).train(
        case.spec, case.params, case.X, case.y, optimizer=name, hyper=matched(name, 0.05), batches=batches
    )
    assert result.steps == reference[name].steps
    checks = [
        compare_arrays(
            framework, "loss_history", np.array(result.loss_history), np.array(reference[name].loss_history), "float64"
        )
    ]
    checks += [
        compare_arrays(framework, k, result.final_params[k], v, "float64") for k, v in reference[name].final_params.items()
    ]
    assert all(c.passed for c in checks), [c for c in checks if not c.passed]


@pytest.mark.parametrize("framework", registry.OTHERS)
def test_unknown_names_are_refused_not_defaulted(framework):
    """Dispatch on a name never falls through to a default (an unknown optimizer once became Adam)."""
    impl = registry.get(framework)
    with pytest.raises(InputError, match="unknown activation 'softsign'"):
        impl.module("activations").make_activation("softsign", "float64")
    with pytest.raises(InputError, match="unknown loss 'hinge'"):
        impl.module("losses").make_loss("hinge", 2, "float64")
    with pytest.raises(InputError, match="'lion'"):
        impl.module("optimizers").make_optimizer("lion", matched("sgd", 0.1), [])
    with pytest.raises(InputError, match="unknown initialiser 'orthogonal'"):
        impl.draw("orthogonal", 3, 2)


@pytest.mark.parametrize("framework", registry.NAMES)
def test_every_activation_record_has_a_native_or_numpy_counterpart(framework):
    """The tables behind each implementation's dispatch cover exactly the records."""
    impl = registry.get(framework)
    if framework == registry.REFERENCE:
        from scratch.activations import DERIVATIVE, FORWARD
        from scratch.losses import LOSS

        assert set(FORWARD) == set(ACTIVATIONS)
        assert set(DERIVATIVE) == {name for name, record in ACTIVATIONS.items() if record.derivative}
        assert set(LOSS) == set(LOSSES)
    else:
        for name in ACTIVATIONS:
            impl.module("activations").make_activation(name, "float64")
        for name in LOSSES:
            impl.module("losses").make_loss(name, 2, "float64")
    from scratch.optimizers import RULES

    assert set(RULES) == set(OPTIMIZERS)


@pytest.mark.parametrize("step", tuple(registry.bench_steps()))
def test_every_bench_step_takes_one_sgd_step(step):
    case = get_case("worked-2-2-2")
    from compare.bench.steps import make_step
    from core.validate import prepare

    params, X, y = prepare(case.spec, case.params, case.X, case.y, "float64")
    expected = {
        k: v - case.learning_rate * g
        for (k, v), g in zip(
            params.items(), registry.get(registry.REFERENCE).evaluate(case.spec, params, X, y).grads.values(), strict=True
        )
    }
    built = make_step(step, case.spec, params, X, y, case.learning_rate, "float64")
    built.run()
    built.sync()
    after = built.params()
    assert all(np.allclose(after[k], expected[k], rtol=1e-12, atol=1e-15) for k in expected)


# --- batch norm and dropout (core.spec): native layers, native mode switches, masks and conventions reported ---

REGULARISED_NETS = [
    pytest.param("3-5-2:bn+tanh,linear:mse", id="bn"),
    pytest.param("3-5-3:relu+dropout=0.3,softmax:cce", id="dropout"),
    pytest.param("3-5-4-1:bn+relu+dropout=0.2,bn+sigmoid,sigmoid:bce", id="bn-dropout-2-hidden"),
]


@pytest.mark.parametrize("mode", ["train", "inference"])
@pytest.mark.parametrize("spec_text", REGULARISED_NETS)
@pytest.mark.parametrize("framework", registry.OTHERS)
def test_batch_norm_and_dropout_agree_with_scratch_in_both_modes(framework, spec_text, mode):
    case = _net(spec_text)
    result = run_case(case, honest_dtype(framework, case.spec), [framework], mode=mode)
    checks = result.checks_for(framework)
    assert [c.quantity for c in checks] == quantity_names(case.spec, mode)
    first = first_divergence(checks)
    assert first is None, f"{framework} parts from scratch at {first.quantity} on {spec_text} ({mode}): {first}"
    trace = result.traces[framework]
    assert trace.mode == mode and trace.running_variance in (("unbiased", "biased") if any(case.spec.batch_norm) else ("",))
    if mode == "train" and case.spec.has_dropout:  # its own draw, reported as a boolean keep mask per dropout layer
        assert all(m.dtype == bool and m.shape == (6, case.spec.sizes[l]) for l, m in trace.masks.items())


@pytest.fixture(scope="module")
def regularised_batches():
    case = _net("3-5-4-1:bn+relu+dropout=0.2,bn+sigmoid,sigmoid:bce", m=12)
    return case, make_batches(12, 5, steps=4, seed=2)  # mini-batches of 5, 5 and 2 rows


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("framework", registry.OTHERS)
def test_every_optimizer_trains_batch_norm_and_dropout_like_scratch_on_its_masks(framework, name, regularised_batches):
    """One mask per step and layer, drawn by the framework and replayed by scratch with its running-variance convention."""
    case, batches = regularised_batches
    hyper = matched(name, 0.05)
    result = registry.get(framework).train(case.spec, case.params, case.X, case.y, optimizer=name, hyper=hyper, batches=batches)
    assert len(result.masks) == len(batches) and all(set(m) == {1} for m in result.masks)
    assert [m[1].shape for m in result.masks] == [(5, 5), (5, 5), (2, 5), (5, 5)]
    assert result.running_variance in ("unbiased", "biased")
    assert set(result.batch_norm) == {"native", "new_weight", "epsilon", "running_variance"}
    reference = registry.get(registry.REFERENCE).train(
        case.spec,
        case.params,
        case.X,
        case.y,
        optimizer=name,
        hyper=hyper,
        batches=batches,
        masks=result.masks,
        running_variance=result.running_variance,
    )
    checks = [
        compare_arrays(framework, "loss_history", np.array(result.loss_history), np.array(reference.loss_history), "float64")
    ]
    checks += [compare_arrays(framework, k, result.final_params[k], v, "float64") for k, v in reference.final_params.items()]
    checks.append(compare_arrays(framework, "final_output", result.final_output, reference.final_output, "float64"))
    assert set(result.final_params) == set(case.spec.canonical_shapes())
    assert all(c.passed for c in checks), [c for c in checks if not c.passed]


@pytest.mark.parametrize("framework", registry.OTHERS)
def test_own_batch_norm_defaults_are_reported_and_explain_the_drift(framework, regularised_batches):
    """``batch_norm=None`` gives the native layer its own defaults; scratch trained with the settings the result
    reports (new batch weight, eps, variance convention) and its masks follows it: nothing else drifts."""
    case, batches = regularised_batches
    hyper = matched("sgd", 0.05)
    kwargs = dict(optimizer="sgd", hyper=hyper, batches=batches)
    own = registry.get(framework).train(case.spec, case.params, case.X, case.y, batch_norm=None, **kwargs)
    held = own.batch_norm
    assert 0 < held["new_weight"] <= 1 and held["epsilon"] > 0 and held["running_variance"] == own.running_variance
    settings = BatchNormSettings(new_weight=held["new_weight"], epsilon=held["epsilon"])
    explained = registry.get(registry.REFERENCE).train(
        case.spec,
        case.params,
        case.X,
        case.y,
        batch_norm=settings,
        masks=own.masks,
        running_variance=own.running_variance,
        **kwargs,
    )
    checks = [compare_arrays(framework, k, own.final_params[k], v, "float64") for k, v in explained.final_params.items()]
    checks.append(compare_arrays(framework, "final_output", own.final_output, explained.final_output, "float64"))
    assert all(c.passed for c in checks), [c for c in checks if not c.passed]
