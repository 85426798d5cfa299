"""``Flatten``: (N, C, H, W) -> (N, C*H*W), the bridge from convolutions to dense layers."""

from __future__ import annotations

import numpy as np

from ..autograd.tensor import Tensor
from .module import Module

__all__ = ["Flatten", "Unflatten"]


class Flatten(Module):
    """Merge axes ``start_dim`` .. ``end_dim`` into one (PyTorch defaults: start_dim=1, end_dim=-1).

    Shape: (*, S_start, ..., S_end, *) -> (*, S_start * ... * S_end, *).

    Parameters
    ----------
    start_dim : int, default 1
        First axis to merge (the batch axis 0 is kept by default).
    end_dim : int, default -1
        Last axis to merge (inclusive).

    Examples
    --------
    >>> ln.nn.Flatten()(ln.ones(2, 3, 4, 4)).shape
    torch.Size([2, 48])
    """

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
                             f"not fit an input of shape {tuple(x.shape)}")
        if x.ndim and start == end:        # nothing to merge (also for zero-size inputs)
            return x
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split axis ``dim`` into ``unflattened_size`` (one entry may be -1), PyTorch's inverse of
    Flatten: (N, 784) -> (N, 1, 28, 28) with ``Unflatten(1, (1, 28, 28))``.

    Shape: (*, S_dim, *) -> (*, U_1, ..., U_k, *) with ``U_1 ... U_k = S_dim``.

    Parameters
    ----------
    dim : int
        The axis to split.
    unflattened_size : tuple of int
        Its new shape (at most one -1, inferred).

    Examples
    --------
    >>> ln.nn.Unflatten(1, (3, 4))(ln.ones(2, 12)).shape
    torch.Size([2, 3, 4])
    """

    def __init__(self, dim: int, unflattened_size):
        super().__init__()
        self.dim = int(dim)
        self.unflattened_size = tuple(int(s) for s in unflattened_size)
        if not self.unflattened_size or sum(s == -1 for s in self.unflattened_size) > 1 or any(
                s < -1 for s in self.unflattened_size):
            raise ValueError(f"Unflatten: unflattened_size must be a non-empty tuple of sizes "
                             f"with at most one -1, got {unflattened_size!r}")

    def forward(self, x) -> Tensor:
        x = x if isinstance(x, Tensor) else Tensor(np.asarray(x))
        if not -x.ndim <= self.dim < x.ndim:
            raise ValueError(f"{self!r} does not fit an input of shape {tuple(x.shape)}")
        d = self.dim % x.ndim
        sizes = list(self.unflattened_size)
        known = int(np.prod([s for s in sizes if s != -1]))
        if -1 in sizes:
            if known == 0 or x.shape[d] % known:
                raise ValueError(f"{self!r}: cannot split size {x.shape[d]} of input {tuple(x.shape)}")
            sizes[sizes.index(-1)] = x.shape[d] // known
        elif known != x.shape[d]:
            raise ValueError(f"{self!r}: the sizes multiply to {known}, but dimension {self.dim} "
                             f"of the input {tuple(x.shape)} has size {x.shape[d]}")
        return x.reshape(x.shape[:d] + tuple(sizes) + x.shape[d + 1:])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
