"""Adadelta: a step sized by the ratio of two running RMS values, no learning-rate units (Zeiler 2012).

PyTorch's update (``torch.optim.Adadelta``), with ``g`` the gradient after weight decay::

    s = ρ s + (1 - ρ) g²                      # square_avg
    Δ = √(u + ε) / √(s + ε) · g               # u: acc_delta, the running mean of Δ²
    u = ρ u + (1 - ρ) Δ²
    θ -= lr Δ

``lr`` (default 1.0) only scales Δ. pytorch/examples' MNIST trains with ``Adadelta(lr=1.0)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .optimizer import Optimizer, _check_number, _implementation_options

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta with PyTorch's arguments and defaults (``lr=1.0, rho=0.9, eps=1e-6``)."""

    _n_tmp = 2

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0, foreach=None, *, capturable: bool = False,
                 maximize: bool = False, differentiable: bool = False):
        _implementation_options("Adadelta", capturable, differentiable)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        group["rho"] = _check_number("Adadelta", "rho", group["rho"], 0.0, high=1.0,
                                     high_open=False)
        group["eps"] = _check_number("Adadelta", "eps", group["eps"], 0.0)

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("square_avg", "acc_delta")

    def _update(self, group, p, g, st, tmp, step, sc) -> None:
        rho, eps, lr = group["rho"], group["eps"], group["lr"]
        t, delta = tmp[0], tmp[1]
        sq, acc = st["square_avg"], st["acc_delta"]
        sq *= rho                                     # s = ρ s + (1-ρ) g²
        np.multiply(g, g, out=t)
        t *= 1.0 - rho
        sq += t
        np.add(sq, eps, out=t)                        # √(s + ε)
        np.sqrt(t, out=t)
        np.add(acc, eps, out=delta)                   # Δ = √(u + ε) / √(s + ε) · g
        np.sqrt(delta, out=delta)
        delta /= t
        delta *= g
        acc *= rho                                    # u = ρ u + (1-ρ) Δ²
        np.multiply(delta, delta, out=t)
        t *= 1.0 - rho
        acc += t
        delta *= lr                                   # θ -= lr Δ
        p -= delta
