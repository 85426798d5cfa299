"""The fused (Numba) optimizer kernels agree with the NumPy reference updates.

Every optimizer and option runs the same steps on both paths -- float32 and float64, a 0-size
parameter, non-contiguous gradients, a parameter without a gradient on some steps, two param
groups with different options, and a state_dict saved on one path, loaded and continued on the
other. The kernels do the NumPy path's operations in the same order and dtype, so the results
are in fact bit-identical; the tests require the stated tolerances (float64 1e-12, float32 1e-6
relative) so that a compiler that contracts a multiply-add still passes.
"""

from __future__ import annotations

import numpy as np
import pytest

from lucidnet import _fast, optim
from lucidnet.nn import Parameter

CASES = [
    ("SGD", {"lr": 0.05}),
    ("SGD", {"lr": 0.05, "weight_decay": 0.01, "maximize": True}),
    ("SGD", {"lr": 0.02, "momentum": 0.9}),
    ("SGD", {"lr": 0.02, "momentum": 0.9, "dampening": 0.5, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.02, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01,
             "maximize": True}),
    ("SGD", {"lr": 0.02, "momentum": 0.9, "momentum_form": "ema"}),
    ("SGD", {"lr": 0.02, "momentum": 0.9, "momentum_form": "classical", "weight_decay": 0.01}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.01, "maximize": True}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("AdamW", {"lr": 0.01, "amsgrad": True}),
    ("Adamax", {"lr": 0.01, "weight_decay": 0.01, "maximize": True}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.01}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True,
               "maximize": True}),
    ("RAdam", {"lr": 0.01, "weight_decay": 0.01}),
    ("RAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.01,
                 "initial_accumulator_value": 0.1, "maximize": True}),
    ("Adagrad", {"lr": 0.1, "eps_inside_sqrt": True}),
    ("Adadelta", {"lr": 0.5, "weight_decay": 0.01, "maximize": True}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.005, "momentum": 0.5}),
    ("RMSprop", {"lr": 0.005, "centered": True}),
    ("RMSprop", {"lr": 0.005, "centered": True, "momentum": 0.3, "maximize": True,
                 "weight_decay": 0.01, "eps_inside_sqrt": True}),
    ("Rprop", {}),
    ("Rprop", {"lr": 0.002, "etas": (0.3, 1.5), "step_sizes": (1e-4, 0.05), "maximize": True}),
    ("ASGD", {"lr": 0.01, "t0": 3, "weight_decay": 0.01}),
    ("ASGD", {"lr": 0.01, "maximize": True}),
]

#: a 0-size parameter, small ones (gathered into buckets on the NumPy path) and a large one
SHAPES = [(7, 3), (0, 4), (3,), (5, 2), (70000,), (1,)]
STEPS = 6

needs_numba = pytest.mark.skipif(not _fast.enabled(),
                                 reason="fused kernels off (numba absent or LUCIDNET_FAST=0)")


def _params(dtype):
    rng = np.random.default_rng(0)
    return [Parameter(rng.standard_normal(s).astype(dtype)) for s in SHAPES]


def _set_grads(params, k, dtype):
    rng = np.random.default_rng(100 + k)
    for i, p in enumerate(params):
        g = rng.standard_normal(p.data.shape[::-1]).astype(dtype).T   # non-contiguous
        if i == 3 and k % 3 == 1:
            p.grad = None                                             # skipped this step
        else:
            p.grad = g if i % 2 == 0 else np.ascontiguousarray(g)


def _build(name, kwargs, params):
    # a second group with its own lr (and so its own fused coefficients)
    return getattr(optim, name)([{"params": params[:3]}, {"params": params[3:], "lr": 0.003}],
                                **kwargs)


def _run(name, kwargs, dtype, fast: bool, steps=STEPS, state=None, start=0):
    params = _params(dtype)
    opt = _build(name, kwargs, params)
    if state is not None:
        for p, w in zip(params, state["params"]):
            p.data[...] = w
        opt.load_state_dict(state["opt"])
    with _fast.fast_disabled() if not fast else _nullcontext():
        for k in range(start, start + steps):
            _set_grads(params, k, dtype)
            opt.step()
    return params, opt


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _assert_close(ours, ref, dtype):
    rtol = 1e-6 if dtype == np.float32 else 1e-12
    for a, b in zip(ours, ref):
        assert a.dtype == b.dtype == dtype
        scale = np.max(np.abs(b)) if b.size else 0.0
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * scale)


@needs_numba
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_fused_matches_numpy(name, kwargs, dtype):
    fast_params, fast_opt = _run(name, kwargs, dtype, fast=True)
    ref_params, ref_opt = _run(name, kwargs, dtype, fast=False)
    _assert_close([p.data for p in fast_params], [p.data for p in ref_params], dtype)
    fast_state, ref_state = fast_opt.state_dict(), ref_opt.state_dict()
    assert fast_state["state"].keys() == ref_state["state"].keys()
    for idx, entry in ref_state["state"].items():
        assert fast_state["state"][idx]["step"] == entry["step"]
        for key, value in entry.items():
            if isinstance(value, np.ndarray):
                _assert_close([fast_state["state"][idx][key]], [value], dtype)
            else:
                assert fast_state["state"][idx][key] == pytest.approx(value, rel=1e-12)


@needs_numba
@pytest.mark.parametrize("fast_first", [True, False])
@pytest.mark.parametrize(("name", "kwargs"), CASES[::3], ids=[f"{n}-{k}" for n, k in CASES[::3]])
def test_state_dict_saved_on_one_path_continues_on_the_other(name, kwargs, fast_first):
    dtype = np.float32
    params, opt = _run(name, kwargs, dtype, fast=fast_first, steps=3)
    saved = {"opt": opt.state_dict(), "params": [p.data.copy() for p in params]}
    crossed, _ = _run(name, kwargs, dtype, fast=not fast_first, steps=3, state=saved, start=3)
    straight, _ = _run(name, kwargs, dtype, fast=fast_first, steps=6)
    _assert_close([p.data for p in crossed], [p.data for p in straight], dtype)


@needs_numba
def test_fused_path_is_used_and_threads_do_not_change_the_result():
    from lucidnet._fast import optim_kernels

    results = []
    n = 2_200_000                     # above the size where the fused path uses threads
    before = optim.get_num_threads()
    try:
        for threads in (1, 2):
            optim.set_num_threads(threads)
            params = [Parameter(np.linspace(-1, 1, n).astype(np.float32))]
            opt = optim.Adam(params, lr=0.01)
            for k in range(3):
                params[0].grad = np.cos(np.arange(n, dtype=np.float32) + k)
                opt.step()
            results.append(params[0].data.copy())
    finally:
        optim.set_num_threads(before)
    assert np.array_equal(results[0], results[1])
    assert ("adam", False, False, False) in optim_kernels._BUILT


@needs_numba
def test_non_contiguous_parameter_is_updated_in_place_on_both_paths():
    for fast in (True, False):
        base = np.arange(12.0).reshape(3, 4)
        p = Parameter(base.copy())
        p.data = p.data.T                 # a transposed view: not C-contiguous
        data = p.data
        opt = optim.SGD([p], lr=0.5, momentum=0.9)
        p.grad = np.ones((4, 3))
        with _fast.fast_disabled() if not fast else _nullcontext():
            opt.step()
        assert p.data is data
        np.testing.assert_array_equal(p.data, base.T - 0.5)


def test_numpy_path_alone_runs_every_optimizer():
    """What runs when numba is absent or LUCIDNET_FAST=0."""
    with _fast.fast_disabled():
        for name, kwargs in CASES:
            params, _ = _run(name, kwargs, np.float64, fast=False, steps=2)
            assert all(np.all(np.isfinite(p.data)) for p in params)
            assert not np.array_equal(params[0].data, _params(np.float64)[0].data)


def _paths():
    return [("fused", _nullcontext), ("numpy", _fast.fast_disabled)]


@pytest.mark.parametrize("kwargs", [{"lr": 0.1}, {"lr": 0.1, "momentum": 0.9}])
@pytest.mark.parametrize(("path", "context"), _paths(), ids=["fused", "numpy"])
def test_a_bad_gradient_raises_before_any_parameter_is_updated(path, context, kwargs):
    if path == "fused" and not _fast.enabled():
        pytest.skip("fused kernels off")
    params = [Parameter(np.ones((2, 3))) for _ in range(4)]
    opt = optim.SGD(params, **kwargs)
    for p in params:
        p.grad = np.ones((2, 3))
    with context():
        opt.step()
        before = [p.data.copy() for p in params]
        steps = [opt.state_dict()["state"].get(i, {}).get("step") for i in range(4)]
        params[2]._grad = np.ones((3, 2))          # the last-but-one parameter's is wrong
        with pytest.raises(ValueError, match=r"gradient of parameter 2 has shape \(3, 2\)"):
            opt.step()
        for p, b in zip(params, before):
            np.testing.assert_array_equal(p.data, b)    # nothing moved, not even parameter 0
        assert [opt.state_dict()["state"].get(i, {}).get("step") for i in range(4)] == steps
        params[2].grad = np.ones((2, 3))
        opt.step()                                  # and the optimizer goes on from there
    assert all(np.all(p.data < b) for p, b in zip(params, before))


@pytest.mark.parametrize(("path", "context"), _paths(), ids=["fused", "numpy"])
def test_a_parameter_reshaped_or_replaced_between_steps_is_updated_where_it_now_is(path,
                                                                                   context):
    if path == "fused" and not _fast.enabled():
        pytest.skip("fused kernels off")
    p = Parameter(np.zeros((2, 3)))
    opt = optim.SGD([p], lr=1.0, momentum=0.5)
    with context():
        p.grad = np.ones((2, 3))
        opt.step()                                  # v = 1, p = -1
        p.data.shape = (3, 2)                       # the same array, reshaped in place
        p.grad = np.full((3, 2), 2.0)
        opt.step()                                  # v = 0.5 + 2, p = -3.5
        np.testing.assert_array_equal(p.data, np.full((3, 2), -3.5))
        fresh = np.zeros((3, 2))
        p.data = fresh                              # a new array of the same size
        opt.step()                                  # v = 1.25 + 2, p = -3.25
        assert p.data is fresh
        np.testing.assert_array_equal(fresh, np.full((3, 2), -3.25))
        with pytest.raises(ValueError, match=r"gradient of parameter 0 has shape \(2, 3\)"):
            p.grad = None
            p._grad = np.ones((2, 3))               # bypasses the setter's shape check
            opt.step()


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_non_contiguous_parameters_beside_contiguous_ones_at_different_steps(name, kwargs):
    """A transposed parameter (updated through a copy), one that skips every other step, a
    0-size one and plain ones, in one group: both paths agree and each keeps its array."""
    if not _fast.enabled():
        pytest.skip("fused kernels off")
    results = []
    for fast in (True, False):
        rng = np.random.default_rng(5)
        params = [Parameter(rng.standard_normal(s)) for s in [(4, 3), (5,), (0, 2), (3, 2)]]
        params[0].data = params[0].data.T          # (3, 4), not C-contiguous
        arrays = [p.data for p in params]
        opt = getattr(optim, name)(params, **kwargs)
        with _fast.fast_disabled() if not fast else _nullcontext():
            for k in range(5):
                for i, p in enumerate(params):
                    p.grad = None if (i == 1 and k % 2) else rng.standard_normal(p.data.shape)
                opt.step()
        assert all(p.data is a for p, a in zip(params, arrays))
        results.append(([p.data.copy() for p in params],
                        [opt.state_dict()["state"].get(i, {}).get("step") for i in range(4)]))
    _assert_close(results[0][0], results[1][0], np.float64)
    assert results[0][1] == results[1][1]


def _plain_sgd(n, dtype, maximize, lr=0.0137, threads=1, grads=None):
    before = optim.get_num_threads()
    import lucidnet as ln

    blas = ln.threads.get_num_threads()
    try:
        ln.threads.set_num_threads(threads)
        rng = np.random.default_rng(n)
        p = Parameter(rng.standard_normal(n).astype(dtype))
        opt = optim.SGD([p], lr=lr, maximize=maximize)
        for g in grads if grads is not None else (
                rng.standard_normal(n).astype(dtype) for _ in range(3)):
            p.grad = g
            opt.step()
        return p.data.copy()
    finally:
        ln.threads.set_num_threads(blas)
        optim.set_num_threads(before)


@needs_numba
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_plain_sgd_is_pytorchs_bit_for_bit(dtype, threads):
    """theta - lr g rounded once (a fused multiply-add), as torch.optim.SGD's add_(g, alpha=-lr):
    small parameters in the compiled kernel, large ones by BLAS's threaded axpy on whole blocks
    of 1024 with the kernel on the rest -- the same bits at every size and thread count."""
    torch = pytest.importorskip("torch")
    for n in (10, 4095, 5000, 300_001):
        for maximize in (False, True):
            rng = np.random.default_rng(n)
            p0 = rng.standard_normal(n).astype(dtype)
            grads = [rng.standard_normal(n).astype(dtype) for _ in range(3)]
            ours = _plain_sgd(n, dtype, maximize, threads=threads, grads=grads)
            tp = torch.tensor(p0, requires_grad=True)
            topt = torch.optim.SGD([tp], lr=0.0137, maximize=maximize)
            for g in grads:
                tp.grad = torch.tensor(g)
                topt.step()
            np.testing.assert_array_equal(ours, tp.detach().numpy(), err_msg=f"n={n}")


@pytest.mark.parametrize("fast", [True, False])
def test_plain_sgd_corners_on_both_paths(fast):
    """lr = 0 still spreads a NaN gradient (theta - 0 * nan is nan; BLAS's axpy would skip the
    whole update for alpha = 0), and a strided 1-d gradient moves the parameter exactly as its
    contiguous copy does."""
    n = 8192
    with _fast.fast_disabled() if not fast else _nullcontext():
        g = np.ones(n, np.float32)
        g[5] = np.nan
        stuck = _plain_sgd(n, np.float32, False, lr=0.0, grads=[g])
        assert np.isnan(stuck[5]) and np.isfinite(np.delete(stuck, 5)).all()
        wide = np.random.default_rng(1).standard_normal(2 * n).astype(np.float32)
        strided = _plain_sgd(n, np.float32, False, grads=[wide[::2]])
        contiguous = _plain_sgd(n, np.float32, False, grads=[wide[::2].copy()])
        np.testing.assert_array_equal(strided, contiguous)


_VARIANTS_SCRIPT = """
import numpy as np
from lucidnet._fast import optim_kernels as K
out = []
for maximize in (True, False):
    p, g, m, v = np.ones(4), np.full(4, 0.5), np.zeros(4), np.zeros(4)
    K.nadam(maximize, False)(p, g, m, v, np.array([1.0, 0.1, 0.999, 0.001, 1e-8, 0.1, 0.1, 0.0]))
    out.append(float(p[0]))
print(repr(out))
"""


@needs_numba
def test_each_kernel_variant_has_a_disk_cache_index_of_its_own(tmp_path):
    """Variants of one factory (NAdam with and without maximize) are one function at one source
    line; cached under one index file, two processes compiling two variants at once could map
    one variant to the other's code (seen in CI: NAdam maximize=True ran maximize=False's step).
    Each variant now has its own index, and a second process loads both correctly."""
    import ast
    import os
    import subprocess
    import sys

    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    runs = [subprocess.run([sys.executable, "-c", _VARIANTS_SCRIPT], env=env, check=True,
                           capture_output=True, text=True).stdout for _ in range(2)]
    assert runs[0] == runs[1]                      # compiled, then loaded from the cache
    up, down = ast.literal_eval(runs[0])
    assert up > 1.0 > down                         # maximize climbs, the default descends
    indexes = [f for _, _, files in os.walk(tmp_path) for f in files
               if f.endswith(".nbi") and "nadam" in f]
    assert len(indexes) == 2 and len(set(indexes)) == 2, indexes
