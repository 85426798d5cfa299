"""Activation functions and their derivatives.

    step(x)     = 1 if x >= 0 else 0          derivative 0 everywhere (not differentiable at 0)
    sigmoid(x)  = 1 / (1 + e^-x)              sigma' = sigma (1 - sigma)
    tanh(x)     = 2 sigmoid(2x) - 1           tanh'  = 1 - tanh^2
    relu(x)     = max(0, x)                   relu'  = 1[x > 0]
    leaky(x)    = x if x > 0 else a x         leaky' = 1 or a
    softmax(x)_i = e^x_i / sum_j e^x_j        J = diag(s) - s s^T

The smooth and piecewise families (GELU, SiLU, ELU/SELU/CELU, Softplus, LogSigmoid, Mish, Softsign,
Hardtanh, Hardsigmoid, Hardswish, Threshold, Hardshrink, Softshrink) are one `Function` each, with
PyTorch's formula and its choice at every kink (which side of 0 or of a threshold the derivative
takes), so forward and backward agree with PyTorch bit for bit up to rounding; one op instead of
a chain of five to ten tensor ops also makes them 2-6x faster.
"""

from __future__ import annotations

import math

import numpy as np

from ... import _fast
from ...threads import parallel_for, threads_for
from ..function import Function
from ..tensor import _one_axis, get_default_dtype
from .buffers import channel_major, pooled_like
from .elementwise import Cast, erf_erfc, tensor_op

__all__ = ["Step", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "Softmax", "LogSoftmax",
           "GELU", "GELUTanh", "SiLU", "ELU", "Softplus", "LogSigmoid", "Mish", "Softsign",
           "Hardtanh", "Hardsigmoid", "Hardswish", "Threshold", "Hardshrink", "Softshrink",
           "stable_sigmoid", "logsumexp"]


def stable_sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) without overflow: uses e^-|x| on both sides.

    Examples
    --------
    >>> from lucidnet.autograd.ops.activation import stable_sigmoid
    >>> stable_sigmoid(np.array([-1000.0, 0.0, 1000.0]))  # no overflow warning at -1000
    array([0. , 0.5, 1. ])
    """
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)


def logsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    """log(sum(exp(x))) along ``axis`` (kept as a size-1 axis), stable: m + log(sum(exp(x - m))) with
    m = max(x) (m = 0 where the max is not finite; an empty axis gives -inf).

    Examples
    --------
    >>> from lucidnet.autograd.ops.activation import logsumexp
    >>> logsumexp(np.array([[1000.0, 1000.0], [0.0, 0.0]]), axis=1)  # m + ln 2, kept as a column
    array([[1.00069315e+03],
           [6.93147181e-01]])
    """
    m = np.max(x, axis=axis, keepdims=True, initial=-np.inf)  # initial: an empty axis is fine
    m = np.where(np.isfinite(m), m, 0)
    return m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))


class Step(Function):
    """y = 1 if x >= 0 else 0 (the Heaviside step, 1 at 0, in x's dtype);  dy/dx = 0 everywhere,
    so it cannot be trained by backprop (the perceptron's rule trains it instead).

    Examples
    --------
    >>> from lucidnet.autograd.ops.activation import Step
    >>> x = ln.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    >>> y = Step.apply(x); y
    tensor([0., 1., 1.], grad_fn=<StepBackward0>)
    >>> y.sum().backward(); x.grad  # zero: the step cannot be trained by backprop
    tensor([0., 0., 0.])
    """

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
    """y = sigmoid(x) = 1 / (1 + exp(-x)), overflow-free;  dy/dx = y (1 - y).

    Integer inputs compute in the default float dtype, as PyTorch.

    Examples
    --------
    >>> from lucidnet.autograd.ops.activation import Sigmoid
    >>> x = ln.tensor([0.0, 2.0], requires_grad=True)
    >>> y = Sigmoid.apply(x); y  # x.sigmoid()
    tensor([0.5000, 0.8808], grad_fn=<SigmoidBackward0>)
    >>> y.sum().backward(); x.grad  # y (1 - y)
    tensor([0.2500, 0.1050])
    """
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
    """y = tanh(x);  dy/dx = 1 - y^2. Integer inputs compute in the default float dtype.

    Examples
    --------
    >>> from lucidnet.autograd.ops.activation import Tanh
    >>> x = ln.tensor([0.0, 1.0], requires_grad=True)
    >>> y = Tanh.apply(x); y  # x.tanh()
    tensor([0.0000, 0.7616], grad_fn=<TanhBackward0>)
    >>> y.sum().backward(); x.grad  # 1 - y^2
    tensor([1.0000, 0.4200])
    """
    @staticmethod
    def forward(ctx, x):
        out = np.tanh(x if x.dtype.kind == "f" else _floating(x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (t,) = ctx.saved
        return g * (1 - t * t)


def _flat_views(*arrays):
    """1-d views of arrays of one shape laid out alike (all C-contiguous, or all channel-major
    as Conv returns them), else None."""
    if all(a.flags.c_contiguous for a in arrays):
        return tuple(a.reshape(-1) for a in arrays)
    if all(channel_major(a) for a in arrays):
        return tuple(a.swapaxes(0, 1).reshape(-1) for a in arrays)
    return None


class ReLU(Function):
    """y = max(0, x);  dy/dx = 1 where x > 0, else 0 (a nan input passes its gradient on, as
    PyTorch). The output goes into a pooled buffer laid out like x (so a channel-major conv
    output stays so).

    Examples
    --------
    >>> from lucidnet.autograd.ops.activation import ReLU
    >>> x = ln.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    >>> y = ReLU.apply(x); y  # x.relu()
    tensor([0., 0., 2.], grad_fn=<ReluBackward0>)
    >>> y.sum().backward(); x.grad  # 1 where x > 0
    tensor([0., 0., 1.])
    """

    @staticmethod
    def forward(ctx, x):
        out = pooled_like(x)
        if _fast.use("relu_forward") and _fast.takes(x.dtype):
            flat = _flat_views(x, out)
            kernels = _fast.load("activation") if flat is not None else None
            if kernels is not None:  # one pass, 3-4x NumPy's maximum (see _fast.activation)
                kernels.relu_forward(*flat)
                ctx.save_for_backward(out)
                return out
        zero = x.dtype.type(0)
        if x.ndim and threads_for(x.size) is None:  # large: blocks of axis 0 over the threads
            parallel_for(lambda lo, hi: np.maximum(x[lo:hi], zero, out=out[lo:hi]), x.shape[0])
        else:
            np.maximum(x, zero, out=out)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved
        if _fast.use("relu_backward") and g.dtype == out.dtype and _fast.takes(out.dtype):
            gx = pooled_like(out)
            flat = _flat_views(g, out, gx)
            kernels = _fast.load("activation") if flat is not None else None
            if kernels is not None:  # one pass instead of three
                kernels.relu_backward(*flat)
                return gx
        # not (out <= 0): a nan input passes its gradient on, as PyTorch's threshold_backward
        mask = np.less_equal(out, 0, out=pooled_like(out, np.bool_))
        np.logical_not(mask, out=mask)
        return np.multiply(g, mask, out=pooled_like(out, np.result_type(g, out)))


class LeakyReLU(Function):
    """y = x if x > 0 else negative_slope * x;  dy/dx = 1 if x > 0 else negative_slope.

    Examples
    --------
    >>> from lucidnet.autograd.ops.activation import LeakyReLU
    >>> x = ln.tensor([-2.0, 3.0], requires_grad=True)
    >>> y = LeakyReLU.apply(x, 0.1); y
    tensor([-0.2000,  3.0000], grad_fn=<LeakyReluBackward0>)
    >>> y.sum().backward(); x.grad  # negative_slope below 0, 1 above
    tensor([0.1000, 1.0000])
    """
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
    """y_i = exp(x_i - m) / sum_j exp(x_j - m) along ``axis`` (m = max x, for stability);
    backward dx = y * (g - sum(g * y)), the product with the Jacobian diag(y) - y y^T.

    Examples
    --------
    >>> from lucidnet.autograd.ops.activation import Softmax
    >>> x = ln.tensor([[0.0, 0.0], [0.0, float(np.log(3.0))]], requires_grad=True)
    >>> Softmax.apply(x, axis=1)  # rows sum to 1: e^x / (1 + 3) = 1/4, 3/4
    tensor([[0.5000, 0.5000],
            [0.2500, 0.7500]], grad_fn=<SoftmaxBackward0>)
    >>> Softmax.apply(x, axis=1)[:, 0].sum().backward(); x.grad  # y_0 (delta_0j - y_j)
    tensor([[ 0.2500, -0.2500],
            [ 0.1875, -0.1875]])
    """
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
    """y_i = x_i - logsumexp(x) along ``axis``;  backward dx = g - softmax(x) * sum(g).

    Examples
    --------
    >>> from lucidnet.autograd.ops.activation import LogSoftmax
    >>> x = ln.tensor([0.0, float(np.log(3.0))], requires_grad=True)
    >>> LogSoftmax.apply(x).exp()  # log-probabilities: exp gives 1/4, 3/4
    tensor([0.2500, 0.7500], grad_fn=<ExpBackward0>)
    >>> LogSoftmax.apply(x)[0].backward(); x.grad  # g - softmax(x) sum(g) with g = (1, 0)
    tensor([ 0.7500, -0.7500])
    """
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


class _Pointwise(Function):
    """y = f(x) elementwise with dy/dx = df(x, y): a subclass states both, side by side; ``opts``
    are the keyword options (alpha, beta, ...) given to ``apply``. nan and inf pass through
    without NumPy warnings, as in PyTorch."""

    @staticmethod
    def f(x, **opts):  # pragma: no cover - each subclass states its own
        """The function y = f(x), elementwise on an array (``opts``: the op's keyword options)."""
        raise NotImplementedError

    @staticmethod
    def df(x, y, **opts):  # pragma: no cover - each subclass states its own
        """The derivative dy/dx at x, given y = f(x) so a formula may reuse it, elementwise."""
        raise NotImplementedError

    @classmethod
    def forward(cls, ctx, x, **opts):
        with np.errstate(all="ignore"):
            out = cls.f(x, **opts)
        ctx.save_for_backward(x, out)
        ctx.opts = opts
        return out.astype(x.dtype, copy=False)

    @classmethod
    def backward(cls, ctx, g):
        x, out = ctx.saved
        with np.errstate(all="ignore"):
            return (g * cls.df(x, out, **ctx.opts)).astype(g.dtype, copy=False)


_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_KAPPA = 0.044715


def _phi_cdf(x):
    """Phi(x) = (1 + erf(x / sqrt 2)) / 2 = erfc(-x / sqrt 2) / 2 in x's dtype."""
    return (0.5 * erf_erfc(-x * _SQRT_HALF)[1]).astype(x.dtype, copy=False)


class GELU(Function):
    """y = x Phi(x), Phi the standard normal CDF;  dy/dx = Phi(x) + x phi(x),
    phi(x) = e^(-x^2 / 2) / sqrt(2 pi).

    Examples
    --------
    >>> from lucidnet.autograd.ops.activation import GELU
    >>> x = ln.tensor([-1.0, 0.0, 1.0], requires_grad=True)
    >>> y = GELU.apply(x); y
    tensor([-0.1587,  0.0000,  0.8413], grad_fn=<GELUBackward0>)
    >>> y.sum().backward(); x.grad  # Phi(x) + x phi(x)
    tensor([-0.0833,  0.5000,  1.0833])
    """

    @staticmethod
    def forward(ctx, x):
        cdf = _phi_cdf(x)
        ctx.save_for_backward(x, cdf)
        with np.errstate(all="ignore"):
            return x * cdf

    @staticmethod
    def backward(ctx, g):
        x, cdf = ctx.saved
        with np.errstate(all="ignore"):
            return g * (cdf + x * (np.exp(-0.5 * x * x) * _INV_SQRT_2PI))


class GELUTanh(Function):
    """y = x / 2 (1 + tanh u), u = sqrt(2 / pi) (x + 0.044715 x^3);
    dy/dx = (1 + tanh u) / 2 + x / 2 (1 - tanh^2 u) sqrt(2 / pi) (1 + 3 0.044715 x^2).

    Examples
    --------
    >>> from lucidnet.autograd.ops.activation import GELUTanh
    >>> x = ln.tensor([-1.0, 0.0, 1.0], requires_grad=True)
    >>> y = GELUTanh.apply(x); y
    tensor([-0.1588,  0.0000,  0.8412], grad_fn=<GELUTanhBackward0>)
    >>> y.sum().backward(); x.grad  # close to GELU's
    tensor([-0.0830,  0.5000,  1.0830])
    """

    @staticmethod
    def forward(ctx, x):
        with np.errstate(all="ignore"):  # nan and inf pass without warnings, as PyTorch
            t = np.tanh(_SQRT_2_OVER_PI * (x + _KAPPA * x * x * x))
            ctx.save_for_backward(x, t)
            return 0.5 * x * (1.0 + t)

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved
        with np.errstate(all="ignore"):
            right = 0.5 * x * (1.0 - t * t) * _SQRT_2_OVER_PI * (1.0 + 3.0 * _KAPPA * x * x)
            return g * (0.5 * (1.0 + t) + right)


def _sigmoid(x):
    """1 / (1 + e^-x) as PyTorch writes it: e^-x overflows to inf for very negative x and the
    result is then 0, exactly (no nan; 4 passes where `stable_sigmoid` takes 7)."""
    e = np.negative(x, out=np.empty_like(x))  # out=: stays an array for a 0-d x
    np.exp(e, out=e)
    e += 1
    return np.reciprocal(e, out=e)


class SiLU(Function):
    """y = x sigmoid(x) (swish);  dy/dx = s (1 + x (1 - s)), s = sigmoid(x).

    Examples
    --------
    >>> from lucidnet.autograd.ops.activation import SiLU
    >>> x = ln.tensor([0.0, 1.0], requires_grad=True)
    >>> y = SiLU.apply(x); y
    tensor([0.0000, 0.7311], grad_fn=<SiLUBackward0>)
    >>> y.sum().backward(); x.grad  # s (1 + x (1 - s))
    tensor([0.5000, 0.9277])
    """

    @staticmethod
    def forward(ctx, x):
        with np.errstate(all="ignore"):  # e^-x overflows to inf for x << 0: s = 0, no nan
            s = _sigmoid(x)
            ctx.save_for_backward(x, s)
            return x * s

    @staticmethod
    def backward(ctx, g):
        x, s = ctx.saved
        with np.errstate(all="ignore"):
            return g * (s * (1.0 + x * (1.0 - s)))


class ELU(_Pointwise):
    """PyTorch's one kernel for ELU, SELU and CELU:
    y = scale x (x > 0), scale alpha (e^(input_scale x) - 1) (x <= 0);
    dy/dx = scale (x > 0), scale alpha input_scale e^(input_scale x) (x <= 0: the exponential
    side owns 0, as PyTorch). ELU: scale = input_scale = 1; SELU: PyTorch's alpha and scale;
    CELU: input_scale = 1 / alpha.

    Examples
    --------
    >>> from lucidnet.autograd.ops.activation import ELU
    >>> x = ln.tensor([-1.0, 2.0], requires_grad=True)
    >>> y = ELU.apply(x, alpha=1.0); y
    tensor([-0.6321,  2.0000], grad_fn=<ELUBackward0>)
    >>> y.sum().backward(); x.grad  # alpha e^x below 0, 1 above
    tensor([0.3679, 1.0000])
    """

    @staticmethod
    def f(x, alpha=1.0, scale=1.0, input_scale=1.0):
        negative = np.expm1(np.minimum(x, 0) * input_scale) * (alpha * scale)  # no overflow
        return np.where(x > 0, x * scale, negative)

    @staticmethod
    def df(x, y, alpha=1.0, scale=1.0, input_scale=1.0):
        # np.minimum keeps a nan, so a nan input gets a nan gradient, as in PyTorch
        return np.where(x > 0, scale,
                        np.exp(np.minimum(x, 0) * input_scale) * (alpha * scale * input_scale))


class Softplus(_Pointwise):
    """y = log(1 + e^(beta x)) / beta, and x itself where beta x > threshold;
    dy/dx = sigmoid(beta x), and 1 where beta x > threshold (PyTorch's kernel).

    Examples
    --------
    >>> from lucidnet.autograd.ops.activation import Softplus
    >>> x = ln.tensor([0.0, 30.0], requires_grad=True)
    >>> y = Softplus.apply(x, beta=1.0, threshold=20.0); y
    tensor([ 0.6931, 30.0000], grad_fn=<SoftplusBackward0>)
    >>> y.sum().backward(); x.grad  # sigmoid(beta x); 1 past the threshold, where y = x
    tensor([0.5000, 1.0000])
    """

    @staticmethod
    def f(x, beta=1.0, threshold=20.0):
        bx = x * beta if beta != 1.0 else x
        smooth = np.log1p(np.exp(bx))  # inf only where bx > threshold, which takes x
        if beta != 1.0:
            smooth /= beta
        return np.where(bx > threshold, x, smooth)

    @staticmethod
    def df(x, y, beta=1.0, threshold=20.0):
        bx = x * beta if beta != 1.0 else x
        return np.where(bx > threshold, 1, _sigmoid(bx))


class LogSigmoid(_Pointwise):
    """y = log sigmoid(x) = min(x, 0) - log(1 + e^-|x|);  dy/dx = 1 - sigmoid(x), written as
    PyTorch's [x < 0] - sign z / (1 + z), z = e^-|x| (no cancellation on either side).

    Examples
    --------
    >>> from lucidnet.autograd.ops.activation import LogSigmoid
    >>> x = ln.tensor([-1000.0, 0.0], requires_grad=True)
    >>> y = LogSigmoid.apply(x); y
    tensor([-1.0000e+03, -6.9315e-01], grad_fn=<LogSigmoidBackward0>)
    >>> y.sum().backward(); x.grad  # 1 - sigmoid(x), no overflow at -1000
    tensor([1.0000, 0.5000])
    """

    f = staticmethod(lambda x: np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x))))

    @staticmethod
    def df(x, y):
        z = np.exp(-np.abs(x))
        negative = x < 0
        return np.where(negative, 1.0, 0.0) - np.where(negative, 1.0, -1.0) * (z / (1.0 + z))


class Mish(Function):
    """y = x tanh(softplus(x));  dy/dx = t + x sigmoid(x) (1 - t^2), t = tanh(softplus(x)).

    Examples
    --------
    >>> from lucidnet.autograd.ops.activation import Mish
    >>> x = ln.tensor([0.0, 1.0], requires_grad=True)
    >>> y = Mish.apply(x); y
    tensor([0.0000, 0.8651], grad_fn=<MishBackward0>)
    >>> y.sum().backward(); x.grad  # t + x sigmoid(x) (1 - t^2)
    tensor([0.6000, 1.0490])
    """

    @staticmethod
    def forward(ctx, x):
        with np.errstate(all="ignore"):
            t = np.tanh(np.log1p(np.exp(x)))  # e^x = inf: log1p(inf) = inf, tanh(inf) = 1
            ctx.save_for_backward(x, t)
            return x * t

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved
        with np.errstate(all="ignore"):
            return g * (t + x * _sigmoid(x) * (1.0 - t * t))


class Softsign(_Pointwise):
    """y = x / (1 + |x|);  dy/dx = 1 / (1 + |x|)^2 (0 at +-inf, where PyTorch's composite
    gives nan).

    Examples
    --------
    >>> from lucidnet.autograd.ops.activation import Softsign
    >>> x = ln.tensor([-1.0, 3.0], requires_grad=True)
    >>> y = Softsign.apply(x); y
    tensor([-0.5000,  0.7500], grad_fn=<SoftsignBackward0>)
    >>> y.sum().backward(); x.grad  # 1 / (1 + |x|)^2
    tensor([0.2500, 0.0625])
    """

    f = staticmethod(lambda x: x / (1.0 + np.abs(x)))
    df = staticmethod(lambda x, y: 1.0 / np.square(1.0 + np.abs(x)))


class Hardtanh(_Pointwise):
    """y = x clamped to [min_val, max_val];  dy/dx = 1 strictly inside, 0 at and beyond the
    bounds (and 0 for a nan input, as PyTorch).

    Examples
    --------
    >>> from lucidnet.autograd.ops.activation import Hardtanh
    >>> x = ln.tensor([-2.0, 0.5, 1.0], requires_grad=True)
    >>> y = Hardtanh.apply(x, min_val=-1.0, max_val=1.0); y
    tensor([-1.0000,  0.5000,  1.0000], grad_fn=<HardtanhBackward0>)
    >>> y.sum().backward(); x.grad  # 1 strictly inside, 0 at the bound
    tensor([0., 1., 0.])
    """

    f = staticmethod(lambda x, min_val=-1.0, max_val=1.0: np.clip(x, min_val, max_val))
    df = staticmethod(lambda x, y, min_val=-1.0, max_val=1.0: (x > min_val) & (x < max_val))


_SIXTH_F32 = float(np.float32(1.0 / 6.0))


class Hardsigmoid(_Pointwise):
    """y = min(max(x + 3, 0), 6) / 6;  dy/dx = 1/6 strictly inside (-3, 3), else 0. The slope
    is 1/6 rounded to float32 in every dtype (0.16666667163..., PyTorch's kernel constant).

    Examples
    --------
    >>> from lucidnet.autograd.ops.activation import Hardsigmoid
    >>> x = ln.tensor([-4.0, 0.0, 3.0], requires_grad=True)
    >>> y = Hardsigmoid.apply(x); y
    tensor([0.0000, 0.5000, 1.0000], grad_fn=<HardsigmoidBackward0>)
    >>> y.sum().backward(); x.grad  # 1/6 inside (-3, 3)
    tensor([0.0000, 0.1667, 0.0000])
    """

    f = staticmethod(lambda x: np.clip(x + 3.0, 0.0, 6.0) / 6.0)
    df = staticmethod(lambda x, y: np.where((x > -3) & (x < 3), _SIXTH_F32, 0.0))


class Hardswish(_Pointwise):
    """y = x min(max(x + 3, 0), 6) / 6;  dy/dx = 0 (x <= -3), x / 3 + 1/2 (-3 < x < 3),
    1 (x >= 3), as PyTorch's kernel.

    Examples
    --------
    >>> from lucidnet.autograd.ops.activation import Hardswish
    >>> x = ln.tensor([-1.5, 0.0, 3.0], requires_grad=True)
    >>> y = Hardswish.apply(x); y
    tensor([-0.3750,  0.0000,  3.0000], grad_fn=<HardswishBackward0>)
    >>> y.sum().backward(); x.grad  # x / 3 + 1/2 inside (-3, 3), 1 from 3 on
    tensor([0.0000, 0.5000, 1.0000])
    """

    f = staticmethod(lambda x: x * np.clip(x + 3.0, 0.0, 6.0) / 6.0)
    df = staticmethod(lambda x, y: np.where(x <= -3, 0.0, np.where(x < 3, x / 3.0 + 0.5,
                                                                     np.where(x >= 3, 1.0, x))))


class Threshold(_Pointwise):
    """y = value where x <= threshold, else x;  dy/dx = 0 where x <= threshold, else 1 (a nan
    input is kept, with gradient 1, as PyTorch).

    Examples
    --------
    >>> from lucidnet.autograd.ops.activation import Threshold
    >>> x = ln.tensor([0.5, 1.0, 2.0], requires_grad=True)
    >>> y = Threshold.apply(x, threshold=1.0, value=-9.0); y
    tensor([-9., -9.,  2.], grad_fn=<ThresholdBackward0>)
    >>> y.sum().backward(); x.grad  # 0 where x <= threshold
    tensor([0., 0., 1.])
    """

    f = staticmethod(lambda x, threshold=0.0, value=0.0: np.where(x <= threshold, value, x))
    df = staticmethod(lambda x, y, threshold=0.0, value=0.0: ~(x <= threshold))


def _outside(x, lambd):
    """|x| > lambd, false for a nan (whose gradient is then 0, as PyTorch)."""
    return (x > lambd) | (x < -lambd)


class Hardshrink(_Pointwise):
    """y = 0 where -lambd <= x <= lambd, else x;  dy/dx = 0 there, else 1.

    Examples
    --------
    >>> from lucidnet.autograd.ops.activation import Hardshrink
    >>> x = ln.tensor([-1.0, 0.2, 0.7], requires_grad=True)
    >>> y = Hardshrink.apply(x, lambd=0.5); y
    tensor([-1.0000,  0.0000,  0.7000], grad_fn=<HardshrinkBackward0>)
    >>> y.sum().backward(); x.grad  # 0 inside [-lambd, lambd], else 1
    tensor([1., 0., 1.])
    """

    @staticmethod
    def f(x, lambd=0.5):
        return np.where((x >= -lambd) & (x <= lambd), 0, x)

    @staticmethod
    def df(x, y, lambd=0.5):
        return _outside(x, lambd)


class Softshrink(_Pointwise):
    """y = x - lambd (x > lambd), x + lambd (x < -lambd), else 0;  dy/dx = 0 where
    -lambd <= x <= lambd, else 1.

    Examples
    --------
    >>> from lucidnet.autograd.ops.activation import Softshrink
    >>> x = ln.tensor([-1.0, 0.2, 0.7], requires_grad=True)
    >>> y = Softshrink.apply(x, lambd=0.5); y
    tensor([-0.5000,  0.0000,  0.2000], grad_fn=<SoftshrinkBackward0>)
    >>> y.sum().backward(); x.grad  # 0 inside [-lambd, lambd], else 1
    tensor([1., 0., 1.])
    """

    @staticmethod
    def f(x, lambd=0.5):
        return np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, 0 * x))

    @staticmethod
    def df(x, y, lambd=0.5):
        return _outside(x, lambd)


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
