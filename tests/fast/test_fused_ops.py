"""The fused (Numba) kernels of the network ops agree with the NumPy reference.

Each case runs forward and backward twice on the same inputs, once on the fused path and once
under ``lucidnet._fast.fast_disabled()``, and requires agreement (float64: 1e-12 relative,
float32: 1e-5); float64 finite-difference gradchecks run through the fused path. With Numba
absent (or ``LUCIDNET_FAST=0``) both runs take the NumPy path and the tests still hold.
"""

from __future__ import annotations

import contextlib

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import _fast, nn
from lucidnet.autograd import gradcheck
from lucidnet.nn import functional as F
from lucidnet.nn.conv import conv1d, conv2d
from lucidnet.nn.normalization import batch_norm
from lucidnet.nn.pooling import max_pool1d, max_pool2d

TOL = {np.float64: 1e-12, np.float32: 1e-5}


@pytest.fixture(autouse=True)
def every_kernel_on(monkeypatch):
    """Check every kernel, also those the ops leave off by default (measured slower)."""
    for name in _fast.KERNELS:
        monkeypatch.setitem(_fast.KERNELS, name, True)


def _run(fn, arrays):
    """(output, gradients of every input) of sum(fn(*tensors) * fixed weights)."""
    tensors = [ln.Tensor(a.copy(), requires_grad=True) for a in arrays]
    out = fn(*tensors)
    w = np.random.default_rng(7).standard_normal(out.shape).astype(out.dtype)
    (out * ln.Tensor(w)).sum().backward()
    return np.array(out.data), [None if t.grad is None else np.array(t.grad.data) for t in tensors]


def _agree(fn, arrays, dtype):
    fast = _run(fn, arrays)
    with _fast.fast_disabled():
        ref = _run(fn, arrays)
    tol = TOL[dtype]
    for a, b in zip([fast[0], *fast[1]], [ref[0], *ref[1]]):
        if b is None:
            assert a is None
            continue
        assert a.dtype == b.dtype == dtype
        assert a.shape == b.shape
        scale = max(1.0, float(np.abs(b).max(initial=0.0)))
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol * scale)
    return fast


def _randn(shape, dtype, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


DTYPES = [np.float64, np.float32]


# ------------------------------------------------------------------------------ convolution
CONV_CASES = [  # (x shape, weight shape, stride, padding, dilation, groups)
    ((2, 3, 7, 9), (4, 3, 3, 3), 1, 1, 1, 1),
    ((3, 2, 8, 5), (6, 2, 2, 3), (2, 1), (0, 2), 1, 1),
    ((2, 4, 9, 9), (4, 2, 3, 3), 2, 2, (2, 1), 2),
    ((1, 3, 6, 6), (3, 1, 3, 3), 1, 1, 1, 3),        # depthwise
    ((0, 3, 5, 5), (2, 3, 3, 3), 1, 1, 1, 1),        # empty batch
    ((2, 1, 5, 4), (2, 1, 5, 4), 1, 0, 1, 1),        # one output pixel
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_fused_matches_reference(case, dtype):
    xs, ws, stride, padding, dilation, groups = case
    x, w, b = _randn(xs, dtype), _randn(ws, dtype, 1), _randn(ws[:1], dtype, 2)
    _agree(lambda x, w, b: conv2d(x, w, b, stride, padding, dilation, groups), [x, w, b], dtype)


def test_conv2d_fused_on_channel_major_and_strided_input():
    """A pooled conv output (channel-major) and a sliced, non-contiguous input."""
    x = _randn((3, 4, 10, 12), np.float64)
    w = _randn((5, 4, 3, 3), np.float64, 1)

    def net(x, w):
        first = conv2d(x, ln.Tensor(np.eye(4)[:, :, None, None]), None)  # channel-major output
        return conv2d(first[:, :, 1::2, ::3], w, None, 1, 1)

    _agree(net, [x, w], np.float64)


def test_conv2d_cols_kept_or_rebuilt_give_the_same_gradients(monkeypatch):
    """Forward keeps cols for dL/dW (pooled buffer); above the size limit backward rebuilds
    them from x. Both, a second backward (retain_graph) and a second forward of the same layer
    before either backward give the same gradients; a frozen weight keeps nothing."""
    from lucidnet.autograd.ops import conv as conv_op

    x, w = _randn((2, 3, 7, 6), np.float64), _randn((4, 3, 3, 3), np.float64, 1)
    g = _randn((2, 4, 7, 6), np.float64, 2)

    def grads():
        xt, wt = ln.Tensor(x, requires_grad=True), ln.Tensor(w, requires_grad=True)
        out1 = conv2d(xt, wt, None, 1, 1)
        out2 = conv2d(xt * 2.0, wt, None, 1, 1)  # overwrites every scratch buffer
        (out1 * ln.Tensor(g)).sum().backward(retain_graph=True)
        first = wt.grad.data.copy(), xt.grad.data.copy()
        (out1 * ln.Tensor(g) + out2 * ln.Tensor(g)).sum().backward()
        return first, (wt.grad.data - first[0], xt.grad.data - first[1])

    kept = grads()
    monkeypatch.setattr(conv_op, "_KEEP_COLS_BYTES", 0)
    rebuilt = grads()
    for a, b in zip([*kept[0], *kept[1]], [*rebuilt[0], *rebuilt[1]]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    # second backward: 2 x (first) from out1 plus out2's share (input 2x: dW doubles)
    np.testing.assert_allclose(kept[1][0], 3 * kept[0][0], rtol=1e-12)
    monkeypatch.undo()
    frozen = conv2d(ln.Tensor(x, requires_grad=True), ln.Tensor(w), None, 1, 1)
    assert frozen._ctx.saved[2] is None


def test_col2im_shared_out_over_threads_agrees_with_one_thread():
    """dL/dx of a convolution large enough for `parallel_for` to cut col2im by channels."""
    x, w = _randn((8, 8, 16, 16), np.float64), _randn((6, 8, 3, 3), np.float64, 1)
    grads = []
    before = ln.get_num_threads()
    try:
        for threads in (1, 2):
            ln.set_num_threads(threads)
            grads.append(_agree(lambda x, w: conv2d(x, w, None, 1, 1), [x, w], np.float64)[1][0])
    finally:
        ln.set_num_threads(before)
    np.testing.assert_array_equal(grads[0], grads[1])


def test_conv2d_with_a_1x1_kernel_agrees():
    """A 1x1 kernel's col2im stays on NumPy (one copy, faster than the compiled pass)."""
    x, w = _randn((2, 3, 5, 4), np.float32), _randn((4, 3, 1, 1), np.float32, 1)
    _agree(lambda x, w: conv2d(x, w, None, (1, 2), 0), [x, w], np.float32)


def test_conv2d_backward_in_float16_runs_on_numpy_and_stays_float16():
    """float16 is not a dtype of the compiled kernels: the op takes the NumPy path."""
    x, w = _randn((2, 3, 6, 5), np.float16), _randn((4, 3, 3, 3), np.float16, 1)
    xt = ln.Tensor(x, requires_grad=True)
    conv2d(xt, ln.Tensor(w), None, 1, 1).sum().backward()
    x64 = ln.Tensor(x.astype(np.float64), requires_grad=True)
    conv2d(x64, ln.Tensor(w.astype(np.float64)), None, 1, 1).sum().backward()
    assert xt.grad.dtype == np.float16
    np.testing.assert_allclose(xt.grad.data.astype(np.float64), x64.grad.data, rtol=5e-3,
                               atol=5e-3 * float(np.abs(x64.grad.data).max()))


def test_conv1d_keeps_numpy_path_and_agrees():
    x, w = _randn((2, 3, 11), np.float32), _randn((4, 3, 3), np.float32, 1)
    _agree(lambda x, w: conv1d(x, w, None, 2, 1), [x, w], np.float32)


def test_conv2d_gradcheck_through_fused_path():
    x = ln.Tensor(_randn((2, 2, 5, 6), np.float64), requires_grad=True)
    w = ln.Tensor(_randn((3, 2, 3, 2), np.float64, 1), requires_grad=True)
    b = ln.Tensor(_randn((3,), np.float64, 2), requires_grad=True)
    assert gradcheck(lambda x, w, b: conv2d(x, w, b, (2, 1), (1, 2), (1, 2)), (x, w, b))


# --------------------------------------------------------------------------------- pooling
POOL_CASES = [  # (x shape, kernel, stride, padding, dilation, ceil_mode)
    ((2, 3, 8, 8), 2, None, 0, 1, False),
    ((2, 3, 7, 9), 3, 2, 1, 1, True),
    ((1, 2, 9, 7), (3, 2), (2, 1), (1, 0), (2, 1), False),
    ((2, 2, 5, 5), 2, 2, 1, 1, True),
    ((0, 2, 4, 4), 2, None, 0, 1, False),
    ((2, 3, 7, 9), 2, 2, 0, 1, True),                # ceil_mode: the last 2x2 window overhangs
    ((2, 3, 7, 9), 2, 1, 0, 1, False),               # overlapping 2x2 windows
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", POOL_CASES)
def test_max_pool2d_fused_matches_reference(case, dtype):
    xs, k, s, p, d, ceil = case
    x = _randn(xs, dtype)
    _agree(lambda x: max_pool2d(x, k, s, p, d, ceil_mode=ceil), [x], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_max_pool_ties_nan_and_inf_follow_the_reference(dtype):
    x = np.zeros((1, 2, 4, 4), dtype)          # every window tied: the first cell wins
    x[0, 1] = -np.inf                           # all -inf windows: the first cell inside
    x[0, 1, 0, 1] = np.nan                      # a NaN wins its window
    x[0, 1, 3, 2] = x[0, 1, 3, 3] = np.nan      # the last NaN of a window wins
    out, (gx,) = _agree(lambda x: max_pool2d(x, 2, 2, 1), [x], dtype)
    assert np.isnan(out[0, 1, 0, 1])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(2, 3, 8, 8), (2, 2, 7, 9), (1, 1, 2, 2)])
def test_max_pool_2x2_compare_tree_ties_nan_and_inf(shape, dtype):
    """The unpadded 2x2 window has its own branch-free loop (stride 2: tiled backward; stride
    1: overlapping); ties, NaN (first, last, two in a window), inf and -inf follow the scan."""
    rng = np.random.default_rng(5)
    x = rng.integers(-2, 3, shape).astype(dtype)  # many ties
    x[0, 0, 0, 0] = np.nan                          # NaN first in its window
    x[0, 0, 1, 1] = np.nan                          # and last: the last NaN wins
    x[-1, -1, 0, 1] = np.inf
    x[-1, -1, -1, :] = -np.inf
    for stride in (2, 1):
        out, (gx,) = _agree(lambda x, s=stride: max_pool2d(x, 2, s), [x], dtype)
        assert np.isnan(out[0, 0, 0, 0])
    clean = rng.integers(-2, 3, shape).astype(dtype)  # no inf/NaN anywhere: the fast loop only
    _agree(lambda x: max_pool2d(x, 2), [clean], dtype)
    # second use of the same op on new data (buffers reused) still agrees
    _agree(lambda x: max_pool2d(x, 2), [_randn(shape, dtype, 9)], dtype)


def test_max_pool_2x2_fused_saves_one_byte_per_window():
    x = ln.Tensor(_randn((2, 3, 8, 8), np.float32), requires_grad=True)
    out = max_pool2d(x, 2)
    (saved,) = out._ctx.saved
    if _fast.enabled():  # the winner's offset in its 2x2 window
        assert saved.dtype == np.int8 and saved.shape == (2, 3, 4, 4)
        assert set(np.unique(saved).tolist()) <= {0, 1, 2, 3}
    else:  # the reference keeps one routing mask per window offset
        assert saved.dtype == np.bool_ and saved.shape == (4, 2, 3, 4, 4)


def test_max_pool1d_and_channel_major_input():
    x = _randn((2, 3, 11), np.float32)
    _agree(lambda x: max_pool1d(x, 3, 2, 1), [x], np.float32)
    x4 = _randn((2, 3, 8, 8), np.float64)
    w = _randn((4, 3, 3, 3), np.float64, 1)
    _agree(lambda x, w: max_pool2d(F.relu(conv2d(x, w, None, 1, 1)), 2), [x4, w], np.float64)


@pytest.mark.parametrize("fused", [True, False])
def test_max_pool_of_a_channel_major_input_is_returned_in_standard_layout(fused):
    """Conv returns (N, C, H, W) laid out channel-major; the pooled result comes back laid out
    (N, C, ...) on both paths, so a Flatten after it is a view of the same memory; dL/dx keeps
    the input's channel-major layout (what the convolution's backward reads) and the values
    agree with pooling a contiguous copy."""
    rng = np.random.default_rng(11)
    base = rng.standard_normal((3, 5, 6, 6)).astype(np.float32)   # (C, N, H, W) in memory
    ctx = contextlib.nullcontext() if fused else _fast.fast_disabled()
    with ctx:
        results = []
        for x_data in (base.swapaxes(0, 1), base.swapaxes(0, 1).copy()):
            x = ln.Tensor(x_data, requires_grad=True)
            y = max_pool2d(x, 2)
            flat = y.flatten(1)
            assert y.data.flags.c_contiguous and np.shares_memory(flat.data, y.data)
            (flat * ln.Tensor(np.arange(flat.numel(), dtype=np.float32).reshape(flat.shape))
             ).sum().backward()
            results.append((y.data.copy(), x.grad.data.copy()))
            if x_data.base is base:
                assert x.grad.data.swapaxes(0, 1).flags.c_contiguous
        np.testing.assert_array_equal(results[0][0], results[1][0])
        np.testing.assert_array_equal(results[0][1], results[1][1])


def test_max_pool2d_gradcheck_through_fused_path():
    x = ln.Tensor(np.random.default_rng(3).permutation(60).reshape(1, 3, 4, 5) / 7.0,
                  requires_grad=True)  # distinct values: the max is differentiable
    assert gradcheck(lambda x: max_pool2d(x, 2, 1, 1, ceil_mode=True), (x,))


def test_max_pool_window_larger_than_input_is_still_an_error():
    with pytest.raises(ValueError, match="larger than"):
        max_pool2d(ln.Tensor(np.zeros((1, 1, 2, 2), np.float32)), 3)


# --------------------------------------------------------------------------------- ReLU
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(7,), (3, 5), (2, 3, 4, 5), (0, 4), ()])
def test_relu_fused_matches_reference(shape, dtype):
    x = _randn(shape, dtype)
    if x.size:
        x.reshape(-1)[0] = 0.0
        x.reshape(-1)[-1] = np.nan
    _agree(lambda x: F.relu(x), [x], dtype)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("layout", ["c", "channel_major", "strided"])
def test_relu_forward_special_values_on_both_paths(dtype, layout):
    """NaN stays NaN, +-inf as max(x, 0), the output laid out like a channel-major input; for
    float32/64 (the fused kernel's dtypes) the same bits on both paths, -0.0 becoming +0.0 as
    NumPy's maximum does there (float16 stays on NumPy's maximum: equal values)."""
    base = np.array([np.nan, -0.0, 0.0, -np.inf, np.inf, -2.5, 3.0, 1e-30, -1e-30, 7.0, -7.0,
                     0.5] * 10, dtype=dtype).reshape(4, 6, 5)
    x = {"c": base.swapaxes(0, 1).copy(), "channel_major": base.swapaxes(0, 1),
         "strided": base[:, ::2].swapaxes(0, 1)}[layout]
    fused = F.relu(ln.Tensor(x)).data
    with _fast.fast_disabled():
        ref = F.relu(ln.Tensor(x)).data
    assert fused.dtype == ref.dtype == dtype
    np.testing.assert_array_equal(fused, np.maximum(x, dtype(0)))
    np.testing.assert_array_equal(fused, ref)
    if dtype != np.float16:
        bits = np.dtype(f"u{np.dtype(dtype).itemsize}")
        np.testing.assert_array_equal(np.ascontiguousarray(fused).view(bits),
                                      np.ascontiguousarray(ref).view(bits))
        assert not np.signbit(fused[~np.isnan(fused)]).any()
    if layout == "channel_major":
        assert fused.swapaxes(0, 1).flags.c_contiguous


def test_relu_gradcheck_and_mixed_layouts():
    x = ln.Tensor(_randn((3, 4), np.float64) + 0.05, requires_grad=True)
    assert gradcheck(lambda x: F.relu(x), (x,))
    # a transposed gradient reaching a C-contiguous output takes the NumPy path
    _agree(lambda x: F.relu(x).T * 2.0, [_randn((3, 5), np.float32)], np.float32)


# --------------------------------------------------------------------------------- BatchNorm
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(4, 3), (5, 2, 3, 4), (3, 4, 7), (2, 3, 0)])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_training_fused_matches_reference(shape, dtype, affine):
    x = _randn(shape, dtype)
    c = shape[1]
    stats = {}
    for path in ("fast", "ref"):
        stats[path] = (np.zeros(c, dtype), np.ones(c, dtype))

    def fn(x, w, b, path):
        rm, rv = stats[path]
        return batch_norm(x, rm, rv, w if affine else None, b if affine else None,
                          training=True, momentum=0.3)

    arrays = [x, _randn((c,), dtype, 1), _randn((c,), dtype, 2)]
    if x.size == 0:
        return  # an empty channel has no statistics (the layer rejects it)
    fast = _run(lambda x, w, b: fn(x, w, b, "fast"), arrays)
    with _fast.fast_disabled():
        ref = _run(lambda x, w, b: fn(x, w, b, "ref"), arrays)
    tol = TOL[dtype]
    for a, b in zip([fast[0], *fast[1], *stats["fast"]], [ref[0], *ref[1], *stats["ref"]]):
        if b is None:
            assert a is None
            continue
        assert a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol * max(1.0, np.abs(b).max()))


@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_norm_eval_and_channel_major(dtype):
    rm, rv = _randn((4,), dtype, 3), np.abs(_randn((4,), dtype, 4)) + 0.5
    x = _randn((3, 4, 5, 6), dtype)
    _agree(lambda x, w, b: batch_norm(x, rm, rv, w, b, training=False),
           [x, _randn((4,), dtype, 1), _randn((4,), dtype, 2)], dtype)
    w = _randn((4, 4, 3, 3), dtype, 5)
    _agree(lambda x, w: batch_norm(conv2d(x, w, None, 1, 1), None, None, training=True),
           [x, w], dtype)


def test_batch_norm_layer_gradcheck_through_fused_path():
    ln.manual_seed(0)
    layer = nn.BatchNorm2d(3).double()
    x = ln.Tensor(_randn((4, 3, 2, 3), np.float64), requires_grad=True)
    assert gradcheck(lambda x: layer(x), (x,))
    layer.eval()
    assert gradcheck(lambda x: layer(x), (x,))


# ------------------------------------------------------------------------- cross-entropy
CE_CASES = [  # (logits shape, kwargs)
    ((6, 5), {}),
    ((6, 5), {"label_smoothing": 0.2}),
    ((6, 5), {"weight": "w", "ignore_index": 2}),
    ((6, 5), {"weight": "w", "label_smoothing": 0.1, "reduction": "sum"}),
    ((6, 5), {"reduction": "none", "ignore_index": 1}),
    ((3, 4, 2, 3), {"label_smoothing": 0.05}),
    ((0, 5), {"reduction": "sum"}),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CE_CASES)
def test_cross_entropy_fused_matches_reference(case, dtype):
    shape, kwargs = case
    x = _randn(shape, dtype) * 3
    rng = np.random.default_rng(1)
    labels = rng.integers(0, shape[1], (shape[0],) + shape[2:])
    kwargs = dict(kwargs)
    if kwargs.get("weight") == "w":
        kwargs["weight"] = ln.Tensor(rng.uniform(0.5, 2.0, shape[1]).astype(dtype))
    _agree(lambda x: F.cross_entropy(x, labels, **kwargs), [x], dtype)


def test_cross_entropy_every_label_ignored_is_nan_with_zero_gradient():
    x = _randn((3, 4), np.float32)
    out, (gx,) = _agree(lambda x: F.cross_entropy(x, np.full(3, -100)), [x], np.float32)
    assert np.isnan(out) and not gx.any()


def test_cross_entropy_label_out_of_range_still_raises():
    with pytest.raises(ValueError, match="labels must be in"):
        F.cross_entropy(ln.Tensor(np.zeros((2, 3), np.float32)), np.array([0, 3]))


def test_cross_entropy_gradcheck_through_fused_path():
    x = ln.Tensor(_randn((5, 4), np.float64), requires_grad=True)
    y = np.array([0, 3, 1, 1, 2])
    w = ln.Tensor(np.array([1.0, 2.0, 0.5, 1.5]))
    assert gradcheck(lambda x: F.cross_entropy(x, y, weight=w, label_smoothing=0.1,
                                               ignore_index=1), (x,))


# --------------------------------------------------------------------- whole network, twice
@pytest.mark.parametrize("dtype", DTYPES)
def test_small_cnn_step_agrees_and_second_use_is_stable(dtype):
    ln.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Conv2d(4, 6, 3, padding=1), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(6 * 4, 3))
    if dtype == np.float64:
        model = model.double()
    x = _randn((5, 1, 9, 9), dtype)
    y = np.array([0, 1, 2, 1, 0])

    def grads():
        model.zero_grad()
        loss = F.cross_entropy(model(ln.Tensor(x)), y)
        loss.backward()
        return [float(loss.data)] + [np.array(p.grad.data) for p in model.parameters()]

    state = {k: np.array(v.data) for k, v in model.state_dict().items()}
    first, second = grads(), grads()
    model.load_state_dict({k: ln.Tensor(v) for k, v in state.items()})
    with _fast.fast_disabled():
        model.load_state_dict({k: ln.Tensor(v) for k, v in state.items()})
        ref = grads()
    tol = TOL[dtype] * 10
    for a, b, c in zip(first, second, ref):
        np.testing.assert_allclose(a, c, rtol=tol, atol=tol)
        np.testing.assert_allclose(b, c, rtol=tol, atol=tol)


# ----------------------------------------------------------------------------- the switch
def test_switch_round_trips_and_rejects_bad_values():
    assert all(_fast.use(k) == _fast.enabled() for k in _fast.KERNELS)
    before = _fast.enabled()
    with _fast.fast_disabled():
        assert not _fast.enabled()
    assert _fast.enabled() is before
    with pytest.raises(TypeError, match="True or False"):
        _fast.set_fast(1)
    if not _fast.AVAILABLE:
        with pytest.raises(RuntimeError, match="Numba"):
            _fast.set_fast(True)


def test_import_lucidnet_compiles_nothing():
    import subprocess
    import sys

    code = ("import sys, lucidnet; "
            "print('numba' in sys.modules, any(m.startswith('lucidnet._fast.') "
            "for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False"]


# ------------------------------------------------------------------------------ float16
@pytest.mark.parametrize("make_opt", [lambda p: ln.optim.SGD(p, lr=1e-2, momentum=0.9),
                                      lambda p: ln.optim.Adam(p, lr=1e-2, eps=1e-3)],
                         ids=["sgd-momentum", "adam"])
def test_float16_network_trains_on_the_numpy_path_when_fused_is_on(make_opt):
    """Numba cannot compile float16 arrays: with the fused path on, every op and optimizer
    hands float16 to NumPy (a float16 conv-BN-ReLU-pool-linear net with cross-entropy once
    raised NotImplementedError), and the result is the NumPy path's, bit for bit."""
    x = np.random.default_rng(5).standard_normal((4, 3, 6, 6)).astype(np.float16)
    labels = ln.tensor([0, 1, 2, 3])

    def train():
        ln.manual_seed(0)
        model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                              nn.MaxPool2d(2), nn.Flatten(), nn.Linear(36, 5)).to(dtype=ln.float16)
        opt = make_opt(model.parameters())
        for _ in range(3):
            loss = F.cross_entropy(model(ln.Tensor(x)), labels)
            opt.zero_grad()
            loss.backward()
            opt.step()
        return [loss.data.copy()] + [p.data.copy() for p in model.parameters()]

    assert _fast.takes(np.float32, np.float64) and not _fast.takes(np.float16)
    fused = train()
    with _fast.fast_disabled():
        reference = train()
    for a, b in zip(fused, reference):
        assert a.dtype == np.float16 and np.isfinite(a).all()
        np.testing.assert_array_equal(a, b)
