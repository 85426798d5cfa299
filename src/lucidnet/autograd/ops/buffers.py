"""Memory for the heavy ops: reused scratch buffers and a pool of large output buffers.

Fresh large arrays are page-faulted in at about 1 us per 4 KiB page (glibc returns freed heap
memory to the OS after every training step), which costs more than the arithmetic of the
elementwise ops that fill them. ``scratch`` serves temporaries that never leave an op;
``pooled_empty`` serves outputs and saved arrays from buffers reused only once no array refers
to them (every NumPy view keeps its base buffer referenced). ``channel_major`` names the layout
Conv returns and the ops after it keep.
"""

from __future__ import annotations

import sys
import threading

import numpy as np

__all__ = ["channel_major", "pooled_empty", "pooled_like", "release_buffers", "scratch"]


_SCRATCH: dict = {}


def scratch(name: str, shape: tuple, dtype) -> np.ndarray:
    """A reused uninitialized buffer for a temporary that never leaves the op that asks for it
    (neither returned nor saved). Fresh large arrays cost a page fault per 4 KiB page, often
    more than the arithmetic that fills them; a few such buffers are kept (cleared past 16)."""
    key = (name, tuple(shape), np.dtype(dtype), threading.get_ident())
    buf = _SCRATCH.get(key)
    if buf is None:
        if len(_SCRATCH) >= 16:
            _SCRATCH.clear()
        buf = _SCRATCH[key] = np.empty(shape, dtype)
    return buf


_POOL: dict = {}
_POOL_LOCK = threading.Lock()
_POOL_MIN_BYTES = 1 << 18
_POOL_PER_SIZE = 8


def pooled_empty(shape: tuple, dtype) -> np.ndarray:
    """np.empty(shape, dtype) served from a cache of large byte buffers, reused once no array
    refers to them any more (every NumPy view keeps its base buffer referenced, so a buffer whose
    only reference is the cache is free). Large arrays from malloc are returned to the OS when
    a training step frees them and page-faulted in again on the next step -- about 1 us per
    4 KiB page, more than the arithmetic that fills them; cached buffers avoid that."""
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape)) * dtype.itemsize
    if nbytes < _POOL_MIN_BYTES:
        return np.empty(shape, dtype)
    with _POOL_LOCK:
        bufs = _POOL.setdefault(nbytes, [])
        for buf in bufs:
            if sys.getrefcount(buf) == 3:  # the cache, the loop variable, the call's argument
                return buf.view(dtype).reshape(shape)
        if len(bufs) >= _POOL_PER_SIZE:
            return np.empty(shape, dtype)
        buf = np.empty(nbytes, np.uint8)
        bufs.append(buf)
        return buf.view(dtype).reshape(shape)


def pooled_like(a: np.ndarray, dtype=None) -> np.ndarray:
    """pooled_empty with a's shape, in a's layout when a is channel-major (else C order)."""
    dtype = a.dtype if dtype is None else dtype
    if channel_major(a):
        return pooled_empty((a.shape[1], a.shape[0]) + a.shape[2:], dtype).swapaxes(0, 1)
    return pooled_empty(a.shape, dtype)


def release_buffers() -> None:
    """Drop the scratch and pooled buffers the ops keep (memory is reclaimed once no array
    uses them); they are rebuilt on demand."""
    with _POOL_LOCK:
        _POOL.clear()
        _SCRATCH.clear()


def channel_major(a: np.ndarray) -> bool:
    """True when a (N, C, ...) is laid out as a C-contiguous (C, N, ...) array seen through a
    swap of its first two axes -- the layout Conv returns and the ops after it preserve."""
    return a.ndim >= 2 and not a.flags.c_contiguous and a.swapaxes(0, 1).flags.c_contiguous
