"""`NeuralNetClassifier` and `NeuralNetRegressor`: lucidnet networks behind scikit-learn.

A multi-layer perceptron built with lucidnet and trained by the `Trainer`, behind scikit-learn's
estimator API, so it works in ``Pipeline``, ``GridSearchCV`` and ``cross_val_score``::

    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    clf = make_pipeline(StandardScaler(), NeuralNetClassifier(hidden_layer_sizes=(32,), l2=1e-4,
                                                              dropout=0.1, random_state=0))
    clf.fit(X, y).score(X_test, y_test)

This module is the scikit-learn adapter: it imports scikit-learn (only ``import lucidnet.sklearn``
needs it). float32 input trains (and predicts with) a float32 network, any other input a float64
one; fitting leaves lucidnet's global random generator as it found it. Regression targets are standardized internally (predictions are mapped back).
Which of scikit-learn's estimator checks are skipped, and why: ``docs/sklearn.md``.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from ..autograd.tensor import Tensor, no_grad
from ..nn import Linear, Sequential, get_activation
from ..nn.dropout import Dropout
from ..nn.loss import CrossEntropyLoss, MSELoss
from ..nn.normalization import BatchNorm1d
from ..optim import OPTIMIZERS, get_optimizer
from ..random import get_rng_state, manual_seed, set_rng_state
from ..regularization import L2
from ..train import EarlyStopping, Trainer

__all__ = ["NeuralNetClassifier", "NeuralNetRegressor"]


def _check_param(name, value, kind, low=None, high=None, low_open=False, high_open=False):
    ok = isinstance(value, kind) and not isinstance(value, bool)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        lo = "" if low is None else ("(" if low_open else "[") + f"{low}"
        hi = "" if high is None else f"{high}" + (")" if high_open else "]")
        rng = f" in {lo or '(-inf'}, {hi or 'inf)'}" if (low is not None or high is not None) else ""
        what = "an integer" if kind is numbers.Integral else "a number"
        raise ValueError(f"{name} must be {what}{rng}, got {value!r}")


class _BaseNeuralNet(BaseEstimator):
    """Shared parameters, validation, network construction and the training call."""

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", optimizer="adam", lr=1e-3,
                 epochs=200, batch_size=32, dropout=0.0, l2=0.0, batch_norm=False,
                 early_stopping=False, validation_fraction=0.1, n_iter_no_change=10,
                 random_state=None, verbose=0):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.optimizer = optimizer
        self.lr = lr
        self.epochs = epochs
        self.batch_size = batch_size
        self.dropout = dropout
        self.l2 = l2
        self.batch_norm = batch_norm
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ checks and building
    def _hidden_sizes(self) -> tuple:
        sizes = self.hidden_layer_sizes
        sizes = (sizes,) if isinstance(sizes, numbers.Integral) else tuple(sizes)
        for s in sizes:
            if isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 1:
                raise ValueError(f"hidden_layer_sizes must hold positive integers, got "
                                 f"{self.hidden_layer_sizes!r}")
        return sizes

    def _validate_params(self):
        real = numbers.Real
        _check_param("lr", self.lr, real, 0, low_open=True)
        _check_param("epochs", self.epochs, numbers.Integral, 1)
        _check_param("batch_size", self.batch_size, numbers.Integral, 1)
        _check_param("dropout", self.dropout, real, 0, 1, high_open=True)
        _check_param("l2", self.l2, real, 0)
        _check_param("validation_fraction", self.validation_fraction, real, 0, 1, True, True)
        _check_param("n_iter_no_change", self.n_iter_no_change, numbers.Integral, 1)
        get_activation(self.activation)  # raises with the list of valid names

        if not isinstance(self.optimizer, str) or self.optimizer.lower() not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; valid names: "
                             f"{', '.join(OPTIMIZERS)}")
        return self._hidden_sizes()

    def _build(self, n_in: int, n_out: int, hidden: tuple, dtype=np.float64):
        layers, prev = [], n_in
        for h in hidden:
            layers.append(Linear(prev, h))
            if self.batch_norm:
                layers.append(BatchNorm1d(h))
            layers.append(get_activation(self.activation))
            if self.dropout > 0:
                layers.append(Dropout(float(self.dropout)))
            prev = h
        layers.append(Linear(prev, n_out))
        model = Sequential(*layers)
        return model.float() if np.dtype(dtype) == np.float32 else model.double()

    def _train(self, X, T, n_out, loss, stratify=None):
        """Build and train the network (in X's dtype, float32 or float64) on X and targets T;
        set fitted attributes."""
        hidden = self._validate_params()
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        saved = get_rng_state()
        try:
            manual_seed(seed)
            model = self._build(X.shape[1], n_out, hidden, X.dtype)
            opt = get_optimizer(self.optimizer, model.parameters(), lr=float(self.lr))
            callbacks, validation = [], None
            if self.early_stopping:
                n_val = int(np.ceil(len(X) * self.validation_fraction))
                if n_val < 1 or len(X) - n_val < 1:
                    raise ValueError(f"early_stopping needs a validation split: {len(X)} samples "
                                     f"with validation_fraction={self.validation_fraction}")
                order = np.random.default_rng(seed).permutation(len(X))
                val, train = order[:n_val], order[n_val:]
                validation = (X[val], T[val])
                X, T = X[train], T[train]
                callbacks.append(EarlyStopping("val_loss", patience=int(self.n_iter_no_change),
                                               restore_best_weights=True))
            trainer = Trainer(model, loss, opt, callbacks=callbacks,
                              penalty=L2(float(self.l2)) if self.l2 else None,
                              verbose=1 if self.verbose else 0)
            history = trainer.fit(X, T, epochs=int(self.epochs),
                                  batch_size=min(int(self.batch_size), len(X)),
                                  validation_data=validation, seed=seed)
        finally:
            set_rng_state(saved)
        self.model_ = model
        self.n_iter_ = len(history)
        self.loss_curve_ = list(history["loss"])
        self.validation_scores_ = list(history["val_loss"]) if validation is not None else None
        self.diverged_ = bool(trainer.diverged)

    def _forward(self, X) -> np.ndarray:
        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        dtype = next(iter(self.model_.parameters())).dtype  # the model refuses another dtype
        self.model_.eval()
        with no_grad():
            out = self.model_(Tensor(X.astype(dtype, copy=False))).data
        return out


class NeuralNetClassifier(ClassifierMixin, _BaseNeuralNet):
    """Multi-layer perceptron classifier (softmax output, cross-entropy loss).

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, units per hidden layer (default ``(100,)``)
    activation : "relu", "tanh", "sigmoid", "leaky_relu", ... (lucidnet's activation registry)
    optimizer : "adam", "sgd", "momentum", "nesterov", "rmsprop", "adagrad", "adamw", ...
    lr : learning rate; epochs : passes over the data; batch_size : samples per update
    dropout : dropout probability after each hidden activation
    l2 : L2 penalty strength, ``l2/2 * ||W||^2`` on the weights
    batch_norm : BatchNorm1d after each hidden Linear layer
    early_stopping : hold out ``validation_fraction`` and stop after ``n_iter_no_change`` epochs
        without a lower validation loss, keeping the best weights
    random_state : int, RandomState or None (weights, shuffling, dropout)
    verbose : 0 silent, 1 progress bars

    Attributes
    ----------
    classes_, n_features_in_, feature_names_in_, model_ (the lucidnet network), n_iter_,
    loss_curve_, validation_scores_ (validation loss per epoch with early stopping)

    Examples
    --------
    >>> from lucidnet.data import make_moons
    >>> from lucidnet.sklearn import NeuralNetClassifier
    >>> moons = make_moons(200, noise=0.1, seed=0)
    >>> clf = NeuralNetClassifier((16,), epochs=50, lr=0.01, random_state=0)
    >>> clf.fit(moons.X, moons.y).score(moons.X, moons.y) > 0.9
    True
    >>> clf.classes_, clf.predict_proba(moons.X[:2]).shape
    (array([0, 1]), (2, 2))
    """

    def fit(self, X, y):
        """Train on X (n_samples, n_features) and labels y (any hashable labels). Returns self."""
        X, y = validate_data(self, X, y, dtype=(np.float64, np.float32))
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        self.classes_, encoded = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"NeuralNetClassifier needs samples of at least 2 classes in y, got "
                             f"1 class: {self.classes_[0].item()!r}")
        self._train(X, encoded.astype(np.int64), len(self.classes_), CrossEntropyLoss())
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities (n_samples, n_classes), columns in the order of ``classes_``."""
        z = self._forward(X)
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X) -> np.ndarray:
        """Log class probabilities (n_samples, n_classes): the log-softmax of the network's
        output ``z - max(z) - log(sum(exp(z - max(z))))``, stable where ``log(predict_proba)``
        would give -inf."""
        z = self._forward(X)
        m = z.max(axis=1, keepdims=True)
        return z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))

    def predict(self, X) -> np.ndarray:
        """The most probable class label for each sample."""
        check_is_fitted(self, "model_")
        return self.classes_[np.argmax(self._forward(X), axis=1)]


class NeuralNetRegressor(RegressorMixin, _BaseNeuralNet):
    """Multi-layer perceptron regressor (linear output, mean squared error loss); one or several
    targets. Same parameters as `NeuralNetClassifier`. Targets are standardized for training
    (``y_mean_``, ``y_scale_``) and predictions are returned in the original units.

    Examples
    --------
    >>> from lucidnet.sklearn import NeuralNetRegressor
    >>> X = np.linspace(-1, 1, 100).reshape(-1, 1)
    >>> y = 3 * X[:, 0] + 0.5
    >>> reg = NeuralNetRegressor((16,), epochs=100, lr=0.01, random_state=0).fit(X, y)
    >>> reg.score(X, y) > 0.95, reg.predict(X[:3]).shape
    (True, (3,))
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X, y):
        """Train on X (n_samples, n_features) and y (n_samples,) or (n_samples, n_targets)."""
        X, y = validate_data(self, X, y, dtype=(np.float64, np.float32), multi_output=True,
                             y_numeric=True)
        y = np.asarray(y, dtype=np.float64)
        self._y_ndim = y.ndim
        Y = y.reshape(len(y), -1)
        self.y_mean_ = Y.mean(axis=0)
        scale = Y.std(axis=0)
        self.y_scale_ = np.where(scale > 0, scale, 1.0)
        self._train(X, ((Y - self.y_mean_) / self.y_scale_).astype(X.dtype), Y.shape[1], MSELoss())
        return self

    def predict(self, X) -> np.ndarray:
        """Predictions, shaped like the training targets ((n,) or (n, n_targets))."""
        z = self._forward(X)
        out = (z * self.y_scale_ + self.y_mean_).astype(z.dtype, copy=False)
        return out.ravel() if self._y_ndim == 1 else out
