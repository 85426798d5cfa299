"""Convolution layers ``Conv1d`` / ``Conv2d``, ``ConvTranspose1d`` / ``ConvTranspose2d`` and their
functional forms.

PyTorch's names and semantics: input (N, C, L) or (N, C, H, W) (an unbatched (C, ...) input is
accepted too), weight (out_channels, in_channels / groups, *kernel_size), bias (out_channels,),
``stride``, ``padding`` (int, tuple, "valid" or "same"), ``dilation``, ``groups`` (channels in
``groups`` independent blocks; depthwise when groups = in_channels), ``padding_mode`` (zeros,
reflect, replicate, circular). Output length per axis:

    out = floor((in + 2 padding - dilation (kernel - 1) - 1) / stride) + 1

Transposed: weight (in_channels, out_channels / groups, *kernel_size), ``output_padding`` (or
``forward(x, output_size=...)``), out = (in - 1) stride - 2 padding + dilation (k - 1)
+ output_padding + 1.

Initialized like PyTorch: W, b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = C / groups *
prod(kernel) (F^2 C for C input channels and F x F kernels).
"""

from __future__ import annotations

import numpy as np

from ..autograd.device import check_device
from ..autograd.dtypes import to_dtype
from ..autograd.ops.conv import Conv
from ..autograd.ops.elementwise import Cast
from ..autograd.ops.shape import Concatenate
from ..autograd.tensor import Tensor, get_default_dtype
from . import init
from .module import Module, Parameter

__all__ = ["Conv1d", "Conv2d", "conv1d", "conv2d"]

_SPATIAL = {1: "L", 2: "H, W"}


def ntuple(value, n: int, name: str, where: str, minimum: int = 1) -> tuple:
    """An int or a length-n sequence of ints, each >= minimum, as a tuple (validated)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        values = (int(value),) * n
    elif (isinstance(value, (tuple, list)) and len(value) == n
          and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value)):
        values = tuple(int(v) for v in value)
    else:
        raise ValueError(f"{where}: {name} must be an int or a tuple of {n} ints, got {value!r}")
    if any(v < minimum for v in values):
        raise ValueError(f"{where}: {name} must be >= {minimum}, got {value!r}")
    return values


def resolve_padding(padding, kernel: tuple, stride: tuple, dilation: tuple, where: str) -> tuple:
    """((lo, hi), ...) per spatial axis from an int, a tuple, "valid" or "same"."""
    nd = len(kernel)
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * nd
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(f"{where}: padding='same' needs stride 1 (as in PyTorch), got "
                                 f"stride={stride}; give an explicit padding instead")
            totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
            return tuple((t // 2, t - t // 2) for t in totals)
        raise ValueError(f"{where}: padding must be an int, a tuple, 'valid' or 'same', "
                         f"got {padding!r}")
    pads = ntuple(padding, nd, "padding", where, minimum=0)
    return tuple((p, p) for p in pads)


def check_input_dtype(x: Tensor, param, where) -> None:
    """Refuse an input whose dtype differs from the layer's parameters, as PyTorch does: NumPy
    would silently compute a float32 layer in float64 (or an integer input in float64).
    ``where`` names the layer: a string, or a function making it (called only on error)."""
    if param is None or x.data.dtype == param.dtype:
        return
    where = where() if callable(where) else where
    name = np.dtype(param.dtype).name
    cast = {"float32": "x.float()", "float64": "x.double()"}.get(name, f"x.astype({name})")
    hint = f"cast the input with {cast} (a NumPy array: x.astype(np.{name}))"
    if x.dtype.kind == "f":
        hint += f" or the model with model.{'double' if name == 'float32' else 'float'}()"
    raise TypeError(f"{where} got {x.dtype} input but its parameters are {name}; {hint}")


def check_input(x, nd: int, where: str, channels: int | None = None,
                weight=None) -> tuple[Tensor, bool]:
    """Validate an (N, C, *S) input of ``nd`` spatial axes (and its dtype against ``weight``'s,
    when given); returns (batched tensor, was_unbatched)."""
    x = x if isinstance(x, Tensor) else Tensor(np.asarray(x))
    c = "C" if channels is None else str(channels)
    expected = f"(N, {c}, {_SPATIAL[nd]}) or unbatched ({c}, {_SPATIAL[nd]})"
    if x.ndim not in (nd + 1, nd + 2):
        raise ValueError(f"{where} expects input of shape {expected}, got shape {tuple(x.shape)} "
                         f"({x.ndim} dims)")
    unbatched = x.ndim == nd + 1
    if unbatched:
        x = x.reshape((1,) + x.shape)
    if channels is not None and x.shape[1] != channels:
        raise ValueError(f"{where} expects input of shape {expected}, got shape "
                         f"{tuple(x.shape[1:] if unbatched else x.shape)}: {x.shape[1]} channels instead "
                         f"of {channels}")
    if weight is not None:
        check_input_dtype(x, weight, where)
    elif x.dtype.kind != "f":
        x = Cast.apply(x, dtype=get_default_dtype())
    return x, unbatched


def check_window(spatial: tuple, kernel: tuple, dilation: tuple, padding: tuple, where: str):
    """Raise if the (dilated) kernel does not fit in the padded input."""
    for size, k, d, (lo, hi) in zip(spatial, kernel, dilation, padding):
        if size + lo + hi < d * (k - 1) + 1:
            raise ValueError(
                f"{where}: kernel size {kernel} (dilation {dilation}) is larger than the padded "
                f"input: spatial size {spatial} plus padding {padding}; use a smaller kernel, more "
                "padding or a larger input"
            )


def _groups_int(groups, where: str) -> int:
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"{where}: groups must be a positive integer, got {groups!r}")
    return int(groups)


def _check_groups(groups, in_channels: int, out_channels: int, where: str) -> int:
    groups = _groups_int(groups, where)
    if in_channels % groups or out_channels % groups:
        raise ValueError(f"{where}: in_channels ({in_channels}) and out_channels "
                         f"({out_channels}) must both be divisible by groups ({groups})")
    return int(groups)


def _grouped(x, weight, bias, groups: int, **kw) -> Tensor:
    """Convolution with ``groups`` blocks of channels: one op, one matmul batched over the
    groups (depthwise included), see `lucidnet.autograd.ops.conv`."""
    return Conv.apply(x, weight, bias, groups=groups, **kw)


def _conv(x, weight, bias, stride, padding, dilation, nd: int, where: str,
          groups: int = 1) -> Tensor:
    kernel = weight.shape[2:]
    stride = ntuple(stride, nd, "stride", where)
    dilation = ntuple(dilation, nd, "dilation", where)
    pads = resolve_padding(padding, kernel, stride, dilation, where)
    groups = _groups_int(groups, where)
    groups = _check_groups(groups, weight.shape[1] * groups, weight.shape[0], where)
    x, unbatched = check_input(x, nd, where, channels=weight.shape[1] * groups, weight=weight)
    check_window(x.shape[2:], kernel, dilation, pads, where)
    out = _grouped(x, weight, bias, groups, stride=stride, padding=pads, dilation=dilation)
    return out.reshape(out.shape[1:]) if unbatched else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """1-D convolution of x (N, C, L) with weight (O, C / groups, K):
    ``out[n, o, l] = b[o] + sum_{c, k} w[o, c, k] x[n, c, l s + k d - p]`` (cross-correlation,
    as PyTorch), ``L_out = floor((L + 2p - d (K - 1) - 1) / s) + 1``.

    Parameters
    ----------
    input : Tensor
        (N, C, L) (or unbatched without N).
    weight : Tensor
        (O, C / groups, K).
    bias : Tensor, optional
        (O,).
    stride, padding, dilation : int or tuple
        As for the layer (``padding`` also ``"valid"`` / ``"same"``).
    groups : int, default 1
        Number of channel groups.

    Returns
    -------
    Tensor
        (N, O, L_out).

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> F.conv1d(ln.tensor([[[1.0, 2.0, 3.0, 4.0]]]), ln.tensor([[[1.0, -1.0]]]))   # x_i - x_{i+1}
    tensor([[[-1., -1., -1.]]])
    """
    return _conv(input, weight, bias, stride, padding, dilation, 1,
                 f"conv1d(weight {tuple(weight.shape)})", groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """2-D convolution of x (N, C, H, W) with weight (O, C / groups, KH, KW):
    ``out[n, o, i, j] = b[o] + sum_{c,u,v} w[o, c, u, v] x[n, c, i s + u d - p, j s + v d - p]``
    (cross-correlation, as PyTorch), ``H_out = floor((H + 2p - d (K - 1) - 1) / s) + 1`` (the same
    for W).

    Parameters
    ----------
    input : Tensor
        (N, C, H, W) (or unbatched without N).
    weight : Tensor
        (O, C / groups, KH, KW).
    bias : Tensor, optional
        (O,).
    stride, padding, dilation : int or tuple
        As for the layer (``padding`` also ``"valid"`` / ``"same"``).
    groups : int, default 1
        Number of channel groups.

    Returns
    -------
    Tensor
        (N, O, H_out, W_out).

    Examples
    --------
    >>> import lucidnet.nn.functional as F
    >>> x = ln.arange(16.0).reshape(1, 1, 4, 4)
    >>> F.conv2d(x, ln.ones(1, 1, 2, 2))               # sums of 2 x 2 windows
    tensor([[[[10., 14., 18.],
              [26., 30., 34.],
              [42., 46., 50.]]]])
    """
    return _conv(input, weight, bias, stride, padding, dilation, 2,
                 f"conv2d(weight {tuple(weight.shape)})", groups)


class _ConvNd(Module):
    nd = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None):
        super().__init__()
        name = type(self).__name__
        for arg, value in (("in_channels", in_channels), ("out_channels", out_channels)):
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name}: {arg} must be a positive integer, got {value!r}")
        if padding_mode not in ("zeros", "reflect", "replicate", "circular"):
            raise ValueError(f"{name}: padding_mode must be 'zeros', 'reflect', 'replicate' or "
                             f"'circular', got {padding_mode!r}")
        self.padding_mode = padding_mode
        if device is not None:
            check_device(device, name)
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.groups = _check_groups(groups, self.in_channels, self.out_channels, name)
        self.kernel_size = ntuple(kernel_size, self.nd, "kernel_size", name)
        self.stride = ntuple(stride, self.nd, "stride", name)
        self.dilation = ntuple(dilation, self.nd, "dilation", name)
        self._pads = resolve_padding(padding, self.kernel_size, self.stride, self.dilation, name)
        self.padding = padding if isinstance(padding, str) else ntuple(padding, self.nd,
                                                                       "padding", name, 0)
        dtype = to_dtype(dtype, name) or np.dtype(get_default_dtype())
        shape = (self.out_channels, self.in_channels // self.groups) + self.kernel_size
        self.weight = Parameter(np.empty(shape, dtype=dtype))
        self.bias = Parameter(np.empty(self.out_channels, dtype=dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.default_linear_init_(self.weight, self.bias)

    def forward(self, x) -> Tensor:
        where = f"{type(self).__name__}({self.extra_repr()})"
        x, unbatched = check_input(x, self.nd, where, channels=self.in_channels,
                                   weight=self.weight)
        check_window(x.shape[2:], self.kernel_size, self.dilation, self._pads, where)
        pads = self._pads
        if self.padding_mode != "zeros":  # PyTorch: F.pad in that mode, then an unpadded conv
            from .padding import pad as _pad

            x = _pad(x, [w for lo_hi in pads[::-1] for w in lo_hi], mode=self.padding_mode)
            pads = ((0, 0),) * self.nd
        out = _grouped(x, self.weight, self.bias, self.groups, stride=self.stride,
                       padding=pads, dilation=self.dilation)
        return out.reshape(out.shape[1:]) if unbatched else out

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * self.nd:  # 'valid' / 'same' shown too, as PyTorch
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self.nd:
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv2d(_ConvNd):
    """2-D convolution over (N, C, H, W): out (N, out_channels, H_out, W_out).

    ``out[n, o] = bias[o] + sum_c weight[o, c] ⋆ x[n, c]`` (⋆: 2-D cross-correlation), with
    ``H_out = floor((H + 2p - d (K - 1) - 1) / s) + 1`` (the same for W); weight
    (out_channels, in_channels / groups, KH, KW).

    Parameters
    ----------
    in_channels : int
        C, the input channels.
    out_channels : int
        O, the output channels (filters).
    kernel_size : int or tuple
        K per spatial axis.
    stride : int or tuple, default 1
        Step s between windows.
    padding : int, tuple, "valid" or "same", default 0
        p zeros (or ``padding_mode`` values) added on both sides of each spatial axis.
    dilation : int or tuple, default 1
        d, the spacing between kernel taps.
    groups : int, default 1
        Split the channels into this many independent groups (C and O divisible by it).
    bias : bool, default True
        Learn an additive bias per output channel.
    padding_mode : {"zeros", "reflect", "replicate", "circular"}, default "zeros"
        How the border is padded.
    device, dtype : optional
        ``"cpu"`` only; the parameters' dtype (default: the default dtype).

    Examples
    --------
    >>> conv = ln.nn.Conv2d(1, 4, kernel_size=3, padding=1)
    >>> conv.weight.shape
    torch.Size([4, 1, 3, 3])
    >>> conv(ln.ones(2, 1, 8, 8)).shape                # same H, W with padding 1
    torch.Size([2, 4, 8, 8])
    """

    nd = 2


class Conv1d(_ConvNd):
    """1-D convolution over (N, C, L): out (N, out_channels, L_out).

    ``out[n, o] = bias[o] + sum_c weight[o, c] ⋆ x[n, c]`` (⋆: cross-correlation), with
    ``L_out = floor((L + 2p - d (K - 1) - 1) / s) + 1``; weight
    (out_channels, in_channels / groups, K).

    Parameters
    ----------
    in_channels : int
        C, the input channels.
    out_channels : int
        O, the output channels (filters).
    kernel_size : int or tuple
        K per spatial axis.
    stride : int or tuple, default 1
        Step s between windows.
    padding : int, tuple, "valid" or "same", default 0
        p zeros (or ``padding_mode`` values) added on both sides of each spatial axis.
    dilation : int or tuple, default 1
        d, the spacing between kernel taps.
    groups : int, default 1
        Split the channels into this many independent groups (C and O divisible by it).
    bias : bool, default True
        Learn an additive bias per output channel.
    padding_mode : {"zeros", "reflect", "replicate", "circular"}, default "zeros"
        How the border is padded.
    device, dtype : optional
        ``"cpu"`` only; the parameters' dtype (default: the default dtype).

    Examples
    --------
    >>> conv = ln.nn.Conv1d(2, 3, kernel_size=3)
    >>> conv(ln.ones(1, 2, 10)).shape                  # L_out = 10 - 3 + 1
    torch.Size([1, 3, 8])
    """

    nd = 1


# ---------------------------------------------------------------- transposed convolution
def _dilate(x: Tensor, axis: int, stride: int) -> Tensor:
    """Insert ``stride - 1`` zeros between the entries of ``axis`` (length n -> (n-1) s + 1)."""
    if stride == 1:
        return x
    n = x.shape[axis]
    shape = x.shape
    column = x.reshape(shape[:axis + 1] + (1,) + shape[axis + 1:])
    zeros = Tensor(np.zeros(shape[:axis + 1] + (stride - 1,) + shape[axis + 1:], dtype=x.dtype))
    spread = Concatenate.apply(column, zeros, axis=axis + 1)
    spread = spread.reshape(shape[:axis] + (n * stride,) + shape[axis + 1:])
    return spread[(slice(None),) * axis + (slice(0, (n - 1) * stride + 1),)]


def _conv_transpose(x, weight, bias, stride, padding, output_padding, groups, dilation,
                    nd: int, where: str) -> Tensor:
    """The adjoint of a strided convolution, as a direct convolution: spread the input by the
    stride, pad by dilation (k - 1) - padding (plus output_padding after), then convolve with
    the kernel flipped and its in/out channels swapped, stride 1.

    out size = (in - 1) stride - 2 padding + dilation (k - 1) + output_padding + 1
    """
    from .padding import pad as _pad

    kernel = weight.shape[2:]
    stride = ntuple(stride, nd, "stride", where)
    dilation = ntuple(dilation, nd, "dilation", where)
    pads = ntuple(padding, nd, "padding", where, minimum=0)
    extra = ntuple(output_padding, nd, "output_padding", where, minimum=0)
    for e, s, d in zip(extra, stride, dilation):
        if e >= max(s, d):
            raise ValueError(f"{where}: output_padding must be smaller than stride or dilation, "
                             f"got output_padding={output_padding}")
    groups = _groups_int(groups, where)
    cin = weight.shape[0]
    if cin % groups:
        raise ValueError(f"{where}: in_channels ({cin}) must be divisible by groups ({groups})")
    x, unbatched = check_input(x, nd, where, channels=cin, weight=weight)
    for axis, s in enumerate(stride, start=2):
        x = _dilate(x, axis, s)
    widths = []
    for k, d, p, e in zip(kernel[::-1], dilation[::-1], pads[::-1], extra[::-1]):
        edge = d * (k - 1) - p
        widths += [edge, edge + e]
    x = _pad(x, widths)
    # weight (C_in, C_out/G, *K) -> (C_out, C_in/G, *K), group by group, kernel flipped
    flip = tuple(range(2, 2 + nd))
    cin_g, cout_g = cin // groups, weight.shape[1]
    w = weight.flip(flip)
    if groups == 1:
        w = w.transpose(0, 1)
    else:
        w = (w.reshape((groups, cin_g, cout_g) + kernel).transpose(1, 2)
             .reshape((groups * cout_g, cin_g) + kernel))
    check_window(x.shape[2:], kernel, dilation, ((0, 0),) * nd, where)
    out = _grouped(x, w, bias, groups, stride=(1,) * nd, padding=((0, 0),) * nd,
                   dilation=dilation)
    return out.reshape(out.shape[1:]) if unbatched else out


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1) -> Tensor:
    """1-D transposed convolution of (N, C_in, L) with weight (C_in, C_out / groups, K)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 1, f"conv_transpose1d(weight {tuple(weight.shape)})")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1) -> Tensor:
    """2-D transposed convolution ("deconvolution") of (N, C_in, H, W) with weight
    (C_in, C_out / groups, KH, KW), PyTorch's argument order."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 2, f"conv_transpose2d(weight {tuple(weight.shape)})")


class _ConvTransposeNd(Module):
    nd = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device=None, dtype=None):
        super().__init__()
        name = type(self).__name__
        for arg, value in (("in_channels", in_channels), ("out_channels", out_channels)):
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name}: {arg} must be a positive integer, got {value!r}")
        if padding_mode != "zeros":
            raise ValueError(f"{name}: padding_mode={padding_mode!r} is not supported; only "
                             "'zeros' (as PyTorch for transposed convolutions)")
        if device is not None:
            check_device(device, name)
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.groups = _check_groups(groups, self.in_channels, self.out_channels, name)
        self.kernel_size = ntuple(kernel_size, self.nd, "kernel_size", name)
        self.stride = ntuple(stride, self.nd, "stride", name)
        self.padding = ntuple(padding, self.nd, "padding", name, 0)
        self.output_padding = ntuple(output_padding, self.nd, "output_padding", name, 0)
        self.dilation = ntuple(dilation, self.nd, "dilation", name)
        dtype = to_dtype(dtype, name) or np.dtype(get_default_dtype())
        shape = (self.in_channels, self.out_channels // self.groups) + self.kernel_size
        self.weight = Parameter(np.empty(shape, dtype=dtype))
        self.bias = Parameter(np.empty(self.out_channels, dtype=dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # PyTorch's kaiming_uniform(a=sqrt(5)) on this weight: fan_in = weight.size(1) * k,
        # bound 1 / sqrt(fan_in) for weight and bias alike
        fan_in = self.weight.shape[1] * int(np.prod(self.kernel_size))
        bound = 1.0 / np.sqrt(fan_in)
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def _output_padding(self, x, output_size) -> tuple:
        """The output_padding that makes the output ``output_size`` (the spatial sizes, or the
        full shape with batch and channels), as PyTorch: any size from the smallest output,
        (in - 1) stride - 2 padding + dilation (k - 1) + 1, to that plus stride - 1."""
        if output_size is None:
            return self.output_padding
        name = type(self).__name__
        ndim = np.ndim(x.data if isinstance(x, Tensor) else x)
        lead = 2 if ndim == self.nd + 2 else 1
        sizes = [int(v) for v in output_size]
        if len(sizes) == lead + self.nd:
            sizes = sizes[lead:]
        if len(sizes) != self.nd:
            raise ValueError(f"{name}: for {ndim}D input, output_size must have {self.nd} or "
                             f"{lead + self.nd} elements (got {len(sizes)})")
        spatial = np.shape(x.data if isinstance(x, Tensor) else x)[lead:]
        low = [(n - 1) * s - 2 * p + d * (k - 1) + 1 for n, s, p, d, k in zip(
            spatial, self.stride, self.padding, self.dilation, self.kernel_size)]
        high = [m + s - 1 for m, s in zip(low, self.stride)]
        if any(not lo <= v <= hi for v, lo, hi in zip(sizes, low, high)):
            raise ValueError(f"{name}: requested an output size of {sizes}, but valid sizes range "
                             f"from {low} to {high} (for an input of {list(spatial)})")
        return tuple(v - lo for v, lo in zip(sizes, low))

    def forward(self, x, output_size=None) -> Tensor:
        """Transposed convolution of x (N, C_in, *S) or unbatched (C_in, *S); ``output_size``
        (a list of sizes) picks the output_padding, as PyTorch's."""
        where = f"{type(self).__name__}({self.extra_repr()})"
        if output_size is not None:
            check_input(x, self.nd, where, channels=self.in_channels)
        return _conv_transpose(x, self.weight, self.bias, self.stride, self.padding,
                               self._output_padding(x, output_size), self.groups, self.dilation,
                               self.nd, where)

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * self.nd:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self.nd:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self.nd:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution over (N, C, H, W), e.g. a DCGAN generator's upsampling."""

    nd = 2


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution over (N, C, L)."""

    nd = 1
