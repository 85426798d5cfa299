"""Issue 16: schedules on one optimizer compose (PyTorch's chainable form); ChainedScheduler,
MultiplicativeLR; composed schedules resume exactly from their state dicts."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lucidnet import nn, optim
from lucidnet.nn import Parameter
from lucidnet.optim import lr_scheduler as sched


def _opt(lr=0.05, groups=False):
    if groups:
        return optim.SGD([{"params": [Parameter(np.zeros(2))]},
                          {"params": [Parameter(np.zeros(2))], "lr": 0.3}], lr=lr, momentum=0.9)
    return optim.SGD([Parameter(np.zeros(2))], lr=lr, momentum=0.9)


def test_step_and_multistep_cut_together_by_hand():
    """The issue's numbers: both cut at epoch 3, 0.05 * 0.1 * 0.1 (was 5e-3: the last one won)."""
    opt = _opt(0.05)
    a, b = sched.StepLR(opt, step_size=3, gamma=0.1), sched.MultiStepLR(opt, [3], gamma=0.1)
    for _ in range(3):
        a.step()
        b.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(5e-4, rel=1e-12)


def test_plateau_cut_survives_a_milestone_by_hand():
    opt = _opt(1.0)
    plateau = sched.ReduceLROnPlateau(opt, factor=0.5, patience=0)
    milestones = sched.MultiStepLR(opt, [4], gamma=0.1)
    for metric in (1.0, 1.0, 1.0, 1.0):      # no progress: a cut at epochs 2, 3, 4
        plateau.step(metric)
        milestones.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(0.125 * 0.1, rel=1e-12)


def test_chained_scheduler_multiplies_and_checks_its_parts():
    opt = _opt(0.05)
    chain = sched.ChainedScheduler([sched.ConstantLR(opt, factor=0.1, total_iters=2),
                                    sched.ExponentialLR(opt, gamma=0.9)])
    lrs = []
    for _ in range(4):
        lrs.append(chain.get_last_lr()[0])
        chain.step()
    np.testing.assert_allclose(lrs, [0.005, 0.0045, 0.0405, 0.03645], rtol=1e-12)
    with pytest.raises(ValueError, match="not ReduceLROnPlateau"):
        sched.ChainedScheduler([sched.ReduceLROnPlateau(opt)])
    with pytest.raises(ValueError, match="belongs to another optimizer"):
        sched.ChainedScheduler([sched.StepLR(opt, 2), sched.StepLR(_opt(), 2)])
    with pytest.raises(ValueError, match="same interval"):
        sched.ChainedScheduler([sched.StepLR(opt, 2), sched.CyclicLR(opt, 0.01, 0.1)])
    with pytest.raises(ValueError, match="at least one"):
        sched.ChainedScheduler([])


def test_sequential_refuses_composite_parts():
    opt = _opt()
    chain = sched.ChainedScheduler([sched.StepLR(opt, 2), sched.ExponentialLR(opt, 0.9)])
    with pytest.raises(ValueError, match=r"schedulers\[1\] is a ChainedScheduler"):
        sched.SequentialLR(opt, [sched.LinearLR(opt), chain], [3])


def test_multiplicative_lr_by_hand_and_bad_lambda():
    opt = _opt(0.1)
    s = sched.MultiplicativeLR(opt, lr_lambda=lambda t: 0.5 if t % 2 == 0 else 1.0)
    lrs = []
    for _ in range(5):
        lrs.append(s.get_last_lr()[0])
        s.step()
    np.testing.assert_allclose(lrs, [0.1, 0.1, 0.05, 0.05, 0.025], rtol=1e-15)
    with pytest.raises(ValueError, match="lr_lambda must be a function"):
        sched.MultiplicativeLR(opt, lr_lambda=0.5)


def test_constant_lr_factor_zero_is_refused():
    with pytest.raises(ValueError, match=r"factor must be a finite number in \(0.0, 1.0\]"):
        sched.ConstantLR(_opt(), factor=0.0)


# ----------------------------------------------------------------------------- resume
def _composed(opt):
    """Several stepped objects on one optimizer: (list of schedules, metric-driven or not)."""
    return [
        sched.ChainedScheduler([sched.LinearLR(opt, 0.2, 1.0, 5),
                                sched.CosineAnnealingLR(opt, T_max=17, eta_min=1e-3)]),
        sched.MultiStepLR(opt, [7, 12], gamma=0.5),
        sched.ReduceLROnPlateau(opt, factor=0.5, patience=1),
    ]


def _step_all(parts, metric):
    for s in parts:
        s.step(metric) if s.needs_metric else s.step()


def _metrics(n):
    return np.r_[np.linspace(1.0, 0.6, 8), np.full(n, 0.6)]


@pytest.mark.parametrize("cut", [3, 7, 12])
def test_composed_schedules_resume_mid_way_through_json(cut):
    metric = _metrics(40)
    opt1 = _opt(groups=True)
    parts1 = _composed(opt1)
    straight = []
    for t in range(30):
        _step_all(parts1, metric[t])
        straight.append([g["lr"] for g in opt1.param_groups])

    opt2 = _opt(groups=True)
    parts2 = _composed(opt2)
    for t in range(cut):
        _step_all(parts2, metric[t])
    saved = json.loads(json.dumps({"optimizer": {k: v for k, v in opt2.state_dict().items()},
                                   "schedules": [s.state_dict() for s in parts2]}))
    opt3 = _opt(groups=True)
    parts3 = _composed(opt3)                  # built fresh: lr_0 applied, then overwritten
    opt3.load_state_dict(saved["optimizer"])
    for s, sd in zip(parts3, saved["schedules"]):
        s.load_state_dict(sd)
    resumed = [list(r) for r in straight[:cut]]
    for t in range(cut, 30):
        _step_all(parts3, metric[t])
        resumed.append([g["lr"] for g in opt3.param_groups])
    np.testing.assert_allclose(resumed, straight, rtol=1e-15)


def test_sequential_of_chainable_parts_resumes_through_json():
    def build(opt):
        return sched.SequentialLR(opt, [sched.ConstantLR(opt, 0.5, 3),
                                        sched.StepLR(opt, 4, 0.5),
                                        sched.MultiplicativeLR(opt, lambda t: 0.9)], [6, 15])
    opt1, opt2 = _opt(), _opt()
    s1, s2 = build(opt1), build(opt2)
    for _ in range(9):
        s1.step()
        s2.step()
    state = json.loads(json.dumps(s2.state_dict()))
    opt_state = opt2.state_dict()
    opt3 = _opt()
    s3 = build(opt3)
    opt3.load_state_dict(opt_state)
    s3.load_state_dict(state)
    for _ in range(20):
        s1.step()
        s3.step()
        assert s3.get_last_lr() == s1.get_last_lr()
    with pytest.raises(ValueError, match="3 saved schedulers, 2 here"):
        sched.SequentialLR(opt3, [sched.StepLR(opt3, 2), sched.StepLR(opt3, 3)],
                           [4]).load_state_dict(state)


def test_trainer_resume_with_a_chained_schedule_matches_a_straight_run():
    from lucidnet.random import manual_seed
    from lucidnet.train import Trainer

    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3)).astype(np.float32)
    y = X @ np.array([1.0, -2.0, 0.5], np.float32)

    def trainer():
        manual_seed(0)
        model = nn.Sequential(nn.Linear(3, 1))
        opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        chain = sched.ChainedScheduler([sched.StepLR(opt, 2, 0.5),
                                        sched.MultiStepLR(opt, [2, 5], 0.1)])
        return Trainer(model, "mse", opt, scheduler=chain, verbose=0)

    straight = trainer()
    straight.fit(X, y, epochs=6, batch_size=16, seed=0)
    first = trainer()
    first.fit(X, y, epochs=3, batch_size=16, seed=0)
    second = trainer()
    second.load_state_dict(first.state_dict())
    second.fit(X, y, epochs=3, batch_size=16)
    np.testing.assert_allclose(second.history["lr"], straight.history["lr"], rtol=1e-15)
    assert straight.history["lr"][2] == pytest.approx(0.05 * 0.5 * 0.1)   # both cut at epoch 2


# ----------------------------------------------------------------------------- against torch
# (the tests above must run without torch: skip per test, not the module)
def _pair(torch, lr=0.05, groups=False):
    p = [torch.zeros(2, requires_grad=True) for _ in range(2)]
    theirs = torch.optim.SGD([{"params": [p[0]]}, {"params": [p[1]], "lr": 0.3}]
                             if groups else [p[0]], lr=lr, momentum=0.9)
    return _opt(lr, groups), theirs


# name -> builder(module with the classes, optimizer) -> list of objects stepped each epoch
COMPOSED = {
    "StepLR+MultiStepLR": lambda M, o: [M.StepLR(o, 3, 0.1), M.MultiStepLR(o, [3, 8, 8], 0.5)],
    "ReduceLROnPlateau+MultiStepLR": lambda M, o: [M.ReduceLROnPlateau(o, factor=0.5,
                                                                       patience=2),
                                                   M.MultiStepLR(o, [10, 25], 0.1)],
    "ExponentialLR+CosineAnnealingLR": lambda M, o: [M.ExponentialLR(o, 0.97),
                                                     M.CosineAnnealingLR(o, 20, 1e-3)],
    "LinearLR+PolynomialLR+StepLR": lambda M, o: [M.LinearLR(o, 0.1, 1.0, 10),
                                                  M.PolynomialLR(o, 40, 2.0), M.StepLR(o, 7)],
    "ConstantLR+ExponentialLR": lambda M, o: [M.ConstantLR(o, 0.25, 6), M.ExponentialLR(o, 0.95)],
    "ChainedScheduler": lambda M, o: [M.ChainedScheduler(
        [M.ConstantLR(o, factor=0.1, total_iters=20), M.ExponentialLR(o, gamma=0.9)],
        optimizer=o)],
    "ChainedScheduler-cosine-step": lambda M, o: [M.ChainedScheduler(
        [M.CosineAnnealingLR(o, 15, 1e-4), M.StepLR(o, 10, 0.5)], optimizer=o)],
    "SequentialLR": lambda M, o: [M.SequentialLR(
        o, [M.LinearLR(o, 0.1, 1.0, 10), M.MultiStepLR(o, [5, 15], 0.3),
            M.CosineAnnealingLR(o, 25, 1e-3)], milestones=[10, 30])],
    "SequentialLR-lambda-multiplicative": lambda M, o: [M.SequentialLR(
        o, [M.LambdaLR(o, lambda t: (t + 1) / 8), M.MultiplicativeLR(o, lambda t: 0.93)],
        milestones=[8])],
    "LambdaLR": lambda M, o: [M.LambdaLR(o, lambda t: 1.0 / (1.0 + 0.1 * t))],
    "MultiplicativeLR": lambda M, o: [M.MultiplicativeLR(o, lambda t: 0.95 if t < 30 else 1.02)],
    "LambdaLR+StepLR": lambda M, o: [M.LambdaLR(o, lambda t: 0.98 ** t), M.StepLR(o, 5, 0.5)],
}


@pytest.mark.parametrize("groups", [False, True], ids=["one-group", "two-groups"])
@pytest.mark.parametrize("key", list(COMPOSED))
def test_composed_schedules_match_torch(key, groups):
    torch = pytest.importorskip("torch")
    ours_opt, theirs_opt = _pair(torch, groups=groups)
    ours = COMPOSED[key](sched, ours_opt)
    theirs = COMPOSED[key](torch.optim.lr_scheduler, theirs_opt)
    rng = np.random.default_rng(0)
    metric = 1.0
    got, want = [], []
    for i in range(60):
        got.append([g["lr"] for g in ours_opt.param_groups])
        want.append([g["lr"] for g in theirs_opt.param_groups])
        metric = metric * (0.95 if i % 20 < 6 else 1.0) + rng.normal(0, 1e-4)
        theirs_opt.step()
        for a, b in zip(ours, theirs):
            if a.needs_metric:
                a.step(metric)
                b.step(metric)
            else:
                a.step()
                b.step()
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-15)
    assert len({round(r[0], 12) for r in got}) > 2
