"""Matrix products against PyTorch: matmul in all of its 1-D / 2-D / batched broadcasting cases
(also ``@``), mm, bmm, mv, dot, vdot, outer, and einsum over many equations (repeated
subscripts, ellipsis, broadcasting, implicit output); float32 and float64, zero-size shapes;
float64 gradchecks (no torch) and PyTorch's errors for bad shapes."""

from __future__ import annotations

import numpy as np
import pytest

import lucidnet as ln
from tests.compat.op_check import compare, raises_like, rand

FLOATS = [np.float32, np.float64]

MATMUL = [((3,), (3,)), ((3,), (3, 4)), ((2, 3), (3,)), ((2, 3), (3, 4)), ((3,), (2, 3, 4)),
          ((2, 4, 3), (3,)), ((2, 1, 3, 4), (5, 4, 2)), ((3, 4), (2, 4, 5)), ((2, 3, 4), (4, 5)),
          ((1, 2, 3), (4, 3, 2)), ((0, 3), (3, 2)), ((2, 0), (0, 3)), ((0,), (0,)),
          ((2, 0, 3), (3, 4))]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shapes", MATMUL, ids=str)
def test_matmul(shapes, dtype):
    a, b = rand(shapes[0], dtype), rand(shapes[1], dtype, seed=1)
    compare(lambda m, x, y: (m.matmul(x, y), x.matmul(y), x @ y), a, b)


@pytest.mark.parametrize("shapes", MATMUL, ids=str)
def test_matmul_gradcheck(shapes):
    a = ln.tensor(rand(shapes[0]), requires_grad=True)
    b = ln.tensor(rand(shapes[1], seed=1), requires_grad=True)
    assert ln.gradcheck(lambda x, y: x.matmul(y), [a, b])


def test_matmul_with_one_operand_constant_and_the_same_tensor_twice():
    compare(lambda m, x: (x @ x.T, m.matmul(x, m.tensor(np.ones((4, 2)))), x.T.matmul(x)),
            rand((3, 4)))


PRODUCTS = {  # name: (fn, shapes)
    "mm": (lambda m, a, b: (m.mm(a, b), a.mm(b)), [(2, 3), (3, 4)]),
    "mm_zero": (lambda m, a, b: a.mm(b), [(0, 3), (3, 0)]),
    "bmm": (lambda m, a, b: (m.bmm(a, b), a.bmm(b)), [(2, 3, 4), (2, 4, 5)]),
    "bmm_zero": (lambda m, a, b: m.bmm(a, b), [(0, 3, 4), (0, 4, 5)]),
    "mv": (lambda m, a, b: (m.mv(a, b), a.mv(b)), [(2, 3), (3,)]),
    "dot": (lambda m, a, b: (m.dot(a, b), a.dot(b)), [(5,), (5,)]),
    "dot_empty": (lambda m, a, b: m.dot(a, b), [(0,), (0,)]),
    "vdot": (lambda m, a, b: (m.vdot(a, b), a.vdot(b)), [(4,), (4,)]),
    "outer": (lambda m, a, b: (m.outer(a, b), a.outer(b)), [(3,), (4,)]),
    "outer_empty": (lambda m, a, b: m.outer(a, b), [(0,), (4,)]),
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", PRODUCTS)
def test_products(name, dtype):
    fn, shapes = PRODUCTS[name]
    compare(fn, *(rand(s, dtype, seed=i) for i, s in enumerate(shapes)))


@pytest.mark.parametrize("name", PRODUCTS)
def test_products_gradcheck(name):
    fn, shapes = PRODUCTS[name]
    inputs = [ln.tensor(rand(s, seed=i), requires_grad=True) for i, s in enumerate(shapes)]
    assert ln.gradcheck(lambda *xs: _first(fn(ln, *xs)), inputs)


def _first(out):
    return out[0] if isinstance(out, tuple) else out


def test_ger_is_outer():
    a, b = ln.tensor(rand((3,))), ln.tensor(rand((2,), seed=1))
    np.testing.assert_array_equal(ln.ger(a, b).data, a.outer(b).data)


EINSUM = [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(2, 3), (3, 4)]), ("ij->ji", [(2, 3)]),
    ("ii->i", [(3, 3)]), ("ii", [(3, 3)]), ("ii->", [(4, 4)]), ("ij->", [(2, 3)]),
    ("ij->j", [(2, 3)]), ("i,i->", [(3,), (3,)]), ("i,i->i", [(3,), (3,)]),
    ("i,j->ij", [(3,), (4,)]), ("ij,j->i", [(2, 3), (3,)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]),
    ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]), ("...ij,...jk", [(2, 1, 2, 3), (5, 3, 4)]),
    ("...ij,...jk->...ik", [(3, 2, 3), (1, 3, 4)]), ("...ii->...i", [(2, 3, 3)]),
    ("i...->...", [(2, 3, 4)]), ("a...,a...->...", [(2, 3), (2, 1)]), ("...", [(2, 3)]),
    ("...->", [(2, 3)]), ("iij->j", [(2, 2, 3)]), ("iji->j", [(2, 3, 2)]),
    ("ii,ij->j", [(3, 3), (3, 2)]), ("ij,ij->ij", [(1, 3), (2, 3)]), ("ab,cd->abcd", [(2, 1), (1, 3)]),
    ("ab,bc,cd->ad", [(2, 3), (3, 4), (4, 5)]), ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),
    ("i,i,i->", [(3,), (3,), (3,)]), (",i->i", [(), (3,)]), ("", [()]), ("->", [()]),
    ("Ab,bC", [(2, 3), (3, 4)]), ("ba,aB", [(2, 3), (3, 2)]), (" ij , jk -> ki ", [(2, 3), (3, 4)]),
    ("ij,jk", [(0, 3), (3, 2)]), ("ij,jk->ik", [(2, 0), (0, 3)]), ("ijk->kji", [(2, 3, 4)]),
    ("ij,kl->", [(2, 3), (4, 5)]), ("ijj->i", [(2, 3, 3)]),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("equation,shapes", EINSUM, ids=[e for e, _ in EINSUM])
def test_einsum(equation, shapes, dtype):
    arrays = [rand(s, dtype, seed=i) for i, s in enumerate(shapes)]
    compare(lambda m, *xs: m.einsum(equation, *xs), *arrays)


@pytest.mark.parametrize("equation,shapes", EINSUM, ids=[e for e, _ in EINSUM])
def test_einsum_gradcheck(equation, shapes):
    inputs = [ln.tensor(rand(s, seed=i), requires_grad=True) for i, s in enumerate(shapes)]
    assert ln.gradcheck(lambda *xs: ln.einsum(equation, *xs), inputs)


def test_einsum_operands_as_a_list_the_same_tensor_twice_and_a_constant():
    a = rand((3, 4))
    compare(lambda m, x: (m.einsum("ij,kj->ik", [x, x]), m.einsum("ij,ij->", x, x),
                          m.einsum("ij,j->i", x, m.tensor(np.ones(4)))), a)


def test_einsum_float32_stays_float32():
    a = ln.tensor(rand((2, 3), np.float32), requires_grad=True)
    out = ln.einsum("ij,kj->ik", a, a)
    out.sum().backward()
    assert out.dtype == np.float32 and np.asarray(a.grad).dtype == np.float32


ERRORS = {
    "mm_3d": lambda m, a, b: m.mm(a[None], b),
    "mm_1d": lambda m, a, b: a.mm(b[0]),
    "mm_mismatch": lambda m, a, b: m.mm(a, a),
    "bmm_2d": lambda m, a, b: m.bmm(a, b),
    "bmm_batch_mismatch": lambda m, a, b: m.bmm(a[None].expand(2, 2, 3), b[None].expand(3, 3, 4)),
    "bmm_inner_mismatch": lambda m, a, b: m.bmm(a[None], a[None]),
    "mv_mismatch": lambda m, a, b: m.mv(a, b[0]),
    "mv_matrix": lambda m, a, b: a.mv(b),
    "dot_2d": lambda m, a, b: m.dot(a, b),
    "dot_mismatch": lambda m, a, b: m.dot(a[0], b[0]),
    "matmul_0d": lambda m, a, b: m.matmul(a[0, 0], b),
    "matmul_mismatch": lambda m, a, b: m.matmul(a, a),
    "matmul_vector_mismatch": lambda m, a, b: a.matmul(b[0]),
    "matmul_batch_mismatch": lambda m, a, b: m.matmul(m.stack([b, b]), m.stack([b.T, b.T, b.T])),
    "outer_2d": lambda m, a, b: m.outer(a, b[0]),
    "einsum_operand_count": lambda m, a, b: m.einsum("ij,jk->ik", a),
    "einsum_too_many": lambda m, a, b: m.einsum("ij", a, b),
    "einsum_dims": lambda m, a, b: m.einsum("i->i", a),
    "einsum_sizes": lambda m, a, b: m.einsum("ij,jk->ik", a, a),
    "einsum_repeated_output": lambda m, a, b: m.einsum("ij->ii", a),
    "einsum_unknown_output": lambda m, a, b: m.einsum("ij->k", a),
    "einsum_bad_character": lambda m, a, b: m.einsum("i1->i", a),
    "einsum_two_ellipses": lambda m, a, b: m.einsum("......->", a),
}


@pytest.mark.parametrize("name", ERRORS)
def test_bad_shapes_raise_like_pytorch(name):
    raises_like(ERRORS[name], rand((2, 3)), rand((3, 4), seed=1))


def test_errors_name_the_shapes():
    a, b, c = ln.tensor(rand((2, 3, 4))), ln.tensor(rand((4, 5))), ln.tensor(rand((2, 3)))
    with pytest.raises(RuntimeError, match=r"\(2, 3, 4\)"):
        a.mm(b)
    with pytest.raises(RuntimeError, match="2x3 and 4x5"):
        ln.mm(c, b)
    with pytest.raises(RuntimeError, match="2x3 and 4x5"):
        c @ b
    with pytest.raises(RuntimeError, match="3D"):
        ln.bmm(a[0], b)
    with pytest.raises(RuntimeError, match="at least 1D"):
        ln.matmul(a[0, 0, 0], b)
    with pytest.raises(RuntimeError, match="subscript j has size 4"):
        ln.einsum("ij,jk->ik", b, b)


EXTRA = {
    "addmm": (lambda m, c, a, b: (m.addmm(c, a, b), c.addmm(a, b, beta=0.5, alpha=2.0)),
              [(4,), (2, 3), (3, 4)]),
    "addmm_full": (lambda m, c, a, b: m.addmm(c, a, b, alpha=-1.0), [(2, 4), (2, 3), (3, 4)]),
    "tensordot": (lambda m, a, b: m.tensordot(a, b), [(2, 3, 4), (3, 4, 5)]),
    "tensordot_lists": (lambda m, a, b: m.tensordot(a, b, dims=([0, 2], [2, 0])), [(2, 3, 4), (4, 5, 2)]),
    "tensordot_0": (lambda m, a, b: m.tensordot(a, b, dims=0), [(2, 3), (4,)]),
    "tensordot_1": (lambda m, a, b: m.tensordot(a, b, 1), [(2, 3), (3, 4)]),
    "inner": (lambda m, a, b: (m.inner(a, b), a.inner(b)), [(2, 3), (4, 3)]),
    "inner_1d": (lambda m, a, b: m.inner(a, b), [(3,), (3,)]),
    "inner_0d": (lambda m, a, b: m.inner(a, b), [(), (2, 3)]),
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", EXTRA)
def test_extra_products(name, dtype):
    fn, shapes = EXTRA[name]
    compare(fn, *(rand(s, dtype, seed=i) for i, s in enumerate(shapes)))
    inputs = [ln.tensor(rand(s, seed=i), requires_grad=True) for i, s in enumerate(shapes)]
    assert ln.gradcheck(lambda *xs: _first(fn(ln, *xs)), inputs)


def test_addmm_with_beta_0_ignores_nan_in_self():
    compare(lambda m, c, a, b: m.addmm(c, a, b, beta=0), np.full((2, 4), np.nan), rand((2, 3)),
            rand((3, 4), seed=1))


def test_extra_product_errors():
    raises_like(lambda m, a, b: m.tensordot(a, b, dims=([0], [0])), rand((2, 3)), rand((3, 4)))
    raises_like(lambda m, a, b: m.inner(a, b), rand((2, 3)), rand((3, 4)))
    raises_like(lambda m, a, b: m.addmm(a, a, b), rand((2, 3)), rand((3, 4)))


def test_second_backward_through_a_retained_graph_doubles_the_gradient():
    a = ln.tensor(rand((3, 4)), requires_grad=True)
    b = ln.tensor(rand((4, 3), seed=1), requires_grad=True)
    y = (ln.einsum("ij,jk->", a, b) + (a @ b).sum() + ln.einsum("ii", a @ b) + a.mm(b).trace())
    y.backward(retain_graph=True)
    first = np.array(np.asarray(a.grad)), np.array(np.asarray(b.grad))
    y.backward()
    np.testing.assert_allclose(np.asarray(a.grad), 2 * first[0])
    np.testing.assert_allclose(np.asarray(b.grad), 2 * first[1])


NORMS = {
    "norm": lambda L, x: L.norm(x), "norm_dim": lambda L, x: L.norm(x, dim=-1),
    "norm_ord1": lambda L, x: L.norm(x[0], 1), "norm_inf_matrix": lambda L, x: L.norm(x[0], float("inf")),
    "norm_fro_dims": lambda L, x: L.norm(x, "fro", dim=(0, 2), keepdim=True),
    "vector_norm": lambda L, x: L.vector_norm(x, 3, dim=(1, 2)),
    "vector_norm_inf": lambda L, x: L.vector_norm(x, float("-inf"), dim=0, keepdim=True),
    "vector_norm_0": lambda L, x: L.vector_norm(x, 0),
    "matrix_norm": lambda L, x: L.matrix_norm(x), "matrix_norm_1": lambda L, x: L.matrix_norm(x, 1),
    "matrix_norm_-1": lambda L, x: L.matrix_norm(x, -1, dim=(0, 2)),
    "matrix_norm_inf": lambda L, x: L.matrix_norm(x, float("inf"), keepdim=True),
    "matrix_norm_-inf": lambda L, x: L.matrix_norm(x, -float("inf"), dim=(2, 0)),
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", NORMS)
def test_linalg_norms(name, dtype):
    from lucidnet import linalg

    x = rand((2, 3, 4), dtype)
    compare(lambda m, t: NORMS[name](linalg if m is ln else m.linalg, t), x)
    t = ln.tensor(rand((2, 3, 4)), requires_grad=True)
    if name != "vector_norm_0":
        assert ln.gradcheck(lambda a: NORMS[name](linalg, a), [t])


def test_linalg_norm_errors():
    from lucidnet import linalg

    x = ln.tensor(rand((2, 3, 4)))
    with pytest.raises(NotImplementedError, match="SVD"):
        linalg.matrix_norm(x, "nuc")
    with pytest.raises(RuntimeError, match="at least 2"):
        linalg.matrix_norm(x[0, 0])
    with pytest.raises(RuntimeError, match="1D or 2D"):
        linalg.norm(x, 1)
    with pytest.raises(RuntimeError, match="floating point"):
        linalg.vector_norm(ln.tensor(np.arange(3)))


def _well_conditioned(shape, dtype=np.float64, seed=0):
    a = rand(shape, dtype, seed=seed)
    return (a + 3 * np.eye(shape[-1], dtype=dtype)).astype(dtype)


MORE = {  # name: (fn, input makers)
    "baddbmm": (lambda m, c, a, b: (m.baddbmm(c, a, b), c.baddbmm(a, b, beta=0.5, alpha=-1.0)),
                [lambda d: rand((2, 1, 4), d), lambda d: rand((2, 3, 5), d, 1), lambda d: rand((2, 5, 4), d, 2)]),
    "addbmm": (lambda m, c, a, b: m.addbmm(c, a, b, alpha=2.0),
               [lambda d: rand((3, 4), d), lambda d: rand((2, 3, 5), d, 1), lambda d: rand((2, 5, 4), d, 2)]),
    "addmv": (lambda m, c, a, b: (m.addmv(c, a, b), c.addmv(a, b, beta=2.0)),
              [lambda d: rand((3,), d), lambda d: rand((3, 5), d, 1), lambda d: rand((5,), d, 2)]),
    "cross": (lambda m, a, b: (m.cross(a, b, dim=1), a.cross(b, dim=-1), m.linalg.cross(a, b)),
              [lambda d: rand((4, 3), d), lambda d: rand((4, 3), d, 1)]),
    "cross_broadcast": (lambda m, a, b: m.linalg.cross(a, b),
                        [lambda d: rand((2, 1, 3), d), lambda d: rand((1, 4, 3), d, 1)]),
    "kron": (lambda m, a, b: (m.kron(a, b), m.kron(b, a)), [lambda d: rand((2, 3), d), lambda d: rand((4,), d, 1)]),
    "kron_3d": (lambda m, a, b: a.kron(b), [lambda d: rand((2, 1, 2), d), lambda d: rand((1, 3, 2), d, 1)]),
    "cdist": (lambda m, a, b: m.cdist(a, b), [lambda d: rand((5, 3), d), lambda d: rand((4, 3), d, 1)]),
    "cdist_p1_batched": (lambda m, a, b: m.cdist(a, b, p=1.0),
                         [lambda d: rand((2, 5, 3), d), lambda d: rand((2, 4, 3), d, 1)]),
    "dist": (lambda m, a, b: (m.dist(a, b), a.dist(b, p=3)), [lambda d: rand((2, 3), d), lambda d: rand((3,), d, 1)]),
    "inverse": (lambda m, a: (m.inverse(a), a.inverse(), m.linalg.inv(a)), [lambda d: _well_conditioned((2, 3, 3), d)]),
    "det": (lambda m, a: (m.det(a), a.det(), m.linalg.det(a)), [lambda d: _well_conditioned((2, 3, 3), d)]),
    "det_2d": (lambda m, a: a.det(), [lambda d: _well_conditioned((4, 4), d)]),
    "solve": (lambda m, a, b: m.linalg.solve(a, b), [lambda d: _well_conditioned((2, 3, 3), d), lambda d: rand((2, 3, 2), d, 1)]),
    "solve_vector": (lambda m, a, b: m.linalg.solve(a, b), [lambda d: _well_conditioned((3, 3), d), lambda d: rand((3,), d, 1)]),
    "solve_right": (lambda m, a, b: m.linalg.solve(a, b, left=False), [lambda d: _well_conditioned((3, 3), d), lambda d: rand((2, 3), d, 1)]),
    "matrix_power": (lambda m, a: (m.matrix_power(a, 3), a.matrix_power(-2), m.linalg.matrix_power(a, 1)),
                     [lambda d: _well_conditioned((2, 3, 3), d)]),
    "multi_dot": (lambda m, a, b: m.linalg.multi_dot([a[0], b, b.T, a.T]), [lambda d: rand((2, 3), d), lambda d: rand((3, 4), d, 1)]),
    "vecdot": (lambda m, a, b: m.linalg.vecdot(a, b), [lambda d: rand((2, 3), d), lambda d: rand((3,), d, 1)]),
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", MORE)
def test_more_linear_algebra(name, dtype):
    import lucidnet.linalg  # noqa: F401  (ln.linalg)

    fn, makers = MORE[name]
    tol = dict(rtol=2e-4, atol=2e-5) if dtype == np.float32 else None
    compare(fn, *(make(dtype) for make in makers), tol=tol)
    inputs = [ln.tensor(make(np.float64), requires_grad=True) for make in makers]
    assert ln.gradcheck(lambda *xs: _first(fn(ln, *xs)), inputs)


def test_matrix_power_0_is_the_identity_and_errors():
    import lucidnet.linalg  # noqa: F401

    compare(lambda m, a: m.matrix_power(a, 0), _well_conditioned((2, 3, 3)), grad=False)
    raises_like(lambda m, a: m.inverse(a), rand((2, 3)))
    raises_like(lambda m, a: m.linalg.inv(a), np.zeros((3, 3)))
    raises_like(lambda m, a: m.det(a), rand((3,)))
    raises_like(lambda m, a, b: m.linalg.solve(a, b), _well_conditioned((3, 3)), rand((4, 2)))
    raises_like(lambda m, a, b: m.cross(a, b, dim=0), rand((4, 3)), rand((4, 3)))
    raises_like(lambda m, a, b: m.linalg.cross(a, b), rand((2, 4, 3)), rand((4, 3)))
    raises_like(lambda m, a, b: m.cdist(a, b), rand((4, 3)), rand((4, 2)))
    with pytest.raises(RuntimeError, match="singular"):
        ln.tensor(np.zeros((3, 3))).inverse()


def _random_einsum(rng):
    """A random valid equation with operands: repeated subscripts, size-1 broadcasting, an
    ellipsis, explicit or implicit output."""
    size = {c: int(rng.integers(1, 4)) for c in "abcde"}
    ell = tuple(int(n) for n in rng.integers(1, 3, size=int(rng.integers(0, 3))))
    terms, shapes = [], []
    use_ellipsis = bool(rng.integers(0, 2)) and ell
    for _ in range(int(rng.integers(1, 4))):
        term = "".join(rng.choice(list("abcde"), size=int(rng.integers(0, 4))))
        shape = [size[c] if rng.random() > 0.15 or term.count(c) > 1 else 1 for c in term]
        if use_ellipsis and rng.random() > 0.3:
            k = int(rng.integers(0, len(ell) + 1))
            tail = list(ell[len(ell) - k:])
            tail = [1 if rng.random() < 0.2 else n for n in tail]
            term, shape = "..." + term, tail + shape
        terms.append(term)
        shapes.append(tuple(shape))
    letters = sorted(set("".join(terms)) - {"."})
    if rng.random() < 0.3:
        return ",".join(terms), shapes
    out = "".join(rng.permutation(letters)[: int(rng.integers(0, len(letters) + 1))])
    if any("..." in t for t in terms) and rng.random() < 0.7:
        out = "..." + out if rng.random() < 0.5 else out + "..."
    return ",".join(terms) + "->" + out, shapes


@pytest.mark.parametrize("seed", range(60))
def test_einsum_random_equations_against_pytorch(seed):
    equation, shapes = _random_einsum(np.random.default_rng(seed))
    arrays = [rand(s, seed=i) for i, s in enumerate(shapes)]
    compare(lambda m, *xs: m.einsum(equation, *xs), *arrays)
    inputs = [ln.tensor(a, requires_grad=True) for a in arrays]
    assert ln.gradcheck(lambda *xs: ln.einsum(equation, *xs), inputs)
