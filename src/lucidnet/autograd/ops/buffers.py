"""Memory for the heavy ops: reused scratch buffers and a pool of large output buffers.

Fresh large arrays are page-faulted in at about 1 us per 4 KiB page (glibc returns freed heap
memory to the OS after every training step), which costs more than the arithmetic of the
elementwise ops that fill them. ``scratch`` serves temporaries that never leave an op;
``pooled_empty`` serves outputs and saved arrays from buffers reused only once no array refers
to them (every NumPy view keeps its base buffer referenced). ``channel_major`` names the layout
Conv returns and the ops after it keep.
"""

from __future__ import annotations

import math
import os
import threading
import weakref

import numpy as np

__all__ = ["channel_major", "pooled_empty", "pooled_like", "release_buffers", "scratch"]


_SCRATCH: dict = {}


def scratch(name: str, shape: tuple, dtype) -> np.ndarray:
    """A reused uninitialized buffer for a temporary that never leaves the op that asks for it
    (neither returned nor saved). Fresh large arrays cost a page fault per 4 KiB page, often
    more than the arithmetic that fills them; a few such buffers are kept (cleared past 16).

    Examples
    --------
    >>> from lucidnet.autograd.ops.buffers import scratch
    >>> a = scratch("example", (2, 3), np.float32)
    >>> a.shape, scratch("example", (2, 3), np.float32) is a  # the same memory on every call
    ((2, 3), True)
    """
    key = (name, tuple(shape), np.dtype(dtype), threading.get_ident())
    buf = _SCRATCH.get(key)
    if buf is None:
        if len(_SCRATCH) >= 16:
            _SCRATCH.clear()
        buf = _SCRATCH[key] = np.empty(shape, dtype)
    return buf


class _PoolBuffer(np.ndarray):
    """The raw bytes of one pooled buffer. Being a subclass matters: NumPy collapses a chain of
    views to the first array that owns the memory *or has another type*, so every array derived
    from the plain-ndarray view that `pooled_empty` hands out keeps that very view alive."""


def _handed_out_view_stays_the_base() -> bool:
    """Check once that NumPy keeps the behaviour the pool relies on (else the pool is off)."""
    raw = np.ndarray.__new__(_PoolBuffer, (64,), np.uint8)
    handed = raw.view(np.float32, type=np.ndarray)
    derived = handed.reshape(4, 4).swapaxes(0, 1)[1:]
    return derived.base is handed


_POOL: dict = {}  # nbytes -> [[raw buffer, weakref to the view handed out, or None]]
_POOL_LOCK = threading.Lock()
_POOL_MIN_BYTES = 1 << 18
_POOL_PER_SIZE = 8
_POOL_ON = _handed_out_view_stays_the_base()


def _fresh_lock_in_child() -> None:
    """After a fork the pool's lock may be held by a thread the child does not have."""
    global _POOL_LOCK
    _POOL_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_fresh_lock_in_child)


def pooled_empty(shape: tuple, dtype) -> np.ndarray:
    """np.empty(shape, dtype) served from a cache of large byte buffers, each reused once every
    array made from its last hand-out is gone. Large arrays from malloc are returned to the OS
    when a training step frees them and page-faulted in again on the next step -- about 1 us per
    4 KiB page, more than the arithmetic that fills them; cached buffers avoid that.

    Liveness is tracked by a weak reference to the view handed out, which every array derived
    from it references (see `_PoolBuffer`), never by reading reference counts, whose values
    differ between Python versions.

    Examples
    --------
    >>> from lucidnet.autograd.ops.buffers import pooled_empty, release_buffers
    >>> release_buffers()  # an empty pool, so the reuse below is the only one
    >>> a = pooled_empty((256, 256), np.float32); address = a.ctypes.data; a.shape  # 256 KiB
    (256, 256)
    >>> del a; pooled_empty((256, 256), np.float32).ctypes.data == address  # a's memory again
    True
    """
    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize   # math.prod: np.prod costs ~3 us a call
    if nbytes < _POOL_MIN_BYTES or not _POOL_ON:
        return np.empty(shape, dtype)
    with _POOL_LOCK:
        entries = _POOL.setdefault(nbytes, [])
        entry = next((e for e in entries if e[1] is None or e[1]() is None), None)
        if entry is None:
            if len(entries) >= _POOL_PER_SIZE:
                return np.empty(shape, dtype)
            entry = [np.ndarray.__new__(_PoolBuffer, (nbytes,), np.uint8), None]
            entries.append(entry)
        handed = entry[0].view(dtype, type=np.ndarray)
        entry[1] = weakref.ref(handed)
        return handed.reshape(shape)


def pooled_like(a: np.ndarray, dtype=None) -> np.ndarray:
    """pooled_empty with a's shape, in a's layout when a is channel-major (else C order).

    Examples
    --------
    >>> from lucidnet.autograd.ops.buffers import channel_major, pooled_like
    >>> x = np.zeros((3, 2, 4)).swapaxes(0, 1)  # (2, 3, 4), laid out as (3, 2, 4)
    >>> out = pooled_like(x); out.shape, channel_major(out)  # the layout is kept
    ((2, 3, 4), True)
    >>> channel_major(pooled_like(np.zeros((2, 3, 4)), dtype=np.float32))
    False
    """
    dtype = a.dtype if dtype is None else dtype
    if channel_major(a):
        return pooled_empty((a.shape[1], a.shape[0]) + a.shape[2:], dtype).swapaxes(0, 1)
    return pooled_empty(a.shape, dtype)


def release_buffers() -> None:
    """Drop the scratch and pooled buffers the ops keep (memory is reclaimed once no array
    uses them); they are rebuilt on demand.

    Examples
    --------
    >>> from lucidnet.autograd.ops.buffers import release_buffers, scratch
    >>> a = scratch("example", (4,), np.float64)
    >>> release_buffers(); scratch("example", (4,), np.float64) is a  # a fresh buffer
    False
    """
    with _POOL_LOCK:
        _POOL.clear()
        _SCRATCH.clear()


def channel_major(a: np.ndarray) -> bool:
    """True when a (N, C, ...) is laid out as a C-contiguous (C, N, ...) array seen through a
    swap of its first two axes -- the layout Conv returns and the ops after it preserve.

    Examples
    --------
    >>> from lucidnet.autograd.ops.buffers import channel_major
    >>> channel_major(np.zeros((3, 2, 5)).swapaxes(0, 1)), channel_major(np.zeros((2, 3, 5)))
    (True, False)
    """
    return a.ndim >= 2 and not a.flags.c_contiguous and a.swapaxes(0, 1).flags.c_contiguous
