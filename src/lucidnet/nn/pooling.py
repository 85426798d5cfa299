"""Pooling layers and their functional forms: max and average pooling in 1-D and 2-D
(``ceil_mode``, ``return_indices``, ``count_include_pad``, ``divisor_override``), adaptive max
and average pooling (output 1 = global pooling), and max unpooling. PyTorch's names, defaults
and rules (``stride=None`` means stride = kernel_size).

    output length   out = floor((S + 2 p - d (k - 1) - 1 + (s - 1 if ceil_mode)) / s) + 1,
                    less one if ceil_mode's last window would start in the right padding
    max pooling     out[n, c, i] = max over window i of the -inf padded input; the index is
                    the flat position in the plane x[n, c] of the first maximum in window order
                    (or of its last NaN), as PyTorch's ``max_pool2d_with_indices``
    avg pooling     out[n, c, i] = sum over window i / D, D = the window's cells inside the
                    input + padding (count_include_pad), or inside the input, or divisor_override
    adaptive        window i of S cells into O: [floor(i S / O), ceil((i + 1) S / O))
    max unpooling   out[n, c].flat[indices[n, c, i]] = x[n, c, i], zero elsewhere; default
                    output length (S - 1) s - 2 p + k
"""

from __future__ import annotations

import numpy as np

from ..autograd.ops.pool import (
    AdaptiveAvgPool,
    AvgPool,
    MaxPool,
    MaxUnpool,
    PlaneGather,
    adaptive_max_indices,
    max_pool_indices,
)
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
    "MaxUnpool1d",
    "MaxUnpool2d",
    "UnpoolError",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "max_pool1d",
    "max_pool2d",
    "max_unpool1d",
    "max_unpool2d",
]


class UnpoolError(RuntimeError, ValueError):
    """Indices that do not fit max unpooling (a RuntimeError in PyTorch; a ValueError by the
    house rule).

    Examples
    --------
    >>> y = ln.tensor([[[4., 3.]]])
    >>> ln.nn.functional.max_unpool1d(y, ln.tensor([[[9, 1]]]), 2)   # output has 4 cells
    Traceback (most recent call last):
    ...
    lucidnet.nn.pooling.UnpoolError: max_unpool1d: found an invalid max index: 9 (output ...
    """


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
    in the right padding; the extra cells are right padding (-inf for max pooling, not counted
    by average pooling)."""
    out = []
    for n, k, s, (p, _), d in zip(spatial, kernel, stride, pads, dilation):
        span = d * (k - 1) + 1
        count = -(-(n + 2 * p - span) // s) + 1
        if (count - 1) * s >= n + p:
            count -= 1
        out.append((p, p + max(0, (count - 1) * s + span - (n + 2 * p))))
    return tuple(out)


def _plain(x: Tensor) -> np.ndarray:
    data = x.data
    return data.view(np.ndarray) if type(data) is not np.ndarray else data


def _squeeze(unbatched: bool, *tensors):
    if unbatched:
        tensors = tuple(t.reshape(t.shape[1:]) for t in tensors)
    return tensors if len(tensors) > 1 else tensors[0]


def _max_pool(x, kernel, stride, pads, dilation, ceil_mode, return_indices, where):
    """Max pooling with validated arguments (``pads`` = ((p, p), ...))."""
    x, unbatched = check_input(x, len(kernel), where)
    check_window(x.shape[2:], kernel, dilation, pads, where)
    if ceil_mode:
        pads = _ceil_pads(x.shape[2:], kernel, stride, pads, dilation)
    if not return_indices:
        out = MaxPool.apply(x, kernel=kernel, stride=stride, padding=pads, dilation=dilation)
        return _squeeze(unbatched, out)
    _, index = max_pool_indices(_plain(x), kernel, stride, pads, dilation)
    return _squeeze(unbatched, PlaneGather.apply(x, index=index), Tensor._wrap(index))


def _avg_pool(x, kernel, stride, pads, ceil_mode, count_include_pad, divisor_override, where):
    """Average pooling with validated arguments (``pads`` = ((p, p), ...))."""
    x, unbatched = check_input(x, len(kernel), where)
    ones = (1,) * len(kernel)
    check_window(x.shape[2:], kernel, ones, pads, where)
    symmetric = tuple(lo for lo, _ in pads)
    if ceil_mode:
        pads = _ceil_pads(x.shape[2:], kernel, stride, pads, ones)
    out = AvgPool.apply(x, kernel=kernel, stride=stride, padding=pads, pads=symmetric,
                        count_include_pad=bool(count_include_pad),
                        divisor_override=divisor_override)
    return _squeeze(unbatched, out)


def _divisor(value, where):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{where}: divisor_override must be an int or None, got {value!r}")
    if value == 0:
        raise ValueError(f"{where}: divisor must be not zero (divisor_override=0); give a "
                         "nonzero int or None")
    return int(value)


def _adaptive_size(output_size, spatial, nd, where) -> tuple:
    """PyTorch's output_size: an int, or nd entries each an int or None (None keeps the
    input's size on that axis)."""
    if isinstance(output_size, (list, tuple)) and len(output_size) == nd:
        output_size = tuple(n if o is None else o for o, n in zip(output_size, spatial))
    return ntuple(output_size, nd, "output_size", where)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """1-D max pooling of (N, C, L) or (C, L); with ``return_indices``, ``(values, indices)``
    (int64 positions along L, as PyTorch).

    Output size per axis: ``floor((L + 2p - d (K - 1) - 1) / s) + 1`` (``ceil`` with
    ``ceil_mode``).

    Parameters
    ----------
    input : Tensor
        (N, C, L) or (C, L).
    kernel_size : int or tuple
        K, the window size per axis.
    stride : int or tuple, optional
        s, the step between windows (default ``kernel_size``).
    padding : int or tuple, default 0
        p, implicit -inf padding on both sides (at most K // 2).
    dilation : int or tuple, default 1
        d, the spacing between window taps.
    ceil_mode : bool, default False
        Round the output size up (a last, partial window).
    return_indices : bool, default False
        Also return the argmax positions (for max unpooling).

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.max_pool1d(ln.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2)
    tensor([[[3., 2.]]])
    """
    args = _pool_args(kernel_size, stride, padding, dilation, 1, "max_pool1d")
    return _max_pool(input, *args, ceil_mode, return_indices, "max_pool1d")


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """out[n, c, i, j] = max over the window at (s i, s j) of the (-inf padded) input; with
    ``return_indices``, ``(values, indices)``: int64 flat positions h * W + w in each plane.

    Output size per axis: ``floor((L + 2p - d (K - 1) - 1) / s) + 1`` (``ceil`` with
    ``ceil_mode``).

    Parameters
    ----------
    input : Tensor
        (N, C, H, W) or (C, H, W).
    kernel_size : int or tuple
        K, the window size per axis.
    stride : int or tuple, optional
        s, the step between windows (default ``kernel_size``).
    padding : int or tuple, default 0
        p, implicit -inf padding on both sides (at most K // 2).
    dilation : int or tuple, default 1
        d, the spacing between window taps.
    ceil_mode : bool, default False
        Round the output size up (a last, partial window).
    return_indices : bool, default False
        Also return the argmax positions (for max unpooling).

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.max_pool2d(ln.arange(16.0).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    """
    args = _pool_args(kernel_size, stride, padding, dilation, 2, "max_pool2d")
    return _max_pool(input, *args, ceil_mode, return_indices, "max_pool2d")


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True) -> Tensor:
    """1-D average pooling of (N, C, L) or (C, L) (PyTorch's signature: no divisor_override).

    Output size per axis: ``floor((L + 2p - K) / s) + 1`` (``ceil`` with ``ceil_mode``).

    Parameters
    ----------
    input : Tensor
        (N, C, L) or (C, L).
    kernel_size : int or tuple
        K, the window size per axis.
    stride : int or tuple, optional
        s, the step between windows (default ``kernel_size``).
    padding : int or tuple, default 0
        p, implicit zero padding on both sides (at most K // 2).
    ceil_mode : bool, default False
        Round the output size up (a last, partial window).
    count_include_pad : bool, default True
        Count the padded zeros in the divisor D (else D counts real cells only).

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.avg_pool1d(ln.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2)
    tensor([[[2., 1.]]])
    """
    kernel, stride, pads, _ = _pool_args(kernel_size, stride, padding, 1, 1, "avg_pool1d")
    return _avg_pool(input, kernel, stride, pads, ceil_mode, count_include_pad, None,
                     "avg_pool1d")


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None) -> Tensor:
    """out[n, c, i, j] = sum over the window at (s i, s j) of the (zero padded) input / D
    (PyTorch's signature, order and divisor rule).

    Output size per axis: ``floor((L + 2p - K) / s) + 1`` (``ceil`` with ``ceil_mode``).

    Parameters
    ----------
    input : Tensor
        (N, C, H, W) or (C, H, W).
    kernel_size : int or tuple
        K, the window size per axis.
    stride : int or tuple, optional
        s, the step between windows (default ``kernel_size``).
    padding : int or tuple, default 0
        p, implicit zero padding on both sides (at most K // 2).
    ceil_mode : bool, default False
        Round the output size up (a last, partial window).
    count_include_pad : bool, default True
        Count the padded zeros in the divisor D (else D counts real cells only).
    divisor_override : int, optional
        Use this D for every window.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.avg_pool2d(ln.arange(16.0).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 2.5000,  4.5000],
              [10.5000, 12.5000]]]])
    """
    kernel, stride, pads, _ = _pool_args(kernel_size, stride, padding, 1, 2, "avg_pool2d")
    return _avg_pool(input, kernel, stride, pads, ceil_mode, count_include_pad,
                     _divisor(divisor_override, "avg_pool2d"), "avg_pool2d")


def _adaptive_avg_pool(x, output_size, nd, where) -> Tensor:
    x, unbatched = check_input(x, nd, where)
    size = _adaptive_size(output_size, x.shape[2:], nd, where)
    return _squeeze(unbatched, AdaptiveAvgPool.apply(x, output_size=size))


def _adaptive_max_pool(x, output_size, return_indices, nd, where):
    """Max over PyTorch's adaptive windows, the gradient routed to the chosen index."""
    x, unbatched = check_input(x, nd, where)
    size = _adaptive_size(output_size, x.shape[2:], nd, where)
    if 0 in x.shape[2:]:
        raise ValueError(f"{where}: the input's spatial size {tuple(x.shape[2:])} must be "
                         "positive")
    _, index = adaptive_max_indices(_plain(x), size)
    out = PlaneGather.apply(x, index=index)
    if return_indices:
        return _squeeze(unbatched, out, Tensor._wrap(index))
    return _squeeze(unbatched, out)


def adaptive_max_pool1d(input, output_size, return_indices: bool = False):
    """Max pooling of (N, C, L) to length ``output_size``; with ``return_indices``,
    ``(values, indices)``: ``out[i] = max of x over bin i``.

    Bin ``i`` of an axis of ``L`` cells pooled to ``O`` covers
    ``[floor(i L / O), ceil((i + 1) L / O))`` (bins may overlap when ``O`` does not divide ``L``).

    Parameters
    ----------
    input : Tensor
        (N, C, L) or (C, L).
    output_size : int
        ``O``, the output length.
    return_indices : bool, default False
        Also return the position in ``[0, L)`` of each maximum (for `max_unpool1d`).

    Returns
    -------
    Tensor or (Tensor, Tensor)
        (N, C, O) values (and int64 indices).

    Examples
    --------
    >>> x = ln.tensor([[[1., 3., 2., 6., 5.]]])        # bins [0, 3) and [2, 5)
    >>> values, indices = ln.nn.functional.adaptive_max_pool1d(x, 2, return_indices=True)
    >>> values.tolist(), indices.tolist()
    ([[[3.0, 6.0]]], [[[1, 3]]])
    """
    return _adaptive_max_pool(input, output_size, return_indices, 1, "adaptive_max_pool1d")


def adaptive_max_pool2d(input, output_size, return_indices: bool = False):
    """Max pooling to a fixed output size (H_out, W_out) (None keeps that size; 1 = global max
    pooling); with ``return_indices``, ``(values, indices)`` (flat positions h * W + w).

    Bin ``i`` of an axis of ``L`` cells pooled to ``O`` covers
    ``[floor(i L / O), ceil((i + 1) L / O))`` (bins may overlap when ``O`` does not divide ``L``).

    Parameters
    ----------
    input : Tensor
        (N, C, H, W) or (C, H, W).
    output_size : int or (int or None, int or None)
        ``(H_out, W_out)``, or one int for both.
    return_indices : bool, default False
        Also return the flat index ``h W + w`` of each maximum (for `max_unpool2d`).

    Returns
    -------
    Tensor or (Tensor, Tensor)
        (N, C, H_out, W_out) values (and int64 indices).

    Examples
    --------
    >>> x = ln.arange(16.).reshape(1, 1, 4, 4)
    >>> values, indices = ln.nn.functional.adaptive_max_pool2d(x, 2, return_indices=True)
    >>> values.tolist(), indices.tolist()         # each 2x2 block's bottom-right cell
    ([[[[5.0, 7.0], [13.0, 15.0]]]], [[[[5, 7], [13, 15]]]])
    """
    return _adaptive_max_pool(input, output_size, return_indices, 2, "adaptive_max_pool2d")


def adaptive_avg_pool1d(input, output_size) -> Tensor:
    """Average pooling of (N, C, L) to length ``output_size``: ``out[i] = mean of x over bin i``.

    Bin ``i`` of an axis of ``L`` cells pooled to ``O`` covers
    ``[floor(i L / O), ceil((i + 1) L / O))`` (bins may overlap when ``O`` does not divide ``L``).

    Parameters
    ----------
    input : Tensor
        (N, C, L) or (C, L).
    output_size : int
        ``O``, the output length.

    Returns
    -------
    Tensor
        (N, C, O).

    Examples
    --------
    >>> x = ln.tensor([[[1., 3., 2., 6., 5.]]])        # bins [0, 3) and [2, 5)
    >>> [round(v, 4) for v in ln.nn.functional.adaptive_avg_pool1d(x, 2)[0, 0].tolist()]
    [2.0, 4.3333]
    """
    return _adaptive_avg_pool(input, output_size, 1, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input, output_size) -> Tensor:
    """Average pooling to a fixed output size (H_out, W_out); None keeps that input size:
    ``out[i, j] = mean of x over bin i of H times bin j of W``.

    Bin ``i`` of an axis of ``L`` cells pooled to ``O`` covers
    ``[floor(i L / O), ceil((i + 1) L / O))`` (bins may overlap when ``O`` does not divide ``L``).

    Parameters
    ----------
    input : Tensor
        (N, C, H, W) or (C, H, W).
    output_size : int or (int or None, int or None)
        ``(H_out, W_out)``, or one int for both (1: global average pooling).

    Returns
    -------
    Tensor
        (N, C, H_out, W_out).

    Examples
    --------
    >>> x = ln.arange(16.).reshape(1, 1, 4, 4)
    >>> ln.nn.functional.adaptive_avg_pool2d(x, 2).tolist()
    [[[[2.5, 4.5], [10.5, 12.5]]]]
    >>> ln.nn.functional.adaptive_avg_pool2d(ln.ones(2, 3, 7, 5), 1).shape
    torch.Size([2, 3, 1, 1])
    """
    return _adaptive_avg_pool(input, output_size, 2, "adaptive_avg_pool2d")


# ---------------------------------------------------------------------------- max unpooling
def _unpool_size(in_spatial, kernel, stride, pads, output_size, where) -> tuple:
    """PyTorch's ``_unpool_output_size``: (S - 1) s - 2 p + k per axis, or ``output_size``
    (its last nd entries when it has nd + 2), each strictly within the default +- stride."""
    nd = len(kernel)
    default = tuple((n - 1) * s + k - 2 * p for n, k, s, p in zip(in_spatial, kernel, stride,
                                                                  pads))
    if output_size is None:
        size = default
    else:
        size = (output_size,) if isinstance(output_size, (int, np.integer)) else tuple(output_size)
        if len(size) == nd + 2:
            size = size[2:]
        if len(size) != nd:
            raise ValueError(f"{where}: output_size should be a sequence containing {nd} or "
                             f"{nd + 2} elements, but it has a length of '{len(size)}'")
        size = tuple(int(v) for v in size)
        for d, (v, dv, s) in enumerate(zip(size, default, stride)):
            if not dv - s < v < dv + s:
                raise ValueError(f'{where}: invalid output_size "{list(size)}" (dim {d} must be '
                                 f"between {dv - s} and {dv + s})")
    for d, v in enumerate(size):
        if v < 0:
            raise ValueError(f"{where}: output_size must contain non-negative spatial "
                             f"dimensions, but got output_size[{d}]={v}")
    return size


def _max_unpool(x, indices, kernel, stride, pads, output_size, where) -> Tensor:
    nd = len(kernel)
    given = tuple(np.shape(x.data if isinstance(x, Tensor) else x))
    x, unbatched = check_input(x, nd, where)
    index = indices.data if isinstance(indices, Tensor) else np.asarray(indices)
    if index.dtype != np.int64:
        raise TypeError(f"{where}: indices must be int64 (as max_pool{nd}d(..., "
                        f"return_indices=True) returns them), got {index.dtype}")
    if tuple(index.shape) != given:
        raise UnpoolError(f"{where}: expected indices of the input's shape {given}, got "
                         f"{tuple(index.shape)}")
    index = index.reshape(x.shape)
    size = _unpool_size(x.shape[2:], kernel, stride, tuple(p for p, _ in pads), output_size,
                        where)
    plane = int(np.prod(size))
    if index.size and (index.min() < 0 or index.max() >= plane):
        bad = int(index.max() if index.max() >= plane else index.min())
        raise UnpoolError(f"{where}: found an invalid max index: {bad} (output volumes are of "
                         f"size {'x'.join(map(str, size))}); the indices must come from the "
                         "max pooling whose input had that output_size")
    out = MaxUnpool.apply(x, index=index, shape=x.shape[:2] + size)
    return _squeeze(unbatched, out)


def _unpool_args(kernel_size, stride, padding, nd, where):
    kernel = ntuple(kernel_size, nd, "kernel_size", where)
    stride = kernel if stride is None else ntuple(stride, nd, "stride", where)
    pads = ntuple(padding, nd, "padding", where, minimum=0)
    return kernel, stride, tuple((p, p) for p in pads)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """The partial inverse of max_pool1d: each value put back at its index, zeros elsewhere:
    ``out[n, c, indices[n, c, i]] = x[n, c, i]``.

    Parameters
    ----------
    input : Tensor
        (N, C, L_in) or (C, L_in), the pooled values.
    indices : Tensor of int
        Same shape, from ``max_pool1d(..., return_indices=True)``.
    kernel_size, stride, padding : int
        Those of the pooling (``stride`` defaults to ``kernel_size``).
    output_size : int or tuple, optional
        The length before pooling, when the default
        ``L_out = (L_in - 1) stride - 2 padding + kernel_size`` is not it.

    Returns
    -------
    Tensor
        (N, C, L_out).

    Raises
    ------
    UnpoolError
        For an index outside ``[0, L_out)``.

    Examples
    --------
    >>> x = ln.tensor([[[1., 4., 3., 2.]]])
    >>> y, idx = ln.nn.functional.max_pool1d(x, 2, return_indices=True)
    >>> y.tolist(), idx.tolist()
    ([[[4.0, 3.0]]], [[[1, 2]]])
    >>> ln.nn.functional.max_unpool1d(y, idx, 2).tolist()
    [[[0.0, 4.0, 3.0, 0.0]]]
    """
    kernel, stride, pads = _unpool_args(kernel_size, stride, padding, 1, "max_unpool1d")
    return _max_unpool(input, indices, kernel, stride, pads, output_size, "max_unpool1d")


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """The partial inverse of max_pool2d: out[n, c].flat[indices[n, c, i, j]] = x[n, c, i, j],
    zeros elsewhere; the gradient reads g back at the indices.

    Parameters
    ----------
    input : Tensor
        (N, C, H_in, W_in) or (C, H_in, W_in), the pooled values.
    indices : Tensor of int
        Same shape, flat indices ``h W_out + w`` from ``max_pool2d(..., return_indices=True)``.
    kernel_size, stride, padding : int or (int, int)
        Those of the pooling (``stride`` defaults to ``kernel_size``).
    output_size : tuple, optional
        The size before pooling, when the default
        ``(S_in - 1) stride - 2 padding + kernel_size`` per axis is not it.

    Returns
    -------
    Tensor
        (N, C, H_out, W_out).

    Examples
    --------
    >>> x = ln.arange(16.).reshape(1, 1, 4, 4)
    >>> y, idx = ln.nn.functional.max_pool2d(x, 2, return_indices=True)
    >>> ln.nn.functional.max_unpool2d(y, idx, 2)[0, 0].tolist()
    [[0.0, 0.0, 0.0, 0.0], [0.0, 5.0, 0.0, 7.0], [0.0, 0.0, 0.0, 0.0], [0.0, 13.0, 0.0, 15.0]]
    """
    kernel, stride, pads = _unpool_args(kernel_size, stride, padding, 2, "max_unpool2d")
    return _max_unpool(input, indices, kernel, stride, pads, output_size, "max_unpool2d")


# ---------------------------------------------------------------------------- modules
class _MaxPoolNd(Module):
    nd = 2

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__()
        name = type(self).__name__
        self.return_indices = bool(return_indices)
        self.ceil_mode = bool(ceil_mode)
        self._given = (kernel_size, kernel_size if stride is None else stride, padding, dilation)
        self.kernel_size, self.stride, self._pads, self.dilation = _pool_args(
            kernel_size, stride, padding, dilation, self.nd, name)
        self.padding = ntuple(padding, self.nd, "padding", name, 0)

    def forward(self, x):
        where = f"{type(self).__name__}({self.extra_repr()})"
        return _max_pool(x, self.kernel_size, self.stride, self._pads, self.dilation,
                         self.ceil_mode, self.return_indices, where)

    def extra_repr(self) -> str:
        k, s, p, d = self._given  # as given, like PyTorch's repr
        return f"kernel_size={k}, stride={s}, padding={p}, dilation={d}, ceil_mode={self.ceil_mode}"


class _AvgPoolNd(Module):
    nd = 2

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad: bool = True, divisor_override=None):
        super().__init__()
        name = type(self).__name__
        self._given = (kernel_size, kernel_size if stride is None else stride, padding)
        self.kernel_size, self.stride, self._pads, _ = _pool_args(
            kernel_size, stride, padding, 1, self.nd, name)
        self.padding = ntuple(padding, self.nd, "padding", name, 0)
        self.ceil_mode = bool(ceil_mode)
        self.count_include_pad = bool(count_include_pad)
        self.divisor_override = _divisor(divisor_override, name)

    def forward(self, x) -> Tensor:
        where = f"{type(self).__name__}({self.extra_repr()})"
        return _avg_pool(x, self.kernel_size, self.stride, self._pads, self.ceil_mode,
                         self.count_include_pad, self.divisor_override, where)

    def extra_repr(self) -> str:
        k, s, p = self._given
        return f"kernel_size={k}, stride={s}, padding={p}"


class MaxPool2d(_MaxPoolNd):
    """2-D max pooling over (N, C, H, W); ``return_indices=True`` returns
    ``(values, indices)`` for :class:`MaxUnpool2d`.

    Output size per axis: ``floor((L + 2p - d (K - 1) - 1) / s) + 1`` (``ceil`` with
    ``ceil_mode``).

    Parameters
    ----------
    kernel_size : int or tuple
        K, the window size per axis.
    stride : int or tuple, optional
        s, the step between windows (default ``kernel_size``).
    padding : int or tuple, default 0
        p, implicit -inf padding on both sides (at most K // 2).
    dilation : int or tuple, default 1
        d, the spacing between window taps.
    ceil_mode : bool, default False
        Round the output size up (a last, partial window).
    return_indices : bool, default False
        Also return the argmax positions (for max unpooling).

    Examples
    --------
    >>> x = ln.arange(16.0).reshape(1, 1, 4, 4)
    >>> ln.nn.MaxPool2d(2)(x)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    """

    nd = 2


class MaxPool1d(_MaxPoolNd):
    """1-D max pooling over (N, C, L); ``return_indices=True`` returns
    ``(values, indices)`` for :class:`MaxUnpool1d`.

    Output size per axis: ``floor((L + 2p - d (K - 1) - 1) / s) + 1`` (``ceil`` with
    ``ceil_mode``).

    Parameters
    ----------
    kernel_size : int or tuple
        K, the window size per axis.
    stride : int or tuple, optional
        s, the step between windows (default ``kernel_size``).
    padding : int or tuple, default 0
        p, implicit -inf padding on both sides (at most K // 2).
    dilation : int or tuple, default 1
        d, the spacing between window taps.
    ceil_mode : bool, default False
        Round the output size up (a last, partial window).
    return_indices : bool, default False
        Also return the argmax positions (for max unpooling).

    Examples
    --------
    >>> ln.nn.MaxPool1d(2)(ln.tensor([[[1.0, 3.0, 2.0, 0.0]]]))
    tensor([[[3., 2.]]])
    """

    nd = 1


class AvgPool2d(_AvgPoolNd):
    """2-D average pooling over (N, C, H, W).

    Output size per axis: ``floor((L + 2p - K) / s) + 1`` (``ceil`` with ``ceil_mode``).

    Parameters
    ----------
    kernel_size : int or tuple
        K, the window size per axis.
    stride : int or tuple, optional
        s, the step between windows (default ``kernel_size``).
    padding : int or tuple, default 0
        p, implicit zero padding on both sides (at most K // 2).
    ceil_mode : bool, default False
        Round the output size up (a last, partial window).
    count_include_pad : bool, default True
        Count the padded zeros in the divisor D (else D counts real cells only).
    divisor_override : int, optional
        Use this D for every window.

    Examples
    --------
    >>> x = ln.arange(16.0).reshape(1, 1, 4, 4)
    >>> ln.nn.AvgPool2d(2)(x)
    tensor([[[[ 2.5000,  4.5000],
              [10.5000, 12.5000]]]])
    """

    nd = 2


class AvgPool1d(_AvgPoolNd):
    """1-D average pooling over (N, C, L); PyTorch's signature (no divisor_override)
    and repr (the sizes as 1-tuples).

    Output size per axis: ``floor((L + 2p - K) / s) + 1`` (``ceil`` with ``ceil_mode``).

    Parameters
    ----------
    kernel_size : int or tuple
        K, the window size per axis.
    stride : int or tuple, optional
        s, the step between windows (default ``kernel_size``).
    padding : int or tuple, default 0
        p, implicit zero padding on both sides (at most K // 2).
    ceil_mode : bool, default False
        Round the output size up (a last, partial window).
    count_include_pad : bool, default True
        Count the padded zeros in the divisor D (else D counts real cells only).

    Examples
    --------
    >>> ln.nn.AvgPool1d(2)(ln.tensor([[[1.0, 3.0, 2.0, 0.0]]]))
    tensor([[[2., 1.]]])
    """

    nd = 1

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad: bool = True):
        super().__init__(kernel_size, stride, padding, ceil_mode, count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed ``output_size`` (H_out, W_out; None keeps that input size);
    1 = global average pooling.

    Parameters
    ----------
    output_size : int or tuple of (int or None)
        The output size (one per spatial axis, or one for all; None keeps the input's).

    Examples
    --------
    >>> ln.nn.AdaptiveAvgPool2d(1)(ln.ones(2, 3, 5, 7)).shape    # global average pooling
    torch.Size([2, 3, 1, 1])
    """

    nd = 2

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size
        _adaptive_size(output_size, (1,) * self.nd, self.nd, type(self).__name__)  # validate

    def forward(self, x) -> Tensor:
        return _adaptive_avg_pool(x, self.output_size, self.nd, f"{type(self).__name__}"
                                  f"(output_size={self.output_size})")

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(AdaptiveAvgPool2d):
    """Average pooling of (N, C, L) to a fixed length; 1 = global average pooling.

    Parameters
    ----------
    output_size : int or tuple of (int or None)
        The output size (one per spatial axis, or one for all; None keeps the input's).

    Examples
    --------
    >>> ln.nn.AdaptiveAvgPool1d(2)(ln.tensor([[[1.0, 3.0, 2.0, 0.0]]]))
    tensor([[[2., 1.]]])
    """

    nd = 1


class AdaptiveMaxPool2d(Module):
    """Max pooling to a fixed ``output_size`` (H_out, W_out; None keeps that input size);
    1 = global max pooling; ``return_indices=True`` returns ``(values, indices)``.

    Parameters
    ----------
    output_size : int or tuple of (int or None)
        The output size (one per spatial axis, or one for all; None keeps the input's).
    return_indices : bool, default False
        Also return the argmax positions (flat ``h W + w``).

    Examples
    --------
    >>> ln.nn.AdaptiveMaxPool2d((2, 2))(ln.ones(1, 1, 5, 4)).shape
    torch.Size([1, 1, 2, 2])
    """

    nd = 2

    def __init__(self, output_size, return_indices: bool = False):
        super().__init__()
        _adaptive_size(output_size, (1,) * self.nd, self.nd, type(self).__name__)  # validate
        self.output_size = output_size
        self.return_indices = bool(return_indices)

    def forward(self, x):
        return _adaptive_max_pool(x, self.output_size, self.return_indices, self.nd,
                                  f"{type(self).__name__}(output_size={self.output_size})")

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(AdaptiveMaxPool2d):
    """Max pooling of (N, C, L) to a fixed length; 1 = global max pooling.

    Parameters
    ----------
    output_size : int or tuple of (int or None)
        The output size (one per spatial axis, or one for all; None keeps the input's).
    return_indices : bool, default False
        Also return the argmax positions.

    Examples
    --------
    >>> ln.nn.AdaptiveMaxPool1d(2)(ln.tensor([[[1.0, 3.0, 2.0, 0.0]]]))
    tensor([[[3., 2.]]])
    """

    nd = 1


class _MaxUnpoolNd(Module):
    nd = 2

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size, self.stride, pads = _unpool_args(kernel_size, stride, padding, self.nd,
                                                           type(self).__name__)
        self.padding = tuple(p for p, _ in pads)

    def forward(self, input, indices, output_size=None) -> Tensor:
        where = f"{type(self).__name__}({self.extra_repr()})"
        return _max_unpool(input, indices, self.kernel_size, self.stride,
                           tuple((p, p) for p in self.padding), output_size, where)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool2d(_MaxUnpoolNd):
    """The partial inverse of :class:`MaxPool2d` (``return_indices=True``): (N, C, H, W) values
    and indices to (N, C, H_out, W_out), zeros but at the indices; ``forward(input, indices,
    output_size=None)``.

    ``forward(input, indices, output_size=None)``: ``out.flat[indices[i]] = input[i]`` per
    (sample, channel) plane, default output size ``(S_in - 1) s - 2p + K`` per axis.

    Parameters
    ----------
    kernel_size : int or tuple
        K, the pooling's window.
    stride : int or tuple, optional
        s, the pooling's stride (default ``kernel_size``).
    padding : int or tuple, default 0
        p, the pooling's padding.

    Examples
    --------
    >>> x = ln.arange(16.0).reshape(1, 1, 4, 4)
    >>> y, idx = ln.nn.MaxPool2d(2, return_indices=True)(x)
    >>> ln.nn.MaxUnpool2d(2)(y, idx)
    tensor([[[[ 0.,  0.,  0.,  0.],
              [ 0.,  5.,  0.,  7.],
              [ 0.,  0.,  0.,  0.],
              [ 0., 13.,  0., 15.]]]])
    """

    nd = 2


class MaxUnpool1d(_MaxUnpoolNd):
    """The partial inverse of :class:`MaxPool1d` (``return_indices=True``) over (N, C, L).

    ``forward(input, indices, output_size=None)``: ``out.flat[indices[i]] = input[i]`` per
    (sample, channel) plane, default output size ``(S_in - 1) s - 2p + K`` per axis.

    Parameters
    ----------
    kernel_size : int or tuple
        K, the pooling's window.
    stride : int or tuple, optional
        s, the pooling's stride (default ``kernel_size``).
    padding : int or tuple, default 0
        p, the pooling's padding.

    Examples
    --------
    >>> y, idx = ln.nn.MaxPool1d(2, return_indices=True)(ln.tensor([[[1.0, 3.0, 2.0, 0.0]]]))
    >>> ln.nn.MaxUnpool1d(2)(y, idx)
    tensor([[[0., 3., 2., 0.]]])
    """

    nd = 1
