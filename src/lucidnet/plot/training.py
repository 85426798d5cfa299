"""Learning curves: training vs validation for the loss and every metric."""

from __future__ import annotations

from ._backend import finish, pyplot

__all__ = ["learning_curves"]


def learning_curves(history, path=None, title: str | None = None):
    """One panel per quantity (loss, accuracy, ...), train and validation on the same axes.

    ``history``: a `lucidnet.train.History` or its ``.history`` dict. Returns the Figure;
    saves a PNG if ``path`` is given. A validation curve that turns up while the training curve
    keeps falling is the sign of overfitting.

    Examples
    --------
    >>> import os
    >>> from lucidnet import plot
    >>> from lucidnet.train import History
    >>> h = History()
    >>> h.append(0, {"loss": 1.0, "val_loss": 1.2, "accuracy": 0.5})
    >>> h.append(1, {"loss": 0.6, "val_loss": 0.9, "accuracy": 0.7})
    >>> fig = plot.learning_curves(h, path="curves.png")     # loss and accuracy panels
    >>> len(fig.axes), os.path.exists("curves.png")
    (2, True)
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
