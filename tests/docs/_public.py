"""The public names of lucidnet: every module whose dotted path has no part starting with ``_``,
and every name in its ``__all__`` that is a class, a function or a module."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import lucidnet

#: modules that need an optional third-party package to import (skipped when it is missing)
OPTIONAL = ("onnx", "playground", "distributed", "safetensors")


def public_modules() -> list[str]:
    names = ["lucidnet"]
    for info in pkgutil.walk_packages(lucidnet.__path__, "lucidnet."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]):
            continue
        names.append(info.name)
    return sorted(names)


def import_or_none(name: str):
    """The module, or None when an optional third-party package it needs is not installed."""
    try:
        return importlib.import_module(name)
    except ImportError as e:
        missing = getattr(e, "name", None) or ""
        if missing.split(".")[0] in ("lucidnet", ""):
            raise
        return None


def undocumented(module) -> list[str]:
    """Public names of ``module`` (and public methods/properties of its public classes) without a
    docstring. A method that overrides a documented base method inherits its docstring (as
    ``inspect.getdoc`` and the API reference do); a class needs its own."""
    missing = []
    for name in getattr(module, "__all__", []):
        obj = getattr(module, name, None)
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        if getattr(obj, "__module__", module.__name__) != module.__name__:
            continue                 # re-exported: checked where it is defined
        if inspect.isclass(obj):
            if not obj.__dict__.get("__doc__"):
                missing.append(name)
            for attr, value in vars(obj).items():
                if attr.startswith("_"):
                    continue
                if isinstance(value, property):
                    doc = inspect.getdoc(value.fget) if value.fget else None
                elif inspect.isfunction(value) or isinstance(value, (staticmethod, classmethod)):
                    doc = inspect.getdoc(getattr(obj, attr))
                else:
                    continue
                if not doc:
                    missing.append(f"{name}.{attr}")
        elif not inspect.getdoc(obj):
            missing.append(name)
    return missing


def without_example(module) -> list[str]:
    """Public classes and functions defined in ``module`` whose own docstring has no example
    (a ``>>>`` line: numpydoc's Examples section, run by tests/docs/test_doctests.py)."""
    missing = []
    for name in getattr(module, "__all__", []):
        obj = getattr(module, name, None)
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        if getattr(obj, "__module__", module.__name__) != module.__name__:
            continue
        doc = obj.__dict__.get("__doc__") if inspect.isclass(obj) else inspect.getdoc(obj)
        if not doc or ">>>" not in doc:
            missing.append(name)
    return missing
