"""`MLPClassifier` and `MLPRegressor`: drop-in replacements for scikit-learn's perceptrons.

Same parameters, defaults, random streams, updates, stopping rules and fitted attributes as
``sklearn.neural_network.MLPClassifier`` / ``MLPRegressor`` (scikit-learn 1.9); what differs is
how a step is computed:

- every weight matrix and bias vector is a view into one flat parameter vector, every gradient a
  view into one flat gradient vector, so the L2 term, the division by the batch weight and the
  whole Adam / SGD update are a handful of NumPy calls on two vectors, in place;
- the batch, the activations, the deltas and the derivative temporaries live in buffers allocated
  once per ``fit`` (matrix products write into them with ``out=``);
- float32 input is trained in float32 (float32 ``coefs_``), float64 in float64.

With the same ``random_state`` the initial weights, the shuffles and the early-stopping split are
drawn from the same `numpy.random.RandomState` calls as scikit-learn's, and each floating-point
operation of a step is the one scikit-learn does (same operands, same order), so in float64 the
weights after some epochs agree with scikit-learn's to rounding.
"""

from __future__ import annotations

import math
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from scipy.special import expit, xlogy
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state, gen_batches, shuffle
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import _check_partial_fit_first_call, type_of_target, unique_labels
from sklearn.utils.optimize import _check_optimize_result
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from ..threads import THREADED_MIN_WORK, blas_threads

__all__ = ["MLPClassifier", "MLPRegressor"]

_STOCHASTIC_SOLVERS = ("sgd", "adam")


# --------------------------------------------------------------------------- activations
# Each activation works in place on the pre-activation z; its derivative multiplies the
# back-propagated delta in place, written from the activation's *output* a (as scikit-learn does).
def _identity(z):
    pass


def _logistic(z):
    expit(z, out=z)


def _tanh(z):
    np.tanh(z, out=z)


def _relu(z):
    np.maximum(z, 0, out=z)


def _softmax(z):
    np.subtract(z, z.max(axis=1, keepdims=True), out=z)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)


def _exp(z):
    np.exp(z, out=z)


_ACTIVATIONS = {"identity": _identity, "logistic": _logistic, "tanh": _tanh, "relu": _relu,
                "softmax": _softmax, "exp": _exp}


def _identity_derivative(a, delta, scratch):
    pass


def _logistic_derivative(a, delta, scratch):  # sigma' = a (1 - a)
    delta *= a
    np.subtract(1, a, out=scratch)
    delta *= scratch


def _tanh_derivative(a, delta, scratch):  # tanh' = 1 - a^2
    np.multiply(a, a, out=scratch)
    np.subtract(1, scratch, out=scratch)
    delta *= scratch


def _relu_derivative(a, delta, scratch):  # relu' = [a > 0]
    # a multiply by the mask: ~14x faster than scikit-learn's ``delta[a == 0] = 0``, same values
    np.multiply(delta, a > 0, out=delta)


_DERIVATIVES = {"identity": _identity_derivative, "logistic": _logistic_derivative,
                "tanh": _tanh_derivative, "relu": _relu_derivative}


# --------------------------------------------------------------------------- parameter layout
def _layout(units):
    """(start, stop, shape) of every weight matrix, then of every bias vector, in one flat vector
    (scikit-learn's ``_pack`` order: all coefs, then all intercepts)."""
    coefs, intercepts, start = [], [], 0
    for fan_in, fan_out in zip(units[:-1], units[1:]):
        coefs.append((start, start + fan_in * fan_out, (fan_in, fan_out)))
        start += fan_in * fan_out
    for fan_out in units[1:]:
        intercepts.append((start, start + fan_out, (fan_out,)))
        start += fan_out
    return coefs, intercepts, start


def _views(flat, units):
    coefs, intercepts, _ = _layout(units)
    return ([flat[a:b].reshape(s) for a, b, s in coefs],
            [flat[a:b] for a, b, _ in intercepts])


def _pack(coefs, intercepts, dtype):
    flat = np.empty(sum(c.size for c in coefs) + sum(b.size for b in intercepts), dtype=dtype)
    start = 0
    for p in list(coefs) + list(intercepts):
        flat[start:start + p.size] = np.ravel(p)
        start += p.size
    return flat


class _Network:
    """Forward and backward passes of one MLP over preallocated buffers.

    ``flat`` holds the parameters (``coefs`` / ``intercepts`` are views into it), ``grad`` their
    gradients; the activation, delta and scratch buffers hold ``batch_size`` rows and a smaller
    batch uses their leading rows.
    """

    def __init__(self, units, flat, activation, out_activation, loss, alpha, batch_size):
        dtype = flat.dtype
        self.units, self.flat, self.alpha = units, flat, alpha
        self.n_coef = _layout(units)[2] - sum(units[1:])
        self.coefs, self.intercepts = _views(flat, units)
        self.grad = np.empty_like(flat)
        self.coef_grads, self.intercept_grads = _views(self.grad, units)
        self.hidden, self.derivative = _ACTIVATIONS[activation], _DERIVATIVES[activation]
        self.output, self.loss_name = _ACTIVATIONS[out_activation], loss
        self.acts = [np.empty((batch_size, u), dtype) for u in units[1:]]
        self.deltas = [np.empty((batch_size, u), dtype) for u in units[1:]]
        self.scratch = [np.empty((batch_size, u), dtype) for u in units[1:-1]]
        self.coef_scratch = np.empty(self.n_coef, dtype) if alpha else None
        self.rows = np.arange(batch_size)

    def forward(self, X, m):
        """Activations of every layer for the first ``m`` rows; returns the output layer's."""
        a = X
        last = len(self.coefs) - 1
        for i, (W, b) in enumerate(zip(self.coefs, self.intercepts)):
            z = self.acts[i][:m]
            if sp.issparse(a):
                z[...] = a @ W
            else:
                np.matmul(a, W, out=z)
            z += b
            (self.output if i == last else self.hidden)(z)
            a = z
        return a

    def backprop(self, X, Y, labels, sample_weight):
        """Loss of the batch (data term + L2 term) and its gradient in ``self.grad``.

        ``Y`` is the target matrix in the network's dtype; ``labels`` the class index of each row
        for a softmax output (else None); ``sample_weight`` None or one weight per row.
        """
        m = X.shape[0]
        out = self.forward(X, m)
        last = len(self.coefs) - 1
        delta = self.deltas[last][:m]
        np.subtract(out, Y, out=delta)  # canonical link: d loss / d z = a - y
        loss = self._data_loss(out, Y, delta, labels, sample_weight, m)
        sw_sum = m if sample_weight is None else sample_weight.sum()
        values = np.dot(self.flat[:self.n_coef], self.flat[:self.n_coef])
        loss += (0.5 * self.alpha) * values / sw_sum
        if sample_weight is not None:
            delta *= sample_weight.reshape(-1, 1)
        for i in range(last, -1, -1):
            a = X if i == 0 else self.acts[i - 1][:m]
            if sp.issparse(a):
                self.coef_grads[i][...] = a.T @ delta
            else:
                np.matmul(a.T, delta, out=self.coef_grads[i])
            np.sum(delta, axis=0, out=self.intercept_grads[i])
            if i > 0:
                below = self.deltas[i - 1][:m]
                np.matmul(delta, self.coefs[i].T, out=below)
                self.derivative(a, below, self.scratch[i - 1][:m])
                delta = below
        if self.alpha:
            np.multiply(self.flat[:self.n_coef], self.alpha, out=self.coef_scratch)
            self.grad[:self.n_coef] += self.coef_scratch
        self.grad /= sw_sum
        return float(loss)

    def _data_loss(self, out, Y, delta, labels, sw, m):
        """log_loss (softmax), binary log_loss (logistic), half squared error or half Poisson
        deviance, averaged over the (weighted) rows and summed over the outputs."""
        name = self.loss_name
        if name == "squared_error":
            sq = np.square(delta)
            per_row = sq.sum(axis=1)
            total = per_row.sum() if sw is None else np.dot(sw, per_row)
            return 0.5 * total / ((m if sw is None else sw.sum()) * delta.shape[1])
        if name == "poisson":
            terms = xlogy(Y, Y / out) - Y + out
            return np.average(terms, weights=sw, axis=0).sum()
        eps = np.finfo(out.dtype).eps
        if self.output is _softmax:
            p = np.clip(out[self.rows[:m], labels], eps, 1 - eps)
        else:  # logistic outputs: one Bernoulli per column
            p = np.clip(out, eps, 1 - eps)
            p = np.where(Y > 0.5, p, 1 - p)
        logs = np.log(p)
        if logs.ndim == 2:
            logs = logs.sum(axis=1)
        return -(logs.sum() / m if sw is None else np.dot(sw, logs) / sw.sum())


# --------------------------------------------------------------------------- optimizers
class _FlatOptimizer:
    """scikit-learn's ``BaseOptimizer`` on one flat parameter vector, updated in place."""

    def __init__(self, learning_rate_init):
        self.learning_rate_init = learning_rate_init
        self.learning_rate = float(learning_rate_init)
        self._buffers = None

    def _scratch(self, like):
        if self._buffers is None or self._buffers[0].shape != like.shape \
                or self._buffers[0].dtype != like.dtype:
            self._buffers = (np.empty_like(like), np.empty_like(like))
        return self._buffers

    def __getstate__(self):  # scratch buffers are not state
        state = dict(self.__dict__)
        state["_buffers"] = None
        return state

    def iteration_ends(self, time_step):
        pass

    def trigger_stopping(self, msg, verbose):
        if verbose:
            print(msg + " Stopping.")
        return True


class _SGDOptimizer(_FlatOptimizer):
    """v <- momentum * v - lr * g; theta <- theta + v, or with Nesterov's momentum
    theta <- theta + momentum * v - lr * g (the new v); lr per ``lr_schedule``."""

    def __init__(self, params, learning_rate_init=0.1, lr_schedule="constant", momentum=0.9,
                 nesterov=True, power_t=0.5):
        super().__init__(learning_rate_init)
        self.lr_schedule, self.momentum = lr_schedule, momentum
        self.nesterov, self.power_t = nesterov, power_t
        self.velocities = np.zeros_like(params)

    def update_params(self, params, grad):
        step, update = self._scratch(params)
        v = self.velocities
        v *= self.momentum
        np.multiply(grad, self.learning_rate, out=step)
        v -= step
        if self.nesterov:
            np.multiply(v, self.momentum, out=update)
            update -= step
            params += update
        else:
            params += v

    def iteration_ends(self, time_step):
        if self.lr_schedule == "invscaling":
            self.learning_rate = float(self.learning_rate_init) / (time_step + 1) ** self.power_t

    def trigger_stopping(self, msg, verbose):
        if self.lr_schedule != "adaptive":
            return super().trigger_stopping(msg, verbose)
        if self.learning_rate <= 1e-6:
            if verbose:
                print(msg + " Learning rate too small. Stopping.")
            return True
        self.learning_rate /= 5.0
        if verbose:
            print(f"{msg} Setting learning rate to {self.learning_rate:f}")
        return False


class _AdamOptimizer(_FlatOptimizer):
    """m <- b1 m + (1 - b1) g; v <- b2 v + (1 - b2) g^2;
    theta <- theta - lr_t m / (sqrt(v) + eps) with lr_t = lr sqrt(1 - b2^t) / (1 - b1^t)."""

    def __init__(self, params, learning_rate_init=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        super().__init__(learning_rate_init)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.t = 0
        self.ms = np.zeros_like(params)
        self.vs = np.zeros_like(params)

    def update_params(self, params, grad):
        tmp, update = self._scratch(params)
        self.t += 1
        m, v = self.ms, self.vs
        m *= self.beta_1
        np.multiply(grad, 1 - self.beta_1, out=tmp)
        m += tmp
        v *= self.beta_2
        np.multiply(grad, grad, out=tmp)
        tmp *= 1 - self.beta_2
        v += tmp
        self.learning_rate = (self.learning_rate_init * math.sqrt(1 - self.beta_2 ** self.t)
                              / (1 - self.beta_1 ** self.t))
        np.sqrt(v, out=tmp)
        tmp += self.epsilon
        np.multiply(m, -self.learning_rate, out=update)
        update /= tmp
        params += update


# --------------------------------------------------------------------------- estimators
class _BaseMLP(BaseEstimator):
    """Shared parameters, initialization, solvers and stopping rules (scikit-learn's
    ``BaseMultilayerPerceptron``)."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions({"identity", "logistic", "tanh", "relu"})],
        "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, hidden_layer_sizes, activation, *, solver, alpha, batch_size, learning_rate,
                 learning_rate_init, power_t, max_iter, shuffle, random_state, tol, verbose,
                 warm_start, momentum, nesterovs_momentum, early_stopping, validation_fraction,
                 beta_1, beta_2, epsilon, n_iter_no_change, max_fun):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun

    _loss_name = "log_loss"  # the regressor's ``loss`` parameter overrides it

    # ------------------------------------------------------------------ set-up
    def _initialize(self, y, layer_units, dtype):
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = y.shape[1]
        self.n_layers_ = len(layer_units)
        if not isinstance(self, ClassifierMixin):
            self.out_activation_ = "exp" if self._loss() == "poisson" else "identity"
        elif self._label_binarizer.y_type_ == "multiclass":
            self.out_activation_ = "softmax"
        else:  # binary and multilabel: one logistic unit per column
            self.out_activation_ = "logistic"
        self.coefs_, self.intercepts_ = [], []
        for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:]):
            coef, intercept = self._init_coef(fan_in, fan_out, dtype)
            self.coefs_.append(coef)
            self.intercepts_.append(intercept)
        self._best_coefs = [c.copy() for c in self.coefs_]
        self._best_intercepts = [b.copy() for b in self.intercepts_]
        if self.solver in _STOCHASTIC_SOLVERS:
            self._reset_stochastic_state()

    def _reset_stochastic_state(self):
        self.loss_curve_ = []
        self._no_improvement_count = 0
        if self.early_stopping:
            self.validation_scores_ = []
            self.best_validation_score_ = -np.inf
            self.best_loss_ = None
        else:
            self.best_loss_ = np.inf
            self.validation_scores_ = None
            self.best_validation_score_ = None

    def _init_coef(self, fan_in, fan_out, dtype):
        # Glorot & Bengio's uniform bound sqrt(6 / (fan_in + fan_out)); 2 instead of 6 for the
        # logistic, drawn (in float64, weights then biases) from the same RandomState calls
        factor = 2.0 if self.activation == "logistic" else 6.0
        bound = np.sqrt(factor / (fan_in + fan_out))
        coef = self._random_state.uniform(-bound, bound, (fan_in, fan_out))
        intercept = self._random_state.uniform(-bound, bound, fan_out)
        return coef.astype(dtype, copy=False), intercept.astype(dtype, copy=False)

    def _loss(self):
        return getattr(self, "loss", self._loss_name)

    def _network(self, flat, units, batch_size):
        return _Network(units, flat, self.activation, self.out_activation_, self._loss(),
                        float(self.alpha), batch_size)

    # ------------------------------------------------------------------ fitting
    def _fit(self, X, y, sample_weight=None, incremental=False):
        hidden = self.hidden_layer_sizes
        if not hasattr(hidden, "__iter__"):
            hidden = [hidden]
        hidden = list(hidden)
        if np.any(np.array(hidden) <= 0):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {hidden}.")
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        X, y = self._validate_input(X, y, incremental, reset=first_pass)
        if y.ndim == 1:
            y = y.reshape((-1, 1))
        self.n_outputs_ = y.shape[1]
        units = [X.shape[1]] + [int(h) for h in hidden] + [self.n_outputs_]
        self._random_state = check_random_state(self.random_state)
        if first_pass:
            self._initialize(y, units, X.dtype)
        shapes = [tuple(c.shape) for c in self.coefs_]
        if shapes != list(zip(units[:-1], units[1:])):
            raise ValueError(f"cannot continue training (warm_start / partial_fit): the fitted "
                             f"weights have shapes {shapes} but hidden_layer_sizes={hidden} with "
                             f"{units[0]} features and {units[-1]} outputs needs "
                             f"{list(zip(units[:-1], units[1:]))}; fit again with warm_start=False")
        dtype = self.coefs_[0].dtype  # a continued fit keeps the dtype of the first one
        X = X.astype(dtype, copy=False)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=dtype)
        flat = _pack(self.coefs_, self.intercepts_, dtype)
        self.coefs_, self.intercepts_ = _views(flat, units)
        # products of a mini-batch with one layer this small lose more to the hand-off to a
        # second BLAS thread than they gain (3-60x slower measured on shared cores)
        batch = X.shape[0] if self.solver == "lbfgs" else min(200, X.shape[0])
        if self.solver != "lbfgs" and isinstance(self.batch_size, Integral):
            batch = min(int(self.batch_size), X.shape[0])
        work = max(batch * a * b for a, b in zip(units[:-1], units[1:]))
        with blas_threads(1 if work < THREADED_MIN_WORK else None):
            if self.solver in _STOCHASTIC_SOLVERS:
                if not hasattr(self, "loss_curve_"):  # a warm start after an lbfgs fit
                    self._reset_stochastic_state()
                self._fit_stochastic(X, y, sample_weight, flat, units, incremental)
            else:
                self._fit_lbfgs(X, y, sample_weight, flat, units)
        if not all(np.isfinite(w).all() for w in self.coefs_ + self.intercepts_):
            raise ValueError("Solver produced non-finite parameter weights. The input data may"
                             " contain large values and need to be preprocessed.")
        return self

    def _targets(self, y, dtype):
        """The target matrix in the network's dtype and, for a softmax output, class indices."""
        Y = np.ascontiguousarray(y, dtype=dtype)
        labels = Y.argmax(axis=1) if self.out_activation_ == "softmax" else None
        return Y, labels

    def _fit_lbfgs(self, X, y, sample_weight, flat, units):
        import scipy.optimize

        Y, labels = self._targets(y, flat.dtype)
        net = self._network(flat, units, X.shape[0])

        def loss_and_grad(x):
            flat[...] = x
            loss = net.backprop(X, Y, labels, sample_weight)
            return loss, net.grad.astype(np.float64)

        result = scipy.optimize.minimize(
            loss_and_grad, flat.astype(np.float64), method="L-BFGS-B", jac=True,
            options={"maxfun": self.max_fun, "maxiter": self.max_iter, "gtol": self.tol})
        self.n_iter_ = _check_optimize_result("lbfgs", result, self.max_iter)
        self.loss_ = float(result.fun)
        flat[...] = result.x

    def _make_optimizer(self, flat):
        if self.solver == "sgd":
            return _SGDOptimizer(flat, self.learning_rate_init, self.learning_rate, self.momentum,
                                 self.nesterovs_momentum, self.power_t)
        return _AdamOptimizer(flat, self.learning_rate_init, self.beta_1, self.beta_2,
                              self.epsilon)

    def _split_validation(self, X, y, sample_weight):
        """scikit-learn's early-stopping split: ``train_test_split`` on the same RandomState,
        stratified when there is one output column (binary classification)."""
        stratify = y if isinstance(self, ClassifierMixin) and self.n_outputs_ == 1 else None
        arrays = (X, y) if sample_weight is None else (X, y, sample_weight)
        parts = train_test_split(*arrays, random_state=self._random_state,
                                 test_size=self.validation_fraction, stratify=stratify)
        X_train, X_val, y_train, y_val = parts[:4]
        sw_train, sw_val = parts[4:] if sample_weight is not None else (None, None)
        if X_val.shape[0] < 2:
            raise ValueError("The validation set is too small. Increase 'validation_fraction' "
                             "or the size of your dataset.")
        if isinstance(self, ClassifierMixin):
            y_val = self._label_binarizer.inverse_transform(y_val)
        return X_train, X_val, y_train, y_val, sw_train, sw_val

    def _fit_stochastic(self, X, y, sample_weight, flat, units, incremental):
        if not incremental or getattr(self, "_optimizer", None) is None:
            self._optimizer = self._make_optimizer(flat)
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        early_stopping = self.early_stopping
        if early_stopping:
            X_train, X_val, y_train, y_val, sw_train, sw_val = self._split_validation(
                X, y, sample_weight)
        else:
            X_train, y_train, sw_train = X, y, sample_weight
            X_val = y_val = sw_val = None
        n_samples = X_train.shape[0]
        sample_idx = np.arange(n_samples, dtype=int)
        if self.batch_size == "auto":
            batch_size = min(200, n_samples)
        else:
            if self.batch_size > n_samples:
                warnings.warn("Got `batch_size` less than 1 or larger than "
                              "sample size. It is going to be clipped", stacklevel=3)
            batch_size = int(np.clip(self.batch_size, 1, n_samples))

        Y_train, labels = self._targets(y_train, flat.dtype)
        net = self._network(flat, units, batch_size)
        dense = not sp.issparse(X_train)
        if self.shuffle:
            X_buf = np.empty((batch_size, X_train.shape[1]), flat.dtype) if dense else None
            Y_buf = np.empty((batch_size, Y_train.shape[1]), flat.dtype)
        optimizer = self._optimizer
        try:
            self.n_iter_ = 0
            for _ in range(self.max_iter):
                if self.shuffle:
                    sample_idx = shuffle(sample_idx, random_state=self._random_state)
                accumulated_loss = 0.0
                for batch in gen_batches(n_samples, batch_size):
                    if self.shuffle:
                        idx = sample_idx[batch]
                        m = len(idx)
                        X_batch = (np.take(X_train, idx, axis=0, out=X_buf[:m], mode="clip")
                                   if dense else X_train[idx])
                        Y_batch = np.take(Y_train, idx, axis=0, out=Y_buf[:m], mode="clip")
                    else:
                        idx = batch
                        X_batch, Y_batch = X_train[batch], Y_train[batch]
                    batch_loss = net.backprop(
                        X_batch, Y_batch, None if labels is None else labels[idx],
                        None if sw_train is None else sw_train[idx])
                    accumulated_loss += batch_loss * (batch.stop - batch.start)
                    optimizer.update_params(flat, net.grad)

                self.n_iter_ += 1
                self.loss_ = accumulated_loss / X_train.shape[0]
                self.t_ += n_samples
                self.loss_curve_.append(self.loss_)
                if self.verbose:
                    print(f"Iteration {self.n_iter_}, loss = {self.loss_:.8f}")
                self._update_no_improvement_count(early_stopping, X_val, y_val, sw_val)
                optimizer.iteration_ends(self.t_)
                if self._no_improvement_count > self.n_iter_no_change:
                    if early_stopping:
                        msg = (f"Validation score did not improve more than tol={self.tol:f} "
                               f"for {self.n_iter_no_change:d} consecutive epochs.")
                    else:
                        msg = (f"Training loss did not improve more than tol={self.tol:f} "
                               f"for {self.n_iter_no_change:d} consecutive epochs.")
                    if optimizer.trigger_stopping(msg, self.verbose):
                        break
                    self._no_improvement_count = 0
                if incremental:
                    break
                if self.n_iter_ == self.max_iter:
                    warnings.warn(f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) "
                                  "reached and the optimization hasn't converged yet.",
                                  ConvergenceWarning, stacklevel=3)
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.", stacklevel=3)
        if early_stopping:  # the weights of the best validation score
            self.coefs_ = self._best_coefs
            self.intercepts_ = self._best_intercepts

    def _update_no_improvement_count(self, early_stopping, X_val, y_val, sw_val):
        if early_stopping:
            score = self._score(X_val, y_val, sample_weight=sw_val)  # may be nan
            self.validation_scores_.append(score)
            if self.verbose:
                print(f"Validation score: {self.validation_scores_[-1]:f}")
            if score < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_coefs = [c.copy() for c in self.coefs_]
                self._best_intercepts = [b.copy() for b in self.intercepts_]
        else:
            if self.loss_curve_[-1] > self.best_loss_ - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if self.loss_curve_[-1] < self.best_loss_:
                self.best_loss_ = self.loss_curve_[-1]

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model to data matrix X and target(s) y.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            The input data (float32 is trained in float32, anything else in float64).
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The target values (class labels in classification, real numbers in regression).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : object
            The trained model.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    def _check_solver(self):
        if self.solver not in _STOCHASTIC_SOLVERS:
            raise AttributeError("partial_fit is only available for stochastic optimizers. "
                                 f"{self.solver} is not stochastic.")
        return True

    # ------------------------------------------------------------------ prediction
    def _forward_pass_fast(self, X, check_input=True):
        """Output-layer activations (n_samples, n_outputs), computed in the weights' dtype."""
        dtype = self.coefs_[0].dtype
        if check_input:
            X = validate_data(self, X, accept_sparse=["csr", "csc"], reset=False, dtype=dtype)
        else:
            X = X.astype(dtype, copy=False)
        a = X
        last = len(self.coefs_) - 1
        for i, (W, b) in enumerate(zip(self.coefs_, self.intercepts_)):
            a = a @ W
            if sp.issparse(a):
                a = a.toarray()
            a += b
            _ACTIVATIONS[self.out_activation_ if i == last else self.activation](a)
        return a

    def _score_with_function(self, X, y, sample_weight, score_function):
        y_pred = self._predict(X, check_input=False)
        if np.issubdtype(y_pred.dtype, np.floating) and not np.isfinite(y_pred).all():
            return np.nan
        return score_function(y, y_pred, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


_PARAMETERS_DOC = """
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        Units of each hidden layer (an int is one layer; ``()`` is a linear model).
    activation : {'identity', 'logistic', 'tanh', 'relu'}, default='relu'
        Hidden activation: ``x``, ``1 / (1 + exp(-x))``, ``tanh(x)``, ``max(0, x)``.
    solver : {'lbfgs', 'sgd', 'adam'}, default='adam'
        'lbfgs': scipy's L-BFGS-B on the full-batch loss; 'sgd': minibatch SGD with momentum;
        'adam': minibatch Adam.
    alpha : float, default=0.0001
        L2 strength: ``alpha / (2 * sum(w)) * sum_l ||W_l||^2`` is added to each (mini)batch loss,
        ``sum(w)`` the batch's sample weight (its size when unweighted); biases are not penalized.
    batch_size : int or 'auto', default='auto'
        Minibatch size of the stochastic solvers; 'auto' is ``min(200, n_samples)``.
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Schedule of the 'sgd' step: constant ``learning_rate_init``; ``learning_rate_init /
        (t + 1)^power_t`` with ``t`` the samples seen (set after each epoch); or divided by 5
        whenever ``n_iter_no_change`` epochs in a row miss the ``tol`` improvement.
    learning_rate_init : float, default=0.001
        Initial step size ('sgd', 'adam').
    power_t : float, default=0.5
        Exponent of the 'invscaling' schedule.
    max_iter : int, default=200
        Epochs of the stochastic solvers; iterations of 'lbfgs'.
    shuffle : bool, default=True
        Shuffle the samples before each epoch (stochastic solvers).
    random_state : int, RandomState instance or None, default=None
        Draws, in scikit-learn's order, the initial weights, the early-stopping split and the
        shuffles: the same ``random_state`` gives the same draws as scikit-learn.
    tol : float, default=1e-4
        Stop (or, with 'adaptive', divide the step by 5) when the training loss has not fallen by
        ``tol`` -- or the validation score not risen by ``tol`` -- for more than
        ``n_iter_no_change`` consecutive epochs; 'lbfgs': its projected-gradient tolerance.
    verbose : bool, default=False
        Print the loss after each epoch.
    warm_start : bool, default=False
        Continue from the fitted weights in ``fit`` instead of drawing new ones.
    momentum : float, default=0.9
        'sgd' momentum ``mu`` in [0, 1].
    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum ('sgd', momentum > 0).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data (stratified when there is one output
        column, as scikit-learn does), stop on the validation score (accuracy / R^2) and keep the
        weights of its best epoch.
    validation_fraction : float, default=0.1
        Held-out fraction for early stopping.
    beta_1, beta_2 : float, default=0.9, 0.999
        Adam's decay rates of the first and second moment estimates, in [0, 1).
    epsilon : float, default=1e-8
        Adam's denominator term.
    n_iter_no_change : int, default=10
        Epochs without ``tol`` improvement tolerated (stochastic solvers).
    max_fun : int, default=15000
        Maximum number of loss evaluations of 'lbfgs'."""

_NOTES_DOC = """
    The network: ``a_0 = X``, ``a_l = f(a_{l-1} W_l + b_l)`` for the hidden layers,
    ``y_hat = g(a_{L-1} W_L + b_L)``. Weights start uniform in ``[-r, r]``,
    ``r = sqrt(6 / (fan_in + fan_out))`` (``sqrt(2 / ...)`` for 'logistic'), biases likewise.

    Loss of a (mini)batch of ``n`` rows with weights ``s_i`` (1 when none), ``S = sum_i s_i``::

        L = (1/S) sum_i s_i l_i + alpha / (2 S) * sum_l ||W_l||_F^2

    Every output activation ``g`` is the canonical link of its loss, so ``dL/dz = s (y_hat - y)
    / S`` at the output; hidden deltas are ``delta_{l-1} = (delta_l W_l^T) * f'(a_{l-1})``, and
    ``dL/dW_l = (a_{l-1}^T delta_l + alpha W_l) / S``, ``dL/db_l = sum_i delta_l / S``.

    Updates (``g`` the gradient, all in place on one flat parameter vector ``theta``):

    - 'sgd': ``v <- mu v - eta g``; ``theta <- theta + v``, or with Nesterov's momentum
      ``theta <- theta + mu v - eta g`` (with the new ``v``).
    - 'adam': ``m <- b1 m + (1 - b1) g``, ``v <- b2 v + (1 - b2) g^2``,
      ``theta <- theta - eta_t m / (sqrt(v) + eps)``, ``eta_t = eta sqrt(1 - b2^t) / (1 - b1^t)``.

    The epoch loss (``loss_``, ``loss_curve_``) is the batch losses weighted by batch size. With
    several regression outputs the squared error is averaged over them while the gradient is that
    of their sum (``delta = y_hat - y``): scikit-learn's convention, kept.
    float32 input is trained and predicted in float32 (float32 ``coefs_``), other input in
    float64; a continued fit (``warm_start``, ``partial_fit``) keeps the dtype of the first.
    Differences from scikit-learn: 'lbfgs' on float32 keeps float32 weights (scikit-learn's come
    back float64), and ``MLPRegressor.partial_fit`` is unavailable with 'lbfgs', as it is for the
    classifier."""


class MLPClassifier(ClassifierMixin, _BaseMLP):
    # the docstring is built from shared pieces, so it is assigned (an expression statement
    # would not become __doc__)
    __doc__ = """Multi-layer perceptron classifier: scikit-learn's ``MLPClassifier``, computed by lucidnet.

    Minimizes the log-loss: with a softmax output for multiclass targets,
    ``l_i = -sum_k y_ik log p_ik``; with one logistic unit per column for binary and multilabel
    targets, ``l_i = -sum_k [y_ik log p_ik + (1 - y_ik) log(1 - p_ik)]`` (probabilities clipped
    to ``[eps, 1 - eps]``, ``eps`` the dtype's machine epsilon).

    Parameters
    ----------""" + _PARAMETERS_DOC + """

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    loss_ : float
        Loss at the end of training (last epoch, or lbfgs's final value).
    best_loss_ : float or None
        Lowest epoch loss (stochastic solvers; None with early stopping).
    loss_curve_ : list of float
        Epoch losses (stochastic solvers).
    validation_scores_ : list of float or None
        Validation accuracy per epoch with early stopping, else None.
    best_validation_score_ : float or None
        Best validation accuracy with early stopping, else None.
    t_ : int
        Training samples seen by the stochastic solver.
    coefs_ : list of ndarray
        ``coefs_[l]`` is the (fan_in, fan_out) weight matrix of layer ``l``.
    intercepts_ : list of ndarray
        ``intercepts_[l]`` is the bias vector of layer ``l + 1``.
    n_features_in_ : int
        Features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when X had string column names.
    n_iter_ : int
        Epochs (or lbfgs iterations) run.
    n_layers_ : int
        Layers, input and output included.
    n_outputs_ : int
        Output units.
    out_activation_ : str
        'softmax' (multiclass) or 'logistic' (binary, multilabel).

    Notes
    -----""" + _NOTES_DOC + """

    Examples
    --------
    >>> from sklearn.datasets import make_moons
    >>> from lucidnet.sklearn import MLPClassifier
    >>> X, y = make_moons(200, noise=0.1, random_state=0)
    >>> clf = MLPClassifier((32,), learning_rate_init=0.01, max_iter=300, random_state=0)
    >>> clf.fit(X, y).score(X, y) > 0.95
    True
    """

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam",
                 alpha=0.0001, batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, max_fun=15000):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes, activation=activation, solver=solver,
            alpha=alpha, batch_size=batch_size, learning_rate=learning_rate,
            learning_rate_init=learning_rate_init, power_t=power_t, max_iter=max_iter,
            shuffle=shuffle, random_state=random_state, tol=tol, verbose=verbose,
            warm_start=warm_start, momentum=momentum, nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping, validation_fraction=validation_fraction,
            beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, n_iter_no_change=n_iter_no_change,
            max_fun=max_fun)

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError("warm_start can only be used where `y` has the same classes "
                                     f"as in the previous call to fit. Previously got "
                                     f"{self.classes_}, `y` has {classes}")
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(f"`y` has classes not in `self.classes_`. `self.classes_` has "
                                 f"{self.classes_}. 'y' has {classes}.")
        return X, self._label_binarizer.transform(y).astype(bool)

    def predict(self, X):
        """The predicted class of each sample (an indicator matrix for multilabel targets).

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        check_is_fitted(self)
        return self._predict(X)

    def _predict(self, X, check_input=True):
        y_pred = self._forward_pass_fast(X, check_input=check_input)
        if self.n_outputs_ == 1:
            y_pred = y_pred.ravel()
        return self._label_binarizer.inverse_transform(y_pred)

    def _score(self, X, y, sample_weight=None):
        return self._score_with_function(X, y, sample_weight, accuracy_score)

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch of the stochastic solver over (X, y), continuing from the current weights.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_classes) (multilabel)
        sample_weight : array-like of shape (n_samples,), default=None
        classes : array of shape (n_classes,), default=None
            Every class of the whole problem; required on the first call, optional after.

        Returns
        -------
        self : object
        """
        if _check_partial_fit_first_call(self, classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def predict_log_proba(self, X):
        """``log(predict_proba(X))``, shape (n_samples, n_classes)."""
        y_prob = self.predict_proba(X)
        return np.log(y_prob, out=y_prob)

    def predict_proba(self, X):
        """Class probabilities (n_samples, n_classes), columns in the order of ``classes_``
        (binary: ``[1 - p, p]``; multilabel: one probability per label)."""
        check_is_fitted(self)
        y_pred = self._forward_pass_fast(X)
        if self.n_outputs_ == 1:
            y_pred = y_pred.ravel()
        if y_pred.ndim == 1:
            return np.vstack([1 - y_pred, y_pred]).T
        return y_pred

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, _BaseMLP):
    __doc__ = """Multi-layer perceptron regressor: scikit-learn's ``MLPRegressor``, computed by lucidnet.

    Minimizes half the squared error ``l_i = (1/2K) sum_k (y_ik - y_hat_ik)^2`` (identity
    output, K outputs) or, with ``loss='poisson'``, half the Poisson deviance
    ``l_i = sum_k [y_ik log(y_ik / y_hat_ik) - y_ik + y_hat_ik]`` (exponential output).

    Parameters
    ----------
    loss : {'squared_error', 'poisson'}, default='squared_error'
        The loss above.""" + _PARAMETERS_DOC + """

    Attributes
    ----------
    loss_, best_loss_, loss_curve_, t_, coefs_, intercepts_, n_features_in_, feature_names_in_,
    n_iter_, n_layers_, n_outputs_ :
        As for `MLPClassifier`.
    validation_scores_ : list of float or None
        Validation R^2 per epoch with early stopping, else None.
    best_validation_score_ : float or None
        Best validation R^2 with early stopping, else None.
    out_activation_ : str
        'identity' (squared error) or 'exp' (Poisson).

    Notes
    -----""" + _NOTES_DOC + """
    """

    _parameter_constraints: dict = {
        **_BaseMLP._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }

    def __init__(self, loss="squared_error", hidden_layer_sizes=(100,), activation="relu", *,
                 solver="adam", alpha=0.0001, batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, max_fun=15000):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes, activation=activation, solver=solver,
            alpha=alpha, batch_size=batch_size, learning_rate=learning_rate,
            learning_rate_init=learning_rate_init, power_t=power_t, max_iter=max_iter,
            shuffle=shuffle, random_state=random_state, tol=tol, verbose=verbose,
            warm_start=warm_start, momentum=momentum, nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping, validation_fraction=validation_fraction,
            beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, n_iter_no_change=n_iter_no_change,
            max_fun=max_fun)
        self.loss = loss

    def predict(self, X):
        """Predictions, shape (n_samples,) for one output, else (n_samples, n_outputs)."""
        check_is_fitted(self)
        return self._predict(X)

    def _predict(self, X, check_input=True):
        y_pred = self._forward_pass_fast(X, check_input=check_input)
        return y_pred.ravel() if y_pred.shape[1] == 1 else y_pred

    def _score(self, X, y, sample_weight=None):
        return self._score_with_function(X, y, sample_weight, r2_score)

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             y_numeric=True, dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, y

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch of the stochastic solver over (X, y), continuing from the current weights.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : object
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)
