"""``F.interpolate`` and ``nn.Upsample`` (PyTorch's index rules, to the float rounding of its
CPU kernels), one gather or two-point blend per resized axis, each with its adjoint.

For an axis of ``S`` cells resized to ``O``, ``scale`` = 1 / scale_factor when a scale factor
is given (and not recomputed), else S / O:

    nearest        out[i] = x[min(floor(i scale), S - 1)]          (scale in float32, as PyTorch)
    nearest-exact  out[i] = x[min(floor((i + 0.5) scale), S - 1)]
    linear         src = (i + 0.5) scale - 0.5 clamped at 0 (align_corners=False), or
                   src = i (S - 1) / (O - 1) (align_corners=True); i0 = floor(src),
                   t = src - i0: out[i] = (1 - t) x[i0] + t x[min(i0 + 1, S - 1)]
                   (bilinear / trilinear: the same per axis, the last axis first)
    area           adaptive average pooling to O

The output size is ``size``, or floor(S * scale_factor). The gradient is the adjoint of the
forward (g summed onto the cells each output read). One deliberate difference: PyTorch's CPU
nearest *backward* copies for O = S and halves indices for O = 2 S whatever the scale factor,
so where a factor other than 1 or 2 gives those sizes (2 cells by 1.3, 5 cells by 2.1) its
gradient disagrees with its own forward; lucidnet's matches the forward.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from .module import Module
from .padding import AxisTake, take_adjoint

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d",
           "pixel_shuffle", "pixel_unshuffle", "PixelShuffle", "PixelUnshuffle"]

_MODES = ("nearest", "nearest-exact", "linear", "bilinear", "trilinear", "area")
_LINEAR_RANK = {"linear": 3, "bilinear": 4, "trilinear": 5}


class InterpolateModeError(NotImplementedError, ValueError):
    """A mode given an input of the wrong rank (NotImplementedError in PyTorch)."""


class Lerp(Function):
    """z = x[lo] * w_lo + x[hi] * w_hi along ``axis`` (w broadcast along that axis);
    dz/dx = the adjoint gathers of g w_lo and g w_hi."""

    @staticmethod
    def forward(ctx, x, lo=None, hi=None, w_lo=None, w_hi=None, axis=0):
        ctx.args = (lo, hi, w_lo, w_hi, axis, x.shape[axis])
        return np.take(x, lo, axis=axis) * w_lo + np.take(x, hi, axis=axis) * w_hi

    @staticmethod
    def backward(ctx, g):
        lo, hi, w_lo, w_hi, axis, size = ctx.args
        return take_adjoint(g * w_lo, lo, axis, size) + take_adjoint(g * w_hi, hi, axis, size)


def _sizes(x: Tensor, size, scale_factor, recompute, nd: int):
    """(output sizes, scale factors passed on to the index rule or None), as PyTorch."""
    spatial = list(x.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("interpolate: only one of size or scale_factor should be defined "
                         "(give exactly one of size and scale_factor)")
    if size is not None:
        if recompute:
            raise ValueError("interpolate: recompute_scale_factor is not meaningful with an "
                             "explicit size.")
        sizes = list(size) if isinstance(size, (list, tuple)) else [size] * nd
        if len(sizes) != nd:
            raise ValueError(f"interpolate: Input and output must have the same number of "
                             f"spatial dimensions, but got input with spatial dimensions of "
                             f"{spatial} and output size of {size}. Please provide input tensor "
                             f"in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, "
                             f"...,oK) format.")
        if any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) for s in sizes):
            raise TypeError(f"interpolate: expected size to be one of int or Tuple[int] or "
                            f"Tuple[int, int] or Tuple[int, int, int], but got size with "
                            f"types {[type(s) for s in sizes]}")
        return [int(s) for s in sizes], None
    if scale_factor is None:
        raise ValueError("interpolate: either size or scale_factor should be defined (give "
                         "exactly one of size and scale_factor)")
    factors = list(scale_factor) if isinstance(scale_factor, (list, tuple)) else \
        [scale_factor] * nd
    if len(factors) != nd:
        raise ValueError(f"interpolate: Input and scale_factor must have the same number of "
                         f"spatial dimensions, but got input with spatial dimensions of "
                         f"{spatial} and scale_factor of shape {scale_factor}. Please provide "
                         f"input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in "
                         f"(s1, s2, ...,sK) format.")
    factors = [float(f) for f in factors]
    out = [int(n * f) for n, f in zip(spatial, factors)]
    return out, (None if recompute else factors)


def _scale(n: int, o: int, factor, align_corners: bool, opmath):
    """PyTorch's ``area_pixel_compute_scale`` in the kernel's arithmetic type ``opmath``."""
    if align_corners:
        return opmath(n - 1) / opmath(o - 1) if o > 1 else opmath(0)
    if factor is not None and factor > 0:
        return opmath(1.0 / factor)
    return opmath(n) / opmath(o)


def _nearest_index(n: int, o: int, factor, exact: bool) -> np.ndarray:
    """PyTorch's CPU nearest index: a float32 scale, floorf of the product (no shortcut for
    O = S: a scale factor of 1.3 on 2 cells gives [0, 0])."""
    i = np.arange(o)
    scale = _scale(n, o, factor, False, np.float32)
    if exact:
        src = ((i + 0.5) * np.float64(scale)).astype(np.float32)
    else:
        src = i.astype(np.float32) * scale
    return np.minimum(np.floor(src).astype(np.int64), n - 1)


def _linear_weights(n: int, o: int, factor, align_corners: bool, dtype):
    """PyTorch's ``compute_source_index_and_lambda`` (in float32 for float32 input)."""
    opmath = np.float64 if np.dtype(dtype) == np.float64 else np.float32
    i = np.arange(o)
    if o == n:
        return i, i, np.ones(o, dtype), np.zeros(o, dtype)
    scale = _scale(n, o, factor, align_corners, opmath)
    if align_corners:
        src = scale * i.astype(opmath)
    else:
        src = np.maximum(scale * (i.astype(opmath) + opmath(0.5)) - opmath(0.5), opmath(0))
    lo = np.minimum(np.floor(src.astype(np.float32)).astype(np.int64), n - 1)
    t = np.clip(src - lo.astype(opmath), opmath(0), opmath(1))
    hi = np.where(lo < n - 1, lo + 1, lo)
    return lo, hi, (opmath(1) - t).astype(dtype), t.astype(dtype)


def _check_mode(x: Tensor, mode: str, align_corners, antialias) -> None:
    if mode not in _MODES:
        raise ValueError(f"interpolate: mode={mode!r} is not supported by lucidnet; use one of "
                         f"{_MODES}")
    if mode in ("nearest", "nearest-exact", "area") and align_corners is not None:
        raise ValueError("interpolate: align_corners option can only be set with the "
                         "interpolating modes: linear | bilinear | bicubic | trilinear; leave "
                         f"it None with mode={mode!r}")
    if antialias:
        raise ValueError("interpolate: antialias=True is not supported by lucidnet; use "
                         "antialias=False (or mode='area' to downsample by averaging)")
    if x.ndim not in (3, 4, 5):
        raise InterpolateModeError(f"interpolate: Input Error: Only 3D, 4D and 5D input Tensors "
                                   f"supported (got {x.ndim}D) for the modes: {' | '.join(_MODES)}"
                                   f" (got {mode}); give (N, C, *spatial) input")
    rank = _LINEAR_RANK.get(mode)
    if rank is not None and x.ndim != rank:
        raise InterpolateModeError(f"interpolate: Got {x.ndim}D input, but {mode} mode needs "
                                   f"{rank}D input")
    if rank is not None and x.dtype.kind != "f":
        raise TypeError(f"interpolate: mode={mode!r} needs a floating input, got {x.dtype}; "
                        "cast it with x.float()")


def interpolate(input, size=None, scale_factor=None, mode: str = "nearest", align_corners=None,
                recompute_scale_factor=None, antialias: bool = False) -> Tensor:
    """Resize the spatial axes of (N, C, *S) ``input`` to ``size`` or by ``scale_factor`` with
    PyTorch's index rules (see the module docstring).

    For an axis of ``S`` cells resized to ``O`` with ``scale = 1/scale_factor`` (or ``S / O``):
    nearest ``out[i] = x[min(floor(i scale), S - 1)]``; linear
    ``out[i] = (1 - t) x[i0] + t x[i0 + 1]`` with ``src = (i + 0.5) scale - 0.5`` (or
    ``i (S - 1)/(O - 1)`` with ``align_corners=True``), ``i0 = floor(src)``, ``t = src - i0``;
    area: adaptive average pooling to ``O``.

    Parameters
    ----------
    input : Tensor
        (N, C, W), (N, C, H, W) or (N, C, D, H, W).
    size : int or tuple of int, optional
        Output spatial size (one per spatial axis, or one for all).
    scale_factor : float or tuple of float, optional
        Multiplier of the spatial sizes, ``O = floor(S * scale_factor)`` (exactly one of
        ``size`` and ``scale_factor``).
    mode : {"nearest", "nearest-exact", "linear", "bilinear", "trilinear", "area"}
        The rule; ``linear`` needs 3-d, ``bilinear`` 4-d, ``trilinear`` 5-d input.
    align_corners : bool, optional
        Linear modes only: map the corner cells onto each other (default False).
    recompute_scale_factor : bool, optional
        Use ``S / O`` instead of the given ``scale_factor`` in the index rule.
    antialias : bool, default False
        Not supported (True raises).

    Returns
    -------
    Tensor
        (N, C, *O).

    Examples
    --------
    >>> x = ln.tensor([[[1., 2., 4.]]])           # (N, C, W) = (1, 1, 3)
    >>> ln.nn.functional.interpolate(x, scale_factor=2).tolist()
    [[[1.0, 1.0, 2.0, 2.0, 4.0, 4.0]]]
    >>> ln.nn.functional.interpolate(x, size=5, mode="linear", align_corners=True).tolist()
    [[[1.0, 1.5, 2.0, 3.0, 4.0]]]
    >>> ln.nn.functional.interpolate(ln.ones(2, 3, 4, 4), scale_factor=2, mode="bilinear").shape
    torch.Size([2, 3, 8, 8])
    """
    x = input if isinstance(input, Tensor) else Tensor(np.asarray(input))
    _check_mode(x, mode, align_corners, antialias)
    nd = x.ndim - 2
    if mode == "area" and size is None:
        recompute_scale_factor = True
    out, factors = _sizes(x, size, scale_factor, recompute_scale_factor, nd)
    if any(n < 1 for n in x.shape[2:]) or any(o < 1 for o in out):
        raise ValueError(f"interpolate: Input and output sizes should be greater than 0, but "
                         f"got input {tuple(x.shape[2:])} and output {tuple(out)}")
    if mode == "area":
        from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d

        if nd == 3:
            raise ValueError("interpolate: mode='area' on 5-d input needs adaptive_avg_pool3d, "
                             "which lucidnet does not have")
        return (adaptive_avg_pool1d if nd == 1 else adaptive_avg_pool2d)(x, tuple(out))
    factors = factors or [None] * nd
    for axis in reversed(range(2, 2 + nd)):  # the last axis first, as PyTorch's kernels
        n, o, f = x.shape[axis], out[axis - 2], factors[axis - 2]
        if mode in ("nearest", "nearest-exact"):
            index = _nearest_index(n, o, f, mode == "nearest-exact")
            if o != n or np.any(index != np.arange(o)):
                x = AxisTake.apply(x, index=index, axis=axis)
            continue
        lo, hi, w_lo, w_hi = _linear_weights(n, o, f, bool(align_corners), x.dtype)
        shape = (o,) + (1,) * (x.ndim - axis - 1)
        x = Lerp.apply(x, lo=lo, hi=hi, w_lo=w_lo.reshape(shape), w_hi=w_hi.reshape(shape),
                       axis=axis)
    return x


def _deprecated(name: str) -> None:
    warnings.warn(f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", stacklevel=3)


def upsample(input, size=None, scale_factor=None, mode: str = "nearest", align_corners=None):
    """Deprecated alias of :func:`interpolate` (PyTorch's, with its warning).

    Parameters
    ----------
    input : Tensor
        (N, C, *S).
    size : int or tuple of int, optional
        Output spatial size (one per spatial axis, or one for all).
    scale_factor : float or tuple of float, optional
        Multiplier of the spatial sizes, ``O = floor(S * scale_factor)`` (exactly one of
        ``size`` and ``scale_factor``).
    mode : str, default "nearest"
        As in `interpolate`.
    align_corners : bool, optional
        As in `interpolate`.

    Examples
    --------
    >>> x = ln.tensor([[[1., 2., 4.]]])           # (N, C, W) = (1, 1, 3)
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     y = ln.nn.functional.upsample(x, scale_factor=2)
    >>> y.tolist(), str(caught[0].message)
    ([[[1.0, 1.0, 2.0, 2.0, 4.0, 4.0]]], '`nn.functional.upsample` is deprecated. Use
    `nn.functional.interpolate` instead.')
    """
    _deprecated("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(input, size, scale_factor, mode='nearest')``:
    ``out[i] = x[floor(i S / O)]`` per spatial axis.

    Parameters
    ----------
    input : Tensor
        (N, C, *S).
    size : int or tuple of int, optional
        Output spatial size (one per spatial axis, or one for all).
    scale_factor : float or tuple of float, optional
        Multiplier of the spatial sizes, ``O = floor(S * scale_factor)`` (exactly one of
        ``size`` and ``scale_factor``).

    Examples
    --------
    >>> x = ln.tensor([[[[1., 2.], [3., 4.]]]])   # (N, C, H, W) = (1, 1, 2, 2)
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     y = ln.nn.functional.upsample_nearest(x, scale_factor=2)
    >>> y.shape, caught[0].category.__name__
    (torch.Size([1, 1, 4, 4]), 'UserWarning')
    """
    _deprecated("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(..., mode='bilinear', align_corners=True)``: each output cell
    blends its two neighbours per axis, ``src = i (S - 1)/(O - 1)``.

    Parameters
    ----------
    input : Tensor
        (N, C, H, W).
    size : int or tuple of int, optional
        Output spatial size (one per spatial axis, or one for all).
    scale_factor : float or tuple of float, optional
        Multiplier of the spatial sizes, ``O = floor(S * scale_factor)`` (exactly one of
        ``size`` and ``scale_factor``).

    Examples
    --------
    >>> x = ln.tensor([[[[1., 2.], [3., 4.]]]])   # (N, C, H, W) = (1, 1, 2, 2)
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     y = ln.nn.functional.upsample_bilinear(x, size=3)
    >>> y.tolist()
    [[[[1.0, 1.5, 2.0], [2.0, 2.5, 3.0], [3.0, 3.5, 4.0]]]]
    """
    _deprecated("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


class Upsample(Module):
    """Module form of :func:`interpolate` (PyTorch's ``nn.Upsample``; its repr).

    Shape: (N, C, *S) -> (N, C, *O) with ``O = size`` or ``floor(S * scale_factor)``.

    Parameters
    ----------
    size : int or tuple of int, optional
        Output spatial size (one per spatial axis, or one for all).
    scale_factor : float or tuple of float, optional
        Multiplier of the spatial sizes, ``O = floor(S * scale_factor)`` (exactly one of
        ``size`` and ``scale_factor``).
    mode : str, default "nearest"
        One of the modes of `interpolate`.
    align_corners : bool, optional
        Linear modes only (see `interpolate`).
    recompute_scale_factor : bool, optional
        See `interpolate`.

    Examples
    --------
    >>> x = ln.tensor([[[1., 2., 4.]]])           # (N, C, W) = (1, 1, 3)
    >>> up = ln.nn.Upsample(scale_factor=2, mode="nearest")
    >>> up
    Upsample(scale_factor=2.0, mode='nearest')
    >>> up(x).tolist()
    [[[1.0, 1.0, 2.0, 2.0, 4.0, 4.0]]]
    """

    def __init__(self, size=None, scale_factor=None, mode: str = "nearest", align_corners=None,
                 recompute_scale_factor=None):
        super().__init__()
        if mode not in _MODES:
            raise ValueError(f"{type(self).__name__}: mode={mode!r} is not supported by "
                             f"lucidnet; use one of {_MODES}")
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode, self.align_corners = mode, align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, x) -> Tensor:
        return interpolate(x, self.size, self.scale_factor, self.mode, self.align_corners,
                           recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self) -> str:
        info = (f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None
                else f"size={self.size!r}")
        return info + f", mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """2-D nearest upsampling: ``interpolate(x, size, scale_factor, mode='nearest')``, i.e.
    ``out[h, w] = x[floor(h H / H_out), floor(w W / W_out)]``.

    Shape: (N, C, H, W) -> (N, C, H_out, W_out).

    Parameters
    ----------
    size : int or tuple of int, optional
        Output spatial size (one per spatial axis, or one for all).
    scale_factor : float or tuple of float, optional
        Multiplier of the spatial sizes, ``O = floor(S * scale_factor)`` (exactly one of
        ``size`` and ``scale_factor``).

    Examples
    --------
    >>> x = ln.tensor([[[[1., 2.], [3., 4.]]]])   # (N, C, H, W) = (1, 1, 2, 2)
    >>> ln.nn.UpsamplingNearest2d(scale_factor=2)(x).tolist()
    [[[[1.0, 1.0, 2.0, 2.0], [1.0, 1.0, 2.0, 2.0], [3.0, 3.0, 4.0, 4.0], [3.0, 3.0, 4.0, 4.0]]]]
    """

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """2-D bilinear upsampling with ``align_corners=True`` (PyTorch's definition): per axis
    ``src = i (S - 1)/(O - 1)``, ``out[i] = (1 - t) x[floor(src)] + t x[floor(src) + 1]``.

    Shape: (N, C, H, W) -> (N, C, H_out, W_out).

    Parameters
    ----------
    size : int or tuple of int, optional
        Output spatial size (one per spatial axis, or one for all).
    scale_factor : float or tuple of float, optional
        Multiplier of the spatial sizes, ``O = floor(S * scale_factor)`` (exactly one of
        ``size`` and ``scale_factor``).

    Examples
    --------
    >>> x = ln.tensor([[[[1., 2.], [3., 4.]]]])   # (N, C, H, W) = (1, 1, 2, 2)
    >>> ln.nn.UpsamplingBilinear2d(size=3)(x).tolist()    # the corners stay where they are
    [[[[1.0, 1.5, 2.0], [2.0, 2.5, 3.0], [3.0, 3.5, 4.0]]]]
    """

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


def pixel_shuffle(input, upscale_factor: int) -> Tensor:
    """(*, C r^2, H, W) -> (*, C, H r, W r): out[c, h r + i, w r + j] = x[c r^2 + i r + j, h, w]
    (a reshape and a permutation, so the gradient is the inverse rearrangement).

    Parameters
    ----------
    input : Tensor
        (*, C r^2, H, W), at least 3-d.
    upscale_factor : int
        ``r`` (>= 1).

    Returns
    -------
    Tensor
        (*, C, H r, W r).

    Examples
    --------
    >>> x = ln.arange(8.).reshape(1, 4, 1, 2)     # 4 channels = 1 * 2^2
    >>> y = ln.nn.functional.pixel_shuffle(x, 2)
    >>> y.shape, y.tolist()
    (torch.Size([1, 1, 2, 4]), [[[[0.0, 2.0, 1.0, 3.0], [4.0, 6.0, 5.0, 7.0]]]])
    """
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
    """The inverse of :func:`pixel_shuffle`: (*, C, H r, W r) -> (*, C r^2, H, W),
    ``out[c r^2 + i r + j, h, w] = x[c, h r + i, w r + j]``.

    Parameters
    ----------
    input : Tensor
        (*, C, H r, W r), at least 3-d, H and W divisible by ``r``.
    downscale_factor : int
        ``r`` (>= 1).

    Returns
    -------
    Tensor
        (*, C r^2, H, W).

    Examples
    --------
    >>> x = ln.arange(8.).reshape(1, 4, 1, 2)
    >>> back = ln.nn.functional.pixel_unshuffle(ln.nn.functional.pixel_shuffle(x, 2), 2)
    >>> bool((back == x).all())
    True
    >>> ln.nn.functional.pixel_unshuffle(ln.ones(1, 1, 4, 6), 2).shape
    torch.Size([1, 4, 2, 3])
    """
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
    """Rearrange (N, C r^2, H, W) into (N, C, H r, W r) (sub-pixel convolution upsampling):
    ``out[c, h r + i, w r + j] = x[c r^2 + i r + j, h, w]`` (see `pixel_shuffle`).

    Parameters
    ----------
    upscale_factor : int
        ``r`` (>= 1).

    Examples
    --------
    >>> layer = ln.nn.PixelShuffle(3)
    >>> layer
    PixelShuffle(upscale_factor=3)
    >>> layer(ln.ones(1, 18, 4, 4)).shape       # 18 = 2 * 3^2 channels -> 2
    torch.Size([1, 2, 12, 12])
    >>> layer(ln.ones(1, 4, 4, 4))
    Traceback (most recent call last):
    ...
    ValueError: pixel_shuffle expects (*, C * 9, H, W) input (channels divisible by ...
    """

    def __init__(self, upscale_factor: int):
        super().__init__()
        self.upscale_factor = _factor(upscale_factor, "PixelShuffle", "upscale_factor")

    def forward(self, x) -> Tensor:
        return pixel_shuffle(x, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """The inverse of PixelShuffle: (N, C, H r, W r) -> (N, C r^2, H, W) with
    ``out[c r^2 + i r + j, h, w] = x[c, h r + i, w r + j]`` (see `pixel_unshuffle`).

    Parameters
    ----------
    downscale_factor : int
        ``r`` (>= 1).

    Examples
    --------
    >>> x = ln.arange(16.).reshape(1, 1, 4, 4)
    >>> y = ln.nn.PixelUnshuffle(2)(x)
    >>> y.shape, y[0, :, 0, 0].tolist()       # the 2x2 top-left block becomes 4 channels
    (torch.Size([1, 4, 2, 2]), [0.0, 1.0, 4.0, 5.0])
    >>> bool((ln.nn.PixelShuffle(2)(y) == x).all())
    True
    """

    def __init__(self, downscale_factor: int):
        super().__init__()
        self.downscale_factor = _factor(downscale_factor, "PixelUnshuffle", "downscale_factor")

    def forward(self, x) -> Tensor:
        return pixel_unshuffle(x, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"
