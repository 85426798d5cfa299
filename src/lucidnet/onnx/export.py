"""``export``: a lucidnet model -> an ONNX file, by walking its module tree."""

from __future__ import annotations

import contextlib
import json
import os

import numpy as np

from .. import __version__, nn
from .._atomic import atomic_path
from ..autograd.tensor import Tensor, no_grad
from ..models import Perceptron
from . import activations, layers, resize  # noqa: F401  (register the built-in converters)
from .graph import DEFAULT_OPSET, MIN_OPSET, ExportError, GraphBuilder, require_onnx
from .registry import converter_for, supported

__all__ = ["export", "build_model"]

_CONTAINERS = (nn.Sequential,)


@contextlib.contextmanager
def eval_mode(model):
    """Put every module in evaluation mode; put each back as it was afterwards."""
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        yield model
    finally:
        for m, training in modes:
            m.training = training


def _as_array(x, what: str) -> np.ndarray:
    data = x.data if isinstance(x, Tensor) else x
    try:
        array = np.asarray(data)
    except Exception as err:  # noqa: BLE001 - anything NumPy cannot read is the caller's mistake
        raise TypeError(f"{what} must be a NumPy array or a lucidnet Tensor, got "
                        f"{type(x).__name__} ({err})") from None
    if array.dtype.kind not in "fiub":
        raise TypeError(f"{what} must hold numbers, got dtype {array.dtype}")
    if not isinstance(data, np.ndarray) and array.dtype == np.float64:
        array = array.astype(np.float32)  # Python floats: the default dtype, as ln.tensor
    if array.dtype == np.float64:
        raise ExportError(f"{what} is float64; lucidnet exports float32 models: give "
                          "x.astype(np.float32) (and model.float() for a float64 model)")
    return array


def _check_float32(model) -> None:
    for name, p in list(model.named_parameters()) + list(model.named_buffers()):
        dtype = np.asarray(p.data if isinstance(p, Tensor) else p).dtype
        if dtype.kind == "f" and dtype != np.float32:
            raise ExportError(f"the model's {name} is {dtype}; lucidnet exports float32 models "
                              f"(onnxruntime's CPU kernels of Conv, Erf and others are float32 "
                              f"only): convert it with model.float() first")


def _check_opset(opset) -> int:
    onnx = __import__("onnx")
    newest = onnx.defs.onnx_opset_version()
    if opset is None:
        return DEFAULT_OPSET
    if isinstance(opset, bool) or not isinstance(opset, (int, np.integer)) or \
            not MIN_OPSET <= opset <= newest:
        raise ExportError(f"opset must be an int from {MIN_OPSET} to {newest} (the newest the "
                          f"installed onnx knows), got {opset!r}")
    return int(opset)


def _walkable(module) -> bool:
    """A Sequential (or a subclass keeping Sequential's forward): its children in order."""
    return isinstance(module, _CONTAINERS) and type(module).forward is nn.Sequential.forward


def _check_same_output(model, arrays, out_values) -> None:
    """The walk (each layer's forward) must give what ``model(*example)`` gives: a forward hook
    that changes a value, or any other path the walk cannot see, is refused."""
    with no_grad():
        full = model(*[Tensor(a) for a in arrays])
    full = list(full) if isinstance(full, (tuple, list)) else [full]
    same = len(full) == len(out_values) and all(
        np.asarray(f.data if isinstance(f, Tensor) else f).shape == v.shape and
        np.allclose(np.asarray(f.data if isinstance(f, Tensor) else f), v, rtol=1e-6,
                    atol=1e-7, equal_nan=True) for f, v in zip(full, out_values))
    if not same:
        raise ExportError("the model's output on the example differs from its layers' forward "
                          "passes: a forward hook (or pre-hook) changes a value, which an ONNX "
                          "graph cannot hold; remove the hook (handle.remove()) or write a "
                          "module whose forward does it, with its own converter "
                          "(lucidnet.onnx.register)")


def _batch_outputs(model, arrays, out_values):
    """Whether axis 0 of the example is a batch axis, tried on the example stacked twice: a
    list (per output: its axis 0 is that batch), or False (it is not: one unbatched example,
    which is then exported with its fixed shape, and a warning)."""
    n = {a.shape[0] if a.ndim else None for a in arrays}
    if None in n or len(n) != 1:
        reason = "a 0-d input" if None in n else "the inputs differ in size along axis 0"
    else:
        try:
            with no_grad():
                twice = model(*[Tensor(np.concatenate([a, a])) for a in arrays])
            twice = list(twice) if isinstance(twice, (tuple, list)) else [twice]
            shapes = [np.shape(t.data if isinstance(t, Tensor) else t) for t in twice]
            if len(shapes) == len(out_values) and all(
                    len(s) == v.ndim and v.ndim and s[0] == 2 * v.shape[0] and
                    s[1:] == v.shape[1:] for s, v in zip(shapes, out_values)):
                (size,) = n
                return [v.shape[0] == size for v in out_values]
            reason = "two examples stacked along axis 0 do not give twice the output rows"
        except Exception as err:  # noqa: BLE001 - any failure means: not a batch axis
            reason = f"the model fails on two examples stacked along it ({type(err).__name__})"
    import warnings

    warnings.warn(f"axis 0 of the example input {[a.shape for a in arrays]} is not a batch "
                  f"axis ({reason}), so the graph takes exactly that shape; to export a graph "
                  "for any number of rows give a batch (x[None] for one row), or pass "
                  "dynamic_batch=False to silence this", UserWarning, stacklevel=3)
    return False


def _child_path(path: str, name: str) -> str:
    return f"{path}[{name}]" if name.isdigit() else f"{path}.{name}"


def convert(g: GraphBuilder, module, names: list, values: list, path: str = "model"):
    """Write ``module`` applied to the graph values ``names`` (whose example values are
    ``values``) into ``g``; returns (output names, output example values). Sequential
    containers are walked, a WeightNoise wrapper is its wrapped module (evaluation mode);
    every other module needs a converter."""
    if converter_for(module) is None:
        if _walkable(module):
            for name, child in module.named_children():
                names, values = convert(g, child, names, values, _child_path(path, name))
            return names, values
        if isinstance(module, nn.WeightNoise):
            return convert(g, module.module, names, values, f"{path}.module")
    # the module runs first (a lazy layer becomes its normal class on its first call); its
    # forward, not its hooks, which the graph could not hold (export checks the whole output)
    with no_grad():
        out = module.forward(*[Tensor(v) for v in values])
    fn = converter_for(module)
    if fn is None:
        raise ExportError(
            f"cannot export {path}: no ONNX converter for {type(module).__module__}."
            f"{type(module).__qualname__}. Supported: Sequential (walked), WeightNoise and "
            f"{', '.join(supported())}. Write one with "
            f"lucidnet.onnx.register({type(module).__name__})(fn), fn(g, module, x) -> name")
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    out_values = [np.asarray(o.data if isinstance(o, Tensor) else o) for o in outs]
    g.path = path
    returned = fn(g, module, *names)
    result = list(returned) if isinstance(returned, (tuple, list)) else [returned]
    if len(result) != len(out_values) or not all(isinstance(r, str) for r in result):
        raise ExportError(f"the converter of {path} ({type(module).__name__}) returned "
                          f"{returned!r}: expected {len(out_values)} value name(s), as the "
                          "module's forward returns")
    for name, value in zip(result, out_values):
        g.record(name, value)
    return result, out_values


def _names(given, count: int, default: str, what: str) -> list:
    if given is None:
        return [default] if count == 1 else [f"{default}{i}" for i in range(count)]
    given = [given] if isinstance(given, str) else list(given)
    if len(given) != count or not all(isinstance(n, str) and n for n in given) or \
            len(set(given)) != len(given):
        raise ExportError(f"{what} must be {count} distinct non-empty names, got {given!r}")
    return given


def _value_info(onnx, name, array, dynamic_batch):
    """``dynamic_batch``: True (axis 0 is ``"N"``), False (the example's sizes) or None (axis 0
    of unknown size: an output whose axis 0 grows with the batch but is not the batch)."""
    dims = list(array.shape)
    if dims and dynamic_batch is None:
        dims[0] = None
    elif dynamic_batch and dims:
        dims[0] = "N"
    if array.dtype.kind in "OUS":
        elem = onnx.TensorProto.STRING
    else:
        elem = onnx.helper.np_dtype_to_tensor_dtype(array.dtype)
    return onnx.helper.make_tensor_value_info(name, elem, dims)


def build_model(g: GraphBuilder, inputs: list, outputs: list, *, dynamic_batch: bool = True,
                metadata: dict | None = None, graph_name: str = "lucidnet",
                batch_outputs: list | None = None):
    """The checked ModelProto of the graph in ``g``; ``inputs`` / ``outputs`` are lists of
    (public name, graph value name, example array). With ``dynamic_batch``, ``batch_outputs``
    (one bool per output, default all True) says which outputs' axis 0 is the batch ``"N"``;
    the others get an axis 0 of unknown size.

    Examples
    --------
    >>> from lucidnet.onnx.export import build_model
    >>> from lucidnet.onnx.graph import GraphBuilder
    >>> g = GraphBuilder(opset=19)
    >>> x = np.ones((4, 3), dtype=np.float32); g.record("x", x)
    >>> y = g.op("Relu", "x")
    >>> proto = build_model(g, [("x", "x", x)], [("y", y, x)], metadata={"task": "demo"})
    >>> [n.op_type for n in proto.graph.node], proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param
    (['Relu', 'Identity'], 'N')
    >>> {p.key: p.value for p in proto.metadata_props}["task"]
    'demo'
    """
    flags = [True] * len(outputs) if batch_outputs is None else list(batch_outputs)
    onnx = g.onnx

    for public, value, _ in outputs:  # the public names are Identity copies of the values
        g.nodes.append(onnx.helper.make_node("Identity", [value], [public]))
    graph = onnx.helper.make_graph(
        g.nodes, graph_name,
        [_value_info(onnx, public, ex, dynamic_batch) for public, _, ex in inputs],
        [_value_info(onnx, public, ex, dynamic_batch and (flag or None))
         for (public, _, ex), flag in zip(outputs, flags)],
        initializer=g.initializers)
    model = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", g.opset)],
                                   producer_name="lucidnet", producer_version=__version__)
    # the oldest IR version that carries this opset (onnxruntime refuses newer IR versions)
    model.ir_version = onnx.helper.find_min_ir_version_for(list(model.opset_import))
    props = {"lucidnet_version": __version__}
    for key, value in (metadata or {}).items():
        props[str(key)] = value if isinstance(value, str) else json.dumps(value)
    onnx.helper.set_model_props(model, props)
    try:
        onnx.checker.check_model(model, full_check=True)
    except onnx.checker.ValidationError as err:
        raise ExportError(f"the exported graph does not pass onnx.checker (a bug in a converter;"
                          f" please report it): {err}") from None
    return model


def write(model, path) -> None:
    """Serialize ``model`` to ``path`` atomically (a folder that does not exist is an error)."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise ExportError(f"the output path {path!r} is a folder; give a file name such as "
                          "model.onnx")
    if not os.path.isdir(folder):
        raise ExportError(f"cannot write {path!r}: the folder {folder!r} does not exist")
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(model.SerializeToString())


def export(model, example_input, path, *, input_names=None, output_names=None, opset=None,
           dynamic_batch: bool = True, metadata: dict | None = None):
    """Write ``model`` as an ONNX file at ``path`` and return the ``onnx.ModelProto``.

    The module tree is walked (``Sequential`` containers, nested or not) and each leaf is
    written by its converter (``lucidnet.onnx.supported()`` lists them; add your own with
    ``lucidnet.onnx.register``). The model runs once on ``example_input`` to learn every
    value's shape. It is exported in evaluation mode (dropout and noise are the identity,
    batch normalization uses its running statistics) whatever its mode; each module's mode is
    restored afterwards. The graph is checked with ``onnx.checker`` before it is written
    (atomically).

    Parameters
    ----------
    model : nn.Module
        A float32 lucidnet model (float64 models are refused: ``model.float()`` first).
    example_input : array-like or Tensor, or a tuple of them for a module of several inputs
        Real-shaped inputs (float32; integers for an ``Embedding``). Only a tuple means
        several inputs (a nested list is one array).
    path : str or os.PathLike
        The ``.onnx`` file to write.
    input_names, output_names : str or list of str, optional
        The graph's input / output names (default ``"input"`` and ``"output"``).
    opset : int, optional
        The ai.onnx opset, from 18 to the newest the installed onnx knows (default 19).
    dynamic_batch : bool
        Axis 0 of every input and output is a symbolic ``"N"`` (default), else the example's.
        It is checked by running the model on the example stacked twice along axis 0: if
        that fails (one unbatched example, such as a single row of shape ``(F,)``), the graph
        keeps the example's shape and a warning says so; an output whose axis 0 is not the
        batch (``Flatten(0, 1)``) gets an axis 0 of unknown size.
    metadata : dict, optional
        Extra ``metadata_props`` (non-string values are stored as JSON); ``lucidnet_version``
        is always added.

    Returns
    -------
    onnx.ModelProto

    Raises
    ------
    ExportError
        A module without a converter (the message names its path, e.g. ``model[2].block``, its
        class and the supported classes), an option a converter cannot express, a float64
        model, a bad opset or output path.
    ImportError
        onnx is not installed (``pip install "lucidnet[onnx]"``).

    Examples
    --------
    >>> from lucidnet.onnx import export
    >>> model = ln.nn.Sequential(ln.nn.Linear(2, 3), ln.nn.ReLU(), ln.nn.Linear(3, 1))
    >>> proto = export(model, np.zeros((1, 2), dtype=np.float32), "model.onnx")
    >>> [i.name for i in proto.graph.input], [o.name for o in proto.graph.output]
    (['input'], ['output'])

    Any ONNX runtime then runs the file, e.g. ``onnxruntime.InferenceSession("model.onnx")``.
    """
    require_onnx()

    if isinstance(model, Perceptron):
        return _export_perceptron(model, example_input, path, input_names, output_names,
                                  _check_opset(opset), dynamic_batch, metadata)
    if not isinstance(model, nn.Module):
        raise TypeError(f"export expects a lucidnet nn.Module (or a fitted "
                        f"lucidnet.models.Perceptron), got {type(model).__name__}")
    opset = _check_opset(opset)
    examples = list(example_input) if isinstance(example_input, tuple) else [example_input]
    arrays = [_as_array(x, "example_input" if len(examples) == 1 else f"example_input[{i}]")
              for i, x in enumerate(examples)]
    _check_float32(model)
    in_names = _names(input_names, len(arrays), "input", "input_names")
    g = GraphBuilder(opset)
    for name, array in zip(in_names, arrays):
        g.record(name, array)
    with eval_mode(model):
        outs, out_values = convert(g, model, list(in_names), arrays)
        _check_same_output(model, arrays, out_values)
        batch_outputs = _batch_outputs(model, arrays, out_values) if dynamic_batch else None
    if batch_outputs is False:
        dynamic_batch, batch_outputs = False, None
    out_names = _names(output_names, len(outs), "output", "output_names")
    clash = set(out_names) & set(in_names)
    if clash:
        raise ExportError(f"output_names {sorted(clash)} are also input names; give other names")
    proto = build_model(g, list(zip(in_names, in_names, arrays)),
                        list(zip(out_names, outs, out_values)), dynamic_batch=dynamic_batch,
                        metadata=metadata, batch_outputs=batch_outputs)
    write(proto, path)
    return proto


def _export_perceptron(model, example_input, path, input_names, output_names, opset,
                       dynamic_batch, metadata):
    """A fitted Perceptron: ``output`` = w . x + b (float64, as the Perceptron computes it, from
    a float32 input) and ``label`` = classes_[w . x + b >= 0]."""
    if not hasattr(model, "coef_"):
        raise ExportError("cannot export the Perceptron: it is not fitted yet (call fit first)")
    x = _as_array(example_input, "example_input")
    if x.ndim != 2 or x.shape[1] != len(model.coef_):
        raise ExportError(f"example_input must be (N, {len(model.coef_)}) rows for this "
                          f"Perceptron, got shape {x.shape}")
    (in_name,) = _names(input_names, 1, "input", "input_names")
    out_names = _names(output_names, 2, "output", "output_names") if output_names else \
        ["output", "label"]
    g = GraphBuilder(opset)
    xd = g.op("Cast", in_name, to=g.onnx.TensorProto.DOUBLE)
    coef = g.const(np.asarray(model.coef_, np.float64), dtype=np.float64)
    decision = g.op("Add", g.op("MatMul", xd, coef),
                    g.const(np.asarray(model.intercept_, np.float64), dtype=np.float64))
    positive = g.op("Cast", g.op("GreaterOrEqual", decision,
                                 g.const(np.array(0.0), dtype=np.float64)),
                    to=g.onnx.TensorProto.INT64)
    classes = np.asarray(model.classes_)
    if classes.dtype.kind in "OUS":
        classes = classes.astype(object)
    elif classes.dtype.kind == "b":
        classes = classes.astype(np.int64)
    label = g.op("Gather", g.const(classes, dtype=classes.dtype), positive, axis=0)
    x64 = x.astype(np.float64)
    dec_ex = x64 @ np.asarray(model.coef_, np.float64) + model.intercept_
    proto = build_model(g, [(in_name, in_name, x)],
                        [(out_names[0], decision, dec_ex),
                         (out_names[1], label, classes[np.zeros(len(x), dtype=np.int64)])],
                        dynamic_batch=dynamic_batch, metadata=metadata)
    write(proto, path)
    return proto
