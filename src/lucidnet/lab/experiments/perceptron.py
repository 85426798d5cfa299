"""Claims 1 and 2: the perceptron's limits and why a network needs activations (docs/ideas.md: B3, B4, C1)."""

from __future__ import annotations

import warnings
from itertools import pairwise

import numpy as np

from ... import nn, optim
from ...autograd.tensor import Tensor, no_grad
from ...data.datasets import make_logic_gate
from ...models import MLP, ConvergenceWarning, Perceptron
from ...plot._backend import pyplot
from ..registry import Check, Result, claim, judge
from .optimization import fit, float64

__all__ = ["judge_linear_collapse", "judge_perceptron", "run_linear_collapse", "run_perceptron"]

_GATES = ("and", "or", "xor")


_bce = nn.BCEWithLogitsLoss()


def _grid(n: int = 121):
    g = np.linspace(-0.5, 1.5, n)
    xx, yy = np.meshgrid(g, g)
    return xx, yy, np.c_[xx.ravel(), yy.ravel()]


def _best_line_accuracy(X, y, n_lines: int, rng) -> float:
    """The best accuracy any of ``n_lines`` random lines w.x + b >= 0 reaches on (X, y)."""
    w = rng.normal(size=(n_lines, 2))
    b = rng.uniform(-2, 2, size=(n_lines, 1))
    pred = (w @ X.T + b >= 0)
    acc = np.maximum((pred == y).mean(axis=1), (pred != y).mean(axis=1))  # either side positive
    return float(acc.max())


@claim(1, "Perceptron: AND and OR yes, XOR no; an MLP solves XOR",
       "A single perceptron (step unit, Rosenblatt's rule) learns the linearly separable AND and OR "
       "but cannot learn XOR; a multi-layer perceptron learns XOR.",
       "seed 003 PERCEPTRON & MULTI-LAYER PERCEPTRON (MLP)", ("B3", "B4"))
def run_perceptron(seed: int = 0, size: str = "quick") -> Result:
    """Test claim 1 (docs/ideas.md): a perceptron learns AND and OR but not XOR; an MLP learns XOR.

    A single step-unit perceptron is trained with Rosenblatt's rule on AND, OR and XOR over several
    sample orders, and a small MLP is trained on XOR; the training errors are measured. The claim
    holds if the perceptron reaches zero error on AND and OR, never on XOR, and the MLP solves XOR.

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
    The experiment is registered as claim 1; ``lucidnet lab run 1`` (or
    ``run_claim(1)``) runs it, for seconds:

    >>> from lucidnet.lab.registry import get_claim
    >>> from lucidnet.lab.experiments.perceptron import run_perceptron
    >>> claim = get_claim(1)
    >>> claim.run is run_perceptron, claim.spec
    (True, ('B3', 'B4'))
    """
    quick = size == "quick"
    n_orders, max_epochs, mlp_epochs = (5, 30, 300) if quick else (20, 200, 1000)
    rng = np.random.default_rng(seed)
    numbers, errors, models = {}, {}, {}
    for gate in _GATES:
        data = make_logic_gate(gate)
        converged, accs = [], []
        for k in range(n_orders):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                p = Perceptron(lr=1.0, max_epochs=max_epochs, random_state=seed * 1000 + k)
                p.fit(data.X, data.y)
            converged.append(p.converged_)
            accs.append(p.score(data.X, data.y))
            if k == 0:
                errors[gate], models[gate] = p.errors_, p
        numbers[f"{gate}_converged_runs"] = f"{sum(converged)}/{n_orders}"
        numbers[f"{gate}_perceptron_accuracy"] = float(np.mean(accs))
        numbers[f"{gate}_epochs_run0"] = len(errors[gate])
    xor = make_logic_gate("xor")
    numbers["xor_best_of_random_lines"] = _best_line_accuracy(
        xor.X, xor.y, 2000 if quick else 20000, rng)

    # the MLP: one hidden tanh layer, logistic output, Adam on the four corners
    model = MLP(2, hidden=(8,), out_features=1, activation="tanh")
    y = xor.y.astype(np.float32).reshape(-1, 1)
    hist = fit(model, _bce, optim.Adam(model.parameters(), lr=0.05), xor.X, y, mlp_epochs)
    with no_grad():
        logits = model(Tensor(xor.X)).data.ravel()
    numbers["xor_mlp_accuracy"] = float(np.mean((logits >= 0) == (xor.y == 1)))
    numbers["xor_mlp_final_bce"] = float(hist["loss"][-1])
    if not quick:  # a noisy XOR cloud, scored on fresh samples
        train = make_logic_gate("xor", n_samples=400, noise=0.15, seed=seed)
        test = make_logic_gate("xor", n_samples=400, noise=0.15, seed=seed + 10_000)
        noisy = MLP(2, hidden=(16,), out_features=1, activation="tanh")
        fit(noisy, _bce, optim.Adam(noisy.parameters(), lr=0.02), train.X,
            train.y.astype(np.float32).reshape(-1, 1), 300, batch_size=32, seed=seed)
        with no_grad():
            out = noisy(Tensor(test.X)).data.ravel()
        numbers["noisy_xor_mlp_test_accuracy"] = float(np.mean((out >= 0) == (test.y == 1)))

    return judge_perceptron(numbers, n_orders, max_epochs,
                            [_figure_perceptron(errors, models["xor"], model)])


def judge_perceptron(numbers: dict, n_orders: int, max_epochs: int, figures=()) -> Result:
    """Claim 1's rule on its numbers: the perceptron rule converges on AND and OR in every run
    and on XOR in none (accuracy <= 0.75), and the MLP classifies all four XOR corners.

    Parameters
    ----------
    numbers : dict
        The measured quantities (name -> number, pair or list) the run function records; the
        rule reads the keys of the example below.
    n_orders : int
        Sample orders (runs) per gate.
    max_epochs : int
        Epoch limit of each perceptron run.
    figures : list of matplotlib.figure.Figure, optional
        Kept in the Result for the report.

    Returns
    -------
    Result
        The verdict `lucidnet.lab.registry.judge` gives the rule's checks (holds / partly
        holds / does not hold / corrected), with ``numbers`` and ``figures``.

    Examples
    --------
    The rule applied to the numbers a quick run measured (``run_perceptron(seed=0, size="quick")``
    measures them, in seconds); the second item names the checks that failed:

    >>> from lucidnet.lab.experiments.perceptron import judge_perceptron
    >>> numbers = {
    ...     "and_converged_runs": "5/5",
    ...     "or_converged_runs": "5/5",
    ...     "xor_converged_runs": "0/5",
    ...     "xor_perceptron_accuracy": 0.5,
    ...     "xor_mlp_accuracy": 1.0,
    ...     "xor_best_of_random_lines": 0.75}
    >>> r = judge_perceptron(numbers, 5, 30)
    >>> r.verdict, [c.what for c in r.checks if not c.passed]
    ('holds', [])
    """
    every, none = f"{n_orders}/{n_orders}", f"0/{n_orders}"
    checks = [Check("AND learned", "converged runs", numbers["and_converged_runs"], "==", "", every),
              Check("OR learned", "converged runs", numbers["or_converged_runs"], "==", "", every),
              Check("XOR not learned", "converged runs", numbers["xor_converged_runs"], "==", "",
                    none),
              Check("XOR perceptron", "accuracy", numbers["xor_perceptron_accuracy"], "<=", "",
                    0.75),
              Check("MLP solves XOR", "accuracy", numbers["xor_mlp_accuracy"], "==", "", 1.0)]
    return judge(checks, f"Rosenblatt's rule, {n_orders} sample orders, up to {max_epochs} "
                 "epochs; an MLP with 8 tanh hidden units.", numbers, figures,
                 f"No random line classifies XOR better than "
                 f"{numbers['xor_best_of_random_lines']:.2f}.")


def _figure_perceptron(errors, perceptron, mlp):
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.2))
    for gate, errs in errors.items():
        axes[0].plot(np.arange(1, len(errs) + 1), errs, marker="o", ms=3, label=gate.upper())
    axes[0].set(xlabel="epoch", ylabel="mistakes", title="perceptron rule")
    axes[0].legend()
    xx, yy, pts = _grid()
    xor = make_logic_gate("xor")
    with no_grad():
        mlp_out = mlp(Tensor(pts.astype(np.float32))).data.reshape(xx.shape) >= 0
    for ax, region, name in ((axes[1], perceptron.predict(pts).reshape(xx.shape), "perceptron"),
                             (axes[2], mlp_out, "MLP (8 tanh units)")):
        ax.contourf(xx, yy, region.astype(float), levels=[-0.5, 0.5, 1.5], alpha=0.3,
                    colors=["tab:blue", "tab:orange"])
        ax.scatter(xor.X[:, 0], xor.X[:, 1], c=xor.y, cmap="coolwarm", edgecolors="k", s=60)
        ax.set(title=f"XOR: {name}", xticks=[0, 1], yticks=[0, 1])
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------------------------ claim 2
def _compose(model: nn.Sequential) -> tuple[np.ndarray, np.ndarray]:
    """W = W_L ... W_1 and b = W_L(...(W_2 b_1 + b_2)...) + b_L of a stack of Linear layers."""
    W, b = None, None
    for layer in model:
        Wl, bl = layer.weight.data, layer.bias.data
        W, b = (Wl, bl) if W is None else (Wl @ W, Wl @ b + bl)
    return W, b


def _stack(widths, activation=None) -> nn.Sequential:
    layers = []
    for i, (a, b) in enumerate(pairwise(widths)):
        layers.append(nn.Linear(a, b))
        if activation and i < len(widths) - 2:
            layers.append(nn.get_activation(activation))
    return nn.Sequential(*layers)


_mse = nn.MSELoss()


@claim(2, "Without activations a deep network is one linear map",
       "Without activation functions a network, however deep, has the capacity of a single linear "
       "layer: a composition of linear maps is linear.",
       "seed 004 Activation Functions; seed 003 Why Are Activation Functions Important?", ("C1",))
def run_linear_collapse(seed: int = 0, size: str = "quick") -> Result:
    """Test claim 2 (docs/ideas.md): without activations a deep network is one linear map.

    A deep MLP with no activation functions is trained on a non-linear target, next to a single
    linear layer and the same deep net with activations; the product of its weight matrices and the
    training error are measured. The claim holds if the deep linear net equals one linear map and
    fits no better than a linear layer (nor XOR), while the ReLU net does both.

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
    The experiment is registered as claim 2; ``lucidnet lab run 2`` (or
    ``run_claim(2)``) runs it, for seconds:

    >>> from lucidnet.lab.registry import get_claim
    >>> from lucidnet.lab.experiments.perceptron import run_linear_collapse
    >>> claim = get_claim(2)
    >>> claim.run is run_linear_collapse, claim.spec
    (True, ('C1',))
    """
    quick = size == "quick"
    epochs = 400 if quick else 3000
    rng = np.random.default_rng(seed)
    widths = (1, 32, 32, 32, 32, 1)
    numbers = {}
    with float64():
        x = np.sort(rng.uniform(-3, 3, 200)).reshape(-1, 1)
        y = np.sin(2 * x) + 0.1 * rng.standard_normal(x.shape)
        linear = _stack(widths)
        W, b = _compose(linear)
        with no_grad():
            out = linear(Tensor(x)).data
        numbers["composition_max_abs_diff_init"] = float(np.abs(out - (x @ W.T + b)).max())
        hist_lin = fit(linear, _mse, optim.Adam(linear.parameters(), lr=0.01), x, y, epochs)
        relu = _stack(widths, "relu")
        hist_relu = fit(relu, _mse, optim.Adam(relu.parameters(), lr=0.01), x, y, epochs)
        W, b = _compose(linear)
        with no_grad():
            lin_out, relu_out = linear(Tensor(x)).data, relu(Tensor(x)).data
        numbers["composition_max_abs_diff_trained"] = float(np.abs(lin_out - (x @ W.T + b)).max())
        A = np.c_[x, np.ones_like(x)]
        coef = np.linalg.lstsq(A, y, rcond=None)[0]
        lstsq_mse = float(np.mean((A @ coef - y) ** 2))
        numbers["least_squares_line_mse"] = lstsq_mse
        numbers["deep_linear_mse"] = float(hist_lin["loss"][-1])
        numbers["deep_relu_mse"] = float(hist_relu["loss"][-1])
        numbers["deep_linear_over_line"] = numbers["deep_linear_mse"] / lstsq_mse
        numbers["deep_relu_over_line"] = numbers["deep_relu_mse"] / lstsq_mse

        xor = make_logic_gate("xor")
        Xx, yx = xor.X.astype(np.float64), xor.y.astype(np.float64).reshape(-1, 1)
        accs = {}
        for name, act in (("linear", None), ("relu", "relu")):
            net = _stack((2, 16, 16, 16, 1), act)
            fit(net, _bce, optim.Adam(net.parameters(), lr=0.02), Xx, yx, 300 if quick else 1000)
            with no_grad():
                accs[name] = float(np.mean((net(Tensor(Xx)).data >= 0) == (yx == 1)))
        numbers["xor_deep_linear_accuracy"] = accs["linear"]
        numbers["xor_deep_relu_accuracy"] = accs["relu"]

    return judge_linear_collapse(
        numbers, [_figure_linear(x, y, lin_out, relu_out, A @ coef, hist_lin, hist_relu)])


def judge_linear_collapse(numbers: dict, figures=()) -> Result:
    """Claim 2's rule on its numbers: the trained 5-layer linear net equals its product matrix
    (max difference < 1e-9), fits sin(2x) no better than one least-squares line (MSE ratio
    > 0.99) and XOR at most 75%, while the ReLU net gets below half the line's MSE and 100% XOR.

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
    The rule applied to the numbers a quick run measured (``run_linear_collapse(seed=0, size="quick")``
    measures them, in seconds); the second item names the checks that failed:

    >>> from lucidnet.lab.experiments.perceptron import judge_linear_collapse
    >>> numbers = {
    ...     "composition_max_abs_diff_trained": 2.22e-16,
    ...     "deep_linear_over_line": 1.0,
    ...     "xor_deep_linear_accuracy": 0.5,
    ...     "deep_relu_over_line": 0.02209,
    ...     "xor_deep_relu_accuracy": 1.0}
    >>> r = judge_linear_collapse(numbers)
    >>> r.verdict, [c.what for c in r.checks if not c.passed]
    ('holds', [])
    """
    checks = [Check("one linear map", "max |net - W5...W1 x|",
                    numbers["composition_max_abs_diff_trained"], "<", "", 1e-9),
              Check("no better than a line", "MSE / line's", numbers["deep_linear_over_line"], ">",
                    "", 0.99),
              Check("no XOR", "accuracy", numbers["xor_deep_linear_accuracy"], "<=", "", 0.75),
              Check("ReLU net beats the line", "MSE / line's", numbers["deep_relu_over_line"], "<",
                    "", 0.5),
              Check("ReLU net solves XOR", "accuracy", numbers["xor_deep_relu_accuracy"], "==", "",
                    1.0)]
    return judge(checks, "5 Linear layers of width 32 with and without ReLU, fitted to "
                 "sin(2x) + noise and to XOR.", numbers, figures)


def _figure_linear(x, y, lin_out, relu_out, line, hist_lin, hist_relu):
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    axes[0].scatter(x, y, s=6, c="0.6", label="data sin(2x) + noise")
    axes[0].plot(x, line, "k--", label="least-squares line")
    axes[0].plot(x, lin_out, "tab:blue", label="5 Linear, no activation")
    axes[0].plot(x, relu_out, "tab:red", label="5 Linear + ReLU")
    axes[0].set(xlabel="x", ylabel="y", title="fit")
    # data and fits fill the panel: the legend goes below it
    axes[0].legend(fontsize=6, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.28))
    axes[1].semilogy(hist_lin["loss"], "tab:blue", label="no activation")
    axes[1].semilogy(hist_relu["loss"], "tab:red", label="ReLU")
    axes[1].set(xlabel="epoch (full batch)", ylabel="MSE", title="training loss")
    axes[1].legend(loc="best")
    fig.tight_layout()
    return fig
