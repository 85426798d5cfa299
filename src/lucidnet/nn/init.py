"""Weight initializers, in place, PyTorch names (SPEC G1, G2).

fan_in / fan_out of a weight (out, in, *kernel) are in * prod(kernel) and out * prod(kernel), so a
conv layer's fan-in is F^2 * C (SPEC G2). Glorot's variance 2 / (fan_in + fan_out) is used for both
Xavier variants (SPEC Errata: seed 003 writes 1 / (n_in + n_out) for the normal one).

    normal_            N(mean, std^2)                       (G1; std=1 is the notes' N(0, 1))
    small_normal_      0.01 * N(0, 1)                       (G1)
    zeros_             0 (every unit stays identical: the symmetry problem)
    lecun_normal_      N(0, 1 / fan_in)                     (G2: "rand / sqrt(fan_in)")
    lecun_uniform_     U(-sqrt(3 / fan_in), +sqrt(3 / fan_in))
    xavier_normal_     N(0, gain^2 * 2 / (fan_in + fan_out))
    xavier_uniform_    U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out))
    kaiming_normal_    N(0, gain^2 / fan),  gain = sqrt(2) for ReLU  (He)
    kaiming_uniform_   U(-b, b), b = gain * sqrt(3 / fan)
"""

from __future__ import annotations

import math

import numpy as np

from ..random import get_rng

__all__ = ["calculate_gain", "compute_fans", "normal_", "uniform_", "zeros_", "ones_",
           "constant_", "small_normal_", "lecun_normal_", "lecun_uniform_", "xavier_normal_",
           "xavier_uniform_", "kaiming_normal_", "kaiming_uniform_", "he_normal_", "he_uniform_",
           "get_initializer", "INITIALIZERS"]


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity, as ``torch.nn.init.calculate_gain``."""
    linear = ("linear", "identity", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
              "conv_transpose2d", "conv_transpose3d", "sigmoid")
    if nonlinearity in linear:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is not None and (isinstance(param, bool) or
                                  not isinstance(param, (int, float, np.integer, np.floating))):
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a valid number; "
                             f"pass a float such as 0.01")
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(
        f"unknown nonlinearity {nonlinearity!r}; expected one of "
        f"{sorted(linear + ('tanh', 'relu', 'leaky_relu', 'selu'))}"
    )


def compute_fans(shape: tuple) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight shaped (out, in, *kernel)."""
    if len(shape) < 2:
        raise ValueError(f"fan in/out need a weight with at least 2 dimensions, got shape {shape}")
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def _array(t):
    return t.data if hasattr(t, "data") and isinstance(t.data, np.ndarray) else t


def _fill(t, values):
    arr = _array(t)
    arr[...] = values
    return t


def _rng(generator):
    return generator if generator is not None else get_rng()


def _fan(shape, mode):
    fan_in, fan_out = compute_fans(shape)
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    return fan_in if mode == "fan_in" else fan_out


def _check_float(t, name):
    dtype = _array(t).dtype
    if dtype.kind != "f":
        raise TypeError(f"{name} expects a floating-point tensor, got dtype {dtype} (random values "
                        f"would be truncated); cast it first, e.g. .astype(np.float32)")


def uniform_(t, a: float = 0.0, b: float = 1.0, generator=None):
    _check_float(t, "uniform_")
    return _fill(t, _rng(generator).uniform(a, b, _array(t).shape))


def normal_(t, mean: float = 0.0, std: float = 1.0, generator=None):
    _check_float(t, "normal_")
    return _fill(t, _rng(generator).normal(mean, std, _array(t).shape))


def small_normal_(t, scale: float = 0.01, generator=None):
    """scale * N(0, 1): the notes' "small random numbers" (SPEC G1)."""
    return normal_(t, 0.0, scale, generator)


def zeros_(t):
    return _fill(t, 0)


def ones_(t):
    return _fill(t, 1)


def constant_(t, value: float):
    return _fill(t, value)


def lecun_normal_(t, generator=None):
    fan_in, _ = compute_fans(_array(t).shape)
    return normal_(t, 0.0, 1.0 / math.sqrt(fan_in), generator)


def lecun_uniform_(t, generator=None):
    fan_in, _ = compute_fans(_array(t).shape)
    bound = math.sqrt(3.0 / fan_in)
    return uniform_(t, -bound, bound, generator)


def xavier_uniform_(t, gain: float = 1.0, generator=None):
    fan_in, fan_out = compute_fans(_array(t).shape)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(t, -bound, bound, generator)


def xavier_normal_(t, gain: float = 1.0, generator=None):
    fan_in, fan_out = compute_fans(_array(t).shape)
    return normal_(t, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def kaiming_uniform_(t, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                     generator=None):
    if _array(t).size == 0:      # PyTorch: initializing a zero-element tensor is a no-op
        return t
    gain = calculate_gain(nonlinearity, a)
    bound = gain * math.sqrt(3.0 / _fan(_array(t).shape, mode))
    return uniform_(t, -bound, bound, generator)


def kaiming_normal_(t, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    generator=None):
    if _array(t).size == 0:      # PyTorch: initializing a zero-element tensor is a no-op
        return t
    gain = calculate_gain(nonlinearity, a)
    return normal_(t, 0.0, gain / math.sqrt(_fan(_array(t).shape, mode)), generator)


def he_normal_(t, generator=None):
    """He normal for ReLU: N(0, 2 / fan_in)."""
    return kaiming_normal_(t, nonlinearity="relu", generator=generator)


def he_uniform_(t, generator=None):
    """He uniform for ReLU: U(-sqrt(6 / fan_in), +sqrt(6 / fan_in))."""
    return kaiming_uniform_(t, nonlinearity="relu", generator=generator)


def default_linear_init_(weight, bias=None, generator=None):
    """PyTorch's default for Linear/Conv: W, b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    kaiming_uniform_(weight, a=math.sqrt(5), generator=generator)
    if bias is not None:
        fan_in, _ = compute_fans(_array(weight).shape)
        bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        uniform_(bias, -bound, bound, generator)


INITIALIZERS = {
    "default": None,
    "normal": normal_,
    "small_normal": small_normal_,
    "zeros": zeros_,
    "lecun_normal": lecun_normal_,
    "lecun_uniform": lecun_uniform_,
    "xavier_normal": xavier_normal_,
    "xavier_uniform": xavier_uniform_,
    "glorot_normal": xavier_normal_,
    "glorot_uniform": xavier_uniform_,
    "he_normal": he_normal_,
    "he_uniform": he_uniform_,
    "kaiming_normal": he_normal_,
    "kaiming_uniform": he_uniform_,
}


def get_initializer(name: str):
    """Look an initializer up by name; the error lists the valid names."""
    try:
        return INITIALIZERS[name]
    except KeyError:
        raise ValueError(f"unknown initializer {name!r}; valid names: {', '.join(INITIALIZERS)}") from None
