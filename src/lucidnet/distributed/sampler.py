"""`DistributedSampler`: each rank's share of a dataset's indices, as
``torch.utils.data.distributed.DistributedSampler``."""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..utils.data.sampler import Sampler

__all__ = ["DistributedSampler"]


def _int_arg(name: str, value, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"DistributedSampler: {name} must be an integer >= {low}, got {value!r}")
    return int(value)


class DistributedSampler(Sampler[int]):
    """The indices of ``dataset`` that rank ``rank`` of ``num_replicas`` visits in an epoch.

    Each epoch the index list ``order`` is ``0 .. n-1`` (``shuffle=False``) or a random
    permutation drawn from a generator seeded ``seed + epoch`` (`set_epoch`), identical on every
    rank. Then, with ``N = num_replicas``:

    * ``drop_last=False``: ``num_samples = ceil(n / N)``; ``order`` is padded to
      ``total_size = num_samples * N`` by repeating its own beginning (cyclically when the
      padding is longer than ``n``), so some samples are seen twice per epoch;
    * ``drop_last=True``: ``num_samples = ceil((n - N) / N)`` (``floor(n / N)``); ``order`` is
      cut to ``total_size``, dropping its tail;

    and rank ``r`` takes ``order[r : total_size : N]`` (striding). The ranks' shares are
    disjoint (but for the padding) and together cover the dataset (but for what drop_last cut).

    Same arguments, lengths, padding and striding as PyTorch's. Deliberate difference: the
    permutation comes from NumPy's PCG64 (``numpy.random.default_rng(seed + epoch)``), not
    ``torch.randperm``, so the shuffled order differs from PyTorch's for the same seed; it is the
    same on every rank and for every run with the same seed and epoch.

    Call ``set_epoch(epoch)`` before each epoch, or every epoch visits the same order.

    Parameters
    ----------
    dataset : anything with ``len()``
    num_replicas, rank : int, optional
        Default: the process group's world size and this process's rank
        (`init_process_group` first, or pass both).
    shuffle : bool, default True
    seed : int, default 0
        Must be the same on every rank.
    drop_last : bool, default False

    Examples
    --------
    >>> from lucidnet.distributed import DistributedSampler
    >>> [list(DistributedSampler(range(10), num_replicas=2, rank=r, shuffle=False))
    ...  for r in (0, 1)]
    [[0, 2, 4, 6, 8], [1, 3, 5, 7, 9]]
    >>> list(DistributedSampler(range(5), num_replicas=2, rank=1, shuffle=False))  # padded
    [1, 3, 0]
    """

    def __init__(self, dataset, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None or rank is None:
            from .process_group import get_rank, get_world_size, is_initialized

            if not is_initialized():
                raise ValueError("DistributedSampler: num_replicas and rank default to the "
                                 "process group's, but it has not been initialized; call "
                                 "lucidnet.distributed.init_process_group() first, or pass "
                                 "num_replicas= and rank= explicitly")
            num_replicas = get_world_size() if num_replicas is None else num_replicas
            rank = get_rank() if rank is None else rank
        num_replicas = _int_arg("num_replicas", num_replicas, 1)
        if isinstance(rank, bool) or not isinstance(rank, numbers.Integral) \
                or not 0 <= rank < num_replicas:
            raise ValueError(f"Invalid rank {rank!r}, rank should be in the interval "
                             f"[0, {num_replicas - 1}]")
        if not isinstance(seed, numbers.Integral) or isinstance(seed, bool):
            raise TypeError(f"DistributedSampler: seed must be an int, got {seed!r}")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = int(rank)
        self.epoch = 0
        self.drop_last = bool(drop_last)
        self.shuffle = bool(shuffle)
        self.seed = int(seed)
        n = len(dataset)
        if self.drop_last and n % num_replicas:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas

    def _order(self) -> np.ndarray:
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n)
        rng = np.random.default_rng((self.seed + self.epoch) % 2 ** 64)
        return rng.permutation(n)

    def __iter__(self):
        order = self._order()
        if not self.drop_last:
            padding = self.total_size - order.size
            if padding > 0:
                order = np.concatenate([order, np.resize(order, padding)])  # cyclic repeat
        else:
            order = order[:self.total_size]
        if order.size != self.total_size:  # the dataset changed size since construction
            raise RuntimeError(f"DistributedSampler: the dataset has {len(self.dataset)} samples "
                               f"now, but the sampler was made for a total of {self.total_size}; "
                               f"make a new sampler after changing the dataset")
        return iter(order[self.rank:self.total_size:self.num_replicas].tolist())

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Use the order of epoch ``epoch`` (seed ``seed + epoch``) from the next pass on; every
        rank must set the same epoch."""
        self.epoch = int(epoch)
