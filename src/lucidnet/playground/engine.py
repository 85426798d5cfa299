"""The playground's engine: TensorFlow Playground's data and network, trained by lucidnet.

No web code lives here: `PlaygroundSession` holds one configuration, its data, a real lucidnet
network (``nn.Sequential`` of ``Linear`` + activation, optional ``BatchNorm1d``, ``Dropout`` and
input ``GaussianNoise``), a lucidnet optimizer, schedule and L1/L2 penalty, and computes the
*frames* the page draws (decision boundary, every neuron's output, weights, losses, the training
doctor's warnings, the formulas of the current update).

The data generators follow TensorFlow Playground's ``src/dataset.ts`` (same shapes, radii,
labels and noise semantics; ``noise`` is the percentage divided by 100), with a NumPy generator
in place of ``Math.random``:

    circle   500 points: half at r ~ U(0, 2.5), half at r ~ U(3.5, 5); label +1 inside r < 2.5
             (of the point moved by U(-5, 5) * noise in x and y), else -1
    xor      500 points x, y ~ U(-5, 5) pushed 0.3 away from the axes; label sign(x * y) of the
             noisy point (+1 when x * y >= 0)
    gauss    two Gaussians at (2, 2) (+1) and (-2, -2) (-1), variance 0.5 + 7 * noise
    spiral   two spirals r = 5 i / n, t = 1.75 * 2 pi i / n (+ pi for the second) plus
             U(-1, 1) * noise in x and y
    reg-plane  1200 points in [-6, 6]^2, target (x + y) / 10 of the noisy point
    reg-gauss  1200 points, target of the largest |value| of six signed bumps
               sign * max(0, 1 - dist / 2) centred on (+-4 or 0, +-2.5)

Training is TF Playground's: output ``tanh`` (classification, labels +-1) or linear
(regression), loss ``mean(0.5 * (output - target)^2)``, the shuffled data split at
``floor(n * percTrainData / 100)``. One *step* is one mini-batch; an epoch is
``ceil(n_train / batchSize)`` steps.

Examples
--------
>>> from lucidnet.playground.engine import PlaygroundSession
>>> s = PlaygroundSession({"dataset": "xor", "networkShape": [4], "seed": "1"})
>>> s.step(5)
5
>>> frame = s.frame()
>>> len(frame["boundary"]["values"]), frame["step"]
(2500, 5)
"""

from __future__ import annotations

import hashlib
import math
import threading

import numpy as np

from .. import nn, optim
from ..autograd.tensor import Tensor, no_grad
from ..optim import lr_scheduler
from ..random import Generator, get_rng_state, set_rng_state

__all__ = [
    "ACTIVATION_NAMES",
    "CLASSIFY_DATASETS",
    "DEFAULTS",
    "FEATURES",
    "INIT_NAMES",
    "MAX_PARAMETERS",
    "OPTIMIZER_NAMES",
    "REGRESS_DATASETS",
    "SCHEDULE_NAMES",
    "ConfigError",
    "PlaygroundSession",
    "build_network",
    "apply_update",
    "compute_gradients",
    "feature_matrix",
    "generate_data",
    "initialize_network",
    "make_optimizer",
    "make_penalty",
    "make_schedule",
    "next_batch",
    "normalize_config",
    "seed_number",
    "split_data",
]

#: Networks with more parameters than this are refused (they would exhaust memory / time).
MAX_PARAMETERS = 10_000_000
BOUNDARY_N = 50
THUMB_N = 20
EXTENT = 6.0
HISTORY_POINTS = 1000
MAX_THUMBS = 64             # thumbnails sent per layer (the first units of wider layers)
MAX_FRAME_WEIGHTS = 10_000  # a layer with more weights sends null (the frame stays small)


class ConfigError(ValueError):
    """A playground configuration value is invalid (the message says which, and what is valid).

    Examples
    --------
    >>> from lucidnet.playground.engine import ConfigError, generate_data
    >>> issubclass(ConfigError, ValueError)
    True
    >>> generate_data("moons", 0, "0")
    Traceback (most recent call last):
    ...
    lucidnet.playground.engine.ConfigError: unknown dataset 'moons'; valid: circle, xor, gauss, spiral, reg-plane, reg-gauss
    """


# ----------------------------------------------------------------------------- data generators
def classify_circle(rng, n: int, noise: float):
    """TF Playground's ``classifyCircleData``: label +1 inside radius 2.5, -1 outside."""
    radius = 5.0
    half = n // 2
    parts = []
    for r_low, r_high in ((0.0, radius * 0.5), (radius * 0.7, radius)):
        r = rng.uniform(r_low, r_high, half)
        angle = rng.uniform(0.0, 2 * math.pi, half)
        x, y = r * np.sin(angle), r * np.cos(angle)
        nx = rng.uniform(-radius, radius, half) * noise
        ny = rng.uniform(-radius, radius, half) * noise
        label = np.where(np.hypot(x + nx, y + ny) < radius * 0.5, 1.0, -1.0)
        parts.append(np.column_stack([x, y, label]))
    return np.concatenate(parts)


def classify_xor(rng, n: int, noise: float):
    """TF Playground's ``classifyXORData``: label +1 where x * y >= 0 (of the noisy point)."""
    x = rng.uniform(-5, 5, n)
    x += np.where(x > 0, 0.3, -0.3)
    y = rng.uniform(-5, 5, n)
    y += np.where(y > 0, 0.3, -0.3)
    nx = rng.uniform(-5, 5, n) * noise
    ny = rng.uniform(-5, 5, n) * noise
    label = np.where((x + nx) * (y + ny) >= 0, 1.0, -1.0)
    return np.column_stack([x, y, label])


def classify_two_gauss(rng, n: int, noise: float):
    """TF Playground's ``classifyTwoGaussData``: N((2, 2), v) is +1, N((-2, -2), v) is -1,
    variance v = 0.5 + 7 * noise (its d3 scale [0, 0.5] -> [0.5, 4])."""
    variance = 0.5 + noise * (4 - 0.5) / 0.5
    half = n // 2
    parts = []
    for c, label in ((2.0, 1.0), (-2.0, -1.0)):
        xy = rng.normal(c, math.sqrt(variance), (half, 2))
        parts.append(np.column_stack([xy, np.full(half, label)]))
    return np.concatenate(parts)


def classify_spiral(rng, n: int, noise: float):
    """TF Playground's ``classifySpiralData``: two interleaved spirals, +1 and -1."""
    half = n // 2
    i = np.arange(half)
    parts = []
    for delta, label in ((0.0, 1.0), (math.pi, -1.0)):
        r = i / half * 5
        t = 1.75 * i / half * 2 * math.pi + delta
        x = r * np.sin(t) + rng.uniform(-1, 1, half) * noise
        y = r * np.cos(t) + rng.uniform(-1, 1, half) * noise
        parts.append(np.column_stack([x, y, np.full(half, label)]))
    return np.concatenate(parts)


def regress_plane(rng, n: int, noise: float):
    """TF Playground's ``regressPlane``: target (x + y) / 10 of the noisy point."""
    radius = 6.0
    x = rng.uniform(-radius, radius, n)
    y = rng.uniform(-radius, radius, n)
    nx = rng.uniform(-radius, radius, n) * noise
    ny = rng.uniform(-radius, radius, n) * noise
    return np.column_stack([x, y, (x + nx + y + ny) / 10])


def regress_gaussian(rng, n: int, noise: float):
    """TF Playground's ``regressGaussian``: of six signed bumps sign * max(0, 1 - d / 2), the
    one largest in absolute value at the noisy point."""
    radius = 6.0
    x = rng.uniform(-radius, radius, n)
    y = rng.uniform(-radius, radius, n)
    nx = rng.uniform(-radius, radius, n) * noise
    ny = rng.uniform(-radius, radius, n) * noise
    px, py = x + nx, y + ny
    centres = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1],
                        [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]], dtype=float)
    label = np.zeros(n)
    for cx, cy, sign in centres:  # in TF's order: a tie keeps the earlier bump
        value = sign * np.clip(1 - np.hypot(px - cx, py - cy) / 2, 0, 1)
        label = np.where(np.abs(value) > np.abs(label), value, label)
    return np.column_stack([x, y, label])


CLASSIFY_DATASETS = {"circle": classify_circle, "xor": classify_xor,
                     "gauss": classify_two_gauss, "spiral": classify_spiral}
REGRESS_DATASETS = {"reg-plane": regress_plane, "reg-gauss": regress_gaussian}
NUM_SAMPLES = {"classification": 500, "regression": 1200}

#: Input features in TF Playground's order: name -> f(x1, x2).
FEATURES = {
    "x": lambda a, b: a,
    "y": lambda a, b: b,
    "xSquared": lambda a, b: a * a,
    "ySquared": lambda a, b: b * b,
    "xTimesY": lambda a, b: a * b,
    "sinX": lambda a, b: np.sin(a),
    "sinY": lambda a, b: np.sin(b),
    "cosX": lambda a, b: np.cos(a),
    "cosY": lambda a, b: np.cos(b),
}
FEATURE_LABELS = {"x": "x1", "y": "x2", "xSquared": "x1^2", "ySquared": "x2^2",
                  "xTimesY": "x1*x2", "sinX": "sin(x1)", "sinY": "sin(x2)",
                  "cosX": "cos(x1)", "cosY": "cos(x2)"}


def seed_number(seed: str) -> int:
    """The integer seed of a TF Playground seed string: the first 8 bytes of its SHA-256.

    Examples
    --------
    >>> from lucidnet.playground.engine import seed_number
    >>> seed_number("0") == seed_number("0"), seed_number("0") == seed_number("1")
    (True, False)
    """
    return int.from_bytes(hashlib.sha256(str(seed).encode()).digest()[:8], "little")


def generate_data(dataset: str, noise_percent: float, seed: str) -> np.ndarray:
    """All points ``(n, 3)`` = ``[x1, x2, label]`` of a built-in dataset, before the split.

    ``noise_percent`` is TF Playground's slider (0..50); the generators take it / 100.
    The stream is ``numpy.random.default_rng(seed_number(seed))``.

    Examples
    --------
    >>> from lucidnet.playground.engine import generate_data
    >>> generate_data("xor", 0, "0").shape
    (500, 3)
    >>> generate_data("reg-plane", 0, "0").shape
    (1200, 3)
    """
    rng = np.random.default_rng(seed_number(seed))
    if dataset in CLASSIFY_DATASETS:
        return CLASSIFY_DATASETS[dataset](rng, NUM_SAMPLES["classification"], noise_percent / 100)
    if dataset in REGRESS_DATASETS:
        return REGRESS_DATASETS[dataset](rng, NUM_SAMPLES["regression"], noise_percent / 100)
    raise ConfigError(f"unknown dataset {dataset!r}; valid: "
                      f"{', '.join([*CLASSIFY_DATASETS, *REGRESS_DATASETS])}")


def split_data(points: np.ndarray, perc_train: float, seed: str) -> tuple:
    """TF Playground's split: shuffle all points, the first ``floor(n * perc / 100)`` train.

    The shuffle stream is ``default_rng(seed_number(seed) + 1)`` (mod 2**64).

    Examples
    --------
    >>> from lucidnet.playground.engine import generate_data, split_data
    >>> train, test = split_data(generate_data("circle", 0, "0"), 50, "0")
    >>> len(train), len(test)
    (250, 250)
    """
    rng = np.random.default_rng((seed_number(seed) + 1) % 2 ** 64)
    order = rng.permutation(len(points))
    cut = int(math.floor(len(points) * perc_train / 100))
    return points[order[:cut]], points[order[cut:]]


def feature_matrix(xy: np.ndarray, features: list) -> np.ndarray:
    """The network's input ``(n, len(features))``: each feature of FEATURES applied to the
    columns x1, x2 of ``xy``.

    Examples
    --------
    >>> from lucidnet.playground.engine import feature_matrix
    >>> feature_matrix(np.array([[2.0, 3.0]]), ["x", "xTimesY", "ySquared"]).tolist()
    [[2.0, 6.0, 9.0]]
    """
    a, b = xy[:, 0], xy[:, 1]
    return np.column_stack([FEATURES[f](a, b) for f in features]).astype(np.float64)


# ----------------------------------------------------------------------------- network
ACTIVATION_NAMES = ["tanh", "relu", "sigmoid", "linear", "leaky_relu", "elu", "gelu",
                    "softplus", "silu"]
#: "playground" is TF Playground's own: weights U(-0.5, 0.5), biases 0.1.
INIT_NAMES = ["xavier", "xavier_normal", "he", "he_normal", "lecun", "lecun_uniform", "normal",
              "small_normal", "uniform", "playground", "zeros"]
OPTIMIZER_NAMES = list(optim.OPTIMIZERS)
SCHEDULE_NAMES = ["constant", "step", "exponential", "cosine", "cosine_warm_restarts", "linear",
                  "polynomial", "warmup_cosine", "onecycle", "cyclic"]


def build_network(n_inputs: int, shape: list, activation: str, problem: str, *,
                  batch_norm: bool = False, dropout: float = 0.0, input_noise: float = 0.0):
    """``nn.Sequential``: [GaussianNoise] (Linear [BatchNorm1d] act [Dropout])* Linear [Tanh].

    Float64 throughout (TF Playground computes in doubles). The output unit is ``tanh`` for
    classification and linear for regression.

    Examples
    --------
    >>> from lucidnet.playground.engine import build_network
    >>> build_network(2, [4, 2], "tanh", "classification")  # doctest: +ELLIPSIS
    Sequential(...)
    """
    layers = []
    if input_noise > 0:
        layers.append(nn.GaussianNoise(input_noise))
    width = n_inputs
    for units in shape:
        layers.append(nn.Linear(width, units, dtype=np.float64))
        if batch_norm:
            layers.append(nn.BatchNorm1d(units, dtype=np.float64))
        layers.append(nn.get_activation(activation))
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        width = units
    layers.append(nn.Linear(width, 1, dtype=np.float64))
    if problem == "classification":
        layers.append(nn.Tanh())
    return nn.Sequential(*layers)


def initialize_network(model, init: str, activation: str, seed: int) -> None:
    """Initialize every Linear layer in place from ``Generator().manual_seed(seed)``.

    Weights by ``init`` (lucidnet.nn.init), biases 0 -- except "playground" (TF Playground's
    own: weights U(-0.5, 0.5), biases 0.1) and "zeros" (all 0, TF Playground's initZero).

    Examples
    --------
    >>> from lucidnet.playground.engine import build_network, initialize_network
    >>> m = build_network(2, [3], "tanh", "classification")
    >>> initialize_network(m, "zeros", "tanh", 0)
    >>> float(abs(m[0].weight.data).sum())
    0.0
    """
    from ..nn import init as I

    gen = Generator().manual_seed(seed % 2 ** 64)
    gain = I.calculate_gain(activation if activation in ("relu", "tanh", "sigmoid", "leaky_relu")
                            else "linear")
    for layer in model:
        if not isinstance(layer, nn.Linear):
            continue
        w, b = layer.weight, layer.bias
        if init == "xavier":
            I.xavier_uniform_(w, gain=gain, generator=gen)
        elif init == "xavier_normal":
            I.xavier_normal_(w, gain=gain, generator=gen)
        elif init == "he":
            I.he_uniform_(w, generator=gen)
        elif init == "he_normal":
            I.he_normal_(w, generator=gen)
        elif init == "lecun":
            I.lecun_normal_(w, generator=gen)
        elif init == "lecun_uniform":
            I.lecun_uniform_(w, generator=gen)
        elif init == "normal":
            I.normal_(w, 0.0, 1.0, generator=gen)
        elif init == "small_normal":
            I.small_normal_(w, generator=gen)
        elif init in ("uniform", "playground"):
            I.uniform_(w, -0.5, 0.5, generator=gen)
        elif init == "zeros":
            I.zeros_(w)
        else:
            raise ConfigError(f"unknown init {init!r}; valid: {', '.join(INIT_NAMES)}")
        I.constant_(b, 0.1 if init == "playground" else 0.0)


def make_optimizer(name: str, model, lr: float):
    """A lucidnet optimizer by registry name (``lucidnet.optim.OPTIMIZERS``) at rate ``lr``.

    Examples
    --------
    >>> from lucidnet.playground.engine import build_network, make_optimizer
    >>> make_optimizer("adam", build_network(2, [], "tanh", "classification"), 0.01)  # doctest: +ELLIPSIS
    Adam (...)
    """
    return optim.get_optimizer(name, model.parameters(), lr=lr)


def make_schedule(name: str, optimizer, horizon: int):
    """The learning-rate schedule, stepped once per training step; ``horizon`` steps is its
    length (cosine period, one-cycle length, step decay every horizon / 4 by 0.5, exponential
    decay to 1 % at the horizon ...). ``"constant"`` returns None.

    Examples
    --------
    >>> from lucidnet.playground.engine import build_network, make_optimizer, make_schedule
    >>> opt = make_optimizer("sgd", build_network(2, [], "tanh", "classification"), 0.1)
    >>> make_schedule("constant", opt, 100) is None
    True
    >>> type(make_schedule("cosine", opt, 100)).__name__
    'CosineAnnealingLR'
    """
    h = int(horizon)
    lr = optimizer.param_groups[0]["lr"]
    if name == "constant":
        return None
    if name == "step":
        return lr_scheduler.StepLR(optimizer, step_size=max(1, h // 4), gamma=0.5)
    if name == "exponential":
        return lr_scheduler.ExponentialLR(optimizer, gamma=0.01 ** (1 / h))
    if name == "cosine":
        return lr_scheduler.CosineAnnealingLR(optimizer, T_max=h)
    if name == "cosine_warm_restarts":
        return lr_scheduler.CosineAnnealingWarmRestarts(optimizer, T_0=max(1, h // 4))
    if name == "linear":
        return lr_scheduler.LinearLR(optimizer, start_factor=1.0, end_factor=0.01, total_iters=h)
    if name == "polynomial":
        return lr_scheduler.PolynomialLR(optimizer, total_iters=h, power=2.0)
    if name == "warmup_cosine":
        return lr_scheduler.warmup_cosine(optimizer, warmup_steps=max(1, h // 10), total_steps=h)
    if name == "onecycle":
        return lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=h)
    if name == "cyclic":
        return lr_scheduler.CyclicLR(optimizer, base_lr=lr / 10, max_lr=lr,
                                     step_size_up=max(1, h // 10))
    raise ConfigError(f"unknown schedule {name!r}; valid: {', '.join(SCHEDULE_NAMES)}")


def make_penalty(kind: str, rate: float):
    """TF Playground's regularization on the weights (not the biases) as a lucidnet penalty:
    L1 ``rate * sum |w|`` (gradient ``rate * sign(w)``), L2 ``rate / 2 * sum w^2`` (gradient
    ``rate * w``, TF's ``der = w``); None for "none" or rate 0.

    Examples
    --------
    >>> from lucidnet.playground.engine import make_penalty
    >>> make_penalty("L2", 0.01)
    L2(0.01)
    >>> make_penalty("none", 0.3) is None
    True
    """
    from .. import regularization as R

    if kind == "none" or rate == 0:
        return None
    return R.L1(rate) if kind == "L1" else R.L2(rate)


def count_parameters(n_inputs: int, shape: list, batch_norm: bool) -> int:
    """Parameters of the network `build_network` makes (weights, biases, batch-norm scales)."""
    total, width = 0, n_inputs
    for units in [*shape, 1]:
        total += (width + 1) * units
        width = units
    if batch_norm:
        total += 2 * sum(shape)
    return total


def next_batch(rng, n: int, order, cursor: int, batch_size: int) -> tuple:
    """The next mini-batch of indices: consecutive slices of a permutation of ``range(n)``,
    a fresh permutation from ``rng`` once one is used up (the last batch of an epoch may be
    smaller). Returns ``(order, cursor, indices)``.

    Examples
    --------
    >>> from lucidnet.playground.engine import next_batch
    >>> rng = np.random.default_rng(0)
    >>> order, cursor, idx = next_batch(rng, 5, np.zeros(0, dtype=np.int64), 0, 3)
    >>> len(idx), cursor, sorted(order.tolist())
    (3, 3, [0, 1, 2, 3, 4])
    """
    if cursor >= len(order):
        order, cursor = rng.permutation(n), 0
    return order, cursor + batch_size, order[cursor:cursor + batch_size]


def compute_gradients(model, optimizer, penalty, X, y) -> float:
    """Zero the gradients, forward ``X``, loss ``mean(0.5 * (out - y)^2)`` (+ the penalty),
    backward; returns the loss as a float (the ``.grad`` fields hold its gradient).

    Examples
    --------
    >>> from lucidnet.playground.engine import build_network, compute_gradients, make_optimizer
    >>> m = build_network(1, [], "linear", "regression")
    >>> opt = make_optimizer("sgd", m, 0.1)
    >>> compute_gradients(m, opt, None, np.zeros((2, 1)), np.ones((2, 1))) >= 0
    True
    """
    optimizer.zero_grad()
    diff = model(Tensor(X)) - Tensor(y)
    loss = (diff * diff).mean() * 0.5
    if penalty is not None:
        loss = loss + penalty(model)
    loss.backward()
    return float(loss.data)


def apply_update(optimizer, schedule, steps_done: int, schedule_steps: int) -> None:
    """The optimizer step, then the schedule's (only within its ``schedule_steps`` horizon).

    Examples
    --------
    >>> from lucidnet.playground.engine import apply_update, build_network, compute_gradients, make_optimizer
    >>> m = build_network(1, [], "linear", "regression")
    >>> opt = make_optimizer("sgd", m, 0.1)
    >>> _ = compute_gradients(m, opt, None, np.ones((2, 1)), np.zeros((2, 1)))
    >>> apply_update(opt, None, 0, 10)
    """
    optimizer.step()
    if schedule is not None and steps_done < schedule_steps:
        schedule.step()


# ----------------------------------------------------------------------------- config
DEFAULTS = {
    "problem": "classification", "dataset": "circle", "regDataset": "reg-plane", "noise": 0,
    "percTrainData": 50, "batchSize": 10, "seed": "0",
    "x": True, "y": True, "xSquared": False, "ySquared": False, "xTimesY": False,
    "sinX": False, "sinY": False, "cosX": False, "cosY": False,
    "networkShape": [4, 2], "activation": "tanh", "learningRate": 0.03,
    "regularization": "none", "regularizationRate": 0.0,
    "showTestData": False, "discretize": False, "collectStats": False, "initZero": False,
    "hideText": False, "optimizer": "sgd", "schedule": "constant", "scheduleSteps": 5000,
    "init": "xavier", "batchNorm": False, "dropout": 0.0, "inputNoise": 0.0, "autoplay": False,
}
BOOL_KEYS = ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY", "cosX", "cosY",
             "showTestData", "discretize", "collectStats", "initZero", "hideText", "batchNorm",
             "autoplay"]
#: Keys whose change keeps the weights (TF Playground keeps them for these, too).
KEEP_WEIGHTS_KEYS = {"learningRate", "regularization", "regularizationRate", "batchSize",
                     "showTestData", "discretize", "collectStats", "hideText", "autoplay",
                     "preset"}


def _fail(key, value, expected):
    raise ConfigError(f"{key}={value!r} is invalid: expected {expected}; fix the value or "
                      f"leave {key} out for its default ({DEFAULTS.get(key)!r})")


def _number(key, value, low=None, high=None, *, integer=False, low_open=False):
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        _fail(key, value, "a number")
    try:
        v = float(value)
    except ValueError:
        _fail(key, value, "a number")
    if not math.isfinite(v):
        _fail(key, value, "a finite number")
    if integer:
        if v != int(v):
            _fail(key, value, "an integer")
        v = int(v)
    if low is not None and (v <= low if low_open else v < low):
        _fail(key, value, f"a number {'>' if low_open else '>='} {low}"
              + (f" and <= {high}" if high is not None else ""))
    if high is not None and v > high:
        _fail(key, value, f"a number <= {high}")
    return v


def _bool(key, value):
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", ""):
        return value.lower() in ("true", "1")
    _fail(key, value, "true or false")


def _choice(key, value, valid):
    if value not in valid:
        _fail(key, value, f"one of {', '.join(map(str, valid))}")
    return value


def normalize_config(config: dict | None = None, base: dict | None = None) -> dict:
    """The full, checked configuration: ``base`` (default `DEFAULTS`) updated by ``config``.

    A ``preset`` name is applied first and the other keys of ``config`` override it. Unknown
    keys raise ConfigError (the HTTP API reports them); `urlstate.parse_hash` drops the unknown
    keys of a URL beforehand, as TF Playground does.

    Examples
    --------
    >>> from lucidnet.playground.engine import normalize_config
    >>> c = normalize_config({"networkShape": "8,8", "learningRate": "0.1"})
    >>> c["networkShape"], c["learningRate"], c["activation"]
    ([8, 8], 0.1, 'tanh')
    >>> normalize_config({"learningRate": -1})
    Traceback (most recent call last):
    ...
    lucidnet.playground.engine.ConfigError: learningRate=-1 is invalid: expected a number > 0; fix the value or leave learningRate out for its default (0.03)
    """
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise ConfigError(f"the configuration must be a JSON object, got {type(config).__name__}")
    out = dict(DEFAULTS if base is None else base)
    config = dict(config)
    preset = config.pop("preset", None)
    if preset:
        from .presets import get_preset

        out.update(get_preset(preset)["config"])
    unknown = sorted(set(config) - set(DEFAULTS) - {"csv"})
    if unknown:
        raise ConfigError(f"unknown configuration key(s) {', '.join(unknown)}; valid keys: "
                          f"{', '.join(DEFAULTS)}")
    out.update(config)
    c = {}
    c["problem"] = _choice("problem", out["problem"], ["classification", "regression"])
    c["dataset"] = _choice("dataset", out["dataset"], [*CLASSIFY_DATASETS, "csv"])
    c["regDataset"] = _choice("regDataset", out["regDataset"], [*REGRESS_DATASETS, "csv"])
    c["noise"] = _number("noise", out["noise"], 0, 50)
    c["percTrainData"] = _number("percTrainData", out["percTrainData"], 10, 90)
    c["batchSize"] = _number("batchSize", out["batchSize"], 1, integer=True)
    c["seed"] = str(out["seed"])
    for key in BOOL_KEYS:
        c[key] = _bool(key, out[key])
    shape = out["networkShape"]
    if isinstance(shape, str):
        try:
            shape = [int(v) for v in shape.replace(" ", "").split(",") if v]
        except ValueError:
            _fail("networkShape", out["networkShape"], "comma-separated layer widths like 4,2")
    if not isinstance(shape, (list, tuple)) or any(
            isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1 for v in shape):
        _fail("networkShape", out["networkShape"], "a list of positive integers like [4, 2]")
    c["networkShape"] = [int(v) for v in shape]
    c["activation"] = _choice("activation", out["activation"], ACTIVATION_NAMES)
    c["learningRate"] = _number("learningRate", out["learningRate"], 0, low_open=True)
    c["regularization"] = _choice("regularization", out["regularization"], ["none", "L1", "L2"])
    c["regularizationRate"] = _number("regularizationRate", out["regularizationRate"], 0)
    c["optimizer"] = _choice("optimizer", out["optimizer"], OPTIMIZER_NAMES)
    c["schedule"] = _choice("schedule", out["schedule"], SCHEDULE_NAMES)
    c["scheduleSteps"] = _number("scheduleSteps", out["scheduleSteps"], 10, integer=True)
    c["init"] = _choice("init", out["init"], INIT_NAMES)
    c["dropout"] = _number("dropout", out["dropout"], 0, 0.95)
    c["inputNoise"] = _number("inputNoise", out["inputNoise"], 0)
    features = [f for f in FEATURES if c[f]]
    if not features:
        raise ConfigError("no input feature is selected: turn on at least one of "
                          f"{', '.join(FEATURES)} (e.g. x=true)")
    n_params = count_parameters(len(features), c["networkShape"], c["batchNorm"])
    if n_params > MAX_PARAMETERS:
        raise ConfigError(f"networkShape={c['networkShape']} has {n_params:,} parameters, more "
                          f"than the {MAX_PARAMETERS:,} this playground trains (memory and "
                          f"time would run out); use fewer or narrower layers")
    return c


# ----------------------------------------------------------------------------- helpers
def _round(values) -> list:
    """Floats to ~4 significant digits as a list; NaN/inf become None."""
    a = np.asarray(values, dtype=np.float64).ravel()
    finite = np.isfinite(a)
    with np.errstate(divide="ignore", invalid="ignore"):
        mag = np.where(finite & (a != 0), np.floor(np.log10(np.abs(np.where(finite, a, 1)))), 0)
        scale = 10.0 ** (3 - mag)
        r = np.round(np.where(finite, a, 0) * scale) / scale
    out = r.tolist()
    if not finite.all():
        out = [v if ok else None for v, ok in zip(out, finite.tolist())]
    return out


def _num(v):
    v = float(v)
    return float(f"{v:.4g}") if math.isfinite(v) else None


def _grid(n: int) -> np.ndarray:
    """``(n*n, 2)`` points over [-6, 6]^2, row-major, row 0 at the top (x2 = +6)."""
    ticks = np.linspace(-EXTENT, EXTENT, n)
    x1, x2 = np.meshgrid(ticks, ticks[::-1])
    return np.column_stack([x1.ravel(), x2.ravel()])


_GRID = np.concatenate([_grid(BOUNDARY_N), _grid(THUMB_N)])
_RNG_LOCK = threading.Lock()  # dropout / input noise draw from lucidnet's global stream


# ----------------------------------------------------------------------------- the session
class PlaygroundSession:
    """One playground: configuration, data, network, optimizer, and its training state.

    Parameters
    ----------
    config : dict, optional
        Partial configuration (TF Playground's URL keys plus lucidnet's; see `DEFAULTS`).
    csv : dict, optional
        Uploaded data ``{"points": (n, 3) array [x1, x2, target], "columns": [...],
        "problem": "classification" | "regression"}``; it replaces the generated dataset.

    Notes
    -----
    Deterministic for a configuration and seed: data from ``seed_number(seed)``, the split from
    ``+ 1``, initialization from ``+ 2``, mini-batch order from ``+ 3`` and dropout / input noise
    from ``+ 4`` (lucidnet's global stream, swapped in under a lock for each step).

    Examples
    --------
    >>> from lucidnet.playground.engine import PlaygroundSession
    >>> s = PlaygroundSession({"dataset": "gauss", "networkShape": []})
    >>> s.step(epochs=2) == 2 * s.steps_per_epoch
    True
    >>> s.losses()["train"] < 0.5
    True
    """

    def __init__(self, config: dict | None = None, csv: dict | None = None):
        self.config = normalize_config(config)
        self.csv = csv
        self.lock = threading.RLock()
        self.build = 0   # networks built so far; frames order by (build, step)
        self._build_data()
        self._build_model()

    # -- construction
    @property
    def problem(self) -> str:
        """``"classification"`` or ``"regression"`` (from the uploaded data when there is one)."""
        if self.csv is not None:
            return self.csv["problem"]
        return self.config["problem"]

    @property
    def features(self) -> list:
        """The selected input features, in TF Playground's order."""
        return [f for f in FEATURES if self.config[f]]

    def _build_data(self) -> None:
        c = self.config
        if self.csv is not None:
            points = self.csv["points"]
        else:
            name = c["dataset"] if c["problem"] == "classification" else c["regDataset"]
            if name == "csv":
                raise ConfigError("dataset 'csv' needs an uploaded file: POST the CSV to "
                                  "/api/sessions/{id}/data first")
            points = generate_data(name, c["noise"], c["seed"])
        self.train_points, self.test_points = split_data(points, c["percTrainData"], c["seed"])
        if len(self.train_points) < 1 or len(self.test_points) < 1:
            raise ConfigError(f"percTrainData={c['percTrainData']} leaves an empty train or test "
                              f"set of {len(points)} points; use more rows or another ratio")
        self.X_train = feature_matrix(self.train_points, self.features)
        self.y_train = self.train_points[:, 2:3].copy()
        self.X_test = feature_matrix(self.test_points, self.features)
        self.y_test = self.test_points[:, 2:3].copy()
        self.X_grid = feature_matrix(_GRID, self.features)

    def _build_model(self) -> None:
        c = self.config
        self.build += 1
        seed = seed_number(c["seed"])
        init = "zeros" if c["initZero"] else c["init"]
        self.model = build_network(len(self.features), c["networkShape"], c["activation"],
                                   self.problem, batch_norm=c["batchNorm"], dropout=c["dropout"],
                                   input_noise=c["inputNoise"])
        initialize_network(self.model, init, c["activation"], seed + 2)
        self.model.train()
        self.optimizer = make_optimizer(c["optimizer"], self.model, c["learningRate"])
        self.schedule = make_schedule(c["schedule"], self.optimizer, c["scheduleSteps"])
        self.penalty = make_penalty(c["regularization"], c["regularizationRate"])
        self.batch_rng = np.random.default_rng((seed + 3) % 2 ** 64)
        self.noise_state = Generator().manual_seed((seed + 4) % 2 ** 64).get_state()
        self.uses_global_rng = c["dropout"] > 0 or c["inputNoise"] > 0
        self.order = np.zeros(0, dtype=np.int64)
        self.cursor = 0
        self.steps = 0
        self.segments: list = []  # [{"steps", "learningRate", "batchSize", ...}] for the export
        self.history = {"step": [], "train": [], "test": []}
        self.last_update: dict | None = None
        self.diverged = False
        self._record_losses()

    # -- configuration changes
    def update(self, changes: dict) -> bool:
        """Apply a partial configuration; returns True when the network was rebuilt.

        ``learningRate``, ``regularization``, ``regularizationRate``, ``batchSize`` and the UI
        flags keep the weights (with a schedule other than "constant", a new learning rate
        restarts, since the schedule is defined from its base rate); anything else rebuilds.
        """
        with self.lock:
            new = normalize_config(changes, base=self.config)
            changed = {k for k in new if new[k] != self.config[k]}
            if "preset" in changes:
                changed.add("preset")
            if not changed:
                return False
            keep = changed <= KEEP_WEIGHTS_KEYS
            if "learningRate" in changed and new["schedule"] != "constant":
                keep = False
            self.config = new
            if keep:
                for group in self.optimizer.param_groups:
                    group["lr"] = new["learningRate"]
                self.penalty = make_penalty(new["regularization"], new["regularizationRate"])
                return False
            if changed & {"problem", "dataset", "regDataset"} and self.csv is not None:
                self.csv = None  # picking a built-in dataset drops the uploaded one
            self._build_data()
            self._build_model()
            return True

    def set_csv(self, csv: dict | None) -> None:
        """Train on uploaded points (see the class parameters); rebuilds the network."""
        with self.lock:
            self.csv = csv
            self.config = dict(self.config)
            if csv is not None:
                key = "dataset" if csv["problem"] == "classification" else "regDataset"
                self.config["problem"] = csv["problem"]
                self.config[key] = "csv"
            self._build_data()
            self._build_model()

    def reset(self) -> None:
        """Back to step 0: the same data, freshly initialized weights (same seed)."""
        with self.lock:
            self._build_model()

    # -- training
    @property
    def steps_per_epoch(self) -> int:
        """``ceil(n_train / batchSize)``."""
        return max(1, math.ceil(len(self.X_train) / self.config["batchSize"]))

    def _one_step(self, watch: bool) -> float:
        with np.errstate(all="ignore"):  # divergence is reported by the doctor, not warned
            self.order, self.cursor, idx = next_batch(self.batch_rng, len(self.X_train),
                                                      self.order, self.cursor,
                                                      self.config["batchSize"])
            loss = compute_gradients(self.model, self.optimizer, self.penalty,
                                     self.X_train[idx], self.y_train[idx])
            if watch:
                first = next(m for m in self.model if isinstance(m, nn.Linear))
                before = float(first.weight.data[0, 0])
                grad = float(first.weight.grad.data[0, 0])
                lr = self.optimizer.param_groups[0]["lr"]
            apply_update(self.optimizer, self.schedule, self.steps, self.config["scheduleSteps"])
        if watch:
            state = {k: (float(np.asarray(v).ravel()[0]) if np.ndim(v) else float(v))
                     for k, v in self.optimizer.state.get(first.weight, {}).items()
                     if isinstance(v, (int, float, np.ndarray, np.generic))}
            self.last_update = {"before": before, "grad": grad, "lr": lr,
                                "after": float(first.weight.data[0, 0]), "state": state,
                                "batch": len(idx), "loss": loss}
        return loss

    def step(self, steps: int = 1, epochs: int | None = None) -> int:
        """Train ``steps`` mini-batches (or ``epochs`` epochs); returns the steps taken.

        Stops early (and marks the session diverged) when the loss or a weight becomes NaN/inf.
        """
        n = self.steps_per_epoch * int(epochs) if epochs is not None else int(steps)
        if n < 0:
            raise ConfigError(f"steps must be >= 0, got {n}")
        taken = 0
        with self.lock:
            if self.diverged:
                return 0
            hyper = {k: self.config[k] for k in
                     ("learningRate", "batchSize", "regularization", "regularizationRate")}
            if not self.segments or self.segments[-1]["config"] != hyper:
                self.segments.append({"steps": 0, "config": hyper})
            for i in range(n):
                if self.uses_global_rng:
                    with _RNG_LOCK:
                        saved = get_rng_state()
                        set_rng_state(self.noise_state)
                        try:
                            loss = self._one_step(watch=i == n - 1)
                        finally:
                            self.noise_state = get_rng_state()
                            set_rng_state(saved)
                else:
                    loss = self._one_step(watch=i == n - 1)
                self.steps += 1
                self.segments[-1]["steps"] += 1
                taken += 1
                if not math.isfinite(loss) or not self._weights_finite():
                    self.diverged = True
                    break
            self._record_losses()
        return taken

    def _weights_finite(self) -> bool:
        return all(np.isfinite(p.data).all() for p in self.model.parameters())

    # -- evaluation
    def _predict(self, X) -> np.ndarray:
        was = self.model.training
        self.model.eval()
        try:
            with no_grad(), np.errstate(all="ignore"):
                return self.model(Tensor(X)).data
        finally:
            self.model.train(was)

    def losses(self) -> dict:
        """``{"train": mean 0.5 (out - y)^2, "test": ...}`` in evaluation mode, whole sets."""
        with self.lock, np.errstate(all="ignore"):
            train = float(np.mean(0.5 * (self._predict(self.X_train) - self.y_train) ** 2))
            test = float(np.mean(0.5 * (self._predict(self.X_test) - self.y_test) ** 2))
        return {"train": train, "test": test}

    def _record_losses(self) -> None:
        loss = self.losses()
        h = self.history
        h["step"].append(self.steps)
        h["train"].append(loss["train"])
        h["test"].append(loss["test"])
        if len(h["step"]) > 2 * HISTORY_POINTS:  # keep every other point: bounded memory
            for k in h:
                h[k] = h[k][::2]
        self.current_losses = loss

    def _layer_outputs(self, X) -> list:
        """``[(module, output)]`` of one forward pass in evaluation mode."""
        was = self.model.training
        self.model.eval()
        outs = []
        try:
            with no_grad(), np.errstate(all="ignore"):
                a = Tensor(X)
                for m in self.model:
                    a = m(a)
                    outs.append((m, a.data))
        finally:
            self.model.train(was)
        return outs

    def frame(self) -> dict:
        """The frame JSON of the contract (see ``docs``/playground_api): boundary, neurons,
        weights, biases, losses, history, doctor, formulas."""
        with self.lock:
            outs = self._layer_outputs(self.X_grid)
            nb = BOUNDARY_N * BOUNDARY_N
            boundary = outs[-1][1][:nb, 0]
            # a layer's picture is its output after batch norm and activation (eval mode)
            layer_outs = [self.X_grid[nb:]]
            for m, out in outs:
                if isinstance(m, nn.Linear):
                    layer_outs.append(out[nb:])
                elif len(layer_outs) > 1 and not isinstance(m, nn.Dropout):
                    layer_outs[-1] = out[nb:]
            thumbs = [[{"values": _round(a[:, k])} for k in range(min(a.shape[1], MAX_THUMBS))]
                      for a in layer_outs]
            linears = [m for m in self.model if isinstance(m, nn.Linear)]
            weights = [[_round(row) for row in m.weight.data.T]
                       if m.weight.data.size <= MAX_FRAME_WEIGHTS else None for m in linears]
            biases = [_round(m.bias.data) if m.bias.data.size <= MAX_FRAME_WEIGHTS else None
                      for m in linears]
            h = self.history
            return {
                "build": self.build,
                "step": self.steps,
                "epoch": round(self.steps / self.steps_per_epoch, 3),
                "train_loss": _num(self.current_losses["train"]),
                "test_loss": _num(self.current_losses["test"]),
                "history": _downsampled(h),
                "boundary": {"n": BOUNDARY_N, "extent": [-EXTENT, EXTENT],
                             "values": _round(boundary)},
                "neurons": thumbs,
                "thumb_n": THUMB_N,
                "neurons_total": [int(a.shape[1]) for a in layer_outs],
                "weights": weights,
                "biases": biases,
                "doctor": self.doctor(),
                "formulas": {"update": self.update_formula(), "backward": self.backward_text()},
            }

    # -- the training doctor
    def doctor(self) -> list:
        """Warnings ``[{"level", "code", "message"}]``: divergence (NaN/inf or a loss grown
        past twice its start), dead ReLUs, saturated units, vanishing / exploding gradients
        (lucidnet.train.diagnostics on up to 500 training samples)."""
        from ..train.diagnostics import diagnose

        out = []
        h = self.history
        loss = self.current_losses["train"]
        if self.diverged or not math.isfinite(loss):
            out.append({"level": "error", "code": "divergence",
                        "message": f"training diverged at step {self.steps}: the loss or a "
                                   f"weight became NaN/inf -- lower the learning rate and reset"})
            return out
        if self.steps >= 20 and loss > 2 * h["train"][0] and loss > 0.05:
            out.append({"level": "warning", "code": "divergence",
                        "message": f"the training loss grew from {h['train'][0]:.3g} to "
                                   f"{loss:.3g} -- the learning rate is probably too high"})
        probe = self.X_train[:500]
        was = self.model.training
        self.model.eval()
        try:
            with np.errstate(all="ignore"):
                record = diagnose(self.model, probe, self.y_train[:500], nn.MSELoss())
        finally:
            self.model.train(was)
            self.model.zero_grad()
        for text in record["warnings"]:
            code = ("dead_relu" if "dead" in text else "saturation" if "saturated" in text
                    else "vanishing_gradient" if "vanishing" in text
                    else "exploding_gradient" if "exploding" in text else "nonfinite_gradient")
            out.append({"level": "warning", "code": code, "message": text})
        return out

    # -- the formulas panel
    def update_formula(self) -> str:
        """The current optimizer's update rule for the weight w[0,0] of the first layer (from
        input 1 to unit 1), with the numbers of the last step."""
        u = self.last_update
        name = self.config["optimizer"]
        if u is None:
            return (f"{name}: no step taken yet -- press step or play to see the update of "
                    f"w = layer 1 weight from input 1 to unit 1")
        g, w0, w1, lr, st = u["grad"], u["before"], u["after"], u["lr"], u["state"]
        t = int(st.get("step", self.steps))
        lines = [f"optimizer {name}, step t = {t}, learning rate lr = {lr:.4g}, "
                 f"batch of {u['batch']} samples, batch loss {u['loss']:.4g}",
                 f"w = layer 1 weight (input 1 -> unit 1); g = dL/dw = {g:.6g}"
                 + (" (incl. the regularization term)" if self.penalty is not None else "")]
        group = self.optimizer.param_groups[0]
        if name in ("adam", "adamw", "amsgrad", "nadam", "radam"):
            b1, b2 = group["betas"]
            eps = group["eps"]
            m, v = st.get("exp_avg", float("nan")), st.get("exp_avg_sq", float("nan"))
            mh, vh = m / (1 - b1 ** t), v / (1 - b2 ** t)
            lines += [f"m = b1*m + (1-b1)*g          = {m:.6g}   (b1 = {b1})",
                      f"v = b2*v + (1-b2)*g^2        = {v:.6g}   (b2 = {b2})",
                      f"m_hat = m / (1 - b1^t)       = {mh:.6g}",
                      f"v_hat = v / (1 - b2^t)       = {vh:.6g}"]
            if name in ("adam", "amsgrad", "adamw"):
                if name == "amsgrad":
                    vmax = st.get("max_exp_avg_sq", v)
                    vh = vmax / (1 - b2 ** t)
                    lines.append(f"v_max = max(v_max, v) -> v_hat = {vh:.6g}")
                step = lr * mh / (math.sqrt(max(vh, 0)) + eps)
                if name == "adamw":
                    lines.append(f"w = w * (1 - lr*wd)  (wd = {group['weight_decay']})")
                lines.append(f"step = lr * m_hat / (sqrt(v_hat) + eps) = {step:.6g}   "
                             f"(eps = {eps:g})")
            else:
                lines.append(f"{name} step from m, v (see lucidnet.optim.{name})")
        elif name in ("sgd", "momentum", "nesterov"):
            mu = group.get("momentum", 0)
            if mu:
                buf = st.get("momentum_buffer", float("nan"))
                lines.append(f"b = mu*b + g = {buf:.6g}   (mu = {mu})")
                if group.get("nesterov"):
                    lines.append(f"step = lr * (g + mu*b) = {lr * (g + mu * buf):.6g}")
                else:
                    lines.append(f"step = lr * b = {lr * buf:.6g}")
            else:
                lines.append(f"step = lr * g = {lr:.4g} * {g:.6g} = {lr * g:.6g}")
        elif name == "adagrad":
            s = st.get("sum", float("nan"))
            lines += [f"G = G + g^2 = {s:.6g}",
                      f"step = lr * g / (sqrt(G) + eps) = {lr * g / (math.sqrt(s) + group['eps']):.6g}"]
        elif name == "rmsprop":
            s = st.get("square_avg", float("nan"))
            a = group["alpha"]
            lines += [f"s = alpha*s + (1-alpha)*g^2 = {s:.6g}   (alpha = {a})",
                      f"step = lr * g / (sqrt(s) + eps) = {lr * g / (math.sqrt(s) + group['eps']):.6g}"]
        elif name == "adadelta":
            lines += [f"s = rho*s + (1-rho)*g^2 = {st.get('square_avg', float('nan')):.6g}",
                      f"u = rho*u + (1-rho)*delta^2 = {st.get('acc_delta', float('nan')):.6g}",
                      "delta = sqrt(u_prev + eps) / sqrt(s + eps) * g;  step = lr * delta"]
        elif name == "adamax":
            b1, b2 = group["betas"]
            m, uu = st.get("exp_avg", float("nan")), st.get("exp_inf", float("nan"))
            lines += [f"m = b1*m + (1-b1)*g = {m:.6g}",
                      f"u = max(b2*u, |g| + eps) = {uu:.6g}",
                      f"step = lr / (1 - b1^t) * m / u = {lr / (1 - b1 ** t) * m / uu:.6g}"]
        elif name == "rprop":
            lines += [f"step size (grows x1.2 while sign(g) stays, x0.5 on a flip) = "
                      f"{st.get('step_size', float('nan')):.6g}",
                      "step = step_size * sign(g)"]
        else:
            lines.append(f"update by lucidnet.optim {name} (state: "
                         + ", ".join(f"{k}={v:.4g}" for k, v in st.items()) + ")")
        lines.append(f"w: {w0:.6g} -> {w1:.6g}  (w_new = w - step; change {w1 - w0:+.6g})")
        return "\n".join(lines)

    def backward_text(self) -> str:
        """One training sample's forward pass and backward pass, layer by layer (evaluation
        mode: dropout and input noise off, batch norm with its running statistics)."""
        with self.lock:
            x = self.X_train[:1]
            target = float(self.y_train[0, 0])
            lines = [f"sample 1: inputs {', '.join(FEATURE_LABELS[f] for f in self.features)} "
                     f"= {_vec(x[0])}, target {target:.4g}", "forward:"]
            a = x[0].copy()
            tape = []
            li = 0
            with np.errstate(all="ignore"):
                for m in self.model:
                    if isinstance(m, nn.Linear):
                        li += 1
                        W, b = m.weight.data, m.bias.data
                        z = W @ a + b
                        lines.append(f"  layer {li}: z = W a + b = {_vec(z)}")
                        tape.append(("linear", li, W, a))
                        a = z
                    elif isinstance(m, nn.BatchNorm1d):
                        scale = _arr(m.weight) / np.sqrt(_arr(m.running_var) + m.eps)
                        a = (a - _arr(m.running_mean)) * scale + _arr(m.bias)
                        lines.append(f"  batch norm: {_vec(a)}")
                        tape.append(("scale", scale))
                    elif isinstance(m, (nn.Dropout, nn.GaussianNoise)):
                        continue
                    else:
                        t = Tensor(a.copy(), requires_grad=True)
                        out = m(t)
                        out.sum().backward()
                        lines.append(f"  {type(m).__name__.lower()}: a = {_vec(out.data)}")
                        tape.append(("scale", t.grad.data.copy()))
                        a = out.data
                out = np.float64(a[0])   # not a Python float: a diverged output squares to
                loss = 0.5 * (out - target) ** 2   # inf here instead of raising OverflowError
                lines.append(f"  output {out:.4g}; loss = 0.5 (output - target)^2 = {loss:.4g}")
                lines.append("backward:")
                delta = np.array([out - target])
                lines.append(f"  dL/doutput = output - target = {delta[0]:.4g}")
                for entry in reversed(tape):
                    if entry[0] == "scale":
                        delta = delta * entry[1]
                        continue
                    _, li, W, a_in = entry
                    lines.append(f"  layer {li}: dL/dz = {_vec(delta)}; dL/dW = dL/dz a^T "
                                 f"(row 1: {_vec(delta[0] * a_in)}); dL/db = dL/dz")
                    delta = W.T @ delta
                    if li > 1:
                        lines.append(f"  layer {li - 1} output: dL/da = W^T dL/dz = {_vec(delta)}")
        return "\n".join(lines)

    # -- state for the API
    def data_json(self) -> dict:
        """``{"train": [[x1, x2, label]...], "test": [...], "features": [...], "columns": ...}``."""
        return {"train": [_round(p) for p in self.train_points[:5000]],
                "test": [_round(p) for p in self.test_points[:5000]],
                "features": self.features,
                "columns": None if self.csv is None else self.csv.get("columns")}


def _downsampled(history: dict) -> dict:
    """At most HISTORY_POINTS evenly spaced points of the loss curves, the last one kept."""
    n = len(history["step"])
    keep = np.unique(np.linspace(0, n - 1, min(n, HISTORY_POINTS)).round().astype(int)) \
        if n else np.zeros(0, dtype=int)
    return {"step": [history["step"][i] for i in keep],
            "train": _round([history["train"][i] for i in keep]),
            "test": _round([history["test"][i] for i in keep])}


def _arr(x) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _vec(v, limit: int = 8) -> str:
    v = np.asarray(v).ravel()
    body = ", ".join(f"{x:.4g}" for x in v[:limit])
    return f"[{body}{', ...' if len(v) > limit else ''}]"
