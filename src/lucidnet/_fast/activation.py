"""ReLU's backward in one pass (the fused path of ``autograd.ops.activation``):

    dL/dx = g where not (y <= 0) else 0     (y = relu(x); a NaN passes its gradient, as PyTorch)

on flat views of arrays that share one memory layout.
"""

from __future__ import annotations

from . import jit

__all__ = ["relu_backward"]


@jit
def relu_backward(g, y, gx):
    """g, y, gx: 1-d arrays of one length."""
    for i in range(g.shape[0]):
        gx[i] = g[i] if not y[i] <= 0 else 0
