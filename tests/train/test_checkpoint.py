"""Checkpoints: exact resumption after SIGTERM / Ctrl-C, refusal of foreign checkpoints."""

import os
import signal

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn, optim
from lucidnet.nn.dropout import Dropout
from lucidnet.train import (
    Callback,
    EarlyStopping,
    GracefulInterrupt,
    Trainer,
    load_checkpoint,
    read_checkpoint,
    save_checkpoint,
)

EPOCHS = 6


def _data(n=96, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centers = np.array([[2, 0], [-2, 2], [0, -2]], dtype=np.float32)
    return centers[y] + rng.standard_normal((n, 2)).astype(np.float32), y


def _trainer(seed, callbacks=()):
    ln.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), Dropout(0.3), nn.Linear(16, 3))
    opt = optim.Adam(model.parameters(), lr=0.03)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    es = EarlyStopping(patience=100)
    return Trainer(model, "cross_entropy", opt, metrics=["accuracy"], scheduler=sched,
                   callbacks=[es, *callbacks], verbose=0)


class _SendSignal(Callback):
    """Sends a signal to this process in the middle of an epoch."""

    def __init__(self, signum, epoch, batch=1):
        self.signum, self.epoch, self.batch, self.current = signum, epoch, batch, None

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch

    def on_batch_end(self, batch, logs=None):
        if self.current == self.epoch and batch == self.batch:
            os.kill(os.getpid(), self.signum)


def _fit(trainer, epochs):
    X, y = _data()
    return trainer.fit(X, y, epochs=epochs, batch_size=16, validation_split=0.25, seed=11)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_interrupted_and_resumed_run_equals_uninterrupted_run_exactly(tmp_path, signum):
    reference = _trainer(seed=1)
    ref_history = _fit(reference, EPOCHS)

    previous = signal.getsignal(signum)
    path = tmp_path / "interrupted.npz"
    guard = GracefulInterrupt(path, verbose=0)
    first = _trainer(seed=1, callbacks=[guard, _SendSignal(signum, epoch=2)])
    _fit(first, EPOCHS)
    assert guard.interrupted and guard.signal_name == signal.Signals(signum).name
    assert first.epoch == 3 and path.exists()  # finished epoch 3 (index 2), saved, stopped
    assert signal.getsignal(signum) is previous  # the old handler is back

    resumed = _trainer(seed=99)  # different initial weights: everything must come from the file
    meta = load_checkpoint(path, resumed)
    assert meta["epoch"] == 3 and resumed.epoch == 3
    assert resumed.callbacks[0]._resume["best_epoch"] == first.callbacks[0].best_epoch
    history = _fit(resumed, EPOCHS - resumed.epoch)

    for key, value in reference.model.state_dict().items():
        np.testing.assert_array_equal(resumed.model.state_dict()[key], value)
    assert history.history == ref_history.history
    for a, b in zip(reference.optimizer.state_dict()["state"].values(),
                    resumed.optimizer.state_dict()["state"].values()):
        np.testing.assert_array_equal(a["exp_avg_sq"], b["exp_avg_sq"])
    assert resumed.callbacks[0].best_epoch == reference.callbacks[0].best_epoch


def test_checkpoint_loads_as_a_model_and_keeps_metadata(tmp_path):
    trainer = _trainer(seed=0)
    _fit(trainer, 1)
    path = save_checkpoint(tmp_path / "c.npz", trainer, extra={"args": {"lr": 0.03}})
    model = ln.load(path)
    for k, v in trainer.model.state_dict().items():
        np.testing.assert_array_equal(model.state_dict()[k], v)
    state = read_checkpoint(path)
    assert state["metadata"] == {"args": {"lr": 0.03}} and state["trainer"]["epoch"] == 1


def test_checkpoint_from_another_architecture_is_refused(tmp_path):
    trainer = _trainer(seed=0)
    path = save_checkpoint(tmp_path / "c.npz", trainer)
    other = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 3), nn.Linear(3, 3))
    before = {k: v.copy() for k, v in other.state_dict().items()}
    wrong = Trainer(other, "cross_entropy", optim.Adam(other.parameters()), verbose=0)
    with pytest.raises(ValueError, match=r"does not fit this model: .*missing keys: 2.weight, 2.bias.*"
                                         r"shape mismatch: 0.weight: checkpoint \(16, 2\), model \(32, 2\)"):
        load_checkpoint(path, wrong)
    for k, v in other.state_dict().items():  # nothing was changed
        np.testing.assert_array_equal(v, before[k])


def test_checkpoint_with_another_optimizer_is_refused(tmp_path):
    trainer = _trainer(seed=0)
    path = save_checkpoint(tmp_path / "c.npz", trainer)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), Dropout(0.3), nn.Linear(16, 3))
    sgd = Trainer(model, "cross_entropy", optim.SGD(model.parameters(), lr=0.1), verbose=0)
    with pytest.raises(ValueError, match="was trained with Adam, this trainer uses SGD"):
        load_checkpoint(path, sgd)


def test_a_model_file_is_not_a_checkpoint(tmp_path):
    trainer = _trainer(seed=0)
    ln.save(trainer.model, tmp_path / "m.npz")
    with pytest.raises(ValueError, match="is not a training checkpoint .*load it with lucidnet.load"):
        load_checkpoint(tmp_path / "m.npz", trainer)
    with pytest.raises(FileNotFoundError):
        load_checkpoint(tmp_path / "missing.npz", trainer)
    with pytest.raises(TypeError, match="expects a lucidnet Trainer"):
        save_checkpoint(tmp_path / "x.npz", trainer.model)
