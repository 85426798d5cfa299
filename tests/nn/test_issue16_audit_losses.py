"""Issue 16 audit: loss inputs that used to give a silently wrong answer now raise."""

import numpy as np
import pytest

import lucidnet as ln
import lucidnet.nn.functional as F
from lucidnet import nn


def test_target_that_requires_grad_gets_its_gradient_as_in_pytorch():
    """Issue 16 refused such a target (it silently got no gradient); issue 10 gives it the
    gradient where PyTorch's loss has one, and refuses it where PyTorch does."""
    for loss in (nn.MSELoss(), nn.L1Loss(), nn.HuberLoss(), nn.KLDivLoss(),
                 nn.BCEWithLogitsLoss()):
        x = ln.Tensor(np.full((2, 3), 0.5, np.float32), requires_grad=True)
        y = ln.Tensor(np.full((2, 3), 0.25, np.float32), requires_grad=True)
        loss(x, y).backward()
        assert y.grad is not None and np.all(np.isfinite(y.grad.data)), type(loss).__name__
        assert np.any(y.grad.data != 0), type(loss).__name__
    x = ln.Tensor(np.ones((2, 3), np.float32), requires_grad=True)
    y = ln.Tensor(np.zeros((2, 3), np.float32), requires_grad=True)
    with pytest.raises(RuntimeError, match="not differentiable with respect to argument 'target'"):
        F.soft_margin_loss(x, y)
    F.mse_loss(x, y.detach()).backward()          # a detached target gets nothing
    with ln.no_grad():
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


def _manual_ce(x, y, w, eps, ignore):
    """PyTorch's formula: per-row weighted, smoothed CE; mean over the kept rows' weights."""
    logp = x - np.log(np.exp(x).sum(axis=1, keepdims=True))
    c = x.shape[1]
    rows, denom = [], 0.0
    for lp, t in zip(logp, y):
        if t == ignore:
            rows.append(0.0)
            continue
        rows.append(-(1 - eps) * w[t] * lp[t] - eps / c * (w * lp).sum())
        denom += w[t]
    return np.array(rows), denom


@pytest.mark.parametrize("ignore", [-100, 1])
def test_cross_entropy_ignore_index_with_weight_and_label_smoothing(ignore):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 3))
    y = np.array([0, ignore, 2, 1, ignore, 2])
    w = np.array([1.0, 2.0, 0.5])
    rows, denom = _manual_ce(x, y, w, 0.2, ignore)
    loss = nn.CrossEntropyLoss(weight=w, label_smoothing=0.2, ignore_index=ignore)
    assert float(loss(x, y).data) == pytest.approx(rows.sum() / denom, rel=1e-12)
    none = F.cross_entropy(x, y, "none", w, 0.2, ignore_index=ignore).data
    np.testing.assert_allclose(none, rows, rtol=1e-12)
    xt = ln.Tensor(x, requires_grad=True)
    loss(xt, y).backward()
    assert not xt.grad[y == ignore].any()                       # ignored rows get no gradient
    h, num = 1e-6, np.zeros_like(x)                             # float64 central differences
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = h
        num[idx] = (float(loss(x + e, y).data) - float(loss(x - e, y).data)) / (2 * h)
    np.testing.assert_allclose(xt.grad, num, atol=1e-8)


def test_nll_ignore_index_and_three_dim_input():
    rng = np.random.default_rng(1)
    logp = np.log(rng.dirichlet(np.ones(3), size=(2, 4)).transpose(0, 2, 1))   # (N, C, d)
    y = np.array([[0, -100, 2, 1], [2, 2, -100, 0]])
    kept = [-logp[n, y[n, d], d] for n in range(2) for d in range(4) if y[n, d] != -100]
    assert float(nn.NLLLoss()(logp, y).data) == pytest.approx(np.mean(kept), rel=1e-12)
    none = F.nll_loss(logp, y, "none").data
    assert none.shape == (2, 4) and none[0, 1] == 0 and none[1, 2] == 0
    xt = ln.Tensor(logp, requires_grad=True)
    F.nll_loss(xt, y).backward()
    assert xt.grad[0, 0, 0] == pytest.approx(-1 / 6) and not xt.grad[0, :, 1].any()


@pytest.mark.parametrize("fn", [F.cross_entropy, F.nll_loss])
def test_every_label_ignored_gives_nan_mean_and_zero_gradient(fn):
    x = ln.Tensor(np.zeros((3, 2)), requires_grad=True)
    y = np.full(3, -100)
    loss = fn(x, y)
    assert np.isnan(loss.data)
    loss.backward()
    np.testing.assert_array_equal(x.grad, 0)
    assert float(fn(np.zeros((3, 2)), y, "sum").data) == 0.0


def test_labels_outside_the_classes_still_raise_and_name_ignore_index():
    with pytest.raises(ValueError, match=r"labels must be in \[0, 2\].*ignore_index=-100"):
        F.cross_entropy(np.zeros((2, 3)), np.array([0, -5]))
    with pytest.raises(TypeError, match="ignore_index must be an integer"):
        nn.CrossEntropyLoss(ignore_index=1.5)


def test_kl_div_log_target_must_be_a_bool():
    logq = np.log(np.array([[0.25, 0.75]]))
    p = np.array([[0.5, 0.5]])
    with pytest.raises(TypeError, match="log_target must be True or False, got 'False'"):
        nn.KLDivLoss(reduction="batchmean", log_target="False")(logq, p)  # used to exp(p)
    expected = (p * (np.log(p) - logq)).sum()
    assert float(nn.KLDivLoss(reduction="batchmean")(logq, p).data) == pytest.approx(expected)
    assert float(F.kl_div(logq, np.log(p), "batchmean", np.bool_(True)).data) == pytest.approx(
        expected)
