"""`History`: the per-epoch record of a training run (loss, metrics, learning rate)."""

from __future__ import annotations

import csv
import io
import math

from .._atomic import write_atomically

__all__ = ["History"]


class History:
    """The per-epoch record of a run: ``history.history["val_loss"]`` is the list of per-epoch
    values, as in Keras; ``history["loss"]`` is the same list.

    Parameters
    ----------
    history : dict of str to list of float, optional
        Initial columns (e.g. from a checkpoint).
    epoch : list of int, optional
        The 0-based epoch index of each row.

    Examples
    --------
    >>> from lucidnet.train import History
    >>> h = History()
    >>> h.append(0, {"loss": 0.9, "val_loss": 1.0})
    >>> h.append(1, {"loss": 0.5})                 # a key missing this epoch is NaN
    >>> h, h["loss"], h["val_loss"]
    (History(epochs=2, keys=['loss', 'val_loss']), [0.9, 0.5], [1.0, nan])
    >>> History.from_dict(h.to_dict())["loss"]
    [0.9, 0.5]
    """

    def __init__(self, history: dict | None = None, epoch: list | None = None):
        self.history: dict[str, list] = {k: list(v) for k, v in (history or {}).items()}
        self.epoch: list[int] = list(epoch or [])

    def append(self, epoch: int, logs: dict) -> None:
        """Record the ``logs`` (name -> number) of ``epoch``; columns absent from ``logs`` get
        NaN for this epoch, and a new column gets NaN for the earlier epochs."""
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
        """JSON-able ``{"epoch": [...], "history": {name: [...]}}`` (see :meth:`from_dict`)."""
        return {"epoch": list(self.epoch), "history": {k: list(v) for k, v in self.history.items()}}

    @classmethod
    def from_dict(cls, d: dict) -> History:
        """The History that :meth:`to_dict` described."""
        return cls(d.get("history"), d.get("epoch"))

    def to_csv(self, path) -> None:
        """Write one row per epoch (atomically): a header ``epoch,<names>`` and 1-based epochs."""
        keys = list(self.history)
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["epoch"] + keys)
        for i, e in enumerate(self.epoch):
            w.writerow([e + 1] + [repr(self.history[k][i]) for k in keys])
        write_atomically(path, buf.getvalue())

    def __repr__(self) -> str:
        return f"History(epochs={len(self)}, keys={list(self.history)})"
