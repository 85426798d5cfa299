"""The shared validation step: target types and bad-input messages (SPEC K1-K5)."""

import numpy as np
import pytest
from sklearn.utils.multiclass import type_of_target as sk_type_of_target

import lucidnet.metrics as lm
from lucidnet.metrics._validation import check_targets, check_zero_division, nan_average

TARGETS = [
    [0, 1, 1, 0], [1.0, 0.0, 1.0], ["a", "b"], [3, 3, 3], [True, False],
    [0, 1, 2], [1.0, 2.0, 5.0], ["a", "b", "c"],
    [[0, 1], [1, 1]], [[1, 0, 0], [0, 1, 1]], np.array([[True, False], [False, True]]),
    [0.5, 1.0], [[0.1, 2.0], [1.0, 3.5]],
    [[1, 2], [3, 4]], [[0], [1]], [[0], [2], [5]], np.zeros((2, 2, 2)),
]


@pytest.mark.parametrize("y", TARGETS, ids=range(len(TARGETS)))
def test_type_of_target_agrees_with_sklearn(y):
    assert lm.type_of_target(y) == sk_type_of_target(y)


@pytest.mark.parametrize(("metric", "y_true", "y_pred"), [
    (lm.accuracy_score, [0, 1, 1], [0, 1]),
    (lm.f1_score, [0, 1, 1], [0, 1]),
    (lm.mean_squared_error, [0.0, 1.0, 1.0], [0.0, 1.0]),
    (lm.roc_auc_score, [0, 1, 1], [0.1, 0.2]),
])
def test_inconsistent_lengths(metric, y_true, y_pred):
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: y_true has 3, "
                                         r"y_(pred|score) has 2\. Expected all of them"):
        metric(y_true, y_pred)


@pytest.mark.parametrize("metric", [lm.precision_score, lm.recall_score, lm.f1_score,
                                    lm.precision_recall_fscore_support])
def test_unknown_average(metric):
    with pytest.raises(ValueError, match=r"average must be one of \('binary', 'micro', "
                                         r"'macro', 'weighted', 'samples', None\); got "
                                         r"average='mean'"):
        metric([0, 1], [0, 1], average="mean")


def test_unknown_average_for_scores():
    with pytest.raises(ValueError, match=r"average must be one of .*got average='mean'"):
        lm.average_precision_score([0, 1, 1], [0.1, 0.2, 0.3], average="mean")


def test_average_binary_on_multiclass():
    with pytest.raises(ValueError, match="Target is multiclass but average='binary'. Please "
                                         "choose another average setting, one of"):
        lm.f1_score([0, 1, 2], [0, 1, 2])


def test_mixed_target_types():
    with pytest.raises(ValueError, match="can't handle a mix of binary and continuous targets: "
                                         "y_true is binary, y_pred is continuous"):
        lm.accuracy_score([0, 1, 1], [0.2, 0.7, 0.9])
    with pytest.raises(ValueError, match="mix of multilabel-indicator and binary"):
        lm.f1_score([[0, 1], [1, 1]], [0, 2], average="macro")
    with pytest.raises(ValueError, match=r"Mix of label input types \(string and number\)"):
        lm.accuracy_score(["a", "b"], [0, 1])
    with pytest.raises(ValueError, match="continuous targets are not supported by "
                                         "classification metrics"):
        lm.confusion_matrix([0.5, 0.7], [0.5, 0.7])
    with pytest.raises(ValueError, match="y_true must hold class labels .* got continuous"):
        lm.roc_auc_score([0.2, 0.5, 0.7], [0.1, 0.2, 0.3])


@pytest.mark.parametrize(("metric", "bad"), [
    (lm.accuracy_score, "y_true"), (lm.mean_absolute_error, "y_pred"),
    (lm.log_loss, "y_proba"), (lm.roc_curve, "y_score"),
])
def test_nan_and_inf(metric, bad):
    y_true = np.array([0.0, 1.0, 1.0]) if bad != "y_true" else np.array([0.0, np.nan, 1.0])
    other = np.array([0.2, 0.6, 0.9]) if metric is not lm.accuracy_score else np.array([0, 1, 1])
    if bad != "y_true":
        other = other.astype(float)
        other[1] = np.inf if metric is lm.roc_curve else np.nan
    what = "infinity or a value too large" if metric is lm.roc_curve else "NaN"
    with pytest.raises(ValueError, match=f"Input {bad} contains {what}"):
        metric(y_true, other)


def test_empty_and_scalar_input():
    with pytest.raises(ValueError, match="Found empty input array"):
        lm.accuracy_score([], [])
    with pytest.raises(ValueError, match="y_true must be at least 1-d"):
        lm.accuracy_score(1, [1])
    with pytest.raises(TypeError, match="y_pred must be array-like"):
        lm.accuracy_score([1], "1")


def test_sample_weight_checks():
    with pytest.raises(ValueError, match="at least one non-zero number"):
        lm.accuracy_score([0, 1], [0, 1], sample_weight=[0, 0])
    with pytest.raises(ValueError, match=r"sample_weight must be 1-d .* got shape \(2, 1\)"):
        lm.accuracy_score([0, 1], [0, 1], sample_weight=[[1], [1]])
    with pytest.raises(ValueError, match="Input sample_weight contains NaN"):
        lm.r2_score([0.0, 1.0], [0.0, 1.0], sample_weight=[1, np.nan])


@pytest.mark.parametrize("bad", ["nope", 0.5, 2, True, None])
def test_zero_division_values(bad):
    with pytest.raises(ValueError, match=r"zero_division must be 'warn', 0, 1 or np.nan"):
        lm.f1_score([0, 1], [0, 1], zero_division=bad)


def test_zero_division_semantics():
    assert check_zero_division("warn") == 0.0
    assert check_zero_division(1) == 1.0
    assert np.isnan(check_zero_division(np.nan))
    with pytest.warns(lm.UndefinedMetricWarning, match="Precision is ill-defined"):
        assert lm.precision_score([1, 1], [0, 0]) == 0.0
    assert lm.precision_score([1, 1], [0, 0], zero_division=1) == 1.0
    assert np.isnan(lm.precision_score([1, 1], [0, 0], zero_division=np.nan))


def test_check_targets_returns_types_and_labels():
    t = check_targets([0, 2, 1], [[2], [2], [0]])
    assert t.type == "multiclass" and t.labels.tolist() == [0, 1, 2] and t.y_pred.shape == (3,)
    r = check_targets([1, 2], [1.5, 2.5], task="regression")
    assert r.type == "continuous" and r.y_true.shape == (2, 1)
    with pytest.raises(ValueError, match="task must be one of"):
        check_targets([1], [1], task="ranking")


def test_nan_average_skips_nan_like_sklearn():
    assert nan_average(np.array([1.0, np.nan, 3.0])) == 2.0
    assert np.isnan(nan_average(np.array([np.nan])))
    assert nan_average(np.array([1.0, 3.0]), np.array([0, 0])) == 2.0
