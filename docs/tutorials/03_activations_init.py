# %% [markdown]
# # 3. Activations and initialization
#
# A deep network is a chain $a^{(l)} = f(W^{(l)} a^{(l-1)} + b^{(l)})$. Backpropagation multiplies,
# layer after layer, by the activation's slope $f'(z)$ and by the weights:
# $\delta^{(l-1)} = W^{(l)\top} \big(\delta^{(l)} \odot f'(z^{(l)})\big)$.
# If that product is smaller than 1 at every layer the gradient *vanishes*; if larger, it
# *explodes*. Two choices decide it: the activation $f$ and the scale of the initial weights.

# %%
import matplotlib.pyplot as plt
import numpy as np

import lucidnet as ln
from lucidnet import nn, optim
from lucidnet.data import DataLoader, make_moons
from lucidnet.nn import functional as F

ln.manual_seed(0)

# %% [markdown]
# ## The activation functions and their derivatives
#
# $\sigma(x) = 1/(1+e^{-x})$ with $\sigma' = \sigma(1-\sigma) \le 1/4$;
# $\tanh$ with $\tanh' = 1 - \tanh^2 \le 1$; $\mathrm{ReLU}(x) = \max(0, x)$ with slope 0 or 1;
# leaky ReLU $\max(\alpha x, x)$ with slope $\alpha$ or 1; ELU ($\alpha(e^x - 1)$ for $x<0$);
# GELU $x\,\Phi(x)$ and SiLU $x\,\sigma(x)$, smooth versions of ReLU.
# The derivatives below are not typed in: they are what `backward()` returns, the slopes training
# actually uses.

# %%
activations = {"sigmoid": nn.Sigmoid(), "tanh": nn.Tanh(), "ReLU": nn.ReLU(),
               "leaky ReLU (α=0.1)": nn.LeakyReLU(0.1), "ELU": nn.ELU(), "GELU": nn.GELU(),
               "SiLU": nn.SiLU()}
x = np.linspace(-5, 5, 1001)          # x[0] = -5, x[500] = 0, x[-1] = 5
curves = {}
for name, f in activations.items():
    t = ln.tensor(x, dtype=ln.float64, requires_grad=True)
    out = f(t)
    out.sum().backward()              # d(sum f(x_i))/dx_i = f'(x_i)
    curves[name] = (np.asarray(out.numpy()), np.asarray(t.grad.numpy()))

print(" " * 20 + "".join(f"{h:>10s}" for h in ("f(-5)", "f(5)", "f'(-5)", "f'(0)", "f'(5)",
                                                  "max f'")))
for name, (fx, dfx) in curves.items():
    print(f"{name:20s}" + "".join(f"{v:10.5f}" for v in (fx[0], fx[-1], dfx[0], dfx[500], dfx[-1],
                                                          dfx.max())))

s, ds = curves["sigmoid"]
th, dth = curves["tanh"]
assert np.allclose(ds, s * (1 - s)) and np.allclose(dth, 1 - th ** 2)   # the textbook formulas
assert abs(ds.max() - 0.25) < 1e-12 and ds[0] < 0.007                     # σ' ≤ 1/4, tiny at ±5
assert np.all(curves["ReLU"][1][x < 0] == 0) and np.all(curves["ReLU"][1][x > 0] == 1)
assert np.allclose(curves["leaky ReLU (α=0.1)"][1][x < 0], 0.1)
assert all(curves[k][1].max() > 1.05 and curves[k][1].min() < 0 for k in ("GELU", "SiLU"))

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for name, (fx, dfx) in curves.items():
    style = "--" if name in ("sigmoid", "tanh") else "-"
    axes[0].plot(x, fx, style, label=name)
    axes[1].plot(x, dfx, style, label=name)
axes[0].set(xlabel="x", ylabel="f(x)", title="activations", ylim=(-1.5, 5))
axes[1].set(xlabel="x", ylabel="f'(x) from backward()", title="their derivatives",
            ylim=(-0.2, 1.3))
for ax in axes:
    ax.axhline(0, c="0.7", lw=0.6)
    ax.axvline(0, c="0.7", lw=0.6)
axes[1].legend(fontsize=8, loc="upper left")
plt.tight_layout()
plt.show()

# %% [markdown]
# The saturating pair (sigmoid, tanh) has slopes near 0 once $|x|$ is a few units; the sigmoid's
# slope is at most $1/4$ even at 0. ReLU keeps slope exactly 1 for every $x>0$ but exactly 0 for
# $x<0$ (and at 0, as in PyTorch). Leaky ReLU and ELU keep a positive slope for negative
# inputs; GELU and SiLU are smooth, dip slightly below 0 there and briefly exceed slope 1.
#
# ## Vanishing gradients through a deep sigmoid stack
#
# Ten `Linear` layers of width 64 with the same activation between them, one backward pass of a
# mean-squared error, and the norm $\lVert \partial L / \partial W^{(l)} \rVert$ of every layer's
# weight gradient (geometric mean over three random initializations). Sigmoid and tanh get Xavier
# initialization, ReLU gets He initialization (both explained further down).

# %%
width, depth = 64, 10
rng = np.random.default_rng(0)
X = ln.tensor(rng.standard_normal((256, width)).astype(np.float32))
y = ln.tensor(rng.standard_normal((256, 1)).astype(np.float32))


def deep_net(activation, init, width=width, depth=depth, out=1):
    """`depth` Linear layers (the last one to `out` units), `activation` between them,
    weights drawn by `init`, biases zero."""
    layers = []
    for i in range(depth):
        linear = nn.Linear(width, width if i < depth - 1 else out)
        init(linear.weight)
        nn.init.zeros_(linear.bias)
        layers += [linear, activation()] if i < depth - 1 else [linear]
    return nn.Sequential(*layers)


def he(w):
    return nn.init.kaiming_normal_(w, nonlinearity="relu")


setups = {"sigmoid + Xavier": (nn.Sigmoid, nn.init.xavier_normal_),
          "tanh + Xavier": (nn.Tanh, nn.init.xavier_normal_),
          "ReLU + He": (nn.ReLU, he)}
grad_norms = {}
for name, (act, init) in setups.items():
    runs = []
    for _ in range(3):
        model = deep_net(act, init)
        F.mse_loss(model(X), y).backward()
        runs.append([float(np.linalg.norm(m.weight.grad.numpy()))
                     for m in model if isinstance(m, nn.Linear)])
    grad_norms[name] = np.exp(np.log(runs).mean(axis=0))

print("layer:           " + "".join(f"{i:>9d}" for i in range(1, depth + 1)))
for name, g in grad_norms.items():
    # first vs last *hidden* layer: both are 64 x 64 (the output layer is 1 x 64)
    ratio = g[0] / g[-2]
    print(f"{name:17s}" + "".join(f"{v:9.1e}" for v in g)
          + f"   first/last hidden = {ratio:.1e}, per layer x{ratio ** (1 / (depth - 2)):.2f}")

sig, tanh_, relu = (grad_norms[k][0] / grad_norms[k][-2] for k in setups)
assert sig < 1e-3                      # the sigmoid net's first layer gets almost nothing
assert 0.05 < tanh_ < 20 and 0.03 < relu < 30   # the others keep the same order of magnitude

# %%
fig, ax = plt.subplots(figsize=(6.5, 3.8))
for name, g in grad_norms.items():
    ax.semilogy(np.arange(1, depth + 1), g, marker="o", label=name)
ax.set(xlabel="layer (1 = input side)", ylabel="‖∂L/∂W‖ (log scale)",
       title="weight-gradient norm per layer, 10-layer MLP")
ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# With sigmoid every layer multiplies the backward signal by $\sigma'(z) \le 1/4$ (times the
# weights), so the gradient shrinks by a roughly constant factor per layer (printed above) and the
# first layer receives a few millionths of what the last hidden layer gets: with one learning rate
# for all layers, the first layer's updates are that much smaller too. Tanh (slope 1 at 0) and ReLU
# (slope 1 for $x>0$) keep the norms of all layers within a factor of a few of one another.
#
# ## Dying ReLU
#
# A ReLU unit whose pre-activation is negative for *every* input outputs 0 and has gradient 0
# for every input: its incoming weights get no gradient, so (apart from leftover momentum)
# nothing pushes them back, and it usually stays dead.
# One way to get there is a learning rate that is too large: three epochs of Adam at
# `lr=0.1` (then ten more at a sane `lr=0.003`) on a small regression, with ReLU and with leaky
# ReLU ($\alpha = 0.01$). We count the units of the second hidden layer that are negative on all
# 512 samples, and those whose incoming weights get exactly zero gradient.

# %%
Xr = rng.standard_normal((512, 10)).astype(np.float32)
yr = (Xr @ rng.standard_normal((10, 1)) + np.sin(2 * Xr[:, :1])).astype(np.float32)
Xr_t, yr_t = ln.tensor(Xr), ln.tensor(yr)


def train(model, lr, epochs, seed):
    opt = optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        for xb, yb in DataLoader(Xr, yr, batch_size=32, shuffle=True, seed=seed):
            loss = F.mse_loss(model(ln.tensor(xb)), ln.tensor(yb))
            opt.zero_grad()
            loss.backward()
            opt.step()
        seed += 1
    with ln.no_grad():
        return F.mse_loss(model(Xr_t), yr_t).item()


def unit_census(model):
    """(share of 2nd-hidden-layer units negative on all samples, share with zero gradient)."""
    with ln.no_grad():
        z = model[2](model[1](model[0](Xr_t))).numpy()
    model.zero_grad()
    F.mse_loss(model(Xr_t), yr_t).backward()
    grad = model[2].weight.grad.numpy()
    return float(np.mean((z <= 0).all(axis=0))), float(np.mean((grad == 0).all(axis=1)))


census = {}
for name, act in {"ReLU": nn.ReLU, "leaky ReLU": lambda: nn.LeakyReLU(0.01)}.items():
    ln.manual_seed(0)                  # the same initial weights for both
    model = nn.Sequential(nn.Linear(10, 100), act(), nn.Linear(100, 100), act(),
                          nn.Linear(100, 1))
    start = unit_census(model)
    hot_loss = train(model, lr=0.1, epochs=3, seed=0)
    hot = unit_census(model)
    final_loss = train(model, lr=0.003, epochs=10, seed=10)
    census[name] = (start, hot, unit_census(model))
    print(f"{name:10s} negative on all samples / zero gradient:  at start {start[0]:.2f} / "
          f"{start[1]:.2f},  after lr 0.1 {hot[0]:.2f} / {hot[1]:.2f} (MSE {hot_loss:.2f}),  "
          f"after 10 more epochs {census[name][2][0]:.2f} / {census[name][2][1]:.2f} "
          f"(MSE {final_loss:.2f})")

relu_hot, relu_end = census["ReLU"][1], census["ReLU"][2]
assert relu_hot[0] > 0.5 and relu_hot[1] == relu_hot[0]   # dead = exactly zero gradient
assert relu_end[0] >= relu_hot[0]                         # and none came back
assert census["leaky ReLU"][1][1] == 0 and census["leaky ReLU"][2][1] == 0

# %% [markdown]
# Most of the ReLU layer died at once and stayed dead: its zero-gradient share equals its dead
# share. Leaky ReLU units also went negative, but none lost its gradient. On this easy problem
# the surviving ReLU units still fit as well as the leaky net; the dead ones are wasted capacity.
# An extreme case shows the consequence: shift every first-layer bias to $-4$ so that all 100
# first-layer units start negative on all samples. The ReLU net's output then no longer depends
# on its input and the first layer's gradient is exactly zero: the net can only learn a constant,
# so its MSE cannot fall below the variance of the targets. Leaky ReLU's slope $\alpha$ keeps a
# gradient flowing, so that net learns (and some of its units climb back above zero).

# %%
shift_curves = {}
for name, act in {"ReLU": nn.ReLU, "leaky ReLU": lambda: nn.LeakyReLU(0.01)}.items():
    ln.manual_seed(1)
    model = nn.Sequential(nn.Linear(10, 100), act(), nn.Linear(100, 100), act(),
                          nn.Linear(100, 1))
    nn.init.constant_(model[0].bias, -4.0)
    with ln.no_grad():
        start_dead = float(np.mean((model[0](Xr_t).numpy() <= 0).all(axis=0)))
    shift_curves[name] = [train(model, lr=0.003, epochs=1, seed=100 + e) for e in range(15)]
    with ln.no_grad():
        end_dead = float(np.mean((model[0](Xr_t).numpy() <= 0).all(axis=0)))
    print(f"{name:10s} first-layer units negative on all samples: {start_dead:.2f} -> "
          f"{end_dead:.2f};  MSE after 1 / 15 epochs {shift_curves[name][0]:.2f} / "
          f"{shift_curves[name][-1]:.2f}")
print(f"variance of the targets: {yr.var():.2f}")
assert shift_curves["ReLU"][-1] > 0.9 * yr.var()       # the ReLU net learns nothing
assert shift_curves["leaky ReLU"][-1] < 0.2 * yr.var()

fig, ax = plt.subplots(figsize=(6, 3.5))
for name, losses in shift_curves.items():
    ax.semilogy(np.arange(1, 16), losses, marker="o", label=name)
ax.axhline(yr.var(), ls=":", c="0.4", label="variance of the targets")
ax.set(xlabel="epoch (Adam, lr 0.003)", ylabel="training MSE (log scale)",
       title="first-layer biases shifted to -4")
ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Why initialization matters
#
# With $n$ inputs of variance $v$ and weights of variance $\mathrm{Var}(w)$, a unit's
# pre-activation has variance $n \, \mathrm{Var}(w) \, v$. To keep the variance the same from layer
# to layer:
#
# * **Xavier / Glorot** (tanh, sigmoid, linear): $\mathrm{Var}(w) = 2/(n_\text{in} + n_\text{out})$
#   (`nn.init.xavier_normal_`);
# * **He / Kaiming** (ReLU, which zeroes half of its inputs): $\mathrm{Var}(w) = 2/n_\text{in}$
#   (`nn.init.kaiming_normal_(w, nonlinearity="relu")`).
#
# A 10-layer net of width 256 on 500 standard-normal inputs, forward only; the standard
# deviation of each layer's activations:

# %%
width = 256
X = ln.tensor(rng.standard_normal((500, width)).astype(np.float32))
inits = {"N(0, 0.01²), tanh (too small)": (lambda w: nn.init.normal_(w, 0.0, 0.01), nn.Tanh),
         "N(0, 1), tanh (too large)": (lambda w: nn.init.normal_(w, 0.0, 1.0), nn.Tanh),
         "Xavier, tanh": (nn.init.xavier_normal_, nn.Tanh),
         "Xavier, ReLU": (nn.init.xavier_normal_, nn.ReLU),
         "He, ReLU": (he, nn.ReLU)}
stds, last = {}, {}
for name, (init, act) in inits.items():
    model = deep_net(act, init, width=width, depth=11, out=width)
    a, stds[name] = X, []
    with ln.no_grad():
        for module in model:
            a = module(a)
            if not isinstance(module, nn.Linear):      # after each of the 10 activations
                stds[name].append(float(a.numpy().std()))
                last[name] = np.asarray(a.numpy()).ravel()
    saturated = (f";  |a| > 0.99 at layer 10: {np.mean(np.abs(last[name]) > 0.99):.0%}"
                 if act is nn.Tanh else "")
    print(f"{name:30s} std layer 1 {stds[name][0]:.3g}, layer 10 {stds[name][-1]:.3g}"
          f"{saturated}")

assert stds["N(0, 0.01²), tanh (too small)"][-1] < 1e-6                  # vanished
assert np.mean(np.abs(last["N(0, 1), tanh (too large)"]) > 0.99) > 0.5   # saturated
assert 0.1 < stds["Xavier, tanh"][-1] < 0.9
xavier_relu_factor = (stds["Xavier, ReLU"][-1] / stds["Xavier, ReLU"][0]) ** (1 / 9)
print(f"Xavier + ReLU: the std shrinks by x{xavier_relu_factor:.2f} per layer (1/√2 = 0.71)")
assert 0.6 < xavier_relu_factor < 0.8
assert 0.5 < stds["He, ReLU"][-1] / stds["He, ReLU"][0] < 2

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for name, s in stds.items():
    axes[0].semilogy(np.arange(1, 11), s, marker="o", label=name)
axes[0].set(xlabel="layer", ylabel="std of the activations (log scale)",
            title="activation spread through 10 layers")
axes[0].legend(fontsize=8)
for name in ("N(0, 1), tanh (too large)", "Xavier, tanh"):
    axes[1].hist(last[name], bins=60, range=(-1, 1), alpha=0.6, density=True, label=name)
axes[1].set(xlabel="activation value at layer 10", ylabel="density",
            title="tanh: saturated vs Xavier")
axes[1].legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# Too small: each tanh layer multiplies the spread by about $0.01 \sqrt{256} = 0.16$ and the
# signal is gone after 10 layers (and so is the gradient). Too large: almost every unit sits at
# $\pm 1$, where $\tanh' \approx 0$. Xavier keeps tanh's spread of the same order, He keeps
# ReLU's constant, while Xavier with ReLU loses a factor of about $\sqrt 2$ per layer (ReLU
# zeroes half of the signal, which He's factor 2 puts back). Xavier's tanh spread still drifts
# down slowly: tanh squeezes whatever is large.
#
# ## Equal weights never break symmetry
#
# If every weight starts at the same value, all hidden units compute the same function, receive
# the same gradient and get the same update, forever: 16 hidden units behave as one. Below, a
# 2-16-1 tanh net on the two-moons data, all parameters set to 0.3 versus the default random
# initialization, 300 steps of full-batch gradient descent each.

# %%
moons = make_moons(200, noise=0.1, seed=0)
Xm, ym = ln.tensor(moons.X), ln.tensor(moons.y.astype(np.float32).reshape(-1, 1))
symmetry = {}
for name in ("all equal (0.3)", "random (default)"):
    ln.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1))
    if name.startswith("all equal"):
        for p in model.parameters():
            nn.init.constant_(p, 0.3)
    opt = optim.SGD(model.parameters(), lr=0.5)
    for _step in range(300):
        loss = F.binary_cross_entropy_with_logits(model(Xm), ym)
        opt.zero_grad()
        loss.backward()
        opt.step()
    incoming = np.c_[model[0].weight.numpy(), model[0].bias.numpy()]   # one row per hidden unit
    spread = float(np.abs(incoming - incoming[0]).max())
    distinct = len(np.unique(incoming.round(6), axis=0))
    with ln.no_grad():
        accuracy = float(((model(Xm).numpy() > 0) == (ym.numpy() == 1)).mean())
    moved = float(np.abs(incoming - 0.3).max())
    symmetry[name] = (spread, distinct, accuracy)
    print(f"{name:17s} distinct hidden units {distinct:2d} of 16, largest difference between "
          f"units {spread:.1e}, weights moved by up to {moved:.2f}, train accuracy {accuracy:.3f}")

assert symmetry["all equal (0.3)"][1] == 1 and symmetry["all equal (0.3)"][0] < 1e-6
assert symmetry["random (default)"][1] == 16
assert symmetry["random (default)"][2] > symmetry["all equal (0.3)"][2] + 0.05

# %% [markdown]
# The equal-weight net did train (its weights moved), but its 16 units stayed copies of one
# another: in effect the net has a single hidden unit, and it fits worse. Random initialization
# breaks the symmetry; its scale is what Xavier and He choose.
#
# ## What to remember
#
# * Backprop multiplies by $f'(z)$ at every layer: sigmoid ($\le 1/4$) makes deep stacks lose
#   their gradient layer by layer; ReLU-like activations keep slope 1 where they are active.
# * A ReLU unit that is negative on all inputs has zero gradient and never recovers; a too-large
#   learning rate can kill most of a layer. Leaky ReLU, ELU, GELU and SiLU keep some slope.
# * Initial weight variance must match the fan-in: Xavier $2/(n_\text{in}+n_\text{out})$ for
#   tanh/sigmoid, He $2/n_\text{in}$ for ReLU. Too small vanishes, too large saturates.
# * Never initialize all weights to the same value: the units stay identical.
