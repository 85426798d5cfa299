"""Metric registry for training: ``METRICS`` and ``get_metric(name)``.

Calling convention (what the Trainer uses)
------------------------------------------
Every entry is called as ``metric(y_true, y_score) -> float`` where

* ``y_true`` holds the targets: class indices ``0..C-1`` (or ``{0, 1}``) for classification,
  real values ``(N,)`` / ``(N, n_outputs)`` for regression;
* ``y_score`` is the model output as NumPy: class probabilities ``(N, C)``, a single
  probability column ``(N,)`` / ``(N, 1)`` for binary models, or regression predictions.

``metric.needs`` says what the underlying sklearn-style function consumes:

* ``"labels"``: the entry turns scores into labels itself -- ``argmax`` over columns for
  ``(N, C)`` with ``C >= 2``, ``y_score > 0.5`` for a single column. An integer ``y_score`` is
  taken to be labels already and passed through.
* ``"scores"``: ``y_score`` is passed on as probabilities / values. Classification score
  metrics name the columns ``labels = 0..C-1`` so a batch that lacks a class still works;
  ``(N, 2)`` binary probabilities use column 1 where the function wants one score.

``metric.greater_is_better`` is ``True`` for ``*_score`` metrics and ``False`` for losses /
errors (``log_loss``, ``mse``, ``rmse``, ``mae``). Label metrics use ``zero_division=0``
(the value sklearn's default ``"warn"`` gives, without a warning every epoch).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from . import classification as C
from . import ranking as R
from . import regression as G
from ._validation import check_finite

__all__ = ["METRICS", "Metric", "get_metric", "scores_to_labels"]


def scores_to_labels(y_score) -> np.ndarray:
    """Model outputs -> predicted labels: argmax of ``(N, C)``; ``> 0.5`` for one column;
    integer arrays are returned unchanged (already labels). NaN/inf raise (a NaN score must
    not turn silently into the label 0).

    Parameters
    ----------
    y_score : array-like of shape (N,), (N, 1) or (N, C)
        Probabilities (or integer labels).

    Returns
    -------
    ndarray of shape (N,)
        Integer labels.

    Examples
    --------
    >>> from lucidnet.metrics import scores_to_labels
    >>> scores_to_labels(np.array([[0.1, 0.9], [0.8, 0.2]]))
    array([1, 0])
    >>> scores_to_labels(np.array([0.2, 0.7]))
    array([0, 1])
    """
    y_score = np.asarray(y_score)
    check_finite(y_score, "y_score")
    if y_score.dtype.kind in "biu":
        return y_score.reshape(-1) if y_score.ndim == 2 and y_score.shape[1] == 1 else y_score
    if y_score.ndim == 2 and y_score.shape[1] > 1:
        return np.argmax(y_score, axis=1)
    if y_score.ndim in (1, 2):
        return (y_score.reshape(-1) > 0.5).astype(np.int64)
    raise ValueError(f"y_score must be (N,), (N, 1) or (N, C) model outputs; got shape "
                     f"{y_score.shape}.")


@dataclass(frozen=True)
class Metric:
    """A named metric: ``metric(y_true, y_score) -> float`` plus its direction and needs.

    Parameters
    ----------
    name : str
        The name the training history records it under (``val_<name>`` for validation).
    func : callable
        The sklearn-style function ``func(y_true, y_pred_or_score, ...)``.
    greater_is_better : bool
        ``True`` for scores, ``False`` for losses and errors (used by early stopping and
        checkpoints to know which way is better).
    needs : {"labels", "scores"}
        ``"labels"``: model outputs are turned into labels by :func:`scores_to_labels` before
        ``func`` sees them; ``"scores"``: they are passed on through ``adapt``.
    adapt : callable, optional
        For ``needs="scores"``: ``adapt(func, y_true, y_score)`` calls ``func`` with the right
        shape of scores (see the module docstring).

    Examples
    --------
    >>> from lucidnet.metrics import Metric, accuracy_score
    >>> acc = Metric("acc", accuracy_score, greater_is_better=True, needs="labels")
    >>> acc(np.array([1, 0]), np.array([[0.1, 0.9], [0.8, 0.2]]))
    1.0
    """

    name: str
    func: Callable
    greater_is_better: bool
    needs: str  # "labels" or "scores"
    adapt: Callable = field(repr=False, default=None)

    def __call__(self, y_true, y_score) -> float:
        y_true = np.asarray(y_true)
        if self.needs == "labels":
            return float(self.func(y_true, scores_to_labels(y_score)))
        return float(self.adapt(self.func, y_true, np.asarray(y_score)))


def _single_column(y_score: np.ndarray) -> np.ndarray | None:
    """``(N,)`` scores of the positive class for binary outputs, ``None`` for C > 2 columns."""
    if y_score.ndim == 1:
        return y_score
    if y_score.ndim == 2 and y_score.shape[1] in (1, 2):
        return y_score[:, -1]
    return None


def _pass_values(func, y_true, y_score):
    return func(y_true, y_score)


def _roc_auc(func, y_true, y_score):
    single = _single_column(y_score)
    if single is not None:
        return func(y_true, single)
    return func(y_true, y_score, multi_class="ovr", labels=np.arange(y_score.shape[1]))


def _with_column_labels(func, y_true, y_score):
    n_classes = 2 if _single_column(y_score) is not None else y_score.shape[1]
    if y_score.ndim == 2 and y_score.shape[1] == 1:
        y_score = y_score[:, 0]
    return func(y_true, y_score, labels=np.arange(n_classes))


def _average_precision(func, y_true, y_score):
    single = _single_column(y_score)
    if single is not None:
        return func(y_true, single)
    one_hot = (y_true.reshape(-1, 1) == np.arange(y_score.shape[1])).astype(np.int64)
    return func(one_hot, y_score, average="macro")


def _label_metric(name, func, **kwargs) -> Metric:
    def call(y_true, y_pred):
        return func(y_true, y_pred, **kwargs)
    call.__name__ = func.__name__
    return Metric(name, call, True, "labels")


def _build() -> dict[str, Metric]:
    entries = [
        _label_metric("accuracy", C.accuracy_score),
        _label_metric("precision", C.precision_score, average="binary", zero_division=0),
        _label_metric("recall", C.recall_score, average="binary", zero_division=0),
        _label_metric("f1", C.f1_score, average="binary", zero_division=0),
    ]
    for average in ("macro", "micro", "weighted"):
        for stem, func in (("precision", C.precision_score), ("recall", C.recall_score),
                           ("f1", C.f1_score)):
            entries.append(_label_metric(f"{stem}_{average}", func, average=average,
                                         zero_division=0))
    entries += [
        Metric("roc_auc", R.roc_auc_score, True, "scores", _roc_auc),
        Metric("average_precision", R.average_precision_score, True, "scores",
               _average_precision),
        Metric("log_loss", C.log_loss, False, "scores", _with_column_labels),
        Metric("top_k_accuracy", C.top_k_accuracy_score, True, "scores", _with_column_labels),
        Metric("mse", G.mean_squared_error, False, "scores", _pass_values),
        Metric("rmse", G.root_mean_squared_error, False, "scores", _pass_values),
        Metric("mae", G.mean_absolute_error, False, "scores", _pass_values),
        Metric("r2", G.r2_score, True, "scores", _pass_values),
    ]
    return {m.name: m for m in entries}


METRICS: dict[str, Metric] = _build()


def get_metric(name: str | Metric) -> Metric:
    """Look up a metric by name (a :class:`Metric` is returned unchanged).

    The names are the keys of ``METRICS``: ``"accuracy"``, ``"precision"``, ``"recall"``,
    ``"f1"`` (binary), their ``_macro`` / ``_micro`` / ``_weighted`` variants, ``"roc_auc"``,
    ``"average_precision"``, ``"log_loss"``, ``"top_k_accuracy"``, ``"mse"``, ``"rmse"``,
    ``"mae"`` and ``"r2"``. Raises ``ValueError`` listing the valid names for an unknown name.

    Examples
    --------
    >>> from lucidnet.metrics import get_metric
    >>> m = get_metric("accuracy")
    >>> m.name, m.greater_is_better, m.needs
    ('accuracy', True, 'labels')
    >>> m(np.array([1, 0]), np.array([[0.1, 0.9], [0.8, 0.2]]))
    1.0
    >>> get_metric("mse")([1.0, 2.0], [1.5, 2.0])
    0.125
    """
    if isinstance(name, Metric):
        return name
    if not isinstance(name, str):
        raise TypeError(f"metric must be a name (str) or a Metric; got {type(name).__name__}.")
    try:
        return METRICS[name]
    except KeyError:
        raise ValueError(f"Unknown metric {name!r}. Valid names: {sorted(METRICS)}.") from None
