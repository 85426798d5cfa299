"""The stateless face of the ops: ``import lucidnet.nn.functional as F``.

Every function validates its inputs at this public boundary and raises a ValueError that says
what was received and what was expected.
"""

from __future__ import annotations

import numpy as np

from ..autograd.ops import activation as A
from ..autograd.ops import loss as L
from ..autograd.ops.elementwise import Cast
from ..autograd.ops.linalg import Linear
from ..autograd.ops.shape import Concatenate, Stack
from ..autograd.tensor import Tensor, is_grad_enabled
from .conv import check_input_dtype

__all__ = [
    "linear", "step", "sigmoid", "tanh", "relu", "leaky_relu", "softmax", "log_softmax",
    "gelu", "silu", "elu", "softplus", "logsigmoid", "hardtanh", "relu6", "mish", "selu",
    "celu", "hardsigmoid", "hardswish", "softsign", "tanhshrink", "softmin", "threshold",
    "prelu", "pairwise_distance", "hardshrink", "softshrink", "glu", "rms_norm",
    "scaled_dot_product_attention", "relu_", "leaky_relu_", "elu_", "selu_", "celu_",
    "hardtanh_", "threshold_",
    "mse_loss", "l1_loss", "huber_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss", "kl_div",
    "concatenate", "stack", "one_hot", "smooth_l1_loss", "normalize", "cosine_similarity",
    "margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss", "cosine_embedding_loss",
    "triplet_margin_loss", "poisson_nll_loss", "gaussian_nll_loss", "multilabel_soft_margin_loss",
    "multi_margin_loss", "multilabel_margin_loss", "triplet_margin_with_distance_loss",
]

_REDUCTIONS = ("mean", "sum", "none")


def _t(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(np.asarray(x))


def _float_tensor(x, what: str) -> Tensor:
    x = _t(x)
    if x.dtype.kind != "f":
        x = Cast.apply(x, dtype=np.dtype(np.float32))
    return x


def _check_reduction(reduction, allowed=_REDUCTIONS):
    if reduction not in allowed:
        raise ValueError(f"reduction must be one of {allowed}, got {reduction!r}")


# ---------------------------------------------------------------- dense
def linear(x, weight, bias=None) -> Tensor:
    """z = x W^T + b, x (..., in), W (out, in), b (out,).

    Parameters
    ----------
    x : Tensor
        (*, in_features).
    weight : Tensor
        (out_features, in_features).
    bias : Tensor, optional
        (out_features,).

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.linear(ln.ones(2, 3), ln.ones(4, 3), ln.zeros(4))        # each output: 1+1+1
    tensor([[3., 3., 3., 3.],
            [3., 3., 3., 3.]])
    """
    x = _t(x)
    xs, ws = x.data.shape, weight.data.shape  # plain tuples: this runs on every step
    if not xs or xs[-1] != ws[1]:
        raise ValueError(
            f"Linear(in_features={weight.shape[1]}, out_features={weight.shape[0]}) expects input "
            f"of shape (batch, {weight.shape[1]}), got {tuple(x.shape)}"
        )
    check_input_dtype(x, weight, lambda: f"Linear(in_features={weight.shape[1]}, "
                                         f"out_features={weight.shape[0]})")
    return Linear.apply(x, weight, bias)


# ---------------------------------------------------------------- activations
def step(x) -> Tensor:
    """Heaviside step: 1 if x >= 0 else 0; zero gradient.

    Parameters
    ----------
    x : Tensor
        Any shape; the output has the same shape.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> x = ln.tensor([-2.0, 0.0, 3.0])
    >>> F.step(x)
    tensor([0., 1., 1.])
    """
    return A.Step.apply(_t(x))


def sigmoid(input) -> Tensor:
    """1 / (1 + e^-x).

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> x = ln.tensor([-2.0, 0.0, 3.0])
    >>> F.sigmoid(x)
    tensor([0.1192, 0.5000, 0.9526])
    """
    return A.Sigmoid.apply(_t(input))


def tanh(input) -> Tensor:
    """(e^x - e^-x) / (e^x + e^-x).

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> x = ln.tensor([-2.0, 0.0, 3.0])
    >>> F.tanh(x)
    tensor([-0.9640,  0.0000,  0.9951])
    """
    return A.Tanh.apply(_t(input))


def _activate(x: Tensor, op, inplace: bool, **opts) -> Tensor:
    """``op.apply(x, **opts)``; ``inplace=True`` writes the result into x and returns x, as
    PyTorch's ``relu_``: outside the graph one copy and a version bump, inside it x's history
    is rebased onto the op (as ``x.add_``), and a leaf that requires grad is refused with
    PyTorch's error. A view of another tensor inside the graph (which lucidnet cannot change in
    place there) gets a new tensor: use the returned one."""
    if not inplace:
        return op.apply(x, **opts)
    if x._in_graph(False):
        if x._alias is not None:
            return op.apply(x, **opts)
        return x._inplace_in_graph(op, **opts)
    return x.copy_(op.apply(x, **opts))  # an in-place write: bumps x's version like relu_


def relu(input, inplace: bool = False) -> Tensor:
    """max(0, x).

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.
    inplace : bool, default False
        Write the result into ``input`` and return it.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> x = ln.tensor([-2.0, 0.0, 3.0])
    >>> F.relu(x)
    tensor([0., 0., 3.])
    """
    return _activate(_t(input), A.ReLU, inplace)


def leaky_relu(input, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x if x > 0 else negative_slope * x.

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.
    negative_slope : float, default 0.01
        Slope for x <= 0.
    inplace : bool, default False
        Write the result into ``input`` and return it.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> x = ln.tensor([-2.0, 0.0, 3.0])
    >>> F.leaky_relu(x, 0.1)
    tensor([-0.2000,  0.0000,  3.0000])
    """
    return _activate(_t(input), A.LeakyReLU, inplace, negative_slope=negative_slope)


def _softmax_dim(name: str, ndim: int, dim):
    """PyTorch's legacy rule for ``dim=None``: 0 for 0-, 1- and 3-d input, else 1 (warned)."""
    if dim is not None:
        return dim
    import warnings

    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to "
                  "include dim=X as an argument.", UserWarning, stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_input(input, dtype):
    x = _t(input)
    if dtype is not None:
        x = Cast.apply(x, dtype=np.dtype(getattr(dtype, "numpy_dtype", dtype)))
    elif x.dtype.kind != "f":
        x = _float_tensor(x, "input")  # integer scores: the default float dtype
    return x


def softmax(input, dim=None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """e^x_i / sum_j e^x_j along ``dim`` (``dtype``: cast the input first, as PyTorch).

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.
    dim : int, optional
        The axis to normalize over (None: PyTorch's legacy implicit choice, with its warning).
    dtype : dtype, optional
        Cast the input to this dtype first.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.softmax(ln.tensor([[1.0, 2.0, 3.0]]), dim=-1)
    tensor([[0.0900, 0.2447, 0.6652]])
    """
    x = _softmax_input(input, dtype)
    return A.Softmax.apply(x, axis=_softmax_dim("softmax", x.ndim, dim))


def log_softmax(input, dim=None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """x_i - log sum_j e^x_j along ``dim``, computed stably.

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.
    dim : int, optional
        The axis to normalize over (None: PyTorch's legacy implicit choice, with its warning).
    dtype : dtype, optional
        Cast the input to this dtype first.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.log_softmax(ln.tensor([[1.0, 2.0, 3.0]]), dim=-1)
    tensor([[-2.4076, -1.4076, -0.4076]])
    """
    x = _softmax_input(input, dtype)
    return A.LogSoftmax.apply(x, axis=_softmax_dim("log_softmax", x.ndim, dim))


def gelu(input, approximate: str = "none") -> Tensor:
    """x Phi(x) = x / 2 (1 + erf(x / sqrt 2)); ``approximate="tanh"``:
    x / 2 (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.
    approximate : {"none", "tanh"}, default "none"
        The exact erf form, or the tanh approximation.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> x = ln.tensor([-2.0, 0.0, 3.0])
    >>> F.gelu(x)
    tensor([-0.0455,  0.0000,  2.9960])
    """
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    x = _float_tensor(input, "input")
    return (A.GELU if approximate == "none" else A.GELUTanh).apply(x)


def silu(input, inplace: bool = False) -> Tensor:
    """x sigmoid(x) (swish).

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.
    inplace : bool, default False
        Write the result into ``input`` and return it.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> x = ln.tensor([-2.0, 0.0, 3.0])
    >>> F.silu(x)
    tensor([-0.2384,  0.0000,  2.8577])
    """
    return _activate(_float_tensor(input, "input"), A.SiLU, inplace)


def elu(input, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x if x > 0 else alpha (e^x - 1).

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.
    alpha : float, default 1.0
        Scale of the negative part.
    inplace : bool, default False
        Write the result into ``input`` and return it.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> x = ln.tensor([-2.0, 0.0, 3.0])
    >>> F.elu(x)
    tensor([-0.8647,  0.0000,  3.0000])
    """
    return _activate(_float_tensor(input, "input"), A.ELU, inplace, alpha=float(alpha))


def softplus(input, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^(beta x)) / beta; x itself where beta x > threshold (as PyTorch).

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.
    beta : float, default 1.0
        Sharpness: ``log(1 + e^(beta x)) / beta``.
    threshold : float, default 20.0
        Above ``beta x > threshold`` the output is x itself.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> x = ln.tensor([-2.0, 0.0, 3.0])
    >>> F.softplus(x)
    tensor([0.1269, 0.6931, 3.0486])
    """
    return A.Softplus.apply(_float_tensor(input, "input"), beta=float(beta),
                            threshold=float(threshold))


def logsigmoid(input) -> Tensor:
    """log sigmoid(x) = min(x, 0) - log(1 + e^-|x|); gradient 1 - sigmoid(x).

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> x = ln.tensor([-2.0, 0.0, 3.0])
    >>> F.logsigmoid(x)
    tensor([-2.1269, -0.6931, -0.0486])
    """
    return A.LogSigmoid.apply(_float_tensor(input, "input"))


def hardtanh(input, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """x clamped to [min_val, max_val]; gradient 1 strictly inside, 0 at the bounds.

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.
    min_val : float, default -1.0
        Lower bound.
    max_val : float, default 1.0
        Upper bound.
    inplace : bool, default False
        Write the result into ``input`` and return it.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> x = ln.tensor([-2.0, 0.0, 3.0])
    >>> F.hardtanh(x)
    tensor([-1.,  0.,  1.])
    """
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) cannot be greater than max_val "
                         f"({max_val})")
    return _activate(_t(input), A.Hardtanh, inplace, min_val=min_val, max_val=max_val)


def relu6(input, inplace: bool = False) -> Tensor:
    """min(max(0, x), 6).

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.
    inplace : bool, default False
        Write the result into ``input`` and return it.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.relu6(ln.tensor([-1.0, 3.0, 8.0]))
    tensor([0., 3., 6.])
    """
    return hardtanh(input, 0.0, 6.0, inplace)


def mish(input, inplace: bool = False) -> Tensor:
    """x tanh(softplus(x)).

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.
    inplace : bool, default False
        Write the result into ``input`` and return it.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> x = ln.tensor([-2.0, 0.0, 3.0])
    >>> F.mish(x)
    tensor([-0.2525,  0.0000,  2.9865])
    """
    return _activate(_float_tensor(input, "input"), A.Mish, inplace)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace: bool = False) -> Tensor:
    """scale (x if x > 0 else alpha (e^x - 1)), PyTorch's constants (self-normalising).

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.
    inplace : bool, default False
        Write the result into ``input`` and return it.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> x = ln.tensor([-2.0, 0.0, 3.0])
    >>> F.selu(x)
    tensor([-1.5202,  0.0000,  3.1521])
    """
    return _activate(_float_tensor(input, "input"), A.ELU, inplace, alpha=_SELU_ALPHA,
                     scale=_SELU_SCALE)


def celu(input, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x if x > 0 else alpha (e^(x / alpha) - 1).

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.
    alpha : float, default 1.0
        Scale of the negative part.
    inplace : bool, default False
        Write the result into ``input`` and return it.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> x = ln.tensor([-2.0, 0.0, 3.0])
    >>> F.celu(x)
    tensor([-0.8647,  0.0000,  3.0000])
    """
    if alpha == 0:
        raise ValueError("celu: alpha cannot be 0 (it divides x)")
    return _activate(_float_tensor(input, "input"), A.ELU, inplace, alpha=float(alpha),
                     input_scale=1.0 / alpha)


def hardsigmoid(input, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6; gradient 1/6 strictly inside (-3, 3).

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.
    inplace : bool, default False
        Write the result into ``input`` and return it.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> x = ln.tensor([-2.0, 0.0, 3.0])
    >>> F.hardsigmoid(x)
    tensor([0.1667, 0.5000, 1.0000])
    """
    return _activate(_float_tensor(input, "input"), A.Hardsigmoid, inplace)


def hardswish(input, inplace: bool = False) -> Tensor:
    """x relu6(x + 3) / 6 (MobileNetV3).

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.
    inplace : bool, default False
        Write the result into ``input`` and return it.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> x = ln.tensor([-2.0, 0.0, 3.0])
    >>> F.hardswish(x)
    tensor([-0.3333,  0.0000,  3.0000])
    """
    return _activate(_float_tensor(input, "input"), A.Hardswish, inplace)


def softsign(input) -> Tensor:
    """x / (1 + |x|).

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> x = ln.tensor([-2.0, 0.0, 3.0])
    >>> F.softsign(x)
    tensor([-0.6667,  0.0000,  0.7500])
    """
    return A.Softsign.apply(_float_tensor(input, "input"))


def tanhshrink(input) -> Tensor:
    """x - tanh(x).

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> x = ln.tensor([-2.0, 0.0, 3.0])
    >>> F.tanhshrink(x)
    tensor([-1.0360,  0.0000,  2.0049])
    """
    x = _float_tensor(input, "input")
    return x - A.Tanh.apply(x)


def softmin(input, dim=None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """softmax(-x) along ``dim``.

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.
    dim : int, optional
        The axis to normalize over (None: PyTorch's legacy implicit choice, with its warning).
    dtype : dtype, optional
        Cast the input to this dtype first.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.softmin(ln.tensor([[1.0, 2.0, 3.0]]), dim=-1)
    tensor([[0.6652, 0.2447, 0.0900]])
    """
    x = _softmax_input(input, dtype)
    return A.Softmax.apply(-x, axis=_softmax_dim("softmin", x.ndim, dim))


def threshold(input, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``value`` where x <= threshold, else x (a nan is kept, as PyTorch).

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.
    threshold : float
        Values <= it are replaced.
    value : float
        The replacement.
    inplace : bool, default False
        Write the result into ``input`` and return it.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> x = ln.tensor([-2.0, 0.0, 3.0])
    >>> F.threshold(x, 0.5, -1.0)
    tensor([-1., -1.,  3.])
    """
    return _activate(_t(input), A.Threshold, inplace, threshold=threshold, value=value)


def prelu(input, weight) -> Tensor:
    """x if x > 0 else a x, with a learned ``weight`` of one value (0-d or (1,)) or one per
    channel (dim 1 of an input of 2 or more dims; a 0-d or 1-d input has one channel).

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.
    weight : Tensor
        The slopes: one value, or one per channel (dim 1).

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> x = ln.tensor([-2.0, 0.0, 3.0])
    >>> F.prelu(x, ln.tensor([0.25]))
    tensor([-0.5000,  0.0000,  3.0000])
    """
    x = _float_tensor(input, "input")
    w = _t(weight)
    if w.ndim > 1:
        raise ValueError(f"prelu: weight must be a scalar or 1-d tensor, got shape "
                         f"{tuple(w.shape)}")
    channels = x.shape[1] if x.ndim >= 2 else 1
    if w.numel() not in (1, channels):
        raise ValueError(f"prelu: weight has {w.numel()} elements but the input has {channels} "
                         f"channel(s) (dim 1 of {tuple(x.shape)}; a 0-d or 1-d input has one); "
                         f"give 1 or {channels} parameters")
    w = w.reshape((1, channels) + (1,) * (x.ndim - 2)) if w.numel() > 1 else w.reshape(())
    return x.where(Tensor(x.data > 0), x * w)


def pairwise_distance(x1, x2, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False):
    """||x1 - x2 + eps||_p over the last dimension (PyTorch adds eps to the difference).

    Parameters
    ----------
    x1 : Tensor
        First input, (N, D) or (D,).
    x2 : Tensor
        Second input, broadcastable to ``x1``.
    p : float, default 2.0
        The norm.
    eps : float, default 1e-6
        Added to the difference.
    keepdim : bool, default False
        Keep the reduced last axis (size 1).

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.pairwise_distance(ln.tensor([[0.0, 0.0]]), ln.tensor([[3.0, 4.0]]))
    tensor([5.0000])
    """
    d = _float_tensor(x1, "x1") - _float_tensor(x2, "x2") + eps
    if p == 2:
        return (d * d).sum(-1, keepdim=keepdim).sqrt()
    if p == 1:
        return d.abs().sum(-1, keepdim=keepdim)
    return (d.abs() ** p).sum(-1, keepdim=keepdim) ** (1.0 / p)


def hardshrink(input, lambd: float = 0.5) -> Tensor:
    """x where |x| > lambd, else 0.

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.
    lambd : float, default 0.5
        The shrink threshold (>= 0).

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.hardshrink(ln.tensor([-1.0, 0.2, 0.7]))
    tensor([-1.0000,  0.0000,  0.7000])
    """
    return A.Hardshrink.apply(_float_tensor(input, "input"), lambd=lambd)


def softshrink(input, lambd: float = 0.5) -> Tensor:
    """x - lambd where x > lambd, x + lambd where x < -lambd, else 0.

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.
    lambd : float, default 0.5
        The shrink threshold (>= 0).

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.softshrink(ln.tensor([-1.0, 0.2, 0.7]))
    tensor([-0.5000,  0.0000,  0.2000])
    """
    if lambd < 0:
        raise ValueError(f"softshrink: lambd must be >= 0, got {lambd}")
    return A.Softshrink.apply(_float_tensor(input, "input"), lambd=lambd)


def glu(input, dim: int = -1) -> Tensor:
    """a * sigmoid(b) where (a, b) are the two halves of ``input`` along ``dim``.

    Parameters
    ----------
    input : Tensor
        Of even size along ``dim``; the output has half of it.
    dim : int, default -1
        The axis split in two.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.glu(ln.tensor([[1.0, 2.0, 0.0, 100.0]]))
    tensor([[0.5000, 2.0000]])
    """
    x = _float_tensor(input, "input")
    n = x.shape[dim]
    if n % 2:
        raise ValueError(f"glu: dimension {dim} of size {n} must be even (it is halved)")
    a, b = x.chunk(2, dim)
    return a * A.Sigmoid.apply(b)


def rms_norm(input, normalized_shape, weight=None, eps=None) -> Tensor:
    """x / sqrt(mean(x^2 over the last axes normalized_shape) + eps) * weight; eps defaults to
    the dtype's machine epsilon, as PyTorch.

    Parameters
    ----------
    input : Tensor
        (*, *normalized_shape).
    normalized_shape : int or tuple of int
        The trailing axes to normalize over.
    weight : Tensor, optional
        Of shape ``normalized_shape`` (default ones).
    eps : float, optional
        Added to the mean square (default: the dtype's machine epsilon).

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.rms_norm(ln.tensor([[3.0, 4.0]]), (2,))
    tensor([[0.8485, 1.1314]])
    """
    x = _float_tensor(input, "input")
    shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) \
        else tuple(normalized_shape)
    if tuple(x.shape[x.ndim - len(shape):]) != shape:
        raise ValueError(f"rms_norm: normalized_shape {shape} does not match the last "
                         f"dimensions of the input {tuple(x.shape)}")
    eps = float(np.finfo(x.dtype).eps) if eps is None else float(eps)
    dims = tuple(range(x.ndim - len(shape), x.ndim))
    out = x * ((x * x).mean(dims, keepdim=True) + eps).rsqrt()
    return out if weight is None else out * weight


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale=None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(q k^T * scale + mask) v, scale = 1 / sqrt(E) by default; a boolean mask keeps
    the True positions, a float mask is added; ``is_causal``: position i attends to j <= i.

    Parameters
    ----------
    query : Tensor
        (*, L, E).
    key : Tensor
        (*, S, E).
    value : Tensor
        (*, S, Ev); the output is (*, L, Ev).
    attn_mask : Tensor, optional
        (L, S) or broadcastable: boolean (True = attend) or added to the scores.
    dropout_p : float, default 0.0
        Dropout probability on the attention weights.
    is_causal : bool, default False
        Mask out j > i (not with ``attn_mask``).
    scale : float, optional
        Multiplier of the scores (default 1 / sqrt(E)).
    enable_gqa : bool, default False
        Not supported (True raises).

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> q = k = v = ln.ones(1, 2, 4)
    >>> F.scaled_dot_product_attention(q, k, v).shape
    torch.Size([1, 2, 4])
    """
    if enable_gqa:
        raise ValueError("scaled_dot_product_attention: enable_gqa is not supported by lucidnet")
    q, k, v = (_float_tensor(t, n) for t, n in ((query, "query"), (key, "key"),
                                                 (value, "value")))
    scale = 1.0 / float(np.sqrt(q.shape[-1])) if scale is None else float(scale)
    scores = (q @ k.transpose(-2, -1)) * scale
    L, S = q.shape[-2], k.shape[-2]
    bias = np.zeros((L, S), dtype=q.dtype)
    if is_causal:
        if attn_mask is not None:
            raise ValueError("scaled_dot_product_attention: give attn_mask or is_causal, not both")
        bias = np.where(np.tril(np.ones((L, S), dtype=bool)), 0.0, -np.inf).astype(q.dtype)
    if attn_mask is not None:
        m = attn_mask.data if isinstance(attn_mask, Tensor) else np.asarray(attn_mask)
        if m.dtype == np.bool_:
            bias = np.where(m, 0.0, -np.inf).astype(q.dtype)
        else:
            scores = scores + _t(attn_mask)
    if np.any(bias):
        scores = scores + Tensor(bias)
    weights = A.Softmax.apply(scores, axis=-1)
    if dropout_p > 0.0:
        from .dropout import dropout as _dropout

        weights = _dropout(weights, dropout_p, True)
    return weights @ v


def _in_place(fn, name: str, args: str, shown: str):
    def inplace_fn(input, *args, **kwargs):
        return fn(input, *args, inplace=True, **kwargs)

    inplace_fn.__name__ = name
    formula = (fn.__doc__ or "").strip().splitlines()[0]
    head = f"``{fn.__name__}(input, ..., inplace=True)`` (see {fn.__name__}): {formula}"
    inplace_fn.__doc__ = head + f"""

    Writes the result into ``input`` (same shape and dtype) and returns ``input`` itself.

    Parameters
    ----------
    input : Tensor
        Any shape; overwritten with the result.
    *args, **kwargs
        The other arguments of `{fn.__name__}` (``inplace`` excepted).

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> x = ln.tensor([-2.0, 0.0, 3.0])
    >>> F.{name}(x{args}) is x
    True
    >>> x
    {shown}
    """
    return inplace_fn


relu_ = _in_place(relu, "relu_", "", "tensor([0., 0., 3.])")
leaky_relu_ = _in_place(leaky_relu, "leaky_relu_", ", 0.1", "tensor([-0.2000,  0.0000,  3.0000])")
elu_ = _in_place(elu, "elu_", "", "tensor([-0.8647,  0.0000,  3.0000])")
selu_ = _in_place(selu, "selu_", "", "tensor([-1.5202,  0.0000,  3.1521])")
celu_ = _in_place(celu, "celu_", ", 2.0", "tensor([-1.2642,  0.0000,  3.0000])")
hardtanh_ = _in_place(hardtanh, "hardtanh_", "", "tensor([-1.,  0.,  1.])")
threshold_ = _in_place(threshold, "threshold_", ", 1.0, 0.0", "tensor([0., 0., 3.])")


# ---------------------------------------------------------------- losses
def _target_array(target, like: Tensor, name: str, differentiable: bool = True):
    """The target in ``like``'s dtype and shape: an array, or, when it requires grad (and
    ``differentiable``: PyTorch differentiates the loss in its target), a Tensor, so the fused
    loss returns its gradient too. A loss that PyTorch does not differentiate in the target
    refuses one that requires grad, with PyTorch's message."""
    if isinstance(target, Tensor) and target.requires_grad and is_grad_enabled():
        if not differentiable:
            raise RuntimeError(f"The function '{name}' is not differentiable with respect to "
                               "argument 'target'. This input cannot have requires_grad True "
                               "(pass target.detach()).")
        y = target if target.dtype == like.dtype else Cast.apply(target, dtype=like.dtype)
        shape = y.data.shape
    else:
        y = target.data if isinstance(target, Tensor) else np.asarray(target)
        if y.dtype != like.dtype:
            y = y.astype(like.dtype)
        shape = y.shape
    if shape != like.data.shape:
        raise ValueError(
            f"{name}: input shape {tuple(like.shape)} and target shape {shape} differ; they "
            "must match (reshape the target, e.g. y.reshape(-1, 1) for a single output unit)"
        )
    return y


def _target_values(target) -> np.ndarray:
    """The target's values, for checks (labels in range, probabilities in [0, 1])."""
    return target.data if isinstance(target, Tensor) else np.asarray(target)


def _broadcast_pair(x: Tensor, target, name: str):
    """PyTorch's rule for the regression losses: a target of another shape is broadcast with
    the input, with PyTorch's warning (an (N, 1) output against an (N,) target gives an (N, N)
    loss, which is rarely what was meant)."""
    y_shape = tuple(np.shape(target.data if isinstance(target, Tensor) else target))
    if y_shape == x.data.shape:
        return x, target
    import warnings

    warnings.warn(f"Using a target size ({_size(y_shape)}) that is different to the input size "
                  f"({_size(x.data.shape)}). This will likely lead to incorrect results due to "
                  "broadcasting. Please ensure they have the same size.", UserWarning,
                  stacklevel=3)
    try:
        shape = np.broadcast_shapes(x.data.shape, y_shape)
    except ValueError:
        raise RuntimeError(f"{name}: the input of shape {tuple(x.data.shape)} and the target of "
                           f"shape {y_shape} do not broadcast; give them the same shape") from None
    if not isinstance(target, Tensor):
        target = Tensor(np.asarray(target))
    return x.expand(shape), target.expand(shape)


def _size(shape) -> str:
    return f"torch.Size([{', '.join(str(n) for n in shape)}])"


def _reduction_of(size_average, reduce, reduction, name):
    if isinstance(size_average, str):  # lucidnet's earlier order: reduction third
        return size_average
    if size_average is not None or reduce is not None:
        return _legacy_reduction(size_average, reduce, name)
    return reduction


def mse_loss(input, target, size_average=None, reduce=None, reduction: str = "mean",
             weight=None) -> Tensor:
    """Mean squared error; PyTorch's signature (a string third is the reduction). A
    target of another shape is broadcast with PyTorch's warning; ``weight`` rescales each
    element's loss (the mean divides by the weights' sum, as PyTorch). Differentiable in the
    target.

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.
    target : Tensor
        The target, of the input's shape.
    size_average : optional
        PyTorch's deprecated spelling of ``reduction`` (with ``reduce``).
    reduce : optional
        PyTorch's deprecated spelling of ``reduction`` (with ``size_average``).
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined.
    weight : Tensor, optional
        Per-element weights of the loss.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.mse_loss(ln.tensor([1.0, 2.0, 4.0]), ln.tensor([1.0, 1.0, 1.0]))    # (0 + 1 + 9) / 3
    tensor(3.3333)
    """
    reduction = _reduction_of(size_average, reduce, reduction, "mse_loss")
    _check_reduction(reduction)
    x, target = _broadcast_pair(_float_tensor(input, "input"), target, "mse_loss")
    y = _target_array(target, x, "mse_loss")
    w = _same_shape_weight(weight, x, "mse_loss")
    return _weighted(lambda r: L.MSE.apply(x, y, reduction=r), x, w, reduction,
                     mean_by_weight=True)


def l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean",
            weight=None) -> Tensor:
    """Mean absolute error; PyTorch's signature (a string third is the reduction). A
    target of another shape is broadcast with PyTorch's warning; ``weight`` rescales each
    element's loss (the mean divides by the weights' sum, as PyTorch). Differentiable in the
    target.

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.
    target : Tensor
        The target, of the input's shape.
    size_average : optional
        PyTorch's deprecated spelling of ``reduction`` (with ``reduce``).
    reduce : optional
        PyTorch's deprecated spelling of ``reduction`` (with ``size_average``).
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined.
    weight : Tensor, optional
        Per-element weights of the loss.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.l1_loss(ln.tensor([1.0, 2.0, 4.0]), ln.tensor([1.0, 1.0, 1.0]))
    tensor(1.3333)
    """
    reduction = _reduction_of(size_average, reduce, reduction, "l1_loss")
    _check_reduction(reduction)
    x, target = _broadcast_pair(_float_tensor(input, "input"), target, "l1_loss")
    y = _target_array(target, x, "l1_loss")
    w = _same_shape_weight(weight, x, "l1_loss")
    return _weighted(lambda r: L.L1.apply(x, y, reduction=r), x, w, reduction,
                     mean_by_weight=True)


def huber_loss(input, target, reduction: str = "mean", delta: float = 1.0,
               weight=None) -> Tensor:
    """Huber loss: quadratic within delta, linear outside; ``weight`` rescales each
    element's loss (PyTorch 2.13's keyword; the mean divides by the element count).

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.
    target : Tensor
        The target, of the input's shape.
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined.
    delta : float, default 1.0
        Where the loss turns from quadratic to linear.
    weight : Tensor, optional
        Per-element weights of the loss.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.huber_loss(ln.tensor([0.5, 3.0]), ln.tensor([0.0, 0.0]), reduction='none')
    tensor([0.1250, 2.5000])
    """
    _check_reduction(reduction)
    if not delta > 0:
        raise ValueError(f"huber_loss: delta must be > 0, got {delta!r}")
    x, target = _broadcast_pair(_float_tensor(input, "input"), target, "huber_loss")
    if weight is not None:
        w = _same_shape_weight(weight, x, "huber_loss")
        return _weighted(lambda r: huber_loss(x, target, r, delta), x, w, reduction)
    return L.Huber.apply(x, _target_array(target, x, "huber_loss"), reduction=reduction,
                         delta=delta)


def _check_binary_target(y, name):
    if np.any((y < 0) | (y > 1)) or not np.all(np.isfinite(y)):
        raise ValueError(f"{name}: targets must lie in [0, 1], got values in "
                         f"[{np.nanmin(y)}, {np.nanmax(y)}]")


def _elementwise_weight(weight, x: Tensor, name: str):
    if weight is None:
        return None
    w = np.asarray(getattr(weight, "data", weight), dtype=x.dtype)
    try:
        np.broadcast_shapes(w.shape, x.shape)
    except ValueError:
        raise ValueError(f"{name}: weight of shape {tuple(w.shape)} does not broadcast to the input's "
                         f"shape {tuple(x.shape)}") from None
    if np.broadcast_shapes(w.shape, x.shape) != x.shape:
        raise ValueError(f"{name}: weight of shape {tuple(w.shape)} would grow the input's shape "
                         f"{tuple(x.shape)}; give it the input's shape or one that broadcasts to it")
    return w


def _weighted(loss_fn, x: Tensor, w, reduction: str, mean_by_weight: bool = False) -> Tensor:
    """``reduction`` of weight * (the unreduced loss), PyTorch's rule for the BCE and Huber
    losses (the mean divides by the number of elements); ``mean_by_weight``: the mean divides
    by the weights' sum instead (PyTorch's mse_loss and l1_loss)."""
    if w is None:
        return loss_fn(reduction)
    rows = loss_fn("none") * Tensor(w)
    if reduction == "none":
        return rows
    if reduction == "sum":
        return rows.sum()
    return rows.sum() / Tensor(np.asarray(w.sum(), x.dtype)) if mean_by_weight else rows.mean()


def _same_shape_weight(weight, x: Tensor, name: str):
    """The regression losses' ``weight``: exactly the input's shape, as PyTorch requires."""
    if weight is None:
        return None
    w = np.asarray(getattr(weight, "data", weight), dtype=x.dtype)
    if w.shape != x.data.shape:
        raise ValueError(f"{name}: Weights and input must have the same size (weight "
                         f"{tuple(w.shape)}, input {tuple(x.data.shape)}).")
    return w


_BCE_DEFAULTS = {"weight": None, "size_average": None, "reduce": None, "reduction": "mean"}


def binary_cross_entropy(input, target, *args, **kwargs) -> Tensor:
    """BCE on probabilities p in [0, 1]; logs are clamped at -100 like PyTorch.

    ``binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
    reduction="mean")`` as PyTorch (the earlier order, ``reduction`` third as a string, still
    works); ``weight`` rescales each element's loss.

    Parameters
    ----------
    input : Tensor
        Probabilities p in [0, 1], any shape.
    target : Tensor
        y in [0, 1], of the input's shape.

    Other Parameters
    ----------------
    weight : Tensor, optional
        Per-element weights (broadcast to the input).
    size_average, reduce : optional
        PyTorch's deprecated spellings of ``reduction``.
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.binary_cross_entropy(ln.tensor([0.9, 0.2]), ln.tensor([1.0, 0.0]))
    tensor(0.1643)
    """
    opts = _bind_loss_args("binary_cross_entropy", args, kwargs, tuple(_BCE_DEFAULTS),
                           ("reduction",), _BCE_DEFAULTS)
    reduction = opts["reduction"]
    _check_reduction(reduction)
    p = _float_tensor(input, "input")
    y = _target_array(target, p, "binary_cross_entropy")
    if np.any((p.data < 0) | (p.data > 1)):
        raise ValueError(
            "binary_cross_entropy expects probabilities in [0, 1]; got values outside. "
            "Apply sigmoid first, or use binary_cross_entropy_with_logits on raw scores"
        )
    _check_binary_target(_target_values(y), "binary_cross_entropy")
    w = _elementwise_weight(opts["weight"], p, "binary_cross_entropy")
    return _weighted(lambda r: L.BCE.apply(p, y, reduction=r), p, w, reduction)


_BCEL_DEFAULTS = dict(_BCE_DEFAULTS, pos_weight=None)


def binary_cross_entropy_with_logits(input, target, *args, **kwargs) -> Tensor:
    """Numerically stable sigmoid + BCE on raw scores.

    ``binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
    reduce=None, reduction="mean", pos_weight=None)`` as PyTorch (the earlier order,
    ``reduction`` third as a string and then ``pos_weight``, still works).

    Parameters
    ----------
    input : Tensor
        Raw scores x, any shape.
    target : Tensor
        y in [0, 1], of the input's shape.

    Other Parameters
    ----------------
    weight : Tensor, optional
        Per-element weights (broadcast to the input).
    size_average, reduce : optional
        PyTorch's deprecated spellings of ``reduction``.
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined.
    pos_weight : Tensor, optional
        Weight of the positive term per class (broadcast along the last axis).

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.binary_cross_entropy_with_logits(ln.tensor([0.0, 0.0]), ln.tensor([1.0, 0.0]))   # log 2
    tensor(0.6931)
    """
    opts = _bind_loss_args("binary_cross_entropy_with_logits", args, kwargs,
                           tuple(_BCEL_DEFAULTS), ("reduction", "pos_weight"), _BCEL_DEFAULTS)
    reduction, pos_weight = opts["reduction"], opts["pos_weight"]
    _check_reduction(reduction)
    x = _float_tensor(input, "input")
    y = _target_array(target, x, "binary_cross_entropy_with_logits")
    _check_binary_target(_target_values(y), "binary_cross_entropy_with_logits")
    pw = None if pos_weight is None else np.asarray(getattr(pos_weight, "data", pos_weight),
                                                    dtype=x.dtype)
    if pw is not None and (pw.ndim > x.ndim or any(
            a not in (1, b) for a, b in zip(pw.shape[::-1], x.shape[::-1]))):
        raise ValueError(f"binary_cross_entropy_with_logits: pos_weight of shape {tuple(pw.shape)} does "
                         f"not broadcast to the input's shape {tuple(x.shape)}; give one weight per "
                         f"output column, shape ({x.shape[-1] if x.ndim else 1},)")
    w = _elementwise_weight(opts["weight"], x, "binary_cross_entropy_with_logits")
    return _weighted(lambda r: L.BCEWithLogits.apply(x, y, reduction=r, pos_weight=pw), x, w,
                     reduction)


def _labels(target, logits: Tensor, name: str, ignore_index: int = -100) -> np.ndarray:
    y = target.data if isinstance(target, Tensor) else np.asarray(target)
    shape = logits.data.shape  # a plain tuple (Tensor.shape builds a Size)
    n_classes = shape[1]
    expected = (shape[0],) + shape[2:]
    if y.dtype.kind == "f":
        if y.shape == shape:
            return None  # probability targets: handled by the caller
        if np.all(np.mod(y, 1) == 0):
            y = y.astype(np.int64)
        else:
            raise ValueError(f"{name}: class labels must be integers, got non-integer floats")
    if y.dtype.kind not in "iub":
        raise ValueError(f"{name}: class labels must be integers, got dtype {y.dtype}")
    if y.shape != expected:
        raise ValueError(
            f"{name}: input of shape {tuple(logits.shape)} (batch, classes) needs integer labels of shape "
            f"{expected} or probability targets of shape {tuple(logits.shape)}; got target shape {tuple(y.shape)}"
        )
    used = y[y != ignore_index] if y.dtype.kind != "b" else y
    if used.size and (used.min() < 0 or used.max() >= n_classes):
        raise ValueError(
            f"{name}: labels must be in [0, {n_classes - 1}] for {n_classes} classes (or "
            f"ignore_index={ignore_index}), got values in [{used.min()}, {used.max()}]"
        )
    return y.astype(np.int64, copy=False)


def _check_logits(x: Tensor, name: str):
    if x.ndim < 2:
        raise ValueError(f"{name}: input must be (classes,) or (batch, classes, ...) scores, "
                         f"got shape {tuple(x.shape)}")


def _batch_of_one(x: Tensor, target, name: str):
    """PyTorch's unbatched form: (C,) scores with a 0-d label or (C,) probabilities are one
    sample; returns (x, target) with a batch dimension and whether it was added."""
    if x.ndim != 1:
        return x, target, False
    if isinstance(target, Tensor):
        return x.reshape((1,) + tuple(x.data.shape)), target.reshape((1,) + tuple(target.shape)), \
            True
    y = np.asarray(target)
    if y.ndim not in (0, 1):
        raise ValueError(f"{name}: unbatched (C,) scores need a 0-d class label or (C,) "
                         f"probabilities, got target shape {y.shape}")
    return x.reshape((1,) + tuple(x.data.shape)), y.reshape((1,) + y.shape), True


def _check_ignore_index(ignore_index, name: str) -> int:
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
        raise TypeError(f"{name}: ignore_index must be an integer, got {ignore_index!r}")
    return int(ignore_index)


def _legacy_reduction(size_average, reduce, name: str) -> str:
    """PyTorch's deprecated ``size_average``/``reduce`` flags as a ``reduction`` string."""
    import warnings

    warnings.warn(f"{name}: size_average and reduce are deprecated, please use reduction='mean', "
                  "'sum' or 'none' instead.", UserWarning, stacklevel=4)
    if reduce is False:
        return "none"
    return "sum" if size_average is False else "mean"


def _bind_loss_args(name, args, kwargs, torch_order, legacy_order, defaults) -> dict:
    """Bind a loss's positional arguments in PyTorch's order, or, when the first extra one is a
    string, in lucidnet's earlier order (reduction first)."""
    order = legacy_order if args and isinstance(args[0], str) else torch_order
    if len(args) > len(order):
        raise TypeError(f"{name}() takes at most {len(order) + 2} positional arguments "
                        f"({len(args) + 2} given)")
    bound = dict(defaults)
    for key, value in zip(order, args):
        bound[key] = value
    for key, value in kwargs.items():
        if key not in defaults:
            raise TypeError(f"{name}() got an unexpected keyword argument {key!r}")
        if key in order[:len(args)]:
            raise TypeError(f"{name}() got multiple values for argument {key!r}")
        bound[key] = value
    if bound.get("size_average") is not None or bound.get("reduce") is not None:
        bound["reduction"] = _legacy_reduction(bound["size_average"], bound["reduce"], name)
    return bound


_CE_DEFAULTS = {"weight": None, "size_average": None, "ignore_index": -100, "reduce": None,
                "reduction": "mean", "label_smoothing": 0.0}


def cross_entropy(input, target, *args, **kwargs) -> Tensor:
    """Softmax + cross-entropy on logits, fused and stable.

    ``cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
    reduce=None, reduction="mean", label_smoothing=0.0)``, PyTorch's signature and order (the
    earlier lucidnet order, ``reduction`` third as a string, is still accepted).

    ``target``: integer labels (N,) (sparse categorical CE) or probabilities / one-hot (N, C)
    (categorical CE). Rows labelled ``ignore_index`` add 0 and are left out of the mean, as in
    PyTorch (the mean is nan when every row is ignored).

    Parameters
    ----------
    input : Tensor
        Logits (N, C), (C,) or (N, C, d1, ...).
    target : Tensor
        Class indices (N,) / () / (N, d1, ...), or probabilities of the input's shape.

    Other Parameters
    ----------------
    weight : Tensor, optional
        (C,) class weights.
    ignore_index : int, default -100
        A label that adds nothing (index targets only).
    size_average, reduce : optional
        PyTorch's deprecated spellings of ``reduction``.
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-sample losses are combined (the mean is weighted).
    label_smoothing : float, default 0.0
        Mix the target with the uniform distribution by this amount.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.cross_entropy(ln.tensor([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]]), ln.tensor([0, 2]))
    tensor(0.6691)
    """
    opts = _bind_loss_args("cross_entropy", args, kwargs, tuple(_CE_DEFAULTS),
                           ("reduction", "weight", "label_smoothing", "ignore_index"),
                           _CE_DEFAULTS)
    reduction, weight = opts["reduction"], opts["weight"]
    label_smoothing = opts["label_smoothing"]
    ignore_index = _check_ignore_index(opts["ignore_index"], "cross_entropy")
    _check_reduction(reduction)
    x = _float_tensor(input, "input")
    x, target, unbatched = _batch_of_one(x, target, "cross_entropy")
    _check_logits(x, "cross_entropy")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    labels = _labels(target, x, "cross_entropy", ignore_index)
    if labels is None:
        y = _target_array(target, x, "cross_entropy")
        if np.any(_target_values(y) < 0):
            raise ValueError("cross_entropy: probability targets must be non-negative")
    else:
        y = labels
    w = _class_weight(weight, x, "cross_entropy")
    out = L.CrossEntropy.apply(x, y, reduction=reduction, weight=w,
                               label_smoothing=label_smoothing, ignore_index=ignore_index)
    return out.reshape(()) if unbatched and reduction == "none" else out


def _class_weight(weight, x: Tensor, name: str):
    if weight is None:
        return None
    w = np.asarray(getattr(weight, "data", weight), dtype=x.dtype)
    if w.shape != (x.shape[1],):
        raise ValueError(f"{name}: weight must have shape ({x.shape[1]},) (one per class), "
                         f"got {tuple(w.shape)}")
    return w


_NLL_DEFAULTS = {"weight": None, "size_average": None, "ignore_index": -100, "reduce": None,
                 "reduction": "mean"}


def nll_loss(input, target, *args, **kwargs) -> Tensor:
    """Negative log-likelihood on log-probabilities (pair with log_softmax).

    ``nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
    reduction="mean")`` as PyTorch (the earlier order, ``reduction`` third as a string, is still
    accepted). l_n = -w_{y_n} x_{n, y_n}; the mean divides by sum_n w_{y_n} over the rows not
    labelled ``ignore_index``.

    Parameters
    ----------
    input : Tensor
        Log-probabilities (N, C), (C,) or (N, C, d1, ...).
    target : Tensor of int
        Class indices (N,) / () / (N, d1, ...).

    Other Parameters
    ----------------
    weight : Tensor, optional
        (C,) class weights.
    ignore_index : int, default -100
        A label that adds nothing.
    size_average, reduce : optional
        PyTorch's deprecated spellings of ``reduction``.
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-sample losses are combined (the mean is weighted).

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.nll_loss(ln.tensor([[-0.5, -1.0], [-2.0, -0.1]]), ln.tensor([0, 1]))    # (0.5 + 0.1) / 2
    tensor(0.3000)
    """
    opts = _bind_loss_args("nll_loss", args, kwargs, tuple(_NLL_DEFAULTS),
                           ("reduction", "ignore_index"), _NLL_DEFAULTS)
    reduction = opts["reduction"]
    _check_reduction(reduction)
    ignore_index = _check_ignore_index(opts["ignore_index"], "nll_loss")
    x = _float_tensor(input, "input")
    x, target, unbatched = _batch_of_one(x, target, "nll_loss")
    _check_logits(x, "nll_loss")
    labels = _labels(target, x, "nll_loss", ignore_index)
    if labels is None:
        raise ValueError("nll_loss expects integer class labels")
    out = _nll(x, labels, _class_weight(opts["weight"], x, "nll_loss"), reduction, ignore_index)
    return out.reshape(()) if unbatched and reduction == "none" else out


def _nll(x: Tensor, labels: np.ndarray, w, reduction: str, ignore_index: int) -> Tensor:
    if w is None:
        return L.NLL.apply(x, labels, reduction=reduction, ignore_index=ignore_index)
    # weighted: -sum_c mask_{n,c} x_{n,c}, mask = w_{y_n} at the label's class (0 if ignored)
    kept = labels != ignore_index
    row_w = np.where(kept, w[np.where(kept, labels, 0)], 0).astype(x.dtype)
    mask = np.zeros(x.shape, x.dtype)
    np.put_along_axis(mask, np.expand_dims(np.where(kept, labels, 0), 1),
                      np.expand_dims(row_w, 1), axis=1)
    rows = -(x * Tensor(mask)).sum(1)
    if reduction == "none":
        return rows
    if reduction == "sum":
        return rows.sum()
    return rows.sum() / Tensor(np.asarray(row_w.sum(), x.dtype))


def _reduced(loss: Tensor, reduction: str) -> Tensor:
    _check_reduction(reduction)
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()


def _const(values, like: Tensor) -> Tensor:
    arr = values.data if isinstance(values, Tensor) else np.asarray(values)
    return Tensor(arr.astype(like.dtype, copy=False))


def _operand(values, like: Tensor) -> Tensor:
    """A target that enters a composite loss as a factor: kept in the graph when it requires
    grad (PyTorch differentiates these losses in the target), else a constant."""
    if isinstance(values, Tensor) and values.requires_grad and is_grad_enabled():
        return values if values.dtype == like.dtype else Cast.apply(values, dtype=like.dtype)
    return _const(values, like)


def margin_ranking_loss(input1, input2, target, margin: float = 0.0, size_average=None,
                        reduce=None, reduction: str = "mean") -> Tensor:
    """max(0, -y (x1 - x2) + margin), y in {1, -1}.

    Parameters
    ----------
    input1 : Tensor
        First scores, (N,) or ().
    input2 : Tensor
        Second scores, of the same shape.
    target : Tensor
        y in {1, -1}: whether input1 should rank higher.
    margin : float, default 0.0
        The margin.
    size_average : optional
        PyTorch's deprecated spelling of ``reduction`` (with ``reduce``).
    reduce : optional
        PyTorch's deprecated spelling of ``reduction`` (with ``size_average``).
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.margin_ranking_loss(ln.tensor([1.0, 0.0]), ln.tensor([0.0, 1.0]), ln.tensor([1.0, 1.0]))
    tensor(0.5000)
    """
    reduction = _reduction_of(size_average, reduce, reduction, "margin_ranking_loss")
    a, b = _float_tensor(input1, "input1"), _float_tensor(input2, "input2")
    y = _operand(target, a)  # differentiable in the target, as PyTorch
    return _reduced((-y * (a - b) + margin).clamp(min=0), reduction)


def hinge_embedding_loss(input, target, margin: float = 1.0, size_average=None, reduce=None,
                         reduction: str = "mean") -> Tensor:
    """x where y = 1, max(0, margin - x) where y = -1 (PyTorch adds both terms by mask).

    Parameters
    ----------
    input : Tensor
        Distances x, any shape.
    target : Tensor
        y in {1, -1}, of the input's shape.
    margin : float, default 1.0
        The margin of the dissimilar pairs.
    size_average : optional
        PyTorch's deprecated spelling of ``reduction`` (with ``reduce``).
    reduce : optional
        PyTorch's deprecated spelling of ``reduction`` (with ``size_average``).
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.hinge_embedding_loss(ln.tensor([0.3, 0.3]), ln.tensor([1.0, -1.0]), reduction='none')
    tensor([0.3000, 0.7000])
    """
    reduction = _reduction_of(size_average, reduce, reduction, "hinge_embedding_loss")
    x = _float_tensor(input, "input")
    y = target.data if isinstance(target, Tensor) else np.asarray(target)
    pos, neg = _const(y == 1, x), _const(y == -1, x)
    return _reduced(x * pos + (margin - x).clamp(min=0) * neg, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """log(1 + e^(-y x)), y in {1, -1}.

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.
    target : Tensor
        y in {1, -1}, of the input's shape.
    size_average : optional
        PyTorch's deprecated spelling of ``reduction`` (with ``reduce``).
    reduce : optional
        PyTorch's deprecated spelling of ``reduction`` (with ``size_average``).
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.soft_margin_loss(ln.tensor([0.0]), ln.tensor([1.0]))
    tensor(0.6931)
    """
    reduction = _reduction_of(size_average, reduce, reduction, "soft_margin_loss")
    x = _float_tensor(input, "input")
    y = _target_array(target, x, "soft_margin_loss", differentiable=False)
    return _reduced(softplus(-_const(y, x) * x), reduction)


def cosine_embedding_loss(input1, input2, target, margin: float = 0.0, size_average=None,
                          reduce=None, reduction: str = "mean") -> Tensor:
    """1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1; cos along the
    last dimension with PyTorch's 1e-12 under the root.

    Parameters
    ----------
    input1 : Tensor
        (N, D) or (D,).
    input2 : Tensor
        Same shape.
    target : Tensor
        (N,) or (): y in {1, -1}.
    margin : float, default 0.0
        The margin of the dissimilar pairs.
    size_average : optional
        PyTorch's deprecated spelling of ``reduction`` (with ``reduce``).
    reduce : optional
        PyTorch's deprecated spelling of ``reduction`` (with ``size_average``).
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.cosine_embedding_loss(ln.tensor([[1.0, 0.0]]), ln.tensor([[0.0, 1.0]]), ln.tensor([1.0]))
    tensor(1.)
    """
    reduction = _reduction_of(size_average, reduce, reduction, "cosine_embedding_loss")
    a, b = _float_tensor(input1, "input1"), _float_tensor(input2, "input2")
    cos = (a * b).sum(-1) / (((a * a).sum(-1) + 1e-12) * ((b * b).sum(-1) + 1e-12)).sqrt()
    y = target.data if isinstance(target, Tensor) else np.asarray(target)
    pos, neg = _const(y == 1, a), _const(y == -1, a)
    return _reduced((1.0 - cos) * pos + (cos - margin).clamp(min=0) * neg, reduction)


def triplet_margin_loss(anchor, positive, negative, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average=None, reduce=None,
                        reduction: str = "mean") -> Tensor:
    """max(d(a, p) - d(a, n) + margin, 0) with d = pairwise_distance(., ., p, eps); ``swap``:
    d(a, n) is min(d(a, n), d(p, n)).

    Parameters
    ----------
    anchor : Tensor
        (N, D) or (D,).
    positive : Tensor
        Same shape as ``anchor``: the samples to pull close.
    negative : Tensor
        Same shape as ``anchor``: the samples to push away.
    margin : float, default 1.0
        The margin.
    p : float, default 2
        The norm of the distance.
    eps : float, default 1e-6
        Added to the difference.
    swap : bool, default False
        Use ``min(d(a, n), d(p, n))`` as the negative distance.
    size_average : optional
        PyTorch's deprecated spelling of ``reduction`` (with ``reduce``).
    reduce : optional
        PyTorch's deprecated spelling of ``reduction`` (with ``size_average``).
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.triplet_margin_loss(ln.tensor([[0.0, 0.0]]), ln.tensor([[1.0, 0.0]]), ln.tensor([[3.0, 0.0]]))
    tensor(0.)
    """
    reduction = _reduction_of(size_average, reduce, reduction, "triplet_margin_loss")
    _check_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"triplet_margin_loss: margin must be greater than 0, got {margin}")
    dims = [np.ndim(t.data if isinstance(t, Tensor) else t) for t in (anchor, positive, negative)]
    if len(set(dims)) != 1:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {dims[0]}D, positive "
                           f"{dims[1]}D, and negative {dims[2]}D inputs")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = d_neg.minimum(pairwise_distance(positive, negative, p, eps))
    return _reduced((d_pos - d_neg + margin).clamp(min=0), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin: float = 1.0, swap: bool = False,
                                      reduction: str = "mean") -> Tensor:
    """max(d(a, p) - d(a, n) + margin, 0) with any ``distance_function(x1, x2)`` (default
    pairwise_distance); ``swap``: d(a, n) is min(d(a, n), d(p, n)).

    Parameters
    ----------
    anchor : Tensor
        (N, D) or (D,).
    positive : Tensor
        Same shape as ``anchor``: the samples to pull close.
    negative : Tensor
        Same shape as ``anchor``: the samples to push away.
    distance_function : callable, optional
        ``d(x1, x2) -> distances`` (default `pairwise_distance`).
    margin : float, default 1.0
        The margin.
    swap : bool, default False
        Use ``min(d(a, n), d(p, n))`` as the negative distance.
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.triplet_margin_with_distance_loss(ln.tensor([[0.0, 0.0]]), ln.tensor([[1.0, 0.0]]), ln.tensor([[3.0, 0.0]]))
    tensor(0.)
    """
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a, p, n = (_float_tensor(t, k) for t, k in ((anchor, "anchor"), (positive, "positive"),
                                                 (negative, "negative")))
    if not a.ndim == p.ndim == n.ndim:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {a.ndim}D, positive "
                           f"{p.ndim}D, and negative {n.ndim}D inputs")
    dist = pairwise_distance if distance_function is None else distance_function
    d_pos, d_neg = dist(a, p), dist(a, n)
    if swap:
        d_neg = d_neg.minimum(dist(p, n))
    return _reduced((d_pos - d_neg + margin).clamp(min=0), reduction)


def _margin_labels(target, x: Tensor, name: str) -> np.ndarray:
    y = target.data if isinstance(target, Tensor) else np.asarray(target)
    if y.dtype.kind not in "iu":
        raise TypeError(f"{name}: target must hold integer class indices, got dtype {y.dtype}")
    return y.astype(np.int64, copy=False)


def multi_margin_loss(input, target, p: int = 1, margin: float = 1.0, weight=None,
                      size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """Multi-class hinge loss: l_n = sum_{i != y_n} w_{y_n} max(0, margin - x_{n,y_n} + x_{n,i})^p
    / C, p in {1, 2}; input (N, C) with labels (N,), or (C,) with a 0-d label. The hinge is 0
    (and so is its gradient) where margin - x_y + x_i <= 0, as PyTorch's kernel.

    Parameters
    ----------
    input : Tensor
        (N, C) or (C,) scores.
    target : Tensor of int
        (N,) or () class indices.
    p : {1, 2}, default 1
        The power of each hinge.
    margin : float, default 1.0
        The margin.
    weight : Tensor, optional
        (C,) class weights.
    size_average : optional
        PyTorch's deprecated spelling of ``reduction`` (with ``reduce``).
    reduce : optional
        PyTorch's deprecated spelling of ``reduction`` (with ``size_average``).
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.multi_margin_loss(ln.tensor([[0.1, 0.2, 0.4, 0.8]]), ln.tensor([3]))
    tensor(0.3250)
    """
    reduction = _reduction_of(size_average, reduce, reduction, "multi_margin_loss")
    _check_reduction(reduction)
    if p not in (1, 2):
        raise ValueError("multi_margin_loss: only p == 1 and p == 2 supported")
    x = _float_tensor(input, "input")
    y = _margin_labels(target, x, "multi_margin_loss")
    unbatched = x.ndim <= 1
    if unbatched:
        x, y = x.reshape((1, -1)), y.reshape(-1)
    if x.ndim != 2 or y.shape != (x.shape[0],):
        raise ValueError(f"multi_margin_loss: expected input (N, C) with target (N,) or (C,) "
                         f"with a 0-d target, got input {tuple(x.shape)}, target "
                         f"{tuple(np.shape(target))}")
    c = x.shape[1]
    if y.size and (y.min() < 0 or y.max() >= c):
        raise ValueError(f"multi_margin_loss: target values must be in [0, {c - 1}], got "
                         f"[{y.min()}, {y.max()}]")
    onehot = np.zeros(x.data.shape, x.dtype)
    onehot[np.arange(len(y)), y] = 1
    x_y = (x * Tensor(onehot)).sum(1, keepdim=True)
    z = (margin - x_y) + x  # PyTorch's order of operations: the same rounding at a tie
    hinge = z * Tensor(((z.data > 0) & (onehot == 0)).astype(x.dtype))  # exactly 0 at z <= 0
    if p == 2:
        hinge = hinge * hinge
    if weight is not None:
        w = np.asarray(getattr(weight, "data", weight), dtype=x.dtype)
        if w.ndim != 1:
            raise ValueError("multi_margin_loss: weight must be one-dimensional")
        hinge = hinge * Tensor(w[y][:, None])
    loss = hinge.sum(1) * (1.0 / c)
    if unbatched and reduction == "none":
        loss = loss.reshape(())
    return _reduced(loss, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None,
                           reduction: str = "mean") -> Tensor:
    """Multi-label hinge loss: l_n = sum_{j in T_n} sum_{i not in T_n} max(0, 1 - (x_j - x_i))
    / C, where T_n are the class indices in target row n up to its first -1; input (N, C) or
    (C,), target of the same shape (integers).

    Parameters
    ----------
    input : Tensor
        (N, C) or (C,) scores.
    target : Tensor of int
        Same shape: the listed class indices, ended by the first -1.
    size_average : optional
        PyTorch's deprecated spelling of ``reduction`` (with ``reduce``).
    reduce : optional
        PyTorch's deprecated spelling of ``reduction`` (with ``size_average``).
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.multilabel_margin_loss(ln.tensor([[0.1, 0.2, 0.4, 0.8]]), ln.tensor([[3, 0, -1, 1]]))
    tensor(0.8500)
    """
    reduction = _reduction_of(size_average, reduce, reduction, "multilabel_margin_loss")
    _check_reduction(reduction)
    x = _float_tensor(input, "input")
    y = _margin_labels(target, x, "multilabel_margin_loss")
    if y.shape != x.data.shape or x.ndim not in (1, 2):
        raise ValueError(f"multilabel_margin_loss: expected input (N, C) or (C,) and a target "
                         f"of the same shape, got {tuple(x.shape)} and {y.shape}")
    unbatched = x.ndim == 1
    if unbatched:
        x, y = x.reshape((1, -1)), y.reshape((1, -1))
    n, c = x.data.shape
    if y.size and (y.min() < -1 or y.max() >= c):
        raise ValueError(f"multilabel_margin_loss: target values must be in [-1, {c - 1}], "
                         f"got [{y.min()}, {y.max()}]")
    # how often each class is listed before the first -1 (a repeated index counts again)
    listed = np.cumprod(y != -1, axis=1).astype(bool)
    counts = np.zeros((n, c), x.dtype)
    rows = np.broadcast_to(np.arange(n)[:, None], y.shape)
    np.add.at(counts, (rows[listed], y[listed]), 1)
    others = (counts == 0).astype(x.dtype)
    z = 1.0 - x.reshape((n, c, 1)) + x.reshape((n, 1, c))   # z[n, j, i] = 1 - x_j + x_i
    mask = counts[:, :, None] * others[:, None, :] * (z.data > 0)
    loss = (z * Tensor(mask.astype(x.dtype))).sum((1, 2)) * (1.0 / c)
    if unbatched and reduction == "none":
        loss = loss.reshape(())
    return _reduced(loss, reduction)


def poisson_nll_loss(input, target, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """e^x - y x (``log_input``) or x - y log(x + eps); ``full`` adds Stirling's
    y log y - y + log(2 pi y) / 2 where y > 1.

    Parameters
    ----------
    input : Tensor
        The log rate (``log_input``) or the rate.
    target : Tensor
        Counts y, of the input's shape.
    log_input : bool, default True
        Whether ``input`` is the log of the rate.
    full : bool, default False
        Add Stirling's term.
    size_average : optional
        PyTorch's deprecated spelling of ``reduction`` (with ``reduce``).
    eps : float, default 1e-8
        Added inside the log when ``log_input=False``.
    reduce : optional
        PyTorch's deprecated spelling of ``reduction`` (with ``size_average``).
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.poisson_nll_loss(ln.tensor([0.0]), ln.tensor([2.0]))
    tensor(1.)
    """
    reduction = _reduction_of(size_average, reduce, reduction, "poisson_nll_loss")
    x = _float_tensor(input, "input")
    y = _operand(target, x)  # differentiable in the target, as PyTorch
    loss = x.exp() - y * x if log_input else x - y * (x + eps).log()
    if full:  # + Stirling's y log y - y + log(2 pi y) / 2 where y > 1 (differentiable in y)
        above = _const(y.data > 1, x)
        y_safe = y * above + (1.0 - above)  # 1 where y <= 1: every term there is 0
        loss = loss + (y_safe * y_safe.log() - y_safe + 0.5 * (y_safe * (2 * np.pi)).log()) * above
    return _reduced(loss, reduction)


def gaussian_nll_loss(input, target, var, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Tensor:
    """(log max(var, eps) + (x - y)^2 / max(var, eps)) / 2 (+ log(2 pi) / 2 if ``full``); the
    clamp passes the gradient through, as PyTorch's in-place clamp under no_grad.

    ``var``: the input's shape (heteroscedastic), the input's shape less its last dimension
    or with one dimension of size 1 (homoscedastic, broadcast), or a float.

    Parameters
    ----------
    input : Tensor
        The predicted means.
    target : Tensor
        Of the input's shape.
    var : Tensor or float
        The predicted variances (>= 0): the input's shape, that shape without its last axis or with
        a size-1 axis, or a number.
    full : bool, default False
        Add the constant log(2 pi) / 2.
    eps : float, default 1e-6
        The smallest variance used.
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.gaussian_nll_loss(ln.tensor([1.0]), ln.tensor([0.0]), ln.tensor([1.0]))
    tensor(0.5000)
    """
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not valid")
    x = _float_tensor(input, "input")
    y = _operand(target, x)  # differentiable in the target, as PyTorch
    if isinstance(var, (int, float)) and not isinstance(var, bool):
        if var < 0:
            raise ValueError("gaussian_nll_loss: var has negative entry/entries")
        v = Tensor(np.full(x.data.shape, var, dtype=x.dtype))
    else:
        v = _float_tensor(var, "var")
        if np.any(v.data < 0):
            raise ValueError("gaussian_nll_loss: var has negative entry/entries")
    xs, vs = tuple(x.data.shape), tuple(v.data.shape)
    if vs != xs:
        if xs[:-1] == vs:
            v = v.reshape(vs + (1,))
        elif not (len(xs) == len(vs) and sum(b for a, b in zip(xs, vs) if a != b) == 1):
            raise ValueError(f"gaussian_nll_loss: var is of incorrect size: {vs} for an input "
                             f"of shape {xs}; give the input's shape, the input's shape "
                             "without its last dimension, or a size-1 dimension to broadcast")
    v = v + Tensor((np.maximum(v.data, eps) - v.data).astype(v.dtype))
    loss = 0.5 * (v.log() + (x - y) ** 2 / v)
    if full:
        loss = loss + 0.5 * float(np.log(2 * np.pi))
    return _reduced(loss, reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction: str = "mean") -> Tensor:
    """-(y log sigmoid(x) + (1 - y) log sigmoid(-x)), averaged over the C classes per row.

    Parameters
    ----------
    input : Tensor
        (N, C) scores.
    target : Tensor
        (N, C) in {0, 1}.
    weight : Tensor, optional
        (C,) class weights.
    size_average : optional
        PyTorch's deprecated spelling of ``reduction`` (with ``reduce``).
    reduce : optional
        PyTorch's deprecated spelling of ``reduction`` (with ``size_average``).
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.multilabel_soft_margin_loss(ln.tensor([[0.0, 0.0]]), ln.tensor([[1.0, 0.0]]))
    tensor(0.6931)
    """
    reduction = _reduction_of(size_average, reduce, reduction, "multilabel_soft_margin_loss")
    x = _float_tensor(input, "input")
    y = _operand(target, x)  # differentiable in the target, as PyTorch
    loss = -(y * logsigmoid(x) + (1.0 - y) * logsigmoid(-x))
    if weight is not None:
        loss = loss * _const(weight, x)
    return _reduced(loss.mean(-1), reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """KL(p || q) with input = log q and target = p, as PyTorch's kl_div.
    Use reduction="batchmean" for the mathematical KL per sample. PyTorch's signature (the
    earlier order, reduction third as a string and then log_target, still works).

    Parameters
    ----------
    input : Tensor
        Log-probabilities log q.
    target : Tensor
        Probabilities p (log p with ``log_target``), of the input's shape.
    size_average : optional
        PyTorch's deprecated spelling of ``reduction`` (with ``reduce``).
    reduce : optional
        PyTorch's deprecated spelling of ``reduction`` (with ``size_average``).
    reduction : {"mean", "batchmean", "sum", "none"}, default "mean"
        "batchmean" divides the sum by the batch size (the true KL per sample).
    log_target : bool, default False
        Whether ``target`` holds log-probabilities.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.kl_div(ln.tensor([[0.5, 0.5]]).log(), ln.tensor([[0.9, 0.1]]), reduction='batchmean')
    tensor(0.3681)
    """
    if isinstance(size_average, str):
        reduction, log_target = size_average, (log_target if reduce is None else reduce)
        size_average = reduce = None
    reduction = _reduction_of(size_average, reduce, reduction, "kl_div")
    _check_reduction(reduction, _REDUCTIONS + ("batchmean",))
    if not isinstance(log_target, (bool, np.bool_)):
        raise TypeError(f"kl_div: log_target must be True or False, got {log_target!r}")
    if reduction == "mean":
        import warnings

        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", UserWarning, stacklevel=2)
    x = _float_tensor(input, "input")
    p = _target_array(target, x, "kl_div")
    return L.KLDiv.apply(x, p, reduction=reduction, log_target=log_target)


# ---------------------------------------------------------------- joining
def concatenate(tensors, axis: int = 0) -> Tensor:
    """Join tensors along an existing axis: the NumPy-named form of ``lucidnet.cat`` (``axis``
    instead of ``dim``). The sizes must agree except along ``axis``; the gradient is split back
    into one piece per input.

    Parameters
    ----------
    tensors : sequence of Tensor
        The tensors to join.
    axis : int, default 0
        The existing axis to join along.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.concatenate([ln.ones(1, 2), ln.zeros(1, 2)], axis=0)
    tensor([[1., 1.],
            [0., 0.]])
    """
    return Concatenate.apply(*[_t(t) for t in tensors], axis=axis)


def stack(tensors, axis: int = 0) -> Tensor:
    """Stack same-shaped tensors along a new axis: the NumPy-named form of ``lucidnet.stack``.
    Input k receives the slice k of the gradient along ``axis``.

    Parameters
    ----------
    tensors : sequence of Tensor
        Tensors of one shape.
    axis : int, default 0
        Position of the new axis.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.stack([ln.tensor([1.0, 2.0]), ln.tensor([3.0, 4.0])], axis=1)
    tensor([[1., 3.],
            [2., 4.]])
    """
    return Stack.apply(*[_t(t) for t in tensors], axis=axis)


def one_hot(tensor, num_classes: int = -1) -> Tensor:
    """Integer labels (...) -> int64 one-hot (..., num_classes), as PyTorch (``num_classes=-1``:
    one more than the largest label). Cast with ``.float()`` for a loss.

    Parameters
    ----------
    tensor : Tensor of int
        Labels (...) in [0, num_classes).
    num_classes : int, default -1
        Length of the last axis (-1: max label + 1).

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.one_hot(ln.tensor([0, 2, 1]), num_classes=3)
    tensor([[1, 0, 0],
            [0, 0, 1],
            [0, 1, 0]])
    """
    y = tensor.data if isinstance(tensor, Tensor) else np.asarray(tensor)
    if y.dtype.kind not in "iu":
        raise TypeError(f"one_hot is only applicable to index tensors (integer dtype), got "
                        f"{y.dtype}; convert with .long()")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise TypeError(f"one_hot: num_classes must be an int, got {num_classes!r}")
    if y.size and y.min() < 0:
        raise ValueError(f"one_hot: class values must be non-negative, got {y.min()}")
    if num_classes == -1:
        if not y.size:
            raise ValueError("one_hot: cannot infer num_classes from an empty tensor; pass it")
        num_classes = int(y.max()) + 1
    if y.size and y.max() >= num_classes:
        raise ValueError(f"one_hot: class values must be smaller than num_classes "
                         f"({num_classes}), got {y.max()}")
    out = np.zeros(y.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, y[..., None].astype(np.int64), 1, axis=-1)
    return Tensor(out)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (PyTorch's SmoothL1Loss; it is the
    Huber loss divided by beta, and the L1 loss for beta = 0).

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.
    target : Tensor
        The target, of the input's shape.
    size_average : optional
        PyTorch's deprecated spelling of ``reduction`` (with ``reduce``).
    reduce : optional
        PyTorch's deprecated spelling of ``reduction`` (with ``size_average``).
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined.
    beta : float, default 1.0
        Half width of the quadratic zone (0: the L1 loss).

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.smooth_l1_loss(ln.tensor([0.5, 3.0]), ln.tensor([0.0, 0.0]), reduction='none')
    tensor([0.1250, 2.5000])
    """
    reduction = _reduction_of(size_average, reduce, reduction, "smooth_l1_loss")
    if not beta >= 0:
        raise ValueError(f"smooth_l1_loss: beta must be >= 0, got {beta!r}")
    x, target = _broadcast_pair(_float_tensor(input, "input"), target, "smooth_l1_loss")
    if beta == 0:
        return l1_loss(x, target, reduction=reduction)
    return huber_loss(x, target, reduction, delta=beta) * (1.0 / beta)


def normalize(input, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out=None) -> Tensor:
    """x / max(||x||_p, eps) along ``dim``.

    Parameters
    ----------
    input : Tensor
        Any shape; the output has the same shape.
    p : float, default 2.0
        The norm.
    dim : int, default 1
        The axis of the vectors.
    eps : float, default 1e-12
        Lower bound of the norm.
    out : None, optional
        Not supported (PyTorch's signature).

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.normalize(ln.tensor([[3.0, 4.0]]), dim=1)              # x / ||x||
    tensor([[0.6000, 0.8000]])
    """
    if out is not None:
        raise ValueError("normalize: out= is not supported by lucidnet; use the returned tensor")
    x = _float_tensor(input, "input")
    if p == 2:
        norm = (x * x).sum(dim, keepdim=True).sqrt()
    elif p == 1:
        norm = x.abs().sum(dim, keepdim=True)
    else:
        norm = (x.abs() ** p).sum(dim, keepdim=True) ** (1.0 / p)
    return x / norm.clamp(min=eps)


def cosine_similarity(x1, x2, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """sum(x1 x2) / (max(||x1||, eps) max(||x2||, eps)) along ``dim`` (PyTorch's formula).

    Parameters
    ----------
    x1 : Tensor
        First input.
    x2 : Tensor
        Second input, broadcastable to ``x1``.
    dim : int, default 1
        The axis of the vectors (removed from the output).
    eps : float, default 1e-8
        Lower bound of each norm.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.cosine_similarity(ln.tensor([[1.0, 0.0]]), ln.tensor([[1.0, 1.0]]))
    tensor([0.7071])
    """
    a, b = _float_tensor(x1, "x1"), _float_tensor(x2, "x2")
    na = (a * a).sum(dim).sqrt().clamp(min=eps)
    nb = (b * b).sum(dim).sqrt().clamp(min=eps)
    return (a * b).sum(dim) / (na * nb)


# ---------------------------------------------------------------- layers' functional forms
# (defined next to their modules; re-exported here so `F.conv2d` etc. work as in PyTorch)
from .conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d  # noqa: E402
from .dropout import dropout, dropout1d, dropout2d  # noqa: E402
from .embedding import embedding  # noqa: E402
from .linear import bilinear  # noqa: E402
from .normalization import batch_norm, group_norm, layer_norm  # noqa: E402
from .padding import pad  # noqa: E402
from .pooling import (  # noqa: E402
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
    max_unpool1d,
    max_unpool2d,
)
from .upsampling import (  # noqa: E402
    interpolate,
    pixel_shuffle,
    pixel_unshuffle,
    upsample,
    upsample_bilinear,
    upsample_nearest,
)

__all__ += ["embedding", "pad", "interpolate", "pixel_shuffle", "pixel_unshuffle", "conv1d", "conv2d", "conv_transpose1d",
            "conv_transpose2d", "dropout", "dropout1d", "dropout2d", "batch_norm", "group_norm",
            "layer_norm",
            "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d",
            "adaptive_max_pool2d", "avg_pool1d", "avg_pool2d", "max_pool1d",
            "max_pool2d", "max_unpool1d", "max_unpool2d", "bilinear", "upsample",
            "upsample_nearest", "upsample_bilinear"]
