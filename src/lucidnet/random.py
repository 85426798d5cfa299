"""One seeded random generator for the whole library: initializers, dropout, shuffling."""

from __future__ import annotations

import numpy as np

__all__ = ["manual_seed", "get_rng", "get_rng_state", "set_rng_state"]

_rng = [np.random.default_rng()]


def manual_seed(seed: int) -> np.random.Generator:
    """Seed lucidnet's global generator (like ``torch.manual_seed``); returns it."""
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"manual_seed expects a non-negative integer, got {seed!r}")
    _rng[0] = np.random.default_rng(int(seed))
    return _rng[0]


def get_rng() -> np.random.Generator:
    return _rng[0]


def get_rng_state() -> dict:
    """The generator's state as a JSON-able dict (for checkpoints)."""
    return _rng[0].bit_generator.state


def set_rng_state(state: dict) -> None:
    gen = np.random.default_rng()
    gen.bit_generator.state = state
    _rng[0] = gen
