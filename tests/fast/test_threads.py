"""lucidnet.set_num_threads / get_num_threads (as torch's) and the per-op BLAS thread choice."""

from __future__ import annotations

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
