"""Diagnostics: dead ReLUs, saturation, vanishing gradients, LR range test, capacity sweep
(SPEC C3, J2)."""

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn, optim
from lucidnet.train import Trainer
from lucidnet.train.capacity import capacity_sweep
from lucidnet.train.diagnostics import (
    DiagnosticWarning,
    GradientMonitor,
    activation_stats,
    diagnose,
    gradient_norms,
    layer_outputs,
)
from lucidnet.train.lr_finder import lr_find


def _data(n=256, d=10, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    return X, y


def _relu_net(bias=None):
    model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 2))
    if bias is not None:
        model[0].bias.data[...] = bias
    return model


def _fit_with_monitor(model, **kw):
    X, y = _data()
    monitor = GradientMonitor(probe=X, **kw)
    Trainer(model, "cross_entropy", optim.SGD(model.parameters(), lr=0.05), callbacks=[monitor],
            verbose=0).fit(X, y, epochs=2, batch_size=64, seed=0)
    return monitor


def test_monitor_flags_dead_relus_on_a_broken_network():
    with pytest.warns(DiagnosticWarning) as caught:
        monitor = _fit_with_monitor(_relu_net(bias=-20.0))
    texts = [str(w.message) for w in caught]
    assert "epoch 1: layer 1 (ReLU): 100% of units dead (zero output on every probe sample) -- " \
           "lower the learning rate, check the initialization/bias, or use LeakyReLU" in texts
    # a dead layer passes no gradient back: the first layer's gradient is exactly zero
    assert any(t.startswith("epoch 1: vanishing gradients: the first layer (0)") for t in texts)
    assert len(texts) == 2  # each warning once per layer and fit, not every epoch
    assert len(monitor.records) == 2
    assert monitor.records[-1]["activations"]["1"]["dead_fraction"] == 1.0
    assert any("dead" in w for w in monitor.records[-1]["warnings"])


def test_monitor_is_quiet_on_a_healthy_network(recwarn):
    monitor = _fit_with_monitor(_relu_net())
    assert not [w for w in recwarn.list if issubclass(w.category, DiagnosticWarning)]
    rec = monitor.records[-1]
    assert rec["activations"]["1"]["dead_fraction"] < 0.2 and rec["warnings"] == []
    assert set(rec["grad_norm"]) == {"0", "2"} and all(v > 0 for v in rec["grad_norm"].values())


def test_monitor_without_probe_uses_the_last_training_batch():
    X, y = _data()
    model = _relu_net(bias=-20.0)
    monitor = GradientMonitor(warn=False)
    Trainer(model, "cross_entropy", optim.SGD(model.parameters(), lr=0.05), callbacks=[monitor],
            verbose=0).fit(X, y, epochs=1, batch_size=128)
    assert monitor.records[0]["activations"]["1"]["dead_fraction"] == 1.0
    assert "forward" not in model.__dict__  # the input hook is removed after training


def test_saturated_sigmoid_units_are_flagged():
    X, _ = _data()
    model = nn.Sequential(nn.Linear(10, 32), nn.Sigmoid(), nn.Linear(32, 2))
    model[0].weight.data *= 500
    stats = activation_stats(model, X)
    assert stats["1"]["saturated_fraction"] > 0.9
    record = diagnose(model, X, _data()[1], "cross_entropy")
    assert any("saturated" in w and "layer 1 (Sigmoid)" in w for w in record["warnings"])
    model[0].weight.data /= 500
    assert activation_stats(model, X)["1"]["saturated_fraction"] == 0.0


def _deep(activation, init=None, depth=10, width=32):
    layers = [nn.Linear(10, width), activation()]
    for _ in range(depth - 1):
        layers += [nn.Linear(width, width), activation()]
    model = nn.Sequential(*layers, nn.Linear(width, 2))
    if init is not None:
        for m in model:
            if isinstance(m, nn.Linear):
                init(m.weight)
                nn.init.zeros_(m.bias)
    return model


def test_vanishing_gradients_in_deep_sigmoid_net_not_in_relu_he():
    """SPEC C3/G2: the first layer of a deep sigmoid net gets a tiny fraction of the last layer's
    gradient; ReLU with He initialization keeps them comparable."""
    X, y = _data()
    sig = diagnose(_deep(nn.Sigmoid), X, y, "cross_entropy")
    norms = list(sig["grad_norm"].values())
    assert norms[0] / norms[-1] < 1e-3
    assert any(w.startswith("vanishing gradients: the first layer (0)") for w in sig["warnings"])
    relu = diagnose(_deep(nn.ReLU, init=nn.init.he_normal_), X, y, "cross_entropy")
    norms = list(relu["grad_norm"].values())
    assert 0.1 < norms[0] / norms[-1] < 10 and not relu["warnings"]


def test_gradient_norms_and_layer_outputs_match_direct_computation():
    X, y = _data(n=32)
    model = _relu_net()
    diagnose(model, X, y, "cross_entropy")
    g = model[0].weight.grad, model[0].bias.grad
    expected = np.sqrt((g[0].astype(np.float64) ** 2).sum() + (g[1].astype(np.float64) ** 2).sum())
    assert gradient_norms(model)["0"] == pytest.approx(expected, rel=1e-5)
    outs = layer_outputs(model, X)
    assert [n for n, _, _ in outs] == ["0", "1", "2"]
    hidden = X @ model[0].weight.data.T + model[0].bias.data
    np.testing.assert_allclose(outs[1][2], np.maximum(hidden, 0), rtol=1e-5, atol=1e-6)
    assert "forward" not in model[1].__dict__


def test_exploding_gradient_warning():
    X, y = _data(n=64)
    model = _relu_net()
    model[0].weight.data *= 1e4
    record = diagnose(model, X * 1e3, y, "cross_entropy")
    assert any(w.startswith("exploding gradients: layer") for w in record["warnings"])


@pytest.mark.parametrize("kw,match", [
    ({"every_n_batches": 0}, "every_n_batches must be an integer >= 1, got 0"),
    ({"dead_threshold": 1.5}, "dead_threshold must be a fraction in \\[0, 1\\], got 1.5"),
    ({"vanish_ratio": -1}, "vanish_ratio must be a positive number, got -1"),
    ({"probe": np.zeros((0, 3))}, "probe is empty"),
])
def test_monitor_bad_arguments(kw, match):
    with pytest.raises(ValueError, match=match):
        GradientMonitor(**kw)


def test_layer_outputs_rejects_non_modules():
    with pytest.raises(TypeError, match="expects a lucidnet Module, got ndarray"):
        layer_outputs(np.zeros(3), np.zeros((2, 3)))


def test_manual_seed_is_respected():  # the monitor must not consume random numbers
    X, y = _data()
    finals = []
    for cbs in ([], [GradientMonitor(probe=X, warn=False)]):
        ln.manual_seed(0)
        model = _relu_net()
        Trainer(model, "cross_entropy", optim.SGD(model.parameters(), lr=0.05), callbacks=cbs,
                verbose=0).fit(X, y, epochs=2, batch_size=64, seed=0)
        finals.append(model.state_dict())
    for k in finals[0]:
        np.testing.assert_array_equal(finals[0][k], finals[1][k])


# ---------------------------------------------------------------------------- LR range test
def _regression(n=512, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 5)).astype(np.float32)
    return X, X @ rng.standard_normal(5) + 0.1 * rng.standard_normal(n)


def _mlp_trainer(lr=0.01):
    model = nn.Sequential(nn.Linear(5, 32), nn.ReLU(), nn.Linear(32, 1))
    return Trainer(model, "mse", optim.SGD(model.parameters(), lr=lr), verbose=0)


def test_lr_find_suggests_a_sensible_rate_and_restores_everything():
    X, y = _regression()
    trainer = _mlp_trainer()
    before = trainer.model.state_dict()
    rng_before = ln.random.get_rng_state()
    result = lr_find(trainer, X, y, num_steps=100)
    # the exponential schedule, stopped on divergence well before end_lr
    np.testing.assert_allclose(result.lrs, 1e-7 * 1e8 ** (np.arange(len(result.lrs)) / 99), rtol=1e-9)
    assert result.diverged and result.lrs[-1] < 10
    best_lr = result.lrs[np.argmin(result.losses)]
    assert 1e-3 < result.suggestion < best_lr < result.lrs[-1]
    for k, v in trainer.model.state_dict().items():
        np.testing.assert_array_equal(v, before[k])
    assert trainer.optimizer.param_groups[0]["lr"] == 0.01
    assert ln.random.get_rng_state() == rng_before
    # the suggested rate trains much faster than one 100x smaller
    losses = {}
    for lr in (result.suggestion, result.suggestion / 100):
        ln.manual_seed(0)
        t = _mlp_trainer(lr)
        losses[lr] = t.fit(X, y, epochs=3, batch_size=32, seed=0)["loss"][-1]
    assert losses[result.suggestion] < 0.2 * losses[result.suggestion / 100]


@pytest.mark.parametrize("kw,match", [
    ({"start_lr": 0}, "start_lr must be a positive number, got 0"),
    ({"start_lr": 1.0, "end_lr": 0.1}, r"end_lr \(0.1\) must be larger than start_lr \(1.0\)"),
    ({"num_steps": 1}, "num_steps must be an integer >= 2, got 1"),
    ({"beta": 1.0}, r"beta must be in \[0, 1\), got 1.0"),
])
def test_lr_find_bad_arguments(kw, match):
    X, y = _regression(n=64)
    with pytest.raises(ValueError, match=match):
        lr_find(_mlp_trainer(), X, y, **kw)
    with pytest.raises(TypeError, match="expects a Trainer"):
        lr_find(nn.Linear(5, 1), X, y)


# ---------------------------------------------------------------------------- capacity sweep
def test_capacity_sweep_shows_underfitting_small_models():
    """SPEC J2: a 1-unit net underfits sin(3x) (high train and validation loss); wider nets fit."""
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, (80, 1))
    y = np.sin(3 * X[:, 0]) + 0.3 * rng.standard_normal(80)
    result = capacity_sweep(lambda h: nn.Sequential(nn.Linear(1, h), nn.Tanh(), nn.Linear(h, 1)),
                            [1, 16], X, y, epochs=100, batch_size=16, lr=0.02, metric="r2")
    assert result.n_params == [4, 49]
    assert result.train_loss[0] > 1.5 * result.train_loss[1]
    assert result.val_loss[0] > result.val_loss[1] and result.best_size == 16
    assert result.val_score[1] > result.val_score[0] and result.metric == "r2"
    with pytest.raises(ValueError, match="sizes is empty"):
        capacity_sweep(lambda h: None, [], X, y)
    with pytest.raises(TypeError, match=r"build_fn\(3\) returned NoneType; expected a Module"):
        capacity_sweep(lambda h: None, [3], X, y)
