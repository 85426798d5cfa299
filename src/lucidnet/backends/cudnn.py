"""``lucidnet.backends.cudnn``: not available; its flags are plain settable attributes.

``deterministic``, ``benchmark``, ``enabled`` and ``allow_tf32`` keep what code assigns (as
``torch.backends.cudnn.deterministic = True`` in reproducibility recipes) and change nothing.
"""

__all__ = ["is_available", "version", "deterministic", "benchmark", "enabled", "allow_tf32"]

deterministic = False
benchmark = False
enabled = True
allow_tf32 = True


def is_available() -> bool:
    """Whether cuDNN can be used: always False (there is no cuDNN).

    The flags ``deterministic``, ``benchmark``, ``enabled`` and ``allow_tf32`` are plain
    attributes that keep what is assigned and change nothing.

    Examples
    --------
    >>> ln.backends.cudnn.is_available()
    False
    >>> ln.backends.cudnn.deterministic
    False
    """
    return False


def version() -> None:
    """The cuDNN version number: None, there is no cuDNN (as PyTorch built without it).

    Examples
    --------
    >>> ln.backends.cudnn.version() is None
    True
    """
    return None
