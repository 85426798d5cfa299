"""Uploaded CSV files as playground data: two feature columns and a target, read with
`lucidnet.data.tabular.read_table`.

The two feature columns are scaled linearly from their range onto [-5, 5] (the playground
draws [-6, 6]); a target with two distinct values is a classification (the first value in
sorted order is -1, the other +1), a numeric target with more values a regression scaled onto
[-1, 1] (TF Playground's range).

Examples
--------
>>> from lucidnet.playground.csvdata import csv_columns, parse_csv
>>> text = "a,b,label\\n" + "".join(f"{i},{i % 3},{i % 2}\\n" for i in range(20))
>>> csv_columns(text.encode())
['a', 'b', 'label']
>>> data = parse_csv(text.encode())
>>> data["problem"], data["points"].shape
('classification', (20, 3))
"""

from __future__ import annotations

import os
import tempfile

import numpy as np

from .engine import ConfigError

__all__ = ["MAX_BYTES", "MIN_ROWS", "csv_columns", "parse_csv"]

MAX_BYTES = 20 * 1024 * 1024
MIN_ROWS = 10
_NAME = "the uploaded CSV"


def _read(raw: bytes):
    from ..data.tabular import read_table

    if not isinstance(raw, (bytes, bytearray)):
        raise ConfigError(f"expected the CSV file's bytes, got {type(raw).__name__}")
    if len(raw) == 0 or not raw.strip():
        raise ConfigError(f"{_NAME} is empty: send a header line and at least {MIN_ROWS} rows")
    if len(raw) > MAX_BYTES:
        raise ConfigError(f"{_NAME} has {len(raw):,} bytes, more than the {MAX_BYTES:,} the "
                          f"playground reads; send a sample of the rows")
    if b"\x00" in raw[:4096]:
        raise ConfigError(f"{_NAME} is not a text file (it holds NUL bytes): send a CSV with a "
                          f"header line, e.g. x1,x2,label")
    fd, path = tempfile.mkstemp(suffix=".csv", prefix="lucidnet-playground-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
        try:
            return read_table(path)
        except (ValueError, UnicodeError) as err:
            raise ConfigError(str(err).replace(path, _NAME)) from None
    finally:
        os.unlink(path)


def csv_columns(raw: bytes) -> list:
    """The column names of a CSV file (its header line), for the page's column pickers.

    Raises
    ------
    ConfigError
        Empty, binary or malformed files (the message says what is wrong).

    Examples
    --------
    >>> from lucidnet.playground.csvdata import csv_columns
    >>> csv_columns(b"u,v\\n1,2\\n")
    ['u', 'v']
    """
    return list(_read(raw).names)


def _numeric(table, name: str) -> np.ndarray:
    cells = table.column(name)
    values = np.empty(len(cells))
    for i, cell in enumerate(cells):
        try:
            values[i] = float(cell)
        except (TypeError, ValueError):
            raise ConfigError(f"{_NAME}: column {name!r} must be numeric, but line "
                              f"{int(table.lines[i])} holds {str(cell)[:40]!r}; choose a "
                              f"numeric column or fix the cell") from None
        if not np.isfinite(values[i]):
            raise ConfigError(f"{_NAME}: column {name!r} line {int(table.lines[i])} is "
                              f"{cell!r}; every cell must be a finite number")
    return values


def _scale(values: np.ndarray, low: float, high: float) -> np.ndarray:
    lo, hi = float(values.min()), float(values.max())
    if hi == lo:
        return np.full(len(values), (low + high) / 2)
    return low + (values - lo) * (high - low) / (hi - lo)


def parse_csv(raw: bytes, x1: str | None = None, x2: str | None = None,
              target: str | None = None) -> dict:
    """Points ``(n, 3)`` = [x1, x2, target] of an uploaded CSV file.

    Parameters
    ----------
    raw : bytes
        The file (UTF-8 text with a header line).
    x1, x2, target : str, optional
        Column names; default the first, the second and the last column.

    Returns
    -------
    dict
        ``{"points": (n, 3) float64, "columns": [names], "problem": "classification" |
        "regression", "x1", "x2", "target", "classes": [the two target values] | None}``.

    Raises
    ------
    ConfigError
        Empty or binary file, fewer than 3 columns or MIN_ROWS rows, a column that does not
        exist (the message lists them), a non-numeric feature, a non-numeric target with more
        than two values.

    Examples
    --------
    >>> from lucidnet.playground.csvdata import parse_csv
    >>> text = "t,p,q\\n" + "".join(f"{i * 0.5},{i},{-i}\\n" for i in range(12))
    >>> d = parse_csv(text.encode(), x1="p", x2="q", target="t")
    >>> d["problem"], float(d["points"][:, 0].min()), float(d["points"][:, 2].max())
    ('regression', -5.0, 1.0)
    """
    table = _read(raw)
    names = list(table.names)
    if len(names) < 2:
        raise ConfigError(f"{_NAME} has {len(names)} column ({', '.join(names)}); the playground "
                          f"needs two feature columns and a target (e.g. x1,x2,label)")
    x1 = names[0] if x1 is None else x1
    x2 = (names[1] if len(names) > 2 else names[0]) if x2 is None else x2
    target = names[-1] if target is None else target
    for role, name in (("x1", x1), ("x2", x2), ("target", target)):
        if name not in names:
            raise ConfigError(f"{_NAME} has no column {name!r} (asked for as {role}); its "
                              f"columns are: {', '.join(names)}")
    if target in (x1, x2):
        raise ConfigError(f"the target column {target!r} is also a feature column; choose "
                          f"another target or other features")
    if len(table) < MIN_ROWS:
        raise ConfigError(f"{_NAME} has {len(table)} data rows; the playground needs at least "
                          f"{MIN_ROWS} to split into train and test data")
    a, b = _numeric(table, x1), _numeric(table, x2)
    cells = table.column(target)
    distinct = sorted({str(c) for c in cells})
    classes = None
    if len(distinct) == 2:
        classes = distinct
        label = np.where(np.array([str(c) for c in cells]) == distinct[1], 1.0, -1.0)
        problem = "classification"
    elif len(distinct) < 2:
        raise ConfigError(f"{_NAME}: the target column {target!r} has one value only "
                          f"({distinct[0]!r}); it needs two classes or numeric values")
    else:
        try:
            label = _scale(_numeric(table, target), -1.0, 1.0)
        except ConfigError:
            raise ConfigError(f"{_NAME}: the target column {target!r} has {len(distinct)} "
                              f"non-numeric values; the playground classifies two classes or "
                              f"regresses a number") from None
        problem = "regression"
    points = np.column_stack([_scale(a, -5.0, 5.0), _scale(b, -5.0, 5.0), label])
    return {"points": points, "columns": names, "problem": problem, "x1": x1, "x2": x2,
            "target": target, "classes": classes}
