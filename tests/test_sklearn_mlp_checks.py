"""scikit-learn's estimator checks on lucidnet.sklearn.MLPClassifier / MLPRegressor.

The instances use ``max_iter=100``, the setting scikit-learn's own test suite gives its MLPs.
``check_sample_weight_equivalence_on_dense_data`` (weight 2 == the sample twice) does not hold for
a shuffled minibatch solver, so -- as scikit-learn does for its MLPs -- it runs on its own with
the parameters scikit-learn's suite uses for it (lbfgs; sgd with tol=1e-2).
"""

import pytest

pytest.importorskip("sklearn")

from sklearn.utils.estimator_checks import (
    check_sample_weight_equivalence_on_dense_data,
    parametrize_with_checks,
)

from lucidnet.sklearn import MLPClassifier, MLPRegressor

# Checks scikit-learn itself skips here (they raise SkipTest before testing anything), left out of
# the parametrization rather than reported as skipped, with the reason.
ENVIRONMENT_SKIPS = {
    "check_array_api_input": "needs SCIPY_ARRAY_API=1 and an array-API library; NumPy only",
    "check_classifier_data_not_an_array": "needs pandas, not a lucidnet dependency",
    "check_regressor_data_not_an_array": "needs pandas, not a lucidnet dependency",
    "check_sample_weights_pandas_series": "needs pandas, not a lucidnet dependency",
    "check_classifiers_multilabel_output_format_decision_function":
        "MLPClassifier has no decision_function (as scikit-learn's)",
}
RUN_SEPARATELY = {"check_sample_weight_equivalence_on_dense_data"}


def _check_name(param):
    check = (param.values if hasattr(param, "values") else param)[1]
    return getattr(check, "func", check).__name__


_ALL = parametrize_with_checks([MLPClassifier(max_iter=100), MLPRegressor(max_iter=100)])
_CHECKS = pytest.mark.parametrize(
    _ALL.args[0],
    [p for p in _ALL.args[1] if _check_name(p) not in set(ENVIRONMENT_SKIPS) | RUN_SEPARATELY],
    **_ALL.kwargs)


@_CHECKS
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", [
    MLPClassifier(solver="lbfgs"),
    MLPRegressor(solver="sgd", tol=1e-2, random_state=42),
], ids=["classifier-lbfgs", "regressor-sgd"])
def test_sample_weight_equivalence_on_dense_data(estimator):
    check_sample_weight_equivalence_on_dense_data(type(estimator).__name__, estimator)


def test_every_excluded_check_exists():
    names = {_check_name(p) for p in _ALL.args[1]}
    assert set(ENVIRONMENT_SKIPS) | RUN_SEPARATELY <= names
