"""``Standardize``: a fitted input scaler as the first layer of a model, saved with its weights."""

from __future__ import annotations

import numpy as np

from ..autograd.tensor import Tensor, get_default_dtype
from .module import Module

__all__ = ["Standardize"]


class Standardize(Module):
    """``y = (x - mean) / std`` per input feature, with ``mean`` and ``std`` as buffers.

    The scaler that ``lucidnet train`` fits on the training split becomes the first layer of the
    saved model (``Sequential(Standardize(...), net)``), so ``lucidnet.load(path)(raw_x)`` gives
    the same predictions as ``lucidnet predict`` on raw inputs. Inputs of any shape ``(N, ...)``
    with ``num_features`` values per sample (flat or images) keep their shape. Like the Trainer,
    it casts NumPy input to the layer's dtype: it is the model's boundary with raw data.

    Parameters
    ----------
    num_features : int
        Number of values per sample (``prod(x.shape[1:])``).
    mean, std : array-like of shape (num_features,), optional
        Fitted statistics (default 0 and 1); ``std`` must be positive.

    Examples
    --------
    >>> scaler = ln.nn.Standardize(2, mean=[1., 10.], std=[2., 5.])
    >>> scaler(ln.tensor([[3., 20.], [1., 10.]])).tolist()     # (3 - 1)/2, (20 - 10)/5
    [[1.0, 2.0], [0.0, 0.0]]
    >>> list(scaler.state_dict())
    ['mean', 'std']
    >>> ln.nn.Standardize(2, std=[1., 0.])
    Traceback (most recent call last):
    ...
    ValueError: Standardize: std must be positive everywhere
    """

    def __init__(self, num_features: int, mean=None, std=None):
        super().__init__()
        if isinstance(num_features, bool) or not isinstance(num_features, (int, np.integer)) \
                or num_features < 1:
            raise ValueError(f"num_features must be a positive integer, got {num_features!r}")
        self.num_features = int(num_features)
        dtype = get_default_dtype()
        self.register_buffer("mean", self._stat(mean, 0.0, "mean", dtype))
        self.register_buffer("std", self._stat(std, 1.0, "std", dtype))
        if not (self.std > 0).all():
            raise ValueError("Standardize: std must be positive everywhere")

    def _stat(self, value, fill, name, dtype) -> np.ndarray:
        if value is None:
            return np.full(self.num_features, fill, dtype=dtype)
        value = np.asarray(value, dtype=dtype).reshape(-1)
        if value.size != self.num_features or not np.isfinite(value).all():
            raise ValueError(f"Standardize: {name} must be {self.num_features} finite numbers, "
                             f"got {value.size}")
        return value

    def forward(self, x) -> Tensor:
        if not isinstance(x, Tensor):
            x = Tensor(np.asarray(x, dtype=self.mean.dtype))
        n = x.shape[0] if x.ndim else 0
        if x.ndim < 2 or x.numel() != n * self.num_features:
            raise ValueError(f"Standardize expects (N, ...) inputs with {self.num_features} values "
                             f"per sample, got shape {x.shape}")
        flat = x.reshape(n, self.num_features)
        return ((flat - self.mean) / self.std).reshape(x.shape)

    def extra_repr(self) -> str:
        return f"{self.num_features}"
