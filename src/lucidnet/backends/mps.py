"""``lucidnet.backends.mps``: Apple's Metal backend is not available (lucidnet runs on the CPU)."""

__all__ = ["is_available", "is_built"]


def is_available() -> bool:
    """False: lucidnet computes on the CPU only."""
    return False


def is_built() -> bool:
    """False: lucidnet has no MPS backend."""
    return False
