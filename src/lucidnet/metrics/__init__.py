"""Evaluation metrics, plain NumPy in and NumPy/float out: regression errors, classification
scores, ranking (threshold-free) scores.

Signatures, defaults and results follow ``sklearn.metrics`` (tested to 1e-12 against it);
scikit-learn itself is never imported here. ``get_metric(name)`` / ``METRICS`` is the registry the
training loop uses (see :mod:`lucidnet.metrics.registry` for the calling convention).
"""

from ._validation import UndefinedMetricWarning, check_targets, type_of_target
from .classification import (
    accuracy_score,
    classification_report,
    confusion_matrix,
    f1_score,
    fbeta_score,
    log_loss,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
    top_k_accuracy_score,
)
from .ranking import (
    auc,
    average_precision_score,
    mean_average_precision,
    precision_at_k,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)
from .registry import METRICS, Metric, get_metric, scores_to_labels
from .regression import (
    mean_absolute_error,
    mean_squared_error,
    r2_quality,
    r2_score,
    root_mean_squared_error,
)

__all__ = [
    "METRICS",
    "Metric",
    "UndefinedMetricWarning",
    "accuracy_score",
    "auc",
    "average_precision_score",
    "check_targets",
    "classification_report",
    "confusion_matrix",
    "f1_score",
    "fbeta_score",
    "get_metric",
    "log_loss",
    "mean_absolute_error",
    "mean_average_precision",
    "mean_squared_error",
    "precision_at_k",
    "precision_recall_curve",
    "precision_recall_fscore_support",
    "precision_score",
    "r2_quality",
    "r2_score",
    "recall_score",
    "roc_auc_score",
    "roc_curve",
    "root_mean_squared_error",
    "scores_to_labels",
    "top_k_accuracy_score",
    "type_of_target",
]
