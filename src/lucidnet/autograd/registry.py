"""The one table of tensor methods and top-level functions (issue: PyTorch code runs as written).

Every op module declares its PyTorch-spelled surface here instead of in a hand-written wrapper
on `Tensor`::

    @register("cumsum", function=True)         # Tensor.cumsum and lucidnet.cumsum
    def cumsum(self, dim, *, dtype=None): ...

    register("float32", value=np.dtype(np.float32))   # a top-level name only (lucidnet.float32)

`install()` (run once by ``lucidnet.autograd``) attaches every method to `Tensor`;
``lucidnet/__init__.py`` exports every function and value. A method may be a plain function
(first argument the tensor) or a ``property``. A function registered with ``function=True`` is
exported as ``lucidnet.<name>(tensor, ...)``; its first argument may also be array-like.
"""

from __future__ import annotations

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
            _put(EXPORTS, name, getattr(fn, "fget", fn))
        return fn

    return decorate


def _put(table: dict, name: str, obj) -> None:
    if name in table and table[name] is not obj:
        raise RuntimeError(f"lucidnet registry: {name!r} is registered twice")
    table[name] = obj


def install(cls) -> None:
    """Attach every registered method to ``cls`` (the Tensor class)."""
    for name, fn in METHODS.items():
        setattr(cls, name, fn)
