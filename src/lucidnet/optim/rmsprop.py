"""RMSprop: divide by the root of an EMA of squared gradients.

PyTorch: ``s = α s + (1-α) g²``; centered: ``ḡ = α ḡ + (1-α) g``, ``s̃ = s - ḡ²``;
``d = g / (√s̃ + ε)``; with momentum ``b = μ b + d``, ``θ -= lr b``, else ``θ -= lr d``.
The notes write ``θ -= η g / √(E[g²] + ε)`` (ε inside the root): ``eps_inside_sqrt=True``.
Note PyTorch's ``alpha`` is the decay rate (the notes' ``dr``), not the learning rate.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._fast import optim_kernels as kernels
from .._validation import check_real
from ._engine import UpdateSlice, coupled_decay
from .optimizer import Optimizer, _implementation_options

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop with PyTorch's arguments; ``eps_inside_sqrt`` selects the notes' form.

    ``s = α s + (1-α) g²``; centered: ``ḡ = α ḡ + (1-α) g`` and ``s̃ = s - ḡ²``;
    ``d = g / (√s̃ + ε)``; with momentum ``b = μ b + d``, ``θ = θ - lr b``, else
    ``θ = θ - lr d``. (``alpha`` is the decay rate, not the learning rate.)

    Parameters
    ----------
    params : iterable of Parameter or of dict
        Parameters, or param groups with their own options.
    lr : float, default 1e-2
        Learning rate (>= 0).
    alpha : float, default 0.99
        α, the decay of the running mean of g².
    eps : float, default 1e-8
        ε added to the root.
    weight_decay : float, default 0
        λ: an L2 term ``λ θ`` added to the gradient.
    momentum : float, default 0
        μ of the momentum buffer ``b``.
    centered : bool, default False
        Subtract the squared running mean of g (an estimate of the variance).
    eps_inside_sqrt : bool, default False
        Use ``√(s̃ + ε)`` (the notes' form) instead of ``√s̃ + ε``.
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
    >>> opt = optim.RMSprop([w], lr=0.01)
    >>> for _ in range(2):
    ...     w.grad = 2 * w.data          # the gradient of |w|²
    ...     opt.step()
    >>> np.round(w.data, 4).tolist()
    [0.8329, -1.8309]
    """

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
        group["alpha"] = check_real("RMSprop", "alpha", group["alpha"], 0.0, high=1.0,
                                    high_open=False)
        group["eps"] = check_real("RMSprop", "eps", group["eps"], 0.0, low_open=True)
        group["momentum"] = check_real("RMSprop", "momentum", group["momentum"], 0.0)

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        names = ("square_avg",)
        if group["momentum"] > 0:
            names += ("momentum_buffer",)
        if group["centered"]:
            names += ("grad_avg",)
        return names

    def _update(self, group: dict[str, Any], s: UpdateSlice) -> None:
        alpha, eps, lr = group["alpha"], group["eps"], group["lr"]
        param, grad, work, square_avg = s.param, s.grad, s.work[0], s.state["square_avg"]
        square_avg *= alpha                                      # s = α s + (1-α) g²
        grad_sq = np.multiply(grad, grad, out=work)
        grad_sq *= 1.0 - alpha
        square_avg += grad_sq
        variance = square_avg
        if group["centered"]:                                    # ḡ = lerp(ḡ, g, 1-α)
            grad_avg = s.state["grad_avg"]
            diff = np.subtract(grad, grad_avg, out=work)
            diff *= 1.0 - alpha
            grad_avg += diff
            mean_sq = np.multiply(grad_avg, grad_avg, out=work)  # s̃ = s - ḡ²
            variance = np.subtract(square_avg, mean_sq, out=work)
        if group["eps_inside_sqrt"]:                             # notes: √(s + ε)
            denom = np.add(variance, eps, out=work)
            np.sqrt(denom, out=denom)
        else:                                                    # PyTorch: √s + ε
            denom = np.sqrt(variance, out=work)
            denom += eps
        direction = np.divide(grad, denom, out=work)             # d = g / denom
        if group["momentum"] > 0:                                # b = μ b + d ; θ -= lr b
            buf = s.state["momentum_buffer"]
            buf *= group["momentum"]
            buf += direction
            update = np.multiply(buf, lr, out=work)
        else:                                                    # θ -= lr d
            update = direction
            update *= lr
        param -= update

    def _fusable(self, group: dict[str, Any]) -> bool:
        return True

    def _fused_plan(self, group, step, scalars, dtype):
        alpha, momentum, centered = group["alpha"], group["momentum"], group["centered"]
        wd = coupled_decay(group)
        coef = np.array([alpha, 1.0 - alpha, group["eps"], group["lr"], momentum, wd], dtype)
        kernel = kernels.rmsprop(centered, momentum > 0, group["eps_inside_sqrt"],
                                 group["maximize"], bool(wd))

        def run(param, grad, square_avg, *rest):     # rest: momentum_buffer?, grad_avg?
            buf = rest[0] if momentum > 0 else square_avg
            grad_avg = rest[-1] if centered else square_avg
            kernel(param, grad, square_avg, buf, grad_avg, coef)
        return run
