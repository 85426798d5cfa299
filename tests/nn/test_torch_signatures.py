"""PyTorch's signatures, defaults and reprs for the nn calls tutorial programs make (issue 9):
the activations added as composites (forward and backward against PyTorch, float32/float64),
``inplace=``, ``dim=None``, the losses' positional order and weights, and module reprs."""

import numpy as np
import pytest

import lucidnet as ln
import lucidnet.nn.functional as F
from lucidnet import nn

torch = pytest.importorskip("torch")
TF = torch.nn.functional

X = np.array([-30.0, -3, -1, -0.5, 0.0, 0.3, 1, 2, 6, 25, 40])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, kw", [
    ("gelu", {}), ("gelu", {"approximate": "tanh"}), ("silu", {}), ("elu", {}),
    ("elu", {"alpha": 0.5}), ("softplus", {}), ("softplus", {"beta": 2.0, "threshold": 5.0}),
    ("logsigmoid", {}), ("hardtanh", {}), ("hardtanh", {"min_val": -2.0, "max_val": 0.3}),
    ("relu6", {}), ("mish", {}), ("relu", {}), ("leaky_relu", {"negative_slope": 0.2}),
])
def test_activation_matches_torch(name, kw, dtype):
    a = X.astype(dtype)
    weights = np.arange(len(a), dtype=dtype)
    t = torch.tensor(a, requires_grad=True)
    (getattr(TF, name)(t, **kw) * torch.tensor(weights)).sum().backward()
    x = ln.tensor(a, requires_grad=True)
    out = getattr(F, name)(x, **kw)
    (out * ln.tensor(weights)).sum().backward()
    tol = 1e-6 if dtype == np.float32 else 1e-12
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_allclose(out.detach().numpy(), getattr(TF, name)(t, **kw).detach().numpy(),
                               rtol=tol * 10, atol=tol)
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=tol * 10, atol=tol)


def test_activation_zero_size_and_0d():
    assert F.gelu(ln.tensor(np.zeros((0, 3), np.float32))).shape == (0, 3)
    assert float(F.silu(ln.tensor(np.float32(1.0))).item()) == pytest.approx(
        float(TF.silu(torch.tensor(1.0))))


@pytest.mark.parametrize("module, args", [
    ("GELU", ()), ("SiLU", ()), ("ELU", ()), ("Softplus", ()), ("LogSigmoid", ()),
    ("Hardtanh", ()), ("ReLU6", ()), ("Mish", ()), ("ReLU", ()), ("LeakyReLU", (0.2,)),
])
def test_activation_modules(module, args):
    x = np.linspace(-3, 3, 7, dtype=np.float32)
    ours = getattr(nn, module)(*args)
    theirs = getattr(torch.nn, module)(*args)
    np.testing.assert_allclose(ours(ln.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).numpy(), rtol=1e-6, atol=1e-6)
    assert repr(ours) == repr(theirs)


def test_inplace_writes_into_a_tensor_outside_the_graph():
    x = ln.tensor(np.array([-1.0, 2.0], np.float32))
    assert F.relu(x, inplace=True) is x
    np.testing.assert_array_equal(x.numpy(), [0.0, 2.0])
    # inside a graph the result is a new tensor (the returned one carries the gradient)
    w = ln.tensor(np.array([-1.0, 2.0], np.float32), requires_grad=True)
    out = nn.ReLU(inplace=True)(w * 1.0)
    out.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [0.0, 1.0])


def test_softmax_dim_none_follows_pytorch_rule():
    x = np.random.default_rng(0).standard_normal((2, 3, 4)).astype(np.float32)
    with pytest.warns(UserWarning, match="Implicit dimension"):
        ours = F.softmax(ln.tensor(x))
    with pytest.warns(UserWarning):
        theirs = TF.softmax(torch.tensor(x))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
    np.testing.assert_allclose(F.log_softmax(ln.tensor(x), dim=1, dtype=np.float64).numpy(),
                               TF.log_softmax(torch.tensor(x), dim=1, dtype=torch.float64),
                               rtol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_losses_positional_order_and_weight(reduction):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 4)).astype(np.float32)
    y = np.array([0, 3, 1, -100, 2])
    w = np.array([1.0, 2.0, 0.5, 3.0], np.float32)
    t = torch.tensor(x, requires_grad=True)
    TF.nll_loss(t.log_softmax(1), torch.tensor(y), torch.tensor(w), None, -100, None,
                reduction).sum().backward()
    ours_x = ln.tensor(x, requires_grad=True)
    out = F.nll_loss(F.log_softmax(ours_x, 1), ln.tensor(y), ln.tensor(w), None, -100, None,
                     reduction)
    out.sum().backward()
    np.testing.assert_allclose(ours_x.grad.numpy(), t.grad.numpy(), atol=1e-6)
    ce = F.cross_entropy(ln.tensor(x), ln.tensor(y), ln.tensor(w), reduction=reduction)
    ref = TF.cross_entropy(torch.tensor(x), torch.tensor(y), torch.tensor(w), reduction=reduction)
    np.testing.assert_allclose(ce.numpy(), ref.numpy(), atol=1e-6)
    # lucidnet's earlier order (reduction third, as a string) still works
    np.testing.assert_allclose(F.cross_entropy(ln.tensor(x), ln.tensor(y), reduction).numpy(),
                               TF.cross_entropy(torch.tensor(x), torch.tensor(y),
                                                reduction=reduction).numpy(), atol=1e-6)
    with pytest.raises(TypeError, match="unexpected keyword"):
        F.nll_loss(ln.tensor(x), ln.tensor(y), reduce_mode="sum")


def test_legacy_size_average_gives_the_reduction():
    x, y = np.ones((2, 2), np.float32), np.zeros((2, 2), np.float32)
    with pytest.warns(UserWarning, match="deprecated"):
        assert float(F.mse_loss(ln.tensor(x), ln.tensor(y), size_average=False).item()) == 4.0


def test_pooling_options_once_refused_now_work():
    """ceil_mode for average pooling and return_indices for max pooling (issue 10)."""
    out = nn.AvgPool2d(2, ceil_mode=True)(ln.tensor(np.ones((1, 1, 5, 5), np.float32)))
    assert out.shape == (1, 1, 3, 3) and np.allclose(out.data, 1.0)
    x = ln.tensor(np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4))
    values, idx = F.max_pool2d(x, 2, return_indices=True)
    assert idx.dtype == np.int64
    np.testing.assert_array_equal(idx.data.ravel(), [5, 7, 13, 15])
    np.testing.assert_array_equal(values.data.ravel(), [5, 7, 13, 15])


@pytest.mark.parametrize("expr", [
    "MaxPool2d(2)", "MaxPool2d(3, stride=2, padding=1)", "AvgPool2d(4)", "AdaptiveAvgPool2d(1)",
    "AdaptiveAvgPool2d((1, 1))", "Dropout(0.25)", "Dropout2d(0.5)", "MSELoss(reduction='sum')",
    "CrossEntropyLoss()", "NLLLoss()", "ReLU(inplace=True)", "Softmax(dim=1)", "Softmax()",
    "Flatten()", "Flatten(0, 1)", "Linear(3, 4)", "Conv2d(1, 16, kernel_size=3, stride=2, padding=1)",
])
def test_repr_as_pytorch(expr):
    assert repr(eval("nn." + expr)) == repr(eval("torch.nn." + expr))


def _both(fn_ours, fn_torch, *arrays, tol=1e-12):
    """Forward and backward (weighted sum) of fn on float64 copies of ``arrays``."""
    ts = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    ls = [ln.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    ref, out = fn_torch(*ts), fn_ours(*ls)
    w = np.random.default_rng(3).standard_normal(tuple(ref.shape))
    (ref * torch.tensor(w)).sum().backward()
    (out * ln.tensor(w)).sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=tol, atol=tol)
    for t, x in zip(ts, ls):
        if t.grad is not None:
            np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_embedding_matches_torch(padding_idx):
    weight = np.random.default_rng(0).standard_normal((5, 3))
    idx = np.array([[0, 2, 2], [4, 1, 2]])
    _both(lambda w, i: F.embedding(i, w, padding_idx),
          lambda w, i: TF.embedding(i, w, padding_idx), weight, idx)


def test_embedding_module():
    layer = nn.Embedding(10, 4, padding_idx=0)
    assert repr(layer) == repr(torch.nn.Embedding(10, 4, padding_idx=0))
    assert layer.weight.shape == (10, 4) and not layer.weight.detach().numpy()[0].any()
    out = layer(ln.tensor(np.array([[1, 0, 9]])))
    assert out.shape == (1, 3, 4)
    with pytest.raises(IndexError, match="index out of range"):
        layer(ln.tensor(np.array([10])))
    with pytest.raises(TypeError, match="integer"):
        layer(ln.tensor(np.array([1.0])))
    frozen = nn.Embedding.from_pretrained(ln.tensor(np.eye(3)))
    assert not frozen.weight.requires_grad


@pytest.mark.parametrize("pads", [(1, 2), (0, 1, 2, 0), (-1, 1), (1, 1, -1, -1), ()])
def test_pad_matches_torch(pads):
    x = np.random.default_rng(1).standard_normal((2, 3, 4))
    _both(lambda t: F.pad(t, pads, value=0.5), lambda t: TF.pad(t, pads, value=0.5), x)


def test_pad_errors_and_layers():
    with pytest.raises(ValueError, match="mode must be one of"):
        F.pad(ln.tensor(np.zeros((1, 2, 2))), (1, 1), mode="mirror")
    with pytest.raises(ValueError, match="pairs"):
        F.pad(ln.tensor(np.zeros((2,))), (1,))
    x = np.arange(8.0).reshape(1, 2, 4)
    np.testing.assert_array_equal(nn.ZeroPad2d((1, 0, 0, 1))(ln.tensor(x)).numpy(),
                                  torch.nn.ZeroPad2d((1, 0, 0, 1))(torch.tensor(x)).numpy())
    assert repr(nn.ConstantPad1d(2, 1.5)) == repr(torch.nn.ConstantPad1d(2, 1.5))


def test_unflatten():
    x = np.arange(24.0).reshape(2, 12)
    for size in [(3, 4), (-1, 4), (2, 2, 3)]:
        np.testing.assert_array_equal(nn.Unflatten(1, size)(ln.tensor(x)).numpy(),
                                      torch.nn.Unflatten(1, size)(torch.tensor(x)).numpy())
    assert repr(nn.Unflatten(1, (3, 4))) == repr(torch.nn.Unflatten(1, (3, 4)))
    with pytest.raises(ValueError, match="multiply to 10"):
        nn.Unflatten(1, (2, 5))(ln.tensor(x))


@pytest.mark.parametrize("beta", [1.0, 0.5, 0.0])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_smooth_l1_loss(beta, reduction):
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    _both(lambda x, y: F.smooth_l1_loss(x, y.detach(), reduction=reduction, beta=beta),
          lambda x, y: TF.smooth_l1_loss(x, y.detach(), reduction=reduction, beta=beta), a, b)
    assert repr(nn.SmoothL1Loss()) == "SmoothL1Loss()"


@pytest.mark.parametrize("p, dim", [(2.0, 1), (1.0, -1), (3.0, 0)])
def test_normalize(p, dim):
    x = np.random.default_rng(4).standard_normal((3, 4))
    _both(lambda t: F.normalize(t, p=p, dim=dim), lambda t: TF.normalize(t, p=p, dim=dim), x)


def test_cosine_similarity():
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    _both(lambda x, y: F.cosine_similarity(x, y, dim=1),
          lambda x, y: TF.cosine_similarity(x, y, dim=1), a, b)


def test_one_hot_as_pytorch():
    y = np.array([[0, 2], [1, 3]])
    ours = F.one_hot(ln.tensor(y))
    np.testing.assert_array_equal(ours.numpy(), TF.one_hot(torch.tensor(y)).numpy())
    assert ours.dtype == np.int64 and F.one_hot(ln.tensor(y), 6).shape == (2, 2, 6)
    with pytest.raises(TypeError, match="index tensors"):
        F.one_hot(ln.tensor(np.array([1.0])))
    with pytest.raises(ValueError, match="smaller than num_classes"):
        F.one_hot(ln.tensor(np.array([3])), 3)


def test_conv_groups_match_torch():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 4, 5, 5))
    w = rng.standard_normal((6, 2, 3, 3))
    b = rng.standard_normal(6)
    _both(lambda x, w, b: F.conv2d(x, w, b, 1, 1, 1, 2),
          lambda x, w, b: TF.conv2d(x, w, b, 1, 1, 1, 2), x, w, b)
    layer = nn.Conv2d(4, 4, 3, groups=4, bias=False)
    assert layer.weight.shape == (4, 1, 3, 3)
    assert repr(layer) == repr(torch.nn.Conv2d(4, 4, 3, groups=4, bias=False))
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.Conv2d(4, 6, 3, groups=4)
    with pytest.raises(ValueError, match="padding_mode"):
        nn.Conv2d(1, 1, 3, padding_mode="mirror")


def test_layers_take_device_and_dtype():
    assert nn.Linear(2, 3, device="cpu", dtype=ln.float64).weight.dtype == np.float64
    assert nn.Conv1d(1, 2, 3, device=ln.device("cpu")).weight.shape == (2, 1, 3)
    with pytest.raises(RuntimeError, match="CPU only"):
        nn.Linear(2, 3, device="cuda")
    for expr in ["BatchNorm2d(3, bias=False)", "BatchNorm1d(3, affine=False)",
                 "LayerNorm(3, bias=False)", "GroupNorm(1, 3, bias=False)", "InstanceNorm2d(3)"]:
        assert repr(eval("nn." + expr)) == repr(eval("torch.nn." + expr))
    assert nn.BatchNorm2d(3, bias=False).bias is None


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_weight_and_order(reduction):
    rng = np.random.default_rng(7)
    p = rng.uniform(0.05, 0.95, (4, 3))
    y = (rng.random((4, 3)) > 0.5).astype(np.float64)
    w = rng.uniform(0.5, 2.0, (3,))
    _both(lambda a: F.binary_cross_entropy(a, ln.tensor(y), ln.tensor(w), reduction=reduction),
          lambda a: TF.binary_cross_entropy(a, torch.tensor(y), torch.tensor(w),
                                            reduction=reduction), p)
    x = rng.standard_normal((4, 3))
    pw = np.array([1.0, 2.0, 0.5])
    _both(lambda a: F.binary_cross_entropy_with_logits(a, ln.tensor(y), ln.tensor(w), None, None,
                                                       reduction, ln.tensor(pw)),
          lambda a: TF.binary_cross_entropy_with_logits(a, torch.tensor(y), torch.tensor(w),
                                                        None, None, reduction,
                                                        torch.tensor(pw)), x)
    ours = nn.BCEWithLogitsLoss(ln.tensor(w), reduction=reduction, pos_weight=ln.tensor(pw))
    theirs = torch.nn.BCEWithLogitsLoss(torch.tensor(w), reduction=reduction,
                                        pos_weight=torch.tensor(pw))
    np.testing.assert_allclose(ours(ln.tensor(x), ln.tensor(y)).numpy(),
                               theirs(torch.tensor(x), torch.tensor(y)).numpy(), rtol=1e-12)


def test_loss_modules_take_pytorch_positional_order():
    x = np.random.default_rng(8).standard_normal((4, 3))
    y = np.array([0, 2, 1, 2])
    w = np.array([1.0, 0.5, 2.0])
    ours = nn.CrossEntropyLoss(ln.tensor(w), None, 1, None, "sum", 0.1)
    theirs = torch.nn.CrossEntropyLoss(torch.tensor(w), None, 1, None, "sum", 0.1)
    np.testing.assert_allclose(ours(ln.tensor(x), ln.tensor(y)).numpy(),
                               theirs(torch.tensor(x), torch.tensor(y)).numpy(), rtol=1e-12)
    with pytest.warns(UserWarning, match="deprecated"):
        assert nn.MSELoss(size_average=False).reduction == "sum"
    assert nn.MSELoss("sum").reduction == "sum"  # lucidnet's earlier order
    assert nn.KLDivLoss(reduction="batchmean", log_target=True).log_target is True


EDGES = np.array([-30.0, -3.0, -2.0, -0.5, 0.0, 0.3, 1.0, 3.0, 4.0, 25.0])


@pytest.mark.parametrize("name, kw", [
    ("selu", {}), ("celu", {}), ("celu", {"alpha": 0.5}), ("hardsigmoid", {}),
    ("hardswish", {}), ("softsign", {}), ("tanhshrink", {}), ("softmin", {"dim": 0}),
    ("threshold", {"threshold": 0.3, "value": -2.0}),
])
def test_more_activations_match_torch(name, kw):
    # PyTorch's float64 hardsigmoid backward multiplies by 1/6 rounded to float32
    tol = 1e-7 if name == "hardsigmoid" else 1e-12
    _both(lambda t: getattr(F, name)(t, **kw), lambda t: getattr(TF, name)(t, **kw), EDGES,
          tol=tol)


@pytest.mark.parametrize("channels", [1, 3])
def test_prelu_matches_torch(channels):
    x = np.random.default_rng(9).standard_normal((2, 3, 4))
    w = np.linspace(0.1, 0.4, channels)
    _both(F.prelu, TF.prelu, x, w)
    assert repr(nn.PReLU(3)) == repr(torch.nn.PReLU(3))
    np.testing.assert_array_equal(nn.PReLU().weight.detach().numpy(), [0.25])


@pytest.mark.parametrize("module", ["SELU", "CELU", "Hardsigmoid", "Hardswish", "Softsign",
                                    "Tanhshrink"])
def test_more_activation_modules(module):
    x = np.linspace(-4, 4, 9)
    np.testing.assert_allclose(getattr(nn, module)()(ln.tensor(x)).numpy(),
                               getattr(torch.nn, module)()(torch.tensor(x)).numpy(), rtol=1e-12)
    assert repr(getattr(nn, module)()) == repr(getattr(torch.nn, module)())


def test_pairwise_distance():
    rng = np.random.default_rng(10)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    _both(F.pairwise_distance, TF.pairwise_distance, a, b)


@pytest.mark.parametrize("kw", [
    {"scale_factor": 2}, {"size": (7, 9)}, {"scale_factor": 1.5}, {"size": (3, 2)},
    {"scale_factor": 2, "mode": "bilinear"}, {"size": (3, 7), "mode": "bilinear"},
    {"size": (8, 3), "mode": "bilinear", "align_corners": True},
    {"scale_factor": (0.5, 2.5), "mode": "bilinear"},
])
def test_interpolate_matches_torch(kw):
    x = np.random.default_rng(11).standard_normal((2, 3, 5, 4))
    _both(lambda t: F.interpolate(t, **kw), lambda t: TF.interpolate(t, **kw), x)


def test_interpolate_1d_upsample_and_errors():
    x = np.random.default_rng(12).standard_normal((2, 3, 5))
    _both(lambda t: F.interpolate(t, scale_factor=3), lambda t: TF.interpolate(t, scale_factor=3), x)
    assert repr(nn.Upsample(scale_factor=2)) == repr(torch.nn.Upsample(scale_factor=2))
    with pytest.raises(ValueError, match="not supported"):
        F.interpolate(ln.tensor(x), scale_factor=2, mode="bicubic")
    with pytest.raises(ValueError, match="exactly one"):
        F.interpolate(ln.tensor(x))


@pytest.mark.parametrize("cin, cout, k, stride, pad, out_pad, groups, dil", [
    (3, 4, 3, 1, 0, 0, 1, 1), (3, 4, 4, 2, 1, 0, 1, 1), (4, 6, 3, 2, 1, 1, 2, 1),
    (2, 3, 3, 3, 2, 2, 1, 1), (2, 2, 3, 1, 1, 0, 1, 2), (3, 2, 5, 2, 0, 1, 1, 1),
])
def test_conv_transpose2d_matches_torch(cin, cout, k, stride, pad, out_pad, groups, dil):
    rng = np.random.default_rng(13)
    x = rng.standard_normal((2, cin, 5, 6))
    w = rng.standard_normal((cin, cout // groups, k, k))
    b = rng.standard_normal(cout)
    args = (stride, pad, out_pad, groups, dil)
    _both(lambda x, w, b: F.conv_transpose2d(x, w, b, *args),
          lambda x, w, b: TF.conv_transpose2d(x, w, b, *args), x, w, b, tol=1e-11)


def test_conv_transpose_modules():
    x = np.random.default_rng(14).standard_normal((2, 3, 7))
    w = np.random.default_rng(15).standard_normal((3, 2, 3))
    _both(lambda x, w: F.conv_transpose1d(x, w, stride=2),
          lambda x, w: TF.conv_transpose1d(x, w, stride=2), x, w)
    for args, kw in [((100, 64, 4, 1, 0), {"bias": False}), ((8, 4, 4, 2, 1), {"output_padding": 1})]:
        ours, theirs = nn.ConvTranspose2d(*args, **kw), torch.nn.ConvTranspose2d(*args, **kw)
        assert repr(ours) == repr(theirs)
        assert ours.weight.shape == tuple(theirs.weight.shape)
    layer = nn.ConvTranspose2d(4, 2, 4, 2, 1)
    assert layer(ln.tensor(np.zeros((1, 4, 3, 3), np.float32))).shape == (1, 2, 6, 6)
    bound = 1 / np.sqrt(2 * 16)  # PyTorch's fan_in: weight.size(1) * kernel area
    assert np.abs(layer.weight.detach().numpy()).max() <= bound
    with pytest.raises(ValueError, match="output_padding must be smaller"):
        F.conv_transpose2d(ln.tensor(np.zeros((1, 1, 3, 3))), ln.tensor(np.zeros((1, 1, 2, 2))),
                           stride=1, output_padding=1)


def test_inplace_write_bumps_the_version_as_pytorch():
    """A tensor saved for a backward and then changed by F.relu(x, inplace=True) makes that
    backward raise, as in PyTorch (no silent wrong gradient)."""
    w = ln.tensor(np.array([1.0, 2.0]), requires_grad=True)
    x = ln.tensor(np.array([-1.0, 3.0]))
    y = (w * x).sum()
    F.relu(x, inplace=True)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


@pytest.mark.parametrize("size, k, stride, pad, dil", [
    (7, 2, 2, 0, 1), (8, 3, 2, 1, 1), (9, 3, 2, 0, 1), (10, 2, 3, 1, 1), (5, 3, 3, 1, 1),
    (11, 3, 2, 1, 2), (6, 2, 2, 0, 1),
])
def test_max_pool_ceil_mode_matches_torch(size, k, stride, pad, dil):
    x = np.random.default_rng(16).standard_normal((2, 3, size, size + 1))
    _both(lambda t: F.max_pool2d(t, k, stride, pad, dil, ceil_mode=True),
          lambda t: TF.max_pool2d(t, k, stride, pad, dil, ceil_mode=True), x)
    assert repr(nn.MaxPool2d(k, stride, pad, dil, ceil_mode=True)) == repr(
        torch.nn.MaxPool2d(k, stride, pad, dil, ceil_mode=True))


@pytest.mark.parametrize("out", [1, (2, 3), (3, 3), (5, 7), (None, 2)])
def test_adaptive_max_pool_matches_torch(out):
    x = np.random.default_rng(17).standard_normal((2, 3, 5, 7))
    _both(lambda t: F.adaptive_max_pool2d(t, out), lambda t: TF.adaptive_max_pool2d(t, out), x)
    assert repr(nn.AdaptiveMaxPool2d(out)) == repr(torch.nn.AdaptiveMaxPool2d(out))
    y = np.random.default_rng(18).standard_normal((2, 3, 9))
    _both(lambda t: F.adaptive_max_pool1d(t, 4), lambda t: TF.adaptive_max_pool1d(t, 4), y)


def test_identity_takes_any_arguments():
    layer = nn.Identity(54, unused_argument1=0.1)
    x = ln.tensor(np.ones(3))
    assert layer(x) is x and repr(layer) == repr(torch.nn.Identity(54, unused_argument1=0.1))


_R = np.random.default_rng(19)
_A, _B, _C = (_R.standard_normal((5, 4)) for _ in range(3))
_SIGN = np.array([1.0, -1.0, 1.0, -1.0, 1.0])
_POS = np.abs(_R.standard_normal((5, 4))) + 0.1
_COUNTS = np.array([[0.0, 1, 2, 5], [3, 0, 1, 1], [2, 2, 0, 4], [1, 6, 2, 0], [0, 0, 3, 1]])
_MULTI = (_R.random((5, 4)) > 0.5).astype(np.float64)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name, arrays, kw, target", [
    ("margin_ranking_loss", (_A[:, 0], _B[:, 0]), {"margin": 0.3}, _SIGN),
    ("hinge_embedding_loss", (_A,), {"margin": 0.7}, np.sign(_B)),
    ("soft_margin_loss", (_A,), {}, np.sign(_B)),
    ("cosine_embedding_loss", (_A, _B), {"margin": 0.1}, _SIGN),
    ("triplet_margin_loss", (_A, _B, _C), {"margin": 0.5}, None),
    ("triplet_margin_loss", (_A, _B, _C), {"swap": True, "p": 1}, None),
    ("poisson_nll_loss", (_A,), {}, _COUNTS),
    ("poisson_nll_loss", (_POS,), {"log_input": False, "full": True}, _COUNTS),
    ("multilabel_soft_margin_loss", (_A,), {}, _MULTI),
])
def test_more_losses_match_torch(name, arrays, kw, target, reduction):
    def ours(*xs):
        extra = () if target is None else (ln.tensor(target),)
        return getattr(F, name)(*xs, *extra, reduction=reduction, **kw)

    def theirs(*xs):
        extra = () if target is None else (torch.tensor(target),)
        return getattr(TF, name)(*xs, *extra, reduction=reduction, **kw)

    _both(ours, theirs, *arrays)


@pytest.mark.parametrize("full", [False, True])
def test_gaussian_nll_loss(full):
    var = np.abs(_R.standard_normal((5, 4))) + 1e-7
    var[0, 0] = 1e-9  # below eps: clamped, gradient passed through as PyTorch
    _both(lambda x, v: F.gaussian_nll_loss(x, ln.tensor(_B), v, full=full),
          lambda x, v: TF.gaussian_nll_loss(x, torch.tensor(_B), v, full=full), _A, var,
          tol=1e-9)


@pytest.mark.parametrize("module, args", [
    ("MarginRankingLoss", ()), ("HingeEmbeddingLoss", ()), ("SoftMarginLoss", ()),
    ("CosineEmbeddingLoss", ()), ("TripletMarginLoss", ()), ("PoissonNLLLoss", ()),
    ("GaussianNLLLoss", ()), ("MultiLabelSoftMarginLoss", ()),
])
def test_more_loss_modules_repr(module, args):
    assert repr(getattr(nn, module)(*args)) == repr(getattr(torch.nn, module)(*args))


def test_dropout_inplace_and_dropout1d():
    x = ln.ones(200)
    out = F.dropout(x, 0.5, training=True, inplace=True)
    assert out is x and set(np.unique(x.numpy())) <= {0.0, 2.0}
    assert nn.Dropout(0.5, inplace=True)(ln.ones(3)).shape == (3,)
    kept = F.dropout1d(ln.ones(50, 7), 0.5).numpy()  # unbatched (C, L): whole channels
    assert all(len(set(row)) == 1 for row in kept)
    assert nn.Dropout1d(0.5)(ln.ones(2, 4, 6)).shape == (2, 4, 6)
    with pytest.raises(ValueError, match="dropout1d expects"):
        F.dropout1d(ln.ones(2, 3, 4, 5))


@pytest.mark.parametrize("shape, r", [((2, 8, 3, 4), 2), ((9, 2, 2), 3), ((1, 2, 4, 1, 1), 2)])
def test_pixel_shuffle_matches_torch(shape, r):
    x = np.random.default_rng(20).standard_normal(shape)
    _both(lambda t: F.pixel_shuffle(t, r), lambda t: TF.pixel_shuffle(t, r), x)
    y = TF.pixel_shuffle(torch.tensor(x), r).numpy()
    _both(lambda t: F.pixel_unshuffle(t, r), lambda t: TF.pixel_unshuffle(t, r), y)
    assert repr(nn.PixelShuffle(r)) == repr(torch.nn.PixelShuffle(r))
    with pytest.raises(ValueError, match="divisible"):
        F.pixel_shuffle(ln.tensor(np.zeros((1, 3, 2, 2))), 2)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape, pads", [((2, 3, 6), (1, 2)), ((2, 3, 5, 6), (2, 1, 1, 2)),
                                         ((3, 5, 6), (0, 3, 2, 0)), ((4, 6), (3, 3))])
def test_pad_modes_match_torch(mode, shape, pads):
    x = np.random.default_rng(21).standard_normal(shape)
    _both(lambda t: F.pad(t, pads, mode=mode), lambda t: TF.pad(t, pads, mode=mode), x)


def test_pad_layers_and_conv_padding_modes():
    for expr in ["ReflectionPad2d(2)", "ReplicationPad1d((1, 2))", "CircularPad2d(1)"]:
        assert repr(eval("nn." + expr)) == repr(eval("torch.nn." + expr))
    with pytest.raises(ValueError, match="smaller than the size"):
        F.pad(ln.tensor(np.zeros((1, 2, 3))), (3, 0), mode="reflect")
    with pytest.raises(ValueError, match="length 2 for 2-d/3-d"):
        F.pad(ln.tensor(np.zeros((1, 2, 3, 4))), (1, 1), mode="reflect")
    x = np.random.default_rng(22).standard_normal((2, 3, 5, 6))
    for mode in ["reflect", "replicate", "circular"]:
        ours = nn.Conv2d(3, 4, 3, padding=1, padding_mode=mode, dtype=ln.float64)
        theirs = torch.nn.Conv2d(3, 4, 3, padding=1, padding_mode=mode, dtype=torch.float64)
        with torch.no_grad():
            theirs.weight.copy_(torch.tensor(ours.weight.detach().numpy()))
            theirs.bias.copy_(torch.tensor(ours.bias.detach().numpy()))
        assert repr(ours) == repr(theirs)
        np.testing.assert_allclose(ours(ln.tensor(x)).detach().numpy(),
                                   theirs(torch.tensor(x)).detach().numpy(), rtol=1e-12,
                                   atol=1e-12)


@pytest.mark.parametrize("name, kw", [("hardshrink", {}), ("softshrink", {"lambd": 0.3}),
                                      ("glu", {"dim": 0})])
def test_shrink_and_glu_match_torch(name, kw):
    _both(lambda t: getattr(F, name)(t, **kw), lambda t: getattr(TF, name)(t, **kw), EDGES)


@pytest.mark.parametrize("shape, norm, weighted", [((2, 3, 4), (4,), True),
                                                   ((2, 3, 4), (3, 4), False)])
def test_rms_norm_matches_torch(shape, norm, weighted):
    x = np.random.default_rng(23).standard_normal(shape)
    w = np.random.default_rng(24).standard_normal(norm)
    if weighted:
        _both(lambda t, v: F.rms_norm(t, norm, v), lambda t, v: TF.rms_norm(t, norm, v), x, w)
    else:
        _both(lambda t: F.rms_norm(t, norm, eps=1e-6), lambda t: TF.rms_norm(t, norm, eps=1e-6), x)
    assert repr(nn.RMSNorm(norm)) == repr(torch.nn.RMSNorm(norm))


@pytest.mark.parametrize("kw", [{}, {"is_causal": True}, {"scale": 0.3}, {"mask": "bool"},
                                {"mask": "float"}])
def test_scaled_dot_product_attention_matches_torch(kw):
    rng = np.random.default_rng(25)
    q, k, v = rng.standard_normal((2, 3, 5, 4)), rng.standard_normal((2, 3, 5, 4)), \
        rng.standard_normal((2, 3, 5, 6))
    kw = dict(kw)
    mask = kw.pop("mask", None)
    m = None
    if mask == "bool":
        m = np.tril(np.ones((5, 5), dtype=bool))
    elif mask == "float":
        m = rng.standard_normal((5, 5))
    _both(lambda a, b, c: F.scaled_dot_product_attention(
              a, b, c, None if m is None else ln.tensor(m), **kw),
          lambda a, b, c: TF.scaled_dot_product_attention(
              a, b, c, None if m is None else torch.tensor(m), **kw), q, k, v, tol=1e-10)


def test_in_place_function_forms_and_small_modules():
    x = ln.tensor(np.array([-1.0, 2.0]))
    assert F.relu_(x) is x and x.numpy().tolist() == [0.0, 2.0]
    a = np.random.default_rng(26).standard_normal((3, 4))
    b = np.random.default_rng(27).standard_normal((3, 4))
    np.testing.assert_allclose(nn.CosineSimilarity()(ln.tensor(a), ln.tensor(b)).numpy(),
                               torch.nn.CosineSimilarity()(torch.tensor(a), torch.tensor(b)),
                               rtol=1e-12)
    np.testing.assert_allclose(nn.PairwiseDistance()(ln.tensor(a), ln.tensor(b)).numpy(),
                               torch.nn.PairwiseDistance()(torch.tensor(a), torch.tensor(b)),
                               rtol=1e-12)
    img = np.random.default_rng(28).standard_normal((2, 3, 4, 5))
    np.testing.assert_allclose(nn.Softmax2d()(ln.tensor(img)).numpy(),
                               torch.nn.Softmax2d()(torch.tensor(img)).numpy(), rtol=1e-12)
    for expr in ["GLU()", "Softmax2d()", "CosineSimilarity()", "PairwiseDistance()",
                 "Hardshrink()", "Softshrink(0.3)"]:
        assert repr(eval("nn." + expr)) == repr(eval("torch.nn." + expr))
