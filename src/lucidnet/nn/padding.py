"""``F.pad`` and the padding layers ``ZeroPad``, ``ConstantPad``, ``ReflectionPad``,
``ReplicationPad`` and ``CircularPad`` (1-D, 2-D and 3-D), with PyTorch's rules.

``pad`` lists (left, right) pairs from the last dimension backwards, as PyTorch:
``pad=(1, 2)`` pads the last axis by 1 before and 2 after; ``(1, 1, 2, 0)`` also the one before.
A negative amount crops. Output position j of an axis of size S padded by (a, b) reads input
position u = j - a, mapped into [0, S):

    constant   u itself, or ``value`` outside [0, S)            (any number of axes)
    reflect    -u below 0, 2 (S - 1) - u from S on (no edge repeat; needs a, b < S)
    replicate  u clamped to [0, S - 1]
    circular   the input is first cropped by the negative amounts, then wrapped around
               (PyTorch's order; needs a, b <= S)

    forward   out = x gathered along each padded axis (a block of ``value`` for constant)
    backward  dx  = g summed back onto the positions it was read from
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from .module import Module

__all__ = ["pad", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d",
           "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
           "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d",
           "CircularPad2d", "CircularPad3d", "AxisTake", "PadError"]

_MODES = ("constant", "reflect", "replicate", "circular")


class PadError(RuntimeError, ValueError):
    """Padding that PyTorch refuses (a RuntimeError there; a ValueError by the house rule).

    Raised by `pad` and the padding layers, e.g. for reflect padding not smaller than the axis,
    or circular padding that would wrap around more than once.

    Examples
    --------
    >>> x = ln.tensor([[[1., 2., 3.]]])          # (N, C, W) = (1, 1, 3)
    >>> ln.nn.ReflectionPad1d(3)(x)
    Traceback (most recent call last):
    ...
    lucidnet.nn.padding.PadError: pad: Padding size should be less than the corresponding ...
    >>> issubclass(ln.nn.padding.PadError, ValueError)
    True
    """


class PadModeError(NotImplementedError, ValueError):
    """A padding length PyTorch's non-constant modes do not take (NotImplementedError there)."""


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


def take_adjoint(g: np.ndarray, index: np.ndarray, axis: int, size: int) -> np.ndarray:
    """The adjoint of ``np.take(x, index, axis)``: g summed onto the positions it was read from
    (one stable sort, when ``index`` is not already sorted, and one ``np.add.reduceat``)."""
    shape = list(g.shape)
    shape[axis] = size
    if size and index.size % size == 0 and index.size:  # each cell read r times in a row
        r = index.size // size
        if np.array_equal(index, np.arange(size).repeat(r)):
            blocks = g.reshape(g.shape[:axis] + (size, r) + g.shape[axis + 1:])
            return blocks.sum(axis=axis + 1)
    out = np.zeros(shape, dtype=g.dtype)
    if index.size == 0:
        return out
    if np.any(index[1:] < index[:-1]):
        order = np.argsort(index, kind="stable")
        index, g = index[order], np.take(g, order, axis=axis)
    starts = np.flatnonzero(np.concatenate(([True], index[1:] != index[:-1])))
    key = (slice(None),) * axis + (index[starts],)
    out[key] = np.add.reduceat(g, starts, axis=axis)
    return out


class AxisTake(Function):
    """z = np.take(x, index, axis) (index a 1-D int array);  dz/dx = g summed back
    (`take_adjoint`): ``dx[i] = sum of g[j] over the j with index[j] == i``.

    Parameters (of ``AxisTake.apply``)
    ----------------------------------
    x : Tensor
        The input.
    index : ndarray of int, 1-D
        Positions along ``axis`` to read, repeats allowed.
    axis : int, default 0
        The axis to gather along.

    Examples
    --------
    >>> x = ln.tensor([1., 2., 3.], requires_grad=True)
    >>> z = ln.nn.padding.AxisTake.apply(x, index=np.array([0, 0, 2]), axis=0)
    >>> z.tolist()
    [1.0, 1.0, 3.0]
    >>> z.sum().backward(); x.grad.tolist()     # x[0] was read twice, x[1] never
    [2.0, 0.0, 1.0]
    """

    @staticmethod
    def forward(ctx, x, index=None, axis=0):
        ctx.args = (index, axis, x.shape[axis])
        return np.take(x, index, axis=axis)

    @staticmethod
    def backward(ctx, g):
        index, axis, size = ctx.args
        return take_adjoint(g, index, axis, size)


def _source_index(n: int, a: int, b: int, mode: str) -> np.ndarray:
    """The input position each output position of one axis reads (see the module docstring)."""
    u = np.arange(n + a + b) - a
    if mode == "reflect":
        return np.where(u < 0, -u, np.where(u >= n, 2 * (n - 1) - u, u))
    if mode == "replicate":
        return np.clip(u, 0, n - 1)
    lead, tail = max(a, 0), max(b, 0)  # circular: crop, then wrap the cropped input
    kept = np.arange(max(-a, 0), n - max(-b, 0))
    if a > kept.size or b > kept.size:
        raise PadError(f"pad: circular padding ({a}, {b}) wraps around the {kept.size} entries "
                       "left after the negative padding more than once; pad less")
    return np.concatenate((kept[kept.size - lead:], kept, kept[:tail]))


def _check_index_pad(x: Tensor, amounts: list, widths: list, mode: str) -> None:
    k = len(amounts) // 2
    if k not in (1, 2, 3) or x.ndim not in (k + 1, k + 2):
        raise PadModeError(
            f"pad: padding size {len(amounts)} is not supported for {x.ndim}D input tensor "
            f"with mode={mode!r}. Supported combinations for non-constant padding, as PyTorch: "
            "padding of length 2 for 2-d/3-d input (pads the last dimension), 4 for 3-d/4-d "
            "(the last 2), 6 for 4-d/5-d (the last 3); use mode='constant' for other "
            "dimensions")
    spatial = range(x.ndim - k, x.ndim)
    if mode != "circular" and any(x.shape[d] == 0 for d in range(1, x.ndim)):
        raise PadError(f"pad: mode={mode!r} expects non-zero dimensions (but the batch), got "
                       f"input of shape {list(x.shape)}")
    for d in spatial:
        n, (a, b) = x.shape[d], widths[d]
        if mode == "reflect" and (a >= n or b >= n):
            raise PadError(f"pad: Padding size should be less than the corresponding input "
                           f"dimension, but got: padding ({a}, {b}) at dimension {d} of input "
                           f"{list(x.shape)}: reflect padding must be smaller than the size {n} of "
                           "that dimension (it mirrors without repeating the edge)")
        if mode == "circular" and (a > n or b > n):
            raise PadError(f"pad: Padding value causes wrapping around more than once: padding "
                           f"({a}, {b}) at dimension {d} of input {list(x.shape)} (at most "
                           f"{n} with mode='circular')")
        if n + a + b < 0:
            raise PadError(f"pad: Negative padding value is resulting in an empty dimension: "
                           f"padding ({a}, {b}) at dimension {d} of input {list(x.shape)}")
    sizes = [x.shape[d] + sum(widths[d]) for d in spatial]
    if mode != "circular" and all(s < 1 for s in sizes):  # PyTorch: one may be empty, not all
        raise PadError(f"pad: input {list(x.shape)} is too small for the padding "
                       f"{tuple(amounts)}: the padded sizes would be {sizes}")


def pad(input, pad, mode: str = "constant", value=None) -> Tensor:
    """Pad ``input`` by ``pad`` = (left_last, right_last, left_second_last, ...): with ``value``
    (0 by default) for ``mode="constant"``, or by mirroring without the edge ("reflect"),
    repeating the edge ("replicate") or wrapping around ("circular"); negative amounts crop.

    Output position ``j`` of an axis of size ``S`` padded by ``(a, b)`` reads input position
    ``u = j - a``: ``value`` outside [0, S) (constant), ``-u`` / ``2(S-1) - u`` (reflect),
    ``clip(u, 0, S-1)`` (replicate), ``u mod S`` (circular). The output axis has size
    ``S + a + b``.

    Parameters
    ----------
    input : Tensor or array_like
        Any shape for ``"constant"``; for the other modes ``(N, C, *spatial)`` or
        ``(C, *spatial)`` with 1 to 3 spatial axes, one (left, right) pair per spatial axis.
    pad : tuple of int
        An even number of amounts, pairs from the last axis backwards.
    mode : {"constant", "reflect", "replicate", "circular"}, default "constant"
        How to fill the border.
    value : float, optional
        Fill value of ``"constant"`` (default 0); not allowed with the other modes.

    Returns
    -------
    Tensor

    Raises
    ------
    PadError
        Padding PyTorch refuses (reflect pad >= size, circular wrapping more than once, a
        negative size).

    Examples
    --------
    >>> x = ln.tensor([[[1., 2., 3.]]])          # (N, C, W) = (1, 1, 3)
    >>> ln.nn.functional.pad(x, (1, 2)).tolist()
    [[[0.0, 1.0, 2.0, 3.0, 0.0, 0.0]]]
    >>> ln.nn.functional.pad(x, (2, 2), mode="reflect").tolist()
    [[[3.0, 2.0, 1.0, 2.0, 3.0, 2.0, 1.0]]]
    >>> ln.nn.functional.pad(x, (-1, 1), mode="circular").tolist()   # crop 1, then wrap
    [[[2.0, 3.0, 2.0]]]
    """
    x = input if isinstance(input, Tensor) else Tensor(np.asarray(input))
    if mode not in _MODES:
        raise ValueError(f"pad: mode must be one of {_MODES}, got {mode!r}")
    if any(isinstance(p, bool) or not isinstance(p, (int, np.integer)) for p in pad):
        raise TypeError(f"pad: the padding must be a tuple of ints, got {tuple(pad)!r}")
    amounts = [int(p) for p in pad]
    if len(amounts) % 2:
        raise ValueError(f"pad: the padding must come in (left, right) pairs (Padding length "
                         f"must be divisible by 2); got {tuple(pad)}")
    if len(amounts) // 2 > x.ndim:
        raise ValueError(f"pad: the padding must come in (left, right) pairs, at most one per "
                         f"dimension ({x.ndim}); got {tuple(pad)}")
    widths = [(0, 0)] * x.ndim
    for k in range(len(amounts) // 2):
        widths[x.ndim - 1 - k] = (amounts[2 * k], amounts[2 * k + 1])
    if mode == "constant":
        for d, ((a, b), n) in enumerate(zip(widths, x.shape)):
            if n + a + b < 0:
                raise PadError(f"pad: the padding ({a}, {b}) would give a negative size at "
                               f"dimension {d} of input of shape {tuple(x.shape)}")
        return PadOp.apply(x, widths=tuple(widths), value=0.0 if value is None else float(value))
    if value not in (None, 0, 0.0):
        raise ValueError(f"pad: Padding mode {mode!r} doesn't take in value argument; value= is "
                         f"only for mode='constant', got value={value!r}")
    _check_index_pad(x, amounts, widths, mode)
    for axis, (a, b) in enumerate(widths):
        if a or b:
            x = AxisTake.apply(x, index=_source_index(x.shape[axis], a, b, mode), axis=axis)
    return x


def _padding_tuple(padding, nd: int, where: str) -> tuple:
    if isinstance(padding, (int, np.integer)) and not isinstance(padding, bool):
        padding = (int(padding),) * (2 * nd)
    if (not isinstance(padding, (tuple, list)) or len(padding) != 2 * nd
            or any(isinstance(p, bool) or not isinstance(p, (int, np.integer)) for p in padding)):
        raise ValueError(f"{where}: padding must be an int or {2 * nd} ints, got {padding!r}")
    return tuple(int(p) for p in padding)


class _ConstantPadNd(Module):
    nd = 2

    def __init__(self, padding, value: float):
        super().__init__()
        self.padding = _padding_tuple(padding, self.nd, type(self).__name__)
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
            raise TypeError(f"{type(self).__name__}: value must be a number, got {value!r}")
        self.value = value  # as given, like PyTorch's repr

    def forward(self, x) -> Tensor:
        return pad(x, self.padding, value=self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dimension with ``value``; padding an int or (left, right):
    ``out[..., j] = x[..., j - left]`` inside, ``value`` outside.

    Shape: input (N, C, W) or (C, W);
    output the same with each padded axis grown by ``left + right``.

    Parameters
    ----------
    padding : int or tuple of 2 ints
        The same amount on every side, or (left, right),
        from the last axis backwards
        (negative amounts crop).
    value : float
        The fill value.

    Examples
    --------
    >>> x = ln.tensor([[[1., 2., 3.]]])          # (N, C, W) = (1, 1, 3)
    >>> ln.nn.ConstantPad1d((1, 0), 9.0)(x).tolist()
    [[[9.0, 1.0, 2.0, 3.0]]]
    """

    nd = 1


class ConstantPad2d(_ConstantPadNd):
    """Pad the last 2 dimensions with ``value``; padding an int or (left, right, top, bottom):
    ``out[..., i, j] = x[..., i - top, j - left]`` inside, ``value`` outside.

    Shape: input (N, C, H, W) or (C, H, W);
    output the same with each padded axis grown by ``left + right``.

    Parameters
    ----------
    padding : int or tuple of 4 ints
        The same amount on every side, or (left, right, top, bottom),
        from the last axis backwards
        (negative amounts crop).
    value : float
        The fill value.

    Examples
    --------
    >>> x = ln.tensor([[[[1., 2.], [3., 4.]]]])  # (N, C, H, W) = (1, 1, 2, 2)
    >>> ln.nn.ConstantPad2d((0, 1, 1, 0), -1.0)(x).tolist()
    [[[[-1.0, -1.0, -1.0], [1.0, 2.0, -1.0], [3.0, 4.0, -1.0]]]]
    """

    nd = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last 3 dimensions with ``value``; padding an int or 6 ints:
    ``out[..., d, i, j] = x[..., d - front, i - top, j - left]`` inside, ``value`` outside.

    Shape: input (N, C, D, H, W) or (C, D, H, W);
    output the same with each padded axis grown by ``left + right``.

    Parameters
    ----------
    padding : int or tuple of 6 ints
        The same amount on every side, or (left, right, top, bottom, front, back),
        from the last axis backwards
        (negative amounts crop).
    value : float
        The fill value.

    Examples
    --------
    >>> x = ln.ones(1, 1, 2, 2, 2)
    >>> ln.nn.ConstantPad3d((1, 0, 0, 0, 0, 0), 5.0)(x)[0, 0, 0].tolist()
    [[5.0, 1.0, 1.0], [5.0, 1.0, 1.0]]
    """

    nd = 3


class ZeroPad1d(ConstantPad1d):
    """Pad the last dimension with zeros: `ConstantPad1d` with ``value=0``.

    Shape: input (N, C, W) or (C, W);
    output the same with each padded axis grown by ``left + right``.

    Parameters
    ----------
    padding : int or tuple of 2 ints
        The same amount on every side, or (left, right),
        from the last axis backwards
        (negative amounts crop).

    Examples
    --------
    >>> x = ln.tensor([[[1., 2., 3.]]])          # (N, C, W) = (1, 1, 3)
    >>> layer = ln.nn.ZeroPad1d(2)
    >>> layer
    ZeroPad1d((2, 2))
    >>> layer(x).tolist()
    [[[0.0, 0.0, 1.0, 2.0, 3.0, 0.0, 0.0]]]
    """

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pad the last 2 dimensions with zeros: `ConstantPad2d` with ``value=0``.

    Shape: input (N, C, H, W) or (C, H, W);
    output the same with each padded axis grown by ``left + right``.

    Parameters
    ----------
    padding : int or tuple of 4 ints
        The same amount on every side, or (left, right, top, bottom),
        from the last axis backwards
        (negative amounts crop).

    Examples
    --------
    >>> x = ln.tensor([[[[1., 2.], [3., 4.]]]])  # (N, C, H, W) = (1, 1, 2, 2)
    >>> ln.nn.ZeroPad2d((1, 0, 0, 1))(x).tolist()     # left 1, bottom 1
    [[[[0.0, 1.0, 2.0], [0.0, 3.0, 4.0], [0.0, 0.0, 0.0]]]]
    """

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    """Pad the last 3 dimensions with zeros: `ConstantPad3d` with ``value=0``.

    Shape: input (N, C, D, H, W) or (C, D, H, W);
    output the same with each padded axis grown by ``left + right``.

    Parameters
    ----------
    padding : int or tuple of 6 ints
        The same amount on every side, or (left, right, top, bottom, front, back),
        from the last axis backwards
        (negative amounts crop).

    Examples
    --------
    >>> out = ln.nn.ZeroPad3d(1)(ln.ones(1, 1, 2, 2, 2))
    >>> out.shape, out.sum().item()      # 2 -> 4 on each spatial axis, the 8 ones kept
    (torch.Size([1, 1, 4, 4, 4]), 8.0)
    """

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _IndexPadNd(Module):
    nd = 2
    mode = "reflect"

    def __init__(self, padding):
        super().__init__()
        self.padding = _padding_tuple(padding, self.nd, type(self).__name__)

    def forward(self, x) -> Tensor:
        if self.mode == "circular" and np.ndim(x) not in (self.nd + 1, self.nd + 2):
            raise ValueError(f"{type(self).__name__}: expected {self.nd + 1}D or {self.nd + 2}D "
                             f"input (got {np.ndim(x)}D input)")
        return pad(x, self.padding, mode=self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ReflectionPad1d(_IndexPadNd):
    """Mirror the last dimension without repeating the edge (each pad < its size):
    output position ``j`` reads ``u = j - left``, reflected to ``-u`` below 0 and to
    ``2(W - 1) - u`` from ``W`` on.

    Shape: input (N, C, W) or (C, W);
    output the same with each padded axis grown by ``left + right``.

    Parameters
    ----------
    padding : int or tuple of 2 ints
        The same amount on every side, or (left, right),
        from the last axis backwards
        (negative amounts crop).

    Examples
    --------
    >>> x = ln.tensor([[[1., 2., 3.]]])          # (N, C, W) = (1, 1, 3)
    >>> ln.nn.ReflectionPad1d(2)(x).tolist()
    [[[3.0, 2.0, 1.0, 2.0, 3.0, 2.0, 1.0]]]
    """

    nd, mode = 1, "reflect"


class ReflectionPad2d(_IndexPadNd):
    """Mirror the last 2 dimensions without repeating the edge (each pad < its size; the rule of
    `ReflectionPad1d` on H and W).

    Shape: input (N, C, H, W) or (C, H, W);
    output the same with each padded axis grown by ``left + right``.

    Parameters
    ----------
    padding : int or tuple of 4 ints
        The same amount on every side, or (left, right, top, bottom),
        from the last axis backwards
        (negative amounts crop).

    Examples
    --------
    >>> x = ln.arange(9.).reshape(1, 1, 3, 3)
    >>> ln.nn.ReflectionPad2d(1)(x)[0, 0, 0].tolist()   # top row: the mirror of row 1
    [4.0, 3.0, 4.0, 5.0, 4.0]
    """

    nd, mode = 2, "reflect"


class ReflectionPad3d(_IndexPadNd):
    """Mirror the last 3 dimensions without repeating the edge (each pad < its size; the rule of
    `ReflectionPad1d` on D, H and W).

    Shape: input (N, C, D, H, W) or (C, D, H, W);
    output the same with each padded axis grown by ``left + right``.

    Parameters
    ----------
    padding : int or tuple of 6 ints
        The same amount on every side, or (left, right, top, bottom, front, back),
        from the last axis backwards
        (negative amounts crop).

    Examples
    --------
    >>> x = ln.arange(8.).reshape(1, 2, 2, 2)    # (C, D, H, W)
    >>> ln.nn.ReflectionPad3d((1, 0, 0, 0, 0, 0))(x)[0, 0].tolist()
    [[1.0, 0.0, 1.0], [3.0, 2.0, 3.0]]
    """

    nd, mode = 3, "reflect"


class ReplicationPad1d(_IndexPadNd):
    """Repeat the edge values of the last dimension: output position ``j`` reads
    ``clip(j - left, 0, W - 1)``.

    Shape: input (N, C, W) or (C, W);
    output the same with each padded axis grown by ``left + right``.

    Parameters
    ----------
    padding : int or tuple of 2 ints
        The same amount on every side, or (left, right),
        from the last axis backwards
        (negative amounts crop).

    Examples
    --------
    >>> x = ln.tensor([[[1., 2., 3.]]])          # (N, C, W) = (1, 1, 3)
    >>> ln.nn.ReplicationPad1d((2, 1))(x).tolist()
    [[[1.0, 1.0, 1.0, 2.0, 3.0, 3.0]]]
    """

    nd, mode = 1, "replicate"


class ReplicationPad2d(_IndexPadNd):
    """Repeat the edge values of the last 2 dimensions (the rule of `ReplicationPad1d` on H
    and W).

    Shape: input (N, C, H, W) or (C, H, W);
    output the same with each padded axis grown by ``left + right``.

    Parameters
    ----------
    padding : int or tuple of 4 ints
        The same amount on every side, or (left, right, top, bottom),
        from the last axis backwards
        (negative amounts crop).

    Examples
    --------
    >>> x = ln.tensor([[[[1., 2.], [3., 4.]]]])  # (N, C, H, W) = (1, 1, 2, 2)
    >>> ln.nn.ReplicationPad2d((1, 0, 0, 1))(x).tolist()
    [[[[1.0, 1.0, 2.0], [3.0, 3.0, 4.0], [3.0, 3.0, 4.0]]]]
    """

    nd, mode = 2, "replicate"


class ReplicationPad3d(_IndexPadNd):
    """Repeat the edge values of the last 3 dimensions (the rule of `ReplicationPad1d` on D, H
    and W).

    Shape: input (N, C, D, H, W) or (C, D, H, W);
    output the same with each padded axis grown by ``left + right``.

    Parameters
    ----------
    padding : int or tuple of 6 ints
        The same amount on every side, or (left, right, top, bottom, front, back),
        from the last axis backwards
        (negative amounts crop).

    Examples
    --------
    >>> x = ln.arange(8.).reshape(1, 2, 2, 2)    # (C, D, H, W)
    >>> ln.nn.ReplicationPad3d((1, 0, 0, 0, 0, 0))(x)[0, 0].tolist()
    [[0.0, 0.0, 1.0], [2.0, 2.0, 3.0]]
    """

    nd, mode = 3, "replicate"


class CircularPad1d(_IndexPadNd):
    """Wrap the last dimension around (each pad <= its size): output position ``j`` reads
    ``(j - left) mod W``.

    Shape: input (N, C, W) or (C, W);
    output the same with each padded axis grown by ``left + right``.

    Parameters
    ----------
    padding : int or tuple of 2 ints
        The same amount on every side, or (left, right),
        from the last axis backwards
        (negative amounts crop).

    Examples
    --------
    >>> x = ln.tensor([[[1., 2., 3.]]])          # (N, C, W) = (1, 1, 3)
    >>> ln.nn.CircularPad1d((2, 1))(x).tolist()
    [[[2.0, 3.0, 1.0, 2.0, 3.0, 1.0]]]
    """

    nd, mode = 1, "circular"


class CircularPad2d(_IndexPadNd):
    """Wrap the last 2 dimensions around (each pad <= its size; the rule of `CircularPad1d` on
    H and W).

    Shape: input (N, C, H, W) or (C, H, W);
    output the same with each padded axis grown by ``left + right``.

    Parameters
    ----------
    padding : int or tuple of 4 ints
        The same amount on every side, or (left, right, top, bottom),
        from the last axis backwards
        (negative amounts crop).

    Examples
    --------
    >>> x = ln.tensor([[[[1., 2.], [3., 4.]]]])  # (N, C, H, W) = (1, 1, 2, 2)
    >>> ln.nn.CircularPad2d((1, 0, 0, 1))(x).tolist()
    [[[[2.0, 1.0, 2.0], [4.0, 3.0, 4.0], [2.0, 1.0, 2.0]]]]
    """

    nd, mode = 2, "circular"


class CircularPad3d(_IndexPadNd):
    """Wrap the last 3 dimensions around (each pad <= its size; the rule of `CircularPad1d` on
    D, H and W).

    Shape: input (N, C, D, H, W) or (C, D, H, W);
    output the same with each padded axis grown by ``left + right``.

    Parameters
    ----------
    padding : int or tuple of 6 ints
        The same amount on every side, or (left, right, top, bottom, front, back),
        from the last axis backwards
        (negative amounts crop).

    Examples
    --------
    >>> x = ln.arange(8.).reshape(1, 2, 2, 2)    # (C, D, H, W)
    >>> ln.nn.CircularPad3d((1, 0, 0, 0, 0, 0))(x)[0, 0].tolist()
    [[1.0, 0.0, 1.0], [3.0, 2.0, 3.0]]
    """

    nd, mode = 3, "circular"
