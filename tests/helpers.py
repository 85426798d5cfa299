"""Shared test helpers: compare a lucidnet expression with PyTorch in one line (tinygrad's idea)."""

from __future__ import annotations

import numpy as np
import pytest

import lucidnet as ln


def check_against_torch(shapes, ln_fn, torch_fn, rtol=1e-6, atol=1e-9, seed=0, positive=False,
                        grad=True, low=-2.0, high=2.0):
    """Build float64 inputs of `shapes`, run both frameworks forward and backward, compare."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    arrays = [rng.uniform(low, high, s) for s in shapes]
    if positive:
        arrays = [np.abs(a) + 0.1 for a in arrays]
    ours = [ln.tensor(a, requires_grad=grad) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=grad) for a in arrays]
    out = ln_fn(*ours)
    ref = torch_fn(*theirs)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=rtol, atol=atol)
    if grad:
        v = rng.standard_normal(out.shape)
        (out * ln.tensor(v)).sum().backward()
        (ref * torch.tensor(v)).sum().backward()
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=rtol, atol=atol)


def check_gradient(shapes, fn, seed=0, positive=False, low=-2.0, high=2.0, **kw):
    """float64 finite-difference check of fn's backward pass (SPEC A4)."""
    rng = np.random.default_rng(seed)
    arrays = [rng.uniform(low, high, s) for s in shapes]
    if positive:
        arrays = [np.abs(a) + 0.1 for a in arrays]
    inputs = [ln.tensor(a, requires_grad=True) for a in arrays]
    assert ln.gradcheck(fn, inputs, **kw)
