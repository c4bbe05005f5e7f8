"""Small helpers the tests share (imported as ``helpers``, like ``planted_bugs``)."""

from __future__ import annotations

from compare import registry
from compare.parity.harness import quantity_names
from core.spec import Spec


def known_on(framework: str, spec: Spec, dtype: str) -> list[str]:
    """The keys of ``framework``'s known differences that may show on this net in ``dtype``."""
    known = registry.get(framework).known_differences
    return [d.key for d in known if any(d.applies(spec, dtype, q) for q in quantity_names(spec))]


def honest_dtype(framework: str, spec: Spec) -> str:
    """float64, unless one of the framework's known differences may show on this net in float64.

    Then float32, where such a difference is below tolerance: e.g. Keras on TensorFlow keeps
    the leaky ReLU slope in float32 (test_edges.py::test_keras_leaky_slope_is_float32), so its
    honest float64 run differs from scratch by ~2e-8. A difference that shows in both (JAX's
    leaky_relu'(0) = 1, only where a z is exactly 0) leaves float64.
    """
    return "float32" if known_on(framework, spec, "float64") and not known_on(framework, spec, "float32") else "float64"


def one_per_package() -> list[str]:
    """The first entry of each implementation package that runs in this process (e.g. torch, keras)."""
    seen: dict[str, str] = {}
    for name in registry.OTHERS:
        impl = registry.get(name)
        if impl.package not in seen and impl.runs_here():
            seen[impl.package] = name
    return list(seen.values())


def has_known_difference(framework: str, key: str) -> bool:
    """Whether ``framework``'s registry entry lists the known difference ``key``."""
    return any(d.key == key for d in registry.get(framework).known_differences)


def run_in(framework: str, code: str, timeout: int = 300) -> str:
    """Run ``code`` in a fresh Python with ``framework``'s environment (its Keras backend); return its stdout."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, **registry.get(framework).environment}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def shared_across_workers(tmp_path_factory, worker_id: str, name: str, compute):
    """``compute()``'s JSON-able result, computed by one pytest-xdist worker and read by the others.

    A module fixture that runs dozens of CLI processes would otherwise run once per worker (with
    ``-n auto`` each worker gets some of the module's tests). The first worker to take the lock
    computes and writes ``<basetemp>/../<name>.json``; the others wait for it and read it (the
    pattern of pytest-xdist's documentation). Without xdist (``worker_id == "master"``) it computes.
    """
    import json

    from filelock import FileLock

    if worker_id == "master":
        return json.loads(json.dumps(compute()))  # the same types as the workers read
    path = tmp_path_factory.getbasetemp().parent / f"{name}.json"
    with FileLock(f"{path}.lock"):
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
        result = compute()
        path.write_text(json.dumps(result), encoding="utf-8")
        return result
