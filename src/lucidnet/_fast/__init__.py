"""Fused kernels compiled with Numba, beside the NumPy reference implementation.

The NumPy code of every op stays the reference and runs whenever this path is off: Numba is an
optional extra (``pip install 'lucidnet[fast]'``). A kernel is used only if

* Numba imports (``AVAILABLE``),
* the environment variable ``LUCIDNET_FAST`` is not ``0`` when lucidnet is imported, and
* it was not switched off with :func:`set_fast` / :func:`fast_disabled`.

Compiled kernels are cached on disk (``cache=True``), so the JIT cost is paid once per machine.
Kernels use no ``fastmath`` but ``{"reassoc"}`` on the BatchNorm sums (a sum may be reordered,
nothing else) and ``{"contract"}`` on plain SGD (one fused multiply-add, as PyTorch): results
agree with the NumPy path to rounding (tests compare both). They take
float32 and float64 (`DTYPES`; Numba has no float16): other dtypes stay on NumPy (`takes`).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os

import numpy as np

__all__ = ["AVAILABLE", "DTYPES", "KERNELS", "enabled", "fast_disabled", "jit", "load", "set_fast",
           "takes", "use"]

# Numba is found here but imported only when a kernel module is first loaded (`load`):
# ``import lucidnet`` stays fast, and no kernel is compiled before an op first needs it.
AVAILABLE = importlib.util.find_spec("numba") is not None
_numba = None
_KERNELS: dict = {}

_ENABLED = AVAILABLE and os.environ.get("LUCIDNET_FAST", "1") != "0"


def enabled() -> bool:
    """True when the fused (Numba) kernels are in use."""
    return _ENABLED


def set_fast(flag: bool) -> None:
    """Use the fused kernels (True, the default when Numba is installed) or the NumPy reference."""
    global _ENABLED
    if not isinstance(flag, bool):
        raise TypeError(f"set_fast: flag must be True or False, got {flag!r}")
    if flag and not AVAILABLE:
        raise RuntimeError("set_fast(True): Numba is not installed; pip install 'lucidnet[fast]'")
    _ENABLED = flag


@contextlib.contextmanager
def fast_disabled():
    """Run the block on the NumPy reference path (tests compare the two paths with this)."""
    global _ENABLED
    before = _ENABLED
    _ENABLED = False
    try:
        yield
    finally:
        _ENABLED = before


def jit(*args, **kwargs):
    """``numba.njit(cache=True, nogil=True)``; without Numba, return the Python function unchanged
    (it is then never called on a hot path: callers check :func:`enabled` first)."""
    global _numba
    kwargs.setdefault("cache", True)
    kwargs.setdefault("nogil", True)
    if _numba is None and AVAILABLE:
        import numba as _numba
    if _numba is None:
        if args and callable(args[0]):
            return args[0]
        return lambda f: f
    return _numba.njit(*args, **kwargs)


def load(name: str):
    """The kernel module ``lucidnet._fast.<name>``, imported (with Numba) on first use.

    Its kernels compile on their first call (or load from the on-disk cache), never at import.
    A failing Numba import switches the fused path off and returns None (the caller then runs
    the NumPy reference)."""
    module = _KERNELS.get(name)
    if module is None:
        global _ENABLED
        try:
            module = _KERNELS[name] = importlib.import_module(f"{__name__}.{name}")
        except ImportError:  # pragma: no cover - a broken Numba installation
            _ENABLED = False
            return None
    return module


# Which network kernels the ops call when the fused path is on. Measured per op on this
# project's benchmark shapes (2 shared cores, float32, CNN batch 64): a kernel stays off where
# NumPy's vectorized reference was faster -- scalar Numba loops without fastmath do not
# vectorize the window scans and float64 reductions:
#   max_pool  fwd+bwd 8.0 ms vs NumPy 2.6 ms with branchy scans; as a branch-free compare tree
#             over prange'd planes with int8 winners 1.7 vs 2.6 ms (1 thread)    -> on
#   im2col    conv fwd+bwd 47 ms vs NumPy 39 ms; rewritten with clamped ranges still 2.2 vs
#             1.1 ms CPU (rows of 14 cells do not vectorize); (64, 16, 14, 14) 3x3 1.7 vs
#             1.2 ms                                                          -> off
#             (the NumPy im2col copy is shared out over the threads instead)
#   col2im    (C, N) planes summed in one pass instead of K strided += over the padded
#             gradient: (16, 3, 3, 64, 14, 14) 1.6-1.8 vs NumPy 1.8-2.9 ms, 1.4-2.7x faster
#             on five other shapes; a 1x1 kernel stays on NumPy (a plain copy) -> on
#   norm_forward / norm_backward: with reorderable float64 sums (fastmath "reassoc" only)
#             statistics 0.98 -> 0.09 ms and backward 0.77 -> 0.25 ms alone on (64, 16, 28,
#             28) float32; in a CNN step the forward 1.02 -> 0.74 ms vs NumPy  -> on
#   relu_backward 0.53 vs 0.72 ms;  cross_entropy (one pass per row)        -> on
#   relu_forward  (802,816 float32) 0.07 vs np.maximum 0.26 ms               -> on
# Tests switch every kernel on to check it against the reference.
KERNELS = {"max_pool": True, "im2col": False, "col2im": True, "norm_forward": True,
           "norm_backward": True, "relu_forward": True, "relu_backward": True,
           "cross_entropy": True}


def use(kernel: str) -> bool:
    """True when the fused path is on and ``kernel`` (a key of `KERNELS`) is selected."""
    return _ENABLED and KERNELS[kernel]


DTYPES = (np.dtype(np.float32), np.dtype(np.float64))   # what the kernels compile for


def takes(*dtypes) -> bool:
    """True when every dtype is one the kernels compile for (`DTYPES`: float32, float64);
    float16 and the rest stay on the NumPy path (Numba cannot lower float16 arrays)."""
    for dtype in dtypes:   # a loop, not all(genexpr): called per op, ~0.1 us instead of 0.5
        if dtype not in DTYPES:
            return False
    return True
