"""Module hooks (forward pre, forward, full backward pre, full backward) against PyTorch."""

import copy

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn

torch = pytest.importorskip("torch")

W1 = np.random.default_rng(0).standard_normal((4, 3))
W2 = np.random.default_rng(1).standard_normal((2, 4))
X = np.random.default_rng(2).standard_normal((5, 3))


def _pair():
    ours = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double()
    ref = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)).double()
    for (i, w) in ((0, W1), (2, W2)):
        ours[i].weight.data[:] = w
        ours[i].bias.data[:] = 0.1
        with torch.no_grad():
            ref[i].weight.copy_(torch.tensor(w))
            ref[i].bias.fill_(0.1)
    return ours, ref


def _close(a, b):
    if b is None:
        assert a is None
        return
    np.testing.assert_allclose(np.asarray(a), b.detach().numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.filterwarnings("ignore:Full backward hook is firing")
@pytest.mark.parametrize("needs_input_grad", [False, True])
def test_hooks_see_what_pytorch_hooks_see(needs_input_grad):
    (ours, ref), seen = _pair(), {"ours": [], "ref": []}
    for model, key in ((ours, "ours"), (ref, "ref")):
        log = seen[key]
        model[1].register_forward_pre_hook(lambda m, a, log=log: log.append(("pre", a[0])))
        model[1].register_forward_hook(lambda m, a, o, log=log: log.append(("fwd", o)))
        model[2].register_full_backward_pre_hook(lambda m, go, log=log: log.append(("bpre", go[0])))
        model[0].register_full_backward_hook(
            lambda m, gi, go, log=log: log.append(("bwd", gi[0], go[0])))
    x = ln.tensor(X, requires_grad=needs_input_grad)
    rx = torch.tensor(X, requires_grad=needs_input_grad)
    (ours(x) ** 2).sum().backward()
    (ref(rx) ** 2).sum().backward()
    assert [e[0] for e in seen["ours"]] == [e[0] for e in seen["ref"]]
    for a, b in zip(seen["ours"], seen["ref"]):
        for u, v in zip(a[1:], b[1:]):
            _close(u, v)
    _close(ours[0].weight.grad, ref[0].weight.grad)
    if needs_input_grad:
        _close(x.grad, rx.grad)


def test_returned_values_replace_inputs_outputs_and_gradients():
    ours, ref = _pair()
    for model in (ours, ref):
        model[1].register_forward_pre_hook(lambda m, a: a[0] * 2)  # a non-tuple is wrapped
        model[1].register_forward_hook(lambda m, a, o: o + 1)
        model[2].register_full_backward_pre_hook(lambda m, go: (go[0] * 3,))
        model[1].register_full_backward_hook(lambda m, gi, go: (gi[0] * 0.5,))
    x, rx = ln.tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    out, rout = ours(x), ref(rx)
    _close(out, rout)
    out.sum().backward()
    rout.sum().backward()
    _close(x.grad, rx.grad)
    _close(ours[0].weight.grad, ref[0].weight.grad)
    _close(ours[2].weight.grad, ref[2].weight.grad)


def test_remove_prepend_with_kwargs_and_context_manager():
    lin, order = nn.Linear(3, 2), []
    h1 = lin.register_forward_hook(lambda m, a, o: order.append(1))
    lin.register_forward_hook(lambda m, a, o: order.append(0), prepend=True)
    lin(ln.ones(1, 3))
    assert order == [0, 1]
    h1.remove()
    h1.remove()  # twice is harmless
    lin(ln.ones(1, 3))
    assert order == [0, 1, 0]
    seen = []
    with lin.register_forward_pre_hook(lambda m, a, k: seen.append(k) or ((a[0] * 0,), k),
                                       with_kwargs=True):
        assert float(lin(ln.ones(1, 3)).sum()) == pytest.approx(float(lin.bias.sum()))
    lin(ln.ones(1, 3))
    assert seen == [{}]  # removed on leaving the with block


def test_feature_extraction_and_hooks_survive_deepcopy_and_no_grad():
    model, _ = _pair()
    feats = {}
    model[1].register_forward_hook(lambda m, a, o: feats.setdefault("tanh", o))
    twin = copy.deepcopy(model)
    with ln.no_grad():
        twin(ln.tensor(X))
    assert tuple(feats["tanh"].shape) == (5, 4) and not feats["tanh"].requires_grad
    calls = []
    model[0].register_full_backward_hook(lambda m, gi, go: calls.append(1))
    with ln.no_grad():
        model(ln.tensor(X))  # no graph: the backward hook never fires, nothing breaks
    assert calls == []


def test_bad_hooks_are_clear_errors():
    lin = nn.Linear(3, 2)
    with pytest.raises(TypeError, match="callable"):
        lin.register_forward_hook(3)
    lin.register_forward_pre_hook(lambda m, a, k: 5, with_kwargs=True)
    with pytest.raises(RuntimeError, match=r"\(args, kwargs\)"):
        lin(ln.ones(1, 3))


def test_a_module_without_hooks_calls_forward_directly():
    lin = nn.Linear(3, 2)
    assert lin._hooks is None and "_hooks" not in vars(lin)
    h = lin.register_forward_hook(lambda m, a, o: None)
    h.remove()
    np.testing.assert_array_equal(np.asarray(lin(ln.ones(1, 3))),
                                  np.asarray(lin.forward(ln.ones(1, 3))))
