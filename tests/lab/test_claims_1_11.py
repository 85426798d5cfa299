"""Lab claims 1-11 (SPEC L): each quick experiment's verdict and its key measured numbers.

Margins are set from seeds 0, 1 and 2 (the tests run seed 0); nothing here is a timing assertion.
"""

import math

import numpy as np
import pytest

from lucidnet.lab import CLAIMS, get_claim, run_claim
from lucidnet.plot._backend import pyplot
from tests.lab.figures import legend_outside, missing_legends


def _run(claim_id: int, seed: int = 0, figure_check=None):
    result = run_claim(claim_id, seed=seed, size="quick")
    assert result.figures, f"claim {claim_id} drew no figure"
    for fig in result.figures:
        assert len(fig.axes) <= 3 and fig.get_size_inches()[0] <= 10
        assert not missing_legends(fig), f"claim {claim_id}: no legend on {missing_legends(fig)}"
        if figure_check is not None:
            figure_check(fig)
        pyplot().close(fig)
    assert isinstance(result.explanation, str) and result.explanation.endswith(".")
    # the verdict comes from the claim's checks, and the sentence shows every one of them
    assert result.checks and all(c.sentence() in result.explanation for c in result.checks)
    return result, result.numbers


def test_claims_1_to_11_are_registered_with_spec_rows():
    for i in range(1, 12):
        c = get_claim(i)
        assert c.id == i and c.spec and c.seed_row and c.statement
    assert set(range(1, 12)) <= set(CLAIMS)


def test_claim_1_perceptron_and_xor():
    r, n = _run(1)
    assert r.verdict == "holds"
    assert n["and_converged_runs"] == "5/5" and n["or_converged_runs"] == "5/5"
    assert n["xor_converged_runs"] == "0/5"
    assert n["xor_perceptron_accuracy"] <= 0.75
    assert n["xor_best_of_random_lines"] == 0.75  # no line classifies all 4 XOR corners
    assert n["xor_mlp_accuracy"] == 1.0 and n["xor_mlp_final_bce"] < 0.05


def test_claim_2_deep_linear_net_is_one_linear_map():
    r, n = _run(2)
    assert r.verdict == "holds"
    assert n["composition_max_abs_diff_trained"] < 1e-12
    assert n["deep_linear_over_line"] == pytest.approx(1.0, abs=1e-3)
    assert n["deep_relu_over_line"] < 0.1
    assert n["xor_deep_linear_accuracy"] <= 0.75 and n["xor_deep_relu_accuracy"] == 1.0


def test_claim_3_sigmoid_saturation_and_vanishing_gradients():
    r, n = _run(3)
    assert r.verdict == "holds"
    assert n["sigmoid(+10)"] == pytest.approx(0.9999546, abs=1e-7)
    assert n["sigmoid(-10)"] == pytest.approx(4.5398e-5, rel=1e-3)
    assert n["sigmoid_slope(+10)"] == pytest.approx(4.5396e-5, rel=1e-3)
    assert n["sigmoid_slope_max(0)"] == pytest.approx(0.25)
    assert n["sigmoid + Xavier: first/last hidden layer grad norm"] < 1e-4
    assert 0.2 < n["sigmoid + Xavier: gradient factor per layer"] < 0.35  # ≈ max σ' = 0.25
    assert n["ReLU + He: first/last hidden layer grad norm"] > 0.05
    assert n["sigmoid + Xavier: first-layer relative weight change"] < 1e-4
    assert n["ReLU + He: first-layer relative weight change"] > 1e-2


def test_claim_4_dying_relu():
    r, n = _run(4)
    assert r.verdict == "holds"
    assert n["high lr, relu: inactive after lr 0.1"] > 0.5
    assert n["high lr, relu: zero-gradient units"] == n["high lr, relu: inactive after lr 0.1"]
    assert n["high lr, relu: inactive after lr 0.003"] >= n["high lr, relu: inactive after lr 0.1"]
    assert n["high lr, leaky_relu: zero-gradient units"] == 0.0
    relu, leaky = n["bias shift, relu: inactive start/end"], n["bias shift, leaky_relu: inactive start/end"]
    assert relu[0] == leaky[0]  # the same initial weights
    assert relu[1] >= relu[0] and leaky[1] < leaky[0] - 0.1
    assert n["bias shift, leaky_relu: final MSE"] < 0.3 * n["bias shift, relu: final MSE"]


def test_claim_5_input_scale_and_the_notes_gradient_table():
    r, n = _run(5)
    assert r.verdict == "holds"
    assert n["dL/dw at x=2"] == pytest.approx(-0.4, abs=1e-12)
    assert n["dL/dw at x=1000"] == pytest.approx(-200.0, abs=1e-9)
    assert n["grad norm ratio raw/standardized"] > 1e3
    assert n["raw: largest MSE seen"] > 1e6
    assert n["standardized: best final MSE"] < 0.05
    assert n["raw: best final MSE"] > 0.9


def _ten_layers(fig):
    lines = fig.axes[0].get_lines()
    assert lines and all(len(line.get_xdata()) == 10 for line in lines)  # "10 layers"
    assert list(lines[0].get_xdata()) == list(range(1, 11))


def test_claim_6_initialization_statistics_and_symmetry():
    r, n = _run(6, figure_check=_ten_layers)
    assert r.verdict == "holds"
    assert n["N(0,1) + tanh: share |a| > 0.99 at layer 10"] > 0.7
    assert n["0.01·N(0,1) + tanh: std layer 1 / 10"][1] < 1e-6
    assert 0.1 < n["Xavier + tanh: std layer 1 / 10"][1] < 0.5
    first, last = n["He + ReLU: std layer 1 / 10"]
    assert 0.6 < last / first < 1.6
    assert n["zero init: distinct hidden units (of 16)"] == 1
    assert n["zero init: max difference between hidden units"] == 0.0
    assert n["zero init: largest |first-layer weight| after training"] > 0.1
    assert n["0.01·N init: distinct hidden units (of 16)"] == 16


def _legends_off_the_curves(fig):
    # noisy loss curves can cross any corner in some run: the legends sit below the panels
    assert all(legend_outside(ax) for ax in fig.axes)


def test_claim_7_learning_rate_extremes_and_decay():
    r, n = _run(7, figure_check=_legends_off_the_curves)
    # the quick run's exponential decay (0.0991) ends above the best constant lr (0.0918)
    assert r.verdict == "partly holds"
    assert "exponential α0·e^(-kt) beats constant" in r.explanation.split("Failed:")[1]
    assert n["constant lr 3: final / initial loss"] > 0.9
    assert n["constant lr 0.001: loss drop"] < 0.1
    best_const = n["constant: best lr / final loss"][1]
    assert best_const < 0.2
    assert n["cosine: best lr / final loss"][1] < best_const
    jitter_const, jitter_cos = n["epoch-to-epoch loss jitter, last epochs: best constant / best cosine"]
    assert jitter_cos < jitter_const


def test_claim_8_optimizers_ravine_saddle_adagrad():
    r, n = _run(8)
    # Nesterov, like SGD, does not leave the saddle within the quick run: a failed check
    assert r.verdict == "partly holds"
    failed = r.explanation.split("Failed:")[1]
    assert "Nesterov leaves the saddle sooner: steps Nesterov never = SGD never (no)" in failed
    key = "ravine, {}: steps until f stays < 1e-4·f0 (best lr)"
    sgd = n[key.format("SGD")][0]
    assert 100 < sgd < 200
    for name in ("Momentum", "Nesterov"):
        assert n[key.format(name)][0] < 0.7 * sgd
    saddle = "saddle, {}: steps until |y| stays > 0.5 (ravine's lr)"
    assert math.isinf(n[saddle.format("SGD")])
    for name in ("Adagrad", "RMSprop", "Adam"):
        assert n[saddle.format(name)] <= 10
    for name in ("SGD", "Momentum", "Adam"):
        assert n[f"saddle, {name}: |y| after 200 steps from y = 0 exactly"] == 0.0
    assert n["Adagrad effective lr never grows"] is True
    assert n["Adagrad effective lr: last / first step"] < 0.6
    assert n["RMSprop effective lr: last / first step"] > 1.0


def test_claim_9_first_order_taylor():
    r, n = _run(9)
    assert r.verdict == "holds"
    for point in ("at init", "after 20 epochs"):
        err = n[f"{point}: relative error at η = 1e-4 / 1e-2 / 1 / 10"]
        assert err[0] < 1e-3 and err[0] < err[1] < err[3] and err[3] > 0.5
        assert n[f"{point}: slope of log error vs log η (η ≤ 1e-3)"] == pytest.approx(1.0, abs=0.05)


def test_claim_10_cross_entropy_vs_mse():
    r, n = _run(10)
    assert r.verdict == "holds"
    a = n["z = 5: a = σ(z)"]
    assert n["z = 5, target 0: dL/dz with cross-entropy"] == pytest.approx(a, abs=1e-12)
    assert n["z = 5, target 0: dL/dz with MSE"] == pytest.approx(2 * a * a * (1 - a), abs=1e-12)
    assert n["neuron, cross-entropy: epochs until a < 0.2"] * 3 < n["neuron, MSE: epochs until a < 0.2"]
    assert n["logistic, cross-entropy: epochs until accuracy ≥ 0.8"] < 100
    assert n["logistic, MSE: epochs until accuracy ≥ 0.8"] > 200


def test_claim_11_batch_stochastic_minibatch():
    r, n = _run(11)
    assert r.verdict == "holds"
    assert n["batch: updates per epoch"] == 1 and n["stochastic (1): updates per epoch"] == 400
    assert n["batch: share of updates that raise the full loss"] == 0.0
    assert n["stochastic (1): share of updates that raise the full loss"] > 0.3
    cos = [n[f"{m}: mean cosine(update gradient, full gradient)"]
           for m in ("batch", "mini-batch (32)", "stochastic (1)")]
    assert cos[0] == pytest.approx(1.0, abs=1e-6) and cos[1] > 0.7 and cos[2] < 0.3
    final = [n[f"{m}: loss after 3 epochs"] for m in ("batch", "mini-batch (32)", "stochastic (1)")]
    assert final[2] < final[1] < final[0]


def test_claims_are_deterministic_for_a_seed():
    a, b = run_claim(10, seed=1), run_claim(10, seed=1)
    assert a.numbers == b.numbers
    c, d = run_claim(4, seed=1), run_claim(4, seed=1)
    assert c.numbers == d.numbers
    for fig in a.figures + b.figures + c.figures + d.figures:
        pyplot().close(fig)


def test_float64_helper_restores_the_default_dtype():
    import lucidnet
    from lucidnet.lab.experiments.optimization import float64

    with float64():
        assert lucidnet.get_default_dtype() == np.float64
    assert lucidnet.get_default_dtype() == np.float32
