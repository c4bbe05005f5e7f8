"""Batch normalisation and inverted dropout written out in NumPy, each forward beside its backward.

Shapes are batch-first: ``z`` is one layer's ``(m, n_l)`` linear map output, statistics
are per unit ``(n_l,)``. Batch normalisation follows Ioffe & Szegedy (2015), Algorithm 1
(training) and section 3's backward equations; inverted dropout follows Srivastava et al.
(2014) with the 1/(1 - p) scaling moved to training time, as every framework does it.
The Amrita FFNN intro's hyper-parameter slide lists both as regularisers. The mask is an
input: whoever draws it (scratch's own :func:`draw_mask`, or a framework's native layer,
recovered by the harness) hands it in, so the same maths can be checked on any draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.normalization import UNBIASED, BatchNormSettings, check_running_variance


@dataclass
class BatchNormCache:
    """What the backward pass needs from one batch norm's forward pass.

    Attributes:
        z: the input ``(m, n)``.
        mu: the mean used ``(n,)`` (the batch's in training, the running one in inference).
        var: the variance used ``(n,)`` (the biased batch variance in training, the running one in inference).
        inv_std: ``1 / sqrt(var + eps)`` ``(n,)``.
        zhat: ``(z - mu) * inv_std`` ``(m, n)``.
        gamma: the scale ``(n,)``.
        training: whether mu and var are functions of z (the batch statistics).
    """

    z: np.ndarray
    mu: np.ndarray
    var: np.ndarray
    inv_std: np.ndarray
    zhat: np.ndarray
    gamma: np.ndarray
    training: bool


def batch_norm_train(z: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> tuple[np.ndarray, BatchNormCache]:
    """Ioffe & Szegedy, Algorithm 1: the batch's mean and *biased* variance, eps inside the root, scale and shift.

    mu_B = (1/m) sum_i z_i;  var_B = (1/m) sum_i (z_i - mu_B)^2;  zhat_i = (z_i - mu_B) / sqrt(var_B + eps);
    bn_i = gamma zhat_i + beta.

    Returns:
        ``(bn, cache)``: bn ``(m, n)``.
    """
    m = z.shape[0]
    mu = z.sum(axis=0) / m
    var = ((z - mu) ** 2).sum(axis=0) / m  # biased: divide by m, the variance the batch is normalised with
    inv_std = 1.0 / np.sqrt(var + eps)
    zhat = (z - mu) * inv_std
    return gamma * zhat + beta, BatchNormCache(z, mu, var, inv_std, zhat, gamma, training=True)


def batch_norm_inference(
    z: np.ndarray, gamma: np.ndarray, beta: np.ndarray, running_mean: np.ndarray, running_var: np.ndarray, eps: float
) -> tuple[np.ndarray, BatchNormCache]:
    """Ioffe & Szegedy, Algorithm 2, step 11: the running statistics in place of the batch's.

    zhat_i = (z_i - running_mean) / sqrt(running_var + eps);  bn_i = gamma zhat_i + beta.

    Returns:
        ``(bn, cache)``: bn ``(m, n)``.
    """
    inv_std = 1.0 / np.sqrt(running_var + eps)
    zhat = (z - running_mean) * inv_std
    return gamma * zhat + beta, BatchNormCache(z, running_mean, running_var, inv_std, zhat, gamma, training=False)


def batch_norm_backward(dbn: np.ndarray, cache: BatchNormCache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dL/dz, dL/dgamma, dL/dbeta from dL/dbn, ``(m, n)``: Ioffe & Szegedy (2015), section 3, written out.

    dL/dzhat_i = dL/dbn_i * gamma
    dL/dvar    = sum_i dL/dzhat_i (z_i - mu) (-1/2) (var + eps)^(-3/2)
    dL/dmu     = sum_i dL/dzhat_i (-1 / sqrt(var + eps)) + dL/dvar (1/m) sum_i -2 (z_i - mu)
    dL/dz_i    = dL/dzhat_i / sqrt(var + eps) + dL/dvar 2 (z_i - mu) / m + dL/dmu / m
    dL/dgamma  = sum_i dL/dbn_i zhat_i
    dL/dbeta   = sum_i dL/dbn_i

    The mean terms: in training mode mu and var are themselves functions of every z_i
    (dmu/dz_i = 1/m, dvar/dz_i = 2 (z_i - mu) / m), so each z_i also moves the whole batch's
    normalisation: the last two terms of dL/dz_i. Together they subtract from each row the
    batch mean of dL/dzhat and the batch mean of dL/dzhat * zhat along zhat:
    dL/dz_i = (dL/dzhat_i - mean_j dL/dzhat_j - zhat_i mean_j dL/dzhat_j zhat_j) / sqrt(var + eps),
    so the gradient sums to 0 over the batch (a shift of every z_l is normalised away). In
    inference mode mu and var are constants and only the first term remains.
    """
    dzhat = dbn * cache.gamma
    dgamma = (dbn * cache.zhat).sum(axis=0)
    dbeta = dbn.sum(axis=0)
    if not cache.training:
        return dzhat * cache.inv_std, dgamma, dbeta
    m = dbn.shape[0]
    centred = cache.z - cache.mu
    dvar = (dzhat * centred).sum(axis=0) * -0.5 * cache.inv_std**3
    dmu = (dzhat * -cache.inv_std).sum(axis=0) + dvar * (-2.0 * centred).sum(axis=0) / m
    dz = dzhat * cache.inv_std + dvar * 2.0 * centred / m + dmu / m
    return dz, dgamma, dbeta


def update_running(
    running_mean: np.ndarray,
    running_var: np.ndarray,
    mu: np.ndarray,
    var: np.ndarray,
    m: int,
    new_weight: float,
    running_variance: str = UNBIASED,
) -> tuple[np.ndarray, np.ndarray]:
    """The running statistics after one training batch: an exponential moving average of the batch's.

    running <- (1 - w) running + w batch, with w = ``new_weight`` (torch's momentum, Keras's 1 - momentum).
    The variance averaged is the unbiased m/(m - 1) var_B (``"unbiased"``: Ioffe & Szegedy, Algorithm 2,
    step 10, and torch) or the biased var_B itself (``"biased"``: Keras).

    Raises:
        InputError: an unknown ``running_variance``.
    """
    check_running_variance(running_variance)
    batch_var = var * (m / (m - 1)) if running_variance == UNBIASED else var
    return (1 - new_weight) * running_mean + new_weight * mu, (1 - new_weight) * running_var + new_weight * batch_var


def draw_mask(rng: np.random.RandomState, shape: tuple[int, ...], rate: float) -> np.ndarray:
    """A keep mask of ``shape``: each unit kept (True) with probability 1 - rate, independently."""
    return rng.random_sample(shape) >= rate


def dropout_scale(rate: float, dtype: np.dtype) -> np.ndarray:
    """1/(1 - p) in ``dtype`` (rounded once, as TensorFlow does; torch rounds 1 and 1 - p first, 1 ulp apart for some p)."""
    return np.asarray(1.0 / (1.0 - rate), dtype=dtype)


def dropout_forward(h: np.ndarray, mask: np.ndarray, rate: float) -> np.ndarray:
    """Inverted dropout: a = h * mask / (1 - p), kept units scaled so that E[a] = h."""
    return h * (mask.astype(h.dtype) * dropout_scale(rate, h.dtype))


def dropout_backward(da: np.ndarray, mask: np.ndarray, rate: float) -> np.ndarray:
    """dL/dh = dL/da * mask / (1 - p): a dropped unit passes no gradient back."""
    return da * (mask.astype(da.dtype) * dropout_scale(rate, da.dtype))


def settings(batch_norm: BatchNormSettings, running_variance: str) -> dict[str, object]:
    """What scratch's batch norms hold, in core.normalization's names, for reports."""
    return {
        "native": "scratch.layers",
        "new_weight": batch_norm.new_weight,
        "epsilon": batch_norm.epsilon,
        "running_variance": running_variance,
    }
