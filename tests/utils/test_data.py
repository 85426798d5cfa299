"""lucidnet.utils.data without torch: the TensorDataset shortcut gives the general path's batches,
seeds reproduce orders, collate dtypes, subsets and splits, bad input."""

import numpy as np
import pytest

import lucidnet as ln
from lucidnet.utils.data import (
    BatchSampler,
    DataLoader,
    Dataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    collate,
    default_collate,
    default_collate_fn_map,
    random_split,
)


def _xy(n=23, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 2, 3)).astype(np.float32), rng.integers(0, 5, n)


class Rows(Dataset):
    """The same samples as TensorDataset(x, y), through the general per-sample path."""

    def __init__(self, x, y):
        self.x, self.y = ln.tensor(x), ln.tensor(y)

    def __len__(self):
        return len(self.y.data)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


def _same_batches(a, b):
    a, b = list(a), list(b)
    assert len(a) == len(b) and len(a) > 0
    for p, q in zip(a, b):
        assert type(p) is type(q) is list and len(p) == len(q)
        for s, t in zip(p, q):
            assert isinstance(s, ln.Tensor) and isinstance(t, ln.Tensor)
            assert s.data.dtype == t.data.dtype and s.shape == t.shape
            np.testing.assert_array_equal(s.data, t.data)


@pytest.mark.parametrize("batch_size, drop_last", [(1, False), (4, False), (4, True), (23, False),
                                                   (64, False)])
def test_tensor_dataset_shortcut_equals_the_general_path(batch_size, drop_last):
    x, y = _xy()
    fast = DataLoader(TensorDataset(ln.tensor(x), ln.tensor(y)), batch_size=batch_size,
                      drop_last=drop_last)
    slow = DataLoader(Rows(x, y), batch_size=batch_size, drop_last=drop_last)
    _same_batches(fast, slow)
    assert len(fast) == len(slow)
    order = [5, 0, 22, 7, 7, -1]        # repeated and negative indices, via a custom sampler
    _same_batches(DataLoader(TensorDataset(ln.tensor(x), ln.tensor(y)), sampler=order, batch_size=4),
                  DataLoader(Rows(x, y), sampler=order, batch_size=4))


def test_shortcut_through_subsets_random_split_and_numpy_arrays():
    x, y = _xy()
    ds = TensorDataset(ln.tensor(x), ln.tensor(y))
    nested = Subset(Subset(ds, list(range(3, 20))), [16, 0, 4, 9])
    _same_batches(DataLoader(nested, batch_size=3), DataLoader(Subset(Subset(Rows(x, y), list(
        range(3, 20))), [16, 0, 4, 9]), batch_size=3))
    ln.manual_seed(7)
    parts = random_split(ds, [0.7, 0.3])
    ln.manual_seed(7)
    slow_parts = random_split(Rows(x, y), [0.7, 0.3])
    for p, q in zip(parts, slow_parts):
        assert p.indices == q.indices
        _same_batches(DataLoader(p, batch_size=5), DataLoader(q, batch_size=5))
    # NumPy arrays in a TensorDataset come out as Tensors of their dtype, as torch.as_tensor would
    (xb, yb), = list(DataLoader(TensorDataset(x, y), batch_size=23))
    assert isinstance(xb, ln.Tensor) and xb.data.dtype == np.float32 and yb.data.dtype == np.int64
    np.testing.assert_array_equal(xb.data, x)


def test_tensor_requiring_grad_is_stacked_into_the_graph():
    x = ln.tensor(np.arange(6, dtype=np.float32).reshape(3, 2), requires_grad=True)
    (xb,) = next(iter(DataLoader(TensorDataset(x), batch_size=2)))
    assert xb.requires_grad
    xb.sum().backward()
    np.testing.assert_array_equal(np.asarray(x.grad), [[1, 1], [1, 1], [0, 0]])


def test_manual_seed_and_generators_reproduce_the_order():
    x, y = _xy()
    ds = TensorDataset(ln.tensor(x), ln.tensor(y))

    def order(loader):
        return np.concatenate([yb.data for _, yb in loader]).tolist()

    ln.manual_seed(3)
    first = [order(DataLoader(ds, batch_size=5, shuffle=True)) for _ in range(2)]
    ln.manual_seed(3)
    again = [order(DataLoader(ds, batch_size=5, shuffle=True)) for _ in range(2)]
    assert first == again and first[0] != first[1]
    a = order(DataLoader(ds, batch_size=5, shuffle=True, generator=np.random.default_rng(1)))
    b = order(DataLoader(ds, batch_size=5, shuffle=True, generator=np.random.default_rng(1)))
    assert a == b and sorted(a) == sorted(y.tolist())
    draws = [list(RandomSampler(range(9), True, 40, generator=np.random.default_rng(2)))
             for _ in range(2)]
    assert draws[0] == draws[1] and len(draws[0]) == 40
    assert [list(SubsetRandomSampler([3, 1, 4], np.random.default_rng(0))) for _ in range(2)] == \
        [list(SubsetRandomSampler([3, 1, 4], np.random.default_rng(0)))] * 2
    with pytest.raises(TypeError, match="generator must be"):
        list(RandomSampler(range(3), generator=42))


def test_weighted_sampler_follows_the_weights():
    draws = np.array(list(WeightedRandomSampler([1.0, 3.0, 0.0], 4000,
                                                generator=np.random.default_rng(0))))
    assert not np.any(draws == 2)
    assert 0.72 < np.mean(draws == 1) < 0.78           # 3 / 4, a few standard errors either way
    assert len(WeightedRandomSampler(ln.tensor([1.0, 2.0]), 5)) == 5


def test_batch_sampler_over_a_random_sampler_covers_every_index_once():
    batches = list(BatchSampler(RandomSampler(range(10)), 3, drop_last=False))
    assert [len(b) for b in batches] == [3, 3, 3, 1]
    assert sorted(i for b in batches for i in b) == list(range(10))
    assert list(BatchSampler(SequentialSampler(range(5)), 2, True)) == [[0, 1], [2, 3]]


def test_collate_dtypes_follow_pytorch():
    assert default_collate([1.0, 2.0]).data.dtype == np.float64          # Python floats: float64
    assert default_collate([1, 2]).data.dtype == np.int64
    assert default_collate([1, 2.5]).data.dtype == np.float32           # the default float dtype
    ln.set_default_dtype(np.float64)
    assert default_collate([1, 2.5]).data.dtype == np.float64
    assert default_collate([np.float16(1), np.float16(2)]).data.dtype == np.float16
    xb, yb = default_collate([(np.zeros((2, 2), np.float32), 0), (np.ones((2, 2), np.float32), 1)])
    assert xb.shape == (2, 2, 2) and yb.data.tolist() == [0, 1]
    zero_size = default_collate([np.zeros((0, 3)), np.zeros((0, 3))])
    assert zero_size.shape == (2, 0, 3)


def test_collate_fn_map_extends_to_a_custom_type():
    class Box:
        def __init__(self, v):
            self.v = v

    def collate_box(batch, *, collate_fn_map=None):
        return sum(b.v for b in batch)

    custom = {**default_collate_fn_map, Box: collate_box}
    out = collate([(Box(1), 2.0), (Box(5), 3.0)], collate_fn_map=custom)
    assert out[0] == 6 and out[1].data.tolist() == [2.0, 3.0]
    with pytest.raises(TypeError, match="found <class"):
        default_collate([Box(1)])


def test_tensor_dataset_bad_input():
    with pytest.raises(AssertionError, match=r"Size mismatch between tensors.*\[3, 2\]"):
        TensorDataset(ln.tensor(np.zeros(3)), ln.tensor(np.zeros(2)))
    with pytest.raises(IndexError, match="first \\(sample\\) dimension"):
        TensorDataset(ln.tensor(1.0))
    with pytest.raises(TypeError, match="tensors or arrays"):
        TensorDataset([1, 2, 3])
    ds = TensorDataset(np.zeros((4, 1)), ln.tensor(np.arange(4)))
    assert len(ds) == 4 and ds[-1][1].item() == 3


def test_random_split_with_a_generator_is_reproducible_and_checks_lengths():
    a = random_split(range(10), [4, 6], generator=np.random.default_rng(0))
    b = random_split(range(10), [4, 6], generator=np.random.default_rng(0))
    assert [s.indices for s in a] == [s.indices for s in b]
    assert [len(s) for s in a] == [4, 6] and sorted(a[0].indices + a[1].indices) == list(range(10))
    with pytest.raises(ValueError, match="sum to 9, the dataset has 10 samples"):
        random_split(range(10), [4, 5])


def test_loader_timeout_without_workers_is_a_clear_error():
    with pytest.raises(ValueError, match="timeout=1 applies to worker processes"):
        iter(DataLoader(range(3), timeout=1))


def test_tensor_dataset_batches_skip_per_sample_indexing(monkeypatch):
    calls = []
    original = TensorDataset.__getitem__

    def counting(self, index):
        calls.append(index)
        return original(self, index)

    monkeypatch.setattr(TensorDataset, "__getitem__", counting)
    x, y = _xy()
    ds = TensorDataset(ln.tensor(x), ln.tensor(y))
    assert len(list(DataLoader(ds, batch_size=8, shuffle=True))) == 3
    assert calls == []                       # one fancy index per tensor, no ds[i] per sample
    list(DataLoader(ds, batch_size=8, collate_fn=lambda b: b))
    assert len(calls) == 23                  # a custom collate_fn sees the samples themselves
