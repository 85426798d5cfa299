"""Rosenblatt's perceptron (SPEC B3): learns AND and OR, reports failure on XOR."""

import warnings

import numpy as np
import pytest

from lucidnet.models import ConvergenceWarning, Perceptron

X_GATE = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
GATES = {"and": [0, 0, 0, 1], "or": [0, 1, 1, 1], "nand": [1, 1, 1, 0]}


@pytest.mark.parametrize("gate", sorted(GATES))
def test_learns_linearly_separable_gates(gate):
    y = np.array(GATES[gate])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no convergence warning allowed
        model = Perceptron(lr=1.0, max_epochs=100, random_state=0).fit(X_GATE, y)
    assert model.converged_ and model.errors_[-1] == 0
    assert model.n_epochs_ == len(model.errors_) < 100
    np.testing.assert_array_equal(model.predict(X_GATE), y)
    assert model.score(X_GATE, y) == 1.0


def test_rosenblatt_rule_step_by_step_on_and():
    """Without shuffling, the first epoch follows w <- w + lr (y - y_hat) x by hand."""
    y = np.array(GATES["and"])
    model = Perceptron(lr=0.5, max_epochs=1, shuffle=False)
    with pytest.warns(ConvergenceWarning):
        model.fit(X_GATE, y)
    w, b = np.zeros(2), 0.0
    mistakes = 0
    for x, t in zip(X_GATE, y):
        y_hat = float(x @ w + b >= 0)
        if t != y_hat:
            w, b, mistakes = w + 0.5 * (t - y_hat) * x, b + 0.5 * (t - y_hat), mistakes + 1
    np.testing.assert_allclose(model.coef_, w)
    assert model.intercept_ == pytest.approx(b) and model.errors_ == [mistakes]


def test_xor_does_not_converge_and_warns():
    y = np.array([0, 1, 1, 0])
    with pytest.warns(ConvergenceWarning, match="not linearly separable"):
        model = Perceptron(max_epochs=50, random_state=0).fit(X_GATE, y)
    assert not model.converged_ and model.n_epochs_ == 50
    assert min(model.errors_) > 0           # every epoch makes a mistake
    assert model.score(X_GATE, y) < 1.0     # no line separates XOR


def test_agrees_with_sklearn_on_separable_data_and_labels_kept():
    from sklearn.datasets import make_blobs
    from sklearn.linear_model import Perceptron as SkPerceptron

    X, y = make_blobs(200, centers=[[-3, -3], [3, 3]], random_state=0)
    labels = np.array(["cat", "dog"])[y]
    ours = Perceptron(random_state=0).fit(X, labels)
    theirs = SkPerceptron(random_state=0, tol=None, max_iter=100).fit(X, labels)
    assert ours.converged_
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    assert ours.score(X, labels) == theirs.score(X, labels) == 1.0
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


def test_bad_input_raises():
    with pytest.raises(ValueError, match="exactly 2 classes, got 3"):
        Perceptron().fit(X_GATE, [0, 1, 2, 1])
    with pytest.raises(ValueError, match=r"y must have shape \(4,\), got \(3,\)"):
        Perceptron().fit(X_GATE, [0, 1, 1])
    with pytest.raises(ValueError, match="lr must be > 0"):
        Perceptron(lr=0).fit(X_GATE, GATES["and"])
    with pytest.raises(RuntimeError, match="not fitted"):
        Perceptron().predict(X_GATE)
    with pytest.raises(ValueError, match="X has 3 features, but the model was fitted with 2"):
        Perceptron().fit(X_GATE, GATES["or"]).predict(np.ones((2, 3)))
