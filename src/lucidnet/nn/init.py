"""Weight initializers, in place, PyTorch names.

fan_in / fan_out of a weight (out, in, *kernel) are in * prod(kernel) and out * prod(kernel), so a
conv layer's fan-in is F^2 * C. Glorot's variance 2 / (fan_in + fan_out) is used for both
Xavier variants (some texts write 1 / (n_in + n_out) for the normal one; this is Glorot's).

    normal_            N(mean, std^2)                       (std=1: the plain N(0, 1) start)
    small_normal_      0.01 * N(0, 1)                       ("small random numbers")
    zeros_             0 (every unit stays identical: the symmetry problem)
    lecun_normal_      N(0, 1 / fan_in)                     ("randn / sqrt(fan_in)")
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
    """The recommended gain for a nonlinearity, as ``torch.nn.init.calculate_gain``.

    1 for linear / conv / sigmoid, 5/3 for tanh, sqrt(2) for relu, sqrt(2 / (1 + slope^2)) for
    leaky_relu (``param`` = slope, default 0.01), 3/4 for selu.

    Parameters
    ----------
    nonlinearity : str
        ``"linear"``, ``"conv1d"``, ``"conv2d"``, ``"sigmoid"``, ``"tanh"``, ``"relu"``,
        ``"leaky_relu"``, ``"selu"``; also ``"identity"``, ``"conv3d"``, ``"conv_transpose1d"``...
    param : float, optional
        The negative slope of ``"leaky_relu"``.

    Returns
    -------
    float

    Examples
    --------
    >>> ln.nn.init.calculate_gain("relu")
    1.4142135623730951
    >>> ln.nn.init.calculate_gain("tanh")
    1.6666666666666667
    """
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
    """``(fan_in, fan_out)`` of a weight shaped (out, in, *kernel): (in * prod(kernel), out * prod(kernel)).

    For a conv layer with C input channels and F x F kernels fan_in = F^2 * C: each output value
    sums that many inputs.

    Parameters
    ----------
    shape : tuple of int
        The weight's shape, at least 2-d: (out, in) or (out, in, *kernel).

    Returns
    -------
    (int, int)
        ``(fan_in, fan_out)``.

    Raises
    ------
    ValueError
        For a weight with fewer than 2 dimensions.

    Examples
    --------
    >>> ln.nn.init.compute_fans((16, 3, 5, 5))
    (75, 400)
    """
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
    """Uniform values: t ~ U(a, b).

    Fills ``t`` in place (no gradient is recorded) and returns it.

    Parameters
    ----------
    t : Tensor or ndarray
        The weight to fill, floating point.
    a, b : float, default 0.0, 1.0
        The interval.
    generator : lucidnet.Generator or numpy.random.Generator, optional
        Source of randomness (default: the global generator set by ``lucidnet.manual_seed``).

    Returns
    -------
    Tensor or ndarray
        ``t`` itself.

    Examples
    --------
    >>> w = ln.empty(2, 3)
    >>> w = ln.nn.init.uniform_(w, -0.1, 0.1)
    >>> bool((w.abs() <= 0.1).all())
    True
    """
    _check_float(t, "uniform_")
    return _fill(t, _rng(generator).uniform(a, b, _array(t).shape))


def normal_(t, mean: float = 0.0, std: float = 1.0, generator=None):
    """Gaussian values: t ~ N(mean, std^2).

    Fills ``t`` in place (no gradient is recorded) and returns it.

    Parameters
    ----------
    t : Tensor or ndarray
        The weight to fill, floating point.
    mean : float, default 0.0
    std : float, default 1.0
        Standard deviation.
    generator : lucidnet.Generator or numpy.random.Generator, optional
        Source of randomness (default: the global generator set by ``lucidnet.manual_seed``).

    Returns
    -------
    Tensor or ndarray
        ``t`` itself.

    Examples
    --------
    >>> w = ln.nn.init.normal_(ln.empty(1000), 0.0, 2.0)
    >>> round(float(w.std()), 1)
    2.0
    """
    _check_float(t, "normal_")
    return _fill(t, _rng(generator).normal(mean, std, _array(t).shape))


def small_normal_(t, scale: float = 0.01, generator=None):
    """Small random numbers: t ~ scale * N(0, 1) = N(0, scale^2), the classic way to break
    the symmetry of equal weights before fan-in-aware schemes.

    Fills ``t`` in place (no gradient is recorded) and returns it.

    Parameters
    ----------
    t : Tensor or ndarray
        The weight to fill, floating point.
    scale : float, default 0.01
        Standard deviation.
    generator : lucidnet.Generator or numpy.random.Generator, optional
        Source of randomness (default: the global generator set by ``lucidnet.manual_seed``).

    Returns
    -------
    Tensor or ndarray
        ``t`` itself.

    Examples
    --------
    >>> w = ln.nn.init.small_normal_(ln.empty(1000))
    >>> round(float(w.std()), 2)
    0.01
    """
    return normal_(t, 0.0, scale, generator)


def zeros_(t):
    """All zeros: t = 0.

    For weights this is the symmetry problem: every unit of a layer computes the same output and
    receives the same gradient, so they stay identical. Fine for biases.

    Fills ``t`` in place (no gradient is recorded) and returns it.

    Parameters
    ----------
    t : Tensor or ndarray
        The weight to fill, floating point.


    Returns
    -------
    Tensor or ndarray
        ``t`` itself.

    Examples
    --------
    >>> ln.nn.init.zeros_(ln.empty(3))
    tensor([0., 0., 0.])
    """
    return _fill(t, 0)


def ones_(t):
    """All ones: t = 1 (e.g. a normalization layer's scale gamma).

    Fills ``t`` in place (no gradient is recorded) and returns it.

    Parameters
    ----------
    t : Tensor or ndarray
        The weight to fill, floating point.


    Returns
    -------
    Tensor or ndarray
        ``t`` itself.

    Examples
    --------
    >>> ln.nn.init.ones_(ln.empty(3))
    tensor([1., 1., 1.])
    """
    return _fill(t, 1)


def constant_(t, value: float):
    """One value everywhere: t = value.

    Fills ``t`` in place (no gradient is recorded) and returns it.

    Parameters
    ----------
    t : Tensor or ndarray
        The weight to fill, floating point.
    value : float
        The fill value.

    Returns
    -------
    Tensor or ndarray
        ``t`` itself.

    Examples
    --------
    >>> ln.nn.init.constant_(ln.empty(3), 0.5)
    tensor([0.5000, 0.5000, 0.5000])
    """
    return _fill(t, value)


def lecun_normal_(t, generator=None):
    """LeCun normal: t ~ N(0, 1 / fan_in), i.e. standard normal values divided by sqrt(fan_in).

    Keeps the variance of z = W x near that of x for unit-variance inputs (and SELU networks).
    fan_in and fan_out of a weight (out, in, *kernel) are in * prod(kernel) and out * prod(kernel)
    (see `compute_fans`).

    Fills ``t`` in place (no gradient is recorded) and returns it.

    Parameters
    ----------
    t : Tensor or ndarray
        The weight to fill, floating point.
    generator : lucidnet.Generator or numpy.random.Generator, optional
        Source of randomness (default: the global generator set by ``lucidnet.manual_seed``).

    Returns
    -------
    Tensor or ndarray
        ``t`` itself.

    Examples
    --------
    >>> w = ln.nn.init.lecun_normal_(ln.empty(100, 400))
    >>> round(float(w.std()), 2)                       # 1 / sqrt(400)
    0.05
    """
    fan_in, _ = compute_fans(_array(t).shape)
    return normal_(t, 0.0, 1.0 / math.sqrt(fan_in), generator)


def lecun_uniform_(t, generator=None):
    """LeCun uniform: t ~ U(-sqrt(3 / fan_in), +sqrt(3 / fan_in)), variance 1 / fan_in.
    fan_in and fan_out of a weight (out, in, *kernel) are in * prod(kernel) and out * prod(kernel)
    (see `compute_fans`).

    Fills ``t`` in place (no gradient is recorded) and returns it.

    Parameters
    ----------
    t : Tensor or ndarray
        The weight to fill, floating point.
    generator : lucidnet.Generator or numpy.random.Generator, optional
        Source of randomness (default: the global generator set by ``lucidnet.manual_seed``).

    Returns
    -------
    Tensor or ndarray
        ``t`` itself.

    Examples
    --------
    >>> w = ln.nn.init.lecun_uniform_(ln.empty(10, 300))
    >>> bool((w.abs() <= 0.1).all())                  # sqrt(3 / 300) = 0.1
    True
    """
    fan_in, _ = compute_fans(_array(t).shape)
    bound = math.sqrt(3.0 / fan_in)
    return uniform_(t, -bound, bound, generator)


def xavier_uniform_(t, gain: float = 1.0, generator=None):
    """Glorot / Xavier uniform: t ~ U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)),
    variance gain^2 * 2 / (fan_in + fan_out): a compromise keeping both the forward activations
    and the backward gradients at the same scale (tanh / sigmoid networks).
    fan_in and fan_out of a weight (out, in, *kernel) are in * prod(kernel) and out * prod(kernel)
    (see `compute_fans`).

    Fills ``t`` in place (no gradient is recorded) and returns it.

    Parameters
    ----------
    t : Tensor or ndarray
        The weight to fill, floating point.
    gain : float, default 1.0
        Scale (see `calculate_gain`).
    generator : lucidnet.Generator or numpy.random.Generator, optional
        Source of randomness (default: the global generator set by ``lucidnet.manual_seed``).

    Returns
    -------
    Tensor or ndarray
        ``t`` itself.

    Examples
    --------
    >>> w = ln.nn.init.xavier_uniform_(ln.empty(20, 4))
    >>> bool((w.abs() <= 0.5).all())                  # sqrt(6 / 24) = 0.5
    True
    """
    fan_in, fan_out = compute_fans(_array(t).shape)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(t, -bound, bound, generator)


def xavier_normal_(t, gain: float = 1.0, generator=None):
    """Glorot / Xavier normal: t ~ N(0, gain^2 * 2 / (fan_in + fan_out)).
    fan_in and fan_out of a weight (out, in, *kernel) are in * prod(kernel) and out * prod(kernel)
    (see `compute_fans`).

    Fills ``t`` in place (no gradient is recorded) and returns it.

    Parameters
    ----------
    t : Tensor or ndarray
        The weight to fill, floating point.
    gain : float, default 1.0
        Scale (see `calculate_gain`).
    generator : lucidnet.Generator or numpy.random.Generator, optional
        Source of randomness (default: the global generator set by ``lucidnet.manual_seed``).

    Returns
    -------
    Tensor or ndarray
        ``t`` itself.

    Examples
    --------
    >>> w = ln.nn.init.xavier_normal_(ln.empty(300, 500))
    >>> round(float(w.std()), 3)                      # sqrt(2 / 800) = 0.05
    0.05
    """
    fan_in, fan_out = compute_fans(_array(t).shape)
    return normal_(t, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def kaiming_uniform_(t, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                     generator=None):
    """He / Kaiming uniform: t ~ U(-b, b) with b = gain * sqrt(3 / fan), variance gain^2 / fan.

    ``gain = calculate_gain(nonlinearity, a)``: sqrt(2) for ReLU, which halves the variance it passes
    on, so gain^2 = 2 keeps activations at a constant scale through deep ReLU networks.
    A zero-element tensor is left as it is.
    fan_in and fan_out of a weight (out, in, *kernel) are in * prod(kernel) and out * prod(kernel)
    (see `compute_fans`).

    Fills ``t`` in place (no gradient is recorded) and returns it.

    Parameters
    ----------
    t : Tensor or ndarray
        The weight to fill, floating point.
    a : float, default 0.0
        Negative slope of the leaky ReLU that follows (used for ``'leaky_relu'``).
    mode : {'fan_in', 'fan_out'}, default 'fan_in'
        Preserve the forward (fan_in) or the backward (fan_out) variance.
    nonlinearity : str, default 'leaky_relu'
        The activation after the layer (see `calculate_gain`).
    generator : lucidnet.Generator or numpy.random.Generator, optional
        Source of randomness (default: the global generator set by ``lucidnet.manual_seed``).

    Returns
    -------
    Tensor or ndarray
        ``t`` itself.

    Examples
    --------
    >>> w = ln.nn.init.kaiming_uniform_(ln.empty(10, 600), nonlinearity='relu')
    >>> bool((w.abs() <= 0.1).all())                  # sqrt(2) * sqrt(3 / 600) = 0.1
    True
    """
    if _array(t).size == 0:      # PyTorch: initializing a zero-element tensor is a no-op
        return t
    gain = calculate_gain(nonlinearity, a)
    bound = gain * math.sqrt(3.0 / _fan(_array(t).shape, mode))
    return uniform_(t, -bound, bound, generator)


def kaiming_normal_(t, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    generator=None):
    """He / Kaiming normal: t ~ N(0, gain^2 / fan); for ReLU (gain sqrt(2)) N(0, 2 / fan_in).
    A zero-element tensor is left as it is.
    fan_in and fan_out of a weight (out, in, *kernel) are in * prod(kernel) and out * prod(kernel)
    (see `compute_fans`).

    Fills ``t`` in place (no gradient is recorded) and returns it.

    Parameters
    ----------
    t : Tensor or ndarray
        The weight to fill, floating point.
    a : float, default 0.0
        Negative slope of the leaky ReLU that follows.
    mode : {'fan_in', 'fan_out'}, default 'fan_in'
        Which fan sets the variance.
    nonlinearity : str, default 'leaky_relu'
        The activation after the layer.
    generator : lucidnet.Generator or numpy.random.Generator, optional
        Source of randomness (default: the global generator set by ``lucidnet.manual_seed``).

    Returns
    -------
    Tensor or ndarray
        ``t`` itself.

    Examples
    --------
    >>> w = ln.nn.init.kaiming_normal_(ln.empty(400, 200), nonlinearity='relu')
    >>> round(float(w.std()), 2)                      # sqrt(2 / 200) = 0.1
    0.1
    """
    if _array(t).size == 0:      # PyTorch: initializing a zero-element tensor is a no-op
        return t
    gain = calculate_gain(nonlinearity, a)
    return normal_(t, 0.0, gain / math.sqrt(_fan(_array(t).shape, mode)), generator)


def he_normal_(t, generator=None):
    """He normal for ReLU: N(0, 2 / fan_in).

    ``kaiming_normal_(t, nonlinearity="relu")``: std ``sqrt(2 / fan_in)``, ``fan_in`` the
    number of inputs of one output unit (``in_features``, or ``in_channels * kH * kW``).

    Parameters
    ----------
    t : Tensor
        At least 2-d; filled in place and returned.
    generator : numpy.random.Generator, optional
        The random stream (default: lucidnet's global generator).

    Examples
    --------
    >>> w = ln.nn.init.he_normal_(ln.empty(256, 512))
    >>> abs(float(w.std()) - (2 / 512) ** 0.5) < 0.002       # std sqrt(2 / fan_in) = 0.0625
    True
    """
    return kaiming_normal_(t, nonlinearity="relu", generator=generator)


def he_uniform_(t, generator=None):
    """He uniform for ReLU: U(-sqrt(6 / fan_in), +sqrt(6 / fan_in)).

    ``kaiming_uniform_(t, nonlinearity="relu")``: the same variance ``2 / fan_in`` as
    `he_normal_`.

    Parameters
    ----------
    t : Tensor
        At least 2-d; filled in place and returned.
    generator : numpy.random.Generator, optional
        The random stream (default: lucidnet's global generator).

    Examples
    --------
    >>> w = ln.nn.init.he_uniform_(ln.empty(100, 600))
    >>> bool(w.abs().max() <= (6 / 600) ** 0.5)               # the bound is 0.1
    True
    """
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
    """Look an initializer up by name; the error lists the valid names.

    Parameters
    ----------
    name : str
        A key of ``INITIALIZERS`` (``"xavier_uniform"``, ``"he_normal"``, ...).

    Returns
    -------
    callable or None
        The in-place initializer ``fn(tensor, ...)``; None for ``"default"`` (keep the layer's
        own initialisation).

    Examples
    --------
    >>> ln.nn.init.get_initializer("xavier_uniform").__name__
    'xavier_uniform_'
    >>> print(ln.nn.init.get_initializer("default"))
    None
    >>> ln.nn.init.get_initializer("nope")
    Traceback (most recent call last):
    ...
    ValueError: unknown initializer 'nope'; valid names: default, normal, small_normal, ...
    """
    try:
        return INITIALIZERS[name]
    except KeyError:
        raise ValueError(f"unknown initializer {name!r}; valid names: {', '.join(INITIALIZERS)}") from None
