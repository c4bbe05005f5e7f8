"""``check`` understands batch norm: a right NumPy backprop through it agrees; one without the mean terms gets that hint.

The student functions here are written out independently of scratch (the textbook formulas,
Ioffe & Szegedy 2015, section 3); the right one is also judged by central finite differences
of its own loss (``fd=True``), so the hint is not scratch agreeing with itself.
"""

from __future__ import annotations

import numpy as np
import pytest

from compare import registry
from compare.students.student import check_function
from core.errors import InputError

ARCH = "3-5-3:bn+tanh,softmax:cce"
EPS = 1e-5


def _backprop(params, X, y, mean_terms=True):
    """Canonical layout: z1 = X W1^T, batch norm, tanh, z2 = a1 W2^T + b2, softmax + cross-entropy (mean)."""
    m = X.shape[0]
    z1 = X @ params["W1"].T
    mu, var = z1.mean(axis=0), z1.var(axis=0)  # the biased variance, as in training
    zhat = (z1 - mu) / np.sqrt(var + EPS)
    a1 = np.tanh(params["gamma1"] * zhat + params["beta1"])
    z2 = a1 @ params["W2"].T + params["b2"]
    p = np.exp(z2 - z2.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(m), y]).mean()
    dz2 = p.copy()
    dz2[np.arange(m), y] -= 1
    dz2 /= m
    dbn = (dz2 @ params["W2"]) * (1 - a1**2)
    dzhat = dbn * params["gamma1"]
    if mean_terms:
        dz1 = (dzhat - dzhat.mean(axis=0) - zhat * (dzhat * zhat).mean(axis=0)) / np.sqrt(var + EPS)
    else:
        dz1 = dzhat / np.sqrt(var + EPS)  # the classic mistake: mu and var treated as constants
    grads = {
        "W1": dz1.T @ X,
        "gamma1": (dbn * zhat).sum(axis=0),
        "beta1": dbn.sum(axis=0),
        "W2": dz2.T @ a1,
        "b2": dz2.sum(axis=0),
    }
    return loss, grads


def _without_mean_terms(params, X, y):
    return _backprop(params, X, y, mean_terms=False)


def test_a_right_batch_norm_backprop_agrees_with_every_implementation_and_its_own_finite_differences():
    result = check_function(_backprop, ARCH, fd=True)
    assert result.passed, [c for case in result.cases for c in case.checks if not c.passed]
    assert {c.framework for c in result.cases[0].checks} == set(registry.NAMES)
    assert {c.quantity for c in result.cases[0].checks} >= {"loss", "dW1", "dgamma1", "dbeta1", "dW2", "db2"}
    assert result.fd is not None and result.fd.disagree == () and result.fd.loss_right


def test_a_batch_norm_backward_without_the_mean_terms_gets_that_hint():
    result = check_function(_without_mean_terms, ARCH, frameworks=("scratch",))
    assert not result.passed
    hints = result.hints
    assert [h.key for h in hints] == ["bn_backward_without_mean_terms"]
    assert hints[0].params == ("W1",)  # dgamma and dbeta do not depend on the mean terms; nothing above layer 1 does
    assert "Ioffe & Szegedy (2015), section 3" in hints[0].message and "mean terms" in hints[0].message


def test_dropout_is_refused_with_the_reason():
    with pytest.raises(InputError, match="layer 1 has dropout, whose random mask your function cannot know"):
        check_function(_backprop, "3-5-3:bn+tanh+dropout=0.2,softmax:cce")


def _torch_backprop(params, X, y, detach_statistics=False):
    """The same net written with torch autograd (a student's framework code): F.batch_norm in training mode, or by hand
    with the batch statistics detached, which is the same classic mistake in framework form."""
    import torch
    import torch.nn.functional as F

    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    z1 = torch.tensor(X, dtype=torch.float64) @ t["W1"].T
    if detach_statistics:
        mu, var = z1.mean(dim=0).detach(), z1.var(dim=0, correction=0).detach()
        bn = t["gamma1"] * (z1 - mu) / torch.sqrt(var + EPS) + t["beta1"]
    else:
        bn = F.batch_norm(z1, None, None, t["gamma1"], t["beta1"], training=True, eps=EPS)
    z2 = torch.tanh(bn) @ t["W2"].T + t["b2"]
    loss = F.cross_entropy(z2, torch.as_tensor(y, dtype=torch.long))
    loss.backward()
    return loss.item(), {k: v.grad.numpy() for k, v in t.items() if v.grad is not None}  # not the running statistics


def test_a_torch_autograd_batch_norm_agrees_and_detached_statistics_get_the_same_hint():
    assert check_function(_torch_backprop, ARCH, frameworks=("scratch",)).passed
    result = check_function(lambda p, X, y: _torch_backprop(p, X, y, detach_statistics=True), ARCH, frameworks=("scratch",))
    assert not result.passed
    assert [h.key for h in result.hints] == ["bn_backward_without_mean_terms"]
