"""nn.Bilinear / bilinear (issue 10): y = x1^T A x2 + b against PyTorch (forward, backward,
float32/float64, leading batch dims, unbatched, empty batch), finite differences, PyTorch's
init, repr and state dict, and clear errors."""

import numpy as np
import pytest

import lucidnet as ln
from lucidnet.nn.linear import Bilinear, bilinear
from tests.nn.layer_helpers import needs_torch, torch


def _pair(lead, in1=3, in2=4, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(lead + (in1,)).astype(dtype),
            rng.standard_normal(lead + (in2,)).astype(dtype))


@needs_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("lead", [(5,), (2, 3), (), (0,), (1, 1, 2)])
@pytest.mark.parametrize("bias", [True, False])
def test_module_matches_torch(lead, bias, dtype):
    torch.manual_seed(0)
    ours, theirs = Bilinear(3, 4, 2, bias=bias), torch.nn.Bilinear(3, 4, 2, bias=bias)
    assert repr(ours) == repr(theirs)
    assert {k: v.shape for k, v in ours.state_dict().items()} == {
        k: tuple(v.shape) for k, v in theirs.state_dict().items()}
    if dtype == np.float64:
        ours.double()
        theirs.double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    a, b = _pair(lead, dtype=dtype)
    o1, o2 = ln.tensor(a, requires_grad=True), ln.tensor(b, requires_grad=True)
    t1, t2 = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    out, ref = ours(o1, o2), theirs(t1, t2)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    assert out.shape == tuple(ref.shape) and out.dtype == np.dtype(dtype)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), **tol)
    v = np.random.default_rng(1).standard_normal(out.shape).astype(dtype)
    (out * ln.tensor(v)).sum().backward()
    (ref * torch.tensor(v)).sum().backward()
    for ours_t, theirs_t in [(o1, t1), (o2, t2), (ours.weight, theirs.weight)] + (
            [(ours.bias, theirs.bias)] if bias else []):
        np.testing.assert_allclose(ours_t.grad.numpy(), theirs_t.grad.numpy(), **tol)


@needs_torch
def test_functional_matches_torch():
    a, b = _pair((2, 3), in1=2, in2=5)
    w = np.random.default_rng(2).standard_normal((3, 2, 5))
    out = bilinear(ln.tensor(a), ln.tensor(b), ln.tensor(w))
    ref = torch.nn.functional.bilinear(torch.tensor(a), torch.tensor(b), torch.tensor(w))
    np.testing.assert_allclose(out.data, ref.numpy(), rtol=1e-12)


def test_formula_and_gradcheck_without_torch():
    a, b = _pair((4,))
    rng = np.random.default_rng(3)
    w, bias = rng.standard_normal((2, 3, 4)), rng.standard_normal(2)
    out = bilinear(ln.tensor(a), ln.tensor(b), ln.tensor(w), ln.tensor(bias))
    np.testing.assert_allclose(out.data, np.einsum("mi,oij,mj->mo", a, w, b) + bias, rtol=1e-12)
    tensors = [ln.tensor(t, requires_grad=True) for t in (a, b, w, bias)]
    assert ln.gradcheck(bilinear, tensors)
    layer = Bilinear(2, 3, 2).double()
    x1, x2 = (ln.tensor(t, requires_grad=True) for t in _pair((2, 2), in1=2, in2=3, seed=4))
    assert ln.gradcheck(lambda x1, x2, *ps: layer(x1, x2), [x1, x2, *layer.parameters()])


def test_same_input_twice_and_composition():
    """x^T A x (both inputs one tensor): the two gradients add up; composed with itself."""
    layer = Bilinear(3, 3, 3).double()
    x = ln.tensor(np.random.default_rng(5).standard_normal((2, 3)), requires_grad=True)
    assert ln.gradcheck(lambda x: layer(layer(x, x), x), [x])


def test_init_as_torch():
    ln.manual_seed(0)
    layer = Bilinear(16, 5, 40)
    bound = 1 / np.sqrt(16)
    for p in (layer.weight, layer.bias):
        assert p.dtype == np.float32 and np.all(np.abs(p.data) <= bound)
    assert layer.weight.data.max() > 0.9 * bound and layer.weight.data.min() < -0.9 * bound
    assert abs(layer.weight.data.mean()) < 0.02  # U(-b, b): mean 0
    assert layer.weight.shape == (40, 16, 5) and layer.bias.shape == (40,)


@pytest.mark.parametrize("make, error, match", [
    (lambda: Bilinear(3, 4, 2)(np.ones((2, 3), np.float32), np.ones((5, 4), np.float32)),
     ValueError, "same leading"),
    (lambda: Bilinear(3, 4, 2)(np.ones((2, 5), np.float32), np.ones((2, 4), np.float32)),
     ValueError, r"input1 must have shape \(\*, 3\)"),
    (lambda: Bilinear(3, 4, 2)(np.ones((2, 3), np.float32), np.ones((2, 3), np.float32)),
     ValueError, r"input2 must have shape \(\*, 4\)"),
    (lambda: Bilinear(3, 4, 2)(np.ones((2, 3)), np.ones((2, 4))), TypeError, "float64 input"),
    (lambda: Bilinear(3, 4, 2)(np.float32(1.0), np.ones(4, np.float32)), ValueError, "input1"),
    (lambda: bilinear(np.ones((2, 3)), np.ones((2, 4)), ln.tensor(np.ones((3, 4)))), ValueError,
     "weight must be 3-D"),
    (lambda: bilinear(np.ones((2, 3)), np.ones((2, 4)), ln.tensor(np.ones((2, 3, 4))),
                      ln.tensor(np.ones(3))), ValueError, r"bias must have shape \(2,\)"),
    (lambda: Bilinear(0, 4, 2), ValueError, "in1_features must be a positive integer"),
    (lambda: Bilinear(3, 4, 2.5), ValueError, "out_features"),
])
def test_bad_input(make, error, match):
    with pytest.raises(error, match=match):
        make()
