"""im2col and col2im for 2-d convolution in one pass each (the fused path of
``autograd.ops.conv``): padding is handled by bounds checks, not by a padded copy.

    cols[c, i, j, n, oh, ow] = x[n, c, s_h oh - p_h + d_h i, s_w ow - p_w + d_w j]  (0 outside)
    gx[c, n, h, w] = sum of gcols[c, i, j, n, oh, ow] over the (i, j, oh, ow) that read (h, w)

``cols`` seen as (C*K, N*P) is the right operand of the convolution's one GEMM; ``gx`` is
returned channel-major (C, N, H, W), the layout of the convolution's backward GEMM.
"""

from __future__ import annotations

from . import jit

__all__ = ["col2im2d", "im2col2d"]


@jit
def im2col2d(x, kh, kw, sh, sw, ph, pw, dh, dw, cols):
    """x (N, C, H, W), any strides -> cols (C, kh, kw, N, OH, OW)."""
    n_n, c_n, height, width = x.shape
    oh_n, ow_n = cols.shape[4], cols.shape[5]
    for c in range(c_n):
        for i in range(kh):
            for j in range(kw):
                for n in range(n_n):
                    for oh in range(oh_n):
                        h = oh * sh - ph + i * dh
                        if h < 0 or h >= height:
                            for ow in range(ow_n):
                                cols[c, i, j, n, oh, ow] = 0
                            continue
                        for ow in range(ow_n):
                            w = ow * sw - pw + j * dw
                            if 0 <= w < width:
                                cols[c, i, j, n, oh, ow] = x[n, c, h, w]
                            else:
                                cols[c, i, j, n, oh, ow] = 0


@jit
def col2im2d(gcols, sh, sw, ph, pw, dh, dw, gx):
    """gcols (C, kh, kw, N, OH, OW) summed into gx (C, N, H, W), zeroed here."""
    c_n, kh, kw, n_n, oh_n, ow_n = gcols.shape
    height, width = gx.shape[2], gx.shape[3]
    for c in range(c_n):
        for n in range(n_n):
            for h in range(height):
                for w in range(width):
                    gx[c, n, h, w] = 0
        for i in range(kh):
            for j in range(kw):
                for n in range(n_n):
                    for oh in range(oh_n):
                        h = oh * sh - ph + i * dh
                        if h < 0 or h >= height:
                            continue
                        for ow in range(ow_n):
                            w = ow * sw - pw + j * dw
                            if 0 <= w < width:
                                gx[c, n, h, w] += gcols[c, i, j, n, oh, ow]
