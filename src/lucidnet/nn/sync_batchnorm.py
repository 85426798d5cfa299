"""`SyncBatchNorm`: batch normalization whose statistics are those of the GLOBAL batch, over
every rank of a data-parallel job (``torch.nn.SyncBatchNorm``; issue 11).

With rank r holding m_r of the M = sum_r m_r values of a channel:

    mean = sum_r m_r mean_r / M
    var  = (sum_r M2_r + sum_r m_r (mean_r - mean)^2) / M       (biased; M2_r = sum (x - mean_r)^2)

(Chan et al.'s pairwise combination: no sum of squares, so no cancellation), gathered in one
``all_gather`` of (m_r, mean_r, M2_r) per rank. Then y = gamma (x - mean) / sqrt(var + eps) +
beta on each rank's own rows, and the running statistics are updated with the global mean and
the unbiased global variance var * M / (M - 1), identically on every rank.

Backward: with k = gamma / sqrt(var + eps), xc = x - mean and the two per-channel sums
all-reduced over the ranks, S_g = sum g and S_gx = sum g xc / sqrt(var + eps),

    dL/dx     = k (g - S_g / M) - xc (k / sqrt(var + eps)) S_gx / M
    dL/dgamma = sum g xhat,   dL/dbeta = sum g          (this rank's rows only)

The input gradient is that of the sum of every rank's loss; the weight and bias gradients are
this rank's, summed over ranks (averaged) by `DistributedDataParallel` -- PyTorch's split.
These are BatchNorm's formulas (`lucidnet.autograd.ops.norm.BatchNorm`) with global sums.

In evaluation, in a world of one process, or before `init_process_group`, it is exactly
`BatchNorm1d` / `BatchNorm2d` (the same op).
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.ops.buffers import channel_major, pooled_empty
from ..autograd.ops.norm import _channel_view, _from_channel_view
from ..autograd.tensor import Tensor
from .module import Module
from .normalization import _as_float_tensor, _BatchNorm, _InstanceNorm, _state_of

__all__ = ["SyncBatchNorm"]


def _world_of(process_group):
    """The process group to synchronize over, or None when there is nothing to synchronize."""
    from ..distributed import process_group as pgm

    if not pgm.is_initialized():
        return None
    group = pgm._group(process_group)
    return group if group.size() > 1 else None


class _SyncBatchNormFn(Function):
    """Batch norm over the global batch of ``group`` (see the module docstring)."""

    _backward_name = "SyncBatchNormBackward"

    @staticmethod
    def forward(ctx, x, weight=None, bias=None, running_mean=None, running_var=None,
                momentum=0.1, eps=1e-5, group=None):
        from ..distributed.collectives import all_gather_into_tensor

        cm = channel_major(x) and x.size > 0
        x3 = _channel_view(x, cm) if x.size else x.reshape(x.shape[0], x.shape[1], 0)
        c = x3.shape[1]
        m_local = x3.shape[0] * x3.shape[2]
        mine = np.zeros(2 * c + 1, dtype=np.float64)
        mine[0] = m_local
        if m_local:
            mean_r = np.einsum("acb->c", x3) / m_local
            xc = np.subtract(x3, mean_r.astype(x3.dtype)[:, None],
                             out=pooled_empty(x3.shape, x3.dtype))
            mine[1:c + 1] = mean_r
            mine[c + 1:] = np.einsum("acb,acb->c", xc, xc)
        everyone = np.empty((group.size(), 2 * c + 1), dtype=np.float64)
        all_gather_into_tensor(everyone, mine, group=group)
        counts, means, m2s = everyone[:, 0], everyone[:, 1:c + 1], everyone[:, c + 1:]
        m = counts.sum()
        if m <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got "
                             f"{int(m)} over all {group.size()} ranks (this rank's input size "
                             f"{tuple(x.shape)})")
        mean = counts @ means / m
        var = (m2s.sum(axis=0) + counts @ (means - mean) ** 2) / m
        if running_mean is not None:
            running_mean *= 1 - momentum
            running_mean += momentum * mean
            running_var *= 1 - momentum
            running_var += momentum * var * (m / (m - 1))
        mean = mean.astype(x.dtype)
        inv_std = (1.0 / np.sqrt(var + eps)).astype(x.dtype)
        scale = inv_std * weight if weight is not None else inv_std
        out = np.subtract(x3, mean[:, None], out=pooled_empty(x3.shape, x3.dtype))
        out *= scale[:, None]
        if bias is not None:
            out += bias[:, None]
        ctx.has_weight, ctx.has_bias = weight is not None, bias is not None
        ctx.layout, ctx.count, ctx.group = (x.shape, cm), m, group
        ctx.save_for_backward(x3, mean, inv_std, weight)
        return _from_channel_view(out, x.shape, cm)

    @staticmethod
    def backward(ctx, g):
        from ..distributed.collectives import all_reduce

        x3, mean, inv_std, weight = ctx.saved
        shape, cm = ctx.layout
        g3 = _channel_view(g, cm) if g.size else g.reshape(x3.shape)
        c = x3.shape[1]
        xc = np.subtract(x3, mean[:, None], out=pooled_empty(x3.shape, x3.dtype))
        sum_g = np.einsum("acb->c", g3)
        sum_gxc = np.einsum("acb,acb->c", g3, xc)
        gx = gw = gb = None
        if ctx.needs_input_grad[0]:
            sums = np.concatenate([sum_g, sum_gxc]).astype(np.float64)
            all_reduce(sums, group=ctx.group)
            total_g = sums[:c].astype(x3.dtype)
            total_gx = (sums[c:] * inv_std).astype(x3.dtype)  # sum over ranks of g * xhat
            m = x3.dtype.type(ctx.count)
            k = inv_std * weight if weight is not None else inv_std
            gx = np.multiply(g3, k[:, None], out=pooled_empty(g3.shape, g3.dtype))
            gx -= (k * total_g / m)[:, None]
            xc *= (k * inv_std * total_gx / m)[:, None]
            gx -= xc
            gx = _from_channel_view(gx, shape, cm)
        if ctx.has_weight and ctx.needs_input_grad[1]:
            gw = sum_gxc * inv_std
        if ctx.has_bias and ctx.needs_input_grad[2]:
            gb = sum_g
        return gx, gw, gb


class SyncBatchNorm(_BatchNorm):
    """Batch normalization over the global batch of all ranks (``torch.nn.SyncBatchNorm``).

    Input (N, C, *S) of any number of spatial axes (as PyTorch's). In training under an
    initialized process group of more than one rank, the per-channel mean and variance are
    those of the union of every rank's batch (see the module docstring for the formulas), so a
    job of R ranks with B / R samples each normalizes exactly as one process with B samples
    would (up to float rounding); the running statistics are updated with them (unbiased
    variance with the global count), identically on every rank. Ranks may hold different
    batch sizes, even zero. Otherwise (evaluation, one process, not initialized) it is plain
    batch normalization, the same op as `BatchNorm1d` / `BatchNorm2d`: in evaluation with
    ``track_running_stats=False`` each rank normalizes by its own batch's statistics (as
    PyTorch's, which synchronizes in training only).

    Every rank must call it the same number of times in the same order (it runs one collective
    in forward and one in backward).

    Parameters
    ----------
    num_features, eps, momentum, affine, track_running_stats : as `BatchNorm2d`
    process_group : ProcessGroup, optional
        The ranks whose batches are pooled (default: all of them).

    Examples
    --------
    >>> bn = ln.nn.SyncBatchNorm(2)           # one process: plain batch norm
    >>> y = bn(ln.tensor([[1., 10.], [3., 30.]]))            # channel means 2, 20
    >>> [[round(v, 3) for v in row] for row in y.tolist()]
    [[-1.0, -1.0], [1.0, 1.0]]
    >>> [round(v, 4) for v in bn.running_mean.tolist()]     # 0.9 * 0 + 0.1 * mean
    [0.2, 2.0]
    >>> bn(ln.ones(4, 2, 3, 3)).shape                        # any number of spatial axes
    torch.Size([4, 2, 3, 3])
    """

    dims = None
    shape_text = "(N, C, *)"

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, process_group=None,
                 device=None, dtype=None, *, bias: bool = True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)
        self.process_group = process_group

    def _check(self, x: Tensor) -> None:
        if x.ndim < 2:
            raise ValueError(f"SyncBatchNorm({self.num_features}): expected at least 2D input "
                             f"(N, C, *), got {x.ndim}D input of shape {tuple(x.shape)}")
        if x.shape[1] != self.num_features:
            raise ValueError(f"SyncBatchNorm({self.num_features}) expects "
                             f"{self.num_features} channels in axis 1 of (N, C, *), got shape "
                             f"{tuple(x.shape)}")

    def forward(self, x) -> Tensor:
        group = _world_of(self.process_group) if self.training else None
        if group is None:  # plain batch norm: BatchNorm's own forward
            return super().forward(x)
        x = _as_float_tensor(x, _state_of(self.weight, self.running_mean), self._name)
        self._check(x)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.track_running_stats:
            self.num_batches_tracked = self.num_batches_tracked + 1
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked)
        return _SyncBatchNormFn.apply(x, self.weight, self.bias, running_mean=self.running_mean,
                                      running_var=self.running_var, momentum=factor,
                                      eps=self.eps, group=group)

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group=None) -> Module:
        """``module`` with every `BatchNorm1d` / `BatchNorm2d` (not InstanceNorm) replaced by a
        `SyncBatchNorm` that shares its weight and bias Parameters and its running statistics
        and keeps its training mode; containers keep their structure and names. Returns the new
        root (the module itself, changed in place, unless it is a batch norm itself), as
        PyTorch's."""
        if not isinstance(module, Module):
            raise TypeError(f"convert_sync_batchnorm expects a lucidnet.nn.Module, got "
                            f"{type(module).__name__}")
        out = module
        # InstanceNorm shares the batch norm base here (not in PyTorch): it is per sample, so
        # there is nothing to synchronize and it is kept
        if isinstance(module, _BatchNorm) and not isinstance(module, _InstanceNorm):
            dtype = (module.weight if module.weight is not None else module.running_mean)
            out = cls(module.num_features, module.eps, module.momentum, module.affine,
                      module.track_running_stats, process_group,
                      dtype=None if dtype is None else dtype.dtype,
                      bias=module.bias is not None or not module.affine)
            if module.affine:
                out.weight = module.weight
                if module.bias is not None:
                    out.bias = module.bias
            if module.track_running_stats:
                out.running_mean = module.running_mean
                out.running_var = module.running_var
                out.num_batches_tracked = module.num_batches_tracked
            out.training = module.training
        for name, child in list(module.named_children()):
            out.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return out
