"""MLP training benchmark: lucidnet vs PyTorch (CPU) vs the NumPy float32 matmul roofline.

784-256-128-10 ReLU MLP, Adam, cross-entropy, 60,000 synthetic float32 samples, one epoch at
batch 128 and at batch 32. Prints epoch-time ratios lucidnet/PyTorch and lucidnet/roofline and the
peak memory each framework adds during training (RSS, measured in a fresh process each).

    python benchmarks/bench_mlp.py [--samples 60000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import peak_rss_bytes, rss_bytes, run_isolated  # noqa: E402

SIZES = (784, 256, 128, 10)


def _data(samples: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((samples, SIZES[0]), dtype=np.float32)
    y = rng.integers(0, SIZES[-1], samples)
    return X, y


def lucidnet_epoch(samples: int, batch_size: int, repeats: int) -> dict:
    import lucidnet as ln
    from lucidnet import nn, optim

    X, y = _data(samples)
    ln.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                          nn.Linear(128, 10))
    opt = optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    base = rss_bytes()
    times = []
    for _ in range(repeats):
        order = np.random.default_rng(1).permutation(samples)
        t0 = time.perf_counter()
        for i in range(0, samples, batch_size):
            idx = order[i:i + batch_size]
            out = model(ln.Tensor(X[idx]))
            loss = loss_fn(out, y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - t0)
    return {"seconds": min(times), "peak_mb": max(0, peak_rss_bytes() - base) / 2**20,
            "loss": float(loss.data)}


def torch_epoch(samples: int, batch_size: int, repeats: int) -> dict:
    import torch

    torch.set_num_threads(2)
    X, y = _data(samples)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
                                torch.nn.ReLU(), torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    base = rss_bytes()
    times = []
    for _ in range(repeats):
        order = torch.from_numpy(np.random.default_rng(1).permutation(samples))
        t0 = time.perf_counter()
        for i in range(0, samples, batch_size):
            idx = order[i:i + batch_size]
            out = model(Xt[idx])
            loss = loss_fn(out, yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - t0)
    return {"seconds": min(times), "peak_mb": max(0, peak_rss_bytes() - base) / 2**20,
            "loss": float(loss.detach())}


def roofline_epoch(samples: int, batch_size: int, repeats: int) -> dict:
    """Only the matrix products one training epoch needs (3 forward, 5 backward), in float32."""
    rng = np.random.default_rng(0)
    W = [rng.standard_normal((o, i), dtype=np.float32) for i, o in zip(SIZES[:-1], SIZES[1:])]
    x0 = rng.standard_normal((batch_size, SIZES[0]), dtype=np.float32)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for i in range(0, samples, batch_size):
            a = [x0[:min(batch_size, samples - i)]]
            for w in W:  # forward
                a.append(a[-1] @ w.T)
            g = a[-1]
            for k in range(len(W) - 1, -1, -1):  # backward: dW for every layer, dX except the first
                _ = g.T @ a[k]
                if k > 0:
                    g = g @ W[k]
        times.append(time.perf_counter() - t0)
    flops = 2 * samples * sum(i * o for i, o in zip(SIZES[:-1], SIZES[1:])) * 3
    return {"seconds": min(times), "gflops": flops / min(times) / 1e9}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--samples", type=int, default=60000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--batch-sizes", default="128,32")
    args = p.parse_args(argv)
    script = os.path.abspath(__file__)
    print(f"MLP 784-256-128-10, Adam, cross-entropy, {args.samples} samples, best of {args.repeats}")
    print(f"{'batch':>6} {'lucidnet s':>11} {'torch s':>9} {'roofline s':>11} {'ln/torch':>9} "
          f"{'ln/roof':>8} {'ln MB':>7} {'torch MB':>9}")
    for bs in (int(b) for b in args.batch_sizes.split(",")):
        kw = {"samples": args.samples, "batch_size": bs, "repeats": args.repeats}
        ours = run_isolated(script, "lucidnet_epoch", **kw)
        try:
            ref = run_isolated(script, "torch_epoch", **kw)
        except RuntimeError as err:
            print(f"PyTorch unavailable ({str(err).splitlines()[-1]}); install torch==2.13.0")
            ref = {"seconds": float("nan"), "peak_mb": float("nan")}
        roof = run_isolated(script, "roofline_epoch", **kw)
        print(f"{bs:>6} {ours['seconds']:>11.3f} {ref['seconds']:>9.3f} {roof['seconds']:>11.3f} "
              f"{ours['seconds'] / ref['seconds']:>9.2f} {ours['seconds'] / roof['seconds']:>8.2f} "
              f"{ours['peak_mb']:>7.1f} {ref['peak_mb']:>9.1f}")


if __name__ == "__main__":
    main()
