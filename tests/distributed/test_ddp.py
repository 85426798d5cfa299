"""nn.parallel.DistributedDataParallel over MPI (issue 11), float64.

2 (and 3) ranks x B/R samples after several SGD / Adam steps give the weights of one process
x B (rtol 1e-10), with one bucket, one bucket per parameter and gradient_as_bucket_view; rank
0's initial weights and buffers reach every rank; no_sync accumulates locally and the next
synchronized backward averages the sums; buffers are broadcast before each forward;
find_unused_parameters, and the error without it; state_dict keys; clear errors.
"""

from __future__ import annotations

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn
from tests.distributed.mpi_helpers import run_mpi

COMMON = r'''
ln.set_default_dtype(np.float64)
DDP = nn.parallel.DistributedDataParallel


def make(seed):
    ln.manual_seed(seed)
    return nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 8), nn.ReLU(),
                         nn.Linear(8, 3))


def data(b=12, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(b, 5)), rng.normal(size=(b, 3))


def mse(model, x, y):
    return ((model(ln.tensor(x)) - ln.tensor(y)) ** 2).mean()


def weights(model):
    return {k: np.array(v) for k, v in model.state_dict().items()}
'''

TRAIN = COMMON + r'''
opt_name, cap, view = sys.argv[2], sys.argv[3], sys.argv[4] == "1"
kw = {} if cap == "default" else {"bucket_cap_mb": float(cap)}
ddp = DDP(make(100 + RANK), gradient_as_bucket_view=view, **kw)   # ranks seeded differently
start = weights(ddp.module)
ref = make(100)                                                   # rank 0's initial model
make_opt = {"sgd": lambda p: ln.optim.SGD(p, lr=0.1, momentum=0.9),
            "adam": lambda p: ln.optim.Adam(p, lr=0.01)}[opt_name]
opt, opt_ref = make_opt(ddp.parameters()), make_opt(ref.parameters())
for step in range(4):
    X, Y = data(seed=step)
    shard = np.array_split(np.arange(len(X)), WORLD)[RANK]
    opt.zero_grad(); mse(ddp, X[shard], Y[shard]).backward(); opt.step()
    opt_ref.zero_grad(); mse(ref, X, Y).backward(); opt_ref.step()
report(start=start, start_ref=weights(make(100)), got=weights(ddp.module), want=weights(ref),
       buckets=len(ddp._buckets), keys=list(ddp.state_dict()),
       grad_views=[np.shares_memory(p.grad.data, ddp._buckets[ddp._where[i][0]].buffer)
                   for i, (_, p) in enumerate(ddp._named_params)])
'''


@pytest.mark.parametrize("n,opt,cap,view", [
    (2, "sgd", "default", "0"), (2, "adam", "default", "0"), (2, "sgd", "0.0001", "0"),
    (2, "adam", "0.0001", "1"), (3, "sgd", "0.001", "0"), (3, "adam", "default", "1"),
])
def test_ddp_equals_one_process_on_the_whole_batch(tmp_path, n, opt, cap, view):
    results = run_mpi(TRAIN, n=n, tmp_path=tmp_path, args=(opt, cap, view)).results
    for r, res in enumerate(results):
        for k, want in res["want"].items():
            np.testing.assert_array_equal(res["start"][k], res["start_ref"][k])  # rank 0's
            np.testing.assert_allclose(res["got"][k], want, rtol=1e-10, atol=1e-14,
                                       err_msg=f"rank {r} {k}")
            np.testing.assert_array_equal(res["got"][k], results[0]["got"][k])  # all equal
        assert res["keys"][0] == "module.0.weight" and all(k.startswith("module.") for k in res["keys"])
        if cap == "default":
            assert res["buckets"] == 1
        else:
            assert res["buckets"] > 1
        assert all(res["grad_views"]) == (view == "1")


def test_no_sync_accumulates_then_averages(tmp_path):
    body = r'''
    ddp = DDP(make(7))
    ref = make(7)
    X, Y = data(b=8 * WORLD, seed=1)
    halves = np.array_split(np.arange(len(X)), 2)        # two micro-batches of the global batch
    local_after_first = None
    for k, half in enumerate(halves):
        mine = np.array_split(half, WORLD)[RANK]
        if k == 0:
            with ddp.no_sync():
                mse(ddp, X[mine], Y[mine]).backward()
            local_after_first = [p.grad.data.copy() for p in ddp.parameters()]
            ln.manual_seed(0)
            probe = make(7)
            mse(probe, X[mine], Y[mine]).backward()
            local_ref = [p.grad.data.copy() for p in probe.parameters()]
        else:
            mse(ddp, X[mine], Y[mine]).backward()
        mse(ref, X[half], Y[half]).backward()
    report(local=local_after_first, local_ref=local_ref,
           got=[p.grad.data.copy() for p in ddp.parameters()],
           want=[p.grad.data.copy() for p in ref.parameters()])
    '''
    results = run_mpi(body, n=2, tmp_path=tmp_path, prelude=COMMON).results
    for res in results:
        for a, b in zip(res["local"], res["local_ref"]):
            np.testing.assert_allclose(a, b, rtol=1e-12)  # inside no_sync: this rank's own
        for a, b in zip(res["got"], res["want"]):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-15)
    assert not np.allclose(results[0]["local"][0], results[1]["local"][0])


def test_initial_state_and_buffers_come_from_rank_0(tmp_path):
    body = r'''
    def bn_model(seed, broadcast):
        ln.manual_seed(seed)
        m = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 1))
        m[1].running_mean[:] = seed  # a rank-specific buffer before wrapping
        return DDP(m, broadcast_buffers=broadcast)

    out = {}
    for broadcast in (True, False):
        ddp = bn_model(50 + RANK, broadcast)
        everyone = [None] * WORLD
        dist.all_gather_object(everyone, weights(ddp.module))
        out[f"start{broadcast}"] = everyone
        rng = np.random.default_rng(RANK)
        stats = []
        for step in range(2):
            x = rng.normal(size=(6, 3)) + RANK
            ddp(ln.tensor(x)).sum().backward()
            stats.append(ddp.module[1].running_mean.copy())
        gathered = [None] * WORLD
        dist.all_gather_object(gathered, stats)
        h = ddp.module[0](ln.tensor(x)).data  # the last batch's features on this rank
        out[f"stats{broadcast}"], out[f"h{broadcast}"] = gathered, h
    report(**out)
    '''
    results = run_mpi(body, n=2, tmp_path=tmp_path, prelude=COMMON).results
    res = results[0]
    for broadcast in (True, False):
        start = res[f"start{broadcast}"]
        for k in start[0]:
            np.testing.assert_array_equal(start[1][k], start[0][k], err_msg=k)
        np.testing.assert_array_equal(start[0]["1.running_mean"], np.full(4, 50.0))
    # with broadcast_buffers the second forward starts from rank 0's statistics on every rank
    stats = res["statsTrue"]
    m = 0.1
    for r in range(2):
        h = results[r]["hTrue"]
        want = (1 - m) * stats[0][0] + m * h.mean(axis=0)
        np.testing.assert_allclose(stats[r][1], want, rtol=1e-12)
    # without it every rank keeps its own running statistics
    assert not np.allclose(res["statsFalse"][0][1], res["statsFalse"][1][1])


def test_find_unused_parameters(tmp_path):
    body = r'''
    class Branchy(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b, self.never = nn.Linear(3, 2), nn.Linear(3, 2), nn.Linear(3, 2)

        def forward(self, x, use_b):
            y = self.a(x)
            return y + self.b(x) if use_b else y

    def build(find):
        ln.manual_seed(3)
        return DDP(Branchy(), find_unused_parameters=find)

    out = {}
    x = ln.tensor(np.random.default_rng(RANK).normal(size=(4, 3)))
    ddp = build(True)
    ddp(x, use_b=(RANK == 0)).sum().backward()     # b used on rank 0 only; never: nowhere
    out["a"] = ddp.module.a.weight.grad.data.copy()
    out["b"] = ddp.module.b.weight.grad.data.copy()
    out["never"] = ddp.module.never.weight.grad
    ln.manual_seed(3)
    plain = Branchy()
    plain(x, use_b=(RANK == 0)).sum().backward()
    out["a_local"] = plain.a.weight.grad.data.copy()
    out["b_local"] = None if plain.b.weight.grad is None else plain.b.weight.grad.data.copy()
    ddp = build(False)
    ddp(x, use_b=True).sum().backward()            # 'never' gets no gradient: reduction unfinished
    try:
        ddp(x, use_b=True)
        out["error"] = None
    except RuntimeError as err:
        out["error"] = str(err)
    report(**out)
    '''
    results = run_mpi(body, n=2, tmp_path=tmp_path, prelude=COMMON).results
    a_mean = (results[0]["a_local"] + results[1]["a_local"]) / 2
    for res in results:
        np.testing.assert_allclose(res["a"], a_mean, rtol=1e-12)
        np.testing.assert_allclose(res["b"], results[0]["b_local"] / 2, rtol=1e-12)  # 0 on rank 1
        assert res["never"] is None  # no rank used it: no gradient, as PyTorch
        assert "find_unused_parameters=True" in res["error"] and "never.weight" in res["error"]
        assert "never.bias" in res["error"] and "a.weight" not in res["error"]


def test_ddp_errors_under_mpi(tmp_path):
    body = r'''
    out = {}
    try:
        DDP(nn.Linear(3, 2 + RANK))
    except ValueError as err:
        out["differ"] = str(err)
    frozen = nn.Linear(2, 2).requires_grad_(False)
    try:
        DDP(frozen)
    except RuntimeError as err:
        out["frozen"] = str(err)
    try:
        DDP(nn.Linear(2, 2), bucket_cap_mb=0)
    except ValueError as err:
        out["cap"] = str(err)
    try:
        DDP(nn.Linear(2, 2), mixed_precision=True)
    except TypeError as err:
        out["kw"] = str(err)
    changed = DDP(nn.Linear(2, 1))
    changed.float()  # float64 when wrapped (COMMON's default dtype)
    try:
        changed(ln.ones(3, 2, dtype=ln.float32)).sum().backward()
    except RuntimeError as err:
        out["dtype"] = str(err)
    ddp = DDP(nn.Linear(2, 1))
    with ln.no_grad():
        ddp(ln.ones(3, 2))                      # no backward expected: no error next time
    ddp(ln.ones(3, 2))
    ddp(ln.ones(3, 2)).sum().backward()
    out["ok"] = ddp.module.weight.grad.data.copy()
    out["repr"] = repr(ddp)
    report(**out)
    '''
    for res in run_mpi(body, n=2, tmp_path=tmp_path, prelude=COMMON).results:
        assert "rank 1 wraps a model whose parameters differ" in res["differ"]
        assert "doesn't have any parameter that requires a gradient" in res["frozen"]
        assert "bucket_cap_mb" in res["cap"] and "mixed_precision" in res["kw"]
        assert "before wrapping" in res["dtype"] and "'weight'" in res["dtype"]
        np.testing.assert_allclose(res["ok"], np.full((1, 2), 3.0))
        assert "DistributedDataParallel" in res["repr"] and "world_size=2" in res["repr"]


def test_ddp_refusals_in_one_process():
    with pytest.raises(RuntimeError, match="device_ids"):
        nn.parallel.DistributedDataParallel(nn.Linear(2, 2), device_ids=[0])
    with pytest.raises(ValueError, match="init_process_group"):
        nn.parallel.DistributedDataParallel(nn.Linear(2, 2))
    assert nn.parallel.DistributedDataParallel is not None
    assert ln.tensor(1.0) is not None


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_gradients_match_torch_ddp_over_gloo(tmp_path):
    """The same model, weights and shards under torch's DistributedDataParallel (gloo, CPU):
    the averaged gradients agree (float64), also after a no_sync micro-batch."""
    pytest.importorskip("torch")
    body = r'''
    import torch
    import torch.distributed as tdist
    tdist.init_process_group("gloo", rank=RANK, world_size=WORLD,
                             init_method=f"tcp://127.0.0.1:{sys.argv[2]}")
    ours = DDP(make(RANK))
    tmodel = torch.nn.Sequential(torch.nn.Linear(5, 16), torch.nn.Tanh(), torch.nn.Linear(16, 8),
                                 torch.nn.ReLU(), torch.nn.Linear(8, 3)).double()
    tmodel.load_state_dict({k: torch.tensor(np.array(v)) for k, v in
                            ours.module.state_dict().items()})
    theirs = torch.nn.parallel.DistributedDataParallel(tmodel)
    X, Y = data(b=8 * WORLD, seed=4)
    halves = np.array_split(np.arange(len(X)), 2)
    for k, half in enumerate(halves):
        mine = np.array_split(half, WORLD)[RANK]
        if k == 0:
            with ours.no_sync(), theirs.no_sync():
                mse(ours, X[mine], Y[mine]).backward()
                ((theirs(torch.tensor(X[mine])) - torch.tensor(Y[mine])) ** 2).mean().backward()
        else:
            mse(ours, X[mine], Y[mine]).backward()
            ((theirs(torch.tensor(X[mine])) - torch.tensor(Y[mine])) ** 2).mean().backward()
    report(ours=[p.grad.data.copy() for p in ours.parameters()],
           theirs=[p.grad.numpy().copy() for p in theirs.parameters()])
    tdist.destroy_process_group()
    '''
    results = run_mpi(body, n=2, tmp_path=tmp_path, prelude=COMMON, args=(_free_port(),),
                      timeout=240).results
    for res in results:
        for a, b in zip(res["ours"], res["theirs"]):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
