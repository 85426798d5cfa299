"""Adam and its variants: AdamW, AMSGrad (flags of Adam), Adamax, NAdam.

All share the first moment ``m = β1 m + (1-β1) g`` (PyTorch's ``lerp``) and, except Adamax, the
second ``v = β2 v + (1-β2) g²``; with ``m̂ = m/(1-β1^t)``, ``v̂ = v/(1-β2^t)``:

* Adam:    ``θ -= lr m̂ / (√v̂ + ε)``; AMSGrad uses ``v_max = max(v_max, v)`` in place of ``v``.
* AdamW:   Adam with decoupled decay ``θ ← θ (1 - lr λ)`` before the step; plain Adam's
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

from .._fast import optim_kernels as kernels
from .._validation import check_real
from ._engine import UpdateSlice, coupled_decay
from .optimizer import Optimizer, _check_betas, _implementation_options

__all__ = ["Adam", "AdamW", "Adamax", "NAdam", "RAdam"]


def _first_moment(exp_avg, grad, beta1, work) -> None:
    """``m = lerp(m, g, 1-β1) = m + (1-β1)(g - m)``, as PyTorch computes it."""
    diff = np.subtract(grad, exp_avg, out=work)
    diff *= 1.0 - beta1
    exp_avg += diff


def _second_moment(exp_avg_sq, grad, beta2, work) -> None:
    """``v = β2 v + (1-β2) g²``."""
    exp_avg_sq *= beta2
    grad_sq = np.multiply(grad, grad, out=work)
    grad_sq *= 1.0 - beta2
    exp_avg_sq += grad_sq


def _decay_factor(group) -> float:
    """Decoupled weight decay's ``1 - lr λ`` (1.0 when the decay is coupled or zero)."""
    if group.get("decoupled_weight_decay") and group["weight_decay"]:
        return 1.0 - group["lr"] * group["weight_decay"]
    return 1.0


class _AdamBase(Optimizer):
    """Validation shared by the Adam family."""

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        name = type(self).__name__
        group["betas"] = _check_betas(name, group["betas"])
        group["eps"] = check_real(name, "eps", group["eps"], 0.0, low_open=True)

    @staticmethod
    def _decay(group, param) -> None:
        """Decoupled weight decay ``θ ← θ (1 - lr λ)`` (AdamW's form)."""
        if group.get("decoupled_weight_decay") and group["weight_decay"]:
            param *= 1.0 - group["lr"] * group["weight_decay"]

    def _fusable(self, group: dict[str, Any]) -> bool:
        return True


class Adam(_AdamBase):
    """Adam (Kingma & Ba) with PyTorch's arguments; AMSGrad and AdamW are options.

    With ``g`` the gradient (``-g`` if ``maximize``; plus ``weight_decay * θ`` unless the decay
    is decoupled) and ``t`` the step::

        θ = θ (1 - lr λ)                       (decoupled_weight_decay: AdamW)
        m = β1 m + (1 - β1) g
        v = β2 v + (1 - β2) g²
        v = max(v_max, v)                      (amsgrad)
        θ = θ - lr (m / (1 - β1^t)) / (√(v / (1 - β2^t)) + ε)

    Parameters
    ----------
    params : iterable of Parameter or of dict
        Parameters, or param groups with their own options.
    lr : float
        Learning rate (>= 0).
    betas : (float, float)
        Decay rates β1, β2 of the two moments, each in [0, 1).
    eps : float
        ε > 0 added to the root for stability.
    weight_decay : float
        λ: an L2 term added to the gradient, or the decoupled shrink with
        ``decoupled_weight_decay=True``.
    amsgrad : bool
        Use the running maximum of ``v`` (AMSGrad).
    maximize : bool
        Ascend the objective.
    decoupled_weight_decay : bool
        AdamW's decay ``θ ← θ (1 - lr λ)`` instead of the L2 term.
    foreach, fused, capturable, differentiable : optional
        PyTorch's kernel choices: the first two are accepted and change nothing, the others
        must stay False.

    Examples
    --------
    >>> import numpy as np
    >>> from lucidnet import optim
    >>> from lucidnet.nn import Parameter
    >>> w = Parameter(np.array([1.0, -2.0]))
    >>> opt = optim.Adam([w], lr=0.1)
    >>> for _ in range(2):
    ...     w.grad = 2 * w.data          # the gradient of |w|²
    ...     opt.step()
    >>> np.round(w.data, 4).tolist()
    [0.8004, -1.8002]
    """

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

    def _update(self, group: dict[str, Any], s: UpdateSlice) -> None:
        beta1, beta2 = group["betas"]
        param, grad, work = s.param, s.grad, s.work[0]
        exp_avg, exp_avg_sq = s.state["exp_avg"], s.state["exp_avg_sq"]
        step_size = group["lr"] / (1.0 - beta1 ** s.step)
        bias_correction2_sqrt = (1.0 - beta2 ** s.step) ** 0.5
        self._decay(group, param)                                # θ = θ (1 - lr λ)  (AdamW)
        _first_moment(exp_avg, grad, beta1, work)                # m = β1 m + (1-β1) g
        _second_moment(exp_avg_sq, grad, beta2, work)            # v = β2 v + (1-β2) g²
        if group["amsgrad"]:                                     # v = max(v_max, v)
            exp_avg_sq = np.maximum(s.state["max_exp_avg_sq"], exp_avg_sq,
                                    out=s.state["max_exp_avg_sq"])
        denom = np.sqrt(exp_avg_sq, out=work)                    # √v + ε √(1-β2^t)
        denom += group["eps"] * bias_correction2_sqrt
        update = np.divide(exp_avg, denom, out=work)             # θ -= lr m̂ / (√v̂ + ε)
        update *= step_size * bias_correction2_sqrt
        param -= update

    def _fused_plan(self, group, step, scalars, dtype):
        beta1, beta2 = group["betas"]
        step_size = group["lr"] / (1.0 - beta1 ** step)
        bias_correction2_sqrt = (1.0 - beta2 ** step) ** 0.5
        wd = coupled_decay(group)
        coef = np.array([_decay_factor(group), 1.0 - beta1, beta2, 1.0 - beta2,
                         group["eps"] * bias_correction2_sqrt,
                         step_size * bias_correction2_sqrt, wd], dtype)
        kernel = kernels.adam(group["amsgrad"], group["maximize"], bool(wd))

        def run(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq=None):
            kernel(param, grad, exp_avg, exp_avg_sq,
                   exp_avg_sq if max_exp_avg_sq is None else max_exp_avg_sq, coef)
        return run


class AdamW(Adam):
    """AdamW (Loshchilov & Hutter): Adam with decoupled weight decay, PyTorch's defaults.

    ``θ = θ (1 - lr λ)`` before Adam's step (see `Adam`) instead of adding ``λ θ`` to the
    gradient; ``weight_decay`` defaults to 1e-2. Equal to ``Adam(...,
    decoupled_weight_decay=True)``.

    Parameters
    ----------
    params : iterable of Parameter or of dict
        Parameters, or param groups with their own options.
    lr : float, default 1e-3
        Learning rate (>= 0).
    betas : (float, float), default (0.9, 0.999)
        Decay rates β1, β2 of the two moments, each in [0, 1).
    eps : float, default 1e-8
        ε added to the denominator.
    weight_decay : float, default 1e-2
        λ of the decoupled shrink ``θ ← θ (1 - lr λ)``.
    amsgrad : bool, default False
        Use the running maximum of ``v`` (AMSGrad).
    maximize : bool, default False
        Ascend the objective.
    foreach, fused, capturable, differentiable : optional
        PyTorch's kernel choices: accepted where harmless, refused when they would change the
        algorithm.

    Examples
    --------
    >>> import numpy as np
    >>> from lucidnet import optim
    >>> from lucidnet.nn import Parameter
    >>> w = Parameter(np.array([1.0, -2.0]))
    >>> opt = optim.AdamW([w], lr=0.1)
    >>> for _ in range(2):
    ...     w.grad = 2 * w.data          # the gradient of |w|²
    ...     opt.step()
    >>> np.round(w.data, 4).tolist()
    [0.7985, -1.7963]
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach=None, capturable: bool = False,
                 differentiable: bool = False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         capturable=capturable, differentiable=differentiable,
                         decoupled_weight_decay=True)


class Adamax(_AdamBase):
    """Adamax: Adam with the infinity norm in place of the second moment.

    ``m = β1 m + (1-β1) g``, ``u = max(β2 u, |g| + ε)``, ``θ = θ - lr/(1-β1^t) · m / u``
    (arguments as in `Adam`; ``weight_decay`` is an L2 term added to the gradient).

    Parameters
    ----------
    params : iterable of Parameter or of dict
        Parameters, or param groups with their own options.
    lr : float, default 2e-3
        Learning rate (>= 0).
    betas : (float, float), default (0.9, 0.999)
        Decay rates β1, β2 of the two moments, each in [0, 1).
    eps : float, default 1e-8
        ε added to the denominator.
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
    >>> opt = optim.Adamax([w], lr=0.1)
    >>> for _ in range(2):
    ...     w.grad = 2 * w.data          # the gradient of |w|²
    ...     opt.step()
    >>> np.round(w.data, 4).tolist()
    [0.8052, -1.8025]
    """

    def __init__(self, params, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, foreach=None, *,
                 maximize: bool = False, differentiable: bool = False, capturable: bool = False):
        _implementation_options("Adamax", capturable, differentiable)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "maximize": maximize}
        super().__init__(params, defaults)

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("exp_avg", "exp_inf")

    def _update(self, group: dict[str, Any], s: UpdateSlice) -> None:
        beta1, beta2 = group["betas"]
        param, grad, work = s.param, s.grad, s.work[0]
        exp_avg, exp_inf = s.state["exp_avg"], s.state["exp_inf"]
        _first_moment(exp_avg, grad, beta1, work)                # m = β1 m + (1-β1) g
        exp_inf *= beta2                                         # u = max(β2 u, |g| + ε)
        abs_grad = np.abs(grad, out=work)
        abs_grad += group["eps"]
        np.maximum(exp_inf, abs_grad, out=exp_inf)
        update = np.divide(exp_avg, exp_inf, out=work)           # θ -= lr/(1-β1^t) · m / u
        update *= group["lr"] / (1.0 - beta1 ** s.step)
        param -= update

    def _fused_plan(self, group, step, scalars, dtype):
        beta1, beta2 = group["betas"]
        wd = group["weight_decay"]
        coef = np.array([1.0 - beta1, beta2, group["eps"], group["lr"] / (1.0 - beta1 ** step),
                         wd], dtype)
        kernel = kernels.adamax(group["maximize"], bool(wd))

        def run(param, grad, exp_avg, exp_inf):
            kernel(param, grad, exp_avg, exp_inf, coef)
        return run


class NAdam(_AdamBase):
    """NAdam (Dozat): Adam with Nesterov momentum and a warming momentum schedule.

    ``μ_t = β1 (1 - ½ 0.96^(t ψ))`` (ψ = ``momentum_decay``), ``Π_t = μ_1 ... μ_t``; with Adam's
    ``m``, ``v`` and ``v̂ = v / (1-β2^t)``::

        θ = θ - lr (1-μ_t)/(1-Π_t) · g/(√v̂+ε) - lr μ_{t+1}/(1-Π_t μ_{t+1}) · m/(√v̂+ε)

    ``decoupled_weight_decay=True`` gives NAdamW (``θ ← θ (1 - lr λ)`` first).

    Parameters
    ----------
    params : iterable of Parameter or of dict
        Parameters, or param groups with their own options.
    lr : float, default 2e-3
        Learning rate (>= 0).
    betas : (float, float), default (0.9, 0.999)
        Decay rates β1, β2 of the two moments, each in [0, 1).
    eps : float, default 1e-8
        ε added to the denominator.
    weight_decay : float, default 0
        λ: an L2 term ``λ θ`` added to the gradient.
    momentum_decay : float, default 4e-3
        ψ of the momentum schedule.
    decoupled_weight_decay : bool, default False
        NAdamW's decay ``θ ← θ (1 - lr λ)`` instead of the L2 term.
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
    >>> opt = optim.NAdam([w], lr=0.1)
    >>> for _ in range(2):
    ...     w.grad = 2 * w.data          # the gradient of |w|²
    ...     opt.step()
    >>> np.round(w.data, 4).tolist()
    [0.82, -1.8179]
    """

    _scalar_names = (("mu_product", 1.0),)
    _n_work = 2

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
        group["momentum_decay"] = check_real("NAdam", "momentum_decay",
                                             group["momentum_decay"], 0.0)

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("exp_avg", "exp_avg_sq")

    @staticmethod
    def _coefficients(group, step: int, scalars: dict[str, float]):
        """``(c_grad, c_avg, √(1-β2^t))`` of this step; advances ``Π_t = Π_{t-1} μ_t``."""
        beta1, beta2 = group["betas"]
        lr, psi = group["lr"], group["momentum_decay"]
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * psi))                # μ_t
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * psi))     # μ_{t+1}
        scalars["mu_product"] *= mu                                     # Π_t
        mu_product = scalars["mu_product"]
        bias_correction2_sqrt = math.sqrt(1.0 - beta2 ** step)
        c_grad = lr * (1.0 - mu) / (1.0 - mu_product) * bias_correction2_sqrt
        c_avg = lr * mu_next / (1.0 - mu_product * mu_next) * bias_correction2_sqrt
        return c_grad, c_avg, bias_correction2_sqrt

    def _update(self, group: dict[str, Any], s: UpdateSlice) -> None:
        beta1, beta2 = group["betas"]
        param, grad, work, numer = s.param, s.grad, s.work[0], s.work[1]
        exp_avg, exp_avg_sq = s.state["exp_avg"], s.state["exp_avg_sq"]
        c_grad, c_avg, bias_correction2_sqrt = self._coefficients(group, s.step, s.scalars)
        self._decay(group, param)                                # θ = θ (1 - lr λ)  (NAdamW)
        _first_moment(exp_avg, grad, beta1, work)                # m = β1 m + (1-β1) g
        _second_moment(exp_avg_sq, grad, beta2, work)            # v = β2 v + (1-β2) g²
        np.multiply(exp_avg, c_avg, out=numer)                   # c_avg m + c_grad g
        numer += np.multiply(grad, c_grad, out=work)
        denom = np.sqrt(exp_avg_sq, out=work)                    # √v + ε √(1-β2^t)
        denom += group["eps"] * bias_correction2_sqrt
        param -= np.divide(numer, denom, out=numer)

    def _fused_plan(self, group, step, scalars, dtype):
        beta1, beta2 = group["betas"]
        c_grad, c_avg, bias_correction2_sqrt = self._coefficients(group, step, scalars)
        wd = coupled_decay(group)
        coef = np.array([_decay_factor(group), 1.0 - beta1, beta2, 1.0 - beta2,
                         group["eps"] * bias_correction2_sqrt, c_grad, c_avg, wd], dtype)
        kernel = kernels.nadam(group["maximize"], bool(wd))

        def run(param, grad, exp_avg, exp_avg_sq):
            kernel(param, grad, exp_avg, exp_avg_sq, coef)
        return run


class RAdam(_AdamBase):
    """RAdam (Liu et al.): Adam whose adaptive step is rectified while its variance is large.

    ``ρ∞ = 2/(1-β2) - 1``, ``ρ_t = ρ∞ - 2 t β2^t / (1-β2^t)``. While ``ρ_t <= 5``:
    ``θ = θ - lr m / (1-β1^t)`` (momentum SGD); after, with
    ``r_t = √((ρ_t-4)(ρ_t-2)ρ∞ / ((ρ∞-4)(ρ∞-2)ρ_t))``:
    ``θ = θ - lr m/(1-β1^t) · r_t √(1-β2^t) / (√v + ε)``. ``decoupled_weight_decay`` gives its
    AdamW form.

    Parameters
    ----------
    params : iterable of Parameter or of dict
        Parameters, or param groups with their own options.
    lr : float, default 1e-3
        Learning rate (>= 0).
    betas : (float, float), default (0.9, 0.999)
        Decay rates β1, β2 of the two moments, each in [0, 1).
    eps : float, default 1e-8
        ε added to the denominator.
    weight_decay : float, default 0
        λ: an L2 term ``λ θ`` added to the gradient.
    decoupled_weight_decay : bool, default False
        AdamW's decay ``θ ← θ (1 - lr λ)`` instead of the L2 term.
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
    >>> opt = optim.RAdam([w], lr=0.1)
    >>> for _ in range(2):
    ...     w.grad = 2 * w.data          # the gradient of |w|²
    ...     opt.step()
    >>> np.round(w.data, 4).tolist()
    [0.6211, -1.2421]
    """

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

    @staticmethod
    def _rectification(group, step: int) -> tuple[bool, float]:
        """``(ρ_t > 5, scale)``: the step factor on ``m / (√v + ε)`` when rectified
        (``lr r_t √(1-β2^t) / (1-β1^t)``), else on ``m`` (``lr / (1-β1^t)``)."""
        beta1, beta2 = group["betas"]
        lr = group["lr"]
        bias_correction1, bias_correction2 = 1.0 - beta1 ** step, 1.0 - beta2 ** step
        rho_inf = 2.0 / (1.0 - beta2) - 1.0
        rho_t = rho_inf - 2.0 * step * beta2 ** step / bias_correction2
        if rho_t <= 5.0:                                  # early steps: momentum SGD
            return False, lr / bias_correction1
        rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                         / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        return True, lr * rect * math.sqrt(bias_correction2) / bias_correction1

    def _update(self, group: dict[str, Any], s: UpdateSlice) -> None:
        beta1, beta2 = group["betas"]
        param, grad, work = s.param, s.grad, s.work[0]
        exp_avg, exp_avg_sq = s.state["exp_avg"], s.state["exp_avg_sq"]
        rectified, scale = self._rectification(group, s.step)
        self._decay(group, param)                                # θ = θ (1 - lr λ)
        _first_moment(exp_avg, grad, beta1, work)                # m = β1 m + (1-β1) g
        _second_moment(exp_avg_sq, grad, beta2, work)            # v = β2 v + (1-β2) g²
        if rectified:                                            # θ -= scale · m / (√v + ε)
            denom = np.sqrt(exp_avg_sq, out=work)
            denom += group["eps"]
            update = np.divide(exp_avg, denom, out=work)
            update *= scale
        else:                                                    # θ -= scale · m
            update = np.multiply(exp_avg, scale, out=work)
        param -= update

    def _fused_plan(self, group, step, scalars, dtype):
        beta1, beta2 = group["betas"]
        rectified, scale = self._rectification(group, step)
        wd = coupled_decay(group)
        coef = np.array([_decay_factor(group), 1.0 - beta1, beta2, 1.0 - beta2, group["eps"],
                         scale, wd], dtype)
        kernel = kernels.radam(rectified, group["maximize"], bool(wd))

        def run(param, grad, exp_avg, exp_avg_sq):
            kernel(param, grad, exp_avg, exp_avg_sq, coef)
        return run
