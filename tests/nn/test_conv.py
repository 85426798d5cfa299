"""Conv1d/Conv2d, pooling, Flatten and fixed kernels (SPEC B2, G2): PyTorch agreement in float64,
finite-difference gradients, and clear errors for bad input.

The float64 finite-difference checks never need PyTorch; only the comparisons skip without it."""

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import kernels, nn
from tests.nn.layer_helpers import (
    check_layer,
    compare_with_torch,
    gradcheck_layer,
    needs_torch,
    torch,
)

tnn = None if torch is None else torch.nn

CONV2D_CASES = [  # (in, out, kernel, kwargs, input shape)
    (3, 4, 3, {}, (2, 3, 7, 7)),
    (2, 3, 3, {"padding": 1}, (2, 2, 6, 5)),
    (2, 3, (3, 2), {"stride": 2, "padding": (1, 0)}, (2, 2, 9, 7)),
    (2, 2, 3, {"dilation": 2, "padding": 2}, (1, 2, 8, 9)),
    (1, 2, 4, {"padding": "same"}, (2, 1, 7, 6)),
    (2, 3, 2, {"padding": "valid", "stride": (1, 3), "bias": False}, (2, 2, 5, 8)),
    (3, 2, 1, {}, (2, 3, 4, 3)),
]


@needs_torch
@pytest.mark.parametrize("cin,cout,k,kw,shape", CONV2D_CASES)
def test_conv2d_matches_torch(cin, cout, k, kw, shape):
    check_layer(nn.Conv2d(cin, cout, k, **kw), tnn.Conv2d(cin, cout, k, **kw), shape,
                gradcheck=False)


@pytest.mark.parametrize("cin,cout,k,kw,shape", CONV2D_CASES)
def test_conv2d_gradcheck(cin, cout, k, kw, shape):
    gradcheck_layer(nn.Conv2d(cin, cout, k, **kw), shape)


CONV1D_CASES = [
    (1, 3, 5, {}, (2, 1, 12)),
    (2, 3, 3, {"stride": 2, "padding": 1}, (3, 2, 11)),
    (2, 2, 3, {"dilation": 3, "padding": "same"}, (2, 2, 10)),
    (2, 4, 4, {"padding": "same", "bias": False}, (1, 2, 9)),
]


@needs_torch
@pytest.mark.parametrize("cin,cout,k,kw,shape", CONV1D_CASES)
def test_conv1d_matches_torch(cin, cout, k, kw, shape):
    check_layer(nn.Conv1d(cin, cout, k, **kw), tnn.Conv1d(cin, cout, k, **kw), shape,
                gradcheck=False)


@pytest.mark.parametrize("cin,cout,k,kw,shape", CONV1D_CASES)
def test_conv1d_gradcheck(cin, cout, k, kw, shape):
    gradcheck_layer(nn.Conv1d(cin, cout, k, **kw), shape)


POOL_CASES = [  # (layer name, args, kwargs, input shape): the same call in both frameworks
    ("MaxPool2d", (2,), {}, (2, 3, 6, 6)),
    ("MaxPool2d", (3,), {"stride": 2, "padding": 1}, (2, 2, 7, 6)),
    ("MaxPool2d", ((2, 3),), {"stride": 1, "dilation": 2}, (1, 2, 7, 8)),
    ("MaxPool2d", (2,), {}, (2, 1, 7, 5)),  # odd sizes: last row/col dropped
    ("MaxPool1d", (3,), {"stride": 2}, (2, 3, 11)),
    ("AvgPool2d", (2,), {}, (2, 3, 6, 7)),
    ("AvgPool2d", (3,), {"stride": 2, "padding": 1}, (2, 2, 7, 6)),
    ("AvgPool2d", (3,), {"stride": 2, "padding": 1, "count_include_pad": False}, (2, 2, 7, 6)),
    ("AvgPool1d", (4,), {"stride": 3, "padding": 2}, (2, 2, 13)),
    ("AdaptiveAvgPool2d", (1,), {}, (2, 3, 5, 4)),
    ("AdaptiveAvgPool2d", ((3, 2),), {}, (2, 2, 7, 5)),
    ("AdaptiveAvgPool1d", (4,), {}, (2, 2, 10)),
    ("Flatten", (), {}, (2, 3, 4, 5)),
    ("Flatten", (2,), {}, (2, 3, 4, 5)),
]


@needs_torch
@pytest.mark.parametrize("name,args,kw,shape", POOL_CASES)
def test_pooling_matches_torch(name, args, kw, shape):
    compare_with_torch(getattr(nn, name)(*args, **kw), getattr(tnn, name)(*args, **kw), shape)


@pytest.mark.parametrize("name,args,kw,shape", POOL_CASES)
def test_pooling_gradcheck(name, args, kw, shape):
    gradcheck_layer(getattr(nn, name)(*args, **kw), shape)


def test_unbatched_input_and_float32_dtype_kept():
    conv = nn.Conv2d(2, 3, 3, padding=1)
    assert conv.weight.dtype == np.float32
    out = conv(ln.tensor(np.ones((2, 5, 5), dtype=np.float32)))
    assert out.shape == (3, 5, 5) and out.dtype == np.float32
    pooled = nn.MaxPool2d(2)(out)
    assert pooled.shape == (3, 2, 2) and pooled.dtype == np.float32


def test_conv_init_uses_fan_in_f2c():
    conv = nn.Conv2d(16, 8, 5)  # fan_in = F^2 C = 25 * 16 (SPEC G2)
    bound = 1 / np.sqrt(25 * 16)
    assert np.abs(conv.weight.data).max() <= bound and np.abs(conv.bias.data).max() <= bound
    assert conv.weight.data.std() == pytest.approx(bound / np.sqrt(3), rel=0.05)
    assert nn.init.compute_fans(conv.weight.shape) == (400, 200)


@needs_torch
def test_state_dict_keys_and_torch_weights_load():
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(36, 2))
    tmodel = tnn.Sequential(tnn.Conv2d(1, 4, 3), tnn.ReLU(), tnn.MaxPool2d(2), tnn.Flatten(),
                            tnn.Linear(36, 2))
    assert list(model.state_dict()) == list(tmodel.state_dict())
    check_layer(model, tmodel, (3, 1, 8, 8), gradcheck=False)


@needs_torch
def test_maxpool_ties_route_to_first_maximum_like_torch():
    x = np.zeros((1, 1, 4, 4))
    compare_with_torch(nn.MaxPool2d(2), tnn.MaxPool2d(2), x.shape)  # random input
    ours, theirs = ln.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    nn.MaxPool2d(2)(ours).sum().backward()
    tnn.MaxPool2d(2)(theirs).sum().backward()
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())


def test_functional_forms_match_layers():
    x = ln.tensor(np.random.default_rng(0).standard_normal((2, 3, 6, 6)).astype(np.float32))
    conv = nn.Conv2d(3, 2, 3, stride=2, padding=1)
    np.testing.assert_array_equal(nn.conv2d(x, conv.weight, conv.bias, 2, 1).data, conv(x).data)
    from lucidnet.nn.pooling import avg_pool2d, max_pool2d
    np.testing.assert_array_equal(max_pool2d(x, 2).data, nn.MaxPool2d(2)(x).data)
    np.testing.assert_array_equal(avg_pool2d(x, 3, 1, 1).data, nn.AvgPool2d(3, 1, 1)(x).data)


@pytest.mark.parametrize("make,shape,match", [
    (lambda: nn.Conv2d(3, 4, 3), (2, 1, 8, 8),
     (r"Conv2d\(3, 4, kernel_size=\(3, 3\).*expects input of shape \(N, 3, H, W\).*got shape "
      r"\(2, 1, 8, 8\): 1 channels instead of 3")),
    (lambda: nn.Conv2d(1, 4, 3), (2, 8, 8, 1, 1),
     r"Conv2d.*\(N, 1, H, W\).*got shape \(2, 8, 8, 1, 1\) \(5 dims\)"),
    (lambda: nn.Conv1d(2, 4, 3), (2, 2, 4, 4), r"Conv1d.*\(N, 2, L\)"),
    (lambda: nn.Conv2d(1, 2, 5), (1, 1, 4, 6), r"kernel size \(5, 5\).*larger than the padded"),
    (lambda: nn.Conv2d(1, 2, 3, dilation=3), (1, 1, 6, 6), r"larger than the padded input"),
    (lambda: nn.MaxPool2d(3), (1, 1, 2, 2), r"MaxPool2d.*larger than the padded input"),
    (lambda: nn.MaxPool2d(2), (4, 4), r"MaxPool2d.*expects input of shape \(N, C, H, W\)"),
])
def test_bad_input_shapes_raise_clear_errors(make, shape, match):
    with pytest.raises(ValueError, match=match):
        make()(ln.tensor(np.zeros(shape, dtype=np.float32)))


@pytest.mark.parametrize("make,match", [
    (lambda: nn.Conv2d(1, 2, 0), r"Conv2d: kernel_size must be >= 1, got 0"),
    (lambda: nn.Conv2d(1, 2, 3, stride=0), r"stride must be >= 1, got 0"),
    (lambda: nn.Conv2d(1, 2, 3, padding=-1), r"padding must be >= 0"),
    (lambda: nn.Conv2d(1, 2, 3, stride=2, padding="same"), r"padding='same' needs stride 1"),
    (lambda: nn.Conv2d(1, 2, 3, padding="full"), r"'valid' or 'same', got 'full'"),
    (lambda: nn.Conv2d(0, 2, 3), r"in_channels must be a positive integer, got 0"),
    (lambda: nn.Conv1d(1, 2, (3, 3)), r"kernel_size must be an int or a tuple of 1 ints"),
    (lambda: nn.MaxPool2d(0), r"kernel_size must be >= 1"),
    (lambda: nn.AvgPool2d(2, stride=-1), r"stride must be >= 1"),
    (lambda: nn.MaxPool2d(2, padding=2), r"padding should be at most half of kernel size"),
])
def test_bad_hyperparameters_raise(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@needs_torch
def test_fixed_kernel_matches_torch_conv2d():
    img = np.zeros((9, 9))
    img[:, 4:] = 1.0  # a vertical edge
    ref = torch.nn.functional.conv2d(torch.tensor(img)[None, None],
                                     torch.tensor(kernels.sobel_x())[None, None], padding=1)
    np.testing.assert_allclose(kernels.apply_kernel(img, "sobel_x"), ref[0, 0].numpy())


def test_fixed_kernels_blur_smooths_and_edges_detect():
    img = np.zeros((9, 9))
    img[:, 4:] = 1.0  # a vertical edge
    edge = kernels.apply_kernel(img, kernels.sobel_x())
    assert np.all(edge[1:-1, 3:5] == 4) and np.all(edge[1:-1, :2] == 0)  # only at the edge
    assert np.all(kernels.apply_kernel(img, "sobel_y")[1:-1] == 0)     # no horizontal edge
    assert np.allclose(kernels.apply_kernel(img, "laplacian")[1:-1, 1:3], 0)
    noisy = np.random.default_rng(0).standard_normal((32, 32))
    for name in ("blur", "gaussian"):
        smooth = kernels.apply_kernel(noisy, name)
        assert smooth.shape == noisy.shape and smooth[4:-4, 4:-4].std() < 0.5 * noisy.std()
    assert kernels.gaussian(5, 1.0).sum() == pytest.approx(1.0)
    assert kernels.apply_kernel(img, "sharpen", padding="valid").shape == (7, 7)
    assert kernels.apply_kernel(np.stack([img, img]), "blur").shape == (2, 9, 9)
    with pytest.raises(ValueError, match="unknown kernel 'emboss'; valid names: blur"):
        kernels.apply_kernel(img, "emboss")
    with pytest.raises(ValueError, match="larger than the image"):
        kernels.apply_kernel(np.ones((2, 2)), np.ones((5, 5)), padding="valid")


@pytest.mark.parametrize("shape", [(4, 2, 12, 12), (1, 1, 5, 5)])
def test_weight_gradient_is_right_in_both_forms_of_its_product(shape):
    """dL/dW is computed as g @ cols^T or as (cols @ g^T)^T depending on the shapes
    (`conv._weight_grad`): (4, 2, 12, 12) with a 3x3 kernel takes the second form, (1, 1, 5, 5)
    the first; both agree with finite differences and with each other's formula."""
    from lucidnet.autograd import gradcheck
    from lucidnet.autograd.ops.conv import _weight_grad

    rng = np.random.default_rng(3)
    x = ln.Tensor(rng.standard_normal(shape))
    w = ln.Tensor(rng.standard_normal((3, shape[1], 3, 3)), requires_grad=True)
    assert gradcheck(lambda w: nn.functional.conv2d(x, w, None, 1, 1), (w,))
    g2, cols = rng.standard_normal((3, 576)), rng.standard_normal((18, 576))
    np.testing.assert_allclose(_weight_grad(g2, cols), g2 @ cols.T, rtol=1e-12, atol=1e-12)
