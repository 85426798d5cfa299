"""``Embedding``: a lookup table of learned vectors, row ``i`` for token ``i`` (PyTorch's
``nn.Embedding`` / ``F.embedding``).

    forward   out[..., :] = W[idx[...], :]
    backward  dW[i, :] = sum over positions p with idx[p] = i of g[p, :]   (0 for padding_idx)
"""

from __future__ import annotations

import numpy as np

from ..autograd.dtypes import to_dtype
from ..autograd.function import Function
from ..autograd.tensor import Tensor, get_default_dtype
from ..random import get_rng
from .module import Module, Parameter

__all__ = ["Embedding", "embedding"]


class EmbeddingOp(Function):
    """Row gather with a scatter-add backward; ``padding_idx`` rows get no gradient."""

    @staticmethod
    def forward(ctx, weight, indices, padding_idx=None):
        ctx.args = (indices, weight.shape, padding_idx)
        return weight[indices]

    @staticmethod
    def backward(ctx, g):
        indices, shape, padding_idx = ctx.args
        dw = np.zeros(shape, dtype=g.dtype)
        np.add.at(dw, indices.reshape(-1), g.reshape(-1, shape[1]))
        if padding_idx is not None:
            dw[padding_idx] = 0
        return dw


def _indices(input, num: int, where: str) -> np.ndarray:
    idx = input.data if isinstance(input, Tensor) else np.asarray(input)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{where}: indices must be an integer tensor (lucidnet.long), got dtype "
                        f"{idx.dtype}; convert with .long()")
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        raise IndexError(f"{where}: index out of range: indices must lie in [0, {num - 1}] for "
                         f"{num} embeddings, got values in [{idx.min()}, {idx.max()}]")
    return idx.astype(np.int64, copy=False)


def _padding_idx(padding_idx, num: int, where: str):
    if padding_idx is None:
        return None
    if not -num <= int(padding_idx) < num:
        raise ValueError(f"{where}: padding_idx must be within num_embeddings ({num}), got "
                         f"{padding_idx}")
    return int(padding_idx) % num


def _unsupported(where, max_norm, scale_grad_by_freq, sparse):
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise ValueError(f"{where}: max_norm, scale_grad_by_freq and sparse are not supported by "
                         "lucidnet; leave them at their defaults (None, False, False)")


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """``weight[input]``: one row of ``weight`` (num_embeddings, dim) per index of ``input``."""
    _unsupported("embedding", max_norm, scale_grad_by_freq, sparse)
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got "
                         f"shape {tuple(weight.shape)}")
    idx = _indices(input, weight.shape[0], "embedding")
    return EmbeddingOp.apply(weight, idx,
                             padding_idx=_padding_idx(padding_idx, weight.shape[0], "embedding"))


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``, initialised N(0, 1) as
    PyTorch (the ``padding_idx`` row zero, and it receives no gradient)."""

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx=None, max_norm=None,
                 norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False,
                 _weight=None, _freeze: bool = False, device=None, dtype=None):
        super().__init__()
        for name, value in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"Embedding: {name} must be a positive integer, got {value!r}")
        _unsupported("Embedding", max_norm, scale_grad_by_freq, sparse)
        if device is not None:
            from ..autograd.device import check_device
            check_device(device, "Embedding")
        self.num_embeddings, self.embedding_dim = int(num_embeddings), int(embedding_dim)
        self.padding_idx = _padding_idx(padding_idx, self.num_embeddings, "Embedding")
        dtype = to_dtype(dtype, "Embedding") or np.dtype(get_default_dtype())
        if _weight is None:
            w = get_rng().standard_normal((self.num_embeddings, self.embedding_dim)).astype(dtype)
            if self.padding_idx is not None:
                w[self.padding_idx] = 0
        else:
            w = np.array(getattr(_weight, "data", _weight), dtype=dtype)
            if w.shape != (self.num_embeddings, self.embedding_dim):
                raise ValueError(f"Embedding: _weight must have shape ({num_embeddings}, "
                                 f"{embedding_dim}), got {tuple(w.shape)}")
        self.weight = Parameter(w)
        if _freeze:
            self.weight.requires_grad_(False)

    @classmethod
    def from_pretrained(cls, embeddings, freeze: bool = True, padding_idx=None, **kwargs):
        """An Embedding holding ``embeddings`` (2-D); ``freeze``: no gradient (PyTorch's)."""
        rows, dim = np.shape(getattr(embeddings, "data", embeddings))
        return cls(rows, dim, padding_idx=padding_idx, _weight=embeddings, _freeze=freeze,
                   **kwargs)

    def forward(self, input) -> Tensor:
        return embedding(input, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        return s + (f", padding_idx={self.padding_idx}" if self.padding_idx is not None else "")
