"""The graph builder that every ONNX converter writes into, and the lazy import of ``onnx``.

A converter never touches ``onnx`` protobufs itself: it calls ``g.op("Relu", x)`` and gets the
name of the new value back, ``g.const(array)`` for weights, and ``g.shape(x)`` for the shape
that value had when the model ran on the example input (the batch axis included, which is
dynamic in the exported graph: never bake ``g.shape(x)[0]`` into a node).
"""

from __future__ import annotations

import numpy as np

__all__ = ["ExportError", "GraphBuilder", "MIN_OPSET", "DEFAULT_OPSET", "require_onnx"]

#: the oldest opset lucidnet writes: Reduce* / Split / Pad with their opset-18 signatures
MIN_OPSET = 18
#: the default: string Equal (one-hot of text columns) and Pad mode "wrap" need 19
DEFAULT_OPSET = 19

_INSTALL = 'pip install "lucidnet[onnx]"'


class ExportError(ValueError):
    """A model (or an option) that lucidnet cannot write as ONNX; the message says which module
    (its path in the tree), why, and what to do instead.

    Examples
    --------
    >>> from lucidnet.onnx import ExportError, export
    >>> class Twice(ln.nn.Module):
    ...     def forward(self, x):
    ...         return x * 2
    >>> try:
    ...     export(ln.nn.Sequential(ln.nn.Linear(2, 2), Twice()), np.zeros((1, 2), np.float32),
    ...            "twice.onnx")
    ... except ExportError as err:
    ...     print(str(err)[:36])
    cannot export model[1]: no ONNX conv
    """


def require_onnx():
    """``import onnx``, or an ImportError saying how to install the optional extra.

    Examples
    --------
    >>> from lucidnet.onnx.graph import require_onnx
    >>> require_onnx().__name__
    'onnx'
    """
    try:
        import onnx
    except ImportError as err:
        raise ImportError(f"ONNX export needs the 'onnx' package, which is not installed: "
                          f"{_INSTALL}") from err
    return onnx


def require_onnxruntime():
    """``import onnxruntime``, or an ImportError saying how to install the optional extra."""
    try:
        import onnxruntime
    except ImportError as err:
        raise ImportError(f"running an ONNX model needs the 'onnxruntime' package, which is not "
                          f"installed: {_INSTALL}") from err
    return onnxruntime


class GraphBuilder:
    """Nodes, initializers and value shapes of the ONNX graph under construction.

    Attributes
    ----------
    opset : int
        The ai.onnx opset the graph is written for (>= ``MIN_OPSET``).
    dtype : numpy.dtype
        The floating dtype of the model (float32): ``const`` and ``scalar`` cast floats to it.
    path : str
        The module path of the converter running now (``model[2].block``), for names and errors.

    Examples
    --------
    A graph ``y = 2 x`` built by hand (what a converter does inside), checked and run with
    ONNX's reference evaluator:

    >>> from onnx.reference import ReferenceEvaluator
    >>> from lucidnet.onnx.export import build_model
    >>> from lucidnet.onnx.graph import GraphBuilder
    >>> g = GraphBuilder(opset=19)
    >>> x = np.ones((1, 3), dtype=np.float32); g.record("x", x)
    >>> y = g.op("Mul", "x", g.scalar(2.0))
    >>> y
    'model/Mul_2'
    >>> proto = build_model(g, [("x", "x", x)], [("y", y, 2 * x)])
    >>> ReferenceEvaluator(proto).run(None, {"x": np.array([[0, 1, 2]], np.float32)})[0].tolist()
    [[0.0, 2.0, 4.0]]
    """

    def __init__(self, opset: int, dtype=np.float32):
        self.onnx = require_onnx()
        self.opset = int(opset)
        self.dtype = np.dtype(dtype)
        self.path = "model"
        self.nodes: list = []
        self.initializers: list = []
        self._shapes: dict[str, tuple] = {}
        self._dtypes: dict[str, np.dtype] = {}
        self._used: set[str] = set()
        self._count = 0

    # ------------------------------------------------------------------ names and shapes
    def fresh(self, hint: str) -> str:
        """A value name not used before, readable: ``model[0]/Gemm_3``."""
        self._count += 1
        name = f"{self.path}/{hint}_{self._count}"
        self._used.add(name)
        return name

    def shape(self, name: str) -> tuple:
        """The shape value ``name`` had on the example input (axis 0 is the dynamic batch)."""
        try:
            return self._shapes[name]
        except KeyError:
            raise ExportError(f"{self.path}: no example shape is known for the value {name!r} "
                              "(only the inputs of a converter have one)") from None

    def value_dtype(self, name: str) -> np.dtype:
        """The NumPy dtype of value ``name`` on the example input."""
        return self._dtypes[name]

    def record(self, name: str, array) -> None:
        """Remember the example shape and dtype of value ``name`` (done by the exporter)."""
        array = np.asarray(array)
        self._shapes[name] = tuple(array.shape)
        self._dtypes[name] = array.dtype

    def fail(self, why: str):
        """Raise an ExportError naming the module being converted."""
        raise ExportError(f"cannot export {self.path}: {why}")

    # ------------------------------------------------------------------ nodes
    def op(self, op_type: str, *inputs, outputs: int = 1, **attrs):
        """Append a node ``op_type(*inputs, **attrs)``; returns its output name (a list of
        names when ``outputs`` > 1). An input of None is an omitted optional input."""
        outs = [self.fresh(op_type) for _ in range(outputs)]
        inputs = list(inputs)
        while inputs and inputs[-1] is None:  # trailing omitted inputs are left out
            inputs.pop()
        ins = ["" if i is None else i for i in inputs]
        attrs = {k: v for k, v in attrs.items() if v is not None}
        self.nodes.append(self.onnx.helper.make_node(op_type, ins, outs, **attrs))
        return outs[0] if outputs == 1 else outs

    def const(self, array, dtype=None, hint: str = "const") -> str:
        """An initializer holding ``array``; floating arrays are cast to the model's dtype
        unless ``dtype`` is given."""
        array = np.asarray(array)
        if dtype is not None:
            array = array.astype(dtype)
        elif array.dtype.kind == "f":
            array = array.astype(self.dtype)
        name = self.fresh(hint)
        if array.dtype.kind in "OUS":
            tensor = self.onnx.helper.make_tensor(
                name, self.onnx.TensorProto.STRING, array.shape,
                [str(v).encode("utf-8") for v in array.reshape(-1)])
        else:
            tensor = self.onnx.numpy_helper.from_array(np.ascontiguousarray(array), name)
        self.initializers.append(tensor)
        return name

    def scalar(self, value, dtype=None) -> str:
        """A 0-d constant of the model's float dtype (or ``dtype``)."""
        return self.const(np.array(value, dtype=dtype or self.dtype), hint="scalar")

    def ints(self, values) -> str:
        """A 1-d int64 constant (axes, shapes, pads, slice bounds)."""
        return self.const(np.asarray(list(values), dtype=np.int64).reshape(-1), hint="ints")

    # ------------------------------------------------------------------ small compositions
    def reduce(self, op_type: str, x: str, axes, keepdims: bool = True) -> str:
        """``ReduceMean`` / ``ReduceSum`` / ... over ``axes`` (opset-18 form: axes as input)."""
        return self.op(op_type, x, self.ints(axes), keepdims=int(keepdims))

    def reshape(self, x: str, shape) -> str:
        """Reshape to ``shape`` (0 copies that axis of the input, -1 is inferred)."""
        return self.op("Reshape", x, self.ints(shape))

    def channel_shaped(self, array, ndim: int) -> str:
        """A per-channel vector (C,) as a constant (C, 1, ..., 1) that broadcasts over an input
        of ``ndim`` dims laid out (N, C, *)."""
        array = np.asarray(array).reshape((-1,) + (1,) * max(ndim - 2, 0))
        return self.const(array)
