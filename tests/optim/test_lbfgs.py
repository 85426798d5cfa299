"""LBFGS against torch.optim.LBFGS on the same float64 problems (fixed step and strong-Wolfe
line search), and its argument checks."""

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import optim

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X = RNG.standard_normal((20, 3))
Y = np.sin(X @ np.array([[1.0], [-2.0], [0.5]]))
W0, B0 = RNG.standard_normal((3, 1)) * 0.1, np.zeros(1)


def _run(lib, opt_cls, steps, **kwargs):
    w = lib.tensor(W0.copy(), requires_grad=True)
    b = lib.tensor(B0.copy(), requires_grad=True)
    x, y = lib.tensor(X), lib.tensor(Y)
    opt = opt_cls([w, b], **kwargs)

    def closure():
        opt.zero_grad()
        loss = (((x @ w + b).tanh() - y) ** 2).mean()
        loss.backward()
        return loss

    losses = [float(opt.step(closure)) for _ in range(steps)]
    return losses, w, b, opt


@pytest.mark.parametrize("kwargs", [{}, {"line_search_fn": "strong_wolfe"},
                                    {"lr": 0.5, "history_size": 3, "max_iter": 7},
                                    {"line_search_fn": "strong_wolfe", "history_size": 2,
                                     "tolerance_change": 1e-12}])
def test_lbfgs_matches_torch(kwargs):
    ours = _run(ln, optim.LBFGS, 4, **kwargs)
    theirs = _run(torch, torch.optim.LBFGS, 4, **kwargs)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-9)
    np.testing.assert_allclose(ours[1].data, theirs[1].detach().numpy(), rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(ours[2].data, theirs[2].detach().numpy(), rtol=1e-8, atol=1e-12)
    s_ours, s_theirs = ours[3].state[ours[1]], theirs[3].state[theirs[1]]
    assert s_ours["func_evals"] == s_theirs["func_evals"]
    assert s_ours["n_iter"] == s_theirs["n_iter"]
    assert ours[0][-1] < ours[0][0]


def test_lbfgs_arguments_and_state_dict():
    w = ln.tensor(np.ones(2), requires_grad=True)
    with pytest.raises(ValueError, match="line_search_fn"):
        optim.LBFGS([w], line_search_fn="armijo")
    with pytest.raises(ValueError, match="parameter groups"):
        optim.LBFGS([{"params": [w]}, {"params": [ln.tensor(np.ones(1), requires_grad=True)]}])
    opt = optim.LBFGS([w])
    with pytest.raises(RuntimeError, match="closure"):
        opt.step()

    def closure():
        opt.zero_grad()
        loss = ((w - 3.0) ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    np.testing.assert_allclose(w.data, [3.0, 3.0], rtol=1e-6)  # a quadratic: solved
    again = optim.LBFGS([w])
    again.load_state_dict(opt.state_dict())
    assert again.state[w]["n_iter"] == opt.state[w]["n_iter"]
