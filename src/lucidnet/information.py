"""Entropy, cross-entropy and KL divergence of discrete distributions, in nats.

    H(p)     = -sum_i p_i log p_i
    H(p, q)  = -sum_i p_i log q_i
    KL(p||q) =  sum_i p_i log(p_i / q_i) = H(p, q) - H(p)

Terms with p_i = 0 contribute 0. The last axis holds the distribution. (Beware of texts that drop the
minus sign or the log in places: these are the standard definitions.)
"""

from __future__ import annotations

import numpy as np

__all__ = ["entropy", "cross_entropy", "kl_divergence"]


def _distribution(p, name: str) -> np.ndarray:
    p = np.asarray(p, dtype=np.float64)
    if p.ndim == 0 or p.shape[-1] == 0:
        raise ValueError(f"{name} must be a non-empty probability vector, got shape {p.shape}")
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError(f"{name} must hold finite, non-negative probabilities")
    if not np.allclose(p.sum(axis=-1), 1.0, atol=1e-6):
        raise ValueError(f"{name} must sum to 1 along the last axis, sums are {p.sum(axis=-1)}")
    return p


def _in_base(h, base):
    """Convert nats to ``base`` units; base must be a positive number other than 1."""
    if base is None:
        return h
    if isinstance(base, bool) or not isinstance(base, (int, float, np.integer, np.floating)) \
            or not (np.isfinite(base) and base > 0 and base != 1):
        raise ValueError(f"base must be a positive number other than 1 (2 for bits, None for "
                         f"nats), got {base!r}")
    return h / np.log(base)


def _plogq(p, q):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(p > 0, p * np.log(np.where(q > 0, q, 1.0)) + np.where(q > 0, 0, -np.inf), 0.0)


def entropy(p, base: float | None = None) -> np.ndarray:
    """H(p) = -sum p log p (nats, or bits with base=2).

    Examples
    --------
    >>> from lucidnet.information import entropy
    >>> float(entropy([0.5, 0.5], base=2))              # one bit
    1.0
    >>> float(entropy([1.0, 0.0])) == 0                 # a certain outcome carries no information
    True
    """
    p = _distribution(p, "p")
    h = -_plogq(p, p).sum(axis=-1)
    return _in_base(h, base)


def cross_entropy(p, q, base: float | None = None) -> np.ndarray:
    """H(p, q) = -sum p log q; infinite where q = 0 < p.

    Examples
    --------
    >>> from lucidnet.information import cross_entropy
    >>> round(float(cross_entropy([0.5, 0.5], [0.25, 0.75], base=2)), 4)   # -(log2 0.25 + log2 0.75) / 2
    1.2075
    """
    p, q = _distribution(p, "p"), _distribution(q, "q")
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape, got {p.shape} and {q.shape}")
    h = -_plogq(p, q).sum(axis=-1)
    return _in_base(h, base)


def kl_divergence(p, q, base: float | None = None) -> np.ndarray:
    """KL(p || q) = H(p, q) - H(p) >= 0.

    Examples
    --------
    >>> from lucidnet.information import kl_divergence
    >>> float(kl_divergence([0.5, 0.5], [0.5, 0.5]))
    0.0
    >>> float(kl_divergence([1.0, 0.0], [0.5, 0.5], base=2))
    1.0
    """
    return cross_entropy(p, q, base) - entropy(p, base)
