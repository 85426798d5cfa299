"""``F.interpolate`` and ``nn.Upsample`` for the ``"nearest"`` and ``"bilinear"`` modes
(PyTorch's index rules), written from indexing and arithmetic on tensors, so their gradients
come from those ops.

    nearest   out[i] = x[floor(i * scale)]                        scale = in / out (or 1 / scale_factor)
    bilinear  out[i] = (1 - t) x[i0] + t x[i0 + 1] per axis,      src = (i + 0.5) scale - 0.5 clamped
              at 0 (align_corners=False) or src = i (in - 1) / (out - 1) (align_corners=True)
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.tensor import Tensor
from .module import Module

__all__ = ["interpolate", "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d",
           "pixel_shuffle", "pixel_unshuffle", "PixelShuffle", "PixelUnshuffle"]

_MODES = ("nearest", "bilinear")


def _output_size(x: Tensor, size, scale_factor, nd: int):
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor")
    if size is not None:
        sizes = (size,) * nd if isinstance(size, (int, np.integer)) else tuple(size)
        if len(sizes) != nd:
            raise ValueError(f"interpolate: size must have {nd} entries for a {x.ndim}-d input, "
                             f"got {size}")
        return tuple(int(s) for s in sizes), None
    factors = (scale_factor,) * nd if isinstance(scale_factor, (int, float)) \
        else tuple(scale_factor)
    if len(factors) != nd:
        raise ValueError(f"interpolate: scale_factor must have {nd} entries, got {scale_factor}")
    out = tuple(int(math.floor(n * float(f))) for n, f in zip(x.shape[2:], factors))
    return out, tuple(float(f) for f in factors)


def _scales(x: Tensor, out, factors):
    """PyTorch's source step per axis: 1 / scale_factor when given, else in / out."""
    if factors is not None:
        return tuple(1.0 / f for f in factors)
    return tuple(n / o for n, o in zip(x.shape[2:], out))


def _take(x: Tensor, axis: int, index: np.ndarray) -> Tensor:
    key = (slice(None),) * axis + (index,)
    return x[key]


def interpolate(input, size=None, scale_factor=None, mode: str = "nearest", align_corners=None,
                recompute_scale_factor=None, antialias: bool = False) -> Tensor:
    """Resize the spatial axes of (N, C, *S) ``input`` to ``size`` or by ``scale_factor``."""
    x = input if isinstance(input, Tensor) else Tensor(np.asarray(input))
    if mode not in _MODES:
        raise ValueError(f"interpolate: mode={mode!r} is not supported by lucidnet; use one of "
                         f"{_MODES}")
    if antialias:
        raise ValueError("interpolate: antialias=True is not supported by lucidnet")
    if x.ndim < 3:
        raise ValueError(f"interpolate expects (N, C, *spatial) input, got shape {tuple(x.shape)}")
    nd = x.ndim - 2
    if mode == "bilinear" and nd != 2:
        raise ValueError(f"interpolate: mode='bilinear' needs a 4-d (N, C, H, W) input, got "
                         f"shape {tuple(x.shape)}")
    if mode == "nearest" and align_corners is not None:
        raise ValueError("interpolate: align_corners only has an effect for the linear modes; "
                         "leave it None with mode='nearest'")
    out, factors = _output_size(x, size, scale_factor, nd)
    if recompute_scale_factor:
        factors = None
    if any(o < 1 for o in out):
        raise ValueError(f"interpolate: the output size {out} must be positive")
    scales = _scales(x, out, factors)
    for axis, (n, o, step) in enumerate(zip(x.shape[2:], out, scales), start=2):
        i = np.arange(o, dtype=np.float64)
        if mode == "nearest":
            src = np.minimum(np.floor(i * step).astype(np.int64), n - 1)
            x = _take(x, axis, src)
            continue
        if align_corners:
            pos = i * ((n - 1) / (o - 1)) if o > 1 else np.zeros(o)
        else:
            pos = np.maximum((i + 0.5) * step - 0.5, 0.0)
        lo = np.minimum(np.floor(pos).astype(np.int64), n - 1)
        hi = np.minimum(lo + 1, n - 1)
        shape = (1,) * axis + (o,) + (1,) * (x.ndim - axis - 1)
        t = Tensor((pos - lo).reshape(shape).astype(x.dtype))
        x = _take(x, axis, lo) * (1.0 - t) + _take(x, axis, hi) * t
    return x


class Upsample(Module):
    """Module form of :func:`interpolate` (PyTorch's ``nn.Upsample``)."""

    def __init__(self, size=None, scale_factor=None, mode: str = "nearest", align_corners=None,
                 recompute_scale_factor=None):
        super().__init__()
        if mode not in _MODES:
            raise ValueError(f"Upsample: mode={mode!r} is not supported by lucidnet; use one of "
                             f"{_MODES}")
        self.size = size
        self.scale_factor = float(scale_factor) if isinstance(scale_factor, (int, float)) \
            else (tuple(float(f) for f in scale_factor) if scale_factor is not None else None)
        self.mode, self.align_corners = mode, align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, x) -> Tensor:
        return interpolate(x, self.size, self.scale_factor, self.mode, self.align_corners,
                           self.recompute_scale_factor)

    def extra_repr(self) -> str:
        info = (f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None
                else f"size={self.size!r}")
        return info + f", mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


def pixel_shuffle(input, upscale_factor: int) -> Tensor:
    """(*, C r^2, H, W) -> (*, C, H r, W r): out[c, h r + i, w r + j] = x[c r^2 + i r + j, h, w]
    (a reshape and a permutation, so the gradient is the inverse rearrangement)."""
    x = input if isinstance(input, Tensor) else Tensor(np.asarray(input))
    r = _factor(upscale_factor, "pixel_shuffle", "upscale_factor")
    if x.ndim < 3 or x.shape[-3] % (r * r):
        raise ValueError(f"pixel_shuffle expects (*, C * {r * r}, H, W) input (channels "
                         f"divisible by upscale_factor^2), got shape {tuple(x.shape)}")
    *lead, c, h, w = x.shape
    lead = tuple(lead)
    k = len(lead)
    y = x.reshape(lead + (c // (r * r), r, r, h, w))
    y = y.permute(*range(k), k, k + 3, k + 1, k + 4, k + 2)
    return y.reshape(lead + (c // (r * r), h * r, w * r))


def pixel_unshuffle(input, downscale_factor: int) -> Tensor:
    """The inverse of :func:`pixel_shuffle`: (*, C, H r, W r) -> (*, C r^2, H, W)."""
    x = input if isinstance(input, Tensor) else Tensor(np.asarray(input))
    r = _factor(downscale_factor, "pixel_unshuffle", "downscale_factor")
    if x.ndim < 3 or x.shape[-1] % r or x.shape[-2] % r:
        raise ValueError(f"pixel_unshuffle expects (*, C, H, W) input with H and W divisible by "
                         f"{r}, got shape {tuple(x.shape)}")
    *lead, c, h, w = x.shape
    lead = tuple(lead)
    k = len(lead)
    y = x.reshape(lead + (c, h // r, r, w // r, r))
    y = y.permute(*range(k), k, k + 2, k + 4, k + 1, k + 3)
    return y.reshape(lead + (c * r * r, h // r, w // r))


def _factor(value, where: str, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{where}: {name} must be a positive integer, got {value!r}")
    return int(value)


class PixelShuffle(Module):
    """Rearrange (N, C r^2, H, W) into (N, C, H r, W r) (sub-pixel convolution upsampling)."""

    def __init__(self, upscale_factor: int):
        super().__init__()
        self.upscale_factor = _factor(upscale_factor, "PixelShuffle", "upscale_factor")

    def forward(self, x) -> Tensor:
        return pixel_shuffle(x, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """The inverse of PixelShuffle."""

    def __init__(self, downscale_factor: int):
        super().__init__()
        self.downscale_factor = _factor(downscale_factor, "PixelUnshuffle", "downscale_factor")

    def forward(self, x) -> Tensor:
        return pixel_unshuffle(x, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"
