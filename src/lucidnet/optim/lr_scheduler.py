"""Learning-rate schedules, PyTorch's names and semantics.

``step()`` advances the step count ``t = last_epoch`` by one and writes the new lr into each param
group. As in PyTorch, building a scheduler applies ``lr_0`` at once and stores the group's
starting lr as ``group["initial_lr"]`` (the ``base_lr`` of every schedule).

Chainable, as in PyTorch: the decay schedules (`StepLR`, `MultiStepLR`, `ConstantLR`, `LinearLR`,
`ExponentialLR`, `PolynomialLR`, `CosineAnnealingLR`, `MultiplicativeLR`, and
`ReduceLROnPlateau`) compute the new lr from the group's *current* lr (``lr_t = lr_{t-1} *
factor_t``), so two schedules on one optimizer compose: StepLR and MultiStepLR both cutting at
epoch 3 give ``lr * gamma1 * gamma2``, and a plateau cut survives a later milestone. Alone, each
follows its closed form ``lr_t = f(base_lr, t)`` (``_get_closed_form_lr``; equal up to rounding).
`LambdaLR`, `CosineAnnealingWarmRestarts`, `CyclicLR` and `OneCycleLR` set absolute values from
``base_lr`` (PyTorch does the same); `ChainedScheduler` steps several schedules at once and
`SequentialLR` runs them one after another. `SWALR` (stochastic weight averaging) anneals the
current lr to a constant ``swa_lr``, taking over from whatever schedule ran before it.

``interval`` says how the trainer should step a schedule: ``"epoch"`` (after each epoch) or
``"batch"`` (after each optimizer step: `CyclicLR`, `OneCycleLR`). ``needs_metric = True`` marks
`ReduceLROnPlateau`, stepped as ``scheduler.step(val_loss)``. ``state_dict()`` is JSON-able:
plain numbers, strings and lists (functions such as LambdaLR's lambdas are not stored). A chainable
schedule resumes from the lr in the param groups, so restore the optimizer's state dict with it
(``Trainer.state_dict`` and the checkpoints hold both).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Sequence
from typing import Any

from .._validation import check_choice, check_int, check_real

__all__ = [
    "SCHEDULERS",
    "ChainedScheduler",
    "ConstantLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "ExponentialLR",
    "LRScheduler",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "MultiplicativeLR",
    "OneCycleLR",
    "PolynomialLR",
    "ReduceLROnPlateau",
    "SWALR",
    "SequentialLR",
    "StepLR",
    "get_scheduler",
    "warmup_cosine",
]


# ---------------------------------------------------------------------------------- validation
def _req(owner: str, name: str, value) -> None:
    if value is None:
        raise ValueError(f"{owner}: argument {name} is required, got None")


def _int(owner: str, name: str, value, low: int = 1) -> int:
    _req(owner, name, value)
    return check_int(owner, name, value, low=low)


def _real(owner: str, name: str, value, low: float | None = None, high: float | None = None, *,
          low_open: bool = False, high_open: bool = False) -> float:
    _req(owner, name, value)
    return check_real(owner, name, value, low, low_open=low_open, high=high, high_open=high_open)


def _per_group(owner: str, name: str, optimizer, value, low: float = 0.0) -> list[float]:
    _req(owner, name, value)
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"{owner}: {name} has {len(value)} values, the optimizer has {n} "
                             f"param groups")
        return [_real(owner, f"{name}[{i}]", v, low) for i, v in enumerate(value)]
    return [_real(owner, name, value, low)] * n


class LRScheduler:
    """Base class: ``step()`` sets each group's lr to ``get_lr()`` for ``t = last_epoch + 1``.

    Building a schedule applies ``lr_0`` at once (``last_epoch`` becomes 0) and stores each
    group's starting lr as ``group["initial_lr"]`` (the ``base_lrs``). Subclasses implement
    ``get_lr()``; chainable ones return ``lr_t = lr_{t-1} * factor_t``.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer whose ``param_groups[i]["lr"]`` the schedule writes.
    last_epoch : int, default -1
        Index of the last step taken; -1 starts fresh, a value >= 0 resumes (then every group
        needs ``"initial_lr"``, i.e. load the optimizer's state dict first).

    Examples
    --------
    >>> opt = ln.optim.SGD([ln.nn.Parameter(ln.zeros(1))], lr=1.0)
    >>> sched = ln.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    >>> isinstance(sched, ln.optim.lr_scheduler.LRScheduler), sched.last_epoch
    (True, 0)
    >>> opt.step(); sched.step()       # after each epoch: optimizer first, then schedule
    >>> sched.get_last_lr(), opt.param_groups[0]["initial_lr"]
    ([0.5], 1.0)
    """

    interval = "epoch"
    needs_metric = False
    _is_initial = False     # True while the constructor applies lr_0 (PyTorch's _initial_step)

    def __init__(self, optimizer, last_epoch: int = -1):
        owner = type(self).__name__
        if not hasattr(optimizer, "param_groups"):
            raise TypeError(f"{owner}: expected an Optimizer, got {type(optimizer).__name__}")
        check_int(owner, "last_epoch", last_epoch, low=-1)
        self.optimizer = optimizer
        for i, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise ValueError(f"{owner}: resuming with last_epoch={last_epoch} needs "
                                 f"param_groups[{i}]['initial_lr'] (load the optimizer's "
                                 f"state_dict first)")
        self.base_lrs = [float(g["initial_lr"]) for g in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:  # pragma: no cover - abstract
        """Learning rates of step ``last_epoch`` (one per param group)."""
        raise NotImplementedError

    def step(self) -> None:
        """Advance one step (epoch or batch, see ``interval``) and set each group's lr."""
        self._step_count += 1
        self._update_lr()

    def _update_lr(self, epoch: int | None = None) -> None:
        """One step ahead (``epoch=None``), or jump to ``epoch`` by the closed form if there is
        one (how `SequentialLR` restarts a schedule at its milestone)."""
        if epoch is None:
            self.last_epoch += 1
            lrs = self.get_lr()
        else:
            self.last_epoch = epoch
            closed = getattr(self, "_get_closed_form_lr", None)
            lrs = closed() if closed is not None else self.get_lr()
        self._apply(lrs)

    def _scaled(self, factor: float) -> list[float]:
        """The chainable form: each group's current lr times ``factor``."""
        return [group["lr"] * factor for group in self.optimizer.param_groups]

    def _apply(self, lrs: Sequence[float]) -> None:
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        self._last_lr = [float(g["lr"]) for g in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the last `step` (one per param group)."""
        return list(self._last_lr)

    # --------------------------------------------------------------- state
    _not_saved: tuple[str, ...] = ()

    def state_dict(self) -> dict[str, Any]:
        """Every attribute except the optimizer (and functions): JSON-able."""
        skip = {"optimizer", *self._not_saved}
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()
                if k not in skip}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the state saved by `state_dict` (step count, base lrs, schedule options).

        Parameters
        ----------
        state_dict : dict
            The dict returned by ``state_dict()`` of the same schedule class; restore the
            optimizer's state dict with it (chainable schedules continue from its lrs).
        """
        owner = type(self).__name__
        if not isinstance(state_dict, dict) or "last_epoch" not in state_dict:
            raise ValueError(f"{owner}.load_state_dict: expected the dict of "
                             f"{owner}.state_dict(), got {type(state_dict).__name__}")
        self.__dict__.update({k: v for k, v in state_dict.items() if k not in self._not_saved})

    def __repr__(self) -> str:
        return f"{type(self).__name__}(last_epoch={self.last_epoch}, lr={self.get_last_lr()})"


def _lambdas(owner: str, optimizer, lr_lambda) -> list[Callable[[int], float]]:
    _req(owner, "lr_lambda", lr_lambda)
    n = len(optimizer.param_groups)
    lambdas = list(lr_lambda) if isinstance(lr_lambda, (list, tuple)) else [lr_lambda] * n
    if len(lambdas) != n or not all(callable(f) for f in lambdas):
        raise ValueError(f"{owner}: lr_lambda must be a function or a list of {n} functions, "
                         f"got {lr_lambda!r}")
    return lambdas


# ---------------------------------------------------------------------------------- F1
class LambdaLR(LRScheduler):
    """``lr_t = base_lr * lr_lambda(t)`` (one function, or one per param group); absolute.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    lr_lambda : callable or list of callables
        ``t -> factor`` (one for all groups or one per param group); not saved in
        ``state_dict``.
    last_epoch : int, default -1
        See `LRScheduler`.

    Examples
    --------
    >>> opt = ln.optim.SGD([ln.nn.Parameter(ln.zeros(1))], lr=1.0)
    >>> sched = ln.optim.lr_scheduler.LambdaLR(opt, lambda t: 1 / (t + 1))
    >>> lrs = []
    >>> for epoch in range(4):
    ...     lrs.append(round(sched.get_last_lr()[0], 4))
    ...     sched.step()
    >>> lrs
    [1.0, 0.5, 0.3333, 0.25]
    """

    _not_saved = ("lr_lambdas",)

    def __init__(self, optimizer, lr_lambda: Callable[[int], float] | list | None = None,
                 last_epoch: int = -1):
        self.lr_lambdas = _lambdas("LambdaLR", optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [b * f(self.last_epoch) for f, b in zip(self.lr_lambdas, self.base_lrs)]


class MultiplicativeLR(LRScheduler):
    """``lr_t = lr_{t-1} * lr_lambda(t)`` for ``t >= 1`` (one function, or one per group).

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    lr_lambda : callable or list of callables
        ``t -> factor`` applied to the current lr at each step (one or one per group).
    last_epoch : int, default -1
        See `LRScheduler`.

    Examples
    --------
    >>> opt = ln.optim.SGD([ln.nn.Parameter(ln.zeros(1))], lr=1.0)
    >>> sched = ln.optim.lr_scheduler.MultiplicativeLR(opt, lambda t: 0.5)
    >>> lrs = []
    >>> for epoch in range(4):
    ...     lrs.append(sched.get_last_lr()[0])
    ...     sched.step()
    >>> lrs
    [1.0, 0.5, 0.25, 0.125]
    """

    _not_saved = ("lr_lambdas",)

    def __init__(self, optimizer, lr_lambda: Callable[[int], float] | list | None = None,
                 last_epoch: int = -1):
        self.lr_lambdas = _lambdas("MultiplicativeLR", optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._scaled(1.0)
        return [g["lr"] * f(self.last_epoch)
                for f, g in zip(self.lr_lambdas, self.optimizer.param_groups)]


class StepLR(LRScheduler):
    """Step decay: times ``gamma`` every ``step_size`` steps; alone
    ``lr_t = base_lr * gamma^floor(t / step_size)``.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    step_size : int
        Steps between two cuts (>= 1; required).
    gamma : float, default 0.1
        Factor of each cut (> 0).
    last_epoch : int, default -1
        See `LRScheduler`.

    Examples
    --------
    >>> opt = ln.optim.SGD([ln.nn.Parameter(ln.zeros(1))], lr=1.0)
    >>> sched = ln.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    >>> lrs = []
    >>> for epoch in range(5):
    ...     lrs.append(sched.get_last_lr()[0])
    ...     sched.step()
    >>> lrs
    [1.0, 1.0, 0.5, 0.5, 0.25]
    >>> ln.optim.lr_scheduler.StepLR(opt)
    Traceback (most recent call last):
    ...
    ValueError: StepLR: argument step_size is required, got None
    """

    def __init__(self, optimizer, step_size: int | None = None, gamma: float = 0.1,
                 last_epoch: int = -1):
        self.step_size = _int("StepLR", "step_size", step_size)
        self.gamma = _real("StepLR", "gamma", gamma, 0.0, low_open=True)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        t = self.last_epoch
        return self._scaled(self.gamma if t > 0 and t % self.step_size == 0 else 1.0)

    def _get_closed_form_lr(self) -> list[float]:
        return [b * self.gamma ** (self.last_epoch // self.step_size) for b in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Times ``gamma`` at each milestone (twice for a repeated one); alone
    ``lr_t = base_lr * gamma^(number of milestones <= t)``.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    milestones : list of int
        Steps (>= 1) at which the lr is cut; any order (sorted).
    gamma : float, default 0.1
        Factor of each cut (> 0).
    last_epoch : int, default -1
        See `LRScheduler`.

    Examples
    --------
    >>> opt = ln.optim.SGD([ln.nn.Parameter(ln.zeros(1))], lr=1.0)
    >>> sched = ln.optim.lr_scheduler.MultiStepLR(opt, milestones=[2, 3], gamma=0.1)
    >>> lrs = []
    >>> for epoch in range(5):
    ...     lrs.append(round(sched.get_last_lr()[0], 4))
    ...     sched.step()
    >>> lrs
    [1.0, 1.0, 0.1, 0.01, 0.01]
    """

    def __init__(self, optimizer, milestones: Sequence[int] | None = None, gamma: float = 0.1,
                 last_epoch: int = -1):
        _req("MultiStepLR", "milestones", milestones)
        if isinstance(milestones, (str, bytes)) or not hasattr(milestones, "__iter__"):
            raise ValueError(f"MultiStepLR: milestones must be a list of integers >= 1, got "
                             f"{milestones!r}")
        self.milestones = sorted(_int("MultiStepLR", "milestones[]", m) for m in milestones)
        self.gamma = _real("MultiStepLR", "gamma", gamma, 0.0, low_open=True)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return self._scaled(self.gamma ** self.milestones.count(self.last_epoch))

    def _get_closed_form_lr(self) -> list[float]:
        return [b * self.gamma ** bisect_right(self.milestones, self.last_epoch)
                for b in self.base_lrs]


class ConstantLR(LRScheduler):
    """Times ``factor`` at ``t = 0``, divided back at ``t = total_iters``; alone
    ``lr_t = base_lr * factor`` for ``t < total_iters``, then ``base_lr`` (a constant factor).

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    factor : float, default 1/3
        Factor in (0, 1] applied during the first ``total_iters`` steps.
    total_iters : int, default 5
        Length of the constant phase (0: none).
    last_epoch : int, default -1
        See `LRScheduler`.

    Examples
    --------
    >>> opt = ln.optim.SGD([ln.nn.Parameter(ln.zeros(1))], lr=1.0)
    >>> sched = ln.optim.lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=2)
    >>> lrs = []
    >>> for epoch in range(4):
    ...     lrs.append(sched.get_last_lr()[0])
    ...     sched.step()
    >>> lrs
    [0.5, 0.5, 1.0, 1.0]
    """

    def __init__(self, optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1):
        # factor 0 could never be divided back out (PyTorch: ZeroDivisionError at total_iters)
        self.factor = _real("ConstantLR", "factor", factor, 0.0, 1.0, low_open=True)
        self.total_iters = _int("ConstantLR", "total_iters", total_iters, 0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        t, n = self.last_epoch, self.total_iters
        if n == 0:          # no constant phase at all (as the closed form says)
            return self._scaled(1.0)
        if t == 0:
            return self._scaled(self.factor)
        return self._scaled(1.0 / self.factor if t == n else 1.0)

    def _get_closed_form_lr(self) -> list[float]:
        return [b * (self.factor if self.last_epoch < self.total_iters else 1.0)
                for b in self.base_lrs]


class LinearLR(LRScheduler):
    """Linear warmup/decay of the factor; alone ``lr_t = base_lr (s + (e - s) min(t, T)/T)``.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    start_factor : float, default 1/3
        ``s`` in (0, 1], the factor at ``t = 0``.
    end_factor : float, default 1.0
        ``e`` in [0, 1], the factor from ``t = T`` on.
    total_iters : int, default 5
        ``T`` (>= 1), the length of the ramp.
    last_epoch : int, default -1
        See `LRScheduler`.

    Examples
    --------
    >>> opt = ln.optim.SGD([ln.nn.Parameter(ln.zeros(1))], lr=1.0)
    >>> sched = ln.optim.lr_scheduler.LinearLR(opt, start_factor=0.25, total_iters=3)
    >>> lrs = []
    >>> for epoch in range(5):
    ...     lrs.append(sched.get_last_lr()[0])
    ...     sched.step()
    >>> lrs
    [0.25, 0.5, 0.75, 1.0, 1.0]
    """

    def __init__(self, optimizer, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 total_iters: int = 5, last_epoch: int = -1):
        self.start_factor = _real("LinearLR", "start_factor", start_factor, 0.0, 1.0,
                                  low_open=True)
        self.end_factor = _real("LinearLR", "end_factor", end_factor, 0.0, 1.0)
        self.total_iters = _int("LinearLR", "total_iters", total_iters)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        t, s, e, n = self.last_epoch, self.start_factor, self.end_factor, self.total_iters
        if t == 0:
            return self._scaled(s)
        if self._is_initial or t > n:
            return self._scaled(1.0)
        return self._scaled(1.0 + (e - s) / (n * s + (t - 1) * (e - s)))

    def _get_closed_form_lr(self) -> list[float]:
        s, e, n = self.start_factor, self.end_factor, self.total_iters
        return [b * (s + (e - s) * min(n, self.last_epoch) / n) for b in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Times ``gamma`` every step; alone ``lr_t = base_lr * gamma^t``; `from_decay_rate` gives
    the notes' ``α0·e^(-k t)``.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    gamma : float
        Factor per step (> 0; required).
    last_epoch : int, default -1
        See `LRScheduler`.

    Examples
    --------
    >>> opt = ln.optim.SGD([ln.nn.Parameter(ln.zeros(1))], lr=1.0)
    >>> sched = ln.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    >>> lrs = []
    >>> for epoch in range(4):
    ...     lrs.append(sched.get_last_lr()[0])
    ...     sched.step()
    >>> lrs
    [1.0, 0.5, 0.25, 0.125]
    """

    def __init__(self, optimizer, gamma: float | None = None, last_epoch: int = -1):
        self.gamma = _real("ExponentialLR", "gamma", gamma, 0.0, low_open=True)
        self.decay_rate: float | None = None
        super().__init__(optimizer, last_epoch)

    @classmethod
    def from_decay_rate(cls, optimizer, k: float, last_epoch: int = -1) -> ExponentialLR:
        """The notes' ``α_t = α0 e^(-k t)``: ``gamma = e^(-k)``."""
        k = _real("ExponentialLR.from_decay_rate", "k", k, 0.0)
        self = cls.__new__(cls)
        self.gamma, self.decay_rate = math.exp(-k), k
        LRScheduler.__init__(self, optimizer, last_epoch)
        return self

    def get_lr(self) -> list[float]:
        return self._scaled(1.0 if self._is_initial else self.gamma)

    def _get_closed_form_lr(self) -> list[float]:
        t = self.last_epoch
        if self.decay_rate is not None:
            return [b * math.exp(-self.decay_rate * t) for b in self.base_lrs]
        return [b * self.gamma ** t for b in self.base_lrs]


class PolynomialLR(LRScheduler):
    """Polynomial decay to 0 at ``total_iters``; alone
    ``lr_t = base_lr (1 - min(t, T)/T)^power``.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    total_iters : int, default 5
        ``T`` (>= 1), the step at which the lr reaches 0.
    power : float, default 1.0
        Exponent (>= 0) of the decay.
    last_epoch : int, default -1
        See `LRScheduler`.

    Examples
    --------
    >>> opt = ln.optim.SGD([ln.nn.Parameter(ln.zeros(1))], lr=1.0)
    >>> sched = ln.optim.lr_scheduler.PolynomialLR(opt, total_iters=4, power=2.0)
    >>> lrs = []
    >>> for epoch in range(6):
    ...     lrs.append(sched.get_last_lr()[0])
    ...     sched.step()
    >>> lrs
    [1.0, 0.5625, 0.25, 0.0625, 0.0, 0.0]
    """

    def __init__(self, optimizer, total_iters: int = 5, power: float = 1.0, last_epoch: int = -1):
        self.total_iters = _int("PolynomialLR", "total_iters", total_iters)
        self.power = _real("PolynomialLR", "power", power, 0.0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        t, n = self.last_epoch, self.total_iters
        if self._is_initial or t > n:
            return self._scaled(1.0)
        return self._scaled(((1.0 - t / n) / (1.0 - (t - 1) / n)) ** self.power)

    def _get_closed_form_lr(self) -> list[float]:
        n = self.total_iters
        return [b * (1.0 - min(n, self.last_epoch) / n) ** self.power for b in self.base_lrs]


# ---------------------------------------------------------------------------------- F2
def _cosine(base_lr: float, eta_min: float, t: float, period: float) -> float:
    return eta_min + (base_lr - eta_min) * (1.0 + math.cos(math.pi * t / period)) / 2.0


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing, PyTorch's recursive form; alone
    ``lr_t = η_min + (base_lr - η_min)(1 + cos(π t / T_max))/2``.

    Past ``T_max`` the lr climbs back up along the same cosine (period ``2 T_max``), as in
    PyTorch.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    T_max : int
        Half period (>= 1; required): steps from ``base_lr`` down to ``eta_min``.
    eta_min : float, default 0.0
        The lowest lr.
    last_epoch : int, default -1
        See `LRScheduler`.

    Examples
    --------
    >>> opt = ln.optim.SGD([ln.nn.Parameter(ln.zeros(1))], lr=1.0)
    >>> sched = ln.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=4)
    >>> lrs = []
    >>> for epoch in range(6):
    ...     lrs.append(round(sched.get_last_lr()[0], 4))
    ...     sched.step()
    >>> lrs
    [1.0, 0.8536, 0.5, 0.1464, 0.0, 0.1464]
    """

    def __init__(self, optimizer, T_max: int | None = None, eta_min: float = 0.0,
                 last_epoch: int = -1):
        self.T_max = _int("CosineAnnealingLR", "T_max", T_max)
        self.eta_min = _real("CosineAnnealingLR", "eta_min", eta_min, 0.0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        t, T, eta = self.last_epoch, self.T_max, self.eta_min
        groups = self.optimizer.param_groups
        if self._is_initial:
            return self._scaled(1.0)
        if (t - 1 - T) % (2 * T) == 0:      # leaving the minimum: the ratio below is 0/0
            return [g["lr"] + (b - eta) * (1 - math.cos(math.pi / T)) / 2
                    for b, g in zip(self.base_lrs, groups)]
        return [(1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
                * (g["lr"] - eta) + eta for g in groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [_cosine(b, self.eta_min, self.last_epoch, self.T_max) for b in self.base_lrs]


class CosineAnnealingWarmRestarts(LRScheduler):
    """SGDR: cosine from ``base_lr`` to ``eta_min`` over ``T_i`` steps, then restart with
    ``T_{i+1} = T_mult T_i`` (``T_0`` first); absolute, as in PyTorch:
    ``lr_t = η_min + (base_lr - η_min)(1 + cos(π T_cur / T_i))/2``.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    T_0 : int
        Length of the first cycle (>= 1; required).
    T_mult : int, default 1
        Growth factor (>= 1) of the cycle length after each restart.
    eta_min : float, default 0.0
        The lowest lr.
    last_epoch : int, default -1
        See `LRScheduler`.

    Examples
    --------
    >>> opt = ln.optim.SGD([ln.nn.Parameter(ln.zeros(1))], lr=1.0)
    >>> sched = ln.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2)
    >>> lrs = []
    >>> for epoch in range(7):
    ...     lrs.append(round(sched.get_last_lr()[0], 4))
    ...     sched.step()
    >>> lrs
    [1.0, 0.5, 1.0, 0.8536, 0.5, 0.1464, 1.0]
    >>> sched.cycle_position(6)        # (T_cur, T_i): start of the third cycle, 8 steps long
    (0, 8)
    """

    def __init__(self, optimizer, T_0: int | None = None, T_mult: int = 1, eta_min: float = 0.0,
                 last_epoch: int = -1):
        self.T_0 = _int("CosineAnnealingWarmRestarts", "T_0", T_0)
        self.T_mult = _int("CosineAnnealingWarmRestarts", "T_mult", T_mult)
        self.eta_min = _real("CosineAnnealingWarmRestarts", "eta_min", eta_min, 0.0)
        super().__init__(optimizer, last_epoch)

    def cycle_position(self, t: int) -> tuple[int, int]:
        """``(T_cur, T_i)``: position inside the current cycle and its length at step ``t``."""
        period = self.T_0
        if self.T_mult == 1:
            return t % period, period
        while t >= period:
            t -= period
            period *= self.T_mult
        return t, period

    def get_lr(self) -> list[float]:
        t_cur, period = self.cycle_position(self.last_epoch)
        return [_cosine(b, self.eta_min, t_cur, period) for b in self.base_lrs]


# ---------------------------------------------------------------------------------- F3
def _check_parts(owner: str, optimizer, schedulers) -> list[LRScheduler]:
    _req(owner, "schedulers", schedulers)
    schedulers = list(schedulers)
    if not schedulers:
        raise ValueError(f"{owner}: schedulers must hold at least one scheduler, got []")
    for i, s in enumerate(schedulers):
        if not isinstance(s, LRScheduler) or s.needs_metric:
            raise ValueError(f"{owner}: schedulers[{i}] must be a schedule stepped without a "
                             f"metric (not ReduceLROnPlateau), got {type(s).__name__}")
        if s.optimizer is not optimizer:
            raise ValueError(f"{owner}: schedulers[{i}] ({type(s).__name__}) belongs to "
                             f"another optimizer")
    return schedulers


class _Composite(LRScheduler):
    """State of a schedule made of schedules: its own counters plus each part's state dict."""

    def get_lr(self) -> list[float]:
        return self.get_last_lr()

    def state_dict(self) -> dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the state saved by `state_dict` (step count, base lrs, schedule options).

        Parameters
        ----------
        state_dict : dict
            The dict returned by ``state_dict()`` of the same schedule class; restore the
            optimizer's state dict with it (chainable schedules continue from its lrs).
        """
        owner = type(self).__name__
        if not isinstance(state_dict, dict) or "_schedulers" not in state_dict:
            raise ValueError(f"{owner}.load_state_dict: expected the dict of "
                             f"{owner}.state_dict(), got {type(state_dict).__name__}")
        state = dict(state_dict)
        subs = state.pop("_schedulers")
        if len(subs) != len(self._schedulers):
            raise ValueError(f"{owner}.load_state_dict: {len(subs)} saved schedulers, "
                             f"{len(self._schedulers)} here")
        self.__dict__.update(state)
        for s, sd in zip(self._schedulers, subs):
            s.load_state_dict(sd)


class ChainedScheduler(_Composite):
    """Step several schedules on one optimizer together: ``step()`` calls each one's ``step()``
    in order, so chainable factors multiply (e.g. ConstantLR warmup times ExponentialLR):
    ``lr_t = base_lr * prod_k factor_k(t)``.

    Parameters
    ----------
    schedulers : list of LRScheduler
        Schedules of one optimizer, all stepped at the same ``interval`` (not
        ReduceLROnPlateau).
    optimizer : Optimizer, optional
        Their optimizer (default: that of ``schedulers[0]``).

    Examples
    --------
    >>> opt = ln.optim.SGD([ln.nn.Parameter(ln.zeros(1))], lr=1.0)
    >>> warm = ln.optim.lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=2)
    >>> decay = ln.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
    >>> sched = ln.optim.lr_scheduler.ChainedScheduler([warm, decay])
    >>> lrs = []
    >>> for epoch in range(4):
    ...     lrs.append(round(sched.get_last_lr()[0], 4))
    ...     sched.step()
    >>> lrs
    [0.5, 0.45, 0.81, 0.729]
    """

    def __init__(self, schedulers: Sequence[LRScheduler] | None = None, optimizer=None):
        _req("ChainedScheduler", "schedulers", schedulers)
        schedulers = list(schedulers)
        if optimizer is None and schedulers:
            optimizer = getattr(schedulers[0], "optimizer", None)
        self._schedulers = _check_parts("ChainedScheduler", optimizer, schedulers)
        intervals = sorted({s.interval for s in self._schedulers})
        if len(intervals) > 1:
            raise ValueError("ChainedScheduler: all schedulers must step at the same interval, "
                             "got both 'batch' and 'epoch' ones; give them to the Trainer "
                             "separately or use one kind")
        self.interval = intervals[0]
        self.optimizer = optimizer
        self.last_epoch = max(s.last_epoch for s in self._schedulers)
        self._last_lr = [float(g["lr"]) for g in optimizer.param_groups]

    def step(self) -> None:
        for s in self._schedulers:
            s.step()
        self.last_epoch += 1
        self._last_lr = [float(g["lr"]) for g in self.optimizer.param_groups]


def _undo_initial_step(scheduler) -> None:
    parts = getattr(scheduler, "_schedulers", None)
    if parts is None:
        scheduler.last_epoch -= 1
    else:
        for s in parts:
            _undo_initial_step(s)


class SequentialLR(_Composite):
    """Run ``schedulers[i]`` between ``milestones[i-1]`` and ``milestones[i]``, each restarted at
    ``t = 0`` on its milestone (e.g. LinearLR warmup then CosineAnnealingLR): for
    ``m_{i-1} <= t < m_i``, ``lr_t = schedulers[i] at step t - m_{i-1}``.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer of every schedule.
    schedulers : list of LRScheduler
        The schedules, in the order they run (not ChainedScheduler / SequentialLR /
        ReduceLROnPlateau).
    milestones : list of int
        ``len(schedulers) - 1`` increasing steps at which the next schedule takes over.
    last_epoch : int, default -1
        See `LRScheduler`.

    Examples
    --------
    >>> opt = ln.optim.SGD([ln.nn.Parameter(ln.zeros(1))], lr=1.0)
    >>> warm = ln.optim.lr_scheduler.LinearLR(opt, start_factor=0.5, total_iters=2)
    >>> decay = ln.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    >>> sched = ln.optim.lr_scheduler.SequentialLR(opt, [warm, decay], milestones=[2])
    >>> lrs = []
    >>> for epoch in range(6):
    ...     lrs.append(sched.get_last_lr()[0])
    ...     sched.step()
    >>> lrs
    [0.5, 0.75, 1.0, 0.5, 0.25, 0.125]
    """

    def __init__(self, optimizer, schedulers: Sequence[LRScheduler] | None = None,
                 milestones: Sequence[int] | None = None, last_epoch: int = -1):
        schedulers = _check_parts("SequentialLR", optimizer, schedulers)
        for i, part in enumerate(schedulers):
            if isinstance(part, _Composite):    # PyTorch fails on these at the milestone
                raise ValueError(f"SequentialLR: schedulers[{i}] is a {type(part).__name__}, "
                                 f"which cannot be restarted at a milestone; put its parts in "
                                 f"the sequence, or chain SequentialLRs with ChainedScheduler")
        _req("SequentialLR", "milestones", milestones)
        milestones = list(milestones)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"SequentialLR: milestones must have len(schedulers) - 1 = "
                             f"{len(schedulers) - 1} entries, got {milestones!r}")
        ms = [_int("SequentialLR", "milestones[]", m) for m in milestones]
        if ms != sorted(ms):
            raise ValueError(f"SequentialLR: milestones must be increasing, got {milestones!r}")
        self._schedulers = schedulers
        self._milestones = ms
        self.interval = "batch" if any(s.interval == "batch" for s in schedulers) else "epoch"
        self.optimizer = optimizer
        self.last_epoch = last_epoch + 1
        self.base_lrs = [float(g["initial_lr"]) for g in optimizer.param_groups]
        # undo what building the parts did, then start the first one (as PyTorch)
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        for s in schedulers:
            _undo_initial_step(s)
        first = schedulers[bisect_right(ms, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def step(self) -> None:
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        sched = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            sched._update_lr(0)      # restart this part from its base lr
        else:
            sched.step()
        self._last_lr = sched.get_last_lr()


class CyclicLR(LRScheduler):
    """Cyclical learning rate (Smith 2017): triangle between ``base_lr`` and ``max_lr`` with
    amplitude scaled by mode ``triangular`` (1), ``triangular2`` (halved each cycle) or
    ``exp_range`` (``gamma^t``); optionally cycles momentum / beta1 inversely. Stepped per batch.

    With ``c = floor(1 + t / (up + down))`` and ``h`` the triangle height in [0, 1] (rising over
    ``up`` steps, falling over ``down``): ``lr_t = base_lr + (max_lr - base_lr) h scale(c or t)``.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    base_lr, max_lr : float or list of float
        The two ends of the cycle (one or one per param group; required).
    step_size_up : int, default 2000
        Steps of the rising half.
    step_size_down : int, optional
        Steps of the falling half (default ``step_size_up``).
    mode : {"triangular", "triangular2", "exp_range"}, default "triangular"
        Amplitude scaling; ignored when ``scale_fn`` is given.
    gamma : float, default 1.0
        Base of the ``exp_range`` scaling ``gamma^t``.
    scale_fn : callable, optional
        Custom scaling ``x -> scale``; ``scale_mode`` says whether ``x`` is the cycle or the step.
    scale_mode : {"cycle", "iterations"}, default "cycle"
        Argument of ``scale_fn``.
    cycle_momentum : bool, default True
        Cycle momentum (or Adam's beta1) between ``max_momentum`` and ``base_momentum``,
        inversely to the lr.
    base_momentum, max_momentum : float or list of float, default 0.8, 0.9
        The momentum range.
    last_epoch : int, default -1
        See `LRScheduler`.

    Examples
    --------
    >>> opt = ln.optim.SGD([ln.nn.Parameter(ln.zeros(1))], lr=1.0)
    >>> sched = ln.optim.lr_scheduler.CyclicLR(opt, base_lr=0.0, max_lr=1.0, step_size_up=2,
    ...                                        mode="triangular2", cycle_momentum=False)
    >>> lrs = []
    >>> for epoch in range(9):
    ...     lrs.append(sched.get_last_lr()[0])
    ...     sched.step()
    >>> lrs
    [0.0, 0.5, 1.0, 0.5, 0.0, 0.25, 0.5, 0.25, 0.0]
    """

    interval = "batch"
    _not_saved = ("scale_fn",)

    def __init__(self, optimizer, base_lr: float | list | None = None,
                 max_lr: float | list | None = None, step_size_up: int = 2000,
                 step_size_down: int | None = None, mode: str = "triangular", gamma: float = 1.0,
                 scale_fn: Callable[[float], float] | None = None, scale_mode: str = "cycle",
                 cycle_momentum: bool = True, base_momentum: float | list = 0.8,
                 max_momentum: float | list = 0.9, last_epoch: int = -1):
        owner = "CyclicLR"
        base_lrs = _per_group(owner, "base_lr", optimizer, base_lr)
        self.max_lrs = _per_group(owner, "max_lr", optimizer, max_lr)
        up = _int(owner, "step_size_up", step_size_up)
        down = up if step_size_down is None else _int(owner, "step_size_down", step_size_down)
        self.total_size = float(up + down)
        self.step_ratio = up / self.total_size
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError(f"CyclicLR: mode must be 'triangular', 'triangular2' or "
                             f"'exp_range' (or give scale_fn), got {mode!r}")
        check_choice("CyclicLR", "scale_mode", scale_mode, ("cycle", "iterations"))
        self.mode = mode
        self.gamma = _real(owner, "gamma", gamma, 0.0, low_open=True)
        self.scale_fn = scale_fn
        self.scale_mode = scale_mode if scale_fn is not None else \
            ("iterations" if mode == "exp_range" else "cycle")
        self.cycle_momentum = bool(cycle_momentum)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                group["lr"] = lr
                group["initial_lr"] = lr
        if self.cycle_momentum:
            _setup_momentum(owner, optimizer, base_momentum, max_momentum, last_epoch, self)
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _scale(self, x: float) -> float:
        if self.scale_fn is not None:
            return self.scale_fn(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1.0 / (2.0 ** (x - 1))
        return self.gamma ** x

    def get_lr(self) -> list[float]:
        t = self.last_epoch
        cycle = math.floor(1 + t / self.total_size)
        x = 1.0 + t / self.total_size - cycle
        if x <= self.step_ratio:
            height = x / self.step_ratio
        else:
            height = (x - 1) / (self.step_ratio - 1)
        scale = self._scale(cycle if self.scale_mode == "cycle" else t)
        if self.cycle_momentum:
            moms = [hi - (hi - lo) * height * scale
                    for lo, hi in zip(self.base_momentums, self.max_momentums)]
            _set_momentum(self.optimizer, moms, self.use_beta1)
        return [lo + (hi - lo) * height * scale for lo, hi in zip(self.base_lrs, self.max_lrs)]


def _setup_momentum(owner, optimizer, base_momentum, max_momentum, last_epoch, sched) -> None:
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError(f"{owner}: cycle_momentum=True needs an optimizer with momentum or "
                         f"betas, got {type(optimizer).__name__}; pass cycle_momentum=False")
    sched.use_beta1 = "betas" in optimizer.defaults
    sched.base_momentums = _per_group(owner, "base_momentum", optimizer, base_momentum)
    sched.max_momentums = _per_group(owner, "max_momentum", optimizer, max_momentum)
    if last_epoch == -1:
        _set_momentum(optimizer, sched.max_momentums, sched.use_beta1)
        for lo, hi, group in zip(sched.base_momentums, sched.max_momentums,
                                 optimizer.param_groups):
            group["max_momentum"], group["base_momentum"] = hi, lo


def _set_momentum(optimizer, values, use_beta1: bool) -> None:
    for group, m in zip(optimizer.param_groups, values):
        if use_beta1:
            group["betas"] = (m, *group["betas"][1:])
        else:
            group["momentum"] = m


class OneCycleLR(LRScheduler):
    """1cycle (Smith & Topin): warm up from ``max_lr/div_factor`` to ``max_lr`` over
    ``pct_start`` of ``total_steps``, then anneal to ``initial_lr/final_div_factor`` (cosine or
    linear); momentum cycles inversely. Stepped per batch.

    Each phase anneals from ``a`` to ``b`` with ``p`` the fraction of the phase done:
    ``cos``: ``b + (a - b)(1 + cos(π p))/2``, ``linear``: ``a + (b - a) p``.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    max_lr : float or list of float
        Peak lr (one or one per group; required).
    total_steps : int, optional
        Steps of the whole cycle; or give ``epochs`` and ``steps_per_epoch``.
    epochs, steps_per_epoch : int, optional
        ``total_steps = epochs * steps_per_epoch``.
    pct_start : float, default 0.3
        Fraction of the steps spent warming up.
    anneal_strategy : {"cos", "linear"}, default "cos"
        The annealing curve.
    cycle_momentum : bool, default True
        Cycle momentum (or beta1) from ``max_momentum`` down to ``base_momentum`` and back.
    base_momentum, max_momentum : float or list of float, default 0.85, 0.95
        The momentum range.
    div_factor : float, default 25.0
        ``initial_lr = max_lr / div_factor``.
    final_div_factor : float, default 1e4
        ``min_lr = initial_lr / final_div_factor``.
    three_phase : bool, default False
        Come back down to ``initial_lr`` symmetrically before the final annealing.
    last_epoch : int, default -1
        See `LRScheduler`.

    Examples
    --------
    >>> opt = ln.optim.SGD([ln.nn.Parameter(ln.zeros(1))], lr=1.0)
    >>> sched = ln.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=5,
    ...                                          anneal_strategy="linear", cycle_momentum=False)
    >>> lrs = []
    >>> for epoch in range(5):
    ...     lrs.append(round(sched.get_last_lr()[0], 4))
    ...     sched.step()
    >>> lrs
    [0.04, 0.8571, 0.5714, 0.2857, 0.0]
    """

    interval = "batch"

    def __init__(self, optimizer, max_lr: float | list | None = None,
                 total_steps: int | None = None, epochs: int | None = None,
                 steps_per_epoch: int | None = None, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True,
                 base_momentum: float | list = 0.85, max_momentum: float | list = 0.95,
                 div_factor: float = 25.0, final_div_factor: float = 1e4,
                 three_phase: bool = False, last_epoch: int = -1):
        owner = "OneCycleLR"
        if total_steps is not None:
            self.total_steps = _int(owner, "total_steps", total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            self.total_steps = _int(owner, "epochs", epochs) * \
                _int(owner, "steps_per_epoch", steps_per_epoch)
        else:
            raise ValueError(f"OneCycleLR: give total_steps, or epochs and steps_per_epoch; got "
                             f"total_steps={total_steps!r}, epochs={epochs!r}, "
                             f"steps_per_epoch={steps_per_epoch!r}")
        pct = _real(owner, "pct_start", pct_start, 0.0, 1.0)
        check_choice("OneCycleLR", "anneal_strategy", anneal_strategy, ("cos", "linear"))
        self.anneal_strategy = anneal_strategy
        div = _real(owner, "div_factor", div_factor, 0.0, low_open=True)
        final_div = _real(owner, "final_div_factor", final_div_factor, 0.0, low_open=True)
        n = self.total_steps
        if three_phase:
            self._phases = [[pct * n - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"],
                            [2 * pct * n - 2, "max_lr", "initial_lr", "base_momentum",
                             "max_momentum"],
                            [n - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"]]
        else:
            self._phases = [[pct * n - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"],
                            [n - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"]]
        max_lrs = _per_group(owner, "max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for m, group in zip(max_lrs, optimizer.param_groups):
                group["initial_lr"] = m / div
                group["max_lr"] = m
                group["min_lr"] = group["initial_lr"] / final_div
        self.cycle_momentum = bool(cycle_momentum)
        if self.cycle_momentum:
            _setup_momentum(owner, optimizer, base_momentum, max_momentum, last_epoch, self)
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        t = self.last_epoch
        if t > self.total_steps:
            raise ValueError(f"OneCycleLR: stepped {t} times, more than total_steps="
                             f"{self.total_steps}")
        lrs, moms = [], []
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, (end, lr0, lr1, m0, m1) in enumerate(self._phases):
                if t <= end or i == len(self._phases) - 1:
                    pct = (t - start) / (end - start)
                    lrs.append(self._anneal(group[lr0], group[lr1], pct))
                    if self.cycle_momentum:
                        moms.append(self._anneal(group[m0], group[m1], pct))
                    break
                start = end
        if self.cycle_momentum:
            _set_momentum(self.optimizer, moms, self.use_beta1)
        return lrs


# ---------------------------------------------------------------------------------- plateau
class ReduceLROnPlateau(LRScheduler):
    """Multiply the lr by ``factor`` after ``patience`` steps without improvement of the metric
    passed to ``step(metric)`` (``mode`` "min" or "max"; threshold "rel" or "abs"; ``cooldown``
    steps of rest after a reduction; never below ``min_lr``).

    In mode ``"min"`` with ``threshold_mode="rel"`` a value ``a`` improves on ``best`` when
    ``a < best (1 - threshold)`` (``"abs"``: ``a < best - threshold``); after more than
    ``patience`` bad steps ``lr <- max(lr * factor, min_lr)`` (skipped if the change is below
    ``eps``).

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    mode : {"min", "max"}, default "min"
        Whether the monitored metric should go down or up.
    factor : float, default 0.1
        Factor in [0, 1) of each reduction.
    patience : int, default 10
        Bad steps tolerated before reducing.
    threshold : float, default 1e-4
        Least improvement that counts.
    threshold_mode : {"rel", "abs"}, default "rel"
        Relative or absolute threshold.
    cooldown : int, default 0
        Steps after a reduction during which bad steps are not counted.
    min_lr : float or list of float, default 0.0
        Lower bound of the lr (one or one per group).
    eps : float, default 1e-8
        Smallest change of the lr that is applied.

    Examples
    --------
    >>> opt = ln.optim.SGD([ln.nn.Parameter(ln.zeros(1))], lr=1.0)
    >>> sched = ln.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=1)
    >>> for val_loss in [1.0, 0.9, 0.95, 0.95, 0.95, 0.95]:
    ...     sched.step(val_loss)
    ...     print(sched.get_last_lr()[0], end=" ")
    1.0 1.0 1.0 0.5 0.5 0.25
    """

    needs_metric = True

    def __init__(self, optimizer, mode: str = "min", factor: float = 0.1, patience: int = 10,
                 threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0,
                 min_lr: float | list = 0.0, eps: float = 1e-8):
        owner = "ReduceLROnPlateau"
        if not hasattr(optimizer, "param_groups"):
            raise TypeError(f"{owner}: expected an Optimizer, got {type(optimizer).__name__}")
        check_choice(owner, "mode", mode, ("min", "max"))
        check_choice(owner, "threshold_mode", threshold_mode, ("rel", "abs"))
        self.optimizer = optimizer
        self.mode, self.threshold_mode = mode, threshold_mode
        self.factor = _real(owner, "factor", factor, 0.0, 1.0, high_open=True)
        self.patience = _int(owner, "patience", patience, 0)
        self.threshold = _real(owner, "threshold", threshold, 0.0)
        self.cooldown = _int(owner, "cooldown", cooldown, 0)
        self.min_lrs = _per_group(owner, "min_lr", optimizer, min_lr)
        self.eps = _real(owner, "eps", eps, 0.0)
        self.last_epoch = 0
        self.best: float | None = None            # None: nothing seen yet (PyTorch: ±inf)
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self._last_lr = [float(g["lr"]) for g in optimizer.param_groups]

    def _is_better(self, a: float) -> bool:
        if self.best is None:
            return True
        best = self.best
        if self.mode == "min":
            return a < best * (1.0 - self.threshold) if self.threshold_mode == "rel" else \
                a < best - self.threshold
        return a > best * (1.0 + self.threshold) if self.threshold_mode == "rel" else \
            a > best + self.threshold

    def step(self, metrics: float | None = None) -> None:  # type: ignore[override]
        """Record the monitored ``metrics`` value of this epoch and reduce the lr if it stalled."""
        if metrics is None:
            raise ValueError("ReduceLROnPlateau.step needs the monitored metric, e.g. "
                             "scheduler.step(val_loss); got None")
        current = float(metrics)
        self.last_epoch += 1
        if math.isfinite(current) and self._is_better(current):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs):
                old = float(group["lr"])
                new = max(old * self.factor, min_lr)
                if old - new > self.eps:
                    group["lr"] = new
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = [float(g["lr"]) for g in self.optimizer.param_groups]

    def get_lr(self) -> list[float]:
        return list(self._last_lr)


# ---------------------------------------------------------------------------------- SWA
class SWALR(LRScheduler):
    """Anneal each group's lr to ``swa_lr`` over ``anneal_epochs`` steps, then hold it there:
    the schedule of stochastic weight averaging (``torch.optim.swa_utils.SWALR``).

    With ``s`` the number of steps taken (0 when built), ``f`` the annealing curve
    (``"cos"``: ``f(x) = (1 - cos(π x))/2``, ``"linear"``: ``f(x) = x``) and
    ``a_s = f(clip(s / max(1, E), 0, 1))``, ``E = anneal_epochs``::

        lr_s = swa_lr · a_s + lr_start · (1 - a_s)

    where ``lr_start``, the lr of the group when annealing began, is recovered from the group's
    current lr as PyTorch does (``lr_start = (lr - a_{s-1} swa_lr) / (1 - a_{s-1})``), so the
    schedule takes over from whatever schedule ran before it on the same optimizer.
    ``anneal_epochs=0`` jumps to ``swa_lr`` at the first `step`. Each group gets
    ``group["swa_lr"]``; ``swa_lr`` is one number or one per param group.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    swa_lr : float or list of float
        The lr to anneal to and hold (required).
    anneal_epochs : int, default 10
        ``E``, the steps of the annealing (0: jump at once).
    anneal_strategy : {"cos", "linear"}, default "cos"
        The curve ``f``.
    last_epoch : int, default -1
        See `LRScheduler`.

    Examples
    --------
    >>> opt = ln.optim.SGD([ln.nn.Parameter(ln.zeros(1))], lr=1.0)
    >>> sched = ln.optim.lr_scheduler.SWALR(opt, swa_lr=0.1, anneal_epochs=2,
    ...                                     anneal_strategy="linear")
    >>> lrs = []
    >>> for epoch in range(4):
    ...     lrs.append(sched.get_last_lr()[0])
    ...     sched.step()
    >>> lrs
    [1.0, 0.55, 0.1, 0.1]
    """

    def __init__(self, optimizer, swa_lr: float | list | None = None, anneal_epochs: int = 10,
                 anneal_strategy: str = "cos", last_epoch: int = -1):
        owner = "SWALR"
        if not hasattr(optimizer, "param_groups"):
            raise TypeError(f"{owner}: expected an Optimizer, got {type(optimizer).__name__}")
        swa_lrs = _per_group(owner, "swa_lr", optimizer, swa_lr)
        check_choice(owner, "anneal_strategy", anneal_strategy, ("cos", "linear"))
        self.anneal_epochs = _int(owner, "anneal_epochs", anneal_epochs, 0)
        self._anneal_strategy = anneal_strategy
        before = [group.get("swa_lr") for group in optimizer.param_groups]
        for lr, group in zip(swa_lrs, optimizer.param_groups):
            group["swa_lr"] = lr
        try:
            super().__init__(optimizer, last_epoch)
        except Exception:     # a refused last_epoch leaves the optimizer as it was
            for value, group in zip(before, optimizer.param_groups):
                if value is None:
                    del group["swa_lr"]
                else:
                    group["swa_lr"] = value
            raise

    @property
    def anneal_func(self) -> Callable[[float], float]:
        """The annealing curve ``f`` on [0, 1] (from ``anneal_strategy``; not saved)."""
        return self._cosine_anneal if self._anneal_strategy == "cos" else self._linear_anneal

    @staticmethod
    def _linear_anneal(t: float) -> float:
        return t

    @staticmethod
    def _cosine_anneal(t: float) -> float:
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr: float, swa_lr: float, alpha: float) -> float:
        """The lr before annealing, from the lr after a fraction ``alpha`` of it."""
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self) -> list[float]:
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        span = max(1, self.anneal_epochs)
        prev_alpha = self.anneal_func(max(0, min(1, (step - 1) / span)))
        alpha = self.anneal_func(max(0, min(1, step / span)))
        groups = self.optimizer.param_groups
        return [g["swa_lr"] * alpha + self._get_initial_lr(g["lr"], g["swa_lr"], prev_alpha)
                * (1 - alpha) for g in groups]

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the state saved by `state_dict`, checking the saved anneal strategy."""
        strategy = state_dict.get("_anneal_strategy", self._anneal_strategy) \
            if isinstance(state_dict, dict) else None
        if isinstance(state_dict, dict) and strategy not in ("cos", "linear"):
            raise ValueError(f"SWALR.load_state_dict: the anneal strategy must be 'cos' or "
                             f"'linear', got {strategy!r}")
        super().load_state_dict(state_dict)


# ---------------------------------------------------------------------------------- registry
def warmup_cosine(optimizer, warmup_steps: int | None = None, total_steps: int | None = None,
                  start_factor: float = 0.01, eta_min: float = 0.0) -> SequentialLR:
    """Linear warmup over ``warmup_steps`` then cosine annealing to ``eta_min`` until
    ``total_steps``: ``SequentialLR([LinearLR, CosineAnnealingLR], [warmup_steps])``.

    For ``t < W``: ``lr_t = base_lr (s + (1 - s) t / W)``; then
    ``lr_t = η_min + (base_lr - η_min)(1 + cos(π (t - W) / (N - W)))/2``.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    warmup_steps : int
        ``W`` (>= 1; required).
    total_steps : int
        ``N`` (> ``W``; required): the step at which the lr reaches ``eta_min``.
    start_factor : float, default 0.01
        ``s``, the factor at ``t = 0``.
    eta_min : float, default 0.0
        The lowest lr.

    Returns
    -------
    SequentialLR

    Examples
    --------
    >>> opt = ln.optim.SGD([ln.nn.Parameter(ln.zeros(1))], lr=1.0)
    >>> sched = ln.optim.lr_scheduler.warmup_cosine(opt, warmup_steps=2, total_steps=6,
    ...                                             start_factor=0.5)
    >>> lrs = []
    >>> for epoch in range(7):
    ...     lrs.append(round(sched.get_last_lr()[0], 4))
    ...     sched.step()
    >>> lrs
    [0.5, 0.75, 1.0, 0.8536, 0.5, 0.1464, 0.0]
    """
    warmup_steps = _int("warmup_cosine", "warmup_steps", warmup_steps)
    total_steps = _int("warmup_cosine", "total_steps", total_steps)
    if total_steps <= warmup_steps:
        raise ValueError(f"warmup_cosine: total_steps must exceed warmup_steps={warmup_steps}, "
                         f"got {total_steps}")
    warm = LinearLR(optimizer, start_factor, 1.0, warmup_steps)
    cos = CosineAnnealingLR(optimizer, total_steps - warmup_steps, eta_min)
    return SequentialLR(optimizer, [warm, cos], [warmup_steps])


#: name -> scheduler class (or factory); PyTorch class names are accepted too.
SCHEDULERS: dict[str, Callable[..., LRScheduler]] = {
    "lambda": LambdaLR,
    "step": StepLR,
    "multistep": MultiStepLR,
    "constant": ConstantLR,
    "linear": LinearLR,
    "exponential": ExponentialLR,
    "polynomial": PolynomialLR,
    "cosine": CosineAnnealingLR,
    "cosine_warm_restarts": CosineAnnealingWarmRestarts,
    "sequential": SequentialLR,
    "warmup_cosine": warmup_cosine,
    "cyclic": CyclicLR,
    "onecycle": OneCycleLR,
    "plateau": ReduceLROnPlateau,
}


def get_scheduler(name: str, optimizer, **kwargs: Any) -> LRScheduler:
    """Build a schedule by registry name or PyTorch class name (case-insensitive).

    Parameters
    ----------
    name : str
        A key of `SCHEDULERS` (``"step"``, ``"cosine"``, ...) or a class name such as
        ``"CosineAnnealingLR"``.
    optimizer : Optimizer
        The optimizer to schedule.
    **kwargs
        Arguments of the schedule.

    Returns
    -------
    LRScheduler

    Raises
    ------
    ValueError
        For an unknown name (the message lists the valid ones).

    Examples
    --------
    >>> opt = ln.optim.SGD([ln.nn.Parameter(ln.zeros(1))], lr=1.0)
    >>> ln.optim.lr_scheduler.get_scheduler("step", opt, step_size=1, gamma=0.5)
    StepLR(last_epoch=0, lr=[1.0])
    >>> type(ln.optim.lr_scheduler.get_scheduler("CosineAnnealingLR", opt, T_max=3)).__name__
    'CosineAnnealingLR'
    >>> ln.optim.lr_scheduler.get_scheduler("nope", opt)
    Traceback (most recent call last):
    ...
    ValueError: unknown scheduler 'nope'; valid names: lambda, step, ...
    """
    key = name.lower() if isinstance(name, str) else name
    by_class = {f.__name__.lower(): f for f in SCHEDULERS.values()}
    factory = SCHEDULERS.get(key) or by_class.get(key)
    if factory is None:
        raise ValueError(f"unknown scheduler {name!r}; valid names: {', '.join(SCHEDULERS)} "
                         f"(or the PyTorch class names)")
    return factory(optimizer, **kwargs)
