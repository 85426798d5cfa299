"""ModuleDict, ParameterList, ParameterDict and the list editing of Sequential / ModuleList,
checked against torch.nn: keys, order, reprs, errors, training, and lucidnet.save / load."""

from collections import OrderedDict

import numpy as np
import pytest

import lucidnet as L
from lucidnet import nn

torch = pytest.importorskip("torch")
tnn = torch.nn


def _error(fn):
    """``(exception type name, message)`` of calling ``fn``."""
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value).__name__, str(info.value)


def _same_error(ours, theirs, same_message=True):
    a, b = _error(ours), _error(theirs)
    assert a[0] == b[0], (a, b)
    if same_message:
        assert a[1] == b[1]


def _copy_weights(ours, theirs):
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


# ---------------------------------------------------------------- ModuleDict
def test_module_dict_api_keys_and_repr_match_torch():
    def build(lib, mod):
        md = mod.ModuleDict({"b": mod.Linear(2, 3), "a": mod.Linear(3, 1)})
        md["c"] = mod.ReLU()
        md.update([("d", mod.Linear(1, 1)), ("b", mod.Linear(2, 2))])  # overwrite keeps place
        return md

    ours, theirs = build(L, nn), build(torch, tnn)
    assert list(ours) == list(theirs) == ["b", "a", "c", "d"]
    assert list(ours.keys()) == list(theirs.keys())
    assert [type(m).__name__ for m in ours.values()] == [type(m).__name__ for m in theirs.values()]
    assert [k for k, _ in ours.items()] == [k for k, _ in theirs.items()]
    assert len(ours) == len(theirs) == 4 and "c" in ours and "z" not in ours
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert repr(ours) == repr(theirs)
    assert type(ours.pop("c")).__name__ == type(theirs.pop("c")).__name__ == "ReLU"
    del ours["a"]
    del theirs["a"]
    assert list(ours) == list(theirs) == ["b", "d"]
    assert not hasattr(ours, "a")
    assert repr(ours) == repr(theirs)
    ours.clear()
    theirs.clear()
    assert len(ours) == len(theirs) == 0 and repr(ours) == repr(theirs) == "ModuleDict()"
    assert list(ours.parameters()) == []


def test_module_dict_keeps_order_of_ordered_dict_and_other_module_dict():
    pairs = [("z", nn.Linear(1, 1)), ("a", nn.Linear(1, 1))]
    assert list(nn.ModuleDict(OrderedDict(pairs))) == ["z", "a"]
    assert list(nn.ModuleDict(nn.ModuleDict(pairs))) == ["z", "a"]
    assert list(nn.ModuleDict(dict(pairs))) == ["z", "a"]  # as torch: insertion order
    assert list(tnn.ModuleDict({"z": tnn.Linear(1, 1), "a": tnn.Linear(1, 1)})) == ["z", "a"]


def test_module_dict_errors_match_torch():
    for key in (1, "a.b", "", "keys", "training"):
        _same_error(lambda k=key: nn.ModuleDict({k: nn.Linear(1, 1)}),
                    lambda k=key: tnn.ModuleDict({k: tnn.Linear(1, 1)}))
    _same_error(lambda: nn.ModuleDict({"a": 3}), lambda: tnn.ModuleDict({"a": 3}))
    _same_error(lambda: nn.ModuleDict(3), lambda: tnn.ModuleDict(3))
    _same_error(lambda: nn.ModuleDict([("a",)]), lambda: tnn.ModuleDict([("a",)]))
    _same_error(lambda: nn.ModuleDict()["x"], lambda: tnn.ModuleDict()["x"])
    _same_error(lambda: nn.ModuleDict().pop("x"), lambda: tnn.ModuleDict().pop("x"))


def test_module_dict_keeps_a_none_entry_like_torch():
    ours, theirs = nn.ModuleDict({"a": nn.Linear(1, 1)}), tnn.ModuleDict({"a": tnn.Linear(1, 1)})
    ours["n"], theirs["n"] = None, None
    assert list(ours) == list(theirs) == ["a", "n"]
    assert ours["n"] is None and len(list(ours.children())) == len(list(theirs.children())) == 1


# ---------------------------------------------------------------- ParameterList
def test_parameter_list_converts_tensors_and_keeps_objects_as_torch():
    def build(lib, mod):
        pl = mod.ParameterList([lib.zeros(2, 3), mod.Parameter(lib.zeros(4, dtype=lib.float64))])
        pl.append(lib.ones(1))
        pl.extend([lib.zeros(2), "note"])
        pl += [lib.zeros(0)]
        pl[0] = lib.ones(3, 3)
        return pl

    ours, theirs = build(L, nn), build(torch, tnn)
    assert len(ours) == len(theirs) == 6
    assert [type(p).__name__ for p in ours] == [type(p).__name__ for p in theirs]
    assert isinstance(ours[0], nn.Parameter) and ours[0].shape == (3, 3)
    assert ours[-2] == "note" and ours[-1].shape == (0,)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["0", "1", "2", "3", "5"]
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert repr(ours) == repr(theirs)
    assert repr(nn.ParameterList()) == repr(tnn.ParameterList()) == "ParameterList()"
    one = (nn.ParameterList([L.zeros(2)]), tnn.ParameterList([torch.zeros(2)]))
    assert repr(one[0]) == repr(one[1])  # a single entry prints on the first line, as torch
    part = ours[1:5:2]
    assert type(part) is nn.ParameterList and len(part) == 2 and part[0] is ours[1]
    assert repr(part) == repr(theirs[1:5:2])
    assert ours[-1] is ours[5] and list(iter(ours))[2] is ours[2]


def test_parameter_list_of_a_tensor_becomes_a_parameter_sharing_nothing_unexpected():
    t = L.tensor([1.0, 2.0])
    pl = nn.ParameterList([t])
    assert isinstance(pl[0], nn.Parameter) and pl[0].requires_grad
    assert np.array_equal(pl[0].detach().numpy(), [1.0, 2.0])


def test_parameter_list_errors_match_torch():
    _same_error(lambda: nn.ParameterList().extend(3), lambda: tnn.ParameterList().extend(3))
    _same_error(lambda: nn.ParameterList().extend(L.zeros(2)),
                lambda: tnn.ParameterList().extend(torch.zeros(2)))
    _same_error(lambda: nn.ParameterList([L.zeros(1)])[3],
                lambda: tnn.ParameterList([torch.zeros(1)])[3], same_message=False)
    _same_error(lambda: nn.ParameterList([L.zeros(1)])["0"],
                lambda: tnn.ParameterList([torch.zeros(1)])["0"])
    _same_error(lambda: nn.ParameterList([L.zeros(1)])(L.zeros(1)),
                lambda: tnn.ParameterList([torch.zeros(1)])(torch.zeros(1)))

    def reassign(lib, mod):
        pl = mod.ParameterList([lib.zeros(1)])
        pl[0] = 3

    _same_error(lambda: reassign(L, nn), lambda: reassign(torch, tnn), same_message=False)


# ---------------------------------------------------------------- ParameterDict
def test_parameter_dict_api_order_and_repr_match_torch():
    def build(lib, mod):
        pd = mod.ParameterDict({"b": lib.zeros(2), "a": lib.zeros(1, 2), "c": "x"})  # sorted
        pd.update(OrderedDict([("z", lib.ones(3)), ("d", mod.Parameter(lib.ones(1)))]))
        pd["e"] = lib.zeros(2, 2, dtype=lib.float64)
        return pd

    ours, theirs = build(L, nn), build(torch, tnn)
    assert list(ours) == list(theirs) == ["a", "b", "c", "z", "d", "e"]
    assert list(reversed(ours)) == list(reversed(theirs))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert repr(ours) == repr(theirs)
    assert isinstance(ours["z"], nn.Parameter) and ours["c"] == "x"
    assert ours.get("nope", 5) == theirs.get("nope", 5) == 5
    assert ours.setdefault("c") == "x" and ours.setdefault("n") is None
    theirs.setdefault("n")
    assert ours.pop("b").shape == (2,) and theirs.pop("b").shape == (2,)
    assert ours.popitem()[0] == theirs.popitem()[0] == "n"
    assert list(ours) == list(theirs) and "b" not in ours and len(ours) == len(theirs)
    merged = ours | nn.ParameterDict(OrderedDict([("q", L.zeros(1))]))
    assert list(merged) == list(ours) + ["q"] and merged["a"] is ours["a"]
    ours |= {"q": L.zeros(1)}
    assert list(ours) == list(merged)
    assert list(ours.copy()) == list(ours) and ours.copy()["a"] is ours["a"]
    assert list(ours.fromkeys(["x", "y"], 1)) == ["x", "y"]
    ours.clear()
    assert len(ours) == 0 and list(ours.parameters()) == [] and repr(ours) == "ParameterDict()"


def test_parameter_dict_errors_match_torch():
    _same_error(lambda: nn.ParameterDict({1: L.zeros(1)}),
                lambda: tnn.ParameterDict({1: torch.zeros(1)}), same_message=False)
    _same_error(lambda: nn.ParameterDict(3), lambda: tnn.ParameterDict(3), same_message=False)
    _same_error(lambda: nn.ParameterDict({"keys": L.zeros(1)}),
                lambda: tnn.ParameterDict({"keys": torch.zeros(1)}))
    _same_error(lambda: nn.ParameterDict({"a.b": L.zeros(1)}),
                lambda: tnn.ParameterDict({"a.b": torch.zeros(1)}))
    _same_error(lambda: nn.ParameterDict()(L.zeros(1)), lambda: tnn.ParameterDict()(torch.zeros(1)))
    # a missing key: AttributeError as torch raises, and a KeyError as a dict does
    with pytest.raises(AttributeError):
        nn.ParameterDict()["x"]
    with pytest.raises(KeyError):
        nn.ParameterDict()["x"]
    with pytest.raises(AttributeError):
        tnn.ParameterDict()["x"]
    assert "update" not in nn.ParameterDict()  # methods are not keys


# ---------------------------------------------------------------- Sequential and ModuleList
def test_sequential_editing_matches_torch():
    named = (nn.Sequential(OrderedDict([("first", nn.Linear(1, 2)), ("act", nn.ReLU())])),
             tnn.Sequential(OrderedDict([("first", tnn.Linear(1, 2)), ("act", tnn.ReLU())])))
    assert list(named[0].state_dict()) == list(named[1].state_dict()) == \
        ["first.weight", "first.bias"]
    assert repr(named[0]) == repr(named[1]) and named[0][-1] is named[0].act
    assert list(named[0][1:]._modules) == list(named[1][1:]._modules) == ["act"]

    def build(mod):
        seq = mod.Sequential(mod.Linear(1, 2), mod.ReLU())
        assert seq.append(mod.Linear(2, 3)) is seq
        assert seq.extend([mod.Tanh()]) is seq
        assert seq.insert(1, mod.Linear(2, 2)) is seq
        return seq

    ours, theirs = build(nn), build(tnn)
    assert len(ours) == len(theirs) == 5
    assert type(ours[-1]).__name__ == type(theirs[-1]).__name__ == "Tanh"
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    for part in (slice(1, None), slice(None, None, 2), slice(-2, None)):
        a, b = ours[part], theirs[part]
        assert type(a) is nn.Sequential and list(a._modules) == list(b._modules)
        assert list(a.state_dict()) == list(b.state_dict())
    s2 = (nn.Sequential(nn.Linear(1, 1)), tnn.Sequential(tnn.Linear(1, 1)))
    added = (ours + s2[0], theirs + s2[1])
    assert list(added[0].state_dict()) == list(added[1].state_dict())
    assert repr(added[0]) == repr(added[1])
    times = (s2[0] * 3, 2 * s2[0], s2[1] * 3)
    assert len(times[0]) == 3 and times[0][2] is s2[0][0] and len(times[1]) == 2
    assert repr(times[0]) == repr(times[2])
    assert type(ours.pop(0)).__name__ == type(theirs.pop(0)).__name__ == "Linear"
    assert list(ours._modules) == list(theirs._modules) == ["0", "1", "2", "3"]
    ours += s2[0]
    theirs += s2[1]
    assert list(ours._modules) == list(theirs._modules) and len(ours) == 5
    _same_error(lambda: ours + nn.ModuleList(), lambda: theirs + tnn.ModuleList(),
                same_message=False)
    _same_error(lambda: ours * 0, lambda: theirs * 0, same_message=False)
    _same_error(lambda: ours * 1.5, lambda: theirs * 1.5, same_message=False)


def test_module_list_editing_and_repr_match_torch():
    def build(mod):
        ml = mod.ModuleList([mod.Linear(2, 2) for _ in range(3)])  # equal reprs: one run
        assert ml.append(mod.ReLU()) is ml
        assert ml.extend([mod.Linear(2, 1)]) is ml
        ml.insert(0, mod.Tanh())
        ml += [mod.Linear(1, 1)]
        return ml

    ours, theirs = build(nn), build(tnn)
    assert repr(ours) == repr(theirs)  # "(1-3): 3 x Linear(...)"
    assert "(1-3): 3 x Linear" in repr(ours)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert len(ours) == len(theirs) == 7 and type(ours[-1]).__name__ == "Linear"
    part = (ours[2:5], theirs[2:5])
    assert type(part[0]) is nn.ModuleList and repr(part[0]) == repr(part[1])
    both = (ours + part[0], theirs + part[1])
    assert type(both[0]) is nn.ModuleList and repr(both[0]) == repr(both[1])
    assert type(ours.pop(0)).__name__ == type(theirs.pop(0)).__name__ == "Tanh"
    assert repr(ours) == repr(theirs)
    _same_error(lambda: ours.extend(3), lambda: theirs.extend(3))
    assert repr(nn.ModuleList()) == repr(tnn.ModuleList()) == "ModuleList()"


# ---------------------------------------------------------------- a model using each container
class _Ours(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(3, 4), nn.Tanh())
        self.blocks = nn.ModuleList([nn.Linear(4, 4), nn.Linear(4, 4)])
        self.heads = nn.ModuleDict({"a": nn.Linear(4, 2), "b": nn.Linear(4, 2)})
        self.scales = nn.ParameterList([L.ones(2), L.full((2,), 0.5)])
        self.extra = nn.ParameterDict({"shift": L.zeros(2), "gain": L.ones(1)})

    def forward(self, x):
        h = self.layers(x)
        for block in self.blocks:
            h = L.relu(block(h)) + h
        out = self.heads["a"](h) * self.scales[0] + self.heads["b"](h) * self.scales[1]
        return out * self.extra["gain"] + self.extra["shift"]


class _Theirs(tnn.Module):
    def __init__(self):
        super().__init__()
        self.layers = tnn.Sequential(tnn.Linear(3, 4), tnn.Tanh())
        self.blocks = tnn.ModuleList([tnn.Linear(4, 4), tnn.Linear(4, 4)])
        self.heads = tnn.ModuleDict({"a": tnn.Linear(4, 2), "b": tnn.Linear(4, 2)})
        self.scales = tnn.ParameterList([torch.ones(2), torch.full((2,), 0.5)])
        self.extra = tnn.ParameterDict({"shift": torch.zeros(2), "gain": torch.ones(1)})

    def forward(self, x):
        h = self.layers(x)
        for block in self.blocks:
            h = torch.relu(block(h)) + h
        out = self.heads["a"](h) * self.scales[0] + self.heads["b"](h) * self.scales[1]
        return out * self.extra["gain"] + self.extra["shift"]


def test_model_keys_order_modes_and_casts_match_torch():
    ours, theirs = _Ours(), _Theirs()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert "heads.a.weight" in ours.state_dict() and "scales.0" in ours.state_dict()
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [tuple(p.shape) for p in ours.parameters()] == \
        [tuple(p.shape) for p in theirs.parameters()]
    assert repr(ours) == repr(theirs).replace("_Theirs", "_Ours")
    ours.eval()
    assert not any(m.training for m in ours.modules())
    assert len(list(ours.modules())) == len(list(theirs.modules()))
    ours.train()
    assert all(m.training for m in ours.modules())
    kept = ours.scales[0]
    assert ours.double() is ours and ours.scales[0] is kept
    assert {str(p.dtype) for p in ours.parameters()} == {"float64"}
    assert "torch.DoubleTensor" in repr(ours.extra) and "torch.float64" in repr(ours.scales)
    ours.to(L.float32)
    assert {str(p.dtype) for p in ours.parameters()} == {"float32"}
    ours.double().float()
    assert {str(p.dtype) for p in ours.parameters()} == {"float32"}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_training_steps_match_torch(dtype):
    torch.manual_seed(0)
    theirs = _Theirs().to(getattr(torch, dtype))
    ours = _Ours().to(getattr(L, dtype))
    _copy_weights(ours, theirs)
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((5, 3)).astype(dtype), rng.standard_normal((5, 2)).astype(dtype)
    opt_o = L.optim.SGD(ours.parameters(), lr=0.1, momentum=0.9)
    opt_t = torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.9)
    tol = 1e-5 if dtype == "float32" else 1e-12
    for _ in range(3):
        opt_o.zero_grad()
        opt_t.zero_grad()
        loss_o = ((ours(L.tensor(x)) - L.tensor(y)) ** 2).mean()
        loss_t = ((theirs(torch.tensor(x)) - torch.tensor(y)) ** 2).mean()
        loss_o.backward()
        loss_t.backward()
        grads_o = {n: p.grad.numpy() for n, p in ours.named_parameters()}
        for n, p in theirs.named_parameters():
            np.testing.assert_allclose(grads_o[n], p.grad.numpy(), rtol=tol, atol=tol)
        opt_o.step()
        opt_t.step()
        np.testing.assert_allclose(loss_o.item(), loss_t.item(), rtol=tol)
    for k, v in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[k], v.numpy(), rtol=tol, atol=tol)
    ours.zero_grad()
    assert all(p.grad is None for p in ours.parameters())


# ---------------------------------------------------------------- lucidnet.save / load
def _round_trip(model, tmp_path):
    path = tmp_path / "model.npz"
    L.save(model, path)
    loaded = L.load(path)
    assert type(loaded) is type(model) and repr(loaded) == repr(model)
    a, b = model.state_dict(), loaded.state_dict()
    assert list(a) == list(b)
    for k in a:
        assert a[k].dtype == b[k].dtype and np.array_equal(a[k], b[k]), k
    return loaded


def test_save_load_round_trip_of_each_container(tmp_path):
    md = nn.ModuleDict({"z": nn.Linear(2, 3), "a": nn.Sequential(nn.Linear(3, 1))})
    md["late"] = nn.Linear(1, 1)
    _round_trip(md, tmp_path)
    pl = nn.ParameterList([L.randn(2, 3), nn.Parameter(L.randn(4), requires_grad=False), "tag"])
    pl.append(L.randn(1))
    loaded = _round_trip(pl, tmp_path)
    assert [getattr(p, "requires_grad", None) for p in loaded] == [True, False, None, True]
    assert loaded[2] == "tag"
    pd = nn.ParameterDict(OrderedDict([("w", L.randn(2)), ("b", L.randn(3, 1))]))
    pd["n"] = 7
    assert list(_round_trip(pd, tmp_path)) == ["w", "b", "n"]
    _round_trip(nn.ParameterList(), tmp_path)
    _round_trip(nn.ParameterDict(), tmp_path)
    _round_trip(nn.ModuleDict(), tmp_path)


def test_save_load_round_trip_of_a_model_edited_after_construction(tmp_path):
    model = _Ours()
    model.scales.append(L.randn(2))
    del model.extra["gain"]
    model.extra["gain"] = L.full((2,), 2.0)  # now after "shift", another shape
    model.heads["c"] = nn.Linear(4, 2)
    model.double()
    loaded = _round_trip(model, tmp_path)
    assert isinstance(loaded.scales[2], nn.Parameter) and list(loaded.extra) == ["shift", "gain"]
    assert loaded.extra["gain"].shape == (2,)
    x = L.randn(3, 3, dtype=L.float64)
    np.testing.assert_array_equal(loaded.heads["c"](loaded.layers(x)).detach().numpy(),
                                  model.heads["c"](model.layers(x)).detach().numpy())
    # the loaded model trains: its containers' parameters reach the optimizer
    opt = L.optim.SGD(loaded.parameters(), lr=0.1)
    before = [np.array(p.detach().numpy()) for p in (loaded.scales[0], loaded.extra["gain"])]
    (loaded(x) ** 2).sum().backward()
    opt.step()
    after = [np.array(p.detach().numpy()) for p in (loaded.scales[0], loaded.extra["gain"])]
    assert not any(np.array_equal(b, a) for b, a in zip(before, after))


def test_save_load_of_a_parameter_list_subclass_records_its_own_arguments(tmp_path):
    class Bank(nn.ParameterList):
        def __init__(self, n):
            super().__init__([L.zeros(n) for _ in range(2)])

    bank = Bank(3)
    with L.no_grad():
        bank[0].add_(1.5)
    loaded = _round_trip(bank, tmp_path)
    assert len(loaded) == 2 and loaded[0].shape == (3,)
