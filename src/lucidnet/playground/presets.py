"""Presets: configurations that open one of the notes' claims in the playground.

Each preset is ``{"name", "title", "description", "config", "claim"}``; ``claim`` says what the
run shows after ``steps`` training steps (tests/playground/test_engine.py checks every claim).

Examples
--------
>>> from lucidnet.playground.presets import PRESETS, get_preset
>>> "xor-perceptron" in PRESETS
True
>>> get_preset("xor-perceptron")["config"]["networkShape"]
[]
"""

from __future__ import annotations

__all__ = ["PRESETS", "get_preset", "list_presets"]

PRESETS = {
    "xor-perceptron": {
        "title": "XOR defeats a perceptron",
        "description": "No hidden layer: the output is tanh(w1 x1 + w2 x2 + b), a single line, "
                       "so it cannot separate the XOR quadrants -- the test loss stays near "
                       "0.5. Add a hidden layer (or the x1*x2 feature) and it learns.",
        "config": {"dataset": "xor", "networkShape": [], "activation": "tanh",
                   "learningRate": 0.03, "noise": 0, "x": True, "y": True, "xTimesY": False,
                   "optimizer": "sgd", "seed": "0"},
        "steps": 2000,
    },
    "xor-hidden": {
        "title": "XOR with a hidden layer",
        "description": "Two hidden layers of 4 tanh units bend the boundary around the XOR "
                       "quadrants: the test loss falls well below 0.1.",
        "config": {"dataset": "xor", "networkShape": [4, 4], "activation": "tanh",
                   "learningRate": 0.03, "optimizer": "adam", "seed": "0"},
        "steps": 2000,
    },
    "dying-relu": {
        "title": "Dying ReLU",
        "description": "ReLU units with a learning rate of 3 get pushed to negative "
                       "pre-activations on every input; their output and gradient are 0 "
                       "forever. The doctor counts the dead units.",
        "config": {"dataset": "circle", "networkShape": [8, 8], "activation": "relu",
                   "learningRate": 3.0, "optimizer": "sgd", "init": "he", "seed": "0"},
        "steps": 300,
    },
    "lr-too-high": {
        "title": "Learning rate too high",
        "description": "With a learning rate of 5 the steps overshoot every minimum: a linear "
                       "network on the plane data blows up to NaN/inf and the doctor reports "
                       "the divergence.",
        "config": {"problem": "regression", "regDataset": "reg-plane", "networkShape": [4],
                   "activation": "linear", "learningRate": 5.0, "optimizer": "sgd",
                   "seed": "0"},
        "steps": 200,
    },
    "saddle-point": {
        "title": "Saddle point",
        "description": "All weights start at 0: every unit of a layer gets the same gradient, "
                       "so the hidden units stay identical (a symmetric saddle). The training "
                       "loss sits on a plateau -- the symmetry is never broken.",
        "config": {"dataset": "circle", "networkShape": [4, 4], "activation": "tanh",
                   "learningRate": 0.03, "initZero": True, "optimizer": "sgd", "seed": "0"},
        "steps": 1000,
    },
    "vanishing-gradients": {
        "title": "Vanishing gradients",
        "description": "Eight sigmoid layers: each multiplies the backward signal by at most "
                       "0.25, so the first layer gets a tiny fraction of the last one's "
                       "gradient and learns almost nothing.",
        "config": {"dataset": "circle", "networkShape": [8] * 8, "activation": "sigmoid",
                   "learningRate": 0.03, "optimizer": "sgd", "init": "xavier", "seed": "0"},
        "steps": 50,
    },
    "feature-engineering": {
        "title": "The right feature needs no hidden layer",
        "description": "With x1^2 and x2^2 as inputs the circle is linearly separable: a "
                       "network with no hidden layer fits it.",
        "config": {"dataset": "circle", "networkShape": [], "x": False, "y": False,
                   "xSquared": True, "ySquared": True, "learningRate": 0.03, "seed": "0"},
        "steps": 1000,
    },
}


def get_preset(name: str) -> dict:
    """The preset ``name`` as ``{"name", "title", "description", "config", "steps"}``.

    Raises
    ------
    ValueError
        An unknown name (the message lists the valid ones).

    Examples
    --------
    >>> from lucidnet.playground.presets import get_preset
    >>> get_preset("lr-too-high")["config"]["learningRate"]
    5.0
    """
    if name not in PRESETS:
        from .engine import ConfigError

        raise ConfigError(f"unknown preset {name!r}; valid: {', '.join(PRESETS)}")
    p = PRESETS[name]
    return {"name": name, **{k: (dict(v) if isinstance(v, dict) else v) for k, v in p.items()}}


def list_presets() -> list:
    """All presets, as `get_preset` returns them, in a stable order.

    Examples
    --------
    >>> from lucidnet.playground.presets import list_presets
    >>> [p["name"] for p in list_presets()][:2]
    ['xor-perceptron', 'xor-hidden']
    """
    return [get_preset(name) for name in PRESETS]
