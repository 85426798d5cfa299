"""Figures (matplotlib, Agg backend, saved to PNG). matplotlib is imported only when a figure is
drawn; each family of figures lives in its own submodule, re-exported here."""

from .schedules import lr_schedules
from .training import learning_curves

__all__ = ["learning_curves", "lr_schedules"]
