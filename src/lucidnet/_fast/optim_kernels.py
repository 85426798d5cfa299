"""Fused optimizer updates: one compiled loop over a parameter's buffers per step.

Each kernel reads every element of the parameter, its gradient and its state once, applies the
whole update and writes the results back, where NumPy's chain of in-place ufuncs walks the same
memory four or five times. The NumPy updates in ``lucidnet/optim`` stay the reference; a kernel
performs the *same* operations in the same order and in the parameters' dtype, so both paths
round alike (the tests compare them) -- except plain SGD's ``θ - lr g``, which the fused path
rounds once (a fused multiply-add, PyTorch's bits; NumPy has no FMA and rounds twice).

A kernel is built by a factory from the step's *options* (``maximize``, coupled weight decay on
or off, ``amsgrad`` ...): the options are constants of the compiled loop, so it has no branch
inside (a loop that tests flags per element does not vectorize and runs 10-20x slower). The
factories cache what they build; each variant is compiled on its first use, never at import, and
cached on disk by `lucidnet._fast.jit`.

Every kernel is called as ``kernel(param, grad, *state, coef)``: 1-D arrays of one dtype,
``param`` and the state updated in place, ``grad`` read only (an optional state array that the
options leave unused is passed as any array of the right type), and ``coef`` a small array (same
dtype) of the step's coefficients, computed by the optimizer in Python (``coef`` rather than
scalar arguments: NumPy scalars cost microseconds each to pass to a compiled function).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import jit

__all__ = ["adadelta", "adagrad", "adam", "adamax", "asgd", "nadam", "radam", "rmsprop",
           "rprop", "sgd"]

_BUILT: dict[tuple, Callable] = {}


def _inline(f):
    return jit(inline="always", cache=False)(f)


_VARIANT: list = [None]   # the key of the variant `_built` is building


def _named(f):
    """Give the kernel of one variant a name of its own, so Numba's disk cache keeps it in an
    index file of its own. The variants of a factory are one function at one source line, and
    Numba names the index after that: processes that compiled two variants at the same time
    (two pytest-xdist workers on a fresh cache) could both take data file 1, and one variant
    then loaded the other's code -- NAdam with maximize=True computed maximize=False's step."""
    if _VARIANT[0] is not None:
        f.__qualname__ = f"{f.__qualname__}_" + "_".join(
            str(int(v)) if isinstance(v, bool) else str(v) for v in _VARIANT[0])
    return f


def _kernel(f):
    # error_model="numpy": x / 0 gives inf/nan as in NumPy. Python's model checks every
    # division for zero, and that branch keeps the loop from vectorizing (8x slower).
    return jit(error_model="numpy")(_named(f))


def _kernel_fma(f):
    # plain SGD's θ - g lr may be contracted into one fused multiply-add (one rounding) where
    # the CPU has FMA: what BLAS's axpy, which the engine uses for large parameters, and
    # PyTorch's add_(g, alpha=-lr) compute -- so every parameter rounds alike, as in PyTorch
    return jit(error_model="numpy", fastmath={"contract"})(_named(f))


@_inline
def _grad(grad, param, i, maximize, coupled, wd):
    """``g' = -g if maximize``; ``g' = g' + λ θ`` with coupled weight decay (PyTorch's order)."""
    g = -grad[i] if maximize else grad[i]
    if coupled:
        g = g + param[i] * wd
    return g


@_inline
def _max(a, b):
    """``np.maximum`` of two numbers: NaN wins."""
    return a if (a >= b or a != a) else b


def _built(key: tuple, build: Callable[[], Callable]) -> Callable:
    kernel = _BUILT.get(key)
    if kernel is None:
        _VARIANT[0] = key
        try:
            kernel = _BUILT[key] = build()
        finally:
            _VARIANT[0] = None
    return kernel


def sgd(form: int, first: bool, dampened: bool, nesterov: bool, maximize: bool,
        coupled: bool) -> Callable:
    """SGD; ``coef = (lr, μ, 1 - τ or 1 - β, λ)``. ``form``: 0 no momentum, 1 PyTorch momentum,
    2 EMA momentum, 3 classical momentum; ``first``: PyTorch's first step ``b = g``."""
    def build():
        @(_kernel_fma if form == 0 and not coupled else _kernel)
        def kernel(param, grad, buf, coef):
            lr, mu, one_minus, wd = coef[0], coef[1], coef[2], coef[3]
            for i in range(param.size):
                g = _grad(grad, param, i, maximize, coupled, wd)
                if form == 0:                                # θ -= lr g
                    param[i] = param[i] - g * lr
                elif form == 3:                              # v = μ v - lr g ; θ += v
                    v = buf[i] * mu - g * lr
                    buf[i] = v
                    param[i] = param[i] + v
                else:
                    if form == 2:                            # v = μ v + (1-μ) g
                        b = buf[i] * mu + g * one_minus
                    elif first:                              # b1 = g
                        b = g
                    elif dampened:                           # b = μ b + (1-τ) g
                        b = buf[i] * mu + g * one_minus
                    else:                                    # b = μ b + g
                        b = buf[i] * mu + g
                    buf[i] = b
                    if nesterov:                             # θ -= lr (g + μ b)
                        param[i] = param[i] - (b * mu + g) * lr
                    else:                                    # θ -= lr b
                        param[i] = param[i] - b * lr
        return kernel
    return _built(("sgd", form, first, dampened, nesterov, maximize, coupled), build)


def adam(amsgrad: bool, maximize: bool, coupled: bool) -> Callable:
    """Adam / AdamW / AMSGrad; ``coef = (1 - lr λ_decoupled, 1-β1, β2, 1-β2, ε √(1-β2^t),
    lr √(1-β2^t) / (1-β1^t), λ_coupled)``; state ``exp_avg, exp_avg_sq[, max_exp_avg_sq]``."""
    def build():
        @_kernel
        def kernel(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, coef):
            decay, one_minus_beta1, beta2, one_minus_beta2 = coef[0], coef[1], coef[2], coef[3]
            eps_scaled, step_scale, wd = coef[4], coef[5], coef[6]
            for i in range(param.size):
                g = _grad(grad, param, i, maximize, coupled, wd)
                p = param[i] * decay                                  # θ (1 - lr λ)
                m = exp_avg[i] + (g - exp_avg[i]) * one_minus_beta1   # lerp(m, g, 1-β1)
                v = exp_avg_sq[i] * beta2 + (g * g) * one_minus_beta2  # β2 v + (1-β2) g²
                exp_avg[i] = m
                exp_avg_sq[i] = v
                if amsgrad:                                           # max(v_max, v)
                    v = _max(max_exp_avg_sq[i], v)
                    max_exp_avg_sq[i] = v
                param[i] = p - (m / (np.sqrt(v) + eps_scaled)) * step_scale
        return kernel
    return _built(("adam", amsgrad, maximize, coupled), build)


def adamax(maximize: bool, coupled: bool) -> Callable:
    """Adamax; ``coef = (1-β1, β2, ε, lr / (1-β1^t), λ)``; state ``exp_avg, exp_inf``."""
    def build():
        @_kernel
        def kernel(param, grad, exp_avg, exp_inf, coef):
            one_minus_beta1, beta2, eps, step_size, wd = coef[0], coef[1], coef[2], coef[3], \
                coef[4]
            for i in range(param.size):
                g = _grad(grad, param, i, maximize, coupled, wd)
                m = exp_avg[i] + (g - exp_avg[i]) * one_minus_beta1
                u = _max(exp_inf[i] * beta2, np.abs(g) + eps)         # max(β2 u, |g| + ε)
                exp_avg[i] = m
                exp_inf[i] = u
                param[i] = param[i] - (m / u) * step_size
        return kernel
    return _built(("adamax", maximize, coupled), build)


def nadam(maximize: bool, coupled: bool) -> Callable:
    """NAdam; ``coef = (1 - lr λ_decoupled, 1-β1, β2, 1-β2, ε √(1-β2^t), c_grad, c_avg,
    λ_coupled)``: ``θ -= (c_avg m + c_grad g) / (√v + ε√(1-β2^t))``."""
    def build():
        @_kernel
        def kernel(param, grad, exp_avg, exp_avg_sq, coef):
            decay, one_minus_beta1, beta2, one_minus_beta2 = coef[0], coef[1], coef[2], coef[3]
            eps_scaled, c_grad, c_avg, wd = coef[4], coef[5], coef[6], coef[7]
            for i in range(param.size):
                g = _grad(grad, param, i, maximize, coupled, wd)
                p = param[i] * decay
                m = exp_avg[i] + (g - exp_avg[i]) * one_minus_beta1
                v = exp_avg_sq[i] * beta2 + (g * g) * one_minus_beta2
                exp_avg[i] = m
                exp_avg_sq[i] = v
                param[i] = p - (m * c_avg + g * c_grad) / (np.sqrt(v) + eps_scaled)
        return kernel
    return _built(("nadam", maximize, coupled), build)


def radam(rectified: bool, maximize: bool, coupled: bool) -> Callable:
    """RAdam; ``coef = (1 - lr λ_decoupled, 1-β1, β2, 1-β2, ε, scale, λ_coupled)``:
    ``θ -= scale · m / (√v + ε)`` when rectified, else ``θ -= scale · m``."""
    def build():
        @_kernel
        def kernel(param, grad, exp_avg, exp_avg_sq, coef):
            decay, one_minus_beta1, beta2, one_minus_beta2 = coef[0], coef[1], coef[2], coef[3]
            eps, scale, wd = coef[4], coef[5], coef[6]
            for i in range(param.size):
                g = _grad(grad, param, i, maximize, coupled, wd)
                p = param[i] * decay
                m = exp_avg[i] + (g - exp_avg[i]) * one_minus_beta1
                v = exp_avg_sq[i] * beta2 + (g * g) * one_minus_beta2
                exp_avg[i] = m
                exp_avg_sq[i] = v
                if rectified:
                    param[i] = p - (m / (np.sqrt(v) + eps)) * scale
                else:
                    param[i] = p - m * scale
        return kernel
    return _built(("radam", rectified, maximize, coupled), build)


def adagrad(eps_inside_sqrt: bool, maximize: bool, coupled: bool) -> Callable:
    """Adagrad; ``coef = (lr_t, ε, λ)``: ``G += g²``, ``θ -= lr_t g / (√G + ε)``
    (or ``/ √(G + ε)``)."""
    def build():
        @_kernel
        def kernel(param, grad, acc, coef):
            clr, eps, wd = coef[0], coef[1], coef[2]
            for i in range(param.size):
                g = _grad(grad, param, i, maximize, coupled, wd)
                s = acc[i] + g * g
                acc[i] = s
                if eps_inside_sqrt:
                    denom = np.sqrt(s + eps)
                else:
                    denom = np.sqrt(s) + eps
                param[i] = param[i] - (g / denom) * clr
        return kernel
    return _built(("adagrad", eps_inside_sqrt, maximize, coupled), build)


def adadelta(maximize: bool, coupled: bool) -> Callable:
    """Adadelta; ``coef = (ρ, 1-ρ, ε, lr, λ)``: ``s = ρ s + (1-ρ) g²``,
    ``Δ = √(u+ε)/√(s+ε) · g``, ``u = ρ u + (1-ρ) Δ²``, ``θ -= lr Δ``."""
    def build():
        @_kernel
        def kernel(param, grad, square_avg, acc_delta, coef):
            rho, one_minus_rho, eps, lr, wd = coef[0], coef[1], coef[2], coef[3], coef[4]
            for i in range(param.size):
                g = _grad(grad, param, i, maximize, coupled, wd)
                s = square_avg[i] * rho + (g * g) * one_minus_rho
                square_avg[i] = s
                delta = (np.sqrt(acc_delta[i] + eps) / np.sqrt(s + eps)) * g
                acc_delta[i] = acc_delta[i] * rho + (delta * delta) * one_minus_rho
                param[i] = param[i] - delta * lr
        return kernel
    return _built(("adadelta", maximize, coupled), build)


def rmsprop(centered: bool, with_momentum: bool, eps_inside_sqrt: bool, maximize: bool,
            coupled: bool) -> Callable:
    """RMSprop; ``coef = (α, 1-α, ε, lr, μ, λ)``; state ``square_avg[, momentum_buffer]
    [, grad_avg]`` (the order of ``RMSprop._state_names``)."""
    def build():
        @_kernel
        def kernel(param, grad, square_avg, momentum_buffer, grad_avg, coef):
            alpha, one_minus_alpha, eps, lr, momentum, wd = coef[0], coef[1], coef[2], \
                coef[3], coef[4], coef[5]
            for i in range(param.size):
                g = _grad(grad, param, i, maximize, coupled, wd)
                s = square_avg[i] * alpha + (g * g) * one_minus_alpha   # α s + (1-α) g²
                square_avg[i] = s
                if centered:                                            # s - ḡ²
                    ga = grad_avg[i] + (g - grad_avg[i]) * one_minus_alpha
                    grad_avg[i] = ga
                    s = s - ga * ga
                if eps_inside_sqrt:
                    denom = np.sqrt(s + eps)
                else:
                    denom = np.sqrt(s) + eps
                d = g / denom
                if with_momentum:                                       # b = μ b + d
                    b = momentum_buffer[i] * momentum + d
                    momentum_buffer[i] = b
                    param[i] = param[i] - b * lr
                else:
                    param[i] = param[i] - d * lr
        return kernel
    return _built(("rmsprop", centered, with_momentum, eps_inside_sqrt, maximize, coupled),
                  build)


def rprop(maximize: bool) -> Callable:
    """Rprop; ``coef = (η-, η+, 1, 0, step_min, step_max)``: the step grows by ``η+`` while
    ``g · g_prev > 0``, shrinks by ``η-`` after a sign change (and that gradient is forgotten),
    ``θ -= sign(g) · step``."""
    def build():
        @_kernel
        def kernel(param, grad, prev, step_size, coef):
            eta_minus, eta_plus, one, zero, low, high = coef[0], coef[1], coef[2], coef[3], \
                coef[4], coef[5]
            for i in range(param.size):
                g = -grad[i] if maximize else grad[i]
                s = g * prev[i]
                eta = one
                if s > 0:
                    eta = eta_plus
                if s < 0:
                    eta = eta_minus
                size = min(max(step_size[i] * eta, low), high)      # clip(step η, min, max)
                step_size[i] = size
                if s < 0:
                    g = zero
                prev[i] = g
                param[i] = param[i] - np.sign(g) * size
        return kernel
    return _built(("rprop", maximize), build)


def asgd(averaging: bool, maximize: bool, coupled: bool) -> Callable:
    """ASGD; ``coef = (1 - λη, η, μ, λ_wd)``: ``θ = θ (1 - λη) - η g``; ``ax = ax + μ (θ - ax)``
    while averaging, else ``ax = θ``."""
    def build():
        @_kernel
        def kernel(param, grad, ax, coef):
            decay, eta, mu, wd = coef[0], coef[1], coef[2], coef[3]
            for i in range(param.size):
                g = _grad(grad, param, i, maximize, coupled, wd)
                p = param[i] * decay - g * eta
                param[i] = p
                if averaging:
                    ax[i] = ax[i] + (p - ax[i]) * mu
                else:
                    ax[i] = p
        return kernel
    return _built(("asgd", averaging, maximize, coupled), build)
