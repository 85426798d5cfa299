"""Weight penalties: L1 (lasso), L2 (ridge), Elastic Net, and the ridge closed form.

A penalty is a callable ``penalty(model) -> Tensor`` (a differentiable scalar) that the `Trainer`
adds to the loss each batch::

    Trainer(model, "cross_entropy", optim.SGD(model.parameters(), lr=0.1), penalty=L2(1e-4))

Conventions (written once, used by every penalty)::

    penalty(w) = l1 * sum|w|  +  l2 / 2 * sum w**2
    d penalty / dw = l1 * sign(w)  +  l2 * w

* ``L2(lam)`` is ``lam/2 * ||w||^2``: its gradient is ``lam * w``, exactly what PyTorch's
  ``SGD(weight_decay=lam)`` adds to the gradient. With plain SGD the two give identical weights;
  with Adam they differ (Adam rescales the penalty gradient, AdamW decouples the decay).
* ``L1(lam)`` is ``lam * ||w||_1`` (subgradient ``sign(0) = 0``): it drives weights to exactly zero
  only approximately under SGD, but gives far sparser weights than L2.
* ``ElasticNet(alpha, l1_ratio)`` follows scikit-learn:
  ``alpha * l1_ratio * ||w||_1 + alpha * (1 - l1_ratio) / 2 * ||w||^2``.

By default only *weights* are penalized: parameters whose name ends in ``weight`` with
``ndim >= 2`` (Linear, Conv kernels) -- not biases, not BatchNorm/LayerNorm scales.
The whole penalty is one fused autograd op over all chosen parameters (one NumPy reduction per
parameter in the forward pass, one elementwise expression per parameter in the backward pass).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .autograd.function import Function
from .autograd.tensor import Tensor
from .nn.module import Module

__all__ = ["L1", "L2", "ElasticNet", "Penalty", "default_penalized", "ridge_closed_form"]


def default_penalized(name: str, param) -> bool:
    """The default choice of penalized parameters: ``*weight`` with ndim >= 2 (no biases/norms).

    Examples
    --------
    >>> from lucidnet.regularization import default_penalized
    >>> layer = ln.nn.Linear(2, 1)
    >>> default_penalized('weight', layer.weight), default_penalized('bias', layer.bias)
    (True, False)
    """
    return name.split(".")[-1].endswith("weight") and param.ndim >= 2


class _PenaltyFn(Function):
    """l1 * sum|w| + l2/2 * sum w^2 over all inputs, as one op (forward and backward together)."""

    @staticmethod
    def forward(ctx, *weights, l1, l2):
        ctx.save_for_backward(*weights)
        ctx.l1, ctx.l2 = l1, l2
        total = 0.0
        for w in weights:
            if l1:
                total += l1 * float(np.abs(w).sum())
            if l2:
                total += 0.5 * l2 * float(np.vdot(w, w))
        return np.asarray(total, dtype=weights[0].dtype)

    @staticmethod
    def backward(ctx, grad):
        g = float(grad)
        out = []
        for w in ctx.saved:
            d = np.zeros_like(w)
            if ctx.l1:
                d += (g * ctx.l1) * np.sign(w)
            if ctx.l2:
                d += (g * ctx.l2) * w
            out.append(d)
        return tuple(out)


def _check_strength(owner: str, name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{owner}: {name} must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{owner}: {name} must be a finite number >= 0, got {value!r}")
    return value


class Penalty:
    """``l1 * ||w||_1 + l2 / 2 * ||w||_2^2`` summed over the chosen parameters.

    Parameters
    ----------
    l1, l2 : non-negative coefficients
    include : ``include(name, param) -> bool`` choosing the penalized parameters
        (default `default_penalized`: weights with ndim >= 2); or an iterable of parameter names.

    Examples
    --------
    >>> from lucidnet.regularization import Penalty
    >>> model = ln.nn.Linear(2, 1)
    >>> with ln.no_grad():
    ...     _ = model.weight.copy_(ln.tensor([[1.0, -2.0]]))
    >>> Penalty(l1=0.1, l2=1.0)(model)                   # 0.1 * 3 + 1.0 / 2 * 5 (the bias is not penalized)
    tensor(2.8000, grad_fn=<_PenaltyFnBackward0>)
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0,
                 include: Callable[[str, object], bool] | None = None):
        owner = type(self).__name__
        self.l1 = _check_strength(owner, "l1", l1)
        self.l2 = _check_strength(owner, "l2", l2)
        if include is None:
            include = default_penalized
        elif not callable(include):
            names = set(include) if not isinstance(include, str) else {include}
            include = _NameFilter(names)
        self.include = include

    def parameters(self, model: Module) -> list:
        """The (name, Parameter) pairs this penalty applies to."""
        if not isinstance(model, Module):
            raise TypeError(f"{type(self).__name__} expects a lucidnet Module, got {type(model).__name__}")
        chosen = [(n, p) for n, p in model.named_parameters() if self.include(n, p)]
        if isinstance(self.include, _NameFilter):
            missing = self.include.names - {n for n, _ in chosen}
            if missing:
                valid = ", ".join(n for n, _ in model.named_parameters())
                raise ValueError(f"{type(self).__name__}: no parameter named {sorted(missing)}; "
                                 f"the model has: {valid}")
        return chosen

    def __call__(self, model: Module) -> Tensor:
        params = [p for _, p in self.parameters(model)]
        if not params or (self.l1 == 0 and self.l2 == 0):
            dtype = next((p.dtype for p in model.parameters()), np.float32)
            return Tensor(np.zeros((), dtype=dtype))
        return _PenaltyFn.apply(*params, l1=self.l1, l2=self.l2)

    def value(self, model: Module) -> float:
        """The penalty as a float (no graph)."""
        return float(self(model).data)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(l1={self.l1:g}, l2={self.l2:g})"


class _NameFilter:
    def __init__(self, names):
        self.names = set(names)

    def __call__(self, name, param) -> bool:
        return name in self.names


class L1(Penalty):
    """Lasso: ``strength * sum|w|``; gradient ``strength * sign(w)``. Sparse weights.

    Examples
    --------
    >>> from lucidnet.regularization import L1
    >>> model = ln.nn.Linear(2, 1)
    >>> with ln.no_grad():
    ...     _ = model.weight.copy_(ln.tensor([[1.0, -2.0]]))
    >>> L1(0.1)(model)                                   # 0.1 * (1 + 2)
    tensor(0.3000, grad_fn=<_PenaltyFnBackward0>)
    """

    def __init__(self, strength: float, include=None):
        super().__init__(l1=_check_strength("L1", "strength", strength), include=include)
        self.strength = self.l1

    def __repr__(self) -> str:
        return f"L1({self.strength:g})"


class L2(Penalty):
    """Ridge: ``strength / 2 * sum w^2``; gradient ``strength * w`` = SGD ``weight_decay``.

    Examples
    --------
    >>> from lucidnet.regularization import L2
    >>> model = ln.nn.Linear(2, 1)
    >>> with ln.no_grad():
    ...     _ = model.weight.copy_(ln.tensor([[1.0, -2.0]]))
    >>> L2(0.1)(model)                                   # 0.1 / 2 * (1 + 4)
    tensor(0.2500, grad_fn=<_PenaltyFnBackward0>)
    """

    def __init__(self, strength: float, include=None):
        super().__init__(l2=_check_strength("L2", "strength", strength), include=include)
        self.strength = self.l2

    def __repr__(self) -> str:
        return f"L2({self.strength:g})"


class ElasticNet(Penalty):
    """``strength * (l1_ratio * ||w||_1 + (1 - l1_ratio) / 2 * ||w||^2)`` as in scikit-learn.

    Examples
    --------
    >>> from lucidnet.regularization import ElasticNet
    >>> model = ln.nn.Linear(2, 1)
    >>> with ln.no_grad():
    ...     _ = model.weight.copy_(ln.tensor([[1.0, -2.0]]))
    >>> ElasticNet(0.1, l1_ratio=0.5)(model)             # 0.1 * (0.5 * 3 + 0.25 * 5)
    tensor(0.2750, grad_fn=<_PenaltyFnBackward0>)
    """

    def __init__(self, strength: float, l1_ratio: float = 0.5, include=None):
        strength = _check_strength("ElasticNet", "strength", strength)
        ratio = _check_strength("ElasticNet", "l1_ratio", l1_ratio)
        if ratio > 1:
            raise ValueError(f"ElasticNet: l1_ratio must be in [0, 1], got {l1_ratio!r}")
        super().__init__(l1=strength * ratio, l2=strength * (1 - ratio), include=include)
        self.strength, self.l1_ratio = strength, ratio

    def __repr__(self) -> str:
        return f"ElasticNet({self.strength:g}, l1_ratio={self.l1_ratio:g})"


def ridge_closed_form(X, y, lam: float, fit_intercept: bool = False) -> np.ndarray | tuple:
    """Ridge regression in closed form: ``theta = (X^T X + lam I)^{-1} X^T y``.

    With ``fit_intercept=True`` the intercept is not penalized (X and y are centred first) and
    ``(theta, intercept)`` is returned. Relation to a gradient-trained model: minimizing
    ``mean((y - X theta)^2) + L2(s)`` (``s/2 * ||theta||^2``) gives this solution with
    ``lam = N * s / 2``.

    Examples
    --------
    >>> from lucidnet.regularization import ridge_closed_form
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> ridge_closed_form(X, np.array([2.0, 4.0]), lam=1.0)     # (I + I)^-1 y
    array([1., 2.])
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {X.shape}")
    if len(y) != len(X):
        raise ValueError(f"X and y have different lengths: {len(X)} vs {len(y)}")
    for name, a in (("X", X), ("y", y)):
        if not np.all(np.isfinite(a)):
            raise ValueError(f"ridge_closed_form: {name} contains NaN or inf; clean or impute the "
                             f"data first")
    lam = _check_strength("ridge_closed_form", "lam", lam)
    x_mean = X.mean(axis=0) if fit_intercept else np.zeros(X.shape[1])
    y_mean = y.mean(axis=0) if fit_intercept else np.zeros(y.shape[1:])
    Xc, yc = X - x_mean, y - y_mean
    A = Xc.T @ Xc + lam * np.eye(X.shape[1])
    theta = np.linalg.solve(A, Xc.T @ yc)
    if fit_intercept:
        return theta, y_mean - x_mean @ theta
    return theta
