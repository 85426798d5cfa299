"""Issue 10: ASGD, and the trajectories of Adadelta, Rprop, ASGD, RAdam and LBFGS equal to
torch.optim's over 200 steps in float64 (rtol 1e-10) on two non-convex problems: a
4-dimensional Rosenbrock function and a tiny tanh MLP with identical initial weights."""

from __future__ import annotations

import inspect
import json
import math

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import optim
from lucidnet.nn import Parameter
from tests.optim.helpers import (
    TinyNet,
    ln_loss_fn,
    make_data,
    make_weights,
    torch_loss_fn,
    torch_model,
)

torch = pytest.importorskip("torch")

RTOL, ATOL = 1e-10, 1e-13
X0 = np.array([-1.2, 1.0, -0.5, 0.8])


@pytest.fixture
def torch_float64():
    # torch keeps scalar state (step, ASGD's eta and mu) in its default dtype
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


def rosenbrock(x):
    """sum 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2: the same expression for lucidnet and torch."""
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


# (name, kwargs, lr on Rosenbrock, lr on the MLP)
CASES = [
    ("Adadelta", {}, 1.0, 1.0),
    ("Adadelta", {"rho": 0.8, "eps": 1e-5, "weight_decay": 0.01}, 0.2, 0.5),
    ("Adadelta", {"maximize": True, "weight_decay": 0.05}, 0.7, 0.7),
    ("Rprop", {}, 1e-2, 1e-2),
    ("Rprop", {"etas": (0.3, 1.5), "step_sizes": (1e-4, 0.05), "maximize": True}, 2e-3, 2e-3),
    ("Rprop", {"etas": (0.6, 1.1), "step_sizes": (0.0, 1.0)}, 5e-2, 5e-2),
    ("ASGD", {}, 5e-4, 0.05),
    ("ASGD", {"lambd": 1e-3, "alpha": 0.6, "t0": 50, "weight_decay": 0.01}, 5e-4, 0.05),
    ("ASGD", {"t0": 0, "lambd": 0.05, "maximize": True}, 3e-4, 0.1),
    ("RAdam", {}, 5e-4, 1e-2),
    ("RAdam", {"betas": (0.8, 0.9), "weight_decay": 0.01, "maximize": True}, 5e-4, 1e-2),
    ("RAdam", {"weight_decay": 0.1, "decoupled_weight_decay": True}, 5e-4, 2e-2),
    ("RAdam", {"betas": (0.95, 0.99), "eps": 1e-6, "weight_decay": 0.05,
               "decoupled_weight_decay": True, "maximize": True}, 3e-4, 1e-2),
]
IDS = [f"{n}-{'-'.join(kw) or 'default'}" for n, kw, _, _ in CASES]


def _pair(name, kwargs, lr, lib_params, torch_params):
    ours = getattr(optim, name)(lib_params, lr=lr, **kwargs)
    theirs = getattr(torch.optim, name)(torch_params, lr=lr, **kwargs)
    return ours, theirs


def _check_state(ours, theirs, ours_params, torch_params):
    """Every state entry of torch's (step, moments, ASGD's eta/mu/ax ...) equals ours."""
    for p, q in zip(ours_params, torch_params):
        mine, want = ours.state[p], theirs.state[q]
        assert set(mine) == set(want)
        for key, value in want.items():
            value = value.detach().numpy() if torch.is_tensor(value) else np.asarray(value)
            np.testing.assert_allclose(mine[key], value, rtol=RTOL, atol=ATOL, err_msg=key)


@pytest.mark.parametrize(("name", "kwargs", "lr", "_"), CASES, ids=IDS)
def test_rosenbrock_trajectory_matches_torch(name, kwargs, lr, _, torch_float64):
    x = Parameter(X0.copy())
    xt = torch.tensor(X0.copy(), requires_grad=True)
    ours, theirs = _pair(name, kwargs, lr, [x], [xt])
    sign = -1.0 if kwargs.get("maximize") else 1.0     # maximize(-f) == minimize(f)
    f0 = float(rosenbrock(X0))
    for _step in range(200):
        ours.zero_grad()
        (rosenbrock(x) * sign).backward()
        ours.step()
        theirs.zero_grad()
        (rosenbrock(xt) * sign).backward()
        theirs.step()
        np.testing.assert_allclose(x.data, xt.detach().numpy(), rtol=RTOL, atol=ATOL)
    _check_state(ours, theirs, [x], [xt])
    assert float(rosenbrock(x.data)) < f0       # it did descend


@pytest.mark.parametrize(("name", "kwargs", "_", "lr"), CASES, ids=IDS)
def test_mlp_trajectory_matches_torch(name, kwargs, _, lr, torch_float64):
    w = make_weights()
    x, y = make_data()
    model = TinyNet(w)
    tparams, forward = torch_model(w)
    ours, theirs = _pair(name, kwargs, lr, model.parameters(), tparams)
    sign = -1.0 if kwargs.get("maximize") else 1.0
    for i in range(200):
        ours.zero_grad()
        (ln_loss_fn(model, x, y, i) * sign).backward()
        ours.step()
        theirs.zero_grad()
        (torch_loss_fn(forward, x, y, i) * sign).backward()
        theirs.step()
    for p, q, w0 in zip(model.parameters(), tparams, w):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=RTOL, atol=ATOL)
        assert np.abs(p.data - w0).max() > 1e-3
    _check_state(ours, theirs, list(model.parameters()), tparams)


# ------------------------------------------------------------------------------------ LBFGS
# L-BFGS amplifies rounding (y·s of nearly equal gradients, the line search's interpolation):
# the two libraries' gradients already differ in the last bit (another BLAS), so settings that
# walk long curved valleys or reach a zero-loss manifold drift apart after many iterations
# although every iteration is the same formula. These settings stay within 1e-10 for 200 steps.
ROSENBROCK_LBFGS = [
    {"lr": 0.1, "max_iter": 1},
    {"lr": 0.2, "max_iter": 1, "history_size": 3},
    {"lr": 0.1, "max_iter": 4},
    {"line_search_fn": "strong_wolfe", "max_iter": 1},
    {"line_search_fn": "strong_wolfe", "max_iter": 2, "history_size": 4,
     "tolerance_grad": 1e-12, "tolerance_change": 1e-14},
    {"line_search_fn": "strong_wolfe", "max_iter": 5, "history_size": 10},
]
MLP_LBFGS = [
    {"lr": 1.0, "max_iter": 1},
    {"line_search_fn": "strong_wolfe", "max_iter": 1},
]


def _lbfgs_run(lib, params, loss_fn, kwargs, steps, cls):
    opt = cls(params, **kwargs)

    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    losses, traj = [], []
    for _ in range(steps):
        losses.append(float(opt.step(closure).detach()))
        traj.append(np.concatenate([np.asarray(p.detach().numpy() if lib is torch else p.data)
                                    .ravel() for p in params]))
    return np.array(losses), np.array(traj), opt


@pytest.mark.parametrize("kwargs", ROSENBROCK_LBFGS, ids=[str(k) for k in ROSENBROCK_LBFGS])
def test_lbfgs_rosenbrock_200_steps_matches_torch(kwargs, torch_float64):
    x = Parameter(X0.copy())
    xt = torch.tensor(X0.copy(), requires_grad=True)
    ours = _lbfgs_run(ln, [x], lambda: rosenbrock(x), kwargs, 200, optim.LBFGS)
    theirs = _lbfgs_run(torch, [xt], lambda: rosenbrock(xt), kwargs, 200, torch.optim.LBFGS)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=RTOL, atol=1e-12)
    s_ours, s_theirs = ours[2].state[x], theirs[2].state[xt]
    assert (s_ours["func_evals"], s_ours["n_iter"]) == (s_theirs["func_evals"],
                                                          s_theirs["n_iter"])
    assert ours[0][-1] < 0.05 * ours[0][0]


@pytest.mark.parametrize("kwargs", MLP_LBFGS, ids=[str(k) for k in MLP_LBFGS])
def test_lbfgs_mlp_200_steps_matches_torch(kwargs, torch_float64):
    w = make_weights()
    x, y = make_data()
    model = TinyNet(w)
    tparams, forward = torch_model(w)
    params = list(model.parameters())
    ours = _lbfgs_run(ln, params, lambda: ln_loss_fn(model, x, y, 0), kwargs, 200, optim.LBFGS)
    theirs = _lbfgs_run(torch, tparams, lambda: torch_loss_fn(forward, x, y, 0), kwargs, 200,
                        torch.optim.LBFGS)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=RTOL, atol=1e-12)
    assert ours[2].state[params[0]]["func_evals"] == theirs[2].state[tparams[0]]["func_evals"]
    assert ours[0][-1] < 0.1 * ours[0][0]


# ------------------------------------------------------------------------------------- ASGD
def test_asgd_formula_step_by_step():
    """η, μ and ax follow the documented recursions (no torch needed)."""
    lr, lambd, alpha, t0, wd = 0.1, 0.01, 0.75, 2, 0.1
    p = Parameter(np.array([1.0, -2.0]))
    opt = optim.ASGD([p], lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=wd)
    theta, ax, eta, mu = p.data.copy(), np.zeros(2), lr, 1.0
    for t in range(1, 8):
        g = np.array([0.5, 1.5]) * t
        p.grad = g.copy()
        opt.step()
        g = g + wd * theta
        theta = theta * (1 - lambd * eta) - eta * g
        ax = theta.copy() if mu == 1 else ax + mu * (theta - ax)
        eta = lr / (1 + lambd * lr * t) ** alpha
        mu = 1 / max(1, t - t0)
        st = opt.state[p]
        np.testing.assert_allclose(p.data, theta, rtol=1e-14)
        np.testing.assert_allclose(st["ax"], ax, rtol=1e-14)
        assert st["step"] == t and st["eta"] == pytest.approx(eta, rel=1e-14)
        assert st["mu"] == pytest.approx(mu, rel=1e-14)
    assert mu < 1 and not np.allclose(ax, theta)    # averaging did start


def test_asgd_eta_starts_at_the_lr_of_the_first_step_and_follows_a_schedule(torch_float64):
    p, q = Parameter(np.ones(3)), torch.ones(3, requires_grad=True)
    ours, theirs = optim.ASGD([p], lr=0.1, t0=3), torch.optim.ASGD([q], lr=0.1, t0=3)
    s1 = optim.lr_scheduler.StepLR(ours, step_size=2, gamma=0.5)
    s2 = torch.optim.lr_scheduler.StepLR(theirs, step_size=2, gamma=0.5)
    ours.param_groups[0]["lr"] = theirs.param_groups[0]["lr"] = 0.3   # changed before step 1
    for k in range(12):
        g = np.sin(np.arange(3) + k)
        p.grad, q.grad = g.copy(), torch.tensor(g)
        ours.step()
        theirs.step()
        s1.step()
        s2.step()
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=RTOL, atol=ATOL)
        assert ours.state[p]["eta"] == pytest.approx(float(theirs.state[q]["eta"]), rel=1e-12)
    np.testing.assert_allclose(ours.state[p]["ax"], theirs.state[q]["ax"].numpy(), rtol=RTOL)


def test_asgd_float32_keeps_dtype_and_follows_torch():
    w = [a.astype(np.float32) for a in make_weights()]
    p = [Parameter(a.copy()) for a in w]
    q = [torch.tensor(a.copy(), requires_grad=True) for a in w]
    ours = optim.ASGD(p, lr=0.05, t0=5, lambd=1e-3)
    theirs = torch.optim.ASGD(q, lr=0.05, t0=5, lambd=1e-3)
    rng = np.random.default_rng(3)
    for _ in range(30):
        for a, b in zip(p, q):
            g = rng.standard_normal(a.data.shape).astype(np.float32)
            a.grad, b.grad = g, torch.tensor(g)
        ours.step()
        theirs.step()
    for a, b in zip(p, q):
        assert a.data.dtype == np.float32 and ours.state[a]["ax"].dtype == np.float32
        # torch rounds eta and mu to float32, lucidnet keeps them in float64
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(ours.state[a]["ax"], theirs.state[b]["ax"].numpy(),
                                   rtol=1e-5, atol=1e-6)


def _asgd_steps(opt, params, k0, k1):
    for k in range(k0, k1):
        for i, p in enumerate(params):
            p.grad = np.cos(np.arange(p.data.size).reshape(p.data.shape) * (i + 1) + k)
        opt.step()


def test_asgd_state_dict_round_trip_through_json_continues_the_same_trajectory():
    def build():
        ps = [Parameter(np.linspace(-1, 1, 6).reshape(2, 3)), Parameter(np.ones(4))]
        return ps, optim.ASGD([{"params": ps[:1]}, {"params": ps[1:], "lr": 0.02}], lr=0.05,
                              t0=4, lambd=0.01)

    ps, opt = build()
    _asgd_steps(opt, ps, 0, 10)
    saved = opt.state_dict()
    assert set(saved["state"][0]) == {"step", "eta", "mu", "ax"}
    assert isinstance(saved["state"][0]["eta"], float) and saved["state"][0]["mu"] < 1
    text = json.dumps({**saved, "state": {k: {n: (v.tolist() if isinstance(v, np.ndarray)
                                                  else v) for n, v in entry.items()}
                                          for k, entry in saved["state"].items()}})
    weights = [p.data.copy() for p in ps]
    _asgd_steps(opt, ps, 10, 25)                 # the uninterrupted run
    ps2, opt2 = build()
    _asgd_steps(opt2, ps2, 0, 3)                 # some other state, replaced by the load
    for p, w in zip(ps2, weights):
        p.data[...] = w
    opt2.load_state_dict(json.loads(text))
    _asgd_steps(opt2, ps2, 10, 25)
    for a, b in zip(ps2, ps):
        np.testing.assert_array_equal(a.data, b.data)
        np.testing.assert_array_equal(opt2.state[a]["ax"], opt.state[b]["ax"])
        assert (opt2.state[a]["eta"], opt2.state[a]["mu"], opt2.state[a]["step"]) == \
            (opt.state[b]["eta"], opt.state[b]["mu"], opt.state[b]["step"])


def test_asgd_loads_torchs_state_dict_and_continues_like_torch(torch_float64):
    w = make_weights()
    p = [Parameter(a.copy()) for a in w]
    q = [torch.tensor(a.copy(), requires_grad=True) for a in w]
    theirs = torch.optim.ASGD(q, lr=0.05, t0=10, lambd=1e-3, weight_decay=0.01)
    rng = np.random.default_rng(5)
    grads = [[rng.standard_normal(a.shape) for a in w] for _ in range(40)]
    for k in range(20):
        for b, g in zip(q, grads[k]):
            b.grad = torch.tensor(g)
        theirs.step()
    sd = theirs.state_dict()
    exported = {"state": {i: {n: (v.numpy().copy() if v.ndim else float(v)) for n, v in s.items()}
                          for i, s in sd["state"].items()},
                "param_groups": [dict(g) for g in sd["param_groups"]]}
    for a, b in zip(p, q):
        a.data[...] = b.detach().numpy()
    ours = optim.ASGD(p)
    ours.load_state_dict(exported)
    for k in range(20, 40):
        for a, b, g in zip(p, q, grads[k]):
            a.grad, b.grad = g.copy(), torch.tensor(g)
        ours.step()
        theirs.step()
    for a, b in zip(p, q):
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(ours.state[a]["ax"], theirs.state[b]["ax"].numpy(),
                                   rtol=RTOL, atol=ATOL)


def test_asgd_skips_parameters_without_grad_and_counts_steps_per_parameter(torch_float64):
    w = make_weights()
    p = [Parameter(a.copy()) for a in w]
    q = [torch.tensor(a.copy(), requires_grad=True) for a in w]
    ours, theirs = optim.ASGD(p, lr=0.05, t0=2), torch.optim.ASGD(q, lr=0.05, t0=2)
    for k in range(15):
        for i, (a, b) in enumerate(zip(p, q)):
            if i == 2 and k % 3 == 0:
                a.grad = b.grad = None
                continue
            g = np.sin(np.arange(a.data.size) + k + i).reshape(a.data.shape)
            a.grad, b.grad = g, torch.tensor(g)
        ours.step()
        theirs.step()
    _check_state(ours, theirs, p, q)
    assert ours.state[p[2]]["step"] == 10 and ours.state[p[0]]["step"] == 15


def test_asgd_t0_infinite_never_averages_and_lr_zero_stands_still():
    p = Parameter(np.array([1.0, 2.0]))
    opt = optim.ASGD([p], lr=0.1, t0=math.inf)
    _asgd_steps(opt, [p], 0, 5)
    assert opt.state[p]["mu"] == 1.0
    np.testing.assert_array_equal(opt.state[p]["ax"], p.data)
    z = Parameter(np.array([1.0, 2.0]))
    opt = optim.ASGD([z], lr=0.0, lambd=0.5)
    _asgd_steps(opt, [z], 0, 3)
    np.testing.assert_array_equal(z.data, [1.0, 2.0])


def test_asgd_registry_and_pytorch_signature():
    p = Parameter(np.ones(2))
    assert isinstance(optim.get_optimizer("ASGD", [p]), optim.ASGD)
    mine = inspect.signature(optim.ASGD.__init__).parameters
    for k, (name, param) in enumerate(inspect.signature(torch.optim.ASGD.__init__)
                                      .parameters.items()):
        assert name in mine
        if param.kind is param.POSITIONAL_OR_KEYWORD:
            assert list(mine)[k] == name
        if param.default is not param.empty and name != "lr":
            assert mine[name].default == param.default, name
    assert mine["lr"].default == 1e-2
    optim.ASGD([p], foreach=True)
    for flag in ("capturable", "differentiable"):
        with pytest.raises(ValueError, match=flag):
            optim.ASGD([p], **{flag: True})


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"lr": -0.1}, r"lr must be a finite number in \[0.0, inf\), got -0.1"),
    ({"lr": float("nan")}, "lr must be a finite number"),
    ({"lr": "0.1"}, "lr must be a real number"),
    ({"weight_decay": -1.0}, "weight_decay must be"),
    ({"lambd": -1e-4}, "lambd must be"),
    ({"alpha": -0.5}, "alpha must be"),
    ({"alpha": float("inf")}, "alpha must be"),
    ({"t0": -1}, "t0 .* must be a number >= 0"),
    ({"t0": float("nan")}, "t0 .* must be a number >= 0"),
    ({"t0": "5"}, "t0 .* must be a number >= 0"),
    ({"maximize": "False"}, "maximize must be True or False"),
])
def test_asgd_bad_hyperparameters_are_clear_errors(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        optim.ASGD([Parameter(np.ones(2))], **kwargs)


def test_asgd_bad_params_and_zero_size_parameter():
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.ASGD([])
    with pytest.raises(TypeError, match="wrap it in a list"):
        optim.ASGD(Parameter(np.ones(2)))
    empty, p = Parameter(np.zeros((0, 3))), Parameter(np.ones(()))
    opt = optim.ASGD([empty, p], lr=0.1)
    empty.grad, p.grad = np.zeros((0, 3)), np.array(2.0)
    opt.step()
    assert p.data == pytest.approx(1.0 * (1 - 1e-4 * 0.1) - 0.1 * 2.0)
    assert opt.state[empty]["ax"].shape == (0, 3) and opt.state[p]["ax"].shape == ()
