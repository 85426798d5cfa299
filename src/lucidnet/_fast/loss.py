"""Softmax + cross-entropy on integer labels in one pass over the logits each way (the fused
path of ``autograd.ops.loss.CrossEntropy``).

Row n of logits x (N, C), label y_n, class weights w, label smoothing s:

    logp = x - max(x) - log sum exp(x - max(x))
    t    = (1 - s) onehot(y_n) + s / C   (0 for a row whose label is ignore_index)
    wt   = w t,   loss_n = -sum_c wt_c logp_c,   denom = sum of w_{y_n} over kept rows
    dL/dx = (exp(logp) sum_c wt_c - wt) * scale      (backward; scale = dL/dloss per row)
"""

from __future__ import annotations

import numpy as np

from . import jit

__all__ = ["cross_entropy_backward", "cross_entropy_forward"]


@jit
def cross_entropy_forward(logits, labels, w, smoothing, ignore_index, logp, wt, loss_rows):
    """Fill logp, wt (N, C) and loss_rows (N,); return (denom, ok). ok is False (and nothing
    meaningful was written) when a kept label lies outside [0, C)."""
    n, c = logits.shape
    denom = 0.0
    for r in range(n):
        label = labels[r]
        ignored = label == ignore_index
        if not ignored and (label < 0 or label >= c):
            return denom, False
        top = -np.inf
        for k in range(c):
            if logits[r, k] > top:
                top = logits[r, k]
        total = 0.0
        for k in range(c):
            total += np.exp(logits[r, k] - top)
        lse = top + np.log(total)
        acc = 0.0
        for k in range(c):
            lp = logits[r, k] - lse
            logp[r, k] = lp
            if ignored:
                t = 0.0
            else:
                t = smoothing / c + ((1.0 - smoothing) if k == label else 0.0)
            wt[r, k] = t * w[k]
            acc += wt[r, k] * logp[r, k]
        loss_rows[r] = -acc
        if not ignored:
            denom += w[label]
    return denom, True


@jit
def cross_entropy_backward(logp, wt, scale, d):
    """d (N, C) = (exp(logp) * sum(wt, row) - wt) * scale[row]."""
    n, c = logp.shape
    for r in range(n):
        s = 0.0
        for k in range(c):
            s += wt[r, k]
        f = scale[r]
        for k in range(c):
            d[r, k] = (np.exp(logp[r, k]) * s - wt[r, k]) * f
