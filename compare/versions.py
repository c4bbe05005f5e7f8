"""Versions the numbers were produced with (parity depends on them).

Read from package metadata, so asking costs no framework import.
"""

from __future__ import annotations

import platform
from importlib import metadata

from compare.registry import IMPLEMENTATIONS


def versions() -> dict[str, str]:
    """``{"python": ..., then each implementation's packages in registry order}``; "absent" if not installed.

    Today: python, numpy (scratch), torch, tensorflow and keras.
    """
    out = {"python": platform.python_version()}
    packages = {name: dists for impl in IMPLEMENTATIONS.values() for name, dists in impl.versions.items()}
    for name, distributions in packages.items():
        out[name] = "absent"
        for dist in distributions:
            try:
                out[name] = metadata.version(dist)
                break
            except metadata.PackageNotFoundError:
                continue
    return out


def versions_line() -> str:
    """``"versions: python 3.11.7, numpy 2.4.6, torch ..., tensorflow ..., keras ..."`` for a report's last lines."""
    return "versions: " + ", ".join(f"{name} {version}" for name, version in versions().items())
