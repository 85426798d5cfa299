"""Shape ops: reshape, transpose, indexing, concatenate, stack (SPEC A1)."""

from __future__ import annotations

import numpy as np

from ..function import Function

__all__ = ["Reshape", "Transpose", "GetItem", "Concatenate", "Stack"]


class Reshape(Function):
    returns_view = True

    @staticmethod
    def forward(ctx, a, shape=None):
        ctx.in_shape = a.shape
        return np.reshape(a, shape)

    @staticmethod
    def backward(ctx, g):
        return np.reshape(g, ctx.in_shape)


class Transpose(Function):
    """z = a permuted by ``axes`` (a permutation, negative axes allowed);  dz/da = g permuted
    back by the inverse permutation."""

    returns_view = True

    @staticmethod
    def forward(ctx, a, axes=None):
        ctx.axes = None if axes is None else tuple(ax % a.ndim for ax in axes)
        return np.transpose(a, axes)

    @staticmethod
    def backward(ctx, g):
        if ctx.axes is None:
            return np.transpose(g)
        return np.transpose(g, np.argsort(ctx.axes))


def _is_basic(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, (int, np.integer, slice)) or p is None or p is Ellipsis for p in parts)


class GetItem(Function):
    """z = a[index];  the gradient is scattered back (repeated fancy indices accumulate)."""

    returns_view = True  # basic indexing gives a view (apply checks that memory is shared)

    @staticmethod
    def forward(ctx, a, index=None):
        ctx.args = (a.shape, a.dtype, index)
        return np.asarray(a[index])

    @staticmethod
    def backward(ctx, g):
        shape, dtype, index = ctx.args
        out = np.zeros(shape, dtype=g.dtype)
        if _is_basic(index):
            out[index] = g
        else:
            np.add.at(out, index, g)
        return out


class Concatenate(Function):
    @staticmethod
    def forward(ctx, *arrays, axis=0):
        ctx.axis = axis
        ctx.sizes = [a.shape[axis] for a in arrays]
        return np.concatenate(arrays, axis=axis)

    @staticmethod
    def backward(ctx, g):
        cuts = np.cumsum(ctx.sizes)[:-1]
        return tuple(np.split(g, cuts, axis=ctx.axis))


class Stack(Function):
    @staticmethod
    def forward(ctx, *arrays, axis=0):
        ctx.axis = axis
        return np.stack(arrays, axis=axis)

    @staticmethod
    def backward(ctx, g):
        n = g.shape[ctx.axis]
        return tuple(np.take(g, i, axis=ctx.axis) for i in range(n))
