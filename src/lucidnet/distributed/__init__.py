"""Data-parallel training over MPI, with ``torch.distributed``'s names (issue 11).

Start the job with an MPI launcher, one process per rank::

    mpirun -n 4 python train.py

and in ``train.py``::

    import lucidnet.distributed as dist
    dist.init_process_group()                 # rank and world size from MPI
    model = nn.parallel.DistributedDataParallel(model)  # rank 0's weights everywhere
    sampler = dist.DistributedSampler(dataset)          # each rank its own share
    ...                                      # loss.backward() averages the gradients

Needs ``mpi4py`` and an MPI library: ``pip install "lucidnet[distributed]"`` (the mpich wheel;
a system MPI works too). Without them everything but `init_process_group` works in one process.

What matches ``torch.distributed``: the names and arguments of the process-group functions and
collectives, ``ReduceOp``, errors before ``init_process_group`` (ValueError), in-place results,
``async_op=True`` -> a `Work` with ``wait()``, the object collectives (pickle), `new_group`,
`DistributedSampler`'s lengths / padding / striding, `DistributedDataParallel`'s averaging,
buckets, ``no_sync``, buffer broadcast and ``find_unused_parameters`` error, `SyncBatchNorm`.

Where it differs: the only backend is MPI (``backend="mpi"``; rank and world size come from the
MPI launcher, a given ``rank`` / ``world_size`` must agree); CPU only; `DistributedSampler`
shuffles with NumPy's generator (same properties, other order than torch's); collectives take
NumPy arrays too; ``backend="gloo"`` (PyTorch's CPU backend) is an alias of MPI; under an
MPI launcher, importing this package sets torchrun's ``RANK`` / ``WORLD_SIZE`` / ``LOCAL_RANK``
/ ``LOCAL_WORLD_SIZE`` where unset; MPI cannot cancel a collective, so a ``timeout`` (default 30 minutes) aborts
the whole job; a failed rank ends the job (see `guard`), there is no elastic restart;
``DistributedDataParallel.join``, communication hooks and sparse gradients are not provided.
"""

from .collectives import (
    ReduceOp,
    Work,
    all_gather,
    all_gather_into_tensor,
    all_gather_object,
    all_reduce,
    barrier,
    broadcast,
    broadcast_object_list,
    gather,
    gather_object,
    reduce,
    scatter,
)
from .guard import abort
from .process_group import (
    GroupMember,
    ProcessGroup,
    destroy_process_group,
    export_torchrun_env,
    get_backend,
    get_process_group_ranks,
    get_rank,
    get_world_size,
    init_process_group,
    is_available,
    is_gloo_available,
    is_initialized,
    is_mpi_available,
    is_nccl_available,
    launched_under_mpi,
    new_group,
)
from .sampler import DistributedSampler

export_torchrun_env()  # RANK / WORLD_SIZE / LOCAL_RANK for torchrun-style scripts under mpirun

__all__ = [
    "is_available", "launched_under_mpi", "init_process_group", "is_initialized",
    "destroy_process_group", "get_rank", "get_world_size", "get_backend", "ProcessGroup",
    "GroupMember", "new_group", "ReduceOp", "Work", "all_reduce", "broadcast", "all_gather",
    "all_gather_into_tensor",
    "all_gather_object", "broadcast_object_list", "reduce", "gather", "gather_object",
    "scatter", "barrier", "abort", "DistributedSampler", "is_mpi_available", "is_gloo_available",
    "is_nccl_available", "get_process_group_ranks",
]
