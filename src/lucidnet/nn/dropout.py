"""Inverted dropout: ``Dropout`` (units) and ``Dropout2d`` (whole channels).

Training: each unit is kept with probability 1 - p and kept units are scaled by 1 / (1 - p),

    y = x * m / (1 - p),   m ~ Bernoulli(1 - p)

so E[y] = x and evaluation is the identity. (Some texts also scale by 1 - p
at inference; with inverted dropout that would shrink activations twice -- do one or the other,
and this library does only the training-time scaling, as PyTorch.) Masks come from
``lucidnet.random.get_rng()``, so ``lucidnet.manual_seed`` makes them reproducible.
"""

from __future__ import annotations

import numpy as np

from ..autograd.ops.dropout import Dropout as DropoutOp
from ..autograd.tensor import Tensor, is_grad_enabled
from ..random import get_rng
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "dropout", "dropout1d", "dropout2d"]


def _check_p(p, where: str) -> float:
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating)) or not 0.0 <= p < 1.0:
        raise ValueError(f"{where}: dropout probability p must be in [0, 1), got {p!r} "
                         "(p is the fraction of units dropped; p=0 disables dropout)")
    return float(p)


def _check_float_input(x: Tensor, where: str) -> None:
    if x.dtype.kind != "f":
        raise TypeError(f"{where} expects a floating-point input in training mode, got dtype "
                        f"{x.dtype} (the 1 / (1 - p) scaling would be truncated); cast it first, "
                        f"e.g. x.astype(np.float32)")


def _mask(shape: tuple, p: float, dtype) -> np.ndarray:
    keep = get_rng().random(shape) >= p
    return keep.astype(dtype) * dtype.type(1.0 / (1.0 - p))


def _maybe_inplace(x: Tensor, out: Tensor, inplace: bool) -> Tensor:
    """``inplace=True`` outside an autograd graph writes the result into x (a versioned
    in-place write, as PyTorch's dropout_); inside a graph the result is a new tensor."""
    if inplace and not (x.requires_grad and is_grad_enabled()):
        return x.copy_(out)
    return out


def dropout(input, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each unit with probability p and scale the rest by 1 / (1 - p) (training only).

    Parameters
    ----------
    input : Tensor
        Any shape.
    p : float, default 0.5
        Probability of zeroing a unit, in [0, 1].
    training : bool, default True
        Apply dropout (False: return the input unchanged).
    inplace : bool, default False
        Write the result into ``input``.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.dropout(ln.ones(4), p=0.5, training=False)
    tensor([1., 1., 1., 1.])
    """
    x = input
    p = _check_p(p, "dropout")
    x = x if isinstance(x, Tensor) else Tensor(np.asarray(x))
    if not training or p == 0.0:
        return x
    _check_float_input(x, "dropout")
    return _maybe_inplace(x, DropoutOp.apply(x, mask=_mask(x.shape, p, x.dtype)), inplace)


def dropout2d(input, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels x[n, c] of (N, C, *S) with probability p; scale kept ones by 1/(1-p).

    Parameters
    ----------
    input : Tensor
        (N, C, *S) or (C, *S).
    p : float, default 0.5
        Probability of zeroing a channel, in [0, 1].
    training : bool, default True
        Apply dropout (False: return the input unchanged).
    inplace : bool, default False
        Write the result into ``input``.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.dropout2d(ln.ones(1, 2, 3, 3), p=0.5, training=False).shape
    torch.Size([1, 2, 3, 3])
    """
    x = input
    p = _check_p(p, "dropout2d")
    x = x if isinstance(x, Tensor) else Tensor(np.asarray(x))
    if x.ndim < 3:
        raise ValueError(f"dropout2d expects input of shape (N, C, H, W) (or (N, C, L)), got "
                         f"{tuple(x.shape)}; use Dropout for (N, features) inputs")
    if not training or p == 0.0:
        return x
    _check_float_input(x, "dropout2d")
    out = DropoutOp.apply(x, mask=_mask(x.shape[:2] + (1,) * (x.ndim - 2), p, x.dtype))
    return _maybe_inplace(x, out, inplace)


def dropout1d(input, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels x[n, c] of (N, C, L) (or unbatched (C, L)) sequences.

    Parameters
    ----------
    input : Tensor
        (N, C, L) or (C, L).
    p : float, default 0.5
        Probability of zeroing a channel, in [0, 1].
    training : bool, default True
        Apply dropout (False: return the input unchanged).
    inplace : bool, default False
        Write the result into ``input``.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.dropout1d(ln.ones(1, 2, 3), p=0.5, training=False).shape
    torch.Size([1, 2, 3])
    """
    x = input if isinstance(input, Tensor) else Tensor(np.asarray(input))
    if x.ndim not in (2, 3):
        raise ValueError(f"dropout1d expects input of shape (N, C, L) or (C, L), got "
                         f"{tuple(x.shape)}")
    if x.ndim == 2:
        out = dropout2d(x.reshape((1,) + tuple(x.shape)), p, training)
        out = out.reshape(tuple(x.shape))
        return _maybe_inplace(x, out, inplace) if training and p > 0 else x
    return dropout2d(x, p, training, inplace)


class Dropout(Module):
    """Inverted dropout of single units, ``p`` = probability of dropping.

    ``y = x * m / (1 - p)`` in training, ``m ~ Bernoulli(1 - p)`` drawn per unit; ``y = x`` in
    evaluation. Shape: any; output the same.

    Parameters
    ----------
    p : float, default 0.5
        Probability of zeroing, in [0, 1].
    inplace : bool, default False
        Write the result into the input.

    Examples
    --------
    >>> drop = ln.nn.Dropout(p=0.5)
    >>> y = drop(ln.ones(1000))
    >>> sorted(set(y.tolist()))                       # dropped 0, kept 1 / (1 - p)
    [0.0, 2.0]
    >>> drop.eval()(ln.ones(3))                        # the identity in evaluation
    tensor([1., 1., 1.])
    """

    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        self.p = _check_p(p, "Dropout")
        self.inplace = bool(inplace)

    def forward(self, x) -> Tensor:
        return dropout(x, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout2d(Dropout):
    """Inverted dropout of whole channels of (N, C, H, W) feature maps.

    ``y = x * m / (1 - p)`` in training, ``m ~ Bernoulli(1 - p)`` drawn per (sample, channel);
    ``y = x`` in evaluation. Shape: input (N, C, H, W) or (C, H, W); output the same.

    Parameters
    ----------
    p : float, default 0.5
        Probability of zeroing, in [0, 1].
    inplace : bool, default False
        Write the result into the input.

    Examples
    --------
    >>> y = ln.nn.Dropout2d(p=0.5)(ln.ones(1, 8, 2, 2))
    >>> [sorted(set(c.flatten().tolist())) for c in y[0]][:3]   # whole channels kept or dropped
    [[2.0], [0.0], [0.0]]
    """

    def __init__(self, p: float = 0.5, inplace: bool = False):
        Module.__init__(self)
        self.p = _check_p(p, "Dropout2d")
        self.inplace = bool(inplace)

    def forward(self, x) -> Tensor:
        return dropout2d(x, self.p, self.training, self.inplace)


class Dropout1d(Dropout2d):
    """Inverted dropout of whole channels of (N, C, L) sequences.

    ``y = x * m / (1 - p)`` in training, ``m ~ Bernoulli(1 - p)`` drawn per (sample, channel);
    ``y = x`` in evaluation. Shape: input (N, C, L) or (C, L); output the same.

    Parameters
    ----------
    p : float, default 0.5
        Probability of zeroing, in [0, 1].
    inplace : bool, default False
        Write the result into the input.

    Examples
    --------
    >>> ln.nn.Dropout1d(p=0.5)(ln.ones(1, 4, 3)).shape
    torch.Size([1, 4, 3])
    """

    def __init__(self, p: float = 0.5, inplace: bool = False):
        Module.__init__(self)
        self.p = _check_p(p, "Dropout1d")
        self.inplace = bool(inplace)

    def forward(self, x) -> Tensor:
        return dropout1d(x, self.p, self.training, self.inplace)
