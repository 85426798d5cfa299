"""Learning-rate schedules drawn side by side over the same steps."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

from ._backend import finish, pyplot

__all__ = ["lr_schedules", "schedule_values"]


def schedule_values(schedule: Callable | Sequence[float], steps: int,
                    base_lr: float = 0.1) -> list[float]:
    """The lr at steps ``0 .. steps-1``: ``schedule`` is a list of lrs, or a factory
    ``optimizer -> scheduler`` run on a throw-away SGD(lr=base_lr, momentum=0.9).

    Examples
    --------
    >>> from lucidnet.plot.schedules import schedule_values
    >>> schedule_values(lambda opt: ln.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5), 5)
    [0.1, 0.1, 0.05, 0.05, 0.025]
    """
    if not callable(schedule):
        values = [float(v) for v in schedule]
        if len(values) < steps:
            raise ValueError(f"lr_schedules: a list of lrs needs at least steps={steps} values, "
                             f"got {len(values)}")
        return values[:steps]
    import numpy as np

    from ..nn import Parameter
    from ..optim import SGD

    opt = SGD([Parameter(np.zeros(1))], lr=base_lr, momentum=0.9)
    sched = schedule(opt)
    values = []
    for _ in range(steps):
        values.append(float(sched.get_last_lr()[0]))
        if getattr(sched, "needs_metric", False):
            raise ValueError("lr_schedules: ReduceLROnPlateau depends on a metric; pass its lrs "
                             "as a list instead")
        sched.step()
    return values


def lr_schedules(schedules: Mapping[str, Callable | Sequence[float]], steps: int, path=None,
                 base_lr: float = 0.1, cols: int = 4, title: str | None = None):
    """One panel per schedule (``name -> factory(optimizer) or list of lrs``), shared step axis.

    Returns the Figure; saves a PNG if ``path`` is given.

    Examples
    --------
    >>> import os
    >>> from lucidnet import plot
    >>> step = lambda opt: ln.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    >>> fig = plot.lr_schedules({"step": step, "constant": [0.1] * 5}, steps=5, path="lr.png")
    >>> os.path.exists("lr.png")
    True
    """
    if not schedules:
        raise ValueError("lr_schedules: schedules is empty; pass {name: factory or list of lrs}")
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"lr_schedules: steps must be a positive integer, got {steps!r}")
    curves = {name: schedule_values(s, steps, base_lr) for name, s in schedules.items()}
    plt = pyplot()
    cols = max(1, min(cols, len(curves)))
    rows = math.ceil(len(curves) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 2.6 * rows), squeeze=False,
                             sharex=True)
    for ax, (name, lrs) in zip(axes.flat, curves.items()):
        ax.plot(range(steps), lrs, lw=1.4)
        ax.set_title(name, fontsize=9)
        ax.grid(alpha=0.3)
        ax.set_ylim(bottom=0.0, top=max(lrs) * 1.08 if max(lrs) > 0 else 1.0)
        ax.tick_params(labelbottom=True)
        ax.ticklabel_format(axis="y", style="sci", scilimits=(-2, 2))
    for ax in list(axes.flat)[len(curves):]:
        ax.set_visible(False)
    for ax in axes.flat:
        ax.set_xlabel("step")
    for row in axes:
        row[0].set_ylabel("learning rate")
    return finish(fig, path, title)
