"""Adagrad: per-coordinate lr scaled by the root of the summed squared gradients.

PyTorch: ``G += g²``, ``θ -= lr_t g / (√G + ε)`` with ``lr_t = lr / (1 + (t-1) lr_decay)``.
The notes write ``θ -= α g / √(G + ε)`` (ε inside the root): ``eps_inside_sqrt=True``. The two
differ only where ``G`` is comparable to ε (or ε²): with ``G = 0`` the notes' step is ``α g/√ε``,
PyTorch's ``α g/ε``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._fast import optim_kernels as kernels
from .._validation import check_real
from ._engine import UpdateSlice, coupled_decay
from .optimizer import Optimizer, _implementation_options

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad with PyTorch's arguments; ``eps_inside_sqrt`` selects the notes' form.

    ``G = G + g²`` (``G`` starts at ``initial_accumulator_value``),
    ``lr_t = lr / (1 + (t-1) lr_decay)``, ``θ = θ - lr_t g / (√G + ε)`` (or ``/ √(G + ε)``).

    Parameters
    ----------
    params : iterable of Parameter or of dict
        Parameters, or param groups with their own options.
    lr : float, default 1e-2
        Base learning rate (>= 0).
    lr_decay : float, default 0
        Decay of the rate: ``lr_t = lr / (1 + (t-1) lr_decay)``.
    weight_decay : float, default 0
        λ: an L2 term ``λ θ`` added to the gradient.
    initial_accumulator_value : float, default 0
        Starting value of ``G``.
    eps : float, default 1e-10
        ε added to the denominator.
    eps_inside_sqrt : bool, default False
        Use ``√(G + ε)`` (the notes' form) instead of ``√G + ε``.
    maximize : bool, default False
        Ascend the objective.
    foreach, fused, differentiable : optional
        PyTorch's kernel choices: accepted where harmless, refused when they would change the
        algorithm.

    Examples
    --------
    >>> import numpy as np
    >>> from lucidnet import optim
    >>> from lucidnet.nn import Parameter
    >>> w = Parameter(np.array([1.0, -2.0]))
    >>> opt = optim.Adagrad([w], lr=0.1)
    >>> for _ in range(2):
    ...     w.grad = 2 * w.data          # the gradient of |w|²
    ...     opt.step()
    >>> np.round(w.data, 4).tolist()
    [0.8331, -1.8311]
    """

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10, foreach=None, *,
                 maximize: bool = False, differentiable: bool = False, fused=None,
                 eps_inside_sqrt: bool = False):
        _implementation_options("Adagrad", differentiable=differentiable)
        defaults = {"lr": lr, "lr_decay": lr_decay, "weight_decay": weight_decay,
                        "initial_accumulator_value": initial_accumulator_value, "eps": eps,
                        "maximize": maximize, "eps_inside_sqrt": eps_inside_sqrt}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        group["lr_decay"] = check_real("Adagrad", "lr_decay", group["lr_decay"], 0.0)
        group["initial_accumulator_value"] = check_real(
            "Adagrad", "initial_accumulator_value", group["initial_accumulator_value"], 0.0)
        group["eps"] = check_real("Adagrad", "eps", group["eps"], 0.0, low_open=True)

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("sum",)

    def _init_value(self, name: str, group: dict[str, Any]) -> float:
        return group["initial_accumulator_value"]

    def _update(self, group: dict[str, Any], s: UpdateSlice) -> None:
        param, grad, work, acc = s.param, s.grad, s.work[0], s.state["sum"]
        clr = group["lr"] / (1.0 + (s.step - 1) * group["lr_decay"])    # lr_t
        acc += np.multiply(grad, grad, out=work)                 # G = G + g²
        if group["eps_inside_sqrt"]:                             # notes: √(G + ε)
            denom = np.add(acc, group["eps"], out=work)
            np.sqrt(denom, out=denom)
        else:                                                    # PyTorch: √G + ε
            denom = np.sqrt(acc, out=work)
            denom += group["eps"]
        update = np.divide(grad, denom, out=work)                # θ -= lr_t g / denom
        update *= clr
        param -= update

    def _fusable(self, group: dict[str, Any]) -> bool:
        return True

    def _fused_plan(self, group, step, scalars, dtype):
        clr = group["lr"] / (1.0 + (step - 1) * group["lr_decay"])
        wd = coupled_decay(group)
        coef = np.array([clr, group["eps"], wd], dtype)
        kernel = kernels.adagrad(group["eps_inside_sqrt"], group["maximize"], bool(wd))

        def run(param, grad, acc):
            kernel(param, grad, acc, coef)
        return run
