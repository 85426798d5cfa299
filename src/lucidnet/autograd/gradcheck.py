"""Numerical gradient check by central differences (SPEC A4).

    dL/dx_i ~ (L(x + eps e_i) - L(x - eps e_i)) / (2 eps)

`gradcheck` compares that with backpropagation for every input that requires a gradient.
A random cotangent v turns a tensor output y into the scalar L = sum(v * y), so every output
entry is checked, not just their sum.
"""

from __future__ import annotations

import numpy as np

from .tensor import Tensor, no_grad

__all__ = ["gradcheck", "numerical_grad", "GradcheckError"]


class GradcheckError(AssertionError):
    """Analytical and numerical gradients disagree."""


def numerical_grad(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of the scalar function ``f`` at array ``x`` (changed in place
    and restored)."""
    grad = np.zeros_like(x, dtype=np.float64)
    flat = x.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        plus = float(f())
        flat[i] = old - eps
        minus = float(f())
        flat[i] = old
        grad.reshape(-1)[i] = (plus - minus) / (2 * eps)
    return grad


def gradcheck(fn, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              seed: int = 0, raise_exception: bool = True) -> bool:
    """Check ``fn(*inputs)``'s backward pass against central differences.

    ``inputs`` are tensors (float64 recommended); those with ``requires_grad=True`` are checked.
    Returns True, or raises `GradcheckError` naming the input, the worst element and both values.
    """
    inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    checked = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    if not checked:
        raise ValueError("gradcheck needs at least one input tensor with requires_grad=True")
    for t in checked:
        if t.dtype != np.float64:
            raise ValueError(
                f"gradcheck needs float64 inputs for meaningful finite differences, got {t.dtype}; "
                "create them with dtype=np.float64"
            )
    out = fn(*inputs)
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(out.shape)

    def scalar():
        with no_grad():
            return float(np.sum(fn(*inputs).data * v))

    for t in checked:
        t.grad = None
    (out * Tensor(v.astype(out.dtype))).sum().backward()
    for index, t in enumerate(checked):
        analytical = np.zeros(t.shape) if t.grad is None else t.grad.data.astype(np.float64)
        numerical = numerical_grad(scalar, t.data, eps)
        if not np.allclose(analytical, numerical, atol=atol, rtol=rtol):
            err = np.abs(analytical - numerical) - rtol * np.abs(numerical)
            worst = np.unravel_index(np.argmax(err), err.shape) if err.ndim else ()
            msg = (f"gradient mismatch for input {index} (shape {t.shape}) at {worst}: "
                   f"backprop {analytical[worst]!r}, finite differences {numerical[worst]!r}")
            if raise_exception:
                raise GradcheckError(msg)
            return False
    return True
