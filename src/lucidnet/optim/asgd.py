"""ASGD: averaged stochastic gradient descent (Polyak & Juditsky 1992), PyTorch's variant
(``torch.optim.ASGD``).

With ``g`` the gradient after ``maximize`` and weight decay, ``t`` the step count after this
step, ``η`` and ``μ`` per-parameter scalars (state ``eta``, starting at ``lr``, and ``mu``,
starting at 1)::

    θ  = θ (1 - λ η) - η g                    # λ = lambd: a decay of θ scaled by the step size
    ax = θ                        if μ = 1    # the Polyak average of the iterates θ
    ax = ax + μ (θ - ax)          otherwise
    η  = lr / (1 + λ lr t)^α                  # the step size of the next step
    μ  = 1 / max(1, t - t0)                   # averaging starts after step t0 + 1

``ax`` (state) is the averaged parameter: PyTorch's ASGD does not write it back into the model,
and neither does this one; read it from ``optimizer.state[p]["ax"]``. ``η`` and ``μ`` are Python
floats (float64) here; PyTorch keeps them in its default dtype, so its float32 runs round them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._fast import optim_kernels as kernels
from .._validation import check_real
from ._engine import UpdateSlice, coupled_decay
from .optimizer import Optimizer, _implementation_options

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """ASGD with PyTorch's arguments and defaults (``lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6``).

    Each step: ``θ ← θ (1 - λ η) - η g``, ``ax ← ax + μ (θ - ax)`` (``ax = θ`` while
    ``μ = 1``), ``η = lr / (1 + λ lr t)^α``, ``μ = 1 / max(1, t - t0)`` (see the module
    docstring).

    Parameters
    ----------
    params : iterable of Parameter or dict
        The parameters to optimize, or param groups.
    lr : float, default 1e-2
        Initial step size η₀ (>= 0).
    lambd : float, default 1e-4
        Decay term λ (>= 0): shrinks θ by ``λ η`` each step and slows the decay of η.
    alpha : float, default 0.75
        Power α of the step-size decay ``η_t = lr / (1 + λ lr t)^α`` (>= 0).
    t0 : float, default 1e6
        The step after which averaging starts (>= 0; ``math.inf`` never averages: ax = θ).
    weight_decay : float, default 0
        L2 penalty added to the gradient, ``g + weight_decay θ``.
    maximize : bool, default False
        Ascend the objective instead.
    foreach : optional
        Accepted, changes nothing. ``capturable`` / ``differentiable`` are refused.

    Examples
    --------
    >>> w = ln.nn.Parameter(ln.zeros(1))
    >>> opt = ln.optim.ASGD([w], lr=0.5, lambd=0.0, t0=0)
    >>> for _ in range(4):                      # loss = w: gradient 1, so w = -0.5 t
    ...     opt.zero_grad(); w.sum().backward(); opt.step()
    >>> w.tolist(), opt.state[w]["ax"].tolist()   # ax: the mean of w after steps 2, 3, 4
    ([-2.0], [-1.5])
    """

    _scalar_names = (("eta", 0.0), ("mu", 1.0))
    _n_work = 1

    def __init__(self, params, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0.0, foreach=None,
                 maximize: bool = False, differentiable: bool = False, capturable: bool = False):
        _implementation_options("ASGD", capturable, differentiable)
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                    "weight_decay": weight_decay, "maximize": maximize}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        group["lambd"] = check_real("ASGD", "lambd", group["lambd"], 0.0)
        group["alpha"] = check_real("ASGD", "alpha", group["alpha"], 0.0)
        t0 = group["t0"]
        if isinstance(t0, bool) or not isinstance(t0, (int, float, np.integer, np.floating)) \
                or math.isnan(t0) or t0 < 0:
            raise ValueError(f"ASGD: t0 (the step after which averaging starts) must be a "
                             f"number >= 0 (math.inf: never average), got {t0!r}")
        group["t0"] = float(t0)

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("ax",)

    @staticmethod
    def _advance(group, step: int, scalars: dict[str, float]) -> tuple[float, float]:
        """``(η, μ)`` of this step; sets ``scalars`` to those of the next step."""
        lr, lambd = group["lr"], group["lambd"]
        if step == 1:                      # fresh state: η starts at the group's current lr
            scalars["eta"], scalars["mu"] = lr, 1.0
        eta, mu = scalars["eta"], scalars["mu"]
        scalars["eta"] = lr / ((1.0 + lambd * lr * step) ** group["alpha"])   # η_{t+1}
        scalars["mu"] = 1.0 / max(1.0, step - group["t0"])                    # μ_{t+1}
        return eta, mu

    def _update(self, group: dict[str, Any], s: UpdateSlice) -> None:
        param, grad, work, ax = s.param, s.grad, s.work[0], s.state["ax"]
        eta, mu = self._advance(group, s.step, s.scalars)
        param *= 1.0 - group["lambd"] * eta                      # θ = θ (1 - λ η)
        param -= np.multiply(grad, eta, out=work)                # θ = θ - η g
        if mu != 1.0:                                            # ax = ax + μ (θ - ax)
            diff = np.subtract(param, ax, out=work)
            diff *= mu
            ax += diff
        else:                                                    # ax = θ
            np.copyto(ax, param)

    def _fusable(self, group: dict[str, Any]) -> bool:
        return True

    def _fused_plan(self, group, step, scalars, dtype):
        eta, mu = self._advance(group, step, scalars)
        wd = coupled_decay(group)
        coef = np.array([1.0 - group["lambd"] * eta, eta, mu, wd], dtype)
        kernel = kernels.asgd(mu != 1.0, group["maximize"], bool(wd))

        def run(param, grad, ax):
            kernel(param, grad, ax, coef)
        return run
