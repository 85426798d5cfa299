"""`History`: the per-epoch record of a training run (loss, metrics, learning rate)."""

from __future__ import annotations

import csv
import io
import math

from .._atomic import write_atomically

__all__ = ["History"]


class History:
    """``history.history["val_loss"]`` is the list of per-epoch values, as in Keras."""

    def __init__(self, history: dict | None = None, epoch: list | None = None):
        self.history: dict[str, list] = {k: list(v) for k, v in (history or {}).items()}
        self.epoch: list[int] = list(epoch or [])

    def append(self, epoch: int, logs: dict) -> None:
        n = len(self.epoch)
        self.epoch.append(epoch)
        for key, value in logs.items():
            column = self.history.setdefault(key, [math.nan] * n)
            column.append(float(value))
        for column in self.history.values():
            if len(column) < n + 1:
                column.append(math.nan)

    def __getitem__(self, key: str) -> list:
        try:
            return self.history[key]
        except KeyError:
            raise KeyError(f"no {key!r} in history; recorded: {', '.join(self.history)}") from None

    def __contains__(self, key) -> bool:
        return key in self.history

    def __len__(self) -> int:
        return len(self.epoch)

    def to_dict(self) -> dict:
        return {"epoch": list(self.epoch), "history": {k: list(v) for k, v in self.history.items()}}

    @classmethod
    def from_dict(cls, d: dict) -> History:
        return cls(d.get("history"), d.get("epoch"))

    def to_csv(self, path) -> None:
        """Write one row per epoch (atomically)."""
        keys = list(self.history)
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["epoch"] + keys)
        for i, e in enumerate(self.epoch):
            w.writerow([e + 1] + [repr(self.history[k][i]) for k in keys])
        write_atomically(path, buf.getvalue())

    def __repr__(self) -> str:
        return f"History(epochs={len(self)}, keys={list(self.history)})"
