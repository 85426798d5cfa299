"""Numerical gradient check by central differences.

    dL/dx_i ~ (L(x + eps e_i) - L(x - eps e_i)) / (2 eps)

`gradcheck` compares that with backpropagation for every input that requires a gradient.
A random cotangent v turns a tensor output y into the scalar L = sum(v * y), so every output
entry is checked, not just their sum.
"""

from __future__ import annotations

import numpy as np

from .tensor import Tensor, _run_backward, no_grad

__all__ = ["gradcheck", "numerical_grad", "GradcheckError"]


class GradcheckError(AssertionError):
    """Analytical and numerical gradients disagree.

    Raised by `gradcheck` when a backprop gradient g and the central difference
    (f(x + eps) - f(x - eps)) / (2 eps) differ by more than ``atol + rtol * |numerical|`` at some
    element; the message names the input, the worst element and both values. An
    ``AssertionError`` subclass, so test runners report it as a failed check.

    Examples
    --------
    A backward that forgot the factor 2 of d(x^2)/dx = 2x:

    >>> from lucidnet.autograd import Function, gradcheck
    >>> class BadSquare(Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         (x,) = ctx.saved_tensors
    ...         return g * x
    >>> x = ln.tensor([1.0, 3.0], dtype=ln.float64, requires_grad=True)
    >>> gradcheck(BadSquare.apply, (x,))
    Traceback (most recent call last):
        ...
    lucidnet.autograd.gradcheck.GradcheckError: gradient mismatch for input 0 ... at index (1,): ...
    >>> gradcheck(BadSquare.apply, (x,), raise_exception=False)
    False
    """


def numerical_grad(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of the scalar function ``f`` at array ``x`` (changed in place
    and restored).

    Examples
    --------
    >>> from lucidnet.autograd import numerical_grad
    >>> x = np.array([1.0, 2.0])
    >>> numerical_grad(lambda: (x ** 2).sum(), x).round(4)      # f reads x; d/dx sum x^2 = 2x
    array([2., 4.])
    """
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
              seed: int = 0, raise_exception: bool = True, *, nondet_tol: float = 0.0,
              check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
              check_batched_grad: bool = False, check_batched_forward_grad: bool = False,
              check_forward_ad: bool = False, check_backward_ad: bool = True,
              fast_mode: bool = False, masked=None) -> bool:
    """Check ``fn(*inputs)``'s backward pass against central differences.

    ``inputs`` are tensors (float64 recommended) and other values; those with
    ``requires_grad=True`` are checked. ``fn`` may return one tensor or several. Returns True,
    or raises `GradcheckError` naming the input, the worst element and both values. Nothing's
    ``.grad`` is touched. PyTorch's other options are accepted; those that test batched or
    forward-mode derivatives, which lucidnet does not have, must stay False.

    Examples
    --------
    >>> from lucidnet.autograd import gradcheck
    >>> x = ln.tensor([0.5, -1.0], dtype=ln.float64, requires_grad=True)
    >>> gradcheck(lambda t: (t.sin() * t).sum(), (x,))
    True
    """
    if check_batched_grad or check_batched_forward_grad or check_forward_ad:
        raise NotImplementedError("gradcheck: batched and forward-mode checks need vmap / "
                                  "forward-mode AD, which lucidnet does not have; leave "
                                  "check_batched_grad, check_batched_forward_grad and "
                                  "check_forward_ad False")
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
    if not check_backward_ad:
        return True
    outs = _outputs(fn(*inputs))
    keep = [i for i, o in enumerate(outs) if o.data.dtype.kind == "f"]
    rng = np.random.default_rng(seed)
    cotangents = {i: rng.standard_normal(outs[i].shape) for i in keep}

    def scalar():
        with no_grad():
            again = _outputs(fn(*inputs))
        return float(sum(np.sum(again[i].data * v) for i, v in cotangents.items()))

    live = [i for i in keep if outs[i].requires_grad]
    found = {}
    if live:
        found = _run_backward(tuple(outs[i] for i in live),
                              tuple(cotangents[i].astype(outs[i].dtype) for i in live), False,
                              capture={id(t) for t in checked})
    for index, t in enumerate(checked):
        g = found.get(id(t))
        analytical = np.zeros(t.shape) if g is None else g.astype(np.float64)
        numerical = numerical_grad(scalar, t.data, eps)
        if not np.allclose(analytical, numerical, atol=atol, rtol=rtol):
            err = np.abs(analytical - numerical) - rtol * np.abs(numerical)
            worst = tuple(int(i) for i in np.unravel_index(np.argmax(err), err.shape)) \
                if err.ndim else ()
            msg = (f"gradient mismatch for input {index} (shape {tuple(t.shape)}) at index "
                   f"{worst}: backprop {float(analytical[worst])!r}, finite differences "
                   f"{float(numerical[worst])!r}")
            if raise_exception:
                raise GradcheckError(msg)
            return False
    return True


def _outputs(out) -> tuple:
    outs = tuple(out) if isinstance(out, (tuple, list)) else (out,)
    for k, o in enumerate(outs):
        if not isinstance(o, Tensor):
            raise TypeError(f"gradcheck: output {k} of the function is a {type(o).__name__}; "
                            "the function must return Tensors")
    return outs
