"""Elementwise arithmetic and math with broadcasting-aware gradients.

Every op is one `Function` (forward and backward side by side) or a composite of others; the
PyTorch-spelled surface (``x.sin()``, ``lucidnet.sin(x)``, ``clamp``, ``where``, ...) is
registered at the bottom of the file in the one table (autograd/registry.py).
"""

from __future__ import annotations

import functools
import math
import numbers

import numpy as np

from ..function import Function, unbroadcast
from ..registry import register
from ..tensor import Tensor, get_default_dtype, tensor

__all__ = ["Add", "Sub", "Mul", "Div", "Pow", "Neg", "Exp", "Log", "Sqrt", "Abs", "Clamp", "Clip",
           "Maximum", "Minimum", "FMax", "FMin", "Atan2", "Where", "NanToNum", "Clone", "Cast",
           "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh",
           "Exp2", "Log1p", "Expm1", "Log2", "Log10", "Rsqrt", "Reciprocal", "Erf", "Erfc",
           "Sign", "Floor", "Ceil", "Round", "Trunc", "Heaviside", "Erfinv", "Sinc", "Hypot",
           "LogAddExp", "XLogY", "CopySign", "erf_erfc", "erfinv_array", "tensor_op"]


def _shape(x):
    return np.shape(x)


def _floating(a: np.ndarray) -> np.ndarray:
    """An integer or bool input of a float-valued op (exp, sin, ...) computes in the default float
    dtype, as PyTorch (NumPy would give float64)."""
    return a if a.dtype.kind in "fc" else a.astype(get_default_dtype())


# ----------------------------------------------------------------- the registration helper
def _as_tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else tensor(x)


def tensor_op(name: str, *aliases: str, function: bool = True, method: bool = True):
    """Register ``fn(self, ...)`` as the Tensor method ``name`` (and each alias; not with
    ``method=False``); with ``function=True`` also as ``lucidnet.<name>(input, ...)``, whose
    input may be array-like. The method itself stays a plain function (nothing added on the
    tensor's own path).

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import tensor_op
    >>> ln.tensor([0.0]).exp(), ln.exp([0.0])  # both made by @tensor_op("exp")
    (tensor([1.]), tensor([1.]))
    >>> tensor_op("exp")(lambda self: self)  # a name belongs to one op
    Traceback (most recent call last):
        ...
    RuntimeError: lucidnet registry: 'exp' is registered twice
    """

    def decorate(fn):
        @functools.wraps(fn)
        def top_level(input, *args, **kwargs):
            return fn(_as_tensor(input), *args, **kwargs)

        for n in (name, *aliases):
            if method:
                register(n)(fn)
            if function:
                register(n, method=False, function=True)(top_level)
        return fn

    return decorate


class Add(Function):
    """z = a + b;  dz/da = 1, dz/db = 1.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Add
    >>> a = ln.tensor([1.0, 2.0], requires_grad=True)
    >>> b = ln.tensor(10.0, requires_grad=True)
    >>> Add.apply(a, b)
    tensor([11., 12.], grad_fn=<AddBackward0>)
    >>> Add.apply(a, b).sum().backward(); a.grad, b.grad  # b was broadcast: its gradient is summed
    (tensor([1., 1.]), tensor(2.))
    """

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (_shape(a), _shape(b))
        return np.add(a, b)

    @staticmethod
    def backward(ctx, g):
        sa, sb = ctx.shapes
        return unbroadcast(g, sa), unbroadcast(g, sb)


class Sub(Function):
    """z = a - b;  dz/da = 1, dz/db = -1.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Sub
    >>> a = ln.tensor([5.0, 3.0], requires_grad=True)
    >>> b = ln.tensor([1.0, 1.0], requires_grad=True)
    >>> Sub.apply(a, b)
    tensor([4., 2.], grad_fn=<SubBackward0>)
    >>> Sub.apply(a, b).sum().backward(); a.grad, b.grad  # dz/da = 1, dz/db = -1
    (tensor([1., 1.]), tensor([-1., -1.]))
    """

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (_shape(a), _shape(b))
        return np.subtract(a, b)

    @staticmethod
    def backward(ctx, g):
        sa, sb = ctx.shapes
        gb = unbroadcast(-g, sb) if ctx.needs_input_grad[1] else None
        return unbroadcast(g, sa), gb


class Mul(Function):
    """z = a * b;  dz/da = b, dz/db = a.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Mul
    >>> a = ln.tensor([2.0, 3.0], requires_grad=True)
    >>> b = ln.tensor([4.0, 5.0], requires_grad=True)
    >>> Mul.apply(a, b)
    tensor([ 8., 15.], grad_fn=<MulBackward0>)
    >>> Mul.apply(a, b).sum().backward(); a.grad, b.grad  # dz/da = b, dz/db = a
    (tensor([4., 5.]), tensor([2., 3.]))
    """

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.multiply(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved
        ga = unbroadcast(g * b, _shape(a)) if ctx.needs_input_grad[0] else None
        gb = unbroadcast(g * a, _shape(b)) if ctx.needs_input_grad[1] else None
        return ga, gb


class Div(Function):
    """z = a / b;  dz/da = 1/b, dz/db = -a/b^2.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Div
    >>> a = ln.tensor([1.0, 1.0], requires_grad=True)
    >>> b = ln.tensor([2.0, 4.0], requires_grad=True)
    >>> Div.apply(a, b)
    tensor([0.5000, 0.2500], grad_fn=<DivBackward0>)
    >>> Div.apply(a, b).sum().backward(); b.grad  # dz/db = -a / b^2
    tensor([-0.2500, -0.0625])
    """

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.divide(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved
        ga = unbroadcast(g / b, _shape(a)) if ctx.needs_input_grad[0] else None
        gb = unbroadcast(-g * a / (b * b), _shape(b)) if ctx.needs_input_grad[1] else None
        return ga, gb


class Pow(Function):
    """z = a ** b;  dz/da = b a^(b-1) (0 where b = 0), dz/db = a^b ln a (0 where a = 0, b >= 0).

    The singular points follow PyTorch: x ** 0 has gradient 0 at x = 0 (not 0 * inf = nan),
    0 ** y has exponent-gradient 0 for y >= 0 and -inf for y < 0, and a negative base gives a
    nan exponent-gradient (ln of a negative number).

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Pow
    >>> a = ln.tensor([0.0, 2.0, 3.0], requires_grad=True)
    >>> b = ln.tensor(2.0, requires_grad=True)
    >>> Pow.apply(a, b)
    tensor([0., 4., 9.], grad_fn=<PowBackward1>)
    >>> Pow.apply(a, b).sum().backward(); a.grad  # dz/da = 2 a
    tensor([0., 4., 6.])
    """

    @staticmethod
    def forward(ctx, a, b):
        out = np.power(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved
        ga = gb = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if ctx.needs_input_grad[0]:
                ga = unbroadcast(np.where(b == 0, 0, g * b * np.power(a, b - 1)).astype(g.dtype),
                                 _shape(a))
            if ctx.needs_input_grad[1]:
                d_b = np.where((a == 0) & (b >= 0), 0, out * np.log(a))
                gb = unbroadcast((g * d_b).astype(g.dtype), _shape(b))
        return ga, gb


class Neg(Function):
    """z = -a;  dz/da = -1, so backward returns -g.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Neg
    >>> x = ln.tensor([1.0, -2.0], requires_grad=True)
    >>> Neg.apply(x)  # x.neg()
    tensor([-1.,  2.], grad_fn=<NegBackward0>)
    >>> Neg.apply(x).sum().backward(); x.grad  # dz/da = -1
    tensor([-1., -1.])
    """
    @staticmethod
    def forward(ctx, a):
        return np.negative(a)

    @staticmethod
    def backward(ctx, g):
        return -g


# ----------------------------------------------------------------- exp, log, sqrt, abs (hot path)
class Exp(Function):
    """z = e^a;  dz/da = e^a.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Exp
    >>> x = ln.tensor([0.0, 1.0], requires_grad=True)
    >>> Exp.apply(x)  # x.exp()
    tensor([1.0000, 2.7183], grad_fn=<ExpBackward0>)
    >>> Exp.apply(x).sum().backward(); x.grad  # dz/da = e^a
    tensor([1.0000, 2.7183])
    """

    @staticmethod
    def forward(ctx, a):
        out = np.exp(a if a.dtype.kind == "f" else _floating(a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved
        return g * out


class Log(Function):
    """z = ln a;  dz/da = 1/a.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Log
    >>> x = ln.tensor([1.0, 4.0], requires_grad=True)
    >>> Log.apply(x)  # x.log()
    tensor([0.0000, 1.3863], grad_fn=<LogBackward0>)
    >>> Log.apply(x).sum().backward(); x.grad  # dz/da = 1 / a
    tensor([1.0000, 0.2500])
    """

    @staticmethod
    def forward(ctx, a):
        a = a if a.dtype.kind == "f" else _floating(a)
        ctx.save_for_backward(a)
        return np.log(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved
        return g / a


class Sqrt(Function):
    """z = sqrt(a);  dz/da = 1 / (2 sqrt(a)).

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Sqrt
    >>> x = ln.tensor([1.0, 4.0], requires_grad=True)
    >>> Sqrt.apply(x)  # x.sqrt()
    tensor([1., 2.], grad_fn=<SqrtBackward0>)
    >>> Sqrt.apply(x).sum().backward(); x.grad  # dz/da = 1 / (2 sqrt(a))
    tensor([0.5000, 0.2500])
    """

    @staticmethod
    def forward(ctx, a):
        out = np.sqrt(a if a.dtype.kind == "f" else _floating(a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved
        return g / (2 * out)


class Abs(Function):
    """z = |a|;  dz/da = sign(a) (0 at 0, as PyTorch).

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Abs
    >>> x = ln.tensor([-2.0, 0.0, 3.0], requires_grad=True)
    >>> Abs.apply(x)  # x.abs()
    tensor([2., 0., 3.], grad_fn=<AbsBackward0>)
    >>> Abs.apply(x).sum().backward(); x.grad  # sign(a), 0 at 0
    tensor([-1.,  0.,  1.])
    """

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved
        return g * np.sign(a)


# ----------------------------------------------------------------- smooth unary math
class _Unary(Function):
    """z = f(a) with dz/da = df(a, z): each subclass states ``f`` and ``df`` on one line each.

    Integer input computes in the default float dtype; nan/inf results (log of 0, asin of 2)
    pass without NumPy warnings, as in PyTorch.
    """

    @classmethod
    def forward(cls, ctx, a):
        a = _floating(a)
        with np.errstate(all="ignore"):
            out = cls.f(a)
        ctx.save_for_backward(a, out)
        return out

    @classmethod
    def backward(cls, ctx, g):
        a, out = ctx.saved
        with np.errstate(all="ignore"):
            return g * cls.df(a, out)


_LN2, _LN10, _TWO_OVER_SQRT_PI = math.log(2.0), math.log(10.0), 2.0 / math.sqrt(math.pi)


class Sin(_Unary):
    """z = sin a;  dz/da = cos a.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Sin
    >>> x = ln.tensor([0.0, 1.0], requires_grad=True)
    >>> Sin.apply(x)  # x.sin()
    tensor([0.0000, 0.8415], grad_fn=<SinBackward0>)
    >>> Sin.apply(x).sum().backward(); x.grad  # cos a
    tensor([1.0000, 0.5403])
    """
    f, df = staticmethod(np.sin), staticmethod(lambda a, z: np.cos(a))


class Cos(_Unary):
    """z = cos a;  dz/da = -sin a.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Cos
    >>> x = ln.tensor([0.0, 1.0], requires_grad=True)
    >>> Cos.apply(x)  # x.cos()
    tensor([1.0000, 0.5403], grad_fn=<CosBackward0>)
    >>> Cos.apply(x).sum().backward(); x.grad  # -sin a
    tensor([-0.0000, -0.8415])
    """
    f, df = staticmethod(np.cos), staticmethod(lambda a, z: -np.sin(a))


class Tan(_Unary):
    """z = tan a;  dz/da = 1 + z^2.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Tan
    >>> x = ln.tensor([0.0, 1.0], requires_grad=True)
    >>> Tan.apply(x)  # x.tan()
    tensor([0.0000, 1.5574], grad_fn=<TanBackward0>)
    >>> Tan.apply(x).sum().backward(); x.grad  # 1 + tan(a)^2
    tensor([1.0000, 3.4255])
    """
    f, df = staticmethod(np.tan), staticmethod(lambda a, z: 1 + z * z)


class Asin(_Unary):
    """z = asin a;  dz/da = 1 / sqrt(1 - a^2).

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Asin
    >>> x = ln.tensor([0.0, 0.5], requires_grad=True)
    >>> Asin.apply(x)  # x.asin()
    tensor([0.0000, 0.5236], grad_fn=<AsinBackward0>)
    >>> Asin.apply(x).sum().backward(); x.grad  # 1 / sqrt(1 - a^2)
    tensor([1.0000, 1.1547])
    """
    f, df = staticmethod(np.arcsin), staticmethod(lambda a, z: 1 / np.sqrt(1 - a * a))


class Acos(_Unary):
    """z = acos a;  dz/da = -1 / sqrt(1 - a^2).

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Acos
    >>> x = ln.tensor([0.0, 0.5], requires_grad=True)
    >>> Acos.apply(x)  # x.acos()
    tensor([1.5708, 1.0472], grad_fn=<AcosBackward0>)
    >>> Acos.apply(x).sum().backward(); x.grad  # -1 / sqrt(1 - a^2)
    tensor([-1.0000, -1.1547])
    """
    f, df = staticmethod(np.arccos), staticmethod(lambda a, z: -1 / np.sqrt(1 - a * a))


class Atan(_Unary):
    """z = atan a;  dz/da = 1 / (1 + a^2).

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Atan
    >>> x = ln.tensor([0.0, 1.0], requires_grad=True)
    >>> Atan.apply(x)  # x.atan()
    tensor([0.0000, 0.7854], grad_fn=<AtanBackward0>)
    >>> Atan.apply(x).sum().backward(); x.grad  # 1 / (1 + a^2)
    tensor([1.0000, 0.5000])
    """
    f, df = staticmethod(np.arctan), staticmethod(lambda a, z: 1 / (1 + a * a))


class Sinh(_Unary):
    """z = sinh a;  dz/da = cosh a.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Sinh
    >>> x = ln.tensor([0.0, 1.0], requires_grad=True)
    >>> Sinh.apply(x)  # x.sinh()
    tensor([0.0000, 1.1752], grad_fn=<SinhBackward0>)
    >>> Sinh.apply(x).sum().backward(); x.grad  # cosh a
    tensor([1.0000, 1.5431])
    """
    f, df = staticmethod(np.sinh), staticmethod(lambda a, z: np.cosh(a))


class Cosh(_Unary):
    """z = cosh a;  dz/da = sinh a.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Cosh
    >>> x = ln.tensor([0.0, 1.0], requires_grad=True)
    >>> Cosh.apply(x)  # x.cosh()
    tensor([1.0000, 1.5431], grad_fn=<CoshBackward0>)
    >>> Cosh.apply(x).sum().backward(); x.grad  # sinh a
    tensor([0.0000, 1.1752])
    """
    f, df = staticmethod(np.cosh), staticmethod(lambda a, z: np.sinh(a))


class Asinh(_Unary):
    """z = asinh a;  dz/da = 1 / sqrt(a^2 + 1).

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Asinh
    >>> x = ln.tensor([0.0, 1.0], requires_grad=True)
    >>> Asinh.apply(x)  # x.asinh()
    tensor([0.0000, 0.8814], grad_fn=<AsinhBackward0>)
    >>> Asinh.apply(x).sum().backward(); x.grad  # 1 / sqrt(a^2 + 1)
    tensor([1.0000, 0.7071])
    """
    f, df = staticmethod(np.arcsinh), staticmethod(lambda a, z: 1 / np.sqrt(a * a + 1))


class Acosh(_Unary):
    """z = acosh a;  dz/da = 1 / sqrt((a - 1)(a + 1)).

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Acosh
    >>> x = ln.tensor([1.0, 2.0], requires_grad=True)
    >>> Acosh.apply(x)  # x.acosh()
    tensor([0.0000, 1.3170], grad_fn=<AcoshBackward0>)
    >>> Acosh.apply(x).sum().backward(); x.grad  # 1 / sqrt((a - 1)(a + 1)): inf at a = 1
    tensor([   inf, 0.5774])
    """
    f, df = staticmethod(np.arccosh), staticmethod(lambda a, z: 1 / np.sqrt((a - 1) * (a + 1)))


class Atanh(_Unary):
    """z = atanh a;  dz/da = 1 / (1 - a^2).

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Atanh
    >>> x = ln.tensor([0.0, 0.5], requires_grad=True)
    >>> Atanh.apply(x)  # x.atanh()
    tensor([0.0000, 0.5493], grad_fn=<AtanhBackward0>)
    >>> Atanh.apply(x).sum().backward(); x.grad  # 1 / (1 - a^2)
    tensor([1.0000, 1.3333])
    """
    f, df = staticmethod(np.arctanh), staticmethod(lambda a, z: 1 / (1 - a * a))


class Exp2(_Unary):
    """z = 2^a;  dz/da = z ln 2.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Exp2
    >>> x = ln.tensor([0.0, 3.0], requires_grad=True)
    >>> Exp2.apply(x)  # x.exp2()
    tensor([1., 8.], grad_fn=<Exp2Backward0>)
    >>> Exp2.apply(x).sum().backward(); x.grad  # 2^a ln 2
    tensor([0.6931, 5.5452])
    """
    f, df = staticmethod(np.exp2), staticmethod(lambda a, z: z * _LN2)


class Expm1(_Unary):
    """z = e^a - 1 (accurate near 0);  dz/da = z + 1.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Expm1
    >>> x = ln.tensor([0.0, 1.0], requires_grad=True)
    >>> Expm1.apply(x)  # x.expm1()
    tensor([0.0000, 1.7183], grad_fn=<Expm1Backward0>)
    >>> Expm1.apply(x).sum().backward(); x.grad  # e^a
    tensor([1.0000, 2.7183])
    """
    f, df = staticmethod(np.expm1), staticmethod(lambda a, z: z + 1)


class Log1p(_Unary):
    """z = ln(1 + a) (accurate near 0);  dz/da = 1 / (1 + a).

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Log1p
    >>> x = ln.tensor([0.0, 1.0], requires_grad=True)
    >>> Log1p.apply(x)  # x.log1p()
    tensor([0.0000, 0.6931], grad_fn=<Log1pBackward0>)
    >>> Log1p.apply(x).sum().backward(); x.grad  # 1 / (1 + a)
    tensor([1.0000, 0.5000])
    """
    f, df = staticmethod(np.log1p), staticmethod(lambda a, z: 1 / (1 + a))


class Log2(_Unary):
    """z = log2 a;  dz/da = 1 / (a ln 2).

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Log2
    >>> x = ln.tensor([1.0, 8.0], requires_grad=True)
    >>> Log2.apply(x)  # x.log2()
    tensor([0., 3.], grad_fn=<Log2Backward0>)
    >>> Log2.apply(x).sum().backward(); x.grad  # 1 / (a ln 2)
    tensor([1.4427, 0.1803])
    """
    f, df = staticmethod(np.log2), staticmethod(lambda a, z: 1 / (a * _LN2))


class Log10(_Unary):
    """z = log10 a;  dz/da = 1 / (a ln 10).

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Log10
    >>> x = ln.tensor([1.0, 100.0], requires_grad=True)
    >>> y = Log10.apply(x)  # x.log10(); the last bit of a float32 log10 depends on the CPU
    >>> np.round(y.tolist(), 5).tolist(), y.grad_fn.name()
    ([0.0, 2.0], 'Log10Backward0')
    >>> Log10.apply(x).sum().backward(); x.grad  # 1 / (a ln 10)
    tensor([0.4343, 0.0043])
    """
    f, df = staticmethod(np.log10), staticmethod(lambda a, z: 1 / (a * _LN10))


class Rsqrt(_Unary):
    """z = 1 / sqrt(a);  dz/da = -z^3 / 2.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Rsqrt
    >>> x = ln.tensor([1.0, 4.0], requires_grad=True)
    >>> Rsqrt.apply(x)  # x.rsqrt()
    tensor([1.0000, 0.5000], grad_fn=<RsqrtBackward0>)
    >>> Rsqrt.apply(x).sum().backward(); x.grad  # -(1 / sqrt(a))^3 / 2
    tensor([-0.5000, -0.0625])
    """
    f, df = staticmethod(lambda a: 1 / np.sqrt(a)), staticmethod(lambda a, z: -0.5 * z * z * z)


class Reciprocal(_Unary):
    """z = 1 / a;  dz/da = -z^2.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Reciprocal
    >>> x = ln.tensor([1.0, 2.0], requires_grad=True)
    >>> Reciprocal.apply(x)  # x.reciprocal()
    tensor([1.0000, 0.5000], grad_fn=<ReciprocalBackward0>)
    >>> Reciprocal.apply(x).sum().backward(); x.grad  # -1 / a^2
    tensor([-1.0000, -0.2500])
    """
    f, df = staticmethod(lambda a: 1 / a), staticmethod(lambda a, z: -z * z)


def erf_erfc(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """erf(x) and erfc(x) = 1 - erf(x) elementwise, to about 1e-15 in float64 (NumPy has no erf).

    |x| < 2.5: the everywhere-positive series
        erf(x) = 2/sqrt(pi) e^(-x^2) sum_n x (2x^2)^n / (1 3 5 ... (2n+1))     (60 terms)
    |x| >= 2.5: Laplace's continued fraction, summed bottom-up from depth 80,
        erfc(x) = e^(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
    which keeps erfc's relative accuracy in the tail; erfc(-x) = 2 - erfc(x).

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import erf_erfc
    >>> erf, erfc = erf_erfc(np.array([0.0, 1.0, 5.0]))
    >>> erf.round(8).tolist()
    [0.0, 0.84270079, 1.0]
    >>> print(f"{erfc[2]:.10e}")  # full precision, where 1 - erf(5) loses most digits
    1.5374597944e-12
    """
    x = np.asarray(x, dtype=np.float64)
    erf, erfc = np.empty_like(x), np.empty_like(x)
    small = np.abs(x) < 2.5
    s = x[small]
    term, total, two_s2 = s.copy(), s.copy(), 2 * s * s
    for n in range(1, 60):
        term = term * two_s2 / (2 * n + 1)
        total += term
    e = _TWO_OVER_SQRT_PI * np.exp(-s * s) * total
    erf[small], erfc[small] = e, 1 - e
    big = ~small
    b = np.abs(x[big])
    fraction = b.copy()
    with np.errstate(all="ignore"):  # x = +-inf: inf / inf never happens, 0 / inf is 0
        for k in range(80, 0, -1):
            fraction = b + (k / 2) / fraction
        tail = np.exp(-b * b) / math.sqrt(math.pi) / fraction
    negative = x[big] < 0
    erfc[big] = np.where(negative, 2 - tail, tail)
    erf[big] = np.where(negative, tail - 1, 1 - tail)
    return erf, erfc


class Erf(_Unary):
    """z = erf a = 2/sqrt(pi) int_0^a e^(-t^2) dt;  dz/da = 2/sqrt(pi) e^(-a^2).

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Erf
    >>> x = ln.tensor([0.0, 1.0], requires_grad=True)
    >>> Erf.apply(x)  # x.erf()
    tensor([0.0000, 0.8427], grad_fn=<ErfBackward0>)
    >>> Erf.apply(x).sum().backward(); x.grad  # 2/sqrt(pi) e^(-a^2)
    tensor([1.1284, 0.4151])
    """
    f = staticmethod(lambda a: erf_erfc(a)[0].astype(a.dtype, copy=False))
    df = staticmethod(lambda a, z: _TWO_OVER_SQRT_PI * np.exp(-a * a))


class Erfc(_Unary):
    """z = erfc a = 1 - erf a;  dz/da = -2/sqrt(pi) e^(-a^2).

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Erfc
    >>> x = ln.tensor([0.0, 1.0], requires_grad=True)
    >>> Erfc.apply(x)  # x.erfc()
    tensor([1.0000, 0.1573], grad_fn=<ErfcBackward0>)
    >>> Erfc.apply(x).sum().backward(); x.grad  # -2/sqrt(pi) e^(-a^2)
    tensor([-1.1284, -0.4151])
    """
    f = staticmethod(lambda a: erf_erfc(a)[1].astype(a.dtype, copy=False))
    df = staticmethod(lambda a, z: -_TWO_OVER_SQRT_PI * np.exp(-a * a))


def erfinv_array(y: np.ndarray) -> np.ndarray:
    """erfinv(y) elementwise: x with erf(x) = y for -1 < y < 1 (+-inf at +-1, nan outside).

    Winitzki's closed form (relative error about 2e-3) refined by Newton steps
    x <- x - (erf(x) - y) / (2/sqrt(pi) e^(-x^2)), written with erfc near |y| = 1 so the tail
    keeps its precision; float64 reaches about 1e-15 after four steps.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import erf_erfc, erfinv_array
    >>> x = erfinv_array(np.array([0.0, 0.5, 1.0])); x.round(6).tolist()
    [0.0, 0.476936, inf]
    >>> round(float(erf_erfc(x[1:2])[0][0]), 12)  # erf(erfinv(0.5)) = 0.5 to rounding
    0.5
    """
    y = np.asarray(y, dtype=np.float64)
    ay = np.abs(y)
    inside = ay < 1
    with np.errstate(all="ignore"):
        log_term = np.log1p(-ay * ay)
        first = 2 / (math.pi * 0.147) + log_term / 2
        x = np.where(inside, np.sqrt(np.sqrt(first * first - log_term / 0.147) - first), 0.0)
        for _ in range(4):  # on |y|, x >= 0: erf(x) - |y| = (1 - |y|) - erfc(x) in the tail
            erf, erfc = erf_erfc(x)
            residual = np.where(ay > 0.5, (1 - ay) - erfc, erf - ay)
            x = np.where(inside, x - residual / (_TWO_OVER_SQRT_PI * np.exp(-x * x)), 0.0)
    x = np.where(inside, x, np.where(ay == 1, np.inf, np.nan))
    return np.copysign(x, y)


class Erfinv(_Unary):
    """z = erfinv a (erf z = a);  dz/da = sqrt(pi)/2 e^(z^2).

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Erfinv
    >>> x = ln.tensor([0.0, 0.5], requires_grad=True)
    >>> Erfinv.apply(x)  # x.erfinv()
    tensor([0.0000, 0.4769], grad_fn=<ErfinvBackward0>)
    >>> Erfinv.apply(x).sum().backward(); x.grad  # sqrt(pi)/2 e^(z^2)
    tensor([0.8862, 1.1126])
    """
    f = staticmethod(lambda a: erfinv_array(a).astype(a.dtype, copy=False))
    df = staticmethod(lambda a, z: np.exp(z * z) / _TWO_OVER_SQRT_PI)


class Sinc(_Unary):
    """z = sin(pi a) / (pi a), 1 at 0;  dz/da = (cos(pi a) - z) / a, 0 at 0.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Sinc
    >>> x = ln.tensor([0.0, 0.5], requires_grad=True)
    >>> Sinc.apply(x)  # x.sinc()
    tensor([1.0000, 0.6366], grad_fn=<SincBackward0>)
    >>> Sinc.apply(x).sum().backward(); x.grad  # (cos(pi a) - z) / a, 0 at 0
    tensor([ 0.0000, -1.2732])
    """
    f = staticmethod(lambda a: np.sinc(a))
    df = staticmethod(lambda a, z: np.where(a == 0, 0, (np.cos(math.pi * a) - z) / a)
                      .astype(a.dtype, copy=False))


# ----------------------------------------------------------------- piecewise-constant ops
class _Piecewise(Function):
    """z = f(a), constant between jumps: dz/da = 0 (PyTorch gives these a zero gradient, so the
    output still requires grad). Integer and bool inputs come back unchanged (floor of an int)."""

    @classmethod
    def forward(cls, ctx, a, **kwargs):
        if a.dtype.kind in "iub":
            return cls.on_integers(a)
        return cls.f(a, **kwargs)

    on_integers = staticmethod(np.copy)

    @staticmethod
    def backward(ctx, g):
        return np.zeros_like(g)


class Sign(_Piecewise):
    """z = -1, 0 or 1 as a < 0, a = 0, a > 0 (nan stays nan);  dz/da = 0.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Sign
    >>> x = ln.tensor([-2.0, 0.0, 3.0], requires_grad=True)
    >>> Sign.apply(x)  # x.sign()
    tensor([-1.,  0.,  1.], grad_fn=<SignBackward0>)
    >>> Sign.apply(x).sum().backward(); x.grad  # zero: a step has no slope
    tensor([0., 0., 0.])
    """
    f = staticmethod(np.sign)
    on_integers = staticmethod(lambda a: a.copy() if a.dtype.kind == "b" else np.sign(a))


class Floor(_Piecewise):
    """z = the largest integer <= a;  dz/da = 0.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Floor
    >>> x = ln.tensor([-1.5, 1.5], requires_grad=True)
    >>> Floor.apply(x)  # x.floor()
    tensor([-2.,  1.], grad_fn=<FloorBackward0>)
    >>> Floor.apply(x).sum().backward(); x.grad  # zero
    tensor([0., 0.])
    """
    f = staticmethod(np.floor)


class Ceil(_Piecewise):
    """z = the smallest integer >= a;  dz/da = 0.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Ceil
    >>> x = ln.tensor([-1.5, 1.5], requires_grad=True)
    >>> Ceil.apply(x)  # x.ceil()
    tensor([-1.,  2.], grad_fn=<CeilBackward0>)
    >>> Ceil.apply(x).sum().backward(); x.grad  # zero
    tensor([0., 0.])
    """
    f = staticmethod(np.ceil)


class Trunc(_Piecewise):
    """z = a rounded toward 0;  dz/da = 0.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Trunc
    >>> x = ln.tensor([-1.5, 1.5], requires_grad=True)
    >>> Trunc.apply(x)  # x.trunc()
    tensor([-1.,  1.], grad_fn=<TruncBackward0>)
    >>> Trunc.apply(x).sum().backward(); x.grad  # zero
    tensor([0., 0.])
    """
    f = staticmethod(np.trunc)


class Round(_Piecewise):
    """z = a rounded to ``decimals`` places, halves to even (as PyTorch);  dz/da = 0.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Round
    >>> Round.apply(ln.tensor([0.5, 1.5, 2.5]))  # halves go to the even neighbour
    tensor([0., 2., 2.])
    >>> Round.apply(ln.tensor([0.123, 0.456]), decimals=1)
    tensor([0.1000, 0.5000])
    """
    f = staticmethod(lambda a, decimals=0: np.round(a, decimals))


class Heaviside(Function):
    """z = 0 if a < 0, ``values`` if a = 0, 1 if a > 0. Not differentiable (as in PyTorch, its
    backward raises).

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Heaviside
    >>> Heaviside.apply(ln.tensor([-1.0, 0.0, 2.0]), ln.tensor(0.5))  # 0.5 is the value at 0
    tensor([0.0000, 0.5000, 1.0000])
    """

    @staticmethod
    def forward(ctx, a, values):
        return np.heaviside(a, values).astype(np.result_type(a, values), copy=False)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("the derivative for 'heaviside' is not implemented (as in PyTorch); "
                           "use a smooth step such as sigmoid(k * x) if you need a gradient")


# ----------------------------------------------------------------- clamp, extrema, where
class Clamp(Function):
    """z = min(max(a, low), high), either bound optional (numbers, or arrays that broadcast).

    Gradients as PyTorch: dz/da = 1 where low <= a <= high (the boundary included, 0 outside),
    dz/dlow = 1 where a < low < high, dz/dhigh = 1 where a > high or high < low (then every
    entry is high).

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Clamp
    >>> x = ln.tensor([-1.0, 0.5, 2.0], requires_grad=True)
    >>> Clamp.apply(x, 0.0, 1.0)  # x.clamp(0, 1)
    tensor([0.0000, 0.5000, 1.0000], grad_fn=<ClampBackward1>)
    >>> Clamp.apply(x, 0.0, 1.0).sum().backward(); x.grad  # 1 inside [low, high], 0 outside
    tensor([0., 1., 0.])
    """

    @staticmethod
    def forward(ctx, a, low=None, high=None):
        ctx.save_for_backward(a, low, high)
        ctx.shapes = (_shape(a), _shape(low), _shape(high))
        return np.clip(a, low, high)

    @staticmethod
    def backward(ctx, g):
        a, low, high = ctx.saved
        needs = ctx.needs_input_grad
        need_a, need_low, need_high = needs + (False,) * (3 - len(needs))  # low=/high= as kwargs
        zero = np.zeros((), dtype=g.dtype)
        ga = glow = ghigh = None
        if need_a:
            inside = True
            if low is not None:
                inside = inside & (a >= low)
            if high is not None:
                inside = inside & (a <= high)
            ga = unbroadcast(np.where(inside, g, zero), ctx.shapes[0])
        if need_low:
            below = (a < low) & (low < high) if high is not None else a < low
            glow = unbroadcast(np.where(below, g, zero), ctx.shapes[1])
        if need_high:
            above = (a > high) | (high < low) if low is not None else a > high
            ghigh = unbroadcast(np.where(above, g, zero), ctx.shapes[2])
        return ga, glow, ghigh


Clip = Clamp  # the older name


class Maximum(Function):
    """z = max(a, b) elementwise (nan wins);  the gradient goes to the larger input, half to each
    on a tie, and to both where a nan makes the comparison fail, as PyTorch.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Maximum
    >>> a = ln.tensor([1.0, 3.0], requires_grad=True)
    >>> b = ln.tensor([2.0, 3.0], requires_grad=True)
    >>> Maximum.apply(a, b)
    tensor([2., 3.], grad_fn=<MaximumBackward0>)
    >>> Maximum.apply(a, b).sum().backward(); a.grad, b.grad  # a tie splits the gradient
    (tensor([0.0000, 0.5000]), tensor([1.0000, 0.5000]))
    """

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved
        return _extremum_grads(g, a, b, a < b, a > b, ctx.needs_input_grad)


class Minimum(Function):
    """z = min(a, b) elementwise (nan wins);  gradient as `Maximum` with the smaller input.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Minimum
    >>> a = ln.tensor([1.0, 3.0], requires_grad=True)
    >>> b = ln.tensor([2.0, 3.0], requires_grad=True)
    >>> Minimum.apply(a, b)
    tensor([1., 3.], grad_fn=<MinimumBackward0>)
    >>> Minimum.apply(a, b).sum().backward(); a.grad, b.grad  # a tie splits the gradient
    (tensor([1.0000, 0.5000]), tensor([0.0000, 0.5000]))
    """

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved
        return _extremum_grads(g, a, b, a > b, a < b, ctx.needs_input_grad)


def _extremum_grads(g, a, b, a_loses, b_loses, needs):
    """g to the winner, g/2 to each on a tie (PyTorch's maximum/minimum backward)."""
    half = np.where(a == b, g * 0.5, g).astype(g.dtype, copy=False)
    zero = np.zeros((), dtype=g.dtype)
    ga = unbroadcast(np.where(a_loses, zero, half), _shape(a)) if needs[0] else None
    gb = unbroadcast(np.where(b_loses, zero, half), _shape(b)) if needs[1] else None
    return ga, gb


class FMax(Function):
    """z = max(a, b) ignoring nan (nan only if both are);  dz/da = 1 where a >= b or b is nan,
    else dz/db = 1 (a tie goes to a, as PyTorch).

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import FMax
    >>> FMax.apply(ln.tensor([float("nan"), 1.0]), ln.tensor([2.0, 3.0]))  # nan is ignored
    tensor([2., 3.])
    """

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.fmax(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved
        return _pick_grads(g, (a >= b) | np.isnan(b), _shape(a), _shape(b))


class FMin(Function):
    """z = min(a, b) ignoring nan;  dz/da = 1 where a <= b or b is nan, else dz/db = 1.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import FMin
    >>> FMin.apply(ln.tensor([float("nan"), 1.0]), ln.tensor([2.0, 3.0]))  # nan is ignored
    tensor([2., 1.])
    """

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.fmin(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved
        return _pick_grads(g, (a <= b) | np.isnan(b), _shape(a), _shape(b))


def _pick_grads(g, to_a, shape_a, shape_b):
    zero = np.zeros((), dtype=g.dtype)
    return (unbroadcast(np.where(to_a, g, zero), shape_a),
            unbroadcast(np.where(to_a, zero, g), shape_b))


class Atan2(Function):
    """z = atan2(a, b), the angle of the point (b, a);  dz/da = b / (a^2 + b^2),
    dz/db = -a / (a^2 + b^2) (both 0 at the origin, as PyTorch).

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Atan2
    >>> a = ln.tensor([1.0, 1.0], requires_grad=True)
    >>> b = ln.tensor([1.0, 0.0], requires_grad=True)
    >>> Atan2.apply(a, b)
    tensor([0.7854, 1.5708], grad_fn=<Atan2Backward0>)
    >>> Atan2.apply(a, b).sum().backward(); a.grad  # dz/da = b / (a^2 + b^2)
    tensor([0.5000, 0.0000])
    """

    @staticmethod
    def forward(ctx, a, b):
        a, b = _floating(a), _floating(b)
        ctx.save_for_backward(a, b)
        return np.arctan2(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved
        radius2 = a * a + b * b
        with np.errstate(all="ignore"):
            scale = np.where(radius2 == 0, np.zeros((), g.dtype), g / radius2)
        return unbroadcast(scale * b, _shape(a)), unbroadcast(-scale * a, _shape(b))


class Hypot(Function):
    """z = sqrt(a^2 + b^2) (without overflow);  dz/da = a / z, dz/db = b / z.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Hypot
    >>> a = ln.tensor([3.0], requires_grad=True)
    >>> b = ln.tensor([4.0], requires_grad=True)
    >>> Hypot.apply(a, b)
    tensor([5.], grad_fn=<HypotBackward0>)
    >>> Hypot.apply(a, b).sum().backward(); a.grad, b.grad  # a / z, b / z
    (tensor([0.6000]), tensor([0.8000]))
    """

    @staticmethod
    def forward(ctx, a, b):
        a, b = _floating(a), _floating(b)
        out = np.hypot(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved
        with np.errstate(all="ignore"):
            scale = g / out
        return unbroadcast(scale * a, _shape(a)), unbroadcast(scale * b, _shape(b))


class LogAddExp(Function):
    """z = ln(e^a + e^b) = max + ln(1 + e^-|a-b|) (``base=2``: log2(2^a + 2^b));
    dz/da = 1 / (1 + base^(b - a)), dz/db = 1 / (1 + base^(a - b)).

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import LogAddExp
    >>> a = ln.tensor([0.0, 1000.0], requires_grad=True)
    >>> b = ln.tensor([0.0, 1000.0], requires_grad=True)
    >>> LogAddExp.apply(a, b)
    tensor([6.9315e-01, 1.0007e+03], grad_fn=<LogAddExpBackward0>)
    >>> LogAddExp.apply(a, b).sum().backward(); a.grad  # 1/2 each on a tie
    tensor([0.5000, 0.5000])
    """

    @staticmethod
    def forward(ctx, a, b, base=math.e):
        a, b = _floating(a), _floating(b)
        ctx.save_for_backward(a, b)
        ctx.base = base
        with np.errstate(all="ignore"):
            out = np.logaddexp(a, b) if base == math.e else np.logaddexp2(a, b)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved
        power = np.exp if ctx.base == math.e else np.exp2
        with np.errstate(all="ignore"):
            ga = g / (1 + power(b - a))
            gb = g / (1 + power(a - b))
        return unbroadcast(ga, _shape(a)), unbroadcast(gb, _shape(b))


class XLogY(Function):
    """z = a ln b, 0 where a = 0 (unless b is nan);  dz/da = ln b (0 where a = 0 and b <= 0, as
    PyTorch), dz/db = a / b.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import XLogY
    >>> a = ln.tensor([0.0, 2.0], requires_grad=True)
    >>> b = ln.tensor([0.0, 4.0], requires_grad=True)
    >>> XLogY.apply(a, b)
    tensor([0.0000, 2.7726], grad_fn=<XLogYBackward0>)
    >>> XLogY.apply(a, b).sum().backward(); a.grad  # ln b, and 0 at a = 0 (0 ln 0 is 0)
    tensor([0.0000, 1.3863])
    """

    @staticmethod
    def forward(ctx, a, b):
        a, b = _floating(a), _floating(b)
        ctx.save_for_backward(a, b)
        with np.errstate(all="ignore"):
            out = a * np.log(b)
        return np.where((a == 0) & ~np.isnan(b), np.zeros((), out.dtype), out)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved
        zero = np.zeros((), dtype=g.dtype)
        with np.errstate(all="ignore"):
            ga = np.where(((a == 0) & (b <= 0)) | (g == 0), zero, g * np.log(b))
            gb = g * a / b
        return unbroadcast(ga, _shape(a)), unbroadcast(gb, _shape(b))


class CopySign(Function):
    """z = |a| with the sign of b (signbit included);  dz/da = z / a (0 at a = 0), dz/db = 0.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import CopySign
    >>> a = ln.tensor([1.0, -2.0], requires_grad=True)
    >>> b = ln.tensor([-1.0, 3.0], requires_grad=True)
    >>> CopySign.apply(a, b)
    tensor([-1.,  2.], grad_fn=<CopySignBackward0>)
    >>> CopySign.apply(a, b).sum().backward(); a.grad  # dz/da = z / a
    tensor([-1., -1.])
    """

    @staticmethod
    def forward(ctx, a, b):
        a, b = _floating(a), _floating(b)
        out = np.copysign(a, b)
        ctx.save_for_backward(a, out)
        ctx.shape_b = _shape(b)
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved
        with np.errstate(all="ignore"):
            ratio = np.where(a == 0, np.zeros((), out.dtype), out / a)
        return unbroadcast(g * ratio, _shape(a)), np.zeros(ctx.shape_b, dtype=g.dtype)


class Where(Function):
    """z = a where cond else b (cond is a constant boolean array);  dz/da = cond, dz/db = !cond.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Where
    >>> a = ln.tensor([1.0, 2.0], requires_grad=True); b = ln.tensor([10.0, 20.0])
    >>> Where.apply(a, b, cond=np.array([True, False]))
    tensor([ 1., 20.], grad_fn=<WhereBackward0>)
    >>> Where.apply(a, b, cond=np.array([True, False])).sum().backward(); a.grad
    tensor([1., 0.])
    """

    @staticmethod
    def forward(ctx, a, b, cond=None):
        ctx.cond = cond
        ctx.shapes = (_shape(a), _shape(b))
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, g):
        sa, sb = ctx.shapes
        zero = np.zeros((), dtype=g.dtype)
        return (unbroadcast(np.where(ctx.cond, g, zero), sa),
                unbroadcast(np.where(ctx.cond, zero, g), sb))


class NanToNum(Function):
    """z = a with nan, +inf, -inf replaced (by 0 and the dtype's largest / smallest finite value
    unless given);  dz/da = 1 where a is finite, 0 where it was replaced (as PyTorch).

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import NanToNum
    >>> x = ln.tensor([float("nan"), float("inf"), 1.0], requires_grad=True)
    >>> NanToNum.apply(x, posinf=9.0)
    tensor([0., 9., 1.], grad_fn=<NanToNumBackward0>)
    >>> NanToNum.apply(x, posinf=9.0).sum().backward(); x.grad  # 0 where an entry was replaced
    tensor([0., 0., 1.])
    """

    @staticmethod
    def forward(ctx, a, nan=0.0, posinf=None, neginf=None):
        ctx.save_for_backward(a)
        return np.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved
        return np.where(np.isfinite(a), g, np.zeros((), dtype=g.dtype))


class Clone(Function):
    """z = a copy of a (its memory layout kept, as PyTorch's clone; ``order="C"`` makes it
    row-major: ``contiguous()``);  dz/da = 1.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Clone
    >>> x = ln.tensor([1.0, 2.0], requires_grad=True)
    >>> y = Clone.apply(x); y
    tensor([1., 2.], grad_fn=<CloneBackward0>)
    >>> bool(np.shares_memory(y.data, x.data))  # a copy, not a view
    False
    """

    @staticmethod
    def forward(ctx, a, order="K"):
        return np.array(a, copy=True, order=order)

    @staticmethod
    def backward(ctx, g):
        return g


class Cast(Function):
    """z = a converted to ``dtype`` (a NumPy dtype);  dz/da = 1, the gradient cast back to a's dtype.

    Examples
    --------
    >>> from lucidnet.autograd.ops.elementwise import Cast
    >>> x = ln.tensor([1.5, 2.0], requires_grad=True)
    >>> y = Cast.apply(x, dtype=np.float64); y.dtype
    dtype('float64')
    >>> y.sum().backward(); x.grad.dtype  # the gradient comes back in x's dtype
    dtype('float32')
    """

    @staticmethod
    def forward(ctx, a, dtype=None):
        ctx.dtype = a.dtype
        return a.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g.astype(ctx.dtype)


# ----------------------------------------------------------------- the PyTorch-spelled surface
def _promote(*operands) -> tuple:
    """The operands (tensors, arrays, numbers) in PyTorch's result dtype (``result_type``: a
    number takes a float tensor's dtype, a float number with an integer tensor gives the default
    float dtype); numbers become 0-d arrays. None passes through."""
    from ..operators import _cast, result_type  # operators imports this module

    dtype = result_type(*(x for x in operands if x is not None))
    return tuple(x if x is None else _cast(x, dtype) if isinstance(x, (Tensor, np.ndarray))
                 else np.asarray(x, dtype=dtype) for x in operands)


_PLAIN = (float, int, type(None))  # exact classes: a float tensor keeps its dtype with them


def _checked_operand(value, op: str, name: str = "other"):
    if value is None or isinstance(value, (Tensor, np.ndarray, numbers.Number, np.generic)):
        return value
    if isinstance(value, (list, tuple)):
        return np.asarray(value)
    raise TypeError(f"{op}(): {name} must be a tensor or a number, got {type(value).__name__}")


def _apply_broadcasting(fn_class, op: str, *operands, **kwargs):
    """fn_class.apply(*operands), a shape mismatch raised as PyTorch's RuntimeError."""
    try:
        return fn_class.apply(*operands, **kwargs)
    except ValueError as exc:
        shapes = [np.shape(getattr(x, "data", x)) for x in operands if x is not None]
        try:
            np.broadcast_shapes(*shapes)
        except ValueError:
            listed = " and ".join(str(tuple(s)) for s in shapes)
            raise RuntimeError(f"{op}(): the shapes {listed} do not broadcast ({exc})") from None
        raise


def _unary(name, fn_class, *aliases):
    def method(self):
        return fn_class.apply(self)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = fn_class.__doc__
    tensor_op(name, *aliases)(method)


for _name, _cls, *_aliases in (
        ("sin", Sin), ("cos", Cos), ("tan", Tan), ("asin", Asin, "arcsin"),
        ("acos", Acos, "arccos"), ("atan", Atan, "arctan"), ("sinh", Sinh), ("cosh", Cosh),
        ("asinh", Asinh, "arcsinh"), ("acosh", Acosh, "arccosh"), ("atanh", Atanh, "arctanh"),
        ("exp2", Exp2), ("expm1", Expm1), ("log1p", Log1p), ("log2", Log2), ("log10", Log10),
        ("rsqrt", Rsqrt), ("reciprocal", Reciprocal), ("erf", Erf), ("erfc", Erfc),
        ("erfinv", Erfinv), ("sinc", Sinc),
        ("sign", Sign, "sgn"), ("floor", Floor), ("ceil", Ceil), ("trunc", Trunc, "fix")):
    _unary(_name, _cls, *_aliases)
del _name, _cls, _aliases


# the hot-path ones are written out: one call, nothing in between
@tensor_op("exp")
def exp(self):
    """e^x elementwise."""
    return Exp.apply(self)


@tensor_op("log")
def log(self):
    """ln x elementwise (-inf at 0, nan below)."""
    return Log.apply(self)


@tensor_op("sqrt")
def sqrt(self):
    """sqrt(x) elementwise."""
    return Sqrt.apply(self)


@tensor_op("abs", "absolute")
def _abs(self):
    """|x| elementwise (gradient sign(x), 0 at 0)."""
    return Abs.apply(self)


@tensor_op("square")
def square(self):
    """x * x (a composite: the gradient 2x comes from the product rule); bool gives int64."""
    if self.dtype.kind == "b":
        self = Cast.apply(self, dtype=np.dtype(np.int64))
    return Mul.apply(self, self)


@tensor_op("frac")
def frac(self):
    """x - trunc(x), the fractional part with the sign of x (gradient 1)."""
    return Sub.apply(self, Trunc.apply(self))


@tensor_op("round")
def _round(self, decimals: int = 0):
    """x rounded to ``decimals`` places (halves to even, as PyTorch); zero gradient."""
    if isinstance(decimals, bool) or not isinstance(decimals, (numbers.Integral, np.integer)):
        raise TypeError(f"round(): decimals must be an integer, got {decimals!r}")
    return Round.apply(self, decimals=int(decimals))


@tensor_op("clamp", "clip")
def clamp(self, min=None, max=None):
    """min(max(x, min), max) elementwise; ``min`` / ``max`` are numbers, tensors that broadcast
    with x, or None (at least one given). Gradient 1 where min <= x <= max (the boundary
    included), 0 outside; a tensor bound gets the gradient where it is the output."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None "
                           "(clamp(x, min=0.0) or clamp(x, max=1.0))")
    if self.data.dtype.kind == "f" and min.__class__ in _PLAIN and max.__class__ in _PLAIN:
        return Clamp.apply(self, min, max)  # the common case: no promotion to work out
    low, high = _checked_operand(min, "clamp", "min"), _checked_operand(max, "clamp", "max")
    return _apply_broadcasting(Clamp, "clamp", *_promote(self, low, high))


def _binary(name, fn_class, doc, *aliases):
    def method(self, other):
        return _apply_broadcasting(fn_class, name, *_promote(self, _checked_operand(other, name)))

    method.__name__ = method.__qualname__ = name
    method.__doc__ = doc
    tensor_op(name, *aliases)(method)


_binary("maximum", Maximum, "max(x, other) elementwise (nan wins); a tie splits the gradient.")
_binary("minimum", Minimum, "min(x, other) elementwise (nan wins); a tie splits the gradient.")
_binary("fmax", FMax, "max(x, other) elementwise, ignoring nan (nan only if both are).")
_binary("fmin", FMin, "min(x, other) elementwise, ignoring nan (nan only if both are).")
_binary("atan2", Atan2, "atan2(x, other): the angle of the point (other, x), in (-pi, pi].",
        "arctan2")
_binary("hypot", Hypot, "sqrt(x^2 + other^2) elementwise, without overflow.")
_binary("logaddexp", LogAddExp, "ln(e^x + e^other) elementwise, without overflow.")
_binary("xlogy", XLogY, "x * ln(other), 0 where x == 0 (as in entropy sums).")
_binary("copysign", CopySign, "|x| with the sign of other (its sign bit: -0.0 counts).")


@tensor_op("logaddexp2")
def logaddexp2(self, other):
    """log2(2^x + 2^other) elementwise, without overflow."""
    return _apply_broadcasting(LogAddExp, "logaddexp2",
                               *_promote(self, _checked_operand(other, "logaddexp2")), base=2.0)


@tensor_op("lerp")
def lerp(self, end, weight):
    """x + weight * (end - x), a composite: gradients 1 - weight, weight and end - x."""
    self, end = _promote(self, _checked_operand(end, "lerp", "end"))
    diff = _apply_broadcasting(Sub, "lerp", end, self)
    weight = weight if isinstance(weight, Tensor) else np.asarray(weight, dtype=diff.dtype)
    return _apply_broadcasting(Add, "lerp", self, Mul.apply(weight, diff))


def _condition(cond, op: str) -> np.ndarray:
    cond = cond.data if isinstance(cond, Tensor) else np.asarray(cond)
    if cond.dtype != np.bool_:
        raise RuntimeError(f"{op} expected a boolean condition (mask), but got a tensor with "
                           f"dtype {cond.dtype}; compare first, e.g. x > 0, or call .bool()")
    return cond


def where(condition, input=None, other=None):
    """``where(condition, input, other)``: input where the condition holds, else other (either may
    be a number; they broadcast). ``where(condition)`` alone is ``nonzero(condition,
    as_tuple=True)``, one index tensor per dim."""
    if input is None and other is None:
        from .indexing import nonzero

        return nonzero(_as_tensor(condition), as_tuple=True)
    if input is None or other is None:
        raise TypeError("where(condition, input, other) needs both input and other (or neither)")
    cond = _condition(condition, "where")
    if (isinstance(input, Tensor) and isinstance(other, Tensor)
            and input.data.dtype is other.data.dtype):  # the common case: nothing to promote
        return _apply_broadcasting(Where, "where", input, other, cond=cond)
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = tensor(input)
    a, b = _promote(_checked_operand(input, "where", "input"), _checked_operand(other, "where"))
    return _apply_broadcasting(Where, "where", a, b, cond=cond)


register("where", method=False, function=True)(where)


@register("where")
def _where_method(self, condition, other):
    """``x.where(condition, y)`` is ``where(condition, x, y)``."""
    return where(condition, self, other)


@tensor_op("masked_fill")
def masked_fill(self, mask, value):
    """x with ``value`` (a number or a 0-d tensor, which gets a gradient) where the boolean
    ``mask`` (broadcast to x) is True; the gradient to x is 0 there."""
    from ..operators import _cast

    mask = _condition(mask, "masked_fill")
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"masked_fill only supports a 0-dimensional value tensor, but got "
                               f"a tensor with {value.ndim} dimension(s)")
        value = _cast(value, self.dtype)
    else:
        value = np.asarray(_checked_operand(value, "masked_fill", "value"), dtype=self.dtype)
    return _apply_broadcasting(Where, "masked_fill", value, self, cond=mask)


@tensor_op("nan_to_num")
def nan_to_num(self, nan: float = 0.0, posinf=None, neginf=None):
    """x with nan -> ``nan``, +inf -> ``posinf``, -inf -> ``neginf`` (default: the dtype's
    largest / smallest finite value); gradient 1 on finite entries, 0 on replaced ones."""
    return NanToNum.apply(self, nan=nan, posinf=posinf, neginf=neginf)


@tensor_op("heaviside")
def heaviside(self, values):
    """0 where x < 0, ``values`` where x == 0, 1 where x > 0 (not differentiable)."""
    return _apply_broadcasting(Heaviside, "heaviside",
                               *_promote(self, _checked_operand(values, "heaviside", "values")))


# ----------------------------------------------------------------- tests of values: no graph
def _predicate(name, ufunc, doc):
    def method(self):
        return Tensor._wrap(np.asarray(ufunc(self.data)))

    method.__name__ = method.__qualname__ = name
    method.__doc__ = doc
    tensor_op(name)(method)


_predicate("isnan", np.isnan, "Boolean tensor: True where x is nan.")
_predicate("isinf", np.isinf, "Boolean tensor: True where x is +inf or -inf.")
_predicate("isfinite", np.isfinite, "Boolean tensor: True where x is neither nan nor inf.")
_predicate("isposinf", np.isposinf, "Boolean tensor: True where x is +inf.")
_predicate("isneginf", np.isneginf, "Boolean tensor: True where x is -inf.")


def _data(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


@tensor_op("isclose")
def isclose(self, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False):
    """Boolean tensor: |x - other| <= atol + rtol |other| elementwise (nan == nan only with
    ``equal_nan``)."""
    return Tensor._wrap(np.asarray(np.isclose(self.data, _data(other), rtol=rtol, atol=atol,
                                              equal_nan=equal_nan)))


@tensor_op("allclose")
def allclose(self, other, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """Python bool: isclose(x, other) holds everywhere (the shapes broadcast)."""
    return bool(np.allclose(self.data, _data(other), rtol=rtol, atol=atol, equal_nan=equal_nan))


@tensor_op("equal")
def equal(self, other) -> bool:
    """Python bool: same shape and the same values (any dtypes; nan is never equal)."""
    other = _data(other)
    return self.shape == other.shape and bool(np.all(self.data == other))


# ----------------------------------------------------------------- small composites
@tensor_op("clamp_min")
def clamp_min(self, min):
    """clamp(x, min=min)."""
    return clamp(self, min=min)


@tensor_op("clamp_max")
def clamp_max(self, max):
    """clamp(x, max=max)."""
    return clamp(self, max=max)


@tensor_op("logit")
def logit(self, eps=None):
    """ln(x / (1 - x)), the inverse of sigmoid, as ln x - ln(1 - x) (gradient 1 / (x (1 - x)));
    with ``eps``, x is first clamped to [eps, 1 - eps] (gradient 0 outside)."""
    x = self if self.dtype.kind == "f" else Cast.apply(self, dtype=get_default_dtype())
    if eps is not None:
        x = clamp(x, eps, 1 - eps)
    return Sub.apply(Log.apply(x), Log1p.apply(Neg.apply(x)))


@tensor_op("deg2rad")
def deg2rad(self):
    """x * pi / 180."""
    return Mul.apply(*_promote(self, math.pi / 180))


@tensor_op("rad2deg")
def rad2deg(self):
    """x * 180 / pi."""
    return Mul.apply(*_promote(self, 180 / math.pi))


@tensor_op("addcmul")
def addcmul(self, tensor1, tensor2, *, value=1):
    """self + value * tensor1 * tensor2 (a composite; they broadcast)."""
    product = Mul.apply(*_promote(tensor1, tensor2))
    scaled = product if value == 1 else Mul.apply(*_promote(product, value))
    return Add.apply(*_promote(self, scaled))


@tensor_op("addcdiv")
def addcdiv(self, tensor1, tensor2, *, value=1):
    """self + value * tensor1 / tensor2 (a composite; they broadcast)."""
    ratio = Div.apply(*_promote(tensor1, tensor2))
    scaled = ratio if value == 1 else Mul.apply(*_promote(ratio, value))
    return Add.apply(*_promote(self, scaled))


@tensor_op("float_power")
def float_power(self, exponent):
    """self ** exponent computed in float64 (as PyTorch's float_power)."""
    base = self if self.dtype == np.float64 else Cast.apply(self, dtype=np.dtype(np.float64))
    if isinstance(exponent, Tensor):
        if exponent.dtype != np.float64:
            exponent = Cast.apply(exponent, dtype=np.dtype(np.float64))
    else:
        exponent = np.asarray(exponent, dtype=np.float64)
    return _apply_broadcasting(Pow, "float_power", base, exponent)


_predicate("signbit", np.signbit, "Boolean tensor: True where the sign bit is set (-0.0 too).")


@tensor_op("isin", method=False)
def isin(self, test_elements, *, assume_unique: bool = False, invert: bool = False):
    """Boolean tensor: True where an entry of self is among ``test_elements``."""
    return Tensor._wrap(np.isin(self.data, _data(test_elements), assume_unique=assume_unique,
                                invert=invert))
