"""Lazy layers (issue 10): LazyLinear, LazyConv1d/2d, LazyConvTranspose1d/2d read their input size
at the first call, hold UninitializedParameters before, become the normal class (PyTorch's
``cls_to_become``), initialise as the normal layer, train with an optimizer made after the dry
run, save/load (state dict, lucidnet.save) and materialise from a loaded state dict."""

import io

import numpy as np
import pytest

import lucidnet as ln
from lucidnet.nn.conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from lucidnet.nn.lazy import (
    LazyConv1d,
    LazyConv2d,
    LazyConvTranspose1d,
    LazyConvTranspose2d,
    LazyLinear,
    LazyModuleMixin,
    UninitializedParameter,
)
from lucidnet.nn.linear import Linear
from lucidnet.nn.module import Parameter, Sequential
from tests.nn.layer_helpers import needs_torch, torch

CASES = [  # (lazy class, normal class, lazy args, normal args (in first), input shape)
    (LazyLinear, Linear, (3,), {}, (5, 4), (4, 3)),
    (LazyConv1d, Conv1d, (6, 3), {"groups": 2, "padding": 1}, (2, 4, 7), (4, 6, 3)),
    (LazyConv2d, Conv2d, (4, 3), {"stride": 2, "padding_mode": "reflect", "padding": 1},
     (2, 3, 6, 5), (3, 4, 3)),
    (LazyConvTranspose1d, ConvTranspose1d, (6, 3), {"groups": 2, "stride": 2}, (4, 5),
     (4, 6, 3)),
    (LazyConvTranspose2d, ConvTranspose2d, (2, 2), {"output_padding": 1, "stride": 2},
     (1, 3, 4, 4), (3, 2, 2)),
]
IDS = [c[0].__name__ for c in CASES]


def _x(shape, dtype=np.float32, seed=0):
    return ln.tensor(np.random.default_rng(seed).standard_normal(shape).astype(dtype))


@pytest.mark.parametrize("lazy_cls, cls, args, kw, shape, normal_args", CASES, ids=IDS)
def test_before_and_after_the_first_call(lazy_cls, cls, args, kw, shape, normal_args):
    layer = lazy_cls(*args, **kw)
    assert isinstance(layer, LazyModuleMixin) and layer.has_uninitialized_params()
    weight = layer.weight
    assert isinstance(weight, UninitializedParameter) and repr(weight) == \
        "<UninitializedParameter>"
    for read in (lambda: weight.shape, lambda: weight.size(), lambda: weight.numel(),
                 lambda: layer.num_parameters()):
        with pytest.raises(RuntimeError, match="Call `forward` to initialize the parameters"):
            read()
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]
    out = layer(_x(shape))
    assert type(layer) is cls and layer.weight is weight and type(weight) is Parameter
    normal = cls(*normal_args, **kw)
    assert repr(layer) == repr(normal)
    assert out.shape == normal(_x(shape)).shape
    assert {k: v.shape for k, v in layer.state_dict().items()} == {
        k: v.shape for k, v in normal.state_dict().items()}
    assert layer(_x(shape, seed=1)).shape == out.shape  # called twice: the normal forward


@needs_torch
@pytest.mark.parametrize("lazy_cls, cls, args, kw, shape, normal_args", CASES, ids=IDS)
def test_matches_torch(lazy_cls, cls, args, kw, shape, normal_args):
    torch.manual_seed(0)
    ours, theirs = lazy_cls(*args, **kw), getattr(torch.nn, lazy_cls.__name__)(*args, **kw)
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(2).standard_normal(shape)
    ours.double()
    theirs.double()
    ours(ln.tensor(x))
    theirs(torch.tensor(x))
    assert repr(ours) == repr(theirs) and type(ours).__name__ == type(theirs).__name__
    sd = theirs.state_dict()
    assert list(ours.state_dict()) == list(sd)
    ours.load_state_dict({k: v.numpy() for k, v in sd.items()})
    ox, tx = ln.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, ref = ours(ox), theirs(tx)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    out.sum().backward()
    ref.sum().backward()
    np.testing.assert_allclose(ox.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(),
                               rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("lazy_cls, cls, args, kw, shape, normal_args", CASES, ids=IDS)
def test_initialised_as_the_normal_layer(lazy_cls, cls, args, kw, shape, normal_args):
    """Same seed, same draws: the lazy constructor draws nothing, the first call draws what
    the normal constructor would."""
    ln.manual_seed(7)
    normal = cls(*normal_args, **kw)
    ln.manual_seed(7)
    lazy = lazy_cls(*args, **kw)
    lazy(_x(shape))
    for (name, a), (_, b) in zip(lazy.state_dict().items(), normal.state_dict().items()):
        np.testing.assert_array_equal(a, b, err_msg=name)


def test_unbatched_bias_false_float64_and_unbatched_linear():
    conv = LazyConv2d(4, 3, bias=False, dtype=ln.float64)
    assert conv.bias is None and [n for n, _ in conv.named_parameters()] == ["weight"]
    assert conv(_x((2, 5, 5), np.float64)).shape == (4, 3, 3)
    assert conv.in_channels == 2 and conv.weight.dtype == np.float64
    lin = LazyLinear(2).double()  # cast before the first call: materialised in float64
    assert lin(_x((3,), np.float64)).shape == (2,) and lin.weight.dtype == np.float64
    assert lin.in_features == 3


@pytest.mark.parametrize("lazy_cls, cls, args, kw, shape, normal_args", CASES, ids=IDS)
def test_gradcheck_after_materialising(lazy_cls, cls, args, kw, shape, normal_args):
    layer = lazy_cls(*args, **kw).double()
    x = ln.tensor(np.random.default_rng(3).standard_normal(shape), requires_grad=True)
    layer(x)
    assert ln.gradcheck(lambda x, *ps: layer(x), [x, *layer.parameters()])


def test_optimizer_after_a_dry_run_trains():
    ln.manual_seed(0)
    model = Sequential(LazyConv1d(3, 3), LazyLinear(1))
    x = _x((8, 2, 6))
    y = ln.tensor(np.random.default_rng(1).standard_normal((8, 3, 1)).astype(np.float32))
    model(x)  # the dry run
    opt = ln.optim.Adam(model.parameters(), lr=0.05)
    losses = []
    for _ in range(30):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(float(loss.item()))
    assert losses[-1] < 0.5 * losses[0]
    assert [type(m).__name__ for m in model] == ["Conv1d", "Linear"]


def test_optimizer_made_before_the_dry_run_refuses_to_step():
    layer = LazyLinear(2)
    opt = ln.optim.SGD(layer.parameters(), lr=0.1)
    layer(_x((3, 4))).sum().backward()
    with pytest.raises(ValueError, match="had 0 when the optimizer was built"):
        opt.step()


def test_state_dict_round_trip_and_load_into_lazy():
    ln.manual_seed(1)
    trained = LazyConv2d(3, 2, groups=1)
    trained(_x((1, 4, 5, 5)))
    state = trained.state_dict()
    fresh = Conv2d(4, 3, 2)
    fresh.load_state_dict(state)
    lazy = LazyConv2d(3, 2)
    result = lazy.load_state_dict(state)  # materialises from the shapes, then copies the values
    assert not result.missing_keys and not result.unexpected_keys
    assert type(lazy) is Conv2d and lazy.in_channels == 4
    x = _x((2, 4, 6, 6))
    for other in (fresh, lazy):
        np.testing.assert_array_equal(other(x).data, trained(x).data)
    lazy_t = LazyConvTranspose1d(4, 3, groups=2)
    lazy_t.load_state_dict({"weight": np.ones((6, 2, 3), np.float32), "bias": np.zeros(4)})
    assert type(lazy_t) is ConvTranspose1d and lazy_t.in_channels == 6


@needs_torch
def test_load_a_torch_state_dict_into_a_lazy_module():
    torch.manual_seed(0)
    theirs = torch.nn.LazyLinear(3)
    theirs(torch.ones(2, 7))
    ours = LazyLinear(3)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(0).standard_normal((2, 7)).astype(np.float32)
    np.testing.assert_allclose(ours(ln.tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(ours.weight.data, theirs.weight.detach().numpy())


def test_bad_state_dicts():
    with pytest.raises(ValueError, match=r"bias has shape \(4,\), the layer needs \(3,\)"):
        LazyLinear(3).load_state_dict({"weight": np.ones((3, 5)), "bias": np.ones(4)})
    with pytest.raises(ValueError, match="weight must be 2-D"):
        LazyLinear(3).load_state_dict({"weight": np.ones(3), "bias": np.ones(3)})
    with pytest.raises(ValueError, match=r"in_channels \(3, read from the input\) must be "
                                         "divisible by groups"):
        LazyConvTranspose1d(4, 3, groups=2).load_state_dict({"weight": np.ones((3, 2, 3)),
                                                             "bias": np.ones(4)})
    layer = LazyLinear(3)
    with pytest.raises(ValueError, match="missing keys: bias"):
        layer.load_state_dict({"weight": np.ones((3, 5))})
    missing, unexpected = LazyLinear(3).load_state_dict({"weight": np.ones((3, 5))},
                                                        strict=False)
    assert missing == ["bias"] and unexpected == []


def test_a_bias_left_out_of_a_loaded_state_dict_is_initialised_at_the_first_call():
    layer = LazyLinear(3)
    layer.load_state_dict({"weight": np.full((3, 4), 0.5, np.float32)}, strict=False)
    assert isinstance(layer, LazyLinear) and layer.has_uninitialized_params()
    layer(_x((2, 4)))
    assert type(layer) is Linear
    np.testing.assert_array_equal(layer.weight.data, np.full((3, 4), 0.5))
    assert np.all(np.abs(layer.bias.data) <= 0.5) and layer.bias.data.any()


def test_save_and_load_with_lucidnet():
    ln.manual_seed(2)
    model = Sequential(LazyConv2d(3, 3, padding=1), LazyConvTranspose2d(2, 2, stride=2),
                       LazyLinear(4))
    x = _x((2, 3, 4, 4))
    out = model(x)
    buf = io.BytesIO()
    ln.save(model, buf)
    buf.seek(0)
    back = ln.load(buf)
    assert repr(back) == repr(model)
    assert [type(m) for m in back] == [Conv2d, ConvTranspose2d, Linear]
    np.testing.assert_array_equal(back(x).data, out.data)
    # a lazy layer saved before its first call comes back lazy, and works
    buf = io.BytesIO()
    ln.save(LazyLinear(2, bias=False), buf)
    buf.seek(0)
    lazy = ln.load(buf)
    assert isinstance(lazy, LazyLinear) and lazy.has_uninitialized_params()
    assert lazy(_x((1, 5))).shape == (1, 2) and type(lazy) is Linear and lazy.bias is None


def test_lazy_layers_inside_a_container_before_their_first_call():
    """Saved before any call (placeholders), loaded back lazy, then a state dict from a trained
    twin shapes them through the container (once fell into endless recursion)."""
    model = Sequential(LazyLinear(3), LazyLinear(2))
    buf = io.BytesIO()
    ln.save(model, buf)
    buf.seek(0)
    back = ln.load(buf)
    assert all(isinstance(m, LazyLinear) and m.has_uninitialized_params() for m in back)
    ln.manual_seed(0)
    twin = Sequential(Linear(5, 3), Linear(3, 2))
    result = back.load_state_dict(twin.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert [type(m) for m in back] == [Linear, Linear]
    x = _x((4, 5))
    np.testing.assert_array_equal(back(x).data, twin(x).data)
    assert back.check_state_shapes({k: v.shape for k, v in twin.state_dict().items()}) == ([], [])
    fresh = Sequential(LazyLinear(3), LazyLinear(2))
    with pytest.raises(ValueError, match="Missing key"):
        fresh.load_state_dict({"0.weight": np.zeros((3, 5), np.float32)})


@pytest.mark.parametrize("make, error, match", [
    (lambda: LazyLinear(3)(_x((2, 0))), ValueError, "cannot read in_features"),
    (lambda: LazyLinear(3)(ln.tensor(np.float32(1.0))), ValueError, "cannot read in_features"),
    (lambda: LazyConv2d(4, 3, groups=2)(_x((1, 3, 5, 5))), ValueError,
     r"in_channels \(3, read from the input\) must be divisible by groups \(2\)"),
    (lambda: LazyConv2d(3, 3, groups=2), ValueError,
     r"out_channels \(3\) must be divisible by groups \(2\)"),
    (lambda: LazyConv2d(4, 3)(_x((5, 5))), ValueError,
     r"expects input of shape \(N, C, H, W\) or unbatched \(C, H, W\)"),
    (lambda: LazyConvTranspose1d(4, 3)(_x((2, 0, 5))), ValueError, "at least 1"),
    (lambda: LazyConv1d(4, 0), ValueError, "kernel_size must be >= 1"),
    (lambda: LazyLinear(0), ValueError, "out_features must be a positive integer"),
    (lambda: LazyConv1d(4, 3)(_x((1, 2, 5), np.float64)), TypeError, "float64 input"),
])
def test_bad_input(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_second_call_with_another_size_is_refused():
    layer = LazyLinear(2)
    layer(_x((1, 3)))
    with pytest.raises(ValueError, match=r"expects input of shape \(batch, 3\)"):
        layer(_x((1, 4)))
