"""Rprop: per-coordinate step sizes that grow while the gradient keeps its sign (Riedmiller &
Braun 1993), PyTorch's variant (``torch.optim.Rprop``).

    s = g · g_prev
    η = η+ where s > 0, η- where s < 0, 1 where s = 0
    step = clip(step · η, step_min, step_max)
    g = 0 where s < 0                         (no move after a sign change; it is forgotten)
    θ -= sign(g) · step;   g_prev = g

Only the gradient's sign is used, so Rprop suits full-batch training.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .optimizer import Optimizer, _check_number, _implementation_options

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Rprop with PyTorch's arguments and defaults (``lr=1e-2, etas=(0.5, 1.2),
    step_sizes=(1e-6, 50)``); ``lr`` is the initial step size."""

    _n_tmp = 2

    def __init__(self, params, lr: float = 1e-2, etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, capturable: bool = False,
                 foreach=None, maximize: bool = False, differentiable: bool = False):
        _implementation_options("Rprop", capturable, differentiable)
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "maximize": maximize}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        etas, sizes = group["etas"], group["step_sizes"]
        if not isinstance(etas, (tuple, list)) or len(etas) != 2:
            raise ValueError(f"Rprop: etas must be a pair (etaminus, etaplus), got {etas!r}")
        minus = _check_number("Rprop", "etas[0]", etas[0], 0.0, low_open=True, high=1.0)
        plus = _check_number("Rprop", "etas[1]", etas[1], 1.0, low_open=True)
        group["etas"] = (minus, plus)
        if not isinstance(sizes, (tuple, list)) or len(sizes) != 2:
            raise ValueError(f"Rprop: step_sizes must be a pair (min, max), got {sizes!r}")
        low = _check_number("Rprop", "step_sizes[0]", sizes[0], 0.0)
        high = _check_number("Rprop", "step_sizes[1]", sizes[1], low)
        group["step_sizes"] = (low, high)

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("prev", "step_size")

    def _init_value(self, name: str, group: dict[str, Any]) -> float:
        return group["lr"] if name == "step_size" else 0.0

    def _update(self, group, p, g, st, tmp, step, sc) -> None:
        minus, plus = group["etas"]
        low, high = group["step_sizes"]
        s, eta = tmp[0], tmp[1]
        prev, size = st["prev"], st["step_size"]
        np.multiply(g, prev, out=s)
        eta.fill(1.0)
        eta[s > 0] = plus
        flipped = s < 0
        eta[flipped] = minus
        size *= eta
        np.clip(size, low, high, out=size)
        np.copyto(prev, g)
        prev[flipped] = 0.0                              # forget the gradient after a flip
        np.sign(prev, out=s)
        s *= size
        p -= s
