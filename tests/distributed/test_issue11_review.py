"""Issue 11 review: PyTorch DDP programs as people write them, ported to lucidnet.

The PyTorch DDP tutorial's ``demo_basic`` / ``demo_checkpoint`` pattern on the CPU
(``init_process_group("gloo")``, DDP, DistributedSampler + set_epoch, rank 0 saves, barrier,
every rank loads with ``map_location``, ``all_reduce`` of the loss for logging, ``no_sync``
accumulation, SyncBatchNorm then DDP), and the corners: frozen parameters, tied weights, an
Embedding, two backwards before a step, a second backward through one forward
(``retain_graph``), eval / no_grad forwards, save -> load of a DDP state dict, copy.deepcopy and
pickle of a wrapped module and of the wrapper. float64 throughout; one ``mpirun -n 2`` per test.
"""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import lucidnet as ln
import lucidnet.distributed as dist
from lucidnet import nn
from tests.distributed.mpi_helpers import run_mpi

COMMON = r'''
ln.set_default_dtype(np.float64)
DDP = nn.parallel.DistributedDataParallel
rng = np.random.default_rng(RANK)


def mean_over_ranks(a):
    a = np.array(a, dtype=float)
    dist.all_reduce(a)
    return a / WORLD


def grads_match(ddp, ref):
    """ddp's (averaged) gradients == the mean over ranks of ref's local gradients."""
    return [bool(np.allclose(p.grad.data, mean_over_ranks(q.grad.data), rtol=1e-12, atol=1e-15))
            for p, q in zip(ddp.parameters(), ref.parameters())]
'''


def test_tutorial_demo_checkpoint_on_gloo(tmp_path):
    """The tutorial's program, `torch` -> `lucidnet`, on the CPU backend name "gloo"."""
    body = r'''
    import lucidnet as torch
    import lucidnet.optim as optim
    from lucidnet.nn.parallel import DistributedDataParallel as DDP
    from lucidnet.utils.data import DataLoader, TensorDataset
    from lucidnet.utils.data.distributed import DistributedSampler

    dist.destroy_process_group()
    backend = "nccl" if torch.cuda.is_available() else "gloo"
    dist.init_process_group(backend, rank=RANK, world_size=WORLD)
    out = {"backend": dist.get_backend(), "gloo": dist.is_gloo_available()}

    class ToyModel(nn.Module):
        def __init__(self):
            super(ToyModel, self).__init__()
            self.net1 = nn.Linear(10, 10)
            self.relu = nn.ReLU()
            self.net2 = nn.Linear(10, 5)

        def forward(self, x):
            return self.net2(self.relu(self.net1(x)))

    torch.manual_seed(RANK)                       # different initial weights on each rank
    ddp_model = DDP(ToyModel().double())
    loss_fn = nn.MSELoss()
    optimizer = optim.SGD(ddp_model.parameters(), lr=0.01)
    path = os.path.join(OUT, "model.checkpoint")
    if dist.get_rank() == 0:
        torch.save(ddp_model.state_dict(), path)
    dist.barrier()
    ddp_model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    g = torch.Generator().manual_seed(0)
    ds = TensorDataset(torch.randn(40, 10, generator=g, dtype=torch.float64),
                       torch.randn(40, 5, generator=g, dtype=torch.float64))
    sampler = DistributedSampler(ds, shuffle=True, seed=3)
    loader = DataLoader(ds, batch_size=5, sampler=sampler)
    logged = []
    for epoch in range(2):
        sampler.set_epoch(epoch)
        for x, y in loader:
            optimizer.zero_grad()
            loss = loss_fn(ddp_model(x), y)
            loss.backward()
            optimizer.step()
            total = loss.detach().clone()
            dist.all_reduce(total, op=dist.ReduceOp.SUM)
            logged.append(total.item() / dist.get_world_size())
    out["logged"] = logged
    out["w"] = {k: np.array(v) for k, v in ddp_model.module.state_dict().items()}
    report(**out)
    '''
    results = run_mpi(body, n=2, tmp_path=tmp_path, prelude=COMMON).results
    for res in results:
        assert res["backend"] == "mpi" and res["gloo"] is True
        assert res["logged"] == results[0]["logged"] and len(res["logged"]) == 8
        for k, v in res["w"].items():
            np.testing.assert_array_equal(v, results[0]["w"][k])


def test_backend_names_in_one_process(tmp_path):
    """'gloo' (and torch's 'cpu:gloo,cuda:nccl') run on MPI; 'nccl' names what to write."""
    body = r'''
    out = {}
    dist.destroy_process_group()
    for backend in ("gloo", "GLOO", "cpu:gloo,cuda:nccl", "mpi", None):
        dist.init_process_group(backend)
        out[str(backend)] = dist.get_backend()
        dist.destroy_process_group()
    for backend in ("nccl", "ucc", "cuda:nccl", 3):
        try:
            dist.init_process_group(backend)
            out[str(backend)] = None
        except (ValueError, TypeError) as err:
            out[str(backend)] = str(err)
    report(**out)
    '''
    out = run_mpi(body, tmp_path=tmp_path, launcher=False).results[0]
    for ok in ("gloo", "GLOO", "cpu:gloo,cuda:nccl", "mpi", "None"):
        assert out[ok] == "mpi"
    assert "NCCL" in out["nccl"] and "'gloo'" in out["nccl"] and "CPU" in out["nccl"]
    assert out["ucc"] is not None and "'mpi'" in out["ucc"]
    assert "no CPU backend" in out["cuda:nccl"] and "gloo" in out["cuda:nccl"]
    assert out["3"] is not None


def test_ddp_corners(tmp_path):
    body = r'''
    out = {}
    mlp = lambda: nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))

    # frozen parameter: no gradient, not reduced; the others averaged; a second step works
    ln.manual_seed(0); m = mlp(); m[0].weight.requires_grad_(False); ddp = DDP(m)
    ln.manual_seed(0); ref = mlp(); ref[0].weight.requires_grad_(False)
    x = ln.tensor(rng.normal(size=(5, 3)))
    ddp(x).sum().backward(); ref(x).sum().backward()
    out["frozen_none"] = ddp.module[0].weight.grad is None
    out["frozen"] = [bool(np.allclose(p.grad.data, mean_over_ranks(q.grad.data)))
                     for p, q in zip(list(ddp.parameters())[1:], list(ref.parameters())[1:])]
    ddp(x).sum().backward()

    # tied weights (Embedding + output layer share one Parameter), twice
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(7, 4)
            self.out = nn.Linear(4, 7, bias=False)
            self.out.weight = self.emb.weight

        def forward(self, idx):
            return self.out(self.emb(idx))

    ln.manual_seed(1); ddp = DDP(Tied()); ln.manual_seed(1); ref = Tied()
    idx = ln.tensor(rng.integers(0, 7, size=(6,)))
    ddp(idx).sum().backward(); ref(idx).sum().backward()
    out["tied"] = grads_match(ddp, ref)
    out["tied_params"] = len(list(ddp.parameters()))

    # two backwards (two forwards) before a step: the sum of the two averages
    ln.manual_seed(3); ddp = DDP(mlp()); ln.manual_seed(3); ref = mlp()
    for _ in range(2):
        x = ln.tensor(rng.normal(size=(5, 3)))
        ddp(x).sum().backward(); ref(x).sum().backward()
    out["two"] = grads_match(ddp, ref)

    # a second backward through one forward: refused (it would not be averaged) ...
    ln.manual_seed(3); ddp = DDP(mlp())
    loss = ddp(x).sum()
    loss.backward(retain_graph=True)
    first = [p.grad.data.copy() for p in ddp.parameters()]
    try:
        loss.backward()
        out["retain"] = None
    except RuntimeError as err:
        out["retain"] = str(err)
    # ... then a new forward and backward work as usual
    for p in ddp.parameters():
        p.grad = None
    ddp(x).sum().backward()
    out["after"] = [bool(np.allclose(p.grad.data, f)) for p, f in zip(ddp.parameters(), first)]
    # ... and inside no_sync, a second backward accumulates locally on purpose
    ln.manual_seed(3); ddp = DDP(mlp()); ln.manual_seed(3); ref = mlp()
    with ddp.no_sync():
        loss = ddp(x).sum()
        loss.backward(retain_graph=True)
        loss.backward()
    loss = ref(x).sum(); loss.backward(retain_graph=True); loss.backward()
    out["no_sync_retain"] = [bool(np.allclose(p.grad.data, q.grad.data))
                             for p, q in zip(ddp.parameters(), ref.parameters())]

    # eval mode and no_grad forwards, then training goes on
    ln.manual_seed(4)
    ddp = DDP(nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 1)))
    ddp.eval()
    ddp(x)
    with ln.no_grad():
        ddp(x)
    ddp.train()
    ddp(x).sum().backward()
    out["eval_then_train"] = ddp.module.training and all(
        np.isfinite(p.grad.data).all() for p in ddp.parameters())
    report(**out)
    '''
    for res in run_mpi(body, n=2, tmp_path=tmp_path, prelude=COMMON).results:
        assert res["frozen_none"] and all(res["frozen"])
        assert all(res["tied"]) and res["tied_params"] == 1
        assert all(res["two"])
        assert res["retain"] is not None and "second backward" in res["retain"]
        assert "no_sync" in res["retain"]
        assert all(res["after"]) and all(res["no_sync_retain"])
        assert res["eval_then_train"]


def test_copy_and_pickle_of_a_wrapped_model(tmp_path):
    """copy.deepcopy / pickle of ddp.module (EMA, best-model copies) and of the wrapper itself,
    as PyTorch allows; the copies never feed the original wrapper's buckets."""
    body = r'''
    import copy, pickle
    out = {}
    ln.manual_seed(5)
    ddp = DDP(nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1)))
    x = ln.tensor(rng.normal(size=(5, 3)))
    best = copy.deepcopy(ddp.module)
    again = pickle.loads(pickle.dumps(ddp.module))
    y = ddp(x).sum()          # the wrapper expects a synchronized backward now
    best(x).sum().backward()  # a local backward of the copy: its own gradients only
    again(x).sum().backward()
    ln.manual_seed(5)
    plain = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    plain(x).sum().backward()
    out["copy_local"] = [bool(np.allclose(p.grad.data, q.grad.data))
                         for m in (best, again) for p, q in zip(m.parameters(), plain.parameters())]
    y.backward()
    out["ddp"] = grads_match(ddp, plain)
    # the wrapper itself: a working DDP over the default group (no collective while copying)
    twin = copy.deepcopy(ddp)
    for p in twin.parameters():
        p.grad = None
    twin(x).sum().backward()
    out["twin"] = grads_match(twin, plain)
    out["twin_apart"] = all(p is not q for p, q in zip(twin.parameters(), ddp.parameters()))
    thawed = pickle.loads(pickle.dumps(ddp))
    for p in thawed.parameters():
        p.grad = None
    thawed(x).sum().backward()
    out["thawed"] = grads_match(thawed, plain)
    # the original still works after all that
    for p in ddp.parameters():
        p.grad = None
    ddp(x).sum().backward()
    out["original"] = grads_match(ddp, plain)
    report(**out)
    '''
    for res in run_mpi(body, n=2, tmp_path=tmp_path, prelude=COMMON).results:
        for key in ("copy_local", "ddp", "twin", "thawed", "original"):
            assert all(res[key]), (key, res[key])
        assert res["twin_apart"]


def test_pickle_of_a_wrapper_needs_the_default_group():
    """Without a process group a DDP cannot be rebuilt: the error says what to save instead."""
    assert not dist.is_initialized()
    with pytest.raises(ValueError, match="init_process_group"):
        nn.parallel.DistributedDataParallel(nn.Linear(2, 2))
    # a module never wrapped pickles and copies as before
    m = nn.Linear(2, 2)
    assert isinstance(copy.deepcopy(m), nn.Linear)
    assert isinstance(pickle.loads(pickle.dumps(m)), nn.Linear)
    assert ln.tensor(1.0) is not None


def test_a_collective_on_one_rank_only_is_explained(tmp_path):
    """``if rank == 0: ddp(x_val)`` (its forward broadcasts buffers) while rank 1 goes on to a
    barrier: MPI reports mismatched collectives; the error says what usually causes it."""
    body = r'''
    ln.manual_seed(0)
    ddp = DDP(nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 1)))
    ddp(ln.tensor(rng.normal(size=(6, 3)))).sum().backward()
    if RANK == 0:
        ddp.eval()
        with ln.no_grad():
            ddp(ln.tensor(rng.normal(size=(4, 3))))
    dist.barrier()
    dist.broadcast(np.zeros(3), src=1)
    report(ok=True)
    '''
    res = run_mpi(body, n=2, tmp_path=tmp_path, prelude=COMMON, check=False, timeout=60)
    assert res.returncode != 0 and res.seconds < 30
    assert "same collectives in the same order" in res.output, res.output[-3000:]
    assert "ddp.module" in res.output


def test_fit_with_sync_batch_norm_on_three_ranks_of_a_tiny_batch(tmp_path):
    """mpirun -n 3, global batches of 2 (one rank's shard is empty) and a last batch of one
    (joined to the one before, as in one process): SyncBatchNorm over MPI gives the weights and
    history of BatchNorm in one process (it hung: the Trainer did not see the SyncBatchNorm, so
    the rank with an empty shard skipped the forward that the others synchronized in)."""
    body = r'''
    from lucidnet.train import Trainer

    rng = np.random.default_rng(0)
    X = rng.normal(size=(7, 4)); y = (X[:, 0] > 0).astype(np.int64)

    def fit(sync, distributed):
        ln.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Tanh(), nn.Linear(8, 2))
        if sync:
            model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
        t = Trainer(model, nn.CrossEntropyLoss(), ln.optim.SGD(model.parameters(), lr=0.1),
                    metrics=["accuracy"], verbose=0)
        h = t.fit(X, y, epochs=2, batch_size=2, validation_split=0.25, seed=0,
                  distributed=distributed)
        return {k: np.array(v) for k, v in model.state_dict().items()}, h.to_dict()

    got, hist = fit(True, None)
    want, want_hist = fit(False, False)   # this process alone, plain BatchNorm
    report(got=got, want=want, hist=hist, want_hist=want_hist)
    '''
    for res in run_mpi(body, n=3, tmp_path=tmp_path, prelude=COMMON, timeout=60).results:
        for k, v in res["want"].items():
            np.testing.assert_allclose(res["got"][k], v, rtol=1e-10, atol=1e-13, err_msg=k)
        for k, v in res["want_hist"]["history"].items():
            np.testing.assert_allclose(res["hist"]["history"][k], v, rtol=1e-10, err_msg=k)


def test_torchrun_variables_under_mpirun(tmp_path):
    """torchrun-style scripts read RANK / WORLD_SIZE / LOCAL_RANK / LOCAL_WORLD_SIZE from the
    environment: under mpirun, importing lucidnet.distributed sets them from the launcher's."""
    body = r'''
    report(env=[int(os.environ[k]) for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK",
                                             "LOCAL_WORLD_SIZE")], rank=RANK)
    '''
    for r, res in enumerate(run_mpi(body, n=2, tmp_path=tmp_path).results):
        assert res["env"] == [r, 2, r, 2] and res["rank"] == r


def test_torchrun_variables_are_only_defaults(monkeypatch):
    from lucidnet.distributed import process_group as pgm

    for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "PMI_RANK", "PMI_SIZE",
              "MPI_LOCALRANKID", "MPI_LOCALNRANKS", "OMPI_COMM_WORLD_RANK", "PMIX_RANK",
              "MV2_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK",
              "OMPI_COMM_WORLD_LOCAL_SIZE", "MV2_COMM_WORLD_SIZE", "SLURM_LOCALID"):
        monkeypatch.setenv(k, "x")  # recorded, so whatever the test sets is undone after it
        monkeypatch.delenv(k)
    pgm.export_torchrun_env()
    assert "RANK" not in __import__("os").environ  # no launcher: nothing set
    monkeypatch.setenv("OMPI_COMM_WORLD_RANK", "3")
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "4")
    monkeypatch.setenv("OMPI_COMM_WORLD_LOCAL_RANK", "1")
    monkeypatch.setenv("OMPI_COMM_WORLD_LOCAL_SIZE", "2")
    monkeypatch.setenv("RANK", "3")  # a value already there is kept
    pgm.export_torchrun_env()
    env = __import__("os").environ
    assert (env["RANK"], env["WORLD_SIZE"], env["LOCAL_RANK"], env["LOCAL_WORLD_SIZE"]) == \
        ("3", "4", "1", "2")
