"""Arithmetic, comparison and logical operators in PyTorch's spelling and type promotion.

Every binary op first finds the result dtype as PyTorch's ``torch.result_type`` does
(`result_type`), converts its operands to it, then runs one existing differentiable op
(`Add`, `Sub`, `Mul`, `Div`, `Pow`, ...). Methods that PyTorch adds on top are composites of
those: ``add(b, alpha=2)`` is ``a + 2 * b``, ``true_divide`` is ``/``. Two new differentiable ops
live here, forward and backward side by side: `Remainder` and `RoundedDivide`.

Hot path: ``a + b`` on two tensors of one dtype (or a float tensor and a Python number) costs
one dtype test on top of the op itself.
"""

from __future__ import annotations

import numbers

import numpy as np

from .function import Function
from .ops import elementwise as E
from .ops.linalg import MatMul
from .registry import register
from .tensor import Tensor, get_default_dtype

__all__ = ["result_type", "Remainder", "RoundedDivide", "FloorDivide"]

# PyTorch promotes by category first: bool < integer < floating < complex
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}
_BOOL = np.dtype(np.bool_)
_INT64 = np.dtype(np.int64)
_SCALARS = (float, int)  # exact classes: bool (a subclass of int) takes the slow path


def _promote_types(a: np.dtype, b: np.dtype) -> np.dtype:
    """PyTorch's ``promote_types``: the higher category wins whole (int64 with float16 is
    float16); within a category NumPy's rule (uint8 with int8 is int16, float32 with float64
    is float64)."""
    ca, cb = _CATEGORY[a.kind], _CATEGORY[b.kind]
    if ca != cb:
        return a if ca > cb else b
    return np.promote_types(a, b)


def _scalar_dtype(x) -> np.dtype:
    if isinstance(x, (bool, np.bool_)):
        return _BOOL
    if isinstance(x, (numbers.Integral, np.integer)):
        return _INT64
    if isinstance(x, (numbers.Real, np.floating)):
        return get_default_dtype()
    if isinstance(x, numbers.Complex):
        return np.dtype(np.complex64 if get_default_dtype() == np.float32 else np.complex128)
    raise TypeError(f"expected a Tensor, an array or a Python number, got {type(x).__name__}")


def result_type(*operands) -> np.dtype:
    """The dtype of an elementwise op on ``operands``, as ``torch.result_type``.

    Operands fall in three priority groups: tensors with dims, 0-d tensors, Python (and
    NumPy) numbers. Each group's dtypes are promoted together; the result is the dims group's
    dtype unless a lower group holds a higher category (bool < int < float < complex): then
    that group's dtype is taken -- a Python float as the default dtype
    (``get_default_dtype()``), a Python int as int64. So float32 tensor * 2.5 stays float32,
    int64 tensor * 2.5 is float32, int64 tensor + 0-d float64 tensor is float64, and a float32
    tensor + a 0-d float64 tensor stays float32.

    Parameters
    ----------
    *operands : Tensor, numpy.ndarray or number
        The operands of the elementwise op, in any order.

    Returns
    -------
    numpy.dtype

    Examples
    --------
    >>> ln.result_type(ln.ones(2), 2.5), ln.result_type(ln.tensor([1, 2]), 2.5)
    (dtype('float32'), dtype('float32'))
    >>> ln.result_type(ln.tensor([1, 2]), ln.tensor(1.0, dtype=ln.float64))     # a higher category
    dtype('float64')
    >>> ln.result_type(ln.ones(2), ln.tensor(1.0, dtype=ln.float64))      # same category: dims win
    dtype('float32')
    """
    groups = [None, None, None]
    for x in operands:
        if isinstance(x, (Tensor, np.ndarray)):
            arr = x.data if isinstance(x, Tensor) else x
            rank, dt = (0 if arr.ndim else 1), arr.dtype
        else:
            rank, dt = 2, _scalar_dtype(x)
        groups[rank] = dt if groups[rank] is None else _promote_types(groups[rank], dt)
    out = None
    for dt in groups:
        if dt is not None and (out is None or _CATEGORY[dt.kind] > _CATEGORY[out.kind]):
            out = dt
    return out


register("result_type", method=False, function=True)(result_type)


def _cast(x, dtype):
    """x (a Tensor, array or number) in ``dtype``; a tensor in the graph stays in it."""
    if isinstance(x, Tensor):
        if x.data.dtype == dtype:
            return x
        return E.Cast.apply(x, dtype=dtype) if x.requires_grad else Tensor._wrap(x.data.astype(dtype))
    if isinstance(x, np.ndarray):
        return x if x.dtype == dtype else x.astype(dtype)
    if isinstance(x, np.generic):
        return x.item()  # a Python number is "weak" in NumPy 2: it takes the tensor's dtype
    return x


def _operand(x):
    """x as an operand of a binary op, or None when it is not one (a string, None, ...)."""
    if isinstance(x, (Tensor, np.ndarray, numbers.Number, np.generic)):
        return x
    if isinstance(x, (list, tuple)):  # array-like constants, as lucidnet always accepted
        try:
            return np.asarray(x)
        except (ValueError, TypeError):
            return None
    return None


def _promoted(a, b, floating=False, subtract=False):
    """a and b converted to their PyTorch result dtype (the default float dtype for a true
    division of integers, ``floating=True``); None when b is not an operand. A subtraction
    (``subtract=True``) refuses bool tensors, as PyTorch."""
    b = _operand(b)
    if b is None:
        return None
    if subtract and _BOOL in (a.dtype, _dtype_of(b)):
        raise RuntimeError(_BOOL_SUB)
    dt = result_type(a, b)
    if floating and dt.kind in "biu":
        dt = get_default_dtype()
    return _cast(a, dt), _cast(b, dt)


def _pair(a: Tensor, b, floating=False, subtract=False):
    """The fast path of `_promoted`: same-dtype tensors and float tensor with a Python number
    need no conversion."""
    if isinstance(b, Tensor):
        if b.data.dtype is a.data.dtype and not (floating and a.data.dtype.kind in "biu"):
            return a, b
    elif b.__class__ in _SCALARS and a.data.dtype.kind in "fc":
        return a, b
    return _promoted(a, b, floating, subtract)


def _shape_of(x) -> tuple:
    return x.shape if isinstance(x, (Tensor, np.ndarray)) else ()


def _arith_error(exc, name, a, b):
    """NumPy's refusals as PyTorch's RuntimeError: a shape mismatch names the dim."""
    sa, sb = _shape_of(a), _shape_of(b)
    try:
        np.broadcast_shapes(sa, sb)
    except ValueError:
        n = max(len(sa), len(sb))
        pa, pb = (1,) * (n - len(sa)) + tuple(sa), (1,) * (n - len(sb)) + tuple(sb)
        dim = next(i for i in range(n - 1, -1, -1) if pa[i] != pb[i] and 1 not in (pa[i], pb[i]))
        return RuntimeError(f"The size of tensor a ({pa[dim]}) must match the size of tensor b "
                            f"({pb[dim]}) at non-singleton dimension {dim} ({name} of shapes "
                            f"{tuple(sa)} and {tuple(sb)}; they must broadcast)")
    return RuntimeError(f"{name}: {exc}")


_BOOL_SUB = ("Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
             "trying to invert a mask, use the `~` or `logical_not()` operator instead.")


def _dtype_of(x):
    if isinstance(x, (Tensor, np.ndarray)):
        return x.dtype
    return _scalar_dtype(x) if isinstance(x, (numbers.Number, np.generic)) else None


def _binary(fn, name, reflected=False, floating=False):
    """A dunder ``a <op> b`` (or its reflected form ``b <op> a``) running ``fn`` after PyTorch's
    promotion; returns NotImplemented for an operand it cannot use, so Python raises TypeError."""

    subtract = fn is E.Sub

    def op(self, other):
        pair = _pair(self, other, floating, subtract)
        if pair is None:
            return NotImplemented
        a, b = pair
        if reflected:
            a, b = b, a
        try:
            return fn.apply(a, b)
        except (ValueError, TypeError) as exc:
            if subtract and _dtype_of(a) == _BOOL:
                raise RuntimeError(_BOOL_SUB) from None
            raise _arith_error(exc, name, a, b) from None

    op.__name__ = name
    op.__doc__ = f"``{'other <op> self' if reflected else 'self <op> other'}`` via {fn.__name__} " \
                 "with PyTorch's type promotion (`result_type`)."
    return op


class RoundedDivide(Function):
    """z = trunc(a / b) or floor(a / b) (``div(rounding_mode=...)``); a step function, so its
    gradient is 0 almost everywhere, as PyTorch's ``DivBackward``.

    "trunc" rounds toward zero, "floor" toward -inf; integer inputs are divided exactly (no
    round trip through floats).

    Examples
    --------
    >>> a = ln.tensor([7.0, -7.0], requires_grad=True)
    >>> a.div(2, rounding_mode="trunc")          # toward zero
    tensor([ 3., -3.], grad_fn=<DivBackward2>)
    >>> a.div(2, rounding_mode="floor")          # toward -inf
    tensor([ 3., -4.], grad_fn=<DivBackward2>)
    >>> a.div(2, rounding_mode="trunc").sum().backward(); a.grad
    tensor([0., 0.])
    """

    @staticmethod
    def forward(ctx, a, b, mode="trunc"):
        ctx.shapes = (np.shape(a), np.shape(b))
        if mode == "floor":
            return np.floor_divide(a, b)
        if np.result_type(a, b).kind in "iub":  # exact integer truncation, no float round trip
            q = np.floor_divide(a, b)
            return q + ((np.remainder(a, b) != 0) & ((np.asarray(a) < 0) != (np.asarray(b) < 0)))
        return np.trunc(np.divide(a, b))

    @staticmethod
    def backward(ctx, g):
        sa, sb = ctx.shapes
        return np.zeros(sa, dtype=g.dtype), np.zeros(sb, dtype=g.dtype)


class FloorDivide(Function):
    """z = floor(a / b) (``//``, ``floor_divide``). PyTorch defines no derivative for it:
    backward raises, as there.

    Examples
    --------
    >>> a = ln.tensor([7.0, -7.0], requires_grad=True)
    >>> z = a // 2; z
    tensor([ 3., -4.], grad_fn=<NotImplemented>)
    >>> z.sum().backward()
    Traceback (most recent call last):
        ...
    RuntimeError: derivative for floor_divide is not implemented (as in PyTorch); use ...
    """

    @staticmethod
    def forward(ctx, a, b):
        return np.floor_divide(a, b)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for floor_divide is not implemented (as in PyTorch); "
                           "use div(b, rounding_mode='floor') for a zero gradient, or a / b")


class Remainder(Function):
    """z = a - floor(a / b) * b (``%``, the sign of b, as Python and ``torch.remainder``);
    dz/da = 1, dz/db = -floor(a / b).

    Examples
    --------
    >>> a = ln.tensor([7.0, -7.0], requires_grad=True)
    >>> b = ln.tensor([3.0, 3.0], requires_grad=True)
    >>> z = a % b; z                       # -7 = -3 * 3 + 2: the sign of b
    tensor([1., 2.], grad_fn=<RemainderBackward1>)
    >>> z.sum().backward(); a.grad, b.grad           # -floor(7/3) = -2, -floor(-7/3) = 3
    (tensor([1., 1.]), tensor([-2.,  3.]))
    """

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.remainder(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved
        ga = _unbroadcast(g, np.shape(a)) if ctx.needs_input_grad[0] else None
        gb = _unbroadcast(-g * np.floor_divide(a, b), np.shape(b)) if ctx.needs_input_grad[1] else None
        return ga, gb


def _unbroadcast(g, shape):
    from .function import unbroadcast

    return unbroadcast(g, shape).astype(g.dtype, copy=False)


# ---------------------------------------------------------------------- dunders
for _name, _fn, _floating in (("add", E.Add, False), ("sub", E.Sub, False), ("mul", E.Mul, False),
                              ("truediv", E.Div, True), ("floordiv", FloorDivide, False),
                              ("mod", Remainder, False), ("pow", E.Pow, False),
                              ("matmul", MatMul, False)):
    register(f"__{_name}__")(_binary(_fn, f"__{_name}__", False, _floating))
    register(f"__r{_name}__")(_binary(_fn, f"__r{_name}__", True, _floating))


@register("__neg__")
def __neg__(self):
    """``-self``; a bool tensor is refused as in PyTorch (use ``~`` or ``logical_not``)."""
    if self.data.dtype == _BOOL:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    return E.Neg.apply(self)


@register("__pos__")
def __pos__(self):
    """``+self``: the tensor itself, as PyTorch's ``positive``."""
    return self


@register("__abs__")
def __abs__(self):
    """``abs(self)``: |x| (gradient sign(x), 0 at 0)."""
    return E.Abs.apply(self)


def _tensor(x) -> Tensor:
    """The first argument of a top-level function: a tensor, or array-like made one."""
    if isinstance(x, Tensor):
        return x
    from .tensor import tensor

    return tensor(x)


def _call(method, a, b, floating=False):
    a = _tensor(a)
    pair = _pair(a, b, floating, method is E.Sub)
    if pair is None:
        raise TypeError(f"{method.__name__}(): expected a Tensor or a number as other, got "
                        f"{type(b).__name__}")
    try:
        return method.apply(*pair)
    except (ValueError, TypeError) as exc:
        raise _arith_error(exc, method.__name__, *pair) from None


# ---------------------------------------------------------------------- named methods
def _scaled(self, other, alpha, name):
    """alpha * other for add/sub(alpha=), refusing a float alpha with integer tensors."""
    if alpha == 1:
        return other
    other = _operand(other)
    if isinstance(alpha, bool) or not isinstance(alpha, (numbers.Number, np.number)):
        raise TypeError(f"{name}(): alpha must be a number, got {alpha!r}")
    if isinstance(alpha, (float, np.floating)) and _dtype_of(self).kind in "biu" and (
            _dtype_of(other) is None or _dtype_of(other).kind in "biu"):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")
    return other * alpha


@register("add", function=True)
def add(self, other, *, alpha=1):
    """self + alpha * other (broadcasting, PyTorch's type promotion)."""
    self = _tensor(self)
    return _call(E.Add, self, _scaled(self, other, alpha, "add"))


@register("sub", function=True)
def sub(self, other, *, alpha=1):
    """self - alpha * other."""
    self = _tensor(self)
    return _call(E.Sub, self, _scaled(self, other, alpha, "sub"))


@register("mul", function=True)
def mul(self, other):
    """self * other."""
    return _call(E.Mul, self, other)


@register("div", function=True)
def div(self, other, *, rounding_mode=None):
    """self / other. ``rounding_mode=None``: true division (integers give the default float
    dtype); ``"trunc"``: rounded toward zero; ``"floor"``: rounded down (both keep an integer
    dtype, gradient 0)."""
    if rounding_mode is None:
        return _call(E.Div, self, other, floating=True)
    if rounding_mode not in ("trunc", "floor"):
        raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                         f"found {rounding_mode!r}")
    self = _tensor(self)
    a, b = _promoted(self, other)
    return RoundedDivide.apply(a, b, mode=rounding_mode)


@register("true_divide", function=True)
def true_divide(self, other):
    """self / other, always a true division (`div` with ``rounding_mode=None``)."""
    return div(self, other)


@register("floor_divide", function=True)
def floor_divide(self, other):
    """floor(self / other) (Python's ``//``); no gradient, as PyTorch."""
    return _call(FloorDivide, self, other)


@register("remainder", function=True)
def remainder(self, other):
    """self - floor(self / other) * other: the sign of ``other``, as Python's ``%``."""
    return _call(Remainder, self, other)


@register("fmod", function=True)
def fmod(self, other):
    """self - trunc(self / other) * other: the sign of ``self``, as C's fmod (a composite)."""
    self = _tensor(self)
    return self - div(self, other, rounding_mode="trunc") * other


@register("pow", function=True)
def pow(self, exponent):
    """self ** exponent (a float32 tensor to a Python power stays float32)."""
    if not isinstance(self, Tensor) and isinstance(exponent, Tensor):  # lucidnet.pow(2, t)
        return _binary(E.Pow, "pow", reflected=True)(exponent, self)
    return _call(E.Pow, self, exponent)


@register("neg", function=True)
def neg(self):
    """-self."""
    return __neg__(_tensor(self))


@register("positive", function=True)
def positive(self):
    """+self: the tensor itself."""
    return _tensor(self)


# NumPy-style aliases PyTorch also has
register("subtract", function=True)(sub)
register("multiply", function=True)(mul)
register("divide", function=True)(div)
register("negative", function=True)(neg)


# ---------------------------------------------------------------------- comparisons
def _comparison(ufunc, name):
    def op(self, other):
        if isinstance(other, Tensor) and other.data.dtype is self.data.dtype:
            try:
                return Tensor._wrap(np.asarray(ufunc(self.data, other.data)))
            except ValueError as exc:
                raise _arith_error(exc, name, self, other) from None
        # t == None, t == "a", t == [1, 2] are False as in PyTorch; pytest.approx takes over
        pair = None if isinstance(other, (list, tuple)) else _pair(self, other)
        if pair is None:
            return NotImplemented
        a, b = pair
        try:
            return Tensor._wrap(np.asarray(ufunc(a.data, b.data if isinstance(b, Tensor) else b)))
        except (ValueError, TypeError) as exc:
            raise _arith_error(exc, name, a, b) from None

    op.__name__ = name
    op.__doc__ = f"Elementwise ``{name}`` as a bool tensor (outside the graph)."
    return op


def _named_comparison(dunder):
    def method(self, other):
        out = dunder(_tensor(self), other)
        if out is NotImplemented:
            raise TypeError(f"{dunder.__name__}(): expected a Tensor or a number as other, got "
                            f"{type(other).__name__}")
        return out

    method.__doc__ = dunder.__doc__
    return method


for _names, _ufunc in ((("__eq__", "eq"), np.equal), (("__ne__", "ne", "not_equal"), np.not_equal),
                       (("__lt__", "lt", "less"), np.less),
                       (("__le__", "le", "less_equal"), np.less_equal),
                       (("__gt__", "gt", "greater"), np.greater),
                       (("__ge__", "ge", "greater_equal"), np.greater_equal)):
    _dunder = register(_names[0])(_comparison(_ufunc, _names[1]))
    for _alias in _names[1:]:
        register(_alias, function=True)(_named_comparison(_dunder))


# ---------------------------------------------------------------------- logical / bitwise
def _logical(ufunc, name):
    def op(self, other):
        a = _tensor(self)
        b = other.data if isinstance(other, Tensor) else np.asarray(other)
        try:
            return Tensor._wrap(np.asarray(ufunc(a.data, b)))
        except ValueError as exc:
            raise _arith_error(exc, name, a, b) from None

    op.__name__ = name
    op.__doc__ = f"Elementwise ``{name}`` of the truth values (nonzero is True): a bool tensor."
    return op


for _name, _ufunc in (("logical_and", np.logical_and), ("logical_or", np.logical_or),
                      ("logical_xor", np.logical_xor)):
    register(_name, function=True)(_logical(_ufunc, _name))


@register("logical_not", function=True)
def logical_not(self):
    """Elementwise not of the truth values (nonzero is True): a bool tensor."""
    return Tensor._wrap(np.asarray(np.logical_not(_tensor(self).data)))


def _bitwise(ufunc, symbol, reflected=False):
    def op(self, other):
        pair = _pair(self, other)
        if pair is None:
            return NotImplemented
        a, b = (x.data if isinstance(x, Tensor) else x for x in pair)
        if a.dtype.kind not in "biu" or _dtype_of(b).kind not in "biu":
            raise NotImplementedError(f"`{symbol}` is only implemented on integer and bool tensors, got "
                            f"{a.dtype}; for masks compare first, e.g. (x > 0) {symbol} (y > 0)")
        if reflected:
            a, b = b, a
        try:
            return Tensor._wrap(np.asarray(ufunc(a, b)))
        except ValueError as exc:
            raise _arith_error(exc, symbol, a, b) from None

    op.__doc__ = f"``{symbol}``: bitwise on integers, logical on bool tensors."
    return op


for _name, _ufunc, _symbol in (("and", np.bitwise_and, "&"), ("or", np.bitwise_or, "|"),
                               ("xor", np.bitwise_xor, "^")):
    register(f"__{_name}__")(_bitwise(_ufunc, _symbol))
    register(f"__r{_name}__")(_bitwise(_ufunc, _symbol, reflected=True))


@register("__invert__")
def __invert__(self):
    """``~self``: logical not of a bool tensor, bitwise not of an integer one."""
    if self.data.dtype.kind not in "biu":
        raise TypeError(f"~ (operator.invert) is only implemented on integer and Boolean-type "
                        f"tensors, got {self.dtype}; for a float mask use x == 0 or logical_not")
    return Tensor._wrap(np.asarray(np.invert(self.data)))
