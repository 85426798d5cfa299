"""Noise injection: into inputs or activations (``GaussianNoise``) and into weights
(``WeightNoise``). Both act only in training mode and draw from ``lucidnet.random.get_rng()``.

    GaussianNoise:  y = x + std * eps,                 eps ~ N(0, 1)
    WeightNoise:    y = f(x; W + std * eps)            for every parameter W of the wrapped module

Weight noise perturbs the weights for one forward pass only: the gradient is that of the
perturbed forward pass, and it accumulates on the clean, stored weights (the optimizer updates
those), which the perturbation never overwrites.
"""

from __future__ import annotations

import numpy as np

from ..autograd.tensor import Tensor
from ..random import get_rng
from .module import Module

__all__ = ["GaussianNoise", "WeightNoise"]


def _check_std(std, where: str) -> float:
    if isinstance(std, bool) or not isinstance(std, (int, float, np.floating)) or not std >= 0:
        raise ValueError(f"{where}: std must be a non-negative number, got {std!r}")
    return float(std)


class GaussianNoise(Module):
    """Add N(0, std^2) noise to the input in training; identity in evaluation.

    ``y = x + std * ε``, ``ε ~ N(0, 1)`` elementwise, in training. Shape: any; output the same.

    Parameters
    ----------
    std : float, default 0.1
        Standard deviation of the noise (>= 0).

    Examples
    --------
    >>> noise = ln.nn.GaussianNoise(std=0.1)
    >>> noise.eval()(ln.ones(3))                        # identity in evaluation
    tensor([1., 1., 1.])
    >>> noise.train()(ln.zeros(1000)).std().item() < 0.2
    True
    """

    def __init__(self, std: float = 0.1):
        super().__init__()
        self.std = _check_std(std, "GaussianNoise")

    def forward(self, x) -> Tensor:
        x = x if isinstance(x, Tensor) else Tensor(np.asarray(x))
        if not self.training or self.std == 0.0:
            return x
        if x.dtype.kind != "f":
            raise TypeError(f"GaussianNoise expects a floating-point input in training mode, got "
                            f"dtype {x.dtype} (the noise would be truncated); cast it first, "
                            f"e.g. x.astype(np.float32)")
        noise = get_rng().standard_normal(x.shape).astype(x.dtype, copy=False)
        noise *= x.dtype.type(self.std)
        return x + noise

    def extra_repr(self) -> str:
        return f"std={self.std}"


class WeightNoise(Module):
    """Wrap ``module`` so each training forward pass uses weights W + std * N(0, 1).

    Every parameter's ``data`` is swapped for a perturbed copy during the wrapped forward pass
    and the very same clean array is put back afterwards (so a flat optimizer buffer whose views
    are the parameters stays intact). The ops of that forward pass keep the perturbed arrays for
    backward, so ``loss.backward()`` gives the gradient of the noisy network, accumulated on the
    clean parameters. State-dict keys are the wrapped module's, prefixed by "module.".

    Parameters
    ----------
    module : Module
        The module whose parameters are perturbed.
    std : float, default 0.01
        Standard deviation of the weight noise (>= 0).

    Examples
    --------
    >>> layer = ln.nn.WeightNoise(ln.nn.Linear(2, 1), std=0.01)
    >>> layer(ln.ones(4, 2)).shape
    torch.Size([4, 1])
    """

    def __init__(self, module: Module, std: float = 0.01):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"WeightNoise wraps a Module, got {type(module).__name__}")
        self.module = module
        self.std = _check_std(std, "WeightNoise")

    def forward(self, *args, **kwargs):
        if not self.training or self.std == 0.0:
            return self.module(*args, **kwargs)
        params = list(self.module.parameters())
        clean = [p.data for p in params]
        rng = get_rng()
        try:
            for p, w in zip(params, clean):
                p.data = w + (self.std * rng.standard_normal(w.shape)).astype(w.dtype)
            return self.module(*args, **kwargs)
        finally:
            for p, w in zip(params, clean):
                p.data = w

    def extra_repr(self) -> str:
        return f"std={self.std}"
