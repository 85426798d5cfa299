"""lucidnet.set_num_threads / get_num_threads (as torch's) and the per-op BLAS thread choice."""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import threads


@pytest.fixture
def restore_threads():
    before = ln.get_num_threads()
    yield before
    ln.set_num_threads(before)


def test_value_round_trips_and_reaches_every_pool(restore_threads):
    from lucidnet import optim

    for n in (1, 2, 1):
        ln.set_num_threads(n)
        assert ln.get_num_threads() == n
        assert optim.get_num_threads() == n
        blas = threads._openblas()
        if blas:
            assert blas[1]() == n
        if ln._fast.AVAILABLE:
            import numba

            assert numba.get_num_threads() == min(n, numba.config.NUMBA_NUM_THREADS)
    assert ln.set_num_threads is threads.set_num_threads


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2", None])
def test_bad_values_raise_a_clear_error(bad, restore_threads):
    with pytest.raises(ValueError, match="positive integer"):
        ln.set_num_threads(bad)
    assert ln.get_num_threads() == restore_threads


def test_numpy_integer_is_accepted(restore_threads):
    ln.set_num_threads(np.int64(1))
    assert ln.get_num_threads() == 1 and isinstance(ln.get_num_threads(), int)


@pytest.mark.parametrize("shape", [((3, 4), (4, 5)), ((16, 9), (9, 700)), ((128, 128), (128, 2048)),
                                   ((2, 3, 4), (2, 4, 5))])
def test_matmul_is_numpys_product_and_restores_the_pool(shape, restore_threads):
    ln.set_num_threads(2)
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(shape[0]), rng.standard_normal(shape[1])
    out = np.empty(a.shape[:-1] + b.shape[-1:])
    assert threads.matmul(a, b, out=out) is out
    np.testing.assert_array_equal(out, np.matmul(a, b))
    blas = threads._openblas()
    if blas:
        assert blas[1]() == 2


def test_every_set_num_threads_is_the_same_setting():
    """lucidnet.set_num_threads, the registered torch-style function in autograd.device and its
    getter all read and write one setting (there used to be a second, threadpoolctl-only one)."""
    import lucidnet as ln
    from lucidnet.autograd import device

    before = ln.get_num_threads()
    try:
        device.set_num_threads(2)
        assert ln.get_num_threads() == 2 == device.get_num_threads()
        ln.set_num_threads(1)
        assert device.get_num_threads() == 1
    finally:
        ln.set_num_threads(before)


@pytest.mark.parametrize("n_threads", [1, 2, 3])
@pytest.mark.parametrize("m,k,n", [(32, 144, 12544),   # cut along n (conv forward)
                                   (12544, 40, 24),    # cut along m
                                   (16, 50176, 9),     # too narrow to cut: left whole
                                   (8, 8, 8)])         # too small: plain matmul
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_split_matmul_is_the_product_and_restores_the_pool(m, k, n, n_threads, dtype,
                                                           restore_threads):
    ln.set_num_threads(n_threads)
    rng = np.random.default_rng(1)
    a = rng.standard_normal((m, k)).astype(dtype)
    b = rng.standard_normal((n, k)).astype(dtype).T  # a transposed operand, as conv's dL/dW
    out = np.full((m, n), np.nan, dtype)
    assert threads.split_matmul(a, b, out=out) is out
    ref = a.astype(np.float64) @ b.astype(np.float64)
    tol = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(out, ref, rtol=tol, atol=tol * np.sqrt(k))
    fresh = threads.split_matmul(a, b)  # no out: a new array of the product's dtype
    assert fresh.dtype == dtype and fresh.shape == (m, n)
    np.testing.assert_allclose(fresh, out, rtol=tol, atol=tol * np.sqrt(k))
    blas = threads._openblas()
    if blas:
        assert blas[1]() == n_threads


@pytest.mark.parametrize("n_threads", [1, 2, 4])
@pytest.mark.parametrize("count", [0, 1, 3, 100])
def test_parallel_for_covers_every_item_once(count, n_threads, restore_threads):
    ln.set_num_threads(n_threads)
    hits = np.zeros(count, dtype=np.int64)
    blocks = []

    def work(lo, hi):
        blocks.append((lo, hi))
        hits[lo:hi] += 1

    threads.parallel_for(work, count)
    np.testing.assert_array_equal(hits, np.ones(count, dtype=np.int64))
    # consecutive, none empty, at most BLOCKS_PER_THREAD per thread; one call on one thread
    assert sorted(blocks) == sorted(set(blocks)) and all(lo < hi for lo, hi in blocks)
    limit = 1 if n_threads == 1 else n_threads * threads.BLOCKS_PER_THREAD
    assert len(blocks) == min(limit, count)
    blocks.clear()
    threads.parallel_for(work, count, threads=1)  # an explicit count: one block
    np.testing.assert_array_equal(hits, np.full(count, 2, dtype=np.int64))
    assert blocks == ([(0, count)] if count else [])


def test_parallel_for_raises_a_blocks_error_once_no_block_runs(restore_threads):
    """An error in a block comes back to the caller; blocks not yet claimed are not started,
    and none is still running when the call returns."""
    ln.set_num_threads(2)
    done, running = [], []

    def work(lo, hi):
        running.append(lo)
        try:
            time.sleep(0.01)
            if lo > 0:
                raise RuntimeError("block failed")
            done.append(lo)
        finally:
            running.remove(lo)

    with pytest.raises(RuntimeError, match="block failed"):
        threads.parallel_for(work, 1000)
    assert running == [] and done == [0]   # only block 0 succeeds; none is left running


def test_parallel_for_does_not_wait_for_a_busy_pool_thread(restore_threads):
    """With the pool's thread held by other work, the caller claims every block itself and
    returns while that work still runs: a late or busy worker never holds a call up."""
    ln.set_num_threads(2)
    pool = threads._split_pool(1)
    release = threading.Event()
    busy = pool.submit(release.wait, 30)
    try:
        ran_on = []
        threads.parallel_for(lambda lo, hi: ran_on.append((lo, hi, threading.get_ident())), 10)
        assert not busy.done()
        assert {ident for *_, ident in ran_on} == {threading.get_ident()}
        assert sorted(lo for lo, *_ in ran_on) == [0, 2, 5, 7]
    finally:
        release.set()
        busy.result()


def test_fused_pooling_and_conv_agree_at_two_threads(restore_threads):
    """The fused max pooling shares its planes out over the threads, the convolution its thin
    GEMMs: at 2 threads both still give the 1-thread values exactly (pooling) / to rounding."""
    from lucidnet.nn import functional as F
    from lucidnet.nn.pooling import max_pool2d

    rng = np.random.default_rng(2)
    x = rng.standard_normal((8, 3, 28, 28)).astype(np.float32)
    w = rng.standard_normal((16, 3, 3, 3)).astype(np.float32)
    results = []
    for n in (1, 2):
        ln.set_num_threads(n)
        xt, wt = ln.Tensor(x, requires_grad=True), ln.Tensor(w, requires_grad=True)
        out = max_pool2d(F.relu(F.conv2d(xt, wt, None, 1, 1)), 2)
        (out * ln.Tensor(np.linspace(-1, 1, out.data.size, dtype=np.float32).reshape(out.data.shape))
         ).sum().backward()
        results.append((out.data.copy(), xt.grad.data.copy(), wt.grad.data.copy()))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batch_norm_backward_by_channel_blocks_agrees_at_two_threads(dtype, restore_threads):
    """The fused BatchNorm backward runs on channel blocks shared out over the threads; the
    gradients (x, gamma, beta) are those of one thread."""
    from lucidnet import nn

    rng = np.random.default_rng(4)
    x = rng.standard_normal((32, 6, 20, 20)).astype(dtype) * 3 + 1
    g = rng.standard_normal(x.shape).astype(dtype)
    results = []
    for n in (1, 2):
        ln.set_num_threads(n)
        ln.manual_seed(0)
        bn = nn.BatchNorm2d(6).to(dtype=getattr(ln, np.dtype(dtype).name))
        xt = ln.Tensor(x, requires_grad=True)
        (bn(xt) * ln.Tensor(g)).sum().backward()
        results.append((xt.grad.data.copy(), bn.weight.grad.data.copy(), bn.bias.grad.data.copy()))
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


@pytest.mark.parametrize("layout", ["c", "channel_major", "strided"])
def test_relu_forward_in_blocks_is_numpys_maximum(layout, restore_threads):
    """Above 2**17 elements ReLU's forward is shared out by blocks of axis 0: any layout,
    NaN kept, the output laid out like the input."""
    from lucidnet.nn import functional as F

    ln.set_num_threads(2)
    rng = np.random.default_rng(6)
    base = rng.standard_normal((16, 64, 12, 12)).astype(np.float32)
    base[3, 5, 1, 1] = np.nan
    x = {"c": base.swapaxes(0, 1).copy(), "channel_major": base.swapaxes(0, 1),
         "strided": base[:, :, ::2].swapaxes(0, 1)}[layout]
    assert x.size >= 1 << 16
    out = F.relu(ln.Tensor(x)).data
    np.testing.assert_array_equal(out, np.maximum(x, 0))
    if layout == "channel_major":
        assert out.swapaxes(0, 1).flags.c_contiguous


def _train_small_cnn(tag):
    """Two Adam steps of a small CNN at 2 threads (thin GEMMs cut over the pool, parallel_for,
    the optimizer's pool): (tag, final loss)."""
    from lucidnet import nn, optim

    ln.set_num_threads(2)
    ln.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, 64)
    model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(1568, 10))
    opt = optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(2):
        loss = nn.CrossEntropyLoss()(model(ln.Tensor(x)), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return tag, float(loss.data)


@pytest.mark.skipif(not hasattr(os, "register_at_fork"), reason="needs fork")
def test_training_in_a_forked_child_after_the_parent_trained(restore_threads):
    """A forked child inherits the thread pools' objects but none of their threads; work queued
    on them never ran, so a child that trained after its parent hung. Each pool is rebuilt in
    the child, which trains to the parent's very loss."""
    import multiprocessing

    parent = _train_small_cnn("parent")
    with multiprocessing.get_context("fork").Pool(1) as pool:
        child = pool.apply_async(_train_small_cnn, ("child",)).get(timeout=120)
    assert child == ("child", parent[1])
