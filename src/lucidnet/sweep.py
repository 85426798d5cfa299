"""``lucidnet sweep``: grid and random search over ``lucidnet train`` options (issue 11).

    lucidnet sweep --grid lr=0.1,0.01 --grid 'hidden=64;128,64' -- --dataset iris --epochs 5
    lucidnet sweep --random 20 --space lr=log:1e-4:1e-1 --space dropout=uniform:0:0.5 \\
        --space 'hidden=choice:64;128,64' --seeds 0,1,2 --jobs 4 --out sweeps/iris -- --dataset iris
    lucidnet sweep --grid lr=0.1,0.01 --scheduler tcp://10.0.0.5:8786 -- --dataset digits

Syntax
------
``--grid NAME=V1,V2,...``
    NAME is a long option of ``lucidnet train`` without its dashes (``lr``, ``hidden``,
    ``batch-size`` or ``batch_size``, ``optimizer``, ``dropout``, ``schedule`` ...), the values are
    that option's text on the command line. Values are separated by ``,`` -- or by ``;`` when one
    of them holds a comma itself, as the layer sizes of ``hidden`` do: ``'hidden=64;128,64'`` is
    the two choices ``64`` and ``128,64`` (quote it: ``;`` ends a shell command). For ``hidden``
    (a comma list) the separator is always ``;``. A switch (``batch-norm``, ``diagnose``) takes
    ``true,false``. Several ``--grid`` options make the cross product, in the order given.
``--random N`` with ``--space NAME=KIND:...``
    N trials, each drawing every ``--space`` dimension (and every ``--grid`` one, as a uniform
    choice) from a generator seeded by ``--sweep-seed`` (default 0), so the same command gives
    the same trials. Kinds: ``log:LOW:HIGH`` (log-uniform), ``uniform:LOW:HIGH``,
    ``int:LOW:HIGH`` (integers, both ends included), ``choice:A,B,...`` (``;`` as in --grid).
    Drawn numbers are rounded to 4 significant digits (the value trained is the one in the name).
``--seeds 0,1,2``
    every configuration once per seed (``lucidnet train --seed S``); default: the train options'
    ``--seed`` (0), one run per configuration.
Everything after ``--`` is passed to ``lucidnet train`` unchanged (``--dataset``, ``--data``,
``--epochs``, ``--config FILE.toml`` ...); ``--out``, ``--resume`` and ``--overwrite`` are the
sweep's to set.

Output
------
One run folder per trial, ``SWEEP_DIR/<name>`` with the name made of the swept options
(``lr=0.01_hidden=128x64_seed=0``; random trials are numbered: ``t007_lr=0.00123_seed=0``), the
trial's output in its ``train.log``, and ``SWEEP_DIR/results.csv``: one row per trial -- status,
the swept values, the last epoch's training / validation numbers (history.csv) and the test
numbers (metrics.json, prefixed ``test_``) -- sorted by ``--metric`` (default ``val_loss``; names
ending in ``loss`` or ``error`` and ``rmse`` / ``mae`` / ``mse`` are minimized, the others
maximized). The table is printed and the best run named. With several seeds,
``SWEEP_DIR/summary.csv`` averages each configuration over its seeds.

A sweep is resumable: running the same command again skips the trials whose folder is complete
(its metrics.json written), continues an interrupted one from its ``last.npz`` checkpoint
(``lucidnet train --resume``, which gives the uninterrupted result) and starts the others anew.

Parallelism: ``--jobs N`` runs N trials at once in worker processes (``-1``: one per core) with
one BLAS thread each (no N x cores oversubscription); ``--scheduler tcp://HOST:PORT`` sends them
to a Dask cluster (``pip install "lucidnet[cluster]"``; the workers need lucidnet and the data
at the same paths; ``--data`` / ``--test`` / ``--config`` / ``--data-path`` are made absolute).
A trial's result does not depend on where it runs. Ctrl-C stops the sweep: the trials not
started are dropped, the running worker processes are stopped (a killed trial keeps its last
epoch checkpoint), and the command exits with status 130; run it again to continue. (Dask cannot
stop a task that has started: on a cluster the running trials finish in the background.)
Worker processes are started with ``spawn``: a script of your own that calls `sweep` with
``jobs > 1`` needs the usual ``if __name__ == "__main__":`` guard (the ``lucidnet`` command has it).

`run_parallel` is the engine shared with ``lucidnet lab run --all --jobs N``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import io
import json
import math
import os
import re
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from ._atomic import write_atomically
from .cli import UsageError, _apply_config, _check_args, _given_options, build_parser, main
from .lab.runner import blas_single_thread

__all__ = ["Dimension", "SweepResult", "Trial", "add_sweep_parser", "check_jobs", "format_table",
           "make_trials", "parse_grid", "parse_space", "run_parallel", "run_sweep", "sweep"]


# ---------------------------------------------------------------- the parallel engine
def check_jobs(jobs, what: str = "--jobs") -> int:
    """The number of worker processes for ``jobs`` (joblib's meaning: -1 every core, -2 all but
    one); ValueError for 0, non-integers or fewer than 1 left.

    Examples
    --------
    >>> from lucidnet.sweep import check_jobs
    >>> check_jobs(2)
    2
    """
    if isinstance(jobs, bool) or not isinstance(jobs, (int, np.integer)) or jobs == 0:
        raise ValueError(f"{what} must be a positive number of processes, or negative as in "
                         f"joblib (-1: one per core, -2: all cores but one), got {jobs!r}")
    n = int(jobs) if jobs > 0 else (os.cpu_count() or 1) + 1 + int(jobs)
    if n < 1:
        raise ValueError(f"{what} {jobs} leaves no process on {os.cpu_count()} cores")
    return n


def _worker_init() -> None:
    """In each worker process: Ctrl-C is the parent's to handle, and one BLAS thread (the
    workers already share the cores)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    global _LIMITS  # kept alive: the limit holds while the object lives
    _LIMITS = threadpool_limits(limits=1, user_api="blas")


_LIMITS = None


def _call_single_thread(fn, task):
    """Run ``fn(*task)`` with one BLAS thread (on a Dask worker, whose settings are not ours)."""
    with blas_single_thread():
        return fn(*task)


def _terminate(executor) -> None:
    # ProcessPoolExecutor has no public way to stop running tasks before Python 3.14
    processes = getattr(executor, "_processes", None) or {}
    for p in list(processes.values()):
        with contextlib.suppress(Exception):
            p.kill()


def _on_processes(fn, tasks, jobs):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # spawn: safe with the threads a parent may run (tqdm's monitor) and the same on every OS
    executor = ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), initializer=_worker_init,
                                   mp_context=multiprocessing.get_context("spawn"))
    futures = {}
    try:
        futures = {executor.submit(fn, *t): i for i, t in enumerate(tasks)}
        for f in as_completed(futures):
            try:
                yield futures[f], f.result(), None
            except Exception as err:  # noqa: BLE001 -- a dead worker, an unpicklable result
                yield futures[f], None, err
    except BaseException:
        for f in futures:
            f.cancel()
        _terminate(executor)
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    executor.shutdown(wait=True)


_CONNECT_TIMEOUT = "10s"  # how long to try reaching a Dask scheduler


def _dask_client(scheduler: str):
    try:
        from distributed import Client
    except ImportError:
        raise ImportError('--scheduler needs Dask\'s distributed package: pip install '
                          '"lucidnet[cluster]"') from None
    try:
        return Client(scheduler, timeout=_CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as err:
        raise ValueError(f"cannot reach the Dask scheduler at {scheduler!r} ({err}); start one "
                         "with 'dask scheduler' (and 'dask worker ADDRESS') or check the "
                         "address") from None


def _on_dask(fn, tasks, scheduler):
    client = _dask_client(scheduler)  # first: its ImportError names the extra to install
    from distributed import as_completed

    futures = {}
    try:
        for i, t in enumerate(tasks):
            futures[client.submit(_call_single_thread, fn, t, pure=False)] = i
        with client.as_current():  # as_completed looks for the current client
            finished = as_completed(list(futures))
        for f in finished:
            try:
                yield futures[f], f.result(), None
            except Exception as err:  # noqa: BLE001 -- a lost worker, an unpicklable result
                yield futures[f], None, err
    finally:
        with contextlib.suppress(Exception):
            client.cancel(list(futures))
        client.close()


def run_parallel(fn, tasks, jobs: int = 1, scheduler: str | None = None):
    """Call ``fn(*task)`` for every task; yield ``(index, result, error)`` as each finishes.

    ``jobs=1`` without ``scheduler``: here, in order (``error`` is always None: ``fn``'s
    exceptions propagate). ``jobs > 1``: in that many spawned worker processes (one BLAS thread
    each, Ctrl-C ignored there). ``scheduler="tcp://host:port"``: on that Dask cluster. In the
    last two cases ``fn`` must be importable (a module-level function) and the tasks picklable,
    ``error`` is the exception when the call itself could not complete (a worker died), and
    closing the generator early (or Ctrl-C in the parent) cancels the tasks not started and
    stops the workers.

    Examples
    --------
    >>> from lucidnet.sweep import run_parallel
    >>> list(run_parallel(abs, [(-1,), (-2,), (3,)], jobs=1))
    [(0, 1, None), (1, 2, None), (2, 3, None)]
    """
    tasks = [tuple(t) for t in tasks]
    if not tasks:
        return
    if scheduler is not None:
        yield from _on_dask(fn, tasks, scheduler)
    elif jobs == 1:
        for i, t in enumerate(tasks):
            yield i, fn(*t), None
    else:
        yield from _on_processes(fn, tasks, jobs)


# ---------------------------------------------------------------- trials
_LIST_OPTIONS = {"hidden", "features", "categorical"}
_RESERVED = {"out": "the sweep names each trial's folder (use the sweep's --out SWEEP_DIR)",
             "resume": "the sweep resumes unfinished trials itself",
             "overwrite": "the sweep decides which trial folders to restart",
             "seed": "use --seeds 0,1,2 to repeat each configuration with several seeds",
             "config": "give --config after '--' (it applies to every trial)",
             "help": "not an option of a run"}


@dataclass(frozen=True)
class Dimension:
    """A random-search dimension: ``kind`` in log / uniform / int / choice.

    ``log``: ``exp(U(log low, log high))`` (for learning rates and penalties, whose useful
    values span orders of magnitude); ``uniform``: ``U(low, high)``; ``int``: an integer in
    ``[low, high]``; ``choice``: one of ``choices``. Values are drawn as option text.

    Examples
    --------
    >>> from lucidnet.sweep import Dimension
    >>> rng = np.random.default_rng(0)
    >>> Dimension("choice", choices=("relu", "tanh")).draw(rng) in ("relu", "tanh")
    True
    >>> 1e-4 <= float(Dimension("log", 1e-4, 1e-1).draw(rng)) <= 1e-1
    True
    """

    kind: str
    low: float = 0.0
    high: float = 0.0
    choices: tuple = ()

    def draw(self, rng: np.random.Generator) -> str:
        """One value from ``rng``, as the text of a command-line option (4 significant digits
        for real values)."""
        if self.kind == "choice":
            return self.choices[int(rng.integers(len(self.choices)))]
        if self.kind == "int":
            return str(int(rng.integers(int(self.low), int(self.high) + 1)))
        if self.kind == "log":
            value = math.exp(rng.uniform(math.log(self.low), math.log(self.high)))
        else:
            value = rng.uniform(self.low, self.high)
        return f"{float(f'{value:.4g}'):g}"


@dataclass(frozen=True)
class Trial:
    """One run of the sweep: its folder name, the swept options (NAME -> text) and its seed.

    Made by :func:`make_trials` (see its example).

    Examples
    --------
    >>> from lucidnet.sweep import Trial
    >>> t = Trial("lr=0.1_hidden=128x64_seed=1", (("lr", "0.1"), ("hidden", "128,64")), seed=1)
    >>> t.config                          # trials differing only by seed share it
    'lr=0.1_hidden=128x64'
    """

    name: str
    options: tuple  # ((name, value), ...) in the order given
    seed: int

    @property
    def config(self) -> str:
        """The configuration without the seed (trials differing only by seed share it)."""
        return "_".join(f"{k}={_name_part(v)}" for k, v in self.options) or "default"


def _train_actions() -> dict:
    train = build_parser()._subparsers._group_actions[0].choices["train"]
    return {a.dest: a for a in train._actions if a.option_strings}


def _option_name(raw: str, where: str, actions: dict) -> str:
    dest = raw.strip().lstrip("-").replace("-", "_")
    if dest in _RESERVED:
        raise ValueError(f"{where}: {raw!r} cannot be swept: {_RESERVED[dest]}")
    if dest not in actions:
        valid = ", ".join(sorted(d.replace("_", "-") for d in actions if d not in _RESERVED))
        raise ValueError(f"{where}: unknown train option {raw!r}; valid: {valid}")
    return dest


def _split_values(dest: str, text: str, where: str) -> tuple:
    sep = ";" if dest in _LIST_OPTIONS or ";" in text else ","
    values = tuple(v.strip() for v in text.split(sep))
    if not text.strip() or not all(values):
        raise ValueError(f"{where}: empty value in {text!r}; write the values separated by "
                         f"'{sep}', e.g. " + ("'hidden=64;128,64'" if sep == ";" else "lr=0.1,0.01"))
    if len(set(values)) != len(values):
        raise ValueError(f"{where}: a value is repeated in {text!r}")
    return values


def _check_switch(dest: str, values, where: str, actions: dict) -> tuple:
    if actions[dest].nargs != 0:
        return values
    out = []
    for v in values:
        if v.lower() not in ("true", "false"):
            raise ValueError(f"{where}: --{dest.replace('_', '-')} is a switch; its values are "
                             f"true,false, got {v!r}")
        out.append(v.lower())
    return tuple(out)


def _split_item(item: str, where: str, example: str) -> tuple[str, str]:
    if "=" not in item or not item.split("=", 1)[0].strip():
        raise ValueError(f"{where}: {item!r} must look like NAME=VALUES, e.g. {example}")
    name, text = item.split("=", 1)
    return name, text


def parse_grid(items, actions: dict | None = None) -> dict:
    """``["lr=0.1,0.01", "hidden=64;128,64"]`` -> ``{"lr": ("0.1", "0.01"), "hidden": ("64",
    "128,64")}`` (train option dest -> value texts); ValueError (one line) on bad syntax or an
    unknown option.

    Examples
    --------
    >>> from lucidnet.sweep import parse_grid
    >>> parse_grid(["lr=0.1,0.01", "hidden=64;128,64"])
    {'lr': ('0.1', '0.01'), 'hidden': ('64', '128,64')}
    """
    actions = actions if actions is not None else _train_actions()
    grid = {}
    for item in items or []:
        name, text = _split_item(item, "--grid", "lr=0.1,0.01")
        dest = _option_name(name, "--grid", actions)
        if dest in grid:
            raise ValueError(f"--grid: {name!r} is given twice; list all its values in one --grid")
        grid[dest] = _check_switch(dest, _split_values(dest, text, "--grid"), "--grid", actions)
    return grid


def _number(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{where}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{where}: {text!r} is not a finite number")
    return value


def _dimension(dest: str, spec: str, where: str, actions: dict) -> Dimension:
    kind, _, rest = spec.partition(":")
    kind = kind.strip().lower()
    if kind == "choice":
        return Dimension("choice", choices=_check_switch(dest, _split_values(dest, rest, where),
                                                         where, actions))
    if kind not in ("log", "uniform", "int"):
        raise ValueError(f"{where}: unknown kind {kind!r} in {spec!r}; use log:LOW:HIGH, "
                         "uniform:LOW:HIGH, int:LOW:HIGH or choice:A,B")
    bounds = rest.split(":")
    if len(bounds) != 2:
        raise ValueError(f"{where}: {spec!r} must be {kind}:LOW:HIGH, e.g. log:1e-4:1e-1")
    low, high = (_number(b.strip(), where) for b in bounds)
    if not low < high:
        raise ValueError(f"{where}: LOW must be below HIGH in {spec!r}")
    if kind == "log" and low <= 0:
        raise ValueError(f"{where}: log:LOW:HIGH needs LOW > 0, got {spec!r}")
    if kind == "int" and (low != int(low) or high != int(high)):
        raise ValueError(f"{where}: int:LOW:HIGH needs integer bounds, got {spec!r}")
    if actions[dest].nargs == 0 or dest in _LIST_OPTIONS:
        raise ValueError(f"{where}: --{dest.replace('_', '-')} takes no number; use choice:...")
    return Dimension(kind, low, high)


def parse_space(items, actions: dict | None = None) -> dict:
    """``["lr=log:1e-4:1e-1", "hidden=choice:64;128,64"]`` -> ``{dest: Dimension}``.

    Each item is ``NAME=KIND:LOW:HIGH`` (KIND ``log``, ``uniform`` or ``int``) or
    ``NAME=choice:A;B;...``, NAME a ``lucidnet train`` option.

    Examples
    --------
    >>> from lucidnet.sweep import parse_space
    >>> parse_space(["lr=log:1e-4:1e-1"])
    {'lr': Dimension(kind='log', low=0.0001, high=0.1, choices=())}
    """
    actions = actions if actions is not None else _train_actions()
    space = {}
    for item in items or []:
        name, spec = _split_item(item, "--space", "lr=log:1e-4:1e-1")
        dest = _option_name(name, "--space", actions)
        if dest in space:
            raise ValueError(f"--space: {name!r} is given twice")
        space[dest] = _dimension(dest, spec, "--space", actions)
    return space


def _name_part(value: str) -> str:
    text = value.replace(",", "x")
    return re.sub(r"[^A-Za-z0-9.+\-x]", "-", text)


def _trial_name(options, seed: int, prefix: str = "") -> str:
    parts = [f"{k.replace('_', '-')}={_name_part(v)}" for k, v in options]
    name = prefix + "_".join([*parts, f"seed={seed}"])
    if len(name) > 120:  # file-name limits: keep a readable head and a hash of the whole
        digest = hashlib.sha1(name.encode()).hexdigest()[:8]
        name = f"{name[:100]}-{digest}"
    return name


def make_trials(grid: dict | None = None, space: dict | None = None, n_random: int | None = None,
                seeds=(0,), random_state: int = 0) -> list[Trial]:
    """The trials of a sweep: the cross product of ``grid`` (dest -> values), or ``n_random``
    draws from ``space`` (dest -> `Dimension`) and the grid's values; each for every seed.

    Examples
    --------
    >>> from lucidnet.sweep import make_trials, parse_grid
    >>> trials = make_trials(grid=parse_grid(["lr=0.1,0.01"]), seeds=(0, 1))
    >>> len(trials), trials[0]
    (4, Trial(name='lr=0.1_seed=0', options=(('lr', '0.1'),), seed=0))
    """
    grid, space = dict(grid or {}), dict(space or {})
    seeds = tuple(seeds)
    if n_random is None:
        if space:
            raise ValueError("--space needs --random N (the number of trials to draw)")
        configs = [()]
        for dest, values in grid.items():
            configs = [(*c, (dest, v)) for c in configs for v in values]
        prefixes = [""] * len(configs)
    else:
        if isinstance(n_random, bool) or not isinstance(n_random, int) or n_random < 1:
            raise ValueError(f"--random must be a positive number of trials, got {n_random!r}")
        if not space and not grid:
            raise ValueError("--random N needs the dimensions to draw: --space NAME=KIND:... "
                             "(or --grid NAME=V1,V2 as choices)")
        dims = {**{d: Dimension("choice", choices=v) for d, v in grid.items()}, **space}
        rng = np.random.default_rng(random_state)
        configs = [tuple((d, dim.draw(rng)) for d, dim in dims.items()) for _ in range(n_random)]
        width = len(str(n_random))
        prefixes = [f"t{i:0{max(3, width)}d}_" for i in range(n_random)]
    trials, names = [], set()
    for config, prefix in zip(configs, prefixes):
        for s in seeds:
            name = _trial_name(config, s, prefix)
            if name in names:
                raise ValueError(f"two trials would share the folder {name!r}; give distinct "
                                 "values")
            names.add(name)
            trials.append(Trial(name, config, int(s)))
    return trials


_PATH_OPTIONS = ("--data", "--test", "--config", "--data-path")


def _absolute_paths(argv) -> list[str]:
    """File options made absolute: a worker (a Dask one above all) may run in another folder."""
    out, take = [], False
    for arg in argv:
        if take:
            arg, take = os.path.abspath(arg), False
        elif arg in _PATH_OPTIONS:
            take = True
        elif arg.split("=", 1)[0] in _PATH_OPTIONS and "=" in arg:
            flag, value = arg.split("=", 1)
            arg = f"{flag}={os.path.abspath(value)}"
        out.append(arg)
    return out


def _trial_argv(trial: Trial, train_args, actions: dict) -> list[str]:
    argv = list(train_args)
    for dest, value in trial.options:
        flag = "--" + dest.replace("_", "-")
        if actions[dest].nargs == 0:
            if value == "true":
                argv.append(flag)
        else:
            argv += [flag, value]
    return _absolute_paths([*argv, "--seed", str(trial.seed)])


def _check_train_args(train_args, actions: dict) -> None:
    for arg in train_args:
        if arg.startswith("--"):
            dest = arg[2:].split("=", 1)[0].replace("-", "_")
            if dest in ("out", "resume", "overwrite", "seed"):
                raise ValueError(f"the train option {arg.split('=', 1)[0]} is the sweep's to "
                                 f"set: {_RESERVED[dest]}")


def _validate_argv(argv) -> None:
    """Parse and check one trial's options as ``lucidnet train`` would; one-line ValueError."""
    parser = build_parser()
    full = ["train", *argv]
    try:
        args = parser.parse_args(full)
        given = _given_options(parser, full)
        if getattr(args, "config", None):
            args = _apply_config(parser, full, args.config)
        _check_args(argparse.Namespace(**vars(args)), given)
    except UsageError as err:
        raise ValueError(f"train options {' '.join(argv)}: {err}") from None


# ---------------------------------------------------------------- running one trial
_TRIAL_FILE = "sweep_trial.json"


def _state(folder: str) -> str:
    """complete (metrics.json written), partial (a checkpoint to resume), new."""
    if os.path.exists(os.path.join(folder, "metrics.json")) and \
            os.path.exists(os.path.join(folder, "model.npz")):
        return "complete"
    if os.path.exists(os.path.join(folder, "last.npz")) and \
            os.path.exists(os.path.join(folder, "config.json")) and not _trained(folder):
        return "partial"
    return "new"


def _trained(folder: str) -> bool:
    """True when the run trained all its epochs (history.csv complete) but stopped before its
    report: nothing to resume, it starts anew."""
    try:
        with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
            epochs = int(json.load(f).get("epochs", 0))
        with open(os.path.join(folder, "history.csv"), encoding="utf-8") as f:
            rows = sum(1 for line in f if line.strip()) - 1
    except (OSError, ValueError, TypeError, AttributeError):
        return False
    return rows >= epochs


def _run_trial(argv: list, folder: str, resume: bool) -> dict:
    """One ``lucidnet train`` in this process, its output in ``folder/train.log``; returns
    ``{"status", "seconds", "message"}``. Never raises for a failed run."""
    full = (["train", "--resume", folder, "--quiet"] if resume
            else ["train", *argv, "--out", folder, "--overwrite", "--quiet"])
    start = time.perf_counter()
    log = os.path.join(folder, "train.log")
    with open(log, "a", encoding="utf-8") as f, contextlib.redirect_stdout(f), \
            contextlib.redirect_stderr(f):
        print("$ lucidnet " + " ".join(full), flush=True)
        try:
            rc = main(full)
        except Exception as err:  # noqa: BLE001 -- reported in the table, the sweep goes on
            import traceback

            traceback.print_exc()
            rc, message = 1, f"{type(err).__name__}: {err}"
        else:
            message = ""
    seconds = time.perf_counter() - start
    if rc == 0:
        status = "complete"
    elif rc == 130:
        status, message = "interrupted", "interrupted: a checkpoint is kept, run again to resume"
    else:
        status = "failed"
        message = message or _last_error(log)
    return {"status": status, "seconds": seconds, "message": message}


def _last_error(log: str) -> str:
    try:
        with open(log, encoding="utf-8") as f:
            lines = [line.strip() for line in f if line.strip()]
    except OSError:
        return "failed"
    errors = [line for line in lines if line.startswith("error:")]
    return (errors or lines or ["failed"])[-1]


# ---------------------------------------------------------------- results
def _lower_is_better(metric: str) -> bool:
    m = metric.lower()
    return m.endswith("loss") or m.endswith("error") or m.split("_")[-1] in ("rmse", "mae", "mse")


def _read_numbers(folder: str) -> dict:
    numbers = {}
    path = os.path.join(folder, "history.csv")
    if os.path.exists(path):
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        if rows:
            for k, v in rows[-1].items():
                with contextlib.suppress(TypeError, ValueError):
                    numbers[k] = float(v)
            numbers["epochs"] = int(numbers.pop("epoch", len(rows)))
    path = os.path.join(folder, "metrics.json")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            m = json.load(f)
        for k, v in (m.get("test") or {}).items():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                numbers[f"test_{k}"] = float(v)
        numbers["diverged"] = bool(m.get("diverged", False))
    return numbers


@dataclass
class SweepResult:
    """The sweep's table: ``rows`` (dicts, best first), the ``best`` row (None if no trial
    completed), the ``metric`` and the paths of ``results.csv`` (and ``summary.csv``).

    Returned by :func:`sweep`; printed by :func:`format_table`.

    Examples
    --------
    >>> from lucidnet.sweep import SweepResult, format_table
    >>> rows = [{"trial": "lr=0.1_seed=0", "status": "complete", "val_loss": 0.21, "seconds": 1.5},
    ...         {"trial": "lr=1_seed=0", "status": "failed", "seconds": 0.2}]
    >>> result = SweepResult(rows, best=rows[0], metric="val_loss", csv_path="results.csv")
    >>> result.best["trial"], [r["trial"] for r in result.failed]
    ('lr=0.1_seed=0', ['lr=1_seed=0'])
    """

    rows: list
    best: dict | None
    metric: str
    csv_path: str
    summary_path: str | None = None
    summary: list = field(default_factory=list)
    interrupted: bool = False

    @property
    def failed(self) -> list:
        """The rows of the trials that did not complete (failed, diverged or interrupted)."""
        return [r for r in self.rows if r["status"] != "complete"]


def _sort_key(metric: str):
    lower = _lower_is_better(metric)

    def key(row):
        value = row.get(metric)
        if row["status"] != "complete" or not isinstance(value, float) or not math.isfinite(value):
            return (1, 0.0)
        return (0, value if lower else -value)
    return key


def _table(out: str, trials, outcomes: dict, metric: str) -> SweepResult:
    rows = []
    for t in trials:
        folder = os.path.join(out, t.name)
        outcome = outcomes.get(t.name, {})
        row = {"trial": t.name, "status": outcome.get("status", _state(folder)),
               **dict(t.options), "seed": t.seed}
        row.update(_read_numbers(folder))
        row["seconds"] = round(float(outcome.get("seconds", 0.0)), 2)
        row["message"] = outcome.get("message", "")
        rows.append(row)
    columns = []
    for r in rows:
        columns += [k for k in r if k not in columns]
    csv_path = os.path.join(out, "results.csv")
    done = [r for r in rows if r["status"] == "complete"]
    if done and not any(metric in r for r in done):
        _write_csv(csv_path, columns, rows)
        available = sorted({k for r in done for k, v in r.items() if isinstance(v, float)})
        raise ValueError(f"--metric {metric!r} is not among the trials' numbers ({csv_path}); "
                         f"available: {', '.join(available)}")
    rows.sort(key=_sort_key(metric))
    best = rows[0] if rows and _sort_key(metric)(rows[0])[0] == 0 else None
    _write_csv(csv_path, columns, rows)
    result = SweepResult(rows, best, metric, csv_path)
    if len({t.seed for t in trials}) > 1:
        result.summary = _summary(trials, rows, metric)
        result.summary_path = os.path.join(out, "summary.csv")
        _write_csv(result.summary_path, list(result.summary[0]) if result.summary else
                   ["config"], result.summary)
    return result


def _summary(trials, rows, metric):
    by_name = {r["trial"]: r for r in rows}
    groups: dict = {}
    for t in trials:
        groups.setdefault(t.config, []).append(by_name[t.name])
    out = []
    for config, members in groups.items():
        values = [r[metric] for r in members
                  if r["status"] == "complete" and isinstance(r.get(metric), float)]
        out.append({"config": config, "seeds": len(members), "complete": len(values),
                    f"{metric}_mean": float(np.mean(values)) if values else float("nan"),
                    f"{metric}_std": float(np.std(values)) if values else float("nan")})
    lower = _lower_is_better(metric)
    out.sort(key=lambda r: (r["complete"] == 0, r[f"{metric}_mean"] if lower
                            else -r[f"{metric}_mean"]))
    return out


def _write_csv(path: str, columns, rows) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: _cell(r.get(k, "")) for k in columns})
    write_atomically(path, buf.getvalue())


def _cell(v):
    return f"{v:.6g}" if isinstance(v, float) else v


def format_table(result: SweepResult) -> str:
    """The printed table: trial, status, the metric and a few other numbers.

    Examples
    --------
    >>> from lucidnet.sweep import SweepResult, format_table
    >>> rows = [{"trial": "lr=0.1_seed=0", "status": "complete", "val_loss": 0.21, "seconds": 1.5},
    ...         {"trial": "lr=1_seed=0", "status": "failed", "seconds": 0.2}]
    >>> result = SweepResult(rows, best=rows[0], metric="val_loss", csv_path="results.csv")
    >>> print(format_table(result))
    trial          status    val_loss  seconds
    lr=0.1_seed=0  complete  0.21      1.5
    lr=1_seed=0    failed              0.2
    """
    extra = [k for k in ("val_loss", "val_accuracy", "test_accuracy", "test_loss", "test_rmse")
             if k != result.metric and any(k in r for r in result.rows)][:3]
    cols = ["trial", "status", result.metric, *extra, "seconds"]
    cells = [[str(_cell(r.get(c, ""))) for c in cols] for r in result.rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cols, widths))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)) for row in cells]
    return "\n".join(lines)


# ---------------------------------------------------------------- the sweep
def _prepare(out: str, trials, train_args, actions) -> list:
    """Per trial: (trial, argv, folder, state); refuses a folder holding another trial."""
    plan = []
    for t in trials:
        argv = _trial_argv(t, train_args, actions)
        folder = os.path.join(out, t.name)
        record = os.path.join(folder, _TRIAL_FILE)
        state = _state(folder)
        if os.path.exists(record):
            with open(record, encoding="utf-8") as f:
                saved = json.load(f).get("argv")
            if saved != argv and state != "new":
                raise ValueError(f"{folder} holds a trial run with other train options "
                                 f"({' '.join(saved or [])}); give the sweep another --out or "
                                 "remove that folder")
        plan.append((t, argv, folder, state))
    return plan


def _write_record(folder: str, argv) -> None:
    os.makedirs(folder, exist_ok=True)
    write_atomically(os.path.join(folder, _TRIAL_FILE), json.dumps({"argv": argv}, indent=1))


def sweep(train_args=(), grid: dict | None = None, space: dict | None = None,
          n_random: int | None = None, seeds=(0,), out: str = "sweeps/sweep",
          metric: str = "val_loss", jobs: int = 1, scheduler: str | None = None,
          random_state: int = 0, echo=print) -> SweepResult:
    """Run a sweep (see the module docstring) and return its table.

    ``train_args``: ``lucidnet train`` options for every trial (a list of strings); ``grid``:
    dest -> value texts (`parse_grid`), ``space``: dest -> `Dimension` (`parse_space`). Every
    trial's options are checked as ``lucidnet train`` checks them before any trial runs (a
    ValueError with one line). ``echo`` receives one progress line per trial (None: silent).

    Examples
    --------
    One trial (lr = 0.1) on the 4-row AND table, one epoch (silent: ``echo=None``); each value
    of ``--grid`` adds a trial, each further ``--grid`` multiplies them:

    >>> from lucidnet.sweep import parse_grid, sweep
    >>> result = sweep(["--dataset", "and", "--hidden", "4", "--epochs", "1"],
    ...                grid=parse_grid(["lr=0.1"]), out="sweep_and", metric="loss", echo=None)
    >>> result.best["trial"], result.best["status"], result.best["lr"]
    ('lr=0.1_seed=0', 'complete', 0.1)
    >>> import os
    >>> os.path.basename(result.csv_path)
    'results.csv'
    """
    echo = echo or (lambda *a, **k: None)
    actions = _train_actions()
    train_args = list(train_args)
    _check_train_args(train_args, actions)
    if not isinstance(metric, str) or not metric:
        raise ValueError(f"--metric must name a number of the table, e.g. val_loss, got {metric!r}")
    workers = check_jobs(jobs)
    if scheduler is not None and jobs != 1:
        raise ValueError("--jobs and --scheduler are exclusive: the Dask cluster decides how "
                         "many trials run at once")
    trials = make_trials(grid, space, n_random, seeds, random_state)
    plan = _prepare(os.path.abspath(out), trials, train_args, actions)
    for _, argv, _, state in plan:
        if state != "complete":
            _validate_argv(argv)
    outcomes, pending = {}, []
    for t, argv, folder, state in plan:
        if state == "complete":
            outcomes[t.name] = {"status": "complete", "seconds": 0.0, "message": "skipped"}
        else:
            _write_record(folder, argv)
            pending.append((t, argv, folder, state == "partial"))
    n, done = len(plan), len(plan) - len(pending)
    if done:
        echo(f"sweep: {done} of {n} trials already complete in {out}, skipped")
    where = (f"on {scheduler}" if scheduler else f"in {workers} processes" if workers > 1
             else "here")
    echo(f"sweep: {len(pending)} trials to run {where}; output per trial in "
         f"{os.path.join(out, '<trial>', 'train.log')}")
    interrupted = False
    tasks = [(argv, folder, resume) for _, argv, folder, resume in pending]
    gen = run_parallel(_run_trial, tasks, workers, scheduler)
    try:
        for i, outcome, error in gen:
            t = pending[i][0]
            if error is not None:
                outcome = {"status": "failed", "seconds": 0.0,
                           "message": f"the worker failed: {type(error).__name__}: {error}"}
            outcomes[t.name] = outcome
            done += 1
            tail = f" -- {outcome['message']}" if outcome["status"] != "complete" else ""
            echo(f"[{done}/{n}] {t.name}: {outcome['status']} ({outcome['seconds']:.1f} s)"
                 f"{tail}")
            if outcome["status"] == "interrupted":  # Ctrl-C reached the trial: stop the sweep
                raise KeyboardInterrupt
    except KeyboardInterrupt:
        interrupted = True
        gen.close()
        echo(f"sweep interrupted: {done} of {n} trials finished; run the same command again to "
             "continue")
    result = _table(out, trials, outcomes, metric)
    result.interrupted = interrupted
    return result


# ---------------------------------------------------------------- the command
def _seed_list(text: str) -> tuple:
    try:
        seeds = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers like 0,1,2, got "
                                         f"{text!r}") from None
    if not seeds or any(s < 0 for s in seeds) or len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError(f"expected distinct non-negative seeds like 0,1,2, got "
                                         f"{text!r}")
    return seeds


def add_sweep_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``sweep`` command to the CLI's sub-parsers.

    Examples
    --------
    >>> import argparse
    >>> from lucidnet.sweep import add_sweep_parser
    >>> parser = argparse.ArgumentParser(prog="lucidnet")
    >>> _ = add_sweep_parser(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["sweep", "--grid", "lr=0.1,0.01", "--seeds", "0,1",
    ...                           "--", "--dataset", "iris"])
    >>> args.grid, args.seeds, args.metric, args.train_args
    (['lr=0.1,0.01'], (0, 1), 'val_loss', ['--', '--dataset', 'iris'])
    """
    p = subparsers.add_parser(
        "sweep", help="grid / random search over 'lucidnet train' options, one run per trial",
        description="Train one run per trial of a grid (--grid NAME=V1,V2) or a random search "
        "(--random N --space NAME=log:LOW:HIGH) over 'lucidnet train' options; the options after "
        "'--' go to every trial. Writes SWEEP_DIR/<trial>/ run folders and results.csv, prints "
        "the table sorted by --metric and names the best run. Running it again resumes.",
        epilog="example: lucidnet sweep --grid lr=0.1,0.01 --grid 'hidden=64;128,64' --jobs 2 "
        "-- --dataset iris --epochs 5")
    p.add_argument("--grid", action="append", metavar="NAME=V1,V2",
                   help="values of a train option (repeatable: the cross product); values with "
                   "commas (hidden) are separated by ';': 'hidden=64;128,64'")
    p.add_argument("--random", type=int, default=None, metavar="N",
                   help="random search: N trials drawn from --space (and --grid as choices)")
    p.add_argument("--space", action="append", metavar="NAME=KIND:...",
                   help="a random-search dimension: log:LOW:HIGH, uniform:LOW:HIGH, int:LOW:HIGH "
                   "or choice:A,B (repeatable)")
    p.add_argument("--seeds", type=_seed_list, default=None, metavar="0,1,2",
                   help="run every configuration once per seed (default: one run, seed 0)")
    p.add_argument("--sweep-seed", type=int, default=0,
                   help="seed of the random search's draws (default 0)")
    p.add_argument("--out", default="sweeps/sweep", metavar="SWEEP_DIR",
                   help="folder of the trials' run folders and results.csv (default sweeps/sweep)")
    p.add_argument("--metric", default="val_loss",
                   help="column to rank by: val_loss (default), val_accuracy, accuracy, loss, "
                   "test_accuracy, test_loss, test_rmse ... (*loss/*error/rmse/mae minimized)")
    p.add_argument("--jobs", type=int, default=1, metavar="N",
                   help="trials at once in worker processes (default 1; -1: one per core)")
    p.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                   help="run the trials on this Dask cluster instead (lucidnet[cluster])")
    p.add_argument("train_args", nargs=argparse.REMAINDER, metavar="-- TRAIN OPTIONS",
                   help="options of 'lucidnet train' for every trial, after '--'")
    return p


def run_sweep(args, out=None) -> int:
    """Execute a parsed ``sweep`` command: 0 all trials complete, 1 some failed, 130
    interrupted; user mistakes raise ValueError with a one-line message (exit status 2).

    Examples
    --------
    >>> import argparse, io
    >>> from lucidnet.sweep import add_sweep_parser, run_sweep
    >>> parser = argparse.ArgumentParser(prog="lucidnet")
    >>> _ = add_sweep_parser(parser.add_subparsers(dest="command"))
    >>> out = io.StringIO()
    >>> run_sweep(parser.parse_args(["sweep", "--grid", "lr=0.1", "--out", "sw", "--metric", "loss",
    ...                              "--", "--dataset", "and", "--hidden", "4", "--epochs", "1"]), out)
    0
    >>> out.getvalue().splitlines()[-1]
    'best: sw/lr=0.1_seed=0 (loss ...)'
    >>> run_sweep(parser.parse_args(["sweep", "--", "--dataset", "and"]))
    Traceback (most recent call last):
    ...
    ValueError: sweep needs something to vary: --grid NAME=V1,V2 or --random N --space NAME=KIND:...
    """
    out = out or sys.stdout
    train_args = list(args.train_args or [])
    if train_args and train_args[0] == "--":
        train_args = train_args[1:]
    if not args.grid and not args.space:
        raise ValueError("sweep needs something to vary: --grid NAME=V1,V2 or --random N "
                         "--space NAME=KIND:...")
    seeds = args.seeds
    if seeds is None:
        seeds = (0,)
    actions = _train_actions()
    grid = parse_grid(args.grid, actions)
    space = parse_space(args.space, actions)
    echo = (lambda line: print(line, file=out, flush=True))  # noqa: E731
    try:
        result = sweep(train_args, grid, space, args.random, seeds, args.out, args.metric,
                       args.jobs, args.scheduler, args.sweep_seed, echo=echo)
    except ImportError as err:  # --scheduler without Dask installed: one line, exit status 2
        raise ValueError(str(err)) from None
    print(file=out)
    print(format_table(result), file=out)
    print(f"results: {result.csv_path}" + (f"  summary: {result.summary_path}"
                                           if result.summary_path else ""), file=out)
    if result.best is not None:
        print(f"best: {os.path.join(args.out, result.best['trial'])} ({result.metric} "
              f"{_cell(result.best[result.metric])})", file=out)
        if result.summary:
            s = result.summary[0]
            print(f"best configuration over {s['seeds']} seeds: {s['config']} ({result.metric} "
                  f"{_cell(s[f'{result.metric}_mean'])} +- {_cell(s[f'{result.metric}_std'])})",
                  file=out)
    else:
        print("best: none (no trial completed)", file=out)
    if result.interrupted:
        return 130
    return 1 if result.failed else 0
