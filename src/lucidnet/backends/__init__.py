"""``lucidnet.backends``: PyTorch's backend switches, answered for a CPU-only NumPy library.

``backends.mps.is_available()`` and ``backends.cudnn.is_available()`` are False; the cuDNN and
TF32 flags (``backends.cudnn.deterministic = True``, ``benchmark``, ``allow_tf32``) can be set,
as tutorials do, and change nothing: NumPy on the CPU is deterministic already.
"""

from . import cpu, cuda, cudnn, mps

__all__ = ["cpu", "cuda", "cudnn", "mps"]
