"""``lucidnet.cuda``: the answers PyTorch gives on a machine without CUDA.

lucidnet computes on the CPU only, so ``is_available()`` is False and ``device_count()`` 0: code
written device-agnostically (``device = "cuda" if torch.cuda.is_available() else "cpu"``) takes
the CPU path. Seeding calls are accepted and do nothing (there is no CUDA generator); calls that
need a GPU (``current_device``, ``synchronize``, ``get_device_name``) raise RuntimeError.
"""

from __future__ import annotations

from .autograd.device import CPU_ONLY_HINT

__all__ = ["is_available", "device_count", "manual_seed", "manual_seed_all", "seed", "seed_all",
           "current_device", "synchronize", "get_device_name", "set_device", "is_initialized",
           "empty_cache", "memory_allocated", "max_memory_allocated", "memory_reserved"]


def is_available() -> bool:
    """Whether a CUDA GPU can be used: always False, as ``torch.cuda.is_available()`` on a
    machine without one (lucidnet has no CUDA backend).

    Returns
    -------
    bool
        False, so device-agnostic code picks the CPU.

    Examples
    --------
    >>> ln.cuda.is_available()
    False
    >>> "cuda" if ln.cuda.is_available() else "cpu"
    'cpu'
    """
    return False


def device_count() -> int:
    """The number of CUDA devices: always 0.

    Examples
    --------
    >>> ln.cuda.device_count()
    0
    """
    return 0


def is_initialized() -> bool:
    """Whether CUDA has been initialized: always False (there is nothing to initialize).

    Examples
    --------
    >>> ln.cuda.is_initialized()
    False
    """
    return False


def manual_seed(seed) -> None:
    """Seed the current GPU's generator: accepted and ignored (no CUDA generator).

    Seed lucidnet with ``lucidnet.manual_seed``; this call exists so reproducibility recipes that
    also call ``torch.cuda.manual_seed(s)`` run unchanged.

    Parameters
    ----------
    seed : int
        Ignored.

    Examples
    --------
    >>> ln.cuda.manual_seed(0) is None
    True
    """


def manual_seed_all(seed) -> None:
    """Seed every GPU's generator: accepted and ignored (no CUDA generator).

    Seed lucidnet with ``lucidnet.manual_seed``; the global generator is left as it was.

    Parameters
    ----------
    seed : int
        Ignored.

    Examples
    --------
    >>> _ = ln.manual_seed(5)
    >>> ln.cuda.manual_seed_all(0)
    >>> ln.random.initial_seed()                 # unchanged
    5
    """


def seed() -> None:
    """Seed the current GPU's generator from entropy: accepted and ignored (no CUDA generator).

    Examples
    --------
    >>> ln.cuda.seed() is None
    True
    """


def seed_all() -> None:
    """Seed every GPU's generator from entropy: accepted and ignored (no CUDA generator).

    Examples
    --------
    >>> ln.cuda.seed_all() is None
    True
    """


def empty_cache() -> None:
    """Release cached GPU memory: nothing to free, a no-op (as PyTorch without CUDA).

    Examples
    --------
    >>> ln.cuda.empty_cache() is None
    True
    """


def memory_allocated(device=None) -> int:
    """The bytes of GPU memory tensors occupy: always 0 (nothing lives on a GPU).

    Parameters
    ----------
    device : int, str or device, optional
        Ignored.

    Examples
    --------
    >>> ln.cuda.memory_allocated()
    0
    """
    return 0


def max_memory_allocated(device=None) -> int:
    """The peak bytes of GPU memory tensors occupied: always 0 (nothing lives on a GPU).

    Parameters
    ----------
    device : int, str or device, optional
        Ignored.

    Examples
    --------
    >>> ln.cuda.max_memory_allocated()
    0
    """
    return 0


def memory_reserved(device=None) -> int:
    """The bytes of GPU memory held by the caching allocator: always 0 (no GPU).

    Parameters
    ----------
    device : int, str or device, optional
        Ignored.

    Examples
    --------
    >>> ln.cuda.memory_reserved()
    0
    """
    return 0


def _no_cuda(name: str):
    raise RuntimeError(f"lucidnet.cuda.{name}(): there is no CUDA device. {CPU_ONLY_HINT}")


def current_device() -> int:
    """The index of the selected CUDA device: raises RuntimeError, there is no CUDA device.

    Raises
    ------
    RuntimeError
        Always, with a hint to write device-agnostic code.

    Examples
    --------
    >>> ln.cuda.current_device()
    Traceback (most recent call last):
        ...
    RuntimeError: lucidnet.cuda.current_device(): there is no CUDA device. ...
    """
    _no_cuda("current_device")


def set_device(device) -> None:
    """Select a CUDA device: raises RuntimeError, there is no CUDA device.

    Parameters
    ----------
    device : int, str or device
        Not used.

    Raises
    ------
    RuntimeError
        Always, with a hint to write device-agnostic code.

    Examples
    --------
    >>> ln.cuda.set_device(0)
    Traceback (most recent call last):
        ...
    RuntimeError: lucidnet.cuda.set_device(): there is no CUDA device. ...
    """
    _no_cuda("set_device")


def synchronize(device=None) -> None:
    """Wait for the GPU's queued kernels: raises RuntimeError, there is no CUDA device.

    lucidnet's NumPy calls are synchronous, so timing code needs no synchronize on the CPU.

    Parameters
    ----------
    device : int, str or device, optional
        Not used.

    Raises
    ------
    RuntimeError
        Always, with a hint to write device-agnostic code.

    Examples
    --------
    >>> ln.cuda.synchronize()
    Traceback (most recent call last):
        ...
    RuntimeError: lucidnet.cuda.synchronize(): there is no CUDA device. ...
    """
    _no_cuda("synchronize")


def get_device_name(device=None) -> str:
    """The GPU's marketing name: raises RuntimeError, there is no CUDA device.

    Parameters
    ----------
    device : int, str or device, optional
        Not used.

    Raises
    ------
    RuntimeError
        Always, with a hint to write device-agnostic code.

    Examples
    --------
    >>> ln.cuda.get_device_name()
    Traceback (most recent call last):
        ...
    RuntimeError: lucidnet.cuda.get_device_name(): there is no CUDA device. ...
    """
    _no_cuda("get_device_name")
