# %% [markdown]
# # 7. Evaluation and metrics
#
# A model is only as good as its score on data it has never seen, and a score is only useful if
# it measures what matters. This tutorial splits data the honest way (train / validation /
# test, k-fold cross-validation), reads a confusion matrix, shows why accuracy misleads on
# imbalanced classes (precision, recall, F1, ROC and AUC), scores a regression (MSE, MAE,
# $R^2$), and draws learning curves.

# %%
import matplotlib.pyplot as plt
import numpy as np

import lucidnet as ln
from lucidnet import metrics, nn, optim, plot
from lucidnet.data import (
    KFold,
    StandardScaler,
    StratifiedKFold,
    cross_validate,
    load_dataset,
    train_test_split,
)
from lucidnet.models import MLP
from lucidnet.train import Trainer

try:                                   # only to cross-check a few numbers
    import sklearn.metrics as skm
except ImportError:
    skm = None

ln.manual_seed(0)

# %% [markdown]
# ## Train, validation and test
#
# - the **training** set fits the weights;
# - the **validation** set chooses between models and hyperparameters (width, epochs,
#   regularization) -- the model kept is the one that scored best on it, so its score is
#   part of the choice, no longer an independent measurement;
# - the **test** set is looked at *once*, at the end, for the score we report.
#
# `train_test_split` twice gives the three parts; `stratify=y` keeps the class proportions in
# each. Preprocessing (here standardization) is fitted on the training part only, so no
# information leaks from validation or test data.

# %%
digits = load_dataset("digits")                          # 1797 8x8 images, 10 classes
X, y = digits.X.astype(np.float32), digits.y
X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=0.25, random_state=0,
                                                  stratify=y_rest)
for name, part in (("all", y), ("train", y_train), ("validation", y_val), ("test", y_test)):
    print(f"{name:>10}: {len(part):4d} samples, share of each class",
          np.round(np.bincount(part) / len(part), 3))
assert all(np.abs(np.bincount(p) / len(p) - np.bincount(y) / len(y)).max() < 0.01
           for p in (y_train, y_val, y_test))
scaler = StandardScaler().fit(X_train)


def make_trainer(hidden, seed=0):
    """Softmax regression (hidden=()) or a ReLU MLP, Adam lr 0.01, reporting accuracy."""
    ln.manual_seed(seed)
    model = MLP(64, hidden, 10) if hidden else nn.Linear(64, 10)
    return Trainer(model, "cross_entropy", optim.Adam(model.parameters(), lr=0.01),
                   metrics=["accuracy"], verbose=0)


# %% [markdown]
# Choose the hidden width on the validation set, then score the chosen model on the test set:

# %%
val_acc, trainers = {}, {}
for hidden in ((), (8,), (32,), (128,)):
    trainer = make_trainer(hidden)
    trainer.fit(scaler.transform(X_train), y_train, epochs=15, batch_size=32, seed=0)
    trainers[hidden] = trainer
    train_acc = trainer.evaluate(scaler.transform(X_train), y_train)["accuracy"]
    val_acc[hidden] = trainer.evaluate(scaler.transform(X_val), y_val)["accuracy"]
    print(f"hidden {str(hidden):>7}: train accuracy {train_acc:.3f}   validation accuracy "
          f"{val_acc[hidden]:.3f}")
chosen = max(val_acc, key=val_acc.get)
best = trainers[chosen]
test_acc = best.evaluate(scaler.transform(X_test), y_test)["accuracy"]
print(f"chosen: hidden {chosen}; its test accuracy (reported once): {test_acc:.3f}")
assert test_acc > 0.93

# %% [markdown]
# ## k-fold cross-validation
#
# One validation split gives one noisy number: another random split gives another. **k-fold
# cross-validation** cuts the data into $k$ folds; each fold is the validation set once while
# the other $k-1$ train, and we report the mean and spread of the $k$ scores. `KFold` gives the
# index sets (the same as scikit-learn's without shuffling; shuffled, it draws its own
# permutation); `cross_validate` runs the whole loop, with a fresh model
# (and here a fresh scaler, fitted on the training folds only) for each fold. For class labels
# it uses `StratifiedKFold`, which keeps the class shares in every fold.

# %%
for fold, (tr_idx, va_idx) in enumerate(KFold(n_splits=5).split(np.zeros(10))):
    print(f"fold {fold}: train {tr_idx}  validate {va_idx}")
if skm is not None:
    from sklearn.model_selection import KFold as SkKFold

    ours = [va.tolist() for _, va in KFold(5).split(np.zeros(23))]
    theirs = [va.tolist() for _, va in SkKFold(5).split(np.zeros(23))]
    print("23 samples: fold sizes", [len(f) for f in ours], "- the same folds as scikit-learn's:",
          ours == theirs)
    assert ours == theirs


def fit(trainer, X_fold, y_fold):
    trainer.scaler = StandardScaler().fit(X_fold)
    trainer.fit(trainer.scaler.transform(X_fold), y_fold, epochs=15, batch_size=32, seed=0)
    return trainer


def accuracy(trainer, X_fold, y_fold):
    return trainer.evaluate(trainer.scaler.transform(X_fold), y_fold)["accuracy"]


cv = cross_validate(lambda: make_trainer(chosen), X_rest, y_rest, k=5, fit=fit, score=accuracy,
                    seed=0)
print("5-fold validation accuracies", np.round(cv["val_scores"], 3),
      f" mean {cv['val_mean']:.3f} +- {cv['val_std']:.3f}")
single = []
for seed in range(5):           # five different single splits of the same data, for contrast
    a_X, b_X, a_y, b_y = train_test_split(X_rest, y_rest, test_size=0.2, random_state=seed,
                                          stratify=y_rest)
    single.append(accuracy(fit(make_trainer(chosen), a_X, a_y), b_X, b_y))
print("five random 80/20 splits  ", np.round(single, 3))
assert len(cv["val_scores"]) == 5 and cv["val_mean"] > 0.93

fig, axes = plt.subplots(1, 2, figsize=(12, 3.2), gridspec_kw={"width_ratios": [2, 1]})
assign = np.zeros((5, len(X_rest)))
folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0).split(X_rest, y_rest)
for fold, (_, va_idx) in enumerate(folds):      # the folds cross_validate used (seed 0)
    assign[fold, va_idx] = 1
axes[0].imshow(assign, aspect="auto", cmap="Blues", interpolation="nearest")
axes[0].set(xlabel="sample index", ylabel="fold", yticks=range(5),
            title="5-fold split (dark: that fold's validation samples)")
axes[1].plot(range(1, 6), cv["val_scores"], "o-", label="fold scores (5-fold CV)")
axes[1].axhline(cv["val_mean"], color="C0", ls="--", label="CV mean")
axes[1].plot(range(1, 6), single, "s", color="C1", label="single random splits")
axes[1].set(xlabel="fold (CV) or split number", ylabel="validation accuracy", title="how much one split varies")
axes[1].legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## The confusion matrix
#
# Entry $C_{ij}$ counts the samples of true class $i$ predicted as class $j$ (rows: truth,
# columns: prediction, scikit-learn's convention). The diagonal holds the correct ones, so
# accuracy $= \mathrm{tr}(C) / \sum_{ij} C_{ij}$; the off-diagonal cells tell *which* classes
# are mixed up.

# %%
pred = best.predict(scaler.transform(X_test))
cm = metrics.confusion_matrix(y_test, pred)
mistakes = [f"{i} read as {j} ({cm[i, j]}x)" for i, j in zip(*np.nonzero(cm)) if i != j]
print(cm)
print(f"accuracy {metrics.accuracy_score(y_test, pred):.4f} = trace / total "
      f"{np.trace(cm) / cm.sum():.4f};  the mistakes: {', '.join(mistakes)}")
assert np.isclose(np.trace(cm) / cm.sum(), metrics.accuracy_score(y_test, pred))
assert cm.sum(axis=1).tolist() == np.bincount(y_test).tolist()   # each row: one true class
fig = plot.confusion_matrix(cm, labels=range(10), title=f"digits, test set, MLP {chosen}")
fig.set_size_inches(5.5, 4.6)
plt.show()

# %% [markdown]
# ## Imbalanced classes: accuracy misleads
#
# A rare positive class (5% of the samples, e.g. a disease or a fraud) in two overlapping
# Gaussian clouds. With TP, FP, FN, TN the cells of the binary confusion matrix:
#
# $$\text{precision} = \frac{TP}{TP + FP}, \quad \text{recall} = \frac{TP}{TP + FN}, \quad
# F_1 = \frac{2\,\text{precision}\cdot\text{recall}}{\text{precision} + \text{recall}}.$$
#
# A "model" that always answers *negative* is 95% accurate, and useless.

# %%
def rare_positives(n, seed, share=0.05):
    rng = np.random.default_rng(seed)
    labels = (rng.random(n) < share).astype(np.int64)
    points = rng.normal(size=(n, 2)) + np.where(labels[:, None] == 1, [2.0, 1.5], [0.0, 0.0])
    return points.astype(np.float32), labels


Xb_train, yb_train = rare_positives(4000, seed=0)
Xb_test, yb_test = rare_positives(4000, seed=1)
ln.manual_seed(0)
logistic = nn.Linear(2, 2)                        # logistic regression (softmax over 2 classes)
clf = Trainer(logistic, "cross_entropy", optim.Adam(logistic.parameters(), lr=0.05), verbose=0)
clf.fit(Xb_train, yb_train, epochs=5, batch_size=64, seed=0)
score = clf.predict_proba(Xb_test)[:, 1]          # the model's probability of "positive"


def report(name, y_pred):
    row = {"accuracy": metrics.accuracy_score(yb_test, y_pred),
           "precision": metrics.precision_score(yb_test, y_pred, zero_division=0),
           "recall": metrics.recall_score(yb_test, y_pred, zero_division=0),
           "F1": metrics.f1_score(yb_test, y_pred, zero_division=0)}
    print(f"{name:>26}: " + "  ".join(f"{k} {v:.3f}" for k, v in row.items()))
    return row


print(f"positives in the test set: {yb_test.mean():.3f}")
always_negative = report("always 'negative'", np.zeros_like(yb_test))
trained = {t: report(f"logistic, threshold {t}", (score >= t).astype(int)) for t in (0.5, 0.2)}
assert always_negative["accuracy"] > 0.93 and always_negative["recall"] == 0 == always_negative["F1"]
assert trained[0.5]["F1"] > 0.3 and trained[0.5]["accuracy"] - always_negative["accuracy"] < 0.05
assert trained[0.2]["recall"] > trained[0.5]["recall"] > 0.5
assert trained[0.2]["precision"] < trained[0.5]["precision"]
assert trained[0.2]["accuracy"] < always_negative["accuracy"]
if skm is not None:
    ours = metrics.f1_score(yb_test, score >= 0.5)
    theirs = skm.f1_score(yb_test, score >= 0.5)
    print(f"F1: lucidnet {ours:.12f}   scikit-learn {theirs:.12f}")
    assert abs(ours - theirs) < 1e-12

# %% [markdown]
# Accuracy barely separates the useless model from the trained one; recall and $F_1$ do. The
# threshold trades one for the other: lowering it from 0.5 to 0.2 catches more positives
# (recall up) at the price of more false alarms (precision down) -- and by accuracy, that
# classifier, which finds three quarters of the positives, is *worse* than always saying
# "negative".
#
# ## ROC curve and AUC
#
# The **ROC curve** sweeps the threshold and plots the true positive rate
# $TPR = TP / (TP + FN)$ (recall) against the false positive rate $FPR = FP / (FP + TN)$. The
# area under it, **AUC**, does not depend on any threshold nor on the class balance: it is the
# probability that a random positive is scored above a random negative,
# $\mathrm{AUC} = P(s^+ > s^-)$ (ties counting one half). Chance is 0.5, a perfect ranking 1.

# %%
fpr, tpr, thresholds = metrics.roc_curve(yb_test, score)
area = metrics.roc_auc_score(yb_test, score)
pos, neg = score[yb_test == 1], score[yb_test == 0]
pairs = (pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean()
random_auc = metrics.roc_auc_score(yb_test, np.random.default_rng(0).random(len(yb_test)))
print(f"AUC {area:.4f}; trapezoid area under (fpr, tpr) {metrics.auc(fpr, tpr):.4f}; "
      f"share of (positive, negative) pairs ranked right {pairs:.4f}")
print(f"AUC of random scores: {random_auc:.3f}")
assert abs(area - pairs) < 1e-9 and abs(area - metrics.auc(fpr, tpr)) < 1e-9
assert area > 0.85 and abs(random_auc - 0.5) < 0.05
if skm is not None:
    print(f"AUC: lucidnet {area:.12f}   scikit-learn {skm.roc_auc_score(yb_test, score):.12f}")
    assert abs(area - skm.roc_auc_score(yb_test, score)) < 1e-12

fig, ax = plt.subplots(figsize=(5, 4.3))
ax.plot(fpr, tpr, label=f"logistic regression (AUC = {area:.3f})")
ax.plot([0, 1], [0, 1], "k--", lw=0.8, label="chance (AUC = 0.5)")
for t, marker in ((0.5, "o"), (0.2, "s")):
    k = np.argmin(np.abs(thresholds - t))
    ax.plot(fpr[k], tpr[k], marker, color="C3", label=f"threshold {t}")
ax.set(xlabel="false positive rate", ylabel="true positive rate (recall)",
       title="ROC curve, 5% positives")
ax.legend(loc="lower right")
plt.show()

# %% [markdown]
# ## Regression metrics
#
# For real-valued targets $y_i$ and predictions $\hat y_i$:
#
# $$\mathrm{MSE} = \frac1n\sum_i (y_i - \hat y_i)^2, \quad
# \mathrm{MAE} = \frac1n\sum_i |y_i - \hat y_i|, \quad
# R^2 = 1 - \frac{\sum_i (y_i - \hat y_i)^2}{\sum_i (y_i - \bar y)^2}.$$
#
# MSE is in squared units (RMSE $= \sqrt{\mathrm{MSE}}$ is back in the target's units), MAE is
# less sensitive to a few large errors, and $R^2$ is the share of the target's variance the
# model explains: 1 is perfect, 0 is no better than predicting the mean. Here, a linear model on
# scikit-learn's diabetes data (disease progression after one year, from 10 measurements).

# %%
diabetes = load_dataset("diabetes")
Xr_train, Xr_test, yr_train, yr_test = train_test_split(diabetes.X, diabetes.y, test_size=0.25,
                                                        random_state=0)
x_scaler, y_scaler = StandardScaler().fit(Xr_train), StandardScaler().fit(yr_train.reshape(-1, 1))
ln.manual_seed(0)
linear = nn.Linear(10, 1)
reg = Trainer(linear, "mse", optim.Adam(linear.parameters(), lr=0.05), metrics=["r2"], verbose=0)
reg.fit(x_scaler.transform(Xr_train), y_scaler.transform(yr_train.reshape(-1, 1)), epochs=100,
        batch_size=32, seed=0)
yr_pred = y_scaler.inverse_transform(reg.predict(x_scaler.transform(Xr_test))).ravel()
mse = metrics.mean_squared_error(yr_test, yr_pred)
mae = metrics.mean_absolute_error(yr_test, yr_pred)
r2 = metrics.r2_score(yr_test, yr_pred)
print(f"linear model: MSE {mse:.1f}  RMSE {np.sqrt(mse):.1f}  MAE {mae:.1f}  R² {r2:.3f} "
      f"(target std {yr_test.std():.1f})")
print(f"R² = 1 - MSE / Var(y): {1 - mse / yr_test.var():.3f}")
mean_guess = np.full_like(yr_test, yr_test.mean())
print(f"predicting the test mean: R² {metrics.r2_score(yr_test, mean_guess):.3f}")
assert abs(r2 - (1 - mse / yr_test.var())) < 1e-6 and 0.25 < r2 < 0.7
assert abs(metrics.r2_score(yr_test, mean_guess)) < 1e-6
one_outlier = yr_pred.copy()
one_outlier[0] += 500                            # one absurd prediction
mse_o = metrics.mean_squared_error(yr_test, one_outlier)
mae_o = metrics.mean_absolute_error(yr_test, one_outlier)
print(f"one prediction off by 500: MSE +{mse_o / mse - 1:.0%}, MAE +{mae_o / mae - 1:.0%}")
assert mse_o / mse - 1 > 4 * (mae_o / mae - 1)
if skm is not None:
    print(f"R²: lucidnet {r2:.12f}   scikit-learn {skm.r2_score(yr_test, yr_pred):.12f}")
    assert abs(r2 - skm.r2_score(yr_test, yr_pred)) < 1e-9
    assert abs(mae - skm.mean_absolute_error(yr_test, yr_pred)) < 1e-9

fig, ax = plt.subplots(figsize=(5, 4.3))
ax.scatter(yr_test, yr_pred, s=15, alpha=0.7, label="test patients")
lims = [min(yr_test.min(), yr_pred.min()), max(yr_test.max(), yr_pred.max())]
ax.plot(lims, lims, "k--", lw=0.8, label="perfect prediction")
ax.axhline(yr_test.mean(), color="C1", lw=0.8, label="mean of y (R² = 0)")
ax.set(xlabel="true progression", ylabel="predicted", title=f"diabetes, linear model, R² = {r2:.2f}")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## Learning curves
#
# Train the same model on more and more data and score it on the training part and on the
# validation set. With little data the training score is perfect and the validation score poor
# (high variance: more data would help); as the data grows the two approach each other. If they
# meet at a low score, the model is too simple (high bias): more data will not help, a bigger
# model might. Below, the chosen MLP and one squeezed through a single hidden unit. (The other
# "learning curve", the loss per epoch, is `trainer.history`; see tutorial 5 and
# `lucidnet.plot.learning_curves`.)

# %%
sizes = [20, 40, 80, 160, 320, 640, len(X_train)]
models = {f"MLP {chosen}": chosen, "MLP (1,): one hidden unit": (1,)}
curves = {}
for name, hidden in models.items():
    curve = curves[name] = {"train": [], "val": []}
    for n in sizes:
        trainer = make_trainer(hidden)
        Xn, yn = scaler.transform(X_train[:n]), y_train[:n]
        trainer.fit(Xn, yn, epochs=max(15, 4000 // n), batch_size=32, seed=0)  # >= ~125 steps
        curve["train"].append(trainer.evaluate(Xn, yn)["accuracy"])
        curve["val"].append(trainer.evaluate(scaler.transform(X_val), y_val)["accuracy"])
    print(name)
    for n, a, b in zip(sizes, curve["train"], curve["val"]):
        print(f"  {n:5d} training images: train accuracy {a:.3f}  validation accuracy {b:.3f}  "
              f"gap {a - b:+.3f}")
big, tiny = curves[f"MLP {chosen}"], curves["MLP (1,): one hidden unit"]
gaps = np.subtract(big["train"], big["val"])
assert big["val"][-1] > big["val"][0] + 0.15 and gaps[-1] < 0.5 * gaps[0]        # variance
assert max(tiny["train"][-1], tiny["val"][-1]) < 0.5                                # bias
assert abs(tiny["train"][-1] - tiny["val"][-1]) < 0.1

fig, ax = plt.subplots(figsize=(6.5, 3.8))
for (name, curve), color in zip(curves.items(), ("C0", "C3")):
    ax.plot(sizes, curve["train"], "o-", color=color, label=f"{name}: training")
    ax.plot(sizes, curve["val"], "s--", color=color, label=f"{name}: validation")
ax.set_xscale("log")
ax.set(xlabel="training images (log scale)", ylabel="accuracy", ylim=(0, 1.05),
       title="learning curves on digits")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## What to remember
#
# - Fit on train, choose on validation, report test once; fit preprocessing on train only.
# - k-fold cross-validation turns one noisy validation score into $k$, with a mean and a spread.
# - The confusion matrix shows which classes are confused; accuracy is its trace over its sum.
# - On imbalanced data accuracy flatters a useless model; look at precision, recall and $F_1$,
#   and at the threshold-free ROC AUC $= P(s^+ > s^-)$.
# - Regression: MSE punishes large errors, MAE is robust to them, $R^2$ compares with predicting
#   the mean.
# - Learning curves tell variance (a gap that more data closes) from bias (both curves low).
