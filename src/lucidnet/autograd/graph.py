"""The graph as PyTorch shows it, and the functional face of the engine (issue 9, item 5).

* ``tensor.grad_fn``: a `Node` per recorded op, ``name()`` ('MulBackward0') and
  ``next_functions`` (one ``(node, 0)`` pair per input: ``None`` for an input that needs no
  gradient, `AccumulateGrad` for a leaf that does). Nodes are made on first access and cached
  on the tensor, so making a tensor (the hot path) costs nothing for them.
* ``tensor.register_hook(fn)`` -> `RemovableHandle`.
* ``grad(outputs, inputs, grad_outputs)`` and ``backward(tensors, grad_tensors)``.

The engine itself (one loop over the reverse topological order) is ``tensor._run_backward``.
"""

from __future__ import annotations

import itertools

import numpy as np

from .registry import register
from .tensor import (
    _CREATE_GRAPH_MESSAGE,
    _FREED,
    _HOOKS,
    _REBASED,
    Tensor,
    _graph_parents,
    _node_name,
    _run_backward,
    inference_mode,
    is_inference_mode_enabled,
    set_grad_enabled,
)

__all__ = ["Node", "AccumulateGrad", "RemovableHandle", "Variable", "grad", "backward"]


class Node:
    """A recorded op in the graph (``tensor.grad_fn``), as PyTorch's ``torch.autograd.graph.Node``.

    ``next_functions`` lists one ``(node, 0)`` pair per input as PyTorch's graph has them; where
    the library fuses what PyTorch records as several nodes (``linear`` is PyTorch's
    ``addmm(bias, x, weight.t())``), the node shows PyTorch's layout (see `_pytorch_layout`).
    After a backward has freed the graph, a node first looked at then has no next functions.

    Nodes are made by the library (on first access to ``grad_fn``), not by user code.

    Parameters
    ----------
    name : str
        The op's backward name, e.g. ``"MulBackward0"``.
    inputs : tuple
        One entry per input of the op: the input Tensor, a synthetic Node, or None.

    Attributes
    ----------
    metadata : dict
        Free for user annotations, as PyTorch's ``Node.metadata``.

    Examples
    --------
    >>> x = ln.tensor([1.0, 2.0], requires_grad=True)
    >>> node = (x * x).sum().grad_fn
    >>> node.name(), node.next_functions[0][0].name()       # walk the graph backward
    ('SumBackward0', 'MulBackward0')
    """

    __slots__ = ("_name", "_inputs", "metadata", "__weakref__")

    def __init__(self, name: str, inputs: tuple):
        self._name, self._inputs = name, inputs  # inputs: Tensor, Node or None each
        self.metadata: dict = {}

    def name(self) -> str:
        """The node's name, as PyTorch's ``grad_fn.name()``: the op's backward, e.g. ``"MulBackward0"``.

        Examples
        --------
        >>> x = ln.tensor([1.0], requires_grad=True)
        >>> (x * 2).grad_fn.name()
        'MulBackward0'
        """
        return self._name

    @property
    def next_functions(self) -> tuple:
        """One ``(node, index)`` pair per input of the op, as PyTorch: the node that produced the input
        (an ``AccumulateGrad`` for a leaf that requires a gradient), or ``(None, 0)`` for a constant.
        Following them walks the graph backward.

        Examples
        --------
        >>> x = ln.tensor([1.0], requires_grad=True)
        >>> (x * 2).grad_fn.next_functions
        ((<AccumulateGrad object at 0x...>, 0), (None, 0))
        """
        pairs = []
        for p in self._inputs:
            if p is None or isinstance(p, Node):
                pairs.append((p, 0))
            elif not p.requires_grad:
                pairs.append((None, 0))
            elif p._fn is None:
                pairs.append((accumulate_grad_of(p), 0))
            else:
                pairs.append((node_of(p), 0))
        return tuple(pairs)

    def __repr__(self) -> str:
        return f"<{self._name.rsplit('::', 1)[-1]} object at {id(self):#x}>"


class AccumulateGrad:
    """The node that stores a leaf's gradient into ``.grad`` (``variable`` is the leaf).

    It ends every path of the graph at a leaf that requires a gradient: during backward it adds
    the incoming gradient g into ``variable.grad`` (``grad = grad + g``, or ``g`` if None).

    Parameters
    ----------
    variable : Tensor
        The leaf tensor.

    Examples
    --------
    >>> x = ln.tensor([1.0], requires_grad=True)
    >>> acc = (x * 2).grad_fn.next_functions[0][0]
    >>> acc.name(), acc.variable is x, acc.next_functions
    ('torch::autograd::AccumulateGrad', True, ())
    """

    __slots__ = ("variable", "metadata", "__weakref__")
    next_functions: tuple = ()

    def __init__(self, variable: Tensor):
        self.variable = variable
        self.metadata: dict = {}

    def name(self) -> str:
        """``'torch::autograd::AccumulateGrad'``, PyTorch's name of the node that adds a gradient into a leaf's ``.grad``."""
        return "torch::autograd::AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self):#x}>"


def node_of(t: Tensor) -> Node:
    """``t.grad_fn`` for a non-leaf: the same object on every access while ``t`` keeps its node
    (an in-place op inside the graph gives ``t`` a new node, as in PyTorch)."""
    cached = t.__dict__.get("_node")
    if cached is not None and (cached[0] is t._ctx or t._ctx is _FREED):
        return cached[1]
    fn = t._fn
    if getattr(fn, "_packed_output_of", False):  # one output of a multi-output custom
        node = node_of(t.__dict__["_packed"])      # Function: show the Function's node
    else:
        parents = _graph_parents(t) if _REBASED[0] and t._ctx is not _FREED else t._parents
        node = _pytorch_layout(t, fn, parents)
    t.__dict__["_node"] = (t._ctx, node)
    return node


def _step(name: str, p):
    """A synthetic node for a step PyTorch records on ``p`` (none if ``p`` needs no gradient)."""
    if isinstance(p, Node):
        return Node(name, (p,))
    return Node(name, (p,)) if p is not None and p.requires_grad else None


def _ndim(p) -> int | None:
    return None if p is None else p.ndim


# the node PyTorch records for an op without a derivative formula (floor_divide, ...)
_NOT_IMPLEMENTED = "torch::autograd::NotImplemented"


def _pytorch_layout(t: Tensor, fn, parents: tuple) -> Node:
    """The node as PyTorch records the same call: its name and inputs (synthetic nodes stand
    for the steps the library's fused op does inside)."""
    name = _node_name(fn)
    if not fn.__module__.startswith(("lucidnet.autograd.ops", "lucidnet.autograd.operators")) \
            or not parents:
        return Node(name, parents)
    op = fn.__name__
    if op == "Linear":  # addmm(bias, x, W.t()); mm without a bias; other ranks view to 2-D
        x, w = parents[0], parents[1]
        b = parents[2] if len(parents) > 2 else None
        x2 = x if _ndim(x) == 2 else _step("ViewBackward0", x)
        wt = _step("TBackward0", w)
        if b is not None:
            core = Node("AddmmBackward0", (b, x2, wt))
            return core if _ndim(x) == 2 else Node("ViewBackward0", (core,))
        core = Node("MmBackward0", (x2, wt))
        return core if _ndim(x) == 2 else Node("UnsafeViewBackward0", (core,))
    if op == "MatMul":
        return _matmul_nodes(parents)
    elif op in ("Sum", "Mean"):
        name = f"{op}Backward{0 if t.ndim == 0 else 1}"
    elif op == "Pow":  # a number base or exponent is no input of PyTorch's node
        if parents[0] is None:
            return Node("PowBackward2", parents[1:])
        if parents[1] is None:
            return Node("PowBackward0", parents[:1])
        name = "PowBackward1"
    elif op == "Remainder":  # remainder.Scalar / remainder.Tensor; a number % tensor has no
        if parents[0] is None:  # derivative in PyTorch
            return Node(_NOT_IMPLEMENTED, parents[1:])
        if parents[1] is None:
            return Node("RemainderBackward0", parents[:1])
        name = "RemainderBackward1"
    elif op == "RoundedDivide":  # div(..., rounding_mode=): div.Tensor_mode
        name = "DivBackward2"
    elif op == "FloorDivide":  # floor_divide has no derivative in PyTorch
        return Node(_NOT_IMPLEMENTED, tuple(p for p in parents if p is not None))
    elif op == "CrossEntropy":  # log_softmax then nll_loss
        return Node(name, (Node("LogSoftmaxBackward0", parents[:1]),))
    elif op in ("MaxPool", "AvgPool", "AdaptiveAvgPool") and t.ndim != 4:
        name = f"{op}Backward0"
    elif op == "GetItem" and hasattr(t._ctx, "args"):
        return _indexing_nodes(t._ctx.args, parents)
    elif op == "Transpose" and hasattr(t._ctx, "axes"):
        axes = t._ctx.axes
        swapped = axes is not None and sum(a != i for i, a in enumerate(axes)) == 2
        # a swap of a matrix is most often t(); of more dims transpose(d0, d1)
        name = ("TBackward0" if t.ndim == 2 else "TransposeBackward0") if swapped else \
            "PermuteBackward0"
    return Node(name, parents)


def _matmul_nodes(parents) -> Node:
    """``a @ b`` as PyTorch's matmul records it: mm / mv / dot, a vector unsqueezed to a matrix
    (then squeezed back), a batch viewed to 2-D for mm (unsafe-viewed back), or bmm on
    expanded batches."""
    a, b = parents[0], parents[1]
    da, db = _ndim(a), _ndim(b)
    if (da, db) == (2, 2):
        return Node("MmBackward0", parents)
    if (da, db) == (1, 1):
        return Node("DotBackward0", parents)
    if (da, db) == (2, 1):
        return Node("MvBackward0", parents)
    if (da, db) == (1, 2):
        return Node("SqueezeBackward4", (Node("MmBackward0", (_step("UnsqueezeBackward0", a),
                                                              b)),))
    if da and db and da >= 3 and db <= 2:
        core = "MmBackward0" if db == 2 else "MvBackward0"
        return Node("UnsafeViewBackward0", (Node(core, (_step("ViewBackward0", a), b)),))
    batch = (_step("ViewBackward0", _step("ExpandBackward0", a)),
             _step("ViewBackward0", _step("ExpandBackward0", b)))
    return Node("UnsafeViewBackward0", (Node("BmmBackward0", batch),))


def _indexing_nodes(args, parents) -> Node:
    """``a[index]`` as PyTorch records it: one Select (int), Slice or Unsqueeze (None) per
    index component, in order; any array or mask index makes it one IndexBackward0."""
    _, index, then = args
    parts = index if isinstance(index, tuple) else (index,)
    basic = (int, np.integer, slice, type(None), type(Ellipsis))
    if then is not None or not all(isinstance(i, basic) and not isinstance(i, bool)
                                   for i in parts):
        return Node("IndexBackward0", parents)
    node = parents[0]
    steps = [("SelectBackward0" if isinstance(i, (int, np.integer)) else
              "UnsqueezeBackward0" if i is None else "SliceBackward0")
             for i in parts if i is not Ellipsis and i != slice(None)]
    if not steps:  # a[:] is a full slice; a[...] and a[:, :] are aliases
        alias = isinstance(index, tuple) or index is Ellipsis
        return Node("AliasBackward0" if alias else "SliceBackward0", parents)
    for name in steps:
        node = Node(name, (node,))
    return node


def accumulate_grad_of(leaf: Tensor) -> AccumulateGrad:
    node = leaf.__dict__.get("_accumulate_node")
    if node is None:
        node = leaf.__dict__["_accumulate_node"] = AccumulateGrad(leaf)
    return node


# ---------------------------------------------------------------------------- hooks
_handle_ids = itertools.count()


class RemovableHandle:
    """What ``register_hook`` returns; ``remove()`` unregisters the hook (twice is harmless).
    Also a context manager that removes the hook on exit.

    Parameters
    ----------
    tensor : Tensor
        The tensor the hook was registered on.
    handle_id : int
        The hook's key in the tensor's table (also ``handle.id``).
    table : str, optional
        ``"_hooks"`` (gradient hooks) or ``"_post_hooks"`` (post-accumulate-grad hooks).

    Examples
    --------
    >>> x = ln.tensor([1.0, 2.0], requires_grad=True)
    >>> handle = x.register_hook(lambda g: g * 10)      # scale the gradient reaching x
    >>> (x * 3).sum().backward(); x.grad
    tensor([30., 30.])
    >>> handle.remove(); x.grad = None
    >>> (x * 3).sum().backward(); x.grad
    tensor([3., 3.])
    """

    __slots__ = ("_tensor", "id", "_table")

    def __init__(self, tensor: Tensor, handle_id: int, table: str = "_hooks"):
        self._tensor, self.id, self._table = tensor, handle_id, table

    def remove(self) -> None:
        """Unregister the tensor hook this handle was returned for (a second call does nothing)."""
        hooks = getattr(self._tensor, self._table)
        if hooks:
            hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def add_hook(t: Tensor, hook, post: bool = False) -> RemovableHandle:
    """Register a tensor hook (``post``: a post-accumulate-grad hook of a leaf)."""
    if not callable(hook):
        raise TypeError(f"a hook must be callable, got {type(hook).__name__}")
    table = "_post_hooks" if post else "_hooks"
    if getattr(t, table) is None:
        setattr(t, table, {})
    handle = RemovableHandle(t, next(_handle_ids), table)
    getattr(t, table)[handle.id] = hook
    _HOOKS[0] = True  # from now on the engine looks for hooks (one check per backward)
    return handle


# ---------------------------------------------------------------------------- functional API
def _as_tuple(x, what: str) -> tuple:
    if isinstance(x, Tensor):
        return (x,)
    if isinstance(x, (list, tuple)):
        return tuple(x)
    raise TypeError(f"{what} must be a Tensor or a sequence of Tensors, got {type(x).__name__}")


def _seeds(outputs: tuple, grad_outputs, fn: str) -> tuple:
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    else:
        grad_outputs = (grad_outputs,) if isinstance(grad_outputs, Tensor) else tuple(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"{fn}: got {len(grad_outputs)} gradients for {len(outputs)} "
                           "tensors; pass one per tensor (None for a scalar)")
    seeds = []
    for k, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not isinstance(out, Tensor):
            raise TypeError(f"{fn}: element {k} is a {type(out).__name__}, not a Tensor")
        if not out.requires_grad:
            raise RuntimeError(f"element {k} of tensors does not require grad and does not have "
                               "a grad_fn")
        if g is None and out.data.size != 1:
            raise RuntimeError(f"grad can be implicitly created only for scalar outputs: element "
                               f"{k} has shape {tuple(out.shape)}; pass its gradient")
        seeds.append(out._seed(g))
    return tuple(seeds)


def grad(outputs, inputs, grad_outputs=None, retain_graph: bool | None = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> tuple:
    """The gradients of ``outputs`` with respect to ``inputs``, as PyTorch's
    ``torch.autograd.grad``: sum_k d(outputs[k] . grad_outputs[k]) / d(inputs[i]), one Tensor
    per input, without touching any ``.grad``.

    An input the outputs do not depend on raises unless ``allow_unused=True`` (then its entry
    is None, or zeros with ``materialize_grads=True``). The graph is freed unless
    ``retain_graph=True``. ``create_graph=True`` raises NotImplementedError (backward rules
    compute on NumPy arrays, so gradients are not themselves differentiable). ``only_inputs``
    is accepted and ignored (deprecated in PyTorch too).

    Parameters
    ----------
    outputs : Tensor or sequence of Tensor
        What to differentiate.
    inputs : Tensor or sequence of Tensor
        The tensors (requiring grad) to differentiate with respect to.
    grad_outputs : Tensor or sequence of (Tensor or None), optional
        The vector v_k of each vector-Jacobian product, of ``outputs[k]``'s shape; None (the
        default) is allowed only for single-element outputs (then v = 1).
    retain_graph : bool, optional
        Keep the graph for another backward (default: free it).
    allow_unused, materialize_grads : bool, optional
        What an input the outputs do not depend on gives (see above).

    Returns
    -------
    tuple of Tensor or None
        One gradient per input, each of that input's shape.

    Examples
    --------
    >>> x = ln.tensor([1.0, 2.0], requires_grad=True)
    >>> ln.autograd.grad((x ** 2).sum(), x)          # d(sum x^2)/dx = 2x
    (tensor([2., 4.]),)
    >>> x.grad is None                               # .grad is left alone
    True
    >>> b = ln.tensor([1.0], requires_grad=True)
    >>> ln.autograd.grad((x * 2).sum(), [x, b], allow_unused=True)
    (tensor([2., 2.]), None)
    """
    if create_graph:
        raise NotImplementedError(_CREATE_GRAPH_MESSAGE)
    if is_grads_batched:
        raise NotImplementedError("grad(is_grads_batched=True) needs vmap, which lucidnet does "
                                  "not have; loop over the grad_outputs, with retain_graph=True")
    outputs = _as_tuple(outputs, "grad(outputs=...)")
    inputs = _as_tuple(inputs, "grad(inputs=...)")
    if not inputs:
        raise RuntimeError("grad requires at least one input tensor")
    if allow_unused is None:
        allow_unused = materialize_grads
    for k, t in enumerate(inputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"grad: inputs[{k}] is a {type(t).__name__}, not a Tensor")
        if not t.requires_grad:
            raise RuntimeError(f"One of the differentiated Tensors (inputs[{k}]) does not "
                               "require grad")
    seeds = _seeds(outputs, grad_outputs, "grad")
    found = _run_backward(outputs, seeds, bool(retain_graph),
                             capture={id(t) for t in inputs})
    result = []
    for k, t in enumerate(inputs):
        g = found.get(id(t))
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"One of the differentiated Tensors (inputs[{k}]) appears to "
                                   "not have been used in the graph. Set allow_unused=True if "
                                   "this is the desired behavior.")
            result.append(Tensor._wrap(np.zeros_like(t.data)) if materialize_grads else None)
            continue
        if g.dtype != t.data.dtype:
            g = g.astype(t.data.dtype)
        result.append(Tensor._wrap(g))
    return tuple(result)


def backward(tensors, grad_tensors=None, retain_graph: bool | None = None,
             create_graph: bool = False, grad_variables=None, inputs=None) -> None:
    """Accumulate into ``.grad`` the gradient of sum_k tensors[k] . grad_tensors[k], as
    ``torch.autograd.backward`` (one pass over the graph for all of them);
    ``grad_variables`` is PyTorch's deprecated name of ``grad_tensors``.

    Parameters
    ----------
    tensors : Tensor or sequence of Tensor
        The roots, each requiring grad.
    grad_tensors : Tensor or sequence of (Tensor or None), optional
        One gradient per root, of its shape; None only for single-element roots.
    retain_graph : bool, optional
        Keep the graph for another backward (default: free it).
    inputs : Tensor or sequence of Tensor, optional
        Accumulate only into these leaves' ``.grad``.

    Examples
    --------
    >>> x = ln.tensor([1.0, 2.0], requires_grad=True)
    >>> ln.autograd.backward([(x * 2).sum(), (x * x).sum()])      # 2 + 2x
    >>> x.grad
    tensor([4., 6.])
    >>> x.grad = None
    >>> ln.autograd.backward(x * 3, grad_tensors=ln.tensor([1.0, -1.0]))
    >>> x.grad
    tensor([ 3., -3.])
    """
    if grad_variables is not None:
        if grad_tensors is not None:
            raise RuntimeError("backward: give grad_tensors or grad_variables (its deprecated "
                               "name), not both")
        grad_tensors = grad_variables
    if create_graph:
        raise NotImplementedError(_CREATE_GRAPH_MESSAGE)
    tensors = _as_tuple(tensors, "backward(tensors=...)")
    seeds = _seeds(tensors, grad_tensors, "backward")
    only = None
    if inputs is not None:
        inputs = _as_tuple(inputs, "backward(inputs=...)")
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty")
        only = {id(t) for t in inputs}
    _run_backward(tensors, seeds, bool(retain_graph), only=only)


# ---------------------------------------------------------------------------- legacy Variable
class _VariableMeta(type):
    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    """PyTorch's pre-0.4 wrapper, kept for old tutorials: ``Variable(t, requires_grad=False)``
    is a new leaf Tensor sharing ``t``'s memory (cut from any graph), and every Tensor is an
    instance of Variable. ``volatile`` has no effect (use ``no_grad()``), as in PyTorch.

    Parameters
    ----------
    data : Tensor
        The tensor to wrap; anything else raises TypeError.
    requires_grad : bool, optional
        Whether the new leaf requires a gradient (default False).
    volatile : bool, optional
        Ignored, with a UserWarning.

    Examples
    --------
    >>> from lucidnet.autograd import Variable
    >>> v = Variable(ln.ones(2), requires_grad=True)
    >>> v, isinstance(ln.ones(1), Variable)
    (tensor([1., 1.], requires_grad=True), True)
    """

    def __new__(cls, data, requires_grad: bool = False, volatile: bool = False):
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        if volatile:
            import warnings

            warnings.warn("volatile was removed and now has no effect. Use `with torch.no_grad():` "
                          "instead.", UserWarning, stacklevel=2)
        return data.detach().requires_grad_(requires_grad)

    def __init__(self, data, requires_grad: bool = False, volatile: bool = False):
        # never runs (__new__ returns a Tensor); it gives inspect and the API reference the
        # constructor's signature
        pass


# grad-mode switches PyTorch has at the top level (no_grad / enable_grad are exported by name)
register("set_grad_enabled", value=set_grad_enabled)
register("inference_mode", value=inference_mode)
register("is_inference_mode_enabled", value=is_inference_mode_enabled)
