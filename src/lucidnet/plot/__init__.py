"""Figures (matplotlib, Agg backend, saved to PNG). matplotlib is imported only when a figure is
drawn; each family of figures lives in its own submodule, re-exported here."""

from .training import learning_curves

__all__ = ["learning_curves"]
