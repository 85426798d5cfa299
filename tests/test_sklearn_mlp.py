"""lucidnet.sklearn.MLPClassifier / MLPRegressor against scikit-learn's own estimators.

With the same ``random_state`` both draw the same initial weights, shuffles and validation split
from one ``RandomState``, and every step does the same floating-point operations, so in float64
the fitted weights agree to rounding (they are in fact equal bit for bit with the BLAS here); the
tests allow a few ulps. The backward pass is checked against central differences in float64.
"""

import pickle
import re
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

import scipy.sparse as sp
from sklearn import neural_network as skn
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError

from lucidnet.sklearn import MLPClassifier, MLPRegressor
from lucidnet.sklearn._mlp import _Network, _pack

# few epochs on purpose; the tests that expect the warning catch it with pytest.warns
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

REFERENCE = {MLPClassifier: skn.MLPClassifier, MLPRegressor: skn.MLPRegressor}
FITTED = ["coefs_", "intercepts_", "loss_", "loss_curve_", "best_loss_", "n_iter_", "n_layers_",
          "n_outputs_", "out_activation_", "classes_", "t_", "validation_scores_",
          "best_validation_score_", "n_features_in_"]


@pytest.fixture(scope="module")
def clf_data():
    X, y = make_classification(300, 12, n_informative=8, n_classes=3, random_state=0)
    return X, y


@pytest.fixture(scope="module")
def reg_data():
    X, y = make_regression(200, 8, n_targets=2, noise=1.0, random_state=0)
    return X, y / 100


def _fit_both(cls, X, y, fit=None, **params):
    """The same estimator from lucidnet and from scikit-learn, fitted on the same data."""
    fit = fit or {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = cls(**params).fit(X, y, **fit)
        ref = REFERENCE[cls](**params).fit(X, y, **fit)
    return ours, ref


def _assert_same_model(ours, ref, rtol=1e-12, atol=1e-14):
    for name in FITTED:
        assert hasattr(ours, name) == hasattr(ref, name), name
    assert len(ours.coefs_) == len(ref.coefs_)
    for a, b in zip(ours.coefs_ + ours.intercepts_, ref.coefs_ + ref.intercepts_):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)
    assert ours.n_iter_ == ref.n_iter_ and ours.n_layers_ == ref.n_layers_
    assert ours.n_outputs_ == ref.n_outputs_ and ours.out_activation_ == ref.out_activation_
    np.testing.assert_allclose(ours.loss_, ref.loss_, rtol=1e-10)
    if hasattr(ref, "loss_curve_"):
        np.testing.assert_allclose(ours.loss_curve_, ref.loss_curve_, rtol=1e-10)
        assert ours.t_ == ref.t_
        if ref.best_loss_ is None:
            assert ours.best_loss_ is None
        else:
            np.testing.assert_allclose(ours.best_loss_, ref.best_loss_, rtol=1e-10)
        if ref.validation_scores_ is None:
            assert ours.validation_scores_ is None and ours.best_validation_score_ is None
        else:
            np.testing.assert_allclose(ours.validation_scores_, ref.validation_scores_)
            assert ours.best_validation_score_ == ref.best_validation_score_


# ----------------------------------------------------------------------------- same weights
@pytest.mark.parametrize("params", [
    {"solver": "adam"},
    {"solver": "sgd"},
    {"solver": "sgd", "nesterovs_momentum": False, "learning_rate": "invscaling",
     "learning_rate_init": 0.05},
    {"solver": "sgd", "momentum": 0.0, "learning_rate_init": 0.05},
    {"activation": "tanh", "alpha": 1.0},
    {"activation": "logistic", "beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-6},
    {"activation": "identity"},
    {"early_stopping": True, "validation_fraction": 0.2},
    {"shuffle": False, "batch_size": 64},
    {"batch_size": 7, "hidden_layer_sizes": (5, 4, 3)},
    {"hidden_layer_sizes": ()},
    {"hidden_layer_sizes": 9},
])
@pytest.mark.parametrize("target", ["multiclass", "binary", "multilabel"])
def test_classifier_weights_equal_sklearn(clf_data, params, target):
    X, y = clf_data
    y = {"multiclass": y, "binary": y == 1, "multilabel": np.c_[y == 1, y != 2]}[target]
    kw = {"hidden_layer_sizes": (16, 8), "max_iter": 6, "random_state": 1, **params}
    ours, ref = _fit_both(MLPClassifier, X, y, **kw)
    _assert_same_model(ours, ref)
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), rtol=1e-10)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


@pytest.mark.parametrize("params", [
    {"solver": "adam"},
    {"solver": "sgd", "learning_rate_init": 1e-3},
    {"solver": "lbfgs", "max_iter": 30},
    {"early_stopping": True},
    {"activation": "logistic", "alpha": 0.5},
    {"loss": "poisson", "learning_rate_init": 1e-3},
])
@pytest.mark.parametrize("n_targets", [1, 2])
def test_regressor_weights_equal_sklearn(reg_data, params, n_targets):
    X, y = reg_data
    y = y[:, 0] if n_targets == 1 else y
    if params.get("loss") == "poisson":
        y = np.exp(np.clip(y, -3, 3))
    kw = {"hidden_layer_sizes": (12,), "max_iter": 8, "random_state": 2, **params}
    ours, ref = _fit_both(MLPRegressor, X, y, **kw)
    rtol = 1e-9 if kw.get("solver") == "lbfgs" else 1e-12
    _assert_same_model(ours, ref, rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-9, atol=1e-12)
    assert ours.predict(X).shape == ref.predict(X).shape


def test_lbfgs_classifier_matches_sklearn_and_max_fun(clf_data):
    X, y = clf_data
    ours, ref = _fit_both(MLPClassifier, X, y, solver="lbfgs", hidden_layer_sizes=(10,),
                          max_iter=40, random_state=0)
    # the last bits of the loss differ (summation order), so L-BFGS's iterates drift by ulps
    _assert_same_model(ours, ref, rtol=1e-7, atol=1e-9)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        few = MLPClassifier(solver="lbfgs", max_fun=5, random_state=0).fit(X, y)
    assert few.n_iter_ <= 5 and not hasattr(few, "loss_curve_")


def test_sample_weight_sparse_partial_fit_warm_start_equal_sklearn(clf_data):
    X, y = clf_data
    w = np.random.default_rng(0).uniform(0, 2, len(y))
    kw = {"hidden_layer_sizes": (16,), "max_iter": 5, "random_state": 3}
    _assert_same_model(*_fit_both(MLPClassifier, X, y, fit={"sample_weight": w}, **kw))
    _assert_same_model(*_fit_both(MLPClassifier, X, y, fit={"sample_weight": w},
                                  early_stopping=True, **kw))
    for fmt in (sp.csr_matrix, sp.csc_array):
        ours, ref = _fit_both(MLPClassifier, fmt(X), y, **kw)
        _assert_same_model(ours, ref)
        np.testing.assert_allclose(ours.predict_proba(fmt(X)), ref.predict_proba(X), rtol=1e-10)
    ours, ref = MLPClassifier(**kw), skn.MLPClassifier(**kw)
    for chunk in np.array_split(np.arange(len(y)), 3):
        ours.partial_fit(X[chunk], y[chunk], classes=[0, 1, 2])
        ref.partial_fit(X[chunk], y[chunk], classes=[0, 1, 2])
    _assert_same_model(ours, ref)
    ours, ref = MLPClassifier(warm_start=True, **kw), skn.MLPClassifier(warm_start=True, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours.fit(X, y).fit(X, y)
        ref.fit(X, y).fit(X, y)
    _assert_same_model(ours, ref)
    assert len(ours.loss_curve_) == 10


def test_stopping_rules_equal_sklearn(clf_data):
    X, y = clf_data
    kw = {"hidden_layer_sizes": (16,), "random_state": 0, "max_iter": 300}
    ours, ref = _fit_both(MLPClassifier, X, y, tol=1e-2, n_iter_no_change=3, **kw)
    assert ours.n_iter_ < 300
    _assert_same_model(ours, ref)
    ours, ref = _fit_both(MLPClassifier, X, y, solver="sgd", learning_rate="adaptive",
                          learning_rate_init=0.1, tol=1e-2, n_iter_no_change=2, **kw)
    _assert_same_model(ours, ref)
    assert ours._optimizer.learning_rate == ref._optimizer.learning_rate < 0.1
    ours, ref = _fit_both(MLPClassifier, X, y, early_stopping=True, n_iter_no_change=2,
                          tol=0.05, **kw)
    _assert_same_model(ours, ref)
    assert ours.best_loss_ is None and ours.best_validation_score_ == max(ours.validation_scores_)
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(3\) reached"):
        MLPClassifier(max_iter=3).fit(X, y)


def test_verbose_output_matches_sklearn(clf_data, capsys):
    X, y = clf_data
    kw = {"hidden_layer_sizes": (8,), "max_iter": 30, "random_state": 0, "verbose": True,
          "early_stopping": True, "n_iter_no_change": 2, "tol": 0.05}
    MLPClassifier(**kw).fit(X, y)
    ours = capsys.readouterr().out
    skn.MLPClassifier(**kw).fit(X, y)
    assert ours == capsys.readouterr().out and "Validation score" in ours


# ----------------------------------------------------------------------------- dtypes
@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_float32_stays_float32_and_float64_stays_float64(clf_data, cls, solver):
    X, y = clf_data
    kw = {"hidden_layer_sizes": (16,), "max_iter": 5, "random_state": 0, "solver": solver,
          "learning_rate_init": 1e-3}
    for dtype in (np.float32, np.float64):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est = cls(**kw).fit(X.astype(dtype), y)
        assert all(p.dtype == dtype for p in est.coefs_ + est.intercepts_)
        out = est.predict_proba(X.astype(dtype)) if cls is MLPClassifier else est.predict(X)
        assert out.dtype == dtype
    ref32 = cls(**kw).fit(X.astype(np.float32), y) if solver != "lbfgs" else None
    if ref32 is not None:  # float32 training follows the float64 one closely over 5 epochs
        ref64 = cls(**kw).fit(X, y)
        for a, b in zip(ref32.coefs_, ref64.coefs_):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-4)


def test_float32_close_to_sklearn_float32(clf_data):
    X, y = clf_data
    X = X.astype(np.float32)
    ours, ref = _fit_both(MLPClassifier, X, y, hidden_layer_sizes=(16,), max_iter=5,
                          random_state=0)
    for a, b in zip(ours.coefs_, ref.coefs_):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-5)
    np.testing.assert_allclose(ours.loss_curve_, ref.loss_curve_, rtol=1e-5)


# ----------------------------------------------------------------------------- gradient
@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
@pytest.mark.parametrize("out,loss,k", [("softmax", "log_loss", 3), ("logistic", "log_loss", 2),
                                        ("identity", "squared_error", 2), ("exp", "poisson", 2)])
@pytest.mark.parametrize("weighted", [False, True])
def test_backprop_matches_central_differences(activation, out, loss, k, weighted):
    rng = np.random.default_rng(0)
    units = [4, 5, 3, k]
    X = rng.standard_normal((7, 4))
    if out == "softmax":
        labels = rng.integers(0, k, 7)
        Y = np.eye(k)[labels]
    elif out == "logistic":
        labels, Y = None, (rng.random((7, k)) > 0.5).astype(float)
    else:
        labels, Y = None, rng.uniform(0.5, 2, (7, k))
    sw = rng.uniform(0.5, 2, 7) if weighted else None
    flat = _pack([rng.uniform(-1, 1, (a, b)) for a, b in zip(units[:-1], units[1:])],
                 [rng.uniform(-1, 1, b) for b in units[1:]], np.float64)
    alpha = 0.3
    net = _Network(units, flat, activation, out, loss, alpha, 7)
    n_coef = net.n_coef
    total = 7 if sw is None else sw.sum()

    def objective():
        # scikit-learn's squared error averages over the outputs but its gradient is that of
        # the sum over them (delta = y_hat - y): the gradient of K * data term + L2 term
        l2 = 0.5 * alpha * np.dot(flat[:n_coef], flat[:n_coef]) / total
        scale = k if loss == "squared_error" else 1
        return scale * (net.backprop(X, Y, labels, sw) - l2) + l2

    objective()
    grad = net.grad.copy()
    eps = 1e-6
    numeric = np.empty_like(grad)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        up = objective()
        flat[i] = old - eps
        down = objective()
        flat[i] = old
        numeric[i] = (up - down) / (2 * eps)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7)


# ----------------------------------------------------------------------------- API corners
def _normalized(error):
    """The message with sets in a fixed order (a set's repr depends on string hashing)."""
    return re.sub(r"\{[^{}]*\}", lambda m: str(sorted(m.group(0)[1:-1].split(", "))), str(error))


def test_parameter_errors_are_sklearn_s(clf_data):
    X, y = clf_data
    for bad in ({"solver": "rmsprop"}, {"alpha": -1}, {"batch_size": 0}, {"momentum": 2},
                {"n_iter_no_change": 0}, {"activation": "swish"}, {"max_fun": 0}):
        with pytest.raises(InvalidParameterError) as ours:
            MLPClassifier(**bad).fit(X, y)
        with pytest.raises(InvalidParameterError) as ref:
            skn.MLPClassifier(**bad).fit(X, y)
        assert _normalized(ours.value) == _normalized(ref.value)
    with pytest.raises(ValueError, match=r"hidden_layer_sizes must be > 0, got \[3, 0\]"):
        MLPClassifier(hidden_layer_sizes=(3, 0)).fit(X, y)


def test_partial_fit_rules(clf_data):
    X, y = clf_data
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        MLPClassifier().partial_fit(X, y)
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping=True"):
        MLPClassifier(early_stopping=True).partial_fit(X, y, classes=[0, 1, 2])
    for cls in (MLPClassifier, MLPRegressor):
        est = cls(solver="lbfgs")
        assert not hasattr(est, "partial_fit")
        with pytest.raises(AttributeError, match="has no attribute .partial_fit."):
            est.partial_fit(X, y)
    clf = MLPClassifier(hidden_layer_sizes=(4,), random_state=0).partial_fit(X, y, classes=[0, 1, 2])
    assert clf.n_iter_ == 1 and clf.t_ == len(y)
    with pytest.raises(ValueError, match="`y` has classes not in `self.classes_`"):
        clf.partial_fit(X, y + 5)
    with pytest.raises(ValueError, match="cannot continue training.*fit again with warm_start"):
        clf.set_params(hidden_layer_sizes=(5,)).partial_fit(X, y)


def test_warm_start_refuses_new_classes_and_pickle_round_trip(clf_data):
    X, y = clf_data
    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=3, warm_start=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
        with pytest.raises(ValueError, match="warm_start can only be used where `y` has the same"):
            clf.fit(X, y % 2)
        copy = pickle.loads(pickle.dumps(clf))
        np.testing.assert_array_equal(copy.predict_proba(X), clf.predict_proba(X))
        copy.fit(X, y)  # continues from the unpickled weights, in its own flat buffer
        clf.fit(X, y)
    for a, b in zip(copy.coefs_, clf.coefs_):
        np.testing.assert_array_equal(a, b)


def test_batch_size_larger_than_data_warns_and_clips(clf_data):
    X, y = clf_data
    with pytest.warns(UserWarning, match="It is going to be clipped"):
        ours = MLPClassifier(batch_size=1000, max_iter=2, random_state=0, tol=0,
                             n_iter_no_change=100).fit(X, y)
    with pytest.warns(UserWarning, match="It is going to be clipped"):
        ref = skn.MLPClassifier(batch_size=1000, max_iter=2, random_state=0, tol=0,
                                n_iter_no_change=100).fit(X, y)
    _assert_same_model(ours, ref)


def test_regressor_column_vector_target_warns_like_sklearn(reg_data):
    from sklearn.exceptions import DataConversionWarning

    X, y = reg_data
    with pytest.warns(DataConversionWarning):
        est = MLPRegressor(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(
            X, y[:, :1])
    assert est.predict(X).shape == (len(X),) and est.n_outputs_ == 1


def test_non_finite_weights_raise(clf_data):
    X, y = clf_data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="Solver produced non-finite parameter weights"):
            MLPRegressor(solver="sgd", learning_rate_init=10.0, max_iter=20,
                         random_state=0).fit(X * 1e3, y * 1e6)
