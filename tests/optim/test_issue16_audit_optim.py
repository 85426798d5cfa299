"""Issue 16 audit: optimizer inputs that used to give a silently wrong run now raise."""

import copy

import numpy as np
import pytest

from lucidnet import optim
from lucidnet.nn import Parameter


def _stepped(cls=optim.Adam, **kw):
    p = Parameter(np.ones(3, np.float32))
    opt = cls([p], **kw)
    p.grad = np.ones(3, np.float32)
    opt.step()
    return p, opt


@pytest.mark.parametrize("cls, flag", [(optim.SGD, "maximize"), (optim.SGD, "nesterov"),
                                       (optim.Adam, "amsgrad"), (optim.RMSprop, "centered"),
                                       (optim.Adagrad, "eps_inside_sqrt")])
def test_string_flag_is_refused_not_taken_as_true(cls, flag):
    kw = {"lr": 0.1, flag: "False"}
    if flag == "nesterov":
        kw["momentum"] = 0.9
    with pytest.raises(TypeError, match=f"{flag} must be True or False, got 'False'"):
        cls([Parameter(np.ones(2))], **kw)
    opt = cls([Parameter(np.ones(2))], **{**kw, flag: np.bool_(False)})
    assert opt.param_groups[0][flag] is False


def test_short_state_array_is_refused_not_broadcast():
    _, opt = _stepped()
    sd = copy.deepcopy(opt.state_dict())
    sd["state"][0]["exp_avg"] = [5.0]          # used to fill all three entries with 5
    with pytest.raises(ValueError, match=r"'exp_avg' of parameter 0 has shape \(1,\)"):
        _stepped()[1].load_state_dict(sd)


def test_complex_state_is_refused_not_truncated():
    _, opt = _stepped()
    sd = copy.deepcopy(opt.state_dict())
    sd["state"][0]["exp_avg"] = sd["state"][0]["exp_avg"] + 1j
    with pytest.raises(ValueError, match="dtype complex.*real numbers"):
        _stepped()[1].load_state_dict(sd)


@pytest.mark.parametrize("step", [-3, 2.7, "3", float("nan")])
def test_bad_step_count_is_refused(step):
    _, opt = _stepped()
    sd = copy.deepcopy(opt.state_dict())
    sd["state"][0]["step"] = step
    with pytest.raises(ValueError, match="'step' of parameter 0 must be a non-negative integer"):
        _stepped()[1].load_state_dict(sd)


def test_integral_float_step_from_json_loads():
    _, opt = _stepped()
    sd = copy.deepcopy(opt.state_dict())
    sd["state"][0]["step"] = 1.0
    p, other = _stepped()
    other.load_state_dict(sd)
    assert other.state_dict()["state"][0]["step"] == 1


def test_group_missing_a_hyperparameter_is_a_value_error():
    _, opt = _stepped()
    sd = copy.deepcopy(opt.state_dict())
    del sd["param_groups"][0]["lr"]
    with pytest.raises(ValueError, match=r"lacks \['lr'\]"):
        _stepped()[1].load_state_dict(sd)


def test_rebinding_data_to_another_size_is_a_clear_error():
    p, opt = _stepped(optim.SGD, lr=0.1, momentum=0.9)
    p.data = np.ones(5, np.float32)
    p.grad = np.ones(5, np.float32)
    with pytest.raises(ValueError, match="parameter 0 now has 5 elements.*it had 3"):
        opt.step()


def test_rebinding_data_to_same_shape_trains_the_new_array():
    p, opt = _stepped(optim.SGD, lr=0.5)
    new = np.zeros(3, np.float32)
    p.data = new
    p.grad = np.ones(3, np.float32)
    opt.step()
    np.testing.assert_allclose(new, -0.5)


def test_lookahead_nesterov_step_also_bumps_the_versions():
    import lucidnet as ln
    from lucidnet import nn

    ln.manual_seed(0)
    model = nn.Linear(3, 1)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True,
                    momentum_form="classical")
    x = ln.tensor(np.ones((4, 3), np.float32))
    stale = model(x).sum()

    def closure():
        opt.zero_grad()
        loss = model(x).sum()
        loss.backward()
        return loss

    opt.step(closure)                # used to skip the version bump: stale used the new weights
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        stale.backward()
