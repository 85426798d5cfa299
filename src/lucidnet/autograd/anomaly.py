"""Anomaly detection: name the backward rule that produced the first nan (issue 9, item 5).

    with lucidnet.autograd.detect_anomaly():
        loss.backward()   # RuntimeError: Function 'SqrtBackward0' returned nan values in its 0th output.

As PyTorch's ``torch.autograd.detect_anomaly`` / ``set_detect_anomaly``: while it is on, every
gradient a backward rule returns is checked with ``isnan`` and the first rule that returns a nan
raises, naming itself and the position of the gradient (the input it belongs to). Off (the
default) the engine pays one flag check per backward call, nothing per node.
"""

from __future__ import annotations

import functools

from .tensor import _ANOMALY

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled"]


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on (`detect_anomaly` / `set_detect_anomaly`): backward then checks
    each gradient for NaN and names the op that produced it.

    Examples
    --------
    >>> ln.autograd.anomaly.is_anomaly_enabled()
    False
    """
    return _ANOMALY[0]


def is_anomaly_check_nan_enabled() -> bool:
    """Whether anomaly mode checks gradients for NaN: the same flag as `is_anomaly_enabled` here.

    Examples
    --------
    >>> with ln.autograd.set_detect_anomaly(True, check_nan=False):
    ...     ln.autograd.anomaly.is_anomaly_check_nan_enabled()
    False
    >>> with ln.autograd.detect_anomaly():
    ...     ln.autograd.anomaly.is_anomaly_check_nan_enabled()
    True
    """
    return _ANOMALY[0]


class detect_anomaly:
    """Context manager (and decorator) that turns anomaly detection on inside its block.

    ``check_nan=False`` keeps it off (PyTorch then only records forward stack traces, which
    lucidnet does not keep).

    Inside the block every gradient a backward rule returns is tested with ``isnan``; the first
    rule that returns a nan raises RuntimeError naming itself and the input position. The
    previous setting comes back on exit, also after an exception.

    Parameters
    ----------
    check_nan : bool, optional
        Check gradients for nan (default True).

    Examples
    --------
    >>> x = ln.tensor([1.0], requires_grad=True)
    >>> with ln.autograd.detect_anomaly():
    ...     (x * float("nan")).sum().backward()
    Traceback (most recent call last):
        ...
    RuntimeError: Function 'MulBackward0' returned nan values in its 0th output.
    >>> @ln.autograd.detect_anomaly()
    ... def checked():
    ...     return ln.autograd.anomaly.is_anomaly_enabled()
    >>> checked(), ln.autograd.anomaly.is_anomaly_enabled()      # on only inside the call
    (True, False)
    """

    def __init__(self, check_nan: bool = True):
        self.check_nan = bool(check_nan)

    def __enter__(self):
        self._previous = _ANOMALY[0]
        _ANOMALY[0] = self.check_nan
        return None

    def __exit__(self, *exc) -> bool:
        _ANOMALY[0] = self._previous
        return False

    def __call__(self, func):
        check_nan = self.check_nan

        @functools.wraps(func)
        def decorated(*args, **kwargs):
            with detect_anomaly(check_nan):
                return func(*args, **kwargs)

        return decorated


class set_detect_anomaly:
    """``set_detect_anomaly(mode)`` switches anomaly detection on or off at once; as a context
    manager it restores the previous setting on exit.

    Parameters
    ----------
    mode : bool
        On or off; anything but a bool raises TypeError.
    check_nan : bool, optional
        Check gradients for nan while on (default True; False leaves the check off).

    Examples
    --------
    >>> with ln.autograd.set_detect_anomaly(True):
    ...     ln.autograd.anomaly.is_anomaly_enabled()
    True
    >>> ln.autograd.anomaly.is_anomaly_enabled()         # restored on exit
    False
    >>> ln.autograd.set_detect_anomaly("on")
    Traceback (most recent call last):
        ...
    TypeError: set_detect_anomaly(mode) expects a bool, got 'on'
    """

    def __init__(self, mode: bool, check_nan: bool = True):
        if not isinstance(mode, bool):
            raise TypeError(f"set_detect_anomaly(mode) expects a bool, got {mode!r}")
        self._previous = _ANOMALY[0]
        _ANOMALY[0] = mode and bool(check_nan)

    def __enter__(self):
        return None

    def __exit__(self, *exc) -> bool:
        _ANOMALY[0] = self._previous
        return False
