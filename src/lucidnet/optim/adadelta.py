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

from .._fast import optim_kernels as kernels
from .._validation import check_real
from ._engine import UpdateSlice, coupled_decay
from .optimizer import Optimizer, _implementation_options

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta with PyTorch's arguments and defaults (``lr=1.0, rho=0.9, eps=1e-6``).

    ``s = ρ s + (1-ρ) g²``, ``Δ = √(u + ε) / √(s + ε) · g``, ``u = ρ u + (1-ρ) Δ²``,
    ``θ = θ - lr Δ``.

    Parameters
    ----------
    params : iterable of Parameter or of dict
        Parameters, or param groups with their own options.
    lr : float, default 1.0
        Scale of the step Δ (>= 0).
    rho : float, default 0.9
        ρ, the decay of both running averages, in [0, 1].
    eps : float, default 1e-6
        ε inside both roots.
    weight_decay : float, default 0
        λ: an L2 term ``λ θ`` added to the gradient.
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
    >>> opt = optim.Adadelta([w])
    >>> for _ in range(2):
    ...     w.grad = 2 * w.data          # the gradient of |w|²
    ...     opt.step()
    >>> np.round(w.data, 4).tolist()
    [0.9936, -1.9936]
    """

    _n_work = 2

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0, foreach=None, *, capturable: bool = False,
                 maximize: bool = False, differentiable: bool = False):
        _implementation_options("Adadelta", capturable, differentiable)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        group["rho"] = check_real("Adadelta", "rho", group["rho"], 0.0, high=1.0,
                                  high_open=False)
        group["eps"] = check_real("Adadelta", "eps", group["eps"], 0.0)

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("square_avg", "acc_delta")

    def _update(self, group: dict[str, Any], s: UpdateSlice) -> None:
        rho, eps, lr = group["rho"], group["eps"], group["lr"]
        param, grad, work, delta = s.param, s.grad, s.work[0], s.work[1]
        square_avg, acc_delta = s.state["square_avg"], s.state["acc_delta"]
        square_avg *= rho                                        # s = ρ s + (1-ρ) g²
        grad_sq = np.multiply(grad, grad, out=work)
        grad_sq *= 1.0 - rho
        square_avg += grad_sq
        rms_grad = np.add(square_avg, eps, out=work)             # √(s + ε)
        np.sqrt(rms_grad, out=rms_grad)
        np.add(acc_delta, eps, out=delta)                        # Δ = √(u + ε) / √(s + ε) · g
        np.sqrt(delta, out=delta)
        delta /= rms_grad
        delta *= grad
        acc_delta *= rho                                         # u = ρ u + (1-ρ) Δ²
        delta_sq = np.multiply(delta, delta, out=work)
        delta_sq *= 1.0 - rho
        acc_delta += delta_sq
        delta *= lr                                              # θ -= lr Δ
        param -= delta

    def _fusable(self, group: dict[str, Any]) -> bool:
        return True

    def _fused_plan(self, group, step, scalars, dtype):
        rho, wd = group["rho"], coupled_decay(group)
        coef = np.array([rho, 1.0 - rho, group["eps"], group["lr"], wd], dtype)
        kernel = kernels.adadelta(group["maximize"], bool(wd))

        def run(param, grad, square_avg, acc_delta):
            kernel(param, grad, square_avg, acc_delta, coef)
        return run
