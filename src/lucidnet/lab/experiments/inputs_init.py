"""Claims 5 and 6: raw vs normalized inputs; weight initialization (docs/ideas.md: H1, G1, G2)."""

from __future__ import annotations

import numpy as np

from ... import nn, optim
from ...autograd.tensor import Tensor, no_grad, tensor
from ...data.datasets import make_moons
from ...data.preprocessing import StandardScaler
from ...plot._backend import pyplot
from ...random import manual_seed
from ..registry import Check, Result, claim, judge
from .activations import deep_net
from .optimization import fit, float64

__all__ = ["judge_initialization", "judge_input_scale", "run_initialization", "run_input_scale"]


_mse = nn.MSELoss()


def _table_gradient(x: float) -> float:
    """dL/dw of y = w x + b at w = b = 0 with L = mse(y, 0.1), so dL/dy = 2 (0 - 0.1) = -0.2."""
    w = tensor([[0.0]], dtype=np.float64, requires_grad=True)
    b = tensor([0.0], dtype=np.float64, requires_grad=True)
    y = nn.functional.linear(tensor([[x]], dtype=np.float64), w, b)
    nn.functional.mse_loss(y, np.array([[0.1]])).backward()
    return float(w.grad.data[0, 0])


def _house_prices(rng, n: int):
    """Two features on very different scales: an area in [500, 3000] and a room count 1-5."""
    area = rng.uniform(500, 3000, n)
    rooms = rng.integers(1, 6, n).astype(float)
    y = 0.002 * area + 0.3 * rooms + np.sin(area / 400) + 0.1 * rng.standard_normal(n)
    y = (y - y.mean()) / y.std()
    return np.c_[area, rooms].astype(np.float32), y.reshape(-1, 1).astype(np.float32)


def _first_layer_grad(model, X, y) -> float:
    model.zero_grad()
    _mse(model(Tensor(X)), y).backward()
    return float(np.linalg.norm(model[0].weight.grad.data))


@claim(5, "Large raw inputs give large gradients; normalized inputs train faster",
       "For y = wx + b, dL/dw = dL/dy · x: x = 2 gives -0.4 (stable), x = 1000 gives -200 "
       "(unstable); large inputs make training unstable and normalized inputs converge faster.",
       "seed 000 Why Normalize Input Data?", ("H1",))
def run_input_scale(seed: int = 0, size: str = "quick") -> Result:
    """Test claim 5 (docs/ideas.md): raw large inputs give large gradients; normalized inputs train faster.

    For y = wx + b, dL/dw = dL/dy * x, so large inputs scale the gradient up. Linear models are
    trained on raw and standardized inputs over a range of learning rates; the gradient size, the
    stable learning rates and the final loss are measured. The claim holds if raw inputs need a far
    smaller learning rate and normalized inputs reach a lower loss.

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
    The experiment is registered as claim 5; ``lucidnet lab run 5`` (or
    ``run_claim(5)``) runs it, for seconds:

    >>> from lucidnet.lab.registry import get_claim
    >>> from lucidnet.lab.experiments.inputs_init import run_input_scale
    >>> claim = get_claim(5)
    >>> claim.run is run_input_scale, claim.spec
    (True, ('H1',))
    """
    quick = size == "quick"
    lrs, epochs = ((1e-1, 1e-2, 1e-3, 1e-4, 1e-5), 10) if quick else \
        ((1e-1, 3e-2, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7), 40)
    rng = np.random.default_rng(seed)
    numbers = {"dL/dw at x=2": _table_gradient(2.0), "dL/dw at x=1000": _table_gradient(1000.0)}
    X_raw, y = _house_prices(rng, 512)
    X_std = StandardScaler().fit_transform(X_raw).astype(np.float32)
    runs = {}
    for name, X in (("raw", X_raw), ("standardized", X_std)):
        manual_seed(seed)
        numbers[f"{name}: first-layer grad norm at init"] = _first_layer_grad(
            nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 1)), X, y)
        for lr in lrs:
            manual_seed(seed)  # the same initial weights for every run
            model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 1))
            runs[name, lr] = fit(model, _mse, optim.SGD(model.parameters(), lr=lr), X, y, epochs,
                                 batch_size=32, seed=seed)["loss"]
        finals = {lr: runs[name, lr][-1] for lr in lrs}
        best = min(lrs, key=lambda lr: np.nan_to_num(finals[lr], nan=np.inf))
        numbers[f"{name}: final MSE per lr"] = {f"{lr:g}": float(f"{finals[lr]:.4g}") for lr in lrs}
        numbers[f"{name}: best lr"] = best
        numbers[f"{name}: best final MSE"] = float(finals[best])
        numbers[f"{name}: largest MSE seen"] = float(np.nanmax([runs[name, lr] for lr in lrs]))
    numbers["grad norm ratio raw/standardized"] = (numbers["raw: first-layer grad norm at init"]
                                                   / numbers["standardized: first-layer grad norm at init"])
    return judge_input_scale(numbers, epochs, [_figure_input_scale(runs, lrs, numbers)])


def judge_input_scale(numbers: dict, epochs: int, figures=()) -> Result:
    """Claim 5's rule on its numbers: lucidnet's dL/dw is the notes' -0.4 at x = 2 and -200 at
    x = 1000; raw inputs give > 10x larger first-layer gradients and a largest MSE > 1000x the
    standardized one's, and standardized inputs reach a best final MSE < 0.2x the raw inputs'.

    Parameters
    ----------
    numbers : dict
        The measured quantities (name -> number, pair or list) the run function records; the
        rule reads the keys of the example below.
    epochs : int
        Training epochs after which the best final MSE is read.
    figures : list of matplotlib.figure.Figure, optional
        Kept in the Result for the report.

    Returns
    -------
    Result
        The verdict `lucidnet.lab.registry.judge` gives the rule's checks (holds / partly
        holds / does not hold / corrected), with ``numbers`` and ``figures``.

    Examples
    --------
    The rule applied to the numbers a quick run measured (``run_input_scale(seed=0, size="quick")``
    measures them, in seconds); the second item names the checks that failed:

    >>> from lucidnet.lab.experiments.inputs_init import judge_input_scale
    >>> numbers = {
    ...     "standardized: best final MSE": 0.01453,
    ...     "raw: best final MSE": 1.0,
    ...     "dL/dw at x=2": -0.4,
    ...     "dL/dw at x=1000": -200.0,
    ...     "grad norm ratio raw/standardized": 1059000.0,
    ...     "raw: largest MSE seen": 2.983e+21,
    ...     "standardized: largest MSE seen": 0.8233}
    >>> r = judge_input_scale(numbers, 10)
    >>> r.verdict, [c.what for c in r.checks if not c.passed]
    ('holds', [])
    """
    std_best, raw_best = numbers["standardized: best final MSE"], numbers["raw: best final MSE"]
    checks = [Check("table at x = 2 (-0.4)", "|dL/dw + 0.4|", abs(numbers["dL/dw at x=2"] + 0.4),
                    "<", "", 1e-12),
              Check("table at x = 1000 (-200)", "|dL/dw + 200|",
                    abs(numbers["dL/dw at x=1000"] + 200), "<", "", 1e-9),
              Check("raw inputs, large gradients", "grad norm raw/standardized",
                    numbers["grad norm ratio raw/standardized"], ">", "", 10.0),
              Check("raw inputs, unstable", "largest MSE raw", numbers["raw: largest MSE seen"],
                    ">", "1000 x standardized", 1e3 * numbers["standardized: largest MSE seen"]),
              Check("standardized converges faster", f"best MSE after {epochs} epochs", std_best,
                    "<", "0.2 x raw", 0.2 * raw_best)]
    return judge(checks, "y = wx + b at w = b = 0 with L = mse(y, 0.1); a two-feature regression "
                 "(area ~1000, rooms ~3), each input scaling at its best lr.", numbers, figures)


def _figure_input_scale(runs, lrs, numbers):
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    for ax, name in zip(axes, ("raw", "standardized")):
        for lr in lrs:
            ax.semilogy(runs[name, lr], label=f"lr {lr:g}")
        ax.set(xlabel="epoch", ylabel="MSE", title=f"{name} inputs")
    # one legend for both panels (same lrs, same colours), beside them: the curves fill both
    fig.legend(*axes[0].get_legend_handles_labels(), loc="center right", fontsize=6)
    fig.suptitle(f"dL/dw: x=2 → {numbers['dL/dw at x=2']:g}, x=1000 → "
                 f"{numbers['dL/dw at x=1000']:g}", fontsize=9)
    fig.tight_layout(rect=(0, 0, 0.88, 1))
    return fig


# ------------------------------------------------------------------------------------ claim 6
_INIT_CONFIGS = {"N(0,1) + tanh": ("normal", "tanh"), "0.01·N(0,1) + tanh": ("small_normal", "tanh"),
                 "Xavier + tanh": ("xavier", "tanh"), "He + ReLU": ("he", "relu")}


def _activations(model, X) -> list[np.ndarray]:
    """The output of every activation layer, in order."""
    outs, a = [], Tensor(X)
    with no_grad():
        for module in model:
            a = module(a)
            if not isinstance(module, nn.Linear):
                outs.append(a.data)
    return outs


def _symmetry_run(init: str, X, y, epochs: int) -> tuple[float, float, int, float]:
    """Train 2 -> 16 sigmoid -> 1 from ``init``; return (largest difference between two hidden
    units' incoming weights, training accuracy, number of distinct hidden units, largest |w|)."""
    model = deep_net((2, 16, 1), "sigmoid", init)
    fit(model, nn.BCEWithLogitsLoss(), optim.SGD(model.parameters(),
        lr=1.0), X, y, epochs)
    W = np.c_[model[0].weight.data, model[0].bias.data]
    spread = float(np.abs(W - W[0]).max())
    with no_grad():
        acc = float(np.mean((model(Tensor(X)).data >= 0) == (y == 1)))
    return spread, acc, len(np.unique(W.round(12), axis=0)), float(np.abs(W).max())


@claim(6, "Initialization: activation statistics through 10 layers; zeros keep units symmetric",
       "N(0,1) weights saturate deep tanh nets, small 0.01·N(0,1) weights make activations vanish, "
       "Xavier (tanh/sigmoid) and He (ReLU) keep the activations' spread stable across layers; "
       "initializing to zero leaves every unit identical (symmetry is never broken).",
       "seed 003 WEIGHT INITALIZATION; seed 002 Weight initialization; seed 004 Initialization",
       ("G1", "G2"))
def run_initialization(seed: int = 0, size: str = "quick") -> Result:
    """Test claim 6 (docs/ideas.md): initialization decides whether activations survive 10 layers.

    N(0, 1) weights saturate a deep tanh net, 0.01 * N(0, 1) weights make activations vanish,
    Xavier (tanh) and He (ReLU) keep their spread, and zero weights keep every unit identical.
    The activation standard deviation is measured layer by layer for each scheme, and a zero-
    initialized net is trained to check that its hidden units stay equal. The claim holds if each
    scheme behaves as stated.

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
    The experiment is registered as claim 6; ``lucidnet lab run 6`` (or
    ``run_claim(6)``) runs it, for seconds:

    >>> from lucidnet.lab.registry import get_claim
    >>> from lucidnet.lab.experiments.inputs_init import run_initialization
    >>> claim = get_claim(6)
    >>> claim.run is run_initialization, claim.spec
    (True, ('G1', 'G2'))
    """
    quick = size == "quick"
    width, n_samples, sym_epochs = (256, 500, 200) if quick else (512, 1000, 1000)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, width)).astype(np.float32)
    numbers, stds, lasts = {}, {}, {}
    for name, (init, act) in _INIT_CONFIGS.items():
        model = deep_net([width] * 12, act, init)  # 11 Linear, 10 activation layers
        outs = _activations(model, X)
        stds[name] = np.array([o.std() for o in outs])
        last = lasts[name] = outs[-1]
        numbers[f"{name}: std layer 1 / 10"] = [float(f"{stds[name][0]:.3g}"),
                                                float(f"{stds[name][-1]:.3g}")]
        if act == "tanh":
            numbers[f"{name}: share |a| > 0.99 at layer 10"] = float(np.mean(np.abs(last) > 0.99))
    # 2:1 imbalanced moons: on a balanced set the zero-init gradient is exactly 0 (p = 0.5 = mean y)
    moons = make_moons(300, noise=0.1, seed=seed)
    keep = (moons.y == 0) | (np.cumsum(moons.y == 1) <= 75)
    with float64():
        Xm = moons.X[keep].astype(np.float64)
        ym = moons.y[keep].astype(np.float64).reshape(-1, 1)
        z_spread, z_acc, z_units, z_max = _symmetry_run("zeros", Xm, ym, sym_epochs)
        manual_seed(seed)
        _, r_acc, r_units, _ = _symmetry_run("small_normal", Xm, ym, sym_epochs)
    numbers.update({"zero init: max difference between hidden units": z_spread,
                    "zero init: distinct hidden units (of 16)": z_units,
                    "zero init: largest |first-layer weight| after training": z_max,
                    "zero init: train accuracy (moons)": z_acc,
                    "0.01·N init: distinct hidden units (of 16)": r_units,
                    "0.01·N init: train accuracy (moons)": r_acc})
    return judge_initialization(numbers, sym_epochs, [_figure_init(stds, lasts, width)])


def judge_initialization(numbers: dict, sym_epochs: int, figures=()) -> Result:
    """Claim 6's rule on its numbers, through 10 activation layers: N(0,1) + tanh saturates
    > 50% of layer 10's units, 0.01·N(0,1) shrinks the std to < 1e-3 of layer 1's, Xavier + tanh
    keeps it in (0.05, 1) and He + ReLU within 0.5x-2x of layer 1's; zero init leaves the 16
    hidden units identical (1 distinct unit, spread 0) although the weights moved (> 0.1), while
    0.01·N init gives 16 distinct units.

    Parameters
    ----------
    numbers : dict
        The measured quantities (name -> number, pair or list) the run function records; the
        rule reads the keys of the example below.
    sym_epochs : int
        Epochs the zero-initialized net is trained on moons.
    figures : list of matplotlib.figure.Figure, optional
        Kept in the Result for the report.

    Returns
    -------
    Result
        The verdict `lucidnet.lab.registry.judge` gives the rule's checks (holds / partly
        holds / does not hold / corrected), with ``numbers`` and ``figures``.

    Examples
    --------
    The rule applied to the numbers a quick run measured (``run_initialization(seed=0, size="quick")``
    measures them, in seconds); the second item names the checks that failed:

    >>> from lucidnet.lab.experiments.inputs_init import judge_initialization
    >>> numbers = {
    ...     "0.01·N(0,1) + tanh: std layer 1 / 10": [0.156, 1.07e-08],
    ...     "He + ReLU: std layer 1 / 10": [0.833, 0.918],
    ...     "N(0,1) + tanh: share |a| > 0.99 at layer 10": 0.8656,
    ...     "Xavier + tanh: std layer 1 / 10": [0.628, 0.228],
    ...     "zero init: distinct hidden units (of 16)": 1,
    ...     "zero init: max difference between hidden units": 0.0,
    ...     "zero init: largest |first-layer weight| after training": 1.201,
    ...     "0.01·N init: distinct hidden units (of 16)": 16,
    ...     "zero init: train accuracy (moons)": 0.8889,
    ...     "0.01·N init: train accuracy (moons)": 0.9022}
    >>> r = judge_initialization(numbers, 200)
    >>> r.verdict, [c.what for c in r.checks if not c.passed]
    ('holds', [])
    """
    small = numbers["0.01·N(0,1) + tanh: std layer 1 / 10"]
    he = numbers["He + ReLU: std layer 1 / 10"]
    checks = [Check("N(0,1) saturates", "share |a| > 0.99",
                    numbers["N(0,1) + tanh: share |a| > 0.99 at layer 10"], ">", "", 0.5),
              Check("0.01·N(0,1) vanishes", "std layer 10/1", small[1] / small[0], "<", "", 1e-3),
              Check("Xavier stable", "std layer 10", numbers["Xavier + tanh: std layer 1 / 10"][1],
                    ">", "", 0.05),
              Check("... not saturating", "std layer 10",
                    numbers["Xavier + tanh: std layer 1 / 10"][1], "<", "", 1.0),
              Check("He stable", "std layer 10/1", he[1] / he[0], ">", "", 0.5),
              Check("... not growing", "std layer 10/1", he[1] / he[0], "<", "", 2.0),
              Check("zero init symmetric", "distinct units",
                    numbers["zero init: distinct hidden units (of 16)"], "==", "", 1),
              Check("... exactly", "max unit difference",
                    numbers["zero init: max difference between hidden units"], "==", "", 0.0),
              Check("... though trained", "largest |w|",
                    numbers["zero init: largest |first-layer weight| after training"], ">", "",
                    0.1),
              Check("random init breaks symmetry", "distinct units",
                    numbers["0.01·N init: distinct hidden units (of 16)"], "==", "", 16)]
    return judge(checks, f"10 activation layers; zero init trained {sym_epochs} epochs on moons.",
                 numbers, figures,
                 f"Moons accuracy: zero init {numbers['zero init: train accuracy (moons)']:.2f}, "
                 f"0.01·N init {numbers['0.01·N init: train accuracy (moons)']:.2f}.")


def _figure_init(stds, lasts, width):
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    for name, s in stds.items():
        axes[0].semilogy(np.arange(1, len(s) + 1), s, marker="o", ms=3, label=name)
    axes[0].set(xlabel="layer", ylabel="std of activations", title="10 layers, width "
                f"{width}")
    axes[0].legend(fontsize=7)
    for name, (_, act) in _INIT_CONFIGS.items():
        if act == "tanh":
            axes[1].hist(lasts[name].ravel(), bins=50, range=(-1, 1), histtype="step", density=True,
                         label=name)
    axes[1].set(xlabel="activation at layer 10", title="tanh: layer-10 activations")
    axes[1].set_yscale("log")
    axes[1].set_ylim(top=axes[1].get_ylim()[1] * 300)  # a free band above the histograms
    axes[1].legend(fontsize=7, loc="upper center", ncol=2)
    fig.tight_layout()
    return fig
