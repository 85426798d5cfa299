"""Reductions over dims: sum, mean, var, std, max, min, amax, amin, argmax, argmin, prod,
logsumexp, any, all, count_nonzero, norm, cumsum, cumprod, sort, argsort, topk, median,
registered in PyTorch's spelling (``dim=`` / ``keepdim=``; NumPy's ``axis=`` / ``keepdims=`` too).
"""

from __future__ import annotations

import builtins
import numbers
from typing import NamedTuple

import numpy as np

from ..function import Function
from ..registry import register, write_out
from ..tensor import Tensor, get_default_dtype
from . import elementwise as E

__all__ = ["Sum", "Mean", "Var", "Max", "Min", "MaxAlong", "MinAlong", "Prod", "LogSumExp",
           "CumSum", "CumProd", "VectorNorm", "Std", "NanToZero", "TakeAlong", "ValuesIndices", "dims", "one_dim"]


def _expand(g, shape, axis, keepdims):
    """Reshape a reduced gradient so it broadcasts against the input of `shape`."""
    if axis is None:
        return np.reshape(g, (1,) * len(shape))
    if not keepdims:
        axes = (axis,) if isinstance(axis, int) else axis
        g = np.expand_dims(g, axes)
    return g


def _count(shape, axis):
    if axis is None:
        return int(np.prod(shape))
    axes = (axis,) if isinstance(axis, int) else axis
    return int(np.prod([shape[a] for a in axes]))


class Sum(Function):
    """z = sum(a) over ``axis`` (None: all; ``keepdims`` keeps it as size 1);  dz/da = 1, g broadcast
    back to a's shape.

    Examples
    --------
    >>> from lucidnet.autograd.ops.reduce import Sum
    >>> x = ln.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> y = Sum.apply(x, axis=1); y
    tensor([3., 7.], grad_fn=<SumBackward1>)
    >>> y.sum().backward(); x.grad  # 1 for every entry
    tensor([[1., 1.],
            [1., 1.]])
    """

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        ctx.args = (a.shape, axis, keepdims)
        return np.asarray(np.sum(a, axis=axis, keepdims=keepdims))

    @staticmethod
    def backward(ctx, g):
        shape, axis, keepdims = ctx.args
        return np.broadcast_to(_expand(g, shape, axis, keepdims), shape).copy()


class Mean(Function):
    """z = sum(a) / N over ``axis`` (None: all; N the number of entries reduced);  dz/da = 1/N,
    g / N broadcast back to a's shape.

    Examples
    --------
    >>> from lucidnet.autograd.ops.reduce import Mean
    >>> x = ln.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> y = Mean.apply(x, axis=0); y
    tensor([2., 3.], grad_fn=<MeanBackward1>)
    >>> y.sum().backward(); x.grad  # 1/N with N = 2 rows
    tensor([[0.5000, 0.5000],
            [0.5000, 0.5000]])
    """

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        ctx.args = (a.shape, axis, keepdims)
        if a.size == 0:  # nan without a warning, as PyTorch
            with np.errstate(invalid="ignore"):
                return np.asarray(np.sum(a, axis=axis, keepdims=keepdims) / np.float64(0.0),
                                  dtype=a.dtype if a.dtype.kind == "f" else None)
        return np.asarray(np.mean(a, axis=axis, keepdims=keepdims))

    @staticmethod
    def backward(ctx, g):
        shape, axis, keepdims = ctx.args
        n = _count(shape, axis)
        if n == 0:  # nothing to spread the gradient over
            return np.zeros(shape, dtype=g.dtype)
        return np.broadcast_to(_expand(g, shape, axis, keepdims) / n, shape).astype(g.dtype)


class Var(Function):
    """z = sum((a - mean)^2) / max(0, N - correction);  dz/da = 2 (a - mean) / (N - correction).

    As PyTorch: with N <= correction (a zero-size axis included) z is nan (or inf), and so is
    the gradient (nan where a equals the mean, inf elsewhere) -- never a silent 0 or -0.0.

    Examples
    --------
    >>> from lucidnet.autograd.ops.reduce import Var
    >>> x = ln.tensor([1.0, 2.0, 3.0, 6.0], requires_grad=True)
    >>> y = Var.apply(x); y
    tensor(4.6667, grad_fn=<VarBackward0>)
    >>> y.sum().backward(); x.grad  # 2 (a - mean) / (N - 1), mean = 3
    tensor([-1.3333, -0.6667,  0.0000,  2.0000])
    """

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False, correction=1):
        n = _count(a.shape, axis)
        with np.errstate(invalid="ignore", divide="ignore"):  # n = 0: nan, as PyTorch, silently
            centred = a - np.sum(a, axis=axis, keepdims=True) / a.dtype.type(n)
            dof = n - correction
            ctx.save_for_backward(centred)
            ctx.args = (a.shape, axis, keepdims, dof)
            out = np.sum(centred * centred, axis=axis, keepdims=keepdims) / a.dtype.type(builtins.max(0, dof))
        return np.asarray(out, dtype=a.dtype)

    @staticmethod
    def backward(ctx, g):
        (centred,) = ctx.saved
        shape, axis, keepdims, dof = ctx.args
        g = _expand(g, shape, axis, keepdims)
        if dof <= 0:
            slope = np.where(centred == 0, np.nan, np.inf).astype(centred.dtype)
            return (g * slope).astype(centred.dtype)
        return (g * (2.0 / dof) * centred).astype(centred.dtype)


class Std(Function):
    """z = sqrt(var(a));  dz/da = (a - mean) / ((N - correction) z), 0 where z = 0 (a constant
    input: PyTorch's masked form, not 0/0), nan where N <= correction.

    Examples
    --------
    >>> from lucidnet.autograd.ops.reduce import Std
    >>> x = ln.tensor([1.0, 3.0], requires_grad=True)
    >>> y = Std.apply(x); y
    tensor(1.4142, grad_fn=<StdBackward0>)
    >>> y.sum().backward(); x.grad  # (a - mean) / ((N - 1) z)
    tensor([-0.7071,  0.7071])
    """

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False, correction=1):
        out = np.sqrt(Var.forward(ctx, a, axis, keepdims, correction))
        ctx.save_for_backward(ctx.saved[0], out)
        return out

    @staticmethod
    def backward(ctx, g):
        centred, out = ctx.saved
        shape, axis, keepdims, dof = ctx.args
        g, z = _expand(g, shape, axis, keepdims), _expand(out, shape, axis, keepdims)
        if dof <= 0:
            return (g * np.full(shape, np.nan, dtype=centred.dtype)).astype(centred.dtype)
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = np.where(z == 0, 0, centred / (dof * z))
        return (g * slope).astype(centred.dtype)


class _Extremum(Function):
    reducer = None

    @classmethod
    def _forward(cls, ctx, a, axis, keepdims):
        out = cls.reducer(a, axis=axis, keepdims=True)
        # ties share the gradient equally (as PyTorch's amax/amin)
        mask = a == out
        ctx.save_for_backward(mask / mask.sum(axis=axis, keepdims=True))
        ctx.args = (a.shape, axis, keepdims)
        return np.asarray(out if keepdims else np.squeeze(out, axis=axis))

    @staticmethod
    def backward(ctx, g):
        (share,) = ctx.saved
        shape, axis, keepdims = ctx.args
        return (_expand(g, shape, axis, keepdims) * share).astype(g.dtype)


class Max(_Extremum):
    """z = max(a) over ``axis`` (None: all);  dz/da = 1/k at each of the k entries equal to the
    max (ties share the gradient, as PyTorch's amax), 0 elsewhere.

    Examples
    --------
    >>> from lucidnet.autograd.ops.reduce import Max
    >>> x = ln.tensor([1.0, 3.0, 3.0], requires_grad=True)
    >>> y = Max.apply(x); y
    tensor(3., grad_fn=<MaxBackward1>)
    >>> y.sum().backward(); x.grad  # the two tied maxima share the gradient
    tensor([0.0000, 0.5000, 0.5000])
    """

    reducer = staticmethod(np.max)

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        return Max._forward(ctx, a, axis, keepdims)


class Min(_Extremum):
    """z = min(a) over ``axis`` (None: all);  dz/da = 1/k at each of the k entries equal to the
    min (ties share the gradient, as PyTorch's amin), 0 elsewhere.

    Examples
    --------
    >>> from lucidnet.autograd.ops.reduce import Min
    >>> x = ln.tensor([2.0, 1.0, 1.0], requires_grad=True)
    >>> y = Min.apply(x); y
    tensor(1., grad_fn=<MinBackward1>)
    >>> y.sum().backward(); x.grad  # the two tied minima share the gradient
    tensor([0.0000, 0.5000, 0.5000])
    """

    reducer = staticmethod(np.min)

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        return Min._forward(ctx, a, axis, keepdims)


class _ExtremumAlong(Function):
    """Values of ``max(dim)`` / ``min(dim)``: the gradient goes to the one entry that
    ``argmax`` / ``argmin`` picks (the first extremum), as PyTorch's ``max(dim)``; the indices are
    saved so the caller can return them."""

    arg = None

    @classmethod
    def _forward(cls, ctx, a, axis, keepdims):
        idx = np.expand_dims(cls.arg(a, axis=axis), axis)
        ctx.save_for_backward(idx)
        ctx.args = (a.shape, axis, keepdims)
        out = np.take_along_axis(a, idx, axis=axis)
        return np.asarray(out if keepdims else np.squeeze(out, axis=axis))

    @staticmethod
    def backward(ctx, g):
        (idx,) = ctx.saved
        shape, axis, keepdims = ctx.args
        grad = np.zeros(shape, dtype=g.dtype)
        np.put_along_axis(grad, idx, _expand(g, shape, axis, keepdims), axis=axis)
        return grad


class MaxAlong(_ExtremumAlong):
    """z = max(a, dim);  the gradient flows to the first maximal entry along dim.

    Examples
    --------
    >>> from lucidnet.autograd.ops.reduce import MaxAlong
    >>> x = ln.tensor([[1.0, 5.0, 5.0], [7.0, 0.0, 7.0]], requires_grad=True)
    >>> y = MaxAlong.apply(x, axis=1); y
    tensor([5., 7.], grad_fn=<MaxBackward0>)
    >>> y.sum().backward(); x.grad  # only the first maximum of each row
    tensor([[0., 1., 0.],
            [1., 0., 0.]])
    """

    arg = staticmethod(np.argmax)

    @staticmethod
    def forward(ctx, a, axis, keepdims=False):
        return MaxAlong._forward(ctx, a, axis, keepdims)


class MinAlong(_ExtremumAlong):
    """z = min(a, dim);  the gradient flows to the first minimal entry along dim.

    Examples
    --------
    >>> from lucidnet.autograd.ops.reduce import MinAlong
    >>> x = ln.tensor([[1.0, 0.0, 0.0], [2.0, 2.0, 3.0]], requires_grad=True)
    >>> y = MinAlong.apply(x, axis=1); y
    tensor([0., 2.], grad_fn=<MinBackward0>)
    >>> y.sum().backward(); x.grad  # only the first minimum of each row
    tensor([[0., 1., 0.],
            [1., 0., 0.]])
    """

    arg = staticmethod(np.argmin)

    @staticmethod
    def forward(ctx, a, axis, keepdims=False):
        return MinAlong._forward(ctx, a, axis, keepdims)


# ====================================================================== new differentiable ops
def _kept_shape(shape, axis) -> tuple:
    """The shape of a keepdims reduction of ``shape`` over ``axis`` (None: all)."""
    axes = range(len(shape)) if axis is None else (axis,) if isinstance(axis, int) else axis
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _reduced(ndim, axis) -> list:
    return list(range(ndim)) if axis is None else [axis] if isinstance(axis, int) else list(axis)


def _moved(a, axis):
    """a with ``axis`` last (axis None: flattened to one axis)."""
    return a.reshape(-1) if axis is None else np.moveaxis(a, axis, -1)


def _unmoved(r, shape, axis):
    return r.reshape(shape) if axis is None else np.moveaxis(r, -1, axis)


class Prod(Function):
    """z = prod(a) over ``axis`` (None: all);  dz/da_i = prod_{j != i} a_j, exact also where
    entries are 0 (products of the entries left and right of i, no division).

    Examples
    --------
    >>> from lucidnet.autograd.ops.reduce import Prod
    >>> x = ln.tensor([2.0, 0.0, 5.0], requires_grad=True)
    >>> y = Prod.apply(x); y
    tensor(0., grad_fn=<ProdBackward0>)
    >>> y.sum().backward(); x.grad  # product of the others, exact at the 0
    tensor([ 0., 10.,  0.])
    """

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        ctx.save_for_backward(a)
        ctx.args = (axis, keepdims)
        return np.asarray(np.prod(a, axis=axis, keepdims=keepdims))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved
        axis, keepdims = ctx.args
        m = _moved(a, axis)
        ones = np.ones(m.shape[:-1] + (1,), dtype=a.dtype)
        left = np.cumprod(np.concatenate([ones, m[..., :-1]], axis=-1), axis=-1)
        right = np.flip(np.cumprod(np.concatenate([ones, np.flip(m, -1)[..., :-1]], axis=-1), -1), -1)
        others = _unmoved(left * right, a.shape, axis)
        return (_expand(g, a.shape, axis, keepdims) * others).astype(g.dtype)


class LogSumExp(Function):
    """z = log(sum(exp(a))) over ``axis``, computed as m + log(sum(exp(a - m))) with m the max
    (no overflow);  dz/da = exp(a - z) (the softmax).

    Examples
    --------
    >>> from lucidnet.autograd.ops.reduce import LogSumExp
    >>> x = ln.tensor([0.0, 0.0, 0.0, 0.0], requires_grad=True)
    >>> y = LogSumExp.apply(x); y  # ln 4
    tensor(1.3863, grad_fn=<LogSumExpBackward0>)
    >>> y.sum().backward(); x.grad  # softmax: 1/4 each
    tensor([0.2500, 0.2500, 0.2500, 0.2500])
    """

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        kept = _kept_shape(a.shape, axis)
        m = np.max(a, axis=axis, keepdims=True) if 0 not in (n for n, k in zip(a.shape, kept) if k == 1) \
            else np.zeros(kept, a.dtype)  # reducing an empty dim: the sum is 0, its log -inf
        m = np.where(np.isfinite(m), m, 0).astype(a.dtype)
        with np.errstate(divide="ignore"):  # all -inf (or empty): log(0) = -inf, as PyTorch
            out = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
        ctx.save_for_backward(a, out)
        ctx.args = (axis, keepdims)
        return np.asarray(out if keepdims else np.squeeze(out, axis=axis))

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved
        axis, keepdims = ctx.args
        with np.errstate(invalid="ignore"):
            soft = np.exp(a - out)
        return (_expand(g, a.shape, axis, keepdims) * soft).astype(g.dtype)


class CumSum(Function):
    """z_i = sum_{j <= i} a_j along ``axis``;  dz/da = the reversed cumulative sum of g.

    Examples
    --------
    >>> from lucidnet.autograd.ops.reduce import CumSum
    >>> x = ln.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = CumSum.apply(x); y
    tensor([1., 3., 6.], grad_fn=<CumSumBackward0>)
    >>> y.sum().backward(); x.grad  # reversed cumulative sum of g = 1: 3, 2, 1
    tensor([3., 2., 1.])
    """

    @staticmethod
    def forward(ctx, a, axis=0):
        ctx.axis = axis
        return np.cumsum(a, axis=axis)

    @staticmethod
    def backward(ctx, g):
        return np.flip(np.cumsum(np.flip(g, ctx.axis), axis=ctx.axis), ctx.axis)


class CumProd(Function):
    """z_i = prod_{j <= i} a_j along ``axis``;
    dL/da_i = sum_{k >= i} g_k prod_{j <= k, j != i} a_j = L_i S_i with L_i = prod_{j < i} a_j and
    S_i = g_i + a_{i+1} S_{i+1} (a right-to-left scan, exact where entries are 0).

    Examples
    --------
    >>> from lucidnet.autograd.ops.reduce import CumProd
    >>> x = ln.tensor([2.0, 0.0, 5.0], requires_grad=True)
    >>> y = CumProd.apply(x); y
    tensor([2., 0., 0.], grad_fn=<CumProdBackward0>)
    >>> y.sum().backward(); x.grad  # exact at the 0 (no division)
    tensor([ 1., 12.,  0.])
    """

    @staticmethod
    def forward(ctx, a, axis=0):
        out = np.cumprod(a, axis=axis)
        ctx.save_for_backward(a, out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved
        axis = ctx.axis
        if np.all(a != 0):  # the quick form: revcumsum(g z) / a
            return np.flip(np.cumsum(np.flip(g * out, axis), axis=axis), axis) / a
        m, gm = np.moveaxis(a, axis, -1), np.moveaxis(g, axis, -1)
        n = m.shape[-1]
        left = np.concatenate([np.ones(m.shape[:-1] + (1,), a.dtype), np.cumprod(m[..., :-1], -1)], -1)
        scan = np.empty_like(gm)
        scan[..., n - 1] = gm[..., n - 1]
        for i in range(n - 2, -1, -1):
            scan[..., i] = gm[..., i] + m[..., i + 1] * scan[..., i + 1]
        return np.moveaxis(left * scan, -1, axis).astype(g.dtype)


class VectorNorm(Function):
    """z = (sum |a|^p)^(1/p) over ``axis`` (p = inf: max |a|; p = 0: the count of nonzeros);
    dz/da = sign(a) |a|^(p-1) / z^(p-1): a / z for p = 2, sign(a) for p = 1, for p = inf
    sign(a) shared among the entries where |a| = z -- each 0 where z = 0, as PyTorch.

    Examples
    --------
    >>> from lucidnet.autograd.ops.reduce import VectorNorm
    >>> x = ln.tensor([3.0, -4.0], requires_grad=True)
    >>> y = VectorNorm.apply(x, p=2.0); y
    tensor(5., grad_fn=<VectorNormBackward0>)
    >>> y.sum().backward(); x.grad  # a / z
    tensor([ 0.6000, -0.8000])
    """

    @staticmethod
    def forward(ctx, a, p=2.0, axis=None, keepdims=False):
        mag = np.abs(a)
        if p in (np.inf, -np.inf) and a.size == 0 and 0 in np.take(a.shape, _reduced(a.ndim, axis)):
            raise RuntimeError("linalg.vector_norm cannot compute the inf norm on an empty tensor "
                               "because the operation does not have an identity (pick a dim whose "
                               "size is not 0)")
        if p == np.inf:
            out = np.max(mag, axis=axis, keepdims=True)
        elif p == -np.inf:
            out = np.min(mag, axis=axis, keepdims=True)
        elif p == 0:
            out = np.sum(mag != 0, axis=axis, keepdims=True).astype(a.dtype)
        elif p == 1:
            out = np.sum(mag, axis=axis, keepdims=True)
        elif p == 2:
            out = np.sqrt(np.sum(mag * mag, axis=axis, keepdims=True))
        else:
            with np.errstate(divide="ignore"):
                out = np.sum(mag ** p, axis=axis, keepdims=True) ** (1.0 / p)
        out = np.asarray(out, dtype=a.dtype)
        ctx.save_for_backward(a, out)
        ctx.args = (p, axis, keepdims)
        return np.asarray(out if keepdims else np.squeeze(out, axis=axis))

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved
        p, axis, keepdims = ctx.args
        g = _expand(g, a.shape, axis, keepdims)
        sign = np.sign(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            if p == 0:
                slope = np.zeros_like(a)
            elif p == 1:
                slope = sign
            elif abs(p) == np.inf:
                hit = np.abs(a) == out
                slope = sign * hit / np.maximum(np.sum(hit, axis=axis, keepdims=True), 1)
            elif p == 2:
                slope = np.where(out == 0, 0, a / out)
            else:
                slope = np.where(out == 0, 0, sign * np.abs(a) ** (p - 1) / out ** (p - 1))
        return (g * slope).astype(a.dtype)


class TakeAlong(Function):
    """z = a picked along ``axis`` at ``index`` (the values of sort / topk / median);
    the gradient is scattered back to the picked entries (each picked once).

    Examples
    --------
    >>> from lucidnet.autograd.ops.reduce import TakeAlong
    >>> x = ln.tensor([[3.0, 1.0, 2.0]], requires_grad=True)
    >>> y = TakeAlong.apply(x, index=np.array([[1, 2]]), axis=1); y  # entries 1 and 2 of the row
    tensor([[1., 2.]], grad_fn=<TakeAlongBackward0>)
    >>> y.sum().backward(); x.grad  # the gradient goes back to the picked entries
    tensor([[0., 1., 1.]])
    """

    @staticmethod
    def forward(ctx, a, index=None, axis=-1):
        ctx.args = (a.shape, index, axis)
        return np.take_along_axis(a, index, axis=axis)

    @staticmethod
    def backward(ctx, g):
        shape, index, axis = ctx.args
        out = np.zeros(shape, dtype=g.dtype)
        np.put_along_axis(out, index, g, axis=axis)
        return out


# ====================================================================== the PyTorch surface
# Every reduction takes PyTorch's ``dim=`` / ``keepdim=``; NumPy's ``axis=`` / ``keepdims=``
# are accepted as aliases. A dim out of range is an IndexError naming the valid range.

class ValuesIndices(NamedTuple):
    """``(values, indices)`` of max/min/sort/topk/median(dim), as ``torch.return_types``.

    Examples
    --------
    >>> from lucidnet.autograd.ops.reduce import ValuesIndices
    >>> result = ln.tensor([[1.0, 5.0], [7.0, 2.0]]).max(1)
    >>> isinstance(result, ValuesIndices), result.values
    (True, tensor([5., 7.]))
    >>> values, indices = result; indices  # unpacks as a tuple: the column of each row's maximum
    tensor([1, 0])
    """

    values: Tensor
    indices: Tensor


def _tensor(x) -> Tensor:
    if isinstance(x, Tensor):
        return x
    from ..tensor import tensor

    return tensor(x)


def _dim_error(dim, ndim) -> IndexError:
    low, high = (-ndim, ndim - 1) if ndim else (-1, 0)
    return IndexError(f"Dimension out of range (expected to be in range of [{low}, {high}], "
                      f"but got {dim})")


def one_dim(dim, ndim: int) -> int:
    """One dim checked against ``ndim`` and made >= 0 (a 0-d tensor accepts 0 and -1).

    Examples
    --------
    >>> from lucidnet.autograd.ops.reduce import one_dim
    >>> one_dim(-1, 3), one_dim(0, 0)  # a 0-d tensor accepts 0 and -1
    (2, 0)
    >>> one_dim(1.0, 3)
    Traceback (most recent call last):
        ...
    TypeError: a dimension must be an integer, got 1.0
    """
    if isinstance(dim, bool) or not isinstance(dim, (numbers.Integral, np.integer)):
        raise TypeError(f"a dimension must be an integer, got {dim!r}")
    bound = builtins.max(ndim, 1)
    if not -bound <= dim < bound:
        raise _dim_error(dim, ndim)
    return int(dim) % bound


def dims(dim, ndim: int):
    """A reduction's dim: None (all), an int or a tuple/list, checked and made >= 0 (sorted);
    a repeated dim is a RuntimeError; on a 0-d tensor every valid dim means the whole: None.

    Examples
    --------
    >>> from lucidnet.autograd.ops.reduce import dims
    >>> dims(-1, 3), dims((2, 0), 3), dims(None, 3)
    (2, (0, 2), None)
    >>> dims(3, 3)
    Traceback (most recent call last):
        ...
    IndexError: Dimension out of range (expected to be in range of [-3, 2], but got 3)
    """
    if dim is None:
        return None
    if isinstance(dim, (list, tuple)):
        out = tuple(one_dim(d, ndim) for d in dim)
        if len(set(out)) != len(out):
            dup = next(d for d in out if out.count(d) > 1)
            raise RuntimeError(f"dim {dup} appears multiple times in the list of dims")
        return None if ndim == 0 or not out else tuple(sorted(out))
    dim = one_dim(dim, ndim)
    return None if ndim == 0 else dim


def _alias(dim, keepdim, axis, keepdims):
    """PyTorch's dim/keepdim, or NumPy's axis/keepdims (not both)."""
    if axis is not None:
        if dim is not None:
            raise TypeError("give dim= (PyTorch) or axis= (NumPy), not both")
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    return dim, bool(keepdim)


def _float_only(t, name):
    if t.data.dtype.kind not in "fc":
        raise RuntimeError(f"{name}(): could not infer output dtype. Input dtype must be either "
                           f"a floating point or complex dtype. Got: {t.dtype}; convert with "
                           f".float() first")


def _cast(t, dtype):
    """t in ``dtype`` (None: as it is); a tensor in the graph stays in it."""
    if dtype is None or np.dtype(dtype) == t.data.dtype:
        return t
    if t.requires_grad:
        return E.Cast.apply(t, dtype=np.dtype(dtype))
    return Tensor._wrap(t.data.astype(dtype))


def _integral_to_long(t, dtype):
    """sum/prod/cumsum of bool or integer tensors accumulate in int64, as PyTorch."""
    if dtype is None and t.data.dtype.kind in "biu":
        return _cast(t, np.int64)
    return _cast(t, dtype)


@register("sum", function=True)
def sum(self, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None, out=None):
    """sum over ``dim`` (an int, a tuple, or None for all); bool/integer tensors give int64."""
    self = _tensor(self)
    dim, keepdim = _alias(dim, keepdim, axis, keepdims)
    t = _integral_to_long(self, dtype)
    result = Sum.apply(t, axis=dims(dim, t.ndim), keepdims=keepdim)
    return result if out is None else write_out(out, result, "sum")


@register("mean", function=True)
def mean(self, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None, out=None):
    """sum / N over ``dim``; floating tensors only (or pass ``dtype=``), as PyTorch."""
    self = _cast(_tensor(self), dtype)
    dim, keepdim = _alias(dim, keepdim, axis, keepdims)
    _float_only(self, "mean")
    result = Mean.apply(self, axis=dims(dim, self.ndim), keepdims=keepdim)
    return result if out is None else write_out(out, result, "mean")


def _correction(correction, unbiased):
    if correction is not None and unbiased is not None:
        raise TypeError("var/std: give either correction= or unbiased=, not both")
    if unbiased is not None:
        return 1 if unbiased else 0
    if correction is None:
        return 1
    if isinstance(correction, bool) or not isinstance(correction, numbers.Real):
        raise TypeError(f"var/std: correction must be a number, got {correction!r}")
    return correction


def _spread(self, dim, unbiased, keepdim, correction, axis, keepdims, op):
    self = _tensor(self)
    if unbiased is not None and not isinstance(unbiased, bool):
        raise TypeError(f"var/std: unbiased must be a bool, got {unbiased!r}")
    dim, keepdim = _alias(dim, keepdim, axis, keepdims)
    if self.data.dtype.kind not in "fc":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    return op.apply(self, axis=dims(dim, self.ndim), keepdims=keepdim,
                    correction=_correction(correction, unbiased))


@register("var", function=True)
def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None, keepdims=None):
    """sum((x - mean)^2) / max(0, N - correction) over ``dim``; ``correction=1`` (default) is
    the unbiased estimator, 0 the biased one; ``unbiased=True/False`` is the older spelling.
    N <= correction gives nan (or inf), as PyTorch."""
    return _spread(self, dim, unbiased, keepdim, correction, axis, keepdims, Var)


@register("std", function=True)
def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None, keepdims=None):
    """sqrt(var(...)) with the same arguments as `var`; its gradient is 0 (not nan) where all
    entries are equal, as PyTorch."""
    return _spread(self, dim, unbiased, keepdim, correction, axis, keepdims, Std)


def _no_empty_whole(t, name):
    if t.data.size == 0:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() "
                           f"== 0. Specify the reduction dim with the 'dim' argument.")


def _no_empty_dims(t, axes, name):
    for d in (axes,) if isinstance(axes, int) else axes or ():
        if t.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size "
                             f"(it has size 0: shape {tuple(t.shape)})")


def _extremum(self, dim, keepdim, name, axis, keepdims, other=None):
    from ..operators import _promoted

    self = _tensor(self)
    if isinstance(dim, (Tensor, np.ndarray)) or other is not None:  # max(a, b): elementwise
        pair = _promoted(self, dim if other is None else other)
        return (E.Maximum if name == "max" else E.Minimum).apply(*pair)
    dim, keepdim = _alias(dim, keepdim, axis, keepdims)
    if dim is None:
        _no_empty_whole(self, name)
        return (Max if name == "max" else Min).apply(self, axis=None, keepdims=False)
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{name}(dim) takes one integer dim, as PyTorch's; reduce over several "
                        f"dims with a{name}({tuple(dim)!r})")
    d = one_dim(dim, self.ndim)
    if self.ndim == 0:
        whole = Max.apply(self) if name == "max" else Min.apply(self)
        return ValuesIndices(whole, Tensor._wrap(np.zeros((), dtype=np.int64)))
    _no_empty_dims(self, d, name)
    values = (MaxAlong if name == "max" else MinAlong).apply(self, axis=d, keepdims=keepdim)
    fn = np.argmax if name == "max" else np.argmin
    return ValuesIndices(values, Tensor._wrap(np.asarray(fn(self.data, axis=d, keepdims=keepdim))))


@register("max", function=True)
def max(self, dim=None, keepdim=False, *, other=None, axis=None, keepdims=None, out=None):
    """``t.max()``: the largest entry (ties share the gradient); ``t.max(dim)``: the named tuple
    ``(values, indices)`` along dim, the gradient going to the entry the index names;
    ``max(a, b)`` with a tensor b: the elementwise maximum."""
    result = _extremum(self, dim, keepdim, "max", axis, keepdims, other)
    return result if out is None else write_out(out, result, "max")


@register("min", function=True)
def min(self, dim=None, keepdim=False, *, other=None, axis=None, keepdims=None, out=None):
    """``t.min()``, ``t.min(dim)`` -> (values, indices), or ``min(a, b)`` elementwise; see `max`."""
    result = _extremum(self, dim, keepdim, "min", axis, keepdims, other)
    return result if out is None else write_out(out, result, "min")


def _amax(self, dim, keepdim, axis, keepdims, op, name):
    self = _tensor(self)
    dim, keepdim = _alias(dim, keepdim, axis, keepdims)
    axes = dims(dim, self.ndim)
    if axes is None or axes == ():
        _no_empty_whole(self, name)
        axes = None
    else:
        _no_empty_dims(self, axes, name)
    return op.apply(self, axis=axes, keepdims=keepdim)


@register("amax", function=True)
def amax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """The maximum over ``dim`` (an int, a tuple; () or None: all); ties share the gradient."""
    return _amax(self, dim, keepdim, axis, keepdims, Max, "amax")


@register("amin", function=True)
def amin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """The minimum over ``dim`` (an int, a tuple; () or None: all); ties share the gradient."""
    return _amax(self, dim, keepdim, axis, keepdims, Min, "amin")


def _arg(self, dim, keepdim, axis, keepdims, fn, name):
    self = _tensor(self)
    dim, keepdim = _alias(dim, keepdim, axis, keepdims)
    if dim is None:
        _no_empty_whole(self, name)
        flat = np.asarray(fn(self.data), dtype=np.int64)
        return Tensor._wrap(flat.reshape((1,) * self.ndim) if keepdim else flat)
    d = one_dim(dim, self.ndim)
    if self.ndim == 0:
        return Tensor._wrap(np.zeros((), dtype=np.int64))
    _no_empty_dims(self, d, name)
    return Tensor._wrap(np.asarray(fn(self.data, axis=d, keepdims=keepdim), dtype=np.int64))


@register("argmax", function=True)
def argmax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Index of the (first) largest entry, over all (flattened) or along ``dim``; int64."""
    return _arg(self, dim, keepdim, axis, keepdims, np.argmax, "argmax")


@register("argmin", function=True)
def argmin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Index of the (first) smallest entry, over all (flattened) or along ``dim``; int64."""
    return _arg(self, dim, keepdim, axis, keepdims, np.argmin, "argmin")


@register("prod", function=True)
def prod(self, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None, out=None):
    """The product over ``dim`` (one int, or None for all); bool/integer tensors give int64."""
    self = _tensor(self)
    dim, keepdim = _alias(dim, keepdim, axis, keepdims)
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"prod(dim) takes one integer dim, as PyTorch's, got {dim!r}")
    t = _integral_to_long(self, dtype)
    result = Prod.apply(t, axis=dims(dim, t.ndim), keepdims=keepdim)
    return result if out is None else write_out(out, result, "prod")


@register("logsumexp", function=True)
def logsumexp(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """log(sum(exp(x))) over ``dim`` (an int or a tuple), without overflow; integer tensors
    give the default float dtype."""
    self = _tensor(self)
    dim, keepdim = _alias(dim, keepdim, axis, keepdims)
    if dim is None:
        raise TypeError("logsumexp() missing 1 required positional argument: 'dim' (as "
                        "PyTorch; pass dim=tuple(range(x.ndim)) for all dims)")
    if self.data.dtype.kind not in "fc":
        self = _cast(self, get_default_dtype())
    return LogSumExp.apply(self, axis=dims(dim, self.ndim), keepdims=keepdim)


def _truth(self, dim, keepdim, axis, keepdims, fn):
    self = _tensor(self)
    dim, keepdim = _alias(dim, keepdim, axis, keepdims)
    if dim == ():  # PyTorch: any/all over no dims is the elementwise truth value
        return Tensor._wrap(self.data.astype(bool))
    return Tensor._wrap(np.asarray(fn(self.data, axis=dims(dim, self.ndim), keepdims=keepdim)))


@register("any", function=True)
def any(self, dim=None, keepdim=False, *, axis=None, keepdims=None, out=None):
    """Is any entry nonzero (over ``dim``)? A bool tensor."""
    result = _truth(self, dim, keepdim, axis, keepdims, np.any)
    return result if out is None else write_out(out, result, "any")


@register("all", function=True)
def all(self, dim=None, keepdim=False, *, axis=None, keepdims=None, out=None):
    """Are all entries nonzero (over ``dim``)? A bool tensor."""
    result = _truth(self, dim, keepdim, axis, keepdims, np.all)
    return result if out is None else write_out(out, result, "all")


@register("count_nonzero", function=True)
def count_nonzero(self, dim=None):
    """The number of nonzero entries (over ``dim``, an int or a tuple); int64."""
    self = _tensor(self)
    axes = dims(dim, self.ndim)
    return Tensor._wrap(np.asarray(np.count_nonzero(self.data, axis=axes), dtype=np.int64))


_P_NAMES = {"fro": 2.0, "inf": np.inf, "-inf": -np.inf}


@register("norm", function=True)
def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
    """The vector p-norm (sum |x|^p)^(1/p) over ``dim`` (None: all entries); p = 2 or "fro"
    (the default), 1, inf, -inf, 0 or any number. Floating tensors only, as PyTorch."""
    self = _cast(_tensor(self), dtype)
    if self.data.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {self.dtype}; convert with .float() first")
    if p is None:
        p = 2.0
    if isinstance(p, str):
        if p not in _P_NAMES:
            raise ValueError(f"norm: p must be a number, 'fro' or inf, got {p!r} (the nuclear "
                             "norm 'nuc' of a matrix is not implemented)")
        p = _P_NAMES[p]
    return VectorNorm.apply(self, p=float(p), axis=dims(dim, self.ndim), keepdims=bool(keepdim))


@register("cumsum", function=True)
def cumsum(self, dim=None, *, dtype=None, axis=None):
    """z_i = x_0 + ... + x_i along ``dim``; bool/integer tensors give int64."""
    self = _tensor(self)
    dim, _ = _alias(dim, False, axis, None)
    if dim is None:
        raise TypeError("cumsum() missing 1 required positional argument: 'dim'")
    t = _integral_to_long(self, dtype)
    d = one_dim(dim, t.ndim)
    return CumSum.apply(t, axis=d) if t.ndim else t.clone()


@register("cumprod", function=True)
def cumprod(self, dim=None, *, dtype=None, axis=None):
    """z_i = x_0 * ... * x_i along ``dim``; bool/integer tensors give int64."""
    self = _tensor(self)
    dim, _ = _alias(dim, False, axis, None)
    if dim is None:
        raise TypeError("cumprod() missing 1 required positional argument: 'dim'")
    t = _integral_to_long(self, dtype)
    d = one_dim(dim, t.ndim)
    return CumProd.apply(t, axis=d) if t.ndim else t.clone()


def _sort_index(a: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """Stable argsort; descending keeps equal entries in their original order too (NaN first
    when descending, last when ascending, as PyTorch)."""
    if not descending:
        return np.argsort(a, axis=axis, kind="stable")
    n = a.shape[axis]
    return n - 1 - np.flip(np.argsort(np.flip(a, axis), axis=axis, kind="stable"), axis)


@register("sort", function=True)
def sort(self, dim=-1, descending=False, stable=False, *, axis=None):
    """Sorted along ``dim``: the named tuple ``(values, indices)``; the gradient of the values
    goes back to the entries they came from. The sort is always stable."""
    self = _tensor(self)
    dim, _ = _alias(None if axis is not None else dim, False, axis, None)
    d = one_dim(dim, self.ndim)
    if self.ndim == 0:
        return ValuesIndices(self.clone(), Tensor._wrap(np.zeros((), dtype=np.int64)))
    index = _sort_index(self.data, d, bool(descending))
    return ValuesIndices(TakeAlong.apply(self, index=index, axis=d), Tensor._wrap(index))


@register("argsort", function=True)
def argsort(self, dim=-1, descending=False, stable=False, *, axis=None):
    """The indices that sort along ``dim`` (stable); int64."""
    self = _tensor(self)
    dim, _ = _alias(None if axis is not None else dim, False, axis, None)
    d = one_dim(dim, self.ndim)
    if self.ndim == 0:
        return Tensor._wrap(np.zeros((), dtype=np.int64))
    return Tensor._wrap(_sort_index(self.data, d, bool(descending)))


@register("topk", function=True)
def topk(self, k, dim=-1, largest=True, sorted=True):
    """The ``k`` largest (``largest=False``: smallest) entries along ``dim``: the named tuple
    ``(values, indices)``, in sorted order; the gradient goes back to the picked entries."""
    self = _tensor(self)
    d = one_dim(dim, self.ndim)
    n = self.shape[d] if self.ndim else 1
    if isinstance(k, bool) or not isinstance(k, (numbers.Integral, np.integer)) or not 0 <= k <= n:
        raise RuntimeError(f"topk: selected index k out of range (k={k!r}, the dim has {n} "
                           "entries)")
    if self.ndim == 0:
        return ValuesIndices(self.clone(), Tensor._wrap(np.zeros((), dtype=np.int64)))
    index = np.take(_sort_index(self.data, d, bool(largest)), np.arange(k), axis=d)
    return ValuesIndices(TakeAlong.apply(self, index=index, axis=d), Tensor._wrap(index))


@register("median", function=True)
def median(self, dim=None, keepdim=False):
    """The lower median (entry (N-1)//2 in sorted order), as PyTorch. ``median()``: over all
    entries, a 0-d tensor; ``median(dim)``: the named tuple ``(values, indices)``. The
    gradient goes to the median entry."""
    self = _tensor(self)
    if dim is None:
        if self.data.size == 0:
            return Tensor._wrap(np.asarray(np.nan, dtype=self.dtype))
        flat = self.reshape(-1)
        index = _sort_index(flat.data, 0, False)[(flat.shape[0] - 1) // 2:][:1]
        return TakeAlong.apply(flat, index=index, axis=0).reshape(())
    d = one_dim(dim, self.ndim)
    if self.ndim == 0:
        return ValuesIndices(self.clone(), Tensor._wrap(np.zeros((), dtype=np.int64)))
    _no_empty_dims(self, d, "median")
    mid = (self.shape[d] - 1) // 2
    index = np.take(_sort_index(self.data, d, False), [mid], axis=d)
    values = TakeAlong.apply(self, index=index, axis=d)
    if not keepdim:
        values, index = values.squeeze(d), np.squeeze(index, d)
    return ValuesIndices(values, Tensor._wrap(index))


# ---------------------------------------------------------------------- composites of the above
class MinMax(NamedTuple):
    """``(min, max)`` of `aminmax`, as ``torch.return_types.aminmax``."""

    min: Tensor
    max: Tensor


@register("aminmax", function=True)
def aminmax(self, *, dim=None, keepdim=False):
    """``(amin, amax)`` over ``dim`` (None: all) as the named tuple ``(min, max)``."""
    return MinMax(amin(self, dim, keepdim), amax(self, dim, keepdim))


@register("var_mean", method=False, function=True)
def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` over ``dim``: the arguments of `var`."""
    return (var(input, dim, unbiased, keepdim, correction=correction),
            mean(input, dim, keepdim))


@register("std_mean", method=False, function=True)
def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` over ``dim``: the arguments of `std`."""
    return (std(input, dim, unbiased, keepdim, correction=correction),
            mean(input, dim, keepdim))


class NanToZero(Function):
    """z = 0 where a is NaN, else a;  dz/da = g * (a is not NaN) -- a product, so an infinite
    upstream gradient gives NaN at the NaN entries, as PyTorch's nansum/nanmean.

    Examples
    --------
    >>> from lucidnet.autograd.ops.reduce import NanToZero
    >>> x = ln.tensor([1.0, float("nan"), 2.0], requires_grad=True)
    >>> y = NanToZero.apply(x); y  # what nansum sums
    tensor([1., 0., 2.], grad_fn=<NanToZeroBackward0>)
    >>> y.sum().backward(); x.grad  # 0 at the nan
    tensor([1., 0., 1.])
    """

    @staticmethod
    def forward(ctx, a):
        ctx.keep = ~np.isnan(a)
        return np.where(ctx.keep, a, a.dtype.type(0))

    @staticmethod
    def backward(ctx, g):
        with np.errstate(invalid="ignore"):
            return g * ctx.keep


def _without_nan(self):
    self = _tensor(self)
    nan = np.isnan(self.data)
    return NanToZero.apply(self), nan


@register("nansum", function=True)
def nansum(self, dim=None, keepdim=False, *, dtype=None):
    """sum over ``dim`` with NaN entries counted as 0 (their gradient is 0)."""
    clean, _ = _without_nan(self)
    return sum(clean, dim, keepdim, dtype=dtype)


@register("nanmean", function=True)
def nanmean(self, dim=None, keepdim=False, *, dtype=None):
    """mean over ``dim`` of the entries that are not NaN (all NaN: NaN)."""
    self = _cast(_tensor(self), dtype)
    _float_only(self, "nanmean")
    clean, nan = _without_nan(self)
    axes = dims(dim, self.ndim)
    count = np.sum(~nan, axis=axes, keepdims=keepdim).astype(self.dtype)
    with np.errstate(invalid="ignore", divide="ignore"):
        return Sum.apply(clean, axis=axes, keepdims=keepdim) / Tensor._wrap(np.asarray(count))
