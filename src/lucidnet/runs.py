"""Run folders: what ``lucidnet train / evaluate / predict`` do, as plain functions.

A run folder holds ``config.json`` (every option of the run), ``model.npz`` (the final model:
``Sequential(Standardize(...), net)``, so it takes raw inputs, with the task, class and feature
names in its metadata), ``last.npz`` (a full checkpoint after every epoch:
model, optimizer, schedule, RNGs, history), ``best.npz`` (best validation loss), ``history.csv``,
``metrics.json`` and the figures (learning curve, confusion matrix, ROC curves).

A run on the user's own data (``lucidnet train --data FILE --target COL``: CSV / TSV /
Parquet, or an image folder ``class_name/*.png``) records the file's path and fingerprint (size
+ sha256) in ``config.json``; a table run's model.npz also holds the ``"table"`` metadata (the
format, the target, every feature column's kind, categories and fill, the encoded names), so
``predict`` matches a file's columns by name and encodes them as in training.

Resuming (``lucidnet train --resume RUN_DIR``) rebuilds everything from ``config.json`` with the
same seed and continues from ``last.npz``: the final weights equal an uninterrupted run's.

One process at a time writes a run folder: it holds ``RUN_DIR/.lock`` (with its pid) while it
trains; a second writer is refused, a lock left by a dead process is broken. Files are written to
unique temporary names and moved into place (``os.replace``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sys
import time
import warnings
from dataclasses import dataclass

import numpy as np

from . import data, io, metrics, models, nn, optim, plot
from . import io as lnio
from ._atomic import write_atomically
from .data import DATASETS
from .data.datasets import Dataset
from .data.image_folder import load_image_folder, load_images
from .data.tabular import TableEncoder, encode_target, read_table
from .onnx import export_run
from .optim import OPTIMIZERS, lr_scheduler
from .plot._backend import pyplot
from .random import manual_seed
from .regularization import L1, L2, Penalty
from .safetensors import save_model
from .train import (
    EarlyStopping,
    GracefulInterrupt,
    GradientMonitor,
    ModelCheckpoint,
    Trainer,
    load_checkpoint,
)

__all__ = [
    "Prepared",
    "RunError",
    "build_trainer",
    "evaluate_run",
    "export_model",
    "fingerprint",
    "predict_file",
    "prepare_data",
    "train_run",
]


class RunError(ValueError):
    """A user mistake about a run (bad option, missing folder): reported in one line.

    A ``ValueError``, so the command line prints its message and exits with status 2.

    Examples
    --------
    >>> from lucidnet.runs import RunError
    >>> issubclass(RunError, ValueError)
    True
    """


@dataclass
class Prepared:
    """The data of a run, ready for training: what :func:`prepare_data` returns.

    Attributes
    ----------
    ds : lucidnet.data.Dataset
        The loaded dataset (names, classes, image shape).
    X_train, y_train : ndarray
        The training split, standardized with its own statistics (and shaped NCHW for a CNN).
    validation : (ndarray, ndarray) or None
        The validation split (same preprocessing), or None when the run has none.
    X_test, y_test : ndarray
        The held-out test split (the whole data set for the 4-row truth tables).
    scaler : object
        The fitted scaler (``transform`` / ``inverse_transform``), saved with the model.
    classification : bool
        Classification (class indices) or regression (float targets).
    note : str
        A message printed before training ("" for none), e.g. that the data are too few to
        split or that an integer target was taken as classes.
    table : dict or None
        The table encoder's description (``TableEncoder.to_dict``) for a run on a table file.

    Examples
    --------
    The configuration is the options of ``lucidnet train`` (the command line's defaults here):

    >>> from lucidnet.cli import build_parser
    >>> cfg = vars(build_parser().parse_args(["train", "--dataset", "moons", "--hidden", "8"]))
    >>> from lucidnet.runs import prepare_data
    >>> prep = prepare_data(cfg)                  # 200 moons: 20 % test, then 10 % validation
    >>> prep.X_train.shape, prep.validation[0].shape, prep.X_test.shape, prep.classification
    ((144, 2), (16, 2), (40, 2), True)
    """

    ds: object
    X_train: np.ndarray
    y_train: np.ndarray
    validation: tuple | None
    X_test: np.ndarray
    y_test: np.ndarray
    scaler: object
    classification: bool
    note: str = ""
    table: dict | None = None  # the "table" metadata of a run on a table file


#: below this many samples (the 4-row truth tables) there is nothing to split off: the whole
#: dataset is both the training and the test set
_TINY = 20


def _reshape_for(model_kind: str, image_shape, A: np.ndarray) -> np.ndarray:
    return A.reshape((len(A),) + tuple(image_shape)) if model_kind == "cnn" else A


def prepare_data(cfg: dict) -> Prepared:
    """Load the data, split it (stratified, seeded), standardize with training statistics.

    The data are a bundled dataset (``cfg["dataset"]``) or the user's own (``cfg["data"]``): a
    table file (CSV / TSV / Parquet, encoded by a :class:`~lucidnet.data.tabular.TableEncoder`)
    or an image folder (``class_name/*.png``). A file or folder whose fingerprint is recorded in
    the configuration (size + sha256) must not have changed: resume and evaluate re-read it.

    Examples
    --------
    >>> from lucidnet.cli import build_parser
    >>> cfg = vars(build_parser().parse_args(["train", "--dataset", "moons", "--hidden", "8"]))
    >>> from lucidnet.runs import prepare_data
    >>> prep = prepare_data(cfg)
    >>> len(prep.X_train) + len(prep.validation[0]) + len(prep.X_test)
    200
    >>> bool(abs(prep.X_train.mean(axis=0)).max() < 1e-6)     # standardized with its own statistics
    True
    """
    kind = _input_kind(cfg)
    if kind != "dataset":
        _check_unchanged(cfg)
    if kind == "table":
        return _prepare_table(cfg)
    name = _data_name(cfg)
    ds = _load_dataset(cfg["dataset"], cfg.get("data_path")) if kind == "dataset" \
        else _load_image_input(cfg)
    if cfg["model"] == "cnn" and ds.image_shape is None:
        raise RunError(f"--model cnn needs image or signal data; {name!r} is tabular "
                       "(use --model mlp)")
    classification = ds.task == "classification"
    seed = cfg["seed"]
    strat = (lambda y: y) if classification else (lambda y: None)
    note = ""
    if ds.X_test is not None:  # the dataset defines its own test split (MNIST-1D, --test)
        X_train, X_test, y_train, y_test = ds.X, ds.X_test, ds.y, ds.y_test
    elif ds.n_samples < _TINY:
        if cfg["train_fraction"] < 1 or cfg.get("early_stopping"):
            raise RunError(f"{name!r} has only {ds.n_samples} samples: nothing to split "
                           "off for --train-fraction or --early-stopping")
        note = (f"note: {name!r} has only {ds.n_samples} samples, too few to split: "
                "they are the training and the test set (no validation)")
        X_train, X_test, y_train, y_test = ds.X, ds.X, ds.y, ds.y
        cfg = {**cfg, "val_size": 0}
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
    return _standardized(cfg, ds, X_train, y_train, validation, X_test, y_test, classification,
                         note)


def _standardized(cfg, ds, X_train, y_train, validation, X_test, y_test, classification, note,
                  table=None) -> Prepared:
    """Fit the scaler on the training rows and apply it to every part."""
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
                    classification, note, table)


# ---------------------------------------------------------------- the user's own data
def _input_kind(cfg: dict) -> str:
    """"dataset" (bundled), "table" (a CSV / TSV / Parquet file) or "images" (a folder)."""
    if not cfg.get("data"):
        return "dataset"
    if cfg.get("input") in ("table", "images"):
        return cfg["input"]
    return "images" if os.path.isdir(cfg["data"]) else "table"


def _data_name(cfg: dict) -> str:
    """What the run trained on, for its messages: the dataset's name or the file's name."""
    if cfg.get("data"):
        return os.path.basename(os.path.normpath(cfg["data"]))
    return cfg.get("dataset") or "?"


def fingerprint(path: str) -> dict:
    """``{"size", "sha256"}`` of a file; of a folder, its number of files, their total size and
    a sha256 over every (relative path, content) in sorted order (hidden names skipped).

    A run records the fingerprint of its data, so resuming or evaluating it refuses data that
    changed in between.

    Examples
    --------
    >>> from lucidnet.runs import fingerprint
    >>> with open("data.csv", "w") as f:
    ...     _ = f.write("a,b\\n1,2\\n")
    >>> fingerprint("data.csv")
    {'size': 8, 'sha256': '492d5ea496056f1a6a6592241032fab764c321596317930b4fa0e1e8bc3b7470'}
    """
    import hashlib

    def digest(file, h):
        with open(file, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)

    try:
        if not os.path.isdir(path):
            h = hashlib.sha256()
            digest(path, h)
            return {"size": os.path.getsize(path), "sha256": h.hexdigest()}
        h, size, count = hashlib.sha256(), 0, 0
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(f for f in filenames if not f.startswith(".")):
                file = os.path.join(dirpath, name)
                h.update(os.path.relpath(file, path).replace(os.sep, "/").encode() + b"\0")
                digest(file, h)
                size += os.path.getsize(file)
                count += 1
        return {"files": count, "size": size, "sha256": h.hexdigest()}
    except OSError as err:
        raise RunError(f"cannot read {path!r}: {err.strerror or err}") from None


def _check_unchanged(cfg: dict) -> None:
    """Refuse a run whose data file (or test file) differs from the one it was trained on."""
    for key, stamp in (("data", "data_file"), ("test", "test_file")):
        path, recorded = cfg.get(key), cfg.get(stamp)
        if not path or not recorded:
            continue
        if not os.path.exists(path):
            raise RunError(f"the run's --{key} {path!r} no longer exists; the run re-reads it to "
                           "resume or to evaluate on its held-out split: put it back")
        now = fingerprint(path)
        if now != recorded:
            detail = (f"{recorded.get('size')} -> {now.get('size')} bytes"
                      if now.get("size") != recorded.get("size") else "same size, other content")
            raise RunError(f"the run's --{key} {path!r} changed since the run was trained "
                           f"({detail}, sha256 differs); resuming or evaluating re-reads it, so "
                           "restore the original file, or start a new run on the new data")


def _read_table(path: str):
    try:
        return read_table(path)
    except ImportError as err:
        raise RunError(str(err)) from None


def _prepare_table(cfg: dict) -> Prepared:
    """A table file: the target's labels, the encoder (kinds and categories from the whole
    file, imputation fills from the training rows), the split, the scaler."""
    name = _data_name(cfg)
    if cfg["model"] == "cnn":
        raise RunError(f"--model cnn needs image data; {name!r} is a table (use --model mlp)")
    table = _read_table(cfg["data"])
    target = cfg.get("target")
    if not target:
        raise RunError(f"--data {cfg['data']} needs --target COLUMN, the column to predict; "
                       f"columns: {', '.join(table.names)}")
    if target not in table.names:
        raise RunError(f"--target {target!r} is not a column of {cfg['data']}; columns: "
                       f"{', '.join(table.names)}")
    with _warnings_as_lines():  # labels differing only in case: one "warning: ..." line
        y, task, classes = encode_target(table, target, cfg.get("task"))
    classification = task == "classification"
    note = ""
    if classification:
        if len(classes) < 2:
            raise RunError(f"the target column {target!r} holds a single class {classes[0]!r}; "
                           "classification needs at least 2")
        if len(classes) > 20 and cfg.get("task") is None and all(
                re.fullmatch(r"-?\d+", c) for c in classes):  # many integers: a quantity?
            note = (f"note: the target {target!r} has {len(classes)} distinct integer values for "
                    f"{len(y)} rows and is treated as classes; pass --task regression to "
                    "predict it as a number")
    encoder = TableEncoder(cfg.get("features"), cfg.get("categorical") or (), cfg.get("impute"))
    with _warnings_as_lines():  # an identifier / free-text column: one "warning: ..." line
        encoder.fit(table, target)  # kinds, categories, missing cells (refused without --impute)
    seed = cfg["seed"]
    strat = (lambda idx: y[idx]) if classification else (lambda idx: None)
    rows = np.arange(len(table))
    test_table = None
    if cfg.get("test"):
        test_table = _read_table(cfg["test"])
        train, test = rows, None
    elif len(table) < _TINY:
        if cfg["train_fraction"] < 1 or cfg.get("early_stopping"):
            raise RunError(f"{name!r} has only {len(table)} rows: nothing to split off for "
                           "--train-fraction or --early-stopping")
        note = (f"note: {name!r} has only {len(table)} rows, too few to split: they are the "
                "training and the test set (no validation)")
        train, test = rows, rows
        cfg = {**cfg, "val_size": 0}
    else:
        _check_strata(y, classes, target, cfg, cfg["test_size"], "test")
        train, test = data.train_test_split(rows, test_size=cfg["test_size"], random_state=seed,
                                            stratify=strat(rows))
    val = None
    if cfg["val_size"] > 0:
        _check_strata(y[train], classes, target, cfg, cfg["val_size"], "validation")
        train, val = data.train_test_split(train, test_size=cfg["val_size"], random_state=seed,
                                           stratify=strat(train))
    if cfg["train_fraction"] < 1.0:
        train, _ = data.train_test_split(train, train_size=cfg["train_fraction"],
                                         random_state=seed, stratify=strat(train))
    encoder.fit(table, target, rows=train)  # the imputation fills: training rows only
    X = encoder.transform(table)
    if test_table is not None:
        if target not in test_table.names:
            raise RunError(f"--test {cfg['test']} has no target column {target!r}; columns: "
                           f"{', '.join(test_table.names)}")
        X_test = encoder.transform(test_table)
        y_test = encode_target(test_table, target, task, classes)[0]
    else:
        X_test, y_test = X[test], y[test]
    ds = Dataset(X, y, task, len(classes) if classification else None,
                 feature_names=encoder.encoded_names_, target_names=classes, name=name,
                 description=f"table {cfg['data']}, target column {target!r}")
    validation = None if val is None else (X[val], y[val])
    info = {"format": table.format, "target": target, **encoder.to_dict()}
    return _standardized(cfg, ds, X[train], y[train], validation, X_test, y_test,
                         classification, note, table=info)


def _check_strata(y, classes, target: str, cfg: dict, size=None, part: str = "test") -> None:
    """A stratified split needs two rows of every class (say which class has fewer), and a
    row of every class on both sides of the split (say the sizes and the ways out)."""
    if classes is None:
        return
    counts = np.bincount(y, minlength=len(classes))
    k = int(np.count_nonzero(counts))
    if isinstance(size, float) and 0 < size < 1:
        n_part = int(np.ceil(size * len(y)))
        if min(n_part, len(y) - n_part) < k:
            option = "--test-size" if part == "test" else "--val-size"
            ways = [] if len(y) < 2 * k else [
                f"{option} " + (f"{np.ceil(100 * k / len(y)) / 100:.2f} or more" if n_part < k
                                else f"{np.floor(100 * (1 - k / len(y))) / 100:.2f} or less")]
            ways += ["a --test FILE with --val-size 0"] if part == "test" else \
                ["--val-size 0 (no validation split)"]
            raise RunError(f"the target {target!r} has {k} classes, but the stratified {part} "
                           f"split of {len(y)} rows holds {n_part} rows ({option} {size:g}) and "
                           f"the rest {len(y) - n_part}: each side needs a row of every class; "
                           f"give {' or '.join(ways)}, or, if {target!r} is a quantity, --task "
                           "regression")
    rare = [(classes[k], int(c)) for k, c in enumerate(counts) if 0 < c < 2]
    if rare:
        label, count = rare[0]
        quantity = ""
        if cfg.get("task") is None and len(classes) > 10 and all(
                re.fullmatch(r"-?\d+", str(c)) for c in classes):
            quantity = (f" (its {len(classes)} integer values were taken as classes: if "
                        f"{target!r} is a quantity to predict as a number, pass --task "
                        "regression)")
        raise RunError(f"class {label!r} of the target {target!r} has only {count} row in "
                       f"{_data_name(cfg)}{quantity}; a stratified split needs at least 2 per "
                       "class: add rows of it, drop it, or give --val-size 0 and a --test FILE")


def _load_image_input(cfg: dict):
    """An image folder (``class_name/*.png``), with ``--test FOLDER`` as its test split."""
    try:
        ds = load_image_folder(cfg["data"])
        if cfg.get("test"):
            mode = "L" if ds.image_shape[0] == 1 else "RGB"
            test = load_image_folder(cfg["test"], mode=mode)
            if tuple(test.image_shape) != tuple(ds.image_shape):
                raise RunError(f"--test {cfg['test']}: images of shape {test.image_shape} (C, H, "
                               f"W), the training images are {ds.image_shape}")
            ds.X_test, ds.y_test = test.X, _map_classes(test, ds.target_names, cfg["test"])
    except ModuleNotFoundError as err:
        raise RunError(str(err)) from None
    return ds


def _map_classes(ds, classes, where: str) -> np.ndarray:
    """``ds.y`` re-indexed into ``classes`` (a class folder outside them is an error)."""
    unknown = [c for c in ds.target_names if c not in classes]
    if unknown:
        raise RunError(f"{where}: class folder(s) {unknown} are not among the model's classes "
                       f"{list(classes)}")
    lookup = np.array([list(classes).index(c) for c in ds.target_names], dtype=np.int64)
    return lookup[ds.y]


def _load_dataset(name: str, data_path: str | None):
    """``data.load_dataset`` with the command line's words in its errors."""
    if name == "mnist" and not data_path:
        raise RunError("--dataset mnist needs --data-path FOLDER holding the MNIST IDX files "
                       "(t10k-images-idx3-ubyte[.gz] ...); lucidnet never downloads data")
    if data_path and name != "mnist":
        raise RunError(f"--data-path is for --dataset mnist; {name!r} takes no path")
    try:
        return data.load_dataset(name, **({"path": data_path} if data_path else {}))
    except (TypeError, ValueError) as err:
        raise RunError(str(err)) from None


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
    if cfg["model"] == "cnn":
        shape = ds.image_shape
        return models.CNN(in_channels=shape[0], image_size=shape[1:] if len(shape) > 2 else shape[1],
                          num_classes=n_out, batch_norm=cfg["batch_norm"], dropout=cfg["dropout"])
    return models.MLP(int(ds.X[0].size), hidden=tuple(cfg["hidden"]), out_features=n_out,
                      activation=cfg["activation"], dropout=cfg["dropout"],
                      batch_norm=cfg["batch_norm"], init=cfg["init"])


def build_trainer(cfg: dict, prep: Prepared, callbacks=()):
    """Model, loss, optimizer, schedule, penalty and Trainer for a run configuration.

    Examples
    --------
    >>> from lucidnet.cli import build_parser
    >>> cfg = vars(build_parser().parse_args(["train", "--dataset", "moons", "--hidden", "8"]))
    >>> from lucidnet.runs import build_trainer, prepare_data
    >>> trainer, lr = build_trainer(cfg, prepare_data(cfg))
    >>> type(trainer.optimizer).__name__, lr, trainer.metric_names
    ('Adam', 0.001, ['accuracy', 'f1_macro'])
    >>> [type(layer).__name__ for layer in trainer.model]
    ['Linear', 'ReLU', 'Linear']
    """
    manual_seed(cfg["seed"])
    n_out = prep.ds.n_classes if prep.classification else 1
    model = _build_model(cfg, prep.ds, n_out)
    if cfg.get("sync_batch_norm"):  # statistics of the global batch under mpirun -n N
        model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    loss = nn.CrossEntropyLoss() if prep.classification else nn.MSELoss()
    lr = cfg["lr"] if cfg["lr"] is not None else _default_lr(cfg["optimizer"])
    opt_kwargs = {"lr": lr}
    if cfg["weight_decay"]:
        opt_kwargs["weight_decay"] = cfg["weight_decay"]
    if cfg["momentum"] is not None:
        opt_kwargs["momentum"] = cfg["momentum"]
    optimizer = _construct(f"optimizer {cfg['optimizer']!r}", optim.OPTIMIZERS[cfg["optimizer"]],
                           model.parameters(), opt_kwargs, flags=True)
    scheduler = None
    if cfg["schedule"]:
        steps = int(np.ceil(len(prep.X_train) / cfg["batch_size"]))
        kwargs = schedule_defaults(cfg["schedule"], lr, cfg["epochs"], steps)
        kwargs.update(cfg.get("schedule_options") or {})
        scheduler = _construct(f"schedule {cfg['schedule']!r}",
                               lr_scheduler.SCHEDULERS[cfg["schedule"]], optimizer, kwargs)
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


_OPT_FLAGS = ("lr", "weight_decay", "momentum")  # the optimizer arguments the CLI sets


def _construct(what: str, factory, first, kwargs: dict, flags: bool = False):
    """``factory(first, **kwargs)``; options it does not take are a RunError listing those it does."""
    import inspect

    params = list(inspect.signature(factory).parameters.values())[1:]
    accepted = [p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    takes_any = any(p.kind == p.VAR_KEYWORD for p in params)
    unknown = [k for k in kwargs if k not in accepted and not takes_any]
    if unknown and flags:
        flag = f"--{unknown[0].replace('_', '-')}"
        others = [name for name, f in OPTIMIZERS.items()
                  if unknown[0] in inspect.signature(f).parameters]
        raise RunError(f"{what} does not take {flag}; it takes "
                       f"{', '.join('--' + k.replace('_', '-') for k in _OPT_FLAGS if k in accepted)}"
                       f" (optimizers with {flag}: {', '.join(others)})")
    if unknown:
        raise RunError(f"{what} does not take {', '.join(unknown)}; it accepts (--schedule-opt "
                       f"NAME=VALUE): {', '.join(accepted)}")
    try:
        return factory(first, **kwargs)
    except (TypeError, ValueError) as err:
        raise RunError(f"{what}: {err}") from None


def _augmentation(cfg: dict, ds):
    if not cfg.get("augment"):
        return None
    if ds.image_shape is None:
        raise RunError(f"--augment needs image data; {_data_name(cfg)!r} is tabular")
    try:
        return data.build_augmentation(cfg["augment"], seed=cfg["seed"],
                                       image_shape=tuple(ds.image_shape) if cfg["model"] == "mlp" else None)
    except ValueError as err:
        raise RunError(str(err)) from None


def _write_text(path: str, text: str, what: str = "file") -> None:
    """Write atomically: a unique temporary file in the same folder, then ``os.replace``."""
    try:
        write_atomically(path, text)
    except OSError as err:
        raise RunError(f"cannot write the {what} to {path!r}: {err.strerror or err}") from None


def _write_json(path, obj) -> None:
    _write_text(path, json.dumps(obj, indent=2), "results")


# ---------------------------------------------------------------- the run folder
_RUN_FILES = ("config.json", "model.npz", "last.npz", "best.npz", "history.csv", "metrics.json",
              "learning_curve.png", "confusion_matrix.png", "roc_curves.png", "gradient_flow.png",
              "activation_histograms.png")


def _mkdir(path: str) -> str | None:
    """Create the folder ``path`` (and its parents); returns the topmost folder it created (to
    remove after a failure), None when ``path`` already exists."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise RunError(f"run folder {path!r} is an existing file; give --out a folder")
    top = os.path.abspath(path)
    while not os.path.exists(os.path.dirname(top)):
        top = os.path.dirname(top)
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        os.mkdir(path)
        return top
    except FileExistsError as err:
        if os.path.isdir(path):
            return None
        blocker = err.filename or path
        raise RunError(f"cannot create the run folder {path!r}: {blocker!r} is a file") from None
    except OSError as err:
        raise RunError(f"cannot create the run folder {path!r}: {err.strerror or err}") from None


def _new_run_folder(out: str, explicit: bool) -> tuple[str, str | None]:
    """The folder to train into and the topmost folder this call created (None: it existed).
    The default folder is never reused: when it exists the run goes to ``OUT-v2``, ``OUT-v3``...
    (as Lightning's version_N)."""
    if explicit:
        return out, _mkdir(out)
    candidate, n = out, 1
    while (created := _mkdir(candidate)) is None:
        n += 1
        candidate = f"{out}-v{n}"
    if candidate != out:
        print(f"lucidnet train: {out} already exists; this run goes to {candidate}")
    return candidate, created


def _pid_alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill(pid, 0) would send CTRL_C_EVENT there: assume it lives
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


@contextlib.contextmanager
def _locked(folder: str):
    """Hold ``folder/.lock`` (O_EXCL, with our pid) while the block runs; a lock whose process
    is gone is stale and broken."""
    path = os.path.join(folder, ".lock")
    for _ in range(3):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                with open(path) as f:
                    pid = int(f.read().strip() or -1)
            except (OSError, ValueError):
                pid = -1
            if pid == -1 or _pid_alive(pid):
                who = f"lucidnet process {pid}" if pid != -1 else "another lucidnet process"
                raise RunError(f"run folder {folder!r} is in use by {who} (lock file {path}); "
                               "wait for it to finish or choose another --out") from None
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)  # stale: its process died without cleaning up
            continue
        except OSError as err:
            raise RunError(f"cannot lock the run folder {folder!r}: {err.strerror or err}") from None
        with os.fdopen(fd, "w") as f:
            f.write(str(os.getpid()))
        break
    else:
        raise RunError(f"could not lock the run folder {folder!r}; remove {path} if no run uses it")
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)


@contextlib.contextmanager
def _warnings_as_lines():
    """Warnings while training go to stderr as one clean line each ("warning: ..."), not with
    a source path. The Trainer's divergence warning is left out: the run reports it itself."""
    def show(message, category, filename, lineno, file=None, line=None):
        print(f"warning: {message}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="training diverged")
        # NumPy's overflow/invalid-value notes on the way to a divergence the Trainer reports
        warnings.filterwarnings("ignore", message="(overflow|invalid value|divide by zero) "
                                "encountered", category=RuntimeWarning)
        warnings.showwarning = show
        yield


def _close(fig) -> None:
    """Free a figure once it is written (a long session would otherwise keep them all)."""
    pyplot().close(fig)


def _format_matrix(cm) -> str:
    width = max(len(str(int(v))) for v in cm.reshape(-1)) + 1
    return "\n".join("  " + "".join(str(int(v)).rjust(width) for v in row) for row in cm)


def report(trainer, X, y, classification: bool, out: str | None, class_names=None,
           n_classes: int | None = None) -> dict:
    """Print the test report and draw its figures into ``out``; returns the numbers.

    ``n_classes`` sets the confusion matrix's size (default: the largest label seen, plus one)."""
    results = {k: float(v) for k, v in trainer.evaluate(X, y).items()}
    if classification:
        y_pred = trainer.predict(X)
        if n_classes is None:
            n_classes = int(max(np.max(y), np.max(y_pred))) + 1
        cm = metrics.confusion_matrix(y, y_pred, labels=np.arange(n_classes))
        results["macro_f1"] = float(metrics.f1_score(y, y_pred, average="macro"))
        print(f"test accuracy : {results['accuracy']:.4f}")
        print(f"test macro F1 : {results['macro_f1']:.4f}")
        print("confusion matrix (rows = true class, columns = predicted):")
        print(_format_matrix(cm))
        names = class_names or [str(i) for i in range(cm.shape[0])]
        print(metrics.classification_report(y, y_pred, labels=np.arange(cm.shape[0]),
                                            target_names=[str(n) for n in names], digits=4,
                                            zero_division=0))
        results["confusion_matrix"] = cm.tolist()
        if out:
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


#: what an MPI launcher (hydra / Open MPI / PMIx / MVAPICH2) sets in the processes it starts
_LAUNCHER_VARIABLES = ("PMI_RANK", "PMI_SIZE", "OMPI_COMM_WORLD_RANK", "PMIX_RANK",
                       "MV2_COMM_WORLD_RANK")


def process_group():
    """``lucidnet.distributed`` once ``mpirun -n N`` (N > 1) started this process (the group is
    initialized on first use), None in a plain process (which imports neither mpi4py nor
    lucidnet.distributed: it has no launcher's variables)."""
    if not any(name in os.environ for name in _LAUNCHER_VARIABLES) \
            and "lucidnet.distributed" not in sys.modules:
        return None
    # imported here: a plain process never loads the distributed package (see the docstring)
    from . import distributed as dist
    from .distributed.process_group import env_world_size

    if not dist.is_initialized():
        if not dist.launched_under_mpi():
            return None
        try:
            dist.init_process_group()
        except ImportError as err:  # mpirun without mpi4py: a one-line error on each rank
            raise RunError(f"started by an MPI launcher ({env_world_size()} processes), but "
                           f"{err}") from None
    return dist if dist.get_world_size() > 1 else None


@contextlib.contextmanager
def _quiet():
    """The other ranks of ``mpirun -n N lucidnet train`` print nothing: rank 0 speaks."""
    with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def train_run(cfg: dict, resume: bool = False, overwrite: bool = False,
              explicit_out: bool = True) -> int:
    """Train as configured into ``cfg["out"]``; with ``resume`` continue from its last.npz.

    A new run never replaces another silently: an ``explicit_out`` folder that holds a run is
    refused unless ``overwrite``; the default folder gets a fresh ``-vN`` twin when it exists.
    A run folder created here is removed again if the run fails before its first checkpoint.

    Under ``mpirun -n N`` every rank prepares the same data and trains its share of each batch
    (`Trainer.fit` over ``lucidnet.distributed``); rank 0 alone chooses, locks and writes the
    run folder (``config.json`` records ``"world_size": N``) and prints; the other ranks are
    quiet. The checkpoints hold no per-rank state, so a run resumes on any number of ranks.

    Examples
    --------
    A run folder from the command line's options (the 4-row AND table, 2 epochs):

    >>> import contextlib, io
    >>> from lucidnet.cli import build_parser
    >>> from lucidnet.runs import train_run
    >>> cfg = vars(build_parser().parse_args(["train", "--dataset", "and", "--hidden", "4",
    ...                                       "--epochs", "2", "--quiet", "--out", "run_a"]))
    >>> with contextlib.redirect_stdout(io.StringIO()):     # the report it prints
    ...     rc = train_run(cfg)
    >>> import os
    >>> rc, sorted(f for f in os.listdir("run_a") if not f.endswith(".png"))
    (0, ['config.json', 'history.csv', 'last.npz', 'metrics.json', 'model.npz'])
    """
    group = process_group()
    follower = group is not None and group.get_rank() != 0
    with _quiet() if follower else contextlib.nullcontext():
        prep = prepare_data(cfg)
        if _input_kind(cfg) == "table" and cfg.get("task") is None:
            cfg = {**cfg, "task": prep.ds.task}  # the inferred task, recorded
        cfg = {**cfg, "world_size": 1 if group is None else group.get_world_size()}
        transform = _augmentation(cfg, prep.ds)
        if follower:  # rank 0 says which folder (or why there is none)
            box = [None]
            group.broadcast_object_list(box, src=0)
            kind, value = box[0]
            if kind == "error":
                raise RunError(value)
            return _train_locked({**cfg, "out": value}, prep, transform, resume, group)
        told = []

        def tell(kind: str, value: str) -> None:
            if group is not None and not told:
                told.append(kind)
                group.broadcast_object_list([(kind, value)], src=0)

        try:
            if resume:
                out, created = cfg["out"], None
            else:
                out, created = _new_run_folder(cfg["out"], explicit_out)
                cfg = {**cfg, "out": out}
        except BaseException as err:
            tell("error", str(err))
            raise
        try:
            with _locked(out):
                if not resume:
                    _claim(out, overwrite, created)
                tell("out", out)
                return _train_locked(cfg, prep, transform, resume, group)
        except BaseException as err:
            tell("error", str(err))
            if not resume and not os.path.exists(os.path.join(out, "last.npz")):
                _remove_unfinished(out, created)
            raise


def _claim(out: str, overwrite: bool, created: str | None) -> None:
    """Refuse a folder that holds a run (unless ``overwrite``: then clear the run's files)."""
    held = [name for name in _RUN_FILES if os.path.exists(os.path.join(out, name))]
    if not held or created:
        return
    if not overwrite:
        raise RunError(f"{out!r} already holds a run ({', '.join(held[:3])}...); pass --overwrite "
                       f"to replace it, '--resume {out}' to continue it, or choose another --out")
    for name in held:
        os.remove(os.path.join(out, name))


def _remove_unfinished(out: str, created: str | None) -> None:
    """After a failure: no empty or half-written run folder is left behind."""
    if created:
        shutil.rmtree(created, ignore_errors=True)
        return
    for name in _RUN_FILES:
        with contextlib.suppress(OSError):
            os.remove(os.path.join(out, name))


def _train_locked(cfg: dict, prep: Prepared, transform, resume: bool, group=None) -> int:
    lead = group is None or group.get_rank() == 0  # the rank that writes the run folder
    out = cfg["out"]
    last, best = os.path.join(out, "last.npz"), os.path.join(out, "best.npz")
    guard = GracefulInterrupt(last, verbose=0)
    callbacks = [ModelCheckpoint(last), guard]
    monitor = None
    if cfg.get("diagnose"):
        monitor = GradientMonitor(probe=prep.X_train[:256])
        callbacks.append(monitor)
    if prep.validation is not None:
        callbacks.insert(0, ModelCheckpoint(best, monitor="val_loss", save_best_only=True))
    trainer, lr = build_trainer(cfg, prep, callbacks)
    n_outputs = prep.ds.n_classes if prep.classification else 1
    if resume:
        if not os.path.exists(last):
            raise RunError(f"{out!r} has no last.npz checkpoint to resume from")
        try:
            load_checkpoint(last, trainer)
        except (KeyError, TypeError, AttributeError, IndexError, RecursionError, MemoryError) as err:
            raise RunError(f"{last!r} is not a usable checkpoint ({type(err).__name__}: {err}); "
                           "start a new run") from None
        if cfg["epochs"] <= trainer.epoch:
            raise RunError(f"{out} is already complete: it has run {trainer.epoch} epochs and "
                           f"--epochs is {cfg['epochs']}; pass --epochs N with N > {trainer.epoch} "
                           "to train it longer")
        print(f"lucidnet train: resuming {out} after epoch {trainer.epoch}, "
              f"training to epoch {cfg['epochs']}")
    if lead:
        _write_json(os.path.join(out, "config.json"), cfg)
    if prep.note:
        print(prep.note)
    n_val = 0 if prep.validation is None else len(prep.validation[0])
    print(f"lucidnet train: {_data_name(cfg)} ({len(prep.X_train)} train / {n_val} validation / "
          f"{len(prep.X_test)} test), model {cfg['model']}, optimizer {cfg['optimizer']} "
          f"lr={lr:g}, seed {cfg['seed']}")
    print(trainer.model)
    start = time.perf_counter()
    with _warnings_as_lines():
        history = trainer.fit(prep.X_train, prep.y_train, epochs=cfg["epochs"] - trainer.epoch,
                              batch_size=cfg["batch_size"], validation_data=prep.validation,
                              seed=cfg["seed"], transform=transform)
    seconds = time.perf_counter() - start
    if not lead:  # rank 0 writes the history, the model, the metrics and the figures
        return 130 if guard.interrupted else 0
    if len(history):
        history.to_csv(os.path.join(out, "history.csv"))
    if guard.interrupted:
        print(f"interrupted by {guard.signal_name}: checkpoint saved to {last}; continue with "
              f"'lucidnet train --resume {out}'")
        return 130
    diverged = bool(getattr(trainer, "diverged", False))
    if diverged:
        what = getattr(trainer, "divergence", None) or "training diverged"
        if not len(history):
            raise RunError(f"{what}; no epoch completed, so there is no model to keep: lower "
                           f"--lr (it was {lr:g})")
        print(f"warning: {what}; the model after epoch {len(history)} is evaluated and saved",
              file=sys.stderr)
    print()
    with _warnings_as_lines():
        results = report(trainer, prep.X_test, prep.y_test, prep.classification, out,
                         class_names=prep.ds.target_names, n_classes=n_outputs)
    metadata = {
        "config": cfg, "task": prep.ds.task, "n_outputs": n_outputs,
        "input_scaler": "Standardize layer 0", "feature_names": list(prep.ds.feature_names),
        "image_shape": None if prep.ds.image_shape is None else list(prep.ds.image_shape),
        "class_names": prep.ds.target_names}
    if prep.table is not None:
        metadata["table"] = prep.table
    io.save(_with_scaler(_plain_batch_norm(cfg, prep, trainer.model), prep.scaler),
            os.path.join(out, "model.npz"), metadata=metadata)
    _write_json(os.path.join(out, "metrics.json"), {
        "dataset": _data_name(cfg), "model": cfg["model"], "seed": cfg["seed"],
        "epochs_run": len(history), "train_seconds": round(seconds, 3), "diverged": diverged,
        "test": {k: v for k, v in results.items() if k != "confusion_matrix"},
        "confusion_matrix": results.get("confusion_matrix")})
    _close(plot.learning_curves(history, os.path.join(out, "learning_curve.png"),
                                title=f"{_data_name(cfg)} - {cfg['model']}"))
    figures = ", confusion_matrix.png, roc_curves.png" if prep.classification else ""
    if monitor is not None and monitor.records:
        _close(plot.gradient_flow(monitor.records, path=os.path.join(out, "gradient_flow.png")))
        _close(plot.activation_histograms(trainer.model, prep.X_train[:256],
                                          path=os.path.join(out, "activation_histograms.png")))
        figures += ", gradient_flow.png, activation_histograms.png"
    print(f"run folder: {out} (model.npz, last.npz, history.csv, metrics.json, "
          f"learning_curve.png{figures})")
    return 0


def _plain_batch_norm(cfg: dict, prep: Prepared, model):
    """The trained model with BatchNorm layers in place of SyncBatchNorm (--sync-batch-norm):
    the same weights and statistics, and a model.npz that needs no process group."""
    if not cfg.get("sync_batch_norm"):
        return model
    plain = _build_model(cfg, prep.ds, prep.ds.n_classes if prep.classification else 1)
    plain.load_state_dict(model.state_dict())
    return plain


def _with_scaler(model, scaler):
    """``Sequential(Standardize(mean, scale), model)``: the saved model takes raw inputs."""
    layer = nn.Standardize(int(scaler.mean_.size))
    layer.mean[...] = scaler.mean_
    layer.std[...] = scaler.scale_
    return nn.Sequential(layer, model)


def read_config(run_dir: str) -> dict:
    path = os.path.join(run_dir, "config.json")
    if not os.path.isdir(run_dir):
        raise RunError(f"no such run folder: {run_dir!r}")
    if not os.path.exists(path):
        raise RunError(f"{run_dir!r} has no config.json: is it a lucidnet run folder?")
    try:
        with open(path, encoding="utf-8") as f:
            cfg = json.load(f)
    except (OSError, ValueError) as err:
        raise RunError(f"{path}: not a readable run configuration: {err}") from None
    if not isinstance(cfg, dict):
        raise RunError(f"{path}: not a run configuration (expected a JSON object)")
    return cfg


def _load_model(path: str):
    """A run folder (its model.npz, else best.npz / last.npz) or a model file -> (model, metadata)."""
    if os.path.isdir(path):
        for name in ("model.npz", "best.npz", "last.npz"):
            candidate = os.path.join(path, name)
            if os.path.exists(candidate):
                path = candidate
                break
        else:
            raise RunError(f"{path!r} holds no model.npz, best.npz or last.npz")
    elif not os.path.exists(path):
        raise RunError(f"no such model file or run folder: {path!r}")
    try:
        model, meta = lnio.load(path, with_metadata=True)
    except (KeyError, TypeError, AttributeError, IndexError, RecursionError, MemoryError) as err:
        raise RunError(f"{path!r} is not a usable lucidnet model file "
                       f"({type(err).__name__}: {err})") from None
    if not isinstance(meta, dict):
        raise RunError(f"{path!r}: its metadata is not a dict; was it written by 'lucidnet train'?")
    return model, meta, path


def _scaler_layer(model):
    """The model's leading Standardize layer (run folders since issue 16), else None."""
    if isinstance(model, nn.Sequential) and len(model) == 2 \
            and isinstance(model[0], nn.Standardize):
        return model[0]
    return None


def _inference_trainer(model, meta):
    classification = meta.get("task") == "classification"
    loss = nn.CrossEntropyLoss() if classification else nn.MSELoss()
    metric_names = ["accuracy", "f1_macro"] if classification else ["r2", "rmse", "mae"]
    params = list(model.parameters())
    trainer = Trainer(model, loss, optim.SGD(params, lr=0.0), metrics=metric_names, verbose=0)
    return trainer, classification


def _raw_inputs(model, meta, X) -> np.ndarray:
    """Raw feature rows -> what ``model`` takes. A model with a Standardize layer scales them
    itself; an older run's model.npz has the scaler in its metadata instead."""
    X = X.reshape(len(X), -1)
    layer = _scaler_layer(model)
    if layer is not None:
        n = layer.num_features
    elif "scaler_mean" in meta:
        n = len(meta["scaler_mean"])
    else:
        raise RunError("the model file has no input scaler (no Standardize layer, no scaler in its "
                       "metadata); it was not written by 'lucidnet train'")
    if X.shape[1] != n:
        raise RunError(f"the model expects {n} input features, the data has {X.shape[1]}")
    if layer is None:
        X = (X - np.asarray(meta["scaler_mean"])) / np.asarray(meta["scaler_scale"])
    kind = (meta.get("config") or {}).get("model", "mlp")
    return _reshape_for(kind, meta.get("image_shape"), X.astype(np.float32))


def _output_folder(out: str) -> str:
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as err:
        raise RunError(f"cannot create the folder {out!r}: {err.strerror or err}") from None
    return out


def evaluate_run(path: str, dataset: str | None, out: str | None, data_path: str | None = None,
                 whole: bool = False, data: str | None = None, target: str | None = None) -> int:
    """Evaluate a saved model: on its run's held-out test split (its own dataset, unless
    ``whole``), on a whole dataset, or on a labelled file ``data`` (a table with the target
    column, ``target`` defaulting to the run's; an image folder for an image-folder run).

    Examples
    --------
    >>> import contextlib, io
    >>> from lucidnet.cli import build_parser
    >>> from lucidnet.runs import train_run
    >>> cfg = vars(build_parser().parse_args(["train", "--dataset", "and", "--hidden", "4",
    ...                                       "--epochs", "2", "--quiet", "--out", "run_b"]))
    >>> with contextlib.redirect_stdout(io.StringIO()):     # the report it prints
    ...     rc = train_run(cfg)
    >>> from lucidnet.runs import evaluate_run
    >>> with contextlib.redirect_stdout(io.StringIO()) as report:
    ...     rc = evaluate_run("run_b", dataset=None, out=None)   # its own held-out test split
    >>> rc, report.getvalue().splitlines()[0]
    (0, 'lucidnet evaluate: run_b/model.npz on and (its held-out test split, 4 samples)')
    """
    model, meta, model_path = _load_model(path)
    cfg = meta.get("config") or {}
    own = _input_kind(cfg) != "dataset" or "table" in meta
    if data is not None and (dataset is not None or data_path is not None):
        raise RunError("evaluate takes --data FILE or --dataset NAME (with --data-path), not both")
    if target is not None and data is None:
        raise RunError("--target names the label column of --data FILE; give --data too")
    if own and dataset is None and data_path is not None:
        raise RunError("--data-path is for --dataset mnist; this run was trained on your own data")
    if own and dataset is not None:
        raise RunError(f"{model_path} was trained on {_data_name(cfg)!r}, not on a bundled "
                       "dataset: evaluate it on a labelled file with --data FILE (or on its own "
                       "held-out split with no option)")
    out = out or (os.path.join(path, "evaluation") if os.path.isdir(path) else "evaluation")
    if os.path.exists(out) and not os.path.isdir(out):
        raise RunError(f"--out {out!r} is an existing file; give a folder for the evaluation")
    net = model
    if data is not None or (own and whole):
        source = data if data is not None else cfg.get("data")
        if not source:
            raise RunError(f"{model_path}: its configuration names no data file; give --data FILE")
        X, y = _labelled_inputs(model, meta, source, target)
        name, what = os.path.basename(os.path.normpath(source)), "every row" if data else \
            "the whole data file"
    elif own:
        if not cfg.get("data"):
            raise RunError(f"{model_path}: its configuration names no data file; give --data FILE")
        prep = prepare_data(cfg)  # same seed and options: the run's own held-out test split
        X, y = prep.X_test, prep.y_test  # standardized already: skip the model's own scaler
        net = model[1] if _scaler_layer(model) is not None else model
        name = _data_name(cfg)
        what = f"its test file {os.path.basename(cfg['test'])}" if cfg.get("test") else \
            "its held-out test split"
    else:
        dataset = dataset or cfg.get("dataset")
        if dataset is None:
            raise RunError("say which data to evaluate on: --dataset NAME or --data FILE")
        if dataset.lower() not in DATASETS:
            raise RunError(f"unknown dataset {dataset!r}; valid: {', '.join(DATASETS)}")
        dataset = name = dataset.lower()
        if not whole and cfg and dataset == cfg.get("dataset") \
                and data_path in (None, cfg.get("data_path")):
            prep = prepare_data(cfg)  # same seed and options: the run's own held-out test split
            X, y = prep.X_test, prep.y_test  # standardized already: skip the model's own scaler
            net = model[1] if _scaler_layer(model) is not None else model
            what = "its held-out test split"
        else:
            ds = _load_dataset(dataset, data_path)
            X, y = _raw_inputs(model, meta, ds.X), ds.y
            what = "the whole dataset"
    trainer, classification = _inference_trainer(net, meta)
    _output_folder(out)
    print(f"lucidnet evaluate: {model_path} on {name} ({what}, {len(X)} samples)")
    results = report(trainer, X, y, classification, out, class_names=meta.get("class_names"),
                     n_classes=meta.get("n_outputs"))
    _write_json(os.path.join(out, "metrics.json"), {k: v for k, v in results.items()})
    print(f"evaluation written to {out}")
    return 0


def _is_image_run(meta: dict) -> bool:
    return (meta.get("config") or {}).get("input") == "images" and "table" not in meta


def _table_inputs(model, meta: dict, path: str, ignore=()) -> np.ndarray:
    """A table file's feature columns, matched by name to the run's, encoded, as model input."""
    if not os.path.exists(path):
        raise RunError(f"no such input file: {path!r}")
    if os.path.isdir(path):
        raise RunError(f"{path!r} is a folder; this model was trained on a table: give a "
                       ".csv, .tsv or .parquet file")
    try:
        encoder = TableEncoder.from_dict(meta["table"])
    except ValueError as err:
        raise RunError(f"the model's table metadata is unusable: {err}") from None
    table = _read_table(path)
    encoder.check_columns(table, ignore=[n for n in ignore if n])
    return _raw_inputs(model, meta, encoder.transform(table)), table


def _labelled_inputs(model, meta: dict, path: str, target: str | None):
    """Model inputs and labels from a labelled table file or image folder."""
    classes = meta.get("class_names")
    classification = meta.get("task") == "classification"
    if "table" in meta:
        target = target or meta["table"].get("target")
        X, table = _table_inputs(model, meta, path, ignore=[target])
        if target not in table.names:
            raise RunError(f"{path} has no target column {target!r} to evaluate against; name "
                           f"it with --target COLUMN (columns: {', '.join(table.names)})")
        y = encode_target(table, target, meta.get("task"),
                          classes if classification else None)[0]
        return X, y
    if _is_image_run(meta):
        if target is not None:
            raise RunError("--target is for tables; an image folder's classes are its "
                           "sub-folders")
        shape = tuple(meta.get("image_shape") or ())
        try:
            ds = load_image_folder(path, mode="L" if shape[:1] == (1,) else "RGB")
        except ModuleNotFoundError as err:
            raise RunError(str(err)) from None
        if tuple(ds.image_shape) != shape:
            raise RunError(f"{path}: images of shape {ds.image_shape} (C, H, W); the model "
                           f"expects {shape}")
        return _raw_inputs(model, meta, ds.X), _map_classes(ds, classes, path)
    cfg = meta.get("config") or {}
    raise RunError(f"--data is for runs trained with --data FILE; this one was trained on the "
                   f"bundled dataset {cfg.get('dataset', '?')!r}: use --dataset NAME")


def _match_columns(table, names, input_csv: str) -> np.ndarray:
    """The CSV's feature columns in the model's training order (by name, when it has a header)."""
    have = list(table.feature_names)
    if not names or all(re.fullmatch(r"column\d+", n) for n in have):
        return table.X  # an older model without names, or a CSV without a header: by position
    if len(set(have)) != len(have):
        twice = sorted({n for n in have if have.count(n) > 1})
        raise RunError(f"{input_csv}: duplicate column names {twice}")
    missing = [n for n in names if n not in have]
    unexpected = [n for n in have if n not in names]
    if missing or unexpected:
        def show(cols):
            return ", ".join(repr(c) for c in cols[:5]) + (" ..." if len(cols) > 5 else "")
        parts = ([f"missing {show(missing)}"] if missing else []) + \
                ([f"unexpected {show(unexpected)}"] if unexpected else [])
        raise RunError(f"{input_csv}: the columns do not match the model's {len(names)} training "
                       f"features: {'; '.join(parts)} (ignore a label column with --target NAME)")
    return table.X[:, [have.index(n) for n in names]]


def predict_file(model_path: str, input_csv: str, output: str | None, target=None) -> int:
    """Predict every row of a table (or every image); write (or print) a CSV of predictions.

    A run trained on a table file (``"table"`` metadata) reads a CSV / TSV / Parquet file whose
    columns are matched to the training columns by name (any order; the target column, by its
    stored name or ``target``, is ignored; missing or unexpected names are an error), and
    encodes them as in training. A run trained on an image folder reads an image file or a
    folder of images (its predictions start with a ``file`` column). Other runs read a CSV of
    numbers: with a header, matched to the training features by name; without, by position.

    Examples
    --------
    >>> import contextlib, io
    >>> from lucidnet.cli import build_parser
    >>> from lucidnet.runs import train_run
    >>> cfg = vars(build_parser().parse_args(["train", "--dataset", "and", "--hidden", "4",
    ...                                       "--epochs", "2", "--quiet", "--out", "run_c"]))
    >>> with contextlib.redirect_stdout(io.StringIO()):     # the report it prints
    ...     rc = train_run(cfg)
    >>> from lucidnet.runs import predict_file
    >>> with open("rows.csv", "w") as f:                      # no header: features by position
    ...     _ = f.write("0,0\\n0,1\\n1,0\\n1,1\\n")
    >>> predict_file("run_c", "rows.csv", "predictions.csv")
    4 predictions written to predictions.csv
    0
    >>> lines = open("predictions.csv").read().splitlines()
    >>> lines[0], len(lines)
    ('prediction,p_0,p_1', 5)
    """
    model, meta, model_path = _load_model(model_path)
    trainer, classification = _inference_trainer(model, meta)
    if not os.path.exists(input_csv):
        raise RunError(f"no such input file: {input_csv!r}")
    if output and os.path.isdir(output):
        raise RunError(f"--output {output!r} is a folder; give a file name for the predictions")
    files = None
    if "table" in meta:
        if target is not None and not os.path.isdir(input_csv):
            names = _read_table(input_csv).names
            if target not in names:
                raise RunError(f"--target {target!r} is not a column of {input_csv}; columns: "
                               f"{', '.join(names)}")
        X = _table_inputs(model, meta, input_csv, ignore=[meta["table"].get("target"), target])[0]
    elif _is_image_run(meta):
        try:
            X, files = load_images(input_csv, meta.get("image_shape"), return_paths=True)
        except ModuleNotFoundError as err:
            raise RunError(str(err)) from None
        X = _raw_inputs(model, meta, X)
    else:
        if os.path.isdir(input_csv):
            raise RunError(f"--input {input_csv!r} is a folder; give a CSV file")
        table = data.load_csv(input_csv, target=target)
        X = _raw_inputs(model, meta, _match_columns(table, meta.get("feature_names"), input_csv))
    lines = []
    first = [] if files is None else ["file"]
    cells = [[] for _ in range(len(X))] if files is None else [[_csv_cell(f)] for f in files]
    if classification:
        proba = trainer.predict_proba(X)
        names = meta.get("class_names") or [str(i) for i in range(proba.shape[1])]
        pred = proba.argmax(axis=1)
        names = [str(n) for n in names]  # a label may hold a comma or a quote: quoted
        lines.append(",".join(first + ["prediction"] + [_csv_cell(f"p_{n}") for n in names]))
        shown = [_csv_cell(n) for n in names]
        lines += [",".join(c + [shown[p]] + [f"{v:.6g}" for v in row])
                  for c, p, row in zip(cells, pred, proba)]
    else:
        pred = trainer.predict(X).reshape(-1)
        lines.append(",".join(first + ["prediction"]))
        lines += [",".join(c + [f"{v:.6g}"]) for c, v in zip(cells, pred)]
    text = "\n".join(lines) + "\n"
    if output:
        _write_text(output, text, "predictions")
        print(f"{len(X)} predictions written to {output}")
    else:
        print(text, end="")
    return 0


def _csv_cell(text: str) -> str:
    """A CSV field: quoted when it holds a comma, a quote or a line break."""
    if any(ch in text for ch in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


#: what ``lucidnet export --format`` writes, by the output file's extension
EXPORT_FORMATS = {".onnx": "onnx", ".safetensors": "safetensors"}


def export_model(path: str, fmt: str | None, output: str | None, opset: int | None = None) -> int:
    """``lucidnet export``: a run's model as ONNX (preprocessing inside the graph, so it takes
    the raw rows) or as safetensors (weights + architecture + the run's metadata, so
    ``lucidnet.load`` / ``lucidnet predict`` read it back).

    ``fmt`` None takes the format from ``output``'s extension; ``output`` None writes
    ``model.onnx`` / ``model.safetensors`` into the run folder (beside a model file).

    Examples
    --------
    >>> import contextlib, io
    >>> from lucidnet.cli import build_parser
    >>> from lucidnet.runs import train_run
    >>> cfg = vars(build_parser().parse_args(["train", "--dataset", "and", "--hidden", "4",
    ...                                       "--epochs", "2", "--quiet", "--out", "run_d"]))
    >>> with contextlib.redirect_stdout(io.StringIO()):     # the report it prints
    ...     rc = train_run(cfg)
    >>> from lucidnet.runs import export_model
    >>> export_model("run_d", None, "model.safetensors")       # the format from the extension
    wrote model.safetensors (safetensors: 6 tensors and the architecture of run_d/model.npz)
    0
    >>> ln.load("model.safetensors")[1]
    Sequential(
      (0): Linear(in_features=2, out_features=4, bias=True)
      (1): ReLU()
      (2): Linear(in_features=4, out_features=2, bias=True)
    )
    """
    if output is not None and os.path.isdir(output):
        raise RunError(f"-o {output!r} is a folder; give a file name for the exported model")
    if fmt is None:
        ext = os.path.splitext(output or "")[1].lower()
        if ext not in EXPORT_FORMATS:
            raise RunError("say which format to export: --format onnx or --format safetensors "
                           "(or an output file ending in .onnx / .safetensors)")
        fmt = EXPORT_FORMATS[ext]
    if fmt not in EXPORT_FORMATS.values():
        raise RunError(f"unknown export format {fmt!r}; valid: onnx, safetensors")
    ext = os.path.splitext(output or "")[1].lower()
    if EXPORT_FORMATS.get(ext, fmt) != fmt:
        raise RunError(f"--format {fmt}, but -o {output!r} ends in {ext} (the "
                       f"{EXPORT_FORMATS[ext]} format): name the file .{fmt}, or drop --format")
    if opset is not None and fmt != "onnx":
        raise RunError("--opset is for --format onnx")
    if not os.path.exists(path):
        raise RunError(f"no such model file or run folder: {path!r}")
    if output is None:
        folder = path if os.path.isdir(path) else os.path.dirname(path)
        output = os.path.join(folder, f"model.{fmt}")
    if fmt == "onnx":
        try:
            proto = export_run(path, output, opset=opset)
        except ImportError as err:
            raise RunError(f"{err}") from None
        inputs = ", ".join(f"{i.name}" for i in proto.graph.input)
        outputs = ", ".join(o.name for o in proto.graph.output)
        print(f"wrote {output} (ONNX opset {proto.opset_import[0].version}; inputs: {inputs}; "
              f"outputs: {outputs})")
        return 0

    model, meta, model_path = _load_model(path)
    save_model(model, output, metadata=meta)
    print(f"wrote {output} (safetensors: {len(model.state_dict())} tensors and the architecture "
          f"of {model_path})")
    return 0
