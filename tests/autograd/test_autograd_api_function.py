"""Issue 9, item 5: ``lucidnet.autograd.Function`` written exactly as PyTorch's custom Function.

forward/backward on Tensors, ``ctx.save_for_backward`` / ``saved_tensors`` / ``needs_input_grad``
/ ``mark_non_differentiable``, non-tensor arguments, several outputs, ``setup_context``, the
checks PyTorch makes on what backward returns, and a training loop. The same class body runs
with ``torch.autograd.Function`` as the base for the comparisons.
"""

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn, optim
from lucidnet.autograd import Function, gradcheck
from lucidnet.autograd.function import FunctionCtx

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="compares with PyTorch (not installed)")


def _leaf(values, dtype=np.float64):
    return ln.tensor(np.asarray(values, dtype=dtype), requires_grad=True)


def make_exp(base):
    class MyExp(base):
        @staticmethod
        def forward(ctx, x):
            result = x.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad_output):
            (result,) = ctx.saved_tensors
            return grad_output * result

    return MyExp


def make_scaled_power(base):
    """y = scale * x ** k with a Python-number argument and a second tensor input."""

    class ScaledPower(base):
        @staticmethod
        def forward(ctx, x, scale, k):
            ctx.k = k
            ctx.save_for_backward(x, scale)
            return scale * x ** k

        @staticmethod
        def backward(ctx, grad):
            x, scale = ctx.saved_tensors
            gx = grad * scale * ctx.k * x ** (ctx.k - 1) if ctx.needs_input_grad[0] else None
            gs = (grad * x ** ctx.k).sum() if ctx.needs_input_grad[1] else None
            return gx, gs, None

    return ScaledPower


MyExp = make_exp(Function)
ScaledPower = make_scaled_power(Function)


def test_custom_function_forward_backward_and_gradcheck():
    x = _leaf([[0.5, -1.0], [2.0, 0.1]])
    y = MyExp.apply(x)
    assert isinstance(y, ln.Tensor) and y.requires_grad
    assert y.grad_fn.name() == "MyExpBackward" and "grad_fn=<MyExpBackward>" in repr(y)
    assert y.grad_fn.next_functions[0][0].variable is x
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, np.exp(x.data), rtol=1e-12)
    assert gradcheck(lambda t: MyExp.apply(t) * 2.0, [_leaf([0.3, -0.4, 1.2])])


def test_forward_runs_without_recording_and_backward_gets_tensors():
    seen = {}

    class Probe(Function):
        @staticmethod
        def forward(ctx, x):
            seen["forward"] = (ln.is_grad_enabled(), type(x), x.requires_grad)
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            seen["backward"] = (ln.is_grad_enabled(), type(grad), isinstance(ctx, FunctionCtx))
            return grad * 2

    x = _leaf([1.0, 2.0])
    out = Probe.apply(x)
    assert out.grad_fn.name() == "ProbeBackward"
    out.sum().backward()
    assert seen["forward"] == (False, ln.Tensor, True)
    assert seen["backward"] == (False, ln.Tensor, True)
    assert x.grad.tolist() == [2.0, 2.0]


def test_non_tensor_arguments_and_needs_input_grad():
    x = _leaf([1.0, 2.0])
    s = ln.tensor(np.array(3.0))  # needs no gradient
    y = ScaledPower.apply(x, s, 2)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, 3 * 2 * x.data)
    s2 = _leaf(3.0)
    ScaledPower.apply(x.detach(), s2, 3).sum().backward()
    assert s2.grad.item() == pytest.approx(1 + 8)
    assert gradcheck(lambda a, b: ScaledPower.apply(a, b, 3), [_leaf([0.5, -1.5]), _leaf(2.0)])


@needs_torch
def test_same_class_body_matches_pytorch():
    a = np.array([[0.2, -1.3, 0.7]])
    ours = [_leaf(a), _leaf(1.7)]
    theirs = [torch.tensor(a, requires_grad=True), torch.tensor(1.7, dtype=torch.float64,
                                                                  requires_grad=True)]
    torch_style = (make_exp(torch.autograd.Function), make_scaled_power(torch.autograd.Function))
    for (x, s), (fn, pw) in ((ours, (MyExp, ScaledPower)), (theirs, torch_style)):
        out = pw.apply(fn.apply(x), s, 3)
        (out * out).sum().backward()
    np.testing.assert_allclose(ours[0].grad.data, theirs[0].grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours[1].grad.data, theirs[1].grad.numpy(), rtol=1e-12)


def make_split(base, lib):
    class SplitSigns(base):
        """(positive part, square, integer sign): three outputs, the last not differentiable."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            sign = lib.sign(x).long() if lib is torch else ln.tensor(np.sign(x.data).astype(
                np.int64))
            ctx.mark_non_differentiable(sign)
            return x.clamp(min=0.0), x * x, sign

        @staticmethod
        def backward(ctx, g_pos, g_sq, g_sign):
            (x,) = ctx.saved_tensors
            assert not g_sign.any()  # zeros for the non-differentiable output
            return g_pos * (x > 0) + g_sq * 2 * x

    return SplitSigns


@needs_torch
def test_several_outputs_one_node_and_unused_outputs_match_pytorch():
    a = np.array([1.5, -0.5, 2.0])
    results = []
    for lib, x in ((ln, _leaf(a)), (torch, torch.tensor(a, requires_grad=True))):
        base = ln.autograd.Function if lib is ln else torch.autograd.Function
        pos, sq, sign = make_split(base, lib).apply(x)
        assert pos.grad_fn is sq.grad_fn and sign.grad_fn is None and not sign.requires_grad
        pos.sum().backward(retain_graph=True)  # sq unused: its gradient arrives as zeros
        first = x.grad.numpy().copy() if lib is torch else x.grad.data.copy()
        (pos * sq).sum().backward()
        second = x.grad.numpy() if lib is torch else x.grad.data
        results.append((first, second.copy(), pos.grad_fn.name()))
    (f1, s1, n1), (f2, s2, n2) = results
    np.testing.assert_allclose(f1, f2, rtol=1e-12)
    np.testing.assert_allclose(s1, s2, rtol=1e-12)
    assert n1 == n2 == "SplitSignsBackward"


def test_setup_context_style():
    class Cube(Function):
        @staticmethod
        def forward(x):
            return x ** 3

        @staticmethod
        def setup_context(ctx, inputs, output):
            (x,) = inputs
            ctx.save_for_backward(x)

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x * x

    assert gradcheck(Cube.apply, [_leaf([0.5, -2.0, 1.0])])


def test_returning_an_input_gives_a_new_tensor():
    class Identity(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 3

    x = _leaf([1.0, 2.0])
    y = Identity.apply(x)
    assert y is not x and x.grad_fn is None and y.grad_fn.name() == "IdentityBackward"
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_backward_return_checks_as_pytorch():
    def fn(backward):
        return type("Bad", (Function,), {"forward": staticmethod(lambda ctx, x, k=1: x * 1),
                                         "backward": staticmethod(backward)})

    x = _leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"incorrect number of gradients \(expected 1, got 2\)"):
        fn(lambda ctx, g: (g, g)).apply(x).sum().backward()
    with pytest.raises(RuntimeError, match=r"invalid gradient at index 0 - got \[1\] but expected "
                                           r"shape compatible with \[2\]"):
        fn(lambda ctx, g: g[:1]).apply(x).sum().backward()
    with pytest.raises(RuntimeError, match="was not a Tensor"):
        fn(lambda ctx, g: (g, g)).apply(x, 2.0).sum().backward()
    with pytest.raises(TypeError, match="return a Tensor"):
        fn(lambda ctx, g: g.data).apply(x).sum().backward()
    # a gradient that broadcasts to the input is summed down to its shape, as PyTorch
    grow = fn(lambda ctx, g: g * ln.tensor(np.ones((3, 2))))
    x.grad = None
    grow.apply(x).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_forward_must_return_tensors_and_save_tensors():
    class ReturnsArray(Function):
        @staticmethod
        def forward(ctx, x):
            return x.data * 2

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(TypeError, match="must return Tensors"):
        ReturnsArray.apply(_leaf([1.0]))

    class SavesNumber(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x, 3.0)
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(TypeError, match="only save Tensors"):
        SavesNumber.apply(_leaf([1.0]))


def test_saved_input_changed_in_place_raises_on_backward():
    x = _leaf([1.0, 2.0])
    h = x * 1.0
    y = MyExp.apply(h)
    with ln.no_grad():
        y.mul_(2.0)  # the saved result, changed after forward
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_no_graph_without_grad_and_under_no_grad():
    x = ln.tensor([1.0, 2.0])
    assert MyExp.apply(x).grad_fn is None
    with ln.no_grad():
        out = MyExp.apply(_leaf([1.0]))
    assert out.grad_fn is None and not out.requires_grad


def test_library_ops_stay_array_style_and_subclasses_keep_the_style():
    from lucidnet.autograd.ops.elementwise import Mul

    assert Mul.array_io is True and MyExp.array_io is False

    class Child(MyExp):  # a subclass of a PyTorch-style Function stays PyTorch style
        pass

    assert Child.array_io is False
    x = _leaf([0.0, 1.0])
    Child.apply(x).sum().backward()
    np.testing.assert_allclose(x.grad.data, np.exp(x.data))


def test_custom_function_in_a_training_loop():
    class Swish(Function):
        @staticmethod
        def forward(ctx, x):
            s = x.sigmoid()
            ctx.save_for_backward(x, s)
            return x * s

        @staticmethod
        def backward(ctx, grad):
            x, s = ctx.saved_tensors
            return grad * (s + x * s * (1 - s))

    class Net(nn.Module):
        def __init__(self, act):
            super().__init__()
            self.l1, self.l2, self.act = nn.Linear(2, 8), nn.Linear(8, 1), act

        def forward(self, x):
            return self.l2(self.act(self.l1(x)))

    rng = np.random.default_rng(0)
    X = rng.standard_normal((32, 2))
    y = (X[:, :1] * X[:, 1:])
    losses = {}
    for name, act in (("custom", Swish.apply), ("builtin", lambda t: t * t.sigmoid())):
        ln.manual_seed(0)
        net = Net(act).double()
        opt = optim.Adam(net.parameters(), lr=0.05)
        for _ in range(20):
            opt.zero_grad()
            loss = ((net(ln.tensor(X)) - ln.tensor(y)) ** 2).mean()
            loss.backward()
            opt.step()
        losses[name] = loss.item()
    assert losses["custom"] == pytest.approx(losses["builtin"], rel=1e-10)
    assert losses["custom"] < 0.5


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(), (0,), (2, 3)])
def test_custom_function_keeps_dtype_on_0d_and_zero_size(shape, dtype):
    x = ln.tensor(np.full(shape, 0.5, dtype), requires_grad=True)
    y = MyExp.apply(x)
    assert y.dtype == dtype and y.shape == shape
    y.sum().backward()
    assert x.grad.dtype == dtype and x.grad.shape == shape
    np.testing.assert_allclose(x.grad.data, np.exp(np.full(shape, 0.5)), rtol=1e-6)

    class Half(Function):  # a float64 gradient for a float32 input is cast back, as PyTorch
        @staticmethod
        def forward(ctx, t):
            return t * 0.5

        @staticmethod
        def backward(ctx, g):
            return ln.tensor(np.full(g.shape, 0.5, np.float64))

    x.grad = None
    Half.apply(x).sum().backward()
    assert x.grad.dtype == dtype
