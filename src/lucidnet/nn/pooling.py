"""Pooling layers and their functional forms (SPEC B2): max and average pooling in 1-D and 2-D,
adaptive average pooling (output 1 = global average pooling). PyTorch names and defaults
(``stride=None`` means stride = kernel_size; ``ceil_mode`` is not supported)."""

from __future__ import annotations

from ..autograd.ops.pool import AdaptiveAvgPool, AvgPool, MaxPool
from ..autograd.tensor import Tensor
from .conv import check_input, check_window, ntuple
from .module import Module

__all__ = [
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "MaxPool1d",
    "MaxPool2d",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
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


def _max_pool(x, kernel_size, stride, padding, dilation, nd, where) -> Tensor:
    kernel, stride, pads, dilation = _pool_args(kernel_size, stride, padding, dilation, nd, where)
    x, unbatched = check_input(x, nd, where)
    check_window(x.shape[2:], kernel, dilation, pads, where)
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
        raise ValueError(f"{where}: ceil_mode=True is not supported by lucidnet; pad the input "
                         "(F.pad / padding=) so that the windows fit, or use ceil_mode=False")
    if return_indices:
        raise ValueError(f"{where}: return_indices=True is not supported by lucidnet (there is "
                         "no max_unpool); use return_indices=False")
    if divisor_override is not None:
        raise ValueError(f"{where}: divisor_override is not supported by lucidnet; multiply the "
                         "result by kernel_area / divisor instead")


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False) -> Tensor:
    x = input
    _check_unsupported("max_pool1d", ceil_mode, return_indices)
    return _max_pool(x, kernel_size, stride, padding, dilation, 1, "max_pool1d")


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False) -> Tensor:
    """out[n, c, i, j] = max over the window at (s i, s j) of the (-inf padded) input."""
    x = input
    _check_unsupported("max_pool2d", ceil_mode, return_indices)
    return _max_pool(x, kernel_size, stride, padding, dilation, 2, "max_pool2d")


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
        _check_unsupported(name, ceil_mode, return_indices)
        self._given = (kernel_size, kernel_size if stride is None else stride, padding, dilation)
        self.kernel_size, self.stride, self._pads, self.dilation = _pool_args(
            kernel_size, stride, padding, dilation, self.nd, name)
        self.padding = ntuple(padding, self.nd, "padding", name, 0)

    def forward(self, x) -> Tensor:
        where = f"{type(self).__name__}({self.extra_repr()})"
        x, unbatched = check_input(x, self.nd, where)
        check_window(x.shape[2:], self.kernel_size, self.dilation, self._pads, where)
        out = MaxPool.apply(x, kernel=self.kernel_size, stride=self.stride, padding=self._pads,
                            dilation=self.dilation)
        return out.reshape(out.shape[1:]) if unbatched else out

    def extra_repr(self) -> str:
        k, s, p, d = self._given  # as given, like PyTorch's repr
        return f"kernel_size={k}, stride={s}, padding={p}, dilation={d}, ceil_mode=False"


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
