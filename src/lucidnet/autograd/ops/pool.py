"""Pooling over 1 or 2 spatial dimensions (SPEC B2): max, average, adaptive average.

    max:  out[n, c, p] = max_k xpad[n, c, s p + d k]        dL/dx routed to the (first) argmax
    avg:  out[n, c, p] = sum_k xpad[n, c, s p + k] / D       dL/dx = g / D spread over the window
          (D = kernel size, or the number of non-padding cells when count_include_pad=False)

Forward reads the windows through a strided view; backward is one strided ``+=`` per kernel
offset (K of them), never a loop over pixels.
"""

from __future__ import annotations

import itertools

import numpy as np

from ..function import Function
from .buffers import channel_major, pooled_empty, scratch
from .conv import _unpad, offset_slices, pad_spatial, window_view

__all__ = ["AdaptiveAvgPool", "AvgPool", "MaxPool", "adaptive_bounds"]


class MaxPool(Function):
    """Max pooling; kwargs kernel, stride, padding ((lo, hi) per axis, padded with -inf), dilation.

    The windows are gathered once as K contiguous slabs (K, N, C, *P): the max is one reduction
    over slabs, and the routing mask of each offset (first maximum only, as PyTorch) a few
    boolean ops -- far faster than NumPy's argmax over a short axis. N and C play the same
    role, so a channel-major input (as Conv returns) is pooled as (C, N, *S) and the result
    (and dL/dx) keep that layout.
    """

    @staticmethod
    def forward(ctx, x, kernel=(2, 2), stride=(2, 2), padding=((0, 0), (0, 0)), dilation=(1, 1)):
        nd = len(kernel)
        ctx.swap = channel_major(x)
        if ctx.swap:
            x = x.swapaxes(0, 1)
        xp = pad_spatial(x, padding, value=-np.inf)
        view = window_view(xp, kernel, stride, dilation)  # (N, C, *P, *K)
        count = int(np.prod(kernel))
        moved = np.moveaxis(view, tuple(range(2 + nd, 2 + 2 * nd)), tuple(range(nd)))
        slabs = scratch("maxpool", moved.shape, x.dtype)
        np.copyto(slabs, moved)
        slabs = slabs.reshape((count,) + view.shape[:2 + nd])
        out = slabs.max(axis=0, out=pooled_empty(slabs.shape[1:], x.dtype))
        # (K, N, C, *P); keep only the first maximum of each window
        first = np.equal(slabs, out, out=pooled_empty(slabs.shape, np.bool_))
        if np.count_nonzero(first) != out.size:  # some window has tied maxima
            seen = first[0].copy()
            for k in range(1, count):
                first[k] &= ~seen
                seen |= first[k]
        ctx.save_for_backward(first)
        ctx.meta = (xp.shape, kernel, stride, padding, dilation)
        return out.swapaxes(0, 1) if ctx.swap else out

    @staticmethod
    def backward(ctx, g):
        (first,) = ctx.saved
        padded_shape, kernel, stride, padding, dilation = ctx.meta
        if ctx.swap:
            g = g.swapaxes(0, 1)
        gxp = pooled_empty(padded_shape, g.dtype)
        # windows that never overlap can write their share straight into place
        disjoint = all(s >= d * (k - 1) + 1 for k, s, d in zip(kernel, stride, dilation))
        tiled = all(s == k and d == 1 and o * s == size for k, s, d, o, size in
                    zip(kernel, stride, dilation, g.shape[2:], padded_shape[2:]))
        if not tiled:  # else every cell of gxp is written below
            gxp.fill(0)
        for i, (_, sl) in enumerate(offset_slices(kernel, stride, dilation, g.shape[2:])):
            if disjoint:
                np.multiply(g, first[i], out=gxp[sl])
            else:
                gxp[sl] += g * first[i]
        gx = _unpad(gxp, padding)
        return gx.swapaxes(0, 1) if ctx.swap else gx


class AvgPool(Function):
    """Average pooling; kwargs kernel, stride, padding ((lo, hi) per axis), count_include_pad."""

    @staticmethod
    def forward(ctx, x, kernel=(2, 2), stride=(2, 2), padding=((0, 0), (0, 0)),
                count_include_pad=True):
        nd = len(kernel)
        ones = (1,) * nd
        xp = pad_spatial(x, padding)
        view = window_view(xp, kernel, stride, ones)
        out = view.sum(axis=tuple(range(-nd, 0)))
        if count_include_pad or not any(lo or hi for lo, hi in padding):
            divisor = np.asarray(np.prod(kernel), dtype=x.dtype)
        else:
            mask = pad_spatial(np.ones((1, 1) + x.shape[2:], dtype=x.dtype), padding)
            divisor = window_view(mask, kernel, stride, ones).sum(axis=tuple(range(-nd, 0)))
        out /= divisor
        ctx.meta = (xp.shape, kernel, stride, padding, divisor)
        return out

    @staticmethod
    def backward(ctx, g):
        padded_shape, kernel, stride, padding, divisor = ctx.meta
        share = g / divisor
        gxp = np.zeros(padded_shape, dtype=g.dtype)
        for _, sl in offset_slices(kernel, stride, (1,) * len(kernel), g.shape[2:]):
            gxp[sl] += share
        return _unpad(gxp, padding)


def adaptive_bounds(size: int, out: int) -> list[tuple[int, int]]:
    """PyTorch's adaptive windows: [floor(i S / out), ceil((i + 1) S / out)) for i < out."""
    return [((i * size) // out, -((-(i + 1) * size) // out)) for i in range(out)]


class AdaptiveAvgPool(Function):
    """Average over adaptive windows so the output has ``output_size``; output 1 = global average."""

    @staticmethod
    def forward(ctx, x, output_size=(1, 1)):
        nd = len(output_size)
        spatial = x.shape[2:]
        if all(o == 1 for o in output_size):  # global average pooling: one reduction
            ctx.meta = (x.shape, None)
            return x.mean(axis=tuple(range(2, 2 + nd)), keepdims=True)
        bounds = [adaptive_bounds(s, o) for s, o in zip(spatial, output_size)]
        out = np.empty(x.shape[:2] + tuple(output_size), dtype=x.dtype)
        for cell in itertools.product(*(range(o) for o in output_size)):
            region = tuple(slice(*bounds[a][i]) for a, i in enumerate(cell))
            out[(Ellipsis,) + cell] = x[(Ellipsis,) + region].mean(axis=tuple(range(2, 2 + nd)))
        ctx.meta = (x.shape, bounds)
        return out

    @staticmethod
    def backward(ctx, g):
        shape, bounds = ctx.meta
        nd = g.ndim - 2
        if bounds is None:
            count = int(np.prod(shape[2:]))
            return np.broadcast_to(g / count, shape).copy()
        gx = np.zeros(shape, dtype=g.dtype)
        for cell in itertools.product(*(range(o) for o in g.shape[2:])):
            region = tuple(slice(*bounds[a][i]) for a, i in enumerate(cell))
            count = int(np.prod([sl.stop - sl.start for sl in region]))
            gx[(Ellipsis,) + region] += g[(Ellipsis,) + cell + (None,) * nd] / count
        return gx
