"""Run under ``mpirun -n N python _trainer_worker.py SCENARIO OUT.npz`` by
tests/distributed/test_trainer_mpi.py (and once in one process, for the reference).

Each scenario builds the same float64 problem, trains it with `Trainer.fit` (data-parallel when a
process group of more than one rank is up) and writes what the test compares: rank 0 writes
OUT.npz, every rank writes OUT.rank<r>.npz with its own final weights and history.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time

import numpy as np

import lucidnet as ln
from lucidnet import nn, optim
from lucidnet.regularization import L2
from lucidnet.train import GracefulInterrupt, ModelCheckpoint, Trainer, load_checkpoint


def data(n=50, d=6, k=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(np.int64) + (X[:, 2] > 1).astype(np.int64)
    return X, y % k


def build(opt="sgd", batch_norm=False, seed=0):
    ln.manual_seed(seed)
    layers = [nn.Linear(6, 16)]
    if batch_norm:
        layers.append(nn.BatchNorm1d(16))
    layers += [nn.Tanh(), nn.Linear(16, 3)]
    model = nn.Sequential(*layers).double()
    if opt == "sgd":
        o = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    else:
        o = optim.Adam(model.parameters(), lr=0.01)
    return model, o


def trainer_for(opt="sgd", callbacks=(), penalty=True, batch_norm=False, loss=None):
    model, o = build(opt, batch_norm)
    return Trainer(model, loss or nn.CrossEntropyLoss(), o, metrics=["accuracy", "f1_macro"],
                   penalty=L2(1e-2) if penalty else None, callbacks=list(callbacks), verbose=0)


def weights(trainer) -> dict:
    return {k: np.array(v) for k, v in trainer.model.state_dict().items()}


def dump(path, trainer, **extra):
    out = {f"w/{k}": v for k, v in weights(trainer).items()}
    out["history"] = np.array(json.dumps(trainer.history.to_dict()))
    for k, v in extra.items():
        out[k] = np.asarray(v)
    np.savez(path, **out)


def main(scenario: str, path: str) -> None:
    from lucidnet import distributed as dist

    if dist.launched_under_mpi():
        dist.init_process_group()
    rank = dist.get_rank() if dist.is_initialized() else 0
    X, y = data()
    Xv, yv = data(n=21, seed=1)
    extra = {}
    if scenario in ("sgd", "adam"):
        trainer = trainer_for(scenario)
        trainer.fit(X, y, epochs=3, batch_size=16, validation_data=(Xv, yv), seed=3)
    elif scenario == "weighted":  # weighted, ignore_index cross-entropy; no penalty; no shuffle
        loss = nn.CrossEntropyLoss(weight=ln.tensor(np.array([1.0, 2.0, 0.5])), ignore_index=2)
        trainer = trainer_for("sgd", penalty=False, loss=loss)
        trainer.fit(X, y, epochs=2, batch_size=7, seed=1)
    elif scenario == "loader":
        from lucidnet.utils.data import DataLoader, TensorDataset

        trainer = trainer_for("adam")
        ds = TensorDataset(ln.tensor(X), ln.tensor(y))
        ln.manual_seed(5)
        loader = DataLoader(ds, batch_size=12, shuffle=True)
        val = DataLoader(TensorDataset(ln.tensor(Xv), ln.tensor(yv)), batch_size=5)
        trainer.fit(loader, epochs=2, validation_data=val)
    elif scenario == "sampler":  # each rank its own batches (DistributedSampler over 2 ranks)
        from lucidnet.utils.data import DataLoader, TensorDataset

        trainer = trainer_for("sgd")
        if dist.is_initialized():
            ds = TensorDataset(ln.tensor(X), ln.tensor(y))
            sampler = dist.DistributedSampler(ds, shuffle=False)
            loader = DataLoader(ds, batch_size=6, sampler=sampler)
        else:  # one process: the same global batches (rank 0's 6 rows, then rank 1's)
            shares = [np.arange(len(X))[r::2] for r in (0, 1)]
            loader = []
            for b in range(0, len(shares[0]), 6):
                idx = np.concatenate([sh[b:b + 6] for sh in shares])
                loader.append((X[idx], y[idx]))
        trainer.fit(loader, epochs=2)
    elif scenario == "augment":  # a random transform sees the global batch on every rank
        class Noise:
            def __init__(self):
                self.rng = np.random.default_rng(7)

            def __call__(self, xb):
                return xb + 0.1 * self.rng.normal(size=xb.shape)

        trainer = trainer_for("adam")
        trainer.fit(X, y, epochs=2, batch_size=16, seed=3, transform=Noise())
    elif scenario == "first":  # 2 epochs with a checkpoint, resumed elsewhere
        trainer = trainer_for("adam", callbacks=[ModelCheckpoint(path + ".ckpt.npz")])
        trainer.fit(X, y, epochs=2, batch_size=16, validation_data=(Xv, yv), seed=3)
    elif scenario == "resume":  # continue the checkpoint of "first" to epoch 4
        trainer = trainer_for("adam")
        load_checkpoint(os.environ["RESUME_FROM"], trainer)
        trainer.fit(X, y, epochs=4 - trainer.epoch, batch_size=16, validation_data=(Xv, yv),
                    seed=3)
    elif scenario == "straight":
        trainer = trainer_for("adam")
        trainer.fit(X, y, epochs=4, batch_size=16, validation_data=(Xv, yv), seed=3)
    elif scenario == "nan":  # rank $POISON_RANK (only) outputs a NaN at its 5th training step
        trainer = trainer_for("sgd")
        calls = {"n": 0}

        def poison(module, inputs, output):
            if module.training:
                calls["n"] += 1
                if rank == int(os.environ.get("POISON_RANK", "1")) and calls["n"] == 5:
                    output.data[...] = np.nan
            return output

        trainer.model[0].register_forward_hook(poison)
        import warnings

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            trainer.fit(X, y, epochs=3, batch_size=16, seed=3)
        extra = {"diverged": trainer.diverged, "divergence": str(trainer.divergence),
                 "warned": sum("diverged" in str(w.message) for w in caught)}
    elif scenario == "sigterm":  # runs until a signal comes; rank 0 writes the checkpoint
        ckpt = path + ".ckpt.npz"
        guard = GracefulInterrupt(ckpt, verbose=0)
        trainer = trainer_for("sgd", callbacks=[guard])
        Xl, yl = data(n=400)

        class Slow(ln.train.Callback):
            def on_batch_end(self, batch, logs=None):
                time.sleep(0.01)

            def on_epoch_end(self, epoch, logs=None):
                if epoch == 0:
                    print(f"READY {rank} {os.getpid()}", flush=True)

        trainer.callbacks.append(Slow())
        trainer.fit(Xl, yl, epochs=200, batch_size=16, seed=3)
        extra = {"interrupted": guard.interrupted, "signal": str(guard.signal_name),
                 "saved": os.path.exists(ckpt)}
    elif scenario == "callbacks":  # early stopping, a plateau schedule, a CSV log, fit twice
        from lucidnet.optim.lr_scheduler import ReduceLROnPlateau
        from lucidnet.train import CSVLogger, EarlyStopping

        stop = EarlyStopping("val_loss", patience=1, restore_best_weights=True, verbose=1)
        log = CSVLogger(f"{path}.log{rank}.csv")
        trainer = trainer_for("sgd", callbacks=[stop, log])
        trainer.optimizer.param_groups[0]["lr"] = 0.5   # overshoots: val_loss soon rises
        trainer.scheduler = ReduceLROnPlateau(trainer.optimizer, patience=0, factor=0.5)
        trainer.fit(X, y, epochs=30, batch_size=8, validation_data=(Xv, yv), seed=3)
        trainer.fit(X, y, epochs=2, batch_size=8, validation_data=(Xv, yv))  # continues
        extra = {"stopped": stop.stopped_epoch, "best": stop.best_epoch}
    elif scenario == "bn":  # plain BatchNorm: shard statistics, rank 0's running stats kept
        trainer = trainer_for("sgd", batch_norm=True)
        Xb, yb = data(n=52)
        trainer.fit(Xb, yb, epochs=2, batch_size=16, validation_data=(Xv, yv), seed=3)
    elif scenario == "syncbn":  # SyncBatchNorm: the one-process BatchNorm run, to rounding
        trainer = trainer_for("sgd", batch_norm=True)
        trainer.model = nn.SyncBatchNorm.convert_sync_batchnorm(trainer.model)
        Xb, yb = data(n=52)
        trainer.fit(Xb, yb, epochs=2, batch_size=16, validation_data=(Xv, yv), seed=3)
    elif scenario == "bn1":  # a shard of one sample cannot be batch-normalized: refused
        trainer = trainer_for("sgd", batch_norm=True)
        trainer.fit(X, y, epochs=1, batch_size=3, seed=3)
    elif scenario == "ddp":  # a DistributedDataParallel model would average a second time
        trainer = trainer_for("sgd")
        trainer.model = nn.parallel.DistributedDataParallel(trainer.model)
        trainer.fit(X, y, epochs=1, batch_size=16, seed=3)
    elif scenario == "mismatch":  # rank 1 has other data: refused before the first step
        trainer = trainer_for("sgd")
        trainer.fit(X + rank, y, epochs=1, batch_size=16, seed=3)
    else:
        raise SystemExit(f"unknown scenario {scenario}")
    dump(f"{path}.rank{rank}.npz", trainer, **extra)
    if rank == 0:
        dump(path, trainer, **extra)


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    main(sys.argv[1], sys.argv[2])
