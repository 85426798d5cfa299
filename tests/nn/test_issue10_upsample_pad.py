"""Issue 10: ``interpolate`` / ``Upsample`` and ``pad`` / the padding layers at PyTorch parity:
PyTorch's nearest index rule (a float32 scale, floor(i * scale)) with non-integer scales and
``recompute_scale_factor``, nearest-exact, linear/bilinear/trilinear with align_corners, area;
constant/reflect/replicate/circular padding with asymmetric and negative pads in 1-3 spatial
dims; reprs and PyTorch's errors. Float64 gradient checks need no PyTorch."""

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn
from lucidnet.nn.padding import pad
from lucidnet.nn.upsampling import interpolate, upsample, upsample_bilinear, upsample_nearest


def _torch():
    return pytest.importorskip("torch")


def _both(ours, theirs, x, dtype=np.float64, grad=True, seed=5):
    torch = _torch()
    x = np.asarray(x, dtype=dtype)
    t = torch.tensor(x, requires_grad=True)
    o = ln.tensor(x, requires_grad=True)
    ref, out = theirs(t), ours(o)
    assert out.dtype == np.dtype(dtype) and tuple(out.shape) == tuple(ref.shape)
    tol = 1e-12 if dtype == np.float64 else 2e-6
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=tol, atol=tol)
    if grad and ref.numel() == 0:  # PyTorch's pad backward leaves such a gradient unset
        out.sum().backward()
        assert not o.grad.numpy().any()
    elif grad:
        w = np.random.default_rng(seed).standard_normal(tuple(ref.shape)).astype(dtype)
        (ref * torch.tensor(w)).sum().backward()
        (out * ln.tensor(w)).sum().backward()
        np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=tol * 5, atol=tol * 5)


def _torch_nearest_backward_differs(n, o, kw):
    """PyTorch's CPU nearest backward copies for O = S and halves for O = 2 S whatever the scale
    factor, which disagrees with its own forward when the factor is not 1 or 2; lucidnet's
    gradient is the adjoint of its forward (checked by finite differences below)."""
    return (kw.get("mode", "nearest") == "nearest" and kw.get("scale_factor") is not None
            and not kw.get("recompute_scale_factor") and o in (n, 2 * n))


# ---------------------------------------------------------------- interpolate
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("mode, extra", [
    ("nearest", {}), ("nearest-exact", {}), ("linear", {"align_corners": False}),
    ("linear", {"align_corners": True}), ("linear", {}),
])
def test_interpolate_1d_sizes_and_scales_match_torch(mode, extra, dtype):
    rng = np.random.default_rng(0)
    TF = _torch().nn.functional
    for n in (1, 2, 3, 5, 7, 13):
        x = rng.standard_normal((2, 2, n))
        calls = [dict(size=o) for o in (1, 2, 3, 4, 7, 9, 11, 26)]
        calls += [dict(scale_factor=f, recompute_scale_factor=r)
                  for f in (0.3, 0.5, 0.7, 1.0, 1.3, 1.5, 2.0, 2.2, 2.5, 3.3, 1 / 3, 0.999, 4.7)
                  for r in (None, True) if int(n * f) >= 1]
        for kw in calls:
            kw = dict(kw, mode=mode, **extra)
            out = int(n * kw["scale_factor"]) if "size" not in kw else kw["size"]
            _both(lambda t, kw=kw: interpolate(t, **kw), lambda t, kw=kw: TF.interpolate(t, **kw),
                  x, dtype, grad=not _torch_nearest_backward_differs(n, out, kw))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kw", [
    dict(size=(8, 3)), dict(scale_factor=(1.5, 0.5)), dict(scale_factor=1.7),
    dict(size=(9, 11), mode="nearest-exact"), dict(scale_factor=(0.7, 2.1), mode="nearest-exact"),
    dict(scale_factor=2.3, mode="bilinear"), dict(size=(3, 4), mode="bilinear"),
    dict(size=(9, 11), mode="bilinear", align_corners=True),
    dict(scale_factor=(1.5, 2.5), mode="bilinear", align_corners=False,
         recompute_scale_factor=True),
    dict(size=(5, 7), mode="bilinear"), dict(size=(2, 3), mode="area"),
    dict(scale_factor=0.5, mode="area"), dict(scale_factor=1.3, mode="nearest",
                                              recompute_scale_factor=True),
])
def test_interpolate_2d_matches_torch(kw, dtype):
    TF = _torch().nn.functional
    x = np.random.default_rng(1).standard_normal((2, 3, 5, 7))
    _both(lambda t: interpolate(t, **kw), lambda t: TF.interpolate(t, **kw), x, dtype)


@pytest.mark.parametrize("kw", [
    dict(size=(5, 3, 7), mode="trilinear"),
    dict(scale_factor=1.7, mode="trilinear", align_corners=True), dict(scale_factor=1.5),
    dict(size=(4, 5, 6), mode="nearest-exact"),
])
def test_interpolate_3d_matches_torch(kw):
    TF = _torch().nn.functional
    x = np.random.default_rng(2).standard_normal((1, 2, 3, 4, 5))
    _both(lambda t: interpolate(t, **kw), lambda t: TF.interpolate(t, **kw), x)


def test_nearest_index_rule_floor_of_dst_times_scale():
    x = ln.tensor(np.arange(5.0).reshape(1, 1, 5))
    # scale = 1 / 1.7: out[i] = x[floor(i / 1.7)] (not a rounding to the nearest centre)
    assert interpolate(x, scale_factor=1.7).numpy().ravel().tolist() == [0, 0, 1, 1, 2, 2, 3, 4]
    # recomputed: scale = 5 / 8
    assert interpolate(x, scale_factor=1.7, recompute_scale_factor=True).numpy().ravel() \
        .tolist() == [0, 0, 1, 1, 2, 3, 3, 4]
    # nearest-exact: floor((i + 0.5) scale)
    assert interpolate(x, size=8, mode="nearest-exact").numpy().ravel().tolist() == \
        [0, 0, 1, 2, 2, 3, 4, 4]


@pytest.mark.parametrize("fn", [
    lambda t: interpolate(t, scale_factor=1.7),
    lambda t: interpolate(t, scale_factor=(2, 3)),
    lambda t: interpolate(t, size=(3, 9), mode="nearest-exact"),
    lambda t: interpolate(t, scale_factor=(2.2, 0.6), mode="bilinear"),
    lambda t: interpolate(t, size=(7, 4), mode="bilinear", align_corners=True),
    lambda t: interpolate(t[:, :, 0], size=11, mode="linear"),
    lambda t: interpolate(t, size=(2, 3), mode="area"),
])
def test_interpolate_gradcheck(fn):
    x = ln.tensor(np.random.default_rng(3).standard_normal((2, 2, 5, 6)), requires_grad=True)
    assert ln.gradcheck(fn, [x])


def test_upsample_modules_match_torch():
    torch = _torch()
    x = np.random.default_rng(4).standard_normal((2, 3, 5, 4))
    pairs = [
        (nn.Upsample(scale_factor=2), torch.nn.Upsample(scale_factor=2)),
        (nn.Upsample(size=(7, 9), mode="bilinear"), torch.nn.Upsample(size=(7, 9), mode="bilinear")),
        (nn.Upsample(scale_factor=(1.5, 2.5), mode="nearest-exact"),
         torch.nn.Upsample(scale_factor=(1.5, 2.5), mode="nearest-exact")),
        (nn.Upsample(scale_factor=1.5, mode="bilinear", align_corners=True),
         torch.nn.Upsample(scale_factor=1.5, mode="bilinear", align_corners=True)),
        (nn.UpsamplingNearest2d(scale_factor=3), torch.nn.UpsamplingNearest2d(scale_factor=3)),
        (nn.UpsamplingNearest2d(size=(3, 7)), torch.nn.UpsamplingNearest2d(size=(3, 7))),
        (nn.UpsamplingBilinear2d(scale_factor=2), torch.nn.UpsamplingBilinear2d(scale_factor=2)),
        (nn.UpsamplingBilinear2d(size=9), torch.nn.UpsamplingBilinear2d(size=9)),
    ]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)
        _both(ours, theirs, x)
        _both(ours, theirs, x, np.float32)
    one_d = (nn.Upsample(scale_factor=2.5, mode="linear"),
             torch.nn.Upsample(scale_factor=2.5, mode="linear"))
    _both(*one_d, x[:, :, 0])
    assert repr(one_d[0]) == repr(one_d[1])


def test_deprecated_upsample_functions_warn_and_match_torch():
    TF = _torch().nn.functional
    x = np.random.default_rng(11).standard_normal((1, 2, 3, 5))
    for ours, theirs, kw in [(upsample, TF.upsample, dict(scale_factor=2, mode="bilinear")),
                             (upsample_nearest, TF.upsample_nearest, dict(size=(4, 7))),
                             (upsample_bilinear, TF.upsample_bilinear, dict(scale_factor=1.5))]:
        with pytest.warns(UserWarning, match="is deprecated. Use `nn.functional.interpolate`") as got:
            _both(lambda t, f=ours, kw=kw: f(t, **kw), lambda t, f=theirs, kw=kw: f(t, **kw), x)
        assert len({str(w.message) for w in got}) == 1 and len(got) == 2  # the same text


def test_interpolate_errors():
    x = ln.tensor(np.zeros((1, 2, 4, 4)))
    with pytest.raises(ValueError, match="antialias=True is not supported"):
        interpolate(x, scale_factor=2, mode="bilinear", antialias=True)
    with pytest.raises(ValueError, match="not supported"):
        interpolate(x, scale_factor=2, mode="bicubic")
    with pytest.raises(ValueError, match="only one of size or scale_factor"):
        interpolate(x, size=3, scale_factor=2)
    with pytest.raises(ValueError, match="either size or scale_factor"):
        interpolate(x)
    with pytest.raises(ValueError, match="recompute_scale_factor is not meaningful"):
        interpolate(x, size=3, recompute_scale_factor=True)
    with pytest.raises(ValueError, match="align_corners option can only be set"):
        interpolate(x, size=3, align_corners=True)
    with pytest.raises(NotImplementedError, match="Got 4D input, but linear mode needs 3D"):
        interpolate(x, size=3, mode="linear")
    with pytest.raises(ValueError, match="Got 3D input, but bilinear mode needs 4D"):
        interpolate(x[0], size=3, mode="bilinear")
    with pytest.raises(ValueError, match="Only 3D, 4D and 5D input"):
        interpolate(x[0, 0], size=3)
    with pytest.raises(ValueError, match="same number of spatial dimensions"):
        interpolate(x, size=(3, 4, 5))
    with pytest.raises(ValueError, match="same number of spatial dimensions"):
        interpolate(x, scale_factor=(2.0,))
    with pytest.raises(TypeError, match="expected size to be one of int"):
        interpolate(x, size=(3.5, 2))
    with pytest.raises(ValueError, match="greater than 0"):
        interpolate(x, scale_factor=0.1)
    with pytest.raises(ValueError, match="not supported"):
        nn.Upsample(scale_factor=2, mode="bicubic")


def test_interpolate_zero_batch_and_calling_twice():
    x = ln.tensor(np.zeros((0, 2, 3, 4), np.float32), requires_grad=True)
    out = interpolate(x, scale_factor=2, mode="bilinear")
    assert out.shape == (0, 2, 6, 8) and out.dtype == np.float32
    out.sum().backward()
    assert x.grad.shape == (0, 2, 3, 4)
    layer = nn.Upsample(scale_factor=1.5)
    y = ln.tensor(np.random.default_rng(6).standard_normal((1, 1, 3, 3)))
    np.testing.assert_array_equal(layer(y).numpy(), layer(y).numpy())


# ---------------------------------------------------------------- pad
def _wraps_twice(shape, p):
    """Circular padding wider than what is left after the negative pads."""
    for k in range(len(p) // 2):
        a, b = p[2 * k], p[2 * k + 1]
        kept = shape[-1 - k] - max(-a, 0) - max(-b, 0)
        if max(a, b) > kept:
            return True
    return False


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_pad_matches_torch_random_table(mode, dtype):
    torch = _torch()
    TF = torch.nn.functional
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 3, 5, 4, 6))
    compared = 0
    for k in (1, 2, 3):
        for nd in (k + 1, k + 2):
            xs = x[(0,) * (5 - nd)]
            for _ in range(12):
                p = tuple(int(v) for v in rng.integers(-3, 5, 2 * k))
                if mode == "circular" and _wraps_twice(xs.shape, p):
                    continue  # PyTorch reads uninitialized memory there; ours raises
                try:
                    TF.pad(torch.tensor(xs), p, mode=mode)
                except (RuntimeError, NotImplementedError):
                    with pytest.raises(ValueError):
                        pad(ln.tensor(xs), p, mode=mode)
                    continue
                _both(lambda t, p=p: pad(t, p, mode=mode),
                      lambda t, p=p: TF.pad(t, p, mode=mode), xs, dtype)
                compared += 1
    assert compared > 20


@pytest.mark.parametrize("p, mode", [
    ((1, 2), "reflect"), ((-1, 2), "reflect"), ((4, -3), "reflect"), ((2, 0, 0, 2), "reflect"),
    ((3, -3), "replicate"), ((5, 5), "replicate"), ((-2, 5, 1, -1), "replicate"),
    ((2, -1), "circular"), ((-1, 2), "circular"), ((5, 0), "circular"), ((1, 1, 2, 2), "circular"),
    ((1, -2, 0, 3), "constant"), ((0, 0, 0, 0, 1, 1), "constant"), ((-5, 0), "constant"),
])
def test_pad_cases_match_torch(p, mode):
    TF = _torch().nn.functional
    x = np.random.default_rng(8).standard_normal((2, 3, 5))
    _both(lambda t: pad(t, p, mode=mode), lambda t: TF.pad(t, p, mode=mode), x)
    if mode == "constant":
        _both(lambda t: pad(t, p, value=-1.5), lambda t: TF.pad(t, p, value=-1.5), x)


def test_circular_crops_before_wrapping():
    x = ln.tensor(np.arange(5.0).reshape(1, 1, 5))
    assert pad(x, (2, -1), mode="circular").numpy().ravel().tolist() == [2, 3, 0, 1, 2, 3]
    assert pad(x, (-1, 2), mode="reflect").numpy().ravel().tolist() == [1, 2, 3, 4, 3, 2]
    assert pad(x, (2, -4), mode="replicate").numpy().ravel().tolist() == [0, 0, 0]


@pytest.mark.parametrize("mode, p", [("reflect", (2, -1, 1, 3)), ("replicate", (3, 1, -1, 2)),
                                     ("circular", (2, -1, 1, 3)), ("constant", (1, -2, 2, 0))])
def test_pad_gradcheck(mode, p):
    x = ln.tensor(np.random.default_rng(9).standard_normal((2, 2, 4, 5)), requires_grad=True)
    assert ln.gradcheck(lambda t: pad(t, p, mode=mode), [x])


def test_pad_errors_as_pytorch():
    torch = _torch()
    TF = torch.nn.functional
    x = np.zeros((1, 1, 5))
    cases = [((5, 1), "reflect"), ((-2, 5), "reflect"), ((6, 1), "circular"),
             ((-3, -3), "replicate"), ((-5, 0), "reflect")]
    for p, mode in cases:
        with pytest.raises(RuntimeError):
            TF.pad(torch.tensor(x), p, mode=mode)
        with pytest.raises(RuntimeError):  # ours: a PadError, a RuntimeError and a ValueError
            pad(ln.tensor(x), p, mode=mode)
    with pytest.raises(ValueError, match=r"Padding size should be less than the corresponding "
                                         r"input dimension, but got: padding \(5, 1\)"):
        pad(ln.tensor(x), (5, 1), mode="reflect")
    with pytest.raises(NotImplementedError, match="padding size 2 is not supported for 1D"):
        pad(ln.tensor(np.zeros(5)), (1, 1), mode="reflect")
    with pytest.raises(ValueError, match="doesn't take in value"):
        pad(ln.tensor(x), (1, 1), mode="reflect", value=2.0)
    with pytest.raises(ValueError, match="divisible by 2"):
        pad(ln.tensor(x), (1, 1, 1))
    with pytest.raises(ValueError, match="at most one per"):
        pad(ln.tensor(np.zeros((2, 5))), (1, 1, 1, 1, 1, 1))
    with pytest.raises(TypeError, match="tuple of ints"):
        pad(ln.tensor(x), (1.5, 1))
    with pytest.raises(ValueError, match="negative size"):
        pad(ln.tensor(x), (-6, 0))
    with pytest.raises(ValueError, match="non-zero dimensions"):
        pad(ln.tensor(np.zeros((1, 1, 0))), (1, 1), mode="replicate")
    assert pad(ln.tensor(np.zeros((0, 1, 3))), (1, 1), mode="reflect").shape == (0, 1, 5)


@pytest.mark.parametrize("expr, shape", [
    ("ZeroPad1d(2)", (2, 3, 4)), ("ZeroPad1d((3, -1))", (3, 4)), ("ZeroPad2d((1, 2, 0, 3))", (2, 3, 4)),
    ("ZeroPad3d(1)", (1, 2, 3, 4)), ("ConstantPad1d((1, 2), 3.5)", (2, 3, 4)),
    ("ConstantPad2d(1, 3)", (1, 2, 3, 4)), ("ConstantPad3d((1, 0, 0, 1, 2, 0), -1.0)", (2, 3, 4, 2)),
    ("ReflectionPad1d(2)", (2, 3, 4)), ("ReflectionPad1d((3, -1))", (3, 4)),
    ("ReflectionPad2d((1, 0, 2, 1))", (2, 3, 4, 5)), ("ReflectionPad3d(1)", (1, 2, 3, 4, 2)),
    ("ReplicationPad1d((0, 4))", (2, 3, 4)), ("ReplicationPad2d(2)", (3, 4, 3)),
    ("ReplicationPad3d((1, 2, 0, 1, 1, 0))", (2, 2, 3, 2)), ("CircularPad1d(3)", (2, 3, 4)),
    ("CircularPad2d((1, 2, -1, 1))", (2, 3, 4, 5)), ("CircularPad3d(1)", (1, 2, 2, 3, 4)),
])
def test_padding_modules_match_torch(expr, shape):
    torch = _torch()  # noqa: F841  (named in the eval)
    ours, theirs = eval("nn." + expr), eval("torch.nn." + expr)
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(10).standard_normal(shape)
    _both(ours, theirs, x)
    _both(ours, theirs, x, np.float32)


def test_padding_module_errors():
    with pytest.raises(ValueError, match="padding must be an int or 4 ints"):
        nn.ReflectionPad2d((1, 2, 3))
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        nn.CircularPad1d(1)(ln.tensor(np.zeros((1, 1, 1, 3))))
    with pytest.raises(TypeError, match="value must be a number"):
        nn.ConstantPad1d(1, "a")
