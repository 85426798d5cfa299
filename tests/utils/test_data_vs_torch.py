"""lucidnet.utils.data against torch.utils.data: the same batches, structures, dtypes, lengths
and errors for the same inputs (random samplers: the same lengths and kind of draw)."""

import collections
import warnings

import numpy as np
import pytest

import lucidnet as ln
from lucidnet.utils import data as ldata

torch = pytest.importorskip("torch")
tdata = torch.utils.data

Point = collections.namedtuple("Point", "x y")


# ------------------------------------------------------------------------------ helpers
def to_torch(obj):
    """The same data for torch: lucidnet Tensors become torch tensors, structures recurse."""
    if isinstance(obj, ln.Tensor):
        return torch.from_numpy(np.array(obj.data))
    if isinstance(obj, Point):
        return Point(*(to_torch(v) for v in obj))
    if isinstance(obj, dict):
        return {k: to_torch(v) for k, v in obj.items()}
    if isinstance(obj, tuple):
        return tuple(to_torch(v) for v in obj)
    if isinstance(obj, list):
        return [to_torch(v) for v in obj]
    return obj


def assert_same(ours, theirs, where="batch"):
    """Same structure (container types), same tensor dtypes, shapes and values."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, ln.Tensor), f"{where}: {type(ours).__name__}, torch has a tensor"
        expected = theirs.numpy()
        assert ours.data.dtype == expected.dtype, f"{where}: {ours.data.dtype} vs {expected.dtype}"
        assert ours.shape == tuple(expected.shape), f"{where}: {ours.shape} vs {expected.shape}"
        np.testing.assert_array_equal(ours.data, expected, err_msg=where)
        return
    assert type(ours) is type(theirs), f"{where}: {type(ours).__name__} vs {type(theirs).__name__}"
    if isinstance(theirs, dict):
        assert list(ours) == list(theirs), where
        for k in theirs:
            assert_same(ours[k], theirs[k], f"{where}[{k!r}]")
    elif isinstance(theirs, (list, tuple)):
        assert len(ours) == len(theirs), where
        for i, (a, b) in enumerate(zip(ours, theirs)):
            assert_same(a, b, f"{where}[{i}]")
    elif isinstance(theirs, np.ndarray):
        assert ours.dtype == theirs.dtype
        np.testing.assert_array_equal(ours, theirs)
    else:
        assert ours == theirs, where


def same_error(ours_fn, theirs_fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` raises the same exception type in both; torch's message starts ours."""
    with pytest.raises(Exception) as theirs:
        theirs_fn(*args, **kwargs)
    with pytest.raises(type(theirs.value)) as ours:
        ours_fn(*args, **kwargs)
    assert str(ours.value).startswith(str(theirs.value)), (str(ours.value), str(theirs.value))


def arrays(n=10, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 3)).astype(np.float32), rng.integers(0, 4, n)


# ------------------------------------------------------------------------------ datasets
def test_tensor_dataset_items_length_and_size_mismatch():
    x, y = arrays()
    ours = ldata.TensorDataset(ln.tensor(x), ln.tensor(y))
    theirs = tdata.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    assert len(ours) == len(theirs) == 10
    for i in (0, 3, -1):
        assert_same(ours[i], theirs[i], f"item {i}")
    assert_same(ours[2:5], theirs[2:5])
    same_error(lambda: ldata.TensorDataset(ln.tensor(x), ln.tensor(y[:-1])),
               lambda: tdata.TensorDataset(torch.from_numpy(x), torch.from_numpy(y[:-1])))


def test_concat_dataset_indexing_lengths_and_errors():
    a, b = list(range(3)), list(range(10, 15))
    ours, theirs = ldata.ConcatDataset([a, b]), tdata.ConcatDataset([a, b])
    assert len(ours) == len(theirs) == 8
    assert ours.cumulative_sizes == theirs.cumulative_sizes == [3, 8]
    assert [ours[i] for i in range(-8, 8)] == [theirs[i] for i in range(-8, 8)]
    same_error(lambda: ours[-9], lambda: theirs[-9])
    same_error(lambda: ours[8], lambda: theirs[8])
    same_error(lambda: ldata.ConcatDataset([]), lambda: tdata.ConcatDataset([]))

    class OurStream(ldata.IterableDataset):
        def __iter__(self):
            return iter(range(2))

    class TheirStream(tdata.IterableDataset):
        def __iter__(self):
            return iter(range(2))

    with pytest.raises(AssertionError, match="does not support IterableDataset"):
        ldata.ConcatDataset([a, OurStream()])
    with pytest.raises(AssertionError, match="does not support IterableDataset"):
        tdata.ConcatDataset([a, TheirStream()])


def test_dataset_add_is_concat_and_subset_indexes_through():
    class Ours(ldata.Dataset):
        def __getitem__(self, i):
            return i * 10

        def __len__(self):
            return 4

    class Theirs(tdata.Dataset):
        def __getitem__(self, i):
            return i * 10

        def __len__(self):
            return 4

    ours, theirs = Ours() + Ours(), Theirs() + Theirs()
    assert type(ours).__name__ == type(theirs).__name__ == "ConcatDataset"
    assert [ours[i] for i in range(8)] == [theirs[i] for i in range(8)]
    ours_sub, theirs_sub = ldata.Subset(ours, [7, 0, 3]), tdata.Subset(theirs, [7, 0, 3])
    assert len(ours_sub) == len(theirs_sub) == 3
    assert [ours_sub[i] for i in range(3)] == [theirs_sub[i] for i in range(3)]
    assert ours_sub.__getitems__([2, 0]) == theirs_sub.__getitems__([2, 0])
    same_error(lambda: ldata.Dataset()[0], lambda: tdata.Dataset()[0])


def test_stack_dataset_tuple_dict_and_errors():
    a, b = list(range(4)), list("abcd")
    for args, kwargs in (((a, b), {}), ((), {"num": a, "char": b})):
        ours, theirs = ldata.StackDataset(*args, **kwargs), tdata.StackDataset(*args, **kwargs)
        assert len(ours) == len(theirs) == 4
        assert [ours[i] for i in range(4)] == [theirs[i] for i in range(4)]
        assert ours.__getitems__([3, 1]) == theirs.__getitems__([3, 1])
    same_error(lambda: ldata.StackDataset(a, b[:2]), lambda: tdata.StackDataset(a, b[:2]))
    same_error(lambda: ldata.StackDataset(), lambda: tdata.StackDataset())
    same_error(lambda: ldata.StackDataset(a, x=b), lambda: tdata.StackDataset(a, x=b))


@pytest.mark.parametrize("n, lengths", [
    (30, [0.3, 0.3, 0.4]), (11, [0.5, 0.5]), (10, [0.33, 0.33, 0.34]), (7, [0.1] * 10),
    (10, [3, 7]), (5, [5, 0]), (1, [1]), (0, [0.5, 0.5]),
])
def test_random_split_lengths_follow_torch_rounding(n, lengths):
    with warnings.catch_warnings(record=True) as ours_w:
        warnings.simplefilter("always")
        ours = ldata.random_split(range(n), lengths, generator=np.random.default_rng(0))
    with warnings.catch_warnings(record=True) as theirs_w:
        warnings.simplefilter("always")
        theirs = tdata.random_split(range(n), lengths, generator=torch.Generator().manual_seed(0))
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    assert [str(w.message) for w in ours_w] == [str(w.message) for w in theirs_w]
    assert sorted(i for s in ours for i in s) == list(range(n))   # a partition of the dataset
    assert all(isinstance(s, ldata.Subset) for s in ours)


@pytest.mark.parametrize("lengths", [[3, 3], [0.5, 0.6], [1.5, -0.5], [11]])
def test_random_split_errors_match_torch(lengths):
    same_error(lambda: ldata.random_split(range(10), lengths),
               lambda: tdata.random_split(range(10), lengths))


# ------------------------------------------------------------------------------ samplers
@pytest.mark.parametrize("n", [0, 1, 7, 12])
@pytest.mark.parametrize("batch_size", [1, 3, 4, 12, 20])
@pytest.mark.parametrize("drop_last", [False, True])
def test_batch_sampler_and_sequential_sampler(n, batch_size, drop_last):
    ours = ldata.BatchSampler(ldata.SequentialSampler(range(n)), batch_size, drop_last)
    theirs = tdata.BatchSampler(tdata.SequentialSampler(range(n)), batch_size, drop_last)
    assert list(ours) == list(theirs)
    assert len(ours) == len(theirs)
    assert list(ldata.SequentialSampler(range(n))) == list(tdata.SequentialSampler(range(n)))


@pytest.mark.parametrize("bad", [0, -1, 2.0, True, None])
def test_batch_sampler_batch_size_errors(bad):
    same_error(lambda: ldata.BatchSampler(range(4), bad, False),
               lambda: tdata.BatchSampler(range(4), bad, False))


@pytest.mark.parametrize("bad", [0, 1, "yes", None])
def test_batch_sampler_drop_last_errors(bad):
    same_error(lambda: ldata.BatchSampler(range(4), 2, bad),
               lambda: tdata.BatchSampler(range(4), 2, bad))


@pytest.mark.parametrize("replacement, num_samples", [
    (False, None), (False, 3), (False, 25), (True, None), (True, 70)])
def test_random_sampler_lengths_and_draws(replacement, num_samples):
    ours = ldata.RandomSampler(range(10), replacement, num_samples)
    theirs = tdata.RandomSampler(range(10), replacement, num_samples)
    assert len(ours) == len(theirs)
    drawn = list(ours)
    assert len(drawn) == len(list(theirs)) == len(ours)
    assert all(isinstance(i, int) and 0 <= i < 10 for i in drawn)
    if not replacement:   # whole permutations, then the start of one more
        for k in range(0, len(drawn) - len(drawn) % 10, 10):
            assert sorted(drawn[k:k + 10]) == list(range(10))
        tail = drawn[len(drawn) - len(drawn) % 10:]
        assert len(set(tail)) == len(tail)


@pytest.mark.parametrize("kwargs", [{"replacement": 1}, {"num_samples": 0}, {"num_samples": -2},
                                    {"num_samples": 2.5}])
def test_random_sampler_errors(kwargs):
    same_error(lambda: ldata.RandomSampler(range(5), **kwargs),
               lambda: tdata.RandomSampler(range(5), **kwargs))


def _draw(module):
    return lambda *args: list(module.WeightedRandomSampler(*args))


def test_subset_random_sampler_and_weighted_sampler():
    idx = [4, 8, 15, 16, 23, 42]
    ours = list(ldata.SubsetRandomSampler(idx))
    assert sorted(ours) == sorted(tdata.SubsetRandomSampler(idx)) == idx
    assert len(ldata.SubsetRandomSampler(idx)) == len(tdata.SubsetRandomSampler(idx))
    w = [0.0, 1.0, 0.0, 3.0]
    for replacement, k in ((True, 50), (False, 2)):
        ours = list(ldata.WeightedRandomSampler(w, k, replacement))
        theirs = list(tdata.WeightedRandomSampler(w, k, replacement))
        assert len(ours) == len(theirs) == k
        assert set(ours) <= {1, 3} and set(theirs) <= {1, 3}
        if not replacement:
            assert sorted(ours) == sorted(theirs) == [1, 3]
    for bad in ({"num_samples": 0}, {"num_samples": True}, {"replacement": 0}):
        kwargs = {"num_samples": 2, **bad}
        same_error(ldata.WeightedRandomSampler, tdata.WeightedRandomSampler, w, **kwargs)
    same_error(lambda: ldata.WeightedRandomSampler([[1.0, 2.0]], 2),
               lambda: tdata.WeightedRandomSampler([[1.0, 2.0]], 2))
    # without replacement, the zero weights come after every positive one
    ours, theirs = list(ldata.WeightedRandomSampler(w, 4, False)), list(tdata.WeightedRandomSampler(w, 4, False))
    assert set(ours[:2]) == set(theirs[:2]) == {1, 3} and sorted(ours) == sorted(theirs) == [0, 1, 2, 3]
    for weights, k, replacement in ((w, 5, False), ([0.0, 0.0], 1, True), ([-1.0, 2.0], 1, True),
                                    ([np.nan, 1.0], 1, True)):
        same_error(_draw(ldata), _draw(tdata), weights, k, replacement)


# ------------------------------------------------------------------------------ collate
def _samples(kind):
    rng = np.random.default_rng(1)
    if kind == "tensors":
        return [ln.tensor(rng.standard_normal((2, 3)).astype(np.float32)) for _ in range(4)]
    if kind == "0d tensors":
        return [ln.tensor(np.int64(i)) for i in range(3)]
    if kind == "float64 tensors":
        return [ln.tensor(rng.standard_normal(2)) for _ in range(3)]
    if kind == "numpy arrays":
        return [rng.integers(0, 9, (2, 2)).astype(np.int32) for _ in range(3)]
    if kind == "0d arrays":
        return [np.array(1.5), np.array(2.5)]
    if kind == "numpy scalars":
        return [np.float32(1.5), np.float32(-2.0)]
    if kind == "numpy bools":
        return [np.bool_(True), np.bool_(False)]
    if kind == "floats":
        return [1.5, 2.0, -3.25]
    if kind == "ints":
        return [1, 2, 3]
    if kind == "bools":
        return [True, False]
    if kind == "int then float":
        return [1, 2.5]
    if kind == "strings":
        return ["a", "bc"]
    if kind == "bytes":
        return [b"a", b"b"]
    if kind == "tuples":
        return [(ln.tensor(np.ones(2, np.float32) * i), i, float(i), "s") for i in range(3)]
    if kind == "lists":
        return [[i, i * 2] for i in range(3)]
    if kind == "dicts":
        return [{"x": np.full(3, i, np.float32), "meta": {"id": i, "name": f"n{i}"},
                 "pair": (i, i + 0.5)} for i in range(2)]
    if kind == "namedtuples":
        return [Point(ln.tensor(np.float32(i)), [i, i]) for i in range(3)]
    raise KeyError(kind)


KINDS = ["tensors", "0d tensors", "float64 tensors", "numpy arrays", "0d arrays",
         "numpy scalars", "numpy bools", "floats", "ints", "bools", "int then float", "strings",
         "bytes", "tuples", "lists", "dicts", "namedtuples"]


@pytest.mark.parametrize("kind", KINDS)
def test_default_collate_matches_torch(kind):
    batch = _samples(kind)
    assert_same(ldata.default_collate(batch), tdata.default_collate(to_torch(batch)), kind)


@pytest.mark.parametrize("kind", KINDS)
def test_default_convert_matches_torch(kind):
    for sample in _samples(kind):
        assert_same(ldata.default_convert(sample), tdata.default_convert(to_torch(sample)), kind)
    arr = np.array(["a", "b"])
    assert ldata.default_convert(arr) is arr and tdata.default_convert(arr) is arr


@pytest.mark.parametrize("batch", [
    [np.zeros(2), np.zeros(3)], [[1, 2], [3]], [object(), object()], [np.array(["a"])],
    [np.array([1], dtype=object)], [None], [],
], ids=["unequal arrays", "unequal lists", "object", "str array", "object array", "None", "empty"])
def test_default_collate_errors_match_torch(batch):
    same_error(lambda: ldata.default_collate(batch), lambda: tdata.default_collate(batch))


def test_default_collate_unequal_tensors_message():
    ours = [ln.tensor(np.zeros(2, np.float32)), ln.tensor(np.zeros(3, np.float32))]
    same_error(lambda: ldata.default_collate(ours),
               lambda: tdata.default_collate(to_torch(ours)))


# ------------------------------------------------------------------------------ DataLoader
def _datasets(n=10):
    x, y = arrays(n)
    return (ldata.TensorDataset(ln.tensor(x), ln.tensor(y)),
            tdata.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)))


@pytest.mark.parametrize("batch_size", [1, 3, 4, 10, 16, None])
@pytest.mark.parametrize("drop_last", [False, True])
def test_loader_batches_and_len_match_torch(batch_size, drop_last):
    if batch_size is None and drop_last:
        return      # a conflict, tested below
    ours_ds, theirs_ds = _datasets()
    ours = ldata.DataLoader(ours_ds, batch_size=batch_size, drop_last=drop_last)
    theirs = tdata.DataLoader(theirs_ds, batch_size=batch_size, drop_last=drop_last)
    assert len(ours) == len(theirs)
    ours_batches, theirs_batches = list(ours), list(theirs)
    assert len(ours_batches) == len(theirs_batches)
    for b, (a, t) in enumerate(zip(ours_batches, theirs_batches)):
        assert_same(a, t, f"batch {b}")


def test_loader_with_sampler_batch_sampler_and_collate_fn():
    ours_ds, theirs_ds = _datasets()
    order = [9, 2, 5, 0, 7]
    pairs = [
        ({"sampler": order, "batch_size": 2}, {"sampler": order, "batch_size": 2}),
        ({"batch_sampler": [[1, 2], [8], [0, 3, 4]]}, {"batch_sampler": [[1, 2], [8], [0, 3, 4]]}),
        ({"batch_size": 4, "collate_fn": lambda b: [len(b), b[0][1]]},
         {"batch_size": 4, "collate_fn": lambda b: [len(b), b[0][1]]}),
        ({"batch_size": None, "sampler": order}, {"batch_size": None, "sampler": order}),
    ]
    for ours_kw, theirs_kw in pairs:
        ours, theirs = ldata.DataLoader(ours_ds, **ours_kw), tdata.DataLoader(theirs_ds, **theirs_kw)
        assert len(ours) == len(theirs)
        for a, t in zip(list(ours), list(theirs), strict=True):
            assert_same(a, t, str(ours_kw))


def test_loader_structured_samples_match_torch():
    class Ours(ldata.Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return {"image": np.full((2, 2), i, np.float32), "label": i, "w": i / 2,
                    "name": f"s{i}", "pt": Point(i, [i, -i])}

    class Theirs(tdata.Dataset):
        __len__, __getitem__ = Ours.__len__, Ours.__getitem__

    for kwargs in ({"batch_size": 2}, {"batch_size": None}, {"batch_size": 5, "drop_last": True}):
        for a, t in zip(list(ldata.DataLoader(Ours(), **kwargs)),
                        list(tdata.DataLoader(Theirs(), **kwargs)), strict=True):
            assert_same(a, t, str(kwargs))


def test_shuffled_loader_is_a_permutation_each_epoch_and_len_matches():
    ours_ds, _ = _datasets(20)
    loader = ldata.DataLoader(ours_ds, batch_size=6, shuffle=True)
    assert len(loader) == len(tdata.DataLoader(range(20), batch_size=6, shuffle=True)) == 4
    epochs = [np.concatenate([yb.data for _, yb in loader]) for _ in range(3)]
    y = ours_ds.tensors[1].data
    for e in epochs:
        assert sorted(e.tolist()) == sorted(y.tolist())
    orders = [np.concatenate([xb.data[:, 0] for xb, _ in loader]) for _ in range(2)]
    assert not np.array_equal(orders[0], orders[1])      # iterating again reshuffles


CONFLICTS = [
    {"num_workers": -1}, {"timeout": -1}, {"prefetch_factor": 2},
    {"num_workers": 1, "prefetch_factor": -1}, {"persistent_workers": True},
    {"sampler": [0, 1], "shuffle": True}, {"batch_sampler": [[0]], "batch_size": 2},
    {"batch_sampler": [[0]], "shuffle": True}, {"batch_sampler": [[0]], "sampler": [0]},
    {"batch_sampler": [[0]], "drop_last": True}, {"batch_size": None, "drop_last": True},
    {"multiprocessing_context": "fork"}, {"num_workers": 1, "multiprocessing_context": "nope"},
    {"num_workers": 1, "multiprocessing_context": 3}, {"batch_size": 0}, {"batch_size": 2.0},
    {"batch_size": 2, "drop_last": 1},
]


@pytest.mark.parametrize("kwargs", CONFLICTS, ids=[str(c) for c in CONFLICTS])
def test_loader_argument_errors_match_torch(kwargs):
    ours_ds, theirs_ds = _datasets()
    same_error(lambda: ldata.DataLoader(ours_ds, **kwargs),
               lambda: tdata.DataLoader(theirs_ds, **kwargs))


def test_loader_attributes_are_frozen_after_init():
    for attr in ("batch_size", "sampler", "batch_sampler", "drop_last", "dataset",
                 "persistent_workers"):
        same_error(lambda a: setattr(ldata.DataLoader(range(3)), a, None),
                   lambda a: setattr(tdata.DataLoader(range(3)), a, None), attr)
    ours = ldata.DataLoader(range(3))
    ours.num_workers = 0        # the others may change, as in torch
    assert ours.collate_fn is ldata.default_collate
    assert ldata.DataLoader(range(3), batch_size=None).collate_fn is ldata.default_convert


class OurStream(ldata.IterableDataset):
    def __init__(self, n, with_len=False):
        self.n, self.with_len = n, with_len

    def __iter__(self):
        return iter([(np.float32(i), i) for i in range(self.n)])

    def __len__(self):
        if not self.with_len:
            raise TypeError("no len")
        return self.n


class TheirStream(tdata.IterableDataset):
    __init__, __iter__, __len__ = OurStream.__init__, OurStream.__iter__, OurStream.__len__


@pytest.mark.parametrize("n, batch_size, drop_last", [
    (10, 3, False), (10, 3, True), (9, 3, True), (2, 5, False), (2, 5, True), (0, 2, False),
    (4, None, False)])
def test_iterable_dataset_batches_match_torch(n, batch_size, drop_last):
    ours = ldata.DataLoader(OurStream(n, True), batch_size=batch_size, drop_last=drop_last)
    theirs = tdata.DataLoader(TheirStream(n, True), batch_size=batch_size, drop_last=drop_last)
    assert len(ours) == len(theirs)
    for a, t in zip(list(ours), list(theirs), strict=True):
        assert_same(a, t)


def test_iterable_dataset_errors_and_len_warning():
    for kwargs in ({"shuffle": True}, {"sampler": [0]}, {"batch_sampler": [[0]]}):
        same_error(lambda kw: ldata.DataLoader(OurStream(3), **kw),
                   lambda kw: tdata.DataLoader(TheirStream(3), **kw), kwargs)
    same_error(lambda: len(ldata.DataLoader(OurStream(3))), lambda: len(tdata.DataLoader(TheirStream(3))))
    for cls, loader_cls in ((OurStream, ldata.DataLoader), (TheirStream, tdata.DataLoader)):
        ds = cls(5, True)
        loader = loader_cls(ds, batch_size=None)
        assert len(loader) == 5
        ds.n = 7                # the stream grew: more items than len() said
        with pytest.warns(UserWarning, match="was reported to be 5"):
            assert len(list(loader)) == 7
    chain = ldata.ChainDataset([OurStream(2, True), OurStream(3, True)])
    tchain = tdata.ChainDataset([TheirStream(2, True), TheirStream(3, True)])
    assert len(chain) == len(tchain) == 5
    assert_same(list(chain), list(tchain))
    assert isinstance(OurStream(1) + OurStream(2), ldata.ChainDataset)


def test_loader_over_lists_ranges_and_arrays_matches_torch():
    x, y = arrays(7)
    for dataset in (list(zip(x, y)), list(zip(x.tolist(), y.tolist())), np.arange(7), range(7),
                    x, [{"a": float(v)} for v in y]):
        for kwargs in ({"batch_size": 3}, {"batch_size": None}, {"batch_size": 2, "drop_last": True}):
            ours = list(ldata.DataLoader(dataset, **kwargs))
            theirs = list(tdata.DataLoader(dataset, **kwargs))
            assert len(ours) == len(theirs)
            for a, t in zip(ours, theirs):
                assert_same(a, t, f"{type(dataset).__name__} {kwargs}")
