"""The ``lucidnet`` command.

    lucidnet train                       # MLP on the bundled digits data, metrics + run folder
    lucidnet train --model cnn --epochs 20 --optimizer sgd --lr 0.05 --schedule cosine
    lucidnet --help / lucidnet train --help

User mistakes (unknown names, bad values, missing files) print one line on stderr and exit with
status 2 -- never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

__all__ = ["main", "build_parser"]


class UsageError(Exception):
    """A mistake in the command line: reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse would print the whole usage)
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


def _int_list(text: str) -> tuple:
    try:
        values = tuple(int(v) for v in text.replace(" ", "").split(",") if v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers like 128,64, got {text!r}")
    if any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"layer sizes must be >= 1, got {text!r}")
    return values


def _key_values(items) -> dict:
    """["T_max=10", "eta_min=0.001"] -> {"T_max": 10, "eta_min": 0.001} (numbers parsed)."""
    out = {}
    for item in items or []:
        if "=" not in item:
            raise UsageError(f"option {item!r} must look like NAME=VALUE")
        key, value = item.split("=", 1)
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="lucidnet", description="lucidnet: neural-network fundamentals on NumPy. "
                     "Train models on bundled data, evaluate them, and run the notes' experiments.")
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    train = sub.add_parser("train", help="train a model on a bundled dataset and write a run folder",
                           description="Train a network on a bundled dataset (standardized, "
                           "stratified train/test split), print test metrics and write a run "
                           "folder: model.npz, history.csv, metrics.json, learning_curve.png.")
    _add_train_arguments(train)
    return parser


def _add_train_arguments(p):
    from .data import DATASETS
    from .nn.activation import ACTIVATIONS
    from .optim import OPTIMIZERS
    from .optim.lr_scheduler import SCHEDULERS

    g = p.add_argument_group("data")
    g.add_argument("--dataset", default="digits", help=f"one of: {', '.join(DATASETS)} (default digits)")
    g.add_argument("--test-size", type=float, default=0.2, help="held-out test fraction (default 0.2)")
    g.add_argument("--val-size", type=float, default=0.1,
                   help="fraction of the training part used for validation curves (default 0.1)")
    g.add_argument("--data-path", default=None,
                   help="folder with MNIST-format IDX files (for --dataset mnist)")
    g.add_argument("--train-fraction", type=float, default=1.0,
                   help="train on this stratified fraction of the training part (default 1.0)")
    g.add_argument("--augment", default=None, metavar="SPEC",
                   help="on-the-fly augmentation of training batches, e.g. 'rotate=10,zoom=0.9:1.1,"
                   "crop=1,noise=0.1' (names: rotate, flip, hflip, vflip, zoom, scale, jitter, "
                   "brightness, contrast, crop, noise)")
    g = p.add_argument_group("model")
    g.add_argument("--model", default="mlp", help="mlp or cnn (default mlp)")
    g.add_argument("--hidden", type=_int_list, default=(128, 64),
                   help="hidden layer sizes of the MLP, comma-separated (default 128,64)")
    g.add_argument("--activation", default="relu", help=f"one of: {', '.join(ACTIVATIONS)} (default relu)")
    g.add_argument("--dropout", type=float, default=0.0,
                   help="dropout rate after each hidden layer / before the CNN head (default 0)")
    g.add_argument("--batch-norm", action="store_true", help="BatchNorm after each hidden layer / conv")
    g.add_argument("--init", default="default",
                   help="weight initializer: default (PyTorch's), normal, small_normal, zeros, "
                   "lecun_normal, lecun_uniform, xavier_normal, xavier_uniform, he_normal, he_uniform")
    g = p.add_argument_group("optimization")
    g.add_argument("--optimizer", default="adam", help=f"one of: {', '.join(OPTIMIZERS)} (default adam)")
    g.add_argument("--lr", type=float, default=None, help="learning rate (default: 1e-3 for Adam-"
                   "family optimizers, 0.05 for SGD-family, 0.01 otherwise)")
    g.add_argument("--weight-decay", type=float, default=0.0, help="L2 weight decay in the optimizer")
    g.add_argument("--momentum", type=float, default=None, help="momentum (SGD, RMSprop)")
    g.add_argument("--schedule", default=None, help=f"learning-rate schedule: {', '.join(SCHEDULERS)}")
    g.add_argument("--schedule-opt", action="append", metavar="NAME=VALUE",
                   help="an argument of the schedule, e.g. --schedule-opt T_max=30 (repeatable)")
    g.add_argument("--epochs", type=int, default=30, help="number of epochs (default 30)")
    g.add_argument("--batch-size", type=int, default=32, help="mini-batch size (default 32)")
    g = p.add_argument_group("run")
    g.add_argument("--seed", type=int, default=0, help="random seed: same seed, same result (default 0)")
    g.add_argument("--out", default=None, help="run folder (default runs/DATASET-MODEL-seedN)")
    g.add_argument("--quiet", action="store_true", help="no progress bars")
    g.add_argument("--config", default=None, metavar="FILE.toml",
                   help="read options from a TOML file (keys as the long options, with _ or -: "
                   "epochs = 50, hidden = [128, 64], schedule_opt = {T_max = 50}); flags given "
                   "on the command line win")


def _version() -> str:
    from . import __version__

    return f"lucidnet {__version__}"


def _lookup(kind: str, name: str, registry) -> str:
    key = name.lower()
    if key not in registry:
        raise UsageError(f"unknown {kind} {name!r}; valid: {', '.join(registry)}")
    return key


def _default_lr(optimizer: str) -> float:
    if optimizer in ("adam", "adamw", "adamax", "nadam", "amsgrad"):
        return 1e-3
    if optimizer in ("sgd", "momentum", "nesterov"):
        return 0.05
    return 0.01


def _check_args(args):
    from .data import DATASETS
    from .nn.activation import ACTIVATIONS
    from .optim import OPTIMIZERS
    from .optim.lr_scheduler import SCHEDULERS

    args.dataset = _lookup("dataset", args.dataset, DATASETS)
    args.activation = _lookup("activation", args.activation, ACTIVATIONS)
    args.optimizer = _lookup("optimizer", args.optimizer, OPTIMIZERS)
    args.model = _lookup("model", args.model, {"mlp": None, "cnn": None})
    if args.schedule is not None:
        args.schedule = _lookup("schedule", args.schedule, SCHEDULERS)
    if args.epochs < 1:
        raise UsageError(f"--epochs must be >= 1, got {args.epochs}")
    if args.batch_size < 1:
        raise UsageError(f"--batch-size must be >= 1, got {args.batch_size}")
    if args.lr is not None and not (args.lr > 0 and args.lr < float("inf")):
        raise UsageError(f"--lr must be a positive finite number, got {args.lr}")
    from .nn.init import INITIALIZERS

    args.init = _lookup("initializer", args.init, INITIALIZERS)
    if not 0 <= args.dropout < 1:
        raise UsageError(f"--dropout must be in [0, 1), got {args.dropout}")
    if not 0 < args.train_fraction <= 1:
        raise UsageError(f"--train-fraction must be in (0, 1], got {args.train_fraction}")
    for name in ("test_size", "val_size"):
        value = getattr(args, name)
        if not 0 <= value < 1 or (name == "test_size" and value == 0):
            raise UsageError(f"--{name.replace('_', '-')} must be in (0, 1), got {value}")


# ---------------------------------------------------------------- train
_CLI_SCHEDULES_WITHOUT_DEFAULTS = ("lambda", "sequential")


def _schedule_defaults(name: str, lr: float, epochs: int, steps_per_epoch: int) -> dict:
    """Sensible arguments for each schedule from the run's length; --schedule-opt overrides them.
    Epoch-stepped schedules count epochs, batch-stepped ones (cyclic, onecycle) count batches."""
    if name in _CLI_SCHEDULES_WITHOUT_DEFAULTS:
        raise UsageError(f"schedule {name!r} needs Python callables or sub-schedules and is not "
                         "available from the command line; try warmup_cosine, cosine or step")
    total_steps = epochs * steps_per_epoch
    return {
        "step": {"step_size": max(1, epochs // 3)},
        "multistep": {"milestones": [max(1, epochs // 2), max(2, (3 * epochs) // 4)]},
        "constant": {},
        "linear": {"total_iters": max(1, epochs // 5)},
        "exponential": {"gamma": 0.95},
        "polynomial": {"total_iters": epochs},
        "cosine": {"T_max": epochs},
        "cosine_warm_restarts": {"T_0": max(1, epochs // 3)},
        "warmup_cosine": {"warmup_steps": max(1, epochs // 10), "total_steps": max(2, epochs)},
        "cyclic": {"base_lr": lr / 10, "max_lr": lr, "step_size_up": 2 * steps_per_epoch,
                   "cycle_momentum": False},
        "onecycle": {"max_lr": lr, "total_steps": total_steps},
        "plateau": {"patience": 5},
    }.get(name, {})


def _build_model(args, ds, n_out):
    from . import models

    if args.model == "cnn":
        shape = ds.image_shape
        return models.CNN(in_channels=shape[0], image_size=shape[1:] if len(shape) > 2 else shape[1],
                          num_classes=n_out, batch_norm=args.batch_norm, dropout=args.dropout)
    return models.MLP(ds.X.shape[1] if ds.X.ndim == 2 else int(ds.X[0].size), hidden=args.hidden,
                      out_features=n_out, activation=args.activation, dropout=args.dropout,
                      batch_norm=args.batch_norm, init=args.init)


def _train(args) -> int:
    import numpy as np

    import lucidnet as ln
    from . import data, io, metrics, nn, optim, plot
    from .optim import lr_scheduler
    from .train import Trainer

    _check_args(args)
    ln.manual_seed(args.seed)
    try:
        ds = data.load_dataset(args.dataset, **({"path": args.data_path} if args.data_path else {}))
    except (TypeError, ValueError) as err:
        raise UsageError(str(err)) from None
    if args.model == "cnn" and ds.image_shape is None:
        raise UsageError(f"--model cnn needs image or signal data; {args.dataset!r} is tabular "
                         "(use --model mlp)")
    classification = ds.task == "classification"
    if ds.X_test is not None:  # the dataset defines its own test split (MNIST-1D)
        X_train, X_test, y_train, y_test = ds.X, ds.X_test, ds.y, ds.y_test
    else:
        X_train, X_test, y_train, y_test = data.train_test_split(
            ds.X, ds.y, test_size=args.test_size, random_state=args.seed,
            stratify=ds.y if classification else None)
    X_val = y_val = None
    if args.val_size > 0:
        X_train, X_val, y_train, y_val = data.train_test_split(
            X_train, y_train, test_size=args.val_size, random_state=args.seed,
            stratify=y_train if classification else None)
    if args.train_fraction < 1.0:
        X_train, _, y_train, _ = data.train_test_split(
            X_train, y_train, train_size=args.train_fraction, random_state=args.seed,
            stratify=y_train if classification else None)
    flat_shape = X_train.shape
    scaler = data.StandardScaler().fit(X_train.reshape(len(X_train), -1))

    def prepare(A):
        A = scaler.transform(A.reshape(len(A), -1)).astype(np.float32)
        if args.model == "cnn":
            return A.reshape((len(A),) + tuple(ds.image_shape))
        return A

    X_train, X_test = prepare(X_train), prepare(X_test)
    validation = None if X_val is None else (prepare(X_val), y_val)
    n_out = ds.n_classes if classification else 1
    model = _build_model(args, ds, n_out)
    loss = nn.CrossEntropyLoss() if classification else nn.MSELoss()
    lr = args.lr if args.lr is not None else _default_lr(args.optimizer)
    opt_kwargs = {"lr": lr}
    if args.weight_decay:
        opt_kwargs["weight_decay"] = args.weight_decay
    if args.momentum is not None:
        opt_kwargs["momentum"] = args.momentum
    optimizer = optim.get_optimizer(args.optimizer, model.parameters(), **opt_kwargs)
    scheduler = None
    if args.schedule:
        steps_per_epoch = int(np.ceil(len(X_train) / args.batch_size))
        sched_kwargs = _schedule_defaults(args.schedule, lr, args.epochs, steps_per_epoch)
        sched_kwargs.update(_key_values(args.schedule_opt))
        scheduler = lr_scheduler.get_scheduler(args.schedule, optimizer, **sched_kwargs)
    metric_names = ["accuracy", "f1_macro"] if classification else ["r2", "rmse", "mae"]
    trainer = Trainer(model, loss, optimizer, metrics=metric_names, scheduler=scheduler,
                      verbose=0 if args.quiet else 1)
    print(f"lucidnet train: {args.dataset} ({len(X_train)} train / "
          f"{0 if X_val is None else len(X_val)} validation / {len(X_test)} test), "
          f"model {args.model}, optimizer {args.optimizer} lr={lr:g}, seed {args.seed}")
    print(model)
    start = time.perf_counter()
    transform = None
    if args.augment:
        if ds.image_shape is None:
            raise UsageError(f"--augment needs image data; {args.dataset!r} is tabular")
        try:
            transform = data.build_augmentation(
                args.augment, seed=args.seed,
                image_shape=tuple(ds.image_shape) if args.model == "mlp" else None)
        except ValueError as err:
            raise UsageError(str(err)) from None
    history = trainer.fit(X_train, y_train, epochs=args.epochs, batch_size=args.batch_size,
                          validation_data=validation, seed=args.seed, transform=transform)
    seconds = time.perf_counter() - start
    results = trainer.evaluate(X_test, y_test)
    report = {"dataset": args.dataset, "model": args.model, "seed": args.seed,
              "epochs_run": len(history), "train_seconds": round(seconds, 3),
              "diverged": trainer.diverged,
              "test": {k: float(v) for k, v in results.items()}}
    print()
    if classification:
        y_pred = trainer.predict(X_test)
        cm = metrics.confusion_matrix(y_test, y_pred)
        report["test"]["macro_f1"] = float(metrics.f1_score(y_test, y_pred, average="macro"))
        report["confusion_matrix"] = cm.tolist()
        print(f"test accuracy : {results['accuracy']:.4f}")
        print(f"test macro F1 : {report['test']['macro_f1']:.4f}")
        print("confusion matrix (rows = true class, columns = predicted):")
        print(_format_matrix(cm))
        print(metrics.classification_report(y_test, y_pred, digits=4))
    else:
        y_pred = trainer.predict(X_test).reshape(-1)
        r2 = float(metrics.r2_score(y_test, y_pred))
        report["test"]["r2_quality"] = metrics.r2_quality(r2)
        print(f"test R^2 : {r2:.4f} ({metrics.r2_quality(r2)})")
        print(f"test RMSE: {results['rmse']:.4f}   MAE: {results['mae']:.4f}")
    out = args.out or os.path.join("runs", f"{args.dataset}-{args.model}-seed{args.seed}")
    os.makedirs(out, exist_ok=True)
    io.save(model, os.path.join(out, "model.npz"), metadata={
        "dataset": args.dataset, "task": ds.task, "scaler_mean": scaler.mean_.tolist(),
        "scaler_scale": scaler.scale_.tolist(), "input_shape": list(flat_shape[1:]),
        "image_shape": None if ds.image_shape is None else list(ds.image_shape)})
    history.to_csv(os.path.join(out, "history.csv"))
    _write_json(os.path.join(out, "metrics.json"), report)
    plot.learning_curves(history, os.path.join(out, "learning_curve.png"),
                         title=f"{args.dataset} - {args.model}")
    print(f"run folder: {out} (model.npz, history.csv, metrics.json, learning_curve.png)")
    return 0


def _format_matrix(cm) -> str:
    width = max(len(str(int(v))) for v in cm.reshape(-1)) + 1
    return "\n".join("  " + "".join(str(int(v)).rjust(width) for v in row) for row in cm)


def _write_json(path, obj) -> None:
    tmp = f"{path}.tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=2)
    os.replace(tmp, path)


def _apply_config(parser, argv, path):
    """Re-parse with the TOML file's values as defaults, so explicit flags still win."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    try:
        with open(path, "rb") as f:
            config = tomllib.load(f)
    except FileNotFoundError:
        raise UsageError(f"--config: no such file {path!r}") from None
    except tomllib.TOMLDecodeError as err:
        raise UsageError(f"--config {path}: not valid TOML: {err}") from None
    train_parser = parser._subparsers._group_actions[0].choices["train"]
    known = {a.dest: a for a in train_parser._actions if a.dest != "help"}
    defaults = {}
    for key, value in config.items():
        dest = key.replace("-", "_")
        if dest not in known or dest == "config":
            raise UsageError(f"--config {path}: unknown option {key!r}; valid: "
                             f"{', '.join(sorted(k for k in known if k != 'config'))}")
        if dest == "hidden":
            value = _int_list(",".join(str(v) for v in value)) if isinstance(value, list) \
                else _int_list(str(value))
        elif dest == "schedule_opt" and isinstance(value, dict):
            value = [f"{k}={json.dumps(v)}" for k, v in value.items()]
        defaults[dest] = value
    train_parser.set_defaults(**defaults)
    return parser.parse_args(argv)


# ---------------------------------------------------------------- entry point
def main(argv=None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if getattr(args, "config", None):
            args = _apply_config(parser, argv, args.config)
        if args.command is None:
            parser.print_help()
            return 0
        if args.command == "train":
            return _train(args)
        raise UsageError(f"unknown command {args.command!r}")
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except (ValueError, FileNotFoundError) as err:
        if os.environ.get("LUCIDNET_DEBUG"):
            raise
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
