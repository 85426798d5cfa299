"""Shared helpers of ``lucidnet.data``: argument checks and per-object random generators."""

from __future__ import annotations

import numpy as np

from ..random import get_rng

__all__ = ["as_2d_float", "check_finite", "make_rng", "rng_state", "set_rng_state"]


def make_rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    """An object's own generator: from ``seed``, or drawn from lucidnet's global one when None.

    Drawing the seed from ``lucidnet.random.get_rng()`` keeps ``lucidnet.manual_seed(s)`` runs
    reproducible while every object still owns an independent, checkpointable stream.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng(int(get_rng().integers(2**63)))
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer or None, got {seed!r}")
    return np.random.default_rng(int(seed))


def rng_state(rng: np.random.Generator) -> dict:
    """The generator's bit-generator state: plain ints and strings, JSON-able."""
    return rng.bit_generator.state


def set_rng_state(rng: np.random.Generator, state: dict) -> None:
    if not isinstance(state, dict) or "bit_generator" not in state:
        raise ValueError(f"expected a generator state dict from state_dict(), got {state!r:.80}")
    if state["bit_generator"] != rng.bit_generator.state["bit_generator"]:
        raise ValueError(f"generator state is for {state['bit_generator']}, "
                         f"this generator is {rng.bit_generator.state['bit_generator']}")
    rng.bit_generator.state = state


def check_finite(X: np.ndarray, name: str = "X") -> None:
    """Raise a ValueError naming the first NaN/inf entry of a floating array."""
    if np.issubdtype(X.dtype, np.floating) or np.issubdtype(X.dtype, np.complexfloating):
        finite = np.isfinite(X)
        if not finite.all():
            bad = tuple(int(i) for i in np.argwhere(~finite)[0])
            raise ValueError(f"{name} contains NaN or inf (first at index {bad}: {X[bad]!r}); "
                             "clean or impute the data first")


def as_2d_float(X, name: str = "X", min_samples: int = 1) -> np.ndarray:
    """Validate a (n_samples, n_features) numeric matrix; integers become float64."""
    try:
        X = np.asarray(X)
    except (ValueError, TypeError) as exc:  # ragged nested lists and the like
        raise ValueError(f"{name} must be a 2-D numeric array: {exc}") from None
    if X.dtype == object or not (np.issubdtype(X.dtype, np.number) or X.dtype == np.bool_):
        raise TypeError(f"{name} must be numeric, got dtype {X.dtype}")
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_samples, n_features), got shape {X.shape}; "
                         "reshape 1-D data with X.reshape(-1, 1)")
    if X.shape[0] < min_samples:
        raise ValueError(f"{name} needs at least {min_samples} sample(s), got shape {X.shape}")
    if X.shape[1] == 0:
        raise ValueError(f"{name} has no features (shape {X.shape})")
    if not np.issubdtype(X.dtype, np.floating):
        X = X.astype(np.float64)
    check_finite(X, name)
    return X
