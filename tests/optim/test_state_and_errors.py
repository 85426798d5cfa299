"""state_dict round trips resume bit-for-bit; bad input raises ValueError naming the argument."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lucidnet import optim
from lucidnet.nn import Parameter
from lucidnet.optim import lr_scheduler as sched
from tests.optim.helpers import TinyNet, ln_loss_fn, make_data, make_weights

ALL = [("sgd", {"lr": 0.05, "momentum": 0.9, "nesterov": True}), ("adagrad", {}),
       ("rmsprop", {"momentum": 0.5, "centered": True}), ("adam", {"amsgrad": True}),
       ("adamw", {}), ("adamax", {}), ("nadam", {})]


def _to_json_and_npz(sd):
    """Split arrays out as .npz would hold them; the rest must survive JSON."""
    arrays = {}

    def strip(obj, path):
        if isinstance(obj, np.ndarray):
            arrays[path] = obj.copy()
            return {"__array__": path}
        if isinstance(obj, dict):
            return {str(k): strip(v, f"{path}/{k}") for k, v in obj.items()}
        if isinstance(obj, (list, tuple)):
            return [strip(v, f"{path}/{i}") for i, v in enumerate(obj)]
        assert obj is None or isinstance(obj, (bool, int, float, str)), type(obj)
        return obj

    text = json.dumps(strip(sd, ""))

    def put(obj):
        if isinstance(obj, dict):
            if "__array__" in obj:
                return arrays[obj["__array__"]]
            return {k: put(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [put(v) for v in obj]
        return obj

    return put(json.loads(text))


def _train(model, opt, x, y, steps, start=0, scheduler=None):
    for i in range(start, start + steps):
        opt.zero_grad()
        ln_loss_fn(model, x, y, i).backward()
        opt.step()
        if scheduler is not None:
            scheduler.step()


@pytest.mark.parametrize(("name", "kwargs"), ALL, ids=[n for n, _ in ALL])
def test_resume_is_bit_identical(name, kwargs):
    x, y = make_data()
    ref = TinyNet(make_weights())
    ref_opt = optim.get_optimizer(name, ref.parameters(), **kwargs)
    ref_s = sched.CosineAnnealingLR(ref_opt, T_max=20)
    _train(ref, ref_opt, x, y, 25, scheduler=ref_s)

    first = TinyNet(make_weights())
    opt1 = optim.get_optimizer(name, first.parameters(), **kwargs)
    s1 = sched.CosineAnnealingLR(opt1, T_max=20)
    _train(first, opt1, x, y, 10, scheduler=s1)
    saved = _to_json_and_npz({"model": dict(first.state_dict()), "optim": opt1.state_dict(),
                              "sched": s1.state_dict()})

    second = TinyNet(make_weights(seed=5))          # fresh weights, fresh optimizer
    second.load_state_dict(saved["model"])
    opt2 = optim.get_optimizer(name, second.parameters(), **kwargs)
    s2 = sched.CosineAnnealingLR(opt2, T_max=20)
    opt2.load_state_dict(saved["optim"])
    s2.load_state_dict(saved["sched"])
    _train(second, opt2, x, y, 15, start=10, scheduler=s2)
    for p, q in zip(ref.parameters(), second.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


def test_state_dict_layout_is_pytorch_like():
    model = TinyNet(make_weights())
    opt = optim.Adam(model.parameters(), lr=0.01)
    x, y = make_data()
    _train(model, opt, x, y, 2)
    sd = opt.state_dict()
    assert sd["optimizer"] == "Adam"
    assert sorted(sd["state"]) == [0, 1, 2, 3]
    assert sd["state"][0]["step"] == 2
    assert set(sd["state"][0]) == {"step", "exp_avg", "exp_avg_sq"}
    assert sd["state"][2]["exp_avg"].shape == (3, 5)
    assert sd["param_groups"][0]["params"] == [0, 1, 2, 3]
    assert sd["param_groups"][0]["betas"] == [0.9, 0.999]
    sd["state"][0]["exp_avg"][...] = 7.0          # a copy: the optimizer is untouched
    assert not np.any(opt.state_dict()["state"][0]["exp_avg"] == 7.0)


def test_state_dict_from_other_class_or_shape_is_rejected():
    model = TinyNet(make_weights())
    x, y = make_data()
    adam = optim.Adam(model.parameters())
    _train(model, adam, x, y, 1)
    with pytest.raises(ValueError, match="saved by Adam, not SGD"):
        optim.SGD(model.parameters(), lr=0.1).load_state_dict(adam.state_dict())
    sd = adam.state_dict()
    sd["state"][1]["exp_avg"] = np.zeros(7)
    with pytest.raises(ValueError, match=r"exp_avg.*\(7,\).*\(5,\)"):
        optim.Adam(model.parameters()).load_state_dict(sd)
    with pytest.raises(ValueError, match="4 parameters in the state dict and 2 here"):
        optim.Adam(list(model.parameters())[:2]).load_state_dict(adam.state_dict())
    with pytest.raises(ValueError, match="expected a dict"):
        optim.Adam(model.parameters()).load_state_dict([1, 2])


def test_zero_grad_and_closure():
    p = Parameter(np.ones(3))
    opt = optim.SGD([p], lr=0.5)
    p.grad = np.ones(3)
    held = p.grad
    opt.zero_grad(set_to_none=False)
    assert p.grad is held and np.all(p.grad.data == 0)
    opt.zero_grad()
    assert p.grad is None
    opt.step()                                     # no grad: skipped
    np.testing.assert_array_equal(p.data, np.ones(3))

    def closure():
        p.grad = 2 * p.data
        return float(p.data @ p.data)

    assert opt.step(closure) == 3.0
    np.testing.assert_allclose(p.data, np.zeros(3))


def test_add_param_group_and_registry():
    a, b = Parameter(np.ones(2)), Parameter(np.ones(3))
    opt = optim.get_optimizer("momentum", [a], lr=0.1)
    assert opt.param_groups[0]["momentum"] == 0.9
    opt.add_param_group({"params": [b], "lr": 0.01})
    assert opt.param_groups[1]["lr"] == 0.01 and opt.param_groups[1]["momentum"] == 0.9
    assert optim.get_optimizer("AMSGrad", [Parameter(np.ones(1))]).param_groups[0]["amsgrad"]
    assert optim.get_optimizer("nesterov", [Parameter(np.ones(1))]).param_groups[0]["nesterov"]
    with pytest.raises(ValueError, match="sgd, momentum, nesterov, adagrad, rmsprop, adam"):
        optim.get_optimizer("adamm", [a])
    with pytest.raises(ValueError, match="given twice"):
        opt.add_param_group({"params": [a]})


P = Parameter(np.ones(2))
BAD = [
    (optim.SGD, {"lr": -0.1}, "lr.*-0.1"),
    (optim.SGD, {"lr": float("nan")}, "lr.*nan"),
    (optim.Adam, {"lr": float("inf")}, "lr.*inf"),
    (optim.SGD, {"momentum": -0.5}, "momentum.*-0.5"),
    (optim.SGD, {"nesterov": True}, "nesterov.*momentum=0.0"),
    (optim.SGD, {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, "nesterov.*dampening=0.1"),
    (optim.SGD, {"momentum_form": "heavy"}, "momentum_form.*'heavy'"),
    (optim.SGD, {"momentum": 0.9, "momentum_form": "ema", "dampening": 0.5}, "dampening=0.5"),
    (optim.Adam, {"betas": (1.0, 0.999)}, r"betas\[0\].*1.0"),
    (optim.AdamW, {"betas": (0.9, -0.1)}, r"betas\[1\].*-0.1"),
    (optim.NAdam, {"betas": (0.9,)}, "betas.*pair"),
    (optim.Adam, {"eps": 0.0}, "eps.*0.0"),
    (optim.Adagrad, {"eps": -1e-10}, "eps.*-1e-10"),
    (optim.RMSprop, {"eps": 0}, "eps.*0"),
    (optim.RMSprop, {"alpha": 1.5}, "alpha.*1.5"),
    (optim.RMSprop, {"momentum": -1}, "momentum.*-1"),
    (optim.Adamax, {"weight_decay": -0.1}, "weight_decay.*-0.1"),
    (optim.NAdam, {"momentum_decay": -1.0}, "momentum_decay.*-1.0"),
    (optim.Adagrad, {"lr_decay": -1.0}, "lr_decay.*-1.0"),
]


@pytest.mark.parametrize(("cls", "kwargs", "match"), BAD,
                         ids=[f"{c.__name__}-{'-'.join(k)}" for c, k, _ in BAD])
def test_bad_hyperparameters(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cls([P], **kwargs)


def test_bad_params():
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam([])
    with pytest.raises(ValueError, match="given twice"):
        optim.SGD([P, P], lr=0.1)
    with pytest.raises(TypeError, match="single Parameter"):
        optim.SGD(P, lr=0.1)
    with pytest.raises(TypeError, match=r"params\[0\].*ndarray"):
        optim.SGD([np.ones(3)], lr=0.1)
    q = Parameter(np.ones(2))
    opt = optim.SGD([q], lr=0.1)
    with pytest.raises(RuntimeError, match=r"assign a gradient of size \[3\] to a tensor of size"):
        q.grad = np.ones(3)  # checked on assignment, as PyTorch
    q.grad = np.ones(2)
    q.grad.data = np.ones(3)  # behind the check's back: the optimizer still refuses it
    with pytest.raises(ValueError, match=r"gradient of parameter 0 has shape \(3,\)"):
        opt.step()
    with pytest.raises(ValueError, match="mixes dtypes"):
        optim.SGD([Parameter(np.ones(2)), Parameter(np.ones(2, np.float32))], lr=0.1)


def test_a_tensor_assigned_to_data_is_taken_as_its_array():
    """PyTorch code writes ``layer.weight.data = tensor``; before or after building the
    optimizer, the step updates the values of that tensor."""
    import lucidnet as ln

    p = Parameter(np.ones(3))
    p.data = ln.tensor(np.full(3, 2.0))
    opt = optim.SGD([p], lr=0.5)
    assert isinstance(p.data, np.ndarray)
    p.grad = np.ones(3)
    opt.step()
    assert p.data.tolist() == [1.5, 1.5, 1.5]
    p.data = ln.tensor(np.zeros(3))
    opt.step()
    assert isinstance(p.data, np.ndarray) and p.data.tolist() == [-0.5, -0.5, -0.5]
    p.data = ln.tensor(np.zeros(4))
    with pytest.raises(ValueError, match="now has 4 elements"):
        opt.step()


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Adagrad",
                                  "Adadelta", "RMSprop", "Rprop", "LBFGS"])
def test_pytorchs_arguments_are_all_accepted(name):
    """Every argument name of torch.optim's class exists (same positional order); foreach and
    fused change nothing, capturable and differentiable are refused with the reason."""
    import inspect

    torch = pytest.importorskip("torch")
    ours, theirs = getattr(optim, name), getattr(torch.optim, name)
    mine = inspect.signature(ours.__init__).parameters
    for k, (pname, param) in enumerate(inspect.signature(theirs.__init__).parameters.items()):
        assert pname in mine, f"{name} lacks {pname}"
        if param.kind is param.POSITIONAL_OR_KEYWORD:
            assert list(mine)[k] == pname, f"{name}: positional {k} is {list(mine)[k]}"
    p = Parameter(np.ones(2))
    lr = {"lr": 0.1} if name == "SGD" else {}
    for flag in ("foreach", "fused"):
        if flag in mine:
            ours([p], **lr, **{flag: True})
    for flag in ("capturable", "differentiable"):
        if flag in mine:
            with pytest.raises(ValueError, match=flag):
                ours([p], **lr, **{flag: True})
