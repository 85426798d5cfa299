"""Claims 12-22 of the lab (SPEC L12-L22): each quick experiment's verdict and key numbers.

The margins were checked on seeds 0, 1 and 2; the tests run seed 0.
"""

from itertools import pairwise

import matplotlib.figure
import pytest

from lucidnet.lab import VERDICTS, run_claim
from lucidnet.lab.runner import blas_single_thread
from tests.lab.figures import legend_cover, missing_legends, overlapping_ticklabels

SEED = 0  # the margins below hold for seeds 0, 1 and 2


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    with blas_single_thread():
        yield


def _run(claim_id: int, verdict: str, figure_check=None):
    result = run_claim(claim_id, seed=SEED, size="quick")
    assert result.verdict in VERDICTS
    assert result.verdict == verdict, result.explanation
    assert result.explanation and result.explanation.endswith(".")
    # the verdict comes from the claim's checks, and the sentence shows every one of them
    assert result.checks and all(c.sentence() in result.explanation for c in result.checks)
    assert result.figures and all(isinstance(f, matplotlib.figure.Figure) for f in result.figures)
    for fig in result.figures:
        w, h = fig.get_size_inches()
        assert w <= 10 and h <= 4 and len(fig.axes) <= 4  # 3 panels (+ a colorbar at most)
        assert not missing_legends(fig), f"claim {claim_id}: no legend on {missing_legends(fig)}"
        if figure_check is not None:
            figure_check(fig)
    return result.numbers


def test_claim_12_batch_norm():
    n = _run(12, "holds")
    plain1, bn1 = n["val acc after epoch 1, lr 0.02: plain / BN"]
    assert bn1 > plain1 + 0.2  # faster
    plain_hi, bn_hi = n["final val acc lr 2.0: plain / BN"]
    assert bn_hi >= 0.85 and plain_hi < bn_hi - 0.1  # tolerates a higher learning rate
    plain2, bn2 = n["batch 2: val acc plain / BN"]
    assert bn2 < plain2 - 0.1  # degrades with tiny batches
    assert n["batch 32: val acc plain / BN"][1] > bn2 + 0.2


def test_claim_13_dropout_l2_l1_and_the_dropout_erratum():
    n = _run(13, "corrected")
    base = n["none: gap (val - train loss)"]
    assert base > 0.3
    assert n["dropout 0.5: gap (val - train loss)"] < 0.6 * base
    assert n["L2 1e-2: gap (val - train loss)"] < 0.6 * base
    assert n["L1 1e-3 (SGD): fraction of weights |w| < 1e-3"] > 0.5
    assert n["L2 1e-2 (SGD): fraction of weights |w| < 1e-3"] < 0.1
    assert n["dropout: max relative error of E[mask*x/(1-p)] vs x (20,000 masks)"] < 0.05
    # the notes' extra (1-p) at inference halves the activations (p = 0.5): the erratum
    assert n["notes' inference (x(1-p)): hidden mean / training expectation"] == pytest.approx(0.5, abs=0.03)
    inverted, notes = n["val loss: inverted dropout / with the notes' extra (1-p) (logits shrink too)"]
    assert inverted > 0 and notes > 0 and inverted != notes


def test_claim_14_early_stopping():
    n = _run(14, "holds")
    max_epochs, patience = n["max epochs / patience"]
    assert n["epochs run before stopping"] < max_epochs
    assert n["epochs after the best"] == patience
    best, restored = n["val loss at the best epoch / restored model"]
    assert restored == pytest.approx(best, abs=1e-4)
    ref_min, ref_final = n["reference run: min / final val loss"]
    assert best <= 1.05 * ref_min and ref_final > 1.5 * ref_min
    assert n["stopped run followed the reference path"] is True


def test_claim_15_capacity_sweep():
    n = _run(15, "holds")
    degrees, val, train = n["degrees"], n["validation MSE"], n["train MSE"]
    best = degrees.index(n["best degree (validation minimum)"])
    assert 0 < best < len(degrees) - 1
    assert val[0] > 2 * val[best] and train[0] > 2 * train[best]  # underfitting
    assert val[-1] > 1.5 * val[best] and train[-1] <= train[best]  # overfitting
    bands = n["R^2 band per degree (seed 000)"]
    assert bands[best] == "very good" and bands[0] != "very good"


def test_claim_16_ridge_closed_form():
    n = _run(16, "holds")
    assert n["max |theta_closed - theta_trained| over all s"] < 1e-9
    norms = n["||theta|| closed form per s"]
    assert all(a > b for a, b in pairwise(norms))
    assert n["R^2 band at s = 0 (seed 000)"] == "very good"


def test_claim_17_whitening():
    n = _run(17, "holds")
    assert n["max |cov - I| PCA-whitened"] < 1e-9
    assert n["max |cov - I| ZCA-whitened"] < 1e-9
    assert n["max |off-diagonal cov| standardized"] > 0.5
    assert n["condition number of cov PCA-whitened"] == pytest.approx(1.0, abs=1e-6)
    assert n["condition number of cov standardized"] > 50


def test_claim_18_cross_entropy_and_kl():
    n = _run(18, "holds")
    assert n["max |KL - (H(p,q) - H(p))| over all steps"] < 1e-12
    assert n["max |grad_z H(p,q) - grad_z KL| over all steps"] < 1e-12
    kl0, kl1 = n["KL(p||q): first / last"]
    assert kl1 < 0.01 * kl0
    assert n["the notes' entropy sum p log p (= -H(p), Errata)"] == pytest.approx(-n["H(p) (fixed)"])


def _tick_labels_apart(fig):
    assert not overlapping_ticklabels(fig)


def test_claim_19_imbalanced_metrics():
    n = _run(19, "holds", figure_check=_tick_labels_apart)
    acc, prec, rec, f1 = n["always 'majority': accuracy / precision / recall / F1"]
    assert acc >= 0.93 and prec == 0 and rec == 0 and f1 == 0  # no positive predicted
    acc_t, _, rec_t, f1_t = n["trained classifier: accuracy / precision / recall / F1"]
    assert f1_t > 0.4 and rec_t > 0.3
    assert acc_t - acc < 0.05  # accuracy barely tells the two apart
    assert n["majority guess accuracy on balanced data"] == pytest.approx(0.5, abs=0.05)


def _no_empty_bar_slots(fig):
    ax = fig.axes[0]  # the quick run has one data size: each tick's slot is filled by its bar
    bars = [p for c in ax.containers for p in c]
    assert len(bars) == len(ax.get_xticks())
    for bar, tick in zip(bars, ax.get_xticks()):
        assert bar.get_x() + bar.get_width() / 2 == pytest.approx(tick)
        assert bar.get_width() >= 0.7


def test_claim_20_augmentation_and_noise():
    n = _run(20, "holds", figure_check=_no_empty_bar_slots)
    _, base = n["none: train / test accuracy"]
    _, aug = n["augmentation (shift <= 3): train / test accuracy"]
    _, noise = n["input noise 0.5: train / test accuracy"]
    assert aug > base + 0.05 and noise > base
    assert n["augmentation (shift <= 3): test loss"] < 0.85 * n["none: test loss"]
    assert n["input noise 0.5: test loss"] < 0.85 * n["none: test loss"]


def _legends_off_the_curves(fig):
    for ax in fig.axes:
        if ax.get_legend() is not None:
            assert legend_cover(ax) == 0.0, ax.get_title()


def test_claim_21_schedules_and_warm_restarts():
    # plain cosine annealing ends with more walkers in the global well than SGDR: a failed check
    n = _run(21, "partly holds", figure_check=_legends_off_the_curves)
    assert n["fraction ending in the global well: cosine"] > \
        n["fraction ending in the global well: warm restarts (SGDR)"]
    assert min(n["SGDR: fraction changing well over each cycle after a restart"]) > 0.5
    assert max(n["step decay: fraction changing well over each later lr stage"][1:]) < 0.01
    sgdr = n["fraction ending in the global well: warm restarts (SGDR)"]
    assert sgdr > n["fraction ending in the global well: step decay"] + 0.1


def test_claim_22_kernels():
    n = _run(22, "holds")
    before, after = n["noise std before / after 3x3 blur"]
    assert 0.25 < after / before < 0.42  # iid noise under a 3x3 mean: 1/3
    assert n["max Sobel response on flat regions"] < 1e-9
    assert n["mean Sobel magnitude on edge pixels"] > 0.5
    assert n["CNN test accuracy (8 learned 3x3 kernels)"] > 0.85
    assert n["relative change of the kernels ||W - W0|| / ||W0||"] > 0.5
