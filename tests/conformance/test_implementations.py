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
