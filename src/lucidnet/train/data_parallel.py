"""Data-parallel `Trainer.fit` over an initialized ``lucidnet.distributed`` group (``mpirun -n N``).

Loaded only when a fit runs over more than one rank: the one-process loop never imports it.
"""

from __future__ import annotations

import numpy as np

from ..autograd.tensor import Tensor, no_grad
from ..nn._probe import model_mode as _model_mode
from ..nn.loss import CrossEntropyLoss, NLLLoss
from ..random import get_rng_state, set_rng_state
from .trainer import _PLAIN_BATCH_NORMS, _is_sync_batch_norm

_BUCKET_BYTES = 25 * 2 ** 20     # gradients travel in all_reduce calls of at most this size


def _local_sampler(loader) -> bool:
    """Does ``loader`` already give each rank its own share (a ``DistributedSampler``)?"""
    for holder in (loader, getattr(loader, "batch_sampler", None)):
        sampler = getattr(holder, "sampler", None)
        if sampler is not None and hasattr(sampler, "num_replicas") and hasattr(sampler,
                                                                                "set_epoch"):
            return True
    return False


class _DataParallel:
    """What `Trainer.fit` does differently over an initialized ``lucidnet.distributed`` group of
    ``world`` > 1 ranks (one object per fit; the one-process loop never sees it).

    Every rank draws the same global batches; rank ``r`` computes the contiguous slice
    ``np.array_split(batch, world)[r]`` and back-propagates
    ``loss_local * share + penalty / world``, where ``share`` is the slice's part of the
    global loss's denominator (``n_local / n_global`` for a mean; 1 for a sum; the class-weight
    sums for a weighted cross-entropy), so the SUM over ranks of the gradients is the gradient
    of the one-process loss on the whole batch. The gradients travel in one flat buffer (cut in
    buckets of at most 25 MiB) together with, after them, a 0/1 "has a gradient" slot per
    parameter, the rank's share of the loss, a "buffer became NaN/inf" flag and its sample count:
    one ``all_reduce`` per step gives every rank the same update and the same loss.
    """

    def __init__(self, dist, trainer, params: list):
        self.dist = dist
        self.rank, self.world = dist.get_rank(), dist.get_world_size()
        self.trainer = trainer
        self.params = params
        dtypes = {p.data.dtype for p in params}
        if len(dtypes) > 1:
            raise TypeError(f"data-parallel fit needs one parameter dtype, the model has "
                            f"{sorted(str(d) for d in dtypes)}; convert it with model.to(dtype)")
        self.dtype = dtypes.pop() if dtypes else np.dtype(np.float64)
        self.offsets = [0]
        for p in params:
            self.offsets.append(self.offsets[-1] + p.data.size)
        self.total = self.offsets[-1]
        self.bucket = max(1, _BUCKET_BYTES // self.dtype.itemsize)
        model = trainer.model
        # SyncBatchNorm talks to the other ranks inside forward and backward: every rank must
        # run them, even on an empty shard
        self.collective_forward = any(_is_sync_batch_norm(m) for m in model.modules())
        self.plain_batch_norm = any(isinstance(m, _PLAIN_BATCH_NORMS) for m in model.modules())
        self.buffers = [(m, name) for m in model.modules()
                        for name, b in m._buffers.items() if isinstance(b, np.ndarray)]
        loss = trainer.loss_fn
        self.reduction = getattr(loss, "reduction", "mean")
        weight = getattr(loss, "weight", None)
        self.class_weight = None
        self.ignore_index = None
        if isinstance(loss, (CrossEntropyLoss, NLLLoss)):
            self.class_weight = None if weight is None else np.asarray(getattr(weight, "data",
                                                                               weight))
            self.ignore_index = getattr(loss, "ignore_index", None)
        if self.reduction not in ("mean", "sum", "batchmean"):
            raise ValueError(f"data-parallel fit needs a loss that reduces to one number "
                             f"(reduction 'mean' or 'sum'), got reduction={self.reduction!r}")

    @staticmethod
    def local_sampler(loader) -> bool:
        """Does ``loader`` already give each rank its own share (a ``DistributedSampler``)?"""
        return _local_sampler(loader)

    # ------------------------------------------------------------ sharding
    def bounds(self, n: int) -> tuple[int, int]:
        """This rank's slice of ``n`` samples: ``np.array_split``'s (the first ``n % world``
        ranks get one more)."""
        q, rem = divmod(n, self.world)
        lo = self.rank * q + min(self.rank, rem)
        return lo, lo + q + (self.rank < rem)

    def denominator(self, y: np.ndarray) -> float:
        """What the loss divides by on targets ``y`` (the local or the global batch)."""
        if self.reduction == "sum":
            return 1.0
        if y.dtype.kind in "iu" and (self.class_weight is not None
                                     or self.ignore_index is not None):
            y = y.reshape(-1)   # class indices, one per sample (or per element: (N, d1, ...))
            keep = y if self.ignore_index is None else y[y != self.ignore_index]
            if self.class_weight is not None:
                return float(self.class_weight[keep].sum())
            return float(len(keep))
        return float(len(y))

    def check_shards(self, sizes) -> None:
        """Plain BatchNorm cannot normalize a shard of one sample: refused before any step
        (every rank knows every batch size, so all of them stop together)."""
        if not self.plain_batch_norm:
            return
        for b, n in enumerate(sizes):
            counts = [len(a) for a in np.array_split(np.empty(int(n)), self.world)]
            if 1 in counts:
                raise ValueError(f"batch {b + 1} of {n} samples split over {self.world} ranks "
                                 f"leaves one rank a single sample, which BatchNorm cannot "
                                 f"normalize in training; use a batch size with at least 2 "
                                 f"samples per rank, or SyncBatchNorm "
                                 f"(nn.SyncBatchNorm.convert_sync_batchnorm(model)), which "
                                 f"normalizes over the global batch")

    # ------------------------------------------------------------ start / checks
    def start(self, signature: dict) -> None:
        """Check that every rank trains the same thing, then give every rank rank 0's weights,
        buffers and shuffling generator (DistributedDataParallel's start)."""
        dist, trainer = self.dist, self.trainer
        signature = dict(signature, parameters=[tuple(p.data.shape) for p in self.params],
                         dtype=str(self.dtype), optimizer=type(trainer.optimizer).__name__)
        everyone = [None] * self.world
        dist.all_gather_object(everyone, signature)
        for r, other in enumerate(everyone):
            if other != everyone[0]:
                diff = sorted(k for k in set(other) | set(everyone[0])
                              if other.get(k) != everyone[0].get(k))
                raise ValueError(f"data-parallel fit: rank {r} differs from rank 0 in "
                                 f"{', '.join(diff)} ({ {k: other.get(k) for k in diff} } vs "
                                 f"{ {k: everyone[0].get(k) for k in diff} }); every rank must "
                                 f"call fit with the same data, model and options")
        for p in self.params:
            dist.broadcast(p.data, src=0)
        self.broadcast_buffers()
        rng = trainer._shuffle_rng
        state = [rng.bit_generator.state]
        dist.broadcast_object_list(state, src=0)
        rng.bit_generator.state = state[0]

    def broadcast_buffers(self) -> None:
        """Rank 0's buffers (BatchNorm running statistics) everywhere, as
        DistributedDataParallel(broadcast_buffers=True): plain BatchNorm layers update them
        from their own shard."""
        for m, name in self.buffers:
            b = m._buffers[name]
            if isinstance(b, np.ndarray):
                if b.ndim == 0 or not b.flags.writeable:
                    b = np.array(b, copy=True)
                    self.dist.broadcast(b, src=0)
                    setattr(m, name, b)
                else:
                    self.dist.broadcast(b, src=0)

    def sync_global_rng(self) -> None:
        """Rank 0's global generator everywhere (a DataLoader shuffles with it)."""
        state = [get_rng_state()]
        self.dist.broadcast_object_list(state, src=0)
        set_rng_state(state[0])

    def any(self, flag: bool) -> bool:
        """True on every rank if ``flag`` is True on one of them."""
        a = np.array([1.0 if flag else 0.0])
        self.dist.all_reduce(a)
        return bool(a[0] > 0)

    def same_everywhere(self, value, what: str) -> None:
        everyone = [None] * self.world
        self.dist.all_gather_object(everyone, value)
        if any(v != everyone[0] for v in everyone):
            raise ValueError(f"data-parallel fit: the ranks disagree on {what}: "
                             f"{', '.join(f'rank {r}: {v}' for r, v in enumerate(everyone))}; "
                             "every rank's loader must give the same batches (same dataset, "
                             "batch size and seed)")

    # ------------------------------------------------------------ one step
    def reduce(self, loss_share: float, bad_buffers: bool, n_local: int):
        """SUM-allreduce the gradients (a parameter no rank has a gradient for keeps None) with
        the loss shares; returns (the global data loss, a buffer became NaN/inf somewhere,
        the global sample count)."""
        P, k = self.total, len(self.params)
        flat = np.empty(P + k + 3, self.dtype)   # new each step: a kept .grad stays valid
        off = self.offsets
        for i, p in enumerate(self.params):
            g = p._grad
            if g is None:
                flat[off[i]:off[i + 1]] = 0.0
                flat[P + i] = 0.0
            else:
                flat[off[i]:off[i + 1]] = (g if g.__class__ is np.ndarray else g.data).reshape(-1)
                flat[P + i] = 1.0
        flat[P + k:] = (loss_share, 1.0 if bad_buffers else 0.0, n_local)
        all_reduce = self.dist.all_reduce
        for lo in range(0, flat.size, self.bucket):
            all_reduce(flat[lo:lo + self.bucket])
        for i, p in enumerate(self.params):
            p._grad = flat[off[i]:off[i + 1]].reshape(p.data.shape) if flat[P + i] else None
        return float(flat[P + k]), bool(flat[P + k + 1]), int(round(float(flat[P + k + 2])))

    # ------------------------------------------------------------ epoch outputs
    def gather_in_order(self, outputs: list, targets: list, sizes: list):
        """Every rank's outputs and targets of the epoch, in the one-process order (batch by
        batch, rank by rank); ``sizes``: the global batch sizes."""
        local = (np.concatenate(outputs) if outputs else None,
                 np.concatenate(targets) if targets else None)
        everyone = [None] * self.world
        self.dist.all_gather_object(everyone, local)
        outs, ys = [], []
        starts = [0] * self.world
        for n in sizes:
            q, rem = divmod(int(n), self.world)
            for r in range(self.world):
                m = q + (r < rem)
                if m:
                    o, t = everyone[r]
                    outs.append(o[starts[r]:starts[r] + m])
                    ys.append(t[starts[r]:starts[r] + m])
                    starts[r] += m
        return np.concatenate(outs), np.concatenate(ys)

    def gather_local(self, outputs: list, targets: list):
        """Every rank's outputs and targets, rank after rank (local batches: DistributedSampler)."""
        everyone = [None] * self.world
        self.dist.all_gather_object(everyone, (outputs, targets))
        outs = [o for r in everyone for o in r[0]]
        ys = [t for r in everyone for t in r[1]]
        return np.concatenate(outs), np.concatenate(ys)

    def evaluate(self, X, y, batch_size: int) -> dict:
        """Validation in eval mode: each rank forwards its contiguous slice, the outputs are
        gathered, and every rank computes loss and metrics on the same arrays."""
        lo, hi = self.bounds(len(X))
        trainer = self.trainer
        out = trainer._forward_batches(X[lo:hi], batch_size) if hi > lo else None
        everyone = [None] * self.world
        self.dist.all_gather_object(everyone, out)
        return trainer._logs_of(np.concatenate([o for o in everyone if o is not None]), y)

    def evaluate_loader(self, loader) -> dict:
        """Validation on a loader: local batches (DistributedSampler) are all forwarded and
        gathered; otherwise rank r forwards the batches b with b % world == r."""
        trainer = self.trainer
        local = _local_sampler(loader)
        outs = []
        with _model_mode(trainer.model), no_grad():
            for b, batch in enumerate(loader):
                if local or b % self.world == self.rank:
                    xb, yb = trainer._unpack_batch(batch, b, "validation")
                    outs.append((b, trainer.model(Tensor(xb)).data, yb))
        everyone = [None] * self.world
        self.dist.all_gather_object(everyone, outs)
        parts = [item for r in everyone for item in r]
        if not local:
            parts.sort(key=lambda item: item[0])
        if not parts:
            raise ValueError("the validation data yielded no batches")
        return trainer._logs_of(np.concatenate([p[1] for p in parts]),
                                np.concatenate([p[2] for p in parts]))
