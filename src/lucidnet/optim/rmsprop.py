"""RMSprop: divide by the root of an EMA of squared gradients (SPEC E3).

PyTorch: ``s = α s + (1-α) g²``; centered: ``ḡ = α ḡ + (1-α) g``, ``s̃ = s - ḡ²``;
``d = g / (√s̃ + ε)``; with momentum ``b = μ b + d``, ``θ -= lr b``, else ``θ -= lr d``.
The notes write ``θ -= η g / √(E[g²] + ε)`` (ε inside the root): ``eps_inside_sqrt=True``.
Note PyTorch's ``alpha`` is the decay rate (the notes' ``dr``), not the learning rate.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .optimizer import Optimizer, _check_number, _implementation_options

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop with PyTorch's arguments; ``eps_inside_sqrt`` selects the notes' form. SPEC E3."""

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False, *,
                 capturable: bool = False, foreach=None, maximize: bool = False,
                 differentiable: bool = False, eps_inside_sqrt: bool = False):
        _implementation_options("RMSprop", capturable, differentiable)
        defaults = {"lr": lr, "alpha": alpha, "eps": eps, "weight_decay": weight_decay, "momentum": momentum,
                        "centered": centered, "maximize": maximize, "eps_inside_sqrt": eps_inside_sqrt}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        group["alpha"] = _check_number("RMSprop", "alpha", group["alpha"], 0.0, high=1.0,
                                       high_open=False)
        group["eps"] = _check_number("RMSprop", "eps", group["eps"], 0.0, low_open=True)
        group["momentum"] = _check_number("RMSprop", "momentum", group["momentum"], 0.0)

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        names = ("square_avg",)
        if group["momentum"] > 0:
            names += ("momentum_buffer",)
        if group["centered"]:
            names += ("grad_avg",)
        return names

    def _update(self, group, p, g, st, tmp, step, sc) -> None:
        alpha, eps, lr = group["alpha"], group["eps"], group["lr"]
        t, sq = tmp[0], st["square_avg"]
        sq *= alpha                                   # s = α s + (1-α) g²
        np.multiply(g, g, out=t)
        t *= 1.0 - alpha
        sq += t
        if group["centered"]:                         # ḡ = lerp(ḡ, g, 1-α); s̃ = s - ḡ²
            ga = st["grad_avg"]
            np.subtract(g, ga, out=t)
            t *= 1.0 - alpha
            ga += t
            np.multiply(ga, ga, out=t)
            np.subtract(sq, t, out=t)
            src = t
        else:
            src = sq
        if group["eps_inside_sqrt"]:                  # notes: √(s + ε)
            np.add(src, eps, out=t)
            np.sqrt(t, out=t)
        else:                                         # PyTorch: √s + ε
            np.sqrt(src, out=t)
            t += eps
        np.divide(g, t, out=t)
        if group["momentum"] > 0:
            buf = st["momentum_buffer"]
            buf *= group["momentum"]
            buf += t
            np.multiply(buf, lr, out=t)
        else:
            t *= lr
        p -= t
