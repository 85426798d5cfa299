"""Issue 10: activations at PyTorch parity (forward, backward at the kinks and for nan/inf,
float32/float64, 0-d and zero-size input, inplace=, reprs) and float64 gradchecks."""

import numpy as np
import pytest

import lucidnet as ln
import lucidnet.nn.functional as F
from lucidnet import nn

# values on and around every kink and threshold the activations below have
KINKS = np.array([-50, -25, -21, -20.5, -20, -19.5, -6, -3.5, -3, -2.5, -1, -0.5, -0.0, 0, 0.5,
                  1, 2.5, 3, 3.5, 6, 6.5, 10, 19.9, 20, 20.1, 21, 25, 50])
NONFINITE = np.array([np.inf, -np.inf, np.nan, 1e30, -1e30])

# name: (lucidnet function, PyTorch function name, keyword options)
CASES = {
    "gelu": (F.gelu, "gelu", {}),
    "gelu_tanh": (F.gelu, "gelu", {"approximate": "tanh"}),
    "silu": (F.silu, "silu", {}),
    "elu": (F.elu, "elu", {}),
    "elu_alpha": (F.elu, "elu", {"alpha": 0.5}),
    "selu": (F.selu, "selu", {}),
    "celu": (F.celu, "celu", {"alpha": 2.0}),
    "softplus": (F.softplus, "softplus", {}),
    "softplus_beta": (F.softplus, "softplus", {"beta": 2.0, "threshold": 10.0}),
    "softplus_negative_beta": (F.softplus, "softplus", {"beta": -1.5, "threshold": 5.0}),
    "softsign": (F.softsign, "softsign", {}),
    "mish": (F.mish, "mish", {}),
    "hardtanh": (F.hardtanh, "hardtanh", {}),
    "hardtanh_bounds": (F.hardtanh, "hardtanh", {"min_val": -2.5, "max_val": 3.0}),
    "relu6": (F.relu6, "relu6", {}),
    "hardswish": (F.hardswish, "hardswish", {}),
    "hardsigmoid": (F.hardsigmoid, "hardsigmoid", {}),
    "logsigmoid": (F.logsigmoid, "logsigmoid", {}),
    "threshold": (F.threshold, "threshold", {"threshold": 1.0, "value": -2.0}),
    "relu": (F.relu, "relu", {}),
    "leaky_relu": (F.leaky_relu, "leaky_relu", {"negative_slope": 0.2}),
    "tanhshrink": (F.tanhshrink, "tanhshrink", {}),
    "hardshrink": (F.hardshrink, "hardshrink", {"lambd": 1.0}),
    "softshrink": (F.softshrink, "softshrink", {"lambd": 1.0}),
}
# where lucidnet is deliberately the mathematically right one
SKIP_NONFINITE = {"gelu": "float32 gelu(inf) is nan in PyTorch's vectorised kernel, inf here",
                  "softsign": "PyTorch's composite gives a nan slope at +-inf, 0 here"}


def _torch_fn(name, opts):
    torch = pytest.importorskip("torch")
    fn = getattr(torch.nn.functional, name)
    return lambda t: fn(t, **opts)


def _both(values, case, dtype):
    torch = pytest.importorskip("torch")
    ours_fn, torch_name, opts = CASES[case]
    a = values.astype(dtype)
    x = ln.tensor(a, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    out, ref = ours_fn(x, **opts), _torch_fn(torch_name, opts)(t)
    v = np.random.default_rng(0).standard_normal(a.shape).astype(dtype)
    (out * ln.tensor(v)).sum().backward()
    (ref * torch.tensor(v)).sum().backward()
    return out, ref, x.grad.numpy(), t.grad.numpy()


def _close(ours, theirs, dtype):
    tol = 2e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol, equal_nan=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", sorted(CASES))
def test_forward_and_backward_match_pytorch_on_the_kinks(case, dtype):
    values = np.concatenate([KINKS, np.random.default_rng(1).standard_normal(40) * 4])
    out, ref, g, tg = _both(values, case, dtype)
    assert out.dtype == dtype
    _close(out.numpy(), ref.detach().numpy(), dtype)
    _close(g, tg, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", sorted(set(CASES) - set(SKIP_NONFINITE)))
def test_nan_and_inf_go_where_pytorch_sends_them(case, dtype):
    out, ref, g, tg = _both(NONFINITE, case, dtype)
    np.testing.assert_array_equal(out.numpy(), ref.detach().numpy().astype(dtype))
    # the slope at a nan input: PyTorch's vectorised and scalar kernels disagree (it depends on
    # the element's position), so only the infinite and huge inputs are compared
    finite_or_inf = ~np.isnan(NONFINITE)
    np.testing.assert_array_equal(g[finite_or_inf], tg[finite_or_inf])


@pytest.mark.parametrize("shape", [(), (0,), (2, 0, 3)])
@pytest.mark.parametrize("case", sorted(CASES))
def test_zero_dim_and_zero_size_inputs(case, shape):
    out, ref, g, tg = _both(np.full(shape, 0.7), case, np.float32)
    assert tuple(out.shape) == tuple(ref.shape) == shape
    _close(out.numpy(), ref.detach().numpy(), np.float32)
    _close(g, tg, np.float32)


@pytest.mark.parametrize("case", sorted(CASES))
def test_float64_gradcheck_away_from_the_kinks(case):
    fn, _, opts = CASES[case]
    rng = np.random.default_rng(2)
    a = rng.uniform(-4, 4, (3, 5))
    a = a + 0.05 * np.sign(a)  # keep off 0 and the integer thresholds
    a[np.abs(np.abs(a) - np.round(np.abs(a))) < 0.05] += 0.1
    x = ln.tensor(a, requires_grad=True)
    assert ln.gradcheck(lambda t: fn(t, **opts), [x])


def test_composition_and_calling_twice():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(3).standard_normal((4, 6))
    x, t = ln.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    ours = F.mish(F.gelu(F.silu(x))) + F.softplus(F.elu(x), beta=3.0)
    ours = ours + F.gelu(F.silu(x))  # the same ops twice in one graph
    tf = torch.nn.functional
    theirs = tf.mish(tf.gelu(tf.silu(t))) + tf.softplus(tf.elu(t), beta=3.0) + tf.gelu(tf.silu(t))
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "elu", "selu", "celu", "silu", "mish",
                                  "hardtanh", "relu6", "hardswish", "hardsigmoid", "threshold"])
def test_inplace_matches_pytorch_inside_and_outside_the_graph(name):
    torch = pytest.importorskip("torch")
    args = (1.0, -2.0) if name == "threshold" else ()
    ours_fn, theirs_fn = getattr(F, name), getattr(torch.nn.functional, name)
    a = np.array([-4.0, -1.0, -0.0, 0.5, 2.0, 7.0])
    # outside the graph: x itself changes, and is returned
    x, t = ln.tensor(a.copy()), torch.tensor(a.copy())
    assert ours_fn(x, *args, inplace=True) is x
    theirs_fn(t, *args, inplace=True)
    np.testing.assert_allclose(x.numpy(), t.numpy(), rtol=1e-12)
    # inside: a non-leaf is rebased and the gradient is PyTorch's
    w, tw = ln.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    h, th = w * 2.0, tw * 2.0
    assert ours_fn(h, *args, inplace=True) is h
    theirs_fn(th, *args, inplace=True)
    (h * h).sum().backward()
    (th * th).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-12)
    # a leaf that requires grad is refused, as PyTorch
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        ours_fn(ln.tensor(a, requires_grad=True), *args, inplace=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        theirs_fn(torch.tensor(a, requires_grad=True), *args, inplace=True)


def test_inplace_after_an_op_that_saved_its_output_raises_on_backward():
    w = ln.tensor(np.array([1.0, -1.0]), requires_grad=True)
    s = w.sigmoid()
    F.relu(s, inplace=True)  # sigmoid's backward needs the output just overwritten
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        s.sum().backward()


def test_relu_passes_the_gradient_of_a_nan_on_as_pytorch():
    x = ln.tensor(np.array([np.nan, -1.0, 2.0]), requires_grad=True)
    F.relu(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 0.0, 1.0])


@pytest.mark.parametrize("shape, n", [((2, 3), 3), ((2, 3, 4), 3), ((2, 3), 1), ((5,), 1),
                                      ((), 1), ((0, 3), 3)])
def test_prelu_matches_pytorch(shape, n):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    a = rng.standard_normal(shape)
    wv = rng.uniform(0.05, 0.5, n)
    x, t = ln.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    w, tw = ln.tensor(wv, requires_grad=True), torch.tensor(wv, requires_grad=True)
    out, ref = F.prelu(x, w), torch.nn.functional.prelu(t, tw)
    assert tuple(out.shape) == tuple(ref.shape)
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), rtol=1e-12)
    if out.numel():
        out.sum().backward()
        ref.sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-12)
        np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-12)


def test_prelu_module_and_weight_shapes():
    m = nn.PReLU(3, init=0.1)
    assert repr(m) == "PReLU(num_parameters=3)"
    np.testing.assert_array_equal(m.weight.numpy(), np.full(3, 0.1, np.float32))
    out = F.prelu(ln.tensor(np.array([-2.0, 3.0])), ln.tensor(np.array(0.5)))  # 0-d weight
    np.testing.assert_array_equal(out.numpy(), [-1.0, 3.0])
    with pytest.raises(ValueError, match="3 elements but the input has 1 channel"):
        m(ln.tensor(np.ones(3, np.float32)))  # a 1-d input has one channel, as PyTorch
    with pytest.raises(ValueError, match="scalar or 1-d"):
        F.prelu(ln.ones(2, 3), ln.ones(1, 3))
    x = ln.tensor(np.random.default_rng(5).standard_normal((2, 3, 4)), requires_grad=True)
    m64 = nn.PReLU(3, dtype=ln.float64)
    assert ln.gradcheck(lambda t, w: F.prelu(t, w), [x, m64.weight])


MODULES = [("GELU", ()), ("GELU", ("tanh",)), ("SiLU", ()), ("SiLU", (True,)), ("ELU", ()),
           ("ELU", (0.5, True)), ("ELU", (1,)), ("SELU", ()), ("SELU", (True,)), ("CELU", ()),
           ("CELU", (2.0, True)), ("Softplus", ()), ("Softplus", (2, 10)), ("Softsign", ()),
           ("Mish", ()), ("Mish", (True,)), ("Hardtanh", ()), ("Hardtanh", (-2, 3, True)),
           ("ReLU6", ()), ("ReLU6", (True,)), ("Hardswish", ()),
           ("Hardswish", (True,)), ("Hardsigmoid", ()), ("Hardsigmoid", (True,)),
           ("LogSigmoid", ()), ("PReLU", ()), ("Softmin", ()), ("Softmin", (1,)),
           ("Threshold", (0.1, 20)), ("Threshold", (1, 2.5, True)), ("LeakyReLU", (0.2, True)),
           ("Tanhshrink", ()), ("Hardshrink", ()), ("Softshrink", (0.3,))]


@pytest.mark.parametrize("name, args", MODULES)
def test_module_repr_and_output_match_pytorch(name, args):
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours) == repr(theirs)
    a = np.linspace(-4, 4, 12, dtype=np.float32).reshape(3, 4)
    np.testing.assert_allclose(ours(ln.tensor(a)).detach().numpy(),
                               theirs(torch.tensor(a)).detach().numpy(), rtol=1e-6, atol=1e-6)


def test_bad_options_are_clear_errors():
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh'"):
        F.gelu(ln.ones(2), approximate="erf")
    with pytest.raises(ValueError, match="cannot be greater than max_val"):
        F.hardtanh(ln.ones(2), 2.0, 1.0)
    with pytest.raises(ValueError, match=r"max_val \(1.0\) must be greater than min_val"):
        nn.Hardtanh(1.0, 1.0)  # the module refuses equal bounds, as PyTorch; F.hardtanh not
    np.testing.assert_array_equal(F.hardtanh(ln.tensor([0.0, 3.0]), 1.0, 1.0).numpy(), [1, 1])
    with pytest.raises(ValueError, match="alpha cannot be 0"):
        F.celu(ln.ones(2), 0.0)
    with pytest.raises(ValueError, match="lambd must be >= 0"):
        F.softshrink(ln.ones(2), -1.0)


def test_integer_softmin_computes_in_the_default_float_dtype():
    out = F.softmin(ln.tensor([1, 2, 3]), dim=0)
    assert out.dtype == ln.float32
    np.testing.assert_allclose(out.numpy().sum(), 1.0, rtol=1e-6)
