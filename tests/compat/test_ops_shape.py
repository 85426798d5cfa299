"""Shape ops and indexing against PyTorch (forward, backward, float32/float64, negative dims,
0-d and zero-size tensors), the errors PyTorch raises, and float64 gradchecks of the new
differentiable shape ops (no torch)."""

from __future__ import annotations

import numpy as np
import pytest

import lucidnet as ln
from lucidnet.autograd import registry
from lucidnet.autograd.ops.shape import Expand, Flip, GetItem, Repeat, torch_index
from tests.compat.op_check import compare, raises_like, rand

FLOATS = [np.float32, np.float64]


def _stack(m):
    """m.stack; for lucidnet the registered one (lucidnet/__init__.py still defines an older
    ``stack(tensors, axis)`` over it: to be removed there)."""
    return m.stack if m is not ln else registry.EXPORTS["stack"]


SHAPE_OPS = {  # name -> (input shape, f(module, x))
    "view": ((3, 4), lambda m, x: x.view(2, -1, 3)), "view_tuple": ((3, 4), lambda m, x: x.view((4, 3))),
    "view_as": ((3, 4), lambda m, x: x.view_as(x.reshape(6, 2))), "reshape": ((2, 3, 4), lambda m, x: x.reshape(-1)),
    "reshape_fn": ((2, 3), lambda m, x: m.reshape(x, (3, 1, 2))), "reshape_0d": ((), lambda m, x: x.reshape(1, 1)),
    "reshape_empty": ((0, 3), lambda m, x: x.reshape(3, 0, 5)),
    "permute": ((2, 3, 4), lambda m, x: x.permute(2, 0, 1)), "permute_neg": ((2, 3, 4), lambda m, x: m.permute(x, (-1, -3, -2))),
    "transpose": ((2, 3, 4), lambda m, x: x.transpose(0, -1)), "transpose_fn": ((2, 3), lambda m, x: m.transpose(x, 1, 0)),
    "swapaxes": ((2, 3, 4), lambda m, x: x.swapaxes(1, 2)), "t": ((3, 4), lambda m, x: x.t()), "t_1d": ((4,), lambda m, x: x.t()),
    "T": ((3, 4), lambda m, x: x.T), "mT": ((2, 3, 4), lambda m, x: x.mT),
    "squeeze": ((1, 3, 1), lambda m, x: x.squeeze()), "squeeze_dim": ((1, 3, 1), lambda m, x: x.squeeze(-1)),
    "squeeze_tuple": ((1, 3, 1), lambda m, x: x.squeeze((0, 2))), "squeeze_noop": ((1, 3, 1), lambda m, x: x.squeeze(1)),
    "squeeze_0d": ((), lambda m, x: x.squeeze(0)),
    "unsqueeze": ((3, 4), lambda m, x: x.unsqueeze(1)), "unsqueeze_end": ((3, 4), lambda m, x: m.unsqueeze(x, -1)),
    "unsqueeze_0d": ((), lambda m, x: x.unsqueeze(0)),
    "expand": ((3, 1), lambda m, x: x.expand(2, 3, 4)), "expand_keep": ((3, 1), lambda m, x: x.expand(-1, 5)),
    "expand_as": ((1, 4), lambda m, x: x.expand_as(m.tensor(np.zeros((3, 4))))), "expand_0d": ((), lambda m, x: x.expand(3)),
    "broadcast_to": ((4,), lambda m, x: m.broadcast_to(x, (2, 4))),
    "repeat": ((2, 3), lambda m, x: x.repeat(2, 1, 3)), "repeat_same": ((2, 3), lambda m, x: x.repeat(1, 1)),
    "repeat_0d": ((), lambda m, x: x.repeat(4)),
    "flip": ((2, 3, 4), lambda m, x: x.flip(0, -1)), "flip_tuple": ((2, 3), lambda m, x: m.flip(x, (1,))),
    "flip_kw": ((2, 3), lambda m, x: m.flip(x, dims=[0, 1]) + x.flip(dims=(1,))),
    "permute_kw": ((2, 3, 4), lambda m, x: x.permute(dims=(1, 2, 0))),
    "transpose_kw": ((2, 3, 4), lambda m, x: x.transpose(dim0=2, dim1=0)),
    "split_kw": ((5, 3), lambda m, x: x.split(split_size=2, dim=0)),
    "flatten": ((2, 3, 4), lambda m, x: x.flatten()), "flatten_1": ((2, 3, 4), lambda m, x: x.flatten(1)),
    "flatten_mid": ((2, 3, 4, 5), lambda m, x: m.flatten(x, 1, -2)), "flatten_0d": ((), lambda m, x: x.flatten()),
    "unflatten": ((2, 12), lambda m, x: x.unflatten(1, (3, -1))), "unflatten_neg": ((2, 12), lambda m, x: m.unflatten(x, -1, (2, 2, 3))),
    "split": ((5, 3), lambda m, x: x.split(2)), "split_sizes": ((3, 5), lambda m, x: x.split([1, 4], dim=-1)),
    "split_fn": ((4, 3), lambda m, x: m.split(x, 3, 0)), "split_empty": ((0, 3), lambda m, x: x.split(2)),
    "chunk": ((5, 3), lambda m, x: x.chunk(3)), "chunk_fewer": ((6,), lambda m, x: x.chunk(4)),
    "chunk_dim": ((2, 7), lambda m, x: m.chunk(x, 2, dim=-1)), "chunk_empty": ((0, 2), lambda m, x: x.chunk(3)),
    "narrow_end": ((3, 5), lambda m, x: x.narrow(1, 5, 0)),
    "narrow": ((3, 5), lambda m, x: x.narrow(1, 1, 3)), "narrow_neg": ((3, 5), lambda m, x: m.narrow(x, -1, -2, 2)),
    "unbind": ((3, 2), lambda m, x: x.unbind()), "unbind_dim": ((3, 2), lambda m, x: m.unbind(x, -1)),
    "iter": ((3, 2), lambda m, x: list(x)),
    "cat": ((2, 3), lambda m, x: m.cat([x, x * 2], -1)), "cat_dim0": ((2, 3), lambda m, x: m.cat((x, x[:1]))),
    "concat": ((2, 3), lambda m, x: m.concat([x, x], dim=1)), "cat_skip_empty": ((2, 3), lambda m, x: m.cat([m.tensor(np.zeros(0)), x])),
    "stack": ((2, 3), lambda m, x: m.stack([x, x * 3])), "stack_neg": ((2, 3), lambda m, x: _stack(m)([x, x], dim=-1)),
    "stack_0d": ((), lambda m, x: m.stack([x, x * 2])),
    "hstack": ((2, 3), lambda m, x: m.hstack([x, x])), "hstack_1d": ((3,), lambda m, x: m.hstack([x, x[:2]])),
    "vstack": ((3,), lambda m, x: m.vstack([x, x])), "vstack_2d": ((2, 3), lambda m, x: m.vstack([x, x[:1]])),
    "movedim": ((2, 3, 4), lambda m, x: x.movedim(0, -1)), "movedim_tuple": ((2, 3, 4), lambda m, x: m.movedim(x, (0, 1), (2, 0))),
    "moveaxis": ((2, 3, 4), lambda m, x: m.moveaxis(x, -1, 0)), "ravel": ((2, 3), lambda m, x: x.ravel()),
    "tile": ((2, 3), lambda m, x: x.tile((2,))), "tile_more": ((2, 3), lambda m, x: m.tile(x, (2, 1, 2))),
    "roll": ((2, 5), lambda m, x: x.roll(2, 1)), "roll_neg": ((2, 5), lambda m, x: m.roll(x, (-1, 7), (0, 1))),
    "roll_flat": ((2, 5), lambda m, x: x.roll(3)), "roll_0d": ((), lambda m, x: x.roll(1)),
    "repeat_interleave": ((2, 3), lambda m, x: x.repeat_interleave(2)),
    "repeat_interleave_dim": ((2, 3), lambda m, x: x.repeat_interleave(m.tensor(np.array([1, 0, 3])), dim=-1)),
    "atleast_2d": ((3,), lambda m, x: m.atleast_2d(x)), "atleast_1d_0d": ((), lambda m, x: m.atleast_1d(x)),
    "atleast_2d_many": ((), lambda m, x: m.atleast_2d(x, x * 2)),
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", SHAPE_OPS)
def test_shape_ops(name, dtype):
    shape, fn = SHAPE_OPS[name]
    compare(fn, rand(shape, dtype))


def test_cat_promotes_dtypes():
    compare(lambda m, a, b: (m.cat([a, b]), m.stack([b, a])), np.ones(2, np.float32), np.ones(2))
    compare(lambda m, a, b: m.cat([a, b]), np.ones(2, np.int64), np.ones(2, np.float32))


def test_size_dim_numel_item_and_friends():
    torch = pytest.importorskip("torch")
    a = rand((2, 3, 4))
    x, y = ln.tensor(a), torch.tensor(a)
    assert x.size() == tuple(y.size()) and x.shape == tuple(y.shape)
    assert x.size(-1) == y.size(-1) == 4 and x.size(dim=1) == 3
    assert x.dim() == y.dim() == x.ndim == 3 and x.ndimension() == 3
    assert x.numel() == y.numel() == 24 and x.nelement() == 24 and ln.numel(x) == 24
    assert len(x) == len(y) == 2
    assert ln.tensor(2.5).item() == 2.5 and isinstance(ln.tensor(np.array([3])).item(), int)
    assert x.tolist() == y.tolist()
    index = ln.tensor(np.array(1))
    assert [10, 20, 30][index] == 20 and [10, 20, 30][ln.tensor(np.array([2]))] == 30
    assert ln.tensor(np.zeros((0, 3))).size() == (0, 3)
    raises_like(lambda m, t: t.size(3), a)
    raises_like(lambda m, t: t.item(), a)
    raises_like(lambda m, t: len(t), np.array(1.0))
    raises_like(lambda m, t: iter(t), np.array(1.0))
    raises_like(lambda m, t: [1, 2][t], np.array(1.0))
    raises_like(lambda m, t: [1, 2][t], np.array([0, 1]))


def test_iteration_stays_in_the_graph():
    compare(lambda m, x: sum(row * i for i, row in enumerate(x)), rand((3, 4)))


X = rand((3, 4, 5))
INDEXES = {
    "int": lambda m, x: x[1], "neg_int": lambda m, x: x[-1, -2], "slice": lambda m, x: x[1:, ::2],
    "ellipsis": lambda m, x: x[..., 1], "none": lambda m, x: x[None, :, None], "list": lambda m, x: x[[0, 2, 0]],
    "repeated": lambda m, x: x[[0, 0, 0, 1]] + x[:, [1, 1]].sum(), "bool_tensor": lambda m, x: x[x > 0],
    "bool_rows": lambda m, x: x[m.tensor(np.array([True, False, True]))], "bool_list": lambda m, x: x[[True, False, True]],
    "int_tensor": lambda m, x: x[m.tensor(np.array([2, 0]))], "int_tensor_2d": lambda m, x: x[m.tensor(np.array([[2, 0], [1, 1]]))],
    "zero_d_tensor": lambda m, x: x[m.tensor(np.array(1))], "zero_d_mix": lambda m, x: x[m.tensor(np.array(1)), :, [0, 1]],
    "int_then_list": lambda m, x: x[0, :, [0, 1]], "list_slice_int": lambda m, x: x[[0, 1], :, 0],
    "ints_lists": lambda m, x: x[0, [0, 1], [1, 2]], "split_by_int": lambda m, x: x[[0, 1], 0, [1, 2]],
    "none_int_ellipsis_list": lambda m, x: x[None, 0, ..., [1, 2]], "slice_list_slice": lambda m, x: x[:, [3, 0, 3], 1:],
    "two_lists_apart": lambda m, x: x[[0, 2], :, [4, 4]], "mask_and_int": lambda m, x: x[m.tensor(np.array([True, False, True])), 1],
    "empty_list": lambda m, x: x[m.tensor(np.array([], dtype=np.int64))], "all": lambda m, x: x[:],
    "range_and_tensor": lambda m, x: x[range(3), m.tensor(np.array([0, 3, 1]))],
    "int_then_range": lambda m, x: x[1, :, range(2)],
    "list_of_0d_tensors": lambda m, x: x[[m.tensor(np.array(2)), m.tensor(np.array(0))]],
    "list_of_tensors": lambda m, x: x[[m.tensor(np.array([0, 1])), m.tensor(np.array([1, 2]))]],
    "list_of_lists": lambda m, x: x[[[0, 1], [1, 2]]], "list_with_slice": lambda m, x: x[[0, slice(None)]],
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", INDEXES)
def test_indexing(name, dtype):
    compare(INDEXES[name], X.astype(dtype))


def test_indexing_errors_like_torch():
    raises_like(lambda m, x: x[5], X)
    raises_like(lambda m, x: x[[5]], X)
    raises_like(lambda m, x: x[0, 0, 0, 0], X)
    raises_like(lambda m, x: x[m.tensor(np.array(1.0))], X)
    raises_like(lambda m, x: x[::-1], X)


def test_torch_index_splits_only_when_ints_meet_arrays():
    assert torch_index((0, slice(None))) == ((0, slice(None)), None)
    first, then = torch_index((0, slice(None), [0, 1]))
    assert first == (0, slice(None), slice(None)) and then == (slice(None), [0, 1])


BAD = [
    lambda m, x: x.view(-1, -1), lambda m, x: x.view(7, -1), lambda m, x: x.reshape(5, 5),
    lambda m, x: x.permute(0, 1), lambda m, x: x.permute(0, 0, 1), lambda m, x: x.transpose(0, 3),
    lambda m, x: x.t(), lambda m, x: x.squeeze(3), lambda m, x: x.unsqueeze(4),
    lambda m, x: x.expand(3, 5, 5), lambda m, x: x.expand(-1, 3, 4, 5), lambda m, x: x.repeat(2),
    lambda m, x: x.unflatten(1, (3, -1)), lambda m, x: x.split([1, 2], 1), lambda m, x: x.split(0, 1),
    lambda m, x: x.chunk(0), lambda m, x: x.narrow(2, 4, 3), lambda m, x: x.flatten(2, 1),
    lambda m, x: m.cat([x, m.tensor(np.zeros((3, 4)))]), lambda m, x: m.cat([x, m.tensor(np.zeros((2, 4, 5)))], 1),
    lambda m, x: m.cat([]), lambda m, x: _stack(m)([x, m.tensor(np.zeros(3))]), lambda m, x: _stack(m)([x], 4),
    lambda m, x: m.tensor(np.zeros((0, 3))).reshape(3, 0, -1),
    lambda m, x: x.flip(3), lambda m, x: x.unbind(3), lambda m, x: m.cat([x], 3),
    lambda m, x: x.sum().roll(1, 0), lambda m, x: x.movedim((0, 1), 2), lambda m, x: x.roll((1, 2), 0),
    lambda m, x: x.repeat_interleave(m.tensor(np.array([1, 2])), 0),
]


@pytest.mark.parametrize("i", range(len(BAD)))
def test_bad_shapes_raise_like_torch(i):
    raises_like(BAD[i], X)


@pytest.mark.parametrize("case", [
    (lambda t: Expand.apply(t, shape=(2, 3, 4)), rand((3, 1))),
    (lambda t: Repeat.apply(t, reps=(2, 1, 3)), rand((2, 3))),
    (lambda t: Flip.apply(t, dims=(0, 2)), rand((2, 3, 2))),
    (lambda t: GetItem.apply(t, index=(0, slice(None), slice(None)), then=(slice(None), [1, 1, 0])), rand((2, 3, 2))),
    (lambda t: GetItem.apply(t, index=np.array([0, 2, 0, 0])), rand((3, 2))),
], ids=["expand", "repeat", "flip", "two_step_index", "repeated_index"])
def test_gradcheck_new_shape_ops(case):
    fn, a = case
    assert ln.gradcheck(fn, [ln.tensor(a, requires_grad=True)])


def test_second_use_of_views():
    compare(lambda m, x: x.view(-1) * x.flatten() + x.t().reshape(-1) + x.expand(2, 3, 4)[1].reshape(-1), rand((3, 4)))


def _random_part(rng, n):
    kind = rng.randrange(6)
    if kind == 0:
        return rng.randrange(-n, n)
    if kind == 1:
        return slice(rng.choice([None, 0, 1]), rng.choice([None, -1, n]), rng.choice([None, 1, 2]))
    if kind == 2:
        return [rng.randrange(n) for _ in range(2)]
    if kind == 3:
        return np.array([rng.randrange(n) for _ in range(2)])
    if kind == 4:
        return None
    return np.array([rng.random() < 0.5 for _ in range(n)])


def _random_index(rng, shape):
    """A random mix of ints, slices, lists, integer and bool tensors, None and Ellipsis."""
    parts, d, ellipsis = [], 0, False
    for _ in range(rng.randrange(1, 4)):
        if d >= len(shape):
            break
        if not ellipsis and rng.random() < 0.15:
            parts.append(Ellipsis)
            ellipsis = True
            continue
        p = _random_part(rng, shape[d])
        parts.append(p)
        d += p is not None
    return tuple(parts)


def _wrap(m, index):
    return tuple(m.tensor(p) if isinstance(p, np.ndarray) else p for p in index)


def test_random_index_mixes_match_torch():
    """300 random index mixes: PyTorch's result, shape, gradient (or its refusal)."""
    import random

    torch = pytest.importorskip("torch")
    rng = random.Random(0)
    for _ in range(300):
        index = _random_index(rng, X.shape)
        tx, lx = torch.tensor(X, requires_grad=True), ln.tensor(X, requires_grad=True)
        try:
            ref = tx[_wrap(torch, index)]
        except (IndexError, RuntimeError):
            with pytest.raises((IndexError, RuntimeError)):
                lx[_wrap(ln, index)]
            continue
        out = lx[_wrap(ln, index)]
        assert out.shape == tuple(ref.shape), index
        np.testing.assert_allclose(np.asarray(out.data), ref.detach().numpy())
        w = rand(tuple(ref.shape), seed=1)
        (ref * torch.tensor(w)).sum().backward()
        (out * ln.tensor(w)).sum().backward()
        np.testing.assert_allclose(np.asarray(lx.grad), tx.grad.numpy(), err_msg=str(index))
