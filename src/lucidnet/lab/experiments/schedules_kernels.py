"""Claims 21 and 22: learning-rate schedules (docs/ideas.md: F2, F3) and convolution kernels (docs/ideas.md: B2).

21. Learning-rate schedules side by side; warm restarts escape plateaus and local minima.
22. A blur kernel smooths, an edge kernel highlights edges; a trained CNN learns its own kernels.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from ...autograd import get_default_dtype, set_default_dtype
from ...autograd.tensor import Tensor
from ...data import load_dataset, train_test_split
from ...kernels import apply_kernel, box_blur, laplacian, sobel_x, sobel_y
from ...nn import Conv2d, Flatten, Linear, MaxPool2d, Parameter, ReLU, Sequential
from ...optim import SGD, Adam
from ...optim import lr_scheduler as S
from ...plot._backend import pyplot
from ...plot.schedules import schedule_values
from ...random import manual_seed
from ...train import Trainer
from ..registry import Check, Result, claim, judge

__all__ = ["judge_kernels", "judge_schedules", "kernels", "schedules"]

_WELLS = np.arange(-8.0, 9.0, 1.0)  # centres of the narrow wells of the landscape
_TARGET = 3.0  # the wide bowl's centre: the global minimum is the well at x = 3


def _landscape(x):
    """f(x) = 0.02 (x - 3)^2 - 0.5 sum_k exp(-(x - c_k)^2 / (2 * 0.25^2)) on a lucidnet Tensor.

    Narrow wells (local minima) one unit apart, joined by nearly flat stretches (plateaus) where
    only the weak bowl pulls; the deepest well is at x = 3."""
    total = (x - _TARGET) ** 2 * 0.02
    for c in _WELLS:
        total = total - ((x - c) ** 2 * (-8.0)).exp() * 0.5
    return total


def _schedule_factories(steps: int):
    return {
        "constant": lambda o: S.LambdaLR(o, lambda t: 1.0),
        "step decay": lambda o: S.StepLR(o, step_size=steps // 4, gamma=0.3),
        "exponential": lambda o: S.ExponentialLR(o, gamma=0.01 ** (1 / steps)),
        "polynomial": lambda o: S.PolynomialLR(o, total_iters=steps, power=2.0),
        "cosine": lambda o: S.CosineAnnealingLR(o, T_max=steps),
        "warm restarts (SGDR)": lambda o: S.CosineAnnealingWarmRestarts(o, T_0=steps // 5),
        "warmup + cosine": lambda o: S.warmup_cosine(o, warmup_steps=steps // 10, total_steps=steps),
        "cyclic": lambda o: S.CyclicLR(o, base_lr=0.05, max_lr=1.0, step_size_up=steps // 10),
    }


def _descend(x0, factory, steps: int, lr: float):
    """Run SGD with a schedule on many independent starting points; per-step positions."""
    x = Parameter(x0.copy())
    opt = SGD([x], lr=lr)
    sched = factory(opt)
    path, lrs = [x.data.copy()], []
    for _ in range(steps):
        loss = _landscape(x).sum()
        opt.zero_grad()
        loss.backward()
        lrs.append(float(opt.param_groups[0]["lr"]))
        opt.step()
        sched.step()
        path.append(x.data.copy())
    return np.array(path), lrs


def _well(x: np.ndarray) -> np.ndarray:
    return np.round(x).astype(int)


@claim(21, "Learning-rate schedules side by side; warm restarts escape plateaus",
       "Schedules (step, exponential, polynomial decay, cosine annealing, warmup, cyclical) adjust "
       "the learning rate over time; cosine annealing is often used with warm restarts (SGDR) to "
       "escape local minima.",
       "seed 003 Learning Rate Schedules; seed 002 Learning rate", ("F1", "F2", "F3"))
def schedules(seed: int, size: str) -> Result:
    """Test claim 21 (docs/ideas.md): learning-rate schedules side by side; warm restarts escape plateaus.

    Step, exponential, polynomial, cosine, warmup and cyclical schedules are plotted over the same
    steps, and gradient descent is run from many starting points on a loss with local minima with
    with step decay, plain cosine annealing and cosine with warm restarts (SGDR); how many starts
    each restart moves and the fraction ending in the global well are measured. The claim holds if
    every restart moves some, a dropping step-decay rate moves none, and SGDR ends in the global
    well more often than step decay and than plain cosine.

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
    The experiment is registered as claim 21; ``lucidnet lab run 21`` (or
    ``run_claim(21)``) runs it, for seconds:

    >>> from lucidnet.lab.registry import get_claim
    >>> from lucidnet.lab.experiments.schedules_kernels import schedules
    >>> claim = get_claim(21)
    >>> claim.run is schedules, claim.spec
    (True, ('F1', 'F2', 'F3'))
    """
    steps = 300 if size == "quick" else 1000
    walkers = 400 if size == "quick" else 2000
    lr = 1.0
    factories = _schedule_factories(steps)
    curves = {name: schedule_values(f, steps, base_lr=lr) for name, f in factories.items()}
    x0 = np.random.default_rng(seed).uniform(-7.5, -1.5, walkers)
    old = get_default_dtype()
    set_default_dtype(np.float64)
    try:
        runs = {name: _descend(x0, factories[name], steps, lr)
                for name in ("constant", "step decay", "cosine", "warm restarts (SGDR)")}
    finally:
        set_default_dtype(old)
    final = {name: float(np.mean(_well(path[-1]) == int(_TARGET))) for name, (path, _) in runs.items()}
    # escapes: walkers settled in a well just before a restart that sit in another well one
    # cycle later (a restart raises the lr back to its maximum)
    path, _ = runs["warm restarts (SGDR)"]
    period = steps // 5
    before = [_well(path[t]) for t in range(period, steps + 1, period)]
    moved = [float(np.mean(a != b)) for a, b in pairwise(before)]
    # the same measurement on step decay at its last decay boundaries (lr only ever drops)
    path_step, _ = runs["step decay"]
    sp = steps // 4
    moved_step = [float(np.mean(_well(path_step[t]) != _well(path_step[t + sp])))
                  for t in range(sp, steps - sp + 1, sp)]

    numbers = {
        "steps / starting points / max lr": [steps, walkers, lr],
        **{f"fraction ending in the global well: {n}": round(v, 3) for n, v in final.items()},
        "SGDR: fraction changing well over each cycle after a restart": [round(m, 3) for m in moved],
        "step decay: fraction changing well over each later lr stage": [round(m, 3) for m in moved_step],
    }
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.3))
    for name, lrs in curves.items():
        axes[0].plot(lrs, lw=1.1, label=name)
    axes[0].set(xlabel="step", ylabel="learning rate", title="schedules (max lr 1)")
    # eight curves fill the panel: their legend goes below the figure
    grid = np.linspace(-8.5, 8.5, 1200)

    axes[1].plot(grid, _landscape(Tensor(grid)).data, color="k", lw=0.8)
    axes[1].set(xlabel="x", ylabel="f(x)", title="wells and plateaus; global well at 3")
    share = axes[1].twinx()
    wells = np.arange(-8, 9)
    for k, name in enumerate(("step decay", "cosine", "warm restarts (SGDR)")):
        hist = np.array([np.mean(_well(runs[name][0][-1]) == w) for w in wells])
        share.bar(wells + (k - 1) * 0.28, hist, 0.28, alpha=0.7, label=name)
    share.set_ylabel("fraction of walkers at the end")
    share.legend(fontsize=6, loc="upper right")  # the bowl is low there, bars are central
    t = np.arange(steps + 1)
    for name in ("step decay", "warm restarts (SGDR)"):
        path, _ = runs[name]
        axes[2].plot(t, np.mean(_well(path) == int(_TARGET), axis=1), label=name)
    axes[2].set(xlabel="step", ylabel="fraction in the global well", title="escaping local wells")
    axes[2].set_ylim(0, 1.35 * max(line.get_ydata().max() for line in axes[2].get_lines()))
    axes[2].legend(fontsize=7, loc="upper left", ncol=2)  # in the band kept free above the curves
    fig.legend(*axes[0].get_legend_handles_labels(), loc="lower left", ncol=4, fontsize=6,
               title="schedules (left panel)", title_fontsize=6, bbox_to_anchor=(0.02, 0.0))
    fig.tight_layout(rect=(0, 0.14, 1, 1))
    fig.subplots_adjust(wspace=0.55)  # tight_layout leaves no room for the twin axis label

    return judge_schedules(numbers, [fig])


def judge_schedules(numbers: dict, figures=()) -> Result:
    """Claim 21's rule on its numbers: every warm restart moves > 5% of the walkers to another
    well (step decay, whose lr only drops, moves < 1% after its second stage), and SGDR ends with
    more walkers in the global well than step decay (+0.1) and than a single cosine annealing --
    the notes say restarts are *added* to cosine annealing to escape local minima.

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
    The rule applied to the numbers a quick run measured (``schedules(seed=0, size="quick")``
    measures them, in seconds); the second item names the checks that failed:

    >>> from lucidnet.lab.experiments.schedules_kernels import judge_schedules
    >>> numbers = {
    ...     "SGDR: fraction changing well over each cycle after a restart": [0.835, 0.887, 0.877, 0.838],
    ...     "step decay: fraction changing well over each later lr stage": [0.04, 0.0, 0.0],
    ...     "fraction ending in the global well: constant": 0.052,
    ...     "fraction ending in the global well: step decay": 0.05,
    ...     "fraction ending in the global well: cosine": 0.455,
    ...     "fraction ending in the global well: warm restarts (SGDR)": 0.182,
    ...     "steps / starting points / max lr": [300, 400, 1.0]}
    >>> r = judge_schedules(numbers)
    >>> r.verdict, [c.what for c in r.checks if not c.passed]
    ('partly holds', ['SGDR beats plain cosine'])
    """
    moved = numbers["SGDR: fraction changing well over each cycle after a restart"]
    moved_step = numbers["step decay: fraction changing well over each later lr stage"][1:] or [0.0]
    final = {n: numbers[f"fraction ending in the global well: {n}"]
             for n in ("constant", "step decay", "cosine", "warm restarts (SGDR)")}
    sgdr = final["warm restarts (SGDR)"]
    checks = [Check("each restart moves walkers", "smallest fraction moved", min(moved), ">", "",
                    0.05),
              Check("a dropping lr does not", "step decay's largest later move", max(moved_step),
                    "<", "", 0.01),
              Check("SGDR beats step decay", "SGDR in the global well", sgdr, ">",
                    "step decay + 0.1", final["step decay"] + 0.1),
              Check("SGDR beats plain cosine", "SGDR in the global well", sgdr, ">", "cosine",
                    final["cosine"])]
    steps, walkers, lr = numbers["steps / starting points / max lr"]
    return judge(checks, f"{walkers:g} walkers on a landscape of narrow wells and plateaus, "
                 f"{steps:g} SGD steps at max lr {lr:g}, fraction ending in the global well "
                 f"(constant lr: {final['constant']:.0%}).", numbers, figures)


def _test_image(seed: int, n: int = 32):
    """A bright square and a disk on a dark background, plus Gaussian pixel noise."""
    yy, xx = np.mgrid[0:n, 0:n]
    clean = np.zeros((n, n))
    clean[6:18, 5:15] = 1.0
    clean[(yy - 21) ** 2 + (xx - 21) ** 2 <= 49] = 0.7
    noisy = clean + np.random.default_rng(seed).normal(0, 0.15, clean.shape)
    return clean, noisy


@claim(22, "Blur smooths, edge kernels highlight edges; a CNN learns its own kernels",
       "If we apply a blur kernel, it smoothens the image; if we apply an edge-detection kernel, "
       "it highlights edges. CNNs don't use predefined kernels: they learn the best kernels "
       "during training.",
       "seed 003 Kernel", ("B2",))
def kernels(seed: int, size: str) -> Result:
    """Test claim 22 (docs/ideas.md): blur kernels smooth, edge kernels highlight edges, and a CNN learns its own kernels.

    A box blur and a Sobel edge kernel are applied to a noisy square-and-disk image, and a CNN with
    8 learned 3x3 kernels is trained on digits; the noise left after blurring, the Sobel response on
    flat and edge pixels, how far the kernels moved from their start and the CNN's test accuracy
    are measured. The claim holds if blurring halves the noise, Sobel is zero on flat regions and
    large on edges, and the kernels change a lot while reaching over 80 % accuracy.

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
    The experiment is registered as claim 22; ``lucidnet lab run 22`` (or
    ``run_claim(22)``) runs it, for seconds:

    >>> from lucidnet.lab.registry import get_claim
    >>> from lucidnet.lab.experiments.schedules_kernels import kernels
    >>> claim = get_claim(22)
    >>> claim.run is kernels, claim.spec
    (True, ('B2',))
    """
    clean, noisy = _test_image(seed)
    blurred = apply_kernel(noisy, box_blur(3))
    blurred_clean = apply_kernel(clean, box_blur(3))
    inner = (slice(1, -1), slice(1, -1))  # skip the zero-padded border
    noise_before = float(np.std((noisy - clean)[inner]))
    noise_after = float(np.std((blurred - blurred_clean)[inner]))
    edges = np.hypot(apply_kernel(clean, sobel_x()), apply_kernel(clean, sobel_y()))
    # flat pixels: the whole 3x3 neighbourhood has one value; the others touch an edge
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(clean, 1, mode="edge"), (3, 3))
    flat = np.ptp(windows, axis=(-2, -1)) == 0
    boundary = ~flat
    flat_response = float(edges[inner][flat[inner]].max())  # zero-sum kernel: 0 where constant

    # a small CNN on the 8x8 digits learns its own 3x3 kernels
    d = load_dataset("digits")
    Xtr, Xte, ytr, yte = train_test_split(d.X / 16.0, d.y, test_size=0.3, random_state=seed,
                                          stratify=d.y)
    Xtr, Xte = Xtr.reshape(-1, 1, 8, 8), Xte.reshape(-1, 1, 8, 8)
    manual_seed(seed)
    conv = Conv2d(1, 8, 3, padding=1)
    model = Sequential(conv, ReLU(), MaxPool2d(2), Flatten(), Linear(8 * 4 * 4, 10))
    w0 = conv.weight.data[:, 0].copy()
    trainer = Trainer(model, "cross_entropy", Adam(model.parameters(), lr=1e-2),
                      metrics=["accuracy"], verbose=0)
    trainer.fit(Xtr, ytr, epochs=4 if size == "quick" else 15, batch_size=32, seed=seed)
    acc = trainer.evaluate(Xte, yte)["accuracy"]
    w = conv.weight.data[:, 0]
    change = float(np.linalg.norm(w - w0) / np.linalg.norm(w0))
    fixed = np.stack([box_blur(3), sobel_x(), sobel_y(), laplacian()]).reshape(4, -1)
    fixed = fixed / np.linalg.norm(fixed, axis=1, keepdims=True)
    flat_w = w.reshape(len(w), -1) / np.linalg.norm(w.reshape(len(w), -1), axis=1, keepdims=True)
    best_match = np.abs(flat_w @ fixed.T).max(axis=1)

    numbers = {
        "noise std before / after 3x3 blur": [round(noise_before, 4), round(noise_after, 4)],
        "blur noise reduction (iid noise: 1/3 expected)": round(noise_after / noise_before, 3),
        "mean Sobel magnitude on edge pixels": round(float(edges[inner][boundary[inner]].mean()), 3),
        "max Sobel response on flat regions": round(flat_response, 6),
        "CNN test accuracy (8 learned 3x3 kernels)": round(float(acc), 3),
        "relative change of the kernels ||W - W0|| / ||W0||": round(change, 3),
        "per-kernel max |cosine| with blur/Sobel/Laplacian": [round(float(v), 2) for v in best_match],
    }
    plt = pyplot()
    fig1, axes = plt.subplots(1, 3, figsize=(9, 3.2))
    for ax, img, title in zip(axes, (noisy, blurred, edges),
                              ("noisy image", "3x3 box blur", "Sobel edge magnitude")):
        ax.imshow(img, cmap="gray")
        ax.set_title(title, fontsize=9)
        ax.axis("off")
    fig1.tight_layout()

    def mosaic(k):
        tiles = [np.pad((t - t.min()) / (np.ptp(t) + 1e-12), 1, constant_values=1.0) for t in k]
        return np.concatenate(tiles, axis=1)

    fig2, axes2 = plt.subplots(2, 1, figsize=(7, 2.8))
    for ax, k, title in ((axes2[0], w0, "kernels at initialization"),
                         (axes2[1], w, f"learned kernels (test accuracy {acc:.0%})")):
        ax.imshow(mosaic(k), cmap="gray")
        ax.set_title(title, fontsize=9)
        ax.axis("off")
    fig2.tight_layout()

    return judge_kernels(numbers, [fig1, fig2])


def judge_kernels(numbers: dict, figures=()) -> Result:
    """Claim 22's rule on its numbers: the 3x3 blur halves the pixel noise or better, the Sobel
    magnitude is 0 (< 1e-9) on flat regions and > 0.5 on edges, and the CNN's kernels move > 50%
    from their random start while reaching > 80% test accuracy.

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
    The rule applied to the numbers a quick run measured (``kernels(seed=0, size="quick")``
    measures them, in seconds); the second item names the checks that failed:

    >>> from lucidnet.lab.experiments.schedules_kernels import judge_kernels
    >>> numbers = {
    ...     "noise std before / after 3x3 blur": [0.1484, 0.0487],
    ...     "per-kernel max |cosine| with blur/Sobel/Laplacian": [0.67, 0.41, 0.85, 0.69, 0.8, 0.4, 0.91, 0.46],
    ...     "max Sobel response on flat regions": 0.0,
    ...     "mean Sobel magnitude on edge pixels": 2.863,
    ...     "relative change of the kernels ||W - W0|| / ||W0||": 2.381,
    ...     "CNN test accuracy (8 learned 3x3 kernels)": 0.969}
    >>> r = judge_kernels(numbers)
    >>> r.verdict, [c.what for c in r.checks if not c.passed]
    ('holds', [])
    """
    before, after = numbers["noise std before / after 3x3 blur"]
    match = numbers["per-kernel max |cosine| with blur/Sobel/Laplacian"]
    checks = [Check("blur smooths", "noise after/before", after / before, "<", "", 0.5),
              Check("edges only", "max Sobel on flat regions",
                    numbers["max Sobel response on flat regions"], "<", "", 1e-9),
              Check("edges highlighted", "mean Sobel on edges",
                    numbers["mean Sobel magnitude on edge pixels"], ">", "", 0.5),
              Check("kernels learned", "relative change",
                    numbers["relative change of the kernels ||W - W0|| / ||W0||"], ">", "", 0.5),
              Check("and useful", "test accuracy",
                    numbers["CNN test accuracy (8 learned 3x3 kernels)"], ">", "", 0.8)]
    return judge(checks, "A noisy square-and-disk image; a CNN with 8 3x3 kernels on digits.",
                 numbers, figures, f"Learned kernels' largest |cosine| with a fixed kernel: "
                 f"{min(match):.2f}-{max(match):.2f}.")
