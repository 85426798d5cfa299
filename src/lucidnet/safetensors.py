"""Read and write the safetensors format (Hugging Face), with NumPy alone.

A safetensors file is::

    8 bytes   N, the header length: an unsigned 64-bit little-endian integer (N <= 100 MB)
    N bytes   a UTF-8 JSON object: for each tensor name {"dtype": "F32", "shape": [2, 3],
              "data_offsets": [begin, end]} (byte offsets into the data part), and optionally
              "__metadata__": {str: str}; padded with spaces to a multiple of 8 bytes
    the rest  the tensors' raw bytes, little-endian, C order, one after another

The API mirrors ``safetensors.numpy`` (`save`, `save_file`, `load`, `load_file`) and
``safetensors.safe_open`` (`safe_open`: ``keys()``, ``get_tensor()``, ``metadata()``, reading
one tensor at a time). The package ``safetensors`` itself is never imported: the tests compare
with it. What this writer produces is byte for byte what ``safetensors.numpy.save`` writes for
the same tensors: tensors ordered by dtype alignment (largest first), then by name; the header
in compact JSON padded with spaces. One difference: ``__metadata__`` keys are written sorted
(the reference writes them in a hash order that changes from run to run), so with two or more
metadata keys the files are equal up to that order.

Reading validates what the reference validates, and a bit more, before any tensor data is read:
the header length is bounded and inside the file, the header is UTF-8 JSON (an object, no
duplicate key), every dtype is known, shapes are lists of non-negative integers, the data offsets
are contiguous from 0, never overlap and cover the data part exactly, and each tensor's byte
length is its shape's product times its item size. Every problem raises
`lucidnet.io.ModelFileError` (a ValueError) naming the file and what is wrong. Reading never
unpickles and never runs code from the file.

dtypes: F64 F32 F16 I64 I32 I16 I8 U64 U32 U16 U8 BOOL C64 load as the NumPy dtype of the same
name. BF16 (which NumPy lacks) loads as float32, exactly: a bfloat16 is the upper half of a
float32, so its bits are shifted into place (a BF16 file saved again is F32, twice the size).
The 8-, 6- and 4-bit float formats (F8_E4M3, F8_E5M2, F8_E8M0, F6_*, F4, ...) raise a clear
error. Saving: a non-contiguous or big-endian array is converted (the reference writes the
wrong bytes for a non-contiguous one); a lucidnet Tensor saves its data. The same array under
two names is written twice, as the reference does (`save_model` stores tied weights once).

Models: `save_model` stores a lucidnet Module as its state dict plus, in ``__metadata__``, its
architecture (the module tree of `lucidnet.io.model_config`) under ``"lucidnet"`` and the user's
JSON metadata under ``"lucidnet.metadata"``; ``lucidnet.load("m.safetensors")`` rebuilds it.
A file without those keys (written by PyTorch, Hugging Face tools, `save_file`) loads as a state
dict: ``model.load_state_dict(lucidnet.load("model.safetensors"))``, or `load_model`.
"""

from __future__ import annotations

import io
import json
import math
import os
import struct
from collections import OrderedDict

import numpy as np

from ._atomic import atomic_path
from .autograd.tensor import Tensor
from .io import (
    _DAMAGE,
    _READABLE,
    _SLACK_VALUES,
    ModelFileError,
    _build_in_dtype,
    _check_finite,
    _depth,
    model_config,
)
from .nn.module import Module, parameter_budget

__all__ = ["save", "save_file", "load", "load_file", "safe_open", "read_metadata",
           "save_model", "load_model", "is_safetensors", "MAX_HEADER_SIZE"]

MAX_HEADER_SIZE = 100_000_000       # the reference's limit (bytes)
_METADATA = "__metadata__"
_ARCHITECTURE_KEY = "lucidnet"       # the module tree (JSON) of a model saved by save_model
_USER_KEY = "lucidnet.metadata"      # the user's JSON metadata of such a model

# file dtype -> NumPy dtype (little-endian); BF16 is read as uint16 and widened to float32
_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "BF16": "<u2", "C64": "<c8",
           "I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "i1",
           "U64": "<u8", "U32": "<u4", "U16": "<u2", "U8": "u1", "BOOL": "?"}
_CODES = {np.dtype(v).str: k for k, v in _DTYPES.items() if k != "BF16"}
_UNSUPPORTED = ("F8_E4M3", "F8_E5M2", "F8_E8M0", "F8_E4M3FNUZ", "F8_E5M2FNUZ", "F6_E2M3",
                "F6_E3M2", "F4")
# the reference sorts tensors by its dtype enumeration, descending ("alignment"), then by name
_RANK = {code: i for i, code in enumerate(
    ["BOOL", "F4", "F6_E2M3", "F6_E3M2", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0",
     "F8_E4M3FNUZ", "F8_E5M2FNUZ", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "C64",
     "F64", "I64", "U64"])}


# ---------------------------------------------------------------- writing
def _as_array(name, value) -> np.ndarray:
    """The C-contiguous little-endian array to write for one entry."""
    if isinstance(value, Tensor):
        value = value.data
    if not isinstance(value, (np.ndarray, np.generic)):
        raise TypeError(f"tensor {name!r} is a {type(value).__name__}; safetensors stores NumPy "
                        "arrays and lucidnet Tensors (convert it with numpy.asarray(value, "
                        "dtype=...) first)")
    array = np.asarray(value)
    little = array.dtype.newbyteorder("<") if array.dtype.byteorder in "=>" else array.dtype
    if little.str not in _CODES:
        raise TypeError(f"tensor {name!r} has dtype {array.dtype}, which safetensors cannot "
                        f"store; supported: {', '.join(sorted(set(_CODES.values())))} "
                        "(float16/32/64, int8-64, uint8-64, bool, complex64)")
    return np.asarray(array, dtype=little, order="C")  # ascontiguousarray makes 0-d 1-d


def _check_metadata(metadata) -> dict | None:
    if metadata is None:
        return None
    if not isinstance(metadata, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        raise TypeError("safetensors metadata must be a dict of str to str (None for none), got "
                        f"{_describe(metadata)}; store other values as JSON text "
                        "(json.dumps)")
    return {k: metadata[k] for k in sorted(metadata)}


def _describe(metadata) -> str:
    if not isinstance(metadata, dict):
        return f"a {type(metadata).__name__}"
    bad = next((k, v) for k, v in metadata.items()
               if not (isinstance(k, str) and isinstance(v, str)))
    return f"the entry {bad[0]!r}: {type(bad[1]).__name__}"


def _prepare(tensors, metadata) -> tuple:
    """``(header bytes incl. the length prefix, [arrays in file order])``."""
    if not hasattr(tensors, "items"):
        raise TypeError(f"safetensors stores a dict of name -> tensor, got "
                        f"{type(tensors).__name__}")
    entries = []
    for name, value in tensors.items():
        if not isinstance(name, str):
            raise TypeError(f"tensor names must be str, got {name!r} ({type(name).__name__})")
        if name == _METADATA:
            raise ValueError(f"{_METADATA!r} is reserved for the metadata; rename the tensor")
        array = _as_array(name, value)
        entries.append((_CODES[array.dtype.str], name, array))
    entries.sort(key=lambda e: (-_RANK[e[0]], e[1]))
    header, offset = {}, 0
    metadata = _check_metadata(metadata)
    if metadata is not None:
        header[_METADATA] = metadata
    for code, name, array in entries:
        header[name] = {"dtype": code, "shape": list(array.shape),
                        "data_offsets": [offset, offset + array.nbytes]}
        offset += array.nbytes
    try:
        text = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError as err:
        raise ValueError(f"a tensor name or metadata text is not valid Unicode: {err}") from None
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned
    return struct.pack("<Q", len(text)) + text, [a for _, _, a in entries]


def save(tensors: dict, metadata: dict | None = None) -> bytes:
    """The safetensors bytes of ``tensors`` (``safetensors.numpy.save``).

    Parameters
    ----------
    tensors : dict of str to numpy.ndarray or Tensor
        Any shape (0-d and zero-size too), any layout or byte order (converted); dtypes float16,
        float32, float64, int8-int64, uint8-uint64, bool, complex64.
    metadata : dict of str to str, optional
        Free text stored in the header's ``__metadata__`` (keys written sorted).

    Raises
    ------
    TypeError
        For a value that is not an array / Tensor, an unsupported dtype, non-str names or
        metadata that is not str to str.

    Examples
    --------
    >>> from lucidnet import safetensors
    >>> data = safetensors.save({"w": np.arange(4, dtype=np.float32).reshape(2, 2)})
    >>> safetensors.is_safetensors(data[:9])
    True
    >>> safetensors.load(data)
    {'w': array([[0., 1.],
           [2., 3.]], dtype=float32)}
    """
    header, arrays = _prepare(tensors, metadata)
    return b"".join([header, *(a.tobytes() for a in arrays)])


def save_file(tensors: dict, filename, metadata: dict | None = None) -> None:
    """Write ``tensors`` to ``filename`` in safetensors format (``safetensors.numpy.save_file``),
    atomically: a temporary file next to it is moved into place, so a crash never leaves half a
    file. Arguments as in `save`.

    Examples
    --------
    >>> from lucidnet import safetensors
    >>> tensors = {"w": np.ones(3, dtype=np.float32), "b": np.zeros(2, dtype=np.int64)}
    >>> safetensors.save_file(tensors, "x.safetensors", metadata={"note": "demo"})
    >>> safetensors.load_file("x.safetensors")
    {'b': array([0, 0]), 'w': array([1., 1., 1.], dtype=float32)}
    >>> safetensors.read_metadata("x.safetensors")
    {'note': 'demo'}
    """
    header, arrays = _prepare(tensors, metadata)
    path = os.fspath(filename)
    with atomic_path(path) as tmp, open(tmp, "wb") as out:
        out.write(header)
        for array in arrays:
            out.write(memoryview(array.reshape(-1).view(np.uint8)))
        out.flush()
        os.fsync(out.fileno())


# ---------------------------------------------------------------- reading
class _Entry:
    """One tensor the header declares: its name, file dtype code, shape and byte range."""

    __slots__ = ("name", "code", "shape", "begin", "end")

    def __init__(self, name, code, shape, begin, end):
        self.name, self.code, self.shape, self.begin, self.end = name, code, shape, begin, end


def _no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        dup = next(k for k in keys if keys.count(k) > 1)
        raise ModelFileError(f"the header names {dup!r} twice")
    return dict(pairs)


def _refuse_constant(token):
    raise ModelFileError(f"the header holds {token}, which is not JSON")


def _count(value, what: str) -> int:
    if type(value) is not int or value < 0:
        raise ModelFileError(f"{what} must be a non-negative integer, got {value!r}")
    return value


def _parse_header(text: bytes, data_size: int) -> tuple:
    """``(entries in offset order, metadata or None)`` of a header, every rule checked."""
    try:
        string = text.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ModelFileError(f"the header is not valid UTF-8 ({err.reason} at byte "
                             f"{err.start + 8})") from None
    try:
        header = json.loads(string, object_pairs_hook=_no_duplicates,
                            parse_constant=_refuse_constant)
    except json.JSONDecodeError as err:
        raise ModelFileError(f"the header is not valid JSON: {err}") from None
    except RecursionError:
        raise ModelFileError("the header is nested too deeply") from None
    if not isinstance(header, dict):
        raise ModelFileError(f"the header must be a JSON object, got a {type(header).__name__}")
    metadata = header.pop(_METADATA, None)
    if metadata is not None and not (isinstance(metadata, dict) and all(
            isinstance(v, str) for v in metadata.values())):
        raise ModelFileError(f"{_METADATA} must be an object of strings, got {metadata!r:.200}")
    entries = [_entry(name, info) for name, info in header.items()]
    entries.sort(key=lambda e: (e.begin, e.end))
    position = 0
    for e in entries:
        if e.begin != position:
            what = "overlaps the tensor before it" if e.begin < position else \
                f"leaves a gap of {e.begin - position} bytes before it"
            raise ModelFileError(f"tensor {e.name!r} has data_offsets [{e.begin}, {e.end}] and "
                                 f"{what} (offsets must be contiguous from 0)")
        position = e.end
    if position != data_size:
        raise ModelFileError(
            f"the tensors cover {position} bytes of data but the file holds {data_size} after "
            "the header (" + ("truncated" if position > data_size else "extra bytes at the end")
            + ")")
    return entries, metadata


def _entry(name: str, info) -> _Entry:
    if not isinstance(info, dict) or not {"dtype", "shape", "data_offsets"} <= set(info):
        raise ModelFileError(f"tensor {name!r}: expected an object with 'dtype', 'shape' and "
                             f"'data_offsets', got {info!r:.200}")
    code = info["dtype"]
    if code in _UNSUPPORTED:
        raise ModelFileError(f"tensor {name!r} has dtype {code}, an 8/6/4-bit float format that "
                             "NumPy (and so lucidnet) cannot represent; convert it to F16/BF16/"
                             "F32 where it was written")
    if code not in _DTYPES:
        raise ModelFileError(f"tensor {name!r} has unknown dtype {code!r}; known: "
                             f"{', '.join(sorted(_DTYPES))}")
    shape, offsets = info["shape"], info["data_offsets"]
    if not isinstance(shape, list):
        raise ModelFileError(f"tensor {name!r}: 'shape' must be a list, got {shape!r:.100}")
    shape = tuple(_count(n, f"tensor {name!r}: every dimension") for n in shape)
    if not isinstance(offsets, list) or len(offsets) != 2:
        raise ModelFileError(f"tensor {name!r}: 'data_offsets' must be [begin, end], got "
                             f"{offsets!r:.100}")
    begin, end = (_count(n, f"tensor {name!r}: a data offset") for n in offsets)
    if end < begin:
        raise ModelFileError(f"tensor {name!r} has data_offsets [{begin}, {end}]: end before "
                             "begin")
    nbytes = math.prod(shape) * np.dtype(_DTYPES[code]).itemsize
    if nbytes != end - begin:
        raise ModelFileError(f"tensor {name!r} of dtype {code} and shape {list(shape)} needs "
                             f"{nbytes} bytes but its data_offsets span {end - begin}")
    return _Entry(name, code, shape, begin, end)


def _to_numpy(entry: _Entry, raw: np.ndarray) -> np.ndarray:
    """The loaded array (native byte order) from the raw little-endian bytes ``raw``."""
    dtype = np.dtype(_DTYPES[entry.code])
    array = raw.view(dtype).reshape(entry.shape)
    if entry.code == "BF16":  # bfloat16 = the high 16 bits of a float32: exact widening
        return (array.astype(np.uint32) << 16).view(np.float32)
    if not dtype.isnative:
        array = array.astype(dtype.newbyteorder("="))
    return array


def _read_header(f, size: int, name: str) -> tuple:
    """``(data start, entries, metadata)`` of the safetensors file ``f`` (at its start) of
    ``size`` bytes, every check made before any tensor data is read."""
    head = f.read(8)
    if len(head) < 8:
        raise ModelFileError(f"{name} is not a safetensors file: {size} bytes, shorter than the "
                             "8-byte header length")
    (n,) = struct.unpack("<Q", head)
    if n > MAX_HEADER_SIZE:
        raise ModelFileError(f"{name} declares a header of {n} bytes, more than the "
                             f"{MAX_HEADER_SIZE} allowed (corrupt, or not a safetensors file)")
    if 8 + n > size:
        raise ModelFileError(f"{name} declares a header of {n} bytes but holds only {size - 8} "
                             "after the length (truncated, or not a safetensors file)")
    text = f.read(n)
    if len(text) != n:
        raise ModelFileError(f"{name}: the header could not be read in full (truncated)")
    try:
        entries, metadata = _parse_header(text, size - 8 - n)
    except ModelFileError as err:
        raise ModelFileError(f"{name}: {err}") from None
    return 8 + n, entries, metadata


class safe_open:  # noqa: N801 -- the reference's name
    """Open a safetensors file and read its tensors one at a time (``safetensors.safe_open``).

    The header is read and fully checked on opening; `get_tensor` then reads only that tensor's
    bytes.

    Parameters
    ----------
    filename : str or pathlib.Path
    framework : {"numpy", "np"}
        What tensors come back as (NumPy arrays); accepted for the reference's signature.
    device : {"cpu"}

    Examples
    --------
    >>> from lucidnet.safetensors import safe_open, save_file
    >>> save_file({"0.weight": np.ones((2, 2), dtype=np.float32)}, "model.safetensors")
    >>> with safe_open("model.safetensors") as f:
    ...     names = f.keys()
    ...     weight = f.get_tensor("0.weight")
    >>> names, weight.shape
    (['0.weight'], (2, 2))
    """

    def __init__(self, filename, framework: str = "numpy", device: str = "cpu"):
        if framework not in ("numpy", "np"):
            raise ValueError(f"lucidnet.safetensors.safe_open gives NumPy arrays "
                             f"(framework='numpy'), got framework={framework!r}; lucidnet never "
                             "imports torch or other frameworks")
        if str(device) != "cpu":
            raise ValueError(f"lucidnet runs on the CPU; got device={device!r}")
        path = os.fspath(filename)
        self._name = repr(path)
        self._file = open(path, "rb")
        try:
            size = os.fstat(self._file.fileno()).st_size
            self._start, entries, self._metadata = _read_header(self._file, size, self._name)
        except BaseException:
            self._file.close()
            raise
        self._entries = {e.name: e for e in entries}
        self._order = [e.name for e in entries]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        """Close the file (also done on leaving a ``with`` block); tensors already read stay
        valid."""
        self._file.close()

    def keys(self) -> list:
        """The tensor names, sorted (as the reference's ``keys()``)."""
        return sorted(self._entries)

    def offset_keys(self) -> list:
        """The tensor names in the order of their data in the file."""
        return list(self._order)

    def metadata(self) -> dict | None:
        """The header's ``__metadata__`` (str to str), or None when it has none."""
        return None if self._metadata is None else dict(self._metadata)

    def get_tensor(self, name: str) -> np.ndarray:
        """Read the tensor ``name`` (a new, writeable array; BF16 as float32)."""
        entry = self._entries.get(name)
        if entry is None:
            raise KeyError(f"{self._name} holds no tensor {name!r}; it holds "
                           f"{self.keys()[:20]}")
        if self._file.closed:
            raise ValueError(f"{self._name} is closed: read tensors inside the with block")
        raw = np.empty(entry.end - entry.begin, np.uint8)
        self._file.seek(self._start + entry.begin)
        if self._file.readinto(memoryview(raw)) != raw.size:
            raise ModelFileError(f"{self._name}: tensor {name!r} could not be read in full "
                                 "(the file was truncated while open?)")
        return _to_numpy(entry, raw)

    def get_tensors(self) -> dict:
        """Every tensor, in file order."""
        return {name: self.get_tensor(name) for name in self._order}


def load_file(filename) -> dict:
    """Every tensor of a safetensors file as NumPy arrays, in file order
    (``safetensors.numpy.load_file``). BF16 tensors come back as float32 (exact).

    Raises FileNotFoundError for a missing file, `ModelFileError` for a malformed one.
    See `save_file` for an example.

    Examples
    --------
    >>> from lucidnet import safetensors
    >>> safetensors.save_file({"w": np.eye(2, dtype=np.float32)}, "w.safetensors")
    >>> safetensors.load_file("w.safetensors")["w"].tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    >>> safetensors.load_file("missing.safetensors")
    Traceback (most recent call last):
    ...
    FileNotFoundError: ...
    """
    with safe_open(filename) as f:
        return f.get_tensors()


def load(data: bytes) -> dict:
    """Every tensor of safetensors bytes as NumPy arrays (copies), in file order
    (``safetensors.numpy.load``). See `save` for an example.

    Examples
    --------
    >>> from lucidnet import safetensors
    >>> data = safetensors.save({"b": np.int8(-1), "a": np.array([[1.5, 2.5]], dtype=np.float16)})
    >>> arrays = safetensors.load(data)
    >>> sorted(arrays), arrays["a"].dtype, arrays["b"].shape    # dtype and 0-d shape kept
    (['a', 'b'], dtype('float16'), ())
    >>> safetensors.load(b"not safetensors")
    Traceback (most recent call last):
    ...
    lucidnet.io.ModelFileError: ...
    """
    return _load_bytes(data, "the safetensors bytes")[0]


def _load_bytes(data, name: str) -> tuple:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"lucidnet.safetensors.load reads bytes, got {type(data).__name__} "
                        "(use load_file for a path)")
    buffer = np.frombuffer(data, np.uint8)
    n = struct.unpack("<Q", bytes(buffer[:8]))[0] if buffer.size >= 8 else 0
    head = bytes(buffer[:8 + min(n, MAX_HEADER_SIZE)])  # copies the header only
    start, entries, metadata = _read_header(io.BytesIO(head), buffer.size, name)
    tensors = {e.name: _to_numpy(e, buffer[start + e.begin:start + e.end].copy())
               for e in entries}
    return tensors, metadata


def read_metadata(filename) -> dict | None:
    """The ``__metadata__`` of a safetensors file (str to str), or None; reads the header only.
    See `save_file` for an example.

    Examples
    --------
    >>> from lucidnet import safetensors
    >>> safetensors.save_file({"w": np.zeros(2)}, "plain.safetensors")
    >>> safetensors.read_metadata("plain.safetensors") is None      # no __metadata__ written
    True
    >>> safetensors.save_file({"w": np.zeros(2)}, "tagged.safetensors", metadata={"epoch": "3"})
    >>> safetensors.read_metadata("tagged.safetensors")
    {'epoch': '3'}
    """
    with safe_open(filename) as f:
        return f.metadata()


def is_safetensors(head: bytes) -> bool:
    """Whether the first bytes of a file (at least 9) look like safetensors: a header length
    below 4 GiB (a zip or pickle has other bytes there) followed by ``{``.

    Examples
    --------
    >>> from lucidnet.safetensors import is_safetensors, save
    >>> is_safetensors(save({"w": np.zeros(1)})[:9]), is_safetensors(b"PK\\x03\\x04 zip file")
    (True, False)
    """
    return len(head) >= 9 and head[4:8] == b"\0\0\0\0" and head[8:9] == b"{" and \
        struct.unpack("<Q", head[:8])[0] <= MAX_HEADER_SIZE


# ---------------------------------------------------------------- lucidnet models
def save_model(model: Module, filename, metadata: dict | None = None, *,
               allow_nonfinite: bool = False) -> str:
    """Save a lucidnet Module as safetensors: its state dict, plus its architecture and
    ``metadata`` in the header, so ``lucidnet.load(filename)`` rebuilds it.

    Parameters
    ----------
    model : Module
    filename : str or pathlib.Path
        Written atomically.
    metadata : dict, optional
        JSON-able, stored as JSON text under ``"lucidnet.metadata"``;
        ``lucidnet.load(filename, with_metadata=True)`` gives it back. NumPy arrays and
        scalars in it are stored as lists and numbers (they come back as such; a ``.npz``
        keeps them arrays).
    allow_nonfinite : bool
        A model holding nan/inf is refused (ValueError naming the tensor) unless True.

    Notes
    -----
    Tied weights (one Parameter reachable under two names, or a module registered twice) are
    stored once, under the first name, and the other names are recorded in the architecture
    (as ``safetensors.torch.save_model`` drops the duplicates); the model rebuilt by
    ``lucidnet.load`` is tied again. Other readers see the state dict without the duplicates.

    Examples
    --------
    >>> from lucidnet.safetensors import load_model, save_model
    >>> model = ln.nn.Linear(2, 1)
    >>> save_model(model, "linear.safetensors")
    'linear.safetensors'
    >>> ln.load("linear.safetensors")                       # the architecture travels too
    Linear(in_features=2, out_features=1, bias=True)
    >>> other = ln.nn.Linear(2, 1)
    >>> load_model(other, "linear.safetensors")
    <All keys matched successfully>
    >>> np.array_equal(other.weight.numpy(), model.weight.numpy())
    True
    """
    if not isinstance(model, Module):
        raise TypeError(f"save_model saves a lucidnet Module, got {type(model).__name__}")
    tensors, aliases, seen = {}, {}, {}
    for key, value in model.state_dict(keep_vars=True).items():
        if id(value) in seen:
            aliases[key] = seen[id(value)]
            continue
        seen[id(value)] = key
        tensors[key] = np.array(getattr(value, "data", value), copy=True)
    if not allow_nonfinite:
        _check_finite(tensors, f"{type(model).__name__} to {os.fspath(filename)!r}")
    dtype = next((str(p.dtype) for p in model.parameters()), "float32")
    document = {"format": "lucidnet-2", "kind": "model", "config": model_config(model),
                "dtype": dtype}
    if aliases:
        document["aliases"] = aliases
    try:
        user = json.dumps(metadata or {}, allow_nan=True, default=_plain)
    except (TypeError, ValueError) as err:
        raise TypeError(f"metadata must be JSON-able (dicts, lists, str, numbers, bool, None): "
                        f"{err}") from None
    save_file(tensors, filename, {_ARCHITECTURE_KEY: json.dumps(document), _USER_KEY: user})
    return os.fspath(filename)


def _plain(value):
    """JSON for the NumPy values metadata may hold (they come back as lists / numbers)."""
    if isinstance(value, Tensor):
        value = value.data
    if isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind in "biuf":
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON-able")


def load_model(model: Module, filename, strict: bool = True):
    """Load a safetensors state dict (from PyTorch, Hugging Face tools or lucidnet) into
    ``model`` (``safetensors.torch.load_model``); values are cast to the model's dtypes
    (float16 / bfloat16 weights into a float32 model).

    A name the file lacks because it is tied to one the file holds (the same Parameter in
    ``model``; ``safetensors.torch.save_model`` and `save_model` store tied weights once) is
    filled from that one and not reported missing (so are the names a `save_model` file
    records as stored under another). Returns ``(missing_keys, unexpected_keys)``
    as ``model.load_state_dict``.

    Examples
    --------
    A file written without the architecture (``save_file``, as PyTorch tools write them) loads
    into a model built by hand; the names must match:

    >>> from lucidnet import safetensors
    >>> model = ln.nn.Linear(2, 1)
    >>> safetensors.save_file({"weight": np.array([[1.0, 2.0]]), "bias": np.array([0.5])},
    ...                       "plain.safetensors")
    >>> safetensors.load_model(model, "plain.safetensors")
    <All keys matched successfully>
    >>> model(ln.tensor([[1.0, 1.0]])).tolist()                 # 1*1 + 2*1 + 0.5
    [[3.5]]
    >>> model.weight.dtype                                      # float64 cast to the model's dtype
    dtype('float32')
    """
    with safe_open(filename) as f:
        state, metadata = f.get_tensors(), f.metadata() or {}
    if _ARCHITECTURE_KEY in metadata:  # the names save_model stored once
        aliases = _document(metadata, repr(os.fspath(filename))).get("aliases", {})
        state.update({k: state[v] for k, v in aliases.items() if v in state})
    first = {}
    for key, value in model.state_dict(keep_vars=True).items():
        kept = first.setdefault(id(value), key)
        if key not in state and kept in state:
            state[key] = state[kept]
        elif kept not in state and key in state:
            state[kept] = state[key]
    return model.load_state_dict(state, strict=strict)


def _document(metadata: dict, name: str) -> dict:
    """The architecture document a `save_model` file holds, checked."""
    try:
        document = json.loads(metadata[_ARCHITECTURE_KEY])
    except (ValueError, RecursionError):
        raise ModelFileError(f"{name}: the {_ARCHITECTURE_KEY!r} metadata is not JSON") from None
    if not isinstance(document, dict) or document.get("format") not in _READABLE or \
            not isinstance(document.get("config"), dict):
        raise ModelFileError(f"{name}: the {_ARCHITECTURE_KEY!r} metadata is not a lucidnet "
                             f"model document (format {_READABLE[-1]!r} with a 'config')")
    aliases = document.get("aliases", {})
    if not isinstance(aliases, dict) or not all(isinstance(v, str) for v in aliases.values()):
        raise ModelFileError(f"{name}: 'aliases' must map names to names")
    return document


def _load_any(f, name: str) -> tuple:
    """``(object, metadata)`` for ``lucidnet.load`` of a safetensors path or file object: a
    model rebuilt (``save_model`` files), else an OrderedDict of Tensors and the header's
    metadata (str to str, {} when none)."""
    if hasattr(f, "read"):
        data = f.read()
        tensors, metadata = _load_bytes(data, name)
    else:
        with safe_open(f) as opened:
            tensors, metadata = opened.get_tensors(), opened.metadata()
    metadata = metadata or {}
    if _ARCHITECTURE_KEY not in metadata:
        return OrderedDict((k, Tensor(v)) for k, v in tensors.items()), metadata
    return _rebuild(tensors, metadata, name)


def _rebuild(tensors: dict, metadata: dict, name: str) -> tuple:
    document = _document(metadata, name)
    try:
        user = json.loads(metadata.get(_USER_KEY, "{}"))
    except (ValueError, RecursionError):
        raise ModelFileError(f"{name}: the {_USER_KEY!r} metadata is not JSON") from None
    if not isinstance(user, dict):
        raise ModelFileError(f"{name}: the {_USER_KEY!r} metadata is a {type(user).__name__}, "
                             "not a JSON object")
    state = dict(tensors)
    for alias, key in document.get("aliases", {}).items():
        if key not in tensors:
            raise ModelFileError(f"{name}: {alias!r} is stored as {key!r}, which the file lacks")
        state[alias] = tensors[key]
    held = sum(a.size for a in tensors.values())
    try:
        with parameter_budget(held * (_depth(document["config"]) + 1) + _SLACK_VALUES):
            model = _build_in_dtype(document["config"], document.get("dtype", "float32"))
        model.check_state_shapes({k: v.shape for k, v in state.items()})
        model.load_state_dict(state)
    except ModelFileError as err:
        raise ModelFileError(str(err) if name in str(err) else f"{name}: {err}") from None
    except _DAMAGE as err:
        raise ModelFileError(f"{name} does not fit the model it describes: "
                             f"{type(err).__name__}: {err}") from None
    return model, user


def _save_any(obj, filename, metadata, allow_nonfinite: bool) -> str:
    """``lucidnet.save(obj, "x.safetensors")``: a Module (`save_model`) or a dict of named
    tensors (`save_file`, nan/inf kept as for any state dict); anything else is refused."""
    if isinstance(obj, Module):
        return save_model(obj, filename, metadata, allow_nonfinite=allow_nonfinite)
    if hasattr(obj, "items"):
        bad = next(((k, v) for k, v in obj.items() if not isinstance(k, str) or
                    not isinstance(v, (Tensor, np.ndarray, np.generic))), None)
        if bad is None:
            save_file(obj, filename, metadata)
            return os.fspath(filename)
        what = f"the entry {bad[0]!r} is of type {type(bad[1]).__name__}"
    else:
        what = f"got an object of type {type(obj).__name__}"
    raise TypeError(f"a .safetensors file holds named tensors only (a Module, or a dict of str "
                    f"to Tensor / array such as a state_dict()); {what}. Save checkpoints "
                    "(optimizer state, epoch, loss, ...) with lucidnet.save to a .npz or .pth "
                    "name instead")
