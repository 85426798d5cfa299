"""PyTorch's ``op_`` twin of every out-of-place op, derived from the op itself (issue 9, item 3).

``x.exp_()``, ``x.masked_fill_(mask, v)``, ``x.scatter_(1, idx, 1.0)``, ``x.lt_(0)`` ... are all
one rule: compute ``x.op(...)`` and write the result into ``x`` (same shape; the result must cast
to x's dtype by NumPy's same-kind rule, as PyTorch refuses a float result in an integer tensor).
Outside the graph that is one copy and a version bump. Inside the graph the tensor's history is
rebased onto the op exactly as for ``add_`` (`Tensor._inplace_in_graph`), so the gradient is the
out-of-place op's and a backward that saved the old values raises. No op needs a backward of its
own here.

The shape-changing twins (``t_ transpose_ squeeze_ unsqueeze_ swapdims_``) rebind the tensor to
the new view outside the graph; inside it they raise (write ``x = x.t()``). Also here: the random
fills PyTorch has besides ``normal_``/``uniform_`` (``bernoulli_ exponential_ geometric_
log_normal_ cauchy_ random_``), ``fill_diagonal_``, ``resize_``, ``apply_``/``map_`` and the
memory-layout queries (``contiguous is_contiguous stride data_ptr storage_offset
share_memory_``).
"""

from __future__ import annotations

import numpy as np

from . import operators as _operators  # noqa: F401  (the ops twinned here must be registered)
from .inplace import Normal, _float_dtype, _generator, _write_random
from .ops import activation as _activation  # noqa: F401
from .ops import elementwise as _elementwise  # noqa: F401
from .ops import indexing as _indexing  # noqa: F401
from .ops import linalg as _linalg  # noqa: F401
from .ops import reduce as _reduce  # noqa: F401
from .ops import shape as _shape  # noqa: F401
from .registry import METHODS, register
from .tensor import Tensor, no_grad

__all__ = ["SAME_SHAPE", "NEW_SHAPE"]

#: out-of-place ops whose result has the tensor's shape: each gets an ``op_`` twin
SAME_SHAPE = (
    "abs absolute acos acosh addbmm addcdiv addcmul addmm addmv arccos arccosh arcsin arcsinh "
    "arctan2 arctan arctanh asin asinh atan2 atan atanh baddbmm ceil clamp_max clamp_min copysign "
    "cos cosh cumprod cumsum deg2rad divide eq erf erfc erfinv exp2 exp expm1 fix float_power "
    "floor floor_divide fmod frac ge greater greater_equal gt heaviside hypot index_add index_copy "
    "index_fill le lerp less less_equal log10 log1p log2 log logical_and logical_not logical_or "
    "logical_xor logit lt masked_fill multiply nan_to_num ne neg negative not_equal pow rad2deg "
    "reciprocal relu remainder round rsqrt scatter scatter_add scatter_reduce sgn sigmoid sign sin "
    "sinc sinh sqrt square subtract tan tanh tril triu true_divide trunc xlogy"
).split()
#: ops that give the tensor a new shape (a view): their twins rebind it
NEW_SHAPE = ("squeeze", "unsqueeze", "t", "transpose", "swapaxes", "swapdims")


class _Method:
    """An out-of-place method seen as an op with ``apply(old, *args)``, for the rebase."""

    def __init__(self, name):
        self.name = name

    def apply(self, old, *args, **kwargs):
        return getattr(old, self.name)(*args, **kwargs)


def _same_shape_twin(name):
    def twin(self, *args, **kwargs):
        operands_need = any(isinstance(a, Tensor) and a.requires_grad
                            for a in (*args, *kwargs.values()))
        if self._in_graph(operands_need):  # (the rebase refuses a bad shape or dtype first)
            return self._inplace_in_graph(_Method(name), *args, **kwargs)
        with no_grad():
            result = getattr(self, name)(*args, **kwargs)
        _write(self, result, name)
        return self

    twin.__name__ = twin.__qualname__ = name + "_"
    twin.__doc__ = f"In place: ``self = self.{name}(...)`` (see `{name}`), PyTorch's ``{name}_``."
    return twin


def _check_result_dtype(self, result, name):
    if result.data.shape != self.data.shape:
        raise RuntimeError(f"{name}_(): the result of shape {tuple(result.data.shape)} doesn't "
                           f"match the tensor's shape {tuple(self.data.shape)}; in-place "
                           f"operations keep the shape (write x = x.{name}(...))")
    if not np.can_cast(result.data.dtype, self.data.dtype, casting="same_kind"):
        raise RuntimeError(f"{name}_(): result type {result.data.dtype} can't be cast to the "
                           f"desired output type {self.data.dtype}; convert first "
                           f"(x = x.float()) or write x = x.{name}(...)")


def _write(self, result, name):
    _check_result_dtype(self, result, name)
    np.copyto(self.data, result.data, casting="same_kind")
    self._bump_version()


def _new_shape_twin(name):
    def twin(self, *args, **kwargs):
        if self._in_graph(False):
            raise RuntimeError(f"{name}_() inside the autograd graph is not supported by "
                               f"lucidnet; write it out of place: x = x.{name}(...)")
        with no_grad():
            result = getattr(self, name)(*args, **kwargs)
        self.data = result.data  # a view of the same memory, as PyTorch changes the metadata
        self._bump_version()
        return self

    twin.__name__ = twin.__qualname__ = name + "_"
    twin.__doc__ = f"In place: this tensor becomes ``self.{name}(...)`` (a view, same memory)."
    return twin


for _name in SAME_SHAPE:
    if _name in METHODS:  # an op a build leaves out gets no twin (and no lie)
        register(_name + "_")(_same_shape_twin(_name))
for _name in NEW_SHAPE:
    if _name in METHODS:
        register(_name + "_")(_new_shape_twin(_name))


# ------------------------------------------------------------------------------ random fills
def _fill_random(self, name, draw, generator):
    dtype = _float_dtype(self, name) if self.data.dtype.kind == "f" else self.data.dtype
    values = np.asarray(draw(_generator(generator), self.data.shape)).astype(dtype, copy=False)
    return _write_random(self, values, Normal)  # in the graph: a constant, gradient 0 to the old


@register("bernoulli_")
def bernoulli_(self, p=0.5, *, generator=None):
    """In place: 1 with probability ``p`` (a number or a tensor broadcast to self), else 0."""
    prob = np.asarray(p.data if isinstance(p, Tensor) else p, dtype=np.float64)
    if np.any((prob < 0) | (prob > 1)) or np.any(np.isnan(prob)):
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    return _fill_random(self, "bernoulli_", lambda g, s: g.random(s) < prob, generator)


@register("exponential_")
def exponential_(self, lambd=1.0, *, generator=None):
    """In place: draws from the exponential distribution of rate ``lambd``."""
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    return _fill_random(self, "exponential_", lambda g, s: g.exponential(1 / lambd, s), generator)


@register("geometric_")
def geometric_(self, p, *, generator=None):
    """In place: draws from the geometric distribution (trials until a success, >= 1)."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    return _fill_random(self, "geometric_", lambda g, s: g.geometric(p, s), generator)


@register("log_normal_")
def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """In place: exp of draws from N(mean, std^2)."""
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    return _fill_random(self, "log_normal_", lambda g, s: g.lognormal(mean, std, s), generator)


@register("cauchy_")
def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """In place: draws from the Cauchy distribution median + sigma * tan(pi (u - 1/2))."""
    return _fill_random(self, "cauchy_",
                        lambda g, s: median + sigma * g.standard_cauchy(s), generator)


@register("random_")
def random_(self, from_=0, to=None, *, generator=None):
    """In place: integers drawn uniformly from [from, to) -- ``random_(to)`` is [0, to), and
    ``random_()`` spans the mantissa of a float dtype (2**24 for float32) or the integer range."""
    if to is None and from_ != 0:
        from_, to = 0, from_
    if to is None:
        kind = self.data.dtype
        to = 2 ** (np.finfo(kind).nmant + 1) if kind.kind == "f" else (
            2 if kind == np.bool_ else int(np.iinfo(kind).max) + 1)
    if not from_ < to:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={from_} "
                           f">= to={to}")
    return _fill_random(self, "random_", lambda g, s: g.integers(from_, to, s), generator)


# ------------------------------------------------------------------------------ other in-place
@register("fill_diagonal_")
def fill_diagonal_(self, fill_value, wrap=False):
    """In place (outside the graph): the main diagonal becomes ``fill_value``; for a tall
    matrix ``wrap=True`` restarts it every ncols + 1 rows, as PyTorch."""
    self._check_inplace(False)
    if self.ndim < 2 or (self.ndim > 2 and len(set(self.data.shape)) != 1):
        raise RuntimeError("fill_diagonal_: dimensions must be larger than 1 and, for more than "
                           "2 dims, all of the same length")
    np.fill_diagonal(self.data, fill_value, wrap=wrap)
    self._bump_version()
    return self


@register("resize_")
def resize_(self, *sizes):
    """In place (outside the graph): the tensor gets shape ``sizes``, keeping its first
    elements in row-major order (new elements are zeros; PyTorch leaves them uninitialised)."""
    self._check_inplace(False)
    shape = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes
    if any(int(n) < 0 for n in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension: {list(shape)}")
    flat = np.zeros(int(np.prod(shape, dtype=np.int64)), dtype=self.data.dtype)
    keep = min(flat.size, self.data.size)
    flat[:keep] = self.data.reshape(-1)[:keep]
    self.data = flat.reshape(shape)
    self._bump_version()
    return self


@register("resize_as_")
def resize_as_(self, other):
    """In place: ``resize_(other.shape)``."""
    return resize_(self, tuple(other.shape))


@register("apply_")
def apply_(self, callable):
    """In place (outside the graph): every entry x becomes ``callable(x)`` (a Python function
    called per element: slow, as in PyTorch, where it is CPU-only too)."""
    self._check_inplace(False)
    flat = self.data.reshape(-1)
    for i, value in enumerate(flat.tolist()):
        flat[i] = callable(value)
    if not np.shares_memory(flat, self.data):
        self.data[...] = flat.reshape(self.data.shape)
    self._bump_version()
    return self


@register("map_")
def map_(self, other, callable):
    """In place (outside the graph): x becomes ``callable(x, y)`` with y from ``other``
    broadcast to self's shape."""
    self._check_inplace(False)
    ys = np.broadcast_to(other.data if isinstance(other, Tensor) else other, self.data.shape)
    out = np.array([callable(x, y) for x, y in zip(self.data.reshape(-1).tolist(),
                                                  ys.reshape(-1).tolist())])
    self.data[...] = out.reshape(self.data.shape) if out.size else out
    self._bump_version()
    return self


# ------------------------------------------------------------------------------ memory layout
@register("contiguous")
def contiguous(self, memory_format=None):
    """This tensor if its memory is C-contiguous, else a contiguous copy in the graph."""
    from .ops.elementwise import Clone

    return self if self.data.flags.c_contiguous else Clone.apply(self, order="C")


@register("is_contiguous")
def is_contiguous(self, memory_format=None):
    """Is the memory C-contiguous (row-major, no gaps)?"""
    return bool(self.data.flags.c_contiguous)


@register("stride")
def stride(self, dim=None):
    """Steps in elements (not bytes, unlike NumPy's strides) between neighbours along each dim."""
    steps = tuple(s // self.data.itemsize for s in self.data.strides)
    if dim is None:
        return steps
    from .tensor import _one_axis

    return steps[_one_axis(dim, self.ndim)] if self.ndim else 1


@register("data_ptr")
def data_ptr(self):
    """The address of the first element (``ndarray.ctypes.data``)."""
    return int(self.data.__array_interface__["data"][0])


@register("storage_offset")
def storage_offset(self):
    """How many elements this tensor's first element lies after its base array's first."""
    base = self.data
    while base.base is not None and isinstance(base.base, np.ndarray):
        base = base.base
    start = base.__array_interface__["data"][0]
    return (self.data_ptr() - start) // self.data.itemsize


@register("share_memory_")
def share_memory_(self):
    """Returns the tensor: lucidnet's worker processes (``DataLoader(num_workers=...)``) send
    arrays by pickling, so there is no shared-memory move to make."""
    return self
