"""Atomic file writes, shared by every writer of lucidnet (models, checkpoints, run folders,
figures, reports): write into a temporary file of a unique name in the target's folder, then
``os.replace`` it onto the target. A reader never sees half a file, a crash or a signal never
destroys the previous version, and two writers never share (or delete) each other's temporary
file. The temporary file is removed if anything fails."""

from __future__ import annotations

import contextlib
import os
import tempfile

__all__ = ["atomic_path", "write_atomically"]


@contextlib.contextmanager
def atomic_path(path):
    """Yield a fresh temporary path next to ``path``; on normal exit it replaces ``path``.

    Examples
    --------
    >>> with atomic_path("figure.png") as tmp:          # doctest: +SKIP
    ...     fig.savefig(tmp, format="png")
    """
    path = os.fspath(path)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)),
                               prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


def write_atomically(path, data: bytes | str) -> None:
    """Write ``data`` (bytes, or text written as UTF-8 with newlines kept) to ``path`` atomically."""
    with atomic_path(path) as tmp:
        if isinstance(data, str):
            with open(tmp, "w", encoding="utf-8", newline="") as f:
                f.write(data)
        else:
            with open(tmp, "wb") as f:
                f.write(data)
