"""Capacity sweep: train models of growing size, compare training and validation scores
(bias-variance; under- and overfitting).

Small models have high training *and* validation loss (underfitting, bias); large ones drive the
training loss down while the validation loss turns up (overfitting, variance); the best size is
the validation minimum.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..nn.module import Module
from ..optim import get_optimizer
from ..plot.diagnostics import capacity_curve
from ..random import manual_seed
from .trainer import Trainer

__all__ = ["CapacityResult", "capacity_sweep"]


@dataclass
class CapacityResult:
    """Per size: ``n_params``, ``train_loss``, ``val_loss`` and, if a metric was given,
    ``train_score`` / ``val_score``. ``best_size`` minimizes the validation loss.

    Returned by :func:`capacity_sweep` (see its example).

    Examples
    --------
    >>> from lucidnet.train import CapacityResult
    >>> r = CapacityResult(sizes=[2, 8, 32], n_params=[11, 41, 161],
    ...                    train_loss=[0.9, 0.4, 0.1], val_loss=[0.95, 0.5, 0.7])
    >>> r.best_size                          # argmin of val_loss: 32 units overfit
    8
    >>> r.as_dict()["best_size"], r.as_dict()["metric"]
    (8, None)
    """

    sizes: list
    n_params: list
    train_loss: list
    val_loss: list
    train_score: list = field(default_factory=list)
    val_score: list = field(default_factory=list)
    metric: str | None = None

    @property
    def best_size(self):
        """The size with the lowest validation loss: past it, a bigger model overfits."""
        return self.sizes[int(np.argmin(self.val_loss))]

    def as_dict(self) -> dict:
        """JSON-able dict of every column (sizes, parameter counts, losses, scores), the
        metric's name and ``best_size``."""
        return {"sizes": list(self.sizes), "n_params": list(self.n_params),
                "train_loss": list(self.train_loss), "val_loss": list(self.val_loss),
                "train_score": list(self.train_score), "val_score": list(self.val_score),
                "metric": self.metric, "best_size": self.best_size}

    def plot(self, path=None):
        """Draw training and validation loss against model size
        (:func:`lucidnet.plot.capacity_curve`); saved to ``path`` when given. Returns the
        figure."""
        return capacity_curve(self, path=path)


def capacity_sweep(build_fn, sizes, X, y, validation_data=None, validation_split: float = 0.2,
                   epochs: int = 50, batch_size: int = 32, loss="mse", optimizer: str = "adam",
                   lr: float = 1e-2, metric: str | None = None, seed: int = 0,
                   callbacks_fn=None) -> CapacityResult:
    """Train ``build_fn(size)`` for each size and score it on the training and validation data.

    ``build_fn(size)`` returns a `Trainer` (used as is) or a Module (trained with ``loss``,
    ``optimizer`` and ``lr``). Every model sees the same data, split and shuffling seed.
    ``callbacks_fn()``: optional fresh callbacks for each run (e.g. early stopping).

    Too small a model underfits (both losses high: bias); too large a one overfits (training
    loss keeps falling while validation loss rises: variance). ``best_size`` of the result is
    the size in between with the lowest validation loss.

    Examples
    --------
    >>> from lucidnet.train import capacity_sweep
    >>> X = np.random.default_rng(0).normal(size=(40, 1)).astype(np.float32)
    >>> y = np.sin(2 * X)
    >>> def build(hidden):
    ...     return ln.nn.Sequential(ln.nn.Linear(1, hidden), ln.nn.Tanh(), ln.nn.Linear(hidden, 1))
    >>> result = capacity_sweep(build, [1, 8], X, y, epochs=3)
    >>> result.sizes, result.n_params
    ([1, 8], [4, 25])
    >>> result.best_size in (1, 8)
    True
    """
    sizes = list(sizes)
    if not sizes:
        raise ValueError("capacity_sweep: sizes is empty; pass e.g. [1, 2, 4, 8, 16, 64]")
    if not callable(build_fn):
        raise TypeError(f"capacity_sweep: build_fn must be callable, got {build_fn!r}")
    X = np.asarray(X)
    y = np.asarray(y)
    if validation_data is None:
        if not 0 < validation_split < 1:
            raise ValueError("capacity_sweep needs validation_data or 0 < validation_split < 1, "
                             f"got validation_split={validation_split!r}")
        perm = np.random.default_rng(seed).permutation(len(X))
        n_val = max(1, round(len(X) * validation_split))
        val, tr = perm[:n_val], perm[n_val:]
        X, Xv, y, yv = X[tr], X[val], y[tr], y[val]
    else:
        Xv, yv = validation_data
    result = CapacityResult(sizes, [], [], [], metric=metric)
    for size in sizes:
        manual_seed(seed)
        built = build_fn(size)
        if isinstance(built, Module):
            trainer = Trainer(built, loss, get_optimizer(optimizer, built.parameters(), lr=lr),
                              metrics=[metric] if metric else None,
                              callbacks=callbacks_fn() if callbacks_fn else None, verbose=0)
        elif hasattr(built, "fit") and hasattr(built, "evaluate"):
            trainer = built
        else:
            raise TypeError(f"capacity_sweep: build_fn({size!r}) returned "
                            f"{type(built).__name__}; expected a Module or a Trainer")
        trainer.fit(X, y, epochs=epochs, batch_size=batch_size, seed=seed)
        tr_logs, va_logs = trainer.evaluate(X, y), trainer.evaluate(Xv, yv)
        result.n_params.append(int(trainer.model.num_parameters()))
        result.train_loss.append(tr_logs["loss"])
        result.val_loss.append(va_logs["loss"])
        if metric:
            name = trainer.metric_names[0] if trainer.metric_names else metric
            result.train_score.append(tr_logs.get(name, float("nan")))
            result.val_score.append(va_logs.get(name, float("nan")))
    return result
