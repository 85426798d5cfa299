"""The ``lucidnet lab`` command: list the claims, run one, or run all and write the report.

    lucidnet lab list
    lucidnet lab run 12 [--full] [--seed N] [--out DIR]     numbers, verdict, figures -> DIR
    lucidnet lab run --all --out DIR [--full] [--seed N]    report.html + report.md in DIR
    lucidnet lab run --all --jobs 4                         4 claims at once (worker processes)
    lucidnet lab run --all --scheduler tcp://HOST:8786      on a Dask cluster (lucidnet[cluster])

In parallel the numbers, verdicts and report are those of the serial run (every claim starts from
its seed); only the times differ.

User mistakes (unknown claim id, both or neither of ID and --all) raise ``ValueError`` with a
one-line message; ``lucidnet.cli.main`` prints it on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import os
import sys

from ..plot._backend import pyplot, save_figure
from .registry import SIZES, get_claim
from .report import format_value, write_report
from .runner import all_claim_ids, run_claims

__all__ = ["add_lab_parser", "run_lab"]


def add_lab_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``lab`` command (actions ``list`` and ``run``) to the CLI's sub-parsers.

    Examples
    --------
    >>> import argparse
    >>> from lucidnet.lab.commands import add_lab_parser
    >>> parser = argparse.ArgumentParser(prog="lucidnet")
    >>> _ = add_lab_parser(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["lab", "run", "3", "--seed", "1"])
    >>> args.lab_command, args.id, args.seed, args.full, args.out
    ('run', '3', 1, False, 'lab-out')
    """
    lab = subparsers.add_parser(
        "lab", help="run the notes' claims as experiments (figures, verdicts, report)",
        description="The lab: every claim of the notes is an experiment that trains lucidnet "
        "models, measures, draws figures and states whether the claim holds.")
    actions = lab.add_subparsers(dest="lab_command", metavar="ACTION", parser_class=type(lab))
    actions.add_parser("list", help="list the claims (id, title, the ideas they test: see docs/ideas.md)",
                       description="List every claim with its id, title and the ideas it tests (docs/ideas.md explains the ids).")
    run = actions.add_parser(
        "run", help="run one claim (ID) or all of them (--all) and save figures / the report",
        description="Run one claim and print its numbers and verdict, saving its figures to "
        "--out; or run every claim with --all and write report.html and report.md to --out.")
    run.add_argument("id", nargs="?", default=None, help="claim id (see 'lucidnet lab list')")
    run.add_argument("--all", action="store_true", help="run every claim and write the report")
    run.add_argument("--out", default="lab-out", help="output folder (default lab-out/)")
    run.add_argument("--full", action="store_true",
                     help="the full-size experiments instead of quick ones (--all: about 2 minutes "
                     "on one core, the longest claim about 20 s; quick: about 15 s)")
    run.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.add_argument("--jobs", type=int, default=1, metavar="N",
                     help="run N claims at once in worker processes (default 1; -1: one per "
                     "core); same numbers and verdicts as one at a time")
    run.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                     help="run the claims on this Dask cluster (pip install \"lucidnet[cluster]\"; "
                     "the workers need lucidnet installed)")
    return lab


def _list_claims(out) -> int:
    for i in all_claim_ids():
        c = get_claim(i)
        print(f"{c.id:>3}  {c.title}  [{', '.join(c.spec)}]", file=out)
    return 0


def _print_run(run, out) -> None:
    c = run.claim
    print(f"claim {c.id}: {c.title}  [{', '.join(c.spec)}]", file=out)
    print(f"  notes: {c.statement}", file=out)
    if run.result is None:
        print(f"  verdict: FAILED after {run.seconds:.1f} s\n{run.error}", file=out)
        return
    width = max((len(str(k)) for k in run.result.numbers), default=0)
    for key, value in run.result.numbers.items():
        print(f"  {key!s:<{width}}  {format_value(value)}", file=out)
    print(f"  verdict: {run.status} -- {run.result.explanation}", file=out)
    print(f"  ({run.seconds:.1f} s, seed {run.seed}, {run.size})", file=out)


def _save_figures(run, out_dir: str) -> list[str]:
    paths = []
    for k, fig in enumerate(run.result.figures if run.result is not None else [], 1):
        paths.append(save_figure(fig, os.path.join(out_dir, f"claim{run.claim.id:02d}_{k}.png")))
    return paths


def _close(runs) -> None:
    plt = pyplot()
    for r in runs:
        for fig in (r.result.figures if r.result is not None else []):
            plt.close(fig)


def run_lab(args, out=None) -> int:
    """Execute a parsed ``lab`` command; returns the exit status (0 ok, 1 an experiment failed).

    Raises ``ValueError`` (one-line message) for user mistakes such as an unknown claim id.

    Examples
    --------
    ``lab list`` prints one line per claim; ``lab run ID`` runs one claim (a toy one here):

    >>> import argparse, io
    >>> from lucidnet.lab.commands import add_lab_parser, run_lab
    >>> parser = argparse.ArgumentParser(prog="lucidnet")
    >>> _ = add_lab_parser(parser.add_subparsers(dest="command"))
    >>> out = io.StringIO()
    >>> run_lab(parser.parse_args(["lab", "list"]), out)
    0
    >>> out.getvalue().splitlines()[0]
    '  1  Perceptron: AND and OR yes, XOR no; an MLP solves XOR  [B3, B4]'
    >>> from lucidnet.lab.registry import CLAIMS, Check, claim, judge
    >>> @claim(984, "toy: one is less than two", "1 < 2", "nowhere", ("X1",))
    ... def toy(seed, size):
    ...     return judge([Check("order", "one", 1, "<", "two", 2)], "Two numbers.", {"one": 1})
    >>> out = io.StringIO()
    >>> run_lab(parser.parse_args(["lab", "run", "984", "--no-progress"]), out)
    0
    >>> _ = CLAIMS.pop(984); print(out.getvalue().splitlines()[3])
      verdict: holds -- Two numbers. Passed: order: one 1 < two 2 (yes).
    """
    from ..sweep import check_jobs

    out = out or sys.stdout
    action = getattr(args, "lab_command", None)
    if action == "list":
        return _list_claims(out)
    if action != "run":
        raise ValueError("lab needs an action: 'lucidnet lab list' or 'lucidnet lab run ID' "
                         "(or 'run --all --out DIR')")
    if args.all and args.id is not None:
        raise ValueError(f"lab run: give a claim id or --all, not both (got {args.id!r} and --all)")
    if not args.all and args.id is None:
        raise ValueError("lab run: give a claim id (see 'lucidnet lab list') or --all")
    if args.seed < 0:
        raise ValueError(f"lab run: --seed must be a non-negative integer, got {args.seed}")
    jobs, scheduler = getattr(args, "jobs", 1), getattr(args, "scheduler", None)
    check_jobs(jobs, "lab run: --jobs")
    if scheduler is not None and jobs != 1:
        raise ValueError("lab run: --jobs and --scheduler are exclusive (the Dask cluster decides "
                         "how many claims run at once)")
    size = SIZES[1] if args.full else SIZES[0]
    progress = not args.no_progress
    parallel = {"jobs": jobs, "scheduler": scheduler}
    try:
        runs = _run(args, size, progress, parallel, out)
    except ImportError as err:  # --scheduler without Dask installed: one line, exit status 2
        raise ValueError(f"lab run: {err}") from None
    _close(runs)
    return 1 if any(r.result is None for r in runs) else 0


def _run(args, size, progress, parallel, out) -> list:
    if args.all:
        from ..plot._backend import pyplot

        # every claim's figures stay open until the report embeds them (~30 figures)
        pyplot().rcParams["figure.max_open_warning"] = 0
        runs = run_claims(None, seed=args.seed, size=size, progress=progress, **parallel)
        paths = write_report(runs, args.out)
        for r in runs:
            print(f"{r.claim.id:>3}  {r.status:<13}  {r.seconds:6.1f} s  {r.claim.title}", file=out)
        print(f"report: {paths['html']}  {paths['md']}", file=out)
    else:
        claim = get_claim(args.id)  # ValueError listing the valid ids if unknown
        runs = run_claims([claim.id], seed=args.seed, size=size, progress=progress, **parallel)
        _print_run(runs[0], out)
        for path in _save_figures(runs[0], args.out):
            print(f"  figure: {path}", file=out)
    return runs
