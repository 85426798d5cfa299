"""`Trainer`: the training loop as one object (docs/ideas.md: A2, E1).

Each batch runs the four visible steps of the notes: forward pass, loss, backward pass, update.

    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters()),
                      metrics=["accuracy", "f1_macro"])
    history = trainer.fit(X, y, epochs=20, batch_size=32, validation_split=0.2, seed=0)
    trainer.evaluate(X_test, y_test)  # {"loss": ..., "accuracy": ..., "f1_macro": ...}
"""

from __future__ import annotations

import math
import numbers
import sys
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..autograd.ops.activation import stable_sigmoid
from ..autograd.tensor import Tensor, no_grad
from ..nn._probe import model_mode as _model_mode
from ..nn.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, NLLLoss, get_loss
from ..nn.module import Module
from ..nn.normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d
from ..nn.sync_batchnorm import SyncBatchNorm
from ..random import get_rng, get_rng_state, set_rng_state
from ..utils.data import Dataset
from .callbacks import CallbackList, ProgressBar
from .history import History

if TYPE_CHECKING:  # loaded only by a data-parallel fit (under mpirun)
    from .data_parallel import _DataParallel

__all__ = ["Trainer", "TrainingDiverged"]


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite.

    Examples
    --------
    `Trainer.fit` itself does not raise it (it stops, restores the last finite weights, warns and
    sets ``trainer.diverged``); it is the error to raise from code that must not continue:

    >>> from lucidnet.train import TrainingDiverged
    >>> issubclass(TrainingDiverged, RuntimeError)
    True
    >>> raise TrainingDiverged("loss is nan at epoch 3")
    Traceback (most recent call last):
    ...
    lucidnet.train.trainer.TrainingDiverged: loss is nan at epoch 3
    """


def _all_finite(arrays) -> bool:
    """True if no float array holds NaN/inf (``isfinite().all()``: exact, and twice as fast as a
    sum, which would also need a second look whenever a large finite sum overflows)."""
    return all(a.dtype.kind not in "fc" or bool(np.isfinite(a).all()) for a in arrays)


class _GoodState:
    """A copy of the trainable parameters and of every buffer (BatchNorm running statistics ...):
    the last state of the model known to be finite, put back when training diverges."""

    def __init__(self, model: Module, params: list):
        self.params = params
        self.slots = [(m, name) for m in model.modules()
                      for name, b in m._buffers.items() if isinstance(b, np.ndarray)]
        self._params = [p.data.copy() for p in params]
        self._buffers = [np.array(m._buffers[name], copy=True) for m, name in self.slots]

    def buffers(self) -> list:
        return [m._buffers[name] for m, name in self.slots]

    def finite_buffers(self) -> bool:
        return _all_finite(self.buffers())

    def finite_params(self) -> bool:
        return _all_finite(p.data for p in self.params)

    def save(self) -> None:
        for p, keep in zip(self.params, self._params):
            np.copyto(keep, p.data)
        for i, b in enumerate(self.buffers()):
            keep = self._buffers[i]
            if keep.shape == b.shape and keep.dtype == b.dtype:
                np.copyto(keep, b)
            else:
                self._buffers[i] = np.array(b, copy=True)

    def restore(self) -> None:
        for p, keep in zip(self.params, self._params):
            np.copyto(p.data, keep)
        for (m, name), keep in zip(self.slots, self._buffers):
            current = m._buffers[name]
            if isinstance(current, np.ndarray) and current.ndim and current.shape == keep.shape:
                np.copyto(current, keep)
            else:           # 0-d counters such as num_batches_tracked are rebound, not mutated
                setattr(m, name, keep.copy())


def _is_batch_source(data, pairs_only: bool = True) -> bool:
    """True for a DataLoader or another iterable of batches, False for array-like data.

    Arrays, Tensors and anything convertible (``__array__``) are data. A list or tuple counts as
    batches when its first element is an ``(inputs, targets)`` pair of arrays (``pairs_only``)
    or, with ``pairs_only=False``, never: a pair there is ``(X, y)``.
    """
    if isinstance(data, (np.ndarray, Tensor, str, bytes, dict)) or hasattr(data, "__array__"):
        return False
    if isinstance(data, (list, tuple)):
        if not pairs_only or not data:
            return False
        first = data[0]
        return (isinstance(first, (list, tuple)) and len(first) == 2
                and np.ndim(getattr(first[0], "data", first[0])) >= 1)
    return hasattr(data, "__iter__")


def _reject_dataset(data) -> None:
    """A map-style Dataset is samples, not batches: say how to batch it."""
    if isinstance(data, Dataset):
        raise TypeError(f"got a {type(data).__name__}, which holds samples; the Trainer takes "
                        f"batches: pass DataLoader(dataset, batch_size=32, shuffle=True) "
                        "(from lucidnet.utils.data)")


def _length(obj):
    """``len(obj)``, or None where it has none (a stream)."""
    try:
        return len(obj)
    except (TypeError, NotImplementedError):
        return None


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


#: batch-norm layers that normalize with the statistics of their own input
_PLAIN_BATCH_NORMS = (BatchNorm1d, BatchNorm2d, BatchNorm3d)

def _is_sync_batch_norm(module) -> bool:
    return isinstance(module, SyncBatchNorm)



def _check_fit_options(epochs, batch_size, validation_split) -> None:
    """Refuse a bad epoch count, batch size or validation fraction before any work."""
    if not isinstance(epochs, numbers.Integral) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer, got {epochs!r}")
    if not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(f"batch_size must be an integer >= 1, got {batch_size!r}")
    if not 0.0 <= validation_split < 1.0:
        raise ValueError(f"validation_split must be in [0, 1), got {validation_split!r}")


@dataclass
class _FitRun:
    """What one call of `Trainer.fit` trains on, gathered once by `Trainer._prepare_fit`.

    ``X`` / ``y`` are the checked arrays (None beside a ``loader``), ``epochs`` the range of
    epoch numbers to run, ``steps`` the batches per epoch (None for a loader without a length),
    ``callbacks`` the `CallbackList` (with the progress bar), ``dp`` the data-parallel helper
    (None in one process)."""

    X: np.ndarray | None
    y: np.ndarray | None
    loader: object
    epochs: range
    steps: int | None
    batch_size: int | None
    shuffle: bool
    validation_data: object
    transform: object
    callbacks: CallbackList
    dp: _DataParallel | None


class Trainer:
    """Fit a model with a loss and an optimizer; evaluate and predict.

    Parameters
    ----------
    model : Module
        The network to train.
    loss : Module or str
        A loss Module (e.g. ``nn.CrossEntropyLoss()``) or its name ("cross_entropy", "mse", ...).
    optimizer : Optimizer
        A ``lucidnet.optim`` optimizer over ``model.parameters()``.
    metrics : list of str or callable, optional
        Names from ``lucidnet.metrics`` ("accuracy", "f1_macro", "r2", ...) or callables
        ``fn(y_true, y_score)``; computed on the whole epoch's predictions.
    callbacks : list of Callback, optional
        `Callback` instances (early stopping, checkpoints, diagnostics, ...).
    scheduler : LRScheduler, optional
        A ``lucidnet.optim.lr_scheduler`` schedule, stepped per ``scheduler_interval``.
        ``ReduceLROnPlateau`` is stepped with the monitored validation (or training) loss.
    scheduler_interval : {"epoch", "batch"}, optional
        When the schedule steps; default: the schedule's own ``interval`` attribute, else "epoch".
    penalty : callable, optional
        ``penalty(model) -> Tensor`` added to the loss each batch
        (L1 / L2 / Elastic-Net regularization, docs/ideas.md I1).
    verbose : int
        0 silent, 1 a progress bar per epoch.

    Examples
    --------
    >>> from lucidnet.train import Trainer
    >>> X = np.random.default_rng(0).normal(size=(32, 2)).astype(np.float32)
    >>> y = (X[:, 0] > 0).astype(np.int64)
    >>> def make_trainer(callbacks=()):
    ...     model = ln.nn.Sequential(ln.nn.Linear(2, 4), ln.nn.ReLU(), ln.nn.Linear(4, 2))
    ...     return Trainer(model, ln.nn.CrossEntropyLoss(),
    ...                    ln.optim.SGD(model.parameters(), lr=0.1), callbacks=list(callbacks))
    >>> trainer = make_trainer()
    >>> history = trainer.fit(X, y, epochs=3, batch_size=16, validation_split=0.25)
    >>> len(history), sorted(history.history)
    (3, ['loss', 'lr', 'val_loss'])
    >>> trainer.predict(X[:4]).shape, sorted(trainer.evaluate(X, y))
    ((4,), ['loss'])
    """

    def __init__(self, model: Module, loss, optimizer, metrics=None, callbacks=None, scheduler=None,
                 scheduler_interval: str | None = None, penalty=None, verbose: int = 1):
        if not isinstance(model, Module):
            raise TypeError(f"model must be a lucidnet.nn.Module, got {type(model).__name__}")
        self.model = model
        self.loss_fn = get_loss(loss) if isinstance(loss, str) else loss
        if not callable(self.loss_fn):
            raise TypeError(f"loss must be a loss module or a name, got {type(loss).__name__}")
        if optimizer is None or not hasattr(optimizer, "step"):
            raise TypeError("optimizer must be a lucidnet.optim optimizer (with step() and zero_grad())")
        self.optimizer = optimizer
        self.metric_names, self._metrics = self._resolve_metrics(metrics or [])
        self.callbacks = list(callbacks or [])
        self.scheduler = scheduler
        interval = scheduler_interval or getattr(scheduler, "interval", "epoch")
        if interval not in ("epoch", "batch"):
            raise ValueError(f"scheduler_interval must be 'epoch' or 'batch', got {interval!r}")
        self.scheduler_interval = interval
        self.penalty = penalty
        self.verbose = verbose
        self.history = History()
        self.stop_training = False
        self.epoch = 0  # epochs completed so far
        self.params: dict = {}
        self.diverged = False
        self.divergence: str | None = None
        self._shuffle_rng = None
        self._transform = None
        self._pending_transform_state = None
        self._good: _GoodState | None = None   # during fit: the last finite weights
        # over MPI (see fit): this process's rank, the number of ranks, and "am I rank 0"
        self.global_rank, self.world_size, self.is_global_zero = 0, 1, True

    # ------------------------------------------------------------------ task helpers
    @property
    def task(self) -> str:
        """The kind of problem, read from the loss: "multiclass", "binary" or "regression".

        "multiclass" for `CrossEntropyLoss` / `NLLLoss` (integer class targets, predictions are the
        arg-max), "binary" for `BCELoss` / `BCEWithLogitsLoss` (float 0/1 targets), "regression"
        for any other loss. It decides how targets are checked and how predictions are made.
        """
        if isinstance(self.loss_fn, (CrossEntropyLoss, NLLLoss)):
            return "multiclass"
        if isinstance(self.loss_fn, (BCELoss, BCEWithLogitsLoss)):
            return "binary"
        return "regression"

    @staticmethod
    def _resolve_metrics(metrics):
        names, fns = [], []
        for m in metrics:
            if isinstance(m, str) or hasattr(m, "greater_is_better"):
                from ..metrics import get_metric

                metric = get_metric(m)
                names.append(metric.name)
                fns.append(metric)
            elif callable(m):
                names.append(getattr(m, "__name__", "metric"))
                fns.append(m)
            else:
                raise TypeError(f"metrics must be names or callables, got {m!r}")
        return names, fns

    def _has_batch_norm(self) -> bool:
        return any(isinstance(m, (*_PLAIN_BATCH_NORMS, SyncBatchNorm))
                   for m in self.model.modules())

    def _model_dtype(self):
        for p in self.model.parameters():
            return p.dtype
        return np.dtype(np.float32)

    def _check_xy(self, X, y, name="X"):
        X = np.asarray(X.data if isinstance(X, Tensor) else X)
        if X.ndim == 0 or len(X) == 0:
            raise ValueError(f"{name} is empty: training and evaluation need at least one sample")
        if X.dtype.kind not in "fiub":
            raise ValueError(f"{name} must be numeric, got dtype {X.dtype}")
        X = X.astype(self._model_dtype(), copy=False)
        if not np.all(np.isfinite(X)):
            bad = np.argwhere(~np.isfinite(X.reshape(len(X), -1)))[0][0]
            raise ValueError(f"{name} contains NaN or infinite values (first in sample {bad}); "
                             "clean or impute the data before training")
        if y is None:
            return X, None
        y = np.asarray(y.data if isinstance(y, Tensor) else y)
        if len(y) != len(X):
            raise ValueError(f"{name} and y have different lengths: {len(X)} samples vs {len(y)} targets")
        if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
            raise ValueError("y contains NaN or infinite values")
        if self.task == "multiclass" and y.ndim == 1:
            if y.dtype.kind == "f":
                if not np.all(np.mod(y, 1) == 0):
                    raise ValueError("class labels y must be integers for cross-entropy, got "
                                     "non-integer values")
                y = y.astype(np.int64)
            elif y.dtype.kind not in "iu":
                raise ValueError(f"class labels y must be integers, got dtype {y.dtype}")
        elif self.task in ("binary", "regression") and y.dtype.kind != "f":
            y = y.astype(self._model_dtype())
        elif y.dtype.kind == "f":
            y = y.astype(self._model_dtype(), copy=False)
        return X, y

    def _targets_for_loss(self, out: Tensor, yb: np.ndarray) -> np.ndarray:
        if self.task != "multiclass" and yb.ndim == 1 and out.ndim == 2 and out.shape[1] == 1:
            return yb.reshape(-1, 1)  # a single output unit: (N,) targets become (N, 1)
        return yb

    def _scores(self, out: np.ndarray) -> np.ndarray:
        """Model outputs -> what metrics see: class probabilities, or regression predictions."""
        if isinstance(self.loss_fn, CrossEntropyLoss):
            return _softmax(out)
        if isinstance(self.loss_fn, NLLLoss):
            return np.exp(out)
        if isinstance(self.loss_fn, BCEWithLogitsLoss):
            return stable_sigmoid(out)
        return out

    def _compute_metrics(self, y_true, scores, prefix="") -> dict:
        logs = {}
        for name, fn in zip(self.metric_names, self._metrics):
            s = scores[:, 0] if scores.ndim == 2 and scores.shape[1] == 1 else scores
            logs[prefix + name] = float(fn(y_true, s))
        return logs

    # ------------------------------------------------------------------ training
    def fit(self, X, y=None, epochs: int = 10, batch_size: int = 32, validation_data=None,
            validation_split: float = 0.0, shuffle: bool = True, seed: int | None = None,
            initial_epoch: int | None = None, transform=None, *, val_data=None,
            distributed: bool | None = None) -> History:
        """Train for ``epochs`` epochs and return the `History`.

        batch_size = len(X) is batch gradient descent, 1 is stochastic, k is mini-batch (docs/ideas.md: E1).
        ``validation_split`` holds out the last fraction of (X, y), as Keras does.

        Instead of arrays, ``X`` may be a ``lucidnet.utils.data.DataLoader`` (or any iterable of
        ``(inputs, targets)`` batches that can be iterated once per epoch, such as a list of
        pairs), with ``y`` left out: ``fit(loader, epochs=5, validation_data=val_loader)``. The
        loader then decides the batches and their order (``batch_size``, ``shuffle`` and ``seed``
        are not used), and each batch is checked as arrays are. ``validation_data`` (alias
        ``val_data``) is a pair ``(X_val, y_val)`` or such a loader.
        ``transform`` (e.g. ``lucidnet.data.build_augmentation(...)``) is applied to each training
        batch of inputs (augmentation / input noise, docs/ideas.md I4, I5); never to validation data.
        Divergence: if the loss, a parameter after an update, or a buffer (BatchNorm running
        statistics) becomes NaN/inf, training stops and the parameters *and buffers* of the last
        step with a finite loss are put back (the optimizer's state -- momentum, Adam moments --
        is not rolled back); a RuntimeWarning is issued, ``trainer.diverged`` is True and
        ``trainer.divergence`` says where and what (``None`` otherwise). The epoch in which it
        happened is not recorded, so the history is empty if the first epoch diverged.

        Callbacks: ``on_train_end`` runs when training ends normally (epochs done, early stop,
        divergence). If an exception (Ctrl-C included) escapes, ``on_exception(exc)`` runs on
        every callback instead, to undo what it changed (signal handlers, progress bars), and
        the exception propagates -- the Lightning convention.

        Data-parallel over MPI (``mpirun -n N``, after ``lucidnet.distributed.init_process_group()``;
        ``distributed=None`` decides by ``is_initialized()`` and a world size > 1, ``False``
        trains each process alone, ``True`` requires the group): every rank passes the same
        data and options and draws the same global batches as one process would with the same
        seed; rank r trains on the slice ``np.array_split(batch, world)[r]`` of each, gradients
        are summed over the ranks (one flat all_reduce per step) so every rank makes the
        one-process update of the whole batch (to float rounding), and the logged loss and
        metrics are those of the global batch, identical on every rank. Rank 0's weights,
        buffers and shuffling generator are given to every rank when fit starts; plain
        BatchNorm layers normalize each shard with its own statistics (SyncBatchNorm uses the
        global batch) and rank 0's running statistics are given to every rank after each epoch.
        Validation is split over the ranks and gathered. A NaN on one rank stops every rank at
        the same step, a signal caught by `GracefulInterrupt` on any rank stops all of them
        after the epoch; checkpoints, CSV logs, progress bars and messages come from rank 0
        (``trainer.is_global_zero``). A DataLoader must give the same batches on every rank
        (each rank takes its slice of every batch), unless it samples with a
        ``DistributedSampler``, whose batches are already each rank's own. Augmentation
        (``transform``) is applied to the global batch on every rank, so its random state
        stays the same everywhere (and equal to the one-process run's). A loss's share is
        found from its ``reduction`` ("mean": the rank's part of the samples, or of the class
        weights of a weighted / ``ignore_index`` cross-entropy; "sum": all of it); a loss
        given as a plain function is taken to be a mean over the samples. Dropout draws its
        masks on each rank's shard, so a run with dropout is not the one-process run.
        """
        run = self._prepare_fit(X, y, epochs, batch_size, validation_data, validation_split,
                                shuffle, seed, initial_epoch, transform, val_data, distributed)
        try:
            self._train(run)
        finally:
            self._finish_fit()
        return self.history

    # ------------------------------------------------------------------ fit, step by step
    def _prepare_fit(self, X, y, epochs, batch_size, validation_data, validation_split, shuffle,
                     seed, initial_epoch, transform, val_data, distributed) -> _FitRun:
        """Check the arguments and the data, seed the shuffling, and gather what the epochs
        need into one `_FitRun` (data-parallel: check the ranks agree and sync them)."""
        if val_data is not None:
            if validation_data is not None:
                raise ValueError("pass validation_data or its alias val_data, not both")
            validation_data = val_data
        _check_fit_options(epochs, batch_size, validation_split)
        loader = X if _is_batch_source(X) else None
        X, y, validation_data = self._fit_data(X, y, loader, validation_data, validation_split)
        self._use_transform(transform)
        if loader is None:
            n = len(X)
            steps = math.ceil(n / batch_size)
            if n % batch_size == 1 and steps > 1 and self._has_batch_norm():
                steps -= 1  # a last batch of ONE sample cannot be batch-normalized: it joins the one before
        else:
            n, steps = _length(getattr(loader, "dataset", None)), _length(loader)
            batch_size = getattr(loader, "batch_size", None)
        if seed is not None and (self._shuffle_rng is None or self.epoch == 0):
            self._shuffle_rng = np.random.default_rng(seed)
        elif self._shuffle_rng is None:
            self._shuffle_rng = get_rng()
        start = self.epoch if initial_epoch is None else initial_epoch
        self.params = {"epochs": start + epochs, "steps": steps, "batch_size": batch_size, "samples": n}
        params = [p for p in self.model.parameters() if p.requires_grad]
        dp = self._data_parallel(distributed, params)
        if dp is not None:
            self._start_data_parallel(dp, X, y, loader, validation_data, steps, batch_size,
                                      epochs, start, shuffle, seed)
        callbacks = list(self.callbacks)
        if self.verbose and self.is_global_zero:
            callbacks.append(ProgressBar())
        cbs = CallbackList(callbacks)
        cbs.set_trainer(self)
        self.stop_training = False
        self.diverged = False
        self.divergence = None
        self._good = _GoodState(self.model, params)
        return _FitRun(X, y, loader, range(start, start + epochs), steps, batch_size, shuffle,
                       validation_data, transform, cbs, dp)

    def _fit_data(self, X, y, loader, validation_data, validation_split):
        """The checked training arrays (or None beside a loader) and the validation data."""
        if loader is not None:
            if y is not None:
                hint = (f" (epochs by keyword: fit(loader, epochs={y}))"
                        if isinstance(y, numbers.Integral) and not isinstance(y, bool) else "")
                raise TypeError("fit(loader): the loader yields (inputs, targets) batches, so y "
                                f"must be left out{hint}")
            if validation_split > 0:
                raise ValueError("validation_split needs arrays (X, y); with a DataLoader pass "
                                 "validation_data=val_loader instead")
        elif y is None:
            _reject_dataset(X)
            raise TypeError("fit(X, y) needs the targets y, or X must be a DataLoader (an "
                            "iterable of (inputs, targets) batches)")
        else:
            X, y = self._check_xy(X, y)
        if validation_data is None and validation_split > 0:
            n_val = int(math.ceil(len(X) * validation_split))
            if n_val >= len(X):
                raise ValueError("validation_split leaves no training data")
            X, Xv, y, yv = X[:-n_val], X[-n_val:], y[:-n_val], y[-n_val:]
            validation_data = (Xv, yv)
        if validation_data is not None:
            if isinstance(validation_data, (tuple, list)) and len(validation_data) == 2:
                validation_data = self._check_xy(*validation_data, name="X_val")
            elif not _is_batch_source(validation_data):
                raise ValueError("validation_data must be a pair (X_val, y_val) or a DataLoader")
        return (None if loader is not None else X), y, validation_data

    def _use_transform(self, transform) -> None:
        """Keep the augmentation for `state_dict`; give it a resumed random state if one waits."""
        self._transform = transform
        if transform is not None and self._pending_transform_state is not None:
            if hasattr(transform, "load_state_dict"):
                transform.load_state_dict(self._pending_transform_state)
            self._pending_transform_state = None

    def _train(self, run: _FitRun) -> None:
        """The epochs between ``on_train_begin`` and ``on_train_end`` (``on_exception`` instead
        if an exception escapes, Ctrl-C included: callbacks put back what they changed)."""
        cbs = run.callbacks
        try:
            cbs.on_train_begin()
            if run.dp is None:
                for epoch in run.epochs:
                    self._run_epoch(run, epoch)
                    if self.stop_training:
                        break
            else:
                self._run_epochs_dp(cbs, run.X, run.y, run.loader, run.epochs, run.steps,
                                    run.batch_size, run.shuffle, run.validation_data,
                                    run.transform, self._good, run.dp)
            if self.diverged and self.is_global_zero:  # over MPI every rank stopped; rank 0 says so
                warnings.warn(f"{self.divergence}. Lower the learning rate, normalize the inputs "
                              "or clip gradients.", RuntimeWarning, stacklevel=3)
            cbs.on_train_end()
        except BaseException as exc:
            cbs.on_exception(exc)
            raise

    def _finish_fit(self) -> None:
        """After every fit, normal or not: drop the copy of the last finite weights."""
        self._good = None

    def _run_epoch(self, run: _FitRun, epoch: int) -> None:
        """One pass over the training data, then `_end_epoch` (skipped if training diverged)."""
        cbs, transform = run.callbacks, run.transform
        cbs.on_epoch_begin(epoch)
        self.model.train()
        if run.loader is None:
            batches = self._array_batches(run.X, run.y, run.steps, run.batch_size, run.shuffle)
        else:
            batches = self._loader_batches(run.loader, epoch)
        total, seen, outputs, targets = 0.0, 0, [], []
        keep_outputs = bool(self._metrics)
        for b, (xb, yb) in enumerate(batches):
            if transform is not None:  # augmentation on the fly, a new draw every batch
                xb = np.asarray(transform(xb), dtype=xb.dtype)
            cbs.on_batch_begin(b)
            out, value = self._run_batch(xb, yb, epoch, b)
            if out is None:
                return
            total += value * len(xb)
            seen += len(xb)
            if keep_outputs:  # outputs and their targets, in the order the batches came
                outputs.append(out.data)
                targets.append(yb)
            cbs.on_batch_end(b, {"loss": value})
        logs = {"loss": total / seen}
        if keep_outputs:
            logs.update(self._compute_metrics(np.concatenate(targets),
                                              self._scores(np.concatenate(outputs))))
        self._end_epoch(run, epoch, logs)

    def _run_batch(self, xb: np.ndarray, yb: np.ndarray, epoch: int, b: int):
        """The four visible steps on one batch: forward pass, loss, backward pass, update.

        Returns ``(outputs, loss value)``, or ``(None, None)`` when the loss, a buffer or an
        updated parameter is not finite (the last finite weights are then put back)."""
        good = self._good
        out = self.model(Tensor(xb))                                  # 1. forward pass
        loss = self.loss_fn(out, self._targets_for_loss(out, yb))     # 2. loss
        if self.penalty is not None:
            loss = loss + self.penalty(self.model)
        value = float(loss.data)
        if not math.isfinite(value):
            self._diverge(epoch, b, f"the loss became {value}", good)
            return None, None
        if not good.finite_buffers():
            self._diverge(epoch, b, "a buffer (e.g. a BatchNorm running statistic) "
                          "became NaN or infinite", good)
            return None, None
        self.optimizer.zero_grad()
        loss.backward()                                               # 3. backward pass
        good.save()     # the weights that gave this finite loss, with their buffers
        self.optimizer.step()                                         # 4. update
        if not good.finite_params():
            self._diverge(epoch, b, "the update made a parameter NaN or infinite", good)
            return None, None
        if self.scheduler is not None and self.scheduler_interval == "batch":
            self.scheduler.step()
        return out, value

    def _end_epoch(self, run: _FitRun, epoch: int, logs: dict) -> None:
        """Validation, the epoch's schedule step, the history row and ``on_epoch_end``."""
        validation_data = run.validation_data
        if isinstance(validation_data, tuple):
            val = self.evaluate(*validation_data, batch_size=max(run.batch_size or 0, 256))
            logs.update({f"val_{k}": v for k, v in val.items()})
        elif validation_data is not None:
            logs.update({f"val_{k}": v for k, v in self.evaluate(validation_data).items()})
        self._record_epoch(epoch, logs)
        run.callbacks.on_epoch_end(epoch, logs)

    def _record_epoch(self, epoch: int, logs: dict) -> None:
        """Step an epoch-stepped schedule, count the epoch and append it to the history."""
        self._step_epoch_schedule(logs)
        self.epoch = epoch + 1
        self.history.append(epoch, logs)

    def _data_parallel(self, distributed, params):
        """The `_DataParallel` of this fit, or None for a one-process fit (one
        ``is_initialized()`` look per fit; sets ``global_rank`` / ``world_size``)."""
        self.global_rank, self.world_size, self.is_global_zero = 0, 1, True
        if distributed is False:
            return None
        if distributed not in (None, True):
            raise TypeError(f"distributed must be None (decide from lucidnet.distributed), True "
                            f"or False, got {distributed!r}")
        # no import in a plain process: a group exists only once lucidnet.distributed is loaded
        dist = sys.modules.get("lucidnet.distributed")
        if dist is None and distributed:
            from .. import distributed as dist
        if dist is None or not dist.is_initialized():
            if distributed:
                raise RuntimeError("fit(distributed=True) needs a process group: start the "
                                   "script with `mpirun -n N python script.py` and call "
                                   "lucidnet.distributed.init_process_group() first")
            return None
        if dist.get_world_size() == 1:
            return None
        if any(type(m).__name__ == "DistributedDataParallel" for m in self.model.modules()):
            raise ValueError("fit over MPI shards each batch and sums the gradients itself, and "
                             "DistributedDataParallel would average them a second time: give "
                             "the Trainer the bare model (ddp.module), or pass "
                             "fit(..., distributed=False) to let DistributedDataParallel alone "
                             "combine the gradients of each rank's own data")
        from .data_parallel import _DataParallel

        dp = _DataParallel(dist, self, params)
        self.global_rank, self.world_size = dp.rank, dp.world
        self.is_global_zero = dp.rank == 0
        return dp

    def _start_data_parallel(self, dp, X, y, loader, validation_data, steps, batch_size,
                             epochs, start, shuffle, seed) -> None:
        if loader is None:
            n = len(X)
            sizes = [batch_size] * (steps - 1) + [n - batch_size * (steps - 1)]
            dp.check_shards(sizes)
            data = {"samples": n, "shape": tuple(X.shape[1:]), "x_dtype": str(X.dtype),
                    "y_dtype": str(y.dtype), "sum of X": float(np.sum(X, dtype=np.float64)),
                    "sum of y": float(np.sum(y, dtype=np.float64))}
        else:
            if _length(loader) is None:
                raise TypeError("data-parallel fit needs a loader with a length (a DataLoader "
                                "or a list of batches), so that every rank can check it runs "
                                "the same number of steps")
            data = {"batches": _length(loader)}
        if isinstance(validation_data, tuple):
            data["validation"] = (len(validation_data[0]),
                                  float(np.sum(validation_data[0], dtype=np.float64)))
        dp.start(dict(data, steps=steps, batch_size=batch_size, epochs=epochs, start=start,
                      shuffle=bool(shuffle), seed=seed,
                      penalty=self.penalty is not None, loss=type(self.loss_fn).__name__))

    def _array_batches(self, X, y, steps, batch_size, shuffle):
        """One epoch of (xb, yb) mini-batches of the arrays, shuffled by the trainer's generator."""
        n = len(X)
        order = self._shuffle_rng.permutation(n) if shuffle else np.arange(n)
        for b in range(steps):
            idx = order[b * batch_size:(b + 1) * batch_size if b < steps - 1 else n]
            yield X[idx], y[idx]

    def _loader_batches(self, loader, epoch: int, what: str = "training"):
        """One epoch of checked (xb, yb) arrays from a DataLoader or iterable of batches."""
        count = 0
        for b, batch in enumerate(loader):
            yield self._unpack_batch(batch, b, what)
            count += 1
        if count == 0:
            raise ValueError(f"the {what} data yielded no batches in epoch {epoch + 1}: a generator "
                             "is used up after one pass, so pass a DataLoader (or a list of "
                             "batches), which can be iterated again; an empty dataset has no "
                             "batches either")

    def _unpack_batch(self, batch, b: int, what: str):
        if not (isinstance(batch, (tuple, list)) and len(batch) == 2):
            kind = f"a {type(batch).__name__}" + (f" of length {len(batch)}"
                                                  if isinstance(batch, (tuple, list, dict)) else "")
            raise ValueError(f"batch {b} of the {what} data is {kind}; each batch must be a pair "
                             "(inputs, targets), as a DataLoader over TensorDataset(X, y) yields")
        return self._check_xy(batch[0], batch[1], name=f"the inputs of {what} batch {b}")

    # ------------------------------------------------------------------ data-parallel loop
    def _dp_array_batches(self, X, y, steps, batch_size, shuffle, dp, transform):
        """One epoch of this rank's shards of the global batches (the one-process batches):
        ``(xb, yb, global targets or None, global size)``; a transform sees the global batch."""
        n = len(X)
        order = self._shuffle_rng.permutation(n) if shuffle else np.arange(n)
        weighted = dp.class_weight is not None or dp.ignore_index is not None
        for b in range(steps):
            idx = order[b * batch_size:(b + 1) * batch_size if b < steps - 1 else n]
            lo, hi = dp.bounds(len(idx))
            if transform is not None:
                xg = X[idx]
                xb = np.asarray(transform(xg), dtype=xg.dtype)[lo:hi]
            else:
                xb = X[idx[lo:hi]]
            yield xb, y[idx[lo:hi]], (y[idx] if weighted else None), len(idx)

    def _dp_loader_batches(self, loader, epoch, dp, transform, local: bool):
        """This rank's part of each loader batch (its np.array_split slice; with a
        DistributedSampler the whole batch, which is already its own)."""
        for xg, yg in self._loader_batches(loader, epoch):
            if transform is not None:
                xg = np.asarray(transform(xg), dtype=xg.dtype)
            if local:
                yield xg, yg, None, len(xg) * dp.world
                continue
            lo, hi = dp.bounds(len(xg))
            yield xg[lo:hi], yg[lo:hi], yg, len(xg)

    def _run_epochs_dp(self, cbs, X, y, loader, epochs, steps, batch_size, shuffle,
                       validation_data, transform, good: _GoodState, dp: _DataParallel) -> None:
        """`_run_epochs` over the ranks of ``dp`` (see `_DataParallel`)."""
        model, loss_fn, penalty = self.model, self.loss_fn, self.penalty
        inv_world = 1.0 / dp.world
        local = loader is not None and dp.local_sampler(loader)
        guards = [cb for cb in self.callbacks if hasattr(cb, "interrupted")
                  and hasattr(cb, "signal_name")]
        for epoch in epochs:
            if loader is not None:
                dp.sync_global_rng()  # a loader shuffles with it; dropout masks drew from it
                sampler = getattr(loader, "sampler", None)
                if local and hasattr(sampler, "set_epoch"):
                    sampler.set_epoch(epoch)
                dp.same_everywhere(_length(loader), "the number of batches of the loader")
            cbs.on_epoch_begin(epoch)
            model.train()
            if loader is None:
                batches = self._dp_array_batches(X, y, steps, batch_size, shuffle, dp, transform)
            else:
                batches = self._dp_loader_batches(loader, epoch, dp, transform, local)
            total, seen, outputs, targets, sizes = 0.0, 0, [], [], []
            keep_outputs = bool(self._metrics)
            for b, (xb, yb, yg, n_global) in enumerate(batches):
                cbs.on_batch_begin(b)
                n_local = len(xb)
                part, out = None, None
                if n_local or dp.collective_forward:
                    out = model(Tensor(xb))
                    target = self._targets_for_loss(out, yb)
                    share_num = dp.denominator(yb) if n_local else 0.0
                    if share_num:
                        part = loss_fn(out, target)
                        if dp.reduction != "sum":
                            share_den = dp.denominator(yg) if yg is not None else \
                                float(n_global)
                            part = part * (share_num / share_den)
                    else:   # nothing of the loss here, but the graph must reach backward
                        part = out.sum() * 0.0
                        if yg is not None and not dp.denominator(yg):
                            part = part * math.nan  # all ignored: NaN, as in one process
                loss = part
                pen_value = 0.0
                if penalty is not None:
                    pen = penalty(model)
                    pen_value = float(pen.data)
                    loss = pen * inv_world if loss is None else loss + pen * inv_world
                self.optimizer.zero_grad()
                if loss is not None and loss.requires_grad:
                    loss.backward()
                bad_buffers = not good.finite_buffers()
                value, bad_buffers, n_seen = dp.reduce(
                    0.0 if part is None else float(part.data), bad_buffers, n_local)
                value += pen_value
                if n_seen != n_global:  # (a rank that alone finds it ends the job: MPI_Abort)
                    raise ValueError(f"data-parallel fit: the ranks computed {n_seen} samples "
                                     f"of batch {b + 1}, which has {n_global} on rank "
                                     f"{dp.rank}: every rank must see the same batches"
                                     + (" (a DistributedSampler gives every rank batches of "
                                        "one size)" if local else ""))
                if not math.isfinite(value):
                    self._diverge(epoch, b, f"the loss became {value}", good, dp)
                    break
                if bad_buffers:
                    self._diverge(epoch, b, "a buffer (e.g. a BatchNorm running statistic) "
                                  "became NaN or infinite", good, dp)
                    break
                good.save()
                self.optimizer.step()
                if not good.finite_params():
                    self._diverge(epoch, b, "the update made a parameter NaN or infinite", good,
                                  dp)
                    break
                if self.scheduler is not None and self.scheduler_interval == "batch":
                    self.scheduler.step()
                total += value * n_seen
                seen += n_seen
                if keep_outputs:
                    if out is not None and n_local:
                        outputs.append(out.data)
                        targets.append(yb)
                    sizes.append(n_global)
                cbs.on_batch_end(b, {"loss": value})
            if self.diverged:
                dp.broadcast_buffers()
                break
            dp.broadcast_buffers()
            logs = {"loss": total / seen}
            if keep_outputs:
                if local:
                    o_all, y_all = dp.gather_local(outputs, targets)
                else:
                    o_all, y_all = dp.gather_in_order(outputs, targets, sizes)
                logs.update(self._compute_metrics(y_all, self._scores(o_all)))
            if isinstance(validation_data, tuple):
                val = dp.evaluate(*validation_data, batch_size=max(batch_size or 0, 256))
                logs.update({f"val_{k}": v for k, v in val.items()})
            elif validation_data is not None:
                dp.sync_global_rng()
                logs.update({f"val_{k}": v for k, v in dp.evaluate_loader(validation_data).items()})
            self._record_epoch(epoch, logs)
            # a signal may have reached some ranks only, or come after their last batch: every
            # rank learns of it here, so all of them stop after this epoch (rank 0 saves)
            if guards and dp.any(any(g.interrupted for g in guards)):
                for g in guards:
                    if not g.interrupted:
                        g.interrupted = True
                        g.signal_name = g.signal_name or "a signal on another rank"
            cbs.on_epoch_end(epoch, logs)
            if dp.any(self.stop_training):
                self.stop_training = True
                break

    def _step_epoch_schedule(self, logs: dict) -> None:
        """Log the epoch's learning rate, then step an epoch-stepped schedule (a plateau
        schedule on ``val_loss``, else the training loss)."""
        logs["lr"] = float(self.optimizer.param_groups[0]["lr"])
        if self.scheduler is not None and self.scheduler_interval == "epoch":
            if getattr(self.scheduler, "needs_metric", False):
                self.scheduler.step(logs.get("val_loss", logs["loss"]))
            else:
                self.scheduler.step()

    def _diverge(self, epoch: int, batch: int, what: str, good: _GoodState, dp=None) -> None:
        """Put back the last finite weights and buffers and stop; `_train` warns once."""
        good.restore()
        self.diverged = True
        self.stop_training = True
        self.divergence = (f"training diverged at epoch {epoch + 1}, batch {batch + 1}: {what}; "
                           f"the last finite weights and buffers were kept")

    # ------------------------------------------------------------------ checkpoints
    def state_dict(self) -> dict:
        """Everything needed to resume exactly: model, optimizer, schedule, epochs done, history,
        and the random generators' states. Arrays, numbers, strings, lists and dicts only, so
        `lucidnet.io.save_state` can write it without pickle."""
        return {
            "model": dict(self.model.state_dict()),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": None if self.scheduler is None else self.scheduler.state_dict(),
            "epoch": self.epoch,
            "history": self.history.to_dict(),
            "shuffle_rng": None if self._shuffle_rng is None else self._shuffle_rng.bit_generator.state,
            "global_rng": get_rng_state(),
            "transform": self._transform_state(),
        }

    def _transform_state(self):
        state_fn = getattr(self._transform, "state_dict", None)
        return state_fn() if state_fn is not None else self._pending_transform_state

    def load_state_dict(self, state: dict) -> None:
        """Restore a `state_dict` (the model must have the same architecture)."""
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        if self.scheduler is not None and state.get("scheduler") is not None:
            self.scheduler.load_state_dict(state["scheduler"])
        self.epoch = int(state["epoch"])
        self.history = History.from_dict(state["history"])
        if state.get("shuffle_rng") is not None:
            self._shuffle_rng = np.random.default_rng()
            self._shuffle_rng.bit_generator.state = state["shuffle_rng"]
        if state.get("global_rng") is not None:
            set_rng_state(state["global_rng"])
        # an augmentation's random state is restored when fit() receives the transform again
        self._pending_transform_state = state.get("transform")

    # ------------------------------------------------------------------ inference
    def _forward_batches(self, X, batch_size):
        outs = []
        with _model_mode(self.model), no_grad():
            for i in range(0, len(X), batch_size):
                outs.append(self.model(Tensor(X[i:i + batch_size])).data)
        return np.concatenate(outs)

    def _forward_loader(self, loader, with_targets: bool):
        """Outputs (and targets) over a loader's batches in eval mode, concatenated."""
        outs, ys = [], []
        with _model_mode(self.model), no_grad():
            for b, batch in enumerate(loader):
                if with_targets:
                    xb, yb = self._unpack_batch(batch, b, "evaluation")
                    ys.append(yb)
                else:   # predict: (inputs, targets) pairs or bare inputs
                    xb = batch[0] if isinstance(batch, (tuple, list)) else batch
                    xb, _ = self._check_xy(xb, None, name=f"the inputs of batch {b}")
                outs.append(self.model(Tensor(xb)).data)
        if not outs:
            raise ValueError("the data to evaluate yielded no batches (an empty dataset, or a "
                             "generator already used up)")
        return np.concatenate(outs), (np.concatenate(ys) if with_targets else None)

    def evaluate(self, X, y=None, batch_size: int = 256) -> dict:
        """Loss and metrics on (X, y) in eval mode (dropout off, BatchNorm running stats).
        ``X`` may also be a DataLoader of (inputs, targets) batches, with ``y`` left out.
        Under MPI it runs on the calling rank alone (no collective: rank 0 may call it by
        itself); the validation inside `fit` is the one split over the ranks."""
        if _is_batch_source(X) and y is None:
            out, y = self._forward_loader(X, with_targets=True)
        elif y is None:
            _reject_dataset(X)
            raise TypeError("evaluate(X, y) needs the targets y, or X must be a DataLoader of "
                            "(inputs, targets) batches")
        else:
            X, y = self._check_xy(X, y)
            out = self._forward_batches(X, batch_size)
        return self._logs_of(out, y)

    def _logs_of(self, out: np.ndarray, y: np.ndarray) -> dict:
        """Loss and metrics of the outputs ``out`` against the targets ``y``."""
        with no_grad():
            loss = self.loss_fn(Tensor(out), self._targets_for_loss(Tensor(out), y))
        logs = {"loss": float(loss.data)}
        logs.update(self._compute_metrics(y, self._scores(out)))
        return logs

    def predict_raw(self, X, batch_size: int = 256) -> np.ndarray:
        """The model's outputs (logits for classifiers) in eval mode (``X``: arrays or a DataLoader)."""
        if _is_batch_source(X, pairs_only=False):
            return self._forward_loader(X, with_targets=False)[0]
        X, _ = self._check_xy(X, None)
        return self._forward_batches(X, batch_size)

    def predict_proba(self, X, batch_size: int = 256) -> np.ndarray:
        """Class probabilities (N, C) for classifiers (softmax / sigmoid of the outputs)."""
        if self.task == "regression":
            raise ValueError("predict_proba applies to classifiers (cross-entropy or BCE loss); "
                             "use predict() for regression")
        scores = self._scores(self.predict_raw(X, batch_size))
        if self.task == "binary":
            p1 = scores.reshape(-1)
            return np.stack([1 - p1, p1], axis=1)
        return scores

    def predict(self, X, batch_size: int = 256) -> np.ndarray:
        """Class labels for classifiers (argmax / threshold 0.5), predictions for regression."""
        if self.task == "regression":
            return self.predict_raw(X, batch_size)
        return np.argmax(self.predict_proba(X, batch_size), axis=1)
