"""Versions the numbers were produced with (parity depends on them), overall and per implementation.

Read from package metadata, so asking costs no framework import.
"""

from __future__ import annotations

import platform
from collections.abc import Iterable, Mapping
from importlib import metadata
from typing import Any

from compare.registry import IMPLEMENTATIONS, get


def _version(distributions: tuple[str, ...]) -> str:
    """The first installed distribution's version, or "absent"."""
    for dist in distributions:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return "absent"


def _packages(packages: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    return {name: _version(distributions) for name, distributions in packages.items()}


def versions() -> dict[str, str]:
    """``{"python": ..., then each implementation's packages in registry order}``; "absent" if not installed.

    Today: python, numpy (scratch), torch, tensorflow, keras, jax and jaxlib.
    """
    packages = {name: dists for impl in IMPLEMENTATIONS.values() for name, dists in impl.versions.items()}
    return {"python": platform.python_version()} | _packages(packages)


def implementations(names: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Per implementation: its label and the versions of exactly the packages it runs on.

    A Keras-on-JAX run names keras, jax and jaxlib, never TensorFlow.
    """
    return {name: {"label": get(name).label, "versions": _packages(get(name).versions)} for name in names}


def versions_line() -> str:
    """``"versions: python 3.11.7, numpy 2.4.6, torch ..., tensorflow ..., keras ..."`` for a report's last lines."""
    return "versions: " + ", ".join(f"{name} {version}" for name, version in versions().items())


def implementations_lines(names: Iterable[str]) -> list[str]:
    """One line per implementation: ``keras-jax = Keras 3 on JAX (keras 3.15.1, jax 0.10.2, jaxlib 0.10.2)``."""
    return [
        f"{name} = {info['label']} (" + ", ".join(f"{p} {v}" for p, v in info["versions"].items()) + ")"
        for name, info in implementations(names).items()
    ]
