"""Inverted dropout (SPEC I2): ``Dropout`` (units) and ``Dropout2d`` (whole channels).

Training: each unit is kept with probability 1 - p and kept units are scaled by 1 / (1 - p),

    y = x * m / (1 - p),   m ~ Bernoulli(1 - p)

so E[y] = x and evaluation is the identity. (Erratum, SPEC Errata: seed 003 also scales by 1 - p
at inference; with inverted dropout that would shrink activations twice -- do one or the other,
and this library does only the training-time scaling, as PyTorch.) Masks come from
``lucidnet.random.get_rng()``, so ``lucidnet.manual_seed`` makes them reproducible.
"""

from __future__ import annotations

import numpy as np

from ..autograd.ops.dropout import Dropout as DropoutOp
from ..autograd.tensor import Tensor
from ..random import get_rng
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "dropout", "dropout2d"]


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


def dropout(input, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each unit with probability p and scale the rest by 1 / (1 - p) (training only)."""
    x = input
    p = _check_p(p, "dropout")
    x = x if isinstance(x, Tensor) else Tensor(np.asarray(x))
    if not training or p == 0.0:
        return x
    _check_float_input(x, "dropout")
    return DropoutOp.apply(x, mask=_mask(x.shape, p, x.dtype))


def dropout2d(input, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels x[n, c] of (N, C, *S) with probability p; scale kept ones by 1/(1-p)."""
    x = input
    p = _check_p(p, "dropout2d")
    x = x if isinstance(x, Tensor) else Tensor(np.asarray(x))
    if x.ndim < 3:
        raise ValueError(f"dropout2d expects input of shape (N, C, H, W) (or (N, C, L)), got "
                         f"{tuple(x.shape)}; use Dropout for (N, features) inputs")
    if not training or p == 0.0:
        return x
    _check_float_input(x, "dropout2d")
    return DropoutOp.apply(x, mask=_mask(x.shape[:2] + (1,) * (x.ndim - 2), p, x.dtype))


class Dropout(Module):
    """Inverted dropout of single units, ``p`` = probability of dropping (SPEC I2)."""

    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        self.p = _check_p(p, "Dropout")
        self.inplace = bool(inplace)  # accepted as PyTorch; the result is always a new tensor

    def forward(self, x) -> Tensor:
        return dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout2d(Dropout):
    """Inverted dropout of whole channels of (N, C, H, W) feature maps (SPEC I2)."""

    def __init__(self, p: float = 0.5, inplace: bool = False):
        Module.__init__(self)
        self.p = _check_p(p, "Dropout2d")
        self.inplace = bool(inplace)

    def forward(self, x) -> Tensor:
        return dropout2d(x, self.p, self.training)


class Dropout1d(Dropout2d):
    """Inverted dropout of whole channels of (N, C, L) sequences (SPEC I2)."""

    def __init__(self, p: float = 0.5, inplace: bool = False):
        Module.__init__(self)
        self.p = _check_p(p, "Dropout1d")
        self.inplace = bool(inplace)
