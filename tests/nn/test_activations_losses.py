"""Activations (SPEC C1, C2) and losses (SPEC D1-D5): gradient checks and PyTorch agreement."""

import numpy as np
import pytest

import lucidnet as ln
import lucidnet.nn.functional as F
from tests.helpers import check_against_torch, check_gradient

ACTS = [
    ("sigmoid", F.sigmoid, "sigmoid"),
    ("tanh", F.tanh, "tanh"),
    ("relu", F.relu, "relu"),
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.1), lambda x: __import__("torch").nn.functional.leaky_relu(x, 0.1)),
    ("softmax", lambda x: F.softmax(x, dim=1), lambda x: x.softmax(dim=1)),
    ("log_softmax", lambda x: F.log_softmax(x, dim=-1), lambda x: x.log_softmax(dim=-1)),
]


@pytest.mark.parametrize("name,ours,theirs", ACTS, ids=[a[0] for a in ACTS])
def test_activation(name, ours, theirs):
    fn = (lambda x: getattr(x, theirs)()) if isinstance(theirs, str) else theirs
    check_gradient([(4, 5)], ours, low=-3, high=3)
    check_against_torch([(4, 5)], ours, fn, low=-30, high=30)


def test_step_has_zero_gradient():
    x = ln.tensor(np.array([-1.0, 0.0, 2.0]), requires_grad=True)
    y = F.step(x)
    np.testing.assert_array_equal(y.data, [0, 1, 1])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, 0)


def test_derivative_identities():
    """SPEC C2: sigma' = sigma(1-sigma), tanh = 2 sigma(2x) - 1, tanh' = 1 - tanh^2."""
    xs = np.linspace(-6, 6, 101)
    x = ln.tensor(xs, requires_grad=True)
    s = F.sigmoid(x)
    s.sum().backward()
    np.testing.assert_allclose(x.grad, s.data * (1 - s.data), rtol=1e-12)
    np.testing.assert_allclose(np.tanh(xs), 2 * F.sigmoid(ln.tensor(2 * xs)).data - 1, atol=1e-12)
    x2 = ln.tensor(xs, requires_grad=True)
    F.tanh(x2).sum().backward()
    np.testing.assert_allclose(x2.grad, 1 - np.tanh(xs) ** 2, rtol=1e-12)


def test_sigmoid_extremes_are_stable():
    x = ln.tensor(np.array([-1000.0, -10.0, 10.0, 1000.0]))
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = F.sigmoid(x).data
    assert y[0] == 0.0 and y[-1] == 1.0
    assert y[2] == pytest.approx(0.9999546021312976) and y[1] == pytest.approx(4.5397868702434395e-05)


def _torch():
    return pytest.importorskip("torch")


REGRESSION = [
    ("mse", F.mse_loss, "mse_loss", {}),
    ("l1", F.l1_loss, "l1_loss", {}),
    ("huber", lambda a, b, reduction: F.huber_loss(a, b, reduction, delta=0.7),
     lambda a, b, reduction: _torch().nn.functional.huber_loss(a, b, reduction=reduction, delta=0.7), {}),
]


@pytest.mark.parametrize("name,ours,theirs,kw", REGRESSION, ids=[r[0] for r in REGRESSION])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_regression_losses(name, ours, theirs, kw, reduction):
    rng = np.random.default_rng(1)
    target = rng.uniform(-2, 2, (6, 3))
    t_fn = (lambda a: getattr(_torch().nn.functional, theirs)(a, _torch().tensor(target), reduction=reduction)) \
        if isinstance(theirs, str) else (lambda a: theirs(a, _torch().tensor(target), reduction))
    check_gradient([(6, 3)], lambda a: ours(a, target, reduction))
    check_against_torch([(6, 3)], lambda a: ours(a, target, reduction), t_fn)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_and_bce_with_logits(reduction):
    torch = _torch()
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, (8, 1)).astype(np.float64)
    check_gradient([(8, 1)], lambda p: F.binary_cross_entropy(p, y, reduction), low=0.05, high=0.95)
    check_against_torch([(8, 1)], lambda p: F.binary_cross_entropy(p, y, reduction),
                        lambda p: torch.nn.functional.binary_cross_entropy(p, torch.tensor(y), reduction=reduction),
                        low=0.05, high=0.95)
    check_gradient([(8, 1)], lambda x: F.binary_cross_entropy_with_logits(x, y, reduction), low=-5, high=5)
    check_against_torch([(8, 1)], lambda x: F.binary_cross_entropy_with_logits(x, y, reduction),
                        lambda x: torch.nn.functional.binary_cross_entropy_with_logits(x, torch.tensor(y), reduction=reduction),
                        low=-50, high=50)
    pw = np.array([2.5])
    check_against_torch([(8, 1)], lambda x: F.binary_cross_entropy_with_logits(x, y, reduction, pos_weight=pw),
                        lambda x: torch.nn.functional.binary_cross_entropy_with_logits(
                            x, torch.tensor(y), reduction=reduction, pos_weight=torch.tensor(pw)))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("options", [{}, {"label_smoothing": 0.1}, {"weight": np.array([1.0, 2.0, 0.5, 1.5])}])
def test_cross_entropy_sparse_and_probabilities(reduction, options):
    torch = _torch()
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 4, 7)
    probs = rng.dirichlet(np.ones(4), 7)
    t_opts = {k: (torch.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in options.items()}
    for target, t_target in ((labels, torch.tensor(labels)), (probs, torch.tensor(probs))):
        def ours(x, target=target):
            return F.cross_entropy(x, target, reduction, **options)

        def theirs(x, t_target=t_target):
            return torch.nn.functional.cross_entropy(x, t_target, reduction=reduction, **t_opts)
        check_gradient([(7, 4)], ours, low=-3, high=3)
        check_against_torch([(7, 4)], ours, theirs, low=-40, high=40)


def test_cross_entropy_spatial_and_nll():
    torch = _torch()
    rng = np.random.default_rng(4)
    labels = rng.integers(0, 3, (2, 4, 5))
    check_against_torch([(2, 3, 4, 5)], lambda x: F.cross_entropy(x, labels),
                        lambda x: torch.nn.functional.cross_entropy(x, torch.tensor(labels)))
    lab = rng.integers(0, 3, 6)
    check_against_torch([(6, 3)], lambda x: F.nll_loss(F.log_softmax(x, 1), lab),
                        lambda x: torch.nn.functional.nll_loss(x.log_softmax(1), torch.tensor(lab)))


@pytest.mark.parametrize("reduction", ["batchmean", "sum", "mean", "none"])
def test_kl_div(reduction):
    torch = _torch()
    rng = np.random.default_rng(5)
    p = rng.dirichlet(np.ones(5), 4)
    p[0, 0] = 0.0
    p[0] /= p[0].sum()
    ours = lambda x: F.kl_div(F.log_softmax(x, 1), p, reduction)  # noqa: E731
    theirs = lambda x: torch.nn.functional.kl_div(x.log_softmax(1), torch.tensor(p), reduction=reduction)  # noqa: E731
    check_gradient([(4, 5)], ours)
    check_against_torch([(4, 5)], ours, theirs)


def test_sigmoid_ce_delta_has_no_sigma_prime():
    """SPEC D5: with a sigmoid output, CE gives dL/dz = a - y; MSE keeps the sigma' factor."""
    z = ln.tensor(np.array([[4.0], [-3.0]]), requires_grad=True)
    y = np.array([[0.0], [1.0]])
    F.binary_cross_entropy_with_logits(z, y, reduction="sum").backward()
    a = 1 / (1 + np.exp(-z.data))
    np.testing.assert_allclose(z.grad, a - y, rtol=1e-12)
    z2 = ln.tensor(z.data.copy(), requires_grad=True)
    F.mse_loss(F.sigmoid(z2), y, reduction="sum").backward()
    np.testing.assert_allclose(z2.grad, 2 * (a - y) * a * (1 - a), rtol=1e-12)


def test_information_theory():
    p = np.array([0.5, 0.25, 0.25, 0.0])
    q = np.array([0.25, 0.25, 0.25, 0.25])
    assert ln.entropy(p) == pytest.approx(1.5 * np.log(2))
    assert ln.entropy(p, base=2) == pytest.approx(1.5)
    assert ln.kl_divergence(p, q) == pytest.approx(ln.cross_entropy(p, q) - ln.entropy(p))
    assert ln.kl_divergence(p, p) == pytest.approx(0.0)
    assert np.isinf(ln.cross_entropy(q, p))
    with pytest.raises(ValueError, match="sum to 1"):
        ln.entropy([0.5, 0.2])


def test_loss_bad_input_messages():
    x = ln.tensor(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"labels must be in \[0, 2\]"):
        F.cross_entropy(x, np.array([0, 1, 3, 2]))
    with pytest.raises(ValueError, match="must be integers"):
        F.cross_entropy(x, np.array([0.5, 1, 2, 0]))
    with pytest.raises(ValueError, match=r"target shape \(5,\)"):
        F.cross_entropy(x, np.array([0, 1, 2, 0, 1]))
    with pytest.warns(UserWarning, match="Using a target size"):  # PyTorch warns, broadcasts
        F.mse_loss(x, np.zeros((4, 1)))
    with pytest.raises(ValueError, match="probabilities in"):
        F.binary_cross_entropy(ln.tensor(np.array([1.5])), np.array([1.0]))
    with pytest.raises(ValueError, match="reduction must be one of"):
        ln.nn.MSELoss(reduction="avg")


def test_functional_namespace_has_the_layer_forms():
    """PyTorch users write F.conv2d / F.max_pool2d / F.batch_norm / F.dropout."""
    x = ln.tensor(np.random.default_rng(0).standard_normal((2, 1, 6, 6)))
    w = ln.tensor(np.random.default_rng(1).standard_normal((3, 1, 3, 3)))
    y = F.max_pool2d(F.relu(F.conv2d(x, w, padding=1)), 2)
    assert y.shape == (2, 3, 3, 3)
    np.testing.assert_array_equal(F.dropout(x, 0.5, training=False).data, x.data)
    for name in ("conv1d", "avg_pool2d", "adaptive_avg_pool2d", "layer_norm", "group_norm",
                 "batch_norm", "dropout2d"):
        assert callable(getattr(F, name)) and name in F.__all__
