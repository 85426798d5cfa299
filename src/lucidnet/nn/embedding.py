"""``Embedding``: a lookup table of learned vectors, row ``i`` for token ``i`` (PyTorch's
``nn.Embedding`` / ``F.embedding``).

    forward   out[..., :] = W[idx[...], :]
    backward  dW[i, :] = s_i * sum over positions p with idx[p] = i of g[p, :]
              s_i = 1 / count(i in idx) with scale_grad_by_freq, else 1;  dW[padding_idx] = 0

``max_norm``: before the lookup, every row of W that ``idx`` names and whose ``norm_type``-norm
exceeds ``max_norm`` is rescaled in place, outside the graph (PyTorch's ``embedding_renorm_``):

    W[i] <- W[i] * max_norm / (||W[i]||_p + 1e-7)      if ||W[i]||_p > max_norm

``sparse=True``: lucidnet has no sparse tensors; the gradient is the same matrix, stored dense
(a UserWarning says so once). Every optimizer then treats it as an ordinary gradient.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from ..autograd.dtypes import to_dtype
from ..autograd.function import Function
from ..autograd.tensor import Tensor, get_default_dtype
from ..random import get_rng
from .module import Module, Parameter

__all__ = ["Embedding", "embedding", "embedding_renorm_"]


class EmbeddingOp(Function):
    """Row gather; backward sums the gradient rows per index (sorted, one ``reduceat``: no
    ``np.add.at``), divides by the index counts with ``scale_grad_by_freq``, and leaves the
    ``padding_idx`` row at 0."""

    @staticmethod
    def forward(ctx, weight, indices, padding_idx=None, scale_grad_by_freq=False):
        ctx.args = (indices, weight.shape, padding_idx, scale_grad_by_freq)
        return weight[indices]

    @staticmethod
    def backward(ctx, g):
        indices, shape, padding_idx, scale = ctx.args
        dw = np.zeros(shape, dtype=g.dtype)
        flat = indices.reshape(-1)
        if flat.size:
            order = np.argsort(flat, kind="stable")
            rows, starts, counts = np.unique(flat[order], return_index=True, return_counts=True)
            sums = np.add.reduceat(g.reshape(-1, shape[1])[order], starts, axis=0)
            if scale:
                sums /= counts[:, None].astype(g.dtype)
            dw[rows] = sums
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
    """``padding_idx`` in [-num, num) as a row number in [0, num) (PyTorch's), or None."""
    if padding_idx is None:
        return None
    if isinstance(padding_idx, bool) or not isinstance(padding_idx, (int, np.integer)):
        raise TypeError(f"{where}: padding_idx must be an int or None, got {padding_idx!r}")
    if not -num <= int(padding_idx) < num:
        raise ValueError(f"{where}: padding_idx must be within num_embeddings ({num}), i.e. in "
                         f"[{-num}, {num - 1}], got {padding_idx}")
    return int(padding_idx) % num


def _check_norm(max_norm, norm_type, where: str):
    """``(max_norm, norm_type)`` validated, kept as given (the repr shows them so)."""
    if max_norm is not None and (isinstance(max_norm, bool)
                                 or not isinstance(max_norm, numbers.Real) or not max_norm > 0):
        raise ValueError(f"{where}: max_norm must be a positive number or None, got "
                         f"{max_norm!r}")
    if isinstance(norm_type, bool) or not isinstance(norm_type, numbers.Real) or np.isnan(
            norm_type):
        raise ValueError(f"{where}: norm_type must be a number (the p of the p-norm), got "
                         f"{norm_type!r}")
    return max_norm, norm_type


def _warn_sparse(where: str) -> None:
    warnings.warn(f"{where}: sparse=True: lucidnet has no sparse tensors, so the weight's "
                  "gradient is stored dense (same values; optimizers treat it as any gradient)",
                  UserWarning, stacklevel=3)


def embedding_renorm_(weight, indices, max_norm: float, norm_type: float = 2.0):
    """Rescale in place, outside the graph, the rows of ``weight`` that ``indices`` names
    whose ``norm_type``-norm exceeds ``max_norm``: W[i] *= max_norm / (||W[i]|| + 1e-7)
    (PyTorch's ``torch.embedding_renorm_``). Returns ``weight``.

    Parameters
    ----------
    weight : Tensor or numpy.ndarray
        (num_embeddings, embedding_dim), changed in place.
    indices : Tensor or array_like of int
        The rows to check (any shape; repeats count once).
    max_norm : float
        The largest norm a row may keep.
    norm_type : float, default 2.0
        The p of the p-norm.

    Examples
    --------
    >>> w = ln.tensor([[3., 4.], [0.3, 0.4], [6., 8.]])        # row norms 5, 0.5, 10
    >>> _ = ln.nn.embedding.embedding_renorm_(w, ln.tensor([0, 1]), max_norm=1.0)
    >>> [[round(v, 4) for v in row] for row in w.tolist()]      # row 2 was not named
    [[0.6, 0.8], [0.3, 0.4], [6.0, 8.0]]
    """
    array = weight.data if isinstance(weight, Tensor) else weight
    idx = np.asarray(getattr(indices, "data", indices))
    rows = np.unique(idx.reshape(-1))
    if rows.size == 0:
        return weight
    picked = array[rows]
    norms = np.linalg.norm(picked.astype(np.float64, copy=False), ord=norm_type, axis=1)
    over = norms > max_norm
    if over.any():
        scale = (max_norm / (norms[over] + 1e-7)).astype(array.dtype)
        array[rows[over]] = picked[over] * scale[:, None]
        if isinstance(weight, Tensor):  # an in-place change: a graph that saved W sees it
            weight._bump_version()
    return weight


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """``weight[input]``: one row of ``weight`` (num_embeddings, dim) per index of ``input``.

    Parameters
    ----------
    input : integer Tensor or array of any shape, values in [0, num_embeddings)
    weight : Tensor (num_embeddings, embedding_dim)
    padding_idx : int or None; negative counts from the end. That row gets no gradient.
    max_norm, norm_type : rows looked up whose p-norm (p = norm_type) exceeds max_norm are
        rescaled to norm max_norm in place first (see `embedding_renorm_`).
    scale_grad_by_freq : divide each row's gradient by how often its index occurs in ``input``.
    sparse : accepted for PyTorch code; the gradient is dense (a UserWarning says so).

    Returns
    -------
    Tensor of shape ``input.shape + (embedding_dim,)``.

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.embedding(ln.tensor([2, 0]), ln.tensor([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]))   # rows 2 and 0
    tensor([[4., 5.],
            [0., 1.]])
    """
    if not isinstance(weight, Tensor):
        weight = Tensor(np.asarray(weight))
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got "
                         f"shape {tuple(weight.shape)}")
    max_norm, norm_type = _check_norm(max_norm, norm_type, "embedding")
    if sparse:
        _warn_sparse("embedding")
    num = weight.shape[0]
    padding_idx = _padding_idx(padding_idx, num, "embedding")
    idx = _indices(input, num, "embedding")
    if max_norm is not None:
        embedding_renorm_(weight, idx, float(max_norm), float(norm_type))
    return EmbeddingOp.apply(weight, idx, padding_idx=padding_idx,
                             scale_grad_by_freq=bool(scale_grad_by_freq))


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``, initialised N(0, 1) as
    PyTorch (the ``padding_idx`` row zero, and it receives no gradient).

    ``max_norm`` / ``norm_type`` / ``scale_grad_by_freq`` / ``sparse`` as in `embedding`; the
    state dict holds ``weight`` (num_embeddings, embedding_dim) alone, as PyTorch's.

    ``y[..., :] = weight[idx[...], :]``: input (*) of integer indices, output (*, embedding_dim).

    Parameters
    ----------
    num_embeddings : int
        Size of the table (indices in [0, num_embeddings)).
    embedding_dim : int
        Size of each vector.
    padding_idx : int, optional
        A row kept at zero that gets no gradient.
    max_norm : float, optional
        Renormalize the looked-up rows to at most this norm (`embedding_renorm_`).
    norm_type : float, default 2.0
        The p of that norm.
    scale_grad_by_freq : bool, default False
        Divide each row's gradient by its count in the batch.
    sparse : bool, default False
        Accepted for PyTorch's signature (see `embedding`).
    device, dtype : optional
        ``"cpu"`` only; the table's dtype.

    Examples
    --------
    >>> emb = ln.nn.Embedding(10, 3)
    >>> emb(ln.tensor([[1, 2], [4, 9]])).shape         # (N, L) -> (N, L, dim)
    torch.Size([2, 2, 3])
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx=None, max_norm=None,
                 norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False,
                 _weight=None, _freeze: bool = False, device=None, dtype=None):
        super().__init__()
        for name, value in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"Embedding: {name} must be a positive integer, got {value!r}")
        if device is not None:
            from ..autograd.device import check_device
            check_device(device, "Embedding")
        self.num_embeddings, self.embedding_dim = int(num_embeddings), int(embedding_dim)
        self.padding_idx = _padding_idx(padding_idx, self.num_embeddings, "Embedding")
        self.max_norm, self.norm_type = _check_norm(max_norm, norm_type, "Embedding")
        self.scale_grad_by_freq, self.sparse = bool(scale_grad_by_freq), bool(sparse)
        if self.sparse:
            _warn_sparse("Embedding")
        dtype = to_dtype(dtype, "Embedding") or np.dtype(get_default_dtype())
        if _weight is None:
            w = np.empty((self.num_embeddings, self.embedding_dim), dtype=dtype)
        else:
            w = np.array(getattr(_weight, "data", _weight), dtype=dtype)
            if w.shape != (self.num_embeddings, self.embedding_dim):
                raise ValueError(f"Embedding: _weight must have shape ({num_embeddings}, "
                                 f"{embedding_dim}), got {tuple(w.shape)}")
        self.weight = Parameter(w)
        if _weight is None:
            self.reset_parameters()
        if _freeze:
            self.weight.requires_grad_(False)

    def reset_parameters(self) -> None:
        """W ~ N(0, 1), the ``padding_idx`` row 0 (PyTorch's)."""
        self.weight.data[...] = get_rng().standard_normal(self.weight.shape)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    @classmethod
    def from_pretrained(cls, embeddings, freeze: bool = True, padding_idx=None, max_norm=None,
                        norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                        sparse: bool = False, **kwargs):
        """An Embedding holding a copy of ``embeddings`` (2-D; its dtype unless ``dtype=``);
        ``freeze``: no gradient. The ``padding_idx`` row is kept as given (PyTorch's)."""
        data = np.asarray(getattr(embeddings, "data", embeddings))
        if data.ndim != 2:
            raise ValueError(f"Embedding.from_pretrained: embeddings must be 2-D (num_embeddings, "
                             f"embedding_dim), got shape {data.shape}")
        if data.dtype.kind != "f" and kwargs.get("dtype") is None:
            raise TypeError(f"Embedding.from_pretrained: embeddings must be floating point, got "
                            f"dtype {data.dtype}; pass embeddings.float() (or dtype=...)")
        kwargs.setdefault("dtype", data.dtype)
        rows, dim = data.shape
        return cls(rows, dim, padding_idx=padding_idx, max_norm=max_norm, norm_type=norm_type,
                   scale_grad_by_freq=scale_grad_by_freq, sparse=sparse, _weight=data,
                   _freeze=freeze, **kwargs)

    def forward(self, input) -> Tensor:
        # sparse=False here: the dense gradient was announced at construction
        return embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                         self.scale_grad_by_freq, sparse=False)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        if self.sparse:
            s += ", sparse=True"
        return s
