"""Utilities in PyTorch's layout: ``lucidnet.utils.data`` is ``torch.utils.data``."""

from . import data

__all__ = ["data"]
