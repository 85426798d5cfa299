"""Activation functions and their derivatives (SPEC C1, C2).

    step(x)     = 1 if x >= 0 else 0          derivative 0 everywhere (not differentiable at 0)
    sigmoid(x)  = 1 / (1 + e^-x)              sigma' = sigma (1 - sigma)
    tanh(x)     = 2 sigmoid(2x) - 1           tanh'  = 1 - tanh^2
    relu(x)     = max(0, x)                   relu'  = 1[x > 0]
    leaky(x)    = x if x > 0 else a x         leaky' = 1 or a
    softmax(x)_i = e^x_i / sum_j e^x_j        J = diag(s) - s s^T
"""

from __future__ import annotations

import numpy as np

from ..function import Function
from ..tensor import _one_axis, get_default_dtype
from .buffers import pooled_like
from .elementwise import Cast, tensor_op

__all__ = ["Step", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "Softmax", "LogSoftmax",
           "stable_sigmoid", "logsumexp"]


def stable_sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) without overflow: uses e^-|x| on both sides."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)


def logsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    m = np.max(x, axis=axis, keepdims=True, initial=-np.inf)  # initial: an empty axis is fine
    m = np.where(np.isfinite(m), m, 0)
    return m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))


class Step(Function):
    """Heaviside step; its gradient is zero everywhere (it cannot be trained by backprop)."""

    @staticmethod
    def forward(ctx, x):
        return (x >= 0).astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        return np.zeros_like(g)


def _floating(x: np.ndarray) -> np.ndarray:
    """Integer input of sigmoid / tanh computes in the default float dtype, as PyTorch."""
    return x if x.dtype.kind == "f" else x.astype(get_default_dtype())


class Sigmoid(Function):
    @staticmethod
    def forward(ctx, x):
        out = stable_sigmoid(x if x.dtype.kind == "f" else _floating(x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (s,) = ctx.saved
        return g * s * (1 - s)


class Tanh(Function):
    @staticmethod
    def forward(ctx, x):
        out = np.tanh(x if x.dtype.kind == "f" else _floating(x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (t,) = ctx.saved
        return g * (1 - t * t)


class ReLU(Function):
    """max(0, x) into a pooled buffer laid out like x (so a channel-major conv output stays so)."""

    @staticmethod
    def forward(ctx, x):
        out = np.maximum(x, x.dtype.type(0), out=pooled_like(x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved
        mask = np.greater(out, 0, out=pooled_like(out, np.bool_))
        return np.multiply(g, mask, out=pooled_like(out, np.result_type(g, out)))


class LeakyReLU(Function):
    @staticmethod
    def forward(ctx, x, negative_slope=0.01):
        ctx.save_for_backward(x)
        ctx.slope = negative_slope
        return np.where(x > 0, x, x * x.dtype.type(negative_slope))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved
        return np.where(x > 0, g, g * g.dtype.type(ctx.slope))


def _softmax_axis(axis, ndim):
    """The dim checked as PyTorch does (IndexError with the valid range; a 0-d input takes 0/-1)."""
    axis = _one_axis(axis, ndim)
    return None if ndim == 0 else axis


class Softmax(Function):
    @staticmethod
    def forward(ctx, x, axis=-1):
        axis = _softmax_axis(axis, x.ndim)
        e = np.exp(x - np.max(x, axis=axis, keepdims=True, initial=-np.inf))
        out = e / np.sum(e, axis=axis, keepdims=True)
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, g):
        (s,) = ctx.saved
        return s * (g - np.sum(g * s, axis=ctx.axis, keepdims=True))


class LogSoftmax(Function):
    @staticmethod
    def forward(ctx, x, axis=-1):
        axis = _softmax_axis(axis, x.ndim)
        out = x - logsumexp(x, axis) if x.size else x.copy()  # nothing to normalize: no log(0)
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, g):
        (logp,) = ctx.saved
        return g - np.exp(logp) * np.sum(g, axis=ctx.axis, keepdims=True)


# ----------------------------------------------------------------- the PyTorch-spelled surface
@tensor_op("sigmoid")
def sigmoid(self):
    """1 / (1 + e^-x) elementwise (overflow-free)."""
    return Sigmoid.apply(self)


@tensor_op("tanh")
def tanh(self):
    """tanh(x) elementwise."""
    return Tanh.apply(self)


@tensor_op("relu")
def relu(self):
    """max(0, x) elementwise (gradient 1[x > 0])."""
    return ReLU.apply(self)


def _softmax_input(x, dtype):
    """``dtype=`` casts the input first, as PyTorch; an integer input needs it."""
    if dtype is not None:
        return Cast.apply(x, dtype=np.dtype(dtype))
    if x.dtype.kind != "f":
        raise RuntimeError(f"softmax/log_softmax of a {x.dtype} tensor: pass dtype=float32 or "
                           "convert with .float() first (as PyTorch)")
    return x


@tensor_op("softmax")
def softmax(self, dim: int, dtype=None):
    """e^x_i / sum_j e^x_j along ``dim`` (required, as PyTorch; negative counts from the end)."""
    return Softmax.apply(_softmax_input(self, dtype), axis=dim)


@tensor_op("log_softmax")
def log_softmax(self, dim: int, dtype=None):
    """x_i - log sum_j e^x_j along ``dim`` (stable, by log-sum-exp)."""
    return LogSoftmax.apply(_softmax_input(self, dtype), axis=dim)
