"""Issue 11 B: lucidnet's estimators and cross_validate in other processes (joblib / loky, Dask).

Every parallel result is compared with the serial one for exact equality: an estimator's result
depends on its ``random_state`` alone, whatever process fits it.
"""

import pickle
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
joblib = pytest.importorskip("joblib")

from sklearn.datasets import load_iris, make_moons  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.model_selection import cross_validate as sk_cross_validate  # noqa: E402

import lucidnet  # noqa: E402
from lucidnet.data import cross_validate  # noqa: E402
from lucidnet.sklearn import (  # noqa: E402
    MLPClassifier,
    MLPRegressor,
    NeuralNetClassifier,
    NeuralNetRegressor,
)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _iris():
    X, y = load_iris(return_X_y=True)
    return (X - X.mean(0)) / X.std(0), y


def _moons():
    return make_moons(120, noise=0.2, random_state=0)


def _estimators():
    return [MLPClassifier((8,), max_iter=20, random_state=0),
            MLPRegressor(hidden_layer_sizes=(8,), max_iter=20, random_state=0),
            NeuralNetClassifier((8,), epochs=3, random_state=0),
            NeuralNetRegressor((8,), epochs=3, random_state=0, dropout=0.1)]


def _fit_for(est):
    X, y = _iris()
    from sklearn.base import is_classifier

    return est.fit(X, y if is_classifier(est) else X[:, 0] + y), X


# ---------------------------------------------------------------- pickling
@pytest.mark.parametrize("dumps,loads", [(pickle.dumps, pickle.loads),
                                         ("cloudpickle", "cloudpickle")],
                         ids=["pickle", "cloudpickle"])
@pytest.mark.parametrize("index", range(4), ids=["MLPC", "MLPR", "NNC", "NNR"])
def test_fitted_estimator_round_trips(index, dumps, loads):
    if dumps == "cloudpickle":
        cp = pytest.importorskip("cloudpickle")
        dumps, loads = cp.dumps, cp.loads
    est, X = _fit_for(_estimators()[index])
    back = loads(dumps(est))
    assert type(back) is type(est)
    assert back.get_params() == est.get_params()
    np.testing.assert_array_equal(back.predict(X), est.predict(X))
    again = loads(dumps(back))  # second trip
    np.testing.assert_array_equal(again.predict(X), est.predict(X))


@pytest.mark.parametrize("index", range(4), ids=["MLPC", "MLPR", "NNC", "NNR"])
def test_unfitted_estimator_round_trips_and_fits_the_same(index):
    est = _estimators()[index]
    back = pickle.loads(pickle.dumps(est))
    a, X = _fit_for(est)
    b, _ = _fit_for(back)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


def test_unpickled_mlp_continues_training_as_the_original():
    """The flat parameter vector is rebuilt after unpickling: partial_fit continues exactly."""
    X, y = _iris()
    est = MLPClassifier((8,), max_iter=5, random_state=0).fit(X, y)
    copy = pickle.loads(pickle.dumps(est))
    est.partial_fit(X, y)
    copy.partial_fit(X, y)
    for a, b in zip(est.coefs_ + est.intercepts_, copy.coefs_ + copy.intercepts_):
        np.testing.assert_array_equal(a, b)
    copy.partial_fit(X, y)
    assert not np.array_equal(copy.coefs_[0], est.coefs_[0])


def test_fit_in_another_process_equals_fit_here():
    X, y = _iris()
    here = [e.fit(X, y) for e in (MLPClassifier((8,), max_iter=10, random_state=3),
                                  NeuralNetClassifier((8,), epochs=2, random_state=3))]
    lucidnet.manual_seed(123)  # the estimators do not depend on the global generator
    there = joblib.Parallel(n_jobs=2, backend="loky")(
        joblib.delayed(e.fit)(X, y) for e in (MLPClassifier((8,), max_iter=10, random_state=3),
                                              NeuralNetClassifier((8,), epochs=2,
                                                                  random_state=3)))
    for a, b in zip(here, there):
        np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def _blas_threads():
    from threadpoolctl import threadpool_info

    return max((p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"),
               default=1)


def test_loky_workers_are_not_oversubscribed():
    """joblib's loky workers cap BLAS threads at cores // n_jobs (no n_jobs x cores threads)."""
    pytest.importorskip("threadpoolctl")
    import os

    cores = os.cpu_count() or 1
    counts = joblib.Parallel(n_jobs=2, backend="loky")(
        joblib.delayed(_blas_threads)() for _ in range(2))
    assert all(c <= max(1, cores // 2) for c in counts), counts


# ---------------------------------------------------------------- scikit-learn's n_jobs
_GRIDS = [
    (MLPClassifier(max_iter=15, random_state=0),
     {"hidden_layer_sizes": [(4,), (8,)], "alpha": [1e-4, 1e-1]}),
    (NeuralNetClassifier(epochs=3, random_state=0),
     {"hidden_layer_sizes": [(4,), (8,)], "lr": [1e-2, 1e-1]}),
]


def _search(est, grid, X, y, n_jobs):
    return GridSearchCV(est, grid, cv=3, n_jobs=n_jobs, return_train_score=True).fit(X, y)


def _assert_same_search(a, b):
    assert a.best_params_ == b.best_params_
    for key in ("mean_test_score", "std_test_score", "mean_train_score",
                "split0_test_score", "split2_test_score"):
        np.testing.assert_array_equal(a.cv_results_[key], b.cv_results_[key])
    assert a.cv_results_["params"] == b.cv_results_["params"]
    X, _ = _moons()
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


@pytest.mark.parametrize("index", range(len(_GRIDS)), ids=["MLPClassifier", "NeuralNetClassifier"])
def test_grid_search_n_jobs_2_equals_serial(index):
    est, grid = _GRIDS[index]
    X, y = _moons()
    serial = _search(est, grid, X, y, 1)
    parallel = _search(est, grid, X, y, 2)
    _assert_same_search(serial, parallel)
    assert serial.best_score_ > 0.6


def test_sklearn_cross_validate_n_jobs_2_equals_serial_regressor():
    X, y = _iris()
    target = X[:, 0] * 2 + y
    est = NeuralNetRegressor((8,), epochs=3, random_state=1)
    a = sk_cross_validate(est, X[:, 1:], target, cv=4, n_jobs=1)
    b = sk_cross_validate(est, X[:, 1:], target, cv=4, n_jobs=2)
    np.testing.assert_array_equal(a["test_score"], b["test_score"])


# ---------------------------------------------------------------- lucidnet.data.cross_validate
def _trainer_model():
    """A model whose weights come from lucidnet's global generator (no random_state of its own)."""

    class Net:
        def fit(self, X, y):
            from lucidnet import nn, optim
            from lucidnet.train import Trainer

            self.model = nn.Sequential(nn.Linear(X.shape[1], 8), nn.ReLU(), nn.Linear(8, 3))
            self.model.double()
            Trainer(self.model, nn.CrossEntropyLoss(),
                    optim.Adam(self.model.parameters(), lr=0.05), verbose=0).fit(
                X, y, epochs=3, batch_size=16)
            return self

        def score(self, X, y):
            with lucidnet.no_grad():
                z = self.model(lucidnet.tensor(X)).data
            return float((z.argmax(1) == y).mean())

    return Net()


@pytest.mark.parametrize("n_jobs", [2, -1])
def test_lucidnet_cross_validate_parallel_equals_serial(n_jobs):
    X, y = _iris()
    make = (lambda: NeuralNetClassifier((8,), epochs=5, lr=0.05, random_state=0))  # noqa: E731
    serial = cross_validate(make, X, y, k=3, seed=0)
    parallel = cross_validate(make, X, y, k=3, seed=0, n_jobs=n_jobs)
    assert serial == parallel
    assert serial["val_mean"] > 0.5


def test_lucidnet_cross_validate_global_generator_models_are_reproducible():
    """Folds seeded from (seed, fold): a model drawing from the global generator gives the same
    scores in workers, serially, twice, and leaves the caller's generator as it was."""
    X, y = _iris()
    lucidnet.manual_seed(7)
    before = lucidnet.random.get_rng_state()
    serial = cross_validate(_trainer_model, X, y, k=3, seed=5)
    assert lucidnet.random.get_rng_state() == before
    again = cross_validate(_trainer_model, X, y, k=3, seed=5)
    parallel = cross_validate(_trainer_model, X, y, k=3, seed=5, n_jobs=2)
    assert serial == again == parallel
    other = cross_validate(_trainer_model, X, y, k=3, seed=6)
    assert other["train_scores"] != serial["train_scores"]


@pytest.mark.parametrize("bad", [0, 1.5, True, "2"])
def test_lucidnet_cross_validate_bad_n_jobs(bad):
    X, y = _iris()
    with pytest.raises(ValueError, match="n_jobs"):
        cross_validate(lambda: NeuralNetClassifier(epochs=1), X, y, k=3, n_jobs=bad)


# ---------------------------------------------------------------- Dask
@pytest.fixture(scope="module")
def dask_client(dask_cluster):
    distributed = pytest.importorskip("distributed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client = distributed.Client(dask_cluster)
    try:
        yield client
    finally:
        client.close()


@pytest.mark.parametrize("index", range(len(_GRIDS)), ids=["MLPClassifier", "NeuralNetClassifier"])
def test_dask_grid_search_equals_serial(dask_client, index):
    est, grid = _GRIDS[index]
    X, y = _moons()
    serial = _search(est, grid, X, y, 1)
    with joblib.parallel_backend("dask"):
        on_dask = _search(est, grid, X, y, None)
    _assert_same_search(serial, on_dask)
    # the work really went to the cluster's worker processes
    assert sum(len(v) for v in dask_client.run(lambda: [1]).values()) == 2


def test_dask_workers_run_one_blas_thread(dask_client):
    pytest.importorskip("threadpoolctl")
    counts = dask_client.run(_blas_threads)
    assert len(counts) == 2 and set(counts.values()) == {1}, counts


def test_dask_lucidnet_cross_validate_equals_serial(dask_client):
    X, y = _iris()
    serial = cross_validate(_trainer_model, X, y, k=3, seed=2)
    with joblib.parallel_backend("dask"):
        on_dask = cross_validate(_trainer_model, X, y, k=3, seed=2)
    assert serial == on_dask
