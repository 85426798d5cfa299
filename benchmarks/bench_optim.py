"""Optimizer step time: lucidnet.optim vs torch.optim (``foreach=True``), at 1 and 2 threads.

Two float32 parameter sets: the MLP 784-512-512-10 (669,706 parameters in 6 tensors) and many
small tensors (100 tensors of 64x32 / 64, 106,000 parameters). Every thread count runs in a fresh
subprocess whose thread variables (``OMP_NUM_THREADS`` ...) are set before NumPy / torch are
imported; inside it lucidnet and torch steps are interleaved and the best of N is kept.

The roofline column is the memory-bandwidth bound: a NumPy copy that moves the same bytes as the
update must (read parameter, gradient and state; write parameter and state), timed in the same
process. ``ratio`` is lucidnet / torch (lower is better); ``roof`` is lucidnet / roofline.

    .venv/bin/python benchmarks/bench_optim.py [--repeat 30] [--threads 1 2] [--only Adam SGD-momentum]

On a shared machine ratios move by ±15%: interleave, take the best of N, and say so.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

WORKLOADS = {
    "mlp": [(512, 784), (512,), (512, 512), (512,), (10, 512), (10,)],
    "small": [(64, 32), (64,)] * 50,
}

#: (label, class name, keyword arguments, number of state buffers)
CASES = [
    ("SGD", "SGD", {"lr": 1e-3}, 0),
    ("SGD-momentum", "SGD", {"lr": 1e-3, "momentum": 0.9}, 1),
    ("SGD-nesterov-wd", "SGD", {"lr": 1e-3, "momentum": 0.9, "nesterov": True,
                                "weight_decay": 1e-4}, 1),
    ("Adam", "Adam", {}, 2),
    ("Adam-amsgrad", "Adam", {"amsgrad": True}, 3),
    ("AdamW", "AdamW", {}, 2),
    ("Adamax", "Adamax", {}, 2),
    ("NAdam", "NAdam", {}, 2),
    ("RAdam", "RAdam", {}, 2),
    ("Adagrad", "Adagrad", {}, 1),
    ("Adadelta", "Adadelta", {}, 2),
    ("RMSprop", "RMSprop", {}, 1),
    ("RMSprop-centered-mom", "RMSprop", {"centered": True, "momentum": 0.9}, 3),
    ("Rprop", "Rprop", {}, 2),
    ("ASGD", "ASGD", {}, 1),
]


def _child(threads: int, repeat: int, only: list[str]) -> None:
    import numpy as np
    import torch

    from lucidnet import _fast, optim
    from lucidnet.nn import Parameter

    torch.set_num_threads(threads)
    optim.set_num_threads(threads)
    rows = []
    for workload, shapes in WORKLOADS.items():
        rng = np.random.default_rng(0)
        weights = [rng.standard_normal(s).astype(np.float32) for s in shapes]
        grads = [rng.standard_normal(s).astype(np.float32) * 1e-2 for s in shapes]
        n = sum(w.size for w in weights)
        for label, cls, kw, n_state in CASES:
            if only and label not in only:
                continue
            ours_p = [Parameter(w.copy()) for w in weights]
            for p, g in zip(ours_p, grads):
                p.grad = g
            theirs_p = [torch.tensor(w, requires_grad=True) for w in weights]
            for p, g in zip(theirs_p, grads):
                p.grad = torch.from_numpy(g)
            ours = getattr(optim, cls)(ours_p, **kw)
            theirs = getattr(torch.optim, cls)(theirs_p, foreach=True, **kw)
            # the same bytes an optimal update moves: read p, g, state; write p, state
            src = np.ones(n * (2 + 2 * n_state + 1) // 2 + 1, np.float32)
            dst = np.empty_like(src)
            for _ in range(10):   # state, compilation, RAdam past its un-rectified first steps
                ours.step()
                theirs.step()
            t_ours, t_theirs, t_copy = [], [], []
            for _ in range(repeat):
                t0 = time.perf_counter()
                ours.step()
                t_ours.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                theirs.step()
                t_theirs.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                np.copyto(dst, src)
                t_copy.append(time.perf_counter() - t0)
            rows.append({"workload": workload, "optimizer": label, "n": int(n),
                         "tensors": len(shapes), "ours": min(t_ours) * 1e3,
                         "torch": min(t_theirs) * 1e3, "roofline": min(t_copy) * 1e3})
    print(json.dumps({"threads": threads, "fast": _fast.enabled(), "torch": torch.__version__,
                      "rows": rows}))


def main(repeat: int, threads: list[int], only: list[str]) -> None:
    results = []
    for n in threads:
        env = dict(os.environ)
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "NUMBA_NUM_THREADS"):
            env[var] = str(n)
        cmd = [sys.executable, __file__, "--child", str(n), "--repeat", str(repeat)]
        if only:
            cmd += ["--only", *only]
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
    first = results[0]
    print(f"torch {first['torch']} (foreach=True); lucidnet fused kernels: {first['fast']}; "
          f"best of {repeat} interleaved steps, ms; ratio = lucidnet / torch, "
          f"roof = lucidnet / memory-bandwidth roofline (a NumPy copy of the same bytes)")
    by_key = [{(r["workload"], r["optimizer"]): r for r in res["rows"]} for res in results]
    for workload in WORKLOADS:
        some = next(r for r in first["rows"] if r["workload"] == workload)
        print(f"\n{workload}: {some['tensors']} float32 tensors, {some['n']:,} parameters")
        head = f"{'optimizer':<22}"
        for res in results:
            t = res["threads"]
            head += f"{f'ln {t}t':>8}{f'torch {t}t':>10}{f'roof {t}t':>9}{f'ratio {t}t':>9}"
        print(head)
        for key in by_key[0]:
            if key[0] != workload:
                continue
            line = f"{key[1]:<22}"
            for rows in by_key:
                r = rows[key]
                line += (f"{r['ours']:>8.3f}{r['torch']:>10.3f}{r['ours'] / r['roofline']:>9.2f}"
                         f"{r['ours'] / r['torch']:>9.2f}")
            print(line)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--only", nargs="*", default=[])
    parser.add_argument("--child", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.repeat, args.only)
    else:
        main(args.repeat, args.threads, args.only)
