"""Issue 10: every loss of torch.nn at PyTorch parity: forward for each reduction, backward with
respect to the input and, where PyTorch has one, the target; float32/float64; module reprs;
float64 gradchecks that need no PyTorch."""

import warnings

import numpy as np
import pytest

import lucidnet as ln
import lucidnet.nn.functional as F
from lucidnet import nn

REDUCTIONS = ("none", "mean", "sum")


def _rng(seed=0):
    return np.random.default_rng(seed)


def _compare(ours_fn, theirs_fn, arrays, grads, dtype, rtol=None):
    """Run both frameworks on ``arrays`` (cast to ``dtype`` where float); the entries whose
    ``grads`` flag is set require grad and their gradients are compared too."""
    torch = pytest.importorskip("torch")
    rtol = rtol or (2e-5 if dtype == np.float32 else 1e-10)
    arrays = [a.astype(dtype) if a.dtype.kind == "f" else a for a in arrays]
    ours = [ln.tensor(a, requires_grad=bool(g)) for a, g in zip(arrays, grads)]
    theirs = [torch.tensor(a, requires_grad=bool(g)) for a, g in zip(arrays, grads)]
    out, ref = ours_fn(*ours), theirs_fn(*theirs)
    assert out.dtype == dtype
    assert tuple(out.shape) == tuple(ref.shape)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=rtol,
                               atol=rtol, equal_nan=True)
    if any(grads):
        v = _rng(9).standard_normal(out.shape).astype(dtype)
        (out * ln.tensor(v)).sum().backward()
        (ref * torch.tensor(v)).sum().backward()
        for a, b, g in zip(ours, theirs, grads):
            if g:
                np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=rtol, atol=rtol)
    return out


def _tf():
    return pytest.importorskip("torch").nn.functional


# ------------------------------------------------------------------ regression losses
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name, kw", [("mse_loss", {}), ("l1_loss", {}),
                                      ("smooth_l1_loss", {"beta": 0.5}),
                                      ("smooth_l1_loss", {"beta": 0.0}),
                                      ("huber_loss", {"delta": 0.7})])
def test_regression_losses_and_their_target_gradient(name, kw, reduction, dtype):
    rng = _rng(1)
    x, y = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    y[0, 0] = x[0, 0]  # a zero difference: the kink of l1 / smooth_l1 at beta 0
    ours, theirs = getattr(F, name), getattr(_tf(), name)
    _compare(lambda a, b: ours(a, b, reduction=reduction, **kw),
             lambda a, b: theirs(a, b, reduction=reduction, **kw), [x, y], [1, 1], dtype)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_losses_take_an_elementwise_weight(name, reduction):
    rng = _rng(2)
    x, y, w = rng.standard_normal((4, 3)), rng.standard_normal((4, 3)), rng.random((4, 3))
    ours, theirs = getattr(F, name), getattr(_tf(), name)
    _compare(lambda a, b, c: ours(a, b, reduction=reduction, weight=c),
             lambda a, b, c: theirs(a, b, reduction=reduction, weight=c), [x, y, w], [1, 1, 0],
             np.float64)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
def test_a_target_of_another_shape_broadcasts_with_pytorchs_warning(name):
    torch = pytest.importorskip("torch")
    x, y = _rng(3).standard_normal((4, 1)), _rng(4).standard_normal(4)
    ours_fn, theirs_fn = getattr(F, name), getattr(torch.nn.functional, name)
    with pytest.warns(UserWarning) as ours_w:
        out = _compare(lambda a, b: ours_fn(a, b, reduction="none"),
                       lambda a, b: theirs_fn(a, b, reduction="none"), [x, y], [1, 1],
                       np.float64)
    assert out.shape == (4, 4)
    with warnings.catch_warnings(record=True) as theirs_w:
        warnings.simplefilter("always")
        theirs_fn(torch.tensor(x), torch.tensor(y))
    assert str(ours_w[0].message) == str(theirs_w[0].message)
    with pytest.raises(RuntimeError, match="do not broadcast"), pytest.warns(UserWarning):
        ours_fn(ln.ones(4, 3), ln.ones(4, 2))


def test_regression_losses_of_a_0d_and_an_empty_input():
    torch = pytest.importorskip("torch")
    for shape in [(), (0,), (2, 0)]:
        for red in REDUCTIONS:
            a, b = np.full(shape, 0.3), np.full(shape, -0.2)
            _compare(lambda p, q, red=red: F.mse_loss(p, q, reduction=red),
                     lambda p, q, red=red: torch.nn.functional.mse_loss(p, q, reduction=red), [a, b],
                     [1, 1], np.float64)


# ------------------------------------------------------------------ binary cross-entropy
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_with_weight_and_target_gradient(weighted, reduction, dtype):
    rng = _rng(5)
    p = rng.uniform(0.05, 0.95, (4, 3))
    y = rng.random((4, 3))
    w = rng.random(3) + 0.5
    arrays, grads = [p, y] + ([w] if weighted else []), [1, 1] + ([0] if weighted else [])
    _compare(lambda a, b, *c: F.binary_cross_entropy(a, b, *c, reduction=reduction),
             lambda a, b, *c: _tf().binary_cross_entropy(a, b, *c, reduction=reduction),
             arrays, grads, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", ["plain", "weight", "pos_weight", "both"])
def test_bce_with_logits_weight_pos_weight_and_target_gradient(options, reduction, dtype):
    rng = _rng(6)
    x, y = rng.standard_normal((4, 3)) * 3, rng.random((4, 3))
    w, pw = rng.random((4, 1)) + 0.5, rng.random(3) * 3
    kw_w = options in ("weight", "both")
    kw_pw = options in ("pos_weight", "both")

    def call(fn, lib):
        def run(a, b, c, d):
            return fn(a, b, weight=c if kw_w else None, pos_weight=d if kw_pw else None,
                      reduction=reduction)
        return run

    _compare(call(F.binary_cross_entropy_with_logits, ln),
             call(_tf().binary_cross_entropy_with_logits, None), [x, y, w, pw], [1, 1, 0, 0],
             dtype)


# ------------------------------------------------------------------ KL divergence
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", REDUCTIONS + ("batchmean",))
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_reductions_log_target_and_target_gradient(log_target, reduction, dtype):
    rng = _rng(7)
    logq = np.log(rng.dirichlet(np.ones(5), 4))
    p = rng.dirichlet(np.ones(5), 4)
    target = np.log(p) if log_target else p
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch's note on reduction="mean"
        _compare(lambda a, b: F.kl_div(a, b, reduction=reduction, log_target=log_target),
                 lambda a, b: _tf().kl_div(a, b, reduction=reduction, log_target=log_target),
                 [logq, target], [1, 1], dtype)


# ------------------------------------------------------------------ cross-entropy / NLL
CE_OPTIONS = [{}, {"weight": True}, {"label_smoothing": 0.2}, {"ignore_index": 1},
              {"weight": True, "label_smoothing": 0.1, "ignore_index": 2}]


def _ce(fn, weight_array, opts, reduction):
    def run(x, y, w):
        kw = dict(opts)
        if kw.pop("weight", False):
            kw["weight"] = w
        return fn(x, y, reduction=reduction, **kw)
    return run


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("opts", CE_OPTIONS)
@pytest.mark.parametrize("shape", [(6, 4), (3, 4, 2, 3), (4,)])
def test_cross_entropy_with_labels(shape, opts, reduction, dtype):
    rng = _rng(8)
    x = rng.standard_normal(shape)
    label_shape = () if len(shape) == 1 else (shape[0],) + shape[2:]
    y = rng.integers(0, shape[0 if len(shape) == 1 else 1], label_shape)
    if len(shape) > 1:
        y.flat[0] = 1  # at least one row for the ignore_index option
        y.flat[-1] = 0  # and at least one kept
    w = rng.random(shape[0 if len(shape) == 1 else 1]) + 0.5
    _compare(_ce(F.cross_entropy, w, opts, reduction), _ce(_tf().cross_entropy, w, opts, reduction),
             [x, y, w], [1, 0, 0], dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("opts", [{}, {"weight": True}, {"label_smoothing": 0.3},
                                  {"weight": True, "label_smoothing": 0.15}])
@pytest.mark.parametrize("shape", [(5, 4), (2, 4, 3), (4,)])
def test_cross_entropy_with_probability_targets_and_their_gradient(shape, opts, reduction,
                                                                   dtype):
    rng = _rng(10)
    x = rng.standard_normal(shape)
    c_axis = 0 if len(shape) == 1 else 1
    p = rng.random(shape)
    p = p / p.sum(axis=c_axis, keepdims=True)
    w = rng.random(shape[c_axis]) + 0.5
    _compare(_ce(F.cross_entropy, w, opts, reduction), _ce(_tf().cross_entropy, w, opts, reduction),
             [x, p, w], [1, 1, 0], dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("opts", [{}, {"weight": True}, {"ignore_index": 0},
                                  {"weight": True, "ignore_index": 2}])
@pytest.mark.parametrize("shape", [(6, 4), (3, 4, 2, 3), (4,)])
def test_nll_loss_weight_ignore_index_k_dims_and_unbatched(shape, opts, reduction, dtype):
    rng = _rng(11)
    c_axis = 0 if len(shape) == 1 else 1
    x = np.log(rng.dirichlet(np.ones(shape[c_axis]), int(np.prod(shape)) // shape[c_axis]))
    x = np.ascontiguousarray(np.moveaxis(x.reshape((shape[0],) + shape[2:] + (shape[1],)), -1,
                                         1)) if len(shape) > 1 else x.reshape(shape)
    label_shape = () if len(shape) == 1 else (shape[0],) + shape[2:]
    y = rng.integers(0, shape[c_axis], label_shape)
    if len(shape) > 1:
        y.flat[0], y.flat[-1] = 0, 3
    w = rng.random(shape[c_axis]) + 0.5
    _compare(_ce(F.nll_loss, w, opts, reduction), _ce(_tf().nll_loss, w, opts, reduction),
             [x, y, w], [1, 0, 0], dtype)


def test_unbatched_cross_entropy_errors():
    with pytest.raises(ValueError, match="0-d class label or \\(C,\\) probabilities"):
        F.cross_entropy(ln.ones(4), np.zeros((2, 2), np.int64))
    with pytest.raises(ValueError, match=r"\(classes,\) or \(batch, classes, ...\)"):
        F.cross_entropy(ln.tensor(1.0), np.array(0))


# ------------------------------------------------------------------ the other losses
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kw", [{}, {"log_input": False}, {"full": True},
                                {"log_input": False, "full": True, "eps": 1e-3}])
def test_poisson_nll_loss(kw, reduction, dtype):
    rng = _rng(12)
    x = rng.uniform(0.1, 3.0, (4, 3)) if kw.get("log_input") is False \
        else rng.standard_normal((4, 3))
    y = rng.uniform(0.0, 4.0, (4, 3))
    y[0, 0], y[0, 1] = 0.5, 1.0  # either side of Stirling's y > 1
    _compare(lambda a, b: F.poisson_nll_loss(a, b, reduction=reduction, **kw),
             lambda a, b: _tf().poisson_nll_loss(a, b, reduction=reduction, **kw), [x, y],
             [1, 1], dtype)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("var_shape", [(4, 3), (4,), (4, 1), (1, 3)])
@pytest.mark.parametrize("full", [False, True])
def test_gaussian_nll_loss_var_shapes_full_and_the_eps_clamp(var_shape, full, reduction):
    rng = _rng(13)
    x, y = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    var = rng.uniform(0.2, 2.0, var_shape)
    var.flat[0] = 1e-9  # under eps: clamped in the value, the gradient passes through
    _compare(lambda a, b, v: F.gaussian_nll_loss(a, b, v, full=full, eps=1e-4,
                                                 reduction=reduction),
             lambda a, b, v: _tf().gaussian_nll_loss(a, b, v, full=full, eps=1e-4,
                                                     reduction=reduction),
             [x, y, var], [1, 1, 1], np.float64)


def test_gaussian_nll_loss_float_var_and_bad_var():
    torch = pytest.importorskip("torch")
    x, y = _rng(14).standard_normal((3, 2)), _rng(15).standard_normal((3, 2))
    ours = F.gaussian_nll_loss(ln.tensor(x), ln.tensor(y), 0.5)
    theirs = torch.nn.functional.gaussian_nll_loss(torch.tensor(x), torch.tensor(y), 0.5)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    with pytest.raises(ValueError, match="var is of incorrect size"):
        F.gaussian_nll_loss(ln.tensor(x), ln.tensor(y), ln.ones(2, 2, dtype=ln.float64))
    with pytest.raises(ValueError, match="negative"):
        F.gaussian_nll_loss(ln.tensor(x), ln.tensor(y), -1.0)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_soft_margin_loss_and_its_target_refusal(reduction):
    torch = pytest.importorskip("torch")
    rng = _rng(16)
    x, y = rng.standard_normal((4, 3)), np.where(rng.random((4, 3)) > 0.5, 1.0, -1.0)
    _compare(lambda a, b: F.soft_margin_loss(a, b, reduction=reduction),
             lambda a, b: _tf().soft_margin_loss(a, b, reduction=reduction), [x, y], [1, 0],
             np.float64)
    msg = "not differentiable with respect to argument 'target'"
    with pytest.raises(RuntimeError, match=msg):
        torch.nn.functional.soft_margin_loss(torch.tensor(x), torch.tensor(y, requires_grad=True))
    with pytest.raises(RuntimeError, match=msg):
        F.soft_margin_loss(ln.tensor(x), ln.tensor(y, requires_grad=True))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_multilabel_soft_margin_loss(weighted, reduction):
    rng = _rng(17)
    x, y, w = rng.standard_normal((4, 3)), rng.random((4, 3)), rng.random(3) + 0.5
    _compare(lambda a, b, c: F.multilabel_soft_margin_loss(a, b, c if weighted else None,
                                                           reduction=reduction),
             lambda a, b, c: _tf().multilabel_soft_margin_loss(a, b, c if weighted else None,
                                                               reduction=reduction),
             [x, y, w], [1, 1, 0], np.float64)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p, margin, weighted", [(1, 1.0, False), (2, 1.0, False),
                                                 (1, 0.3, True), (2, 2.0, True)])
@pytest.mark.parametrize("unbatched", [False, True])
def test_multi_margin_loss(unbatched, p, margin, weighted, reduction, dtype):
    rng = _rng(18)
    x = rng.standard_normal(5 if unbatched else (6, 5))
    y = np.array(2) if unbatched else rng.integers(0, 5, 6)
    w = rng.random(5) + 0.5
    if not unbatched:  # a hinge exactly at 0: no gradient, as PyTorch's kernel
        x[0, (y[0] + 1) % 5] = x[0, y[0]] - margin
    _compare(lambda a, b, c: F.multi_margin_loss(a, b, p, margin, c if weighted else None,
                                                 reduction=reduction),
             lambda a, b, c: _tf().multi_margin_loss(a, b, p, margin, c if weighted else None,
                                                     reduction=reduction),
             [x, y, w], [1, 0, 0], dtype)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("unbatched", [False, True])
def test_multilabel_margin_loss(unbatched, reduction):
    rng = _rng(19)
    y = np.array([[3, 0, -1, 1, 2], [1, 1, -1, 0, 0], [-1, 2, 3, 0, 0], [0, 1, 2, 3, 4]])
    x = rng.standard_normal((4, 5))
    if unbatched:
        x, y = x[0], y[0]
    _compare(lambda a, b: F.multilabel_margin_loss(a, b, reduction=reduction),
             lambda a, b: _tf().multilabel_margin_loss(a, b, reduction=reduction), [x, y],
             [1, 0], np.float64)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [1.0, 0.4])
def test_hinge_embedding_loss(margin, reduction):
    rng = _rng(20)
    x, y = rng.standard_normal((4, 3)), np.where(rng.random((4, 3)) > 0.5, 1.0, -1.0)
    _compare(lambda a, b: F.hinge_embedding_loss(a, b, margin, reduction=reduction),
             lambda a, b: _tf().hinge_embedding_loss(a, b, margin, reduction=reduction),
             [x, y], [1, 0], np.float64)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.3])
def test_cosine_embedding_loss(margin, reduction):
    rng = _rng(21)
    a, b = rng.standard_normal((5, 4)), rng.standard_normal((5, 4))
    y = np.array([1.0, -1.0, 1.0, -1.0, -1.0])
    _compare(lambda p, q, t: F.cosine_embedding_loss(p, q, t, margin, reduction=reduction),
             lambda p, q, t: _tf().cosine_embedding_loss(p, q, t, margin, reduction=reduction),
             [a, b, y], [1, 1, 0], np.float64)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.5])
def test_margin_ranking_loss_and_its_target_gradient(margin, reduction):
    rng = _rng(22)
    a, b = rng.standard_normal(6), rng.standard_normal(6)
    y = np.array([1.0, -1.0, 1.0, 1.0, -1.0, -1.0])
    _compare(lambda p, q, t: F.margin_ranking_loss(p, q, t, margin, reduction=reduction),
             lambda p, q, t: _tf().margin_ranking_loss(p, q, t, margin, reduction=reduction),
             [a, b, y], [1, 1, 1], np.float64)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p, swap", [(2, False), (1, False), (3, True), (2, True)])
def test_triplet_margin_loss(p, swap, reduction):
    rng = _rng(23)
    arrays = [rng.standard_normal((5, 4)) for _ in range(3)]
    _compare(lambda a, q, n: F.triplet_margin_loss(a, q, n, 0.8, p, swap=swap,
                                                   reduction=reduction),
             lambda a, q, n: _tf().triplet_margin_loss(a, q, n, 0.8, p, swap=swap,
                                                       reduction=reduction),
             arrays, [1, 1, 1], np.float64)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("distance", ["default", "cosine"])
def test_triplet_margin_with_distance_loss(distance, swap, reduction):
    rng = _rng(24)
    arrays = [rng.standard_normal((5, 4)) for _ in range(3)]

    def dist(lib):
        if distance == "default":
            return None
        return lambda u, v: 1.0 - lib.cosine_similarity(u, v)

    _compare(lambda a, q, n: F.triplet_margin_with_distance_loss(
                 a, q, n, distance_function=dist(F), margin=0.6, swap=swap, reduction=reduction),
             lambda a, q, n: _tf().triplet_margin_with_distance_loss(
                 a, q, n, distance_function=dist(_tf()), margin=0.6, swap=swap,
                 reduction=reduction),
             arrays, [1, 1, 1], np.float64)
    with pytest.raises(ValueError, match="margin must be greater than 0"):
        F.triplet_margin_with_distance_loss(*[ln.tensor(a) for a in arrays], margin=0.0)


def test_triplet_margin_with_distance_loss_module():
    torch = pytest.importorskip("torch")
    ours = nn.TripletMarginWithDistanceLoss(margin=0.5, swap=True)
    theirs = torch.nn.TripletMarginWithDistanceLoss(margin=0.5, swap=True)
    assert repr(ours) == repr(theirs)
    arrays = [_rng(25 + k).standard_normal((3, 4)) for k in range(3)]
    np.testing.assert_allclose(ours(*[ln.tensor(a) for a in arrays]).numpy(),
                               theirs(*[torch.tensor(a) for a in arrays]).numpy(), rtol=1e-12)


# ------------------------------------------------------------------ target gradients: torch's map
TARGET_GRAD = {
    "mse_loss": True, "l1_loss": True, "smooth_l1_loss": True, "huber_loss": True,
    "binary_cross_entropy": True, "binary_cross_entropy_with_logits": True, "kl_div": True,
    "poisson_nll_loss": True, "multilabel_soft_margin_loss": True, "cross_entropy": True,
}


@pytest.mark.parametrize("name", sorted(TARGET_GRAD))
def test_the_target_gets_a_gradient_where_pytorch_gives_one(name):
    """Only the target requires grad: both frameworks give it the same gradient."""
    torch = pytest.importorskip("torch")
    rng = _rng(26)
    x = rng.uniform(0.1, 0.9, (3, 4))
    y = rng.uniform(0.1, 0.9, (3, 4))
    ours_y, theirs_y = ln.tensor(y, requires_grad=True), torch.tensor(y, requires_grad=True)
    kw = {"reduction": "batchmean"} if name == "kl_div" else {}
    getattr(F, name)(ln.tensor(x), ours_y, **kw).backward()
    getattr(torch.nn.functional, name)(torch.tensor(x), theirs_y, **kw).backward()
    np.testing.assert_allclose(ours_y.grad.numpy(), theirs_y.grad.numpy(), rtol=1e-10)


def test_a_detached_target_and_no_grad_still_work():
    x = ln.tensor(np.ones((2, 3), np.float32), requires_grad=True)
    y = ln.tensor(np.zeros((2, 3), np.float32), requires_grad=True)
    F.mse_loss(x, y.detach()).backward()
    assert y.grad is None
    with ln.no_grad():
        assert float(F.mse_loss(x, y).data) == 1.0


@pytest.mark.parametrize("name, kw", [("mse_loss", {}), ("huber_loss", {"delta": 0.5}),
                                      ("binary_cross_entropy", {}),
                                      ("kl_div", {"reduction": "batchmean"}),
                                      ("binary_cross_entropy_with_logits", {}),
                                      ("cross_entropy", {"label_smoothing": 0.2})])
def test_float64_gradcheck_in_input_and_target(name, kw):
    rng = _rng(27)
    x = ln.tensor(rng.uniform(0.2, 0.8, (3, 4)), requires_grad=True)
    y = ln.tensor(rng.uniform(0.2, 0.8, (3, 4)), requires_grad=True)
    fn = getattr(F, name)
    assert ln.gradcheck(lambda a, b: fn(a, b, **kw), [x, y])


def test_float64_gradchecks_of_the_new_losses():
    rng = _rng(28)
    x = ln.tensor(rng.standard_normal((4, 5)), requires_grad=True)
    labels = ln.tensor(rng.integers(0, 5, 4))
    for p in (1, 2):
        assert ln.gradcheck(lambda a, p=p: F.multi_margin_loss(a, labels, p=p, margin=0.5), [x])
    multi = ln.tensor(np.array([[0, 2, -1, 0, 0], [4, -1, 0, 0, 0], [1, 2, 3, -1, 0],
                                [3, -1, 0, 0, 0]]))
    assert ln.gradcheck(lambda a: F.multilabel_margin_loss(a, multi), [x])
    a, q, n = (ln.tensor(rng.standard_normal((3, 4)), requires_grad=True) for _ in range(3))
    assert ln.gradcheck(lambda u, v, w: F.triplet_margin_with_distance_loss(u, v, w, swap=True),
                        [a, q, n])
    unbatched = ln.tensor(rng.standard_normal(5), requires_grad=True)
    assert ln.gradcheck(lambda u: F.cross_entropy(u, ln.tensor(np.array(3)), reduction="none"),
                        [unbatched])


def test_new_losses_bad_input():
    x = ln.ones(3, 4)
    with pytest.raises(ValueError, match="only p == 1 and p == 2"):
        F.multi_margin_loss(x, ln.tensor(np.array([0, 1, 2])), p=3)
    with pytest.raises(ValueError, match=r"target values must be in \[0, 3\]"):
        F.multi_margin_loss(x, ln.tensor(np.array([0, 1, 4])))
    with pytest.raises(TypeError, match="integer class indices"):
        F.multi_margin_loss(x, ln.tensor(np.array([0.0, 1.0, 2.0])))
    with pytest.raises(ValueError, match="weight must be one-dimensional"):
        nn.MultiMarginLoss(weight=ln.ones(2, 2))
    with pytest.raises(ValueError, match="same shape"):
        F.multilabel_margin_loss(x, ln.tensor(np.array([0, 1, 2])))
    with pytest.raises(ValueError, match=r"must be in \[-1, 3\]"):
        F.multilabel_margin_loss(x, ln.tensor(np.full((3, 4), 7)))


# ------------------------------------------------------------------ modules
LOSS_MODULES = [
    ("MSELoss", (), {}), ("L1Loss", (), {"reduction": "sum"}), ("HuberLoss", (), {"delta": 0.5}),
    ("SmoothL1Loss", (), {"beta": 0.3}), ("BCELoss", (), {}), ("BCEWithLogitsLoss", (), {}),
    ("CrossEntropyLoss", (), {"label_smoothing": 0.1, "ignore_index": 2}),
    ("NLLLoss", (), {"reduction": "none"}), ("KLDivLoss", (), {"log_target": True}),
    ("MarginRankingLoss", (0.5,), {}), ("HingeEmbeddingLoss", (2.0,), {}),
    ("SoftMarginLoss", (), {}), ("CosineEmbeddingLoss", (0.1,), {}),
    ("TripletMarginLoss", (), {"margin": 2.0, "p": 1, "swap": True}),
    ("PoissonNLLLoss", (False, True), {}), ("GaussianNLLLoss", (), {"full": True}),
    ("MultiLabelSoftMarginLoss", (), {}), ("MultiMarginLoss", (2, 0.5), {}),
    ("MultiLabelMarginLoss", (), {}), ("TripletMarginWithDistanceLoss", (), {}),
    ("CosineSimilarity", (0,), {}), ("PairwiseDistance", (1.0,), {}),
]


@pytest.mark.parametrize("name, args, kwargs", LOSS_MODULES)
def test_loss_module_reprs_are_pytorchs(name, args, kwargs):
    torch = pytest.importorskip("torch")
    assert repr(getattr(nn, name)(*args, **kwargs)) == repr(getattr(torch.nn, name)(*args,
                                                                                    **kwargs))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_new_loss_modules_match_their_functions(reduction):
    rng = _rng(29)
    x = ln.tensor(rng.standard_normal((4, 5)))
    y = ln.tensor(rng.integers(0, 5, 4))
    w = ln.tensor(rng.random(5))
    m = nn.MultiMarginLoss(2, 0.7, w, reduction=reduction)
    np.testing.assert_array_equal(m(x, y).numpy(),
                                  F.multi_margin_loss(x, y, 2, 0.7, w, reduction=reduction).numpy())
    t = ln.tensor(np.array([[1, 3, -1, 0, 0]] * 4))
    np.testing.assert_array_equal(
        nn.MultiLabelMarginLoss(reduction=reduction)(x, t).numpy(),
        F.multilabel_margin_loss(x, t, reduction=reduction).numpy())


@pytest.mark.parametrize("name, kwargs", [
    ("CrossEntropyLoss", {"weight": 3}), ("NLLLoss", {"weight": 3}), ("BCELoss", {"weight": 3}),
    ("BCEWithLogitsLoss", {"weight": 3, "pos_weight": 3}), ("MultiMarginLoss", {"weight": 3}),
    ("MultiLabelSoftMarginLoss", {"weight": 3}), ("CrossEntropyLoss", {}),
])
def test_class_weights_are_buffers_in_the_state_dict_as_pytorch(name, kwargs):
    torch = pytest.importorskip("torch")
    values = {k: np.arange(1.0, n + 1, dtype=np.float32) for k, n in kwargs.items()}
    ours = getattr(nn, name)(**{k: ln.tensor(v) for k, v in values.items()})
    theirs = getattr(torch.nn, name)(**{k: torch.tensor(v) for k, v in values.items()})
    ours_sd, theirs_sd = ours.state_dict(), theirs.state_dict()
    assert list(ours_sd) == list(theirs_sd)
    for k in ours_sd:
        np.testing.assert_array_equal(np.asarray(ours_sd[k].data), theirs_sd[k].numpy())
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    if kwargs:
        ours.load_state_dict({k: ln.tensor(v.numpy() * 2) for k, v in theirs_sd.items()})
        np.testing.assert_array_equal(ours.weight.numpy(), values["weight"] * 2)
        assert ours.double().weight.dtype == ln.float64


def test_a_weighted_loss_module_uses_its_buffer():
    x = ln.tensor(np.random.default_rng(30).standard_normal((4, 3)))
    y = ln.tensor(np.array([0, 1, 2, 1]))
    m = nn.CrossEntropyLoss(weight=[1.0, 2.0, 0.5])  # a list is taken as a tensor
    np.testing.assert_allclose(m(x, y).numpy(),
                               F.cross_entropy(x, y, weight=np.array([1.0, 2.0, 0.5])).numpy())


def test_target_gradients_at_the_edges_are_pytorchs():
    torch = pytest.importorskip("torch")
    logq = np.log(np.array([[0.2, 0.3, 0.5]]))
    for target, log_target in ((np.array([[0.0, 0.4, 0.6]]), False),
                               (np.log(np.array([[0.1, 0.4, 0.5]])), True)):
        _compare(lambda a, b, lt=log_target: F.kl_div(a, b, reduction="sum", log_target=lt),
                 lambda a, b, lt=log_target: _tf().kl_div(a, b, reduction="sum", log_target=lt),
                 [logq, target], [1, 1], np.float64)
    p, y = np.array([0.0, 1.0, 0.5]), np.array([0.3, 0.3, 0.3])
    ours_y, theirs_y = ln.tensor(y, requires_grad=True), torch.tensor(y, requires_grad=True)
    F.binary_cross_entropy(ln.tensor(p), ours_y, reduction="sum").backward()
    torch.nn.functional.binary_cross_entropy(torch.tensor(p), theirs_y, reduction="sum").backward()
    np.testing.assert_array_equal(ours_y.grad.numpy(), theirs_y.grad.numpy())  # +-inf at 0, 1


def test_kl_div_mean_warns_as_pytorch():
    torch = pytest.importorskip("torch")
    x, p = np.log(np.full((2, 3), 1 / 3)), np.full((2, 3), 1 / 3)
    with pytest.warns(UserWarning) as ours:
        F.kl_div(ln.tensor(x), ln.tensor(p))
    with pytest.warns(UserWarning) as theirs:
        torch.nn.functional.kl_div(torch.tensor(x), torch.tensor(p))
    assert str(ours[0].message) == str(theirs[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.kl_div(ln.tensor(x), ln.tensor(p), reduction="batchmean")


def test_triplet_margin_loss_checks_as_pytorch():
    a, q, n = (ln.tensor(_rng(31 + k).standard_normal(4)) for k in range(3))
    with pytest.raises(ValueError, match="margin must be greater than 0"):
        F.triplet_margin_loss(a, q, n, margin=-1.0)
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        F.triplet_margin_loss(a, q, n.reshape(1, 4))
    out = F.triplet_margin_loss(a, q, n, reduction="none")  # unbatched (D,) inputs
    assert out.shape == ()
