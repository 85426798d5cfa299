"""Claims 15 and 19: model selection and evaluation (docs/ideas.md: J2, K2).

15. A capacity sweep shows underfitting -> good fit -> overfitting.
19. Accuracy misleads on imbalanced data; F1 and recall do not.
"""

from __future__ import annotations

import numpy as np

from ...autograd.tensor import Tensor, no_grad
from ...metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_score,
    r2_quality,
    recall_score,
)
from ...nn import Linear
from ...nn.module import Module
from ...optim import Adam
from ...plot._backend import pyplot
from ...random import manual_seed
from ...train import Trainer, capacity_sweep
from ..registry import Check, Result, claim, judge

__all__ = ["capacity", "imbalanced_metrics", "judge_capacity", "judge_imbalanced_metrics",
           "LegendreRegression"]


class LegendreRegression(Module):
    """Polynomial regression of degree ``degree`` on x in [-1, 1]: a Linear layer on the Legendre
    features P_1(x) .. P_degree(x) (well conditioned, so gradient descent can reach the fit).

    Examples
    --------
    Degree 3: a Linear layer on P_1(x), P_2(x), P_3(x) (P_2(x) = (3x^2 - 1) / 2):

    >>> from lucidnet.lab.experiments.selection import LegendreRegression
    >>> model = LegendreRegression(3)
    >>> _ = ln.nn.init.zeros_(model.linear.weight), ln.nn.init.zeros_(model.linear.bias)
    >>> model.linear.weight.data[0, 1] = 1.0                 # y = P_2(x)
    >>> model(ln.tensor([[0.0], [1.0], [-1.0]])).tolist()
    [[-0.5], [1.0], [1.0]]
    """

    def __init__(self, degree: int):
        super().__init__()

        self.degree = int(degree)
        self.linear = Linear(self.degree, 1)

    def forward(self, x):
        data = np.asarray(x.data if isinstance(x, Tensor) else x)
        feats = np.polynomial.legendre.legvander(data[:, 0].astype(np.float64), self.degree)[:, 1:]
        return self.linear(Tensor(feats.astype(data.dtype)))


@claim(15, "Capacity sweep: underfitting -> good fit -> overfitting",
       "A too simple model (e.g. linear for non-linear data) underfits: poor on training and "
       "test data; a too complex one (high-degree polynomial) fits the noise and overfits.",
       "seed 003 OVERFITTING AND UNDERFITTING; seed 000 R² interpretation", ("J2", "K1"))
def capacity(seed: int, size: str) -> Result:
    """Test claim 15 (docs/ideas.md): a capacity sweep goes from underfitting to a good fit to overfitting.

    Polynomials of increasing degree are fitted to 20 noisy samples of sin(pi x); the training and
    validation errors of each degree are measured. The claim holds if the lowest degree is poor on
    both sets, a middle degree is best on validation data, and the highest degree fits the
    training data but has a higher validation error.

    Parameters
    ----------
    seed : int
        Seed of the data, the initial weights and the shuffling; the same seed gives the same result.
    size : {"quick", "full"}
        "quick" is a seconds-long run for tests, "full" a longer, larger run for the report.

    Returns
    -------
    Result
        The measured numbers and figures; the verdict is "holds" if every check of the rule
        passes, "partly holds" if only some do (the failed ones are named in the explanation),
        "does not hold" if none does (see `lucidnet.lab.registry.judge`).

    Examples
    --------
    The experiment is registered as claim 15; ``lucidnet lab run 15`` (or
    ``run_claim(15)``) runs it, for seconds:

    >>> from lucidnet.lab.registry import get_claim
    >>> from lucidnet.lab.experiments.selection import capacity
    >>> claim = get_claim(15)
    >>> claim.run is capacity, claim.spec
    (True, ('J2', 'K1'))
    """
    quick = size == "quick"
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (20, 1))
    y = np.sin(np.pi * x) + rng.normal(0, 0.25, x.shape)
    xv = rng.uniform(-1, 1, (300, 1))
    yv = np.sin(np.pi * xv) + rng.normal(0, 0.25, xv.shape)
    f32 = np.float32
    degrees = [1, 3, 5, 9, 15] if quick else [1, 2, 3, 4, 5, 7, 9, 12, 15]
    models = {}

    def build(degree):  # keep each trained model for the figure
        models[degree] = LegendreRegression(degree)
        return models[degree]

    res = capacity_sweep(build, degrees, x.astype(f32), y.astype(f32),
                         validation_data=(xv.astype(f32), yv.astype(f32)),
                         epochs=1000 if quick else 3000, batch_size=32, loss="mse",
                         optimizer="adam", lr=0.1 if quick else 0.05, metric="r2", seed=seed)
    tr, va = np.array(res.train_loss), np.array(res.val_loss)
    best = int(np.argmin(va))
    bands = [r2_quality(float(r)) for r in res.val_score]
    numbers = {
        "degrees": degrees,
        "train MSE": [round(float(v), 4) for v in tr],
        "validation MSE": [round(float(v), 4) for v in va],
        "validation R^2": [round(float(v), 3) for v in res.val_score],
        "R^2 band per degree (seed 000)": bands,
        "best degree (validation minimum)": degrees[best],
        "noise variance (the best possible MSE)": 0.0625,
    }
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.3))
    axes[0].semilogy(degrees, tr, "o-", label="train")
    axes[0].semilogy(degrees, va, "s-", label="validation")
    axes[0].axvline(degrees[best], color="C2", ls="--", label=f"best degree {degrees[best]}")
    axes[0].set(xlabel="polynomial degree (capacity)", ylabel="MSE", title="capacity sweep")
    axes[0].legend(fontsize=7)
    grid = np.linspace(-1, 1, 200).reshape(-1, 1).astype(f32)
    axes[1].scatter(x[:, 0], y[:, 0], s=12, color="k", label="20 training points")
    axes[1].plot(grid[:, 0], np.sin(np.pi * grid[:, 0]), "k--", lw=1, label="truth")
    for d, color in ((degrees[0], "C0"), (degrees[best], "C2"), (degrees[-1], "C3")):
        with no_grad():
            axes[1].plot(grid[:, 0], models[d](grid).data[:, 0], color=color, label=f"degree {d}")
    axes[1].set(ylim=(-2, 2), title="fits", xlabel="x")
    axes[1].legend(fontsize=6, ncol=2, loc="best")
    fig.tight_layout()

    return judge_capacity(numbers, [fig])


def judge_capacity(numbers: dict, figures=()) -> Result:
    """Claim 15's rule on its numbers: the best degree (lowest validation MSE) is neither the
    smallest nor the largest; the smallest degree has > 2x the best one's train and validation
    MSE (underfits); the largest has a train MSE no higher than the best one's but > 1.5x its
    validation MSE (overfits).

    Parameters
    ----------
    numbers : dict
        The measured quantities (name -> number, pair or list) the run function records; the
        rule reads the keys of the example below.
    figures : list of matplotlib.figure.Figure, optional
        Kept in the Result for the report.

    Returns
    -------
    Result
        The verdict `lucidnet.lab.registry.judge` gives the rule's checks (holds / partly
        holds / does not hold / corrected), with ``numbers`` and ``figures``.

    Examples
    --------
    The rule applied to the numbers a quick run measured (``capacity(seed=0, size="quick")``
    measures them, in seconds); the second item names the checks that failed:

    >>> from lucidnet.lab.experiments.selection import judge_capacity
    >>> numbers = {
    ...     "degrees": [1, 3, 5, 9, 15],
    ...     "train MSE": [0.1263, 0.0161, 0.0161, 0.0137, 0.0091],
    ...     "validation MSE": [0.3014, 0.0769, 0.0765, 0.0966, 0.4691],
    ...     "best degree (validation minimum)": 5,
    ...     "R^2 band per degree (seed 000)": ["needs improvement", "very good", "very good", "very good", "requires significant enhancement"]}
    >>> r = judge_capacity(numbers)
    >>> r.verdict, [c.what for c in r.checks if not c.passed]
    ('holds', [])
    """
    degrees, tr, va = numbers["degrees"], numbers["train MSE"], numbers["validation MSE"]
    best = degrees.index(numbers["best degree (validation minimum)"])
    lo, hi, b = degrees[0], degrees[-1], degrees[best]
    checks = [Check("a middle degree is best", "best degree", b, ">", "smallest", lo),
              Check("... not the largest", "best degree", b, "<", "largest", hi),
              Check(f"degree {lo} underfits (train)", "train MSE", tr[0], ">",
                    f"2 x degree {b}'s", 2 * tr[best]),
              Check(f"degree {lo} underfits (validation)", "validation MSE", va[0], ">",
                    f"2 x degree {b}'s", 2 * va[best]),
              Check(f"degree {hi} fits the training data", "train MSE", tr[-1], "<=",
                    f"degree {b}'s", tr[best]),
              Check(f"degree {hi} overfits", "validation MSE", va[-1], ">",
                    f"1.5 x degree {b}'s", 1.5 * va[best])]
    bands = numbers["R^2 band per degree (seed 000)"]
    return judge(checks, "Legendre polynomial regressions on 20 noisy points of sin(πx); 300 "
                 "validation points.", numbers, figures,
                 f"Validation R^2 bands: degree {lo} '{bands[0]}', degree {b} '{bands[best]}', "
                 f"degree {hi} '{bands[-1]}'.")


def _imbalanced(seed: int, n: int, minority: float):
    """Two overlapping Gaussian classes in 2-D, class 1 a ``minority`` fraction."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < minority).astype(np.int64)
    X = rng.normal(size=(n, 2)) + np.where(y[:, None] == 1, [2.0, 1.5], [0.0, 0.0])
    return X.astype(np.float32), y


@claim(19, "Accuracy misleads on imbalanced data; F1 and recall do not",
       "Accuracy is misleading if classes are imbalanced; F1 (harmonic mean of precision and "
       "recall) is good for imbalanced datasets.",
       "seed 003 EVALUATION METRICS (Accuracy, Recall, F1)", ("K2",))
def imbalanced_metrics(seed: int, size: str) -> Result:
    """Test claim 19 (docs/ideas.md): accuracy misleads on imbalanced data; F1 and recall do not.

    On data with a 5 % minority class, a classifier that always predicts the majority and a trained
    classifier are scored with accuracy, recall and F1. The claim holds if the trivial classifier's
    accuracy is at least 90 % while its recall and F1 are zero, and the trained classifier's F1
    gain over it is more than three times its accuracy gain.

    Parameters
    ----------
    seed : int
        Seed of the data, the initial weights and the shuffling; the same seed gives the same result.
    size : {"quick", "full"}
        "quick" is a seconds-long run for tests, "full" a longer, larger run for the report.

    Returns
    -------
    Result
        The measured numbers and figures; the verdict is "holds" if every check of the rule
        passes, "partly holds" if only some do (the failed ones are named in the explanation),
        "does not hold" if none does (see `lucidnet.lab.registry.judge`).

    Examples
    --------
    The experiment is registered as claim 19; ``lucidnet lab run 19`` (or
    ``run_claim(19)``) runs it, for seconds:

    >>> from lucidnet.lab.registry import get_claim
    >>> from lucidnet.lab.experiments.selection import imbalanced_metrics
    >>> claim = get_claim(19)
    >>> claim.run is imbalanced_metrics, claim.spec
    (True, ('K2',))
    """
    n = 4000 if size == "quick" else 20000
    minority = 0.05
    X, y = _imbalanced(seed, n, minority)
    Xt, yt = _imbalanced(seed + 10_000, n, minority)
    manual_seed(seed)
    model = Linear(2, 2)  # logistic regression (softmax over two classes)
    Trainer(model, "cross_entropy", Adam(model.parameters(), lr=0.05), verbose=0).fit(
        X, y, epochs=5 if size == "quick" else 10, batch_size=64, seed=seed)

    with no_grad():
        pred = np.argmax(model(Tensor(Xt)).data, axis=1)
    preds = {"always 'majority'": np.zeros_like(yt), "trained classifier": pred}
    scores = {}
    for name, p in preds.items():
        scores[name] = {"accuracy": float(accuracy_score(yt, p)),
                        "precision": float(precision_score(yt, p, zero_division=0)),
                        "recall": float(recall_score(yt, p, zero_division=0)),
                        "f1": float(f1_score(yt, p, zero_division=0)),
                        "cm": confusion_matrix(yt, p, labels=[0, 1])}
    # balanced data for contrast: the majority guess is then exposed by accuracy itself
    _, yb = _imbalanced(seed + 20_000, n, 0.5)
    acc_balanced_majority = float(accuracy_score(yb, np.zeros_like(yb)))
    maj, clf = scores["always 'majority'"], scores["trained classifier"]
    numbers = {"test samples / minority fraction": [n, round(float(yt.mean()), 4)]}
    for name, s in scores.items():
        numbers[f"{name}: accuracy / precision / recall / F1"] = [
            round(s["accuracy"], 3), round(s["precision"], 3), round(s["recall"], 3), round(s["f1"], 3)]
        numbers[f"{name}: confusion matrix [[TN, FP], [FN, TP]]"] = s["cm"].tolist()
    numbers["majority guess accuracy on balanced data"] = round(acc_balanced_majority, 3)

    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.2))
    metric_names = ["accuracy", "precision", "recall", "f1"]
    xs = np.arange(len(metric_names))
    axes[0].bar(xs - 0.2, [maj[m] for m in metric_names], 0.4, label="always majority")
    axes[0].bar(xs + 0.2, [clf[m] for m in metric_names], 0.4, label="trained")
    axes[0].set(xticks=xs, ylim=(0, 1.05), title=f"{minority:.0%} positives")
    axes[0].set_xticklabels(metric_names, rotation=30, ha="right", fontsize=8)
    axes[0].legend(fontsize=7)
    for ax, name in zip(axes[1:], scores):
        cm = scores[name]["cm"]
        ax.imshow(np.log1p(cm), cmap="Blues")
        for (i, j), v in np.ndenumerate(cm):
            dark = np.log1p(v) > 0.6 * np.log1p(cm.max())
            ax.text(j, i, str(v), ha="center", va="center", fontsize=9,
                    color="white" if dark else "black")
        ax.set(xticks=[0, 1], yticks=[0, 1], xlabel="predicted", ylabel="true", title=name)
    fig.tight_layout()

    return judge_imbalanced_metrics(numbers, [fig])


def judge_imbalanced_metrics(numbers: dict, figures=()) -> Result:
    """Claim 19's rule on its numbers: always predicting the majority class scores >= 90%
    accuracy with recall 0 and F1 0 (accuracy misleads), and the trained classifier's F1 gain over
    it is > 3x its accuracy gain (F1 tells the classifiers apart).

    Parameters
    ----------
    numbers : dict
        The measured quantities (name -> number, pair or list) the run function records; the
        rule reads the keys of the example below.
    figures : list of matplotlib.figure.Figure, optional
        Kept in the Result for the report.

    Returns
    -------
    Result
        The verdict `lucidnet.lab.registry.judge` gives the rule's checks (holds / partly
        holds / does not hold / corrected), with ``numbers`` and ``figures``.

    Examples
    --------
    The rule applied to the numbers a quick run measured (``imbalanced_metrics(seed=0, size="quick")``
    measures them, in seconds); the second item names the checks that failed:

    >>> from lucidnet.lab.experiments.selection import judge_imbalanced_metrics
    >>> numbers = {
    ...     "always 'majority': accuracy / precision / recall / F1": [0.951, 0.0, 0.0, 0.0],
    ...     "trained classifier: accuracy / precision / recall / F1": [0.967, 0.665, 0.672, 0.668],
    ...     "test samples / minority fraction": [4000, 0.0495],
    ...     "majority guess accuracy on balanced data": 0.502}
    >>> r = judge_imbalanced_metrics(numbers)
    >>> r.verdict, [c.what for c in r.checks if not c.passed]
    ('holds', [])
    """
    maj = numbers["always 'majority': accuracy / precision / recall / F1"]
    clf = numbers["trained classifier: accuracy / precision / recall / F1"]
    checks = [Check("majority guess looks good", "accuracy", maj[0], ">=", "", 0.9),
              Check("... but finds nothing", "recall", maj[2], "==", "", 0.0),
              Check("F1 exposes it", "F1", maj[3], "==", "", 0.0),
              Check("F1 separates the classifiers", "F1 gain", round(clf[3] - maj[3], 3), ">",
                    "3 x accuracy gain", round(3 * (clf[0] - maj[0]), 3))]
    n, frac = numbers["test samples / minority fraction"]
    return judge(checks, f"{n} test samples, {frac:.1%} positives; logistic regression vs always "
                 "'majority'.", numbers, figures,
                 f"On balanced data the majority guess scores "
                 f"{numbers['majority guess accuracy on balanced data']:.0%}.")
