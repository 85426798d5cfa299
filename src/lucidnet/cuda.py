"""``lucidnet.cuda``: the answers PyTorch gives on a machine without CUDA.

lucidnet computes on the CPU only, so ``is_available()`` is False and ``device_count()`` 0: code
written device-agnostically (``device = "cuda" if torch.cuda.is_available() else "cpu"``) takes
the CPU path. Seeding calls are accepted and do nothing (there is no CUDA generator); calls that
need a GPU (``current_device``, ``synchronize``, ``get_device_name``) raise RuntimeError.
"""

from __future__ import annotations

from .autograd.device import CPU_ONLY_HINT

__all__ = ["is_available", "device_count", "manual_seed", "manual_seed_all", "seed", "seed_all",
           "current_device", "synchronize", "get_device_name", "set_device", "is_initialized",
           "empty_cache", "memory_allocated", "max_memory_allocated", "memory_reserved"]


def is_available() -> bool:
    """False: lucidnet has no CUDA backend."""
    return False


def device_count() -> int:
    """0: no CUDA device."""
    return 0


def is_initialized() -> bool:
    """False: CUDA is never initialized."""
    return False


def manual_seed(seed) -> None:
    """Accepted and ignored (no CUDA generator); seed lucidnet with ``lucidnet.manual_seed``."""


def manual_seed_all(seed) -> None:
    """Accepted and ignored (no CUDA generator); seed lucidnet with ``lucidnet.manual_seed``."""


def seed() -> None:
    """Accepted and ignored (no CUDA generator)."""


def seed_all() -> None:
    """Accepted and ignored (no CUDA generator)."""


def empty_cache() -> None:
    """Nothing to free: a no-op, as PyTorch without CUDA."""


def memory_allocated(device=None) -> int:
    """0 bytes: nothing lives on a GPU."""
    return 0


def max_memory_allocated(device=None) -> int:
    """0 bytes: nothing lives on a GPU."""
    return 0


def memory_reserved(device=None) -> int:
    """0 bytes: nothing lives on a GPU."""
    return 0


def _no_cuda(name: str):
    raise RuntimeError(f"lucidnet.cuda.{name}(): there is no CUDA device. {CPU_ONLY_HINT}")


def current_device() -> int:
    """Raises RuntimeError: there is no CUDA device."""
    _no_cuda("current_device")


def set_device(device) -> None:
    """Raises RuntimeError: there is no CUDA device."""
    _no_cuda("set_device")


def synchronize(device=None) -> None:
    """Raises RuntimeError: there is no CUDA device."""
    _no_cuda("synchronize")


def get_device_name(device=None) -> str:
    """Raises RuntimeError: there is no CUDA device."""
    _no_cuda("get_device_name")
