"""Keras on JAX keeps its compiled programs in JAX's persistent cache (keras_impl.backend.jax_cache)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from keras_impl.backend import NO_CACHE, jax_cache

pytestmark = pytest.mark.full  # each Keras backend in a process of its own, started per test: the full suite only (README, Tests)

ROOT = Path(__file__).resolve().parents[1]


def test_the_cache_lives_under_the_user_cache_directory(monkeypatch, tmp_path):
    monkeypatch.delenv(NO_CACHE, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    settings = jax_cache()
    assert settings["JAX_COMPILATION_CACHE_DIR"] == str(tmp_path / "backprop-parity" / "jax")
    assert settings["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] == "0"  # every program, however quick to compile


def test_compare_no_cache_keeps_it_off(monkeypatch):
    monkeypatch.setenv(NO_CACHE, "1")
    assert jax_cache() == {}


def test_a_jax_evaluation_fills_the_cache_and_a_second_process_reads_it(tmp_path):
    """Two processes evaluate the same case on JAX: the first writes programs, the second adds none."""
    env = {**os.environ, "KERAS_BACKEND": "jax", "XDG_CACHE_HOME": str(tmp_path)}
    env.pop(NO_CACHE, None)
    env.pop("JAX_COMPILATION_CACHE_DIR", None)
    code = (
        "from compare.data.cases import spiral_2_4_3\n"
        "from keras_impl.model import evaluate\n"
        "case = spiral_2_4_3()\n"
        "evaluate(case.spec, case.params, case.X, case.y, 'float64')\n"
    )
    cache = tmp_path / "backprop-parity" / "jax"
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, timeout=300)
    first = sorted(p.name for p in cache.iterdir())
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, timeout=300)
    assert first and sorted(p.name for p in cache.iterdir()) == first
