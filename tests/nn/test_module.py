"""Module, Linear, Sequential, state dicts and initializers (SPEC B1, B4, G1, G2)."""

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn
from lucidnet.nn import init
from tests.helpers import check_gradient


def test_linear_gradcheck_and_shape_error():
    ln.set_default_dtype(np.float64)
    layer = nn.Linear(3, 2)
    check_gradient([(4, 3)], lambda x: layer(x))
    assert ln.gradcheck(lambda x, w, b: nn.functional.linear(x, w, b),
                        [ln.tensor(np.random.randn(4, 3), requires_grad=True), layer.weight, layer.bias])
    with pytest.raises(ValueError, match=r"Linear\(in_features=3.*got \(4, 5\)"):
        layer(ln.tensor(np.zeros((4, 5))))


def test_linear_matches_torch_and_loads_torch_state_dict():
    torch = pytest.importorskip("torch")
    tmodel = torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.ReLU(), torch.nn.Linear(4, 3)).double()
    model = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3)).double()
    model.load_state_dict({k: v.detach().numpy() for k, v in tmodel.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((6, 5))
    tx = torch.tensor(x, requires_grad=True)
    ox = ln.tensor(x, requires_grad=True)
    tout, out = tmodel(tx), model(ox)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-12)
    tout.square().sum().backward()
    (out * out).sum().backward()
    np.testing.assert_allclose(ox.grad, tx.grad.numpy(), rtol=1e-10)
    for (name, p), (tname, tp) in zip(model.named_parameters(), tmodel.named_parameters()):
        assert name == tname
        np.testing.assert_allclose(p.grad, tp.grad.numpy(), rtol=1e-10)


def test_default_init_bounds_match_pytorch_rule():
    layer = nn.Linear(400, 50)
    bound = 1 / np.sqrt(400)
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.bias.data).max() <= bound
    assert layer.weight.data.std() == pytest.approx(bound / np.sqrt(3), rel=0.05)
    assert layer.weight.dtype == np.float32


def test_state_dict_round_trip_and_errors():
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    state = model.state_dict()
    assert list(state) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    other = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    other.load_state_dict(state)
    for a, b in zip(model.parameters(), other.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
    wrong = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2))
    with pytest.raises(ValueError, match=r"0.weight: checkpoint \(4, 3\), model \(5, 3\)"):
        wrong.load_state_dict(state)
    with pytest.raises(ValueError, match="missing keys: 2.bias"):
        other.load_state_dict({k: v for k, v in state.items() if k != "2.bias"})


def test_module_traversal_modes_and_repr():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(list(model.parameters())) == 4 and model.num_parameters() == 2 * 3 + 3 + 3 + 1
    model.eval()
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    assert "(0): Linear(in_features=2, out_features=3, bias=True)" in repr(model)
    with pytest.raises(ValueError, match=r"layer 0 \(Linear\).*expects input of shape \(batch, 2\), got \(1, 5\)"):
        model(ln.tensor(np.zeros((1, 5))))
    bad_tail = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(4, 1))
    with pytest.raises(ValueError, match=r"layer 2 \(Linear\)"):
        bad_tail(ln.tensor(np.zeros((1, 2), dtype=np.float32)))


INIT_STD = [
    ("normal", lambda w: init.normal_(w), lambda fi, fo: 1.0),
    ("small_normal", lambda w: init.small_normal_(w), lambda fi, fo: 0.01),
    ("lecun_normal", lambda w: init.lecun_normal_(w), lambda fi, fo: np.sqrt(1 / fi)),
    ("lecun_uniform", lambda w: init.lecun_uniform_(w), lambda fi, fo: np.sqrt(1 / fi)),
    ("xavier_normal", lambda w: init.xavier_normal_(w), lambda fi, fo: np.sqrt(2 / (fi + fo))),
    ("xavier_uniform", lambda w: init.xavier_uniform_(w), lambda fi, fo: np.sqrt(2 / (fi + fo))),
    ("he_normal", lambda w: init.he_normal_(w), lambda fi, fo: np.sqrt(2 / fi)),
    ("he_uniform", lambda w: init.he_uniform_(w), lambda fi, fo: np.sqrt(2 / fi)),
]


@pytest.mark.parametrize("name,fn,expected", INIT_STD, ids=[i[0] for i in INIT_STD])
@pytest.mark.parametrize("shape", [(300, 200), (64, 16, 3, 3)])
def test_initializer_variance(name, fn, expected, shape):
    w = nn.Parameter(np.zeros(shape, dtype=np.float64))
    fn(w)
    fan_in, fan_out = init.compute_fans(shape)
    if len(shape) == 4:
        assert fan_in == 16 * 9  # conv fan-in = F^2 * C (SPEC G2)
    assert w.data.mean() == pytest.approx(0, abs=0.05 * expected(fan_in, fan_out) + 1e-4)
    assert w.data.std() == pytest.approx(expected(fan_in, fan_out), rel=0.05)


def test_init_matches_torch_formulas():
    torch = pytest.importorskip("torch")
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(torch.nn.init.calculate_gain("leaky_relu", 0.2))
    for nl in ("relu", "tanh", "sigmoid", "linear"):
        assert init.calculate_gain(nl) == pytest.approx(torch.nn.init.calculate_gain(nl))
    with pytest.raises(ValueError, match="unknown nonlinearity"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="valid names"):
        init.get_initializer("glorious")


def test_zeros_init_keeps_units_symmetric():
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    for p in model.parameters():
        init.zeros_(p)
    x = ln.tensor(np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32))
    nn.functional.mse_loss(model(x), np.ones((5, 1))).backward()
    g = model[0].weight.grad
    assert np.allclose(g, g[0])  # every hidden unit gets the same gradient


def test_dtype_rules():
    x = ln.tensor([1.0, 2.0])
    assert x.dtype == np.float32
    assert (x * 2.5).dtype == np.float32 and (x + np.float64(1)).dtype == np.float32
    ln.set_default_dtype(np.float64)
    assert ln.tensor([1.0]).dtype == np.float64 and nn.Linear(2, 2).weight.dtype == np.float64
    with pytest.raises(ValueError):
        ln.set_default_dtype(np.int32)
    with pytest.raises(TypeError, match="floating-point"):
        ln.tensor([1, 2], requires_grad=True)


def test_no_grad_builds_no_graph():
    w = ln.tensor([1.0], requires_grad=True)
    with ln.no_grad():
        y = w * 2
    assert not y.requires_grad
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()
