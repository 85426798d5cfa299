"""Every ratio of issue 12 in one run: lucidnet / PyTorch (CPU) at 1 and 2 threads, with the
NumPy float32 GEMM roofline of this machine.

Workloads (float32, synthetic data, the same steps for both frameworks):

* ``mlp``   784-512-512-10 ReLU MLP, Adam, cross-entropy, batch 100
* ``tiny``  2-32-32-1 tanh MLP, Adam, MSE, batch 16 (per-op overhead bound)
* ``cnn``   Conv(1->16,3,pad 1)-ReLU-MaxPool2-Conv(16->32,3,pad 1)-ReLU-MaxPool2-Linear, Adam,
  cross-entropy, batch 64, 1x28x28 images; ``cnn_bn`` the same with BatchNorm2d after each conv
* ``sklearn`` ``lucidnet.sklearn.MLPClassifier`` vs scikit-learn's ``MLPClassifier``, hidden
  (100,), adam, 5 epochs, 5000 x 64 float32 samples (time ratio; the reference is scikit-learn)

plus the MLP ratio against width (64-2048, batch 100) and batch (16-1024, width 512), and the
CNN ratio against the image size (14-56), at 1 thread.

Each measurement runs in a fresh subprocess whose OMP/OPENBLAS/MKL thread variables are set
before NumPy or PyTorch is imported; lucidnet and PyTorch runs alternate and the best of
``--repeats`` is kept (the machine may be shared: ratios are more stable than times). The
roofline column is the time of the workload's matrix products alone in NumPy float32 (the
fraction of the step that is not GEMM is what a framework can still win or lose).

    python benchmarks/bench_all.py            # about 5 minutes
    python benchmarks/bench_all.py --quick    # about 1 minute, noisier
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


# ----------------------------------------------------------------------------- the workloads
def _mlp_sizes(width: int):
    return (784, width, width, 10)


def _tiny_sizes():
    return (2, 32, 32, 1)


def _ln_mlp(sizes, activation="relu"):
    from lucidnet import nn

    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU() if activation == "relu" else nn.Tanh())
    return nn.Sequential(*layers)


def _torch_mlp(sizes, activation="relu"):
    import torch.nn as tnn

    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(tnn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(tnn.ReLU() if activation == "relu" else tnn.Tanh())
    return tnn.Sequential(*layers)


def _ln_cnn(batch_norm: bool, size: int):
    from lucidnet import nn

    def block(c_in, c_out):
        bn = [nn.BatchNorm2d(c_out)] if batch_norm else []
        return [nn.Conv2d(c_in, c_out, 3, padding=1), *bn, nn.ReLU(), nn.MaxPool2d(2)]

    return nn.Sequential(*block(1, 16), *block(16, 32), nn.Flatten(),
                         nn.Linear(32 * (size // 4) ** 2, 10))


def _torch_cnn(batch_norm: bool, size: int):
    import torch.nn as tnn

    def block(c_in, c_out):
        bn = [tnn.BatchNorm2d(c_out)] if batch_norm else []
        return [tnn.Conv2d(c_in, c_out, 3, padding=1), *bn, tnn.ReLU(), tnn.MaxPool2d(2)]

    return tnn.Sequential(*block(1, 16), *block(16, 32), tnn.Flatten(),
                          tnn.Linear(32 * (size // 4) ** 2, 10))


def _problem(kind: str, width: int, batch: int, size: int):
    """(input shape without batch, number of classes or None for regression)."""
    if kind == "mlp":
        return (784,), 10
    if kind == "tiny":
        return (2,), None
    return (1, size, size), 10


def _batches(kind, batch, steps, width, size):
    shape, classes = _problem(kind, width, batch, size)
    rng = np.random.default_rng(0)
    pool = 8  # a few distinct batches, cycled (data generation stays out of the timing)
    X = rng.standard_normal((pool, batch) + shape, dtype=np.float32)
    if classes is None:
        y = (X[..., :1] * X[..., 1:]).astype(np.float32)
    else:
        y = rng.integers(0, classes, (pool, batch))
    return X, y


def train_steps(framework: str, kind: str, steps: int, batch: int, width: int = 512,
                size: int = 28) -> dict:
    """Seconds per training step (forward, loss, zero_grad, backward, Adam step), best of 3
    blocks of ``steps`` after a warm-up block; runs inside the measuring subprocess."""
    X, y = _batches(kind, batch, steps, width, size)
    if framework == "torch":
        import torch

        torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
        torch.manual_seed(0)
        model = (_torch_mlp(_mlp_sizes(width)) if kind == "mlp"
                 else _torch_mlp(_tiny_sizes(), "tanh") if kind == "tiny"
                 else _torch_cnn(kind == "cnn_bn", size))
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = torch.nn.MSELoss() if kind == "tiny" else torch.nn.CrossEntropyLoss()
        Xs, ys = torch.from_numpy(X), torch.from_numpy(y)

        def step(i):
            loss = loss_fn(model(Xs[i % 8]), ys[i % 8])
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss
    else:
        import lucidnet as ln
        from lucidnet import nn, optim

        ln.manual_seed(0)
        model = (_ln_mlp(_mlp_sizes(width)) if kind == "mlp"
                 else _ln_mlp(_tiny_sizes(), "tanh") if kind == "tiny"
                 else _ln_cnn(kind == "cnn_bn", size))
        opt = optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = nn.MSELoss() if kind == "tiny" else nn.CrossEntropyLoss()
        Xs = [ln.Tensor(x) for x in X]
        ys = [ln.Tensor(t) for t in y] if kind == "tiny" else list(y)

        def step(i):
            loss = loss_fn(model(Xs[i % 8]), ys[i % 8])
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss
    best = float("inf")
    for block in range(4):
        t0 = time.perf_counter()
        for i in range(steps):
            step(i)
        if block:  # block 0 warms up (JIT, buffer pools, thread pools)
            best = min(best, (time.perf_counter() - t0) / steps)
    return {"seconds": best}


def roofline_steps(kind: str, steps: int, batch: int, width: int = 512, size: int = 28) -> dict:
    """The same step's matrix products alone (forward, dW and dX), NumPy float32: the floor
    a NumPy framework cannot beat; also reports the GEMM rate in GFLOP/s."""
    rng = np.random.default_rng(0)
    if kind in ("mlp", "tiny"):
        sizes = _mlp_sizes(width) if kind == "mlp" else _tiny_sizes()
        # (rows, inner, cols) of every product: forward x W^T, backward g^T x and g W
        shapes = []
        for k, (i, o) in enumerate(zip(sizes[:-1], sizes[1:])):
            shapes += [(batch, i, o), (o, batch, i)] + ([(batch, o, i)] if k else [])
    else:  # im2col GEMMs of the two convs and the linear layer
        p1, p2 = size * size, (size // 2) ** 2
        shapes = [(16, 9, batch * p1), (16, batch * p1, 9),
                  (32, 144, batch * p2), (32, batch * p2, 144), (144, 32, batch * p2),
                  (batch, 32 * (size // 4) ** 2, 10), (10, batch, 32 * (size // 4) ** 2),
                  (batch, 10, 32 * (size // 4) ** 2)]
    ops = [(rng.standard_normal((m, k), dtype=np.float32),
            rng.standard_normal((k, n), dtype=np.float32),
            np.empty((m, n), np.float32)) for m, k, n in shapes]
    flops = sum(2 * m * k * n for m, k, n in shapes)
    best = float("inf")
    for block in range(4):
        t0 = time.perf_counter()
        for _ in range(steps):
            for a, b, out in ops:
                np.matmul(a, b, out=out)
        if block:
            best = min(best, (time.perf_counter() - t0) / steps)
    return {"seconds": best, "gflops": flops / best / 1e9}


def sklearn_fit(framework: str, epochs: int, samples: int) -> dict:
    """Seconds of one fit of lucidnet's or scikit-learn's MLPClassifier (best of 2)."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    if framework == "sklearn":
        from sklearn.neural_network import MLPClassifier
    else:
        from lucidnet.sklearn import MLPClassifier
    rng = np.random.default_rng(0)
    centers = rng.standard_normal((10, 64)) * 1.5
    y = rng.integers(0, 10, samples)
    X = (centers[y] + rng.standard_normal((samples, 64))).astype(np.float32)
    kw = {"hidden_layer_sizes": (100,), "solver": "adam", "max_iter": epochs,
          "n_iter_no_change": np.inf, "random_state": 0}
    best = float("inf")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        MLPClassifier(**{**kw, "max_iter": 1}).fit(X[:500], y[:500])  # warm-up
        for _ in range(2):
            t0 = time.perf_counter()
            MLPClassifier(**kw).fit(X, y)
            best = min(best, time.perf_counter() - t0)
    return {"seconds": best}


# ----------------------------------------------------------------------------- the driver
def measure(function: str, threads: int, **kwargs) -> dict:
    """``function(**kwargs)`` of this file in a fresh Python process with every thread
    variable set to ``threads`` before anything is imported."""
    env = dict(os.environ)
    for var in THREAD_VARS:
        env[var] = str(threads)
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    code = (f"import json, sys; sys.path.insert(0, {HERE!r}); import bench_all as m; "
            f"print('RESULT' + json.dumps(m.{function}(**json.loads(sys.argv[1]))))")
    proc = subprocess.run([sys.executable, "-c", code, json.dumps(kwargs)], capture_output=True,
                          text=True, env=env, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"{function}({kwargs}) at {threads} thread(s) failed:\n{proc.stderr}")
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")][-1]
    return json.loads(line[len("RESULT"):])


def compare(threads: int, repeats: int, ours: tuple, theirs: tuple) -> tuple[float, float]:
    """Best time of each of two measurements, alternated ``repeats`` times."""
    a = b = float("inf")
    for _ in range(repeats):
        a = min(a, measure(ours[0], threads, **ours[1])["seconds"])
        b = min(b, measure(theirs[0], threads, **theirs[1])["seconds"])
    return a, b


def _steps_for(kind: str, quick: bool, batch: int = 100, width: int = 512, size: int = 28):
    """Enough steps per timed block for ~0.1-0.3 s of work."""
    if kind == "tiny":
        n = 400
    elif kind == "mlp":
        n = max(5, int(3e8 / (2 * batch * (784 * width + width * width) * 3)))
    else:
        n = max(3, int(8 * (28 / size) ** 2))
    return max(3, n // 2) if quick else n


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer steps and repeats (~1 minute)")
    p.add_argument("--repeats", type=int, default=None, help="alternations per ratio")
    p.add_argument("--threads", default="1,2", help="thread counts, e.g. 1,2")
    p.add_argument("--no-sweeps", action="store_true", help="only the issue's table")
    args = p.parse_args(argv)
    repeats = args.repeats or (1 if args.quick else 2)
    threads = [int(t) for t in args.threads.split(",")]
    try:
        import lucidnet._fast as fast

        path = "fused (Numba)" if fast.enabled() else "NumPy reference"
    except ImportError:  # pragma: no cover
        path = "?"
    print(f"lucidnet / PyTorch time ratios (lower is better); lucidnet path: {path}; "
          f"best of {repeats}; {os.cpu_count()} CPUs")
    workloads = [("MLP 784-512-512-10, batch 100, Adam", "mlp", 100),
                 ("tiny 2-32-32-1, batch 16", "tiny", 16),
                 ("CNN conv16-pool-conv32-pool-linear, batch 64", "cnn", 64),
                 ("CNN + BatchNorm, batch 64", "cnn_bn", 64)]
    print(f"\n{'workload':<46} {'thr':>3} {'ln ms':>8} {'torch ms':>9} {'ln/torch':>9} "
          f"{'gemm ms':>8} {'ln/gemm':>8} {'GFLOP/s':>8}")
    for title, kind, batch in workloads:
        for t in threads:
            steps = _steps_for(kind, args.quick, batch)
            kw = {"kind": kind, "steps": steps, "batch": batch}
            ln_s, th_s = compare(t, repeats, ("train_steps", {"framework": "lucidnet", **kw}),
                                 ("train_steps", {"framework": "torch", **kw}))
            roof = measure("roofline_steps", t, **kw)
            print(f"{title:<46} {t:>3} {ln_s * 1e3:>8.3f} {th_s * 1e3:>9.3f} "
                  f"{ln_s / th_s:>9.2f} {roof['seconds'] * 1e3:>8.3f} "
                  f"{ln_s / roof['seconds']:>8.2f} {roof['gflops']:>8.1f}", flush=True)
    samples, epochs = (2000, 3) if args.quick else (5000, 5)
    for t in threads:
        kw = {"epochs": epochs, "samples": samples}
        ln_s, sk_s = compare(t, repeats, ("sklearn_fit", {"framework": "lucidnet", **kw}),
                             ("sklearn_fit", {"framework": "sklearn", **kw}))
        print(f"{'sklearn MLPClassifier (100,), adam (vs sklearn)':<46} {t:>3} "
              f"{ln_s * 1e3:>8.1f} {sk_s * 1e3:>9.1f} {ln_s / sk_s:>9.2f}", flush=True)
    if args.no_sweeps:
        return
    t = threads[0]
    widths = (64, 512, 2048) if args.quick else (64, 128, 256, 512, 1024, 2048)
    batches = (16, 100, 1024) if args.quick else (16, 32, 64, 128, 256, 512, 1024)
    sizes = (14, 28, 56) if args.quick else (14, 28, 42, 56)
    print(f"\nsweeps at {t} thread(s): ratio lucidnet/torch (and lucidnet/gemm roofline)")
    for label, values, make in (
            ("MLP width (batch 100)", widths, lambda v: {"kind": "mlp", "batch": 100, "width": v}),
            ("MLP batch (width 512)", batches, lambda v: {"kind": "mlp", "batch": v}),
            ("CNN image size (batch 64)", sizes, lambda v: {"kind": "cnn", "batch": 64,
                                                             "size": v})):
        cells = []
        for v in values:
            kw = make(v)
            kw["steps"] = _steps_for(kw["kind"], args.quick, kw["batch"], kw.get("width", 512),
                                     kw.get("size", 28))
            ln_s, th_s = compare(t, 1, ("train_steps", {"framework": "lucidnet", **kw}),
                                 ("train_steps", {"framework": "torch", **kw}))
            roof = measure("roofline_steps", t, **kw)
            cells.append(f"{v}: {ln_s / th_s:.2f} ({ln_s / roof['seconds']:.1f})")
        print(f"{label:<28} " + "  ".join(cells), flush=True)


if __name__ == "__main__":
    main()
