"""Optimizers and learning-rate schedules, PyTorch's names and semantics;
``swa_utils`` has weight averaging (AveragedModel, update_bn, SWALR).

    opt = lucidnet.optim.get_optimizer("adam", model.parameters(), lr=1e-3)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import lr_scheduler, swa_utils
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, Adamax, AdamW, NAdam, RAdam
from .asgd import ASGD
from .lbfgs import LBFGS
from .optimizer import Optimizer, get_num_threads, set_num_threads
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = [
    "ASGD",
    "OPTIMIZERS",
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "LBFGS",
    "Adamax",
    "NAdam",
    "Optimizer",
    "RAdam",
    "RMSprop",
    "Rprop",
    "get_num_threads",
    "get_optimizer",
    "lr_scheduler",
    "set_num_threads",
    "swa_utils",
]


def _preset(cls, **fixed) -> Callable[..., Optimizer]:
    def make(params, **kwargs):
        for key, value in fixed.items():
            kwargs.setdefault(key, value)
        return cls(params, **kwargs)
    make.__doc__ = f"{cls.__name__} with {fixed} (preset)"
    return make


#: name -> class or preset factory; "momentum", "nesterov", "amsgrad" are presets.
OPTIMIZERS: dict[str, Callable[..., Optimizer]] = {
    "sgd": SGD,
    "momentum": _preset(SGD, momentum=0.9),
    "nesterov": _preset(SGD, momentum=0.9, nesterov=True),
    "adagrad": Adagrad,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adamw": AdamW,
    "adamax": Adamax,
    "nadam": NAdam,
    "amsgrad": _preset(Adam, amsgrad=True),
    "adadelta": Adadelta,
    "radam": RAdam,
    "rprop": Rprop,
    "asgd": ASGD,
}


def get_optimizer(name: str, params, **kwargs: Any) -> Optimizer:
    """Build an optimizer by name (case-insensitive); unknown names list the valid ones.

    Parameters
    ----------
    name : str
        A key of `OPTIMIZERS` (``"adam"``, ``"sgd"``, ``"momentum"`` ...).
    params : iterable
        ``model.parameters()`` or param groups.
    **kwargs
        The optimizer's arguments (``lr=...``).

    Examples
    --------
    >>> import numpy as np
    >>> from lucidnet import optim
    >>> from lucidnet.nn import Parameter
    >>> opt = optim.get_optimizer("Momentum", [Parameter(np.zeros(2))], lr=0.1)
    >>> type(opt).__name__, opt.param_groups[0]["momentum"]
    ('SGD', 0.9)
    """
    key = name.lower() if isinstance(name, str) else name
    if key not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; valid names: {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[key](params, **kwargs)
