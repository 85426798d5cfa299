"""ONNX converters of lucidnet's layers other than activations: dense, convolution, pooling,
normalization, shape, embedding, padding, dropout and the input scaler. Each writes what the
lucidnet forward computes in evaluation mode (dropout and noise are the identity there)."""

from __future__ import annotations

import math

import numpy as np

from .. import nn
from ..nn.pooling import _adaptive_size, _ceil_pads
from .registry import register


def _identity(g, m, x):
    return x


for _cls in (nn.Identity, nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.GaussianNoise):
    register(_cls)(_identity)


def _batched(g, x, nd, body):
    """Run ``body`` on an (N, C, *S) value; an unbatched (C, *S) one gets a batch axis of 1
    around it, as the lucidnet layers do."""
    if len(g.shape(x)) == nd + 2:
        return body(x, g.shape(x))
    out = body(g.op("Unsqueeze", x, g.ints([0])), (1,) + g.shape(x))
    return g.op("Squeeze", out, g.ints([0]))


# ------------------------------------------------------------------------------- dense
@register(nn.Linear)
def _linear(g, m, x):
    """y = x W^T + b (Gemm for (N, F) inputs, MatMul + Add for any other rank)."""
    w, b = m.weight.data, None if m.bias is None else m.bias.data
    if len(g.shape(x)) == 2:
        return g.op("Gemm", x, g.const(w), None if b is None else g.const(b), transB=1)
    y = g.op("MatMul", x, g.const(np.ascontiguousarray(w.T)))
    return y if b is None else g.op("Add", y, g.const(b))


@register(nn.Bilinear)
def _bilinear(g, m, x1, x2):
    """y[..., o] = sum_ij x1[..., i] A[o, i, j] x2[..., j] + b[o]."""
    y = g.op("Einsum", x1, g.const(m.weight.data), x2, equation="...i,oij,...j->...o")
    return y if m.bias is None else g.op("Add", y, g.const(m.bias.data))


# ------------------------------------------------------------------------------- convolution
_PAD_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _pad_mode(g, mode):
    onnx_mode = _PAD_MODES[mode]
    if onnx_mode == "wrap" and g.opset < 19:
        g.fail(f"padding_mode={mode!r} needs opset 19 or newer (Pad mode 'wrap'), "
               f"got opset={g.opset}")
    return onnx_mode


def _onnx_pads(pairs):
    """((lo, hi), ...) per spatial axis -> ONNX's [lo..., hi...]."""
    return [lo for lo, _ in pairs] + [hi for _, hi in pairs]


@register(nn.Conv1d)
@register(nn.Conv2d)
def _conv(g, m, x):
    """Conv with the layer's stride, padding (an explicit Pad first for reflect / replicate /
    circular padding modes, as lucidnet does), dilation and groups."""
    nd = m.nd

    def body(x, shape):
        pads = m._pads
        if m.padding_mode != "zeros":
            mode = _pad_mode(g, m.padding_mode)
            full = [0, 0] + [lo for lo, _ in pads] + [0, 0] + [hi for _, hi in pads]
            x = g.op("Pad", x, g.ints(full), mode=mode)
            pads = ((0, 0),) * nd
        bias = None if m.bias is None else g.const(m.bias.data)
        return g.op("Conv", x, g.const(m.weight.data), bias, kernel_shape=list(m.kernel_size),
                    strides=list(m.stride), dilations=list(m.dilation), group=int(m.groups),
                    pads=_onnx_pads(pads))

    return _batched(g, x, nd, body)


@register(nn.ConvTranspose1d)
@register(nn.ConvTranspose2d)
def _conv_transpose(g, m, x):
    """ConvTranspose with stride, padding, output_padding, dilation and groups."""
    def body(x, shape):
        bias = None if m.bias is None else g.const(m.bias.data)
        return g.op("ConvTranspose", x, g.const(m.weight.data), bias,
                    kernel_shape=list(m.kernel_size), strides=list(m.stride),
                    dilations=list(m.dilation), group=int(m.groups),
                    pads=list(m.padding) * 2, output_padding=list(m.output_padding))

    return _batched(g, x, m.nd, body)


# ------------------------------------------------------------------------------- pooling
@register(nn.MaxPool1d)
@register(nn.MaxPool2d)
def _max_pool(g, m, x):
    """MaxPool; ceil_mode as explicit right padding (PyTorch's rule, from the example's
    spatial size), which is -inf in ONNX's MaxPool."""
    if m.return_indices:
        g.fail("return_indices=True is not supported (the exported graph returns one value)")

    def body(x, shape):
        pads = m._pads
        if m.ceil_mode:
            pads = _ceil_pads(shape[2:], m.kernel_size, m.stride, pads, m.dilation)
        return g.op("MaxPool", x, kernel_shape=list(m.kernel_size), strides=list(m.stride),
                    dilations=list(m.dilation), pads=_onnx_pads(pads))

    return _batched(g, x, m.nd, body)


@register(nn.AvgPool1d)
@register(nn.AvgPool2d)
def _avg_pool(g, m, x):
    """AveragePool. The symmetric padding is counted (count_include_pad) by padding with zeros
    first; the extra right cells of ceil_mode are never counted, as PyTorch's;
    divisor_override divides the window sum instead."""
    nd = m.nd

    def body(x, shape):
        sym = m._pads
        full = _ceil_pads(shape[2:], m.kernel_size, m.stride, sym, (1,) * nd) \
            if m.ceil_mode else sym
        attrs = dict(kernel_shape=list(m.kernel_size), strides=list(m.stride))
        divisor = getattr(m, "divisor_override", None)
        if divisor is not None:
            mean = g.op("AveragePool", x, pads=_onnx_pads(full), count_include_pad=1, **attrs)
            return g.op("Mul", mean, g.scalar(math.prod(m.kernel_size) / divisor))
        if m.count_include_pad and any(lo for lo, _ in sym):
            x = g.op("Pad", x, g.ints([0, 0] + [lo for lo, _ in sym] + [0, 0] +
                                      [lo for lo, _ in sym]))
            full = tuple((0, hi - lo) for (lo, _), (_, hi) in zip(sym, full))
        return g.op("AveragePool", x, pads=_onnx_pads(full), count_include_pad=0, **attrs)

    return _batched(g, x, nd, body)


def _adaptive(g, m, x, kind):
    """Adaptive pooling: global pooling for an output of 1, a plain pool when each input size
    is a multiple of the output size, else PyTorch's bins [floor(i n / o), ceil((i + 1) n / o))
    one axis at a time (a mean of equal-length means is the mean of the rectangle)."""
    nd = m.nd
    if getattr(m, "return_indices", False):
        g.fail("return_indices=True is not supported (the exported graph returns one value)")

    def body(x, shape):
        spatial = shape[2:]
        out = _adaptive_size(m.output_size, spatial, nd, type(m).__name__)
        if all(o == 1 for o in out):
            return g.op(f"Global{kind}Pool", x)
        if all(n % o == 0 for n, o in zip(spatial, out)):
            k = [n // o for n, o in zip(spatial, out)]
            return g.op(f"{kind}Pool" if kind == "Max" else "AveragePool", x, kernel_shape=k,
                        strides=k)
        reduce_op = "ReduceMax" if kind == "Max" else "ReduceMean"
        for axis, (n, o) in enumerate(zip(spatial, out), start=2):
            parts = []
            for i in range(o):
                lo, hi = (i * n) // o, -(-((i + 1) * n) // o)
                piece = g.op("Slice", x, g.ints([lo]), g.ints([hi]), g.ints([axis]))
                parts.append(g.reduce(reduce_op, piece, [axis]))
            x = parts[0] if len(parts) == 1 else g.op("Concat", *parts, axis=axis)
        return x

    return _batched(g, x, nd, body)


register(nn.AdaptiveAvgPool1d)(lambda g, m, x: _adaptive(g, m, x, "Average"))
register(nn.AdaptiveAvgPool2d)(lambda g, m, x: _adaptive(g, m, x, "Average"))
register(nn.AdaptiveMaxPool1d)(lambda g, m, x: _adaptive(g, m, x, "Max"))
register(nn.AdaptiveMaxPool2d)(lambda g, m, x: _adaptive(g, m, x, "Max"))


# ------------------------------------------------------------------------------- normalization
def _normalize(g, x, axes, eps):
    """(x - mean) / sqrt(var + eps), mean and biased var over ``axes`` of x itself."""
    d = g.op("Sub", x, g.reduce("ReduceMean", x, axes))
    var = g.reduce("ReduceMean", g.op("Mul", d, d), axes)
    return g.op("Div", d, g.op("Sqrt", g.op("Add", var, g.scalar(eps))))


def _running(g, x, mean, var, eps, ndim):
    """(x - running_mean) / sqrt(running_var + eps), per channel (axis 1)."""
    inv = 1.0 / np.sqrt(var.astype(np.float64) + eps)
    return g.op("Mul", g.op("Sub", x, g.channel_shaped(mean, ndim)), g.channel_shaped(inv, ndim))


def _affine(g, m, y, ndim):
    if m.weight is not None:
        y = g.op("Mul", y, g.channel_shaped(m.weight.data, ndim))
    if m.bias is not None:
        y = g.op("Add", y, g.channel_shaped(m.bias.data, ndim))
    return y


@register(nn.BatchNorm1d)
@register(nn.BatchNorm2d)
@register(nn.BatchNorm3d)
@register(nn.SyncBatchNorm)  # in evaluation mode it is BatchNorm (no synchronization)
def _batch_norm(g, m, x):
    """Evaluation mode: the running statistics (or the batch's own, without
    track_running_stats, as lucidnet), then the affine weight and bias."""
    ndim = len(g.shape(x))
    if m.track_running_stats:
        y = _running(g, x, m.running_mean, m.running_var, m.eps, ndim)
    else:
        y = _normalize(g, x, [0] + list(range(2, ndim)), m.eps)
    return _affine(g, m, y, ndim)


@register(nn.InstanceNorm1d)
@register(nn.InstanceNorm2d)
def _instance_norm(g, m, x):
    """Each (sample, channel) over its positions (or the running statistics when tracked)."""
    def body(x, shape):
        ndim = len(shape)
        if m.track_running_stats:
            y = _running(g, x, m.running_mean, m.running_var, m.eps, ndim)
        else:
            y = _normalize(g, x, list(range(2, ndim)), m.eps)
        return _affine(g, m, y, ndim)

    return _batched(g, x, m.nd, body)


@register(nn.GroupNorm)
def _group_norm(g, m, x):
    """Reshape to (N, G, -1), normalize each group, reshape back, per-channel affine."""
    ndim = len(g.shape(x))
    grouped = g.reshape(x, [0, m.num_groups, -1])
    y = g.op("Reshape", _normalize(g, grouped, [2], m.eps), g.op("Shape", x))
    return _affine(g, m, y, ndim)


@register(nn.LayerNorm)
def _layer_norm(g, m, x):
    """LayerNormalization over the last len(normalized_shape) axes."""
    shape = m.normalized_shape
    scale = m.weight.data if m.weight is not None else np.ones(shape, g.dtype)
    bias = np.zeros(shape, g.dtype) if m.bias is None else m.bias.data  # (onnxruntime 1.32
    # crashes on a LayerNormalization without its bias input)
    return g.op("LayerNormalization", x, g.const(scale), g.const(bias), axis=-len(shape),
                epsilon=float(m.eps))


@register(nn.RMSNorm)
def _rms_norm(g, m, x):
    """x / sqrt(mean(x^2 over the normalized axes) + eps) * weight."""
    n = len(m.normalized_shape)
    ndim = len(g.shape(x))
    eps = float(np.finfo(g.dtype).eps) if m.eps is None else float(m.eps)
    ms = g.reduce("ReduceMean", g.op("Mul", x, x), list(range(ndim - n, ndim)))
    y = g.op("Mul", x, g.op("Reciprocal", g.op("Sqrt", g.op("Add", ms, g.scalar(eps)))))
    return y if m.weight is None else g.op("Mul", y, g.const(m.weight.data))


# ------------------------------------------------------------------------------- shape
@register(nn.Flatten)
def _flatten(g, m, x):
    """Merge axes start_dim..end_dim: Reshape to [0]*start + [-1] + the later sizes."""
    shape = g.shape(x)
    ndim = len(shape)
    if ndim == 0:
        return g.reshape(x, [1])
    start, end = m.start_dim % ndim, m.end_dim % ndim
    if start == end:
        return x
    return g.reshape(x, [0] * start + [-1] + list(shape[end + 1:]))


@register(nn.Unflatten)
def _unflatten(g, m, x):
    """Split axis dim into unflattened_size (-1 resolved from the example unless dim is the
    batch axis)."""
    shape = g.shape(x)
    d = m.dim % len(shape)
    sizes = list(m.unflattened_size)
    if d > 0 and -1 in sizes:
        known = math.prod(s for s in sizes if s != -1)
        sizes[sizes.index(-1)] = shape[d] // known
    before = [0] * d
    after = list(shape[d + 1:])
    if d == 0 and -1 not in sizes:
        sizes[0] = -1  # the batch axis stays dynamic: its first factor is inferred
    return g.reshape(x, before + sizes + after)


# ------------------------------------------------------------------------------- embedding
@register(nn.Embedding)
def _embedding(g, m, x):
    """Gather rows of the weight; with max_norm the looked-up rows whose norm exceeds it are
    scaled to max_norm / (norm + 1e-7), as lucidnet does before its lookup."""
    if g.value_dtype(x).kind not in "iu":
        g.fail(f"Embedding needs an integer input, got {g.value_dtype(x)}")
    if g.value_dtype(x) not in (np.dtype(np.int32), np.dtype(np.int64)):
        x = g.op("Cast", x, to=g.onnx.TensorProto.INT64)
    rows = g.op("Gather", g.const(m.weight.data), x, axis=0)
    if m.max_norm is None:
        return rows
    p = float(m.norm_type)
    if p == 2.0:
        norm = g.reduce("ReduceL2", rows, [-1])
    elif p == 1.0:
        norm = g.reduce("ReduceL1", rows, [-1])
    else:
        powered = g.op("Pow", g.op("Abs", rows), g.scalar(p))
        norm = g.op("Pow", g.reduce("ReduceSum", powered, [-1]), g.scalar(1.0 / p))
    max_norm = g.scalar(float(m.max_norm))
    scale = g.op("Div", max_norm, g.op("Add", norm, g.scalar(1e-7)))
    scale = g.op("Where", g.op("Greater", norm, max_norm), scale, g.scalar(1.0))
    return g.op("Mul", rows, scale)


# ------------------------------------------------------------------------------- padding
def _torch_pads(padding, ndim):
    """PyTorch's (left, right, top, bottom, ...) for the last axes -> ONNX's full-rank
    [begins..., ends...]."""
    begins, ends = [0] * ndim, [0] * ndim
    for i in range(len(padding) // 2):
        axis = ndim - 1 - i
        begins[axis], ends[axis] = padding[2 * i], padding[2 * i + 1]
    return begins + ends


def _constant_pad(g, m, x):
    pads = _torch_pads(m.padding, len(g.shape(x)))
    return g.op("Pad", x, g.ints(pads), g.scalar(float(m.value)))


def _index_pad(g, m, x):
    pads = _torch_pads(m.padding, len(g.shape(x)))
    return g.op("Pad", x, g.ints(pads), mode=_pad_mode(g, m.mode))


for _cls in (nn.ConstantPad1d, nn.ConstantPad2d, nn.ConstantPad3d, nn.ZeroPad1d, nn.ZeroPad2d,
             nn.ZeroPad3d):
    register(_cls)(_constant_pad)
for _cls in (nn.ReflectionPad1d, nn.ReflectionPad2d, nn.ReflectionPad3d, nn.ReplicationPad1d,
             nn.ReplicationPad2d, nn.ReplicationPad3d, nn.CircularPad1d, nn.CircularPad2d,
             nn.CircularPad3d):
    register(_cls)(_index_pad)


# ------------------------------------------------------------------------------- input scaler
@register(nn.Standardize)
def _standardize(g, m, x):
    """(x - mean) / std per feature, the statistics shaped like one sample."""
    sample = g.shape(x)[1:]
    if g.value_dtype(x) != g.dtype:  # lucidnet casts raw (integer) input to its dtype too
        x = g.op("Cast", x, to=g.onnx.helper.np_dtype_to_tensor_dtype(g.dtype))
    mean = g.const(np.asarray(m.mean).reshape(sample))
    std = g.const(np.asarray(m.std).reshape(sample))
    return g.op("Div", g.op("Sub", x, mean), std)
