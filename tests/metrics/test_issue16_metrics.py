"""Issue 16: no metric turns NaN/inf into a number; the messages are scikit-learn's."""

import numpy as np
import pytest

import lucidnet.metrics as lm


def test_mean_squared_error_nan_raises_like_sklearn():
    with pytest.raises(ValueError, match=r"^Input y_true contains NaN\.$"):
        lm.mean_squared_error([0, np.nan], [0, 1])
    with pytest.raises(ValueError, match=r"^Input y_pred contains infinity or a value too large "
                                         r"for dtype\('float64'\)\.$"):
        lm.mean_squared_error([0, 1], [0, np.inf])
    with pytest.raises(ValueError, match=r"dtype\('float32'\)"):
        lm.mean_squared_error(np.zeros(2, np.float32), np.array([0, -np.inf], np.float32))


def test_nan_is_named_before_inf_and_huge_finite_values_pass():
    with pytest.raises(ValueError, match="Input y_pred contains NaN"):
        lm.mean_absolute_error([0.0, 1.0, 2.0], [np.inf, np.nan, 0.0])
    big = np.full(4, 1e308)         # the sum overflows, the values are finite: no error
    assert np.isfinite(lm.mean_absolute_error(big, big))


@pytest.mark.parametrize("name", sorted(lm.METRICS))
def test_every_registry_metric_refuses_nan_scores(name):
    """The Trainer's entries turned a NaN probability silently into the label 0."""
    metric = lm.get_metric(name)
    y_true = np.array([0, 1, 1, 0])
    y_score = np.array([0.2, np.nan, 0.9, 0.1])
    with pytest.raises(ValueError, match=r"Input y_\w+ contains NaN\."):
        metric(y_true, y_score)
    two_col = np.stack([1 - y_score, y_score], axis=1)
    with pytest.raises(ValueError, match=r"Input y_\w+ contains NaN\."):
        metric(y_true, two_col)


def test_auc_refuses_nan_and_inf():
    with pytest.raises(ValueError, match=r"Input x contains NaN\."):
        lm.auc([0, 1, np.nan], [0, 1, 1])
    with pytest.raises(ValueError, match=r"Input y contains infinity"):
        lm.auc([0, 1, 2], [0, np.inf, 1])
