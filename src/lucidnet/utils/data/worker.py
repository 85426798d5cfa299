"""What runs inside a DataLoader worker process, and what the main process learns of it.

Each worker receives ``(task_id, indices)`` on its own pipe, fetches and collates that
batch, and puts ``(task_id, batch)`` on the shared result queue; the main process puts the
batches back in task order. An exception inside a worker travels as an `ExceptionWrapper`
(type + formatted traceback) and is raised again in the main process with the worker's traceback
in its message. ``None`` on the pipe tells the worker to exit.

Seeds: worker ``k`` of an iterator whose base seed is ``s`` seeds Python's ``random`` and
lucidnet's global generator with ``s + k``, and NumPy's legacy global generator with a state
mixed from ``(s, k)`` -- PyTorch's recipe, so augmentations drawn in different workers differ
and a seeded run repeats.
"""

from __future__ import annotations

import os
import pickle
import random
import sys
import traceback
from dataclasses import dataclass

__all__ = ["WorkerInfo", "get_worker_info", "ExceptionWrapper"]

STATUS_CHECK_INTERVAL = 1.0   # seconds between checks that the other side is still alive

_worker_info = None


@dataclass(frozen=True)
class WorkerInfo:
    """What ``get_worker_info()`` returns inside a worker: ``id`` (0 .. num_workers - 1),
    ``num_workers``, ``seed`` (this worker's seed) and ``dataset`` (this process's copy).
    Frozen, as PyTorch's (assigning raises ``dataclasses.FrozenInstanceError``).

    Worker ``id`` of an iterator with base seed ``s`` has ``seed = s + id``.

    Attributes
    ----------
    id : int
        This worker's index, 0 .. num_workers - 1.
    num_workers : int
        The number of workers of the DataLoader.
    seed : int
        This worker's seed (base seed + id).
    dataset : object
        This process's copy of the dataset.
    rng : object, optional
        Always None here (PyTorch's field).
    worker_method : str, default "multiprocessing"
        How the worker was started (PyTorch's field).

    Examples
    --------
    >>> info = ln.utils.data.WorkerInfo(id=1, num_workers=4, seed=7, dataset=None)
    >>> info.id, info.num_workers
    (1, 4)
    >>> info.id = 2
    Traceback (most recent call last):
    ...
    dataclasses.FrozenInstanceError: cannot assign to field 'id'
    """

    id: int
    num_workers: int
    seed: int
    dataset: object
    rng: object = None
    worker_method: str | None = "multiprocessing"


def get_worker_info() -> WorkerInfo | None:
    """The `WorkerInfo` of the current DataLoader worker process; ``None`` in the main process.

    Use it in an `IterableDataset`'s ``__iter__`` (or a ``worker_init_fn``) to give each worker
    its own part of a stream::

        info = get_worker_info()
        if info is not None:
            per_worker = math.ceil(n / info.num_workers)
            start = info.id * per_worker

    Examples
    --------
    >>> print(ln.utils.data.get_worker_info())       # the main process is no worker
    None
    """
    return _worker_info


class KeyErrorMessage(str):
    """A str whose repr is itself, so a re-raised KeyError shows the traceback's line breaks."""

    def __repr__(self) -> str:
        return self


class ExceptionWrapper:
    """An exception caught in a worker, with its traceback as text (tracebacks do not pickle).

    Parameters
    ----------
    exc_info : tuple, optional
        ``(type, value, traceback)``; default ``sys.exc_info()`` (the exception being handled).
    where : str, default "in background"
        Where it happened, for the message (``"in DataLoader worker process 0"``).

    Examples
    --------
    >>> from lucidnet.utils.data.worker import ExceptionWrapper
    >>> try:
    ...     1 / 0
    ... except ZeroDivisionError:
    ...     wrapped = ExceptionWrapper(where="in DataLoader worker process 0")
    >>> try:
    ...     wrapped.reraise()                    # in the main process: same type, worker's text
    ... except ZeroDivisionError as err:
    ...     print(str(err).splitlines()[0])
    Caught ZeroDivisionError in DataLoader worker process 0.
    """

    def __init__(self, exc_info=None, where: str = "in background") -> None:
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        """Raise the same exception type in this process, the worker's traceback in its message."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:   # an exception type that needs other arguments
            raise RuntimeError(msg) from None
        raise exception


@dataclass(frozen=True)
class IterableDatasetStopIteration:
    """A worker's iterable dataset is exhausted for this epoch."""

    worker_id: int


@dataclass(frozen=True)
class ResumeIteration:
    """Persistent workers: start a new epoch (re-create the fetcher)."""


def _generate_state(base_seed: int, worker_id: int) -> list:
    """Four 32-bit words for ``np.random.seed`` from (base_seed, worker_id): PyTorch's mixing
    (after NumPy's SeedSequence) so that nearby seeds give unrelated NumPy streams."""
    INIT_A, MULT_A, INIT_B, MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
    MIX_MULT_L, MIX_MULT_R, XSHIFT, MASK32 = 0xCA01F9DD, 0x4973F715, 16, 0xFFFFFFFF
    entropy = [worker_id, base_seed & MASK32, base_seed >> 32, 0]
    hash_const_a = INIT_A

    def hash_(value):
        nonlocal hash_const_a
        value = (value ^ hash_const_a) & MASK32
        hash_const_a = (hash_const_a * MULT_A) & MASK32
        value = (value * hash_const_a) & MASK32
        return (value ^ (value >> XSHIFT)) & MASK32

    def mix(x, y):
        result = ((MIX_MULT_L * x) & MASK32) - ((MIX_MULT_R * y) & MASK32)
        result &= MASK32
        return (result ^ (result >> XSHIFT)) & MASK32

    pool = [hash_(e) for e in entropy]
    for i_src in range(4):
        for i_dst in range(4):
            if i_src != i_dst:
                pool[i_dst] = mix(pool[i_dst], hash_(pool[i_src]))
    hash_const_b, state = INIT_B, []
    for value in pool:
        value = (value ^ hash_const_b) & MASK32
        hash_const_b = (hash_const_b * MULT_B) & MASK32
        value = (value * hash_const_b) & MASK32
        state.append((value ^ (value >> XSHIFT)) & MASK32)
    return state


def _dumps(data, worker_id: int) -> bytes:
    """Pickle here, not in the queue's feeder thread: a batch that cannot be pickled becomes an
    error in the main process instead of a batch that never arrives."""
    try:
        return pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        return pickle.dumps(ExceptionWrapper(where=f"in DataLoader worker process {worker_id} "
                                                   "(sending the batch back)"))


def _parent_alive(parent_pid: int) -> bool:
    return os.getppid() == parent_pid


def _worker_loop(iterable_kind, dataset, index_pipe, data_queue, done_event, auto_collation,
                 collate_fn, drop_last, base_seed, init_fn, worker_id, num_workers) -> None:
    """The body of worker process ``worker_id`` (see the module docstring)."""
    global _worker_info
    from ...random import manual_seed
    from .dataloader import _make_fetcher

    parent_pid = os.getppid()
    try:
        seed = base_seed + worker_id
        random.seed(seed)
        manual_seed(seed)
        import numpy as np

        np.random.seed(_generate_state(base_seed, worker_id))
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        init_exception = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = _make_fetcher(iterable_kind, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
        iteration_end = False
        while _parent_alive(parent_pid):
            if not index_pipe.poll(STATUS_CHECK_INTERVAL):
                continue
            try:
                r = index_pipe.recv()
            except EOFError:      # the main process closed its end
                break
            if isinstance(r, ResumeIteration):
                data_queue.put((r, None))
                iteration_end = False
                if init_exception is None:
                    fetcher = _make_fetcher(iterable_kind, dataset, auto_collation, collate_fn,
                                            drop_last)
                continue
            if r is None:         # the final signal
                break
            if done_event.is_set() or iteration_end:
                continue          # shutting down, or this epoch's stream is over: skip tasks
            idx, index = r
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                try:
                    data = fetcher.fetch(index)
                except Exception as e:
                    if isinstance(e, StopIteration) and iterable_kind:
                        data = IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                    else:
                        data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
            data_queue.put((idx, _dumps(data, worker_id)))
            del data, idx, index, r
    except KeyboardInterrupt:
        pass
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()
