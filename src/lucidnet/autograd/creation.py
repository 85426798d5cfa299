"""Tensor factories in PyTorch's spelling (issue 9, item 1): ``tensor``, ``as_tensor``,
``from_numpy``, ``zeros ones full empty`` and their ``_like`` forms, ``arange linspace logspace eye``,
the random ``rand randn randint randperm normal bernoulli multinomial`` and ``Tensor.new_*``.

Every factory takes ``dtype=``, ``device=`` (the CPU only; see `device.check_device`) and
``requires_grad=`` (floating dtypes only, as PyTorch). Sizes are varargs or one tuple/list:
``zeros(2, 3)``, ``zeros((2, 3))``, ``zeros(t.shape)``.

The random factories draw from lucidnet's global generator (``lucidnet.manual_seed``) or from
``generator=`` (a `lucidnet.Generator`). The same seed gives lucidnet's numbers, not PyTorch's:
the generators differ (NumPy's PCG64 against PyTorch's Mersenne Twister), only the
distributions agree.
"""

from __future__ import annotations

import math
import numbers
import operator
import warnings

import numpy as np

from .. import random as _random
from .device import check_device
from .dtypes import _SUPPORTED, FLOATING_KINDS, cast, to_dtype
from .function import Function
from .registry import register
from .tensor import Tensor, get_default_dtype

__all__ = ["tensor", "as_tensor", "from_numpy", "zeros", "ones", "full", "empty", "zeros_like",
           "ones_like", "full_like", "empty_like", "rand_like", "randn_like", "randint_like",
           "arange", "linspace", "logspace", "eye", "rand", "randn", "randint", "randperm",
           "normal", "bernoulli", "multinomial"]


class GradDtypeError(RuntimeError, TypeError):
    """``requires_grad=True`` on a non-floating dtype: PyTorch's RuntimeError (also a TypeError,
    what lucidnet's Tensor raises for it)."""


class RangeError(RuntimeError, ValueError):
    """A bad ``arange`` / ``linspace`` range (PyTorch raises RuntimeError or ValueError)."""


# ------------------------------------------------------------------ shared checks
def _finish(array: np.ndarray, requires_grad: bool, where: str) -> Tensor:
    t = Tensor._wrap(array)
    if requires_grad:
        if array.dtype.kind not in FLOATING_KINDS:
            raise GradDtypeError(
                f"{where}: only floating-point tensors can require gradients (PyTorch: 'Only "
                f"Tensors of floating point and complex dtype can require gradients'), got dtype "
                f"{array.dtype}; pass dtype=lucidnet.float32 or leave requires_grad=False")
        t.requires_grad = True
    return t


def _as_int(x, where: str, what: str) -> int:
    if isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{where}(): {what} must be an integer, not bool")
    if isinstance(x, Tensor):
        if x.data.ndim == 0 and x.data.dtype.kind in "iu":
            return int(x.data)
        raise TypeError(f"{where}(): {what} must be an integer, got a tensor of shape "
                        f"{tuple(x.shape)} and dtype {x.dtype}")
    try:
        return operator.index(x)
    except TypeError:
        raise TypeError(f"{where}(): {what} must be an integer, got {type(x).__name__} "
                        f"{x!r}") from None


def _size(where: str, args: tuple, size=None) -> tuple:
    """Sizes given as varargs (``zeros(2, 3)``), one sequence (``zeros((2, 3))``) or ``size=``."""
    if size is not None:
        if args:
            raise TypeError(f"{where}(): give the size either positionally or as size=, not both")
        args = (size,)
    if not args:
        raise TypeError(f"{where}() missing the size: e.g. {where}(2, 3) or {where}((2, 3))")
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    shape = tuple(_as_int(n, where, "each size") for n in args)
    if any(n < 0 for n in shape):
        raise RuntimeError(f"{where}(): sizes must be non-negative, got {shape}")
    return shape


def _sequence_size(where: str, size) -> tuple:
    """A size that PyTorch requires as a sequence (``full``, ``randint``, ``normal``)."""
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"{where}(): size must be a tuple of ints such as (3,) or (2, 3), got "
                        f"{type(size).__name__} {size!r}")
    return _size(where, (size,))


def _float_dtype(dtype, where: str) -> np.dtype:
    dt = get_default_dtype() if dtype is None else to_dtype(dtype, where)
    if dt.kind != "f":
        raise TypeError(f"{where}() draws floating-point numbers; dtype {dt} is not floating "
                        "(use randint for integers, or dtype=lucidnet.float32)")
    return dt


def _require_tensor(x, where: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{where}(): argument 'input' must be a Tensor, got {type(x).__name__}; "
                        "make one with lucidnet.tensor(...)")
    return x


# ------------------------------------------------------------------ from data
_PY_SCALARS = frozenset((bool, int, float, complex))
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}  # bool < integer < floating < complex


def _default_complex() -> np.dtype:
    return np.dtype(np.complex128 if get_default_dtype() == np.float64 else np.complex64)


def _scan(data) -> tuple[set, set, bool]:
    """The Python scalar types and the NumPy/tensor dtypes among the leaves of nested sequences,
    and whether a tensor is among them. Each list is read with one ``set(map(type, ...))``."""
    py, dtypes, has_tensor = set(), set(), False
    stack = [data]
    while stack:
        seq = stack.pop()
        types = set(map(type, seq))
        py |= types & _PY_SCALARS
        for t in types - _PY_SCALARS:
            items = [x for x in seq if type(x) is t]
            if issubclass(t, Tensor):
                for x in items:
                    if x.data.size != 1:
                        raise ValueError(
                            f"only one-element tensors can be converted to Python scalars, got a "
                            f"tensor of shape {tuple(x.shape)} inside a list; join tensors with "
                            "lucidnet.stack(list_of_tensors)")
                    dtypes.add(x.data.dtype)
                has_tensor = True
            elif issubclass(t, (np.ndarray, np.generic)):
                dtypes.update(x.dtype for x in items)
            elif issubclass(t, (list, tuple, range)):
                stack.extend(items)
            elif issubclass(t, numbers.Number):  # e.g. an IntEnum or a Fraction
                py.add(next(k for k in (bool, int, float, complex) if issubclass(t, k))
                       if issubclass(t, (bool, int, float, complex)) else float)
            else:
                raise TypeError(f"could not infer a dtype from {t.__name__} {items[0]!r:.40}: "
                                "data must be numbers, (nested) lists of numbers, NumPy arrays "
                                "or tensors")
    return py, dtypes, has_tensor


def _infer_dtype(py: set, dtypes: set) -> np.dtype:
    """PyTorch's inference: the highest category among the leaves wins (bool < int < float <
    complex); a Python int counts as int64, a Python float as the default dtype; NumPy scalars
    and tensors keep their dtype. Empty data is the default dtype."""
    found = [(_CATEGORY[d.kind], d) for d in dtypes]
    python_dtypes = {bool: np.dtype(np.bool_), int: np.dtype(np.int64),
                     float: get_default_dtype(), complex: _default_complex()}
    found += [(_CATEGORY[dt.kind], dt) for kind, dt in python_dtypes.items() if kind in py]
    if not found:
        return get_default_dtype()
    top = max(c for c, _ in found)
    return np.result_type(*[d for c, d in found if c == top])


def _unwrap(seq):
    """Nested lists with every (one-element) tensor replaced by its 0-d array."""
    return [x.data.reshape(()) if isinstance(x, Tensor)
            else _unwrap(x) if isinstance(x, (list, tuple)) else x for x in seq]


def _checked(array: np.ndarray, where: str) -> np.ndarray:
    if array.dtype not in _SUPPORTED:
        native = array.dtype.newbyteorder("=")
        if native in _SUPPORTED:
            return array.astype(native)
        raise TypeError(f"{where}: can't convert np.ndarray of type {array.dtype}; the supported "
                        "types are " + ", ".join(sorted({str(d) for d in _SUPPORTED})))
    return array


def _array(data, where: str, dtype=None) -> np.ndarray:
    """Data as a new array, in ``dtype`` or with PyTorch's dtype inference (`_infer_dtype`).
    Python numbers go straight to a given dtype (no rounding through the default dtype)."""
    if isinstance(data, Tensor):
        return data.data.copy()
    if isinstance(data, np.ndarray):  # one copy, converting on the way when asked
        array = _checked(data, where)
        return array.astype(dtype) if dtype is not None else array.copy()
    if isinstance(data, np.generic):
        return _checked(np.array(data), where)
    if data is None:
        raise TypeError(f"{where}: could not infer a dtype from None; give numbers, lists, "
                        "NumPy arrays or tensors")
    py, dtypes, has_tensor = _scan([data])
    inferred = _infer_dtype(py, dtypes)
    if has_tensor:
        data = _unwrap(data) if isinstance(data, (list, tuple)) else data
    if dtype is not None and dtype != inferred:
        try:
            return np.array(data, dtype=dtype)
        except (OverflowError, TypeError):  # -1 as uint8 wraps in PyTorch: convert after
            pass
    dtype = inferred
    try:
        return np.array(data, dtype=dtype)
    except ValueError as err:
        if "inhomogeneous" not in str(err) and "sequence" not in str(err):
            raise
        raise ValueError(f"{where}: the nested lists have unequal lengths (a ragged array), so "
                         "they make no tensor; pad them to one length first") from None
    except OverflowError:
        raise OverflowError(f"{where}: a value does not fit in {dtype}") from None


@register("tensor", method=False, function=True)
def tensor(data, dtype=None, device=None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new leaf tensor holding a copy of ``data`` (``torch.tensor``).

    ``data``: a number, nested lists/tuples (which may hold one-element tensors and NumPy
    scalars), a NumPy array or a tensor. The dtype, unless given: Python bools -> bool, ints ->
    int64, floats -> the default dtype (`get_default_dtype`), complex -> complex64 (complex128
    under a float64 default); the highest of these kinds wins (``[1, 2.5]`` is float). NumPy data
    and tensors keep their dtype. ``dtype=`` converts (floats to integers truncate toward zero).
    Copying a tensor warns, as PyTorch, suggesting ``t.detach().clone()``.

    Examples
    --------
    >>> ln.tensor([[1, 2], [3, 4]])
    tensor([[1, 2],
            [3, 4]])
    >>> ln.tensor([1.0, 2.0], requires_grad=True)
    tensor([1., 2.], requires_grad=True)
    >>> ln.tensor(3.5).dtype                               # Python floats: the default dtype
    dtype('float32')
    """
    check_device(device, "tensor()")
    dtype = to_dtype(dtype, "tensor()")
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or "
                      "sourceTensor.detach().clone().requires_grad_(True), rather than "
                      "lucidnet.tensor(sourceTensor).", UserWarning, stacklevel=2)
    array = _array(data, "tensor()", dtype)
    if dtype is not None and array.dtype != dtype:
        array = array.astype(dtype)
    return _finish(array, requires_grad, "tensor()")


@register("as_tensor", method=False, function=True)
def as_tensor(data, dtype=None, device=None) -> Tensor:
    """``data`` as a tensor, sharing memory where it can (``torch.as_tensor``): a tensor of the
    asked dtype is returned itself, a NumPy array of the asked dtype is wrapped without a copy
    (changes show both ways); anything else is copied as by `tensor`.

    Examples
    --------
    >>> a = np.array([1.0, 2.0])
    >>> t = ln.as_tensor(a)
    >>> a[0] = 9.0
    >>> t                                                   # shares a's memory
    tensor([9., 2.], dtype=torch.float64)
    """
    check_device(device, "as_tensor()")
    dtype = to_dtype(dtype, "as_tensor()")
    if isinstance(data, Tensor):
        return data if dtype is None else cast(data, dtype)
    if isinstance(data, np.ndarray):
        array = _checked(data, "as_tensor()")
        return Tensor._wrap(array if dtype is None or array.dtype == dtype else
                            array.astype(dtype))
    array = _array(data, "as_tensor()", dtype)
    return Tensor._wrap(array if dtype is None else array.astype(dtype, copy=False))


@register("from_numpy", method=False, function=True)
def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing the memory of a NumPy array (``torch.from_numpy``): a change made in
    place to either shows in the other. The dtype is the array's.

    Examples
    --------
    >>> a = np.zeros(2)
    >>> t = ln.from_numpy(a)
    >>> t += 1
    >>> a
    array([1., 1.])
    """
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"from_numpy(): expected np.ndarray (got {type(ndarray).__name__}); use "
                        "lucidnet.tensor(data) for lists and numbers")
    if ndarray.dtype not in _SUPPORTED:
        raise TypeError(f"from_numpy(): can't convert np.ndarray of type {ndarray.dtype}; the "
                        "supported types are "
                        + ", ".join(sorted({str(d) for d in _SUPPORTED})))
    return Tensor._wrap(ndarray)


# ------------------------------------------------------------------ filled
def _filled(where, shape, value, dtype, device, requires_grad) -> Tensor:
    check_device(device, f"{where}()")
    dtype = get_default_dtype() if dtype is None else to_dtype(dtype, f"{where}()")
    if value is None:
        array = np.empty(shape, dtype)
    elif value == 0:
        array = np.zeros(shape, dtype)
    else:
        array = np.full(shape, value, dtype)
    return _finish(array, requires_grad, f"{where}()")


@register("zeros", method=False, function=True)
def zeros(*shape, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``; the default dtype unless given.

    Examples
    --------
    >>> ln.zeros(2, 3)
    tensor([[0., 0., 0.],
            [0., 0., 0.]])
    >>> ln.zeros((2,), dtype=ln.int64)
    tensor([0, 0])
    """
    return _filled("zeros", _size("zeros", shape, size), 0, dtype, device, requires_grad)


@register("ones", method=False, function=True)
def ones(*shape, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones: ``ones(2, 3)`` or ``ones((2, 3))``; the default dtype unless given.

    Examples
    --------
    >>> ln.ones(2, 2)
    tensor([[1., 1.],
            [1., 1.]])
    """
    return _filled("ones", _size("ones", shape, size), 1, dtype, device, requires_grad)


@register("empty", method=False, function=True)
def empty(*shape, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """An uninitialized tensor (its values are whatever the memory held): fill it before use.

    Examples
    --------
    >>> ln.empty(2, 3).shape
    torch.Size([2, 3])
    """
    return _filled("empty", _size("empty", shape, size), None, dtype, device, requires_grad)


def _fill_value(value, where: str):
    if isinstance(value, Tensor):
        if value.data.size != 1:
            raise ValueError(f"{where}(): fill_value must be a number or a one-element tensor, "
                             f"got shape {tuple(value.shape)}")
        value = value.data.item()
    if not isinstance(value, numbers.Number):
        raise TypeError(f"{where}(): fill_value must be a number, got {type(value).__name__}")
    return value


def _number_dtype(value) -> np.dtype:
    """The dtype PyTorch gives a Python number: bool, int64, the default float, complex."""
    if isinstance(value, (bool, np.bool_)):
        return np.dtype(np.bool_)
    if isinstance(value, numbers.Integral):
        return np.dtype(np.int64)
    if isinstance(value, numbers.Real):
        return get_default_dtype()
    return _default_complex()


@register("full", method=False, function=True)
def full(size, fill_value, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of shape ``size`` (a tuple) filled with ``fill_value``. The dtype, unless given,
    follows the value: bool -> bool, int -> int64, float -> the default dtype.

    Examples
    --------
    >>> ln.full((2, 2), 7)
    tensor([[7, 7],
            [7, 7]])
    >>> ln.full((2,), 0.5)
    tensor([0.5000, 0.5000])
    """
    value = _fill_value(fill_value, "full")
    dtype = _number_dtype(value) if dtype is None else dtype
    return _filled("full", _sequence_size("full", size), value, dtype, device, requires_grad)


def _like(where, input, value, dtype, device, requires_grad) -> Tensor:
    input = _require_tensor(input, where)
    return _filled(where, input.shape, value, input.dtype if dtype is None else dtype, device,
                   requires_grad)


@register("zeros_like", method=False, function=True)
def zeros_like(input, *, dtype=None, device=None, requires_grad: bool = False,
               memory_format=None) -> Tensor:
    """Zeros of ``input``'s shape and (unless given) dtype; outside any graph.

    Examples
    --------
    >>> ln.zeros_like(ln.tensor([[1, 2, 3]]))
    tensor([[0, 0, 0]])
    """
    return _like("zeros_like", input, 0, dtype, device, requires_grad)


@register("ones_like", method=False, function=True)
def ones_like(input, *, dtype=None, device=None, requires_grad: bool = False,
              memory_format=None) -> Tensor:
    """Ones of ``input``'s shape and (unless given) dtype.

    Examples
    --------
    >>> ln.ones_like(ln.tensor([1.0, 2.0]))
    tensor([1., 1.])
    """
    return _like("ones_like", input, 1, dtype, device, requires_grad)


@register("empty_like", method=False, function=True)
def empty_like(input, *, dtype=None, device=None, requires_grad: bool = False,
               memory_format=None) -> Tensor:
    """An uninitialized tensor of ``input``'s shape and (unless given) dtype.

    Examples
    --------
    >>> ln.empty_like(ln.ones(2, 3)).shape
    torch.Size([2, 3])
    """
    return _like("empty_like", input, None, dtype, device, requires_grad)


@register("full_like", method=False, function=True)
def full_like(input, fill_value, *, dtype=None, device=None, requires_grad: bool = False,
              memory_format=None) -> Tensor:
    """``fill_value`` in ``input``'s shape and (unless given) dtype: ``full_like(int_t, 2.7)``
    holds 2, as PyTorch.

    Examples
    --------
    >>> ln.full_like(ln.tensor([1, 2]), 2.7)        # an int tensor keeps its dtype: 2
    tensor([2, 2])
    """
    return _like("full_like", input, _fill_value(fill_value, "full_like"), dtype, device,
                 requires_grad)


# ------------------------------------------------------------------ ranges
def _range_number(x, where: str, what: str):
    if isinstance(x, Tensor):
        if x.data.size != 1:
            raise TypeError(f"{where}(): {what} must be a number or a one-element tensor, got "
                            f"shape {tuple(x.shape)}")
        x = x.data.item()
    elif isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, complex) or not isinstance(x, numbers.Real):
        raise TypeError(f"{where}(): {what} must be a real number, got {type(x).__name__} {x!r}")
    return x


def _is_integral(x) -> bool:
    return isinstance(x, numbers.Integral)


@register("arange", method=False, function=True)
def arange(start=0, end=None, step=1, *, dtype=None, device=None,
           requires_grad: bool = False) -> Tensor:
    """``[start, start + step, ...)`` up to (not including) ``end``, as ``torch.arange``.

    ``arange(end)`` starts at 0. Integer arguments give int64, any float argument the default
    dtype. The length is PyTorch's: ``ceil((end - start) / step)`` computed in float64; for
    int64 output the arguments are first truncated to integers and the length is
    ``(end - start + step - sign(step)) // step``. Values are ``start + i * step`` (in float64
    for floating output, then rounded to the dtype).

    Examples
    --------
    >>> ln.arange(5)
    tensor([0, 1, 2, 3, 4])
    >>> ln.arange(0.0, 1.0, 0.25)
    tensor([0.0000, 0.2500, 0.5000, 0.7500])
    """
    check_device(device, "arange()")
    if end is None:
        start, end = 0, start
    start, end, step = (_range_number(v, "arange", name)
                        for v, name in ((start, "start"), (end, "end"), (step, "step")))
    if dtype is None:
        integral = all(map(_is_integral, (start, end, step)))
        dtype = np.dtype(np.int64) if integral else get_default_dtype()
    else:
        dtype = to_dtype(dtype, "arange()")
    if dtype.kind in "bc":
        raise TypeError(f"arange() makes real numbers, not {dtype}")
    integer_out = dtype.kind in "iu"
    if not all(map(math.isfinite, (start, end))):
        raise RangeError(f"arange(): unsupported range: {start} -> {end}")
    xstart, xend, xstep = (int(v) for v in (start, end, step)) if integer_out else \
        (start, end, step)
    if (xstep if dtype == np.int64 else step) == 0:
        raise RangeError("arange(): step must be nonzero")
    if not ((step > 0 and end >= start) or (step < 0 and end <= start)):
        raise RangeError(f"arange(): upper bound and lower bound inconsistent with step sign "
                         f"(start={start}, end={end}, step={step})")
    if dtype == np.int64:
        sign = 1 if xstep > 0 else -1
        n = (xend - xstart + xstep - sign) // xstep
    else:
        n = math.ceil((float(end) - float(start)) / float(step))
    n = max(int(n), 0)
    if integer_out:
        values = xstart + xstep * np.arange(n, dtype=np.int64)
    else:
        values = float(start) + float(step) * np.arange(n, dtype=np.float64)
    return _finish(values.astype(dtype, copy=False), requires_grad, "arange()")


def _steps(steps, where: str) -> int:
    n = _as_int(steps, where, "steps")
    if n < 0:
        raise RangeError(f"{where}(): number of steps must be non-negative, got {n}")
    return n


def _even_points(start, end, n: int, integer: bool) -> np.ndarray:
    """PyTorch's linspace points in float64: ``start + i*step`` for the first half, ``end -
    (n-1-i)*step`` for the second, so both ends are exact. Integer output truncates start and
    end first, as PyTorch."""
    if integer:
        start, end = int(start), int(end)
    if n == 1:
        return np.array([float(start)])
    step = (float(end) - float(start)) / (n - 1)
    i = np.arange(n, dtype=np.float64)
    return np.where(i < n // 2, start + step * i, end - step * (n - 1 - i))


@register("linspace", method=False, function=True)
def linspace(start, end, steps, *, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced points from ``start`` to ``end``, both included (the default
    dtype unless given; integer dtypes truncate toward zero).

    Examples
    --------
    >>> ln.linspace(0, 1, 5)
    tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    check_device(device, "linspace()")
    start, end = _range_number(start, "linspace", "start"), _range_number(end, "linspace", "end")
    n = _steps(steps, "linspace")
    dtype = get_default_dtype() if dtype is None else to_dtype(dtype, "linspace()")
    points = _even_points(start, end, n, dtype.kind in "iub")
    return _finish(points.astype(dtype), requires_grad, "linspace()")


@register("logspace", method=False, function=True)
def logspace(start, end, steps, base: float = 10.0, *, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``base ** linspace(start, end, steps)``: ``steps`` points from base**start to base**end.

    Examples
    --------
    >>> ln.logspace(0, 3, 4)
    tensor([   1.,   10.,  100., 1000.])
    """
    check_device(device, "logspace()")
    start, end = _range_number(start, "logspace", "start"), _range_number(end, "logspace", "end")
    base = _range_number(base, "logspace", "base")
    n = _steps(steps, "logspace")
    dtype = get_default_dtype() if dtype is None else to_dtype(dtype, "logspace()")
    with np.errstate(over="ignore"):
        values = np.power(float(base), _even_points(start, end, n, dtype.kind in "iub"))
    return _finish(values.astype(dtype), requires_grad, "logspace()")


@register("eye", method=False, function=True)
def eye(n, m=None, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """The ``n`` x ``m`` identity matrix (``m`` defaults to ``n``).

    Examples
    --------
    >>> ln.eye(2)
    tensor([[1., 0.],
            [0., 1.]])
    >>> ln.eye(2, 3)
    tensor([[1., 0., 0.],
            [0., 1., 0.]])
    """
    check_device(device, "eye()")
    n = _as_int(n, "eye", "n")
    m = n if m is None else _as_int(m, "eye", "m")
    for name, v in (("n", n), ("m", m)):
        if v < 0:
            raise RuntimeError(f"eye(): {name} must be greater or equal to 0, got {v}")
    dtype = get_default_dtype() if dtype is None else to_dtype(dtype, "eye()")
    return _finish(np.eye(n, m, dtype=dtype), requires_grad, "eye()")


# ------------------------------------------------------------------ random
class RandomDraw(Function):
    """A sample from a distribution whose parameters are tensors (``normal(mean, std)``,
    ``bernoulli(p)``). As in PyTorch the result requires grad when a parameter does, and the
    gradient to the parameters is zero (a sample has no reparameterized gradient here)."""

    @staticmethod
    def forward(ctx, *params, sample=None):
        ctx.shapes = [np.shape(p) for p in params]
        return sample

    @staticmethod
    def backward(ctx, grad):
        return tuple(np.zeros(shape, grad.dtype) for shape in ctx.shapes)


def _uniform(rng, shape, dtype) -> np.ndarray:
    if dtype in (np.float32, np.float64):
        return rng.random(shape, dtype=dtype)
    return rng.random(shape, dtype=np.float32).astype(dtype)


def _standard_normal(rng, shape, dtype) -> np.ndarray:
    if dtype in (np.float32, np.float64):
        return rng.standard_normal(shape, dtype=dtype)
    return rng.standard_normal(shape, dtype=np.float32).astype(dtype)


@register("rand", method=False, function=True)
def rand(*shape, size=None, generator=None, dtype=None, device=None,
         requires_grad: bool = False) -> Tensor:
    """Uniform samples on [0, 1): ``rand(2, 3)`` or ``rand((2, 3))`` (floating dtypes).

    Examples
    --------
    >>> x = ln.rand(2, 3)
    >>> x.shape, bool(((x >= 0) & (x < 1)).all())
    (torch.Size([2, 3]), True)
    """
    check_device(device, "rand()")
    shape = _size("rand", shape, size)
    dtype = _float_dtype(dtype, "rand")
    rng = _random.numpy_generator(generator)
    return _finish(_uniform(rng, shape, dtype), requires_grad, "rand()")


@register("randn", method=False, function=True)
def randn(*shape, size=None, generator=None, dtype=None, device=None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal samples N(0, 1): ``randn(2, 3)`` or ``randn((2, 3))``.

    Examples
    --------
    >>> x = ln.randn(1000)
    >>> abs(float(x.mean())) < 0.1, abs(float(x.std()) - 1) < 0.1
    (True, True)
    """
    check_device(device, "randn()")
    shape = _size("randn", shape, size)
    dtype = _float_dtype(dtype, "randn")
    rng = _random.numpy_generator(generator)
    return _finish(_standard_normal(rng, shape, dtype), requires_grad, "randn()")


def _integers(rng, low, high, shape, dtype, where) -> np.ndarray:
    low, high = _as_int(low, where, "low"), _as_int(high, where, "high")
    if low >= high:
        raise RuntimeError(f"{where}(): low must be less than high (random_ expects 'from' to be "
                           f"less than 'to'), got low={low} >= high={high}")
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        if low < info.min or high - 1 > info.max:
            raise RuntimeError(f"{where}(): the range [{low}, {high}) does not fit in {dtype} "
                               f"([{info.min}, {info.max}])")
    return rng.integers(low, high, size=shape, dtype=np.int64).astype(dtype, copy=False)


@register("randint", method=False, function=True)
def randint(*args, size=None, low=None, high=None, generator=None, dtype=None, device=None,
            requires_grad: bool = False) -> Tensor:
    """Uniform integers in [low, high): ``randint(high, size)`` or ``randint(low, high, size)``,
    ``size`` a tuple (int64 unless ``dtype`` is given; a floating dtype holds whole numbers).

    Examples
    --------
    >>> x = ln.randint(0, 10, (3, 4))
    >>> x.shape, x.dtype, bool(((x >= 0) & (x < 10)).all())
    (torch.Size([3, 4]), dtype('int64'), True)
    """
    check_device(device, "randint()")
    rest = list(args)
    if size is None:
        if not rest:
            raise TypeError("randint() missing the size, e.g. randint(0, 10, (3,))")
        size = rest.pop()
    if high is None:
        if not rest:
            raise TypeError("randint() missing high, e.g. randint(10, (3,)) or "
                            "randint(0, 10, (3,))")
        high = rest.pop()
    if low is None:
        low = rest.pop() if rest else 0
    if rest:
        raise TypeError(f"randint() takes (low, high, size) at most, got {len(args)} positional "
                        "arguments")
    shape = _sequence_size("randint", size)
    dtype = np.dtype(np.int64) if dtype is None else to_dtype(dtype, "randint()")
    values = _integers(_random.numpy_generator(generator), low, high, shape, dtype, "randint")
    return _finish(values, requires_grad, "randint()")


@register("randperm", method=False, function=True)
def randperm(n, *, generator=None, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """A random permutation of 0 .. n-1 (int64 unless ``dtype`` is given).

    Examples
    --------
    >>> sorted(ln.randperm(5).tolist())
    [0, 1, 2, 3, 4]
    """
    check_device(device, "randperm()")
    n = _size("randperm", (n,))[0]
    dtype = np.dtype(np.int64) if dtype is None else to_dtype(dtype, "randperm()")
    perm = _random.numpy_generator(generator).permutation(n)
    return _finish(perm.astype(dtype, copy=False), requires_grad, "randperm()")


def _rand_like(where, input, dtype, draw, requires_grad) -> Tensor:
    input = _require_tensor(input, where)
    return _finish(draw(input.shape, input.dtype if dtype is None else to_dtype(dtype, where)),
                   requires_grad, f"{where}()")


@register("rand_like", method=False, function=True)
def rand_like(input, *, generator=None, dtype=None, device=None, requires_grad: bool = False,
              memory_format=None) -> Tensor:
    """Uniform [0, 1) samples in ``input``'s shape and (unless given) floating dtype.

    Examples
    --------
    >>> ln.rand_like(ln.zeros(2, 2)).shape
    torch.Size([2, 2])
    """
    check_device(device, "rand_like()")
    rng = _random.numpy_generator(generator)
    return _rand_like("rand_like", input, dtype,
                      lambda s, d: _uniform(rng, s, _float_dtype(d, "rand_like")), requires_grad)


@register("randn_like", method=False, function=True)
def randn_like(input, *, generator=None, dtype=None, device=None, requires_grad: bool = False,
               memory_format=None) -> Tensor:
    """N(0, 1) samples in ``input``'s shape and (unless given) floating dtype.

    Examples
    --------
    >>> ln.randn_like(ln.zeros(2, 2)).dtype
    dtype('float32')
    """
    check_device(device, "randn_like()")
    rng = _random.numpy_generator(generator)
    return _rand_like("randn_like", input, dtype,
                      lambda s, d: _standard_normal(rng, s, _float_dtype(d, "randn_like")),
                      requires_grad)


@register("randint_like", method=False, function=True)
def randint_like(input, low=0, high=None, *, generator=None, dtype=None, device=None,
                 requires_grad: bool = False, memory_format=None) -> Tensor:
    """Integers in [low, high) in ``input``'s shape and dtype: ``randint_like(t, high)`` or
    ``randint_like(t, low, high)``.

    Examples
    --------
    >>> x = ln.randint_like(ln.zeros(4, dtype=ln.int64), 3)
    >>> bool(((x >= 0) & (x < 3)).all())
    True
    """
    check_device(device, "randint_like()")
    if high is None:
        low, high = 0, low
    rng = _random.numpy_generator(generator)
    return _rand_like("randint_like", input, dtype,
                      lambda s, d: _integers(rng, low, high, s, d, "randint_like"),
                      requires_grad)


def _check_std(std) -> None:
    values = std.data if isinstance(std, Tensor) else std
    if np.any(np.asarray(values) < 0):
        raise RuntimeError(f"normal expects std >= 0.0, got std {values!r:.60}")


@register("normal", method=False, function=True)
def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad: bool = False) -> Tensor:
    """Normal samples mean + std * N(0, 1), as ``torch.normal``'s forms:
    ``normal(mean_tensor, std_tensor)`` (shapes broadcast), ``normal(mean_tensor, std=1.0)``,
    ``normal(mean, std_tensor)`` and ``normal(mean, std, size)`` for numbers (default dtype).
    With tensor parameters the result requires grad when they do, with a zero gradient (as
    PyTorch: no reparameterization).

    Examples
    --------
    >>> x = ln.normal(5.0, 2.0, size=(10000,))
    >>> round(float(x.mean())), round(float(x.std()))
    (5, 2)
    """
    check_device(device, "normal()")
    rng = _random.numpy_generator(generator)
    _check_std(std)
    params = [p for p in (mean, std) if isinstance(p, Tensor)]
    if not params:
        if size is None:
            raise TypeError("normal(mean, std, size): with numbers for mean and std give the "
                            "size, e.g. normal(0.0, 1.0, (3,)), or pass a tensor of means")
        shape = _sequence_size("normal", size)
        dtype = _float_dtype(dtype, "normal")
        sample = (mean + std * _standard_normal(rng, shape, dtype)).astype(dtype, copy=False)
        return _finish(sample, requires_grad, "normal()")
    if size is not None:
        raise TypeError("normal(): size is for number arguments; with a tensor mean or std the "
                        "shape is theirs (broadcast)")
    for p in params:
        if p.data.dtype.kind != "f":
            raise TypeError(f"normal expects floating-point mean and std tensors, got {p.dtype}")
    dtype = np.result_type(*[p.data.dtype for p in params]) if dtype is None else \
        _float_dtype(dtype, "normal")
    m, s = (p.data if isinstance(p, Tensor) else p for p in (mean, std))
    shape = np.broadcast_shapes(np.shape(m), np.shape(s))
    sample = (m + s * _standard_normal(rng, shape, dtype)).astype(dtype, copy=False)
    return RandomDraw.apply(mean, std, sample=sample)


@register("bernoulli", function=True)
def bernoulli(input, p=None, *, generator=None) -> Tensor:
    """0/1 samples, 1 with probability ``input`` (or with probability ``p`` in every position),
    in ``input``'s shape and floating dtype.

    Examples
    --------
    >>> ln.bernoulli(ln.tensor([0.0, 1.0, 0.0, 1.0]))    # probabilities 0 and 1: no randomness
    tensor([0., 1., 0., 1.])
    """
    input = _require_tensor(input, "bernoulli")
    if input.data.dtype.kind != "f":
        raise TypeError(f"bernoulli(): the probabilities must be a floating tensor, got "
                        f"{input.dtype}; convert with .float()")
    probs = input.data if p is None else _range_number(p, "bernoulli", "p")
    if not np.all((np.asarray(probs) >= 0) & (np.asarray(probs) <= 1)):
        raise RuntimeError("bernoulli(): probabilities must be in [0, 1] (and not nan)")
    rng = _random.numpy_generator(generator)
    sample = (rng.random(input.shape) < probs).astype(input.data.dtype)
    return RandomDraw.apply(input, sample=sample)


@register("multinomial", function=True)
def multinomial(input, num_samples, replacement: bool = False, *, generator=None) -> Tensor:
    """Indices drawn from the (unnormalized) category weights in each row of ``input`` (1-D or
    2-D): ``num_samples`` per row, int64. Without replacement each index comes at most once
    (PyTorch's method: the top ``num_samples`` of weight / Exponential(1)).

    Examples
    --------
    >>> ln.multinomial(ln.tensor([0.0, 0.0, 1.0]), 2, replacement=True)   # only index 2 has weight
    tensor([2, 2])
    """
    input = _require_tensor(input, "multinomial")
    w = input.data
    if w.dtype.kind != "f":
        raise TypeError(f"multinomial only supports floating-point dtypes for input, got "
                        f"{w.dtype}")
    if w.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got shape {w.shape}")
    k = _as_int(num_samples, "multinomial", "num_samples")
    if k <= 0:
        raise RuntimeError(f"multinomial: cannot sample n_sample <= 0 samples, got {k}")
    if not replacement and k > w.shape[-1]:
        raise RuntimeError(f"multinomial: cannot sample n_sample > prob_dist.size(-1) samples "
                           f"without replacement ({k} > {w.shape[-1]})")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise RuntimeError("multinomial: probability tensor contains either `inf`, `nan` or "
                           "element < 0")
    rows = np.atleast_2d(w).astype(np.float64)
    totals = rows.sum(axis=1, keepdims=True)
    if np.any(totals <= 0):
        raise RuntimeError("multinomial: invalid multinomial distribution (sum of "
                           "probabilities <= 0)")
    rng = _random.numpy_generator(generator)
    if replacement:
        cdf = np.cumsum(rows / totals, axis=1)
        cdf[:, -1] = 1.0
        offset = np.arange(len(rows))[:, None]  # one sorted array: row r's cdf is in [r, r+1]
        u = rng.random((len(rows), k))
        flat = np.searchsorted((cdf + offset).ravel(), (u + offset).ravel(), side="right")
        idx = flat.reshape(len(rows), k) - offset * rows.shape[1]
        idx = np.minimum(idx, rows.shape[1] - 1)
    else:
        keys = rows / rng.exponential(size=rows.shape)
        idx = np.argsort(-keys, axis=1, kind="stable")[:, :k]
    idx = idx.astype(np.int64)
    return Tensor._wrap(idx if w.ndim == 2 else idx[0])


# ------------------------------------------------------------------ Tensor.new_*
@register("new_tensor")
def new_tensor(self, data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new tensor from ``data`` in this tensor's dtype unless ``dtype`` is given."""
    return tensor(data.data if isinstance(data, Tensor) else data,
                  dtype=self.dtype if dtype is None else dtype, device=device,
                  requires_grad=requires_grad)


def _new(self, where, shape, value, dtype, device, requires_grad) -> Tensor:
    return _filled(where, shape, value, self.dtype if dtype is None else dtype, device,
                   requires_grad)


@register("new_zeros")
def new_zeros(self, *size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Zeros of the given size in this tensor's dtype (unless given)."""
    return _new(self, "new_zeros", _size("new_zeros", size), 0, dtype, device, requires_grad)


@register("new_ones")
def new_ones(self, *size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Ones of the given size in this tensor's dtype (unless given)."""
    return _new(self, "new_ones", _size("new_ones", size), 1, dtype, device, requires_grad)


@register("new_empty")
def new_empty(self, *size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """An uninitialized tensor of the given size in this tensor's dtype (unless given)."""
    return _new(self, "new_empty", _size("new_empty", size), None, dtype, device, requires_grad)


@register("new_full")
def new_full(self, size, fill_value, *, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``fill_value`` in the given size (a tuple) and this tensor's dtype (unless given)."""
    return _new(self, "new_full", _sequence_size("new_full", size),
                _fill_value(fill_value, "new_full"), dtype, device, requires_grad)


# ------------------------------------------------------------------ legacy tensor types
class _LegacyType(type):
    """``lucidnet.FloatTensor`` and friends, PyTorch's legacy constructors: ``FloatTensor(2, 3)``
    is uninitialized of that size, ``FloatTensor([1, 2])`` holds the data; ``isinstance(t,
    FloatTensor)`` checks the dtype; ``t.type(FloatTensor)`` converts."""

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj.data.dtype == cls._legacy_dtype

    def __call__(cls, *args, device=None):
        check_device(device, cls.__name__)
        dtype = cls._legacy_dtype
        if not args:
            return Tensor._wrap(np.empty((0,), dtype))
        if all(isinstance(a, (numbers.Integral, np.integer)) and not isinstance(a, bool)
               for a in args):
            return empty(*args, dtype=dtype)
        if len(args) == 1:
            return tensor(args[0].detach() if isinstance(args[0], Tensor) else args[0],
                          dtype=dtype)
        raise TypeError(f"{cls.__name__}(*sizes) or {cls.__name__}(data), got {args!r:.60}")


_LEGACY_DOC = """PyTorch's legacy constructor of {dtype} tensors.

``{name}(*sizes)`` is an uninitialized tensor of that size (as ``empty(*sizes,
dtype={dtype})``), ``{name}(data)`` holds the data (as ``tensor(data, dtype={dtype})``) and
``{name}()`` is an empty tensor of shape (0,); ``isinstance(t, {name})`` is true exactly when
``t`` is a tensor of dtype {dtype}.

Parameters
----------
*args : int or array_like
    Either sizes (integers) or one data argument (a list, array or tensor).
device : str or device, optional
    Only "cpu".

Examples
--------
>>> ln.{name}([1, 0])
{data}
>>> ln.{name}(2, 3).shape
torch.Size([2, 3])
>>> isinstance(ln.{name}([1, 0]), ln.{name}), isinstance(ln.tensor({other}), ln.{name})
(True, False)
"""

# (name, dtype, repr of name([1, 0]), a tensor of another dtype) -- the outputs the doctests check
for _name, _type, _data, _other in [
        ("FloatTensor", np.float32, "tensor([1., 0.])", "[1, 0]"),
        ("DoubleTensor", np.float64, "tensor([1., 0.], dtype=torch.float64)", "[1.5]"),
        ("HalfTensor", np.float16, "tensor([1., 0.], dtype=torch.float16)", "[1.5]"),
        ("LongTensor", np.int64, "tensor([1, 0])", "[1.5]"),
        ("IntTensor", np.int32, "tensor([1, 0], dtype=torch.int32)", "[1, 0]"),
        ("ShortTensor", np.int16, "tensor([1, 0], dtype=torch.int16)", "[1, 0]"),
        ("CharTensor", np.int8, "tensor([1, 0], dtype=torch.int8)", "[1, 0]"),
        ("ByteTensor", np.uint8, "tensor([1, 0], dtype=torch.uint8)", "[1, 0]"),
        ("BoolTensor", np.bool_, "tensor([ True, False])", "[1, 0]")]:
    register(_name, value=_LegacyType(_name, (), {
        "_legacy_dtype": np.dtype(_type), "__module__": "lucidnet",
        "__doc__": _LEGACY_DOC.format(name=_name, dtype=np.dtype(_type).name, data=_data,
                                      other=_other)}))

# ------------------------------------------------------------------ top-level values
register("Generator", value=_random.Generator)
register("default_generator", value=_random.default_generator)
register("seed", value=_random.seed)
register("initial_seed", value=_random.initial_seed)
register("get_rng_state", value=_random.get_rng_state)
register("set_rng_state", value=_random.set_rng_state)

# lucidnet.numel is Tensor.numel, registered with the shape ops (ops/shape.py)
