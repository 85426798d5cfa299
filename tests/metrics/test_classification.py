"""Classification metrics against scikit-learn (SPEC K2, K4, K5): every average, labels=,
pos_label=, zero_division=, sample weights, a class absent from the predictions."""

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
    seeds,
    weights,
)

AVERAGES = ["binary", "micro", "macro", "weighted", None]
ZERO_DIVISION = ["warn", 0, 1, np.nan]


@SETTINGS
@given(seed=seeds, n=st.integers(1, 30), n_classes=st.integers(2, 5),
       average=st.sampled_from(AVERAGES), zero_division=st.sampled_from(ZERO_DIVISION),
       weight_kind=st.sampled_from(["none", "float", "int"]), beta=st.sampled_from([0.5, 1, 2]),
       drop_class=st.booleans())
def test_prf_agrees(seed, n, n_classes, average, zero_division, weight_kind, beta, drop_class):
    rng = np.random.default_rng(seed)
    y_true = labels(rng, n, n_classes)
    y_pred = labels(rng, n, n_classes)
    if drop_class:  # a class that is never predicted -> 0/0 precision for it
        y_pred[y_pred == 0] = 1
    if average == "binary":
        y_true, y_pred = y_true % 2, y_pred % 2
    sw = weights(rng, n, weight_kind)
    kw = {"average": average, "zero_division": zero_division, "sample_weight": sw}
    both_ways(lm.precision_recall_fscore_support, skm.precision_recall_fscore_support,
              y_true, y_pred, beta=beta, **kw)
    both_ways(lm.precision_score, skm.precision_score, y_true, y_pred, **kw)
    both_ways(lm.recall_score, skm.recall_score, y_true, y_pred, **kw)
    both_ways(lm.f1_score, skm.f1_score, y_true, y_pred, **kw)
    both_ways(lm.fbeta_score, skm.fbeta_score, y_true, y_pred, beta=beta, **kw)


@SETTINGS
@given(seed=seeds, n=st.integers(1, 30), average=st.sampled_from(AVERAGES[1:]),
       zero_division=st.sampled_from(ZERO_DIVISION), weighted=st.booleans())
def test_prf_with_labels_subset_and_extra(seed, n, average, zero_division, weighted):
    rng = np.random.default_rng(seed)
    y_true, y_pred = labels(rng, n, 4), labels(rng, n, 4)
    sw = rng.random(n) if weighted else None
    for given_labels in ([2, 0], [0, 1, 2, 3, 7], [3]):
        both_ways(lm.precision_recall_fscore_support, skm.precision_recall_fscore_support,
                  y_true, y_pred, labels=given_labels, average=average,
                  zero_division=zero_division, sample_weight=sw)


@SETTINGS
@given(seed=seeds, n=st.integers(2, 30), average=st.sampled_from(["micro", "macro", "weighted",
                                                                  "samples", None]),
       zero_division=st.sampled_from(ZERO_DIVISION), weighted=st.booleans())
def test_prf_multilabel(seed, n, average, zero_division, weighted):
    rng = np.random.default_rng(seed)
    y_true, y_pred = multilabel(rng, n, 4, False), multilabel(rng, n, 4, False)
    sw = rng.random(n) if weighted else None
    both_ways(lm.precision_recall_fscore_support, skm.precision_recall_fscore_support,
              y_true, y_pred, average=average, zero_division=zero_division, sample_weight=sw)
    both_ways(lm.f1_score, skm.f1_score, y_true, y_pred, labels=[0, 2], average=average,
              zero_division=zero_division, sample_weight=sw)
    both_ways(lm.accuracy_score, skm.accuracy_score, y_true, y_pred, sample_weight=sw)


def test_string_labels_and_pos_label():
    y_true = np.array(["spam", "ham", "ham", "spam", "ham"])
    y_pred = np.array(["spam", "spam", "ham", "ham", "ham"])
    for pos in ("spam", "ham"):
        both_ways(lm.f1_score, skm.f1_score, y_true, y_pred, pos_label=pos)
        both_ways(lm.precision_score, skm.precision_score, y_true, y_pred, pos_label=pos)
    with pytest.raises(ValueError, match=r"pos_label=1 is not a valid label. It should be one "
                                         r"of \['ham', 'spam'\]"):
        lm.f1_score(y_true, y_pred)


def test_pos_label_ignored_warning_when_not_binary():
    y = np.array([0, 1, 2, 1])
    with pytest.warns(UserWarning, match="pos_label \\(set to 2\\) is ignored"):
        lm.f1_score(y, y, average="macro", pos_label=2)


@SETTINGS
@given(seed=seeds, n=st.integers(1, 30), n_classes=st.integers(1, 4),
       normalize=st.sampled_from([None, "true", "pred", "all"]),
       weight_kind=st.sampled_from(["none", "float", "int"]))
def test_confusion_matrix_agrees(seed, n, n_classes, normalize, weight_kind):
    rng = np.random.default_rng(seed)
    y_true, y_pred = labels(rng, n, n_classes), labels(rng, n, n_classes)
    sw = weights(rng, n, weight_kind)
    cm = both_ways(lm.confusion_matrix, skm.confusion_matrix, y_true, y_pred,
                   normalize=normalize, sample_weight=sw)
    expected = quiet(skm.confusion_matrix, y_true, y_pred, normalize=normalize,
                     sample_weight=sw)
    assert cm.dtype == expected.dtype
    both_ways(lm.confusion_matrix, skm.confusion_matrix, y_true, y_pred,
              labels=[y_true[0], 9, 1], normalize=normalize, sample_weight=sw)


def test_confusion_matrix_binary_layout():
    # notes' table: rows actual, columns predicted -> [[TN, FP], [FN, TP]] for labels (0, 1)
    y_true = np.array([1, 1, 1, 0, 0, 0, 0])
    y_pred = np.array([1, 0, 1, 0, 1, 0, 0])
    (tn, fp), (fn, tp) = lm.confusion_matrix(y_true, y_pred)
    assert (tn, fp, fn, tp) == (3, 1, 1, 2)
    assert lm.accuracy_score(y_true, y_pred) == (tp + tn) / 7
    assert lm.precision_score(y_true, y_pred) == tp / (tp + fp)
    assert lm.recall_score(y_true, y_pred) == tp / (tp + fn)


def test_accuracy_misleads_on_imbalanced_data():
    # SPEC claim 19: predicting the majority class gets high accuracy but zero recall/F1
    y_true = np.array([0] * 95 + [1] * 5)
    y_pred = np.zeros(100, dtype=int)
    assert lm.accuracy_score(y_true, y_pred) == 0.95
    assert lm.recall_score(y_true, y_pred) == 0.0
    assert lm.f1_score(y_true, y_pred, zero_division=0) == 0.0


@SETTINGS
@given(seed=seeds, n=st.integers(1, 30), normalize=st.booleans(),
       weight_kind=st.sampled_from(["none", "float", "int"]))
def test_accuracy_agrees(seed, n, normalize, weight_kind):
    rng = np.random.default_rng(seed)
    y_true, y_pred = labels(rng, n, 3), labels(rng, n, 3)
    both_ways(lm.accuracy_score, skm.accuracy_score, y_true, y_pred, normalize=normalize,
              sample_weight=weights(rng, n, weight_kind))


@pytest.mark.parametrize("output_dict", [False, True])
@pytest.mark.parametrize("case", ["binary", "multiclass", "labels", "names", "multilabel",
                                  "strings"])
def test_classification_report_agrees(case, output_dict):
    rng = np.random.default_rng(7)
    y_true, y_pred = labels(rng, 40, 3), labels(rng, 40, 3)
    kw = {"digits": 3}
    if case == "binary":
        y_true, y_pred = y_true % 2, y_pred % 2
    elif case == "labels":
        kw["labels"] = [2, 0, 5]
    elif case == "names":
        kw["target_names"] = ["cat", "dog", "a much longer class name"]
        kw["sample_weight"] = rng.random(40)
    elif case == "multilabel":
        y_true, y_pred = multilabel(rng, 40, 3), multilabel(rng, 40, 3)
    elif case == "strings":
        y_true, y_pred = np.array(list("abc"))[y_true], np.array(list("abc"))[y_pred]
    for zero_division in ("warn", 0, 1, np.nan):
        both_ways(lm.classification_report, skm.classification_report, y_true, y_pred,
                  output_dict=output_dict, zero_division=zero_division, **kw)


def test_classification_report_target_names_mismatch():
    with pytest.raises(ValueError, match="Number of classes, 2, does not match size of "
                                         "target_names, 3"):
        lm.classification_report([0, 1], [0, 1], target_names=["a", "b", "c"])


@SETTINGS
@given(seed=seeds, n=st.integers(2, 30), n_classes=st.integers(2, 5),
       weight_kind=st.sampled_from(["none", "float", "int"]), normalize=st.booleans(),
       extreme=st.booleans(), float32=st.booleans())
def test_log_loss_agrees(seed, n, n_classes, weight_kind, normalize, extreme, float32):
    rng = np.random.default_rng(seed)
    y_true = labels(rng, n, n_classes, all_present=n >= n_classes)
    p = proba(rng, n, n_classes, ties=False)
    if extreme:  # exact 0 / 1 probabilities exercise the eps clipping
        p = np.eye(n_classes)[labels(rng, n, n_classes)]
    if float32:
        p = p.astype(np.float32)
    sw = weights(rng, n, weight_kind)
    kw = {"normalize": normalize, "sample_weight": sw, "labels": np.arange(n_classes)}
    both_ways(lm.log_loss, skm.log_loss, y_true, p, **kw)
    both_ways(lm.log_loss, skm.log_loss, y_true % 2, p[:, 0], sample_weight=sw,
              labels=[0, 1])


def test_log_loss_binary_column_and_unnormalized_rows():
    y = np.array([0, 1, 1, 0])
    p = np.array([0.1, 0.9, 0.8, 0.35])
    both_ways(lm.log_loss, skm.log_loss, y, p)
    rows = np.array([[0.2, 0.2], [0.5, 0.3], [0.1, 0.6], [0.3, 0.3]])
    with pytest.warns(UserWarning, match="do not sum to one"):
        ours = lm.log_loss(y, rows)
    assert_same(ours, quiet(skm.log_loss, y, rows))


def test_log_loss_errors():
    with pytest.raises(ValueError, match="y_proba contains values greater than 1: 1.5"):
        lm.log_loss([0, 1], [0.5, 1.5])
    with pytest.raises(ValueError, match=r"y_true contains only one label \(1\)"):
        lm.log_loss([1, 1], [0.5, 0.7])
    with pytest.raises(ValueError, match="different number of classes: 2 vs 3"):
        lm.log_loss([0, 1, 1], np.full((3, 3), 1 / 3))
    with pytest.raises(ValueError, match=r"y_true contains values \[4\] not belonging"):
        lm.log_loss([0, 4], [[0.5, 0.5], [0.5, 0.5]], labels=[0, 1])


@SETTINGS
@given(seed=seeds, n=st.integers(3, 30), k=st.integers(1, 4), ties=st.booleans(),
       weight_kind=st.sampled_from(["none", "float", "int"]), normalize=st.booleans())
def test_top_k_accuracy_agrees(seed, n, k, ties, weight_kind, normalize):
    rng = np.random.default_rng(seed)
    y_true = labels(rng, n, 4)
    p = proba(rng, n, 4, ties)
    sw = weights(rng, n, weight_kind)
    kw = {"k": k, "normalize": normalize, "sample_weight": sw, "labels": [0, 1, 2, 3]}
    both_ways(lm.top_k_accuracy_score, skm.top_k_accuracy_score, y_true, p, **kw)
    both_ways(lm.top_k_accuracy_score, skm.top_k_accuracy_score, y_true % 2, p[:, 0],
              k=min(k, 2), sample_weight=sw, labels=[0, 1])
