"""Optimizer step time: lucidnet.optim vs torch.optim (foreach) on 50 float32 tensors / ~2M
parameters, measured in the same run, interleaved, best of N (SPEC E2, E3).

    .venv/bin/python benchmarks/bench_optim.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from lucidnet import optim
from lucidnet.nn import Parameter

SHAPES = [(280, 280), (280,)] * 25          # 50 tensors, 1,967,000 parameters

CASES = [
    ("SGD", {"lr": 1e-3}),
    ("SGD-momentum", {"lr": 1e-3, "momentum": 0.9}),
    ("SGD-nesterov", {"lr": 1e-3, "momentum": 0.9, "nesterov": True}),
    ("Adagrad", {}),
    ("RMSprop", {}),
    ("Adam", {}),
    ("AdamW", {}),
    ("Adam-amsgrad", {"amsgrad": True}),
    ("Adamax", {}),
    ("NAdam", {}),
]


def _cls(name):
    return name.split("-")[0]


def main(repeat: int = 30) -> None:
    import torch

    torch.set_num_threads(2)
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
    grads = [rng.standard_normal(s).astype(np.float32) * 1e-2 for s in SHAPES]
    n = sum(w.size for w in weights)
    threads_default = optim.get_num_threads()
    print(f"{len(SHAPES)} tensors, {n:,} float32 parameters; torch {torch.__version__} "
          f"(foreach, {torch.get_num_threads()} threads); lucidnet with 1 and 2 threads "
          f"(default {threads_default}); best of {repeat} interleaved steps, ms")
    print(f"{'optimizer':<14}{'ln 1 thr':>10}{'ln 2 thr':>10}{'torch':>10}"
          f"{'ratio 1thr':>12}{'ratio 2thr':>12}")
    for name, kw in CASES:
        ours_p = [Parameter(w.copy()) for w in weights]
        for p, g in zip(ours_p, grads):
            p.grad = g
        theirs_p = [torch.tensor(w, requires_grad=True) for w in weights]
        for p, g in zip(theirs_p, grads):
            p.grad = torch.from_numpy(g)
        ours = getattr(optim, _cls(name))(ours_p, **kw)
        theirs = getattr(torch.optim, _cls(name))(theirs_p, foreach=True, **kw)
        ours.step()
        theirs.step()           # state allocated outside the timing
        t_one, t_two, t_theirs = [], [], []
        for _ in range(repeat):
            for threads, times in ((1, t_one), (2, t_two)):
                optim.set_num_threads(threads)
                t0 = time.perf_counter()
                ours.step()
                times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            theirs.step()
            t_theirs.append(time.perf_counter() - t0)
        a1, a2, b = (min(t) * 1e3 for t in (t_one, t_two, t_theirs))
        print(f"{name:<14}{a1:>10.2f}{a2:>10.2f}{b:>10.2f}{a1 / b:>12.2f}{a2 / b:>12.2f}")
    optim.set_num_threads(threads_default)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    main(parser.parse_args().repeat)
