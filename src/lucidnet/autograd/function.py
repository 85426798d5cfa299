"""The `Function` base: one differentiable op = forward and backward side by side.

Two styles share this base; a class attribute, ``array_io``, tells them apart.

**Array style** (``array_io = True``) -- the library's own ops (every class defined in a
``lucidnet.*`` module gets it by default). Forward and backward compute on NumPy arrays, so an
op pays no Tensor wrapping::

    class Mul(Function):
        @staticmethod
        def forward(ctx, a, b):          # NumPy arrays in, NumPy array out
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, grad):         # one gradient per array input (None = no gradient)
            a, b = ctx.saved
            return unbroadcast(grad * b, a.shape), unbroadcast(grad * a, b.shape)

and is called as ``Mul.apply(x, y)`` on tensors (or scalars / arrays, which become constants).

**PyTorch style** (``array_io = False``) -- ``lucidnet.autograd.Function`` subclassed anywhere
else, written exactly as ``torch.autograd.Function``::

    class MyExp(Function):
        @staticmethod
        def forward(ctx, x):             # Tensors in (other arguments as given), Tensor(s) out
            result = x.exp()             # computed without recording a graph
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad_output):  # Tensors in, one Tensor (or None) per forward input
            (result,) = ctx.saved_tensors
            return grad_output * result

    y = MyExp.apply(x)

``ctx`` offers ``save_for_backward`` / ``saved_tensors``, ``needs_input_grad``,
``mark_non_differentiable`` and ``set_materialize_grads``; ``forward`` may instead be written
without ``ctx`` together with a ``setup_context(ctx, inputs, output)`` static method. A forward
may return several tensors; backward then receives one gradient per output (zeros for an
output that got none; ``set_materialize_grads(False)`` gives None for a non-differentiable
output instead). Integer outputs are not differentiable. Set ``array_io`` in a class body
to choose a style explicitly.
"""

from __future__ import annotations

import numpy as np

from .data_array import DataArray
from .tensor import _CLOCK, Tensor, _grad_mode, _owner_id, is_grad_enabled

__all__ = ["Context", "Function", "FunctionCtx", "once_differentiable", "unbroadcast"]


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` back down to ``shape``: the adjoint of NumPy broadcasting.

    When an input of shape ``shape`` was broadcast to the output's shape, each of its entries was
    used several times, so its gradient is the sum of the output gradient over the copies: first
    over the leading axes broadcasting added, then (keeping the axis) over every axis where
    ``shape`` has size 1 and ``grad`` has more.

    Parameters
    ----------
    grad : ndarray
        Gradient with respect to the broadcast result.
    shape : tuple of int
        Shape of the input before broadcasting (must broadcast to ``grad.shape``).

    Returns
    -------
    ndarray
        An array of shape ``shape``.

    Examples
    --------
    >>> from lucidnet.autograd import unbroadcast
    >>> unbroadcast(np.ones((2, 3)), (3,))
    array([2., 2., 2.])
    >>> unbroadcast(np.ones((2, 3)), (2, 1))
    array([[3.],
           [3.]])
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


#: what a one-line ``staticmethod(lambda ...)`` part of an op computes, by attribute name
_PART_NAMES = {"f": "The elementwise function y = f(x)", "df": "Its elementwise derivative dy/dx",
               "term": "The elementwise loss term l(d) of d = input - target",
               "derivative": "The derivative dl/dd of the loss term",
               "on_integers": "What the op returns for integer and bool inputs"}


def _document_lambdas(cls) -> None:
    """Give the ``staticmethod(lambda ...)`` parts of an op (``f``, ``df``, ``term``...) the
    formula of their class as docstring, so ``help`` and the API reference show it."""
    # the formula, not the Examples section (doctest would run it once more per part)
    summary = (cls.__dict__.get("__doc__") or "").split("Examples\n")[0].strip()
    if not summary:
        return
    for name, value in cls.__dict__.items():
        fn = getattr(value, "__func__", None) if isinstance(value, staticmethod) else None
        if (name in _PART_NAMES and fn is not None and getattr(fn, "__name__", "") == "<lambda>"
                and not fn.__doc__):
            fn.__doc__ = f"{_PART_NAMES[name]}, as stated for {cls.__name__}: {summary}"


class Context:
    """What a forward pass leaves for its backward pass.

    ``epoch``: the in-place clock when the node was made; backward raises if an input or the
    output whose memory a saved array shares was changed in place after it (PyTorch's version
    check). ``stale`` marks a node whose saved output an in-place op inside the graph overwrote.

    ``Function.apply`` makes one per recorded call and passes it to ``forward`` and ``backward``
    of array-style ops; any attribute may be set on it (``ctx.axis = axis``).

    Parameters
    ----------
    needs_input_grad : tuple of bool
        One flag per forward input: whether it requires a gradient.

    Examples
    --------
    An array-style op: y = a^2, dy/da = 2a, saving a on the context.

    >>> from lucidnet.autograd import Function
    >>> class Square(Function):
    ...     array_io = True                  # forward / backward on NumPy arrays
    ...     @staticmethod
    ...     def forward(ctx, a):
    ...         ctx.save_for_backward(a)
    ...         return a * a
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         (a,) = ctx.saved
    ...         return 2 * a * g
    >>> x = ln.tensor([3.0], requires_grad=True)
    >>> Square.apply(x).sum().backward(); x.grad
    tensor([6.])
    >>> from lucidnet.autograd.function import Context
    >>> ctx = Context((True, False)); ctx.save_for_backward(np.ones(2))
    >>> ctx.needs_input_grad, ctx.saved[0].shape
    ((True, False), (2,))
    """

    __slots__ = ("saved", "needs_input_grad", "epoch", "__dict__")
    stale = False

    def __init__(self, needs_input_grad: tuple):
        self.saved: tuple = ()
        self.needs_input_grad = needs_input_grad

    def save_for_backward(self, *arrays) -> None:
        """Keep ``arrays`` for the backward pass; backward reads them back as ``ctx.saved``.

        Only what backward needs should be saved (inputs, the output, a mask): the arrays live as long
        as the graph does.
        """
        self.saved = arrays


class Function:
    """Base class of every differentiable op: ``forward`` and ``backward`` written side by side.

    A subclass defines two static methods. ``forward(ctx, *inputs)`` computes the output y = f(x)
    and saves on ``ctx`` what the gradient needs; ``backward(ctx, grad)`` receives dL/dy and returns
    one vector-Jacobian product dL/dx_i = (dL/dy) (dy/dx_i) per input (``None`` for an input that
    needs no gradient). ``Op.apply(*inputs)`` runs the forward and, when an input requires a
    gradient and gradient mode is on, records a graph node that ``Tensor.backward`` later visits.

    Two styles share this base (the ``array_io`` class attribute): the library's own ops compute on
    NumPy arrays (array style, the default for classes defined inside ``lucidnet``); a subclass
    defined anywhere else is PyTorch style, with Tensors in and out exactly as
    ``torch.autograd.Function``. ``returns_view = True`` marks array-style ops whose output may view
    their first input's memory (reshape, transpose, basic indexing): an in-place change of the
    output then counts as one of the input too.

    Examples
    --------
    A PyTorch-style exponential, y = exp(x) with dy/dx = exp(x) = y:

    >>> from lucidnet.autograd import Function
    >>> class MyExp(Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         y = x.exp()
    ...         ctx.save_for_backward(y)
    ...         return y
    ...     @staticmethod
    ...     def backward(ctx, grad_output):
    ...         (y,) = ctx.saved_tensors
    ...         return grad_output * y
    >>> x = ln.tensor([0.0, 1.0], requires_grad=True)
    >>> y = MyExp.apply(x)
    >>> y.sum().backward()
    >>> x.grad
    tensor([1.0000, 2.7183])
    """

    returns_view = False
    array_io = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "array_io" not in cls.__dict__:
            inherited = next(c for c in cls.__mro__[1:] if "array_io" in c.__dict__)
            # the library's ops are array style; anything else subclassing the public base
            # is a PyTorch-style custom Function (a subclass of one keeps its parent's style)
            cls.array_io = (cls.__module__.startswith("lucidnet.") if inherited is Function
                            else inherited.array_io)
        if not cls.array_io:
            cls.apply = classmethod(_apply_custom)
            cls._node_fn = _custom_node_fn(cls)
        _document_lambdas(cls)

    @staticmethod
    def forward(ctx: Context, *args, **kwargs) -> np.ndarray:  # pragma: no cover - abstract
        """Compute the op's output y = f(x_1, ..., x_n) from its inputs.

        Parameters
        ----------
        ctx : Context
            The node's context: ``ctx.save_for_backward(...)`` keeps what backward needs, and any other
            value can be stored as an attribute (``ctx.axis = axis``). ``ctx.needs_input_grad`` tells
            which inputs need a gradient.
        *args
            The inputs: NumPy arrays for array-style ops (scalars and other non-tensor arguments as
            given), Tensors for PyTorch-style Functions.
        **kwargs
            Non-differentiable options (axis, reduction, ...).

        Returns
        -------
        ndarray or Tensor
            The output (array style: one array; PyTorch style: a Tensor or a tuple of Tensors).
        """
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):  # pragma: no cover - abstract
        """Compute the gradient of the loss with respect to each input from the gradient of the output.

        Given g = dL/dy, return dL/dx_i = g . dy/dx_i (the vector-Jacobian product) for every input
        x_i, each of x_i's shape (an input that was broadcast sums its gradient back with
        `unbroadcast`).

        Parameters
        ----------
        ctx : Context
            The context ``forward`` filled.
        grad : ndarray or Tensor
            dL/dy, the shape of the output (PyTorch style with several outputs: one gradient each).

        Returns
        -------
        ndarray, Tensor, None or tuple of them
            One gradient per forward input, in order; ``None`` for an input that gets no gradient.
        """
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs, **kwargs):
        """Run ``forward`` on the inputs' arrays; record the node if any input needs a gradient."""
        arrays, needs, track = [], [], False
        for x in inputs:
            if isinstance(x, Tensor):
                a = x.data
                if a.__class__ is not np.ndarray and a.__class__ is DataArray:
                    a = a.view(np.ndarray)  # ops compute on plain arrays (NumPy's fast path)
                arrays.append(a)
                needs.append(x.requires_grad)
                track = track or x.requires_grad
            else:
                arrays.append(x)
                needs.append(False)
        track = track and is_grad_enabled()
        ctx = Context(tuple(needs))
        result = Tensor._wrap(cls.forward(ctx, *arrays, **kwargs), requires_grad=track)
        if (cls.returns_view and result.data.base is not None and isinstance(inputs[0], Tensor)
                and _owner_id(result.data) == _owner_id(inputs[0].data)):
            result._alias = inputs[0]
        if track:
            parents = tuple(x if isinstance(x, Tensor) else None for x in inputs)
            result._ctx = ctx
            result._fn = cls
            result._parents = parents
            ctx.epoch = _CLOCK[0]
        return result


# ---------------------------------------------------------------------------- PyTorch style
class FunctionCtx(Context):
    """The ``ctx`` of a PyTorch-style Function (``torch.autograd.function.FunctionCtx``).

    It holds Tensors (`save_for_backward` / `saved_tensors`), ``needs_input_grad`` and the
    output switches `mark_non_differentiable` and `set_materialize_grads`.

    Examples
    --------
    A sort whose order output gets no gradient; dL/dx[order[i]] = dL/dvalues[i]:

    >>> from lucidnet.autograd import Function
    >>> class Sort(Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         values, order = x.sort()
    ...         ctx.mark_non_differentiable(order)
    ...         ctx.save_for_backward(order)
    ...         return values, order
    ...     @staticmethod
    ...     def backward(ctx, g_values, g_order):
    ...         (order,) = ctx.saved_tensors
    ...         return ln.zeros_like(g_values).scatter(0, order, g_values)
    >>> x = ln.tensor([3.0, 1.0, 2.0], requires_grad=True)
    >>> values, order = Sort.apply(x)
    >>> values, order, order.requires_grad
    (tensor([1., 2., 3.], grad_fn=<SortBackward>), tensor([1, 2, 0]), False)
    >>> (values * ln.tensor([1.0, 2.0, 3.0])).sum().backward(); x.grad
    tensor([3., 1., 2.])
    """

    materialize_grads = True

    def save_for_backward(self, *tensors) -> None:
        """Keep input or output Tensors (or None) for backward, read back as ``ctx.saved_tensors``.

        Saving through this method (rather than as attributes) lets backward detect that a saved tensor
        was changed in place after the forward, as PyTorch does. Other values (integers, shapes) go on
        ``ctx`` as attributes.

        Raises
        ------
        TypeError
            If an argument is neither a Tensor nor None.
        """
        for k, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save Tensors (or None), but "
                                f"argument {k} is a {type(t).__name__}; keep other values as "
                                "attributes of ctx (ctx.k = k)")
        self._saved_tensors = tensors
        # the arrays too, so the engine's version check sees an in-place change of them
        self.saved = tuple(t.data for t in tensors if t is not None)

    @property
    def saved_tensors(self) -> tuple:
        """The tuple of Tensors given to `save_for_backward`, in order (empty if none were saved)."""
        return getattr(self, "_saved_tensors", ())

    def mark_non_differentiable(self, *tensors) -> None:
        """These outputs get no gradient (``requires_grad=False``); backward receives zeros
        for them."""
        self._non_differentiable = {id(t) for t in tensors}

    def set_materialize_grads(self, value: bool) -> None:
        """``False``: backward receives None (not zeros) for outputs that got no gradient."""
        self.materialize_grads = bool(value)

    def mark_dirty(self, *tensors) -> None:
        """Not supported: in-place custom Functions. Always raises NotImplementedError; compute on a copy
        (``x.clone()``) in forward and return the new tensor instead.
        """
        raise NotImplementedError(
            "in-place custom Functions (ctx.mark_dirty) are not supported by lucidnet; return a "
            "new tensor from forward (e.g. compute on x.clone()) instead of changing an input")


def once_differentiable(fn):
    """PyTorch's decorator for a backward that is not itself differentiable. lucidnet never
    differentiates a backward (no create_graph), so it returns ``fn`` unchanged.

    Parameters
    ----------
    fn : callable
        A ``backward`` static method (put the decorator under ``@staticmethod``).

    Examples
    --------
    >>> from lucidnet.autograd.function import Function, once_differentiable
    >>> class Double(Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         return x * 2
    ...     @staticmethod
    ...     @once_differentiable
    ...     def backward(ctx, g):
    ...         return g * 2
    >>> x = ln.tensor([1.0], requires_grad=True)
    >>> Double.apply(x).sum().backward(); x.grad
    tensor([2.])
    >>> once_differentiable(len) is len
    True
    """
    return fn


def _apply_custom(cls, *args, **kwargs):
    """``MyFn.apply(...)`` for a PyTorch-style Function: forward on Tensors without recording,
    then one node for the whole call whose backward calls ``MyFn.backward`` on Tensors."""
    needs = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
    ctx = FunctionCtx(needs)
    ctx._input_meta = tuple((a.shape, a.data.dtype) if isinstance(a, Tensor) else None
                            for a in args)
    with _grad_mode(False):
        if _has_setup_context(cls):
            out = cls.forward(*args, **kwargs)
            cls.setup_context(ctx, args, out)
        else:
            out = cls.forward(ctx, *args, **kwargs)
    single = not isinstance(out, tuple)
    outputs = tuple((out,) if single else out)
    for k, o in enumerate(outputs):
        if o is not None and not isinstance(o, Tensor):
            raise TypeError(f"{cls.__name__}.forward must return Tensors (or a tuple of them), "
                            f"but output {k} is a {type(o).__name__}; wrap NumPy results with "
                            "lucidnet.tensor(...)")
    # an output that is an input itself becomes a new tensor over the same memory, as PyTorch
    inputs = {id(a) for a in args if isinstance(a, Tensor)}
    outputs = tuple(_fresh_view(o) if o is not None and id(o) in inputs else o for o in outputs)
    if any(needs) and is_grad_enabled():
        skip = getattr(ctx, "_non_differentiable", ())
        differentiable = [o is not None and id(o) not in skip and o.data.dtype.kind == "f"
                          for o in outputs]
        ctx._cls = cls
        ctx._outputs = tuple((o.shape, o.data.dtype) if o is not None else None
                             for o in outputs)
        ctx._differentiable = differentiable
        parents = tuple(a if isinstance(a, Tensor) else None for a in args)
        _record(cls, ctx, parents, outputs, differentiable)
    return outputs[0] if single else outputs


def _fresh_view(t: Tensor) -> Tensor:
    v = Tensor._wrap(t.data)
    v._alias = t
    return v


def _no_setup_context(ctx, inputs, output):  # pragma: no cover - marker only
    """PyTorch's newer form of a custom Function: ``forward(*args)`` without ``ctx``, plus
    ``setup_context(ctx, inputs, output)`` that fills ``ctx`` from the inputs and the output.

    A subclass that defines it is called as ``forward(*args)`` then
    ``setup_context(ctx, args, output)``; this default marks "not defined" (forward takes ``ctx``).
    """
    raise NotImplementedError


# PyTorch's newer style: ``forward(*args)`` without ctx plus ``setup_context(ctx, inputs, output)``
Function.setup_context = staticmethod(_no_setup_context)


def _has_setup_context(cls) -> bool:
    return cls.setup_context is not _no_setup_context


def _record(cls, ctx, parents, outputs, differentiable) -> None:
    """Attach the graph node: on the one differentiable output directly; with several, on a
    hidden packed tensor (all their values, flattened) that each output slices."""
    node_fn = cls._node_fn
    live = [o for o, d in zip(outputs, differentiable) if d]
    ctx.epoch = _CLOCK[0]
    if len(live) == 1 and len(outputs) == 1:
        o = live[0]
        o._fn, o._ctx, o._parents, o.requires_grad = node_fn, ctx, parents, True
        return
    if not live:
        return
    dtype = np.result_type(*[o.data.dtype for o in live])
    sizes = [o.data.size if d else 0 for o, d in zip(outputs, differentiable)]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    packed = Tensor._wrap(np.empty(int(offsets[-1]), dtype), requires_grad=True)
    packed._fn, packed._ctx, packed._parents = node_fn, ctx, parents
    ctx._offsets = offsets
    for k, (o, d) in enumerate(zip(outputs, differentiable)):
        if d:
            part = Context((True,))
            part.span = (int(offsets[k]), int(offsets[k + 1]), int(offsets[-1]))
            part.epoch = ctx.epoch
            o._fn, o._ctx, o._parents, o.requires_grad = _Unpack, part, (packed,), True
            o.__dict__["_packed"] = packed  # grad_fn shows the Function's node, also once freed


class _Unpack(Function):
    """One output of a multi-output custom Function: a slice of the hidden packed tensor."""

    array_io = True
    _packed_output_of = True

    @staticmethod
    def backward(ctx, g):
        a, b, n = ctx.span
        full = np.zeros(n, g.dtype)
        full[a:b] = g.reshape(-1)
        return full


def _custom_node_fn(cls):
    """The array-style node the engine runs for ``cls``: it wraps the gradient arrays as
    Tensors, calls ``cls.backward`` and checks what comes back."""
    return type(f"{cls.__name__}Node", (Function,), {
        "array_io": True, "backward": staticmethod(_custom_backward),
        "_backward_name": f"{cls.__name__}Backward", "__module__": __name__,
        "__qualname__": f"{cls.__qualname__}.Node", "_custom_cls": cls})


def _custom_backward(ctx, g):
    cls = ctx._cls
    grads = []
    offsets = getattr(ctx, "_offsets", None)
    for k, (meta, d) in enumerate(zip(ctx._outputs, ctx._differentiable)):
        if meta is None:
            grads.append(None)
            continue
        shape, dtype = meta
        if offsets is None:
            grads.append(Tensor._wrap(g))
        elif d:  # an output that got no gradient has zeros in its slice
            grads.append(Tensor._wrap(g[offsets[k]:offsets[k + 1]].reshape(shape)))
        else:
            grads.append(Tensor._wrap(np.zeros(shape, dtype)) if ctx.materialize_grads else None)
    with _grad_mode(False):
        result = cls.backward(ctx, *grads)
    result = result if isinstance(result, tuple) else (result,)
    needs = ctx.needs_input_grad
    name = f"{cls.__name__}Backward"
    if len(result) != len(needs):
        # trailing Nones may be left off only where PyTorch allows it: not at all
        raise RuntimeError(f"function {name} returned an incorrect number of gradients "
                           f"(expected {len(needs)}, got {len(result)})")
    out = []
    for k, (r, need) in enumerate(zip(result, needs)):
        if r is not None and ctx._input_meta[k] is None:
            raise RuntimeError(f"function {name} returned a gradient different than None at "
                               f"position {k}, but the corresponding forward input was not a "
                               "Tensor; return None for it")
        if r is None or not need:
            out.append(None)
            continue
        arr = r.data if isinstance(r, Tensor) else None
        if arr is None:
            raise TypeError(f"function {name} returned a {type(r).__name__} as gradient {k}; "
                            "return a Tensor (or None)")
        out.append(arr)
    return _fit_to_inputs(ctx, name, tuple(out))


def _fit_to_inputs(ctx, name, grads):
    """PyTorch's check of a custom backward's gradients: the shape of the input (a broadcast
    one is summed down to it), cast to the input's dtype."""
    shapes = ctx._input_meta
    fitted = []
    for k, (arr, meta) in enumerate(zip(grads, shapes)):
        if arr is None:
            fitted.append(None)
            continue
        shape, dtype = meta
        if arr.shape != shape:
            try:
                np.broadcast_shapes(arr.shape, shape)
                ok = np.broadcast_shapes(arr.shape, shape) == arr.shape
            except ValueError:
                ok = False
            if not ok:
                raise RuntimeError(f"Function {name} returned an invalid gradient at index {k} - "
                                   f"got {list(arr.shape)} but expected shape compatible with "
                                   f"{list(shape)}")
            arr = unbroadcast(arr, shape)
        if arr.dtype != dtype:
            arr = arr.astype(dtype)
        fitted.append(arr)
    return tuple(fitted)
