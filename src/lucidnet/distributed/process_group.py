"""The process group: who am I (rank), how many are we (world size), over MPI.

lucidnet's ``torch.distributed`` stand-in runs on MPI alone (``mpi4py`` over MPICH / Open MPI /
a system MPI). ``mpirun -n N python script.py`` starts N processes; each calls
`init_process_group` and learns its rank ``0 .. N-1`` and the world size ``N`` from MPI. The
library talks over its own duplicate of ``MPI.COMM_WORLD`` so that a user's own MPI messages never
mix with it.

``mpi4py`` is imported lazily: ``import lucidnet`` and a one-process run never need it.
"""

from __future__ import annotations

import datetime
import os

from . import guard

__all__ = ["is_available", "is_mpi_available", "is_gloo_available", "is_nccl_available",
           "get_process_group_ranks", "launched_under_mpi", "init_process_group", "is_initialized",
           "destroy_process_group", "get_rank", "get_world_size", "get_backend", "ProcessGroup",
           "new_group", "GroupMember", "INSTALL_HINT", "export_torchrun_env"]

INSTALL_HINT = 'pip install "lucidnet[distributed]"  (brings mpi4py and the mpich wheel)'

# (rank variable, size variable) that each MPI launcher sets in the processes it starts:
# MPICH/Intel MPI hydra (PMI), Open MPI, PMIx (Open MPI 5, Slurm's --mpi=pmix), MVAPICH2
_LAUNCHER_ENV = (("PMI_RANK", "PMI_SIZE"), ("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"),
                 ("PMIX_RANK", None), ("MV2_COMM_WORLD_RANK", "MV2_COMM_WORLD_SIZE"))

_NOT_INITIALIZED = ("Default process group has not been initialized, please make sure to call "
                    "init_process_group (lucidnet.distributed.init_process_group() under "
                    "`mpirun -n N python script.py`).")


def _mpi():
    """The ``mpi4py.MPI`` module (initializes MPI on first import), or a clear ImportError."""
    try:
        from mpi4py import MPI
    except ImportError as err:  # mpi4py missing, or its MPI library cannot be loaded
        raise ImportError(f"lucidnet.distributed needs mpi4py and an MPI library, which could "
                          f"not be imported ({err}). Install them with: {INSTALL_HINT}") from err
    return MPI


def is_available() -> bool:
    """Can this process use `lucidnet.distributed`, i.e. is ``mpi4py`` importable?

    Looks for the package without importing it (importing it starts MPI).

    Examples
    --------
    >>> import importlib.util
    >>> import lucidnet.distributed as dist
    >>> dist.is_available() == (importlib.util.find_spec("mpi4py") is not None)
    True
    """
    import importlib.util

    try:
        return importlib.util.find_spec("mpi4py") is not None
    except (ImportError, ValueError):
        return False


def is_mpi_available() -> bool:
    """The MPI backend's availability: `is_available` (it is the only backend).

    Examples
    --------
    >>> import lucidnet.distributed as dist
    >>> dist.is_mpi_available() == dist.is_available()
    True
    """
    return is_available()


def is_gloo_available() -> bool:
    """`is_available`: ``init_process_group("gloo")`` works wherever MPI does (the name is an
    alias of the MPI backend, so that PyTorch CPU scripts run unchanged).

    Examples
    --------
    >>> import lucidnet.distributed as dist
    >>> dist.is_gloo_available() == dist.is_mpi_available()   # "gloo" is served by MPI
    True
    """
    return is_available()


def is_nccl_available() -> bool:
    """False: lucidnet has no NCCL backend (CPU and MPI only).

    Examples
    --------
    >>> import lucidnet.distributed as dist
    >>> dist.is_nccl_available()
    False
    """
    return False


def get_process_group_ranks(group: ProcessGroup | None = None) -> list[int]:
    """The default group's ranks of the members of ``group`` (``torch.distributed``'s).

    Examples
    --------
    >>> import lucidnet.distributed as dist
    >>> dist.init_process_group()      # no launcher: a group of one process
    >>> dist.get_process_group_ranks()
    [0]
    >>> dist.destroy_process_group()
    """
    pg = _group(group)
    return list(pg.ranks if pg.ranks is not None else range(pg.size()))


def launched_under_mpi() -> bool:
    """Was this process started by an MPI launcher (``mpirun`` / ``mpiexec`` / ``srun``) with
    more than one process? Reads the launcher's environment only (``PMI_RANK``/``PMI_SIZE``,
    ``OMPI_COMM_WORLD_RANK``/``_SIZE``, ``PMIX_RANK``, ``MV2_COMM_WORLD_RANK``), so a plain run
    never imports ``mpi4py``. ``mpirun -n 1`` counts as not distributed (False).

    Examples
    --------
    >>> import lucidnet.distributed as dist
    >>> dist.launched_under_mpi()          # a plain `python` run, not `mpirun -n 4`
    False
    """
    size = env_world_size()
    return size is not None and size > 1


def env_world_size() -> int | None:
    """The world size the MPI launcher announced in the environment (None: no launcher seen;
    PMIx announces no size, then 2 stands for "some")."""
    for rank_var, size_var in _LAUNCHER_ENV:
        if rank_var in os.environ:
            if size_var is not None and os.environ.get(size_var, "").isdigit():
                return int(os.environ[size_var])
            return 2
    return None


def env_rank() -> int | None:
    """This process's rank as the MPI launcher announced it in the environment (None: no
    launcher seen). Lets a command stay quiet on ranks > 0 before any process group exists."""
    for rank_var, _ in _LAUNCHER_ENV:
        value = os.environ.get(rank_var, "")
        if value.isdigit():
            return int(value)
    return None


# the launchers' node-local rank and size (hydra, Open MPI, MVAPICH2, Slurm)
_LOCAL_ENV = (("MPI_LOCALRANKID", "MPI_LOCALNRANKS"),
              ("OMPI_COMM_WORLD_LOCAL_RANK", "OMPI_COMM_WORLD_LOCAL_SIZE"),
              ("MV2_COMM_WORLD_LOCAL_RANK", "MV2_COMM_WORLD_LOCAL_SIZE"),
              ("SLURM_LOCALID", None))


def export_torchrun_env() -> None:
    """Under an MPI launcher, set torchrun's ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK`` and
    ``LOCAL_WORLD_SIZE`` from the launcher's variables where they are not set yet, so that a
    script written for ``torchrun`` (``rank = int(os.environ["RANK"])``) runs under
    ``mpirun``. Run when `lucidnet.distributed` is imported; nothing happens without a launcher.

    Examples
    --------
    What a torchrun-style script sees under ``mpirun -n 4`` on rank 3 (MPICH sets ``PMI_*``):

    >>> import os
    >>> from lucidnet.distributed import export_torchrun_env
    >>> saved = dict(os.environ)
    >>> for var in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE"):
    ...     _ = os.environ.pop(var, None)
    >>> os.environ.update(PMI_RANK="3", PMI_SIZE="4")
    >>> export_torchrun_env()
    >>> os.environ["RANK"], os.environ["WORLD_SIZE"]
    ('3', '4')
    >>> os.environ.clear(); os.environ.update(saved)
    """
    rank = env_rank()
    if rank is None:
        return
    values = {"RANK": rank}
    for rank_var, size_var in _LAUNCHER_ENV:
        if rank_var in os.environ and size_var and os.environ.get(size_var, "").isdigit():
            values["WORLD_SIZE"] = int(os.environ[size_var])
            break
    for rank_var, size_var in _LOCAL_ENV:
        if os.environ.get(rank_var, "").isdigit():
            values["LOCAL_RANK"] = int(os.environ[rank_var])
            if size_var and os.environ.get(size_var, "").isdigit():
                values["LOCAL_WORLD_SIZE"] = int(os.environ[size_var])
            break
    for name, value in values.items():
        os.environ.setdefault(name, str(value))


class ProcessGroup:
    """A set of ranks that run collectives together (``torch.distributed.ProcessGroup``).

    ``comm`` is the MPI communicator (None on a rank that is not a member, see `new_group`).

    Examples
    --------
    >>> import lucidnet.distributed as dist
    >>> dist.init_process_group()      # no launcher: a group of one process
    >>> dist.GroupMember.WORLD
    <lucidnet.distributed.ProcessGroup rank=0 size=1>
    >>> dist.destroy_process_group()
    """

    def __init__(self, comm, ranks: list[int] | None = None):
        self.comm = comm
        self.ranks = ranks  # ranks in the default group (None: all of them)
        self._bucket_comm = None  # DistributedDataParallel's duplicate of comm, made on demand

    def _free(self) -> None:
        for comm in (self._bucket_comm, self.comm):
            if comm is not None:
                comm.Free()
        self.comm = self._bucket_comm = None

    def rank(self) -> int:
        """This process's rank within the group, -1 when it is not a member."""
        return self.comm.Get_rank() if self.comm is not None else -1

    def size(self) -> int:
        """Number of ranks in the group."""
        return self.comm.Get_size() if self.comm is not None else len(self.ranks or ())

    def __repr__(self) -> str:
        return f"<lucidnet.distributed.ProcessGroup rank={self.rank()} size={self.size()}>"


class GroupMember:
    """``GroupMember.WORLD`` is the default group once initialized;
    ``GroupMember.NON_GROUP_MEMBER`` is what `new_group` gives a rank outside the new group.

    Examples
    --------
    >>> import lucidnet.distributed as dist
    >>> dist.GroupMember.WORLD is None        # before init_process_group
    True
    >>> dist.GroupMember.NON_GROUP_MEMBER.rank()
    -1
    """

    WORLD: ProcessGroup | None = None
    NON_GROUP_MEMBER = ProcessGroup(None, [])


DEFAULT_TIMEOUT = datetime.timedelta(minutes=30)  # torch.distributed's default_pg_timeout


class _State:
    world: ProcessGroup | None = None
    timeout: datetime.timedelta | None = None


def is_initialized() -> bool:
    """Has `init_process_group` been called (and not undone by `destroy_process_group`)?

    Examples
    --------
    >>> from lucidnet import distributed
    >>> distributed.is_initialized()           # a plain (not data-parallel) process
    False
    """
    return _State.world is not None


def _check_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"init_process_group: {name} must be an int (-1: take it from MPI), got "
                        f"{type(value).__name__} {value!r}")
    return value


_CPU_BACKENDS = ("mpi", "gloo")  # gloo: PyTorch's CPU backend, served here by MPI


def _check_backend(backend) -> None:
    """Accept ``None``, ``"mpi"``, ``"gloo"`` (PyTorch's CPU backend: the same collectives,
    run here over MPI) and PyTorch's per-device form ``"cpu:gloo,cuda:nccl"`` (its CPU part);
    anything else is a ValueError saying what to write."""
    if backend is None:
        return
    if not isinstance(backend, str):
        raise TypeError(f"init_process_group: backend must be a str ('mpi' or 'gloo') or None, "
                        f"got {type(backend).__name__} {backend!r}")
    name = backend.strip().lower()
    if ":" in name:  # torch's "cpu:gloo,cuda:nccl": lucidnet uses the CPU's entry
        parts = dict(part.split(":", 1) for part in name.split(",") if ":" in part)
        name = parts.get("cpu", "").strip()
        if not name:
            raise ValueError(f"init_process_group: backend {backend!r} names no CPU backend; "
                             f"lucidnet runs on the CPU only: use 'gloo' or 'mpi' (or "
                             f"'cpu:gloo')")
    if name in _CPU_BACKENDS:
        return
    if name == "nccl":
        raise ValueError(f"init_process_group: backend {backend!r}: NCCL is for CUDA GPUs, and "
                         f"lucidnet runs on the CPU only; use backend='gloo' (PyTorch's CPU "
                         f"backend, run here over MPI) or 'mpi', e.g. backend = 'nccl' if "
                         f"torch.cuda.is_available() else 'gloo'")
    raise ValueError(f"init_process_group: backend {backend!r} is not available; lucidnet runs "
                     f"its collectives over MPI: use backend='mpi' (the default) or 'gloo' (an "
                     f"alias), and start the job with `mpirun -n N python script.py`")


def init_process_group(backend: str | None = "mpi", init_method: str | None = None,
                       timeout: datetime.timedelta | None = None, world_size: int = -1,
                       rank: int = -1, store=None, group_name: str = "", pg_options=None,
                       device_id=None) -> None:
    """Join the default process group (``torch.distributed.init_process_group``).

    Rank and world size come from MPI (``mpirun -n N``); a ``world_size`` / ``rank`` given
    explicitly must equal MPI's or a ValueError says so. Run without a launcher it is a group of
    one (rank 0, world size 1). ``backend``: ``"mpi"`` (or None), or ``"gloo"``, PyTorch's CPU
    backend, accepted as an alias so that CPU scripts run unchanged (same collectives, same
    results; `get_backend` still says ``"mpi"``), also in the form ``"cpu:gloo,cuda:nccl"``;
    ``"nccl"`` (CUDA) is a ValueError naming ``"gloo"``. ``init_method`` None or
    ``"env://"`` (then ``RANK`` / ``WORLD_SIZE``, when set, must agree with MPI too).
    ``timeout`` (a ``datetime.timedelta``, default 30 minutes as PyTorch's): a collective that
    has not completed after it aborts the whole job with a message (PyTorch's watchdog does the
    same), see `lucidnet.distributed.guard`.

    With several ranks it installs the guard: an uncaught exception on one rank prints its
    traceback and aborts every rank (``MPI_Abort``) instead of leaving the others waiting.

    Raises
    ------
    ImportError
        ``mpi4py`` is not installed (the message says ``pip install "lucidnet[distributed]"``).
    ValueError
        Called twice, an unknown backend, or a rank / world size that disagrees with MPI's.

    Examples
    --------
    Without a launcher the group has one process (under ``mpirun -n 4`` each of the four
    processes gets its own rank 0..3):

    >>> import lucidnet.distributed as dist
    >>> dist.init_process_group()      # no launcher: a group of one process
    >>> dist.get_rank(), dist.get_world_size(), dist.get_backend()
    (0, 1, 'mpi')
    >>> dist.destroy_process_group()
    >>> dist.init_process_group(backend="nccl")
    Traceback (most recent call last):
    ...
    ValueError: init_process_group: backend 'nccl': NCCL is for CUDA GPUs, ...
    """
    if is_initialized():
        raise ValueError("trying to initialize the default process group twice! Call "
                         "destroy_process_group() first, or check is_initialized()")
    _check_backend(backend)
    if init_method not in (None, "env://"):
        raise ValueError(f"init_process_group: init_method {init_method!r} is not supported; "
                         f"MPI's launcher tells every process its rank, so pass None (or "
                         f"'env://')")
    if store is not None:
        raise ValueError("init_process_group: a store is not used by the MPI backend; pass "
                         "store=None")
    if timeout is not None and not isinstance(timeout, datetime.timedelta):
        raise TypeError(f"init_process_group: timeout must be a datetime.timedelta, got "
                        f"{type(timeout).__name__} {timeout!r}")
    world_size, rank = _check_int("world_size", world_size), _check_int("rank", rank)
    MPI = _mpi()
    comm = MPI.COMM_WORLD.Dup()  # our own context: the user's MPI messages never mix with ours
    mpi_rank, mpi_size = comm.Get_rank(), comm.Get_size()
    wanted = [("world_size", world_size, mpi_size), ("rank", rank, mpi_rank)]
    if init_method == "env://":
        for name, var, actual in (("WORLD_SIZE", "WORLD_SIZE", mpi_size), ("RANK", "RANK", mpi_rank)):
            if os.environ.get(var, "").lstrip("-").isdigit():
                wanted.append((f"${name}", int(os.environ[var]), actual))
    for name, given, actual in wanted:
        if given != -1 and given != actual:
            comm.Free()
            raise ValueError(f"init_process_group: {name}={given} but MPI started this process "
                             f"as {'rank' if 'rank' in name.lower() else 'world size'} {actual} "
                             f"(mpirun -n {mpi_size}); omit {name} (or pass -1) to take it from "
                             f"MPI, or launch with the matching `mpirun -n`")
    _State.world = GroupMember.WORLD = ProcessGroup(comm, list(range(mpi_size)))
    _State.timeout = DEFAULT_TIMEOUT if timeout is None else timeout
    if mpi_size > 1:
        from . import guard

        guard.install(comm, _State.timeout.total_seconds())


def destroy_process_group(group: ProcessGroup | None = None) -> None:
    """Leave the default group (or free ``group``). MPI itself stays up until the process exits
    (MPI cannot be restarted), so `init_process_group` may be called again afterwards.

    Examples
    --------
    >>> import lucidnet.distributed as dist
    >>> dist.init_process_group()      # no launcher: a group of one process
    >>> dist.destroy_process_group()
    >>> dist.is_initialized()
    False
    >>> dist.destroy_process_group()
    Traceback (most recent call last):
    ...
    ValueError: Default process group has not been initialized, ...
    """
    if group is not None and group is not _State.world:
        group._free()
        return
    if _State.world is None:
        raise ValueError(_NOT_INITIALIZED)

    guard.uninstall()
    world = _State.world
    _State.world = GroupMember.WORLD = None
    _State.timeout = None
    world._free()


def _group(group: ProcessGroup | None) -> ProcessGroup:
    """``group`` or the default one; raises the not-initialized error."""
    if _State.world is None:
        raise ValueError(_NOT_INITIALIZED)
    if group is None:
        return _State.world
    if not isinstance(group, ProcessGroup):
        raise TypeError(f"group must be a lucidnet.distributed.ProcessGroup or None, got "
                        f"{type(group).__name__}")
    return group


def _comm(group: ProcessGroup | None):
    pg = _group(group)
    if pg.comm is None:
        raise ValueError("this rank is not a member of the process group it was passed "
                         "(new_group gave it GroupMember.NON_GROUP_MEMBER)")
    return pg.comm


def get_rank(group: ProcessGroup | None = None) -> int:
    """This process's rank in ``group`` (default group: ``0 .. world_size - 1``); -1 when not a
    member of ``group``. ValueError when not initialized (as PyTorch).

    Examples
    --------
    >>> import lucidnet.distributed as dist
    >>> dist.init_process_group()      # no launcher: a group of one process
    >>> dist.get_rank()
    0
    >>> dist.destroy_process_group()
    >>> dist.get_rank()
    Traceback (most recent call last):
    ...
    ValueError: Default process group has not been initialized, please make sure to call init_process_group ...
    """
    return _group(group).rank()


def get_world_size(group: ProcessGroup | None = None) -> int:
    """The number of processes in ``group``. ValueError when not initialized (as PyTorch).

    Examples
    --------
    >>> import lucidnet.distributed as dist
    >>> dist.init_process_group()      # no launcher: a group of one process
    >>> dist.get_world_size()
    1
    >>> dist.destroy_process_group()
    """
    return _group(group).size()


def get_backend(group: ProcessGroup | None = None) -> str:
    """``"mpi"``, the only backend (also after ``init_process_group("gloo")``).

    Examples
    --------
    >>> import lucidnet.distributed as dist
    >>> dist.init_process_group("gloo")    # PyTorch's CPU backend name, served by MPI
    >>> dist.get_backend()
    'mpi'
    >>> dist.destroy_process_group()
    """
    _group(group)
    return "mpi"


def new_group(ranks=None, timeout=None, backend=None, pg_options=None) -> ProcessGroup:
    """A sub-group of the default group's ``ranks`` (all of them when None). Every rank of the
    default group must call it (as in PyTorch); a rank outside ``ranks`` gets
    ``GroupMember.NON_GROUP_MEMBER``.

    Examples
    --------
    >>> import lucidnet.distributed as dist
    >>> dist.init_process_group()      # no launcher: a group of one process
    >>> group = dist.new_group([0])
    >>> group.rank(), group.size(), dist.get_process_group_ranks(group)
    (0, 1, [0])
    >>> dist.destroy_process_group(group); dist.destroy_process_group()
    """
    world = _group(None)
    size = world.size()
    ranks = list(range(size)) if ranks is None else sorted(int(r) for r in ranks)
    if not ranks or len(set(ranks)) != len(ranks) or ranks[0] < 0 or ranks[-1] >= size:
        raise ValueError(f"new_group: ranks must be distinct ranks in 0..{size - 1}, got {ranks}")
    mpi_group = world.comm.Get_group().Incl(ranks)
    comm = world.comm.Create(mpi_group)  # collective over the default group
    mpi_group.Free()
    if comm == _mpi().COMM_NULL:
        return GroupMember.NON_GROUP_MEMBER
    return ProcessGroup(comm, ranks)
