"""ONNX converters of lucidnet's activation layers (``nn/activation.py``), each written to
compute what the lucidnet forward computes (its formula in one line)."""

from __future__ import annotations

import math

from .. import nn
from ..nn.functional import _SELU_ALPHA, _SELU_SCALE
from .registry import register


def _simple(cls, op_type):
    register(cls)(lambda g, m, x: g.op(op_type, x))


_simple(nn.Sigmoid, "Sigmoid")
_simple(nn.Tanh, "Tanh")
_simple(nn.ReLU, "Relu")
_simple(nn.Softsign, "Softsign")


@register(nn.Step)
def _step(g, m, x):
    """1 if x >= 0 else 0."""
    return g.op("Cast", g.op("GreaterOrEqual", x, g.scalar(0.0)), to=_float_type(g))


def _float_type(g) -> int:
    return g.onnx.helper.np_dtype_to_tensor_dtype(g.dtype)


@register(nn.LeakyReLU)
def _leaky_relu(g, m, x):
    """x if x > 0 else slope x."""
    return g.op("LeakyRelu", x, alpha=float(m.negative_slope))


@register(nn.PReLU)
def _prelu(g, m, x):
    """x if x > 0 else a x, a per channel (axis 1) or one value."""
    w = m.weight.data
    ndim = len(g.shape(x))
    slope = g.const(w.reshape(())) if w.size == 1 else g.channel_shaped(w, ndim)
    return g.op("PRelu", x, slope)


def _clip(g, x, lo, hi):
    return g.op("Clip", x, g.scalar(lo), g.scalar(hi))


@register(nn.Hardtanh)
def _hardtanh(g, m, x):
    """x clamped to [min_val, max_val]."""
    return _clip(g, x, m.min_val, m.max_val)


@register(nn.ReLU6)
def _relu6(g, m, x):
    """min(max(0, x), 6)."""
    return _clip(g, x, 0.0, 6.0)


def _relu6_plus3_over6(g, x):
    """clip(x + 3, 0, 6) / 6."""
    return g.op("Div", _clip(g, g.op("Add", x, g.scalar(3.0)), 0.0, 6.0), g.scalar(6.0))


@register(nn.Hardsigmoid)
def _hardsigmoid(g, m, x):
    """clip(x + 3, 0, 6) / 6."""
    return _relu6_plus3_over6(g, x)


@register(nn.Hardswish)
def _hardswish(g, m, x):
    """x clip(x + 3, 0, 6) / 6."""
    return g.op("Div", g.op("Mul", x, _clip(g, g.op("Add", x, g.scalar(3.0)), 0.0, 6.0)),
                g.scalar(6.0))


def _elu_like(g, x, alpha, scale=1.0, input_scale=1.0):
    """scale x (x > 0), scale alpha (e^(input_scale min(x, 0)) - 1) (x <= 0)."""
    neg = g.op("Min", x, g.scalar(0.0))
    if input_scale != 1.0:
        neg = g.op("Mul", neg, g.scalar(input_scale))
    neg = g.op("Mul", g.op("Sub", g.op("Exp", neg), g.scalar(1.0)), g.scalar(alpha * scale))
    pos = x if scale == 1.0 else g.op("Mul", x, g.scalar(scale))
    return g.op("Where", g.op("Greater", x, g.scalar(0.0)), pos, neg)


@register(nn.ELU)
def _elu(g, m, x):
    return _elu_like(g, x, float(m.alpha))


@register(nn.CELU)
def _celu(g, m, x):
    return _elu_like(g, x, float(m.alpha), input_scale=1.0 / float(m.alpha))


@register(nn.SELU)
def _selu(g, m, x):
    return _elu_like(g, x, _SELU_ALPHA, scale=_SELU_SCALE)


@register(nn.GELU)
def _gelu(g, m, x):
    """x / 2 (1 + erf(x / sqrt 2)); tanh form: x / 2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    if m.approximate == "tanh":
        cube = g.op("Mul", g.op("Mul", x, x), x)
        inner = g.op("Add", x, g.op("Mul", cube, g.scalar(0.044715)))
        t = g.op("Tanh", g.op("Mul", inner, g.scalar(math.sqrt(2.0 / math.pi))))
    else:
        t = g.op("Erf", g.op("Div", x, g.scalar(math.sqrt(2.0))))
    return g.op("Mul", g.op("Mul", x, g.scalar(0.5)), g.op("Add", t, g.scalar(1.0)))


@register(nn.SiLU)
def _silu(g, m, x):
    """x sigmoid(x)."""
    return g.op("Mul", x, g.op("Sigmoid", x))


def _softplus_stable(g, x):
    """log(1 + e^x) = max(x, 0) + log(1 + e^-|x|) (no overflow)."""
    return g.op("Add", g.op("Relu", x),
                g.op("Log", g.op("Add", g.op("Exp", g.op("Neg", g.op("Abs", x))),
                                 g.scalar(1.0))))


@register(nn.Mish)
def _mish(g, m, x):
    """x tanh(softplus(x))."""
    return g.op("Mul", x, g.op("Tanh", _softplus_stable(g, x)))


@register(nn.Softplus)
def _softplus(g, m, x):
    """log(1 + e^(beta x)) / beta, and x itself where beta x > threshold."""
    beta = float(m.beta)
    bx = x if beta == 1.0 else g.op("Mul", x, g.scalar(beta))
    smooth = _softplus_stable(g, bx)
    if beta != 1.0:
        smooth = g.op("Div", smooth, g.scalar(beta))
    return g.op("Where", g.op("Greater", bx, g.scalar(float(m.threshold))), x, smooth)


@register(nn.LogSigmoid)
def _logsigmoid(g, m, x):
    """min(x, 0) - log(1 + e^-|x|)."""
    tail = g.op("Log", g.op("Add", g.op("Exp", g.op("Neg", g.op("Abs", x))), g.scalar(1.0)))
    return g.op("Sub", g.op("Min", x, g.scalar(0.0)), tail)


@register(nn.Tanhshrink)
def _tanhshrink(g, m, x):
    """x - tanh(x)."""
    return g.op("Sub", x, g.op("Tanh", x))


@register(nn.Hardshrink)
def _hardshrink(g, m, x):
    """x where |x| > lambd, else 0."""
    return g.op("Shrink", x, lambd=float(m.lambd), bias=0.0)


@register(nn.Softshrink)
def _softshrink(g, m, x):
    """x - lambd (x > lambd), x + lambd (x < -lambd), else 0."""
    return g.op("Shrink", x, lambd=float(m.lambd), bias=float(m.lambd))


@register(nn.Threshold)
def _threshold(g, m, x):
    """value where x <= threshold, else x."""
    cond = g.op("LessOrEqual", x, g.scalar(float(m.threshold)))
    return g.op("Where", cond, g.scalar(float(m.value)), x)


def _axis(g, m, x):
    ndim = len(g.shape(x))
    dim = m.dim
    if dim is None:  # PyTorch's legacy implicit choice, as lucidnet's forward makes it
        dim = 0 if ndim in (0, 1, 3) else 1
    return int(dim)


@register(nn.Softmax)
def _softmax(g, m, x):
    return g.op("Softmax", x, axis=_axis(g, m, x))


@register(nn.LogSoftmax)
def _log_softmax(g, m, x):
    return g.op("LogSoftmax", x, axis=_axis(g, m, x))


@register(nn.Softmin)
def _softmin(g, m, x):
    """softmax(-x)."""
    return g.op("Softmax", g.op("Neg", x), axis=_axis(g, m, x))


@register(nn.Softmax2d)
def _softmax2d(g, m, x):
    return g.op("Softmax", x, axis=-3)


@register(nn.GLU)
def _glu(g, m, x):
    """a sigmoid(b), (a, b) the halves of x along dim."""
    a, b = g.op("Split", x, outputs=2, axis=int(m.dim), num_outputs=2)
    return g.op("Mul", a, g.op("Sigmoid", b))

