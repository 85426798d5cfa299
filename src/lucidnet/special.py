"""``lucidnet.special``: the functions of ``torch.special`` (differentiable), most of them the
elementwise ops under their SciPy-style names.

    expit(x) = sigmoid(x)            logit(x) = ln(x / (1 - x))
    ndtr(x) = (1 + erf(x / sqrt 2)) / 2      ndtri(p) = sqrt 2 erfinv(2p - 1)
    entr(x) = -x ln x (0 at 0, -inf below 0)     xlog1py(x, y) = x ln(1 + y) (0 where x = 0)

log_ndtr and erfcx, which need their own asymptotic kernels to stay finite in the tails, are
not provided (rather than a composite that underflows).
"""

from __future__ import annotations

import math

import numpy as np

from .autograd.function import Function
from .autograd.ops import activation as _activation
from .autograd.ops import elementwise as _ew
from .autograd.tensor import Tensor, tensor

__all__ = ["erf", "erfc", "erfinv", "expit", "logit", "xlogy", "xlog1py", "sinc", "expm1",
           "exp2", "log1p", "round", "softmax", "log_softmax", "logsumexp", "ndtr", "ndtri",
           "entr"]


def _t(x) -> Tensor:
    return x if isinstance(x, Tensor) else tensor(x)


def _method(name: str):
    def fn(input, *args, **kwargs):
        return getattr(_t(input), name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``torch.special.{name}``: the same as ``lucidnet.{name}``."
    return fn


erf, erfc, erfinv, logit, xlogy, sinc = map(_method, ("erf", "erfc", "erfinv", "logit", "xlogy",
                                                      "sinc"))
expm1, exp2, log1p, round = map(_method, ("expm1", "exp2", "log1p", "round"))
softmax, log_softmax, logsumexp = map(_method, ("softmax", "log_softmax", "logsumexp"))


def expit(input) -> Tensor:
    """1 / (1 + e^-x), the logistic sigmoid."""
    return _activation.Sigmoid.apply(_t(input))


def ndtr(input) -> Tensor:
    """The standard normal CDF (1 + erf(x / sqrt 2)) / 2 = erfc(-x / sqrt 2) / 2."""
    return (_t(input) * (-1 / math.sqrt(2))).erfc() * 0.5


def ndtri(input) -> Tensor:
    """The inverse of ndtr: sqrt 2 erfinv(2p - 1) (-inf at 0, inf at 1)."""
    return (_t(input) * 2 - 1).erfinv() * math.sqrt(2)


class Entr(Function):
    """z = -a ln a (0 at a = 0, -inf for a < 0);  dz/da = -(1 + ln a) (nan below 0, as
    PyTorch)."""

    @staticmethod
    def forward(ctx, a):
        a = _ew._floating(a)
        ctx.save_for_backward(a)
        with np.errstate(all="ignore"):
            out = -a * np.log(a)
        out = np.where(a == 0, np.zeros((), a.dtype), out)
        return np.where(a < 0, np.asarray(-np.inf, a.dtype), out)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved
        with np.errstate(all="ignore"):
            return -g * (1 + np.log(a))


def entr(input) -> Tensor:
    """-x ln x elementwise: 0 at x = 0, -inf for x < 0 (as PyTorch)."""
    return Entr.apply(_t(input))


def xlog1py(input, other) -> Tensor:
    """x ln(1 + y), 0 where x = 0 (unless y is nan)."""
    x = _t(input)
    return _ew.XLogY.apply(*_ew._promote(x, other + 1 if isinstance(other, Tensor)
                                         else np.asarray(other) + 1))

