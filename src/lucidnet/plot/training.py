"""Learning curves: training vs validation for the loss and every metric."""

from __future__ import annotations

from ._backend import finish, pyplot

__all__ = ["learning_curves"]


def learning_curves(history, path=None, title: str | None = None):
    """One panel per quantity (loss, accuracy, ...), train and validation on the same axes.

    ``history``: a `lucidnet.train.History` or its ``.history`` dict. Returns the Figure.
    """
    data = getattr(history, "history", history)
    if not data:
        raise ValueError("learning_curves needs a non-empty history (train for at least one epoch)")
    names = [k for k in data if not k.startswith("val_") and k != "lr"]
    plt = pyplot()
    fig, axes = plt.subplots(1, len(names), figsize=(4.2 * len(names), 3.4), squeeze=False)
    for ax, name in zip(axes[0], names):
        epochs = range(1, len(data[name]) + 1)
        ax.plot(epochs, data[name], label="train", marker="o", markersize=2.5)
        if f"val_{name}" in data:
            ax.plot(epochs, data[f"val_{name}"], label="validation", marker="o", markersize=2.5)
        ax.set_xlabel("epoch")
        ax.set_title(name)
        ax.grid(alpha=0.3)
        ax.legend()
    return finish(fig, path, title)
