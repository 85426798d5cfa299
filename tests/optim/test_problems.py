"""Every optimizer minimizes the same table of problems (optax's idea): a convex quadratic, a badly
conditioned ravine, and Rosenbrock's banana (SPEC E2, E3)."""

from __future__ import annotations

import numpy as np
import pytest

from lucidnet import optim
from lucidnet.nn import Parameter


def quadratic(x):
    a = np.array([1.0, 2.0, 3.0])
    return 0.5 * float(np.sum(a * (x - 1.0) ** 2)), a * (x - 1.0), np.ones(3)


def ravine(x):           # condition number 100
    a = np.array([1.0, 100.0])
    return 0.5 * float(np.sum(a * x ** 2)), a * x, np.zeros(2)


def rosenbrock(x):
    f = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
    g = np.array([-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2), 200 * (x[1] - x[0] ** 2)])
    return float(f), g, np.ones(2)


PROBLEMS = {
    "quadratic": (quadratic, np.array([3.0, -2.0, 0.0]), 1e-3),
    "ravine": (ravine, np.array([1.0, 1.0]), 1e-3),
    "rosenbrock": (rosenbrock, np.array([-1.2, 1.0]), 5e-2),
}

# name -> (kwargs for quadratic/ravine, kwargs for rosenbrock, steps)
OPTIMIZERS = {
    "sgd": ({"lr": 0.009}, {"lr": 1e-3}, 20000),
    "momentum": ({"lr": 0.005, "momentum": 0.9}, {"lr": 5e-4, "momentum": 0.9}, 6000),
    "nesterov": ({"lr": 0.005, "momentum": 0.9}, {"lr": 5e-4, "momentum": 0.9}, 6000),
    "adagrad": ({"lr": 0.5}, {"lr": 0.3}, 6000),
    "rmsprop": ({"lr": 1e-3}, {"lr": 1e-3}, 6000),
    "adam": ({"lr": 0.02}, {"lr": 0.02}, 6000),
    "adamw": ({"lr": 0.02, "weight_decay": 0.0}, {"lr": 0.02, "weight_decay": 0.0}, 6000),
    "amsgrad": ({"lr": 0.02}, {"lr": 0.02}, 6000),
    "adamax": ({"lr": 0.02}, {"lr": 0.02}, 6000),
    "nadam": ({"lr": 0.02}, {"lr": 0.02}, 6000),
}


@pytest.mark.parametrize("problem", list(PROBLEMS))
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizer_minimizes(name, problem):
    fn, x0, tol = PROBLEMS[problem]
    kw_easy, kw_rosen, steps = OPTIMIZERS[name]
    p = Parameter(x0.copy())
    opt = optim.get_optimizer(name, [p], **(kw_rosen if problem == "rosenbrock" else kw_easy))
    f0 = fn(p.data)[0]
    for _ in range(steps):
        _, g, _ = fn(p.data)
        p.grad = g
        opt.step()
    f, _, xstar = fn(p.data)
    assert np.all(np.isfinite(p.data))
    assert f < f0 * 1e-3 or f < 1e-6
    assert np.abs(p.data - xstar).max() < tol, (name, problem, p.data)
