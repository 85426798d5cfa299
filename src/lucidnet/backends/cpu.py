"""``lucidnet.backends.cpu``: the one backend lucidnet has."""

__all__ = ["get_cpu_capability"]


def get_cpu_capability() -> str:
    """The CPU kernel capability in use: ``"NumPy"``, lucidnet computes with NumPy's own kernels.

    PyTorch names a SIMD level here ("AVX2", "AVX512", ...); NumPy picks its SIMD kernels itself
    at run time.

    Returns
    -------
    str
        ``"NumPy"``.

    Examples
    --------
    >>> ln.backends.cpu.get_cpu_capability()
    'NumPy'
    """
    return "NumPy"
