"""Which ONNX converter writes which module class, and ``register`` for your own.

A converter is ``fn(g, module, *inputs) -> output`` where ``g`` is the
:class:`~lucidnet.onnx.graph.GraphBuilder`, ``inputs`` are the names of the module's input
values in the graph and the result is the name of its output (or a tuple of names). It runs
once, while the exporter also runs the lucidnet module on the example input, so
``g.shape(x)`` gives each input's example shape.

Lookup is by the exact class: a subclass may compute something else in its ``forward``, so it
needs a converter of its own (register it, or get a clear error naming it).
"""

from __future__ import annotations

__all__ = ["register", "converter_for", "supported"]

_CONVERTERS: dict[type, object] = {}


def register(module_class: type):
    """Decorator: ``register(MyModule)(fn)`` makes ``fn(g, module, x) -> name`` the ONNX
    converter of ``MyModule`` (replacing any earlier one, built-in or not).

    Examples
    --------
    >>> from lucidnet import nn
    >>> from lucidnet.onnx import register
    >>> class Scale(nn.Module):
    ...     def __init__(self, k):
    ...         super().__init__()
    ...         self.k = k
    ...     def forward(self, x):
    ...         return x * self.k
    >>> @register(Scale)
    ... def _scale(g, module, x):
    ...     return g.op("Mul", x, g.scalar(module.k))
    """
    if not isinstance(module_class, type):
        raise TypeError(f"register expects a module class (e.g. register(MyLayer)), got "
                        f"{module_class!r}")

    def decorate(fn):
        if not callable(fn):
            raise TypeError(f"register({module_class.__name__}) expects a converter function "
                            f"fn(g, module, *inputs) -> output name, got {fn!r}")
        _CONVERTERS[module_class] = fn
        return fn

    return decorate


def converter_for(module):
    """The converter of ``type(module)``, or None.

    Examples
    --------
    >>> from lucidnet.onnx.registry import converter_for
    >>> converter_for(ln.nn.ReLU()) is not None, converter_for(object())
    (True, None)
    """
    return _CONVERTERS.get(type(module))


def supported() -> list[str]:
    """The names of the module classes the exporter knows (built-in and registered), sorted.

    Examples
    --------
    >>> from lucidnet.onnx import supported
    >>> "Linear" in supported(), "Conv2d" in supported()
    (True, True)
    """
    return sorted({cls.__name__ for cls in _CONVERTERS})
