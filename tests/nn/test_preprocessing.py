"""nn.Standardize: the input scaler as a layer (issue 16: a CLI model takes raw inputs)."""

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn
from tests.helpers import check_gradient


def test_standardize_formula_shapes_and_state_dict_round_trip(tmp_path):
    mean, std = np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 2.0, 4.0, 8.0])
    layer = nn.Standardize(4, mean=mean, std=std)
    x = np.random.default_rng(0).normal(size=(5, 4))
    np.testing.assert_allclose(layer(x).data, (x - mean) / std, rtol=1e-6)
    images = x.reshape(5, 1, 2, 2)  # image-shaped inputs keep their shape
    np.testing.assert_allclose(layer(images).data, ((x - mean) / std).reshape(5, 1, 2, 2), rtol=1e-6)
    assert set(layer.state_dict()) == {"mean", "std"}
    ln.save(nn.Sequential(layer, nn.Linear(4, 2)), tmp_path / "m.npz")
    loaded = ln.load(tmp_path / "m.npz")
    np.testing.assert_array_equal(loaded[0].std, layer.std)


def test_standardize_gradient():
    ln.set_default_dtype(np.float64)
    layer = nn.Standardize(3, mean=[0.5, -1.0, 2.0], std=[2.0, 0.5, 1.5])
    check_gradient([(4, 3)], lambda x: layer(x))


@pytest.mark.parametrize("kwargs, match", [
    ({"num_features": 0}, "positive integer"),
    ({"num_features": 2, "std": [1.0, 0.0]}, "std must be positive"),
    ({"num_features": 2, "mean": [1.0]}, "mean must be 2 finite numbers"),
])
def test_standardize_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        nn.Standardize(**kwargs)


def test_standardize_rejects_the_wrong_number_of_features():
    with pytest.raises(ValueError, match="3 values per sample, got shape"):
        nn.Standardize(3)(np.zeros((2, 4)))
