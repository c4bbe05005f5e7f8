"""MISBEHAVES: prints, then calls sys.exit(0) (check exits 2, not 0: "correct" is never faked).

python -m compare check examples/students/misbehaving/exits.py --arch worked-2-2-2
"""

import sys


def backprop(params, X, y):
    print("shapes:", X.shape, y.shape)
    sys.exit(0)  # MISTAKE: a debugging stop left in
