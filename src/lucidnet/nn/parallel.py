"""``nn.parallel`` on the CPU: ``DataParallel`` / ``data_parallel`` run the module in this
process (as PyTorch does when no GPU is visible); asking for device ids is a clear error.
``DistributedDataParallel`` trains one model over several MPI processes (issue 11).

lucidnet runs on the CPU only, so there is nothing to replicate a module onto within a process.
"""

from __future__ import annotations

import contextlib

import numpy as np

from ..autograd.device import CPU_ONLY_HINT
from ..autograd.tensor import Tensor, _grad_array
from .module import Module

__all__ = ["DataParallel", "data_parallel", "DistributedDataParallel"]


def _refuse_devices(device_ids, where: str) -> None:
    if device_ids:
        raise RuntimeError(f"{where}: cannot replicate over device_ids={list(device_ids)}. "
                           f"{CPU_ONLY_HINT}")


class DataParallel(Module):
    """Runs ``module`` unchanged (PyTorch's behaviour without GPUs); ``.module`` is the
    wrapped module, as in PyTorch: ``DataParallel(m)(x) = m(x)``.

    Parameters
    ----------
    module : Module
        The module to run.
    device_ids : None
        Device ids to replicate over (any raises RuntimeError: CPU only).
    output_device : optional
        Ignored (PyTorch's signature).
    dim : int, default 0
        The batch dimension (kept as an attribute).

    Examples
    --------
    >>> model = ln.nn.Linear(3, 2)
    >>> dp = ln.nn.DataParallel(model)
    >>> dp(ln.ones(4, 3)).shape, dp.module is model, list(dp.state_dict())
    (torch.Size([4, 2]), True, ['module.weight', 'module.bias'])
    >>> ln.nn.DataParallel(model, device_ids=[0])
    Traceback (most recent call last):
    ...
    RuntimeError: DataParallel: cannot replicate over device_ids=[0]. lucidnet runs on the CPU ...
    """

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0):
        super().__init__()
        _refuse_devices(device_ids, "DataParallel")
        self.module = module
        self.dim = dim

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)


def data_parallel(module, inputs, device_ids=None, output_device=None, dim: int = 0,
                  module_kwargs=None):
    """``module(*inputs)`` in this process (``inputs``: a tensor or a tuple of them).

    Parameters
    ----------
    module : Module
        The module to run.
    inputs : Tensor or tuple of Tensor
        Its positional inputs.
    device_ids : None
        Any device id raises RuntimeError (CPU only).
    output_device, dim : optional
        Ignored (PyTorch's signature).
    module_kwargs : dict, optional
        Keyword inputs of the module.

    Returns
    -------
    The module's output.

    Examples
    --------
    >>> model = ln.nn.Linear(3, 2)
    >>> ln.nn.parallel.data_parallel(model, ln.ones(5, 3)).shape
    torch.Size([5, 2])
    """
    _refuse_devices(device_ids, "data_parallel")
    inputs = inputs if isinstance(inputs, tuple) else (inputs,)
    return module(*inputs, **(module_kwargs or {}))


def _coalesced_broadcast(arrays: list, src: int, group) -> list:
    """Broadcast ``arrays`` (NumPy arrays or scalars, any shapes) from rank ``src``: one flat
    buffer and one ``MPI_Bcast`` per dtype. Writeable arrays are updated in place; the new
    values of the others (a NumPy scalar such as BatchNorm's ``num_batches_tracked``) are in the
    returned list (same order)."""
    from ..distributed import broadcast

    arrays = [np.asarray(a) if isinstance(a, np.generic) else a for a in arrays]
    results = list(arrays)
    by_dtype: dict = {}
    for i, a in enumerate(arrays):
        by_dtype.setdefault(a.dtype, []).append(i)
    for members in by_dtype.values():
        flat = np.concatenate([arrays[i].reshape(-1) for i in members])
        broadcast(flat, src=src, group=group)
        offset = 0
        for i in members:
            a = arrays[i]
            value = flat[offset:offset + a.size].reshape(a.shape)
            if a.flags.writeable:
                a[...] = value
            else:
                results[i] = value.copy()
            offset += a.size
    return results


def _buffer_slots(module: Module) -> list:
    """(owner module, name, value) of every buffer of ``module`` (once each)."""
    slots, seen = [], set()
    for owner in module.modules():
        for name, value in owner._buffers.items():
            if value is None or id(value) in seen:
                continue
            if not isinstance(value, np.generic):  # a scalar is per slot: set on each owner
                seen.add(id(value))
            slots.append((owner, name, value))
    return slots


def _sync_buffers(module: Module, src: int, group) -> None:
    """Rank ``src``'s buffers into every rank's ``module`` (in place where possible)."""
    slots = _buffer_slots(module)
    if not slots:
        return
    new = _coalesced_broadcast([_array_of(v) for _, _, v in slots], src, group)
    for (owner, name, value), array in zip(slots, new):
        if isinstance(value, np.generic):  # a NumPy scalar cannot change in place
            setattr(owner, name, value.dtype.type(array))
        elif array is not _array_of(value) and not isinstance(value, Tensor):
            setattr(owner, name, array)


def _array_of(value):
    return value.data if isinstance(value, Tensor) else value


def _find_leaves(outputs) -> set:
    """ids of the leaf tensors the autograd graph of ``outputs`` (nested tuples / lists /
    dicts of tensors) reaches: the parameters a backward from them would give a gradient."""
    from ..autograd.tensor import _REBASED, _graph_parents

    stack, seen, leaves = [], set(), set()

    def collect(obj):
        if isinstance(obj, Tensor):
            stack.append(obj)
        elif isinstance(obj, dict):
            for v in obj.values():
                collect(v)
        elif isinstance(obj, (list, tuple)):
            for v in obj:
                collect(v)

    collect(outputs)
    while stack:
        t = stack.pop()
        if id(t) in seen or not t.requires_grad:
            continue
        seen.add(id(t))
        if t._fn is None:
            leaves.add(id(t))
            continue
        stack.extend(p for p in (_graph_parents(t) if _REBASED[0] else t._parents)
                     if p is not None)
    return leaves


class _Bucket:
    """Gradients of a few parameters of one dtype, all-reduced together as one flat array."""

    __slots__ = ("index", "params", "slices", "buffer", "pending", "request")

    def __init__(self, index: int, params: list, dtype):
        self.index, self.params = index, params
        sizes = [p.data.size for p in params]
        bounds = np.concatenate(([0], np.cumsum(sizes))).astype(int)
        self.slices = [slice(int(b), int(e)) for b, e in zip(bounds[:-1], bounds[1:])]
        self.buffer = np.zeros(int(bounds[-1]), dtype=dtype)
        self.pending, self.request = 0, None


class _GradHook:
    """DistributedDataParallel's post-accumulate-grad hook on parameter ``i``. A copy of it
    (``copy.deepcopy`` / ``pickle`` of the wrapped module, e.g. an EMA or best-model copy) is an
    inert `_NoHook`: the copy's gradients never reach the wrapper's buckets."""

    __slots__ = ("ddp", "i")

    def __init__(self, ddp, i: int):
        self.ddp, self.i = ddp, i

    def __call__(self, param) -> None:
        self.ddp._grad_ready(self.i, param)

    def __reduce__(self):
        return (_NoHook, ())


class _NoHook:
    """What a copied `_GradHook` becomes: does nothing."""

    __slots__ = ()

    def __call__(self, param) -> None:
        return None


_FIRST_BUCKET_BYTES = 1024 * 1024  # PyTorch's dist._DEFAULT_FIRST_BUCKET_BYTES


class DistributedDataParallel(Module):
    """Data-parallel training over MPI, as ``torch.nn.parallel.DistributedDataParallel``.

    Every rank runs the same script on its own share of the data. At construction rank 0's
    parameters and buffers are broadcast to every rank, so all start equal (after checking
    that every rank wraps a model with the same parameter names, shapes and dtypes). During
    ``loss.backward()`` the gradients are averaged over the ranks:

        p.grad <- (1 / world_size) * sum over ranks r of p.grad_r

    so that, with every rank taking ``B / world_size`` samples of a global batch of ``B`` and a
    mean loss, the update equals the one-process update on the whole batch.
    Gradients are gathered into flat buckets (about ``bucket_cap_mb`` MiB each, the first
    1 MiB when the cap is the default, filled in reverse parameter order, as PyTorch) and each bucket's ``MPI_Iallreduce``
    starts as soon as its last gradient is accumulated (a post-accumulate-grad hook), so the
    communication overlaps the rest of the backward; the averaged values are written into
    ``p.grad`` when the last bucket has started (still inside ``backward``). Buckets start in
    the same order on every rank, over a communicator of their own.

    ``forward`` first broadcasts rank 0's buffers (BatchNorm's running statistics) when
    ``broadcast_buffers`` is True (not after a forward inside `no_sync`, as PyTorch), then calls
    the module. Inside ``with ddp.no_sync():`` a forward + backward only accumulates local
    gradients; the first synchronized backward after it averages the accumulated sums.

    Parameters
    ----------
    module : Module
        Its parameters that require gradients are averaged. ``ddp.module`` is it; the state
        dict keys are ``"module." + key``, as PyTorch's.
    device_ids, output_device : must be None (CPU only).
    broadcast_buffers : bool, default True
    process_group : ProcessGroup, optional
        Default: the default group (`lucidnet.distributed.init_process_group` first).
    bucket_cap_mb : float, default 25
    find_unused_parameters : bool, default False
        True: each forward walks the output's graph; parameters it does not reach are counted
        as ready with a zero gradient (and keep ``grad`` unchanged if no rank used them).
        False: a parameter without a gradient leaves its bucket unreduced, and the next forward
        raises RuntimeError naming it (PyTorch's behaviour).
    gradient_as_bucket_view : bool, default False
        True: after the first backward each ``p.grad`` is a view into its bucket (no copy
        back; later backwards accumulate in the bucket itself).

    Notes
    -----
    Not supported: ``join()`` for uneven inputs, communication hooks, ``static_graph``
    optimizations (accepted, no effect), sparse gradients.

    Examples
    --------
    >>> import lucidnet.distributed as dist
    >>> dist.init_process_group()      # no launcher: a group of one process
    >>> model = ln.nn.Linear(3, 1)
    >>> ddp = ln.nn.parallel.DistributedDataParallel(model)
    >>> ddp(ln.ones(4, 3)).sum().backward()            # gradients averaged over 1 rank
    >>> model.weight.grad.tolist(), list(ddp.state_dict())
    ([[4.0, 4.0, 4.0]], ['module.weight', 'module.bias'])
    >>> dist.destroy_process_group()
    """

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0,
                 broadcast_buffers: bool = True, process_group=None, bucket_cap_mb=None,
                 find_unused_parameters: bool = False, check_reduction: bool = False,
                 gradient_as_bucket_view: bool = False, static_graph: bool = False,
                 init_sync: bool = True, **kwargs):
        super().__init__()
        from ..distributed.process_group import _group

        _refuse_devices(device_ids, "DistributedDataParallel")
        _refuse_devices([output_device] if output_device is not None else None,
                        "DistributedDataParallel(output_device)")
        if kwargs:
            raise TypeError(f"DistributedDataParallel got unsupported arguments "
                            f"{sorted(kwargs)}")
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel wraps a lucidnet.nn.Module, got "
                            f"{type(module).__name__}")
        first_cap = _FIRST_BUCKET_BYTES if bucket_cap_mb is None else None
        if bucket_cap_mb is None:
            bucket_cap_mb = 25.0
        if not bucket_cap_mb > 0:
            raise ValueError(f"DistributedDataParallel: bucket_cap_mb must be > 0, got "
                             f"{bucket_cap_mb!r}")
        pg = _group(process_group)  # ValueError when not initialized
        self.module = module
        self.dim = dim
        object.__setattr__(self, "process_group", pg)
        self.broadcast_buffers = bool(broadcast_buffers)
        self.find_unused_parameters = bool(find_unused_parameters)
        self.gradient_as_bucket_view = bool(gradient_as_bucket_view)
        self.static_graph = bool(static_graph)
        self.bucket_bytes_cap = int(bucket_cap_mb * 1024 * 1024)
        # PyTorch: a small first bucket (1 MiB) only with the default cap
        self._first_bucket_bytes = self.bucket_bytes_cap if first_cap is None else first_cap
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        if not named:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't "
                               "have any parameter that requires a gradient.")
        object.__setattr__(self, "_named_params", named)
        self._world = pg.size()
        self._verify_same_model(pg)
        if init_sync:
            _coalesced_broadcast([p.data for _, p in module.named_parameters()], 0, pg)
            _sync_buffers(module, 0, pg)
        self._attach(pg)

    def _attach(self, pg) -> None:
        """Buckets, the bucket communicator and the gradient hooks for ``pg`` (no collective
        but the communicator's first ``Dup``)."""
        object.__setattr__(self, "process_group", pg)
        # the buckets' own communicator, one per process group (not per wrapper: MPI has a few
        # thousand): their collectives never interleave with the group's other ones
        if getattr(pg, "_bucket_comm", None) is None:
            pg._bucket_comm = pg.comm.Dup()
        object.__setattr__(self, "_comm", pg._bucket_comm)
        self._build_buckets()
        self._active = False  # a synchronized backward is expected (prepared in forward)
        self._spent = False   # that backward ran (a second one through the graph is refused)
        object.__setattr__(self, "_grad_hooks", [
            p.register_post_accumulate_grad_hook(_GradHook(self, i))
            for i, (_, p) in enumerate(self._named_params)])

    # ------------------------------------------------------------------ copy / pickle
    _LOCAL_STATE = ("process_group", "_comm", "_grad_hooks", "_buckets", "_where", "_ready",
                    "_used", "_used_request", "_named_params")

    def __getstate__(self):
        """``copy.deepcopy`` / ``pickle`` (as PyTorch's): the module, options and flags; the
        process group, buckets and hooks are rebuilt over the default group on unpickling
        (without any collective, so one rank alone may copy it)."""
        from ..distributed.process_group import _State

        if self.process_group is not _State.world:
            raise RuntimeError("DistributedDataParallel: copying or pickling is only supported "
                               "when it uses the default process group; copy ddp.module instead")
        return {k: v for k, v in self.__dict__.items() if k not in self._LOCAL_STATE}

    def __setstate__(self, state) -> None:
        from ..distributed.process_group import _group

        self.__dict__.update(state)
        pg = _group(None)  # ValueError when not initialized
        named = [(n, p) for n, p in self.module.named_parameters() if p.requires_grad]
        object.__setattr__(self, "_named_params", named)
        self._world = pg.size()
        self.require_forward_param_sync = True
        self._attach(pg)

    # ------------------------------------------------------------------ construction
    def _verify_same_model(self, pg) -> None:
        from ..distributed import all_gather_object

        mine = [(n, tuple(p.data.shape), p.data.dtype.str) for n, p in self._named_params]
        everyone = [None] * pg.size()
        all_gather_object(everyone, mine, group=pg)
        for rank, theirs in enumerate(everyone):
            if theirs != everyone[0]:
                diff = next((f"{a} vs {b}" for a, b in zip(everyone[0], theirs) if a != b),
                            f"{len(everyone[0])} vs {len(theirs)} parameters")
                raise ValueError(f"DistributedDataParallel: rank {rank} wraps a model whose "
                                 f"parameters differ from rank 0's (first difference: {diff}); "
                                 f"every rank must build the same model")

    def _build_buckets(self) -> None:
        """Reverse parameter order (gradients come in roughly that order), one dtype per
        bucket, the first bucket 1 MiB, the others ``bucket_cap_mb``."""
        buckets: list = []
        open_: dict = {}
        where = [None] * len(self._named_params)
        for i in reversed(range(len(self._named_params))):
            p = self._named_params[i][1]
            members, nbytes = open_.setdefault(p.data.dtype, ([], [0]))
            members.append(i)
            nbytes[0] += p.data.nbytes
            cap = self._first_bucket_bytes if not buckets else self.bucket_bytes_cap
            if nbytes[0] >= cap:
                buckets.append((p.data.dtype, list(members)))
                del open_[p.data.dtype]
        buckets += [(dtype, members) for dtype, (members, _) in open_.items() if members]
        made = []
        for b, (dtype, members) in enumerate(buckets):
            bucket = _Bucket(b, [self._named_params[i][1] for i in members], dtype)
            for slot, i in enumerate(members):
                where[i] = (b, slot)
            made.append(bucket)
        object.__setattr__(self, "_buckets", made)
        object.__setattr__(self, "_where", where)

    # ------------------------------------------------------------------ forward
    @contextlib.contextmanager
    def no_sync(self):
        """Inside, forward + backward accumulate local gradients without averaging them;
        the next synchronized backward averages the accumulated sums."""
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous

    def forward(self, *inputs, **kwargs):
        from ..autograd.tensor import is_grad_enabled

        self._check_previous_reduction()
        if self.broadcast_buffers and self.require_forward_param_sync:
            _sync_buffers(self.module, 0, self.process_group)
        output = self.module(*inputs, **kwargs)
        self._spent = False
        sync = is_grad_enabled() and self.require_backward_grad_sync
        self.require_forward_param_sync = sync
        if sync:
            self._prepare_for_backward(output)
        else:
            self._active = False
        return output

    def _check_previous_reduction(self) -> None:
        if not self._active or all(b.pending == len(b.params) for b in self._buckets):
            return  # no backward ran since the last forward: nothing was left half done
        missing = [self._named_params[i][0] for i, (b, slot) in enumerate(self._where)
                   if not self._ready[i]]
        self._active = False
        raise RuntimeError(
            "Expected to have finished reduction in the prior iteration before starting a new "
            "one. This error indicates that your module has parameters that were not used in "
            "producing loss. You can enable unused parameter detection by passing the keyword "
            "argument `find_unused_parameters=True` to DistributedDataParallel, and by making "
            "sure all `forward` function outputs participate in calculating loss. Parameters "
            f"that did not receive a gradient on this rank: {', '.join(missing)}")

    def _prepare_for_backward(self, output) -> None:
        from ..distributed.collectives import _launch

        for bucket in self._buckets:
            bucket.pending, bucket.request = len(bucket.params), None
        object.__setattr__(self, "_ready", [False] * len(self._named_params))
        self._next_bucket = 0
        self._used_request = None
        self._active = True
        if not self.find_unused_parameters:
            return
        reached = _find_leaves(output)
        used = np.array([id(p) in reached for _, p in self._named_params], dtype=np.int32)
        object.__setattr__(self, "_used", used)
        comm, MPI = self._comm, _mpi()
        self._used_request = _launch(lambda: None,
                                     lambda: comm.Iallreduce(MPI.IN_PLACE, used, op=MPI.MAX),
                                     None, True, "DistributedDataParallel(unused parameters)",
                                     self.process_group)
        for i, flag in enumerate(used):
            if not flag:  # no gradient will come: a zero contribution, ready now
                b, slot = self._where[i]
                self._buckets[b].buffer[self._buckets[b].slices[slot]] = 0
                self._mark_ready(i)

    # ------------------------------------------------------------------ backward
    def _grad_ready(self, i: int, param) -> None:
        """Parameter ``i``'s gradient has been accumulated (its post-accumulate-grad hook)."""
        if param is not self._named_params[i][1]:
            return  # a copy of the parameter (copy.deepcopy of the module): not ours
        if not self._active:
            if self._spent and self.require_backward_grad_sync:
                raise RuntimeError(
                    f"DistributedDataParallel: a second backward through the graph of one "
                    f"forward (backward(retain_graph=True), then backward again; or a backward "
                    f"through ddp.module called directly) would add this "
                    f"rank's own gradient of parameter {self._named_params[i][0]!r} to the "
                    f"averaged one without averaging it, and the ranks' weights would drift "
                    f"apart (PyTorch does that silently). Back-propagate once per forward: sum "
                    f"the losses first ((loss1 + loss2).backward()) or run the forward again; "
                    f"to accumulate local gradients on purpose, run the forward and both "
                    f"backwards inside `with ddp.no_sync():`. This rank's gradients are now "
                    f"partly accumulated: zero them (optimizer.zero_grad()) before going on")
            return
        if not self._ready[i]:
            b, slot = self._where[i]
            bucket = self._buckets[b]
            view = bucket.buffer[bucket.slices[slot]]
            grad = _grad_array(param)
            if grad.dtype != view.dtype or grad.size != view.size:
                self._active = False
                raise RuntimeError(
                    f"DistributedDataParallel: parameter {self._named_params[i][0]!r} is now "
                    f"{grad.dtype} of {grad.size} values, but it was {view.dtype} of "
                    f"{view.size} when the module was wrapped; change dtypes or shapes "
                    f"(.double(), .to(...)) before wrapping it in DistributedDataParallel")
            if not np.shares_memory(grad, view):
                view[...] = grad.reshape(-1)
            self._mark_ready(i)

    def _mark_ready(self, i: int) -> None:
        self._ready[i] = True
        bucket = self._buckets[self._where[i][0]]
        bucket.pending -= 1
        # buckets start in index order on every rank (MPI needs the same order everywhere)
        while self._next_bucket < len(self._buckets) and \
                self._buckets[self._next_bucket].pending == 0:
            self._launch(self._buckets[self._next_bucket])
            self._next_bucket += 1
        if self._next_bucket == len(self._buckets):
            self._finalize()

    def _launch(self, bucket: _Bucket) -> None:
        from ..distributed.collectives import _launch

        if self._world > 1:
            np.divide(bucket.buffer, self._world, out=bucket.buffer)  # PyTorch pre-divides
        comm, MPI, buf = self._comm, _mpi(), bucket.buffer
        bucket.request = _launch(lambda: None, lambda: comm.Iallreduce(MPI.IN_PLACE, buf),
                                 None, True, f"DistributedDataParallel(bucket {bucket.index})",
                                 self.process_group)
        for earlier in self._buckets[:bucket.index]:  # let MPI progress the ones in flight
            if earlier.request is not None:
                earlier.request.is_completed()

    def _finalize(self) -> None:
        """All buckets started: wait for them and write the averages into ``p.grad``."""
        self._active = False
        self._spent = True
        used = None
        if self._used_request is not None:
            self._used_request.wait()
            used = self._used
        for bucket in self._buckets:
            bucket.request.wait()
        for i, (_, p) in enumerate(self._named_params):
            b, slot = self._where[i]
            bucket = self._buckets[b]
            view = bucket.buffer[bucket.slices[slot]].reshape(p.data.shape)
            if used is not None and not used[i]:
                continue  # no rank used it: its gradient stays as it was (None)
            grad = _grad_array(p)
            if self.gradient_as_bucket_view:
                if grad is None or not np.shares_memory(grad, view):
                    p.grad = view
            elif grad is None:
                p.grad = view.copy()
            elif not np.shares_memory(grad, view):
                grad[...] = view

    def extra_repr(self) -> str:
        return f"world_size={self._world}, buckets={len(self._buckets)}"


def _mpi():
    from ..distributed.process_group import _mpi as mpi

    return mpi()
