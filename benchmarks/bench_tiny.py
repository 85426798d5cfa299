"""Tiny-net benchmark: the per-step overhead of the autograd engine, lucidnet vs PyTorch (CPU).

A 2-16-16-1 tanh MLP (TensorFlow Playground size), SGD with momentum, MSE loss, batch 16: the
arrays are so small that the time is the framework's bookkeeping per op, not arithmetic.
Prints microseconds per training step (forward, zero_grad, backward, step) and the ratio
lucidnet/PyTorch at 1 and 2 threads, plus the NumPy-only lower bound (the same matrix products
and elementwise math written out by hand, no framework).

    python benchmarks/bench_tiny.py [--steps 3000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import run_isolated  # noqa: E402

BATCH = 16


def _data(steps: int):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((steps * BATCH, 2)).astype(np.float32)
    y = (X[:, :1] * X[:, 1:]).astype(np.float32)
    return X, y


def lucidnet_steps(steps: int, repeats: int, threads: int) -> dict:
    import lucidnet as ln
    from lucidnet import nn, optim

    X, y = _data(steps)
    ln.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1))
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.MSELoss()
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for i in range(steps):
            xb, yb = ln.Tensor(X[i * BATCH:(i + 1) * BATCH]), ln.Tensor(y[i * BATCH:(i + 1) * BATCH])
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        best = min(best, time.perf_counter() - t0)
    return {"us_per_step": best / steps * 1e6, "loss": float(loss.item())}


def torch_steps(steps: int, repeats: int, threads: int) -> dict:
    import torch

    torch.set_num_threads(threads)
    X, y = _data(steps)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    torch.manual_seed(0)
    nn = torch.nn
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.MSELoss()
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for i in range(steps):
            xb, yb = Xt[i * BATCH:(i + 1) * BATCH], yt[i * BATCH:(i + 1) * BATCH]
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        best = min(best, time.perf_counter() - t0)
    return {"us_per_step": best / steps * 1e6, "loss": float(loss.item())}


def numpy_steps(steps: int, repeats: int, threads: int) -> dict:
    """The same forward and backward arithmetic in plain NumPy: the floor any framework pays."""
    X, y = _data(steps)
    rng = np.random.default_rng(0)
    sizes = (2, 16, 16, 1)
    W = [rng.standard_normal((o, i)).astype(np.float32) * 0.3 for i, o in zip(sizes[:-1], sizes[1:])]
    b = [np.zeros(o, np.float32) for o in sizes[1:]]
    vW, vb = [np.zeros_like(w) for w in W], [np.zeros_like(c) for c in b]
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for i in range(steps):
            a = [X[i * BATCH:(i + 1) * BATCH]]
            for k in range(3):
                z = a[-1] @ W[k].T + b[k]
                a.append(np.tanh(z) if k < 2 else z)
            g = 2 * (a[-1] - y[i * BATCH:(i + 1) * BATCH]) / a[-1].size
            for k in (2, 1, 0):
                gW, gb = g.T @ a[k], g.sum(0)
                if k:
                    g = (g @ W[k]) * (1 - a[k] ** 2)
                vW[k] = 0.9 * vW[k] + gW
                vb[k] = 0.9 * vb[k] + gb
                W[k] -= 0.01 * vW[k]
                b[k] -= 0.01 * vb[k]
        best = min(best, time.perf_counter() - t0)
    return {"us_per_step": best / steps * 1e6}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)
    here = os.path.abspath(__file__)
    for threads in (1, 2):
        os.environ["OMP_NUM_THREADS"] = os.environ["OPENBLAS_NUM_THREADS"] = str(threads)
        kw = dict(steps=args.steps, repeats=args.repeats, threads=threads)
        ours = run_isolated(here, "lucidnet_steps", **kw)
        floor = run_isolated(here, "numpy_steps", **kw)
        try:
            ref = run_isolated(here, "torch_steps", **kw)
        except RuntimeError:
            ref = None
        line = (f"threads={threads}: lucidnet {ours['us_per_step']:.1f} us/step, "
                f"numpy floor {floor['us_per_step']:.1f} (lucidnet/floor "
                f"{ours['us_per_step'] / floor['us_per_step']:.2f}x)")
        if ref:
            line += (f", pytorch {ref['us_per_step']:.1f} (lucidnet/pytorch "
                     f"{ours['us_per_step'] / ref['us_per_step']:.2f}x)")
        print(line, flush=True)


if __name__ == "__main__":
    main()
