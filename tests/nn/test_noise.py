"""Noise injection (SPEC I5): GaussianNoise on inputs/activations, WeightNoise on weights."""

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn


def test_gaussian_noise_in_training_only():
    x = np.zeros((400, 250), dtype=np.float32)
    layer = nn.GaussianNoise(0.5)
    out = layer(ln.tensor(x)).data
    assert out.dtype == np.float32
    assert out.std() == pytest.approx(0.5, rel=0.02) and abs(out.mean()) < 0.01
    layer.eval()
    np.testing.assert_array_equal(layer(ln.tensor(x)).data, x)
    xt = ln.tensor(np.ones((3, 4)), requires_grad=True)
    nn.GaussianNoise(1.0)(xt).sum().backward()
    np.testing.assert_array_equal(xt.grad, np.ones((3, 4)))  # additive noise: dL/dx = 1
    with pytest.raises(ValueError, match=r"GaussianNoise: std must be a non-negative number"):
        nn.GaussianNoise(-1.0)


def test_weight_noise_keeps_stored_weights_and_uses_perturbed_gradient():
    ln.set_default_dtype(np.float64)
    inner = nn.Linear(4, 3)
    model = nn.WeightNoise(inner, std=0.1)
    w_before, b_before = inner.weight.data.copy(), inner.bias.data.copy()
    w_array = inner.weight.data
    x = np.random.default_rng(0).standard_normal((5, 4))
    ln.manual_seed(5)
    out = model(ln.tensor(x))
    # the forward pass used W + noise ...
    ln.manual_seed(5)
    rng = ln.random.get_rng()
    w_noisy = w_before + 0.1 * rng.standard_normal(w_before.shape)
    b_noisy = b_before + 0.1 * rng.standard_normal(b_before.shape)
    np.testing.assert_allclose(out.data, x @ w_noisy.T + b_noisy, rtol=1e-12)
    # ... but the stored weights are untouched, and are the very same arrays
    np.testing.assert_array_equal(inner.weight.data, w_before)
    np.testing.assert_array_equal(inner.bias.data, b_before)
    assert inner.weight.data is w_array
    # the gradient is that of the perturbed forward pass, on the clean parameters
    v = np.random.default_rng(1).standard_normal(out.shape)
    x_t = ln.tensor(x, requires_grad=True)
    ln.manual_seed(5)
    (model(x_t) * ln.tensor(v)).sum().backward()
    np.testing.assert_allclose(x_t.grad, v @ w_noisy, rtol=1e-12)        # uses W + noise
    np.testing.assert_allclose(inner.weight.grad, v.T @ x, rtol=1e-12)
    np.testing.assert_array_equal(inner.weight.data, w_before)
    assert list(model.state_dict()) == ["module.weight", "module.bias"]


def test_weight_noise_off_in_eval_and_restores_after_errors():
    inner = nn.Linear(3, 2)
    model = nn.WeightNoise(inner, std=1.0).eval()
    x = ln.tensor(np.ones((2, 3), dtype=np.float32))
    np.testing.assert_array_equal(model(x).data, inner(x).data)
    model.train()
    w = inner.weight.data
    with pytest.raises(ValueError):
        model(ln.tensor(np.ones((2, 5), dtype=np.float32)))
    assert inner.weight.data is w
    with pytest.raises(TypeError, match="WeightNoise wraps a Module"):
        nn.WeightNoise(np.zeros(3))
