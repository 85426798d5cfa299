"""Save and load models and checkpoints without pickle.

A lucidnet file is one ``.npz`` archive: every array under its own key, plus the JSON document
``__lucidnet__.json`` (stored as a text array) holding the architecture, metadata and the structure
of nested state (optimizer, schedule, history, RNG). The architecture is the module *tree*: each
module's class (qualified name), its constructor arguments and its children, so a model edited after
construction (``seq.append(...)``, ``model.fc = Linear(...)``) loads back as it was saved.

Writing goes to a temporary file first and is moved into place with ``os.replace`` (atomic: a crash
never leaves a half-written file). Loading never unpickles and never imports: only Module classes
already defined in the process can be rebuilt. Every size the file declares is checked against the
zip members and the architecture before anything is allocated, only referenced members are read, and
any malformed file raises `ModelFileError` (a ValueError) naming the file and what is wrong.

Beyond models, `save` / `load` take what PyTorch's ``torch.save`` / ``torch.load`` take in
tutorials: a ``state_dict()``, a checkpoint dict (epoch, model and optimizer state dicts, a loss),
a tensor, or any nesting of dicts, lists, tuples, str, int, float, bool, None, Tensors, NumPy
arrays / scalars and Modules. Such an object is stored in the same file family (one zip of ``.npy``
arrays plus the JSON tree under ``"object"``), written exactly at the name given (``.pth``, ``.pt``,
``.npz``: no extension is added) or into a binary file object (``io.BytesIO``)::

    torch.save(model.state_dict(), "model.pth")
    model.load_state_dict(torch.load("model.pth", weights_only=True))
    torch.save({"epoch": epoch, "model_state_dict": model.state_dict(),
                "optimizer_state_dict": optimizer.state_dict(), "loss": loss}, PATH)

What comes back: the same structure, with dict key types (str, int, float, bool, None) and order
(an OrderedDict stays one), dtypes, shapes and ``requires_grad`` kept; a `Parameter` stays a
Parameter, a Tensor a Tensor, a state-dict array a `DataArray`, a NumPy scalar a NumPy scalar of its
dtype; the same array saved twice comes back as one array (memory shared, as PyTorch keeps shared
storage). Deliberate differences: a namedtuple comes back as a plain tuple and any other dict
subclass as a dict; a tensor's ``.grad`` and graph are not saved; nan / inf in a general object are
kept (a checkpoint may hold a nan loss), while a Module, also one nested in a dict, follows the
``allow_nonfinite`` rule. A file written by PyTorch's ``torch.save`` is a pickle and is refused
(unpickling runs code); convert it in PyTorch with ``numpy.savez("model.npz", **{k: v.numpy() for
k, v in sd.items()})`` and read it with ``lucidnet.load("model.npz", weights_only=True)``: a plain
NumPy ``.npz`` of named arrays loads as an OrderedDict of Tensors.
"""

from __future__ import annotations

import json
import math
import os
import struct
import tokenize
import zipfile
import zlib
from collections import OrderedDict

import numpy as np

from ._atomic import atomic_path
from .autograd.data_array import DataArray
from .autograd.device import check_device
from .autograd.tensor import Tensor
from .nn.module import Module, Parameter, parameter_budget, qualified_name

__all__ = ["ModelFileError", "save", "load", "save_state", "load_state", "model_config",
           "build_model"]

FORMAT = "lucidnet-2"           # module tree; "lucidnet-1" (constructor call only) still loads
_READABLE = ("lucidnet-1", FORMAT)
_META_KEY = "__lucidnet__.json"
_MAX_RATIO = 1100               # deflate cannot inflate more than ~1032:1
_MAX_META_BYTES = 64 * 2**20
_SLACK_VALUES = 2**24           # what a layer may allocate beyond the weights the file holds
_NUMERIC = "biufc"


class ModelFileError(ValueError):
    """A lucidnet model or checkpoint file that is corrupt, truncated, malformed or does not fit.

    The message names the file and what is wrong. Missing files raise FileNotFoundError instead.

    Examples
    --------
    >>> import io
    >>> from lucidnet.io import ModelFileError, load
    >>> try:
    ...     load(io.BytesIO(b"not a model"))
    ... except ModelFileError as err:
    ...     print("refused:", type(err).__mro__[1].__name__)
    refused: ValueError
    """


# Everything a damaged archive or document can make zipfile / zlib / numpy / json raise.
_DAMAGE = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, struct.error, EOFError, OSError,
           ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError,
           NotImplementedError, RuntimeError, UnicodeDecodeError,  # RecursionError: RuntimeError
           SyntaxError, tokenize.TokenError)  # numpy parses .npy headers as Python literals


# ---------------------------------------------------------------- architecture as JSON
def _encode(value, children: dict):
    if isinstance(value, Module):
        name = children.get(id(value))
        return {"__child__": name} if name is not None else {"__module__": model_config(value)}
    if isinstance(value, np.ndarray):
        return {"__array__": value.tolist(), "dtype": str(value.dtype)}
    if isinstance(value, Tensor):  # CrossEntropyLoss(weight=torch.tensor(...)), as PyTorch's
        return {"__array__": value.data.tolist(), "dtype": str(value.dtype), "tensor": True}
    if isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic)):
        return {"__dtype__": str(np.dtype(value))}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v, children) for v in value]}
    if isinstance(value, list):
        return [_encode(v, children) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("only dicts with string keys can be saved in a model's configuration")
        return {"__dict__": {k: _encode(v, children) for k, v in value.items()}}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot save a constructor argument of type {type(value).__name__} as JSON")


def _numeric_dtype(name) -> np.dtype:
    dtype = np.dtype(name)
    if dtype.kind not in _NUMERIC:
        raise ModelFileError(f"dtype {name!r} is not numeric")
    return dtype


def _decode(value, children: dict):
    if isinstance(value, list):
        return [_decode(v, children) for v in value]
    if isinstance(value, dict):
        if "__child__" in value:
            if value["__child__"] not in children:
                raise ModelFileError(f"argument names a child {value['__child__']!r} that the "
                                     "module does not have")
            return children[value["__child__"]]
        if "__module__" in value:
            return build_model(value["__module__"])
        if "__array__" in value:
            array = np.array(value["__array__"], dtype=_numeric_dtype(value["dtype"]))
            return Tensor(array) if value.get("tensor") is True else array
        if "__dtype__" in value:
            return _numeric_dtype(value["__dtype__"])
        if "__tuple__" in value:
            return tuple(_decode(v, children) for v in value["__tuple__"])
        if "__dict__" in value:
            return {k: _decode(v, children) for k, v in value["__dict__"].items()}
        raise ModelFileError(f"unrecognised entry in a model configuration: {sorted(value)}")
    return value


def model_config(model: Module) -> dict:
    """The JSON-able module tree of ``model``: for each module its class (qualified name), its
    constructor arguments and its children, recursively; a module that appears twice is saved
    once (``{"shared": path}``), a parameter tied to an earlier one as ``"tied": {name: path}``.
    `build_model` rebuilds it.

    Examples
    --------
    >>> from lucidnet.io import model_config
    >>> config = model_config(ln.nn.Sequential(ln.nn.Linear(2, 3), ln.nn.ReLU()))
    >>> config["class"], config["children"]["0"]
    ('lucidnet.nn.module.Sequential', {'class': 'lucidnet.nn.linear.Linear', 'args': [2, 3], 'kwargs': {}, 'children': {}})
    """
    return _tree(model, "", {id(model): ""})


def _path(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _tree(model: Module, path: str, seen: dict) -> dict:
    cls_name = qualified_name(type(model))
    children = {}
    for name, m in model._modules.items():
        if m is None:
            continue
        if id(m) in seen:
            children[name] = {"shared": seen[id(m)]}
        else:
            seen[id(m)] = _path(path, name)
            children[name] = _tree(m, _path(path, name), seen)
    tied = {}
    for name, p in model._parameters.items():  # after the children: the order build_model uses
        if p is not None and id(p) in seen:
            tied[name] = seen[id(p)]
        elif p is not None:
            seen[id(p)] = _path(path, name)
    args, kwargs = model.__dict__.get("_init_config", ((), {}))
    if type(model)._children_are_config:
        args, kwargs = (), {}
    refs = {id(m): name for name, m in model._modules.items() if m is not None}
    try:
        config = {"class": cls_name, "args": [_encode(a, refs) for a in args],
                  "kwargs": {k: _encode(v, refs) for k, v in kwargs.items()},
                  "children": children}
    except TypeError as err:
        raise TypeError(f"cannot save the architecture of {cls_name}: {err}") from None
    if tied:
        config["tied"] = tied
    return config


def _find_class(name) -> type:
    if not isinstance(name, str):
        raise ModelFileError(f"layer class must be a string, got {type(name).__name__}")
    cls = Module._registry.get(name)
    if cls is None and "." not in name:  # lucidnet-1 files name classes by their bare name
        same = [c for c in Module._registry.values() if c.__name__ == name]
        ours = [c for c in same if c.__module__.startswith("lucidnet.")]
        cls = ours[0] if len(ours) == 1 else same[0] if len(same) == 1 else None
    if cls is None:
        raise ModelFileError(
            f"unknown layer class {name!r} in the model file: define or import the class before "
            "loading (loading never imports code; only lucidnet.nn.Module subclasses defined in "
            "this process can be rebuilt)")
    return cls


def _same_tree(a: Module, b: Module) -> bool:
    try:
        return a is b or (type(a) is type(b) and model_config(a) == model_config(b))
    except TypeError:
        return False


def _set_children(module: Module, children: dict, keep_constructed: bool) -> None:
    """Make ``module``'s children ``children`` (in order), whatever its constructor made.

    With ``keep_constructed``, a child the constructor built just as saved is kept (the saved
    weights are copied into it later), so references the module holds elsewhere (a plain list of
    layers) stay valid; only children edited after construction are replaced."""
    chosen = {}
    for name, child in children.items():
        current = module._modules.get(name)
        keep = keep_constructed and current is not None and _same_tree(current, child)
        chosen[name] = current if keep else child
    for name in list(module._modules):
        delattr(module, name)
    for name, child in chosen.items():
        setattr(module, name, child)


def _has_links(config) -> bool:
    """Whether a module tree (JSON) shares a module or ties a parameter anywhere."""
    stack = [config]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "shared" in node or "tied" in node:
                return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def build_model(config: dict) -> Module:
    """Rebuild a model from `model_config` output, using only Module classes defined in this
    process. Raises `ModelFileError` for a configuration that does not describe a module.

    The weights are freshly initialized: load a state dict to restore trained ones.

    Examples
    --------
    >>> from lucidnet.io import build_model, model_config
    >>> build_model(model_config(ln.nn.Sequential(ln.nn.Linear(2, 3), ln.nn.ReLU())))
    Sequential(
      (0): Linear(in_features=2, out_features=3, bias=True)
      (1): ReLU()
    )
    """
    # with shared modules or tied parameters anywhere, the file's objects are the truth
    return _build(config, "", {}, keep_constructed=not _has_links(config))


def _build(config: dict, path: str, built_at: dict, keep_constructed: bool) -> Module:
    """Build one node; ``built_at`` maps the paths of modules / parameters built so far to them
    (for shared modules and tied parameters)."""
    if not isinstance(config, dict):
        raise ModelFileError(f"a module entry must be a JSON object, got {type(config).__name__}")
    if "shared" in config:
        module = built_at.get(config["shared"]) if isinstance(config["shared"], str) else None
        if not isinstance(module, Module):
            raise ModelFileError(f"{path!r} shares a module {config['shared']!r} not built before")
        return module
    cls = _find_class(config.get("class"))
    args, kwargs = config.get("args", []), config.get("kwargs", {})
    children, tied = config.get("children", {}), config.get("tied", {})
    if not all(isinstance(v, t) for v, t in ((args, list), (kwargs, dict), (children, dict),
                                              (tied, dict))):
        raise ModelFileError(f"{cls.__name__}: 'args' must be a list, 'kwargs', 'children' and "
                             "'tied' objects")
    built = {}
    for name, child in children.items():
        built[str(name)] = _build(child, _path(path, str(name)), built_at, keep_constructed)
        built_at.setdefault(_path(path, str(name)), built[str(name)])
    args = [_decode(a, built) for a in args]
    kwargs = {str(k): _decode(v, built) for k, v in kwargs.items()}
    try:
        module = cls(*args, **kwargs)
    except MemoryError:
        raise ModelFileError(f"{cls.__name__} with the saved arguments would allocate more memory "
                             "than this machine has; the file cannot hold such a model") from None
    except Exception as err:  # the constructor is the class's own code: any complaint is the file's
        raise ModelFileError(f"{cls.__name__} cannot be built from the saved arguments: "
                             f"{type(err).__name__}: {err}") from err
    if "children" in config:
        _set_children(module, built, keep_constructed)
    for name, target in tied.items():
        param = built_at.get(target) if isinstance(target, str) else None
        own = module._parameters.get(name)
        if not isinstance(param, Parameter) or own is None or own.shape != param.shape:
            raise ModelFileError(f"parameter {_path(path, str(name))!r} is tied to {target!r}, "
                                 "which is not a parameter of the same shape built before it")
        setattr(module, name, param)
    for name, p in module._parameters.items():
        if p is not None:
            built_at.setdefault(_path(path, name), p)
    return module


def _depth(config) -> int:
    """Nesting depth of a module tree (JSON), without recursion."""
    deepest, stack = 0, [(config, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(node, dict) and isinstance(node.get("children"), dict):
            stack.extend((c, depth + 1) for c in node["children"].values())
    return deepest


# ---------------------------------------------------------------- nested state <-> npz + JSON
def _split(tree, arrays: dict, prefix: str):
    """Replace every array in a nested structure by a reference, collecting the arrays."""
    if isinstance(tree, np.ndarray):
        key = f"a{len(arrays)}:{prefix}"
        arrays[key] = tree
        return {"__ndarray__": key}
    if isinstance(tree, dict):
        return {"__dict__": [[_split(k, arrays, prefix), _split(v, arrays, f"{prefix}/{k}")]
                             for k, v in tree.items()]}
    if isinstance(tree, (list, tuple)):
        items = [_split(v, arrays, f"{prefix}/{i}") for i, v in enumerate(tree)]
        return {"__tuple__": items} if isinstance(tree, tuple) else items
    if isinstance(tree, np.generic):
        return tree.item()
    if tree is None or isinstance(tree, (bool, int, float, str)):
        return tree
    raise TypeError(f"cannot save an object of type {type(tree).__name__} (at {prefix or 'top'}); "
                    "state must be made of arrays, numbers, strings, lists and dicts")


class _Ref:
    """An array of the archive not read yet: its key and the shape / dtype its header declares."""

    def __init__(self, key: str, shape: tuple, dtype: np.dtype):
        self.key, self.shape, self.dtype = key, shape, dtype


def _join(tree, fetch):
    """Rebuild the nested structure; ``fetch(key)`` gives the array (or `_Ref`) of a reference."""
    if isinstance(tree, list):
        return [_join(v, fetch) for v in tree]
    if isinstance(tree, dict):
        if "__ndarray__" in tree:
            return fetch(tree["__ndarray__"])
        if "__tuple__" in tree:
            return tuple(_join(v, fetch) for v in tree["__tuple__"])
        if "__dict__" in tree:
            return {_join(k, fetch): _join(v, fetch) for k, v in tree["__dict__"]}
        raise ModelFileError(f"unrecognised entry in the state: {sorted(tree)[:5]}")
    return tree


def _realize(tree, archive):
    """Read every `_Ref` left in a structure made by `_join`."""
    if isinstance(tree, _Ref):
        return archive.read(tree.key)
    if isinstance(tree, (list, tuple)):
        return type(tree)(_realize(v, archive) for v in tree)
    if isinstance(tree, dict):
        return {k: _realize(v, archive) for k, v in tree.items()}
    return tree


class _Archive:
    """A lucidnet .npz opened for checked reading: every member's declared shape is compared with
    the zip entry's size (and the compression ratio) before its data is read, and members are
    read only when asked for."""

    def __init__(self, source, name: str):
        self.path = name
        self._zip = zipfile.ZipFile(source)
        self._members = {i.filename[:-4]: i for i in self._zip.infolist()
                         if i.filename.endswith(".npy")}
        self._cache: dict = {}

    def close(self) -> None:
        self._zip.close()

    def _info(self, key):
        if not isinstance(key, str) or key not in self._members:
            raise ModelFileError(f"the document refers to an array {key!r} that is not in the file")
        return self._members[key]

    def header(self, key: str) -> _Ref:
        info = self._info(key)
        with self._zip.open(info) as f:
            version = np.lib.format.read_magic(f)
            read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                    else np.lib.format.read_array_header_2_0)
            shape, _, dtype = read(f)
            offset = f.tell()
        if dtype.hasobject or dtype.kind not in _NUMERIC + "U":
            raise ModelFileError(f"array {key!r} has dtype {dtype}; only numeric arrays are read "
                                 "(never pickled objects)")
        nbytes = math.prod(shape) * dtype.itemsize
        if offset + nbytes != info.file_size:
            raise ModelFileError(f"array {key!r} declares shape {shape} ({nbytes} bytes) but its "
                                 f"entry holds {info.file_size - offset} bytes")
        if info.file_size > _MAX_RATIO * max(info.compress_size, 1):
            raise ModelFileError(f"array {key!r} claims {info.file_size} bytes compressed into "
                                 f"{info.compress_size}: more than deflate can produce")
        return _Ref(key, shape, dtype)

    def read(self, key: str) -> np.ndarray:
        if key not in self._cache:
            self.header(key)
            with self._zip.open(self._info(key)) as f:
                array = np.lib.format.read_array(f, allow_pickle=False)
                f.read()  # to the end of the entry: zipfile checks the CRC there
            self._cache[key] = array
        return self._cache[key]

    def is_pytorch(self) -> bool:
        """Whether this zip is PyTorch's ``torch.save`` format (a pickle plus storages)."""
        return any(n == "data.pkl" or n.endswith("/data.pkl") for n in self._zip.namelist())

    def is_plain_npz(self) -> bool:
        """Whether this zip is a NumPy ``.npz`` of named arrays only (``numpy.savez``)."""
        return _META_KEY not in self._members and all(
            n.endswith(".npy") for n in self._zip.namelist())

    def document(self) -> dict:
        if _META_KEY not in self._members:
            if self.is_pytorch():
                raise ModelFileError(_pytorch_refusal(self.path, "a zip holding a pickle"))
            hint = (" -- it is a plain NumPy .npz of named arrays: lucidnet.load(path, "
                    "weights_only=True) reads it as an OrderedDict of tensors (a state dict)"
                    if self.is_plain_npz() else "")
            raise ModelFileError(f"{self.path} is an .npz file but not a lucidnet file "
                                 f"(no {_META_KEY} entry){hint}")
        ref = self.header(_META_KEY)
        if ref.dtype.kind != "U" or ref.shape != () or \
                self._members[_META_KEY].file_size > _MAX_META_BYTES:
            raise ModelFileError(f"the {_META_KEY} entry is not a JSON text of at most "
                                 f"{_MAX_META_BYTES} bytes")
        doc = json.loads(str(self.read(_META_KEY)))
        if not isinstance(doc, dict) or doc.get("format") not in _READABLE or "state" not in doc:
            found = doc.get("format") if isinstance(doc, dict) else type(doc).__name__
            raise ModelFileError(f"unsupported format {found!r}, expected one of {_READABLE}")
        return doc


def _pytorch_refusal(name: str, what: str) -> str:
    return (f"{name} is a PyTorch file ({what}: torch.save pickles its objects) and lucidnet "
            "does not unpickle (unpickling can run any code). Convert it in PyTorch: "
            "sd = torch.load(path, weights_only=True); numpy.savez('model.npz', "
            "**{k: v.numpy() for k, v in sd.items()}); then in lucidnet: "
            "model.load_state_dict(lucidnet.load('model.npz', weights_only=True))")


def _looks_pickled(source) -> bool:
    """Whether a file starts as a pickle of protocol 2 or later (old-style ``torch.save``)."""
    try:
        if hasattr(source, "read"):
            start = source.tell()
            head = source.read(2)
            source.seek(start)
        else:
            with open(source, "rb") as f:
                head = f.read(2)
    except (OSError, ValueError, AttributeError):
        return False
    return len(head) == 2 and head[0] == 0x80 and 2 <= head[1] <= 5


def _source(f) -> tuple:
    """``(what zipfile opens, the name used in messages)`` of a path or a binary file object."""
    if hasattr(f, "read") and hasattr(f, "seek"):
        name = getattr(f, "name", None)
        return f, repr(name) if isinstance(name, str) else f"the file object {type(f).__name__}"
    if hasattr(f, "read"):
        raise TypeError(f"lucidnet.load needs a seekable binary file object (a zip is read from "
                        f"its end), got {type(f).__name__}; read it into io.BytesIO first")
    try:
        path = os.fspath(f)
    except TypeError:
        raise TypeError(f"expected a path (str or pathlib.Path) or a binary file object, got "
                        f"{type(f).__name__}") from None
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such lucidnet file: {path!r}")
    if os.path.isdir(path):
        raise IsADirectoryError(f"{path!r} is a directory, not a lucidnet file")
    return path, repr(path)


def _open_checked(path, what):
    """Open ``path`` (a path or a binary file object) as an `_Archive` and run
    ``what(archive)``; any damage -> ModelFileError."""
    source, name = _source(path)
    try:
        archive = _Archive(source, name)
    except _DAMAGE as err:
        if _looks_pickled(source):
            raise ModelFileError(_pytorch_refusal(name, "a pickle")) from None
        raise ModelFileError(f"{name} is not a readable lucidnet file (corrupt, truncated or "
                             f"not an .npz written by lucidnet.save): {err}") from None
    try:
        return what(archive)
    except ModelFileError as err:
        text = str(err)
        raise ModelFileError(text if name in text else f"{name}: {text}") from err.__cause__
    except _DAMAGE as err:
        raise ModelFileError(f"{name} is corrupt or malformed: {type(err).__name__}: "
                             f"{err}") from None
    finally:
        archive.close()


def _write(f, document: dict, arrays: dict):
    """Write ``arrays`` + the JSON ``document`` as one .npz: atomically at a path (exactly that
    name), or into a binary file object. Returns the path (None for a file object)."""
    arrays = dict(arrays)
    arrays[_META_KEY] = np.array(json.dumps(document, allow_nan=True))
    if hasattr(f, "write"):
        _write_npz(f, arrays)
        return None
    try:
        path = os.fspath(f)
    except TypeError:
        raise TypeError(f"lucidnet.save writes to a path (str or pathlib.Path) or a binary file "
                        f"object (io.BytesIO), got {type(f).__name__}") from None
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with atomic_path(path) as tmp, open(tmp, "wb") as out:
        _write_npz(out, arrays)
        out.flush()
        os.fsync(out.fileno())
    return path


def _write_npz(out, arrays: dict) -> None:
    """What ``numpy.savez`` writes (one uncompressed ``.npy`` member per array), with a fixed
    member date so the same content always gives the same bytes, and never a pickle."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        for key, array in arrays.items():
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            with archive.open(info, "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asanyarray(array), allow_pickle=False)


def save_state(path, state: dict) -> str:
    """Write a nested dict of arrays / numbers / strings / lists atomically to ``path`` (.npz)
    (or into a binary file object). Returns the path written.

    Examples
    --------
    >>> from lucidnet.io import load_state, save_state
    >>> save_state("state.npz", {"epoch": 3, "w": np.arange(3.0), "opt": {"lr": 0.1}})
    'state.npz'
    >>> load_state("state.npz")
    {'epoch': 3, 'w': array([0., 1., 2.]), 'opt': {'lr': 0.1}}
    """
    arrays: dict = {}
    skeleton = _split(state, arrays, "")
    return _write(path, {"format": FORMAT, "state": skeleton}, arrays)


def load_state(path) -> dict:
    """Read a file written by `save_state` (never unpickles; reads only the referenced arrays).

    Raises FileNotFoundError for a missing file and `ModelFileError` for a damaged one.
    See :func:`save_state` for an example.

    Examples
    --------
    >>> from lucidnet.io import load_state, save_state
    >>> _ = save_state("s.npz", {"step": 7, "names": ["a", "b"], "m": {"w": np.ones((2, 2))}})
    >>> state = load_state("s.npz")
    >>> state["step"], state["names"], state["m"]["w"].shape
    (7, ['a', 'b'], (2, 2))
    >>> load_state("nothing.npz")
    Traceback (most recent call last):
    ...
    FileNotFoundError: ...
    """
    def read(archive):
        state = _join(archive.document()["state"], archive.read)
        if not isinstance(state, dict):
            raise ModelFileError(f"the saved state is a {type(state).__name__}, not a dict")
        return state

    return _open_checked(path, read)


# ---------------------------------------------------------------- models
def _build_in_dtype(config: dict, dtype: str) -> Module:
    """Build with the saved dtype as default, so float64 weights are not rounded to float32.

    A float16 model (``model.to(torch.float16)``-style, ``Module.to(np.float16)``) is built in
    float32 and cast, as it was saved: float16 is no default dtype, but a model may hold it."""
    from .autograd.tensor import get_default_dtype, set_default_dtype

    if dtype not in ("float16", "float32", "float64"):
        raise ModelFileError(f"dtype {dtype!r} is not float16, float32 or float64")
    previous = get_default_dtype()
    set_default_dtype("float32" if dtype == "float16" else dtype)
    try:
        model = build_model(config)
    finally:
        set_default_dtype(previous)
    return model.to(np.float16) if dtype == "float16" else model


def _check_finite(state: dict, what: str) -> None:
    for key, value in state.items():
        value = np.asarray(value)
        if value.dtype.kind in "fc" and not np.isfinite(value).all():
            bad = int(value.size - np.isfinite(value).sum())
            raise ValueError(f"refusing to save {what}: '{key}' holds {bad} non-finite value(s) "
                             "(nan/inf), the model is broken (diverged training?); pass "
                             "allow_nonfinite=True to save it anyway")


def _module_state(model: Module, allow_nonfinite: bool, where: str) -> tuple:
    """``(state_dict, dtype)`` of a module being saved, refusing nan/inf unless allowed."""
    state_dict = dict(model.state_dict())
    if not allow_nonfinite:
        _check_finite(state_dict, where)
    return state_dict, next((str(p.dtype) for p in model.parameters()), "float32")


def save(obj, f, metadata: dict | None = None, *, allow_nonfinite: bool = False) -> str | None:
    """Save a model, a state dict, a checkpoint dict or a tensor to ``f``, as ``torch.save``.

    Parameters
    ----------
    obj : Module, or any nesting of dict (str / int / float / bool / None keys; an OrderedDict
        keeps being one), list, tuple, str, int, float, bool, None, Tensor (`Parameter` kept),
        NumPy array or scalar and Module.
        A Module alone is stored as its module tree + weights (+ ``metadata``); anything else as
        its JSON tree with the arrays beside it. Never pickled.
    f : str, pathlib.Path or binary file object
        Written exactly at that name (any extension: ``.pth``, ``.pt``, ``.npz``), atomically
        (a temporary file moved into place), or into the file object (``io.BytesIO``).
        A name ending in ``.safetensors`` is written in that format (`lucidnet.safetensors`):
        a Module (weights + architecture) or a dict of named tensors (``metadata`` then str
        to str) only.
    metadata : dict, optional
        JSON-able metadata stored with a Module (read back with ``load(f, with_metadata=True)``).
    allow_nonfinite : bool
        A Module (also one nested in ``obj``) holding nan/inf is refused with a ValueError naming
        the tensor unless True. nan/inf elsewhere (a nan loss in a checkpoint) are saved as they are.

    Returns
    -------
    str or None
        The path written (None for a file object).

    Raises
    ------
    TypeError
        For an object of another type, naming its type and where it sits (``obj['extra'][0]``).

    Examples
    --------
    >>> model = ln.nn.Sequential(ln.nn.Linear(2, 3), ln.nn.ReLU(), ln.nn.Linear(3, 1))
    >>> ln.save(model, "model.npz")                    # architecture + weights
    'model.npz'
    >>> ln.save(model.state_dict(), "model.pth")      # weights only, as in PyTorch tutorials
    'model.pth'
    """
    if _safetensors_name(f):
        from .safetensors import _save_any
        return _save_any(obj, f, metadata, allow_nonfinite)
    if isinstance(obj, Module):
        state_dict, dtype = _module_state(obj, allow_nonfinite,
                                          f"{type(obj).__name__} to {_target_name(f)}")
        arrays: dict = {}
        skeleton = _split({"kind": "model", "config": model_config(obj), "dtype": dtype,
                           "state_dict": state_dict, "metadata": metadata or {}}, arrays, "")
        return _write(f, {"format": FORMAT, "state": skeleton}, arrays)
    if metadata is not None:
        raise TypeError("save(..., metadata=...) is for a Module; to save metadata with "
                        f"a {type(obj).__name__}, put it inside (a dict: {{'model': ..., "
                        "'metadata': ...}})")
    packer = _Packer(allow_nonfinite)
    tree = packer.pack(obj, "obj")
    # "state" says what the file holds to `load_state` readers (checkpoint loaders)
    state = _split({"kind": "object"}, {}, "")
    return _write(f, {"format": FORMAT, "state": state, "object": tree}, packer.arrays)


def _safetensors_name(f) -> bool:
    """Whether ``f`` is a path ending in ``.safetensors`` (saved / loaded in that format)."""
    return isinstance(f, (str, os.PathLike)) and os.fsdecode(f).lower().endswith(".safetensors")


def _is_safetensors(f) -> bool:
    """A ``.safetensors`` name (unless the file is a zip: a renamed .npz), or a file (object)
    whose first bytes are a safetensors header."""
    if _safetensors_name(f):
        try:
            with open(f, "rb") as opened:
                return opened.read(4) != b"PK\x03\x04"
        except OSError:
            return True  # a missing file: the safetensors reader says so
    from .safetensors import is_safetensors
    try:
        if hasattr(f, "read") and hasattr(f, "seek"):
            start = f.tell()
            head = f.read(9)
            f.seek(start)
        elif isinstance(f, (str, os.PathLike)) and os.path.isfile(f):
            with open(f, "rb") as opened:
                head = opened.read(9)
        else:
            return False
    except (OSError, ValueError, TypeError):
        return False
    return isinstance(head, bytes) and is_safetensors(head)


def _target_name(f) -> str:
    try:
        return repr(os.fspath(f))
    except TypeError:
        return f"a {type(f).__name__}"


_SAVABLE = ("lucidnet.save stores dicts, lists, tuples, str, int, float, bool, None, Tensors, "
            "NumPy arrays and scalars and Modules (never a pickle)")
_KEY_TYPES = (str, int, float, bool, type(None))
_ARRAY_KINDS = _NUMERIC + "U"


class _Packer:
    """Turns a nested object into a JSON tree, collecting its arrays under short keys; an array
    met twice is stored once."""

    def __init__(self, allow_nonfinite: bool):
        self.allow_nonfinite = allow_nonfinite
        self.arrays: dict = {}
        self._keys: dict = {}      # id(array) -> key
        self._alive: list = []     # keeps those arrays alive, so ids are not reused
        self._open: set = set()    # ids of the containers being packed (cycles)

    def array(self, array: np.ndarray, where: str) -> str:
        if array.dtype.hasobject or array.dtype.kind not in _ARRAY_KINDS:
            raise TypeError(f"cannot save the array at {where}: dtype {array.dtype} (only numeric, "
                            "bool and str arrays are saved, never pickled objects)")
        key = self._keys.get(id(array))
        if key is None:
            key = self._keys[id(array)] = f"o{len(self.arrays)}"
            self.arrays[key] = np.asarray(array)
            self._alive.append(array)
        return key

    def pack(self, obj, where: str):
        kind = type(obj)
        if obj is None or kind in (bool, int, float, str):
            return obj  # JSON keeps each type (a float's repr round-trips; NaN / Infinity too)
        if isinstance(obj, Tensor):
            node = {"__tensor__": self.array(obj.data, where),
                    "requires_grad": bool(obj.requires_grad)}
            if isinstance(obj, Parameter):
                node["parameter"] = True
            return node
        if isinstance(obj, np.ndarray):
            node = {"__ndarray__": self.array(obj, where)}
            if isinstance(obj, DataArray):
                node["data_array"] = True
            return node
        if isinstance(obj, np.generic):
            return {"__scalar__": self.array(np.asarray(obj), where)}
        if isinstance(obj, Module):
            return self.module(obj, where)
        if not isinstance(obj, (dict, list, tuple)):
            raise TypeError(f"cannot save an object of type {kind.__qualname__} at {where}: "
                            f"{_SAVABLE}; convert it (to a dict of those, an array, ...) first")
        if id(obj) in self._open:
            raise ValueError(f"cannot save {where}: the {kind.__name__} contains itself")
        self._open.add(id(obj))
        try:
            if isinstance(obj, dict):
                items = []
                for k, v in obj.items():
                    if type(k) not in _KEY_TYPES:
                        raise TypeError(f"cannot save the dict at {where}: key {k!r} is a "
                                        f"{type(k).__qualname__}; keys must be str, int, float, "
                                        "bool or None")
                    items.append([k, self.pack(v, f"{where}[{k!r}]")])
                node = {"__dict__": items}
                if isinstance(obj, OrderedDict):
                    node["ordered"] = True
                return node
            items = [self.pack(v, f"{where}[{i}]") for i, v in enumerate(obj)]
            return {"__tuple__": items} if isinstance(obj, tuple) else items
        finally:
            self._open.discard(id(obj))

    def module(self, model: Module, where: str) -> dict:
        try:
            config = model_config(model)
        except TypeError as err:
            raise TypeError(f"cannot save the module at {where}: {err}") from None
        state_dict, dtype = _module_state(model, self.allow_nonfinite,
                                          f"{type(model).__name__} at {where}")
        weights = [[k, self.array(np.asarray(v), f"{where}.{k}")] for k, v in state_dict.items()]
        self._alive.append(state_dict)
        return {"__model__": config, "dtype": dtype, "weights": weights}


def _unpack(node, archive):
    """Rebuild an object packed by `_Packer`, reading (checked) arrays from ``archive``."""
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, list):
        return [_unpack(v, archive) for v in node]
    if not isinstance(node, dict):
        raise ModelFileError(f"unrecognised entry in the object: {type(node).__name__}")
    if "__dict__" in node:
        pairs = [(_key(k), _unpack(v, archive)) for k, v in node["__dict__"]]
        return OrderedDict(pairs) if node.get("ordered") else dict(pairs)
    if "__tuple__" in node:
        return tuple(_unpack(v, archive) for v in _as_list(node["__tuple__"]))
    if "__tensor__" in node:
        data = _numeric(archive, node["__tensor__"])
        requires_grad = node.get("requires_grad", False)
        if not isinstance(requires_grad, bool):
            raise ModelFileError(f"'requires_grad' must be true or false, got {requires_grad!r}")
        if node.get("parameter"):
            return Parameter(data, requires_grad=requires_grad)
        return Tensor(data, requires_grad=requires_grad)
    if "__ndarray__" in node:
        array = archive.read(node["__ndarray__"])
        return array.view(DataArray) if node.get("data_array") else array
    if "__scalar__" in node:
        array = _numeric(archive, node["__scalar__"])
        if array.shape != ():
            raise ModelFileError(f"a NumPy scalar entry holds an array of shape {array.shape}")
        return array[()]
    if "__model__" in node:
        weights = {_key(k): archive.header(key) for k, key in _as_list(node["weights"])}
        return _model_from(archive, {"config": node["__model__"], "dtype": node.get("dtype", "float32"),
                                     "state_dict": weights})
    raise ModelFileError(f"unrecognised entry in the object: {sorted(node)[:5]}")


def _key(key):
    if type(key) not in _KEY_TYPES:
        raise ModelFileError(f"a dict key must be a JSON string, number, bool or null, got "
                             f"{type(key).__name__}")
    return key


def _as_list(value) -> list:
    if not isinstance(value, list):
        raise ModelFileError(f"expected a JSON list, got {type(value).__name__}")
    return value


def _numeric(archive, key) -> np.ndarray:
    array = archive.read(key)
    if array.dtype.kind not in _NUMERIC:
        raise ModelFileError(f"array {key!r} has dtype {array.dtype}; a tensor holds numbers")
    return array


def _model_from(archive, state: dict) -> Module:
    """Build the architecture and load the weights, checking every size before reading data."""
    config, weights = state.get("config"), state.get("state_dict")
    if not isinstance(config, dict) or not isinstance(weights, dict) or \
            not all(isinstance(v, _Ref) for v in weights.values()):
        raise ModelFileError(f"holds no model (needs 'config' and 'state_dict'; keys: "
                             f"{sorted(map(str, state))})")
    held = sum(math.prod(ref.shape) for ref in weights.values())
    # a constructor builds its own children before the saved ones replace them: one copy per level
    with parameter_budget(held * (_depth(config) + 1) + _SLACK_VALUES):
        model = _build_in_dtype(config, state.get("dtype", "float32"))
    model.check_state_shapes({k: ref.shape for k, ref in weights.items()})
    model.load_state_dict({k: archive.read(ref.key) for k, ref in weights.items()})
    return model


def _check_map_location(map_location) -> None:
    """Accept what ``torch.load`` takes for the CPU; another device raises (lucidnet is CPU only)."""
    what = "lucidnet.load(map_location=...)"
    if isinstance(map_location, dict):
        # only the entry for 'cpu' applies (every saved tensor is on the CPU); the DDP
        # tutorial's {'cuda:0': f'cuda:{rank}'} names devices no lucidnet file holds, as a
        # CPU checkpoint never uses them in PyTorch either
        for source, target in map_location.items():
            if str(source).split(":")[0] == "cpu":
                check_device(target, what)
    elif map_location is not None and not callable(map_location):
        check_device(map_location, what)
    # a function (``lambda storage, loc: storage``) is not called: every tensor is on the CPU


def _plain_npz(archive) -> OrderedDict:
    """A NumPy .npz of named arrays (``numpy.savez``) as an OrderedDict of tensors, in file order."""
    state = OrderedDict()
    for name in archive._members:
        state[name] = Tensor(_numeric(archive, name))
    return state


def load(f, map_location=None, pickle_module=None, *, weights_only: bool | None = None,
         mmap: bool | None = None, with_metadata: bool = False, **pickle_load_args):
    """Read what `save` wrote, as ``torch.load``: a model, a state dict, a checkpoint, a tensor.

    Parameters
    ----------
    f : str, pathlib.Path or binary file object
        A file written by `save` (any extension), or with ``weights_only=True`` also a plain
        NumPy ``.npz`` of named arrays (``numpy.savez``), read as an OrderedDict of Tensors.
        A safetensors file (``.safetensors``, or recognised by its first bytes) gives the model
        `save` stored in it, or else (PyTorch / Hugging Face files) an OrderedDict of Tensors
        for ``load_state_dict``, with its ``__metadata__`` as the metadata.
    map_location : None, 'cpu', lucidnet.device('cpu'), a dict of devices or a function
        Accepted as PyTorch's; everything loads on the CPU. Another device raises RuntimeError.
    weights_only : bool, optional
        Loading never unpickles and never runs code from the file, whatever the value; True also
        reads a plain NumPy ``.npz`` (without it such a file is refused as not a lucidnet file).
    mmap : bool, optional
        Accepted; the arrays are read into memory (the result is the same).
    with_metadata : bool
        For a model file, return ``(model, metadata)``; for another object ``(obj, {})``.

    Raises
    ------
    FileNotFoundError
        For a missing file.
    ModelFileError
        (a ValueError naming the file) for a corrupt, malformed or inconsistent file, a PyTorch
        (pickle) file, or one naming a Module class not defined in this process.

    Examples
    --------
    >>> model = ln.nn.Sequential(ln.nn.Linear(2, 3), ln.nn.ReLU(), ln.nn.Linear(3, 1))
    >>> _ = ln.save(model, "model.npz")
    >>> restored = ln.load("model.npz")                # no class to build by hand
    >>> x = ln.tensor(np.ones((1, 2), dtype=np.float32))
    >>> np.array_equal(restored(x).numpy(), model(x).numpy())
    True
    >>> _ = ln.save(model.state_dict(), "model.pth")
    >>> list(ln.load("model.pth", weights_only=True))
    ['0.weight', '0.bias', '2.weight', '2.bias']
    """
    if pickle_module is not None or pickle_load_args:
        given = ["pickle_module"] * (pickle_module is not None) + sorted(pickle_load_args)
        raise TypeError(f"lucidnet.load never unpickles, so {', '.join(given)} does not apply: "
                        "remove it")
    for name, flag in (("weights_only", weights_only), ("mmap", mmap)):
        if flag is not None and not isinstance(flag, bool):
            raise TypeError(f"lucidnet.load({name}=...) expects True, False or None, got {flag!r}")
    _check_map_location(map_location)
    if _is_safetensors(f):  # a state dict (PyTorch, Hugging Face) or a lucidnet model
        from .safetensors import _load_any
        obj, metadata = _load_any(*_source(f))
        return (obj, metadata) if with_metadata else obj

    def read(archive):
        if weights_only and archive.is_plain_npz() and not archive.is_pytorch():
            return _plain_npz(archive), {}
        doc = archive.document()
        if "object" in doc:
            return _unpack(doc["object"], archive), {}
        state = _join(doc["state"], archive.header)
        if not isinstance(state, dict):
            raise ModelFileError("holds no model")
        model = _model_from(archive, state)
        metadata = _realize(state.get("metadata", {}), archive)
        if not isinstance(metadata, dict):
            raise ModelFileError(f"metadata is a {type(metadata).__name__}, not a dict")
        return model, metadata

    obj, metadata = _open_checked(f, read)
    return (obj, metadata) if with_metadata else obj
