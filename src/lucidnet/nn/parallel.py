"""``nn.parallel`` on the CPU: ``DataParallel`` / ``data_parallel`` run the module in this
process (as PyTorch does when no GPU is visible); asking for device ids is a clear error.

lucidnet runs on the CPU only, so there is nothing to replicate a module onto.
"""

from __future__ import annotations

from ..autograd.device import CPU_ONLY_HINT
from .module import Module

__all__ = ["DataParallel", "data_parallel", "DistributedDataParallel"]


def _refuse_devices(device_ids, where: str) -> None:
    if device_ids:
        raise RuntimeError(f"{where}: cannot replicate over device_ids={list(device_ids)}. "
                           f"{CPU_ONLY_HINT}")


class DataParallel(Module):
    """Runs ``module`` unchanged (PyTorch's behaviour without GPUs); ``.module`` is the
    wrapped module, as in PyTorch."""

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0):
        super().__init__()
        _refuse_devices(device_ids, "DataParallel")
        self.module = module
        self.dim = dim

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)


def data_parallel(module, inputs, device_ids=None, output_device=None, dim: int = 0,
                  module_kwargs=None):
    """``module(*inputs)`` in this process (``inputs``: a tensor or a tuple of them)."""
    _refuse_devices(device_ids, "data_parallel")
    inputs = inputs if isinstance(inputs, tuple) else (inputs,)
    return module(*inputs, **(module_kwargs or {}))


class DistributedDataParallel(Module):
    """Not available: lucidnet has no process groups."""

    def __init__(self, module, *args, **kwargs):
        raise RuntimeError("DistributedDataParallel is not supported by lucidnet (no "
                           "torch.distributed); train the module directly")
