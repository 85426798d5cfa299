"""BatchNorm on an empty batch (N = 0), as PyTorch: an empty output, zero weight/bias gradients,
running statistics untouched (num_batches_tracked still counts), in training and eval mode.
An empty shard is what a rank gets from a global batch smaller than the number of ranks."""

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn
from lucidnet.utils.data import DistributedSampler


@pytest.mark.parametrize("cls, shape", [(nn.BatchNorm1d, (0, 3)), (nn.BatchNorm1d, (0, 3, 5)),
                                        (nn.BatchNorm2d, (0, 3, 4, 4)),
                                        (nn.BatchNorm3d, (0, 3, 2, 2, 2))])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("track", [True, False])
def test_empty_batch(cls, shape, training, track):
    bn = cls(3, track_running_stats=track).double()
    bn.train(training)
    if track:
        bn.running_mean[...] = [0.5, -1.0, 2.0]
        before = (bn.running_mean.copy(), bn.running_var.copy())
    x = ln.randn(*shape, dtype=ln.float64, requires_grad=True)
    y = bn(x)
    assert tuple(y.shape) == shape and y.dtype == np.float64
    y.sum().backward()
    assert tuple(x.grad.shape) == shape
    np.testing.assert_array_equal(bn.weight.grad.numpy(), np.zeros(3))
    np.testing.assert_array_equal(bn.bias.grad.numpy(), np.zeros(3))
    if track:
        np.testing.assert_array_equal(bn.running_mean, before[0])
        np.testing.assert_array_equal(bn.running_var, before[1])
        assert int(bn.num_batches_tracked) == (1 if training else 0)


def test_empty_batch_matches_pytorch():
    torch = pytest.importorskip("torch")
    ours, theirs = nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3)
    y = ours(ln.zeros(0, 3, 4, 4))
    z = theirs(torch.zeros(0, 3, 4, 4))
    assert tuple(y.shape) == tuple(z.shape)
    np.testing.assert_array_equal(ours.running_mean, theirs.running_mean.numpy())
    np.testing.assert_array_equal(ours.running_var, theirs.running_var.numpy())
    assert int(ours.num_batches_tracked) == int(theirs.num_batches_tracked)


def test_a_single_value_per_channel_is_still_refused_in_training():
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        nn.BatchNorm1d(3)(ln.randn(1, 3))


def test_distributed_sampler_at_torch_import_path():
    from lucidnet.utils.data.distributed import DistributedSampler as at_torch_path

    assert at_torch_path is DistributedSampler
    sampler = DistributedSampler(range(7), num_replicas=3, rank=2, shuffle=False)
    assert list(sampler) == [2, 5, 1]  # padded by repeating the first indices, as torch


def test_batchnorm3d_gradcheck_shape_check_and_sync_conversion():
    x = np.random.default_rng(0).standard_normal((4, 3, 2, 3, 2))
    bn = nn.BatchNorm3d(3).double()
    xt = ln.tensor(x, requires_grad=True)
    assert ln.autograd.gradcheck(lambda t: bn(t), (xt,))
    with pytest.raises(ValueError, match=r"\(N, C, D, H, W\)"):
        bn(ln.randn(4, 3, 2, 2, dtype=ln.float64))
    sync = nn.SyncBatchNorm.convert_sync_batchnorm(nn.Sequential(nn.BatchNorm3d(3)))
    assert type(sync[0]).__name__ == "SyncBatchNorm"


def test_batchnorm3d_matches_pytorch():
    x = np.random.default_rng(0).standard_normal((4, 3, 2, 3, 2))
    torch = pytest.importorskip("torch")
    ours, theirs = nn.BatchNorm3d(3).double(), torch.nn.BatchNorm3d(3).double()
    np.testing.assert_allclose(ours(ln.tensor(x)).numpy(), theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), rtol=1e-12)
