"""Pooling over 1 or 2 spatial dimensions: max, average, adaptive, and max unpooling.

    max:    out[n, c, p] = max_k xpad[n, c, s p + d k]      dL/dx routed to the chosen argmax
            (PyTorch's scan rule: the first maximum in window order, the last NaN; padding never)
    avg:    out[n, c, p] = sum_k xpad[n, c, s p + k] / D     dL/dx = g / D spread over the window
            (D = the window's cells inside input + padding, or only those inside the input when
            count_include_pad=False, or divisor_override)
    unpool: out[n, c].flat[index[n, c, p]] = x[n, c, p]     dL/dx = g[n, c].flat[index]

Forward reads the windows through a strided view; backward is one strided ``+=`` per kernel
offset (K of them), never a loop over pixels.
"""

from __future__ import annotations

import itertools

import numpy as np

from ... import _fast
from ...threads import parallel_for
from ..function import Function
from .buffers import channel_major, pooled_empty, scratch
from .conv import _unpad, offset_slices, output_size, pad_spatial, window_view

__all__ = ["AdaptiveAvgPool", "AvgPool", "MaxPool", "MaxUnpool", "PlaneGather", "adaptive_bounds",
           "adaptive_max_indices", "avg_divisor", "max_pool_indices", "scan_choice"]


class MaxPool(Function):
    """Max pooling; kwargs kernel, stride, padding ((lo, hi) per axis, padded with -inf), dilation.

    y[n, c, p] = max_k xpad[n, c, s * p + d * k] for x (N, C, *S), y (N, C, *P);  dL/dx = g
    routed to the first maximum of each window (summed where windows overlap).

    The windows are gathered once as K contiguous slabs (K, N, C, *P): the max is one reduction
    over slabs, and the routing mask of each offset (first maximum only, as PyTorch) a few
    boolean ops -- far faster than NumPy's argmax over a short axis. N and C play the same
    role, so a channel-major input (as Conv returns) is pooled as (C, N, *S) without a copy; the
    result is written in the standard (N, C, *P) layout (what a Flatten or a user reads), dL/dx
    in x's channel-major layout (what the convolution's backward reads).

    Examples
    --------
    >>> from lucidnet.autograd.ops.pool import MaxPool
    >>> x = ln.tensor([[[[1.0, 2.0, 5.0, 0.0], [3.0, 4.0, 6.0, 7.0]]]], requires_grad=True)
    >>> y = MaxPool.apply(x, kernel=(2, 2), stride=(2, 2)); y  # x (1, 1, 2, 4): two 2x2 windows
    tensor([[[[4., 7.]]]], grad_fn=<MaxPool2DWithIndicesBackward0>)
    >>> y.sum().backward(); x.grad  # 1 at each window's maximum
    tensor([[[[0., 0., 0., 0.],
              [0., 1., 0., 1.]]]])
    """

    @staticmethod
    def forward(ctx, x, kernel=(2, 2), stride=(2, 2), padding=((0, 0), (0, 0)), dilation=(1, 1)):
        nd = len(kernel)
        ctx.swap = channel_major(x)
        if ctx.swap:
            x = x.swapaxes(0, 1)
        if nd <= 2 and _fast.takes(x.dtype) and _fast.use("max_pool"):
            out = _max_pool_fused(ctx, x, kernel, stride, padding, dilation)
            if out is not None:
                return out.swapaxes(0, 1) if ctx.swap else out
        ctx.fused = False
        xp = pad_spatial(x, padding, value=-np.inf)
        view = window_view(xp, kernel, stride, dilation)  # (N, C, *P, *K)
        count = int(np.prod(kernel))
        moved = np.moveaxis(view, tuple(range(2 + nd, 2 + 2 * nd)), tuple(range(nd)))
        slabs = scratch("maxpool", moved.shape, x.dtype)
        np.copyto(slabs, moved)
        slabs = slabs.reshape((count,) + view.shape[:2 + nd])
        out = slabs.max(axis=0, out=_pooled_out(slabs.shape[1:], x.dtype, ctx.swap))
        # (K, N, C, *P); keep only the first maximum of each window
        first = np.equal(slabs, out, out=pooled_empty(slabs.shape, np.bool_))
        if not np.isfinite(out).all():  # NaN, or an all -inf window next to -inf padding
            _, k = scan_choice(slabs, valid_slabs(x.shape[2:], kernel, stride, padding, dilation))
            np.equal(np.arange(count).reshape((count,) + (1,) * k.ndim), k, out=first)
        elif np.count_nonzero(first) != out.size:  # some window has tied maxima
            seen = first[0].copy()
            for k in range(1, count):
                first[k] &= ~seen
                seen |= first[k]
        ctx.save_for_backward(first)
        ctx.meta = (xp.shape, kernel, stride, padding, dilation)
        return out.swapaxes(0, 1) if ctx.swap else out

    @staticmethod
    def backward(ctx, g):
        if ctx.swap:
            g = g.swapaxes(0, 1)
        if ctx.fused:  # one pass: each gradient added at its window's argmax
            (idx,) = ctx.saved
            spatial, window = ctx.meta
            gx = pooled_empty(g.shape[:2] + spatial, g.dtype)
            kernels = _fast.load("pool")
            g2, idx2, gx2 = _as_2d(g), _as_2d(idx), _as_2d(gx)
            parallel_for(lambda lo, hi: kernels.max_pool2d_backward(g2, idx2, *window, gx2, lo, hi),
                         g2.shape[0] * g2.shape[1])
            return gx.swapaxes(0, 1) if ctx.swap else gx
        (first,) = ctx.saved
        padded_shape, kernel, stride, padding, dilation = ctx.meta
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


def _pooled_out(shape: tuple, dtype, swap: bool) -> np.ndarray:
    """A pooled buffer for the (A, B, *P) result; with ``swap`` (A, B) = (C, N) of a
    channel-major input, laid out (N, C, *P) underneath: the pooled result is returned in the
    standard layout, so a Flatten that follows is a view, not a transposing copy (0.22 ms of an
    11 ms CNN step at 1 thread; the next convolution reads either layout at the same speed)."""
    if swap:
        return pooled_empty((shape[1], shape[0]) + tuple(shape[2:]), dtype).swapaxes(0, 1)
    return pooled_empty(shape, dtype)


def _as_2d(a: np.ndarray) -> np.ndarray:
    """A 1-d pooling array (A, B, L) as (A, B, 1, L); 2-d ones unchanged."""
    return a[:, :, None, :] if a.ndim == 3 else a


def _max_pool_fused(ctx, x, kernel, stride, padding, dilation):
    """The fused forward (``lucidnet._fast.pool``) of x (A, B, *S), 1 or 2 spatial axes;
    saves each window's winning offset (int8 when it fits) instead of the routing masks. None if unavailable."""
    kernels = _fast.load("pool")
    if kernels is None:
        return None
    nd = len(kernel)
    spatial = x.shape[2:]
    out_shape = tuple(output_size(size, k, s, d, lo + hi) for size, k, s, d, (lo, hi)
                      in zip(spatial, kernel, stride, dilation, padding))
    if min(out_shape) < 0:  # a window larger than the padded input: the reference's error
        return None
    swap = ctx.swap
    out = _pooled_out(x.shape[:2] + out_shape, x.dtype, swap)
    # the winner's offset in its window: one byte per output for windows up to 127 cells
    idx = pooled_empty(out.shape, np.int8 if int(np.prod(kernel)) <= 127 else np.int32)
    k2, s2, d2 = ((1,) * (2 - nd) + tuple(kernel), (1,) * (2 - nd) + tuple(stride),
                  (1,) * (2 - nd) + tuple(dilation))
    p2 = (0,) * (2 - nd) + tuple(lo for lo, _ in padding)
    window = (k2[0], k2[1], s2[0], s2[1], p2[0], p2[1], d2[0], d2[1])
    x2, idx2 = _as_2d(x), _as_2d(idx)
    # a transposed result is handed over as its contiguous (B, A, ...) buffer: Numba then
    # stores each plane's rows with vector writes (through the strided view: 1.5x slower)
    out_ba = _as_2d(out.swapaxes(0, 1) if swap else out)
    parallel_for(lambda lo, hi: kernels.max_pool2d_forward(x2, *window, out_ba, swap, idx2, lo,
                                                            hi), x2.shape[0] * x2.shape[1])
    ctx.fused = True
    ctx.save_for_backward(idx)
    ctx.meta = (spatial, window)
    return out


def avg_divisor(spatial: tuple, out_shape: tuple, kernel: tuple, stride: tuple, pads: tuple,
                count_include_pad: bool, dtype) -> np.ndarray:
    """PyTorch's average pooling divisor per window, a product over axes: window p spans
    [s p - pad, min(s p - pad + k, S + pad)) (its cells in input + padding: ceil_mode's extra
    right cells do not count), or only its cells inside [0, S) when not count_include_pad.

    Examples
    --------
    >>> from lucidnet.autograd.ops.pool import avg_divisor
    >>> args = (3,), (2,), (2,), (2,), (1,)  # S = 3, 2 outputs, kernel 2, stride 2, padding 1
    >>> avg_divisor(*args, count_include_pad=True, dtype=np.float32)  # windows [-1, 1), [1, 3)
    array([2., 2.], dtype=float32)
    >>> avg_divisor(*args, count_include_pad=False, dtype=np.float32)  # the padding cell left out
    array([1., 2.], dtype=float32)
    """
    divisor = np.ones((), dtype=np.float64)
    for n, o, k, s, p in zip(spatial, out_shape, kernel, stride, pads):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, n)
        divisor = np.multiply.outer(divisor, (end - start).astype(np.float64))
    return divisor.astype(dtype)


class AvgPool(Function):
    """Average pooling; kwargs kernel, stride, padding ((lo, hi) per axis; hi may hold
    ceil_mode's extra cells), pads (PyTorch's symmetric padding per axis), count_include_pad,
    divisor_override.

    y[n, c, p] = sum_k xpad[n, c, s * p + k] / D_p for x (N, C, *S), y (N, C, *P), with D_p the
    `avg_divisor` of window p (or ``divisor_override``);  dL/dx = g / D_p spread over the cells
    of window p that lie in x (summed where windows overlap).

    Examples
    --------
    >>> from lucidnet.autograd.ops.pool import AvgPool
    >>> x = ln.tensor([[[[1.0, 2.0, 5.0, 0.0], [3.0, 4.0, 6.0, 7.0]]]], requires_grad=True)
    >>> y = AvgPool.apply(x, kernel=(2, 2), stride=(2, 2)); y  # (1 + 2 + 3 + 4) / 4, ...
    tensor([[[[2.5000, 4.5000]]]], grad_fn=<AvgPool2DBackward0>)
    >>> y.sum().backward(); x.grad  # 1/4 to every cell of a window
    tensor([[[[0.2500, 0.2500, 0.2500, 0.2500],
              [0.2500, 0.2500, 0.2500, 0.2500]]]])
    """

    @staticmethod
    def forward(ctx, x, kernel=(2, 2), stride=(2, 2), padding=((0, 0), (0, 0)), pads=None,
                count_include_pad=True, divisor_override=None):
        nd = len(kernel)
        ones = (1,) * nd
        pads = tuple(lo for lo, _ in padding) if pads is None else pads
        xp = pad_spatial(x, padding)
        view = window_view(xp, kernel, stride, ones)
        out = view.sum(axis=tuple(range(-nd, 0)))
        if divisor_override is not None:
            divisor = np.asarray(divisor_override, dtype=x.dtype)
        elif not any(lo or hi for lo, hi in padding) or (
                count_include_pad and all(hi == p for (_, hi), p in zip(padding, pads))):
            divisor = np.asarray(np.prod(kernel), dtype=x.dtype)
        else:
            divisor = avg_divisor(x.shape[2:], out.shape[2:], kernel, stride, pads,
                                  count_include_pad, x.dtype)
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
    """PyTorch's adaptive windows: [floor(i S / out), ceil((i + 1) S / out)) for i < out.

    Examples
    --------
    >>> from lucidnet.autograd.ops.pool import adaptive_bounds
    >>> adaptive_bounds(5, 3)  # windows [0, 2), [1, 4), [3, 5) cover 5 cells with 3 outputs
    [(0, 2), (1, 4), (3, 5)]
    """
    return [((i * size) // out, -((-(i + 1) * size) // out)) for i in range(out)]


class AdaptiveAvgPool(Function):
    """Average over adaptive windows so the output has ``output_size``; output 1 = global average.

    y[n, c, i] = the mean of x[n, c] over the window of i, per axis
    [floor(i S / out), ceil((i + 1) S / out)) (`adaptive_bounds`);  dL/dx = g / (window size)
    spread over each window's cells (summed where windows overlap).

    Examples
    --------
    >>> from lucidnet.autograd.ops.pool import AdaptiveAvgPool
    >>> x = ln.tensor([[[[1.0, 2.0, 5.0, 0.0], [3.0, 4.0, 6.0, 7.0]]]], requires_grad=True)
    >>> AdaptiveAvgPool.apply(x, output_size=(1, 1))  # the global average, 28 / 8
    tensor([[[[3.5000]]]], grad_fn=<AdaptiveAvgPool2DBackward0>)
    >>> AdaptiveAvgPool.apply(x, output_size=(1, 2))  # the average of each half
    tensor([[[[2.5000, 4.5000]]]], grad_fn=<AdaptiveAvgPool2DBackward0>)
    """

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


def valid_slabs(spatial: tuple, kernel: tuple, stride: tuple, padding: tuple,
                dilation: tuple) -> np.ndarray:
    """(K, 1, 1, *P) booleans: True where kernel offset k of window p reads the input, False
    where it reads padding (padding never wins a max pooling window, as in PyTorch)."""
    nd = len(kernel)
    mask = pad_spatial(np.ones((1, 1) + tuple(spatial), dtype=np.bool_), padding, value=False)
    view = window_view(mask, kernel, stride, dilation)  # (1, 1, *P, *K)
    moved = np.moveaxis(view, tuple(range(2 + nd, 2 + 2 * nd)), tuple(range(nd)))
    return moved.reshape((int(np.prod(kernel)),) + view.shape[:2 + nd])


def scan_choice(slabs: np.ndarray, valid=None) -> tuple[np.ndarray, np.ndarray]:
    """(max, k) over axis 0 by PyTorch's scan rule ``if val > best or isnan(val)``: the first
    maximum in window order, or the last NaN where the window holds one; ``valid`` (broadcast
    against ``slabs``) excludes padding cells from the choice.

    Examples
    --------
    >>> from lucidnet.autograd.ops.pool import scan_choice
    >>> slabs = np.array([[1.0, 2.0], [3.0, 2.0], [3.0, np.nan]])  # 3 window cells, 2 windows
    >>> scan_choice(slabs)  # (max, cell): the first maximum; a NaN wins
    (array([ 3., nan]), array([1, 2]))
    """
    best = slabs.max(axis=0)
    hit = slabs == best
    if valid is not None:
        hit &= valid
    k = hit.argmax(axis=0)
    nan = np.isnan(best)
    if nan.any():
        isnan = np.isnan(slabs)
        k = np.where(nan, slabs.shape[0] - 1 - isnan[::-1].argmax(axis=0), k)
    return best, k


def max_pool_indices(x: np.ndarray, kernel: tuple, stride: tuple, padding: tuple,
                     dilation: tuple) -> tuple[np.ndarray, np.ndarray]:
    """(values, indices) of max pooling: ``indices[n, c, p]`` is the flat position, within the
    plane x[n, c] (row-major over the unpadded spatial axes), of the window's maximum --
    PyTorch's ``max_pool2d_with_indices`` (first maximum in window order, the last NaN).

    Examples
    --------
    >>> from lucidnet.autograd.ops.pool import max_pool_indices
    >>> x = np.array([[[[1.0, 2.0, 5.0, 0.0], [3.0, 4.0, 6.0, 7.0]]]])
    >>> values, indices = max_pool_indices(x, (2, 2), (2, 2), ((0, 0), (0, 0)), (1, 1))
    >>> values.tolist(), indices.tolist()  # 4 is flat position 5, 7 is 7 in the 2x4 plane
    ([[[[4.0, 7.0]]]], [[[[5, 7]]]])
    """
    nd = len(kernel)
    spatial = x.shape[2:]
    xp = pad_spatial(x, padding, value=-np.inf)
    view = window_view(xp, kernel, stride, dilation)  # (N, C, *P, *K)
    moved = np.moveaxis(view, tuple(range(2 + nd, 2 + 2 * nd)), tuple(range(nd)))
    slabs = moved.reshape((int(np.prod(kernel)),) + view.shape[:2 + nd])
    out_shape = view.shape[2:2 + nd]
    values, k = scan_choice(slabs, valid_slabs(spatial, kernel, stride, padding, dilation))
    offsets = np.unravel_index(k, kernel)
    flat = np.zeros(k.shape, dtype=np.int64)
    for a in range(nd):
        p = np.arange(out_shape[a]).reshape((-1,) + (1,) * (nd - 1 - a))
        coord = p * stride[a] + offsets[a] * dilation[a] - padding[a][0]
        flat = flat * spatial[a] + coord
    return values, flat


def adaptive_max_indices(x: np.ndarray, output_size: tuple) -> tuple[np.ndarray, np.ndarray]:
    """(values, indices) of adaptive max pooling over PyTorch's windows (`adaptive_bounds`),
    chosen by PyTorch's scan rule, reducing one axis at a time from the last: the first maximum
    of a row-major scan is the first row holding the maximum at that row's first maximum (and
    the last NaN, the last row's last NaN), so the choice separates by axis.

    Examples
    --------
    >>> from lucidnet.autograd.ops.pool import adaptive_max_indices
    >>> x = np.array([[[[1.0, 2.0, 5.0, 0.0], [3.0, 4.0, 6.0, 7.0]]]])
    >>> values, indices = adaptive_max_indices(x, (1, 2))
    >>> values.tolist(), indices.tolist()  # the max of each half and its flat position
    ([[[[4.0, 7.0]]]], [[[[5, 7]]]])
    """
    nd = len(output_size)
    spatial = x.shape[2:]
    values, flat = x, None
    for a in reversed(range(nd)):
        axis = 2 + a
        step = int(np.prod(spatial[a + 1:]))
        vals, idxs = [], []
        for lo, hi in adaptive_bounds(spatial[a], output_size[a]):
            seg = np.moveaxis(values[(slice(None),) * axis + (slice(lo, hi),)], axis, 0)
            best, k = scan_choice(seg)
            index = (k + lo) * step
            if flat is not None:
                inner = np.moveaxis(flat[(slice(None),) * axis + (slice(lo, hi),)], axis, 0)
                index = index + np.take_along_axis(inner, k[None], axis=0)[0]
            vals.append(best)
            idxs.append(index)
        values, flat = np.stack(vals, axis=axis), np.stack(idxs, axis=axis)
    return values, flat.astype(np.int64, copy=False)


class PlaneGather(Function):
    """out[n, c, p] = x[n, c].flat[index[n, c, p]] (max pooling given its indices);
    dL/dx[n, c].flat[i] = sum of g[n, c, p] over the p with index[n, c, p] = i.

    Examples
    --------
    >>> from lucidnet.autograd.ops.pool import PlaneGather
    >>> x = ln.tensor([[[[1.0, 2.0], [3.0, 4.0]]]], requires_grad=True)
    >>> y = PlaneGather.apply(x, index=np.array([[[3, 3, 0]]])); y  # x[0, 0].flat[3, 3, 0]
    tensor([[[4., 4., 1.]]], grad_fn=<PlaneGatherBackward0>)
    >>> y.sum().backward(); x.grad  # flat position 3 was read twice
    tensor([[[[1., 0.],
              [0., 2.]]]])
    """

    @staticmethod
    def forward(ctx, x, index=None):
        n, c = x.shape[:2]
        planes = x.reshape(n, c, int(np.prod(x.shape[2:])))
        ctx.meta = (x.shape, index)
        out = np.take_along_axis(planes, index.reshape(n, c, int(np.prod(index.shape[2:]))),
                                 axis=2)
        return out.reshape(index.shape)

    @staticmethod
    def backward(ctx, g):
        shape, index = ctx.meta
        return scatter_planes(g, index, shape, accumulate=True)


def scatter_planes(values: np.ndarray, index: np.ndarray, shape: tuple,
                   accumulate: bool) -> np.ndarray:
    """An array of ``shape`` (N, C, *S), zero but at x[n, c].flat[index[n, c, p]], which gets
    values[n, c, p] (summed over repeated indices when ``accumulate``, else one of them)."""
    n, c = shape[:2]
    plane = int(np.prod(shape[2:]))
    base = (np.arange(n * c, dtype=np.int64) * plane).reshape(n, c, *(1,) * (index.ndim - 2))
    where = (index + base).ravel()
    if accumulate:
        total = np.bincount(where, weights=values.ravel(), minlength=n * c * plane)
        return total.astype(values.dtype, copy=False).reshape(shape)
    out = np.zeros(n * c * plane, dtype=values.dtype)
    out[where] = values.ravel()
    return out.reshape(shape)


class MaxUnpool(Function):
    """out = zeros of ``shape`` with out[n, c].flat[index[n, c, p]] = x[n, c, p] (PyTorch's
    max_unpool; of repeated indices one write survives); dL/dx[n, c, p] = g[n, c].flat[index].

    Examples
    --------
    >>> from lucidnet.autograd.ops.pool import MaxUnpool
    >>> x = ln.tensor([[[4.0, 7.0]]], requires_grad=True)
    >>> MaxUnpool.apply(x, index=np.array([[[1, 3]]]), shape=(1, 1, 4))  # each value to its index
    tensor([[[0., 4., 0., 7.]]], grad_fn=<MaxUnpoolBackward0>)
    """

    @staticmethod
    def forward(ctx, x, index=None, shape=()):
        ctx.meta = index
        return scatter_planes(x, index, tuple(shape), accumulate=False)

    @staticmethod
    def backward(ctx, g):
        index = ctx.meta
        n, c = g.shape[:2]
        out = np.take_along_axis(g.reshape(n, c, int(np.prod(g.shape[2:]))),
                                 index.reshape(n, c, int(np.prod(index.shape[2:]))), axis=2)
        return out.reshape(index.shape)
