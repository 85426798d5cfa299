"""One-line op tests against PyTorch (tinygrad's ``helper_test_op``), shared by test_ops_*.py.

``compare(fn, *inputs)`` runs ``fn(lucidnet, *tensors)`` and ``fn(torch, *tensors)`` on the same
values: the forward results (a tensor, a number, or a tuple/list of them) must agree in value
and dtype, and after one backward pass with the same random upstream gradient so must the
gradients of every floating input.
"""

from __future__ import annotations

import numpy as np
import pytest

import lucidnet as ln

TOL = {np.dtype(np.float32): dict(rtol=2e-5, atol=2e-6), np.dtype(np.float64): dict(rtol=1e-10, atol=1e-12)}


# what PyTorch raises for bad input (AssertionError for CUDA, NotImplementedError for dtypes)
TORCH_ERRORS = (TypeError, ValueError, RuntimeError, AssertionError, NotImplementedError,
                OverflowError)


def both_raise(fn, exc=Exception):
    """fn(lib) raises in PyTorch and in lucidnet; returns lucidnet's exception."""
    torch = pytest.importorskip("torch")
    with pytest.raises(TORCH_ERRORS):
        fn(torch)
    with pytest.raises(exc) as info:
        fn(ln)
    return info.value


def rand(shape, dtype=np.float64, seed=0, low=-2.0, high=2.0):
    return np.asarray(np.random.default_rng(seed).uniform(low, high, shape), dtype=dtype)


def _tol(dtype):
    return TOL.get(np.dtype(dtype), dict(rtol=0, atol=0))


def _flat(out):
    """The tensors of an output: a tensor, or a (named) tuple / list of tensors."""
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _flat(o)]
    return [out]


def _as_numpy(t, torch):
    if isinstance(t, torch.Tensor):
        return t.detach().numpy()
    return np.asarray(t.data if isinstance(t, ln.Tensor) else t)


def compare(fn, *inputs, grad=True, tol=None, check_dtype=True):
    """Compare ``fn(ln, *ours)`` with ``fn(torch, *theirs)`` forward and backward.

    inputs: NumPy arrays (floating ones require grad when ``grad``) or anything else, passed as
    is to both. Returns the lucidnet output for extra checks.
    """
    torch = pytest.importorskip("torch")
    ours, theirs = [], []
    for x in inputs:
        if isinstance(x, np.generic):
            x = np.asarray(x)
        if isinstance(x, np.ndarray):
            g = grad and x.dtype.kind == "f"
            ours.append(ln.tensor(x, requires_grad=g))
            theirs.append(torch.tensor(x, requires_grad=g))
        else:
            ours.append(x)
            theirs.append(x)
    out, ref = fn(ln, *ours), fn(torch, *theirs)
    outs, refs = _flat(out), _flat(ref)
    assert len(outs) == len(refs), f"{len(outs)} outputs, PyTorch gives {len(refs)}"
    for o, r in zip(outs, refs):
        a, b = _as_numpy(o, torch), _as_numpy(r, torch)
        assert a.shape == b.shape, f"shape {a.shape}, PyTorch {b.shape}"
        if check_dtype and isinstance(r, torch.Tensor):
            assert a.dtype == b.dtype, f"dtype {a.dtype}, PyTorch {b.dtype}"
        np.testing.assert_allclose(a, b, **(tol or _tol(b.dtype)), equal_nan=True)
    if not grad:
        return out
    rng = np.random.default_rng(1)
    pairs = [(o, r) for o, r in zip(outs, refs)
             if isinstance(r, torch.Tensor) and r.requires_grad]
    if not pairs:
        return out
    loss_ours, loss_theirs = 0, 0
    for o, r in pairs:
        w = rng.standard_normal(tuple(r.shape)).astype(_as_numpy(r, torch).dtype)
        loss_ours = loss_ours + (o * ln.tensor(w)).sum()
        loss_theirs = loss_theirs + (r * torch.tensor(w)).sum()
    loss_ours.backward()
    loss_theirs.backward()
    for o, r in zip(ours, theirs):
        if isinstance(r, torch.Tensor) and r.requires_grad:
            want = r.grad
            got = o.grad
            if want is None:
                assert got is None or not np.asarray(got).any()
                continue
            assert got is not None, "no gradient reached an input PyTorch differentiates"
            np.testing.assert_allclose(np.asarray(got), want.numpy(), **(tol or _tol(want.numpy().dtype)))
    return out


def raises_like(fn, *inputs):
    """``fn`` raises the same kind of error under lucidnet as under PyTorch."""
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as ref:
        fn(torch, *[torch.tensor(x) if isinstance(x, np.ndarray) else x for x in inputs])
    kind = ref.type if ref.type in (IndexError, RuntimeError, TypeError, ValueError) else RuntimeError
    with pytest.raises(kind):
        fn(ln, *[ln.tensor(x) if isinstance(x, np.ndarray) else x for x in inputs])
