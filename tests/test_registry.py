"""The registry is the one list of implementations: nothing else names them in a list or branches on a name.

The check reads the code's syntax trees: a tuple, list, set or dict literal that holds
two or more implementation names, or an ``if`` (or ternary, or comprehension filter)
that compares with an implementation name (``if framework == "keras"``), outside
compare/registry.py, is a second list that the next implementation would have to find
by hand. A test asserting a fact of one named framework is neither.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from compare import registry

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "scratch", "torch_impl", "keras_impl", "compare", "tests")
ALLOWED = {ROOT / "compare" / "registry.py"}
NAMES = set(registry.NAMES) | set(registry.bench_steps())


def _strings(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def name_lists(path: Path) -> list[str]:
    """``path:line: what`` for every hard-coded list of implementation names or branch on one."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            named = {e.value for e in node.elts if isinstance(e, ast.Constant) and e.value in NAMES}
            if len(named) >= 2:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: a list of {sorted(named)}")
        elif isinstance(node, ast.Dict):
            named = {k.value for k in node.keys if isinstance(k, ast.Constant) and k.value in NAMES}
            if len(named) >= 2:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: a dict keyed by {sorted(named)}")
        elif isinstance(node, (ast.If, ast.IfExp, ast.While)) or (isinstance(node, ast.comprehension) and node.ifs):
            tests = node.ifs if isinstance(node, ast.comprehension) else [node.test]
            compares = [c for t in tests for c in ast.walk(t) if isinstance(c, ast.Compare)]
            named = {s for c in compares for side in (c.left, *c.comparators) for s in _strings(side) if s in NAMES}
            if named:
                line = tests[0].lineno  # a comprehension has no line of its own; its condition has
                found.append(f"{path.relative_to(ROOT)}:{line}: a branch on {sorted(named)}")
    return found


def test_no_implementation_list_or_branch_exists_outside_the_registry():
    files = [p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py")) if p not in ALLOWED]
    assert len(files) > 50
    found = [hit for path in files for hit in name_lists(path)]
    assert found == [], "\n".join(found)


def test_the_check_finds_a_planted_list_and_a_planted_branch(tmp_path, monkeypatch):
    planted = tmp_path / "planted.py"
    planted.write_text('FRAMEWORKS = ("scratch", "torch", "keras")\nif framework == "keras":\n    pass\n')
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    hits = name_lists(planted)
    assert sorted(hits) == ["planted.py:1: a list of ['keras', 'scratch', 'torch']", "planted.py:2: a branch on ['keras']"]


ADD_ONE = """
import json, sys
from compare import registry
from compare.registry import BenchStep, Implementation

registry.register(Implementation(
    name="numpy-again", label="NumPy, registered twice", package="scratch", imports=("numpy",),
    versions={"numpy": ("numpy",)}, style={"linestyle": "-.", "color": "C4"},
    bench=(BenchStep("numpy-again", "compare.bench.steps:scratch_step", "C4"),),
))
from compare.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize(
    "argv, key",
    [
        (["--arch", "worked-2-2-2", "--frameworks", "numpy-again", "--format", "json"], "cases"),
        (["train", "--arch", "worked-2-2-2", "--frameworks", "numpy-again", "--steps", "3", "--format", "json"], "runs"),
    ],
    ids=["parity", "train"],
)
def test_adding_an_implementation_is_one_registry_entry(argv, key):
    """CONTRIBUTING.md, 'Adding an implementation': a new entry is picked up by the CLI, the harness and training alone."""
    done = subprocess.run([sys.executable, "-c", ADD_ONE, *argv], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    first = json.loads(done.stdout)[key][0]
    assert set(first["results"]) == {"scratch", "numpy-again"}
    assert {c["framework"] for c in first["checks"]} == {"numpy-again"} and all(c["passed"] for c in first["checks"])
