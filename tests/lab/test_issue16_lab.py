"""Issue 16, the lab: every verdict follows from the claim's own numbers by its stated rule.

Each claim's ``judge_*`` function is fed the numbers of a recorded quick run and a recorded full
run (seed 0, ``quick_numbers_seed0.json`` / ``full_numbers_seed0.json``) and then the same numbers with one measurement moved across its
threshold: the verdict must follow, and the sentence must print the relation the numbers have.
No experiment runs here (the rules are proven independent of one run).
"""

import copy
import json
import math
from pathlib import Path

import pytest

from lucidnet.lab import RULE, VERDICTS, Check, judge
from lucidnet.lab.experiments import (
    activations,
    information,
    inputs_init,
    losses,
    normalization,
    optimization,
    perceptron,
    regularization,
    schedules_kernels,
    selection,
)
from lucidnet.lab.report import _md

RECORDED = json.loads((Path(__file__).parent / "quick_numbers_seed0.json").read_text("utf-8"))
# 'lucidnet lab run --all --full', seed 0, recorded once (about 100 s on one core)
RECORDED_FULL = json.loads((Path(__file__).parent / "full_numbers_seed0.json").read_text("utf-8"))
RAVINE = "ravine, {}: steps until f stays < 1e-4·f0 (best lr)"
SADDLE = "saddle, {}: steps until |y| stays > 0.5 (ravine's lr)"
GLOBAL = "fraction ending in the global well: {}"

# claim -> the judge with the run's set-up (quick, full)
def _size(quick, full):
    return lambda size: quick if size == "quick" else full


_LRS7 = _size((3.0, 1.0, 0.3, 0.1, 0.001), (3.0, 1.0, 0.3, 0.1, 0.01, 0.001))
_POINTS9 = _size(["at init", "after 20 epochs"], ["at init", "after 20 epochs", "after 200 epochs"])
JUDGES = {
    1: lambda n, size="quick": perceptron.judge_perceptron(n, *_size((5, 30), (20, 200))(size)),
    2: lambda n, size="quick": perceptron.judge_linear_collapse(n),
    3: lambda n, size="quick": activations.judge_vanishing_gradients(n, 10),
    4: lambda n, size="quick": activations.judge_dying_relu(n, *_size((3, 10), (5, 40))(size)),
    5: lambda n, size="quick": inputs_init.judge_input_scale(n, _size(10, 40)(size)),
    6: lambda n, size="quick": inputs_init.judge_initialization(n, _size(200, 1000)(size)),
    7: lambda n, size="quick": optimization.judge_learning_rate(n, _LRS7(size),
                                                                _size(30, 80)(size)),
    8: lambda n, size="quick": optimization.judge_optimizers(n, _size(200, 1000)(size)),
    9: lambda n, size="quick": optimization.judge_taylor(n, _POINTS9(size)),
    10: lambda n, size="quick": losses.judge_ce_vs_mse(n),
    11: lambda n, size="quick": optimization.judge_batch_modes(
        n, *_size((400, 3), (2000, 10))(size), 0.05),
    12: lambda n, size="quick": normalization.judge_batch_norm(n, (0.02, 0.2, 2.0), 2),
    13: lambda n, size="quick": regularization.judge_dropout_l2_l1(n, 0.5),
    14: lambda n, size="quick": regularization.judge_early_stopping(n),
    15: lambda n, size="quick": selection.judge_capacity(n),
    16: lambda n, size="quick": regularization.judge_ridge(n),
    17: lambda n, size="quick": normalization.judge_whitening(n, _size(60, 300)(size)),
    18: lambda n, size="quick": information.judge_cross_entropy_kl(n),
    19: lambda n, size="quick": selection.judge_imbalanced_metrics(n),
    20: lambda n, size="quick": regularization.judge_augmentation_noise(
        n, ("none", "augmentation (shift <= 3)", "input noise 0.5")),
    21: lambda n, size="quick": schedules_kernels.judge_schedules(n),
    22: lambda n, size="quick": schedules_kernels.judge_kernels(n),
}

# claim -> (number key, list index or None, value that breaks one check, that check's name)
BREAK = {
    1: ("xor_converged_runs", None, "3/5", "XOR not learned"),
    2: ("deep_relu_over_line", None, 0.9, "ReLU net beats the line"),
    3: ("sigmoid + Xavier: first/last hidden layer grad norm", None, 0.5, "sigmoid gradients vanish"),
    4: ("high lr, leaky_relu: zero-gradient units", None, 0.3, "Leaky ReLU keeps a gradient"),
    5: ("standardized: best final MSE", None, 0.5, "standardized converges faster"),
    6: ("zero init: distinct hidden units (of 16)", None, 16, "zero init symmetric"),
    7: ("cosine: best lr / final loss", 1, 0.2, "cosine beats constant"),
    8: (RAVINE.format("RMSprop"), 0, 938.0, "RMSprop faster down the ravine"),
    9: ("at init: relative error at η = 1e-4 / 1e-2 / 1 / 10", 3, 0.1, "at init, large η"),
    10: ("neuron, cross-entropy: epochs until a < 0.2", None, 500.0,
         "saturated neuron learns faster with CE"),
    11: ("batch: share of updates that raise the full loss", None, 0.2, "batch GD is stable"),
    12: ("val acc after epoch 1, lr 0.02: plain / BN", 1, 0.3, "trains faster"),
    13: ("L1 1e-3 (SGD): fraction of weights |w| < 1e-3", None, 0.1, "L1 is sparse"),
    14: ("epochs after the best", None, 3, "after `patience` epochs"),
    15: ("best degree (validation minimum)", None, 15, "... not the largest"),
    16: ("max |theta_closed - theta_trained| over all s", None, 1e-3, "trained = closed form"),
    17: ("GD steps to within 1% of the least-squares loss (max 60): standardized / whitened", 1,
         ">60", "whitening is better for GD"),
    18: ("KL decreased at every step", None, False, "at every step"),
    19: ("always 'majority': accuracy / precision / recall / F1", 0, 0.6,
         "majority guess looks good"),
    20: ("input noise 0.5: test loss", None, 4.5, "input noise 0.5 cuts the test loss"),
    21: (GLOBAL.format("step decay"), None, 0.15, "SGDR beats step decay"),
    22: ("max Sobel response on flat regions", None, 0.2, "edges only"),
}


def _numbers(claim_id: int) -> dict:
    return copy.deepcopy(RECORDED[str(claim_id)]["numbers"])


def _set(numbers, key, index, value):
    if index is None:
        numbers[key] = value
    else:
        numbers[key][index] = value


def _check(result, what: str) -> Check:
    return next(c for c in result.checks if c.what == what)


# ----------------------------------------------------------------------------- Check and judge
def test_check_prints_the_relation_the_numbers_have():
    c = Check("cosine beats constant", "cosine", 0.084, "<", "constant", 0.091)
    assert c.passed and c.sentence() == "cosine beats constant: cosine 0.084 < constant 0.091 (yes)"
    c = Check("cosine beats constant", "cosine", 0.091, "<", "constant", 0.084)
    assert not c.passed and "cosine 0.091 > constant 0.084 (no)" in c.sentence()
    never = Check("leaves sooner", "Nesterov", math.inf, "<", "SGD", math.inf)
    assert not never.passed and "Nesterov never = SGD never (no)" in never.sentence()
    assert not Check("nan", "a", math.nan, "<", "b", 1.0).passed
    assert not Check("types", "a", ">60", "<", "b", 3).passed  # incomparable never passes
    with pytest.raises(ValueError, match="op must be one of"):
        Check("x", "a", 1, "=<", "b", 2)


def test_judge_maps_checks_to_the_stated_rule():
    yes = Check("a", "x", 1, "<", "y", 2)
    no = Check("b", "x", 3, "<", "y", 2)
    assert judge([yes, yes]).verdict == "holds"
    part = judge([yes, no], "Set-up.")
    assert part.verdict == "partly holds"
    assert part.explanation.startswith("Set-up. Passed: a: x 1 < y 2 (yes). Failed: b: x 3 > y 2")
    assert judge([no]).verdict == "does not hold"
    with pytest.raises(ValueError, match="at least one Check"):
        judge([])
    assert set(VERDICTS) >= {"holds", "partly holds", "does not hold", "corrected"}
    assert "every check passes" in RULE


# ------------------------------------------------------------------------- every claim's rule
@pytest.mark.parametrize("size", ["quick", "full"])
@pytest.mark.parametrize("claim_id", sorted(JUDGES))
def test_rule_reproduces_the_recorded_verdict_and_every_check_is_in_the_sentence(claim_id, size):
    recorded = (RECORDED if size == "quick" else RECORDED_FULL)[str(claim_id)]
    result = JUDGES[claim_id](copy.deepcopy(recorded["numbers"]), size)
    assert result.verdict == recorded["verdict"]
    for c in result.checks:
        assert c.sentence() in result.explanation
    assert ("Failed:" in result.explanation) == any(not c.passed for c in result.checks)


@pytest.mark.parametrize("claim_id", sorted(BREAK))
def test_rule_follows_a_number_moved_across_its_threshold(claim_id):
    key, index, value, what = BREAK[claim_id]
    before = JUDGES[claim_id](_numbers(claim_id))
    assert _check(before, what).passed
    numbers = _numbers(claim_id)
    _set(numbers, key, index, value)
    after = JUDGES[claim_id](numbers)
    broken = _check(after, what)
    assert not broken.passed
    assert after.verdict in ("partly holds", "does not hold")
    assert after.explanation.index(broken.sentence()) > after.explanation.index("Failed:")


# ------------------------------------------------------------------- the four named in the issue
def test_claim_7_control_names_the_schedule_whose_loss_is_lower():
    numbers = _numbers(7)
    numbers["full-batch GD, 300 steps: best constant / best cosine"] = [0.091, 0.084]
    assert "cosine ends lower (constant 0.091, cosine 0.084)" in JUDGES[7](numbers).explanation
    numbers["full-batch GD, 300 steps: best constant / best cosine"] = [0.058, 0.084]
    text = JUDGES[7](numbers).explanation
    assert "the constant lr ends lower (constant 0.058, cosine 0.084)" in text
    assert "wins" not in text


def test_full_run_claims_7_8_21_say_what_their_numbers_say():
    def full(claim_id):
        n = copy.deepcopy(RECORDED_FULL[str(claim_id)]["numbers"])
        return n, JUDGES[claim_id](n, "full")

    n, r7 = full(7)
    const, cos = n["full-batch GD, 300 steps: best constant / best cosine"]
    lower = "cosine" if cos < const else "the constant lr"
    assert f"{lower} ends lower (constant {const:.3f}, cosine {cos:.3f})" in r7.explanation
    n, r8 = full(8)
    rms, sgd = n[RAVINE.format("RMSprop")][0], n[RAVINE.format("SGD")][0]
    assert rms > sgd and r8.verdict == "partly holds"  # 938 vs 136 steps in the recorded run
    assert f"RMSprop faster down the ravine: steps RMSprop {rms:g} > SGD {sgd:g} (no)" in \
        r8.explanation.split("Failed:")[1]
    n, r21 = full(21)
    assert n[GLOBAL.format("cosine")] > n[GLOBAL.format("warm restarts (SGDR)")]
    assert r21.verdict == "partly holds"
    assert "SGDR beats plain cosine" in r21.explanation.split("Failed:")[1]


def test_claim_7_each_decay_must_beat_the_best_constant_lr():
    numbers = _numbers(7)
    assert JUDGES[7](numbers).verdict == "partly holds"  # exponential 0.0991 > constant 0.0918
    numbers["exponential α0·e^(-kt): best lr / final loss"][1] = 0.05
    assert JUDGES[7](numbers).verdict == "holds"


def test_claim_8_rmsprop_slower_in_the_ravine_is_a_failed_check():
    numbers = _numbers(8)
    numbers[RAVINE.format("RMSprop")][0] = 938.0
    numbers[RAVINE.format("SGD")][0] = 136.0
    result = JUDGES[8](numbers)
    assert result.verdict == "partly holds"
    assert "RMSprop faster down the ravine: steps RMSprop 938 > SGD 136 (no)" in result.explanation


def test_claim_8_nesterov_that_never_leaves_the_saddle_is_a_failed_check():
    numbers = _numbers(8)
    assert math.isinf(numbers[SADDLE.format("Nesterov")])  # the recorded quick run
    result = JUDGES[8](numbers)
    assert result.verdict == "partly holds"
    assert "Nesterov leaves the saddle sooner: steps Nesterov never = SGD never (no)" in \
        result.explanation
    numbers[SADDLE.format("Nesterov")] = 90.0
    assert JUDGES[8](numbers).verdict == "holds"


def test_claim_21_plain_cosine_beating_warm_restarts_is_a_failed_check():
    numbers = _numbers(21)
    numbers[GLOBAL.format("cosine")] = 0.465
    numbers[GLOBAL.format("warm restarts (SGDR)")] = 0.188
    result = JUDGES[21](numbers)
    assert result.verdict == "partly holds"
    assert "SGDR beats plain cosine: SGDR in the global well 0.188 < cosine 0.465 (no)" in \
        result.explanation
    numbers[GLOBAL.format("cosine")] = 0.1
    assert JUDGES[21](numbers).verdict == "holds"


# ------------------------------------------------------------------------- the other rules' edges
def test_claim_13_is_corrected_only_when_the_claim_holds_and_the_notes_formula_fails():
    numbers = _numbers(13)
    assert JUDGES[13](numbers).verdict == "corrected"
    numbers["notes' inference (x(1-p)): hidden mean / training expectation"] = 1.0
    assert JUDGES[13](numbers).verdict == "holds"
    numbers = _numbers(13)
    numbers["dropout 0.5: gap (val - train loss)"] = 1.0
    assert JUDGES[13](numbers).verdict == "partly holds"


def test_claim_20_full_run_checks_that_scarce_data_gains_more():
    numbers = _numbers(20)
    for v, acc in (("none", 0.8), ("augmentation (shift <= 3)", 0.95), ("input noise 0.5", 0.81)):
        numbers[f"4000 signals, {v}: test accuracy"] = acc
    result = JUDGES[20](numbers)
    assert result.verdict == "partly holds"  # shift gains 0.131 < 0.15 with 4000 signals
    assert "augmentation (shift <= 3) helps more with scarce data: gain with 300 0.131 < gain " \
        "with 4000 0.15 (no)" in result.explanation
    numbers["4000 signals, augmentation (shift <= 3): test accuracy"] = 0.85
    assert JUDGES[20](numbers).verdict == "holds"


# ------------------------------------------------------------------------------ report.md text
def test_markdown_escapes_pipes_only_in_tables_and_emphasis_everywhere():
    assert _md("share |a| > 0.99") == "share |a| > 0.99"
    assert _md("share |a| > 0.99", table=True) == "share \\|a\\| > 0.99"
    assert _md("E[mask*x/(1-p)] of `x_1`") == "E[mask\\*x/(1-p)] of \\`x\\_1\\`"


def test_report_md_keeps_abs_bars_in_text_and_escapes_them_in_tables(tmp_path):
    from lucidnet.lab import Claim
    from lucidnet.lab.report import write_report
    from lucidnet.lab.runner import ClaimRun

    result = judge([Check("saturates", "share |a| > 0.99", 0.9, ">", "", 0.5)],
                   numbers={"share |a| > 0.99 at layer 10": 0.9, "E[mask*x]": "|x|"})
    claim = Claim(99, "A |x| title", "The notes say |x| is small.", "seed 0", ("Z1",), None)
    md = open(write_report([ClaimRun(claim, result, seconds=0.1)], tmp_path)["md"],
              encoding="utf-8").read()
    assert "| share \\|a\\| > 0.99 at layer 10 | 0.9 |" in md
    assert "| E[mask\\*x] | \\|x\\| |" in md
    assert "Passed: saturates: share |a| > 0.99 0.9 > 0.5 (yes)." in md  # text: bars kept
    assert "> The notes say |x| is small." in md and "/x/" not in md
    assert "| A \\|x\\| title |" in md  # the contents table
    assert f"claim {RULE}." in md and "partly holds" in md
    html = open(tmp_path / "report.html", encoding="utf-8").read()
    assert "share |a| &gt; 0.99 at layer 10" in html and RULE in html
