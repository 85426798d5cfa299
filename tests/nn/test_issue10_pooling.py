"""Issue 10: pooling at PyTorch parity -- max pooling with ``return_indices`` (PyTorch's flat
per-plane indices, its tie, NaN and padding rules), ceil_mode, dilation, adaptive max pooling
with indices, adaptive pooling with None, max unpooling, average pooling with ceil_mode,
count_include_pad and divisor_override; reprs and errors. The float64 gradient checks need no
PyTorch; the comparisons import it with ``pytest.importorskip``."""

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn
from lucidnet.nn.pooling import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
    max_unpool1d,
    max_unpool2d,
)


def _torch():
    return pytest.importorskip("torch")


def _tols(dtype):
    return (1e-12, 1e-12) if dtype == np.float64 else (1e-6, 1e-6)


def _both(ours, theirs, x, dtype=np.float64, indices=False, seed=3):
    """Forward (and the indices, exactly) and the backward of a weighted sum, ours vs torch."""
    torch = _torch()
    x = np.asarray(x, dtype=dtype)
    t = torch.tensor(x, requires_grad=True)
    o = ln.tensor(x, requires_grad=True)
    ref, out = theirs(t), ours(o)
    if indices:
        assert isinstance(out, tuple) and len(out) == 2
        assert out[1].dtype == np.int64
        np.testing.assert_array_equal(out[1].numpy(), ref[1].numpy())
        ref, out = ref[0], out[0]
    assert out.dtype == np.dtype(dtype) and tuple(out.shape) == tuple(ref.shape)
    w = np.random.default_rng(seed).standard_normal(tuple(ref.shape)).astype(dtype)
    (ref * torch.tensor(w)).sum().backward()
    (out * ln.tensor(w)).sum().backward()
    rtol, atol = _tols(dtype)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=rtol, atol=atol)
    np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=rtol, atol=atol)


def _ties(shape, seed=0):
    """Small integers: most windows hold tied maxima."""
    return np.random.default_rng(seed).integers(0, 3, shape).astype(np.float64)


MAX2D = [  # kernel, stride, padding, dilation, ceil_mode
    (2, None, 0, 1, False), (3, 2, 1, 1, False), (3, 2, 1, 1, True), (3, 1, 1, 2, False),
    ((2, 3), (2, 1), (1, 0), 1, True), (3, 2, 1, 2, True), (2, 3, 1, 1, True), (4, 3, 2, 1, True),
]


# ---------------------------------------------------------------- max pooling with indices
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("k, s, p, d, ceil", MAX2D)
def test_max_pool2d_indices_match_torch_with_ties(k, s, p, d, ceil, dtype):
    TF = _torch().nn.functional
    x = _ties((2, 3, 7, 8))
    _both(lambda t: max_pool2d(t, k, s, p, d, ceil, True),
          lambda t: TF.max_pool2d(t, k, s, p, d, ceil, True), x, dtype, indices=True)
    _both(lambda t: max_pool2d(t, k, s, p, d, ceil),
          lambda t: TF.max_pool2d(t, k, s, p, d, ceil), x, dtype)


@pytest.mark.parametrize("k, s, p, d, ceil", [
    (2, None, 0, 1, False), (3, 2, 1, 1, True), (3, 1, 1, 2, False), (4, 3, 2, 1, True),
    (2, 1, 1, 3, True),
])
def test_max_pool1d_indices_match_torch(k, s, p, d, ceil):
    TF = _torch().nn.functional
    x = _ties((2, 3, 11), seed=1)
    _both(lambda t: max_pool1d(t, k, s, p, d, ceil, True),
          lambda t: TF.max_pool1d(t, k, s, p, d, ceil, True), x, indices=True)
    # unbatched (C, L): the indices keep the unbatched shape
    _both(lambda t: max_pool1d(t, k, s, p, d, ceil, True),
          lambda t: TF.max_pool1d(t, k, s, p, d, ceil, True), x[0], indices=True)


def test_max_pool_tie_rule_is_first_in_window_scan_order():
    x = ln.tensor(np.array([[[[1.0, 5.0, 5.0], [5.0, 2.0, 5.0], [0.0, 5.0, 1.0]]]]),
                  requires_grad=True)
    out, idx = max_pool2d(x, 3, return_indices=True)
    assert idx.numpy().ravel().tolist() == [1]  # row-major: (0, 1) comes first
    out.sum().backward()
    expected = np.zeros((3, 3))
    expected[0, 1] = 1.0
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], expected)


def test_max_pool_nan_and_minus_inf_windows_match_torch():
    TF = _torch().nn.functional
    x = _ties((2, 2, 6, 7))
    x[0, 0, 1, 1] = x[0, 0, 0, 1] = np.nan  # two NaN in a window: PyTorch picks the last
    x[1, 1] = -np.inf  # all -inf next to -inf padding: the first cell inside the input
    with np.errstate(invalid="ignore"):
        for args in [(3, 2, 1, 1, True), (3, 1, 1, 1, False), (2, 2, 1, 1, False)]:
            _both(lambda t, a=args: max_pool2d(t, *a, return_indices=True),
                  lambda t, a=args: TF.max_pool2d(t, *a, return_indices=True), x, indices=True)
            _both(lambda t, a=args: max_pool2d(t, *a), lambda t, a=args: TF.max_pool2d(t, *a), x)
        _both(lambda t: adaptive_max_pool2d(t, (4, 3), True),
              lambda t: TF.adaptive_max_pool2d(t, (4, 3), True), x, indices=True)


def test_max_pool_indices_name_the_maximum_without_torch():
    x = np.random.default_rng(2).standard_normal((2, 3, 9, 8))
    for args in [(3, 2, 1, 1, True), ((2, 3), 1, (1, 0), 2, False)]:
        values, idx = max_pool2d(ln.tensor(x), *args, return_indices=True)
        planes = x.reshape(2, 3, -1)
        picked = np.take_along_axis(planes, idx.numpy().reshape(2, 3, -1), 2)
        np.testing.assert_array_equal(picked.reshape(values.shape), values.numpy())
        np.testing.assert_array_equal(values.numpy(), max_pool2d(ln.tensor(x), *args).numpy())


def test_max_pool_module_returns_indices_and_is_reusable():
    layer = nn.MaxPool2d(3, 2, 1, return_indices=True, ceil_mode=True)
    x = ln.tensor(_ties((1, 2, 7, 6)))
    first, second = layer(x), layer(x)
    assert isinstance(first, tuple)
    np.testing.assert_array_equal(first[1].numpy(), second[1].numpy())
    np.testing.assert_array_equal(first[0].numpy(), max_pool2d(x, 3, 2, 1, 1, True).numpy())
    assert first[0].shape == (1, 2, 4, 4)
    out, idx = nn.MaxPool1d(2, return_indices=True)(ln.tensor(np.arange(10.0).reshape(2, 5)))
    assert out.shape == (2, 2) and idx.numpy().tolist() == [[1, 3], [1, 3]]


# ---------------------------------------------------------------- adaptive pooling
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("size", [1, (2, 3), (3, 3), (5, 7), (None, 2), (4, None), (9, 11)])
def test_adaptive_max_pool2d_indices_match_torch(size, dtype):
    TF = _torch().nn.functional
    x = _ties((2, 3, 5, 7), seed=4)
    _both(lambda t: adaptive_max_pool2d(t, size, True),
          lambda t: TF.adaptive_max_pool2d(t, size, True), x, dtype, indices=True)
    _both(lambda t: adaptive_max_pool2d(t, size), lambda t: TF.adaptive_max_pool2d(t, size), x,
          dtype)
    _both(lambda t: adaptive_avg_pool2d(t, size), lambda t: TF.adaptive_avg_pool2d(t, size), x,
          dtype)


@pytest.mark.parametrize("size", [1, 3, 5, 12])
def test_adaptive_pool1d_match_torch(size):
    TF = _torch().nn.functional
    x = _ties((2, 3, 10), seed=5)
    _both(lambda t: adaptive_max_pool1d(t, size, True),
          lambda t: TF.adaptive_max_pool1d(t, size, True), x, indices=True)
    _both(lambda t: adaptive_avg_pool1d(t, size), lambda t: TF.adaptive_avg_pool1d(t, size), x)


def test_adaptive_modules_with_indices_and_none():
    torch = _torch()
    x = _ties((2, 3, 6, 5), seed=6)
    for ours, theirs in [(nn.AdaptiveMaxPool2d((None, 2), return_indices=True),
                          torch.nn.AdaptiveMaxPool2d((None, 2), return_indices=True)),
                         (nn.AdaptiveMaxPool1d(3, True), torch.nn.AdaptiveMaxPool1d(3, True))]:
        arr = x if type(ours) is nn.AdaptiveMaxPool2d else x[:, :, 0]
        _both(ours, theirs, arr, indices=True)
        assert repr(ours) == repr(theirs)
    ours, theirs = nn.AdaptiveAvgPool2d((3, None)), torch.nn.AdaptiveAvgPool2d((3, None))
    _both(ours, theirs, x)
    assert repr(ours) == repr(theirs)


# ---------------------------------------------------------------- max unpooling
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("k, s, p, size", [
    (2, None, 0, None), (2, None, 0, (7, 8)), (3, 2, 1, (7, 8)), (2, 1, 0, None),
    (3, 2, 0, [2, 3, 7, 8]),
])
def test_max_unpool2d_round_trip_matches_torch(k, s, p, size, dtype):
    torch = _torch()
    TF = torch.nn.functional
    x = _ties((2, 3, 7, 8), seed=7)
    values, idx = TF.max_pool2d(torch.tensor(x, dtype=getattr(torch, np.dtype(dtype).name)), k, s,
                                p, return_indices=True)
    _both(lambda v: max_unpool2d(v, ln.tensor(idx.numpy()), k, s, p, size),
          lambda v: TF.max_unpool2d(v, idx, k, s, p, size), values.numpy(), dtype)
    # pooling ours, unpooling ours: the maxima back in place, zeros elsewhere
    v, i = max_pool2d(ln.tensor(x.astype(dtype)), k, s, p, return_indices=True)
    back = max_unpool2d(v, i, k, s, p, size)
    ref = TF.max_unpool2d(*TF.max_pool2d(torch.tensor(x.astype(dtype)), k, s, p,
                                         return_indices=True), k, s, p, size)
    np.testing.assert_array_equal(back.numpy(), ref.numpy())


def test_max_unpool1d_and_modules_match_torch():
    torch = _torch()
    TF = torch.nn.functional
    x = _ties((2, 3, 9), seed=8)
    values, idx = TF.max_pool1d(torch.tensor(x), 3, 2, 1, return_indices=True)
    for size in [None, [9], (2, 3, 9)]:
        _both(lambda v, n=size: max_unpool1d(v, ln.tensor(idx.numpy()), 3, 2, 1, n),
              lambda v, n=size: TF.max_unpool1d(v, idx, 3, 2, 1, n), values.numpy())
    ours, theirs = nn.MaxUnpool1d(3, 2, 1), torch.nn.MaxUnpool1d(3, 2, 1)
    assert repr(ours) == repr(theirs)
    _both(lambda v: ours(v, ln.tensor(idx.numpy()), output_size=[9]),
          lambda v: theirs(v, idx, output_size=[9]), values.numpy())
    ours2, theirs2 = nn.MaxUnpool2d(2), torch.nn.MaxUnpool2d(2)
    assert repr(ours2) == repr(theirs2)
    v2, i2 = TF.max_pool2d(torch.tensor(_ties((2, 5, 6))), 2, return_indices=True)  # unbatched
    _both(lambda v: ours2(v, ln.tensor(i2.numpy())), lambda v: theirs2(v, i2), v2.numpy())


def test_pool_then_unpool_composes_with_conv_and_backprops():
    conv = nn.Conv2d(2, 3, 3, padding=1)
    pool, unpool = nn.MaxPool2d(2, return_indices=True), nn.MaxUnpool2d(2)
    x = ln.tensor(np.random.default_rng(9).standard_normal((2, 2, 6, 6)).astype(np.float32))
    y = conv(x)
    v, i = pool(y)
    back = unpool(v, i, output_size=y.shape)
    assert back.shape == y.shape and back.dtype == np.float32
    kept = back.numpy() != 0
    np.testing.assert_array_equal(back.numpy()[kept], y.detach().numpy()[kept])
    assert kept.sum() == v.numel()
    (back * back).sum().backward()
    assert conv.weight.grad is not None and np.isfinite(conv.weight.grad.numpy()).all()


# ---------------------------------------------------------------- average pooling
AVG2D = [  # kernel, stride, padding, ceil_mode, count_include_pad, divisor_override
    (2, None, 0, True, True, None), (3, 2, 1, True, True, None), (3, 2, 1, True, False, None),
    (3, 2, 1, True, False, 5), (3, 2, 1, False, True, 2), ((3, 2), (2, 3), (1, 1), True, True, None),
    (3, 3, 1, True, True, None), (2, 3, 1, True, False, None), (4, 3, 2, True, True, None),
    (4, 3, 2, True, False, -3),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("k, s, p, ceil, cip, div", AVG2D)
def test_avg_pool2d_ceil_mode_and_divisors_match_torch(k, s, p, ceil, cip, div, dtype):
    torch = _torch()
    TF = torch.nn.functional
    x = np.random.default_rng(10).standard_normal((2, 3, 7, 8))
    _both(lambda t: avg_pool2d(t, k, s, p, ceil, cip, div),
          lambda t: TF.avg_pool2d(t, k, s, p, ceil, cip, div), x, dtype)
    ours = nn.AvgPool2d(k, s, p, ceil, cip, div)
    theirs = torch.nn.AvgPool2d(k, s, p, ceil, cip, div)
    _both(ours, theirs, x[0], dtype)  # unbatched
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("k, s, p, ceil, cip", [
    (2, None, 0, True, True), (3, 2, 1, True, True), (3, 2, 1, True, False), (4, 3, 2, True, False),
    (2, 3, 1, True, True), (5, 2, 2, False, False),
])
def test_avg_pool1d_matches_torch(k, s, p, ceil, cip):
    torch = _torch()
    x = np.random.default_rng(11).standard_normal((2, 3, 12))
    _both(lambda t: avg_pool1d(t, k, s, p, ceil, cip),
          lambda t: torch.nn.functional.avg_pool1d(t, k, s, p, ceil, cip), x)
    ours, theirs = nn.AvgPool1d(k, s, p, ceil, cip), torch.nn.AvgPool1d(k, s, p, ceil, cip)
    _both(ours, theirs, x)
    assert repr(ours) == repr(theirs)


def test_avg_pool_ceil_mode_divisor_by_formula_without_torch():
    # L = 6, k = 3, s = 2, p = 1, ceil: windows start at -1, 1, 3, 5 (the last inside the
    # input); the last spans [5, 8) but only [5, 7) is input + padding, so its divisor is 2
    x = ln.tensor(np.arange(1.0, 7.0).reshape(1, 1, 6))
    np.testing.assert_allclose(avg_pool1d(x, 3, 2, 1, ceil_mode=True).numpy(),
                               [[[1.0, 3.0, 5.0, 3.0]]])
    np.testing.assert_allclose(avg_pool1d(x, 3, 2, 1, True, False).numpy(),
                               [[[1.5, 3.0, 5.0, 6.0]]])
    # L = 5, k = 2, s = 2, p = 1: a fourth window would start in the right padding: none
    assert avg_pool1d(x[..., :5], 2, 2, 1, ceil_mode=True).shape == (1, 1, 3)
    np.testing.assert_allclose(avg_pool2d(x[None, ..., :4], (1, 2), divisor_override=4).numpy(),
                               [[[[0.75, 1.75]]]])


# ---------------------------------------------------------------- gradients without torch
@pytest.mark.parametrize("fn", [
    lambda t: max_pool2d(t, 3, 2, 1, 1, True, True)[0],
    lambda t: max_pool2d(t, (2, 3), 1, (1, 0), 2, False, True)[0],
    lambda t: max_pool1d(t[0], 3, 2, 1, 1, True, True)[0],
    lambda t: adaptive_max_pool2d(t, (3, None), True)[0],
    lambda t: adaptive_max_pool1d(t[0], 4),
    lambda t: avg_pool2d(t, 3, 2, 1, True, False),
    lambda t: avg_pool2d(t, 3, 2, 1, True, True, 7),
    lambda t: avg_pool1d(t[0], 4, 3, 2, True, False),
    lambda t: adaptive_avg_pool2d(t, (None, 3)),
])
def test_pooling_gradcheck(fn):
    x = ln.tensor(np.random.default_rng(12).standard_normal((2, 2, 7, 6)), requires_grad=True)
    assert ln.gradcheck(fn, [x])


def test_max_unpool_gradcheck():
    x = np.random.default_rng(13).standard_normal((2, 2, 7, 6))
    # non-overlapping windows: every index distinct (of repeated indices one write survives,
    # while the gradient, as PyTorch's, reads g at every index)
    _, idx = max_pool2d(ln.tensor(x), 2, 2, 1, return_indices=True)
    v = ln.tensor(np.random.default_rng(14).standard_normal(idx.shape), requires_grad=True)
    assert ln.gradcheck(lambda t: max_unpool2d(t, idx, 2, 2, 1, (7, 6)), [v])
    _, idx1 = max_pool1d(ln.tensor(x[0]), 2, return_indices=True)
    v1 = ln.tensor(np.random.default_rng(15).standard_normal(idx1.shape), requires_grad=True)
    assert ln.gradcheck(lambda t: max_unpool1d(t, idx1, 2), [v1])


def test_zero_size_batch_and_float32_kept():
    x = ln.tensor(np.zeros((0, 3, 5, 6), np.float32), requires_grad=True)
    v, i = max_pool2d(x, 2, return_indices=True)
    assert v.shape == (0, 3, 2, 3) and i.shape == (0, 3, 2, 3) and v.dtype == np.float32
    out = max_unpool2d(v, i, 2)
    assert out.shape == (0, 3, 4, 6)
    (out.sum() + adaptive_max_pool2d(x, 2).sum() + avg_pool2d(x, 3, 2, 1, True).sum()).backward()
    assert x.grad.shape == (0, 3, 5, 6)
    y = ln.tensor(np.random.default_rng(16).standard_normal((1, 2, 5, 5)).astype(np.float32))
    for res in [max_pool2d(y, 2, return_indices=True)[0], adaptive_max_pool2d(y, 3),
                avg_pool2d(y, 2, ceil_mode=True, divisor_override=3)]:
        assert res.dtype == np.float32


# ---------------------------------------------------------------- reprs and errors
@pytest.mark.parametrize("expr", [
    "MaxPool2d(2)", "MaxPool2d(3, 2, 1, return_indices=True, ceil_mode=True)",
    "MaxPool2d((2, 3), stride=(1, 2), dilation=2)", "MaxPool1d(3, 2, 1, 2, True, True)",
    "AvgPool2d(3, 2, 1, ceil_mode=True, divisor_override=4)", "AvgPool1d(3)",
    "AvgPool1d(4, 2, 1, True, False)", "AdaptiveMaxPool2d((None, 3), return_indices=True)",
    "AdaptiveMaxPool1d(4)", "AdaptiveAvgPool2d((2, None))", "AdaptiveAvgPool1d(3)",
    "MaxUnpool2d(3, 2, 1)", "MaxUnpool2d((2, 3))", "MaxUnpool1d(2)", "MaxUnpool1d(3, 1, 1)",
])
def test_repr_as_pytorch(expr):
    torch = _torch()  # noqa: F841  (named in the eval)
    assert repr(eval("nn." + expr)) == repr(eval("torch.nn." + expr))


def test_bad_input_gives_clear_errors():
    x = ln.tensor(np.zeros((1, 1, 4, 4)))
    with pytest.raises(ValueError, match=r"expects input of shape \(N, C, H, W\)"):
        max_pool2d(ln.tensor(np.zeros(4)), 2, return_indices=True)
    with pytest.raises(ValueError, match="expects input of shape"):
        adaptive_max_pool2d(ln.tensor(np.zeros((2, 3, 4, 4, 4))), 2, return_indices=True)
    with pytest.raises(ValueError, match="padding should be at most half"):
        nn.AvgPool2d(2, padding=2, ceil_mode=True)
    with pytest.raises(ValueError, match="divisor must be not zero"):
        avg_pool2d(x, 2, divisor_override=0)
    with pytest.raises(TypeError, match="divisor_override must be an int"):
        nn.AvgPool2d(2, divisor_override=1.5)
    with pytest.raises(TypeError):
        nn.AvgPool1d(2, divisor_override=2)  # PyTorch's AvgPool1d has no divisor_override
    with pytest.raises(ValueError, match="output_size must be an int or a tuple of 2"):
        nn.AdaptiveMaxPool2d((1, 2, 3))
    v, i = max_pool2d(ln.tensor(np.random.default_rng(0).standard_normal((1, 1, 6, 6))), 2,
                      return_indices=True)
    with pytest.raises(ValueError, match=r'invalid output_size "\[9, 6\]" \(dim 0 must be '
                                         r"between 4 and 8\)"):
        max_unpool2d(v, i, 2, output_size=(9, 6))
    with pytest.raises(ValueError, match="sequence containing 2 or 4 elements"):
        max_unpool2d(v, i, 2, output_size=(6, 6, 6))
    with pytest.raises(ValueError, match="indices of the input's shape"):
        max_unpool2d(v, i[..., :2], 2)
    with pytest.raises(TypeError, match="indices must be int64"):
        max_unpool2d(v, i.float(), 2)
    with pytest.raises(ValueError, match="invalid max index: 40"):
        max_unpool2d(v, ln.tensor(np.full((1, 1, 3, 3), 40, np.int64)), 2)
    with pytest.raises(ValueError, match="expects input of shape"):
        nn.MaxUnpool1d(2)(ln.tensor(np.zeros((1, 1, 2, 2))), ln.tensor(np.zeros((1, 1, 2, 2),
                                                                               np.int64)))


def test_unpool_error_types_agree_with_torch():
    torch = _torch()
    TF = torch.nn.functional
    x = np.random.default_rng(0).standard_normal((1, 1, 6, 6))
    v, i = TF.max_pool2d(torch.tensor(x), 2, return_indices=True)
    for size in [(9, 6), (6, 6, 6)]:
        with pytest.raises(ValueError):
            TF.max_unpool2d(v, i, 2, output_size=size)
        with pytest.raises(ValueError):
            max_unpool2d(ln.tensor(v.numpy()), ln.tensor(i.numpy()), 2, output_size=size)
    bad = np.full((1, 1, 3, 3), 40, np.int64)
    with pytest.raises(RuntimeError):
        TF.max_unpool2d(v, torch.tensor(bad), 2)
    with pytest.raises(RuntimeError):  # ours is a RuntimeError too (and a ValueError)
        max_unpool2d(ln.tensor(v.numpy()), ln.tensor(bad), 2)
