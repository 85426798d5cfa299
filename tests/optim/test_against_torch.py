"""Every optimizer and option agrees with torch.optim over 200 steps of real backward passes on
the same float64 model (rtol 1e-7); every schedule's lr sequence agrees over 300 steps (rtol 1e-9)."""

from __future__ import annotations

import numpy as np
import pytest

from lucidnet import optim
from lucidnet.optim import lr_scheduler as sched
from tests.optim.helpers import (
    TinyNet,
    ln_loss_fn,
    make_data,
    make_weights,
    torch_loss_fn,
    torch_model,
)

torch = pytest.importorskip("torch")

CASES = [
    ("SGD", {"lr": 0.05}),
    ("SGD", {"lr": 0.05, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.02, "momentum": 0.9}),
    ("SGD", {"lr": 0.02, "momentum": 0.9, "dampening": 0.5, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.02, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.02, "momentum": 0.9, "maximize": True}),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "eps": 1e-5, "weight_decay": 0.01}),
    ("Adadelta", {"lr": 0.5, "maximize": True}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.01,
                 "initial_accumulator_value": 0.1, "eps": 1e-8}),
    ("Adagrad", {"lr": 0.1, "maximize": True}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.005, "alpha": 0.9, "momentum": 0.5, "weight_decay": 0.01}),
    ("RMSprop", {"lr": 0.005, "centered": True}),
    ("RMSprop", {"lr": 0.005, "centered": True, "momentum": 0.3, "maximize": True}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.01}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("Adam", {"lr": 0.01, "maximize": True, "amsgrad": True, "weight_decay": 0.01}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    ("AdamW", {"lr": 0.01, "maximize": True}),
    ("Adamax", {"lr": 0.01}),
    ("Adamax", {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.01, "maximize": True}),
    ("RAdam", {"lr": 0.01}),
    ("RAdam", {"lr": 0.01, "betas": (0.8, 0.9), "weight_decay": 0.01, "maximize": True}),
    ("RAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("Rprop", {}),
    ("Rprop", {"lr": 0.002, "etas": (0.3, 1.5), "step_sizes": (1e-4, 0.05), "maximize": True}),
    ("NAdam", {"lr": 0.01}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.01, "momentum_decay": 0.01}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True,
               "maximize": True}),
]


@pytest.fixture
def torch_float64():
    # torch keeps scalar state (step, NAdam's mu_product) in the default dtype
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


def _run_both(name, kwargs, steps, sched_pair=None, groups=False):
    w = make_weights()
    x, y = make_data()
    model = TinyNet(w)
    tparams, forward = torch_model(w)
    sign = -1.0 if kwargs.get("maximize") else 1.0     # maximize(-loss) == minimize(loss)
    if groups:     # two param groups, the second with its own lr
        ps = list(model.parameters())
        ours = getattr(optim, name)([{"params": ps[:2]}, {"params": ps[2:], "lr": 0.003}],
                                    **kwargs)
        theirs = getattr(torch.optim, name)([{"params": tparams[:2]},
                                             {"params": tparams[2:], "lr": 0.003}], **kwargs)
    else:
        ours = getattr(optim, name)(model.parameters(), **kwargs)
        theirs = getattr(torch.optim, name)(tparams, **kwargs)
    s_ours = s_theirs = None
    if sched_pair is not None:
        s_ours, s_theirs = sched_pair[0](ours), sched_pair[1](theirs)
    for i in range(steps):
        ours.zero_grad()
        (ln_loss_fn(model, x, y, i) * sign).backward()
        ours.step()
        theirs.zero_grad()
        (torch_loss_fn(forward, x, y, i) * sign).backward()
        theirs.step()
        if s_ours is not None:
            s_ours.step()
            s_theirs.step()
    return model, tparams


@pytest.mark.parametrize(("name", "kwargs"), CASES,
                         ids=[f"{n}-{'-'.join(k for k in kw if k != 'lr') or 'default'}"
                              for n, kw in CASES])
def test_optimizer_matches_torch_200_steps(name, kwargs, torch_float64):
    model, tparams = _run_both(name, kwargs, 200)
    for p, q, w0 in zip(model.parameters(), tparams, make_weights()):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-7, atol=1e-12)
        assert np.abs(p.data - w0).max() > 1e-3      # the weights did move


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop"])
def test_param_groups_match_torch(name, torch_float64):
    kwargs = {"lr": 0.01, "momentum": 0.9} if name != "Adam" else {"lr": 0.01}
    model, tparams = _run_both(name, kwargs, 60, groups=True)
    for p, q in zip(model.parameters(), tparams):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-7, atol=1e-12)


def test_adam_with_onecycle_cycled_beta1_matches_torch(torch_float64):
    pair = (lambda o: sched.OneCycleLR(o, max_lr=0.05, total_steps=100),
            lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.05, total_steps=100))
    model, tparams = _run_both("Adam", {"lr": 0.01}, 100, sched_pair=pair)
    for p, q in zip(model.parameters(), tparams):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-7, atol=1e-12)


def test_skipped_parameter_keeps_its_own_step_count(torch_float64):
    """A parameter whose grad is None is skipped and its bias correction lags, as in PyTorch."""
    w = make_weights()
    x, y = make_data()
    model = TinyNet(w)
    tparams, forward = torch_model(w)
    ours, theirs = optim.Adam(model.parameters(), lr=0.01), torch.optim.Adam(tparams, lr=0.01)
    ps = list(model.parameters())
    for i in range(40):
        ours.zero_grad()
        ln_loss_fn(model, x, y, i).backward()
        theirs.zero_grad()
        torch_loss_fn(forward, x, y, i).backward()
        if i % 3 == 0:      # freeze the second layer's weight this step
            ps[2].grad = None
            tparams[2].grad = None
        ours.step()
        theirs.step()
    for p, q in zip(ps, tparams):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-7, atol=1e-12)
    assert ours.state[ps[2]]["step"] == 26 and ours.state[ps[0]]["step"] == 40


# ------------------------------------------------------------------------------- schedules
T = torch.optim.lr_scheduler

SCHEDULE_CASES = {
    "StepLR": (lambda o: sched.StepLR(o, step_size=7, gamma=0.5),
               lambda o: T.StepLR(o, step_size=7, gamma=0.5)),
    "MultiStepLR": (lambda o: sched.MultiStepLR(o, milestones=[10, 40, 40, 120], gamma=0.3),
                    lambda o: T.MultiStepLR(o, milestones=[10, 40, 40, 120], gamma=0.3)),
    "ConstantLR": (lambda o: sched.ConstantLR(o, factor=0.25, total_iters=17),
                   lambda o: T.ConstantLR(o, factor=0.25, total_iters=17)),
    "LinearLR": (lambda o: sched.LinearLR(o, start_factor=0.05, end_factor=0.8, total_iters=50),
                 lambda o: T.LinearLR(o, start_factor=0.05, end_factor=0.8, total_iters=50)),
    "ExponentialLR": (lambda o: sched.ExponentialLR(o, gamma=0.98),
                      lambda o: T.ExponentialLR(o, gamma=0.98)),
    "PolynomialLR": (lambda o: sched.PolynomialLR(o, total_iters=200, power=2.0),
                     lambda o: T.PolynomialLR(o, total_iters=200, power=2.0)),
    "CosineAnnealingLR": (lambda o: sched.CosineAnnealingLR(o, T_max=70, eta_min=0.001),
                          lambda o: T.CosineAnnealingLR(o, T_max=70, eta_min=0.001)),
    "CosineAnnealingLR-eta0": (lambda o: sched.CosineAnnealingLR(o, T_max=50),
                               lambda o: T.CosineAnnealingLR(o, T_max=50)),
    "WarmRestarts-Tmult1": (
        lambda o: sched.CosineAnnealingWarmRestarts(o, T_0=13, eta_min=0.002),
        lambda o: T.CosineAnnealingWarmRestarts(o, T_0=13, eta_min=0.002)),
    "WarmRestarts-Tmult2": (
        lambda o: sched.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=0.001),
        lambda o: T.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=0.001)),
    "WarmRestarts-Tmult3": (lambda o: sched.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=3),
                            lambda o: T.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=3)),
    "LambdaLR": (lambda o: sched.LambdaLR(o, lr_lambda=lambda t: 1.0 / (1.0 + 0.05 * t)),
                 lambda o: T.LambdaLR(o, lr_lambda=lambda t: 1.0 / (1.0 + 0.05 * t))),
    "SequentialLR-warmup-cosine": (
        lambda o: sched.SequentialLR(o, [sched.LinearLR(o, 0.1, 1.0, 20),
                                         sched.CosineAnnealingLR(o, T_max=280, eta_min=1e-4)],
                                     milestones=[20]),
        lambda o: T.SequentialLR(o, [T.LinearLR(o, 0.1, 1.0, 20),
                                     T.CosineAnnealingLR(o, T_max=280, eta_min=1e-4)],
                                 milestones=[20])),
    "SequentialLR-three": (
        lambda o: sched.SequentialLR(o, [sched.ConstantLR(o, 0.5, 10), sched.ExponentialLR(o, 0.99),
                                         sched.StepLR(o, 30, 0.5)], milestones=[50, 150]),
        lambda o: T.SequentialLR(o, [T.ConstantLR(o, 0.5, 10), T.ExponentialLR(o, 0.99),
                                     T.StepLR(o, 30, 0.5)], milestones=[50, 150])),
    "CyclicLR-triangular": (
        lambda o: sched.CyclicLR(o, 0.001, 0.1, step_size_up=20, step_size_down=35),
        lambda o: T.CyclicLR(o, 0.001, 0.1, step_size_up=20, step_size_down=35)),
    "CyclicLR-triangular2": (
        lambda o: sched.CyclicLR(o, 0.001, 0.1, step_size_up=25, mode="triangular2"),
        lambda o: T.CyclicLR(o, 0.001, 0.1, step_size_up=25, mode="triangular2")),
    "CyclicLR-exp_range": (
        lambda o: sched.CyclicLR(o, 0.001, 0.1, step_size_up=15, mode="exp_range", gamma=0.99),
        lambda o: T.CyclicLR(o, 0.001, 0.1, step_size_up=15, mode="exp_range", gamma=0.99)),
    "OneCycleLR": (lambda o: sched.OneCycleLR(o, max_lr=0.1, total_steps=300),
                   lambda o: T.OneCycleLR(o, max_lr=0.1, total_steps=300)),
    "OneCycleLR-linear-3phase": (
        lambda o: sched.OneCycleLR(o, max_lr=0.1, epochs=6, steps_per_epoch=50, pct_start=0.25,
                                   anneal_strategy="linear", three_phase=True),
        lambda o: T.OneCycleLR(o, max_lr=0.1, epochs=6, steps_per_epoch=50, pct_start=0.25,
                               anneal_strategy="linear", three_phase=True)),
}


def _sgd_pair(lr=0.05):
    p = torch.zeros(3, requires_grad=True)
    ours = optim.SGD([optim_param()], lr=lr, momentum=0.9)
    theirs = torch.optim.SGD([p], lr=lr, momentum=0.9)
    return ours, theirs


def optim_param():
    from lucidnet.nn import Parameter
    return Parameter(np.zeros(3))


@pytest.mark.parametrize("key", list(SCHEDULE_CASES))
def test_schedule_matches_torch_300_steps(key):
    make_ours, make_theirs = SCHEDULE_CASES[key]
    ours_opt, theirs_opt = _sgd_pair()
    ours, theirs = make_ours(ours_opt), make_theirs(theirs_opt)
    got, want, got_mom, want_mom = [], [], [], []
    for _ in range(300):
        got.append(ours.get_last_lr()[0])
        want.append(theirs.get_last_lr()[0])
        got_mom.append(ours_opt.param_groups[0]["momentum"])
        want_mom.append(theirs_opt.param_groups[0]["momentum"])
        theirs_opt.step()   # torch warns when the schedule steps before the optimizer
        ours.step()
        theirs.step()
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(got_mom, want_mom, rtol=1e-9, atol=1e-15)
    assert ours_opt.param_groups[0]["lr"] == ours.get_last_lr()[0]
    assert len(set(np.round(got, 12))) > 1


def test_cyclic_with_adam_cycles_beta1_like_torch():
    ours_opt = optim.Adam([optim_param()], lr=0.01)
    theirs_opt = torch.optim.Adam([torch.zeros(3, requires_grad=True)], lr=0.01)
    ours = sched.CyclicLR(ours_opt, 0.001, 0.01, step_size_up=10)
    theirs = T.CyclicLR(theirs_opt, 0.001, 0.01, step_size_up=10)
    for _ in range(60):
        assert ours.get_last_lr()[0] == pytest.approx(theirs.get_last_lr()[0], rel=1e-9)
        assert ours_opt.param_groups[0]["betas"][0] == pytest.approx(
            theirs_opt.param_groups[0]["betas"][0], rel=1e-9)
        theirs_opt.step()
        ours.step()
        theirs.step()


def test_reduce_on_plateau_matches_torch():
    ours_opt, theirs_opt = _sgd_pair(0.1)
    kw = {"mode": "min", "factor": 0.5, "patience": 3, "threshold": 0.01, "cooldown": 2,
          "min_lr": 0.004}
    ours, theirs = sched.ReduceLROnPlateau(ours_opt, **kw), T.ReduceLROnPlateau(theirs_opt, **kw)
    rng = np.random.default_rng(0)
    metric = 1.0
    for i in range(300):
        metric = metric * (0.97 if i % 25 < 8 else 1.0) + rng.normal(0, 1e-4)
        ours.step(metric)
        theirs.step(metric)
        assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-12)
    assert ours.get_last_lr()[0] == pytest.approx(0.004)   # it did reduce all the way
    for mode, tmode in [("max", "abs"), ("min", "abs"), ("max", "rel")]:
        ours_opt, theirs_opt = _sgd_pair(0.1)
        ours = sched.ReduceLROnPlateau(ours_opt, mode=mode, threshold_mode=tmode, patience=2)
        theirs = T.ReduceLROnPlateau(theirs_opt, mode=mode, threshold_mode=tmode, patience=2)
        for i in range(60):
            v = float(np.sin(i / 5.0))
            ours.step(v)
            theirs.step(v)
            assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-12)
