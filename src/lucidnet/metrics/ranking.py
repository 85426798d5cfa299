"""Ranking / score metrics: ROC curve, AUC, ROC AUC, average precision, precision@k and
mean average precision.

These metrics judge the *ordering* of scores (probabilities, logits, any real number where larger
means "more likely positive"), not hard labels: they need no decision threshold. Signatures, defaults and results follow scikit-learn (``sklearn.metrics``) where it has the
metric; ``precision_at_k`` and ``mean_average_precision`` are documented below.
"""

from __future__ import annotations

import warnings
from itertools import combinations

import numpy as np

from ._validation import check_average, check_finite, check_targets, warn_undefined

__all__ = [
    "auc",
    "average_precision_score",
    "mean_average_precision",
    "precision_at_k",
    "precision_recall_curve",
    "roc_auc_score",
    "roc_curve",
]


def _check_pos_label(pos_label, y_true: np.ndarray):
    if pos_label is not None:
        return pos_label
    classes = np.unique(y_true)
    allowed = ([0, 1], [-1, 1], [0], [-1], [1])
    if classes.dtype.kind in "OUS" or not any(
            classes.shape[0] == len(a) and np.all(classes == a) for a in allowed):
        shown = ", ".join(repr(c) for c in classes.tolist())
        raise ValueError(f"y_true takes value in {{{shown}}} and pos_label is not specified: "
                         f"either make y_true take value in {{0, 1}} or {{-1, 1}} or pass "
                         f"pos_label explicitly.")
    return 1


def _binary_clf_curve(y_true, y_score, pos_label=None, sample_weight=None):
    """False and true positive (weighted) counts at each distinct threshold, highest first."""
    t = check_targets(y_true, y_score, sample_weight=sample_weight, task="scores",
                      pred_name="y_score")
    if not (t.type == "binary" or (t.type == "multiclass" and pos_label is not None)):
        raise ValueError(f"{t.type} format is not supported; expected binary y_true (or pass "
                         f"pos_label for other labels).")
    if t.y_pred.ndim != 1 and not (t.y_pred.ndim == 2 and t.y_pred.shape[1] == 1):
        raise ValueError(f"y_score must be 1-d (one score per sample) for a binary curve; got "
                         f"shape {t.y_pred.shape}.")
    pos_label = _check_pos_label(pos_label, t.y_true)
    y_true = (t.y_true == pos_label).astype(np.int32)
    y_score = t.y_pred.reshape(-1)
    weight = t.sample_weight
    if weight is not None:
        nonzero = weight != 0
        y_true, y_score, weight = y_true[nonzero], y_score[nonzero], weight[nonzero]
    # stable descending sort: ties keep their input order (as sklearn / array-API argsort)
    order = y_score.shape[0] - 1 - np.argsort(y_score[::-1], kind="stable")[::-1]
    y_score, y_true = y_score[order], y_true[order].astype(np.float64)
    if weight is not None:
        weight = weight[order]
    distinct = np.nonzero(np.diff(y_score))[0]
    threshold_idxs = np.concatenate([distinct, [y_true.size - 1]])
    w = 1.0 if weight is None else weight
    tps = np.cumsum(y_true * w, dtype=np.float64)[threshold_idxs]
    if weight is not None:
        fps = np.cumsum((1 - y_true) * w, dtype=np.float64)[threshold_idxs]
    else:
        fps = 1 + threshold_idxs.astype(np.float64) - tps
    return fps, tps, y_score[threshold_idxs]


def roc_curve(y_true, y_score, *, pos_label=None, sample_weight=None,
              drop_intermediate: bool = True):
    """Receiver operating characteristic: false and true positive rates at every threshold.

    For the rule "positive if score >= threshold": ``TPR = TP / P`` (recall, the fraction of
    positives found) and ``FPR = FP / N`` (the fraction of negatives wrongly flagged), with
    thresholds decreasing from ``inf`` (nothing positive, the point (0, 0)).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Binary labels.
    y_score : array-like of shape (n_samples,)
        Scores of the positive class.
    pos_label : label, optional
        The positive class (default: 1, or the greater of {-1, 1}).
    sample_weight : array-like of shape (n_samples,), optional
    drop_intermediate : bool, default True
        Remove points collinear with their neighbours (the area is unchanged).

    Returns
    -------
    fpr, tpr, thresholds : ndarray of shape (n_thresholds,)

    Examples
    --------
    >>> from lucidnet.metrics import roc_curve
    >>> fpr, tpr, thresholds = roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> fpr, tpr
    (array([0. , 0. , 0.5, 0.5, 1. ]), array([0. , 0.5, 0.5, 1. , 1. ]))
    >>> thresholds
    array([ inf, 0.8 , 0.4 , 0.35, 0.1 ])
    """
    fps, tps, thresholds = _binary_clf_curve(y_true, y_score, pos_label, sample_weight)
    if drop_intermediate and fps.shape[0] > 2:
        keep = np.concatenate([[True], np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), [True]])
        idx = np.where(keep)[0]
        fps, tps, thresholds = fps[idx], tps[idx], thresholds[idx]
    tps = np.concatenate([[0.0], tps])
    fps = np.concatenate([[0.0], fps])
    thresholds = np.concatenate([[np.inf], thresholds.astype(np.float64)])
    if fps[-1] <= 0:
        warn_undefined("No negative samples in y_true, false positive value should be "
                       "meaningless")
        fpr = np.full(fps.shape, np.nan)
    else:
        fpr = fps / fps[-1]
    if tps[-1] <= 0:
        warn_undefined("No positive samples in y_true, true positive value should be "
                       "meaningless")
        tpr = np.full(tps.shape, np.nan)
    else:
        tpr = tps / tps[-1]
    return fpr, tpr, thresholds


def auc(x, y) -> float:
    """Area under a curve by the trapezoidal rule ``sum_i (x_{i+1} - x_i) (y_i + y_{i+1}) / 2``.

    Parameters
    ----------
    x : array-like of shape (n_points,)
        Monotone (increasing or decreasing) x coordinates, at least 2.
    y : array-like of shape (n_points,)

    Returns
    -------
    float

    Examples
    --------
    >>> from lucidnet.metrics import auc
    >>> auc([0, 0.5, 1], [0, 0.75, 1])
    0.625
    """
    x, y = np.asarray(x, dtype=float).reshape(-1), np.asarray(y, dtype=float).reshape(-1)
    check_finite(x, "x")
    check_finite(y, "y")
    return _trapezoid_area(x, y)


def _trapezoid_area(x: np.ndarray, y: np.ndarray) -> float:
    """`auc` without the finiteness check: an undefined ROC curve (all-NaN rates) gives NaN."""
    if x.shape != y.shape:
        raise ValueError(f"Found input variables with inconsistent numbers of samples: x has "
                         f"{x.shape[0]}, y has {y.shape[0]}. Expected the same length.")
    if x.shape[0] < 2:
        raise ValueError(f"At least 2 points are needed to compute area under curve, but "
                         f"x.shape = {x.shape}")
    direction = 1
    dx = np.diff(x)
    if np.any(dx < 0):
        if np.all(dx <= 0):
            direction = -1
        else:
            raise ValueError(f"x is neither increasing nor decreasing : {x}.")
    return float(direction * np.trapezoid(y, x))


def precision_recall_curve(y_true, y_score, *, pos_label=None, sample_weight=None):
    """Precision and recall at every threshold of the rule "positive if score >= threshold".

    Thresholds increase; the last point (precision 1, recall 0) has no threshold, so
    ``precision`` and ``recall`` are one longer than ``thresholds``. Arguments as
    :func:`roc_curve`.

    Returns
    -------
    precision, recall : ndarray of shape (n_thresholds + 1,)
    thresholds : ndarray of shape (n_thresholds,)

    Examples
    --------
    >>> from lucidnet.metrics import precision_recall_curve
    >>> p, r, t = precision_recall_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> p, r, t
    (array([0.5       , 0.66666667, 0.5       , 1.        , 1.        ]), array([1. , 1. , 0.5, 0.5, 0. ]), array([0.1 , 0.35, 0.4 , 0.8 ]))
    """
    fps, tps, thresholds = _binary_clf_curve(y_true, y_score, pos_label, sample_weight)
    ps = tps + fps
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(ps != 0, tps / ps, 0.0)
    if tps[-1] == 0:
        warnings.warn("No positive class found in y_true, recall is set to one for all "
                      "thresholds.", UserWarning, stacklevel=2)
        recall = np.ones_like(tps)
    else:
        recall = tps / tps[-1]
    return (np.concatenate([precision[::-1], [1.0]]), np.concatenate([recall[::-1], [0.0]]),
            thresholds[::-1])


def _binary_average_precision(y_true, y_score, sample_weight=None, pos_label=1):
    precision, recall, _ = precision_recall_curve(y_true, y_score, pos_label=pos_label,
                                                  sample_weight=sample_weight)
    return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))


def _binary_roc_auc(y_true, y_score, sample_weight=None, max_fpr=None):
    if len(np.unique(y_true)) != 2:
        warn_undefined("Only one class is present in y_true. ROC AUC score is not defined in "
                       "that case.")
        return float("nan")
    fpr, tpr, _ = roc_curve(y_true, y_score, sample_weight=sample_weight)
    if max_fpr is None or max_fpr == 1:
        return _trapezoid_area(fpr, tpr)
    # McClish-standardized partial AUC over [0, max_fpr]
    stop = np.searchsorted(fpr, max_fpr, "right")
    tpr = np.append(tpr[:stop], np.interp(max_fpr, fpr[stop - 1:stop + 1],
                                          tpr[stop - 1:stop + 1]))
    fpr = np.append(fpr[:stop], max_fpr)
    min_area, max_area = 0.5 * max_fpr ** 2, max_fpr
    return 0.5 * (1 + (_trapezoid_area(fpr, tpr) - min_area) / (max_area - min_area))


def _average_binary_score(metric, y_true, y_score, average, sample_weight=None):
    """Apply a binary metric per column of indicator targets and average (sklearn rule)."""
    check_average(average, ("micro", "macro", "weighted", "samples", None))
    if y_true.ndim == 1:
        return metric(y_true, y_score, sample_weight=sample_weight)
    if y_score.shape != y_true.shape:
        raise ValueError(f"y_score must have the same shape as the indicator y_true "
                         f"{y_true.shape}; got {y_score.shape}.")
    score_weight, average_weight, axis = sample_weight, None, 1
    if average == "micro":
        if score_weight is not None:
            score_weight = np.repeat(score_weight, y_true.shape[1])
        y_true, y_score = y_true.ravel(), y_score.ravel()
        return metric(y_true, y_score, sample_weight=score_weight)
    if average == "weighted":
        if score_weight is not None:
            average_weight = np.sum(y_true * score_weight.reshape(-1, 1), axis=0)
        else:
            average_weight = np.sum(y_true, axis=0)
        if np.isclose(np.sum(average_weight), 0):
            return 0.0
    elif average == "samples":
        average_weight, score_weight, axis = score_weight, None, 0
    n = y_score.shape[axis]
    score = np.zeros(n)
    for c in range(n):
        yt = y_true[:, c] if axis == 1 else y_true[c]
        ys = y_score[:, c] if axis == 1 else y_score[c]
        score[c] = metric(yt, ys, sample_weight=score_weight)
    if average is None:
        return score
    if average_weight is not None:
        score[average_weight == 0] = 0
    return float(np.average(score, weights=average_weight))


def _ovr_classes(y_true, y_score, labels):
    if y_score.ndim != 2:
        raise ValueError(f"`y_score` needs to be of shape `(n_samples, n_classes)`, since "
                         f"`y_true` contains multiple classes. Got `y_score.shape="
                         f"{y_score.shape}`.")
    if labels is None:
        classes = np.unique(y_true)
        if len(classes) != y_score.shape[1]:
            raise ValueError(f"Number of classes in y_true ({len(classes)}) not equal to the "
                             f"number of columns in 'y_score' ({y_score.shape[1]}); pass "
                             f"labels= to name the columns.")
        return classes
    labels = np.asarray(labels).reshape(-1)
    classes = np.unique(labels)
    if len(classes) != len(labels):
        raise ValueError("Parameter 'labels' must be unique")
    if not np.array_equal(classes, labels):
        raise ValueError("Parameter 'labels' must be ordered")
    if len(classes) != y_score.shape[1]:
        raise ValueError(f"Number of given labels, {len(classes)}, not equal to the number of "
                         f"columns in 'y_score', {y_score.shape[1]}")
    if len(np.setdiff1d(y_true, classes)):
        raise ValueError("'y_true' contains labels not in parameter 'labels'")
    return classes


def _multiclass_roc_auc(y_true, y_score, labels, multi_class, average, sample_weight):
    classes = _ovr_classes(y_true, y_score, labels)
    if not np.allclose(1, y_score.sum(axis=1)):
        raise ValueError("Target scores need to be probabilities for multiclass roc_auc, i.e. "
                         "they should sum up to 1.0 over classes")
    allowed = (("micro",) if multi_class == "ovr" else ()) + ("macro", "weighted", None)
    if average not in allowed:
        raise ValueError(f"average must be one of {allowed} for multiclass problems with "
                         f"multi_class={multi_class!r}; got average={average!r}.")
    if multi_class == "ovr":
        one_hot = (y_true[:, None] == classes[None, :]).astype(np.int64)
        return _average_binary_score(_binary_roc_auc, one_hot, y_score, average, sample_weight)
    if sample_weight is not None:
        raise ValueError("sample_weight is not supported for multiclass one-vs-one ROC AUC, "
                         "'sample_weight' must be None in this case.")
    # Hand & Till (2001): mean over class pairs of the two directed AUCs
    encoded = np.searchsorted(classes, y_true)
    present = np.unique(encoded)
    pair_scores, prevalence = [], []
    for a, b in combinations(present, 2):
        a_mask, b_mask = encoded == a, encoded == b
        ab = a_mask | b_mask
        prevalence.append(np.average(ab))
        pair_scores.append((_binary_roc_auc(a_mask[ab], y_score[ab, a])
                            + _binary_roc_auc(b_mask[ab], y_score[ab, b])) / 2)
    weights = prevalence if average == "weighted" else None
    return float(np.average(pair_scores, weights=weights))


def roc_auc_score(y_true, y_score, *, average: str | None = "macro", sample_weight=None,
                  max_fpr: float | None = None, multi_class: str = "raise", labels=None):
    """Area under the ROC curve: the probability that a random positive is scored above a
    random negative (ties count 1/2); 1 = perfect ranking, 0.5 = random guessing.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_labels)
        Binary or multiclass labels, or a multilabel indicator matrix (per-column AUC, then
        averaged).
    y_score : array-like of shape (n_samples,) or (n_samples, n_classes)
        Binary: the score of the greater label. Multiclass: probabilities (rows sum to 1),
        columns in sorted label order.
    average : {"macro", "weighted", "micro", "samples"} or None, default "macro"
        How per-class (or per-column) AUCs are combined; "weighted" weighs by prevalence;
        ``None`` returns them all.
    sample_weight : array-like of shape (n_samples,), optional
    max_fpr : float in (0, 1], optional
        Binary only: the McClish-standardized partial AUC over ``FPR <= max_fpr``.
    multi_class : {"raise", "ovr", "ovo"}
        Multiclass only: each class against the rest (``"ovr"``) or every pair of classes
        (``"ovo"``, Hand & Till 2001).
    labels : array-like, optional
        Multiclass: the classes that index the columns of ``y_score``.

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> from lucidnet.metrics import roc_auc_score
    >>> roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])    # 3 of the 4 pairs ordered right
    0.75
    >>> proba = [[.8, .1, .1], [.2, .6, .2], [.1, .3, .6], [.3, .3, .4]]
    >>> roc_auc_score([0, 1, 2, 2], proba, multi_class="ovr")
    1.0
    """
    t = check_targets(y_true, y_score, sample_weight=sample_weight, task="scores",
                      pred_name="y_score")
    if max_fpr is not None and not 0 < max_fpr <= 1:
        raise ValueError(f"Expected max_fpr in range (0, 1], got: {max_fpr!r}")
    y_true, y_score, sw = t.y_true, t.y_pred, t.sample_weight
    if t.type == "multiclass" or (t.type == "binary" and y_score.ndim == 2
                                  and y_score.shape[1] > 2):
        if max_fpr is not None and max_fpr != 1.0:
            raise ValueError(f"Partial AUC computation not available in multiclass setting, "
                             f"'max_fpr' must be set to `None`, received `max_fpr={max_fpr}` "
                             f"instead")
        if multi_class not in ("ovr", "ovo"):
            raise ValueError(f"multi_class must be in ('ovo', 'ovr') for multiclass y_true; got "
                             f"multi_class={multi_class!r}.")
        return _multiclass_roc_auc(y_true, y_score, labels, multi_class, average, sw)
    check_average(average, ("micro", "macro", "weighted", "samples", None))

    def metric(yt, ys, sample_weight=None):
        return _binary_roc_auc(yt, ys, sample_weight=sample_weight, max_fpr=max_fpr)

    if t.type == "binary":
        if y_score.ndim == 2 and y_score.shape[1] != 1:
            raise ValueError(f"Binary y_true needs y_score of shape (n_samples,) holding the "
                             f"score of the greater label; got shape {y_score.shape}. For "
                             f"two-column probabilities pass y_score[:, 1].")
        y_true = (y_true == np.unique(y_true)[-1]).astype(np.int64)
        return metric(y_true, y_score.reshape(-1), sample_weight=sw)
    return _average_binary_score(metric, y_true, y_score, average, sw)


def average_precision_score(y_true, y_score, *, average: str | None = "macro", pos_label=1,
                            sample_weight=None):
    """Average precision ``AP = sum_n (R_n - R_{n-1}) P_n``, with ``P_n`` and ``R_n`` the
    precision and recall at the n-th threshold: the step integral of the precision-recall
    curve (no interpolation), as scikit-learn.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_labels)
        Binary labels (one AP for ``pos_label``), multiclass labels (one-vs-rest, one AP per
        class) or a multilabel indicator matrix (one AP per column).
    y_score : array-like of shape (n_samples,) or (n_samples, n_classes)
        Scores; one column per class or label for the non-binary cases.
    average : {"macro", "weighted", "micro", "samples"} or None, default "macro"
        How per-column APs are combined ("samples": the mean of per-row APs).
    pos_label : label, default 1
        The positive class of binary ``y_true``.
    sample_weight : array-like of shape (n_samples,), optional

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> from lucidnet.metrics import average_precision_score
    >>> average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.8333333333333333
    """
    t = check_targets(y_true, y_score, sample_weight=sample_weight, task="scores",
                      pred_name="y_score")
    check_average(average, ("micro", "macro", "weighted", "samples", None))
    y_true, y_score = t.y_true, t.y_pred
    if t.type == "binary":
        if len(t.labels) == 2 and pos_label not in t.labels:
            raise ValueError(f"pos_label={pos_label!r} is not a valid label. It should be one "
                             f"of {t.labels.tolist()}")
        if y_score.ndim == 2 and y_score.shape[1] != 1:
            raise ValueError(f"Binary y_true needs y_score of shape (n_samples,); got shape "
                             f"{y_score.shape}.")
        y_score = y_score.reshape(-1)
    elif pos_label != 1:
        raise ValueError(f"Parameter pos_label is fixed to 1 for {t.type} y_true. Do not set "
                         f"pos_label or set pos_label to 1.")
    if t.type == "multiclass":
        y_true = (y_true[:, None] == t.labels[None, :]).astype(np.int64)
        if y_score.shape != y_true.shape:
            raise ValueError(f"`y_score` needs to be of shape `(n_samples, n_classes)`, since "
                             f"`y_true` contains multiple classes. Got `y_score.shape="
                             f"{y_score.shape}`.")

    def metric(yt, ys, sample_weight=None):
        return _binary_average_precision(yt, ys, sample_weight=sample_weight,
                                         pos_label=pos_label)

    return _average_binary_score(metric, y_true, y_score, average, t.sample_weight)


def _check_k(k, n_items: int) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= n_items:
        raise ValueError(f"k must be an integer in [1, {n_items}] (the number of ranked "
                         f"items); got k={k!r}.")
    return int(k)


def precision_at_k(y_true, y_score, *, k: int, sample_weight=None) -> float:
    """Precision@k: the fraction of relevant items among the ``k`` highest-scored.

    ``y_true`` binary relevance {0, 1}. One query: ``y_true``, ``y_score`` of shape
    ``(n_items,)`` -> ``|relevant ∩ top_k| / k``. Several queries: multilabel indicator
    ``(n_queries, n_items)`` relevance with scores of the same shape -> precision@k of each row
    (query), averaged over queries with ``sample_weight`` (one weight per query). Ties are
    broken by position: among equal scores the item that comes first is ranked higher
    (a stable descending sort), so the result is deterministic. ``1 <= k <= n_items``.

    Examples
    --------
    >>> from lucidnet.metrics import precision_at_k
    >>> precision_at_k([1, 0, 1, 0], [0.9, 0.8, 0.3, 0.1], k=2)
    0.5
    """
    t = check_targets(y_true, y_score, sample_weight=sample_weight, task="scores",
                      pred_name="y_score")
    relevance, scores = t.y_true, t.y_pred
    if np.ndim(y_true) == 2:  # an (n_queries, 1) matrix is still queries x items
        relevance = relevance.reshape(np.shape(y_true))
    if not np.all(np.isin(relevance, [0, 1])):
        raise ValueError(f"precision_at_k needs binary relevance y_true with values in {{0, 1}}; "
                         f"got {t.type} y_true with labels {np.unique(relevance).tolist()}.")
    if relevance.ndim == 1:
        if sample_weight is not None:
            raise ValueError("sample_weight weighs queries; a single 1-d query takes none.")
        relevance, scores = relevance[None, :], scores.reshape(1, -1)
    elif scores.shape != relevance.shape:
        raise ValueError(f"y_score must have the same shape as y_true {relevance.shape}; got "
                         f"{scores.shape}.")
    k = _check_k(k, relevance.shape[1])
    top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    per_query = np.take_along_axis(relevance != 0, top, axis=1).sum(axis=1) / k
    return float(np.average(per_query, weights=t.sample_weight if relevance.shape[0] > 1
                            else None))


def mean_average_precision(y_true, y_score, *, sample_weight=None) -> float:
    """Mean average precision: the mean over queries of each query's average precision.

    Rows are queries, columns the ranked items: ``y_true`` a multilabel indicator
    ``(n_queries, n_items)`` relevance matrix, ``y_score`` the same shape. Each query's AP is
    scikit-learn's (non-interpolated) binary :func:`average_precision_score`; the result
    equals ``sklearn.metrics.average_precision_score(y_true, y_score, average="samples")``.
    A query with no relevant item has AP 0 (with a warning). ``sample_weight`` weighs the
    queries. A 1-d binary ``y_true`` is a single query (plain AP). For the mean over
    *classes* (columns) use ``average_precision_score(..., average="macro")``.

    Examples
    --------
    >>> from lucidnet.metrics import mean_average_precision
    >>> relevance = [[1, 0, 1], [0, 1, 0]]
    >>> scores = [[0.9, 0.5, 0.7], [0.2, 0.1, 0.8]]     # AP 1 and 1/3
    >>> mean_average_precision(relevance, scores)
    0.6666666666666666
    """
    t = check_targets(y_true, y_score, sample_weight=sample_weight, task="scores",
                      pred_name="y_score")
    if t.type == "multilabel-indicator":
        return average_precision_score(t.y_true, t.y_pred, average="samples",
                                       sample_weight=t.sample_weight)
    if t.type == "binary" and t.y_true.ndim == 1 and np.all(np.isin(t.labels, [0, 1])):
        if sample_weight is not None:
            raise ValueError("sample_weight weighs queries; a single 1-d query takes none.")
        return average_precision_score(t.y_true, t.y_pred)
    raise ValueError(f"mean_average_precision needs a relevance matrix y_true of shape "
                     f"(n_queries, n_items) with values in {{0, 1}} (or one 1-d query); got "
                     f"{t.type} y_true.")
