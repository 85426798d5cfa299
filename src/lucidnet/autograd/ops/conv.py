"""Convolution over 1 or 2 spatial dimensions: strided im2col view + one matrix product (SPEC B2).

For input x (N, C, *S), weight W (O, C, *K), stride s, dilation d and (already resolved) padding,

    out[n, o, p] = b[o] + sum_{c, k} W[o, c, k] * xpad[n, c, s * p + d * k]

Forward: ``sliding_window_view`` gives every receptive field as a view (N, C, *P, *K) of the
padded input; one copy lays it out as ``cols`` (C*K, N*P) and one product ``W2 @ cols``
(W2 = W reshaped (O, C*K)) gives the output (O, N*P), moved to (N, O, *P).

Backward, with g = dL/dout moved and reshaped to (O, N*P):

    dL/dW    = g @ cols^T                               (O, C*K)
    dL/dcols = W2^T @ g                                 (C*K, N*P)
    dL/dx    = col2im(dL/dcols): one strided ``+=`` per kernel offset (K of them), never per pixel
    dL/db    = sum over n and p of g
"""

from __future__ import annotations

import itertools

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..function import Function

__all__ = ["Conv", "col2im", "offset_slices", "output_size", "pad_spatial", "window_view"]


def output_size(size: int, kernel: int, stride: int, dilation: int, pad_total: int) -> int:
    """floor((S + pad - d (k - 1) - 1) / s) + 1, the length of one output axis."""
    return (size + pad_total - dilation * (kernel - 1) - 1) // stride + 1


def pad_spatial(x: np.ndarray, padding: tuple, value: float = 0.0) -> np.ndarray:
    """Pad the trailing spatial axes of x (N, C, *S) by ``padding`` = ((lo, hi), ...)."""
    if not any(lo or hi for lo, hi in padding):
        return x
    return np.pad(x, ((0, 0), (0, 0)) + tuple(padding), constant_values=value)


def window_view(xp: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple) -> np.ndarray:
    """Every receptive field of the padded input as a strided view (N, C, *P, *K); no copy."""
    nd = len(kernel)
    extent = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    view = sliding_window_view(xp, extent, axis=tuple(range(2, 2 + nd)))
    return view[(slice(None), slice(None)) + tuple(slice(None, None, s) for s in stride)
                + tuple(slice(None, None, d) for d in dilation)]


def offset_slices(kernel: tuple, stride: tuple, dilation: tuple, out_shape: tuple):
    """For each kernel offset k (row-major), the strided slice of the padded input it touches."""
    for k in itertools.product(*(range(n) for n in kernel)):
        yield k, (Ellipsis,) + tuple(slice(ki * d, ki * d + s * (o - 1) + 1, s)
                                     for ki, s, d, o in zip(k, stride, dilation, out_shape))


def col2im(gcols: np.ndarray, padded_shape: tuple, kernel: tuple, stride: tuple,
           dilation: tuple) -> np.ndarray:
    """Adjoint of im2col: gcols (C, *K, N, *P) summed back into an array of ``padded_shape``
    (N, C, *S) -- one strided ``+=`` per kernel offset. The sum is built channel-major, in the
    layout of gcols, and returned as an (N, C, *S) view of it."""
    nd = len(kernel)
    out_shape = gcols.shape[2 + nd:]
    gxp = np.zeros((padded_shape[1], padded_shape[0]) + tuple(padded_shape[2:]), gcols.dtype)
    for k, sl in offset_slices(kernel, stride, dilation, out_shape):
        gxp[sl] += gcols[(slice(None),) + k]
    return np.moveaxis(gxp, 0, 1)


def _unpad(gxp: np.ndarray, padding: tuple) -> np.ndarray:
    return gxp[(Ellipsis,) + tuple(slice(lo, gxp.shape[2 + i] - hi)
                                   for i, (lo, hi) in enumerate(padding))]


class Conv(Function):
    """N-d convolution (cross-correlation, as every framework computes it); see module docstring.

    kwargs: stride, dilation (tuples, one entry per spatial axis), padding ((lo, hi) per axis).
    ``cols`` is laid out (C*K, N*P) so each product is ONE large GEMM over the whole batch: a
    batched product would be N small BLAS calls, each a thread hand-off that costs dearly when
    the cores are shared.
    """

    @staticmethod
    def forward(ctx, x, weight, bias=None, stride=(1, 1), padding=((0, 0), (0, 0)),
                dilation=(1, 1)):
        n = x.shape[0]
        o = weight.shape[0]
        kernel = weight.shape[2:]
        nd = len(kernel)
        xp = pad_spatial(x, padding)
        view = window_view(xp, kernel, stride, dilation)  # (N, C, *P, *K)
        out_shape = view.shape[2:2 + nd]
        perm = (1,) + tuple(range(2 + nd, 2 + 2 * nd)) + (0,) + tuple(range(2, 2 + nd))
        cols = np.ascontiguousarray(view.transpose(perm)).reshape(-1, n * int(np.prod(out_shape)))
        out = weight.reshape(o, -1) @ cols  # (O, N*P)
        if bias is not None:
            out += bias[:, None]
        ctx.save_for_backward(cols, weight)
        ctx.meta = (xp.shape, padding, stride, dilation, out_shape, bias is not None)
        out = out.reshape((o, n) + out_shape)
        return np.ascontiguousarray(np.moveaxis(out, 0, 1))

    @staticmethod
    def backward(ctx, g):
        cols, weight = ctx.saved
        padded_shape, padding, stride, dilation, out_shape, has_bias = ctx.meta
        n, o = g.shape[:2]
        g2 = np.ascontiguousarray(np.moveaxis(g, 1, 0)).reshape(o, -1)  # (O, N*P)
        need_x, need_w = ctx.needs_input_grad[:2]
        gx = gw = gb = None
        if need_w:
            gw = (g2 @ cols.T).reshape(weight.shape)
        if has_bias and ctx.needs_input_grad[2]:
            gb = g2.sum(axis=1)
        if need_x:
            kernel = weight.shape[2:]
            gcols = weight.reshape(o, -1).T @ g2  # (C*K, N*P)
            gcols = gcols.reshape((padded_shape[1],) + kernel + (n,) + out_shape)
            gx = np.ascontiguousarray(
                _unpad(col2im(gcols, padded_shape, kernel, stride, dilation), padding))
        return gx, gw, gb
