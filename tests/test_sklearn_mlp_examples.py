"""scikit-learn's MLP examples, run with lucidnet.sklearn.MLPClassifier beside scikit-learn's.

- "Varying regularization in Multi-layer Perceptron" (plot_mlp_alpha): moons, circles and a
  noisy linearly separable set, ``alpha`` in ``logspace(-1, 1, 5)``, hidden (10, 10), lbfgs.
- "Visualization of MLP weights on MNIST" (plot_mnist_filters): hidden (40,), sgd with
  ``learning_rate_init=0.2``, 8 epochs -- on the real MNIST test digits (first 8,000 to train,
  last 2,000 to test) from ``shared/data/mnist-t10k``.

Over several seeds the test accuracies must agree with scikit-learn's within noise, and strong
regularization (alpha = 1) must not fall to chance.
"""

import warnings
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn import neural_network as skn
from sklearn.datasets import make_circles, make_classification, make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from lucidnet.data import load_dataset
from lucidnet.sklearn import MLPClassifier

MNIST_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist-t10k"
if not MNIST_DIR.exists():
    MNIST_DIR = Path("/work/shared/data/mnist-t10k")
ALPHAS = np.logspace(-1, 1, 5)
SEEDS = (1, 2, 3)


def _alpha_datasets():
    X, y = make_classification(n_features=2, n_redundant=0, n_informative=2, random_state=0,
                               n_clusters_per_class=1)
    X += 2 * np.random.RandomState(2).uniform(size=X.shape)
    sets = {"moons": make_moons(noise=0.3, random_state=0),
            "circles": make_circles(noise=0.2, factor=0.5, random_state=1),
            "linearly_separable": (X, y)}
    out = {}
    for name, (X, y) in sets.items():
        X = StandardScaler().fit_transform(X)
        out[name] = train_test_split(X, y, test_size=0.4, random_state=42)
    return out


@pytest.mark.parametrize("solver", ["lbfgs", pytest.param("adam", marks=pytest.mark.slow)])
def test_alpha_sweep_scores_match_sklearn(solver):
    kw = {"solver": solver, "hidden_layer_sizes": (10, 10),
          "max_iter": 2000 if solver == "lbfgs" else 1000}
    gaps, ours_by_alpha = [], {a: [] for a in ALPHAS}
    for name, (X_tr, X_te, y_tr, y_te) in _alpha_datasets().items():
        for alpha in ALPHAS:
            for seed in SEEDS:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    ours = MLPClassifier(alpha=alpha, random_state=seed, **kw).fit(X_tr, y_tr)
                    ref = skn.MLPClassifier(alpha=alpha, random_state=seed, **kw).fit(X_tr, y_tr)
                s_ours, s_ref = ours.score(X_te, y_te), ref.score(X_te, y_te)
                gaps.append(abs(s_ours - s_ref))
                ours_by_alpha[alpha].append(s_ours)
                assert abs(s_ours - s_ref) <= 0.1, (name, alpha, seed, s_ours, s_ref)
    # 40 test points: one point is 0.025; the mean gap is at most one point
    assert np.mean(gaps) <= 0.025
    for alpha in ALPHAS[:3]:  # alpha in {0.1, 0.32, 1}: far from chance (0.5) on every set
        assert min(ours_by_alpha[alpha]) >= 0.75, (alpha, ours_by_alpha[alpha])
    assert np.mean(ours_by_alpha[1.0]) >= 0.85


@pytest.fixture(scope="module")
def digits():
    if not MNIST_DIR.exists():
        pytest.skip(f"MNIST t10k files not found at {MNIST_DIR}")
    data = load_dataset("mnist", path=MNIST_DIR)  # float32 in [0, 1]
    X, y = data.X, data.y
    return X[:8000], X[8000:], y[:8000], y[8000:]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_mnist_filters_example_matches_sklearn(digits, dtype):
    X_tr, X_te, y_tr, y_te = (a.astype(dtype) if a.dtype.kind == "f" else a for a in digits)
    kw = {"hidden_layer_sizes": (40,), "max_iter": 8, "alpha": 1e-4, "solver": "sgd",
          "learning_rate_init": 0.2}
    scores = []
    for seed in SEEDS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            ours = MLPClassifier(random_state=seed, **kw).fit(X_tr, y_tr)
            ref = skn.MLPClassifier(random_state=seed, **kw).fit(X_tr, y_tr)
        assert ours.coefs_[0].dtype == dtype
        s_ours, s_ref = ours.score(X_te, y_te), ref.score(X_te, y_te)
        scores.append(s_ours)
        if dtype == np.float64:  # same draws, same operations: the same network
            for a, b in zip(ours.coefs_ + ours.intercepts_, ref.coefs_ + ref.intercepts_):
                np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-11)
            np.testing.assert_allclose(ours.loss_curve_, ref.loss_curve_, rtol=1e-10)
        else:  # float32 rounding drifts, the accuracy stays within noise (2,000 digits)
            assert abs(s_ours - s_ref) <= 0.015, (seed, s_ours, s_ref)
    assert min(scores) >= 0.9
