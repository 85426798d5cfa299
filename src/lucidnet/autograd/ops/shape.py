"""Shape ops: reshape/view, permute/transpose, squeeze/unsqueeze, expand, repeat, flip,
flatten/unflatten, split/chunk/narrow/unbind, cat/stack, indexing, registered in
PyTorch's spelling. Most are composites of Reshape, Transpose and GetItem; Expand, Repeat and
Flip are their own differentiable ops (forward and backward side by side)."""

from __future__ import annotations

import functools
import math
import numbers

import numpy as np

from ..function import Function, unbroadcast
from ..registry import register
from ..tensor import Tensor
from .reduce import one_dim

__all__ = ["Reshape", "Transpose", "GetItem", "Concatenate", "Stack", "Expand", "Repeat", "Flip",
           "torch_index", "Size"]


class Reshape(Function):
    """z = a with a new shape of the same number of elements (a view when NumPy can make one);
    backward reshapes the gradient back to a's shape: dL/da = reshape(g, a.shape).

    Examples
    --------
    >>> from lucidnet.autograd.ops.shape import Reshape
    >>> x = ln.arange(6.0, requires_grad=True)
    >>> y = Reshape.apply(x, shape=(2, 3)); y
    tensor([[0., 1., 2.],
            [3., 4., 5.]], grad_fn=<ViewBackward0>)
    >>> (y * ln.tensor([[1.0], [2.0]])).sum().backward(); x.grad  # g reshaped back to (6,)
    tensor([1., 1., 1., 2., 2., 2.])
    """
    returns_view = True

    @staticmethod
    def forward(ctx, a, shape=None):
        ctx.in_shape = a.shape
        return np.reshape(a, shape)

    @staticmethod
    def backward(ctx, g):
        return np.reshape(g, ctx.in_shape)


class Transpose(Function):
    """z = a permuted by ``axes`` (a permutation, negative axes allowed);  dz/da = g permuted
    back by the inverse permutation.

    Examples
    --------
    >>> from lucidnet.autograd.ops.shape import Transpose
    >>> x = ln.ones(2, 3, 4, requires_grad=True)
    >>> y = Transpose.apply(x, axes=(2, 0, 1)); y.shape
    torch.Size([4, 2, 3])
    >>> y.sum().backward(); x.grad.shape  # permuted back
    torch.Size([2, 3, 4])
    """

    returns_view = True

    @staticmethod
    def forward(ctx, a, axes=None):
        ctx.axes = None if axes is None else tuple(ax % a.ndim for ax in axes)
        return np.transpose(a, axes)

    @staticmethod
    def backward(ctx, g):
        if ctx.axes is None:
            return np.transpose(g)
        return np.transpose(g, np.argsort(ctx.axes))


def _is_basic(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, (int, np.integer, slice)) or p is None or p is Ellipsis for p in parts)


class GetItem(Function):
    """z = a[index] (then ``[then]``, see `torch_index`);  the gradient is scattered back, and
    repeated array indices accumulate (np.add.at).

    Examples
    --------
    >>> from lucidnet.autograd.ops.shape import GetItem
    >>> x = ln.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = GetItem.apply(x, index=np.array([0, 0, 2])); y
    tensor([1., 1., 3.], grad_fn=<IndexBackward0>)
    >>> y.sum().backward(); x.grad  # the repeated index 0 accumulates
    tensor([2., 0., 1.])
    """

    returns_view = True  # basic indexing gives a view (apply checks that memory is shared)

    @staticmethod
    def forward(ctx, a, index=None, then=None):
        ctx.args = (a.shape, index, then)
        out = a[index]
        return np.asarray(out if then is None else out[then])

    @staticmethod
    def backward(ctx, g):
        shape, index, then = ctx.args
        out = np.zeros(shape, dtype=g.dtype)
        if then is not None:
            np.add.at(out[index], then, g)  # out[index] is a view: ints and slices only
        elif _is_basic(index):
            out[index] = g
        else:
            np.add.at(out, index, g)
        return out


class Concatenate(Function):
    """z = [a_1, a_2, ...] joined along ``axis`` (the other sizes must agree); backward splits g
    along ``axis`` at the inputs' sizes, one piece per input.

    Examples
    --------
    >>> from lucidnet.autograd.ops.shape import Concatenate
    >>> a = ln.ones(1, 2, requires_grad=True); b = ln.zeros(3, 2, requires_grad=True)
    >>> y = Concatenate.apply(a, b, axis=0); y.shape
    torch.Size([4, 2])
    >>> (y * ln.arange(4.0).reshape(4, 1)).sum().backward(); a.grad, b.grad[:, 0]  # g split
    (tensor([[0., 0.]]), tensor([1., 2., 3.]))
    """
    @staticmethod
    def forward(ctx, *arrays, axis=0):
        ctx.axis = axis
        ctx.sizes = [a.shape[axis] for a in arrays]
        return np.concatenate(arrays, axis=axis)

    @staticmethod
    def backward(ctx, g):
        cuts = np.cumsum(ctx.sizes)[:-1]
        return tuple(np.split(g, cuts, axis=ctx.axis))


class Stack(Function):
    """z = the inputs (all one shape) stacked along a new axis ``axis``; backward hands input k the
    slice g[..., k, ...] of that axis.

    Examples
    --------
    >>> from lucidnet.autograd.ops.shape import Stack
    >>> a = ln.tensor([1.0, 2.0], requires_grad=True); b = ln.tensor([3.0, 4.0], requires_grad=True)
    >>> y = Stack.apply(a, b, axis=1); y  # a new axis 1
    tensor([[1., 3.],
            [2., 4.]], grad_fn=<StackBackward0>)
    >>> y[:, 1].sum().backward(); a.grad, b.grad  # b gets the slice g[:, 1]
    (tensor([0., 0.]), tensor([1., 1.]))
    """
    @staticmethod
    def forward(ctx, *arrays, axis=0):
        ctx.axis = axis
        return np.stack(arrays, axis=axis)

    @staticmethod
    def backward(ctx, g):
        n = g.shape[ctx.axis]
        return tuple(np.take(g, i, axis=ctx.axis) for i in range(n))


class Expand(Function):
    """z = a broadcast to ``shape`` (a read-only view, as PyTorch's expand shares memory);
    dz/da = g summed over the broadcast dims.

    Examples
    --------
    >>> from lucidnet.autograd.ops.shape import Expand
    >>> x = ln.tensor([[1.0], [2.0]], requires_grad=True)
    >>> y = Expand.apply(x, shape=(2, 3)); y
    tensor([[1., 1., 1.],
            [2., 2., 2.]], grad_fn=<ExpandBackward0>)
    >>> y.sum().backward(); x.grad  # summed over the 3 broadcast columns
    tensor([[3.],
            [3.]])
    """

    returns_view = True

    @staticmethod
    def forward(ctx, a, shape=None):
        ctx.in_shape = a.shape
        return np.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, g):
        return unbroadcast(g, ctx.in_shape)


class Repeat(Function):
    """z = a tiled ``reps`` times along each dim (PyTorch's ``repeat``, NumPy's ``tile``);
    dz/da = g cut into its tiles, summed.

    Examples
    --------
    >>> from lucidnet.autograd.ops.shape import Repeat
    >>> x = ln.tensor([1.0, 2.0], requires_grad=True)
    >>> y = Repeat.apply(x, reps=(2, 2)); y  # tiled twice along each dim
    tensor([[1., 2., 1., 2.],
            [1., 2., 1., 2.]], grad_fn=<RepeatBackward0>)
    >>> y.sum().backward(); x.grad  # each entry appears in 4 tiles
    tensor([4., 4.])
    """

    @staticmethod
    def forward(ctx, a, reps=()):
        shape = (1,) * (len(reps) - a.ndim) + a.shape
        ctx.shapes = (a.shape, shape, reps)
        return np.tile(a.reshape(shape), reps)

    @staticmethod
    def backward(ctx, g):
        in_shape, shape, reps = ctx.shapes
        split = [n for pair in zip(reps, shape) for n in pair]  # (r0, s0, r1, s1, ...)
        return g.reshape(split).sum(axis=tuple(range(0, len(split), 2))).reshape(in_shape)


class Flip(Function):
    """z = a reversed along ``dims``;  dz/da = g reversed along them.

    Examples
    --------
    >>> from lucidnet.autograd.ops.shape import Flip
    >>> x = ln.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = Flip.apply(x, dims=(0,)); y
    tensor([3., 2., 1.], grad_fn=<FlipBackward0>)
    >>> (y * ln.tensor([1.0, 0.0, 0.0])).sum().backward(); x.grad  # g reversed
    tensor([0., 0., 1.])
    """

    @staticmethod
    def forward(ctx, a, dims=()):
        ctx.dims = dims
        return np.flip(a, dims).copy() if dims else a.copy()

    @staticmethod
    def backward(ctx, g):
        return np.flip(g, ctx.dims) if ctx.dims else g


# ====================================================================== the PyTorch surface
def _tensor(x) -> Tensor:
    if isinstance(x, Tensor):
        return x
    from ..tensor import tensor

    return tensor(x)


def _sizes(args) -> tuple:
    """``f(2, 3)`` or ``f((2, 3))`` -> (2, 3), each an int."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    for n in args:
        if isinstance(n, bool) or not isinstance(n, (numbers.Integral, np.integer)):
            raise TypeError(f"sizes must be integers, got {n!r} in {tuple(args)}")
    return tuple(int(n) for n in args)


def _infer(shape: tuple, numel: int) -> tuple:
    """``shape`` with its one -1 filled in so the sizes multiply to ``numel``, as PyTorch."""
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    if any(n < -1 for n in shape):
        raise RuntimeError(f"invalid shape dimension {min(shape)} in {list(shape)}")
    known = math.prod(n for n in shape if n != -1)
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        return tuple(numel // known if n == -1 else n for n in shape)
    if known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


class Size(tuple):
    """A shape, as PyTorch's ``torch.Size``: what ``t.shape`` and ``t.size()`` return.

    A tuple of ints (``==`` a tuple, hashes as one, unpacks, indexes, goes to NumPy) that prints
    as PyTorch's, ``torch.Size([64, 1, 28, 28])`` (PyTorch's spelling, as printed tensors use
    it: see autograd/printing.py). ``numel()`` is the product of the sizes; a slice, ``+`` and
    ``*`` give a Size again. ``Size([2, 3])`` takes any iterable of ints (or integer 0-d
    tensors).

    Examples
    --------
    >>> from lucidnet.autograd.ops.shape import Size
    >>> s = Size([64, 1, 28, 28]); s
    torch.Size([64, 1, 28, 28])
    >>> s == (64, 1, 28, 28), s.numel(), s[1:]
    (True, 50176, torch.Size([1, 28, 28]))
    >>> ln.zeros(2, 3).shape
    torch.Size([2, 3])
    """

    __slots__ = ()

    def __new__(cls, sizes=()):
        items = tuple(sizes)
        for i, n in enumerate(items):
            if not hasattr(n, "__index__"):
                raise TypeError(f"lucidnet.Size() takes an iterable of 'int' (item {i} is "
                                f"{type(n).__name__!r} {n!r})")
        return _new_tuple(cls, (n.__index__() for n in items))

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    def numel(self) -> int:
        """The number of entries a tensor of this shape holds: ``prod(sizes)`` (1 for ``()``)."""
        return math.prod(self)

    def __getitem__(self, index):
        item = _tuple_getitem(self, index)
        return _new_tuple(Size, item) if index.__class__ is slice else item

    def __add__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return _new_tuple(Size, _tuple_add(self, other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return _new_tuple(Size, _tuple_add(other, self))

    def __mul__(self, n):
        return _new_tuple(Size, _tuple_mul(self, n))

    __rmul__ = __mul__

    def __reduce__(self):
        return (Size, (tuple(self),))


_new_tuple, _tuple_getitem = tuple.__new__, tuple.__getitem__
_tuple_add, _tuple_mul = tuple.__add__, tuple.__mul__
register("Size", value=Size)


def _shape(self) -> Size:
    return _new_tuple(Size, self.data.shape)


_shape.__doc__ = """The shape as a `Size` (a tuple that prints as ``torch.Size([2, 3])``). Code
that runs every step and needs only the tuple reads ``t.data.shape``, a little cheaper."""
register("shape")(property(_shape))


@register("size")
def size(self, dim=None):
    """The shape as a `Size`, or ``size(dim)``: the size of one dim (negative counts from the
    end), as PyTorch. (NumPy's ``.size`` is `numel()` here.)"""
    if dim is None:
        return _new_tuple(Size, self.data.shape)
    return self.data.shape[one_dim(dim, self.ndim)] if self.ndim else _no_dims(dim)


def _no_dims(dim):
    raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")


@register("dim")
def dim(self) -> int:
    """The number of dims (``ndim``)."""
    return self.data.ndim


register("ndimension")(dim)


@register("numel", function=True)
def numel(self) -> int:
    """The number of entries (NumPy's ``size``)."""
    return _tensor(self).data.size


register("nelement")(numel)


@register("item")
def item(self):
    """The value of a one-entry tensor as a Python number."""
    if self.data.size != 1:
        raise RuntimeError(f"a Tensor with {self.data.size} elements cannot be converted to "
                           "Scalar; index one entry first (t[0].item()) or use t.tolist()")
    return self.data.item()


@register("__index__")
def __index__(self) -> int:
    """A one-entry integer tensor used as an index (``[1, 2, 3][t]``)."""
    if self.data.dtype.kind not in "iu" or self.data.size != 1:
        raise TypeError("only integer tensors of a single element can be converted to an index")
    return int(self.data.reshape(-1)[0])


@register("__len__")
def __len__(self) -> int:
    if self.data.ndim == 0:
        raise TypeError("len() of a 0-d tensor")
    return self.data.shape[0]


@register("__iter__")
def __iter__(self):
    """Iterate over dim 0: each item a tensor in the graph (``t[0], t[1], ...``)."""
    if self.data.ndim == 0:
        raise TypeError("iteration over a 0-d tensor")
    return iter(unbind(self, 0))


@register("reshape", function=True)
def reshape(self, *shape):
    """The same entries in ``shape`` (one size may be -1: inferred), as a view when possible."""
    self = _tensor(self)
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    if -1 in shape and self.data.size == 0 or any(n < -1 for n in shape if isinstance(n, int)):
        _infer(_sizes(shape), self.data.size)  # NumPy would accept these; PyTorch refuses
    try:
        return Reshape.apply(self, shape=shape)  # NumPy checks the sizes and infers a -1
    except (ValueError, TypeError):
        _infer(_sizes(shape), self.data.size)  # PyTorch's error for the same mistake
        raise


@register("view")
def view(self, *shape):
    """``reshape``: lucidnet's arrays are NumPy's, so a view is taken when the memory allows
    and a copy otherwise (PyTorch would raise for a non-contiguous input)."""
    try:
        return reshape(self, *shape)
    except TypeError:
        if len(shape) == 1 and not isinstance(shape[0], (tuple, list, numbers.Integral)):
            raise TypeError(f"view(dtype) is not supported: reinterpreting memory as another "
                            f"dtype; use .to({shape[0]}) to convert the values (got "
                            f"{shape[0]!r})") from None
        raise


@register("view_as")
def view_as(self, other):
    """``view(other.shape)``."""
    return reshape(self, tuple(other.shape))


@register("reshape_as")
def reshape_as(self, other):
    """``reshape(other.shape)``."""
    return reshape(self, tuple(other.shape))


class PermutationError(RuntimeError, ValueError):
    """permute() given something that is not a permutation of the dims: PyTorch's
    RuntimeError (also a ValueError, as lucidnet raised before)."""


def _perm(dims, ndim) -> tuple:
    perm = tuple(one_dim(d, ndim) for d in dims)
    if len(perm) != ndim or len(set(perm)) != len(perm):
        raise PermutationError(f"permute() needs a permutation of the {ndim} dims (0..{ndim - 1}, "
                               f"or negative; no duplicates), got {tuple(dims)}")
    return perm


@register("permute", function=True)
def permute(self, *dims_, dims=None):
    """Reorder the dims: output dim i is input dim ``dims[i]`` (negative dims allowed)."""
    self = _tensor(self)
    dims = dims_ if dims is None else (dims,)
    return Transpose.apply(self, axes=_perm(_sizes(dims), self.ndim)) if self.ndim else self


@register("transpose", function=True)
def transpose(self, *dims, dim0=None, dim1=None):
    """``transpose(dim0, dim1)`` swaps two dims, as PyTorch. (A full permutation
    ``transpose(0, 2, 1)`` / ``transpose((0, 2, 1))`` or ``transpose()`` to reverse, as NumPy,
    is accepted too.)"""
    self = _tensor(self)
    if dim0 is not None or dim1 is not None:
        dims = (*dims, *(d for d in (dim0, dim1) if d is not None))
    if len(dims) == 2 and not isinstance(dims[0], (tuple, list)):
        a, b = one_dim(dims[0], self.ndim), one_dim(dims[1], self.ndim)
        if self.ndim < 2 or a == b:
            return self if self.ndim < 2 else Transpose.apply(self, axes=tuple(range(self.ndim)))
        perm = list(range(self.ndim))
        perm[a], perm[b] = perm[b], perm[a]
        return Transpose.apply(self, axes=tuple(perm))
    if not dims:
        return Transpose.apply(self, axes=None)
    return permute(self, *dims)


register("swapaxes", function=True)(transpose)
register("swapdims", function=True)(transpose)


@register("t", function=True)
def t(self):
    """The transpose of a matrix (a 0-d or 1-D tensor is returned as it is)."""
    self = _tensor(self)
    if self.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{self.ndim}D; use transpose(dim0, dim1) or .mT")
    return Transpose.apply(self, axes=(1, 0)) if self.ndim == 2 else self


@register("T")
@property
def T(self):
    """All dims reversed (the matrix transpose of a 2-D tensor)."""
    return Transpose.apply(self, axes=None) if self.ndim > 1 else self


@register("mT")
@property
def mT(self):
    """The last two dims swapped: a batch of matrices transposed."""
    if self.ndim < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. "
                           f"Got {self.ndim}-D tensor.")
    return transpose(self, -2, -1)


@register("squeeze", function=True)
def squeeze(self, dim=None):
    """Drop dims of size 1: all of them, or those of ``dim`` (an int or a tuple); naming a
    dim whose size is not 1 leaves it, as PyTorch."""
    self = _tensor(self)
    sizes = self.data.shape
    if dim is None:
        drop = {i for i, n in enumerate(sizes) if n == 1}
    else:
        ds = dim if isinstance(dim, (tuple, list)) else (dim,)
        drop = {d for d in (one_dim(x, self.ndim) for x in ds) if self.ndim and sizes[d] == 1}
    if not drop:
        return self
    return Reshape.apply(self, shape=tuple(n for i, n in enumerate(sizes) if i not in drop))


@register("unsqueeze", function=True)
def unsqueeze(self, dim):
    """A new dim of size 1 at ``dim`` (in [-ndim-1, ndim])."""
    self = _tensor(self)
    d = one_dim(dim, self.ndim + 1)
    return Reshape.apply(self, shape=self.data.shape[:d] + (1,) + self.data.shape[d:])


@register("expand")
def expand(self, *sizes):
    """A view of this tensor broadcast to ``sizes`` (-1 keeps a dim; new dims go in front);
    its gradient sums over the broadcast dims."""
    sizes = _sizes(sizes)
    if len(sizes) < self.ndim:
        raise RuntimeError(f"expand: the number of sizes provided ({len(sizes)}) must be greater "
                           f"or equal to the number of dimensions in the tensor ({self.ndim})")
    lead = len(sizes) - self.ndim
    shape = []
    for i, n in enumerate(sizes):
        if i < lead:
            if n < 0:
                raise RuntimeError(f"The expanded size of the tensor ({n}) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
            shape.append(n)
            continue
        have = self.data.shape[i - lead]
        if n == -1:
            n = have
        elif have != 1 and n != have:
            raise RuntimeError(f"The expanded size of the tensor ({n}) must match the existing "
                               f"size ({have}) at non-singleton dimension {i}.  Target sizes: "
                               f"{list(sizes)}.  Tensor sizes: {list(self.data.shape)}")
        shape.append(n)
    shape = tuple(shape)
    return self if shape == self.data.shape else Expand.apply(self, shape=shape)


@register("expand_as")
def expand_as(self, other):
    """``expand(other.shape)``."""
    return expand(self, tuple(other.shape))


@register("broadcast_to", function=True)
def broadcast_to(self, size):
    """``expand(size)``."""
    return expand(_tensor(self), tuple(size))


@register("repeat")
def repeat(self, *sizes):
    """Tile the tensor ``sizes[i]`` times along dim i (more sizes than dims add leading dims)."""
    reps = _sizes(sizes)
    if len(reps) < self.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           f"of dimensions of tensor ({len(reps)} < {self.ndim})")
    return Repeat.apply(self, reps=reps)


@register("flip", function=True)
def flip(self, *dims_, dims=None):
    """Reverse the order of the entries along ``dims``."""
    self = _tensor(self)
    dims = dims_ if dims is None else (dims,)
    ds = tuple(one_dim(d, self.ndim) for d in _sizes(dims))
    if len(set(ds)) != len(ds):
        raise RuntimeError(f"flip: dims has duplicates, got {ds}")
    return Flip.apply(self, dims=ds if self.ndim else ())


@register("flatten", function=True)
def flatten(self, start_dim: int = 0, end_dim: int = -1):
    """Merge dims start_dim..end_dim into one (a 0-d tensor becomes 1-D)."""
    self = _tensor(self)
    start, end = one_dim(start_dim, self.ndim), one_dim(end_dim, self.ndim)
    if self.ndim == 0:
        return Reshape.apply(self, shape=(1,))
    if start > end:
        raise RuntimeError(f"flatten() has invalid args: start_dim ({start_dim}) cannot come "
                           f"after end_dim ({end_dim})")
    if start == end:
        return self
    sizes = self.data.shape
    shape = sizes[:start] + (math.prod(sizes[start:end + 1]),) + sizes[end + 1:]
    return Reshape.apply(self, shape=shape)


@register("unflatten", function=True)
def unflatten(self, dim, sizes):
    """Split dim ``dim`` into ``sizes`` (one may be -1), the inverse of `flatten`."""
    self = _tensor(self)
    if self.ndim == 0:
        raise IndexError(f"unflatten: dimension specified as {dim} but tensor has no dimensions")
    d = one_dim(dim, self.ndim)
    sizes = _sizes(sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    try:
        inner = _infer(sizes, self.data.shape[d])
    except RuntimeError:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size "
                           f"of dim {dim} ({self.data.shape[d]}) in the input tensor") from None
    return Reshape.apply(self, shape=self.data.shape[:d] + inner + self.data.shape[d + 1:])


def _along(self, d, start, stop):
    index = (slice(None),) * d + (slice(start, stop),)
    return GetItem.apply(self, index=index)


@register("narrow", function=True)
def narrow(self, dim, start, length):
    """Entries start..start+length-1 along ``dim`` (start may be negative): a view."""
    self = _tensor(self)
    d = one_dim(dim, self.ndim)
    n = self.data.shape[d]
    start = int(start)
    if not -n <= start <= n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got "
                         f"{start})")
    start %= n if n else 1
    if length < 0 or start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return _along(self, d, start, start + length)


@register("split", function=True)
def split(self, split_size_or_sections=None, dim=0, *, split_size=None):
    """Pieces along ``dim``: of ``split_size`` entries each (the last may be smaller), or of the
    listed sizes (which must add up to the dim's size)."""
    self = _tensor(self)
    if split_size is not None:
        split_size_or_sections = split_size
    if split_size_or_sections is None:
        raise TypeError("split() missing 1 required positional argument: 'split_size'")
    d = one_dim(dim, self.ndim)
    n = self.data.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = _sizes(split_size_or_sections)
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input "
                               f"tensor's size at dimension {d}), but got split_sizes={list(sizes)}")
    else:
        size = int(split_size_or_sections)
        if size < 0 or (size == 0 and n != 0):
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {n}" if size == 0 else
                               f"split expects split_size be non-negative, but got {size}")
        sizes = [size] * (n // size) + ([n % size] if n % size else []) if size else [0]
        if n == 0:
            sizes = [0]
    cuts = np.cumsum([0, *sizes]).tolist()
    return tuple(_along(self, d, a, b) for a, b in zip(cuts[:-1], cuts[1:]))


@register("chunk", function=True)
def chunk(self, chunks, dim=0):
    """At most ``chunks`` pieces along ``dim``, each ceil(size / chunks) entries (the last may
    be smaller, and fewer pieces come back when the sizes run out), as PyTorch."""
    self = _tensor(self)
    if isinstance(chunks, bool) or not isinstance(chunks, (numbers.Integral, np.integer)) or chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = one_dim(dim, self.ndim)
    n = self.data.shape[d]
    if n == 0:  # PyTorch: `chunks` empty pieces
        return tuple(_along(self, d, 0, 0) for _ in range(chunks))
    return split(self, -(-n // chunks), dim)


@register("unbind", function=True)
def unbind(self, dim=0):
    """The slices along ``dim``, that dim removed: ``(t[0], t[1], ...)`` for dim 0."""
    self = _tensor(self)
    if self.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = one_dim(dim, self.ndim)
    n = self.data.shape[d]
    return tuple(GetItem.apply(self, index=(slice(None),) * d + (i,)) for i in range(n))


def _tensors(tensors, name):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{name}() expects a list or tuple of tensors, got {type(tensors).__name__}")
    if not tensors:
        raise ValueError(f"{name}(): expected a non-empty list of Tensors")
    from ..operators import _cast, _promote_types

    ts = [_tensor(t) for t in tensors]
    dt = functools.reduce(_promote_types, [t.data.dtype for t in ts])  # 0-d ones count fully
    return [_cast(t, dt) for t in ts]


@register("cat", method=False, function=True)
def cat(tensors, dim=0, *, axis=None):
    """Join tensors along an existing dim (their dtypes promoted); the other dims must match.
    A 1-D empty tensor is skipped, as PyTorch."""
    dim = dim if axis is None else axis
    ts = _tensors(tensors, "cat")
    if any(t.ndim == 0 for t in ts):
        raise RuntimeError("zero-dimensional tensor cannot be concatenated; unsqueeze it first")
    kept = [t for t in ts if t.data.shape != (0,)] or ts[:1]
    first = kept[0]
    d = one_dim(dim, first.ndim)
    for i, t in enumerate(kept):
        if t.ndim != first.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {first.ndim} "
                               f"and {t.ndim}")
        for k in range(first.ndim):
            if k != d and t.data.shape[k] != first.data.shape[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. "
                                   f"Expected size {first.data.shape[k]} but got size "
                                   f"{t.data.shape[k]} "
                                   f"for tensor number {i} in the list.")
    return Concatenate.apply(*kept, axis=d)


register("concat", method=False, function=True)(cat)
register("concatenate", method=False, function=True)(cat)


@register("stack", method=False, function=True)
def stack(tensors, dim=0, *, axis=None):
    """Join same-shaped tensors along a new dim ``dim`` (in [-ndim-1, ndim])."""
    dim = dim if axis is None else axis
    ts = _tensors(tensors, "stack")
    for i, t in enumerate(ts):
        if t.data.shape != ts[0].data.shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(ts[0].data.shape)} at entry 0 and {list(t.data.shape)} "
                               f"at entry {i}")
    return Stack.apply(*ts, axis=one_dim(dim, ts[0].ndim + 1))


@register("hstack", method=False, function=True)
def hstack(tensors):
    """Join along dim 1 (dim 0 for 1-D tensors)."""
    ts = [_tensor(t) for t in tensors]
    ts = [t.reshape(1) if t.ndim == 0 else t for t in ts]
    return cat(ts, 0 if ts and ts[0].ndim == 1 else 1)


@register("vstack", method=False, function=True)
def vstack(tensors):
    """Join along dim 0, 1-D tensors taken as rows."""
    ts = [_tensor(t) for t in tensors]
    return cat([t.reshape(1, -1) if t.ndim < 2 else t for t in ts], 0)


# ---------------------------------------------------------------------- indexing
def _index_part(p):
    """One entry of an index in NumPy's terms, with PyTorch's rules: a 0-d integer tensor is an
    int, a bool/integer tensor an array index, a float tensor refused, a negative step refused."""
    if isinstance(p, Tensor):
        p = p.data
    if isinstance(p, np.ndarray):
        if p.dtype.kind not in "biu":
            raise IndexError(f"tensors used as indices must be long, int, byte or bool tensors, "
                             f"got {p.dtype}")
        return int(p) if p.ndim == 0 and p.dtype.kind in "iu" else p
    if isinstance(p, slice) and p.step is not None and p.step <= 0:
        raise ValueError("step must be greater than zero (PyTorch has no negative-step slices; "
                         "use .flip(dim))")
    if isinstance(p, list) and any(isinstance(x, Tensor) for x in p):
        return np.asarray([x.data if isinstance(x, Tensor) else x for x in p])
    if isinstance(p, range):  # y_hat[range(n), y] (d2l): an integer array index
        return np.asarray(p, dtype=np.int64)
    return p


def _is_int(p) -> bool:
    return isinstance(p, (numbers.Integral, np.integer)) and not isinstance(p, (bool, np.bool_))


def _is_array(p) -> bool:
    return isinstance(p, (np.ndarray, list)) or isinstance(p, (bool, np.bool_))


_PLAIN = (int, slice, type(None), type(Ellipsis))
_SEQUENCE_PARTS = (Tensor, np.ndarray, list, tuple, slice)


def _steps_ok(index) -> bool:
    for p in index if isinstance(index, tuple) else (index,):
        if p.__class__ is slice and p.step is not None and p.step <= 0:
            return False
    return True


def torch_index(index):
    """``(first, then)``: ``a[index]`` as PyTorch computes it is ``a[first][then]`` in NumPy
    (``then`` None when one step is enough).

    The two differ when integers and array indices mix: NumPy broadcasts the integers with the
    arrays (``x[0, :, [0, 1]]`` of a (3, 4, 5) tensor is (2, 4)), PyTorch applies the integers
    first, as basic indexing, and then the arrays ((4, 2)). So the integers go in ``first``
    (every other dim a full slice) and the rest in ``then``.

    Examples
    --------
    >>> from lucidnet.autograd.ops.shape import torch_index
    >>> first, then = torch_index((0, slice(None), [0, 1])); first, then
    ((0, slice(None, None, None), slice(None, None, None)), (slice(None, None, None), [0, 1]))
    >>> x = np.zeros((3, 4, 5)); x[0, :, [0, 1]].shape, x[first][then].shape  # NumPy's vs PyTorch's
    ((2, 4), (4, 2))
    """
    if index.__class__ in _PLAIN or (index.__class__ is tuple and all(p.__class__ in _PLAIN for p in index)):
        if not (index.__class__ is slice or index.__class__ is tuple) or _steps_ok(index):
            return index, None  # the common case: basic indexing, the same in NumPy
    if isinstance(index, list) and any(isinstance(p, _SEQUENCE_PARTS) or p is None or p is Ellipsis
                                       for p in index):
        index = tuple(index)  # PyTorch's (NumPy's legacy) rule: x[[t0, t1]] is x[t0, t1]
    parts = tuple(_index_part(p) for p in index) if isinstance(index, tuple) else (_index_part(index),)
    if not (any(_is_int(p) for p in parts) and any(_is_array(p) for p in parts)):
        return (parts if isinstance(index, tuple) else parts[0]), None
    first, then = [], []
    for p in parts:
        if _is_int(p):
            first.append(p)
        elif p is None:
            first.append(None)
            then.append(slice(None))
        elif p is Ellipsis:
            first.append(Ellipsis)
            then.append(Ellipsis)
        else:
            width = np.ndim(p) if _is_array(p) and np.asarray(p).dtype == np.bool_ else 1
            first.extend([slice(None)] * width)
            then.append(p)
    return tuple(first), tuple(then)


@register("__getitem__")
def __getitem__(self, index):
    """``t[index]`` as PyTorch: ints, slices, None, Ellipsis, bool masks, integer tensors and
    lists; the gradient is scattered back (repeated indices accumulate)."""
    first, then = torch_index(index)
    return GetItem.apply(self, index=first, then=then)


# ---------------------------------------------------------------------- composites of the above
def _dim_list(d, ndim) -> tuple:
    ds = d if isinstance(d, (tuple, list)) else (d,)
    return tuple(one_dim(x, ndim) for x in ds)


@register("movedim", function=True)
def movedim(self, source, destination):
    """Move dims ``source`` to positions ``destination`` (ints or tuples of the same length);
    the other dims keep their order. A `permute`."""
    self = _tensor(self)
    if isinstance(source, (tuple, list)) != isinstance(destination, (tuple, list)):
        raise TypeError(f"movedim() takes two ints or two tuples of ints, got {source!r} and "
                        f"{destination!r}")
    src, dst = _dim_list(source, self.ndim), _dim_list(destination, self.ndim)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} "
                           f"dims) should contain the same number of dims as destination "
                           f"({list(dst)} dims)")
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in source {list(src)} or destination {list(dst)}")
    if not self.ndim:
        return self
    order = [d for d in range(self.ndim) if d not in src]
    perm = [None] * self.ndim
    for s_, d_ in zip(src, dst):
        perm[d_] = s_
    rest = iter(order)
    return permute(self, tuple(p if p is not None else next(rest) for p in perm))


register("moveaxis", function=True)(movedim)


@register("ravel", function=True)
def ravel(self):
    """The entries as one dim (``reshape(-1)``)."""
    return reshape(_tensor(self), -1)


@register("tile", function=True)
def tile(self, dims):
    """`repeat` that also takes fewer sizes than dims (ones are put in front), as torch.tile."""
    self = _tensor(self)
    reps = _sizes(dims if isinstance(dims, (tuple, list)) else (dims,))
    return repeat(self, (1,) * (self.ndim - len(reps)) + reps)


def _take(self, d, index):
    """self's entries ``index`` (an integer array) along dim ``d``: one GetItem, whose gradient
    accumulates where an entry is taken more than once."""
    return GetItem.apply(self, index=(slice(None),) * d + (index,))


@register("roll", function=True)
def roll(self, shifts, dims=None):
    """Shift the entries by ``shifts`` along ``dims`` (wrapping around); without dims, the
    flattened tensor is rolled and the shape restored."""
    self = _tensor(self)
    if dims is None:
        if isinstance(shifts, (tuple, list)) and len(shifts) != 1:
            raise RuntimeError("roll: without dims, shifts must be one number")
        flat = reshape(self, -1)
        return reshape(roll(flat, shifts, 0), self.data.shape)
    shifts = shifts if isinstance(shifts, (tuple, list)) else (shifts,)
    if not self.ndim:
        raise IndexError(f"Dimension specified as {dims} but tensor has no dimensions")
    ds = _dim_list(dims, self.ndim)
    if len(shifts) != len(ds):
        raise RuntimeError(f"roll: shifts and dimensions must align. shifts: {len(shifts)}, "
                           f"dims: {len(ds)}")
    out = self
    for shift, d in zip(shifts, ds):
        n = out.shape[d]
        if n and int(shift) % n:
            out = _take(out, d, (np.arange(n) - int(shift)) % n)
    return out


@register("repeat_interleave", function=True)
def repeat_interleave(self, repeats, dim=None, *, output_size=None):
    """Each entry repeated ``repeats`` times (an int, or one count per entry) along ``dim``
    (None: of the flattened tensor), e.g. [a, b] -> [a, a, b, b]."""
    self = _tensor(self)
    if dim is None:
        self, dim = reshape(self, -1), 0
    d = one_dim(dim, self.ndim)
    n = self.data.shape[d] if self.ndim else 1
    counts = repeats.data if isinstance(repeats, Tensor) else np.asarray(repeats)
    if counts.dtype.kind not in "iu" or (counts.ndim and counts.shape != (n,)) or (counts < 0).any():
        raise RuntimeError(f"repeat_interleave: repeats must be a non-negative int or {n} of them "
                           f"(one per entry along dim {d}), got {repeats!r}")
    if not self.ndim:
        self, d = reshape(self, 1), 0
    return _take(self, d, np.repeat(np.arange(n), counts))


@register("atleast_1d", method=False, function=True)
def atleast_1d(*tensors):
    """Each tensor with at least 1 dim (a 0-d one becomes shape (1,))."""
    out = tuple(_lead(_tensor(t), 1) for t in _flat(tensors))
    return out[0] if len(out) == 1 else out


@register("atleast_2d", method=False, function=True)
def atleast_2d(*tensors):
    """Each tensor with at least 2 dims (new dims in front)."""
    out = tuple(_lead(_tensor(t), 2) for t in _flat(tensors))
    return out[0] if len(out) == 1 else out


def _flat(tensors):
    return tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)) else tensors


def _lead(t, n):
    return t if t.ndim >= n else reshape(t, (1,) * (n - t.ndim) + t.data.shape)
