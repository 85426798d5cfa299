"""Embedding / F.embedding (issue 10): max_norm + norm_type (in-place renorm of the looked-up rows),
scale_grad_by_freq, padding_idx (negative too), from_pretrained, sparse=True (dense gradient with
a warning), against PyTorch and by finite differences; clear errors for bad input."""

import warnings

import numpy as np
import pytest

import lucidnet as ln
from lucidnet.nn.embedding import Embedding, embedding, embedding_renorm_
from tests.nn.layer_helpers import needs_torch, torch

IDX = np.array([[0, 2, 2, 4], [4, 1, 2, 0]])


def _weight(dtype=np.float64, seed=0, shape=(6, 3)):
    return (np.random.default_rng(seed).standard_normal(shape) * 2).astype(dtype)


def _tol(dtype):
    return dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)


def _both(kw, dtype=np.float64, idx=IDX, calls=1):
    """Run F.embedding (ours and PyTorch's) ``calls`` times on the same weight; return the
    outputs, the weights after, and the weight gradients (last call, a random cotangent)."""
    w0 = _weight(dtype)
    ours, theirs = ln.tensor(w0.copy(), requires_grad=True), torch.tensor(w0.copy(),
                                                                          requires_grad=True)
    for _ in range(calls):
        out = embedding(ln.tensor(idx), ours, **kw)
        ref = torch.nn.functional.embedding(torch.tensor(idx), theirs, **kw)
    v = np.random.default_rng(1).standard_normal(out.shape).astype(dtype)
    (out * ln.tensor(v)).sum().backward()
    (ref * torch.tensor(v)).sum().backward()
    return (out, ref), (ours, theirs)


def _check(pair, params, dtype):
    (out, ref), (ours, theirs) = pair, params
    assert out.dtype == np.dtype(dtype) and ours.grad.dtype == np.dtype(dtype)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), **_tol(dtype))
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), **_tol(dtype))
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), **_tol(dtype))


@needs_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kw", [
    {"max_norm": 1.0}, {"max_norm": 1.5, "norm_type": 1.0}, {"max_norm": 0.8, "norm_type": 3.0},
    {"max_norm": 1.0, "norm_type": float("inf")}, {"max_norm": 100.0},
    {"scale_grad_by_freq": True}, {"scale_grad_by_freq": True, "padding_idx": 2},
    {"max_norm": 1.0, "scale_grad_by_freq": True, "padding_idx": -2}, {"padding_idx": -1},
])
def test_functional_matches_torch(kw, dtype):
    _check(*_both(kw, dtype), dtype)


@needs_torch
def test_max_norm_twice_and_only_looked_up_rows():
    """The second call finds the rows renormed already; rows not looked up stay as they were."""
    _check(*_both({"max_norm": 1.0}, calls=2), np.float64)
    w = ln.tensor(_weight())
    before = w.data.copy()
    embedding(ln.tensor(np.array([1, 1])), w, max_norm=0.5)
    changed = np.any(w.data != before, axis=1)
    assert changed.tolist() == [False, True, False, False, False, False]
    assert np.linalg.norm(w.data[1]) == pytest.approx(0.5, rel=1e-6)


def test_renorm_formula_without_torch():
    w = np.array([[3.0, 4.0], [0.3, 0.4], [1.0, 0.0]])
    embedding_renorm_(w, np.array([0, 1, 0]), max_norm=2.0)
    np.testing.assert_allclose(w[0], np.array([3.0, 4.0]) * 2.0 / (5.0 + 1e-7))
    np.testing.assert_array_equal(w[1:], [[0.3, 0.4], [1.0, 0.0]])
    out = embedding(ln.tensor(np.array([2])), ln.tensor(np.array([[3.0, 4.0], [1, 1], [9, 0]])),
                    max_norm=3.0, norm_type=1)
    np.testing.assert_allclose(out.data, [[9.0 * 3.0 / (9.0 + 1e-7), 0.0]])


def test_renorm_counts_as_in_place_change():
    """A graph that saved the weight before the renorm refuses to backward (as PyTorch)."""
    w = ln.tensor(_weight(), requires_grad=True)
    z = w * w
    out = embedding(ln.tensor(np.array([1, 2])), w, max_norm=0.5)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        (z.sum() + out.sum()).backward()


def test_scale_grad_by_freq_formula():
    w = ln.tensor(np.zeros((4, 2)), requires_grad=True)
    idx = np.array([[3, 1, 3], [3, 0, 1]])
    embedding(ln.tensor(idx), w, scale_grad_by_freq=True, padding_idx=0).sum().backward()
    # each looked-up row: its count times 1 / count = 1; the padding row 0; row 2 unused
    np.testing.assert_array_equal(w.grad.numpy(), [[0, 0], [1, 1], [0, 0], [1, 1]])


# scale_grad_by_freq and a looked-up padding_idx change the gradient on purpose (not d out/d W),
# and a renorm rewrites W in place outside the graph (the finite differences would renorm the
# perturbed table again): the check covers the lookup, an unused padding row, an idle max_norm
@pytest.mark.parametrize("kw", [{}, {"padding_idx": 5}, {"max_norm": 100.0, "norm_type": 1.5}])
def test_gradcheck(kw):
    w = ln.tensor(_weight(), requires_grad=True)
    assert ln.gradcheck(lambda w: embedding(ln.tensor(IDX), w, **kw), [w])


@needs_torch
@pytest.mark.parametrize("kw", [{}, {"padding_idx": -1}, {"padding_idx": 0, "max_norm": 2},
                                {"max_norm": 1.0, "norm_type": 1.0, "scale_grad_by_freq": True}])
def test_module_matches_torch(kw):
    ours, theirs = Embedding(7, 3, **kw), torch.nn.Embedding(7, 3, **kw)
    assert repr(ours) == repr(theirs)
    assert ours.padding_idx == theirs.padding_idx
    if theirs.padding_idx is not None:
        assert not ours.weight.data[ours.padding_idx].any()
    sd = ours.state_dict()
    assert list(sd) == list(theirs.state_dict()) == ["weight"] and sd["weight"].shape == (7, 3)
    ours.double()
    theirs.double()
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    idx = np.array([[1, 6, 6], [0, 5, 1]])
    out, ref = ours(ln.tensor(idx)), theirs(torch.tensor(idx))
    v = np.random.default_rng(2).standard_normal(out.shape)
    (out * ln.tensor(v)).sum().backward()
    (ref * torch.tensor(v)).sum().backward()
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.weight.data, theirs.weight.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-12)


def test_module_init_and_float32():
    ln.manual_seed(0)
    layer = Embedding(50, 4, padding_idx=-3)
    assert layer.padding_idx == 47 and layer.weight.dtype == np.float32
    assert not layer.weight.data[47].any()
    rest = np.delete(layer.weight.data, 47, axis=0)
    assert abs(rest.mean()) < 0.3 and 0.7 < rest.std() < 1.3  # N(0, 1)
    out = layer(np.array([47, 0]))
    assert out.dtype == np.float32 and out.shape == (2, 4)
    out.sum().backward()
    assert not layer.weight.grad.numpy()[47].any() and layer.weight.grad.numpy()[0].all()


@needs_torch
@pytest.mark.parametrize("freeze", [True, False])
def test_from_pretrained_matches_torch(freeze):
    table = _weight()
    kw = dict(freeze=freeze, padding_idx=1, max_norm=1.0)
    ours = Embedding.from_pretrained(ln.tensor(table), **kw)
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(table), **kw)
    assert repr(ours) == repr(theirs)
    assert ours.weight.requires_grad == theirs.weight.requires_grad == (not freeze)
    assert ours.weight.dtype == np.float64
    np.testing.assert_array_equal(ours.weight.data, table)  # padding row kept as given
    assert not np.shares_memory(ours.weight.data, table)
    idx = np.array([0, 1, 3])
    np.testing.assert_allclose(ours(ln.tensor(idx)).data,
                               theirs(torch.tensor(idx)).detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.weight.data, theirs.weight.detach().numpy(), rtol=1e-12)


@needs_torch
def test_sparse_gives_the_dense_gradient_with_a_warning():
    with pytest.warns(UserWarning, match="sparse=True"):
        ours = Embedding(5, 2, sparse=True)
    theirs = torch.nn.Embedding(5, 2, sparse=True)
    assert repr(ours) == repr(theirs)
    ours.load_state_dict({"weight": theirs.weight.detach().numpy()})
    idx = np.array([4, 1, 4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the module warned once, at construction
        ours(ln.tensor(idx)).sum().backward()
    theirs(torch.tensor(idx)).sum().backward()
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.to_dense().numpy())
    with pytest.warns(UserWarning, match="dense"):
        embedding(ln.tensor(idx), ln.tensor(_weight()), sparse=True)


def test_empty_input_and_composition():
    w = ln.tensor(_weight(), requires_grad=True)
    out = embedding(ln.tensor(np.zeros((0, 3), dtype=np.int64)), w, scale_grad_by_freq=True)
    assert out.shape == (0, 3, 3)
    out.sum().backward()
    assert w.grad.shape == (6, 3) and not w.grad.numpy().any()
    w.grad = None
    layer = Embedding(6, 3, _weight=w.data)
    (layer(np.array([1, 2])) * layer(np.array([2, 2]))).sum().backward()  # composed, called twice
    expected = np.zeros((6, 3))
    expected[1] = w.data[2]
    expected[2] = w.data[1] + 2 * w.data[2]
    np.testing.assert_allclose(layer.weight.grad.numpy(), expected)
    assert embedding(np.int32(3), w).shape == (3,)  # a 0-d index gives one row


@pytest.mark.parametrize("make, error, match", [
    (lambda: Embedding(5, 2, max_norm=0), ValueError, "max_norm must be a positive number"),
    (lambda: Embedding(5, 2, max_norm=-1.0), ValueError, "max_norm"),
    (lambda: Embedding(5, 2, norm_type="l2"), ValueError, "norm_type must be a number"),
    (lambda: Embedding(5, 2, padding_idx=5), ValueError, r"padding_idx must be within "
                                                         r"num_embeddings \(5\)"),
    (lambda: Embedding(5, 2, padding_idx=-6), ValueError, "padding_idx"),
    (lambda: Embedding(5, 2, padding_idx=1.0), TypeError, "padding_idx must be an int"),
    (lambda: Embedding(0, 2), ValueError, "num_embeddings must be a positive integer"),
    (lambda: Embedding.from_pretrained(np.ones(3)), ValueError, "must be 2-D"),
    (lambda: Embedding.from_pretrained(np.ones((3, 2), dtype=np.int64)), TypeError,
     "floating point"),
    (lambda: embedding(np.array([1]), ln.tensor(np.ones(3))), ValueError, "weight must be 2-D"),
    (lambda: embedding(np.array([1.0]), ln.tensor(np.ones((3, 2)))), TypeError, "integer"),
    (lambda: embedding(np.array([3]), ln.tensor(np.ones((3, 2)))), IndexError,
     "index out of range"),
    (lambda: embedding(np.array([-1]), ln.tensor(np.ones((3, 2)))), IndexError, "out of range"),
])
def test_bad_input(make, error, match):
    with pytest.raises(error, match=match):
        make()
