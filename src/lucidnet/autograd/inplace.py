"""In-place tensor methods with PyTorch's semantics (issue 9, item 3).

``add_ sub_ mul_ div_ zero_ fill_ clamp_ (clip_) copy_ normal_ uniform_``. Each one changes
``t.data`` and bumps the version counter, so a backward that saved the old values raises.

Outside the graph (under ``no_grad()``, on tensors that need no gradient, on ``p.grad``) they are
one NumPy call on the array. Inside the graph (``t`` an intermediate tensor that requires grad,
or the value written does) they are differentiable, as in PyTorch: the tensor's history is
rebased onto the op (``Tensor._inplace_in_graph``), with these gradients:

    add_/sub_/mul_/div_/clamp_   those of the out-of-place op
    fill_(v), zero_()            0 to the old values; sum(grad) to v when v is a tensor
    copy_(src)                   0 to the old values; grad (summed over broadcast dims) to src
    normal_, uniform_            0 to the old values (the new values are constants)

A leaf that requires grad is refused outside ``no_grad()``, as PyTorch.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..random import get_rng
from .function import Function, unbroadcast
from .registry import register
from .tensor import Tensor

__all__ = ["Fill", "Zero", "CopyFrom", "Normal", "Uniform"]


class Fill(Function):
    """``fill_(v)`` inside the graph: z = v everywhere (shape of a);  dz/da = 0,
    dL/dv = sum of dL/dz (v a 0-d tensor or a number).

    Used by ``Tensor.fill_`` when the tensor (or ``v``) is part of the graph; call the method,
    not ``Fill.apply``.

    Examples
    --------
    >>> x = ln.tensor([1.0, 2.0], requires_grad=True)
    >>> v = ln.tensor(3.0, requires_grad=True)
    >>> y = x * 1; y.fill_(v)
    tensor([3., 3.], grad_fn=<FillBackward0>)
    >>> y.sum().backward(); x.grad, v.grad          # the old values get 0, v the sum
    (tensor([0., 0.]), tensor(2.))
    """

    @staticmethod
    def forward(ctx, a, value):
        ctx.value_shape = np.shape(value)
        return np.full_like(a, value)

    @staticmethod
    def backward(ctx, g):
        gv = g.sum().reshape(ctx.value_shape) if ctx.needs_input_grad[1] else None
        return np.zeros_like(g), gv


class CopyFrom(Function):
    """``copy_(src)`` inside the graph: z = src broadcast to a's shape, in a's dtype;
    dz/da = 0, dL/dsrc = dL/dz summed over the broadcast axes (``unbroadcast``).

    Used by ``Tensor.copy_`` when the tensor (or ``src``) is part of the graph.

    Examples
    --------
    >>> x = ln.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> src = ln.tensor([5.0], requires_grad=True)
    >>> y = x * 1; y.copy_(src)
    tensor([5., 5., 5.], grad_fn=<CopyBackwards>)
    >>> (y * ln.tensor([1.0, 2.0, 3.0])).sum().backward(); x.grad, src.grad     # 1 + 2 + 3
    (tensor([0., 0., 0.]), tensor([6.]))
    """

    @staticmethod
    def forward(ctx, a, src):
        src = np.asarray(src)
        ctx.src_meta = (src.shape, src.dtype)
        out = np.empty_like(a)
        np.copyto(out, np.broadcast_to(src, a.shape), casting="unsafe")
        return out

    @staticmethod
    def backward(ctx, g):
        gs = None
        if ctx.needs_input_grad[1]:
            shape, dtype = ctx.src_meta
            gs = unbroadcast(g, shape).astype(dtype, copy=False)
        return np.zeros_like(g), gs


class Zero(Fill):
    """``zero_()`` inside the graph: `Fill` with v = 0 under PyTorch's node name
    ``ZeroBackward0``; z = 0, dz/da = 0.

    Examples
    --------
    >>> x = ln.tensor([1.0, 2.0], requires_grad=True)
    >>> y = x * 2; y.zero_()
    tensor([0., 0.], grad_fn=<ZeroBackward0>)
    >>> (y + x).sum().backward(); x.grad             # only the path through x itself is left
    tensor([1., 1.])
    """

    _backward_name = "ZeroBackward0"


class Normal(CopyFrom):
    """``normal_()`` inside the graph: z = draws from N(mean, std^2), constants, so
    dz/da = 0 (node name ``NormalBackward0``).

    Examples
    --------
    >>> x = ln.tensor([1.0, 2.0], requires_grad=True)
    >>> y = x * 1; _ = y.normal_()
    >>> y.grad_fn.name()
    'NormalBackward0'
    >>> y.sum().backward(); x.grad
    tensor([0., 0.])
    """

    _backward_name = "NormalBackward0"


class Uniform(CopyFrom):
    """``uniform_()`` inside the graph: z = draws from U[a, b), constants, so dz/da = 0
    (node name ``UniformBackward0``).

    Examples
    --------
    >>> x = ln.tensor([1.0, 2.0], requires_grad=True)
    >>> y = x * 1; _ = y.uniform_(2.0, 3.0)
    >>> y.grad_fn.name(), bool(((y >= 2) & (y < 3)).all())
    ('UniformBackward0', True)
    >>> y.sum().backward(); x.grad
    tensor([0., 0.])
    """

    _backward_name = "UniformBackward0"


CopyFrom._backward_name = "torch::autograd::CopyBackwards"


def _array(x):
    return x.data if isinstance(x, Tensor) else x


def _needs(x) -> bool:
    return isinstance(x, Tensor) and x.requires_grad


@register("add_")
def add_(self, other, *, alpha=1):
    """In place: self += alpha * other (broadcast to self's shape)."""
    return self._inplace(np.add, "Add", other if alpha == 1 else other * alpha)


@register("sub_")
def sub_(self, other, *, alpha=1):
    """In place: self -= alpha * other."""
    return self._inplace(np.subtract, "Sub", other if alpha == 1 else other * alpha)


@register("mul_")
def mul_(self, other):
    """In place: self *= other."""
    return self._inplace(np.multiply, "Mul", other)


@register("div_")
def div_(self, other, *, rounding_mode=None):
    """In place: self /= other (``rounding_mode`` 'trunc' or 'floor' rounds the quotient, out of
    the graph only, as its gradient is 0 almost everywhere)."""
    if rounding_mode is None:
        return self._inplace(np.divide, "Div", other)
    if rounding_mode not in ("trunc", "floor"):
        raise ValueError(f"div_ expected rounding_mode to be one of None, 'trunc', or 'floor' "
                         f"but found {rounding_mode!r}")
    self._check_inplace(_needs(other))
    q = np.divide(self.data, _array(other))
    q = np.trunc(q) if rounding_mode == "trunc" else np.floor(q)
    if self.data.dtype.kind in "iu" and q.dtype.kind == "f":
        q = q.astype(self.data.dtype)
    np.copyto(self.data, q, casting="same_kind")
    self._bump_version()
    return self


@register("fill_")
def fill_(self, value):
    """In place: every entry becomes ``value`` (a number or a 0-d tensor)."""
    return _fill(self, value, Fill)


@register("zero_")
def zero_(self):
    """In place: every entry becomes 0."""
    return _fill(self, 0, Zero)


def _fill(self, value, op):
    if isinstance(value, Tensor) and value.ndim != 0:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{value.ndim} dimensions")
    if not isinstance(value, (Tensor, numbers.Number, np.number, np.bool_)):
        raise TypeError(f"fill_(value): value must be a number or a 0-d tensor, got "
                        f"{type(value).__name__}")
    if self._in_graph(_needs(value)):
        return self._inplace_in_graph(op, value)
    self.data.fill(_array(value))
    self._bump_version()
    return self


def _bound(b, name):
    if _needs(b):
        raise NotImplementedError(f"clamp_: a {name} bound that requires grad is not supported "
                                  f"in place; write x = torch.clamp(x, ...) or pass "
                                  f"{name}.detach()")
    return _array(b)


@register("clamp_")
def clamp_(self, min=None, max=None):
    """In place: self = min(max(self, min), max); gradient 1 inside [min, max], 0 outside."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    low, high = _bound(min, "min"), _bound(max, "max")
    if self._in_graph(False):
        from .ops.elementwise import Clip

        return self._inplace_in_graph(Clip, low=low, high=high)
    try:
        np.clip(self.data, low, high, out=self.data)
    except TypeError as exc:  # NumPy refuses a float bound into an integer tensor
        raise TypeError(f"clamp_ cannot store its result in this {self.dtype} tensor ({exc}); "
                        "use integer bounds or convert it first, e.g. x = x.float()") from None
    self._bump_version()
    return self


register("clip_")(clamp_)


@register("copy_")
def copy_(self, src, non_blocking: bool = False):
    """In place: copy ``src``'s values (broadcast to self's shape, converted to self's dtype, as
    PyTorch) into this tensor."""
    array = np.asarray(_array(src))
    try:
        np.broadcast_to(array, self.shape)
    except ValueError:
        raise RuntimeError(f"copy_: the source of shape {tuple(array.shape)} must be "
                           f"broadcastable to the destination's shape {tuple(self.shape)}") from None
    if self._in_graph(_needs(src)):
        return self._inplace_in_graph(CopyFrom, src)
    np.copyto(self.data, array, casting="unsafe")
    self._bump_version()
    return self


def _write_random(self, values: np.ndarray, op):
    if self._in_graph(False):
        return self._inplace_in_graph(op, values)
    np.copyto(self.data, values, casting="unsafe")
    self._bump_version()
    return self


def _generator(generator):
    rng = get_rng() if generator is None else generator
    if not hasattr(rng, "standard_normal"):
        rng = getattr(rng, "_rng", getattr(rng, "rng", rng))  # a Generator object wrapping one
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"generator must be a lucidnet / NumPy random Generator, got "
                        f"{type(generator).__name__}")
    return rng


def _float_dtype(self, name):
    if self.data.dtype.kind != "f":
        raise RuntimeError(f"{name} expects a floating-point tensor, got dtype {self.dtype}")
    return self.data.dtype if self.data.dtype in (np.float32, np.float64) else np.float32


@register("normal_")
def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """In place: entries drawn from N(mean, std^2) with lucidnet's generator
    (``lucidnet.manual_seed``) or ``generator``."""
    if not std >= 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    dtype = _float_dtype(self, "normal_")
    values = _generator(generator).standard_normal(self.shape, dtype=dtype)
    if std != 1:
        values *= dtype.type(std)
    if mean != 0:
        values += dtype.type(mean)
    return _write_random(self, values, Normal)


@register("uniform_")
def uniform_(self, a=0.0, b=1.0, *, generator=None):
    """In place: entries drawn uniformly from [a, b) with lucidnet's generator or
    ``generator``."""
    if not a <= b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={a} > to={b}")
    dtype = _float_dtype(self, "uniform_")
    values = _generator(generator).random(self.shape, dtype=dtype)
    values *= dtype.type(b - a)
    values += dtype.type(a)
    return _write_random(self, values, Uniform)
