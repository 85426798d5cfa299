"""Where the samplers, `random_split` and the DataLoader draw their random numbers.

PyTorch passes a ``torch.Generator``; here a generator is a ``numpy.random.Generator`` (or an
object holding one in ``.rng`` / ``._rng`` / ``.numpy_generator``, as a ``lucidnet.Generator``
may). ``None`` means lucidnet's global generator, so ``lucidnet.manual_seed`` governs it, as
``torch.manual_seed`` governs ``torch.utils.data``.
"""

from __future__ import annotations

import numpy as np

_SEED_HIGH = 2 ** 63 - 1   # torch draws seeds with int64 ``random_()``: [0, 2**63 - 1]


def numpy_rng(generator) -> np.random.Generator:
    """The NumPy generator behind ``generator`` (``None``: lucidnet's global one)."""
    if generator is None:
        from ...random import get_rng

        return get_rng()
    if isinstance(generator, np.random.Generator):
        return generator
    for attr in ("numpy_generator", "rng", "_rng"):
        inner = getattr(generator, attr, None)
        if callable(inner) and not isinstance(inner, np.random.Generator):
            inner = inner()
        if isinstance(inner, np.random.Generator):
            return inner
    raise TypeError(f"generator must be a numpy.random.Generator (e.g. np.random.default_rng(0)) "
                    f"or a lucidnet generator, got {type(generator).__name__}")


def draw_seed(generator) -> int:
    """One seed in [0, 2**63 - 1] from ``generator``, as torch's ``empty((), int64).random_()``."""
    return int(numpy_rng(generator).integers(0, _SEED_HIGH, endpoint=True))


def randperm(n: int, generator) -> list:
    """A random permutation of ``range(n)`` as a list of Python ints."""
    return numpy_rng(generator).permutation(n).tolist()
