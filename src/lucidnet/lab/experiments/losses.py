"""Claim 10: cross-entropy vs MSE with a sigmoid output from a saturated start (docs/ideas.md: D5)."""

from __future__ import annotations

import numpy as np

from ... import nn, optim
from ...autograd.tensor import Tensor, no_grad, tensor
from ...data.datasets import make_moons
from ...data.preprocessing import StandardScaler
from ...plot._backend import pyplot
from ..registry import Check, Result, claim, judge
from .optimization import float64

__all__ = ["judge_ce_vs_mse", "run_ce_vs_mse"]

_LOSSES = {"cross-entropy": nn.functional.binary_cross_entropy, "MSE": nn.functional.mse_loss}


def _delta(z: float, y: float, loss: str) -> tuple[float, float]:
    """(a, dL/dz) of one sigmoid unit a = σ(z) with the given loss, from lucidnet's backward."""
    zt = tensor([[z]], dtype=np.float64, requires_grad=True)
    a = nn.functional.sigmoid(zt)
    _LOSSES[loss](a, np.array([[y]])).backward()
    return float(a.data[0, 0]), float(zt.grad.data[0, 0])


def _train_neuron(loss: str, w: float, b: float, lr: float, epochs: int) -> np.ndarray:
    """Nielsen's one-neuron example: input 1, target 0, plain gradient descent; output per epoch."""
    wt = nn.Parameter(np.array([[w]]))
    bt = nn.Parameter(np.array([b]))
    opt = optim.SGD([wt, bt], lr=lr)
    x, y, outs = tensor([[1.0]], dtype=np.float64), np.array([[0.0]]), []
    for _ in range(epochs):
        opt.zero_grad()
        a = nn.functional.sigmoid(nn.functional.linear(x, wt, bt))
        outs.append(float(a.data[0, 0]))
        _LOSSES[loss](a, y).backward()
        opt.step()
    return np.array(outs)


def _train_logistic(loss: str, X, y, w0, b0, lr: float, epochs: int) -> np.ndarray:
    """Logistic regression sigmoid(Xw + b) from (w0, b0), full batch; accuracy per epoch."""
    model = nn.Linear(2, 1)
    model.weight.data[...] = w0
    model.bias.data[...] = b0
    opt = optim.SGD(model.parameters(), lr=lr)
    acc = []
    for _ in range(epochs):
        opt.zero_grad()
        a = nn.functional.sigmoid(model(Tensor(X)))
        acc.append(float(np.mean((a.data >= 0.5) == (y == 1))))
        _LOSSES[loss](a, y).backward()
        opt.step()
    with no_grad():
        acc.append(float(np.mean((nn.functional.sigmoid(model(Tensor(X))).data >= 0.5) == (y == 1))))
    return np.array(acc)


def _first(mask) -> float:
    hit = np.flatnonzero(mask)
    return float(hit[0]) if hit.size else float("inf")


@claim(10, "Cross-entropy vs MSE with a sigmoid output",
       "With a sigmoid output, cross-entropy gives the output error δ = a - y (the σ' factor "
       "cancels), while MSE keeps δ = (a - y) σ'(z), so a saturated wrong output learns slowly under "
       "MSE and fast under cross-entropy.",
       "seed 001 Revisit Loss Function, View-Point 1: Backpropagation", ("D5",))
def run_ce_vs_mse(seed: int = 0, size: str = "quick") -> Result:
    """Test claim 10 (docs/ideas.md): with a sigmoid output, cross-entropy learns a wrong answer faster than MSE.

    Under cross-entropy the output error is a - y; under MSE it is (a - y) * sigma'(z), which is tiny
    when the sigmoid saturates. A single sigmoid neuron started saturated and wrong, and a logistic
    model, are trained with both losses; the output error and the loss curves are measured. The
    claim holds if cross-entropy escapes the wrong, saturated start much sooner than MSE.

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
    The experiment is registered as claim 10; ``lucidnet lab run 10`` (or
    ``run_claim(10)``) runs it, for seconds:

    >>> from lucidnet.lab.registry import get_claim
    >>> from lucidnet.lab.experiments.losses import run_ce_vs_mse
    >>> claim = get_claim(10)
    >>> claim.run is run_ce_vs_mse, claim.spec
    (True, ('D5',))
    """
    quick = size == "quick"
    neuron_epochs, logistic_epochs = (300, 300) if quick else (1000, 2000)
    rng = np.random.default_rng(seed)
    numbers, curves = {}, {}
    with float64():
        for z in (0.0, 5.0):
            for loss in _LOSSES:
                a, d = _delta(z, 0.0, loss)
                numbers[f"z = {z:g}, target 0: dL/dz with {loss}"] = d
            numbers[f"z = {z:g}: a = σ(z)"] = a
            numbers[f"z = {z:g}: 2 (a - y) σ'(z)"] = 2 * a * a * (1 - a)
        # Nielsen's neuron: w = b = 2 (a = 0.98 for x = 1), target 0, lr 0.15
        for loss in _LOSSES:
            curves["neuron", loss] = out = _train_neuron(loss, 2.0, 2.0, 0.15, neuron_epochs)
            numbers[f"neuron, {loss}: epochs until a < 0.2"] = _first(out < 0.2)
        # logistic regression on moons, started saturated and wrong: w = -10 x the fitted direction
        data = make_moons(400, noise=0.2, seed=seed)
        X = StandardScaler().fit_transform(data.X.astype(np.float64))
        y = data.y.astype(np.float64).reshape(-1, 1)
        direction = np.linalg.lstsq(np.c_[X, np.ones(len(X))], 2 * y - 1, rcond=None)[0].ravel()
        w0 = -10 * direction[:2] / np.linalg.norm(direction[:2]) * (1 + 0.1 * rng.uniform())
        for loss in _LOSSES:
            curves["logistic", loss] = acc = _train_logistic(loss, X, y, w0, 0.0, 0.5,
                                                             logistic_epochs)
            numbers[f"logistic, {loss}: start / final accuracy"] = [float(acc[0]), float(acc[-1])]
            numbers[f"logistic, {loss}: epochs until accuracy ≥ 0.8"] = _first(acc >= 0.8)
    return judge_ce_vs_mse(numbers, [_figure_ce_mse(curves)])


def judge_ce_vs_mse(numbers: dict, figures=()) -> Result:
    """Claim 10's rule on its numbers: at z = 5, target 0, lucidnet's dL/dz is a - y for
    cross-entropy and 2(a - y)σ'(z) for MSE (within 1e-12), and from a saturated wrong start
    cross-entropy needs fewer epochs than MSE, for Nielsen's neuron (a < 0.2) and for a logistic
    regression (accuracy >= 0.8). "never" (inf): not within the run.

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
    The rule applied to the numbers a quick run measured (``run_ce_vs_mse(seed=0, size="quick")``
    measures them, in seconds); the second item names the checks that failed:

    >>> from lucidnet.lab.experiments.losses import judge_ce_vs_mse
    >>> numbers = {
    ...     "z = 5, target 0: dL/dz with cross-entropy": 0.9933,
    ...     "z = 5, target 0: dL/dz with MSE": 0.01321,
    ...     "z = 5: a = σ(z)": 0.9933,
    ...     "z = 5: 2 (a - y) σ'(z)": 0.01321,
    ...     "neuron, cross-entropy: epochs until a < 0.2": 31.0,
    ...     "neuron, MSE: epochs until a < 0.2": 152.0,
    ...     "logistic, cross-entropy: epochs until accuracy ≥ 0.8": 36.0,
    ...     "logistic, MSE: epochs until accuracy ≥ 0.8": float("inf")}
    >>> r = judge_ce_vs_mse(numbers)
    >>> r.verdict, [c.what for c in r.checks if not c.passed]
    ('holds', [])
    """
    d_ce, d_mse = (numbers[f"z = 5, target 0: dL/dz with {k}"] for k in _LOSSES)
    ce, mse = _LOSSES
    checks = [Check("CE: δ = a - y", "|dL/dz - a|", abs(d_ce - numbers["z = 5: a = σ(z)"]), "<",
                    "", 1e-12),
              Check("MSE: δ = 2(a - y)σ'", "|dL/dz - 2(a - y)σ'|",
                    abs(d_mse - numbers["z = 5: 2 (a - y) σ'(z)"]), "<", "", 1e-12),
              Check("saturated neuron learns faster with CE", "epochs CE",
                    numbers[f"neuron, {ce}: epochs until a < 0.2"], "<", "MSE",
                    numbers[f"neuron, {mse}: epochs until a < 0.2"]),
              Check("saturated logistic regression learns faster with CE", "epochs CE",
                    numbers[f"logistic, {ce}: epochs until accuracy ≥ 0.8"], "<", "MSE",
                    numbers[f"logistic, {mse}: epochs until accuracy ≥ 0.8"])]
    return judge(checks, f"At z = 5 (a = {numbers['z = 5: a = σ(z)']:.4f}, target 0): dL/dz = "
                 f"{d_ce:.4f} with CE, {d_mse:.4f} with MSE.", numbers, figures)


def _figure_ce_mse(curves):
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.2))
    z = np.linspace(-8, 8, 300)
    a = 1 / (1 + np.exp(-z))
    axes[0].plot(z, a, label="CE: δ = a - y")
    axes[0].plot(z, 2 * a * a * (1 - a), label="MSE: δ = 2(a - y)σ'(z)")
    axes[0].set(xlabel="z (target y = 0)", ylabel="dL/dz", title="output error")
    axes[0].legend(fontsize=7)
    for loss in _LOSSES:
        axes[1].plot(curves["neuron", loss], label=loss)
        axes[2].plot(curves["logistic", loss], label=loss)
    axes[1].set(xlabel="epoch", ylabel="output a (target 0)", title="one neuron, w = b = 2")
    axes[1].legend(fontsize=7)
    axes[2].set(xlabel="epoch", ylabel="accuracy", title="logistic regression, saturated start")
    axes[2].legend(fontsize=7, loc="best")
    fig.tight_layout()
    return fig
