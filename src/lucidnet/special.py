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


def _method(name: str, doc: str):
    def fn(input, *args, **kwargs):
        return getattr(_t(input), name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


_ELEMENTWISE = """

    Parameters
    ----------
    input : Tensor or array_like
        Any shape; a list or NumPy array is first turned into a tensor. The result has the
        same shape (integer input gives the default float dtype).
"""

erf = _method("erf", """The error function, ``torch.special.erf`` (the same as ``lucidnet.erf``).

    erf(x) = 2 / sqrt(pi) * integral from 0 to x of e^(-t^2) dt, an odd function running from
    -1 to 1; d erf(x) / dx = 2 / sqrt(pi) e^(-x^2).
""" + _ELEMENTWISE + """
    Examples
    --------
    >>> ln.special.erf(ln.tensor([0.0, 1.0, -1.0]))
    tensor([ 0.0000,  0.8427, -0.8427])
    """)

erfc = _method("erfc", """The complementary error function, ``torch.special.erfc``.

    erfc(x) = 1 - erf(x), computed directly so it stays accurate where erf(x) is close to 1;
    d erfc(x) / dx = -2 / sqrt(pi) e^(-x^2).
""" + _ELEMENTWISE + """
    Examples
    --------
    >>> ln.special.erfc(ln.tensor([0.0, 1.0]))
    tensor([1.0000, 0.1573])
    """)

erfinv = _method("erfinv", """The inverse error function, ``torch.special.erfinv``.

    erfinv(y) = x such that erf(x) = y, for y in [-1, 1] (+-inf at +-1, nan outside);
    d erfinv(y) / dy = sqrt(pi) / 2 e^(erfinv(y)^2).
""" + _ELEMENTWISE + """
    Examples
    --------
    >>> ln.special.erfinv(ln.tensor([0.0, 0.5, 1.0]))
    tensor([0.0000, 0.4769,    inf])
    >>> ln.special.erf(ln.special.erfinv(ln.tensor([0.25]))).round(decimals=4)
    tensor([0.2500])
    """)

logit = _method("logit", """The log-odds, ``torch.special.logit``, the inverse of ``expit``.

    logit(p) = ln(p / (1 - p)); with ``eps``, p is first clamped to [eps, 1 - eps] (so 0 and 1
    give finite values; the gradient is 0 where the clamp acts); d logit(p) / dp = 1 / (p (1 - p)).

    Parameters
    ----------
    input : Tensor or array_like
        Probabilities, any shape; the result has the same shape.
    eps : float, optional
        The clamp margin; None (default) clamps nothing, so 0 and 1 give -inf and inf.

    Examples
    --------
    >>> ln.special.logit(ln.tensor([0.5, 0.75]))     # ln(3) = 1.0986
    tensor([0.0000, 1.0986])
    >>> ln.special.logit(ln.tensor([0.0, 1.0]), eps=0.25)
    tensor([-1.0986,  1.0986])
    """)

xlogy = _method("xlogy", """x ln(y) with 0 where x = 0, ``torch.special.xlogy``.

    xlogy(x, y) = x * ln(y), defined as 0 where x == 0 (even at y = 0), as entropy and
    cross-entropy sums need; nan where y is nan.

    Parameters
    ----------
    input : Tensor or array_like
        x, any shape.
    other : Tensor, array_like or float
        y, broadcast against ``input``; the result has the broadcast shape.

    Examples
    --------
    >>> ln.special.xlogy(ln.tensor([0.0, 2.0]), ln.tensor([0.0, 1.0]))
    tensor([0., 0.])
    >>> ln.special.xlogy(ln.tensor([0.0, 2.0]), 0.0)
    tensor([0., -inf])
    """)

sinc = _method("sinc", """The normalized sinc function, ``torch.special.sinc``.

    sinc(x) = sin(pi x) / (pi x), with sinc(0) = 1; it is 0 at every other integer;
    d sinc(x) / dx = (cos(pi x) - sinc(x)) / x (0 at 0).
""" + _ELEMENTWISE + """
    Examples
    --------
    >>> ln.special.sinc(ln.tensor([0.0, 0.5]))      # 1 and 2 / pi
    tensor([1.0000, 0.6366])
    """)

expm1 = _method("expm1", """e^x - 1, accurate near 0, ``torch.special.expm1``.

    expm1(x) = e^x - 1 computed without the cancellation of ``exp(x) - 1`` for tiny x;
    d expm1(x) / dx = e^x.
""" + _ELEMENTWISE + """
    Examples
    --------
    >>> x = ln.tensor([1e-10], dtype=ln.float64)
    >>> ln.special.expm1(x).item(), (x.exp() - 1).item()
    (1.00000000005...e-10, 1.0000000827...e-10)
    """)

exp2 = _method("exp2", """2 to the power x, ``torch.special.exp2``.

    exp2(x) = 2^x; d exp2(x) / dx = 2^x ln 2.
""" + _ELEMENTWISE + """
    Examples
    --------
    >>> ln.special.exp2(ln.tensor([0.0, 3.0, -1.0]))
    tensor([1.0000, 8.0000, 0.5000])
    """)

log1p = _method("log1p", """ln(1 + x), accurate near 0, ``torch.special.log1p``.

    log1p(x) = ln(1 + x) computed without the rounding of ``1 + x`` for tiny x (-inf at -1,
    nan below); d log1p(x) / dx = 1 / (1 + x).
""" + _ELEMENTWISE + """
    Examples
    --------
    >>> x = ln.tensor([1e-10], dtype=ln.float64)
    >>> ln.special.log1p(x).item(), (1 + x).log().item()
    (9.99999999950...e-11, 1.0000000826...e-10)
    """)

round = _method("round", """Round to ``decimals`` places, ``torch.special.round``.

    round(x) = the nearest multiple of 10^-decimals, halves going to the even neighbour
    (banker's rounding, as PyTorch and NumPy); the gradient is 0 everywhere.

    Parameters
    ----------
    input : Tensor or array_like
        Any shape; the result has the same shape and dtype.
    decimals : int, optional
        Places after the point (default 0; negative rounds to tens, hundreds, ...).

    Examples
    --------
    >>> ln.special.round(ln.tensor([0.5, 1.5, 2.5]))
    tensor([0., 2., 2.])
    >>> ln.special.round(ln.tensor([1.2345, 1250.0]), decimals=2).tolist()
    [1.2300000190734863, 1250.0]
    """)

softmax = _method("softmax", """The softmax along ``dim``, ``torch.special.softmax``.

    softmax(x)_i = e^(x_i - max x) / sum_j e^(x_j - max x) along ``dim``: non-negative, summing
    to 1 along ``dim``, unchanged when a constant is added to every x_i.

    Parameters
    ----------
    input : Tensor or array_like
        Any shape; the result has the same shape.
    dim : int
        The axis to normalize along (required; negative counts from the end).
    dtype : dtype, optional
        Cast the input to this dtype first.

    Examples
    --------
    >>> ln.special.softmax(ln.tensor([0.0, 0.0, 0.0, 0.0]), dim=0)
    tensor([0.2500, 0.2500, 0.2500, 0.2500])
    >>> ln.special.softmax(ln.tensor([[1.0, 1.0], [1000.0, 0.0]]), dim=1)
    tensor([[0.5000, 0.5000],
            [1.0000, 0.0000]])
    """)

log_softmax = _method("log_softmax", """The log of the softmax along ``dim``,
    ``torch.special.log_softmax``.

    log_softmax(x)_i = x_i - ln sum_j e^(x_j) along ``dim``, computed by log-sum-exp so large
    inputs do not overflow.

    Parameters
    ----------
    input : Tensor or array_like
        Any shape; the result has the same shape.
    dim : int
        The axis to normalize along (required; negative counts from the end).
    dtype : dtype, optional
        Cast the input to this dtype first.

    Examples
    --------
    >>> ln.special.log_softmax(ln.tensor([0.0, 0.0]), dim=0)      # ln(1/2)
    tensor([-0.6931, -0.6931])
    >>> ln.special.log_softmax(ln.tensor([1000.0, 0.0]), dim=0)
    tensor([    0., -1000.])
    """)

logsumexp = _method("logsumexp", """ln sum e^x over ``dim`` without overflow,
    ``torch.special.logsumexp``.

    logsumexp(x) = m + ln sum_i e^(x_i - m) with m = max_i x_i, over ``dim``.

    Parameters
    ----------
    input : Tensor or array_like
        Any shape (integer input gives the default float dtype).
    dim : int or tuple of int, optional
        The axes to reduce (default: all of them, giving a 0-d tensor).
    keepdim : bool, optional
        Keep the reduced axes with size 1 (default False).

    Examples
    --------
    >>> ln.special.logsumexp(ln.tensor([[0.0, 0.0], [1000.0, 1000.0]]), dim=1)
    tensor([6.9315e-01, 1.0007e+03])
    >>> ln.special.logsumexp(ln.zeros(2, 3), dim=1, keepdim=True).shape
    torch.Size([2, 1])
    """)


def expit(input) -> Tensor:
    """The logistic sigmoid, ``torch.special.expit``.

    expit(x) = 1 / (1 + e^(-x)), computed without overflow for large |x|; it maps the real
    line onto (0, 1) and is the inverse of ``logit``; d expit(x) / dx = expit(x) (1 - expit(x)).

    Parameters
    ----------
    input : Tensor or array_like
        Any shape; the result has the same shape.

    Examples
    --------
    >>> ln.special.expit(ln.tensor([0.0, 1.0986123, -1000.0]))     # 1.0986 = ln 3
    tensor([0.5000, 0.7500, 0.0000])
    >>> ln.special.logit(ln.special.expit(ln.tensor([2.0])))
    tensor([2.0000])
    """
    return _activation.Sigmoid.apply(_t(input))


def ndtr(input) -> Tensor:
    """The standard normal cumulative distribution function, ``torch.special.ndtr``.

    ndtr(x) = P(Z <= x) for Z ~ N(0, 1) = (1 + erf(x / sqrt 2)) / 2, computed as
    erfc(-x / sqrt 2) / 2 so the left tail keeps its relative accuracy;
    d ndtr(x) / dx = e^(-x^2 / 2) / sqrt(2 pi).

    Parameters
    ----------
    input : Tensor or array_like
        Any shape; the result has the same shape.

    Examples
    --------
    >>> ln.special.ndtr(ln.tensor([0.0, 1.0, 1.96]))      # the 50%, 84% and 97.5% points
    tensor([0.5000, 0.8413, 0.9750])
    """
    return (_t(input) * (-1 / math.sqrt(2))).erfc() * 0.5


def ndtri(input) -> Tensor:
    """The standard normal quantile function (inverse of ``ndtr``), ``torch.special.ndtri``.

    ndtri(p) = x such that ndtr(x) = p, = sqrt 2 erfinv(2p - 1) for p in [0, 1] (-inf at 0,
    inf at 1, nan outside).

    Parameters
    ----------
    input : Tensor or array_like
        Probabilities, any shape; the result has the same shape.

    Examples
    --------
    >>> ln.special.ndtri(ln.tensor([0.5, 0.975, 0.0, 1.0]))
    tensor([0.0000, 1.9600,   -inf,    inf])
    """
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
    """The elementwise entropy term, ``torch.special.entr``.

    entr(x) = -x ln x for x > 0, 0 at x = 0, -inf for x < 0 (as PyTorch); summing it over a
    probability vector gives its Shannon entropy in nats. d entr(x) / dx = -(1 + ln x).

    Parameters
    ----------
    input : Tensor or array_like
        Any shape; the result has the same shape (float).

    Examples
    --------
    >>> ln.special.entr(ln.tensor([0.0, 0.5, -1.0]))
    tensor([0.0000, 0.3466,   -inf])
    >>> ln.special.entr(ln.tensor([0.5, 0.5])).sum()      # one fair coin: ln 2 nats
    tensor(0.6931)
    """
    return Entr.apply(_t(input))


def xlog1py(input, other) -> Tensor:
    """x ln(1 + y) with 0 where x = 0, ``torch.special.xlog1py``.

    xlog1py(x, y) = x * ln(1 + y), defined as 0 where x == 0 (even at y = -1), nan where y is
    nan.

    Parameters
    ----------
    input : Tensor or array_like
        x, any shape.
    other : Tensor, array_like or float
        y, broadcast against ``input``; the result has the broadcast shape.

    Examples
    --------
    >>> ln.special.xlog1py(ln.tensor([0.0, 2.0]), ln.tensor([-1.0, 1.0]))    # 2 ln 2 = 1.3863
    tensor([0.0000, 1.3863])
    """
    x = _t(input)
    return _ew.XLogY.apply(*_ew._promote(x, other + 1 if isinstance(other, Tensor)
                                         else np.asarray(other) + 1))

