"""Trainer: the loop, validation, metrics, NaN handling, bad input (SPEC A2, E1)."""

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn, optim
from lucidnet.train import Callback, Trainer


def _blobs(n=200, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centers = np.array([[2, 0], [-2, 2], [0, -2]], dtype=np.float32)
    X = centers[y] + 0.6 * rng.standard_normal((n, 2)).astype(np.float32)
    return X, y


def _model():
    return nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))


def test_fit_learns_and_records_history():
    X, y = _blobs()
    model = _model()
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.02),
                      metrics=["accuracy"], verbose=0)
    history = trainer.fit(X, y, epochs=15, batch_size=16, validation_split=0.2, seed=0)
    assert len(history) == 15 and history["loss"][-1] < history["loss"][0]
    assert set(history.history) >= {"loss", "accuracy", "val_loss", "val_accuracy", "lr"}
    assert history["val_accuracy"][-1] > 0.9
    result = trainer.evaluate(X, y)
    assert result["accuracy"] > 0.9
    proba = trainer.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(trainer.predict(X), proba.argmax(axis=1))


def test_same_seed_same_weights():
    X, y = _blobs()
    finals = []
    for _ in range(2):
        ln.manual_seed(3)
        model = _model()
        Trainer(model, "cross_entropy", optim.SGD(model.parameters(), lr=0.1), verbose=0).fit(
            X, y, epochs=3, batch_size=8, seed=5)
        finals.append(model.state_dict())
    for k in finals[0]:
        np.testing.assert_array_equal(finals[0][k], finals[1][k])


@pytest.mark.parametrize("batch_size,steps", [(200, 1), (1, 200), (32, 7)])
def test_batch_stochastic_minibatch_step_counts(batch_size, steps):
    """SPEC E1: batch GD = one update per epoch, SGD = one per sample, mini-batch = ceil(N/k)."""
    X, y = _blobs()

    class Count(Callback):
        n = 0

        def on_batch_end(self, batch, logs=None):
            Count.n += 1

    model = _model()
    Trainer(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.01),
            callbacks=[Count()], verbose=0).fit(X, y, epochs=1, batch_size=batch_size)
    assert Count.n == steps


def test_regression_and_binary_single_output():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((128, 3)).astype(np.float32)
    y = X @ np.array([1.0, -2.0, 0.5], dtype=np.float32) + 0.3
    model = nn.Sequential(nn.Linear(3, 1))
    trainer = Trainer(model, nn.MSELoss(), optim.Adam(model.parameters(), lr=0.05), verbose=0)
    trainer.fit(X, y, epochs=60, batch_size=32, seed=0)
    assert trainer.evaluate(X, y)["loss"] < 1e-3
    assert trainer.predict(X).shape == (128, 1)
    with pytest.raises(ValueError, match="predict_proba applies to classifiers"):
        trainer.predict_proba(X)
    yb = (y > 0).astype(np.int64)
    model = nn.Sequential(nn.Linear(3, 1))
    trainer = Trainer(model, nn.BCEWithLogitsLoss(), optim.Adam(model.parameters(), lr=0.05), verbose=0)
    trainer.fit(X, yb, epochs=40, batch_size=32, seed=0)
    assert (trainer.predict(X) == yb).mean() > 0.9
    assert trainer.predict_proba(X).shape == (128, 2)


def test_nan_loss_stops_and_keeps_last_good_weights():
    X, y = _blobs()
    model = _model()
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=1e12), verbose=0)
    with pytest.warns(RuntimeWarning, match="the loss became"):
        trainer.fit(X * 1e3, y, epochs=5, batch_size=16, seed=0)
    assert trainer.diverged
    assert all(np.all(np.isfinite(p.data)) for p in model.parameters())
    with ln.no_grad():
        out = model(ln.tensor(X[:16] * 1e3))
        assert np.isfinite(float(nn.functional.cross_entropy(out, y[:16]).data))


def test_bad_input_is_rejected_clearly():
    X, y = _blobs()
    model = _model()
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), verbose=0)
    with pytest.raises(ValueError, match="different lengths: 200 samples vs 199"):
        trainer.fit(X, y[:-1])
    with pytest.raises(ValueError, match="empty"):
        trainer.fit(X[:0], y[:0])
    bad = X.copy()
    bad[7, 1] = np.nan
    with pytest.raises(ValueError, match="NaN or infinite values \\(first in sample 7\\)"):
        trainer.fit(bad, y)
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1"):
        trainer.fit(X, y, batch_size=0)
    with pytest.raises(ValueError, match="labels must be in \\[0, 2\\]"):
        trainer.fit(X, y + 1, epochs=1)
    with pytest.raises(ValueError, match="must be integers"):
        trainer.fit(X, y + 0.5, epochs=1)
    with pytest.raises(ValueError, match="layer 0 \\(Linear\\)"):
        trainer.fit(np.zeros((10, 5), dtype=np.float32), y[:10], epochs=1)


def test_training_metrics_follow_the_shuffled_order():
    X, y = _blobs(300)
    model = _model()
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.02),
                      metrics=["accuracy"], verbose=0)
    h = trainer.fit(X, y, epochs=10, batch_size=16, seed=0)
    assert h["accuracy"][-1] > 0.9  # would be ~1/3 if outputs were compared in the wrong order


def test_transform_is_applied_to_training_batches_only():
    X, y = _blobs(64)
    seen = []

    def transform(xb):
        seen.append(xb.shape)
        return xb + 0.0

    model = _model()
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.01), verbose=0)
    trainer.fit(X, y, epochs=1, batch_size=32, validation_data=(X, y), transform=transform)
    assert seen == [(32, 2), (32, 2)]


def test_a_last_batch_of_one_joins_the_previous_batch_with_batchnorm():
    """BatchNorm cannot normalize one sample (PyTorch raises); the Trainer merges that batch."""
    X, y = _blobs(65)
    model = nn.Sequential(nn.Linear(2, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
    sizes = []

    class Sizes(Callback):
        def on_batch_end(self, batch, logs=None):
            sizes.append(batch)

    Trainer(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1),
            callbacks=[Sizes()], verbose=0).fit(X, y, epochs=1, batch_size=16, seed=0)
    assert len(sizes) == 4  # 16 + 16 + 16 + 17, not 16 * 4 + 1
    plain = _model()
    sizes.clear()
    Trainer(plain, nn.CrossEntropyLoss(), optim.SGD(plain.parameters(), lr=0.1),
            callbacks=[Sizes()], verbose=0).fit(X, y, epochs=1, batch_size=16, seed=0)
    assert len(sizes) == 5  # without BatchNorm nothing changes
