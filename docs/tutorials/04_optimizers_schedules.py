# %% [markdown]
# # 4. Gradient descent, optimizers and schedules
#
# Gradient descent moves the parameters against the gradient, $\theta \leftarrow \theta - \eta
# \nabla L(\theta)$, with learning rate $\eta$. How far and how smoothly it gets depends on
# $\eta$, on how the gradient is estimated (all data, a mini-batch, one sample), on the update
# rule (momentum, adaptive steps) and on how $\eta$ changes during training (the schedule).
# Every optimizer here is used as in PyTorch: `opt.zero_grad()`, `loss.backward()`, `opt.step()`.

# %%
import matplotlib.pyplot as plt
import numpy as np

import lucidnet as ln
from lucidnet import nn, optim
from lucidnet.data import DataLoader, make_spirals
from lucidnet.nn import functional as F
from lucidnet.optim import lr_scheduler

ln.manual_seed(0)


def descend(f, opt_factory, start, steps):
    """Minimize f over a 2-vector from `start`; return the path (one row per step) and losses."""
    p = nn.Parameter(np.array(start, dtype=np.float64))
    opt = opt_factory([p])
    path, losses = [p.data.copy()], [f(p).item()]
    for _ in range(steps):
        loss = f(p)
        opt.zero_grad()
        loss.backward()
        opt.step()
        path.append(p.data.copy())
        losses.append(f(p).item())
        if not np.isfinite(losses[-1]) or losses[-1] > 1e6:   # diverged: stop
            break
    return np.array(path), np.array(losses)


# %% [markdown]
# ## The learning rate on a quadratic valley
#
# $L(x, y) = \tfrac12 (x^2 + 25 y^2)$ is 25 times more curved along $y$ than along $x$. On a
# quadratic with curvatures $\lambda_i$, one gradient step multiplies the distance along axis $i$
# by $1 - \eta \lambda_i$: the steps converge only if $|1 - \eta\lambda_i| < 1$ for every axis,
# that is $\eta < 2/\lambda_\max = 0.08$, and the slow axis shrinks by only $1 - \eta\lambda_\min$
# per step. Three learning rates, 60 steps each:

# %%
def quadratic(p):
    return 0.5 * (p[0] ** 2 + 25.0 * p[1] ** 2)


lr_paths = {}
for label, lr in {"too small (0.005)": 0.005, "about right (0.07)": 0.07,
                  "too big (0.085)": 0.085}.items():
    path, losses = descend(quadratic, lambda ps, lr=lr: optim.SGD(ps, lr=lr), (-4.0, 1.5), 60)
    lr_paths[label] = (path, losses)
    y_factor = abs(1 - lr * 25)
    print(f"lr {label:19s} |1 - lr·25| = {y_factor:.3f}  loss {losses[0]:.1f} -> {losses[-1]:.3g}"
          f" after {len(losses) - 1} steps")

assert lr_paths["too small (0.005)"][1][-1] > 3              # crawls: still far after 60 steps
assert lr_paths["about right (0.07)"][1][-1] < 1e-2
assert lr_paths["too big (0.085)"][1][-1] > 1e3 * lr_paths["too big (0.085)"][1][0]  # diverges

# %%
xs, ys = np.meshgrid(np.linspace(-4.5, 4.5, 200), np.linspace(-2.5, 2.5, 200))
fig, axes = plt.subplots(1, 3, figsize=(13, 3.4), sharey=True)
for ax, (label, (path, _)) in zip(axes, lr_paths.items()):
    if label.startswith("too big"):
        path = path[:15]                   # later steps leave the picture
    ax.contour(xs, ys, 0.5 * (xs ** 2 + 25 * ys ** 2), levels=np.geomspace(0.05, 80, 12),
               cmap="Greys", linewidths=0.7)
    ax.plot(path[:, 0], path[:, 1], ".-", c="C3", ms=4, lw=1)
    ax.scatter([0], [0], marker="*", s=120, c="k", zorder=3)
    ax.set(xlim=(-4.5, 4.5), ylim=(-2.5, 2.5), xlabel="x",
           title=f"lr {label}, {len(path) - 1} steps shown")
axes[0].set_ylabel("y")
plt.tight_layout()
plt.show()

# %% [markdown]
# Too small: safe but slow, still creeping along $x$ after 60 steps. About right: a zigzag across
# the steep direction ($1 - 0.07 \cdot 25 = -0.75$ flips the sign of $y$ each step) while it slides
# along the shallow one. Too big: $|1 - 0.085 \cdot 25| = 1.125 > 1$ and each step overshoots
# further.
#
# ## Optimizers on a curved valley
#
# A Rosenbrock-like banana $L(x, y) = (1 - x)^2 + 20 (y - x^2)^2$, minimum at $(1, 1)$, start at
# $(-1.2, 1)$. The update rules (gradient $g$, as `torch.optim` implements them):
#
# * **SGD**: $\theta \leftarrow \theta - \eta g$
# * **momentum** ($\mu = 0.9$): $b \leftarrow \mu b + g$, $\theta \leftarrow \theta - \eta b$
# * **Nesterov**: the same $b$, but $\theta \leftarrow \theta - \eta (g + \mu b)$ (a look-ahead)
# * **RMSprop**: $v \leftarrow \alpha v + (1-\alpha) g^2$,
#   $\theta \leftarrow \theta - \eta\, g / (\sqrt v + \epsilon)$ (a step size per coordinate)
# * **Adam**: momentum and RMSprop together, with bias correction:
#   $m \leftarrow \beta_1 m + (1-\beta_1) g$, $v \leftarrow \beta_2 v + (1-\beta_2) g^2$,
#   $\theta \leftarrow \theta - \eta\, \hat m / (\sqrt{\hat v} + \epsilon)$ with
#   $\hat m = m / (1 - \beta_1^t)$, $\hat v = v / (1 - \beta_2^t)$.
#
# Each optimizer gets its best learning rate from the same small grid: among the runs that do not
# diverge, the one that first brings the loss under $10^{-2}$ (500 steps at most).

# %%
def banana(p):
    return (1 - p[0]) ** 2 + 20.0 * (p[1] - p[0] ** 2) ** 2


optimizers = {
    "SGD": lambda ps, lr: optim.SGD(ps, lr=lr),
    "momentum": lambda ps, lr: optim.SGD(ps, lr=lr, momentum=0.9),
    "Nesterov": lambda ps, lr: optim.SGD(ps, lr=lr, momentum=0.9, nesterov=True),
    "RMSprop": lambda ps, lr: optim.RMSprop(ps, lr=lr),
    "Adam": lambda ps, lr: optim.Adam(ps, lr=lr),
}
grid, steps, start = (0.001, 0.003, 0.01, 0.03, 0.1), 500, (-1.2, 1.0)


def steps_to(losses, threshold=1e-2):
    hit = np.flatnonzero(losses < threshold)
    return int(hit[0]) if hit.size else np.inf


best = {}
for name, make in optimizers.items():
    runs, diverged = [], []
    for lr in grid:
        path, losses = descend(banana, lambda ps, make=make, lr=lr: make(ps, lr), start, steps)
        if len(losses) == steps + 1:
            runs.append((steps_to(losses), losses[-1], lr, path, losses))
        else:                                          # stopped early: it diverged
            diverged.append(lr)
    n_steps, final, lr, path, losses = min(runs, key=lambda r: (r[0], r[1]))
    best[name] = dict(lr=lr, steps=n_steps, final=final, path=path, losses=losses)
    best[name]["late_step"] = float(np.linalg.norm(np.diff(path[-51:], axis=0), axis=1).mean())
    print(f"{name:9s} lr {lr:<6g} loss < 1e-2 at step {n_steps:3d}, final loss {final:.1e}, "
          f"mean step over the last 50 {best[name]['late_step']:.1e}  (diverged at lr {diverged})")

assert np.isfinite(best["SGD"]["steps"])
for name in ("momentum", "Nesterov", "Adam"):
    assert best[name]["steps"] < 0.6 * best["SGD"]["steps"], name   # clearly faster than SGD
# RMSprop does not settle: it ends far above the loss it had reached, still taking ~lr steps
rms = best["RMSprop"]
assert rms["final"] > 1e-2 and rms["late_step"] > 0.3 * rms["lr"]
assert best["Adam"]["late_step"] < 0.01 * best["Adam"]["lr"]

# %%
xs, ys = np.meshgrid(np.linspace(-2, 2, 300), np.linspace(-1, 3, 300))
fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
axes[0].contour(xs, ys, (1 - xs) ** 2 + 20 * (ys - xs ** 2) ** 2,
                levels=np.geomspace(0.01, 300, 15), cmap="Greys", linewidths=0.7)
for name, r in best.items():
    axes[0].plot(r["path"][:, 0], r["path"][:, 1], lw=1.3, label=f"{name} (lr {r['lr']:g})")
    axes[1].semilogy(r["losses"], label=name)
axes[0].scatter(*start, c="k", s=30, zorder=3)
axes[0].scatter([1], [1], marker="*", s=150, c="k", zorder=3)
axes[0].set(xlim=(-2, 2), ylim=(-1, 3), xlabel="x", ylabel="y", title="paths on the banana valley")
axes[0].legend(fontsize=8, loc="lower right")
axes[1].axhline(1e-2, ls=":", c="0.5")
axes[1].set(xlabel="step", ylabel="loss (log scale)", title="loss per step, best lr each",
            ylim=(1e-12, 100))
axes[1].legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# Plain SGD must keep $\eta$ small enough for the steep walls of the valley, so it creeps along the
# flat, bending floor. Momentum accumulates the consistent part of the gradient (along the floor)
# while the alternating part (across the walls) cancels; Nesterov does the same with a look-ahead
# (its step adds $\mu b$ on top of the gradient, so it diverged already at a smaller lr).
# Adam's steps are about $\eta$ long whatever the scale of the gradient, and its momentum averages
# the zigzag away, so it settles. RMSprop reaches the valley floor too but does not settle: dividing
# by $\sqrt v$ makes each step about $\eta$ long per coordinate even where the gradient is small,
# and without momentum the back-and-forth gradients are not averaged away, so it keeps hopping
# around the minimum (over the last 50 steps its mean step is still about half its lr; Adam's is
# below $10^{-4}$ of its lr).
#
# ## Batch, mini-batch and stochastic gradients
#
# The training loss is an average over samples, $L = \frac1N \sum_i \ell_i$. *Batch* gradient
# descent uses all $N$ samples per step, *stochastic* gradient descent one sample, *mini-batch*
# $B$ samples. A mini-batch gradient is an unbiased estimate of the full one; its error shrinks
# like $1/\sqrt B$ (for $B$ drawn without replacement, by the factor
# $\sqrt{(N-B)/(B(N-1))}$). A linear regression with 512 samples, measured at the initial weights:

# %%
rng = np.random.default_rng(0)
N, d = 512, 5
Xl = rng.standard_normal((N, d)).astype(np.float32)
yl = (Xl @ rng.standard_normal((d, 1)) + 0.5 * rng.standard_normal((N, 1))).astype(np.float32)
Xl_t, yl_t = ln.tensor(Xl), ln.tensor(yl)


def flat_grad(model, xb, yb):
    model.zero_grad()
    F.mse_loss(model(ln.tensor(xb)), ln.tensor(yb)).backward()
    return np.concatenate([p.grad.numpy().ravel() for p in model.parameters()])


model = nn.Linear(d, 1)
full = flat_grad(model, Xl, yl)
sizes = (1, 4, 16, 64, 256)
noise = {}
for B in sizes:
    errors = [flat_grad(model, Xl[idx], yl[idx]) - full
              for idx in (rng.choice(N, B, replace=False) for _ in range(200))]
    noise[B] = float(np.sqrt(np.mean(np.sum(np.square(errors), axis=1))))
    # unbiased: the 200 errors average out (to about noise / sqrt(200))
    assert np.linalg.norm(np.mean(errors, axis=0)) < 0.25 * noise[B]
theory = {B: noise[1] * np.sqrt((N - B) / (B * (N - 1))) for B in sizes}
print(f"full gradient norm {np.linalg.norm(full):.3f}")
for B in sizes:
    print(f"B = {B:3d}: RMS error of the mini-batch gradient {noise[B]:.3f}"
          f"   (1/√B law from B = 1: {theory[B]:.3f})")
    assert 0.8 < noise[B] / theory[B] < 1.25

# %% [markdown]
# The same learning rate (0.05) and 8 epochs for the three modes, the full-data loss recorded
# after every update. One epoch is 1 update in batch mode, 16 with $B = 32$, 512 with $B = 1$.

# %%
modes = {"batch (B = 512)": 512, "mini-batch (B = 32)": 32, "stochastic (B = 1)": 1}
epochs, traces = 8, {}
for label, B in modes.items():
    ln.manual_seed(0)
    model = nn.Linear(d, 1)
    with ln.no_grad():
        initial = F.mse_loss(model(Xl_t), yl_t).item()      # the same start for every mode
    opt = optim.SGD(model.parameters(), lr=0.05)
    trace = []
    for epoch in range(epochs):
        for xb, yb in DataLoader(Xl, yl, batch_size=B, shuffle=True, seed=epoch):
            loss = F.mse_loss(model(ln.tensor(xb)), ln.tensor(yb))
            opt.zero_grad()
            loss.backward()
            opt.step()
            with ln.no_grad():
                trace.append(F.mse_loss(model(Xl_t), yl_t).item())
    traces[label] = np.array(trace)
    per_epoch = N // B
    last_epoch = traces[label][-per_epoch:]
    print(f"{label:20s} {per_epoch:3d} updates/epoch: loss after 1 epoch "
          f"{trace[per_epoch - 1]:.3f},"
          f" after {epochs} {trace[-1]:.4f}; last epoch min..max {last_epoch.min():.4f}.."
          f"{last_epoch.max():.4f}")

# the least-squares optimum, the floor every mode aims at
w_opt = np.linalg.lstsq(np.c_[Xl, np.ones(N)], yl, rcond=None)[0]
floor = float(np.mean((np.c_[Xl, np.ones(N)] @ w_opt - yl) ** 2))
print(f"least-squares minimum of the loss: {floor:.4f}")
b, m, s = (traces[k] for k in modes)
assert s[N - 1] < m[N // 32 - 1] < b[0]          # per epoch, more updates go further
assert b[-1] > 2 * floor                         # 8 batch steps are far from the minimum
assert s[-N:].max() - s[-N:].min() > 5 * (m[-16:].max() - m[-16:].min())   # B = 1 is noisier

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
for (label, B), trace in zip(modes.items(), traces.values()):
    seen = np.arange(len(trace) + 1) * B / N            # epochs of data seen
    axes[0].semilogy(seen, np.r_[initial, trace], ".-" if B == 512 else "-", lw=1, label=label)
axes[0].axhline(floor, ls=":", c="0.4", label="least-squares minimum")
axes[0].set(xlabel="epochs (passes over the data)", ylabel="full-data MSE (log scale)",
            title="the same lr, the same data budget")
axes[0].legend(fontsize=8)
axes[1].loglog(sizes, [noise[B] for B in sizes], "o", label="measured")
axes[1].loglog(sizes, [theory[B] for B in sizes], "--", label="1/√B law (finite N)")
axes[1].set(xlabel="batch size B", ylabel="RMS error of the gradient",
            title="mini-batch gradient noise")
axes[1].legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# Per pass over the data, smaller batches get further because they make more updates; per
# update, the full batch is the most accurate, and with a constant learning rate the single-sample
# steps keep jittering around the minimum instead of settling (the spread printed for the last
# epoch). Mini-batches are the usual compromise: most of the progress per epoch, little noise.
#
# ## Learning-rate schedules
#
# A schedule changes $\eta$ as training goes: large steps early, small steps late to settle.
# `lucidnet.optim.lr_scheduler` has PyTorch's classes; `scheduler.step()` is called after every
# optimizer step here (every *batch*), so the step counts are batches. With base rate $\eta_0$
# and $T$ steps in all:
#
# * `StepLR(step_size, gamma)`: $\eta_0 \gamma^{\lfloor t / s \rfloor}$ with $s$ = `step_size`
# * `ExponentialLR(gamma)`: $\eta_0 \gamma^t$
# * `CosineAnnealingLR(T_max)`: $\eta_\min + \tfrac12(\eta_0 - \eta_\min)(1 + \cos(\pi t / T_\max))$
# * `warmup_cosine(warmup_steps, total_steps)`: a linear warmup from $0.01\,\eta_0$, then cosine
# * `CosineAnnealingWarmRestarts(T_0)`: cosine over $T_0$ steps, then back to $\eta_0$
# * `OneCycleLR(max_lr, total_steps)`: up from $\eta_\max/25$ to $\eta_\max$ over 30% of the steps,
#   then down to $\eta_\max / (25 \cdot 10^4)$ (and momentum the other way round)
#
# The lr that each one hands the optimizer, step by step (`opt.param_groups[0]["lr"]`), for a
# training run of 40 epochs of 10 batches:

# %%
spirals = make_spirals(300, n_arms=3, noise=0.6, seed=0)
epochs, batch_size, base_lr = 40, 32, 0.2
total = epochs * len(DataLoader(spirals.X, spirals.y, batch_size=batch_size))

schedules = {
    "constant": lambda opt: None,
    "StepLR": lambda opt: lr_scheduler.StepLR(opt, step_size=total // 3, gamma=0.2),
    "ExponentialLR": lambda opt: lr_scheduler.ExponentialLR(opt, gamma=0.01 ** (1 / total)),
    "cosine": lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=total),
    "warmup + cosine": lambda opt: lr_scheduler.warmup_cosine(opt, warmup_steps=total // 10,
                                                                total_steps=total),
    "cosine, warm restarts": lambda opt: lr_scheduler.CosineAnnealingWarmRestarts(
        opt, T_0=total // 4),
    "OneCycle": lambda opt: lr_scheduler.OneCycleLR(opt, max_lr=base_lr, total_steps=total),
}


def lr_curve(make):
    opt = optim.SGD([nn.Parameter(np.zeros(1))], lr=base_lr, momentum=0.9)
    scheduler = make(opt)
    lrs = []
    for _ in range(total):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        if scheduler is not None:
            scheduler.step()
    return np.array(lrs)


lr_curves = {name: lr_curve(make) for name, make in schedules.items()}
for name, lrs in lr_curves.items():
    print(f"{name:22s} lr at steps 0, {total // 10}, {total // 4}, {total // 2}, {total - 1}: "
          + ", ".join(f"{lrs[t]:.4g}" for t in (0, total // 10, total // 4, total // 2, total - 1))
          + f";  max {lrs.max():.3g} at step {lrs.argmax()}")

c = lr_curves
assert np.isclose(c["StepLR"][total // 3], 0.2 * base_lr) and c["StepLR"][total // 3 - 1] == base_lr
assert np.isclose(c["cosine"][total // 2], base_lr / 2) and c["cosine"][-1] < 1e-4
assert np.isclose(c["warmup + cosine"][0], 0.01 * base_lr)
warm = c["warmup + cosine"]
assert np.isclose(warm.max(), base_lr) and warm.argmax() == total // 10
assert np.isclose(c["OneCycle"][0], base_lr / 25) and np.isclose(c["OneCycle"].max(), base_lr)
assert np.isclose(c["cosine, warm restarts"][total // 4], base_lr)   # the restart

# %% [markdown]
# ## Their effect on a small training run
#
# The same 2-64-64-3 ReLU network, the same initial weights and batches, SGD with momentum 0.9
# at $\eta_0 = 0.2$, on three noisy interleaved spirals (classes overlap, so the training loss
# cannot reach 0): 40 epochs with each schedule, the full training loss after every epoch.

# %%
Xs_t, ys_t = ln.tensor(spirals.X), ln.tensor(spirals.y)
results = {}
for name, make in schedules.items():
    ln.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                          nn.Linear(64, 3))
    opt = optim.SGD(model.parameters(), lr=base_lr, momentum=0.9)
    scheduler = make(opt)
    losses = []
    for epoch in range(epochs):
        for xb, yb in DataLoader(spirals.X, spirals.y, batch_size=batch_size, shuffle=True,
                                 seed=epoch):
            loss = F.cross_entropy(model(ln.tensor(xb)), ln.tensor(yb))
            opt.zero_grad()
            loss.backward()
            opt.step()
            if scheduler is not None:
                scheduler.step()
        with ln.no_grad():
            logits = model(Xs_t)
            losses.append(F.cross_entropy(logits, ys_t).item())
    accuracy = float((logits.numpy().argmax(axis=1) == spirals.y).mean())
    results[name] = (np.array(losses), accuracy)
    print(f"{name:22s} final training loss {losses[-1]:.3f} (best epoch {min(losses):.3f}),"
          f" training accuracy {accuracy:.3f}")

constant = results["constant"][0]
print(f"constant lr: best epoch {constant.min():.3f}, mean of the last 10 epochs "
      f"{constant[-10:].mean():.3f}")
for name in schedules:
    if name != "constant":
        assert results[name][0][-1] < 0.9 * constant[-10:].mean(), name
for name in ("StepLR", "cosine", "warmup + cosine", "OneCycle"):
    assert results[name][0][-1] < constant.min(), name

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for name, lrs in lr_curves.items():
    axes[0].plot(np.arange(total) / (total / epochs), lrs, label=name)
    axes[1].semilogy(np.arange(1, epochs + 1), results[name][0], label=name)
axes[0].set(xlabel="epoch (the lr changes every batch)", ylabel="learning rate",
            title="schedules, lr vs step")
axes[1].set(xlabel="epoch", ylabel="training cross-entropy (log scale)",
            title="spirals, SGD + momentum, lr₀ = 0.2")
handles, labels = axes[0].get_legend_handles_labels()
fig.legend(handles, labels, fontsize=8, loc="center right")   # one legend for both panels
plt.tight_layout(rect=(0, 0, 0.84, 1))
plt.show()

# %% [markdown]
# At a constant $\eta = 0.2$ the loss stops improving and jumps from epoch to epoch: the steps
# are too large to settle into a minimum. Every schedule that ends with a small learning rate
# finishes clearly below the constant run's last epochs; StepLR, cosine, warmup + cosine and
# OneCycle even below the best epoch the constant run ever had. Warm restarts jump up at each
# restart and come back down; ExponentialLR is down to a tenth of $\eta_0$ by mid-run, so it
# spends half of the run taking small steps. (Which decaying schedule wins by a little depends
# on the problem and the seed; that they beat a constant large rate is the robust part.)
#
# ## What to remember
#
# * On a quadratic, gradient descent converges only for $\eta < 2/\lambda_\max$; progress along
#   flat directions is $\eta\lambda_\min$ per step, so one badly conditioned valley makes plain
#   SGD slow.
# * Momentum (and Nesterov) average the gradient over steps; Adam also rescales each coordinate.
#   Both went down the curved valley in far fewer steps than plain SGD.
# * A mini-batch gradient's error shrinks like $1/\sqrt B$; smaller batches make more (noisier)
#   updates per epoch.
# * Decay the learning rate towards the end (step, cosine, OneCycle, ...): a constant large rate
#   keeps the loss jumping. Warmup (starting small) guards the first steps; on this small run it
#   changed little (warmup + cosine vs cosine).
