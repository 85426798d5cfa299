"""``torch.utils.data`` for lucidnet: datasets, samplers, collation and the DataLoader.

    from lucidnet.utils.data import DataLoader, Dataset, TensorDataset

    loader = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=True)
    for xb, yb in loader:
        ...

(``lucidnet.data.DataLoader`` is a different, array-only loader: ``DataLoader(X, y, batch_size)``.)
"""

from .collate import collate, default_collate, default_collate_fn_map, default_convert
from .dataloader import DataLoader
from .dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
from .worker import WorkerInfo, get_worker_info

__all__ = ["DataLoader", "Dataset", "IterableDataset", "TensorDataset", "StackDataset",
           "ConcatDataset", "ChainDataset", "Subset", "random_split", "Sampler",
           "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
           "BatchSampler", "DistributedSampler", "default_collate", "default_convert", "collate",
           "default_collate_fn_map", "get_worker_info", "WorkerInfo"]


def __getattr__(name):
    # torch.utils.data.DistributedSampler, defined in lucidnet.distributed (which imports this
    # package: loaded on first use to keep the import graph acyclic)
    if name == "DistributedSampler":
        from .distributed import DistributedSampler

        return DistributedSampler
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
