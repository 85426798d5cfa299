"""`Tensor`: a NumPy array that remembers how it was made, so it can backpropagate.

Reverse-mode differentiation: every op records its inputs and a backward rule; ``loss.backward()``
visits the graph once in reverse topological order (iteratively, so deep graphs never hit the
recursion limit), applies the chain rule and accumulates ``.grad`` on the leaves that require it.
"""

from __future__ import annotations

import contextlib
import functools
import numbers
import threading

import numpy as np

from .data_array import DataArray, as_data_array

__all__ = [
    "Tensor",
    "tensor",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "set_grad_enabled",
    "inference_mode",
    "is_inference_mode_enabled",
    "set_default_dtype",
    "get_default_dtype",
]

_state = threading.local()
_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_default_dtype = [np.dtype(np.float32)]


def is_grad_enabled() -> bool:
    """Whether operations record the autograd graph now (False inside `no_grad` / `inference_mode`).

    Examples
    --------
    >>> ln.is_grad_enabled()
    True
    >>> with ln.no_grad():
    ...     ln.is_grad_enabled()
    False
    """
    return getattr(_state, "grad_enabled", True)


def _set_grad_enabled(enabled: bool) -> None:
    _state.grad_enabled = enabled


@contextlib.contextmanager
def _grad_mode(enabled: bool):
    previous = is_grad_enabled()
    _state.grad_enabled = enabled
    try:
        yield
    finally:
        _state.grad_enabled = previous


class _GradModeContext:
    """A grad-mode switch usable as ``with ...:`` and as a decorator (``@no_grad()`` and, as in
    PyTorch, ``@no_grad`` without parentheses). Each decorated call gets its own context."""

    def __new__(cls, *args, **kwargs):
        if len(args) == 1 and not kwargs and callable(args[0]) and not isinstance(args[0], bool):
            return cls()(args[0])  # bare decorator: @no_grad
        return super().__new__(cls)

    def _mode(self) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def __enter__(self):
        self._previous = is_grad_enabled()
        _state.grad_enabled = self._mode()
        return None

    def __exit__(self, *exc) -> bool:
        _state.grad_enabled = self._previous
        return False

    def clone(self):
        return type(self)()

    def __call__(self, func):
        context = self.clone

        @functools.wraps(func)
        def decorated(*args, **kwargs):
            with context():
                return func(*args, **kwargs)

        return decorated


class no_grad(_GradModeContext):
    """Context manager (and decorator) for inference: ops record no graph.

    Examples
    --------
    >>> x = ln.tensor([1.0], requires_grad=True)
    >>> with ln.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    def _mode(self) -> bool:
        return False


class enable_grad(_GradModeContext):
    """Context manager (and decorator) that turns graph recording back on inside no_grad.

    Examples
    --------
    >>> x = ln.tensor([1.0], requires_grad=True)
    >>> with ln.no_grad():
    ...     with ln.enable_grad():
    ...         y = x * 2
    >>> y.requires_grad
    True
    """

    def _mode(self) -> bool:
        return True


class inference_mode(_GradModeContext):
    """``inference_mode(mode=True)``: as `no_grad` (lucidnet has no separate inference tensors);
    ``inference_mode(False)`` leaves the grad mode as it is.

    Examples
    --------
    >>> x = ln.tensor([1.0], requires_grad=True)
    >>> with ln.inference_mode():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    def __init__(self, mode: bool = True):
        self.mode = bool(mode)

    def _mode(self) -> bool:
        return is_grad_enabled() and not self.mode

    def __enter__(self):
        self._previous_inference = getattr(_state, "inference", False)
        _state.inference = self.mode
        return super().__enter__()

    def __exit__(self, *exc) -> bool:
        _state.inference = self._previous_inference
        return super().__exit__(*exc)

    def clone(self):
        """A new context manager with the same mode (used when it decorates a function)."""
        return type(self)(self.mode)


def is_inference_mode_enabled() -> bool:
    """Whether the code runs inside `inference_mode` (no graph, as PyTorch's).

    Examples
    --------
    >>> ln.is_inference_mode_enabled()
    False
    >>> with ln.inference_mode():
    ...     ln.is_inference_mode_enabled()
    True
    """
    return getattr(_state, "inference", False)


class set_grad_enabled(_GradModeContext):
    """``set_grad_enabled(mode)`` switches recording on or off at once (as a call); as a
    context manager or decorator it restores the previous mode afterwards, as PyTorch.

    Examples
    --------
    >>> x = ln.tensor([1.0], requires_grad=True)
    >>> with ln.set_grad_enabled(False):
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    def __new__(cls, mode):
        return object.__new__(cls)

    def __init__(self, mode: bool):
        if not isinstance(mode, (bool, np.bool_)):
            raise TypeError(f"set_grad_enabled(mode) expects a bool, got {mode!r}")
        self._previous = is_grad_enabled()
        self.mode = bool(mode)
        _state.grad_enabled = self.mode

    def _mode(self) -> bool:
        return self.mode

    def __enter__(self):
        return None  # the mode is already set; __exit__ restores the one before

    def __call__(self, func):
        _state.grad_enabled = self._previous  # decorating must not change the mode now
        return super().__call__(func)

    def clone(self):
        """A new context manager with the same mode (used when it decorates a function)."""
        return _SetGradEnabledScope(self.mode)


class _SetGradEnabledScope(_GradModeContext):
    def __new__(cls, mode):
        return object.__new__(cls)

    def __init__(self, mode: bool):
        self.mode = mode

    def _mode(self) -> bool:
        return self.mode


def set_default_dtype(dtype) -> None:
    """Set the floating dtype new tensors and parameters get: float32 (default) or float64.

    Examples
    --------
    >>> ln.set_default_dtype(ln.float64)
    >>> ln.tensor([1.0]).dtype
    dtype('float64')
    >>> ln.set_default_dtype(ln.float32)                  # back to the default
    """
    dt = np.dtype(dtype)
    if dt not in _FLOAT_DTYPES:
        raise ValueError(f"set_default_dtype expects float32 or float64, got {dt}")
    _default_dtype[0] = dt


def get_default_dtype() -> np.dtype:
    """The floating-point dtype that new tensors get from Python floats (float32 unless changed by
    `set_default_dtype`).

    Examples
    --------
    >>> ln.get_default_dtype()
    dtype('float32')
    """
    return _default_dtype[0]


def _as_array(data, dtype=None) -> np.ndarray:
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        return np.array(data, dtype=dtype)
    if isinstance(data, (np.ndarray, np.generic)):
        return np.array(data, copy=True)  # NumPy data keeps its dtype, as torch.tensor does
    arr = np.array(data)
    if arr.dtype.kind == "f" or (arr.dtype.kind in "iub" and isinstance(data, float)):
        arr = arr.astype(get_default_dtype())  # Python floats / lists follow the default dtype
    return arr


def tensor(data, dtype=None, requires_grad: bool = False) -> Tensor:
    """Make a new leaf tensor from data (a copy). Python floats become the default dtype;
    a NumPy array keeps its dtype, as in PyTorch.

    Examples
    --------
    >>> from lucidnet.autograd.tensor import tensor
    >>> tensor([1.0, 2.0], requires_grad=True)
    tensor([1., 2.], requires_grad=True)
    """
    return Tensor(_as_array(data, dtype), requires_grad=requires_grad)


class Tensor:
    """An n-dimensional array with an optional gradient.

    Attributes
    ----------
    data : np.ndarray
        The values. Deliberate difference from PyTorch: ``t.data`` is the NumPy array itself
        (PyTorch gives a Tensor that shares the memory), so NumPy code reads and writes it
        directly. ``t.data = array`` swaps the array (shape and dtype may change, no version
        bump, nothing recorded), as PyTorch's ``t.data = ...``.
    grad : Tensor or None
        dL/dt after ``backward()``, a Tensor as in PyTorch (``p.grad.zero_()``, ``p.grad.data``,
        ``p.grad = None``). Assigning checks the shape and dtype; a NumPy array is wrapped.
    requires_grad : bool
        Whether ops on this tensor are recorded so ``backward()`` reaches it (floating dtypes
        only).
    grad_fn : Node or None
        The graph node that made this tensor (None for leaves), with ``name()`` and
        ``next_functions``.

    Notes
    -----
    Make tensors with ``lucidnet.tensor(data)`` (it infers the dtype as PyTorch does) or the
    factories (``zeros``, ``ones``, ``rand``, ...). ``Tensor(data)`` itself is PyTorch's legacy
    constructor: a list gives a float32 tensor, ``Tensor(2, 3)`` an uninitialized 2 x 3 one.
    After ``loss.backward()`` every leaf x with ``requires_grad=True`` holds
    ``x.grad = dloss/dx``, accumulated (added) over backward calls until reset.

    Examples
    --------
    >>> w = ln.tensor([1.0, 2.0], requires_grad=True)
    >>> loss = (w * w).sum()                 # loss = w1^2 + w2^2
    >>> loss.backward(); w.grad              # dloss/dw = 2w
    tensor([2., 4.])
    >>> loss.grad_fn.name(), w.is_leaf, w.grad_fn is None
    ('SumBackward0', True, True)
    >>> ln.Tensor([1, 2]), ln.Tensor(2, 3).shape       # the legacy constructor: float32
    (tensor([1., 2.]), torch.Size([2, 3]))
    """

    __array_priority__ = 1000  # so `ndarray + Tensor` calls Tensor.__radd__
    __slots__ = ("data", "_grad", "requires_grad", "_ctx", "_fn", "_parents", "_retain", "__dict__",
                 "__weakref__")
    # rarely set, so class-level defaults: making a tensor (the hot path) costs nothing more
    _version = 0  # bumped by every in-place change (PyTorch's version counter)
    _changed_at = 0  # the in-place clock (_CLOCK) at the last in-place change
    _prev = None  # (tensor holding the graph node before an in-place op, clock then)
    _alias = None  # the tensor whose memory this one views (detach, reshape, ...)
    _hooks = None  # {handle id: hook} once register_hook is called (graph.py)
    _post_hooks = None  # {handle id: hook} of register_post_accumulate_grad_hook

    def __init__(self, data=(), *sizes, requires_grad: bool = False, dtype=None):
        if not isinstance(data, np.ndarray):
            data, requires_grad = _legacy_data(data, sizes, requires_grad, dtype)
        else:
            if sizes:
                requires_grad = _positional_flag(sizes, requires_grad)
            if dtype is not None:  # a copy in that dtype, as before
                data = _as_array(data, dtype)
        if requires_grad and data.dtype.kind != "f":
            raise TypeError(
                f"only floating-point tensors can require gradients, got dtype {data.dtype}; "
                "convert with .float() or pass dtype=float32"
            )
        self.data = data
        self._grad: Tensor | None = None
        self.requires_grad = bool(requires_grad)
        self._ctx = None
        self._fn = None
        self._parents: tuple = ()
        self._retain = False

    @classmethod
    def _wrap(cls, array, requires_grad=False) -> Tensor:
        t = cls.__new__(cls)
        t.data = array if isinstance(array, np.ndarray) else np.asarray(array)
        t._grad = None
        t.requires_grad = requires_grad
        t._ctx = None
        t._fn = None
        t._parents = ()
        t._retain = False
        return t

    # ----------------------------------------------------------------- gradient
    # ``_grad`` holds None, a Tensor, or -- straight from backward, until someone reads
    # ``.grad`` -- the bare array: backward and the optimizers then never wrap (see _grad_array)
    @property
    def grad(self) -> Tensor | None:
        """The gradient dL/dx accumulated by `backward` (same shape and dtype as the tensor), or None.

        Backward adds into it: call ``zero_grad`` (or set it to None) between steps. Assigning checks
        the shape and the dtype.

        Examples
        --------
        >>> x = ln.tensor([1.0, 2.0], requires_grad=True)
        >>> (x ** 2).sum().backward()                  # d/dx sum x^2 = 2x
        >>> x.grad
        tensor([2., 4.])
        """
        g = self._grad
        if g.__class__ is np.ndarray:  # its .data takes Tensor methods: p.grad.data.zero_()
            g = self._grad = Tensor._wrap(g.view(DataArray))
        return g

    @grad.setter
    def grad(self, value) -> None:
        if value is None:
            self._grad = None
            return
        if isinstance(value, np.ndarray):  # internal code and NumPy users: wrap, no copy
            value = Tensor._wrap(as_data_array(value))
        elif not isinstance(value, Tensor):
            raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                            f"{type(value).__name__}")
        if value.data.shape != self.data.shape:
            raise RuntimeError(f"attempting to assign a gradient of size {list(value.shape)} to a "
                               f"tensor of size {list(self.shape)}. Please ensure that the gradient "
                               "and the tensor are the same size")
        if value.data.dtype != self.data.dtype:
            raise RuntimeError(f"attempting to assign a gradient with dtype {value.dtype} to a "
                               f"tensor with dtype {self.dtype}; convert it first, e.g. "
                               f"p.grad = g.to(lucidnet.{self.dtype})")
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def grad_fn(self):
        """The node that made this tensor (None for a leaf): ``name()`` such as 'MulBackward0'
        and ``next_functions``, a tuple of ``(node, 0)`` pairs, one per input (``None`` for an
        input that needs no gradient, ``AccumulateGrad`` for a leaf that does)."""
        if self._fn is None:
            return None
        from .graph import node_of

        return node_of(self)

    def register_hook(self, hook):
        """Call ``hook(grad)`` with this tensor's gradient during backward; a Tensor it returns
        replaces the gradient. Works on leaves (before ``.grad`` accumulates) and on
        intermediate tensors. Returns a handle whose ``remove()`` unregisters the hook."""
        from .graph import add_hook

        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        return add_hook(self, hook)

    # ----------------------------------------------------------------- basic properties
    @property
    def dtype(self) -> np.dtype:
        """The element type (a NumPy dtype: float32, float64, int64, bool...).

        Examples
        --------
        >>> ln.tensor([1.0]).dtype, ln.tensor([1]).dtype
        (dtype('float32'), dtype('int64'))
        """
        return self.data.dtype

    @property
    def ndim(self) -> int:
        """The number of dimensions: ``len(t.shape)`` (0 for a scalar)."""
        return self.data.ndim

    @property
    def is_leaf(self) -> bool:
        """True for a tensor made by the user (not by an op that recorded it): only leaves that require a
        gradient get ``.grad`` filled by backward.

        Examples
        --------
        >>> x = ln.tensor([1.0], requires_grad=True)
        >>> x.is_leaf, (x * 2).is_leaf
        (True, False)
        """
        return self._fn is None

    def numpy(self) -> np.ndarray:
        """The tensor's NumPy array (shared memory, no copy; use ``.detach().numpy()`` by habit).

        Examples
        --------
        >>> ln.tensor([1.0, 2.0]).numpy()
        array([1., 2.], dtype=float32)
        """
        data = self.data
        # a parameter's or gradient's .data is a DataArray (it takes .zero_(), .normal_(), ...);
        # .numpy() is a plain ndarray view of the same memory, as in PyTorch
        return data if type(data) is np.ndarray else data.view(np.ndarray)

    def tolist(self):
        """The values as (nested) Python lists of Python numbers (a scalar for a 0-d tensor).

        Examples
        --------
        >>> ln.tensor([[1, 2], [3, 4]]).tolist()
        [[1, 2], [3, 4]]
        """
        return self.data.tolist()

    def detach(self) -> Tensor:
        """A new tensor sharing the data, cut from the graph (an in-place change to it counts as
        one to this tensor too, as PyTorch's shared version counter)."""
        t = Tensor._wrap(self.data)
        t._alias = self
        return t

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place (only on leaves, as PyTorch); returns the tensor."""
        flag = bool(requires_grad)
        if flag and self.data.dtype.kind != "f":
            from .creation import GradDtypeError  # a RuntimeError (PyTorch) and a TypeError

            raise GradDtypeError(f"only Tensors of floating point dtype can require gradients, "
                                 f"got {self.dtype}; convert with .float() first")
        if not flag and self._fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        self.requires_grad = flag
        return self

    def detach_(self) -> Tensor:
        """Cut this tensor from the graph in place: it becomes a leaf that needs no gradient."""
        if self._alias is not None and self._fn is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self._fn, self._ctx, self._parents = None, None, ()
        self.requires_grad = False
        self.__dict__.pop("_node", None)
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor after backward (a no-op on a leaf)."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        self._retain = True

    @property
    def retains_grad(self) -> bool:
        """Does this non-leaf tensor keep its ``.grad`` (``retain_grad()`` was called)?"""
        return self._retain and self._fn is not None

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(tensor)`` after backward has accumulated into this leaf's ``.grad``
        (PyTorch's hook for optimizer-in-backward); returns a handle with ``remove()``."""
        from .graph import add_hook

        if self._fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                               "tensors")
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        return add_hook(self, hook, post=True)

    def __bool__(self) -> bool:
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.data)

    def __int__(self) -> int:
        return int(self.data)

    def __array__(self, dtype=None, copy=None):
        """NumPy's array protocol (NumPy 2): ``copy=True`` always copies (``np.array(t)``),
        ``copy=None`` copies only to change the dtype (``np.asarray(t)`` shares the memory),
        ``copy=False`` never copies and raises ValueError when a copy is needed."""
        if copy:
            return np.array(self.data, dtype=dtype, copy=True)
        if dtype is None or np.dtype(dtype) == self.data.dtype:
            return self.data
        if copy is False:
            raise ValueError(f"np.asarray(tensor, dtype={np.dtype(dtype)}, copy=False): a "
                             f"{self.data.dtype} tensor needs a copy to become {np.dtype(dtype)}")
        return self.data.astype(dtype)

    def __hash__(self):
        return id(self)

    # ----------------------------------------------------------------- backpropagation
    def backward(self, gradient=None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs=None) -> None:
        """Backpropagate from this tensor.

        ``gradient`` is dL/dself; it may be omitted for a scalar (then it is 1).
        Gradients accumulate into ``.grad`` of leaves with ``requires_grad=True`` (only into
        those of ``inputs`` when it is given, as PyTorch). The graph is freed on the way: a
        second backward through it raises RuntimeError unless the first one passed
        ``retain_graph=True``. A tensor that a backward rule needs and that was changed in place
        since the forward pass raises RuntimeError too. ``create_graph=True`` (higher-order
        gradients) is not supported: the backward rules compute on NumPy arrays.
        """
        if create_graph:
            raise NotImplementedError(_CREATE_GRAPH_MESSAGE)
        seed = self._seed(gradient)
        only = None
        if inputs is not None:
            inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
            if not inputs:
                raise RuntimeError("backward(inputs=...): 'inputs' argument to backward() cannot "
                                   "be empty")
            only = {id(t) for t in inputs}
        _run_backward((self,), (seed,), bool(retain_graph), only=only)

    def _seed(self, gradient) -> np.ndarray:
        """The starting gradient dL/dself for a backward from this tensor."""
        if not self.requires_grad:
            raise RuntimeError(
                "backward() called on a tensor that does not require grad: no input of the "
                "computation had requires_grad=True (or it ran under no_grad())"
            )
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward() without a gradient needs a scalar output, got shape {self.shape}; "
                    "pass gradient=... of the same shape or reduce with .sum()/.mean()"
                )
            return np.ones_like(self.data)
        seed = np.asarray(gradient.data if isinstance(gradient, Tensor) else gradient,
                          dtype=self.dtype)
        if seed.shape != self.data.shape:
            raise ValueError(f"gradient shape {seed.shape} does not match tensor shape {self.shape}")
        return seed

    def _accumulate(self, g: np.ndarray, must_copy: bool = True) -> None:
        if g.dtype != self.data.dtype:
            g, must_copy = g.astype(self.data.dtype), False
        grad = self._grad
        if grad is None:
            # a fresh array from a backward rule is owned by nobody else: keep it without a copy
            # (bare: the `grad` property wraps it on first access)
            self._grad = np.array(g, copy=True) if must_copy or g.__class__ is not np.ndarray \
                or g.shape != self.data.shape else g
        elif grad.__class__ is np.ndarray:
            grad += g  # in place, as PyTorch accumulates into an existing .grad
        else:
            grad.data += g

    # ----------------------------------------------------------------- operators
    def _operand(self, other):
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (numbers.Number, np.number)) or (
            isinstance(other, np.ndarray) and other.ndim == 0
        ):
            # scalars take the tensor's dtype: no silent upcast of float32 to float64
            return np.asarray(other, dtype=self.dtype if self.dtype.kind == "f" else None)
        return np.asarray(other)

    # in-place arithmetic mutates ``data`` (PyTorch semantics): `with no_grad(): p -= lr * p.grad`
    # updates the parameter itself. ``@=`` is not defined, so it rebinds, as in PyTorch.
    def __iadd__(self, other):
        return self._inplace(np.add, "Add", other)

    def __isub__(self, other):
        return self._inplace(np.subtract, "Sub", other)

    def __imul__(self, other):
        return self._inplace(np.multiply, "Mul", other)

    def __itruediv__(self, other):
        return self._inplace(np.divide, "Div", other)

    def __ipow__(self, other):
        return self._inplace(np.power, "Pow", other)

    # the named in-place methods (add_, mul_, clamp_, fill_, copy_, normal_ ...): inplace.py

    def __setitem__(self, index, value):
        """``t[index] = value`` in place (outside the graph, e.g. under no_grad)."""
        self._check_inplace(getattr(value, "requires_grad", False))
        if isinstance(index, Tensor):
            index = index.data
        self.data[index] = value.data if isinstance(value, Tensor) else value
        self._bump_version()

    def _in_graph(self, other_requires_grad: bool) -> bool:
        return is_grad_enabled() and (self.requires_grad or other_requires_grad)

    def _check_inplace(self, other_requires_grad: bool) -> None:
        """In-place changes of this kind are allowed only outside the autograd graph."""
        if not self._in_graph(other_requires_grad):
            return
        if self.requires_grad and self._fn is None:
            raise RuntimeError(_LEAF_MESSAGE)
        raise RuntimeError(
            "this in-place operation is not differentiable here: the tensor (or the value "
            "written) is part of the autograd graph. Run it under `with no_grad():`, or build a "
            "new tensor out of place (e.g. ln.where or x = x + y)."
        )

    def _bump_version(self) -> None:
        _CLOCK[0] += 1
        t = self
        while t is not None:  # a view's change is a change of the tensor it views too
            t._version += 1
            t._changed_at = _CLOCK[0]
            t = t._alias

    def _inplace(self, ufunc, op_name: str, other):
        if not self._in_graph(getattr(other, "requires_grad", False)):
            try:
                ufunc(self.data, other.data if isinstance(other, Tensor) else other, out=self.data)
            except TypeError as exc:  # NumPy refuses, e.g. a float result into an int tensor
                raise TypeError(
                    f"in-place {op_name.lower()} cannot store its result in this {self.dtype} "
                    f"tensor ({exc}); write x = x {_SYMBOLS[op_name]} y for a new tensor, or "
                    "convert it first, e.g. x = x.float()"
                ) from None
            self._bump_version()
            return self
        return self._inplace_in_graph(getattr(_ops(), op_name), self._operand(other))

    def _inplace_in_graph(self, fn, *operands, **kwargs):
        """Differentiable in-place op, as PyTorch rebases history: the earlier graph node moves to
        a stand-in tensor holding a copy of the old values, and this tensor becomes the output of
        ``fn(old, *operands, **kwargs)`` (any array-style op whose first input is the tensor
        changed: binary arithmetic, clamp, fill, copy). Consumers made before still see the old
        node (`_graph_parents`)."""
        if self.requires_grad and self._fn is None:
            raise RuntimeError(_LEAF_MESSAGE)
        if self._alias is not None:
            raise RuntimeError(
                "in-place operation on a view of another tensor inside the autograd graph is not "
                "supported; write it out of place (x = x + y) or .clone() the view first"
            )
        old = Tensor._wrap(self.data.copy(), requires_grad=self.requires_grad)
        old._fn, old._ctx, old._parents, old._prev = self._fn, self._ctx, self._parents, self._prev
        new = fn.apply(old, *operands, **kwargs)
        if new.data.shape != self.data.shape:  # refused before anything of self is touched
            raise ValueError(f"in-place operation: output with shape {self.shape} doesn't match "
                             f"the broadcast shape {new.shape}")
        if not np.can_cast(new.data.dtype, self.data.dtype, casting="same_kind"):
            raise TypeError(f"in-place operation: result type {new.data.dtype} can't be cast to "
                            f"this tensor's dtype {self.data.dtype}; write it out of place")
        if old._ctx not in (None, _FREED) and _shares_saved_memory(old._ctx, self.data):
            old._ctx.stale = True  # its saved output is this data, overwritten below
        np.copyto(self.data, new.data, casting="same_kind")
        _REBASED[0] = True  # from now on backward looks up the node each consumer saw
        self._prev = (old, _CLOCK[0])  # nodes made until now consumed the old values
        self._bump_version()
        self._fn, self._ctx, self._parents = new._fn, new._ctx, new._parents
        self._ctx.epoch = _CLOCK[0]  # its saved arrays (old's copy, other) are intact
        self.requires_grad = True
        return self

    # ----------------------------------------------------------------- the rest
    # Arithmetic, comparisons, math, reductions, shapes, conversions and printing are not written
    # here: each op module registers its methods in the one table (registry.py), and
    # lucidnet.autograd installs them on this class.
    def clone(self) -> Tensor:
        """A copy of the data that stays in the graph (the gradient passes through unchanged)."""
        from .ops.elementwise import Clone

        return Clone.apply(self)


def _grad_array(t: Tensor):
    """``t.grad``'s array (or None) without wrapping it: the optimizers' fast path."""
    g = t._grad
    return g if g is None or g.__class__ is np.ndarray else g.data


def _positional_flag(sizes, requires_grad):
    """``Tensor(data, True)``: the older positional requires_grad."""
    if len(sizes) == 1 and isinstance(sizes[0], bool):
        return sizes[0]
    raise TypeError("Tensor(data, ...) takes one data argument; pass requires_grad= and dtype= by "
                    "keyword (sizes alone, Tensor(2, 3), make an empty tensor of that shape)")


def _legacy_data(data, sizes, requires_grad, dtype):
    """PyTorch's legacy ``torch.Tensor(...)`` constructor: ``Tensor(2, 3)`` (sizes) is a
    (2, 3) tensor of the default dtype (zeros here: PyTorch leaves it uninitialised),
    ``Tensor([1, 2])`` (a sequence) converts to the default float dtype, ``Tensor()`` is empty.
    NumPy arrays keep their dtype (see `Tensor`)."""
    if isinstance(data, int) and not isinstance(data, bool) and all(
            isinstance(n, int) and not isinstance(n, bool) for n in sizes):
        shape = (data, *sizes)
        if any(n < 0 for n in shape):
            raise RuntimeError(f"Trying to create tensor with negative dimension: {list(shape)}")
        return np.zeros(shape, dtype=dtype or get_default_dtype()), requires_grad
    if sizes:
        requires_grad = _positional_flag(sizes, requires_grad)
    if dtype is None and isinstance(data, (list, tuple)):
        array = _as_array(data)
        if array.dtype.kind in "iub":
            return array.astype(get_default_dtype()), requires_grad
        return array, requires_grad
    return _as_array(data, dtype), requires_grad


def _dim_error(axis, ndim) -> IndexError:
    low, high = (-ndim, ndim - 1) if ndim else (-1, 0)
    return IndexError(f"Dimension out of range (expected to be in range of [{low}, {high}], "
                      f"but got {axis})")


def _one_axis(axis, ndim) -> int:
    """One dim checked against ``ndim`` (IndexError naming the valid range) and made >= 0."""
    if isinstance(axis, bool) or not isinstance(axis, (numbers.Integral, np.integer)):
        raise TypeError(f"a dimension must be an integer, got {axis!r}")
    bound = max(ndim, 1)  # a 0-d tensor accepts dim 0 and -1, as in PyTorch
    if not -bound <= axis < bound:
        raise _dim_error(axis, ndim)
    return int(axis) % bound


_LEAF_MESSAGE = (
    "a leaf Variable that requires grad is being used in an in-place operation. Update "
    "parameters under `with no_grad():` (as an optimizer step does), or write x = x + y for a "
    "new tensor."
)
_SYMBOLS = {"Add": "+", "Sub": "-", "Mul": "*", "Div": "/", "Pow": "**"}
_CLOCK = [0]  # counts in-place changes of any tensor (a node notes it when made)
_REBASED = [False]  # has any in-place op inside a graph moved a node (see _graph_parents)?
class _Freed:
    """The _ctx of a node whose saved arrays a backward has released (one object, also after
    a copy)."""

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        return "_FREED"


_FREED = _Freed()
_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you "
    "call .backward(). Specify retain_graph=True if you need to backward through the graph a "
    "second time, or compute the forward pass again."
)


def _graph_parents(node) -> tuple:
    """node's inputs as the graph saw them when node was made: a parent changed in place inside
    the graph since then moved its earlier node to a stand-in tensor (``_prev``)."""
    parents = node._parents
    for p in parents:
        if p is not None and p._prev is not None:
            return tuple(_as_seen(p, node._ctx.epoch) for p in parents)
    return parents


def _as_seen(p, epoch):
    while p is not None and p._prev is not None and epoch <= p._prev[1]:
        p = p._prev[0]
    return p


def _owner_id(a) -> int:
    """id of the object that owns a's memory (NumPy collapses chains of views to it, or
    nearly: a few steps at most)."""
    base = a.base
    while base is not None:
        a, base = base, getattr(base, "base", None)
    return id(a)


def _shares_saved_memory(ctx, array: np.ndarray) -> bool:
    """Does one of the arrays saved on ctx share memory with ``array``? (Asked only once a
    version changed, so the forward pass pays nothing for it.)"""
    owner = _owner_id(array)
    return any(isinstance(a, np.ndarray) and _owner_id(a) == owner for a in ctx.saved)


def _check_saved_versions(node, ctx) -> None:
    """Raise if an array a backward rule saved was changed in place after the forward pass:
    an input or the output has a newer version and shares memory with a saved array."""
    if ctx.stale:
        raise RuntimeError(_modified_message(node, node, "the output"))
    for p in node._parents:
        if p is not None and p._changed_at > ctx.epoch and _shares_saved_memory(ctx, p.data):
            raise RuntimeError(_modified_message(p, node, "an input"))
    if node._changed_at > ctx.epoch and _shares_saved_memory(ctx, node.data):
        raise RuntimeError(_modified_message(node, node, "the output"))


def _modified_message(t, node, role) -> str:
    return (
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{t.dtype} tensor of shape {t.shape}], which is {role} of "
        f"{_node_name(node._fn)}, is at version {t._version} and was changed after the "
        "forward pass saved it. Write the change out of place (x = x + y instead of x += y), "
        "or .clone() the tensor before changing it."
    )


def _ops():
    from .ops import elementwise

    return elementwise


# ---------------------------------------------------------------------------- the backward engine
_HOOKS = [False]  # has any tensor hook been registered? (graph.add_hook; checked once a backward)
_ANOMALY = [False]  # anomaly detection on? (anomaly.py; checked once a backward)
_CREATE_GRAPH_MESSAGE = (
    "create_graph=True (higher-order gradients) is not supported by lucidnet: its backward rules "
    "compute on NumPy arrays, so a gradient is not itself recorded in a graph. Take a second "
    "derivative by finite differences of the first (lucidnet.autograd.numerical_grad), or write "
    "the first derivative out as a forward expression and backpropagate through that."
)


def _run_backward(roots, seeds, retain_graph: bool, capture=None, only=None):
    """Backpropagate ``seeds`` (arrays, dL/droot) from ``roots`` through the graph.

    Each node is visited once, after all its consumers, so its gradient is complete when it
    runs. Leaves (and ``retain_grad`` tensors) accumulate into ``.grad``; with ``only`` (ids,
    ``backward(inputs=)``) just those tensors do. With ``capture`` (ids, ``autograd.grad``)
    nothing accumulates: the total gradients of those tensors are returned as {id: array}.
    """
    grads: dict = {}
    handed_out = set()  # arrays another tensor may already hold: copy before storing
    for root, seed in zip(roots, seeds):
        key = id(root)
        grads[key] = grads[key] + seed if key in grads else seed
        handed_out.add(id(seed))
    order = _topological_order(roots)
    hooks_on, anomaly = _HOOKS[0], _ANOMALY[0]
    captured: dict = {}
    for node in order:
        g = grads.pop(id(node), None)
        if g is None:
            continue
        if hooks_on and node._hooks:
            g = _run_hooks(node, g, handed_out)
        fn = node._fn
        if capture is not None:
            if id(node) in capture:
                captured[id(node)] = g
                handed_out.add(id(g))
        elif (fn is None or node._retain) if only is None else id(node) in only:
            node._accumulate(g, must_copy=id(g) in handed_out or not g.flags.owndata)
            handed_out.add(id(g))
            if hooks_on and node._post_hooks:
                for hook in tuple(node._post_hooks.values()):
                    hook(node)
        if fn is None:  # a leaf
            continue
        ctx = node._ctx
        if ctx is _FREED:
            raise RuntimeError(_FREED_MESSAGE)
        if ctx.saved and _CLOCK[0] != ctx.epoch:  # something changed in place since
            _check_saved_versions(node, ctx)
        input_grads = fn.backward(ctx, g)
        if not isinstance(input_grads, tuple):
            input_grads = (input_grads,)
        if anomaly:
            _check_nan(fn, input_grads)
        parents = _graph_parents(node) if _REBASED[0] else node._parents
        for parent, pg in zip(parents, input_grads):
            if parent is None or pg is None or not parent.requires_grad:
                continue
            if pg.shape != parent.data.shape:  # invariant: backward rules keep shapes
                raise RuntimeError(
                    f"{_node_name(fn)} returned shape {pg.shape} for an input of shape "
                    f"{parent.shape}"
                )
            key = id(parent)
            if key in grads:
                grads[key] = grads[key] + pg
            else:
                grads[key] = pg
        if not retain_graph:  # free the graph as we go, as PyTorch does
            node._ctx = _FREED
            node._parents = ()
    if capture is None:
        return None
    return {k: np.array(g, copy=True) if id(g) in handed_out or not g.flags.owndata else g
            for k, g in captured.items()}


def _topological_order(roots) -> list:
    """Nodes from the roots back to the leaves; each node after all its consumers (iterative)."""
    order, visited = [], set()
    stack = [(root, False) for root in reversed(roots)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        for parent in _graph_parents(node) if _REBASED[0] else node._parents:
            if parent is not None and parent.requires_grad and id(parent) not in visited:
                stack.append((parent, False))
    order.reverse()
    return order


def _run_hooks(node, g: np.ndarray, handed_out: set) -> np.ndarray:
    """Call node's tensor hooks in order; a Tensor a hook returns replaces the gradient."""
    for hook in tuple(node._hooks.values()):
        out = hook(Tensor._wrap(g))
        if out is None:
            continue
        if not isinstance(out, Tensor):
            raise TypeError(f"a tensor hook must return a Tensor or None, got "
                            f"{type(out).__name__} from {hook!r}")
        if out.data.shape != g.shape:
            raise RuntimeError(f"hook {hook!r} has changed the size of value: it returned shape "
                               f"{out.data.shape} for a gradient of shape {g.shape}")
        g = out.data
        handed_out.add(id(g))  # the hook's caller may hold it: never accumulate into it
    return g


# PyTorch's node name for the library's ops whose class is named otherwise (the rest are
# "<ClassName>Backward0", as PyTorch's own: AddBackward0, ExpBackward0, SumBackward0 ...)
_TORCH_NAMES = {
    "ReLU": "ReluBackward0", "LeakyReLU": "LeakyReluBackward0", "MSE": "MseLossBackward0",
    "Huber": "HuberLossBackward0", "BCE": "BinaryCrossEntropyBackward0",
    "BCEWithLogits": "BinaryCrossEntropyWithLogitsBackward0", "CrossEntropy": "NllLossBackward0",
    "NLL": "NllLossBackward0", "Conv": "ConvolutionBackward0",
    "BatchNorm": "NativeBatchNormBackward0", "LayerNorm": "NativeLayerNormBackward0",
    "GroupNorm": "NativeGroupNormBackward0", "Reshape": "ViewBackward0",
    "Concatenate": "CatBackward0", "Cast": "ToCopyBackward0", "Clamp": "ClampBackward1",
    "Dropout": "MulBackward0", "MatMul": "MmBackward0", "Linear": "AddmmBackward0",
    "MaxAlong": "MaxBackward0", "MinAlong": "MinBackward0", "Max": "MaxBackward1",
    "Min": "MinBackward1", "MaxPool": "MaxPool2DWithIndicesBackward0",
    "AvgPool": "AvgPool2DBackward0", "AdaptiveAvgPool": "AdaptiveAvgPool2DBackward0",
}


def bump_versions(tensors) -> None:
    """``t._bump_version()`` for each tensor, without a method call per tensor (an optimizer
    step over many small parameters runs this for every one of them)."""
    clock = _CLOCK
    for t in tensors:
        clock[0] += 1
        now = clock[0]
        while t is not None:  # a view's change is a change of the tensor it views too
            t._version += 1
            t._changed_at = now
            t = t._alias


def _node_name(fn) -> str:
    """PyTorch's name of a node: 'MulBackward0' (a custom Function's: 'MyFnBackward')."""
    name = getattr(fn, "_backward_name", None)
    if name:
        return name
    if fn.__module__.startswith("lucidnet.autograd.ops"):
        return _TORCH_NAMES.get(fn.__name__) or f"{fn.__name__}Backward0"
    return f"{fn.__name__}Backward0"


def _check_nan(fn, input_grads) -> None:
    """Anomaly mode: the first backward rule that returns a nan names itself."""
    for i, pg in enumerate(input_grads):
        if pg is not None and pg.dtype.kind in "fc" and np.isnan(pg).any():
            raise RuntimeError(f"Function '{_node_name(fn)}' returned nan values in its {i}th "
                               "output.")
