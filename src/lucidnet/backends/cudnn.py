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
    """False: there is no cuDNN."""
    return False


def version() -> None:
    """None: there is no cuDNN."""
    return None
