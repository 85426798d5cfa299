"""Dense layer z = x W^T + b, Identity, and the bilinear layer
y = x1^T A x2 + b (PyTorch's ``nn.Bilinear`` / ``F.bilinear``)."""

from __future__ import annotations

import numpy as np

from ..autograd.device import check_device
from ..autograd.dtypes import to_dtype
from ..autograd.function import Function
from ..autograd.tensor import Tensor, get_default_dtype
from . import functional as F
from . import init
from .conv import check_input_dtype
from .module import Module, Parameter

__all__ = ["Linear", "Identity", "Bilinear", "bilinear"]


class Linear(Module):
    """Fully connected layer: ``y = x @ weight.T + bias``, weight (out_features, in_features).

    Initialized as PyTorch does: W, b ~ U(-1/sqrt(in), 1/sqrt(in)).

    Shape: input (*, in_features), output (*, out_features).

    Parameters
    ----------
    in_features : int
        Size of each input sample.
    out_features : int
        Size of each output sample.
    bias : bool, default True
        Learn the additive ``bias`` (out_features,).
    device, dtype : optional
        ``"cpu"`` only; the parameters' dtype (default: the default dtype).

    Examples
    --------
    >>> layer = ln.nn.Linear(3, 2)
    >>> layer.weight.shape, layer.bias.shape
    (torch.Size([2, 3]), torch.Size([2]))
    >>> layer(ln.ones(5, 3)).shape
    torch.Size([5, 2])
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None,
                 dtype=None):
        super().__init__()
        if device is not None:
            check_device(device, "Linear")
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"Linear: {name} must be a positive integer, got {value!r}")
        self.in_features, self.out_features = int(in_features), int(out_features)
        dtype = to_dtype(dtype, "Linear") or np.dtype(get_default_dtype())
        self.weight = Parameter(np.empty((out_features, in_features), dtype=dtype))
        self.bias = Parameter(np.empty(out_features, dtype=dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-draw the weights with PyTorch's default: W, b ~ U(-1/sqrt(in_features), 1/sqrt(in_features))
        (Kaiming uniform with a = sqrt(5) for W).
        """
        init.default_linear_init_(self.weight, self.bias)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Identity(Module):
    """y = x (the linear output unit for regression). Takes and ignores any
    arguments, as PyTorch's (so it can stand in for another layer).

    Parameters
    ----------
    *args, **kwargs
        Ignored.

    Examples
    --------
    >>> ln.nn.Identity()(ln.tensor([1.0, -2.0]))
    tensor([ 1., -2.])
    """

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, x):
        return x


# ---------------------------------------------------------------- bilinear
class BilinearOp(Function):
    """y[m, o] = sum_ij x1[m, i] A[o, i, j] x2[m, j] + b[o] on flat rows x1 (M, I), x2 (M, J).

    forward   T[m, o, j] = sum_i x1[m, i] A[o, i, j]      (one GEMM: x1 @ A as (I, O*J))
              y[m, o]    = sum_j T[m, o, j] x2[m, j]
    backward  S[m, o, j] = g[m, o] x2[m, j]
              dx1 = S @ A^T (A as (I, O*J)),  dx2[m, j] = sum_o g[m, o] T[m, o, j]
              dA[o, i, j] = sum_m x1[m, i] S[m, o, j]  (one GEMM: x1^T @ S),  db = sum_m g
    """

    @staticmethod
    def forward(ctx, x1, x2, weight, bias=None):
        o, i, j = weight.shape
        a = weight.transpose(1, 0, 2).reshape(i, o * j)  # (I, O*J)
        t = (x1 @ a).reshape(-1, o, j)
        out = np.einsum("moj,mj->mo", t, x2)
        if bias is not None:
            out += bias
        ctx.save_for_backward(x1, x2, weight)
        ctx.t, ctx.a, ctx.has_bias = t, a, bias is not None
        return out

    @staticmethod
    def backward(ctx, g):
        x1, x2, weight = ctx.saved
        o, i, j = weight.shape
        need1, need2, need_w = ctx.needs_input_grad[:3]
        g1 = g2 = gw = gb = None
        if need1 or need_w:
            s = (g[:, :, None] * x2[:, None, :]).reshape(-1, o * j)  # (M, O*J)
            if need1:
                g1 = s @ ctx.a.T
            if need_w:
                gw = np.ascontiguousarray((x1.T @ s).reshape(i, o, j).transpose(1, 0, 2))
        if need2:
            g2 = np.einsum("mo,moj->mj", g, ctx.t)
        if ctx.has_bias and ctx.needs_input_grad[3]:
            gb = g.sum(axis=0)
        return g1, g2, gw, gb


def bilinear(input1, input2, weight, bias=None) -> Tensor:
    """y = x1^T A x2 + b: ``y[..., o] = sum_ij x1[..., i] A[o, i, j] x2[..., j] + b[o]``.

    Parameters
    ----------
    input1 : Tensor (*, in1_features)
    input2 : Tensor (*, in2_features), the same leading dimensions as input1 (no broadcasting)
    weight : Tensor (out_features, in1_features, in2_features)
    bias : Tensor (out_features,) or None

    Returns
    -------
    Tensor (*, out_features)

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.bilinear(ln.ones(1, 2), ln.ones(1, 2), ln.ones(1, 2, 2))     # sum_ij x1_i W_ij x2_j
    tensor([[4.]])
    """
    x1 = input1 if isinstance(input1, Tensor) else Tensor(np.asarray(input1))
    x2 = input2 if isinstance(input2, Tensor) else Tensor(np.asarray(input2))
    ws = tuple(weight.shape)
    where = f"bilinear(weight {ws})"
    if len(ws) != 3:
        raise ValueError(f"{where}: weight must be 3-D (out_features, in1_features, "
                         f"in2_features), got {len(ws)} dims")
    if bias is not None and tuple(bias.shape) != ws[:1]:
        raise ValueError(f"{where}: bias must have shape ({ws[0]},), got {tuple(bias.shape)}")
    for name, x, size in (("input1", x1, ws[1]), ("input2", x2, ws[2])):
        if x.ndim == 0 or x.shape[-1] != size:
            raise ValueError(f"{where}: {name} must have shape (*, {size}), got "
                             f"{tuple(x.shape)}")
        check_input_dtype(x, weight, where)
    if x1.shape[:-1] != x2.shape[:-1]:
        raise ValueError(f"{where}: input1 and input2 must have the same leading (batch) "
                         f"dimensions, got {tuple(x1.shape)} and {tuple(x2.shape)}")
    lead = tuple(x1.shape[:-1])
    out = BilinearOp.apply(x1.reshape(-1, ws[1]), x2.reshape(-1, ws[2]), weight, bias)
    return out.reshape(lead + (ws[0],))


class Bilinear(Module):
    """``y = x1^T A x2 + b`` for each pair of rows (x1 (*, in1), x2 (*, in2)) -> (*, out).

    weight A (out_features, in1_features, in2_features), bias (out_features,), both
    ~ U(-1/sqrt(in1_features), 1/sqrt(in1_features)) as PyTorch's.

    ``y[..., k] = sum_{i,j} x1[..., i] A[k, i, j] x2[..., j] + b[k]``.

    Parameters
    ----------
    in1_features, in2_features : int
        Sizes of the two inputs' last axes.
    out_features : int
        Size of the output's last axis.
    bias : bool, default True
        Learn the additive ``bias``.
    device, dtype : optional
        ``"cpu"`` only; the parameters' dtype.

    Examples
    --------
    >>> layer = ln.nn.Bilinear(3, 4, 2)
    >>> layer(ln.ones(5, 3), ln.ones(5, 4)).shape
    torch.Size([5, 2])
    """

    def __init__(self, in1_features: int, in2_features: int, out_features: int,
                 bias: bool = True, device=None, dtype=None):
        super().__init__()
        if device is not None:
            check_device(device, "Bilinear")
        for name, value in (("in1_features", in1_features), ("in2_features", in2_features),
                            ("out_features", out_features)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"Bilinear: {name} must be a positive integer, got {value!r}")
        self.in1_features, self.in2_features = int(in1_features), int(in2_features)
        self.out_features = int(out_features)
        dtype = to_dtype(dtype, "Bilinear") or np.dtype(get_default_dtype())
        shape = (self.out_features, self.in1_features, self.in2_features)
        self.weight = Parameter(np.empty(shape, dtype=dtype))
        self.bias = Parameter(np.empty(self.out_features, dtype=dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-draw the weights: W, b ~ U(-1/sqrt(in1_features), 1/sqrt(in1_features)), as PyTorch."""
        bound = 1.0 / np.sqrt(self.in1_features)
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2) -> Tensor:
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
