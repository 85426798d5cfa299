"""Loss modules, PyTorch names and semantics (SPEC D1-D3)."""

from __future__ import annotations

import numpy as np

from . import functional as F
from .module import Module

__all__ = ["MSELoss", "L1Loss", "HuberLoss", "SmoothL1Loss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss",
           "NLLLoss", "KLDivLoss", "LOSSES", "get_loss"]


class _Loss(Module):
    """PyTorch's loss-module base: ``(size_average=None, reduce=None, reduction="mean")``; a
    string first argument is the reduction (lucidnet's earlier order, ``MSELoss("sum")``)."""

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__()
        reduction = F._reduction_of(size_average, reduce, reduction, type(self).__name__)
        F._check_reduction(reduction, F._REDUCTIONS + ("batchmean",) if isinstance(self, KLDivLoss)
                           else F._REDUCTIONS)
        self.reduction = reduction

    def extra_repr(self) -> str:
        return ""  # PyTorch's loss modules print as ``MSELoss()``, whatever their options


class MSELoss(_Loss):
    """mean((x - y)^2)."""

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """mean(|x - y|) (MAE)."""

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """0.5 d^2 if |d| < delta else delta (|d| - delta / 2)."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0):
        super().__init__(reduction=reduction)
        if not delta > 0:
            raise ValueError(f"HuberLoss: delta must be > 0, got {delta!r}")
        self.delta = float(delta)

    def forward(self, input, target):
        return F.huber_loss(input, target, self.reduction, self.delta)


class SmoothL1Loss(_Loss):
    """0.5 d^2 / beta if |d| < beta else |d| - beta / 2 (PyTorch's; Huber / beta)."""

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean",
                 beta: float = 1.0):
        super().__init__(size_average, reduce, reduction)
        if not beta >= 0:
            raise ValueError(f"SmoothL1Loss: beta must be >= 0, got {beta!r}")
        self.beta = float(beta)

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities; ``weight`` rescales each element's loss."""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean"):
        if isinstance(weight, str):  # lucidnet's earlier order: BCELoss("sum")
            weight, reduction = None, weight
        super().__init__(size_average, reduce, reduction)
        self.weight = weight

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight,
                                      reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross-entropy on raw scores, numerically stable."""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean",
                 pos_weight=None):
        if isinstance(weight, str):  # lucidnet's earlier order: (reduction, pos_weight)
            weight, reduction, pos_weight = None, weight, size_average
            size_average = None
        super().__init__(size_average, reduce, reduction)
        self.weight = weight
        self.pos_weight = pos_weight

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, weight=self.weight,
                                                  reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class CrossEntropyLoss(_Loss):
    """Softmax + cross-entropy on logits; integer labels or probability targets.

    PyTorch's ``(weight=None, size_average=None, ignore_index=-100, reduce=None,
    reduction="mean", label_smoothing=0.0)``.
    """

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean", label_smoothing: float = 0.0):
        if isinstance(size_average, str):  # lucidnet's earlier order: (weight, reduction, ...)
            reduction, size_average = size_average, None
            if not isinstance(ignore_index, (int, np.integer)) or isinstance(ignore_index, bool):
                label_smoothing, ignore_index = ignore_index, -100
        super().__init__(size_average, reduce, reduction)
        self.weight = weight
        self.label_smoothing = float(label_smoothing)
        self.ignore_index = F._check_ignore_index(ignore_index, "CrossEntropyLoss")

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, reduction=self.reduction,
                               label_smoothing=self.label_smoothing,
                               ignore_index=self.ignore_index)


class NLLLoss(_Loss):
    """Negative log-likelihood on log-probabilities; ``ignore_index`` rows are left out."""

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean"):
        if isinstance(weight, str):  # lucidnet's earlier order: NLLLoss("sum")
            weight, reduction = None, weight
        super().__init__(size_average, reduce, reduction)
        self.weight = weight
        self.ignore_index = F._check_ignore_index(ignore_index, "NLLLoss")

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, reduction=self.reduction,
                          ignore_index=self.ignore_index)


class KLDivLoss(_Loss):
    """KL divergence with input = log q, target = p (use reduction="batchmean")."""

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean",
                 log_target: bool = False):
        if isinstance(size_average, str):  # lucidnet's earlier order: (reduction, log_target)
            reduction, log_target = size_average, (False if reduce is None else reduce)
            size_average = reduce = None
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


LOSSES = {
    "mse": MSELoss,
    "mae": L1Loss,
    "l1": L1Loss,
    "huber": HuberLoss,
    "bce": BCELoss,
    "bce_with_logits": BCEWithLogitsLoss,
    "cross_entropy": CrossEntropyLoss,
    "nll": NLLLoss,
    "kl_div": KLDivLoss,
}


def get_loss(name: str) -> Module:
    try:
        return LOSSES[name.lower()]()
    except (KeyError, AttributeError):
        raise ValueError(f"unknown loss {name!r}; valid names: {', '.join(LOSSES)}") from None
