"""Write examples/backprop_walkthrough.ipynb from the cells below (no outputs: they are made when it runs).

The notebook is kept as this script's output so that its text is reviewed as Python and the
committed file never carries outputs; tests/test_notebook.py executes it and checks that the
committed file is what this script writes::

    python scripts/make_notebook.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "examples" / "backprop_walkthrough.ipynb"

CELLS: list[tuple[str, str]] = [
    (
        "markdown",
        """# Back-propagation from scratch, beside PyTorch and Keras

This notebook walks through the worked 2-2-2 example of the Amrita "Feed Forward Neural Networks – Introduction"
lecture (Matt Mazur, "A Step by Step Backpropagation Example", 2015): the forward pass, the loss,
every delta and gradient written out in NumPy, then the same numbers from PyTorch and Keras 3, then a
check of your own `backprop` function, and a short training run with its plots.

Run it from a checkout of this project with its environment installed
(`pip install -c constraints.txt -e '.[test]'`). Jupyter itself is not among the pinned packages:
`pip install notebook`, then `jupyter notebook examples/backprop_walkthrough.ipynb` (or open it in VS Code).
On Colab, upload the project folder, `pip install -e .` in it, and open this file from there.

Layout (the project's canonical one): `X` is `(m, n_0)`, one sample per row; `W_l` is `(n_l, n_{l-1})`,
`W_l[j, k]` the weight from unit k of layer l-1 to unit j of layer l (the lectures' w^l_jk); `b_l` is `(n_l,)`.""",
    ),
    (
        "code",
        """import numpy as np

from compare.data.cases import get_case

case = get_case("worked-2-2-2")
W1, b1, W2, b2 = (case.params[name] for name in ("W1", "b1", "W2", "b2"))
X, y = case.X, case.y
print(case.spec)
print("W1 =", W1.tolist(), " b1 =", b1.tolist())
print("W2 =", W2.tolist(), " b2 =", b2.tolist())
print("X =", X.tolist(), " targets =", y.tolist())""",
    ),
    (
        "markdown",
        """## Forward pass

z_l = a_{l-1} W_lᵀ + b_l and a_l = σ(z_l), with a_0 = X; the loss is the squared error
E = ½ Σ_j (t_j − o_j)², averaged over the m samples (here m = 1).
Mazur's post prints out_o1 = 0.75136507, out_o2 = 0.772928465 and E_total = 0.298371109.""",
    ),
    (
        "code",
        """def sigmoid(z):
    return 1 / (1 + np.exp(-z))


m = X.shape[0]
z1 = X @ W1.T + b1  # net_h1, net_h2
a1 = sigmoid(z1)  # out_h1, out_h2
z2 = a1 @ W2.T + b2  # net_o1, net_o2
a2 = sigmoid(z2)  # out_o1, out_o2
loss = np.sum(0.5 * (y - a2) ** 2) / m
print("a1 =", a1, " a2 =", a2, " E =", loss)
assert abs(a2[0, 0] - 0.75136507) < 5e-9 and abs(a2[0, 1] - 0.772928465) < 5e-10 and abs(loss - 0.298371109) < 5e-10""",
    ),
    (
        "markdown",
        """## Backward pass

The output delta is δ_2 = ∂E/∂z_2 = −(t − a_2) ⊙ a_2 ⊙ (1 − a_2); the hidden one is
δ_1 = (δ_2 W_2) ⊙ a_1 ⊙ (1 − a_1); the gradients are dW_l = δ_lᵀ a_{l-1} / m and db_l = Σ_samples δ_l / m.
One gradient-descent step with η = 0.5 gives Mazur's updated weights: w5 = 0.35891648, w1 = 0.149780716.""",
    ),
    (
        "code",
        """delta2 = -(y - a2) * a2 * (1 - a2)
delta1 = (delta2 @ W2) * a1 * (1 - a1)
grads = {"W2": delta2.T @ a1 / m, "b2": delta2.sum(axis=0) / m, "W1": delta1.T @ X / m, "b1": delta1.sum(axis=0) / m}
eta = case.learning_rate
W2_new, W1_new = W2 - eta * grads["W2"], W1 - eta * grads["W1"]
print("dW2 =", grads["W2"].tolist())
print("dW1 =", grads["W1"].tolist())
print("w5 after one step:", W2_new[0, 0], " w1 after one step:", W1_new[0, 0])
assert abs(W2_new[0, 0] - 0.35891648) < 5e-9 and abs(W1_new[0, 0] - 0.149780716) < 5e-10""",
    ),
    (
        "markdown",
        """## The same numbers, step by step, from every implementation

`explain` prints each step with its formula, scratch's value, each framework's beside it and the
slide's printed number. The same table comes from `python -m compare explain worked-2-2-2`.""",
    ),
    (
        "code",
        """from compare.students.explain import render_text
from compare.students.steps import explain_case

frameworks = ("scratch", "torch", "keras")
explained, steps = explain_case("worked-2-2-2", frameworks)
print(render_text(explained, steps, frameworks))""",
    ),
    (
        "markdown",
        """## The PyTorch lines beside the NumPy ones

`nn.Linear` keeps its weight as `(out, in)`, the same layout as `W_l`, so the weights load as they are.
The lecture's ½ Σ (t − o)² is `MSELoss(reduction="sum") / 2` per sample (`MSELoss()` alone is the mean
over all elements, which halves nothing and divides by the number of outputs too).""",
    ),
    (
        "code",
        """import torch

torch.set_default_dtype(torch.float64)
hidden, output = torch.nn.Linear(2, 2), torch.nn.Linear(2, 2)
with torch.no_grad():
    hidden.weight.copy_(torch.tensor(W1))  # (out, in): W1 as it is
    hidden.bias.copy_(torch.tensor(b1))
    output.weight.copy_(torch.tensor(W2))
    output.bias.copy_(torch.tensor(b2))
model = torch.nn.Sequential(hidden, torch.nn.Sigmoid(), output, torch.nn.Sigmoid())
torch_loss = torch.nn.MSELoss(reduction="sum")(model(torch.tensor(X)), torch.tensor(y)) / 2 / m
torch_loss.backward()  # autograd: the chain rule, done by torch
print("torch loss", torch_loss.item(), " numpy loss", loss)
print("torch dW1", hidden.weight.grad.tolist())
np.testing.assert_allclose(hidden.weight.grad.numpy(), grads["W1"], rtol=1e-12)
np.testing.assert_allclose(output.weight.grad.numpy(), grads["W2"], rtol=1e-12)""",
    ),
    (
        "markdown",
        """## The Keras lines beside the NumPy ones

`Dense` keeps its kernel as `(in, out)`: it is `W_lᵀ`, so the weights load transposed. Set the dtype of
every layer (Keras would otherwise cast float64 data to a float32 model without a word), and take the
gradients from the backend's own autodiff (`tf.GradientTape` on TensorFlow).""",
    ),
    (
        "code",
        """import keras_impl  # noqa: F401, I001  (first: it sets Keras's backend variables before Keras loads)
import keras
import tensorflow as tf

dense1 = keras.layers.Dense(2, activation="sigmoid", dtype="float64")
dense2 = keras.layers.Dense(2, activation="sigmoid", dtype="float64")
keras_model = keras.Sequential([keras.Input((2,), dtype="float64"), dense1, dense2])
dense1.set_weights([W1.T, b1])  # the kernel is W1 transposed
dense2.set_weights([W2.T, b2])
with tf.GradientTape() as tape:
    out = keras_model(X)
    keras_loss = tf.reduce_sum(0.5 * (y - out) ** 2) / m
kernel1, _, kernel2, _ = tape.gradient(keras_loss, keras_model.trainable_variables)
print("keras loss", float(keras_loss), " numpy loss", loss)
np.testing.assert_allclose(kernel1.numpy().T, grads["W1"], rtol=1e-12)  # transposed back to W1's layout
np.testing.assert_allclose(kernel2.numpy().T, grads["W2"], rtol=1e-12)""",
    ),
    (
        "markdown",
        """## Check your own backprop

Write `backprop(params, X, y)` returning the loss and a dict of gradients in the canonical layout, and
hand it to `check_function`: it runs your function on the case, compares every quantity with scratch
and the frameworks, and names the likely mistake when one is wrong. (From a terminal:
`python -m compare check my_file.py --arch worked-2-2-2`.)""",
    ),
    (
        "code",
        """from compare.students.student import check_function


def backprop(params, X, y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    m = X.shape[0]
    a1 = sigmoid(X @ W1.T + b1)
    a2 = sigmoid(a1 @ W2.T + b2)
    loss = np.sum(0.5 * (y - a2) ** 2) / m
    delta2 = -(y - a2) * a2 * (1 - a2)
    delta1 = (delta2 @ W2) * a1 * (1 - a1)
    return loss, {"W2": delta2.T @ a1 / m, "b2": delta2.sum(0) / m, "W1": delta1.T @ X / m, "b1": delta1.sum(0) / m}


result = check_function(backprop, "worked-2-2-2", frameworks=("scratch", "torch"))
assert result.passed
result""",
    ),
    (
        "markdown",
        """A classic mistake: the hidden delta without the sigmoid's derivative a_1 (1 − a_1). The check says
which quantity is wrong first and what it matches.""",
    ),
    (
        "code",
        """def backprop_without_derivative(params, X, y):
    loss, grads = backprop(params, X, y)
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    m = X.shape[0]
    a1 = sigmoid(X @ W1.T + b1)
    a2 = sigmoid(a1 @ W2.T + b2)
    delta1 = (-(y - a2) * a2 * (1 - a2)) @ W2  # the mistake: no * a1 * (1 - a1)
    return loss, grads | {"W1": delta1.T @ X / m, "b1": delta1.sum(0) / m}


wrong = check_function(backprop_without_derivative, "worked-2-2-2", frameworks=("scratch",))
assert not wrong.passed
print("\\n".join(hint.message for hint in wrong.hints))
wrong""",
    ),
    (
        "markdown",
        """## A short training run

Session-5 backprop's ReLU + softmax net on its spiral, 300 full-batch Adam steps in scratch and PyTorch
from the same weights: the loss curves lie on each other, and the decision regions match.""",
    ),
    (
        "code",
        """%matplotlib inline
from compare.training.plots import plot_boundary, plot_loss
from compare.training.run import run_training

run = run_training(
    get_case("spiral-2-4-3"), optimizer="adam", dtype="float64", frameworks=("torch",), steps=300, every=10, learning_rate=0.05
)
print("trajectories agree:", run.passed)
assert run.passed
plot_loss(run)""",
    ),
    ("code", "plot_boundary(run)"),
]


def build() -> nbformat.NotebookNode:
    """The notebook, without outputs."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    make = {"markdown": nbformat.v4.new_markdown_cell, "code": nbformat.v4.new_code_cell}
    notebook.cells = [make[kind](source) for kind, source in CELLS]
    for number, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{number}"  # stable ids: the file is the same every time it is written
    return notebook


def main() -> int:
    """Write the notebook."""
    nbformat.write(build(), NOTEBOOK)
    print(f"wrote {NOTEBOOK.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
