"""PyTorch's out= on the exported functions, and NumPy's reductions called on a tensor."""

import numpy as np
import pytest

import lucidnet as ln


def test_out_is_resized_written_and_returned_as_pytorch():
    torch = pytest.importorskip("torch")
    a = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    out, rout = ln.zeros(5), torch.zeros(5)
    got = ln.matmul(ln.tensor(a), ln.tensor(a.T), out=out)
    torch.matmul(torch.tensor(a), torch.tensor(a.T), out=rout)
    assert got is out and tuple(out.shape) == tuple(rout.shape) == (2, 2)
    np.testing.assert_allclose(np.asarray(out), rout.numpy())
    values, indices = ln.empty(2), ln.empty(2, dtype=ln.int64)
    ln.max(ln.tensor(a), 1, out=(values, indices))
    np.testing.assert_array_equal(np.asarray(values), a.max(1))
    np.testing.assert_array_equal(np.asarray(indices), a.argmax(1))
    s = ln.empty(3)
    assert ln.sum(ln.tensor(a), 0, out=s) is s
    np.testing.assert_array_equal(np.asarray(s), a.sum(0))


def test_out_refuses_what_pytorch_refuses():
    with pytest.raises(RuntimeError, match="can't be cast"):
        ln.add(ln.ones(2), 0.5, out=ln.zeros(2, dtype=ln.int64))
    with pytest.raises(RuntimeError, match="automatic differentiation"):
        ln.exp(ln.ones(2, requires_grad=True), out=ln.zeros(2))
    with pytest.raises(TypeError, match="must be a Tensor"):
        ln.exp(ln.ones(2), out=np.zeros(2))
    with ln.no_grad():
        o = ln.zeros(2)
        ln.exp(ln.ones(2, requires_grad=True), out=o)  # no graph: allowed
    np.testing.assert_allclose(np.asarray(o), np.e, rtol=1e-6)


@pytest.mark.parametrize("fn, kind", [(np.sum, "sum"), (np.mean, "mean"), (np.prod, "prod"),
                                      (np.all, "all"), (np.any, "any"), (np.max, "amax"),
                                      (np.min, "amin")])
def test_numpy_reductions_accept_a_tensor(fn, kind):
    a = np.array([[1.0, 0.0], [2.0, 3.0]])
    got = fn(ln.tensor(a))
    assert isinstance(got, ln.Tensor)
    np.testing.assert_allclose(np.asarray(got), getattr(np, kind)(a))
    if kind not in ("amax", "amin"):  # max(dim) is PyTorch's (values, indices) pair
        np.testing.assert_allclose(np.asarray(fn(ln.tensor(a), axis=0)), getattr(np, kind)(a, 0))
