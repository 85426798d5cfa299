"""CNN training benchmark: lucidnet vs PyTorch (CPU, 2 threads), same run, same data.

Conv(1->16, 3x3, pad 1) -> ReLU -> MaxPool 2 -> Conv(16->32, 3x3, pad 1) -> ReLU -> MaxPool 2 ->
Flatten -> Linear(1568 -> 10); Adam, cross-entropy, batch 64, 10,000 synthetic float32 1x28x28
images; and the same with BatchNorm2d after each conv. Prints the epoch time of each framework
(best of --repeats), the ratio lucidnet/torch, and the peak RSS each adds during training
(resident-set-size delta in a fresh process: it counts NumPy's/PyTorch's buffers alike, and
lucidnet's pooled op buffers, which are kept for reuse like PyTorch's caching allocators).
``--profile`` also prints lucidnet's cProfile top functions (by total time); ``--blas-threads 1``
runs lucidnet's NumPy with single-threaded BLAS (threadpoolctl), which on busy shared cores is
often faster: each threaded GEMM can wait a whole scheduler slice for its second thread.

    python benchmarks/bench_cnn.py [--samples 10000] [--repeats 2] [--profile] [--blas-threads 1]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import peak_rss_bytes, rss_bytes, run_isolated


def _data(samples: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((samples, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, samples)


def _lucidnet_model(batch_norm: bool):
    from lucidnet import nn

    def block(c_in, c_out):
        bn = [nn.BatchNorm2d(c_out)] if batch_norm else []
        return [nn.Conv2d(c_in, c_out, 3, padding=1), *bn, nn.ReLU(), nn.MaxPool2d(2)]

    return nn.Sequential(*block(1, 16), *block(16, 32), nn.Flatten(), nn.Linear(1568, 10))


def _torch_model(batch_norm: bool):
    import torch.nn as tnn

    def block(c_in, c_out):
        bn = [tnn.BatchNorm2d(c_out)] if batch_norm else []
        return [tnn.Conv2d(c_in, c_out, 3, padding=1), *bn, tnn.ReLU(), tnn.MaxPool2d(2)]

    return tnn.Sequential(*block(1, 16), *block(16, 32), tnn.Flatten(), tnn.Linear(1568, 10))


def _epochs(step, samples, batch_size, repeats):
    times = []
    for _ in range(repeats):
        order = np.random.default_rng(1).permutation(samples)
        t0 = time.perf_counter()
        for i in range(0, samples, batch_size):
            loss = step(order[i:i + batch_size])
        times.append(time.perf_counter() - t0)
    return min(times), loss


def lucidnet_epoch(samples: int, batch_size: int, repeats: int, batch_norm: bool,
                   profile: bool = False, blas_threads: int | None = None) -> dict:
    if blas_threads:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=blas_threads, user_api="blas")
    import lucidnet as ln
    from lucidnet import nn, optim

    X, y = _data(samples)
    ln.manual_seed(0)
    model = _lucidnet_model(batch_norm)
    opt = optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def step(idx):
        loss = loss_fn(model(ln.Tensor(X[idx])), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        return float(loss.data)

    base = rss_bytes()
    seconds, loss = _epochs(step, samples, batch_size, repeats)
    result = {"seconds": seconds, "peak_mb": max(0, peak_rss_bytes() - base) / 2**20,
              "loss": loss}
    if profile:
        import cProfile
        import io
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        _epochs(step, min(samples, 3200), batch_size, 1)
        prof.disable()
        text = io.StringIO()
        pstats.Stats(prof, stream=text).sort_stats("tottime").print_stats(14)
        result["profile"] = text.getvalue()
    return result


def torch_epoch(samples: int, batch_size: int, repeats: int, batch_norm: bool,
                profile: bool = False) -> dict:
    import torch

    torch.set_num_threads(2)
    X, y = _data(samples)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    torch.manual_seed(0)
    model = _torch_model(batch_norm)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step(idx):
        idx = torch.from_numpy(idx)
        loss = loss_fn(model(Xt[idx]), yt[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        return float(loss.detach())

    base = rss_bytes()
    seconds, loss = _epochs(step, samples, batch_size, repeats)
    return {"seconds": seconds, "peak_mb": max(0, peak_rss_bytes() - base) / 2**20, "loss": loss}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--samples", type=int, default=10000)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--profile", action="store_true")
    p.add_argument("--blas-threads", type=int, default=None,
                   help="cap lucidnet's BLAS threads (default: NumPy's own choice)")
    args = p.parse_args(argv)
    script = os.path.abspath(__file__)
    print(f"CNN 1x28x28 -> conv16 -> pool -> conv32 -> pool -> linear10, Adam, batch "
          f"{args.batch_size}, {args.samples} samples, best of {args.repeats}; memory = peak RSS "
          "delta during training")
    print(f"{'model':>10} {'lucidnet s':>11} {'torch s':>9} {'ln/torch':>9} {'ln MB':>7} "
          f"{'torch MB':>9}")
    for batch_norm in (False, True):
        kw = {"samples": args.samples, "batch_size": args.batch_size, "repeats": args.repeats,
              "batch_norm": batch_norm}
        ours = run_isolated(script, "lucidnet_epoch", profile=args.profile,
                            blas_threads=args.blas_threads, **kw)
        try:
            ref = run_isolated(script, "torch_epoch", **kw)
        except RuntimeError as err:
            print(f"PyTorch unavailable ({str(err).splitlines()[-1]}); install torch==2.13.0")
            ref = {"seconds": float("nan"), "peak_mb": float("nan")}
        name = "conv+BN" if batch_norm else "conv"
        print(f"{name:>10} {ours['seconds']:>11.3f} {ref['seconds']:>9.3f} "
              f"{ours['seconds'] / ref['seconds']:>9.2f} {ours['peak_mb']:>7.1f} "
              f"{ref['peak_mb']:>9.1f}", flush=True)
        if args.profile:
            print(ours["profile"])


if __name__ == "__main__":
    main()
