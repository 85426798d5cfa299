"""Diagnostic figures: gradient flow, activation histograms, conv filters, LR range test,
capacity curve."""

from __future__ import annotations

import numpy as np

from ..nn._probe import layer_outputs
from ..nn.activation import LeakyReLU, ReLU, Sigmoid, Softmax, Step, Tanh
from ._backend import finish, pyplot

__all__ = ["activation_histograms", "capacity_curve", "conv_filters", "gradient_flow", "lr_finder"]


def gradient_flow(records, path=None, title: str | None = None):
    """Per-layer gradient norms (log scale) from ``GradientMonitor.records``: left, one line per
    epoch across the layers (input -> output); right, each layer over the epochs.

    Norms that shrink by orders of magnitude towards the input are vanishing gradients.
    ``records``: a `GradientMonitor` or its ``records`` list. Returns the Figure; saves a PNG
    if ``path`` is given.

    Examples
    --------
    >>> import os
    >>> from lucidnet import plot
    >>> records = [{"epoch": e, "grad_norm": {"0": 0.5 / (e + 1), "2": 0.2}} for e in range(2)]
    >>> fig = plot.gradient_flow(records, path="flow.png")
    >>> os.path.exists("flow.png")
    True
    """
    records = getattr(records, "records", records)
    if not records or not records[0].get("grad_norm"):
        raise ValueError("gradient_flow needs GradientMonitor.records with gradient norms "
                         "(train for at least one epoch with the monitor)")
    layers = list(records[0]["grad_norm"])
    norms = np.array([[r["grad_norm"].get(k, np.nan) for k in layers] for r in records])
    norms = np.where(norms > 0, norms, np.nan)
    plt = pyplot()
    fig, (a, b) = plt.subplots(1, 2, figsize=(9.5, 3.6))
    cmap = plt.get_cmap("viridis")
    for i, row in enumerate(norms):
        a.plot(range(len(layers)), row, marker="o", markersize=3,
               color=cmap(i / max(1, len(norms) - 1)), label=f"epoch {records[i]['epoch'] + 1}"
               if i in (0, len(norms) - 1) else None)
    a.set_xticks(range(len(layers)), layers)
    a.set_yscale("log")
    a.set_xlabel("layer (input -> output)")
    a.set_ylabel("gradient norm")
    a.grid(alpha=0.3)
    a.legend(fontsize=8)
    epochs = [r["epoch"] + 1 for r in records]
    for j, name in enumerate(layers):
        b.plot(epochs, norms[:, j], label=f"layer {name}")
    b.set_yscale("log")
    b.set_xlabel("epoch")
    b.grid(alpha=0.3)
    b.legend(fontsize=7, ncol=2)
    return finish(fig, path, title or "gradient flow")


def activation_histograms(model, X, path=None, bins: int = 50, title: str | None = None,
                          layers=None):
    """Histogram of every activation layer's outputs on ``X`` (by default the outputs of
    activation functions; ``layers`` = names to show instead). Dead ReLUs show as a spike at 0,
    saturated sigmoids as spikes at 0 and 1. Returns the Figure; saves a PNG if ``path`` is given.

    Examples
    --------
    >>> import os
    >>> from lucidnet import plot
    >>> model = ln.nn.Sequential(ln.nn.Linear(2, 4), ln.nn.ReLU(), ln.nn.Linear(4, 2))
    >>> X = np.random.default_rng(0).normal(size=(20, 2)).astype(np.float32)
    >>> fig = plot.activation_histograms(model, X, path="activations.png")
    >>> os.path.exists("activations.png")
    True
    """
    outs = layer_outputs(model, X)
    if layers is not None:
        wanted = [str(v) for v in layers]
        chosen = [o for o in outs if o[0] in wanted]
    else:
        chosen = [o for o in outs if isinstance(o[1], (ReLU, LeakyReLU, Sigmoid, Tanh, Step, Softmax))]
        chosen = chosen or outs
    if not chosen:
        raise ValueError("activation_histograms found no layer to show")
    plt = pyplot()
    n = len(chosen)
    cols = min(n, 4)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.6 * rows), squeeze=False)
    for ax, (name, m, out) in zip(axes.ravel(), chosen):
        ax.hist(out.ravel(), bins=bins, color="tab:blue", alpha=0.8)
        ax.set_title(f"{name} ({type(m).__name__})\nmean {out.mean():.2f}, std {out.std():.2f}",
                     fontsize=9)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    return finish(fig, path, title or "activation histograms")


def conv_filters(weight, path=None, max_filters: int = 64, title: str | None = None):
    """Show conv kernels ``(out, in, kh, kw)`` as a grid of images (input channels averaged,
    or as RGB when in == 3), each scaled to its own range.

    ``weight``: an array or a Parameter (e.g. ``model.conv1.weight``); at most ``max_filters``
    are shown. Returns the Figure; saves a PNG if ``path`` is given.

    Examples
    --------
    >>> import os
    >>> from lucidnet import plot
    >>> fig = plot.conv_filters(ln.nn.Conv2d(1, 4, 3).weight, path="kernels.png")
    >>> os.path.exists("kernels.png")
    True
    """
    w = np.asarray(getattr(weight, "data", weight), dtype=float)
    if w.ndim != 4:
        raise ValueError(f"conv_filters needs a weight of shape (out, in, kh, kw), got {w.shape}")
    w = w[:max_filters]
    n = len(w)
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    plt = pyplot()
    fig, axes = plt.subplots(rows, cols, figsize=(1.2 * cols + 0.5, 1.2 * rows + 0.5), squeeze=False)
    for ax, k in zip(axes.ravel(), w):
        lo, hi = k.min(), k.max()
        k = (k - lo) / (hi - lo) if hi > lo else np.zeros_like(k)
        if k.shape[0] == 3:
            ax.imshow(np.moveaxis(k, 0, -1), interpolation="nearest")
        else:
            ax.imshow(k.mean(axis=0), cmap="gray", interpolation="nearest")
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    return finish(fig, path, title or f"conv filters ({n} of shape {w.shape[1:]})")


def lr_finder(result, path=None, title: str | None = None):
    """Smoothed loss against the learning rate (log scale) from `lucidnet.train.lr_find`, with the
    suggested rate marked. Returns the Figure; saves a PNG if ``path`` is given.

    Examples
    --------
    >>> import os
    >>> from lucidnet import plot
    >>> from lucidnet.train import LRFinderResult
    >>> lrs, losses = np.logspace(-4, 0, 10), np.linspace(1.0, 0.5, 10)
    >>> fig = plot.lr_finder(LRFinderResult(lrs, losses, losses, suggestion=0.01), path="lr.png")
    >>> os.path.exists("lr.png")
    True
    """
    lrs, losses = np.asarray(result.lrs), np.asarray(result.losses)
    if len(lrs) == 0:
        raise ValueError("lr_finder needs a non-empty LR range test result")
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.2, 3.6))
    ax.plot(lrs, np.asarray(result.raw_losses), color="0.75", lw=0.8, label="batch loss")
    ax.plot(lrs, losses, label="smoothed loss")
    ax.axvline(result.suggestion, color="tab:red", ls="--",
               label=f"suggestion {result.suggestion:.2g}")
    ax.set_xscale("log")
    finite = losses[np.isfinite(losses)]
    if finite.size:
        ax.set_ylim(finite.min() - 0.05 * abs(finite.min()), min(finite.max(), 4 * finite[0]) * 1.05)
    ax.set_xlabel("learning rate")
    ax.set_ylabel("loss")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return finish(fig, path, title or "learning-rate range test")


def capacity_curve(result, path=None, title: str | None = None):
    """Training and validation loss (and score) against model size from
    `lucidnet.train.capacity_sweep`: underfitting on the left, overfitting on the right.

    Returns the Figure; saves a PNG if ``path`` is given.

    Examples
    --------
    >>> import os
    >>> from lucidnet import plot
    >>> from lucidnet.train import CapacityResult
    >>> result = CapacityResult(sizes=[1, 4], n_params=[4, 13], train_loss=[0.5, 0.2],
    ...                         val_loss=[0.6, 0.4])
    >>> fig = plot.capacity_curve(result, path="capacity.png")
    >>> os.path.exists("capacity.png")
    True
    """
    data = result.as_dict() if hasattr(result, "as_dict") else dict(result)
    sizes = [str(s) for s in data["sizes"]]
    if not sizes:
        raise ValueError("capacity_curve needs a non-empty capacity_sweep result")
    has_score = bool(data.get("val_score"))
    plt = pyplot()
    fig, axes = plt.subplots(1, 2 if has_score else 1, figsize=(9 if has_score else 4.8, 3.6),
                             squeeze=False)
    x = np.arange(len(sizes))
    panels = [("loss", "train_loss", "val_loss")]
    if has_score:
        panels.append((data.get("metric") or "score", "train_score", "val_score"))
    for ax, (name, tr, va) in zip(axes[0], panels):
        ax.plot(x, data[tr], marker="o", label="train")
        ax.plot(x, data[va], marker="o", label="validation")
        ax.set_xticks(x, sizes)
        ax.set_xlabel("model size")
        ax.set_title(name)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    best = sizes.index(str(data["best_size"])) if "best_size" in data else None
    if best is not None:
        axes[0][0].axvline(best, color="tab:green", ls=":", label="best")
    return finish(fig, path, title or "capacity sweep (bias-variance)")
