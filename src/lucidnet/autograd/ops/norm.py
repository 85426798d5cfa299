"""Normalization layers as fused ops, forward and derived backward together.

Over the normalized axes (M values each):

    mu = mean(x),  var = mean((x - mu)^2)   (biased),  xhat = (x - mu) / sqrt(var + eps)
    y  = gamma * xhat + beta

Backward, with gh = g * gamma (the gradient reaching xhat):

    dL/dx     = (gh - mean(gh) - xhat * mean(gh * xhat)) / sqrt(var + eps)
    dL/dgamma = sum(g * xhat),   dL/dbeta = sum(g)      (over every axis but the parameter's)

BatchNorm normalizes each channel over (N, *S); LayerNorm each sample over its last axes;
GroupNorm each (sample, group of channels); InstanceNorm is GroupNorm with one channel per group.
In evaluation BatchNorm uses the running statistics, so y is affine in x: dL/dx = gh / sqrt(rv + eps).
"""

from __future__ import annotations

import numpy as np

from ... import _fast
from ...threads import parallel_for, threads_for
from ..function import Function
from .buffers import channel_major, pooled_empty

__all__ = ["BatchNorm", "GroupNorm", "LayerNorm", "normalize", "normalize_backward"]


def normalize(x: np.ndarray, axes: tuple, eps: float):
    """(xhat, inv_std, mean, biased var) of x over ``axes`` (statistics keep their dims).

    Examples
    --------
    >>> from lucidnet.autograd.ops.norm import normalize
    >>> xhat, inv_std, mean, var = normalize(np.array([[1.0, 3.0]]), axes=(1,), eps=0.0)
    >>> xhat, inv_std, mean, var  # (x - mean) / sqrt(var + eps), biased var
    (array([[-1.,  1.]]), array([[1.]]), array([[2.]]), array([[1.]]))
    """
    mean = x.mean(axis=axes, keepdims=True)
    xc = x - mean
    var = np.mean(xc * xc, axis=axes, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + x.dtype.type(eps))
    xc *= inv_std
    return xc, inv_std, mean, var


def normalize_backward(gh: np.ndarray, xhat: np.ndarray, inv_std: np.ndarray, axes: tuple):
    """dL/dx from dL/dxhat for xhat = normalize(x, axes).

    Examples
    --------
    >>> from lucidnet.autograd.ops.norm import normalize, normalize_backward
    >>> xhat, inv_std, _, _ = normalize(np.array([[1.0, 2.0, 3.0]]), axes=(1,), eps=0.0)
    >>> gx = normalize_backward(np.ones((1, 3)), xhat, inv_std, axes=(1,))
    >>> bool(np.allclose(gx, 0.0))  # xhat ignores a shift of x
    True
    >>> normalize_backward(np.array([[0.0, 1.0, 0.0]]), xhat, inv_std, axes=(1,)).round(4)
    array([[-0.4082,  0.8165, -0.4082]])
    """
    mean_gh = gh.mean(axis=axes, keepdims=True)
    mean_ghx = np.mean(gh * xhat, axis=axes, keepdims=True)
    return (gh - mean_gh - xhat * mean_ghx) * inv_std


def _affine(xhat, weight, bias, shape):
    out = xhat * weight.reshape(shape) if weight is not None else xhat.copy()
    if bias is not None:
        out += bias.reshape(shape)
    return out


def _param_grads(ctx, g, xhat, axes):
    gw = gb = None
    if ctx.has_weight and ctx.needs_input_grad[1]:
        gw = np.sum(g * xhat, axis=axes).reshape(ctx.param_shape)
    if ctx.has_bias and ctx.needs_input_grad[2]:
        gb = np.sum(g, axis=axes).reshape(ctx.param_shape)
    return gw, gb


def _channel_view(x: np.ndarray, channel_major: bool) -> np.ndarray:
    """x (N, C, *S) as a 3-d (A, C, B) array whose axes 0 and 2 are reduced: (1, C, N*S) when
    x is channel-major (a view), (N, C, S) otherwise (a view when x is C-contiguous)."""
    n, c = x.shape[:2]
    s = int(np.prod(x.shape[2:], dtype=np.int64))  # explicit: reshape(..., -1) fails for N = 0
    if channel_major:
        return x.swapaxes(0, 1).reshape(1, c, n * s)
    return x.reshape(n, c, s)


def _from_channel_view(a3: np.ndarray, shape: tuple, channel_major: bool) -> np.ndarray:
    if channel_major:
        return a3.reshape((shape[1], shape[0]) + tuple(shape[2:])).swapaxes(0, 1)
    return a3.reshape(shape)


def _batch_norm_fused(ctx, x, x3, cm, weight, bias, running_mean, running_var, training,
                      momentum, eps):
    """BatchNorm.forward on the fused kernels (``lucidnet._fast.norm``): statistics in one
    kernel (two passes, float64 sums), y in one more pass; saves what the NumPy path saves."""
    kernels = _fast.load("norm")
    c = x3.shape[1]
    m = x3.size // c
    if ctx.batch_stats:
        mean, var = (s.astype(x.dtype) for s in kernels.batch_norm_stats(x3))
        if training and running_mean is not None:  # as the NumPy path, operand for operand
            running_mean *= 1 - momentum
            running_mean += momentum * mean
            running_var *= 1 - momentum
            running_var += momentum * var * (m / (m - 1))
    else:
        mean, var = running_mean.astype(x.dtype), running_var.astype(x.dtype)
    inv_std = (1.0 / np.sqrt(var + eps)).astype(x.dtype)
    scale = inv_std * weight if weight is not None else inv_std
    shift = bias.astype(x.dtype) if bias is not None else np.zeros(c, x.dtype)
    out = pooled_empty(x3.shape, x.dtype)
    kernels.batch_norm_apply(x3, mean, scale.astype(x.dtype), shift, out)
    ctx.has_weight, ctx.has_bias = weight is not None, bias is not None
    ctx.layout = (x.shape, cm)
    ctx.save_for_backward(x3, mean, inv_std, weight)
    return _from_channel_view(out, x.shape, cm)


class BatchNorm(Function):
    """Per-channel normalization of x (N, C, *S) over (N, *S).

    kwargs: running_mean, running_var (arrays updated in place when training, or None),
    training, momentum (factor of the new batch in the running average), eps.
    The running variance gets the unbiased batch variance var * M / (M - 1), as PyTorch.
    Works in the memory layout it receives (channel-major, as Conv returns it, or NCHW) through a
    3-d view (A, C, B) reduced over axes 0 and 2; per-channel sums are einsum contractions.
    Forward computes y = xc * (gamma / sigma) + beta in place over xc = x - mu and saves x with
    the statistics (backward re-centers); backward folds the formula above into
    dL/dx = k (g - mean(g)) - xc (k / sigma) mean(g xhat), k = gamma / sigma, using
    sum(g xhat) = sum(g xc) / sigma = dL/dgamma.

    Examples
    --------
    >>> from lucidnet.autograd.ops.norm import BatchNorm
    >>> x = ln.tensor([[1.0], [3.0]]); rm, rv = np.zeros(1, np.float32), np.ones(1, np.float32)
    >>> BatchNorm.apply(x, running_mean=rm, running_var=rv, eps=0.0)  # (x - 2) / 1
    tensor([[-1.],
            [ 1.]])
    >>> rm, rv  # 0.1 * mean 2 and 0.9 * 1 + 0.1 * unbiased var 2, updated in place
    (array([0.2], dtype=float32), array([1.1], dtype=float32))
    """

    @staticmethod
    def forward(ctx, x, weight=None, bias=None, running_mean=None, running_var=None,
                training=True, momentum=0.1, eps=1e-5):
        cm = channel_major(x)
        x3 = _channel_view(x, cm)
        c = x3.shape[1]
        m = x3.size // c
        ctx.batch_stats = training or running_mean is None
        if _fast.takes(x.dtype) and _fast.use("norm_forward") and _fast.load("norm") is not None:
            return _batch_norm_fused(ctx, x, x3, cm, weight, bias, running_mean, running_var,
                                     training, momentum, eps)
        if ctx.batch_stats:
            mean = np.einsum("acb->c", x3) / m
            xc = np.subtract(x3, mean[:, None], out=pooled_empty(x3.shape, x3.dtype))
            var = np.einsum("acb,acb->c", xc, xc) / m
            if training and running_mean is not None:
                running_mean *= 1 - momentum
                running_mean += momentum * mean
                running_var *= 1 - momentum
                running_var += momentum * var * (m / (m - 1))
        else:
            mean, var = running_mean.astype(x.dtype), running_var.astype(x.dtype)
            xc = x3 - mean[:, None]
        inv_std = (1.0 / np.sqrt(var + eps)).astype(x.dtype)
        scale = inv_std * weight if weight is not None else inv_std
        out = xc  # y = xc * gamma / sigma + beta, written over the centered data
        out *= scale[:, None]
        if bias is not None:
            out += bias[:, None]
        ctx.has_weight, ctx.has_bias = weight is not None, bias is not None
        ctx.layout = (x.shape, cm)
        # x itself (alive anyway as this node's input) and the statistics are saved, not xc:
        # one large array fewer per layer held from forward to backward
        ctx.save_for_backward(x3, mean.astype(x.dtype), inv_std, weight)
        return _from_channel_view(out, x.shape, cm)

    @staticmethod
    def backward(ctx, g):
        x3, mean, inv_std, weight = ctx.saved
        shape, cm = ctx.layout
        g3 = _channel_view(g, cm)
        if _fast.takes(x3.dtype, g3.dtype) and _fast.use("norm_backward") and _fast.load("norm"):
            # two passes: the per-channel sums, then dL/dx (the forward of either path saves
            # the same x3, mean, inv_std)
            k = inv_std * weight if weight is not None else inv_std
            need_x = ctx.needs_input_grad[0]
            gx3 = (pooled_empty(x3.shape, g3.dtype) if need_x
                   else np.empty((0, 0, 0), x3.dtype))
            kernel = _fast.load("norm").batch_norm_backward
            sum_g = np.empty(x3.shape[1])
            sum_gx = np.empty(x3.shape[1])

            def channels(lo, hi):  # channels are independent: shared out over the threads
                part = slice(lo, hi)
                sum_g[part], sum_gx[part] = kernel(
                    g3[:, part], x3[:, part], mean[part], inv_std[part], k[part],
                    ctx.batch_stats, gx3[:, part] if need_x else gx3)

            parallel_for(channels, x3.shape[1], threads_for(x3.size))
            gx = _from_channel_view(gx3, shape, cm) if need_x else None
            gw = sum_gx.astype(x3.dtype) if ctx.has_weight and ctx.needs_input_grad[1] else None
            gb = sum_g.astype(x3.dtype) if ctx.has_bias and ctx.needs_input_grad[2] else None
            return gx, gw, gb
        m = x3.size // x3.shape[1]
        xc = np.subtract(x3, mean[:, None], out=pooled_empty(x3.shape, x3.dtype))
        sum_g = np.einsum("acb->c", g3)
        sum_gx = np.einsum("acb,acb->c", g3, xc) * inv_std  # sum(g * xhat)
        gx = gw = gb = None
        if ctx.needs_input_grad[0]:
            k = inv_std * weight if weight is not None else inv_std
            gx = np.multiply(g3, k[:, None], out=pooled_empty(g3.shape, g3.dtype))
            if ctx.batch_stats:
                gx -= (k * sum_g / m)[:, None]
                xc *= (k * inv_std * sum_gx / m)[:, None]
                gx -= xc
            gx = _from_channel_view(gx, shape, cm)
        if ctx.has_weight and ctx.needs_input_grad[1]:
            gw = sum_gx
        if ctx.has_bias and ctx.needs_input_grad[2]:
            gb = sum_g
        return gx, gw, gb


class LayerNorm(Function):
    """y = (x - mean) / sqrt(var + eps) * weight + bias, with mean and the biased var of each
    sample over its last ``normalized_ndim`` axes (``len(normalized_shape)``); weight and bias
    (optional) have ``normalized_shape``, the shape of those axes.

    dL/dx = `normalize_backward` of g * weight; dL/dweight = sum of g xhat and dL/dbias = sum of
    g over the leading (sample) axes.

    Examples
    --------
    >>> from lucidnet.autograd.ops.norm import LayerNorm
    >>> x = ln.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 6.0]], requires_grad=True)
    >>> y = LayerNorm.apply(x, ln.ones(3), ln.zeros(3), normalized_ndim=1); y  # each row on its own
    tensor([[-1.2247,  0.0000,  1.2247],
            [-0.7071, -0.7071,  1.4142]], grad_fn=<NativeLayerNormBackward0>)
    >>> y.sum().backward(); bool(x.grad.abs().max() < 1e-6)  # sum(xhat) = 0 whatever x is
    True
    """

    @staticmethod
    def forward(ctx, x, weight=None, bias=None, normalized_ndim=1, eps=1e-5):
        axes = tuple(range(x.ndim - normalized_ndim, x.ndim))
        xhat, inv_std, _, _ = normalize(x, axes, eps)
        shape = x.shape[x.ndim - normalized_ndim:]
        ctx.has_weight, ctx.has_bias = weight is not None, bias is not None
        ctx.param_shape, ctx.axes = shape, axes
        ctx.save_for_backward(xhat, inv_std, weight)
        return _affine(xhat, weight, bias, shape)

    @staticmethod
    def backward(ctx, g):
        xhat, inv_std, weight = ctx.saved
        lead = tuple(range(xhat.ndim - len(ctx.axes)))
        gx = None
        if ctx.needs_input_grad[0]:
            gh = g * weight if weight is not None else g
            gx = normalize_backward(gh, xhat, inv_std, ctx.axes)
        return (gx,) + _param_grads(ctx, g, xhat, lead)


class GroupNorm(Function):
    """x (N, C, *S): channels split into ``num_groups`` groups G, each (sample, group) normalized
    over its C/G channels and all positions: y = (x - mean) / sqrt(var + eps) * weight_c + bias_c
    (biased var), with per-channel weight and bias (C,), both optional.

    dL/dx = `normalize_backward` of g * weight within each group; dL/dweight = sum of g xhat and
    dL/dbias = sum of g over N and the positions.

    Examples
    --------
    >>> from lucidnet.autograd.ops.norm import GroupNorm
    >>> x = ln.tensor([[[1.0, 3.0], [10.0, 30.0]]])  # (N, C, L) = (1, 2, 2)
    >>> GroupNorm.apply(x, num_groups=2, eps=0.0)  # each channel its own group
    tensor([[[-1.,  1.],
             [-1.,  1.]]])
    >>> GroupNorm.apply(x, ln.tensor([1.0, 2.0]), num_groups=2, eps=0.0)  # weight per channel
    tensor([[[-1.,  1.],
             [-2.,  2.]]])
    """

    @staticmethod
    def forward(ctx, x, weight=None, bias=None, num_groups=1, eps=1e-5):
        n, c = x.shape[:2]
        grouped = x.reshape(n, num_groups, -1)
        xhat, inv_std, _, _ = normalize(grouped, (2,), eps)
        xhat = xhat.reshape(x.shape)
        shape = (1, c) + (1,) * (x.ndim - 2)
        ctx.has_weight, ctx.has_bias = weight is not None, bias is not None
        ctx.param_shape = (c,)
        ctx.num_groups = num_groups
        ctx.save_for_backward(xhat, inv_std, weight)
        return _affine(xhat, weight, bias, shape)

    @staticmethod
    def backward(ctx, g):
        xhat, inv_std, weight = ctx.saved
        n, c = xhat.shape[:2]
        axes = (0,) + tuple(range(2, xhat.ndim))
        gx = None
        if ctx.needs_input_grad[0]:
            gh = g * weight.reshape((1, c) + (1,) * (g.ndim - 2)) if weight is not None else g
            gx = normalize_backward(gh.reshape(n, ctx.num_groups, -1),
                                    xhat.reshape(n, ctx.num_groups, -1), inv_std, (2,))
            gx = gx.reshape(xhat.shape)
        return (gx,) + _param_grads(ctx, g, xhat, axes)
