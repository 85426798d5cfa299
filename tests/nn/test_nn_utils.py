"""``lucidnet.nn.utils``: clip_grad_norm_ / clip_grad_value_ / get_total_norm and the
parameter-vector conversions, against ``torch.nn.utils`` on the same gradients."""

import math

import numpy as np
import pytest

import lucidnet as ln
import lucidnet.nn.utils as U
from lucidnet import nn

torch = pytest.importorskip("torch")

SHAPES = [(3, 4), (4,), (2, 2, 2)]


def _pair(dtype, scale=1.0, none_at=None):
    rng = np.random.default_rng(0)
    ours, theirs = [], []
    for k, s in enumerate(SHAPES):
        w, g = rng.standard_normal(s).astype(dtype), (rng.standard_normal(s) * scale).astype(dtype)
        p, t = nn.Parameter(w.copy()), torch.nn.Parameter(torch.tensor(w))
        if k != none_at:
            p.grad, t.grad = g.copy(), torch.tensor(g)
        ours.append(p)
        theirs.append(t)
    return ours, theirs


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_pytorch(dtype, norm_type, max_norm):
    ours, theirs = _pair(dtype, none_at=1)
    a = U.clip_grad_norm_(ours, max_norm, norm_type)
    b = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert isinstance(a, ln.Tensor) and a.shape == () and a.dtype == dtype
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(a.item(), b.item(), rtol=rtol)
    for p, t in zip(ours, theirs):
        if t.grad is None:
            assert p.grad is None
        else:
            np.testing.assert_allclose(p.grad.data, t.grad.numpy(), rtol=rtol)
            assert p.grad.dtype == dtype


def test_clip_grad_norm_single_tensor_generator_empty_and_nonfinite():
    ours, theirs = _pair(np.float64)
    a = U.clip_grad_norm_(ours[0], 0.1)
    b = torch.nn.utils.clip_grad_norm_(theirs[0], 0.1)
    assert a.item() == pytest.approx(b.item(), rel=1e-12)
    model = nn.Linear(2, 1)
    assert U.clip_grad_norm_(model.parameters(), 1.0).item() == 0.0  # no grads yet
    ours[1].grad.data[0] = np.inf
    with pytest.raises(RuntimeError, match="non-finite"):
        U.clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)
    with pytest.raises(TypeError, match="max_norm"):
        U.clip_grad_norm_(ours, "1")


@pytest.mark.parametrize("clip", [0.3, 5.0])
def test_clip_grad_value_matches_pytorch(clip):
    ours, theirs = _pair(np.float32, scale=2.0, none_at=2)
    U.clip_grad_value_(ours, clip)
    torch.nn.utils.clip_grad_value_(theirs, clip)
    for p, t in zip(ours, theirs):
        if t.grad is not None:
            np.testing.assert_array_equal(p.grad.data, t.grad.numpy())


def test_get_total_norm_matches_pytorch():
    arrays = [np.arange(6.0).reshape(2, 3), np.array([-7.0])]
    a = U.get_total_norm([ln.tensor(x) for x in arrays], 2.0)
    b = torch.nn.utils.get_total_norm([torch.tensor(x) for x in arrays], 2.0)
    assert a.item() == pytest.approx(b.item(), rel=1e-12)


def test_parameters_to_vector_and_back_as_pytorch():
    ln.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    vec = U.parameters_to_vector(model.parameters())
    assert vec.shape == (11,) and vec.requires_grad
    (vec * vec).sum().backward()  # differentiable, as torch.cat of views
    np.testing.assert_allclose(model[0].weight.grad.data, 2 * model[0].weight.data)
    new = ln.tensor(np.arange(11, dtype=np.float32))
    U.vector_to_parameters(new, model.parameters())
    assert model[1].bias.tolist() == [10.0] and model[0].weight.data.tolist()[0] == [0, 1, 2]
    assert np.shares_memory(model[0].weight.data, new.data)  # as PyTorch's .data assignment
    t = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Linear(2, 1))
    torch.nn.utils.vector_to_parameters(torch.arange(11.0), t.parameters())
    for p, q in zip(model.parameters(), t.parameters()):
        np.testing.assert_array_equal(p.data, q.detach().numpy())
    with pytest.raises(RuntimeError, match="11 entries"):
        U.vector_to_parameters(ln.tensor(np.zeros(3, np.float32)), model.parameters())
