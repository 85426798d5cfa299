"""Claims 7, 8, 9, 11: learning rate and decay, optimizers on a ravine and a saddle, the first-order
Taylor view of a step, batch / stochastic / mini-batch descent (SPEC F1, E1-E3, A5).

Also the small training loop the lab's claims 1-11 share (`fit`, `full_loss`, `float64`): forward,
loss, backward, update -- the four visible steps of SPEC A2, with a full-data loss after each epoch.
"""

from __future__ import annotations

import math
from contextlib import contextmanager

import numpy as np

from ...autograd.tensor import Tensor, get_default_dtype, no_grad, set_default_dtype

__all__ = ["fit", "float64", "full_loss"]


# ------------------------------------------------------------------------------ shared helpers
@contextmanager
def float64():
    """Build and train in float64 inside the block (the default dtype is restored after)."""
    previous = get_default_dtype()
    set_default_dtype(np.float64)
    try:
        yield
    finally:
        set_default_dtype(previous)


def _dtype(model) -> np.dtype:
    return next(iter(model.parameters())).dtype


def full_loss(model, loss_fn, X: np.ndarray, y: np.ndarray) -> float:
    """The loss of ``model`` on all of (X, y), without building a graph."""
    with no_grad():
        return float(loss_fn(model(Tensor(X.astype(_dtype(model), copy=False))), y).item())


def fit(model, loss_fn, opt, X: np.ndarray, y: np.ndarray, epochs: int,
        batch_size: int | None = None, seed: int = 0, scheduler=None,
        step_losses: bool = False) -> dict:
    """Train ``epochs`` passes over (X, y) (``batch_size=None``: full batch); stop on NaN/inf.

    Returns ``{"loss": full-data loss before training and after each epoch (np.nan once
    diverged), "diverged": bool, "steps": updates made, "step_loss": per-update batch losses
    (if ``step_losses``)}``. ``scheduler`` (if given) is stepped once per epoch.
    """
    dtype = _dtype(model)
    X = X.astype(dtype, copy=False)
    if y.dtype.kind == "f":
        y = y.astype(dtype, copy=False)
    rng = np.random.default_rng(seed)
    n = len(X)
    bs = n if batch_size is None else int(batch_size)
    history = [full_loss(model, loss_fn, X, y)]
    per_step, steps, diverged = [], 0, not math.isfinite(history[0])
    for _ in range(epochs):
        if diverged:
            history.append(np.nan)
            continue
        order = rng.permutation(n) if bs < n else np.arange(n)
        for start in range(0, n, bs):
            idx = order[start:start + bs]
            opt.zero_grad()
            loss = loss_fn(model(Tensor(X[idx])), y[idx])
            value = float(loss.item())
            if not math.isfinite(value):
                diverged = True
                break
            loss.backward()
            opt.step()
            steps += 1
            if step_losses:
                per_step.append(value)
        if scheduler is not None:
            scheduler.step()
        value = np.nan if diverged else full_loss(model, loss_fn, X, y)
        if not math.isfinite(value):
            diverged, value = True, np.nan
        history.append(value)
    out = {"loss": np.asarray(history), "diverged": diverged, "steps": steps}
    if step_losses:
        out["step_loss"] = np.asarray(per_step)
    return out
