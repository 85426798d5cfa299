"""Datasets as ``torch.utils.data`` defines them.

A *map-style* dataset answers ``dataset[i]`` and ``len(dataset)``; an *iterable-style* one
(`IterableDataset`) is a stream, read with ``iter(dataset)``. The rest combine datasets:

- ``TensorDataset(x, y)[i] == (x[i], y[i])``
- ``ConcatDataset([a, b])[i]`` is ``a[i]`` for ``i < len(a)``, else ``b[i - len(a)]``
- ``Subset(d, indices)[i] == d[indices[i]]``
- ``StackDataset(a, b)[i] == (a[i], b[i])``; ``StackDataset(x=a, y=b)[i] == {"x": a[i], "y": b[i]}``
- ``ChainDataset([s, t])`` streams ``s`` then ``t``
- ``random_split(d, [n1, n2, ...])`` shuffles ``range(len(d))`` once and cuts it into Subsets.
"""

from __future__ import annotations

import bisect
import itertools
import math
import warnings
from typing import Generic, TypeVar

from ._random import randperm

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset",
           "ChainDataset", "Subset", "random_split"]

T_co = TypeVar("T_co", covariant=True)


class Dataset(Generic[T_co]):
    """Base class of map-style datasets: subclasses define ``__getitem__`` (and ``__len__``,
    which samplers and ``len(loader)`` need). ``a + b`` is ``ConcatDataset([a, b])``.

    A subclass may also define ``__getitems__(indices) -> list of samples`` to read a whole
    batch at once; the DataLoader then calls it instead of ``__getitem__`` per index.

    Examples
    --------
    >>> class Squares(ln.utils.data.Dataset):
    ...     def __init__(self, n): self.n = n
    ...     def __getitem__(self, i): return i * i
    ...     def __len__(self): return self.n
    >>> ds = Squares(4)
    >>> [ds[i] for i in range(len(ds))], len(ds + ds)
    ([0, 1, 4, 9], 8)
    >>> next(iter(ln.utils.data.DataLoader(ds, batch_size=4)))
    tensor([0, 1, 4, 9])
    """

    def __getitem__(self, index) -> T_co:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co]):
    """Base class of iterable-style datasets (streams): subclasses define ``__iter__``.

    With ``num_workers > 0`` every worker process iterates its own copy of the dataset, so a
    stream that should not be repeated must split itself with ``get_worker_info()`` (its ``id``
    and ``num_workers``) inside ``__iter__`` or in a ``worker_init_fn``. ``a + b`` is
    ``ChainDataset([a, b])``.

    Examples
    --------
    >>> class Count(ln.utils.data.IterableDataset):
    ...     def __init__(self, n): self.n = n
    ...     def __iter__(self): return iter(range(self.n))
    >>> list(ln.utils.data.DataLoader(Count(5), batch_size=2))
    [tensor([0, 1]), tensor([2, 3]), tensor([4])]
    >>> list(Count(2) + Count(3))
    [0, 1, 0, 1, 2]
    """

    def __iter__(self):
        raise NotImplementedError("Subclasses of IterableDataset should implement __iter__.")

    def __add__(self, other: Dataset) -> ChainDataset:
        return ChainDataset([self, other])


def _first_dim(t) -> int:
    shape = getattr(t, "shape", None)
    if shape is None:
        raise TypeError(f"TensorDataset takes tensors or arrays, got {type(t).__name__}; "
                        "convert it with lucidnet.tensor(...)")
    if len(shape) == 0:
        raise IndexError("TensorDataset needs tensors with a first (sample) dimension, got a 0-d "
                         "tensor; give one value per sample, e.g. x.reshape(-1)")
    return shape[0]


class TensorDataset(Dataset):
    """Samples are rows of tensors that share their first dimension:
    ``dataset[i] = (t[i] for t in tensors)`` as a tuple.

    Parameters
    ----------
    *tensors : lucidnet Tensors (or NumPy arrays) with the same size of the first dimension

    Examples
    --------
    >>> from lucidnet.utils.data import TensorDataset
    >>> ds = TensorDataset(np.arange(10.0).reshape(5, 2), np.array([0, 1, 0, 1, 1]))
    >>> len(ds)
    5
    >>> x, y = ds[1]
    >>> x, int(y)
    (array([2., 3.]), 1)
    """

    def __init__(self, *tensors) -> None:
        if any(_first_dim(tensors[0]) != _first_dim(t) for t in tensors):
            sizes = [_first_dim(t) for t in tensors]
            raise AssertionError(f"Size mismatch between tensors: their first dimensions are "
                                 f"{sizes}; every tensor needs one row per sample")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(tensor[index] for tensor in self.tensors)

    def __len__(self) -> int:
        return _first_dim(self.tensors[0])


class StackDataset(Dataset):
    """Samples of several datasets side by side: a tuple per sample for positional datasets
    (``StackDataset(a, b)``), a dict for keyword ones (``StackDataset(image=a, label=b)``):
    ``stack[i] = (a[i], b[i], ...)`` or ``{"image": a[i], "label": b[i]}``.

    Parameters
    ----------
    *args : datasets
        Map-style datasets of one length (tuple samples), or
    **kwargs : datasets
        Named map-style datasets of one length (dict samples); not both.

    Examples
    --------
    >>> images, labels = [10, 11, 12], ["a", "b", "c"]
    >>> ln.utils.data.StackDataset(images, labels)[2]
    (12, 'c')
    >>> ln.utils.data.StackDataset(image=images, label=labels)[1]
    {'image': 11, 'label': 'b'}
    >>> ln.utils.data.StackDataset(images, [1])
    Traceback (most recent call last):
    ...
    ValueError: Size mismatch between datasets
    """

    def __init__(self, *args, **kwargs) -> None:
        if args:
            if kwargs:
                raise ValueError("Supported either ``tuple``- (via ``args``) or"
                                 "``dict``- (via ``kwargs``) like input/output, but both types are given.")
            self._length = len(args[0])
            if any(self._length != len(d) for d in args):
                raise ValueError("Size mismatch between datasets")
            self.datasets = args
        elif kwargs:
            parts = list(kwargs.values())
            self._length = len(parts[0])
            if any(self._length != len(d) for d in parts):
                raise ValueError("Size mismatch between datasets")
            self.datasets = kwargs
        else:
            raise ValueError("At least one dataset should be passed")

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __getitems__(self, indices: list) -> list:
        def column(d):      # one dataset's samples for the batch, batched when it can
            if callable(getattr(d, "__getitems__", None)):
                items = d.__getitems__(indices)
                if len(items) != len(indices):
                    raise ValueError(f"Nested dataset's output size mismatch. Expected "
                                     f"{len(indices)}, got {len(items)}")
                return items
            return [d[i] for i in indices]

        if isinstance(self.datasets, dict):
            columns = {k: column(d) for k, d in self.datasets.items()}
            return [{k: columns[k][j] for k in columns} for j in range(len(indices))]
        columns = [column(d) for d in self.datasets]
        return [tuple(c[j] for c in columns) for j in range(len(indices))]

    def __len__(self) -> int:
        return self._length


class ConcatDataset(Dataset):
    """Map-style datasets one after the other. ``cumulative_sizes[k]`` is the total length of
    the first ``k + 1`` datasets; index ``i`` falls in the first dataset whose cumulative size
    exceeds it: ``concat[i] = datasets[k][i - cumulative_sizes[k - 1]]``.

    Parameters
    ----------
    datasets : iterable of Dataset
        Map-style datasets (not IterableDataset; at least one).

    Examples
    --------
    >>> class Squares(ln.utils.data.Dataset):
    ...     def __init__(self, n): self.n = n
    ...     def __getitem__(self, i): return i * i
    ...     def __len__(self): return self.n
    >>> both = ln.utils.data.ConcatDataset([Squares(2), Squares(3)])
    >>> len(both), both.cumulative_sizes, [both[i] for i in range(5)]
    (5, [2, 5], [0, 1, 0, 1, 4])
    """

    @staticmethod
    def cumsum(sequence) -> list:
        """Running totals of the datasets' lengths: ``[len(d0), len(d0) + len(d1), ...]``
        (the end index of each dataset in the concatenation)."""
        return list(itertools.accumulate(len(d) for d in sequence))

    def __init__(self, datasets) -> None:
        self.datasets = list(datasets)
        if len(self.datasets) == 0:
            raise AssertionError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset; "
                                     "chain streams with ChainDataset")
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        k = bisect.bisect_right(self.cumulative_sizes, idx)
        sample_idx = idx if k == 0 else idx - self.cumulative_sizes[k - 1]
        return self.datasets[k][sample_idx]


class ChainDataset(IterableDataset):
    """Iterable datasets streamed one after the other (``len`` is the sum of their lengths).

    Parameters
    ----------
    datasets : iterable of IterableDataset
        The streams, in order (checked when iterated).

    Examples
    --------
    >>> class Count(ln.utils.data.IterableDataset):
    ...     def __init__(self, n): self.n = n
    ...     def __iter__(self): return iter(range(self.n))
    ...     def __len__(self): return self.n
    >>> chain = ln.utils.data.ChainDataset([Count(2), Count(3)])
    >>> list(chain), len(chain)
    ([0, 1, 0, 1, 2], 5)
    """

    def __init__(self, datasets) -> None:
        self.datasets = datasets

    def __iter__(self):
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield from d

    def __len__(self) -> int:
        total = 0
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            total += len(d)
        return total


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``: ``subset[i] = dataset[indices[i]]``.

    Parameters
    ----------
    dataset : Dataset
        The map-style dataset to take from.
    indices : sequence of int
        Its positions to keep, in the order they appear in the subset.

    Examples
    --------
    >>> class Squares(ln.utils.data.Dataset):
    ...     def __init__(self, n): self.n = n
    ...     def __getitem__(self, i): return i * i
    ...     def __len__(self): return self.n
    >>> sub = ln.utils.data.Subset(Squares(5), [4, 0, 2])
    >>> len(sub), [sub[i] for i in range(len(sub))]
    (3, [16, 0, 4])
    """

    def __init__(self, dataset, indices) -> None:
        self.dataset = dataset
        self.indices = indices
        if type(self).__getitem__ is not Subset.__getitem__ \
                and type(self).__getitems__ is Subset.__getitems__:
            raise NotImplementedError(
                f"{type(self).__name__} overrides __getitem__ but not __getitems__. "
                "When subclassing Subset and overriding __getitem__, you must also override "
                "__getitems__ to ensure DataLoader works correctly with your custom logic. "
                "A simple implementation:\n\n"
                "def __getitems__(self, indices):\n"
                "    return [self.__getitem__(idx) for idx in indices]")

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices: list) -> list:
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__([self.indices[i] for i in indices])
        return [self.dataset[self.indices[i]] for i in indices]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(dataset, lengths, generator=None) -> list:
    """Split ``dataset`` into non-overlapping random `Subset` s of the given lengths.

    Parameters
    ----------
    dataset : a map-style dataset (anything with ``len``)
    lengths : sequence of ints summing to ``len(dataset)``, or of fractions summing to 1.
        A fraction ``f`` gives ``floor(f * len(dataset))`` samples; the remainder is then
        handed out one sample at a time to the splits in order (round-robin), as PyTorch does.
    generator : numpy.random.Generator or None
        The source of the permutation; ``None`` is lucidnet's global generator
        (``lucidnet.manual_seed``).

    Returns
    -------
    list of Subset, in the order of ``lengths``

    Examples
    --------
    >>> from lucidnet.utils.data import random_split
    >>> train, val = random_split(range(10), [0.8, 0.2])
    >>> len(train), len(val), sorted(list(train) + list(val)) == list(range(10))
    (8, 2, True)
    """
    lengths = list(lengths)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        sizes = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
            sizes.append(math.floor(len(dataset) * frac))
        remainder = len(dataset) - sum(sizes)
        for i in range(remainder):     # round-robin, one each
            sizes[i % len(sizes)] += 1
        lengths = sizes
        for i, length in enumerate(lengths):
            if length == 0:
                warnings.warn(f"Length of split at index {i} is 0. "
                              f"This might result in an empty dataset.", stacklevel=2)
    if sum(lengths) != len(dataset):
        raise ValueError(f"Sum of input lengths does not equal the length of the input dataset! "
                         f"(lengths {lengths} sum to {sum(lengths)}, the dataset has "
                         f"{len(dataset)} samples; give ints summing to {len(dataset)} or "
                         f"fractions summing to 1)")
    indices = randperm(sum(lengths), generator)
    return [Subset(dataset, indices[offset - length:offset])
            for offset, length in zip(itertools.accumulate(lengths), lengths)]
