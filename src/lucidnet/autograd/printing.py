"""How tensors print: ``repr(t)``, ``str(t)``, ``print(t)`` and ``f"{t:.4f}"``, character for
character as PyTorch's ``torch/_tensor_str.py`` (issue 9: a tutorial's printed output matches).
The formatting rules below are PyTorch's (``torch/_tensor_str.py``, BSD-3-Clause, copyright the
PyTorch contributors), re-implemented here on NumPy arrays.

The rules, all PyTorch's (``set_printoptions`` changes the numbers in them):

- **precision** 4 digits. A floating tensor is looked at once, over its nonzero finite entries
  ``v``: **scientific** notation (``1.0000e-05``) when ``max|v| / min|v| > 1000`` or
  ``max|v| > 1e8`` or ``min|v| < 1e-4``, else fixed (``0.1235``); when every ``v`` is an
  integer, fixed mode prints ``1.`` (``nan`` and ``inf`` stay as they are). Every entry is
  right-aligned to the widest one.
- integer and bool tensors print the Python value of each entry (``True``, ``-3``).
- more than **threshold** (1000) entries: each dim shows its first and last **edgeitems** (3)
  slices around ``...``.
- a row wraps at **linewidth** (80) characters, the next line indented under the first entry;
  the slices of a 3-D+ tensor are separated by ``ndim - 2`` blank lines.
- suffixes, wrapped onto a new line when they would pass the line width: ``size=(0, 3)`` for an
  empty tensor that is not 1-D, ``dtype=torch.float64`` unless the dtype is the default one
  (float32, its complex twin, int64 or bool never print theirs, except an empty tensor, which
  prints any dtype but the default), then ``grad_fn=<AddBackward0>`` or ``requires_grad=True``.

**The dtype name.** lucidnet's dtypes are NumPy dtypes (``str(lucidnet.float64)`` is
``'float64'``), but the suffix prints PyTorch's spelling, ``dtype=torch.float64``, and a shape
prints as ``torch.Size([2, 3])``: printed output is what people compare with PyTorch's, and
``Tensor.type()`` already returns PyTorch's ``'torch.FloatTensor'``. A program that prints a
tensor therefore prints exactly what the PyTorch program prints.

``lucidnet.set_printoptions`` (autograd/device.py) sets `PRINT_OPTS`; NumPy's own print options
are left alone, as PyTorch leaves them. Only ``__repr__`` is registered: ``str(t)`` is Python's
``object.__str__``, which calls it, so a subclass's own ``__repr__`` (``Parameter containing:``)
serves ``print(p)`` too, as in PyTorch.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .registry import register
from .tensor import Tensor, get_default_dtype

__all__ = ["PRINT_OPTS", "PrintOptions", "tensor_str", "dtype_name"]


@dataclasses.dataclass
class PrintOptions:
    """The settings `lucidnet.set_printoptions` changes (PyTorch's defaults).

    One instance, `PRINT_OPTS`, is read by every ``repr(tensor)``; change it through
    ``lucidnet.set_printoptions`` (``profile="default"`` restores these values).

    Attributes
    ----------
    precision : int
        Digits after the point (4).
    threshold : float
        Entries above which a tensor prints summarized (1000).
    edgeitems : int
        Entries shown at each end of a summarized axis (3).
    linewidth : int
        Characters per line before a row wraps (80).
    sci_mode : bool or None
        Force scientific (True) or fixed (False) notation; None lets each tensor choose.

    Examples
    --------
    >>> from lucidnet.autograd.printing import PRINT_OPTS, PrintOptions
    >>> PrintOptions()
    PrintOptions(precision=4, threshold=1000, edgeitems=3, linewidth=80, sci_mode=None)
    >>> ln.set_printoptions(precision=2); PRINT_OPTS.precision
    2
    >>> ln.set_printoptions(profile="default"); PRINT_OPTS == PrintOptions()
    True
    """

    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = PrintOptions()


def dtype_name(dtype) -> str:
    """PyTorch's name of a dtype: ``'torch.float32'`` (NumPy's names are PyTorch's names for
    every dtype lucidnet holds).

    Parameters
    ----------
    dtype : dtype-like
        A lucidnet (NumPy) dtype or anything ``np.dtype`` reads.

    Examples
    --------
    >>> from lucidnet.autograd.printing import dtype_name
    >>> dtype_name(ln.float64), dtype_name(ln.int32)
    ('torch.float64', 'torch.int32')
    """
    return "torch." + np.dtype(dtype).name


# ------------------------------------------------------------------ one formatter per tensor
class _Formatter:
    """Chooses the notation and the width every entry of ``values`` (a NumPy array, the entries
    that will be shown) is printed with."""

    def __init__(self, values: np.ndarray):
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        if not self.floating:
            for v in flat.tolist():
                self.max_width = max(self.max_width, len(f"{v}"))
            return
        finite = flat[np.isfinite(flat) & (flat != 0)]
        if finite.size == 0:
            return
        magnitude = np.abs(finite).astype(np.float64)
        lo, hi = magnitude.min(), magnitude.max()
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = bool(hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4)
        else:
            self.sci_mode = bool(PRINT_OPTS.sci_mode)
        p = PRINT_OPTS.precision
        if self.sci_mode:
            widths = (len(f"{v:.{p}e}") for v in finite.tolist())
        elif self.int_mode:
            widths = (len(f"{v:.0f}") + 1 for v in finite.tolist())  # + 1 for the trailing "."
        else:
            widths = (len(f"{v:.{p}f}") for v in finite.tolist())
        self.max_width = max(self.max_width, *widths)

    def width(self) -> int:
        return self.max_width

    def format(self, value) -> str:
        """One entry (a Python number), right-aligned to the width."""
        if self.floating:
            if self.sci_mode:
                text = f"{value:{self.max_width}.{PRINT_OPTS.precision}e}"
            elif self.int_mode:
                text = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    text += "."
            else:
                text = f"{value:.{PRINT_OPTS.precision}f}"
        else:
            text = f"{value}"
        return (self.max_width - len(text)) * " " + text


def _complex_str(value, real: _Formatter, imag: _Formatter) -> str:
    """``1.0000+2.0000j``: the imaginary part keeps its sign (``-0.``, ``+0.``)."""
    imag_str = (imag.format(value.imag) + "j").lstrip()
    sign = "" if imag_str[0] in "+-" else "+"
    return real.format(value.real) + sign + imag_str


def _entry(value, real: _Formatter, imag: _Formatter | None) -> str:
    return real.format(value) if imag is None else _complex_str(value, real, imag)


# ------------------------------------------------------------------ the nested brackets
def _vector_str(a: np.ndarray, indent: int, summarize: bool, real, imag) -> str:
    """A 1-D array: as many entries per line as fit in the line width."""
    element_length = real.width() + 2 + (0 if imag is None else imag.width() + 1)
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))
    edge = PRINT_OPTS.edgeitems
    if summarize and not edge:
        data = ["..."]
    elif summarize and a.shape[0] > 2 * edge:
        data = ([_entry(v, real, imag) for v in a[:edge].tolist()] + [" ..."]
                + [_entry(v, real, imag) for v in a[-edge:].tolist()])
    else:
        data = [_entry(v, real, imag) for v in a.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(a: np.ndarray, indent: int, summarize: bool, real, imag) -> str:
    if a.ndim == 0:
        return _entry(a.item(), real, imag)
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, real, imag)
    edge = PRINT_OPTS.edgeitems
    if summarize and a.shape[0] > 2 * edge:
        rows = list(range(edge)) + [None] + list(range(len(a) - edge, len(a)))
    else:
        rows = range(a.shape[0])
    slices = ["..." if i is None else _nested_str(a[i], indent + 1, summarize, real, imag)
              for i in rows]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _summarized(a: np.ndarray) -> np.ndarray:
    """The entries a summarized print shows (the formatter is sized on these alone)."""
    edge = PRINT_OPTS.edgeitems
    if a.ndim == 0:
        return a
    if a.ndim == 1:
        return np.concatenate((a[:edge], a[-edge:])) if a.shape[0] > 2 * edge else a
    if not edge:
        return np.empty((0,) * a.ndim, dtype=a.dtype)
    if a.shape[0] > 2 * edge:
        rows = list(range(edge)) + list(range(len(a) - edge, len(a)))
    else:
        rows = range(a.shape[0])
    return np.stack([_summarized(a[i]) for i in rows])


def tensor_str(a: np.ndarray, indent: int) -> str:
    """The bracketed body of ``a`` (no ``tensor(`` prefix, no suffixes); lines after the first
    are indented by ``indent``.

    Each nested row starts under the first entry of the row above: at column ``indent`` plus
    one per enclosing bracket (``repr`` passes 7, the width of ``tensor(``).

    Parameters
    ----------
    a : numpy.ndarray
        The values, of any shape and dtype lucidnet holds.
    indent : int
        Spaces before the continuation lines.

    Returns
    -------
    str

    Examples
    --------
    >>> from lucidnet.autograd.printing import tensor_str
    >>> print(tensor_str(np.array([[1, 2], [3, 4]]), 0))
    [[1, 2],
     [3, 4]]
    >>> tensor_str(np.array([1e-5, 1.0]), 0), tensor_str(np.array([], dtype=float), 0)
    ('[1.0000e-05, 1.0000e+00]', '[]')
    """
    if a.size == 0:
        return "[]"
    summarize = a.size > PRINT_OPTS.threshold
    shown = _summarized(a) if summarize else a
    if a.dtype.kind == "c":
        return _nested_str(a, indent, summarize, _Formatter(shown.real), _Formatter(shown.imag))
    return _nested_str(a, indent, summarize, _Formatter(shown), None)


def _add_suffixes(text: str, suffixes: list, indent: int) -> str:
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def _parameter_class():
    try:  # nn sits above autograd: looked up when a tensor prints, not at import
        from ..nn.module import Parameter
    except ImportError:  # pragma: no cover - lucidnet.nn always exists
        return None
    return Parameter


# ------------------------------------------------------------------ the Tensor methods
@register("__repr__")
def __repr__(self) -> str:
    """``tensor([1.0000, 2.5000], requires_grad=True)``: PyTorch's printed form (see the module
    docstring for the rules). ``str(t)`` and ``print(t)`` print the same."""
    parameter = _parameter_class()
    plain = type(self) is Tensor or type(self) is parameter
    prefix = "tensor(" if plain else f"{type(self).__name__}("
    indent = len(prefix)
    a = self.data
    dtype = a.dtype
    default = get_default_dtype()
    suffixes = []
    if a.size == 0:
        if a.ndim != 1:
            suffixes.append(f"size={tuple(a.shape)}")
        if dtype != default:
            suffixes.append(f"dtype={dtype_name(dtype)}")
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(a.shape)}")
        complex_default = np.complex128 if default == np.float64 else np.complex64
        if dtype not in (default, complex_default, np.int64, np.bool_):
            suffixes.append(f"dtype={dtype_name(dtype)}")
        body = tensor_str(a, indent)
    if self._fn is not None:
        suffixes.append(f"grad_fn=<{self.grad_fn.name().rsplit('::', 1)[-1]}>")   # NotImplemented
    elif self.requires_grad:
        suffixes.append("requires_grad=True")
    text = _add_suffixes(prefix + body, suffixes, indent)
    if parameter is not None and isinstance(self, parameter) and not plain:
        text = f"Parameter({text})"
    return text


@register("__format__")
def __format__(self, format_spec: str) -> str:
    """``f"{loss:.4f}"``: a 0-d tensor formats its Python number (``t.item()``), as PyTorch.
    Any other tensor (a one-entry 1-D one too, and a Parameter) takes only the empty spec
    (``f"{t}"`` is ``str(t)``); a spec raises TypeError, as PyTorch."""
    if self.data.ndim == 0 and type(self) is Tensor:
        return self.data.item().__format__(format_spec)
    if format_spec:
        raise TypeError(
            f"unsupported format string passed to {type(self).__name__}.__format__: only a 0-d "
            f"tensor formats as a number, this one has shape {list(self.data.shape)}; format "
            f"t.item() for a one-entry tensor (f'{{t.item():{format_spec}}}') or t.tolist() "
            "entry by entry")
    return str(self)
