"""``check --framework torch``: the student's PyTorch file, driven through PyTorch, inside the sandbox worker.

The worker (compare.students.worker) imports this module before the student's file, so
``import torch`` in that file costs nothing against the timeout, and calls
:func:`describe`, :func:`evaluate` and :func:`train` with the student's module. Each
builds a fresh model with the student's ``build_model()``:

- the layers are read in the order ``forward`` calls them: ``torch.fx.symbolic_trace``
  (which also sees ``F.relu``, ``torch.sigmoid``, ``x.softmax(dim=1)`` in a custom
  ``forward``), or forward hooks on the leaf modules where fx cannot trace;
- the case's canonical weights go into the ``nn.Linear`` layers in that order with
  torch_impl.convert (``Linear.weight`` is W_l itself), unless ``build_model`` already
  put this case's weights in (then they are kept, and a transposed load is reported);
- forward is ``model(X)``, the loss ``loss_fn(output, y)`` (torch's order: input, target),
  the gradients ``loss.backward()`` and each ``Linear.weight.grad`` / ``.bias.grad``;
- ``train`` calls ``make_optimizer(model.parameters())`` and ``train_step(model, loss_fn,
  optimizer, X, y)`` twice, reading the parameters after each step.

Exceptions of the student's forward pass, loss, backward and train_step are returned as
data (compare.students.framework_hints names the classic ones); any other exception
propagates to the worker, which reports it with the student's file:line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
import torch.fx
from torch import nn

from compare.students.framework_driver import (
    OPTIONAL,
    defined,
    failed,
    missing_names,
    pack,
    recorded_warnings,
    unpack,
    weight_status,
)
from core.activations import ACTIVATIONS
from torch_impl import optimizers as torch_optimizers
from torch_impl.activations import MODULES
from torch_impl.convert import load_params, read_grads, read_params

# the project's own torch activation modules (torch_impl.activations, one per core.activations record), read back:
# nn.Sigmoid -> "sigmoid", ...; nn.Identity is the linear activation, no layer at all; LogSoftmax is NLLLoss's partner
ACTIVATION_MODULES: dict[type[nn.Module], str] = {type(make()): name for name, make in MODULES.items() if name != "linear"} | {
    nn.LogSoftmax: "log_softmax"
}
NOOP_MODULES = (nn.Identity, nn.Flatten)
# torch.relu, F.relu, x.relu(), ...: a function or method named like the activation
ACTIVATION_FUNCTIONS = {name: name for name in [*ACTIVATIONS, "log_softmax"] if name != "linear"}
SHAPE_OPERATIONS = {"flatten", "view", "reshape", "squeeze", "unsqueeze", "float", "double", "to", "contiguous", "type"}
SETTINGS = (*torch_optimizers.SETTINGS, "amsgrad", "centered", "maximize")  # what a student's optimizer may also set


# ---------------------------------------------------------------------------------------------
# Reading the model


def _module_item(name: str, module: nn.Module) -> dict[str, Any]:
    """One module as the architecture check reads it (compare.students.framework_check.match_architecture)."""
    item: dict[str, Any] = {"name": name, "type": type(module).__name__}
    if isinstance(module, nn.Linear):
        return {
            **item,
            "kind": "linear",
            "n_in": module.in_features,
            "n_out": module.out_features,
            "bias": module.bias is not None,
        }
    activation = next((a for cls, a in ACTIVATION_MODULES.items() if isinstance(module, cls)), None)
    if activation is not None:
        item.update(kind="activation", activation=activation)
        if activation == "leaky_relu":
            item["slope"] = float(module.negative_slope)  # type: ignore[arg-type]
        if activation in ("softmax", "log_softmax"):
            item["dim"] = module.dim
        return item
    return {**item, "kind": "noop" if isinstance(module, NOOP_MODULES) else "other"}


def _function_item(node: torch.fx.Node) -> dict[str, Any] | None:
    """A ``call_function`` / ``call_method`` node of the traced forward: an activation, a shape operation (None), or other."""
    name = node.target if isinstance(node.target, str) else getattr(node.target, "__name__", str(node.target))
    if name in ACTIVATION_FUNCTIONS:
        item: dict[str, Any] = {"name": f"{name}()", "type": name, "kind": "activation", "activation": ACTIVATION_FUNCTIONS[name]}
        if name == "leaky_relu":
            item["slope"] = float(node.kwargs.get("negative_slope", node.args[1] if len(node.args) > 1 else 0.01))  # type: ignore[arg-type]
        if name in ("softmax", "log_softmax"):
            item["dim"] = node.kwargs.get("dim", node.args[1] if len(node.args) > 1 else None)
        return item
    if name in SHAPE_OPERATIONS or name.startswith("get") or name == "size":
        return None
    return {"name": f"{name}()", "type": name, "kind": "other"}


def _traced(model: nn.Module) -> list[tuple[dict[str, Any], nn.Module | None]] | None:
    """The layers in call order from ``torch.fx``, or None where it cannot trace the forward pass."""
    try:
        graph = torch.fx.symbolic_trace(model).graph
    except Exception:  # noqa: BLE001 - data-dependent control flow and the like: fall back to hooks
        return None
    layers: list[tuple[dict[str, Any], nn.Module | None]] = []
    for node in graph.nodes:
        if node.op == "call_module":
            module = model.get_submodule(str(node.target))
            layers.append((_module_item(str(node.target), module), module))
        elif node.op in ("call_function", "call_method"):
            item = _function_item(node)
            if item is not None:
                layers.append((item, None))
    return layers


def _hooked(model: nn.Module, n_inputs: int) -> list[tuple[dict[str, Any], nn.Module | None]]:
    """The leaf modules in the order one forward pass on zeros calls them (functional activations are not seen)."""
    names = {module: name for name, module in model.named_modules()}
    order: list[nn.Module] = []
    handles = [
        module.register_forward_hook(lambda module, args, output: order.append(module))
        for module in model.modules()
        if not list(module.children())
    ]
    parameter = next(model.parameters(), None)
    dtype = parameter.dtype if parameter is not None else torch.get_default_dtype()
    try:
        with torch.no_grad():
            model(torch.zeros(1, n_inputs, dtype=dtype))
    finally:
        for handle in handles:
            handle.remove()
    return [(_module_item(names[module], module), module) for module in order]


def layers_of(model: nn.Module, n_inputs: int) -> list[tuple[dict[str, Any], nn.Module | None]]:
    """Every layer of ``model`` in call order: its description and its module (None for a function)."""
    traced = _traced(model)
    if traced is None or not any(isinstance(module, nn.Linear) for _, module in traced):
        return _hooked(model, n_inputs)
    return traced


def _linears(model: nn.Module, n_inputs: int) -> list[nn.Linear]:
    return [module for _, module in layers_of(model, n_inputs) if isinstance(module, nn.Linear)]


def describe_loss(loss_fn: Any) -> dict[str, Any]:
    """The student's loss: its class (or function) name, module and reduction."""
    if isinstance(loss_fn, nn.Module):
        options = {k: getattr(loss_fn, k) for k in ("label_smoothing", "ignore_index") if hasattr(loss_fn, k)}
        weighted = [k for k in ("weight", "pos_weight") if getattr(loss_fn, k, None) is not None]
        return {
            "type": type(loss_fn).__name__,
            "module": type(loss_fn).__module__,
            "reduction": getattr(loss_fn, "reduction", None),
            "options": options,
            "weighted": weighted,
        }
    return {"type": getattr(loss_fn, "__name__", type(loss_fn).__name__), "module": getattr(loss_fn, "__module__", "") or ""}


def _dtypes(model: nn.Module) -> list[str]:
    return sorted({str(p.dtype).removeprefix("torch.") for p in model.parameters()})


def _build(module: Any) -> nn.Module:
    model = module.build_model()
    if not isinstance(model, nn.Module):
        raise TypeError(f"build_model() returned {type(model).__name__}, not a torch.nn.Module")
    return model


def describe(module: Any, roots: Sequence[str], n_inputs: int) -> dict[str, Any]:
    """The student's model (its layers in call order), loss and optional functions, or the names it lacks."""
    missing = missing_names(module)
    if missing:
        return {"missing": missing, "defined": defined(module)}
    model = _build(module)
    try:
        layers = layers_of(model, n_inputs)
    except Exception as exc:  # noqa: BLE001 - the student's forward, run once on zeros where fx cannot trace it
        return {"error": failed("forward", exc, roots)}
    return {
        "model": type(model).__name__,
        "items": [item for item, _ in layers],
        "param_dtypes": _dtypes(model),
        "loss": describe_loss(module.loss_fn),
        "has": {name: callable(getattr(module, name, None)) for name in OPTIONAL},
        "version": torch.__version__,
        "backend": None,
    }


# ---------------------------------------------------------------------------------------------
# Running it


def place_weights(linears: list[nn.Linear], params: dict[str, np.ndarray]) -> list[str]:
    """Load canonical W_l, b_l into ``linears[l-1]`` unless ``build_model`` already holds this case's; each layer's status."""
    initial = read_params(linears)  # torch_impl.convert: weight == W_l
    statuses = []
    for l, linear in enumerate(linears, start=1):
        status = weight_status(initial, params, l)
        if status == "replaced":
            load_params([linear], {"W1": params[f"W{l}"], "b1": params[f"b{l}"]})  # this one layer, as layer 1 of one
        statuses.append(status)
    return statuses


def _prepared(
    module: Any, params: Any, X: Any, y: Any
) -> tuple[nn.Module, list[nn.Linear], list[str], torch.Tensor, torch.Tensor]:
    model = _build(module)
    linears = _linears(model, np.asarray(unpack(X)).shape[1])
    statuses = place_weights(linears, unpack(params))
    return model, linears, statuses, torch.from_numpy(unpack(X)), torch.from_numpy(unpack(y))


def evaluate(module: Any, roots: Sequence[str], params: Any, X: Any, y: Any) -> dict[str, Any]:
    """Forward, the student's ``loss_fn(output, y)`` and ``loss.backward()`` on the case, in the data's dtype."""
    model, linears, statuses, X_t, y_t = _prepared(module, params, X, y)
    caught: list[str] = []
    answer: dict[str, Any] = {"weights": statuses, "warnings": caught, "param_dtypes": _dtypes(model)}
    with recorded_warnings(caught):
        stage = "forward"
        try:
            output = model(X_t)
            stage = "loss"
            loss = module.loss_fn(output, y_t)
            stage = "backward"
            loss.backward()
            grads = read_grads(linears)  # Linear.weight.grad == dW_l
        except Exception as exc:  # noqa: BLE001 - the student's code: returned, framework_hints explains the classic ones
            return {**answer, "error": failed(stage, exc, roots)}
    answer.update(output=pack(output.detach().numpy()), loss=float(loss.item()), grads=pack(grads))
    answer.update(output_dtype=str(output.dtype).removeprefix("torch."), loss_dtype=str(loss.dtype).removeprefix("torch."))
    return answer


def describe_optimizer(optimizer: Any, model: nn.Module) -> dict[str, Any]:
    """The optimizer's class and settings (torch holds Python floats: the values are the ones it uses)."""
    if not isinstance(optimizer, torch.optim.Optimizer):
        return {"type": type(optimizer).__name__, "module": type(optimizer).__module__, "settings": {}, "effective": {}}
    group = optimizer.param_groups[0]
    settings = {k: (list(group[k]) if isinstance(group[k], tuple) else group[k]) for k in SETTINGS if k in group}
    covered = {id(p) for g in optimizer.param_groups for p in g["params"]}
    return {
        "type": type(optimizer).__name__,
        "module": type(optimizer).__module__,
        "settings": pack(settings),
        "effective": pack(settings),
        "groups": len(optimizer.param_groups),
        "covers_all": covered == {id(p) for p in model.parameters()},
    }


def _number(value: Any) -> float | None:
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return float(value.item())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def train(module: Any, roots: Sequence[str], params: Any, X: Any, y: Any, steps: int) -> dict[str, Any]:
    """``make_optimizer(model.parameters())``, then ``train_step(model, loss_fn, optimizer, X, y)`` ``steps`` times."""
    model, linears, statuses, X_t, y_t = _prepared(module, params, X, y)
    optimizer = module.make_optimizer(model.parameters())
    caught: list[str] = []
    history: list[dict[str, Any]] = []
    answer: dict[str, Any] = {"weights": statuses, "warnings": caught, "optimizer": describe_optimizer(optimizer, model)}
    with recorded_warnings(caught):
        for _ in range(steps):
            try:
                returned = module.train_step(model, module.loss_fn, optimizer, X_t, y_t)
            except Exception as exc:  # noqa: BLE001 - the student's code
                return {**answer, "steps": history, "error": failed("train_step", exc, roots)}
            history.append({"loss": _number(returned), "params": pack(read_params(linears))})
    return {**answer, "steps": history}
