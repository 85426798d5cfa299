"""Claims 15 and 19: model selection and evaluation (SPEC J2, K2).

15. A capacity sweep shows underfitting -> good fit -> overfitting.
19. Accuracy misleads on imbalanced data; F1 and recall do not.
"""

from __future__ import annotations

import numpy as np

from ...nn.module import Module
from ..registry import Result, claim

__all__ = ["LegendreRegression", "capacity", "imbalanced_metrics"]


class LegendreRegression(Module):
    """Polynomial regression of degree ``degree`` on x in [-1, 1]: a Linear layer on the Legendre
    features P_1(x) .. P_degree(x) (well conditioned, so gradient descent can reach the fit)."""

    def __init__(self, degree: int):
        super().__init__()
        from ...nn import Linear

        self.degree = int(degree)
        self.linear = Linear(self.degree, 1)

    def forward(self, x):
        from ...autograd.tensor import Tensor

        data = np.asarray(x.data if isinstance(x, Tensor) else x)
        feats = np.polynomial.legendre.legvander(data[:, 0].astype(np.float64), self.degree)[:, 1:]
        return self.linear(Tensor(feats.astype(data.dtype)))


@claim(15, "Capacity sweep: underfitting -> good fit -> overfitting",
       "A too simple model (e.g. linear for non-linear data) underfits: poor on training and "
       "test data; a too complex one (high-degree polynomial) fits the noise and overfits.",
       "seed 003 OVERFITTING AND UNDERFITTING; seed 000 R² interpretation", ("J2", "K1"))
def capacity(seed: int, size: str) -> Result:
    from ...autograd.tensor import no_grad
    from ...metrics import r2_quality
    from ...plot._backend import pyplot
    from ...train import capacity_sweep

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
    axes[1].legend(fontsize=6, ncol=2)
    fig.tight_layout()

    under = va[0] > 2 * va[best] and tr[0] > 2 * tr[best]
    over = va[-1] > 1.5 * va[best] and tr[-1] <= tr[best]
    interior = 0 < best < len(degrees) - 1
    holds = under and over and interior
    text = (f"Degree {degrees[0]} underfits (train MSE {tr[0]:.3f}, validation R^2 "
            f"{res.val_score[0]:.2f}: '{bands[0]}'), degree {degrees[best]} fits (validation MSE "
            f"{va[best]:.3f}, R^2 {res.val_score[best]:.2f}: '{bands[best]}') and degree "
            f"{degrees[-1]} overfits (train MSE {tr[-1]:.3f} but validation {va[-1]:.3f}).")
    if not holds:
        text = ("The sweep did not show the U shape on this run: " + text)
    return Result("holds" if holds else "does not hold", text, numbers, [fig])


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
    from ...metrics import accuracy_score, confusion_matrix, f1_score, precision_score, recall_score
    from ...nn import Linear
    from ...optim import Adam
    from ...plot._backend import pyplot
    from ...random import manual_seed
    from ...train import Trainer

    n = 4000 if size == "quick" else 20000
    minority = 0.05
    X, y = _imbalanced(seed, n, minority)
    Xt, yt = _imbalanced(seed + 10_000, n, minority)
    manual_seed(seed)
    model = Linear(2, 2)  # logistic regression (softmax over two classes)
    Trainer(model, "cross_entropy", Adam(model.parameters(), lr=0.05), verbose=0).fit(
        X, y, epochs=5 if size == "quick" else 10, batch_size=64, seed=seed)
    from ...autograd.tensor import Tensor, no_grad

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
    axes[0].set(xticks=xs, xticklabels=metric_names, ylim=(0, 1.05), title=f"{minority:.0%} positives")
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

    misleads = maj["accuracy"] >= 0.9 and maj["recall"] == 0.0 and maj["f1"] == 0.0
    informative = clf["f1"] - maj["f1"] > 3 * (clf["accuracy"] - maj["accuracy"])
    holds = misleads and informative
    text = (f"Always predicting the majority class scores {maj['accuracy']:.1%} accuracy but "
            f"recall and F1 of 0, while the trained classifier gains only "
            f"{clf['accuracy'] - maj['accuracy']:+.1%} accuracy yet lifts F1 to {clf['f1']:.2f} "
            f"(recall {clf['recall']:.2f}): on balanced data the same guess scores only "
            f"{acc_balanced_majority:.0%}.")
    if not holds:
        text = "On this run accuracy was not misleading: " + text
    return Result("holds" if holds else "does not hold", text, numbers, [fig])
