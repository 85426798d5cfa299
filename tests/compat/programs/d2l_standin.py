# Written for lucidnet's compat tests; exercises the API of the d2l.ai book's helper module
# (https://d2l.ai) in the way its chapters use it. Not a copy of it.
"""A small, self-written replacement for ``from d2l import torch as d2l`` in the d2l chapter
programs here: the helpers those programs call, on the framework named by ``COMPAT_FRAMEWORK``
(``torch`` or ``lucidnet``), with a synthetic image data set instead of Fashion-MNIST and an
``Animator`` that prints the points it would plot."""

from __future__ import annotations

import importlib
import os

import numpy as np

torch = importlib.import_module(os.environ.get("COMPAT_FRAMEWORK", "torch"))
nn = importlib.import_module(torch.__name__ + ".nn")
data = importlib.import_module(torch.__name__ + ".utils.data")

ones = torch.ones


def size(t):
    return t.numel()


# ---------------------------------------------------------------- regression helpers

def synthetic_data(w, b, n):
    """Features from N(0, 1) and targets ``X @ w + b`` plus N(0, 0.01) noise, as a column."""
    features = torch.normal(0, 1, (n, len(w)))
    targets = torch.matmul(features, w) + b
    targets += torch.normal(0, 0.01, targets.shape)
    return features, targets.reshape((-1, 1))


def linreg(X, w, b):
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad / batch_size
            p.grad.zero_()


def load_array(arrays, batch_size, is_train=True):
    return data.DataLoader(data.TensorDataset(*arrays), batch_size, shuffle=is_train)


def evaluate_loss(net, batches, loss):
    total, count = 0.0, 0
    for X, y in batches:
        out = net(X)
        value = loss(out, y.reshape(out.shape))
        total += float(value.sum())
        count += value.numel()
    return total / count


# ---------------------------------------------------------------- a 10-class image data set

class _Pictures(data.Dataset):
    """``n`` 1x28x28 float32 images: a class-dependent bar pattern plus uniform noise."""

    def __init__(self, n, seed):
        gen = np.random.default_rng(seed)
        self.labels = gen.integers(0, 10, size=n)
        rows = np.arange(28)[None, :, None]
        cols = np.arange(28)[None, None, :]
        k = self.labels[:, None, None]
        bars = ((rows // 3) % 10 == k) | ((cols // 3) % 10 == (9 - k))
        noise = gen.random((n, 28, 28))
        self.images = (0.6 * bars + 0.4 * noise).astype(np.float32)[:, None]

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return torch.tensor(self.images[i]), int(self.labels[i])


def load_data_fashion_mnist(batch_size, resize=None):
    train = data.DataLoader(_Pictures(384, seed=11), batch_size, shuffle=True)
    test = data.DataLoader(_Pictures(192, seed=12), batch_size, shuffle=False)
    return train, test


# ---------------------------------------------------------------- classification helpers

def accuracy(y_hat, y):
    """The number of rows of ``y_hat`` whose arg-max equals ``y``."""
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)
    return float((y_hat.type(y.dtype) == y).type(y.dtype).sum())


class Accumulator:
    def __init__(self, n):
        self.values = [0.0] * n

    def add(self, *items):
        self.values = [v + float(x) for v, x in zip(self.values, items)]

    def __getitem__(self, i):
        return self.values[i]


def evaluate_accuracy(net, batches):
    if isinstance(net, nn.Module):
        net.eval()
    tally = Accumulator(2)
    with torch.no_grad():
        for X, y in batches:
            tally.add(accuracy(net(X), y), y.numel())
    return tally[0] / tally[1]


class Animator:
    """Prints each point it is given, rounded, instead of plotting it."""

    def __init__(self, legend=None, **_):
        self.legend = legend or []

    def add(self, x, ys):
        if not hasattr(ys, "__len__"):
            ys = [ys]
        shown = [f"{name}={y:.5f}" for name, y in zip(self.legend or ["y"] * len(ys), ys)
                 if y is not None]
        print(f"x={x:.3f}", *shown)


class Timer:
    """Kept for the programs' calls; its readings are never printed (they differ per run)."""

    def start(self):
        pass

    def stop(self):
        pass


def train_epoch_ch3(net, batches, loss, updater):
    if isinstance(net, nn.Module):
        net.train()
    tally = Accumulator(3)
    for X, y in batches:
        out = net(X)
        per_sample = loss(out, y)
        updater.zero_grad()
        per_sample.mean().backward()
        updater.step()
        tally.add(float(per_sample.sum()), accuracy(out, y), y.numel())
    return tally[0] / tally[2], tally[1] / tally[2]


def train_ch3(net, train_iter, test_iter, loss, num_epochs, updater):
    animator = Animator(legend=["train loss", "train acc", "test acc"])
    for epoch in range(num_epochs):
        train_loss, train_acc = train_epoch_ch3(net, train_iter, loss, updater)
        test_acc = evaluate_accuracy(net, test_iter)
        animator.add(epoch + 1, (train_loss, train_acc, test_acc))


def try_gpu(i=0):
    return torch.device("cpu")
