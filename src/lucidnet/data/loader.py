"""Mini-batch iteration over in-memory arrays.

``batch_size = N`` gives batch gradient descent, ``batch_size = 1`` stochastic gradient descent,
anything in between mini-batch gradient descent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from ._common import check_finite, make_rng, rng_state, set_rng_state

__all__ = ["DataLoader"]


class DataLoader:
    """Iterate over ``(xb, yb)`` mini-batches of NumPy arrays.

    One pass (an epoch) yields ``ceil(N / batch_size)`` batches; ``xb`` has shape
    ``(batch_size, ...)`` (the last one may be shorter) and ``yb`` the matching targets.

    Parameters
    ----------
    X : array (N, ...)
        Inputs; the first axis indexes samples. NaN/inf are rejected.
    y : array (N, ...) or None
        Targets; when None every batch is ``(xb, None)``.
    batch_size : int or None
        Samples per batch; ``None`` means the whole set (batch gradient descent).
    shuffle : bool
        Draw a fresh permutation at the start of every epoch.
    drop_last : bool
        Drop the final short batch (``len = N // batch_size`` instead of ``ceil(N / batch_size)``).
    seed : int or None
        Seed of the loader's own generator; epoch ``e`` of a seeded loader is the same in every run.
        ``None`` draws the seed from ``lucidnet.random.get_rng()`` (so ``manual_seed`` governs it).
    transform : callable or None
        ``transform(xb) -> xb`` applied to each input batch (augmentation on the fly).

    Notes
    -----
    Each batch is one fancy index (or a slice view when not shuffling): no per-sample Python.
    ``state_dict()`` holds the generator state and the epoch counter (JSON-able), and the
    transform's state when it has one, so a resumed run shuffles and augments identically.

    Examples
    --------
    >>> from lucidnet.data import DataLoader
    >>> X = np.arange(10, dtype=np.float32).reshape(5, 2)
    >>> y = np.array([0, 1, 0, 1, 1])
    >>> loader = DataLoader(X, y, batch_size=2)
    >>> len(loader)
    3
    >>> [(xb.shape, yb.tolist()) for xb, yb in loader]
    [((2, 2), [0, 1]), ((2, 2), [0, 1]), ((1, 2), [1])]
    >>> shuffled = DataLoader(X, y, batch_size=2, shuffle=True, seed=0)
    >>> state = shuffled.state_dict()              # before the epoch
    >>> first = [yb.tolist() for _, yb in shuffled]
    >>> shuffled.load_state_dict(state)            # rewind: the same epoch again
    >>> [yb.tolist() for _, yb in shuffled] == first
    True
    """

    def __init__(self, X, y=None, batch_size: int | None = 32, shuffle: bool = False,
                 drop_last: bool = False, seed: int | None = None,
                 transform: Callable[[np.ndarray], np.ndarray] | None = None) -> None:
        X = np.asarray(X)
        if X.ndim == 0:
            raise ValueError(f"X must have a sample axis, got a scalar {X!r}")
        if X.shape[0] == 0:
            raise ValueError(f"X is empty (shape {X.shape}); a DataLoader needs at least one sample")
        if X.dtype == object:
            raise TypeError("X must be a numeric array, got dtype object (ragged or mixed data?)")
        check_finite(X, "X")
        if y is not None:
            y = np.asarray(y)
            if y.ndim == 0 or y.shape[0] != X.shape[0]:
                raise ValueError(f"X and y must have the same number of samples, got "
                                 f"{X.shape[0]} and {y.shape[0] if y.ndim else 'a scalar'}")
            check_finite(y, "y")
        if batch_size is None:
            batch_size = X.shape[0]
        if isinstance(batch_size, (bool, np.bool_)) or not isinstance(batch_size, (int, np.integer)) \
                or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer (1 = SGD, N = full batch), "
                             f"got {batch_size!r}")
        if transform is not None and not callable(transform):
            raise TypeError(f"transform must be callable xb -> xb, got {type(transform).__name__}")
        self.X, self.y = X, y
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.transform = transform
        self.seed = seed
        self.rng = make_rng(seed)
        self.epoch = 0

    @property
    def n_samples(self) -> int:
        """Number of samples ``N`` (the length of the first axis of ``X``)."""
        return int(self.X.shape[0])

    def __len__(self) -> int:
        n, b = self.n_samples, self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
        n, b = self.n_samples, self.batch_size
        order = self.rng.permutation(n) if self.shuffle else None
        self.epoch += 1
        stop = (n // b) * b if self.drop_last else n
        for start in range(0, stop, b):
            end = min(start + b, n)
            if order is None:
                xb = self.X[start:end]
                yb = None if self.y is None else self.y[start:end]
            else:
                idx = order[start:end]
                xb = self.X[idx]
                yb = None if self.y is None else self.y[idx]
            if self.transform is not None:
                xb = self.transform(xb)
            yield xb, yb

    def state_dict(self) -> dict:
        """JSON-able state: generator state, epochs started, and the transform's state if any."""
        state = {"rng": rng_state(self.rng), "epoch": self.epoch}
        if self.transform is not None and hasattr(self.transform, "state_dict"):
            state["transform"] = self.transform.state_dict()
        return state

    def load_state_dict(self, state: dict) -> None:
        """Restore the generator, the epoch counter and the transform's state from
        :meth:`state_dict`, so the next epoch is the one that would have followed."""
        if not isinstance(state, dict) or "rng" not in state:
            raise ValueError("load_state_dict expects the dict returned by DataLoader.state_dict()")
        set_rng_state(self.rng, state["rng"])
        self.epoch = int(state.get("epoch", 0))
        if "transform" in state and hasattr(self.transform, "load_state_dict"):
            self.transform.load_state_dict(state["transform"])

    def __repr__(self) -> str:
        return (f"DataLoader(n_samples={self.n_samples}, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last}, batches={len(self)})")
