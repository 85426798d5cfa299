"""Max pooling over 2-d planes in one pass each way (the fused path of ``autograd.ops.pool``).

Forward scans each window once, keeping PyTorch's rule ``if v > best or isnan(v)`` (the first
maximum in window order, the last NaN; padding cells are never read, and a window of -inf
values picks its first cell inside the input), and records the winner's offset in its window,
``k = i * kw + j`` (compact: int8 for windows of up to 127 cells). Backward adds each output
gradient at that cell:

    out[a, b, oh, ow] = x[a, b, oh sh - ph + i dh, ow sw - pw + j dw],  (i, j) = divmod(k, kw)
    dL/dx[a, b, h, w] = sum of g[a, b, oh, ow] over the windows whose winner is (h, w)

The two leading axes are independent planes (N, C or C, N: either layout works unchanged);
each call covers the planes [lo, hi), and the op shares the planes out over the threads with
``lucidnet.threads.parallel_for`` (the kernels release the GIL; an OpenMP team's idle threads
would spin and take a shared core from the convolution's GEMMs). The choice is made with selects, not
branches: on real data "is this cell larger" is a coin flip, and a mispredicted branch per
cell cost 10x (measured: 2x2 windows over 64x16x28x28, 3.0 ms with branches, 0.37 ms as a
branch-free compare tree). The 2x2 unpadded window -- the common case -- has its own loop:
a compare tree, 0 vs 1, 2 vs 3, then the two winners, each step taking the later operand iff
``later > earlier``: ties keep the earlier cell, so for every value but NaN (+-inf included)
it picks the scan's cell. The same loop notes whether the plane holds a NaN (``v != v``), and
such a plane is pooled again by the scan (measured: 64x16x28x28 in 0.20 ms, against 0.50 ms
with a separate integer pass over the plane's bits to find inf and NaN first).
"""

from __future__ import annotations

import numpy as np

from . import jit

__all__ = ["max_pool2d_backward", "max_pool2d_forward"]

@jit(error_model="numpy")
def _scan(xa, h0, w0, kh, kw, dh, dw, out, where_out, oh, ow):
    """PyTorch's scan over one window of the plane xa; writes out[oh, ow], where_out[oh, ow]."""
    height, width = xa.shape
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
            v = xa[h, w]
            c = (v > best) | (v != v)
            where = i * kw + j if (c | (where < 0)) else where
            best = v if c else best
    out[oh, ow] = best
    where_out[oh, ow] = where


@jit(error_model="numpy", inline="always")
def _pair(v0, v1, v2, v3, o, ix, ow):
    """The compare tree of one 2x2 window (cells 0, 1 / 2, 3) into o[ow], ix[ow]; True if a
    cell is NaN (the tree is then not the scan's answer)."""
    c1 = v1 > v0
    b01 = v1 if c1 else v0
    k01 = 1 if c1 else 0
    c3 = v3 > v2
    b23 = v3 if c3 else v2
    k23 = 3 if c3 else 2
    c = b23 > b01
    o[ow] = b23 if c else b01
    ix[ow] = k23 if c else k01
    return (v0 != v0) | (v1 != v1) | (v2 != v2) | (v3 != v3)


@jit(error_model="numpy")
def max_pool2d_forward(x, kh, kw, sh, sw, ph, pw, dh, dw, out, out_ba, idx, lo, hi):
    """out (A, B, OH, OW) -- or (B, A, OH, OW) when ``out_ba``: the result written transposed,
    each plane still contiguous -- and idx (A, B, OH, OW), the winner's offset i * kw + j in its
    window, for the planes p = a * B + b in [lo, hi).

    Unpadded 2x2 windows go through the compare tree, which equals the scan for every value
    but NaN (+-inf included: a window of -inf keeps its first cell); it also ORs ``v != v``
    over the plane's cells, and a plane holding a NaN is done again by the scan."""
    nb = x.shape[1]
    oh_n, ow_n = out.shape[2], out.shape[3]
    height, width = x.shape[2], x.shape[3]
    # unpadded 2x2 windows all inside the plane (ceil_mode's extra window reads padding)
    pair = (kh == 2 and kw == 2 and dh == 1 and dw == 1 and ph == 0 and pw == 0
            and (oh_n - 1) * sh + 2 <= height and (ow_n - 1) * sw + 2 <= width)
    for p in range(lo, hi):
        a = p // nb
        b = p - a * nb
        xa = x[a, b]
        oa = out[b, a] if out_ba else out[a, b]
        ia = idx[a, b]
        nan = False
        if pair:
            for oh in range(oh_n):
                r0 = xa[oh * sh]
                r1 = xa[oh * sh + 1]
                o = oa[oh]
                ix = ia[oh]
                if sw == 2:  # the common 2x2 / stride 2: a literal stride lets the loads vectorize
                    for ow in range(ow_n):
                        nan |= _pair(r0[2 * ow], r0[2 * ow + 1], r1[2 * ow], r1[2 * ow + 1],
                                     o, ix, ow)
                else:
                    for ow in range(ow_n):
                        w0 = ow * sw
                        nan |= _pair(r0[w0], r0[w0 + 1], r1[w0], r1[w0 + 1], o, ix, ow)
        if nan or not pair:
            for oh in range(oh_n):
                for ow in range(ow_n):
                    _scan(xa, oh * sh - ph, ow * sw - pw, kh, kw, dh, dw, oa, ia, oh, ow)


@jit(error_model="numpy")
def max_pool2d_backward(g, idx, kh, kw, sh, sw, ph, pw, dh, dw, gx, lo, hi):
    """gx (A, B, H, W) = each g[a, b, oh, ow] added at its window's winner (0 elsewhere), for
    the planes p = a * B + b in [lo, hi)."""
    na, nb, height, width = gx.shape
    oh_n, ow_n = g.shape[2], g.shape[3]
    tiled = (kh == 2 and kw == 2 and sh == 2 and sw == 2 and dh == 1 and dw == 1 and ph == 0
             and pw == 0 and 2 * oh_n <= height and 2 * ow_n <= width)
    for p in range(lo, hi):
        a = p // nb
        b = p - a * nb
        ga = g[a, b]
        ia = idx[a, b]
        xa = gx[a, b]
        for h in range(height):
            for w in range(width):
                xa[h, w] = 0
        if tiled:  # disjoint 2x2 windows: one store per window, (i, j) = (k >> 1, k & 1)
            for oh in range(oh_n):
                gr = ga[oh]
                ir = ia[oh]
                for ow in range(ow_n):
                    k = ir[ow]
                    xa[2 * oh + (k >> 1), 2 * ow + (k & 1)] = gr[ow]
            continue
        for oh in range(oh_n):
            for ow in range(ow_n):
                k = ia[oh, ow]
                if k >= 0:
                    i = k // kw
                    xa[oh * sh - ph + i * dh, ow * sw - pw + (k - i * kw) * dw] += ga[oh, ow]
