"""The one table of tensor methods and top-level functions (issue: PyTorch code runs as written).

Every op module declares its PyTorch-spelled surface here instead of in a hand-written wrapper
on `Tensor`::

    @register("cumsum", function=True)         # Tensor.cumsum and lucidnet.cumsum
    def cumsum(self, dim, *, dtype=None): ...

    register("float32", value=np.dtype(np.float32))   # a top-level name only (lucidnet.float32)

`install()` (run once by ``lucidnet.autograd``) attaches every method to `Tensor`;
``lucidnet/__init__.py`` exports every function and value. A method may be a plain function
(first argument the tensor) or a ``property``. A function registered with ``function=True`` is
exported as ``lucidnet.<name>(tensor, ...)``; its first argument may also be array-like, and
it takes PyTorch's ``out=`` keyword (`_with_out`) unless it handles ``out`` itself.
"""

from __future__ import annotations

import functools
import inspect

METHODS: dict = {}  # name -> function or property, attached to Tensor
EXPORTS: dict = {}  # name -> object, exported as lucidnet.<name>

_MISSING = object()


def register(name: str, *, method: bool = True, function: bool = False, value=_MISSING):
    """Register under ``name``: as a Tensor method (``method=True``), a top-level function
    (``function=True``), or a plain top-level value (``value=...``). Used as a decorator when
    no value is given. Registering a name twice is an error (two ops must not fight over it)."""
    if value is not _MISSING:
        _put(EXPORTS, name, value)
        return value

    def decorate(fn):
        if method:
            _put(METHODS, name, fn)
        if function:
            _put(EXPORTS, name, _with_out(getattr(fn, "fget", fn)))
        return fn

    return decorate


def _put(table: dict, name: str, obj) -> None:
    if name in table and table[name] is not obj:
        raise RuntimeError(f"lucidnet registry: {name!r} is registered twice")
    table[name] = obj


def _with_out(fn):
    """``fn`` taking PyTorch's ``out=``: the result is written into the given tensor(s)."""
    try:
        if "out" in inspect.signature(fn).parameters:
            return fn
    except (TypeError, ValueError):  # a builtin without a signature
        return fn

    @functools.wraps(fn)
    def call(*args, out=None, **kwargs):
        result = fn(*args, **kwargs)
        return result if out is None else write_out(out, result, fn.__name__)

    return call


def write_out(out, result, name: str = "op"):
    """Store ``result`` in ``out`` as PyTorch's ``out=`` does: out is resized to the result's shape
    (its dtype kept: the result must cast to it by NumPy's same-kind rule) and returned; a tuple
    result goes into a tuple of out tensors. Autograd does not record it, so a result that needs
    a gradient is refused while grad mode is on, as in PyTorch."""
    import numpy as np

    from .tensor import Tensor, is_grad_enabled

    if isinstance(result, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(result):
            raise TypeError(f"{name}(): out= must be a tuple of {len(result)} tensors")
        written = [write_out(o, r, name) for o, r in zip(out, result)]
        return type(result)(*written) if hasattr(result, "_fields") else tuple(written)
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be a Tensor, not {type(out).__name__}")
    values = result.data if isinstance(result, Tensor) else np.asarray(result)
    if is_grad_enabled() and (out.requires_grad or getattr(result, "requires_grad", False)):
        raise RuntimeError(
            f"{name}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad; compute it without out= "
            "(y = torch.f(x)) or under torch.no_grad()")
    if not np.can_cast(values.dtype, out.dtype, casting="same_kind"):
        raise RuntimeError(f"{name}(): result type {values.dtype} can't be cast to the desired "
                           f"output type {out.dtype}")
    if out.data.shape != values.shape:
        out.data = np.empty(values.shape, dtype=out.dtype)
    np.copyto(out.data, values, casting="same_kind")
    out._bump_version()
    return out


def install(cls) -> None:
    """Attach every registered method to ``cls`` (the Tensor class)."""
    for name, fn in METHODS.items():
        setattr(cls, name, fn)
