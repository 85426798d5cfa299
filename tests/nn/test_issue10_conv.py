"""Convolution audit (issue 10): Conv1d/Conv2d/ConvTranspose1d/2d against PyTorch over a grid of
stride, padding (int, tuple, 'same', 'valid'), dilation, groups (grouped and depthwise, the one
batched matmul), padding modes, bias=False, output_padding and ``forward(x, output_size=...)``;
unbatched and empty-batch inputs, float32, finite differences, reprs, bad input."""

import numpy as np
import pytest

import lucidnet as ln
from lucidnet.nn.conv import (
    Conv1d,
    Conv2d,
    ConvTranspose1d,
    ConvTranspose2d,
    conv1d,
    conv2d,
    conv_transpose1d,
    conv_transpose2d,
)
from tests.nn.layer_helpers import gradcheck_layer, needs_torch, torch

OURS = {"Conv1d": Conv1d, "Conv2d": Conv2d, "ConvTranspose1d": ConvTranspose1d,
        "ConvTranspose2d": ConvTranspose2d}
SPATIAL = {1: (9,), 2: (7, 6)}


def _compare(name, args, kw, shape, dtype=np.float64, seed=0, **call):
    """Our layer and PyTorch's with the same state: output, input and parameter gradients,
    repr, state-dict keys and shapes."""
    torch.manual_seed(seed)
    ours, theirs = OURS[name](*args, **kw), getattr(torch.nn, name)(*args, **kw)
    assert repr(ours) == repr(theirs)
    sd = theirs.state_dict()
    assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == {
        k: tuple(v.shape) for k, v in sd.items()}
    if dtype == np.float64:
        ours.double()
        theirs.double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(dtype)
    ox, tx = ln.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, ref = ours(ox, **call), theirs(tx, **call)
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-11)
    assert out.shape == tuple(ref.shape) and out.dtype == np.dtype(dtype)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), **tol)
    v = rng.standard_normal(out.shape).astype(dtype)
    (out * ln.tensor(v)).sum().backward()
    (ref * torch.tensor(v)).sum().backward()
    np.testing.assert_allclose(ox.grad.numpy(), tx.grad.numpy(), **tol)
    tp = dict(theirs.named_parameters())
    for pname, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), tp[pname].grad.numpy(), err_msg=pname, **tol)


CONV_CASES = [  # (cin, cout, k, kwargs)
    (4, 6, 3, {"groups": 2}),
    (4, 4, 3, {"groups": 4, "padding": 1}),                       # depthwise
    (4, 8, 3, {"groups": 4, "stride": 2, "bias": False}),          # depthwise multiplier 2
    (6, 6, 2, {"groups": 3, "dilation": 2, "padding": "same"}),
    (4, 6, 3, {"groups": 2, "padding": "valid", "stride": 2}),
    (4, 6, 3, {"groups": 2, "padding": 2, "padding_mode": "reflect"}),
    (4, 4, 3, {"groups": 4, "padding": 1, "padding_mode": "replicate"}),
    (2, 4, 3, {"padding": 2, "padding_mode": "circular", "dilation": 2}),
    (3, 2, 3, {"padding": "same", "padding_mode": "reflect"}),
    (2, 3, 1, {"stride": 3}),
]


@needs_torch
@pytest.mark.parametrize("nd", [1, 2])
@pytest.mark.parametrize("cin, cout, k, kw", CONV_CASES)
def test_conv_matches_torch(nd, cin, cout, k, kw):
    _compare(f"Conv{nd}d", (cin, cout, k), kw, (2, cin) + SPATIAL[nd])


@needs_torch
def test_conv_tuple_arguments_and_float32():
    kw = {"stride": (2, 1), "padding": (1, 2), "dilation": (1, 2), "groups": 2}
    _compare("Conv2d", (4, 6, (3, 2)), kw, (2, 4, 7, 8))
    _compare("Conv2d", (4, 6, (3, 2)), kw, (2, 4, 7, 8), dtype=np.float32)
    _compare("Conv1d", (4, 4, 3), {"groups": 4, "padding": "same"}, (2, 4, 9), dtype=np.float32)


TRANSPOSE_CASES = [  # (cin, cout, k, kwargs)
    (4, 6, 3, {"groups": 2, "stride": 2}),
    (4, 4, 3, {"groups": 4, "stride": 2, "padding": 1, "output_padding": 1}),
    (2, 3, 3, {"stride": 3, "padding": 2, "output_padding": 2, "bias": False}),
    (2, 4, 3, {"dilation": 2, "padding": 1, "groups": 2}),
    (2, 2, 2, {"stride": 2, "dilation": 3, "output_padding": 2}),  # output_padding < dilation
    (3, 2, 1, {}),
]


@needs_torch
@pytest.mark.parametrize("nd", [1, 2])
@pytest.mark.parametrize("cin, cout, k, kw", TRANSPOSE_CASES)
def test_conv_transpose_matches_torch(nd, cin, cout, k, kw):
    _compare(f"ConvTranspose{nd}d", (cin, cout, k), kw, (2, cin) + SPATIAL[nd][:nd])


@needs_torch
@pytest.mark.parametrize("name, kw, shape", [
    ("Conv1d", {"groups": 2, "padding": 1}, (4, 9)),
    ("Conv2d", {"groups": 4, "padding": 1, "padding_mode": "circular"}, (4, 5, 6)),
    ("ConvTranspose1d", {"groups": 2, "stride": 2}, (4, 5)),
    ("ConvTranspose2d", {"stride": 2, "output_padding": 1}, (4, 3, 5)),
])
def test_unbatched_matches_torch(name, kw, shape):
    _compare(name, (4, 4, 3), kw, shape)


@needs_torch
@pytest.mark.parametrize("nd", [1, 2])
@pytest.mark.parametrize("size_of", [
    lambda low, s: low,                                  # the smallest output
    lambda low, s: [n + s - 1 for n in low],             # the largest
    lambda low, s: [n + 1 for n in low],
])
def test_output_size_matches_torch(nd, size_of):
    args, kw = (4, 2, 3), {"stride": 3, "padding": 1, "groups": 2}
    spatial = SPATIAL[nd][:nd]
    low = [(n - 1) * 3 - 2 + 2 + 1 for n in spatial]
    size = size_of(low, 3)
    _compare(f"ConvTranspose{nd}d", args, kw, (2, 4) + spatial, output_size=size)
    _compare(f"ConvTranspose{nd}d", args, kw, (2, 4) + spatial,  # the full shape, as PyTorch
             output_size=[2, 2] + list(size))
    _compare(f"ConvTranspose{nd}d", args, kw, (4,) + spatial, output_size=size)  # unbatched


def test_output_size_without_torch():
    layer = ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    x = ln.tensor(np.ones((1, 2, 4, 5), np.float32))
    assert layer(x).shape == (1, 3, 7, 9)
    assert layer(x, output_size=(8, 10)).shape == (1, 3, 8, 10)
    assert layer(x, output_size=(1, 3, 8, 9)).shape == (1, 3, 8, 9)
    with pytest.raises(ValueError, match=r"valid sizes range from \[7, 9\] to \[8, 10\]"):
        layer(x, output_size=(9, 10))
    with pytest.raises(ValueError, match="output_size must have 2 or 4 elements"):
        layer(x, output_size=(8,))
    with pytest.raises(ValueError, match="channels"):
        layer(ln.tensor(np.ones((1, 3, 4, 5), np.float32)), output_size=(8, 10))


@needs_torch
@pytest.mark.parametrize("fn, tfn, w_shape, kw, shape", [
    (conv1d, "conv1d", (6, 2, 3), {"groups": 2, "stride": 2}, (2, 4, 9)),
    (conv2d, "conv2d", (4, 1, 3, 3), {"groups": 4, "padding": "same"}, (2, 4, 5, 6)),
    (conv_transpose1d, "conv_transpose1d", (4, 3, 3), {"groups": 2, "stride": 2}, (2, 4, 5)),
    (conv_transpose2d, "conv_transpose2d", (4, 1, 2, 3),
     {"groups": 4, "stride": 2, "output_padding": 1, "dilation": 2}, (2, 4, 3, 4)),
])
def test_functional_groups_match_torch(fn, tfn, w_shape, kw, shape):
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal(shape), rng.standard_normal(w_shape)
    cout = w_shape[0] if "transpose" not in tfn else w_shape[1] * kw["groups"]
    b = rng.standard_normal(cout)
    ours = [ln.tensor(a, requires_grad=True) for a in (x, w, b)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    out, ref = fn(*ours, **kw), getattr(torch.nn.functional, tfn)(*theirs, **kw)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    v = rng.standard_normal(out.shape)
    (out * ln.tensor(v)).sum().backward()
    (ref * torch.tensor(v)).sum().backward()
    for a, t in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("make, shape", [
    (lambda: Conv2d(4, 6, 3, groups=2, stride=2, padding=1), (2, 4, 5, 5)),
    (lambda: Conv2d(3, 3, 3, groups=3, dilation=2, padding="same"), (1, 3, 5, 6)),
    (lambda: Conv1d(4, 8, 3, groups=4, padding=1, padding_mode="reflect"), (2, 4, 7)),
    (lambda: ConvTranspose2d(4, 2, 3, groups=2, stride=2, output_padding=1), (1, 4, 3, 3)),
    (lambda: ConvTranspose1d(3, 3, 2, groups=3, dilation=2, padding=1), (2, 3, 6)),
])
def test_grouped_gradcheck(make, shape):
    gradcheck_layer(make(), shape)


def test_grouped_equals_one_conv_per_group():
    """Without PyTorch: a grouped conv is the per-group convs, joined along the channels."""
    rng = np.random.default_rng(4)
    x = ln.tensor(rng.standard_normal((2, 6, 5, 5)))
    w, b = rng.standard_normal((9, 2, 3, 3)), rng.standard_normal(9)
    out = conv2d(x, ln.tensor(w), ln.tensor(b), padding=1, groups=3)
    parts = [conv2d(x[:, 2 * g:2 * g + 2], ln.tensor(w[3 * g:3 * g + 3]),
                    ln.tensor(b[3 * g:3 * g + 3]), padding=1).data for g in range(3)]
    np.testing.assert_allclose(out.data, np.concatenate(parts, axis=1), rtol=1e-12)


@pytest.mark.parametrize("make, shape, out_shape", [
    (lambda: Conv2d(2, 4, 3, groups=2), (0, 2, 5, 5), (0, 4, 3, 3)),
    (lambda: Conv1d(2, 4, 3, padding=1), (0, 2, 5), (0, 4, 5)),
    (lambda: ConvTranspose2d(2, 4, 3, stride=2), (0, 2, 3, 3), (0, 4, 7, 7)),
])
def test_empty_batch(make, shape, out_shape):
    layer = make()
    x = ln.tensor(np.ones(shape, np.float32), requires_grad=True)
    out = layer(x)
    assert out.shape == out_shape and out.dtype == np.float32
    out.sum().backward()
    assert x.grad.shape == shape and not layer.weight.grad.numpy().any()


def test_called_twice_and_composed():
    ln.manual_seed(0)
    conv = Conv2d(2, 2, 3, groups=2, padding=1).double()
    up = ConvTranspose2d(2, 2, 2, stride=2, groups=2).double()
    x = ln.tensor(np.random.default_rng(5).standard_normal((1, 2, 4, 4)), requires_grad=True)
    assert ln.gradcheck(lambda x: up(conv(conv(x[:, [1, 0]].flip(1)))), [x])
    assert up(conv(x)).shape == (1, 2, 8, 8)


@needs_torch
@pytest.mark.parametrize("padding", ["valid", "same", 0, (1, 0)])
def test_repr_shows_string_padding_as_torch(padding):
    kw = {"padding": padding, "padding_mode": "replicate" if padding else "zeros"}
    assert repr(Conv2d(2, 4, 3, **kw)) == repr(torch.nn.Conv2d(2, 4, 3, **kw))
    assert repr(Conv1d(2, 4, 3, padding=padding if isinstance(padding, (str, int)) else 1)) == \
        repr(torch.nn.Conv1d(2, 4, 3, padding=padding if isinstance(padding, (str, int)) else 1))


@pytest.mark.parametrize("make, error, match", [
    (lambda: Conv2d(4, 6, 3, groups=4), ValueError, r"out_channels \(6\) must both be "
                                                    r"divisible by groups \(4\)"),
    (lambda: Conv1d(3, 6, 3, groups=2), ValueError, "divisible by groups"),
    (lambda: Conv2d(4, 4, 3, groups=0), ValueError, "groups must be a positive integer"),
    (lambda: ConvTranspose2d(4, 6, 3, groups=4), ValueError, "divisible by groups"),
    (lambda: Conv2d(2, 4, 3, stride=2, padding="same"), ValueError, "padding='same' needs "
                                                                    "stride 1"),
    (lambda: Conv2d(2, 4, 3, padding_mode="mirror"), ValueError, "padding_mode"),
    (lambda: ConvTranspose1d(2, 4, 3, padding_mode="reflect"), ValueError, "only 'zeros'"),
    (lambda: ConvTranspose2d(2, 4, 3, stride=2, output_padding=2)(np.ones((1, 2, 3, 3),
                                                                          np.float32)), ValueError,
     "output_padding must be smaller than stride or dilation"),
    (lambda: Conv2d(4, 6, 3, groups=2)(np.ones((1, 2, 5, 5), np.float32)), ValueError,
     "4 channels|2 channels instead of 4"),
    (lambda: Conv2d(2, 2, 3)(np.ones((1, 2, 5), np.float32)), ValueError,
     r"expects input of shape \(N, 2, H, W\) or unbatched \(2, H, W\)"),
    (lambda: Conv1d(2, 2, 5)(np.ones((1, 2, 3), np.float32)), ValueError,
     "larger than the padded input"),
    (lambda: Conv2d(2, 2, 3)(np.ones((1, 2, 5, 5))), TypeError, "float64 input"),
    (lambda: conv2d(ln.tensor(np.ones((1, 4, 5, 5))), ln.tensor(np.ones((6, 2, 3, 3))),
                    groups=3), ValueError, "6 channels|4 channels instead of 6"),
    (lambda: conv1d(ln.tensor(np.ones((1, 4, 5))), ln.tensor(np.ones((4, 2, 3))), groups=1),
     ValueError, "channels"),
])
def test_bad_input(make, error, match):
    with pytest.raises(error, match=match):
        make()
