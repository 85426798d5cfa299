# %% [markdown]
# # 5. Regularization, dropout and BatchNorm
#
# A network with far more weights than training points can memorize them, noise included: the
# training loss goes to zero while the loss on new data grows. This is **overfitting**.
# Regularization trades a little training fit for a smaller gap between the two: weight
# penalties (L2, L1), dropout, early stopping and noisy inputs. BatchNorm, last, is mostly
# about making deep nets *train*, and faster.

# %%
import matplotlib.pyplot as plt
import numpy as np

import lucidnet as ln
from lucidnet import nn, optim
from lucidnet.data import GaussianNoise, load_dataset, make_moons, train_test_split
from lucidnet.models import MLP
from lucidnet.regularization import L1, L2
from lucidnet.train import EarlyStopping, Trainer

ln.manual_seed(0)
train = make_moons(60, noise=0.3, seed=0)     # few, noisy training points
val = make_moons(500, noise=0.3, seed=1)      # fresh points from the same distribution
print("train", train.X.shape, " validation", val.X.shape)

# %% [markdown]
# ## Overfitting, seen in the curves
#
# A 2-128-128-2 ReLU MLP (17,000 weights for 60 points) trained with Adam for 200 epochs. The
# `Trainer` records the training loss and, with `validation_data`, the validation loss of every
# epoch in its `History`.

# %%
EPOCHS = 200


def fit(dropout=0.0, penalty=None, transform=None, callbacks=None, optimizer="adam", lr=0.01,
        epochs=EPOCHS):
    """The same over-sized MLP, same initial weights and batches; only the regularizer differs."""
    ln.manual_seed(0)
    model = MLP(2, (128, 128), 2, dropout=dropout)
    if optimizer == "adam":
        opt = optim.Adam(model.parameters(), lr=lr)
    else:
        opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    trainer = Trainer(model, "cross_entropy", opt, metrics=["accuracy"], penalty=penalty,
                      callbacks=callbacks, verbose=0)
    history = trainer.fit(train.X, train.y, epochs=epochs, batch_size=32, seed=0,
                          validation_data=(val.X, val.y), transform=transform)
    return trainer, history


def gap(trainer):
    """Train and validation loss / accuracy in eval mode (dropout off)."""
    tr, va = trainer.evaluate(train.X, train.y), trainer.evaluate(val.X, val.y)
    return {"train loss": tr["loss"], "val loss": va["loss"], "train acc": tr["accuracy"],
            "val acc": va["accuracy"], "gap": va["loss"] - tr["loss"]}


def show(name, r):
    print(f"{name:>12}: train loss {r['train loss']:.3f}  val loss {r['val loss']:.3f}  "
          f"gap {r['gap']:.3f}   train acc {r['train acc']:.3f}  val acc {r['val acc']:.3f}")


plain, plain_hist = fit()
results = {"none": gap(plain)}
show("none", results["none"])
val_curve = np.asarray(plain_hist["val_loss"])
best_epoch = int(val_curve.argmin())
print(f"lowest validation loss {val_curve.min():.3f} at epoch {best_epoch + 1}, "
      f"final {val_curve[-1]:.3f}")
assert results["none"]["train loss"] < 0.1 and results["none"]["train acc"] > 0.95
assert val_curve[-1] > 2 * val_curve.min()          # validation loss rose again: overfitting

# %% [markdown]
# The training loss keeps falling; the validation loss bottoms out early and then climbs as the
# net bends its boundary around individual noisy points.

# %%
grid = np.stack(np.meshgrid(np.linspace(-2, 3, 150), np.linspace(-1.5, 2, 150)), -1)
flat = grid.reshape(-1, 2).astype(np.float32)


def draw_boundary(ax, trainer, title):
    prob = trainer.predict_proba(flat)[:, 1].reshape(grid.shape[:2])
    ax.contourf(grid[..., 0], grid[..., 1], prob, levels=20, cmap="coolwarm", alpha=0.35)
    ax.contour(grid[..., 0], grid[..., 1], prob, levels=[0.5], colors="k", linewidths=1)
    ax.scatter(*train.X.T, c=train.y, cmap="coolwarm", edgecolor="k", s=30)
    ax.set(title=title, xlabel="$x_1$", ylabel="$x_2$")


fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
epochs = np.arange(1, EPOCHS + 1)
axes[0].plot(epochs, plain_hist["loss"], label="training loss")
axes[0].plot(epochs, val_curve, label="validation loss")
axes[0].axvline(best_epoch + 1, color="gray", ls="--", label=f"val minimum (epoch {best_epoch + 1})")
axes[0].set(xlabel="epoch", ylabel="cross-entropy", title="too big an MLP on 60 noisy points")
axes[0].legend()
draw_boundary(axes[1], plain, "no regularization: the boundary chases the noise")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## L2 penalty (weight decay)
#
# Add $\frac{\lambda}{2}\lVert w \rVert_2^2$ to the loss. Its gradient is $\lambda w$, so a
# gradient step becomes $w \leftarrow (1 - \eta\lambda)\,w - \eta \nabla L$: every step first
# shrinks the weights by a constant factor, hence "weight decay". `Trainer(penalty=L2(lam))` adds it
# to every batch's loss; by default only weight matrices are penalized, not biases or norm scales.
# With plain SGD this is exactly the optimizer's `weight_decay` (applied to the same
# parameters, here through a parameter group):

# %%
lam = 1e-2
X32, y64 = train.X.astype(np.float32), train.y
weights_after = {}
for how in ("penalty", "weight_decay"):
    ln.manual_seed(0)
    model = MLP(2, (16,), 2)
    if how == "penalty":
        opt, penalty = optim.SGD(model.parameters(), lr=0.1), L2(lam)
    else:
        decayed = [p for n, p in model.named_parameters() if n.endswith("weight")]
        others = [p for n, p in model.named_parameters() if not n.endswith("weight")]
        opt = optim.SGD([{"params": decayed, "weight_decay": lam}, {"params": others}], lr=0.1)
        penalty = None
    Trainer(model, "cross_entropy", opt, penalty=penalty, verbose=0).fit(
        X32, y64, epochs=20, batch_size=60, shuffle=False)
    weights_after[how] = np.concatenate([p.data.ravel() for p in model.parameters()])
difference = np.abs(weights_after["penalty"] - weights_after["weight_decay"]).max()
print(f"max |w_penalty - w_weight_decay| after 20 SGD steps: {difference:.2e}")
assert difference < 1e-5

# %% [markdown]
# On the over-sized MLP, $\lambda = 10^{-2}$ gives up some training fit and closes most of the gap:

# %%
l2_trainer, l2_hist = fit(penalty=L2(1e-2))
results["L2 1e-2"] = gap(l2_trainer)
for name in ("none", "L2 1e-2"):
    show(name, results[name])


def weight_norm(trainer):
    return float(np.sqrt(sum((p.data ** 2).sum() for n, p in trainer.model.named_parameters()
                             if n.endswith("weight"))))


print(f"||w||: none {weight_norm(plain):.1f}   L2 {weight_norm(l2_trainer):.1f}")
assert results["L2 1e-2"]["gap"] < 0.3 * results["none"]["gap"]
assert results["L2 1e-2"]["val loss"] < results["none"]["val loss"]

# %% [markdown]
# ## L1 penalty: sparse weights
#
# $\lambda \lVert w \rVert_1$ has the (sub)gradient $\lambda\,\mathrm{sign}(w)$: a pull of the
# same size whatever the weight, so small weights are pushed all the way to (about) zero, while
# L2's pull $\lambda w$ fades as $w$ shrinks. We count the weights with $|w| < 10^{-3}$ after
# SGD with momentum (not Adam: it divides each gradient by its own running size, so the
# penalty's pull would no longer be $\lambda\,\mathrm{sign}(w)$).

# %%
sparse = {}
for name, pen in (("L2 1e-2", L2(1e-2)), ("L1 1e-3", L1(1e-3))):
    trainer, _ = fit(penalty=pen, optimizer="sgd", lr=0.05, epochs=100)
    w = np.concatenate([p.data.ravel() for n, p in trainer.model.named_parameters()
                        if n.endswith("weight")])
    sparse[name] = w
    r = gap(trainer)
    print(f"{name}: {np.mean(np.abs(w) < 1e-3):.1%} of {w.size} weights below 1e-3, "
          f"val loss {r['val loss']:.3f}, val acc {r['val acc']:.3f}")
assert np.mean(np.abs(sparse["L1 1e-3"]) < 1e-3) > 0.5
assert np.mean(np.abs(sparse["L1 1e-3"]) < 1e-3) > 5 * np.mean(np.abs(sparse["L2 1e-2"]) < 1e-3)

fig, ax = plt.subplots(figsize=(6.5, 3.3))
for name, w in sparse.items():
    ax.hist(np.log10(np.abs(w) + 1e-8), bins=60, alpha=0.6, label=name)
ax.axvline(-3, color="k", ls="--", label="|w| = 1e-3")
ax.set(xlabel="log10 |w|", ylabel="number of weights", title="L1 drives most weights to ~0")
ax.legend()
plt.show()

# %% [markdown]
# ## Dropout
#
# In training, each unit is zeroed with probability $p$ and the kept ones are scaled up
# (*inverted* dropout): $\tilde h = m \odot h / (1-p)$ with $m_i \sim \mathrm{Bernoulli}(1-p)$,
# so $\mathbb{E}[\tilde h] = h$. In evaluation (`model.eval()`) dropout is the identity, and no
# rescaling is needed at test time.

# %%
drop = nn.Dropout(p=0.5)
h = ln.ones(10_000)
out = drop(h).numpy()
print("training mode: values", sorted(set(out.tolist())), f" dropped {np.mean(out == 0):.3f}",
      f" mean {out.mean():.3f} (input mean 1)")
drop.eval()
print("eval mode:     values", sorted(set(drop(h).numpy().tolist())))
assert set(out.tolist()) == {0.0, 2.0} and abs(out.mean() - 1) < 0.05
drop.train()

# %% [markdown]
# A net with dropout is random in training mode (two passes differ) and deterministic in eval
# mode; `Trainer.evaluate` and `predict` switch to eval mode for you.

# %%
dropout_trainer, dropout_hist = fit(dropout=0.5)
net = dropout_trainer.model
x = ln.tensor(val.X[:3].astype(np.float32))
with ln.no_grad():
    net.train()
    a, b = net(x).numpy(), net(x).numpy()
    net.eval()
    c, d = net(x).numpy(), net(x).numpy()
print("train mode, two passes differ:", not np.allclose(a, b), "  eval mode, equal:", np.allclose(c, d))
assert not np.allclose(a, b) and np.array_equal(c, d)

results["dropout 0.5"] = gap(dropout_trainer)
for name in ("none", "dropout 0.5"):
    show(name, results[name])
assert results["dropout 0.5"]["gap"] < 0.6 * results["none"]["gap"]

# %% [markdown]
# ## Noisy inputs (data augmentation)
#
# Augmentation shows the net a slightly different version of each sample every epoch, so it
# cannot memorize the exact points: shifts, flips and crops for images (`lucidnet.data` has
# them, see `build_augmentation`), or for any input simply $x + \sigma\,\varepsilon$,
# $\varepsilon \sim \mathcal{N}(0, I)$. `fit(transform=...)` applies it to training batches only,
# never to validation data.

# %%
noise_trainer, noise_hist = fit(transform=GaussianNoise(std=0.15, seed=0))
results["input noise 0.15"] = gap(noise_trainer)
for name in results:
    show(name, results[name])
assert results["input noise 0.15"]["gap"] < 0.5 * results["none"]["gap"]

fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
names = list(results)
xs = np.arange(len(names))
axes[0].bar(xs - 0.2, [results[n]["train loss"] for n in names], 0.4, label="train")
axes[0].bar(xs + 0.2, [results[n]["val loss"] for n in names], 0.4, label="validation")
axes[0].set_xticks(xs, names, rotation=15)
axes[0].set(ylabel="cross-entropy (eval mode)", title="the train/validation gap")
axes[0].legend()
for name, hist in (("none", plain_hist), ("L2 1e-2", l2_hist), ("dropout 0.5", dropout_hist),
                   ("input noise 0.15", noise_hist)):
    axes[1].plot(epochs, hist["val_loss"], label=name)
axes[1].set(xlabel="epoch", ylabel="validation loss", title="validation loss per epoch")
axes[1].legend()
draw_boundary(axes[2], l2_trainer, "L2 1e-2: a smoother boundary")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Early stopping
#
# The cheapest regularizer: watch the validation loss, stop once it has not improved for
# `patience` epochs, and put back the weights of the best epoch. The callback follows Keras:
# `EarlyStopping(monitor="val_loss", patience=..., restore_best_weights=True)`.

# %%
stopper = EarlyStopping(monitor="val_loss", patience=20, restore_best_weights=True)
es_trainer, es_hist = fit(callbacks=[stopper])
restored = es_trainer.evaluate(val.X, val.y)["loss"]
print(f"ran {len(es_hist)} of {EPOCHS} epochs; best epoch {stopper.best_epoch + 1} "
      f"(val loss {stopper.best:.3f}); restored model's val loss {restored:.3f}; "
      f"the unstopped run ended at {val_curve[-1]:.3f}")
assert len(es_hist) == stopper.best_epoch + 1 + 20 < EPOCHS
assert abs(restored - stopper.best) < 1e-5 and restored < 0.5 * val_curve[-1]

fig, ax = plt.subplots(figsize=(6.5, 3.3))
ax.plot(epochs, val_curve, color="C1", alpha=0.4, label="validation (no stopping)")
ax.plot(np.arange(1, len(es_hist) + 1), es_hist["val_loss"], color="C1", lw=2.5,
        label="validation (early stopping)")
ax.axvline(stopper.best_epoch + 1, color="C2", ls="--", label="best epoch (weights restored)")
ax.axvline(len(es_hist), color="C3", ls=":", label="stopped (patience 20)")
ax.set(xlabel="epoch", ylabel="cross-entropy", title="early stopping")
ax.legend()
plt.show()

# %% [markdown]
# ## BatchNorm
#
# `BatchNorm1d(C)` normalizes each of the $C$ features with the statistics of the current
# mini-batch, then rescales with learned $\gamma, \beta$:
# $$\hat x_{ic} = \frac{x_{ic} - \mu_c}{\sqrt{\sigma_c^2 + \epsilon}}, \qquad
# y_{ic} = \gamma_c \hat x_{ic} + \beta_c,$$
# with $\mu_c, \sigma_c^2$ the mean and (biased) variance of column $c$ over the batch. It also
# keeps running averages $\mu^{run} \leftarrow (1-m)\,\mu^{run} + m\,\mu$ (momentum $m = 0.1$;
# the same for the variance, with the unbiased estimate, as PyTorch does), which replace the
# batch statistics in eval mode.

# %%
rng = np.random.default_rng(0)
batch = rng.normal([5.0, -2.0, 100.0], [1.0, 0.1, 30.0], size=(256, 3)).astype(np.float32)
bn = nn.BatchNorm1d(3)
out = bn(ln.tensor(batch)).numpy()
print("input  column means", batch.mean(0).round(2), " stds", batch.std(0).round(2))
print("output column means", out.mean(0).round(4), " stds", out.std(0).round(4))
print("running_mean after one batch = 0.1 x batch mean:", bn.running_mean.round(3))
print("running_var  after one batch = 0.9 + 0.1 x unbiased batch variance:",
      bn.running_var.round(3), "vs", (0.9 + 0.1 * batch.var(0, ddof=1)).round(3))
assert np.allclose(out.mean(0), 0, atol=1e-4) and np.allclose(out.std(0), 1, atol=1e-3)
assert np.allclose(bn.running_mean, 0.1 * batch.mean(0), rtol=1e-4)
assert np.allclose(bn.running_var, 0.9 + 0.1 * batch.var(0, ddof=1), rtol=1e-4)

# %% [markdown]
# After many batches the running averages approach the statistics of the data
# (means $(5, -2, 100)$, variances $(1, 0.01, 900)$).

# %%
for _ in range(100):
    bn(ln.tensor(rng.normal([5.0, -2.0, 100.0], [1.0, 0.1, 30.0], size=(64, 3)).astype(np.float32)))
print("running_mean", bn.running_mean.round(2).tolist(), "  running_var",
      [float(f"{v:.3g}") for v in bn.running_var])
assert np.allclose(bn.running_mean, [5, -2, 100], rtol=0.05)
assert np.allclose(bn.running_var, [1, 0.01, 900], rtol=0.25)

# %% [markdown]
# In training mode a sample's output depends on the other samples of its batch; in eval mode it
# depends on the sample alone (the running statistics are fixed).

# %%
sample = batch[:1]
in_batch_a = bn(ln.tensor(np.concatenate([sample, batch[1:64]]))).numpy()[0]
in_batch_b = bn(ln.tensor(np.concatenate([sample, batch[64:128] * 2]))).numpy()[0]
bn.eval()
eval_a = bn(ln.tensor(np.concatenate([sample, batch[1:64]]))).numpy()[0]
eval_b = bn(ln.tensor(sample)).numpy()[0]
print("train mode, same sample in two batches:", in_batch_a.round(3), in_batch_b.round(3))
print("eval mode,  in a batch / alone:        ", eval_a.round(3), eval_b.round(3))
assert not np.allclose(in_batch_a, in_batch_b, atol=1e-2) and np.allclose(eval_a, eval_b)

# %% [markdown]
# Why it helps: in a deep plain net the scale of the activations drifts layer after layer (here,
# with PyTorch's default initialization, it shrinks), so the gradients reaching the first layers
# are tiny and plain SGD barely moves. BatchNorm resets every layer's features to mean 0,
# variance 1. Six hidden layers of 64 ReLU units on the 8x8 digits, plain SGD, lr 0.02:

# %%
digits = load_dataset("digits")
X = (digits.X / 16.0).astype(np.float32)
Xtr, Xva, ytr, yva = train_test_split(X, digits.y, test_size=0.3, random_state=0, stratify=digits.y)



def at_init(model, x, y):
    """Std of each hidden layer's output (after its ReLU) on the batch x, and the norm of the
    first layer's weight gradient of the cross-entropy on (x, y)."""
    stds, h = [], ln.tensor(x)
    for layer in model:
        h = layer(h)
        if isinstance(layer, nn.ReLU):
            stds.append(float(h.detach().numpy().std()))
    nn.functional.cross_entropy(h, ln.tensor(y)).backward()
    return stds, float(np.linalg.norm(model[0].weight.grad))


deep = {}
for use_bn in (False, True):
    ln.manual_seed(0)
    scales, grad0 = at_init(MLP(64, (64,) * 6, 10, batch_norm=use_bn), Xtr[:256], ytr[:256])
    ln.manual_seed(0)                      # a fresh copy of the same initial net for training
    model = MLP(64, (64,) * 6, 10, batch_norm=use_bn)
    trainer = Trainer(model, "cross_entropy", optim.SGD(model.parameters(), lr=0.02),
                      metrics=["accuracy"], verbose=0)
    hist = trainer.fit(Xtr, ytr, epochs=8, batch_size=32, seed=0, validation_data=(Xva, yva))
    deep["BatchNorm" if use_bn else "plain"] = (hist, scales, grad0)
for name, (hist, scales, grad0) in deep.items():
    print(f"{name:>9}: activation std per layer at init {np.round(scales, 3)}, "
          f"first-layer gradient norm {grad0:.2e}")
    print(f"{'':>9}  train loss per epoch {np.round(hist['loss'], 2)}")
    print(f"{'':>9}  val accuracy per epoch {np.round(hist['val_accuracy'], 2)}")
plain_acc, bn_acc = deep["plain"][0]["val_accuracy"], deep["BatchNorm"][0]["val_accuracy"]
assert deep["BatchNorm"][2] > 10 * deep["plain"][2]
assert bn_acc[0] > plain_acc[0] + 0.3 and bn_acc[-1] > 0.9 and plain_acc[-1] < 0.3

fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
ep = np.arange(1, 9)
for name, (hist, _, _) in deep.items():
    axes[0].plot(ep, hist["loss"], marker="o", label=name)
    axes[1].plot(ep, hist["val_accuracy"], marker="o", label=name)
axes[0].set(xlabel="epoch", ylabel="training loss", title="6 hidden layers, SGD lr 0.02")
axes[1].set(xlabel="epoch", ylabel="validation accuracy", ylim=(0, 1), title="digits, 10 classes")
for ax in axes:
    ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# ## What to remember
#
# - Overfitting shows as a widening gap: training loss falls, validation loss turns up. Always
#   look at both curves.
# - L2 ($\frac{\lambda}{2}\lVert w\rVert^2$, equal to SGD's `weight_decay`) shrinks all weights
#   and narrows the gap; L1 ($\lambda\lVert w\rVert_1$) sets most of them to about zero.
# - Dropout zeroes units at random in training and rescales the rest by $1/(1-p)$; `eval()`
#   turns it off. Input noise and augmentation act in the same spirit on the data.
# - Early stopping with `restore_best_weights=True` keeps the model of the best validation epoch.
# - BatchNorm normalizes each feature with batch statistics in training and running statistics
#   in eval mode; it lets a deep net train where the plain one stalls.
