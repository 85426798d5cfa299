"""Issue 16, Module: classes registered by qualified name; container edits with PyTorch's
semantics (they are what lucidnet.save now stores); state-dict checks without reading data."""

import numpy as np
import pytest

from lucidnet import nn
from lucidnet.nn.module import parameter_budget, qualified_name


def test_registry_is_keyed_by_qualified_name_and_a_user_class_does_not_shadow_lucidnet():
    class Linear(nn.Linear):
        pass

    registry = nn.Module._registry
    assert registry["lucidnet.nn.linear.Linear"] is nn.Linear
    assert registry[qualified_name(Linear)] is Linear
    assert qualified_name(Linear).endswith("<locals>.Linear")


@pytest.mark.parametrize("container", [nn.Sequential, lambda *m: nn.ModuleList(m)])
def test_container_edits_follow_pytorch(container):
    seq = container(nn.Linear(2, 2), nn.ReLU(), nn.Tanh())
    del seq[0]
    assert list(seq._modules) == ["0", "1"] and isinstance(seq[0], nn.ReLU)
    seq.insert(1, nn.Sigmoid())
    assert [type(m).__name__ for m in seq] == ["ReLU", "Sigmoid", "Tanh"]
    assert list(seq._modules) == ["0", "1", "2"]
    seq[-1] = nn.Linear(3, 3)
    assert list(seq.state_dict()) == ["2.weight", "2.bias"]
    del seq[0:2]
    assert list(seq.state_dict()) == ["0.weight", "0.bias"] and len(seq) == 1
    with pytest.raises(IndexError, match="out of range"):
        seq[5] = nn.ReLU()
    with pytest.raises(TypeError, match="int"):
        seq.append(3)


def test_delattr_unregisters_a_submodule():
    model = nn.Sequential(nn.Linear(2, 2))
    model.extra = nn.Linear(2, 1)
    del model.extra
    assert list(model.state_dict()) == ["0.weight", "0.bias"] and not hasattr(model, "extra")


def test_check_state_shapes_and_non_numeric_state():
    model = nn.Linear(3, 2)
    with pytest.raises(ValueError, match=r"weight: checkpoint \(3, 3\), model \(2, 3\)"):
        model.check_state_shapes({"weight": (3, 3), "bias": (2,)})
    assert model.check_state_shapes({"weight": (2, 3)}, strict=False) == (["bias"], [])
    with pytest.raises(TypeError, match="not a numeric array"):
        model.load_state_dict({"weight": np.array([["a"] * 3] * 2), "bias": np.zeros(2)})


def test_parameter_budget_refuses_before_any_value_is_written():
    with parameter_budget(10):
        nn.Linear(2, 3)  # 9 values
        with pytest.raises(ValueError, match="exceeds"):
            nn.Linear(2, 3)
    nn.Linear(100, 100)  # no limit outside the block
