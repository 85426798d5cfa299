"""SGD with momentum in PyTorch's form and in the two forms of the notes; Nesterov.

``momentum_form`` selects how the velocity is kept (``g`` = gradient after weight decay, ``α`` = lr):

* ``"pytorch"`` (default) -- ``b = μ b + (1 - dampening) g`` (``b = g`` on the first step),
  ``θ = θ - α b``; with ``nesterov=True``: ``θ = θ - α (g + μ b)``.
* ``"ema"`` -- the notes' ``v = β v + (1 - β) g`` (``v0 = 0``), ``θ = θ - α v``. Since
  ``v_t = (1 - β) Σ β^(t-k) g_k`` it is *exactly* PyTorch's ``momentum=β, dampening=0`` run with
  ``lr = α (1 - β)``. PyTorch's ``dampening=β`` gives the same recursion except that PyTorch starts
  from ``b1 = g1`` instead of ``v1 = (1 - β) g1``, so its first gradient weighs ``1/(1 - β)`` times more.
* ``"classical"`` -- the notes' ``v = ρ v - α g``, ``θ = θ + v``. Then ``v = -α b``: identical to
  PyTorch while the lr is constant, but when a schedule changes ``α`` the classical velocity keeps the
  old lr inside it (PyTorch rescales the whole buffer by the current lr).
  With ``nesterov=True`` this is the notes' look-ahead Nesterov: ``v = ρ v - α ∇f(θ + ρ v)``,
  ``θ = θ + v`` (the notes' ``v = β v + α ∇J(θ - β v); θ = θ - v`` with ``v → -v``); ``step`` needs a
  ``closure`` that recomputes the loss and gradients, which it calls at the look-ahead point
  ``θ + ρ v``. PyTorch's Nesterov is the same algorithm re-parameterized: its weights are the look-ahead
  point ``φ = θ + ρ v`` (``φ_{t+1} = φ_t - α (g(φ_t) + ρ b_{t+1})``), so both runs agree exactly
  after the change of variables.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._fast import optim_kernels as kernels
from .._validation import check_choice, check_real
from ..threads import blas_axpy
from ._engine import UpdateSlice, coupled_decay
from .optimizer import Optimizer, _implementation_options

__all__ = ["MOMENTUM_FORMS", "SGD"]

MOMENTUM_FORMS = ("pytorch", "ema", "classical")


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum and Nesterov, PyTorch's arguments.

    With ``g`` the gradient (``-g`` if ``maximize``) plus ``weight_decay * θ`` (an L2 penalty)::

        b = g                            (first step)
        b = momentum * b + (1 - dampening) * g
        d = g + momentum * b             (nesterov)   else   d = b
        θ = θ - lr * d

    and without momentum ``θ = θ - lr * g``. ``momentum_form`` selects the notes' EMA
    (``v = β v + (1-β) g``) or classical (``v = ρ v - lr g; θ = θ + v``) velocity instead
    (module docstring).

    Parameters
    ----------
    params : iterable of Parameter or of dict
        Parameters, or param groups with their own options.
    lr : float
        Learning rate (>= 0).
    momentum : float
        Momentum factor μ (>= 0; < 1 for ``momentum_form="ema"``).
    dampening : float
        τ: the gradient enters the buffer with weight ``1 - τ`` (PyTorch's form only).
    weight_decay : float
        L2 coefficient λ added to the gradient as ``λ θ``.
    nesterov : bool
        Nesterov momentum (needs momentum > 0 and dampening = 0).
    maximize : bool
        Ascend the objective instead of descending it.
    foreach, fused : optional
        Accepted for PyTorch compatibility; the step is always fused.
    differentiable : bool
        Refused (autograd through the step does not exist here).
    momentum_form : {"pytorch", "ema", "classical"}
        How the velocity is kept.

    Examples
    --------
    >>> import numpy as np
    >>> from lucidnet import optim
    >>> from lucidnet.nn import Parameter
    >>> w = Parameter(np.array([1.0, -2.0]))
    >>> opt = optim.SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     w.grad = 2 * w.data          # the gradient of |w|²
    ...     opt.step()
    >>> np.round(w.data, 4).tolist()
    [0.46, -0.92]
    """

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False, *, maximize: bool = False,
                 foreach=None, differentiable: bool = False, fused=None,
                 momentum_form: str = "pytorch"):
        _implementation_options("SGD", differentiable=differentiable)
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
                        "nesterov": nesterov, "maximize": maximize, "momentum_form": momentum_form}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        group["momentum"] = check_real("SGD", "momentum", group["momentum"], 0.0)
        group["dampening"] = check_real("SGD", "dampening", group["dampening"], 0.0)
        form = check_choice("SGD", "momentum_form", group["momentum_form"], MOMENTUM_FORMS)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(f"SGD: nesterov=True requires momentum > 0 and dampening = 0, got "
                             f"momentum={group['momentum']!r}, dampening={group['dampening']!r}")
        if form != "pytorch" and group["dampening"] != 0:
            raise ValueError(f"SGD: dampening is PyTorch's option; momentum_form={form!r} needs "
                             f"dampening=0, got dampening={group['dampening']!r}")
        if form == "ema" and group["nesterov"]:
            raise ValueError("SGD: nesterov=True is defined for momentum_form 'pytorch' and "
                             "'classical', got momentum_form='ema'")
        if form == "ema" and group["momentum"] >= 1:
            raise ValueError(f"SGD: momentum_form='ema' needs momentum (β) in [0, 1), got "
                             f"momentum={group['momentum']!r}")

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("momentum_buffer",) if group["momentum"] != 0 else ()

    def step(self, closure: Callable[[], Any] | None = None):
        """One update of every parameter with a gradient (formulas in the class docstring).

        The notes' Nesterov (``momentum_form='classical', nesterov=True``) needs ``closure``: it
        is called at the look-ahead point ``θ + ρ v`` to get the gradient there.

        Parameters
        ----------
        closure : callable, optional
            Zeroes the gradients, recomputes the loss, calls backward and returns the loss.

        Returns
        -------
        The closure's loss, or None.
        """
        lookahead = [(group, gd) for group, gd in zip(self.param_groups, self._data)
                     if group["nesterov"] and group["momentum_form"] == "classical"]
        if not lookahead:
            return super().step(closure)
        if closure is None:
            raise ValueError("SGD: momentum_form='classical' with nesterov=True evaluates the "
                             "gradient at the look-ahead point θ + ρv, so step() needs a closure "
                             "that zeroes the grads, recomputes the loss and calls backward()")
        saved = []
        for group, gd in lookahead:
            self._prepare(group, gd)
            v = gd.flat["momentum_buffer"]
            for i, p in enumerate(gd.params):
                saved.append((p, p.data.copy()))
                p.data += group["momentum"] * v[gd.offsets[i]:gd.offsets[i + 1]].reshape(
                    p.data.shape)
        try:
            loss = closure()
        finally:
            for p, data in saved:
                np.copyto(p.data, data)
        for group, gd in zip(self.param_groups, self._data):
            self._step_group(group, gd)
        return loss

    def _update(self, group: dict[str, Any], s: UpdateSlice) -> None:
        lr, mu = group["lr"], group["momentum"]
        param, grad, step_dir = s.param, s.grad, s.work[0]
        if mu == 0:                                              # θ = θ - α g
            param -= np.multiply(grad, lr, out=step_dir)
            return
        buf = s.state["momentum_buffer"]
        form = group["momentum_form"]
        if form == "classical":                                  # v = ρ v - α g ; θ = θ + v
            buf *= mu
            buf -= np.multiply(grad, lr, out=step_dir)
            param += buf
            return
        if form == "ema":                                        # v = β v + (1 - β) g
            buf *= mu
            buf += np.multiply(grad, 1.0 - mu, out=step_dir)
        elif s.step == 1:                                        # PyTorch: b1 = g
            np.copyto(buf, grad, casting="same_kind")
        elif group["dampening"]:                                 # b = μ b + (1 - τ) g
            buf *= mu
            buf += np.multiply(grad, 1.0 - group["dampening"], out=step_dir)
        else:                                                    # b = μ b + g
            buf *= mu
            buf += grad
        if group["nesterov"]:                                    # d = (g + μ b) α
            np.multiply(buf, mu, out=step_dir)
            step_dir += grad
            step_dir *= lr
        else:                                                    # d = α b
            np.multiply(buf, lr, out=step_dir)
        param -= step_dir                                        # θ = θ - d

    def _fusable(self, group: dict[str, Any]) -> bool:
        return True

    def _blas_threaded(self, group: dict[str, Any]) -> bool:
        return group["momentum"] == 0 and not coupled_decay(group) and group["lr"] != 0

    def _fused_plan(self, group, step, scalars, dtype):
        mu, damp = group["momentum"], group["dampening"]
        form = 0 if mu == 0 else {"pytorch": 1, "ema": 2, "classical": 3}[group["momentum_form"]]
        wd = coupled_decay(group)
        coef = np.array([group["lr"], mu, 1.0 - mu if form == 2 else 1.0 - damp, wd], dtype)
        kernel = kernels.sgd(form, step == 1, bool(damp), group["nesterov"], group["maximize"],
                             bool(wd))

        def run(param, grad, buf=None):
            kernel(param, grad, param if buf is None else buf, coef)
        # the engine may call the kernel itself: kernel(param, grad, *state, *tail); without
        # momentum the unused buf slot takes coef (any 1-D array of the dtype will do)
        run.direct = (kernel, (coef,) if mu else (coef, coef))
        if self._blas_threaded(group):   # θ += alpha g by BLAS's threaded axpy for large
            axpy = blas_axpy(dtype)      # parameters (lr = 0 must still spread a NaN g: kernel)
            if axpy is not None:
                run.axpy = (axpy, group["lr"] if group["maximize"] else -group["lr"])
        return run
