"""Issue 16, training loop: cleanup after an exception in fit, the model's modes after
evaluate / predict, and divergence with BatchNorm (buffers rolled back, non-finite weights or
running statistics count as divergence)."""

import signal
import threading

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import models, nn, optim
from lucidnet.train import Callback, GracefulInterrupt, ProgressBar, Trainer
from lucidnet.train.diagnostics import GradientMonitor


def _data(n=200, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 8)).astype(np.float32)
    return X, (X[:, 0] + X[:, 1] > 0).astype(np.int64)


def _mlp(batch_norm=False):
    ln.manual_seed(0)
    return models.MLP(8, hidden=(16, 16), out_features=2, batch_norm=batch_norm)


class Boom(Callback):
    def __init__(self, where="on_batch_end"):
        self.where = where
        self.calls = []

    def on_train_end(self, logs=None):
        self.calls.append("on_train_end")

    def on_exception(self, exception):
        self.calls.append(("on_exception", type(exception).__name__))

    def on_batch_end(self, batch, logs=None):
        if self.where == "on_batch_end" and batch == 2:
            raise RuntimeError("boom")


# ------------------------------------------------------------------ exceptions inside fit
@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(),
                    reason="signal handlers are installed from the main thread only")
@pytest.mark.parametrize("failure", ["callback", "loss"])
def test_exception_in_fit_restores_signal_handlers_and_runs_on_exception(tmp_path, failure):
    X, y = _data()
    model = _mlp()

    def handler(signum, frame):  # the user's own handlers, to be found again afterwards
        pass

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        boom = Boom("on_batch_end" if failure == "callback" else "none")
        graceful = GracefulInterrupt(tmp_path / "ckpt.npz", verbose=0)
        loss = nn.CrossEntropyLoss()
        if failure == "loss":
            calls = []

            def loss(out, target):  # noqa: F811 - a loss that fails on the third batch
                calls.append(1)
                if len(calls) == 3:
                    raise ValueError("bad batch")
                return nn.functional.cross_entropy(out, target)
        trainer = Trainer(model, loss, optim.SGD(model.parameters(), lr=0.1),
                          callbacks=[boom, graceful], verbose=0)
        with pytest.raises(RuntimeError if failure == "callback" else ValueError):
            trainer.fit(X, y, epochs=2, batch_size=16)
        assert signal.getsignal(signal.SIGINT) is handler
        assert signal.getsignal(signal.SIGTERM) is handler
        expected = "RuntimeError" if failure == "callback" else "ValueError"
        assert boom.calls == [("on_exception", expected)]      # not on_train_end (Lightning)
        assert graceful._previous == {}
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def test_failing_cleanup_does_not_stop_the_others_or_hide_the_error():
    class BadCleanup(Callback):
        def on_exception(self, exception):
            raise OSError("cleanup failed")

    X, y = _data()
    model = _mlp()
    boom = Boom()
    trainer = Trainer(model, "cross_entropy", optim.SGD(model.parameters(), lr=0.1),
                      callbacks=[BadCleanup(), boom], verbose=0)
    with pytest.warns(RuntimeWarning, match="BadCleanup.on_exception failed with OSError"):
        with pytest.raises(RuntimeError, match="boom"):
            trainer.fit(X, y, epochs=1, batch_size=16)
    assert boom.calls == [("on_exception", "RuntimeError")]


def test_keyboard_interrupt_reaches_on_exception_and_gradient_monitor_unpatches():
    class CtrlC(Callback):
        def on_batch_end(self, batch, logs=None):
            raise KeyboardInterrupt

    X, y = _data()
    model = _mlp()
    bar = ProgressBar()
    trainer = Trainer(model, "cross_entropy", optim.SGD(model.parameters(), lr=0.1),
                      callbacks=[GradientMonitor(warn=False), bar, CtrlC()], verbose=0)
    with pytest.raises(KeyboardInterrupt):
        trainer.fit(X, y, epochs=1, batch_size=16)
    assert "forward" not in model.__dict__          # the monitor's patched forward is gone
    assert bar.bar is None                          # the progress bar was closed


# ------------------------------------------------------------------ modes after inference
def _modes(model):
    return [m.training for m in model.modules()]


@pytest.mark.parametrize("method", ["evaluate", "predict", "predict_proba", "predict_raw"])
def test_inference_restores_each_submodules_mode(method):
    X, y = _data()
    model = _mlp(batch_norm=True)
    trainer = Trainer(model, "cross_entropy", optim.SGD(model.parameters(), lr=0.1), verbose=0)
    call = (lambda: trainer.evaluate(X, y)) if method == "evaluate" else \
        (lambda: getattr(trainer, method)(X))
    model.eval()
    call()
    assert not any(_modes(model))                   # was: back in train mode
    model.train()
    bn = next(m for m in model.modules() if isinstance(m, nn.BatchNorm1d))
    bn.eval()                                       # a frozen BatchNorm inside a training model
    before = _modes(model)
    call()
    assert _modes(model) == before


def test_inference_restores_modes_even_when_the_forward_fails():
    class Fails(nn.Module):
        def forward(self, x):
            raise RuntimeError("forward failed")

    model = nn.Sequential(nn.Linear(8, 2), Fails())
    model.train()
    trainer = Trainer(model, "cross_entropy", optim.SGD(model.parameters(), lr=0.1), verbose=0)
    with pytest.raises(RuntimeError, match="forward failed"):
        trainer.predict(_data()[0])
    assert all(_modes(model))


# ------------------------------------------------------------------ divergence with BatchNorm
def _all_finite(model):
    return all(np.all(np.isfinite(v)) for v in model.state_dict().values())


@pytest.mark.parametrize("lr", [1e20, 1000.0])
def test_batchnorm_divergence_rolls_back_buffers_and_keeps_a_finite_model(lr):
    """lr=1e20: the loss becomes NaN and the running statistics were left NaN (predictions NaN).
    lr=1000: the loss stayed finite while the running variance became inf; diverged was False."""
    X, y = _data()
    model = _mlp(batch_norm=True)
    trainer = Trainer(model, "cross_entropy", optim.SGD(model.parameters(), lr=lr),
                      metrics=["accuracy"], verbose=0)
    with pytest.warns(RuntimeWarning, match="training diverged at epoch"):
        history = trainer.fit(X, y, epochs=3, batch_size=32, validation_split=0.2, seed=0)
    assert trainer.diverged and trainer.divergence.startswith("training diverged at epoch")
    assert _all_finite(model)
    assert np.all(np.isfinite(trainer.predict_proba(X)))
    trainer.evaluate(X, y)                          # metrics accept the predictions
    assert len(history) == trainer.epoch            # only completed epochs are recorded


def test_non_finite_parameter_after_the_update_is_divergence():
    """A finite loss whose gradient overflows gives inf weights: stop and roll back."""
    X, y = _data()
    model = nn.Sequential(nn.Linear(8, 2))
    trainer = Trainer(model, "cross_entropy", optim.SGD(model.parameters(), lr=1e38), verbose=0)
    start = [p.data.copy() for p in model.parameters()]
    with pytest.warns(RuntimeWarning, match="batch 1: the update made a parameter NaN or infinite"):
        history = trainer.fit(X * 1e3, y, epochs=2, batch_size=200)
    assert trainer.diverged and len(history) == 0 and trainer.epoch == 0
    for p, p0 in zip(model.parameters(), start):
        np.testing.assert_array_equal(p.data, p0)    # back to the weights of the finite loss


def test_buffers_are_rolled_back_with_the_weights_to_the_same_step():
    X, y = _data()
    model = _mlp(batch_norm=True)
    trainer = Trainer(model, "cross_entropy", optim.SGD(model.parameters(), lr=1e20), verbose=0)
    snapshots = []

    class Record(Callback):
        def on_batch_begin(self, batch, logs=None):
            snapshots.append(model.state_dict())

    trainer.callbacks = [Record()]
    with pytest.warns(RuntimeWarning, match="diverged"):
        trainer.fit(X, y, epochs=1, batch_size=32, shuffle=False)
    # the kept state: the weights before the last good step, with the running statistics that
    # the forward pass of that step produced -- the state before the next batch minus one step
    kept = model.state_dict()
    last_good_weights = snapshots[-2]
    for key, value in kept.items():
        if "running" not in key and "num_batches" not in key:
            np.testing.assert_array_equal(value, last_good_weights[key])
    assert np.all(np.isfinite(kept["1.running_var"])) and np.all(kept["1.running_var"] > 0)
    assert int(kept["1.num_batches_tracked"]) == len(snapshots) - 1


def test_lr_find_and_layer_outputs_give_back_each_submodules_mode():
    from lucidnet.train import lr_find
    from lucidnet.train.diagnostics import layer_outputs

    X, y = _data()
    model = _mlp(batch_norm=True)
    trainer = Trainer(model, "cross_entropy", optim.SGD(model.parameters(), lr=0.1), verbose=0)
    model.eval()
    lr_find(trainer, X, y, num_steps=5, batch_size=32)
    assert not any(_modes(model))                   # was: left in train mode
    model.train()
    next(m for m in model.modules() if isinstance(m, nn.BatchNorm1d)).eval()
    before = _modes(model)
    layer_outputs(model, X[:10])
    assert _modes(model) == before                  # was: the frozen BatchNorm back in train


# ------------------------------------------------------------------ unique temporary files
def test_history_csv_and_csv_logger_use_their_own_temporary_files(tmp_path):
    """A fixed name (history.csv.tmp) is shared by two concurrent writers; here a directory of
    that name stands for the other writer's file, which must not be touched."""
    from lucidnet.train import CSVLogger, History

    history = History()
    history.append(0, {"loss": 0.5})
    target = tmp_path / "history.csv"
    (tmp_path / "history.csv.tmp").mkdir()
    (tmp_path / ".log.csv.tmp").mkdir()
    history.to_csv(target)
    assert target.read_text().splitlines() == ["epoch,loss", "1,0.5"]

    X, y = _data()
    model = _mlp()
    log = CSVLogger(tmp_path / "log.csv")
    Trainer(model, "cross_entropy", optim.SGD(model.parameters(), lr=0.1), callbacks=[log],
            verbose=0).fit(X, y, epochs=2, batch_size=64)
    assert len((tmp_path / "log.csv").read_text().splitlines()) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".log.csv.tmp", "history.csv", "history.csv.tmp", "log.csv"]     # no temporary left


def test_atomic_write_removes_its_temporary_file_on_error(tmp_path, monkeypatch):
    import os

    from lucidnet._atomic import write_atomically

    def fail(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_atomically(tmp_path / "a.csv", "x")
    assert list(tmp_path.iterdir()) == []


def test_every_writer_uses_unique_temporary_names(tmp_path):
    """Figures, lab reports, run files and CSV logs all go through one atomic writer whose
    temporary names are unique (two concurrent writers never share one)."""
    from lucidnet._atomic import atomic_path

    with atomic_path(tmp_path / "f.png") as a, atomic_path(tmp_path / "f.png") as b:
        assert a != b
        for name in (a, b):
            with open(name, "w") as f:
                f.write(name)
    assert (tmp_path / "f.png").read_text() == a  # the last to finish wins, whole
    assert [p.name for p in tmp_path.iterdir()] == ["f.png"]
