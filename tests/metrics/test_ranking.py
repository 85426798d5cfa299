"""ROC curve, AUC, ROC AUC, average precision, precision@k, MAP against scikit-learn
(SPEC K3, K5): ties in scores, zero weights, pos_label, every average, multiclass OvR / OvO."""

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given
from hypothesis import strategies as st

import lucidnet.metrics as lm

from ._helpers import (
    SETTINGS,
    assert_same,
    both_ways,
    labels,
    multilabel,
    proba,
    quiet,
    scores,
    seeds,
    weights,
)

WEIGHT_KINDS = st.sampled_from(["none", "float", "int"])


@SETTINGS
@given(seed=seeds, n=st.integers(1, 40), ties=st.booleans(), weight_kind=WEIGHT_KINDS,
       drop=st.booleans(), string_labels=st.booleans())
def test_roc_curve_agrees(seed, n, ties, weight_kind, drop, string_labels):
    rng = np.random.default_rng(seed)
    y_true = labels(rng, n, 2)
    y_score = scores(rng, n, ties)
    sw = weights(rng, n, weight_kind)
    kw = {"sample_weight": sw, "drop_intermediate": drop}
    if string_labels:
        y_true = np.array(["neg", "pos"])[y_true]
        kw["pos_label"] = "pos"
    both_ways(lm.roc_curve, skm.roc_curve, y_true, y_score, **kw)
    both_ways(lm.precision_recall_curve, skm.precision_recall_curve, y_true, y_score,
              sample_weight=sw, pos_label=kw.get("pos_label"))


def test_roc_curve_known_points():
    fpr, tpr, thr = lm.roc_curve([1, 1, 2, 2], [0.1, 0.4, 0.35, 0.8], pos_label=2)
    assert_same((fpr, tpr, thr), ([0, 0, 0.5, 0.5, 1], [0, 0.5, 0.5, 1, 1],
                                  [np.inf, 0.8, 0.4, 0.35, 0.1]))


@SETTINGS
@given(seed=seeds, n=st.integers(2, 30), decreasing=st.booleans())
def test_auc_agrees(seed, n, decreasing):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.random(n))
    y = rng.random(n)
    if decreasing:
        x = x[::-1]
    both_ways(lm.auc, skm.auc, x, y)


def test_auc_errors():
    with pytest.raises(ValueError, match="x is neither increasing nor decreasing"):
        lm.auc([0, 1, 0.5], [1, 2, 3])
    with pytest.raises(ValueError, match="At least 2 points are needed"):
        lm.auc([0], [1])


@SETTINGS
@given(seed=seeds, n=st.integers(2, 40), ties=st.booleans(), weight_kind=WEIGHT_KINDS,
       max_fpr=st.sampled_from([None, 1.0, 0.5, 0.1]))
def test_binary_roc_auc_and_ap_agree(seed, n, ties, weight_kind, max_fpr):
    rng = np.random.default_rng(seed)
    y_true = labels(rng, n, 2, all_present=True)
    y_score = scores(rng, n, ties)
    sw = weights(rng, n, weight_kind)
    if sw is not None:  # zero weights must not remove a whole class (sklearn crashes then)
        sw[np.argmax(y_true == 0)] = sw[np.argmax(y_true == 1)] = 1.0
    both_ways(lm.roc_auc_score, skm.roc_auc_score, y_true, y_score, sample_weight=sw,
              max_fpr=max_fpr)
    both_ways(lm.average_precision_score, skm.average_precision_score, y_true, y_score,
              sample_weight=sw)
    both_ways(lm.average_precision_score, skm.average_precision_score, y_true, y_score,
              sample_weight=sw, pos_label=0)


def test_roc_auc_is_probability_of_correct_ranking():
    # AUC = P(score of a random positive > score of a random negative), ties count 1/2
    rng = np.random.default_rng(3)
    y = labels(rng, 60, 2, all_present=True)
    s = scores(rng, 60, ties=True)
    pos, neg = s[y == 1], s[y == 0]
    pairs = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    np.testing.assert_allclose(lm.roc_auc_score(y, s), pairs.mean(), rtol=1e-12)


@SETTINGS
@given(seed=seeds, n=st.integers(4, 40), n_classes=st.integers(3, 5), ties=st.booleans(),
       weighted=st.booleans(), average=st.sampled_from(["macro", "weighted", "micro", None]))
def test_multiclass_roc_auc_ovr_agrees(seed, n, n_classes, ties, weighted, average):
    rng = np.random.default_rng(seed)
    n = max(n, n_classes)
    y_true = labels(rng, n, n_classes, all_present=True)
    p = proba(rng, n, n_classes, ties)
    sw = rng.random(n) + 0.1 if weighted else None
    both_ways(lm.roc_auc_score, skm.roc_auc_score, y_true, p, multi_class="ovr",
              average=average, sample_weight=sw)
    both_ways(lm.roc_auc_score, skm.roc_auc_score, y_true, p, multi_class="ovr",
              average=average, sample_weight=sw, labels=np.arange(n_classes))
    if average in ("macro", "weighted"):
        both_ways(lm.roc_auc_score, skm.roc_auc_score, y_true, p, multi_class="ovo",
                  average=average)
    both_ways(lm.average_precision_score, skm.average_precision_score, y_true, p,
              average=average, sample_weight=sw)


@SETTINGS
@given(seed=seeds, n=st.integers(2, 30), weighted=st.booleans(),
       average=st.sampled_from(["macro", "weighted", "micro", "samples", None]))
def test_multilabel_roc_auc_and_ap_agree(seed, n, weighted, average):
    rng = np.random.default_rng(seed)
    y_true = multilabel(rng, n, 4)
    y_score = np.round(rng.random((n, 4)), 1)
    sw = rng.random(n) + 0.1 if weighted else None
    if average != "samples":  # per-row AUC needs both classes in every row
        both_ways(lm.roc_auc_score, skm.roc_auc_score, y_true, y_score, average=average,
                  sample_weight=sw)
    both_ways(lm.average_precision_score, skm.average_precision_score, y_true, y_score,
              average=average, sample_weight=sw)


def test_roc_auc_errors():
    y = np.array([0, 1, 2, 1])
    p = np.full((4, 3), 1 / 3)
    with pytest.raises(ValueError, match=r"multi_class must be in \('ovo', 'ovr'\)"):
        lm.roc_auc_score(y, p)
    with pytest.raises(ValueError, match="should sum up to 1.0"):
        lm.roc_auc_score(y, p * 2, multi_class="ovr")
    with pytest.raises(ValueError, match="average must be one of"):
        lm.roc_auc_score(y, p, multi_class="ovo", average="micro")
    with pytest.raises(ValueError, match="Number of classes in y_true \\(3\\) not equal"):
        lm.roc_auc_score(y, np.full((4, 4), 0.25), multi_class="ovr")
    with pytest.warns(lm.UndefinedMetricWarning, match="Only one class is present"):
        assert np.isnan(lm.roc_auc_score([1, 1, 1], [0.2, 0.3, 0.9]))


@SETTINGS
@given(seed=seeds, n_queries=st.integers(1, 8), n_items=st.integers(1, 12),
       k=st.integers(1, 12), weighted=st.booleans())
def test_precision_at_k(seed, n_queries, n_items, k, weighted):
    rng = np.random.default_rng(seed)
    k = min(k, n_items)
    relevance = (rng.random((n_queries, n_items)) < 0.4).astype(int)
    score = rng.random((n_queries, n_items))  # distinct scores: no ties at the cut
    sw = rng.random(n_queries) + 0.1 if weighted else None
    # per query: precision of the prediction "the top k items are relevant" (sklearn)
    per_query = []
    for rel, s in zip(relevance, score):
        predicted = np.zeros(n_items, dtype=int)
        predicted[np.argsort(s)[::-1][:k]] = 1
        per_query.append(skm.precision_score(rel, predicted, zero_division=0))
    expected = np.average(per_query, weights=sw)
    if n_queries == 1:
        np.testing.assert_allclose(lm.precision_at_k(relevance[0], score[0], k=k), expected,
                                   rtol=1e-12)
    np.testing.assert_allclose(lm.precision_at_k(relevance, score, k=k, sample_weight=sw),
                               expected, rtol=1e-12)


def test_precision_at_k_ties_broken_by_position_and_errors():
    # items 1 and 2 tie; the earlier one (item 1, relevant) is ranked first
    assert lm.precision_at_k([0, 1, 0, 0], [0.1, 0.5, 0.5, 0.2], k=1) == 1.0
    assert lm.precision_at_k([0, 0, 1, 0], [0.1, 0.5, 0.5, 0.2], k=1) == 0.0
    with pytest.raises(ValueError, match=r"k must be an integer in \[1, 4\].*got k=5"):
        lm.precision_at_k([0, 1, 0, 0], [0.1, 0.5, 0.5, 0.2], k=5)
    with pytest.raises(ValueError, match="binary relevance"):
        lm.precision_at_k([0, 2, 1, 0], [0.1, 0.5, 0.5, 0.2], k=2)


@SETTINGS
@given(seed=seeds, n=st.integers(2, 20), n_items=st.integers(2, 8), weighted=st.booleans(),
       ties=st.booleans())
def test_mean_average_precision_is_per_query_ap(seed, n, n_items, weighted, ties):
    rng = np.random.default_rng(seed)
    y_true = multilabel(rng, n, n_items)
    y_score = np.round(rng.random((n, n_items)), 1) if ties else rng.random((n, n_items))
    sw = rng.random(n) + 0.1 if weighted else None
    ours = both_ways(lm.mean_average_precision,
                     lambda a, b, sample_weight=None: skm.average_precision_score(
                         a, b, average="samples", sample_weight=sample_weight),
                     y_true, y_score, sample_weight=sw)
    has_relevant = y_true.any(axis=1)
    if not ties and has_relevant.all():
        # without ties and with >= 1 relevant item per query MAP equals sklearn's LRAP
        np.testing.assert_allclose(ours, skm.label_ranking_average_precision_score(
            y_true, y_score, sample_weight=sw), rtol=1e-12)


def test_mean_average_precision_single_query_and_errors():
    y, s = np.array([1, 0, 1, 0]), np.array([0.9, 0.8, 0.3, 0.1])
    assert_same(lm.mean_average_precision(y, s), quiet(skm.average_precision_score, y, s))
    with pytest.raises(ValueError, match="needs a relevance matrix"):
        lm.mean_average_precision(np.array([0, 1, 2]), np.ones((3, 3)) / 3)
