"""Rosenblatt's perceptron: a step unit trained by the perceptron rule.

    y_hat = step(w . x + b)  (1 if w . x + b >= 0 else 0)
    w <- w + lr (y - y_hat) x,   b <- b + lr (y - y_hat)       one sample at a time

The rule converges (an epoch without mistakes) whenever the two classes are linearly separable
(AND, OR); on XOR no line separates them, so it cycles for ever: after ``max_epochs`` the model
warns and sets ``converged_ = False``. NumPy only, scikit-learn's estimator conventions.
"""

from __future__ import annotations

import warnings

import numpy as np

__all__ = ["ConvergenceWarning", "Perceptron"]


class ConvergenceWarning(UserWarning):
    """Training stopped at max_epochs before an epoch without mistakes.

    Examples
    --------
    XOR is not linearly separable, so the perceptron rule never has an epoch without mistakes:

    >>> import warnings
    >>> from lucidnet.models import ConvergenceWarning, Perceptron
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     p = Perceptron(max_epochs=10).fit(X, np.array([0, 1, 1, 0]))
    >>> [w.category.__name__ for w in caught], p.converged_
    (['ConvergenceWarning'], False)
    """


class Perceptron:
    """Binary perceptron with a step activation and Rosenblatt's learning rule.

    Parameters: ``lr`` (eta), ``max_epochs``, ``shuffle`` (visit samples in a new random order
    each epoch), ``random_state`` (seed of that order and of the optional random init),
    ``init`` ("zeros", the classic choice, or "random": small normal weights).

    Fitted attributes: ``coef_`` (n_features,), ``intercept_``, ``classes_`` (the two labels;
    the second one is the positive class), ``errors_`` (mistakes per epoch), ``n_epochs_``,
    ``converged_``.

    Examples
    --------
    >>> from lucidnet.models import Perceptron
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> y = np.array([0, 0, 0, 1])                       # AND: linearly separable
    >>> clf = Perceptron(shuffle=False).fit(X, y)
    >>> clf.predict(X)
    array([0, 0, 0, 1])
    >>> clf.score(X, y)
    1.0
    """

    def __init__(self, lr: float = 1.0, max_epochs: int = 100, shuffle: bool = True,
                 random_state: int | None = None, init: str = "zeros"):
        self.lr = lr
        self.max_epochs = max_epochs
        self.shuffle = shuffle
        self.random_state = random_state
        self.init = init

    def _validate_params(self) -> None:
        if not self.lr > 0:
            raise ValueError(f"Perceptron: lr must be > 0, got {self.lr!r}")
        if not isinstance(self.max_epochs, (int, np.integer)) or self.max_epochs < 1:
            raise ValueError(f"Perceptron: max_epochs must be a positive integer, got "
                             f"{self.max_epochs!r}")
        if self.init not in ("zeros", "random"):
            raise ValueError(f"Perceptron: init must be 'zeros' or 'random', got {self.init!r}")

    @staticmethod
    def _check_X(X, n_features: int | None = None) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[0] == 0:
            raise ValueError(f"Perceptron: X must be a non-empty 2-D array (n_samples, "
                             f"n_features), got shape {X.shape}")
        if not np.all(np.isfinite(X)):
            raise ValueError("Perceptron: X contains NaN or infinity")
        if n_features is not None and X.shape[1] != n_features:
            raise ValueError(f"Perceptron: X has {X.shape[1]} features, but the model was fitted "
                             f"with {n_features}")
        return X

    def fit(self, X, y) -> Perceptron:
        """Run the perceptron rule until an epoch has no mistakes or max_epochs is reached."""
        self._validate_params()
        X = self._check_X(X)
        y = np.asarray(y)
        if y.shape != (X.shape[0],):
            raise ValueError(f"Perceptron: y must have shape ({X.shape[0]},), got {y.shape}")
        self.classes_ = np.unique(y)
        if len(self.classes_) != 2:
            raise ValueError(f"Perceptron is a binary classifier: y needs exactly 2 classes, got "
                             f"{len(self.classes_)} ({self.classes_.tolist()})")
        target = (y == self.classes_[1]).astype(np.float64)
        rng = np.random.default_rng(self.random_state)
        if self.init == "random":
            self.coef_ = rng.normal(0.0, 0.01, X.shape[1])
            self.intercept_ = 0.0
        else:
            self.coef_ = np.zeros(X.shape[1])
            self.intercept_ = 0.0
        self.errors_ = []
        self.converged_ = False
        for epoch in range(self.max_epochs):  # noqa: B007  (read after the loop)
            order = rng.permutation(len(X)) if self.shuffle else np.arange(len(X))
            mistakes = 0
            for i in order:
                y_hat = 1.0 if X[i] @ self.coef_ + self.intercept_ >= 0 else 0.0
                delta = self.lr * (target[i] - y_hat)
                if delta:
                    self.coef_ += delta * X[i]
                    self.intercept_ += delta
                    mistakes += 1
            self.errors_.append(mistakes)
            if mistakes == 0:
                self.converged_ = True
                break
        self.n_epochs_ = epoch + 1
        if not self.converged_:
            warnings.warn(
                f"Perceptron did not converge in {self.max_epochs} epochs ({self.errors_[-1]} "
                "mistakes in the last one): the classes are probably not linearly separable "
                "(e.g. XOR); use a multi-layer network", ConvergenceWarning, stacklevel=2)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise RuntimeError("Perceptron is not fitted yet: call fit(X, y) first")

    def decision_function(self, X) -> np.ndarray:
        """w . x + b for each row of X."""
        self._check_fitted()
        return self._check_X(X, len(self.coef_)) @ self.coef_ + self.intercept_

    def predict(self, X) -> np.ndarray:
        """classes_[step(w . x + b)]."""
        positive = self.decision_function(X) >= 0
        return self.classes_[positive.astype(int)]

    def score(self, X, y) -> float:
        """Accuracy on (X, y)."""
        pred = self.predict(X)
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        if y.shape != pred.shape:       # (n,) == (n, k) would broadcast to an (n, n) table
            raise ValueError(f"Perceptron.score: y must have shape {pred.shape}, got {y.shape}")
        return float(np.mean(pred == y))
