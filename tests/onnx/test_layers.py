"""Every layer kind the ONNX exporter knows, in several configurations: onnx.checker passes and
onnxruntime equals lucidnet (evaluation mode) on real inputs, at batch sizes other than the
example's too (the batch axis is dynamic)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import lucidnet as ln
import lucidnet.onnx as lo
from lucidnet import nn

from .helpers import randn, roundtrip

ACTIVATIONS = [
    ("relu", lambda: nn.ReLU(), (4, 6)),
    ("leaky_relu", lambda: nn.LeakyReLU(0.2), (4, 6)),
    ("leaky_relu_default", lambda: nn.LeakyReLU(), (2, 3, 5)),
    ("prelu_one", lambda: nn.PReLU(), (4, 6)),
    ("prelu_channels", lambda: nn.PReLU(3, init=0.1), (2, 3, 5)),
    ("prelu_channels_2d", lambda: nn.PReLU(3, init=-0.3), (2, 3, 4, 4)),
    ("elu", lambda: nn.ELU(0.7), (4, 6)),
    ("selu", lambda: nn.SELU(), (4, 6)),
    ("celu", lambda: nn.CELU(1.5), (4, 6)),
    ("gelu", lambda: nn.GELU(), (4, 6)),
    ("gelu_tanh", lambda: nn.GELU("tanh"), (2, 3, 5)),
    ("silu", lambda: nn.SiLU(), (4, 6)),
    ("mish", lambda: nn.Mish(), (4, 6)),
    ("softplus", lambda: nn.Softplus(), (4, 6)),
    ("softplus_beta_threshold", lambda: nn.Softplus(beta=2.0, threshold=3.0), (4, 6)),
    ("softplus_beta_small", lambda: nn.Softplus(beta=0.5, threshold=1.0), (4, 6)),
    ("softsign", lambda: nn.Softsign(), (4, 6)),
    ("tanh", lambda: nn.Tanh(), (4, 6)),
    ("sigmoid", lambda: nn.Sigmoid(), (4, 6)),
    ("hardtanh", lambda: nn.Hardtanh(-2.0, 1.5), (4, 6)),
    ("relu6", lambda: nn.ReLU6(), (4, 6)),
    ("hardsigmoid", lambda: nn.Hardsigmoid(), (4, 6)),
    ("hardswish", lambda: nn.Hardswish(), (4, 6)),
    ("logsigmoid", lambda: nn.LogSigmoid(), (4, 6)),
    ("tanhshrink", lambda: nn.Tanhshrink(), (4, 6)),
    ("softshrink", lambda: nn.Softshrink(0.7), (4, 6)),
    ("hardshrink", lambda: nn.Hardshrink(0.3), (4, 6)),
    ("threshold", lambda: nn.Threshold(0.1, -2.0), (4, 6)),
    ("step", lambda: nn.Step(), (4, 6)),
    ("softmax_1", lambda: nn.Softmax(dim=1), (4, 6)),
    ("softmax_last_3d", lambda: nn.Softmax(dim=-1), (2, 3, 5)),
    ("softmax_implicit", lambda: nn.Softmax(), (4, 6)),
    ("log_softmax", lambda: nn.LogSoftmax(dim=1), (4, 6)),
    ("softmin", lambda: nn.Softmin(dim=-1), (4, 6)),
    ("softmax2d", lambda: nn.Softmax2d(), (2, 3, 4, 4)),
    ("glu_last", lambda: nn.GLU(), (4, 6)),
    ("glu_dim1", lambda: nn.GLU(dim=1), (2, 4, 5)),
]


@pytest.mark.parametrize("make, shape", [a[1:] for a in ACTIVATIONS],
                         ids=[a[0] for a in ACTIVATIONS])
def test_activation(make, shape, tmp_path):
    ln.manual_seed(0)
    x = randn(*shape, scale=3.0)
    others = [randn(1, *shape[1:], scale=3.0, seed=1), randn(7, *shape[1:], scale=3.0, seed=2)]
    # the thresholds and kinks exactly, and large values (overflow-prone formulas)
    edge = np.array([-30.0, -3.0, -1.5, -0.7, -0.5, -0.3, 0.0, 0.1, 0.3, 0.5, 0.7, 1.0, 1.5, 3.0,
                     6.0, 10.0, 20.0, 30.0], np.float32)
    size = int(np.prod(shape[1:]))
    rows = -(-edge.size // size)
    others.append(np.resize(edge, rows * size).reshape((rows,) + shape[1:]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Softmax() warns of its implicit dim
        roundtrip(make(), x, others, tmp_path / "m.onnx")


def _trained_bn(layer, shape, steps=3):
    """A normalization layer whose running statistics are not the defaults."""
    layer.train()
    for i in range(steps):
        layer(randn(*shape, scale=2.0, seed=10 + i) + 1.5)
    if layer.affine:
        layer.weight.data[...] = np.linspace(0.5, 1.5, layer.weight.shape[0])
        if layer.bias is not None:
            layer.bias.data[...] = np.linspace(-1, 1, layer.bias.shape[0])
    return layer


LAYERS = [
    # dense
    ("linear", lambda: nn.Linear(6, 3), (4, 6)),
    ("linear_no_bias", lambda: nn.Linear(6, 3, bias=False), (4, 6)),
    ("linear_3d", lambda: nn.Linear(5, 2), (2, 3, 5)),
    # convolutions
    ("conv1d", lambda: nn.Conv1d(2, 4, 3), (2, 2, 9)),
    ("conv1d_stride_pad_dil", lambda: nn.Conv1d(2, 4, 3, stride=2, padding=2, dilation=2),
     (2, 2, 11)),
    ("conv1d_same", lambda: nn.Conv1d(2, 3, 4, padding="same"), (2, 2, 9)),
    ("conv1d_groups_reflect", lambda: nn.Conv1d(4, 6, 3, groups=2, padding=1,
                                                padding_mode="reflect"), (2, 4, 8)),
    ("conv1d_circular", lambda: nn.Conv1d(2, 2, 3, padding=2, padding_mode="circular"),
     (2, 2, 7)),
    ("conv2d", lambda: nn.Conv2d(1, 4, 3, padding=1), (2, 1, 8, 8)),
    ("conv2d_valid_no_bias", lambda: nn.Conv2d(3, 2, (3, 2), padding="valid", bias=False),
     (2, 3, 6, 7)),
    ("conv2d_stride_asym_pad", lambda: nn.Conv2d(2, 3, 3, stride=(2, 1), padding=(1, 0)),
     (2, 2, 9, 8)),
    ("conv2d_same_dilation", lambda: nn.Conv2d(2, 2, 3, padding="same", dilation=2),
     (2, 2, 8, 8)),
    ("conv2d_depthwise", lambda: nn.Conv2d(3, 6, 3, groups=3, padding=1), (2, 3, 6, 6)),
    ("conv2d_replicate", lambda: nn.Conv2d(2, 2, 3, padding=2, padding_mode="replicate"),
     (2, 2, 6, 6)),
    ("conv2d_reflect", lambda: nn.Conv2d(2, 2, 3, padding=(1, 2), padding_mode="reflect"),
     (2, 2, 6, 6)),
    ("conv2d_circular_same", lambda: nn.Conv2d(2, 2, 3, padding="same", padding_mode="circular"),
     (2, 2, 5, 6)),
    ("conv2d_unbatched", lambda: nn.Conv2d(2, 3, 3), (2, 5, 5)),
    ("conv_transpose1d", lambda: nn.ConvTranspose1d(2, 3, 3, stride=2, padding=1,
                                                    output_padding=1), (2, 2, 6)),
    ("conv_transpose2d", lambda: nn.ConvTranspose2d(4, 2, 3, stride=2, groups=2, dilation=1),
     (2, 4, 4, 5)),
    ("conv_transpose2d_dilation", lambda: nn.ConvTranspose2d(2, 2, 2, dilation=2, padding=1,
                                                             bias=False), (2, 2, 5, 5)),
    # pooling
    ("maxpool1d", lambda: nn.MaxPool1d(2), (2, 3, 9)),
    ("maxpool1d_ceil_pad", lambda: nn.MaxPool1d(3, stride=2, padding=1, ceil_mode=True),
     (2, 3, 10)),
    ("maxpool2d", lambda: nn.MaxPool2d(2), (2, 3, 8, 8)),
    ("maxpool2d_stride_pad_dil", lambda: nn.MaxPool2d(3, stride=2, padding=1, dilation=2),
     (2, 2, 9, 9)),
    ("maxpool2d_ceil", lambda: nn.MaxPool2d(2, ceil_mode=True), (2, 2, 7, 5)),
    ("avgpool1d", lambda: nn.AvgPool1d(3, stride=2), (2, 3, 9)),
    ("avgpool1d_pad_include", lambda: nn.AvgPool1d(3, stride=2, padding=1), (2, 3, 8)),
    ("avgpool1d_pad_exclude_ceil", lambda: nn.AvgPool1d(3, stride=2, padding=1, ceil_mode=True,
                                                        count_include_pad=False), (2, 3, 8)),
    ("avgpool2d", lambda: nn.AvgPool2d(2), (2, 3, 8, 8)),
    ("avgpool2d_ceil_include_pad", lambda: nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True),
     (2, 2, 8, 7)),
    ("avgpool2d_exclude", lambda: nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
     (2, 2, 7, 7)),
    ("avgpool2d_divisor", lambda: nn.AvgPool2d(2, ceil_mode=True, divisor_override=3),
     (2, 2, 5, 5)),
    ("adaptive_avg2d_global", lambda: nn.AdaptiveAvgPool2d(1), (2, 3, 5, 7)),
    ("adaptive_avg2d_divisible", lambda: nn.AdaptiveAvgPool2d((2, 4)), (2, 3, 6, 8)),
    ("adaptive_avg2d_bins", lambda: nn.AdaptiveAvgPool2d((3, None)), (2, 3, 8, 5)),
    ("adaptive_avg1d_bins", lambda: nn.AdaptiveAvgPool1d(3), (2, 3, 7)),
    ("adaptive_max2d_bins", lambda: nn.AdaptiveMaxPool2d((3, 2)), (2, 3, 7, 5)),
    ("adaptive_max1d_global", lambda: nn.AdaptiveMaxPool1d(1), (2, 3, 7)),
    # normalization
    ("batchnorm1d_nc", lambda: _trained_bn(nn.BatchNorm1d(5), (8, 5)), (4, 5)),
    ("batchnorm1d_ncl", lambda: _trained_bn(nn.BatchNorm1d(3, eps=1e-3), (8, 3, 4)), (2, 3, 4)),
    ("batchnorm1d_no_affine", lambda: _trained_bn(nn.BatchNorm1d(5, affine=False), (8, 5)),
     (4, 5)),
    ("batchnorm1d_batch_stats", lambda: nn.BatchNorm1d(5, track_running_stats=False), (6, 5)),
    ("batchnorm2d", lambda: _trained_bn(nn.BatchNorm2d(3), (4, 3, 5, 5)), (2, 3, 5, 5)),
    ("batchnorm3d", lambda: _trained_bn(nn.BatchNorm3d(3), (4, 3, 2, 3, 3)), (2, 3, 2, 3, 3)),
    ("syncbatchnorm", lambda: _trained_bn(nn.SyncBatchNorm(3), (4, 3, 5)), (2, 3, 5)),
    ("syncbatchnorm_2d", lambda: nn.SyncBatchNorm.convert_sync_batchnorm(
        _trained_bn(nn.BatchNorm2d(3), (4, 3, 5, 5))), (2, 3, 5, 5)),
    ("layernorm", lambda: nn.LayerNorm(6), (4, 6)),
    ("layernorm_2axes_eps", lambda: nn.LayerNorm((3, 5), eps=1e-3), (2, 3, 5)),
    ("layernorm_no_affine", lambda: nn.LayerNorm(5, elementwise_affine=False), (2, 3, 5)),
    ("layernorm_no_bias", lambda: nn.LayerNorm(5, bias=False), (2, 3, 5)),
    ("groupnorm", lambda: nn.GroupNorm(2, 4), (2, 4, 5, 5)),
    ("groupnorm_nc", lambda: nn.GroupNorm(3, 6, affine=False), (4, 6)),
    ("groupnorm_1d", lambda: nn.GroupNorm(1, 4, eps=1e-3), (2, 4, 6)),
    ("instancenorm1d", lambda: nn.InstanceNorm1d(3), (2, 3, 7)),
    ("instancenorm2d_affine", lambda: _trained_bn(nn.InstanceNorm2d(3, affine=True),
                                                  (2, 3, 5, 5)), (2, 3, 5, 5)),
    ("instancenorm2d_running", lambda: _trained_bn(nn.InstanceNorm2d(3, track_running_stats=True),
                                                   (2, 3, 5, 5)), (2, 3, 5, 5)),
    ("rmsnorm", lambda: nn.RMSNorm(6), (4, 6)),
    ("rmsnorm_eps_2axes", lambda: nn.RMSNorm((3, 5), eps=1e-4), (2, 3, 5)),
    # shape, identity, dropout
    ("flatten", lambda: nn.Flatten(), (2, 3, 4, 4)),
    ("flatten_2_3", lambda: nn.Flatten(2), (2, 3, 4, 4)),
    ("flatten_1_2", lambda: nn.Flatten(1, 2), (2, 3, 4, 5)),
    ("flatten_nothing", lambda: nn.Flatten(), (2, 3)),
    ("unflatten", lambda: nn.Unflatten(1, (2, -1)), (2, 12)),
    ("unflatten_3d", lambda: nn.Unflatten(2, (2, 3)), (2, 4, 6)),
    ("identity", lambda: nn.Identity(3, foo=1), (4, 6)),
    ("dropout", lambda: nn.Dropout(0.5), (4, 6)),
    ("dropout1d", lambda: nn.Dropout1d(0.3), (2, 3, 5)),
    ("dropout2d", lambda: nn.Dropout2d(0.3), (2, 3, 4, 4)),
    ("gaussian_noise", lambda: nn.GaussianNoise(0.5), (4, 6)),
    # padding layers
    ("constant_pad1d", lambda: nn.ConstantPad1d((1, 2), 3.5), (2, 3, 5)),
    ("constant_pad2d_crop", lambda: nn.ConstantPad2d((1, -1, 2, 0), -1.0), (2, 3, 4, 5)),
    ("zero_pad2d", lambda: nn.ZeroPad2d(2), (2, 3, 4, 4)),
    ("reflection_pad1d", lambda: nn.ReflectionPad1d((2, 1)), (2, 3, 5)),
    ("reflection_pad2d", lambda: nn.ReflectionPad2d(1), (2, 3, 4, 4)),
    ("replication_pad2d", lambda: nn.ReplicationPad2d((1, 2, 0, 3)), (2, 3, 4, 4)),
    ("circular_pad1d", lambda: nn.CircularPad1d((2, 3)), (2, 3, 5)),
    ("circular_pad2d", lambda: nn.CircularPad2d(1), (2, 3, 4, 4)),
    # the input scaler of CLI models
    ("standardize_flat", lambda: nn.Standardize(6, mean=np.arange(6.0), std=np.linspace(1, 3, 6)),
     (4, 6)),
    ("standardize_int_rows", lambda: nn.Standardize(3, mean=[1, 2, 3], std=[2, 2, 2]), "int"),
    ("standardize_images", lambda: nn.Standardize(12, mean=np.arange(12.0), std=np.full(12, 2.0)),
     (2, 3, 2, 2)),
]


@pytest.mark.parametrize("make, shape", [a[1:] for a in LAYERS], ids=[a[0] for a in LAYERS])
def test_layer(make, shape, tmp_path):
    ln.manual_seed(0)
    layer = make()
    if shape == "int":  # raw integer rows (counts, pixels): the scaler casts them
        x = np.arange(12).reshape(4, 3)
        roundtrip(layer, x, [np.arange(3).reshape(1, 3) * 7], tmp_path / "m.onnx")
        return
    x = randn(*shape, scale=2.0)
    others = [randn(1, *shape[1:], scale=2.0, seed=1), randn(5, *shape[1:], scale=2.0, seed=2)]
    if shape == (2, 5, 5):  # the unbatched conv: no batch axis to vary
        others = [randn(*shape, seed=1)]
        roundtrip(layer, x, others, tmp_path / "m.onnx", dynamic_batch=False)
        return
    if isinstance(layer, nn.BatchNorm1d) and not layer.track_running_stats:
        others = [randn(3, *shape[1:], seed=1), randn(9, *shape[1:], seed=2)]  # batch stats
    roundtrip(layer, x, others, tmp_path / "m.onnx")


@pytest.mark.parametrize("max_norm", [None, 1.0])
@pytest.mark.parametrize("dtype", [np.int64, np.int32])
def test_embedding(max_norm, dtype, tmp_path):
    ln.manual_seed(0)
    layer = nn.Embedding(10, 4, padding_idx=0, max_norm=max_norm)
    idx = np.array([[1, 2, 3], [9, 0, 4]], dtype=dtype)
    others = [np.array([[5, 5, 5]], dtype=dtype), np.arange(18).reshape(6, 3).astype(dtype) % 10]
    # lucidnet renormalises rows in place on lookup: the exported graph then gives the same
    roundtrip(layer, idx, others, tmp_path / "m.onnx")


def test_embedding_then_dense(tmp_path):
    ln.manual_seed(0)
    model = nn.Sequential(nn.Embedding(7, 3), nn.Flatten(), nn.Linear(6, 2))
    roundtrip(model, np.array([[1, 2], [3, 6]], dtype=np.int64),
              [np.array([[0, 0]], dtype=np.int64)], tmp_path / "m.onnx")


def test_bilinear_two_inputs(tmp_path):
    ln.manual_seed(0)
    layer = nn.Bilinear(3, 4, 2)
    x = (randn(5, 3), randn(5, 4, seed=1))
    proto = roundtrip(layer, x, [(randn(2, 3, seed=3), randn(2, 4, seed=4))], tmp_path / "m.onnx",
                      input_names=["left", "right"])
    assert [i.name for i in proto.graph.input] == ["left", "right"]


def test_nested_sequential_and_models(tmp_path):
    ln.manual_seed(0)
    inner = nn.Sequential(nn.Linear(6, 8), nn.Sequential(nn.LayerNorm(8), nn.GELU("tanh")))
    model = nn.Sequential(inner, nn.Dropout(0.2), nn.Linear(8, 3), nn.LogSoftmax(dim=1))
    roundtrip(model, randn(4, 6), [randn(1, 6, seed=1), randn(9, 6, seed=2)],
              tmp_path / "nested.onnx")


@pytest.mark.parametrize("kwargs", [
    dict(hidden=(16, 8), activation="relu"),
    dict(hidden=(8,), activation="gelu", batch_norm=True, dropout=0.3, output="softmax"),
    dict(hidden=(8, 8), activation="elu", output="sigmoid", out_features=1),
    dict(hidden=(4,), activation="softplus"),
    dict(hidden=(4,), activation="leaky_relu"),
    dict(hidden=(4,), activation="silu"),
    dict(hidden=(4,), activation="tanh"),
    dict(hidden=(4,), activation="step"),
])
def test_mlp_builder(kwargs, tmp_path):
    from lucidnet import models

    ln.manual_seed(0)
    kwargs.setdefault("out_features", 3)
    model = models.MLP(6, **kwargs)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm1d):
            _trained_bn(m, (8, m.num_features))
    roundtrip(model, randn(4, 6), [randn(1, 6, seed=1), randn(10, 6, seed=2)],
              tmp_path / "mlp.onnx")


@pytest.mark.parametrize("kwargs, shape", [
    (dict(in_channels=1, image_size=(8, 8), num_classes=10), (3, 1, 8, 8)),
    (dict(in_channels=3, image_size=(9, 7), num_classes=4, channels=(4, 6, 8), batch_norm=True,
          dropout=0.2, hidden=16, pool="avg", kernel_size=5), (2, 3, 9, 7)),
    (dict(in_channels=2, image_size=20, num_classes=3, channels=(4,), pool="max"), (2, 2, 20)),
    (dict(in_channels=1, image_size=12, num_classes=2, batch_norm=True, pool="avg"), (2, 1, 12)),
])
def test_cnn_builder(kwargs, shape, tmp_path):
    from lucidnet import models

    ln.manual_seed(0)
    model = models.CNN(**kwargs)
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            _trained_bn(m, (4, m.num_features) + shape[2:])
    roundtrip(model, randn(*shape), [randn(1, *shape[1:], seed=1), randn(6, *shape[1:], seed=2)],
              tmp_path / "cnn.onnx")


RESIZE = [
    ("upsample_nearest", lambda: nn.Upsample(scale_factor=2), (2, 3, 4, 5)),
    ("upsample_nearest_frac", lambda: nn.Upsample(scale_factor=1.7), (2, 3, 4, 5)),
    ("upsample_nearest_size_1d", lambda: nn.Upsample(size=7), (2, 3, 5)),
    ("upsample_nearest_exact", lambda: nn.Upsample(size=(5, 9), mode="nearest-exact"),
     (2, 3, 4, 5)),
    ("upsample_bilinear", lambda: nn.Upsample(scale_factor=2, mode="bilinear"), (2, 3, 4, 5)),
    ("upsample_bilinear_corners", lambda: nn.Upsample(size=(7, 3), mode="bilinear",
                                                      align_corners=True), (2, 3, 4, 5)),
    ("upsample_linear", lambda: nn.Upsample(scale_factor=1.5, mode="linear"), (2, 3, 6)),
    ("upsample_area", lambda: nn.Upsample(size=(3, 2), mode="area"), (2, 3, 7, 5)),
    ("upsampling_nearest2d", lambda: nn.UpsamplingNearest2d(scale_factor=3), (2, 1, 3, 3)),
    ("upsampling_bilinear2d", lambda: nn.UpsamplingBilinear2d(size=(6, 6)), (2, 1, 3, 4)),
    ("pixel_shuffle", lambda: nn.PixelShuffle(2), (2, 8, 3, 4)),
    ("pixel_unshuffle", lambda: nn.PixelUnshuffle(2), (2, 2, 4, 6)),
    ("lazy_linear", lambda: nn.LazyLinear(3), (4, 6)),
    ("lazy_conv2d", lambda: nn.LazyConv2d(2, 3, padding=1), (2, 3, 5, 5)),
    ("weight_noise", lambda: nn.WeightNoise(nn.Linear(6, 2), std=0.5), (4, 6)),
]


@pytest.mark.parametrize("make, shape", [a[1:] for a in RESIZE], ids=[a[0] for a in RESIZE])
def test_resize_lazy_and_wrappers(make, shape, tmp_path):
    ln.manual_seed(0)
    others = [randn(1, *shape[1:], seed=1), randn(5, *shape[1:], seed=2)]
    roundtrip(make(), randn(*shape), others, tmp_path / "m.onnx")


def test_perceptron(tmp_path):
    from lucidnet.models import Perceptron

    from .helpers import session

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3)).astype(np.float32)
    y = np.where(X @ np.array([1.0, -2.0, 0.5]) > 0.2, "yes", "no")
    p = Perceptron(max_epochs=50).fit(X, y)
    proto = lo.export(p, X[:4], tmp_path / "p.onnx")
    assert [o.name for o in proto.graph.output] == ["output", "label"]
    decision, label = session(tmp_path / "p.onnx").run(None, {"input": X})
    np.testing.assert_allclose(decision, p.decision_function(X), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(label, p.predict(X))
    with pytest.raises(lo.ExportError, match="not fitted"):
        lo.export(Perceptron(), X[:2], tmp_path / "q.onnx")
