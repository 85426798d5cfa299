"""ONNX converters of lucidnet's resizing layers (``nn/upsampling.py``): Upsample and its
2-D forms, PixelShuffle / PixelUnshuffle. The spatial sizes are static (the example's), so the
index maps lucidnet computes are written as constants: the graph gathers the very same source
cells with the very same weights."""

from __future__ import annotations

import numpy as np

from .. import nn
from ..autograd.tensor import Tensor
from ..nn.upsampling import _linear_weights, _nearest_index, _sizes
from .layers import _adaptive
from .registry import register


@register(nn.Upsample)
@register(nn.UpsamplingNearest2d)
@register(nn.UpsamplingBilinear2d)
def _upsample(g, m, x):
    """Nearest: one Gather per axis with lucidnet's indices; (bi/tri)linear: two Gathers and
    the interpolation weights per axis (the last axis first, as lucidnet); area: adaptive
    average pooling to the output size."""
    shape = g.shape(x)
    nd = len(shape) - 2
    recompute = m.recompute_scale_factor
    if m.mode == "area" and m.size is None:
        recompute = True
    out, factors = _sizes(Tensor(np.empty(shape, g.dtype)), m.size, m.scale_factor, recompute,
                          nd)
    if m.mode == "area":
        pool = (nn.AdaptiveAvgPool1d if nd == 1 else nn.AdaptiveAvgPool2d)(tuple(out))
        return _adaptive(g, pool, x, "Average")
    factors = factors or [None] * nd
    for axis in reversed(range(2, 2 + nd)):
        n, o, f = shape[axis], out[axis - 2], factors[axis - 2]
        if m.mode in ("nearest", "nearest-exact"):
            index = _nearest_index(n, o, f, m.mode == "nearest-exact")
            if o != n or np.any(index != np.arange(o)):
                x = g.op("Gather", x, g.const(index, dtype=np.int64), axis=axis)
            continue
        lo, hi, w_lo, w_hi = _linear_weights(n, o, f, bool(m.align_corners), g.dtype)
        bshape = (o,) + (1,) * (len(shape) - axis - 1)
        lo_x = g.op("Gather", x, g.const(lo, dtype=np.int64), axis=axis)
        hi_x = g.op("Gather", x, g.const(hi, dtype=np.int64), axis=axis)
        x = g.op("Add", g.op("Mul", lo_x, g.const(w_lo.reshape(bshape))),
                 g.op("Mul", hi_x, g.const(w_hi.reshape(bshape))))
    return x


@register(nn.PixelShuffle)
def _pixel_shuffle(g, m, x):
    """(*, C r^2, H, W) -> (*, C, H r, W r): reshape, transpose, reshape."""
    *lead, c, h, w = g.shape(x)
    r, k = m.upscale_factor, len(lead)
    y = g.reshape(x, [0] * k + [c // (r * r), r, r, h, w])
    y = g.op("Transpose", y, perm=list(range(k)) + [k, k + 3, k + 1, k + 4, k + 2])
    return g.reshape(y, [0] * k + [c // (r * r), h * r, w * r])


@register(nn.PixelUnshuffle)
def _pixel_unshuffle(g, m, x):
    """(*, C, H, W) -> (*, C r^2, H / r, W / r): reshape, transpose, reshape."""
    *lead, c, h, w = g.shape(x)
    r, k = m.downscale_factor, len(lead)
    y = g.reshape(x, [0] * k + [c, h // r, r, w // r, r])
    y = g.op("Transpose", y, perm=list(range(k)) + [k, k + 2, k + 4, k + 1, k + 3])
    return g.reshape(y, [0] * k + [c * r * r, h // r, w // r])
