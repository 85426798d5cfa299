"""Run folders: what ``lucidnet train / evaluate / predict`` do, as plain functions.

A run folder holds ``config.json`` (every option of the run), ``model.npz`` (final weights, with
the input scaler and task in its metadata), ``last.npz`` (a full checkpoint after every epoch:
model, optimizer, schedule, RNGs, history), ``best.npz`` (best validation loss), ``history.csv``,
``metrics.json`` and the figures (learning curve, confusion matrix, ROC curves).

Resuming (``lucidnet train --resume RUN_DIR``) rebuilds everything from ``config.json`` with the
same seed and continues from ``last.npz``: the final weights equal an uninterrupted run's.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Prepared",
    "RunError",
    "build_trainer",
    "evaluate_run",
    "predict_file",
    "prepare_data",
    "train_run",
]


class RunError(ValueError):
    """A user mistake about a run (bad option, missing folder): reported in one line."""


@dataclass
class Prepared:
    ds: object
    X_train: np.ndarray
    y_train: np.ndarray
    validation: tuple | None
    X_test: np.ndarray
    y_test: np.ndarray
    scaler: object
    classification: bool


def _reshape_for(model_kind: str, image_shape, A: np.ndarray) -> np.ndarray:
    return A.reshape((len(A),) + tuple(image_shape)) if model_kind == "cnn" else A


def prepare_data(cfg: dict) -> Prepared:
    """Load the dataset, split it (stratified, seeded), standardize with training statistics."""
    from . import data

    try:
        ds = data.load_dataset(cfg["dataset"], **({"path": cfg["data_path"]} if cfg.get("data_path") else {}))
    except (TypeError, ValueError) as err:
        raise RunError(str(err)) from None
    if cfg["model"] == "cnn" and ds.image_shape is None:
        raise RunError(f"--model cnn needs image or signal data; {cfg['dataset']!r} is tabular "
                       "(use --model mlp)")
    classification = ds.task == "classification"
    seed = cfg["seed"]
    strat = (lambda y: y) if classification else (lambda y: None)
    if ds.X_test is not None:  # the dataset defines its own test split (MNIST-1D)
        X_train, X_test, y_train, y_test = ds.X, ds.X_test, ds.y, ds.y_test
    else:
        X_train, X_test, y_train, y_test = data.train_test_split(
            ds.X, ds.y, test_size=cfg["test_size"], random_state=seed, stratify=strat(ds.y))
    validation = None
    if cfg["val_size"] > 0:
        X_train, X_val, y_train, y_val = data.train_test_split(
            X_train, y_train, test_size=cfg["val_size"], random_state=seed, stratify=strat(y_train))
        validation = (X_val, y_val)
    if cfg["train_fraction"] < 1.0:
        X_train, _, y_train, _ = data.train_test_split(
            X_train, y_train, train_size=cfg["train_fraction"], random_state=seed,
            stratify=strat(y_train))
    flat = X_train.reshape(len(X_train), -1)
    scaler = data.StandardScaler().fit(flat)
    if ds.image_shape is not None:
        # images get ONE mean and std for every pixel: per-pixel z-scores would give the almost
        # constant border pixels huge scales, and a shifted or rotated stroke (augmentation)
        # would land there as an outlier of hundreds of standard deviations
        scaler.mean_ = np.full(flat.shape[1], flat.mean())
        scaler.scale_ = np.full(flat.shape[1], flat.std() or 1.0)

    def prepare(A):
        A = scaler.transform(A.reshape(len(A), -1)).astype(np.float32)
        return _reshape_for(cfg["model"], ds.image_shape, A)

    if validation is not None:
        validation = (prepare(validation[0]), validation[1])
    return Prepared(ds, prepare(X_train), y_train, validation, prepare(X_test), y_test, scaler,
                    classification)


def _default_lr(optimizer: str) -> float:
    if optimizer in ("adam", "adamw", "adamax", "nadam", "amsgrad"):
        return 1e-3
    if optimizer in ("sgd", "momentum", "nesterov"):
        return 0.05
    return 0.01


def schedule_defaults(name: str, lr: float, epochs: int, steps_per_epoch: int) -> dict:
    """Sensible arguments for each schedule from the run's length (overridable). Epoch-stepped
    schedules count epochs, batch-stepped ones (cyclic, onecycle) count batches."""
    if name in ("lambda", "sequential"):
        raise RunError(f"schedule {name!r} needs Python callables or sub-schedules and is not "
                       "available from the command line; try warmup_cosine, cosine or step")
    return {
        "step": {"step_size": max(1, epochs // 3)},
        "multistep": {"milestones": [max(1, epochs // 2), max(2, (3 * epochs) // 4)]},
        "linear": {"total_iters": max(1, epochs // 5)},
        "exponential": {"gamma": 0.95},
        "polynomial": {"total_iters": epochs},
        "cosine": {"T_max": epochs},
        "cosine_warm_restarts": {"T_0": max(1, epochs // 3)},
        "warmup_cosine": {"warmup_steps": max(1, epochs // 10), "total_steps": max(2, epochs)},
        "cyclic": {"base_lr": lr / 10, "max_lr": lr, "step_size_up": 2 * steps_per_epoch,
                   "cycle_momentum": False},
        "onecycle": {"max_lr": lr, "total_steps": epochs * steps_per_epoch},
        "plateau": {"patience": 5},
    }.get(name, {})


def _build_model(cfg: dict, ds, n_out: int):
    from . import models

    if cfg["model"] == "cnn":
        shape = ds.image_shape
        return models.CNN(in_channels=shape[0], image_size=shape[1:] if len(shape) > 2 else shape[1],
                          num_classes=n_out, batch_norm=cfg["batch_norm"], dropout=cfg["dropout"])
    return models.MLP(int(ds.X[0].size), hidden=tuple(cfg["hidden"]), out_features=n_out,
                      activation=cfg["activation"], dropout=cfg["dropout"],
                      batch_norm=cfg["batch_norm"], init=cfg["init"])


def build_trainer(cfg: dict, prep: Prepared, callbacks=()):
    """Model, loss, optimizer, schedule, penalty and Trainer for a run configuration."""
    from . import nn, optim
    from .optim import lr_scheduler
    from .random import manual_seed
    from .regularization import L1, L2, Penalty
    from .train import EarlyStopping, Trainer

    manual_seed(cfg["seed"])
    n_out = prep.ds.n_classes if prep.classification else 1
    model = _build_model(cfg, prep.ds, n_out)
    loss = nn.CrossEntropyLoss() if prep.classification else nn.MSELoss()
    lr = cfg["lr"] if cfg["lr"] is not None else _default_lr(cfg["optimizer"])
    opt_kwargs = {"lr": lr}
    if cfg["weight_decay"]:
        opt_kwargs["weight_decay"] = cfg["weight_decay"]
    if cfg["momentum"] is not None:
        opt_kwargs["momentum"] = cfg["momentum"]
    optimizer = optim.get_optimizer(cfg["optimizer"], model.parameters(), **opt_kwargs)
    scheduler = None
    if cfg["schedule"]:
        steps = int(np.ceil(len(prep.X_train) / cfg["batch_size"]))
        kwargs = schedule_defaults(cfg["schedule"], lr, cfg["epochs"], steps)
        kwargs.update(cfg.get("schedule_options") or {})
        scheduler = lr_scheduler.get_scheduler(cfg["schedule"], optimizer, **kwargs)
    l1, l2 = cfg.get("l1") or 0.0, cfg.get("l2") or 0.0
    penalty = Penalty(l1=l1, l2=l2) if (l1 and l2) else L1(l1) if l1 else L2(l2) if l2 else None
    callbacks = list(callbacks)
    if cfg.get("early_stopping"):
        if prep.validation is None:
            raise RunError("--early-stopping needs validation data: use --val-size > 0")
        callbacks.insert(0, EarlyStopping("val_loss", patience=cfg["early_stopping"],
                                          restore_best_weights=True))
    metric_names = ["accuracy", "f1_macro"] if prep.classification else ["r2", "rmse", "mae"]
    trainer = Trainer(model, loss, optimizer, metrics=metric_names, scheduler=scheduler,
                      penalty=penalty, callbacks=callbacks, verbose=0 if cfg["quiet"] else 1)
    return trainer, lr


def _augmentation(cfg: dict, ds):
    from . import data

    if not cfg.get("augment"):
        return None
    if ds.image_shape is None:
        raise RunError(f"--augment needs image data; {cfg['dataset']!r} is tabular")
    try:
        return data.build_augmentation(cfg["augment"], seed=cfg["seed"],
                                       image_shape=tuple(ds.image_shape) if cfg["model"] == "mlp" else None)
    except ValueError as err:
        raise RunError(str(err)) from None


def _write_json(path, obj) -> None:
    tmp = f"{path}.tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=2)
    os.replace(tmp, path)


def _close(fig) -> None:
    """Free a figure once it is written (a long session would otherwise keep them all)."""
    from .plot._backend import pyplot

    pyplot().close(fig)


def _format_matrix(cm) -> str:
    width = max(len(str(int(v))) for v in cm.reshape(-1)) + 1
    return "\n".join("  " + "".join(str(int(v)).rjust(width) for v in row) for row in cm)


def report(trainer, X, y, classification: bool, out: str | None, class_names=None) -> dict:
    """Print the test report and draw its figures into ``out``; returns the numbers."""
    from . import metrics, plot

    results = {k: float(v) for k, v in trainer.evaluate(X, y).items()}
    if classification:
        y_pred = trainer.predict(X)
        cm = metrics.confusion_matrix(y, y_pred, labels=np.arange(trainer.model_outputs))
        results["macro_f1"] = float(metrics.f1_score(y, y_pred, average="macro"))
        print(f"test accuracy : {results['accuracy']:.4f}")
        print(f"test macro F1 : {results['macro_f1']:.4f}")
        print("confusion matrix (rows = true class, columns = predicted):")
        print(_format_matrix(cm))
        print(metrics.classification_report(y, y_pred, digits=4, zero_division=0))
        results["confusion_matrix"] = cm.tolist()
        if out:
            names = class_names or [str(i) for i in range(cm.shape[0])]
            _close(plot.confusion_matrix(cm, labels=names,
                                         path=os.path.join(out, "confusion_matrix.png")))
            _close(plot.roc_curves(y, trainer.predict_proba(X), labels=names,
                                   path=os.path.join(out, "roc_curves.png")))
    else:
        y_pred = trainer.predict(X).reshape(-1)
        r2 = float(metrics.r2_score(y, y_pred))
        results["r2_quality"] = metrics.r2_quality(r2)
        print(f"test R^2 : {r2:.4f} ({results['r2_quality']})")
        print(f"test RMSE: {results['rmse']:.4f}   MAE: {results['mae']:.4f}")
    return results


def train_run(cfg: dict, resume: bool = False) -> int:
    """Train as configured into ``cfg["out"]``; with ``resume`` continue from its last.npz."""
    from . import io, plot
    from .train import GracefulInterrupt, ModelCheckpoint, load_checkpoint

    out = cfg["out"]
    os.makedirs(out, exist_ok=True)
    prep = prepare_data(cfg)
    last, best = os.path.join(out, "last.npz"), os.path.join(out, "best.npz")
    guard = GracefulInterrupt(last, verbose=0)
    callbacks = [ModelCheckpoint(last), guard]
    monitor = None
    if cfg.get("diagnose"):
        from .train import GradientMonitor

        monitor = GradientMonitor(probe=prep.X_train[:256])
        callbacks.append(monitor)
    if prep.validation is not None:
        callbacks.insert(0, ModelCheckpoint(best, monitor="val_loss", save_best_only=True))
    trainer, lr = build_trainer(cfg, prep, callbacks)
    trainer.model_outputs = prep.ds.n_classes if prep.classification else 1
    if resume:
        load_checkpoint(last, trainer)
        print(f"lucidnet train: resuming {out} after epoch {trainer.epoch} of {cfg['epochs']}")
    else:
        _write_json(os.path.join(out, "config.json"), cfg)
    n_val = 0 if prep.validation is None else len(prep.validation[0])
    print(f"lucidnet train: {cfg['dataset']} ({len(prep.X_train)} train / {n_val} validation / "
          f"{len(prep.X_test)} test), model {cfg['model']}, optimizer {cfg['optimizer']} "
          f"lr={lr:g}, seed {cfg['seed']}")
    print(trainer.model)
    start = time.perf_counter()
    remaining = max(0, cfg["epochs"] - trainer.epoch)
    history = trainer.fit(prep.X_train, prep.y_train, epochs=remaining, batch_size=cfg["batch_size"],
                          validation_data=prep.validation, seed=cfg["seed"],
                          transform=_augmentation(cfg, prep.ds))
    seconds = time.perf_counter() - start
    history.to_csv(os.path.join(out, "history.csv"))
    if guard.interrupted:
        print(f"interrupted by {guard.signal_name}: checkpoint saved to {last}; continue with "
              f"'lucidnet train --resume {out}'")
        return 130
    print()
    results = report(trainer, prep.X_test, prep.y_test, prep.classification, out,
                     class_names=prep.ds.target_names)
    io.save(trainer.model, os.path.join(out, "model.npz"), metadata={
        "config": cfg, "task": prep.ds.task, "n_outputs": trainer.model_outputs,
        "scaler_mean": prep.scaler.mean_.tolist(), "scaler_scale": prep.scaler.scale_.tolist(),
        "image_shape": None if prep.ds.image_shape is None else list(prep.ds.image_shape),
        "class_names": prep.ds.target_names})
    _write_json(os.path.join(out, "metrics.json"), {
        "dataset": cfg["dataset"], "model": cfg["model"], "seed": cfg["seed"],
        "epochs_run": len(history), "train_seconds": round(seconds, 3), "diverged": trainer.diverged,
        "test": {k: v for k, v in results.items() if k != "confusion_matrix"},
        "confusion_matrix": results.get("confusion_matrix")})
    _close(plot.learning_curves(history, os.path.join(out, "learning_curve.png"),
                                title=f"{cfg['dataset']} - {cfg['model']}"))
    figures = ", confusion_matrix.png, roc_curves.png" if prep.classification else ""
    if monitor is not None and monitor.records:
        _close(plot.gradient_flow(monitor.records, path=os.path.join(out, "gradient_flow.png")))
        _close(plot.activation_histograms(trainer.model, prep.X_train[:256],
                                          path=os.path.join(out, "activation_histograms.png")))
        figures += ", gradient_flow.png, activation_histograms.png"
    print(f"run folder: {out} (model.npz, last.npz, history.csv, metrics.json, "
          f"learning_curve.png{figures})")
    return 0


def read_config(run_dir: str) -> dict:
    path = os.path.join(run_dir, "config.json")
    if not os.path.isdir(run_dir):
        raise RunError(f"no such run folder: {run_dir!r}")
    if not os.path.exists(path):
        raise RunError(f"{run_dir!r} has no config.json: is it a lucidnet run folder?")
    with open(path) as f:
        return json.load(f)


def _load_model(path: str):
    """A run folder (its model.npz, else best.npz / last.npz) or a model file -> (model, metadata)."""
    from . import io

    if os.path.isdir(path):
        for name in ("model.npz", "best.npz", "last.npz"):
            candidate = os.path.join(path, name)
            if os.path.exists(candidate):
                path = candidate
                break
        else:
            raise RunError(f"{path!r} holds no model.npz, best.npz or last.npz")
    model, meta = io.load(path, with_metadata=True)
    return model, meta, path


def _inference_trainer(model, meta):
    from . import nn, optim
    from .train import Trainer

    classification = meta.get("task") == "classification"
    loss = nn.CrossEntropyLoss() if classification else nn.MSELoss()
    metric_names = ["accuracy", "f1_macro"] if classification else ["r2", "rmse", "mae"]
    params = list(model.parameters())
    trainer = Trainer(model, loss, optim.SGD(params, lr=0.0), metrics=metric_names, verbose=0)
    trainer.model_outputs = meta.get("n_outputs", 1)
    return trainer, classification


def _scale(meta, X) -> np.ndarray:
    if "scaler_mean" not in meta:
        raise RunError("the model file has no input scaler in its metadata; it was not written by "
                       "'lucidnet train'")
    mean, scale = np.asarray(meta["scaler_mean"]), np.asarray(meta["scaler_scale"])
    X = X.reshape(len(X), -1)
    if X.shape[1] != mean.size:
        raise RunError(f"the model expects {mean.size} input features, the data has {X.shape[1]}")
    X = ((X - mean) / scale).astype(np.float32)
    kind = (meta.get("config") or {}).get("model", "mlp")
    return _reshape_for(kind, meta.get("image_shape"), X)


def evaluate_run(path: str, dataset: str | None, out: str | None, data_path: str | None = None,
                 whole: bool = False) -> int:
    """Evaluate a saved model: on its run's held-out test split (its own dataset, unless
    ``whole``), or on a whole dataset."""
    from . import data

    model, meta, model_path = _load_model(path)
    cfg = meta.get("config") or {}
    trainer, classification = _inference_trainer(model, meta)
    dataset = dataset or cfg.get("dataset")
    if dataset is None:
        raise RunError("say which data to evaluate on: --dataset NAME")
    if not whole and cfg and dataset == cfg.get("dataset") and data_path in (None, cfg.get("data_path")):
        prep = prepare_data(cfg)  # same seed and options: the run's own held-out test split
        X, y = prep.X_test, prep.y_test
        what = "its held-out test split"
    else:
        try:
            ds = data.load_dataset(dataset, **({"path": data_path} if data_path else {}))
        except (TypeError, ValueError) as err:
            raise RunError(str(err)) from None
        X, y = _scale(meta, ds.X), ds.y
        what = "the whole dataset"
    print(f"lucidnet evaluate: {model_path} on {dataset} ({what}, {len(X)} samples)")
    out = out or (os.path.join(path, "evaluation") if os.path.isdir(path) else "evaluation")
    os.makedirs(out, exist_ok=True)
    results = report(trainer, X, y, classification, out, class_names=meta.get("class_names"))
    _write_json(os.path.join(out, "metrics.json"), {k: v for k, v in results.items()})
    print(f"evaluation written to {out}")
    return 0


def predict_file(model_path: str, input_csv: str, output: str | None, target=None) -> int:
    """Predict every row of a CSV of features; write (or print) a CSV of predictions."""
    from . import data

    model, meta, model_path = _load_model(model_path)
    trainer, classification = _inference_trainer(model, meta)
    if not os.path.exists(input_csv):
        raise RunError(f"no such input file: {input_csv!r}")
    table = data.load_csv(input_csv, target=target)
    X = _scale(meta, table.X)
    lines = []
    if classification:
        proba = trainer.predict_proba(X)
        names = meta.get("class_names") or [str(i) for i in range(proba.shape[1])]
        pred = proba.argmax(axis=1)
        lines.append(",".join(["prediction"] + [f"p_{n}" for n in names]))
        lines += [",".join([names[p]] + [f"{v:.6g}" for v in row]) for p, row in zip(pred, proba)]
    else:
        pred = trainer.predict(X).reshape(-1)
        lines.append("prediction")
        lines += [f"{v:.6g}" for v in pred]
    text = "\n".join(lines) + "\n"
    if output:
        tmp = f"{output}.tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, output)
        print(f"{len(X)} predictions written to {output}")
    else:
        print(text, end="")
    return 0
