"""``lucidnet.accelerator``: PyTorch's device-agnostic accelerator API, answered for the CPU.

There is no accelerator, so the tutorial line
``device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else
"cpu"`` gives ``"cpu"``.
"""

from __future__ import annotations

from .autograd.device import CPU_ONLY_HINT

__all__ = ["is_available", "current_accelerator", "device_count", "current_device_index",
           "synchronize"]


def is_available() -> bool:
    """Whether an accelerator (GPU, MPS, ...) can be used: always False, lucidnet computes on
    the CPU only.

    Examples
    --------
    >>> ln.accelerator.is_available()
    False
    >>> ln.accelerator.current_accelerator().type if ln.accelerator.is_available() else "cpu"
    'cpu'
    """
    return False


def current_accelerator(check_available: bool = False):
    """The accelerator device type in use: None, there is no accelerator (as PyTorch on a
    CPU-only machine).

    Parameters
    ----------
    check_available : bool, optional
        Accepted for PyTorch's signature; the answer is None either way.

    Examples
    --------
    >>> ln.accelerator.current_accelerator() is None
    True
    """
    return None


def device_count() -> int:
    """The number of accelerator devices: always 0.

    Examples
    --------
    >>> ln.accelerator.device_count()
    0
    """
    return 0


def current_device_index() -> int:
    """The index of the selected accelerator: raises RuntimeError, there is no accelerator.

    Raises
    ------
    RuntimeError
        Always, with a hint to write device-agnostic code.

    Examples
    --------
    >>> ln.accelerator.current_device_index()
    Traceback (most recent call last):
        ...
    RuntimeError: lucidnet.accelerator.current_device_index(): no accelerator. ...
    """
    raise RuntimeError(f"lucidnet.accelerator.current_device_index(): no accelerator. "
                       f"{CPU_ONLY_HINT}")


def synchronize(device=None) -> None:
    """Wait for the accelerator's queued work: raises RuntimeError, there is no accelerator.

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
    >>> ln.accelerator.synchronize()
    Traceback (most recent call last):
        ...
    RuntimeError: lucidnet.accelerator.synchronize(): no accelerator. ...
    """
    raise RuntimeError(f"lucidnet.accelerator.synchronize(): no accelerator. {CPU_ONLY_HINT}")
