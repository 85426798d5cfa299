"""How many threads lucidnet computes with (``torch.set_num_threads`` / ``get_num_threads``).

Three pools do the work of a training step:

* the BLAS library NumPy is linked to (matrix products; OpenBLAS in NumPy's wheels),
* Numba's pool, when the fused kernels are in use (``lucidnet[fast]``),
* the optimizers' pool (``lucidnet.optim.set_num_threads``).

`set_num_threads` sets all three. The BLAS pool is reached through ``ctypes`` on the OpenBLAS
that NumPy loaded (found in the process's memory map; no extra package), else through
threadpoolctl when it is installed; with neither (e.g. an MKL build of NumPy without
threadpoolctl) the BLAS keeps its size and ``OMP_NUM_THREADS`` must be set before Python
starts -- `get_num_threads` still returns the number given.

Per-op choice (`matmul`): a threaded OpenBLAS product of a thin or small matrix spends more
time handing work to its second thread than computing (on shared cores, each hand-off may wait a
whole scheduler slice: 2-3x slower measured here for the (16, 9) @ (9, 50176) product of a
first convolution). Products below `THREADED_MIN_WORK` multiply-adds, or with an inner or
outer dimension below `THREADED_MIN_DIM`, therefore run on one BLAS thread; larger ones use
the pool.
"""

from __future__ import annotations

import contextlib
import ctypes
import numbers
import os

import numpy as np

__all__ = ["THREADED_MIN_DIM", "THREADED_MIN_WORK", "blas_threads", "get_num_threads", "matmul",
           "set_num_threads"]

THREADED_MIN_WORK = 1 << 25   # m*k*n multiply-adds below which one thread is faster
THREADED_MIN_DIM = 96          # a smaller m, k or n makes a product too thin to split well

_STATE = {"n": None, "blas": None}  # the number set; the (set, get) ctypes functions or False


def _check_count(n) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"set_num_threads expects a positive integer (a thread count such as "
                         f"1 or {os.cpu_count() or 1}), got {n!r}")
    return int(n)


def _openblas():
    """(set, get) of the OpenBLAS NumPy uses, as ctypes functions; False if none is found."""
    if _STATE["blas"] is None:
        _STATE["blas"] = False
        try:
            with open("/proc/self/maps") as maps:
                paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
        except OSError:  # not Linux
            paths = set()
        for path in sorted(paths):
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            for prefix, suffix in (("scipy_openblas", "64_"), ("openblas", "64_"),
                                   ("openblas", "")):
                setter = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
                getter = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
                if setter is not None and getter is not None:
                    setter.argtypes, setter.restype = [ctypes.c_int], None
                    getter.argtypes, getter.restype = [], ctypes.c_int
                    _STATE["blas"] = (setter, getter)
                    return _STATE["blas"]
    return _STATE["blas"]


def _blas_threads() -> int | None:
    blas = _openblas()
    if blas:
        return int(blas[1]())
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    counts = [p.get("num_threads", 0) for p in threadpool_info() if p.get("user_api") == "blas"]
    return max(counts, default=0) or None


def set_num_threads(n: int) -> None:
    """Compute with ``n`` threads: NumPy's BLAS, Numba's kernels and the optimizers.

    Parameters
    ----------
    n : int
        A positive thread count. Above the cores of the machine it oversubscribes them (allowed,
        as in PyTorch, but slower).

    Raises
    ------
    ValueError
        If ``n`` is not a positive integer.

    Notes
    -----
    Numba's pool cannot grow past ``NUMBA_NUM_THREADS`` (the core count by default, fixed when
    Numba starts): a larger ``n`` uses all of it. Products too small to gain from threads still
    run on one BLAS thread (`matmul`).

    Examples
    --------
    >>> blas, opt = ln.threads.get_num_threads(), ln.optim.get_num_threads()
    >>> ln.threads.set_num_threads(1)
    >>> ln.threads.get_num_threads(), ln.optim.get_num_threads()     # the optimizers' pool too
    (1, 1)
    >>> ln.threads.set_num_threads(blas); ln.optim.set_num_threads(opt)      # restore
    >>> ln.threads.set_num_threads(0)
    Traceback (most recent call last):
        ...
    ValueError: set_num_threads expects a positive integer (a thread count such as 1 or ...), got 0
    """
    n = _check_count(n)
    blas = _openblas()
    if blas:
        blas[0](n)
    else:
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            pass
        else:
            threadpool_limits(limits=n, user_api="blas")
    from . import _fast

    if _fast.AVAILABLE:
        import numba

        numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
    import importlib

    optim = importlib.import_module(".optim", __package__)
    if hasattr(optim, "set_num_threads"):
        optim.set_num_threads(n)
    _STATE["n"] = n


def get_num_threads() -> int:
    """The thread count given to `set_num_threads`; before any call, the size of NumPy's BLAS
    pool (``OMP_NUM_THREADS`` / ``OPENBLAS_NUM_THREADS`` or the core count), else the number
    of CPUs.

    Returns
    -------
    int
        A positive thread count.

    Examples
    --------
    >>> n = ln.threads.get_num_threads()
    >>> isinstance(n, int) and n >= 1
    True
    """
    if _STATE["n"] is not None:
        return _STATE["n"]
    return _blas_threads() or os.cpu_count() or 1


def matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``np.matmul(a, b, out=out)`` on one BLAS thread when the product is too small or thin
    to gain from threads (m*k*n < `THREADED_MIN_WORK` or min(m, k, n) < `THREADED_MIN_DIM`),
    on the whole BLAS pool otherwise. Same result either way (one BLAS call).

    Parameters
    ----------
    a, b : numpy.ndarray
        Operands as ``np.matmul`` takes them: shapes (*, m, k) and (*, k, n) (1-D operands go
        straight to ``np.matmul``).
    out : numpy.ndarray, optional
        Where to write the (*, m, n) result.

    Returns
    -------
    numpy.ndarray
        ``a @ b``, c_ij = sum_l a_il b_lj.

    Examples
    --------
    >>> ln.threads.matmul(np.ones((4, 3)), np.ones((3, 2))).tolist()     # each entry sums 3 ones
    [[3.0, 3.0], [3.0, 3.0], [3.0, 3.0], [3.0, 3.0]]
    >>> big = np.ones((64, 9))
    >>> bool((ln.threads.matmul(big, big.T) == big @ big.T).all())        # the same as np.matmul
    True
    """
    blas = _STATE["blas"]
    if blas is None:
        blas = _openblas()
    if not blas or a.ndim < 2 or b.ndim < 2:
        return np.matmul(a, b, out=out)
    m, k, n = a.shape[-2], a.shape[-1], b.shape[-1]
    work = m * k * n
    # OpenBLAS runs products below 2**18 multiply-adds on one thread already
    if work < 1 << 18 or (work >= THREADED_MIN_WORK and min(m, k, n) >= THREADED_MIN_DIM):
        return np.matmul(a, b, out=out)
    threads = blas[1]()
    if threads <= 1:
        return np.matmul(a, b, out=out)
    blas[0](1)
    try:
        return np.matmul(a, b, out=out)
    finally:
        blas[0](threads)


@contextlib.contextmanager
def blas_threads(n: int | None):
    """Run the block with NumPy's BLAS on ``n`` threads (None: leave the pool as it is), then
    restore the pool's size. Without a reachable OpenBLAS the block runs unchanged.

    Parameters
    ----------
    n : int or None
        A positive thread count, or None.

    Examples
    --------
    >>> before = ln.threads.get_num_threads()
    >>> with ln.threads.blas_threads(1):
    ...     c = np.ones((2, 3)) @ np.ones((3, 2))       # computed on one BLAS thread
    >>> c.tolist(), ln.threads.get_num_threads() == before
    ([[3.0, 3.0], [3.0, 3.0]], True)
    """
    blas = _openblas() if n is not None else None
    if not blas:
        yield
        return
    before = blas[1]()
    blas[0](_check_count(n))
    try:
        yield
    finally:
        blas[0](before)
