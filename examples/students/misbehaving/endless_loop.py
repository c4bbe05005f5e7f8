"""MISBEHAVES: never returns (check ends it at --timeout and exits 2, naming the line).

python -m compare check examples/students/misbehaving/endless_loop.py --arch worked-2-2-2 --timeout 1
"""


def backprop(params, X, y):
    converged = False
    while not converged:  # MISTAKE: nothing ever sets converged
        pass
