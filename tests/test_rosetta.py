"""docs/rosetta.md cannot rot: every ```python block runs, and its asserts hold.

The blocks of one ``##`` section share a namespace and run top to bottom; each
section starts fresh. The asserts inside the blocks compare the scratch, PyTorch
and Keras lines with each other and, for the worked example, with the slide's numbers.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[1] / "docs" / "rosetta.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def sections() -> list[tuple[str, list[str]]]:
    """``(title, [code blocks])`` for each ``## `` section of the page."""
    out = []
    for chunk in re.split(r"^## ", PAGE.read_text(encoding="utf-8"), flags=re.MULTILINE)[1:]:
        title = chunk.splitlines()[0].strip()
        out.append((title, BLOCK.findall(chunk)))
    return out


def test_page_covers_the_three_nets_and_every_step():
    found = sections()
    assert [title.split(":")[0] for title, _ in found] == ["Net 1", "Net 2", "Net 3"]
    text = PAGE.read_text(encoding="utf-8")
    for step in ("### Forward", "### Loss", "### Backward", "### Update", "### An optimizer step: momentum", "### L2"):
        assert step in text
    for _, blocks in found:
        steps = blocks[1:]  # after the setup block, every step shows all three and asserts they agree
        assert steps and all("# scratch" in b and "# PyTorch" in b and "# Keras" in b and "assert" in b for b in steps)


@pytest.mark.parametrize("title, blocks", [pytest.param(t, b, id=t.split(":")[0].replace(" ", "-").lower()) for t, b in sections()])
def test_snippets_run(title, blocks):
    namespace: dict = {"__name__": f"rosetta_{title}"}
    for number, code in enumerate(blocks, start=1):
        try:
            exec(compile(code, f"{PAGE.name}[{title}] block {number}", "exec"), namespace)
        except Exception as exc:
            raise AssertionError(f"docs/rosetta.md, section {title!r}, block {number} failed: {exc!r}") from exc
