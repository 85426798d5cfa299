"""Issue 11 B: ``lucidnet lab run --jobs N`` / ``--scheduler`` -- claims in worker processes or on
a Dask cluster give the serial numbers, verdicts and report."""

import argparse
import io
import os
import re
import signal
import time

import pytest

from lucidnet.lab import CLAIMS, Claim, Result
from lucidnet.lab import runner as lab_runner
from lucidnet.lab.commands import add_lab_parser, run_lab
from lucidnet.lab.runner import run_claims

FAST = [16, 18, 19]
BROKEN, CRASH, SLEEPY = 991, 992, 993


# module-level, so that worker processes import them by name
def _boom(seed, size):
    raise RuntimeError("the experiment exploded on purpose")


def _crash(seed, size):
    os._exit(7)


def _sleepy(seed, size):
    path = os.environ.get("LUCIDNET_TEST_PID_FILE")
    if path:
        with open(path + f".{os.getpid()}", "w") as f:
            f.write(str(os.getpid()))
    time.sleep(120)
    return Result("holds", "slept")


@pytest.fixture
def extra_claims(monkeypatch):
    from lucidnet.lab.registry import _load_all

    _load_all()
    for cid, title, fn in ((BROKEN, "A claim that fails", _boom),
                           (CRASH, "A claim whose process dies", _crash),
                           (SLEEPY, "A claim that takes long", _sleepy)):
        monkeypatch.setitem(CLAIMS, cid, Claim(cid, title, "test", "test", ("L",), fn))


@pytest.fixture(scope="module")
def serial_runs():
    return run_claims(FAST, seed=0, size="quick", progress=False)


@pytest.fixture(scope="module")
def parallel_runs():
    return run_claims(FAST, seed=0, size="quick", progress=False, jobs=2)


def _same_runs(a, b):
    assert [r.claim.id for r in a] == [r.claim.id for r in b]
    for x, y in zip(a, b):
        assert x.status == y.status and x.error is None and y.error is None
        assert x.result.numbers == y.result.numbers
        assert x.result.explanation == y.result.explanation
        assert len(x.result.figures) == len(y.result.figures) >= 1
        assert (x.seed, x.size) == (y.seed, y.size)


def test_jobs_2_gives_the_serial_numbers_and_verdicts(serial_runs, parallel_runs):
    _same_runs(serial_runs, parallel_runs)
    assert all(r.seconds > 0 for r in parallel_runs)


def _report_text(runs, out_dir):
    from lucidnet.lab.report import write_report

    paths = write_report(runs, out_dir)
    text = open(paths["md"], encoding="utf-8").read()
    text = re.sub(r"\d+(\.\d+)? s\b", "T s", text)  # times differ
    return re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d", "DATE", text), paths


def test_the_report_is_the_serial_one(serial_runs, parallel_runs, tmp_path):
    a, pa = _report_text(serial_runs, tmp_path / "serial")
    b, pb = _report_text(parallel_runs, tmp_path / "parallel")
    assert a == b
    figs = sorted(os.path.basename(p) for p in pa["figures"])
    assert figs == sorted(os.path.basename(p) for p in pb["figures"]) and figs
    for name in figs:  # the figures came back whole (pickled) and draw the same PNG
        assert (tmp_path / "serial" / "figures" / name).read_bytes() == \
            (tmp_path / "parallel" / "figures" / name).read_bytes()


def test_a_failing_claim_in_a_worker_is_reported_as_in_serial(extra_claims):
    runs = run_claims([19, BROKEN, 16], progress=False, jobs=2)
    assert [r.claim.id for r in runs] == [19, BROKEN, 16]
    assert [r.status for r in runs] == [runs[0].result.verdict, "failed", runs[2].result.verdict]
    broken = runs[1]
    assert broken.result is None and "RuntimeError: the experiment exploded on purpose" in \
        broken.error and "Traceback" in broken.error
    serial = run_claims([BROKEN], progress=False)[0]
    assert serial.error.splitlines()[-1] == broken.error.splitlines()[-1]


def test_a_dying_worker_is_a_failed_claim_not_a_hang(extra_claims):
    start = time.perf_counter()
    runs = run_claims([CRASH, 19], progress=False, jobs=2)
    assert time.perf_counter() - start < 60
    assert runs[0].status == "failed" and "worker running claim 992 failed" in runs[0].error


def test_progress_bar_counts_finished_claims(capsys):
    run_claims([19, 18], progress=True, jobs=2)
    err = capsys.readouterr().err
    assert "lab (2 processes)" in err and "2/2" in err and "claim 1" in err


def _pid_gone(pid, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().split(")")[-1].split()[0] == "Z":
                    return True
        except OSError:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs POSIX timers")
def test_ctrl_c_stops_the_workers(extra_claims, tmp_path, monkeypatch):
    pid_file = tmp_path / "pid"
    monkeypatch.setenv("LUCIDNET_TEST_PID_FILE", str(pid_file))

    def interrupt(signum, frame):
        if list(tmp_path.glob("pid.*")):
            raise KeyboardInterrupt
        signal.setitimer(signal.ITIMER_REAL, 0.5)  # the worker has not started yet: wait

    previous = signal.signal(signal.SIGALRM, interrupt)
    start = time.perf_counter()
    try:
        signal.setitimer(signal.ITIMER_REAL, 1.0)
        with pytest.raises(KeyboardInterrupt):
            run_claims([SLEEPY, SLEEPY, SLEEPY], progress=False, jobs=2)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert time.perf_counter() - start < 60  # not the 120 s the claims sleep
    pids = [int(p.read_text()) for p in tmp_path.glob("pid.*")]
    assert pids and all(_pid_gone(p) for p in pids)


def _parse(*argv):
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    add_lab_parser(sub)
    return parser.parse_args(["lab", *argv])


def test_lab_run_all_jobs_writes_the_report(tmp_path, monkeypatch, extra_claims):
    monkeypatch.setattr(lab_runner, "all_claim_ids", lambda: [18, BROKEN, 19])
    out = io.StringIO()
    status = run_lab(_parse("run", "--all", "--jobs", "2", "--out", str(tmp_path),
                            "--no-progress"), out=out)
    assert status == 1  # the broken claim, as in serial
    text = out.getvalue()
    lines = [line.split() for line in text.splitlines() if line.strip()[:3].strip().isdigit()]
    assert [int(cols[0]) for cols in lines] == [18, BROKEN, 19]
    assert lines[1][1] == "failed"
    assert (tmp_path / "report.html").exists() and "report:" in text


@pytest.mark.parametrize("argv, message", [
    (("run", "--all", "--jobs", "0"), "lab run: --jobs must be"),
    (("run", "--all", "--jobs", "2", "--scheduler", "tcp://x:1"), "exclusive"),
])
def test_lab_jobs_mistakes_are_one_line_value_errors(argv, message):
    with pytest.raises(ValueError, match=re.escape(message)) as err:
        run_lab(_parse(*argv), out=io.StringIO())
    assert "\n" not in str(err.value)


def test_run_claims_rejects_bad_jobs():
    with pytest.raises(ValueError, match="jobs must be"):
        run_claims([19], jobs=1.5, progress=False)


# ---------------------------------------------------------------- Dask
@pytest.fixture(scope="module")
def dask_address(dask_cluster):
    return dask_cluster.scheduler_address


def test_dask_scheduler_gives_the_serial_numbers(serial_runs, dask_address):
    runs = run_claims(FAST, seed=0, size="quick", progress=False, scheduler=dask_address)
    _same_runs(serial_runs, runs)


def test_lab_run_on_dask_reports_a_failing_claim(dask_address, extra_claims, tmp_path,
                                                 monkeypatch):
    monkeypatch.setattr(lab_runner, "all_claim_ids", lambda: [19, BROKEN])
    out = io.StringIO()
    status = run_lab(_parse("run", "--all", "--scheduler", dask_address, "--out",
                            str(tmp_path), "--no-progress"), out=out)
    assert status == 1
    assert re.search(rf"{BROKEN}\s+failed", out.getvalue())
    assert (tmp_path / "report.md").exists()


def test_lab_scheduler_without_dask_names_the_extra(monkeypatch, tmp_path):
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    with pytest.raises(ValueError, match=re.escape('lab run: --scheduler needs Dask')):
        run_lab(_parse("run", "19", "--scheduler", "tcp://127.0.0.1:9", "--out", str(tmp_path),
                       "--no-progress"), out=io.StringIO())


@pytest.mark.slow
def test_every_claim_in_2_processes_matches_the_serial_run():
    """All claims (quick): the same verdicts and numbers in 2 worker processes as one after
    another; only wall-clock measurements (claim 11's seconds per epoch) may differ."""
    import matplotlib.pyplot as plt

    with plt.rc_context({"figure.max_open_warning": 0}):  # as lab run --all sets it
        serial = run_claims(None, progress=False)
    for r in serial:  # the serial figures are open in this process (as lab run --all keeps them)
        for fig in r.result.figures if r.result is not None else []:
            plt.close(fig)
    parallel = run_claims(None, progress=False, jobs=2)
    assert [r.claim.id for r in serial] == [r.claim.id for r in parallel]
    for a, b in zip(serial, parallel):
        assert a.status == b.status, a.claim.id
        untimed = [k for k in a.result.numbers if "second" not in str(k)]
        assert {k: a.result.numbers[k] for k in untimed} == \
            {k: b.result.numbers[k] for k in untimed}, a.claim.id
