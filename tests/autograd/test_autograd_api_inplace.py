"""Issue 9, item 3 (in-place methods): add_ sub_ mul_ div_ zero_ fill_ clamp_ copy_ normal_
uniform_ requires_grad_ detach_, outside the graph and inside it, against PyTorch.

Inside the graph an in-place op rebases the tensor's history (the version counter and the
stand-in node of issue 16); the gradients are PyTorch's, checked by float64 finite
differences without PyTorch.
"""

import numpy as np
import pytest

import lucidnet as ln
from lucidnet.autograd import gradcheck

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="compares with PyTorch (not installed)")

A = np.array([[1.5, -2.0, 0.25], [3.0, -0.5, 0.0]])

# (name, call): the same call runs on a lucidnet and a torch tensor
OUT_OF_GRAPH = [
    ("add_", lambda t, lib: t.add_(2.0)),
    ("add_alpha", lambda t, lib: t.add_(lib.ones(3, dtype=t.dtype), alpha=-0.5)),
    ("sub_alpha", lambda t, lib: t.sub_(lib.ones(2, 1, dtype=t.dtype), alpha=2)),
    ("mul_", lambda t, lib: t.mul_(lib.full((3,), 3.0, dtype=t.dtype))),
    ("div_", lambda t, lib: t.div_(4.0)),
    ("div_floor", lambda t, lib: t.div_(0.7, rounding_mode="floor")),
    ("div_trunc", lambda t, lib: t.div_(0.7, rounding_mode="trunc")),
    ("zero_", lambda t, lib: t.zero_()),
    ("fill_", lambda t, lib: t.fill_(-1.25)),
    ("fill_tensor", lambda t, lib: t.fill_(lib.tensor(7.0))),
    ("clamp_", lambda t, lib: t.clamp_(min=-1.0, max=1.0)),
    ("clamp_min", lambda t, lib: t.clamp_(min=0.0)),
    ("clamp_max", lambda t, lib: t.clamp_(max=0.5)),
    ("copy_", lambda t, lib: t.copy_(lib.tensor([9.0, 8.0, 7.0]))),
]


@needs_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,call", OUT_OF_GRAPH, ids=[n for n, _ in OUT_OF_GRAPH])
def test_out_of_graph_in_place_methods_match_pytorch(name, call, dtype):
    ours = ln.tensor(A.astype(dtype))
    theirs = torch.tensor(A.astype(dtype))
    array, version = ours.data, ours._version
    assert call(ours, ln) is ours and call(theirs, torch) is theirs
    assert ours.data is array and ours.dtype == dtype  # the same memory, the same dtype
    assert ours._version == version + 1
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6)


@needs_torch
@pytest.mark.parametrize("shape", [(), (0,), (2, 0, 3)])
def test_zero_d_and_zero_size(shape):
    ours, theirs = ln.tensor(np.ones(shape)), torch.ones(shape, dtype=torch.float64)
    for o, t in ((ours, theirs),):
        o.add_(1.0, alpha=2).mul_(3.0).clamp_(max=5.0)
        t.add_(1.0, alpha=2).mul_(3.0).clamp_(max=5.0)
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert ours.fill_(2.0).shape == shape and ours.normal_().shape == shape


@needs_torch
def test_copy_broadcasts_and_converts_the_dtype_as_pytorch():
    dst = ln.tensor(np.zeros((2, 3), np.int64))
    dst.copy_(ln.tensor([1.7, -2.2, 3.9]))
    t = torch.zeros((2, 3), dtype=torch.long).copy_(torch.tensor([1.7, -2.2, 3.9]))
    np.testing.assert_array_equal(dst.data, t.numpy())
    dst.copy_(np.array([[1], [2]]))  # a NumPy array is accepted too
    assert dst.tolist() == [[1, 1, 1], [2, 2, 2]]
    with pytest.raises(RuntimeError, match="broadcastable"):
        dst.copy_(ln.tensor([1.0, 2.0]))


def test_integer_tensor_refuses_a_float_result():
    i = ln.tensor(np.zeros(3, np.int64))
    with pytest.raises(TypeError, match="x = x.float()"):
        i.add_(1.5)
    with pytest.raises(TypeError, match="clamp_ cannot store"):
        i.clamp_(min=0.5)
    i.clamp_(min=1)
    assert i.tolist() == [1, 1, 1]
    with pytest.raises(RuntimeError, match="floating-point"):
        i.normal_()


def test_normal_and_uniform_draw_from_the_global_generator():
    ln.manual_seed(3)
    a = ln.tensor(np.zeros(20000, np.float32)).normal_(2.0, 0.5)
    ln.manual_seed(3)
    b = ln.tensor(np.zeros(20000, np.float32)).normal_(2.0, 0.5)
    np.testing.assert_array_equal(a.data, b.data)  # reproducible from manual_seed
    assert a.dtype == np.float32
    assert abs(a.data.mean() - 2.0) < 0.02 and abs(a.data.std() - 0.5) < 0.02
    u = ln.tensor(np.zeros(20000)).uniform_(-3.0, -1.0)
    assert u.dtype == np.float64 and u.data.min() >= -3.0 and u.data.max() < -1.0
    assert abs(u.data.mean() + 2.0) < 0.03
    g = np.random.default_rng(5)
    c = ln.tensor(np.zeros(4)).normal_(generator=g)
    np.testing.assert_array_equal(c.data, np.random.default_rng(5).standard_normal(4))
    with pytest.raises(RuntimeError, match="std >= 0.0"):
        u.normal_(0.0, -1.0)
    with pytest.raises(RuntimeError, match=r"\[from, to\)"):
        u.uniform_(1.0, 0.0)


def test_leaf_that_requires_grad_is_refused_outside_no_grad():
    w = ln.tensor([1.0, 2.0], requires_grad=True)
    for call in (lambda: w.add_(1.0), lambda: w.zero_(), lambda: w.fill_(1.0),
                 lambda: w.clamp_(min=0.0), lambda: w.copy_(ln.tensor([0.0, 0.0])),
                 lambda: w.normal_(), lambda: w.uniform_()):
        with pytest.raises(RuntimeError, match="leaf Variable"):
            call()
    with ln.no_grad():  # as an optimizer or an initializer does
        w.normal_().mul_(0.0).add_(1.0)
    assert w.tolist() == [1.0, 1.0] and w.requires_grad and w.grad_fn is None


# ---------------------------------------------------------------------------- inside the graph
IN_GRAPH = [
    ("clamp_", lambda h, x, lib: h.clamp_(min=-1.0, max=2.5)),
    ("clamp_min", lambda h, x, lib: h.clamp_(min=0.0)),
    ("add_alpha", lambda h, x, lib: h.add_(x * x, alpha=-0.5)),
    ("sub_alpha", lambda h, x, lib: h.sub_(x, alpha=3.0)),
    ("mul_tensor", lambda h, x, lib: h.mul_(x)),
    ("div_", lambda h, x, lib: h.div_(x * x + 1.0)),
    ("zero_", lambda h, x, lib: h.zero_()),
    ("fill_", lambda h, x, lib: h.fill_(2.0)),
    ("fill_tensor", lambda h, x, lib: h.fill_(x.sum())),
    ("copy_", lambda h, x, lib: h.copy_(x[0] * 3.0)),
]


def _in_graph(lib, x, call):
    h = x * 2.0 + 0.5
    call(h, x, lib)
    return (h * h).sum()


@needs_torch
@pytest.mark.parametrize("name,call", IN_GRAPH, ids=[n for n, _ in IN_GRAPH])
def test_in_graph_in_place_gradients_match_pytorch(name, call):
    x = ln.tensor(A, requires_grad=True)
    t = torch.tensor(A, requires_grad=True)
    ours, theirs = _in_graph(ln, x, call), _in_graph(torch, t, call)
    ours.backward()
    theirs.backward()
    assert ours.item() == pytest.approx(theirs.item(), rel=1e-12)
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name,call", IN_GRAPH, ids=[n for n, _ in IN_GRAPH])
def test_in_graph_in_place_gradcheck(name, call):
    x = ln.tensor(A + 0.1, requires_grad=True)  # off the clamp boundaries
    assert gradcheck(lambda t: _in_graph(ln, t, call), [x])


@needs_torch
def test_in_graph_random_fill_cuts_the_gradient_as_pytorch():
    for name in ("normal_", "uniform_"):
        x = ln.tensor(A, requires_grad=True)
        h = x * 2.0
        getattr(h, name)()
        assert h.grad_fn.name() == {"normal_": "NormalBackward0", "uniform_": "UniformBackward0"}[
            name]
        (h * x).sum().backward()  # only the direct use of x carries a gradient
        np.testing.assert_array_equal(x.grad.data, h.data)


@needs_torch
def test_in_graph_node_names_match_pytorch():
    names = {}
    for lib in (ln, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        names[lib] = []
        for call in (lambda h, x: h.zero_(), lambda h, x: h.copy_(x), lambda h, x: h.add_(x),
                     lambda h, x: h.mul_(2.0)):
            h = x * 1.0
            call(h, x)
            names[lib].append(h.grad_fn.name())
    assert names[ln][0] == names[torch][0] == "ZeroBackward0"
    assert names[ln][1] == names[torch][1] == "torch::autograd::CopyBackwards"
    assert names[ln][2:] == names[torch][2:] == ["AddBackward0", "MulBackward0"]


def test_in_graph_in_place_after_a_saving_consumer_raises():
    x = ln.tensor([1.0, -2.0], requires_grad=True)
    h = x * 2.0
    y = h * h  # saves h
    h.clamp_(min=0.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


# ---------------------------------------------------------------------------- requires_grad_ / detach_
@needs_torch
def test_requires_grad_and_detach_in_place_as_pytorch():
    for lib in (ln, torch):
        x = lib.tensor([1.0, 2.0])
        assert x.requires_grad_() is x and x.requires_grad
        x.requires_grad_(False)
        assert not x.requires_grad
        y = x.requires_grad_() * 2
        with pytest.raises(RuntimeError, match="leaf variables"):
            y.requires_grad_(False)
        assert y.detach_() is y and y.grad_fn is None and not y.requires_grad and y.is_leaf
        with pytest.raises(RuntimeError, match="floating point"):
            lib.tensor([1, 2]).requires_grad_()
