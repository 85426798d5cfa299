"""PyTorch's op_ twins (exp_, masked_fill_, scatter_, t_ ...) against PyTorch, in and out of the graph."""

import numpy as np
import pytest

import lucidnet as ln
from lucidnet.autograd.inplace_variants import NEW_SHAPE, SAME_SHAPE
from lucidnet.autograd.registry import METHODS

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X = (RNG.random((3, 4)) * 0.8 + 0.1).astype(np.float64)  # in (0.1, 0.9): every op is defined
MASK = RNG.random((3, 4)) > 0.5
IDX = np.array([[0, 1, 2, 0], [2, 2, 1, 0], [1, 0, 0, 2]])

# name -> arguments (lucidnet tensors are made from NumPy, PyTorch's from the same values)
CASES = {
    "abs": (), "acos": (), "asin": (), "atan": (), "cos": (), "sin": (), "tan": (), "tanh": (),
    "sigmoid": (), "relu": (), "exp": (), "exp2": (), "expm1": (), "log": (), "log1p": (),
    "log2": (), "log10": (), "sqrt": (), "rsqrt": (), "reciprocal": (), "neg": (), "square": (),
    "erf": (), "erfc": (), "erfinv": (), "logit": (), "sinc": (), "frac": (), "trunc": (),
    "round": (), "floor": (), "ceil": (), "sign": (), "sinh": (), "cosh": (), "atanh": (),
    "pow": (2.0,), "remainder": (0.3,), "fmod": (0.3,), "lerp": (np.ones((3, 4)), 0.25),
    "hypot": (np.full((3, 4), 0.5),), "atan2": (np.full((1, 4), 0.5),),
    "clamp_min": (0.5,), "clamp_max": (0.5,), "xlogy": (2.0,),
    "masked_fill": (MASK, -1.0), "cumsum": (1,), "cumprod": (0,), "tril": (), "triu": (1,),
    "addcmul": (np.ones((3, 4)), np.full((3, 4), 2.0)), "addcdiv": (np.ones((3, 4)), np.full((3, 4), 4.0)),
    "addmm": (np.ones((3, 2)), np.ones((2, 4))), "nan_to_num": (), "copysign": (-1.0,),
    "float_power": (2,), "true_divide": (2.0,), "multiply": (3.0,), "subtract": (1.0,),
    "scatter": (1, IDX, 2.0), "scatter_add": (0, IDX, np.ones((3, 4))),
    "index_add": (0, np.array([0, 0, 2]), np.ones((3, 4))),
    "index_fill": (1, np.array([1, 3]), 7.0),
}
COMPARISONS = ["eq", "ne", "lt", "le", "gt", "ge"]


def _ln(a, dtype=np.float64):
    if isinstance(a, np.ndarray):
        return ln.tensor(a.astype(dtype) if a.dtype.kind == "f" else a)
    return a


def _torch(a, dtype=np.float64):
    if isinstance(a, np.ndarray):
        return torch.tensor(a.astype(dtype) if a.dtype.kind == "f" else a)
    return a


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_twin_outside_the_graph_matches_pytorch(name, dtype):
    args = CASES[name]
    ours = ln.tensor(X.astype(dtype))
    ref = torch.tensor(X.astype(dtype))
    version = ours._version
    if name == "float_power" and dtype == np.float32:
        # PyTorch refuses (the result is float64); lucidnet writes it back, cast to float32
        with pytest.raises(RuntimeError, match="float_power_"):
            ref.float_power_(2)
        ours.float_power_(2)
        np.testing.assert_allclose(np.asarray(ours), X.astype(np.float32) ** 2, rtol=1e-6)
        return
    out = getattr(ours, name + "_")(*(_ln(a, dtype) for a in args))
    want = getattr(ref, name + "_")(*(_torch(a, dtype) for a in args))
    assert out is ours and ours._version > version
    np.testing.assert_allclose(np.asarray(ours), want.numpy(), rtol=1e-5, atol=1e-6)
    assert ours.dtype == np.dtype(dtype)


# PyTorch has no derivative for atanh_; the rest are piecewise constant or write constants
@pytest.mark.parametrize("name", sorted(set(CASES) - {"round", "floor", "ceil", "sign", "trunc",
                                                        "scatter", "index_fill", "masked_fill",
                                                        "atanh"}))
def test_twin_inside_the_graph_has_the_out_of_place_gradient(name):
    args = CASES[name]
    leaf = ln.tensor(X, requires_grad=True)
    ref_leaf = torch.tensor(X, requires_grad=True)
    y = leaf * 1.0
    ry = ref_leaf * 1.0
    getattr(y, name + "_")(*map(_ln, args))
    getattr(ry, name + "_")(*map(_torch, args))
    weights = RNG.standard_normal(X.shape)
    (y * ln.tensor(weights)).sum().backward()
    (ry * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(np.asarray(y.detach()), ry.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(np.asarray(leaf.grad), ref_leaf.grad.numpy(), rtol=1e-8,
                               atol=1e-12)


@pytest.mark.parametrize("name", COMPARISONS)
def test_comparison_twins_write_ones_and_zeros_in_the_tensor_dtype(name):
    ours, ref = ln.tensor(X), torch.tensor(X)
    getattr(ours, name + "_")(0.5)
    getattr(ref, name + "_")(0.5)
    np.testing.assert_array_equal(np.asarray(ours), ref.numpy())
    assert ours.dtype == np.float64


def test_every_twin_name_exists_when_its_op_does():
    for name in (*SAME_SHAPE, *NEW_SHAPE):
        if name in METHODS:
            assert callable(getattr(ln.Tensor, name + "_"))
            assert hasattr(torch.Tensor, name + "_"), name


def test_refusals_as_pytorch():
    with pytest.raises(RuntimeError, match="can't be cast"):
        ln.tensor([1, 2]).exp_()  # a float result into an int64 tensor
    with pytest.raises(RuntimeError):
        torch.tensor([1, 2]).exp_()
    with pytest.raises(RuntimeError, match="leaf Variable"):
        ln.tensor([1.0], requires_grad=True).exp_()
    with pytest.raises(RuntimeError, match="doesn't match"):
        ln.ones(3).lerp_(ln.ones(2, 3), 0.5)  # broadcasting would grow the tensor


def test_changing_a_saved_tensor_raises_at_backward():
    leaf = ln.tensor([0.5, 1.5], requires_grad=True)
    y = leaf * 1.0
    z = y.exp()  # saves its output
    z.sqrt_()  # in place on the saved output
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_chained_twins_and_second_use():
    ours, ref = ln.tensor(X), torch.tensor(X)
    ours.mul_(2).exp_().log_().sqrt_()
    ref.mul_(2).exp_().log_().sqrt_()
    np.testing.assert_allclose(np.asarray(ours), ref.numpy(), rtol=1e-12)


@pytest.mark.parametrize("call", [("t_",), ("transpose_", 0, 1), ("unsqueeze_", -1),
                                  ("squeeze_",), ("swapdims_", 1, 0)])
def test_shape_twins_rebind_outside_the_graph(call):
    base = X[None] if call[0] == "squeeze_" else X
    ours, ref = ln.tensor(base), torch.tensor(base)
    assert getattr(ours, call[0])(*call[1:]) is ours
    getattr(ref, call[0])(*call[1:])
    assert tuple(ours.shape) == tuple(ref.shape)
    np.testing.assert_array_equal(np.asarray(ours), ref.numpy())
    inside = ln.tensor(X, requires_grad=True) * 1.0
    with pytest.raises(RuntimeError, match="out of place"):
        getattr(inside, call[0])(*call[1:])


def test_random_fills_ranges_and_seeds():
    ln.manual_seed(3)
    a = ln.empty(2000).bernoulli_(0.25)
    assert set(np.unique(np.asarray(a))) <= {0.0, 1.0} and abs(float(a.mean()) - 0.25) < 0.05
    e = ln.empty(4000).exponential_(2.0)
    assert float(e.min()) >= 0 and abs(float(e.mean()) - 0.5) < 0.05
    g = ln.empty(2000).geometric_(0.5)
    assert float(g.min()) >= 1 and abs(float(g.mean()) - 2.0) < 0.15
    r = ln.empty(1000).random_(3, 7)
    assert set(np.unique(np.asarray(r))) == {3.0, 4.0, 5.0, 6.0}
    r2 = ln.zeros(1000, dtype=ln.int64).random_(5)
    assert set(np.unique(np.asarray(r2))) == {0, 1, 2, 3, 4} and r2.dtype == np.int64
    ln.manual_seed(3)
    assert np.array_equal(np.asarray(ln.empty(2000).bernoulli_(0.25)), np.asarray(a))
    with pytest.raises(RuntimeError, match="in \\[0, 1\\]"):
        ln.empty(3).bernoulli_(1.5)
    with pytest.raises(RuntimeError, match="lambda > 0"):
        ln.empty(3).exponential_(0)


def test_fill_diagonal_resize_apply_map_as_pytorch():
    for shape, wrap in [((3, 3), False), ((7, 3), True), ((7, 3), False), ((2, 5), False)]:
        ours, ref = ln.zeros(*shape), torch.zeros(*shape)
        ours.fill_diagonal_(5.0, wrap=wrap)
        ref.fill_diagonal_(5.0, wrap=wrap)
        np.testing.assert_array_equal(np.asarray(ours), ref.numpy())
    ours, ref = ln.arange(6.0), torch.arange(6.0)
    ours.resize_(2, 2)
    ref.resize_(2, 2)
    np.testing.assert_array_equal(np.asarray(ours), ref.numpy())
    ours, ref = ln.arange(4.0), torch.arange(4.0)
    ours.apply_(lambda v: v * v + 1)
    ref.apply_(lambda v: v * v + 1)
    np.testing.assert_array_equal(np.asarray(ours), ref.numpy())
    ours.map_(ln.ones(4), lambda a, b: a - b)
    ref.map_(torch.ones(4), lambda a, b: a - b)
    np.testing.assert_array_equal(np.asarray(ours), ref.numpy())


def test_layout_queries_as_pytorch():
    base = np.arange(24.0).reshape(2, 3, 4)
    ours, ref = ln.tensor(base), torch.tensor(base)
    for view in (lambda t: t, lambda t: t.transpose(0, 2), lambda t: t[:, 1:],
                 lambda t: t[..., ::2]):
        a, b = view(ours), view(ref)
        assert a.is_contiguous() == b.is_contiguous()
        assert a.stride() == b.stride() and a.stride(-1) == b.stride(-1)
        c = a.contiguous()
        assert c.is_contiguous() and np.array_equal(np.asarray(c), b.contiguous().numpy())
        assert (c is a) == a.is_contiguous()
    assert ours[:, 1:].storage_offset() == ref[:, 1:].storage_offset()
    assert ours.data_ptr() == ours.data.__array_interface__["data"][0]
    assert ours.share_memory_() is ours
    leaf = ln.tensor(base, requires_grad=True)
    leaf.transpose(0, 2).contiguous().sum().backward()  # stays in the graph
    np.testing.assert_array_equal(np.asarray(leaf.grad), np.ones_like(base))


def test_a_refused_twin_in_the_graph_leaves_the_graph_intact():
    leaf = ln.tensor([0.5, 1.5], requires_grad=True)
    y = leaf.exp()
    with pytest.raises(ValueError, match="doesn't match"):
        y.lerp_(ln.ones(3, 2), 0.5)  # would broadcast y to (3, 2)
    ln.zeros(1).add_(1.0)  # moves the in-place clock
    y.sum().backward()
    np.testing.assert_allclose(np.asarray(leaf.grad), np.exp([0.5, 1.5]), rtol=1e-6)
