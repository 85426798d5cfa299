"""Inverted dropout (SPEC I2): scaling by 1/(1-p) in training only, identity in eval, channel
dropout, reproducible masks, gradients through the mask, and p validation."""

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn


def test_training_scales_kept_units_and_eval_is_identity():
    x = np.ones((200, 500), dtype=np.float32)
    layer = nn.Dropout(0.3)
    out = layer(ln.tensor(x)).data
    kept = out != 0
    assert out.dtype == np.float32
    np.testing.assert_allclose(out[kept], 1 / 0.7, rtol=1e-6)  # inverted scaling
    assert kept.mean() == pytest.approx(0.7, abs=0.01)
    assert out.mean() == pytest.approx(1.0, abs=0.01)          # expectation preserved
    layer.eval()
    np.testing.assert_array_equal(layer(ln.tensor(x)).data, x)  # no 1-p rescale at inference


def test_gradient_flows_through_the_same_mask_and_gradcheck():
    ln.set_default_dtype(np.float64)
    x = ln.tensor(np.random.default_rng(0).standard_normal((6, 7)), requires_grad=True)
    ln.manual_seed(3)
    out = nn.Dropout(0.5)(x)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, out.data / x.data)  # dL/dx = mask / (1 - p)

    def fixed_mask_dropout(t):
        ln.manual_seed(7)  # the same mask on every call, so finite differences are meaningful
        return nn.Dropout(0.4)(t)

    assert ln.gradcheck(fixed_mask_dropout, [x])


def test_masks_are_reproducible_with_manual_seed():
    x = ln.tensor(np.ones((4, 10), dtype=np.float32))
    ln.manual_seed(11)
    a = nn.Dropout(0.5)(x).data
    ln.manual_seed(11)
    b = nn.Dropout(0.5)(x).data
    np.testing.assert_array_equal(a, b)


def test_dropout2d_drops_whole_channels():
    x = np.ones((50, 40, 3, 3), dtype=np.float32)
    out = nn.Dropout2d(0.25)(ln.tensor(x)).data
    per_channel = out.reshape(50, 40, -1)
    assert np.all(per_channel.min(-1) == per_channel.max(-1))  # all-or-nothing per channel
    assert set(np.unique(out)) <= {0.0, np.float32(1 / 0.75)}
    assert (per_channel[..., 0] == 0).mean() == pytest.approx(0.25, abs=0.04)
    assert nn.Dropout1d(0.5)(ln.tensor(np.ones((2, 3, 4)))).shape == (2, 3, 4)
    with pytest.raises(ValueError, match=r"dropout2d expects input of shape \(N, C, H, W\)"):
        nn.Dropout2d(0.5)(ln.tensor(np.ones((4, 3))))


def test_p_zero_is_identity_and_values_match_torch():
    x = ln.tensor(np.arange(12.0).reshape(3, 4))
    assert nn.Dropout(0.0)(x) is x
    torch = pytest.importorskip("torch")
    theirs = torch.nn.functional.dropout(torch.ones(100_000, dtype=torch.float64), 0.2).numpy()
    ours = nn.Dropout(0.2)(ln.tensor(np.ones(100_000))).data
    np.testing.assert_allclose(np.unique(ours), np.unique(theirs), rtol=1e-12)  # {0, 1.25}
    assert (ours == 0).mean() == pytest.approx((theirs == 0).mean(), abs=0.01)


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5, "0.5", True])
def test_bad_p_raises(p):
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\)"):
        nn.Dropout(p)
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\)"):
        nn.Dropout2d(p)
