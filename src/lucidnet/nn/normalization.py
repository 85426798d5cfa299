"""Normalization layers: BatchNorm1d/2d, LayerNorm, GroupNorm, InstanceNorm1d/2d.

    y = gamma * (x - mean) / sqrt(var + eps) + beta

BatchNorm uses the batch statistics (biased variance) in training and keeps running estimates
for inference, updated as PyTorch does:

    running_mean <- (1 - momentum) running_mean + momentum * mean
    running_var  <- (1 - momentum) running_var  + momentum * var * M / (M - 1)   (unbiased)

with ``momentum=None`` meaning a cumulative average (momentum = 1 / num_batches_tracked).
State-dict keys are PyTorch's: weight, bias, running_mean, running_var, num_batches_tracked.
"""

from __future__ import annotations

import numpy as np

from ..autograd.device import check_device
from ..autograd.dtypes import to_dtype
from ..autograd.ops import norm as N
from ..autograd.ops.elementwise import Cast
from ..autograd.tensor import Tensor, get_default_dtype
from .conv import check_input_dtype
from .module import Module, Parameter

__all__ = [
    "RMSNorm",
    "BatchNorm1d",
    "BatchNorm2d",
    "BatchNorm3d",
    "GroupNorm",
    "InstanceNorm1d",
    "InstanceNorm2d",
    "LayerNorm",
    "batch_norm",
    "group_norm",
    "layer_norm",
]


def _ones_parameter(shape, dtype) -> Parameter:
    """A Parameter of ones, filled only once it exists (so a `parameter_budget` refuses it first)."""
    p = Parameter(np.empty(shape, dtype=dtype))
    p.data.fill(1.0)
    return p


def _as_float_tensor(x, like=None, where="") -> Tensor:
    """x as a tensor; its dtype must match ``like`` (the layer's weight or running statistics)
    when there is one, else an integer input becomes the default float dtype."""
    x = x if isinstance(x, Tensor) else Tensor(np.asarray(x))
    if like is not None:
        check_input_dtype(x, like, where)
    elif x.dtype.kind != "f":
        x = Cast.apply(x, dtype=get_default_dtype())
    return x


def _state_of(weight, running_mean):
    """What an input's dtype must match: the weight, else the running statistics (or None)."""
    return weight if weight is not None else running_mean


def _check_positive_int(value, name, where):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{where}: {name} must be a positive integer, got {value!r}")
    return int(value)


def _check_eps_momentum(eps, momentum, where):
    if not eps > 0:
        raise ValueError(f"{where}: eps must be > 0, got {eps!r}")
    if momentum is not None and not 0.0 <= momentum <= 1.0:
        raise ValueError(f"{where}: momentum must be in [0, 1] or None, got {momentum!r}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Functional batch norm of x (N, C, *S); updates running_mean / running_var in place when
    training (as ``torch.nn.functional.batch_norm``).

    ``y = (x - mean_c) / sqrt(var_c + eps) * weight_c + bias_c`` per channel ``c``: with
    ``training`` the batch statistics over (N, *S) (biased variance), and
    ``running ← (1 - momentum) running + momentum batch`` (unbiased variance for
    ``running_var``); otherwise the running statistics.

    Parameters
    ----------
    input : Tensor
        (N, C) or (N, C, *S).
    running_mean, running_var : numpy.ndarray or None
        (C,) arrays of the input's dtype, updated in place when training.
    weight, bias : Tensor, optional
        (C,) affine parameters (default 1 and 0).
    training : bool, default False
        Use (and record) the batch statistics.
    momentum : float, default 0.1
        Weight of the new batch in the running statistics.
    eps : float, default 1e-5
        Added to the variance.

    Returns
    -------
    Tensor
        Same shape as ``input``.

    Examples
    --------
    >>> x = ln.tensor([[1., 10.], [3., 30.]])         # channel means 2, 20; variances 1, 100
    >>> mean, var = np.zeros(2, np.float32), np.ones(2, np.float32)
    >>> y = ln.nn.functional.batch_norm(x, mean, var, training=True, momentum=0.5)
    >>> [[round(v, 3) for v in row] for row in y.tolist()], mean.tolist(), var.tolist()
    ([[-1.0, -1.0], [1.0, 1.0]], [1.0, 10.0], [1.5, 100.5])
    """
    x = input
    x = _as_float_tensor(x, _state_of(weight, running_mean), "batch_norm")
    if training and x.numel() == 0 and x.ndim >= 2:
        # an empty batch (e.g. a rank's empty shard of a small global batch), as PyTorch: an
        # empty output, zero gradients for weight and bias, running statistics untouched
        c = x.shape[1]
        dtype = x.dtype
        mean = running_mean if running_mean is not None else np.zeros(c, dtype)
        var = running_var if running_var is not None else np.ones(c, dtype)
        return N.BatchNorm.apply(x, weight, bias, running_mean=mean, running_var=var,
                                 training=False, momentum=momentum, eps=eps)
    if training and x.numel() // max(x.shape[1], 1) <= 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                         f"{tuple(x.shape)}")
    return N.BatchNorm.apply(x, weight, bias, running_mean=running_mean, running_var=running_var,
                             training=training, momentum=momentum, eps=eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5) -> Tensor:
    """Normalize each sample over its last ``len(normalized_shape)`` axes:
    ``y = (x - mean) / sqrt(var + eps) * weight + bias``, mean and (biased) variance over those
    axes.

    Parameters
    ----------
    input : Tensor
        (*, *normalized_shape).
    normalized_shape : int or tuple of int
        The trailing shape to normalize over.
    weight, bias : Tensor, optional
        Of shape ``normalized_shape`` (default 1 and 0).
    eps : float, default 1e-5
        Added to the variance.

    Returns
    -------
    Tensor
        Same shape as ``input``.

    Examples
    --------
    >>> x = ln.tensor([[1., 3.], [10., 30.]])
    >>> ln.nn.functional.layer_norm(x, 2, eps=0.0).tolist()   # each row: mean 0, variance 1
    [[-1.0, 1.0], [-1.0, 1.0]]
    >>> ln.nn.functional.layer_norm(x[:1], 2, weight=ln.tensor([2., 2.]),
    ...                             bias=ln.tensor([1., 1.]), eps=0.0).tolist()
    [[-1.0, 3.0]]
    """
    x = input
    x = _as_float_tensor(x, weight, lambda: f"LayerNorm({normalized_shape})")
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if x.shape[x.ndim - len(shape):] != shape or x.ndim < len(shape):
        raise ValueError(f"LayerNorm(normalized_shape={shape}) expects input of shape "
                         f"(*, {', '.join(map(str, shape))}), got {tuple(x.shape)}")
    return N.LayerNorm.apply(x, weight, bias, normalized_ndim=len(shape), eps=eps)


def group_norm(input, num_groups: int, weight=None, bias=None, eps: float = 1e-5) -> Tensor:
    """Normalize each (sample, group of C/G channels) of x (N, C, *S):
    ``y = (x - mean_g) / sqrt(var_g + eps) * weight_c + bias_c``, the statistics over the
    group's channels and all of S.

    Parameters
    ----------
    input : Tensor
        (N, C, *S), C divisible by ``num_groups``.
    num_groups : int
        G, the number of channel groups.
    weight, bias : Tensor, optional
        (C,) per-channel affine parameters (default 1 and 0).
    eps : float, default 1e-5
        Added to the variance.

    Returns
    -------
    Tensor
        Same shape as ``input``.

    Examples
    --------
    >>> x = ln.tensor([[1., 3., 10., 30.]])          # groups (1, 3) and (10, 30)
    >>> ln.nn.functional.group_norm(x, 2, eps=0.0).tolist()
    [[-1.0, 1.0, -1.0, 1.0]]
    >>> ln.nn.functional.group_norm(ln.ones(2, 6, 4, 4), 3).shape
    torch.Size([2, 6, 4, 4])
    """
    x = input
    x = _as_float_tensor(x, weight, lambda: f"group_norm(num_groups={num_groups})")
    if x.ndim < 2 or x.shape[1] % num_groups:
        raise ValueError(f"group_norm: expected input (N, C, *) with C divisible by "
                         f"num_groups={num_groups}, got shape {tuple(x.shape)}")
    return N.GroupNorm.apply(x, weight, bias, num_groups=num_groups, eps=eps)


class _BatchNorm(Module):
    dims: tuple = (4,)
    shape_text = "(N, C, H, W)"

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device=None,
                 dtype=None, *, bias: bool = True):
        super().__init__()
        name = type(self).__name__
        if device is not None:
            check_device(device, name)
        self.num_features = _check_positive_int(num_features, "num_features", name)
        _check_eps_momentum(eps, momentum, name)
        self.eps, self.momentum = float(eps), momentum
        self.affine, self.track_running_stats = bool(affine), bool(track_running_stats)
        dtype = to_dtype(dtype, name) or np.dtype(get_default_dtype())
        if self.affine:
            self.weight = _ones_parameter(self.num_features, dtype)
            self.bias = Parameter(np.zeros(self.num_features, dtype=dtype)) if bias else None
        else:
            self.weight = self.bias = None
        if self.track_running_stats:
            self.register_buffer("running_mean", np.zeros(self.num_features, dtype=dtype))
            self.register_buffer("running_var", np.empty(self.num_features, dtype=dtype))
            self.running_var.fill(1.0)  # filled once registered (see nn.module.parameter_budget)
            self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.fill(0)
            self.running_var.fill(1)
            self.num_batches_tracked = np.array(0, dtype=np.int64)

    def _check(self, x: Tensor) -> None:
        where = f"{type(self).__name__}({self.num_features})"
        if x.ndim not in self.dims:
            raise ValueError(f"{where} expects input of shape {self.shape_text}, got shape "
                             f"{tuple(x.shape)} ({x.ndim} dims)")
        if x.shape[1] != self.num_features:
            raise ValueError(f"{where} expects {self.num_features} channels in axis 1 of "
                             f"{self.shape_text}, got shape {tuple(x.shape)}")

    def forward(self, x) -> Tensor:
        x = _as_float_tensor(x, _state_of(self.weight, self.running_mean), self._name)
        self._check(x)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked = self.num_batches_tracked + 1
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked)
        use_batch = self.training or not self.track_running_stats
        return batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                          training=use_batch, momentum=factor, eps=self.eps)

    def _name(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) features or (N, C, L) sequences, per channel C.

    ``y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias`` per channel, the statistics over
    the batch and positions (biased variance); in training
    ``running = (1 - momentum) running + momentum batch`` (unbiased variance), used in evaluation.
    Shape: input (N, C) or (N, C, L), output the same.

    Parameters
    ----------
    num_features : int
        C, the number of channels.
    eps : float, default 1e-5
        Added to the variance.
    momentum : float or None, default 0.1
        Weight of the batch in the running statistics (None: cumulative average).
    affine : bool, default True
        Learn the per-channel ``weight`` (ones) and ``bias`` (zeros).
    track_running_stats : bool, default True
        Keep ``running_mean`` / ``running_var`` buffers (else always use the batch's).
    device, dtype : optional
        ``"cpu"`` only; the parameters' dtype.
    bias : bool, default True
        With ``affine``, learn the bias too (keyword only).

    Examples
    --------
    >>> bn = ln.nn.BatchNorm1d(2)
    >>> y = bn(ln.tensor([[1.0, 10.0], [3.0, 30.0]]))
    >>> y                                              # each column to mean 0, variance 1
    tensor([[-1.0000, -1.0000],
            [ 1.0000,  1.0000]], grad_fn=<NativeBatchNormBackward0>)
    >>> bn.running_mean                                # 0.9 * 0 + 0.1 * batch mean
    array([0.2, 2. ], dtype=float32)
    """

    dims = (2, 3)
    shape_text = "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W) feature maps, per channel C.

    ``y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias`` per channel, the statistics over
    the batch and positions (biased variance); in training
    ``running = (1 - momentum) running + momentum batch`` (unbiased variance), used in evaluation.
    Shape: input (N, C, H, W), output the same.

    Parameters
    ----------
    num_features : int
        C, the number of channels.
    eps : float, default 1e-5
        Added to the variance.
    momentum : float or None, default 0.1
        Weight of the batch in the running statistics (None: cumulative average).
    affine : bool, default True
        Learn the per-channel ``weight`` (ones) and ``bias`` (zeros).
    track_running_stats : bool, default True
        Keep ``running_mean`` / ``running_var`` buffers (else always use the batch's).
    device, dtype : optional
        ``"cpu"`` only; the parameters' dtype.
    bias : bool, default True
        With ``affine``, learn the bias too (keyword only).

    Examples
    --------
    >>> bn = ln.nn.BatchNorm2d(3)
    >>> y = bn(ln.randn(4, 3, 5, 5))
    >>> y.shape, abs(round(float(y[:, 0].mean()), 4))     # each channel: mean 0 (to rounding)
    (torch.Size([4, 3, 5, 5]), 0.0)
    """

    dims = (4,)
    shape_text = "(N, C, H, W)"


class BatchNorm3d(_BatchNorm):
    """Batch normalization of (N, C, D, H, W) volumes, per channel C.

    ``y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias`` per channel, the statistics over
    the batch and positions (biased variance); in training
    ``running = (1 - momentum) running + momentum batch`` (unbiased variance), used in evaluation.
    Shape: input (N, C, D, H, W), output the same.

    Parameters
    ----------
    num_features : int
        C, the number of channels.
    eps : float, default 1e-5
        Added to the variance.
    momentum : float or None, default 0.1
        Weight of the batch in the running statistics (None: cumulative average).
    affine : bool, default True
        Learn the per-channel ``weight`` (ones) and ``bias`` (zeros).
    track_running_stats : bool, default True
        Keep ``running_mean`` / ``running_var`` buffers (else always use the batch's).
    device, dtype : optional
        ``"cpu"`` only; the parameters' dtype.
    bias : bool, default True
        With ``affine``, learn the bias too (keyword only).

    Examples
    --------
    >>> ln.nn.BatchNorm3d(2)(ln.randn(2, 2, 3, 3, 3)).shape
    torch.Size([2, 2, 3, 3, 3])
    """

    dims = (5,)
    shape_text = "(N, C, D, H, W)"


class LayerNorm(Module):
    """Normalize each sample over its last axes ``normalized_shape``; elementwise gamma, beta of
    that shape.

    ``y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias``, the mean and (biased) variance
    over the last ``len(normalized_shape)`` axes of each sample. Shape: input
    (*, *normalized_shape), output the same.

    Parameters
    ----------
    normalized_shape : int or tuple of int
        The trailing shape to normalize over.
    eps : float, default 1e-5
        Added to the variance.
    elementwise_affine : bool, default True
        Learn ``weight`` (ones) and ``bias`` (zeros) of shape ``normalized_shape``.
    bias : bool, default True
        With ``elementwise_affine``, learn the bias too.
    device, dtype : optional
        ``"cpu"`` only; the parameters' dtype.

    Examples
    --------
    >>> ln.nn.LayerNorm(3)(ln.tensor([[1.0, 2.0, 3.0]]))    # (x - 2) / sqrt(2/3 + eps)
    tensor([[-1.2247,  0.0000,  1.2247]], grad_fn=<NativeLayerNormBackward0>)
    """

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device=None, dtype=None):
        super().__init__()
        if device is not None:
            check_device(device, "LayerNorm")
        shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) \
            else tuple(normalized_shape)
        for n in shape:
            _check_positive_int(n, "normalized_shape", "LayerNorm")
        _check_eps_momentum(eps, None, "LayerNorm")
        self.normalized_shape = tuple(int(n) for n in shape)
        self.eps, self.elementwise_affine = float(eps), bool(elementwise_affine)
        dtype = to_dtype(dtype, "LayerNorm") or np.dtype(get_default_dtype())
        self.weight = _ones_parameter(self.normalized_shape, dtype) \
            if elementwise_affine else None
        self.bias = Parameter(np.zeros(self.normalized_shape, dtype=dtype)) \
            if elementwise_affine and bias else None

    def forward(self, x) -> Tensor:
        x = _as_float_tensor(x, self.weight, lambda: f"LayerNorm({self.extra_repr()})")
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class GroupNorm(Module):
    """Split C channels into ``num_groups`` groups; normalize each (sample, group) over its
    channels and positions; per-channel gamma, beta.

    ``y = (x - E_g[x]) / sqrt(Var_g[x] + eps) * weight_c + bias_c``, the statistics of each
    (sample, group of C / G channels) over those channels and all positions. Shape: input
    (N, C, *), output the same.

    Parameters
    ----------
    num_groups : int
        G (divides ``num_channels``).
    num_channels : int
        C.
    eps : float, default 1e-5
        Added to the variance.
    affine : bool, default True
        Learn the per-channel ``weight`` (ones) and ``bias`` (zeros).
    device, dtype : optional
        ``"cpu"`` only; the parameters' dtype.
    bias : bool, default True
        With ``affine``, learn the bias too.

    Examples
    --------
    >>> gn = ln.nn.GroupNorm(2, 4)
    >>> gn(ln.randn(2, 4, 3, 3)).shape
    torch.Size([2, 4, 3, 3])
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, device=None, dtype=None, *, bias: bool = True):
        super().__init__()
        if device is not None:
            check_device(device, "GroupNorm")
        self.num_groups = _check_positive_int(num_groups, "num_groups", "GroupNorm")
        self.num_channels = _check_positive_int(num_channels, "num_channels", "GroupNorm")
        if self.num_channels % self.num_groups:
            raise ValueError(f"GroupNorm: num_channels={num_channels} must be divisible by "
                             f"num_groups={num_groups}")
        _check_eps_momentum(eps, None, "GroupNorm")
        self.eps, self.affine = float(eps), bool(affine)
        dtype = to_dtype(dtype, "GroupNorm") or np.dtype(get_default_dtype())
        self.weight = _ones_parameter(num_channels, dtype) if affine else None
        self.bias = Parameter(np.zeros(num_channels, dtype=dtype)) if affine and bias else None

    def forward(self, x) -> Tensor:
        x = _as_float_tensor(x, self.weight, lambda: f"GroupNorm({self.extra_repr()})")
        if x.ndim < 2 or x.shape[1] != self.num_channels:
            raise ValueError(f"GroupNorm({self.num_groups}, {self.num_channels}) expects input of "
                             f"shape (N, {self.num_channels}, *), got {tuple(x.shape)}")
        return N.GroupNorm.apply(x, self.weight, self.bias, num_groups=self.num_groups,
                                 eps=self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class _InstanceNorm(_BatchNorm):
    """Normalize each (sample, channel) over its positions. PyTorch's defaults:
    affine=False, track_running_stats=False."""

    nd = 2

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = False, track_running_stats: bool = False, device=None,
                 dtype=None, *, bias: bool = True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)

    def forward(self, x) -> Tensor:
        where = f"{type(self).__name__}({self.num_features})"
        x = _as_float_tensor(x, _state_of(self.weight, self.running_mean), where)
        spatial = "L" if self.nd == 1 else "H, W"
        if x.ndim not in (self.nd + 1, self.nd + 2):
            raise ValueError(f"{where} expects input of shape (N, C, {spatial}) or (C, {spatial}),"
                             f" got shape {tuple(x.shape)}")
        unbatched = x.ndim == self.nd + 1
        if unbatched:
            x = x.reshape((1,) + x.shape)
        if x.shape[1] != self.num_features:
            raise ValueError(f"{where} expects {self.num_features} channels, got shape {tuple(x.shape)}")
        use_instance = self.training or not self.track_running_stats
        if use_instance:
            positions = int(np.prod(x.shape[2:]))
            if positions <= 1:
                raise ValueError(f"{where}: Expected more than 1 spatial element when training, "
                                 f"got input size {tuple(x.shape)}")
            if self.training and self.track_running_stats:
                self._update_running_stats(x.data, positions)
            out = N.GroupNorm.apply(x, self.weight, self.bias, num_groups=self.num_features,
                                    eps=self.eps)
        else:
            out = N.BatchNorm.apply(x, self.weight, self.bias, running_mean=self.running_mean,
                                    running_var=self.running_var, training=False, eps=self.eps)
        return out.reshape(out.shape[1:]) if unbatched else out

    def _update_running_stats(self, x: np.ndarray, positions: int) -> None:
        """PyTorch's rule: the batch average of each instance's mean and unbiased variance
        (PyTorch's InstanceNorm leaves num_batches_tracked at 0 and treats momentum=None as 0)."""
        factor = 0.0 if self.momentum is None else self.momentum
        axes = tuple(range(2, x.ndim))
        mean = x.mean(axis=axes).mean(axis=0)
        var = x.var(axis=axes, ddof=1).mean(axis=0)
        self.running_mean *= 1 - factor
        self.running_mean += factor * mean
        self.running_var *= 1 - factor
        self.running_var += factor * var


class InstanceNorm1d(_InstanceNorm):
    """Instance normalization of (N, C, L).

    ``y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias`` per channel, the statistics over
    each (sample, channel)'s positions (biased variance); with ``track_running_stats``,
    ``running = (1 - momentum) running + momentum batch`` (unbiased variance).
    Shape: input (N, C, L) or (C, L), output the same.

    Parameters
    ----------
    num_features : int
        C, the number of channels.
    eps : float, default 1e-5
        Added to the variance.
    momentum : float or None, default 0.1
        Weight of the batch in the running statistics (None: cumulative average).
    affine : bool, default False
        Learn the per-channel ``weight`` (ones) and ``bias`` (zeros).
    track_running_stats : bool, default False
        Keep ``running_mean`` / ``running_var`` buffers.
    device, dtype : optional
        ``"cpu"`` only; the parameters' dtype.
    bias : bool, default True
        With ``affine``, learn the bias too (keyword only).

    Examples
    --------
    >>> ln.nn.InstanceNorm1d(2)(ln.tensor([[[1.0, 3.0], [0.0, 4.0]]]))
    tensor([[[-1.0000,  1.0000],
             [-1.0000,  1.0000]]])
    """

    nd = 1


class InstanceNorm2d(_InstanceNorm):
    """Instance normalization of (N, C, H, W).

    ``y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias`` per channel, the statistics over
    each (sample, channel)'s positions (biased variance); with ``track_running_stats``,
    ``running = (1 - momentum) running + momentum batch`` (unbiased variance).
    Shape: input (N, C, H, W) or (C, H, W), output the same.

    Parameters
    ----------
    num_features : int
        C, the number of channels.
    eps : float, default 1e-5
        Added to the variance.
    momentum : float or None, default 0.1
        Weight of the batch in the running statistics (None: cumulative average).
    affine : bool, default False
        Learn the per-channel ``weight`` (ones) and ``bias`` (zeros).
    track_running_stats : bool, default False
        Keep ``running_mean`` / ``running_var`` buffers.
    device, dtype : optional
        ``"cpu"`` only; the parameters' dtype.
    bias : bool, default True
        With ``affine``, learn the bias too (keyword only).

    Examples
    --------
    >>> ln.nn.InstanceNorm2d(2)(ln.randn(1, 2, 4, 4)).shape
    torch.Size([1, 2, 4, 4])
    """

    nd = 2


class RMSNorm(Module):
    """Root-mean-square normalisation over the last axes ``normalized_shape`` with an elementwise
    ``weight`` (ones); ``eps=None``: the dtype's machine epsilon, as PyTorch.

    ``y = x / sqrt(mean(x^2) + eps) * weight``, the mean over the last
    ``len(normalized_shape)`` axes. Shape: input (*, *normalized_shape), output the same.

    Parameters
    ----------
    normalized_shape : int or tuple of int
        The trailing shape to normalize over.
    eps : float, optional
        Added to the mean square (default: the dtype's machine epsilon).
    elementwise_affine : bool, default True
        Learn ``weight`` (ones) of shape ``normalized_shape``.
    device, dtype : optional
        ``"cpu"`` only; the parameters' dtype.

    Examples
    --------
    >>> ln.nn.RMSNorm(2)(ln.tensor([[3.0, 4.0]]))          # x / sqrt(mean(x^2)) = x / sqrt(12.5)
    tensor([[0.8485, 1.1314]], grad_fn=<MulBackward0>)
    """

    def __init__(self, normalized_shape, eps=None, elementwise_affine: bool = True,
                 device=None, dtype=None):
        super().__init__()
        if device is not None:
            check_device(device, "RMSNorm")
        shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) \
            else tuple(normalized_shape)
        for n in shape:
            _check_positive_int(n, "normalized_shape", "RMSNorm")
        self.normalized_shape = tuple(int(n) for n in shape)
        self.eps, self.elementwise_affine = eps, bool(elementwise_affine)
        dtype = to_dtype(dtype, "RMSNorm") or np.dtype(get_default_dtype())
        self.weight = _ones_parameter(self.normalized_shape, dtype) if elementwise_affine \
            else None

    def forward(self, x) -> Tensor:
        from .functional import rms_norm

        return rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")
