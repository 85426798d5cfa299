"""Activation layers (SPEC C1) and the registry that looks them up by name."""

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
    """Threshold unit: 1 if x >= 0 else 0. Its gradient is zero: it cannot learn by backprop."""

    def forward(self, x):
        return F.step(x)


class Sigmoid(Module):
    def forward(self, x):
        return F.sigmoid(x)


class Tanh(Module):
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
    def forward(self, x):
        return F.relu(x, self.inplace)


class ReLU6(_Inplace):
    def forward(self, x):
        return F.relu6(x, self.inplace)


class SiLU(_Inplace):
    def forward(self, x):
        return F.silu(x, self.inplace)


class Mish(_Inplace):
    def forward(self, x):
        return F.mish(x, self.inplace)


class LeakyReLU(Module):
    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope = float(negative_slope)
        self.inplace = bool(inplace)

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha = alpha  # kept as given, so the repr is PyTorch's (ELU(alpha=1))
        self.inplace = bool(inplace)

    def forward(self, x):
        return F.elu(x, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class GELU(Module):
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
    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta = beta  # kept as given, as PyTorch (the repr shows them so)
        self.threshold = threshold

    def forward(self, x):
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class LogSigmoid(Module):
    def forward(self, x):
        return F.logsigmoid(x)


class Hardtanh(Module):
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
    def forward(self, x):
        return F.selu(x, self.inplace)


class Hardsigmoid(_Inplace):
    def forward(self, x):
        return F.hardsigmoid(x, self.inplace)

    def extra_repr(self) -> str:
        return ""  # PyTorch prints Hardsigmoid() whatever inplace is


class Hardswish(_Inplace):
    def forward(self, x):
        return F.hardswish(x, self.inplace)

    def extra_repr(self) -> str:
        return ""  # PyTorch prints Hardswish() whatever inplace is


class CELU(ELU):
    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        if alpha == 0:
            raise ValueError("CELU: alpha cannot be 0 (it divides x)")
        super().__init__(alpha, inplace)

    def forward(self, x):
        return F.celu(x, self.alpha, self.inplace)


class Softsign(Module):
    def forward(self, x):
        return F.softsign(x)


class Tanhshrink(Module):
    def forward(self, x):
        return F.tanhshrink(x)


class Threshold(Module):
    def __init__(self, threshold: float, value: float, inplace: bool = False):
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, bool(inplace)

    def forward(self, x):
        return F.threshold(x, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return (f"threshold={self.threshold}, value={self.value}"
                + (", inplace=True" if self.inplace else ""))


class PReLU(Module):
    """x if x > 0 else a x with a learned slope ``a`` (``num_parameters``: 1 or one per channel),
    initialised to ``init`` = 0.25 as PyTorch."""

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
    def __init__(self, lambd: float = 0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, x):
        return F.hardshrink(x, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Softshrink(Hardshrink):
    def forward(self, x):
        return F.softshrink(x, self.lambd)


class GLU(Module):
    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.glu(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(Module):
    """Softmax along ``dim`` (``dim=None``: PyTorch's implicit choice, with its warning)."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.softmax(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    def forward(self, x):
        return F.log_softmax(x, self.dim)


class Softmax2d(Module):
    """Softmax over the channels of (N, C, H, W) or (C, H, W)."""

    def forward(self, x):
        if x.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected a 3-d or 4-d input, got {x.ndim}-d")
        return F.softmax(x, -3)


class Softmin(Softmax):
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
    """A new activation module from its name; the error lists the valid names."""
    try:
        cls = ACTIVATIONS[name.lower()]
    except (KeyError, AttributeError):
        raise ValueError(
            f"unknown activation {name!r}; valid names: {', '.join(ACTIVATIONS)}"
        ) from None
    return cls(dim=-1) if cls is Softmax else cls()  # by name: softmax over the last axis
