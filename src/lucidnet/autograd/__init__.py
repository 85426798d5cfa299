"""Reverse-mode automatic differentiation on NumPy arrays.

The engine is `tensor.py` (Tensor, backward) and `function.py` (Function: forward and backward
side by side). Everything else a Tensor can do is registered, one entry per op, in the table of
`registry.py` by the modules imported below; `install()` then attaches the methods to Tensor and
``lucidnet/__init__.py`` exports the functions (``lucidnet.cat``, ``lucidnet.float32``, ...).
"""

# modules imported for their registrations (the one table of methods and functions)
from . import creation as _creation  # noqa: F401  (factories, legacy tensor types)
from . import device as _device  # noqa: F401  (device, is_cuda, threads, print options)
from . import dtypes as _dtypes  # noqa: F401  (dtypes, conversions: float() to() type())
from . import functional  # jacobian, vjp, jvp
from . import inplace as _inplace  # noqa: F401  (add_ mul_ clamp_ fill_ copy_ normal_ ...)
from . import inplace_variants as _inplace_variants  # noqa: F401  (exp_ masked_fill_ ... t_)
from . import operators as _operators  # noqa: F401  (arithmetic, comparisons, promotion)
from . import printing as _printing  # noqa: F401  (repr / format as PyTorch prints)
from . import registry as _registry
from .anomaly import detect_anomaly, set_detect_anomaly
from .function import Context, Function, FunctionCtx, once_differentiable, unbroadcast
from .gradcheck import gradcheck, numerical_grad
from .graph import Variable, backward, grad
from .ops import activation as _activation  # noqa: F401
from .ops import elementwise as _elementwise  # noqa: F401
from .ops import indexing as _indexing  # noqa: F401
from .ops import linalg as _linalg  # noqa: F401
from .ops import reduce as _reduce  # noqa: F401
from .ops import shape as _shape  # noqa: F401
from .tensor import (
    Tensor,
    enable_grad,
    get_default_dtype,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_default_dtype,
    set_grad_enabled,
    tensor,
)

_registry.install(Tensor)

__all__ = ["Tensor", "tensor", "no_grad", "enable_grad", "is_grad_enabled", "set_default_dtype",
           "get_default_dtype", "Function", "FunctionCtx", "Context", "once_differentiable",
           "unbroadcast", "gradcheck", "numerical_grad", "grad", "backward", "Variable",
           "detect_anomaly", "set_detect_anomaly", "inference_mode", "set_grad_enabled",
           "functional"]
