"""``lucidnet.linalg``: the norms and solvers of ``torch.linalg`` (differentiable).

    vector_norm(x, ord=2, dim=None)   (sum_i |x_i|^ord)^(1/ord); inf / -inf: max / min |x_i|
    matrix_norm(x, ord="fro")         "fro": sqrt(sum |x_ij|^2); inf / -inf: max / min row sum
                                      of |x|; 1 / -1: max / min column sum of |x|
    norm(x, ord=None, dim=None)       matrix_norm for a 2-D dim (or a 2-D x with an ord), else
                                      vector_norm (ord=None: the 2-norm of every entry)

The spectral (2, -2) and nuclear ("nuc") matrix norms need a differentiable SVD, which lucidnet
does not have: they raise NotImplementedError saying so. Also here: inv, det, solve, cross
(along dim -1), matrix_power, multi_dot, matmul, vecdot.
"""

from __future__ import annotations

import numbers

import numpy as np

from .autograd.ops import linalg as _ops
from .autograd.tensor import Tensor, _one_axis, tensor

__all__ = ["vector_norm", "matrix_norm", "norm", "inv", "det", "solve", "cross", "matrix_power",
           "multi_dot", "matmul", "vecdot"]


def _as_float_tensor(x, dtype, op: str) -> Tensor:
    x = x if isinstance(x, Tensor) else tensor(x)
    if dtype is not None:
        x = x.astype(dtype)
    if x.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.{op}: Expected a floating point or complex tensor as input. "
                           f"Got {x.dtype}; convert with .float() first")
    return x


def vector_norm(x, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """(sum |x_i|^ord)^(1/ord) over ``dim`` (an int, a tuple, or None for every entry);
    ord = inf / -inf is the largest / smallest |x_i|, ord = 0 the number of nonzero entries."""
    x = _as_float_tensor(x, dtype, "vector_norm")
    if isinstance(ord, bool) or not isinstance(ord, numbers.Real):
        raise TypeError(f"linalg.vector_norm: ord must be a number (or inf), got {ord!r}")
    return x.norm(p=float(ord), dim=dim, keepdim=keepdim)


def _matrix_dims(x: Tensor, dim) -> tuple[int, int]:
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple of ints, got {dim!r}")
    if x.ndim < 2:
        raise RuntimeError(f"linalg.matrix_norm: The input tensor A must have at least 2 "
                           f"dimensions, got shape {tuple(x.shape)}")
    d0, d1 = (_one_axis(d, x.ndim) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    return d0, d1


def matrix_norm(x, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None) -> Tensor:
    """The matrix norm over the two dims ``dim``: "fro" (Frobenius), inf / -inf (largest /
    smallest sum of |x| along a row), 1 / -1 (along a column)."""
    x = _as_float_tensor(x, dtype, "matrix_norm")
    d0, d1 = _matrix_dims(x, dim)
    if ord == "fro":
        return x.norm(p=2.0, dim=(d0, d1), keepdim=keepdim)
    if ord in ("nuc", 2, -2):
        raise NotImplementedError(f"linalg.matrix_norm(ord={ord!r}) needs a differentiable SVD, "
                                  "which lucidnet does not have; use ord='fro', 1, -1, inf or "
                                  "-inf")
    if ord not in (np.inf, -np.inf, 1, -1):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord!r} not supported (use 'fro', 1, -1, "
                           "inf or -inf)")
    summed, reduced = (d1, d0) if ord in (np.inf, -np.inf) else (d0, d1)
    sums = x.abs().sum(dim=summed, keepdim=True)
    out = sums.amax(dim=reduced, keepdim=True) if ord > 0 else sums.amin(dim=reduced, keepdim=True)
    if keepdim:
        return out
    return out.reshape(tuple(n for i, n in enumerate(x.shape) if i not in (d0, d1)))


def norm(x, ord=None, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """``torch.linalg.norm``: a matrix norm when ``dim`` is a 2-tuple (or dim is None, ord is
    given and x is 2-D), otherwise a vector norm; ord=None is the 2-norm (Frobenius for
    matrices)."""
    x = x if isinstance(x, Tensor) else tensor(x)
    if isinstance(dim, int):
        dim = (dim,)
    matrix = (dim is not None and len(dim) == 2) or (dim is None and ord is not None
                                                     and x.ndim == 2)
    if matrix:
        return matrix_norm(x, "fro" if ord is None else ord, dim or (-2, -1), keepdim, dtype=dtype)
    if ord is not None and dim is None and x.ndim > 2:
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D "
                           f"or 2D. Got {x.ndim}D.")
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.norm: ord={ord!r} is a matrix norm; give a 2-D input or "
                           "dim=(d0, d1)")
    return vector_norm(x, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


def _t(x) -> Tensor:
    return x if isinstance(x, Tensor) else tensor(x)


def inv(A) -> Tensor:
    """A^-1 for (batches of) square matrices; a singular matrix raises RuntimeError."""
    return _ops.inverse(_t(A))


def det(A) -> Tensor:
    """det A for (batches of) square matrices."""
    return _ops.det(_t(A))


solve = _ops.solve
matmul = _ops.matmul


def cross(input, other, *, dim: int = -1) -> Tensor:
    """The cross product along ``dim`` (default -1, of size 3)."""
    return _ops.cross(_t(input), other, dim=dim)


def matrix_power(A, n: int) -> Tensor:
    """A^n by repeated products (n < 0: of the inverse; n = 0: the identity)."""
    return _ops.matrix_power(_t(A), n)


def multi_dot(tensors) -> Tensor:
    """The product of a list of matrices (the first and last may be vectors), left to right."""
    tensors = [_t(x) for x in tensors]
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for i, x in enumerate(tensors):
        ok = x.ndim == 2 or (x.ndim == 1 and i in (0, len(tensors) - 1))
        if not ok:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D (the first and last may be "
                               f"1D), got {x.ndim}D")
    out = tensors[0]
    for x in tensors[1:]:
        out = _ops.matmul(out, x)
    return out


def vecdot(x, y, *, dim: int = -1) -> Tensor:
    """sum over ``dim`` of x * y (they broadcast)."""
    return (_t(x) * _t(y)).sum(dim)
