"""Every op: float64 gradient check and agreement with PyTorch (SPEC A1, A4).

Each case runs twice (the ``part`` fixture): the finite-difference check, which never needs
PyTorch, and the comparison with PyTorch, which skips without it.
"""

import numpy as np
import pytest

import lucidnet as ln
from tests.helpers import check_against_torch, check_gradient

try:
    import torch  # noqa: F401  (only to know whether the comparisons can run)

    HAVE_TORCH = True
except ImportError:
    HAVE_TORCH = False


@pytest.fixture(params=["gradcheck", "vs_torch"])
def part(request):
    if request.param == "vs_torch" and not HAVE_TORCH:
        pytest.skip("compares with PyTorch (not installed)")
    return request.param

BINARY = [
    ("add", lambda a, b: a + b),
    ("sub", lambda a, b: a - b),
    ("mul", lambda a, b: a * b),
    ("div", lambda a, b: a / b),
]
BROADCAST_SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 3, 4), (3, 1)), ((1, 4), (5, 1)), ((), (3,))]


@pytest.mark.parametrize("name,fn", BINARY)
@pytest.mark.parametrize("shapes", BROADCAST_SHAPES)
def test_binary_ops(name, fn, shapes, part):
    positive = name == "div"
    if part == "gradcheck":
        check_gradient(shapes, fn, positive=positive)
    else:
        check_against_torch(shapes, fn, fn, positive=positive)


UNARY = [
    ("neg", lambda a: -a, lambda a: -a, False),
    ("exp", lambda a: a.exp(), lambda a: a.exp(), False),
    ("log", lambda a: a.log(), lambda a: a.log(), True),
    ("sqrt", lambda a: a.sqrt(), lambda a: a.sqrt(), True),
    ("abs", lambda a: a.abs(), lambda a: a.abs(), False),
    ("pow2", lambda a: a ** 2, lambda a: a ** 2, False),
    ("pow_frac", lambda a: a ** 1.5, lambda a: a ** 1.5, True),
    ("rpow", lambda a: 2.0 ** a, lambda a: 2.0 ** a, False),
    ("clip", lambda a: a.clip(-0.5, 0.7), lambda a: a.clamp(-0.5, 0.7), False),
    ("rsub", lambda a: 1.0 - a, lambda a: 1.0 - a, False),
    ("rdiv", lambda a: 1.0 / a, lambda a: 1.0 / a, True),
]


@pytest.mark.parametrize("name,ours,theirs,positive", UNARY, ids=[u[0] for u in UNARY])
@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 2)])
def test_unary_ops(name, ours, theirs, positive, shape, part):
    if part == "gradcheck":
        check_gradient([shape], ours, positive=positive)
    else:
        check_against_torch([shape], ours, theirs, positive=positive)


def test_tensor_power_tensor(part):
    if part == "gradcheck":
        check_gradient([(3, 4), (3, 4)], lambda a, b: a ** b, positive=True)
    else:
        check_against_torch([(3, 4), (3, 4)], lambda a, b: a ** b, lambda a, b: a ** b,
                            positive=True)


REDUCTIONS = [
    ("sum", {}), ("sum", {"axis": 0}), ("sum", {"axis": 1, "keepdims": True}), ("sum", {"axis": (0, 2)}),
    ("mean", {}), ("mean", {"axis": -1}), ("mean", {"axis": (1, 2), "keepdims": True}),
    ("var", {}), ("var", {"axis": 0}), ("var", {"axis": 1, "keepdims": True}),
    ("var", {"correction": 0}), ("var", {"axis": (0, 2), "unbiased": False}),
    ("var", {"axis": -1, "correction": 2}), ("std", {}), ("std", {"axis": 1, "correction": 0}),
    ("amax", {}), ("amax", {"axis": 1}), ("amin", {"axis": 2, "keepdims": True}),
    ("amax", {"axis": (0, 2)}), ("max", {}), ("max", {"axis": 1}),
    ("min", {"axis": 2, "keepdims": True}), ("max", {"axis": -1}),
]


def _torch_reduce(name, kw):
    def fn(t):
        axis = kw.get("axis")
        keep = kw.get("keepdims", False)
        if name in ("var", "std"):  # PyTorch's default is the unbiased estimator, as ours
            extra = {k: kw[k] for k in ("correction", "unbiased") if k in kw}
            op = getattr(t, name)
            return op(**extra) if axis is None else op(dim=axis, keepdim=keep, **extra)
        if name in ("max", "min") and axis is not None:  # PyTorch's (values, indices)
            return getattr(t, name)(dim=axis, keepdim=keep).values
        op = getattr(t, name)
        return op() if axis is None else op(dim=axis, keepdim=keep)
    return fn


@pytest.mark.parametrize("name,kw", REDUCTIONS)
def test_reductions(name, kw, part):
    def ours(a):
        out = getattr(a, name)(**kw)
        return out.values if name in ("max", "min") and "axis" in kw else out
    if part == "gradcheck":
        check_gradient([(2, 3, 4)], ours)
    else:
        check_against_torch([(2, 3, 4)], ours, _torch_reduce(name, kw))


def test_max_along_a_dim_returns_values_and_indices_like_torch():
    """`_, predicted = outputs.max(1)` (the tutorials' idiom) gives the argmax, and the
    gradient of max(dim) goes to that one entry even with ties, as PyTorch's."""
    a = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    x = ln.tensor(a, requires_grad=True)
    values, indices = x.max(1)
    np.testing.assert_array_equal(values.data, [3.0, 2.0])
    np.testing.assert_array_equal(indices.data, [1, 0])
    assert indices.dtype == np.int64 and x.min(1).indices.data.tolist() == [0, 2]
    values.sum().backward()
    np.testing.assert_array_equal(x.grad, [[0, 1, 0], [1, 0, 0]])
    kept = ln.tensor(a).max(-1, keepdims=True)
    assert kept.values.shape == (2, 1) and kept.indices.shape == (2, 1)
    assert ln.tensor(np.float32(4.0)).max(0).indices.data == 0
    with pytest.raises(TypeError, match=r"amax\(\(0, 1\)\)"):
        x.max((0, 1))
    with pytest.raises(IndexError, match="size 0"):
        ln.tensor(np.zeros((2, 0))).max(1)
    torch = pytest.importorskip("torch")
    t = torch.tensor(a, requires_grad=True)
    tv, ti = t.max(1)
    tv.sum().backward()
    np.testing.assert_array_equal(indices.data, ti.numpy())
    np.testing.assert_array_equal(x.grad, t.grad.numpy())


def test_max_ties_share_gradient_like_torch():
    torch = pytest.importorskip("torch")
    a = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    x = ln.tensor(a, requires_grad=True)
    x.amax(axis=1).sum().backward()
    t = torch.tensor(a, requires_grad=True)
    t.amax(dim=1).sum().backward()
    np.testing.assert_allclose(x.grad, t.grad.numpy())


SHAPE_OPS = [
    ("reshape", lambda a: a.reshape(4, 6), lambda a: a.reshape(4, 6)),
    ("flatten", lambda a: a.flatten(1), lambda a: a.flatten(1)),
    ("transpose", lambda a: a.transpose(0, 2), lambda a: a.transpose(0, 2)),
    ("permute", lambda a: a.transpose((2, 0, 1)), lambda a: a.permute(2, 0, 1)),
    ("slice", lambda a: a[1:, ::2], lambda a: a[1:, ::2]),
    ("int_index", lambda a: a[0, 1], lambda a: a[0, 1]),
    ("fancy_repeat", lambda a: a[[0, 0, 1]], lambda a: a[[0, 0, 1]]),
    ("bool_mask", lambda a: a[a.data > 0], lambda a: a[a > 0]),
]


@pytest.mark.parametrize("name,ours,theirs", SHAPE_OPS, ids=[s[0] for s in SHAPE_OPS])
def test_shape_ops(name, ours, theirs, part):
    if part == "gradcheck":
        check_gradient([(2, 3, 4)], ours)
    else:
        check_against_torch([(2, 3, 4)], ours, theirs)


def test_T_on_matrix():
    check_against_torch([(3, 5)], lambda a: a.T, lambda a: a.T)


def test_concatenate_and_stack(part):
    if part == "gradcheck":
        check_gradient([(2, 3), (4, 3)], lambda a, b: ln.concatenate([a, b], axis=0))
        check_gradient([(2, 3), (2, 3)], lambda a, b: ln.stack([a, b], axis=-1))
        return
    check_against_torch([(2, 3), (2, 5)], lambda a, b: ln.concatenate([a, b], axis=1),
                        lambda a, b: __import__("torch").cat([a, b], dim=1))
    check_against_torch([(2, 3), (2, 3)], lambda a, b: ln.stack([a, b], axis=0),
                        lambda a, b: __import__("torch").stack([a, b], dim=0))


MATMUL_SHAPES = [((3, 4), (4, 5)), ((4,), (4, 2)), ((3, 4), (4,)), ((4,), (4,)), ((2, 3, 4), (4, 5)),
                 ((2, 3, 4), (2, 4, 5)), ((1, 3, 4), (2, 4, 2))]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES)
def test_matmul(shapes, part):
    if part == "gradcheck":
        check_gradient(shapes, lambda a, b: a @ b)
    else:
        check_against_torch(shapes, lambda a, b: a @ b, lambda a, b: a @ b)


def test_shared_subexpression_accumulates():
    """x used twice: dL/dx sums both paths (SPEC A1 gradient accumulation)."""
    check_gradient([(3,)], lambda a: a * a + a.exp() * a)
    x = ln.tensor([2.0], requires_grad=True)
    y = x * x
    (y + y).sum().backward()
    assert x.grad[0] == pytest.approx(8.0)
    (x * 3).sum().backward()  # a second backward accumulates into .grad
    assert x.grad[0] == pytest.approx(11.0)


def test_deep_graph_does_not_hit_recursion_limit():
    x = ln.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.sum().backward()
    assert x.grad[0] == pytest.approx(1.0001 ** 5000, rel=1e-4)


def test_leaf_grads_never_alias_each_other():
    """Add's backward hands the same array to both inputs; each leaf must own its .grad."""
    a = ln.tensor([1.0, 2.0], requires_grad=True)
    b = ln.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    assert a.grad is not b.grad and not np.shares_memory(a.grad.data, b.grad.data)
    (a * 2).sum().backward()
    np.testing.assert_array_equal(a.grad, [3.0, 3.0])
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])
    x = ln.tensor([[1.0, 2.0]], requires_grad=True)
    y = x.reshape(2)  # a view flows back: must be copied before it is stored
    seed = np.array([1.0, 1.0], dtype=np.float32)
    y.backward(seed)
    assert not np.shares_memory(x.grad.data, seed)
    seed[:] = 7.0
    np.testing.assert_array_equal(x.grad, [[1.0, 1.0]])
