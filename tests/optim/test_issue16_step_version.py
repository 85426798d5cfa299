"""An optimizer step changes the weights in place, as in PyTorch: a backward that still needs
the old weights (a graph built before the step) raises instead of silently using the new ones."""

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn, optim


@pytest.mark.parametrize("make", [
    lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9), lambda ps: optim.Adam(ps, lr=1e-2),
    lambda ps: optim.RMSprop(ps, lr=1e-2), lambda ps: optim.Adagrad(ps, lr=1e-2),
])
def test_backward_through_a_graph_made_before_a_step_raises(make):
    ln.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    opt = make(model.parameters())
    x = ln.tensor(np.ones((5, 3), np.float32))
    stale = model(x).sum()          # saves the weights by reference
    model(x).sum().backward()
    versions = [p._version for p in model.parameters()]
    opt.step()
    assert [p._version for p in model.parameters()] == [v + 1 for v in versions]
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        stale.backward()


def test_training_loop_and_parameters_without_gradients_are_unaffected():
    ln.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 1))
    model[0].weight.requires_grad = False
    opt = optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
    x, y = ln.tensor(np.ones((5, 3), np.float32)), ln.tensor(np.zeros((5, 1), np.float32))
    losses = []
    for _ in range(20):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.01 * losses[0]
    assert model[0].weight._version == 0
