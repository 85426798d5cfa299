"""Figures (matplotlib, Agg backend, saved to PNG). matplotlib is imported only when a figure is
drawn; each family of figures lives in its own submodule, re-exported here."""

__all__: list[str] = []
