"""nn.SyncBatchNorm (issue 11): over R ranks it equals BatchNorm on the whole batch.

Under ``mpirun``: forward, input gradients, weight/bias gradients (summed over ranks), running
statistics, with even, uneven and empty per-rank batches, 1-d / 2-d / 3-d inputs, momentum None,
affine False, float32; a lockstep float64 finite-difference check across 2 ranks; DDP + SyncBN
training = one process with BatchNorm (rtol 1e-10) while DDP + plain BatchNorm differs.
In one process: SyncBatchNorm is BatchNorm exactly; gradcheck; convert_sync_batchnorm.
"""

from __future__ import annotations

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn
from tests.distributed.mpi_helpers import run_mpi

EQUAL = r'''
ln.set_default_dtype(np.float64)
out = {}
cases = {
    "2d_even": ((10, 3, 4, 2), [5, 5], {}),
    "2d_uneven": ((10, 3, 4, 2), [3, 7], {}),
    "1d_feat": ((9, 4), [2, 7], {}),
    "1d_seq": ((6, 2, 5), [4, 2], {"momentum": None}),
    "3d": ((4, 2, 3, 2, 2), [1, 3], {}),
    "noaffine": ((8, 3), [6, 2], {"affine": False}),
    "nostats": ((8, 3), [6, 2], {"track_running_stats": False}),
    "3rank": ((10, 3, 2, 2), [2, 0, 8], {}),
    "f32": ((12, 3, 2, 2), [5, 7], {"dtype": "float32"}),
}
for name, (shape, sizes, kw) in cases.items():
    if len(sizes) != WORLD:
        continue
    kw = dict(kw)
    dtype = np.dtype(kw.pop("dtype", "float64"))
    rng = np.random.default_rng(len(name))
    X = (rng.normal(size=shape) * 3 + 5).astype(dtype)
    V = rng.normal(size=shape).astype(dtype)
    idx = np.split(np.arange(shape[0]), np.cumsum(sizes)[:-1])[RANK]
    bn = {2: nn.BatchNorm1d, 3: nn.BatchNorm1d, 4: nn.BatchNorm2d}.get(len(shape))
    bn = bn(shape[1], dtype=dtype, **kw) if bn else None
    sbn = nn.SyncBatchNorm(shape[1], dtype=dtype, **kw)
    if sbn.affine:
        for m in (bn, sbn):
            if m is not None:
                m.weight.data[:] = np.arange(1, shape[1] + 1)
                m.bias.data[:] = 0.5
    res = {}
    for step in range(2):  # twice: the running statistics move on
        xs = ln.tensor(X[idx], requires_grad=True)
        ys = sbn(xs)
        (ys * ln.tensor(V[idx])).sum().backward()
        res[f"y{step}"] = ys.data.copy()
        res[f"gx{step}"] = xs.grad.data.copy()
    res["grad_fn"] = ys.grad_fn.name() if ys.grad_fn is not None else None
    if sbn.affine:
        gw, gb = sbn.weight.grad.data.copy(), sbn.bias.grad.data.copy()
        dist.all_reduce(gw); dist.all_reduce(gb)
        res["gw"], res["gb"] = gw, gb
    if sbn.track_running_stats:
        res["rm"], res["rv"] = sbn.running_mean.copy(), sbn.running_var.copy()
        res["nbt"] = int(sbn.num_batches_tracked)
    sbn.eval()  # (plain BatchNorm in evaluation cannot take an empty batch yet: skipped)
    res["eval"] = sbn(ln.tensor(X[idx])).data.copy() if len(idx) else np.zeros((0,) + shape[1:])
    res["idx"], res["X"], res["V"] = idx, X, V
    out[name] = res
report(**out)
'''


def reference(name, res, kw):
    """BatchNorm on the whole batch, in this process."""
    X, V = res["X"], res["V"]
    kw = dict(kw)
    kw.pop("dtype", None)
    bn = (nn.BatchNorm1d if X.ndim in (2, 3) else nn.BatchNorm2d)(X.shape[1], dtype=X.dtype,
                                                                  **kw) if X.ndim <= 4 else None
    if bn is None:  # 3 spatial axes: BatchNorm2d over a reshaped (N, C, H, W*D) view is the same
        bn = nn.BatchNorm2d(X.shape[1], dtype=X.dtype, **kw)
        X, V = X.reshape(X.shape[:3] + (-1,)), V.reshape(V.shape[:3] + (-1,))
    if bn.affine:
        bn.weight.data[:] = np.arange(1, X.shape[1] + 1)
        bn.bias.data[:] = 0.5
    want = {}
    for step in range(2):
        x = ln.tensor(X, requires_grad=True)
        y = bn(x)
        (y * ln.tensor(V)).sum().backward()
        want[f"y{step}"], want[f"gx{step}"] = y.data.reshape(res["X"].shape), \
            x.grad.data.reshape(res["X"].shape)
    if bn.affine:
        want["gw"], want["gb"] = bn.weight.grad.data, bn.bias.grad.data
    if bn.track_running_stats:
        want["rm"], want["rv"], want["nbt"] = bn.running_mean, bn.running_var, \
            int(bn.num_batches_tracked)
    bn.eval()
    want["eval"] = bn(ln.tensor(X)).data.reshape(res["X"].shape)
    return want


KWARGS = {"1d_seq": {"momentum": None}, "noaffine": {"affine": False},
          "nostats": {"track_running_stats": False}}


@pytest.fixture(scope="module", params=[2, 3])
def equal_runs(request, tmp_path_factory):
    return run_mpi(EQUAL, n=request.param, tmp_path=tmp_path_factory.mktemp("sbn")).results


def test_sync_batchnorm_equals_batchnorm_on_the_whole_batch(equal_runs):
    checked = 0
    for name in equal_runs[0]:
        want = reference(name, equal_runs[0][name], KWARGS.get(name, {}))
        tol = dict(rtol=1e-4, atol=1e-4) if name == "f32" else dict(rtol=1e-10, atol=1e-12)
        for r, results in enumerate(equal_runs):
            res = results[name]
            idx = res["idx"]
            for step in range(2):
                # the second step uses the accumulated gradients' update-free forward: the
                # same statistics, so the same output; the input gradients of each step
                np.testing.assert_allclose(res[f"y{step}"], want[f"y{step}"][idx], **tol,
                                           err_msg=f"{name} rank {r} y{step}")
                np.testing.assert_allclose(res[f"gx{step}"], want[f"gx{step}"][idx], **tol,
                                           err_msg=f"{name} rank {r} gx{step}")
            for key in ("gw", "gb", "rm", "rv"):
                if key in want:
                    np.testing.assert_allclose(res[key], want[key], **tol,
                                               err_msg=f"{name} rank {r} {key}")
            if "nbt" in want:
                assert res["nbt"] == want["nbt"] == 2
            if name == "nostats":  # in evaluation no synchronization (as PyTorch): local stats
                local = nn.BatchNorm1d(3, dtype=np.float64, track_running_stats=False)
                local.weight.data[:] = np.arange(1, 4)
                local.bias.data[:] = 0.5
                local.eval()
                if len(idx) > 1:
                    np.testing.assert_allclose(res["eval"], local(ln.tensor(res["X"][idx])).data,
                                               **tol)
            else:
                np.testing.assert_allclose(res["eval"], want["eval"][idx], **tol)
            assert res["grad_fn"] == "SyncBatchNormBackward" or len(idx) == 0
            checked += 1
    assert checked >= 2


def test_lockstep_finite_differences_across_ranks(tmp_path):
    """d(sum over ranks of sum(v * y)) / d(every rank's x, weight, bias) by central
    differences, every rank perturbing in step, against backward (float64)."""
    body = r'''
    ln.set_default_dtype(np.float64)
    rng = np.random.default_rng(RANK)
    x = rng.normal(size=(2 + RANK, 3, 2)) * 2 + RANK
    v = rng.normal(size=x.shape)
    sbn = nn.SyncBatchNorm(3)
    sbn.weight.data[:] = [0.5, 1.5, -2.0]
    sbn.bias.data[:] = [0.1, 0.2, 0.3]

    def global_loss():
        with ln.no_grad():
            total = np.array(float((sbn(ln.tensor(x)).data * v).sum()))
        dist.all_reduce(total)
        return float(total)

    xt = ln.tensor(x.copy(), requires_grad=True)
    (sbn(xt) * ln.tensor(v)).sum().backward()
    analytic = {"x": xt.grad.data.copy(), "w": sbn.weight.grad.data.copy(),
                "b": sbn.bias.grad.data.copy()}
    dist.all_reduce(analytic["w"]); dist.all_reduce(analytic["b"])
    sizes = [None] * WORLD
    dist.all_gather_object(sizes, x.size)
    eps = 1e-6
    numeric_x = np.zeros(x.size)
    for owner in range(WORLD):
        for i in range(sizes[owner]):
            flat = x.reshape(-1)
            if RANK == owner:
                old = flat[i]; flat[i] = old + eps
            plus = global_loss()
            if RANK == owner:
                flat[i] = old - eps
            minus = global_loss()
            if RANK == owner:
                flat[i] = old
                numeric_x[i] = (plus - minus) / (2 * eps)
    numeric = {"x": numeric_x.reshape(x.shape)}
    for key, p in (("w", sbn.weight), ("b", sbn.bias)):
        g = np.zeros(3)
        for c in range(3):
            old = p.data[c]
            p.data[c] = old + eps; plus = global_loss()
            p.data[c] = old - eps; minus = global_loss()
            p.data[c] = old
            g[c] = (plus - minus) / (2 * eps)
        numeric[key] = g
    report(analytic=analytic, numeric=numeric)
    '''
    for res in run_mpi(body, n=2, tmp_path=tmp_path).results:
        for key in ("x", "w", "b"):
            np.testing.assert_allclose(res["analytic"][key], res["numeric"][key], rtol=1e-6,
                                       atol=1e-7, err_msg=key)


TRAIN = r'''
ln.set_default_dtype(np.float64)
kind = sys.argv[2]


def make(norm):
    ln.manual_seed(11)
    return nn.Sequential(nn.Linear(4, 6), norm(6), nn.Tanh(), nn.Linear(6, 2))


rng = np.random.default_rng(0)
model = make(nn.BatchNorm1d)
if kind == "sync":
    model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
ddp = nn.parallel.DistributedDataParallel(model)
ref = make(nn.BatchNorm1d)
opt, opt_ref = (ln.optim.SGD(m.parameters(), lr=0.05, momentum=0.9) for m in (ddp, ref))
for step in range(5):
    X, Y = rng.normal(size=(12, 4)) + step, rng.normal(size=(12, 2))
    mine = np.array_split(np.arange(12), WORLD)[RANK]
    opt.zero_grad(); ((ddp(ln.tensor(X[mine])) - ln.tensor(Y[mine])) ** 2).mean().backward()
    opt.step()
    opt_ref.zero_grad(); ((ref(ln.tensor(X)) - ln.tensor(Y)) ** 2).mean().backward()
    opt_ref.step()
report(got={k: np.array(v) for k, v in ddp.module.state_dict().items()},
       want={k: np.array(v) for k, v in ref.state_dict().items()},
       kind=type(ddp.module[1]).__name__)
'''


def test_ddp_with_sync_batchnorm_trains_as_one_process(tmp_path):
    for res in run_mpi(TRAIN, n=2, tmp_path=tmp_path, args=("sync",)).results:
        assert res["kind"] == "SyncBatchNorm"
        for k, want in res["want"].items():
            np.testing.assert_allclose(res["got"][k], want, rtol=1e-10, atol=1e-13, err_msg=k)


def test_ddp_with_plain_batchnorm_differs_as_documented(tmp_path):
    """Plain BatchNorm normalizes each rank's half batch by its own statistics: the training
    differs from one process on the whole batch (use SyncBatchNorm to match it)."""
    results = run_mpi(TRAIN, n=2, tmp_path=tmp_path, args=("plain",)).results
    res = results[0]
    assert res["kind"] == "BatchNorm1d"
    diff = max(np.max(np.abs(res["got"][k] - res["want"][k])) for k in res["want"]
               if k.endswith("weight"))
    assert diff > 1e-4
    for k in res["want"]:  # still identical over the ranks (averaged gradients)
        if not k.startswith("1.running") and "num_batches" not in k:
            np.testing.assert_array_equal(results[1]["got"][k], res["got"][k])


def test_too_few_values_over_all_ranks_is_an_error_on_every_rank(tmp_path):
    body = r'''
    sbn = nn.SyncBatchNorm(2)
    try:
        sbn(ln.ones(1 - RANK, 2))          # one value per channel over both ranks
        msg = None
    except ValueError as err:
        msg = str(err)
    y = sbn(ln.ones(1, 2))                # two values over both ranks: fine
    report(msg=msg, y=y.data)
    '''
    for res in run_mpi(body, n=2, tmp_path=tmp_path).results:
        assert "Expected more than 1 value per channel when training" in res["msg"]
        assert "over all 2 ranks" in res["msg"]


def test_process_group_limits_the_synchronization(tmp_path):
    """3 ranks: ranks 0 and 1 pool their batches, rank 2 (a group of its own) normalizes alone."""
    body = r'''
    ln.set_default_dtype(np.float64)
    pair, alone = dist.new_group([0, 1]), dist.new_group([2])
    group = pair if RANK < 2 else alone
    x = np.random.default_rng(0).normal(size=(9, 2)) * 2 + 1
    mine = np.array_split(np.arange(9), 3)[RANK]
    model = nn.SyncBatchNorm.convert_sync_batchnorm(nn.Sequential(nn.BatchNorm1d(2)),
                                                    process_group=group)
    y = model(ln.tensor(x[mine])).data
    report(y=y, x=x, mine=mine, group_size=dist.get_world_size(group))
    '''
    results = run_mpi(body, n=3, tmp_path=tmp_path).results
    x = results[0]["x"]
    for rows, ranks in ((np.arange(6), (0, 1)), (np.arange(6, 9), (2,))):
        want = nn.BatchNorm1d(2, dtype=np.float64)(ln.tensor(x[rows])).data
        got = np.concatenate([results[r]["y"] for r in ranks])
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    assert [r["group_size"] for r in results] == [2, 2, 1]


# ------------------------------------------------------------------ one process
def _pair(seed=0, **kw):
    ln.manual_seed(seed)
    bn = nn.BatchNorm2d(3, **kw)
    ln.manual_seed(seed)
    return bn, nn.SyncBatchNorm(3, **kw)


@pytest.mark.parametrize("kw", [{}, {"momentum": None}, {"affine": False},
                                {"track_running_stats": False}, {"dtype": ln.float64}])
def test_one_process_is_exactly_batchnorm(kw):
    bn, sbn = _pair(**kw)
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = rng.normal(size=(4, 3, 2, 5)).astype(bn.running_mean.dtype if bn.running_mean is
                                                 not None else np.float32)
        xa, xb = ln.tensor(x, requires_grad=True), ln.tensor(x.copy(), requires_grad=True)
        ya, yb = bn(xa), sbn(xb)
        np.testing.assert_array_equal(ya.data, yb.data)
        ya.sum().backward()
        yb.sum().backward()
        np.testing.assert_array_equal(xa.grad.data, xb.grad.data)
    for (ka, va), (kb, vb) in zip(bn.state_dict().items(), sbn.state_dict().items()):
        assert ka == kb
        np.testing.assert_array_equal(va, vb)
    bn.eval()
    sbn.eval()
    x = ln.tensor(rng.normal(size=(2, 3, 2, 2)).astype(ya.dtype))
    np.testing.assert_array_equal(bn(x).data, sbn(x).data)


def test_one_process_gradcheck_float64():
    ln.set_default_dtype(np.float64)
    sbn = nn.SyncBatchNorm(3)
    sbn.weight.data[:] = [0.5, 2.0, -1.0]
    x = ln.tensor(np.random.default_rng(1).normal(size=(4, 3, 2)), requires_grad=True)
    assert ln.gradcheck(lambda x, w, b: sbn(x), [x, sbn.weight, sbn.bias])


def test_any_number_of_spatial_axes_and_clear_errors():
    sbn = nn.SyncBatchNorm(2)
    for shape in [(3, 2), (3, 2, 4), (3, 2, 2, 2), (3, 2, 1, 2, 2)]:
        assert sbn(ln.randn(*shape)).shape == shape
    with pytest.raises(ValueError, match="expected at least 2D input"):
        sbn(ln.randn(4))
    with pytest.raises(ValueError, match="expects 2 channels"):
        sbn(ln.randn(4, 3))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        sbn(ln.randn(1, 2))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 3, 3, padding=1)
        self.bn = nn.BatchNorm2d(3)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(3 * 4 * 4, 5),
                                  nn.BatchNorm1d(5, affine=False), nn.ReLU())
        self.extra = nn.ModuleList([nn.BatchNorm1d(5, momentum=None)])
        self.inorm = nn.InstanceNorm2d(3, affine=True)

    def forward(self, x):
        return self.extra[0](self.head(self.inorm(self.bn(self.conv(x)))))


def test_convert_sync_batchnorm_nested():
    ln.manual_seed(0)
    model = Block()
    model.bn.running_mean[:] = [1.0, 2.0, 3.0]
    model.bn.num_batches_tracked = np.array(7)
    model.extra[0].eval()
    x = ln.randn(4, 2, 4, 4)
    before = model(x).data.copy()
    keys = list(model.state_dict())
    weight, bias, running = model.bn.weight, model.bn.bias, model.bn.running_mean
    assert int(model.bn.num_batches_tracked) == 8  # 7 + the forward above
    ln.manual_seed(0)
    again = Block()  # the same model converted, to compare outputs on the same state
    again.load_state_dict(model.state_dict())
    again.extra[0].eval()
    converted = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    assert converted is model  # the root is changed in place and returned
    assert type(model.bn) is nn.SyncBatchNorm and type(model.head[2]) is nn.SyncBatchNorm
    assert type(model.extra[0]) is nn.SyncBatchNorm and type(model.conv) is nn.Conv2d
    assert type(model.inorm) is nn.InstanceNorm2d  # per sample: nothing to synchronize
    assert model.bn.weight is weight and model.bn.bias is bias  # the same Parameters
    assert model.bn.running_mean is running and int(model.bn.num_batches_tracked) == 8
    assert model.head[2].weight is None and model.head[2].affine is False
    assert model.extra[0].momentum is None and model.extra[0].training is False
    assert list(model.state_dict()) == keys
    assert [n for n, _ in model.named_modules()] == [n for n, _ in again.named_modules()]
    assert len(list(model.parameters())) == len(list(again.parameters()))
    np.testing.assert_allclose(again(x).data, before)
    np.testing.assert_array_equal(model(x).data, again(x).data)  # training mode, one process


def test_convert_root_batchnorm_and_errors():
    ln.set_default_dtype(np.float64)
    bn = nn.BatchNorm1d(4, eps=1e-3, momentum=0.3)
    bn.eval()
    sbn = nn.SyncBatchNorm.convert_sync_batchnorm(bn)
    assert type(sbn) is nn.SyncBatchNorm and sbn is not bn
    assert (sbn.eps, sbn.momentum, sbn.training) == (1e-3, 0.3, False)
    assert sbn.weight.dtype == np.float64 and sbn.weight is bn.weight
    assert nn.SyncBatchNorm.convert_sync_batchnorm(nn.ReLU()).__class__ is nn.ReLU
    with pytest.raises(TypeError, match="Module"):
        nn.SyncBatchNorm.convert_sync_batchnorm("bn")


def test_save_load_roundtrip(tmp_path):
    model = nn.SyncBatchNorm.convert_sync_batchnorm(nn.Sequential(nn.Linear(3, 4),
                                                                  nn.BatchNorm1d(4)))
    model(ln.randn(5, 3))
    path = tmp_path / "m.lnz"
    ln.save(model, str(path))
    loaded = ln.load(str(path))
    assert type(loaded[1]) is nn.SyncBatchNorm
    for (k, a), (_, b) in zip(model.state_dict().items(), loaded.state_dict().items()):
        np.testing.assert_array_equal(a, b, err_msg=k)
