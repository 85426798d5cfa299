"""MSE, RMSE, MAE, R² against scikit-learn and the notes' R² bands (SPEC K1)."""

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given
from hypothesis import strategies as st

import lucidnet.metrics as lm

from ._helpers import SETTINGS, both_ways, seeds, weights

FUNCS = [(lm.mean_squared_error, skm.mean_squared_error),
         (lm.root_mean_squared_error, skm.root_mean_squared_error),
         (lm.mean_absolute_error, skm.mean_absolute_error),
         (lm.r2_score, skm.r2_score)]


@SETTINGS
@given(seed=seeds, n=st.integers(1, 30), n_outputs=st.integers(1, 3),
       weight_kind=st.sampled_from(["none", "float", "int"]),
       multioutput=st.sampled_from(["uniform_average", "raw_values", "custom"]),
       float32=st.booleans(), constant=st.booleans())
def test_agrees_with_sklearn(seed, n, n_outputs, weight_kind, multioutput, float32, constant):
    rng = np.random.default_rng(seed)
    shape = (n,) if n_outputs == 1 else (n, n_outputs)
    y_true = rng.normal(size=shape)
    y_pred = y_true + 0.5 * rng.normal(size=shape)
    if constant:  # constant target: R² falls back to 1 (perfect) / 0 with force_finite
        y_true[:] = 1.5
        y_pred.flat[::2] = 1.5
    if float32:
        y_true, y_pred = y_true.astype(np.float32), y_pred.astype(np.float32)
    if multioutput == "custom":
        if n_outputs == 1:
            multioutput = "uniform_average"
        else:
            multioutput = rng.random(n_outputs)
    sw = weights(rng, n, weight_kind)
    for ours, theirs in FUNCS:
        both_ways(ours, theirs, y_true, y_pred, sample_weight=sw, multioutput=multioutput)
    for force_finite in (True, False):
        for mo in ("variance_weighted", multioutput):
            both_ways(lm.r2_score, skm.r2_score, y_true, y_pred, sample_weight=sw,
                      multioutput=mo, force_finite=force_finite)


def test_formulas_from_the_notes():
    y = np.array([3.0, -0.5, 2.0, 7.0])
    yhat = np.array([2.5, 0.0, 2.0, 8.0])
    err = y - yhat
    assert lm.mean_squared_error(y, yhat) == np.mean(err ** 2)
    assert lm.root_mean_squared_error(y, yhat) == np.sqrt(np.mean(err ** 2))
    assert lm.mean_absolute_error(y, yhat) == np.mean(np.abs(err))
    ss_res, ss_tot = np.sum(err ** 2), np.sum((y - y.mean()) ** 2)
    np.testing.assert_allclose(lm.r2_score(y, yhat), 1 - ss_res / ss_tot, rtol=1e-15)
    assert lm.r2_score(y, y) == 1.0
    assert lm.r2_score(y, np.full(4, y.mean())) == 0.0  # predicting the mean -> R² = 0


def test_r2_single_sample_is_nan_with_warning():
    with pytest.warns(lm.UndefinedMetricWarning, match="less than two samples"):
        assert np.isnan(lm.r2_score([1.0], [2.0]))


@pytest.mark.parametrize(("r2", "band"), [
    (1.0, "very good"), (0.81, "very good"), (0.8000001, "very good"),
    (0.8, "acceptable"), (0.7, "acceptable"), (0.6000001, "acceptable"),
    (0.6, "needs improvement"), (0.5, "needs improvement"),
    (0.4, "requires significant enhancement"), (0.0, "requires significant enhancement"),
    (-3.0, "requires significant enhancement"), (float("-inf"),
                                                 "requires significant enhancement"),
])
def test_r2_quality_bands(r2, band):
    assert lm.r2_quality(r2) == band


def test_r2_quality_bad_input():
    with pytest.raises(ValueError, match="r2 is NaN"):
        lm.r2_quality(float("nan"))
    with pytest.raises(TypeError, match="r2 must be a real number; got str"):
        lm.r2_quality("0.9")


def test_multioutput_errors():
    y = np.zeros((4, 2))
    with pytest.raises(ValueError, match=r"multioutput must be one of \('raw_values', "
                                         r"'uniform_average'\).*got multioutput='median'"):
        lm.mean_squared_error(y, y, multioutput="median")
    with pytest.raises(ValueError, match=r"equally many custom weights \(3\) as outputs \(2\)"):
        lm.r2_score(y, y, multioutput=[1, 2, 3])
    with pytest.raises(ValueError, match=r"different number of outputs \(2!=3\)"):
        lm.mean_absolute_error(y, np.zeros((4, 3)))
    with pytest.raises(TypeError, match="y_true must be numeric for a regression metric"):
        lm.mean_squared_error(np.array(["a", "b"]), [1.0, 2.0])
