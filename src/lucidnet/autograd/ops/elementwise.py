"""Elementwise arithmetic and math with broadcasting-aware gradients (SPEC A1)."""

from __future__ import annotations

import numpy as np

from ..function import Function, unbroadcast

__all__ = ["Add", "Sub", "Mul", "Div", "Pow", "Neg", "Exp", "Log", "Sqrt", "Abs", "Clip",
           "Maximum", "Minimum", "Where", "Clone", "Cast"]


def _shape(x):
    return np.shape(x)


class Add(Function):
    """z = a + b;  dz/da = 1, dz/db = 1."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (_shape(a), _shape(b))
        return np.add(a, b)

    @staticmethod
    def backward(ctx, g):
        sa, sb = ctx.shapes
        return unbroadcast(g, sa), unbroadcast(g, sb)


class Sub(Function):
    """z = a - b;  dz/da = 1, dz/db = -1."""

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
    """z = a * b;  dz/da = b, dz/db = a."""

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
    """z = a / b;  dz/da = 1/b, dz/db = -a/b^2."""

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
    @staticmethod
    def forward(ctx, a):
        return np.negative(a)

    @staticmethod
    def backward(ctx, g):
        return -g


class Exp(Function):
    """z = e^a;  dz/da = e^a."""

    @staticmethod
    def forward(ctx, a):
        out = np.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved
        return g * out


class Log(Function):
    """z = ln a;  dz/da = 1/a."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved
        return g / a


class Sqrt(Function):
    """z = sqrt(a);  dz/da = 1 / (2 sqrt(a))."""

    @staticmethod
    def forward(ctx, a):
        out = np.sqrt(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved
        return g / (2 * out)


class Abs(Function):
    """z = |a|;  dz/da = sign(a) (0 at 0, as PyTorch)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved
        return g * np.sign(a)


class Clip(Function):
    """z = min(max(a, low), high);  gradient 1 inside [low, high], 0 outside (as PyTorch)."""

    @staticmethod
    def forward(ctx, a, low=None, high=None):
        ctx.save_for_backward(a)
        ctx.bounds = (low, high)
        if low is None and high is None:
            raise ValueError("clip needs at least one of min / max")
        return np.clip(a, low, high)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved
        low, high = ctx.bounds
        mask = np.ones(a.shape, dtype=bool)
        if low is not None:
            mask &= a >= low
        if high is not None:
            mask &= a <= high
        return g * mask


def _extremum_shares(a, b, take_a):
    """Gradient shares of elementwise max/min: 1 to the winner, 1/2 each on a tie (PyTorch)."""
    share_a = np.where(a == b, 0.5, take_a)
    return share_a, 1.0 - share_a


class Maximum(Function):
    """z = max(a, b) elementwise; a tie splits the gradient equally, as PyTorch."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved
        share_a, share_b = _extremum_shares(a, b, a > b)
        return (unbroadcast((g * share_a).astype(g.dtype), _shape(a)),
                unbroadcast((g * share_b).astype(g.dtype), _shape(b)))


class Minimum(Function):
    """z = min(a, b) elementwise; a tie splits the gradient equally, as PyTorch."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved
        share_a, share_b = _extremum_shares(a, b, a < b)
        return (unbroadcast((g * share_a).astype(g.dtype), _shape(a)),
                unbroadcast((g * share_b).astype(g.dtype), _shape(b)))


class Where(Function):
    """z = a where cond else b (cond is a constant boolean array)."""

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


class Clone(Function):
    """z = a copy of a;  dz/da = 1."""

    @staticmethod
    def forward(ctx, a):
        return np.array(a, copy=True)

    @staticmethod
    def backward(ctx, g):
        return g


class Cast(Function):
    """Change dtype; the gradient is cast back."""

    @staticmethod
    def forward(ctx, a, dtype=None):
        ctx.dtype = a.dtype
        return a.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g.astype(ctx.dtype)
