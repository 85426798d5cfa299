"""Convolution over 1 or 2 spatial dimensions: strided im2col view + one matrix product.

For input x (N, C, *S), weight W (O, C, *K), stride s, dilation d and (already resolved) padding,

    out[n, o, p] = b[o] + sum_{c, k} W[o, c, k] * xpad[n, c, s * p + d * k]

Forward: ``sliding_window_view`` gives every receptive field as a view (N, C, *P, *K) of the
padded input; one copy lays it out as ``cols`` (C*K, N*P) and one product ``W2 @ cols``
(W2 = W reshaped (O, C*K)) gives the output (O, N*P), returned as an (N, O, *P) view: the
output is *channel-major* in memory, and BatchNorm, ReLU and pooling keep that layout, so no
transpose copy is made on the way forward nor for the gradient coming back.

Backward, with g = dL/dout seen as (O, N*P) (free for a channel-major g):

    dL/dW    = g @ cols^T                               (O, C*K; cols kept from forward)
    dL/dcols = W2^T @ g                                 (C*K, N*P)
    dL/dx    = col2im(dL/dcols): one strided ``+=`` per kernel offset (K of them), never per pixel
    dL/db    = sum over n and p of g

Groups (``groups`` = G > 1; weight (O, C/G, *K)): the rows of ``cols`` are (C, *K) = (G, C/G, *K),
so cols is seen as (G, C/G*K, N*P) with no copy and each product above becomes ONE batched
matmul over the group axis (W as (G, O/G, C/G*K)); depthwise (G = C) is a single call, not a
Python loop of C convolutions.

Memory: temporaries that never leave an op live in ``scratch`` buffers, and large outputs come
from ``pooled_empty``, a cache of buffers reused once nothing refers to them. Fresh large
arrays are page-faulted in at about 1 us per 4 KiB page (glibc returns the freed heap to the
OS after every step), which cost more than the arithmetic of the elementwise ops here.
"""

from __future__ import annotations

import itertools

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ... import _fast
from ...threads import parallel_for, threads_for
from ...threads import split_matmul as blas_matmul  # thin products: cut over the threads
from ..function import Function
from .buffers import channel_major, pooled_empty, scratch

__all__ = ["Conv", "col2im", "offset_slices", "output_size", "pad_spatial", "window_view"]


def output_size(size: int, kernel: int, stride: int, dilation: int, pad_total: int) -> int:
    """floor((S + pad - d (k - 1) - 1) / s) + 1, the length of one output axis.

    Examples
    --------
    >>> from lucidnet.autograd.ops.conv import output_size
    >>> output_size(28, kernel=5, stride=1, dilation=1, pad_total=0)  # 28 - 5 + 1
    24
    >>> output_size(28, kernel=3, stride=2, dilation=1, pad_total=2)  # (28 + 2 - 3) // 2 + 1
    14
    """
    return (size + pad_total - dilation * (kernel - 1) - 1) // stride + 1


def pad_spatial(x: np.ndarray, padding: tuple, value: float = 0.0) -> np.ndarray:
    """Pad the trailing spatial axes of x (N, C, *S) by ``padding`` = ((lo, hi), ...).

    Examples
    --------
    >>> from lucidnet.autograd.ops.conv import pad_spatial
    >>> xp = pad_spatial(np.ones((1, 1, 2, 2)), ((1, 0), (0, 2))); xp.shape  # N, C kept
    (1, 1, 3, 4)
    >>> xp[0, 0]
    array([[0., 0., 0., 0.],
           [1., 1., 0., 0.],
           [1., 1., 0., 0.]])
    """
    if not any(lo or hi for lo, hi in padding):
        return x
    return np.pad(x, ((0, 0), (0, 0)) + tuple(padding), constant_values=value)


def window_view(xp: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple) -> np.ndarray:
    """Every receptive field of the padded input as a strided view (N, C, *P, *K); no copy.

    Examples
    --------
    >>> from lucidnet.autograd.ops.conv import window_view
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> w = window_view(x, kernel=(2, 2), stride=(2, 2), dilation=(1, 1)); w.shape  # N, C, *P, *K
    (1, 1, 2, 2, 2, 2)
    >>> w[0, 0, 1, 0], bool(np.shares_memory(w, x))  # the window at output (1, 0): no copy
    (array([[ 8.,  9.],
           [12., 13.]]), True)
    """
    nd = len(kernel)
    extent = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    view = sliding_window_view(xp, extent, axis=tuple(range(2, 2 + nd)))
    return view[(slice(None), slice(None)) + tuple(slice(None, None, s) for s in stride)
                + tuple(slice(None, None, d) for d in dilation)]


def offset_slices(kernel: tuple, stride: tuple, dilation: tuple, out_shape: tuple):
    """Yield ``(k, index)`` for each kernel offset k (row-major): ``index`` is the strided slice
    ``(..., slice(k_i d_i, k_i d_i + s_i (P_i - 1) + 1, s_i), ...)`` of the padded input that
    offset touches, one entry per output position.

    Examples
    --------
    >>> from lucidnet.autograd.ops.conv import offset_slices
    >>> pairs = offset_slices(kernel=(2,), stride=(2,), dilation=(1,), out_shape=(3,))
    >>> list(pairs)  # (offset, index): tap 1 of 3 outputs at stride 2 reads x[..., 1:6:2]
    [((0,), (Ellipsis, slice(0, 5, 2))), ((1,), (Ellipsis, slice(1, 6, 2)))]
    """
    for k in itertools.product(*(range(n) for n in kernel)):
        yield k, (Ellipsis,) + tuple(slice(ki * d, ki * d + s * (o - 1) + 1, s)
                                     for ki, s, d, o in zip(k, stride, dilation, out_shape))


def col2im(gcols: np.ndarray, padded_shape: tuple, kernel: tuple, stride: tuple,
           dilation: tuple) -> np.ndarray:
    """Adjoint of im2col: gcols (C, *K, N, *P) summed back into an array of ``padded_shape``
    (N, C, *S) -- one strided ``+=`` per kernel offset. The sum is built channel-major, in the
    layout of gcols, and returned as an (N, C, *S) view of it.

    Examples
    --------
    >>> from lucidnet.autograd.ops.conv import col2im
    >>> gcols = np.ones((1, 2, 1, 2))  # (C, *K, N, *P): kernel 2, two outputs, stride 1
    >>> col2im(gcols, padded_shape=(1, 1, 3), kernel=(2,), stride=(1,), dilation=(1,))
    array([[[1., 2., 1.]]])
    """
    nd = len(kernel)
    out_shape = gcols.shape[2 + nd:]
    gxp = pooled_empty((padded_shape[1], padded_shape[0]) + tuple(padded_shape[2:]), gcols.dtype)
    offsets = list(offset_slices(kernel, stride, dilation, out_shape))

    def block(lo, hi):  # the images [lo, hi): disjoint parts of gxp, so threads may share out
        part = gxp[:, lo:hi]
        part.fill(0)
        for k, sl in offsets:
            part[sl] += gcols[(slice(None),) + k + (slice(lo, hi),)]

    parallel_for(block, padded_shape[0], threads_for(gcols.size))
    return np.moveaxis(gxp, 0, 1)


def _unpad(gxp: np.ndarray, padding: tuple) -> np.ndarray:
    return gxp[(Ellipsis,) + tuple(slice(lo, gxp.shape[2 + i] - hi)
                                   for i, (lo, hi) in enumerate(padding))]


def _fused(x: np.ndarray, kernel: tuple, which: str = "im2col"):
    """The ``which`` kernel's module (``lucidnet._fast.conv``: "im2col" or "col2im") when it
    serves this input, else None."""
    if len(kernel) != 2 or not _fast.takes(x.dtype) or not _fast.use(which):
        return None
    if which == "col2im" and kernel == (1, 1):
        return None                   # NumPy's col2im of a 1x1 kernel is one copy: faster
    return _fast.load("conv")


def _im2col(x: np.ndarray, kernel: tuple, stride: tuple, padding: tuple, dilation: tuple,
            keep: bool = False):
    """(cols, out_shape, padded_shape): cols (C*K, N*P) in a scratch buffer (valid until the
    next call), or in a pooled buffer the caller may keep when ``keep`` -- one strided copy of
    the receptive-field view of the padded input (or one pass of the fused kernel, which reads
    padding as zeros without a padded copy)."""
    n, c = x.shape[:2]
    nd = len(kernel)
    buffer = pooled_empty if keep else (lambda shape, dtype: scratch("conv_cols", shape, dtype))
    kernels = _fused(x, kernel)
    if kernels is not None:
        out_shape = tuple(output_size(size, k, s, d, lo + hi) for size, k, s, d, (lo, hi)
                          in zip(x.shape[2:], kernel, stride, dilation, padding))
        if min(out_shape) > 0:
            cols = buffer((c,) + tuple(kernel) + (n,) + out_shape, x.dtype)
            kernels.im2col2d(x, kernel[0], kernel[1], stride[0], stride[1], padding[0][0],
                             padding[1][0], dilation[0], dilation[1], cols)
            padded_shape = (n, c) + tuple(size + lo + hi
                                          for size, (lo, hi) in zip(x.shape[2:], padding))
            return (cols.reshape(c * int(np.prod(kernel)), n * int(np.prod(out_shape))),
                    out_shape, padded_shape)
    if any(lo or hi for lo, hi in padding):
        padded_shape = (n, c) + tuple(s + lo + hi for s, (lo, hi) in zip(x.shape[2:], padding))
        if channel_major(x):  # pad in x's own layout: a straight copy, not a transposing one
            xp = scratch("conv_pad_cm", (c, n) + padded_shape[2:], x.dtype).swapaxes(0, 1)
        else:
            xp = scratch("conv_pad", padded_shape, x.dtype)
        interior = _interior(padding)

        def pad_block(lo, hi):
            xp[lo:hi].fill(0)
            xp[lo:hi][interior] = x[lo:hi]

        parallel_for(pad_block, n, threads_for(xp.size))
    else:
        xp = x
    view = window_view(xp, kernel, stride, dilation)  # (N, C, *P, *K)
    out_shape = view.shape[2:2 + nd]
    perm = (1,) + tuple(range(2 + nd, 2 + 2 * nd)) + (0,) + tuple(range(2, 2 + nd))
    moved = view.transpose(perm)  # (C, *K, N, *P)
    cols = buffer(moved.shape, x.dtype)
    at_n = (slice(None),) * (1 + nd)  # the image axis N of cols (C, *K, N, *P)
    parallel_for(lambda lo, hi: np.copyto(cols[at_n + (slice(lo, hi),)],
                                          moved[at_n + (slice(lo, hi),)]), n, threads_for(cols.size))
    # explicit sizes: -1 is ambiguous for an empty batch (N = 0)
    return (cols.reshape(c * int(np.prod(kernel)), n * int(np.prod(out_shape))), out_shape,
            xp.shape)


_KEEP_COLS_BYTES = 64 << 20  # forward keeps cols for dL/dW up to this size


def _cols_bytes(x: np.ndarray, kernel: tuple, stride: tuple, padding: tuple,
                dilation: tuple) -> int:
    """Bytes of cols (C*K, N*P) for this input."""
    cells = x.shape[0] * x.shape[1] * int(np.prod(kernel)) * x.dtype.itemsize
    for size, k, s, d, (lo, hi) in zip(x.shape[2:], kernel, stride, dilation, padding):
        cells *= max(0, output_size(size, k, s, d, lo + hi))
    return cells


def _interior(padding: tuple) -> tuple:
    return (Ellipsis,) + tuple(slice(lo, -hi if hi else None) for lo, hi in padding)


def _weight_grad(g2: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """dL/dW = g2 (O, N*P) @ cols^T (N*P, C*K), as (O, C*K).

    A long reduction over N*P into a small output is faster in OpenBLAS as (cols @ g2^T)^T:
    measured 0.57-0.92x the time on the first convolutions of a CNN ((32, 144, 12544): 1.5 vs
    2.0 ms) and slower where C*K is tiny or N*P short ((16, 9, 50176): 1.18x; (256, 2304,
    196): 1.5x), so the form is chosen by shape."""
    o, ck, cells = g2.shape[0], cols.shape[0], g2.shape[1]
    if ck >= 16 and cells >= 8 * max(o, ck):
        return blas_matmul(cols, g2.T).T
    return blas_matmul(g2, cols.T)


class Conv(Function):
    """N-d convolution (cross-correlation, as every framework computes it); see module docstring.

    out[n, o, p] = b[o] + sum_{c, k} W[o, c, k] * xpad[n, c, s * p + d * k] for x (N, C, *S),
    weight W (O, C / groups, *K) and bias b (O,) or None; out is (N, O, *P) with
    P = `output_size` per axis. dL/dW = g @ cols^T, dL/dx = col2im(W^T @ g), dL/db = sum of g.

    kwargs: stride, dilation (tuples, one entry per spatial axis), padding ((lo, hi) per axis),
    groups (input channels and output channels split into that many independent blocks).
    ``cols`` is laid out (C*K, N*P) so each product is ONE large GEMM over the whole batch: a
    batched product over N would be N small BLAS calls, each a thread hand-off that costs dearly
    when the cores are shared. With groups, one matmul batched over the G groups.

    Examples
    --------
    >>> from lucidnet.autograd.ops.conv import Conv
    >>> x = ln.ones(1, 1, 4, 4, requires_grad=True); w = ln.ones(2, 1, 3, 3, requires_grad=True)
    >>> y = Conv.apply(x, w, padding=((1, 1), (1, 1))); y.shape  # (N, O, *P), same padding
    torch.Size([1, 2, 4, 4])
    >>> y[0, 0]  # how many of the 9 taps fall inside the image
    tensor([[4., 6., 6., 4.],
            [6., 9., 9., 6.],
            [6., 9., 9., 6.],
            [4., 6., 6., 4.]], grad_fn=<SelectBackward0>)
    >>> y.sum().backward(); w.grad[0, 0]  # how many outputs each tap reaches
    tensor([[ 9., 12.,  9.],
            [12., 16., 12.],
            [ 9., 12.,  9.]])
    """

    @staticmethod
    def forward(ctx, x, weight, bias=None, stride=(1, 1), padding=((0, 0), (0, 0)),
                dilation=(1, 1), groups=1):
        n = x.shape[0]
        o = weight.shape[0]
        # dL/dW needs cols again: kept from here (up to _KEEP_COLS_BYTES) instead of rebuilt
        needs = getattr(ctx, "needs_input_grad", (False, False))  # callers without autograd
        keep = needs[1] and (
            _cols_bytes(x, weight.shape[2:], stride, padding, dilation) <= _KEEP_COLS_BYTES)
        cols, out_shape, padded_shape = _im2col(x, weight.shape[2:], stride, padding, dilation,
                                                keep)
        out = pooled_empty((o, cols.shape[1]), x.dtype)
        if groups == 1:
            blas_matmul(weight.reshape(o, cols.shape[0]), cols, out=out)
        else:  # (G, O/G, C/G*K) @ (G, C/G*K, N*P) -> (G, O/G, N*P), the rows of out in order
            np.matmul(weight.reshape(groups, o // groups, cols.shape[0] // groups),
                      cols.reshape(groups, cols.shape[0] // groups, cols.shape[1]),
                      out=out.reshape(groups, o // groups, cols.shape[1]))
        if bias is not None:  # a full pass over out: shared out by output channels

            def add_bias(lo, hi):
                out[lo:hi] += bias[lo:hi, None]

            parallel_for(add_bias, o, threads_for(out.size))
        ctx.save_for_backward(x, weight, cols if keep else None)
        ctx.meta = (padded_shape, padding, stride, dilation, out_shape, bias is not None, groups)
        # returned channel-major: an (N, O, *P) view of the (O, N, *P) product, no transpose copy;
        # the ops that follow (BatchNorm, ReLU, pooling) keep that layout
        return np.moveaxis(out.reshape((o, n) + out_shape), 0, 1)

    @staticmethod
    def backward(ctx, g):
        x, weight, cols = ctx.saved
        padded_shape, padding, stride, dilation, out_shape, has_bias, groups = ctx.meta
        n, o = g.shape[:2]
        cells = n * int(np.prod(out_shape))  # N*P, spelled out: -1 is ambiguous when N = 0
        g2 = np.moveaxis(g, 1, 0).reshape(o, cells)  # (O, N*P); free when g is channel-major
        need_x, need_w = ctx.needs_input_grad[:2]
        gx = gw = gb = None
        # per group: W (G, O/G, C/G*K), g (G, O/G, N*P); groups == 1 keeps the plain GEMMs
        w3 = weight.reshape(groups, o // groups, -1)
        g3 = g2.reshape(groups, o // groups, cells)
        if need_w:
            if cols is None:  # not kept by forward (too large): rebuilt from x
                cols = _im2col(x, weight.shape[2:], stride, padding, dilation)[0]
            if groups == 1:
                gw = _weight_grad(g2, cols).reshape(weight.shape)
            else:
                cols3 = cols.reshape(groups, cols.shape[0] // groups, cells)
                gw = np.matmul(g3, cols3.transpose(0, 2, 1)).reshape(weight.shape)
        if has_bias and ctx.needs_input_grad[2]:
            gb = np.empty(o, g2.dtype)
            parallel_for(lambda lo, hi: g2[lo:hi].sum(axis=1, out=gb[lo:hi]), o,
                         threads_for(g2.size))
        if need_x:
            kernel = weight.shape[2:]
            gcols = scratch("gcols", (groups, w3.shape[2], g2.shape[1]), g2.dtype)
            if groups == 1:
                blas_matmul(w3[0].T, g2, out=gcols[0])
            else:  # (G, C/G*K, N*P): its rows are (C, *K) in order
                np.matmul(w3.transpose(0, 2, 1), g3, out=gcols)
            gcols = gcols.reshape((padded_shape[1],) + kernel + (n,) + out_shape)
            kernels = _fused(x, kernel, "col2im") if gcols.dtype == x.dtype else None
            if kernels is not None:  # one pass, straight into the unpadded (C, N, H, W)
                gxc = pooled_empty((x.shape[1], n) + x.shape[2:], gcols.dtype)

                def planes(lo, hi):  # the channels [lo, hi): disjoint parts of gxc
                    kernels.col2im2d(gcols[lo:hi], stride[0], stride[1], padding[0][0],
                                     padding[1][0], dilation[0], dilation[1], gxc[lo:hi])

                parallel_for(planes, x.shape[1], threads_for(gcols.size))
                gx = gxc.swapaxes(0, 1)
            else:
                gx = _unpad(col2im(gcols, padded_shape, kernel, stride, dilation), padding)
        return gx, gw, gb
