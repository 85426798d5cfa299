"""Argument checks shared by every public constructor (optimizers, schedules, callbacks, the CLI).

Each check returns the cleaned value or raises with one sentence that names the owner, the
argument, what was expected and what was given -- the house style for bad input::

    >>> check_real("SGD", "lr", 0.1, low=0.0)
    0.1
    >>> check_real("SGD", "lr", -1, low=0.0)
    Traceback (most recent call last):
    ...
    ValueError: SGD: lr must be a finite number in [0.0, inf), got -1

A value of the wrong *type* is a ``TypeError``; a value of the right type out of range is a
``ValueError``. ``bool`` is never accepted as a number (``True`` is an ``int`` in Python, but
``lr=True`` is a mistake).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = ["check_bool", "check_choice", "check_int", "check_real"]


def _who(owner: str) -> str:
    """The message prefix naming the owner (none for an empty owner: a CLI option names itself)."""
    return f"{owner}: " if owner else ""


def _interval(low, high, low_open: bool, high_open: bool) -> str:
    lo = "(-inf" if low is None else ("(" if low_open else "[") + f"{low}"
    hi = "inf)" if high is None else f"{high}" + (")" if high_open else "]")
    return f"{lo}, {hi}"


def check_real(owner: str, name: str, value, low: float | None = None, *,
               low_open: bool = False, high: float | None = None, high_open: bool = True,
               allow_inf: bool = False) -> float:
    """Return ``float(value)`` if it is a real number in the interval, else raise.

    Parameters
    ----------
    owner, name : str
        Who checks (``"Adam"``) and which argument (``"lr"``), both quoted in the message; an
        empty owner leaves the prefix out (a command-line option such as ``"--lr"`` names
        itself).
    value : object
        The value given; Python and NumPy ints and floats are accepted, ``bool`` is not.
    low, high : float or None
        Bounds of the interval; None means unbounded on that side.
    low_open, high_open : bool
        Whether the bound itself is excluded (default ``[low, high)``).
    allow_inf : bool
        Accept ``inf`` / ``-inf`` (never NaN) when the bounds allow them.

    Examples
    --------
    >>> check_real("Adam", "eps", 1e-8, low=0.0, low_open=True)
    1e-08
    >>> check_real("Adam", "betas[0]", 1.0, low=0.0, high=1.0)
    Traceback (most recent call last):
    ...
    ValueError: Adam: betas[0] must be a finite number in [0.0, 1.0), got 1.0
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{_who(owner)}{name} must be a real number, got {value!r}")
    v = float(value)
    ok = not math.isnan(v) and (allow_inf or math.isfinite(v))
    if ok and low is not None:
        ok = v > low if low_open else v >= low
    if ok and high is not None:
        ok = v < high if high_open else v <= high
    if not ok:
        kind = "a number" if allow_inf else "a finite number"
        raise ValueError(f"{_who(owner)}{name} must be {kind} in "
                         f"{_interval(low, high, low_open, high_open)}, got {value!r}")
    return v


def check_int(owner: str, name: str, value, low: int | None = None,
              high: int | None = None) -> int:
    """Return ``int(value)`` if it is an integer with ``low <= value <= high``, else raise.

    A float such as ``3.0`` is refused (``epochs=3.5`` would silently become 3).

    Examples
    --------
    >>> check_int("StepLR", "step_size", 10, low=1)
    10
    >>> check_int("StepLR", "step_size", 0, low=1)
    Traceback (most recent call last):
    ...
    ValueError: StepLR: step_size must be an integer >= 1, got 0
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{_who(owner)}{name} must be an integer, got {value!r}")
    v = int(value)
    if (low is not None and v < low) or (high is not None and v > high):
        if high is None:
            rng = f">= {low}"
        elif low is None:
            rng = f"<= {high}"
        else:
            rng = f"in [{low}, {high}]"
        raise ValueError(f"{_who(owner)}{name} must be an integer {rng}, got {value!r}")
    return v


def check_choice(owner: str, name: str, value, choices: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``choices``, else raise naming all of them.

    Examples
    --------
    >>> check_choice("ReduceLROnPlateau", "mode", "min", ("min", "max"))
    'min'
    >>> check_choice("ReduceLROnPlateau", "mode", "mean", ("min", "max"))
    Traceback (most recent call last):
    ...
    ValueError: ReduceLROnPlateau: mode must be one of 'min', 'max', got 'mean'
    """
    choices = tuple(choices)
    def same(c) -> bool:
        if value is c:
            return True
        if isinstance(value, (bool, np.bool_)) != isinstance(c, (bool, np.bool_)):
            return False               # True is not 1
        try:
            return bool(value == c)
        except (TypeError, ValueError):  # an array or an incomparable value
            return False

    ok = any(same(c) for c in choices)
    if not ok:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{_who(owner)}{name} must be one of {listed}, got {value!r}")
    return value


def check_bool(owner: str, name: str, value) -> bool:
    """Return ``value`` if it is a real ``bool`` (``"False"`` is truthy: refuse it).

    Examples
    --------
    >>> check_bool("SGD", "nesterov", True)
    True
    >>> check_bool("SGD", "nesterov", "False")
    Traceback (most recent call last):
    ...
    TypeError: SGD: nesterov must be True or False, got 'False'
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{_who(owner)}{name} must be True or False, got {value!r}")
    return bool(value)
