"""DistributedSampler (issue 11): PyTorch's lengths, padding, striding and drop_last; the
shuffled order is NumPy's (documented), the same on every rank, new each epoch."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lucidnet.distributed import DistributedSampler


def shares(n, world, **kw):
    return [list(DistributedSampler(range(n), world, r, **kw)) for r in range(world)]


@pytest.mark.parametrize("n", [0, 1, 2, 5, 7, 10, 12])
@pytest.mark.parametrize("world", [1, 2, 3, 4, 8])
@pytest.mark.parametrize("shuffle", [False, True])
def test_disjoint_cover_and_padding(n, world, shuffle):
    parts = shares(n, world, shuffle=shuffle, seed=3)
    num = math.ceil(n / world)
    assert [len(p) for p in parts] == [num] * world
    assert all(len(DistributedSampler(range(n), world, r)) == num for r in range(world))
    flat = [i for p in parts for i in p]
    assert set(flat) == set(range(n))  # every sample is seen
    counts = np.bincount(flat, minlength=n) if n else np.zeros(0)
    assert counts.sum() == num * world and (counts.max(initial=1) - counts.min(initial=1)) <= \
        max(1, math.ceil(num * world / max(n, 1)))
    if n and num * world - n <= n:  # padding shorter than the data: each extra seen twice
        assert sorted(counts) == [1] * (2 * n - num * world) + [2] * (num * world - n)


@pytest.mark.parametrize("n,world", [(10, 3), (7, 2), (12, 4), (2, 3), (5, 8)])
def test_drop_last(n, world):
    parts = shares(n, world, drop_last=True, shuffle=True)
    num = n // world
    assert [len(p) for p in parts] == [num] * world
    flat = [i for p in parts for i in p]
    assert len(set(flat)) == len(flat) == num * world  # disjoint, no repeats


def test_striding_and_order_without_shuffle():
    parts = shares(10, 3, shuffle=False)
    assert parts == [[0, 3, 6, 9], [1, 4, 7, 0], [2, 5, 8, 1]]  # padded with 0, 1


def test_padding_longer_than_the_data_repeats_cyclically():
    parts = shares(2, 5, shuffle=False)
    assert parts == [[0], [1], [0], [1], [0]]


def test_matches_torch_without_shuffle():
    TorchSampler = pytest.importorskip("torch.utils.data.distributed").DistributedSampler

    for n in (0, 1, 5, 7, 10):
        for world in (1, 2, 3, 4):
            for drop_last in (False, True):
                for r in range(world):
                    ours = list(DistributedSampler(range(n), world, r, shuffle=False,
                                                   drop_last=drop_last))
                    theirs = list(TorchSampler(range(n), world, r, shuffle=False,
                                               drop_last=drop_last))
                    assert ours == theirs
                    assert len(DistributedSampler(range(n), world, r, drop_last=drop_last)) \
                        == len(TorchSampler(range(n), world, r, drop_last=drop_last))


def test_set_epoch_reshuffles_and_seeds():
    def order(epoch=0, seed=0):
        s = DistributedSampler(range(50), 2, 0, seed=seed)
        s.set_epoch(epoch)
        return list(s)

    assert order() == order()  # deterministic
    assert order(epoch=1) != order(epoch=0)
    assert order(seed=1) != order(seed=0)
    assert order(epoch=1, seed=0) == order(epoch=0, seed=1)  # the generator is seeded seed+epoch
    s = DistributedSampler(range(50), 2, 1, seed=0)
    first = list(s)
    assert list(s) == first  # no set_epoch: the same order again (as PyTorch)
    s.set_epoch(3)
    assert list(s) != first and s.epoch == 3


def test_ranks_share_one_permutation():
    """Every rank draws the same permutation and takes its stride of it."""
    n, world = 23, 3
    parts = shares(n, world, seed=5)
    perm = np.random.default_rng(5).permutation(n).tolist()
    perm += perm[:math.ceil(n / world) * world - n]
    assert parts == [perm[r::world] for r in range(world)]


def test_with_a_dataloader():
    import lucidnet as ln
    from lucidnet.utils.data import DataLoader, TensorDataset

    data = TensorDataset(ln.tensor(np.arange(10.0)))
    sampler = DistributedSampler(data, num_replicas=2, rank=1, shuffle=False)
    batches = [b[0].data.tolist() for b in DataLoader(data, batch_size=2, sampler=sampler)]
    assert batches == [[1.0, 3.0], [5.0, 7.0], [9.0]]


@pytest.mark.parametrize("kw,match", [
    ({"num_replicas": 2, "rank": 2}, r"Invalid rank 2, rank should be in the interval \[0, 1\]"),
    ({"num_replicas": 2, "rank": -1}, "Invalid rank -1"),
    ({"num_replicas": 0, "rank": 0}, "num_replicas must be an integer >= 1"),
    ({"num_replicas": 2.0, "rank": 0}, "num_replicas"),
    ({"num_replicas": 2, "rank": True}, "Invalid rank"),
    ({"num_replicas": 2}, "init_process_group"),
    ({"rank": 0}, "init_process_group"),
])
def test_bad_arguments(kw, match):
    with pytest.raises(ValueError, match=match):
        DistributedSampler(range(4), **kw)


def test_bad_seed_and_changed_dataset():
    with pytest.raises(TypeError, match="seed"):
        DistributedSampler(range(4), 2, 0, seed=1.5)
    data = list(range(6))
    s = DistributedSampler(data, 2, 0)
    data.append(6)
    with pytest.raises(RuntimeError, match="make a new sampler"):
        list(s)
