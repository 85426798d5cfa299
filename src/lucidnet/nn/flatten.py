"""``Flatten``: (N, C, H, W) -> (N, C*H*W), the bridge from convolutions to dense layers (SPEC B2, B6)."""

from __future__ import annotations

import numpy as np

from ..autograd.tensor import Tensor
from .module import Module

__all__ = ["Flatten"]


class Flatten(Module):
    """Merge axes ``start_dim`` .. ``end_dim`` into one (PyTorch defaults: start_dim=1, end_dim=-1)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = int(start_dim), int(end_dim)

    def forward(self, x) -> Tensor:
        x = x if isinstance(x, Tensor) else Tensor(np.asarray(x))
        start = self.start_dim % x.ndim if x.ndim else 0
        end = self.end_dim % x.ndim if x.ndim else 0
        if x.ndim and (not -x.ndim <= self.start_dim < x.ndim or
                       not -x.ndim <= self.end_dim < x.ndim or start > end):
            raise ValueError(f"Flatten(start_dim={self.start_dim}, end_dim={self.end_dim}) does "
                             f"not fit an input of shape {x.shape}")
        if x.ndim and start == end:        # nothing to merge (also for zero-size inputs)
            return x
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
