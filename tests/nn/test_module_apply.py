"""Module.apply visits modules in PyTorch's order (children first, registration order, then self)."""

import pytest

import lucidnet as ln
from lucidnet import nn


def _names(model):
    seen = []
    model.apply(lambda m: seen.append(type(m).__name__))
    return seen


def test_apply_order_matches_pytorch_on_nested_models():
    torch = pytest.importorskip("torch")

    def build(lib):
        inner = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.ReLU())
        return lib.nn.Sequential(lib.nn.Conv2d(1, 2, 3), inner, lib.nn.BatchNorm1d(3),
                                 lib.nn.Sequential(lib.nn.Tanh()), lib.nn.Linear(3, 1))

    assert _names(build(ln)) == _names(build(torch))


def test_apply_returns_self_and_a_shared_child_is_visited_where_pytorch_visits_it():
    torch = pytest.importorskip("torch")
    ours_shared, ref_shared = nn.Linear(2, 2), torch.nn.Linear(2, 2)
    ours = nn.Sequential(ours_shared, nn.ReLU(), ours_shared)
    ref = torch.nn.Sequential(ref_shared, torch.nn.ReLU(), ref_shared)
    assert ours.apply(lambda m: None) is ours
    assert _names(ours) == _names(ref)
    assert [n for n, _ in ours.named_children()] == [n for n, _ in ref.named_children()] == ["0", "1"]


def test_apply_initialises_in_the_order_it_visits():
    ln.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Sequential(nn.Linear(4, 4)), nn.Linear(4, 1))
    order = []

    def init(m):
        if isinstance(m, nn.Linear):
            order.append(m)
            nn.init.constant_(m.weight, len(order))

    model.apply(init)
    assert order == [model[0], model[1][0], model[2]]
    assert float(model[1][0].weight.data[0, 0]) == 2.0


def test_tensor_device_flags_are_false_except_cpu():
    t = ln.ones(2)
    assert t.is_cpu and not t.is_cuda
    for flag in ("is_xpu", "is_mps", "is_meta", "is_quantized", "is_sparse", "is_mkldnn",
                 "is_nested"):
        assert getattr(t, flag) is False
