"""Trainer.fit / evaluate / predict with a lucidnet.utils.data DataLoader (Keras users try
fit(loader)): the same training as arrays given the same batches, validation loaders, errors."""

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn, optim
from lucidnet.train import Trainer
from lucidnet.utils.data import DataLoader, IterableDataset, TensorDataset


def _blobs(n=96, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centers = np.array([[2, 0], [-2, 2], [0, -2]], dtype=np.float32)
    return centers[y] + 0.6 * rng.standard_normal((n, 2)).astype(np.float32), y


def _trainer(seed=0, **kwargs):
    ln.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 3))
    return Trainer(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1),
                   metrics=["accuracy"], verbose=0, **kwargs)


def _weights(trainer):
    return [p.data.copy() for p in trainer.model.parameters()]


def test_fit_loader_equals_fit_arrays_on_the_same_batches():
    X, y = _blobs()
    Xv, yv = _blobs(30, seed=1)
    arrays = _trainer()
    h_arrays = arrays.fit(X, y, epochs=3, batch_size=16, shuffle=False, validation_data=(Xv, yv))
    loader = DataLoader(TensorDataset(ln.tensor(X), ln.tensor(y)), batch_size=16)
    val_loader = DataLoader(TensorDataset(ln.tensor(Xv), ln.tensor(yv)), batch_size=7)
    loaded = _trainer()
    h_loader = loaded.fit(loader, epochs=3, val_data=val_loader)
    assert list(h_loader.history) == list(h_arrays.history)
    for key in h_arrays.history:
        np.testing.assert_allclose(h_loader[key], h_arrays[key], rtol=1e-6, err_msg=key)
    for a, b in zip(_weights(loaded), _weights(arrays)):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert loaded.params["steps"] == 6 and loaded.params["samples"] == 96
    # evaluate and predict take loaders too
    ev_arrays, ev_loader = arrays.evaluate(Xv, yv), loaded.evaluate(val_loader)
    assert ev_arrays.keys() == ev_loader.keys()
    for k in ev_arrays:
        assert ev_loader[k] == pytest.approx(ev_arrays[k], rel=1e-6)
    np.testing.assert_array_equal(loaded.predict(val_loader), loaded.predict(Xv))
    np.testing.assert_allclose(loaded.predict_proba(val_loader), loaded.predict_proba(Xv), rtol=1e-6)


def test_fit_a_shuffled_loader_a_list_of_batches_and_numpy_batches():
    X, y = _blobs()
    loader = DataLoader(TensorDataset(ln.tensor(X), ln.tensor(y)), batch_size=8, shuffle=True)
    history = _trainer().fit(loader, epochs=5, validation_data=(X, y))
    assert len(history) == 5 and history["loss"][-1] < history["loss"][0]
    assert history["val_accuracy"][-1] > 0.8
    batches = [(X[i:i + 32], y[i:i + 32]) for i in range(0, 96, 32)]      # NumPy pairs, a list
    a = _trainer().fit(batches, epochs=2)
    b = _trainer().fit(X, y, epochs=2, batch_size=32, shuffle=False)
    np.testing.assert_allclose(a["loss"], b["loss"], rtol=1e-6)


class Stream(IterableDataset):
    def __init__(self, X, y):
        self.X, self.y = X, y

    def __iter__(self):
        return iter(zip(self.X, self.y))


def test_fit_an_iterable_dataset_loader_without_len():
    X, y = _blobs(40)
    trainer = _trainer()
    history = trainer.fit(DataLoader(Stream(X, y), batch_size=16), epochs=2)
    assert len(history) == 2 and trainer.params["steps"] is None


def test_fit_loader_bad_input_is_a_clear_error():
    X, y = _blobs(20)
    loader = DataLoader(TensorDataset(ln.tensor(X), ln.tensor(y)), batch_size=8)
    trainer = _trainer()
    with pytest.raises(TypeError, match=r"epochs by keyword: fit\(loader, epochs=3\)"):
        trainer.fit(loader, 3)
    with pytest.raises(TypeError, match="y must be left out"):
        trainer.fit(loader, y)
    with pytest.raises(ValueError, match="validation_split needs arrays"):
        trainer.fit(loader, validation_split=0.2)
    with pytest.raises(ValueError, match="pass validation_data or its alias val_data, not both"):
        trainer.fit(loader, validation_data=loader, val_data=loader)
    with pytest.raises(TypeError, match="needs the targets y"):
        trainer.fit(X)
    with pytest.raises(ValueError, match="must be a pair"):
        trainer.fit(DataLoader(TensorDataset(ln.tensor(X)), batch_size=8), epochs=1)
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="inputs of training batch 0 contains NaN"):
        trainer.fit(DataLoader(TensorDataset(ln.tensor(bad), ln.tensor(y)), batch_size=8), epochs=1)
    once = ((X[i:i + 10], y[i:i + 10]) for i in (0, 10))       # a generator: one pass only
    with pytest.raises(ValueError, match="no batches in epoch 2"):
        trainer.fit(once, epochs=2)
    with pytest.raises(ValueError, match="validation_data must be a pair"):
        trainer.fit(X, y, epochs=1, validation_data=3)
    with pytest.raises(TypeError, match="needs the targets y"):
        trainer.evaluate(X)
    with pytest.raises(TypeError, match=r"holds samples.*pass DataLoader\(dataset"):
        trainer.fit(TensorDataset(ln.tensor(X), ln.tensor(y)))
    with pytest.raises(TypeError, match="holds samples"):
        trainer.evaluate(TensorDataset(ln.tensor(X), ln.tensor(y)))
