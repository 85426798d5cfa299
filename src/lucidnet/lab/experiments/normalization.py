"""Claims 12 and 17: batch normalization and input whitening (docs/ideas.md: H1, H2).

12. BatchNorm trains faster, tolerates a higher learning rate, and degrades with tiny batches.
17. Whitening decorrelates the features (covariance ~= I); standardization does not.
"""

from __future__ import annotations

import warnings

import numpy as np

from ...autograd.tensor import Tensor, no_grad
from ...data import PCAWhitening, StandardScaler, ZCAWhitening, load_dataset, train_test_split
from ...metrics import r2_quality, r2_score
from ...models import MLP
from ...nn import Linear, MSELoss
from ...optim import SGD
from ...plot._backend import pyplot
from ...random import manual_seed
from ...train import Trainer
from ..registry import Check, Result, claim, judge

__all__ = ["batch_norm", "judge_batch_norm", "judge_whitening", "whitening"]


def _digits_split(seed: int, n_train: int):
    """Standardized digits (8x8 images as 64 features), stratified 70/30 split; ``n_train``
    samples kept (an even count, so no BatchNorm batch is a single sample)."""
    d = load_dataset("digits")
    Xtr, Xva, ytr, yva = train_test_split(d.X, d.y, test_size=0.3, random_state=seed, stratify=d.y)
    Xtr, ytr = Xtr[:n_train], ytr[:n_train]
    scaler = StandardScaler().fit(Xtr)
    return scaler.transform(Xtr), ytr, scaler.transform(Xva), yva


def _fit_mlp(data, seed: int, batch_norm: bool, lr: float, batch_size: int, epochs: int):
    """A 64-64-64-64-10 ReLU MLP (optionally with BatchNorm) trained by plain SGD; the history."""
    Xtr, ytr, Xva, yva = data
    manual_seed(seed)
    model = MLP(64, (64, 64, 64), 10, activation="relu", batch_norm=batch_norm)
    trainer = Trainer(model, "cross_entropy", SGD(model.parameters(), lr=lr), metrics=["accuracy"],
                      verbose=0)
    with warnings.catch_warnings(), np.errstate(over="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # divergence is a measured outcome here
        history = trainer.fit(Xtr, ytr, epochs=epochs, batch_size=batch_size,
                              validation_data=(Xva, yva), seed=seed)
        # a run that diverges in its first epoch has no history: score the weights it kept
        acc = (list(history["val_accuracy"]) if "val_accuracy" in history
               else [trainer.evaluate(Xva, yva)["accuracy"]])
    return {"val_accuracy": acc + [acc[-1]] * (epochs - len(acc)), "diverged": trainer.diverged}


@claim(12, "BatchNorm: faster training, higher learning rates, small-batch trouble",
       "Batch normalization trains faster and allows a higher learning rate; it needs larger "
       "mini-batches (a mini-batch must resemble the population).",
       "seed 001 Normalizations / Batch Normalization (pros and cons); seed 002 Batch norm; "
       "seed 003 BATCH NORMALIZATION", ("H2",))
def batch_norm(seed: int, size: str) -> Result:
    """Test claim 12 (docs/ideas.md): batch normalization trains faster, allows higher learning rates and suffers with small batches.

    MLPs with and without BatchNorm are trained on a digits split at several learning rates and
    batch sizes; the validation accuracy after a fixed number of epochs is measured. The claim
    holds if BatchNorm is better at equal epochs, still trains at a learning rate where the plain
    net fails, and loses accuracy with very small mini-batches.

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
    The experiment is registered as claim 12; ``lucidnet lab run 12`` (or
    ``run_claim(12)``) runs it, for seconds:

    >>> from lucidnet.lab.registry import get_claim
    >>> from lucidnet.lab.experiments.normalization import batch_norm
    >>> claim = get_claim(12)
    >>> claim.run is batch_norm, claim.spec
    (True, ('H2',))
    """
    quick = size == "quick"
    epochs = 3 if quick else 12
    data = _digits_split(seed, 1216)
    lrs = (0.02, 0.2, 2.0)
    high = lrs[-1]
    runs = {(bn, lr): _fit_mlp(data, seed, bn, lr, 32, epochs) for bn in (False, True) for lr in lrs}
    # small batches: same data, same epochs, lr scaled with the batch size (linear rule)
    small = 2
    sb_epochs = 2 if quick else 3
    batch = {(bn, bs): _fit_mlp(data, seed, bn, 0.2 * bs / 32, bs, sb_epochs)["val_accuracy"][-1]
             for bn in (False, True) for bs in (small, 32)}

    final = {k: r["val_accuracy"][-1] for k, r in runs.items()}
    first = {k: r["val_accuracy"][0] for k, r in runs.items()}
    bn_gain_small = batch[True, small] - batch[False, small]
    bn_gain_32 = batch[True, 32] - batch[False, 32]

    numbers = {
        "epochs": epochs,
        "val acc after epoch 1, lr 0.02: plain / BN": [round(first[False, 0.02], 3),
                                                       round(first[True, 0.02], 3)],
        **{f"final val acc lr {lr}: plain / BN": [round(final[False, lr], 3), round(final[True, lr], 3)]
           for lr in lrs},
        f"plain net diverged (loss inf/NaN) at lr {high}": bool(runs[False, high]["diverged"]),
        f"batch {small}: val acc plain / BN": [round(batch[False, small], 3),
                                               round(batch[True, small], 3)],
        "batch 32: val acc plain / BN": [round(batch[False, 32], 3), round(batch[True, 32], 3)],
        "BN gain at batch 2 / at batch 32": [round(bn_gain_small, 3), round(bn_gain_32, 3)],
    }

    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.2))
    ep = np.arange(1, epochs + 1)
    for (bn, lr), style in (((False, 0.02), "C0--"), ((True, 0.02), "C1--"),
                            ((False, high), "C0-"), ((True, high), "C1-")):
        axes[0].plot(ep, runs[bn, lr]["val_accuracy"], style, marker="o", ms=3,
                     label=f"{'BN' if bn else 'plain'}, lr {lr}")
    axes[0].set(xlabel="epoch", ylabel="validation accuracy", title="training speed", ylim=(0, 1))
    axes[0].legend(fontsize=7)
    x = np.arange(len(lrs))
    axes[1].bar(x - 0.2, [final[False, lr] for lr in lrs], 0.4, label="plain")
    axes[1].bar(x + 0.2, [final[True, lr] for lr in lrs], 0.4, label="BatchNorm")
    axes[1].set(xticks=x, xticklabels=[str(lr) for lr in lrs], xlabel="SGD learning rate",
                title="final val accuracy", ylim=(0, 1))
    axes[1].legend(fontsize=7)
    axes[2].bar(np.arange(2) - 0.2, [batch[False, small], batch[False, 32]], 0.4, label="plain")
    axes[2].bar(np.arange(2) + 0.2, [batch[True, small], batch[True, 32]], 0.4, label="BatchNorm")
    axes[2].set(xticks=[0, 1], xticklabels=[f"batch {small}", "batch 32"], ylim=(0, 1),
                title="mini-batch size")
    axes[2].legend(fontsize=7)
    fig.tight_layout()

    return judge_batch_norm(numbers, lrs, small, [fig])


def judge_batch_norm(numbers: dict, lrs, small: int, figures=()) -> Result:
    """Claim 12's rule on its numbers: after one epoch at lr 0.02 BN is > 20 points ahead of the
    plain net; at the highest lr BN ends >= 85% and > 10 points ahead; with batches of ``small``
    BN is > 10 points behind the plain net and > 20 points below BN at batch 32.

    Parameters
    ----------
    numbers : dict
        The measured quantities (name -> number, pair or list) the run function records; the
        rule reads the keys of the example below.
    lrs : sequence of float
        The SGD learning rates tried; the last (highest) is judged.
    small : int
        The small batch size that hurts BN.
    figures : list of matplotlib.figure.Figure, optional
        Kept in the Result for the report.

    Returns
    -------
    Result
        The verdict `lucidnet.lab.registry.judge` gives the rule's checks (holds / partly
        holds / does not hold / corrected), with ``numbers`` and ``figures``.

    Examples
    --------
    The rule applied to the numbers a quick run measured (``batch_norm(seed=0, size="quick")``
    measures them, in seconds); the second item names the checks that failed:

    >>> from lucidnet.lab.experiments.normalization import judge_batch_norm
    >>> numbers = {
    ...     "val acc after epoch 1, lr 0.02: plain / BN": [0.107, 0.756],
    ...     "final val acc lr 2.0: plain / BN": [0.1, 0.913],
    ...     "batch 2: val acc plain / BN": [0.883, 0.5],
    ...     "batch 32: val acc plain / BN": [0.856, 0.978],
    ...     "epochs": 3}
    >>> r = judge_batch_norm(numbers, (0.02, 0.2, 2.0), 2)
    >>> r.verdict, [c.what for c in r.checks if not c.passed]
    ('holds', [])
    """
    high = lrs[-1]
    plain1, bn1 = numbers["val acc after epoch 1, lr 0.02: plain / BN"]
    plain_hi, bn_hi = numbers[f"final val acc lr {high}: plain / BN"]
    plain_s, bn_s = numbers[f"batch {small}: val acc plain / BN"]
    bn_32 = numbers["batch 32: val acc plain / BN"][1]
    checks = [Check("trains faster", "BN after epoch 1", bn1, ">", "plain + 0.2", plain1 + 0.2),
              Check(f"tolerates lr {high:g}", "BN final", bn_hi, ">=", "", 0.85),
              Check("... where the plain net fails", "plain final", plain_hi, "<", "BN - 0.1",
                    bn_hi - 0.1),
              Check(f"batch {small} hurts BN", "BN", bn_s, "<", "plain - 0.1", plain_s - 0.1),
              Check("larger batches fix it", "BN at batch 32", bn_32, ">",
                    f"BN at batch {small} + 0.2", bn_s + 0.2)]
    return judge(checks, f"MLP on digits, {numbers['epochs']} epochs, SGD lr {', '.join(map(str, lrs))}"
                 "; validation accuracy.", numbers, figures)


def _diabetes():
    d = load_dataset("diabetes")
    return d.X.astype(np.float64), d.y.astype(np.float64)


def _gd_linear_regression(X, y, steps: int, lr: float, seed: int) -> list:
    """Full-batch gradient descent on a lucidnet Linear(d, 1) with MSE; the loss per step."""
    manual_seed(seed)
    model = Linear(X.shape[1], 1)
    loss_fn = MSELoss()
    opt = SGD(model.parameters(), lr=lr)
    Xt = Tensor(X.astype(np.float32))
    target = ((y - y.mean()) / y.std()).astype(np.float32).reshape(-1, 1)
    losses = []
    for _ in range(steps):
        loss = loss_fn(model(Xt), target)
        losses.append(float(loss.data))
        opt.zero_grad()
        loss.backward()
        opt.step()
    return losses, model


def _off_diagonal(c: np.ndarray) -> float:
    return float(np.max(np.abs(c - np.diag(np.diag(c)))))


@claim(17, "Whitening decorrelates features; standardization does not",
       "Whitening (PCA, then standardization) gives decorrelated features of equal scale and is "
       "known to be better than standardization, which only centres and rescales each feature.",
       "seed 001 Normalizations / Whitening; seed 002 Zero centering", ("H1",))
def whitening(seed: int, size: str) -> Result:
    """Test claim 17 (docs/ideas.md): whitening decorrelates features, standardization does not.

    Whitening (PCA, then scaling each component to unit variance) is compared with standardization
    (centre and scale each feature) on the diabetes data; the off-diagonal correlations of the
    transformed features and the gradient-descent steps a linear regression needs on each are measured. The claim holds
    if PCA and ZCA whitening give an identity covariance, standardization keeps correlations, and
    gradient descent needs fewer steps on whitened features.

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
    The experiment is registered as claim 17; ``lucidnet lab run 17`` (or
    ``run_claim(17)``) runs it, for seconds:

    >>> from lucidnet.lab.registry import get_claim
    >>> from lucidnet.lab.experiments.normalization import whitening
    >>> claim = get_claim(17)
    >>> claim.run is whitening, claim.spec
    (True, ('H1',))
    """
    X, y = _diabetes()
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(X))[: (300 if size == "quick" else len(X))]
    X, y = X[idx], y[idx]
    transforms = {"standardized": StandardScaler(), "PCA-whitened": PCAWhitening(eps=0.0),
                  "ZCA-whitened": ZCAWhitening(eps=0.0)}
    Z = {name: t.fit_transform(X) for name, t in transforms.items()}
    cov = {name: np.cov(z, rowvar=False) for name, z in Z.items()}
    dev = {name: float(np.max(np.abs(c - np.eye(len(c))))) for name, c in cov.items()}
    off = {name: _off_diagonal(c) for name, c in cov.items()}
    cond = {name: float(np.linalg.cond(c)) for name, c in cov.items()}

    # what decorrelation buys: gradient descent on a linear model, same lr, same steps
    steps = 60 if size == "quick" else 300
    # the MSE Hessian is 2 cov(z): each run takes the classic step 1 / L, L = 2 lambda_max(cov)
    lr = {name: 0.5 / float(np.linalg.eigvalsh(cov[name]).max())
          for name in ("standardized", "PCA-whitened")}
    curves = {name: _gd_linear_regression(Z[name], y, steps, lr[name], seed) for name in lr}
    target = (y - y.mean()) / y.std()
    best = float(np.mean((target - Z["standardized"] @ np.linalg.lstsq(
        Z["standardized"], target, rcond=None)[0]) ** 2))

    def steps_to(losses):
        hit = [i for i, v in enumerate(losses) if v <= best * 1.01]
        return hit[0] + 1 if hit else None

    to_opt = {name: steps_to(c[0]) for name, c in curves.items()}
    model = curves["PCA-whitened"][1]
    with no_grad():
        pred = model(Tensor(Z["PCA-whitened"].astype(np.float32))).data[:, 0]
    r2 = float(r2_score(target, pred))

    numbers = {
        "samples x features": f"{X.shape[0]} x {X.shape[1]}",
        **{f"max |cov - I| {n}": float(f"{v:.3g}") for n, v in dev.items()},
        **{f"max |off-diagonal cov| {n}": float(f"{v:.3g}") for n, v in off.items()},
        **{f"condition number of cov {n}": round(v, 2) for n, v in cond.items()},
        f"GD steps to within 1% of the least-squares loss (max {steps}): standardized / whitened":
            [to_opt["standardized"] or f">{steps}", to_opt["PCA-whitened"] or f">{steps}"],
        "lr = 1/L used: standardized / whitened": [round(lr["standardized"], 3),
                                                   round(lr["PCA-whitened"], 3)],
        "R^2 of the linear model (whitened inputs)": round(r2, 3),
        "R^2 band (seed 000)": r2_quality(r2),
    }

    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.2))
    for ax, name in zip(axes[:2], ("standardized", "PCA-whitened")):
        im = ax.imshow(cov[name], cmap="coolwarm", vmin=-1, vmax=1)
        ax.set_title(f"cov, {name}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(im, ax=axes[1], shrink=0.8)
    for name, (losses, _) in curves.items():
        axes[2].semilogy(np.array(losses) - best + 1e-8, label=name)
    axes[2].set(xlabel="gradient-descent step", ylabel="loss - least-squares loss",
                title="linear regression, full-batch GD")
    axes[2].legend(fontsize=7)
    fig.tight_layout()

    return judge_whitening(numbers, steps, [fig])


def judge_whitening(numbers: dict, steps: int, figures=()) -> Result:
    """Claim 17's rule on its numbers: PCA and ZCA whitening give cov = I (max |cov - I| < 1e-6),
    standardized features keep a correlation > 0.3, and whitening is better for gradient descent:
    fewer steps to within 1% of the least-squares loss (">N": not within N steps).

    Parameters
    ----------
    numbers : dict
        The measured quantities (name -> number, pair or list) the run function records; the
        rule reads the keys of the example below.
    steps : int
        The most GD steps run (">N" in ``numbers``: not reached).
    figures : list of matplotlib.figure.Figure, optional
        Kept in the Result for the report.

    Returns
    -------
    Result
        The verdict `lucidnet.lab.registry.judge` gives the rule's checks (holds / partly
        holds / does not hold / corrected), with ``numbers`` and ``figures``.

    Examples
    --------
    The rule applied to the numbers a quick run measured (``whitening(seed=0, size="quick")``
    measures them, in seconds); the second item names the checks that failed:

    >>> from lucidnet.lab.experiments.normalization import judge_whitening
    >>> numbers = {
    ...     "GD steps to within 1% of the least-squares loss (max 60): standardized / whitened": [15, 2],
    ...     "max |cov - I| PCA-whitened": 7.71e-15,
    ...     "max |cov - I| ZCA-whitened": 1.75e-14,
    ...     "max |off-diagonal cov| standardized": 0.908,
    ...     "samples x features": "300 x 10",
    ...     "condition number of cov standardized": 583.2}
    >>> r = judge_whitening(numbers, 60)
    >>> r.verdict, [c.what for c in r.checks if not c.passed]
    ('holds', [])
    """
    def count(v):
        return v if isinstance(v, (int, float)) else float("inf")

    std_steps, white_steps = numbers[
        f"GD steps to within 1% of the least-squares loss (max {steps}): standardized / whitened"]
    checks = [Check("PCA whitening decorrelates", "max |cov - I|",
                    numbers["max |cov - I| PCA-whitened"], "<", "", 1e-6),
              Check("ZCA whitening decorrelates", "max |cov - I|",
                    numbers["max |cov - I| ZCA-whitened"], "<", "", 1e-6),
              Check("standardization does not", "max |off-diagonal cov|",
                    numbers["max |off-diagonal cov| standardized"], ">", "", 0.3),
              Check("whitening is better for GD", "steps whitened", count(white_steps), "<",
                    "standardized", count(std_steps))]
    return judge(checks, f"Diabetes data ({numbers['samples x features']}); linear regression by "
                 f"full-batch GD at lr 1/L, at most {steps} steps.", numbers, figures,
                 f"Condition number of cov, standardized: "
                 f"{numbers['condition number of cov standardized']:.0f}.")
