"""Regression metrics: MSE, RMSE, MAE, R² and a rule-of-thumb verbal rating of R².

Signatures, defaults and results follow scikit-learn (``sklearn.metrics``). Every function takes
``y_true`` and ``y_pred`` of shape ``(n_samples,)`` or ``(n_samples, n_outputs)``, optional
``sample_weight`` of shape ``(n_samples,)``, and a ``multioutput`` rule that turns the per-output
values into one number (``"uniform_average"``), keeps them (``"raw_values"``) or averages them with
given weights (an array of shape ``(n_outputs,)``).
"""

from __future__ import annotations

import numpy as np

from ._validation import check_targets, warn_undefined

__all__ = [
    "R2_BANDS",
    "mean_absolute_error",
    "mean_squared_error",
    "r2_quality",
    "r2_score",
    "root_mean_squared_error",
]

_MULTIOUTPUT = ("raw_values", "uniform_average")
_MULTIOUTPUT_R2 = ("raw_values", "uniform_average", "variance_weighted")


def _check_multioutput(multioutput, n_outputs: int, allowed: tuple):
    if isinstance(multioutput, str):
        if multioutput not in allowed:
            raise ValueError(f"multioutput must be one of {allowed} or an array of weights; got "
                             f"multioutput={multioutput!r}.")
        return multioutput
    weights = np.asarray(multioutput, dtype=float)
    if n_outputs == 1:
        raise ValueError("Custom multioutput weights are useful only in multi-output cases; "
                         "y has a single output.")
    if weights.shape != (n_outputs,):
        raise ValueError(f"There must be equally many custom weights ({weights.size}) as outputs "
                         f"({n_outputs}).")
    return weights


def _aggregate(output_errors: np.ndarray, multioutput):
    if isinstance(multioutput, str):
        if multioutput == "raw_values":
            return output_errors
        multioutput = None
    return float(np.average(output_errors, weights=multioutput))


def _prepare(y_true, y_pred, sample_weight, multioutput, allowed):
    t = check_targets(y_true, y_pred, sample_weight=sample_weight, task="regression")
    return t.y_true, t.y_pred, t.sample_weight, _check_multioutput(multioutput,
                                                                     t.y_true.shape[1], allowed)


def mean_squared_error(y_true, y_pred, *, sample_weight=None,
                       multioutput: str | np.ndarray = "uniform_average"):
    """Mean squared error ``MSE = sum_i w_i (y_i - ŷ_i)² / sum_i w_i`` (``w_i = 1`` by default).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Targets and predictions.
    sample_weight : array-like of shape (n_samples,), optional
        Weight ``w_i`` of each sample.
    multioutput : {"uniform_average", "raw_values"} or array-like of shape (n_outputs,)
        ``"uniform_average"``: the mean of the per-output errors (a float); ``"raw_values"``: one
        error per output (an array); an array: the per-output errors averaged with these weights.

    Returns
    -------
    float or ndarray of shape (n_outputs,)
        The error; 0 for a perfect prediction, lower is better.

    Examples
    --------
    >>> from lucidnet.metrics import mean_squared_error
    >>> mean_squared_error([3, -0.5, 2, 7], [2.5, 0.0, 2, 8])
    0.375
    >>> mean_squared_error([[0.5, 1], [-1, 1], [7, -6]], [[0, 2], [-1, 2], [8, -5]],
    ...                    multioutput="raw_values")
    array([0.41666667, 1.        ])
    """
    yt, yp, sw, mo = _prepare(y_true, y_pred, sample_weight, multioutput, _MULTIOUTPUT)
    return _aggregate(np.average((yt - yp) ** 2, axis=0, weights=sw), mo)


def root_mean_squared_error(y_true, y_pred, *, sample_weight=None,
                            multioutput: str | np.ndarray = "uniform_average"):
    """Root mean squared error ``RMSE = sqrt(sum_i w_i (y_i - ŷ_i)² / sum_i w_i)``.

    The square root is taken per output, then the outputs are combined by ``multioutput``
    (so for several outputs the result is the mean of the RMSEs, not the RMSE of the means).
    RMSE is in the units of ``y``. Arguments and shapes as :func:`mean_squared_error`.

    Returns
    -------
    float or ndarray of shape (n_outputs,)
        The error; 0 for a perfect prediction, lower is better.

    Examples
    --------
    >>> from lucidnet.metrics import root_mean_squared_error
    >>> root_mean_squared_error([3, -0.5, 2, 7], [2.5, 0.0, 2, 8])
    0.6123724356957945
    """
    yt, yp, sw, mo = _prepare(y_true, y_pred, sample_weight, multioutput, _MULTIOUTPUT)
    return _aggregate(np.sqrt(np.average((yt - yp) ** 2, axis=0, weights=sw)), mo)


def mean_absolute_error(y_true, y_pred, *, sample_weight=None,
                        multioutput: str | np.ndarray = "uniform_average"):
    """Mean absolute error ``MAE = sum_i w_i |y_i - ŷ_i| / sum_i w_i``.

    Less sensitive to a few large errors than :func:`mean_squared_error`. Arguments and shapes
    as :func:`mean_squared_error`.

    Returns
    -------
    float or ndarray of shape (n_outputs,)
        The error; 0 for a perfect prediction, lower is better.

    Examples
    --------
    >>> from lucidnet.metrics import mean_absolute_error
    >>> mean_absolute_error([3, -0.5, 2, 7], [2.5, 0.0, 2, 8])
    0.5
    """
    yt, yp, sw, mo = _prepare(y_true, y_pred, sample_weight, multioutput, _MULTIOUTPUT)
    return _aggregate(np.average(np.abs(yp - yt), axis=0, weights=sw), mo)


def r2_score(y_true, y_pred, *, sample_weight=None,
             multioutput: str | np.ndarray = "uniform_average", force_finite: bool = True):
    """Coefficient of determination ``R² = 1 - SS_res / SS_tot``.

    ``SS_res = sum_i w_i (y_i - ŷ_i)²`` is the squared error left by the model and
    ``SS_tot = sum_i w_i (y_i - ȳ_w)²`` the squared error of always predicting the (weighted)
    mean ``ȳ_w``: R² is 1 for a perfect fit, 0 for a model no better than the mean, and negative
    for a worse one. As scikit-learn: with ``force_finite=True`` a constant ``y_true`` gives 1.0
    for a perfect fit and 0.0 otherwise (instead of NaN / -inf); fewer than two samples gives
    NaN with an :class:`UndefinedMetricWarning`.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Targets and predictions.
    sample_weight : array-like of shape (n_samples,), optional
        Weight ``w_i`` of each sample.
    multioutput : {"uniform_average", "raw_values", "variance_weighted"} or array-like
        As :func:`mean_squared_error`; ``"variance_weighted"`` weights each output's R² by its
        ``SS_tot``.
    force_finite : bool, default True
        Replace the NaN / -inf of a constant ``y_true`` by 1.0 or 0.0 (see above).

    Returns
    -------
    float or ndarray of shape (n_outputs,)
        R²; higher is better, at most 1.

    Examples
    --------
    >>> from lucidnet.metrics import r2_score
    >>> r2_score([3, -0.5, 2, 7], [2.5, 0.0, 2, 8])
    0.9486081370449679
    >>> r2_score([1, 2, 3], [2, 2, 2])          # predicting the mean scores 0
    0.0
    """
    yt, yp, sw, mo = _prepare(y_true, y_pred, sample_weight, multioutput, _MULTIOUTPUT_R2)
    if yt.shape[0] < 2:
        warn_undefined("R^2 score is not well-defined with less than two samples.")
        return float("nan")
    weight = 1.0 if sw is None else sw[:, None]
    numerator = np.sum(weight * (yt - yp) ** 2, axis=0)
    denominator = np.sum(weight * (yt - np.average(yt, axis=0, weights=sw)) ** 2, axis=0)
    nonzero_den = denominator != 0
    if force_finite:
        nonzero_num = numerator != 0
        scores = np.ones(yt.shape[1], dtype=numerator.dtype)
        valid = nonzero_den & nonzero_num
        scores[valid] = 1 - numerator[valid] / denominator[valid]
        scores[nonzero_num & ~nonzero_den] = 0.0
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = 1 - numerator / denominator
    if isinstance(mo, str) and mo == "variance_weighted":
        mo = denominator if np.any(nonzero_den) else None
    return _aggregate(scores, mo)


R2_BANDS = ((0.8, "very good"), (0.6, "acceptable"), (0.4, "needs improvement"),
            (float("-inf"), "requires significant enhancement"))


def r2_quality(r2: float) -> str:
    """A rule-of-thumb verbal rating of an R² value (the bands are in ``R2_BANDS``).

    ``r2 > 0.8`` -> ``"very good"``; ``0.6 < r2 <= 0.8`` -> ``"acceptable"``;
    ``0.4 < r2 <= 0.6`` -> ``"needs improvement"``; ``r2 <= 0.4`` -> ``"requires significant
    enhancement"``. The rule reads "R² > 0.8 is very good", so a boundary value belongs to the
    band *below* it (0.8 is "acceptable", 0.6 "needs improvement", 0.4 "requires significant
    enhancement"): a model must strictly exceed a threshold to earn the better word.

    Parameters
    ----------
    r2 : float
        An R² value, e.g. from :func:`r2_score`; NaN raises ``ValueError``.

    Returns
    -------
    str
        The band's name.

    Examples
    --------
    >>> from lucidnet.metrics import r2_quality
    >>> r2_quality(0.95), r2_quality(0.8), r2_quality(0.1)
    ('very good', 'acceptable', 'requires significant enhancement')
    """
    if isinstance(r2, (bool, np.bool_)) or not isinstance(r2, (int, float, np.integer,
                                                               np.floating)):
        raise TypeError(f"r2 must be a real number; got {type(r2).__name__}.")
    if np.isnan(r2):
        raise ValueError("r2 is NaN (R² is undefined for fewer than two samples); there is no "
                         "quality band for it.")
    for threshold, band in R2_BANDS:
        if r2 > threshold:
            return band
    return R2_BANDS[-1][1]  # r2 == -inf
