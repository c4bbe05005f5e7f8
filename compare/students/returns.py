"""Reading what a student's function returned: the loss (optional) and the gradients, in any of the usual forms.

Understood, for L layers (each gradient in the student's layout, compare.students.conventions):

==============================================  ==================================================
form                                            example
==============================================  ==================================================
a dict keyed like the parameters                ``{"dW1": ..., "db1": ..., "dW2": ..., "db2": ...}``
                                                (``W1`` / ``dW1`` / ``grad_W1``, any case, or the
                                                keys a ``--names`` mapping gives)
two sequences of L arrays, in layer order 1..L  ``(nabla_b, nabla_w)`` or ``(nabla_w, nabla_b)``:
                                                which is which is read from the shapes
one sequence of 2 L arrays, in layer order      ``(dW1, db1, dW2, db2)`` (or ``db1, dW1, ...``)
==============================================  ==================================================

each alone (no loss: only the gradients are judged) or with the loss as the first or
last element: ``(loss, grads)``, ``(grads, loss)``, ``(loss, nabla_b, nabla_w)``, ...
The loss is one number (a 1 x 1 array is one number). Backward (L..1) order is not
read: say ``W1`` for layer 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from compare.students import conventions
from compare.students.calling import Opaque
from core.errors import InputError
from core.spec import Spec


@dataclass
class StudentOutput:
    """What the student's function returned, read and translated.

    Attributes:
        loss: the loss, or None when the function returned none (then only gradients are judged).
        grads: canonical gradients, ``grads["W1"]`` ``(n_1, n_0)``, ``grads["b1"]`` ``(n_1,)`` (a wrong
            shape is kept as it came, for the report).
        raw: the same gradients as the student returned them (their layout and shapes).
        how: how the return value was read, in words, e.g. ``"(nabla_b, nabla_w): two lists in layer order"``.
    """

    loss: float | None
    grads: dict[str, np.ndarray]
    raw: dict[str, np.ndarray] = field(default_factory=dict)
    how: str = ""

    def scaled(self, factor: float) -> StudentOutput:
        """Every number divided by ``factor`` (a summed reduction brought to the mean's scale)."""
        return StudentOutput(
            None if self.loss is None else self.loss / factor,
            {p: g / factor for p, g in self.grads.items()},
            {p: g / factor for p, g in self.raw.items()},
            self.how,
        )


def describe(value: object, depth: int = 0) -> str:
    """A short account of a returned value, for error messages: ``tuple of 2: (list of 2 arrays, float)``."""
    if isinstance(value, np.ndarray):
        return f"array {value.shape}"
    if isinstance(value, float):
        return "float"
    if isinstance(value, Opaque):
        return value.type_name
    if isinstance(value, Mapping):
        return f"dict with keys {', '.join(list(value)[:8])}"
    if isinstance(value, (list, tuple)):
        kind = type(value).__name__
        if value and all(isinstance(v, np.ndarray) for v in value):
            return f"{kind} of {len(value)} arrays"
        if depth >= 1:
            return f"{kind} of {len(value)}"
        return f"{kind} of {len(value)}: ({', '.join(describe(v, depth + 1) for v in value[:6])})"
    return type(value).__name__


def _is_loss(value: object) -> bool:
    return isinstance(value, float) or (isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "fiu")


def _arrays(value: object) -> bool:
    return isinstance(value, (list, tuple)) and all(isinstance(v, (np.ndarray, float)) for v in value)


def _weight_like(value: object, shape: tuple[int, ...]) -> bool:
    """A 2-D array with n_l * n_{l-1} numbers (transposed or not: a transpose is a mistake to diagnose, not to refuse)."""
    return isinstance(value, np.ndarray) and value.ndim == 2 and value.size == shape[0] * shape[1]


def _from_two_lists(first: Sequence, second: Sequence, spec: Spec) -> tuple[dict[str, object], str] | None:
    L = spec.n_layers
    if len(first) != L or len(second) != L or not (_arrays(first) and _arrays(second)):
        return None
    shapes = spec.param_shapes()
    first_w = all(_weight_like(first[l - 1], shapes[f"W{l}"]) for l in range(1, L + 1))
    second_w = all(_weight_like(second[l - 1], shapes[f"W{l}"]) for l in range(1, L + 1))
    if first_w and not second_w:
        weights, biases, how = first, second, "(nabla_w, nabla_b): two sequences in layer order 1..L"
    elif second_w:
        weights, biases, how = second, first, "(nabla_b, nabla_w): two sequences in layer order 1..L"
        if first_w:
            how += " (both fit by shape; read in this order)"
    else:
        return None
    out: dict[str, object] = {}
    for l in range(1, L + 1):
        out[f"W{l}"], out[f"b{l}"] = weights[l - 1], biases[l - 1]
    return out, how


def _from_flat(items: Sequence, spec: Spec) -> tuple[dict[str, object], str] | None:
    L = spec.n_layers
    if len(items) != 2 * L or not _arrays(items):
        return None
    shapes = spec.param_shapes()
    out: dict[str, object] = {}
    bias_first = 0
    for l in range(1, L + 1):
        a, b = items[2 * l - 2], items[2 * l - 1]
        if _weight_like(b, shapes[f"W{l}"]) and not _weight_like(a, shapes[f"W{l}"]):
            a, b = b, a
            bias_first += 1
        out[f"W{l}"], out[f"b{l}"] = a, b
    order = "db1, dW1, db2, dW2, ..." if bias_first == L else "dW1, db1, dW2, db2, ..."
    return out, f"({order}): one sequence in layer order 1..L"


def _folded(key: object) -> str:
    """A key as :func:`_key_for` compares it: lower case, without underscores (``grad_w_1`` -> ``gradw1``)."""
    return str(key).lower().replace("_", "")


def _key_for(name: str, keys: Mapping[str, str], student_key: str) -> str | None:
    """The key of the student's dict that holds the gradient of ``name`` (``keys``: :func:`_folded` key -> key).

    Case and underscores do not count: ``dW1``, ``grad_W1``, ``grad_w_1``, ``dw_1`` and ``nabla_W1`` all name W1's.
    """
    for candidate in (student_key, f"d{student_key}", f"grad{student_key}", f"nabla{student_key}"):
        if _folded(candidate) in keys:
            return keys[_folded(candidate)]
    return None


def _from_lists(grads: Mapping[str, object], spec: Spec, names: conventions.Names) -> dict[str, object]:
    """``{"weights": [dW1, dW2], ...}`` (a ``--names W=weights`` mapping) spread out as ``W1, W2, ...``."""
    keys = {_folded(k): str(k) for k in grads}
    out = dict(grads)
    for kind, list_key in names.lists.items():
        found = _key_for(list_key, keys, list_key)
        value = grads[found] if found is not None else None
        if isinstance(value, (list, tuple)) and len(value) == spec.n_layers:
            out.update({f"{kind}{l}": v for l, v in enumerate(value, start=1)})
    return out


def _from_dict(grads: Mapping[str, object], spec: Spec, names: conventions.Names) -> tuple[dict[str, object], str]:
    grads = _from_lists(grads, spec, names)
    keys = {_folded(k): str(k) for k in grads}
    out: dict[str, object] = {}
    used: list[str] = []
    for name in spec.param_shapes():
        key = _key_for(name, keys, names.keys.get(name, name))
        if key is None:
            expected = ", ".join(f"d{names.keys.get(p, p)}" for p in spec.param_shapes())
            raise InputError(
                f"the gradients have no {name!r} (nor {'d' + names.keys.get(name, name)!r}); expected keys {expected}, "
                f"got {', '.join(map(str, grads)) or 'none'} (--names maps other names)"
            )
        out[name] = grads[key]
        used.append(key)
    return out, f"a dict keyed {', '.join(used)}"


def _gradients(items: Sequence, spec: Spec, names: conventions.Names) -> tuple[dict[str, object], str] | None:
    """The gradients, if ``items`` (the return value without its loss) is a form this module reads."""
    if len(items) == 1 and isinstance(items[0], Mapping):
        return _from_dict(items[0], spec, names)
    if len(items) == 2 and isinstance(items[0], (list, tuple)) and isinstance(items[1], (list, tuple)):
        found = _from_two_lists(items[0], items[1], spec)
        if found is not None:
            return found
    if len(items) == 1 and isinstance(items[0], (list, tuple)):
        return _gradients(list(items[0]), spec, names)
    return _from_flat(items, spec)


FORMS = "a dict {'dW1': ..., 'db1': ...}, (nabla_b, nabla_w) lists in layer order, or (dW1, db1, dW2, db2, ...)"


def read_returned(returned: object, spec: Spec, convention: str, names: conventions.Names | None = None) -> StudentOutput:
    """Read the loss and the gradients out of what the student's function returned (forms in the module docstring).

    Args:
        returned: the plain return value (compare.students.calling.plain).
        spec: the architecture (L, and the shapes that tell weights from biases).
        convention: the student's layout, to translate the gradients to canonical.
        names: the student's names for the parameters (``--names``).

    Raises:
        InputError: a form not understood, a missing gradient, a gradient that is not numeric.
    """
    names = names or conventions.Names()
    items: list[object] = list(returned) if isinstance(returned, (tuple, list)) else [returned]
    attempts: list[tuple[object, list[object]]] = [(None, items)]
    if len(items) >= 2 and _is_loss(items[0]):
        attempts.append((items[0], items[1:]))
    if len(items) >= 2 and _is_loss(items[-1]):
        attempts.append((items[-1], items[:-1]))
    found = next(((loss, form) for loss, rest in attempts if (form := _gradients(rest, spec, names)) is not None), None)
    if found is None:
        raise InputError(
            f"the return value is {describe(returned)}; expected the gradients as {FORMS}, "
            "alone or with the loss first or last (docs/students.md)"
        )
    loss, (raw, how) = found
    for name, value in raw.items():
        if not isinstance(value, np.ndarray) and not isinstance(value, float):
            raise InputError(f"gradient {name!r}: expected a numeric array, got {describe(value)}")
    raw_arrays = {name: np.asarray(value, dtype=np.float64) for name, value in raw.items()}
    loss_value = None if loss is None else float(np.asarray(loss, dtype=np.float64).reshape(()))
    if loss is None:
        how += ", no loss"
    else:
        how += ", with the loss " + ("first" if loss is items[0] else "last")
    return StudentOutput(loss_value, conventions.grads_from(convention, spec, raw_arrays), raw_arrays, how)
