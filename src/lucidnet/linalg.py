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
    """The vector p-norm over ``dim``, ``torch.linalg.vector_norm``.

    ||x||_ord = (sum_i |x_i|^ord)^(1/ord) over the reduced entries; ord = inf / -inf gives the
    largest / smallest |x_i|, ord = 0 the number of nonzero entries.

    Parameters
    ----------
    x : Tensor or array_like
        A floating tensor of any shape (integer input raises RuntimeError: call ``.float()``).
    ord : float, optional
        The order p (default 2, the Euclidean norm; any real number, inf or -inf).
    dim : int, tuple of int or None, optional
        The axes to reduce; None (default) reduces every entry to a 0-d tensor.
    keepdim : bool, optional
        Keep the reduced axes with size 1 (default False).
    dtype : dtype, optional
        Cast ``x`` to this dtype first.

    Returns
    -------
    Tensor
        ``x``'s shape without the axes in ``dim`` (or with them as size 1 under ``keepdim``).

    Examples
    --------
    >>> x = ln.tensor([3.0, -4.0])
    >>> ln.linalg.vector_norm(x), ln.linalg.vector_norm(x, ord=1), ln.linalg.vector_norm(x, ord=0)
    (tensor(5.), tensor(7.), tensor(2.))
    >>> ln.linalg.vector_norm(ln.ones(2, 4), dim=1)      # sqrt(4) per row
    tensor([2., 2.])
    """
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
    """A matrix norm over the two axes ``dim``, ``torch.linalg.matrix_norm``.

    "fro": ||A||_F = sqrt(sum_ij |a_ij|^2); inf / -inf: max / min over rows i of sum_j |a_ij|;
    1 / -1: max / min over columns j of sum_i |a_ij|. The spectral (2, -2) and nuclear ("nuc")
    norms need a differentiable SVD and raise NotImplementedError.

    Parameters
    ----------
    x : Tensor or array_like
        A floating tensor with at least 2 axes; the other axes are batch axes.
    ord : {"fro", inf, -inf, 1, -1}, optional
        Which norm (default "fro").
    dim : tuple of two int, optional
        The (row, column) axes of the matrices (default (-2, -1)).
    keepdim : bool, optional
        Keep the two reduced axes with size 1 (default False).
    dtype : dtype, optional
        Cast ``x`` to this dtype first.

    Returns
    -------
    Tensor
        ``x``'s shape without the two axes in ``dim``.

    Examples
    --------
    >>> A = ln.tensor([[1.0, -2.0], [3.0, 4.0]])
    >>> ln.linalg.matrix_norm(A)           # sqrt(1 + 4 + 9 + 16) = sqrt(30)
    tensor(5.4772)
    >>> ln.linalg.matrix_norm(A, ord=1), ln.linalg.matrix_norm(A, ord=float("inf"))
    (tensor(6.), tensor(7.))
    >>> ln.linalg.matrix_norm(ln.ones(5, 2, 3)).shape     # one norm per matrix of the batch
    torch.Size([5])
    """
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
    """A vector or matrix norm, ``torch.linalg.norm``.

    A matrix norm (see ``matrix_norm``) when ``dim`` is a 2-tuple, or when ``dim`` is None, ord
    is given and x is 2-D; otherwise a vector norm (see ``vector_norm``). ord=None is the
    2-norm sqrt(sum |x_i|^2) of the reduced entries (Frobenius for matrices).

    Parameters
    ----------
    x : Tensor or array_like
        A floating tensor; with ord given and dim None it must be 1-D or 2-D.
    ord : float, str or None, optional
        The order: a vector order (any real, inf, -inf) or a matrix order ("fro", inf, -inf,
        1, -1); None (default) is the 2-norm.
    dim : int, tuple of int or None, optional
        The axes to reduce (None: every entry).
    keepdim : bool, optional
        Keep the reduced axes with size 1 (default False).
    dtype : dtype, optional
        Cast ``x`` to this dtype first.

    Examples
    --------
    >>> A = ln.tensor([[1.0, -2.0], [3.0, 4.0]])
    >>> ln.linalg.norm(A), ln.linalg.norm(A, ord=1)     # Frobenius; max column sum |a|
    (tensor(5.4772), tensor(6.))
    >>> ln.linalg.norm(A, dim=1)                        # one 2-norm per row
    tensor([2.2361, 5.0000])
    """
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
    """The inverse of a square matrix, ``torch.linalg.inv``.

    inv(A) = A^-1, the matrix with A A^-1 = A^-1 A = I; its gradient is
    dL/dA = -A^-T (dL/dA^-1) A^-T. A singular matrix raises RuntimeError.

    Parameters
    ----------
    A : Tensor or array_like
        Shape (*, n, n): a square matrix or a batch of them.

    Returns
    -------
    Tensor
        Shape (*, n, n).

    Examples
    --------
    >>> ln.linalg.inv(ln.tensor([[4.0, 7.0], [2.0, 6.0]]))     # det 10: [[6, -7], [-2, 4]] / 10
    tensor([[ 0.6000, -0.7000],
            [-0.2000,  0.4000]])
    >>> ln.linalg.inv(ln.tensor([[1.0, 2.0], [2.0, 4.0]]))
    Traceback (most recent call last):
        ...
    RuntimeError: linalg.inv: ... the input matrix is singular, so it has no inverse
    """
    return _ops.inverse(_t(A))


def det(A) -> Tensor:
    """The determinant of a square matrix, ``torch.linalg.det``.

    det(A) = sum over permutations s of sign(s) prod_i a_(i, s(i)), computed by LU
    factorization; its gradient is d det(A) / dA = det(A) A^-T.

    Parameters
    ----------
    A : Tensor or array_like
        Shape (*, n, n): a square matrix or a batch of them.

    Returns
    -------
    Tensor
        Shape (*): one determinant per matrix.

    Examples
    --------
    >>> ln.linalg.det(ln.tensor([[1.0, 2.0], [3.0, 4.0]]))     # 1*4 - 2*3
    tensor(-2.)
    >>> ln.linalg.det(ln.ones(4, 3, 3)).shape
    torch.Size([4])
    """
    return _ops.det(_t(A))


solve = _ops.solve
matmul = _ops.matmul


def cross(input, other, *, dim: int = -1) -> Tensor:
    """The 3-D cross product along ``dim``, ``torch.linalg.cross``.

    (a x b) = (a_2 b_3 - a_3 b_2, a_3 b_1 - a_1 b_3, a_1 b_2 - a_2 b_1), orthogonal to both a
    and b.

    Parameters
    ----------
    input, other : Tensor or array_like
        Broadcastable tensors whose axis ``dim`` has size 3.
    dim : int, optional
        The axis holding the 3 components (default -1).

    Returns
    -------
    Tensor
        The broadcast shape of ``input`` and ``other``.

    Examples
    --------
    >>> ln.linalg.cross(ln.tensor([1.0, 0.0, 0.0]), ln.tensor([0.0, 1.0, 0.0]))     # x cross y = z
    tensor([0., 0., 1.])
    """
    return _ops.cross(_t(input), other, dim=dim)


def matrix_power(A, n: int) -> Tensor:
    """The integer power of a square matrix, ``torch.linalg.matrix_power``.

    A^n = A A ... A (n factors, by repeated products); A^0 = I; for n < 0, (A^-1)^|n|.

    Parameters
    ----------
    A : Tensor or array_like
        Shape (*, n, n): a square matrix or a batch of them.
    n : int
        The exponent (negative needs an invertible A).

    Returns
    -------
    Tensor
        Shape (*, n, n).

    Examples
    --------
    >>> ln.linalg.matrix_power(ln.tensor([[1.0, 1.0], [0.0, 1.0]]), 3)
    tensor([[1., 3.],
            [0., 1.]])
    >>> ln.linalg.matrix_power(ln.tensor([[2.0, 0.0], [0.0, 4.0]]), -1)
    tensor([[0.5000, 0.0000],
            [0.0000, 0.2500]])
    """
    return _ops.matrix_power(_t(A), n)


def multi_dot(tensors) -> Tensor:
    """The chained product of a list of matrices, ``torch.linalg.multi_dot``.

    multi_dot([A_1, ..., A_k]) = A_1 A_2 ... A_k, multiplied left to right; the first may be a
    1-D row vector and the last a 1-D column vector (that axis is dropped from the result).

    Parameters
    ----------
    tensors : sequence of Tensor or array_like
        At least 2 tensors; all 2-D except that the first and last may be 1-D; inner sizes
        must match.

    Examples
    --------
    >>> ln.linalg.multi_dot([ln.ones(2, 3), ln.ones(3, 4), ln.ones(4, 5)]).shape
    torch.Size([2, 5])
    >>> ln.linalg.multi_dot([ln.ones(3), ln.ones(3, 4), ln.ones(4, 2)])     # 3 * 4 per entry
    tensor([12., 12.])
    """
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
    """The dot product along ``dim``, ``torch.linalg.vecdot``.

    vecdot(x, y) = sum_i x_i y_i over the axis ``dim``, after broadcasting x and y.

    Parameters
    ----------
    x, y : Tensor or array_like
        Broadcastable tensors.
    dim : int, optional
        The axis to sum over (default -1).

    Returns
    -------
    Tensor
        The broadcast shape without the axis ``dim``.

    Examples
    --------
    >>> ln.linalg.vecdot(ln.tensor([1.0, 2.0, 3.0]), ln.tensor([4.0, 5.0, 6.0]))     # 4 + 10 + 18
    tensor(32.)
    >>> ln.linalg.vecdot(ln.ones(2, 3), ln.ones(3))        # one dot product per row
    tensor([3., 3.])
    """
    return (_t(x) * _t(y)).sum(dim)
