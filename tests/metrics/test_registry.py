"""The training registry: names, directions, needs and the (y_true, y_score) convention."""

import numpy as np
import pytest
import sklearn.metrics as skm

import lucidnet.metrics as lm

from ._helpers import assert_same, labels, proba, quiet

REQUIRED = {"accuracy", "precision_macro", "recall_macro", "f1_macro", "f1_weighted", "f1",
            "roc_auc", "log_loss", "mse", "rmse", "mae", "r2", "top_k_accuracy"}
MINIMIZED = {"log_loss", "mse", "rmse", "mae"}


def test_required_names_directions_and_needs():
    assert REQUIRED <= set(lm.METRICS)
    for name, metric in lm.METRICS.items():
        assert lm.get_metric(name) is metric and metric.name == name
        assert metric.greater_is_better == (name not in MINIMIZED)
        assert metric.needs in ("labels", "scores")
    assert lm.get_metric("f1").needs == "labels" and lm.get_metric("roc_auc").needs == "scores"


def test_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match=r"Unknown metric 'f2'. Valid names: \[.*'accuracy'.*"
                                         r"'top_k_accuracy'\]"):
        lm.get_metric("f2")
    with pytest.raises(TypeError, match="metric must be a name"):
        lm.get_metric(3)


def test_scores_to_labels():
    assert lm.scores_to_labels(np.array([0.2, 0.5, 0.51])).tolist() == [0, 0, 1]
    assert lm.scores_to_labels(np.array([[0.2], [0.9]])).tolist() == [0, 1]
    assert lm.scores_to_labels(np.array([[0.2, 0.7, 0.1], [0.5, 0.1, 0.4]])).tolist() == [1, 0]
    assert lm.scores_to_labels(np.array([2, 0, 1])).tolist() == [2, 0, 1]


def test_multiclass_probabilities_convention():
    rng = np.random.default_rng(0)
    y = labels(rng, 50, 4, all_present=True)
    p = proba(rng, 50, 4, ties=False)
    pred = p.argmax(axis=1)
    expected = {
        "accuracy": skm.accuracy_score(y, pred),
        "precision_macro": skm.precision_score(y, pred, average="macro", zero_division=0),
        "recall_macro": skm.recall_score(y, pred, average="macro", zero_division=0),
        "f1_macro": skm.f1_score(y, pred, average="macro", zero_division=0),
        "f1_weighted": skm.f1_score(y, pred, average="weighted", zero_division=0),
        "f1_micro": skm.f1_score(y, pred, average="micro"),
        "roc_auc": skm.roc_auc_score(y, p, multi_class="ovr"),
        "log_loss": skm.log_loss(y, p),
        "top_k_accuracy": skm.top_k_accuracy_score(y, p, k=2),
        "average_precision": skm.average_precision_score(np.eye(4)[y], p),
    }
    for name, value in expected.items():
        got = lm.get_metric(name)(y, p)
        assert isinstance(got, float)
        assert_same(got, value)


def test_missing_class_in_batch_uses_column_labels():
    # class 2 is absent from y_true: log_loss / top-k name the columns 0..C-1
    rng = np.random.default_rng(1)
    y = labels(rng, 30, 2, all_present=True)
    p = proba(rng, 30, 3, ties=False)
    assert_same(lm.get_metric("log_loss")(y, p), skm.log_loss(y, p, labels=[0, 1, 2]))
    assert_same(lm.get_metric("top_k_accuracy")(y, p),
                skm.top_k_accuracy_score(y, p, k=2, labels=[0, 1, 2]))


@pytest.mark.parametrize("shape", ["(N,)", "(N,1)", "(N,2)"])
def test_binary_probability_convention(shape):
    rng = np.random.default_rng(2)
    y = labels(rng, 40, 2, all_present=True)
    p1 = rng.random(40)
    score = {"(N,)": p1, "(N,1)": p1[:, None], "(N,2)": np.stack([1 - p1, p1], axis=1)}[shape]
    pred = (p1 > 0.5).astype(int)
    assert_same(lm.get_metric("f1")(y, score), skm.f1_score(y, pred))
    assert_same(lm.get_metric("precision")(y, score), skm.precision_score(y, pred))
    assert_same(lm.get_metric("roc_auc")(y, score), skm.roc_auc_score(y, p1))
    assert_same(lm.get_metric("average_precision")(y, score),
                skm.average_precision_score(y, p1))
    assert_same(lm.get_metric("log_loss")(y, score), skm.log_loss(y, p1))


def test_regression_convention():
    rng = np.random.default_rng(3)
    y = rng.normal(size=25)
    yhat = (y + 0.3 * rng.normal(size=25))[:, None]  # a model's (N, 1) output column
    for name, fn in (("mse", skm.mean_squared_error), ("rmse", skm.root_mean_squared_error),
                     ("mae", skm.mean_absolute_error), ("r2", skm.r2_score)):
        assert_same(lm.get_metric(name)(y, yhat), fn(y, yhat[:, 0]))


def test_label_metrics_do_not_warn_every_epoch():
    y = np.array([0, 0, 1, 1])
    p = np.array([[0.9, 0.1]] * 4)  # never predicts class 1 -> 0/0 precision
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert lm.get_metric("precision")(y, p) == 0.0
        assert lm.get_metric("f1_macro")(y, p) == quiet(skm.f1_score, y, [0] * 4,
                                                         average="macro")
