"""Evaluation figures: confusion matrix, ROC curves, 2-D decision boundaries."""

from __future__ import annotations

import numpy as np

from ._backend import finish, pyplot

__all__ = ["confusion_matrix", "decision_boundary", "roc_curves"]




def confusion_matrix(cm, labels=None, normalize: str | None = None, path=None,
                     title: str | None = None, cmap: str = "Blues"):
    """Heat map of a confusion matrix with the count (or rate) in each cell.

    ``cm``: an (n, n) matrix, or a pair ``(y_true, y_pred)`` from which it is computed (rows and
    columns in sorted class order). ``labels``: the names shown for the classes.
    ``normalize``: None (counts), "true" (rows sum to 1: recall on the diagonal), "pred"
    (columns sum to 1: precision on the diagonal) or "all". Returns the Figure; saves a PNG
    if ``path`` is given.

    Examples
    --------
    >>> import os
    >>> from lucidnet import plot
    >>> fig = plot.confusion_matrix(([0, 1, 1, 0], [0, 1, 0, 0]), labels=["cat", "dog"],
    ...                             path="cm.png")
    >>> os.path.exists("cm.png")
    True
    """
    from .. import metrics

    if normalize not in (None, "true", "pred", "all"):
        raise ValueError(f"normalize must be None, 'true', 'pred' or 'all', got {normalize!r}")
    if isinstance(cm, tuple) and len(cm) == 2:
        y_true, y_pred = (np.asarray(a) for a in cm)
        classes = np.unique(np.concatenate([y_true, y_pred]))
        cm = metrics.confusion_matrix(y_true, y_pred, labels=classes)
        labels = classes if labels is None else labels
    cm = np.asarray(cm, dtype=float)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.size == 0:
        raise ValueError(f"cm must be a square (n, n) matrix or a pair (y_true, y_pred), "
                         f"got shape {cm.shape}")
    n = cm.shape[0]
    labels = list(range(n)) if labels is None else [str(v) for v in labels]
    if len(labels) != n:
        raise ValueError(f"labels has {len(labels)} names for a {n}x{n} confusion matrix")
    cm = metrics.classification.normalize_confusion(cm, normalize)
    plt = pyplot()
    size = max(3.2, 0.55 * n + 2)
    fig, ax = plt.subplots(figsize=(size + 0.8, size))
    im = ax.imshow(cm, cmap=cmap)
    fig.colorbar(im, ax=ax, fraction=0.046)
    ax.set_xticks(range(n), labels, rotation=45 if n > 4 else 0)
    ax.set_yticks(range(n), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if n <= 20:
        threshold = cm.max() / 2 if cm.max() > 0 else 1
        for i in range(n):
            for j in range(n):
                text = f"{cm[i, j]:.2f}" if normalize else f"{cm[i, j]:.0f}"
                ax.text(j, i, text, ha="center", va="center", fontsize=8,
                        color="white" if cm[i, j] > threshold else "black")
    return finish(fig, path, title or "confusion matrix" + (f" (normalized: {normalize})"
                                                              if normalize else ""))


def roc_curves(y_true, y_score, labels=None, path=None, title: str | None = None):
    """ROC curve with its AUC: binary (``y_score`` (N,) or (N, 2)), or one curve per
    class, one-vs-rest, for (N, C) class probabilities with C > 2. The diagonal is chance.

    Returns the Figure; saves a PNG if ``path`` is given.

    Examples
    --------
    >>> import os
    >>> from lucidnet import plot
    >>> fig = plot.roc_curves([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], path="roc.png")
    >>> os.path.exists("roc.png")
    True
    """
    from .. import metrics

    y_true = np.asarray(y_true).reshape(-1)
    y_score = np.asarray(y_score, dtype=float)
    if len(y_true) != len(y_score):
        raise ValueError(f"y_true and y_score have different lengths: {len(y_true)} vs {len(y_score)}")
    curves = []
    if y_score.ndim == 1 or (y_score.ndim == 2 and y_score.shape[1] <= 2):
        score = y_score if y_score.ndim == 1 else y_score[:, -1]
        classes = np.unique(y_true)
        if len(classes) != 2:
            raise ValueError(f"a binary ROC curve needs two classes in y_true, got {classes.tolist()}")
        fpr, tpr, _ = metrics.roc_curve(y_true, score, pos_label=classes[1])
        name = str(labels[1]) if labels is not None else f"class {classes[1]}"
        curves.append((name, fpr, tpr))
    else:
        n_classes = y_score.shape[1]
        names = [str(v) for v in labels] if labels is not None else [str(c) for c in range(n_classes)]
        for c in range(n_classes):
            positive = (y_true == c).astype(int)
            if positive.min() == positive.max():
                continue  # a class absent (or alone) has no ROC curve
            fpr, tpr, _ = metrics.roc_curve(positive, y_score[:, c])
            curves.append((f"{names[c]} vs rest", fpr, tpr))
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(4.6, 4.2))
    for name, fpr, tpr in curves:
        ax.plot(fpr, tpr, label=f"{name} (AUC = {metrics.auc(fpr, tpr):.3f})")
    ax.plot([0, 1], [0, 1], "k--", lw=0.8, label="chance")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return finish(fig, path, title or "ROC curve")


def decision_boundary(predict_fn, X, y, path=None, resolution: int = 200, title: str | None = None,
                      margin: float = 0.5):
    """Colour the plane by ``predict_fn(points)`` (labels, or probabilities (N, C) / (N,)) and
    scatter the 2-D samples ``X`` coloured by ``y``.

    The plane spans the data's range plus ``margin``, sampled on a ``resolution`` x
    ``resolution`` grid. Returns the Figure; saves a PNG if ``path`` is given.

    Examples
    --------
    >>> import os
    >>> from lucidnet import plot
    >>> X = np.random.default_rng(0).normal(size=(20, 2))
    >>> y = (X[:, 0] > 0).astype(int)
    >>> fig = plot.decision_boundary(lambda P: (P[:, 0] > 0).astype(int), X, y, path="db.png",
    ...                              resolution=20)
    >>> os.path.exists("db.png")
    True
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y).reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"decision_boundary needs 2-D inputs X of shape (N, 2), got {X.shape}")
    if not callable(predict_fn):
        raise TypeError(f"predict_fn must be callable, got {type(predict_fn).__name__}")
    (x0, y0), (x1, y1) = X.min(axis=0) - margin, X.max(axis=0) + margin
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = np.c_[gx.ravel(), gy.ravel()].astype(np.float32)
    classes = np.unique(y)
    pred = np.asarray(predict_fn(grid))
    if pred.ndim == 2 and pred.shape[1] > 1:
        index = pred.argmax(axis=1)  # column c is the c-th class in sorted order
    else:
        pred = pred.reshape(-1)
        if pred.dtype.kind == "f" and len(classes) == 2 and np.all((pred >= 0) & (pred <= 1)):
            index = (pred > 0.5).astype(int)
        else:  # predicted labels: their position among the classes of y
            index = np.clip(np.searchsorted(classes, pred), 0, len(classes) - 1)
    k = max(len(classes), int(index.max()) + 1)
    colours = [f"C{i % 10}" for i in range(k)]
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(4.8, 4.2))
    ax.contourf(gx, gy, index.reshape(gx.shape).astype(float), levels=np.arange(k + 1) - 0.5,
                colors=colours, alpha=0.25)
    for i, c in enumerate(classes):
        m = y == c
        ax.scatter(X[m, 0], X[m, 1], s=12, color=colours[i], edgecolors="k", linewidths=0.3,
                   label=str(c))
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    if len(classes) <= 10:
        ax.legend(fontsize=8, loc="best")
    return finish(fig, path, title or "decision boundary")
