# %% [markdown]
# # 6. A CNN on digits and its learned kernels
#
# A convolutional layer slides a small kernel $K$ (here 3x3) over the image $X$ and takes, at every
# position, the sum of the products:
#
# $$Y_{ij} = \sum_{u}\sum_{v} X_{i+u,\,j+v}\, K_{uv} + b .$$
#
# Strictly this is a **cross-correlation**: the convolution of signal processing flips the kernel
# first ($X_{i-u,\,j-v}$). Deep-learning libraries (PyTorch, Keras, lucidnet) all compute the
# unflipped sum and call it convolution; since the kernel is learned, the flip does not matter.
# We check it on a tiny image with a hand-made vertical-edge kernel.

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

import lucidnet as ln
from lucidnet import nn, optim
from lucidnet.train import Trainer

F = nn.functional

image = np.zeros((6, 6), dtype=np.float32)
image[:, 3:] = 1.0                                   # dark left half, bright right half
edge = np.array([[-1, 0, 1]] * 3, dtype=np.float32)  # responds to dark -> bright, left to right

by_hand = np.zeros((4, 4), dtype=np.float32)         # (6 - 3 + 1) x (6 - 3 + 1) positions
for i in range(4):
    for j in range(4):
        by_hand[i, j] = (image[i:i + 3, j:j + 3] * edge).sum()
by_conv2d = F.conv2d(ln.tensor(image[None, None]), ln.tensor(edge[None, None])).numpy()[0, 0]
flipped = np.zeros((4, 4), dtype=np.float32)         # true convolution: the kernel flipped
for i in range(4):
    for j in range(4):
        flipped[i, j] = (image[i:i + 3, j:j + 3] * edge[::-1, ::-1]).sum()
print("cross-correlation by hand:\n", by_hand)
print("F.conv2d:\n", by_conv2d)
print("convolution with the flipped kernel (first row):", flipped[0])
assert np.allclose(by_hand, by_conv2d)               # conv2d is the cross-correlation ...
assert np.allclose(flipped, -by_hand)                # ... the flipped kernel gives the opposite sign
assert (by_hand[:, 1:3] == 3).all() and (by_hand[:, [0, 3]] == 0).all()

# %% [markdown]
# The response is 3 (three rows of $+1$ meet bright pixels) in the two columns where the window
# straddles the edge and 0 where the window is flat: the kernel is an edge detector.
#
# On a real digit (pixel values are ink, 0 to 1; padding 1 keeps the 8x8 size) the kernel computes
# $Y_{ij} = \sum_{u=-1}^{1} (X_{i+u,\,j+1} - X_{i+u,\,j-1})$, a left-to-right difference summed
# over three rows: positive where the ink rises from left to right (the left side of a vertical
# stroke), negative where it falls (its right side). Its transpose does the same for horizontal
# edges.

# %%
digit_image = load_digits().images[0] / 16.0
fig, axes = plt.subplots(1, 6, figsize=(15, 2.6))
panels = [(image, "tiny image", "gray"), (edge, "edge kernel", "bwr"),
          (by_conv2d, "its conv2d output", "bwr"), (digit_image, "a digit (ink)", "gray_r")]
for transpose in (False, True):
    kernel = edge.T if transpose else edge
    response = F.conv2d(ln.tensor(digit_image[None, None].astype(np.float32)),
                        ln.tensor(kernel[None, None].copy()), padding=1).numpy()[0, 0]
    panels.append((response, ("horizontal" if transpose else "vertical") + " edges", "bwr"))
    if not transpose:
        vertical = response
for ax, (picture, title, cmap) in zip(axes, panels):
    limit = np.abs(picture).max()
    shown = ax.imshow(picture, cmap=cmap, vmin=-limit if cmap == "bwr" else 0.0, vmax=limit)
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    fig.colorbar(shown, ax=ax, shrink=0.8)
plt.tight_layout()
plt.show()
padded = np.pad(digit_image, 1)
difference = padded[:, 2:] - padded[:, :-2]             # X[i, j+1] - X[i, j-1]
three_rows = difference[:-2] + difference[1:-1] + difference[2:]
print("row 4 of the digit:    ", np.round(digit_image[4], 2))
print("vertical-edge response:", np.round(vertical[4], 2))
assert np.allclose(vertical, three_rows, atol=1e-5)

# %% [markdown]
# A CNN *learns* its kernels instead of using hand-made ones.
#
# ## Shapes through conv and pool
#
# With input size $H$, kernel $k$, padding $p$ and stride $s$, a convolution or pooling layer
# gives $\lfloor (H + 2p - k)/s \rfloor + 1$ outputs per axis. A 3x3 convolution with padding 1
# keeps $8 \to 8$; a 2x2 max-pool with stride 2 halves it, $8 \to 4$. The data: scikit-learn's
# bundled 8x8 digits (1797 images, 16 grey levels, no download), scaled to $[0, 1]$ and shaped
# NCHW.

# %%
digits = load_digits()
X = (digits.images / 16.0).astype(np.float32)[:, None]    # (N, 1, 8, 8)
y = digits.target
X_train, X_test, y_train, y_test = ln.data.train_test_split(
    X, y, test_size=0.25, random_state=0, stratify=y)
print("train", X_train.shape, "test", X_test.shape)

ln.manual_seed(0)
cnn = nn.Sequential(
    nn.Conv2d(1, 8, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(8, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(16 * 2 * 2, 10))


def out_size(size, k, p, s):
    return (size + 2 * p - k) // s + 1


h = ln.tensor(X_train[:5])
size = 8
with ln.no_grad():
    for layer in cnn:
        h = layer(h)
        note = ""
        if isinstance(layer, (nn.Conv2d, nn.MaxPool2d)):
            k, p, s = layer.kernel_size[0], layer.padding[0], layer.stride[0]
            note = f"   ({size} + 2*{p} - {k}) // {s} + 1 = {out_size(size, k, p, s)}"
            size = out_size(size, k, p, s)
            assert h.shape[2:] == (size, size)
        print(f"{type(layer).__name__:10s} -> {str(tuple(h.shape)):15s}{note}")
assert h.shape == (5, 10)

# %% [markdown]
# ## Training, and an MLP with the same number of parameters
#
# Both networks see the same images, optimizer (Adam, lr $10^{-2}$), batches and epochs. The MLP
# flattens the 64 pixels into one hidden layer of 25 ReLU units: $64 \cdot 25 + 25 + 25 \cdot 10 +
# 10 = 1885$ parameters, against the CNN's $8 (9 + 1) + 16 (8 \cdot 9 + 1) + 64 \cdot 10 + 10 =
# 1898$.

# %%
def n_params(model):
    return sum(p.numel() for p in model.parameters())


def train(model, epochs=20):
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=1e-2),
                      metrics=["accuracy"], verbose=0)
    history = trainer.fit(X_train, y_train, epochs=epochs, batch_size=32, seed=0)
    return trainer, history


ln.manual_seed(0)
mlp = nn.Sequential(nn.Flatten(), nn.Linear(64, 25), nn.ReLU(), nn.Linear(25, 10))
cnn_trainer, cnn_history = train(cnn)
mlp_trainer, mlp_history = train(mlp)
cnn_acc = cnn_trainer.evaluate(X_test, y_test)["accuracy"]
mlp_acc = mlp_trainer.evaluate(X_test, y_test)["accuracy"]
print(f"CNN: {n_params(cnn)} parameters, test accuracy {cnn_acc:.3f}")
print(f"MLP: {n_params(mlp)} parameters, test accuracy {mlp_acc:.3f}")
assert abs(n_params(cnn) - n_params(mlp)) < 0.01 * n_params(cnn)
assert cnn_acc > 0.95 and mlp_acc > 0.93 and abs(cnn_acc - mlp_acc) < 0.03

# %% [markdown]
# On centred 8x8 digits the two are close: the accuracies above differ by a few of the 450 test
# digits. The difference shows when the digits move. A convolution applies the *same* kernel at
# every position (weight sharing), so a shifted digit gives shifted feature maps, which max-pooling
# (the strongest response of each 2x2 window) and the later layers can partly absorb. The MLP has
# one weight per pixel: a shift moves the digit onto weights that never saw it.
#
# Shift every test digit one pixel right (or down), filling with empty (zero) pixels. First the
# claim about feature maps, on the first layer: the maps of the shifted digits are the maps of the
# digits, shifted (in the inner columns; the zero padding makes the border columns differ).

# %%
def shift(images, axis):
    moved = np.zeros_like(images)
    if axis == "right":
        moved[..., :, 1:] = images[..., :, :-1]
    else:
        moved[..., 1:, :] = images[..., :-1, :]
    return moved


with ln.no_grad():
    maps_of_shifted = cnn[:2](ln.tensor(shift(X_test, "right"))).numpy()
    shifted_maps = shift(cnn[:2](ln.tensor(X_test)).numpy(), "right")
gap = np.abs(maps_of_shifted - shifted_maps)[..., 1:-1].max()    # inner columns 1..6
print(f"conv+ReLU maps of shifted digits vs shifted maps: largest difference {gap:.1e}")
assert gap < 1e-5

for axis in ("right", "down"):
    moved = shift(X_test, axis)
    cnn_moved = cnn_trainer.evaluate(moved, y_test)["accuracy"]
    mlp_moved = mlp_trainer.evaluate(moved, y_test)["accuracy"]
    print(f"shifted 1 pixel {axis:5s}: CNN {cnn_moved:.3f}   MLP {mlp_moved:.3f}")
    assert cnn_moved < cnn_acc and mlp_moved < mlp_acc
    assert cnn_moved > mlp_moved + 0.05

# %% [markdown]
# Both lose accuracy (one pixel is an eighth of the image, and the network saw no shifted digit in
# training), but the CNN loses less. Learning curves of both:

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.3))
for name, history in (("CNN", cnn_history), ("MLP", mlp_history)):
    axes[0].plot(history.history["loss"], label=name)
    axes[1].plot(history.history["accuracy"], label=name)
axes[0].set_ylabel("training loss")
axes[1].set_ylabel("training accuracy")
axes[0].set_title("loss per epoch")
axes[1].set_title("accuracy per epoch")
for ax in axes:
    ax.set_xlabel("epoch")
    ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# ## The learned kernels and the feature maps of one digit
#
# The first layer's weight has shape (out_channels, in_channels, 3, 3) = (8, 1, 3, 3): eight 3x3
# kernels, drawn with blue for negative and red for positive weights. Next to them, what each
# kernel (after ReLU) makes of one test digit: each map is large where the strokes match its
# kernel's pattern of positive and negative weights.

# %%
kernels = cnn[0].weight.numpy()[:, 0]
print("first-layer weight shape:", cnn[0].weight.shape)
digit = X_test[:1]
with ln.no_grad():
    maps = cnn[:2](ln.tensor(digit)).numpy()[0]          # Conv2d + ReLU: (8, 8, 8)
print("feature maps of one digit:", maps.shape)
assert kernels.shape == (8, 3, 3) and maps.shape == (8, 8, 8)

fig, axes = plt.subplots(2, 9, figsize=(13, 4.2))
axes[0, 0].imshow(digit[0, 0], cmap="gray_r")
axes[0, 0].set_title(f"digit {y_test[0]}")
axes[1, 0].axis("off")
limit = np.abs(kernels).max()
for c in range(8):
    axes[0, c + 1].imshow(kernels[c], cmap="bwr", vmin=-limit, vmax=limit)
    axes[0, c + 1].set_title(f"kernel {c}")
    axes[1, c + 1].imshow(maps[c], cmap="viridis")
    axes[1, c + 1].set_title(f"map {c}")
for ax in axes.ravel():
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("first-layer kernels (top) and their ReLU feature maps of the digit (bottom)")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## What it gets wrong
#
# The first misclassified test digits, with the true label and the prediction: look at them and
# judge whether you would have done better at 8x8 pixels.

# %%
with ln.no_grad():
    predicted = cnn(ln.tensor(X_test)).numpy().argmax(axis=1)
wrong = np.flatnonzero(predicted != y_test)
print(f"{len(wrong)} of {len(y_test)} test digits misclassified")
assert np.isclose(1 - len(wrong) / len(y_test), cnn_acc)

shown = wrong[:8]
fig, axes = plt.subplots(1, len(shown), figsize=(1.6 * len(shown), 2.2), squeeze=False)
for ax, index in zip(axes[0], shown):
    ax.imshow(X_test[index, 0], cmap="gray_r")
    ax.set_title(f"true {y_test[index]}\npred {predicted[index]}")
    ax.set_xticks([])
    ax.set_yticks([])
plt.tight_layout()
plt.show()

# %% [markdown]
# ## What to remember
#
# - `Conv2d` computes a cross-correlation, $Y_{ij} = \sum_{uv} X_{i+u,j+v} K_{uv} + b$; a
#   hand-made kernel is a feature detector, a CNN learns its kernels.
# - Each axis goes $H \to \lfloor (H + 2p - k)/s \rfloor + 1$: padding $k//2$ keeps the size,
#   a 2x2 pool halves it.
# - With the same number of parameters the CNN and the MLP are close on centred 8x8 digits, but
#   weight sharing and pooling make the CNN hold up better when the digits move.
