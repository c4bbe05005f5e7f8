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
