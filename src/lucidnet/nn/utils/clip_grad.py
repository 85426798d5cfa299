"""Gradient clipping (``torch.nn.utils.clip_grad_norm_`` / ``clip_grad_value_``).

    total = ||(||g_1||_p, ..., ||g_k||_p)||_p        over the parameters' ``.grad``
    g_i  *= min(1, max_norm / (total + 1e-6))       (always applied, as PyTorch)

Both run on the gradients' arrays in place (outside the graph) and skip parameters whose
``.grad`` is None.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ...autograd.tensor import Tensor, _grad_array

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm"]


def _params(parameters) -> list:
    if isinstance(parameters, Tensor):
        return [parameters]
    return list(parameters)


def _grads(parameters) -> list[np.ndarray]:
    return [g for g in (_grad_array(p) for p in _params(parameters)) if g is not None]


def _norm(array: np.ndarray, p: float) -> np.ndarray:
    flat = array.reshape(-1)
    if p == math.inf:
        return np.abs(flat).max(initial=0).astype(array.dtype)
    if p == -math.inf:
        return np.abs(flat).min(initial=np.inf).astype(array.dtype)
    if p == 2:
        return np.sqrt(np.dot(flat, flat)).astype(array.dtype)
    if p == 0:
        return np.asarray(np.count_nonzero(flat), array.dtype)
    return (np.sum(np.abs(flat) ** p) ** (1.0 / p)).astype(array.dtype)


def _norm_type(norm_type) -> float:
    if isinstance(norm_type, str) and norm_type.lower() == "inf":
        return math.inf
    if isinstance(norm_type, bool) or not isinstance(norm_type, numbers.Real):
        raise TypeError(f"norm_type must be a real number or 'inf', got {norm_type!r}")
    return float(norm_type)


def get_total_norm(tensors, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach=None) -> Tensor:
    """The p-norm of the p-norms of ``tensors`` (the norm of all their entries together).

    ``||(||t_1||_p, ..., ||t_k||_p)||_p``, which equals the p-norm of all entries together.

    Parameters
    ----------
    tensors : Tensor or iterable of Tensor
        The tensors (or arrays).
    norm_type : float, default 2.0
        The p of the norm (``inf``: the largest absolute entry).
    error_if_nonfinite : bool, default False
        Raise RuntimeError when the norm is nan or inf.
    foreach : optional
        Accepted, changes nothing.

    Returns
    -------
    Tensor
        0-d.

    Examples
    --------
    >>> from lucidnet.nn.utils import get_total_norm
    >>> get_total_norm([ln.tensor([3.0]), ln.tensor([4.0])])      # sqrt(9 + 16)
    tensor(5.)
    """
    p = _norm_type(norm_type)
    arrays = [t.data if isinstance(t, Tensor) else np.asarray(t)
              for t in ([tensors] if isinstance(tensors, Tensor) else tensors)]
    return _total(arrays, p, error_if_nonfinite)


def _total(arrays, p, error_if_nonfinite) -> Tensor:
    if not arrays:
        return Tensor._wrap(np.zeros((), np.float32))
    dtype = np.result_type(*arrays)
    norms = np.array([_norm(a, p) for a in arrays], dtype=dtype)
    total = _norm(norms, p)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {p} for gradients from `parameters` is non-finite, so it "
            "cannot be clipped. To disable this error and scale the gradients by the non-finite "
            "norm anyway, set `error_if_nonfinite=False`")
    return Tensor._wrap(np.asarray(total))


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """Scale the gradients in place so that their total ``norm_type``-norm is at most
    ``max_norm``; returns the total norm before clipping (a 0-d Tensor).

    ``total = ||(||g_1||_p, ..., ||g_k||_p)||_p``; each gradient is multiplied in place by
    ``min(1, max_norm / (total + 1e-6))``.

    Parameters
    ----------
    parameters : Tensor or iterable of Tensor
        The parameters whose ``.grad`` to clip (those without a gradient are skipped).
    max_norm : float
        The largest total norm.
    norm_type : float, default 2.0
        The p of the norm (``inf``: the largest absolute entry).
    error_if_nonfinite : bool, default False
        Raise RuntimeError when the total norm is nan or inf.
    foreach : optional
        Accepted, changes nothing.

    Examples
    --------
    >>> from lucidnet.nn.utils import clip_grad_norm_
    >>> w = ln.tensor([3.0, 4.0], requires_grad=True)
    >>> (w * w).sum().backward()                          # grad (6, 8), norm 10
    >>> clip_grad_norm_([w], max_norm=5.0)                # returns the norm before clipping
    tensor(10.)
    >>> w.grad                                            # scaled by 5 / 10
    tensor([3.0000, 4.0000])
    """
    if isinstance(max_norm, bool) or not isinstance(max_norm, numbers.Real):
        raise TypeError(f"clip_grad_norm_: max_norm must be a number, got {max_norm!r}")
    grads = _grads(parameters)
    total = _total(grads, _norm_type(norm_type), error_if_nonfinite)
    if not grads:
        return total
    coef = np.minimum(np.asarray(max_norm, total.dtype) / (total.data + total.dtype.type(1e-6)),
                      total.dtype.type(1.0))
    for g in grads:
        g *= coef.astype(g.dtype)
    return total


def clip_grad_norm(parameters, max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """Deprecated spelling of `clip_grad_norm_` (as in PyTorch).

    With ``total = ||(||g_1||, ..., ||g_k||)||_p`` over every gradient, each gradient is scaled
    in place by ``min(1, max_norm / (total + 1e-6))``; returns ``total``.

    Parameters
    ----------
    parameters : Tensor or iterable of Tensor
        The parameters whose ``.grad`` to clip.
    max_norm : float
        The largest total norm.
    norm_type : float, default 2.0
        The p of the norm (``inf`` for the max).
    error_if_nonfinite : bool, default False
        Raise when the total norm is nan or inf.
    foreach : optional
        Ignored (PyTorch's signature).

    Examples
    --------
    >>> from lucidnet.nn.utils import clip_grad_norm
    >>> w = ln.tensor([3.0, 4.0], requires_grad=True)
    >>> (w * w).sum().backward()                 # grad (6, 8), norm 10
    >>> clip_grad_norm([w], 5.0), w.grad          # scaled by 5 / 10
    (tensor(10.), tensor([3.0000, 4.0000]))
    """
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value: float, foreach=None) -> None:
    """Clamp every gradient entry in place into [-clip_value, clip_value].

    ``g ← clip(g, -clip_value, clip_value)`` entry by entry.

    Parameters
    ----------
    parameters : Tensor or iterable of Tensor
        The parameters whose ``.grad`` to clamp.
    clip_value : float
        The bound c (entries end up in [-c, c]).
    foreach : optional
        Accepted, changes nothing.

    Examples
    --------
    >>> from lucidnet.nn.utils import clip_grad_value_
    >>> w = ln.tensor([3.0, -4.0], requires_grad=True)
    >>> (w * w).sum().backward()
    >>> clip_grad_value_([w], 1.0)
    >>> w.grad
    tensor([ 1., -1.])
    """
    if isinstance(clip_value, bool) or not isinstance(clip_value, numbers.Real):
        raise TypeError(f"clip_grad_value_: clip_value must be a number, got {clip_value!r}")
    c = float(clip_value)
    for g in _grads(parameters):
        np.clip(g, -c, c, out=g)
