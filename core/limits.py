"""Resource limits: the largest input accepted, checked before anything of that size is allocated.

Every limit has a default (docs/limits.md states each one and why) and a CLI flag that
raises it deliberately (``--max-params N``, ...; :func:`flag`). The Python API reads the
limits in force: the defaults, or those set for a block with :func:`using`::

    with core.limits.using(Limits(params=50_000_000)):
        trace = scratch.evaluate(spec, params, X, y)

Each check raises :class:`core.errors.InputError` with one line naming the input, the
limit and the received value, and the flag that raises the limit.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields

from core.errors import InputError
from core.spec import Spec

MIB = 2**20


@dataclass(frozen=True)
class Limits:
    """The largest input accepted, one number per kind of resource.

    Attributes:
        params: parameters of one net, sum over layers of n_l (n_{l-1} + 1).
        activations: values of one layer-by-layer pass, m x (n_1 + ... + n_L) (each of z, a and
            delta holds that many); also the n x n of bench's matmul peak.
        layers: weight layers L of one net.
        batch: rows m of X (a data file, bench's --batches, train's --batch-size).
        steps: optimizer steps of one training run (--steps, or --epochs x ceil(m / B)).
        history: parameter values one training run records (recorded steps x parameters).
        file_bytes: uncompressed bytes of all arrays in one .npz or .safetensors file together.
        members: arrays in one .npz or .safetensors file.
        compression_ratio: uncompressed / compressed size of one .npz member above 1 MiB.
        repeats: bench's timed blocks per measurement (--repeats) and start-up runs (--runs).
        block_ms: bench's minimum length of one timed block, in milliseconds.
    """

    params: int = 10_000_000
    activations: int = 100_000_000
    layers: int = 100
    batch: int = 1_000_000
    steps: int = 1_000_000
    history: int = 10_000_000
    file_bytes: int = 256 * MIB
    members: int = 1_000
    compression_ratio: int = 200
    repeats: int = 1_000
    block_ms: int = 10_000


DEFAULT = Limits()
NAMES: tuple[str, ...] = tuple(f.name for f in fields(Limits))
# What each limit counts, in the words of --help and docs/limits.md
DESCRIPTIONS: dict[str, str] = {
    "params": "parameters of one net, sum of n_l (n_(l-1) + 1)",
    "activations": "values of one pass, m x (n_1 + ... + n_L); also bench's matmul n x n",
    "layers": "weight layers of one net",
    "batch": "rows of X (data files, --batch-size, bench --batches)",
    "steps": "optimizer steps of one training run",
    "history": "recorded parameter values of one training run (recorded steps x parameters)",
    "file_bytes": "uncompressed bytes of all arrays in one .npz or .safetensors file",
    "members": "arrays in one .npz or .safetensors file",
    "compression_ratio": "compression ratio of one .npz member larger than 1 MiB",
    "repeats": "bench --repeats and --runs",
    "block_ms": "bench --block-ms, milliseconds",
}
RATIO_FLOOR_BYTES = MIB  # members at most this big are never refused for their compression ratio
_CURRENT: contextvars.ContextVar[Limits] = contextvars.ContextVar("limits", default=DEFAULT)


def flag(name: str) -> str:
    """The CLI flag that raises limit ``name``: ``"file_bytes"`` -> ``"--max-file-bytes"``."""
    return "--max-" + name.replace("_", "-")


def current() -> Limits:
    """The limits in force: :data:`DEFAULT`, or those of the innermost :func:`using` block."""
    return _CURRENT.get()


@contextmanager
def using(limits: Limits) -> Iterator[Limits]:
    """Put ``limits`` in force for the ``with`` block (and only there)."""
    token = _CURRENT.set(limits)
    try:
        yield limits
    finally:
        _CURRENT.reset(token)


def refuse(what: str, received: int | float, name: str, unit: str = "") -> InputError:
    """``what: received unit, expected at most LIMIT (--max-NAME raises the limit)`` as an InputError."""
    limit = getattr(current(), name)
    unit = f" {unit}" if unit else ""
    return InputError(f"{what}: {received:,}{unit}, expected at most {limit:,} ({flag(name)} raises the limit)")


def check_at_most(what: str, received: int | float, name: str, unit: str = "") -> None:
    """Refuse ``received`` above limit ``name``.

    Raises:
        InputError: ``received`` > the limit.
    """
    if received > getattr(current(), name):
        raise refuse(what, received, name, unit)


def param_count(spec: Spec) -> int:
    """sum over layers of n_l (n_{l-1} + 1): every W_l and b_l entry."""
    return sum(n * (n_prev + 1) for n_prev, n in zip(spec.sizes, spec.sizes[1:], strict=False))


def check_net(spec: Spec, m: int | None = None) -> None:
    """Refuse a net (and, with ``m`` rows, one pass of it) larger than the limits, before anything is allocated.

    Raises:
        InputError: too many layers, parameters, rows or activation values.
    """
    limits = current()
    if spec.n_layers > limits.layers:
        raise refuse(f"spec {spec}", spec.n_layers, "layers", "layers")
    params = param_count(spec)
    if params > limits.params:
        raise refuse(f"spec {spec}", params, "params", "parameters")
    if m is not None:
        check_batch(m, "X")
        activations = m * sum(spec.sizes[1:])
        if activations > limits.activations:
            raise refuse(f"spec {spec} on {m:,} rows", activations, "activations", "activation values per pass")


def check_batch(m: int, what: str) -> None:
    """Refuse more than ``limits.batch`` rows.

    Raises:
        InputError: ``m`` > the limit.
    """
    if m > current().batch:
        raise refuse(what, m, "batch", "rows")


def check_steps(steps: int, what: str = "steps") -> None:
    """Refuse a training run of more than ``limits.steps`` steps, before its batches are built.

    Raises:
        InputError: ``steps`` > the limit.
    """
    if steps > current().steps:
        raise refuse(what, steps, "steps", "steps")


def check_history(recorded: int, params: int, every: int) -> None:
    """Refuse recording more than ``limits.history`` parameter values in one training run.

    Raises:
        InputError: ``recorded x params`` > the limit.
    """
    values = recorded * params
    if values > current().history:
        raise refuse(
            f"--every {every:,}: {recorded:,} recorded steps x {params:,} parameters", values, "history", "recorded values"
        )


def check_file(what: str, members: int, nbytes: int) -> None:
    """Refuse a file of more than ``limits.members`` arrays or ``limits.file_bytes`` uncompressed bytes.

    Raises:
        InputError: either count above its limit.
    """
    limits = current()
    if members > limits.members:
        raise refuse(what, members, "members", "arrays")
    if nbytes > limits.file_bytes:
        raise refuse(what, nbytes, "file_bytes", "bytes uncompressed")


def check_ratio(what: str, uncompressed: int, compressed: int) -> None:
    """Refuse a member above :data:`RATIO_FLOOR_BYTES` compressed more than ``limits.compression_ratio`` : 1.

    Raises:
        InputError: the ratio is above the limit.
    """
    ratio = uncompressed / max(compressed, 1)
    limit = current().compression_ratio
    if uncompressed > RATIO_FLOOR_BYTES and ratio > limit:
        raise InputError(
            f"{what}: {uncompressed:,} bytes compressed into {compressed:,}, a ratio of {ratio:,.0f} : 1, "
            f"expected at most {limit:,} : 1 ({flag('compression_ratio')} raises the limit)"
        )
