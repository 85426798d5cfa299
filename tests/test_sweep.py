"""Issue 11 B: ``lucidnet sweep`` -- grid / random search over train options (lucidnet.sweep)."""

import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from lucidnet import cli
from lucidnet import sweep as sw

TRAIN = ["--dataset", "iris", "--epochs", "2", "--batch-size", "16"]
GRID = ["lr=0.1,0.02"]


def _parser():
    """The sweep command under a parser of our own (cli.py wires it in its build_parser)."""
    p = cli._Parser(prog="lucidnet")
    sub = p.add_subparsers(dest="command", parser_class=cli._Parser)
    sw.add_sweep_parser(sub)
    return p


def _run(*argv):
    out = io.StringIO()
    rc = sw.run_sweep(_parser().parse_args(["sweep", *argv]), out=out)
    return rc, out.getvalue()


def _rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def _weights(folder):
    with np.load(os.path.join(folder, "model.npz"), allow_pickle=False) as z:
        return {k: z[k] for k in z.files if not k.startswith("__")}


def _same_weights(a, b):
    wa, wb = _weights(a), _weights(b)
    assert wa.keys() == wb.keys() and wa
    for k in wa:
        np.testing.assert_array_equal(wa[k], wb[k])


# ---------------------------------------------------------------- syntax
def test_parse_grid_values_lists_and_switches():
    grid = sw.parse_grid(["lr=0.1,0.01", "hidden=64;128,64", "batch-norm=true,False",
                          "--batch_size=8,16"])
    assert grid == {"lr": ("0.1", "0.01"), "hidden": ("64", "128,64"),
                    "batch_norm": ("true", "false"), "batch_size": ("8", "16")}
    assert sw.parse_grid(["hidden=32"]) == {"hidden": ("32",)}
    assert sw.parse_grid(["hidden=32,16"]) == {"hidden": ("32,16",)}  # one two-layer value
    assert sw.parse_grid(["optimizer=sgd;adam"]) == {"optimizer": ("sgd", "adam")}


@pytest.mark.parametrize("items, message", [
    (["lr"], "must look like NAME=VALUES"),
    (["=0.1"], "must look like NAME=VALUES"),
    (["lr="], "empty value"),
    (["lr=0.1,,0.2"], "empty value"),
    (["hidden=64;"], "empty value"),
    (["lr=0.1,0.1"], "repeated"),
    (["learning-rate=0.1"], "unknown train option 'learning-rate'; valid: "),
    (["lr=0.1", "lr=0.2"], "given twice"),
    (["seed=0,1"], "--seeds 0,1,2"),
    (["out=a,b"], "cannot be swept"),
    (["batch-norm=yes"], "switch"),
])
def test_parse_grid_errors_are_one_line(items, message):
    with pytest.raises(ValueError, match=re.escape(message)) as err:
        sw.parse_grid(items)
    assert "\n" not in str(err.value)


def test_parse_space_kinds():
    space = sw.parse_space(["lr=log:1e-4:1e-1", "dropout=uniform:0:0.5", "epochs=int:1:3",
                            "hidden=choice:16;32,16", "optimizer=choice:adam,sgd"])
    assert space["lr"] == sw.Dimension("log", 1e-4, 1e-1)
    assert space["epochs"] == sw.Dimension("int", 1, 3)
    assert space["hidden"].choices == ("16", "32,16")
    assert space["optimizer"].choices == ("adam", "sgd")


@pytest.mark.parametrize("item, message", [
    ("lr=normal:0:1", "unknown kind 'normal'"),
    ("lr=log:1e-4", "must be log:LOW:HIGH"),
    ("lr=log:0:1", "LOW > 0"),
    ("lr=uniform:1:1", "LOW must be below HIGH"),
    ("lr=uniform:a:1", "'a' is not a number"),
    ("lr=uniform:0:inf", "not a finite number"),
    ("epochs=int:1:2.5", "integer bounds"),
    ("hidden=int:8:64", "use choice"),
    ("nonsense=log:1:2", "unknown train option"),
])
def test_parse_space_errors(item, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        sw.parse_space([item])


def test_grid_trials_are_the_cross_product_in_order():
    trials = sw.make_trials({"lr": ("0.1", "0.01"), "hidden": ("64", "128,64")}, seeds=(0, 1))
    assert [t.name for t in trials[:4]] == [
        "lr=0.1_hidden=64_seed=0", "lr=0.1_hidden=64_seed=1",
        "lr=0.1_hidden=128x64_seed=0", "lr=0.1_hidden=128x64_seed=1"]
    assert len(trials) == 8 and len({t.name for t in trials}) == 8
    assert trials[2].options == (("lr", "0.1"), ("hidden", "128,64"))
    assert trials[2].config == trials[3].config == "lr=0.1_hidden=128x64"
    assert sw.make_trials({}, seeds=(3,))[0].name == "seed=3"


def test_random_trials_are_reproducible_and_in_bounds():
    space = sw.parse_space(["lr=log:1e-4:1e-1", "dropout=uniform:0:0.5", "epochs=int:1:3"])
    a = sw.make_trials(None, space, n_random=30, random_state=4)
    b = sw.make_trials(None, space, n_random=30, random_state=4)
    c = sw.make_trials(None, space, n_random=30, random_state=5)
    assert a == b and a != c
    assert a[0].name.startswith("t000_lr=") and a[-1].name.startswith("t029_")
    for t in a:
        opts = dict(t.options)
        lr = float(opts["lr"])
        assert 1e-4 <= lr <= 1e-1 and float(f"{lr:.4g}") == lr  # 4 significant digits
        assert 0 <= float(opts["dropout"]) <= 0.5
        assert opts["epochs"] in ("1", "2", "3")
    lrs = np.log10([float(dict(t.options)["lr"]) for t in a])
    assert lrs.min() < -3 and lrs.max() > -2  # log-uniform: spread over the decades
    mixed = sw.make_trials({"optimizer": ("adam", "sgd")}, space, n_random=20, random_state=0)
    assert {dict(t.options)["optimizer"] for t in mixed} == {"adam", "sgd"}


@pytest.mark.parametrize("kwargs, message", [
    ({"space": {"lr": sw.Dimension("log", 1e-3, 1e-1)}}, "--space needs --random N"),
    ({"n_random": 0, "grid": {"lr": ("0.1",)}}, "positive number of trials"),
    ({"n_random": 3}, "needs the dimensions"),
])
def test_make_trials_errors(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        sw.make_trials(**kwargs)


def test_long_trial_names_are_shortened_uniquely():
    values = ("1" * 80 + "," + "2" * 80, "1" * 80 + "," + "3" * 80)
    trials = sw.make_trials({"hidden": values})
    assert all(len(t.name) <= 120 for t in trials)
    assert trials[0].name != trials[1].name


def test_metric_direction():
    assert sw._lower_is_better("val_loss") and sw._lower_is_better("test_rmse")
    assert sw._lower_is_better("test_mae") and sw._lower_is_better("mean_error")
    assert not sw._lower_is_better("val_accuracy") and not sw._lower_is_better("test_r2")


def test_check_jobs():
    assert sw.check_jobs(3) == 3
    assert sw.check_jobs(-1) == (os.cpu_count() or 1)
    for bad in (0, 1.5, True, "2", -10_000):
        with pytest.raises(ValueError, match="--jobs"):
            sw.check_jobs(bad)
    if (os.cpu_count() or 1) > 1:
        assert sw.check_jobs(-2) == os.cpu_count() - 1  # joblib's meaning, as the message says
    with pytest.raises(ValueError, match=r"-2: all cores but one"):
        sw.check_jobs(0)


@pytest.mark.parametrize("argv, message", [
    (["--grid", "lr"], "must look like NAME=VALUES"),
    (["--grid", "speed=1,2"], "unknown train option 'speed'"),
    ([], "needs something to vary"),
    (["--grid", "lr=0.1", "--", "--out", "x"], "--out is the sweep's to set"),
    (["--grid", "lr=0.1", "--", "--seed", "3"], "--seeds"),
    (["--grid", "lr=0.1", "--", "--resume", "x"], "--resume is the sweep's"),
    (["--grid", "lr=0.1", "--", "--dataset", "nope"], "unknown dataset 'nope'"),
    (["--grid", "lr=0.1", "--", "--no-such-flag"], "unrecognized arguments: --no-such-flag"),
    (["--grid", "dropout=0.2,1.5", "--", "--dataset", "iris"], "--dropout must be a finite number in [0.0, 1.0), got 1.5"),
    (["--grid", "lr=0.1", "--jobs", "0"], "--jobs must be"),
    (["--grid", "lr=0.1", "--jobs", "2", "--scheduler", "tcp://x:1"], "exclusive"),
])
def test_run_sweep_user_mistakes_before_any_trial(tmp_path, argv, message):
    out = tmp_path / "s"
    with pytest.raises(ValueError, match=re.escape(message)) as err:
        _run("--out", str(out), *argv)
    assert "\n" not in str(err.value)
    assert not any(out.glob("*/model.npz"))


@pytest.mark.parametrize("argv", [["--seeds", "0,x"], ["--seeds", "1,1"], ["--random", "two"]])
def test_sweep_parser_errors(argv):
    with pytest.raises(cli.UsageError):
        _parser().parse_args(["sweep", *argv])


# ---------------------------------------------------------------- running sweeps
@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    root = tmp_path_factory.mktemp("sweep")
    out = root / "serial"
    rc, text = _run("--grid", *GRID, "--out", str(out), "--", *TRAIN)
    return rc, text, out


def test_serial_sweep_writes_runs_table_and_best(serial):
    rc, text, out = serial
    assert rc == 0, text
    names = ["lr=0.1_seed=0", "lr=0.02_seed=0"]
    for name in names:
        folder = out / name
        assert (folder / "metrics.json").exists() and (folder / "model.npz").exists()
        assert "$ lucidnet train --dataset iris" in (folder / "train.log").read_text()
        config = json.loads((folder / "config.json").read_text())
        assert config["lr"] == float(name.split("=")[1].split("_")[0])
        assert config["epochs"] == 2 and config["seed"] == 0 and config["dataset"] == "iris"
    rows = _rows(out / "results.csv")
    assert sorted(r["trial"] for r in rows) == sorted(names)
    losses = [float(r["val_loss"]) for r in rows]
    assert losses == sorted(losses)  # best first
    assert all(r["status"] == "complete" for r in rows)
    for r in rows:  # the table's numbers are the run folders' own
        hist = _rows(out / r["trial"] / "history.csv")
        assert float(r["val_loss"]) == pytest.approx(float(hist[-1]["val_loss"]), rel=1e-5)
        metrics = json.loads((out / r["trial"] / "metrics.json").read_text())
        assert float(r["test_accuracy"]) == pytest.approx(metrics["test"]["accuracy"], rel=1e-5)
    best = rows[0]["trial"]
    assert f"best: {out / best} (val_loss" in text
    assert "[2/2]" in text and "results: " in text
    table = text[text.index("\ntrial "):]
    assert table.index(rows[0]["trial"]) < table.index(rows[1]["trial"])


def test_second_run_skips_complete_trials(serial):
    _, _, out = serial
    before = {p: p.stat().st_mtime_ns for p in out.glob("*/model.npz")}
    start = time.perf_counter()
    rc, text = _run("--grid", *GRID, "--out", str(out), "--", *TRAIN)
    assert rc == 0 and "2 of 2 trials already complete" in text
    assert time.perf_counter() - start < 5
    assert {p: p.stat().st_mtime_ns for p in out.glob("*/model.npz")} == before


def test_extending_the_grid_runs_only_the_new_trials(serial, tmp_path):
    _, _, out = serial
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    rc, text = _run("--grid", "lr=0.1,0.02,0.05", "--out", str(copy), "--metric",
                    "test_accuracy", "--", *TRAIN)
    assert rc == 0 and "2 of 3 trials already complete" in text and "[3/3] lr=0.05" in text
    rows = _rows(copy / "results.csv")
    accs = [float(r["test_accuracy"]) for r in rows]
    assert len(rows) == 3 and accs == sorted(accs, reverse=True)  # maximized


def test_other_train_options_in_the_same_folder_are_refused(serial):
    _, _, out = serial
    with pytest.raises(ValueError, match="holds a trial run with other train options"):
        _run("--grid", *GRID, "--out", str(out), "--", "--dataset", "iris", "--epochs", "3")


def test_interrupted_trial_is_resumed_to_the_uninterrupted_result(serial, tmp_path):
    """A trial killed after epoch 1 (its last.npz, no report) continues from the checkpoint."""
    _, _, out = serial
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    name = "lr=0.1_seed=0"
    one = tmp_path / "one-epoch"
    assert cli.main(["train", *TRAIN[:2], "--epochs", "1", "--batch-size", "16", "--lr", "0.1",
                     "--seed", "0", "--out", str(one), "--quiet"]) == 0
    trial = copy / name
    for f in ("metrics.json", "model.npz", "history.csv", "best.npz"):
        (trial / f).unlink()
    shutil.copy(one / "last.npz", trial / "last.npz")  # the state after epoch 1 of 2
    rc, text = _run("--grid", *GRID, "--out", str(copy), "--", *TRAIN)
    assert rc == 0, text
    assert "resuming" in (trial / "train.log").read_text()
    _same_weights(trial, out / name)
    assert len(_rows(trial / "history.csv")) == 2


def test_failed_trial_is_reported_and_the_sweep_goes_on(tmp_path):
    out = tmp_path / "s"
    rc, text = _run("--grid", "lr=0.05,1e30", "--out", str(out), "--", *TRAIN, "--epochs", "1")
    assert rc == 1
    rows = _rows(out / "results.csv")
    assert [r["trial"] for r in rows] == ["lr=0.05_seed=0", "lr=1e30_seed=0"]  # failed last
    assert rows[0]["status"] == "complete" and rows[1]["status"] == "failed"
    assert "diverged" in rows[1]["message"]
    assert "lr=1e30_seed=0: failed" in text and f"best: {out / 'lr=0.05_seed=0'}" in text


def test_unknown_metric_lists_the_available_ones(serial, tmp_path):
    _, _, out = serial
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    with pytest.raises(ValueError, match=r"--metric 'val_auc' .* available: .*val_loss"):
        _run("--grid", *GRID, "--out", str(copy), "--metric", "val_auc", "--", *TRAIN)
    assert len(_rows(copy / "results.csv")) == 2  # the table is still written


def test_seeds_repeat_each_configuration_and_summarize(tmp_path):
    out = tmp_path / "s"
    rc, text = _run("--grid", "lr=0.05", "--seeds", "0,1", "--out", str(out),
                    "--metric", "val_accuracy", "--", *TRAIN, "--epochs", "1")
    assert rc == 0, text
    seeds = {json.loads((out / f"lr=0.05_seed={s}" / "config.json").read_text())["seed"]
             for s in (0, 1)}
    assert seeds == {0, 1}
    summary = _rows(out / "summary.csv")
    assert len(summary) == 1 and summary[0]["config"] == "lr=0.05" and summary[0]["seeds"] == "2"
    values = [float(r["val_accuracy"]) for r in _rows(out / "results.csv")]
    assert float(summary[0]["val_accuracy_mean"]) == pytest.approx(np.mean(values), rel=1e-5)
    assert "best configuration over 2 seeds: lr=0.05" in text


def test_random_search_through_the_command(tmp_path):
    out = tmp_path / "r"
    rc, text = _run("--random", "2", "--space", "lr=log:1e-2:1e-1", "--space",
                    "hidden=choice:8;16,8", "--sweep-seed", "3", "--out", str(out), "--",
                    *TRAIN, "--epochs", "1")
    assert rc == 0, text
    expected = sw.make_trials(None, sw.parse_space(["lr=log:1e-2:1e-1", "hidden=choice:8;16,8"]),
                              n_random=2, random_state=3)
    for t in expected:
        config = json.loads((out / t.name / "config.json").read_text())
        opts = dict(t.options)
        assert config["lr"] == float(opts["lr"])
        assert config["hidden"] == [int(v) for v in opts["hidden"].split(",")]


def test_ctrl_c_in_a_serial_sweep_stops_it_and_a_rerun_continues(tmp_path, monkeypatch):
    out = tmp_path / "s"
    real = sw._run_trial
    calls = []

    def interrupted_second(argv, folder, resume):
        calls.append(folder)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(argv, folder, resume)

    monkeypatch.setattr(sw, "_run_trial", interrupted_second)
    argv = ["--grid", "lr=0.1,0.05", "--out", str(out), "--", *TRAIN, "--epochs", "1"]
    rc, text = _run(*argv)
    assert rc == 130 and "sweep interrupted: 1 of 2 trials finished" in text
    assert len(calls) == 2
    rows = {r["trial"]: r["status"] for r in _rows(out / "results.csv")}
    assert rows == {"lr=0.1_seed=0": "complete", "lr=0.05_seed=0": "new"}
    monkeypatch.setattr(sw, "_run_trial", real)
    rc, text = _run(*argv)
    assert rc == 0 and "1 of 2 trials already complete" in text


# ---------------------------------------------------------------- in parallel
def test_jobs_2_gives_the_serial_results(serial, tmp_path):
    _, _, out = serial
    par = tmp_path / "par"
    rc, text = _run("--grid", *GRID, "--out", str(par), "--jobs", "2", "--", *TRAIN)
    assert rc == 0, text
    assert "in 2 processes" in text
    a, b = (sorted(_rows(d / "results.csv"), key=lambda r: r["trial"]) for d in (out, par))
    drop = ("seconds", "message")
    assert [{k: v for k, v in r.items() if k not in drop} for r in a] == \
        [{k: v for k, v in r.items() if k not in drop} for r in b]
    for r in a:
        _same_weights(out / r["trial"], par / r["trial"])


def _slow_task(i):
    if i == 0:
        return os.getpid()
    time.sleep(60)
    return os.getpid()


def _dies(i):
    if i == 1:
        os._exit(3)
    return i


def _pid_gone(pid, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:  # a zombie child of ours is gone as well
            with open(f"/proc/{pid}/stat") as f:
                if f.read().split(")")[-1].split()[0] == "Z":
                    return True
        except OSError:
            return True
        time.sleep(0.1)
    return False


def test_closing_run_parallel_stops_the_workers():
    start = time.perf_counter()
    gen = sw.run_parallel(_slow_task, [(0,), (1,), (2,)], jobs=2)
    i, pid, err = next(gen)
    assert (i, err) == (0, None)
    gen.close()  # what Ctrl-C in the parent does
    assert time.perf_counter() - start < 30
    assert _pid_gone(pid)


def test_a_dead_worker_is_an_error_entry_not_a_hang():
    results = {i: (r, e) for i, r, e in sw.run_parallel(_dies, [(0,), (1,), (2,)], jobs=2)}
    assert set(results) == {0, 1, 2}
    assert results[1][1] is not None and "terminated abruptly" in str(results[1][1])


def test_run_parallel_serial_is_in_order():
    assert list(sw.run_parallel(_dies, [(0,), (2,)], jobs=1)) == [(0, 0, None), (1, 2, None)]
    assert list(sw.run_parallel(_dies, [], jobs=2)) == []


@pytest.mark.slow
def test_ctrl_c_stops_a_parallel_sweep_cleanly(tmp_path):
    """SIGINT to the command's process group: exit 130 within seconds, no worker left, and the
    same command then completes the sweep."""
    script = tmp_path / "run.py"
    script.write_text(textwrap.dedent("""
        import sys
        from tests.test_sweep import _parser
        from lucidnet import sweep
        if __name__ == "__main__":
            sys.exit(sweep.run_sweep(_parser().parse_args(sys.argv[1:])))
    """))
    out = tmp_path / "s"
    argv = [sys.executable, str(script), "sweep", "--grid", "lr=0.1,0.05,0.02,0.01",
            "--out", str(out), "--jobs", "2", "--", "--dataset", "digits", "--epochs", "30"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while not list(out.glob("*/last.npz")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert list(out.glob("*/last.npz")), "no trial started"
    children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True,
                              text=True).stdout.split()
    os.killpg(proc.pid, signal.SIGINT)
    text, _ = proc.communicate(timeout=30)
    assert proc.returncode == 130, text
    assert "sweep interrupted" in text
    assert all(_pid_gone(int(p)) for p in children)
    rc, text = _run("--grid", "lr=0.1", "--out", str(out), "--", "--dataset", "digits",
                    "--epochs", "30")
    assert rc == 0, text


# ---------------------------------------------------------------- Dask
@pytest.fixture(scope="module")
def dask_address(dask_cluster):
    return dask_cluster.scheduler_address


def test_dask_scheduler_gives_the_serial_results(serial, dask_address, tmp_path):
    _, _, out = serial
    on_dask = tmp_path / "dask"
    rc, text = _run("--grid", *GRID, "--out", str(on_dask), "--scheduler", dask_address, "--",
                    *TRAIN)
    assert rc == 0, text
    assert f"on {dask_address}" in text
    for r in _rows(out / "results.csv"):
        _same_weights(out / r["trial"], on_dask / r["trial"])
    assert [r["val_loss"] for r in _rows(out / "results.csv")] == \
        [r["val_loss"] for r in _rows(on_dask / "results.csv")]
    assert [r["trial"] for r in _rows(out / "results.csv")] == \
        [r["trial"] for r in _rows(on_dask / "results.csv")]


def test_unreachable_scheduler_is_a_one_line_error(tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr(sw, "_CONNECT_TIMEOUT", "1s")
    with pytest.raises(ValueError, match="cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'"):
        _run("--grid", "lr=0.1", "--out", str(tmp_path / "s"), "--scheduler",
             "tcp://127.0.0.1:9", "--", *TRAIN)


# ---------------------------------------------------------------- through lucidnet.cli
_WIRED = "sweep" in cli.build_parser()._subparsers._group_actions[0].choices
wired = pytest.mark.skipif(not _WIRED, reason="'sweep' is not yet a lucidnet subcommand")


@wired
def test_cli_sweep_runs_and_names_the_best(tmp_path, capsys):
    out = tmp_path / "s"
    assert cli.main(["sweep", "--grid", "lr=0.1,0.02", "--out", str(out), "--", *TRAIN,
                     "--epochs", "1"]) == 0
    text = capsys.readouterr().out
    assert "best: " in text and (out / "results.csv").exists()


@wired
@pytest.mark.parametrize("argv, message", [
    (["--grid", "lr"], "must look like NAME=VALUES"),
    (["--grid", "speed=1,2"], "unknown train option 'speed'"),
    (["--random", "x"], "invalid int value"),
    (["--grid", "lr=0.1", "--", "--bogus"], "unrecognized arguments: --bogus"),
])
def test_cli_sweep_mistakes_exit_2_with_one_line(tmp_path, capsys, argv, message):
    assert cli.main(["sweep", "--out", str(tmp_path / "s"), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_scheduler_without_dask_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    with pytest.raises(ImportError, match=re.escape('pip install "lucidnet[cluster]"')):
        list(sw.run_parallel(_dies, [(0,)], scheduler="tcp://127.0.0.1:9"))
    with pytest.raises(ValueError, match=re.escape('pip install "lucidnet[cluster]"')) as err:
        _run("--grid", "lr=0.1", "--out", str(tmp_path / "s"), "--scheduler",
             "tcp://127.0.0.1:9", "--", *TRAIN)
    assert "\n" not in str(err.value)


def test_file_options_reach_the_workers_as_absolute_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = sw._absolute_paths(["--data", "t.csv", "--test=u.csv", "--config", "c.toml",
                               "--data-path", "mnist", "--target", "y", "--epochs", "2"])
    assert argv == ["--data", str(tmp_path / "t.csv"), f"--test={tmp_path / 'u.csv'}",
                    "--config", str(tmp_path / "c.toml"), "--data-path", str(tmp_path / "mnist"),
                    "--target", "y", "--epochs", "2"]
    trial = sw.make_trials({"lr": ("0.1",)})[0]
    assert sw._trial_argv(trial, ["--data", "t.csv"], sw._train_actions())[1] == \
        str(tmp_path / "t.csv")
