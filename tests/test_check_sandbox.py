"""The student's file runs as its author runs it, and nothing it does breaks ``check``: prints, exits, hangs, crashes.

``check_file`` (sandbox on, as the CLI has it) gets each misbehaving file once; a few
cases go through the CLI to see the exit code, stderr and the JSON stdout.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from compare.students.sandbox import enclosing_loop
from compare.students.student import check_file
from core.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
SCRATCH_ONLY = ("scratch",)
ARCH = "worked-2-2-2"

CORRECT_BODY = """
def backprop(params, X, y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    a1 = 1 / (1 + np.exp(-(X @ W1.T + b1)))
    a2 = 1 / (1 + np.exp(-(a1 @ W2.T + b2)))
    d2 = (a2 - y) * a2 * (1 - a2)
    d1 = (d2 @ W2) * a1 * (1 - a1)
    m = X.shape[0]
    loss = 0.5 * np.sum((y - a2) ** 2) / m
    return loss, {"W1": d1.T @ X / m, "b1": d1.sum(0) / m, "W2": d2.T @ a1 / m, "b2": d2.sum(0) / m}
"""


def _file(folder: Path, body: str, name: str = "student.py") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("import numpy as np\n" + body)
    return path


def _error(path: Path, timeout: float = 5.0, target_suffix: str = "") -> str:
    with pytest.raises(InputError) as caught:
        check_file(str(path) + target_suffix, ARCH, frameworks=SCRATCH_ONLY, timeout=timeout)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_sibling_module_is_importable_and_prints_are_captured(tmp_path):
    (tmp_path / "helpers.py").write_text(
        "import numpy as np\n\ndef sigmoid(z):\n    print('sigmoid called')\n    return 1 / (1 + np.exp(-z))\n"
    )
    body = "from helpers import sigmoid\nprint('loaded')\n" + CORRECT_BODY.replace(
        "1 / (1 + np.exp(-(X @ W1.T + b1)))", "sigmoid(X @ W1.T + b1)"
    )
    result = check_file(str(_file(tmp_path, body)), ARCH, frameworks=SCRATCH_ONLY)
    assert result.passed
    assert result.printed.splitlines()[0] == "loaded"
    assert result.printed.count("sigmoid called") == 2  # worked-2-2-2 and the seeded batch, one call each


def test_sys_exit_in_the_function_is_one_line_with_its_file_and_line(tmp_path):
    path = _file(tmp_path, "import sys\n\ndef backprop(params, X, y):\n    sys.exit(3)\n")
    assert _error(path) == f"{path}:5: in backprop: backprop() called sys.exit(3); a checked function must return, not exit"


def test_sys_exit_at_the_top_of_the_file_is_reported(tmp_path):
    path = _file(tmp_path, "import sys\nsys.exit(0)\n")
    assert _error(path) == f"{path}:3: your file's top-level code called sys.exit(0); a checked function must return, not exit"


def test_an_endless_loop_ends_at_the_timeout_naming_the_line(tmp_path):
    path = _file(tmp_path, "def backprop(params, X, y):\n    while True:\n        pass\n")
    message = _error(path, timeout=0.5)
    assert message == (
        f"{path}:3: in backprop: backprop() did not finish within 0.5 s (--timeout SECONDS changes the limit): "
        "is this while loop endless?"
    )


def test_a_hang_names_the_innermost_loop_it_was_in_whichever_line_it_stopped_on(tmp_path):
    source = (
        "def backprop(params, X, y):\n"  # line 2 (the file starts with one line of its own)
        "    for epoch in range(3):\n"
        "        total = 0\n"
        "        for i in range(10**12):\n"  # line 5: the loop that does not end in time
        "            total += i\n"
        "            total -= i\n"
        "    return total\n"
    )
    path = _file(tmp_path, source)
    message = _error(path, timeout=0.5)
    assert message.startswith(f"{path}:5: in backprop: ") and message.endswith(": is this for loop endless?"), message


def test_the_enclosing_loop_is_the_innermost_that_spans_the_line(tmp_path):
    path = tmp_path / "loops.py"
    path.write_text("x = 0\nwhile x < 3:\n    for i in range(2):\n        x += i\n    x += 1\nprint(x)\n", encoding="utf-8")
    found = [enclosing_loop(str(path), line) for line in range(1, 7)]
    assert found == [None, (2, "while"), (3, "for"), (3, "for"), (2, "while"), None]
    assert enclosing_loop(str(tmp_path / "missing.py"), 1) is None


def test_an_endless_loop_at_import_ends_at_the_timeout(tmp_path):
    path = _file(tmp_path, "while True:\n    pass\n")
    assert "your file's top-level code did not finish within 0.5 s" in _error(path, timeout=0.5)


def test_keyboard_interrupt_is_one_line(tmp_path):
    path = _file(tmp_path, "def backprop(params, X, y):\n    raise KeyboardInterrupt\n")
    assert _error(path) == f"{path}:3: in backprop: backprop() raised KeyboardInterrupt"


def test_a_syntax_error_names_its_line(tmp_path):
    path = _file(tmp_path, "def backprop(params, X, y)\n    return 1\n")
    assert _error(path).startswith(f"{path}:2: your file has a syntax error: ")


def test_an_assertion_in_a_helper_module_names_the_helper_line(tmp_path):
    (tmp_path / "shapes.py").write_text("def expect(a, shape):\n    assert a.shape == shape, f'got {a.shape}'\n")
    path = _file(tmp_path, "from shapes import expect\n\ndef backprop(params, X, y):\n    expect(X, (2, 7))\n")
    assert _error(path) == (
        f"{tmp_path / 'shapes.py'}:2: in expect: backprop() raised AssertionError: got (1, 2) -- "
        "with --convention canonical it receives X (m, 2), W1 (2, 2), b1 (2,); is that the layout it expects?"
    )  # a shape in the message: the question about the layout follows


def test_the_layout_question_comes_only_with_a_shape_error(tmp_path):
    shape = _file(tmp_path / "a", "def backprop(params, X, y):\n    return params['W1'] @ X\n")
    assert "is that the layout it expects?" in _error(shape)
    other = _file(tmp_path / "b", "def backprop(params, X, y):\n    return 1 / 0\n")
    message = _error(other)
    assert message.endswith("backprop() raised ZeroDivisionError: division by zero")  # and no layout question


def test_os_exit_is_reported_as_ending_the_process(tmp_path):
    path = _file(tmp_path, "import os\n\ndef backprop(params, X, y):\n    os._exit(4)\n")
    assert "ended the process (exit status 4)" in _error(path)


def test_a_missing_function_lists_the_ones_defined(tmp_path):
    path = _file(tmp_path, "def forward(X):\n    pass\n\ndef grads(X):\n    pass\n")
    assert _error(path, target_suffix=":backward") == (
        f"{path}: no function 'backward' (functions defined there: forward, grads); name it with {path}:FUNCTION"
    )


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "compare", "check", *args, "--arch", ARCH, "--frameworks", "scratch"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_prints_never_reach_the_json(tmp_path):
    body = "print('[1, 2]')\n" + CORRECT_BODY.replace("    m = X.shape[0]\n", "    m = X.shape[0]\n    print({'m': m})\n")
    run = _cli(str(_file(tmp_path, body)), "--format", "json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)  # the whole of stdout is one JSON object
    assert report["passed"] is True
    assert report["printed"].splitlines() == ["[1, 2]", "{'m': 1}", "{'m': 5}"]


def test_cli_sys_exit_0_is_exit_2_not_correct(tmp_path):
    run = _cli(str(_file(tmp_path, "import sys\n\ndef backprop(params, X, y):\n    sys.exit(0)\n")))
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.count("\n") == 1 and "called sys.exit(0)" in run.stderr and "Traceback" not in run.stderr


def test_cli_hang_is_exit_2_after_the_timeout(tmp_path):
    run = _cli(str(_file(tmp_path, "def backprop(params, X, y):\n    while True:\n        pass\n")), "--timeout", "0.5")
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "did not finish within 0.5 s" in run.stderr


def test_cli_keyboard_interrupt_is_exit_2_without_traceback(tmp_path):
    run = _cli(str(_file(tmp_path, "raise KeyboardInterrupt\n")))
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "raised KeyboardInterrupt" in run.stderr and "Traceback" not in run.stderr


def test_cli_a_newline_in_the_file_path_stays_on_one_line(tmp_path):
    folder = tmp_path / "two\nlines"
    path = _file(folder, "def backprop(params, X, y):\n    raise ValueError('bad')\n")
    run = _cli(str(path))
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1, run.stderr
    assert "two\\nlines" in run.stderr and "raised ValueError: bad" in run.stderr


@pytest.mark.parametrize("name", ["endless_loop", "exits", "asserts"])
def test_the_misbehaving_examples_end_as_docs_students_quotes(name):
    """docs/students.md pastes these one-line errors; the files must still produce them."""
    docs = (ROOT / "docs" / "students.md").read_text(encoding="utf-8")
    quoted = re.search(rf"^python -m compare check: error: (examples/students/misbehaving/{name}\.py:.*)$", docs, re.M)
    assert quoted is not None
    with pytest.raises(InputError) as caught:
        check_file(f"examples/students/misbehaving/{name}.py", ARCH, frameworks=SCRATCH_ONLY, timeout=1.0)
    got, want = str(caught.value), quoted.group(1)
    assert got == want
