"""One seeded random generator for the whole library: initializers, dropout, shuffling, factories.

PyTorch's spelling (issue 9): ``lucidnet.manual_seed(s)`` seeds the global generator and returns it
(`default_generator`), ``lucidnet.Generator().manual_seed(s)`` is a private stream that the random
factories (``rand(..., generator=g)``) and the data utilities accept.

lucidnet draws with NumPy's PCG64, not PyTorch's Mersenne Twister, so **the same seed does not give
PyTorch's numbers**: a seed makes lucidnet reproducible with itself. To compare with PyTorch, make
the weights or data once and load them into both.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["manual_seed", "get_rng", "get_rng_state", "set_rng_state", "Generator",
           "default_generator", "seed", "initial_seed", "numpy_generator"]

_SEED_RANGE = 2 ** 64
_DEFAULT_SEED = 67280421310721  # what a fresh torch.Generator() starts from (its initial_seed())
_STARTUP_SEED = int(np.random.SeedSequence().entropy % _SEED_RANGE)  # fresh at each start
_rng = [np.random.default_rng(_STARTUP_SEED)]


def _check_seed(seed) -> int:
    """A seed as PyTorch takes it: an integer in [-2**63, 2**64); negative ones wrap to uint64."""
    if hasattr(seed, "__index__") and not isinstance(seed, numbers.Integral):
        seed = seed.__index__()  # a 0-d integer tensor
    if not isinstance(seed, numbers.Integral):
        raise TypeError(f"manual_seed expects an integer seed, got {type(seed).__name__} "
                        f"{seed!r}; pass e.g. manual_seed(0)")
    seed = int(seed)
    if not -(2 ** 63) <= seed < _SEED_RANGE:
        raise ValueError(f"manual_seed expects a seed in [-2**63, 2**64), got {seed}")
    return seed % _SEED_RANGE


class Generator:
    """A random stream, as ``torch.Generator``: ``g = Generator().manual_seed(42)``.

    Pass it as ``generator=g`` to the random factories (``rand``, ``randn``, ``randint``,
    ``randperm``, ``normal``, ``bernoulli``, ``multinomial``) and to the data utilities. A fresh
    generator starts from PyTorch's fixed default seed 67280421310721, so it is deterministic.
    The values differ from PyTorch's for the same seed (NumPy's PCG64 draws them).

    Any other attribute is the underlying ``numpy.random.Generator``'s (``g.permutation(10)``,
    ``g.normal(size=3)``), so a Generator also serves code written for NumPy generators.

    Parameters
    ----------
    device : str or device, optional
        Only "cpu" (the default); any other device raises as ``check_device`` does.

    Examples
    --------
    >>> ln.Generator().initial_seed()            # PyTorch's default seed
    67280421310721
    >>> a = ln.rand(3, generator=ln.Generator().manual_seed(7))
    >>> b = ln.rand(3, generator=ln.Generator().manual_seed(7))
    >>> bool((a == b).all())                     # the same seed, the same numbers
    True
    """

    def __init__(self, device="cpu"):
        from .autograd.device import check_device

        check_device(device, "Generator")
        self._manual_seed(_DEFAULT_SEED)

    def _manual_seed(self, seed: int) -> None:
        self._seed = seed
        self._rng = np.random.default_rng(seed)

    @property
    def rng(self) -> np.random.Generator:
        """The ``numpy.random.Generator`` that draws this stream's numbers."""
        return self._rng

    @property
    def device(self):
        """The device the generator serves: always ``device('cpu')`` in lucidnet."""
        from .autograd.device import device

        return device("cpu")

    def manual_seed(self, seed) -> Generator:
        """Restart the stream from ``seed``; returns the generator (``Generator().manual_seed(0)``)."""
        self._manual_seed(_check_seed(seed))
        return self

    def seed(self) -> int:
        """Reseed from fresh entropy and return the new seed (as ``torch.Generator.seed``)."""
        new = int(np.random.SeedSequence().entropy % _SEED_RANGE)
        self._manual_seed(new)
        return new

    def initial_seed(self) -> int:
        """The seed the stream last started from."""
        return self._seed

    def get_state(self) -> dict:
        """The stream's state (a dict of plain ints, not PyTorch's byte tensor); see `set_state`."""
        return self.rng.bit_generator.state

    def set_state(self, state: dict) -> Generator:
        """Restore a state from `get_state`."""
        if not isinstance(state, dict) or "bit_generator" not in state:
            raise TypeError(f"Generator.set_state expects a state from get_state(), got "
                            f"{type(state).__name__}")
        self.rng.bit_generator.state = state
        return self

    def __getattr__(self, name):
        if name.startswith("_"):  # not set up yet (copy, pickle): no recursion into rng
            raise AttributeError(name)
        return getattr(self.rng, name)

    def __repr__(self) -> str:
        return f"<lucidnet.Generator initial_seed={self._seed}>"


class _DefaultGenerator(Generator):
    """The global generator (``lucidnet.default_generator``): a view of the library-wide stream,
    so ``manual_seed``, `get_rng` and `set_rng_state` all act on the same numbers."""

    def __init__(self):
        self._seed = _STARTUP_SEED

    def _manual_seed(self, seed: int) -> None:
        self._seed = seed
        _rng[0] = np.random.default_rng(seed)

    @property
    def rng(self) -> np.random.Generator:
        return _rng[0]

    def __repr__(self) -> str:
        return "<lucidnet.default_generator>"


default_generator = _DefaultGenerator()


def manual_seed(seed) -> Generator:
    """Seed lucidnet's global generator (``torch.manual_seed``); returns `default_generator`.

    Negative seeds wrap to unsigned 64-bit as in PyTorch (seed mod 2^64). The same seed does not
    reproduce PyTorch's numbers (another algorithm draws them), only lucidnet's own.

    Parameters
    ----------
    seed : int
        In [-2**63, 2**64); a float raises TypeError, a value out of range ValueError.

    Examples
    --------
    >>> _ = ln.manual_seed(0); a = ln.rand(2)
    >>> _ = ln.manual_seed(0); bool((ln.rand(2) == a).all())
    True
    >>> ln.manual_seed(-1).initial_seed()        # -1 mod 2**64
    18446744073709551615
    """
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the global generator from fresh entropy; returns the seed (``torch.seed``).

    The seed is an integer in [0, 2^64) drawn from the operating system's entropy, so it differs
    at every call; pass it to `manual_seed` later to repeat the run.

    Examples
    --------
    >>> s = ln.random.seed()
    >>> ln.random.initial_seed() == s
    True
    """
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the global generator last started from (``torch.initial_seed``).

    Examples
    --------
    >>> _ = ln.manual_seed(123)
    >>> ln.random.initial_seed()
    123
    """
    return default_generator.initial_seed()


def get_rng() -> np.random.Generator:
    """The global ``numpy.random.Generator`` (what every library draw uses).

    It is replaced by `manual_seed` and `set_rng_state`, so call this again after seeding
    rather than keeping the old object.

    Examples
    --------
    >>> _ = ln.manual_seed(0); a = ln.random.get_rng().integers(0, 100, size=3)
    >>> _ = ln.manual_seed(0); b = ln.random.get_rng().integers(0, 100, size=3)
    >>> (a == b).tolist()
    [True, True, True]
    """
    return _rng[0]


def numpy_generator(generator=None) -> np.random.Generator:
    """The NumPy generator behind a ``generator=`` argument: the global one for None, a
    `Generator`'s stream, or a ``numpy.random.Generator`` as it is.

    Parameters
    ----------
    generator : Generator, numpy.random.Generator or None, optional
        Anything else raises TypeError.

    Examples
    --------
    >>> ln.random.numpy_generator() is ln.random.get_rng()
    True
    >>> g = ln.Generator().manual_seed(0)
    >>> ln.random.numpy_generator(g) is g.rng
    True
    >>> ln.random.numpy_generator(3)
    Traceback (most recent call last):
        ...
    TypeError: generator must be a lucidnet.Generator (or a numpy.random.Generator), got int; ...
    """
    if generator is None:
        return _rng[0]
    if isinstance(generator, Generator):
        return generator.rng
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(f"generator must be a lucidnet.Generator (or a numpy.random.Generator), got "
                    f"{type(generator).__name__}; make one with lucidnet.Generator().manual_seed(0)")


def get_rng_state() -> dict:
    """The global generator's state as a JSON-able dict of plain ints (for checkpoints).

    Give it back to `set_rng_state` to repeat the numbers drawn after it was taken.

    Examples
    --------
    >>> state = ln.random.get_rng_state()
    >>> state["bit_generator"]
    'PCG64'
    >>> a = ln.rand(2); ln.random.set_rng_state(state)
    >>> bool((ln.rand(2) == a).all())
    True
    """
    return _rng[0].bit_generator.state


def set_rng_state(state: dict) -> None:
    """Restore the global generator from a state returned by `get_rng_state` (a checkpoint's), so
    the random numbers that follow repeat.

    Examples
    --------
    >>> state = ln.random.get_rng_state()
    >>> a = ln.rand(2)
    >>> ln.random.set_rng_state(state)
    >>> bool((ln.rand(2) == a).all())
    True
    """
    gen = np.random.default_rng()
    gen.bit_generator.state = state
    _rng[0] = gen
