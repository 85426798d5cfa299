"""Save and load models and checkpoints without pickle.

A lucidnet file is one ``.npz`` archive: every array under its own key, plus the JSON document
``__lucidnet__.json`` (stored as a text array) holding the architecture, metadata and the structure
of nested state (optimizer, schedule, history, RNG). Writing goes to a temporary file first and is
moved into place with ``os.replace`` (atomic: a crash never leaves a half-written file). Loading uses
``np.load(allow_pickle=False)`` and rebuilds layers only from lucidnet's registry of Module classes:
loading a file never executes code.
"""

from __future__ import annotations

import json
import os
import zipfile

import numpy as np

from .nn.module import Module

__all__ = ["save", "load", "save_state", "load_state", "model_config", "build_model"]

FORMAT = "lucidnet-1"
_META_KEY = "__lucidnet__.json"


# ---------------------------------------------------------------- architecture as JSON
def _encode(value):
    if isinstance(value, Module):
        return {"__module__": model_config(value)}
    if isinstance(value, np.ndarray):
        return {"__array__": value.tolist(), "dtype": str(value.dtype)}
    if isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic)):
        return {"__dtype__": str(np.dtype(value))}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("only dicts with string keys can be saved in a model's configuration")
        return {"__dict__": {k: _encode(v) for k, v in value.items()}}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot save a constructor argument of type {type(value).__name__} as JSON")


def _decode(value):
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if "__module__" in value:
            return build_model(value["__module__"])
        if "__array__" in value:
            return np.array(value["__array__"], dtype=value["dtype"])
        if "__dtype__" in value:
            return np.dtype(value["__dtype__"])
        if "__tuple__" in value:
            return tuple(_decode(v) for v in value["__tuple__"])
        if "__dict__" in value:
            return {k: _decode(v) for k, v in value["__dict__"].items()}
        raise ValueError(f"unrecognised entry in a model configuration: {sorted(value)}")
    return value


def model_config(model: Module) -> dict:
    """The JSON-able recipe that rebuilds ``model``: class name and constructor arguments."""
    cls_name, args, kwargs = model.__dict__.get("_init_config", (type(model).__name__, (), {}))
    try:
        return {"class": cls_name, "args": [_encode(a) for a in args],
                "kwargs": {k: _encode(v) for k, v in kwargs.items()}}
    except TypeError as err:
        raise TypeError(f"cannot save the architecture of {cls_name}: {err}") from None


def build_model(config: dict) -> Module:
    """Rebuild a model from `model_config` output, using only registered Module classes."""
    name = config.get("class")
    cls = Module._registry.get(name)
    if cls is None:
        raise ValueError(
            f"unknown layer class {name!r} in the model file; import the module that defines it "
            "before loading (only registered lucidnet.nn.Module subclasses can be rebuilt)"
        )
    args = [_decode(a) for a in config.get("args", [])]
    kwargs = {k: _decode(v) for k, v in config.get("kwargs", {}).items()}
    return cls(*args, **kwargs)


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


def _join(tree, arrays):
    if isinstance(tree, list):
        return [_join(v, arrays) for v in tree]
    if isinstance(tree, dict):
        if "__ndarray__" in tree:
            return arrays[tree["__ndarray__"]]
        if "__tuple__" in tree:
            return tuple(_join(v, arrays) for v in tree["__tuple__"])
        if "__dict__" in tree:
            return {_join(k, arrays): _join(v, arrays) for k, v in tree["__dict__"]}
    return tree


def save_state(path, state: dict) -> str:
    """Write a nested dict of arrays / numbers / strings / lists atomically to ``path`` (.npz)."""
    path = os.fspath(path)
    arrays: dict = {}
    skeleton = _split(state, arrays, "")
    arrays[_META_KEY] = np.array(json.dumps({"format": FORMAT, "state": skeleton}, allow_nan=True))
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def load_state(path) -> dict:
    """Read a file written by `save_state` (never unpickles)."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such lucidnet file: {path!r}")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {k: archive[k] for k in archive.files}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as err:
        raise ValueError(f"{path!r} is not a readable lucidnet file (corrupt or not .npz): {err}") from None
    meta = arrays.pop(_META_KEY, None)
    if meta is None:
        raise ValueError(f"{path!r} is an .npz file but not a lucidnet file (no {_META_KEY} entry)")
    try:
        doc = json.loads(str(meta))
    except json.JSONDecodeError as err:
        raise ValueError(f"{path!r}: corrupt metadata: {err}") from None
    if doc.get("format") != FORMAT:
        raise ValueError(f"{path!r}: unsupported format {doc.get('format')!r}, expected {FORMAT!r}")
    return _join(doc["state"], arrays)


# ---------------------------------------------------------------- models
def _build_in_dtype(config: dict, dtype: str) -> Module:
    """Build with the saved dtype as default, so float64 weights are not rounded to float32."""
    from .autograd.tensor import get_default_dtype, set_default_dtype

    previous = get_default_dtype()
    set_default_dtype(dtype)
    try:
        return build_model(config)
    finally:
        set_default_dtype(previous)


def save(model: Module, path, metadata: dict | None = None) -> str:
    """Save architecture + weights (+ JSON-able metadata) to one .npz file, atomically."""
    if not isinstance(model, Module):
        raise TypeError(f"save expects a lucidnet Module, got {type(model).__name__}")
    dtype = next((str(p.dtype) for p in model.parameters()), "float32")
    return save_state(path, {"kind": "model", "config": model_config(model), "dtype": dtype,
                             "state_dict": dict(model.state_dict()), "metadata": metadata or {}})


def load(path, with_metadata: bool = False):
    """Rebuild a model saved with `save` (or the model inside a checkpoint)."""
    state = load_state(path)
    if "config" not in state or "state_dict" not in state:
        raise ValueError(f"{os.fspath(path)!r} holds no model (keys: {sorted(state)})")
    model = _build_in_dtype(state["config"], state.get("dtype", "float32"))
    model.load_state_dict(state["state_dict"])
    return (model, state.get("metadata", {})) if with_metadata else model
