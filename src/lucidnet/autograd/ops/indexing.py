"""Indexing ops in PyTorch's spelling: gather, scatter, index_select, take, masked_select,
tril / triu, diag / diagonal / trace, nonzero.

Each differentiable op is one `Function` whose backward sends the gradient back to the entries
the forward pass read (``np.add.at`` where one entry may be read twice); the PyTorch-spelled
surface is registered at the bottom (autograd/registry.py).
"""

from __future__ import annotations

import numbers

import numpy as np

from ..function import Function, unbroadcast
from ..registry import register
from ..tensor import Tensor, _one_axis
from .elementwise import tensor_op

__all__ = ["Gather", "Scatter", "ScatterAdd", "IndexSelect", "Take", "MaskedSelect", "Tri",
           "Diag", "Diagonal", "TakeAlongDim", "IndexAdd", "IndexCopy", "DiagEmbed", "BlockDiag",
           "ScatterReduce", "ScatterWithReduce", "gather_index", "searchsorted", "meshgrid",
           "cartesian_prod", "block_diag"]


def gather_index(index: np.ndarray, dim: int) -> tuple:
    """The NumPy index tuple that reads ``a[i_0, ..., index[i], ..., i_n]`` for every position
    ``i`` of ``index`` (gather's and scatter's addressing along ``dim``).

    Examples
    --------
    >>> from lucidnet.autograd.ops.indexing import gather_index
    >>> a = np.array([[10, 11], [20, 21]])
    >>> a[gather_index(np.array([[1, 0], [1, 1]]), dim=1)]  # a[i, index[i, j]]
    array([[11, 10],
           [21, 21]])
    """
    grid = list(np.ix_(*(np.arange(n) for n in index.shape)))
    grid[dim] = index
    return tuple(grid)


def _leading_block(shape) -> tuple:
    """Slices selecting the first ``shape`` entries of a larger array (scatter's src block)."""
    return tuple(slice(0, n) for n in shape)


class Gather(Function):
    """z[i] = a[i with dim replaced by index[i]];  dz/da = g added back at those entries.

    Examples
    --------
    >>> from lucidnet.autograd.ops.indexing import Gather
    >>> x = ln.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> y = Gather.apply(x, index=np.array([[1, 1], [0, 1]]), dim=1); y
    tensor([[2., 2.],
            [3., 4.]], grad_fn=<GatherBackward0>)
    >>> y.sum().backward(); x.grad  # entry (0, 1) was read twice
    tensor([[0., 2.],
            [1., 1.]])
    """

    @staticmethod
    def forward(ctx, a, index=None, dim=0):
        where = gather_index(index, dim)
        ctx.args = (a.shape, where)
        return a[where]

    @staticmethod
    def backward(ctx, g):
        shape, where = ctx.args
        out = np.zeros(shape, dtype=g.dtype)
        np.add.at(out, where, g)
        return out


class Scatter(Function):
    """z = a, with z[i with dim replaced by index[i]] = src[i] (or a number).

    dz/da = g with the written entries zeroed; dz/dsrc[i] = g at the entry src[i] was written to
    (PyTorch's rule; which of two writes to one entry survives is unspecified, as in PyTorch).

    Examples
    --------
    >>> from lucidnet.autograd.ops.indexing import Scatter
    >>> a = ln.zeros(2, 3, requires_grad=True); src = ln.tensor([[5.0, 6.0]], requires_grad=True)
    >>> y = Scatter.apply(a, src, index=np.array([[2, 0]]), dim=1); y  # y[0, 2] = 5, y[0, 0] = 6
    tensor([[6., 0., 5.],
            [0., 0., 0.]], grad_fn=<ScatterBackward0>)
    >>> y.sum().backward(); a.grad  # 0 where an entry was overwritten
    tensor([[0., 1., 0.],
            [1., 1., 1.]])
    """

    @staticmethod
    def forward(ctx, a, src, index=None, dim=0):
        where = gather_index(index, dim)
        ctx.args = (where, np.shape(src), index.shape)
        out = a.copy()
        out[where] = src[_leading_block(index.shape)] if np.ndim(src) else src
        return out

    @staticmethod
    def backward(ctx, g):
        where, src_shape, index_shape = ctx.args
        ga = gsrc = None
        if ctx.needs_input_grad[0]:
            ga = g.copy()
            ga[where] = 0
        if ctx.needs_input_grad[1]:
            gsrc = np.zeros(src_shape, dtype=g.dtype)
            gsrc[_leading_block(index_shape)] = g[where]
        return ga, gsrc


class ScatterAdd(Function):
    """z = a, then z[i with dim replaced by index[i]] += src[i] (repeats accumulate).

    dz/da = g;  dz/dsrc[i] = g at the entry src[i] was added to.

    Examples
    --------
    >>> from lucidnet.autograd.ops.indexing import ScatterAdd
    >>> a = ln.zeros(3, requires_grad=True); src = ln.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = ScatterAdd.apply(a, src, index=np.array([0, 2, 0])); y  # repeats accumulate: 1 + 3
    tensor([4., 0., 2.], grad_fn=<ScatterAddBackward0>)
    >>> (y * ln.tensor([10.0, 20.0, 30.0])).sum().backward(); src.grad  # g at each target
    tensor([10., 30., 10.])
    """

    @staticmethod
    def forward(ctx, a, src, index=None, dim=0):
        where = gather_index(index, dim)
        ctx.args = (where, src.shape, index.shape)
        out = a.copy()
        np.add.at(out, where, src[_leading_block(index.shape)])
        return out

    @staticmethod
    def backward(ctx, g):
        where, src_shape, index_shape = ctx.args
        gsrc = None
        if ctx.needs_input_grad[1]:
            gsrc = np.zeros(src_shape, dtype=g.dtype)
            gsrc[_leading_block(index_shape)] = g[where]
        return g, gsrc


class IndexSelect(Function):
    """z = the slices a[..., index[k], ...] along dim, in order;  dz/da = g added back.

    Examples
    --------
    >>> from lucidnet.autograd.ops.indexing import IndexSelect
    >>> x = ln.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> y = IndexSelect.apply(x, index=np.array([1, 1, 0]), dim=0); y
    tensor([[3., 4.],
            [3., 4.],
            [1., 2.]], grad_fn=<IndexSelectBackward0>)
    >>> y.sum().backward(); x.grad  # row 1 was picked twice
    tensor([[1., 1.],
            [2., 2.]])
    """

    @staticmethod
    def forward(ctx, a, index=None, dim=0):
        ctx.args = (a.shape, index, dim)
        return np.take(a, index, axis=dim)

    @staticmethod
    def backward(ctx, g):
        shape, index, dim = ctx.args
        out = np.zeros(shape, dtype=g.dtype)
        np.add.at(out, (slice(None),) * dim + (index,), g)
        return out


class Take(Function):
    """z = a.flatten()[index] (any index shape; negative indices count from the end);
    dz/da = g added back at those entries.

    Examples
    --------
    >>> from lucidnet.autograd.ops.indexing import Take
    >>> x = ln.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> y = Take.apply(x, index=np.array([3, 0, -1])); y
    tensor([4., 1., 4.], grad_fn=<TakeBackward0>)
    >>> y.sum().backward(); x.grad  # flat entry 3 read twice
    tensor([[1., 0.],
            [0., 2.]])
    """

    @staticmethod
    def forward(ctx, a, index=None):
        ctx.args = (a.shape, index)
        return a.reshape(-1)[index]

    @staticmethod
    def backward(ctx, g):
        shape, index = ctx.args
        out = np.zeros(int(np.prod(shape)), dtype=g.dtype)
        np.add.at(out, index, g)
        return out.reshape(shape)


class MaskedSelect(Function):
    """z = the entries of a where mask is True (both broadcast), as a 1-D array in row-major
    order;  dz/da = g put back at those entries (summed over broadcast dims).

    Examples
    --------
    >>> from lucidnet.autograd.ops.indexing import MaskedSelect
    >>> x = ln.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> y = MaskedSelect.apply(x, mask=np.array([True, False])); y
    tensor([1., 3.], grad_fn=<MaskedSelectBackward0>)
    >>> y.sum().backward(); x.grad  # the mask was broadcast over rows
    tensor([[1., 0.],
            [1., 0.]])
    """

    @staticmethod
    def forward(ctx, a, mask=None):
        shape = np.broadcast_shapes(a.shape, mask.shape)
        mask = np.broadcast_to(mask, shape)
        ctx.args = (a.shape, mask)
        return np.broadcast_to(a, shape)[mask]

    @staticmethod
    def backward(ctx, g):
        shape, mask = ctx.args
        out = np.zeros(mask.shape, dtype=g.dtype)
        out[mask] = g
        return unbroadcast(out, shape)


class Tri(Function):
    """z = the lower (tril) or upper (triu) triangle of the last two dims from diagonal k on,
    zeros elsewhere;  dz/da = the same triangle of g.

    Examples
    --------
    >>> from lucidnet.autograd.ops.indexing import Tri
    >>> x = ln.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> y = Tri.apply(x, upper=True); y
    tensor([[1., 2.],
            [0., 4.]], grad_fn=<TriBackward0>)
    >>> y.sum().backward(); x.grad  # the same triangle of g
    tensor([[1., 1.],
            [0., 1.]])
    """

    @staticmethod
    def forward(ctx, a, k=0, upper=False):
        ctx.args = (k, upper)
        return np.triu(a, k) if upper else np.tril(a, k)

    @staticmethod
    def backward(ctx, g):
        k, upper = ctx.args
        return np.triu(g, k) if upper else np.tril(g, k)


def _diagonal_index(n1: int, n2: int, offset: int):
    """Rows and columns of diagonal ``offset`` of an (n1, n2) matrix (offset > 0 above)."""
    length = max(0, min(n1 - max(0, -offset), n2 - max(0, offset)))
    steps = np.arange(length)
    return steps + max(0, -offset), steps + max(0, offset)


class Diagonal(Function):
    """z[..., k] = a[..., i_k, ..., j_k, ...], the diagonal ``offset`` of dims (dim1, dim2),
    appended as the last dim (a copy);  dz/da = g written back on that diagonal, 0 elsewhere.

    Examples
    --------
    >>> from lucidnet.autograd.ops.indexing import Diagonal
    >>> x = ln.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> y = Diagonal.apply(x); y
    tensor([1., 4.], grad_fn=<DiagonalBackward0>)
    >>> y.sum().backward(); x.grad  # 1 on the diagonal, 0 elsewhere
    tensor([[1., 0.],
            [0., 1.]])
    """

    @staticmethod
    def forward(ctx, a, offset=0, dim1=0, dim2=1):
        ctx.args = (a.shape, offset, dim1, dim2)
        return np.diagonal(a, offset, dim1, dim2).copy()

    @staticmethod
    def backward(ctx, g):
        shape, offset, dim1, dim2 = ctx.args
        out = np.zeros(shape, dtype=g.dtype)
        rows, cols = _diagonal_index(shape[dim1], shape[dim2], offset)
        np.moveaxis(out, (dim1, dim2), (-2, -1))[..., rows, cols] = g
        return out


class Diag(Function):
    """From a vector v: the square matrix with v on diagonal k (z[i, i+k] = v[i]); its gradient
    is that diagonal of g. (A matrix's diag is `Diagonal`.)

    Examples
    --------
    >>> from lucidnet.autograd.ops.indexing import Diag
    >>> x = ln.tensor([1.0, 2.0], requires_grad=True)
    >>> y = Diag.apply(x, k=1); y
    tensor([[0., 1., 0.],
            [0., 0., 2.],
            [0., 0., 0.]], grad_fn=<DiagBackward0>)
    >>> y.sum().backward(); x.grad  # the diagonal k = 1 of g
    tensor([1., 1.])
    """

    @staticmethod
    def forward(ctx, v, k=0):
        ctx.k = k
        return np.diag(v, k)

    @staticmethod
    def backward(ctx, g):
        return np.diagonal(g, ctx.k).copy()


class TakeAlongDim(Function):
    """z = gather(a, dim, index) after broadcasting a and index in every dim but ``dim``;
    dz/da = g added back at the entries read, summed over the broadcast dims.

    Examples
    --------
    >>> from lucidnet.autograd.ops.indexing import TakeAlongDim
    >>> x = ln.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> y = TakeAlongDim.apply(x, index=np.array([[1], [0]]), dim=1); y
    tensor([[2.],
            [3.]], grad_fn=<TakeAlongDimBackward0>)
    >>> y.sum().backward(); x.grad  # the entry read in each row
    tensor([[0., 1.],
            [1., 0.]])
    """

    @staticmethod
    def forward(ctx, a, index=None, dim=0):
        a_b, index_b = _broadcast_except(a, index, dim)
        where = gather_index(index_b, dim)
        ctx.args = (a.shape, a_b.shape, where)
        return a_b[where]

    @staticmethod
    def backward(ctx, g):
        shape, wide, where = ctx.args
        out = np.zeros(wide, dtype=g.dtype)
        np.add.at(out, where, g)
        return unbroadcast(out, shape)


def _broadcast_except(a, index, dim):
    """a and index broadcast against each other in every dim but ``dim`` (take_along_dim)."""
    rest = np.broadcast_shapes(a.shape[:dim] + (1,) + a.shape[dim + 1:],
                               index.shape[:dim] + (1,) + index.shape[dim + 1:])
    a_shape = rest[:dim] + (a.shape[dim],) + rest[dim + 1:]
    index_shape = rest[:dim] + (index.shape[dim],) + rest[dim + 1:]
    return np.broadcast_to(a, a_shape), np.broadcast_to(index, index_shape)


class IndexAdd(Function):
    """z = a, then z[..., index[k], ...] += alpha * src[..., k, ...] along dim (repeats add);
    dz/da = g, dz/dsrc = alpha * the slices of g at index.

    Examples
    --------
    >>> from lucidnet.autograd.ops.indexing import IndexAdd
    >>> a = ln.zeros(3, 2, requires_grad=True); src = ln.ones(2, 2, requires_grad=True)
    >>> IndexAdd.apply(a, src, index=np.array([2, 2]), dim=0, alpha=0.5)  # row 2 gets 0.5 twice
    tensor([[0., 0.],
            [0., 0.],
            [1., 1.]], grad_fn=<IndexAddBackward0>)
    """

    @staticmethod
    def forward(ctx, a, src, index=None, dim=0, alpha=1):
        ctx.args = (index, dim, alpha)
        out = a.copy()
        np.add.at(out, (slice(None),) * dim + (index,), src if alpha == 1 else src * alpha)
        return out

    @staticmethod
    def backward(ctx, g):
        index, dim, alpha = ctx.args
        gsrc = None
        if ctx.needs_input_grad[1]:
            gsrc = np.take(g, index, axis=dim)
            gsrc = gsrc if alpha == 1 else gsrc * alpha
        return g, gsrc


class DiagEmbed(Function):
    """z: zeros of one more dim, with a's last dim written on diagonal ``offset`` of dims
    (dim1, dim2);  dz/da = that diagonal of g.

    Examples
    --------
    >>> from lucidnet.autograd.ops.indexing import DiagEmbed
    >>> x = ln.tensor([[1.0, 2.0]], requires_grad=True)
    >>> y = DiagEmbed.apply(x); y
    tensor([[[1., 0.],
             [0., 2.]]], grad_fn=<DiagEmbedBackward0>)
    >>> y.sum().backward(); x.grad  # that diagonal of g
    tensor([[1., 1.]])
    """

    @staticmethod
    def forward(ctx, a, offset=0, dim1=-2, dim2=-1):
        n = a.shape[-1] + abs(offset)
        ndim = a.ndim + 1
        dim1, dim2 = dim1 % ndim, dim2 % ndim  # the defaults (-2, -1) count from the end
        shape = list(a.shape[:-1])
        for d in sorted((dim1, dim2)):
            shape.insert(d, n)
        out = np.zeros(shape, dtype=a.dtype)
        rows, cols = _diagonal_index(n, n, offset)
        np.moveaxis(out, (dim1, dim2), (ndim - 2, ndim - 1))[..., rows, cols] = a
        ctx.args = (offset, dim1, dim2)
        return out

    @staticmethod
    def backward(ctx, g):
        offset, dim1, dim2 = ctx.args
        return np.diagonal(g, offset, dim1, dim2).copy()


class IndexCopy(Function):
    """z = a with the slices at ``index`` along dim replaced by src's;  dz/da = g with those
    slices zeroed, dz/dsrc = the slices of g at index.

    Examples
    --------
    >>> from lucidnet.autograd.ops.indexing import IndexCopy
    >>> a = ln.zeros(3, 2, requires_grad=True); src = ln.tensor([[1.0, 2.0]], requires_grad=True)
    >>> y = IndexCopy.apply(a, src, index=np.array([1]), dim=0); y  # row 1 replaced by src's row 0
    tensor([[0., 0.],
            [1., 2.],
            [0., 0.]], grad_fn=<IndexCopyBackward0>)
    >>> y.sum().backward(); a.grad  # 0 on the replaced row
    tensor([[1., 1.],
            [0., 0.],
            [1., 1.]])
    """

    @staticmethod
    def forward(ctx, a, src, index=None, dim=0):
        ctx.args = (index, dim)
        out = a.copy()
        out[(slice(None),) * dim + (index,)] = src
        return out

    @staticmethod
    def backward(ctx, g):
        index, dim = ctx.args
        where = (slice(None),) * dim + (index,)
        ga = gsrc = None
        if ctx.needs_input_grad[0]:
            ga = g.copy()
            ga[where] = 0
        if ctx.needs_input_grad[1]:
            gsrc = g[where]
        return ga, gsrc


_IDENTITY = {"sum": 0, "mean": 0, "prod": 1, "amax": -np.inf, "amin": np.inf}
_COMBINE = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum,
            "amin": np.minimum}


def _scatter_reduced(a, src, where, reduce, include_self):
    """out = a with src reduced into the entries ``where`` names; also the hit mask and the
    count of contributions per entry (self included when include_self)."""
    out = a.copy()
    hit = np.zeros(a.shape, dtype=bool)
    hit[where] = True
    if not include_self:
        identity = _IDENTITY[reduce]
        if a.dtype.kind in "iub" and reduce in ("amax", "amin"):
            info = np.iinfo(a.dtype) if a.dtype.kind != "b" else None
            identity = (info.min if reduce == "amax" else info.max) if info else identity
        out[hit] = identity
    _COMBINE[reduce].at(out, where, src)
    count = np.where(hit, 0, 1) + (include_self & hit)
    np.add.at(count, where, 1)
    if reduce == "mean":
        out = out // count if out.dtype.kind in "iu" else (out / count).astype(out.dtype)
    return out, hit, count


class ScatterReduce(Function):
    """z = a with src reduced (sum, prod, mean, amax, amin) into the entries
    z[i with dim replaced by index[i]]; ``include_self=False`` leaves a's old value out there.

    Gradients as PyTorch: sum and mean pass g (divided by the count for mean); amax / amin split
    g evenly among the contributions equal to the result; prod gives each contribution the
    product of the others (computed from the count of zeros, so zeros are exact).

    Examples
    --------
    >>> from lucidnet.autograd.ops.indexing import ScatterReduce
    >>> a = ln.tensor([1.0, 1.0]); src = ln.tensor([2.0, 7.0, 4.0], requires_grad=True)
    >>> y = ScatterReduce.apply(a, src, index=np.array([0, 1, 1]), reduce="amax"); y  # max(1, 7, 4)
    tensor([2., 7.], grad_fn=<ScatterReduceBackward0>)
    >>> y.sum().backward(); src.grad  # to the contribution equal to each result
    tensor([1., 1., 0.])
    >>> ScatterReduce.apply(a, src, index=np.array([0, 1, 1]), reduce="mean", include_self=False)
    tensor([2.0000, 5.5000], grad_fn=<ScatterReduceBackward0>)
    """

    @staticmethod
    def forward(ctx, a, src, index=None, dim=0, reduce="sum", include_self=True):
        where = gather_index(index, dim)
        block = src[_leading_block(index.shape)]
        out, hit, count = _scatter_reduced(a, block, where, reduce, include_self)
        ctx.save_for_backward(a, block, out)
        ctx.args = (where, src.shape, index.shape, reduce, include_self, hit, count)
        return out

    @staticmethod
    def backward(ctx, g):
        a, block, out = ctx.saved
        where, src_shape, index_shape, reduce, include_self, hit, count = ctx.args
        self_in = ~hit | include_self  # entries where a takes part in the result
        if reduce in ("sum", "mean"):
            share = g / count if reduce == "mean" else g
            ga, gblock = np.where(self_in, share, 0), share[where]
        elif reduce in ("amax", "amin"):
            # PyTorch counts an old value equal to the result among the ties even when
            # include_self=False (it then gets no share): the same here
            winners = (a == out).astype(g.dtype)
            src_wins = block == out[where]
            np.add.at(winners, where, src_wins)
            share = g / np.maximum(winners, 1)
            ga = np.where(self_in & (a == out), share, 0)
            gblock = np.where(src_wins, share[where], 0)
        else:  # prod: d out / d c = product of the other contributions
            zeros = (self_in & hit & (a == 0)).astype(np.int64)
            np.add.at(zeros, where, block == 0)
            nonzero_product = np.where(self_in & hit & (a != 0), a, 1).astype(g.dtype)
            np.multiply.at(nonzero_product, where, np.where(block == 0, 1, block))

            def others(c, z, p, o):
                with np.errstate(all="ignore"):
                    return np.where(c != 0, np.where(z == 0, o / np.where(c == 0, 1, c), 0),
                                    np.where(z == 1, p, 0))

            ga = np.where(hit, np.where(self_in, g * others(a, zeros, nonzero_product, out), 0), g)
            gblock = g[where] * others(block, zeros[where], nonzero_product[where], out[where])
        gsrc = np.zeros(src_shape, dtype=g.dtype)
        gsrc[_leading_block(index_shape)] = gblock
        return np.asarray(ga, dtype=g.dtype), gsrc


class ScatterWithReduce(Function):
    """``scatter(..., reduce="add" | "multiply")``: the old spelling of scatter_reduce with
    include_self; PyTorch defines no derivative for it, so neither does lucidnet.

    Examples
    --------
    >>> from lucidnet.autograd.ops.indexing import ScatterWithReduce
    >>> a = ln.ones(3); src = ln.tensor([2.0, 3.0, 4.0])
    >>> ScatterWithReduce.apply(a, src, index=np.array([0, 0, 2]), reduce="multiply")  # 1 * 2 * 3
    tensor([6., 1., 4.])
    """

    @staticmethod
    def forward(ctx, a, src, index=None, dim=0, reduce="add"):
        where = gather_index(index, dim)
        block = src[_leading_block(index.shape)] if np.ndim(src) else np.broadcast_to(
            src, index.shape)
        return _scatter_reduced(a, block, where, {"add": "sum", "multiply": "prod"}[reduce],
                                True)[0]

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("the derivative for 'scatter' with reduce= is not implemented (as in "
                           "PyTorch); use scatter_reduce(dim, index, src, reduce='sum'|'prod'), "
                           "which has one")


# ----------------------------------------------------------------- argument checks
def _index_array(index, op: str, dtypes: str = "int64") -> np.ndarray:
    index = index.data if isinstance(index, Tensor) else np.asarray(index)
    if index.dtype.kind not in "iu":
        raise RuntimeError(f"{op}(): Expected dtype {dtypes} for index, got {index.dtype}; "
                           "build the index with dtype=lucidnet.long (or .long())")
    return index


def _check_bounds(index: np.ndarray, size: int, dim: int, op: str) -> None:
    if index.size and (index.min() < 0 or index.max() >= size):
        bad = index.min() if index.min() < 0 else index.max()
        raise RuntimeError(f"{op}(): index {bad} is out of bounds for dimension {dim} with size "
                           f"{size}")


def _gather_args(self, dim, index, op: str, src_shape=None):
    """dim made non-negative and index checked as PyTorch's gather/scatter: same number of dims
    as the input, no larger than it in the other dims (nor than src in any), in range."""
    index = _index_array(index, op)
    ndim = max(self.ndim, 1)
    dim = _one_axis(dim, self.ndim)
    if max(index.ndim, 1) != ndim:
        raise RuntimeError(f"{op}(): Index tensor must have the same number of dimensions as "
                           f"input tensor (index {index.shape}, input {tuple(self.shape)})")
    shape = self.shape or (1,)
    index_shape = index.shape or (1,)
    for d in range(ndim):
        if d != dim and index_shape[d] > shape[d]:
            raise RuntimeError(f"{op}(): Size does not match at dimension {d}: expected index "
                               f"{index.shape} to be no larger than self {tuple(self.shape)} apart "
                               f"from dimension {dim}")
        if src_shape is not None and index_shape[d] > (src_shape or (1,))[d]:
            raise RuntimeError(f"{op}(): Size does not match at dimension {d}: expected index "
                               f"{index.shape} to be no larger than src {tuple(src_shape)}")
    _check_bounds(index, shape[dim], dim, op)
    return dim, index


def _as_1d(self: Tensor) -> Tensor:
    """A 0-d tensor as a 1-element vector (PyTorch treats it so in gather / scatter)."""
    return self.reshape(1) if self.ndim == 0 else self


def _back_to_0d(out: Tensor, like_index: np.ndarray) -> Tensor:
    return out.reshape(()) if like_index.ndim == 0 else out


# ----------------------------------------------------------------- the PyTorch-spelled surface
@tensor_op("gather")
def gather(self, dim: int, index, *, sparse_grad: bool = False):
    """out[i][j][k] = self[index[i][j][k]][j][k] for dim 0 (likewise for other dims); ``index``
    is int64 with the input's number of dims and no larger in the other dims. The gradient is
    added back to the entries read (repeats accumulate)."""
    dim, index = _gather_args(self, dim, index, "gather")
    out = Gather.apply(_as_1d(self), index=index.reshape(index.shape or (1,)), dim=dim)
    return _back_to_0d(out, index)


def _scatter_src(self, src, op: str):
    if isinstance(src, Tensor):
        if src.dtype != self.dtype:
            raise RuntimeError(f"{op}(): Expected self.dtype to be equal to src.dtype (got "
                               f"{self.dtype} and {src.dtype}); convert src with .to(x.dtype)")
        return src
    if isinstance(src, (numbers.Number, np.generic)):
        return np.asarray(src, dtype=self.dtype)
    raise TypeError(f"{op}(): src must be a tensor or a number, got {type(src).__name__}")


@tensor_op("scatter")
def scatter(self, dim: int, index, src=None, *, value=None, reduce=None):
    """A copy of self with out[i with dim replaced by index[i]] = src[i] (``src`` a tensor at
    least as large as index, or a number; ``value=`` is the number spelling). Gradients: self's
    is zero at the written entries, src's is the output gradient gathered at them."""
    if reduce not in (None, "add", "multiply"):
        raise RuntimeError(f"scatter(): reduce argument must be either add or multiply, got "
                           f"{reduce!r}")
    if (src is None) == (value is None):
        raise TypeError("scatter() needs exactly one of src (a tensor or number) or value=")
    src = _scatter_src(self, src if value is None else value, "scatter")
    src_shape = src.shape if np.ndim(src) else None
    dim, index = _gather_args(self, dim, index, "scatter", src_shape)
    if src_shape is not None and src.ndim != index.ndim:
        raise RuntimeError(f"scatter(): Index tensor must have the same number of dimensions as "
                           f"src tensor (index {index.shape}, src {tuple(src.shape)})")
    src = _as_1d(src) if isinstance(src, Tensor) else src
    op, kwargs = (Scatter, {}) if reduce is None else (ScatterWithReduce, {"reduce": reduce})
    out = op.apply(_as_1d(self), src, index=index.reshape(index.shape or (1,)), dim=dim, **kwargs)
    return out.reshape(()) if self.ndim == 0 else out


@tensor_op("scatter_reduce")
def scatter_reduce(self, dim: int, index, src, reduce: str, *, include_self: bool = True):
    """A copy of self with src reduced into out[i with dim replaced by index[i]] by ``reduce``:
    "sum", "prod", "mean", "amax" or "amin" (``include_self=False``: self's old value there does
    not take part). Differentiable in self and src, as PyTorch."""
    if reduce not in _IDENTITY:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce!r}")
    src = _scatter_src(self, src, "scatter_reduce")
    if not isinstance(src, Tensor):
        raise TypeError("scatter_reduce(): src must be a tensor")
    dim, index = _gather_args(self, dim, index, "scatter_reduce", src.shape)
    out = ScatterReduce.apply(_as_1d(self), _as_1d(src), index=index.reshape(index.shape or (1,)),
                              dim=dim, reduce=reduce, include_self=bool(include_self))
    return out.reshape(()) if self.ndim == 0 else out


@tensor_op("scatter_add")
def scatter_add(self, dim: int, index, src):
    """A copy of self with out[i with dim replaced by index[i]] += src[i]; repeated indices
    accumulate. Gradients: self's is the output gradient, src's that gradient gathered."""
    src = _scatter_src(self, src, "scatter_add")
    if not isinstance(src, Tensor):
        raise TypeError("scatter_add(): src must be a tensor")
    dim, index = _gather_args(self, dim, index, "scatter_add", src.shape)
    out = ScatterAdd.apply(_as_1d(self), _as_1d(src), index=index.reshape(index.shape or (1,)),
                           dim=dim)
    return out.reshape(()) if self.ndim == 0 else out


@tensor_op("index_select")
def index_select(self, dim: int, index):
    """The slices of self at the positions ``index`` (a 1-D or 0-d int tensor) along ``dim``, in
    that order; repeats allowed (their gradients add)."""
    index = _index_array(index, "index_select", "int32/int64")
    if index.ndim > 1:
        raise IndexError(f"index_select(): Index is supposed to be a vector, got shape "
                         f"{index.shape}")
    dim = _one_axis(dim, self.ndim)
    if self.ndim == 0 and index.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got "
                           f"{index.size}")
    x = _as_1d(self)
    _check_bounds(index, x.shape[dim], dim, "index_select")
    out = IndexSelect.apply(x, index=index.reshape(-1), dim=dim)
    return out.reshape(()) if self.ndim == 0 else out


@tensor_op("take")
def take(self, index):
    """self.flatten()[index]: the output has the index's shape; negative indices count from the
    end."""
    index = _index_array(index, "take")
    n = self.data.size
    if index.size and (index.min() < -n or index.max() >= n):
        bad = index.min() if index.min() < -n else index.max()
        raise IndexError(f"take(): out of range: tried to access index {bad} on a tensor of {n} "
                         "elements")
    return Take.apply(self, index=index)


@tensor_op("masked_select")
def masked_select(self, mask):
    """The entries of self where the boolean ``mask`` is True (they broadcast), as a 1-D
    tensor in row-major order."""
    mask = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    if mask.dtype != np.bool_:
        raise RuntimeError(f"masked_select: expected BoolTensor for mask, got {mask.dtype}; "
                           "compare first, e.g. x > 0")
    try:
        np.broadcast_shapes(self.shape, mask.shape)
    except ValueError:
        raise RuntimeError(f"masked_select: the shape of the mask {mask.shape} does not "
                           f"broadcast with the input {tuple(self.shape)}") from None
    return MaskedSelect.apply(self, mask=mask)


def _triangle(self, diagonal, upper: bool):
    name = "triu" if upper else "tril"
    if self.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions, got shape "
                           f"{tuple(self.shape)}")
    if isinstance(diagonal, bool) or not isinstance(diagonal, (numbers.Integral, np.integer)):
        raise TypeError(f"{name}(): diagonal must be an integer, got {diagonal!r}")
    return Tri.apply(self, k=int(diagonal), upper=upper)


@tensor_op("tril")
def tril(self, diagonal: int = 0):
    """The lower triangle of the last two dims: entries (i, j) with j - i <= diagonal kept,
    the others 0."""
    return _triangle(self, diagonal, upper=False)


@tensor_op("triu")
def triu(self, diagonal: int = 0):
    """The upper triangle of the last two dims: entries (i, j) with j - i >= diagonal kept,
    the others 0."""
    return _triangle(self, diagonal, upper=True)


@tensor_op("diagonal")
def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1):
    """The diagonal ``offset`` (> 0 above the main one) of the matrices in dims (dim1, dim2),
    as a new last dim."""
    d1, d2 = _one_axis(dim1, self.ndim), _one_axis(dim2, self.ndim)
    if self.ndim < 2:
        raise RuntimeError(f"diagonal(): needs at least 2 dimensions, got shape "
                           f"{tuple(self.shape)}")
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(self, offset=int(offset), dim1=d1, dim2=d2)


@tensor_op("diag")
def diag(self, diagonal: int = 0):
    """A vector's diag is the square matrix with it on diagonal ``diagonal``; a matrix's diag is
    that diagonal as a vector."""
    if self.ndim == 1:
        return Diag.apply(self, k=int(diagonal))
    if self.ndim == 2:
        return Diagonal.apply(self, offset=int(diagonal), dim1=0, dim2=1)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {self.ndim}D (shape "
                       f"{tuple(self.shape)}); use diagonal(offset, dim1, dim2) or diag_embed")


@tensor_op("trace")
def trace(self):
    """The sum of a matrix's main diagonal (2-D only, as PyTorch)."""
    if self.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {self.ndim} "
                           f"(shape {tuple(self.shape)})")
    return Diagonal.apply(self, offset=0, dim1=0, dim2=1).sum()


@tensor_op("nonzero")
def nonzero(self, *, as_tuple: bool = False):
    """The indices of the nonzero entries: an int64 tensor (count, ndim), one row per entry in
    row-major order; ``as_tuple=True`` gives one 1-D index tensor per dim (a 0-d input counts as
    1-D), ready for ``x[idx]``."""
    data = self.data
    if as_tuple:
        found = np.nonzero(np.atleast_1d(data))
        return tuple(Tensor._wrap(i.astype(np.int64, copy=False)) for i in found)
    return Tensor._wrap(np.argwhere(data).astype(np.int64, copy=False))


@tensor_op("argwhere")
def argwhere(self):
    """nonzero(as_tuple=False): the (count, ndim) int64 indices of the nonzero entries."""
    return nonzero(self)


@tensor_op("take_along_dim")
def take_along_dim(self, indices, dim=None):
    """gather along ``dim`` with self and ``indices`` broadcast in the other dims (NumPy's
    take_along_axis); ``dim=None`` works on the flattened tensor."""
    index = _index_array(indices, "take_along_dim")
    zero_d = self.ndim == 0 and index.ndim == 0 and dim is not None
    if dim is None:
        x, index = self.reshape(-1), index.reshape(-1)
        dim = 0
    else:
        if max(index.ndim, 1) != max(self.ndim, 1):
            raise RuntimeError(f"take_along_dim(): input and indices should have the same number "
                               f"of dimensions, but got {self.ndim} dimensions for input, and "
                               f"{index.ndim} dimensions for indices")
        dim = _one_axis(dim, self.ndim)
        x, index = _as_1d(self), index.reshape(index.shape or (1,))
    try:
        _broadcast_except(x.data, index, dim)
    except ValueError:
        raise RuntimeError(f"take_along_dim(): the shapes of input {tuple(self.shape)} and "
                           f"indices {index.shape} do not broadcast outside dim {dim}") from None
    _check_bounds(index, x.shape[dim], dim, "take_along_dim")
    out = TakeAlongDim.apply(x, index=index, dim=dim)
    return out.reshape(()) if zero_d else out


@tensor_op("index_add")
def index_add(self, dim: int, index, source, *, alpha=1):
    """A copy of self with alpha * source's slices added at the positions ``index`` (1-D) along
    ``dim``; repeated positions accumulate."""
    index = _index_array(index, "index_add", "int32/int64")
    if index.ndim > 1:
        raise IndexError(f"index_add(): Index is supposed to be a vector, got shape {index.shape}")
    dim = _one_axis(dim, self.ndim)
    x, src = _as_1d(self), _as_1d(source) if isinstance(source, Tensor) else source
    index = index.reshape(-1)
    expected = x.shape[:dim] + (index.size,) + x.shape[dim + 1:]
    if not isinstance(src, Tensor) or src.shape != expected:
        raise RuntimeError(f"index_add(): source must be a tensor of shape {expected} (self "
                           f"{tuple(self.shape)} with dim {dim} the index's length), got "
                           f"{getattr(src, 'shape', type(src).__name__)}")
    _check_bounds(index, x.shape[dim], dim, "index_add")
    out = IndexAdd.apply(x, src, index=index, dim=dim, alpha=alpha)
    return out.reshape(()) if self.ndim == 0 else out


def _slice_index(self, dim, index, op: str):
    """dim made non-negative and a 1-D (or 0-d) int index checked against that dim's size."""
    index = _index_array(index, op, "int64")
    if index.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector, got shape {index.shape}")
    dim = _one_axis(dim, self.ndim)
    _check_bounds(index, (self.shape or (1,))[dim], dim, op)
    return dim, index.reshape(-1)


@tensor_op("index_copy")
def index_copy(self, dim: int, index, source):
    """A copy of self whose slices at ``index`` along ``dim`` are source's slices, in order."""
    dim, index = _slice_index(self, dim, index, "index_copy")
    x = _as_1d(self)
    expected = x.shape[:dim] + (index.size,) + x.shape[dim + 1:]
    if not isinstance(source, Tensor) or tuple(_as_1d(source).shape) != expected:
        raise RuntimeError(f"index_copy(): source must be a tensor of shape {expected}, got "
                           f"{getattr(source, 'shape', type(source).__name__)}")
    out = IndexCopy.apply(x, _as_1d(source), index=index, dim=dim)
    return out.reshape(()) if self.ndim == 0 else out


@tensor_op("index_fill")
def index_fill(self, dim: int, index, value):
    """A copy of self with ``value`` (a number or a 0-d tensor) in the slices at ``index`` along
    ``dim`` (a composite: masked_fill with that mask)."""
    dim, index = _slice_index(self, dim, index, "index_fill")
    mask = np.zeros((self.shape or (1,))[dim], dtype=bool)
    mask[index] = True
    mask = mask.reshape((-1,) + (1,) * (self.ndim - dim - 1)) if self.ndim else mask.reshape(())
    return self.masked_fill(mask, value)


@tensor_op("bincount")
def bincount(self, weights=None, minlength: int = 0):
    """counts[v] = the number of entries equal to v (non-negative ints, 1-D), or the sum of
    their ``weights``; length max(self) + 1, at least ``minlength``. Not differentiable."""
    if self.ndim != 1 or self.dtype.kind not in "iu":
        raise RuntimeError(f"bincount only supports 1-d non-negative integral inputs, got a "
                           f"{self.dtype} tensor of shape {tuple(self.shape)}")
    if self.data.size and self.data.min() < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs")
    w = None if weights is None else (weights.data if isinstance(weights, Tensor)
                                      else np.asarray(weights))
    out = np.bincount(self.data, weights=w, minlength=minlength)
    if w is None:
        return Tensor._wrap(out.astype(np.int64, copy=False))
    return Tensor._wrap(out.astype(w.dtype if w.dtype.kind == "f" else np.float64, copy=False))


def searchsorted(sorted_sequence, values, *, out_int32: bool = False, right: bool = False,
                 side=None, sorter=None) -> Tensor:
    """For each value, the index where it would be inserted into the sorted last dim of
    ``sorted_sequence`` (1-D, or one row per leading index of values) to keep it sorted:
    before equal entries, or after them with ``right=True`` / ``side="right"``.

    Examples
    --------
    >>> from lucidnet.autograd.ops.indexing import searchsorted
    >>> edges = ln.tensor([1.0, 2.0, 3.0])
    >>> searchsorted(edges, ln.tensor([0.5, 2.0, 9.0]))  # before an equal entry
    tensor([0, 1, 3])
    >>> searchsorted(edges, ln.tensor([0.5, 2.0, 9.0]), right=True)  # after it
    tensor([0, 2, 3])
    """
    seq = (sorted_sequence.data if isinstance(sorted_sequence, Tensor)
           else np.asarray(sorted_sequence))
    vals = values.data if isinstance(values, Tensor) else np.asarray(values)
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side!r}")
        right = side == "right"
    if sorter is not None:
        order = sorter.data if isinstance(sorter, Tensor) else np.asarray(sorter)
        seq = np.take_along_axis(seq, order, axis=-1)
    how = "right" if right else "left"
    if seq.ndim <= 1:
        out = np.searchsorted(seq, vals, side=how)
    else:
        if seq.shape[:-1] != vals.shape[:-1]:
            raise RuntimeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension or "
                               f"the first N-1 dimensions of boundaries tensor and input value "
                               f"tensor must match, but we got boundaries tensor {list(seq.shape)} "
                               f"and input value tensor {list(vals.shape)}")
        rows_seq = seq.reshape(-1, seq.shape[-1])
        rows_val = vals.reshape(-1, vals.shape[-1])
        out = np.stack([np.searchsorted(s, v, side=how) for s, v in zip(rows_seq, rows_val)])
        out = out.reshape(vals.shape)
    return Tensor._wrap(np.asarray(out, dtype=np.int32 if out_int32 else np.int64))


register("searchsorted", method=False, function=True)(searchsorted)


@tensor_op("bucketize", method=False)
def bucketize(self, boundaries, *, out_int32: bool = False, right: bool = False):
    """The bucket of each entry among the sorted 1-D ``boundaries``: i with
    boundaries[i-1] < x <= boundaries[i] (``right=True``: boundaries[i-1] <= x < boundaries[i])."""
    b = boundaries.data if isinstance(boundaries, Tensor) else np.asarray(boundaries)
    if b.ndim != 1:
        raise RuntimeError(f"bucketize(): boundaries tensor must be 1 dimension, but got dim("
                           f"{b.ndim})")
    return searchsorted(b, self, out_int32=out_int32, right=right)


@tensor_op("diag_embed")
def diag_embed(self, offset: int = 0, dim1: int = -2, dim2: int = -1):
    """A tensor of one more dim whose matrices in (dim1, dim2) carry self's last dim on diagonal
    ``offset``, zeros elsewhere."""
    if self.ndim == 0:
        raise IndexError("diag_embed(): needs at least a 1-D input (it puts the last dim on a "
                         "diagonal), got a 0-d tensor")
    d1, d2 = _one_axis(dim1, self.ndim + 1), _one_axis(dim2, self.ndim + 1)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return DiagEmbed.apply(self, offset=int(offset), dim1=d1, dim2=d2)


def _triangle_indices(row, col, offset, upper, dtype, device):
    if device is not None and str(device) != "cpu":
        raise RuntimeError(f"lucidnet runs on the CPU only, got device={device!r}; use 'cpu'")
    rows, cols = (np.triu_indices if upper else np.tril_indices)(row, offset, col)
    out = np.stack([rows, cols]).astype(np.int64).reshape(2, -1)
    return Tensor._wrap(out if dtype is None else out.astype(np.dtype(dtype)))


@register("tril_indices", method=False, function=True)
def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None):
    """The (2, N) int64 indices (rows, then columns, row-major) of the lower triangle of a
    row x col matrix from diagonal ``offset`` down."""
    return _triangle_indices(row, col, offset, False, dtype, device)


@register("triu_indices", method=False, function=True)
def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None):
    """The (2, N) int64 indices of the upper triangle of a row x col matrix from diagonal
    ``offset`` up."""
    return _triangle_indices(row, col, offset, True, dtype, device)



def _tensors(tensors) -> list:
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    return [t if isinstance(t, Tensor) else Tensor(np.asarray(t)) for t in tensors]


def meshgrid(*tensors, indexing: str = "ij") -> tuple:
    """Coordinate grids from 1-D (or 0-d) tensors: with ``indexing="ij"`` output k varies along
    dim k (shape (n_0, n_1, ...)); ``"xy"`` swaps the first two dims (NumPy / MATLAB style).
    Each output is its input reshaped and expanded, so gradients sum back.

    Examples
    --------
    >>> from lucidnet.autograd.ops.indexing import meshgrid
    >>> rows, cols = meshgrid(ln.tensor([0, 1]), ln.tensor([5, 6, 7]), indexing="ij")
    >>> rows.shape, cols[1]  # output k varies along dim k
    (torch.Size([2, 3]), tensor([5, 6, 7]))
    """
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but '
                           f"received: {indexing}")
    ts = _tensors(tensors)
    for t in ts:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got a tensor of shape {tuple(t.shape)}")
    ts = [t.reshape(-1) for t in ts]
    axis = list(range(len(ts)))
    if indexing == "xy" and len(ts) >= 2:
        axis[0], axis[1] = 1, 0
    shape = [0] * len(ts)
    for k, t in enumerate(ts):
        shape[axis[k]] = t.shape[0]
    grids = []
    for k, t in enumerate(ts):
        view = [1] * len(ts)
        view[axis[k]] = -1
        grids.append(t.reshape(view).expand(*shape))
    return tuple(grids)


register("meshgrid", method=False, function=True)(meshgrid)


def cartesian_prod(*tensors) -> Tensor:
    """Every combination of one entry from each 1-D tensor, in row-major order: shape
    (prod n_k, K) (a single tensor comes back as is).

    Examples
    --------
    >>> from lucidnet.autograd.ops.indexing import cartesian_prod
    >>> cartesian_prod(ln.tensor([1, 2]), ln.tensor([5, 6]))  # shape (2 * 2, 2)
    tensor([[1, 5],
            [1, 6],
            [2, 5],
            [2, 6]])
    """
    from .shape import Stack

    ts = _tensors(tensors)
    for t in ts:
        if t.ndim != 1:
            raise RuntimeError(f"cartesian_prod: Expect a 1D vector, but got shape "
                               f"{list(t.shape)}")
    if len(ts) == 1:
        return ts[0]
    return Stack.apply(*(g.reshape(-1) for g in meshgrid(*ts, indexing="ij")), axis=1)


register("cartesian_prod", method=False, function=True)(cartesian_prod)


class BlockDiag(Function):
    """z = the matrices on the diagonal of a zero matrix, in order;  dz/d block k = its block
    of g.

    Examples
    --------
    >>> from lucidnet.autograd.ops.indexing import BlockDiag
    >>> a = ln.tensor([[1.0]], requires_grad=True); b = ln.tensor([[2.0, 3.0]], requires_grad=True)
    >>> y = BlockDiag.apply(a, b); y  # (1 + 1) x (1 + 2), the blocks on the diagonal
    tensor([[1., 0., 0.],
            [0., 2., 3.]], grad_fn=<BlockDiagBackward0>)
    >>> (y * ln.arange(6.0).reshape(2, 3)).sum().backward(); b.grad  # b's block of g
    tensor([[4., 5.]])
    """

    @staticmethod
    def forward(ctx, *blocks):
        rows, cols = sum(b.shape[0] for b in blocks), sum(b.shape[1] for b in blocks)
        out = np.zeros((rows, cols), dtype=np.result_type(*blocks))
        spans, r, c = [], 0, 0
        for b in blocks:
            span = (slice(r, r + b.shape[0]), slice(c, c + b.shape[1]))
            out[span] = b
            spans.append(span)
            r, c = r + b.shape[0], c + b.shape[1]
        ctx.spans = spans
        return out

    @staticmethod
    def backward(ctx, g):
        return tuple(g[span].copy() for span in ctx.spans)


def block_diag(*tensors) -> Tensor:
    """The block-diagonal matrix of the inputs (0-d: a 1x1 block, 1-D: one row, 2-D as is).

    Examples
    --------
    >>> from lucidnet.autograd.ops.indexing import block_diag
    >>> block_diag(ln.tensor(1.0), ln.tensor([2.0, 3.0]))  # 0-d: a 1x1 block; 1-D: one row
    tensor([[1., 0., 0.],
            [0., 2., 3.]])
    """
    ts = _tensors(tensors)
    for i, t in enumerate(ts):
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {i} has {t.ndim} dimensions")
    ts = [t if t.ndim == 2 else t.reshape(1, -1) for t in ts]
    if not ts:
        return Tensor._wrap(np.zeros((1, 0), dtype=np.float32))
    return BlockDiag.apply(*ts)


register("block_diag", method=False, function=True)(block_diag)
