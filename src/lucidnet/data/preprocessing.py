"""Input normalization: z-score, min-max, zero-centering, PCA and ZCA whitening.

Inputs on very different scales make gradient descent zig-zag (the loss surface is a long narrow
valley); putting every feature on a comparable scale, or decorrelating the features (whitening),
lets one learning rate suit all directions. Fit the statistics on the training split only and
apply the same fitted transformer to validation and test data.

Every transformer follows scikit-learn: ``fit(X)`` learns statistics (attributes ending in ``_``),
``transform`` / ``fit_transform`` / ``inverse_transform`` map (n_samples, n_features) arrays.
Statistics are computed in float64; outputs keep a floating input's dtype (integers give float64).
"""

from __future__ import annotations

import numpy as np

from ._common import as_2d_float

__all__ = [
    "SCALERS",
    "MinMaxScaler",
    "PCAWhitening",
    "StandardScaler",
    "ZCAWhitening",
    "ZeroCenterer",
    "get_scaler",
]

_EPS = np.finfo(np.float64).eps


class _Transformer:
    """fit / transform / fit_transform / inverse_transform plumbing with the input checks."""

    def fit(self, X, y=None):
        """Learn the statistics of ``X`` (shape ``(n_samples, n_features)``; ``y`` is ignored).

        Sets the fitted attributes (names ending in ``_``), ``n_features_in_`` and
        ``n_samples_seen_``; returns ``self``."""
        X = as_2d_float(X, "X", min_samples=self._min_samples)
        self._fit(X.astype(np.float64))
        self.n_features_in_ = X.shape[1]
        self.n_samples_seen_ = X.shape[0]
        return self

    _min_samples = 1

    def _check_fitted(self) -> None:
        if not hasattr(self, "n_features_in_"):
            raise RuntimeError(f"{type(self).__name__} is not fitted yet; call fit(X) first")

    def _check(self, X, n_features: int, what: str) -> np.ndarray:
        X = as_2d_float(X, "X")
        if X.shape[1] != n_features:
            raise ValueError(f"X has {X.shape[1]} features but {type(self).__name__} {what} "
                             f"{n_features}")
        return X

    def transform(self, X) -> np.ndarray:
        """Apply the fitted map to ``X`` of shape ``(n_samples, n_features_in_)``; a floating
        input keeps its dtype."""
        self._check_fitted()
        X = self._check(X, self.n_features_in_, "was fitted with")
        return self._transform(X.astype(np.float64)).astype(X.dtype, copy=False)

    def fit_transform(self, X, y=None) -> np.ndarray:
        """``fit(X).transform(X)``."""
        return self.fit(X, y).transform(X)

    def inverse_transform(self, X) -> np.ndarray:
        """Map transformed data back to the input space (exact up to round-off, except for
        the directions a PCA with fewer components dropped)."""
        self._check_fitted()
        X = self._check(X, self._n_out(), "outputs")
        return self._inverse(X.astype(np.float64)).astype(X.dtype, copy=False)

    def _n_out(self) -> int:
        return self.n_features_in_

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items()
                         if not k.endswith("_") and not k.startswith("_"))
        return f"{type(self).__name__}({args})"


def _is_constant(var, mean, n):
    """scikit-learn's test for a numerically constant feature (variance below round-off)."""
    return var <= n * _EPS * var + (n * mean * _EPS) ** 2


class StandardScaler(_Transformer):
    """Z-score standardization ``x' = (x - mean) / std`` per feature.

    Every feature gets mean 0 and standard deviation 1 over the fitted data. ``std`` is the
    biased (ddof=0) standard deviation, as in scikit-learn; features with zero variance keep
    scale 1 so they map to 0 instead of NaN.

    Parameters
    ----------
    with_mean : bool, default True
        Subtract the mean (``False``: ``x' = x / std``).
    with_std : bool, default True
        Divide by the standard deviation (``False``: ``x' = x - mean``).

    Attributes
    ----------
    mean_, var_, scale_ : ndarray of shape (n_features,) or None
        The per-feature mean, variance and the divisor used (``None`` when switched off).

    Examples
    --------
    >>> from lucidnet.data import StandardScaler
    >>> X = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 60.0]])
    >>> scaler = StandardScaler().fit(X)
    >>> scaler.mean_
    array([ 2., 30.])
    >>> scaler.transform(X)
    array([[-1.22474487, -0.9258201 ],
           [ 0.        , -0.46291005],
           [ 1.22474487,  1.38873015]])
    >>> np.allclose(scaler.inverse_transform(scaler.transform(X)), X)
    True
    """

    def __init__(self, with_mean: bool = True, with_std: bool = True):
        for name, value in (("with_mean", with_mean), ("with_std", with_std)):
            if not isinstance(value, (bool, np.bool_)):
                raise TypeError(f"StandardScaler: {name} must be True or False, got {value!r}")
        self.with_mean, self.with_std = bool(with_mean), bool(with_std)

    def _fit(self, X):
        mean = X.mean(axis=0)
        var = X.var(axis=0)
        self.mean_ = mean if self.with_mean else None
        self.var_ = var if self.with_std else None
        if self.with_std:
            scale = np.sqrt(var)
            scale[_is_constant(var, mean, X.shape[0])] = 1.0
            self.scale_ = scale
        else:
            self.scale_ = None

    def _transform(self, X):
        if self.with_mean:
            X = X - self.mean_
        if self.with_std:
            X = X / self.scale_
        return X

    def _inverse(self, X):
        if self.with_std:
            X = X * self.scale_
        if self.with_mean:
            X = X + self.mean_
        return X


class MinMaxScaler(_Transformer):
    """Min-max scaling ``x' = (x - min) / (max - min) * (hi - lo) + lo`` per feature.

    Maps each feature's fitted range onto ``feature_range = (lo, hi)``. Constant features
    (``max == min``) get range 1, so they map to ``lo``, as in scikit-learn. New data outside the
    fitted range lands outside ``(lo, hi)`` (no clipping).

    Parameters
    ----------
    feature_range : (float, float), default (0.0, 1.0)
        The target interval ``(lo, hi)``, ``lo < hi``.

    Attributes
    ----------
    data_min_, data_max_, data_range_ : ndarray of shape (n_features,)
        The fitted per-feature minimum, maximum and their difference.
    scale_, min_ : ndarray of shape (n_features,)
        The map as ``x' = x * scale_ + min_``.

    Examples
    --------
    >>> from lucidnet.data import MinMaxScaler
    >>> X = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 60.0]])
    >>> MinMaxScaler().fit_transform(X)
    array([[0. , 0. ],
           [0.5, 0.2],
           [1. , 1. ]])
    >>> MinMaxScaler(feature_range=(-1, 1)).fit_transform(X)
    array([[-1. , -1. ],
           [ 0. , -0.6],
           [ 1. ,  1. ]])
    """

    def __init__(self, feature_range: tuple[float, float] = (0.0, 1.0)):
        try:
            lo, hi = (float(v) for v in feature_range)
        except (TypeError, ValueError):
            raise ValueError(f"feature_range must be a pair (min, max), got {feature_range!r}") from None
        if not lo < hi:
            raise ValueError(f"feature_range minimum must be smaller than maximum, got {feature_range!r}")
        self.feature_range = (lo, hi)

    def _fit(self, X):
        lo, hi = self.feature_range
        self.data_min_ = X.min(axis=0)
        self.data_max_ = X.max(axis=0)
        self.data_range_ = self.data_max_ - self.data_min_
        rng = self.data_range_.copy()
        rng[rng < 10 * _EPS] = 1.0
        self.scale_ = (hi - lo) / rng
        self.min_ = lo - self.data_min_ * self.scale_

    def _transform(self, X):
        return X * self.scale_ + self.min_

    def _inverse(self, X):
        return (X - self.min_) / self.scale_


class ZeroCenterer(_Transformer):
    """Zero-centering ``x' = x - mean`` per feature (``mean_`` after fitting).

    Examples
    --------
    >>> from lucidnet.data import ZeroCenterer
    >>> ZeroCenterer().fit_transform(np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 60.0]]))
    array([[ -1., -20.],
           [  0., -10.],
           [  1.,  30.]])
    """

    def _fit(self, X):
        self.mean_ = X.mean(axis=0)

    def _transform(self, X):
        return X - self.mean_

    def _inverse(self, X):
        return X + self.mean_


class PCAWhitening(_Transformer):
    """PCA whitening ``z = (x - mean) V_k / sqrt(lambda_k + eps)``.

    ``V_k`` are the top-k principal axes and ``lambda_k`` the variances along them (covariance
    with ddof=1, as ``sklearn.decomposition.PCA``); the output features are decorrelated with unit
    variance: ``cov(z) ~= I`` (exactly ``lambda / (lambda + eps)`` on the diagonal). With
    ``eps=0`` it equals ``PCA(n_components, whiten=True)``, same sign convention (largest-|.|
    loading of every axis positive).

    Parameters
    ----------
    n_components : int, float in (0, 1) or None
        Kept axes: a count, the smallest count explaining more than that fraction of the
        variance (as scikit-learn), or all.
    eps : float
        Added to the variances so that near-zero directions are not blown up.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
    components_ : ndarray of shape (n_components_, n_features)
        The kept principal axes ``V_k^T``, largest variance first.
    explained_variance_, explained_variance_ratio_ : ndarray of shape (n_components_,)
        The variance along each kept axis, and its fraction of the total.

    Examples
    --------
    >>> from lucidnet.data import PCAWhitening
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3)) @ np.array([[2.0, 0, 0], [1.0, 1.0, 0], [0, 0, 0.5]])
    >>> Z = PCAWhitening(eps=0).fit_transform(X)
    >>> np.allclose(np.cov(Z, rowvar=False), np.eye(3))       # decorrelated, unit variance
    True
    >>> PCAWhitening(n_components=2).fit_transform(X).shape
    (200, 2)
    """

    def __init__(self, n_components: float | None = None, eps: float = 1e-5):
        if isinstance(eps, bool) or not isinstance(eps, (int, float, np.integer, np.floating)) \
                or not (np.isfinite(eps) and eps >= 0):
            raise ValueError(f"eps must be a finite number >= 0, got {eps!r}")
        self.n_components, self.eps = n_components, eps

    _min_samples = 2

    def _fit(self, X):
        n, d = X.shape
        self.mean_ = X.mean(axis=0)
        _, s, vt = np.linalg.svd(X - self.mean_, full_matrices=False)
        # sign convention of sklearn's svd_flip(u_based_decision=False)
        signs = np.sign(vt[np.arange(vt.shape[0]), np.abs(vt).argmax(axis=1)])
        signs[signs == 0] = 1.0
        vt *= signs[:, None]
        var = s**2 / (n - 1)
        k = self._n_kept(var, min(n, d))
        self.components_ = vt[:k]
        self.explained_variance_ = var[:k]
        self.explained_variance_ratio_ = var[:k] / var.sum() if var.sum() > 0 else np.zeros(k)
        self.n_components_ = k

    def _n_kept(self, var, max_k):
        k = self.n_components
        if k is None:
            return max_k
        if isinstance(k, (float, np.floating)) and 0 < k < 1:
            ratio = np.cumsum(var) / var.sum()
            return int(min(np.searchsorted(ratio, k, side="right") + 1, max_k))  # sklearn
        if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) or not 1 <= k <= max_k:
            raise ValueError(f"n_components must be None, a fraction in (0, 1) or an int in "
                             f"[1, {max_k}] (min(n_samples, n_features)), got {k!r}")
        return int(k)

    def _transform(self, X):
        return (X - self.mean_) @ self.components_.T / np.sqrt(self.explained_variance_ + self.eps)

    def _inverse(self, X):
        return (X * np.sqrt(self.explained_variance_ + self.eps)) @ self.components_ + self.mean_

    def _n_out(self):
        return self.n_components_


class ZCAWhitening(_Transformer):
    """ZCA (Mahalanobis) whitening ``z = (x - mean) W`` with ``W = V diag(1/sqrt(lambda + eps)) V^T``.

    PCA whitening rotated back to the input axes: ``cov(z) ~= I`` and, among all
    whitening maps, ``z`` stays closest to the centered input (images still look like images).
    ``V`` and ``lambda`` are the eigenvectors and eigenvalues of the covariance (ddof=1).

    Parameters
    ----------
    eps : float, default 1e-5
        Added to the eigenvalues so that near-zero directions are not blown up.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
    eigenvalues_, eigenvectors_ : ndarray
        ``lambda`` of shape (n_features,) and ``V`` of shape (n_features, n_features).
    whitening_, coloring_ : ndarray of shape (n_features, n_features)
        ``W`` and its inverse (used by :meth:`inverse_transform`).

    Examples
    --------
    >>> from lucidnet.data import ZCAWhitening
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3)) @ np.array([[2.0, 0, 0], [1.0, 1.0, 0], [0, 0, 0.5]])
    >>> zca = ZCAWhitening(eps=0).fit(X)
    >>> np.allclose(np.cov(zca.transform(X), rowvar=False), np.eye(3))
    True
    >>> np.allclose(zca.inverse_transform(zca.transform(X)), X)
    True
    """

    def __init__(self, eps: float = 1e-5):
        if isinstance(eps, bool) or not isinstance(eps, (int, float, np.integer, np.floating)) \
                or not (np.isfinite(eps) and eps >= 0):
            raise ValueError(f"eps must be a finite number >= 0, got {eps!r}")
        self.eps = eps

    _min_samples = 2

    def _fit(self, X):
        self.mean_ = X.mean(axis=0)
        Xc = X - self.mean_
        cov = Xc.T @ Xc / (X.shape[0] - 1)
        lam, V = np.linalg.eigh(cov)
        lam = np.clip(lam, 0.0, None)  # round-off can make tiny eigenvalues negative
        self.eigenvalues_, self.eigenvectors_ = lam, V
        self.whitening_ = (V / np.sqrt(lam + self.eps)) @ V.T
        self.coloring_ = (V * np.sqrt(lam + self.eps)) @ V.T

    def _transform(self, X):
        return (X - self.mean_) @ self.whitening_

    def _inverse(self, X):
        return X @ self.coloring_ + self.mean_


SCALERS = {"standard": StandardScaler, "zscore": StandardScaler, "minmax": MinMaxScaler,
           "center": ZeroCenterer, "pca": PCAWhitening, "zca": ZCAWhitening}


def get_scaler(name: str, **kwargs) -> _Transformer:
    """Build a transformer by name: one of ``SCALERS`` (standard/zscore, minmax, center, pca, zca).

    ``kwargs`` go to the class's constructor; an unknown name raises ``ValueError`` listing the
    valid ones.

    Examples
    --------
    >>> from lucidnet.data import get_scaler
    >>> get_scaler("minmax", feature_range=(0, 2))
    MinMaxScaler(feature_range=(0.0, 2.0))
    >>> get_scaler("zscore")
    StandardScaler(with_mean=True, with_std=True)
    """
    try:
        cls = SCALERS[name.lower()]
    except (KeyError, AttributeError):
        raise ValueError(f"unknown scaler {name!r}; valid names: {', '.join(sorted(SCALERS))}") from None
    return cls(**kwargs)
