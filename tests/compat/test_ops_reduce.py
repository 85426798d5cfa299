"""Reductions against PyTorch (dim=/keepdim=, negative dims, 0-d and zero-size tensors,
float32 and float64, forward and backward), NumPy's axis=/keepdims= aliases, and float64
gradchecks of the new differentiable reductions (no torch)."""

from __future__ import annotations

import numpy as np
import pytest

import lucidnet as ln
from lucidnet.autograd.ops.reduce import (
    CumProd,
    CumSum,
    LogSumExp,
    NanToZero,
    Prod,
    Std,
    TakeAlong,
    VectorNorm,
)
from tests.compat.op_check import compare, raises_like, rand

FLOATS = [np.float32, np.float64]
# (shape, dim) cases every dim-taking reduction runs on
DIMS = [((3, 4), 1), ((3, 4), -1), ((3, 4), 0), ((2, 3, 4), -2), ((5,), 0), ((), 0), ((), -1), ((0, 3), 1),
        ((2, 0, 3), 2)]
MULTI = [((2, 3, 4), (0, 2)), ((2, 3, 4), (-1, 0)), ((3, 4), None), ((), None), ((0, 3), None), ((2, 3), ())]

REDUCE = {  # name -> f(module, x, dim, keepdim)
    "sum": lambda m, x, d, k: x.sum(d, keepdim=k), "sum_fn": lambda m, x, d, k: m.sum(x, dim=d, keepdim=k),
    "mean": lambda m, x, d, k: x.mean(dim=d, keepdim=k), "mean_fn": lambda m, x, d, k: m.mean(x, d, k),
    "var": lambda m, x, d, k: x.var(d, keepdim=k), "var0": lambda m, x, d, k: x.var(d, correction=0, keepdim=k),
    "std": lambda m, x, d, k: x.std(d, unbiased=False, keepdim=k), "std_fn": lambda m, x, d, k: m.std(x, d, keepdim=k),
    "amax": lambda m, x, d, k: x.amax(d, keepdim=k), "amin": lambda m, x, d, k: m.amin(x, d, k),
    "logsumexp": lambda m, x, d, k: x.logsumexp(d if d not in (None, ()) else tuple(range(x.ndim)) or 0, keepdim=k), "any": lambda m, x, d, k: (x > 0).any(d, keepdim=k),
    "all": lambda m, x, d, k: m.all(x > 0, dim=d, keepdim=k), "count_nonzero": lambda m, x, d, k: m.count_nonzero(x > 0, d),
    "norm": lambda m, x, d, k: x.norm(dim=d, keepdim=k), "norm1": lambda m, x, d, k: x.norm(1, d, keepdim=k),
    "norm_inf": lambda m, x, d, k: m.norm(x, float("inf"), d, k), "norm3": lambda m, x, d, k: x.norm(p=3, dim=d, keepdim=k),
    "norm_fro": lambda m, x, d, k: x.norm(p="fro", dim=d, keepdim=k),
}
ONE_DIM = {  # reductions that take one int dim (PyTorch refuses tuples there)
    "max": lambda m, x, d, k: x.max(d, keepdim=k), "min": lambda m, x, d, k: m.min(x, d, keepdim=k),
    "argmax": lambda m, x, d, k: x.argmax(d, keepdim=k), "argmin": lambda m, x, d, k: m.argmin(x, dim=d, keepdim=k),
    "prod": lambda m, x, d, k: x.prod(d, keepdim=k), "median": lambda m, x, d, k: x.median(d, keepdim=k),
    "cumsum": lambda m, x, d, k: x.cumsum(d), "cumprod": lambda m, x, d, k: m.cumprod(x, dim=d),
    "sort": lambda m, x, d, k: x.sort(d, descending=k), "argsort": lambda m, x, d, k: x.argsort(d, descending=k),
    "topk": lambda m, x, d, k: x.topk(min(2, x.shape[d] if x.ndim else 1), d, largest=k),
}
# PyTorch refuses these on an empty dim (IndexError); lucidnet must too
NEEDS_ENTRIES = {"amax", "amin", "max", "min", "argmax", "argmin", "median", "norm_inf", "topk"}


def _expect(name, shape, dim, fn, x):
    empty = 0 in shape and (dim is None or dim == () or (shape and shape[dim] == 0))
    if name in NEEDS_ENTRIES and empty:
        raises_like(lambda m, t: fn(m, t, dim, False), x)
        return True
    return False


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("shape,dim", DIMS + MULTI, ids=str)
@pytest.mark.parametrize("name", REDUCE)
def test_reductions(name, shape, dim, keepdim, dtype):
    x = rand(shape, dtype)
    # PyTorch's var/std forward reduces all entries for dim=(), its backward divides as if
    # nothing were reduced (inf); lucidnet's gradient is that of the forward it computes
    grad = not (name in ("var", "var0", "std", "std_fn") and dim == ())
    if not _expect(name, shape, dim, REDUCE[name], x):
        compare(lambda m, t: REDUCE[name](m, t, dim, keepdim), x, grad=grad)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("shape,dim", DIMS, ids=str)
@pytest.mark.parametrize("name", ONE_DIM)
def test_one_dim_reductions(name, shape, dim, keepdim, dtype):
    x = rand(shape, dtype)
    if not _expect(name, shape, dim, ONE_DIM[name], x):
        compare(lambda m, t: ONE_DIM[name](m, t, dim, keepdim), x)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(3, 4), (), (5,), (2, 3, 2)], ids=str)
def test_whole_tensor_forms(shape, dtype):
    x = rand(shape, dtype)
    compare(lambda m, t: (t.sum(), t.mean(), t.max(), t.min(), t.prod(), t.argmax(), t.argmin(keepdim=True),
                          t.norm(), m.norm(t, 1), t.any(), t.all(), t.count_nonzero(), t.median(), t.amax(),
                          m.sum(t), m.max(t), t.var(), t.std(correction=0), m.logsumexp(t, tuple(range(t.ndim)))), x)


def test_ties_zeros_and_infinities():
    compare(lambda m, t: (t.max(), t.amax(0), t.max(0), t.min(1), t.median(0), t.norm(float("inf"))),
            np.array([[1.0, 3.0], [3.0, -3.0], [2.0, 3.0]]))
    compare(lambda m, t: (t.prod(1), t.prod(), t.cumprod(1), t.cumprod(0)),
            np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 1.0], [2.0, 0.5, 0.0]]))
    compare(lambda m, t: (t.norm(), t.norm(1), t.norm(3)), np.zeros(3))
    compare(lambda m, t: t.norm(3), np.array([0.0, 1.0, 0.0]))
    compare(lambda m, t: t.logsumexp(0), np.array([-np.inf, 0.0, 1.0]))
    compare(lambda m, t: t.logsumexp(0), np.array([1000.0, 1000.0]))
    compare(lambda m, t: (t.sort(), t.sort(descending=True), t.argsort(stable=True), t.topk(3, largest=False)),
            np.array([1.0, 1.0, 0.0, 2.0, 0.0]), grad=False)


def test_integer_and_bool_inputs():
    i = np.array([[3, -1, 2], [0, 5, 5]], np.int32)
    compare(lambda m, t: (t.sum(), t.sum(1), t.prod(0), t.cumsum(1), t.cumprod(0), t.max(), t.max(1), t.amin(0),
                          t.argmax(), t.sort(1), t.topk(2), t.logsumexp(1), t.count_nonzero(0), t.any(1)), i)
    b = np.array([True, False, True])
    compare(lambda m, t: (t.sum(), t.cumsum(0), t.any(), t.all()), b)
    compare(lambda m, t: (t.sum(dtype=m.float64), t.mean(dtype=m.float64), t.cumsum(0, dtype=m.float32)), i)
    raises_like(lambda m, t: t.mean(), i)
    raises_like(lambda m, t: t.var(), i)
    raises_like(lambda m, t: t.norm(), i)


@pytest.mark.parametrize("dtype", FLOATS)
def test_composite_reductions(dtype):
    x = rand((3, 4), dtype)
    compare(lambda m, t: (m.aminmax(t), t.aminmax(dim=1, keepdim=True), m.var_mean(t, 1), m.std_mean(t, (0, 1)),
                          m.var_mean(t, 0, correction=0, keepdim=True)), x)
    x[0, 1] = x[2, 3] = np.nan
    compare(lambda m, t: (t.nansum(), m.nansum(t, 1), t.nanmean(0), m.nanmean(t, dim=(0, 1), keepdim=True)), x)
    compare(lambda m, t: m.nanmean(t, 0), np.full((2, 3), np.nan, dtype))


def test_max_min_elementwise_forms():
    a, b = rand((3, 4)), rand((4,), seed=1)
    compare(lambda m, x, y: (m.max(x, y), m.min(x, y), x.max(y), x.min(other=y)), a, b)
    compare(lambda m, x, y: m.max(x, y), a, np.array(a))  # ties split the gradient


def test_numpy_aliases():
    x = ln.tensor(rand((2, 3, 4)))
    for name in ("sum", "mean", "amax", "amin", "var", "std", "any", "all", "logsumexp"):
        a = getattr(x, name)(axis=(0, 2), keepdims=True)
        b = getattr(x, name)(dim=(0, 2), keepdim=True)
        np.testing.assert_allclose(np.asarray(a), np.asarray(b))
    assert x.max(axis=1).indices.shape == (2, 4)
    assert x.cumsum(axis=1).shape == (2, 3, 4)
    assert x.argmax(axis=-1, keepdims=True).shape == (2, 3, 1)
    assert ln.sum(np.ones((2, 3)), 1).shape == (2,)  # array-like first argument
    with pytest.raises(TypeError, match="not both"):
        x.sum(dim=0, axis=1)


def test_named_tuples():
    x = ln.tensor(rand((3, 4)), requires_grad=True)
    for out in (x.max(1), x.min(dim=0), x.sort(), x.topk(2), x.median(1)):
        values, indices = out
        assert out.values is values and out.indices is indices
        assert indices.dtype == np.int64
    _, predicted = x.max(1)  # the tutorial idiom
    assert predicted.shape == (3,)


@pytest.mark.parametrize("fn", [
    lambda m, t: t.sum(5), lambda m, t: t.mean(-3), lambda m, t: t.max(2), lambda m, t: t.argmax(2),
    lambda m, t: t.sum((0, 0)), lambda m, t: t.cumsum(2), lambda m, t: t.sort(3), lambda m, t: t.topk(5),
    lambda m, t: t.norm(dim=4), lambda m, t: t.amax((1, -1)), lambda m, t: m.empty(0).max() if m is not ln else
    m.tensor(np.empty(0)).max(), lambda m, t: t.median(-3),
])
def test_bad_dims_raise_like_torch(fn):
    raises_like(fn, rand((3, 4)))


def _gradcheck(fn, *arrays):
    ts = [ln.tensor(a, requires_grad=True) for a in arrays]
    assert ln.gradcheck(fn, ts)


@pytest.mark.parametrize("case", [
    (lambda t: Prod.apply(t, axis=1), rand((3, 4), seed=3)),
    (lambda t: Prod.apply(t), np.array([[0.0, 2.0], [1.5, -1.0]])),
    (lambda t: LogSumExp.apply(t, axis=(0, 2), keepdims=True), rand((2, 3, 2))),
    (lambda t: CumSum.apply(t, axis=0), rand((3, 2))),
    (lambda t: CumProd.apply(t, axis=1), rand((2, 4), seed=5)),
    (lambda t: CumProd.apply(t, axis=1), np.array([[1.5, 0.0, 2.0, -1.0], [0.0, 3.0, 0.0, 1.1]])),
    (lambda t: VectorNorm.apply(t, p=2.0, axis=1), rand((3, 4))),
    (lambda t: VectorNorm.apply(t, p=3.0), rand((3, 4))),
    (lambda t: VectorNorm.apply(t, p=1.0, axis=0), rand((3, 4))),
    (lambda t: VectorNorm.apply(t, p=float("inf"), axis=1), rand((3, 4))),
    (lambda t: TakeAlong.apply(t, index=np.array([[2, 0], [1, 0]]), axis=1), rand((2, 3))),
    (lambda t: Std.apply(t, axis=(0, 2), correction=1), rand((2, 3, 2))),
    (lambda t: Std.apply(t, correction=0), rand((3, 4))),
    (lambda t: NanToZero.apply(t) * 3, rand((3, 4))),
], ids=["prod", "prod_zero", "logsumexp", "cumsum", "cumprod", "cumprod_zeros", "norm2", "norm3", "norm1",
        "norm_inf", "take_along", "std", "std_biased", "nan_to_zero"])
def test_gradcheck_new_reductions(case):
    fn, a = case
    _gradcheck(fn, a)


def test_std_of_a_constant_has_a_zero_gradient():
    compare(lambda m, t: (t.std(), t.std(0), t.std(1, unbiased=False)), np.ones((3, 2)))


def test_second_use_and_backward_twice_through_a_reduction():
    compare(lambda m, t: (t.sum(1) * t.mean(1) + t.amax(1)).logsumexp(0) + t.norm() * t.prod(), rand((3, 2)))
