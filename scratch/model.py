"""The MLP from scratch: forward pass, chain-rule backward pass, and one evaluation, NumPy only, no autograd.

Batch-first layout (rows are samples), canonical weights ``W_l`` of shape
``(n_l, n_{l-1})`` (CS60050 backprop's w^l_jk, from unit k of layer l-1 to unit j
of layer l), so with m samples::

    z_l = a_{l-1} W_l^T + b_l                     (m, n_l)     CS60050 backprop: z^(l) = Theta^(l-1) a^(l-1), one row per sample
    a_l = g_l(z_l)                                (m, n_l)

and, going back (ED5340 L26 in the column convention, transposed for rows)::

    delta_L = a_L - y                             sigmoid + bce, softmax + cce (ED5340 L26: dZ[2] = A[2] - Y)
            = dl/da_L * g_L'(z_L)                 otherwise (Mazur's worked example)
    delta_l = (delta_{l+1} W_{l+1}) * g_l'(z_l)   CS60050 backprop: delta^(l) = (Theta^(l))^T delta^(l+1) .* g'(z^(l))
    dW_l    = delta_l^T a_{l-1} / m               (n_l, n_{l-1})    ED5340 L26: dW = (1/m) dZ A^T
    db_l    = delta_l.sum(axis=0) / m             (n_l,)            ED5340 L26: db = (1/m) np.sum(dZ, axis=1)

ED5340 L26 and ED5340 L25 write the column convention (X is n_0 x m, Z = W X + b):
the transpose of every equation here.

A hidden layer may add batch norm between the linear map and the activation and dropout
after the activation (core.spec; the maths is in scratch.layers)::

    z_l  = a_{l-1} W_l^T                          no b_l: batch norm's beta_l is the shift
    bn_l = gamma_l (z_l - mu_l) / sqrt(var_l + eps) + beta_l     batch statistics in training mode,
                                                  the running ones in inference mode
    h_l  = g_l(bn_l)
    a_l  = h_l * mask_l / (1 - p_l)               training mode; a_l = h_l in inference mode

and back: dL/dh_l = dL/da_l * mask_l / (1 - p_l), dL/dbn_l = dL/dh_l * g_l'(bn_l), then
batch norm's backward (with its mean terms in training mode) gives delta_l, dgamma_l, dbeta_l.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from core.errors import InputError
from core.normalization import DROPOUT_SEED, MATCHED, TRAIN, UNBIASED, BatchNormSettings, check_mode, check_running_variance
from core.spec import Spec
from core.trace import Trace
from core.validate import check_batch_for_mode, prepare
from scratch.activations import DERIVATIVE, FORWARD
from scratch.layers import (
    BatchNormCache,
    batch_norm_backward,
    batch_norm_inference,
    batch_norm_train,
    draw_mask,
    dropout_backward,
    dropout_forward,
    update_running,
)
from scratch.losses import LOSS, output_delta


@dataclass
class Internals:
    """What a pass through batch norm and dropout layers keeps beside z and a (nothing for a plain net).

    Attributes:
        mode: ``"train"`` or ``"inference"``.
        bn: ``{l: (m, n_l)}`` batch norm's output, the activation's input.
        h: ``{l: (m, n_l)}`` the activation's output before dropout.
        masks: ``{l: (m, n_l)}`` the keep masks used (training mode).
        caches: ``{l: BatchNormCache}`` for the backward pass.
        running: the running statistics after the pass (training mode updates them).
    """

    mode: str = TRAIN
    bn: dict[int, np.ndarray] = field(default_factory=dict)
    h: dict[int, np.ndarray] = field(default_factory=dict)
    masks: dict[int, np.ndarray] = field(default_factory=dict)
    caches: dict[int, BatchNormCache] = field(default_factory=dict)
    running: dict[str, np.ndarray] = field(default_factory=dict)


def forward(
    spec: Spec,
    params: Mapping[str, np.ndarray],
    X: np.ndarray,
    *,
    mode: str = TRAIN,
    masks: Mapping[int, np.ndarray] | None = None,
    batch_norm: BatchNormSettings = MATCHED,
    running_variance: str = UNBIASED,
    internals: Internals | None = None,
) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
    """Forward pass keeping every layer's z and a.

    Args:
        spec: the architecture.
        params: canonical ``W_l`` ``(n_l, n_{l-1})``, ``b_l`` ``(n_l,)`` (and a batch norm's
            ``gamma_l``, ``beta_l``, ``running_mean_l``, ``running_var_l``).
        X: ``(m, n_0)``.
        mode: ``"train"`` (batch statistics, dropout on) or ``"inference"``; a plain net is the same in both.
        masks: ``{l: (m, n_l)}`` the keep mask of each dropout layer (training mode).
        batch_norm: the new batch's weight in the running statistics and eps.
        running_variance: the batch variance the running variance averages (scratch.layers.update_running).
        internals: filled with batch norm's and dropout's values, when given (:func:`backward` needs them).

    Returns:
        ``(z, a)``: ``z[l]`` for l = 1..L and ``a[l]`` for l = 0..L, each ``(m, n_l)``.

    Raises:
        InputError: a dropout layer in training mode without its mask.
    """
    store = internals if internals is not None else Internals()
    store.mode = check_mode(mode)
    training = mode == TRAIN
    z: dict[int, np.ndarray] = {}
    a: dict[int, np.ndarray] = {0: X}
    for l, g in enumerate(spec.activations, start=1):
        if not spec.has_batch_norm(l):
            z[l] = a[l - 1] @ params[f"W{l}"].T + params[f"b{l}"]
            u = z[l]
        else:
            z[l] = a[l - 1] @ params[f"W{l}"].T
            gamma, beta = params[f"gamma{l}"], params[f"beta{l}"]
            mean, var = params[f"running_mean{l}"], params[f"running_var{l}"]
            if training:
                u, cache = batch_norm_train(z[l], gamma, beta, batch_norm.epsilon)
                store.running[f"running_mean{l}"], store.running[f"running_var{l}"] = update_running(
                    mean, var, cache.mu, cache.var, z[l].shape[0], batch_norm.new_weight, running_variance
                )
            else:
                u, cache = batch_norm_inference(z[l], gamma, beta, mean, var, batch_norm.epsilon)
            store.bn[l], store.caches[l] = u, cache
        a[l] = FORWARD[g](u)
        rate = spec.dropout_rate(l)
        if rate is not None and training:
            if masks is None or l not in masks:
                raise InputError(f"masks: layer {l} has dropout; training mode needs its keep mask (scratch.layers.draw_mask)")
            store.h[l], store.masks[l] = a[l], np.asarray(masks[l], dtype=bool)
            a[l] = dropout_forward(a[l], store.masks[l], rate)
    return z, a


def loss(spec: Spec, z: Mapping[int, np.ndarray], a: Mapping[int, np.ndarray], y: np.ndarray) -> float:
    """The scalar loss of ``spec.loss`` on the output layer (see :mod:`scratch.losses`)."""
    L = spec.n_layers
    return LOSS[spec.loss](z[L], a[L], y)


def hidden_delta(delta_next: np.ndarray, W_next: np.ndarray, g_prime: np.ndarray) -> np.ndarray:
    """delta_l = (delta_{l+1} W_{l+1}) * g_l'(z_l), per sample, ``(m, n_l)`` (CS60050 backprop)."""
    return (delta_next @ W_next) * g_prime


def gradients(delta: Mapping[int, np.ndarray], a: Mapping[int, np.ndarray]) -> dict[str, np.ndarray]:
    """dW_l = delta_l^T a_{l-1} / m and db_l = delta_l.sum(axis=0) / m for every layer (ED5340 L26).

    Returns:
        ``{"W1": (n_1, n_0), "b1": (n_1,), ...}``: the batch-mean gradients, canonical layout.
    """
    m = a[0].shape[0]
    grads: dict[str, np.ndarray] = {}
    for l in sorted(delta):
        grads[f"W{l}"] = delta[l].T @ a[l - 1] / m
        grads[f"b{l}"] = delta[l].sum(axis=0) / m
    return grads


def backward(
    spec: Spec,
    params: Mapping[str, np.ndarray],
    z: Mapping[int, np.ndarray],
    a: Mapping[int, np.ndarray],
    y: np.ndarray,
    internals: Internals | None = None,
) -> tuple[dict[int, np.ndarray], dict[str, np.ndarray]]:
    """Backward pass: the chain rule, layer by layer, from the output down.

    Args:
        spec: the architecture.
        params: the canonical parameters the forward pass used.
        z: pre-activations from :func:`forward`.
        a: activations from :func:`forward`.
        y: targets prepared by :func:`core.validate.check_targets`.
        internals: what :func:`forward` kept of batch norm and dropout (needed when the spec has them).

    Returns:
        ``(delta, grads)``: per-sample ``delta[l]`` ``(m, n_l)`` and the batch-mean
        gradients ``grads["W_l"]`` ``(n_l, n_{l-1})``, ``grads["b_l"]`` ``(n_l,)``
        (``grads["gamma_l"]``, ``grads["beta_l"]`` ``(n_l,)`` for a layer with batch norm).

    Raises:
        InputError: a spec with batch norm or dropout and no ``internals``.
    """
    L = spec.n_layers
    if spec.mode_dependent and internals is None:
        raise InputError(f"backward: spec {spec} has batch norm or dropout; pass the internals its forward pass filled")
    delta = {L: output_delta(spec.loss, spec.activations[-1], z[L], a[L], y)}
    norm_grads: dict[str, np.ndarray] = {}
    for l in range(L - 1, 0, -1):
        if internals is None or not (l in internals.bn or l in internals.h):
            # W_{l+1} as it was in the forward pass: no update happens before the whole backward pass
            g_prime = DERIVATIVE[spec.activations[l - 1]](z[l], a[l])
            delta[l] = hidden_delta(delta[l + 1], params[f"W{l + 1}"], g_prime)
            continue
        delta[l], dgamma, dbeta = layer_delta(spec, l, delta[l + 1] @ params[f"W{l + 1}"], z[l], a[l], internals)
        if dgamma is not None and dbeta is not None:
            m = a[0].shape[0]
            norm_grads[f"gamma{l}"], norm_grads[f"beta{l}"] = dgamma / m, dbeta / m
    grads = gradients(delta, a)
    for l in range(1, L + 1):
        if spec.has_batch_norm(l):
            del grads[f"b{l}"]  # no bias before a batch norm: its beta is the shift
    return delta, {name: (norm_grads | grads)[name] for name in spec.param_shapes()}


def layer_delta(
    spec: Spec, l: int, da: np.ndarray, z: np.ndarray, a: np.ndarray, internals: Internals
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Hidden layer l of a net with batch norm or dropout: per-sample ``(delta_l, sum dgamma, sum dbeta)`` from dl/da_l.

    ``da`` is delta_{l+1} W_{l+1}, m times dL/da_l (the Trace's per-sample convention);
    dgamma and dbeta come back summed over the batch (divide by m for dL/dgamma), None without batch norm.
    """
    dh = da
    rate = spec.dropout_rate(l)
    if l in internals.h and rate is not None:
        dh = dropout_backward(da, internals.masks[l], rate)  # a dropped unit passes nothing back
    h = internals.h.get(l, a)
    u = internals.bn.get(l, z)
    du = dh * DERIVATIVE[spec.activations[l - 1]](u, h)  # g'(bn_l): the activation's input is batch norm's output
    if l not in internals.caches:
        return du, None, None
    dz, dgamma, dbeta = batch_norm_backward(du, internals.caches[l])
    return dz, dgamma, dbeta


def evaluate(
    spec: Spec,
    params: Mapping[str, object],
    X: object,
    y: object,
    dtype: str = "float64",
    *,
    mode: str = TRAIN,
    masks: Mapping[int, np.ndarray] | None = None,
    running_variance: str = UNBIASED,
    batch_norm: BatchNormSettings = MATCHED,
    seed: int = DROPOUT_SEED,
) -> Trace:
    """Forward, loss and backward on one batch, in ``dtype``.

    Args:
        spec: the architecture.
        params: canonical parameters (checked and cast, never modified).
        X: ``(m, n_0)``.
        y: targets as described in :func:`core.validate.check_targets`.
        dtype: ``"float32"`` or ``"float64"``.
        mode: ``"train"`` or ``"inference"`` (matters only with batch norm or dropout).
        masks: ``{l: (m, n_l)}`` keep masks for the dropout layers (training mode); drawn from
            ``RandomState(seed)`` when not given. The harness passes a framework's own.
        running_variance: the convention of the running variance's update (core.normalization).
        batch_norm: the running statistics' weight of the new batch and eps.
        seed: the seed of scratch's own dropout masks.

    Raises:
        InputError: bad shapes, keys, dtypes, values, mode, masks or convention.
    """
    check_mode(mode)
    check_running_variance(running_variance)
    checked, X_checked, y_checked = prepare(spec, params, X, y, dtype)
    m = X_checked.shape[0]
    check_batch_for_mode(spec, m, mode)
    if spec.has_dropout and mode == TRAIN:
        masks = dict(masks) if masks is not None else draw_masks(spec, m, seed)
        for l, mask in masks.items():
            if np.shape(mask) != (m, spec.sizes[l]):
                raise InputError(f"masks[{l}]: expected shape {(m, spec.sizes[l])}, got {np.shape(mask)}")
    internals = Internals()
    z, a = forward(
        spec,
        checked,
        X_checked,
        mode=mode,
        masks=masks,
        batch_norm=batch_norm,
        running_variance=running_variance,
        internals=internals,
    )
    value = loss(spec, z, a, y_checked)
    delta, grads = backward(spec, checked, z, a, y_checked, internals)
    return Trace(
        spec=spec,
        z=z,
        a=a,
        loss=value,
        delta=delta,
        grads=grads,
        mode=mode,
        bn=internals.bn,
        h=internals.h,
        masks=internals.masks,
        running=internals.running,
        running_variance=running_variance if any(spec.batch_norm) else "",
        intermediates=_intermediates(internals),
    )


def draw_masks(spec: Spec, m: int, seed: int = DROPOUT_SEED) -> dict[int, np.ndarray]:
    """scratch's own keep masks for one batch of m rows: ``{l: (m, n_l)}``, layer by layer from ``RandomState(seed)``."""
    rng = np.random.RandomState(seed)
    return {
        l: draw_mask(rng, (m, spec.sizes[l]), rate)
        for l in range(1, spec.n_layers + 1)
        if (rate := spec.dropout_rate(l)) is not None
    }


def _intermediates(internals: Internals) -> dict[str, np.ndarray]:
    """Batch norm's statistics and normalised values, which only scratch writes out (for explain)."""
    out: dict[str, np.ndarray] = {}
    for l, cache in internals.caches.items():
        out |= {f"mu{l}": cache.mu, f"var{l}": cache.var, f"zhat{l}": cache.zhat}
    return out
