"""Keep a job from hanging when one rank fails: the whole job ends, with the reason on stderr.

MPI's collectives block until every rank arrives, so one rank that stops calling them would
leave the others waiting forever. What happens to each kind of failure under ``mpirun``
(MPICH's hydra; measured in tests/distributed/test_faults.py):

* a rank killed by a signal or leaving with ``os._exit(n)``: the launcher notices its death and
  kills the other ranks itself (well under a second); the job's status is non-zero.
* a rank that raises an uncaught exception: Python would run ``MPI_Finalize`` and wait there
  for the others, which wait in their collective: a hang. `install` chains ``sys.excepthook``
  so the traceback is printed and then ``MPI_Abort`` ends every rank (status 1).
* a rank that exits cleanly (``sys.exit(0)``, the end of its script) while the others still
  call collectives: at exit it posts a notice to every other rank; a rank waiting in a
  collective that sees a notice from a member of its group, and whose collective does not
  complete within ``GRACE`` seconds after that, aborts the job with a message naming the rank
  that left. (The grace: a rank may leave a collective a moment before its peers finish it.)
  A rank doing work of its own (no collective) after the others left is never disturbed.
* a rank that stops calling collectives without leaving (a deadlock, an endless loop): a
  collective that has not completed after the process group's ``timeout`` (30 minutes by
  default, as PyTorch's) aborts the job.

The last two are watched by a daemon thread (MPI runs with ``MPI_THREAD_MULTIPLE``) that looks
every ``POLL`` seconds at the collective the main thread is blocked in (`watch_begin` /
`watch_end` mark it), so the collectives themselves stay MPI's blocking calls at full speed.

`abort` is the explicit way out (``MPI_Abort``) for code that catches an error on one rank.
"""

from __future__ import annotations

import atexit
import os
import sys
import time

from .process_group import _mpi

__all__ = ["abort", "install", "uninstall", "watch_begin", "watch_end", "peer_left", "GRACE",
           "POLL"]

GRACE = 2.0  # seconds a collective may still take after a peer of it announced its exit
POLL = 0.05  # seconds between two looks of the watchdog
_EXIT_TAG = 31_415  # tag of the "I left" notices, on the guard's own communicator


class _Guard:
    comm = None  # the library's communicator while installed
    notices = None  # a duplicate of it that carries only the exit notices
    previous_hook = None
    atexit_registered = False
    timeout = None  # seconds (the process group's timeout)
    pid = None  # the process that installed the guard (a forked child must not act)
    watchdog = None  # (thread, stop event)
    # (sequence number, what, ranks, start time, timeout) of the blocking collective the main
    # thread is in, or None
    current = None
    sequence = 0


def watch_begin(what: str, ranks=None, timeout=None) -> None:
    """The calling thread enters a blocking collective (``ranks``: the group's members in the
    default group, None: all) that the watchdog bounds by ``timeout`` seconds (None: the
    process group's) and by a departed peer.

    Examples
    --------
    How a collective is bracketed (``comm.Allreduce`` stands for the blocking MPI call):

    >>> from lucidnet.distributed import guard
    >>> guard.watch_begin("all_reduce", ranks=[0, 1], timeout=60.0)
    >>> # comm.Allreduce(...)  -- the watchdog bounds this call
    >>> guard.watch_end()
    """
    _Guard.sequence += 1
    _Guard.current = (_Guard.sequence, what, ranks, time.monotonic(),
                      _Guard.timeout if timeout is None else timeout)


def watch_end() -> None:
    """The calling thread has left the blocking collective that :func:`watch_begin` announced:
    the watchdog stops bounding it.

    Examples
    --------
    >>> from lucidnet.distributed import guard
    >>> guard.watch_begin("barrier")
    >>> guard.watch_end()                 # the watchdog no longer bounds anything
    >>> guard.peer_left() is None
    True
    """
    _Guard.current = None


def _watchdog(stop) -> None:
    notice = None  # (sequence, first seen, rank) of a departed peer seen during a collective
    while not stop.wait(POLL):
        current = _Guard.current
        if current is None or _Guard.comm is None:
            continue
        sequence, what, ranks, start, timeout = current
        now = time.monotonic()
        try:
            if timeout is not None and now - start > timeout:
                _abort_from_watchdog(f"{what} did not complete within the timeout of "
                                     f"{timeout:g} s (another rank stopped calling collectives, "
                                     f"or called a different one)")
            left = peer_left(ranks)
        except Exception:  # noqa: BLE001 - MPI torn down under us (exit): stop looking
            return
        if left is None:
            continue
        if notice is None or notice[0] != sequence:
            notice = (sequence, now, left)
        elif now - notice[1] > GRACE and _Guard.current is current:
            _abort_from_watchdog(f"{what} cannot complete: rank {left} has left the program (it "
                                 f"exited) while this rank waits for it in the collective")


def _abort_from_watchdog(message: str) -> None:
    comm = _Guard.comm
    rank = comm.Get_rank() if comm is not None else "?"
    abort(1, f"lucidnet.distributed: rank {rank}: {message}; aborting the job (MPI_Abort)")


def _say(message: str) -> None:
    try:
        sys.stderr.write(message.rstrip("\n") + "\n")
        sys.stderr.flush()
    except Exception:  # noqa: BLE001 - stderr closed: nothing left to tell
        pass


def abort(errorcode: int = 1, message: str | None = None) -> None:
    """End every rank of the job now (``MPI_Abort``), after writing ``message`` to stderr.

    Works before `init_process_group` too (on ``MPI.COMM_WORLD``); in a plain run without
    ``mpi4py`` it is ``os._exit(errorcode)``.

    Examples
    --------
    The pattern: a rank that catches an error it cannot recover from ends the whole job
    (here nothing fails, so ``abort`` is not called):

    >>> from lucidnet.distributed import abort
    >>> try:
    ...     ratio = 1 / 2
    ... except ZeroDivisionError as err:
    ...     abort(1, f"rank failed: {err}")
    >>> ratio
    0.5
    """
    if message:
        _say(message)
    comm = _Guard.comm
    if comm is None:
        try:
            from .process_group import _mpi

            comm = _mpi().COMM_WORLD
        except ImportError:
            os._exit(errorcode)
    comm.Abort(errorcode)
    os._exit(errorcode)  # Abort does not return; belt and braces


def _rank_of(comm) -> str:
    try:
        return f"rank {comm.Get_rank()} of {comm.Get_size()}"
    except Exception:  # noqa: BLE001
        return "a rank"


def _excepthook(exc_type, exc, tb) -> None:
    previous = _Guard.previous_hook or sys.__excepthook__
    previous(exc_type, exc, tb)
    comm = _Guard.comm
    if comm is None or os.getpid() != _Guard.pid:
        return
    if issubclass(exc_type, KeyboardInterrupt):
        abort(130)
    abort(1, f"lucidnet.distributed: {_rank_of(comm)} raised an uncaught {exc_type.__name__}; "
             f"aborting every rank of the job (MPI_Abort) so that none waits forever in a "
             f"collective")


def _stop_watchdog() -> None:
    if _Guard.watchdog is not None and os.getpid() == _Guard.pid:
        thread, stop = _Guard.watchdog
        stop.set()
        thread.join(timeout=5 * POLL + 1)
        _Guard.watchdog = None


def _at_exit() -> None:
    """A rank leaving cleanly: tell every other rank, so that none waits for it in vain."""
    _stop_watchdog()  # before MPI_Finalize: no MPI call from another thread then
    notices = _Guard.notices
    if _Guard.comm is None or notices is None or os.getpid() != _Guard.pid:
        return
    try:
        import numpy as np

        from .process_group import _mpi

        MPI = _mpi()
        empty = np.zeros(0, dtype=np.uint8)
        me, size = notices.Get_rank(), notices.Get_size()
        requests = [notices.Isend([empty, MPI.BYTE], dest=r, tag=_EXIT_TAG)
                    for r in range(size) if r != me]
        deadline = time.monotonic() + GRACE  # tiny eager messages: they leave at once
        while not MPI.Request.Testall(requests) and time.monotonic() < deadline:
            time.sleep(1e-3)
    except Exception:  # noqa: BLE001 - MPI already torn down: nothing to tell
        pass


def peer_left(ranks=None) -> int | None:
    """The rank (in the default group) of a peer that announced its exit, among ``ranks``
    (None: any), or None. Cheap: one ``MPI_Iprobe``.

    Examples
    --------
    >>> from lucidnet.distributed import guard
    >>> guard.peer_left() is None          # no guard installed, or no peer has left
    True
    """
    notices = _Guard.notices
    if notices is None:
        return None

    MPI = _mpi()
    status = MPI.Status()
    if not notices.Iprobe(source=MPI.ANY_SOURCE, tag=_EXIT_TAG, status=status):
        return None
    source = status.Get_source()
    if ranks is not None and source not in ranks:
        return None  # not a member of the group we wait on (the notice stays queued)
    return source


def install(comm, timeout: float | None = None) -> None:
    """Guard this process (called by `init_process_group` when the world has several ranks);
    ``timeout``: seconds a collective may block.

    Examples
    --------
    >>> import sys
    >>> import lucidnet.distributed as dist
    >>> from lucidnet.distributed import guard
    >>> dist.init_process_group()         # one rank: init_process_group does not install it
    >>> guard.install(dist.GroupMember.WORLD.comm, timeout=60.0)
    >>> sys.excepthook.__module__         # an uncaught exception now aborts every rank
    'lucidnet.distributed.guard'
    >>> guard.uninstall(); dist.destroy_process_group()
    """
    import threading

    _Guard.comm = comm
    _Guard.timeout = timeout
    _Guard.pid = os.getpid()
    if _Guard.notices is None:
        _Guard.notices = comm.Dup()  # collective, as init_process_group is
    if sys.excepthook is not _excepthook:
        _Guard.previous_hook = sys.excepthook
        sys.excepthook = _excepthook
    if not _Guard.atexit_registered:  # runs before mpi4py's MPI_Finalize (atexit is LIFO)
        atexit.register(_at_exit)
        _Guard.atexit_registered = True

    if _Guard.watchdog is None and _mpi().Query_thread() == _mpi().THREAD_MULTIPLE:
        stop = threading.Event()
        thread = threading.Thread(target=_watchdog, args=(stop,), daemon=True,
                                  name="lucidnet.distributed watchdog")
        thread.start()
        _Guard.watchdog = (thread, stop)


def uninstall() -> None:
    """Undo `install` (`destroy_process_group`).

    Examples
    --------
    >>> import sys
    >>> import lucidnet.distributed as dist
    >>> from lucidnet.distributed import guard
    >>> dist.init_process_group()
    >>> guard.install(dist.GroupMember.WORLD.comm)
    >>> guard.uninstall()
    >>> sys.excepthook.__module__ == "lucidnet.distributed.guard"
    False
    >>> dist.destroy_process_group()
    """
    _stop_watchdog()
    _Guard.comm = None
    if sys.excepthook is _excepthook:
        sys.excepthook = _Guard.previous_hook or sys.__excepthook__
        _Guard.previous_hook = None
