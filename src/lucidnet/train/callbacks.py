"""Callbacks: no-op hooks the `Trainer` calls at train / epoch / batch begin and end.

A callback may read ``self.trainer`` (model, optimizer, history) and set
``self.trainer.stop_training = True`` to end training after the current epoch.

``on_train_end`` marks a training that ended normally. When an exception (Ctrl-C included)
escapes ``fit``, ``on_exception(exception)`` runs instead (PyTorch Lightning's hook): a callback
that changes something outside itself in ``on_train_begin`` (signal handlers, patched methods,
open progress bars) undoes it there too.
"""

from __future__ import annotations

import csv
import inspect
import io
import math
import numbers
import os
import signal
import sys
import threading
import warnings

from .._atomic import write_atomically
from .._validation import check_bool, check_choice, check_int, check_real
from .checkpoint import save_checkpoint

__all__ = [
    "CSVLogger",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "GracefulInterrupt",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "ProgressBar",
    "TerminateOnNaN",
]


def _is_global_zero(trainer) -> bool:
    """Rank 0 of a data-parallel fit (or the only process): the one that writes and prints."""
    return getattr(trainer, "is_global_zero", True)


class Callback:
    """Base class: override the hooks you need (all default to doing nothing).

    In a data-parallel fit over MPI every rank runs every callback with the same logs;
    ``self.trainer.is_global_zero`` tells rank 0 (the only one that should write files or
    print), ``self.trainer.global_rank`` / ``world_size`` the rank and the number of ranks.

    ``epoch`` and ``batch`` are 0-based indices; ``logs`` is a dict of numbers: at the end of
    a batch ``{"loss": ...}``, at the end of an epoch the epoch's mean ``loss``, every metric,
    ``lr`` and, with validation data, ``val_loss`` / ``val_<metric>``.

    Examples
    --------
    >>> from lucidnet.train import Callback, Trainer
    >>> class Recorder(Callback):
    ...     def __init__(self):
    ...         self.seen = []
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         self.seen.append((epoch, round(logs["lr"], 2)))
    >>> X = np.random.default_rng(0).normal(size=(16, 2)).astype(np.float32)
    >>> y = (X[:, 0] > 0).astype(np.int64)
    >>> model = ln.nn.Linear(2, 2)
    >>> recorder = Recorder()
    >>> trainer = Trainer(model, ln.nn.CrossEntropyLoss(),
    ...                   ln.optim.SGD(model.parameters(), lr=0.1), callbacks=[recorder])
    >>> _ = trainer.fit(X, y, epochs=2, batch_size=8)
    >>> recorder.seen
    [(0, 0.1), (1, 0.1)]
    """

    trainer = None

    def set_trainer(self, trainer) -> None:
        """Attach the Trainer that runs this callback (called by the Trainer before
        ``on_train_begin``); hooks then reach it as ``self.trainer``."""
        self.trainer = trainer

    def on_train_begin(self, logs=None):
        """Called once when ``fit`` starts, before the first epoch: reset per-run state here."""

    def on_train_end(self, logs=None):
        """Called once when ``fit`` ends normally (not after an exception: see
        :meth:`on_exception`); ``logs`` are the last epoch's."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of epoch ``epoch`` (0-based)."""

    def on_epoch_end(self, epoch, logs=None):
        """Called after epoch ``epoch`` (and its validation) with the epoch's ``logs``; set
        ``self.trainer.stop_training = True`` here to stop after this epoch."""

    def on_batch_begin(self, batch, logs=None):
        """Called before training step ``batch`` (0-based within the epoch)."""

    def on_batch_end(self, batch, logs=None):
        """Called after training step ``batch`` with ``logs = {"loss": <batch loss>}``."""

    def on_exception(self, exception: BaseException):
        """Called instead of :meth:`on_train_end` when ``exception`` (Ctrl-C included) escapes
        ``fit``: undo here what ``on_train_begin`` changed outside the callback."""


class CallbackList(Callback):
    """Forwards every hook to each callback in order (the Trainer wraps its callbacks in one).

    Only callbacks that override a hook are called for it, so hooks nobody uses cost nothing
    per batch.

    Examples
    --------
    >>> from lucidnet.train import Callback, CallbackList
    >>> class Hello(Callback):
    ...     def on_train_begin(self, logs=None):
    ...         print("hello")
    >>> callbacks = CallbackList([Hello(), Hello()])
    >>> callbacks.on_train_begin()
    hello
    hello
    """

    HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
             "on_batch_begin", "on_batch_end")

    def __init__(self, callbacks=()):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"callbacks must be Callback instances, got {type(cb).__name__}")
        # only dispatch to callbacks that override a hook: the per-batch cost stays ~zero
        for hook in self.HOOKS:
            active = [getattr(cb, hook) for cb in self.callbacks
                      if getattr(type(cb), hook) is not getattr(Callback, hook)]
            setattr(self, hook, self._dispatch(active))

    @staticmethod
    def _dispatch(methods):
        if not methods:
            return lambda *args, **kwargs: None

        def call(*args, **kwargs):
            for m in methods:
                m(*args, **kwargs)
        return call

    def set_trainer(self, trainer) -> None:
        """Attach ``trainer`` to every callback of the list."""
        for cb in self.callbacks:
            cb.set_trainer(trainer)

    def on_exception(self, exception: BaseException) -> None:
        """Every callback's ``on_exception`` runs, even if one of them fails (that failure is
        reported as a warning: the exception that stopped training is the one to see)."""
        for cb in self.callbacks:
            try:
                cb.on_exception(exception)
            except Exception as err:  # noqa: BLE001 - cleanup must reach every callback
                warnings.warn(f"{type(cb).__name__}.on_exception failed with "
                              f"{type(err).__name__}: {err} (while handling "
                              f"{type(exception).__name__})", RuntimeWarning, stacklevel=2)


class ProgressBar(Callback):
    """A tqdm bar per epoch showing the running loss and, at the end, every metric.

    Parameters
    ----------
    update_every : int
        The running loss in the bar's postfix is refreshed every ``update_every`` batches (>= 1).

    Examples
    --------
    ``Trainer(verbose=1)`` (the default) adds a bar by itself; pass ``verbose=0`` and a
    ProgressBar to choose ``update_every``. The bars go to stderr (rank 0 only in a
    data-parallel fit):

    >>> from lucidnet.train import ProgressBar, Trainer
    >>> X = np.random.default_rng(0).normal(size=(32, 2)).astype(np.float32)
    >>> y = (X[:, 0] > 0).astype(np.int64)
    >>> model = ln.nn.Linear(2, 2)
    >>> trainer = Trainer(model, "cross_entropy", ln.optim.SGD(model.parameters(), lr=0.1),
    ...                   callbacks=[ProgressBar(update_every=1)], verbose=0)
    >>> len(trainer.fit(X, y, epochs=2, batch_size=16))
    2
    >>> ProgressBar(update_every=0)
    Traceback (most recent call last):
    ...
    ValueError: ProgressBar: update_every must be an integer >= 1, got 0
    """

    def __init__(self, update_every: int = 10):
        self.update_every = check_int("ProgressBar", "update_every", update_every, low=1)
        self.bar = None

    def on_epoch_begin(self, epoch, logs=None):
        if not _is_global_zero(self.trainer):  # over MPI, rank 0 shows the bar
            return
        from tqdm.auto import tqdm

        total_epochs = self.trainer.params.get("epochs")
        self.bar = tqdm(total=self.trainer.params.get("steps"), desc=f"epoch {epoch + 1}/{total_epochs}",
                        unit="batch", leave=True, dynamic_ncols=True, mininterval=0.2)

    def on_batch_end(self, batch, logs=None):
        if self.bar is None:
            return
        self.bar.update(1)
        if batch % self.update_every == 0 and logs:
            self.bar.set_postfix(loss=f"{logs['loss']:.4f}", refresh=False)

    def on_epoch_end(self, epoch, logs=None):
        if self.bar is None:
            return
        self.bar.set_postfix({k: f"{v:.4f}" for k, v in (logs or {}).items()
                              if isinstance(v, float)}, refresh=False)
        self._close()

    def _close(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def on_train_end(self, logs=None):     # an epoch cut short by divergence leaves a bar open
        self._close()

    def on_exception(self, exception):
        self._close()


def _verbosity(owner: str, verbose) -> int:
    """``verbose`` as an int >= 0 (True / False count as 1 / 0, as Keras takes them)."""
    if isinstance(verbose, bool):
        return int(verbose)
    return check_int(owner, "verbose", verbose, low=0)


# ====================================================================== monitored-metric helpers
def _monitor_mode(owner: str, monitor: str, mode: str) -> str:
    """Resolve "auto": the metric registry knows each metric's direction; "*loss"/"*error" minimize."""
    check_choice(owner, "mode", mode, ("auto", "min", "max"))
    if mode != "auto":
        return mode
    base = monitor.removeprefix("val_")
    if base in ("loss", "lr") or base.endswith(("loss", "error")):
        return "min"
    try:
        from ..metrics import get_metric

        return "max" if get_metric(base).greater_is_better else "min"
    except (ValueError, KeyError, TypeError):
        pass
    if any(s in base for s in ("acc", "auc", "f1", "score", "precision", "recall", "r2")):
        return "max"
    warnings.warn(f"{owner}: cannot tell whether {monitor!r} should rise or fall; assuming 'min' "
                  "(pass mode='max' if higher is better)", stacklevel=3)
    return "min"


class _Monitored(Callback):
    """Shared by metric-driven callbacks: which log entry, which direction, what counts as better."""

    def __init__(self, monitor: str, mode: str, min_delta: float = 0.0):
        owner = type(self).__name__
        if not isinstance(monitor, str) or not monitor:
            raise TypeError(f"{owner}: monitor must be the name of a logged quantity such as "
                            f"'val_loss', got {monitor!r}")
        self.min_delta = check_real(owner, "min_delta", min_delta, low=0.0)
        self.monitor = monitor
        self.mode = _monitor_mode(owner, monitor, mode)
        self._warned_missing = False

    def _reset_best(self) -> None:
        self.best = math.inf if self.mode == "min" else -math.inf

    def _is_improvement(self, current: float, reference: float) -> bool:
        if self.mode == "min":
            return current + self.min_delta < reference
        return current - self.min_delta > reference

    def _current(self, logs) -> float | None:
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            if not self._warned_missing:
                self._warned_missing = True
                hint = ""
                if self.monitor.startswith("val_"):
                    hint = " (validation metrics need validation_data or validation_split in fit)"
                warnings.warn(
                    f"{type(self).__name__} is conditioned on {self.monitor!r}, which is not "
                    f"available{hint}. Available metrics are: {', '.join(logs) or 'none'}",
                    RuntimeWarning, stacklevel=3)
            return None
        return float(value)


def _weights(model) -> dict:
    return {k: v.copy() for k, v in model.state_dict().items()}


# ====================================================================== early stopping
class EarlyStopping(_Monitored):
    """Stop when a monitored quantity has stopped improving (early stopping); Keras semantics.

    An epoch improves when ``current < best - min_delta`` (mode "min") or
    ``current > best + min_delta`` (mode "max"); training stops once ``patience`` epochs in a row
    have not improved.

    Parameters
    ----------
    monitor : str
        The logged quantity, e.g. "val_loss", "val_accuracy", "loss".
    min_delta : float
        An improvement must beat the best value by more than this.
    patience : int
        Epochs without improvement after which training stops.
    verbose : int
        1 prints a line when training stops and when the best weights are restored.
    mode : {"auto", "min", "max"}
        "auto" takes the direction from the metric's name ("min" for losses).
    baseline : float, optional
        Training stops if the monitored value does not beat this within ``patience`` epochs.
    restore_best_weights : bool
        At the end of training, put back the weights of the best epoch.
    start_from_epoch : int
        Epochs to wait before monitoring (warm-up).

    Attributes
    ----------
    stopped_epoch : int
        The 0-based epoch at which training stopped; 0 if it never stopped.
    best_epoch : int
        The 0-based epoch of the best monitored value.
    best : float
        The best monitored value.

    Examples
    --------
    An improvement must beat the best value by more than 10, which never happens, so training
    stops after the first epoch and ``patience`` more:

    >>> from lucidnet.train import Trainer
    >>> X = np.random.default_rng(0).normal(size=(32, 2)).astype(np.float32)
    >>> y = (X[:, 0] > 0).astype(np.int64)
    >>> def make_trainer(callbacks):
    ...     model = ln.nn.Sequential(ln.nn.Linear(2, 4), ln.nn.ReLU(), ln.nn.Linear(4, 2))
    ...     return Trainer(model, ln.nn.CrossEntropyLoss(),
    ...                    ln.optim.SGD(model.parameters(), lr=0.1), callbacks=callbacks)
    >>> from lucidnet.train import EarlyStopping
    >>> stop = EarlyStopping(monitor="val_loss", patience=2, min_delta=10.0)
    >>> history = make_trainer([stop]).fit(X, y, epochs=20, batch_size=16, validation_split=0.25)
    >>> len(history), stop.best_epoch, stop.stopped_epoch
    (3, 0, 2)
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0,
                 verbose: int = 0, mode: str = "auto", baseline: float | None = None,
                 restore_best_weights: bool = False, start_from_epoch: int = 0):
        super().__init__(monitor, mode, min_delta)
        self.patience = check_int("EarlyStopping", "patience", patience, low=0)
        self.verbose = _verbosity("EarlyStopping", verbose)
        self.baseline = None if baseline is None else check_real("EarlyStopping", "baseline",
                                                                  baseline)
        self.restore_best_weights = check_bool("EarlyStopping", "restore_best_weights",
                                               restore_best_weights)
        self.start_from_epoch = check_int("EarlyStopping", "start_from_epoch", start_from_epoch,
                                          low=0)
        self._resume = None
        self._reset()

    def _reset(self) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best_epoch = 0
        self.best_weights = None
        self._reset_best()

    def on_train_begin(self, logs=None):
        self._reset()
        self._warned_missing = False
        if self._resume is not None:
            self.load_state_dict(self._resume, _now=True)
            self._resume = None

    def on_epoch_end(self, epoch, logs=None):
        current = self._current(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = _weights(self.trainer.model)  # no progress ever: keep the first
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = _weights(self.trainer.model)
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
                return
            # improving, but still short of the baseline: patience keeps running
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.trainer.stop_training = True
            if self.verbose and _is_global_zero(self.trainer):
                print(f"Epoch {epoch + 1}: early stopping: {self.monitor} has not improved for "
                      f"{self.wait} epochs (best {self.best:.6g} at epoch {self.best_epoch + 1})")

    def on_train_end(self, logs=None):
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose and _is_global_zero(self.trainer):
                print(f"Restoring the weights of epoch {self.best_epoch + 1} "
                      f"({self.monitor} = {self.best:.6g})")
            self.trainer.model.load_state_dict(self.best_weights)

    # resumable: the counters travel in checkpoints (see lucidnet.train.checkpoint)
    def state_dict(self) -> dict:
        """The counters a resumed run needs: epochs waited, best value and epoch, the stopped
        epoch and the best weights (when ``restore_best_weights``)."""
        return {"wait": self.wait, "best": self.best, "best_epoch": self.best_epoch,
                "stopped_epoch": self.stopped_epoch, "best_weights": self.best_weights}

    def load_state_dict(self, state: dict, _now: bool = False) -> None:
        """Restore counters; they take effect at the next ``on_train_begin`` (which resets)."""
        if not _now:
            self._resume = state
            return
        self.wait = int(state["wait"])
        self.best = float(state["best"])
        self.best_epoch = int(state["best_epoch"])
        self.stopped_epoch = int(state.get("stopped_epoch", 0))
        bw = state.get("best_weights")
        self.best_weights = None if bw is None else dict(bw)


# ====================================================================== checkpoints
class ModelCheckpoint(_Monitored):
    """Write a full training checkpoint (model, optimizer, schedule, RNG, history) atomically.

    The file is read back with `lucidnet.train.load_checkpoint` (or `lucidnet.load` for the model).
    In a data-parallel fit only rank 0 writes (every rank holds the same state); ``saved``
    lists the files on every rank.

    Parameters
    ----------
    path : str or os.PathLike
        The file name; it may hold ``str.format`` fields filled from the epoch logs,
        e.g. ``"ckpt/epoch{epoch:03d}-{val_loss:.3f}.npz"`` (``epoch`` is 1-based).
    monitor : str
        The logged quantity that defines "best" (used when ``save_best_only``).
    mode : {"auto", "min", "max"}
        The direction of ``monitor``; "auto" takes it from the metric's name.
    save_best_only : bool
        Write only when the monitored value improves (by more than ``min_delta``).
    save_every_epoch : bool
        True writes at the end of each qualifying epoch; False writes once, at the end of
        training (the final state, or the best one with ``save_best_only``).
    min_delta : float
        An improvement must beat the best value by more than this.
    verbose : int
        1 prints a line for every file written.

    Attributes
    ----------
    saved : list of str
        The files written so far in this ``fit``, in order.

    Examples
    --------
    >>> from lucidnet.train import Trainer
    >>> X = np.random.default_rng(0).normal(size=(32, 2)).astype(np.float32)
    >>> y = (X[:, 0] > 0).astype(np.int64)
    >>> def make_trainer(callbacks):
    ...     model = ln.nn.Sequential(ln.nn.Linear(2, 4), ln.nn.ReLU(), ln.nn.Linear(4, 2))
    ...     return Trainer(model, ln.nn.CrossEntropyLoss(),
    ...                    ln.optim.SGD(model.parameters(), lr=0.1), callbacks=callbacks)
    >>> from lucidnet.train import ModelCheckpoint
    >>> checkpoint = ModelCheckpoint("best.npz", monitor="val_loss", save_best_only=True)
    >>> _ = make_trainer([checkpoint]).fit(X, y, epochs=3, batch_size=16, validation_split=0.25)
    >>> checkpoint.saved[-1]
    'best.npz'
    """

    def __init__(self, path, monitor: str = "val_loss", mode: str = "auto",
                 save_best_only: bool = False, save_every_epoch: bool = True,
                 min_delta: float = 0.0, verbose: int = 0):
        super().__init__(monitor, mode, min_delta)
        self.path = os.fspath(path)
        self.save_best_only = check_bool("ModelCheckpoint", "save_best_only", save_best_only)
        self.save_every_epoch = check_bool("ModelCheckpoint", "save_every_epoch",
                                           save_every_epoch)
        self.verbose = _verbosity("ModelCheckpoint", verbose)
        self._reset_best()
        self.saved: list[str] = []
        self._pending = None

    def on_train_begin(self, logs=None):
        self._warned_missing = False
        self._pending = None
        self.saved = []

    def _format(self, epoch, logs) -> str:
        try:
            return self.path.format(epoch=epoch + 1, **(logs or {}))
        except KeyError as err:
            raise ValueError(f"ModelCheckpoint: path {self.path!r} uses {err}, which is not in the "
                             f"epoch logs ({', '.join(logs or {})})") from None

    def on_epoch_end(self, epoch, logs=None):
        if self.save_best_only:
            current = self._current(logs)
            if current is None or not self._is_improvement(current, self.best):
                return
            self.best = current
        path = self._format(epoch, logs)
        if self.save_every_epoch:
            self._write(path, epoch, logs)
        elif not _is_global_zero(self.trainer):
            self._pending = (path, None)
        elif self.save_best_only:  # keep the best state in memory, write it at the end
            from .checkpoint import checkpoint_state

            self._pending = (path, checkpoint_state(self.trainer, self._extra(epoch, logs)))
        else:
            self._pending = (path, epoch, dict(logs or {}))

    def _extra(self, epoch, logs) -> dict:
        value = (logs or {}).get(self.monitor)
        return {"epoch": epoch + 1, "monitor": self.monitor,
                "value": None if value is None else float(value)}

    def _write(self, path, epoch, logs):
        if _is_global_zero(self.trainer):
            save_checkpoint(path, self.trainer, extra=self._extra(epoch, logs))
            if self.verbose:
                print(f"Epoch {epoch + 1}: checkpoint written to {path}")
        self.saved.append(path)

    def on_train_end(self, logs=None):
        if self.save_every_epoch or self._pending is None:
            return
        if not _is_global_zero(self.trainer):
            self.saved.append(self._pending[0])
        elif self.save_best_only:
            from ..io import save_state

            path, state = self._pending
            save_state(path, state)
            self.saved.append(path)
        else:
            self._write(*self._pending)
        self._pending = None

    def state_dict(self) -> dict:
        """``{"best": <best monitored value so far>}``, for resuming a run."""
        return {"best": self.best}

    def load_state_dict(self, state: dict) -> None:
        """Restore the best value from :meth:`state_dict`, so a resumed run only saves when it
        beats the value of the run it continues."""
        self.best = float(state["best"])


# ====================================================================== logging, schedules, NaN
class CSVLogger(Callback):
    """One CSV row per epoch (epoch, loss, metrics, lr); the file is rewritten atomically each epoch.

    ``append=True`` keeps the rows already in the file (use it when resuming a run).
    In a data-parallel fit only rank 0 writes the file.

    Examples
    --------
    >>> from lucidnet.train import Trainer
    >>> X = np.random.default_rng(0).normal(size=(32, 2)).astype(np.float32)
    >>> y = (X[:, 0] > 0).astype(np.int64)
    >>> def make_trainer(callbacks):
    ...     model = ln.nn.Sequential(ln.nn.Linear(2, 4), ln.nn.ReLU(), ln.nn.Linear(4, 2))
    ...     return Trainer(model, ln.nn.CrossEntropyLoss(),
    ...                    ln.optim.SGD(model.parameters(), lr=0.1), callbacks=callbacks)
    >>> from lucidnet.train import CSVLogger
    >>> _ = make_trainer([CSVLogger("log.csv")]).fit(X, y, epochs=2, batch_size=16)
    >>> open("log.csv").read().splitlines()[0]
    'epoch,loss,lr'
    """

    def __init__(self, path, separator: str = ",", append: bool = False):
        if not isinstance(separator, str) or len(separator) != 1:
            raise ValueError(f"CSVLogger: separator must be one character, got {separator!r}")
        self.path = os.fspath(path)
        self.separator = separator
        self.append = check_bool("CSVLogger", "append", append)
        self.rows: list[dict] = []

    def on_train_begin(self, logs=None):
        self.rows = []
        if self.append and os.path.exists(self.path):
            with open(self.path, newline="") as f:
                self.rows = [dict(r) for r in csv.DictReader(f, delimiter=self.separator)]

    def on_epoch_end(self, epoch, logs=None):
        row = {"epoch": str(epoch + 1)}
        row.update({k: repr(float(v)) if isinstance(v, numbers.Real) else str(v)
                    for k, v in (logs or {}).items()})
        self.rows.append(row)
        if not _is_global_zero(self.trainer):
            return
        keys = list(dict.fromkeys(k for r in self.rows for k in r))
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=keys, delimiter=self.separator, restval="")
        w.writeheader()
        w.writerows(self.rows)
        write_atomically(self.path, buf.getvalue())


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of each epoch: ``lr = schedule(epoch)`` or
    ``schedule(epoch, lr)`` (0-based epoch, current lr), as in Keras. Applies to every param group.

    Examples
    --------
    >>> from lucidnet.train import Trainer
    >>> X = np.random.default_rng(0).normal(size=(32, 2)).astype(np.float32)
    >>> y = (X[:, 0] > 0).astype(np.int64)
    >>> def make_trainer(callbacks):
    ...     model = ln.nn.Sequential(ln.nn.Linear(2, 4), ln.nn.ReLU(), ln.nn.Linear(4, 2))
    ...     return Trainer(model, ln.nn.CrossEntropyLoss(),
    ...                    ln.optim.SGD(model.parameters(), lr=0.1), callbacks=callbacks)
    >>> from lucidnet.train import LearningRateScheduler
    >>> halve = LearningRateScheduler(lambda epoch: 0.1 * 0.5 ** epoch)
    >>> make_trainer([halve]).fit(X, y, epochs=3, batch_size=16)["lr"]
    [0.1, 0.05, 0.025]
    """

    def __init__(self, schedule, verbose: int = 0):
        if not callable(schedule):
            raise TypeError(f"LearningRateScheduler: schedule must be callable, got {schedule!r}")
        self.schedule = schedule
        self.verbose = _verbosity("LearningRateScheduler", verbose)
        try:
            self._n_args = len(inspect.signature(schedule).parameters)
        except (TypeError, ValueError):
            self._n_args = 2

    def on_epoch_begin(self, epoch, logs=None):
        groups = self.trainer.optimizer.param_groups
        lr = float(groups[0]["lr"])
        new = self.schedule(epoch, lr) if self._n_args >= 2 else self.schedule(epoch)
        if isinstance(new, bool) or not isinstance(new, numbers.Real) or not math.isfinite(new) \
                or new < 0:
            raise ValueError(f"LearningRateScheduler: the schedule returned {new!r} at epoch "
                             f"{epoch}; it must return a finite learning rate >= 0")
        for g in groups:
            g["lr"] = float(new)
        if self.verbose and _is_global_zero(self.trainer):
            print(f"Epoch {epoch + 1}: learning rate set to {float(new):.6g}")


class TerminateOnNaN(Callback):
    """Stop training as soon as the batch loss or any epoch value (e.g. val_loss) is NaN or inf.

    (The Trainer already stops on a NaN training loss and keeps the last good weights; this also
    covers validation values and custom logs.)

    Examples
    --------
    The hook on its own, with a stand-in for the trainer:

    >>> from types import SimpleNamespace
    >>> from lucidnet.train import TerminateOnNaN
    >>> stop = TerminateOnNaN()
    >>> stop.set_trainer(SimpleNamespace(stop_training=False))
    >>> stop.on_epoch_end(4, {"loss": 0.3, "val_loss": float("nan")})
    Epoch 5: invalid val_loss = nan, terminating training
    >>> stop.trainer.stop_training
    True
    """

    def _check(self, logs, where):
        for k, v in (logs or {}).items():
            if isinstance(v, numbers.Real) and not math.isfinite(v):
                if _is_global_zero(self.trainer):
                    print(f"{where}: invalid {k} = {v}, terminating training")
                self.trainer.stop_training = True
                return

    def on_batch_end(self, batch, logs=None):
        self._check(logs, f"Batch {batch + 1}")

    def on_epoch_end(self, epoch, logs=None):
        self._check(logs, f"Epoch {epoch + 1}")


# ====================================================================== Ctrl-C / SIGTERM
def _signal_number(sig) -> signal.Signals:
    """A signal given by name ("SIGTERM") or number, checked against the platform's signals."""
    names = sorted(s.name for s in signal.Signals)
    if isinstance(sig, str):
        if sig not in names:
            check_choice("GracefulInterrupt", "signals", sig, names)
        return signal.Signals[sig]
    try:
        return signal.Signals(check_int("GracefulInterrupt", "signals", sig))
    except ValueError:
        raise ValueError(f"GracefulInterrupt: signals: {sig!r} is not a signal of this platform; "
                         f"use a name such as 'SIGTERM'") from None


class GracefulInterrupt(Callback):
    """On Ctrl-C (SIGINT) or SIGTERM: finish the current epoch, write a checkpoint, stop cleanly.

    Installs its signal handlers in ``on_train_begin`` (main thread only) and puts the previous
    ones back in ``on_train_end``, or in ``on_exception`` if training fails. A second signal
    before the epoch ends aborts at once (``KeyboardInterrupt``). Stopping at an epoch boundary
    is what makes the resumed run exact: ``load_checkpoint(path, trainer)`` then ``trainer.fit(X, y, epochs=remaining, ...)``.
    After training, ``interrupted`` is True and ``signal_name`` names the signal if one came.

    In a data-parallel fit over MPI (``mpirun`` passes SIGTERM / SIGINT on to every rank) each
    rank installs the handlers; the trainer tells every rank at the end of the epoch if any of
    them caught a signal, so all stop after the same epoch; rank 0 alone writes the checkpoint
    and prints.

    Examples
    --------
    A SIGTERM raised during the first epoch (as ``kill -TERM <pid>`` would send it): the epoch
    ends, the checkpoint is written and training stops:

    >>> from lucidnet.train import Trainer
    >>> X = np.random.default_rng(0).normal(size=(32, 2)).astype(np.float32)
    >>> y = (X[:, 0] > 0).astype(np.int64)
    >>> def make_trainer(callbacks=()):
    ...     model = ln.nn.Sequential(ln.nn.Linear(2, 4), ln.nn.ReLU(), ln.nn.Linear(4, 2))
    ...     return Trainer(model, ln.nn.CrossEntropyLoss(),
    ...                    ln.optim.SGD(model.parameters(), lr=0.1), callbacks=list(callbacks))
    >>> import signal
    >>> from lucidnet.train import Callback, GracefulInterrupt, read_checkpoint
    >>> class SendTerm(Callback):
    ...     def on_batch_end(self, batch, logs=None):
    ...         if batch == 0 and self.trainer.epoch == 0:
    ...             signal.raise_signal(signal.SIGTERM)
    >>> guard = GracefulInterrupt("interrupted.npz", verbose=0)
    >>> history = make_trainer([guard, SendTerm()]).fit(X, y, epochs=5, batch_size=16)
    >>> guard.interrupted, guard.signal_name, len(history)
    (True, 'SIGTERM', 1)
    >>> read_checkpoint("interrupted.npz")["metadata"]
    {'epoch': 1, 'interrupted_by': 'SIGTERM'}
    """

    def __init__(self, path, signals=("SIGINT", "SIGTERM"), verbose: int = 1):
        self.path = os.fspath(path)
        self.signals = [_signal_number(s) for s in signals]
        self.verbose = _verbosity("GracefulInterrupt", verbose)
        self.interrupted = False
        self.signal_name = None
        self._previous: dict = {}

    def _handler(self, signum, frame):
        if self.interrupted:  # second signal: give up waiting
            raise KeyboardInterrupt
        self.interrupted = True
        self.signal_name = signal.Signals(signum).name
        if self.verbose and _is_global_zero(self.trainer):
            print(f"\n{self.signal_name} received: finishing this epoch, then saving a checkpoint "
                  f"to {self.path} (send it again to abort now)", file=sys.stderr, flush=True)

    def on_train_begin(self, logs=None):
        self.interrupted = False
        self.signal_name = None
        self._previous = {}
        if threading.current_thread() is not threading.main_thread():
            warnings.warn("GracefulInterrupt: not in the main thread, signal handlers not installed",
                          RuntimeWarning, stacklevel=2)
            return
        for s in self.signals:
            self._previous[s] = signal.signal(s, self._handler)

    def on_epoch_end(self, epoch, logs=None):
        if not self.interrupted:
            return

        self.trainer.stop_training = True
        if not _is_global_zero(self.trainer):
            return
        save_checkpoint(self.path, self.trainer,
                        extra={"epoch": epoch + 1, "interrupted_by": self.signal_name})
        if self.verbose:
            print(f"checkpoint saved to {self.path} after epoch {epoch + 1}; resume with "
                  "load_checkpoint", file=sys.stderr, flush=True)

    def on_train_end(self, logs=None):
        for s, previous in self._previous.items():
            signal.signal(s, previous if previous is not None else signal.SIG_DFL)
        self._previous = {}

    def on_exception(self, exception):
        self.on_train_end()
