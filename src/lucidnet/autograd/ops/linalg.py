"""Matrix products: matmul (and mm, bmm, mv, dot, outer), einsum, and the fused dense layer
z = x W^T + b. The PyTorch-spelled surface is registered at the bottom."""

from __future__ import annotations

import string

import numpy as np

from ...threads import matmul as blas_matmul  # one BLAS thread for small or thin products
from ..function import Function, unbroadcast
from ..registry import register
from ..tensor import Tensor, _one_axis, tensor
from .buffers import pooled_empty
from .elementwise import Add, Mul, Where, tensor_op

__all__ = ["MatMul", "Linear", "Einsum", "Cross", "Inverse", "Det", "Solve", "parse_einsum",
           "einsum", "tensordot", "kron", "cdist", "solve"]


def _dims(shape) -> str:
    return "x".join(str(n) for n in shape)


def _matmul_error(sa, sb) -> RuntimeError:
    """PyTorch's wording for the shapes matmul cannot multiply."""
    if len(sa) == 0 or len(sb) == 0:
        return RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                            f"{len(sa)}D and {len(sb)}D")
    if len(sa) == 2 and len(sb) == 1:
        return RuntimeError(f"size mismatch, got input ({sa[0]}), mat ({_dims(sa)}), vec "
                            f"({sb[0]})")
    if len(sa) == 1 and len(sb) == 1:
        return RuntimeError(f"inconsistent tensor size, expected tensor [{sa[0]}] and src "
                            f"[{sb[0]}] to have the same number of elements, but got {sa[0]} "
                            f"and {sb[0]} elements respectively")
    inner_a, inner_b = sa[-1], sb[-2] if len(sb) > 1 else sb[0]
    if inner_a != inner_b:
        rows_a = sa[:-1] if len(sa) > 1 else (1,)
        cols_b = sb[-1:] if len(sb) > 1 else (1,)
        return RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ("
                            f"{_dims((int(np.prod(rows_a)), inner_a))} and "
                            f"{_dims((inner_b, cols_b[0]))}); operand shapes {tuple(sa)} and "
                            f"{tuple(sb)}")
    return RuntimeError(f"matmul: the batch dims of {tuple(sa)} and {tuple(sb)} do not "
                        "broadcast")


class MatMul(Function):
    """z = a @ b with PyTorch's (= NumPy's) rules: 1-D operands are promoted to a row / column
    and the added dim removed, leading dims broadcast;  dz/da = g b^T, dz/db = a^T g (summed
    over broadcast batch dims).

    Examples
    --------
    >>> from lucidnet.autograd.ops.linalg import MatMul
    >>> a = ln.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> b = ln.tensor([1.0, 1.0], requires_grad=True)  # 1-D: a column, removed again
    >>> y = MatMul.apply(a, b); y  # row sums
    tensor([3., 7.], grad_fn=<MvBackward0>)
    >>> y.sum().backward(); a.grad, b.grad  # g b^T and a^T g
    (tensor([[1., 1.],
            [1., 1.]]), tensor([4., 6.]))
    """

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        try:
            return np.matmul(a, b)
        except ValueError:
            raise _matmul_error(np.shape(a), np.shape(b)) from None

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved
        # promote 1-D operands to matrices as matmul does, then undo it
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = np.asarray(g)
        if a.ndim == 1:
            g2 = np.expand_dims(g2, -1 if b.ndim == 1 else -2)
        if b.ndim == 1:
            g2 = np.expand_dims(g2, -1)
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = np.matmul(g2, np.swapaxes(b2, -1, -2))
            ga = unbroadcast(ga[..., 0, :] if a.ndim == 1 else ga, a.shape)
        if ctx.needs_input_grad[1]:
            gb = np.matmul(np.swapaxes(a2, -1, -2), g2)
            gb = unbroadcast(gb[..., 0] if b.ndim == 1 else gb, b.shape)
        return ga, gb



class Linear(Function):
    """z = x W^T + b  for x (N, in), W (out, in), b (out,).

    dz/dx = g W,  dz/dW = g^T x,  dz/db = sum_n g.  Leading batch dims of x are flattened.

    Examples
    --------
    >>> from lucidnet.autograd.ops.linalg import Linear
    >>> x = ln.ones(4, 3); w = ln.ones(2, 3, requires_grad=True); b = ln.tensor([0.0, 10.0])
    >>> y = Linear.apply(x, w, b); y.shape, y[0]  # (N, in) -> (N, out)
    (torch.Size([4, 2]), tensor([ 3., 13.], grad_fn=<SelectBackward0>))
    >>> y.sum().backward(); w.grad  # g^T x: each weight saw 4 rows of ones
    tensor([[4., 4., 4.],
            [4., 4., 4.]])
    """

    @staticmethod
    def forward(ctx, x, weight, bias=None):
        ctx.save_for_backward(x, weight)
        ctx.has_bias = bias is not None
        if x.ndim == 2:  # large outputs in pooled buffers: no page faults on every step
            out = blas_matmul(x, weight.T, out=pooled_empty((x.shape[0], weight.shape[0]),
                                                            np.result_type(x, weight)))
        else:
            out = x @ weight.T
        if bias is not None:
            out += bias
        return out

    @staticmethod
    def backward(ctx, g):
        x, weight = ctx.saved
        need_x, need_w = ctx.needs_input_grad[:2]
        gx = None
        if need_x:
            gx = (blas_matmul(g, weight, out=pooled_empty((g.shape[0], weight.shape[1]),
                                                           np.result_type(g, weight)))
                  if g.ndim == 2 else g @ weight)
        gw = gb = None
        if need_w or (ctx.has_bias and ctx.needs_input_grad[2]):
            g2 = g.reshape(-1, g.shape[-1])
            if need_w:
                gw = blas_matmul(g2.T, x.reshape(-1, x.shape[-1]))
            if ctx.has_bias and ctx.needs_input_grad[2]:
                gb = g2.sum(axis=0)
        return gx, gw, gb


# ----------------------------------------------------------------- einsum
def _einsum_error(message: str) -> RuntimeError:
    return RuntimeError(f"einsum(): {message}")


def parse_einsum(equation: str, shapes: list) -> tuple[list, str, dict]:
    """Explicit form of an einsum equation for operands of ``shapes``, checked as PyTorch's.

    Returns (terms, output, sizes): one subscript string per operand with ``...`` replaced by
    letters of its own (the rightmost ones when an operand has fewer broadcast dims), the output
    subscripts (implicit mode: the ellipsis dims, then the letters seen once, sorted) and each
    letter's size after broadcasting (size 1 broadcasts, as in PyTorch).

    Examples
    --------
    >>> from lucidnet.autograd.ops.linalg import parse_einsum
    >>> parse_einsum("ij,jk", [(2, 3), (3, 4)])  # implicit output: the letters seen once
    (['ij', 'jk'], 'ik', {'i': 2, 'j': 3, 'k': 4})
    >>> parse_einsum("ij,jk->ik", [(2, 3), (5, 4)])  # j is 3 in one operand, 5 in the other
    Traceback (most recent call last):
        ...
    RuntimeError: einsum(): subscript j has size 5 for operand 1 which does not ...
    """
    if not isinstance(equation, str):
        raise TypeError(f"einsum(): the equation must be a string, got {type(equation).__name__}")
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        more = "more" if len(shapes) > len(terms) else "fewer"
        raise _einsum_error(f"{more} operands were provided than specified in the equation "
                            f"{equation!r} ({len(shapes)} operands, {len(terms)} terms)")
    for c in eq:
        if not (c in string.ascii_letters or c in ".,->"):
            raise _einsum_error(f"invalid subscript given at index {eq.index(c)} in the equation "
                                f"string, subscripts must be in [a-zA-Z]")
    free = [c for c in string.ascii_letters if c not in eq]
    counts = []
    for i, (term, shape) in enumerate(zip(terms, shapes)):
        named = len(term.replace("...", ""))
        if "..." in term:
            if term.count("...") > 1 or "." in term.replace("...", "", 1):
                raise _einsum_error(f"found more than one ellipsis or a stray '.' in {term!r}")
            if len(shape) < named:
                raise _einsum_error(f"the number of subscripts in the equation ({named}) is more "
                                    f"than the number of dimensions ({len(shape)}) for operand "
                                    f"{i}")
            counts.append(len(shape) - named)
        else:
            if "." in term:
                raise _einsum_error(f"a stray '.' in {term!r}; the ellipsis is '...'")
            if len(shape) != named:
                raise _einsum_error(f"the number of subscripts in the equation ({named}) does not "
                                    f"match the number of dimensions ({len(shape)}) for operand "
                                    f"{i} and no ellipsis was given")
            counts.append(0)
    ellipsis = "".join(free[: max(counts, default=0)])
    terms = [t.replace("...", ellipsis[len(ellipsis) - k:]) for t, k in zip(terms, counts)]
    seen = "".join(terms)
    if arrow:
        if rhs.count("...") > 1 or "." in rhs.replace("...", "", 1):
            raise _einsum_error(f"found more than one ellipsis or a stray '.' in {rhs!r}")
        output = rhs.replace("...", ellipsis)
        for c in output:
            if output.count(c) > 1:
                raise _einsum_error(f"output subscript {c} appears more than once in the output")
            if c not in seen:
                raise _einsum_error(f"output subscript {c} does not appear in the equation for "
                                    "any input operand")
    else:
        named = sorted(c for c in set(seen) if seen.count(c) == 1 and c not in ellipsis)
        output = ellipsis + "".join(named)
    sizes: dict = {}
    for i, (term, shape) in enumerate(zip(terms, shapes)):
        for c, n in zip(term, shape):
            old = sizes.get(c, 1)
            if n != 1 and old != 1 and n != old:
                raise _einsum_error(f"subscript {c} has size {n} for operand {i} which does not "
                                    f"broadcast with previously seen size {old}")
            sizes[c] = n if old == 1 else old
    return terms, output, sizes


def _unique(term: str) -> str:
    return "".join(dict.fromkeys(term))


class Einsum(Function):
    """z = einsum(equation, *operands), the sum over the repeated subscripts.

    dz/d operand_i = einsum(output, the other operands -> subscripts of operand i): the same
    contraction with operand i's place taken by g. Subscripts of operand i that appear nowhere
    else were summed away, so the gradient is constant along them (broadcast); a subscript
    repeated in operand i (``ii->i``) puts the gradient on that diagonal, 0 elsewhere; a size-1
    dim that broadcast is summed back.

    Examples
    --------
    >>> from lucidnet.autograd.ops.linalg import Einsum
    >>> a = ln.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> y = Einsum.apply(a, terms=("ii",), output=""); y  # the trace
    tensor(5., grad_fn=<EinsumBackward0>)
    >>> y.backward(); a.grad  # the gradient on the repeated subscript's diagonal
    tensor([[1., 0.],
            [0., 1.]])
    """

    @staticmethod
    def forward(ctx, *arrays, terms=(), output=""):
        sizes = {}
        for term, a in zip(terms, arrays):
            for c, n in zip(term, a.shape):
                if n != 1 or c not in sizes:  # a size-1 dim broadcasts
                    sizes[c] = n
        ctx.save_for_backward(*arrays)
        ctx.spec = (terms, output, sizes)
        return np.asarray(np.einsum(",".join(terms) + "->" + output, *arrays,
                                    optimize=len(arrays) > 2))

    @staticmethod
    def backward(ctx, g):
        terms, output, sizes = ctx.spec
        arrays = ctx.saved
        full = [np.broadcast_to(a, tuple(sizes[c] for c in t)) for t, a in zip(terms, arrays)]
        grads = []
        for i, (term, a) in enumerate(zip(terms, arrays)):
            if not ctx.needs_input_grad[i]:
                grads.append(None)
                continue
            others = [t for j, t in enumerate(terms) if j != i]
            reach = set(output).union(*others)
            letters = _unique(term)
            kept = "".join(c for c in letters if c in reach)
            eq = ",".join([output, *others]) + "->" + kept
            operands = [g, *(f for j, f in enumerate(full) if j != i)]
            grad = np.einsum(eq, *operands, optimize=len(operands) > 2)
            # subscripts summed away inside operand i alone: constant gradient along them
            alone = tuple(k for k, c in enumerate(letters) if c not in reach)
            if alone:
                grad = np.broadcast_to(np.expand_dims(grad, alone),
                                       tuple(sizes[c] for c in letters))
            if len(letters) < len(term):  # a repeated subscript: back onto that diagonal
                out = np.zeros(tuple(sizes[c] for c in term), dtype=grad.dtype)
                axes = {c: np.arange(sizes[c]).reshape([-1 if k == letters.index(c) else 1
                                                         for k in range(len(letters))])
                        for c in letters}
                out[tuple(axes[c] for c in term)] = grad
                grad = out
            summed = tuple(k for k, c in enumerate(term) if a.shape[k] == 1 and sizes[c] != 1)
            if summed:
                grad = grad.sum(axis=summed, keepdims=True)
            grad = np.asarray(grad, dtype=np.result_type(g.dtype, a.dtype))
            grads.append(grad if grad.flags.writeable else grad.copy())  # not a broadcast view
        return tuple(grads)


def einsum(equation: str, *operands) -> Tensor:
    """Einstein summation, as ``torch.einsum``: ``einsum("ij,jk->ik", a, b)`` is a @ b,
    ``"ii"`` the trace, ``"bij,bjk->bik"`` a batched product, ``"...ij->...ji"`` a transpose over
    any leading dims. Operands may also come as one list. Without ``->`` the output is the
    subscripts appearing once, sorted (after the ellipsis dims). Every operand gets its
    gradient, also through repeated subscripts and broadcasting.

    Examples
    --------
    >>> from lucidnet.autograd.ops.linalg import einsum
    >>> a = ln.tensor([[1.0, 2.0], [3.0, 4.0]]); b = ln.tensor([[1.0], [1.0]])
    >>> einsum("ij,jk->ik", a, b)  # a @ b
    tensor([[3.],
            [7.]])
    >>> einsum("ii", a), einsum("...ij->...ji", a).tolist()  # trace, transpose
    (tensor(5.), [[1.0, 3.0], [2.0, 4.0]])
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    operands = [x if isinstance(x, Tensor) else tensor(x) for x in operands]
    terms, output, _ = parse_einsum(equation, [x.shape for x in operands])
    return Einsum.apply(*operands, terms=tuple(terms), output=output)


register("einsum", method=False, function=True)(einsum)


# ----------------------------------------------------------------- the PyTorch-spelled surface
def _other(x) -> Tensor:
    return x if isinstance(x, Tensor) else tensor(x)


@tensor_op("matmul")
def matmul(self, other):
    """self @ other with PyTorch's rules: 1-D . 1-D is the dot product, a 1-D operand is a row
    (first) or a column (second) whose dim is then dropped, leading (batch) dims broadcast."""
    return MatMul.apply(self, _other(other))


@tensor_op("mm")
def mm(self, mat2):
    """The matrix product of two 2-D tensors (no broadcasting; use matmul for that)."""
    mat2 = _other(mat2)
    for name, x in (("self", self), ("mat2", mat2)):
        if x.ndim != 2:
            raise RuntimeError(f"mm(): {name} must be a matrix, got shape {tuple(x.shape)} "
                               f"({x.ndim}-D); use matmul (or bmm) for batched products")
    if self.shape[1] != mat2.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_dims(self.shape)} and "
                           f"{_dims(mat2.shape)})")
    return MatMul.apply(self, mat2)


@tensor_op("bmm")
def bmm(self, mat2):
    """Batched matrix product of (b, n, m) and (b, m, p) tensors (same b, no broadcasting)."""
    mat2 = _other(mat2)
    for name, x in (("batch1", self), ("batch2", mat2)):
        if x.ndim != 3:
            raise RuntimeError(f"bmm(): {name} must be a 3D tensor, got shape {tuple(x.shape)}; "
                               "use matmul to broadcast batch dims")
    b, _, m = self.shape
    if mat2.shape[:2] != (b, m):
        raise RuntimeError(f"bmm(): Expected size for first two dimensions of batch2 tensor to "
                           f"be: [{b}, {m}] but got: [{mat2.shape[0]}, {mat2.shape[1]}] "
                           f"(shapes {tuple(self.shape)} and {tuple(mat2.shape)})")
    return MatMul.apply(self, mat2)


@tensor_op("mv")
def mv(self, vec):
    """Matrix (n, m) times vector (m,) -> (n,)."""
    vec = _other(vec)
    if self.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"mv(): expected a matrix and a vector, got shapes {tuple(self.shape)} "
                           f"and {tuple(vec.shape)}")
    if self.shape[1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({self.shape[0]}), mat "
                           f"({_dims(self.shape)}), vec ({vec.shape[0]})")
    return MatMul.apply(self, vec)


def _vectors(a, b, op: str):
    b = _other(b)
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"{op}(): 1D tensors expected, but got {a.ndim}D and {b.ndim}D "
                           f"tensors (shapes {tuple(a.shape)} and {tuple(b.shape)})")
    return b


@tensor_op("dot")
def dot(self, other):
    """sum_i self_i other_i of two 1-D tensors of one length (a 0-d result)."""
    other = _vectors(self, other, "dot")
    if self.shape != other.shape:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{self.shape[0]}] and src "
                           f"[{other.shape[0]}] to have the same number of elements, but got "
                           f"{self.shape[0]} and {other.shape[0]} elements respectively")
    return MatMul.apply(self, other)


@tensor_op("vdot")
def vdot(self, other):
    """dot(conj(self), other); for real tensors the same as dot."""
    return dot(self, other)


@tensor_op("outer", "ger")
def outer(self, vec2):
    """out[i, j] = self_i vec2_j of two 1-D tensors (a composite: a column times a row)."""
    vec2 = _other(vec2)
    for name, x in (("self", self), ("vec2", vec2)):
        if x.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {x.ndim}-D")
    return Mul.apply(self.reshape(-1, 1), vec2.reshape(1, -1))


@tensor_op("addmm")
def addmm(self, mat1, mat2, *, beta=1, alpha=1):
    """beta * self + alpha * (mat1 @ mat2) for 2-D mat1, mat2 (self broadcasts to the product);
    beta = 0 ignores self (nan in it does not propagate), as PyTorch."""
    product = mm(_other(mat1), mat2)
    try:
        fits = np.broadcast_shapes(self.shape, product.shape) == product.shape
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(f"addmm(): self of shape {tuple(self.shape)} does not broadcast to the "
                           f"product's shape {tuple(product.shape)}")
    if alpha != 1:
        product = Mul.apply(product, np.asarray(alpha, dtype=product.dtype))
    if beta == 0:  # self's values are not read, but it gets its (zero) gradient, as PyTorch
        ignored = Where.apply(np.zeros((), dtype=product.dtype), self, cond=np.bool_(True))
        return Add.apply(product, ignored)
    base = self if beta == 1 else Mul.apply(self, np.asarray(beta, dtype=self.dtype))
    return Add.apply(base, product)


def tensordot(a, b, dims=2) -> Tensor:
    """Sum over the last ``dims`` dims of a and the first ``dims`` of b, or over the dim lists
    ``dims = (dims_a, dims_b)``; the free dims of a, then of b (an einsum underneath).

    Examples
    --------
    >>> from lucidnet.autograd.ops.linalg import tensordot
    >>> a = ln.ones(2, 3, 4); b = ln.ones(3, 4, 5)
    >>> tensordot(a, b, dims=2).shape  # sums over 3 * 4 = 12 pairs
    torch.Size([2, 5])
    >>> tensordot(a, b, dims=([1], [0])).shape, float(tensordot(a, b, dims=2)[0, 0])
    (torch.Size([2, 4, 4, 5]), 12.0)
    """
    a, b = _other(a), _other(b)
    if isinstance(dims, (int, np.integer)) and not isinstance(dims, bool):
        if not 0 <= dims <= min(a.ndim, b.ndim):
            raise RuntimeError(f"tensordot(): dims={dims} must be between 0 and "
                               f"{min(a.ndim, b.ndim)} for shapes {tuple(a.shape)}, "
                               f"{tuple(b.shape)}")
        dims_a, dims_b = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        dims_a, dims_b = ([d] if isinstance(d, int) else list(d) for d in dims)
        if len(dims_a) != len(dims_b):
            raise RuntimeError(f"tensordot(): both dimension lists should have the same length, "
                               f"got {dims_a} and {dims_b}")
        dims_a = [d % max(a.ndim, 1) for d in dims_a]
        dims_b = [d % max(b.ndim, 1) for d in dims_b]
    letters = iter(string.ascii_letters)
    sub_a = [next(letters) for _ in range(a.ndim)]
    sub_b = [next(letters) for _ in range(b.ndim)]
    for da, db in zip(dims_a, dims_b):
        if a.shape[da] != b.shape[db]:
            raise RuntimeError(f"tensordot(): contracted dimensions need to match, but first has "
                               f"size {a.shape[da]} in dim {da} and second has size "
                               f"{b.shape[db]} in dim {db}")
        sub_b[db] = sub_a[da]
    out = [c for i, c in enumerate(sub_a) if i not in dims_a]
    out += [c for i, c in enumerate(sub_b) if i not in dims_b]
    return Einsum.apply(a, b, terms=("".join(sub_a), "".join(sub_b)), output="".join(out))


register("tensordot", method=False, function=True)(tensordot)


@tensor_op("inner")
def inner(self, other):
    """The sum over the last dims of self and other (a product with a 0-d operand): shape
    self.shape[:-1] + other.shape[:-1]."""
    other = _other(other)
    if self.ndim == 0 or other.ndim == 0:
        return Mul.apply(self, other)
    if self.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but "
                           f"got shapes {list(self.shape)} and {list(other.shape)}")
    return tensordot(self, other, ([-1], [-1]))


# ----------------------------------------------------------------- more products
def _scaled(x: Tensor, factor) -> Tensor:
    return x if factor == 1 else Mul.apply(x, np.asarray(factor, dtype=x.dtype))


def _plus_product(self, product, beta, alpha, op: str) -> Tensor:
    """beta * self + alpha * product (beta = 0 ignores self's values, as PyTorch)."""
    try:
        fits = np.broadcast_shapes(self.shape, product.shape) == product.shape
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(f"{op}(): self of shape {tuple(self.shape)} does not broadcast to the "
                           f"product's shape {tuple(product.shape)}")
    product = _scaled(product, alpha)
    if beta == 0:
        ignored = Where.apply(np.zeros((), dtype=product.dtype), self, cond=np.bool_(True))
        return Add.apply(product, ignored)
    return Add.apply(_scaled(self, beta), product)


@tensor_op("baddbmm")
def baddbmm(self, batch1, batch2, *, beta=1, alpha=1):
    """beta * self + alpha * bmm(batch1, batch2)."""
    return _plus_product(self, bmm(_other(batch1), batch2), beta, alpha, "baddbmm")


@tensor_op("addbmm")
def addbmm(self, batch1, batch2, *, beta=1, alpha=1):
    """beta * self + alpha * sum_b batch1[b] @ batch2[b] (the batch summed away)."""
    return _plus_product(self, bmm(_other(batch1), batch2).sum(0), beta, alpha, "addbmm")


@tensor_op("addmv")
def addmv(self, mat, vec, *, beta=1, alpha=1):
    """beta * self + alpha * mv(mat, vec)."""
    return _plus_product(self, mv(_other(mat), vec), beta, alpha, "addmv")


class Cross(Function):
    """z = a x b along ``axis`` (length 3);  dz/da = b x g, dz/db = g x a.

    Examples
    --------
    >>> from lucidnet.autograd.ops.linalg import Cross
    >>> a = ln.tensor([1.0, 0.0, 0.0], requires_grad=True); b = ln.tensor([0.0, 1.0, 0.0])
    >>> y = Cross.apply(a, b); y  # x cross y = z
    tensor([0., 0., 1.], grad_fn=<CrossBackward0>)
    >>> y[2].backward(); a.grad  # b x g with g = (0, 0, 1)
    tensor([1., 0., 0.])
    """

    @staticmethod
    def forward(ctx, a, b, axis=-1):
        ctx.save_for_backward(a, b)
        ctx.axis = axis
        return np.cross(a, b, axis=axis)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved
        axis = ctx.axis
        ga = unbroadcast(np.cross(b, g, axis=axis), a.shape) if ctx.needs_input_grad[0] else None
        gb = unbroadcast(np.cross(g, a, axis=axis), b.shape) if ctx.needs_input_grad[1] else None
        return ga, gb


@tensor_op("cross")
def cross(self, other, dim=None):
    """The cross product along ``dim`` (size 3; None: the first dim of size 3, PyTorch's old
    default; ``lucidnet.linalg.cross`` uses -1); the other dims broadcast."""
    other = _other(other)
    ndim = max(self.ndim, other.ndim)
    if dim is None:
        shape = np.broadcast_shapes(self.shape, other.shape)
        dim = next((d for d, n in enumerate(shape) if n == 3), None)
        if dim is None:
            raise RuntimeError(f"cross(): no dimension of size 3 in input (shapes "
                               f"{tuple(self.shape)} and {tuple(other.shape)})")
    if self.ndim != other.ndim:
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions, got "
                           f"shapes {tuple(self.shape)} and {tuple(other.shape)}")
    r = _one_axis(dim, ndim) - ndim  # counted from the end
    if self.shape[r] != 3 or other.shape[r] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3, got "
                           f"shapes {tuple(self.shape)} and {tuple(other.shape)}")
    try:
        np.broadcast_shapes(self.shape, other.shape)
    except ValueError:
        raise RuntimeError(f"linalg.cross: the shapes {tuple(self.shape)} and "
                           f"{tuple(other.shape)} do not broadcast") from None
    return Cross.apply(self, other, axis=r)


def kron(input, other) -> Tensor:
    """The Kronecker product: out[i*m + k, ...] = input[i, ...] * other[k, ...] in every dim
    (the shorter operand gets leading 1s); an einsum and a reshape.

    Examples
    --------
    >>> from lucidnet.autograd.ops.linalg import kron
    >>> kron(ln.tensor([[1, 2]]), ln.tensor([[1, 10], [100, 1000]]))
    tensor([[   1,   10,    2,   20],
            [ 100, 1000,  200, 2000]])
    """
    a, b = _other(input), _other(other)
    n = max(a.ndim, b.ndim)
    a = a.reshape((1,) * (n - a.ndim) + tuple(a.shape))
    b = b.reshape((1,) * (n - b.ndim) + tuple(b.shape))
    sub_a, sub_b = string.ascii_letters[:n], string.ascii_letters[n:2 * n]
    paired = "".join(x + y for x, y in zip(sub_a, sub_b))
    out = Einsum.apply(a, b, terms=(sub_a, sub_b), output=paired)
    return out.reshape(tuple(p * q for p, q in zip(a.shape, b.shape)))


register("kron", method=False, function=True)(kron)
register("kron")(kron)


def cdist(x1, x2, p: float = 2.0, compute_mode=None) -> Tensor:
    """Pairwise p-norm distances between the rows of x1 (..., P, M) and x2 (..., R, M):
    out[..., i, j] = ||x1[..., i, :] - x2[..., j, :]||_p (gradient 0 at distance 0, as PyTorch).

    Examples
    --------
    >>> from lucidnet.autograd.ops.linalg import cdist
    >>> x1 = ln.tensor([[0.0, 0.0], [1.0, 1.0]]); x2 = ln.tensor([[3.0, 4.0]])
    >>> cdist(x1, x2)  # (P, M), (R, M) -> (P, R): |(3, 4)| = 5
    tensor([[5.0000],
            [3.6056]])
    >>> cdist(x1, x2, p=1.0)
    tensor([[7.],
            [5.]])
    """
    x1, x2 = _other(x1), _other(x2)
    if x1.ndim < 2 or x2.ndim < 2 or x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"cdist only supports at least 2D tensors with the same number of "
                           f"columns (X1 {tuple(x1.shape)}, X2 {tuple(x2.shape)})")
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    return diff.norm(p=float(p), dim=-1)


register("cdist", method=False, function=True)(cdist)


@tensor_op("dist")
def dist(self, other, p: float = 2.0):
    """||self - other||_p over every entry (they broadcast)."""
    return (self - _other(other)).norm(p=float(p))


class Inverse(Function):
    """z = A^-1 (batched);  dz/dA = -z^T g z^T.

    Examples
    --------
    >>> from lucidnet.autograd.ops.linalg import Inverse
    >>> a = ln.tensor([[2.0, 0.0], [0.0, 4.0]], requires_grad=True)
    >>> y = Inverse.apply(a); y
    tensor([[0.5000, 0.0000],
            [0.0000, 0.2500]], grad_fn=<InverseBackward0>)
    >>> y.sum().backward(); a.grad  # -z^T g z^T with g all ones
    tensor([[-0.2500, -0.1250],
            [-0.1250, -0.0625]])
    """

    @staticmethod
    def forward(ctx, a):
        out = np.linalg.inv(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (inv,) = ctx.saved
        inv_t = np.swapaxes(inv, -1, -2)
        return -(inv_t @ g @ inv_t)


class Det(Function):
    """z = det A (batched);  dz/dA = g z A^-T (the adjugate; an invertible A needed).

    Examples
    --------
    >>> from lucidnet.autograd.ops.linalg import Det
    >>> a = ln.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> y = Det.apply(a); y  # 1 * 4 - 2 * 3
    tensor(-2., grad_fn=<DetBackward0>)
    >>> y.backward(); a.grad  # the cofactors: det A A^-T
    tensor([[ 4., -3.],
            [-2.,  1.]])
    """

    @staticmethod
    def forward(ctx, a):
        out = np.asarray(np.linalg.det(a))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, det = ctx.saved
        inv_t = np.swapaxes(np.linalg.inv(a), -1, -2)
        return (g * det)[..., None, None] * inv_t


class Solve(Function):
    """X = A^-1 B (batched, B a matrix);  dX/dB = A^-T g, dX/dA = -(A^-T g) X^T.

    Examples
    --------
    >>> from lucidnet.autograd.ops.linalg import Solve
    >>> a = ln.tensor([[2.0, 0.0], [0.0, 4.0]], requires_grad=True); b = ln.tensor([[2.0], [2.0]])
    >>> x = Solve.apply(a, b); x  # A X = B
    tensor([[1.0000],
            [0.5000]], grad_fn=<SolveBackward0>)
    >>> x.sum().backward(); a.grad  # -(A^-T g) X^T
    tensor([[-0.5000, -0.2500],
            [-0.2500, -0.1250]])
    """

    @staticmethod
    def forward(ctx, a, b):
        out = np.linalg.solve(a, b)
        ctx.save_for_backward(a, out)
        ctx.shapes = (a.shape, b.shape)
        return out

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.saved
        sa, sb = ctx.shapes
        gb = np.linalg.solve(np.swapaxes(a, -1, -2), g)
        ga = -(gb @ np.swapaxes(x, -1, -2)) if ctx.needs_input_grad[0] else None
        return (None if ga is None else unbroadcast(ga, sa)), unbroadcast(gb, sb)


def _square(x: Tensor, op: str) -> None:
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise RuntimeError(f"linalg.{op}: A must be batches of square matrices, but they are "
                           f"{' by '.join(map(str, x.shape[-2:]))} matrices (shape "
                           f"{tuple(x.shape)})")
    if x.dtype.kind != "f":
        raise RuntimeError(f"linalg.{op}: Expected a floating point tensor as input. Got "
                           f"{x.dtype}")


def _singular(op: str) -> RuntimeError:
    return RuntimeError(f"linalg.{op}: The diagonal element of the LU factorization is zero: the "
                        "input matrix is singular, so it has no inverse")


@tensor_op("inverse")
def inverse(self):
    """The inverse matrix of each square matrix in the last two dims."""
    _square(self, "inv")
    try:
        return Inverse.apply(self)
    except np.linalg.LinAlgError:
        raise _singular("inv") from None


@tensor_op("det")
def det(self):
    """The determinant of each square matrix in the last two dims."""
    _square(self, "det")
    return Det.apply(self)


def solve(A, B, *, left: bool = True) -> Tensor:
    """X with A X = B (``left=False``: X A = B) for square A (batched; a vector B is one
    column).

    Examples
    --------
    >>> from lucidnet.autograd.ops.linalg import solve
    >>> A = ln.tensor([[2.0, 1.0], [1.0, 3.0]]); B = ln.tensor([3.0, 5.0])
    >>> X = solve(A, B); X  # a vector B is one column
    tensor([0.8000, 1.4000])
    >>> bool(ln.allclose(A @ X, B)), solve(A, ln.tensor([[3.0, 4.0]]), left=False).shape
    (True, torch.Size([1, 2]))
    """
    A, B = _other(A), _other(B)
    _square(A, "solve")
    if not left:
        return solve(A.mT, B.mT).mT
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    b = B.unsqueeze(-1) if vector else B
    if b.shape[-2] != A.shape[-1]:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
                           f"({_dims(A.shape[-2:])} and {_dims(b.shape[-2:])})")
    try:
        out = Solve.apply(A, b)
    except np.linalg.LinAlgError:
        raise _singular("solve") from None
    return out.squeeze(-1) if vector else out


@tensor_op("matrix_power")
def matrix_power(self, n: int):
    """self @ self @ ... (n times) for square matrices; n = 0 the identity, n < 0 powers of the
    inverse."""
    _square(self, "matrix_power")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"matrix_power(): n must be an integer, got {n!r}")
    if n == 0:
        eye = np.broadcast_to(np.eye(self.shape[-1], dtype=self.dtype), self.shape)
        return Tensor._wrap(eye.copy())
    base = inverse(self) if n < 0 else self
    out = base
    for _ in range(abs(int(n)) - 1):
        out = MatMul.apply(out, base)
    return out
