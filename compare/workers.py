"""Implementations that cannot share this process run in a worker process of their own.

Keras fixes one backend per process (``KERAS_BACKEND``, read when Keras is first imported),
so at most one Keras backend runs in the harness's own process; every other registry entry
whose environment differs from this process's runs in ``python -m compare.workers NAME``, a
child started with that entry's environment. The child imports the implementation once and
answers calls of its ``model.evaluate``, ``train.train`` and ``init.draw`` until its input closes.

Messages never go through pickle: each is an ``.npz`` archive (read with
``allow_pickle=False``) holding the arrays and one JSON text, framed by an 8-byte length on
the child's stdin and stdout. The child's prints and its framework's logs go to a log file,
never into the protocol; its last lines are quoted when the child fails.
"""

from __future__ import annotations

import atexit
import io
import json
import os
import struct
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict
from typing import IO, Any

import numpy as np

from core.early_stopping import EarlyStopping, Validation
from core.errors import InputError
from core.normalization import BatchNormSettings
from core.optimizers import Hyperparameters
from core.schedules import Schedule, as_dict
from core.spec import parse_spec
from core.trace import Trace
from core.training import TrainResult

Arrays = dict[str, np.ndarray]
HEADER = struct.Struct("<Q")
ENVIRONMENT_THREADS = "COMPARE_THREADS"  # compare.threads.ENVIRONMENT
META = "__meta__"


# --- the wire format: (JSON-able meta, arrays) <-> one npz frame ----------------------------------


def encode(meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> bytes:
    """One frame: the arrays and ``meta`` as JSON text, in an ``.npz`` archive."""
    buffer = io.BytesIO()
    members: dict[str, Any] = {META: np.array(json.dumps(meta))} | {k: np.ascontiguousarray(v) for k, v in arrays.items()}
    np.savez(buffer, **members)
    return buffer.getvalue()


def decode(frame: bytes) -> tuple[dict[str, Any], Arrays]:
    """The inverse of :func:`encode` (``allow_pickle=False``: an object array is refused)."""
    with np.load(io.BytesIO(frame), allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    meta = json.loads(str(arrays.pop(META)))
    return meta, arrays


def write_frame(stream: IO[bytes], frame: bytes) -> None:
    """Length, then the frame."""
    stream.write(HEADER.pack(len(frame)) + frame)
    stream.flush()


def read_frame(stream: IO[bytes]) -> bytes | None:
    """One frame, or None at end of input."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (size,) = HEADER.unpack(header)
    return stream.read(size)


def _prefixed(prefix: str, mapping: Mapping[Any, np.ndarray]) -> Arrays:
    return {f"{prefix}/{key}": np.asarray(value) for key, value in mapping.items()}


def _unprefixed(prefix: str, arrays: Arrays, key_type: type = str) -> dict[Any, np.ndarray]:
    start = f"{prefix}/"
    return {key_type(k[len(start) :]): v for k, v in arrays.items() if k.startswith(start) and "/" not in k[len(start) :]}


# per-layer dicts of a Trace: (Trace attribute, wire prefix); running and intermediates are keyed by name
_TRACE_LAYERS = (("z", "z"), ("a", "a"), ("delta", "delta"), ("bn", "bn"), ("h", "h"), ("masks", "mask"))
_TRACE_NAMED = (("grads", "g"), ("running", "run"), ("intermediates", "x"))


def trace_message(trace: Trace) -> tuple[dict[str, Any], Arrays]:
    """A Trace as (meta, arrays)."""
    arrays: Arrays = {}
    for attribute, prefix in _TRACE_LAYERS + _TRACE_NAMED:
        arrays |= _prefixed(prefix, getattr(trace, attribute))
    meta = {"spec": str(trace.spec), "loss": trace.loss, "mode": trace.mode, "running_variance": trace.running_variance}
    return meta, arrays


def trace_from(meta: Mapping[str, Any], arrays: Arrays) -> Trace:
    """The inverse of :func:`trace_message`."""
    layers = {attribute: _unprefixed(prefix, arrays, int) for attribute, prefix in _TRACE_LAYERS}
    named = {attribute: _unprefixed(prefix, arrays) for attribute, prefix in _TRACE_NAMED}
    return Trace(
        spec=parse_spec(meta["spec"]),
        loss=float(meta["loss"]),
        mode=meta["mode"],
        running_variance=meta["running_variance"],
        **layers,
        **named,
    )


def result_message(result: TrainResult) -> tuple[dict[str, Any], Arrays]:
    """A TrainResult as (meta, arrays)."""
    arrays = _prefixed("final", result.final_params)
    for i, params in enumerate(result.param_history):
        arrays |= _prefixed(f"history/{i}", params)
    for k, masks in enumerate(result.masks):
        arrays |= _prefixed(f"masks/{k}", masks)
    if result.final_output is not None:
        arrays["final_output"] = result.final_output
    meta = {
        "steps": result.steps,
        "loss_history": result.loss_history,
        "final_loss": result.final_loss,
        "accuracy": result.accuracy,
        "settings": result.settings,
        "recorded": len(result.param_history),
        "masked_steps": len(result.masks),
        "running_variance": result.running_variance,
        "batch_norm": result.batch_norm,
        "learning_rates": result.learning_rates,
        "velocity": result.velocity,
        "validation_losses": result.validation_losses,
        "stopped_epoch": result.stopped_epoch,
        "best_epoch": result.best_epoch,
        "steps_per_epoch": result.steps_per_epoch,
    }
    return meta, arrays


def result_from(meta: Mapping[str, Any], arrays: Arrays) -> TrainResult:
    """The inverse of :func:`result_message`."""
    history = [_unprefixed(f"history/{i}", arrays) for i in range(meta["recorded"])]
    return TrainResult(
        list(meta["steps"]),
        list(meta["loss_history"]),
        history,
        _unprefixed("final", arrays),
        float(meta["final_loss"]),
        meta["accuracy"],
        dict(meta["settings"]),
        masks=[_unprefixed(f"masks/{k}", arrays, int) for k in range(meta["masked_steps"])],
        running_variance=meta["running_variance"],
        batch_norm=dict(meta["batch_norm"]),
        final_output=arrays.get("final_output"),
        learning_rates=list(meta["learning_rates"]),
        velocity=meta["velocity"],
        validation_losses=list(meta["validation_losses"]),
        stopped_epoch=meta["stopped_epoch"],
        best_epoch=meta["best_epoch"],
        steps_per_epoch=meta["steps_per_epoch"],
    )


# --- the calls a worker answers --------------------------------------------------------------------


def evaluate_request(
    spec: Any, params: Mapping[str, Any], X: Any, y: Any, dtype: str = "float64", **kwargs: Any
) -> tuple[dict, Arrays]:
    """``model.evaluate(spec, params, X, y, dtype, **kwargs)`` as a request (``mode``, ``seed``: plain values)."""
    return {"call": "evaluate", "spec": str(spec), "dtype": dtype, "kwargs": kwargs}, _prefixed("p", params) | {
        "X": np.asarray(X),
        "y": np.asarray(y),
    }


def train_request(spec: Any, params: Mapping[str, Any], X: Any, y: Any, **kwargs: Any) -> tuple[dict, Arrays]:
    """``train.train(spec, params, X, y, **kwargs)`` as a request (``on_step`` stays on this side)."""
    hyper = kwargs.pop("hyper")
    batches = kwargs.pop("batches")
    kwargs.pop("on_step", None)
    matched = isinstance(hyper, Hyperparameters)
    meta: dict[str, Any] = {
        "call": "train",
        "spec": str(spec),
        "hyper": asdict(hyper) if matched else dict(hyper),
        "matched": matched,
    }
    if "batch_norm" in kwargs:  # BatchNormSettings, or None for the framework's own defaults
        settings = kwargs.pop("batch_norm")
        meta["batch_norm"] = None if settings is None else asdict(settings)
    if "schedule" in kwargs:
        meta["schedule"] = as_dict(kwargs.pop("schedule"))
    validation = kwargs.pop("validation", None)
    if validation is not None:
        stopping = validation.early_stopping
        meta["validation"] = {
            "steps_per_epoch": validation.steps_per_epoch,
            "early_stopping": None if stopping is None else asdict(stopping),
        }
    meta["kwargs"] = kwargs
    arrays = _prefixed("p", params) | {"X": np.asarray(X), "y": np.asarray(y)}
    if validation is not None:
        arrays["validation_rows"] = np.asarray(validation.rows)
    arrays |= {f"batch/{i}": np.asarray(batch) for i, batch in enumerate(batches)}
    return meta, arrays


def draw_request(method: str, fan_out: int, fan_in: int, seed: int = 0) -> tuple[dict, Arrays]:
    """``init.draw(method, fan_out, fan_in, seed)`` as a request."""
    return {"call": "draw", "args": [method, fan_out, fan_in, seed]}, {}


def answer(impl: Any, meta: Mapping[str, Any], arrays: Arrays) -> tuple[dict[str, Any], Arrays]:
    """Run one request with the in-process implementation ``impl``; the reply as (meta, arrays)."""
    if meta["call"] == "draw":
        return {}, {"weights": impl.module("init").draw(*meta["args"])}
    spec, params = parse_spec(meta["spec"]), _unprefixed("p", arrays)
    if meta["call"] == "evaluate":
        evaluate = impl.module("model").evaluate
        return trace_message(evaluate(spec, params, arrays["X"], arrays["y"], meta["dtype"], **meta["kwargs"]))
    hyper = Hyperparameters(**meta["hyper"]) if meta["matched"] else meta["hyper"]
    batches = [arrays[f"batch/{i}"] for i in range(sum(k.startswith("batch/") for k in arrays))]
    kwargs = dict(meta["kwargs"])
    if "batch_norm" in meta:
        kwargs["batch_norm"] = None if meta["batch_norm"] is None else BatchNormSettings(**meta["batch_norm"])
    if "schedule" in meta:
        kwargs["schedule"] = Schedule(**meta["schedule"])
    if "validation" in meta:
        stopping = meta["validation"]["early_stopping"]
        kwargs["validation"] = Validation(
            arrays["validation_rows"],
            meta["validation"]["steps_per_epoch"],
            None if stopping is None else EarlyStopping(**stopping),
        )
    result = impl.module(impl.train_module).train(spec, params, arrays["X"], arrays["y"], hyper=hyper, batches=batches, **kwargs)
    return result_message(result)


# --- the parent's side -----------------------------------------------------------------------------


class WorkerError(InputError):
    """A worker could not start or failed: one line naming the implementation (the CLI exits 2)."""


class Worker:
    """One child process serving one implementation, started at once, used until this process exits."""

    def __init__(self, name: str, environment: Mapping[str, str]) -> None:
        self.name = name
        self.log = tempfile.NamedTemporaryFile(prefix=f"compare-worker-{name}-", suffix=".log", delete=False)  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "compare.workers", name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            env={**os.environ, **environment},
        )
        self.channel = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"worker-{name}")  # one request at a time

    def submit(self, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> Future[tuple[dict[str, Any], Arrays]]:
        """Queue one request; its reply (or its error) arrives in the future while this process goes on."""
        return self.channel.submit(self.call, meta, arrays)

    def call(self, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> tuple[dict[str, Any], Arrays]:
        """Send one request and wait for its reply.

        Raises:
            InputError: the implementation refused the input (the child's own message).
            WorkerError: the child died or failed otherwise.
        """
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            write_frame(self.process.stdin, encode(meta, arrays))
            frame = read_frame(self.process.stdout)
        except (BrokenPipeError, OSError):
            frame = None
        if frame is None:
            raise WorkerError(f"framework {self.name!r}: its worker process stopped ({self.last_log_line()})")
        reply, reply_arrays = decode(frame)
        if "error" in reply:
            kind = InputError if reply["error"] == "InputError" else WorkerError
            raise kind(reply["message"] if kind is InputError else f"framework {self.name!r}: {reply['message']}")
        return reply, reply_arrays

    def last_log_line(self) -> str:
        """The child's last non-empty line of output, for error messages."""
        self.log.flush()
        with open(self.log.name, encoding="utf-8", errors="replace") as f:
            lines = [line.strip() for line in f if line.strip()]
        return lines[-1] if lines else f"exit code {self.process.poll()}"

    def end_input(self) -> None:
        """Close the child's input once the requests queued here are answered: its loop then ends."""
        self.channel.shutdown(wait=True)
        if self.process.stdin is not None and not self.process.stdin.closed:
            self.process.stdin.close()

    def close(self) -> None:
        """End the child (closing its input ends its loop), wait for it, and remove the log."""
        self.end_input()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        os.unlink(self.log.name)


_WORKERS: dict[str, Worker] = {}


def worker(name: str, environment: Mapping[str, str]) -> Worker:
    """The running worker for ``name``, started now if there is none."""
    if name not in _WORKERS:
        _WORKERS[name] = Worker(name, environment)
    return _WORKERS[name]


@atexit.register
def close_all() -> None:
    """End every worker (at exit): all of their inputs closed first, so that they end side by side."""
    workers = list(_WORKERS.values())
    _WORKERS.clear()
    for each in workers:
        each.end_input()
    for each in workers:
        each.close()


# --- the child's side ------------------------------------------------------------------------------


def serve(name: str) -> int:
    """Answer requests for implementation ``name`` on stdin/stdout until stdin closes."""
    protocol_in, protocol_out = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # the implementation's prints go to the log, never into the protocol
    sys.stdout = sys.stderr
    from compare import registry

    impl = registry.get(name)
    impl.module("model")  # import the framework now, while the parent is busy with its own
    if ENVIRONMENT_THREADS in os.environ:  # the parent's thread policy (compare.threads)
        impl.module("threads").set_threads(int(os.environ[ENVIRONMENT_THREADS]))
    while (frame := read_frame(protocol_in)) is not None:
        meta, arrays = decode(frame)
        try:
            reply, reply_arrays = answer(impl, meta, arrays)
        except InputError as exc:
            reply, reply_arrays = {"error": "InputError", "message": str(exc)}, {}
        except Exception as exc:  # noqa: BLE001 - reported to the parent, one line
            reply, reply_arrays = {"error": type(exc).__name__, "message": f"{type(exc).__name__}: {exc}"}, {}
        write_frame(protocol_out, encode(reply, reply_arrays))
    return 0


if __name__ == "__main__":
    from compare.process import finish

    finish(serve(sys.argv[1]))
