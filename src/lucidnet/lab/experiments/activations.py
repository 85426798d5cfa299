"""Claims 3 and 4: sigmoid saturation and vanishing gradients; dying ReLU (SPEC C3, G2)."""

from __future__ import annotations

import numpy as np

from ... import nn, optim
from ...autograd.tensor import Tensor, no_grad, tensor
from ...plot._backend import pyplot
from ...random import manual_seed
from ...train.diagnostics import gradient_norms
from ..registry import Result, claim
from .optimization import fit

__all__ = ["deep_net", "run_dying_relu", "run_vanishing_gradients"]

_INITS = {"xavier": nn.init.xavier_normal_, "he": nn.init.he_normal_,
          "normal": nn.init.normal_, "small_normal": nn.init.small_normal_, "zeros": nn.init.zeros_}


def deep_net(widths, activation: str, init: str, bias: float = 0.0) -> nn.Sequential:
    """Linear layers of ``widths`` with ``activation`` between them, weights from ``init``
    (a name of `_INITS`), biases set to ``bias`` (SPEC G1, G2)."""
    layers = []
    for i in range(len(widths) - 1):
        lin = nn.Linear(widths[i], widths[i + 1])
        _INITS[init](lin.weight)
        nn.init.constant_(lin.bias, bias)
        layers.append(lin)
        if i < len(widths) - 2:
            layers.append(nn.get_activation(activation))
    return nn.Sequential(*layers)


def _mse(out, y):
    return nn.functional.mse_loss(out, y)


def _sigmoid_and_slope(x: float) -> tuple[float, float]:
    """σ(x) and σ'(x), the slope read from lucidnet's backward pass."""
    t = tensor([x], dtype=np.float64, requires_grad=True)
    s = nn.functional.sigmoid(t)
    s.sum().backward()
    return float(s.data[0]), float(t.grad[0])


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

    sig = numbers["sigmoid + Xavier: first/last hidden layer grad norm"]
    relu = numbers["ReLU + He: first/last hidden layer grad norm"]
    holds = (abs(numbers["sigmoid(+10)"] - 0.99995) < 1e-5 and numbers["sigmoid(-10)"] < 1e-4
             and numbers["sigmoid_slope(+10)"] < 1e-4 and sig < 1e-3 and 0.03 < relu < 30)
    explanation = (
        f"σ(10) = {numbers['sigmoid(+10)']:.5f} and σ(-10) = {numbers['sigmoid(-10)']:.5f} with slope "
        f"σ'(±10) = {numbers['sigmoid_slope(+10)']:.1e} (vs 0.25 at 0); through {depth} sigmoid "
        f"layers the first layer's gradient is {sig:.1e} times the last hidden layer's (a factor "
        f"{numbers['sigmoid + Xavier: gradient factor per layer']:.2f} per layer), while with ReLU + "
        f"He it is {relu:.2f} times, so only the ReLU net's early layers keep learning."
        if holds else "The measured slopes or gradient ratios do not show the vanishing pattern; "
        "see the numbers.")
    return Result("holds" if holds else "does not hold", explanation, numbers,
                  [_figure_vanishing(norms, curves)])


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
    fig.tight_layout()
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
    g = model[linear_index].weight.grad
    return float(np.mean(np.all(g == 0, axis=1)))


@claim(4, "Dying ReLU happens; Leaky ReLU avoids it",
       "A ReLU unit whose input stays negative outputs 0 with gradient 0 and stops learning for good "
       "(dying ReLU); Leaky ReLU's small negative slope (α = 0.01) keeps a gradient.",
       "seed 004 ReLU cons; seed 002 Relu; seed 003 ReLU", ("C3",))
def run_dying_relu(seed: int = 0, size: str = "quick") -> Result:
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

    dead_hot = numbers["high lr, relu: inactive after lr 0.1"]
    stays = numbers["high lr, relu: inactive after lr 0.003"] >= dead_hot - 1e-9
    relu_b, leaky_b = curves["relu"][0], curves["leaky_relu"][0]
    holds = (dead_hot > 0.2 and stays
             and numbers["high lr, relu: zero-gradient units"] >= dead_hot - 1e-9
             and numbers["high lr, leaky_relu: zero-gradient units"] == 0.0
             and relu_b[-1] >= relu_b[0] - 1e-9 and leaky_b[-1] < leaky_b[0]
             and numbers["bias shift, leaky_relu: final MSE"]
             < numbers["bias shift, relu: final MSE"])
    explanation = (
        f"After {hot_epochs} epochs at a too-high lr, {dead_hot:.0%} of the second layer's ReLU "
        f"units are dead (zero output and exactly zero gradient on every sample) and none revives in "
        f"{epochs} more epochs; with the biases shifted to -4 the dead ReLU share stays at "
        f"{relu_b[-1]:.0%} while Leaky ReLU units keep a gradient and revive "
        f"({leaky_b[0]:.0%} → {leaky_b[-1]:.0%} inactive, MSE "
        f"{numbers['bias shift, leaky_relu: final MSE']:.2f} vs "
        f"{numbers['bias shift, relu: final MSE']:.2f})."
        if holds else "Dead ReLU units revived or Leaky ReLU units died too; see the numbers.")
    return Result("holds" if holds else "does not hold", explanation, numbers,
                  [_figure_dying(curves, numbers)])


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
    fig.tight_layout()
    return fig
