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
    """False: lucidnet has no CUDA backend."""
    return False
