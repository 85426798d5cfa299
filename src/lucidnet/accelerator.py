"""``lucidnet.accelerator``: PyTorch's device-agnostic accelerator API, answered for the CPU.

There is no accelerator, so the tutorial line
``device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else
"cpu"`` gives ``"cpu"``.
"""

from __future__ import annotations

from .autograd.device import CPU_ONLY_HINT

__all__ = ["is_available", "current_accelerator", "device_count", "current_device_index",
           "synchronize"]


def is_available() -> bool:
    """False: lucidnet computes on the CPU only."""
    return False


def current_accelerator(check_available: bool = False):
    """None: there is no accelerator (as PyTorch on a CPU-only machine)."""
    return None


def device_count() -> int:
    """0: no accelerator device."""
    return 0


def current_device_index() -> int:
    """Raises RuntimeError: there is no accelerator device."""
    raise RuntimeError(f"lucidnet.accelerator.current_device_index(): no accelerator. "
                       f"{CPU_ONLY_HINT}")


def synchronize(device=None) -> None:
    """Raises RuntimeError: there is no accelerator device."""
    raise RuntimeError(f"lucidnet.accelerator.synchronize(): no accelerator. {CPU_ONLY_HINT}")
