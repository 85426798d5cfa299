"""Classification metrics: confusion matrix, accuracy, precision, recall, F-beta, report,
log loss, top-k accuracy.

Signatures, defaults and results follow scikit-learn (``sklearn.metrics``). Labels may be any
sortable values (ints, strings); ``y_true`` / ``y_pred`` are ``(n_samples,)`` label arrays, or
``(n_samples, n_labels)`` 0/1 indicator matrices for multilabel targets. ``zero_division`` (the
value of a 0/0 ratio, e.g. precision for a class never predicted) is ``"warn"`` (0 with an
:class:`UndefinedMetricWarning`), 0, 1 or ``np.nan`` (left out of averages). Precision and recall
are best read together; F1 summarises them when the classes are imbalanced, where accuracy can
look good for a model that always predicts the majority class.
"""

from __future__ import annotations

import warnings

import numpy as np

from ._validation import (
    UndefinedMetricWarning,
    check_average,
    check_targets,
    check_zero_division,
    nan_average,
    type_of_target,
    warn_undefined,
)

__all__ = [
    "accuracy_score",
    "classification_report",
    "confusion_matrix",
    "f1_score",
    "fbeta_score",
    "log_loss",
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
    "top_k_accuracy_score",
]

AVERAGES = ("binary", "micro", "macro", "weighted", "samples", None)


def _weighted_total(values: np.ndarray, sample_weight, normalize: bool) -> float:
    if normalize:
        return float(np.average(values, weights=sample_weight))
    if sample_weight is None:
        return float(np.sum(values))
    return float(np.dot(values, sample_weight))


def _index_of(y: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Position of every ``y`` in ``labels`` (any order; a repeated label maps to its last
    position, as sklearn's dict does); ``len(labels)`` where absent."""
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    pos = np.clip(np.searchsorted(sorted_labels, y, side="right") - 1, 0, len(labels) - 1)
    found = sorted_labels[pos] == y
    return np.where(found, order[pos], len(labels))


# ---------------------------------------------------------------- confusion matrix, accuracy

def confusion_matrix(y_true, y_pred, *, labels=None, sample_weight=None,
                     normalize: str | None = None) -> np.ndarray:
    """Confusion matrix: ``C[i, j]`` = (weighted) count of samples of true class ``i``
    predicted as class ``j``.

    Rows are true labels, columns predictions, both in the order of ``labels`` (default: the
    sorted union of labels). Samples whose label is not in ``labels`` are ignored. For binary
    ``{0, 1}`` labels the matrix is ``[[TN, FP], [FN, TP]]``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels (binary or multiclass; multilabel raises ``ValueError``).
    labels : array-like of shape (n_classes,), optional
        Which labels, in which order, index the rows and columns.
    sample_weight : array-like of shape (n_samples,), optional
        Weight of each sample.
    normalize : {"true", "pred", "all"} or None
        Divide by the row sums (``"true"``: the diagonal is each class's recall), the column
        sums (``"pred"``: the diagonal is the precision), the total (``"all"``), or not at all.

    Returns
    -------
    ndarray of shape (n_classes, n_classes)
        int64 counts without weights or normalization, float64 otherwise.

    Examples
    --------
    >>> from lucidnet.metrics import confusion_matrix
    >>> confusion_matrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2])
    array([[2, 0, 0],
           [0, 0, 1],
           [1, 0, 2]])
    >>> tn, fp, fn, tp = confusion_matrix([0, 1, 1, 0], [0, 1, 0, 0]).ravel()
    >>> int(tn), int(fp), int(fn), int(tp)
    (2, 0, 1, 1)
    """
    if normalize not in ("true", "pred", "all", None):
        raise ValueError(f"normalize must be one of ('true', 'pred', 'all', None); got "
                         f"normalize={normalize!r}.")
    t = check_targets(y_true, y_pred, sample_weight=sample_weight)
    if t.type == "multilabel-indicator":
        raise ValueError("multilabel-indicator targets are not supported by confusion_matrix; "
                         "expected binary or multiclass labels.")
    if labels is None:
        labels = t.labels
    else:
        labels = np.asarray(labels)
        if labels.size == 0:
            raise ValueError("'labels' should contain at least one label.")
        if len(np.intersect1d(t.y_true, labels)) == 0:
            raise ValueError(f"At least one label specified must be in y_true; got "
                             f"labels={labels.tolist()}, y_true has {t.labels.tolist()}.")
    n = labels.size
    ti, pi = _index_of(t.y_true, labels), _index_of(t.y_pred, labels)
    keep = (ti < n) & (pi < n)
    sw = t.sample_weight
    weights = None if sw is None else sw[keep]
    cm = np.bincount(ti[keep] * n + pi[keep], weights=weights, minlength=n * n).reshape(n, n)
    if sw is None or sw.dtype.kind in "biu":
        cm = cm.astype(np.int64)
    if normalize is not None:
        cm = normalize_confusion(cm, normalize)
    if cm.shape == (1, 1):
        warnings.warn("A single label was found in 'y_true' and 'y_pred'. For the confusion "
                      "matrix to have the correct shape, use the 'labels' parameter to pass "
                      "all known labels.", UserWarning, stacklevel=2)
    return cm


def normalize_confusion(cm, normalize: str | None) -> np.ndarray:
    """Rows ("true": recall on the diagonal), columns ("pred": precision) or everything ("all")
    of a confusion matrix scaled to sum to 1; empty rows/columns give 0. None returns ``cm``.

    Examples
    --------
    >>> from lucidnet.metrics.classification import normalize_confusion
    >>> normalize_confusion(np.array([[3, 1], [0, 0]]), "true")
    array([[0.75, 0.25],
           [0.  , 0.  ]])
    """
    if normalize is None:
        return cm
    with np.errstate(all="ignore"):
        if normalize == "true":
            cm = cm / cm.sum(axis=1, keepdims=True)
        elif normalize == "pred":
            cm = cm / cm.sum(axis=0, keepdims=True)
        elif normalize == "all":
            cm = cm / cm.sum()
        else:
            raise ValueError(f"normalize must be one of 'true', 'pred', 'all' or None; got "
                             f"{normalize!r}.")
    return np.nan_to_num(cm)


def accuracy_score(y_true, y_pred, *, normalize: bool = True, sample_weight=None) -> float:
    """Accuracy ``sum_i w_i [ŷ_i == y_i] / sum_i w_i``: the fraction of correct predictions
    (``(TP + TN) / N`` for binary labels).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_labels)
        True and predicted labels. Multilabel indicator input counts a sample as correct only
        if its whole row matches (subset accuracy).
    normalize : bool, default True
        ``False`` returns the (weighted) number of correct samples instead of the fraction.
    sample_weight : array-like of shape (n_samples,), optional
        Weight ``w_i`` of each sample.

    Returns
    -------
    float

    Examples
    --------
    >>> from lucidnet.metrics import accuracy_score
    >>> accuracy_score([0, 2, 1, 3], [0, 1, 2, 3])
    0.5
    >>> accuracy_score([0, 2, 1, 3], [0, 1, 2, 3], normalize=False)
    2.0
    """
    t = check_targets(y_true, y_pred, sample_weight=sample_weight)
    if t.type == "multilabel-indicator":
        correct = np.all(t.y_true == t.y_pred, axis=1)
    else:
        correct = t.y_true == t.y_pred
    return _weighted_total(correct, t.sample_weight, normalize)


# ---------------------------------------------------------------- precision / recall / F

def _set_wise_labels(t, average, labels, pos_label):
    if average == "binary":
        if t.type != "binary":
            options = [a for a in AVERAGES if a != "binary"]
            if t.type == "multiclass":
                options.remove("samples")
            raise ValueError(f"Target is {t.type} but average='binary'. Please choose another "
                             f"average setting, one of {options}.")
        if pos_label not in t.labels and len(t.labels) >= 2:
            raise ValueError(f"pos_label={pos_label!r} is not a valid label. It should be one "
                             f"of {t.labels.tolist()}.")
        return [pos_label]
    if pos_label not in (None, 1):
        warnings.warn(f"Note that pos_label (set to {pos_label!r}) is ignored when average != "
                      f"'binary' (got {average!r}). You may use labels=[pos_label] to specify a "
                      f"single positive class.", UserWarning, stacklevel=4)
    return labels


def _multiclass_counts(t, labels):
    """Per-label (tp, pred, true) sums for 1-d labels, in the order of ``labels``."""
    universe = t.labels if labels is None else np.unique(np.concatenate([t.labels, labels]))
    selected = t.labels if labels is None else np.asarray(labels)
    n = universe.size
    yt, yp = np.searchsorted(universe, t.y_true), np.searchsorted(universe, t.y_pred)
    sw = t.sample_weight
    hit = yt == yp
    tp = np.bincount(yt[hit], weights=None if sw is None else sw[hit], minlength=n)
    pred = np.bincount(yp, weights=sw, minlength=n)
    true = np.bincount(yt, weights=sw, minlength=n)
    if not hit.any():  # sklearn's counts turn float when nothing is a hit; keep its dtypes
        tp, pred, true = tp.astype(np.float64), pred.astype(np.float64), true.astype(np.float64)
    idx = np.searchsorted(universe, selected)
    return tp[idx], pred[idx], true[idx]


def _multilabel_counts(t, labels, samplewise: bool):
    yt, yp = t.y_true != 0, t.y_pred != 0
    if labels is not None:
        labels = np.asarray(labels)
        n_cols = yt.shape[1]
        if labels.size and (labels.max() >= n_cols or labels.min() < 0):
            raise ValueError(f"All labels must be in [0, n labels) for multilabel targets; got "
                             f"labels={labels.tolist()} with {n_cols} label columns.")
        yt, yp = yt[:, labels], yp[:, labels]
    axis = 1 if samplewise else 0
    sw = t.sample_weight

    def count(mask):
        if sw is None:
            return np.sum(mask, axis=axis)
        weighted = mask * sw[:, None]
        return np.sum(weighted, axis=axis)

    return count(yt & yp), count(yp), count(yt)


def _warn_prf(average, modifier: str, msg_start: str, result_size: int) -> None:
    axis0, axis1 = ("label", "sample") if average == "samples" else ("sample", "label")
    where = "due to" if result_size == 1 else f"in {axis1}s with"
    warnings.warn(f"{msg_start} ill-defined and being set to 0.0 {where} no {modifier} "
                  f"{axis0}s. Use `zero_division` parameter to control this behavior.",
                  UndefinedMetricWarning, stacklevel=5)


def _prf_divide(numerator, denominator, metric, modifier, average, warn_for, zero_division):
    """``numerator / denominator`` with 0/0 set to ``zero_division`` (warning for 'warn')."""
    mask = denominator == 0
    denominator = np.asarray(denominator, dtype=np.float64).copy()
    denominator[mask] = 1
    result = np.asarray(numerator, dtype=np.float64) / denominator
    if not np.any(mask):
        return result
    result[mask] = check_zero_division(zero_division)
    if isinstance(zero_division, str) and metric in warn_for:
        _warn_prf(average, modifier, f"{metric.capitalize()} is", result.shape[0])
    return result


def precision_recall_fscore_support(y_true, y_pred, *, beta: float = 1.0, labels=None,
                                    pos_label=1, average: str | None = None,
                                    warn_for=("precision", "recall", "f-score"),
                                    sample_weight=None, zero_division="warn"):
    """Precision, recall, F-beta and support, per label or averaged.

    For each label, with TP / FP / FN its true positives, false positives and false negatives:
    ``precision = TP / (TP + FP)`` (of the samples predicted as the label, the fraction that
    are), ``recall = TP / (TP + FN)`` (of the samples that are, the fraction found),
    ``F_beta = (1 + beta²) TP / ((1 + beta²) TP + beta² FN + FP)`` (their weighted harmonic
    mean; beta > 1 favours recall) and support = the (weighted) count of the label in
    ``y_true``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_labels)
        True and predicted labels, or multilabel indicator matrices.
    beta : float, default 1.0
        Weight of recall against precision in the F score (``beta >= 0``).
    labels : array-like, optional
        The labels to report (and average over), in this order; default all, sorted.
    pos_label : label, default 1
        The positive class when ``average="binary"``.
    average : {"binary", "micro", "macro", "weighted", "samples"} or None
        ``"binary"``: only ``pos_label``; ``"micro"``: pool the counts of all labels;
        ``"macro"``: unweighted mean over labels; ``"weighted"``: mean weighted by support;
        ``"samples"``: multilabel, mean over samples; ``None``: one value per label.
    warn_for : tuple of str
        Which of "precision", "recall", "f-score" warn when ill-defined.
    sample_weight : array-like of shape (n_samples,), optional
        Weight of each sample.
    zero_division : "warn", 0, 1 or np.nan
        The value of a 0/0 ratio; with ``np.nan`` such labels are left out of the average.

    Returns
    -------
    precision, recall, fbeta : float or ndarray of shape (n_labels,)
    support : ndarray of shape (n_labels,) or None
        ``None`` when averaged.

    Examples
    --------
    >>> from lucidnet.metrics import precision_recall_fscore_support
    >>> y_true, y_pred = [0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1]
    >>> p, r, f, s = precision_recall_fscore_support(y_true, y_pred, average=None)
    >>> p, r, f, s
    (array([0.66666667, 0.        , 0.        ]), array([1., 0., 0.]), array([0.8, 0. , 0. ]), array([2, 2, 2]))
    >>> precision_recall_fscore_support(y_true, y_pred, average="macro")
    (0.2222222222222222, 0.3333333333333333, 0.26666666666666666, None)
    """
    check_zero_division(zero_division)
    check_average(average, AVERAGES)
    if not isinstance(beta, (int, float, np.integer, np.floating)) or np.isnan(beta) or beta < 0:
        raise ValueError(f"beta must be a number >= 0; got beta={beta!r}.")
    t = check_targets(y_true, y_pred, sample_weight=sample_weight)
    labels = _set_wise_labels(t, average, labels, pos_label)
    samplewise = average == "samples"
    if t.type == "multilabel-indicator":
        tp, pred, true = _multilabel_counts(t, labels, samplewise)
    else:
        if samplewise:
            raise ValueError("Samplewise metrics are not available outside of multilabel "
                             "classification; average='samples' needs multilabel-indicator "
                             f"targets, got {t.type}.")
        tp, pred, true = _multiclass_counts(t, labels)
    # sklearn goes through the (tn, fp, fn, tp) matrix: same round trip, same last bits
    pred, true = tp + (pred - tp), tp + (true - tp)
    if average == "micro":
        tp, pred, true = (np.array([np.sum(a)]) for a in (tp, pred, true))
    precision = _prf_divide(tp, pred, "precision", "predicted", average, warn_for, zero_division)
    recall = _prf_divide(tp, true, "recall", "true", average, warn_for, zero_division)
    if np.isposinf(beta):
        fscore = recall
    elif beta == 0:
        fscore = precision
    else:
        beta2 = beta ** 2
        denom = beta2 * np.asarray(true, dtype=np.float64) + np.asarray(pred, dtype=np.float64)
        fscore = _prf_divide((1 + beta2) * np.asarray(tp, dtype=np.float64), denom, "f-score",
                             "true nor predicted", average, warn_for, zero_division)
    if average is None:
        return precision, recall, fscore, true
    weights = {"weighted": true, "samples": t.sample_weight}.get(average)
    return (nan_average(precision, weights), nan_average(recall, weights),
            nan_average(fscore, weights), None)


def precision_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary",
                    sample_weight=None, zero_division="warn"):
    """Precision ``TP / (TP + FP)``: of the samples predicted as a class, the fraction that are.

    Arguments as :func:`precision_recall_fscore_support` (default ``average="binary"``,
    positive class ``pos_label``). Returns a float, or an array with ``average=None``.

    Examples
    --------
    >>> from lucidnet.metrics import precision_score
    >>> precision_score([0, 1, 1, 1], [0, 1, 0, 1])
    1.0
    >>> precision_score([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], average=None)
    array([0.66666667, 0.        , 0.        ])
    """
    p, _, _, _ = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
        warn_for=("precision",), sample_weight=sample_weight, zero_division=zero_division)
    return p


def recall_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary",
                 sample_weight=None, zero_division="warn"):
    """Recall ``TP / (TP + FN)``: of the samples of a class, the fraction predicted as it
    (also called sensitivity or true positive rate).

    Arguments as :func:`precision_recall_fscore_support` (default ``average="binary"``,
    positive class ``pos_label``). Returns a float, or an array with ``average=None``.

    Examples
    --------
    >>> from lucidnet.metrics import recall_score
    >>> recall_score([0, 1, 1, 1], [0, 1, 0, 1])
    0.6666666666666666
    >>> recall_score([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], average=None)
    array([1., 0., 0.])
    """
    _, r, _, _ = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
        warn_for=("recall",), sample_weight=sample_weight, zero_division=zero_division)
    return r


def fbeta_score(y_true, y_pred, *, beta: float, labels=None, pos_label=1, average="binary",
                sample_weight=None, zero_division="warn"):
    """F-beta ``(1 + beta²) P R / (beta² P + R)`` of precision P and recall R.

    ``beta > 1`` weights recall more, ``beta < 1`` precision; ``beta = 1`` is :func:`f1_score`.
    Arguments as :func:`precision_recall_fscore_support` (``beta`` is required here).

    Examples
    --------
    >>> from lucidnet.metrics import fbeta_score
    >>> fbeta_score([0, 1, 1, 1], [0, 1, 0, 1], beta=2)    # P = 1, R = 2/3
    0.7142857142857143
    """
    _, _, f, _ = precision_recall_fscore_support(
        y_true, y_pred, beta=beta, labels=labels, pos_label=pos_label, average=average,
        warn_for=("f-score",), sample_weight=sample_weight, zero_division=zero_division)
    return f


def f1_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary",
             sample_weight=None, zero_division="warn"):
    """F1 score ``2 P R / (P + R)`` = ``2 TP / (2 TP + FP + FN)``: the harmonic mean of
    precision P and recall R.

    It is high only when both are, which makes it a better single number than accuracy on
    imbalanced classes. Arguments as :func:`precision_recall_fscore_support`.

    Examples
    --------
    >>> from lucidnet.metrics import f1_score
    >>> f1_score([0, 1, 1, 1], [0, 1, 0, 1])
    0.8
    >>> f1_score([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], average="macro")
    0.26666666666666666
    """
    return fbeta_score(y_true, y_pred, beta=1, labels=labels, pos_label=pos_label,
                       average=average, sample_weight=sample_weight,
                       zero_division=zero_division)


def classification_report(y_true, y_pred, *, labels=None, target_names=None,
                          sample_weight=None, digits: int = 2, output_dict: bool = False,
                          zero_division="warn"):
    """Text (or dict) report of per-class precision, recall, F1, support and their averages,
    laid out exactly as scikit-learn's ``classification_report``.

    The micro average is shown as ``accuracy`` when it equals accuracy (single-label input
    covering all labels).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_labels)
        True and predicted labels.
    labels : array-like, optional
        The labels to report, in this order.
    target_names : list of str, optional
        Display names of ``labels`` (same length).
    sample_weight : array-like of shape (n_samples,), optional
    digits : int, default 2
        Decimals in the text report.
    output_dict : bool, default False
        Return ``{name: {"precision": ..., "recall": ..., "f1-score": ..., "support": ...}}``
        (and ``"accuracy"``: float) instead of text.
    zero_division : "warn", 0, 1 or np.nan

    Returns
    -------
    str or dict

    Examples
    --------
    >>> from lucidnet.metrics import classification_report
    >>> print(classification_report([0, 1, 2, 2, 2], [0, 0, 2, 2, 1],
    ...                             target_names=["a", "b", "c"]))
                  precision    recall  f1-score   support
    <BLANKLINE>
               a       0.50      1.00      0.67         1
               b       0.00      0.00      0.00         1
               c       1.00      0.67      0.80         3
    <BLANKLINE>
        accuracy                           0.60         5
       macro avg       0.50      0.56      0.49         5
    weighted avg       0.70      0.60      0.61         5
    <BLANKLINE>
    """
    t = check_targets(y_true, y_pred, sample_weight=sample_weight)
    labels_given = labels is not None
    labels = np.asarray(labels) if labels_given else t.labels
    micro_is_accuracy = t.type in ("multiclass", "binary") and (
        not labels_given or set(labels) >= set(t.labels))
    if target_names is not None and len(labels) != len(target_names):
        if labels_given:
            warnings.warn(f"labels size, {len(labels)}, does not match size of target_names, "
                          f"{len(target_names)}", UserWarning, stacklevel=2)
        else:
            raise ValueError(f"Number of classes, {len(labels)}, does not match size of "
                             f"target_names, {len(target_names)}. Try specifying the labels "
                             f"parameter.")
    if target_names is None:
        target_names = [f"{label}" for label in labels]
    headers = ["precision", "recall", "f1-score", "support"]
    p, r, f1, s = precision_recall_fscore_support(
        t.y_true, t.y_pred, labels=labels, average=None, sample_weight=t.sample_weight,
        zero_division=zero_division)
    rows = list(zip(target_names, p, r, f1, s))
    average_options = ["micro", "macro", "weighted"]
    if t.type == "multilabel-indicator":
        average_options.append("samples")
    if output_dict:
        report = {row[0]: dict(zip(headers, [float(v) for v in row[1:]])) for row in rows}
    else:
        width = max(max(len(cn) for cn in target_names), len("weighted avg"), digits)
        head_fmt = "{:>{width}s} " + " {:>9}" * len(headers)
        text = head_fmt.format("", *headers, width=width) + "\n\n"
        row_fmt = "{:>{width}s} " + " {:>9.{digits}f}" * 3 + " {:>9}\n"
        for row in rows:
            text += row_fmt.format(*row, width=width, digits=digits)
        text += "\n"
    for average in average_options:
        heading = "accuracy" if average == "micro" and micro_is_accuracy else average + " avg"
        avg_p, avg_r, avg_f1, _ = precision_recall_fscore_support(
            t.y_true, t.y_pred, labels=labels, average=average, sample_weight=t.sample_weight,
            zero_division=zero_division)
        avg = [avg_p, avg_r, avg_f1, np.sum(s)]
        if output_dict:
            report[heading] = dict(zip(headers, [float(v) for v in avg]))
        elif heading == "accuracy":
            fmt = "{:>{width}s} " + " {:>9.{digits}}" * 2 + " {:>9.{digits}f}" + " {:>9}\n"
            text += fmt.format(heading, "", "", *avg[2:], width=width, digits=digits)
        else:
            text += row_fmt.format(heading, *avg, width=width, digits=digits)
    if output_dict:
        if "accuracy" in report:
            report["accuracy"] = report["accuracy"]["precision"]
        return report
    return text


# ---------------------------------------------------------------- probabilistic metrics

def _one_hot(y_true: np.ndarray, labels) -> tuple[np.ndarray, np.ndarray]:
    """One-hot ``(n_samples, n_classes)`` of ``y_true`` with classes sorted (LabelBinarizer)."""
    if type_of_target(y_true, "y_true") == "multilabel-indicator":
        classes = np.arange(y_true.shape[1])
        return (y_true != 0).astype(np.float64), classes
    y_true = y_true[:, 0] if y_true.ndim == 2 and y_true.shape[1] == 1 else y_true
    if labels is not None:
        given = np.asarray(labels)
        classes = np.unique(given)
        if classes.shape != given.shape or np.any(classes != given):
            warnings.warn(f"Labels passed were {given.tolist()}. But this function assumes "
                          f"labels are ordered lexicographically. Pass the ordered "
                          f"labels={classes.tolist()} and ensure that the columns of y_proba "
                          f"correspond to this ordering.", UserWarning, stacklevel=3)
        missing = np.setdiff1d(y_true, classes)
        if missing.size:
            raise ValueError(f"y_true contains values {missing.tolist()} not belonging to the "
                             f"passed labels {given.tolist()}.")
    else:
        classes = np.unique(y_true)
    if classes.shape[0] == 1:
        if labels is None:
            raise ValueError(f"y_true contains only one label ({classes.tolist()[0]!r}). Please "
                             f"provide the list of all expected class labels explicitly through the "
                             f"labels argument.")
        raise ValueError(f"The labels array needs to contain at least two labels, got "
                         f"{classes.tolist()}.")
    one_hot = (y_true[:, None] == classes[None, :]).astype(np.float64)
    return one_hot, classes


def log_loss(y_true, y_proba, *, normalize: bool = True, sample_weight=None,
             labels=None) -> float:
    """Log loss (cross-entropy) ``-sum_i w_i sum_k y_ik log p_ik / sum_i w_i``.

    ``y_ik`` is 1 when sample ``i`` has class ``k`` and ``p_ik`` its predicted probability: the
    mean negative log-probability given to the true class (0 is perfect; lower is better).

    As scikit-learn 1.9: values outside [0, 1] raise; rows that do not sum to 1
    (rtol = sqrt(eps)) only warn and are *not* renormalized; probabilities are clipped to
    ``[eps, 1 - eps]`` with ``eps`` the machine epsilon of ``y_proba``'s float dtype (float32
    stays float32).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_proba : array-like of shape (n_samples, n_classes) or (n_samples,)
        Predicted probabilities, columns in sorted label order; a 1-d array holds
        P(positive class) of a binary problem.
    normalize : bool, default True
        ``False`` returns the (weighted) sum instead of the mean.
    sample_weight : array-like of shape (n_samples,), optional
    labels : array-like, optional
        All the classes, when ``y_true`` does not contain every one of them.

    Returns
    -------
    float

    Examples
    --------
    >>> from lucidnet.metrics import log_loss
    >>> log_loss(["spam", "ham", "ham", "spam"], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]])
    0.21616187468057912
    """
    t = check_targets(y_true, y_proba, sample_weight=sample_weight, task="scores",
                      pred_name="y_proba")
    proba = t.y_pred
    if proba.max() > 1:
        raise ValueError(f"y_proba contains values greater than 1: {proba.max()}; expected "
                         f"probabilities in [0, 1].")
    if proba.min() < 0:
        raise ValueError(f"y_proba contains values lower than 0: {proba.min()}; expected "
                         f"probabilities in [0, 1].")
    one_hot, classes = _one_hot(np.asarray(y_true), labels)
    if proba.ndim == 1:
        proba = proba[:, None]
    if proba.shape[1] == 1:
        proba = np.concatenate([1 - proba, proba], axis=1)
    eps = np.finfo(proba.dtype).eps
    if not np.all(np.isclose(proba.sum(axis=1), 1, rtol=np.sqrt(eps), atol=1e-8)):
        warnings.warn("The y_proba values do not sum to one. Make sure to pass probabilities.",
                      UserWarning, stacklevel=2)
    if classes.shape[0] != proba.shape[1]:
        if labels is None:
            raise ValueError(f"y_true and y_proba contain different number of classes: "
                             f"{one_hot.shape[1]} vs {proba.shape[1]}. Please provide the true "
                             f"labels explicitly through the labels argument. Classes found in "
                             f"y_true: {classes.tolist()}")
        raise ValueError(f"The number of classes in labels is different from that in y_proba "
                         f"({proba.shape[1]} columns). Classes found in labels: "
                         f"{classes.tolist()}")
    proba = np.clip(proba, eps, 1 - eps)
    loss = -np.sum(one_hot.astype(proba.dtype) * np.log(proba), axis=1)
    return _weighted_total(loss, t.sample_weight, normalize)


def top_k_accuracy_score(y_true, y_score, *, k: int = 2, normalize: bool = True,
                         sample_weight=None, labels=None) -> float:
    """Top-k accuracy: the (weighted) fraction of samples whose true class is among the ``k``
    highest-scored classes.

    Ties between scores are broken as scikit-learn does (the later column wins).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_score : array-like of shape (n_samples, n_classes) or (n_samples,)
        Scores (probabilities or logits), columns in the order of ``labels`` (default: the
        sorted labels of ``y_true``). For binary targets a 1-d score: ``k=1`` thresholds it at
        0.5 for probabilities and 0 otherwise, and ``k >= 2`` is always a hit.
    k : int, default 2
        How many of the highest scores count as a hit.
    normalize : bool, default True
        ``False`` returns the (weighted) number of hits.
    sample_weight : array-like of shape (n_samples,), optional
    labels : array-like, optional
        All the classes, sorted, when ``y_true`` does not contain every one of them.

    Returns
    -------
    float

    Examples
    --------
    >>> from lucidnet.metrics import top_k_accuracy_score
    >>> scores = [[0.5, 0.2, 0.2], [0.3, 0.4, 0.2], [0.2, 0.4, 0.3], [0.7, 0.2, 0.1]]
    >>> top_k_accuracy_score([0, 1, 2, 2], scores, k=2)
    0.75
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be an integer >= 1; got k={k!r}.")
    t = check_targets(y_true, y_score, sample_weight=sample_weight, task="scores",
                      pred_name="y_score")
    y_true, y_score = t.y_true, t.y_pred
    y_type = t.type
    if y_type == "binary" and labels is not None and len(labels) > 2:
        y_type = "multiclass"
    if y_type not in ("binary", "multiclass"):
        raise ValueError(f"y type must be 'binary' or 'multiclass', got '{y_type}' instead.")
    if y_type == "binary":
        if y_score.ndim == 2 and y_score.shape[1] != 1:
            raise ValueError(f"`y_true` is binary while y_score is 2d with {y_score.shape[1]} "
                             f"classes. If `y_true` does not contain all the labels, `labels` "
                             f"must be provided.")
        y_score = y_score.reshape(-1)
    elif y_score.ndim != 2:
        raise ValueError(f"`y_score` needs to be of shape `(n_samples, n_classes)`, since "
                         f"`y_true` contains multiple classes. Got `y_score.shape="
                         f"{y_score.shape}`.")
    n_score_classes = y_score.shape[1] if y_score.ndim == 2 else 2
    if labels is None:
        classes = np.unique(y_true)
        if len(classes) != n_score_classes:
            raise ValueError(f"Number of classes in 'y_true' ({len(classes)}) not equal to the "
                             f"number of classes in 'y_score' ({n_score_classes}). You can "
                             f"provide a list of all known classes by assigning it to the "
                             f"`labels` parameter.")
    else:
        labels = np.asarray(labels).reshape(-1)
        classes = np.unique(labels)
        if len(classes) != len(labels):
            raise ValueError("Parameter 'labels' must be unique.")
        if not np.array_equal(classes, labels):
            raise ValueError("Parameter 'labels' must be ordered.")
        if len(classes) != n_score_classes:
            raise ValueError(f"Number of given labels ({len(classes)}) not equal to the number "
                             f"of classes in 'y_score' ({n_score_classes}).")
        if len(np.setdiff1d(y_true, classes)):
            raise ValueError("'y_true' contains labels not in parameter 'labels'.")
    if k >= len(classes):
        warn_undefined(f"'k' ({k}) greater than or equal to 'n_classes' ({len(classes)}) will "
                       f"result in a perfect score and is therefore meaningless.")
    encoded = np.searchsorted(classes, y_true)
    if y_type == "binary":
        if k == 1:
            threshold = 0.5 if y_score.min() >= 0 and y_score.max() <= 1 else 0
            hits = (y_score > threshold).astype(np.int64) == encoded
        else:
            hits = np.ones_like(y_score, dtype=bool)
    else:
        ranked = np.argsort(y_score, axis=1, kind="mergesort")[:, ::-1]
        hits = (ranked[:, :k] == encoded[:, None]).any(axis=1)
    return _weighted_total(hits, t.sample_weight, normalize)
