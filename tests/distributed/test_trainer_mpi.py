"""Trainer.fit over MPI (issue 11): ``mpirun -n 2`` (and 3) against one process, float64.

The worker (``_trainer_worker.py``) trains the same float64 problem under ``mpirun`` and in one
process; the 2-rank weights, history and metrics must equal the one-process ones to rtol 1e-10
(SGD with momentum and Adam, an L2 penalty, an uneven last batch of 2 samples = shards of 1 and
1, or 1, 1 and 0 over 3 ranks), and every rank must end with the same weights.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("mpi4py")

HERE = Path(__file__).resolve().parent
WORKER = HERE / "_trainer_worker.py"
MPIRUN = Path(sys.executable).with_name("mpirun")
if not MPIRUN.exists():
    pytest.skip("no mpirun next to the Python interpreter (pip install mpich)",
                allow_module_level=True)


def _env(**extra) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env.update(extra)
    return env


def mpirun(n: int, scenario: str, out: Path, timeout: float = 90, check: bool = True, **env):
    proc = subprocess.run([str(MPIRUN), "-n", str(n), sys.executable, str(WORKER), scenario,
                           str(out)], capture_output=True, text=True, timeout=timeout,
                          env=_env(**env))
    if check:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def alone(scenario: str, out: Path, **env):
    """The one-process reference, in a process of its own (no MPI launcher: no group)."""
    proc = subprocess.run([sys.executable, str(WORKER), scenario, str(out)], capture_output=True,
                          text=True, timeout=90, env=_env(**env))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def launch(scenario: str, out: Path) -> subprocess.Popen:
    return subprocess.Popen([str(MPIRUN), "-n", "2", sys.executable, str(WORKER), scenario,
                             str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            bufsize=0, env=_env())


def ready_lines(proc: subprocess.Popen, count: int, timeout: float = 60) -> list[str]:
    """The worker's first ``count`` "READY rank pid" lines (read without blocking forever)."""
    # the ranks share mpirun's stdout: their lines may interleave ("READY 0 11READY 1 12\n\n"),
    # so the records are found by pattern, not by line
    pattern = re.compile(rb"READY (\d+) (\d+)(?=\D)")
    text, deadline = b"", time.monotonic() + timeout
    while len(pattern.findall(text)) < count:
        left = deadline - time.monotonic()
        assert left > 0, f"no READY from the workers in {timeout} s: {text!r}"
        if select.select([proc.stdout], [], [], left)[0]:
            chunk = os.read(proc.stdout.fileno(), 4096)
            assert chunk, f"the workers ended early: {text!r} {proc.stderr.read()!r}"
            text += chunk
    return [f"READY {int(r)} {int(pid)}" for r, pid in pattern.findall(text)]


def load(path: Path) -> dict:
    with np.load(path) as f:
        out = {k: f[k] for k in f.files}
    out["history"] = json.loads(str(out["history"]))
    return out


def assert_same_training(got: dict, want: dict, rtol: float) -> None:
    weights = [k for k in want if k.startswith("w/")]
    assert weights and sorted(weights) == sorted(k for k in got if k.startswith("w/"))
    for k in weights:
        np.testing.assert_allclose(got[k], want[k], rtol=rtol, atol=0, err_msg=k)
    assert got["history"]["epoch"] == want["history"]["epoch"]
    assert got["history"]["history"].keys() == want["history"]["history"].keys()
    for name, values in want["history"]["history"].items():
        np.testing.assert_allclose(got["history"]["history"][name], values, rtol=rtol,
                                   atol=1e-15, err_msg=name)


def assert_ranks_identical(out: Path, world: int) -> None:
    """Every rank ends with bit-identical weights and the same history."""
    first = load(Path(f"{out}.rank0.npz"))
    for r in range(1, world):
        other = load(Path(f"{out}.rank{r}.npz"))
        for k in first:
            if k.startswith("w/"):
                np.testing.assert_array_equal(other[k], first[k], err_msg=f"rank {r}: {k}")
        assert other["history"] == first["history"]


@pytest.mark.parametrize("scenario", ["sgd", "adam"])
def test_two_ranks_equal_one_process(tmp_path, scenario):
    alone(scenario, tmp_path / "one.npz")
    mpirun(2, scenario, tmp_path / "two.npz")
    want, got = load(tmp_path / "one.npz"), load(tmp_path / "two.npz")
    assert_same_training(got, want, rtol=1e-10)
    assert_ranks_identical(tmp_path / "two.npz", 2)
    hist = got["history"]["history"]
    assert len(got["history"]["epoch"]) == 3 and "val_loss" in hist and "accuracy" in hist
    # the run learned something, so equality is not of two untouched models
    assert hist["loss"][-1] < hist["loss"][0]


def test_three_ranks_with_an_empty_shard(tmp_path):
    # 50 samples, batches of 16: the last batch of 2 leaves rank 2 nothing to compute
    alone("sgd", tmp_path / "one.npz")
    mpirun(3, "sgd", tmp_path / "three.npz")
    assert_same_training(load(tmp_path / "three.npz"), load(tmp_path / "one.npz"), rtol=1e-10)
    assert_ranks_identical(tmp_path / "three.npz", 3)


def test_weighted_cross_entropy_with_ignore_index(tmp_path):
    # the class weights and the ignored class make each shard's share of the mean unequal to
    # its sample count; batches of 7 end with one sample (an empty shard on rank 1)
    alone("weighted", tmp_path / "one.npz")
    mpirun(2, "weighted", tmp_path / "two.npz")
    assert_same_training(load(tmp_path / "two.npz"), load(tmp_path / "one.npz"), rtol=1e-10)


def test_data_loader_batches_are_sharded(tmp_path):
    alone("loader", tmp_path / "one.npz")
    mpirun(2, "loader", tmp_path / "two.npz")
    assert_same_training(load(tmp_path / "two.npz"), load(tmp_path / "one.npz"), rtol=1e-10)
    assert_ranks_identical(tmp_path / "two.npz", 2)


@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["sampler", "augment"])
def test_distributed_sampler_and_augmentation(tmp_path, scenario):
    """A DistributedSampler loader: each rank's batches are its own share of the global one;
    a random transform: applied to the global batch on every rank (same draws as alone)."""
    alone(scenario, tmp_path / "one.npz")
    mpirun(2, scenario, tmp_path / "two.npz")
    assert_same_training(load(tmp_path / "two.npz"), load(tmp_path / "one.npz"), rtol=1e-10)
    assert_ranks_identical(tmp_path / "two.npz", 2)


@pytest.mark.slow
def test_callbacks_decide_alike_and_rank_zero_alone_writes_and_prints(tmp_path):
    """EarlyStopping (restoring the best weights), ReduceLROnPlateau, a CSVLogger whose file
    name holds the rank, and a second fit that continues: as in one process."""
    alone("callbacks", tmp_path / "one.npz")
    two = mpirun(2, "callbacks", tmp_path / "two.npz")
    got, want = load(tmp_path / "two.npz"), load(tmp_path / "one.npz")
    assert_same_training(got, want, rtol=1e-10)
    assert_ranks_identical(tmp_path / "two.npz", 2)
    assert int(got["stopped"]) == int(want["stopped"]) > 0
    lr = got["history"]["history"]["lr"]
    assert lr[-1] < lr[0]                        # the plateau schedule acted
    assert two.stdout.count("early stopping") == 2   # once per fit: rank 0 only
    assert Path(f"{tmp_path / 'two.npz'}.log0.csv").exists()
    assert not Path(f"{tmp_path / 'two.npz'}.log1.csv").exists()


def test_resume_a_two_rank_checkpoint_on_one_rank(tmp_path):
    """2 epochs on 2 ranks, then epochs 3-4 on one process = 4 epochs on one process."""
    mpirun(2, "first", tmp_path / "first.npz")
    ckpt = Path(f"{tmp_path / 'first.npz'}.ckpt.npz")
    # rank 0 alone wrote the checkpoint (the worker's own files aside)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "first.npz", "first.npz.ckpt.npz", "first.npz.rank0.npz", "first.npz.rank1.npz"]
    alone("resume", tmp_path / "resumed.npz", RESUME_FROM=str(ckpt))
    alone("straight", tmp_path / "straight.npz")
    got, want = load(tmp_path / "resumed.npz"), load(tmp_path / "straight.npz")
    assert got["history"]["epoch"] == [0, 1, 2, 3]
    assert_same_training(got, want, rtol=1e-10)
    # and the other way: a one-process checkpoint resumed on 2 ranks
    alone("first", tmp_path / "first1.npz")
    mpirun(2, "resume", tmp_path / "resumed2.npz",
           RESUME_FROM=f"{tmp_path / 'first1.npz'}.ckpt.npz")
    assert_same_training(load(tmp_path / "resumed2.npz"), want, rtol=1e-10)


def test_nan_on_one_rank_stops_every_rank(tmp_path):
    # rank 1 alone produces NaN at its 5th step (epoch 2, batch 1); one process poisoned at the
    # same step is the reference for the weights kept
    proc = mpirun(2, "nan", tmp_path / "two.npz", timeout=60)
    alone("nan", tmp_path / "one.npz", POISON_RANK="0")
    assert_ranks_identical(tmp_path / "two.npz", 2)
    ranks = [load(Path(f"{tmp_path / 'two.npz'}.rank{r}.npz")) for r in (0, 1)]
    for r, got in enumerate(ranks):
        assert bool(got["diverged"])
        assert str(got["divergence"]).startswith("training diverged at epoch 2, batch 1")
        assert got["history"]["epoch"] == [0]
        assert int(got["warned"]) == (1 if r == 0 else 0)   # only rank 0 warns
    assert_same_training(ranks[0], load(tmp_path / "one.npz"), rtol=1e-10)
    assert "diverged" not in proc.stdout


def test_sync_batch_norm_two_ranks_equal_one_process_batch_norm(tmp_path):
    from lucidnet import nn

    if not hasattr(nn, "SyncBatchNorm"):
        pytest.skip("nn.SyncBatchNorm is not there yet")
    alone("bn", tmp_path / "one.npz")           # plain BatchNorm on the whole batch
    mpirun(2, "syncbn", tmp_path / "two.npz")   # SyncBatchNorm over shards of 8 (last: 2)
    assert_same_training(load(tmp_path / "two.npz"), load(tmp_path / "one.npz"), rtol=1e-10)
    assert_ranks_identical(tmp_path / "two.npz", 2)


def test_plain_batch_norm_differs_from_one_process_as_documented(tmp_path):
    """Plain BatchNorm normalizes each shard by itself; every rank keeps rank 0's running
    statistics (identical weights and buffers on every rank)."""
    alone("bn", tmp_path / "one.npz")
    mpirun(2, "bn", tmp_path / "two.npz")
    assert_ranks_identical(tmp_path / "two.npz", 2)   # running stats included
    one, two = load(tmp_path / "one.npz"), load(tmp_path / "two.npz")
    assert any("running_mean" in k for k in two)
    # shard statistics: a different (still sensible) training, not the one-process one
    assert not np.allclose(two["w/0.weight"], one["w/0.weight"], rtol=1e-6)
    assert np.isfinite(two["history"]["history"]["loss"]).all()


def test_refusals_stop_every_rank_with_the_reason(tmp_path):
    proc = mpirun(2, "bn1", tmp_path / "x.npz", check=False, timeout=60)
    assert proc.returncode != 0
    assert "leaves one rank a single sample, which BatchNorm cannot normalize" in proc.stderr
    proc = mpirun(2, "mismatch", tmp_path / "y.npz", check=False, timeout=60)
    assert proc.returncode != 0
    assert "rank 1 differs from rank 0 in sum of X" in proc.stderr
    proc = mpirun(2, "ddp", tmp_path / "z.npz", check=False, timeout=60)
    assert proc.returncode != 0
    assert "DistributedDataParallel would average them a second time" in proc.stderr
    assert not list(tmp_path.iterdir())


def test_sigterm_to_mpirun_saves_one_checkpoint_and_stops_every_rank(tmp_path):
    """MPICH's mpirun (hydra) passes SIGTERM on to every rank; each finishes its epoch, the
    ranks agree to stop after it and rank 0 writes the checkpoint."""
    out = tmp_path / "sig.npz"
    proc = launch("sigterm", out)
    try:
        ready_lines(proc, 1)   # the first epoch is done
        time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, (stdout + stderr).decode()
    ranks = [load(Path(f"{out}.rank{r}.npz")) for r in (0, 1)]
    assert ranks[0]["history"]["epoch"] == ranks[1]["history"]["epoch"]
    assert 1 < len(ranks[0]["history"]["epoch"]) < 200
    for got in ranks:
        assert bool(got["interrupted"]) and str(got["signal"]) == "SIGTERM"
    ckpt = Path(f"{out}.ckpt.npz")
    assert ckpt.exists()
    from lucidnet.train import read_checkpoint

    state = read_checkpoint(ckpt)
    assert state["metadata"]["interrupted_by"] == "SIGTERM"
    assert state["trainer"]["epoch"] == len(ranks[0]["history"]["epoch"])
    np.testing.assert_array_equal(state["state_dict"]["0.weight"], ranks[0]["w/0.weight"])


def test_a_rank_that_dies_ends_the_job_in_bounded_time(tmp_path):
    """SIGKILL to rank 1 in the middle of training: mpirun (hydra) ends the whole job with an
    error at once; rank 0 does not wait forever in the next all_reduce."""
    proc = launch("sigterm", tmp_path / "x.npz")
    try:
        pids = {int(r): int(pid) for _, r, pid in (line.split() for line in
                                                   ready_lines(proc, 2))}
        os.kill(pids[1], signal.SIGKILL)
        start = time.monotonic()
        stdout, stderr = proc.communicate(timeout=60)
        took = time.monotonic() - start
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    said = f"rc={proc.returncode} after {took:.1f} s: {stdout!r} {stderr!r}"
    assert took < 30 and proc.returncode != 0, said
    assert not Path(f"{tmp_path / 'x.npz'}").exists(), said


# ---------------------------------------------------------------- one process, no MPI
def test_one_process_fit_never_imports_mpi4py(tmp_path):
    code = ("import sys, numpy as np\n"
            "from lucidnet import nn, optim\n"
            "from lucidnet.train import Trainer\n"
            "m = nn.Linear(3, 2)\n"
            "t = Trainer(m, 'cross_entropy', optim.SGD(m.parameters(), lr=0.1), verbose=0)\n"
            "t.fit(np.random.rand(20, 3), np.arange(20) % 2, epochs=2, batch_size=8)\n"
            "assert 'mpi4py' not in sys.modules, 'mpi4py imported'\n"
            "assert 'lucidnet.distributed' not in sys.modules\n"
            "assert (t.global_rank, t.world_size, t.is_global_zero) == (0, 1, True)\n")
    env = {k: v for k, v in _env().items() if not k.startswith(("PMI_", "OMPI_", "PMIX_"))}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr


def test_distributed_flag_without_a_group():
    from lucidnet import nn, optim
    from lucidnet.train import Trainer

    m = nn.Linear(3, 2)
    t = Trainer(m, "cross_entropy", optim.SGD(m.parameters(), lr=0.1), verbose=0)
    X, y = np.random.rand(10, 3).astype(np.float32), np.arange(10) % 2
    with pytest.raises(RuntimeError, match="init_process_group"):
        t.fit(X, y, epochs=1, distributed=True)
    with pytest.raises(TypeError, match="distributed must be None"):
        t.fit(X, y, epochs=1, distributed="yes")
    before = m.weight.data.copy()
    t.fit(X, y, epochs=1, distributed=False)    # one process, as always
    assert not np.array_equal(before, m.weight.data)
