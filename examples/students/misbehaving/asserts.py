"""MISBEHAVES: a shape assertion written for the columns layout, run with the default canonical one.

python -m compare check examples/students/misbehaving/asserts.py --arch worked-2-2-2
"""


def backprop(params, X, y):
    assert X.shape[0] == params["W1"].shape[1], f"X must be (n_0, m), got {X.shape}"
    return 0.0, {}
