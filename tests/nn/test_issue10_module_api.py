"""Issue 10, part 3: nn.Module's API against torch.nn.Module, the same module tree built in both
(traversal, registration, attribute rules, state dicts, modes, dtype moves, hooks, repr)."""

import warnings

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn
from lucidnet.nn.module import StateDictError

torch = pytest.importorskip("torch")
tnn = torch.nn


def _tree(lib):
    """A tree with a module registered under two names and a tied parameter."""
    shared = lib.nn.Linear(3, 3)
    net = lib.nn.Sequential(shared, lib.nn.ReLU(), lib.nn.Sequential(lib.nn.Linear(3, 2),
                                                                     lib.nn.Tanh()), shared)
    net.add_module("head", lib.nn.Linear(2, 2))
    net.tied = lib.nn.Linear(3, 3)
    net.tied.weight = net[0].weight  # the same Parameter in two modules
    return net


@pytest.fixture
def trees():
    return _tree(ln), _tree(torch)


def _names(pairs):
    return [name for name, _ in pairs]


# ---------------------------------------------------------------------- traversal
def test_named_modules_children_apply_match_torch(trees):
    ours, ref = trees
    assert _names(ours.named_modules()) == _names(ref.named_modules())
    assert _names(ours.named_modules(prefix="net")) == _names(ref.named_modules(prefix="net"))
    assert _names(ours.named_modules(remove_duplicate=False)) == \
        _names(ref.named_modules(remove_duplicate=False))
    memo_ours, memo_ref = {ours[2]}, {ref[2]}  # a memo skips what it holds, and fills up
    assert _names(ours.named_modules(memo_ours)) == _names(ref.named_modules(memo_ref))
    assert len(memo_ours) == len(memo_ref)
    assert len(list(ours.modules())) == len(list(ref.modules()))
    assert _names(ours.named_children()) == _names(ref.named_children())
    assert len(list(ours.children())) == len(list(ref.children()))
    seen = {"ours": [], "ref": []}
    ours.apply(lambda m: seen["ours"].append(type(m).__name__))
    ref.apply(lambda m: seen["ref"].append(type(m).__name__))
    assert seen["ours"] == seen["ref"]
    assert ours.apply(lambda m: None) is ours


def test_named_parameters_and_buffers_match_torch(trees):
    ours, ref = trees
    assert _names(ours.named_parameters()) == _names(ref.named_parameters())
    assert _names(ours.named_parameters(remove_duplicate=False)) == \
        _names(ref.named_parameters(remove_duplicate=False))
    assert _names(ours.named_parameters(prefix="m")) == _names(ref.named_parameters(prefix="m"))
    assert _names(ours.tied.named_parameters(recurse=False)) == \
        _names(ref.tied.named_parameters(recurse=False))
    assert list(ours.parameters(recurse=False)) == [] == list(ref.parameters(recurse=False))
    assert len(list(ours.parameters())) == len(list(ref.parameters()))
    for lib, net in ((ln, ours), (torch, ref)):
        bn = lib.nn.BatchNorm1d(3)
        net.add_module("bn", bn)
        net.add_module("bn_again", bn)
    assert _names(ours.named_buffers()) == _names(ref.named_buffers())
    assert _names(ours.named_buffers(remove_duplicate=False)) == \
        _names(ref.named_buffers(remove_duplicate=False))
    assert _names(ours.bn.named_buffers(prefix="x", recurse=False)) == \
        _names(ref.bn.named_buffers(prefix="x", recurse=False))
    assert len(list(ours.buffers())) == len(list(ref.buffers())) == 3


def test_state_dict_keeps_every_path_of_a_shared_module_as_torch(trees):
    ours, ref = trees
    assert list(ours.state_dict()) == list(ref.state_dict())
    assert list(ours.state_dict(prefix="model.")) == list(ref.state_dict(prefix="model."))
    kept = ours.state_dict(keep_vars=True)
    assert kept["0.weight"] is ours[0].weight and kept["tied.weight"] is ours[0].weight
    copied = ours.state_dict()
    copied["0.weight"][...] = 7.0  # a copy: the model does not change
    assert not np.any(ours[0].weight.data == 7.0)
    destination = {}
    assert ours.state_dict(destination=destination) is destination
    assert list(destination) == list(ref.state_dict())
    # the round trip through PyTorch's state dict
    ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    for name in ("0", "2.0", "tied", "head"):
        np.testing.assert_allclose(ours.get_submodule(name).weight.data,
                                   ref.get_submodule(name).weight.detach().numpy())
    np.testing.assert_allclose(ours[2](ln.tensor(x)).data,
                               ref[2](torch.tensor(x)).detach().numpy(), rtol=1e-6)


# ---------------------------------------------------------------------- buffers and parameters
class _Masked:
    @staticmethod
    def make(lib, persistent):
        class Masked(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = lib.nn.Linear(2, 2)
                self.register_buffer("mask", lib.ones(2, 2), persistent=persistent)
                self.register_buffer("scale", lib.ones(2))
                self.register_buffer("nothing", None)
                self.register_parameter("extra", None)

            def forward(self, x):
                return self.lin(x) * self.scale

        return Masked()


@pytest.mark.parametrize("persistent", [True, False])
def test_non_persistent_buffers_as_torch(persistent):
    ours, ref = _Masked.make(ln, persistent), _Masked.make(torch, persistent)
    assert list(ours.state_dict()) == list(ref.state_dict())
    assert _names(ours.named_buffers()) == _names(ref.named_buffers()) == ["mask", "scale"]
    assert _names(ours.named_parameters()) == _names(ref.named_parameters())
    assert ours.nothing is None and ours.extra is None and "extra" in ours._parameters
    ours.double()
    assert ours.mask.dtype == np.float64 and ours.scale.dtype == np.float64  # moved by to()
    state = {k: v.detach().numpy() for k, v in ref.state_dict().items()}
    assert repr(ours.load_state_dict(state)) == repr(ref.load_state_dict(ref.state_dict()))
    state["mask"] = np.zeros((2, 2), np.float32)  # unexpected when mask is not persistent
    r_ours = ours.load_state_dict(state, strict=False)
    r_ref = ref.load_state_dict({k: torch.tensor(v) for k, v in state.items()}, strict=False)
    assert r_ours == tuple(r_ref) and repr(r_ours) == repr(r_ref)
    # re-registering changes the flag both ways
    ours.register_buffer("mask", ln.zeros(2), persistent=True)
    assert "mask" in ours.state_dict()
    ours.register_buffer("mask", ln.zeros(2), persistent=False)
    assert "mask" not in ours.state_dict() and "mask" in dict(ours.named_buffers())
    del ours.mask
    assert "mask" not in ours._non_persistent_buffers_set and not hasattr(ours, "mask")


def _both_raise(fn_ours, fn_ref, exact=True):
    with pytest.raises(Exception) as e_ours:
        fn_ours()
    with pytest.raises(Exception) as e_ref:
        fn_ref()
    assert type(e_ours.value) is type(e_ref.value), (e_ours.value, e_ref.value)
    if exact:
        assert str(e_ours.value) == str(e_ref.value)
    return e_ours.value


@pytest.mark.parametrize("method", ["register_buffer", "register_parameter", "add_module"])
@pytest.mark.parametrize("name", ["a.b", "", 3, "forward_attr"])
def test_registration_name_errors_as_torch(method, name):
    ours, ref = nn.Module(), tnn.Module()
    ours.forward_attr = ref.forward_attr = 1  # an existing plain attribute
    value = {"register_buffer": (ln.ones(1), torch.ones(1)),
             "register_parameter": (nn.Parameter(ln.ones(1)), tnn.Parameter(torch.ones(1))),
             "add_module": (nn.ReLU(), tnn.ReLU())}[method]
    _both_raise(lambda: getattr(ours, method)(name, value[0]),
                lambda: getattr(ref, method)(name, value[1]))


def test_registration_type_errors_as_torch():
    ours, ref = nn.Module(), tnn.Module()
    _both_raise(lambda: ours.register_parameter("w", ln.ones(2)),
                lambda: ref.register_parameter("w", torch.ones(2)))
    _both_raise(lambda: ours.add_module("m", 3), lambda: ref.add_module("m", 3))
    err = _both_raise(lambda: ours.register_buffer("b", 3), lambda: ref.register_buffer("b", 3),
                      exact=False)
    assert "cannot assign 'int' object to buffer 'b'" in str(err)
    ours.register_buffer("arr", np.zeros(2))  # lucidnet's buffers may also be NumPy arrays
    assert "arr" in ours.state_dict()


def test_setattr_and_delattr_semantics_as_torch():
    for lib in (ln, torch):
        m = lib.nn.Linear(2, 2)
        m.weight = None  # a parameter slot takes None and stays registered
        assert "weight" in m._parameters and m.weight is None
        assert [k for k, _ in m.named_parameters()] == ["bias"]
        assert list(m.state_dict()) == ["bias"]
        m.weight = lib.nn.Parameter(lib.zeros(2, 2))
        assert list(m.state_dict()) == ["weight", "bias"]  # the slot keeps its place
        c = lib.nn.Sequential(lib.nn.ReLU())
        c.extra = lib.nn.Tanh()
        c.extra = None  # a child slot takes None
        assert "extra" in c._modules and c.extra is None
        c.extra = lib.nn.Parameter(lib.ones(1))  # a Parameter replaces the child
        assert "extra" not in c._modules and "extra" in c._parameters
        with pytest.raises(TypeError, match="as parameter 'extra'"):
            c.extra = lib.nn.ReLU()  # a parameter slot takes only a Parameter or None
        del c.extra
        c.extra = lib.nn.ReLU()
        assert "extra" not in c._parameters and "extra" in c._modules
        del c.extra
        assert "extra" not in c._modules and not hasattr(c, "extra")
        c.plain = 3
        del c.plain
        assert not hasattr(c, "plain")
    lin_ours, lin_ref = nn.Linear(2, 2), tnn.Linear(2, 2)
    _both_raise(lambda: setattr(lin_ours, "weight", 3), lambda: setattr(lin_ref, "weight", 3))
    seq_ours, seq_ref = nn.Sequential(nn.ReLU()), tnn.Sequential(tnn.ReLU())
    _both_raise(lambda: setattr(seq_ours, "0", 3), lambda: setattr(seq_ref, "0", 3))
    bn_ours, bn_ref = nn.BatchNorm1d(2), tnn.BatchNorm1d(2)
    err = _both_raise(lambda: setattr(bn_ours, "running_mean", "x"),
                      lambda: setattr(bn_ref, "running_mean", "x"), exact=False)
    assert "cannot assign 'str' as buffer 'running_mean'" in str(err)
    bn_ours.running_mean = ln.zeros(2)  # a tensor or an array is a buffer's new value
    assert bn_ours._buffers["running_mean"] is bn_ours.running_mean
    _both_raise(lambda: delattr(seq_ours, "nope"), lambda: delattr(seq_ref, "nope"),
                exact=False)


def _early(lib):
    class Early(lib.nn.Module):
        def __init__(self, kind):
            self.plain = 1  # a plain attribute before __init__ is allowed
            if kind == "param":
                self.w = lib.nn.Parameter(lib.ones(1))
            elif kind == "module":
                self.m = lib.nn.ReLU()
            super().__init__()

    return Early


@pytest.mark.parametrize("lib", [ln, torch], ids=["lucidnet", "torch"])
def test_assignment_before_init_as_torch(lib):
    early = _early(lib)
    assert early("plain").plain == 1
    with pytest.raises(AttributeError, match="cannot assign parameters before Module"):
        early("param")
    with pytest.raises(AttributeError, match="cannot assign module before Module"):
        early("module")


def test_getattr_finds_members_put_into_the_tables():
    m = nn.Module()
    m._parameters["w"] = nn.Parameter(ln.ones(2))
    m._modules["child"] = nn.ReLU()
    assert m.w is m._parameters["w"] and isinstance(m.child, nn.ReLU)
    assert _names(m.named_parameters()) == ["w"]
    ref = tnn.Module()
    _both_raise(lambda: m.missing, lambda: ref.missing)


def test_dir_lists_members_without_numbered_entries():
    for lib in (ln, torch):
        net = lib.nn.Sequential(lib.nn.Linear(2, 2))
        net.head = lib.nn.Linear(2, 1)
        net.register_buffer("steps", lib.zeros(1))
        names = dir(net)
        assert {"head", "steps", "forward", "state_dict", "training"} <= set(names)
        assert "0" not in names and names == sorted(names)
        assert {"weight", "bias"} <= set(dir(net.head))


# ---------------------------------------------------------------------- paths
def test_get_submodule_parameter_buffer_as_torch():
    def build(lib):
        net = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.BatchNorm1d(3))
        outer = lib.nn.Module()
        outer.body = net
        outer.scale = lib.nn.Parameter(lib.ones(1))
        return outer

    ours, ref = build(ln), build(torch)
    assert ours.get_submodule("") is ours
    assert ours.get_submodule("body.1") is ours.body[1]
    assert ours.get_parameter("body.0.weight") is ours.body[0].weight
    assert ours.get_parameter("scale") is ours.scale
    assert ours.get_buffer("body.1.running_mean") is ours.body[1].running_mean
    for target in ("body.7", "body.0.weight", "nothing.deeper"):
        _both_raise(lambda t=target: ours.get_submodule(t), lambda t=target: ref.get_submodule(t))
    for target in ("body.0.nothing", "body.1.running_mean", "body.0"):
        _both_raise(lambda t=target: ours.get_parameter(t), lambda t=target: ref.get_parameter(t))
    for target in ("body.1.nothing", "body.0.weight"):
        _both_raise(lambda t=target: ours.get_buffer(t), lambda t=target: ref.get_buffer(t))
    new = nn.Tanh()
    ours.set_submodule("body.0", new)
    assert ours.body[0] is new and list(ours.body._modules) == ["0", "1"]
    ours.set_submodule("body.2", nn.ReLU())  # not strict: a new child
    assert isinstance(ours.body[2], nn.ReLU)
    _both_raise(lambda: ours.set_submodule("body.9", nn.ReLU(), strict=True),
                lambda: ref.set_submodule("body.9", tnn.ReLU(), strict=True))
    _both_raise(lambda: ours.set_submodule("", nn.ReLU()), lambda: ref.set_submodule("", tnn.ReLU()))
    _both_raise(lambda: ours.set_submodule("scale", nn.ReLU()),
                lambda: ref.set_submodule("scale", tnn.ReLU()))
    ours.register_module("extra", nn.ReLU())
    assert ours.get_submodule("extra") is ours.extra


# ---------------------------------------------------------------------- modes, grads, dtypes
def _frozen_net(lib, calls):
    class Frozen(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = lib.nn.Dropout(0.5)

        def train(self, mode=True):
            calls.append(mode)
            super().train(mode)
            self.inner.training = False  # always evaluates the dropout
            return self

    return lib.nn.Sequential(lib.nn.Linear(2, 2), Frozen())


def test_train_eval_go_through_each_child_train_as_torch():
    calls = {ln: [], torch: []}
    for lib in (ln, torch):
        net = _frozen_net(lib, calls[lib])
        assert net.eval() is net and not net[0].training and not net[1].training
        assert net.train() is net and net[0].training and net[1].training
        assert not net[1].inner.training  # the override ran
        with pytest.raises(ValueError, match="training mode is expected to be boolean"):
            net.train("yes")
    assert calls[ln] == calls[torch] == [False, True]


def test_zero_grad_and_requires_grad_():
    lin = nn.Linear(2, 2)
    (lin(ln.ones(1, 2)) ** 2).sum().backward()
    lin.zero_grad(set_to_none=False)
    assert np.all(lin.weight.grad.data == 0)
    lin.zero_grad()  # PyTorch's default: set_to_none=True
    assert lin.weight.grad is None
    assert lin.requires_grad_(False) is lin and not lin.weight.requires_grad
    lin.requires_grad_(requires_grad=True)
    assert lin.weight.requires_grad and lin.bias.requires_grad


def test_dtype_and_device_moves():
    net = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    net.register_buffer("cache", ln.ones(2), persistent=False)
    weight = net[0].weight
    assert net.double() is net and net[0].weight is weight and weight.dtype == np.float64
    assert net.cache.dtype == np.float64 and net[1].running_mean.dtype == np.float64
    assert net[1].num_batches_tracked.dtype == np.int64  # integer buffers keep their dtype
    net.half()
    assert weight.dtype == np.float16
    net.to(ln.float32)
    assert weight.dtype == np.float32 and net.cache.dtype == np.float32
    assert net.to("cpu") is net and net.cpu() is net and net.share_memory() is net
    net.to(ln.zeros(1, dtype=ln.float64))
    assert weight.dtype == np.float64
    with pytest.raises(TypeError, match="bfloat16"):
        net.bfloat16()
    with pytest.raises(TypeError, match="floating point"):
        net.to(ln.int32)
    with pytest.raises(RuntimeError):
        net.cuda()
    frozen = nn.Linear(2, 2).requires_grad_(False)
    assert frozen.type(ln.float64) is frozen and frozen.weight.dtype == np.float64


# ---------------------------------------------------------------------- load_state_dict
def _pair_linear_seq():
    return (nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)),
            tnn.Sequential(tnn.Linear(3, 4), tnn.ReLU(), tnn.Linear(4, 2)))


def _arrays(state):
    return {k: v.detach().numpy() for k, v in state.items()}


def test_load_state_dict_returns_incompatible_keys_as_torch():
    ours, ref = _pair_linear_seq()
    state = _arrays(ref.state_dict())
    r_ours, r_ref = ours.load_state_dict(state), ref.load_state_dict(ref.state_dict())
    assert repr(r_ours) == repr(r_ref) == "<All keys matched successfully>" == str(r_ours)
    assert r_ours.missing_keys == [] and r_ours.unexpected_keys == []
    partial = {k: v for k, v in state.items() if k != "2.bias"}
    partial["2.scale"], partial["junk"], partial["0"] = np.ones(1), np.ones(1), np.ones(1)
    r_ours = ours.load_state_dict(partial, strict=False)
    r_ref = ref.load_state_dict({k: torch.tensor(v) for k, v in partial.items()}, strict=False)
    assert repr(r_ours) == repr(r_ref) and r_ours == tuple(r_ref)
    assert type(r_ours).__name__ == "_IncompatibleKeys" and r_ours._fields == r_ref._fields
    missing, unexpected = r_ours  # a tuple still
    # found module by module: a key naming a child ("0") is unexpected too
    assert missing == ["2.bias"] and unexpected == ["junk", "0", "2.scale"]


def test_load_state_dict_errors_are_pytorchs():
    ours, ref = _pair_linear_seq()
    state = _arrays(ref.state_dict())
    bad = dict(state)
    del bad["0.bias"]
    bad["extra"] = np.ones(2, np.float32)
    bad["2.weight"] = np.ones((3, 4), np.float32)
    before = ours[2].weight.data.copy()
    with pytest.raises(RuntimeError) as e_ours:
        ours.load_state_dict(bad)
    with pytest.raises(RuntimeError) as e_ref:
        ref.load_state_dict({k: torch.tensor(v) for k, v in bad.items()})
    assert isinstance(e_ours.value, (StateDictError, ValueError))
    ours_lines, ref_lines = str(e_ours.value).split("\n"), str(e_ref.value).split("\n")
    assert ours_lines[0].startswith("Error(s) in loading state_dict for Sequential (")
    assert ref_lines[0] == "Error(s) in loading state_dict for Sequential:"
    assert ours_lines[1:len(ref_lines)] == ref_lines[1:]  # PyTorch's lines, word for word
    assert "missing keys: 0.bias" in ours_lines[0]
    np.testing.assert_array_equal(ours[2].weight.data, before)  # nothing changed
    # a shape mismatch is refused even when not strict, as PyTorch
    with pytest.raises(RuntimeError, match=r"size mismatch for 2.weight") as e_ours:
        ours.load_state_dict(bad, strict=False)
    with pytest.raises(RuntimeError) as e_ref:
        ref.load_state_dict({k: torch.tensor(v) for k, v in bad.items()}, strict=False)
    assert str(e_ours.value).split("\n")[1:2] == str(e_ref.value).split("\n")[1:]
    with pytest.raises(TypeError, match="dict-like"):
        ours.load_state_dict([1, 2])


def test_load_state_dict_assign_as_torch():
    ours, ref = _pair_linear_seq()
    ours[0].weight.requires_grad_(False)
    ref[0].weight.requires_grad_(False)
    state = {k: v.detach().numpy().astype(np.float64) for k, v in ref.state_dict().items()}
    old = ours[0].weight
    ours.load_state_dict(state, assign=True)
    ref.load_state_dict({k: torch.tensor(v) for k, v in state.items()}, assign=True)
    assert ours[0].weight is not old and isinstance(ours[0].weight, nn.Parameter)
    assert ours[0].weight.dtype == np.float64 == ref[0].weight.detach().numpy().dtype
    assert not ours[0].weight.requires_grad and ours[2].weight.requires_grad
    assert ours[0].weight.requires_grad == ref[0].weight.requires_grad
    x = np.random.default_rng(1).standard_normal((2, 3))
    np.testing.assert_allclose(ours(ln.tensor(x)).data, ref(torch.tensor(x)).detach().numpy(),
                               rtol=1e-12)
    copied = nn.Linear(3, 4)  # without assign the dtype of the model stays
    copied.load_state_dict({"weight": state["0.weight"], "bias": state["0.bias"]})
    assert copied.weight.dtype == np.float32


def test_load_state_dict_zero_d_buffers_and_shared_modules():
    ours, ref = nn.BatchNorm1d(2), tnn.BatchNorm1d(2)
    state = _arrays(ref.state_dict())
    state["num_batches_tracked"] = np.array([5])  # PyTorch 0.3's (1,) form of a 0-d entry
    assert repr(ours.load_state_dict(state)) == repr(
        ref.load_state_dict({k: torch.tensor(v) for k, v in state.items()}))
    assert int(ours.num_batches_tracked) == 5 == int(ref.num_batches_tracked)
    shared_ours, shared_ref = _tree(ln), _tree(torch)
    r_ours = shared_ours.load_state_dict({}, strict=False)
    r_ref = shared_ref.load_state_dict({}, strict=False)
    assert r_ours.missing_keys == r_ref.missing_keys


# ---------------------------------------------------------------------- calling and hooks
def test_forward_missing_and_call_vs_forward():
    _both_raise(lambda: nn.Module()(1), lambda: tnn.Module()(1))
    lin = nn.Linear(2, 2)
    seen = []
    lin.register_forward_hook(lambda m, a, o: seen.append("hook"))
    lin.forward(ln.ones(1, 2))  # forward skips hooks, __call__ runs them
    assert seen == []
    lin(ln.ones(1, 2))
    assert seen == ["hook"]


def _hook_logs(lib, fail):
    log = []

    class Boom(lib.nn.Module):
        def forward(self, x, scale=1.0):
            if fail:
                raise ValueError("boom")
            return x * scale

    m = Boom()
    m.register_forward_pre_hook(lambda mod, args: (args[0] + 1,))
    m.register_forward_pre_hook(lambda mod, args, kwargs: (args, {**kwargs, "scale": 2.0}),
                                with_kwargs=True)
    m.register_forward_hook(lambda mod, args, out: log.append(("plain", out is None)))
    m.register_forward_hook(lambda mod, args, out: log.append(("always", out is None)),
                            always_call=True)
    m.register_forward_hook(lambda mod, args, kwargs, out: log.append(("kw", kwargs["scale"])),
                            with_kwargs=True, always_call=True)
    m.register_forward_hook(lambda mod, args, out: log.append(("first", 0)), prepend=True)
    h = m.register_forward_hook(lambda mod, args, out: log.append(("removed", 0)))
    h.remove()
    h.remove()  # twice is harmless
    x = lib.ones(2)
    if fail:
        with pytest.raises(ValueError, match="boom"):
            m(x)
        return log, None
    return log, np.asarray(m(x).detach() if lib is torch else m(x).data)


@pytest.mark.parametrize("fail", [False, True])
def test_forward_hooks_with_kwargs_prepend_always_call_as_torch(fail):
    (log_ours, out_ours), (log_ref, out_ref) = _hook_logs(ln, fail), _hook_logs(torch, fail)
    assert log_ours == log_ref
    if not fail:
        np.testing.assert_allclose(out_ours, out_ref)  # (1 + 1) * 2


def test_always_call_hook_error_becomes_a_warning():
    lin = nn.Linear(2, 2)
    lin.register_forward_hook(lambda m, a, o: 1 / 0, always_call=True)
    with pytest.warns(UserWarning, match="always_call=True"):
        with pytest.raises(ValueError):
            lin(ln.ones(1, 5))  # wrong shape: forward raises first


@pytest.mark.filterwarnings("ignore:Full backward hook is firing")
def test_full_backward_hooks_grad_tuples_as_torch():
    seen = {ln: [], torch: []}
    for lib in (ln, torch):
        class Mix(lib.nn.Module):
            def forward(self, a, k, b):
                return a * k + b, a - b

        m = Mix()
        m.register_full_backward_pre_hook(
            lambda mod, go, lib=lib: seen[lib].append(("pre", len(go))))
        m.register_full_backward_hook(lambda mod, gi, go, lib=lib: seen[lib].append(
            ("full", len(gi), [g is None for g in gi], len(go))))
        a = lib.ones(2, requires_grad=True)
        b = lib.ones(2)
        y1, y2 = m(a, 3.0, b)
        (y1.sum() + y2.sum()).backward()
        seen[lib].append(("grad", np.asarray(a.grad.detach() if lib is torch else a.grad.data)
                          .tolist()))
    assert seen[ln] == seen[torch]


def test_repr_layout_as_torch():
    def build(lib):
        class Block(lib.nn.Module):
            def __init__(self, lines):
                super().__init__()
                self.lines = lines
                self.lin = lib.nn.Linear(2, 3)
                self.act = lib.nn.ReLU()
                self.empty = None

            def extra_repr(self):
                return "\n".join(f"k{i}=3" for i in range(self.lines))

        class Leaf(lib.nn.Module):
            def extra_repr(self):
                return "a=1\nb=2"

        return [Block(1), Block(2), Block(0), Leaf(), lib.nn.Module(),
                lib.nn.Sequential(Block(1), lib.nn.ModuleList([Leaf(), Leaf()]))]

    for ours, ref in zip(build(ln), build(torch)):
        assert repr(ours) == repr(ref)


def test_summary_is_a_method():
    model = nn.Sequential(nn.Linear(2, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert model.summary().total_params == 9


def test_buffer_assignment_as_torch():
    from lucidnet.nn.module import Buffer

    for lib, buffer in ((ln, Buffer), (torch, tnn.Buffer)):
        m = lib.nn.Linear(2, 2)
        m.mask = buffer(lib.ones(2), persistent=False)
        m.steps = buffer(lib.zeros(1))
        assert [k for k, _ in m.named_buffers()] == ["mask", "steps"]
        assert list(m.state_dict()) == ["weight", "bias", "steps"]
        assert not isinstance(m.mask, Buffer)  # the module holds the tensor itself
        m.steps = lib.ones(1)  # a later plain assignment keeps the persistent flag
        assert "steps" in m.state_dict()
    with pytest.raises(TypeError, match="Buffer holds a Tensor or a NumPy array"):
        Buffer([1, 2])
    assert Buffer().data.shape == (0,)
