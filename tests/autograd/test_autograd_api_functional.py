"""Issue 9, item 5 (extras): ``autograd.functional`` (jacobian / vjp / jvp) and the legacy
``autograd.Variable``, against PyTorch; the Jacobian also against finite differences."""

import numpy as np
import pytest

import lucidnet as ln
import lucidnet.autograd.functional as AF
from lucidnet.autograd import Variable, numerical_grad

try:
    import torch
    import torch.autograd.functional as TF
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="compares with PyTorch (not installed)")

A = np.array([[0.5, -1.0, 0.2], [2.0, 0.3, -0.4]])
B = np.array([0.2, -0.7, 1.1])


def two_in_two_out(x, w):
    return (x * w).tanh(), (x * x).sum()


def one_in_one_out(x):
    return (x.exp() * 2.0).sum(axis=0)


def _flat(result):
    if isinstance(result, (tuple, list)):
        return [a for r in result for a in _flat(r)]
    return [result]


@needs_torch
@pytest.mark.parametrize("fn,args", [(two_in_two_out, (A, B)), (one_in_one_out, (A,))])
def test_jacobian_matches_pytorch(fn, args):
    ours = AF.jacobian(fn, tuple(ln.tensor(a) for a in args) if len(args) > 1 else ln.tensor(args[0]))
    theirs = TF.jacobian(fn, tuple(torch.tensor(a) for a in args) if len(args) > 1 else
                         torch.tensor(args[0]))
    for o, t in zip(_flat(ours), _flat(theirs)):
        assert o.shape == tuple(t.shape)
        np.testing.assert_allclose(o.data, t.numpy(), rtol=1e-12, atol=1e-15)


def test_jacobian_against_finite_differences_and_leaves_inputs_alone():
    x = ln.tensor(A.copy(), requires_grad=True)
    jac = AF.jacobian(one_in_one_out, x)
    assert jac.shape == (3, 2, 3) and x.grad is None and not jac.requires_grad
    for i in range(3):
        def f(i=i):
            return one_in_one_out(ln.tensor(x.data)).data[i]
        np.testing.assert_allclose(jac.data[i], numerical_grad(f, x.data), rtol=1e-6)


def test_jacobian_of_an_unused_input_is_zero_or_strict_error():
    def f(x, y):
        return x * 2.0

    jx, jy = AF.jacobian(f, (ln.tensor(B), ln.tensor(B)))
    np.testing.assert_array_equal(jx.data, 2 * np.eye(3))
    assert not jy.data.any()
    with pytest.raises(RuntimeError, match="independent of input 1"):
        AF.jacobian(f, (ln.tensor(B), ln.tensor(B)), strict=True)


@needs_torch
def test_vjp_and_jvp_match_pytorch():
    v_out = (np.ones((2, 3)) * 0.5, np.array(2.0))
    ours = AF.vjp(two_in_two_out, (ln.tensor(A), ln.tensor(B)), tuple(ln.tensor(v) for v in v_out))
    theirs = TF.vjp(two_in_two_out, (torch.tensor(A), torch.tensor(B)),
                    tuple(torch.tensor(v) for v in v_out))
    for o, t in zip(_flat(ours), _flat(theirs)):
        np.testing.assert_allclose(o.data, t.detach().numpy(), rtol=1e-12)
    v_in = (np.full(A.shape, -1.0), np.arange(3.0))
    ours = AF.jvp(two_in_two_out, (ln.tensor(A), ln.tensor(B)), tuple(ln.tensor(v) for v in v_in))
    theirs = TF.jvp(two_in_two_out, (torch.tensor(A), torch.tensor(B)),
                    tuple(torch.tensor(v) for v in v_in))
    for o, t in zip(_flat(ours), _flat(theirs)):
        np.testing.assert_allclose(o.data, t.detach().numpy(), rtol=1e-12)


def test_second_order_and_bad_arguments_raise_clearly():
    x = ln.tensor(B)
    for fn in (AF.hessian, AF.hvp, AF.vhp):
        with pytest.raises(NotImplementedError, match="second derivatives"):
            fn(lambda t: (t * t).sum(), x)
    with pytest.raises(NotImplementedError, match="create_graph"):
        AF.jacobian(lambda t: t * 2, x, create_graph=True)
    with pytest.raises(NotImplementedError, match="forward-mode"):
        AF.jacobian(lambda t: t * 2, x, strategy="forward-mode")
    with pytest.raises(RuntimeError, match="single element"):
        AF.vjp(lambda t: t * 2, x)
    with pytest.raises(TypeError, match="Tensor or a tuple"):
        AF.jacobian(lambda t: t * 2, [B])


@needs_torch
def test_variable_as_pytorch():
    for lib, var in ((ln, Variable), (torch, torch.autograd.Variable)):
        a = lib.ones(2)
        v = var(a, requires_grad=True)
        assert v is not a and v.requires_grad and v.is_leaf and isinstance(a, var)
        y = var(v * 2)
        assert y.grad_fn is None and not y.requires_grad
        with pytest.raises(TypeError, match="has to be a tensor"):
            var([1.0, 2.0])
    base = ln.tensor(B)
    assert np.shares_memory(Variable(base).data, base.data)  # shares the memory, as PyTorch


def test_vjp_and_jvp_check_the_direction_vectors():
    f = lambda x: (x * 2).sum(0)  # noqa: E731
    x = ln.ones(3, 2)
    with pytest.raises(RuntimeError, match=r"v\[0\] has shape \(3,\), the output has shape \(2,\)"):
        ln.autograd.functional.vjp(f, x, ln.ones(3))
    with pytest.raises(RuntimeError, match="v has 2 entries for 1 outputs"):
        ln.autograd.functional.vjp(f, x, (ln.ones(2), ln.ones(2)))
    with pytest.raises(RuntimeError, match=r"v\[0\] has shape \(2,\), the input has shape \(3, 2\)"):
        ln.autograd.functional.jvp(f, x, ln.ones(2))
    # a float64 direction for float32 inputs is taken in the inputs' dtype, in both
    _, jv = ln.autograd.functional.jvp(f, x, ln.ones(3, 2, dtype=ln.float64))
    _, vj = ln.autograd.functional.vjp(f, x, ln.ones(2, dtype=ln.float64))
    assert jv.dtype == np.float32 and vj.dtype == np.float32
    np.testing.assert_allclose(np.asarray(jv), [6.0, 6.0])
    np.testing.assert_allclose(np.asarray(vj), np.full((3, 2), 2.0))
