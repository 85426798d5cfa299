"""Fused losses with hand-derived, numerically stable gradients.

Inputs are NumPy arrays already validated by `lucidnet.nn.functional`. Where PyTorch
differentiates a loss in its target too (MSE, L1, Huber, BCE, BCE with logits, KL divergence,
cross-entropy on probability targets), the target may come in as a Tensor that requires grad
and backward returns its gradient as well (``ctx.needs_input_grad[1]``); integer labels are
constants. Every loss supports reduction "mean", "sum" or "none".
"""

from __future__ import annotations

import numpy as np

from ... import _fast
from ..function import Function
from .activation import logsumexp, stable_sigmoid

__all__ = ["MSE", "L1", "Huber", "BCE", "BCEWithLogits", "CrossEntropy", "NLL", "KLDiv"]


def _reduce(loss, reduction):
    if reduction == "mean":  # of nothing: nan, without NumPy's warning (as PyTorch)
        return np.asarray(loss.sum() / loss.size if loss.size else np.nan, dtype=loss.dtype)
    if reduction == "sum":
        return np.asarray(loss.sum(), dtype=loss.dtype)
    return loss


def _scale(g, shape, reduction, count):
    """Gradient of the reduction: broadcast g back, divided by N for the mean."""
    if reduction == "none":
        return g
    g = np.broadcast_to(g, shape)
    return g / max(count, 1) if reduction == "mean" else g  # (an empty input: no elements)


class _Elementwise(Function):
    """Base for losses that are a mean/sum of an elementwise term of d = input - target."""

    @staticmethod
    def term(d, ctx):  # pragma: no cover - abstract
        """The elementwise loss l(d) of the differences d = input - target (an array)."""
        raise NotImplementedError

    @staticmethod
    def derivative(d, ctx):  # pragma: no cover - abstract
        """dl/dd, elementwise: the gradient with respect to the input (minus it for the target)."""
        raise NotImplementedError

    @classmethod
    def _fwd(cls, ctx, x, target, reduction):
        d = x - target
        ctx.save_for_backward(d)
        ctx.reduction = reduction
        return _reduce(cls.term(d, ctx), reduction)

    @classmethod
    def _bwd(cls, ctx, g):
        (d,) = ctx.saved
        gd = (_scale(g, d.shape, ctx.reduction, d.size) * cls.derivative(d, ctx)).astype(
            d.dtype, copy=False)
        return gd, (-gd if ctx.needs_input_grad[1] else None)  # d = x - y: dl/dy = -dl/dx


class MSE(_Elementwise):
    """l = (x - y)^2;  dl/dx = 2 (x - y).

    Examples
    --------
    >>> from lucidnet.autograd.ops.loss import MSE
    >>> x = ln.tensor([1.0, 3.0], requires_grad=True); target = ln.tensor([0.0, 0.0])
    >>> loss = MSE.apply(x, target); loss
    tensor(5., grad_fn=<MseLossBackward0>)
    >>> loss.sum().backward(); x.grad  # mean of (1, 9); 2 (x - y) / N
    tensor([1., 3.])
    """

    term = staticmethod(lambda d, ctx: d * d)
    derivative = staticmethod(lambda d, ctx: 2 * d)

    @staticmethod
    def forward(ctx, x, target, reduction="mean"):
        return MSE._fwd(ctx, x, target, reduction)

    @staticmethod
    def backward(ctx, g):
        return MSE._bwd(ctx, g)


class L1(_Elementwise):
    """l = |x - y|;  dl/dx = sign(x - y).

    Examples
    --------
    >>> from lucidnet.autograd.ops.loss import L1
    >>> x = ln.tensor([1.0, -3.0], requires_grad=True); target = ln.tensor([0.0, 0.0])
    >>> loss = L1.apply(x, target, reduction="sum"); loss
    tensor(4., grad_fn=<L1Backward0>)
    >>> loss.sum().backward(); x.grad  # sign(x - y)
    tensor([ 1., -1.])
    """

    term = staticmethod(lambda d, ctx: np.abs(d))
    derivative = staticmethod(lambda d, ctx: np.sign(d))

    @staticmethod
    def forward(ctx, x, target, reduction="mean"):
        return L1._fwd(ctx, x, target, reduction)

    @staticmethod
    def backward(ctx, g):
        return L1._bwd(ctx, g)


class Huber(_Elementwise):
    """l = d^2/2 if |d| < delta else delta (|d| - delta/2);  dl/dx = clip(d, -delta, delta).

    Examples
    --------
    >>> from lucidnet.autograd.ops.loss import Huber
    >>> x = ln.tensor([0.5, 3.0], requires_grad=True); target = ln.tensor([0.0, 0.0])
    >>> loss = Huber.apply(x, target, reduction="sum", delta=1.0); loss
    tensor(2.6250, grad_fn=<HuberLossBackward0>)
    >>> loss.sum().backward(); x.grad  # 0.5^2 / 2 + (3 - 1/2); clip(d, -1, 1)
    tensor([0.5000, 1.0000])
    """

    term = staticmethod(lambda d, ctx: np.where(np.abs(d) < ctx.delta, 0.5 * d * d,
                                                ctx.delta * (np.abs(d) - 0.5 * ctx.delta)))
    derivative = staticmethod(lambda d, ctx: np.clip(d, -ctx.delta, ctx.delta))

    @staticmethod
    def forward(ctx, x, target, reduction="mean", delta=1.0):
        ctx.delta = x.dtype.type(delta)
        return Huber._fwd(ctx, x, target, reduction)

    @staticmethod
    def backward(ctx, g):
        return Huber._bwd(ctx, g)


class BCE(Function):
    """l = -(y ln p + (1-y) ln(1-p)), each log clamped at -100 as PyTorch does;
    dl/dp = (p - y) / max(p (1 - p), 1e-12);  dl/dy = ln(1-p) - ln p (unclamped: +-inf at
    p = 0 or 1, as PyTorch).

    Examples
    --------
    >>> from lucidnet.autograd.ops.loss import BCE
    >>> x = ln.tensor([0.5, 0.9], requires_grad=True); target = ln.tensor([1.0, 1.0])
    >>> loss = BCE.apply(x, target, reduction="none"); loss
    tensor([0.6931, 0.1054], grad_fn=<BinaryCrossEntropyBackward0>)
    >>> loss.sum().backward(); x.grad  # (p - y) / (p (1 - p))
    tensor([-2.0000, -1.1111])
    """

    @staticmethod
    def forward(ctx, p, y, reduction="mean"):
        ctx.save_for_backward(p, y)
        ctx.reduction = reduction
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), -100)
            log_1mp = np.maximum(np.log1p(-p), -100)
        return _reduce(-(y * log_p + (1 - y) * log_1mp), reduction)

    @staticmethod
    def backward(ctx, g):
        p, y = ctx.saved
        gs = _scale(g, p.shape, ctx.reduction, p.size)
        d = (p - y) / np.maximum(p * (1 - p), 1e-12)
        gy = None
        if ctx.needs_input_grad[1]:
            with np.errstate(divide="ignore"):
                dy = np.log1p(-p) - np.log(p)
            gy = (gs * dy).astype(p.dtype, copy=False)
        return (gs * d).astype(p.dtype, copy=False), gy


class BCEWithLogits(Function):
    """l = max(x, 0) - x y + ln(1 + e^-|x|)  (stable form of BCE(sigmoid(x), y));
    dl/dx = sigmoid(x) - y  -- no sigma' factor: the sigmoid's slope cancels, so a saturated
    wrong output still learns fast.  With pos_weight w_p:
    l = (1 - y) x + (1 + (w_p - 1) y) ln(1 + e^-x);  dl/dy = -x + (w_p - 1) ln(1 + e^-x).

    Examples
    --------
    >>> from lucidnet.autograd.ops.loss import BCEWithLogits
    >>> x = ln.tensor([0.0, 100.0], requires_grad=True); target = ln.tensor([1.0, 0.0])
    >>> loss = BCEWithLogits.apply(x, target, reduction="none"); loss
    tensor([  0.6931, 100.0000], grad_fn=<BinaryCrossEntropyWithLogitsBackward0>)
    >>> loss.sum().backward(); x.grad  # sigmoid(x) - y: a saturated wrong logit still gets slope 1
    tensor([-0.5000,  1.0000])
    """

    @staticmethod
    def forward(ctx, x, y, reduction="mean", pos_weight=None):
        ctx.save_for_backward(x, y)
        ctx.reduction = reduction
        ctx.pos_weight = pos_weight
        softplus_neg = np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0)  # ln(1 + e^-x)
        if pos_weight is None:
            loss = (1 - y) * x + softplus_neg
        else:
            loss = (1 - y) * x + (1 + (pos_weight - 1) * y) * softplus_neg
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved
        s = stable_sigmoid(x)
        gs = _scale(g, x.shape, ctx.reduction, x.size)
        if ctx.pos_weight is None:
            d = s - y
        else:
            d = (1 - y) * s - ctx.pos_weight * y * (1 - s)
        gy = None
        if ctx.needs_input_grad[1]:
            dy = -x
            if ctx.pos_weight is not None:
                dy = dy + (ctx.pos_weight - 1) * (np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0))
            gy = (gs * dy).astype(x.dtype, copy=False)
        return (gs * d).astype(x.dtype, copy=False), gy


def _class_last(x):
    """(N, C, d1, ...) -> (N*d1*..., C) so every loss below works on rows."""
    if x.ndim <= 2:
        return x
    return np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def _class_back(g2, shape):
    if len(shape) <= 2:
        return g2.reshape(shape)
    moved = (shape[0],) + tuple(shape[2:]) + (shape[1],)
    return np.moveaxis(g2.reshape(moved), -1, 1)


def _cross_entropy_fused(ctx, x, logits, target, reduction, w, label_smoothing, ignore_index):
    """CrossEntropy.forward for integer labels on the fused kernel (``lucidnet._fast.loss``):
    log-softmax, targets and row losses in one pass; saves what the NumPy path saves. None
    when the kernel is unavailable or a label is out of range (the NumPy path then raises)."""
    kernels = _fast.load("loss")
    if kernels is None:
        return None
    n, c = logits.shape
    labels = np.ascontiguousarray(target.reshape(-1), dtype=np.int64)
    if labels.shape[0] != n:
        return None
    logp = np.empty((n, c), x.dtype)
    wt = np.empty((n, c), x.dtype)
    loss_rows = np.empty(n, x.dtype)
    denom, ok = kernels.cross_entropy_forward(logits, labels, w, float(label_smoothing),
                                              int(ignore_index), logp, wt, loss_rows)
    if not ok:
        return None
    denom = x.dtype.type(denom)
    ctx.save_for_backward(logp, wt)
    ctx.args = (x.shape, reduction, denom)
    if reduction == "none":
        return loss_rows.reshape((x.shape[0],) + x.shape[2:]) if x.ndim > 2 else loss_rows
    total = loss_rows.sum()
    with np.errstate(invalid="ignore", divide="ignore"):  # every label ignored: nan (PyTorch)
        return np.asarray(total / denom if reduction == "mean" else total, dtype=x.dtype)


class CrossEntropy(Function):
    """Softmax + cross-entropy fused, on logits x (N, C).

    Integer labels y (N,):   l_n = -w_y log softmax(x_n)_y
    Probability targets (N, C): l_n = -sum_c w_c t_c log softmax(x_n)_c
    Label smoothing mixes the target with the uniform distribution. The mean divides by the summed
    weights of the labels (integer labels) or by N (probabilities), as PyTorch does.
    dl/dx = softmax(x) sum_c(w_c t_c) - w * t;  for probability targets
    dl/dt_c = -(1 - label_smoothing) w_c log softmax(x)_c.

    Examples
    --------
    >>> from lucidnet.autograd.ops.loss import CrossEntropy
    >>> logits = ln.tensor([[0.0, 0.0], [0.0, float(np.log(3.0))]], requires_grad=True)
    >>> loss = CrossEntropy.apply(logits, np.array([0, 1]), reduction="none"); loss  # ln 2, ln 4/3
    tensor([0.6931, 0.2877], grad_fn=<NllLossBackward0>)
    >>> loss.sum().backward(); logits.grad  # softmax(x) - onehot(y)
    tensor([[-0.5000,  0.5000],
            [ 0.2500, -0.2500]])
    """

    @staticmethod
    def forward(ctx, x, target, reduction="mean", weight=None, label_smoothing=0.0,
                ignore_index=-100):
        logits = _class_last(x)
        n, c = logits.shape
        w = np.ones(c, dtype=x.dtype) if weight is None else weight.astype(x.dtype)
        ctx.label_smoothing, ctx.weight = label_smoothing, w
        if target.dtype.kind in "iu" and _fast.takes(x.dtype) and _fast.use("cross_entropy"):
            out = _cross_entropy_fused(ctx, x, logits, target, reduction, w, label_smoothing,
                                       ignore_index)
            if out is not None:
                return out
        logp = logits - logsumexp(logits, axis=1)
        ignored = None
        if target.dtype.kind in "iu":  # sparse labels; rows labelled ignore_index count 0
            labels = target.reshape(-1)
            ignored = labels == ignore_index
            labels = np.where(ignored, 0, labels)
            t = np.zeros((n, c), dtype=x.dtype)
            t[np.arange(n), labels] = 1
            denom = w[labels[~ignored]].sum()
        else:
            t = _class_last(target).astype(x.dtype, copy=False)
            denom = n
        if label_smoothing:
            t = t * (1 - label_smoothing) + label_smoothing / c
        if ignored is not None and ignored.any():
            t[ignored] = 0
        wt = t * w
        loss_rows = -(wt * logp).sum(axis=1)
        ctx.save_for_backward(logp, wt)
        ctx.args = (x.shape, reduction, denom)
        if reduction == "none":
            return loss_rows.reshape((x.shape[0],) + x.shape[2:]) if x.ndim > 2 else loss_rows
        total = loss_rows.sum()
        with np.errstate(invalid="ignore", divide="ignore"):  # every label ignored: nan (PyTorch)
            return np.asarray(total / denom if reduction == "mean" else total, dtype=x.dtype)

    @staticmethod
    def backward(ctx, g):
        logp, wt = ctx.saved
        shape, reduction, denom = ctx.args
        with np.errstate(divide="ignore", invalid="ignore"):  # denom 0: every row ignored
            scale = g.reshape(-1, 1) if reduction == "none" else (
                g / denom if reduction == "mean" else g)
        if (_fast.use("cross_entropy") and _fast.takes(logp.dtype, g.dtype)
                and not ctx.needs_input_grad[1]):
            kernels = _fast.load("loss")
            if kernels is not None:  # one pass; every row ignored gives 0 (as below)
                rows = np.broadcast_to(np.asarray(scale, logp.dtype).reshape(-1), (len(logp),))
                if not wt.any():
                    rows = np.zeros(len(logp), logp.dtype)
                d = np.empty_like(logp)
                kernels.cross_entropy_backward(logp, wt, rows, d)
                return _class_back(d, shape), None
        d = np.exp(logp) * wt.sum(axis=1, keepdims=True) - wt
        if not wt.any():          # every row ignored: the loss is nan, its gradient 0 (PyTorch)
            return _class_back(d, shape), None
        d *= scale
        gt = None
        if ctx.needs_input_grad[1]:  # probability targets (integer labels are constants)
            dt = -(1 - ctx.label_smoothing) * ctx.weight * logp * scale
            gt = _class_back(dt.astype(logp.dtype, copy=False), shape)
        return _class_back(d.astype(logp.dtype, copy=False), shape), gt


class NLL(Function):
    """Negative log-likelihood on log-probabilities: l_n = -x_{n, y_n};  mean over the rows
    whose label is not ``ignore_index`` (nan if every label is ignored, as PyTorch).

    Examples
    --------
    >>> from lucidnet.autograd.ops.loss import NLL
    >>> logp = ln.tensor([[-0.5, -2.0], [-1.0, -0.1]], requires_grad=True)
    >>> loss = NLL.apply(logp, np.array([0, -100])); loss  # the ignored row is left out of the mean
    tensor(0.5000, grad_fn=<NllLossBackward0>)
    >>> loss.backward(); logp.grad[0]  # -1 / (rows kept) at the label; row 1 gets 0
    tensor([-1.,  0.])
    """

    @staticmethod
    def forward(ctx, logp, labels, reduction="mean", ignore_index=-100):
        rows = _class_last(logp)
        labels = labels.reshape(-1)
        kept = labels != ignore_index
        labels = np.where(kept, labels, 0)
        n = rows.shape[0]
        count = int(kept.sum())
        ctx.args = (logp.shape, labels, kept, reduction, count)
        loss_rows = np.where(kept, -rows[np.arange(n), labels], 0).astype(logp.dtype, copy=False)
        if reduction == "none":
            return loss_rows.reshape((logp.shape[0],) + logp.shape[2:]) if logp.ndim > 2 else loss_rows
        if reduction == "mean":
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.asarray(loss_rows.sum() / count, dtype=logp.dtype)
        return _reduce(loss_rows, reduction)

    @staticmethod
    def backward(ctx, g):
        shape, labels, kept, reduction, count = ctx.args
        n = labels.shape[0]
        d = np.zeros((n, shape[1]), dtype=g.dtype)
        if count == 0:            # every row ignored: the loss is nan, its gradient 0 (PyTorch)
            return _class_back(d, shape), None
        scale = g.reshape(-1) if reduction == "none" else (g / count if reduction == "mean" else g)
        d[np.arange(n), labels] = -scale * kept
        return _class_back(d, shape), None


class KLDiv(Function):
    """PyTorch's KLDivLoss: x = log q, target p;  l = p (ln p - x) (0 where p = 0).

    Reduction "batchmean" divides the sum by N = x.shape[0] (the true KL per sample);
    dl/dx = -p;  dl/dp = ln p + 1 - x (computed as ln p + p / p - x: nan at p = 0, PyTorch's
    xlogy rule). With ``log_target`` (target t = ln p): l = e^t (t - x), dl/dt = e^t (t - x + 1).

    Examples
    --------
    >>> from lucidnet.autograd.ops.loss import KLDiv
    >>> logq = ln.tensor([[float(np.log(0.5)), float(np.log(0.5))]], requires_grad=True)
    >>> p = ln.tensor([[0.75, 0.25]])
    >>> loss = KLDiv.apply(logq, p, reduction="batchmean"); loss  # 0.75 ln 1.5 + 0.25 ln 0.5
    tensor(0.1308, grad_fn=<KLDivBackward0>)
    >>> loss.backward(); logq.grad  # -p / N
    tensor([[-0.7500, -0.2500]])
    """

    @staticmethod
    def forward(ctx, x, p, reduction="mean", log_target=False):
        if log_target:
            prob = np.exp(p)
            with np.errstate(invalid="ignore"):  # a target of -inf: 0 * -inf = nan, as PyTorch
                loss = prob * (p - x)
        else:
            prob = p
            with np.errstate(divide="ignore", invalid="ignore"):
                loss = np.where(p > 0, p * (np.log(np.where(p > 0, p, 1)) - x), 0)
        ctx.save_for_backward(prob.astype(x.dtype, copy=False), x, p)
        ctx.args = (x.shape, reduction, log_target)
        loss = loss.astype(x.dtype, copy=False)
        if reduction == "batchmean":
            return np.asarray(loss.sum() / x.shape[0], dtype=x.dtype)
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, g):
        prob, x, p = ctx.saved
        shape, reduction, log_target = ctx.args
        if reduction == "batchmean":
            scale = g / shape[0]
        elif reduction == "mean":
            scale = g / prob.size
        else:
            scale = g
        gp = None
        if ctx.needs_input_grad[1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                dp = prob * (p - x + 1) if log_target else np.log(p) + p / p - x
            gp = (dp * scale).astype(prob.dtype, copy=False)
        return (-prob * scale).astype(prob.dtype, copy=False), gp
