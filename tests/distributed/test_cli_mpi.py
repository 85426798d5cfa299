"""``mpirun -n 2 lucidnet train`` (issue 11): the run folder of a 2-rank run holds what a
one-process run's holds (numbers equal to float32 rounding), rank 0 alone writes and prints,
resume works across rank counts, SIGTERM to mpirun saves one checkpoint."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("mpi4py")

BIN = Path(sys.executable).parent
MPIRUN, LUCIDNET = BIN / "mpirun", BIN / "lucidnet"
if not MPIRUN.exists() or not LUCIDNET.exists():
    pytest.skip("needs mpirun and the lucidnet command next to the Python interpreter",
                allow_module_level=True)

# small and quick: digits, a 16-unit MLP, big batches
FAST = ["--hidden", "16", "--batch-size", "64", "--quiet"]


def _env() -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    for name in list(env):
        if name.startswith(("PMI_", "OMPI_", "PMIX_", "MV2_")):
            del env[name]  # the one-process runs must not look launched by MPI
    return env


def train(tmp_path, *args, ranks: int = 1, timeout: float = 120):
    cmd = [str(LUCIDNET), "train", *args]
    if ranks > 1:
        cmd = [str(MPIRUN), "-n", str(ranks), *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=tmp_path,
                          env=_env())


def ok(proc):
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def read(folder: Path) -> dict:
    history = np.genfromtxt(folder / "history.csv", delimiter=",", names=True)
    return {"config": json.loads((folder / "config.json").read_text()),
            "metrics": json.loads((folder / "metrics.json").read_text()),
            "history": history, "files": sorted(p.name for p in folder.iterdir())}


def assert_same_run(got: dict, want: dict, rtol: float = 2e-5) -> None:
    assert got["files"] == want["files"]
    assert got["history"].dtype.names == want["history"].dtype.names
    for name in want["history"].dtype.names:
        np.testing.assert_allclose(got["history"][name], want["history"][name], rtol=rtol,
                                   atol=1e-6, err_msg=name)
    gm, wm = dict(got["metrics"]), dict(want["metrics"])
    for m in (gm, wm):
        m.pop("train_seconds")
    assert gm["confusion_matrix"] == wm["confusion_matrix"]
    assert gm.keys() == wm.keys() and gm["test"].keys() == wm["test"].keys()
    for k, v in wm["test"].items():
        if isinstance(v, float):
            assert gm["test"][k] == pytest.approx(v, rel=rtol, abs=1e-6), k
        else:
            assert gm["test"][k] == v, k


def test_two_ranks_write_the_one_process_run_folder(tmp_path):
    one = ok(train(tmp_path, "--epochs", "2", "--out", "one", *FAST))
    two = ok(train(tmp_path, "--epochs", "2", "--out", "two", *FAST, ranks=2))
    got, want = read(tmp_path / "two"), read(tmp_path / "one")
    assert_same_run(got, want)
    assert "lock" not in " ".join(got["files"])
    assert got["config"]["world_size"] == 2 and want["config"]["world_size"] == 1
    assert {k: v for k, v in got["config"].items() if k not in ("out", "world_size")} == \
        {k: v for k, v in want["config"].items() if k not in ("out", "world_size")}
    # rank 0 alone prints: the same report, once
    assert two.stdout.replace("two", "one") == one.stdout
    assert two.stdout.count("test accuracy") == 1
    assert two.stderr == one.stderr == ""
    # the model file predicts as the one-process one
    import lucidnet

    m1, m2 = lucidnet.load(tmp_path / "one" / "model.npz"), lucidnet.load(tmp_path / "two" /
                                                                         "model.npz")
    x = np.random.default_rng(0).normal(size=(5, 64)).astype(np.float32)
    with lucidnet.no_grad():
        np.testing.assert_allclose(m2(lucidnet.tensor(x)).data, m1(lucidnet.tensor(x)).data,
                                   rtol=1e-4, atol=1e-5)


@pytest.mark.slow
def test_resume_a_two_rank_run_on_one_process(tmp_path):
    ok(train(tmp_path, "--epochs", "1", "--out", "run", *FAST, ranks=2))
    resumed = ok(train(tmp_path, "--resume", "run", "--epochs", "3", "--quiet"))
    assert "resuming run after epoch 1, training to epoch 3" in resumed.stdout
    ok(train(tmp_path, "--epochs", "3", "--out", "straight", *FAST))
    got, want = read(tmp_path / "run"), read(tmp_path / "straight")
    assert_same_run(got, want)
    assert got["config"]["world_size"] == 1  # the session that finished it


@pytest.mark.slow
def test_resume_a_one_process_run_on_two_ranks(tmp_path):
    ok(train(tmp_path, "--epochs", "1", "--out", "run", *FAST))
    ok(train(tmp_path, "--resume", "run", "--epochs", "3", "--quiet", ranks=2))
    ok(train(tmp_path, "--epochs", "3", "--out", "straight", *FAST))
    got = read(tmp_path / "run")
    assert_same_run(got, read(tmp_path / "straight"))
    assert got["config"]["world_size"] == 2


def test_mistakes_are_reported_once_by_rank_zero(tmp_path):
    proc = train(tmp_path, "--epochs", "1", "--sync-batch-norm", "--out", "x", ranks=2)
    assert proc.returncode == 2
    assert proc.stderr.count("--sync-batch-norm makes the layers of --batch-norm") == 1
    assert proc.stdout == ""
    assert not (tmp_path / "x").exists()
    # a mistake the argument parser finds, before any process group exists
    proc = train(tmp_path, "--epochs", "x", "--out", "x", ranks=2)
    assert proc.returncode == 2
    assert proc.stderr.count("invalid int value: 'x'") == 1, proc.stderr
    assert not (tmp_path / "x").exists()


def test_launched_by_mpi_without_mpi4py_is_a_one_line_error(tmp_path):
    fake = tmp_path / "site" / "mpi4py"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('libmpi.so.12: cannot open')\n")
    env = dict(_env(), PYTHONPATH=str(tmp_path / "site"), PMI_RANK="0", PMI_SIZE="2")
    proc = subprocess.run([str(LUCIDNET), "train", "--epochs", "1", "--out", "x"],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path, env=env)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "started by an MPI launcher (2 processes)" in lines[0]
    assert 'pip install "lucidnet[distributed]"' in lines[0]
    assert not (tmp_path / "x").exists()


@pytest.mark.slow
def test_a_refused_run_folder_stops_every_rank(tmp_path):
    ok(train(tmp_path, "--epochs", "1", "--out", "run", *FAST))
    proc = train(tmp_path, "--epochs", "1", "--out", "run", *FAST, ranks=2)
    assert proc.returncode == 2
    assert proc.stderr.count("already holds a run") == 1, proc.stderr
    assert proc.stdout == ""


@pytest.mark.slow
def test_sync_batch_norm_two_ranks_equal_one_process(tmp_path):
    """SGD: with Adam, the directions BatchNorm makes gradient-free (the bias before it, the
    scale of the weights) get rounding noise as gradient, which Adam's normalization blows up
    to lr-sized steps: two float32 runs then differ by percents in those weights and their
    running means (in float64, tests/distributed/test_trainer_mpi.py, they agree to 1e-16)."""
    from lucidnet import nn

    if not hasattr(nn, "SyncBatchNorm"):
        pytest.skip("nn.SyncBatchNorm is not there yet")
    args = ["--epochs", "2", "--batch-norm", "--sync-batch-norm", "--optimizer", "sgd", *FAST]
    ok(train(tmp_path, *args, "--out", "one"))
    ok(train(tmp_path, *args, "--out", "two", ranks=2))
    got, want = read(tmp_path / "two"), read(tmp_path / "one")
    assert_same_run(got, want)
    assert got["config"]["sync_batch_norm"] is True
    import lucidnet

    model = lucidnet.load(tmp_path / "two" / "model.npz")  # plain BatchNorm layers inside
    kinds = {type(m).__name__ for m in model.modules()}
    assert "BatchNorm1d" in kinds and "SyncBatchNorm" not in kinds


@pytest.mark.slow
def test_sigterm_to_mpirun_saves_one_checkpoint_then_resume(tmp_path):
    proc = subprocess.Popen([str(MPIRUN), "-n", "2", str(LUCIDNET), "train", "--epochs", "500",
                             "--out", "run", *FAST], cwd=tmp_path, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(600):   # the first checkpoint: training is under way
            if (tmp_path / "run" / "last.npz").exists():
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, stdout + stderr
    assert stdout.count("interrupted by SIGTERM") == 1
    from lucidnet.train import read_checkpoint

    state = read_checkpoint(tmp_path / "run" / "last.npz")
    done = state["trainer"]["epoch"]
    assert 1 <= done < 500
    assert state["metadata"]["interrupted_by"] == "SIGTERM"
    ok(train(tmp_path, "--resume", "run", "--epochs", str(done + 1), "--quiet"))
    assert read(tmp_path / "run")["metrics"]["epochs_run"] == done + 1
