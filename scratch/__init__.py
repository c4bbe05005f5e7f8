"""The reference MLP in NumPy, no autograd: the chain rule written out as in the lectures.

Modules, parallel to ``torch_impl`` and ``keras_impl``: ``activations`` and
``losses`` (each function beside its derivative), ``model`` (forward, backward,
evaluate), ``optimizers`` (the update rules), ``regularization`` (L2), ``train``,
``init`` (seeded initial weights); and ``gradcheck`` (central finite differences,
the oracle for the backward pass). The contract they fulfil (spec, input checks,
the Trace record) is in ``core``.
"""

from core.errors import InputError
from core.spec import Spec, parse_spec
from scratch.model import evaluate

__all__ = ["InputError", "Spec", "evaluate", "parse_spec"]
