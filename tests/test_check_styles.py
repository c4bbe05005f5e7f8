"""Four ways students write backprop pass ``check`` with no glue beyond a name mapping (examples/students/styles/).

Each file is written in its style for this test (no third-party code): an online
per-sample net with lists of (n, 1) column vectors and a summed cost; a course notebook
with ``parameters`` / ``cache`` dicts and a sibling helper module; a script-style
function with an L2 term in its loss; a file that prints as it trains. Each runs in the
sandbox, as the CLI runs it, and a one-line mutation of each gets the hint its mutation
plants.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from compare.students.student import check_file

STYLES = Path(__file__).resolve().parents[1] / "examples" / "students" / "styles"
SCRATCH_ONLY = ("scratch",)

# the options come from each file's docstring, which is also the command it documents
STYLE_RUNS = [
    pytest.param(
        "online_network.py",
        "",
        "worked-2-2-2",
        {"convention": "columns", "per_sample": True, "reduction": "sum", "names": "W=weights,b=biases"},
        "(nabla_b, nabla_w): two sequences in layer order 1..L, with the loss last; called once per sample",
        id="online-per-sample",
    ),
    pytest.param(
        "notebook_style.py",
        ":forward_propagation,compute_cost,backward_propagation",
        "2-4-1:tanh,sigmoid:bce",
        {"convention": "columns", "data": str(STYLES / "two_blobs.csv")},
        "a dict keyed dW1, db1, dW2, db2, with the loss first",
        id="notebook-chain",
    ),
    pytest.param(
        "script_l2.py",
        ":loss",
        "spiral-2-4-3",
        {"convention": "rows", "l2": 0.05, "l2_form": "batch", "names": "W1=w1,W2=w2"},
        "a dict keyed w1, b1, w2, b2, with the loss first",
        id="script-l2",
    ),
    pytest.param(
        "prints_while_training.py", "", "worked-2-2-2", {}, "a dict keyed W1, b1, W2, b2, with the loss first", id="prints"
    ),
]


@pytest.mark.parametrize("filename, suffix, arch, options, how", STYLE_RUNS)
def test_each_style_passes_in_the_sandbox(filename, suffix, arch, options, how):
    result = check_file(str(STYLES / filename) + suffix, arch, frameworks=SCRATCH_ONLY, **options)
    assert result.passed, [h.message for h in result.hints]
    assert result.loss_judged and result.how == how


def test_what_the_training_file_prints_is_kept_apart():
    result = check_file(str(STYLES / "prints_while_training.py"), "worked-2-2-2", frameworks=SCRATCH_ONLY)
    lines = result.printed.splitlines()
    assert [line.split(":")[0] for line in lines[1:6:2]] == ["epoch 0", "epoch 1", "epoch 2"]  # its top-level loop, first
    assert lines[-2:] == ["backprop: X (1, 2) W1 (2, 2)", "backprop: X (5, 2) W1 (2, 2)"]  # then the two checked cases


@pytest.mark.parametrize(
    "filename, suffix, arch, options, old, new, key",
    [
        pytest.param(
            "online_network.py",
            "",
            "worked-2-2-2",
            {"convention": "columns", "per_sample": True, "reduction": "sum", "names": "W=weights,b=biases"},
            "* sigmoid_prime(zs[-layer])",
            "* activations[-layer]",
            "wrong_derivative",
            id="online-derivative-a",
        ),
        pytest.param(
            "notebook_style.py",
            ":forward_propagation,compute_cost,backward_propagation",
            "2-4-1:tanh,sigmoid:bce",
            {"convention": "columns", "data": str(STYLES / "two_blobs.csv")},
            "(1 - np.power(A1, 2))",
            "(1 - A1)",
            "wrong_derivative",
            id="notebook-tanh-1-minus-a",
        ),
        pytest.param(
            "script_l2.py",
            ":loss",
            "spiral-2-4-3",
            {"convention": "rows", "l2": 0.05, "l2_form": "batch", "names": "W1=w1,W2=w2"},
            "    dhidden[hidden <= 0] = 0\n",
            "",
            "missing_relu_mask",
            id="script-no-mask",
        ),
    ],
)
def test_a_one_line_mutation_of_each_style_gets_its_hint(tmp_path, filename, suffix, arch, options, old, new, key):
    text = (STYLES / filename).read_text()
    assert old in text
    for sibling in STYLES.glob("*.py"):
        (tmp_path / sibling.name).write_text(sibling.read_text())
    (tmp_path / filename).write_text(text.replace(old, new))
    result = check_file(str(tmp_path / filename) + suffix, arch, frameworks=SCRATCH_ONLY, sandbox=False, **options)
    assert [h.key for h in result.hints] == [key], [h.message for h in result.hints]
