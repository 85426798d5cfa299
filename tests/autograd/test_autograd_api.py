"""Issue 9, items 4-5: ``.grad`` is a Tensor, the autograd API as PyTorch spells it.

``.grad`` (a Tensor, assignment checks), ``autograd.grad`` / ``autograd.backward``,
``backward(inputs=)``, ``grad_fn`` with ``name()`` and ``next_functions``, ``register_hook``,
``detect_anomaly`` and the grad-mode switches. Each feature is compared with PyTorch where it
is installed; the gradient checks (float64 finite differences) need no PyTorch.
"""

import re

import numpy as np
import pytest

import lucidnet as ln
import lucidnet.autograd as autograd
from lucidnet import nn, optim
from lucidnet.autograd import gradcheck

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="compares with PyTorch (not installed)")


def _leaf(values, dtype=np.float64):
    return ln.tensor(np.asarray(values, dtype=dtype), requires_grad=True)


# ---------------------------------------------------------------------------- .grad is a Tensor
def test_grad_is_a_tensor_with_pytorch_methods():
    x = _leaf([1.0, 2.0, 3.0])
    (x * x).sum().backward()
    assert isinstance(x.grad, ln.Tensor) and not x.grad.requires_grad
    assert isinstance(x.grad.data, np.ndarray)
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0, 6.0])
    assert repr(x.grad).startswith("tensor([2., 4., 6.]")
    assert x.grad[1].item() == 4.0
    assert float(x.grad.sum()) == 12.0
    x.grad.zero_()
    np.testing.assert_array_equal(x.grad.data, 0.0)


def test_grad_accumulates_in_place_across_two_backwards():
    x = _leaf([1.0, 2.0])
    (x * 3).sum().backward()
    held = x.grad
    array = x.grad.data
    (x * x).sum().backward()
    assert x.grad is held and x.grad.data is array  # no new tensor, no copy
    np.testing.assert_array_equal(x.grad.data, [5.0, 7.0])


def test_grad_set_to_none_then_backward_starts_fresh():
    x = _leaf([1.0, 2.0])
    (x * 3).sum().backward()
    x.grad = None
    assert x.grad is None
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0])


def test_user_assigned_grad_is_accumulated_into_and_checked():
    x = _leaf([1.0, 2.0])
    mine = ln.tensor([10.0, 20.0], dtype=np.float64)
    x.grad = mine
    (x * 2).sum().backward()
    assert x.grad is mine
    np.testing.assert_array_equal(mine.data, [12.0, 22.0])
    with pytest.raises(RuntimeError, match="size"):
        x.grad = ln.tensor([1.0, 2.0, 3.0], dtype=np.float64)
    with pytest.raises(RuntimeError, match="dtype"):
        x.grad = ln.tensor([1.0, 2.0], dtype=np.float32)
    with pytest.raises(TypeError, match="Tensor or None"):
        x.grad = 5
    x.grad = np.zeros(2)  # a NumPy array is wrapped (no copy)
    assert isinstance(x.grad, ln.Tensor)
    del x.grad
    assert x.grad is None


@needs_torch
def test_grad_assignment_errors_match_pytorch():
    p = torch.zeros(3, requires_grad=True)
    for bad in (torch.zeros(2), torch.zeros(3, dtype=torch.float64)):
        with pytest.raises(RuntimeError):
            p.grad = bad
    q = ln.zeros(3, requires_grad=True) if hasattr(ln, "zeros") else _leaf([0.0, 0, 0], np.float32)
    for bad in (ln.tensor(np.zeros(2, np.float32)), ln.tensor(np.zeros(3, np.float64))):
        with pytest.raises(RuntimeError):
            q.grad = bad


def test_optimizer_reads_grad_tensor_and_zero_grad_keeps_the_tensor():
    ln.manual_seed(0)
    model = nn.Linear(3, 2)
    opt = optim.SGD(model.parameters(), lr=0.1)
    w0 = model.weight.data.copy()
    model.weight.grad = ln.tensor(np.ones((2, 3), np.float32))
    opt.step()  # bias has no grad: skipped
    np.testing.assert_allclose(model.weight.data, w0 - 0.1, rtol=1e-6)
    held = model.weight.grad
    opt.zero_grad(set_to_none=False)
    assert model.weight.grad is held and not held.data.any()
    model.zero_grad()
    assert model.weight.grad is None


@needs_torch
def test_training_loop_with_grad_tensors_matches_pytorch():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((8, 3))
    y = rng.standard_normal((8, 1))
    w = rng.standard_normal((3, 1))
    ours = _leaf(w)
    theirs = torch.tensor(w, requires_grad=True)
    for _ in range(3):
        for p, lib, Xs, ys in ((ours, ln, ln.tensor(X), ln.tensor(y)),
                               (theirs, torch, torch.tensor(X), torch.tensor(y))):
            loss = ((Xs @ p - ys) ** 2).mean()
            loss.backward()
            with lib.no_grad():
                p -= 0.1 * p.grad
            p.grad.zero_()
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12)


# ---------------------------------------------------------------------------- autograd.grad / backward
@needs_torch
def test_autograd_grad_matches_pytorch_and_leaves_grad_alone():
    a = np.array([[1.0, -2.0], [0.5, 3.0]])
    b = np.array([0.3, -0.7])
    x, w = _leaf(a), _leaf(b)
    out = ((x * w).tanh() ** 2).sum(axis=1)
    v = np.array([1.0, -2.0])
    gx, gw = autograd.grad(out, (x, w), grad_outputs=ln.tensor(v))
    assert x.grad is None and w.grad is None
    tx, tw = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    tgx, tgw = torch.autograd.grad(((tx * tw).tanh() ** 2).sum(1), (tx, tw), torch.tensor(v))
    np.testing.assert_allclose(gx.data, tgx.numpy(), rtol=1e-12)
    np.testing.assert_allclose(gw.data, tgw.numpy(), rtol=1e-12)


def test_autograd_grad_of_an_intermediate_tensor_and_retain_graph():
    x = _leaf([1.0, 2.0, 3.0])
    h = x * 2
    loss = (h * h).sum()
    (gh,) = autograd.grad(loss, h, retain_graph=True)
    np.testing.assert_array_equal(gh.data, 2 * h.data)
    (gx,) = autograd.grad(loss, [x])  # second pass through the retained graph
    np.testing.assert_array_equal(gx.data, 8 * x.data)
    with pytest.raises(RuntimeError, match="second time"):
        autograd.grad(loss, x)


def test_autograd_grad_unused_inputs_and_bad_arguments():
    x, z = _leaf([1.0, 2.0]), _leaf([3.0])
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        autograd.grad((x * 2).sum(), (x, z))
    gx, gz = autograd.grad((x * 2).sum(), (x, z), allow_unused=True)
    assert gz is None and gx.tolist() == [2.0, 2.0]
    gx, gz = autograd.grad((x * 2).sum(), (x, z), materialize_grads=True)
    assert gz.tolist() == [0.0]
    with pytest.raises(RuntimeError, match="does not require grad"):
        autograd.grad((x * 2).sum(), ln.tensor([1.0]))
    with pytest.raises(RuntimeError, match="scalar outputs"):
        autograd.grad(x * 2, x)
    with pytest.raises(NotImplementedError, match="create_graph"):
        autograd.grad((x * x).sum(), x, create_graph=True)
    with pytest.raises(NotImplementedError, match="higher-order"):
        (x * x).sum().backward(create_graph=True)


@needs_torch
def test_autograd_backward_of_several_tensors_matches_pytorch():
    a = np.array([0.5, -1.5, 2.0])
    x = _leaf(a)
    y1, y2 = (x * x).sum(), x.exp()
    autograd.backward([y1, y2], [None, ln.tensor(np.array([1.0, 0.0, 2.0]))])
    t = torch.tensor(a, requires_grad=True)
    torch.autograd.backward([(t * t).sum(), t.exp()], [None, torch.tensor([1.0, 0.0, 2.0],
                                                                          dtype=torch.float64)])
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-12)


def test_backward_inputs_accumulates_only_into_those():
    x, w = _leaf([1.0, 2.0]), _leaf([3.0, 4.0])
    h = x * w
    h.retain_grad()
    (h * h).sum().backward(inputs=[w])
    assert x.grad is None and h.grad is None
    np.testing.assert_array_equal(w.grad.data, 2 * (x.data * w.data) * x.data)
    (x * w).sum().backward(inputs=x)
    np.testing.assert_array_equal(x.grad.data, w.data)


def test_second_backward_needs_retain_graph():
    x = _leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad.data, 4 * x.data)  # accumulated twice
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


# ---------------------------------------------------------------------------- grad_fn
def test_grad_fn_of_leaves_and_results():
    x = _leaf([1.0, 2.0])
    assert x.grad_fn is None and ln.tensor([1.0]).grad_fn is None
    y = (x * 2).sum()
    assert y.grad_fn is y.grad_fn  # the same node object on every access
    assert y.grad_fn.name() == "SumBackward0"
    ((mul, index),) = y.grad_fn.next_functions
    assert index == 0 and mul.name() == "MulBackward0"
    (acc, _), (const, _) = mul.next_functions
    assert acc.name() == "torch::autograd::AccumulateGrad" and acc.variable is x
    assert const is None and acc.next_functions == ()
    assert "grad_fn=<SumBackward0>" in repr(y)
    with ln.no_grad():
        assert (x * 2).grad_fn is None


@needs_torch
def test_grad_fn_names_and_structure_match_pytorch():
    def walk(node):
        if node is None:
            return None
        return (node.name(), tuple(walk(n) for n, _ in node.next_functions))

    a, b = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    x, w = _leaf(a), _leaf(b)
    tx, tw = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    ours = ((x * w).exp() / (x + 1.0)).log().sum()
    theirs = ((tx * tw).exp() / (tx + 1.0)).log().sum()
    assert walk(ours.grad_fn) == walk(theirs.grad_fn)


def test_grad_fn_after_an_in_place_op_is_the_new_node():
    x = _leaf([1.0, -2.0])
    h = x * 3
    h.clamp_(min=0.0)
    assert h.grad_fn.name().startswith(("Clamp", "Clip"))
    assert h.grad_fn.next_functions[0][0].name() == "MulBackward0"


# ---------------------------------------------------------------------------- hooks
@needs_torch
def test_hooks_on_leaf_and_intermediate_match_pytorch():
    a = np.array([1.0, -2.0, 0.5])
    seen = {}

    def run(lib, x):
        h = x * x
        h.register_hook(lambda g: g * 10)             # replaces h's gradient
        x.register_hook(lambda g: seen.update({lib.__name__: g.tolist()}))  # observes only
        (h.sin()).sum().backward()
        return x.grad

    ours = run(ln, _leaf(a))
    theirs = run(torch, torch.tensor(a, requires_grad=True))
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12)
    np.testing.assert_allclose(seen["lucidnet"], seen["torch"], rtol=1e-12)


def test_hook_remove_order_and_errors():
    x = _leaf([1.0, 2.0])
    calls = []
    h1 = x.register_hook(lambda g: calls.append("first") or g * 2)
    x.register_hook(lambda g: calls.append("second"))
    (x * 1.0).sum().backward()
    assert calls == ["first", "second"] and x.grad.tolist() == [2.0, 2.0]
    h1.remove()
    h1.remove()  # twice is harmless
    x.grad = None
    (x * 1.0).sum().backward()
    assert calls[-1] == "second" and x.grad.tolist() == [1.0, 1.0]
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        ln.tensor([1.0]).register_hook(lambda g: g)
    y = _leaf([1.0, 2.0])
    y.register_hook(lambda g: g[:1])
    with pytest.raises(RuntimeError, match="changed the size"):
        (y * 1.0).sum().backward()


def test_hook_sees_the_total_gradient_of_a_shared_intermediate():
    x = _leaf([1.0, 2.0])
    h = x * 2
    got = []
    h.register_hook(lambda g: got.append(g.tolist()))
    (h * 3 + h).sum().backward()
    assert got == [[4.0, 4.0]]  # once, after both uses were summed (3 + 1)


# ---------------------------------------------------------------------------- anomaly detection
def test_detect_anomaly_names_the_op_that_made_the_first_nan():
    x = _leaf([0.0, 1.0])
    loss = (x.sqrt() * 0.0).sum()
    with autograd.detect_anomaly():
        with pytest.raises(RuntimeError, match=r"Function 'SqrtBackward0' returned nan values "
                                               r"in its 0th output\."):
            loss.backward()
    y = _leaf([0.0])
    (y.sqrt() * 0.0).sum().backward()  # off again: the nan reaches .grad silently, as PyTorch
    assert np.isnan(y.grad.data).all()


def test_set_detect_anomaly_switch_and_log():
    x = _leaf([0.0, 2.0])
    autograd.set_detect_anomaly(True)
    try:
        assert autograd.anomaly.is_anomaly_enabled()
        with pytest.raises(RuntimeError, match="'LogBackward0'"):
            (x.log() * 0.0).sum().backward()  # log's backward at 0: 0 / 0
    finally:
        autograd.set_detect_anomaly(False)
    assert not autograd.anomaly.is_anomaly_enabled()


@needs_torch
def test_detect_anomaly_names_the_same_op_as_pytorch():
    import warnings

    def first_nan_op(lib, x):
        y = (x.sqrt() * 0.0).sum()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with lib.autograd.detect_anomaly():
                with pytest.raises(RuntimeError) as info:
                    y.backward()
        return str(info.value).split("Function ")[1].split(" returned")[0].strip("'")

    a = np.array([0.0, 4.0])
    assert first_nan_op(ln, _leaf(a)) == first_nan_op(torch, torch.tensor(a, requires_grad=True))


# ---------------------------------------------------------------------------- grad modes
def test_set_grad_enabled_as_call_context_and_decorator():
    x = _leaf([1.0])
    ln.set_grad_enabled(False)
    try:
        assert not ln.is_grad_enabled() and not (x * 2).requires_grad
    finally:
        ln.set_grad_enabled(True)
    with ln.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert ln.is_grad_enabled()

    @ln.set_grad_enabled(False)
    def f():
        return (x * 2).requires_grad

    assert ln.is_grad_enabled() and f() is False and ln.is_grad_enabled()
    with pytest.raises(TypeError, match="bool"):
        ln.set_grad_enabled("no")


def test_no_grad_inference_mode_enable_grad_decorators():
    x = _leaf([1.0])

    @ln.no_grad
    def bare():
        return (x * 2).requires_grad

    @ln.no_grad()
    def called():
        return (x * 2).requires_grad

    @autograd.inference_mode()
    def inference():
        return (x * 2).requires_grad, ln.is_inference_mode_enabled()

    assert bare() is False and called() is False and inference() == (False, True)
    assert not ln.is_inference_mode_enabled()
    with ln.inference_mode(False):
        assert (x * 2).requires_grad
    with ln.no_grad():
        with ln.enable_grad():
            assert (x * 2).requires_grad
    assert autograd.set_grad_enabled is ln.set_grad_enabled


@needs_torch
def test_grad_mode_names_exist_as_in_pytorch():
    for name in ("no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
                 "is_grad_enabled", "is_inference_mode_enabled"):
        assert hasattr(torch, name) and callable(getattr(ln, name))
    for name in ("grad", "backward", "Function", "detect_anomaly", "set_detect_anomaly"):
        assert hasattr(torch.autograd, name) and hasattr(autograd, name)


# ---------------------------------------------------------------------------- gradcheck
def test_gradcheck_through_hooks_and_in_place_clamp():
    x = _leaf([[0.3, -1.2], [2.0, 0.7]])

    def f(t):
        h = t * 1.5
        if h.requires_grad:  # gradcheck also calls f under no_grad
            h.register_hook(lambda g: g * 1.0)
        h.clamp_(min=-1.0, max=2.0)
        return h * h

    assert gradcheck(f, [x])


@needs_torch
@pytest.mark.parametrize("case", ["mlp_mse", "linear_3d_no_bias", "cross_entropy", "matmul",
                                  "reductions", "pow"])
def test_grad_fn_graph_of_fused_ops_reads_as_pytorchs(case):
    """The 'Neural Networks' tutorial walks loss.grad_fn.next_functions: PyTorch's linear is
    addmm(bias, x, weight.t()); lucidnet's fused ops show PyTorch's layout."""

    def walk(node):
        if node is None:
            return None
        return (node.name(), tuple(walk(n) for n, _ in node.next_functions))

    def build(lib):
        lib.manual_seed(0)
        nn_, F = lib.nn, lib.nn.functional
        x = lib.tensor(np.linspace(-1, 1, 12).reshape(4, 3).astype(np.float32))
        if case == "mlp_mse":
            net = nn_.Sequential(nn_.Linear(3, 5), nn_.ReLU(), nn_.Linear(5, 1))
            return nn_.MSELoss()(net(x), lib.zeros(4, 1))
        if case == "linear_3d_no_bias":
            return nn_.Linear(3, 2, bias=False)(x.reshape(2, 2, 3)).tanh().mean()
        if case == "cross_entropy":
            return F.cross_entropy(nn_.Linear(3, 4)(x), lib.tensor(np.array([0, 1, 2, 3])))
        w = lib.tensor(np.ones((3, 2), np.float32), requires_grad=True)
        if case == "matmul":
            return (x @ w).sum(0)
        if case == "reductions":
            return (x.requires_grad_() * 2).mean(1).sum()
        return (w ** 2 + 2 ** w + w ** w).sum()

    assert walk(build(ln).grad_fn) == walk(build(torch).grad_fn)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(), (0,), (2, 0), (3,)])
def test_grad_hooks_and_autograd_grad_on_0d_and_zero_size(shape, dtype):
    x = ln.tensor(np.ones(shape, dtype), requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append((g.shape, g.dtype)) or g * 2)
    (x * 3).sum().backward()
    assert isinstance(x.grad, ln.Tensor) and x.grad.shape == shape and x.grad.dtype == dtype
    np.testing.assert_array_equal(x.grad.data, np.full(shape, 6.0))
    assert seen == [(shape, dtype)]
    (g,) = autograd.grad((x * x).sum(), x)
    assert g.shape == shape and g.dtype == dtype
    np.testing.assert_array_equal(g.data, np.full(shape, 4.0))  # 2x, doubled by the hook
    np.testing.assert_array_equal(x.grad.data, np.full(shape, 6.0))  # grad() left .grad alone
    x.grad.zero_()
    assert not x.grad.data.any()


@needs_torch
def test_zero_size_and_0d_grads_match_pytorch():
    for shape in [(), (0, 3)]:
        a = np.full(shape, 0.5)
        x, t = _leaf(a), torch.tensor(a, requires_grad=True)
        (x.exp() * x).sum().backward()
        (t.exp() * t).sum().backward()
        assert x.grad.shape == tuple(t.grad.shape)
        np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-12)


@needs_torch
@pytest.mark.parametrize("expr", ["x[0]", "x[:, 1:]", "x[0, 1:]", "x[1:, 0]", "x[..., 0]",
                                  "x[None]", "x[[0, 1]]", "x[x > 0]", "x[0, 1, 2]", "x[:, [0, 1]]",
                                  "x[:]", "x[...]", "x[:, :]", "x.T", "x.transpose(0, 1)",
                                  "x.permute(2, 0, 1)", "x[0].T", "x.mT", "x[0].t()",
                                  "x[0, :, 0] @ x[0]", "x @ x[0, 0]", "x[0, 0] @ x[0, 0]",
                                  "x[0] @ x[0].t()", "x.reshape(3, 5, 4) @ x", "x @ x[0].t()",
                                  "x @ x[0, 0].detach()"])
def test_grad_fn_of_indexing_transposes_and_matmul_as_pytorch(expr):
    def walk(node):
        return None if node is None else (node.name(),
                                          tuple(walk(n) for n, _ in node.next_functions))

    a = np.random.default_rng(0).standard_normal((3, 4, 5))
    names = []
    for lib in (ln, torch):
        x = lib.tensor(a, requires_grad=True)  # noqa: F841  (used by eval)
        names.append(walk(eval(expr).grad_fn))
    assert names[0] == names[1]


@needs_torch
def test_retains_grad_and_post_accumulate_grad_hook_as_pytorch():
    a = np.array([1.0, -2.0])
    log = {}
    for lib in (ln, torch):
        x = lib.tensor(a, requires_grad=True)
        h = x * 2
        assert not x.retains_grad and not h.retains_grad
        h.retain_grad()
        x.retain_grad()  # a no-op on a leaf
        assert h.retains_grad and not x.retains_grad
        seen = []
        handle = x.register_post_accumulate_grad_hook(
            lambda t, seen=seen: seen.append(t.grad.tolist()))
        (h * h).sum().backward(retain_graph=True)
        handle.remove()
        (h * 1.0).sum().backward()  # removed: not called again
        log[lib] = (seen, x.grad.tolist(), h.grad.tolist())
        with pytest.raises(RuntimeError, match="non-leaf"):
            h.register_post_accumulate_grad_hook(lambda t: None)
        with pytest.raises(RuntimeError, match="requires_grad=False"):
            lib.tensor(a).retain_grad()
    assert log[ln] == log[torch]


@needs_torch
def test_functional_signatures_match_pytorch_positionally():
    import inspect

    for ours, theirs in ((autograd.grad, torch.autograd.grad),
                         (autograd.backward, torch.autograd.backward),
                         (ln.Tensor.backward, torch.Tensor.backward)):
        names = list(inspect.signature(ours).parameters)
        assert names == list(inspect.signature(theirs).parameters)[:len(names)], ours
    x = _leaf([1.0, 2.0])
    (g,) = autograd.grad((x * x).sum(), x, None, None, False, True, False)  # PyTorch's order
    assert g.tolist() == [2.0, 4.0]
    with pytest.raises(NotImplementedError, match="vmap"):
        autograd.grad((x * x).sum(), x, is_grads_batched=True)
    autograd.backward([(x * x).sum()], grad_variables=[None])
    assert x.grad.tolist() == [2.0, 4.0]


def test_gradcheck_takes_pytorchs_call_and_leaves_grad_alone():
    x, w = _leaf([0.3, -1.2, 2.0]), _leaf([0.5, 0.1, -0.4])
    x.grad = ln.tensor(np.full(3, 7.0))

    def two_outputs(a, b, k):
        return (a * b).sin() * k, (a.exp() * b).sum()

    assert gradcheck(two_outputs, (x, w, 2.0), eps=1e-6, atol=1e-5, rtol=1e-3,
                     raise_exception=True, nondet_tol=0.0, fast_mode=False)
    assert x.grad.tolist() == [7.0, 7.0, 7.0] and w.grad is None  # untouched
    wrong = type("Wrong", (autograd.Function,), {
        "forward": staticmethod(lambda ctx, a: a * a),
        "backward": staticmethod(lambda ctx, g: g * 3.0)})
    assert gradcheck(wrong.apply, (x,), raise_exception=False) is False
    with pytest.raises(AssertionError, match="input 0") as err:  # GradcheckError
        gradcheck(wrong.apply, (x,))
    # plain Python numbers in the message (no np.int64(0) / np.float64(...) / torch.Size)
    assert re.search(r"input 0 \(shape \(3,\)\) at index \(\d,\): backprop -?\d", str(err.value))
    assert "np." not in str(err.value) and "Size" not in str(err.value)
    with pytest.raises(NotImplementedError, match="forward-mode"):
        gradcheck(wrong.apply, (x,), check_forward_ad=True)


def test_rounding_ops_are_named_as_pytorch_names_their_nodes():
    """remainder / div(rounding_mode=) / floor_divide record the nodes PyTorch records (its
    NotImplemented node for the ops without a derivative formula); lucidnet still gives their
    almost-everywhere gradient."""
    a = ln.tensor([5.0, 7.0], requires_grad=True)
    b = ln.tensor([2.0, 3.0], requires_grad=True)
    cases = [(a % b, "RemainderBackward1", 2), (a % 2, "RemainderBackward0", 1),
             (ln.div(a, b, rounding_mode="floor"), "DivBackward2", 2),
             (a // b, "torch::autograd::NotImplemented", 2),
             (2 % a, "torch::autograd::NotImplemented", 1)]
    for t, name, inputs in cases:
        assert t.grad_fn.name() == name
        assert len(t.grad_fn.next_functions) == inputs
    assert repr(a // b).endswith("grad_fn=<NotImplemented>)")
    (a % b).sum().backward()
    assert a.grad.tolist() == [1.0, 1.0] and b.grad.tolist() == [-2.0, -2.0]
