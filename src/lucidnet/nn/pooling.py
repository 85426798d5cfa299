"""Pooling layers and their functional forms (SPEC B2): max and average pooling in 1-D and 2-D,
adaptive average pooling (output 1 = global average pooling). PyTorch names and defaults
(``stride=None`` means stride = kernel_size; ``ceil_mode`` is not supported)."""

from __future__ import annotations

import numpy as np

from ..autograd.ops.pool import AdaptiveAvgPool, AvgPool, MaxPool
from ..autograd.ops.shape import Concatenate
from ..autograd.tensor import Tensor
from .conv import check_input, check_window, ntuple
from .module import Module

__all__ = [
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "MaxPool1d",
    "MaxPool2d",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "max_pool1d",
    "max_pool2d",
]


def _pool_args(kernel_size, stride, padding, dilation, nd, where):
    kernel = ntuple(kernel_size, nd, "kernel_size", where)
    stride = kernel if stride is None else ntuple(stride, nd, "stride", where)
    dilation = ntuple(dilation, nd, "dilation", where)
    pads = ntuple(padding, nd, "padding", where, minimum=0)
    for p, k in zip(pads, kernel):
        if p > k // 2:  # PyTorch's rule: a window must never lie entirely in the padding
            raise ValueError(f"{where}: padding should be at most half of kernel size, got "
                             f"padding={padding} for kernel_size={kernel_size}")
    return kernel, stride, tuple((p, p) for p in pads), dilation


def _ceil_pads(spatial, kernel, stride, pads, dilation) -> tuple:
    """PyTorch's ceil_mode: one more window where a partial one remains, unless it would start
    in the right padding; the extra cells are right padding (-inf for max pooling)."""
    out = []
    for n, k, s, (p, _), d in zip(spatial, kernel, stride, pads, dilation):
        span = d * (k - 1) + 1
        count = -(-(n + 2 * p - span) // s) + 1
        if (count - 1) * s >= n + p:
            count -= 1
        out.append((p, p + max(0, (count - 1) * s + span - (n + 2 * p))))
    return tuple(out)


def _max_pool(x, kernel_size, stride, padding, dilation, nd, where, ceil_mode=False) -> Tensor:
    kernel, stride, pads, dilation = _pool_args(kernel_size, stride, padding, dilation, nd, where)
    x, unbatched = check_input(x, nd, where)
    check_window(x.shape[2:], kernel, dilation, pads, where)
    if ceil_mode:
        pads = _ceil_pads(x.shape[2:], kernel, stride, pads, dilation)
    out = MaxPool.apply(x, kernel=kernel, stride=stride, padding=pads, dilation=dilation)
    return out.reshape(out.shape[1:]) if unbatched else out


def _avg_pool(x, kernel_size, stride, padding, count_include_pad, nd, where) -> Tensor:
    kernel, stride, pads, _ = _pool_args(kernel_size, stride, padding, 1, nd, where)
    x, unbatched = check_input(x, nd, where)
    check_window(x.shape[2:], kernel, (1,) * nd, pads, where)
    out = AvgPool.apply(x, kernel=kernel, stride=stride, padding=pads,
                        count_include_pad=count_include_pad)
    return out.reshape(out.shape[1:]) if unbatched else out


def _adaptive_avg_pool(x, output_size, nd, where) -> Tensor:
    size = ntuple(output_size, nd, "output_size", where)
    x, unbatched = check_input(x, nd, where)
    out = AdaptiveAvgPool.apply(x, output_size=size)
    return out.reshape(out.shape[1:]) if unbatched else out


def _check_unsupported(where, ceil_mode=False, return_indices=False, divisor_override=None):
    if ceil_mode:
        raise ValueError(f"{where}: ceil_mode=True is not supported by lucidnet for average "
                         "pooling; pad the input (F.pad / padding=) so that the windows fit, or "
                         "use ceil_mode=False (max pooling supports it)")
    if return_indices:
        raise ValueError(f"{where}: return_indices=True is not supported by lucidnet (there is "
                         "no max_unpool); use return_indices=False")
    if divisor_override is not None:
        raise ValueError(f"{where}: divisor_override is not supported by lucidnet; multiply the "
                         "result by kernel_area / divisor instead")


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False) -> Tensor:
    x = input
    _check_unsupported("max_pool1d", return_indices=return_indices)
    return _max_pool(x, kernel_size, stride, padding, dilation, 1, "max_pool1d", ceil_mode)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False) -> Tensor:
    """out[n, c, i, j] = max over the window at (s i, s j) of the (-inf padded) input."""
    x = input
    _check_unsupported("max_pool2d", return_indices=return_indices)
    return _max_pool(x, kernel_size, stride, padding, dilation, 2, "max_pool2d", ceil_mode)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True) -> Tensor:
    x = input
    _check_unsupported("avg_pool1d", ceil_mode)
    return _avg_pool(x, kernel_size, stride, padding, count_include_pad, 1, "avg_pool1d")


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None) -> Tensor:
    """out[n, c, i, j] = mean over the window at (s i, s j) of the (zero padded) input
    (PyTorch's signature and order)."""
    x = input
    _check_unsupported("avg_pool2d", ceil_mode, divisor_override=divisor_override)
    return _avg_pool(x, kernel_size, stride, padding, count_include_pad, 2, "avg_pool2d")


def _adaptive_max_pool(x, output_size, nd, where) -> Tensor:
    """Max over PyTorch's adaptive windows [floor(i L / out), ceil((i + 1) L / out)) per axis,
    one window at a time, joined (a composite of max and concatenation)."""
    x, unbatched = check_input(x, nd, where)
    spatial = x.shape[2:]
    size = tuple(n if o is None else o for o, n in zip(
        (output_size,) * nd if isinstance(output_size, (int, np.integer)) or output_size is None
        else tuple(output_size), spatial))
    size = ntuple(size, nd, "output_size", where)
    axes = tuple(range(2, 2 + nd))
    out = x
    for axis, (n, o) in zip(axes, zip(spatial, size)):
        pieces = []
        for i in range(o):
            lo, hi = (i * n) // o, -(-((i + 1) * n) // o)
            key = (slice(None),) * axis + (slice(lo, hi),)
            pieces.append(out[key].amax(dim=axis, keepdim=True))
        out = Concatenate.apply(*pieces, axis=axis) if len(pieces) > 1 else pieces[0]
    return out.reshape(out.shape[1:]) if unbatched else out


def adaptive_max_pool1d(input, output_size, return_indices: bool = False) -> Tensor:
    _check_unsupported("adaptive_max_pool1d", return_indices=return_indices)
    return _adaptive_max_pool(input, output_size, 1, "adaptive_max_pool1d")


def adaptive_max_pool2d(input, output_size, return_indices: bool = False) -> Tensor:
    """Max pooling to a fixed output size (H_out, W_out); 1 = global max pooling."""
    _check_unsupported("adaptive_max_pool2d", return_indices=return_indices)
    return _adaptive_max_pool(input, output_size, 2, "adaptive_max_pool2d")


def adaptive_avg_pool1d(input, output_size) -> Tensor:
    x = input
    return _adaptive_avg_pool(x, output_size, 1, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input, output_size) -> Tensor:
    x = input
    return _adaptive_avg_pool(x, output_size, 2, "adaptive_avg_pool2d")


class _MaxPoolNd(Module):
    nd = 2

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__()
        name = type(self).__name__
        _check_unsupported(name, return_indices=return_indices)
        self.ceil_mode = bool(ceil_mode)
        self._given = (kernel_size, kernel_size if stride is None else stride, padding, dilation)
        self.kernel_size, self.stride, self._pads, self.dilation = _pool_args(
            kernel_size, stride, padding, dilation, self.nd, name)
        self.padding = ntuple(padding, self.nd, "padding", name, 0)

    def forward(self, x) -> Tensor:
        where = f"{type(self).__name__}({self.extra_repr()})"
        x, unbatched = check_input(x, self.nd, where)
        check_window(x.shape[2:], self.kernel_size, self.dilation, self._pads, where)
        pads = _ceil_pads(x.shape[2:], self.kernel_size, self.stride, self._pads,
                          self.dilation) if self.ceil_mode else self._pads
        out = MaxPool.apply(x, kernel=self.kernel_size, stride=self.stride, padding=pads,
                            dilation=self.dilation)
        return out.reshape(out.shape[1:]) if unbatched else out

    def extra_repr(self) -> str:
        k, s, p, d = self._given  # as given, like PyTorch's repr
        return f"kernel_size={k}, stride={s}, padding={p}, dilation={d}, ceil_mode={self.ceil_mode}"


class _AvgPoolNd(Module):
    nd = 2

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad: bool = True, divisor_override=None):
        super().__init__()
        name = type(self).__name__
        _check_unsupported(name, ceil_mode, divisor_override=divisor_override)
        self._given = (kernel_size, kernel_size if stride is None else stride, padding)
        self.kernel_size, self.stride, self._pads, _ = _pool_args(
            kernel_size, stride, padding, 1, self.nd, name)
        self.padding = ntuple(padding, self.nd, "padding", name, 0)
        self.count_include_pad = bool(count_include_pad)

    def forward(self, x) -> Tensor:
        where = f"{type(self).__name__}({self.extra_repr()})"
        x, unbatched = check_input(x, self.nd, where)
        check_window(x.shape[2:], self.kernel_size, (1,) * self.nd, self._pads, where)
        out = AvgPool.apply(x, kernel=self.kernel_size, stride=self.stride, padding=self._pads,
                            count_include_pad=self.count_include_pad)
        return out.reshape(out.shape[1:]) if unbatched else out

    def extra_repr(self) -> str:
        k, s, p = self._given
        return f"kernel_size={k}, stride={s}, padding={p}"


class MaxPool2d(_MaxPoolNd):
    """2-D max pooling over (N, C, H, W) (SPEC B2)."""

    nd = 2


class MaxPool1d(_MaxPoolNd):
    """1-D max pooling over (N, C, L) (SPEC B2)."""

    nd = 1


class AvgPool2d(_AvgPoolNd):
    """2-D average pooling over (N, C, H, W) (SPEC B2)."""

    nd = 2


class AvgPool1d(_AvgPoolNd):
    """1-D average pooling over (N, C, L) (SPEC B2)."""

    nd = 1


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed ``output_size`` (H_out, W_out); 1 = global average pooling."""

    nd = 2

    def __init__(self, output_size):
        super().__init__()
        self.output_size = ntuple(output_size, self.nd, "output_size", type(self).__name__)
        self._given = output_size

    def forward(self, x) -> Tensor:
        return _adaptive_avg_pool(x, self.output_size, self.nd, f"{type(self).__name__}"
                                  f"(output_size={self.output_size})")

    def extra_repr(self) -> str:
        return f"output_size={self._given}"


class AdaptiveAvgPool1d(AdaptiveAvgPool2d):
    """Average pooling of (N, C, L) to a fixed length; 1 = global average pooling."""

    nd = 1


class AdaptiveMaxPool2d(Module):
    """Max pooling to a fixed ``output_size`` (H_out, W_out); 1 = global max pooling."""

    nd = 2

    def __init__(self, output_size, return_indices: bool = False):
        super().__init__()
        _check_unsupported(type(self).__name__, return_indices=return_indices)
        self.output_size = output_size

    def forward(self, x) -> Tensor:
        return _adaptive_max_pool(x, self.output_size, self.nd,
                                  f"{type(self).__name__}(output_size={self.output_size})")

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(AdaptiveMaxPool2d):
    """Max pooling of (N, C, L) to a fixed length; 1 = global max pooling."""

    nd = 1
