"""The framework-neutral contract every implementation shares.

``scratch``, ``torch_impl`` and ``keras_impl`` depend on this package and never on
each other. It holds no maths: the architecture spec, one record per activation,
loss and optimizer, the input checks, the error type, and the records a pass
(:class:`~core.trace.Trace`) and a training run (:class:`~core.training.TrainResult`)
return.
"""

from core.errors import InputError
from core.spec import Spec, parse_spec
from core.trace import Trace

__all__ = ["InputError", "Spec", "Trace", "parse_spec"]
