"""The learning-rate range test (Smith 2017; fastai's ``lr_find``).

Train for ``num_steps`` mini-batches while the learning rate grows exponentially from
``start_lr`` to ``end_lr``::

    lr_i = start_lr * (end_lr / start_lr) ** (i / (num_steps - 1))

record the loss, smoothed by an exponential moving average with bias correction
(``avg_i = beta avg_{i-1} + (1 - beta) loss_i``, ``smooth_i = avg_i / (1 - beta^(i+1))``), stop once
the smoothed loss exceeds ``diverge`` x its minimum (or is NaN), and put the weights, the optimizer
state and the random generator back. The suggestion is the learning rate where the smoothed loss
falls fastest (the most negative slope ``d loss / d log lr``), as fastai's "steepest" rule.
``beta`` defaults to 0.9 (fastai uses 0.98): with 100 steps over eight decades a 50-step memory
smears the drop of the loss over two decades and moves the suggestion too far right.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..autograd.tensor import Tensor
from ..nn._probe import model_mode as _model_mode
from ..nn.module import Module
from ..plot.diagnostics import lr_finder
from ..random import get_rng_state, set_rng_state

__all__ = ["LRFinderResult", "lr_find"]


@dataclass
class LRFinderResult:
    """``lrs`` and ``losses`` (smoothed) per step, ``raw_losses``, and the ``suggestion``.

    ``suggestion`` is the learning rate where the smoothed loss falls fastest (the steepest
    negative slope of loss against ``log(lr)``); ``diverged`` says whether the test stopped
    early because the loss exceeded ``diverge`` times its best value. See :func:`lr_find`.

    Examples
    --------
    >>> from lucidnet.train import LRFinderResult
    >>> lrs = np.logspace(-4, 0, 5)
    >>> r = LRFinderResult(lrs, losses=np.array([1.0, 0.9, 0.5, 0.45, 2.0]),
    ...                    raw_losses=np.array([1.0, 0.9, 0.5, 0.45, 2.0]), suggestion=float(lrs[2]))
    >>> r.suggestion, r.diverged
    (0.01, False)
    """

    lrs: np.ndarray
    losses: np.ndarray
    raw_losses: np.ndarray
    suggestion: float
    diverged: bool = False
    meta: dict = field(default_factory=dict)

    def plot(self, path=None):
        """Draw the loss against the learning rate (log scale) with the suggestion marked
        (:func:`lucidnet.plot.lr_finder`); saved to ``path`` when given. Returns the figure."""
        return lr_finder(self, path=path)


def _steepest(lrs: np.ndarray, losses: np.ndarray) -> float:
    n = len(lrs)
    if n < 3:
        return float(lrs[np.argmin(losses)])
    slope = np.gradient(losses, np.log(lrs))
    # ignore the noisy first tenth and the last points where the loss shoots up
    lo, hi = max(1, n // 10), max(2, n - max(1, n // 20))
    return float(lrs[lo + int(np.argmin(slope[lo:hi]))])


def lr_find(trainer, X, y, start_lr: float = 1e-7, end_lr: float = 10.0, num_steps: int = 100,
            batch_size: int = 32, beta: float = 0.9, diverge: float = 4.0,
            seed: int | None = 0) -> LRFinderResult:
    """Run the LR range test on ``trainer`` (a `Trainer`, or a callable returning one) and
    return an `LRFinderResult`. The model, optimizer and global RNG are restored afterwards.

    Step ``i`` of ``num_steps`` trains one mini-batch at ``lr_i = start_lr * (end_lr /
    start_lr) ** (i / (num_steps - 1))``; the recorded loss is smoothed by an exponential
    moving average with factor ``beta`` (bias-corrected). A good learning rate is a little
    below where the loss falls fastest, well below where it blows up.

    Examples
    --------
    >>> from lucidnet.train import Trainer, lr_find
    >>> X = np.random.default_rng(0).normal(size=(32, 2)).astype(np.float32)
    >>> y = (X[:, 0] > 0).astype(np.int64)
    >>> model = ln.nn.Sequential(ln.nn.Linear(2, 4), ln.nn.ReLU(), ln.nn.Linear(4, 2))
    >>> trainer = Trainer(model, ln.nn.CrossEntropyLoss(), ln.optim.SGD(model.parameters(), lr=0.1))
    >>> result = lr_find(trainer, X, y, num_steps=20)
    >>> result.lrs.shape, float(result.lrs[0]), float(result.lrs[-1])
    ((20,), 1e-07, 10.0)
    >>> 1e-7 <= result.suggestion <= 10.0
    True
    """
    if callable(trainer) and not isinstance(trainer, Module) and not hasattr(trainer, "optimizer"):
        trainer = trainer()
    if not hasattr(trainer, "optimizer") or not hasattr(trainer, "model"):
        raise TypeError(f"lr_find expects a Trainer (or a function returning one), got "
                        f"{type(trainer).__name__}")
    for name, v in (("start_lr", start_lr), ("end_lr", end_lr)):
        if not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
            raise ValueError(f"lr_find: {name} must be a positive number, got {v!r}")
    if end_lr <= start_lr:
        raise ValueError(f"lr_find: end_lr ({end_lr}) must be larger than start_lr ({start_lr})")
    if not isinstance(num_steps, (int, np.integer)) or num_steps < 2:
        raise ValueError(f"lr_find: num_steps must be an integer >= 2, got {num_steps!r}")
    if not 0 <= beta < 1:
        raise ValueError(f"lr_find: beta must be in [0, 1), got {beta!r}")
    if not diverge > 1:
        raise ValueError(f"lr_find: diverge must be > 1, got {diverge!r}")
    X, y = trainer._check_xy(X, y)
    model, opt = trainer.model, trainer.optimizer
    saved_model, saved_opt, saved_rng = model.state_dict(), opt.state_dict(), get_rng_state()
    rng = np.random.default_rng(seed)
    schedule = start_lr * (end_lr / start_lr) ** (np.arange(num_steps) / (num_steps - 1))
    lrs, raw, smooth = [], [], []
    avg, best, diverged = 0.0, math.inf, False
    order = rng.permutation(len(X))
    pos = 0
    with _model_mode(model, training=True):   # each submodule's own mode comes back after
        try:
            for i, lr in enumerate(schedule):
                if pos + batch_size > len(X):
                    order, pos = rng.permutation(len(X)), 0
                idx = order[pos:pos + batch_size]
                pos += batch_size
                for g in opt.param_groups:
                    g["lr"] = float(lr)
                out = model(Tensor(X[idx]))
                loss = trainer.loss_fn(out, trainer._targets_for_loss(out, y[idx]))
                if trainer.penalty is not None:
                    loss = loss + trainer.penalty(model)
                value = float(loss.data)
                if not math.isfinite(value):
                    diverged = True
                    break
                opt.zero_grad()
                loss.backward()
                opt.step()
                avg = beta * avg + (1 - beta) * value
                s = avg / (1 - beta ** (i + 1))
                lrs.append(float(lr))
                raw.append(value)
                smooth.append(s)
                best = min(best, s)
                if s > diverge * best:
                    diverged = True
                    break
        finally:
            model.load_state_dict(saved_model)
            opt.load_state_dict(saved_opt)
            set_rng_state(saved_rng)
    if not lrs:
        raise ValueError("lr_find: the loss was NaN/inf from the first step; lower start_lr or "
                         "check the data")
    lrs_a, smooth_a = np.array(lrs), np.array(smooth)
    return LRFinderResult(lrs_a, smooth_a, np.array(raw), _steepest(lrs_a, smooth_a), diverged,
                          {"start_lr": start_lr, "end_lr": end_lr, "num_steps": num_steps,
                           "batch_size": batch_size})
