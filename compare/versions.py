"""Versions the numbers were produced with (parity depends on them).

Read from package metadata, so asking costs no framework import.
"""

from __future__ import annotations

import platform
from importlib import metadata

PACKAGES = {"numpy": ("numpy",), "torch": ("torch",), "tensorflow": ("tensorflow-cpu", "tensorflow"), "keras": ("keras",)}


def versions() -> dict[str, str]:
    """``{"python": ..., "numpy": ..., "torch": ..., "tensorflow": ..., "keras": ...}``; "absent" if not installed."""
    out = {"python": platform.python_version()}
    for name, distributions in PACKAGES.items():
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
