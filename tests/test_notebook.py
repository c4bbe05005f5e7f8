"""examples/backprop_walkthrough.ipynb runs top to bottom in a fresh Jupyter kernel, and is committed without outputs.

The notebook's own cells assert the worked example's published numbers (Mazur's post, quoted by the
Amrita "Feed Forward Neural Networks – Introduction" lecture), that PyTorch's and Keras's gradients
equal the NumPy ones, that the correct backprop passes the check and the planted one does not,
and that the training trajectories agree; this test runs them and checks what they showed.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.full  # runs the docs' own commands and code blocks: the full suite only (README, Tests)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "examples" / "backprop_walkthrough.ipynb"
SPEC = importlib.util.spec_from_file_location("make_notebook", ROOT / "scripts" / "make_notebook.py")
assert SPEC is not None and SPEC.loader is not None
make_notebook = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(make_notebook)


def test_the_committed_notebook_is_the_scripts_and_has_no_outputs():
    committed = nbformat.read(NOTEBOOK, as_version=4)
    code = [cell for cell in committed.cells if cell.cell_type == "code"]
    assert all(not cell.get("outputs") and cell.get("execution_count") is None for cell in code)
    written = make_notebook.build()  # what python scripts/make_notebook.py writes
    assert [c.source for c in committed.cells] == [c.source for c in written.cells]


@pytest.fixture(scope="module")
def executed():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PYTHONPATH", path)  # the kernel is a new process: it finds the project as a checkout does
        resources = {"metadata": {"path": str(ROOT / "examples")}}
        NotebookClient(notebook, timeout=300, kernel_name="python3", resources=resources).execute()  # raises on a failing cell
    return notebook


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def test_every_cell_ran_without_an_error(executed):
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]


def test_it_shows_the_explain_table_the_check_result_and_two_plots(executed):
    outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs]
    printed = "".join(_text(c) for c in executed.cells if c.cell_type == "code")
    assert "out_o1 = 1/(1+e^-net_o1)" in printed and "slide 0.75136507 ✓" in printed
    assert "w5 after one step: 0.3589164797" in printed
    assert "layer 1 is sigmoid" in printed  # the planted mistake's hint names the layer and its activation
    html = [o for o in outputs if o.output_type == "execute_result" and "text/html" in o.data]
    assert len(html) == 2  # the two check results render as tables
    images = [o for o in outputs if o.output_type in ("execute_result", "display_data") and "image/png" in o.data]
    assert len(images) == 2  # the loss curves and the decision regions
