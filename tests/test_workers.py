"""The worker protocol carries everything a Trace and a TrainResult hold, batch norm and dropout included, without pickle."""

from __future__ import annotations

import numpy as np

from compare import workers
from compare.training.batches import make_batches
from core.normalization import BatchNormSettings
from core.optimizers import matched
from core.spec import parse_spec
from scratch.init import init_params
from scratch.model import evaluate
from scratch.train import train

SPEC = parse_spec("3-5-2:bn+relu+dropout=0.25,linear:mse")


def _data():
    rng = np.random.RandomState(0)
    return init_params(SPEC), rng.randn(6, 3), rng.randn(6, 2)


def _same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        np.array_equal(a[k], b[k]) and np.asarray(a[k]).dtype == np.asarray(b[k]).dtype for k in a
    )


def test_a_trace_with_batch_norm_and_dropout_survives_the_wire():
    params, X, y = _data()
    trace = evaluate(SPEC, params, X, y, running_variance="biased")
    back = workers.trace_from(*workers.decode(workers.encode(*workers.trace_message(trace))))
    assert back.spec == SPEC and back.mode == "train" and back.running_variance == "biased" and back.loss == trace.loss
    for name in ("z", "a", "delta", "grads", "bn", "h", "masks", "running", "intermediates"):
        assert _same(getattr(back, name), getattr(trace, name)), name
    assert back.masks[1].dtype == bool and [q for q, _ in back.quantities()] == [q for q, _ in trace.quantities()]


def test_a_train_result_with_masks_and_batch_norm_settings_survives_the_wire():
    params, X, y = _data()
    result = train(SPEC, params, X, y, optimizer="sgd", hyper=matched("sgd", 0.01), batches=make_batches(6, 3, steps=3))
    back = workers.result_from(*workers.decode(workers.encode(*workers.result_message(result))))
    assert len(back.masks) == 3 and all(_same(a, b) for a, b in zip(back.masks, result.masks, strict=True))
    assert back.batch_norm == result.batch_norm and back.running_variance == "unbiased"
    assert np.array_equal(back.final_output, result.final_output) and _same(back.final_params, result.final_params)


def test_a_train_request_carries_the_batch_norm_settings_or_none():
    params, X, y = _data()
    for settings in (BatchNormSettings(new_weight=0.01, epsilon=1e-3), None):
        meta, arrays = workers.decode(
            workers.encode(
                *workers.train_request(
                    SPEC, params, X, y, optimizer="sgd", hyper=matched("sgd", 0.1), batches=[np.arange(6)], batch_norm=settings
                )
            )
        )
        assert meta["batch_norm"] == (None if settings is None else {"new_weight": 0.01, "epsilon": 1e-3})
        assert "batch_norm" not in meta["kwargs"]
