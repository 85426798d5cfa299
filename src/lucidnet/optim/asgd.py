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

from .optimizer import Optimizer, _check_number, _implementation_options

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """ASGD with PyTorch's arguments and defaults (``lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6``).

    Parameters
    ----------
    lr : initial step size η₀ (>= 0).
    lambd : decay term λ (>= 0): shrinks θ by ``λ η`` each step and slows the decay of η.
    alpha : power α of the step-size decay ``η_t = lr / (1 + λ lr t)^α`` (>= 0).
    t0 : the step after which averaging starts (>= 0; ``math.inf`` never averages: ax = θ).
    weight_decay : L2 penalty added to the gradient, ``g + weight_decay θ``.
    maximize : ascend the objective instead.
    foreach : accepted, changes nothing. ``capturable`` / ``differentiable`` are refused.
    """

    _scalar_names = (("eta", 0.0), ("mu", 1.0))
    _n_tmp = 1

    def __init__(self, params, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0.0, foreach=None,
                 maximize: bool = False, differentiable: bool = False, capturable: bool = False):
        _implementation_options("ASGD", capturable, differentiable)
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                    "weight_decay": weight_decay, "maximize": maximize}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        group["lambd"] = _check_number("ASGD", "lambd", group["lambd"], 0.0)
        group["alpha"] = _check_number("ASGD", "alpha", group["alpha"], 0.0)
        t0 = group["t0"]
        if isinstance(t0, bool) or not isinstance(t0, (int, float, np.integer, np.floating)) \
                or math.isnan(t0) or t0 < 0:
            raise ValueError(f"ASGD: t0 (the step after which averaging starts) must be a "
                             f"number >= 0 (math.inf: never average), got {t0!r}")
        group["t0"] = float(t0)

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("ax",)

    def _update(self, group, p, g, st, tmp, step, sc) -> None:
        lr, lambd = group["lr"], group["lambd"]
        if step == 1:                      # fresh state: η starts at the group's current lr
            sc["eta"], sc["mu"] = lr, 1.0
        eta, mu, t, ax = sc["eta"], sc["mu"], tmp[0], st["ax"]
        p *= 1.0 - lambd * eta              # decay term
        np.multiply(g, eta, out=t)
        p -= t                              # θ -= η g
        if mu != 1.0:
            np.subtract(p, ax, out=t)
            t *= mu
            ax += t
        else:
            np.copyto(ax, p)
        sc["eta"] = lr / ((1.0 + lambd * lr * step) ** group["alpha"])
        sc["mu"] = 1.0 / max(1.0, step - group["t0"])
