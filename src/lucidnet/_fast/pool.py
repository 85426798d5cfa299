"""Max pooling over 2-d planes in one pass each way (the fused path of ``autograd.ops.pool``).

Forward scans each window once, keeping PyTorch's rule ``if v > best or isnan(v)`` (the first
maximum in window order, the last NaN; padding cells are never read, and a window of -inf
values picks its first cell inside the input), and records the winner's flat position in its
input plane. Backward adds each output gradient at that position:

    out[a, b, p] = x[a, b].flat[idx[a, b, p]],   dL/dx[a, b].flat[i] = sum_{p: idx = i} g[a, b, p]

The two leading axes are independent planes (N, C or C, N: either layout works unchanged).
"""

from __future__ import annotations

import numpy as np

from . import jit

__all__ = ["max_pool2d_backward", "max_pool2d_forward"]


@jit
def max_pool2d_forward(x, kh, kw, sh, sw, ph, pw, dh, dw, out, idx):
    """out (A, B, OH, OW) and idx (same shape, int32 flat positions in each H x W plane)."""
    na, nb, height, width = x.shape
    oh_n, ow_n = out.shape[2], out.shape[3]
    for a in range(na):
        for b in range(nb):
            for oh in range(oh_n):
                h0 = oh * sh - ph
                for ow in range(ow_n):
                    w0 = ow * sw - pw
                    best = -np.inf
                    where = -1
                    for i in range(kh):
                        h = h0 + i * dh
                        if h < 0 or h >= height:
                            continue
                        for j in range(kw):
                            w = w0 + j * dw
                            if w < 0 or w >= width:
                                continue
                            v = x[a, b, h, w]
                            if v > best or np.isnan(v):
                                best = v
                                where = h * width + w
                            elif where < 0:
                                where = h * width + w
                    out[a, b, oh, ow] = best
                    idx[a, b, oh, ow] = where


@jit
def max_pool2d_backward(g, idx, gx):
    """gx (A, B, H, W), zeroed here, gets each g[a, b, p] added at idx[a, b, p]."""
    na, nb, height, width = gx.shape
    oh_n, ow_n = g.shape[2], g.shape[3]
    for a in range(na):
        for b in range(nb):
            for h in range(height):
                for w in range(width):
                    gx[a, b, h, w] = 0
            for oh in range(oh_n):
                for ow in range(ow_n):
                    where = idx[a, b, oh, ow]
                    if where >= 0:
                        gx[a, b, where // width, where % width] += g[a, b, oh, ow]
