"""Issue 16, autograd and tensors: no silent wrong answer.

Second backward through a freed graph, in-place arithmetic and the version counter, NumPy's
copy protocol, var/std corrections, checked dims, transpose with negative dims, pow's singular
points and a buffer pool that does not read reference counts. Expected values are written out
(taken from PyTorch 2.13), so no test here needs PyTorch; the few direct comparisons skip
without it.
"""

import sys
import warnings

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn
from lucidnet.autograd.ops.buffers import pooled_empty, release_buffers

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="compares with PyTorch (not installed)")


def _leaf(values, dtype=np.float64):
    return ln.tensor(np.asarray(values, dtype=dtype), requires_grad=True)


# ------------------------------------------------------------------ second backward
def test_second_backward_through_a_freed_graph_raises():
    w = _leaf([1.0])
    h = w * 2
    h.sum().backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time.*"
                                           "retain_graph=True"):
        (h * h).sum().backward()


def test_retain_graph_keeps_the_graph_for_a_second_backward():
    w = _leaf([1.0])
    h = w * 2
    h.sum().backward(retain_graph=True)
    (h * h).sum().backward()
    assert w.grad.tolist() == [10.0]  # 2 + d(4 w^2)/dw = 2 + 8 (PyTorch: 10)
    loss = (w * w).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    assert w.grad.tolist() == [14.0]  # 10 + 2 + 2


# ------------------------------------------------------------------ in-place arithmetic
def test_hand_written_sgd_loop_trains_the_model_in_place():
    ln.manual_seed(0)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 3)).astype(np.float32)
    y = (X @ np.array([[1.0], [-2.0], [0.5]], dtype=np.float32)).astype(np.float32)
    model = nn.Linear(3, 1)
    weight = model.weight
    start = model.weight.data.copy()
    losses = []
    for _ in range(50):
        loss = nn.functional.mse_loss(model(ln.tensor(X)), y)
        losses.append(float(loss.item()))
        for p in model.parameters():
            p.grad = None
        loss.backward()
        with ln.no_grad():
            for p in model.parameters():
                p -= 0.1 * p.grad
    assert model.weight is weight and isinstance(weight, nn.Parameter)
    assert not np.allclose(model.weight.data, start)
    assert losses[-1] < 0.05 * losses[0]


@pytest.mark.parametrize("op", ["+=", "-=", "*=", "/=", "**="])
def test_inplace_operators_mutate_the_same_array(op):
    t = ln.tensor(np.array([1.0, 2.0, 4.0], dtype=np.float32))
    data, before = t.data, t._version
    alias = t
    exec(f"t {op} 2", {}, {"t": t})
    expected = {"+=": [3, 4, 6], "-=": [-1, 0, 2], "*=": [2, 4, 8], "/=": [0.5, 1, 2],
                "**=": [1, 4, 16]}[op]
    assert alias.data is data and alias.data.tolist() == expected
    assert alias.dtype == np.float32 and alias._version == before + 1


def test_inplace_methods_and_setitem_bump_the_version():
    t = ln.tensor(np.ones(3))
    t.add_(ln.tensor(np.ones(3)), alpha=2).mul_(2).sub_(1).div_(5)
    assert t.data.tolist() == [1.0, 1.0, 1.0] and t._version == 4
    t[1] = 7.0
    t.zero_()
    t.fill_(3.0)
    assert t.data.tolist() == [3.0, 3.0, 3.0] and t._version == 7
    t.copy_(np.arange(3.0))
    assert t.data.tolist() == [0.0, 1.0, 2.0] and t._version == 8


def test_inplace_on_a_leaf_that_requires_grad_raises_outside_no_grad():
    w = _leaf([1.0, 2.0])
    for change in (lambda: w.__iadd__(1), lambda: w.mul_(2), lambda: w.zero_(),
                   lambda: w.__setitem__(0, 5.0)):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being "
                                               "used in an in-place operation"):
            change()
    assert w.data.tolist() == [1.0, 2.0]


def test_inplace_float_result_into_an_integer_tensor_raises_clearly():
    t = ln.tensor(np.zeros(2, dtype=np.int64))
    with pytest.raises(TypeError, match=r"in-place add .* int64 tensor.*x = x \+ y"):
        t += 1.5


def _modified_error():
    return pytest.raises(RuntimeError, match="modified by an inplace operation")


def test_changing_a_saved_input_before_backward_raises():
    x = _leaf([1.0, 2.0])
    c = ln.tensor(np.array([3.0, 4.0]))
    y = x * c  # saves c for dL/dx
    c += 1
    with _modified_error():
        y.sum().backward()


def test_changing_a_saved_output_before_backward_raises():
    x = _leaf([1.0, 2.0])
    y = x.exp()  # saves its output
    with ln.no_grad():
        y += 1
    with _modified_error():
        y.sum().backward()


def test_changing_a_detached_alias_counts_as_a_change_of_the_tensor():
    x = _leaf([1.0, 2.0])
    y = x.exp()
    y.detach().mul_(3)
    with _modified_error():
        y.sum().backward()


@pytest.mark.parametrize("layer,shape", [
    (lambda: nn.Linear(3, 2), (4, 3)),
    (lambda: nn.Conv2d(2, 3, 3), (2, 2, 5, 5)),
    (lambda: nn.BatchNorm1d(3), (4, 3)),
    (lambda: nn.BatchNorm2d(2), (3, 2, 4, 4)),
])
def test_layers_that_save_by_reference_detect_inplace_changes(layer, shape):
    """The known caveat: Linear, Conv and BatchNorm keep their input (and weight) by reference."""
    m = layer().double()
    x = ln.tensor(np.random.default_rng(0).standard_normal(shape))
    h = x * 1.0  # a non-leaf input, changed in place below
    out = m(h)
    with ln.no_grad():
        h *= 2
    with _modified_error():
        out.sum().backward()
    m.zero_grad()
    out = m(ln.tensor(np.random.default_rng(1).standard_normal(shape)))
    with ln.no_grad():
        m.weight -= 0.1  # a parameter step between forward and backward
    with _modified_error():
        out.sum().backward()


def test_inplace_ops_inside_the_graph_give_pytorchs_gradients():
    x, y = _leaf([1.0, 2.0]), _leaf([3.0, 4.0])
    h = x * 2
    h *= y  # PyTorch saves the original h for dL/dy
    h.sum().backward()
    assert x.grad.tolist() == [6.0, 8.0] and y.grad.tolist() == [2.0, 4.0]
    x = _leaf([1.0, 2.0])
    h = x * 2
    z = h + 1  # made before the in-place change: its gradient goes to the old h
    h *= 3
    (z + h).sum().backward()
    assert x.grad.tolist() == [8.0, 8.0]  # PyTorch: 2 * (1 + 3)
    acc = ln.tensor(np.zeros(2))
    before = acc + 0  # a constant use of acc before it joins the graph
    acc += y
    (acc + before).sum().backward()
    assert acc.requires_grad and not acc.is_leaf


# ------------------------------------------------------------------ NumPy's copy protocol
def test_np_array_copies_and_asarray_shares():
    t = ln.tensor(np.array([1.0, 2.0]))
    copied = np.array(t)
    copied[0] = 5.0
    assert t.data.tolist() == [1.0, 2.0]
    assert np.asarray(t) is t.data
    assert np.array(t, copy=False) is t.data
    assert np.array(t, dtype=np.float32).dtype == np.float32
    with pytest.raises(ValueError, match="needs a copy"):
        np.array(t, dtype=np.float32, copy=False)


# ------------------------------------------------------------------ var / std
def test_var_and_std_default_to_the_unbiased_estimator_as_pytorch():
    t = ln.tensor(np.array([1.0, 2.0, 4.0]))
    assert t.var().item() == pytest.approx(7 / 3)
    assert t.var(correction=0).item() == pytest.approx(14 / 9)
    assert t.var(unbiased=False).item() == pytest.approx(14 / 9)
    assert t.var(0, True).item() == pytest.approx(7 / 3)  # PyTorch's (dim, unbiased) order
    assert t.std().item() == pytest.approx(np.sqrt(7 / 3))
    with pytest.raises(TypeError, match="either correction= or unbiased="):
        t.var(unbiased=True, correction=1)


@pytest.mark.parametrize("kw", [{}, {"correction": 0}, {"correction": 2}, {"axis": 1},
                                {"axis": (0, 2), "unbiased": False}])
def test_var_gradcheck(kw):
    x = ln.tensor(np.random.default_rng(0).standard_normal((3, 4, 2)), requires_grad=True)
    assert ln.gradcheck(lambda x: x.var(**kw), [x])


def test_var_with_no_degrees_of_freedom_is_nan_or_inf_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = _leaf([1.0, 2.0])
        v = x.var(correction=3)  # PyTorch: inf (0.5 / 0), gradient inf
        v.backward()
        assert v.item() == np.inf and np.all(np.isinf(x.grad))
        x = _leaf([1.0, 1.0])
        v = x.var(correction=3)  # PyTorch: nan (0 / 0), not -0.0
        v.backward()
        assert np.isnan(v.item()) and np.all(np.isnan(x.grad))
        e = ln.tensor(np.zeros((0, 3)), requires_grad=True)
        v = e.var(0)  # zero-size axis: nan, and the backward does not divide by zero
        v.sum().backward()
        assert np.all(np.isnan(v.data)) and v.shape == (3,) and e.grad.shape == (0, 3)
        assert np.all(np.isnan(ln.tensor(np.zeros((2, 0))).std(1).data))


# ------------------------------------------------------------------ dims
@pytest.mark.parametrize("call", [
    lambda t: t.sum(5), lambda t: t.mean(-5), lambda t: t.max(4), lambda t: t.amin((0, 4)),
    lambda t: t.var(7), lambda t: t.std(-6), lambda t: t.argmax(4), lambda t: t.flatten(0, 4),
    lambda t: t.transpose(0, 4), lambda t: t.permute(0, 1, 2, 4),
    lambda t: nn.functional.softmax(t, 4), lambda t: nn.functional.log_softmax(t, -5),
])
def test_out_of_range_dims_raise_index_error_with_the_valid_range(call):
    t = ln.tensor(np.zeros((2, 3, 4, 5)))
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of "
                                         r"\[-4, 3\], but got -?\d\)"):
        call(t)


def test_repeated_dims_raise():
    with pytest.raises(RuntimeError, match="dim 0 appears multiple times"):
        ln.tensor(np.zeros((2, 3))).sum((0, -2))


@pytest.mark.parametrize("reduce,dim", [  # max/min take one int dim (PyTorch), amax/amin tuples
    (r, d) for r in ("sum", "mean", "amax", "amin", "max", "min") for d in (0, -1, (0,))
    if not (r in ("max", "min") and isinstance(d, tuple))])
def test_zero_dim_tensors_accept_dim_0_and_minus_1(reduce, dim):
    s = ln.tensor(np.array(2.0), requires_grad=True)
    out = getattr(s, reduce)(dim)
    if reduce in ("max", "min"):  # PyTorch's (values, indices)
        assert out.indices.item() == 0
        out = out.values
    out.backward()
    assert out.shape == () and out.item() == 2.0 and s.grad == 1.0
    with pytest.raises(IndexError, match=r"range of \[-1, 0\], but got 1"):
        getattr(s, reduce)(1)


def test_zero_dim_argmax_and_softmax():
    assert ln.tensor(np.array(3.0)).argmax(0).item() == 0
    s = ln.tensor(np.array(1.5), requires_grad=True)
    out = nn.functional.softmax(s, 0)
    out.backward()
    assert out.item() == 1.0 and s.grad == 0.0  # PyTorch: 1 and 0


# ------------------------------------------------------------------ transpose / permute
@pytest.mark.parametrize("call", [
    lambda a: a.transpose(-1, 0), lambda a: a.transpose(0, -2), lambda a: a.transpose((-1, 0, 1)),
    lambda a: a.permute(-1, -3, -2), lambda a: a.permute((2, -3, 1)),
])
def test_transpose_and_permute_with_negative_dims_gradcheck(call):
    x = ln.tensor(np.random.default_rng(0).standard_normal((2, 3, 4)), requires_grad=True)
    assert ln.gradcheck(call, [x])


def test_permute_needs_a_permutation():
    with pytest.raises(ValueError, match="permutation of the 3 dims"):
        ln.tensor(np.zeros((2, 3, 4))).permute(0, 0, 1)


# ------------------------------------------------------------------ pow's singular points
_BASES = [0.0, -2.0, 2.0]
# d/dx x**p at x = 0, -2, 2, as PyTorch 2.13 computes them
_POW_GRADS = {0: [0.0, 0.0, 0.0], 0.5: [np.inf, np.nan, 0.5 / np.sqrt(2.0)], 1: [1.0, 1.0, 1.0],
              2: [0.0, -4.0, 4.0], -1: [-np.inf, -0.25, -0.25], 1.5: [0.0, np.nan, 1.5 * np.sqrt(2.0)]}


@pytest.mark.parametrize("p", list(_POW_GRADS))
def test_pow_gradient_at_singular_points_matches_pytorch(p):
    x = _leaf(_BASES)
    with np.errstate(invalid="ignore", divide="ignore"):  # (-2) ** 0.5 = nan, 0 ** -1 = inf
        (x ** p).sum().backward()
    np.testing.assert_allclose(x.grad, _POW_GRADS[p], rtol=1e-12)


def test_pow_with_a_tensor_exponent_at_singular_points_matches_pytorch():
    b = _leaf([0.0, 0.0, 0.0, -2.0, -2.0, 2.0, 0.0, -3.0])
    e = _leaf([0.0, 2.0, -1.0, 2.0, 0.5, 0.0, 0.5, 3.0])
    with np.errstate(invalid="ignore", divide="ignore"):
        (b ** e).sum().backward()
    np.testing.assert_allclose(b.grad, [0, 0, -np.inf, -4, np.nan, 0, np.inf, 27])
    np.testing.assert_allclose(e.grad, [0, 0, -np.inf, np.nan, np.nan, np.log(2), 0, np.nan])


@needs_torch
def test_pow_singular_points_against_torch():
    bases, exps = np.array([0.0, -2.0, 2.0, 0.0, -1.5]), np.array([0.0, 3.0, -1.0, -2.0, 2.0])
    ours = [_leaf(bases), _leaf(exps)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (bases, exps)]
    with np.errstate(divide="ignore", invalid="ignore"):
        (ours[0] ** ours[1]).sum().backward()
    (theirs[0] ** theirs[1]).sum().backward()
    for a, t in zip(ours, theirs):
        np.testing.assert_allclose(a.grad, t.grad.numpy(), rtol=1e-12)


# ------------------------------------------------------------------ buffer pool
def test_buffer_pool_does_not_read_reference_counts(monkeypatch):
    """Whatever sys.getrefcount reads (CPython 3.14 reads one lower), a buffer that a live
    array still uses is never handed out again."""
    monkeypatch.setattr(sys, "getrefcount", lambda obj: 3)
    release_buffers()
    a = pooled_empty((256, 1024), np.float32)
    derived = np.moveaxis(a.reshape(256, 32, 32), 0, -1)[::2]  # a view of a view
    del a
    b = pooled_empty((256, 1024), np.float32)
    assert not np.shares_memory(derived, b)
    derived[...] = 1.0
    b[...] = 2.0
    assert np.all(derived == 1.0)
    del derived, b
    c = pooled_empty((256, 1024), np.float32)
    d = pooled_empty((256, 1024), np.float32)
    assert not np.shares_memory(c, d)
    release_buffers()


def test_buffer_pool_reuses_a_buffer_once_nothing_uses_it():
    release_buffers()
    a = pooled_empty((256, 1024), np.float32)
    address = a.__array_interface__["data"][0]
    del a
    b = pooled_empty((512, 512), np.float32)  # same size in bytes
    assert b.__array_interface__["data"][0] == address
    release_buffers()


# ------------------------------------------------------------------ same class, other ops
def test_elementwise_max_and_min_split_a_tie_as_pytorch():
    from lucidnet.autograd.ops.elementwise import Maximum, Minimum

    for op, grads in ((Maximum, ([0.5, 1, 0], [0.5, 0, 1])), (Minimum, ([0.5, 0, 1], [0.5, 1, 0]))):
        a, b = _leaf([1.0, 2.0, 3.0]), _leaf([1.0, 1.0, 5.0])
        op.apply(a, b).sum().backward()
        assert a.grad.tolist() == grads[0] and b.grad.tolist() == grads[1]


def test_mean_over_an_empty_axis_is_nan_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = ln.tensor(np.zeros((2, 0)), requires_grad=True)
        m = x.mean(1)
        m.sum().backward()
        assert np.all(np.isnan(m.data)) and x.grad.shape == (2, 0)


def test_inplace_change_through_a_view_counts_for_the_viewed_tensor():
    x = _leaf([[1.0, 2.0], [3.0, 4.0]])
    y = x.exp()  # saves its output
    with ln.no_grad():
        y[0].mul_(2)  # basic indexing gives a view of y
    with _modified_error():
        y.sum().backward()
    copy = x.T.reshape(4)  # a reshape that had to copy is no view: changing it is harmless
    with ln.no_grad():
        copy += 1
    assert x.data.tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_inplace_on_a_view_inside_the_graph_raises_instead_of_losing_gradients():
    x = _leaf([[1.0, 2.0], [3.0, 4.0]])
    h = x * 1.0
    with pytest.raises(RuntimeError, match="view of another tensor inside the autograd graph"):
        h[0].add_(_leaf([1.0, 1.0]))


def test_matrix_transpose_of_two_dims_swaps_them_as_pytorch():
    m = ln.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    np.testing.assert_array_equal(m.transpose(0, 1).data, m.data.T)
    np.testing.assert_array_equal(m.transpose(-1, -2).data, m.data.T)
    np.testing.assert_array_equal(m.transpose(1, 1).data, m.data)
    assert ln.gradcheck(lambda a: a.transpose(0, 1), [m])


@pytest.mark.parametrize("shape", [(2, 3), (), (0, 4)])
def test_clone_copies_and_passes_the_gradient(shape):
    """clone() is a copy in the graph (PyTorch): the gradient flows through unchanged, and
    changing the clone in place -- the error message's own advice -- leaves the original and
    its backward intact."""
    a = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape) + 1.0
    x = ln.tensor(a, requires_grad=True)
    h = x * 3.0
    c = h.clone()
    assert not np.shares_memory(c.data, h.data) and c.requires_grad
    np.testing.assert_array_equal(c.data, h.data)
    out = (h * h).sum()
    with ln.no_grad():
        c += 100.0
    np.testing.assert_array_equal(h.data, a * 3.0)
    out.backward()
    np.testing.assert_allclose(x.grad, 18.0 * a)
    y = ln.tensor(a, requires_grad=True)
    (y.clone() * 2.0).sum().backward()
    np.testing.assert_array_equal(y.grad, np.full(shape, 2.0))


def test_clone_gradcheck():
    x = ln.tensor(np.random.default_rng(0).standard_normal((3, 2)), requires_grad=True)
    assert ln.gradcheck(lambda t: (t.clone() ** 2).sum(axis=0), [x])
