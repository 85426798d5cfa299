"""The `Function` base: one differentiable op = forward and backward side by side (SPEC A1).

A subclass writes two static methods::

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
"""

from __future__ import annotations

import numpy as np

from .tensor import _CLOCK, Tensor, _owner_id, is_grad_enabled

__all__ = ["Context", "Function", "unbroadcast"]


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` back down to ``shape`` -- the adjoint of NumPy broadcasting (SPEC A1)."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


class Context:
    """What a forward pass leaves for its backward pass.

    ``epoch``: the in-place clock when the node was made; backward raises if an input or the
    output whose memory a saved array shares was changed in place after it (PyTorch's version
    check). ``stale`` marks a node whose saved output an in-place op inside the graph overwrote.
    """

    __slots__ = ("saved", "needs_input_grad", "epoch", "__dict__")
    stale = False

    def __init__(self, needs_input_grad: tuple):
        self.saved: tuple = ()
        self.needs_input_grad = needs_input_grad

    def save_for_backward(self, *arrays) -> None:
        self.saved = arrays


class Function:
    """Base class of every differentiable op (forward/backward written together).

    ``returns_view = True`` marks ops whose output may view their first input's memory
    (reshape, transpose, basic indexing): an in-place change of the output then counts as one
    of the input too.
    """

    returns_view = False

    @staticmethod
    def forward(ctx: Context, *args, **kwargs) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs, **kwargs):
        """Run ``forward`` on the inputs' arrays; record the node if any input needs a gradient."""
        arrays, needs, track = [], [], False
        for x in inputs:
            if isinstance(x, Tensor):
                arrays.append(x.data)
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

