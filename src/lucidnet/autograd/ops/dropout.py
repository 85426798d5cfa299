"""Dropout as one op: y = x * m, with m a fixed (already scaled) mask.

The mask holds 0 for dropped units and 1 / (1 - p) for kept ones (inverted dropout), and may be
broadcast over trailing axes (Dropout2d drops whole channels).  dL/dx = g * m.
"""

from __future__ import annotations

from ..function import Function

__all__ = ["Dropout"]


class Dropout(Function):
    """y = x * m with a given mask m (0 for a dropped unit, 1 / (1 - p) for a kept one, possibly
    broadcast over trailing axes);  dL/dx = g * m, so dropped units get no gradient.

    Examples
    --------
    >>> from lucidnet.autograd.ops.dropout import Dropout
    >>> x = ln.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> mask = np.array([2.0, 0.0, 2.0], dtype=np.float32)  # p = 0.5: kept units scaled by 2
    >>> y = Dropout.apply(x, mask=mask); y
    tensor([2., 0., 6.], grad_fn=<MulBackward0>)
    >>> y.sum().backward(); x.grad  # the dropped unit gets no gradient
    tensor([2., 0., 2.])
    """

    @staticmethod
    def forward(ctx, x, mask=None):
        ctx.save_for_backward(mask)
        return x * mask

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved
        return g * mask
