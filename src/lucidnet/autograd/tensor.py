"""`Tensor`: a NumPy array that remembers how it was made, so it can backpropagate (SPEC A1-A3).

Reverse-mode differentiation: every op records its inputs and a backward rule; ``loss.backward()``
visits the graph once in reverse topological order (iteratively, so deep graphs never hit the
recursion limit), applies the chain rule and accumulates ``.grad`` on the leaves that require it.
"""

from __future__ import annotations

import contextlib
import numbers
import threading

import numpy as np

__all__ = [
    "Tensor",
    "tensor",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "set_default_dtype",
    "get_default_dtype",
]

_state = threading.local()
_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_default_dtype = [np.dtype(np.float32)]


def is_grad_enabled() -> bool:
    return getattr(_state, "grad_enabled", True)


@contextlib.contextmanager
def _grad_mode(enabled: bool):
    previous = is_grad_enabled()
    _state.grad_enabled = enabled
    try:
        yield
    finally:
        _state.grad_enabled = previous


def no_grad():
    """Context manager (and decorator) for inference: ops record no graph (SPEC A3)."""
    return _grad_mode(False)


def enable_grad():
    return _grad_mode(True)


def set_default_dtype(dtype) -> None:
    """Set the floating dtype new tensors and parameters get: float32 (default) or float64."""
    dt = np.dtype(dtype)
    if dt not in _FLOAT_DTYPES:
        raise ValueError(f"set_default_dtype expects float32 or float64, got {dt}")
    _default_dtype[0] = dt


def get_default_dtype() -> np.dtype:
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
    a NumPy array keeps its dtype, as in PyTorch."""
    return Tensor(_as_array(data, dtype), requires_grad=requires_grad)


class Tensor:
    """An n-dimensional array with an optional gradient.

    Attributes: ``data`` (np.ndarray), ``grad`` (np.ndarray or None), ``requires_grad``.
    """

    __array_priority__ = 1000  # so `ndarray + Tensor` calls Tensor.__radd__
    __slots__ = ("data", "grad", "requires_grad", "_ctx", "_fn", "_parents", "_retain", "__weakref__")

    def __init__(self, data, requires_grad: bool = False, dtype=None):
        if not isinstance(data, np.ndarray) or dtype is not None:
            data = _as_array(data, dtype)
        if requires_grad and data.dtype.kind != "f":
            raise TypeError(
                f"only floating-point tensors can require gradients, got dtype {data.dtype}; "
                "convert with .float() or pass dtype=float32"
            )
        self.data = data
        self.grad: np.ndarray | None = None
        self.requires_grad = bool(requires_grad)
        self._ctx = None
        self._fn = None
        self._parents: tuple = ()
        self._retain = False

    @classmethod
    def _wrap(cls, array, requires_grad=False) -> Tensor:
        t = cls.__new__(cls)
        t.data = array if isinstance(array, np.ndarray) else np.asarray(array)
        t.grad = None
        t.requires_grad = requires_grad
        t._ctx = None
        t._fn = None
        t._parents = ()
        t._retain = False
        return t

    # ----------------------------------------------------------------- basic properties
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def is_leaf(self) -> bool:
        return self._fn is None

    def __len__(self) -> int:
        return len(self.data)

    def numpy(self) -> np.ndarray:
        return self.data

    def item(self):
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def detach(self) -> Tensor:
        """A new tensor sharing the data, cut from the graph."""
        return Tensor._wrap(self.data)

    def requires_grad_(self, flag: bool = True) -> Tensor:
        if flag and self.data.dtype.kind != "f":
            raise TypeError(f"only floating-point tensors can require gradients, got {self.dtype}")
        self.requires_grad = flag
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor after backward."""
        self._retain = True

    def astype(self, dtype) -> Tensor:
        from .ops.elementwise import Cast

        return Cast.apply(self, dtype=np.dtype(dtype))

    def float(self) -> Tensor:
        return self.astype(np.float32)

    def double(self) -> Tensor:
        return self.astype(np.float64)

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="tensor(")
        extra = "" if self.dtype == get_default_dtype() else f", dtype={self.dtype}"
        if self._fn is not None:
            extra += f", grad_fn=<{self._fn.__name__}Backward>"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    def __bool__(self) -> bool:
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.data)

    def __int__(self) -> int:
        return int(self.data)

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def __hash__(self):
        return id(self)

    # ----------------------------------------------------------------- backpropagation
    def backward(self, gradient=None) -> None:
        """Backpropagate from this tensor (SPEC A1, A2).

        ``gradient`` is dL/dself; it may be omitted for a scalar (then it is 1).
        Gradients accumulate into ``.grad`` of leaves with ``requires_grad=True``.
        """
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
            seed = np.ones_like(self.data)
        else:
            seed = np.asarray(gradient.data if isinstance(gradient, Tensor) else gradient,
                              dtype=self.dtype)
            if seed.shape != self.shape:
                raise ValueError(f"gradient shape {seed.shape} does not match tensor shape {self.shape}")

        order = self._topological_order()
        grads = {id(self): seed}
        handed_out = {id(seed)}  # arrays another tensor may already hold: copy before storing
        for node in order:
            g = grads.pop(id(node), None)
            if g is None:
                continue
            if node._fn is None or node._retain:  # a leaf, or a tensor that keeps its grad
                node._accumulate(g, must_copy=id(g) in handed_out or not g.flags.owndata)
                handed_out.add(id(g))
                if node._fn is None:
                    continue
            input_grads = node._fn.backward(node._ctx, g)
            if not isinstance(input_grads, tuple):
                input_grads = (input_grads,)
            for parent, pg in zip(node._parents, input_grads):
                if parent is None or pg is None or not parent.requires_grad:
                    continue
                if pg.shape != parent.shape:  # internal invariant: backward rules keep shapes
                    raise RuntimeError(
                        f"{node._fn.__name__}.backward returned shape {pg.shape} for an input "
                        f"of shape {parent.shape}"
                    )
                key = id(parent)
                if key in grads:
                    grads[key] = grads[key] + pg
                else:
                    grads[key] = pg
            # free the graph as we go, as PyTorch does without retain_graph
            node._ctx = None
            node._parents = ()
            node._fn = None

    def _accumulate(self, g: np.ndarray, must_copy: bool = True) -> None:
        if g.dtype != self.data.dtype:
            g, must_copy = g.astype(self.data.dtype), False
        if self.grad is None:
            # a fresh array from a backward rule is owned by nobody else: keep it without a copy
            self.grad = np.array(g, copy=True) if must_copy or g.shape != self.shape else g
        else:
            self.grad += g

    def _topological_order(self) -> list:
        """Nodes from this output back to the leaves; each node after all its consumers."""
        order, visited = [], set()
        stack = [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if id(node) in visited:
                continue
            visited.add(id(node))
            stack.append((node, True))
            for parent in node._parents:
                if parent is not None and parent.requires_grad and id(parent) not in visited:
                    stack.append((parent, False))
        order.reverse()
        return order

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

    def __add__(self, other):
        return _ops().Add.apply(self, self._operand(other))

    def __radd__(self, other):
        return _ops().Add.apply(self._operand(other), self)

    def __sub__(self, other):
        return _ops().Sub.apply(self, self._operand(other))

    def __rsub__(self, other):
        return _ops().Sub.apply(self._operand(other), self)

    def __mul__(self, other):
        return _ops().Mul.apply(self, self._operand(other))

    def __rmul__(self, other):
        return _ops().Mul.apply(self._operand(other), self)

    def __truediv__(self, other):
        return _ops().Div.apply(self, self._operand(other))

    def __rtruediv__(self, other):
        return _ops().Div.apply(self._operand(other), self)

    def __pow__(self, exponent):
        return _ops().Pow.apply(self, self._operand(exponent))

    def __rpow__(self, base):
        return _ops().Pow.apply(self._operand(base), self)

    def __neg__(self):
        return _ops().Neg.apply(self)

    def __matmul__(self, other):
        from .ops.linalg import MatMul

        return MatMul.apply(self, self._operand(other))

    def __rmatmul__(self, other):
        from .ops.linalg import MatMul

        return MatMul.apply(self._operand(other), self)

    # comparisons give plain boolean tensors, outside the graph
    def _compare(self, other, fn):
        other = other.data if isinstance(other, Tensor) else other
        return Tensor._wrap(fn(self.data, other))

    def __lt__(self, other):
        return self._compare(other, np.less)

    def __le__(self, other):
        return self._compare(other, np.less_equal)

    def __gt__(self, other):
        return self._compare(other, np.greater)

    def __ge__(self, other):
        return self._compare(other, np.greater_equal)

    def __eq__(self, other):
        return self._compare(other, np.equal)

    def __ne__(self, other):
        return self._compare(other, np.not_equal)

    def __getitem__(self, index):
        from .ops.shape import GetItem

        if isinstance(index, Tensor):
            index = index.data
        elif isinstance(index, tuple):
            index = tuple(i.data if isinstance(i, Tensor) else i for i in index)
        return GetItem.apply(self, index=index)

    # ----------------------------------------------------------------- math methods
    def exp(self):
        return _ops().Exp.apply(self)

    def log(self):
        return _ops().Log.apply(self)

    def sqrt(self):
        return _ops().Sqrt.apply(self)

    def abs(self):
        return _ops().Abs.apply(self)

    def clip(self, min=None, max=None):
        return _ops().Clip.apply(self, low=min, high=max)

    clamp = clip

    def sigmoid(self):
        from .ops.activation import Sigmoid

        return Sigmoid.apply(self)

    def tanh(self):
        from .ops.activation import Tanh

        return Tanh.apply(self)

    def relu(self):
        from .ops.activation import ReLU

        return ReLU.apply(self)

    # ----------------------------------------------------------------- reductions
    def sum(self, axis=None, keepdims=False):
        from .ops.reduce import Sum

        return Sum.apply(self, axis=_norm_axis(axis, self.ndim), keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        from .ops.reduce import Mean

        return Mean.apply(self, axis=_norm_axis(axis, self.ndim), keepdims=keepdims)

    def var(self, axis=None, keepdims=False, correction=0):
        """Variance; ``correction=0`` is the biased estimator (divide by N), 1 the unbiased."""
        from .ops.reduce import Var

        return Var.apply(self, axis=_norm_axis(axis, self.ndim), keepdims=keepdims,
                         correction=correction)

    def std(self, axis=None, keepdims=False, correction=0):
        return self.var(axis=axis, keepdims=keepdims, correction=correction).sqrt()

    def max(self, axis=None, keepdims=False):
        from .ops.reduce import Max

        return Max.apply(self, axis=_norm_axis(axis, self.ndim), keepdims=keepdims)

    def min(self, axis=None, keepdims=False):
        from .ops.reduce import Min

        return Min.apply(self, axis=_norm_axis(axis, self.ndim), keepdims=keepdims)

    def argmax(self, axis=None):
        return Tensor._wrap(np.argmax(self.data, axis=axis))

    def argmin(self, axis=None):
        return Tensor._wrap(np.argmin(self.data, axis=axis))

    # ----------------------------------------------------------------- shape
    def reshape(self, *shape):
        from .ops.shape import Reshape

        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return Reshape.apply(self, shape=shape)

    view = reshape

    def transpose(self, *axes):
        from .ops.shape import Transpose

        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        if len(axes) == 2 and self.ndim != 2:  # PyTorch style: swap two dims
            perm = list(range(self.ndim))
            a, b = (ax % self.ndim for ax in axes)
            perm[a], perm[b] = perm[b], perm[a]
            axes = tuple(perm)
        return Transpose.apply(self, axes=axes or None)

    @property
    def T(self):
        return self.transpose()

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        start = start_dim % max(self.ndim, 1)
        end = end_dim % max(self.ndim, 1)
        if self.ndim == 0:
            return self.reshape(1)
        new_shape = self.shape[:start] + (-1,) + self.shape[end + 1:]
        return self.reshape(new_shape)


def _norm_axis(axis, ndim):
    if axis is None:
        return None
    if isinstance(axis, (list, tuple)):
        return tuple(sorted(a % ndim for a in axis))
    return axis % ndim if ndim else axis


def _ops():
    from .ops import elementwise

    return elementwise
