"""Table-driven layer checks (tinygrad's helper_test_op idea, for layers with parameters).

``check_layer(ours, theirs, shape)`` copies the PyTorch layer's state dict into ours (float64),
then compares the forward output, the input gradient and every parameter gradient to rtol 1e-6,
and finally runs a float64 finite-difference check on the input and on every parameter.
"""

from __future__ import annotations

import numpy as np
import pytest

import lucidnet as ln

try:  # PyTorch is optional: only the comparisons need it, never the finite-difference checks
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="compares with PyTorch (not installed)")


def load_from_torch(ours, theirs):
    ours.double()
    theirs.double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


def compare_with_torch(ours, theirs, shape, seed=0, rtol=1e-6, atol=1e-10, train=True):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    ox, tx = ln.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours.train(train)
    theirs.train(train)
    out, ref = ours(ox), theirs(tx)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=rtol, atol=atol)
    v = rng.standard_normal(out.shape)
    (out * ln.tensor(v)).sum().backward()
    (ref * torch.tensor(v)).sum().backward()
    np.testing.assert_allclose(ox.grad, tx.grad.numpy(), rtol=rtol, atol=atol)
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, theirs_params[name].grad.numpy(), rtol=rtol, atol=atol,
                                   err_msg=name)
    return out


def randomize_parameters(layer, seed=0):
    """Non-trivial parameters in [0.5, 1.5) (so gamma/beta of a norm layer are really checked)."""
    rng = np.random.default_rng(seed)
    for p in layer.parameters():
        p.data[...] = rng.uniform(0.5, 1.5, p.shape)
    return layer


def gradcheck_layer(layer, shape, seed=1, **kw):
    """Finite differences for the input and every parameter of ``layer`` (float64); needs no
    PyTorch."""
    layer.double()
    x = ln.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)
    params = list(layer.parameters())
    assert ln.gradcheck(lambda x, *ps: layer(x), [x, *params], **kw)


def check_layer(ours, theirs, shape, train=True, gradcheck=True, **kw):
    load_from_torch(ours, theirs)
    compare_with_torch(ours, theirs, shape, train=train, **kw)
    if gradcheck:
        ours.train(train)
        gradcheck_layer(ours, shape)
