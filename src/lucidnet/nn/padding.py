"""``F.pad`` (constant mode) and the padding layers ``ZeroPad1d/2d``, ``ConstantPad1d/2d``.

``pad`` lists (left, right) pairs from the last dimension backwards, as PyTorch:
``pad=(1, 2)`` pads the last axis by 1 before and 2 after; ``(1, 1, 2, 0)`` also the one before.

    forward   out = x placed in a block of ``value`` (negative pads crop)
    backward  dx  = g cut back to x's window
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from .module import Module

__all__ = ["pad", "ZeroPad1d", "ZeroPad2d", "ConstantPad1d", "ConstantPad2d",
           "ReflectionPad1d", "ReflectionPad2d", "ReplicationPad1d", "ReplicationPad2d",
           "CircularPad1d", "CircularPad2d"]

# PyTorch's pad modes and the NumPy modes that index the padded positions
_MODES = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


class PadOp(Function):
    @staticmethod
    def forward(ctx, x, widths=(), value=0.0):
        grow = [(max(a, 0), max(b, 0)) for a, b in widths]
        out = np.pad(x, grow, mode="constant", constant_values=value)
        # negative pads crop after growing
        crop = tuple(slice(-min(a, 0), out.shape[i] + min(b, 0))
                     for i, (a, b) in enumerate(widths))
        out = out[crop]
        ctx.args = (x.shape, widths)
        return np.ascontiguousarray(out)

    @staticmethod
    def backward(ctx, g):
        shape, widths = ctx.args
        dx = np.zeros(shape, dtype=g.dtype)
        src, dst = [], []
        for (a, b), n in zip(widths, shape):
            # x index i sits at output index i + a; keep the part inside both
            lo, hi = max(0, -a), min(n, n + b)
            dst.append(slice(lo, max(lo, hi)))
            src.append(slice(lo + a, max(lo, hi) + a))
        dx[tuple(dst)] = g[tuple(src)]
        return dx


def pad(input, pad, mode: str = "constant", value=None) -> Tensor:
    """Pad ``input`` by ``pad`` = (left_last, right_last, left_second_last, ...): with ``value``
    (0 by default; negative amounts crop) for ``mode="constant"``, or by mirroring without the
    edge ("reflect"), repeating the edge ("replicate") or wrapping around ("circular")."""
    x = input if isinstance(input, Tensor) else Tensor(np.asarray(input))
    if mode not in _MODES:
        raise ValueError(f"pad: mode must be one of {tuple(_MODES)}, got {mode!r}")
    amounts = [int(p) for p in pad]
    if len(amounts) % 2 or len(amounts) // 2 > x.ndim:
        raise ValueError(f"pad: the padding must come in (left, right) pairs, at most one per "
                         f"dimension ({x.ndim}); got {tuple(pad)}")
    widths = [(0, 0)] * x.ndim
    for k in range(len(amounts) // 2):
        widths[x.ndim - 1 - k] = (amounts[2 * k], amounts[2 * k + 1])
    for (a, b), n in zip(widths, x.shape):
        if n + a + b < 0:
            raise ValueError(f"pad: the padding {tuple(pad)} would give a negative size for an "
                             f"input of shape {tuple(x.shape)}")
    if mode == "constant":
        return PadOp.apply(x, widths=tuple(widths), value=0.0 if value is None else float(value))
    k = len(amounts) // 2
    if k not in (1, 2, 3) or x.ndim not in (k + 1, k + 2):
        raise ValueError(f"pad: mode={mode!r} pads the last 1, 2 or 3 dimensions of a batched or "
                         f"unbatched input, as PyTorch: padding of length 2 for 2-d/3-d input, 4 "
                         f"for 3-d/4-d, 6 for 4-d/5-d; got length {len(amounts)} for a "
                         f"{x.ndim}-d input")
    if value not in (None, 0, 0.0):
        raise ValueError(f"pad: value= is only for mode='constant', got value={value!r} with "
                         f"mode={mode!r}")
    # reflect / replicate / circular: gather the padded positions by index along each padded
    # axis (the gradient of the gather adds up the repeated positions)
    for axis, (a, b) in enumerate(widths):
        if a == 0 and b == 0:
            continue
        n = x.shape[axis]
        if a < 0 or b < 0:
            raise ValueError(f"pad: negative padding is only for mode='constant', got {tuple(pad)}")
        if mode == "reflect" and (a >= n or b >= n):
            raise ValueError(f"pad: reflect padding ({a}, {b}) must be smaller than the size "
                             f"{n} of dimension {axis}")
        if mode == "circular" and (a > n or b > n):
            raise ValueError(f"pad: circular padding ({a}, {b}) must be at most the size {n} of "
                             f"dimension {axis}")
        index = np.pad(np.arange(n), (a, b), mode=_MODES[mode])
        x = x[(slice(None),) * axis + (index,)]
    return x


class _ConstantPadNd(Module):
    nd = 2

    def __init__(self, padding, value: float):
        super().__init__()
        if isinstance(padding, (int, np.integer)):
            padding = (int(padding),) * (2 * self.nd)
        self.padding = tuple(int(p) for p in padding)
        if len(self.padding) != 2 * self.nd:
            raise ValueError(f"{type(self).__name__}: padding must be an int or {2 * self.nd} "
                             f"ints, got {padding}")
        self.value = float(value)

    def forward(self, x) -> Tensor:
        return pad(x, self.padding, value=self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    nd = 1


class ConstantPad2d(_ConstantPadNd):
    nd = 2


class ZeroPad1d(ConstantPad1d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _IndexPadNd(Module):
    nd = 2
    mode = "reflect"

    def __init__(self, padding):
        super().__init__()
        if isinstance(padding, (int, np.integer)):
            padding = (int(padding),) * (2 * self.nd)
        self.padding = tuple(int(p) for p in padding)
        if len(self.padding) != 2 * self.nd:
            raise ValueError(f"{type(self).__name__}: padding must be an int or {2 * self.nd} "
                             f"ints, got {padding}")

    def forward(self, x) -> Tensor:
        return pad(x, self.padding, mode=self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ReflectionPad1d(_IndexPadNd):
    nd, mode = 1, "reflect"


class ReflectionPad2d(_IndexPadNd):
    nd, mode = 2, "reflect"


class ReplicationPad1d(_IndexPadNd):
    nd, mode = 1, "replicate"


class ReplicationPad2d(_IndexPadNd):
    nd, mode = 2, "replicate"


class CircularPad1d(_IndexPadNd):
    nd, mode = 1, "circular"


class CircularPad2d(_IndexPadNd):
    nd, mode = 2, "circular"
