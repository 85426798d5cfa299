"""Peak memory of a training run: lucidnet against PyTorch (CPU), same model, data and steps.

Each measurement runs in a fresh Python process (benchmarks/bench_all.py's ``measure``), so one
framework's allocator, buffer pools and thread pools never count against the other. Two numbers
per run, both read from the kernel (``/proc/self/statm`` and ``getrusage``):

* **working set** -- peak resident memory during the steady-state steps minus the resident
  memory before them (after imports, model, optimizer, data and one warm-up step on a
  1-sample batch exist, so that lazy loading and JIT compilation are not counted; the kernel's
  high-water mark is reset in between): what training at this batch size needs (activations kept
  for backward, gradients, optimizer state, temporaries);
* **peak RSS** -- the process's high-water mark over everything, imports and the first step
  included (PyTorch's shared libraries weigh ~300 MB before any tensor exists; NumPy's ~30 MB;
  Numba's compiler, loaded on the first step of the fused path, ~55 MB).

Usage: ``python benchmarks/bench_memory.py [--threads 1,2] [--steps 20]``. Prints ratios
(lucidnet / PyTorch, lower is better).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import bench_all  # noqa: E402  (the workloads and the fresh-process runner)
from _common import peak_rss_bytes, rss_bytes  # noqa: E402


def train_memory(framework: str, kind: str, steps: int, batch: int) -> dict:
    """Resident memory before training and at its peak, in bytes (runs in the subprocess)."""
    X, y = bench_all._batches(kind, batch, steps, 512, 28)
    if framework == "torch":
        import torch

        torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
        torch.manual_seed(0)
        model = (bench_all._torch_mlp(bench_all._mlp_sizes(512)) if kind == "mlp"
                 else bench_all._torch_cnn(kind == "cnn_bn", 28))
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = torch.nn.CrossEntropyLoss()
        Xs, ys = torch.from_numpy(X), torch.from_numpy(y)
    else:
        import lucidnet as ln
        from lucidnet import nn, optim

        ln.manual_seed(0)
        model = (bench_all._ln_mlp(bench_all._mlp_sizes(512)) if kind == "mlp"
                 else bench_all._ln_cnn(kind == "cnn_bn", 28))
        opt = optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = nn.CrossEntropyLoss()
        Xs, ys = [ln.Tensor(x) for x in X], list(y)
    def step(i, rows=None):
        loss = loss_fn(model(Xs[i % 8][:rows]), ys[i % 8][:rows])
        opt.zero_grad()
        loss.backward()
        opt.step()

    step(0, rows=1)   # one-time costs on a 1-sample batch: lazy library loading, JIT, caches
    start = rss_bytes()
    steady = _reset_high_water_mark()
    for i in range(1, steps + 1):
        step(i)
    high = _high_water_mark() if steady else peak_rss_bytes()
    return {"start": start, "peak": peak_rss_bytes(), "working": max(0, high - start)}


def _reset_high_water_mark() -> bool:
    """Reset the kernel's peak-RSS counter of this process (Linux: ``5 > /proc/self/clear_refs``)
    so that the steady-state steps are measured apart from the first step."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _high_water_mark() -> int:
    """VmHWM of /proc/self/status in bytes (the peak RSS since the last reset)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def measure(threads: int, **kwargs) -> dict:
    """``train_memory(**kwargs)`` in a fresh Python process with every thread variable set to
    ``threads`` before anything is imported."""
    env = dict(os.environ)
    for var in bench_all.THREAD_VARS:
        env[var] = str(threads)
    code = (f"import json, sys; sys.path.insert(0, {HERE!r}); import bench_memory as m; "
            f"print('RESULT' + json.dumps(m.train_memory(**json.loads(sys.argv[1]))))")
    proc = subprocess.run([sys.executable, "-c", code, json.dumps(kwargs)], capture_output=True,
                          text=True, env=env, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"train_memory({kwargs}) at {threads} thread(s) failed:\n{proc.stderr}")
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")][-1]
    return json.loads(line[len("RESULT"):])


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", default="1,2", help="thread counts, e.g. 1,2")
    p.add_argument("--steps", type=int, default=20, help="training steps per run")
    args = p.parse_args(argv)
    mib = 1024 ** 2
    print("peak memory, lucidnet / PyTorch (lower is better); MiB; fresh process per run\n")
    print(f"{'workload':<40} {'thr':>3} {'ln work':>8} {'th work':>8} {'ratio':>6} "
          f"{'ln peak':>8} {'th peak':>8} {'ratio':>6}")
    for title, kind, batch in (("MLP 784-512-512-10, batch 100, Adam", "mlp", 100),
                               ("CNN conv16-pool-conv32-pool-linear, b64", "cnn", 64),
                               ("CNN + BatchNorm, batch 64", "cnn_bn", 64)):
        for t in (int(v) for v in args.threads.split(",")):
            kw = {"kind": kind, "steps": args.steps, "batch": batch}
            ours = measure(t, framework="lucidnet", **kw)
            theirs = measure(t, framework="torch", **kw)
            print(f"{title:<40} {t:>3} {ours['working'] / mib:>8.1f} "
                  f"{theirs['working'] / mib:>8.1f} {ours['working'] / theirs['working']:>6.2f} "
                  f"{ours['peak'] / mib:>8.1f} {theirs['peak'] / mib:>8.1f} "
                  f"{ours['peak'] / theirs['peak']:>6.2f}", flush=True)


if __name__ == "__main__":
    main()
