"""Activation layers and the registry that looks them up by name."""

from __future__ import annotations

import numpy as np

from ..autograd.device import check_device
from ..autograd.dtypes import to_dtype
from ..autograd.tensor import get_default_dtype
from . import functional as F
from .linear import Identity
from .module import Module, Parameter

__all__ = ["Step", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "Softmax", "LogSoftmax", "ReLU6",
           "SiLU", "Mish", "ELU", "GELU", "Softplus", "LogSigmoid", "Hardtanh", "SELU", "CELU",
           "Hardsigmoid", "Hardswish", "Softsign", "Tanhshrink", "Threshold", "PReLU", "Softmin",
           "Hardshrink", "Softshrink", "GLU", "Softmax2d",
           "ACTIVATIONS", "get_activation"]


class Step(Module):
    """Heaviside step unit: y = 1 if x >= 0 else 0.

    Its derivative is zero everywhere (undefined at 0), so backpropagation gives it no gradient:
    the unit of Rosenblatt's perceptron, trained by the perceptron rule, not by gradient descent.

    Shape: input any shape (*), output the same shape.

    Examples
    --------
    >>> x = ln.tensor([-2.0, -0.5, 0.0, 1.0, 3.0])
    >>> ln.nn.Step()(x)
    tensor([0., 0., 1., 1., 1.])
    """

    def forward(self, x):
        return F.step(x)


class Sigmoid(Module):
    """Logistic sigmoid: y = 1 / (1 + exp(-x)), in (0, 1).

    Derivative dy/dx = y (1 - y), at most 1/4 (at x = 0): stacked sigmoids shrink gradients
    (vanishing gradients). Computed stably for large |x|.

    Shape: input any shape (*), output the same shape.

    Examples
    --------
    >>> x = ln.tensor([-2.0, -0.5, 0.0, 1.0, 3.0])
    >>> ln.nn.Sigmoid()(x)
    tensor([0.1192, 0.3775, 0.5000, 0.7311, 0.9526])
    """
    def forward(self, x):
        return F.sigmoid(x)


class Tanh(Module):
    """Hyperbolic tangent: y = (exp(x) - exp(-x)) / (exp(x) + exp(-x)), in (-1, 1).

    Derivative dy/dx = 1 - y^2 (1 at x = 0). tanh(x) = 2 sigmoid(2x) - 1: a zero-centred sigmoid.

    Shape: input any shape (*), output the same shape.

    Examples
    --------
    >>> x = ln.tensor([-2.0, -0.5, 0.0, 1.0, 3.0])
    >>> ln.nn.Tanh()(x)
    tensor([-0.9640, -0.4621,  0.0000,  0.7616,  0.9951])
    """
    def forward(self, x):
        return F.tanh(x)


class _Inplace(Module):
    """An activation with PyTorch's ``inplace`` flag (see ``F.relu`` for what it does here)."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = bool(inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class ReLU(_Inplace):
    """Rectified linear unit: y = max(0, x).

    Derivative 1 for x > 0, 0 for x <= 0 (0 is used at x = 0, as PyTorch). A unit whose input
    stays negative gets no gradient (a dead ReLU).

    Shape: input any shape (*), output the same shape.

    Parameters
    ----------
    inplace : bool, default False
        Accepted for PyTorch compatibility (see ``F.relu`` for what it does here).

    Examples
    --------
    >>> x = ln.tensor([-2.0, -0.5, 0.0, 1.0, 3.0])
    >>> ln.nn.ReLU()(x)
    tensor([0., 0., 0., 1., 3.])
    """
    def forward(self, x):
        return F.relu(x, self.inplace)


class ReLU6(_Inplace):
    """ReLU capped at 6: y = min(max(0, x), 6).

    Derivative 1 for 0 < x < 6, else 0.

    Shape: input any shape (*), output the same shape.

    Parameters
    ----------
    inplace : bool, default False
        Accepted for PyTorch compatibility (see ``F.relu`` for what it does here).

    Examples
    --------
    >>> x = ln.tensor([-2.0, -0.5, 0.0, 1.0, 3.0])
    >>> ln.nn.ReLU6()(x)
    tensor([0., 0., 0., 1., 3.])
    """
    def forward(self, x):
        return F.relu6(x, self.inplace)


class SiLU(_Inplace):
    """Sigmoid-weighted linear unit (swish): y = x * sigmoid(x).

    Derivative dy/dx = s + x s (1 - s) with s = sigmoid(x).

    Shape: input any shape (*), output the same shape.

    Parameters
    ----------
    inplace : bool, default False
        Accepted for PyTorch compatibility (see ``F.relu`` for what it does here).

    Examples
    --------
    >>> x = ln.tensor([-2.0, -0.5, 0.0, 1.0, 3.0])
    >>> ln.nn.SiLU()(x)
    tensor([-0.2384, -0.1888,  0.0000,  0.7311,  2.8577])
    """
    def forward(self, x):
        return F.silu(x, self.inplace)


class Mish(_Inplace):
    """Mish: y = x * tanh(softplus(x)) = x * tanh(log(1 + exp(x))).

    Derivative dy/dx = t + x (1 - t^2) sigmoid(x) with t = tanh(softplus(x)).

    Shape: input any shape (*), output the same shape.

    Parameters
    ----------
    inplace : bool, default False
        Accepted for PyTorch compatibility (see ``F.relu`` for what it does here).

    Examples
    --------
    >>> x = ln.tensor([-2.0, -0.5, 0.0, 1.0, 3.0])
    >>> ln.nn.Mish()(x)
    tensor([-0.2525, -0.2207,  0.0000,  0.8651,  2.9865])
    """
    def forward(self, x):
        return F.mish(x, self.inplace)


class LeakyReLU(Module):
    """Leaky ReLU: y = x if x > 0 else negative_slope * x.

    Derivative 1 for x > 0, ``negative_slope`` otherwise: negative inputs keep a small gradient.

    Shape: input any shape (*), output the same shape.

    Parameters
    ----------
    negative_slope : float, default 0.01
        Slope for x <= 0.
    inplace : bool, default False
        Accepted for PyTorch compatibility (see ``F.relu`` for what it does here).

    Examples
    --------
    >>> x = ln.tensor([-2.0, -0.5, 0.0, 1.0, 3.0])
    >>> ln.nn.LeakyReLU(0.1)(x)
    tensor([-0.2000, -0.0500,  0.0000,  1.0000,  3.0000])
    """
    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope = float(negative_slope)
        self.inplace = bool(inplace)

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    """Exponential linear unit: y = x if x > 0 else alpha * (exp(x) - 1).

    Derivative 1 for x > 0, alpha exp(x) = y + alpha otherwise; saturates at -alpha.

    Shape: input any shape (*), output the same shape.

    Parameters
    ----------
    alpha : float, default 1.0
        The negative saturation value -alpha.
    inplace : bool, default False
        Accepted for PyTorch compatibility (see ``F.relu`` for what it does here).

    Examples
    --------
    >>> x = ln.tensor([-2.0, -0.5, 0.0, 1.0, 3.0])
    >>> ln.nn.ELU()(x)
    tensor([-0.8647, -0.3935,  0.0000,  1.0000,  3.0000])
    """
    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha = alpha  # kept as given, so the repr is PyTorch's (ELU(alpha=1))
        self.inplace = bool(inplace)

    def forward(self, x):
        return F.elu(x, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class GELU(Module):
    """Gaussian error linear unit: y = x * Phi(x), Phi the standard normal CDF,
    Phi(x) = (1 + erf(x / sqrt(2))) / 2.

    Derivative Phi(x) + x phi(x), phi the normal density. ``approximate='tanh'`` uses
    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).

    Shape: input any shape (*), output the same shape.

    Parameters
    ----------
    approximate : {'none', 'tanh'}, default 'none'
        Exact erf form or the tanh approximation.

    Examples
    --------
    >>> x = ln.tensor([-2.0, -0.5, 0.0, 1.0, 3.0])
    >>> ln.nn.GELU()(x)
    tensor([-0.0455, -0.1543,  0.0000,  0.8413,  2.9960])
    """
    def __init__(self, approximate: str = "none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x):
        return F.gelu(x, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    """Softplus: y = log(1 + exp(beta * x)) / beta, a smooth ReLU.

    Derivative sigmoid(beta * x). Where beta * x > threshold the layer returns x (the two agree
    there to float precision).

    Shape: input any shape (*), output the same shape.

    Parameters
    ----------
    beta : float, default 1.0
        Sharpness (large beta approaches ReLU).
    threshold : float, default 20.0
        Above beta * x > threshold the output is x.

    Examples
    --------
    >>> x = ln.tensor([-2.0, -0.5, 0.0, 1.0, 3.0])
    >>> ln.nn.Softplus()(x)
    tensor([0.1269, 0.4741, 0.6931, 1.3133, 3.0486])
    """
    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta = beta  # kept as given, as PyTorch (the repr shows them so)
        self.threshold = threshold

    def forward(self, x):
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class LogSigmoid(Module):
    """Log of the sigmoid: y = log(1 / (1 + exp(-x))) = -softplus(-x), computed stably.

    Derivative 1 - sigmoid(x) = sigmoid(-x).

    Shape: input any shape (*), output the same shape.

    Examples
    --------
    >>> x = ln.tensor([-2.0, -0.5, 0.0, 1.0, 3.0])
    >>> ln.nn.LogSigmoid()(x)
    tensor([-2.1269, -0.9741, -0.6931, -0.3133, -0.0486])
    """
    def forward(self, x):
        return F.logsigmoid(x)


class Hardtanh(Module):
    """Clip to an interval: y = min(max(x, min_val), max_val).

    Derivative 1 inside (min_val, max_val), 0 outside.

    Shape: input any shape (*), output the same shape.

    Parameters
    ----------
    min_val, max_val : float, default -1.0, 1.0
        The interval (max_val > min_val).
    inplace : bool, default False
        Accepted for PyTorch compatibility (see ``F.relu`` for what it does here).

    Examples
    --------
    >>> x = ln.tensor([-2.0, -0.5, 0.0, 1.0, 3.0])
    >>> ln.nn.Hardtanh()(x)
    tensor([-1.0000, -0.5000,  0.0000,  1.0000,  1.0000])
    """
    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
        super().__init__()
        if not max_val > min_val:
            raise ValueError(f"Hardtanh: max_val ({max_val}) must be greater than min_val "
                             f"({min_val})")
        self.min_val = min_val  # kept as given, as PyTorch (the repr shows them so)
        self.max_val = max_val
        self.inplace = bool(inplace)

    def forward(self, x):
        return F.hardtanh(x, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return (f"min_val={self.min_val}, max_val={self.max_val}"
                + (", inplace=True" if self.inplace else ""))


class SELU(_Inplace):
    """Scaled ELU: y = scale * (x if x > 0 else alpha * (exp(x) - 1)),
    with alpha = 1.6732632... and scale = 1.0507009...

    These constants make zero-mean unit-variance inputs keep mean 0 and variance 1 through the
    layer (self-normalizing networks, with LeCun-normal weights).

    Shape: input any shape (*), output the same shape.

    Parameters
    ----------
    inplace : bool, default False
        Accepted for PyTorch compatibility (see ``F.relu`` for what it does here).

    Examples
    --------
    >>> x = ln.tensor([-2.0, -0.5, 0.0, 1.0, 3.0])
    >>> ln.nn.SELU()(x)
    tensor([-1.5202, -0.6918,  0.0000,  1.0507,  3.1521])
    """
    def forward(self, x):
        return F.selu(x, self.inplace)


class Hardsigmoid(_Inplace):
    """Piecewise-linear sigmoid: y = min(max(x / 6 + 1/2, 0), 1).

    Derivative 1/6 for -3 < x < 3, else 0.

    Shape: input any shape (*), output the same shape.

    Parameters
    ----------
    inplace : bool, default False
        Accepted for PyTorch compatibility (see ``F.relu`` for what it does here).

    Examples
    --------
    >>> x = ln.tensor([-2.0, -0.5, 0.0, 1.0, 3.0])
    >>> ln.nn.Hardsigmoid()(x)
    tensor([0.1667, 0.4167, 0.5000, 0.6667, 1.0000])
    """
    def forward(self, x):
        return F.hardsigmoid(x, self.inplace)

    def extra_repr(self) -> str:
        return ""  # PyTorch prints Hardsigmoid() whatever inplace is


class Hardswish(_Inplace):
    """Piecewise swish: y = x * min(max(x + 3, 0), 6) / 6.

    Derivative 0 for x < -3, 1 for x > 3, (2x + 3) / 6 in between.

    Shape: input any shape (*), output the same shape.

    Parameters
    ----------
    inplace : bool, default False
        Accepted for PyTorch compatibility (see ``F.relu`` for what it does here).

    Examples
    --------
    >>> x = ln.tensor([-2.0, -0.5, 0.0, 1.0, 3.0])
    >>> ln.nn.Hardswish()(x)
    tensor([-0.3333, -0.2083,  0.0000,  0.6667,  3.0000])
    """
    def forward(self, x):
        return F.hardswish(x, self.inplace)

    def extra_repr(self) -> str:
        return ""  # PyTorch prints Hardswish() whatever inplace is


class CELU(ELU):
    """Continuously differentiable ELU: y = max(0, x) + min(0, alpha * (exp(x / alpha) - 1)).

    Derivative 1 for x > 0, exp(x / alpha) otherwise (continuous at 0 for every alpha).

    Shape: input any shape (*), output the same shape.

    Parameters
    ----------
    alpha : float, default 1.0
        Scale of the negative part (not 0).
    inplace : bool, default False
        Accepted for PyTorch compatibility (see ``F.relu`` for what it does here).

    Examples
    --------
    >>> x = ln.tensor([-2.0, -0.5, 0.0, 1.0, 3.0])
    >>> ln.nn.CELU()(x)
    tensor([-0.8647, -0.3935,  0.0000,  1.0000,  3.0000])
    """
    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        if alpha == 0:
            raise ValueError("CELU: alpha cannot be 0 (it divides x)")
        super().__init__(alpha, inplace)

    def forward(self, x):
        return F.celu(x, self.alpha, self.inplace)


class Softsign(Module):
    """Softsign: y = x / (1 + |x|), in (-1, 1).

    Derivative 1 / (1 + |x|)^2.

    Shape: input any shape (*), output the same shape.

    Examples
    --------
    >>> x = ln.tensor([-2.0, -0.5, 0.0, 1.0, 3.0])
    >>> ln.nn.Softsign()(x)
    tensor([-0.6667, -0.3333,  0.0000,  0.5000,  0.7500])
    """
    def forward(self, x):
        return F.softsign(x)


class Tanhshrink(Module):
    """y = x - tanh(x).

    Derivative tanh(x)^2.

    Shape: input any shape (*), output the same shape.

    Examples
    --------
    >>> x = ln.tensor([-2.0, -0.5, 0.0, 1.0, 3.0])
    >>> ln.nn.Tanhshrink()(x)
    tensor([-1.0360, -0.0379,  0.0000,  0.2384,  2.0049])
    """
    def forward(self, x):
        return F.tanhshrink(x)


class Threshold(Module):
    """Replace small values: y = x if x > threshold else value.

    Derivative 1 where x > threshold, else 0.

    Shape: input any shape (*), output the same shape.

    Parameters
    ----------
    threshold : float
        Inputs at or below it are replaced.
    value : float
        Their replacement.
    inplace : bool, default False
        Accepted for PyTorch compatibility (see ``F.relu`` for what it does here).

    Examples
    --------
    >>> x = ln.tensor([-2.0, -0.5, 0.0, 1.0, 3.0])
    >>> ln.nn.Threshold(0.5, -1.0)(x)
    tensor([-1., -1., -1.,  1.,  3.])
    """
    def __init__(self, threshold: float, value: float, inplace: bool = False):
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, bool(inplace)

    def forward(self, x):
        return F.threshold(x, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return (f"threshold={self.threshold}, value={self.value}"
                + (", inplace=True" if self.inplace else ""))


class PReLU(Module):
    """Parametric ReLU: y = x if x > 0 else a * x, with a learned slope ``a``.

    ``a`` has ``num_parameters`` entries: 1 (shared) or one per channel (dim 1 of the input).
    Gradients: dy/dx = 1 or a; dy/da = x where x <= 0, else 0 (summed over the positions that share
    ``a``).

    Parameters
    ----------
    num_parameters : int, default 1
        1, or the number of channels.
    init : float, default 0.25
        Initial slope, as PyTorch.
    device, dtype : optional
        Where and in which float type the weight lives.

    Examples
    --------
    >>> act = ln.nn.PReLU()
    >>> act(ln.tensor([-2.0, 0.0, 2.0]))
    tensor([-0.5000,  0.0000,  2.0000], grad_fn=<WhereBackward0>)
    >>> act.weight.shape
    torch.Size([1])
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        super().__init__()
        if isinstance(num_parameters, bool) or not isinstance(num_parameters, int) or \
                num_parameters < 1:
            raise ValueError(f"PReLU: num_parameters must be a positive integer, got "
                             f"{num_parameters!r}")
        if device is not None:
            check_device(device, "PReLU")
        self.num_parameters = num_parameters
        dtype = to_dtype(dtype, "PReLU") or np.dtype(get_default_dtype())
        self.weight = Parameter(np.full(num_parameters, init, dtype=dtype))

    def forward(self, x):
        return F.prelu(x, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class Hardshrink(Module):
    """Hard shrinkage: y = x if |x| > lambd else 0.

    Derivative 1 where |x| > lambd, else 0.

    Shape: input any shape (*), output the same shape.

    Parameters
    ----------
    lambd : float, default 0.5
        Half-width of the zeroed band.

    Examples
    --------
    >>> x = ln.tensor([-2.0, -0.5, 0.0, 1.0, 3.0])
    >>> ln.nn.Hardshrink()(x)
    tensor([-2.,  0.,  0.,  1.,  3.])
    """
    def __init__(self, lambd: float = 0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, x):
        return F.hardshrink(x, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Softshrink(Hardshrink):
    """Soft shrinkage (the proximal map of lambd * |x|):
    y = x - lambd if x > lambd, x + lambd if x < -lambd, else 0.

    Derivative 1 where |x| > lambd, else 0.

    Shape: input any shape (*), output the same shape.

    Parameters
    ----------
    lambd : float, default 0.5
        Amount subtracted from |x| (negative values clip to 0).

    Examples
    --------
    >>> x = ln.tensor([-2.0, -0.5, 0.0, 1.0, 3.0])
    >>> ln.nn.Softshrink()(x)
    tensor([-1.5000, -0.0000,  0.0000,  0.5000,  2.5000])
    """
    def forward(self, x):
        return F.softshrink(x, self.lambd)


class GLU(Module):
    """Gated linear unit: split x in two halves a, b along ``dim`` and return a * sigmoid(b).

    Shape: input (..., 2n, ...) along ``dim``, output (..., n, ...).

    Parameters
    ----------
    dim : int, default -1
        Axis to split (its size must be even).

    Examples
    --------
    >>> ln.nn.GLU()(ln.tensor([[1.0, 2.0, 0.0, 100.0]]))   # [1, 2] * sigmoid([0, 100])
    tensor([[0.5000, 2.0000]])
    """
    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.glu(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(Module):
    """Softmax along ``dim``: y_i = exp(x_i) / sum_j exp(x_j), so each slice is a probability vector.

    Computed as exp(x - max x) for stability. The Jacobian is dy_i/dx_j = y_i (delta_ij - y_j), so
    backward gives dx = y * (g - sum(g * y)). For classification train on logits with
    `CrossEntropyLoss` (softmax + log-likelihood fused) rather than on this output.

    Shape: any shape, output the same shape.

    Parameters
    ----------
    dim : int or None
        The axis that sums to one. ``None``: PyTorch's implicit choice (dim 0 for 0-, 1- and 3-d
        inputs, else 1) with its deprecation warning.

    Examples
    --------
    >>> ln.nn.Softmax(dim=-1)(ln.tensor([[1.0, 2.0, 3.0]]))
    tensor([[0.0900, 0.2447, 0.6652]])
    """

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.softmax(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """Log of the softmax along ``dim``: y_i = x_i - log(sum_j exp(x_j)) (log-sum-exp, stable).

    Backward: dx = g - softmax(x) * sum(g). Feed it to `NLLLoss` for cross-entropy.

    Shape: any shape, output the same shape.

    Parameters
    ----------
    dim : int or None
        The axis normalised (``None``: PyTorch's implicit choice, with its warning).

    Examples
    --------
    >>> ln.nn.LogSoftmax(dim=-1)(ln.tensor([[1.0, 2.0, 3.0]]))
    tensor([[-2.4076, -1.4076, -0.4076]])
    """
    def forward(self, x):
        return F.log_softmax(x, self.dim)


class Softmax2d(Module):
    """Softmax over the channels at each position of (N, C, H, W) or (C, H, W): softmax along dim -3.

    Examples
    --------
    >>> ln.nn.Softmax2d()(ln.zeros(1, 2, 1, 1)).flatten()
    tensor([0.5000, 0.5000])
    """

    def forward(self, x):
        if x.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected a 3-d or 4-d input, got {x.ndim}-d")
        return F.softmax(x, -3)


class Softmin(Softmax):
    """Softmin along ``dim``: softmax(-x), y_i = exp(-x_i) / sum_j exp(-x_j); small inputs get the
    largest weights.

    Parameters
    ----------
    dim : int or None
        The axis that sums to one.

    Examples
    --------
    >>> ln.nn.Softmin(dim=-1)(ln.tensor([[1.0, 2.0, 3.0]]))
    tensor([[0.6652, 0.2447, 0.0900]])
    """
    def forward(self, x):
        return F.softmin(x, self.dim)


ACTIVATIONS = {
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "step": Step,
    "identity": Identity,
    "linear": Identity,
    "softmax": Softmax,
    "gelu": GELU,
    "silu": SiLU,
    "elu": ELU,
    "softplus": Softplus,
}


def get_activation(name: str) -> Module:
    """A new activation module from its name (case-insensitive).

    Names: relu, leaky_relu, sigmoid, tanh, step, identity / linear, softmax (over the last axis),
    gelu, silu, elu, softplus (the keys of ``ACTIVATIONS``).

    Parameters
    ----------
    name : str
        A key of ``ACTIVATIONS`` (any case).

    Returns
    -------
    Module
        A new instance (default arguments).

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid ones.

    Examples
    --------
    >>> ln.nn.get_activation("relu")
    ReLU()
    >>> ln.nn.get_activation("softmax")
    Softmax(dim=-1)
    """
    try:
        cls = ACTIVATIONS[name.lower()]
    except (KeyError, AttributeError):
        raise ValueError(
            f"unknown activation {name!r}; valid names: {', '.join(ACTIVATIONS)}"
        ) from None
    return cls(dim=-1) if cls is Softmax else cls()  # by name: softmax over the last axis
