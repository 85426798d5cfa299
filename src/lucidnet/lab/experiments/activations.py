"""Claims 3 and 4: sigmoid saturation and vanishing gradients; dying ReLU (docs/ideas.md: C3, G2)."""

from __future__ import annotations

import numpy as np

from ... import nn, optim
from ...autograd.tensor import Tensor, no_grad, tensor
from ...plot._backend import pyplot
from ...random import manual_seed
from ...train.diagnostics import gradient_norms
from ..registry import Check, Result, claim, judge
from .optimization import fit

__all__ = ["ACTIVATION_FAMILY", "activation_curves", "deep_net", "figure_activation_family",
           "judge_dying_relu", "judge_vanishing_gradients", "run_dying_relu",
           "run_vanishing_gradients"]

_INITS = {"xavier": nn.init.xavier_normal_, "he": nn.init.he_normal_,
          "normal": nn.init.normal_, "small_normal": nn.init.small_normal_, "zeros": nn.init.zeros_}


def deep_net(widths, activation: str, init: str, bias: float = 0.0) -> nn.Sequential:
    """Linear layers of ``widths`` with ``activation`` between them, weights from ``init``
    (a name of `_INITS`), biases set to ``bias`` (docs/ideas.md: G1, G2).

    Examples
    --------
    >>> from lucidnet.lab.experiments.activations import deep_net
    >>> net = deep_net((3, 8, 8, 1), "tanh", "xavier", bias=0.5)
    >>> [type(m).__name__ for m in net]
    ['Linear', 'Tanh', 'Linear', 'Tanh', 'Linear']
    >>> net[2].bias.tolist() == [0.5] * 8
    True
    """
    layers = []
    for i in range(len(widths) - 1):
        lin = nn.Linear(widths[i], widths[i + 1])
        _INITS[init](lin.weight)
        nn.init.constant_(lin.bias, bias)
        layers.append(lin)
        if i < len(widths) - 2:
            layers.append(nn.get_activation(activation))
    return nn.Sequential(*layers)


_mse = nn.MSELoss()


def _sigmoid_and_slope(x: float) -> tuple[float, float]:
    """σ(x) and σ'(x), the slope read from lucidnet's backward pass."""
    t = tensor([x], dtype=np.float64, requires_grad=True)
    s = nn.functional.sigmoid(t)
    s.sum().backward()
    return float(s.data[0]), float(t.grad.data[0])


def _layer_grad_norms(model, X, y) -> np.ndarray:
    model.zero_grad()
    _mse(model(Tensor(X)), y).backward()
    norms = gradient_norms(model)
    return np.array([norms[k] for k in sorted(norms, key=int)])


@claim(3, "Sigmoid saturates; deep sigmoid nets' early layers get vanishing gradients",
       "σ(10) ≈ 0.99995 and σ(-10) ≈ 0.00005, where σ' ≈ 0; in a deep sigmoid network the gradients "
       "shrink layer by layer so the early layers stop learning, while ReLU with He initialization "
       "keeps them.",
       "seed 000 Avoids Gradient Saturation; seed 003 Vanishing Gradient Problem; seed 002 Sigmoid",
       ("C3", "G2"))
def run_vanishing_gradients(seed: int = 0, size: str = "quick") -> Result:
    """Test claim 3 (docs/ideas.md): sigmoid saturates and starves a deep net's early layers.

    The sigmoid's slope is almost zero far from 0, so in a deep sigmoid network the gradient shrinks
    layer by layer. Deep sigmoid and He-initialized ReLU MLPs of equal width are trained on the same
    data; the per-layer gradient norms and the training loss are measured. The claim holds if the
    sigmoid net's first-layer gradients are much smaller than its last layer's and than ReLU's.

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
    The experiment is registered as claim 3; ``lucidnet lab run 3`` (or
    ``run_claim(3)``) runs it, for seconds:

    >>> from lucidnet.lab.registry import get_claim
    >>> from lucidnet.lab.experiments.activations import run_vanishing_gradients
    >>> claim = get_claim(3)
    >>> claim.run is run_vanishing_gradients, claim.spec
    (True, ('C3', 'G2'))
    """
    quick = size == "quick"
    width, depth, n_init, epochs = (64, 10, 3, 15) if quick else (128, 10, 10, 60)
    rng = np.random.default_rng(seed)
    numbers = {}
    for x in (10.0, -10.0):
        s, ds = _sigmoid_and_slope(x)
        numbers[f"sigmoid({x:+.0f})"] = s
        numbers[f"sigmoid_slope({x:+.0f})"] = ds
    numbers["sigmoid_slope_max(0)"] = _sigmoid_and_slope(0.0)[1]

    configs = {"sigmoid + Xavier": ("sigmoid", "xavier"), "tanh + Xavier": ("tanh", "xavier"),
               "ReLU + He": ("relu", "he")}
    widths = [width] * depth + [1]
    X = rng.standard_normal((256, width)).astype(np.float32)
    teacher = rng.standard_normal((width, 1)) / np.sqrt(width)
    y = (np.sin(3 * X @ teacher) + X @ teacher).astype(np.float32)
    norms, curves = {}, {}
    for name, (act, init) in configs.items():
        runs = [_layer_grad_norms(deep_net(widths, act, init), X, y) for _ in range(n_init)]
        norms[name] = np.exp(np.mean(np.log(runs), axis=0))  # geometric mean over initializations
        # first vs last hidden layer (both width x width): the output layer's shape differs
        ratio = float(norms[name][0] / norms[name][-2])
        numbers[f"{name}: first/last hidden layer grad norm"] = ratio
        numbers[f"{name}: gradient factor per layer"] = ratio ** (1 / (depth - 2))
        model = deep_net(widths, act, init)
        first = model[0].weight.data.copy()
        curves[name] = fit(model, _mse, optim.SGD(model.parameters(), lr=0.01), X, y, epochs,
                           batch_size=32, seed=seed)["loss"]
        numbers[f"{name}: first-layer relative weight change"] = float(
            np.linalg.norm(model[0].weight.data - first) / np.linalg.norm(first))
        numbers[f"{name}: loss before/after"] = [round(float(curves[name][0]), 4),
                                                 round(float(curves[name][-1]), 4)]

    return judge_vanishing_gradients(numbers, depth, [_figure_vanishing(norms, curves),
                                                      figure_activation_family()])


def judge_vanishing_gradients(numbers: dict, depth: int, figures=()) -> Result:
    """Claim 3's rule on its numbers: σ(10) within 1e-5 of 0.99995, σ(-10) < 1e-4, σ'(10) < 1e-4;
    through the sigmoid net the first hidden layer's gradient norm is < 1e-3 times the last
    hidden layer's, while with ReLU + He the ratio stays within [0.03, 30].

    Parameters
    ----------
    numbers : dict
        The measured quantities (name -> number, pair or list) the run function records; the
        rule reads the keys of the example below.
    depth : int
        Number of layers of the nets compared.
    figures : list of matplotlib.figure.Figure, optional
        Kept in the Result for the report.

    Returns
    -------
    Result
        The verdict `lucidnet.lab.registry.judge` gives the rule's checks (holds / partly
        holds / does not hold / corrected), with ``numbers`` and ``figures``.

    Examples
    --------
    The rule applied to the numbers a quick run measured (``run_vanishing_gradients(seed=0, size="quick")``
    measures them, in seconds); the second item names the checks that failed:

    >>> from lucidnet.lab.experiments.activations import judge_vanishing_gradients
    >>> numbers = {
    ...     "ReLU + He: first/last hidden layer grad norm": 0.178603,
    ...     "sigmoid(+10)": 0.999955,
    ...     "sigmoid(-10)": 4.53979e-05,
    ...     "sigmoid_slope(+10)": 4.53958e-05,
    ...     "sigmoid + Xavier: first/last hidden layer grad norm": 6.62307e-06,
    ...     "sigmoid + Xavier: gradient factor per layer": 0.225233}
    >>> r = judge_vanishing_gradients(numbers, 10)
    >>> r.verdict, [c.what for c in r.checks if not c.passed]
    ('holds', [])
    """
    relu = numbers["ReLU + He: first/last hidden layer grad norm"]
    checks = [Check("σ(10) saturates", "|σ(10) - 0.99995|", abs(numbers["sigmoid(+10)"] - 0.99995),
                    "<", "", 1e-5),
              Check("σ(-10) saturates", "σ(-10)", numbers["sigmoid(-10)"], "<", "", 1e-4),
              Check("σ' vanishes", "σ'(10)", numbers["sigmoid_slope(+10)"], "<", "", 1e-4),
              Check("sigmoid gradients vanish", "first/last hidden grad norm",
                    numbers["sigmoid + Xavier: first/last hidden layer grad norm"], "<", "", 1e-3),
              Check("ReLU + He keeps them", "first/last hidden grad norm", relu, ">", "", 0.03),
              Check("... without exploding", "first/last hidden grad norm", relu, "<", "", 30.0)]
    return judge(checks, f"{depth} layers, gradient norms averaged over initializations.", numbers,
                 figures, f"Sigmoid net: a factor "
                 f"{numbers['sigmoid + Xavier: gradient factor per layer']:.2f} per layer.")


def _figure_vanishing(norms, curves):
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.2))
    z = np.linspace(-12, 12, 400)
    s = 1 / (1 + np.exp(-z))
    axes[0].plot(z, s, label="σ(x)")
    axes[0].plot(z, s * (1 - s), label="σ'(x) = σ(1-σ)")
    axes[0].axvline(10, ls=":", c="0.5")
    axes[0].axvline(-10, ls=":", c="0.5")
    axes[0].set(xlabel="x", title="sigmoid saturates")
    axes[0].legend(fontsize=7)
    for name, n in norms.items():
        axes[1].semilogy(np.arange(1, len(n) + 1), n, marker="o", ms=3, label=name)
        axes[2].semilogy(curves[name], label=name)
    axes[1].set(xlabel="layer (1 = input side)", ylabel="‖∂L/∂W‖", title="gradient per layer")
    axes[1].legend(fontsize=7)
    axes[2].set(xlabel="epoch (SGD)", ylabel="MSE", title="training")
    axes[2].legend(fontsize=7, loc="best")
    fig.tight_layout()
    return fig


#: the activation family the notes discuss, as (label, module factory): the saturating ones
#: (sigmoid, tanh), the piecewise-linear ones (ReLU, Leaky ReLU) and the smooth successors
ACTIVATION_FAMILY = (
    ("sigmoid", nn.Sigmoid), ("tanh", nn.Tanh), ("ReLU", nn.ReLU),
    ("Leaky ReLU (0.1)", lambda: nn.LeakyReLU(0.1)), ("ELU", nn.ELU), ("SELU", nn.SELU),
    ("GELU", nn.GELU), ("SiLU / Swish", nn.SiLU), ("Softplus", nn.Softplus), ("Mish", nn.Mish),
)


def activation_curves(x: np.ndarray) -> dict:
    """label -> (f(x), f'(x)) for every member of `ACTIVATION_FAMILY`, the slope read from
    lucidnet's own backward pass (float64), so the figure shows what training uses.

    Examples
    --------
    >>> from lucidnet.lab.experiments.activations import activation_curves
    >>> curves = activation_curves(np.array([-1.0, 0.0, 2.0]))
    >>> f, slope = curves["ReLU"]
    >>> f.tolist(), slope.tolist()
    ([0.0, 0.0, 2.0], [0.0, 0.0, 1.0])
    >>> round(float(curves["sigmoid"][1][1]), 4)            # sigma'(0) = 1/4
    0.25
    """
    curves = {}
    for label, make in ACTIVATION_FAMILY:
        t = tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
        out = make()(t)
        out.sum().backward()
        curves[label] = (out.data.copy(), t.grad.data.copy())
    return curves


def figure_activation_family(lo: float = -5.0, hi: float = 5.0):
    """Two panels: the activations and their derivatives on [lo, hi]. The saturating ones
    (sigmoid, tanh) have slopes near 0 away from the origin; ReLU's family keeps slope 1 for
    x > 0; ELU/SELU/GELU/SiLU/Softplus/Mish are smooth versions of it, with a small negative
    side (SELU's slope is 1.05 for x > 0 and 1.76 just below 0; GELU's and SiLU's briefly
    exceed 1 and dip below 0).

    Examples
    --------
    >>> from lucidnet.lab.experiments.activations import figure_activation_family
    >>> fig = figure_activation_family(-3.0, 3.0)
    >>> [ax.get_title() for ax in fig.axes]
    ['activation functions', 'their derivatives']
    >>> from lucidnet.plot._backend import pyplot; pyplot().close(fig)
    """
    plt = pyplot()
    z = np.linspace(lo, hi, 401)
    curves = activation_curves(z)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    for label, (f, df) in curves.items():
        style = "--" if label in ("sigmoid", "tanh") else "-"
        axes[0].plot(z, f, style, lw=1.2, label=label)
        axes[1].plot(z, df, style, lw=1.2, label=label)
    axes[0].set(xlabel="x", ylabel="f(x)", title="activation functions", ylim=(-2.0, 5.0))
    axes[1].set(xlabel="x", ylabel="f'(x) (lucidnet backward)", title="their derivatives",
                ylim=(-0.2, 1.85))
    for ax in axes:
        ax.axhline(0, c="0.7", lw=0.6)
        ax.axvline(0, c="0.7", lw=0.6)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=7, loc="center right")  # one legend, off the data
    fig.tight_layout(rect=(0, 0, 0.84, 1))
    return fig


# ------------------------------------------------------------------------------------ claim 4
def _inactive_fraction(model, X, layer: int) -> float:
    """Share of the units after activation number ``layer`` whose pre-activation is <= 0 for
    every sample (ReLU: dead, output 0 and gradient 0 on the whole data set)."""
    a = Tensor(X)
    seen = -1
    with no_grad():
        for module in model:
            if not isinstance(module, nn.Linear):
                seen += 1
                if seen == layer:
                    return float(np.mean((a.data <= 0).all(axis=0)))
            a = module(a)
    raise ValueError(f"model has no activation number {layer}")


def _zero_grad_units(model, X, y, linear_index: int) -> float:
    """Share of the units of Linear ``linear_index`` whose incoming weights get exactly zero
    gradient on the whole data set (they cannot change any more)."""
    model.zero_grad()
    _mse(model(Tensor(X)), y).backward()
    g = model[linear_index].weight.grad.data
    return float(np.mean(np.all(g == 0, axis=1)))


@claim(4, "Dying ReLU happens; Leaky ReLU avoids it",
       "A ReLU unit whose input stays negative outputs 0 with gradient 0 and stops learning for good "
       "(dying ReLU); Leaky ReLU's small negative slope (α = 0.01) keeps a gradient.",
       "seed 004 ReLU cons; seed 002 Relu; seed 003 ReLU", ("C3",))
def run_dying_relu(seed: int = 0, size: str = "quick") -> Result:
    """Test claim 4 (docs/ideas.md): ReLU units can die, Leaky ReLU units do not.

    A ReLU unit whose input is negative for every sample outputs 0 with gradient 0 and never recovers.
    ReLU and Leaky ReLU (slope 0.01) networks are pushed with a large learning rate for a few
    epochs, then trained normally; the fraction of units that output 0 on every sample is measured.
    The claim holds if ReLU keeps dead units while Leaky ReLU's units still get gradient.

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
    The experiment is registered as claim 4; ``lucidnet lab run 4`` (or
    ``run_claim(4)``) runs it, for seconds:

    >>> from lucidnet.lab.registry import get_claim
    >>> from lucidnet.lab.experiments.activations import run_dying_relu
    >>> claim = get_claim(4)
    >>> claim.run is run_dying_relu, claim.spec
    (True, ('C3',))
    """
    quick = size == "quick"
    width, hot_epochs, epochs = (100, 3, 10) if quick else (200, 5, 40)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((512, 10)).astype(np.float32)
    y = (X @ rng.standard_normal((10, 1)) + np.sin(2 * X[:, :1])).astype(np.float32)
    widths = (10, width, width, 1)
    numbers, curves = {}, {}

    # (a) too high a learning rate: a few Adam steps at lr 0.1, then training at lr 0.003
    for act in ("relu", "leaky_relu"):
        manual_seed(seed)  # the same initial weights for both activations
        model = deep_net(widths, act, "he")
        fit(model, _mse, optim.Adam(model.parameters(), lr=0.1), X, y, hot_epochs, 32, seed)
        numbers[f"high lr, {act}: inactive after lr 0.1"] = _inactive_fraction(model, X, 1)
        numbers[f"high lr, {act}: zero-gradient units"] = _zero_grad_units(model, X, y, 2)
        fit(model, _mse, optim.Adam(model.parameters(), lr=0.003), X, y, epochs, 32, seed)
        numbers[f"high lr, {act}: inactive after lr 0.003"] = _inactive_fraction(model, X, 1)

    # (b) the same start with the first layer's biases shifted by -4: most units begin negative
    for act in ("relu", "leaky_relu"):
        manual_seed(seed + 1)
        model = deep_net(widths, act, "he")
        model[0].bias.data[:] = -4.0
        track = [_inactive_fraction(model, X, 0)]
        opt = optim.Adam(model.parameters(), lr=0.003)
        losses = []
        for _ in range(epochs):
            losses.append(fit(model, _mse, opt, X, y, 1, 32, seed + len(track))["loss"][-1])
            track.append(_inactive_fraction(model, X, 0))
        curves[act] = (np.array(track), np.array(losses))
        numbers[f"bias shift, {act}: inactive start/end"] = [track[0], track[-1]]
        numbers[f"bias shift, {act}: final MSE"] = float(losses[-1])

    return judge_dying_relu(numbers, hot_epochs, epochs, [_figure_dying(curves, numbers)])


def judge_dying_relu(numbers: dict, hot_epochs: int, epochs: int, figures=()) -> Result:
    """Claim 4's rule on its numbers: after a too-high lr > 20% of the ReLU units are dead, none
    revives with more training and all of them have exactly zero gradient, while no Leaky ReLU
    unit has; with the biases shifted to -4 the inactive ReLU share never drops, the Leaky ReLU
    share does, and Leaky ReLU ends with the lower MSE.

    Parameters
    ----------
    numbers : dict
        The measured quantities (name -> number, pair or list) the run function records; the
        rule reads the keys of the example below.
    hot_epochs : int
        Adam epochs at the too-high lr 0.1.
    epochs : int
        Epochs at lr 0.003 after them.
    figures : list of matplotlib.figure.Figure, optional
        Kept in the Result for the report.

    Returns
    -------
    Result
        The verdict `lucidnet.lab.registry.judge` gives the rule's checks (holds / partly
        holds / does not hold / corrected), with ``numbers`` and ``figures``.

    Examples
    --------
    The rule applied to the numbers a quick run measured (``run_dying_relu(seed=0, size="quick")``
    measures them, in seconds); the second item names the checks that failed:

    >>> from lucidnet.lab.experiments.activations import judge_dying_relu
    >>> numbers = {
    ...     "high lr, relu: inactive after lr 0.1": 0.93,
    ...     "bias shift, relu: inactive start/end": [0.45, 0.52],
    ...     "bias shift, leaky_relu: inactive start/end": [0.45, 0.21],
    ...     "high lr, relu: inactive after lr 0.003": 0.93,
    ...     "high lr, relu: zero-gradient units": 0.93,
    ...     "high lr, leaky_relu: zero-gradient units": 0.0,
    ...     "bias shift, leaky_relu: final MSE": 0.6264,
    ...     "bias shift, relu: final MSE": 6.368}
    >>> r = judge_dying_relu(numbers, 3, 10)
    >>> r.verdict, [c.what for c in r.checks if not c.passed]
    ('holds', [])
    """
    dead = numbers["high lr, relu: inactive after lr 0.1"]
    relu_b = numbers["bias shift, relu: inactive start/end"]
    leaky_b = numbers["bias shift, leaky_relu: inactive start/end"]
    checks = [Check("ReLU units die", "dead share", dead, ">", "", 0.2),
              Check("and stay dead", "share after more training",
                    numbers["high lr, relu: inactive after lr 0.003"], ">=", "before", dead),
              Check("with zero gradient", "zero-gradient share",
                    numbers["high lr, relu: zero-gradient units"], ">=", "dead share", dead),
              Check("Leaky ReLU keeps a gradient", "zero-gradient share",
                    numbers["high lr, leaky_relu: zero-gradient units"], "==", "", 0.0),
              Check("shifted ReLU does not revive", "inactive at end", relu_b[1], ">=", "start",
                    relu_b[0]),
              Check("shifted Leaky ReLU revives", "inactive at end", leaky_b[1], "<", "start",
                    leaky_b[0]),
              Check("Leaky ReLU fits better", "final MSE", numbers["bias shift, leaky_relu: final MSE"],
                    "<", "ReLU's", numbers["bias shift, relu: final MSE"])]
    return judge(checks, f"{hot_epochs} Adam epochs at lr 0.1, then {epochs} at lr 0.003; second: "
                 "first-layer biases shifted to -4.", numbers, figures)


def _figure_dying(curves, numbers):
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.2))
    names = ["relu", "leaky_relu"]
    before = [numbers[f"high lr, {a}: inactive after lr 0.1"] for a in names]
    after = [numbers[f"high lr, {a}: inactive after lr 0.003"] for a in names]
    zero = [numbers[f"high lr, {a}: zero-gradient units"] for a in names]
    pos = np.arange(2)
    axes[0].bar(pos - 0.27, before, 0.27, label="inactive after lr 0.1")
    axes[0].bar(pos, after, 0.27, label="... after more training")
    axes[0].bar(pos + 0.27, zero, 0.27, label="zero gradient")
    axes[0].set(xticks=pos, xticklabels=["ReLU", "Leaky ReLU"], ylim=(0, 1.15),
                title="too-high learning rate")
    axes[0].legend(fontsize=6)
    for act, (track, losses) in curves.items():
        axes[1].plot(track, label=act)
        axes[2].semilogy(np.arange(1, len(losses) + 1), losses, label=act)
    axes[1].set(xlabel="epoch", ylabel="share of units negative on all samples",
                title="bias shifted to -4", ylim=(0, 1))
    axes[1].legend(fontsize=7)
    axes[2].set(xlabel="epoch", ylabel="MSE", title="training loss")
    axes[2].legend(fontsize=7, loc="best")
    fig.tight_layout()
    return fig
