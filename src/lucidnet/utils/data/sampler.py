"""Samplers: the order in which a DataLoader visits a map-style dataset, as in ``torch.utils.data``.

A sampler is an iterable of indices (``BatchSampler``: of lists of indices). Random samplers take
``generator=`` (a ``numpy.random.Generator``); without one, `RandomSampler` draws a fresh seed
from lucidnet's global generator at each pass, so ``lucidnet.manual_seed(s)`` fixes every epoch's
order and two passes differ.
"""

from __future__ import annotations

import itertools
import numbers
from typing import Generic, TypeVar

import numpy as np

from ._random import draw_seed, numpy_rng, randperm

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler"]

T_co = TypeVar("T_co", covariant=True)


class Sampler(Generic[T_co]):
    """Base class: subclasses define ``__iter__`` (and ``__len__`` where ``len(loader)`` is needed).

    ``__iter__`` yields the dataset indices of one pass, in the order a DataLoader reads them.

    Parameters
    ----------
    data_source : optional
        Ignored (PyTorch's signature).

    Examples
    --------
    >>> class Evens(ln.utils.data.Sampler):
    ...     def __init__(self, n): self.n = n
    ...     def __iter__(self): return iter(range(0, self.n, 2))
    ...     def __len__(self): return (self.n + 1) // 2
    >>> data = [10, 11, 12, 13, 14]
    >>> list(ln.utils.data.DataLoader(data, sampler=Evens(5), batch_size=2))
    [tensor([10, 12]), tensor([14])]
    """

    def __init__(self, data_source=None) -> None:
        pass

    def __iter__(self):
        raise NotImplementedError


class SequentialSampler(Sampler[int]):
    """``0, 1, ..., len(data_source) - 1`` (the DataLoader's default when ``shuffle=False``).

    Parameters
    ----------
    data_source : sized
        The dataset (only its ``len`` is used, read at each pass).

    Examples
    --------
    >>> sampler = ln.utils.data.SequentialSampler(["a", "b", "c"])
    >>> list(sampler), len(sampler)
    ([0, 1, 2], 3)
    """

    def __init__(self, data_source) -> None:
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


class RandomSampler(Sampler[int]):
    """Random indices into ``data_source``.

    Without replacement: ``num_samples // n`` full permutations of ``range(n)``, then the
    first ``num_samples % n`` of one more. With replacement: ``num_samples`` uniform draws
    from ``range(n)``. ``num_samples`` defaults to ``n = len(data_source)``.

    Parameters
    ----------
    data_source : sized
        The dataset (its ``len`` is read at each pass).
    replacement : bool, default False
        Draw with replacement.
    num_samples : int, optional
        Indices per pass (> 0; default ``len(data_source)``).
    generator : numpy.random.Generator, optional
        The random stream; default a fresh seed from lucidnet's global generator each pass.

    Examples
    --------
    >>> sampler = ln.utils.data.RandomSampler(range(5))
    >>> order = list(sampler)
    >>> sorted(order), len(sampler)                  # a permutation of 0..4
    ([0, 1, 2, 3, 4], 5)
    >>> sorted(ln.utils.data.RandomSampler(range(3), num_samples=6))   # two permutations
    [0, 0, 1, 1, 2, 2]
    """

    def __init__(self, data_source, replacement: bool = False, num_samples: int | None = None,
                 generator=None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got "
                            f"replacement={self.replacement}")
        if not _is_int(self.num_samples) or self.num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={self.num_samples}")

    @property
    def num_samples(self) -> int:
        """Indices drawn per epoch: ``num_samples`` if given, else the data source's current
        length."""
        # the dataset's size may change after the sampler is made
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        # the whole pass is drawn at once and handed out by a list iterator: a generator
        # yielding one index at a time would cost more than the batch it feeds
        n = len(self.data_source)
        if self.generator is None:   # a fresh stream per pass, seeded from the global generator
            generator = np.random.default_rng(draw_seed(None))
        else:
            generator = self.generator
        if self.replacement:
            return iter(numpy_rng(generator).integers(0, n, size=self.num_samples).tolist())
        order = []
        for _ in range(self.num_samples // n):
            order += randperm(n, generator)
        if self.num_samples % n:
            order += randperm(n, generator)[:self.num_samples % n]
        return iter(order)

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given ``indices`` in a random order (a new one each pass): ``indices[perm[k]]``,
    ``perm`` a random permutation of ``range(len(indices))``.

    Parameters
    ----------
    indices : sequence of int
        The dataset positions to visit (e.g. a validation split).
    generator : numpy.random.Generator, optional
        The random stream (default: lucidnet's global generator).

    Examples
    --------
    >>> sampler = ln.utils.data.SubsetRandomSampler([10, 20, 30])
    >>> sorted(sampler), len(sampler)
    ([10, 20, 30], 3)
    """

    def __init__(self, indices, generator=None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        return iter([self.indices[i] for i in randperm(len(self.indices), self.generator)])

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler[int]):
    """``num_samples`` indices of ``range(len(weights))``, index ``i`` drawn with probability
    ``weights[i] / sum(weights)`` (with replacement by default; without, each index at most once).

    Parameters
    ----------
    weights : sequence of float, 1-D
        Non-negative weights, one per dataset index (need not sum to 1).
    num_samples : int
        Indices per pass (> 0; at most ``len(weights)`` without replacement).
    replacement : bool, default True
        Draw with replacement.
    generator : numpy.random.Generator, optional
        The random stream (default: lucidnet's global generator).

    Examples
    --------
    >>> sampler = ln.utils.data.WeightedRandomSampler([0., 1., 3.], num_samples=1000)
    >>> draws = list(sampler)
    >>> draws.count(0), 0.7 < draws.count(2) / 1000 < 0.8      # p = 0, 1/4, 3/4
    (0, True)
    >>> sorted(ln.utils.data.WeightedRandomSampler([0., 1., 3., 1.], 3, replacement=False))
    [1, 2, 3]
    """

    def __init__(self, weights, num_samples: int, replacement: bool = True, generator=None) -> None:
        if not _is_int(num_samples) or num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got replacement={replacement}")
        w = np.asarray(getattr(weights, "data", weights), dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape "
                             f"{tuple(w.shape)}")
        self.weights = w
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        w = self.weights
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if w.sum() <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        rng = numpy_rng(self.generator)
        if self.replacement:
            draws = rng.choice(len(w), size=self.num_samples, p=w / w.sum())
        else:
            if self.num_samples > len(w):
                raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                                   f"replacement ({self.num_samples} from {len(w)} weights)")
            # exponential race: index i finishes at E_i / w_i; the first num_samples to finish
            # are a weighted draw without replacement (zero weights come last, as in torch)
            with np.errstate(divide="ignore"):
                keys = rng.exponential(size=len(w)) / w
            draws = np.argsort(keys, kind="stable")[:self.num_samples]
        return iter(draws.tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler[list]):
    """Group the indices of ``sampler`` into lists of ``batch_size``; the last list is shorter
    unless ``drop_last`` drops it. ``len = n // batch_size`` (drop_last) or ``ceil(n / batch_size)``.

    Parameters
    ----------
    sampler : Sampler or iterable of int
        The indices to group.
    batch_size : int
        Indices per batch (> 0).
    drop_last : bool
        Drop the last batch when it is shorter than ``batch_size``.

    Examples
    --------
    >>> from lucidnet.utils.data import BatchSampler, SequentialSampler
    >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
    [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler, batch_size: int, drop_last: bool) -> None:
        if not _is_int(batch_size) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        it = iter(self.sampler)
        if self.drop_last:
            for batch in zip(*[it] * self.batch_size):
                yield [*batch]
        else:
            batch = [*itertools.islice(it, self.batch_size)]
            while batch:
                yield batch
                batch = [*itertools.islice(it, self.batch_size)]

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
