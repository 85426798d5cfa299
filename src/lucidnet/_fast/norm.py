"""Batch normalization in two passes each way (the fused path of ``autograd.ops.norm``).

On the 3-d view x (A, C, B) reduced over axes 0 and 2 (M = A B values per channel c):

    forward:  mu_c = mean(x),  var_c = mean((x - mu_c)^2),  y = (x - mu_c) * scale_c + shift_c
    backward: with xc = x - mu_c, Sg = sum(g), Sgx = sum(g xc) / sigma_c (= dL/dgamma_c),
              dL/dx = k_c g - k_c Sg / M - xc k_c Sgx / (sigma_c M)    (batch statistics)
              dL/dx = k_c g                                           (running statistics)

k_c = gamma_c / sigma_c. Sums are accumulated in float64 whatever the data's dtype, and the
kernels that sum are compiled with ``fastmath={"reassoc"}`` alone: the compiler may reorder a
sum into vector lanes (a float64 sum in another order, as NumPy's pairwise sums are), nothing
else -- NaN and inf keep their meaning. One sequential add chain per channel ran at one add per
4 cycles: (64, 16, 28, 28) float32 statistics 0.98 -> 0.09 ms, backward 0.77 -> 0.25 ms.
"""

from __future__ import annotations

import numpy as np

from . import jit

__all__ = ["batch_norm_apply", "batch_norm_backward", "batch_norm_stats"]


_SUMS = {"fastmath": {"reassoc"}}   # reorderable sums only (see the module docstring)


@jit(**_SUMS)
def batch_norm_stats(x3):
    """(mean, biased variance) per channel of x3 (A, C, B), float64, two passes."""
    na, nc, nb = x3.shape
    mean = np.zeros(nc)
    var = np.zeros(nc)
    m = na * nb
    if m == 0:
        return mean, var
    for c in range(nc):
        s = 0.0
        for a in range(na):
            for b in range(nb):
                s += x3[a, c, b]
        mu = s / m
        q = 0.0
        for a in range(na):
            for b in range(nb):
                d = x3[a, c, b] - mu
                q += d * d
        mean[c] = mu
        var[c] = q / m
    return mean, var


@jit
def batch_norm_apply(x3, mean, scale, shift, out3):
    """out3 = (x3 - mean_c) * scale_c + shift_c, arithmetic in out3's dtype."""
    na, nc, nb = x3.shape
    for c in range(nc):
        mu = mean[c]
        k = scale[c]
        t = shift[c]
        for a in range(na):
            for b in range(nb):
                out3[a, c, b] = (x3[a, c, b] - mu) * k + t


@jit(**_SUMS)
def batch_norm_backward(g3, x3, mean, inv_std, k, batch_stats, gx3):
    """gx3 (the formula above; skipped when gx3 has no element) and (Sg, Sgx) per channel."""
    na, nc, nb = x3.shape
    m = na * nb
    sum_g = np.zeros(nc)
    sum_gx = np.zeros(nc)
    for c in range(nc):
        mu = mean[c]
        s = 0.0
        q = 0.0
        for a in range(na):
            for b in range(nb):
                gv = g3[a, c, b]
                s += gv
                q += gv * (x3[a, c, b] - mu)
        sum_g[c] = s
        sum_gx[c] = q * inv_std[c]
        if gx3.size == 0:
            continue
        kc = k[c]
        if batch_stats and m > 0:
            shift = kc * s / m
            slope = kc * inv_std[c] * sum_gx[c] / m
            for a in range(na):
                for b in range(nb):
                    gx3[a, c, b] = kc * g3[a, c, b] - shift - (x3[a, c, b] - mu) * slope
        else:
            for a in range(na):
                for b in range(nb):
                    gx3[a, c, b] = kc * g3[a, c, b]
    return sum_g, sum_gx
