"""Loss modules, PyTorch names and semantics."""

from __future__ import annotations

import numpy as np

from ..autograd.tensor import Tensor
from . import functional as F
from .module import Module

__all__ = ["MSELoss", "L1Loss", "HuberLoss", "SmoothL1Loss", "MarginRankingLoss",
           "HingeEmbeddingLoss", "SoftMarginLoss", "CosineEmbeddingLoss", "TripletMarginLoss",
           "PoissonNLLLoss", "GaussianNLLLoss", "MultiLabelSoftMarginLoss", "MultiMarginLoss",
           "MultiLabelMarginLoss", "TripletMarginWithDistanceLoss", "CosineSimilarity",
           "PairwiseDistance", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss",
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

    def _class_weights(self, **weights) -> None:
        """``weight`` / ``pos_weight`` as buffers, as PyTorch's weighted losses: they are in
        ``state_dict()`` and follow ``.to()`` / ``.double()`` (None leaves no state)."""
        for name, value in weights.items():
            if value is not None and not isinstance(value, (Tensor, np.ndarray)):
                value = Tensor(np.asarray(value))
            self.register_buffer(name, value)


class MSELoss(_Loss):
    """Mean squared error: l_i = (x_i - y_i)^2, loss = mean(l) (``reduction='sum'``: sum(l)).

    Gradient dloss/dx_i = 2 (x_i - y_i) / n for the mean over n elements. The loss of
    least-squares regression (maximum likelihood under Gaussian noise).

    Shape: input and target of one shape (*); output a scalar, or (*) with ``reduction='none'``.

    Parameters
    ----------
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        How the per-element losses l_i are combined ('none': returned as they are).

    Examples
    --------
    >>> loss = ln.nn.MSELoss()
    >>> loss(ln.tensor([1.0, 2.0, 4.0]), ln.tensor([1.0, 1.0, 1.0]))      # (0 + 1 + 9) / 3
    tensor(3.3333)
    """

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error: l_i = |x_i - y_i|, loss = mean(l).

    Gradient sign(x_i - y_i) / n: every error pulls with the same force, so outliers weigh less than
    in `MSELoss` (the minimiser is the median, not the mean).

    Shape: input and target of one shape (*); output a scalar, or (*) with ``reduction='none'``.

    Parameters
    ----------
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        How the per-element losses l_i are combined ('none': returned as they are).

    Examples
    --------
    >>> ln.nn.L1Loss()(ln.tensor([1.0, 2.0, 4.0]), ln.tensor([1.0, 1.0, 1.0]))   # (0 + 1 + 3) / 3
    tensor(1.3333)
    """

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """Huber loss of d = x - y: l = d^2 / 2 if |d| < delta else delta (|d| - delta / 2).

    Quadratic near zero, linear beyond ``delta``: gradient clip(d, -delta, delta), so large errors
    pull with bounded force (robust regression).

    Shape: input and target of one shape (*).

    Parameters
    ----------
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        How the per-element losses l_i are combined ('none': returned as they are).
    delta : float, default 1.0
        Where the quadratic part turns linear.

    Examples
    --------
    >>> ln.nn.HuberLoss(reduction="none")(ln.tensor([0.5, 3.0]), ln.tensor([0.0, 0.0]))  # 0.125, 3 - 0.5
    tensor([0.1250, 2.5000])
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0):
        super().__init__(reduction=reduction)
        if not delta > 0:
            raise ValueError(f"HuberLoss: delta must be > 0, got {delta!r}")
        self.delta = float(delta)

    def forward(self, input, target):
        return F.huber_loss(input, target, self.reduction, self.delta)


class SmoothL1Loss(_Loss):
    """0.5 d^2 / beta if |d| < beta else |d| - beta / 2 (PyTorch's; Huber / beta).

    Parameters
    ----------
    beta : float, default 1.0
        Where the loss switches from quadratic to linear (>= 0).
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined.
    size_average, reduce : optional
        PyTorch's deprecated spellings of ``reduction``.

    Examples
    --------
    >>> ln.nn.SmoothL1Loss(reduction="none")(ln.tensor([0.5, 3.0]), ln.tensor([0.0, 0.0]))
    tensor([0.1250, 2.5000])
    """

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean",
                 beta: float = 1.0):
        super().__init__(size_average, reduce, reduction)
        if not beta >= 0:
            raise ValueError(f"SmoothL1Loss: beta must be >= 0, got {beta!r}")
        self.beta = float(beta)

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities p in [0, 1]: l_i = -(y_i log p_i + (1 - y_i) log(1 - p_i)).

    Each log is clamped at -100, as PyTorch, so p = 0 or 1 gives a finite loss. Gradient
    dl/dp = (p - y) / (p (1 - p)). Prefer `BCEWithLogitsLoss` on raw scores: it is stable and its
    gradient does not vanish when the sigmoid saturates.

    Shape: input and target of one shape (*), target values in [0, 1].

    Parameters
    ----------
    weight : Tensor, optional
        Rescales each element's loss (broadcast to the input).
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        How the per-element losses l_i are combined ('none': returned as they are).

    Examples
    --------
    >>> ln.nn.BCELoss()(ln.tensor([0.9, 0.2]), ln.tensor([1.0, 0.0]))   # -(log 0.9 + log 0.8) / 2
    tensor(0.1643)
    """

    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean"):
        if isinstance(weight, str):  # lucidnet's earlier order: BCELoss("sum")
            weight, reduction = None, weight
        super().__init__(size_average, reduce, reduction)
        self._class_weights(weight=weight)

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight,
                                      reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross-entropy on raw scores x, fused and stable:
    l = max(x, 0) - x y + log(1 + exp(-|x|)) = BCE(sigmoid(x), y).

    Gradient dl/dx = sigmoid(x) - y: the sigmoid's slope cancels, so a confidently wrong output
    still gets a large gradient (unlike squared error on a sigmoid output).

    Shape: input and target of one shape (*).

    Parameters
    ----------
    weight : Tensor, optional
        Rescales each element's loss.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        How the per-element losses l_i are combined ('none': returned as they are).
    pos_weight : Tensor, optional
        Weight of the positive term per class (> 1 favours recall).

    Examples
    --------
    >>> ln.nn.BCEWithLogitsLoss()(ln.tensor([0.0, 0.0]), ln.tensor([1.0, 0.0]))   # log 2
    tensor(0.6931)
    """

    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean",
                 pos_weight=None):
        if isinstance(weight, str):  # lucidnet's earlier order: (reduction, pos_weight)
            weight, reduction, pos_weight = None, weight, size_average
            size_average = None
        super().__init__(size_average, reduce, reduction)
        self._class_weights(weight=weight, pos_weight=pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, weight=self.weight,
                                                  reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class CrossEntropyLoss(_Loss):
    """Softmax + cross-entropy on logits, fused and stable: l_n = -log softmax(x_n)_{y_n}
    = logsumexp(x_n) - x_n[y_n].

    Targets are integer class labels (N,) or class probabilities (N, C). Gradient with respect to
    the logits: softmax(x_n) - onehot(y_n) (divided by N for the mean). ``weight`` scales class c's
    loss by w_c (the mean then divides by the summed weights), ``ignore_index`` leaves those rows
    out, ``label_smoothing`` = e mixes the target with the uniform distribution: (1 - e) y + e / C.

    Shape: input (N, C) or (N, C, d1, ...); target (N,) / (N, d1, ...) integers, or the input's
    shape for probabilities. Output a scalar, or (N, ...) with ``reduction='none'``.

    Parameters
    ----------
    weight : Tensor of shape (C,), optional
        Per-class weights.
    ignore_index : int, default -100
        Label value that contributes neither loss nor gradient.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        How the per-element losses l_i are combined ('none': returned as they are).
    label_smoothing : float, default 0.0
        e in [0, 1].

    Examples
    --------
    >>> logits = ln.tensor([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    >>> ln.nn.CrossEntropyLoss()(logits, ln.tensor([0, 2]))
    tensor(0.6691)
    """

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean", label_smoothing: float = 0.0):
        if isinstance(size_average, str):  # lucidnet's earlier order: (weight, reduction, ...)
            reduction, size_average = size_average, None
            if not isinstance(ignore_index, (int, np.integer)) or isinstance(ignore_index, bool):
                label_smoothing, ignore_index = ignore_index, -100
        super().__init__(size_average, reduce, reduction)
        self._class_weights(weight=weight)
        self.label_smoothing = float(label_smoothing)
        self.ignore_index = F._check_ignore_index(ignore_index, "CrossEntropyLoss")

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, reduction=self.reduction,
                               label_smoothing=self.label_smoothing,
                               ignore_index=self.ignore_index)


class NLLLoss(_Loss):
    """Negative log-likelihood on log-probabilities: l_n = -w_{y_n} x_n[y_n].

    With `LogSoftmax` in front it is `CrossEntropyLoss`. Gradient: -w_{y_n} at the target class,
    0 elsewhere; the mean divides by the summed weights of the rows kept (``ignore_index`` rows are
    left out).

    Shape: input (N, C) log-probabilities, target (N,) integer labels.

    Parameters
    ----------
    weight : Tensor of shape (C,), optional
        Per-class weights.
    ignore_index : int, default -100
        Label value that is left out.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        How the per-element losses l_i are combined ('none': returned as they are).

    Examples
    --------
    >>> logp = ln.tensor([[-0.5, -1.0], [-2.0, -0.1]])
    >>> ln.nn.NLLLoss()(logp, ln.tensor([0, 1]))          # (0.5 + 0.1) / 2
    tensor(0.3000)
    """

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean"):
        if isinstance(weight, str):  # lucidnet's earlier order: NLLLoss("sum")
            weight, reduction = None, weight
        super().__init__(size_average, reduce, reduction)
        self._class_weights(weight=weight)
        self.ignore_index = F._check_ignore_index(ignore_index, "NLLLoss")

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, reduction=self.reduction,
                          ignore_index=self.ignore_index)


class KLDivLoss(_Loss):
    """Kullback-Leibler divergence with input = log q and target = p: l_i = p_i (log p_i - log q_i)
    (0 where p_i = 0).

    KL(p || q) = sum_i p_i log(p_i / q_i) >= 0, zero only when q = p. Use ``reduction='batchmean'``
    (sum divided by the batch size) for the true KL per sample; ``'mean'`` divides by the number of
    elements, as PyTorch (with its warning). Gradient with respect to the input: -p_i.

    Parameters
    ----------
    reduction : {'mean', 'batchmean', 'sum', 'none'}, default 'mean'
    log_target : bool, default False
        The target is given as log p.

    Examples
    --------
    >>> q = ln.tensor([[0.5, 0.5]])
    >>> p = ln.tensor([[0.9, 0.1]])
    >>> ln.nn.KLDivLoss(reduction="batchmean")(q.log(), p)   # 0.9 log 1.8 + 0.1 log 0.2
    tensor(0.3681)
    """

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean",
                 log_target: bool = False):
        if isinstance(size_average, str):  # lucidnet's earlier order: (reduction, log_target)
            reduction, log_target = size_average, (False if reduce is None else reduce)
            size_average = reduce = None
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class MarginRankingLoss(_Loss):
    """max(0, -y (x1 - x2) + margin).

    Inputs x1, x2 and target y (+1: x1 should rank higher, -1: lower), all of one shape.

    Parameters
    ----------
    margin : float, default 0.0
        The margin.
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined.
    size_average, reduce : optional
        PyTorch's deprecated spellings of ``reduction``.

    Examples
    --------
    >>> ln.nn.MarginRankingLoss()(ln.tensor([1.0, 0.0]), ln.tensor([0.0, 1.0]), ln.tensor([1.0, 1.0]))
    tensor(0.5000)
    """

    def __init__(self, margin: float = 0.0, size_average=None, reduce=None,
                 reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.margin_ranking_loss(input1, input2, target, self.margin,
                                     reduction=self.reduction)


class HingeEmbeddingLoss(_Loss):
    """x where y = 1, max(0, margin - x) where y = -1.

    Input x (distances) and target y in {1, -1}, of one shape.

    Parameters
    ----------
    margin : float, default 1.0
        The margin for the dissimilar pairs.
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined.
    size_average, reduce : optional
        PyTorch's deprecated spellings of ``reduction``.

    Examples
    --------
    >>> ln.nn.HingeEmbeddingLoss(reduction='none')(ln.tensor([0.3, 0.3]), ln.tensor([1.0, -1.0]))
    tensor([0.3000, 0.7000])
    """

    def __init__(self, margin: float = 1.0, size_average=None, reduce=None,
                 reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input, target):
        return F.hinge_embedding_loss(input, target, self.margin, reduction=self.reduction)


class SoftMarginLoss(_Loss):
    """log(1 + e^(-y x)).

    Input x and target y in {1, -1}, of one shape.

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined.
    size_average, reduce : optional
        PyTorch's deprecated spellings of ``reduction``.

    Examples
    --------
    >>> ln.nn.SoftMarginLoss()(ln.tensor([0.0]), ln.tensor([1.0]))    # log 2
    tensor(0.6931)
    """

    def forward(self, input, target):
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class CosineEmbeddingLoss(_Loss):
    """1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1.

    Inputs x1, x2 (N, D) or (D,) and target y (N,) or () in {1, -1}.

    Parameters
    ----------
    margin : float, default 0.0
        The margin for the dissimilar pairs, in [-1, 1].
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined.
    size_average, reduce : optional
        PyTorch's deprecated spellings of ``reduction``.

    Examples
    --------
    >>> x1 = ln.tensor([[1.0, 0.0]])
    >>> ln.nn.CosineEmbeddingLoss()(x1, ln.tensor([[0.0, 1.0]]), ln.tensor([1.0]))   # 1 - cos 90 deg
    tensor(1.)
    """

    def __init__(self, margin: float = 0.0, size_average=None, reduce=None,
                 reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.cosine_embedding_loss(input1, input2, target, self.margin,
                                       reduction=self.reduction)


class TripletMarginLoss(_Loss):
    """max(d(a, p) - d(a, n) + margin, 0).

    Anchor a, positive p, negative n: (N, D) or (D,); ``d`` the ``p``-norm distance.

    Parameters
    ----------
    margin : float, default 1.0
        The margin.
    p : float, default 2.0
        The norm of the distance.
    eps : float, default 1e-6
        Added to the difference (as `PairwiseDistance`).
    swap : bool, default False
        Use ``min(d(a, n), d(p, n))`` as the negative distance.
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined.
    size_average, reduce : optional
        PyTorch's deprecated spellings of ``reduction``.

    Examples
    --------
    >>> a, p, n = ln.tensor([[0.0, 0.0]]), ln.tensor([[1.0, 0.0]]), ln.tensor([[3.0, 0.0]])
    >>> ln.nn.TripletMarginLoss(margin=1.0)(a, p, n)      # max(1 - 3 + 1, 0)
    tensor(0.)
    """

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6,
                 swap: bool = False, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_loss(anchor, positive, negative, self.margin, self.p, self.eps,
                                     self.swap, reduction=self.reduction)


class PoissonNLLLoss(_Loss):
    """e^x - y x (log_input) or x - y log(x + eps).

    Input x (the log rate with ``log_input``, else the rate) and target counts y.

    Parameters
    ----------
    log_input : bool, default True
        Whether x is the log of the rate.
    full : bool, default False
        Add Stirling's term ``y log y - y + log(2 π y)/2`` (for y > 1).
    eps : float, default 1e-8
        Added inside the log when ``log_input=False``.
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined.
    size_average, reduce : optional
        PyTorch's deprecated spellings of ``reduction``.

    Examples
    --------
    >>> ln.nn.PoissonNLLLoss()(ln.tensor([0.0]), ln.tensor([2.0]))     # e^0 - 2 * 0
    tensor(1.)
    """

    def __init__(self, log_input: bool = True, full: bool = False, size_average=None,
                 eps: float = 1e-8, reduce=None, reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, log_input, target):
        return F.poisson_nll_loss(log_input, target, self.log_input, self.full, eps=self.eps,
                                  reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    """(log var + (x - y)^2 / var) / 2 with var clamped at eps.

    Input x (the means), target y and var (the variances; same shape, or one fewer trailing
    axis of size 1).

    Parameters
    ----------
    full : bool, default False
        Add the constant ``log(2 π) / 2``.
    eps : float, default 1e-6
        The smallest variance used.
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined.

    Examples
    --------
    >>> ln.nn.GaussianNLLLoss()(ln.tensor([1.0]), ln.tensor([0.0]), ln.tensor([1.0]))   # (log 1 + 1) / 2
    tensor(0.5000)
    """

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean"):
        super().__init__(reduction=reduction)
        self.full, self.eps = full, eps

    def forward(self, input, target, var):
        return F.gaussian_nll_loss(input, target, var, self.full, self.eps, self.reduction)


class MultiLabelSoftMarginLoss(_Loss):
    """Per-class logistic loss averaged over the classes.

    ``-(1/C) sum_c w_c (y_c log σ(x_c) + (1 - y_c) log σ(-x_c))`` per sample; input and
    target (N, C), target in {0, 1}.

    Parameters
    ----------
    weight : Tensor, optional
        (C,) class weights w.
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined.
    size_average, reduce : optional
        PyTorch's deprecated spellings of ``reduction``.

    Examples
    --------
    >>> ln.nn.MultiLabelSoftMarginLoss()(ln.tensor([[0.0, 0.0]]), ln.tensor([[1.0, 0.0]]))   # log 2
    tensor(0.6931)
    """

    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        self._class_weights(weight=weight)

    def forward(self, input, target):
        return F.multilabel_soft_margin_loss(input, target, self.weight,
                                             reduction=self.reduction)


class MultiMarginLoss(_Loss):
    """Multi-class hinge: sum_{i != y} w_y max(0, margin - x_y + x_i)^p / C (p = 1 or 2).

    Input (N, C) or (C,), target (N,) or () of class indices.

    Parameters
    ----------
    p : {1, 2}, default 1
        The power of each hinge.
    margin : float, default 1.0
        The margin.
    weight : Tensor, optional
        (C,) class weights w (default 1).
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined.
    size_average, reduce : optional
        PyTorch's deprecated spellings of ``reduction``.

    Examples
    --------
    >>> ln.nn.MultiMarginLoss()(ln.tensor([[0.1, 0.2, 0.4, 0.8]]), ln.tensor([3]))
    tensor(0.3250)
    """

    def __init__(self, p: int = 1, margin: float = 1.0, weight=None, size_average=None,
                 reduce=None, reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        if p not in (1, 2):
            raise ValueError("MultiMarginLoss: only p == 1 and p == 2 supported")
        if weight is not None and np.ndim(getattr(weight, "data", weight)) != 1:
            raise ValueError("MultiMarginLoss: weight must be one-dimensional")
        self.p, self.margin = p, margin
        self._class_weights(weight=weight)

    def forward(self, input, target):
        return F.multi_margin_loss(input, target, self.p, self.margin, self.weight,
                                   reduction=self.reduction)


class MultiLabelMarginLoss(_Loss):
    """Multi-label hinge: sum over listed j and unlisted i of max(0, 1 - (x_j - x_i)) / C.

    Input (N, C) or (C,); target of the same shape holding the listed class indices, ended by
    the first -1.

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined.
    size_average, reduce : optional
        PyTorch's deprecated spellings of ``reduction``.

    Examples
    --------
    >>> ln.nn.MultiLabelMarginLoss()(ln.tensor([[0.1, 0.2, 0.4, 0.8]]), ln.tensor([[3, 0, -1, 1]]))
    tensor(0.8500)
    """

    def forward(self, input, target):
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)


class TripletMarginWithDistanceLoss(_Loss):
    """max(d(a, p) - d(a, n) + margin, 0) with any distance (default PairwiseDistance()).

    Parameters
    ----------
    distance_function : callable, optional
        ``d(x1, x2) -> (N,)`` distances (default `PairwiseDistance`).
    margin : float, default 1.0
        The margin.
    swap : bool, default False
        Use ``min(d(a, n), d(p, n))`` as the negative distance.
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined.

    Examples
    --------
    >>> a, p, n = ln.tensor([[0.0, 0.0]]), ln.tensor([[1.0, 0.0]]), ln.tensor([[3.0, 0.0]])
    >>> ln.nn.TripletMarginWithDistanceLoss()(a, p, n)
    tensor(0.)
    """

    def __init__(self, *, distance_function=None, margin: float = 1.0, swap: bool = False,
                 reduction: str = "mean"):
        super().__init__(reduction=reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginWithDistanceLoss: margin must be greater than 0, "
                             f"got {margin}")
        self.distance_function = (distance_function if distance_function is not None
                                  else PairwiseDistance())
        self.margin, self.swap = margin, swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_with_distance_loss(
            anchor, positive, negative, distance_function=self.distance_function,
            margin=self.margin, swap=self.swap, reduction=self.reduction)


class CosineSimilarity(Module):
    """cos(x1, x2) along ``dim`` (PyTorch's module of F.cosine_similarity).

    ``x1 · x2 / (max(||x1||, eps) max(||x2||, eps))`` along ``dim``; inputs broadcastable,
    output without ``dim``.

    Parameters
    ----------
    dim : int, default 1
        The axis of the vectors.
    eps : float, default 1e-8
        Lower bound of each norm.

    Examples
    --------
    >>> ln.nn.CosineSimilarity(dim=1)(ln.tensor([[1.0, 0.0]]), ln.tensor([[1.0, 1.0]]))   # 1 / sqrt(2)
    tensor([0.7071])
    """

    def __init__(self, dim: int = 1, eps: float = 1e-8):
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """||x1 - x2 + eps||_p over the last dimension.

    Inputs (N, D) or (D,); output (N,) (or (N, 1) with ``keepdim``).

    Parameters
    ----------
    p : float, default 2.0
        The norm.
    eps : float, default 1e-6
        Added to the difference (avoids a zero norm's infinite gradient).
    keepdim : bool, default False
        Keep the last axis (size 1).

    Examples
    --------
    >>> ln.nn.PairwiseDistance()(ln.tensor([[0.0, 0.0]]), ln.tensor([[3.0, 4.0]]))
    tensor([5.0000])
    """

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False):
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


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
    """A new loss module from its name (case-insensitive), with its default arguments.

    Names: mse, mae / l1, huber, bce, bce_with_logits, cross_entropy, nll, kl_div (the keys of
    ``LOSSES``).

    Parameters
    ----------
    name : str
        A key of ``LOSSES`` (any case).

    Returns
    -------
    Module
        A new loss module (default arguments, ``reduction="mean"``).

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid ones.

    Examples
    --------
    >>> ln.nn.get_loss("cross_entropy")
    CrossEntropyLoss()
    >>> ln.nn.get_loss("MSE")(ln.tensor([1.0, 3.0]), ln.tensor([1.0, 1.0]))   # (0 + 4) / 2
    tensor(2.)
    """
    try:
        return LOSSES[name.lower()]()
    except (KeyError, AttributeError):
        raise ValueError(f"unknown loss {name!r}; valid names: {', '.join(LOSSES)}") from None
