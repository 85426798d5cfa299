"""lucidnet.distributed: the process group and the collectives (issue 11).

Under ``mpirun -n 2`` and ``-n 3``: every ReduceOp on float / int / bool arrays, in place on a
Tensor and on an ndarray, 0-d, empty and non-contiguous inputs, AVG, async work, broadcast,
all_gather (+ into one tensor), reduce, gather, scatter, object collectives, barrier, sub-groups;
clear errors for bad arguments. In one process: not-initialized errors, mpi4py missing,
launched_under_mpi from the environment, a world of one.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

import lucidnet as ln
import lucidnet.distributed as dist
from tests.distributed.mpi_helpers import require_mpi, run_mpi

COLLECTIVES = r'''
out = {}
base = np.arange(1, 5, dtype=np.float64) + RANK          # rank r: [1+r, 2+r, 3+r, 4+r]
for op in ("SUM", "AVG", "PRODUCT", "MIN", "MAX"):
    a = base.copy()
    assert dist.all_reduce(a, op=getattr(dist.ReduceOp, op)) is None
    out["nd_" + op] = a
t = ln.tensor(base.copy(), requires_grad=True)
version = t._version
dist.all_reduce(t)
out["tensor_sum"], out["tensor_version_bumped"] = t.data.copy(), t._version > version
for dtype in ("int8", "int32", "int64", "uint8", "float32", "float16", "complex128"):
    a = (np.arange(3) + RANK).astype(dtype)
    dist.all_reduce(a)
    out["dtype_" + dtype] = (a.dtype.name, a.copy())
for op in ("BAND", "BOR", "BXOR"):
    a = np.array([0b1100 | RANK, 0b1010], dtype=np.int64)
    dist.all_reduce(a, op=getattr(dist.ReduceOp, op))
    out["bits_" + op] = a
for op in ("SUM", "MAX", "MIN", "PRODUCT"):
    b = np.array([True, RANK == 0, False])
    dist.all_reduce(b, op=getattr(dist.ReduceOp, op))
    out["bool_" + op] = b
z = np.array(float(RANK + 1)); dist.all_reduce(z); out["zero_d"] = (z.shape, float(z))
e = np.zeros((0, 3)); dist.all_reduce(e); out["empty"] = e.shape
m = np.arange(12.0).reshape(3, 4) + RANK; view = m[:, ::2]
dist.all_reduce(view); out["strided"] = m.copy()
w = dist.all_reduce(a := np.full(2, RANK + 1.0), async_op=True)
out["async_before"] = True
w.wait(); out["async"] = a
w2 = dist.broadcast(c := np.full(3, float(RANK)), src=WORLD - 1, async_op=True)
while not w2.is_completed():
    pass
out["async_bcast"] = c
s = ln.tensor(np.full((2, 2), float(RANK)))
dist.broadcast(s, src=1); out["bcast"] = s.data.copy()
dist.broadcast(z0 := np.array(RANK * 10), src=0); out["bcast_0d"] = int(z0)
gl = [np.zeros(2) for _ in range(WORLD)]; dist.all_gather(gl, np.full(2, RANK * 1.0))
out["all_gather"] = gl
tl = [ln.zeros(2, dtype=ln.float64) for _ in range(WORLD)]
dist.all_gather(tl, ln.tensor(np.full(2, RANK * 1.0))); out["all_gather_t"] = [x.data.copy() for x in tl]
big = np.zeros((WORLD, 2)); dist.all_gather_into_tensor(big, np.full(2, RANK + 0.5))
out["gather_into"] = big
red = np.full(2, RANK + 1.0); dist.reduce(red, dst=1, op=dist.ReduceOp.MAX); out["reduce"] = red
glist = [np.zeros(2, np.int64) for _ in range(WORLD)] if RANK == 0 else None
dist.gather(np.full(2, RANK, np.int64), glist, dst=0); out["gather"] = glist
sc = np.zeros(3)
dist.scatter(sc, [np.full(3, 100.0 + r) for r in range(WORLD)] if RANK == 0 else None, src=0)
out["scatter"] = sc
objs = [None] * WORLD; dist.all_gather_object(objs, {"rank": RANK, "s": "x" * RANK})
out["objects"] = objs
bl = [RANK, "from", RANK]; dist.broadcast_object_list(bl, src=WORLD - 1); out["bobj"] = bl
go = [None] * WORLD if RANK == 0 else None; dist.gather_object(("r", RANK), go, dst=0)
out["gather_object"] = go
dist.barrier(); dist.barrier(async_op=True).wait()
sub = dist.new_group([0, WORLD - 1])
if sub is dist.GroupMember.NON_GROUP_MEMBER:
    out["sub"] = None
else:
    a = np.array([RANK + 1.0]); dist.all_reduce(a, group=sub)
    out["sub"] = (dist.get_rank(sub), dist.get_world_size(sub), float(a[0]),
                  dist.get_process_group_ranks(sub))
out["backend"] = dist.get_backend()
errors = {}
for name, call in {
    "bad_op": lambda: dist.all_reduce(np.ones(2), op="mean"),
    "avg_int": lambda: dist.all_reduce(np.ones(2, np.int64), op=dist.ReduceOp.AVG),
    "band_float": lambda: dist.all_reduce(np.ones(2), op=dist.ReduceOp.BAND),
    "list_input": lambda: dist.all_reduce([1.0, 2.0]),
    "readonly": lambda: dist.all_reduce(np.broadcast_to(np.ones(1), (3,))),
    "bad_src": lambda: dist.broadcast(np.ones(2), src=WORLD),
    "short_list": lambda: dist.all_gather([np.zeros(2)], np.zeros(2)),
    "bad_shape_list": lambda: dist.all_gather([np.zeros(3)] * WORLD, np.zeros(2)),
    "object_list_len": lambda: dist.all_gather_object([None], 1),
    "init_twice": lambda: dist.init_process_group(),
}.items():
    try:
        call()
        errors[name] = None
    except (ValueError, TypeError) as err:
        errors[name] = (type(err).__name__, str(err))
out["errors"] = errors
try:  # different shapes on different ranks: every rank gets the same clear error
    dist.all_gather([np.zeros(RANK + 1)] * WORLD, np.zeros(RANK + 1))
    out["ragged"] = None
except ValueError as err:
    out["ragged"] = str(err)
dist.destroy_process_group()
out["after_destroy"] = dist.is_initialized()
dist.init_process_group()
out["reinit"] = (dist.get_rank(), dist.get_world_size())
report(**out)
'''


@pytest.fixture(scope="module", params=[2, 3])
def gathered(request, tmp_path_factory):
    n = request.param
    result = run_mpi(COLLECTIVES, n=n, tmp_path=tmp_path_factory.mktemp(f"coll{n}"))
    return n, result.results


def test_all_reduce_ops_float(gathered):
    n, results = gathered
    ranks = np.arange(n)[:, None] + np.arange(1, 5)[None, :]   # every rank's input
    want = {"SUM": ranks.sum(0), "AVG": ranks.mean(0), "PRODUCT": ranks.prod(0),
            "MIN": ranks.min(0), "MAX": ranks.max(0)}
    for res in results:
        for op, value in want.items():
            np.testing.assert_allclose(res["nd_" + op], value, rtol=1e-15, err_msg=op)
        np.testing.assert_array_equal(res["tensor_sum"], want["SUM"])
        assert res["tensor_version_bumped"]  # an in-place change, as PyTorch counts it


def test_all_reduce_dtypes_bits_and_bool(gathered):
    n, results = gathered
    for res in results:
        for dtype in ("int8", "int32", "int64", "uint8", "float32", "float16", "complex128"):
            name, value = res["dtype_" + dtype]
            assert name == dtype  # the dtype is kept
            np.testing.assert_array_equal(value, sum(np.arange(3) + r for r in range(n)))
        vals = [np.array([0b1100 | r, 0b1010]) for r in range(n)]
        np.testing.assert_array_equal(res["bits_BAND"], np.bitwise_and.reduce(vals))
        np.testing.assert_array_equal(res["bits_BOR"], np.bitwise_or.reduce(vals))
        np.testing.assert_array_equal(res["bits_BXOR"], np.bitwise_xor.reduce(vals))
        np.testing.assert_array_equal(res["bool_SUM"], [True, True, False])  # logical or
        np.testing.assert_array_equal(res["bool_MAX"], [True, True, False])
        np.testing.assert_array_equal(res["bool_MIN"], [True, False, False])  # logical and
        np.testing.assert_array_equal(res["bool_PRODUCT"], [True, False, False])


def test_all_reduce_shapes_and_async(gathered):
    n, results = gathered
    total = n * (n + 1) / 2
    for r, res in enumerate(results):
        assert res["zero_d"] == ((), total)
        assert res["empty"] == (0, 3)
        m = np.arange(12.0).reshape(3, 4)
        want = m.copy()
        want[:, ::2] = n * m[:, ::2] + n * (n - 1) / 2  # the view was reduced, in place
        want[:, 1::2] = m[:, 1::2] + r  # the rest untouched
        np.testing.assert_array_equal(res["strided"], want)
        np.testing.assert_array_equal(res["async"], [total, total])
        np.testing.assert_array_equal(res["async_bcast"], np.full(3, n - 1.0))


def test_broadcast_gather_scatter(gathered):
    n, results = gathered
    for r, res in enumerate(results):
        np.testing.assert_array_equal(res["bcast"], np.ones((2, 2)))
        assert res["bcast_0d"] == 0
        for got in (res["all_gather"], res["all_gather_t"]):
            assert len(got) == n
            for k, g in enumerate(got):
                np.testing.assert_array_equal(g, [k, k])
        np.testing.assert_array_equal(res["gather_into"], np.arange(n)[:, None] + np.full((n, 2), 0.5))
        np.testing.assert_array_equal(res["reduce"], np.full(2, n) if r == 1 else np.full(2, r + 1.0))
        if r == 0:
            assert [g.tolist() for g in res["gather"]] == [[k, k] for k in range(n)]
            assert res["gather_object"] == [("r", k) for k in range(n)]
        else:
            assert res["gather"] is None and res["gather_object"] is None
        np.testing.assert_array_equal(res["scatter"], np.full(3, 100.0 + r))


def test_object_collectives_and_groups(gathered):
    n, results = gathered
    for r, res in enumerate(results):
        assert res["objects"] == [{"rank": k, "s": "x" * k} for k in range(n)]
        assert res["bobj"] == [n - 1, "from", n - 1]
        if r in (0, n - 1):
            assert res["sub"] == (0 if r == 0 else 1, 2, 1.0 + n, [0, n - 1])
        else:
            assert res["sub"] is None
        assert res["backend"] == "mpi"
        assert res["after_destroy"] is False
        assert res["reinit"] == (r, n)


def test_collective_errors(gathered):
    n, results = gathered
    expect = {"bad_op": ("ValueError", "ReduceOp"), "avg_int": ("TypeError", "AVG"),
              "band_float": ("TypeError", "bitwise"), "list_input": ("TypeError", "NumPy array"),
              "readonly": ("ValueError", "read-only"), "bad_src": ("ValueError", f"src={n}"),
              "short_list": ("ValueError", f"world_size={n}"),
              "bad_shape_list": ("ValueError", "shape"),
              "object_list_len": ("ValueError", "[None] * world_size"),
              "init_twice": ("ValueError", "twice")}
    for res in results:
        for name, (kind, words) in expect.items():
            got = res["errors"][name]
            assert got is not None, f"{name} did not raise"
            assert got[0] == kind and words in got[1], (name, got)
        assert "rank 0: (1,)" in res["ragged"] and f"rank {n - 1}: ({n},)" in res["ragged"]


def test_init_checks_rank_and_world_size(tmp_path):
    body = '''
    import datetime
    dist.destroy_process_group()
    msgs = {}
    for kw in ({"world_size": 3}, {"rank": 1 - RANK}, {"backend": "nccl"},
               {"init_method": "tcp://x:1"}, {"timeout": 5}, {"world_size": "2"}):
        try:
            dist.init_process_group(**kw)
            msgs[str(kw)] = None
        except (ValueError, TypeError) as err:
            msgs[str(kw)] = str(err)
    os.environ["WORLD_SIZE"] = "5"
    try:
        dist.init_process_group(init_method="env://")
    except ValueError as err:
        msgs["env"] = str(err)
    dist.init_process_group(world_size=2, rank=RANK, timeout=datetime.timedelta(seconds=30))
    report(msgs=msgs, ok=(dist.get_rank(), dist.get_world_size()))
    '''
    res = run_mpi(body, n=2, tmp_path=tmp_path).results
    for r, out in enumerate(res):
        msgs = out["msgs"]
        assert "world_size=3" in msgs["{'world_size': 3}"] and "mpirun -n 2" in msgs["{'world_size': 3}"]
        assert f"rank={1 - r}" in msgs[f"{{'rank': {1 - r}}}"]
        assert "mpi" in msgs["{'backend': 'nccl'}"]
        assert "init_method" in msgs["{'init_method': 'tcp://x:1'}"]
        assert "timedelta" in msgs["{'timeout': 5}"]
        assert "must be an int" in msgs["{'world_size': '2'}"]
        assert "$WORLD_SIZE=5" in msgs["env"]
        assert out["ok"] == (r, 2)


def test_world_of_one_without_launcher(tmp_path):
    """``python script.py`` (no mpirun): init gives a group of one; collectives are identities."""
    body = '''
    a = np.arange(3.0); dist.all_reduce(a, op=dist.ReduceOp.AVG)
    gl = [np.zeros(3)]; dist.all_gather(gl, a)
    objs = [None]; dist.all_gather_object(objs, "me")
    dist.barrier()
    report(rw=(RANK, WORLD), a=a, gl=gl[0], objs=objs, under=dist.launched_under_mpi())
    '''
    require_mpi()
    out = run_mpi(body, tmp_path=tmp_path, launcher=False).results[0]
    assert out["rw"] == (0, 1) and out["objs"] == ["me"] and out["under"] is False
    np.testing.assert_array_equal(out["a"], np.arange(3.0))
    np.testing.assert_array_equal(out["gl"], np.arange(3.0))


# ------------------------------------------------------------------ one process, no MPI
def test_not_initialized_errors():
    assert not dist.is_initialized()
    for call in (dist.get_rank, dist.get_world_size, dist.barrier, dist.get_backend,
                 lambda: dist.all_reduce(np.ones(2)), lambda: dist.broadcast(np.ones(2)),
                 lambda: dist.all_gather_object([None], 1), dist.destroy_process_group,
                 lambda: dist.DistributedSampler(range(4)),
                 lambda: ln.nn.parallel.DistributedDataParallel(ln.nn.Linear(2, 2))):
        with pytest.raises(ValueError, match="init_process_group"):
            call()


def test_reduce_op_and_availability():
    assert [op.name for op in dist.ReduceOp] == ["SUM", "AVG", "PRODUCT", "MIN", "MAX", "BAND",
                                                 "BOR", "BXOR"]
    assert isinstance(dist.is_available(), bool)
    assert dist.is_mpi_available() == dist.is_available()
    assert dist.is_gloo_available() == dist.is_available()  # "gloo" is an alias of MPI
    assert not dist.is_nccl_available()


def test_mpi4py_missing_is_a_clear_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    monkeypatch.setitem(sys.modules, "mpi4py.MPI", None)
    with pytest.raises(ImportError, match=r'pip install "lucidnet\[distributed\]"'):
        dist.init_process_group()
    assert not dist.is_initialized()


def test_launched_under_mpi_reads_the_environment(monkeypatch):
    for var in ("PMI_RANK", "PMI_SIZE", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE",
                "PMIX_RANK", "MV2_COMM_WORLD_RANK", "MV2_COMM_WORLD_SIZE"):
        monkeypatch.delenv(var, raising=False)
    assert dist.launched_under_mpi() is False
    monkeypatch.setenv("PMI_RANK", "0")
    monkeypatch.setenv("PMI_SIZE", "1")
    assert dist.launched_under_mpi() is False  # mpirun -n 1: not distributed
    monkeypatch.setenv("PMI_SIZE", "4")
    assert dist.launched_under_mpi() is True
    monkeypatch.delenv("PMI_RANK")
    monkeypatch.delenv("PMI_SIZE")
    monkeypatch.setenv("OMPI_COMM_WORLD_RANK", "1")
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "2")
    assert dist.launched_under_mpi() is True


def test_launched_under_mpi_imports_no_mpi4py(tmp_path):
    import subprocess

    code = ("import sys, lucidnet.distributed as d; d.launched_under_mpi(); d.is_available(); "
            "print('mpi4py' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True)
    assert out.stdout.strip() == "False"
