"""L1 / L2 / Elastic-Net penalties and the ridge closed form (SPEC I1, I6)."""

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn, optim
from lucidnet.nn.normalization import BatchNorm1d
from lucidnet.regularization import L1, L2, ElasticNet, Penalty, _PenaltyFn, ridge_closed_form
from lucidnet.train import Trainer


def _net():
    return nn.Sequential(nn.Linear(4, 6), BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 2))


def test_default_selection_is_weights_only():
    names = [n for n, _ in L2(1.0).parameters(_net())]
    assert names == ["0.weight", "3.weight"]  # no biases, no BatchNorm scale (1-D "1.weight")


def test_penalty_values_and_gradients_follow_the_stated_convention():
    model = _net().double()
    w0, w3 = model[0].weight.data, model[3].weight.data
    lam = 0.3
    for pen, value, grad in [
        (L2(lam), lam / 2 * ((w0 ** 2).sum() + (w3 ** 2).sum()), lambda w: lam * w),
        (L1(lam), lam * (np.abs(w0).sum() + np.abs(w3).sum()), lambda w: lam * np.sign(w)),
        (ElasticNet(lam, l1_ratio=0.25),
         lam * 0.25 * (np.abs(w0).sum() + np.abs(w3).sum())
         + lam * 0.75 / 2 * ((w0 ** 2).sum() + (w3 ** 2).sum()),
         lambda w: lam * 0.25 * np.sign(w) + lam * 0.75 * w),
    ]:
        model.zero_grad()
        out = pen(model)
        np.testing.assert_allclose(float(out.data), value, rtol=1e-12)
        out.backward()
        np.testing.assert_allclose(model[0].weight.grad, grad(w0), rtol=1e-12)
        np.testing.assert_allclose(model[3].weight.grad, grad(w3), rtol=1e-12)
        assert model[0].bias.grad is None and model[1].weight.grad is None


def test_penalty_gradcheck_float64():
    rng = np.random.default_rng(1)
    w = rng.uniform(0.2, 1.0, (3, 4)) * rng.choice([-1, 1], (3, 4))  # away from the kink at 0
    v = rng.uniform(-1, 1, (5,))
    pen = ElasticNet(0.7, l1_ratio=0.4)
    inputs = [ln.tensor(w, requires_grad=True), ln.tensor(v, requires_grad=True)]
    assert ln.gradcheck(lambda a, b: _PenaltyFn.apply(a, b, l1=pen.l1, l2=pen.l2), inputs)


def test_l2_penalty_equals_sgd_weight_decay():
    """SGD(weight_decay=lam) and SGD + L2(lam) on all parameters give identical weights."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 4))
    y = rng.integers(0, 2, 64)
    finals = []
    for use_penalty in (False, True):
        ln.manual_seed(7)
        model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2)).double()
        opt = optim.SGD(model.parameters(), lr=0.1, weight_decay=0.0 if use_penalty else 0.05)
        pen = L2(0.05, include=lambda n, p: True) if use_penalty else None
        Trainer(model, "cross_entropy", opt, penalty=pen, verbose=0).fit(
            X, y, epochs=3, batch_size=16, seed=1)
        finals.append(model.state_dict())
    for k in finals[0]:
        np.testing.assert_allclose(finals[0][k], finals[1][k], rtol=1e-10, atol=1e-12)


def test_l1_gives_sparser_weights_than_l2():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 20))
    true_w = np.zeros(20)
    true_w[:3] = [2.0, -3.0, 1.5]
    y = X @ true_w + 0.5 * rng.standard_normal(100)
    weights = {}
    for name, pen in (("l1", L1(0.1)), ("l2", L2(0.2))):
        ln.manual_seed(0)
        model = nn.Linear(20, 1).double()
        Trainer(model, "mse", optim.SGD(model.parameters(), lr=0.02), penalty=pen, verbose=0).fit(
            X, y, epochs=60, batch_size=20, seed=0)
        weights[name] = model.weight.data.ravel()
    near_zero = {k: np.mean(np.abs(w) < 0.05) for k, w in weights.items()}
    assert near_zero["l1"] >= 0.8 and near_zero["l2"] <= 0.4, near_zero
    irrelevant = {k: np.abs(w[3:]).mean() for k, w in weights.items()}
    assert irrelevant["l1"] < 0.3 * irrelevant["l2"], irrelevant
    # both keep the true signal
    for w in weights.values():
        assert np.all(np.abs(w[:3]) > 1.0)


def test_ridge_closed_form_matches_trained_l2_linear_model():
    """SPEC I6: GD on mean squared error + L2(s) converges to ridge with lam = N s / 2."""
    rng = np.random.default_rng(3)
    n, d, s = 80, 5, 0.2
    X = rng.standard_normal((n, d))
    y = X @ rng.standard_normal(d) + 0.5 + 0.3 * rng.standard_normal(n)
    model = nn.Linear(d, 1).double()
    Trainer(model, "mse", optim.SGD(model.parameters(), lr=0.2), penalty=L2(s), verbose=0).fit(
        X, y, epochs=400, batch_size=n, shuffle=False)
    theta, intercept = ridge_closed_form(X, y, lam=n * s / 2, fit_intercept=True)
    np.testing.assert_allclose(model.weight.data.ravel(), theta, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(model.bias.data[0], intercept, rtol=1e-6, atol=1e-8)
    # and without intercept against sklearn's Ridge
    sk = pytest.importorskip("sklearn.linear_model")
    ref = sk.Ridge(alpha=1.5, fit_intercept=False).fit(X, y).coef_
    np.testing.assert_allclose(ridge_closed_form(X, y, 1.5), ref, rtol=1e-10)


def test_include_by_names_and_zero_strength():
    model = _net()
    pen = L2(1.0, include=["0.bias"])
    assert [n for n, _ in pen.parameters(model)] == ["0.bias"]
    assert pen.value(model) == pytest.approx(0.5 * float((model[0].bias.data ** 2).sum()), rel=1e-6)
    assert L1(0.0).value(model) == 0.0


@pytest.mark.parametrize("make,match", [
    (lambda: L2(-1.0), "strength must be a finite number >= 0, got -1.0"),
    (lambda: L1(float("nan")), "strength"),
    (lambda: ElasticNet(0.1, l1_ratio=1.5), "l1_ratio must be in \\[0, 1\\], got 1.5"),
    (lambda: L2(1.0, include=["nope"])(_net()), "no parameter named \\['nope'\\]; the model has: 0.weight"),
    (lambda: ridge_closed_form(np.ones(3), np.ones(3), 1.0), "X must be 2-D"),
])
def test_bad_input_raises_clear_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_type_errors():
    with pytest.raises(TypeError, match="strength must be a real number, got 'a'"):
        L2("a")
    with pytest.raises(TypeError, match="expects a lucidnet Module"):
        Penalty(l2=1.0)(np.ones(3))
