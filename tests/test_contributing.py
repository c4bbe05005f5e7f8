"""CONTRIBUTING.md's checklists name real places: every file exists and every table or function it names is there."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXT = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
ITEM = re.compile(r"^\d+\. (?P<body>`[\w/]+\.py`.*?)(?=^\d+\. |^#|^$)", re.M | re.S)
TOKEN = re.compile(r"`([^`]+)`")
TABLE_OR_PRIVATE = re.compile(r"^(?:[A-Z][A-Z_]+|_[a-z_]+|check_targets|output_delta|lookup)$")


def named_places() -> list[tuple[str, str]]:
    """(file, identifier) for every table or function a checklist item names after a file, in order."""
    out = []
    for item in ITEM.finditer(TEXT):
        current = None
        for token in TOKEN.findall(item["body"]):
            token = token.split(" ")[0].rstrip("()")
            if token.endswith(".py"):
                current = token
            elif current and TABLE_OR_PRIVATE.match(token):
                out.append((current, token))
    return out


def _defines(module: object, name: str) -> bool:
    """A module attribute, or a method of a class defined in the module."""
    if hasattr(module, name):
        return True
    return any(hasattr(cls, name) for _, cls in inspect.getmembers(module, inspect.isclass))


def test_the_checklists_are_parsed():
    places = named_places()
    assert ("scratch/activations.py", "FORWARD") in places and ("compare/students/hints.py", "_dl_da") in places
    assert len(places) >= 15


def test_every_named_file_and_table_exists():
    for path, name in named_places():
        assert (ROOT / path).is_file(), path
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        assert _defines(module, name), f"CONTRIBUTING.md names {name} in {path}, which has no such thing"
