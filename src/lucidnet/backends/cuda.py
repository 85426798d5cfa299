"""``lucidnet.backends.cuda``: not built; ``matmul.allow_tf32`` is a settable flag that does
nothing (NumPy on the CPU has no TF32)."""

__all__ = ["is_built", "matmul"]


class _MatmulFlags:
    """``backends.cuda.matmul``: settable flags, as PyTorch's."""

    allow_tf32 = False
    allow_fp16_reduced_precision_reduction = True
    allow_bf16_reduced_precision_reduction = True


matmul = _MatmulFlags()


def is_built() -> bool:
    """Whether lucidnet was built with CUDA support: always False.

    The TF32 flag ``backends.cuda.matmul.allow_tf32`` can still be set (it changes nothing).

    Examples
    --------
    >>> ln.backends.cuda.is_built()
    False
    >>> ln.backends.cuda.matmul.allow_tf32
    False
    """
    return False
