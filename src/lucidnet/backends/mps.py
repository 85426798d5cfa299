"""``lucidnet.backends.mps``: Apple's Metal backend is not available (lucidnet runs on the CPU)."""

__all__ = ["is_available", "is_built"]


def is_available() -> bool:
    """Whether Apple's Metal (MPS) device can be used: always False, lucidnet computes on the
    CPU only.

    Examples
    --------
    >>> ln.backends.mps.is_available()
    False
    >>> "mps" if ln.backends.mps.is_available() else "cpu"
    'cpu'
    """
    return False


def is_built() -> bool:
    """Whether lucidnet was built with MPS support: always False.

    Examples
    --------
    >>> ln.backends.mps.is_built()
    False
    """
    return False
