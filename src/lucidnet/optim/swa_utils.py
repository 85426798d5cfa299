"""Weight averaging: stochastic weight averaging (SWA, Izmailov et al. 2018) and exponential
moving averages (EMA) of a model's weights, PyTorch's ``torch.optim.swa_utils``.

* `AveragedModel` keeps a copy of a model whose parameters (and, with ``use_buffers=True``, its
  buffers) are the running average of the model's: the first `update_parameters` copies them,
  each later one calls the averaging function with ``n = n_averaged``, the number of models
  averaged so far. The default is the equal-weight SWA average::

      W_avg ← W_avg + (W - W_avg) / (n + 1)

  and ``get_ema_multi_avg_fn(decay)`` gives ``W_ema ← decay W_ema + (1 - decay) W``.
* `update_bn` recomputes the BatchNorm running statistics of a model (the averaged weights have
  no statistics of their own) with one pass over the data, as a cumulative average.
* `SWALR` (in `lr_scheduler`) anneals the learning rate to a constant SWA value.

A typical run (PyTorch's)::

    swa_model = AveragedModel(model)
    swa_scheduler = SWALR(optimizer, swa_lr=0.05)
    for epoch in range(epochs):
        train_one_epoch(model, optimizer)
        if epoch >= swa_start:
            swa_model.update_parameters(model)
            swa_scheduler.step()
    update_bn(loader, swa_model)

Averaging functions receive the arrays behind the parameters (`DataArray`: NumPy arrays with
PyTorch's tensor methods) and ``n_averaged`` as a Python int. ``avg_fn(avg, current, n)``
returns the new average; ``multi_avg_fn(avg_list, current_list, n)`` updates the arrays of
``avg_list`` in place (called once per dtype).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..autograd.data_array import as_data_array
from ..autograd.device import check_device
from ..autograd.tensor import Tensor, no_grad
from ..nn.module import Module
from ..nn.normalization import _BatchNorm, _InstanceNorm
from .lr_scheduler import SWALR

__all__ = [
    "SWALR",
    "AveragedModel",
    "get_ema_avg_fn",
    "get_ema_multi_avg_fn",
    "get_swa_avg_fn",
    "get_swa_multi_avg_fn",
    "update_bn",
]


def _check_decay(owner: str, decay) -> float:
    if isinstance(decay, bool) or not isinstance(decay, (int, float, np.integer, np.floating)) \
            or not 0.0 <= float(decay) <= 1.0:
        raise ValueError(f"{owner}: decay must be a number in [0, 1], got {decay!r} "
                         f"(0.999 keeps 99.9% of the average at each update)")
    return float(decay)


def _lerp_(start: np.ndarray, end: np.ndarray, weight: float) -> None:
    """``start ← start + weight (end - start)`` in place, as PyTorch's ``lerp_`` computes it
    (from ``end`` when ``weight >= 0.5``, which is exact at ``weight = 1``)."""
    diff = np.subtract(end, start)
    if weight < 0.5:
        diff *= weight
        start += diff
    else:
        diff *= 1.0 - weight
        np.subtract(end, diff, out=start, casting="unsafe")


def get_ema_multi_avg_fn(decay: float = 0.999) -> Callable[[list, list, Any], None]:
    """In-place EMA of lists of arrays: ``W_ema ← decay W_ema + (1 - decay) W``
    (``lerp(W_ema, W, 1 - decay)``); ``decay`` in [0, 1].

    Parameters
    ----------
    decay : float, default 0.999
        Weight of the old average.

    Returns
    -------
    callable
        ``fn(ema_list, current_list, n)`` updating the arrays of ``ema_list`` in place (for
        `AveragedModel`'s ``multi_avg_fn``).

    Examples
    --------
    >>> update = ln.optim.swa_utils.get_ema_multi_avg_fn(0.75)
    >>> ema = [np.array([0., 10.])]
    >>> update(ema, [np.array([4., 2.])], 1)
    >>> ema[0].tolist()                     # 0.75 * 0 + 0.25 * 4, 0.75 * 10 + 0.25 * 2
    [1.0, 8.0]
    """
    decay = _check_decay("get_ema_multi_avg_fn", decay)

    def ema_update(ema_param_list, current_param_list, _num_averaged) -> None:
        for ema, current in zip(ema_param_list, current_param_list):
            if ema.dtype.kind in "fc":
                _lerp_(ema, current, 1.0 - decay)
            else:           # integer buffers: computed in float, cast back as PyTorch's copy_
                np.copyto(ema, ema * decay + current * (1.0 - decay), casting="unsafe")

    return ema_update


def get_swa_multi_avg_fn() -> Callable[[list, list, Any], None]:
    """In-place equal-weight average of lists of arrays:
    ``W_avg ← W_avg + (W - W_avg) / (n + 1)`` (``lerp(W_avg, W, 1/(n+1))``).

    Returns
    -------
    callable
        ``fn(avg_list, current_list, n)`` updating the arrays of ``avg_list`` in place, ``n``
        the number of models averaged so far.

    Examples
    --------
    >>> update = ln.optim.swa_utils.get_swa_multi_avg_fn()
    >>> avg = [np.array([3.])]              # the mean of 2 models so far
    >>> update(avg, [np.array([6.])], 2)
    >>> avg[0].tolist()                     # 3 + (6 - 3) / 3
    [4.0]
    """

    def swa_update(averaged_param_list, current_param_list, num_averaged) -> None:
        weight = 1.0 / (int(num_averaged) + 1)
        for avg, current in zip(averaged_param_list, current_param_list):
            if avg.dtype.kind in "fc":
                _lerp_(avg, current, weight)
            else:
                np.copyto(avg, avg + (current - avg) * weight, casting="unsafe")

    return swa_update


def get_ema_avg_fn(decay: float = 0.999) -> Callable[[Any, Any, Any], Any]:
    """EMA of one array: returns ``decay W_ema + (1 - decay) W``; ``decay`` in [0, 1].

    Parameters
    ----------
    decay : float, default 0.999
        Weight of the old average.

    Returns
    -------
    callable
        ``fn(ema, current, n) -> new ema`` (for `AveragedModel`'s ``avg_fn``).

    Examples
    --------
    >>> ema_fn = ln.optim.swa_utils.get_ema_avg_fn(0.75)
    >>> ema_fn(np.array([0., 10.]), np.array([4., 2.]), 1).tolist()   # 0.75 ema + 0.25 new
    [1.0, 8.0]
    >>> ln.optim.swa_utils.get_ema_avg_fn(1.5)
    Traceback (most recent call last):
    ...
    ValueError: get_ema_avg_fn: decay must be a number in [0, 1], got 1.5 (0.999 keeps ...
    """
    decay = _check_decay("get_ema_avg_fn", decay)

    def ema_update(ema_param, current_param, num_averaged):
        return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn() -> Callable[[Any, Any, Any], Any]:
    """Equal-weight average of one array: returns ``W_avg + (W - W_avg) / (n + 1)``.

    Returns
    -------
    callable
        ``fn(avg, current, n) -> new avg``, ``n`` the number of models averaged so far.

    Examples
    --------
    >>> swa_fn = ln.optim.swa_utils.get_swa_avg_fn()
    >>> swa_fn(np.array([2.]), np.array([5.]), 2).tolist()    # mean of (1, 3) and 5
    [3.0]
    """

    def swa_update(averaged_param, current_param, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


def _arrays(module: Module, with_buffers: bool) -> list[tuple[str, np.ndarray]]:
    """(name, array) of the parameters (then buffers) of ``module``, as `DataArray` views."""
    out = [(name, p.data) for name, p in module.named_parameters()]
    if with_buffers:
        out += [(name, as_data_array(b.data if isinstance(b, Tensor) else b))
                for name, b in module.named_buffers()]
    return out


def _check_like(own: list, other: list, what: str) -> None:
    if len(own) != len(other):
        raise ValueError(f"AveragedModel.update_parameters: the model has {len(other)} {what}, "
                         f"the averaged copy has {len(own)}; pass the model the AveragedModel "
                         f"was built from")
    for (name, a), (other_name, b) in zip(own, other):
        if np.shape(a) != np.shape(b):
            raise ValueError(f"AveragedModel.update_parameters: {what[:-1]} {other_name!r} of "
                             f"the model has shape {np.shape(b)}, the averaged copy's {name!r} "
                             f"has shape {np.shape(a)}; pass the model the AveragedModel was "
                             f"built from")


def _result_array(value):
    return value.data if isinstance(value, Tensor) else value


class AveragedModel(Module):
    """A copy of ``model`` whose weights are a running average of ``model``'s weights (SWA by
    default, EMA with ``multi_avg_fn=get_ema_multi_avg_fn(decay)``), PyTorch's class.

    With ``n`` models averaged so far, `update_parameters` sets
    ``W_avg ← W_avg + (W - W_avg) / (n + 1)`` (the first call copies ``W``).

    Parameters
    ----------
    model : Module
        The Module to average; it is deep-copied (the copy is ``self.module``).
    device : None or "cpu", optional
        The only device.
    avg_fn : callable, optional
        ``avg_fn(avg, current, n) -> new avg`` for one array at a time.
    multi_avg_fn : callable, optional
        ``multi_avg_fn(avg_list, current_list, n)`` updating ``avg_list`` in place.
        At most one of the two; with neither, the equal-weight average.
    use_buffers : bool, default False
        Average the buffers too (BatchNorm running statistics, the integer
        ``num_batches_tracked`` cast back to int); if False, the buffers are copied from
        ``model`` at each update.

    Notes
    -----
    ``n_averaged`` (a 0-d int64 buffer) counts the models averaged; the state dict holds it and
    the copy's entries under ``module.`` (``"module.0.weight"``), as PyTorch's. Calling the
    averaged model runs ``self.module``. The averaging functions are not saved.

    Examples
    --------
    >>> model = ln.nn.Linear(1, 1, bias=False)
    >>> swa = ln.optim.swa_utils.AveragedModel(model)
    >>> for w in [1.0, 2.0, 6.0]:                # three "epochs" of training
    ...     model.weight.data[...] = w
    ...     swa.update_parameters(model)
    >>> swa.module.weight.tolist(), int(swa.n_averaged)     # (1 + 2 + 6) / 3
    ([[3.0]], 3)
    >>> list(swa.state_dict())
    ['n_averaged', 'module.weight']
    """

    def __init__(self, model: Module, device=None,
                 avg_fn: Callable[[Any, Any, Any], Any] | None = None,
                 multi_avg_fn: Callable[[list, list, Any], None] | None = None,
                 use_buffers: bool = False):
        super().__init__()
        if not isinstance(model, Module):
            raise TypeError(f"AveragedModel: model must be an nn.Module, got "
                            f"{type(model).__name__}")
        if avg_fn is not None and multi_avg_fn is not None:
            raise ValueError("AveragedModel: give at most one of avg_fn and multi_avg_fn, got "
                             "both")
        for name, fn in (("avg_fn", avg_fn), ("multi_avg_fn", multi_avg_fn)):
            if fn is not None and not callable(fn):
                raise TypeError(f"AveragedModel: {name} must be a function, got "
                                f"{type(fn).__name__}")
        if not isinstance(use_buffers, (bool, np.bool_)):
            raise TypeError(f"AveragedModel: use_buffers must be True or False, got "
                            f"{use_buffers!r}")
        check_device(device, "AveragedModel")
        self.module = copy.deepcopy(model)
        self.register_buffer("n_averaged", np.array(0, dtype=np.int64))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = bool(use_buffers)

    def forward(self, *args, **kwargs):
        """The copied module's forward."""
        return self.module(*args, **kwargs)

    def update_parameters(self, model: Module) -> None:
        """Average ``model``'s current weights into this one (the first call copies them)."""
        if not isinstance(model, Module):
            raise TypeError(f"AveragedModel.update_parameters: expected an nn.Module, got "
                            f"{type(model).__name__}")
        own = _arrays(self.module, self.use_buffers)
        other = _arrays(model, self.use_buffers)
        _check_like(own, other, "parameters and buffers" if self.use_buffers else "parameters")
        if not self.use_buffers:
            own_buffers = list(self.module.named_buffers())
            model_buffers = list(model.named_buffers())
            _check_like(own_buffers, model_buffers, "buffers")
        n = int(self.n_averaged)
        averaged, current = [a for _, a in own], [b for _, b in other]
        with no_grad():
            if n == 0:
                for a, b in zip(averaged, current):
                    np.copyto(a, b, casting="unsafe")
            elif self.avg_fn is not None:
                for a, b in zip(averaged, current):
                    np.copyto(a, _result_array(self.avg_fn(a, b, n)), casting="unsafe")
            elif self.multi_avg_fn is not None:
                for a_list, b_list in _by_dtype(averaged, current):
                    self.multi_avg_fn(a_list, b_list, n)
            else:
                average = get_swa_avg_fn()
                for a, b in zip(averaged, current):
                    np.copyto(a, average(a, b, n), casting="unsafe")
        if not self.use_buffers:      # keep the buffers in step with the source model
            for (name, b_own), (_, b_model) in zip(own_buffers, model_buffers):
                value = np.asarray(_result_array(b_model))
                target = _result_array(b_own)
                if isinstance(target, np.ndarray) and target.ndim > 0:
                    np.copyto(target, value, casting="unsafe")
                else:         # a 0-d buffer may be rebound (BatchNorm's num_batches_tracked)
                    _set_buffer(self.module, name, np.array(value, dtype=np.asarray(target).dtype))
        for p in self.module.parameters():
            p._bump_version()           # changed in place: a pending backward must not use it
        self.n_averaged = np.array(n + 1, dtype=np.int64)

    def extra_repr(self) -> str:
        return f"n_averaged={int(self.n_averaged)}, use_buffers={self.use_buffers}"


def _by_dtype(averaged: list, current: list) -> list[tuple[list, list]]:
    """Pairs of lists grouped by the averaged arrays' dtype, in order of first appearance."""
    groups: dict[np.dtype, tuple[list, list]] = {}
    for a, b in zip(averaged, current):
        pair = groups.setdefault(a.dtype, ([], []))
        pair[0].append(a)
        pair[1].append(b)
    return list(groups.values())


def _set_buffer(root: Module, dotted: str, value: np.ndarray) -> None:
    *path, name = dotted.split(".")
    owner = root
    for part in path:
        owner = owner._modules[part]
    setattr(owner, name, value)


def _batch_norms(model: Module) -> list:
    """The BatchNorm layers of ``model`` (not InstanceNorm, which PyTorch's update_bn skips)."""
    return [m for m in model.modules()
            if isinstance(m, _BatchNorm) and not isinstance(m, _InstanceNorm)]


def update_bn(loader: Iterable[Any], model: Module, device=None) -> None:
    """Recompute the BatchNorm running statistics of ``model`` with one pass over ``loader``.

    Each BatchNorm layer's ``running_mean`` / ``running_var`` / ``num_batches_tracked`` are reset,
    its ``momentum`` is set to None (cumulative average: after k batches the statistics are the
    mean of the k batch statistics) and the model is run in training mode, without gradients, on
    every batch; a batch that is a list or tuple gives its first element (``(x, y)`` from a
    DataLoader). Momentum and training mode are restored afterwards, also if a batch raises.
    A model without BatchNorm is left untouched. ``device``: None or ``"cpu"``.

    After ``k`` batches: ``running_mean = (1/k) sum_b mean_b``, ``running_var = (1/k) sum_b
    var_b`` (unbiased batch variances).

    Parameters
    ----------
    loader : iterable
        Batches (tensors, or ``(x, y)`` pairs whose ``x`` is used).
    model : Module
        The model whose BatchNorm layers to refresh (e.g. ``AveragedModel``).
    device : None or "cpu", optional
        The only device.

    Examples
    --------
    >>> bn = ln.nn.BatchNorm1d(1)
    >>> loader = [ln.tensor([[1.], [3.]]), ln.tensor([[5.], [7.]])]   # batch means 2 and 6
    >>> ln.optim.swa_utils.update_bn(loader, ln.nn.Sequential(bn))
    >>> bn.running_mean.tolist(), bn.running_var.tolist(), bn.momentum
    ([4.0], [2.0], 0.1)
    """
    if not isinstance(model, Module):
        raise TypeError(f"update_bn: model must be an nn.Module, got {type(model).__name__}")
    check_device(device, "update_bn")
    try:
        batches = iter(loader)
    except TypeError:
        raise TypeError(f"update_bn: loader must be an iterable of batches (a DataLoader, a "
                        f"list of arrays), got {type(loader).__name__}") from None
    momenta = {}
    for module in _batch_norms(model):
        module.reset_running_stats()
        momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    try:
        with no_grad():
            for batch in batches:
                if isinstance(batch, (list, tuple)):
                    batch = batch[0]
                model(batch)
    finally:
        for module, momentum in momenta.items():
            module.momentum = momentum
        model.train(was_training)
