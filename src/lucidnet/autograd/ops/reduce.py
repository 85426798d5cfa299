"""Reductions: sum, mean, var, max, min over an axis (SPEC A1)."""

from __future__ import annotations

import numpy as np

from ..function import Function

__all__ = ["Sum", "Mean", "Var", "Max", "Min", "MaxAlong", "MinAlong"]


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
    """z = sum(a);  dz/da = 1 broadcast back."""

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        ctx.args = (a.shape, axis, keepdims)
        return np.asarray(np.sum(a, axis=axis, keepdims=keepdims))

    @staticmethod
    def backward(ctx, g):
        shape, axis, keepdims = ctx.args
        return np.broadcast_to(_expand(g, shape, axis, keepdims), shape).copy()


class Mean(Function):
    """z = mean(a);  dz/da = 1/N broadcast back."""

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
    """

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False, correction=1):
        n = _count(a.shape, axis)
        with np.errstate(invalid="ignore", divide="ignore"):  # n = 0: nan, as PyTorch, silently
            centred = a - np.sum(a, axis=axis, keepdims=True) / a.dtype.type(n)
            dof = n - correction
            ctx.save_for_backward(centred)
            ctx.args = (a.shape, axis, keepdims, dof)
            out = np.sum(centred * centred, axis=axis, keepdims=keepdims) / a.dtype.type(max(0, dof))
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
    """z = max(a);  gradient flows to the maximal entries."""

    reducer = staticmethod(np.max)

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        return Max._forward(ctx, a, axis, keepdims)


class Min(_Extremum):
    """z = min(a);  gradient flows to the minimal entries."""

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
    """z = max(a, dim);  the gradient flows to the first maximal entry along dim."""

    arg = staticmethod(np.argmax)

    @staticmethod
    def forward(ctx, a, axis, keepdims=False):
        return MaxAlong._forward(ctx, a, axis, keepdims)


class MinAlong(_ExtremumAlong):
    """z = min(a, dim);  the gradient flows to the first minimal entry along dim."""

    arg = staticmethod(np.argmin)

    @staticmethod
    def forward(ctx, a, axis, keepdims=False):
        return MinAlong._forward(ctx, a, axis, keepdims)
