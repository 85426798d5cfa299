"""``torch.autograd.functional`` for first derivatives: `jacobian`, `vjp`, `jvp`.

    jacobian(f, x)[i..., j...] = d f(x)[i...] / d x[j...]     shape f(x).shape + x.shape
    vjp(f, x, v) = v^T J        (one backward pass)
    jvp(f, x, v) = J v          (from the Jacobian: one backward pass per output entry)

The inputs are detached copies that require grad, so nothing of the caller's graph or ``.grad`` is
touched. Tuples of inputs and outputs are returned in PyTorch's nesting (outputs outer, inputs
inner). Second derivatives (`hessian`, `hvp`, `vhp`) and ``create_graph=True`` need backward rules
that are themselves differentiable, which this engine's NumPy rules are not: they raise
NotImplementedError.
"""

from __future__ import annotations

import numpy as np

from .tensor import _CREATE_GRAPH_MESSAGE, Tensor, _run_backward, enable_grad

__all__ = ["jacobian", "vjp", "jvp", "hessian", "hvp", "vhp"]


def _tuple(x, what: str) -> tuple[bool, tuple]:
    is_tuple = isinstance(x, (tuple, list))
    items = tuple(x) if is_tuple else (x,)
    for k, t in enumerate(items):
        if not isinstance(t, Tensor):
            raise TypeError(f"The {what} given to the function must be either a Tensor or a tuple "
                            f"of Tensors but the value at index {k} has type {type(t).__name__}.")
    return is_tuple, items


def _prepare(func, inputs, create_graph: bool):
    if create_graph:
        raise NotImplementedError(_CREATE_GRAPH_MESSAGE)
    in_tuple, ins = _tuple(inputs, "inputs")
    for k, x in enumerate(ins):
        if x.data.dtype.kind != "f":
            raise TypeError(f"inputs[{k}] has dtype {x.dtype}; derivatives need floating-point "
                            "inputs")
    with enable_grad():
        ins = tuple(x.detach().requires_grad_(True) for x in ins)
        outs = func(*ins)
    out_tuple, outs = _tuple(outs, "outputs")
    return in_tuple, ins, out_tuple, outs


def _nest(rows, out_tuple: bool, in_tuple: bool):
    if out_tuple and in_tuple:
        return tuple(tuple(r) for r in rows)
    if out_tuple:
        return tuple(r[0] for r in rows)
    if in_tuple:
        return tuple(rows[0])
    return rows[0][0]


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: for each output and input a Tensor of shape
    ``output.shape + input.shape`` (zeros where an output does not depend on an input, or a
    RuntimeError then with ``strict=True``). One backward pass per output entry.

    Examples
    --------
    >>> from lucidnet.autograd.functional import jacobian
    >>> jacobian(lambda x: x ** 2, ln.tensor([1.0, 2.0]))          # diag(2x)
    tensor([[2., 0.],
            [0., 4.]])
    """
    if strategy != "reverse-mode":
        raise NotImplementedError(f"jacobian: strategy={strategy!r} needs forward-mode "
                                  "differentiation, which lucidnet does not have; use "
                                  "strategy='reverse-mode'")
    in_tuple, ins, out_tuple, outs = _prepare(func, inputs, create_graph)
    return _nest(_jacobian_rows(ins, outs, strict), out_tuple, in_tuple)


def _jacobian_rows(ins, outs, strict: bool) -> list:
    """[output][input] Jacobian blocks of the recorded ``outs`` with respect to ``ins``."""
    ids = {id(x) for x in ins}
    rows = []
    for i, out in enumerate(outs):
        n = out.data.size
        blocks = [np.zeros((n,) + x.shape, x.data.dtype) for x in ins]
        used = [False] * len(ins)
        if out.requires_grad:
            for k in range(n):
                seed = np.zeros(n, out.data.dtype)
                seed[k] = 1
                found = _run_backward((out,), (seed.reshape(out.shape),), True, capture=ids)
                for j, x in enumerate(ins):
                    g = found.get(id(x))
                    if g is not None:
                        blocks[j][k] = g
                        used[j] = True
        if strict:
            for j, u in enumerate(used):
                if not u and n:
                    raise RuntimeError(f"Output {i} of the user-provided function is independent "
                                       f"of input {j}. This is not allowed in strict mode.")
        rows.append([Tensor._wrap(b.reshape(out.shape + x.shape)) for b, x in zip(blocks, ins)])
    return rows


def _directions(v, like: tuple, role: str, none_rule: str) -> tuple:
    """The arrays of ``v`` (one per tensor of ``like``, same shapes, in their dtypes); ``v=None``
    is allowed only for a single one-element tensor, as PyTorch's vjp/jvp."""
    if v is None:
        if len(like) != 1 or like[0].data.size != 1:
            raise RuntimeError(f"The vector v can only be None if {none_rule}.")
        return (np.ones_like(like[0].data),)
    _, vs_t = _tuple(v, "v")
    if len(vs_t) != len(like):
        raise RuntimeError(f"v has {len(vs_t)} entries for {len(like)} {role}s")
    vs = tuple(np.asarray(t.data, x.data.dtype) for t, x in zip(vs_t, like))
    for k, (a, x) in enumerate(zip(vs, like)):
        if a.shape != x.data.shape:
            raise RuntimeError(f"v[{k}] has shape {a.shape}, the {role} has shape "
                               f"{tuple(x.data.shape)}")
    return vs


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), v^T J)``: the vector-Jacobian product in one backward pass. ``v`` may be
    omitted when ``func`` returns a single one-element tensor.

    Examples
    --------
    >>> from lucidnet.autograd.functional import vjp
    >>> vjp(lambda x: x ** 2, ln.tensor([1.0, 2.0]), ln.tensor([1.0, 1.0]))
    (tensor([1., 4.]), tensor([2., 4.]))
    """
    in_tuple, ins, out_tuple, outs = _prepare(func, inputs, create_graph)
    vs = _directions(v, outs, "output", "returns a single Tensor with a single element")
    live = [(o, s) for o, s in zip(outs, vs) if o.requires_grad]
    found = {}
    if live:
        found = _run_backward(tuple(o for o, _ in live), tuple(s for _, s in live), False,
                              capture={id(x) for x in ins})
    grads = []
    for j, x in enumerate(ins):
        g = found.get(id(x))
        if g is None and strict:
            raise RuntimeError(f"The output of the user-provided function is independent of input "
                               f"{j}. This is not allowed in strict mode.")
        grads.append(Tensor._wrap(np.zeros_like(x.data) if g is None else g))
    detached = tuple(o.detach() for o in outs)
    return (detached if out_tuple else detached[0]), (tuple(grads) if in_tuple else grads[0])


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), J v)``: the Jacobian-vector product, exact, computed from the full
    Jacobian (one backward pass per output entry; lucidnet has no forward mode).

    Examples
    --------
    >>> from lucidnet.autograd.functional import jvp
    >>> jvp(lambda x: x ** 2, ln.tensor([1.0, 2.0]), ln.tensor([1.0, 0.0]))
    (tensor([1., 4.]), tensor([2., 0.]))
    """
    in_tuple, ins, out_tuple, outs = _prepare(func, inputs, create_graph)
    vs = _directions(v, ins, "input", "the input to the user-provided function is a single "
                     "Tensor with a single element")
    results = []
    for o, row in zip(outs, _jacobian_rows(ins, outs, strict)):
        total = np.zeros(o.shape, o.data.dtype)
        for block, a in zip(row, vs):
            total = total + np.tensordot(block.data, a, axes=a.ndim)
        results.append(Tensor._wrap(np.asarray(total, o.data.dtype)))
    detached = tuple(o.detach() for o in outs)
    return (detached if out_tuple else detached[0]), (tuple(results) if out_tuple else results[0])


def _second_order(name: str):
    def refuse(*args, **kwargs):
        raise NotImplementedError(
            f"{name} needs second derivatives, which lucidnet does not compute: its backward "
            "rules run on NumPy arrays and are not themselves differentiable (no "
            "create_graph=True). Take finite differences of autograd.functional.jacobian, or "
            "write the gradient out as a forward expression and take its jacobian.")

    refuse.__name__ = refuse.__qualname__ = name
    refuse.__doc__ = _SECOND_ORDER_DOCS[name]
    return refuse


_SECOND_ORDER_NOTE = """
    Not supported: second derivatives need backward rules that are themselves differentiable,
    and lucidnet's run on NumPy arrays, so every call raises NotImplementedError. Where the
    gradient has a closed form, write it as a forward expression and take its `jacobian`.

    Parameters
    ----------
    func : callable
        f, taking the input Tensor(s) and returning a Tensor with a single element.
    inputs : Tensor or tuple of Tensor
        x.{v}
    create_graph, strict : bool, optional
        Accepted for PyTorch's signature.

    Raises
    ------
    NotImplementedError
        Always, naming the workaround.
"""

_V = """
    v : Tensor or tuple of Tensor, optional
        The vector, of the inputs' shapes."""

_SECOND_ORDER_DOCS = {
    "hessian": """The Hessian H_ij = d^2 f / (dx_i dx_j) of a scalar function, as
    ``torch.autograd.functional.hessian``.
""" + _SECOND_ORDER_NOTE.format(v="") + """
    Examples
    --------
    >>> from lucidnet.autograd.functional import hessian, jacobian
    >>> hessian(lambda x: (x ** 3).sum(), ln.tensor([1.0, 2.0]))
    Traceback (most recent call last):
        ...
    NotImplementedError: hessian needs second derivatives, which lucidnet does not compute: ...
    >>> jacobian(lambda x: 3 * x ** 2, ln.tensor([1.0, 2.0]))    # gradient written out: diag(6x)
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """,
    "hvp": """The Hessian-vector product (f(x), H v) with H_ij = d^2 f / (dx_i dx_j), as
    ``torch.autograd.functional.hvp``.
""" + _SECOND_ORDER_NOTE.format(v=_V) + """
    Examples
    --------
    >>> from lucidnet.autograd.functional import hvp, jvp
    >>> x, v = ln.tensor([1.0, 2.0]), ln.tensor([1.0, 1.0])
    >>> hvp(lambda x: (x ** 3).sum(), x, v)
    Traceback (most recent call last):
        ...
    NotImplementedError: hvp needs second derivatives, which lucidnet does not compute: ...
    >>> jvp(lambda x: 3 * x ** 2, x, v)[1]                # H v with the gradient written out
    tensor([ 6., 12.])
    """,
    "vhp": """The vector-Hessian product (f(x), v^T H) with H_ij = d^2 f / (dx_i dx_j), as
    ``torch.autograd.functional.vhp``.
""" + _SECOND_ORDER_NOTE.format(v=_V) + """
    Examples
    --------
    >>> from lucidnet.autograd.functional import vhp, vjp
    >>> x, v = ln.tensor([1.0, 2.0]), ln.tensor([1.0, 1.0])
    >>> vhp(lambda x: (x ** 3).sum(), x, v)
    Traceback (most recent call last):
        ...
    NotImplementedError: vhp needs second derivatives, which lucidnet does not compute: ...
    >>> vjp(lambda x: 3 * x ** 2, x, v)[1]                # v^T H with the gradient written out
    tensor([ 6., 12.])
    """,
}

hessian = _second_order("hessian")
hvp = _second_order("hvp")
vhp = _second_order("vhp")
