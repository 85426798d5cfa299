"""Issue 10: SWALR, AveragedModel and update_bn against torch.optim.swa_utils (learning rates,
averaged weights and buffers over a short training run on identical data and weights, the
BatchNorm statistics update_bn recomputes), state dicts, save -> load -> continue, bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn, optim
from lucidnet.nn import Parameter
from lucidnet.optim import lr_scheduler as sched
from lucidnet.optim import swa_utils
from tests.optim.helpers import make_data, make_weights

torch = pytest.importorskip("torch")
TS = torch.optim.swa_utils

RTOL, ATOL = 1e-10, 1e-13
X, Y = make_data(n=16)


@pytest.fixture(autouse=True)
def torch_float64():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


# ------------------------------------------------------------------------------- models
def make_models(bn: bool = False, seed: int = 0):
    """The same float64 MLP in lucidnet and torch: Linear(4, 5) [-> BatchNorm1d] -> tanh ->
    Linear(5, 3)."""
    w = make_weights(seed)
    mid = [nn.BatchNorm1d(5, dtype=np.float64)] if bn else []
    ours = nn.Sequential(nn.Linear(4, 5, dtype=np.float64), *mid, nn.Tanh(),
                         nn.Linear(5, 3, dtype=np.float64))
    tmid = [torch.nn.BatchNorm1d(5)] if bn else []
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 5), *tmid, torch.nn.Tanh(),
                                 torch.nn.Linear(5, 3)).double()
    lin_ours = [m for m in ours if isinstance(m, nn.Linear)]
    lin_theirs = [m for m in theirs if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        for k, (a, b) in enumerate(zip(lin_ours, lin_theirs)):
            a.weight.data[...] = w[2 * k]
            a.bias.data[...] = w[2 * k + 1]
            b.weight.copy_(torch.tensor(w[2 * k]))
            b.bias.copy_(torch.tensor(w[2 * k + 1]))
    return ours, theirs


def _lib(lib):
    return (ln.tensor, optim) if lib is ln else (torch.tensor, torch.optim)


def _batch(i, n=8):
    idx = [(i + k) % len(X) for k in range(n)]
    return X[idx], Y[idx]


def train_swa(lib, model, avg_kwargs, steps=30, swa_start=10, strategy="cos", state=None,
              start=0, stop=None):
    """SGD with momentum, cosine annealing until ``swa_start``, then SWALR and one
    update_parameters per step (PyTorch's SWA recipe). Returns (lrs, swa_model, objects)."""
    tensor, lib_optim = _lib(lib)
    opt = lib_optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-3)
    cosine = lib_optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
    swa_model = lib_optim.swa_utils.AveragedModel(model, **avg_kwargs(lib_optim.swa_utils))
    swa_sched = lib_optim.swa_utils.SWALR(opt, swa_lr=0.01, anneal_epochs=5, anneal_strategy=strategy)
    if state is not None:
        opt.load_state_dict(state["opt"])
        cosine.load_state_dict(state["cosine"])
        swa_sched.load_state_dict(state["swa_sched"])
        swa_model.load_state_dict(state["swa_model"])
        model.load_state_dict(state["model"])
    lrs = []
    for i in range(start, steps if stop is None else stop):
        xb, yb = _batch(i)
        opt.zero_grad()
        loss = ((model(tensor(xb)) - tensor(yb)) ** 2).mean()
        loss.backward()
        opt.step()
        if i >= swa_start:
            swa_model.update_parameters(model)
            swa_sched.step()
        else:
            cosine.step()
        lrs.append(opt.param_groups[0]["lr"])
    return lrs, swa_model, {"opt": opt, "cosine": cosine, "swa_sched": swa_sched,
                            "swa_model": swa_model, "model": model}


def _assert_state_equal(ours_sd, theirs_sd, rtol=RTOL):
    assert list(ours_sd) == list(theirs_sd)
    for key, value in theirs_sd.items():
        want = value.detach().numpy()
        got = np.asarray(ours_sd[key])
        if want.dtype.kind == "i":
            assert got.dtype == np.int64 and np.array_equal(got, want), key
        else:
            np.testing.assert_allclose(got, want, rtol=rtol, atol=ATOL, err_msg=key)


AVERAGING = {
    "swa-default": lambda su: {},
    "swa-avg_fn": lambda su: {"avg_fn": su.get_swa_avg_fn()},
    "swa-multi_avg_fn": lambda su: {"multi_avg_fn": su.get_swa_multi_avg_fn()},
    "ema-avg_fn": lambda su: {"avg_fn": su.get_ema_avg_fn(0.9)},
    "ema-multi_avg_fn": lambda su: {"multi_avg_fn": su.get_ema_multi_avg_fn(0.8)},
    "custom-avg_fn": lambda su: {"avg_fn": lambda a, m, n: 0.25 * a + 0.75 * m + 0.001 * n},
    "ema-buffers": lambda su: {"multi_avg_fn": su.get_ema_multi_avg_fn(0.7),
                               "use_buffers": True},
    "swa-buffers": lambda su: {"use_buffers": True},
}


@pytest.mark.parametrize("bn", [False, True], ids=["mlp", "mlp-bn"])
@pytest.mark.parametrize("key", list(AVERAGING))
def test_swa_training_run_matches_torch(key, bn):
    ours, theirs = make_models(bn)
    lr_ours, avg_ours, _ = train_swa(ln, ours, AVERAGING[key])
    lr_theirs, avg_theirs, _ = train_swa(torch, theirs, AVERAGING[key])
    np.testing.assert_allclose(lr_ours, lr_theirs, rtol=1e-12, atol=1e-15)
    assert lr_ours[-1] == pytest.approx(0.01)                     # annealed to swa_lr
    assert int(avg_ours.n_averaged) == int(avg_theirs.n_averaged) == 20
    _assert_state_equal(ours.state_dict(), theirs.state_dict())   # the trained model
    _assert_state_equal(avg_ours.state_dict(), avg_theirs.state_dict())
    # the average is not the last model
    w_avg, w_last = avg_ours.module[0].weight.data, ours[0].weight.data
    assert np.abs(w_avg - w_last).max() > 1e-4
    avg_ours.eval()
    avg_theirs.eval()
    np.testing.assert_allclose(avg_ours(X).data, avg_theirs(torch.tensor(X)).detach().numpy(),
                               rtol=RTOL, atol=ATOL)


def test_default_average_is_the_mean_of_the_snapshots():
    model = nn.Linear(3, 2, dtype=np.float64)
    swa = swa_utils.AveragedModel(model)
    snapshots = []
    rng = np.random.default_rng(0)
    for _ in range(5):
        for p in model.parameters():
            p.data[...] = rng.standard_normal(p.data.shape)
        snapshots.append(model.weight.data.copy())
        swa.update_parameters(model)
    np.testing.assert_allclose(swa.module.weight.data, np.mean(snapshots, axis=0), rtol=1e-14)
    assert swa.module.weight is not model.weight and int(swa.n_averaged) == 5
    assert swa.n_averaged.dtype == np.int64 and swa.n_averaged.shape == ()


def test_ema_formula_and_first_update_copies():
    model = nn.Linear(2, 2, dtype=np.float64)
    ema = swa_utils.AveragedModel(model, multi_avg_fn=swa_utils.get_ema_multi_avg_fn(0.9))
    model.weight.data[...] = 1.0
    ema.update_parameters(model)
    np.testing.assert_array_equal(ema.module.weight.data, np.ones((2, 2)))
    model.weight.data[...] = 3.0
    ema.update_parameters(model)
    np.testing.assert_allclose(ema.module.weight.data, 0.9 * 1 + 0.1 * 3, rtol=1e-15)
    for decay, expected in ((0.0, 3.0), (1.0, 1.0)):   # the ends of [0, 1] are exact
        e = swa_utils.AveragedModel(model, multi_avg_fn=swa_utils.get_ema_multi_avg_fn(decay))
        model.weight.data[...] = 1.0
        e.update_parameters(model)
        model.weight.data[...] = 3.0
        e.update_parameters(model)
        np.testing.assert_array_equal(e.module.weight.data, expected)


def test_buffers_follow_the_model_unless_averaged():
    ours, _ = make_models(bn=True)
    swa = swa_utils.AveragedModel(ours)
    ours.train()
    for i in range(3):
        ours(_batch(i)[0])
        swa.update_parameters(ours)
    bn_model, bn_swa = ours[1], swa.module[1]
    np.testing.assert_array_equal(bn_swa.running_mean, bn_model.running_mean)
    assert int(bn_swa.num_batches_tracked) == 3
    assert bn_swa.running_mean is not bn_model.running_mean


def test_float32_model_keeps_dtype():
    model = nn.Linear(3, 2)                          # float32 by default
    swa = swa_utils.AveragedModel(model, avg_fn=swa_utils.get_ema_avg_fn(0.5))
    swa.update_parameters(model)
    model.weight.data[...] += 1
    swa.update_parameters(model)
    assert swa.module.weight.data.dtype == np.float32
    out = swa(np.ones((4, 3), np.float32))
    assert out.dtype == np.float32 and out.shape == (4, 2)


# ------------------------------------------------------------------------------- state
def test_state_dict_keys_match_torch_and_round_trip():
    ours, theirs = make_models(bn=True)
    _, avg_ours, _ = train_swa(ln, ours, AVERAGING["swa-default"], steps=14, swa_start=10)
    _, avg_theirs, _ = train_swa(torch, theirs, AVERAGING["swa-default"], steps=14,
                                 swa_start=10)
    sd = avg_ours.state_dict()
    assert list(sd) == list(avg_theirs.state_dict())
    assert list(sd)[:2] == ["n_averaged", "module.0.weight"]
    fresh = swa_utils.AveragedModel(make_models(bn=True)[0])
    fresh.load_state_dict(sd)
    assert int(fresh.n_averaged) == 4
    _assert_state_equal(fresh.state_dict(), avg_theirs.state_dict())
    # torch's state dict, as NumPy arrays, loads and computes the same
    exported = {k: v.detach().numpy() for k, v in avg_theirs.state_dict().items()}
    other = swa_utils.AveragedModel(make_models(bn=True)[0])
    other.load_state_dict(exported)
    other.eval()
    avg_theirs.eval()
    np.testing.assert_allclose(other(X).data, avg_theirs(torch.tensor(X)).detach().numpy(),
                               rtol=RTOL, atol=ATOL)


def _to_json(obj):
    if isinstance(obj, dict):
        return {str(k): _to_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_to_json(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return obj


@pytest.mark.parametrize("strategy", ["cos", "linear"])
def test_save_load_continue_gives_the_same_trajectory(strategy):
    """Save model, optimizer, both schedules and the averaged model mid-SWA (through JSON),
    rebuild everything, load, continue: the same lrs, weights and average as without a stop."""
    kwargs = AVERAGING["ema-buffers"]
    ours, _ = make_models(bn=True)
    lrs_full, avg_full, _ = train_swa(ln, ours, kwargs, strategy=strategy)
    ours2, _ = make_models(bn=True)
    lrs_a, _, objs = train_swa(ln, ours2, kwargs, strategy=strategy, stop=13)
    text = json.dumps({name: _to_json(obj.state_dict()) for name, obj in objs.items()})
    state = json.loads(text)
    for name in ("model", "swa_model"):
        state[name] = {k: np.asarray(v) for k, v in state[name].items()}
    fresh, _ = make_models(bn=True, seed=7)          # other weights, replaced by the load
    lrs_b, avg_b, _ = train_swa(ln, fresh, kwargs, strategy=strategy, state=state, start=13)
    assert lrs_a + lrs_b == lrs_full
    for key, value in avg_full.state_dict().items():
        np.testing.assert_array_equal(avg_b.state_dict()[key], value, err_msg=key)
    for key, value in ours.state_dict().items():
        np.testing.assert_array_equal(fresh.state_dict()[key], value, err_msg=key)


# ------------------------------------------------------------------------------- SWALR
def _sgd_pair(lrs=(0.1,)):
    ps = [Parameter(np.zeros(2)) for _ in lrs]
    qs = [torch.zeros(2, requires_grad=True) for _ in lrs]
    ours = optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(ps, lrs)], lr=lrs[0])
    theirs = torch.optim.SGD([{"params": [q], "lr": lr} for q, lr in zip(qs, lrs)], lr=lrs[0])
    return ours, theirs


SWALR_CASES = [
    {"swa_lr": 0.05},
    {"swa_lr": 0.02, "anneal_epochs": 7, "anneal_strategy": "linear"},
    {"swa_lr": 0.3, "anneal_epochs": 4},                 # anneals up
    {"swa_lr": 0.01, "anneal_epochs": 1},
    {"swa_lr": 0.01, "anneal_epochs": 0},
    {"swa_lr": 0.01, "anneal_epochs": 0, "anneal_strategy": "linear"},
    {"swa_lr": 0.1, "anneal_epochs": 3},                 # already there
]


@pytest.mark.parametrize("kwargs", SWALR_CASES, ids=[str(k) for k in SWALR_CASES])
def test_swalr_matches_torch(kwargs):
    ours_opt, theirs_opt = _sgd_pair((0.1, 0.04))
    ours = sched.SWALR(ours_opt, **kwargs)
    theirs = TS.SWALR(theirs_opt, **kwargs)
    for _ in range(20):
        assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-13, abs=1e-16)
        assert [g["lr"] for g in ours_opt.param_groups] == ours.get_last_lr()
        theirs_opt.step()
        ours.step()
        theirs.step()
    assert ours.get_last_lr() == pytest.approx([kwargs["swa_lr"]] * 2)
    assert [g["swa_lr"] for g in ours_opt.param_groups] == [kwargs["swa_lr"]] * 2


def test_swalr_per_group_swa_lr_and_after_another_schedule_match_torch():
    ours_opt, theirs_opt = _sgd_pair((0.1, 0.05))
    c1 = sched.CosineAnnealingLR(ours_opt, T_max=30)
    c2 = torch.optim.lr_scheduler.CosineAnnealingLR(theirs_opt, T_max=30)
    s1 = sched.SWALR(ours_opt, swa_lr=[0.02, 0.001], anneal_epochs=6, anneal_strategy="linear")
    s2 = TS.SWALR(theirs_opt, swa_lr=[0.02, 0.001], anneal_epochs=6, anneal_strategy="linear")
    for epoch in range(30):
        theirs_opt.step()
        a, b = (s1, s2) if epoch >= 12 else (c1, c2)
        a.step()
        b.step()
        assert [g["lr"] for g in ours_opt.param_groups] == pytest.approx(
            [g["lr"] for g in theirs_opt.param_groups], rel=1e-12)
    assert s1.get_last_lr() == pytest.approx([0.02, 0.001])


def test_swalr_in_sequential_and_chained_schedulers_matches_torch():
    import warnings

    ours_opt, theirs_opt = _sgd_pair()
    T = torch.optim.lr_scheduler
    seq1 = sched.SequentialLR(ours_opt, [sched.LinearLR(ours_opt, 0.2, 1.0, 4),
                                         sched.SWALR(ours_opt, swa_lr=0.03, anneal_epochs=5)],
                              milestones=[6])
    seq2 = T.SequentialLR(theirs_opt, [T.LinearLR(theirs_opt, 0.2, 1.0, 4),
                                       TS.SWALR(theirs_opt, swa_lr=0.03, anneal_epochs=5)],
                          milestones=[6])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")        # torch: step(epoch) is deprecated
        for _ in range(20):
            assert seq1.get_last_lr() == pytest.approx(seq2.get_last_lr(), rel=1e-12)
            theirs_opt.step()
            seq1.step()
            seq2.step()
    ours_opt, theirs_opt = _sgd_pair()
    ch1 = sched.ChainedScheduler([sched.ExponentialLR(ours_opt, 0.9),
                                  sched.SWALR(ours_opt, swa_lr=0.05, anneal_epochs=3)])
    ch2 = T.ChainedScheduler([T.ExponentialLR(theirs_opt, 0.9),
                              TS.SWALR(theirs_opt, swa_lr=0.05, anneal_epochs=3)])
    for _ in range(10):
        assert ch1.get_last_lr() == pytest.approx(ch2.get_last_lr(), rel=1e-12)
        theirs_opt.step()
        ch1.step()
        ch2.step()


def test_swalr_state_dict_json_round_trip_and_torchs_state_dict():
    ours_opt, theirs_opt = _sgd_pair()
    s1 = sched.SWALR(ours_opt, swa_lr=0.01, anneal_epochs=8, anneal_strategy="linear")
    s2 = TS.SWALR(theirs_opt, swa_lr=0.01, anneal_epochs=8, anneal_strategy="linear")
    for _ in range(3):
        theirs_opt.step()
        s1.step()
        s2.step()
    sd = json.loads(json.dumps(s1.state_dict()))
    assert "optimizer" not in sd and "anneal_func" not in sd
    assert sd["_anneal_strategy"] == "linear" and sd["anneal_epochs"] == 8
    # resume as from a checkpoint: build both, then load the optimizer (its groups hold lr and
    # swa_lr) and the schedule (its counters and strategy)
    resumed_opt, _ = _sgd_pair()
    resumed = sched.SWALR(resumed_opt, swa_lr=0.5, anneal_strategy="cos")   # replaced by load
    resumed_opt.load_state_dict(json.loads(json.dumps(ours_opt.state_dict())))
    resumed.load_state_dict(sd)
    assert resumed_opt.param_groups[0]["swa_lr"] == 0.01
    assert resumed.anneal_func(0.5) == 0.5                                 # linear again
    from_torch_opt, _ = _sgd_pair()
    from_torch_opt.load_state_dict(ours_opt.state_dict())
    from_torch = sched.SWALR(from_torch_opt, swa_lr=0.01)
    from_torch.load_state_dict(s2.state_dict())
    for _ in range(10):
        theirs_opt.step()
        for s in (s1, s2, resumed, from_torch):
            s.step()
        assert resumed.get_last_lr() == s1.get_last_lr()
        assert from_torch.get_last_lr() == pytest.approx(s2.get_last_lr(), rel=1e-13)
        assert s1.get_last_lr() == pytest.approx(s2.get_last_lr(), rel=1e-13)


@pytest.mark.parametrize(("kwargs", "exc", "match"), [
    ({}, ValueError, "swa_lr is required"),
    ({"swa_lr": -0.1}, ValueError, r"swa_lr must be a finite number in \[0.0, inf\)"),
    ({"swa_lr": float("nan")}, ValueError, "swa_lr must be a finite number"),
    ({"swa_lr": "0.1"}, TypeError, "swa_lr must be a real number, got '0.1'"),
    ({"swa_lr": [0.1, 0.2]}, ValueError, "swa_lr has 2 values, the optimizer has 1"),
    ({"swa_lr": 0.1, "anneal_epochs": -1}, ValueError, "anneal_epochs must be an integer >= 0"),
    ({"swa_lr": 0.1, "anneal_epochs": 2.5}, TypeError, "anneal_epochs must be an integer, got 2.5"),
    ({"swa_lr": 0.1, "anneal_epochs": True}, TypeError, "anneal_epochs must be an integer"),
    ({"swa_lr": 0.1, "anneal_strategy": "exp"}, ValueError,
     "anneal_strategy must be one of 'cos', 'linear', got 'exp'"),
    ({"swa_lr": 0.1, "last_epoch": -2}, ValueError, "last_epoch must be an integer >= -1"),
])
def test_swalr_bad_arguments(kwargs, exc, match):
    opt, _ = _sgd_pair()
    with pytest.raises(exc, match=match):
        sched.SWALR(opt, **kwargs)
    assert "swa_lr" not in opt.param_groups[0]          # nothing was changed


def test_swalr_bad_optimizer_and_state_dict():
    with pytest.raises(TypeError, match="expected an Optimizer"):
        sched.SWALR([Parameter(np.ones(2))], swa_lr=0.1)
    opt, _ = _sgd_pair()
    s = sched.SWALR(opt, swa_lr=0.1)
    sd = s.state_dict()
    sd["_anneal_strategy"] = "exp"
    with pytest.raises(ValueError, match="'cos' or 'linear', got 'exp'"):
        s.load_state_dict(sd)
    assert s._anneal_strategy == "cos"
    with pytest.raises(ValueError, match="expected the dict of SWALR.state_dict"):
        s.load_state_dict([1, 2])
    assert "SWALR" in swa_utils.__all__ and swa_utils.SWALR is sched.SWALR


# ------------------------------------------------------------------------------- update_bn
def _bn_pair():
    ours = nn.Sequential(nn.Linear(4, 6, dtype=np.float64), nn.BatchNorm1d(6, dtype=np.float64),
                         nn.Tanh(), nn.Linear(6, 3, dtype=np.float64),
                         nn.BatchNorm1d(3, momentum=0.3, affine=False, dtype=np.float64))
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.BatchNorm1d(6), torch.nn.Tanh(),
                                 torch.nn.Linear(6, 3),
                                 torch.nn.BatchNorm1d(3, momentum=0.3, affine=False)).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize("tuples", [True, False], ids=["(x, y) batches", "bare batches"])
def test_update_bn_matches_torch(tuples):
    ours, theirs = _bn_pair()
    rng = np.random.default_rng(4)
    xs = [rng.standard_normal((n, 4)) * 2 + 1 for n in (5, 7, 3, 9)]
    for x in xs[:2]:                                 # some stale statistics to be replaced
        ours(x)
        theirs(torch.tensor(x))
    ours.eval()
    theirs.eval()
    ours_loader = [(x, np.zeros(len(x))) if tuples else x for x in xs]
    theirs_loader = [(torch.tensor(x), torch.zeros(len(x))) if tuples else torch.tensor(x)
                     for x in xs]
    swa_utils.update_bn(ours_loader, ours)
    TS.update_bn(theirs_loader, theirs)
    _assert_state_equal(ours.state_dict(), theirs.state_dict(), rtol=1e-12)
    assert int(ours[1].num_batches_tracked) == 4
    assert not ours.training and not ours[1].training          # mode restored
    assert ours[1].momentum == 0.1 and ours[4].momentum == 0.3  # momentum restored
    # cumulative average: the running mean is the mean of the four batch means
    means = [ours[0](x).data.mean(axis=0) for x in xs]
    np.testing.assert_allclose(ours[1].running_mean, np.mean(means, axis=0), rtol=1e-12)


def test_update_bn_on_an_averaged_model_and_training_mode_kept():
    ours, theirs = make_models(bn=True)
    _, avg_ours, _ = train_swa(ln, ours, AVERAGING["swa-default"], steps=16, swa_start=8)
    _, avg_theirs, _ = train_swa(torch, theirs, AVERAGING["swa-default"], steps=16, swa_start=8)
    swa_utils.update_bn([(X[:8], Y[:8]), (X[8:], Y[8:])], avg_ours)
    TS.update_bn([(torch.tensor(X[:8]), 0), (torch.tensor(X[8:]), 0)], avg_theirs)
    _assert_state_equal(avg_ours.state_dict(), avg_theirs.state_dict())
    assert avg_ours.training and int(avg_ours.module[1].num_batches_tracked) == 2


def test_update_bn_leaves_instance_norm_and_models_without_batchnorm_alone():
    ours = nn.Sequential(nn.InstanceNorm1d(2, track_running_stats=True, dtype=np.float64))
    theirs = torch.nn.Sequential(torch.nn.InstanceNorm1d(2, track_running_stats=True)).double()
    x = np.random.default_rng(0).standard_normal((3, 2, 5))
    ours(x)
    theirs(torch.tensor(x))
    before = {k: np.array(v) for k, v in ours.state_dict().items()}
    ours.eval()
    swa_utils.update_bn([x * 10], ours)
    TS.update_bn([torch.tensor(x * 10)], theirs)
    for k, v in before.items():
        np.testing.assert_array_equal(ours.state_dict()[k], v)
    _assert_state_equal(ours.state_dict(), theirs.state_dict(), rtol=1e-12)
    assert not ours.training                          # no BatchNorm: nothing changes
    lin = nn.Linear(2, 2)
    swa_utils.update_bn(iter([]), lin)
    assert lin.training


def test_update_bn_batchnorm2d_and_empty_loader():
    ours = nn.BatchNorm2d(3, dtype=np.float64)
    theirs = torch.nn.BatchNorm2d(3).double()
    rng = np.random.default_rng(1)
    xs = [rng.standard_normal((2, 3, 4, 4)) + k for k in range(3)]
    swa_utils.update_bn(xs, ours)
    TS.update_bn([torch.tensor(x) for x in xs], theirs)
    _assert_state_equal(ours.state_dict(), theirs.state_dict(), rtol=1e-12)
    swa_utils.update_bn([], ours)                      # reset, nothing seen
    TS.update_bn([], theirs)
    _assert_state_equal(ours.state_dict(), theirs.state_dict())
    np.testing.assert_array_equal(ours.running_var, np.ones(3))


def test_update_bn_restores_momentum_and_mode_when_a_batch_fails():
    ours, _ = _bn_pair()
    ours.eval()
    with pytest.raises(ValueError):
        swa_utils.update_bn([np.ones((4, 4)), np.ones((4, 9))], ours)
    assert ours[1].momentum == 0.1 and ours[4].momentum == 0.3 and not ours.training


def test_update_bn_bad_input():
    with pytest.raises(TypeError, match="model must be an nn.Module"):
        swa_utils.update_bn([np.ones((2, 2))], lambda x: x)
    with pytest.raises(TypeError, match="loader must be an iterable"):
        swa_utils.update_bn(3, nn.BatchNorm1d(2))
    with pytest.raises(RuntimeError, match="cuda"):
        swa_utils.update_bn([], nn.BatchNorm1d(2), device="cuda")


# ------------------------------------------------------------------------------- bad input
def test_averaged_model_bad_arguments():
    model = nn.Linear(2, 2)
    fn = swa_utils.get_swa_avg_fn()
    with pytest.raises(ValueError, match="at most one of avg_fn and multi_avg_fn"):
        swa_utils.AveragedModel(model, avg_fn=fn, multi_avg_fn=swa_utils.get_swa_multi_avg_fn())
    with pytest.raises(TypeError, match="avg_fn must be a function"):
        swa_utils.AveragedModel(model, avg_fn=0.9)
    with pytest.raises(TypeError, match="model must be an nn.Module"):
        swa_utils.AveragedModel([Parameter(np.ones(2))])
    with pytest.raises(TypeError, match="use_buffers must be True or False"):
        swa_utils.AveragedModel(model, use_buffers="yes")
    with pytest.raises(RuntimeError, match="cuda"):
        swa_utils.AveragedModel(model, device="cuda")
    swa_utils.AveragedModel(model, device="cpu")
    for maker in (swa_utils.get_ema_avg_fn, swa_utils.get_ema_multi_avg_fn):
        with pytest.raises(ValueError, match=r"decay must be a number in \[0, 1\], got 1.5"):
            maker(1.5)
        with pytest.raises(ValueError, match="decay must be a number"):
            maker(float("nan"))


def test_update_parameters_with_another_architecture_is_a_clear_error():
    swa = swa_utils.AveragedModel(nn.Linear(2, 3))
    with pytest.raises(ValueError, match=r"'weight' of the model has shape \(3, 4\).*\(3, 2\)"):
        swa.update_parameters(nn.Linear(4, 3))
    with pytest.raises(ValueError, match="the model has 1 parameters, the averaged copy has 2"):
        swa.update_parameters(nn.Linear(2, 3, bias=False))
    with pytest.raises(ValueError, match="buffers"):
        swa_utils.AveragedModel(nn.Sequential(nn.Linear(2, 2))).update_parameters(
            nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2, affine=False)))
    with pytest.raises(TypeError, match="expected an nn.Module"):
        swa.update_parameters({"weight": np.ones((3, 2))})
    assert int(swa.n_averaged) == 0                  # nothing was averaged


def test_averaged_model_forward_and_grad_of_the_copy():
    model = nn.Linear(3, 1, dtype=np.float64)
    swa = swa_utils.AveragedModel(model)
    swa.update_parameters(model)
    x = np.ones((2, 3))
    np.testing.assert_array_equal(swa(x).data, model(x).data)
    out = swa(x).sum()
    out.backward()
    assert swa.module.weight.grad is not None and model.weight.grad is None
    assert len(list(swa.parameters())) == 2


def test_lucidnet_save_and_load_of_an_averaged_model(tmp_path):
    ours, _ = make_models(bn=True)
    _, avg, _ = train_swa(ln, ours, AVERAGING["swa-default"], steps=13, swa_start=10)
    path = str(tmp_path / "swa.lnz")
    ln.save(avg, path)
    back = ln.load(path)
    assert isinstance(back, swa_utils.AveragedModel) and int(back.n_averaged) == 3
    for key, value in avg.state_dict().items():
        np.testing.assert_array_equal(back.state_dict()[key], value, err_msg=key)
    back.update_parameters(ours)                     # and it keeps averaging
    avg.update_parameters(ours)
    np.testing.assert_array_equal(back.module[0].weight.data, avg.module[0].weight.data)
    # an averaging function cannot be stored (PyTorch's state dict omits it too): a clear
    # refusal, and the state dict still saves
    ema = swa_utils.AveragedModel(ours, multi_avg_fn=swa_utils.get_ema_multi_avg_fn(0.9))
    with pytest.raises(TypeError, match="function"):
        ln.save(ema, str(tmp_path / "ema.lnz"))
    ln.save(ema.state_dict(), str(tmp_path / "ema_state.lnz"))
