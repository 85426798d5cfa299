"""Indexing ops against PyTorch: gather, scatter, scatter_add, index_select, take,
masked_select, tril/triu, diag, diagonal, trace, nonzero/argwhere (values, dtypes, gradients;
float32 and float64; negative dims, 0-d and zero-size), float64 gradchecks (no torch) and
PyTorch's errors for bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import lucidnet as ln
from tests.compat.op_check import compare, raises_like, rand

FLOATS = [np.float32, np.float64]
INT = np.int64


def idx(*rows):
    return np.array(rows, dtype=INT)


GATHER = [  # (input shape, dim, index)
    ((3, 4), 0, idx([0, 2, 1, 0], [2, 2, 0, 1])),
    ((3, 4), 1, idx([3, 0], [1, 1], [0, 2])),          # smaller than the input, repeats
    ((3, 4), -1, idx([0, 3, 3, 1, 2, 0], [1, 1, 2, 3, 0, 0])),  # larger along dim
    ((2, 3, 4), -2, np.zeros((2, 5, 3), INT)),
    ((2, 3, 4), 2, np.zeros((1, 0, 2), INT)),             # zero-size index
    ((), 0, np.array(0, INT)),                            # 0-d
    ((5,), 0, idx(4, 0, 4)),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape,dim,index", GATHER, ids=str)
def test_gather(shape, dim, index, dtype):
    compare(lambda m, x, i: (m.gather(x, dim, i), x.gather(dim, i)), rand(shape, dtype), index)


@pytest.mark.parametrize("shape,dim,index", GATHER, ids=str)
def test_gather_gradcheck(shape, dim, index):
    x = ln.tensor(rand(shape), requires_grad=True)
    assert ln.gradcheck(lambda t: t.gather(dim, ln.tensor(index)), [x])


SCATTER = [  # (input shape, dim, index without repeats, src shape)
    ((3, 5), 0, idx([0, 1, 2, 0, 1], [2, 0, 1, 1, 0]), (2, 5)),
    ((3, 5), 1, idx([0, 4], [3, 1], [2, 0]), (3, 4)),
    ((3, 5), -1, idx([4, 1, 0]), (2, 3)),
    ((2, 3, 4), -2, idx([[0, 2], [1, 0]]), (2, 2, 3)),
    ((3, 5), 0, np.zeros((0, 2), INT), (1, 2)),
    ((), 0, np.array(0, INT), ()),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape,dim,index,src_shape", SCATTER, ids=str)
def test_scatter_with_a_tensor_or_a_number(shape, dim, index, src_shape, dtype):
    x, src = rand(shape, dtype), rand(src_shape, dtype, seed=1)
    compare(lambda m, t, i, s: (t.scatter(dim, i, s), m.scatter(t, dim, i, s)), x, index,
            src[tuple(slice(0, n) for n in index.shape)])
    # a src larger than the index: PyTorch's own backward refuses it (values only; gradcheck below)
    compare(lambda m, t, i, s: t.scatter(dim, i, s), x, index, src, grad=False)
    compare(lambda m, t, i: (t.scatter(dim, i, 2.5), t.scatter(dim, i, value=-1.0)), x, index)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape,dim,index,src_shape", SCATTER, ids=str)
def test_scatter_add_accumulates_repeats(shape, dim, index, src_shape, dtype):
    x, src = rand(shape, dtype), rand(src_shape, dtype, seed=1)
    block = src[tuple(slice(0, n) for n in index.shape)]
    repeated = np.zeros_like(index)  # every write to position 0 along dim
    for i in (index, repeated):
        compare(lambda m, t, j, s: (t.scatter_add(dim, j, s), m.scatter_add(t, dim, j, s)), x, i,
                block)
        compare(lambda m, t, j, s: t.scatter_add(dim, j, s), x, i, src, grad=False)


@pytest.mark.parametrize("shape,dim,index,src_shape", SCATTER, ids=str)
def test_scatter_gradcheck(shape, dim, index, src_shape):
    x = ln.tensor(rand(shape), requires_grad=True)
    src = ln.tensor(rand(src_shape, seed=1), requires_grad=True)
    i = ln.tensor(index)
    assert ln.gradcheck(lambda t, s: t.scatter(dim, i, s), [x, src])
    assert ln.gradcheck(lambda t, s: t.scatter_add(dim, i, s), [x, src])
    assert ln.gradcheck(lambda t, s: t.scatter_add(dim, ln.tensor(np.zeros_like(index)), s),
                        [x, src])


INDEX_SELECT = [((3, 4), 0, idx(2, 0, 2)), ((3, 4), -1, idx(3, 1)), ((2, 3, 4), 1, idx(1)),
                ((2, 3, 4), -2, np.zeros(0, INT)), ((3, 4), 1, np.array(2, INT)), ((), 0, idx(0)),
                ((0, 3), 1, idx(0, 2))]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape,dim,index", INDEX_SELECT, ids=str)
def test_index_select(shape, dim, index, dtype):
    compare(lambda m, x, i: (m.index_select(x, dim, i), x.index_select(dim, i)),
            rand(shape, dtype), index)


@pytest.mark.parametrize("shape,dim,index", INDEX_SELECT[:5], ids=str)
def test_index_select_gradcheck(shape, dim, index):
    x = ln.tensor(rand(shape), requires_grad=True)
    assert ln.gradcheck(lambda t: t.index_select(dim, ln.tensor(index)), [x])


TAKE = [((3, 4), idx([0, 11], [-1, 5])), ((5,), idx(4, 4, -5)), ((), idx(0, 0)),
        ((2, 3), np.zeros((0,), INT)), ((2, 3), np.array(3, INT))]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape,index", TAKE, ids=str)
def test_take(shape, index, dtype):
    compare(lambda m, x, i: (m.take(x, i), x.take(i)), rand(shape, dtype), index)
    x = ln.tensor(rand(shape), requires_grad=True)
    assert ln.gradcheck(lambda t: t.take(ln.tensor(index)), [x])


MASKS = [((3, 4), (3, 4)), ((3, 4), (4,)), ((4,), (3, 4)), ((2, 1, 3), (4, 1)), ((), ()),
         ((0, 3), (3,))]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shapes", MASKS, ids=str)
def test_masked_select_broadcasts(shapes, dtype):
    x, mask = rand(shapes[0], dtype), rand(shapes[1], seed=1) > 0
    compare(lambda m, t, k: (m.masked_select(t, k), t.masked_select(k)), x, mask)
    t = ln.tensor(rand(shapes[0]), requires_grad=True)
    assert ln.gradcheck(lambda a: a.masked_select(ln.tensor(mask)), [t])


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (5, 3), (2, 3, 4), (0, 3), (2, 0, 2)], ids=str)
@pytest.mark.parametrize("diagonal", [0, 1, -1, 3, -4])
def test_tril_triu(shape, diagonal, dtype):
    compare(lambda m, x: (x.tril(diagonal), m.triu(x, diagonal), m.tril(x, diagonal=diagonal),
                          x.triu(diagonal=diagonal)), rand(shape, dtype))


def test_tril_triu_defaults_and_gradcheck():
    compare(lambda m, x: (x.tril(), m.triu(x)), rand((3, 4)))
    x = ln.tensor(rand((2, 3, 4)), requires_grad=True)
    assert ln.gradcheck(lambda t: t.tril(-1) * 2 + t.triu(1), [x])


DIAGONAL = [((3, 4), 0, 0, 1), ((3, 4), 1, 0, 1), ((3, 4), -2, 1, 0), ((2, 3, 4), 0, -1, 0),
            ((2, 3, 4), -1, 2, 1), ((2, 3, 4), 5, 0, 2), ((0, 3), 0, 0, 1), ((2, 2), 0, -2, -1)]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape,offset,dim1,dim2", DIAGONAL, ids=str)
def test_diagonal(shape, offset, dim1, dim2, dtype):
    compare(lambda m, x: (x.diagonal(offset, dim1, dim2),
                          m.diagonal(x, offset=offset, dim1=dim1, dim2=dim2)), rand(shape, dtype))
    x = ln.tensor(rand(shape), requires_grad=True)
    assert ln.gradcheck(lambda t: t.diagonal(offset, dim1, dim2), [x])


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(4,), (3, 3), (2, 4), (4, 2), (0,), (1,)], ids=str)
@pytest.mark.parametrize("k", [0, 1, -2])
def test_diag(shape, k, dtype):
    compare(lambda m, x: (m.diag(x, k), x.diag(diagonal=k)), rand(shape, dtype))
    x = ln.tensor(rand(shape), requires_grad=True)
    assert ln.gradcheck(lambda t: t.diag(k), [x])


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(3, 3), (2, 4), (4, 2), (0, 3)], ids=str)
def test_trace(shape, dtype):
    compare(lambda m, x: (m.trace(x), x.trace()), rand(shape, dtype))
    x = ln.tensor(rand(shape), requires_grad=True)
    assert ln.gradcheck(lambda t: t.trace(), [x])


@pytest.mark.parametrize("shape", [(3, 4), (5,), (2, 3, 2), (), (0, 3)], ids=str)
def test_nonzero_and_argwhere(shape):
    x = rand(shape).round()
    compare(lambda m, t: (m.nonzero(t), t.nonzero(), t.argwhere(), m.argwhere(t)), x, grad=False)
    compare(lambda m, t: (t.nonzero(as_tuple=True), m.nonzero(t > 0, as_tuple=True)), x, grad=False)


def test_nonzero_of_0d_and_indexing_with_its_tuple():
    compare(lambda m, t: (t.nonzero(), (t * 0).nonzero(), t.nonzero(as_tuple=True)),
            np.array(2.0), grad=False)
    x = rand((3, 4))
    compare(lambda m, t: t[(t > 0).nonzero(as_tuple=True)] * 2, x)


def test_integer_and_bool_inputs_keep_their_dtype():
    x = np.arange(12, dtype=INT).reshape(3, 4)
    compare(lambda m, t, i: (t.gather(1, i), t.index_select(0, i[0]), t.take(i), t.tril(),
                             t.diagonal(), t.diag(), t.trace(), t.scatter(1, i, 7),
                             t.masked_select(t > 4)), x, idx([0, 1], [2, 0], [1, 1]))
    compare(lambda m, t: (t.triu(), t.nonzero()), x > 4)


ERRORS = {
    "gather_index_dims": lambda m, x: x.gather(1, m.tensor([0, 1])),
    "gather_out_of_bounds": lambda m, x: x.gather(1, m.tensor([[5]])),
    "gather_negative_index": lambda m, x: x.gather(0, m.tensor([[-1]])),
    "gather_float_index": lambda m, x: x.gather(1, m.tensor([[0.0]])),
    "gather_larger_other_dim": lambda m, x: x.gather(1, m.tensor([[0]] * 4)),
    "gather_bad_dim": lambda m, x: x.gather(2, m.tensor([[0]])),
    "scatter_out_of_bounds": lambda m, x: x.scatter(1, m.tensor([[3]]), x),
    "scatter_src_smaller": lambda m, x: x.scatter(1, m.tensor([[0, 1, 2]]), x[:, :2]),
    "scatter_add_dims": lambda m, x: x.scatter_add(0, m.tensor([0]), x),
    "index_select_2d_index": lambda m, x: x.index_select(0, m.tensor([[0]])),
    "index_select_out_of_range": lambda m, x: x.index_select(1, m.tensor([3])),
    "index_select_float_index": lambda m, x: x.index_select(1, m.tensor([0.0])),
    "take_out_of_range": lambda m, x: x.take(m.tensor([9])),
    "take_negative_out_of_range": lambda m, x: x.take(m.tensor([-10])),
    "masked_select_int_mask": lambda m, x: x.masked_select(m.tensor([1, 0, 1])),
    "masked_select_bad_broadcast": lambda m, x: x.masked_select(m.tensor([True, False])),
    "tril_1d": lambda m, x: x[0].tril(),
    "triu_0d": lambda m, x: x[0, 0].triu(),
    "diag_3d": lambda m, x: x[None].diag(),
    "diagonal_same_dims": lambda m, x: x.diagonal(0, 1, -1),
    "diagonal_bad_dim": lambda m, x: x.diagonal(0, 0, 2),
    "trace_1d": lambda m, x: x[0].trace(),
}


@pytest.mark.parametrize("name", ERRORS)
def test_bad_input_raises_like_pytorch(name):
    raises_like(ERRORS[name], rand((3, 3)))


def test_error_messages_name_the_problem():
    x = ln.tensor(rand((3, 3)))
    with pytest.raises(RuntimeError, match="out of bounds for dimension 1 with size 3"):
        x.gather(1, ln.tensor(np.array([[5]])))
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        x.gather(1, ln.tensor(np.array([0])))
    with pytest.raises(IndexError, match="vector"):
        x.index_select(0, ln.tensor(np.array([[0]])))
    with pytest.raises(RuntimeError, match="BoolTensor"):
        x.masked_select(ln.tensor(np.array([1, 0, 1])))
    with pytest.raises(TypeError, match="exactly one"):
        x.scatter(0, ln.tensor(np.array([[0]])))
    with pytest.raises(RuntimeError, match="add or multiply"):
        x.scatter(0, ln.tensor(np.array([[0]])), x, reduce="sum")


TAKE_ALONG = [((3, 4), idx([0, 3], [1, 1], [2, 0]), 1), ((3, 4), idx([0, 2, 1, 0]), 0),
              ((3, 1), idx([0], [0], [0])[:, :, None].repeat(5, 2)[:, 0], 0),
              ((2, 3, 4), np.zeros((1, 3, 2), INT), -1), ((3, 4), idx(11, 0, -12 + 12), None),
              ((3, 4), idx([1], [0]), 0)]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape,index,dim", TAKE_ALONG, ids=str)
def test_take_along_dim_broadcasts(shape, index, dim, dtype):
    compare(lambda m, x, i: (m.take_along_dim(x, i, dim), x.take_along_dim(i, dim=dim)),
            rand(shape, dtype), index)
    x = ln.tensor(rand(shape), requires_grad=True)
    assert ln.gradcheck(lambda t: t.take_along_dim(ln.tensor(index), dim), [x])


INDEX_ADD = [((5, 3), 0, idx(0, 4, 0), (3, 3)), ((2, 4), -1, idx(3, 3), (2, 2)),
             ((2, 3, 4), 1, idx(2), (2, 1, 4)), ((4,), 0, np.zeros(0, INT), (0,))]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape,dim,index,src_shape", INDEX_ADD, ids=str)
def test_index_add(shape, dim, index, src_shape, dtype):
    x, src = rand(shape, dtype), rand(src_shape, dtype, seed=1)
    compare(lambda m, t, i, s: (t.index_add(dim, i, s), m.index_add(t, dim, i, s, alpha=-2.0)),
            x, index, src)
    a, b = ln.tensor(rand(shape), requires_grad=True), ln.tensor(rand(src_shape, seed=1),
                                                                 requires_grad=True)
    assert ln.gradcheck(lambda t, s: t.index_add(dim, ln.tensor(index), s, alpha=0.5), [a, b])


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape,offset,dim1,dim2", [((3,), 0, -2, -1), ((2, 3), 1, -2, -1),
                                                    ((2, 3), -1, 0, 2), ((2, 3), 0, 2, 0),
                                                    ((0,), 0, 0, 1), ((2, 2, 2), 2, 1, -1)],
                         ids=str)
def test_diag_embed(shape, offset, dim1, dim2, dtype):
    compare(lambda m, x: (m.diag_embed(x, offset, dim1, dim2), x.diag_embed(offset, dim1, dim2)),
            rand(shape, dtype))
    x = ln.tensor(rand(shape), requires_grad=True)
    assert ln.gradcheck(lambda t: t.diag_embed(offset, dim1, dim2), [x])


@pytest.mark.parametrize("args", [(3, 3), (3, 4, 1), (4, 3, -1), (1, 1), (0, 3), (3, 3, 5)], ids=str)
def test_tril_triu_indices(args):
    compare(lambda m: (m.tril_indices(*args), m.triu_indices(*args)))
    compare(lambda m: m.tril_indices(*args, dtype=m.int32))


def test_extra_index_errors():
    x = ln.tensor(rand((3, 4)))
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        x.take_along_dim(ln.tensor(np.array([0])), 0)
    with pytest.raises(RuntimeError, match="source must be a tensor of shape"):
        x.index_add(0, ln.tensor(np.array([0])), ln.tensor(rand((2, 4))))
    with pytest.raises(RuntimeError, match="out of bounds"):  # PyTorch's CPU kernel does not check
        x.index_add(0, ln.tensor(np.array([5])), x[:1])
    raises_like(lambda m, t: t.index_add(0, m.tensor([[0]]), t[:1]), rand((3, 4)))
    with pytest.raises(RuntimeError, match="out of bounds"):  # PyTorch reads garbage here
        x.take_along_dim(ln.tensor(np.array([[7]])), 1)


def test_second_backward_through_a_retained_graph_doubles_the_gradient():
    x = ln.tensor(rand((3, 4)), requires_grad=True)
    i = ln.tensor(idx([0, 2], [1, 1], [3, 0]))
    y = (x.gather(1, i).sum() + x.scatter(1, i, 0.0).sum() + x.index_select(0, i[0]).sum()
         + x.tril().sum() + x.diagonal().sum() + x.masked_select(x.data > 0).sum())
    y.backward(retain_graph=True)
    first = np.array(np.asarray(x.grad))
    y.backward()
    np.testing.assert_allclose(np.asarray(x.grad), 2 * first)


INDEX_FILL_COPY = [((5, 3), 0, idx(0, 4)), ((2, 4), -1, idx(3, 1, 0)), ((2, 3, 4), 1, idx(2)),
                   ((4,), 0, np.zeros(0, INT)), ((2, 3), 1, np.array(1, INT))]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape,dim,index", INDEX_FILL_COPY, ids=str)
def test_index_fill_and_index_copy(shape, dim, index, dtype):
    x = rand(shape, dtype)
    src_shape = list(shape)
    src_shape[dim] = index.size
    src = rand(tuple(src_shape), dtype, seed=1)
    compare(lambda m, t, i, s: (t.index_fill(dim, i, -1.5), m.index_fill(t, dim, i, 2),
                                t.index_copy(dim, i, s), m.index_copy(t, dim, i, s)), x, index, src)
    compare(lambda m, t, i, v: t.index_fill(dim, i, v), x, index, np.array(0.75, dtype))
    a = ln.tensor(rand(shape), requires_grad=True)
    b = ln.tensor(rand(tuple(src_shape), seed=1), requires_grad=True)
    assert ln.gradcheck(lambda t, s: t.index_copy(dim, ln.tensor(index), s) * 2
                        + t.index_fill(dim, ln.tensor(index), 1.0), [a, b])


def test_bincount():
    x = np.array([0, 2, 2, 5, 1, 2])
    compare(lambda m, t: (t.bincount(), m.bincount(t, minlength=10), m.bincount(t[:0])), x)
    for dtype in FLOATS:
        compare(lambda m, t, w: (t.bincount(w), m.bincount(t, weights=w, minlength=8)), x,
                rand((6,), dtype), grad=False)
    raises_like(lambda m, t: m.bincount(t), np.array([1, -1]))
    raises_like(lambda m, t: m.bincount(t), np.array([[1, 1]]))


def test_searchsorted_and_bucketize():
    seq = np.array([1.0, 3.0, 3.0, 5.0, 7.0])
    values = np.array([[0.0, 3.0, 6.0], [7.0, 8.0, 3.0]])
    compare(lambda m, s, v: (m.searchsorted(s, v), m.searchsorted(s, v, right=True),
                             m.searchsorted(s, v, side="right"), m.searchsorted(s, v, out_int32=True),
                             m.bucketize(v, s), m.bucketize(v, s, right=True), m.searchsorted(s, 3.0)),
            seq, values, grad=False)
    rows = np.array([[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]])
    compare(lambda m, s, v: (m.searchsorted(s, v), m.searchsorted(s, v, right=True)), rows,
            np.array([[3.0, 0.0], [5.0, 6.0]]), grad=False)
    unsorted = np.array([5.0, 1.0, 3.0])
    compare(lambda m, s, o, v: m.searchsorted(s, v, sorter=o), unsorted, np.argsort(unsorted),
            np.array([2.0, 4.0]), grad=False)
    raises_like(lambda m, s, v: m.searchsorted(s, v), rows, np.array([[1.0], [2.0], [3.0]]))
    raises_like(lambda m, s, v: m.bucketize(v, s), rows, np.array([1.0]))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid_and_cartesian_prod(indexing, dtype):
    a, b, c = rand((3,), dtype), rand((2,), dtype, seed=1), rand((4,), dtype, seed=2)
    compare(lambda m, x, y, z: (m.meshgrid(x, y, indexing=indexing),
                                m.meshgrid([x, y, z], indexing=indexing),
                                m.meshgrid(x, indexing=indexing)), a, b, c)
    compare(lambda m, x, y, z: (m.cartesian_prod(x, y), m.cartesian_prod(x, y, z),
                                m.cartesian_prod(x)), a, b, c)
    x, y = ln.tensor(rand((3,)), requires_grad=True), ln.tensor(rand((2,), seed=1), requires_grad=True)
    assert ln.gradcheck(lambda p, q: sum(g * (i + 1) for i, g in
                                         enumerate(ln.meshgrid(p, q, indexing=indexing))), [x, y])
    assert ln.gradcheck(lambda p, q: ln.cartesian_prod(p, q), [x, y])


@pytest.mark.parametrize("dtype", FLOATS)
def test_block_diag(dtype):
    compare(lambda m, a, b, c: (m.block_diag(a, b, c), m.block_diag(b), m.block_diag(a, a)),
            rand((2, 3), dtype), rand((4,), dtype, seed=1), np.array(2.5, dtype))
    blocks = [ln.tensor(rand(s, seed=i), requires_grad=True) for i, s in enumerate([(2, 3), (1, 2), ()])]
    assert ln.gradcheck(lambda *bs: ln.block_diag(*bs), blocks)
    raises_like(lambda m, a: m.block_diag(a), rand((2, 2, 2)))
    raises_like(lambda m, a: m.meshgrid(a, a, indexing="ij"), rand((2, 2)))
    raises_like(lambda m, a: m.meshgrid(a, indexing="bad"), rand((2,)))


SCATTER_REDUCE = [  # (input shape, dim, index, src shape)
    ((4, 5, 6), -1, np.random.default_rng(3).integers(0, 3, (3, 4, 5)), (3, 4, 5)),
    ((4, 5, 6), 1, np.random.default_rng(4).integers(0, 3, (3, 4, 5)), (3, 4, 5)),
    ((4, 5, 6), -3, np.random.default_rng(5).integers(0, 3, (3, 4, 5)), (3, 4, 6)),
    ((5,), 0, idx(0, 0, 4, 0), (4,)),
]


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("shape,dim,index,src_shape", SCATTER_REDUCE, ids=str)
def test_scatter_reduce(shape, dim, index, src_shape, reduce, include_self):
    x, src = rand(shape), rand(src_shape, seed=1)
    block = src[tuple(slice(0, n) for n in index.shape)]
    compare(lambda m, t, i, s: t.scatter_reduce(dim, i, s, reduce, include_self=include_self),
            x, index, block)
    compare(lambda m, t, i, s: m.scatter_reduce(t, dim, i, s, reduce=reduce,
                                                include_self=include_self), x, index, src,
            grad=False)
    a = ln.tensor(x, requires_grad=True)
    b = ln.tensor(src, requires_grad=True)
    assert ln.gradcheck(lambda t, s: t.scatter_reduce(dim, ln.tensor(index), s, reduce,
                                                      include_self=include_self), [a, b])


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
def test_scatter_reduce_ties_zeros_and_float32(reduce):
    x = np.array([[0.0, 1.0, 2.0], [3.0, 0.0, 2.0]])
    src = np.array([[0.0, 1.0, 2.0], [2.0, 0.0, 0.0]])
    index = idx([0, 0, 0], [0, 1, 0])
    for keep in (True, False):
        compare(lambda m, t, i, s, k=keep: t.scatter_reduce(0, i, s, reduce, include_self=k),
                x, index, src)
        compare(lambda m, t, i, s, k=keep: t.scatter_reduce(1, i, s, reduce, include_self=k),
                x.astype(np.float32), index, src.astype(np.float32))
    compare(lambda m, t, i: t.scatter_reduce(0, i, t * 2, reduce), np.arange(6).reshape(2, 3),
            idx([1, 0, 1], [1, 1, 0]))


def test_scatter_with_reduce_add_and_multiply():
    x, src, index = rand((4, 5, 6)), rand((3, 4, 5), seed=1), np.random.default_rng(0).integers(0, 3, (3, 4, 5))
    with warnings.catch_warnings():  # PyTorch deprecates reduce= with a tensor src
        warnings.simplefilter("ignore", UserWarning)
        compare(lambda m, t, i, s: (t.scatter(1, i, s, reduce="add"),
                                    t.scatter(1, i, s, reduce="multiply"),
                                    t.scatter(1, i, float("inf"), reduce="add"),
                                    m.scatter(t, 1, i, value=2.0, reduce="multiply")),
                x, index, src, grad=False)
    t = ln.tensor(x, requires_grad=True)
    with pytest.raises(RuntimeError, match="not implemented"):
        t.scatter(1, ln.tensor(index), 2.0, reduce="add").sum().backward()
    raises_like(lambda m, a, i: a.scatter_reduce(0, i, a, "INVALID"), x, index)
    raises_like(lambda m, a, i: a.scatter(0, i, 1.0, reduce="max"), x, index)
