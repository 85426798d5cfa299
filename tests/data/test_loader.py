import json

import numpy as np
import pytest

import lucidnet
from lucidnet.data import DataLoader, GaussianNoise


def _data(n=10, d=3):
    X = np.arange(n * d, dtype=np.float32).reshape(n, d)
    return X, np.arange(n)


@pytest.mark.parametrize("batch_size, drop_last, sizes", [
    (10, False, [10]),            # batch gradient descent
    (None, False, [10]),          # None = full batch
    (1, False, [1] * 10),         # stochastic gradient descent
    (4, False, [4, 4, 2]),        # mini-batch
    (4, True, [4, 4]),
    (32, False, [10]),
    (32, True, []),
])
def test_batch_sizes_cover_gd_sgd_minibatch(batch_size, drop_last, sizes):
    X, y = _data()
    loader = DataLoader(X, y, batch_size=batch_size, drop_last=drop_last)
    batches = list(loader)
    assert len(loader) == len(sizes)
    assert [len(xb) for xb, _ in batches] == sizes
    if not drop_last:
        np.testing.assert_array_equal(np.concatenate([yb for _, yb in batches]), y)
        np.testing.assert_array_equal(np.concatenate([xb for xb, _ in batches]), X)


def test_shuffle_is_a_permutation_with_pairs_kept():
    X, y = _data(50)
    loader = DataLoader(X, y, batch_size=7, shuffle=True, seed=3)
    xs, ys = zip(*loader)
    ys = np.concatenate(ys)
    assert sorted(ys.tolist()) == list(range(50))
    assert not np.array_equal(ys, np.arange(50))
    np.testing.assert_array_equal(np.concatenate(xs), X[ys])


def test_seeded_epochs_repeat_across_runs_and_differ_between_epochs():
    X, y = _data(30)
    def run():
        loader = DataLoader(X, y, batch_size=8, shuffle=True, seed=11)
        return [np.concatenate([yb for _, yb in loader]) for _ in range(3)]
    a, b = run(), run()
    for ea, eb in zip(a, b):
        np.testing.assert_array_equal(ea, eb)
    assert not np.array_equal(a[0], a[1])


def test_unseeded_loader_follows_manual_seed():
    X, y = _data(30)
    orders = []
    for _ in range(2):
        lucidnet.manual_seed(5)
        loader = DataLoader(X, y, batch_size=30, shuffle=True)
        orders.append(next(iter(loader))[1])
    np.testing.assert_array_equal(*orders)


def test_state_dict_resumes_identically_and_is_json():
    X, y = _data(40)
    ref = DataLoader(X, y, batch_size=6, shuffle=True, seed=2, transform=GaussianNoise(0.1, seed=4))
    for _ in ref:   # epoch 1
        pass
    state = json.loads(json.dumps(ref.state_dict()))
    expected = [(xb.copy(), yb.copy()) for xb, yb in ref]  # epoch 2
    resumed = DataLoader(X, y, batch_size=6, shuffle=True, seed=999,
                         transform=GaussianNoise(0.1, seed=0))
    resumed.load_state_dict(state)
    got = list(resumed)
    assert resumed.epoch == ref.epoch == 2
    for (xa, ya), (xb, yb) in zip(expected, got):
        np.testing.assert_array_equal(ya, yb)
        np.testing.assert_array_equal(xa, xb)


def test_transform_applied_per_batch_and_y_none():
    X, _ = _data(9)
    loader = DataLoader(X, batch_size=4, transform=lambda xb: xb * 2)
    batches = list(loader)
    assert all(yb is None for _, yb in batches)
    np.testing.assert_array_equal(np.concatenate([xb for xb, _ in batches]), X * 2)


def test_no_shuffle_batches_are_views():
    X, y = _data(12)
    xb, _ = next(iter(DataLoader(X, y, batch_size=5)))
    assert np.shares_memory(xb, X)


@pytest.mark.parametrize("kwargs, match", [
    ({"X": np.zeros((5, 2)), "y": np.zeros(4)}, "same number of samples"),
    ({"X": np.zeros((0, 2))}, "empty"),
    ({"X": np.zeros((5, 2)), "batch_size": 0}, "batch_size must be a positive integer"),
    ({"X": np.zeros((5, 2)), "batch_size": 2.5}, "batch_size must be a positive integer"),
    ({"X": np.array([[1.0, np.nan]])}, "NaN or inf"),
    ({"X": np.array([[1.0, np.inf]])}, r"index \(0, 1\)"),
    ({"X": np.zeros((2, 1)), "y": np.array([0.0, np.nan])}, "y contains NaN"),
    ({"X": np.zeros((2, 1)), "seed": -1}, "seed must be a non-negative integer"),
])
def test_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DataLoader(**kwargs)


def test_bad_state_and_transform():
    with pytest.raises(TypeError, match="transform must be callable"):
        DataLoader(np.zeros((2, 1)), transform=3)
    with pytest.raises(ValueError, match="state_dict"):
        DataLoader(np.zeros((2, 1))).load_state_dict({"epoch": 1})
