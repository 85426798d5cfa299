"""Collectives over the process group: all_reduce, broadcast, all_gather, reduce, gather,
scatter, barrier and the object collectives, with ``torch.distributed``'s names and arguments.

Every tensor collective works in place on a lucidnet `Tensor` (its ``.data``) or a NumPy array,
of any shape (0-d and empty included) and any NumPy number dtype or bool; it writes through
non-contiguous views too (via a contiguous copy). ``async_op=True`` returns a `Work` whose
``wait()`` finishes the operation (MPI's non-blocking collectives).

The object collectives pickle their objects (as PyTorch's): use them only among your own ranks.
"""

from __future__ import annotations

import enum
import pickle

import numpy as np

from ..autograd.tensor import Tensor
from .guard import watch_begin, watch_end
from .process_group import ProcessGroup, _comm, _mpi, _State

__all__ = ["ReduceOp", "Work", "all_reduce", "broadcast", "all_gather", "all_gather_object",
           "all_gather_into_tensor",
           "broadcast_object_list", "reduce", "gather", "scatter", "barrier",
           "gather_object"]


class ReduceOp(enum.Enum):
    """How `all_reduce` / `reduce` combine the ranks' values (``torch.distributed.ReduceOp``).

    ``SUM`` / ``PRODUCT`` / ``MIN`` / ``MAX``: elementwise; ``AVG``: ``SUM / world_size``
    (floating and complex dtypes only); ``BAND`` / ``BOR`` / ``BXOR``: bitwise, integer and bool
    dtypes only. On bool arrays SUM and MAX are a logical or, PRODUCT and MIN a logical and.

    Examples
    --------
    >>> from lucidnet.distributed import ReduceOp
    >>> ReduceOp.SUM, ReduceOp("avg")
    (<ReduceOp.SUM: 'sum'>, <ReduceOp.AVG: 'avg'>)
    """

    SUM = "sum"
    AVG = "avg"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"
    BAND = "band"
    BOR = "bor"
    BXOR = "bxor"


_BOOL_OPS = {"sum": "LOR", "max": "LOR", "bor": "LOR", "product": "LAND", "min": "LAND",
             "band": "LAND", "bxor": "LXOR"}
_MPI_OPS = {"sum": "SUM", "avg": "SUM", "product": "PROD", "min": "MIN", "max": "MAX",
            "band": "BAND", "bor": "BOR", "bxor": "BXOR"}


def _as_op(op) -> ReduceOp:
    if isinstance(op, ReduceOp):
        return op
    if isinstance(op, str) and op.upper() in ReduceOp.__members__:
        return ReduceOp[op.upper()]
    raise ValueError(f"op must be a lucidnet.distributed.ReduceOp ({', '.join(ReduceOp.__members__)}), "
                     f"got {op!r}")


def _mpi_op(op: ReduceOp, dtype: np.dtype):
    MPI = _mpi()
    kind = dtype.kind
    if kind == "b":
        if op is ReduceOp.AVG:
            raise TypeError("ReduceOp.AVG of a bool tensor is not defined; use SUM (a logical "
                            "or) or convert to a floating dtype first")
        return getattr(MPI, _BOOL_OPS[op.value])
    if op in (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR) and kind not in "iu":
        raise TypeError(f"ReduceOp.{op.name} is bitwise: it needs an integer or bool tensor, got "
                        f"dtype {dtype}")
    if op is ReduceOp.AVG and kind not in "fc":
        raise TypeError(f"ReduceOp.AVG of an integer tensor (dtype {dtype}) would not be exact; "
                        f"use SUM and divide, or convert to a floating dtype first")
    if kind not in "biufc":
        raise TypeError(f"collectives need a numeric or bool array, got dtype {dtype}")
    return getattr(MPI, _MPI_OPS[op.value])


def _array(tensor, fn: str, name: str = "tensor") -> np.ndarray:
    """The NumPy array a collective works on: a Tensor's ``.data`` or the ndarray itself."""
    if isinstance(tensor, Tensor):
        return tensor.data
    if isinstance(tensor, np.ndarray):
        return tensor
    raise TypeError(f"{fn}: {name} must be a lucidnet Tensor or a NumPy array (written in "
                    f"place), got {type(tensor).__name__}")


def _bump(tensor) -> None:
    if isinstance(tensor, Tensor):
        tensor._bump_version()  # changed in place, as PyTorch's collectives count it


def _buffer(a: np.ndarray, fn: str) -> tuple[np.ndarray, bool]:
    """A C-contiguous writeable array with ``a``'s values: ``a`` itself or a copy (then True:
    copy the result back)."""
    if not a.flags.writeable:
        raise ValueError(f"{fn}: the array is read-only, but the collective writes its result "
                         f"into it in place; pass a writeable copy (array.copy())")
    if a.dtype.kind not in "biufc":
        raise TypeError(f"{fn}: collectives need a numeric or bool array, got dtype {a.dtype}")
    if a.flags.c_contiguous and type(a) is np.ndarray:
        return a, False
    if a.flags.c_contiguous:  # an ndarray subclass (lucidnet's DataArray): a plain view
        return a.view(np.ndarray), False
    return np.ascontiguousarray(a), True


class Work:
    """A collective in flight (``async_op=True``): ``wait()`` finishes it (and writes the
    result into the tensor); ``is_completed()`` tests without blocking.

    ``wait(timeout)`` (a ``datetime.timedelta``; default: the process group's): an MPI
    collective cannot be cancelled, so one that does not complete in time aborts the whole job
    with a message naming it, rather than waiting forever (see `lucidnet.distributed.guard`).

    Examples
    --------
    >>> import lucidnet.distributed as dist
    >>> dist.init_process_group()      # no launcher: a group of one process
    >>> x = np.array([1.0, 2.0])
    >>> work = dist.all_reduce(x, async_op=True)    # runs in the background
    >>> work.wait(), work.is_completed(), x.tolist()
    (True, True, [1.0, 2.0])
    >>> dist.destroy_process_group()
    """

    def __init__(self, request=None, finish=None, what: str = "collective", ranks=None):
        self._request, self._finish, self._done = request, finish, request is None
        self._what, self._ranks = what, ranks

    def wait(self, timeout=None) -> bool:
        """Block until the collective has completed (bounded by ``timeout`` seconds or a
        ``timedelta``; None: the process group's timeout) and return True."""
        if not self._done:
            if self._request is not None:
                seconds = None if timeout is None else (
                    timeout.total_seconds() if hasattr(timeout, "total_seconds")
                    else float(timeout))
                _blocking(self._request.Wait, self._what, self._ranks, seconds)
            self._done = True
            if self._finish is not None:
                self._finish()
        return True

    def is_completed(self) -> bool:
        """Whether the collective has completed, without blocking."""
        if not self._done and self._request is not None and self._request.Test():
            self.wait()
        return self._done


def _blocking(call, what: str, ranks=None, timeout=None) -> None:
    """``call()`` (a blocking MPI call), watched by the guard's watchdog thread: a timeout or a
    departed peer aborts the job instead of blocking forever."""
    watch_begin(what, ranks, timeout)
    try:
        call()
    except Exception as err:
        if type(err).__module__.startswith("mpi4py"):  # MPI's own error (mpi4py.MPI.Exception)
            raise RuntimeError(_mpi_failure(what, err)) from err
        raise
    finally:
        watch_end()


_MISMATCH_HINT = (
    "Every rank of the group must call the same collectives in the same order. A common cause "
    "is a collective on some ranks only, e.g. under `if rank == 0:` a DistributedDataParallel "
    "forward (it broadcasts the buffers first) or a SyncBatchNorm in training mode; there, "
    "evaluate ddp.module in eval mode (model.module.eval()), which communicates nothing.")


def _mpi_failure(what: str, err: Exception) -> str:
    """The message for an MPI error inside collective ``what``: MPI's first line + the hint."""
    first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return f"lucidnet.distributed: {what} failed in MPI ({first}). {_MISMATCH_HINT}"


def _launch(blocking, start, finish, async_op: bool, what: str, group=None) -> Work | None:
    """Run a collective: now (``blocking()``, watched) or in the background (``async_op``:
    ``start()`` gives the request of a `Work`). ``finish`` runs after it."""
    pg = _State.world if group is None else group
    if async_op:
        return Work(start(), finish, what, pg.ranks)
    if pg.size() == 1:
        blocking()
    else:
        _blocking(blocking, what, pg.ranks)
    if finish is not None:
        finish()
    return None


def all_reduce(tensor, op: ReduceOp = ReduceOp.SUM, group: ProcessGroup | None = None,
               async_op: bool = False) -> Work | None:
    """Combine ``tensor`` over all ranks with ``op``, in place: every rank ends with
    ``op(tensor_0, ..., tensor_{n-1})`` (``AVG``: the sum divided by the world size).
    Every rank must pass the same shape and dtype.

    Examples
    --------
    With one process the sum over ranks is the tensor itself; with ``mpirun -n 2`` and
    ``[1, 2]`` on every rank, every rank would end with ``[2, 4]``:

    >>> import lucidnet.distributed as dist
    >>> dist.init_process_group()      # no launcher: a group of one process
    >>> t = ln.tensor([1.0, 2.0])
    >>> dist.all_reduce(t, op=dist.ReduceOp.SUM)
    >>> t.tolist()
    [1.0, 2.0]
    >>> dist.destroy_process_group()
    """
    op = _as_op(op)
    a = _array(tensor, "all_reduce")
    comm = _comm(group)
    mpi_op = _mpi_op(op, a.dtype)
    buf, copied = _buffer(a, "all_reduce")
    size = comm.Get_size()

    def finish():
        if op is ReduceOp.AVG:
            np.divide(buf, size, out=buf)
        if copied:
            a[...] = buf
        _bump(tensor)

    MPI = _mpi()
    return _launch(lambda: comm.Allreduce(MPI.IN_PLACE, buf, op=mpi_op),
                   lambda: comm.Iallreduce(MPI.IN_PLACE, buf, op=mpi_op), finish, async_op,
                   "all_reduce", group)


def broadcast(tensor, src: int = 0, group: ProcessGroup | None = None,
              async_op: bool = False) -> Work | None:
    """Copy rank ``src``'s ``tensor`` into every rank's ``tensor`` (in place).

    Examples
    --------
    >>> import lucidnet.distributed as dist
    >>> dist.init_process_group()      # no launcher: a group of one process
    >>> x = np.arange(3.0)
    >>> dist.broadcast(x, src=0)       # rank 0's values everywhere
    >>> x.tolist()
    [0.0, 1.0, 2.0]
    >>> dist.destroy_process_group()
    """
    a = _array(tensor, "broadcast")
    comm = _comm(group)
    _check_rank(src, comm, "broadcast", "src")
    buf, copied = _buffer(a, "broadcast")

    def finish():
        if copied:
            a[...] = buf
        _bump(tensor)

    return _launch(lambda: comm.Bcast(buf, root=src), lambda: comm.Ibcast(buf, root=src),
                   finish, async_op, "broadcast", group)


def _check_rank(rank, comm, fn: str, name: str) -> None:
    size = comm.Get_size()
    if isinstance(rank, bool) or not isinstance(rank, (int, np.integer)) or not 0 <= rank < size:
        raise ValueError(f"{fn}: {name}={rank!r} is not a rank of the group (0..{size - 1})")


def _check_list(tensors, comm, fn: str, name: str, like: np.ndarray) -> list[np.ndarray]:
    size = comm.Get_size()
    if not isinstance(tensors, (list, tuple)) or len(tensors) != size:
        got = len(tensors) if isinstance(tensors, (list, tuple)) else type(tensors).__name__
        raise ValueError(f"{fn}: {name} must be a list of world_size={size} tensors, got {got}")
    arrays = [_array(t, fn, f"{name}[{i}]") for i, t in enumerate(tensors)]
    for i, out in enumerate(arrays):
        if out.shape != like.shape or out.dtype != like.dtype:
            raise ValueError(f"{fn}: {name}[{i}] has shape {out.shape} and dtype {out.dtype}, "
                             f"expected those of the input tensor, {like.shape} {like.dtype}")
    return arrays


def all_gather(tensor_list: list, tensor, group: ProcessGroup | None = None,
               async_op: bool = False) -> Work | None:
    """``tensor_list[r]`` receives rank ``r``'s ``tensor`` (on every rank). ``tensor_list``
    holds world_size tensors of ``tensor``'s shape and dtype, written in place.

    Examples
    --------
    >>> import lucidnet.distributed as dist
    >>> dist.init_process_group()      # no launcher: a group of one process
    >>> out = [np.zeros(2)]                     # world_size tensors
    >>> dist.all_gather(out, np.array([1.0, 2.0]))
    >>> out[0].tolist()
    [1.0, 2.0]
    >>> dist.all_gather([], np.array([1.0, 2.0]))
    Traceback (most recent call last):
    ...
    ValueError: all_gather: tensor_list must be a list of world_size=1 tensors, got 0
    >>> dist.destroy_process_group()
    """
    a = _array(tensor, "all_gather")
    comm = _comm(group)
    outs = _check_list(tensor_list, comm, "all_gather", "tensor_list", a)
    _check_same_shapes(comm, a, "all_gather", group)
    send, _ = _buffer(a if a.flags.writeable else a.copy(), "all_gather")
    recv = np.empty((comm.Get_size(),) + a.shape, dtype=a.dtype)

    def finish():
        for out, t, value in zip(outs, tensor_list, recv):
            out[...] = value
            _bump(t)

    return _launch(lambda: comm.Allgather(send, recv), lambda: comm.Iallgather(send, recv),
                   finish, async_op, "all_gather", group)


def all_gather_into_tensor(output_tensor, input_tensor, group: ProcessGroup | None = None,
                           async_op: bool = False) -> Work | None:
    """Every rank's ``input_tensor`` concatenated into ``output_tensor`` (in place), rank
    order: ``output_tensor`` has ``world_size * input.size`` elements of the input's dtype,
    shaped ``(world_size * n, ...)`` or ``(world_size, *input.shape)``. Unlike `all_gather`
    it does not check that the ranks' shapes agree (as PyTorch's).

    Examples
    --------
    >>> import lucidnet.distributed as dist
    >>> dist.init_process_group()      # no launcher: a group of one process
    >>> out = np.zeros((1, 3))                     # (world_size, *input.shape)
    >>> dist.all_gather_into_tensor(out, np.arange(3.0))
    >>> out.tolist()
    [[0.0, 1.0, 2.0]]
    >>> dist.destroy_process_group()
    """
    a = _array(input_tensor, "all_gather_into_tensor", "input_tensor")
    out = _array(output_tensor, "all_gather_into_tensor", "output_tensor")
    comm = _comm(group)
    size = comm.Get_size()
    if out.size != size * a.size or out.dtype != a.dtype:
        raise ValueError(f"all_gather_into_tensor: output_tensor must hold world_size={size} "
                         f"times the input's {a.size} elements of dtype {a.dtype}, got "
                         f"{out.size} elements of dtype {out.dtype} (shape {out.shape})")
    send = np.ascontiguousarray(a)
    buf, copied = _buffer(out, "all_gather_into_tensor")

    def finish():
        if copied:
            out[...] = buf
        _bump(output_tensor)

    return _launch(lambda: comm.Allgather(send, buf), lambda: comm.Iallgather(send, buf),
                   finish, async_op, "all_gather_into_tensor", group)


def reduce(tensor, dst: int = 0, op: ReduceOp = ReduceOp.SUM,
           group: ProcessGroup | None = None, async_op: bool = False) -> Work | None:
    """Like `all_reduce`, but only rank ``dst`` receives the result (the others' ``tensor`` is
    left as it was).

    Examples
    --------
    >>> import lucidnet.distributed as dist
    >>> dist.init_process_group()      # no launcher: a group of one process
    >>> x = np.array([3, 1, 2])
    >>> dist.reduce(x, dst=0, op=dist.ReduceOp.MAX)    # rank 0 receives the elementwise max
    >>> x.tolist()
    [3, 1, 2]
    >>> dist.reduce(x, dst=1)
    Traceback (most recent call last):
    ...
    ValueError: reduce: dst=1 is not a rank of the group (0..0)
    >>> dist.destroy_process_group()
    """
    op = _as_op(op)
    a = _array(tensor, "reduce")
    comm = _comm(group)
    _check_rank(dst, comm, "reduce", "dst")
    mpi_op = _mpi_op(op, a.dtype)
    buf, copied = _buffer(a, "reduce")
    root = comm.Get_rank() == dst
    MPI = _mpi()
    send = MPI.IN_PLACE if root else buf
    recv = buf if root else None
    size = comm.Get_size()

    def finish():
        if root:
            if op is ReduceOp.AVG:
                np.divide(buf, size, out=buf)
            if copied:
                a[...] = buf
            _bump(tensor)

    return _launch(lambda: comm.Reduce(send, recv, op=mpi_op, root=dst),
                   lambda: comm.Ireduce(send, recv, op=mpi_op, root=dst), finish, async_op,
                   "reduce", group)


def gather(tensor, gather_list: list | None = None, dst: int = 0,
           group: ProcessGroup | None = None, async_op: bool = False) -> Work | None:
    """Rank ``dst``'s ``gather_list[r]`` receives rank ``r``'s ``tensor``; the other ranks pass
    ``gather_list=None``.

    Examples
    --------
    >>> import lucidnet.distributed as dist
    >>> dist.init_process_group()      # no launcher: a group of one process
    >>> slots = [np.zeros(2, dtype=np.int64)]          # on dst only; other ranks pass None
    >>> dist.gather(np.array([7, 8]), slots, dst=0)
    >>> slots[0].tolist()
    [7, 8]
    >>> dist.destroy_process_group()
    """
    a = _array(tensor, "gather")
    comm = _comm(group)
    _check_rank(dst, comm, "gather", "dst")
    root = comm.Get_rank() == dst
    if root:
        outs = _check_list(gather_list, comm, "gather", "gather_list", a)
    elif gather_list is not None:
        raise ValueError(f"gather: only the destination rank {dst} passes a gather_list; this "
                         f"is rank {comm.Get_rank()}: pass gather_list=None")
    send = np.ascontiguousarray(a)
    recv = np.empty((comm.Get_size(),) + a.shape, dtype=a.dtype) if root else None

    def finish():
        if root:
            for out, t, value in zip(outs, gather_list, recv):
                out[...] = value
                _bump(t)

    return _launch(lambda: comm.Gather(send, recv, root=dst),
                   lambda: comm.Igather(send, recv, root=dst), finish, async_op, "gather", group)


def scatter(tensor, scatter_list: list | None = None, src: int = 0,
            group: ProcessGroup | None = None, async_op: bool = False) -> Work | None:
    """Rank ``r``'s ``tensor`` receives rank ``src``'s ``scatter_list[r]``; the other ranks pass
    ``scatter_list=None``.

    Examples
    --------
    >>> import lucidnet.distributed as dist
    >>> dist.init_process_group()      # no launcher: a group of one process
    >>> mine = np.zeros(2)
    >>> dist.scatter(mine, [np.array([5.0, 6.0])], src=0)   # rank r gets scatter_list[r]
    >>> mine.tolist()
    [5.0, 6.0]
    >>> dist.destroy_process_group()
    """
    a = _array(tensor, "scatter")
    comm = _comm(group)
    _check_rank(src, comm, "scatter", "src")
    root = comm.Get_rank() == src
    if root:
        ins = _check_list(scatter_list, comm, "scatter", "scatter_list", a)
        send = np.ascontiguousarray(np.stack(ins)) if ins else None
    elif scatter_list is not None:
        raise ValueError(f"scatter: only the source rank {src} passes a scatter_list; this is "
                         f"rank {comm.Get_rank()}: pass scatter_list=None")
    else:
        send = None
    buf, copied = _buffer(a, "scatter")

    def finish():
        if copied:
            a[...] = buf
        _bump(tensor)

    return _launch(lambda: comm.Scatter(send, buf, root=src),
                   lambda: comm.Iscatter(send, buf, root=src), finish, async_op, "scatter", group)


def barrier(group: ProcessGroup | None = None, async_op: bool = False,
            device_ids=None) -> Work | None:
    """Wait until every rank of the group has reached this call.

    Examples
    --------
    >>> import lucidnet.distributed as dist
    >>> dist.init_process_group()      # no launcher: a group of one process
    >>> dist.barrier()                  # returns once every rank has called it
    >>> dist.barrier(async_op=True).wait()
    True
    >>> dist.destroy_process_group()
    """
    comm = _comm(group)
    return _launch(comm.Barrier, comm.Ibarrier, None, async_op, "barrier", group)


def _pickle(obj) -> np.ndarray:
    return np.frombuffer(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL), dtype=np.uint8)


def _all_gather_bytes(comm, data: np.ndarray, what: str, group) -> list[bytes]:
    """Every rank's ``data`` (uint8, any length), on every rank: the lengths, then the bytes."""
    MPI = _mpi()
    size = comm.Get_size()
    length = np.array([data.size], dtype=np.int64)
    counts = np.empty(size, dtype=np.int64)
    _launch(lambda: comm.Allgather(length, counts), lambda: comm.Iallgather(length, counts),
            None, False, what, group)
    displs = np.concatenate(([0], np.cumsum(counts)[:-1]))
    recv = np.empty(int(counts.sum()), dtype=np.uint8)
    spec = [recv, (counts, displs), MPI.BYTE]
    _launch(lambda: comm.Allgatherv(data, spec), lambda: comm.Iallgatherv(data, spec),
            None, False, what, group)
    return [recv[d:d + c].tobytes() for d, c in zip(displs, counts)]


def _check_same_shapes(comm, a: np.ndarray, fn: str, group) -> None:
    """Every rank passed the same shape and dtype (else MPI would mix up the bytes)."""
    described = [pickle.loads(b) for b in
                 _all_gather_bytes(comm, _pickle((a.shape, a.dtype.str)), fn, group)]
    if any(d != described[0] for d in described):
        raise ValueError(f"{fn}: every rank must pass a tensor of the same shape and dtype, got "
                         + ", ".join(f"rank {r}: {s} {np.dtype(t)}"
                                     for r, (s, t) in enumerate(described))
                         + "; pad to a common shape, or use all_gather_object for ragged data")


def all_gather_object(object_list: list, obj, group: ProcessGroup | None = None) -> None:
    """``object_list[r] = `` rank ``r``'s ``obj`` on every rank (pickled: trusted ranks only).
    ``object_list`` must be a list of world_size entries; it is filled in place.

    Examples
    --------
    >>> import lucidnet.distributed as dist
    >>> dist.init_process_group()      # no launcher: a group of one process
    >>> objects = [None]                          # one slot per rank
    >>> dist.all_gather_object(objects, {"rank": dist.get_rank(), "loss": 0.5})
    >>> objects
    [{'rank': 0, 'loss': 0.5}]
    >>> dist.destroy_process_group()
    """
    comm = _comm(group)
    size = comm.Get_size()
    if not isinstance(object_list, list) or len(object_list) != size:
        got = len(object_list) if isinstance(object_list, list) else type(object_list).__name__
        raise ValueError(f"all_gather_object: object_list must be a list of world_size={size} "
                         f"entries (e.g. [None] * world_size), got {got}")
    data = _pickle(obj)
    object_list[:] = [pickle.loads(b) for b in
                      _all_gather_bytes(comm, data, "all_gather_object", group)]


def gather_object(obj, object_gather_list: list | None = None, dst: int = 0,
                  group: ProcessGroup | None = None) -> None:
    """Rank ``dst``'s ``object_gather_list[r] = `` rank ``r``'s ``obj`` (pickled).

    Examples
    --------
    >>> import lucidnet.distributed as dist
    >>> dist.init_process_group()      # no launcher: a group of one process
    >>> slots = [None]                  # on dst only; other ranks pass None
    >>> dist.gather_object(("rank", dist.get_rank()), slots, dst=0)
    >>> slots
    [('rank', 0)]
    >>> dist.destroy_process_group()
    """
    comm = _comm(group)
    _check_rank(dst, comm, "gather_object", "dst")
    size = comm.Get_size()
    root = comm.Get_rank() == dst
    if root and (not isinstance(object_gather_list, list) or len(object_gather_list) != size):
        raise ValueError(f"gather_object: on the destination rank object_gather_list must be a "
                         f"list of world_size={size} entries, got {object_gather_list!r}")
    gathered = _all_gather_bytes(comm, _pickle(obj), "gather_object", group)
    if root:
        object_gather_list[:] = [pickle.loads(b) for b in gathered]


def broadcast_object_list(object_list: list, src: int = 0,
                          group: ProcessGroup | None = None, device=None) -> None:
    """Every rank's ``object_list`` receives rank ``src``'s entries, in place (pickled:
    trusted ranks only). Every rank passes a list of the same length.

    Examples
    --------
    >>> import lucidnet.distributed as dist
    >>> dist.init_process_group()      # no launcher: a group of one process
    >>> config = [{"lr": 0.1}, 3]                # rank 0's entries go everywhere
    >>> dist.broadcast_object_list(config, src=0)
    >>> config
    [{'lr': 0.1}, 3]
    >>> dist.destroy_process_group()
    """
    comm = _comm(group)
    _check_rank(src, comm, "broadcast_object_list", "src")
    if not isinstance(object_list, list):
        raise TypeError(f"broadcast_object_list: object_list must be a list, got "
                        f"{type(object_list).__name__}")
    is_src = comm.Get_rank() == src
    data = _pickle(list(object_list)) if is_src else None
    length = np.array([data.size if is_src else 0], dtype=np.int64)
    broadcast(length, src, group)
    buf = data.copy() if is_src else np.empty(int(length[0]), dtype=np.uint8)
    broadcast(buf, src, group)
    received = pickle.loads(buf.tobytes())
    if len(received) != len(object_list):
        raise ValueError(f"broadcast_object_list: rank {src} sent {len(received)} objects but "
                         f"this rank's object_list has {len(object_list)} entries; pass lists "
                         f"of the same length on every rank (e.g. [None] * n)")
    object_list[:] = received
