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

from .._fast import optim_kernels as kernels
from .._validation import check_real
from ._engine import UpdateSlice
from .optimizer import Optimizer, _implementation_options

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Rprop with PyTorch's arguments and defaults; ``lr`` is the initial step size.

    ``η = η+`` where ``g · g_prev > 0``, ``η-`` where ``< 0``, else 1;
    ``step = clip(step · η, step_min, step_max)``; ``g = 0`` after a sign change;
    ``θ = θ - sign(g) · step``; ``g_prev = g``.

    Parameters
    ----------
    params : iterable of Parameter or of dict
        Parameters, or param groups with their own options.
    lr : float, default 1e-2
        The initial step size of every entry.
    etas : (float, float), default (0.5, 1.2)
        (η-, η+): the step's factors after a sign change / a kept sign (0 < η- <= 1 < η+).
    step_sizes : (float, float), default (1e-6, 50)
        (step_min, step_max), the bounds of the step.
    maximize : bool, default False
        Ascend the objective.
    foreach, capturable, differentiable : optional
        PyTorch's kernel choices: accepted where harmless, refused when they would change the
        algorithm.

    Examples
    --------
    >>> import numpy as np
    >>> from lucidnet import optim
    >>> from lucidnet.nn import Parameter
    >>> w = Parameter(np.array([1.0, -2.0]))
    >>> opt = optim.Rprop([w], lr=0.1)
    >>> for _ in range(2):
    ...     w.grad = 2 * w.data          # the gradient of |w|²
    ...     opt.step()
    >>> np.round(w.data, 4).tolist()
    [0.78, -1.78]
    """

    _n_work = 2

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
        minus = check_real("Rprop", "etas[0]", etas[0], 0.0, low_open=True, high=1.0)
        plus = check_real("Rprop", "etas[1]", etas[1], 1.0, low_open=True)
        group["etas"] = (minus, plus)
        if not isinstance(sizes, (tuple, list)) or len(sizes) != 2:
            raise ValueError(f"Rprop: step_sizes must be a pair (min, max), got {sizes!r}")
        low = check_real("Rprop", "step_sizes[0]", sizes[0], 0.0)
        high = check_real("Rprop", "step_sizes[1]", sizes[1], low)
        group["step_sizes"] = (low, high)

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("prev", "step_size")

    def _init_value(self, name: str, group: dict[str, Any]) -> float:
        return group["lr"] if name == "step_size" else 0.0

    def _update(self, group: dict[str, Any], s: UpdateSlice) -> None:
        eta_minus, eta_plus = group["etas"]
        low, high = group["step_sizes"]
        param, grad = s.param, s.grad
        sign_agreement, eta = s.work[0], s.work[1]
        prev, step_size = s.state["prev"], s.state["step_size"]
        np.multiply(grad, prev, out=sign_agreement)              # g · g_prev
        eta.fill(1.0)                                            # η = η+, η- or 1
        eta[sign_agreement > 0] = eta_plus
        flipped = sign_agreement < 0
        eta[flipped] = eta_minus
        step_size *= eta                                         # step = clip(step η, min, max)
        np.clip(step_size, low, high, out=step_size)
        np.copyto(prev, grad)                                    # g_prev = g, 0 after a flip
        prev[flipped] = 0.0
        update = np.sign(prev, out=sign_agreement)               # θ -= sign(g) · step
        update *= step_size
        param -= update

    def _fusable(self, group: dict[str, Any]) -> bool:
        return True

    def _fused_plan(self, group, step, scalars, dtype):
        eta_minus, eta_plus = group["etas"]
        low, high = group["step_sizes"]
        coef = np.array([eta_minus, eta_plus, 1.0, 0.0, low, high], dtype)
        kernel = kernels.rprop(group["maximize"])

        def run(param, grad, prev, step_size):
            kernel(param, grad, prev, step_size, coef)
        return run
