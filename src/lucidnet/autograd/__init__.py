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

# the PyTorch-spelled surface: every op module registers its methods and functions in one table
# (registry.py); importing them here fills it, install() attaches the methods to Tensor
from . import registry as _registry
from .ops import (  # noqa: F401  (imported for their registrations)
    activation as _activation,
    elementwise as _elementwise,
    indexing as _indexing,
    linalg as _linalg,
    reduce as _reduce,
    shape as _shape,
)
from . import operators as _operators  # noqa: F401,E402  (arithmetic, comparisons; B1)
from . import inplace as _inplace  # noqa: F401,E402  (add_ mul_ clamp_ fill_ copy_ normal_ ...; A)
from .anomaly import detect_anomaly, set_detect_anomaly  # noqa: F401,E402  (A)
from .function import FunctionCtx, once_differentiable  # noqa: F401,E402  (A)
from .graph import Variable, backward, grad  # noqa: F401,E402  (grad_fn nodes, hooks, grad(); A)
from .tensor import inference_mode, set_grad_enabled  # noqa: F401,E402  (A)
from . import functional  # noqa: F401,E402  (jacobian, vjp, jvp; A)
from . import creation as _creation  # noqa: F401,E402  (factories, legacy types; C)
from . import device as _device  # noqa: F401,E402  (device, threads, printing; C)
from . import dtypes as _dtypes  # noqa: F401,E402  (dtypes, conversions; C)
from . import printing as _printing  # noqa: F401,E402  (repr/str/format as PyTorch prints; F)

_registry.install(Tensor)

__all__ = ["Tensor", "tensor", "no_grad", "enable_grad", "is_grad_enabled", "set_default_dtype",
           "get_default_dtype", "Function", "Context", "unbroadcast", "gradcheck", "numerical_grad"]
