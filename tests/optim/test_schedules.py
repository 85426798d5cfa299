"""Schedules against the notes' formulas by hand, state round trips, registry and bad input
(SPEC F1, F2, F3)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from lucidnet import optim
from lucidnet.nn import Parameter
from lucidnet.optim import lr_scheduler as sched


def _opt(lr=0.1, **kw):
    return optim.SGD([Parameter(np.zeros(2))], lr=lr, momentum=0.9, **kw)


def _lrs(s, n):
    out = []
    for _ in range(n):
        out.append(s.get_last_lr()[0])
        s.step()
    return np.array(out)


T = np.arange(60)


def test_notes_formulas_by_hand():
    a0 = 0.1
    np.testing.assert_allclose(_lrs(sched.StepLR(_opt(), step_size=7, gamma=0.5), 60),
                               a0 * 0.5 ** np.floor(T / 7), rtol=1e-14)
    np.testing.assert_allclose(_lrs(sched.ExponentialLR.from_decay_rate(_opt(), k=0.05), 60),
                               a0 * np.exp(-0.05 * T), rtol=1e-14)
    np.testing.assert_allclose(_lrs(sched.PolynomialLR(_opt(), total_iters=40, power=3.0), 60),
                               a0 * (1 - np.minimum(T, 40) / 40) ** 3, rtol=1e-14, atol=1e-18)
    np.testing.assert_allclose(_lrs(sched.CosineAnnealingLR(_opt(), T_max=30, eta_min=0.01), 31),
                               0.01 + 0.5 * (a0 - 0.01) * (1 + np.cos(np.pi * T[:31] / 30)),
                               rtol=1e-14)
    np.testing.assert_allclose(_lrs(sched.ConstantLR(_opt(), factor=0.5, total_iters=4), 8),
                               [0.05] * 4 + [0.1] * 4, rtol=1e-14)
    np.testing.assert_allclose(_lrs(sched.LinearLR(_opt(), 0.1, 1.0, total_iters=10), 12),
                               a0 * np.r_[np.linspace(0.1, 1.0, 11), 1.0], rtol=1e-14)


def test_warm_restarts_cycle_lengths_by_hand():
    s = sched.CosineAnnealingWarmRestarts(_opt(), T_0=5, T_mult=2, eta_min=0.0)
    lrs = _lrs(s, 80)
    restarts = [t for t in range(80) if lrs[t] == pytest.approx(0.1)]
    assert restarts == [0, 5, 15, 35, 75]              # cycles of 5, 10, 20, 40
    t_cur, t_i = 20 - 15, 20
    assert lrs[20] == pytest.approx(0.05 * (1 + math.cos(math.pi * t_cur / t_i)), rel=1e-14)


def test_cyclic_modes_by_hand():
    lo, hi, up = 0.01, 0.11, 10
    tri = _lrs(sched.CyclicLR(_opt(), lo, hi, step_size_up=up), 60)
    x = np.abs(T / up - 2 * np.floor(T / (2 * up)) - 1)
    np.testing.assert_allclose(tri, lo + (hi - lo) * (1 - x), rtol=1e-12)
    tri2 = _lrs(sched.CyclicLR(_opt(), lo, hi, step_size_up=up, mode="triangular2"), 60)
    cycle = np.floor(1 + T / (2 * up))
    np.testing.assert_allclose(tri2, lo + (hi - lo) * (1 - x) / 2 ** (cycle - 1), rtol=1e-12)
    ex = _lrs(sched.CyclicLR(_opt(), lo, hi, step_size_up=up, mode="exp_range", gamma=0.98), 60)
    np.testing.assert_allclose(ex, lo + (hi - lo) * (1 - x) * 0.98 ** T, rtol=1e-12)


def test_warmup_cosine_helper():
    s = sched.get_scheduler("warmup_cosine", _opt(), warmup_steps=10, total_steps=50)
    lrs = _lrs(s, 50)
    assert lrs[0] == pytest.approx(0.001) and lrs[10] == pytest.approx(0.1)
    assert np.all(np.diff(lrs[:11]) > 0) and np.all(np.diff(lrs[10:]) < 0)


ALL = {
    "lambda": {"lr_lambda": lambda t: 0.9 ** t},
    "step": {"step_size": 5},
    "multistep": {"milestones": [3, 9]},
    "constant": {},
    "linear": {"total_iters": 9},
    "exponential": {"gamma": 0.9},
    "polynomial": {"total_iters": 30},
    "cosine": {"T_max": 12},
    "cosine_warm_restarts": {"T_0": 4, "T_mult": 2},
    "warmup_cosine": {"warmup_steps": 5, "total_steps": 40},
    "cyclic": {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4},
    "onecycle": {"max_lr": 0.1, "total_steps": 40},
    "plateau": {"patience": 1},
}


@pytest.mark.parametrize("name", list(ALL))
def test_state_dict_json_round_trip_resumes(name):
    opt1 = _opt()
    s1 = sched.get_scheduler(name, opt1, **ALL[name])
    metric = iter(np.r_[np.linspace(1, 0.5, 10), np.full(30, 0.5)])
    step = (lambda s: s.step(next(metric))) if s1.needs_metric else (lambda s: s.step())
    for _ in range(10):
        step(s1)
    saved_sched = json.loads(json.dumps(s1.state_dict()))
    saved_lr = opt1.param_groups[0]["lr"]
    opt2 = _opt()
    s2 = sched.get_scheduler(name, opt2, **ALL[name])
    s2.load_state_dict(saved_sched)
    opt2.param_groups[0]["lr"] = saved_lr
    rest = list(metric)
    for k in range(25):
        if s1.needs_metric:
            s1.step(rest[k])
            s2.step(rest[k])
        else:
            s1.step()
            s2.step()
        assert s1.get_last_lr() == s2.get_last_lr()
        assert opt1.param_groups[0]["momentum"] == opt2.param_groups[0]["momentum"]


def test_registry_intervals_and_metric_flag():
    assert sched.CyclicLR.interval == "batch" and sched.OneCycleLR.interval == "batch"
    for name in ("step", "cosine", "exponential", "plateau", "cosine_warm_restarts"):
        assert sched.SCHEDULERS[name].interval == "epoch"
    assert sched.ReduceLROnPlateau.needs_metric and not sched.StepLR.needs_metric
    assert isinstance(sched.get_scheduler("CosineAnnealingLR", _opt(), T_max=3),
                      sched.CosineAnnealingLR)
    with pytest.raises(ValueError, match="valid names: lambda, step, multistep"):
        sched.get_scheduler("cosinus", _opt())
    s = sched.ReduceLROnPlateau(_opt())
    with pytest.raises(ValueError, match="val_loss"):
        s.step()


BAD = [
    ("step", {}, "step_size is required"),
    ("step", {"step_size": 0}, "step_size.*0"),
    ("step", {"step_size": 3, "gamma": -1.0}, "gamma.*-1.0"),
    ("multistep", {}, "milestones is required"),
    ("multistep", {"milestones": [3, -1]}, "milestones.*-1"),
    ("exponential", {}, "gamma is required"),
    ("exponential", {"gamma": float("nan")}, "gamma.*nan"),
    ("cosine", {}, "T_max is required"),
    ("cosine", {"T_max": 2.5}, "T_max.*2.5"),
    ("cosine", {"T_max": 5, "eta_min": -1.0}, "eta_min.*-1.0"),
    ("cosine_warm_restarts", {}, "T_0 is required"),
    ("cosine_warm_restarts", {"T_0": 5, "T_mult": 0}, "T_mult.*0"),
    ("linear", {"start_factor": 0.0}, "start_factor.*0.0"),
    ("constant", {"factor": 2.0}, "factor.*2.0"),
    ("polynomial", {"total_iters": -3}, "total_iters.*-3"),
    ("lambda", {}, "lr_lambda is required"),
    ("cyclic", {"max_lr": 0.1}, "base_lr is required"),
    ("cyclic", {"base_lr": 0.1, "max_lr": 1.0, "mode": "sine"}, "mode.*'sine'"),
    ("cyclic", {"base_lr": -0.1, "max_lr": 1.0}, "base_lr.*-0.1"),
    ("onecycle", {"total_steps": 10}, "max_lr is required"),
    ("onecycle", {"max_lr": 0.1}, "total_steps"),
    ("onecycle", {"max_lr": 0.1, "total_steps": 10, "pct_start": 1.5}, "pct_start.*1.5"),
    ("plateau", {"factor": 1.0}, "factor.*1.0"),
    ("plateau", {"mode": "avg"}, "mode.*'avg'"),
    ("warmup_cosine", {"warmup_steps": 10, "total_steps": 5}, "total_steps.*5"),
]


@pytest.mark.parametrize(("name", "kwargs", "match"), BAD,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(BAD)])
def test_bad_schedule_arguments(name, kwargs, match):
    # a value of the wrong type (T_max=2.5) is a TypeError, a bad value a ValueError
    with pytest.raises((TypeError, ValueError), match=match):
        sched.get_scheduler(name, _opt(), **kwargs)


def test_onecycle_past_total_steps_and_cycle_momentum_needs_momentum():
    s = sched.OneCycleLR(_opt(), max_lr=0.1, total_steps=3)
    for _ in range(3):      # like PyTorch: t = 0..total_steps are valid
        s.step()
    with pytest.raises(ValueError, match="total_steps=3"):
        s.step()
    adagrad = optim.Adagrad([Parameter(np.zeros(2))])
    with pytest.raises(ValueError, match="cycle_momentum"):
        sched.CyclicLR(adagrad, 0.01, 0.1)
    sched.CyclicLR(adagrad, 0.01, 0.1, cycle_momentum=False).step()
