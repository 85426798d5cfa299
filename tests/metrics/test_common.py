"""Registry-driven checks shared by every public metric (like sklearn's tests/test_common.py).

``COMMON`` lists every metric exported by ``lucidnet.metrics``; a name in ``__all__`` that is
neither in ``COMMON`` nor in ``NOT_METRICS`` fails ``test_every_public_metric_is_registered``.
Each entry names the input kind it is called on and its scikit-learn counterpart.
"""

import re

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

# kind -> rng, n -> (y_true, second argument)
KINDS = {
    "regression": lambda rng, n: (rng.normal(size=n), rng.normal(size=n)),
    "regression_multi": lambda rng, n: (rng.normal(size=(n, 3)), rng.normal(size=(n, 3))),
    "binary_labels": lambda rng, n: (labels(rng, n, 2), labels(rng, n, 2)),
    "multiclass_labels": lambda rng, n: (labels(rng, n, 4), labels(rng, n, 3)),
    "multilabel_labels": lambda rng, n: (multilabel(rng, n, 3), multilabel(rng, n, 3, False)),
    "binary_scores": lambda rng, n: (labels(rng, n, 2, True), scores(rng, n, ties=True)),
    "multiclass_proba": lambda rng, n: (labels(rng, n, 3, True), proba(rng, n, 3, ties=True)),
    "multilabel_scores": lambda rng, n: (multilabel(rng, n, 4),
                                         np.round(rng.random((n, 4)), 1)),
}

# name -> (kind, sklearn counterpart, extra kwargs, supports sample_weight)
COMMON = {
    "mean_squared_error": ("regression_multi", skm.mean_squared_error, {}, True),
    "root_mean_squared_error": ("regression_multi", skm.root_mean_squared_error, {}, True),
    "mean_absolute_error": ("regression_multi", skm.mean_absolute_error, {}, True),
    "r2_score": ("regression", skm.r2_score, {}, True),
    "confusion_matrix": ("multiclass_labels", skm.confusion_matrix, {}, True),
    "accuracy_score": ("multiclass_labels", skm.accuracy_score, {}, True),
    "precision_score": ("multiclass_labels", skm.precision_score, {"average": "macro"}, True),
    "recall_score": ("multiclass_labels", skm.recall_score, {"average": "weighted"}, True),
    "f1_score": ("binary_labels", skm.f1_score, {}, True),
    "fbeta_score": ("multiclass_labels", skm.fbeta_score, {"beta": 2.0, "average": "micro"},
                    True),
    "precision_recall_fscore_support": ("multilabel_labels",
                                        skm.precision_recall_fscore_support, {}, True),
    "classification_report": ("multiclass_labels", skm.classification_report, {}, True),
    "log_loss": ("multiclass_proba", skm.log_loss, {}, True),
    "top_k_accuracy_score": ("multiclass_proba", skm.top_k_accuracy_score, {"k": 2}, True),
    "roc_curve": ("binary_scores", skm.roc_curve, {}, True),
    "precision_recall_curve": ("binary_scores", skm.precision_recall_curve, {}, True),
    "roc_auc_score": ("multiclass_proba", skm.roc_auc_score, {"multi_class": "ovr"}, True),
    "average_precision_score": ("multilabel_scores", skm.average_precision_score, {}, True),
    "mean_average_precision": (
        "multilabel_scores",
        lambda yt, ys, **kw: skm.average_precision_score(yt, ys, average="samples", **kw),
        {}, True),
    "precision_at_k": (
        "multilabel_scores",
        # no sklearn counterpart: top-k mask per query by a stable descending sort
        lambda yt, ys, k, sample_weight=None: float(np.average(
            [yt[i][np.argsort(-ys[i], kind="stable")[:k]].mean() for i in range(len(yt))],
            weights=sample_weight)),
        {"k": 2}, True),
}

NOT_METRICS = {
    "auc": "curve helper on (x, y) points, tested in test_ranking.py",
    "r2_quality": "maps an R² value to a word, tested in test_regression.py",
    "check_targets": "the validation step itself", "type_of_target": "validation helper",
    "UndefinedMetricWarning": "warning class", "METRICS": "registry", "Metric": "registry",
    "get_metric": "registry", "scores_to_labels": "registry helper",
}


def test_every_public_metric_is_registered():
    missing = set(lm.__all__) - set(COMMON) - set(NOT_METRICS)
    assert not missing, f"add these public metrics to COMMON in test_common.py: {missing}"
    assert not (set(COMMON) | set(NOT_METRICS)) - set(lm.__all__)


def _inputs(name, seed, n):
    kind = COMMON[name][0]
    rng = np.random.default_rng(seed)
    return rng, KINDS[kind](rng, max(n, 4))


@pytest.mark.parametrize("name", sorted(COMMON))
@SETTINGS
@given(seed=seeds, n=st.integers(4, 30), weight_kind=st.sampled_from(["none", "float", "int"]))
def test_agrees_with_sklearn(name, seed, n, weight_kind):
    _, sk, kwargs, _ = COMMON[name]
    rng, (y_true, y_other) = _inputs(name, seed, n)
    sw = weights(rng, len(y_true), weight_kind)
    if sw is not None and sw.sum() == 0:
        sw[0] = 1.0
    kwargs = dict(kwargs, sample_weight=sw)
    both_ways(getattr(lm, name), sk, y_true, y_other, **kwargs)


@pytest.mark.parametrize("name", sorted(COMMON))
def test_unit_weights_change_nothing(name):
    _, _, kwargs, _ = COMMON[name]
    _, (y_true, y_other) = _inputs(name, 0, 20)
    if name == "classification_report":  # the text shows float supports as "4.0"
        kwargs = dict(kwargs, output_dict=True)
    fn = getattr(lm, name)
    assert_same(quiet(fn, y_true, y_other, sample_weight=np.ones(len(y_true)), **kwargs),
                quiet(fn, y_true, y_other, **kwargs))


@pytest.mark.parametrize("name", sorted(COMMON))
def test_integer_weight_equals_repetition(name):
    _, _, kwargs, _ = COMMON[name]
    if name == "classification_report":  # the text shows float supports as "4.0"
        kwargs = dict(kwargs, output_dict=True)
    rng, (y_true, y_other) = _inputs(name, 1, 20)
    reps = rng.integers(1, 4, len(y_true))
    fn = getattr(lm, name)
    weighted = quiet(fn, y_true, y_other, sample_weight=reps.astype(float), **kwargs)
    repeated = quiet(fn, np.repeat(y_true, reps, axis=0), np.repeat(y_other, reps, axis=0),
                     **kwargs)
    assert_same(weighted, repeated)


@pytest.mark.parametrize("name", sorted(COMMON))
def test_inconsistent_lengths_raise(name):
    _, _, kwargs, _ = COMMON[name]
    _, (y_true, y_other) = _inputs(name, 2, 10)
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: y_true has 10, "
                                         r"y_\w+ has 9"):
        getattr(lm, name)(y_true, y_other[:9], **kwargs)


_SECOND_NAME = {"log_loss": "y_proba"}


def _second_name(name):
    kind = COMMON[name][0]
    if name in _SECOND_NAME:
        return _SECOND_NAME[name]
    return "y_score" if kind.endswith(("scores", "proba")) else "y_pred"


@pytest.mark.parametrize("where", ["y_true", "second", "sample_weight"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("name", sorted(COMMON))
def test_nan_and_inf_raise_like_sklearn(name, bad, where):
    """Every metric refuses NaN/inf in every input with scikit-learn's message (issue 16)."""
    _, _, kwargs, _ = COMMON[name]
    _, (y_true, y_other) = _inputs(name, 3, 10)
    arrays = {"y_true": np.array(y_true, dtype=float), "second": np.array(y_other, dtype=float),
              "sample_weight": np.ones(len(y_true))}
    arrays[where].flat[3] = bad
    input_name = _second_name(name) if where == "second" else where
    what = "NaN" if np.isnan(bad) else "infinity or a value too large for dtype('float64')"
    with pytest.raises(ValueError, match=re.escape(f"Input {input_name} contains {what}.")):
        getattr(lm, name)(arrays["y_true"], arrays["second"],
                          sample_weight=arrays["sample_weight"], **kwargs)


@pytest.mark.parametrize("name", sorted(COMMON))
def test_empty_input_raises(name):
    _, _, kwargs, _ = COMMON[name]
    _, (y_true, y_other) = _inputs(name, 4, 10)
    with pytest.raises(ValueError, match="Found empty input array"):
        getattr(lm, name)(y_true[:0], y_other[:0], **kwargs)


@pytest.mark.parametrize("name", sorted(COMMON))
def test_sample_weight_length_checked(name):
    _, _, kwargs, _ = COMMON[name]
    _, (y_true, y_other) = _inputs(name, 5, 10)
    with pytest.raises(ValueError, match="sample_weight has 7"):
        getattr(lm, name)(y_true, y_other, sample_weight=np.ones(7), **kwargs)


def test_library_does_not_import_sklearn():
    import subprocess
    import sys
    code = ("import sys, lucidnet.metrics as m; m.get_metric('roc_auc'); "
            "print(any(k.split('.')[0] in ('sklearn', 'scipy') for k in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
