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
"""

from __future__ import annotations

import json
import math
import os
import struct
import tokenize
import zipfile
import zlib

import numpy as np

from ._atomic import atomic_path
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
            return np.array(value["__array__"], dtype=_numeric_dtype(value["dtype"]))
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
    `build_model` rebuilds it."""
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
    process. Raises `ModelFileError` for a configuration that does not describe a module."""
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

    def __init__(self, path: str):
        self.path = path
        self._zip = zipfile.ZipFile(path)
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

    def document(self) -> dict:
        if _META_KEY not in self._members:
            raise ModelFileError(f"{self.path!r} is an .npz file but not a lucidnet file "
                                 f"(no {_META_KEY} entry)")
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


def _open_checked(path, what):
    """Open ``path`` as an `_Archive` and run ``what(archive)``; any damage -> ModelFileError."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such lucidnet file: {path!r}")
    if os.path.isdir(path):
        raise IsADirectoryError(f"{path!r} is a directory, not a lucidnet file")
    try:
        archive = _Archive(path)
    except _DAMAGE as err:
        raise ModelFileError(f"{path!r} is not a readable lucidnet file (corrupt, truncated or "
                             f"not an .npz written by lucidnet.save): {err}") from None
    try:
        return what(archive)
    except ModelFileError as err:
        text = str(err)
        raise ModelFileError(text if path in text else f"{path!r}: {text}") from err.__cause__
    except _DAMAGE as err:
        raise ModelFileError(f"{path!r} is corrupt or malformed: {type(err).__name__}: "
                             f"{err}") from None
    finally:
        archive.close()


def save_state(path, state: dict) -> str:
    """Write a nested dict of arrays / numbers / strings / lists atomically to ``path`` (.npz)."""
    path = os.fspath(path)
    arrays: dict = {}
    skeleton = _split(state, arrays, "")
    arrays[_META_KEY] = np.array(json.dumps({"format": FORMAT, "state": skeleton}, allow_nan=True))
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        np.savez(f, **arrays)
        f.flush()
        os.fsync(f.fileno())
    return path


def load_state(path) -> dict:
    """Read a file written by `save_state` (never unpickles; reads only the referenced arrays).

    Raises FileNotFoundError for a missing file and `ModelFileError` for a damaged one.
    """
    def read(archive):
        state = _join(archive.document()["state"], archive.read)
        if not isinstance(state, dict):
            raise ModelFileError(f"the saved state is a {type(state).__name__}, not a dict")
        return state

    return _open_checked(path, read)


# ---------------------------------------------------------------- models
def _build_in_dtype(config: dict, dtype: str) -> Module:
    """Build with the saved dtype as default, so float64 weights are not rounded to float32."""
    from .autograd.tensor import get_default_dtype, set_default_dtype

    if dtype not in ("float32", "float64"):
        raise ModelFileError(f"dtype {dtype!r} is not float32 or float64")
    previous = get_default_dtype()
    set_default_dtype(dtype)
    try:
        return build_model(config)
    finally:
        set_default_dtype(previous)


def _check_finite(state: dict, what: str) -> None:
    for key, value in state.items():
        value = np.asarray(value)
        if value.dtype.kind in "fc" and not np.isfinite(value).all():
            bad = int(value.size - np.isfinite(value).sum())
            raise ValueError(f"refusing to save {what}: '{key}' holds {bad} non-finite value(s) "
                             "(nan/inf), the model is broken (diverged training?); pass "
                             "allow_nonfinite=True to save it anyway")


def save(model: Module, path, metadata: dict | None = None, *,
         allow_nonfinite: bool = False) -> str:
    """Save the module tree + weights (+ JSON-able metadata) to one .npz file, atomically.

    Raises ValueError, naming the tensor, if a parameter or buffer holds nan/inf, unless
    ``allow_nonfinite=True``.
    """
    if not isinstance(model, Module):
        raise TypeError(f"save expects a lucidnet Module, got {type(model).__name__}")
    state_dict = dict(model.state_dict())
    if not allow_nonfinite:
        _check_finite(state_dict, f"{type(model).__name__} to {os.fspath(path)!r}")
    dtype = next((str(p.dtype) for p in model.parameters()), "float32")
    return save_state(path, {"kind": "model", "config": model_config(model), "dtype": dtype,
                             "state_dict": state_dict, "metadata": metadata or {}})


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


def load(path, with_metadata: bool = False):
    """Rebuild a model saved with `save` (or the model inside a checkpoint).

    Raises FileNotFoundError for a missing file and `ModelFileError` (a ValueError naming the file
    and the problem) for a corrupt, malformed or inconsistent one, or one naming a Module class
    not defined in this process.
    """
    def read(archive):
        state = _join(archive.document()["state"], archive.header)
        if not isinstance(state, dict):
            raise ModelFileError("holds no model")
        model = _model_from(archive, state)
        metadata = _realize(state.get("metadata", {}), archive)
        if not isinstance(metadata, dict):
            raise ModelFileError(f"metadata is a {type(metadata).__name__}, not a dict")
        return model, metadata

    model, metadata = _open_checked(path, read)
    return (model, metadata) if with_metadata else model
