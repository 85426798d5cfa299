"""`DataLoader`: batches from a dataset, in this process or in worker processes, as
``torch.utils.data.DataLoader``.

One pass (``for batch in loader``) does::

    for indices in batch_sampler:              # e.g. BatchSampler(RandomSampler(ds), 64, False)
        yield collate_fn([dataset[i] for i in indices])

``batch_size=None`` switches batching off: ``yield default_convert(dataset[i])`` per index. An
`IterableDataset` is read as a stream instead (no sampler): ``batch_size`` consecutive items per
batch. With ``num_workers > 0``, worker processes fetch and collate the batches (each worker takes
every ``num_workers``-th batch, at most ``prefetch_factor`` batches ahead) and the main process
yields them in order.

A `TensorDataset` (or a Subset of one) with the default collate is read with one fancy index per
tensor, ``t[indices]``, instead of one ``t[i]`` per sample: the same batch, without a Python loop.
"""

from __future__ import annotations

import atexit
import itertools
import multiprocessing
import os
import pickle
import queue
import warnings

import numpy as np

from ...autograd.tensor import Tensor
from . import worker as _worker
from ._random import draw_seed
from .collate import default_collate, default_convert
from .dataset import IterableDataset, Subset, TensorDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader"]

_python_exiting = [False]
atexit.register(_python_exiting.__setitem__, 0, True)


class _InfiniteConstantSampler(Sampler):
    """``None`` forever: the "indices" of an iterable dataset (its items come in stream order)."""

    def __iter__(self):
        while True:
            yield None


# ---------------------------------------------------------------------------------- fetchers
def _tensor_source(dataset):
    """``(subset index lists, TensorDataset)`` when ``dataset`` is a TensorDataset reached through
    plain Subsets, so that a batch can be one fancy index per tensor; else None."""
    chain = []
    while isinstance(dataset, Subset) and type(dataset).__getitems__ is Subset.__getitems__:
        chain.append(dataset.indices)
        dataset = dataset.dataset
    if (isinstance(dataset, TensorDataset) and type(dataset).__getitem__ is TensorDataset.__getitem__
            and getattr(dataset, "__getitems__", None) is None):
        return chain, dataset
    return None


def _tensor_batch(source, indices):
    """``default_collate([dataset[i] for i in indices])`` for a TensorDataset, as one index
    ``t[indices]`` per tensor; None where that shortcut does not apply (the general path runs)."""
    chain, dataset = source
    for outer in chain:
        indices = [outer[i] for i in indices]
    idx = np.asarray(indices)
    if idx.ndim != 1 or idx.size == 0 or idx.dtype.kind not in "iu":
        return None
    batch = []
    for t in dataset.tensors:
        if type(t) is np.ndarray and t.dtype.kind in "biufc":
            batch.append(Tensor(t[idx]))
        elif isinstance(t, Tensor) and not t.requires_grad:
            batch.append(Tensor(t.data[idx]))
        else:           # a tensor in a graph (stacking keeps it), or another kind of sequence
            return None
    return batch


class _MapDatasetFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last) -> None:
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        fast = auto_collation and collate_fn is default_collate
        self._tensors = _tensor_source(dataset) if fast else None

    def fetch(self, possibly_batched_index):
        if not self.auto_collation:
            return self.collate_fn(self.dataset[possibly_batched_index])
        if self._tensors is not None:
            batch = _tensor_batch(self._tensors, possibly_batched_index)
            if batch is not None:
                return batch
        getitems = getattr(self.dataset, "__getitems__", None)
        if getitems:
            data = getitems(possibly_batched_index)
        else:
            data = [self.dataset[idx] for idx in possibly_batched_index]
        return self.collate_fn(data)


class _IterableDatasetFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last) -> None:
        self.dataset_iter = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False

    def fetch(self, possibly_batched_index):
        if self.ended:
            raise StopIteration
        if self.auto_collation:
            data = []
            for _ in possibly_batched_index:
                try:
                    data.append(next(self.dataset_iter))
                except StopIteration:
                    self.ended = True
                    break
            if len(data) == 0 or (self.drop_last and len(data) < len(possibly_batched_index)):
                raise StopIteration
        else:
            data = next(self.dataset_iter)
        return self.collate_fn(data)


def _make_fetcher(iterable_kind: bool, dataset, auto_collation, collate_fn, drop_last):
    cls = _IterableDatasetFetcher if iterable_kind else _MapDatasetFetcher
    return cls(dataset, auto_collation, collate_fn, drop_last)


# ---------------------------------------------------------------------------------- the loader
class DataLoader:
    """Iterate over a dataset in batches (PyTorch's ``torch.utils.data.DataLoader``).

    Parameters
    ----------
    dataset : a map-style `Dataset` (``__getitem__`` + ``__len__``) or an `IterableDataset`
    batch_size : int or None, default 1
        Samples per batch; ``None`` yields the samples one by one, unbatched (``default_convert``).
    shuffle : bool, default False
        A new random order every pass (``RandomSampler(dataset, generator=generator)``).
    sampler : iterable of indices, optional (exclusive with ``shuffle``)
    batch_sampler : iterable of index lists, optional (exclusive with ``batch_size``, ``shuffle``,
        ``sampler``, ``drop_last``)
    num_workers : int, default 0
        Worker processes that load the batches (0: in this process).
    collate_fn : callable, optional
        ``list of samples -> batch``; default `default_collate` (``default_convert`` unbatched).
    pin_memory : bool
        Accepted and ignored: lucidnet runs on the CPU.
    drop_last : bool, default False
        Drop the last, incomplete batch.
    timeout : float, default 0
        Seconds to wait for a batch from the workers before a RuntimeError (0: forever).
    worker_init_fn : callable, optional
        ``worker_init_fn(worker_id)`` runs in each worker after seeding, before loading.
    multiprocessing_context : str or multiprocessing context, optional
        ``"fork"``, ``"spawn"``, ``"forkserver"``; default: multiprocessing's default.
    generator : numpy.random.Generator, optional
        Source of the shuffle order and of the workers' base seed (default: lucidnet's global
        generator, so ``lucidnet.manual_seed`` fixes them).
    prefetch_factor : int, optional
        Batches loaded ahead per worker (default 2 with workers; must be None without).
    persistent_workers : bool, default False
        Keep the worker processes between passes.
    in_order : bool, default True
        Yield batches in sampler order; False yields them as workers finish them.

    Notes
    -----
    ``len(loader)`` is ``len(batch_sampler)``: ``ceil(N / batch_size)``, or ``N // batch_size``
    with ``drop_last``; for an iterable dataset it uses ``len(dataset)`` when the dataset has one.

    Examples
    --------
    >>> from lucidnet.utils.data import DataLoader, TensorDataset
    >>> ds = TensorDataset(np.arange(10.0).reshape(5, 2), np.array([0, 1, 0, 1, 1]))
    >>> loader = DataLoader(ds, batch_size=2)
    >>> len(loader), [tuple(xb.shape) for xb, yb in loader]
    (3, [(2, 2), (2, 2), (1, 2)])
    """

    __initialized = False

    def __init__(self, dataset, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler=None, batch_sampler=None, num_workers: int = 0, collate_fn=None,
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        if not isinstance(num_workers, int) or isinstance(num_workers, bool):
            raise TypeError(f"num_workers must be an integer, got {num_workers!r}")
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; "
                             "use num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                             "let num_workers > 0 to enable multiprocessing, otherwise set "
                             "prefetch_factor to None.")
        elif num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory            # no-op: there is no GPU memory to pin for
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        if isinstance(dataset, IterableDataset):
            self._iterable = True
            if shuffle not in {False, None}:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler "
                                 f"option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
            self._iterable = False

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")

        if sampler is None:
            if self._iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self.__initialized = True
        self._IterableDataset_len_called = None
        self._iterator = None
        self._check_worker_number_rationality()

    @property
    def multiprocessing_context(self):
        """The ``multiprocessing`` start method (a name such as ``"spawn"`` or a context) the
        worker processes use; ``None`` for the platform default. Settable only with
        ``num_workers > 0``."""
        return self.__multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, context) -> None:
        if context is not None:
            if self.num_workers == 0:
                raise ValueError(f"multiprocessing_context can only be used with multi-process "
                                 f"loading (num_workers > 0), but got num_workers={self.num_workers}")
            if isinstance(context, str):
                methods = multiprocessing.get_all_start_methods()
                if context not in methods:
                    raise ValueError(f"multiprocessing_context option should specify a valid start "
                                     f"method in {methods!r}, but got "
                                     f"multiprocessing_context={context!r}")
                context = multiprocessing.get_context(context)
            if not isinstance(context, multiprocessing.context.BaseContext):
                raise TypeError(f"multiprocessing_context option should be a valid context object "
                                f"or a string specifying the start method, but got "
                                f"multiprocessing_context={context}")
        self.__multiprocessing_context = context

    def __setattr__(self, attr, val) -> None:
        if self.__initialized and attr in ("batch_size", "batch_sampler", "sampler", "drop_last",
                                           "dataset", "persistent_workers"):
            raise ValueError(f"{attr} attribute should not be set after "
                             f"{self.__class__.__name__} is initialized")
        super().__setattr__(attr, val)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        """What the fetcher reads: index lists (batching on) or single indices (off)."""
        return self.batch_sampler if self._auto_collation else self.sampler

    def _get_iterator(self):
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        return _MultiProcessingDataLoaderIter(self)

    def __iter__(self):
        # persistent workers: one iterator (and one set of processes) for the loader's lifetime
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None:
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    def __len__(self) -> int:
        if self._iterable:
            length = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is not None:
                if self.drop_last:
                    length = length // self.batch_size
                else:
                    length = -(-length // self.batch_size)
            return length
        return len(self._index_sampler)

    def _check_worker_number_rationality(self) -> None:
        if self.num_workers <= 1:
            return
        try:
            cpus = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            cpus = os.cpu_count()
        if cpus is not None and self.num_workers > cpus:
            warnings.warn(f"This DataLoader will create {self.num_workers} worker processes in "
                          f"total. Our suggested max number of worker in current system is {cpus}, "
                          "which is smaller than what this DataLoader is going to create. Please be "
                          "aware that excessive worker creation might get DataLoader running slow "
                          "or even freeze, lower the worker number to avoid potential "
                          "slowness/freeze if necessary.", UserWarning, stacklevel=3)


# ---------------------------------------------------------------------------------- iterators
class _BaseDataLoaderIter:
    def __init__(self, loader: DataLoader) -> None:
        self._dataset = loader.dataset
        self._iterable = loader._iterable
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        self._timeout = loader.timeout
        self._collate_fn = loader.collate_fn
        self._sampler_iter = iter(self._index_sampler)
        self._base_seed = draw_seed(loader.generator)
        self._persistent_workers = loader.persistent_workers
        self._num_yielded = 0

    def __iter__(self):
        return self

    def _reset(self, loader, first_iter: bool = False) -> None:
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called

    def _next_index(self):
        return next(self._sampler_iter)      # may raise StopIteration

    def _next_data(self):
        raise NotImplementedError

    def __next__(self):
        data = self._next_data()
        self._num_yielded += 1
        if (self._iterable and self._IterableDataset_len_called is not None
                and self._num_yielded > self._IterableDataset_len_called):
            msg = (f"Length of IterableDataset {self._dataset} was reported to be "
                   f"{self._IterableDataset_len_called}(when accessing len(dataloader)), but "
                   f"{self._num_yielded} samples have been fetched. ")
            if self._num_workers > 0:
                msg += ("For multiprocessing data-loading, this could be caused by not properly "
                        "configuring the IterableDataset replica at each worker (split the stream "
                        "with get_worker_info()).")
            warnings.warn(msg, stacklevel=2)
        return data

    def __len__(self) -> int:
        return len(self._index_sampler)

    def __getstate__(self):
        raise NotImplementedError(f"{self.__class__.__name__} cannot be pickled")


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    def __init__(self, loader: DataLoader) -> None:
        super().__init__(loader)
        if self._timeout != 0:
            raise ValueError(f"timeout={self._timeout} applies to worker processes; with "
                             "num_workers=0 set timeout=0 (or use num_workers > 0)")
        self._fetcher = _make_fetcher(self._iterable, self._dataset, self._auto_collation,
                                      self._collate_fn, self._drop_last)

    def _next_data(self):
        index = self._next_index()              # may raise StopIteration
        return self._fetcher.fetch(index)       # may raise StopIteration (iterable dataset)


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    """Workers fetch batches; this process hands out tasks and yields results in task order.

    Task ``k`` (the ``k``-th index batch) goes to the next active worker in turn; at most
    ``prefetch_factor * num_workers`` tasks are outstanding. ``_task_info[k]`` is ``(worker,)``
    while task ``k`` is out and ``(worker, batch)`` once it came back early (out of order).
    """

    def __init__(self, loader: DataLoader) -> None:
        super().__init__(loader)
        self._prefetch_factor = loader.prefetch_factor
        self._in_order = loader.in_order
        if self._prefetch_factor <= 0:
            raise ValueError(f"prefetch_factor must be positive with workers, got "
                             f"{self._prefetch_factor}")
        ctx = loader.multiprocessing_context or multiprocessing.get_context()
        self._shutdown = False
        self._owner_pid = os.getpid()   # a forked child holds a copy of this object: hands off
        self._workers = []
        self._index_pipes = []      # main -> worker tasks: one pipe each, written synchronously
        self._worker_result_queue = ctx.Queue()
        self._workers_done_event = ctx.Event()
        self._workers_status = [True] * self._num_workers
        for i in range(self._num_workers):
            # a Pipe, not a Queue: a Queue's feeder thread may already be finalized when this
            # iterator is collected as cyclic garbage, and the stop signal would never leave
            index_reader, index_writer = ctx.Pipe(duplex=False)
            w = ctx.Process(target=_worker._worker_loop,
                            args=(self._iterable, self._dataset, index_reader,
                                  self._worker_result_queue, self._workers_done_event,
                                  self._auto_collation, self._collate_fn, self._drop_last,
                                  self._base_seed, loader.worker_init_fn, i, self._num_workers),
                            daemon=True)
            try:
                w.start()
            except (TypeError, AttributeError, pickle.PicklingError) as e:
                index_reader.close()
                index_writer.close()
                self._shutdown_workers()
                raise type(e)(f"{e}. The 'spawn' and 'forkserver' start methods pickle the "
                              "dataset, collate_fn and worker_init_fn for each worker: define them "
                              "at module level (no lambdas or local classes) or use "
                              "multiprocessing_context='fork'") from e
            index_reader.close()        # the worker has its copy
            self._index_pipes.append(index_writer)
            self._workers.append(w)
        self._data_queue = self._worker_result_queue
        self._reset(loader, first_iter=True)

    def _reset(self, loader, first_iter: bool = False) -> None:
        super()._reset(loader, first_iter)
        self._send_idx = 0          # the next task to send
        self._rcvd_idx = 0          # the next task to yield
        self._task_info = {}
        self._tasks_outstanding = 0
        self._workers_status = [True] * self._num_workers   # still has work this epoch
        self._workers_num_tasks = [0] * self._num_workers
        self._worker_queue_idx_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:          # persistent workers: every worker acknowledges a new epoch
            for worker_id in range(self._num_workers):
                self._send(worker_id, _worker.ResumeIteration())
            pending = self._num_workers
            while pending > 0:
                return_idx, _ = self._get_data()
                if isinstance(return_idx, _worker.ResumeIteration):
                    pending -= 1     # (batches still in flight from a broken-off epoch are dropped)
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _try_get_data(self, timeout=_worker.STATUS_CHECK_INTERVAL):
        try:
            idx, data = self._data_queue.get(timeout=timeout)
        except queue.Empty as e:
            failed = []
            for worker_id, w in enumerate(self._workers):
                if self._workers_status[worker_id] and not w.is_alive():
                    failed.append(w)
                    self._mark_worker_as_unavailable(worker_id)
            if failed:
                pids = ", ".join(str(w.pid) for w in failed)
                codes = ", ".join(str(w.exitcode) for w in failed)
                raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited unexpectedly "
                                   f"(exit code(s) {codes}); a crash in the dataset's C code or "
                                   "running out of memory are the usual causes: try "
                                   "num_workers=0 to see the error") from e
            return False, None
        if isinstance(data, bytes):
            data = pickle.loads(data)
        return True, (idx, data)

    def _get_data(self):
        if self._timeout > 0:
            success, data = self._try_get_data(self._timeout)
            if success:
                return data
            raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")
        while True:
            success, data = self._try_get_data()
            if success:
                return data

    def _next_data(self):
        while True:
            # skip the tasks of workers whose stream ended (iterable datasets)
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info:
                    worker_id = info[0]
                    if len(info) == 2 or self._workers_status[worker_id]:
                        break
                    del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration
            if len(self._task_info[self._rcvd_idx]) == 2:     # arrived earlier, out of order
                worker_id, data = self._task_info.pop(self._rcvd_idx)
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)
            idx, data = self._get_data()
            self._tasks_outstanding -= 1
            if self._iterable and isinstance(data, _worker.IterableDatasetStopIteration):
                if self._persistent_workers:
                    self._workers_status[data.worker_id] = False
                else:
                    self._mark_worker_as_unavailable(data.worker_id)
                self._try_put_index()
                continue
            if idx != self._rcvd_idx:
                if not self._in_order:
                    worker_id = self._task_info.pop(idx)[0]
                    return self._process_data(data, worker_id)
                self._task_info[idx] += (data,)
            else:
                worker_id = self._task_info.pop(idx)[0]
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)

    def _try_put_index(self) -> None:
        max_tasks = self._prefetch_factor * self._num_workers
        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):   # the next active worker, if any
            worker_queue_idx = next(self._worker_queue_idx_cycle)
            if self._workers_status[worker_queue_idx]:
                if self._in_order:
                    break
                if self._workers_num_tasks[worker_queue_idx] < max_tasks // sum(self._workers_status):
                    break
        else:
            return
        self._send(worker_queue_idx, (self._send_idx, index))
        self._task_info[self._send_idx] = (worker_queue_idx,)
        self._workers_num_tasks[worker_queue_idx] += 1
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _send(self, worker_id: int, message) -> None:
        try:
            self._index_pipes[worker_id].send(message)
        except OSError:     # the worker is gone; _try_get_data reports it
            pass

    def _process_data(self, data, worker_idx):
        self._workers_num_tasks[worker_idx] -= 1
        self._try_put_index()
        if isinstance(data, _worker.ExceptionWrapper):
            data.reraise()
        return data

    def _mark_worker_as_unavailable(self, worker_id: int, shutdown: bool = False) -> None:
        # the worker exits on None (after any tasks still queued); its result is not awaited
        self._send(worker_id, None)
        self._workers_status[worker_id] = False

    def _shutdown_workers(self) -> None:
        if _python_exiting[0] or self._shutdown or os.getpid() != self._owner_pid:
            # at interpreter exit multiprocessing ends the daemon workers itself; in a process
            # forked later (another loader's worker) this is an inherited copy: not its workers
            return
        self._shutdown = True
        try:
            self._workers_done_event.set()
            for worker_id in range(len(self._workers)):
                if self._persistent_workers or self._workers_status[worker_id]:
                    self._mark_worker_as_unavailable(worker_id, shutdown=True)
            for w in self._workers:
                w.join(timeout=_worker.STATUS_CHECK_INTERVAL)
            for conn in self._index_pipes:
                conn.close()
        finally:
            for w in self._workers:
                if w.is_alive():
                    w.terminate()
                    w.join(timeout=_worker.STATUS_CHECK_INTERVAL)
            self._worker_result_queue.cancel_join_thread()
            self._worker_result_queue.close()

    def __del__(self) -> None:
        if getattr(self, "_workers", None) is not None:
            self._shutdown_workers()
