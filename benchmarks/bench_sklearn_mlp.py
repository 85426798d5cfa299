"""lucidnet.sklearn.MLPClassifier vs scikit-learn's MLPClassifier: same net, data and epochs.

Synthetic 10-class data (``--samples`` x 64 features, or ``--data mnist``: the first
``--samples`` MNIST test digits, 784 features), hidden (100,) and (256, 128), adam and sgd,
float64 and float32 input, ``batch_size='auto'`` (200), a fixed number of epochs
(``n_iter_no_change=inf``). Prints time ratios lucidnet/scikit-learn with BLAS limited to 1 and
to 2 threads (threadpoolctl; one fresh process per thread count, the two estimators interleaved,
best of ``--repeats``). Below 1 is faster than scikit-learn.

``--engine`` adds the ratio of the same training written on lucidnet's autograd engine
(``nn.Sequential`` + ``optim.Adam``/``SGD``, float32, same batches), the alternative
``lucidnet.sklearn.MLPClassifier`` was measured against.

    python benchmarks/bench_sklearn_mlp.py [--samples 5000] [--epochs 5] [--repeats 3]
                                          [--data synthetic|mnist] [--engine]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import run_isolated  # noqa: E402

NETS = ((100,), (256, 128))
SOLVERS = ("adam", "sgd")
DTYPES = ("float64", "float32")
MNIST_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist-t10k"


def _data(kind: str, samples: int):
    if kind == "mnist":
        from lucidnet.data import load_dataset

        folder = MNIST_DIR if MNIST_DIR.exists() else Path("/work/shared/data/mnist-t10k")
        data = load_dataset("mnist", path=folder)
        return data.X[:samples].astype(np.float64), data.y[:samples]
    rng = np.random.default_rng(0)
    centers = rng.standard_normal((10, 64)) * 1.5
    y = rng.integers(0, 10, samples)
    return centers[y] + rng.standard_normal((samples, 64)), y


def _engine_fit(X, y, hidden, solver, epochs, seed=0):
    """The same training on lucidnet's autograd engine (float32, batches of 200)."""
    import lucidnet as ln
    from lucidnet import nn, optim

    ln.manual_seed(seed)
    sizes = (X.shape[1],) + hidden + (int(y.max()) + 1,)
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    opt = (optim.Adam(model.parameters(), lr=1e-3) if solver == "adam"
           else optim.SGD(model.parameters(), lr=1e-3, momentum=0.9, nesterov=True))
    loss_fn = nn.CrossEntropyLoss()
    X = X.astype(np.float32)
    rng = np.random.RandomState(seed)
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for i in range(0, len(X), 200):
            idx = order[i:i + 200]
            loss = loss_fn(model(ln.Tensor(X[idx])), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()


def _fits(X, y, hidden, solver, epochs, engine):
    """The timed fits of one configuration: name -> callable."""
    from sklearn.neural_network import MLPClassifier as SkMLP

    from lucidnet.sklearn import MLPClassifier

    kw = {"hidden_layer_sizes": hidden, "solver": solver, "max_iter": epochs,
          "n_iter_no_change": np.inf, "random_state": 0}
    fits = {"ln": lambda: MLPClassifier(**kw).fit(X, y), "sk": lambda: SkMLP(**kw).fit(X, y)}
    if engine and X.dtype == np.float32:
        fits["engine"] = lambda: _engine_fit(X, y, hidden, solver, epochs)
    return fits


def run_configs(threads: int, data: str, samples: int, epochs: int, repeats: int,
                engine: bool) -> dict:
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads, user_api="blas")
    warnings.simplefilter("ignore", ConvergenceWarning)
    X64, y = _data(data, samples)
    out = {}
    for hidden in NETS:
        for solver in SOLVERS:
            for dtype in DTYPES:
                fits = _fits(X64.astype(dtype), y, hidden, solver, epochs, engine)
                best = dict.fromkeys(fits, float("inf"))
                for fit in fits.values():  # warm-up: first-call imports and allocations
                    fit()
                for _ in range(repeats):
                    for name, fit in fits.items():
                        t0 = time.perf_counter()
                        fit()
                        best[name] = min(best[name], time.perf_counter() - t0)
                key = f"{'-'.join(map(str, hidden))}|{solver}|{dtype}"
                out[key] = {name: best[name] / best["sk"] for name in best if name != "sk"}
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--samples", type=int, default=5000)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--data", choices=("synthetic", "mnist"), default="synthetic")
    p.add_argument("--engine", action="store_true",
                   help="also time the same training on lucidnet's autograd engine")
    args = p.parse_args(argv)
    script = os.path.abspath(__file__)
    kw = {"data": args.data, "samples": args.samples, "epochs": args.epochs,
          "repeats": args.repeats, "engine": args.engine}
    results = {t: run_isolated(script, "run_configs", threads=t, **kw) for t in (1, 2)}
    features = 784 if args.data == "mnist" else 64
    print(f"MLPClassifier fit time, lucidnet / scikit-learn ({args.data}: {args.samples} x "
          f"{features}, 10 classes, {args.epochs} epochs, batch 200, best of {args.repeats})")
    head = f"{'hidden':>9} {'solver':>6} {'dtype':>8} {'1 thread':>9} {'2 threads':>10}"
    if args.engine:
        head += f" {'engine 1t':>10} {'engine 2t':>10}"
    print(head)
    for key in results[1]:
        hidden, solver, dtype = key.split("|")
        r1, r2 = results[1][key], results[2][key]
        line = f"{hidden:>9} {solver:>6} {dtype:>8} {r1['ln']:>9.2f} {r2['ln']:>10.2f}"
        if args.engine:
            e1, e2 = r1.get("engine"), r2.get("engine")
            line += (f" {e1:>10.2f} {e2:>10.2f}" if e1 is not None else f" {'':>10} {'':>10}")
        print(line)


if __name__ == "__main__":
    main()
