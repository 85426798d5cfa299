"""Arithmetic, comparison and logical operators against PyTorch: values, dtypes (type
promotion), gradients; float64 gradchecks of the new differentiable ops (no torch)."""

from __future__ import annotations

import operator

import numpy as np
import pytest

import lucidnet as ln
from lucidnet.autograd.operators import Remainder, RoundedDivide
from tests.compat.op_check import compare, raises_like, rand

FLOATS = [np.float32, np.float64]
SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (3,)), ((0, 3), (3,)), ((), ())]
BINARY = {
    "add": lambda m, a, b: a + b, "radd": lambda m, a, b: 1.5 + b,
    "sub": lambda m, a, b: a - b, "rsub": lambda m, a, b: 2 - b,
    "mul": lambda m, a, b: a * b, "rmul": lambda m, a, b: -3 * a,
    "div": lambda m, a, b: a / b, "rdiv": lambda m, a, b: 2.0 / b,
    "pow": lambda m, a, b: a.abs() ** b, "rpow": lambda m, a, b: 2 ** a, "pow_int": lambda m, a, b: a ** 3,
    "mod": lambda m, a, b: a % b, "rmod": lambda m, a, b: 1.5 % b.detach() + b,  # PyTorch has no gradient for it
    "add_alpha": lambda m, a, b: a.add(b, alpha=2), "sub_alpha": lambda m, a, b: m.sub(a, b, alpha=-0.5),
    "mul_m": lambda m, a, b: m.mul(a, b), "div_m": lambda m, a, b: a.div(b), "true_divide": lambda m, a, b: m.true_divide(a, b),
    "remainder": lambda m, a, b: a.remainder(b), "pow_m": lambda m, a, b: m.pow(a.abs(), b), "neg": lambda m, a, b: -a + a.neg(),
    "abs": lambda m, a, b: abs(a), "fmod": lambda m, a, b: m.fmod(a, b),
    "div_trunc": lambda m, a, b: a.div(b, rounding_mode="trunc"), "div_floor": lambda m, a, b: m.div(a, b, rounding_mode="floor"),
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shapes", SHAPES, ids=str)
@pytest.mark.parametrize("name", BINARY)
def test_binary(name, shapes, dtype):
    a, b = rand(shapes[0], dtype), rand(shapes[1], dtype, seed=1, low=0.5, high=2.0)
    compare(BINARY[name], a, b)


@pytest.mark.parametrize("op", [operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne])
@pytest.mark.parametrize("shapes", SHAPES, ids=str)
def test_comparisons(op, shapes):
    a, b = rand(shapes[0]).round(), rand(shapes[1], seed=1).round()
    compare(lambda m, x, y: (op(x, y), op(x, 1.0), op(1, y)), a, b)
    compare(lambda m, x, y: getattr(m, op.__name__)(x, y), a, b)
    compare(lambda m, x, y: getattr(x, op.__name__)(y), a, b)


def test_floor_divide_values_and_no_derivative():
    a, b = rand((3, 4)), rand((4,), seed=1, low=0.5)
    compare(lambda m, x, y: (x // y, m.floor_divide(x, 0.7), 3.0 // y), a, b, grad=False)
    x = ln.tensor(a, requires_grad=True)
    with pytest.raises(RuntimeError, match="floor_divide"):
        (x // 2).sum().backward()


PROMOTE = [  # (left, right): arrays (tensors), Python numbers
    (np.ones(3, np.float32), 2.5), (np.ones(3, np.int64), 2.5), (np.ones(3, np.int32), 2),
    (np.ones(3, np.bool_), 1), (np.ones(3, np.bool_), 1.5), (np.ones(3, np.bool_), True),
    (np.ones(3, np.float32), np.ones(3, np.float64)), (np.ones(3, np.int64), np.ones(3, np.float32)),
    (np.ones(3, np.float32), np.array(2.0, np.float64)), (np.ones(3, np.int64), np.array(2.0, np.float64)),
    (np.ones(3, np.int32), np.array(2, np.int64)), (np.array(1.0, np.float32), np.ones(3, np.float64)),
    (np.ones(3, np.uint8), np.array(1, np.int8)), (np.ones(3, np.uint8), np.ones(3, np.int8)),
    (np.ones(3, np.float16), np.array(1.0, np.float64)), (np.ones(3, np.int64), np.ones(3, np.float16)),
    (np.ones(3, np.float32), np.float64(2.0)), (np.ones(3, np.int64), np.float32(1.5)),
]


@pytest.mark.parametrize("left,right", PROMOTE, ids=lambda v: f"{getattr(v, 'dtype', type(v).__name__)}{np.shape(v)}")
@pytest.mark.parametrize("op", [operator.add, operator.mul, operator.truediv, operator.sub, operator.pow])
def test_type_promotion(op, left, right):
    if op is operator.sub and np.bool_ in (np.asarray(left).dtype, np.asarray(right).dtype):
        raises_like(lambda m, a, b: op(a, b), left, right)
        return
    if op is operator.pow and np.asarray(left).dtype == np.asarray(right).dtype == np.bool_:
        return  # PyTorch refuses bool ** bool tensors; the Python bool form is not checked
    torch = pytest.importorskip("torch")
    to_t = lambda v, m: (m.tensor(v) if isinstance(v, np.ndarray) else v)  # noqa: E731
    ours, theirs = op(to_t(left, ln), to_t(right, ln)), op(to_t(left, torch), to_t(right, torch))
    assert ours.dtype == theirs.detach().numpy().dtype
    np.testing.assert_allclose(np.asarray(ours), theirs.numpy(), rtol=1e-3)
    ours, theirs = op(to_t(right, ln), to_t(left, ln)), op(to_t(right, torch), to_t(left, torch))
    assert ours.dtype == theirs.numpy().dtype


def test_result_type_and_default_dtype():
    torch = pytest.importorskip("torch")
    i, f = np.ones(2, np.int64), np.ones(2, np.float32)
    assert ln.result_type(ln.tensor(i), 2.5) == np.float32
    assert ln.result_type(ln.tensor(i), ln.tensor(np.array(1.0))) == np.float64
    assert (ln.tensor(i) / ln.tensor(i)).dtype == np.float32 == (torch.tensor(i) / torch.tensor(i)).numpy().dtype
    assert ln.result_type(ln.tensor(f), 1) == np.float32
    ln.set_default_dtype(np.float64)
    assert (ln.tensor(i) * 0.5).dtype == np.float64
    assert (ln.tensor(i) / 2).dtype == np.float64
    assert (ln.tensor(f) * 0.5).dtype == np.float32  # a float tensor keeps its dtype


def test_int_and_bool_arithmetic():
    i, j = np.array([5, -3, 7]), np.array([2, 2, -3])
    compare(lambda m, a, b: (a + b, a * b, a // b, a % b, a - 1, a.div(b, rounding_mode="trunc"),
                             m.div(a, b, rounding_mode="floor"), a ** 2, 2 ** b.abs(), a / b, -a), i, j)
    bools = np.array([True, False, True]), np.array([True, True, False])
    compare(lambda m, a, b: (a + b, a * b, a & b, a | b, a ^ b, ~a, a + 1, a * 1.5, ~m.tensor(i)), *bools)
    raises_like(lambda m, a, b: a - b, *bools)
    raises_like(lambda m, a, b: True - a, *bools)
    raises_like(lambda m, a, b: m.tensor(i) - True, *bools)
    raises_like(lambda m, a, b: -a, *bools)
    raises_like(lambda m, a, b: a.add(b, alpha=0.5), i, j)


def test_logical():
    a, b = np.array([0.0, 1.5, -2.0, 0.0]), np.array([1, 0, 3, 0])
    compare(lambda m, x, y: (m.logical_and(x, y), m.logical_or(x, y), m.logical_xor(x, y), m.logical_not(x),
                             x.logical_and(y), y.logical_not(), (x > 0) & (y > 0), (x > 0) | (y > 0), ~(x > 0)), a, b)
    raises_like(lambda m, x, y: x & x, a, b)
    raises_like(lambda m, x, y: ~x, a, b)


@pytest.mark.parametrize("other", [None, "a", object(), [1.0, 2.0]], ids=["None", "str", "object", "list"])
def test_eq_with_incomparable_objects(other):
    t = ln.tensor([1.0, 2.0])
    assert (t == other) is False
    assert (t != other) is True


def test_eq_with_pytest_approx_and_hash():
    t = ln.tensor(1.5)
    assert t == pytest.approx(1.5)
    assert len({t, ln.tensor(1.5)}) == 2  # hashed by identity, as PyTorch
    assert {t: 1}[t] == 1
    with pytest.raises(TypeError):
        t < "a"  # noqa: B015
    with pytest.raises(TypeError):
        t + "a"


def test_broadcast_mismatch_is_runtime_error():
    raises_like(lambda m, a, b: a + b, np.ones((2, 3)), np.ones(2))
    raises_like(lambda m, a, b: a * b, np.ones((2, 3)), np.ones((4, 3)))
    raises_like(lambda m, a, b: a < b, np.ones((2, 3)), np.ones(2))
    with pytest.raises(RuntimeError, match="non-singleton dimension 1"):
        ln.tensor(np.ones((2, 3))) + ln.tensor(np.ones(2))


def test_second_use_and_ndarray_operands():
    a = rand((2, 3))
    compare(lambda m, x: (x * x + x) / (x - 3.0) - (x * 2) ** 2, a)
    t = ln.tensor(a, requires_grad=True)
    out = np.ones(3) + t  # ndarray on the left goes to Tensor.__radd__
    assert isinstance(out, ln.Tensor) and out.requires_grad


@pytest.mark.parametrize("op,args", [(Remainder, (rand((3, 4), seed=2, low=0.3, high=5.0), rand((4,), seed=3, low=0.7, high=1.9))),
                                     (RoundedDivide, (rand((3, 4), seed=2), rand((4,), seed=3, low=0.7)))])
def test_gradcheck_new_ops(op, args):
    ts = [ln.tensor(a, requires_grad=True) for a in args]
    assert ln.gradcheck(lambda *x: op.apply(*x) ** 2, ts)


def test_fmod_matches_c_sign():
    compare(lambda m, a, b: m.fmod(a, b), np.array([5.5, -5.5, 3.0]), np.array([2.0, 2.0, -2.0]))


_DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


@pytest.mark.parametrize("left", _DTYPES)
def test_result_type_table_matches_torch(left):
    """Every pair of dtypes, as a tensor with dims or a 0-d tensor, and every Python scalar kind:
    lucidnet.result_type and the dtype of a + b are torch.result_type's."""
    torch = pytest.importorskip("torch")
    for right in _DTYPES:
        for lshape, rshape in (((2,), (2,)), ((2,), ()), ((), (2,)), ((), ())):
            a, b = np.ones(lshape, left), np.ones(rshape, right)
            want = torch.result_type(torch.tensor(a), torch.tensor(b))
            want = np.dtype(str(want).replace("torch.", ""))
            assert ln.result_type(ln.tensor(a), ln.tensor(b)) == want, (left, lshape, right, rshape)
            if not (left == right == "bool"):
                assert (ln.tensor(a) * ln.tensor(b)).dtype == want
    for scalar in (True, 2, 2.5):
        a = np.ones(2, left)
        want = np.dtype(str(torch.result_type(torch.tensor(a), scalar)).replace("torch.", ""))
        assert ln.result_type(ln.tensor(a), scalar) == want
        assert (ln.tensor(a) * scalar).dtype == want == (scalar * ln.tensor(a)).dtype
