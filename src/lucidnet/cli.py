"""The ``lucidnet`` command.

    lucidnet train                       # MLP on the bundled digits data, metrics + run folder
    lucidnet train --model cnn --epochs 20 --optimizer sgd --lr 0.05 --schedule cosine
    lucidnet train --data train.csv --target label     # your own table (CSV / TSV / Parquet)
    lucidnet train --data photos/ --model cnn          # an image folder: photos/<class>/*.png
    lucidnet playground                  # the interactive playground in the browser (127.0.0.1)
    lucidnet --help / lucidnet train --help

User mistakes (unknown names, bad values, missing files) print one line on stderr and exit with
status 2 -- never a traceback. ``python -m lucidnet`` is the same command. When the reader of the
output goes away (``lucidnet lab list | head -1``) the command stops quietly.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from . import __version__
from ._validation import check_int, check_real
from .data import DATASETS
from .lab.commands import add_lab_parser
from .nn.activation import ACTIVATIONS
from .nn.init import INITIALIZERS
from .optim import OPTIMIZERS
from .optim.lr_scheduler import SCHEDULERS
from .runs import RunError, fingerprint, process_group, read_config, train_run

__all__ = ["build_parser", "main"]


class UsageError(Exception):
    """A mistake in the command line: reported in one line, exit status 2."""


def _option(check, flag: str, value, **bounds):
    """``check("", flag, value, **bounds)`` of lucidnet._validation, its error as a UsageError
    (one line, exit status 2): ``--epochs must be an integer >= 1, got 0``."""
    try:
        return check("", flag, value, **bounds)
    except (TypeError, ValueError) as err:
        raise UsageError(str(err)) from None


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse would print the whole usage)
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


def _int_list(text: str) -> tuple:
    try:
        values = tuple(int(v) for v in text.replace(" ", "").split(",") if v)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers like 128,64, got {text!r}") from None
    if any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"layer sizes must be >= 1, got {text!r}")
    return values


def _name_list(text: str) -> list:
    names = [v.strip() for v in text.split(",")]
    if not any(names) or not all(names):
        raise argparse.ArgumentTypeError(f"expected comma-separated column names like age,color, "
                                         f"got {text!r}")
    return names


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
    """The ``lucidnet`` argument parser with every subcommand (``train``, ``evaluate``, ``lab``,
    ...); a parse error raises ``SystemExit(2)`` after one line on stderr.

    Examples
    --------
    >>> from lucidnet.cli import build_parser
    >>> args = build_parser().parse_args(["train", "--epochs", "3"])
    >>> args.command, args.epochs
    ('train', 3)
    """
    parser = _Parser(prog="lucidnet", description="lucidnet: neural-network fundamentals on NumPy. "
                     "Train models on bundled data, evaluate them, and run the lab's experiments "
                     "(each one checks a claim about how networks learn).")
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    train = sub.add_parser("train", help="train a model on a bundled dataset or your own table "
                           "and write a run folder",
                           description="Train a network on a bundled dataset, a table file "
                           "(--data FILE.csv --target COLUMN) or an image folder (--data FOLDER "
                           "of class sub-folders) -- standardized, stratified train/test split -- "
                           "print test metrics and write a run folder: model.npz, history.csv, "
                           "metrics.json, learning_curve.png.")
    _add_train_arguments(train)
    ev = sub.add_parser("evaluate", help="evaluate a saved model or run folder on a dataset",
                        description="Evaluate a run folder (its held-out test split), a model file "
                        "(on a whole dataset), or either on a labelled table or image folder "
                        "(--data): prints the report, writes metrics.json and figures.")
    ev.add_argument("path", metavar="RUN_DIR|MODEL", help="a run folder or a model .npz file")
    ev.add_argument("--dataset", default=None, help="dataset to evaluate on (default: the run's)")
    ev.add_argument("--data", default=None, metavar="FILE|FOLDER",
                    help="a labelled table (.csv, .tsv, .parquet) for a run trained on a table, "
                    "or an image folder (class sub-folders) for an image-folder run")
    ev.add_argument("--target", default=None, metavar="COLUMN",
                    help="the label column of --data (default: the run's target)")
    ev.add_argument("--data-path", default=None, help="folder with IDX files for --dataset mnist")
    ev.add_argument("--all", action="store_true",
                    help="use every sample of the dataset, not the run's held-out test split")
    ev.add_argument("--out", default=None, help="where to write the evaluation (default RUN_DIR/evaluation)")
    pr = sub.add_parser("predict", help="predict the rows of a CSV file with a saved model",
                        description="Predict each row of a CSV of features (same columns as the "
                        "training data, matched by name) with a model written by 'lucidnet "
                        "train'; for a run trained on an image folder, an image file or folder.")
    pr.add_argument("model_path", metavar="MODEL", help="a model .npz file or a run folder")
    pr.add_argument("--input", required=True,
                    help="CSV file with a header line and feature columns (.tsv / .parquet too "
                    "for a run trained on a table); an image or a folder of images for an "
                    "image-folder run")
    pr.add_argument("--target", default=None, help="a column of the CSV to ignore (e.g. the label)")
    pr.add_argument("--output", default=None, help="write predictions here (default: print them)")
    ex = sub.add_parser("export", help="export a trained model as ONNX or safetensors",
                        description="Export the model of a run folder or model file: ONNX (the "
                        "run's scaler and one-hot encoding inside the graph, so it takes the raw "
                        "rows; needs 'pip install \"lucidnet[onnx]\"') or safetensors (weights, "
                        "architecture and the run's metadata).")
    ex.add_argument("path", metavar="RUN_DIR|MODEL", help="a run folder or a model file")
    ex.add_argument("--format", choices=("onnx", "safetensors"), default=None,
                    help="output format (default: from the -o file's extension)")
    ex.add_argument("-o", "--output", default=None,
                    help="file to write (default RUN_DIR/model.onnx or model.safetensors)")
    ex.add_argument("--opset", type=int, default=None, help="ONNX opset (default 19)")
    pg = sub.add_parser("playground", help="the interactive playground in your browser (local "
                        "web app)", description="Start the lucidnet playground: TensorFlow "
                        "Playground's datasets and controls, trained live by lucidnet, in a local "
                        "web app (needs 'pip install \"lucidnet[playground]\"').")
    pg.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    pg.add_argument("--port", type=int, default=8765, help="TCP port (default 8765; 0: any free)")
    pg.add_argument("--no-browser", action="store_true", help="do not open the browser")

    add_lab_parser(sub)
    from .sweep import add_sweep_parser

    add_sweep_parser(sub)
    return parser


def _add_train_arguments(p):
    g = p.add_argument_group("data")
    g.add_argument("--dataset", default=None, help=f"one of: {', '.join(DATASETS)} (default digits)")
    g.add_argument("--data", default=None, metavar="FILE|FOLDER",
                   help="train on your own data instead: a table (.csv, .tsv, .parquet with a "
                   "header line; needs --target) or a folder of class sub-folders of images "
                   "(FOLDER/cat/*.png, FOLDER/dog/*.png)")
    g.add_argument("--target", default=None, metavar="COLUMN", help="the column of --data to predict")
    g.add_argument("--task", default=None, help="classification or regression (default: inferred "
                   "from the target: text labels and integer-valued numbers (3 or 3.0) are classes, other "
                   "numbers regression)")
    g.add_argument("--features", type=_name_list, default=None, metavar="A,B,...",
                   help="the feature columns of --data (default: every column but the target)")
    g.add_argument("--categorical", type=_name_list, default=None, metavar="A,B,...",
                   help="columns to one-hot encode even though they hold numbers (codes, ratings), "
                   "or a mostly-numeric column with a few text cells that really holds categories "
                   "(columns of text are categorical anyway)")
    g.add_argument("--impute", default=None, metavar="mean",
                   help="fill missing cells of --data (numeric: the training mean; categorical: "
                   "the most frequent category) instead of refusing them")
    g.add_argument("--test", default=None, metavar="FILE|FOLDER",
                   help="a labelled test set (same columns / classes as --data) instead of the "
                   "--test-size split")
    g.add_argument("--test-size", type=float, default=0.2, help="held-out test fraction (default 0.2)")
    g.add_argument("--val-size", type=float, default=0.1,
                   help="fraction of the training part used for validation curves (default 0.1)")
    g.add_argument("--data-path", default=None,
                   help="folder with MNIST-format IDX files (for --dataset mnist)")
    g.add_argument("--train-fraction", type=float, default=1.0,
                   help="train on this stratified fraction of the training part (default 1.0)")
    g.add_argument("--augment", default=None, metavar="SPEC",
                   help="on-the-fly augmentation of training batches, e.g. 'rotate=10,zoom=0.9:1.1,"
                   "crop=1,noise=0.1' or 'elastic=2:1' (names: rotate, shear, elastic, flip, hflip, "
                   "vflip, zoom, scale, jitter, brightness, contrast, crop, noise)")
    g = p.add_argument_group("model")
    g.add_argument("--model", default="mlp", help="mlp or cnn (default mlp)")
    g.add_argument("--hidden", type=_int_list, default=(128, 64),
                   help="hidden layer sizes of the MLP, comma-separated (default 128,64)")
    g.add_argument("--activation", default="relu", help=f"one of: {', '.join(ACTIVATIONS)} (default relu)")
    g.add_argument("--dropout", type=float, default=0.0,
                   help="dropout rate after each hidden layer / before the CNN head (default 0)")
    g.add_argument("--batch-norm", action="store_true", help="BatchNorm after each hidden layer / conv")
    g.add_argument("--sync-batch-norm", action="store_true",
                   help="with --batch-norm, under 'mpirun -n N lucidnet train': SyncBatchNorm "
                   "layers, normalizing with the statistics of the global batch rather than "
                   "each rank's share (in one process they are BatchNorm); model.npz holds "
                   "plain BatchNorm layers")
    g.add_argument("--init", default="default",
                   help="weight initializer: default (PyTorch's), normal, small_normal, zeros, "
                   "lecun_normal, lecun_uniform, xavier_normal, xavier_uniform, he_normal, he_uniform")
    g = p.add_argument_group("optimization")
    g.add_argument("--optimizer", default="adam", help=f"one of: {', '.join(OPTIMIZERS)} (default adam)")
    g.add_argument("--lr", type=float, default=None, help="learning rate (default: 1e-3 for Adam-"
                   "family optimizers, 0.05 for SGD-family, 0.01 otherwise)")
    g.add_argument("--weight-decay", type=float, default=0.0, help="L2 weight decay in the optimizer")
    g.add_argument("--l1", type=float, default=0.0, help="L1 penalty l1*sum|w| on the weights (default 0)")
    g.add_argument("--l2", type=float, default=0.0, help="L2 penalty l2/2*sum w^2 on the weights (default 0)")
    g.add_argument("--early-stopping", type=int, default=None, metavar="PATIENCE",
                   help="stop when the validation loss has not improved for PATIENCE epochs and "
                   "restore the best weights")
    g.add_argument("--momentum", type=float, default=None, help="momentum (SGD, RMSprop)")
    g.add_argument("--schedule", default=None, help=f"learning-rate schedule: {', '.join(SCHEDULERS)}")
    g.add_argument("--schedule-opt", action="append", metavar="NAME=VALUE",
                   help="an argument of the schedule, e.g. --schedule-opt T_max=30 (repeatable)")
    g.add_argument("--epochs", type=int, default=30, help="number of epochs (default 30)")
    g.add_argument("--batch-size", type=int, default=32, help="mini-batch size (default 32)")
    g = p.add_argument_group("run")
    g.add_argument("--seed", type=int, default=0, help="random seed: same seed, same result (default 0)")
    g.add_argument("--out", default=None, help="run folder (default runs/DATASET-MODEL-seedN, "
                   "with --data runs/FILESTEM-MODEL-seedN; "
                   "when that exists, a new runs/DATASET-MODEL-seedN-v2, -v3, ...)")
    g.add_argument("--overwrite", action="store_true",
                   help="let --out replace the run already in that folder (refused otherwise)")
    g.add_argument("--quiet", action="store_true", help="no progress bars")
    g.add_argument("--diagnose", action="store_true",
                   help="watch gradients and activations while training (warns about dead ReLUs, "
                   "saturated units, exploding/vanishing gradients) and draw gradient_flow.png and "
                   "activation_histograms.png")
    g.add_argument("--resume", default=None, metavar="RUN_DIR",
                   help="continue an interrupted run from RUN_DIR/last.npz with its saved options "
                   "(--epochs N extends it; other options cannot change)")
    g.add_argument("--config", default=None, metavar="FILE.toml",
                   help="read options from a TOML file (keys as the long options, with _ or -: "
                   "epochs = 50, hidden = [128, 64], schedule_opt = {T_max = 50}); flags given "
                   "on the command line win")


def _version() -> str:
    return f"lucidnet {__version__}"


def _lookup(kind: str, name: str, registry) -> str:
    key = name.lower()
    if key not in registry:
        raise UsageError(f"unknown {kind} {name!r}; valid: {', '.join(registry)}")
    return key


_TABLE_OPTIONS = ("target", "task", "features", "categorical", "impute", "test")


def _check_data_args(args, given: set) -> None:
    """--data and its options: exclusive with --dataset; table options only for tables."""
    from .data.tabular import TABLE_FORMATS, table_format

    if args.data is None:
        named = [k for k in _TABLE_OPTIONS if getattr(args, k) is not None]
        if named:
            raise UsageError(f"--{named[0]} is an option of --data FILE (your own table); the "
                             "bundled datasets have their own targets and splits")
        return
    if args.dataset is not None:
        raise UsageError("--data and --dataset are exclusive: train on your own file (--data "
                         "FILE) or on a bundled dataset (--dataset NAME), not both")
    if args.data_path is not None:
        raise UsageError("--data-path is for --dataset mnist; with --data give the file itself")
    if not os.path.exists(args.data):
        raise UsageError(f"--data {args.data!r}: no such file or folder")
    images = os.path.isdir(args.data)
    if images:
        for name in ("target", "features", "categorical", "impute"):
            if getattr(args, name) is not None:
                raise UsageError(f"--{name} is for tables; the classes of an image folder are "
                                 "its sub-folders")
        if args.task not in (None, "classification"):
            raise UsageError("an image folder is a classification task (one class per "
                             "sub-folder); drop --task")
    elif table_format(args.data) is None:
        raise UsageError(f"--data {args.data!r}: unknown file type; expected a table "
                         f"({', '.join(TABLE_FORMATS)}) or a folder of class sub-folders of images")
    if args.task is not None:
        args.task = _lookup("task", args.task, {"classification": None, "regression": None})
    if args.impute is not None:
        args.impute = _lookup("imputation", args.impute, {"mean": None})
    if args.test is not None:
        if not os.path.exists(args.test):
            raise UsageError(f"--test {args.test!r}: no such file or folder")
        if os.path.isdir(args.test) != images:
            raise UsageError(f"--test {args.test!r} must be "
                             + ("a folder of class sub-folders, like --data" if images
                                else "a table file, like --data"))
        if "test_size" in given:
            raise UsageError("--test FILE is the test set, so there is no --test-size split; "
                             "give one of them")
    if args.model == "cnn" and not images:
        raise UsageError(f"--model cnn needs image data; --data {args.data} is a table (use "
                         "--model mlp, or --data FOLDER of images)")


def _data_config(args) -> dict:
    """The configuration entries of a run on --data (absolute paths, fingerprints)."""
    images = os.path.isdir(args.data)
    test = None if args.test is None else os.path.abspath(args.test)
    return {
        "dataset": None, "data": os.path.abspath(args.data),
        "input": "images" if images else "table",
        "target": args.target, "task": "classification" if images else args.task,
        "features": args.features, "categorical": args.categorical or [], "impute": args.impute,
        "test": test, "data_file": fingerprint(args.data),
        "test_file": None if test is None else fingerprint(test)}


def _as_tuple(value):
    return tuple(value) if isinstance(value, (list, tuple)) else value


def _check_args(args, given: set = frozenset()):
    args.model = _lookup("model", args.model, {"mlp": None, "cnn": None})
    _check_data_args(args, given)
    if args.data is None:
        args.dataset = _lookup("dataset", args.dataset or "digits", DATASETS)
    args.activation = _lookup("activation", args.activation, ACTIVATIONS)
    args.optimizer = _lookup("optimizer", args.optimizer, OPTIMIZERS)
    args.init = _lookup("initializer", args.init, INITIALIZERS)
    if args.schedule is not None:
        args.schedule = _lookup("schedule", args.schedule, SCHEDULERS)
    _option(check_int, "--epochs", args.epochs, low=1)
    _option(check_int, "--batch-size", args.batch_size, low=1)
    if args.lr is not None:
        _option(check_real, "--lr", args.lr, low=0.0, low_open=True)
    _option(check_real, "--dropout", args.dropout, low=0.0, high=1.0)
    for name in ("l1", "l2", "weight_decay"):
        _option(check_real, f"--{name.replace('_', '-')}", getattr(args, name), low=0.0)
    if args.early_stopping is not None:
        _option(check_int, "--early-stopping PATIENCE", args.early_stopping, low=1)
    _option(check_real, "--train-fraction", args.train_fraction, low=0.0, low_open=True,
            high=1.0, high_open=False)
    _option(check_real, "--test-size", args.test_size, low=0.0, low_open=True, high=1.0)
    _option(check_real, "--val-size", args.val_size, low=0.0, high=1.0)
    if args.model == "cnn":  # the CNN is conv-BN-ReLU-pool blocks and a linear head
        mlp_only = [f"--{name}" for name, default in (("hidden", (128, 64)), ("activation", "relu"),
                                                       ("init", "default"))
                    if name in given or _as_tuple(getattr(args, name)) != _as_tuple(default)]
        if mlp_only:
            them = "them" if len(mlp_only) > 1 else "it"
            raise UsageError(f"{', '.join(mlp_only)}: MLP option{'s' if len(mlp_only) > 1 else ''}"
                             f"; --model cnn (ReLU conv blocks, a linear head) would ignore "
                             f"{them}: drop {them} or use --model mlp")
    if args.sync_batch_norm and not args.batch_norm:
        raise UsageError("--sync-batch-norm makes the layers of --batch-norm synchronized over "
                         "the ranks of mpirun; add --batch-norm")
    if args.schedule_opt and args.schedule is None:
        raise UsageError("--schedule-opt needs --schedule NAME (the schedule it configures)")
    if args.augment is not None and not args.augment.replace(",", "").strip():
        raise UsageError(f"--augment {args.augment!r} names no augmentation; e.g. --augment "
                         "rotate=10,noise=0.1")


_NOT_CONFIG = ("command", "config", "resume", "schedule_opt", "overwrite", "data") \
    + _TABLE_OPTIONS
_RESUME_MAY_CHANGE = {"resume", "epochs", "quiet"}


def _given_options(parser, argv) -> set:
    """The train options named on the command line (``--epochs=4`` as well as ``--epochs 4``)."""
    train = _subparser(parser, "train")
    saved = [(a, a.default) for a in train._actions]
    try:
        for action, _ in saved:
            action.default = argparse.SUPPRESS
        given = vars(parser.parse_args(argv))
    finally:
        for action, default in saved:
            action.default = default
    return set(given) - {"command"}


def _subparser(parser, name: str) -> argparse.ArgumentParser:
    return parser._subparsers._group_actions[0].choices[name]


def _train(args, given: set) -> int:
    """``lucidnet train``; under ``mpirun -n N`` on every rank, rank 0 alone reporting a mistake."""
    group = process_group()
    try:
        return _train_here(args, given)
    except (UsageError, RunError):
        if group is not None and group.get_rank() != 0:
            return 2  # rank 0 says what was wrong
        raise


def _train_here(args, given: set) -> int:
    if args.resume:
        fixed = sorted(given - _RESUME_MAY_CHANGE)
        if fixed:
            flags = ", ".join(f"--{d.replace('_', '-')}" for d in fixed)
            raise UsageError(f"--resume continues a run with its saved options; it cannot change "
                             f"{flags} (only --epochs and --quiet): start a new run for that")
        cfg = read_config(args.resume)
        if "epochs" in given:
            _option(check_int, "--epochs", args.epochs, low=1)
            cfg["epochs"] = args.epochs  # continue to a new total number of epochs
        cfg["quiet"] = args.quiet
        cfg["out"] = args.resume
        return train_run(cfg, resume=True)
    _check_args(args, given)
    cfg = {k: v for k, v in vars(args).items() if k not in _NOT_CONFIG}
    cfg["hidden"] = list(args.hidden)
    cfg["schedule_options"] = _key_values(args.schedule_opt)
    name = args.dataset
    if args.data is not None:
        cfg.update(_data_config(args))
        base = os.path.basename(os.path.normpath(args.data))
        name = base if os.path.isdir(args.data) else os.path.splitext(base)[0]
    cfg["out"] = args.out or os.path.join("runs", f"{name}-{args.model}-seed{args.seed}")
    return train_run(cfg, overwrite=args.overwrite, explicit_out=args.out is not None)


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
    except IsADirectoryError:
        raise UsageError(f"--config {path!r} is a folder; give a .toml file") from None
    except OSError as err:
        raise UsageError(f"--config {path!r}: cannot read it: {err.strerror or err}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise UsageError(f"--config {path}: not valid TOML: {err}") from None
    train_parser = _subparser(parser, "train")
    known = {a.dest: a for a in train_parser._actions if a.dest != "help"}
    defaults = {}
    for key, value in config.items():
        dest = key.replace("-", "_")
        if dest not in known or dest == "config":
            raise UsageError(f"--config {path}: unknown option {key!r}; valid: "
                             f"{', '.join(sorted(k for k in known if k != 'config'))}")
        defaults[dest] = _config_value(known[dest], f"--config {path}: option {key!r}", value)
    train_parser.set_defaults(**defaults)
    return parser.parse_args(argv)


_KINDS = {int: "an integer", float: "a number", _int_list: "a list of layer sizes like [128, 64]",
          _name_list: 'a list of column names like ["age", "color"]'}


def _config_value(action, where: str, value):
    """A TOML value checked and converted as the command line would convert the flag's text."""
    if action.nargs == 0:  # --batch-norm, --quiet ... (store_true)
        if not isinstance(value, bool):
            raise UsageError(f"{where} must be true or false, got {value!r}")
        return value
    if action.dest == "schedule_opt":
        if isinstance(value, dict):
            return [f"{k}={json.dumps(v)}" for k, v in value.items()]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
        raise UsageError(f"{where} must be a table like {{T_max = 50}}, got {value!r}")
    if action.type is _name_list and isinstance(value, list):
        if not value or not all(isinstance(v, str) and v.strip() for v in value):
            raise UsageError(f"{where} must be a list of column names like [\"age\", "
                             f"\"color\"], got {value!r}")
        value = ",".join(value)
    if action.type is _int_list and isinstance(value, list):
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            raise UsageError(f"{where} must be a list of integers like [128, 64], got {value!r}")
        value = ",".join(str(v) for v in value)
    kind = _KINDS.get(action.type, "a string")
    if isinstance(value, (bool, list, dict)) or (action.type is None and not isinstance(value, str)):
        raise UsageError(f"{where} must be {kind}, got {value!r}")
    if action.type is None:
        return value
    try:
        return action.type(str(value))
    except (ValueError, argparse.ArgumentTypeError) as err:
        detail = str(err) if isinstance(err, argparse.ArgumentTypeError) else f"got {value!r}"
        raise UsageError(f"{where} must be {kind}: {detail}") from None


# ---------------------------------------------------------------- entry point
def main(argv=None) -> int:
    """Run the command; returns its exit status (2 for a user mistake, one line on stderr).

    ``argv`` is the list of arguments without the program name (default: ``sys.argv[1:]``).

    Examples
    --------
    >>> from lucidnet.cli import main
    >>> main(["train", "--epochs", "0"])
    2
    """
    try:
        return _main(argv)
    except BrokenPipeError:
        # the reader went away (`lucidnet lab list | head -1`): stop quietly, as the Python docs
        # advise, pointing stdout at devnull so the final flush cannot fail again
        _silence_stdout()
        return 1


def _playground(args) -> int:
    _option(check_int, "--port", args.port, low=0, high=65535)   # 0: any free port
    try:
        from . import playground
    except ImportError as err:
        raise UsageError(str(err)) from None
    playground.serve(args.host, args.port, open_browser=not args.no_browser)
    return 0


def _error(err: Exception) -> int:
    """Print ``err`` as one line on stderr; the exit status of a user mistake. Under ``mpirun``
    every rank parses the same command line: only rank 0 prints it."""
    from .distributed.process_group import env_rank

    if (env_rank() or 0) > 0:
        return 2
    print("error: " + " ".join(str(err).split()), file=sys.stderr)
    return 2


def _silence_stdout() -> None:
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def _main(argv) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        given = _given_options(parser, argv) if args.command == "train" else set()
        if getattr(args, "config", None):
            args = _apply_config(parser, argv, args.config)
        if args.command is None:
            parser.print_help()
            return 0
        if args.command == "train":
            return _train(args, given)
        if args.command == "evaluate":
            from .runs import evaluate_run

            return evaluate_run(args.path, args.dataset, args.out, args.data_path, args.all,
                                data=args.data, target=args.target)
        if args.command == "lab":
            from .lab.commands import run_lab

            return run_lab(args)
        if args.command == "predict":
            from .runs import predict_file

            return predict_file(args.model_path, args.input, args.output, args.target)
        if args.command == "export":
            from .runs import export_model

            return export_model(args.path, args.format, args.output, args.opset)
        if args.command == "sweep":
            from .sweep import run_sweep

            return run_sweep(args)
        if args.command == "playground":
            return _playground(args)
        raise UsageError(f"unknown command {args.command!r}")
    except BrokenPipeError:
        raise
    except (UsageError, RunError) as err:
        return _error(err)
    except (ValueError, OSError) as err:  # includes io's malformed-file errors
        if os.environ.get("LUCIDNET_DEBUG"):
            raise
        return _error(err)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
