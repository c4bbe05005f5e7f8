"""The Keras backend's environment fixes: the one place that knows which backend this process runs.

Keras fixes one backend per process (``KERAS_BACKEND``, read when Keras is first
imported). Two settings make float64 mean float64 off TensorFlow:

- JAX computes float64 as float32 unless x64 is enabled before JAX is imported
  (``JAX_ENABLE_X64``, read once by jax/_src/config.py; without it only a UserWarning).
- Keras's type promotion maps float64 to float32 on every backend but TensorFlow:
  ``BIT64_TO_BIT32_DTYPE["float64"]`` in keras/src/backend/common/dtypes.py (lines 235-242,
  applied to every result at 274-276), so on JAX ``ops.mean`` (hence BCE and MSE) and on
  torch ``ops.matmul`` (hence ``Dense``) and every loss's reduction compute in float32 in a
  float64 model: losses 1e-9 to 6e-8 off (upstream keras-team/keras#23704, open).
  :func:`fix_dtypes` sets that entry to float64, as TensorFlow already has it. It is private
  API with no public equivalent; ``tests/test_keras_backends.py`` has a canary that fails
  once Keras no longer needs it.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any

DEFAULT_BACKEND = "tensorflow"
ENVIRONMENT = {
    "KERAS_BACKEND": DEFAULT_BACKEND,  # a user's KERAS_BACKEND wins (setdefault)
    "TF_ENABLE_ONEDNN_OPTS": "0",  # oneDNN's fused CPU kernels change float32 results run to run
    "TF_CPP_MIN_LOG_LEVEL": "3",  # no TensorFlow start-up log noise
    "JAX_ENABLE_X64": "1",  # float64 is float64 on JAX (read once, when jax is imported)
}

KERAS_FLOAT64_RESULT: str | None = None  # what Keras itself maps float64 to on this backend, before fix_dtypes


NO_CACHE = "COMPARE_NO_CACHE"  # set (to anything) to keep JAX's compilation cache off


def jax_cache() -> dict[str, str]:
    """JAX's persistent compilation cache, in ``$XDG_CACHE_HOME/backprop-parity/jax`` (``~/.cache`` by default).

    Each Keras-on-JAX evaluation is one ``jax.jit`` compile (~0.3-0.5 s of XLA for a lecture net),
    so a run pays ~10 s of compiling; with the cache a later run loads the compiled programs
    instead (measured: the JAX worker's evaluations of the built-in cases 11.3 s -> 3.7 s, results
    bitwise equal, 720 KB on disk). JAX's own settings (jax/_src/config.py: ``JAX_COMPILATION_CACHE_DIR``,
    ``JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS``, ``..._MIN_ENTRY_SIZE_BYTES``, read when JAX is
    imported): every program is cached, whatever its compile time or size. ``{}`` when
    ``COMPARE_NO_CACHE`` is set.
    """
    if os.environ.get(NO_CACHE):
        return {}
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return {
        "JAX_COMPILATION_CACHE_DIR": os.path.join(base, "backprop-parity", "jax"),
        "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
        "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0",
    }


def set_environment() -> None:
    """Set every variable of :data:`ENVIRONMENT` and :func:`jax_cache` the user has not set; before Keras is imported."""
    for name, value in (ENVIRONMENT | jax_cache()).items():
        os.environ.setdefault(name, value)


# Packages that Keras and TensorFlow import when installed, each for an integration this project never
# uses, per backend: hidden while Keras is first imported (:func:`import_keras`).
# - sklearn: keras/src/wrappers/fixes.py and utils.py (``try: import sklearn``) for Keras's
#   SKLearnClassifier/Regressor wrappers; it brings SciPy. On every backend.
# - jax, off the JAX backend: tensorflow/lite/python/util.py (``try: from jax import jit``) for
#   TFLite's JAX converter, and keras/src/callbacks/orbax_checkpoint.py (``try: import jax``).
UNUSED_IMPORTS = {"tensorflow": ("sklearn", "jax"), "jax": ("sklearn",), "torch": ("sklearn", "jax")}


@contextlib.contextmanager
def _hidden(modules: tuple[str, ...]) -> Iterator[None]:
    """Inside, ``import`` of each of ``modules`` not yet imported raises ImportError; afterwards it imports as before."""
    names = [module for module in modules if module not in sys.modules]
    for module in names:
        sys.modules[module] = None  # type: ignore[assignment]  # the import system's "not importable" marker
    try:
        yield
    finally:
        for module in names:
            if module in sys.modules and sys.modules[module] is None:
                del sys.modules[module]


def import_keras() -> None:
    """Import Keras (and its backend's framework) without the packages of :data:`UNUSED_IMPORTS`.

    They are optional imports of Keras and TensorFlow (``try``/``except ImportError``), and
    importing them is most of what a Keras process spends beyond its framework: measured on this
    2-CPU machine, ``import keras_impl, keras`` used 4.11 -> 2.81 s of CPU on TensorFlow, 2.22 ->
    1.70 s on JAX and 4.23 -> 2.80 s on torch. What Keras and TensorFlow decided at import stays:
    in this process Keras's scikit-learn wrappers report scikit-learn as missing and TFLite has no
    JAX converter; scikit-learn and JAX themselves import as usual afterwards.
    """
    with _hidden(UNUSED_IMPORTS.get(os.environ.get("KERAS_BACKEND", DEFAULT_BACKEND), ())):
        import keras  # noqa: F401


def fix_dtypes() -> None:
    """Keep float64 results float64 in Keras's type promotion (see the module docstring); a no-op on TensorFlow."""
    global KERAS_FLOAT64_RESULT
    from keras.src.backend.common import dtypes

    if KERAS_FLOAT64_RESULT is None:
        KERAS_FLOAT64_RESULT = dtypes.BIT64_TO_BIT32_DTYPE["float64"]
    dtypes.BIT64_TO_BIT32_DTYPE["float64"] = "float64"


def fix_graphs() -> None:
    """On TensorFlow, compiled steps compute what eager steps compute: Grappler's graph rewrites off.

    With them, a ``tf.function`` training step parts from the same step run eagerly (measured:
    Adam 5e-15, RMSProp 3e-14 after 200 float64 spiral steps; float32 up to 2.6e-6); without
    them the two are bitwise equal for all six optimizers in both dtypes, and a tiny net's
    step is faster (0.66 against 0.90 ms). A no-op on the other backends.
    """
    if name() == "tensorflow":
        import tensorflow as tf

        tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})


def _tensorflow_threads(threads: int) -> dict[str, object]:
    """TensorFlow's pools (only possible before TF runs its first op); what TF now reports."""
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:  # TF already ran an op; its pools are fixed for this process
        pass
    return {
        "tensorflow_intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
        "tensorflow_inter_op": tf.config.threading.get_inter_op_parallelism_threads(),
    }


def _torch_threads(threads: int) -> dict[str, object]:
    """torch's intra-op pool; what torch now reports."""
    import torch

    torch.set_num_threads(threads)
    return {"torch_intra_op": torch.get_num_threads()}


def _jax_threads(threads: int) -> dict[str, object]:
    """Nothing to set: XLA's CPU client sizes its pool itself (XLA_FLAGS, read when it starts, is the user's)."""
    return {"jax_xla_flags": os.environ.get("XLA_FLAGS", "")}


THREADS = {"tensorflow": _tensorflow_threads, "torch": _torch_threads, "jax": _jax_threads}


def set_threads(threads: int) -> dict[str, object]:
    """This backend's compute threads (keras_impl.threads); only this backend's framework is imported.

    Raises:
        InputError: a backend with no thread setting here.
    """
    from core.errors import lookup

    return lookup(THREADS, name(), "Keras backend")(threads)


def _jax_tensor(array: Any) -> Any:
    import jax

    return jax.device_put(array)


# where Keras's own conversion costs more than the copy: on JAX, keras.ops.convert_to_tensor is
# jnp.asarray, which runs a compiled identity program for each new shape and dtype
# (jax/_src/lax/lax.py, _stage_impl): ~2.5 ms a call with the compilation cache, ~15 ms without
TENSORS = {"jax": _jax_tensor}


def tensor(array: Any) -> Any:
    """A NumPy ``array`` as this backend's tensor, same shape and dtype: ``jax.device_put`` on JAX, else Keras's conversion."""
    convert = TENSORS.get(name())
    if convert is not None:
        return convert(array)
    import keras

    return keras.ops.convert_to_tensor(array)


def name() -> str:
    """The backend this process runs: ``"tensorflow"``, ``"jax"`` or ``"torch"``."""
    import keras

    backend: str = keras.backend.backend()
    return backend
