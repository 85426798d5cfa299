"""Matrix products: matmul and the fused dense layer z = x W^T + b (SPEC B1)."""

from __future__ import annotations

import numpy as np

from ..function import Function, unbroadcast

__all__ = ["MatMul", "Linear"]


class MatMul(Function):
    """z = a @ b (with NumPy's batching rules);  dz/da = g b^T, dz/db = a^T g."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved
        # promote 1-D operands to matrices as matmul does, then undo it
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = np.asarray(g)
        if a.ndim == 1:
            g2 = np.expand_dims(g2, -1 if b.ndim == 1 else -2)
        if b.ndim == 1:
            g2 = np.expand_dims(g2, -1)
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = np.matmul(g2, np.swapaxes(b2, -1, -2))
            ga = unbroadcast(ga[..., 0, :] if a.ndim == 1 else ga, a.shape)
        if ctx.needs_input_grad[1]:
            gb = np.matmul(np.swapaxes(a2, -1, -2), g2)
            gb = unbroadcast(gb[..., 0] if b.ndim == 1 else gb, b.shape)
        return ga, gb


class Linear(Function):
    """z = x W^T + b  for x (N, in), W (out, in), b (out,).

    dz/dx = g W,  dz/dW = g^T x,  dz/db = sum_n g.  Leading batch dims of x are flattened.
    """

    @staticmethod
    def forward(ctx, x, weight, bias=None):
        ctx.save_for_backward(x, weight)
        ctx.has_bias = bias is not None
        out = x @ weight.T
        if bias is not None:
            out += bias
        return out

    @staticmethod
    def backward(ctx, g):
        x, weight = ctx.saved
        need_x, need_w = ctx.needs_input_grad[:2]
        gx = (g @ weight) if need_x else None
        gw = gb = None
        if need_w or (ctx.has_bias and ctx.needs_input_grad[2]):
            g2 = g.reshape(-1, g.shape[-1])
            if need_w:
                gw = g2.T @ x.reshape(-1, x.shape[-1])
            if ctx.has_bias and ctx.needs_input_grad[2]:
                gb = g2.sum(axis=0)
        return gx, gw, gb
