"""The reference MLP in NumPy, no autograd: the chain rule as written in the lectures.

Modules: ``spec`` (architecture), ``activations`` and ``losses`` (each function
beside its derivative), ``network`` (forward, backward, gradient descent),
``gradcheck`` (finite differences), ``init`` (seeded initial weights),
``validate`` (input checks), ``trace`` (the record all implementations return).
"""

from scratch.errors import InputError
from scratch.network import evaluate
from scratch.spec import Spec, parse_spec

__all__ = ["InputError", "Spec", "evaluate", "parse_spec"]
