"""The README's Python snippets run, so the page cannot rot (docs/rosetta.md has its own test)."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_python_block_in_the_readme_runs(tmp_path, monkeypatch, capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 3
    monkeypatch.chdir(tmp_path)  # the user-files example writes W.safetensors and D.npz
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    assert (tmp_path / "W.safetensors").exists() and (tmp_path / "D.npz").exists()
    assert "missing b1, W2, b2" in capsys.readouterr().out
