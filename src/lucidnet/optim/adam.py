"""Adam and its variants: AdamW, AMSGrad (flags of Adam), Adamax, NAdam (SPEC E3, E4).

All share the first moment ``m = β1 m + (1-β1) g`` (PyTorch's ``lerp``) and, except Adamax, the
second ``v = β2 v + (1-β2) g²``; with ``m̂ = m/(1-β1^t)``, ``v̂ = v/(1-β2^t)``:

* Adam:    ``θ -= lr m̂ / (√v̂ + ε)``; AMSGrad uses ``v_max = max(v_max, v)`` in place of ``v``.
* AdamW:   Adam with decoupled decay ``θ ← θ (1 - lr λ)`` before the step (SPEC E4); plain Adam's
  ``weight_decay`` is L2 added to the gradient, which Adam then rescales per coordinate.
* Adamax:  ``u = max(β2 u, |g| + ε)``, ``θ -= lr/(1-β1^t) · m / u``.
* RAdam:   Adam's step rectified by ``r_t`` while the variance of v̂ is tractable
  (``ρ_t = ρ∞ - 2t β2^t/(1-β2^t) > 5``, ``ρ∞ = 2/(1-β2) - 1``): ``θ -= lr m̂ r_t √(1-β2^t)/(√v+ε)``,
  ``r_t = √((ρ_t-4)(ρ_t-2)ρ∞ / ((ρ∞-4)(ρ∞-2)ρ_t))``; before that, momentum SGD ``θ -= lr m̂``.
* NAdam:   ``μ_t = β1 (1 - ½·0.96^(t ψ))`` (ψ = momentum_decay), ``Π_t = Π μ_i``;
  ``θ -= lr (1-μ_t)/(1-Π_t) · g/(√v̂+ε) + lr μ_{t+1}/(1-Π_{t+1}) · m/(√v̂+ε)``.

The constant factors are folded so that each step is a few in-place ufuncs:
``m/(√v/√b2 + ε) = √b2 · m/(√v + ε√b2)``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .optimizer import Optimizer, _check_betas, _check_number, _implementation_options

__all__ = ["Adam", "AdamW", "Adamax", "NAdam", "RAdam"]


def _first_moment(m, g, beta1, t) -> None:
    """m = lerp(m, g, 1-β1) = m + (1-β1)(g - m), as PyTorch computes it."""
    np.subtract(g, m, out=t)
    t *= 1.0 - beta1
    m += t


def _second_moment(v, g, beta2, t) -> None:
    """v = β2 v + (1-β2) g²."""
    v *= beta2
    np.multiply(g, g, out=t)
    t *= 1.0 - beta2
    v += t


class _AdamBase(Optimizer):
    """Validation shared by the Adam family."""

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        name = type(self).__name__
        group["betas"] = _check_betas(name, group["betas"])
        group["eps"] = _check_number(name, "eps", group["eps"], 0.0, low_open=True)

    @staticmethod
    def _decay(group, p) -> None:
        """Decoupled weight decay ``θ ← θ (1 - lr λ)`` (AdamW, SPEC E4)."""
        if group.get("decoupled_weight_decay") and group["weight_decay"]:
            p *= 1.0 - group["lr"] * group["weight_decay"]


class Adam(_AdamBase):
    """Adam (Kingma & Ba) with PyTorch's arguments; ``amsgrad`` and ``decoupled_weight_decay``
    (= AdamW) are options of the same update. SPEC E3."""

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False, *,
                 foreach=None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused=None, decoupled_weight_decay: bool = False):
        _implementation_options(type(self).__name__, capturable, differentiable)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad,
                        "maximize": maximize, "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        names = ("exp_avg", "exp_avg_sq")
        return names + ("max_exp_avg_sq",) if group["amsgrad"] else names

    def _update(self, group, p, g, st, tmp, step, sc) -> None:
        beta1, beta2 = group["betas"]
        t, m, v = tmp[0], st["exp_avg"], st["exp_avg_sq"]
        self._decay(group, p)
        _first_moment(m, g, beta1, t)
        _second_moment(v, g, beta2, t)
        if group["amsgrad"]:
            v = np.maximum(st["max_exp_avg_sq"], v, out=st["max_exp_avg_sq"])
        step_size = group["lr"] / (1.0 - beta1 ** step)
        bc2_sqrt = (1.0 - beta2 ** step) ** 0.5
        np.sqrt(v, out=t)                                  # √v + ε√b2
        t += group["eps"] * bc2_sqrt
        np.divide(m, t, out=t)
        t *= step_size * bc2_sqrt
        p -= t


class AdamW(Adam):
    """Adam with decoupled weight decay ``θ ← θ(1 - lr λ)`` (Loshchilov & Hutter); PyTorch's
    defaults (``weight_decay=1e-2``). SPEC E3, E4."""

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach=None, capturable: bool = False,
                 differentiable: bool = False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         capturable=capturable, differentiable=differentiable,
                         decoupled_weight_decay=True)


class Adamax(_AdamBase):
    """Adamax: Adam with the infinity norm ``u = max(β2 u, |g| + ε)``. SPEC E3."""

    def __init__(self, params, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, foreach=None, *,
                 maximize: bool = False, differentiable: bool = False, capturable: bool = False):
        _implementation_options("Adamax", capturable, differentiable)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "maximize": maximize}
        super().__init__(params, defaults)

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("exp_avg", "exp_inf")

    def _update(self, group, p, g, st, tmp, step, sc) -> None:
        beta1, beta2 = group["betas"]
        t, m, u = tmp[0], st["exp_avg"], st["exp_inf"]
        _first_moment(m, g, beta1, t)
        u *= beta2
        np.abs(g, out=t)
        t += group["eps"]
        np.maximum(u, t, out=u)
        np.divide(m, u, out=t)
        t *= group["lr"] / (1.0 - beta1 ** step)
        p -= t


class NAdam(_AdamBase):
    """NAdam (Dozat): Adam with Nesterov momentum and a warming momentum schedule ``μ_t``;
    ``decoupled_weight_decay=True`` gives NAdamW. SPEC E3."""

    _scalar_names = (("mu_product", 1.0),)
    _n_tmp = 2

    def __init__(self, params, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum_decay: float = 4e-3, *,
                 decoupled_weight_decay: bool = False, foreach=None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False):
        _implementation_options("NAdam", capturable, differentiable)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                        "momentum_decay": momentum_decay, "decoupled_weight_decay": decoupled_weight_decay,
                        "maximize": maximize}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        group["momentum_decay"] = _check_number("NAdam", "momentum_decay",
                                                group["momentum_decay"], 0.0)

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("exp_avg", "exp_avg_sq")

    def _update(self, group, p, g, st, tmp, step, sc) -> None:
        beta1, beta2 = group["betas"]
        lr, psi = group["lr"], group["momentum_decay"]
        t, num, m, v = tmp[0], tmp[1], st["exp_avg"], st["exp_avg_sq"]
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * psi))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * psi))
        sc["mu_product"] *= mu
        mu_product = sc["mu_product"]
        bc2_sqrt = math.sqrt(1.0 - beta2 ** step)
        self._decay(group, p)
        _first_moment(m, g, beta1, t)
        _second_moment(v, g, beta2, t)
        c_grad = lr * (1.0 - mu) / (1.0 - mu_product) * bc2_sqrt
        c_avg = lr * mu_next / (1.0 - mu_product * mu_next) * bc2_sqrt
        np.multiply(m, c_avg, out=num)
        np.multiply(g, c_grad, out=t)
        num += t
        np.sqrt(v, out=t)
        t += group["eps"] * bc2_sqrt
        np.divide(num, t, out=num)
        p -= num


class RAdam(_AdamBase):
    """RAdam (Liu et al., rectified Adam) with PyTorch's arguments; ``decoupled_weight_decay``
    gives its AdamW form. SPEC E3."""

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, decoupled_weight_decay: bool = False,
                 *, foreach=None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False):
        _implementation_options("RAdam", capturable, differentiable)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize}
        super().__init__(params, defaults)

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("exp_avg", "exp_avg_sq")

    def _update(self, group, p, g, st, tmp, step, sc) -> None:
        beta1, beta2 = group["betas"]
        lr, t, m, v = group["lr"], tmp[0], st["exp_avg"], st["exp_avg_sq"]
        self._decay(group, p)
        _first_moment(m, g, beta1, t)
        _second_moment(v, g, beta2, t)
        bc1, bc2 = 1.0 - beta1 ** step, 1.0 - beta2 ** step
        rho_inf = 2.0 / (1.0 - beta2) - 1.0
        rho_t = rho_inf - 2.0 * step * beta2 ** step / bc2
        if rho_t > 5.0:                                   # rectified adaptive step
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                             / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            np.sqrt(v, out=t)
            t += group["eps"]
            np.divide(m, t, out=t)
            t *= lr * rect * math.sqrt(bc2) / bc1
        else:                                             # early steps: momentum SGD
            np.multiply(m, lr / bc1, out=t)
        p -= t
