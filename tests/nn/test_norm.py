"""BatchNorm1d/2d, LayerNorm, GroupNorm, InstanceNorm1d/2d (SPEC H2, H3): PyTorch agreement in
float64 (outputs, gradients, running statistics, eval mode), gradchecks and errors.

The float64 finite-difference checks never need PyTorch; only the comparisons skip without it."""

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn
from tests.nn.layer_helpers import (
    check_layer,
    compare_with_torch,
    gradcheck_layer,
    load_from_torch,
    needs_torch,
    randomize_parameters,
    torch,
)

tnn = None if torch is None else torch.nn  # used only inside tests marked needs_torch


def _randomize_affine(theirs, seed=0):
    """Non-trivial gamma/beta so their gradients and effect are really checked."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in theirs.parameters():
            p.copy_(torch.rand(p.shape, generator=g, dtype=p.dtype) + 0.5)


NORM_CASES = [  # (ours, theirs, input shape)
    (lambda: nn.BatchNorm1d(3), lambda: tnn.BatchNorm1d(3), (6, 3)),
    (lambda: nn.BatchNorm1d(3), lambda: tnn.BatchNorm1d(3), (4, 3, 5)),
    (lambda: nn.BatchNorm2d(3), lambda: tnn.BatchNorm2d(3), (3, 3, 4, 5)),
    (lambda: nn.BatchNorm2d(2, affine=False), lambda: tnn.BatchNorm2d(2, affine=False),
     (2, 2, 3, 3)),
    (lambda: nn.BatchNorm2d(2, track_running_stats=False),
     lambda: tnn.BatchNorm2d(2, track_running_stats=False), (2, 2, 3, 3)),
    (lambda: nn.LayerNorm(5), lambda: tnn.LayerNorm(5), (4, 5)),
    (lambda: nn.LayerNorm((3, 4)), lambda: tnn.LayerNorm((3, 4)), (2, 3, 4)),
    (lambda: nn.LayerNorm(4, elementwise_affine=False),
     lambda: tnn.LayerNorm(4, elementwise_affine=False), (3, 2, 4)),
    (lambda: nn.GroupNorm(2, 4), lambda: tnn.GroupNorm(2, 4), (3, 4, 3, 3)),
    (lambda: nn.GroupNorm(3, 6), lambda: tnn.GroupNorm(3, 6), (2, 6, 5)),
    (lambda: nn.GroupNorm(1, 3, affine=False), lambda: tnn.GroupNorm(1, 3, affine=False),
     (2, 3, 4)),
    (lambda: nn.InstanceNorm2d(3), lambda: tnn.InstanceNorm2d(3), (2, 3, 4, 5)),
    (lambda: nn.InstanceNorm1d(2, affine=True), lambda: tnn.InstanceNorm1d(2, affine=True),
     (3, 2, 6)),
]


@needs_torch
@pytest.mark.parametrize("ours,theirs,shape", NORM_CASES)
def test_norm_layers_match_torch(ours, theirs, shape):
    t = theirs()
    _randomize_affine(t)
    check_layer(ours(), t, shape, gradcheck=False)


@pytest.mark.parametrize("ours,theirs,shape", NORM_CASES)
def test_norm_layers_gradcheck(ours, theirs, shape):
    gradcheck_layer(randomize_parameters(ours()), shape)


@needs_torch
@pytest.mark.parametrize("ours,theirs,shape", [
    (lambda: nn.BatchNorm1d(3), lambda: tnn.BatchNorm1d(3), (8, 3)),
    (lambda: nn.BatchNorm2d(4), lambda: tnn.BatchNorm2d(4), (5, 4, 3, 3)),
    (lambda: nn.BatchNorm2d(4, momentum=None), lambda: tnn.BatchNorm2d(4, momentum=None),
     (5, 4, 3, 3)),
    (lambda: nn.BatchNorm1d(2, momentum=0.3), lambda: tnn.BatchNorm1d(2, momentum=0.3),
     (4, 2, 7)),
    (lambda: nn.InstanceNorm2d(3, track_running_stats=True),
     lambda: tnn.InstanceNorm2d(3, track_running_stats=True), (2, 3, 4, 4)),
])
def test_running_statistics_and_eval_output_match_torch(ours, theirs, shape):
    o, t = ours(), theirs()
    _randomize_affine(t)
    load_from_torch(o, t)
    for step in range(4):  # several training steps
        compare_with_torch(o, t, shape, seed=step)
    for key, value in t.state_dict().items():
        np.testing.assert_allclose(o.state_dict()[key], value.numpy(), rtol=1e-6, err_msg=key)
    compare_with_torch(o, t, shape, seed=10, train=False)  # eval: running stats, affine backward
    assert o.num_batches_tracked == t.num_batches_tracked.item()


def test_batchnorm_state_dict_keys_buffers_and_dtype():
    bn = nn.BatchNorm2d(3)
    assert list(bn.state_dict()) == [
        "weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    if tnn is not None:
        assert list(bn.state_dict()) == list(tnn.BatchNorm2d(3).state_dict())
    assert [n for n, _ in bn.named_buffers()] == ["running_mean", "running_var",
                                                  "num_batches_tracked"]
    assert bn.running_mean.dtype == np.float32 and bn.num_batches_tracked.dtype == np.int64
    out = bn(ln.tensor(np.random.default_rng(0).standard_normal((4, 3, 2, 2)).astype(np.float32)))
    assert out.dtype == np.float32 and bn.running_var.dtype == np.float32
    bn.reset_running_stats()
    assert np.all(bn.running_mean == 0) and bn.num_batches_tracked == 0
    assert list(nn.BatchNorm1d(2, affine=False, track_running_stats=False).state_dict()) == []


def test_batchnorm_normalizes_each_channel_in_training():
    x = np.random.default_rng(0).normal(5.0, 3.0, (64, 2, 4, 4))
    out = nn.BatchNorm2d(2).double()(ln.tensor(x)).data
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=(0, 2, 3)), 1, rtol=1e-4)


@pytest.mark.parametrize("make,shape,match", [
    (lambda: nn.BatchNorm2d(3), (1, 3, 1, 1),
     r"Expected more than 1 value per channel when training, got input size \(1, 3, 1, 1\)"),
    (lambda: nn.BatchNorm1d(3), (1, 3),
     r"Expected more than 1 value per channel when training"),
    (lambda: nn.BatchNorm2d(3), (2, 4, 5, 5), r"BatchNorm2d\(3\) expects 3 channels.*\(2, 4, 5, 5\)"),
    (lambda: nn.BatchNorm2d(3), (2, 3), r"BatchNorm2d\(3\) expects input of shape \(N, C, H, W\)"),
    (lambda: nn.BatchNorm1d(3), (2, 3, 4, 4), r"BatchNorm1d\(3\).*\(N, C\) or \(N, C, L\)"),
    (lambda: nn.LayerNorm(4), (2, 5), r"LayerNorm\(normalized_shape=\(4,\)\).*\(\*, 4\), got \(2, 5\)"),
    (lambda: nn.GroupNorm(2, 4), (2, 6, 3), r"GroupNorm\(2, 4\) expects input of shape \(N, 4, \*\)"),
    (lambda: nn.InstanceNorm2d(2), (2, 2, 1, 1), r"Expected more than 1 spatial element"),
    (lambda: nn.InstanceNorm1d(2), (2, 3, 5), r"InstanceNorm1d\(2\) expects 2 channels"),
])
def test_bad_input_raises(make, shape, match):
    with pytest.raises(ValueError, match=match):
        make()(ln.tensor(np.ones(shape, dtype=np.float32)))


def test_batch_of_one_is_fine_in_eval_and_bad_hyperparameters_raise():
    bn = nn.BatchNorm2d(3).eval()
    assert bn(ln.tensor(np.ones((1, 3, 1, 1), dtype=np.float32))).shape == (1, 3, 1, 1)
    with pytest.raises(ValueError, match=r"num_channels=6 must be divisible by num_groups=4"):
        nn.GroupNorm(4, 6)
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\] or None, got 1.5"):
        nn.BatchNorm1d(3, momentum=1.5)
    with pytest.raises(ValueError, match=r"eps must be > 0"):
        nn.LayerNorm(3, eps=0)
    with pytest.raises(ValueError, match=r"num_features must be a positive integer, got 0"):
        nn.BatchNorm2d(0)
