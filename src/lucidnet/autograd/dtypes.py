"""dtype objects and dtype conversions in PyTorch's spelling (issue 9, item 1).

lucidnet's dtypes **are NumPy dtypes**: ``lucidnet.float32 is np.dtype("float32")``. So
``t.dtype == lucidnet.float32``, ``np.zeros(3, dtype=lucidnet.long)`` and ``torch.float`` /
``torch.long`` style code all work, and a tensor's dtype interoperates with NumPy unchanged. What
this choice gives up: ``str(lucidnet.float32)`` is ``'float32'`` (PyTorch prints
``'torch.float32'``), and a NumPy dtype has no ``.is_floating_point`` attribute -- ask the tensor
(``t.is_floating_point()``, ``lucidnet.is_floating_point(t)``) or the dtype's kind
(``dtype.kind == "f"``). NumPy has no bfloat16, so ``lucidnet.bfloat16`` does not exist and
``.bfloat16()`` raises, pointing to float16 / float32.

Conversions (``float() double() half() long() int() short() char() byte() bool() type() to()``)
return the tensor itself when nothing changes, as PyTorch. A conversion between floating dtypes
stays in the graph (the gradient is cast back); one to an integer or bool dtype leaves it.
"""

from __future__ import annotations

import numbers

import numpy as np

from .registry import register
from .tensor import Tensor, get_default_dtype

__all__ = ["to_dtype", "finfo", "iinfo", "is_tensor", "is_floating_point", "is_complex",
           "cast", "legacy_type_name", "FLOATING_KINDS", "set_default_tensor_type", "parse_to"]

# ------------------------------------------------------------------ the dtype objects
_NAMES = {
    "float32": np.float32, "float": np.float32,
    "float64": np.float64, "double": np.float64,
    "float16": np.float16, "half": np.float16,
    "int64": np.int64, "long": np.int64,
    "int32": np.int32, "int": np.int32,
    "int16": np.int16, "short": np.int16,
    "int8": np.int8,
    "uint8": np.uint8, "uint16": np.uint16, "uint32": np.uint32, "uint64": np.uint64,
    "bool": np.bool_,
    "complex64": np.complex64, "cfloat": np.complex64,
    "complex128": np.complex128, "cdouble": np.complex128,
}
for _name, _type in _NAMES.items():
    register(_name, value=np.dtype(_type))
register("dtype", value=np.dtype)  # isinstance(t.dtype, lucidnet.dtype)

FLOATING_KINDS = "f"  # dtypes whose tensors may require gradients (no complex autograd)
_SUPPORTED = frozenset(np.dtype(t) for t in _NAMES.values())

# PyTorch's legacy type names ('torch.FloatTensor'), what Tensor.type() returns
_LEGACY = {
    np.float32: "FloatTensor", np.float64: "DoubleTensor", np.float16: "HalfTensor",
    np.int64: "LongTensor", np.int32: "IntTensor", np.int16: "ShortTensor", np.int8: "CharTensor",
    np.uint8: "ByteTensor", np.uint16: "UInt16Tensor", np.uint32: "UInt32Tensor",
    np.uint64: "UInt64Tensor", np.bool_: "BoolTensor", np.complex64: "ComplexFloatTensor",
    np.complex128: "ComplexDoubleTensor",
}
_LEGACY = {np.dtype(k): v for k, v in _LEGACY.items()}
_FROM_LEGACY = {v: k for k, v in _LEGACY.items()}


def to_dtype(dtype, where: str = "dtype") -> np.dtype | None:
    """A ``dtype=`` argument as a NumPy dtype (None stays None).

    Accepts lucidnet's dtypes (``lucidnet.float32``), Python's ``float`` / ``int`` / ``bool`` /
    ``complex`` (float64, int64, bool, complex128, as PyTorch reads them), NumPy types
    (``np.float32``) and legacy tensor types (``lucidnet.FloatTensor``). Raises TypeError for
    anything else, naming the supported dtypes.

    Parameters
    ----------
    dtype : dtype-like or None
        What the caller was given.
    where : str, optional
        The caller's name, which starts the error message.

    Returns
    -------
    numpy.dtype or None

    Examples
    --------
    >>> from lucidnet.autograd.dtypes import to_dtype
    >>> to_dtype(ln.float32), to_dtype(float), to_dtype(ln.LongTensor)
    (dtype('float32'), dtype('float64'), dtype('int64'))
    >>> to_dtype("float32")
    Traceback (most recent call last):
        ...
    TypeError: dtype: expected a dtype such as lucidnet.float32, got the string 'float32'; ...
    """
    if dtype is None:
        return None
    legacy = getattr(dtype, "_legacy_dtype", None)
    if legacy is not None:
        return legacy
    if isinstance(dtype, str):
        raise TypeError(f"{where}: expected a dtype such as lucidnet.float32, got the string "
                        f"{dtype!r}; pass lucidnet.{dtype} instead of a string")
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{where}: expected a dtype such as lucidnet.float32, got "
                        f"{type(dtype).__name__} {dtype!r}") from None
    if dt not in _SUPPORTED:
        raise TypeError(f"{where}: dtype {dt} is not supported; lucidnet tensors hold "
                        + ", ".join(sorted({str(d) for d in _SUPPORTED})))
    return dt


def legacy_type_name(dtype: np.dtype) -> str:
    """PyTorch's legacy name of a tensor type: ``'torch.FloatTensor'`` for float32.

    Parameters
    ----------
    dtype : dtype-like
        One of the dtypes lucidnet tensors hold.

    Examples
    --------
    >>> from lucidnet.autograd.dtypes import legacy_type_name
    >>> legacy_type_name(ln.float32), legacy_type_name(ln.int64)
    ('torch.FloatTensor', 'torch.LongTensor')
    >>> ln.ones(2).type()           # what Tensor.type() returns
    'torch.FloatTensor'
    """
    return "torch." + _LEGACY[np.dtype(dtype)]


def _check_float_info(dtype, name: str, kinds: str, other: str) -> np.dtype:
    dt = to_dtype(get_default_dtype() if dtype is None else dtype, name)
    if dt.kind not in kinds:
        raise TypeError(f"{name}() needs {'a floating point' if kinds == 'fc' else 'an integer'} "
                        f"dtype, got {dt}; use {other}() for it")
    return dt


@register("finfo", method=False, function=True)
def finfo(type=None) -> np.finfo:
    """Machine limits of a floating dtype (``torch.finfo``): ``finfo(float32).eps``, ``.max``,
    ``.min``, ``.tiny``, ``.bits``, ``.resolution``. No argument: the default dtype.

    ``eps`` is the gap between 1 and the next representable number, 2^-(mantissa bits)
    (2^-23 for float32); ``tiny`` the smallest positive normal number.

    Parameters
    ----------
    type : dtype, optional
        A floating (or complex) dtype; an integer dtype raises TypeError pointing to `iinfo`.

    Returns
    -------
    numpy.finfo

    Examples
    --------
    >>> float(ln.finfo(ln.float32).eps) == 2.0 ** -23
    True
    >>> float(ln.finfo(ln.float16).max), ln.finfo().bits      # default dtype: float32
    (65504.0, 32)
    """
    return np.finfo(_check_float_info(type, "finfo", "fc", "iinfo"))


@register("iinfo", method=False, function=True)
def iinfo(type) -> np.iinfo:
    """Limits of an integer dtype (``torch.iinfo``): ``iinfo(int64).max``, ``.min``, ``.bits``.

    A signed b-bit integer holds [-2^(b-1), 2^(b-1) - 1]; an unsigned one [0, 2^b - 1].

    Parameters
    ----------
    type : dtype
        An integer, unsigned or bool dtype; a floating dtype raises TypeError pointing to
        `finfo`.

    Returns
    -------
    numpy.iinfo

    Examples
    --------
    >>> ln.iinfo(ln.int8).min, ln.iinfo(ln.int8).max, ln.iinfo(ln.uint8).max
    (-128, 127, 255)
    >>> ln.iinfo(ln.float32)
    Traceback (most recent call last):
        ...
    TypeError: iinfo() needs an integer dtype, got float32; use finfo() for it
    """
    return np.iinfo(_check_float_info(type, "iinfo", "iub", "finfo"))


@register("set_default_tensor_type", method=False, function=True)
def set_default_tensor_type(t) -> None:
    """PyTorch's older spelling of `set_default_dtype`: ``set_default_tensor_type(
    lucidnet.DoubleTensor)`` or ``("torch.DoubleTensor")``; floating types only.

    Parameters
    ----------
    t : legacy type, str or dtype
        ``lucidnet.FloatTensor`` / ``lucidnet.DoubleTensor``, their names, or float32 /
        float64; other types raise TypeError.

    Examples
    --------
    >>> ln.set_default_tensor_type(ln.DoubleTensor)
    >>> ln.tensor([1.5]).dtype
    dtype('float64')
    >>> ln.set_default_tensor_type("torch.FloatTensor")       # back to the default
    >>> ln.get_default_dtype()
    dtype('float32')
    """
    from .tensor import set_default_dtype

    if isinstance(t, str):
        name = t.rpartition(".")[2]
        if name not in _FROM_LEGACY:
            raise TypeError(f"set_default_tensor_type: invalid type {t!r}; expected e.g. "
                            "'torch.DoubleTensor'")
        t = _FROM_LEGACY[name]
    dtype = to_dtype(t, "set_default_tensor_type")
    if dtype.kind != "f" or dtype == np.float16:
        raise TypeError(f"set_default_tensor_type: only floating-point types (float32, float64) "
                        f"are supported as the default type, got {dtype}")
    set_default_dtype(dtype)


# ------------------------------------------------------------------ dtype questions
@register("is_tensor", method=False, function=True)
def is_tensor(obj) -> bool:
    """True for a lucidnet Tensor (and a Parameter), as ``torch.is_tensor``.

    Parameters
    ----------
    obj : object
        Anything.

    Examples
    --------
    >>> ln.is_tensor(ln.ones(2)), ln.is_tensor(ln.nn.Parameter(ln.ones(2))), ln.is_tensor([1.0])
    (True, True, False)
    """
    return isinstance(obj, Tensor)


def _require_tensor(x, name: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be a Tensor, got {type(x).__name__}; "
                        "make one with lucidnet.tensor(...)")
    return x


@register("is_floating_point", function=True)
def is_floating_point(self) -> bool:
    """True when the dtype is a floating one (float16/32/64).

    Parameters
    ----------
    self : Tensor
        A tensor; anything else raises TypeError (``lucidnet.is_floating_point(1.0)``).

    Examples
    --------
    >>> ln.is_floating_point(ln.tensor([1.0])), ln.tensor([1]).is_floating_point()
    (True, False)
    """
    return _require_tensor(self, "is_floating_point").data.dtype.kind == "f"


@register("is_complex", function=True)
def is_complex(self) -> bool:
    """True when the dtype is complex64 or complex128.

    Parameters
    ----------
    self : Tensor
        A tensor; anything else raises TypeError.

    Examples
    --------
    >>> ln.is_complex(ln.tensor([1 + 2j])), ln.is_complex(ln.tensor([1.0]))
    (True, False)
    """
    return _require_tensor(self, "is_complex").data.dtype.kind == "c"


@register("is_signed")
def is_signed(self) -> bool:
    """True unless the dtype is unsigned (uint8...) or bool, as PyTorch."""
    return self.data.dtype.kind not in "ub"


@register("element_size")
def element_size(self) -> int:
    """Bytes per element (4 for float32)."""
    return self.data.dtype.itemsize


register("itemsize")(property(element_size, doc="Bytes per element (4 for float32)."))
def _nbytes(self) -> int:
    """Bytes of all elements: numel() * element_size() (16 for four float32 values)."""
    return self.data.nbytes


register("nbytes")(property(_nbytes))


# ------------------------------------------------------------------ conversions
def cast(t: Tensor, dtype: np.dtype, copy: bool = False) -> Tensor:
    """``t`` as ``dtype``: itself when nothing changes (a copy with ``copy=True``). Between
    floating dtypes the result stays in the graph; to an integer or bool dtype it leaves it.

    Parameters
    ----------
    t : Tensor
        The tensor to convert.
    dtype : numpy.dtype
        The target dtype (already checked, e.g. by `to_dtype`).
    copy : bool, optional
        Return a copy even when the dtype is already ``dtype`` (default False).

    Examples
    --------
    >>> from lucidnet.autograd.dtypes import cast
    >>> x = ln.ones(2, requires_grad=True)
    >>> cast(x, ln.float64).requires_grad, cast(x, ln.int64).requires_grad
    (True, False)
    >>> cast(x, ln.float32) is x, cast(x, ln.float32, copy=True) is x
    (True, False)
    """
    if t.data.dtype == dtype:
        return t.clone() if copy else t
    if dtype.kind in FLOATING_KINDS:
        from .ops.elementwise import Cast

        return Cast.apply(t, dtype=dtype)
    return Tensor._wrap(t.data.astype(dtype))


def _converter(name: str, dtype):
    dt = np.dtype(dtype)

    def convert(self) -> Tensor:
        return cast(self, dt)

    convert.__name__ = name
    convert.__doc__ = f"This tensor as {dt} (itself if it is {dt} already); ``self.to({dt})``."
    register(name)(convert)


for _name, _type in [("float", np.float32), ("double", np.float64), ("half", np.float16),
                     ("long", np.int64), ("int", np.int32), ("short", np.int16),
                     ("char", np.int8), ("byte", np.uint8), ("bool", np.bool_),
                     ("cfloat", np.complex64), ("cdouble", np.complex128)]:
    _converter(_name, _type)


@register("bfloat16")
def bfloat16(self):
    """Not available: NumPy has no bfloat16 type."""
    raise TypeError("lucidnet has no bfloat16 (NumPy, which holds its arrays, lacks the type); "
                    "use .half() for 16-bit floats or .float() for float32")


@register("astype")
def astype(self, dtype) -> Tensor:
    """NumPy's spelling of `to(dtype)`."""
    return cast(self, to_dtype(dtype, "astype"))


@register("type")
def type_(self, dtype=None, non_blocking: bool = False, **kwargs):
    """``t.type()`` is the legacy type name, PyTorch's own (``'torch.FloatTensor'``, so code
    comparing it runs unchanged); ``t.type(dtype)`` converts like ``t.to(dtype)``. ``dtype`` may
    also be a legacy name (``'torch.DoubleTensor'``, ``'lucidnet.DoubleTensor'``) or class
    (``lucidnet.DoubleTensor``)."""
    if dtype is None:
        return legacy_type_name(self.data.dtype)
    if isinstance(dtype, str):
        prefix, _, name = dtype.rpartition(".")
        if prefix not in ("torch", "lucidnet") or name not in _FROM_LEGACY:
            hint = " (lucidnet runs on the CPU only)" if ".cuda." in dtype else ""
            raise ValueError(f"invalid type: {dtype!r}{hint}; expected a dtype such as "
                             "lucidnet.float64 or a name such as 'torch.DoubleTensor'")
        return cast(self, _FROM_LEGACY[name])
    return cast(self, to_dtype(dtype, "type"))


@register("type_as")
def type_as(self, other) -> Tensor:
    """This tensor in ``other``'s dtype."""
    return cast(self, _require_tensor(other, "type_as").data.dtype)


def _is_dtype_like(x) -> bool:
    if x is None or isinstance(x, (str, Tensor, numbers.Number)):
        return False
    if getattr(x, "_legacy_dtype", None) is not None:
        return True
    return isinstance(x, np.dtype) or (isinstance(x, type) and (
        x in (float, int, bool, complex) or issubclass(x, np.generic)))


def parse_to(where: str, args: tuple, kwargs: dict):
    """The arguments of ``to(...)``, as PyTorch's three forms read them: ``to(dtype)``,
    ``to(device=None, dtype=None)``, ``to(tensor)`` (each then ``non_blocking``, ``copy``).
    Returns ``(device or None, dtype or None, copy)``; a device other than the CPU raises.

    Parameters
    ----------
    where : str
        The caller's name (``"to"``), which starts the error messages.
    args, kwargs : tuple, dict
        The positional and keyword arguments the caller received.

    Examples
    --------
    >>> from lucidnet.autograd.dtypes import parse_to
    >>> parse_to("to", ("cpu", ln.int32), {})
    ('cpu', dtype('int32'), False)
    >>> parse_to("to", (ln.ones(1, dtype=ln.int64),), {"copy": True})      # a tensor's dtype
    (None, dtype('int64'), True)
    >>> parse_to("to", ("float64",), {})
    Traceback (most recent call last):
        ...
    RuntimeError: to('float64'): a string names a device, as in PyTorch; for the dtype pass ...
    """
    from .device import check_device

    kwargs = dict(kwargs)
    device = kwargs.pop("device", None)
    dtype = kwargs.pop("dtype", None)
    non_blocking = kwargs.pop("non_blocking", False)
    copy = kwargs.pop("copy", False)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"{where}() got unexpected keyword argument(s) "
                        f"{', '.join(map(repr, kwargs))}")
    args = list(args)
    if args and isinstance(args[0], Tensor):
        other = args.pop(0)
        if device is not None or dtype is not None:
            raise TypeError(f"{where}(tensor) takes the dtype and device of the tensor; "
                            "do not also pass device= or dtype=")
        dtype = other.data.dtype
    elif args and _is_dtype_like(args[0]):
        dtype = args.pop(0)
    elif args:
        device = args.pop(0)
        if args and _is_dtype_like(args[0]):
            dtype = args.pop(0)
    flags = [non_blocking, copy]
    for i, value in enumerate(args):
        if i >= 2 or not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{where}(): unexpected positional argument {value!r}; the forms are "
                            f"{where}(dtype), {where}(device, dtype), {where}(tensor), each "
                            "followed by non_blocking, copy")
        flags[i] = value
    if isinstance(device, str) and device in _NAMES:
        raise RuntimeError(f"{where}({device!r}): a string names a device, as in PyTorch; for "
                           f"the dtype pass lucidnet.{device}")
    if device is not None:
        check_device(device, where)
    return device, to_dtype(dtype, where), bool(flags[1])


@register("to")
def to(self, *args, **kwargs) -> Tensor:
    """This tensor with another dtype and/or device, as ``Tensor.to`` in PyTorch:
    ``t.to(lucidnet.float64)``, ``t.to("cpu")``, ``t.to(device, dtype)``, ``t.to(other)``,
    ``t.to(..., non_blocking=False, copy=False)``.

    Returns the tensor itself when nothing changes (a copy with ``copy=True``). The CPU is the
    only device: ``"cpu"`` changes nothing, ``"cuda"`` / ``"mps"`` raise RuntimeError with the
    device-agnostic spelling to use instead.
    """
    _, dtype, copy = parse_to("to", args, kwargs)
    return cast(self, self.data.dtype if dtype is None else dtype, copy)
