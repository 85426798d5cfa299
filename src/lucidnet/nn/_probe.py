"""Looking inside a model without training it: each submodule's mode kept, each leaf layer's output.

Shared by the Trainer (evaluation in eval mode), the training diagnostics and the figures, so
the figures (``plot``) need not import the training package above them.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from ..autograd.tensor import Tensor, no_grad
from .module import Module

__all__ = ["layer_outputs", "model_mode"]


@contextmanager
def model_mode(model: Module, training: bool = False):
    """Put ``model`` in eval mode (or train mode) inside the block; afterwards, even on error,
    every submodule gets back the mode it had, so a model frozen in part (e.g. one BatchNorm
    kept in eval) stays as it was.

    Examples
    --------
    >>> from lucidnet import nn
    >>> net = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
    >>> with model_mode(net):
    ...     net[1].training
    False
    >>> net[1].training
    True
    """
    modes = [(m, m.training) for m in model.modules()]
    model.train(training)
    try:
        yield
    finally:
        for m, mode in modes:
            object.__setattr__(m, "training", mode)


def _leaves(model: Module) -> list:
    return [(name, m) for name, m in model.named_modules() if name and not m._modules]


@contextmanager
def _recording(model: Module, store: list):
    """Temporarily wrap each leaf layer's forward to keep (name, module, output array)."""
    leaves = _leaves(model) or [("", model)]
    previous = [m.__dict__.get("forward") for _, m in leaves]
    for name, m in leaves:
        original = m.forward

        def hooked(*args, _name=name, _m=m, _orig=original, **kwargs):
            out = _orig(*args, **kwargs)
            store.append((_name, _m, np.asarray(out.data if isinstance(out, Tensor) else out)))
            return out
        object.__setattr__(m, "forward", hooked)
    try:
        yield
    finally:
        for (_, m), prev in zip(leaves, previous):
            if prev is None:
                m.__dict__.pop("forward", None)
            else:
                object.__setattr__(m, "forward", prev)


def layer_outputs(model: Module, X) -> list:
    """Run ``X`` through ``model`` (eval mode, no graph) and return ``[(name, module, output)]``
    for every leaf layer in call order (works for any model, not only Sequential).

    Parameters
    ----------
    model : Module
    X : array-like or Tensor, shape (N, ...)
        Cast to the model's parameter dtype.

    Returns
    -------
    list of (str, Module, numpy.ndarray)
        The qualified name of each leaf layer, the layer, and its output on ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> from lucidnet import nn
    >>> net = nn.Sequential(nn.Linear(3, 4), nn.ReLU())
    >>> [(name, out.shape) for name, _, out in layer_outputs(net, np.ones((2, 3)))]
    [('0', (2, 4)), ('1', (2, 4))]
    """
    if not isinstance(model, Module):
        raise TypeError(f"layer_outputs expects a lucidnet Module, got {type(model).__name__}")
    X = np.asarray(X.data if isinstance(X, Tensor) else X)
    dtype = next((p.dtype for p in model.parameters()), np.dtype(np.float32))
    store: list = []
    with model_mode(model), no_grad(), _recording(model, store):
        model(Tensor(X.astype(dtype, copy=False)))
    return store
