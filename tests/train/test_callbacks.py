"""Callbacks: early stopping, checkpoints, CSV log, LR schedule, NaN stop (SPEC I3, J3)."""

import csv
import math
import types

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn, optim
from lucidnet.train import (
    CSVLogger,
    EarlyStopping,
    GracefulInterrupt,
    LearningRateScheduler,
    ModelCheckpoint,
    ProgressBar,
    TerminateOnNaN,
    Trainer,
)


def _fake_trainer():
    return types.SimpleNamespace(model=nn.Linear(2, 1), stop_training=False)


def _drive(cb, values, key="val_loss"):
    """Feed a scripted sequence of epoch values; return the epochs actually run."""
    trainer = _fake_trainer()
    cb.set_trainer(trainer)
    cb.on_train_begin()
    ran = 0
    for epoch, v in enumerate(values):
        trainer.model.weight.data[...] = epoch  # weights remember the epoch they belong to
        cb.on_epoch_end(epoch, {key: v, "loss": 0.0})
        ran += 1
        if trainer.stop_training:
            break
    cb.on_train_end()
    return ran, trainer


def test_early_stopping_patience_and_restore_scripted():
    values = [1.0, 0.8, 0.7, 0.75, 0.72, 0.71, 0.5]
    es = EarlyStopping(patience=2, restore_best_weights=True)
    ran, trainer = _drive(es, values)
    assert (ran, es.stopped_epoch, es.best_epoch, es.best) == (5, 4, 2, 0.7)
    assert np.all(trainer.model.weight.data == 2)  # the weights of the best epoch are back
    # patience 4 reaches the later improvement; state resets between runs
    es.patience = 4
    ran, _ = _drive(es, values)
    assert (ran, es.stopped_epoch, es.best_epoch) == (7, 0, 6)


def test_early_stopping_min_delta_mode_and_baseline():
    # improvements of 0.01 do not count with min_delta=0.05
    es = EarlyStopping(patience=1, min_delta=0.05)
    ran, _ = _drive(es, [1.0, 0.99, 0.98, 0.97])
    assert ran == 2 and es.best_epoch == 0
    # accuracy is maximized in "auto" mode (from the metric registry)
    es = EarlyStopping(monitor="val_accuracy", patience=1)
    assert es.mode == "max"
    ran, _ = _drive(es, [0.5, 0.6, 0.55, 0.58], key="val_accuracy")
    assert ran == 3 and es.best == 0.6
    # a baseline that is never beaten stops once `patience` epochs have gone by
    es = EarlyStopping(patience=2, baseline=0.1)
    ran, _ = _drive(es, [1.0, 0.9, 0.8, 0.7, 0.6])
    assert ran == 2 and es.best == 0.9
    ran, _ = _drive(EarlyStopping(patience=2, baseline=0.95), [1.0, 0.9, 0.8, 0.7, 0.6])
    assert ran == 5


def test_early_stopping_on_real_training_stops_near_validation_minimum():
    """SPEC I3: a too-big net on few noisy points overfits; training stops `patience` epochs after
    the validation minimum and the restored model has the minimum's validation loss."""
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (60, 1))
    y = np.sin(3 * X[:, 0]) + 0.4 * rng.standard_normal(60)
    Xv = rng.uniform(-1, 1, (200, 1))
    yv = np.sin(3 * Xv[:, 0]) + 0.4 * rng.standard_normal(200)
    model = nn.Sequential(nn.Linear(1, 128), nn.Tanh(), nn.Linear(128, 128), nn.Tanh(),
                          nn.Linear(128, 1))
    es = EarlyStopping(patience=5, restore_best_weights=True)
    trainer = Trainer(model, "mse", optim.Adam(model.parameters(), lr=0.01), callbacks=[es],
                      verbose=0)
    history = trainer.fit(X, y, epochs=300, batch_size=60, validation_data=(Xv, yv), seed=0)
    val = np.array(history["val_loss"])
    assert len(history) < 300, "validation loss never rose: the test problem does not overfit"
    assert es.best_epoch == int(np.argmin(val))
    assert es.stopped_epoch == es.best_epoch + 5 == len(history) - 1
    assert trainer.evaluate(Xv, yv)["loss"] == pytest.approx(val.min(), rel=1e-5)
    assert val[-1] > val.min()


def test_missing_monitor_warns_with_available_names():
    es = EarlyStopping(monitor="val_accuracy")
    trainer = _fake_trainer()
    es.set_trainer(trainer)
    es.on_train_begin()
    with pytest.warns(RuntimeWarning, match=r"'val_accuracy', which is not available \(validation "
                                            r"metrics need .*Available metrics are: loss, accuracy"):
        es.on_epoch_end(0, {"loss": 1.0, "accuracy": 0.5})
    assert not trainer.stop_training


@pytest.mark.parametrize("make,exc,match", [
    (lambda: EarlyStopping(mode="bogus"), ValueError,
     "EarlyStopping: mode must be one of 'auto', 'min', 'max', got 'bogus'"),
    (lambda: EarlyStopping(patience=-1), ValueError,
     "EarlyStopping: patience must be an integer >= 0, got -1"),
    (lambda: EarlyStopping(patience=1.5), TypeError,
     "EarlyStopping: patience must be an integer, got 1.5"),
    (lambda: EarlyStopping(patience=True), TypeError, "patience must be an integer, got True"),
    (lambda: EarlyStopping(start_from_epoch=-2), ValueError,
     "start_from_epoch must be an integer >= 0, got -2"),
    (lambda: EarlyStopping(min_delta=-0.1), ValueError,
     r"EarlyStopping: min_delta must be a finite number in \[0.0, inf\), got -0.1"),
    (lambda: EarlyStopping(min_delta=float("nan")), ValueError, "min_delta must be a finite number"),
    (lambda: EarlyStopping(baseline="0.5"), TypeError, "baseline must be a real number, got '0.5'"),
    (lambda: EarlyStopping(restore_best_weights="yes"), TypeError,
     "restore_best_weights must be True or False, got 'yes'"),
    (lambda: EarlyStopping(verbose=-1), ValueError, "verbose must be an integer >= 0, got -1"),
    (lambda: ModelCheckpoint("x.npz", save_best_only="False"), TypeError,
     "ModelCheckpoint: save_best_only must be True or False, got 'False'"),
    (lambda: CSVLogger("x.csv", append=1), TypeError, "CSVLogger: append must be True or False"),
    (lambda: ProgressBar(update_every=0), ValueError,
     "ProgressBar: update_every must be an integer >= 1, got 0"),
    (lambda: GracefulInterrupt("x.npz", signals=("SIGBOGUS",)), ValueError,
     "GracefulInterrupt: signals must be one of .*'SIGTERM'.*got 'SIGBOGUS'"),
    (lambda: GracefulInterrupt("x.npz", signals=(10_000,)), ValueError,
     "10000 is not a signal of this platform"),
    (lambda: EarlyStopping(monitor=3), TypeError, "monitor must be the name of a logged quantity"),
    (lambda: ModelCheckpoint("x.npz", mode="up"), ValueError, "mode must be"),
    (lambda: CSVLogger("x.csv", separator=";;"), ValueError, "separator must be one character"),
    (lambda: LearningRateScheduler(0.1), TypeError, "schedule must be callable, got 0.1"),
])
def test_bad_arguments(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_good_arguments_are_kept_as_plain_python_values():
    es = EarlyStopping(patience=np.int64(3), min_delta=np.float32(0.5), baseline=np.float64(1.0),
                       verbose=True, restore_best_weights=np.bool_(True))
    assert (es.patience, es.min_delta, es.baseline, es.verbose) == (3, 0.5, 1.0, 1)
    assert type(es.patience) is int and type(es.min_delta) is float
    assert es.restore_best_weights is True
    assert GracefulInterrupt("x.npz", signals=("SIGTERM", 2)).signals == [15, 2]


def test_auto_mode_unknown_metric_warns():
    with pytest.warns(UserWarning, match="cannot tell whether 'val_weird' should rise or fall"):
        assert EarlyStopping(monitor="val_weird").mode == "min"


def _blobs(n=120, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centers = np.array([[2, 0], [-2, 2], [0, -2]], dtype=np.float32)
    return centers[y] + 0.8 * rng.standard_normal((n, 2)).astype(np.float32), y


def _trainer(callbacks, lr=0.05, **kw):
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 3))
    return Trainer(model, "cross_entropy", optim.SGD(model.parameters(), lr=lr),
                   metrics=["accuracy"], callbacks=callbacks, verbose=0, **kw)


def test_model_checkpoint_best_only_writes_on_improvement(tmp_path):
    X, y = _blobs()
    ck = ModelCheckpoint(tmp_path / "ck-{epoch:02d}-{val_loss:.4f}.npz", save_best_only=True)
    trainer = _trainer([ck], lr=0.5)
    history = trainer.fit(X, y, epochs=8, batch_size=16, validation_split=0.25, seed=0)
    val = history["val_loss"]
    improved = [e for e in range(len(val)) if val[e] < min(val[:e], default=math.inf)]
    expected = [str(tmp_path / f"ck-{e + 1:02d}-{val[e]:.4f}.npz") for e in improved]
    assert ck.saved == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.split("/")[-1] for p in expected)
    # the last file holds the model of the best epoch, loadable with lucidnet.load
    model = ln.load(expected[-1])
    out = model(ln.tensor(X[:5])).data
    assert out.shape == (5, 3) and np.all(np.isfinite(out))


def test_model_checkpoint_once_at_the_end(tmp_path):
    X, y = _blobs()
    ck = ModelCheckpoint(tmp_path / "last.npz", save_every_epoch=False)
    trainer = _trainer([ck])
    trainer.fit(X, y, epochs=3, batch_size=32, seed=0)
    assert ck.saved == [str(tmp_path / "last.npz")]
    model = ln.load(tmp_path / "last.npz")
    for k, v in trainer.model.state_dict().items():
        np.testing.assert_array_equal(model.state_dict()[k], v)
    with pytest.raises(ValueError, match="uses 'val_acc', which is not in the epoch logs"):
        bad = ModelCheckpoint(tmp_path / "{val_acc}.npz")
        _trainer([bad]).fit(X, y, epochs=1, batch_size=32)


def test_csv_logger_rows_match_history_and_append(tmp_path):
    X, y = _blobs()
    path = tmp_path / "log.csv"
    trainer = _trainer([CSVLogger(path)])
    history = trainer.fit(X, y, epochs=3, batch_size=32, validation_split=0.2, seed=0)
    with open(path) as f:
        rows = list(csv.DictReader(f))
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3]
    assert [float(r["val_loss"]) for r in rows] == history["val_loss"]
    trainer.callbacks = [CSVLogger(path, append=True)]
    trainer.fit(X, y, epochs=2, batch_size=32, validation_split=0.2)
    with open(path) as f:
        assert [int(r["epoch"]) for r in csv.DictReader(f)] == [1, 2, 3, 4, 5]


def test_learning_rate_scheduler_sets_lr_each_epoch():
    X, y = _blobs()
    trainer = _trainer([LearningRateScheduler(lambda epoch: 0.1 * 0.5 ** epoch)])
    history = trainer.fit(X, y, epochs=4, batch_size=32, seed=0)
    np.testing.assert_allclose(history["lr"], [0.1, 0.05, 0.025, 0.0125])
    trainer = _trainer([LearningRateScheduler(lambda epoch, lr: lr * 0.9)], lr=1.0)
    np.testing.assert_allclose(trainer.fit(X, y, epochs=2, batch_size=32)["lr"], [0.9, 0.81])
    with pytest.raises(ValueError, match="the schedule returned -1.0 at epoch 0"):
        _trainer([LearningRateScheduler(lambda e: -1.0)]).fit(X, y, epochs=1)


def test_terminate_on_nan_stops_on_invalid_validation_values(capsys):
    cb = TerminateOnNaN()
    ran, trainer = _drive(cb, [1.0, float("nan"), 0.5])
    assert ran == 2 and trainer.stop_training
    assert "invalid val_loss = nan" in capsys.readouterr().out


def test_model_checkpoint_best_state_written_once_at_the_end(tmp_path):
    X, y = _blobs()
    ck = ModelCheckpoint(tmp_path / "best.npz", save_best_only=True, save_every_epoch=False)
    trainer = _trainer([ck], lr=0.5)
    history = trainer.fit(X, y, epochs=6, batch_size=16, validation_split=0.25, seed=0)
    assert ck.saved == [str(tmp_path / "best.npz")]
    from lucidnet.train import read_checkpoint

    meta = read_checkpoint(tmp_path / "best.npz")["metadata"]
    best = int(np.argmin(history["val_loss"]))
    assert meta["epoch"] == best + 1 and meta["value"] == history["val_loss"][best]
