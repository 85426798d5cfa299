"""Dense layer z = x W^T + b (SPEC B1) and Identity."""

from __future__ import annotations

import numpy as np

from ..autograd.device import check_device
from ..autograd.dtypes import to_dtype
from ..autograd.tensor import get_default_dtype
from . import functional as F
from . import init
from .module import Module, Parameter

__all__ = ["Linear", "Identity"]


class Linear(Module):
    """Fully connected layer: ``y = x @ weight.T + bias``, weight (out_features, in_features).

    Initialized as PyTorch does: W, b ~ U(-1/sqrt(in), 1/sqrt(in)).
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
        init.default_linear_init_(self.weight, self.bias)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Identity(Module):
    """y = x (the linear output unit for regression, SPEC B5). Takes and ignores any
    arguments, as PyTorch's (so it can stand in for another layer)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, x):
        return x
