"""Claims 7, 8, 9, 11: learning rate and decay, optimizers on a ravine and a saddle, the first-order
Taylor view of a step, batch / stochastic / mini-batch descent (docs/ideas.md: F1, E1-E3, A5).

Also the small training loop the lab's claims 1-11 share (`fit`, `full_loss`, `float64`): forward,
loss, backward, update -- the four visible steps of docs/ideas.md row A2, with a full-data loss after each epoch.
"""

from __future__ import annotations

import math
import time
import warnings
from contextlib import contextmanager

import numpy as np

from ... import nn, optim
from ...autograd.tensor import Tensor, get_default_dtype, no_grad, set_default_dtype
from ...data.datasets import make_moons, make_spirals
from ...optim import lr_scheduler
from ...plot._backend import pyplot
from ...random import manual_seed
from ...train.callbacks import Callback
from ...train.trainer import Trainer
from ..registry import Check, Result, claim, judge

__all__ = ["fit", "float64", "full_loss", "judge_batch_modes", "judge_learning_rate",
           "judge_optimizers", "judge_taylor", "run_batch_modes", "run_learning_rate",
           "run_optimizers", "run_taylor"]


# ------------------------------------------------------------------------------ shared helpers
@contextmanager
def float64():
    """Build and train in float64 inside the block (the default dtype is restored after).

    Examples
    --------
    >>> from lucidnet.lab.experiments.optimization import float64
    >>> with float64():
    ...     inside = ln.nn.Linear(2, 1).weight.dtype
    >>> inside, ln.nn.Linear(2, 1).weight.dtype
    (dtype('float64'), dtype('float32'))
    """
    previous = get_default_dtype()
    set_default_dtype(np.float64)
    try:
        yield
    finally:
        set_default_dtype(previous)


def _dtype(model) -> np.dtype:
    return next(iter(model.parameters())).dtype


def full_loss(model, loss_fn, X: np.ndarray, y: np.ndarray) -> float:
    """The loss of ``model`` on all of (X, y), without building a graph.

    Examples
    --------
    >>> from lucidnet.lab.experiments.optimization import full_loss
    >>> model = ln.nn.Linear(1, 1)
    >>> _ = ln.nn.init.constant_(model.weight, 2.0), ln.nn.init.zeros_(model.bias)
    >>> X, y = np.array([[1.0], [2.0]]), np.array([[1.0], [1.0]])
    >>> full_loss(model, ln.nn.MSELoss(), X, y)        # ((2 - 1)^2 + (4 - 1)^2) / 2
    5.0
    """
    with no_grad():
        return float(loss_fn(model(Tensor(X.astype(_dtype(model), copy=False))), y).item())


class _FullDataLoss(Callback):
    """The lab's view of a fit: the loss on all of (X, y) after every epoch (NaN stops the run),
    the number of updates and, if asked, each update's batch loss."""

    def __init__(self, loss_fn, X: np.ndarray, y: np.ndarray, step_losses: bool):
        self.loss_fn, self.X, self.y = loss_fn, X, y
        self.keep_step_losses = step_losses
        self.curve: list[float] = []
        self.step_loss: list[float] = []
        self.steps = 0

    def on_batch_end(self, batch, logs=None):
        self.steps += 1
        if self.keep_step_losses:
            self.step_loss.append(logs["loss"])

    def on_epoch_end(self, epoch, logs=None):
        value = full_loss(self.trainer.model, self.loss_fn, self.X, self.y)
        self.curve.append(value)
        if not math.isfinite(value):
            self.trainer.stop_training = True


def fit(model, loss_fn: nn.Module, opt, X: np.ndarray, y: np.ndarray, epochs: int,
        batch_size: int | None = None, seed: int = 0, scheduler=None,
        step_losses: bool = False) -> dict:
    """Train with the library's `Trainer` for ``epochs`` passes over (X, y) and record the
    full-data loss curve the lab's claims plot; stop at the first NaN/inf.

    Each batch is the Trainer's four visible steps (forward pass, loss, backward pass, update);
    the batches are shuffled by ``numpy.random.default_rng(seed)`` (a full batch is not
    shuffled), and ``scheduler`` (if given) is stepped once per epoch.

    Parameters
    ----------
    model : Module
        The network to train (in place).
    loss_fn : Module
        A loss Module (``nn.MSELoss()``, ``nn.CrossEntropyLoss()``, ...): its class tells
        the Trainer how to read the targets.
    opt : Optimizer
        An optimizer over ``model.parameters()``.
    X, y : numpy.ndarray
        Inputs (N, ...) and targets (N, ...) or class indices (N,), cast to the model's dtype.
    epochs : int
        Passes over the data.
    batch_size : int, optional
        None for full-batch gradient descent.
    seed : int
        Seed of the shuffling.
    scheduler : LRScheduler, optional
        A learning-rate schedule, stepped after every epoch.
    step_losses : bool
        Also return every update's batch loss.

    Returns
    -------
    dict
        ``"loss"``: the full-data loss L(theta) = loss_fn(model(X), y) before training and after
        each epoch, ``epochs + 1`` values (NaN from the epoch in which training diverged on);
        ``"diverged"``: bool; ``"steps"``: updates made; ``"step_loss"`` (if ``step_losses``):
        the batch loss of every update.

    Examples
    --------
    Full-batch gradient descent on y = 3x; the curve has ``epochs + 1`` values, the first
    before any update:

    >>> from lucidnet.lab.experiments.optimization import fit
    >>> X = np.linspace(-1, 1, 20).reshape(-1, 1); y = 3 * X
    >>> model = ln.nn.Linear(1, 1)
    >>> out = fit(model, ln.nn.MSELoss(), ln.optim.SGD(model.parameters(), lr=0.5), X, y, epochs=50)
    >>> len(out["loss"]), out["steps"], out["diverged"], bool(out["loss"][-1] < 1e-3 * out["loss"][0])
    (51, 50, False, True)
    """
    if not isinstance(loss_fn, nn.Module):
        raise TypeError(f"fit: loss_fn must be a loss Module such as nn.MSELoss() (its class "
                        f"tells the Trainer how to read y), got {type(loss_fn).__name__}")
    dtype = _dtype(model)
    X = X.astype(dtype, copy=False)
    if y.dtype.kind == "f":
        y = y.astype(dtype, copy=False)
    bs = len(X) if batch_size is None else int(batch_size)
    record = _FullDataLoss(loss_fn, X, y, step_losses)
    start = full_loss(model, loss_fn, X, y)
    diverged = not math.isfinite(start)
    if not diverged:
        trainer = Trainer(model, loss_fn, opt, callbacks=[record], scheduler=scheduler,
                          scheduler_interval="epoch", verbose=0)
        with warnings.catch_warnings():   # the curve's NaN says it; no warning per run
            warnings.filterwarnings("ignore", message="training diverged", category=RuntimeWarning)
            trainer.fit(X, y, epochs=epochs, batch_size=bs, shuffle=bs < len(X), seed=seed)
        diverged = trainer.diverged or not all(map(math.isfinite, record.curve))
    curve = [start] + [v if math.isfinite(v) else np.nan for v in record.curve]
    curve += [np.nan] * (epochs + 1 - len(curve))
    out = {"loss": np.asarray(curve), "diverged": diverged, "steps": record.steps}
    if step_losses:
        out["step_loss"] = np.asarray(record.step_loss)
    return out


_ce = nn.CrossEntropyLoss()
_bce = nn.BCEWithLogitsLoss()


def _mlp(widths, activation: str = "relu") -> nn.Sequential:
    layers = []
    for i in range(len(widths) - 1):
        layers.append(nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(nn.get_activation(activation))
    return nn.Sequential(*layers)


# ------------------------------------------------------------------------------------ claim 7
_SCHEDULES = {
    "constant": lambda opt, epochs: None,
    "step decay": lambda opt, epochs: lr_scheduler.StepLR(opt, step_size=max(1, epochs // 3),
                                                          gamma=0.2),
    "exponential α0·e^(-kt)": lambda opt, epochs: lr_scheduler.ExponentialLR.from_decay_rate(
        opt, k=math.log(100) / epochs),
    "cosine": lambda opt, epochs: lr_scheduler.CosineAnnealingLR(opt, T_max=epochs),
}


def _spirals_run(data, lr, schedule, epochs, seed, batch_size=16):
    manual_seed(seed)  # every run starts from the same weights
    model = _mlp((2, 64, 64, 3))
    opt = optim.SGD(model.parameters(), lr=lr)
    return fit(model, _ce, opt, data.X, data.y, epochs, batch_size, seed,
               scheduler=_SCHEDULES[schedule](opt, epochs))


@claim(7, "Learning rate: too high diverges, too low crawls; decay beats constant",
       "Too large a learning rate overshoots and never converges, too small a one converges slowly; "
       "a decaying learning rate (large first, smaller later) works better than a constant one.",
       "seed 002 Learning rate; seed 003 Learning Rate & Convergence, Learning Rate Schedules",
       ("F1",))
def run_learning_rate(seed: int = 0, size: str = "quick") -> Result:
    """Test claim 7 (docs/ideas.md): too high a learning rate diverges, too low crawls, and decay beats a constant rate.

    The same model is trained with a sweep of constant learning rates and with a decaying one; the
    final loss of each is measured. The claim holds if the largest rate diverges or oscillates, the
    smallest barely moves, and the decaying rate ends at least as low as the best constant one.

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
    The experiment is registered as claim 7; ``lucidnet lab run 7`` (or
    ``run_claim(7)``) runs it, for seconds:

    >>> from lucidnet.lab.registry import get_claim
    >>> from lucidnet.lab.experiments.optimization import run_learning_rate
    >>> claim = get_claim(7)
    >>> claim.run is run_learning_rate, claim.spec
    (True, ('F1',))
    """
    quick = size == "quick"
    epochs, lrs = (30, (3.0, 1.0, 0.3, 0.1, 0.001)) if quick else \
        (80, (3.0, 1.0, 0.3, 0.1, 0.01, 0.001))
    data = make_spirals(300, n_arms=3, noise=0.2, seed=seed)
    curves = {(s, lr): _spirals_run(data, lr, s, epochs, seed)["loss"] for s in _SCHEDULES
              for lr in lrs}
    start = float(curves["constant", lrs[0]][0])
    numbers = {"initial loss (≈ ln 3)": start}
    best = {}
    for s in _SCHEDULES:
        finals = {lr: float(np.nan_to_num(curves[s, lr][-1], nan=np.inf)) for lr in lrs}
        best[s] = min(lrs, key=finals.get)
        numbers[f"{s}: final loss per lr"] = {f"{lr:g}": round(v, 4) for lr, v in finals.items()}
        numbers[f"{s}: best lr / final loss"] = [best[s], round(finals[best[s]], 4)]
    high, low = curves["constant", lrs[0]], curves["constant", lrs[-1]]
    numbers[f"constant lr {lrs[0]:g}: final / initial loss"] = float(high[-1] / high[0])
    numbers[f"constant lr {lrs[0]:g}: largest loss seen"] = float(np.nanmax(high))
    numbers[f"constant lr {lrs[-1]:g}: loss drop"] = float(1 - low[-1] / low[0])
    const_curve = curves["constant", best["constant"]]
    cos_curve = curves["cosine", best["cosine"]]
    tail = max(3, epochs // 10)
    numbers["epoch-to-epoch loss jitter, last epochs: best constant / best cosine"] = [
        float(np.std(np.diff(const_curve[-tail:]))), float(np.std(np.diff(cos_curve[-tail:])))]
    if not quick:  # control: full-batch gradient descent has no mini-batch noise to anneal
        gd = {}
        for s in ("constant", "cosine"):
            gd[s] = min(float(np.nan_to_num(_spirals_run(data, lr, s, 300, seed, None)["loss"][-1],
                                            nan=np.inf)) for lr in lrs)
        numbers["full-batch GD, 300 steps: best constant / best cosine"] = [gd["constant"],
                                                                            gd["cosine"]]

    return judge_learning_rate(numbers, lrs, epochs,
                               [_figure_learning_rate(curves, lrs, best)])


def judge_learning_rate(numbers: dict, lrs, epochs: int, figures=()) -> Result:
    """Claim 7's rule on its numbers: the largest lr ends at >= 90% of the initial loss (or
    diverges), the smallest lowers the loss by < 20%, and each decay's best final loss is below
    the best constant lr's. The full-batch control (full run) is reported, not judged.

    Parameters
    ----------
    numbers : dict
        The measured quantities (name -> number, pair or list) the run function records; the
        rule reads the keys of the example below.
    lrs : sequence of float
        The constant learning rates tried, largest first.
    epochs : int
        Epochs of every run.
    figures : list of matplotlib.figure.Figure, optional
        Kept in the Result for the report.

    Returns
    -------
    Result
        The verdict `lucidnet.lab.registry.judge` gives the rule's checks (holds / partly
        holds / does not hold / corrected), with ``numbers`` and ``figures``.

    Examples
    --------
    The rule applied to the numbers a quick run measured (``run_learning_rate(seed=0, size="quick")``
    measures them, in seconds); the second item names the checks that failed:

    >>> from lucidnet.lab.experiments.optimization import judge_learning_rate
    >>> numbers = {
    ...     "constant lr 3: final / initial loss": 1.075,
    ...     "constant: best lr / final loss": [1.0, 0.0917],
    ...     "constant lr 0.001: loss drop": 0.02931,
    ...     "step decay: best lr / final loss": [1.0, 0.0837],
    ...     "exponential α0·e^(-kt): best lr / final loss": [3.0, 0.0991],
    ...     "cosine: best lr / final loss": [1.0, 0.0535]}
    >>> r = judge_learning_rate(numbers, (3.0, 1.0, 0.3, 0.1, 0.001), 30)
    >>> r.verdict, [c.what for c in r.checks if not c.passed]
    ('partly holds', ['exponential α0·e^(-kt) beats constant'])
    """
    hi, lo = f"{lrs[0]:g}", f"{lrs[-1]:g}"
    ratio = numbers[f"constant lr {hi}: final / initial loss"]
    best_const = numbers["constant: best lr / final loss"][1]
    checks = [Check(f"lr {hi} does not converge", "final/initial loss",
                    math.inf if math.isnan(ratio) else ratio, ">=", "", 0.9),
              Check(f"lr {lo} crawls", "loss drop", numbers[f"constant lr {lo}: loss drop"], "<",
                    "", 0.2)]
    checks += [Check(f"{s} beats constant", f"best final loss {s}",
                     numbers[f"{s}: best lr / final loss"][1], "<", "constant", best_const)
               for s in _SCHEDULES if s != "constant"]
    note = ""
    control = numbers.get("full-batch GD, 300 steps: best constant / best cosine")
    if control is not None:
        c, k = control
        winner = "cosine" if k < c else "the constant lr" if c < k else "neither"
        note = (f"Control without mini-batch noise (full-batch GD, 300 steps, best lr each): "
                f"{winner} ends lower (constant {c:.3f}, cosine {k:.3f}).")
    return judge(checks, f"3-arm spirals, mini-batch SGD, {epochs} epochs, each schedule at its "
                 "best starting lr.", numbers, figures, note)


def _figure_learning_rate(curves, lrs, best):
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    for lr in lrs:
        axes[0].semilogy(curves["constant", lr], label=f"lr {lr:g}")
    axes[0].set(xlabel="epoch", ylabel="training loss", title="constant lr")
    for s, lr in best.items():
        axes[1].semilogy(curves[s, lr], label=f"{s} (lr0 {lr:g})")
    axes[1].set(xlabel="epoch", title="best lr per schedule")
    for ax in axes:  # noisy curves fill both panels: the legends go below them
        ax.legend(fontsize=6, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.28))
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------------------------ claim 8
def _ravine(p):        # a long narrow valley: curvature 1 along x, 50 along y
    return 0.5 * (p[0] * p[0] + 50.0 * p[1] * p[1])


def _saddle(p):        # saddle at (0, 0), minima at (0, ±1)
    return p[0] * p[0] + 0.25 * p[1] ** 4 - 0.5 * p[1] * p[1]


_OPTIMIZERS = {
    "SGD": lambda ps, lr: optim.SGD(ps, lr=lr),
    "Momentum": lambda ps, lr: optim.SGD(ps, lr=lr, momentum=0.9),
    "Nesterov": lambda ps, lr: optim.SGD(ps, lr=lr, momentum=0.9, nesterov=True),
    "Adagrad": lambda ps, lr: optim.Adagrad(ps, lr=lr),
    "RMSprop": lambda ps, lr: optim.RMSprop(ps, lr=lr),
    "Adam": lambda ps, lr: optim.Adam(ps, lr=lr),
}


def _descend(f, start, name, lr, steps):
    """Run optimizer ``name`` on f from ``start``; return the path (steps+1, 2) and, for Adagrad
    and RMSprop, the effective per-coordinate lr lr / (sqrt(state) + eps) after each step."""
    p = nn.Parameter(np.array(start, dtype=np.float64))
    opt = _OPTIMIZERS[name]([p], lr)
    path, eff = [p.data.copy()], []
    for _ in range(steps):
        opt.zero_grad()
        f(p).backward()
        opt.step()
        if not np.all(np.isfinite(p.data)) or np.abs(p.data).max() > 1e6:
            break
        path.append(p.data.copy())
        state = opt.state[p]
        acc = state.get("sum", state.get("square_avg"))
        if acc is not None:
            eff.append(float(np.mean(lr / (np.sqrt(acc) + opt.param_groups[0]["eps"]))))
    return np.array(path), np.array(eff)


def _settled(mask) -> float:
    """The first step from which ``mask`` holds to the end of the run (inf if it never does)."""
    mask = np.asarray(mask, dtype=bool)
    if mask.size == 0 or not mask[-1]:
        return math.inf
    misses = np.flatnonzero(~mask)
    return float(misses[-1] + 1) if misses.size else 0.0


@claim(8, "Optimizers on a ravine and at a saddle point",
       "Plain SGD progresses slowly where the loss falls faster in one direction than another "
       "(a ravine) and stops at saddle points; Momentum, Nesterov, Adagrad, RMSprop and Adam do "
       "better; Adagrad's learning rate keeps shrinking.",
       "seed 002 Optimization beyond SGD; seed 003 ADVANCED OPTIMIZATION ALGORITHMS; seed 004",
       ("E2", "E3"))
def run_optimizers(seed: int = 0, size: str = "quick") -> Result:
    """Test claim 8 (docs/ideas.md): adaptive and momentum optimizers beat plain SGD in a ravine and at a saddle.

    SGD, Momentum, Nesterov, Adagrad, RMSprop and Adam are run for a fixed number of steps on a
    ravine-shaped quadratic and from near a saddle point; the steps each needs to get down the ravine
    and to leave the saddle, and Adagrad's effective learning rate, are measured. The claim holds
    if every other optimizer needs fewer steps than SGD in both places and Adagrad's effective rate
    never grows and falls below half its start.

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
    The experiment is registered as claim 8; ``lucidnet lab run 8`` (or
    ``run_claim(8)``) runs it, for seconds:

    >>> from lucidnet.lab.registry import get_claim
    >>> from lucidnet.lab.experiments.optimization import run_optimizers
    >>> claim = get_claim(8)
    >>> claim.run is run_optimizers, claim.spec
    (True, ('E2', 'E3'))
    """
    quick = size == "quick"
    steps = 200 if quick else 1000
    lrs = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0) if quick else \
        tuple(10.0 ** np.arange(-3, 0.01, 0.25))
    rng = np.random.default_rng(seed)
    ravine_start = (-8.0 + rng.uniform(-1, 1), 1.0 + 0.2 * rng.uniform(-1, 1))
    saddle_start = (1.0, 1e-6 * (1 + rng.uniform()))
    numbers, paths, effs = {}, {}, {}
    with float64():
        f0 = float(_ravine(np.array(ravine_start)))
        for name in _OPTIMIZERS:
            ravine = {lr: _descend(_ravine, ravine_start, name, lr, steps) for lr in lrs}
            hits = {lr: _settled(_ravine(path.T) < 1e-4 * f0)
                    for lr, (path, _) in ravine.items()}
            lr_r = min(lrs, key=hits.get)
            numbers[f"ravine, {name}: steps until f stays < 1e-4·f0 (best lr)"] = [hits[lr_r], float(lr_r)]
            paths["ravine", name] = ravine[lr_r][0]
            effs[name] = ravine[lr_r][1]
            saddle = {lr: _descend(_saddle, saddle_start, name, lr, steps)[0] for lr in lrs}
            escape = {lr: _settled(np.abs(path[:, 1]) > 0.5) for lr, path in saddle.items()}
            lr_s = min(lrs, key=escape.get)
            numbers[f"saddle, {name}: steps until |y| stays > 0.5 (best lr)"] = [escape[lr_s], float(lr_s)]
            paths["saddle", name] = saddle[lr_s]
            # the lr the ravine asked for, kept at the saddle (a network has both at once)
            numbers[f"saddle, {name}: steps until |y| stays > 0.5 (ravine's lr)"] = escape[lr_r]
            on_ridge = _descend(_saddle, (1.0, 0.0), name, lr_s, steps)[0]
            numbers[f"saddle, {name}: |y| after {steps} steps from y = 0 exactly"] = float(
                abs(on_ridge[-1, 1]))
    ada, rms = effs["Adagrad"], effs["RMSprop"]
    numbers["Adagrad effective lr: last / first step"] = float(ada[-1] / ada[0])
    numbers["Adagrad effective lr never grows"] = bool(np.all(np.diff(ada) <= 1e-15))
    numbers["RMSprop effective lr: last / first step"] = float(rms[-1] / rms[0])

    return judge_optimizers(numbers, steps, [_figure_optimizers(paths, effs)])


def judge_optimizers(numbers: dict, steps: int, figures=()) -> Result:
    """Claim 8's rule on its numbers: each of Momentum, Nesterov, Adagrad, RMSprop and Adam needs
    fewer steps than SGD down the ravine (each at its best lr) and leaves the saddle sooner than
    SGD (at the lr the ravine asked for); Adagrad's effective lr never grows and ends below half
    its first value. "never" (inf) counts as more steps than any number.

    Parameters
    ----------
    numbers : dict
        The measured quantities (name -> number, pair or list) the run function records; the
        rule reads the keys of the example below.
    steps : int
        Steps of every optimizer run.
    figures : list of matplotlib.figure.Figure, optional
        Kept in the Result for the report.

    Returns
    -------
    Result
        The verdict `lucidnet.lab.registry.judge` gives the rule's checks (holds / partly
        holds / does not hold / corrected), with ``numbers`` and ``figures``.

    Examples
    --------
    The rule applied to the numbers a quick run measured (``run_optimizers(seed=0, size="quick")``
    measures them, in seconds); the second item names the checks that failed:

    >>> from lucidnet.lab.experiments.optimization import judge_optimizers
    >>> numbers = {
    ...     "ravine, SGD: steps until f stays < 1e-4·f0 (best lr)": [143.0, 0.03],
    ...     "ravine, Momentum: steps until f stays < 1e-4·f0 (best lr)": [82.0, 0.03],
    ...     "ravine, Nesterov: steps until f stays < 1e-4·f0 (best lr)": [77.0, 0.01],
    ...     "ravine, Adagrad: steps until f stays < 1e-4·f0 (best lr)": [78.0, 1.0],
    ...     "ravine, RMSprop: steps until f stays < 1e-4·f0 (best lr)": [4.0, 1.0],
    ...     "ravine, Adam: steps until f stays < 1e-4·f0 (best lr)": [79.0, 1.0],
    ...     "saddle, SGD: steps until |y| stays > 0.5 (ravine's lr)": float("inf"),
    ...     "saddle, Momentum: steps until |y| stays > 0.5 (ravine's lr)": 102.0,
    ...     "saddle, Nesterov: steps until |y| stays > 0.5 (ravine's lr)": float("inf"),
    ...     "saddle, Adagrad: steps until |y| stays > 0.5 (ravine's lr)": 1.0,
    ...     "saddle, RMSprop: steps until |y| stays > 0.5 (ravine's lr)": 1.0,
    ...     "saddle, Adam: steps until |y| stays > 0.5 (ravine's lr)": 7.0,
    ...     "Adagrad effective lr never grows": True,
    ...     "Adagrad effective lr: last / first step": 0.4741,
    ...     "saddle, SGD: |y| after 200 steps from y = 0 exactly": 0.0,
    ...     "saddle, Momentum: |y| after 200 steps from y = 0 exactly": 0.0,
    ...     "saddle, Nesterov: |y| after 200 steps from y = 0 exactly": 0.0,
    ...     "saddle, Adagrad: |y| after 200 steps from y = 0 exactly": 0.0,
    ...     "saddle, RMSprop: |y| after 200 steps from y = 0 exactly": 0.0,
    ...     "saddle, Adam: |y| after 200 steps from y = 0 exactly": 0.0}
    >>> r = judge_optimizers(numbers, 200)
    >>> r.verdict, [c.what for c in r.checks if not c.passed]
    ('partly holds', ['Nesterov leaves the saddle sooner'])
    """
    ravine = {n: numbers[f"ravine, {n}: steps until f stays < 1e-4·f0 (best lr)"][0]
              for n in _OPTIMIZERS}
    saddle = {n: numbers[f"saddle, {n}: steps until |y| stays > 0.5 (ravine's lr)"]
              for n in _OPTIMIZERS}
    checks = []
    for n in _OPTIMIZERS:
        if n != "SGD":
            checks += [Check(f"{n} faster down the ravine", f"steps {n}", ravine[n], "<", "SGD",
                             ravine["SGD"]),
                       Check(f"{n} leaves the saddle sooner", f"steps {n}", saddle[n], "<", "SGD",
                             saddle["SGD"])]
    checks += [Check("Adagrad's effective lr never grows", "", numbers["Adagrad effective lr never "
                     "grows"], "==", "expected", True),
               Check("Adagrad's effective lr shrinks", "last/first",
                     numbers["Adagrad effective lr: last / first step"], "<", "", 0.5)]
    ridge = [n for n in _OPTIMIZERS
             if numbers[f"saddle, {n}: |y| after {steps} steps from y = 0 exactly"] != 0.0]
    note = ("Started exactly on the ridge y = 0, "
            + ("every optimizer stays stuck (the gradient there has no y part)." if not ridge else
               f"{', '.join(ridge)} left it."))
    return judge(checks, f"2-D ravine (curvature 1 vs 50) and saddle (start y = 1e-6), {steps} "
                 "steps, steps counted until the optimizer stays there ('never': not within the run).",
                 numbers, figures, note)


def _figure_optimizers(paths, effs):
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.4))
    for ax, (kind, f, box) in zip(axes, (("ravine", _ravine, (-10, 2, -1.6, 1.6)),
                                         ("saddle", _saddle, (-1.2, 1.2, -1.5, 1.5)))):
        gx, gy = np.meshgrid(np.linspace(*box[:2], 200), np.linspace(*box[2:], 200))
        ax.contour(gx, gy, f(np.stack([gx, gy])), levels=25, colors="0.8", linewidths=0.5)
        for name in _OPTIMIZERS:
            path = paths[kind, name]
            ax.plot(path[:, 0], path[:, 1], lw=1, label=name)
        ax.set(xlim=box[:2], ylim=box[2:], title=f"{kind} (best lr each)")
    for ax in axes[:2]:
        ax.legend(fontsize=6, loc="best")
    for name in ("Adagrad", "RMSprop"):
        axes[2].semilogy(np.arange(1, len(effs[name]) + 1), effs[name], label=name)
    axes[2].set(xlabel="step", ylabel="lr / (√state + ε)", title="effective lr (ravine)")
    axes[2].legend(fontsize=7)
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------------------------ claim 9
def _loss_and_grad(model, X, y) -> tuple[float, list[np.ndarray]]:
    model.zero_grad()
    loss = _ce(model(Tensor(X)), y)
    loss.backward()
    return float(loss.item()), [p.grad.data.copy() for p in model.parameters()]


def _loss_after_step(model, X, y, grads, eta: float) -> float:
    params = list(model.parameters())
    saved = [p.data.copy() for p in params]
    for p, g in zip(params, grads):
        p.data -= eta * g
    value = full_loss(model, _ce, X, y)
    for p, s in zip(params, saved):
        p.data[...] = s
    return value


@claim(9, "First-order Taylor: ΔL ≈ -η‖∇L‖² for small η, not for large η",
       "L(θ + Δθ) ≈ L(θ) + ∇L·Δθ, so the step Δθ = -η∇L changes the loss by ΔL ≈ -η‖∇L‖² < 0; "
       "this is why we step against the gradient with a small learning rate.",
       "seed 001 Revisit Learning / Training of Deep learning", ("A5",))
def run_taylor(seed: int = 0, size: str = "quick") -> Result:
    """Test claim 9 (docs/ideas.md): a small gradient step changes the loss by about -eta * ||grad L||^2.

    The first-order Taylor expansion predicts Delta L = -eta * ||grad L||^2 for the step
    -eta * grad L. For an MLP on spirals, one step is taken for learning rates eta from 1e-6 to 1;
    the relative error of the prediction against the actual loss change is measured. The claim
    holds if the error is under 1 % at eta = 1e-4, grows in proportion to eta, and exceeds 50 % at
    large eta.

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
    The experiment is registered as claim 9; ``lucidnet lab run 9`` (or
    ``run_claim(9)``) runs it, for seconds:

    >>> from lucidnet.lab.registry import get_claim
    >>> from lucidnet.lab.experiments.optimization import run_taylor
    >>> claim = get_claim(9)
    >>> claim.run is run_taylor, claim.spec
    (True, ('A5',))
    """
    quick = size == "quick"
    etas = 10.0 ** np.arange(-6, 1.01, 0.5 if quick else 0.25)
    data = make_spirals(300, n_arms=3, noise=0.2, seed=seed)
    numbers, curves = {}, {}
    with float64():
        X = data.X.astype(np.float64)
        manual_seed(seed)
        model = _mlp((2, 32, 32, 3), "tanh")
        points = {"at init": 0, "after 20 epochs": 20} if quick else \
            {"at init": 0, "after 20 epochs": 20, "after 200 epochs": 180}
        for name, epochs in points.items():
            if epochs:
                fit(model, _ce, optim.SGD(model.parameters(), lr=0.3), X, data.y, epochs, 32, seed)
            loss, grads = _loss_and_grad(model, X, data.y)
            g2 = float(sum(np.vdot(g, g) for g in grads))
            actual = np.array([_loss_after_step(model, X, data.y, grads, e) - loss for e in etas])
            predicted = -etas * g2
            rel = np.abs(actual - predicted) / np.abs(predicted)
            curves[name] = (actual, predicted, rel)
            small = etas <= 1e-3
            slope = float(np.polyfit(np.log10(etas[small]), np.log10(rel[small]), 1)[0])
            up = etas[actual > 0]
            numbers[f"{name}: ‖∇L‖²"] = g2
            numbers[f"{name}: relative error at η = 1e-4 / 1e-2 / 1 / 10"] = [
                float(f"{rel[np.argmin(abs(np.log10(etas) - k))]:.3g}") for k in (-4, -2, 0, 1)]
            over = etas[rel > 0.1]
            numbers[f"{name}: smallest η with relative error > 10%"] = float(over[0]) if over.size \
                else None
            numbers[f"{name}: slope of log error vs log η (η ≤ 1e-3)"] = slope
            numbers[f"{name}: smallest η where the loss goes up"] = float(up[0]) if up.size else None
    return judge_taylor(numbers, list(points), [_figure_taylor(etas, curves)])


def judge_taylor(numbers: dict, points, figures=()) -> Result:
    """Claim 9's rule on its numbers, at every training point: the relative error of
    ΔL ≈ -η‖∇L‖² is < 1% at η = 1e-4, grows like η (log-log slope within 0.2 of 1 for
    η <= 1e-3) and is > 50% at η = 10.

    Parameters
    ----------
    numbers : dict
        The measured quantities (name -> number, pair or list) the run function records; the
        rule reads the keys of the example below.
    points : list of str
        Names of the training points measured (e.g. "at init"); the first one
        names the note.
    figures : list of matplotlib.figure.Figure, optional
        Kept in the Result for the report.

    Returns
    -------
    Result
        The verdict `lucidnet.lab.registry.judge` gives the rule's checks (holds / partly
        holds / does not hold / corrected), with ``numbers`` and ``figures``.

    Examples
    --------
    The rule applied to the numbers a quick run measured (``run_taylor(seed=0, size="quick")``
    measures them, in seconds); the second item names the checks that failed:

    >>> from lucidnet.lab.experiments.optimization import judge_taylor
    >>> numbers = {
    ...     "at init: relative error at η = 1e-4 / 1e-2 / 1 / 10": [1.55e-05, 0.00155, 0.159, 1.27],
    ...     "at init: slope of log error vs log η (η ≤ 1e-3)": 1.0,
    ...     "after 20 epochs: relative error at η = 1e-4 / 1e-2 / 1 / 10": [0.000147, 0.0147, 1.31, 2.23],
    ...     "after 20 epochs: slope of log error vs log η (η ≤ 1e-3)": 1.0,
    ...     "at init: smallest η where the loss goes up": 10.0}
    >>> r = judge_taylor(numbers, ["at init", "after 20 epochs"])
    >>> r.verdict, [c.what for c in r.checks if not c.passed]
    ('holds', [])
    """
    checks = []
    for n in points:
        rel = numbers[f"{n}: relative error at η = 1e-4 / 1e-2 / 1 / 10"]
        slope = numbers[f"{n}: slope of log error vs log η (η ≤ 1e-3)"]
        checks += [Check(f"{n}, small η", "relative error at η = 1e-4", rel[0], "<", "", 0.01),
                   Check(f"{n}, error ∝ η", "|slope - 1|", abs(slope - 1), "<", "", 0.2),
                   Check(f"{n}, large η", "relative error at η = 10", rel[3], ">", "", 0.5)]
    up = numbers[f"{points[0]}: smallest η where the loss goes up"]
    first = points[0][:1].upper() + points[0][1:]
    note = (f"{first}, the loss rises from η = {up:.2g}." if up is not None else
            f"{first}, no η tried raised the loss.")
    return judge(checks, "Tanh MLP on spirals: measured L(θ-η∇L) - L(θ) against -η‖∇L‖².",
                 numbers, figures, note)


def _figure_taylor(etas, curves):
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    for name, (actual, predicted, rel) in curves.items():
        line, = axes[0].loglog(etas, np.abs(actual), label=f"|ΔL| measured, {name}")
        axes[0].loglog(etas, np.abs(predicted), "--", c=line.get_color(), label=f"η‖∇L‖², {name}")
        axes[1].loglog(etas, rel, marker="o", ms=3, label=name)
    axes[0].set(xlabel="η", title="loss change of one step")
    axes[0].legend(fontsize=6)
    axes[1].set(xlabel="η", ylabel="|ΔL + η‖∇L‖²| / η‖∇L‖²", title="relative error")
    axes[1].legend(fontsize=7)
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------------------------ claim 11
_MODES = {"batch": None, "mini-batch (32)": 32, "stochastic (1)": 1}


def _epoch_seconds(data, batch_size, seed, repeats: int) -> float:
    """Median wall time of one training epoch (no per-update evaluation)."""
    X, y = data.X, data.y.astype(np.float32).reshape(-1, 1)
    model = _mlp((2, 32, 1), "tanh")
    opt = optim.SGD(model.parameters(), lr=0.05)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fit(model, _bce, opt, X, y, 1, batch_size, seed)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def _flat_grad(model, X, y) -> np.ndarray:
    """Backpropagate the loss on (X, y); leaves the grads in place, returns them flattened."""
    model.zero_grad()
    _bce(model(Tensor(X)), y).backward()
    return np.concatenate([p.grad.data.ravel() for p in model.parameters()]).astype(np.float64)


@claim(11, "Batch vs stochastic vs mini-batch gradient descent",
       "Batch GD uses the whole data set per update: stable but slow on large data; SGD updates after "
       "every sample: faster but noisy; mini-batch GD balances the two.",
       "seed 003 Types of Gradient Descent", ("E1",))
def run_batch_modes(seed: int = 0, size: str = "quick") -> Result:
    """Test claim 11 (docs/ideas.md): batch, stochastic and mini-batch gradient descent trade stability for speed.

    The same model is trained on moons with full-batch GD, per-sample SGD and mini-batch GD; the
    share of updates that raise the full loss, the cosine between each update and the full
    gradient, and the loss after the same number of epochs are measured. The claim holds if batch
    GD never goes uphill, SGD goes uphill more often than mini-batch, mini-batch's direction lies
    between the two, and both SGD and mini-batch end lower than batch GD per epoch.

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
    The experiment is registered as claim 11; ``lucidnet lab run 11`` (or
    ``run_claim(11)``) runs it, for seconds:

    >>> from lucidnet.lab.registry import get_claim
    >>> from lucidnet.lab.experiments.optimization import run_batch_modes
    >>> claim = get_claim(11)
    >>> claim.run is run_batch_modes, claim.spec
    (True, ('E1',))
    """
    quick = size == "quick"
    n, epochs, lr = (400, 3, 0.05) if quick else (2000, 10, 0.05)
    data = make_moons(n, noise=0.2, seed=seed)
    X, y = data.X, data.y.astype(np.float32).reshape(-1, 1)
    numbers, traces = {}, {}
    for mode, bs in _MODES.items():
        manual_seed(seed)  # the same initial weights for all three
        model = _mlp((2, 32, 1), "tanh")
        opt = optim.SGD(model.parameters(), lr=lr)
        size_ = n if bs is None else bs
        rng = np.random.default_rng(seed)
        trace = [full_loss(model, _bce, X, y)]   # the full-data loss after every update
        cosines = []  # direction of each update's gradient vs the full-data gradient
        for _ in range(epochs):
            order = rng.permutation(n)
            for start in range(0, n, size_):
                idx = order[start:start + size_]
                full = _flat_grad(model, X, y)
                batch = _flat_grad(model, X[idx], y[idx])
                cosines.append(float(full @ batch / (np.linalg.norm(full) * np.linalg.norm(batch)
                                                     + 1e-30)))
                opt.step()
                trace.append(full_loss(model, _bce, X, y))
        trace = np.array(trace)
        traces[mode] = trace
        steps = np.diff(trace)
        numbers[f"{mode}: mean cosine(update gradient, full gradient)"] = float(np.mean(cosines))
        numbers[f"{mode}: updates per epoch"] = math.ceil(n / size_)
        numbers[f"{mode}: loss after {epochs} epochs"] = float(trace[-1])
        numbers[f"{mode}: share of updates that raise the full loss"] = float(np.mean(steps > 0))
        numbers[f"{mode}: seconds per epoch"] = _epoch_seconds(data, bs, seed, 3 if quick else 5)
    return judge_batch_modes(numbers, n, epochs, lr, [_figure_batch_modes(traces, n)])


def judge_batch_modes(numbers: dict, n: int, epochs: int, lr: float, figures=()) -> Result:
    """Claim 11's rule on its numbers: batch GD never raises the full loss and follows the full
    gradient (mean cosine > 0.999), single-sample updates go uphill more often than mini-batch
    ones, the mean cosine orders batch > mini-batch > stochastic, and after the same epochs both
    mini-batch and stochastic GD reach a lower loss than batch GD (more updates).

    Parameters
    ----------
    numbers : dict
        The measured quantities (name -> number, pair or list) the run function records; the
        rule reads the keys of the example below.
    n : int
        Number of moons samples.
    epochs : int
        Epochs of every mode.
    lr : float
        The SGD learning rate of every mode.
    figures : list of matplotlib.figure.Figure, optional
        Kept in the Result for the report.

    Returns
    -------
    Result
        The verdict `lucidnet.lab.registry.judge` gives the rule's checks (holds / partly
        holds / does not hold / corrected), with ``numbers`` and ``figures``.

    Examples
    --------
    The rule applied to the numbers a quick run measured (``run_batch_modes(seed=0, size="quick")``
    measures them, in seconds); the second item names the checks that failed:

    >>> from lucidnet.lab.experiments.optimization import judge_batch_modes
    >>> numbers = {
    ...     "batch: share of updates that raise the full loss": 0.0,
    ...     "mini-batch (32): share of updates that raise the full loss": 0.0,
    ...     "stochastic (1): share of updates that raise the full loss": 0.5067,
    ...     "batch: loss after 3 epochs": 0.66,
    ...     "mini-batch (32): loss after 3 epochs": 0.4345,
    ...     "stochastic (1): loss after 3 epochs": 0.2872,
    ...     "batch: mean cosine(update gradient, full gradient)": 1.0,
    ...     "mini-batch (32): mean cosine(update gradient, full gradient)": 0.9061,
    ...     "stochastic (1): mean cosine(update gradient, full gradient)": 0.08962,
    ...     "batch: seconds per epoch": 0.001017,
    ...     "mini-batch (32): seconds per epoch": 0.006723,
    ...     "stochastic (1): seconds per epoch": 0.09581,
    ...     "batch: updates per epoch": 1,
    ...     "mini-batch (32): updates per epoch": 13,
    ...     "stochastic (1): updates per epoch": 400}
    >>> r = judge_batch_modes(numbers, 400, 3, 0.05)
    >>> r.verdict, [c.what for c in r.checks if not c.passed]
    ('holds', [])
    """
    b, m, st = _MODES
    key = {"up": "share of updates that raise the full loss", "final": f"loss after {epochs} epochs",
           "cos": "mean cosine(update gradient, full gradient)", "secs": "seconds per epoch"}
    v = {k: [numbers[f"{mode}: {name}"] for mode in _MODES] for k, name in key.items()}
    checks = [Check("batch GD is stable", "share of uphill updates", v["up"][0], "==", "", 0.0),
              Check("batch GD follows the gradient", "mean cosine", v["cos"][0], ">", "", 0.999),
              Check("single samples are noisier", f"uphill share {st}", v["up"][2], ">", m,
                    v["up"][1]),
              Check("mini-batch sits between (direction)", f"mean cosine {m}", v["cos"][1], ">",
                    st, v["cos"][2]),
              Check("mini-batch below batch", f"cosine {m}", v["cos"][1], "<", b, v["cos"][0]),
              Check(f"{m} progresses faster per epoch", "final loss", v["final"][1], "<", b,
                    v["final"][0]),
              Check(f"{st} progresses faster per epoch", "final loss", v["final"][2], "<", b,
                    v["final"][0])]
    note = (f"Seconds per epoch here: {b} {v['secs'][0]:.3f}, {m} {v['secs'][1]:.3f}, {st} "
            f"{v['secs'][2]:.3f} (updates per epoch: "
            + ", ".join(str(numbers[f'{mode}: updates per epoch']) for mode in _MODES) + ").")
    return judge(checks, f"{n} moons samples, SGD at lr {lr}, {epochs} epochs, same initial "
                 "weights for the three modes.", numbers, figures, note)


def _figure_batch_modes(traces, n):
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    for mode, trace in traces.items():
        epochs_axis = np.linspace(0, (len(trace) - 1) * (n if _MODES[mode] is None else
                                                          _MODES[mode]) / n, len(trace))
        axes[0].plot(epochs_axis, trace, lw=0.8, label=mode)
        axes[1].plot(np.arange(len(trace[:200])), trace[:200], lw=0.8, label=mode)
    axes[0].set(xlabel="epoch", ylabel="full-data BCE", title="per epoch")
    axes[1].set(xlabel="update", title="first 200 updates")
    for ax in axes:
        ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    return fig
