"""How an optimizer step runs: flat state, buckets, fused kernels and threads (internal).

The algorithms (`sgd.py`, `adam.py` ...) say *what* an update computes; this module says *how*
it is run over the parameters of one group. `Optimizer.step` calls :func:`step_group` once per
param group.

Flat state
    Each group keeps its state (``exp_avg``, ``momentum_buffer`` ...) in one flat array per state
    name, laid out parameter after parameter (:class:`GroupBuffers`); ``optimizer.state[p]``
    shows the per-parameter slices as views.

Fused path (Numba installed and ``lucidnet._fast.enabled()``)
    For each parameter with a gradient the algorithm's ``_fused_plan`` computes the step's
    scalar coefficients once in Python and returns a function that runs *one* compiled loop
    over the parameter's buffers (``lucidnet._fast.optim_kernels``): every element is read and
    written once, where a chain of NumPy ufuncs walks the memory four or five times. In groups
    of 2M elements or more, parameters are cut into chunks that up to ``get_num_threads()``
    threads update at once (the kernels release the GIL).

NumPy path (the reference; also the path when Numba is absent or ``LUCIDNET_FAST=0``)
    A group is cut once into *buckets*: a large parameter is a bucket of its own and is updated
    in place through views of ``.data`` / ``.grad``; runs of small parameters are gathered with
    one ``np.concatenate(..., out=)`` into a scratch buffer, updated together by the algorithm's
    ``_update`` (a handful of in-place ufuncs) and copied back. Buckets are shared between the
    threads for large groups (NumPy releases the GIL inside ufuncs).

Neither the bucketing nor the chunking nor the threads change the arithmetic: each element's
result is the same whatever the split. A parameter whose ``.grad`` is None is skipped, as
PyTorch does; each parameter counts its own steps.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from .. import _fast
from .._validation import check_int
from ..autograd.tensor import Tensor, bump_versions
from ..threads import blas_axpy

__all__ = ["GroupBuffers", "UpdateSlice", "get_num_threads", "set_num_threads", "step_group"]

_NUM_THREADS = max(1, min(2, os.cpu_count() or 1))
_POOL: ThreadPoolExecutor | None = None
_BUCKET = 1 << 16          # elements per gathered bucket (~256 KiB of float32: stays in L2)
_THREAD_MIN = 1 << 17      # groups smaller than this run on one thread (dispatch costs more)
_FUSED_THREAD_MIN = 1 << 21   # a fused step is memory-bound: threads pay only on large groups
_AXPY_MIN = 1 << 12        # plain SGD hands parameters this large to BLAS's axpy (ctypes ~2 us)
_CHUNK_MIN = 1 << 16       # the fused path cuts parameters into chunks no smaller than this


def set_num_threads(n: int) -> None:
    """Set the number of threads the optimizers use for large parameter groups.

    Parameters
    ----------
    n : int
        Threads (>= 1); 1 runs every update on the calling thread. The default is
        ``min(2, os.cpu_count())``. Small groups always run on one thread, as starting a
        thread costs more than it saves: under 131,072 elements on the NumPy path, under
        2,097,152 on the fused path (a fused step is bound by memory bandwidth).

    Examples
    --------
    >>> from lucidnet import optim
    >>> before = optim.get_num_threads()
    >>> optim.set_num_threads(1)
    >>> optim.get_num_threads()
    1
    >>> optim.set_num_threads(before)
    """
    global _NUM_THREADS
    _NUM_THREADS = check_int("set_num_threads", "n", n, low=1)


def get_num_threads() -> int:
    """Return the number of threads the optimizers use (see `set_num_threads`).

    Examples
    --------
    >>> from lucidnet import optim
    >>> optim.get_num_threads() >= 1
    True
    """
    return _NUM_THREADS


def _pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="lucidnet-optim")
    return _POOL


def _forget_pool_in_child() -> None:
    """After a fork the inherited pool has no threads (work queued on it would never run): the
    child builds its own."""
    global _POOL
    _POOL = None


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_forget_pool_in_child)


class GroupBuffers:
    """Flat state, step counts and the bucket plan of one parameter group (internal)."""

    def __init__(self, params: list, dtype: np.dtype):
        self.params = params
        self.sizes = [int(p.data.size) for p in params]
        self.offsets = [0]
        for n in self.sizes:
            self.offsets.append(self.offsets[-1] + n)
        self.total = self.offsets[-1]
        self.dtype = dtype
        self.flat: dict[str, np.ndarray] = {}
        self.steps = [0] * len(params)
        self.scalars: dict[str, list[float]] = {}
        self.views: list = [None] * len(params)     # fused path: cached 1-D views
        self.scratch: np.ndarray | None = None   # (n_work, total) scratch rows for _update
        self.gather: np.ndarray | None = None    # gathered/owned gradients
        self.pgather: np.ndarray | None = None   # gathered parameters
        # buckets: (first param, end param, first element, end element)
        self.buckets: list[tuple[int, int, int, int]] = []
        i = 0
        while i < len(params):
            j, size = i + 1, self.sizes[i]
            while j < len(params) and size + self.sizes[j] <= _BUCKET:
                size += self.sizes[j]
                j += 1
            self.buckets.append((i, j, self.offsets[i], self.offsets[j]))
            i = j

    def buffers(self, n_work: int):
        """Scratch rows, gathered gradients and gathered parameters (allocated on first use)."""
        if self.scratch is None or self.scratch.shape[0] != n_work:
            self.scratch = np.empty((n_work, self.total), self.dtype)
            self.gather = np.empty(self.total, self.dtype)
            self.pgather = np.empty(self.total, self.dtype)
        return self.scratch, self.gather, self.pgather

    def prepare(self, state_names: Iterable[str], init_value: Callable[[str], float],
                scalar_names: Iterable[tuple[str, float]], owner: str) -> None:
        """Follow a cast of the model (``module.double()``) and allocate missing state."""
        dtype = self.params[0].data.dtype
        if dtype != self.dtype:
            if any(p.data.dtype != dtype for p in self.params):
                raise ValueError(f"{owner}: parameters of one group now have mixed dtypes; "
                                 f"cast the whole model")
            self.dtype = dtype
            self.flat = {k: v.astype(dtype) for k, v in self.flat.items()}
            self.scratch = self.gather = self.pgather = None
            self.views = [None] * len(self.params)
        for name in state_names:
            if name not in self.flat:
                self.views = [None] * len(self.params)
                value = init_value(name)
                self.flat[name] = np.full(self.total, value, self.dtype) if value else \
                    np.zeros(self.total, self.dtype)
        for name, value in scalar_names:
            if name not in self.scalars:
                self.scalars[name] = [value] * len(self.params)


class UpdateSlice:
    """What the NumPy reference ``_update`` of an algorithm works on (1-D arrays of one bucket).

    ``param`` is updated in place; ``grad`` is the gradient after ``maximize`` and coupled weight
    decay (read only); ``state`` maps state names to their slices; ``work`` holds the
    algorithm's ``_n_work`` scratch rows; ``step`` is the 1-based step count of these
    parameters; ``scalars`` the per-parameter scalar state (updated in place).
    """

    __slots__ = ("grad", "param", "scalars", "state", "step", "work")

    def __init__(self, param, grad, state, work, step, scalars):
        self.param, self.grad, self.state = param, grad, state
        self.work, self.step, self.scalars = work, step, scalars


# ---------------------------------------------------------------------------------- one group
def step_group(opt, group: dict[str, Any], gd: GroupBuffers) -> None:
    """Update every parameter of one group that has a gradient (fused or NumPy path), then
    bump their versions: a step is an in-place change, as PyTorch's, so a pending backward
    that saved one of these weights raises instead of using the new one."""
    opt._prepare(group, gd)
    fused = _fast.enabled() and _fast.takes(gd.dtype) and opt._fusable(group)  # no float16
    if fused and not gd.scalars and (_NUM_THREADS == 1 or gd.total < _FUSED_THREAD_MIN or (
            opt._blas_threaded(group) and blas_axpy(gd.dtype) is not None)):
        _fused_one_thread(opt, group, gd)
        return
    grads = _grad_arrays(opt, gd)
    work = _fused_jobs(opt, group, gd, grads) if fused else _numpy_jobs(opt, group, gd, grads)
    if _NUM_THREADS > 1 and len(work) > 1 and sum(w for w, _ in work) >= _THREAD_MIN:
        lanes: list[list[Callable[[], None]]] = [[] for _ in range(_NUM_THREADS)]
        load = [0] * _NUM_THREADS
        for w, job in sorted(work, key=lambda t: -t[0]):
            k = load.index(min(load))
            lanes[k].append(job)
            load[k] += w
        futures = [_pool().submit(_run_all, lane) for lane in lanes[1:] if lane]
        _run_all(lanes[0])
        for f in futures:
            f.result()
    else:
        for _, job in work:
            job()
    bump_versions([p for p, g in zip(gd.params, grads) if g is not None])


def _grad_arrays(opt, gd: GroupBuffers) -> list:
    """The gradients' arrays (``.grad`` is a Tensor; the update runs on NumPy arrays), checked
    against the parameters' sizes and shapes (one pass: many small tensors make this hot)."""
    grads = []
    for k, (p, size) in enumerate(zip(gd.params, gd.sizes)):
        data = p.data
        if data.size != size:
            data = _checked_data(opt, p, k, size)
        g = p._grad
        if g is not None:
            if g.__class__ is not np.ndarray:
                g = g.data
            if g.shape != data.shape:
                _bad_grad_shape(opt, k, g, data)
        grads.append(g)
    return grads


def _checked_data(opt, p, k: int, size: int) -> np.ndarray:
    """Parameter ``k``'s array after its size changed: a tensor assigned to ``p.data`` is
    unwrapped; an array of another size is an error (the flat state has ``size`` slots)."""
    if unwrap_data(p) and p.data.size == size:
        return p.data
    data = p.data
    raise ValueError(f"{type(opt).__name__}: parameter {k} now has {data.size} elements "
                     f"(shape {data.shape}), it had {size} when the optimizer was built; "
                     f"assign p.data an array of the same shape, or build a new optimizer")


def _bad_grad_shape(opt, k: int, g: np.ndarray, data: np.ndarray):
    raise ValueError(f"{type(opt).__name__}: gradient of parameter {k} has shape {g.shape}, "
                     f"expected the parameter's shape {data.shape}")


# ---------------------------------------------------------------------------------- fused path
def _fused_jobs(opt, group, gd: GroupBuffers, grads: list) -> list:
    """Run the fused update of every parameter with a gradient; with threads, return one job
    per chunk instead (and a job for each non-contiguous parameter, updated through a copy)."""
    names = opt._state_names(group)
    plans: dict[tuple, tuple] = {}     # parameters at the same step share one plan
    present = [i for i, g in enumerate(grads) if g is not None]
    total = sum(gd.sizes[i] for i in present)
    threaded = _NUM_THREADS > 1 and total >= _FUSED_THREAD_MIN
    chunk = max(_CHUNK_MIN, -(-total // (2 * _NUM_THREADS))) if threaded else 0
    steps, scalar_lists, dtype = gd.steps, gd.scalars, gd.dtype
    views = gd.views
    work = []
    for i in present:
        step = steps[i] + 1
        key = (step, *(v[i] for v in scalar_lists.values())) if scalar_lists else step
        plan = plans.get(key)
        if plan is None:
            scalars = {k: v[i] for k, v in scalar_lists.items()}
            kernel = opt._fused_plan(group, step, scalars, dtype)   # updates the scalars
            plan = plans[key] = (kernel, scalars)
        kernel, scalars = plan
        steps[i] = step
        for name, value in scalars.items():
            scalar_lists[name][i] = value
        data = gd.params[i].data
        cached = views[i]
        if cached is None or cached[0] is not data or cached[1] != names:
            cached = views[i] = _views(gd, i, data, names)
        param, state = cached[2], cached[3]
        if param is None:
            continue                         # a 0-size parameter
        grad = grads[i]
        if grad.__class__ is not np.ndarray:
            grad = grad.view(np.ndarray)
        grad = grad.reshape(-1)
        if grad.dtype != dtype:
            grad = grad.astype(dtype)
        if cached[4]:                        # non-contiguous: update a copy, write it back
            work.append((gd.sizes[i], _copy_back_job(kernel, data.reshape(-1).copy(), grad,
                                                    state, data)))
        elif not threaded:                   # run now: no job objects on the hot path
            kernel(param, grad, *state)
        else:
            size = param.size
            step_len = chunk if size > chunk else size
            for lo in range(0, size, step_len):
                hi = min(size, lo + step_len)
                work.append((hi - lo, _chunk_job(kernel, param[lo:hi], grad[lo:hi],
                                                 [s[lo:hi] for s in state])))
    return work


def _fused_one_thread(opt, group, gd: GroupBuffers) -> None:
    """`step_group` on the fused path, on one thread, for an algorithm without per-parameter
    scalars: the checks of `_grad_arrays`, the updates and the version bumps in two passes with
    as little Python per parameter as possible (many small tensors make a step overhead-bound:
    the compiled call itself is ~0.4 us). Every parameter is checked before any is updated."""
    names = opt._state_names(group)
    params, steps, views, dtype = gd.params, gd.steps, gd.views, gd.dtype
    ndarray = np.ndarray
    ready = []                           # (index, 1-D view of the parameter, 1-D gradient)
    copied = []                          # (index, parameter), updated through a copy
    stepped = []                         # every parameter with a gradient
    i = -1
    for p, size, cached in zip(params, gd.sizes, views):
        i += 1
        data = p.data
        g = p._grad
        if g is None:
            if data.size != size:
                _checked_data(opt, p, i, size)
            continue
        if g.__class__ is not ndarray:
            g = g.data
            if g.__class__ is not ndarray:
                g = g.view(ndarray)
        if cached is None or cached[0] is not data or g.shape != cached[5] or \
                (cached[1] is not names and cached[1] != names):
            # a new array, new state or a reshaped one: check it all and view it anew
            if data.size != size:
                data = _checked_data(opt, p, i, size)
            if g.shape != data.shape:
                _bad_grad_shape(opt, i, g, data)
            cached = views[i] = _views(gd, i, data, names)
        if g.dtype is not dtype and g.dtype != dtype:
            g = g.astype(dtype)
        stepped.append(p)
        if cached[4]:
            copied.append((i, p, g.reshape(-1)))
        elif cached[2] is not None:          # (a 0-size parameter has nothing to update)
            ready.append((i, cached, g.reshape(-1)))
    if not stepped:
        return
    if len(stepped) == len(params) and steps.count(steps[0]) == len(steps):
        # the usual case: every parameter has a gradient and all are at the same step
        gd.steps = [steps[0] + 1] * len(steps)
        by_step = {steps[0] + 1: (ready, copied)}
    else:
        for i, p in enumerate(params):
            if p._grad is not None:
                steps[i] += 1
        by_step = {}
        for kind, items in enumerate((ready, copied)):
            for item in items:
                by_step.setdefault(steps[item[0]], ([], []))[kind].append(item)
    for step, (plain, through_copy) in by_step.items():   # one plan per step value
        run = opt._fused_plan(group, step, {}, dtype)
        # a plan may offer its compiled kernel and trailing arguments (``run.direct``):
        # calling it saves a Python frame per parameter
        kernel, tail = getattr(run, "direct", (None, ()))
        axpy, alpha = getattr(run, "axpy", (None, 0.0))
        if axpy is not None:                 # plain SGD: large parameters by BLAS (threaded)
            t0, t1 = tail
            for _, cached, grad in plain:
                view = cached[2]
                # BLAS takes whole blocks of 1024 (its threads' pieces then have no scalar
                # tail, which it rounds twice), the kernel the rest: one FMA per element
                # either way, as PyTorch's add_(g, alpha=-lr)
                head = view.size - view.size % 1024
                if head >= _AXPY_MIN and grad.flags.c_contiguous:
                    axpy(head, alpha, grad.ctypes.data, 1, view.ctypes.data, 1)
                    if head < view.size:
                        kernel(view[head:], grad[head:], t0, t1)
                else:
                    kernel(view, grad, t0, t1)
        elif kernel is None:
            for _, cached, grad in plain:
                run(cached[2], grad, *cached[3])
        elif not names and len(tail) == 2:   # plain SGD: no state, the most common case
            t0, t1 = tail
            for _, cached, grad in plain:
                kernel(cached[2], grad, t0, t1)
        else:
            for _, cached, grad in plain:
                kernel(cached[2], grad, *cached[3], *tail)
        for i, p, grad in through_copy:      # non-contiguous: update a copy, write it back
            _copy_back_job(run, p.data.reshape(-1).copy(), grad, views[i][3], p.data)()
    bump_versions(stepped)


def _views(gd: GroupBuffers, i: int, data: np.ndarray, names: tuple) -> tuple:
    """``(data, names, 1-D plain-ndarray view of parameter i, its state slices, whether it is
    updated through a copy, data's shape)``, cached in ``gd.views`` while the parameter's array
    is the same object (`GroupBuffers.prepare` clears the cache when the flat state is
    reallocated); the view is None for a 0-size parameter, an empty array for a non-contiguous
    one."""
    a, b = gd.offsets[i], gd.offsets[i + 1]
    param = data.view(np.ndarray).reshape(-1) if a < b and data.flags.c_contiguous else None
    copied = a < b and param is None
    if copied:
        param = np.empty(0, gd.dtype)        # non-contiguous: updated through a copy
    return (data, names, param, [gd.flat[n][a:b] for n in names], copied, data.shape)


def _chunk_job(kernel, param, grad, state):
    return lambda: kernel(param, grad, *state)


def _copy_back_job(kernel, param, grad, state, data):
    def job():
        kernel(param, grad, *state)
        np.copyto(data, param.reshape(data.shape))
    return job


# ---------------------------------------------------------------------------------- NumPy path
def _numpy_jobs(opt, group, gd: GroupBuffers, grads: list) -> list:
    scratch, gather, pgather = gd.buffers(opt._n_work)
    names = opt._state_names(group)
    steps = gd.steps
    work = []
    for i0, i1, a, b in gd.buckets:
        whole = all(g is not None for g in grads[i0:i1]) and \
            len(set(steps[i0:i1])) == 1 and \
            all(len(set(v[i0:i1])) == 1 for v in gd.scalars.values())
        if whole:
            work.append((b - a, _bucket_job(opt, group, gd, names, grads, i0, i1, a, b,
                                            scratch, gather, pgather)))
        else:
            for i in range(i0, i1):
                if grads[i] is not None:
                    a1, b1 = gd.offsets[i], gd.offsets[i + 1]
                    work.append((b1 - a1, _bucket_job(opt, group, gd, names, grads, i, i + 1,
                                                      a1, b1, scratch, gather, pgather)))
    return work


def _bucket_job(opt, group, gd, names, grads, i0, i1, a, b, scratch, gather, pgather):
    def job():
        params = gd.params
        single = i1 - i0 == 1 and params[i0].data.flags.c_contiguous
        if single:  # a plain view: in-place ufuncs on a DataArray take NumPy's slow path
            param = params[i0].data.view(np.ndarray).reshape(-1)
            grad = grads[i0].reshape(-1)
        else:
            param = pgather[a:b]
            grad = gather[a:b]
            np.concatenate([q.data.reshape(-1) for q in params[i0:i1]], out=param)
            np.concatenate([x.reshape(-1) for x in grads[i0:i1]], out=grad, casting="same_kind")
        work = scratch[:, a:b]
        grad = effective_grad(group, param, grad, gather[a:b], work[0], own=not single)
        step = gd.steps[i0] + 1
        scalars = {k: v[i0] for k, v in gd.scalars.items()}
        state = {n: gd.flat[n][a:b] for n in names}
        opt._update(group, UpdateSlice(param, grad, state, work, step, scalars))
        if not single:
            for k in range(i0, i1):
                q = params[k].data
                np.copyto(q, param[gd.offsets[k] - a:gd.offsets[k + 1] - a].reshape(q.shape))
        for k in range(i0, i1):
            gd.steps[k] = step
            for key, value in scalars.items():
                gd.scalars[key][k] = value
    return job


def effective_grad(group, param, grad, buf, tmp, own: bool):
    """``g' = -g if maximize``, then ``g' = g' + weight_decay * θ`` unless the decay is
    decoupled (PyTorch's order); returns ``grad`` itself when neither applies."""
    maximize = group.get("maximize", False)
    wd = 0.0 if group.get("decoupled_weight_decay", False) else group.get("weight_decay", 0.0)
    if not maximize and not wd:
        return grad
    if maximize:
        np.negative(grad, out=buf)
    elif not own:
        np.copyto(buf, grad, casting="same_kind")
    if wd:
        np.multiply(param, wd, out=tmp)
        buf += tmp
    return buf


def coupled_decay(group) -> float:
    """The L2 coefficient added to the gradient (0 when the decay is decoupled)."""
    if group.get("decoupled_weight_decay", False):
        return 0.0
    return group.get("weight_decay", 0.0)


def unwrap_data(p) -> bool:
    """PyTorch code assigns a tensor to ``p.data`` (``layer.weight.data = w``); lucidnet's
    ``.data`` is the array, so take the tensor's array. True if something was unwrapped. (Asked
    once per parameter when a group is added, and in a step only after a size check failed.)"""
    data = getattr(p, "data", None)
    if isinstance(data, Tensor):
        p.data = data.data
        return True
    return False


def _run_all(jobs: Iterable[Callable[[], None]]) -> None:
    for job in jobs:
        job()
