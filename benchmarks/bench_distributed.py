"""Data-parallel training over MPI: steps/s at 1 and 2 ranks, the allreduce share of a step, and a
cost model of where scaling stops (8-64 ranks).

Workload: a 784-1024-1024-10 ReLU MLP (1.85 M parameters, 7.4 MB of float32 gradients), SGD with
momentum, a global batch of 256 split over the ranks (strong scaling: the same updates as one
process). Each configuration runs in its own ``mpirun`` job with one BLAS thread per rank, so
"2 ranks" and "1 rank x 2 threads" use the same two cores. Three ways to train:

- ``lucidnet DDP``: ``nn.parallel.DistributedDataParallel`` (bucketed Iallreduce during backward);
- ``lucidnet flat``: backward, then ONE blocking Allreduce of the flat gradient buffer (what
  ``Trainer.fit`` does under MPI): its time is the allreduce share printed;
- ``PyTorch DDP`` (gloo, if torch is installed): the reference.

    python benchmarks/bench_distributed.py [--steps 30] [--batch 256]

Prints ratios (machines are shared and noisy; seconds are only for the model): speedup of 2 ranks
over 1 rank at 1 thread, 2 ranks against 1 rank x 2 threads, lucidnet / PyTorch step time, and the
predicted step time at 8-64 ranks from the measured compute, the ring-allreduce volume
2(n-1)/n x gradient bytes, and an assumed network bandwidth (see docs/distributed.md).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

SIZES = (784, 1024, 1024, 10)
HERE = os.path.dirname(os.path.abspath(__file__))


def _data(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, SIZES[0]), dtype=np.float32), rng.integers(0, SIZES[-1], n)


def _lucidnet_worker(mode: str, steps: int, batch: int) -> dict:
    import lucidnet as ln
    import lucidnet.distributed as dist
    from lucidnet import nn, optim

    dist.init_process_group()
    rank, world = dist.get_rank(), dist.get_world_size()
    ln.manual_seed(0)
    net = nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(),
                        nn.Linear(1024, 10))
    model = nn.parallel.DistributedDataParallel(net) if mode == "ddp" else net
    params = list(net.parameters())
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    X, y = _data(batch * 4)
    shard = np.array_split(np.arange(batch), world)[rank]
    flat = np.zeros(sum(p.data.size for p in params), dtype=np.float32)
    comm_seconds = 0.0
    times = []
    for step in range(steps + 3):          # 3 warm-up steps
        start = (step % 4) * batch
        idx = start + shard
        dist.barrier()
        t0 = time.perf_counter()
        out = model(ln.Tensor(X[idx]))
        loss = loss_fn(out, y[idx])
        opt.zero_grad()
        loss.backward()
        if mode == "flat" and world > 1:
            offset = 0
            for p in params:
                flat[offset:offset + p.data.size] = p.grad.data.reshape(-1)
                offset += p.data.size
            c0 = time.perf_counter()
            dist.all_reduce(flat)
            c1 = time.perf_counter()
            flat /= world
            offset = 0
            for p in params:
                p.grad.data[...] = flat[offset:offset + p.data.size].reshape(p.data.shape)
                offset += p.data.size
            if step >= 3:
                comm_seconds += c1 - c0
        opt.step()
        if step >= 3:
            times.append(time.perf_counter() - t0)
    step_s = float(np.median(times))
    result = {"step_seconds": step_s, "allreduce_seconds": comm_seconds / steps,
              "grad_bytes": int(flat.nbytes), "loss": float(loss.data)}
    dist.destroy_process_group()
    return result if rank == 0 else {}


def _torch_worker(rank: int, world: int, steps: int, batch: int, port: int, out: str) -> None:
    import torch
    import torch.distributed as tdist

    torch.set_num_threads(1)
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    tdist.init_process_group("gloo", rank=rank, world_size=world)
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(784, 1024), torch.nn.ReLU(),
                              torch.nn.Linear(1024, 1024), torch.nn.ReLU(),
                              torch.nn.Linear(1024, 10))
    model = torch.nn.parallel.DistributedDataParallel(net)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    X, y = _data(batch * 4)
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    shard = torch.from_numpy(np.array_split(np.arange(batch), world)[rank])
    times = []
    for step in range(steps + 3):
        idx = (step % 4) * batch + shard
        tdist.barrier()
        t0 = time.perf_counter()
        loss = torch.nn.functional.cross_entropy(model(X[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step >= 3:
            times.append(time.perf_counter() - t0)
    if rank == 0:
        with open(out, "w") as f:
            json.dump({"step_seconds": float(np.median(times))}, f)
    tdist.destroy_process_group()


def _mpirun() -> str | None:
    beside = os.path.join(os.path.dirname(sys.executable), "mpirun")
    return beside if os.path.exists(beside) else shutil.which("mpirun")


def run_lucidnet(mode: str, ranks: int, threads: int, steps: int, batch: int) -> dict:
    mpirun = _mpirun()
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads))
    code = (f"import json, sys; sys.path.insert(0, {HERE!r}); import bench_distributed as b; "
            f"r = b._lucidnet_worker({mode!r}, {steps}, {batch}); "
            "print('RESULT' + json.dumps(r)) if r else None")
    proc = subprocess.run([mpirun, "-n", str(ranks), sys.executable, "-c", code],
                          capture_output=True, text=True, env=env, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"mpirun -n {ranks} ({mode}) failed:\n{proc.stderr[-2000:]}")
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")][-1]
    return json.loads(line[len("RESULT"):])


def run_torch(ranks: int, steps: int, batch: int) -> dict | None:
    try:
        import torch.multiprocessing as tmp
    except ImportError:
        return None
    with tempfile.TemporaryDirectory() as tmpdir:
        out = os.path.join(tmpdir, "torch.json")
        port = 29500 + os.getpid() % 1000
        tmp.spawn(_torch_worker, args=(ranks, steps, batch, port, out), nprocs=ranks, join=True)
        with open(out) as f:
            return json.load(f)


def cost_model(compute_1: float, grad_bytes: int, bandwidths_gbit=(10, 25, 100),
               latency_s: float = 20e-6, ranks=(1, 2, 8, 16, 32, 64)) -> list[str]:
    """Strong scaling of a fixed global batch: step(n) = compute_1 / n + ring allreduce(n), with
    ring allreduce(n) = 2(n-1)/n * grad_bytes / bandwidth + 2(n-1) * latency."""
    lines = ["predicted step time and speedup over 1 rank (strong scaling, same global batch):",
             "  ranks " + "".join(f"  {bw:>4d} Gbit/s: step  speedup" for bw in bandwidths_gbit)]
    for n in ranks:
        cells = []
        for bw in bandwidths_gbit:
            comm = 0.0 if n == 1 else 2 * (n - 1) / n * grad_bytes / (bw * 1e9 / 8) + \
                2 * (n - 1) * latency_s
            step = compute_1 / n + comm
            cells.append(f"  {' ' * 8}{step * 1e3:8.2f} ms {compute_1 / step:6.2f}x")
        lines.append(f"  {n:5d} " + "".join(cells))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--batch", type=int, default=256)
    args = parser.parse_args()
    if _mpirun() is None:
        sys.exit("bench_distributed needs mpirun: pip install \"lucidnet[distributed]\"")
    one = run_lucidnet("flat", 1, 1, args.steps, args.batch)
    one_2t = run_lucidnet("flat", 1, 2, args.steps, args.batch)
    flat2 = run_lucidnet("flat", 2, 1, args.steps, args.batch)
    ddp2 = run_lucidnet("ddp", 2, 1, args.steps, args.batch)
    ddp1 = run_lucidnet("ddp", 1, 1, args.steps, args.batch)
    print(f"MLP {'-'.join(map(str, SIZES))}, global batch {args.batch}, SGD momentum, "
          f"{one['grad_bytes'] / 1e6:.1f} MB of gradients, median of {args.steps} steps")
    print(f"  1 rank  x 1 thread : {1 / one['step_seconds']:7.1f} steps/s")
    print(f"  1 rank  x 2 threads: {1 / one_2t['step_seconds']:7.1f} steps/s")
    print(f"  2 ranks x 1 thread : {1 / flat2['step_seconds']:7.1f} steps/s (flat allreduce), "
          f"{1 / ddp2['step_seconds']:7.1f} steps/s (DDP)")
    share = flat2["allreduce_seconds"] / flat2["step_seconds"]
    print(f"ratios: 2 ranks / 1 rank speedup {one['step_seconds'] / flat2['step_seconds']:.2f}x "
          f"(flat), {ddp1['step_seconds'] / ddp2['step_seconds']:.2f}x (DDP); 2 ranks vs 1 rank x "
          f"2 threads {one_2t['step_seconds'] / flat2['step_seconds']:.2f}x; allreduce share of a "
          f"2-rank step {share:.0%}")
    bandwidth = flat2["grad_bytes"] / max(flat2["allreduce_seconds"], 1e-9)
    print(f"measured allreduce of {flat2['grad_bytes'] / 1e6:.1f} MB over 2 ranks: "
          f"{flat2['allreduce_seconds'] * 1e3:.2f} ms ({bandwidth * 8 / 1e9:.1f} Gbit/s shared memory)")
    try:
        t1, t2 = run_torch(1, args.steps, args.batch), run_torch(2, args.steps, args.batch)
    except Exception as err:  # noqa: BLE001 - the reference is optional
        print(f"PyTorch DDP (gloo): skipped ({type(err).__name__}: {err})")
        t1 = t2 = None
    if t1 and t2:
        print(f"PyTorch DDP (gloo): 1 rank {1 / t1['step_seconds']:.1f} steps/s, 2 ranks "
              f"{1 / t2['step_seconds']:.1f} steps/s; lucidnet / PyTorch step time: 1 rank "
              f"{ddp1['step_seconds'] / t1['step_seconds']:.2f}, 2 ranks "
              f"{ddp2['step_seconds'] / t2['step_seconds']:.2f}")
    for line in cost_model(one["step_seconds"], one["grad_bytes"]):
        print(line)


if __name__ == "__main__":
    main()
