"""Fused optimizer updates: one compiled loop over a parameter's buffers per step.

Each kernel reads every element of the parameter, its gradient and its state once, applies the
whole update and writes the results back: NumPy's chain of in-place ufuncs walks the same memory
four or five times. The NumPy updates in ``lucidnet/optim`` stay the reference; the kernels
perform the *same* operations in the same order and in the parameters' dtype (the callers pass
every coefficient already cast to it), so both paths round alike (tests compare them).

Common arguments: ``param`` (updated in place), ``grad`` (read only), the state arrays (updated in
place), all 1-D and of one dtype; ``maximize`` negates the gradient and ``weight_decay`` (``wd``,
0 for none) adds ``wd * θ`` to it first, as PyTorch does. Compiled on first use (never at import)
and cached on disk by `lucidnet._fast.jit`.
"""

from __future__ import annotations

import numpy as np

from . import jit

__all__ = ["adadelta", "adagrad", "adam", "adamax", "asgd", "nadam", "radam", "rmsprop",
           "rprop", "sgd"]


@jit
def _grad(grad, param, i, maximize, wd):
    """``g' = -g if maximize``; ``g' = g' + wd θ`` (coupled weight decay)."""
    g = -grad[i] if maximize else grad[i]
    if wd != 0:
        g = g + param[i] * wd
    return g


@jit
def _max(a, b):
    """``np.maximum``: NaN wins."""
    return a if (a >= b or a != a) else b


@jit
def sgd(param, grad, buf, lr, mu, one_minus_damp, maximize, wd, form, first, damp, nesterov):
    """SGD. ``form``: 0 plain (no momentum), 1 PyTorch momentum, 2 EMA, 3 classical;
    ``first``: PyTorch's first step ``b = g``; ``one_minus_damp``: ``1 - dampening`` (PyTorch)
    or ``1 - μ`` (EMA)."""
    for i in range(param.size):
        g = _grad(grad, param, i, maximize, wd)
        if form == 0:                                    # θ -= lr g
            param[i] = param[i] - g * lr
            continue
        if form == 3:                                    # v = μ v - lr g ; θ += v
            b = buf[i] * mu - g * lr
            buf[i] = b
            param[i] = param[i] + b
            continue
        if form == 2:                                    # v = μ v + (1-μ) g
            b = buf[i] * mu + g * one_minus_damp
        elif first:                                      # b1 = g
            b = g
        elif damp:                                       # b = μ b + (1-τ) g
            b = buf[i] * mu + g * one_minus_damp
        else:
            b = buf[i] * mu + g
        buf[i] = b
        if nesterov:                                     # θ -= lr (g + μ b)
            param[i] = param[i] - (b * mu + g) * lr
        else:                                            # θ -= lr b
            param[i] = param[i] - b * lr


@jit
def adam(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, decay, one_minus_beta1, beta2,
         one_minus_beta2, eps_scaled, step_scale, maximize, wd, amsgrad):
    """Adam / AdamW / AMSGrad; ``decay`` is AdamW's ``1 - lr λ`` (1: none), ``eps_scaled``
    ``ε √(1-β2^t)``, ``step_scale`` ``lr √(1-β2^t) / (1-β1^t)``."""
    for i in range(param.size):
        g = _grad(grad, param, i, maximize, wd)
        p = param[i] * decay                             # θ ← θ (1 - lr λ)
        m = exp_avg[i] + (g - exp_avg[i]) * one_minus_beta1       # m = lerp(m, g, 1-β1)
        v = exp_avg_sq[i] * beta2 + (g * g) * one_minus_beta2     # v = β2 v + (1-β2) g²
        exp_avg[i] = m
        exp_avg_sq[i] = v
        if amsgrad:                                      # v_max = max(v_max, v)
            v = _max(max_exp_avg_sq[i], v)
            max_exp_avg_sq[i] = v
        param[i] = p - (m / (np.sqrt(v) + eps_scaled)) * step_scale


@jit
def adamax(param, grad, exp_avg, exp_inf, one_minus_beta1, beta2, eps, step_size, maximize, wd):
    """Adamax: ``u = max(β2 u, |g| + ε)``, ``θ -= lr/(1-β1^t) · m / u``."""
    for i in range(param.size):
        g = _grad(grad, param, i, maximize, wd)
        m = exp_avg[i] + (g - exp_avg[i]) * one_minus_beta1
        u = _max(exp_inf[i] * beta2, np.abs(g) + eps)
        exp_avg[i] = m
        exp_inf[i] = u
        param[i] = param[i] - (m / u) * step_size


@jit
def nadam(param, grad, exp_avg, exp_avg_sq, decay, one_minus_beta1, beta2, one_minus_beta2,
          eps_scaled, c_grad, c_avg, maximize, wd):
    """NAdam: ``θ -= (c_avg m + c_grad g) / (√v + ε√(1-β2^t))``."""
    for i in range(param.size):
        g = _grad(grad, param, i, maximize, wd)
        p = param[i] * decay
        m = exp_avg[i] + (g - exp_avg[i]) * one_minus_beta1
        v = exp_avg_sq[i] * beta2 + (g * g) * one_minus_beta2
        exp_avg[i] = m
        exp_avg_sq[i] = v
        param[i] = p - (m * c_avg + g * c_grad) / (np.sqrt(v) + eps_scaled)


@jit
def radam(param, grad, exp_avg, exp_avg_sq, decay, one_minus_beta1, beta2, one_minus_beta2,
          eps, scale, rectified, maximize, wd):
    """RAdam: ``θ -= scale · m / (√v + ε)`` when rectified, else ``θ -= scale · m``."""
    for i in range(param.size):
        g = _grad(grad, param, i, maximize, wd)
        p = param[i] * decay
        m = exp_avg[i] + (g - exp_avg[i]) * one_minus_beta1
        v = exp_avg_sq[i] * beta2 + (g * g) * one_minus_beta2
        exp_avg[i] = m
        exp_avg_sq[i] = v
        if rectified:
            param[i] = p - (m / (np.sqrt(v) + eps)) * scale
        else:
            param[i] = p - m * scale


@jit
def adagrad(param, grad, acc, clr, eps, eps_inside_sqrt, maximize, wd):
    """Adagrad: ``G += g²``, ``θ -= clr g / (√G + ε)`` (or ``/ √(G + ε)``)."""
    for i in range(param.size):
        g = _grad(grad, param, i, maximize, wd)
        s = acc[i] + g * g
        acc[i] = s
        denom = np.sqrt(s + eps) if eps_inside_sqrt else np.sqrt(s) + eps
        param[i] = param[i] - (g / denom) * clr


@jit
def adadelta(param, grad, square_avg, acc_delta, rho, one_minus_rho, eps, lr, maximize, wd):
    """Adadelta: ``s = ρ s + (1-ρ) g²``, ``Δ = √(u+ε)/√(s+ε) g``, ``u = ρ u + (1-ρ) Δ²``,
    ``θ -= lr Δ``."""
    for i in range(param.size):
        g = _grad(grad, param, i, maximize, wd)
        s = square_avg[i] * rho + (g * g) * one_minus_rho
        square_avg[i] = s
        delta = (np.sqrt(acc_delta[i] + eps) / np.sqrt(s + eps)) * g
        acc_delta[i] = acc_delta[i] * rho + (delta * delta) * one_minus_rho
        param[i] = param[i] - delta * lr


@jit
def rmsprop(param, grad, square_avg, grad_avg, momentum_buffer, alpha, one_minus_alpha, eps,
            lr, momentum, centered, eps_inside_sqrt, maximize, wd):
    """RMSprop: ``s = α s + (1-α) g²`` (centered: minus ``ḡ²``), ``d = g / (√s + ε)``,
    momentum ``b = μ b + d``, ``θ -= lr b`` (or ``lr d``)."""
    for i in range(param.size):
        g = _grad(grad, param, i, maximize, wd)
        s = square_avg[i] * alpha + (g * g) * one_minus_alpha
        square_avg[i] = s
        if centered:
            ga = grad_avg[i] + (g - grad_avg[i]) * one_minus_alpha
            grad_avg[i] = ga
            s = s - ga * ga
        denom = np.sqrt(s + eps) if eps_inside_sqrt else np.sqrt(s) + eps
        d = g / denom
        if momentum > 0:
            b = momentum_buffer[i] * momentum + d
            momentum_buffer[i] = b
            param[i] = param[i] - b * lr
        else:
            param[i] = param[i] - d * lr


@jit
def rprop(param, grad, prev, step_size, eta_minus, eta_plus, one, zero, low, high, maximize):
    """Rprop: the step size grows by ``η+`` while ``g · g_prev > 0``, shrinks by ``η-`` after a
    sign change (and the gradient is forgotten), ``θ -= sign(g) · step``."""
    for i in range(param.size):
        g = -grad[i] if maximize else grad[i]
        s = g * prev[i]
        eta = one
        if s > 0:
            eta = eta_plus
        if s < 0:
            eta = eta_minus
        size = min(max(step_size[i] * eta, low), high)    # np.clip(size * η, low, high)
        step_size[i] = size
        if s < 0:
            g = zero
        prev[i] = g
        param[i] = param[i] - np.sign(g) * size


@jit
def asgd(param, grad, ax, decay, eta, mu, averaging, maximize, wd):
    """ASGD: ``θ = θ (1 - λη) - η g``; ``ax = ax + μ (θ - ax)`` (``ax = θ`` when μ = 1)."""
    for i in range(param.size):
        g = _grad(grad, param, i, maximize, wd)
        p = param[i] * decay - g * eta
        param[i] = p
        if averaging:
            ax[i] = ax[i] + (p - ax[i]) * mu
        else:
            ax[i] = p
