"""docs/rosetta.md cannot rot: every ```python block runs, and its asserts hold.

The blocks of one ``##`` section share a namespace and run top to bottom; each
section starts fresh. The asserts inside the blocks compare the scratch, PyTorch
and Keras lines with each other and, for the worked example, with the slide's numbers.
Each net's section must show every step of issue 6 §3 itself (forward, loss, backward,
update, momentum, L2), each as one block with the scratch, PyTorch and Keras lines; the
batch-norm and dropout section its own five (forward, backward, running statistics,
inference mode, dropout).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[1] / "docs" / "rosetta.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


STEPS = ("Forward", "Loss", "Backward", "Update", "An optimizer step: momentum", "L2")  # issue 6 §3
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


def test_page_covers_the_three_nets_and_the_regularisers():
    assert [title.split(":")[0] for title, _ in sections()] == [*NETS, REGULARISERS]


@pytest.mark.parametrize("title", [pytest.param(t, id=t.split(":")[0].replace(" ", "-").lower()) for t, _ in sections()])
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
    "title, blocks", [pytest.param(t, b, id=t.split(":")[0].replace(" ", "-").lower()) for t, b in sections()]
)
def test_snippets_run(title, blocks):
    namespace: dict = {"__name__": f"rosetta_{title}"}
    for number, code in enumerate(blocks, start=1):
        try:
            exec(compile(code, f"{PAGE.name}[{title}] block {number}", "exec"), namespace)
        except Exception as exc:
            raise AssertionError(f"docs/rosetta.md, section {title!r}, block {number} failed: {exc!r}") from exc
