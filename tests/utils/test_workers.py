"""DataLoader with worker processes: the batches of num_workers=0, in order; errors come back
with the worker's traceback; workers stop when the iterator is dropped; get_worker_info and seeds.
Kept small: every test starts one or two processes."""

import dataclasses
import gc
import os
import random
import time

import numpy as np
import pytest

import lucidnet as ln
from lucidnet.random import get_rng
from lucidnet.utils.data import (
    DataLoader,
    Dataset,
    IterableDataset,
    TensorDataset,
    WorkerInfo,
    get_worker_info,
)


class Tagged(Dataset):
    """Sample i: (a row of i's, i, the id of the worker that read it or -1)."""

    def __init__(self, n=11):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        info = get_worker_info()
        return np.full(2, i, np.float32), i, -1 if info is None else info.id


class Faulty(Dataset):
    def __init__(self, exc):
        self.exc = exc

    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 4:
            raise self.exc
        return i


class TwoArgError(Exception):
    def __init__(self, a, b):
        super().__init__(a, b)


class Draws(Dataset):
    """What each worker's seeded generators give, and the seed get_worker_info reports."""

    def __len__(self):
        return 4

    def __getitem__(self, i):
        info = get_worker_info()
        return (float(get_rng().random()), float(np.random.random()), random.random(), info.seed,
                getattr(info.dataset, "offset", 0))


def _set_offset(worker_id):
    get_worker_info().dataset.offset = 100 + worker_id


class Stream(IterableDataset):
    def __init__(self, n, shard=True):
        self.n, self.shard = n, shard

    def __iter__(self):
        info = get_worker_info()
        if info is None or not self.shard:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))


class Slow(Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        time.sleep(3)
        return i


class Dies(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        os._exit(3)


class Unpicklable(Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        return lambda: i


def _flat(batches):
    return [[b.data.tolist() if isinstance(b, ln.Tensor) else b for b in batch] for batch in batches]


def test_workers_give_the_same_batches_in_order():
    serial = _flat(DataLoader(Tagged(), batch_size=3))
    parallel = _flat(DataLoader(Tagged(), batch_size=3, num_workers=2))
    assert [b[:2] for b in parallel] == [b[:2] for b in serial]
    assert [b[2] for b in serial] == [[-1] * len(b[1]) for b in serial]
    assert [b[2][0] for b in parallel] == [0, 1, 0, 1]        # batch k from worker k % 2
    x = ln.tensor(np.arange(40, dtype=np.float32).reshape(20, 2))
    ds = TensorDataset(x, ln.tensor(np.arange(20)))
    ln.manual_seed(5)
    shuffled = _flat(DataLoader(ds, batch_size=6, shuffle=True, num_workers=2))
    ln.manual_seed(5)
    assert shuffled == _flat(DataLoader(ds, batch_size=6, shuffle=True))
    unordered = _flat(DataLoader(Tagged(), batch_size=3, num_workers=2, in_order=False))
    assert sorted(i for b in unordered for i in b[1]) == list(range(11))


def test_unbatched_and_iterable_datasets_with_workers():
    assert _flat(DataLoader(Tagged(4), batch_size=None, num_workers=2))[0][:2] == [[0.0, 0.0], 0]
    sharded = [b.data.tolist() for b in DataLoader(Stream(11), batch_size=3, num_workers=2)]
    assert sharded == [[0, 2, 4], [1, 3, 5], [6, 8, 10], [7, 9]]          # torch's interleaving
    repeated = [b.data.tolist() for b in DataLoader(Stream(3, shard=False), batch_size=2,
                                                    num_workers=2)]
    assert repeated == [[0, 1], [0, 1], [2], [2]]     # each worker streams its own full copy


def test_an_exception_in_a_worker_is_raised_with_its_traceback():
    with pytest.raises(ValueError) as err:
        list(DataLoader(Faulty(ValueError("bad sample 4")), batch_size=2, num_workers=2))
    msg = str(err.value)
    assert "Caught ValueError in DataLoader worker process 0" in msg
    assert "Traceback (most recent call last)" in msg and "__getitem__" in msg
    assert "bad sample 4" in msg
    with pytest.raises(KeyError, match="Caught KeyError in DataLoader worker process 0"):
        list(DataLoader(Faulty(KeyError("k")), batch_size=2, num_workers=1))
    with pytest.raises(RuntimeError, match="Caught TwoArgError"):  # needs two arguments
        list(DataLoader(Faulty(TwoArgError(1, 2)), batch_size=2, num_workers=1))
    with pytest.raises(Exception, match="sending the batch back"):
        list(DataLoader(Unpicklable(), batch_size=None, num_workers=1))


def test_workers_stop_when_the_iterator_is_dropped_early():
    it = iter(DataLoader(Tagged(40), batch_size=2, num_workers=2))
    next(it)
    workers = list(it._workers)
    assert all(w.is_alive() for w in workers)
    del it
    gc.collect()
    for w in workers:
        w.join(timeout=5)
    assert not any(w.is_alive() for w in workers)
    loader = DataLoader(Tagged(40), batch_size=2, num_workers=2)
    for _ in loader:      # break out of a for loop: the iterator goes away with its workers
        break
    gc.collect()


def test_worker_info_seeds_and_worker_init_fn():
    assert get_worker_info() is None
    info = WorkerInfo(id=0, num_workers=1, seed=3, dataset=None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.id = 1
    assert info.worker_method == "multiprocessing"

    def run():
        loader = DataLoader(Draws(), batch_size=None, num_workers=2, worker_init_fn=_set_offset)
        it = iter(loader)
        return it._base_seed, list(it)

    ln.manual_seed(11)
    base, rows = run()
    assert [r[3] for r in rows] == [base, base + 1, base, base + 1]   # seed = base seed + worker id
    assert [r[4] for r in rows] == [100, 101, 100, 101]               # worker_init_fn ran first
    for k in range(3):          # the workers' lucidnet, NumPy and Python streams differ
        assert rows[0][k] != rows[1][k]
    ln.manual_seed(11)
    assert run() == (base, rows)                                      # and repeat with the seed


def test_persistent_workers_are_reused_across_epochs():
    loader = DataLoader(Tagged(9), batch_size=2, num_workers=2, persistent_workers=True)
    expected = [b[:2] for b in _flat(DataLoader(Tagged(9), batch_size=2))]
    first_it = iter(loader)
    pids = [w.pid for w in first_it._workers]
    assert [b[:2] for b in _flat(first_it)] == expected
    partial = iter(loader)
    next(partial)                  # break off an epoch ...
    assert [b[:2] for b in _flat(iter(loader))] == expected   # ... the next one is whole
    assert [w.pid for w in loader._iterator._workers] == pids
    assert [b.data.tolist() for b in DataLoader(Stream(5), batch_size=2, num_workers=2,
                                                persistent_workers=True)] == [[0, 2], [1, 3], [4]]
    loader._iterator._shutdown_workers()


def test_timeout_and_a_dead_worker_are_errors():
    with pytest.raises(RuntimeError, match="timed out after 0.5 seconds"):
        list(DataLoader(Slow(), batch_size=None, num_workers=1, timeout=0.5))
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited unexpectedly"):
        list(DataLoader(Dies(), batch_size=None, num_workers=1))


def test_spawn_start_method():
    x = ln.tensor(np.arange(12, dtype=np.float32).reshape(6, 2))
    ds = TensorDataset(x, ln.tensor(np.arange(6)))
    spawned = _flat(DataLoader(ds, batch_size=4, num_workers=1, multiprocessing_context="spawn"))
    assert spawned == _flat(DataLoader(ds, batch_size=4))


def _broken_init(worker_id):
    return 1 / 0


def test_worker_init_fn_errors_and_unpicklable_spawn_arguments():
    with pytest.raises(ZeroDivisionError, match="Caught ZeroDivisionError in DataLoader worker "
                                                "process 0(.|\n)*_broken_init"):
        list(DataLoader(Tagged(4), batch_size=2, num_workers=1, worker_init_fn=_broken_init))
    loader = DataLoader(Tagged(4), batch_size=2, num_workers=1, multiprocessing_context="spawn",
                        collate_fn=lambda batch: batch)
    with pytest.raises(Exception, match="define them at module level"):
        iter(loader)


def test_iterable_worker_interleaving_matches_torch():
    """Each worker drops its own short last batch (drop_last=True), as in torch."""
    torch = pytest.importorskip("torch")

    class TorchStream(torch.utils.data.IterableDataset):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            info = torch.utils.data.get_worker_info()
            return iter(range(info.id, self.n, info.num_workers))

    kwargs = {"batch_size": 2, "num_workers": 2, "drop_last": True,
              "multiprocessing_context": "fork"}
    ours = [b.data.tolist() for b in DataLoader(Stream(9), **kwargs)]
    theirs = [b.tolist() for b in torch.utils.data.DataLoader(TorchStream(9), **kwargs)]
    assert ours == theirs
