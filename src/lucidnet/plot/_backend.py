"""Shared figure plumbing: import matplotlib lazily with the Agg backend, save atomically."""

from __future__ import annotations

import os
import sys

from .._atomic import atomic_path


def pyplot():
    """matplotlib.pyplot, on the non-interactive Agg backend unless the caller chose one.

    A backend is chosen when pyplot is already imported or ``MPLBACKEND`` is set (a Jupyter
    kernel sets its inline backend there): switching it to Agg would stop the caller's figures,
    ours included, from being shown.
    """
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules and not os.environ.get("MPLBACKEND"):
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, path, dpi: int = 110) -> str:
    """Save ``fig`` as PNG to ``path`` atomically (temp file + os.replace)."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=dpi, bbox_inches="tight")
    return path


def finish(fig, path=None, title: str | None = None):
    """Common ending of every figure: optional title, tight layout, PNG if ``path``; returns it."""
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    if path is not None:
        save_figure(fig, path)
    return fig
