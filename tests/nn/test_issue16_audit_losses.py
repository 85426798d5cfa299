"""Issue 16 audit: loss inputs that used to give a silently wrong answer now raise."""

import numpy as np
import pytest

import lucidnet as ln
import lucidnet.nn.functional as F
from lucidnet import nn


def test_target_that_requires_grad_is_refused_instead_of_getting_no_gradient():
    x = ln.Tensor(np.ones((2, 3), np.float32), requires_grad=True)
    y = ln.Tensor(np.zeros((2, 3), np.float32), requires_grad=True)
    for loss in (nn.MSELoss(), nn.L1Loss(), nn.HuberLoss(), nn.KLDivLoss(),
                 nn.BCEWithLogitsLoss()):
        with pytest.raises(ValueError, match="target requires grad.*target.detach()"):
            loss(x, y)
    with pytest.raises(ValueError, match="target requires grad"):
        F.cross_entropy(x, y)
    F.mse_loss(x, y.detach()).backward()          # the documented way works
    with ln.no_grad():                           # no gradient is asked for: allowed
        assert float(F.mse_loss(x, y).data) == 1.0


@pytest.mark.parametrize("shape", [(4,), (4, 1, 3), (2, 3)])
def test_pos_weight_that_does_not_broadcast_to_the_input_is_refused(shape):
    x = np.zeros((4, 3), np.float32)
    y = np.ones((4, 3), np.float32)
    with pytest.raises(ValueError, match=r"pos_weight of shape .* does not broadcast.*\(4, 3\)"):
        # (4, 1, 3) used to return a (4, 4, 3) loss with reduction='none'
        F.binary_cross_entropy_with_logits(x, y, "none", np.ones(shape, np.float32))


@pytest.mark.parametrize("shape", [(3,), (1, 3), (4, 3), ()])
def test_pos_weight_that_broadcasts_matches_the_formula(shape):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3))
    y = (rng.random((4, 3)) > 0.5).astype(np.float64)
    pw = np.full(shape, 2.5)
    loss = F.binary_cross_entropy_with_logits(x, y, "none", pw).data
    s = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(loss, -(pw * y * np.log(s) + (1 - y) * np.log(1 - s)), rtol=1e-10)
    assert loss.shape == (4, 3)
