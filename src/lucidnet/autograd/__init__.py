"""Reverse-mode automatic differentiation on NumPy arrays (SPEC A1-A4)."""

from .function import Context, Function, unbroadcast
from .gradcheck import gradcheck, numerical_grad
from .tensor import (
                     Tensor,
                     enable_grad,
                     get_default_dtype,
                     is_grad_enabled,
                     no_grad,
                     set_default_dtype,
                     tensor,
)

__all__ = ["Tensor", "tensor", "no_grad", "enable_grad", "is_grad_enabled", "set_default_dtype",
           "get_default_dtype", "Function", "Context", "unbroadcast", "gradcheck", "numerical_grad"]
