"""lucidnet: neural-network fundamentals on NumPy -- readable, tested, fast.

    import lucidnet as ln
    x = ln.tensor([[1.0, 2.0]], requires_grad=True)
    model = ln.nn.Sequential(ln.nn.Linear(2, 8), ln.nn.ReLU(), ln.nn.Linear(8, 1))
"""

from . import autograd, nn
from . import threads as _threads
from .autograd import (
    Tensor,
    enable_grad,
    get_default_dtype,
    gradcheck,
    is_grad_enabled,
    no_grad,
    set_default_dtype,
    tensor,
)
from .information import cross_entropy, entropy, kl_divergence
from .random import get_rng, manual_seed

__version__ = "0.1.0"

# every top-level function and value the op modules registered (autograd/registry.py):
# lucidnet.zeros, lucidnet.float32, lucidnet.cat, ... as PyTorch spells them
globals().update(autograd.registry.EXPORTS)
# lucidnet.set_num_threads sets the BLAS, Numba and optimizer pools (threads.py)
set_num_threads, get_num_threads = _threads.set_num_threads, _threads.get_num_threads


# heavier sub-packages and the names they define load on first use: `import lucidnet` needs NumPy
# alone. Both tables are also listed by dir(lucidnet) and shown by help(lucidnet).
_LAZY_MODULES = ("optim", "data", "metrics", "train", "models", "io", "plot", "sklearn", "lab",
                 "regularization", "utils", "cuda", "backends", "accelerator", "linalg", "special",
                 "safetensors", "onnx", "distributed", "sweep")
_LAZY_NAMES = {"save": "io", "load": "io", "ModelFileError": "io"}  # name -> sub-module


def __getattr__(name):
    import importlib

    if name in _LAZY_MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY_NAMES:
        return getattr(importlib.import_module(f".{_LAZY_NAMES[name]}", __name__), name)
    raise AttributeError(f"module 'lucidnet' has no attribute {name!r}")


def __dir__():
    # without this, dir() and help() see only what is already loaded (no save/load, no optim)
    return sorted(set(globals()) | set(_LAZY_MODULES) | set(_LAZY_NAMES))


__all__ = ["Tensor", "tensor", "no_grad", "enable_grad", "is_grad_enabled", "set_default_dtype",
           "get_default_dtype", "gradcheck", "manual_seed", "get_rng", "autograd", "nn",
           "entropy", "cross_entropy", "kl_divergence", "concatenate", "stack", "save", "load",
           "ModelFileError"]
__all__ += list(autograd.registry.EXPORTS)  # the registered functions and dtypes
