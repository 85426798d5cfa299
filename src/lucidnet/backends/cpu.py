"""``lucidnet.backends.cpu``: the one backend lucidnet has."""

__all__ = ["get_cpu_capability"]


def get_cpu_capability() -> str:
    """``"NumPy"``: lucidnet computes with NumPy's own kernels (PyTorch names a SIMD level)."""
    return "NumPy"
