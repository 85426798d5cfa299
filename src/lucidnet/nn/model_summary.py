"""`summary`: a Keras / torchinfo style table of a model's layers.

    >>> import lucidnet as ln
    >>> from lucidnet import nn
    >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    >>> print(model.summary((16, 4)))                      # or nn.summary(model, (16, 4))
    Model: Sequential
    ==============================================
    Layer (type)  Output Shape  Param #  Trainable
    ==============================================
    Sequential    [16, 2]            --         --
      0 (Linear)  [16, 8]            40       True
      1 (ReLU)    [16, 8]            --         --
      2 (Linear)  [16, 2]            18       True
    ==============================================
    Total params: 58 (232.00 B)
    Trainable params: 58 (232.00 B)
    Non-trainable params: 0 (0.00 B)
    Input size: 256.00 B
    Layer outputs size: 1.12 KB
    ==============================================

One row per module (``model.named_modules()``: a module registered twice comes once), nested
modules indented under their parent, with the module's own parameters (a container's come in
its children's rows; a row cut by ``depth`` counts its whole subtree). With an input, the
model runs once in eval mode under ``no_grad`` with temporary forward hooks that record each
module's output shape; every module's ``training`` flag is put back and the hooks removed
afterwards, even when forward raises. Without one, the table lists the parameters alone and
every output shape is ``?``; a module that the forward did not call shows ``--``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..autograd.tensor import Tensor, get_default_dtype, no_grad
from .hooks import drop_empty_hook_tables

__all__ = ["LayerSummary", "ModelSummary", "summary"]


@dataclass(frozen=True)
class LayerSummary:
    """One row of a `ModelSummary`.

    Attributes
    ----------
    name : str
        The dotted path in the model (``"encoder.0"``; ``""`` for the model itself).
    type_name : str
        The class name (``"Linear"``).
    depth : int
        0 for the model, 1 for its children, ...
    output_shapes : list or None
        What each call returned, shape by shape (a tuple for a tensor; a tuple / list / dict of
        those for several outputs); None when no input was given.
    num_params : int
        The module's own parameters (its whole subtree for a row cut by ``depth``).
    trainable_params : int
        Those of ``num_params`` that require grad.

    Examples
    --------
    >>> net = ln.nn.Sequential(ln.nn.Linear(3, 4), ln.nn.ReLU(), ln.nn.Linear(4, 1))
    >>> row = ln.nn.summary(net, input_size=(2, 3)).rows[1]
    >>> row.name, row.type_name, row.depth, row.output_shapes, row.num_params   # 3*4 + 4
    ('0', 'Linear', 1, [(2, 4)], 16)
    >>> _ = net[0].weight.requires_grad_(False)
    >>> ln.nn.summary(net, input_size=(2, 3)).rows[1].trainable      # the bias still learns
    'Partial'
    """

    name: str
    type_name: str
    depth: int
    output_shapes: list | None
    num_params: int
    trainable_params: int

    @property
    def trainable(self) -> str:
        """``"True"``, ``"False"``, ``"Partial"`` or ``"--"`` (no parameters)."""
        if self.num_params == 0:
            return "--"
        if self.trainable_params == self.num_params:
            return "True"
        return "False" if self.trainable_params == 0 else "Partial"

    @property
    def output_shape(self) -> str:
        """The output shape column: ``[16, 8]``; ``?`` without an input; ``--`` not called;
        the first call's shape and the number of calls for a module called several times."""
        if self.output_shapes is None:
            return "?"
        if not self.output_shapes:
            return "--"
        text = _format_shape(self.output_shapes[0])
        calls = len(self.output_shapes)
        return text if calls == 1 else f"{text} ({calls} calls)"


@dataclass(frozen=True)
class ModelSummary:
    """What `summary` returns: ``print()`` it (``str`` is the table), or read the numbers.

    Attributes
    ----------
    model_name : str
    rows : list of LayerSummary
    total_params, trainable_params : int
        Every distinct parameter counted once (a tied parameter once).
    param_bytes, trainable_bytes : int
        Their memory, at their dtypes.
    buffer_count, buffer_values, buffer_bytes : int
        The buffers (running statistics, persistent or not).
    input_shapes : list or None
        The shapes given to forward (None: not run).
    input_bytes, output_bytes : int
        The input's memory and that of every output of the modules without children (a
        rough size of the activations one forward keeps for backward).

    ``total_params = sum of p.numel()`` over the distinct parameters; ``param_bytes = sum of
    p.numel() * p.element_size()``.

    Examples
    --------
    >>> net = ln.nn.Sequential(ln.nn.Linear(3, 4), ln.nn.ReLU(), ln.nn.Linear(4, 1))
    >>> s = ln.nn.summary(net, input_size=(2, 3))
    >>> s.total_params, s.param_bytes               # (3*4 + 4) + (4 + 1) float32 values
    (21, 84)
    >>> print(s)
    Model: Sequential
    ==============================================
    Layer (type)  Output Shape  Param #  Trainable
    ==============================================
    Sequential    [2, 1]             --         --
      0 (Linear)  [2, 4]             16       True
      1 (ReLU)    [2, 4]             --         --
      2 (Linear)  [2, 1]              5       True
    ...
    """

    model_name: str
    rows: list = field(repr=False)
    total_params: int
    trainable_params: int
    param_bytes: int
    trainable_bytes: int
    buffer_count: int = 0
    buffer_values: int = 0
    buffer_bytes: int = 0
    input_shapes: list | None = None
    input_bytes: int = 0
    output_bytes: int = 0

    @property
    def non_trainable_params(self) -> int:
        """Parameters that do not learn (``requires_grad=False``): total minus trainable."""
        return self.total_params - self.trainable_params

    def __str__(self) -> str:
        header = ("Layer (type)", "Output Shape", "Param #", "Trainable")
        table = [header] + [(_row_label(r), r.output_shape, _count(r), r.trainable)
                            for r in self.rows]
        widths = [max(len(line[i]) for line in table) for i in range(4)]
        gap = "  "
        width = sum(widths) + 3 * len(gap)
        rule = "=" * width

        def line(cells):
            return gap.join([cells[0].ljust(widths[0]), cells[1].ljust(widths[1]),
                             cells[2].rjust(widths[2]), cells[3].rjust(widths[3])]).rstrip()

        out = [f"Model: {self.model_name}", rule, line(header), rule]
        out += [line(cells) for cells in table[1:]]
        out += [rule,
                f"Total params: {self.total_params:,} ({_bytes(self.param_bytes)})",
                f"Trainable params: {self.trainable_params:,} ({_bytes(self.trainable_bytes)})",
                f"Non-trainable params: {self.non_trainable_params:,} "
                f"({_bytes(self.param_bytes - self.trainable_bytes)})"]
        if self.buffer_count:
            out.append(f"Buffers: {self.buffer_count:,} arrays, {self.buffer_values:,} values "
                       f"({_bytes(self.buffer_bytes)})")
        if self.input_shapes is not None:
            out += [f"Input size: {_bytes(self.input_bytes)}",
                    f"Layer outputs size: {_bytes(self.output_bytes)}"]
        out.append(rule)
        return "\n".join(out)

    __repr__ = __str__


def summary(model, input_size=None, *, input_data=None, dtypes=None, depth: int | None = None,
            **forward_kwargs) -> ModelSummary:
    """A Keras / torchinfo style table of ``model``'s layers: name and type, output shape,
    parameter count, trainable or not, and the totals.

    Parameters
    ----------
    model : Module
    input_size : shape, list of shapes, or an example input, optional
        A shape with the batch dimension (``(32, 784)``; one shape per forward argument as a
        list of shapes), from which inputs are made (ones; zeros for integer ``dtypes``) -- or
        the input itself: a tensor, an array, or a tuple of them (the forward's arguments).
        None: no forward; output shapes are ``?``.
    input_data : tensor, array or tuple, optional
        The example input, by keyword (torchinfo's name); give this or ``input_size``.
    dtypes : dtype or list of dtypes, optional
        The dtype of each input made from a shape (default: the model's floating parameter
        dtype, else the default dtype).
    depth : int, optional
        Show modules down to this depth only (0: the model alone); the last row shown of a
        cut subtree counts the whole subtree's parameters. None shows every module.
    **forward_kwargs
        Keyword arguments passed to ``model.forward``.

    Returns
    -------
    ModelSummary
        ``print(model.summary(...))`` shows the table; its attributes hold the numbers.

    Examples
    --------
    >>> from lucidnet import nn
    >>> net = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 26 * 26, 10))
    >>> print(nn.summary(net, (2, 1, 28, 28)))           # doctest: +SKIP
    >>> net.summary().total_params                        # parameters only, no forward
    54170
    """
    from .module import Module

    if not isinstance(model, Module):
        raise TypeError(f"summary expects an nn.Module, got {type(model).__name__}")
    if depth is not None and (isinstance(depth, bool) or not isinstance(depth, int) or depth < 0):
        raise ValueError(f"depth must be None or an int >= 0, got {depth!r}")
    if input_size is not None and input_data is not None:
        raise TypeError("summary takes input_size or input_data, not both")
    args = _example_inputs(model, input_data if input_data is not None else input_size, dtypes)
    modules = list(model.named_modules())
    outputs = None if args is None else _run(model, modules, args, forward_kwargs)
    rows = _rows(modules, outputs, depth)
    params = list(model.parameters())
    trainable = [p for p in params if p.requires_grad]
    buffers = [b for b in model.buffers()]
    result = dict(
        model_name=type(model).__name__, rows=rows,
        total_params=sum(p.data.size for p in params),
        trainable_params=sum(p.data.size for p in trainable),
        param_bytes=sum(p.data.nbytes for p in params),
        trainable_bytes=sum(p.data.nbytes for p in trainable),
        buffer_count=len(buffers), buffer_values=sum(np.size(b) for b in buffers),
        buffer_bytes=sum(_nbytes(b) for b in buffers))
    if args is not None:
        leaves = {name for name, m in modules if not any(c is not None
                                                         for c in m._modules.values())}
        result.update(input_shapes=[_shape_of(a) for a in args],
                      input_bytes=sum(_nbytes(a) for a in args),
                      output_bytes=sum(_nbytes_nested(o) for name, _ in modules if name in leaves
                                       for o in outputs[name]))
    return ModelSummary(**result)


# ---------------------------------------------------------------------- inputs and the run
def _is_shape(value) -> bool:
    return isinstance(value, (tuple, list)) and all(
        isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in value)


def _example_inputs(model, given, dtypes) -> tuple | None:
    """The forward's positional arguments, or None (no forward)."""
    if given is None:
        return None
    if isinstance(given, (Tensor, np.ndarray)):
        return (_as_tensor(given),)
    if _is_shape(given) and not (isinstance(given, list) and not given):
        shapes = [tuple(given)]
    elif isinstance(given, (tuple, list)) and given and all(_is_shape(s) for s in given):
        shapes = [tuple(s) for s in given]
    elif isinstance(given, (tuple, list)) and given and all(
            isinstance(a, (Tensor, np.ndarray)) for a in given):
        return tuple(_as_tensor(a) for a in given)
    else:
        raise TypeError(f"summary: input_size must be a shape such as (32, 784), a list of "
                        f"shapes, or an example input (a tensor, an array or a tuple of them); "
                        f"got {given!r}")
    for shape in shapes:
        if any(n < 0 for n in shape):
            raise ValueError(f"summary: input_size {shape} has a negative dimension; give "
                             "sizes >= 0 including the batch dimension, e.g. (32, 784)")
    kinds = dtypes if isinstance(dtypes, (list, tuple)) else [dtypes] * len(shapes)
    if len(kinds) != len(shapes):
        raise ValueError(f"summary: {len(kinds)} dtypes for {len(shapes)} input shapes; give "
                         "one dtype per shape")
    default = next((p.data.dtype for p in model.parameters() if p.data.dtype.kind == "f"),
                   get_default_dtype())
    args = []
    for shape, kind in zip(shapes, kinds):
        dtype = np.dtype(default if kind is None else kind)
        fill = np.zeros if dtype.kind in "biu" else np.ones
        args.append(Tensor(fill(shape, dtype=dtype)))
    return tuple(args)


def _as_tensor(value):
    return value if isinstance(value, Tensor) else Tensor(np.asarray(value))


def _run(model, modules: list, args: tuple, forward_kwargs: dict) -> dict:
    """One forward in eval mode under no_grad: ``{module name: [output of each call]}``."""
    outputs = {name: [] for name, _ in modules}
    modes = [(m, m.training) for _, m in modules]
    handles = []
    try:
        for name, m in modules:
            handles.append(m.register_forward_hook(
                lambda module, inputs, output, name=name: outputs[name].append(output)))
        model.eval()
        with no_grad():
            model(*args, **forward_kwargs)
    except Exception as err:
        shapes = ", ".join(str(list(a.shape)) for a in args)
        err.add_note(f"(raised by {type(model).__name__} during summary, inputs of shape "
                     f"{shapes}; check input_size)")
        raise
    finally:
        for handle in handles:
            handle.remove()
        for (_, m), (_, mode) in zip(modules, modes):
            drop_empty_hook_tables(m)
            object.__setattr__(m, "training", mode)
    return outputs


def _rows(modules: list, outputs: dict | None, depth: int | None) -> list:
    rows = []
    for name, m in modules:
        level = 0 if name == "" else name.count(".") + 1
        if depth is not None and level > depth:
            continue
        cut = depth is not None and level == depth
        params = list(m.parameters(recurse=cut))
        shapes = None if outputs is None else [_shape_of(o) for o in outputs[name]]
        rows.append(LayerSummary(
            name=name, type_name=type(m).__name__, depth=level, output_shapes=shapes,
            num_params=sum(p.data.size for p in params),
            trainable_params=sum(p.data.size for p in params if p.requires_grad)))
    return rows


# ---------------------------------------------------------------------- formatting
def _shape_of(value):
    """A tensor's shape as a tuple; the same structure for tuples, lists and dicts of them;
    None for None; the type name of anything else."""
    if isinstance(value, (Tensor, np.ndarray)):
        return tuple(int(n) for n in value.shape)
    if isinstance(value, tuple):
        return ("tuple", [_shape_of(v) for v in value])
    if isinstance(value, list):
        return ("list", [_shape_of(v) for v in value])
    if isinstance(value, dict):
        return ("dict", {k: _shape_of(v) for k, v in value.items()})
    return None if value is None else type(value).__name__


def _format_shape(shape) -> str:
    if shape is None:
        return "None"
    if isinstance(shape, str):
        return shape
    if shape and isinstance(shape[0], str) and shape[0] in ("tuple", "list", "dict"):
        kind, items = shape
        if kind == "dict":
            return "{" + ", ".join(f"{k}: {_format_shape(v)}" for k, v in items.items()) + "}"
        text = ", ".join(_format_shape(v) for v in items)
        return f"({text})" if kind == "tuple" else f"list({text})"
    return "[" + ", ".join(str(n) for n in shape) + "]"


def _row_label(row: LayerSummary) -> str:
    if row.depth == 0:
        return row.type_name
    return "  " * row.depth + f"{row.name.rpartition('.')[2]} ({row.type_name})"


def _count(row: LayerSummary) -> str:
    return f"{row.num_params:,}" if row.num_params else "--"


def _bytes(n: int) -> str:
    """Keras's style: 1024-based units."""
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.2f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def _nbytes(value) -> int:
    if isinstance(value, Tensor):
        return int(value.data.nbytes)
    return int(np.asarray(value).nbytes)


def _nbytes_nested(value) -> int:
    if isinstance(value, (Tensor, np.ndarray)):
        return _nbytes(value)
    if isinstance(value, (tuple, list)):
        return sum(_nbytes_nested(v) for v in value)
    if isinstance(value, dict):
        return sum(_nbytes_nested(v) for v in value.values())
    return 0
