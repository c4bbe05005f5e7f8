"""docs/rosetta.md cannot rot: every ```python block runs, and its asserts hold.

The blocks of one ``##`` section share a namespace and run top to bottom; each
section starts fresh. The asserts inside the blocks compare the scratch, PyTorch
and Keras lines with each other and, for the worked example, with the slide's numbers.
Each net's section must show every step itself (forward, loss, backward,
update, momentum, L2), each as one block with the scratch, PyTorch and Keras lines; the
batch-norm and dropout section its own five (forward, backward, running statistics,
inference mode, dropout).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from compare import registry

pytestmark = pytest.mark.full  # runs the docs' own commands and code blocks: the full suite only (README, Tests)

PAGE = Path(__file__).resolve().parents[1] / "docs" / "rosetta.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


STEPS = ("Forward", "Loss", "Backward", "Update", "An optimizer step: momentum", "L2")
NETS = ("Net 1", "Net 2", "Net 3")
REGULARISERS = "Batch norm and dropout"  # the Amrita FFNN intro's regularisers, each step four ways too
REGULARISER_STEPS = ("Batch norm forward", "Batch norm backward", "Running statistics", "Inference mode", "Dropout")


def sections() -> list[tuple[str, list[str]]]:
    """``(title, [code blocks])`` for each ``## `` section of the page."""
    out = []
    for chunk in re.split(r"^## ", PAGE.read_text(encoding="utf-8"), flags=re.MULTILINE)[1:]:
        title = chunk.splitlines()[0].strip()
        out.append((title, BLOCK.findall(chunk)))
    return out


def steps(title: str) -> list[tuple[str, list[str]]]:
    """``(step heading, [code blocks])`` for each ``### `` step of section ``title``, in page order."""
    chunk = next(
        c
        for c in re.split(r"^## ", PAGE.read_text(encoding="utf-8"), flags=re.MULTILINE)[1:]
        if c.splitlines()[0].strip() == title
    )
    return [(step.splitlines()[0].strip(), BLOCK.findall(step)) for step in re.split(r"^### ", chunk, flags=re.MULTILINE)[1:]]


BACKENDS_SECTION = "Keras's gradient line on each backend"


def net_sections() -> list[tuple[str, list[str]]]:
    """The sections written four ways (the nets, then batch norm and dropout)."""
    return [(t, b) for t, b in sections() if t.startswith((*NETS, REGULARISERS))]


LOOPS_SECTION = "Training loops"


def test_page_covers_the_three_nets_the_backends_the_regularisers_and_the_loops():
    assert [title.split(":")[0] for title, _ in sections()] == [*NETS, BACKENDS_SECTION, REGULARISERS, LOOPS_SECTION]


def test_the_three_training_loops_agree():
    """The hand-written loop, the DataLoader loop and model.fit, in a fresh process on TensorFlow; its asserts compare."""
    (code,) = next(blocks for title, blocks in sections() if title.startswith(LOOPS_SECTION))
    assert all(word in code for word in ("# scratch", "# PyTorch", "# Keras", "DataLoader(", "model.fit(", "shuffle=False"))
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300, cwd=PAGE.parents[1])
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.mark.parametrize("title", [pytest.param(t, id=t.split(":")[0].replace(" ", "-").lower()) for t, _ in net_sections()])
def test_each_net_shows_every_step_four_ways(title):
    """Each net has its own six steps (batch norm and dropout their five), in order, each with one block that runs all three."""
    found = steps(title)
    expected = REGULARISER_STEPS if title.startswith(REGULARISERS) else STEPS
    assert len(found) == len(expected), [heading for heading, _ in found]
    for (heading, blocks), step in zip(found, expected, strict=True):
        assert heading.startswith(step), (heading, step)
        assert len(blocks) == 1, heading
        assert all(mark in blocks[0] for mark in ("# scratch", "# PyTorch", "# Keras", "assert")), heading


@pytest.mark.parametrize(
    "title, blocks", [pytest.param(t, b, id=t.split(":")[0].replace(" ", "-").lower()) for t, b in net_sections()]
)
def test_snippets_run(title, blocks):
    namespace: dict = {"__name__": f"rosetta_{title}"}
    for number, code in enumerate(blocks, start=1):
        try:
            exec(compile(code, f"{PAGE.name}[{title}] block {number}", "exec"), namespace)
        except Exception as exc:
            raise AssertionError(f"docs/rosetta.md, section {title!r}, block {number} failed: {exc!r}") from exc


KERAS = [name for name in registry.NAMES if "KERAS_BACKEND" in registry.get(name).environment]


def backend_blocks() -> dict[str, str]:
    """``{backend: code}`` for each block of the backends section (its first line names the backend)."""
    blocks = dict(sections())[BACKENDS_SECTION]
    return {code.splitlines()[0].removeprefix("# backend: ").strip(): code for code in blocks}


def test_the_backends_section_has_one_block_per_registered_backend():
    assert sorted(backend_blocks()) == sorted(registry.get(name).environment["KERAS_BACKEND"] for name in KERAS)


@pytest.mark.parametrize("framework", KERAS)
def test_keras_gradient_line_runs_on_its_backend(framework):
    """Each backend's block, in a fresh process with that backend; its asserts compare with scratch's line."""
    backend = registry.get(framework).environment["KERAS_BACKEND"]
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(
        [sys.executable, "-c", backend_blocks()[backend]],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=PAGE.parents[1],
    )
    assert done.returncode == 0, done.stderr[-3000:]
