"""One shared validation step for every metric.

Every public metric starts with :func:`check_targets` (the analogue of scikit-learn's
``_check_targets`` / ``_check_reg_targets``): it turns the inputs into NumPy arrays, checks that
the lengths agree, that nothing is empty, that there is no NaN/inf, works out the *type of target*
and refuses mixes that have no meaning (continuous ``y_pred`` against binary ``y_true`` ...).
Error messages say what was received and what was expected.
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np

__all__ = [
    "TARGET_TYPES",
    "Targets",
    "UndefinedMetricWarning",
    "check_average",
    "check_consistent_length",
    "check_finite",
    "check_sample_weight",
    "check_targets",
    "check_zero_division",
    "nan_average",
    "type_of_target",
]

TARGET_TYPES = ("binary", "multiclass", "multilabel-indicator", "continuous",
                "continuous-multioutput", "multiclass-multioutput", "unknown")
_TASKS = ("classification", "regression", "scores")


class UndefinedMetricWarning(UserWarning):
    """A metric is ill-defined for the given input (0/0, one class only ...) and was set by rule."""


class Targets(NamedTuple):
    """The validated inputs of a metric.

    ``type`` is the target type (see :func:`type_of_target`); ``labels`` is the sorted union of the
    labels in ``y_true`` and ``y_pred`` for classification (column indices for multilabel input),
    ``None`` otherwise.
    """

    type: str
    y_true: np.ndarray
    y_pred: np.ndarray
    sample_weight: np.ndarray | None
    labels: np.ndarray | None


def _as_array(y, name: str) -> np.ndarray:
    if isinstance(y, str) or y is None:
        raise TypeError(f"{name} must be array-like (a NumPy array or a non-string sequence); "
                        f"got {type(y).__name__}.")
    arr = np.asarray(y)
    if arr.ndim == 0:
        raise ValueError(f"{name} must be at least 1-d (one value per sample); got a scalar "
                         f"{arr.item()!r}.")
    return arr


def _is_numeric(arr: np.ndarray) -> bool:
    return arr.dtype.kind in "biuf"


def check_finite(arr: np.ndarray, name: str) -> None:
    """Raise scikit-learn's ValueError if a float array holds NaN or +-inf (NaN is named first):
    ``Input y_true contains NaN.`` / ``Input y_pred contains infinity or a value too large for
    dtype('float64').``"""
    if arr.dtype.kind not in "fc":
        return
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(arr.sum()):      # one reduction: a finite sum means all entries are
            return
    if np.isnan(arr).any():
        raise ValueError(f"Input {name} contains NaN.")
    if np.isinf(arr).any():
        raise ValueError(f"Input {name} contains infinity or a value too large for "
                         f"{arr.dtype!r}.")


def type_of_target(y, input_name: str = "y") -> str:
    """Type of a target array, as scikit-learn's ``type_of_target``.

    Returns one of ``"binary"`` (<= 2 distinct values, 1-d or a column), ``"multiclass"``
    (> 2 distinct discrete values), ``"multilabel-indicator"`` (2-d, > 1 column, values in
    a set of <= 2 integers such as {0, 1}), ``"continuous"`` (floats that are not all integers),
    ``"continuous-multioutput"``, ``"multiclass-multioutput"`` or ``"unknown"``.
    Floats that are all integral (``1.0``, ``0.0``) count as discrete labels. NaN/inf raise.

    Examples
    --------
    >>> from lucidnet.metrics import type_of_target
    >>> type_of_target([0, 1, 1]), type_of_target([0, 1, 2]), type_of_target([0.5, 1.2])
    ('binary', 'multiclass', 'continuous')
    >>> type_of_target([[1, 0], [1, 1]])
    'multilabel-indicator'
    """
    y = _as_array(y, input_name)
    if y.ndim not in (1, 2):
        return "unknown"
    if y.size == 0:
        return "binary" if y.ndim == 1 else "unknown"
    if y.dtype.kind == "O" and not all(isinstance(v, str) for v in y.flat):
        return "unknown"
    multi_column = y.ndim == 2 and y.shape[1] > 1
    if y.dtype.kind == "f":
        check_finite(y, input_name)
        integral = bool(np.all(y == np.round(y)))
    else:
        integral = y.dtype.kind in "biu"
    if multi_column and integral and np.unique(y).shape[0] < 3:
        return "multilabel-indicator"
    if y.dtype.kind == "f" and not integral:
        return "continuous-multioutput" if multi_column else "continuous"
    if multi_column:
        return "multiclass-multioutput"
    return "multiclass" if np.unique(y).shape[0] > 2 else "binary"


def check_consistent_length(**arrays) -> int:
    """Check that every non-``None`` array has the same number of samples; return that number."""
    lengths = {name: (a.shape[0] if hasattr(a, "shape") else len(a))
               for name, a in arrays.items() if a is not None}
    if len(set(lengths.values())) > 1:
        got = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise ValueError(f"Found input variables with inconsistent numbers of samples: {got}. "
                         f"Expected all of them to have the same length.")
    return next(iter(lengths.values()))


def check_sample_weight(sample_weight, n_samples: int) -> np.ndarray | None:
    """``None`` or a finite 1-d float array of length ``n_samples``."""
    if sample_weight is None:
        return None
    sw = _as_array(sample_weight, "sample_weight")
    if not _is_numeric(sw):
        raise TypeError(f"sample_weight must be numeric; got dtype {sw.dtype}.")
    if sw.ndim != 1:
        raise ValueError(f"sample_weight must be 1-d with one weight per sample; got shape "
                         f"{sw.shape}.")
    if sw.shape[0] != n_samples:
        raise ValueError(f"Found input variables with inconsistent numbers of samples: "
                         f"sample_weight has {sw.shape[0]}, y_true has {n_samples}. "
                         f"Expected all of them to have the same length.")
    check_finite(sw, "sample_weight")
    if np.all(sw == 0):
        raise ValueError("Sample weights must contain at least one non-zero number; got "
                         "sample_weight of all zeros.")
    return sw


def check_average(average, allowed: tuple) -> None:
    """Raise a ValueError naming the allowed values if ``average`` is not one of them."""
    if average not in allowed:
        raise ValueError(f"average must be one of {allowed}; got average={average!r}.")


def check_zero_division(zero_division) -> float:
    """Value used for 0/0: ``"warn"`` -> 0.0 (and a warning), 0, 1 or ``np.nan``."""
    if isinstance(zero_division, str):
        if zero_division == "warn":
            return 0.0
    elif isinstance(zero_division, (int, float, np.floating)) and not isinstance(
            zero_division, bool):
        if np.isnan(zero_division):
            return float("nan")
        if zero_division in (0, 1):
            return float(zero_division)
    raise ValueError(f"zero_division must be 'warn', 0, 1 or np.nan; got "
                     f"zero_division={zero_division!r}.")


def nan_average(a: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Average ignoring NaN entries (as sklearn's ``_nanaverage``); all-NaN or empty -> NaN.

    If the remaining weights sum to zero they are ignored (plain mean).
    """
    a = np.asarray(a, dtype=float)
    mask = np.isnan(a)
    if a.shape[0] == 0 or np.all(mask):
        return float("nan")
    if weights is None:
        return float(np.mean(a[~mask]))
    w = np.asarray(weights)[~mask]
    if np.sum(w) == 0:
        return float(np.mean(a[~mask]))
    return float(np.average(a[~mask], weights=w))


def _common(y_true, y_pred, sample_weight, pred_name: str):
    y_true = _as_array(y_true, "y_true")
    y_pred = _as_array(y_pred, pred_name)
    n = check_consistent_length(**{"y_true": y_true, pred_name: y_pred,
                                   "sample_weight": sample_weight})
    if n < 1:
        raise ValueError(f"Found empty input array (y_true and {pred_name} have 0 samples) while "
                         f"a minimum of 1 sample is required.")
    return y_true, y_pred, check_sample_weight(sample_weight, n)


def _squeeze_column(y: np.ndarray, name: str) -> np.ndarray:
    if y.ndim == 2 and y.shape[1] == 1:
        return y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"{name} should be a 1-d array of labels; got shape {y.shape}.")
    return y


def _classification(y_true, y_pred, sw, pred_name: str) -> Targets:
    type_true = type_of_target(y_true, "y_true")
    type_pred = type_of_target(y_pred, pred_name)
    types = {type_true, type_pred}
    if types == {"binary", "multiclass"}:
        types = {"multiclass"}
    if len(types) > 1:
        raise ValueError(
            f"Classification metrics can't handle a mix of {type_true} and {type_pred} targets: "
            f"y_true is {type_true}, {pred_name} is {type_pred}. Expected both to be class labels "
            f"(binary/multiclass) or both multilabel-indicator. If {pred_name} holds "
            f"probabilities or scores, turn them into labels first (argmax, or threshold 0.5) "
            f"or use a score metric (roc_auc_score, log_loss).")
    y_type = types.pop()
    if y_type not in ("binary", "multiclass", "multilabel-indicator"):
        raise ValueError(f"{y_type} targets are not supported by classification metrics; "
                         f"expected binary, multiclass or multilabel-indicator targets.")
    if y_type == "multilabel-indicator":
        if y_true.shape[1] != y_pred.shape[1]:
            raise ValueError(f"Multilabel-indicator y_true and {pred_name} must have the same "
                             f"number of columns; got {y_true.shape[1]} and {y_pred.shape[1]}.")
        return Targets(y_type, y_true, y_pred, sw, np.arange(y_true.shape[1]))
    y_true = _squeeze_column(y_true, "y_true")
    y_pred = _squeeze_column(y_pred, pred_name)
    if (y_true.dtype.kind in "USO") != (y_pred.dtype.kind in "USO"):
        raise ValueError(f"Mix of label input types (string and number): y_true has dtype "
                         f"{y_true.dtype}, {pred_name} has dtype {y_pred.dtype}. Expected both "
                         f"to hold labels of the same kind.")
    labels = np.unique(np.concatenate([y_true, y_pred]))
    if y_type == "binary" and labels.shape[0] > 2:
        y_type = "multiclass"
    return Targets(y_type, y_true, y_pred, sw, labels)


def _regression(y_true, y_pred, sw, pred_name: str) -> Targets:
    for arr, name in ((y_true, "y_true"), (y_pred, pred_name)):
        if not _is_numeric(arr):
            raise TypeError(f"{name} must be numeric for a regression metric; got dtype "
                            f"{arr.dtype}.")
        if arr.ndim > 2:
            raise ValueError(f"{name} must be 1-d (n_samples,) or 2-d (n_samples, n_outputs); "
                             f"got shape {arr.shape}.")
    # one float dtype for all inputs: the promotion of the float ones (float32 stays float32
    # only if everything is float32), float64 when none is float -- as scikit-learn
    floats = [a.dtype for a in (y_true, y_pred, sw) if a is not None and a.dtype.kind == "f"]
    dtype = np.result_type(*floats) if floats else np.dtype(np.float64)
    arrays = []
    for arr, name in ((y_true, "y_true"), (y_pred, pred_name)):
        arr = arr.astype(dtype, copy=False)
        check_finite(arr, name)
        arrays.append(arr.reshape(-1, 1) if arr.ndim == 1 else arr)
    y_true, y_pred = arrays
    sw = None if sw is None else sw.astype(dtype, copy=False)
    if y_true.shape[1] != y_pred.shape[1]:
        raise ValueError(f"y_true and {pred_name} have different number of outputs "
                         f"({y_true.shape[1]}!={y_pred.shape[1]}); expected the same.")
    y_type = "continuous" if y_true.shape[1] == 1 else "continuous-multioutput"
    return Targets(y_type, y_true, y_pred, sw, None)


def _scores(y_true, y_score, sw, pred_name: str) -> Targets:
    y_type = type_of_target(y_true, "y_true")
    if y_type not in ("binary", "multiclass", "multilabel-indicator"):
        raise ValueError(f"y_true must hold class labels (binary, multiclass or "
                         f"multilabel-indicator) for a score metric; got {y_type} y_true.")
    if not _is_numeric(y_score):
        raise TypeError(f"{pred_name} must be numeric scores or probabilities; got dtype "
                        f"{y_score.dtype}.")
    if y_score.ndim > 2:
        raise ValueError(f"{pred_name} must be 1-d (n_samples,) or 2-d (n_samples, n_classes); "
                         f"got shape {y_score.shape}.")
    if y_score.dtype.kind != "f":
        y_score = y_score.astype(np.float64)
    check_finite(y_score, pred_name)
    if y_type != "multilabel-indicator":
        y_true = _squeeze_column(y_true, "y_true")
    return Targets(y_type, y_true, y_score, sw,
                   None if y_type == "multilabel-indicator" else np.unique(y_true))


_CHECKERS = {"classification": _classification, "regression": _regression, "scores": _scores}


def check_targets(y_true, y_pred, *, sample_weight=None, task: str = "classification",
                  pred_name: str = "y_pred") -> Targets:
    """The one validation step every metric runs first.

    Parameters
    ----------
    y_true, y_pred : array-like
        Ground truth and predictions (labels, values, or scores for ``task="scores"``).
    sample_weight : array-like of shape (n_samples,), optional
    task : {"classification", "regression", "scores"}
        ``classification``: both are labels of the same kind (binary/multiclass are compatible).
        ``regression``: both numeric, returned as 2-d ``(n_samples, n_outputs)`` arrays.
        ``scores``: ``y_true`` labels, ``y_pred`` finite numeric scores (1-d or 2-d).
    pred_name : str
        Name of the second argument in messages (``"y_pred"``, ``"y_score"``, ``"y_proba"``).

    Returns
    -------
    Targets
        ``(type, y_true, y_pred, sample_weight, labels)``.

    Examples
    --------
    >>> from lucidnet.metrics import check_targets
    >>> t = check_targets([0, 1, 2], [0, 2, 2])
    >>> t.type, t.labels
    ('multiclass', array([0, 1, 2]))
    """
    if task not in _TASKS:
        raise ValueError(f"task must be one of {_TASKS}; got task={task!r}.")
    y_true, y_pred, sw = _common(y_true, y_pred, sample_weight, pred_name)
    return _CHECKERS[task](y_true, y_pred, sw, pred_name)


def warn_undefined(message: str) -> None:
    """Emit an :class:`UndefinedMetricWarning` pointing at the caller of the metric."""
    warnings.warn(message, UndefinedMetricWarning, stacklevel=3)
