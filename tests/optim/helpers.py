"""Shared pieces of the optim tests: a small float64 model mirrored in PyTorch."""

from __future__ import annotations

import numpy as np

import lucidnet as ln
from lucidnet import nn

SIZES = [(5, 4), (5,), (3, 5), (3,)]


def make_weights(seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) * 0.5 for s in SIZES]


def make_data(seed: int = 1, n: int = 16):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 4)), rng.standard_normal((n, 3))


class TinyNet(nn.Module):
    """Linear(4, 5) -> tanh -> Linear(5, 3), float64, weights set from `make_weights`."""

    def __init__(self, weights):
        super().__init__()
        self.fc1 = nn.Linear(4, 5, dtype=np.float64)
        self.fc2 = nn.Linear(5, 3, dtype=np.float64)
        for p, w in zip(self.parameters(), weights):
            p.data[...] = w

    def forward(self, x):
        return self.fc2(self.fc1(x).tanh())


def ln_loss_fn(model, x, y, i):
    """Mean squared error on a rotating mini-batch (so the gradient changes step to step)."""
    idx = [(i + k) % len(x) for k in range(8)]
    out = model(ln.tensor(x[idx]))
    diff = out - ln.tensor(y[idx])
    return (diff * diff).mean()


def torch_model(weights):
    import torch

    params = [torch.tensor(w.copy(), requires_grad=True) for w in weights]

    def forward(xb):
        h = torch.tanh(xb @ params[0].T + params[1])
        return h @ params[2].T + params[3]

    return params, forward


def torch_loss_fn(forward, x, y, i):
    import torch

    idx = [(i + k) % len(x) for k in range(8)]
    out = forward(torch.tensor(x[idx]))
    return ((out - torch.tensor(y[idx])) ** 2).mean()
