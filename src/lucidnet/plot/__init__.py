"""Figures (matplotlib, Agg backend, saved to PNG). matplotlib is imported only when a figure is
drawn; each family of figures lives in its own submodule, re-exported here."""

from .diagnostics import (
    activation_histograms,
    capacity_curve,
    conv_filters,
    gradient_flow,
    lr_finder,
)
from .evaluation import confusion_matrix, decision_boundary, roc_curves
from .schedules import lr_schedules
from .training import learning_curves

__all__ = [
    "activation_histograms", "capacity_curve", "confusion_matrix", "conv_filters",
    "decision_boundary", "gradient_flow", "learning_curves", "lr_finder", "lr_schedules",
    "roc_curves",
]
