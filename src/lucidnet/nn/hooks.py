"""Module hooks as PyTorch's: forward pre-hooks, forward hooks, full backward (pre-)hooks.

    handle = layer.register_forward_hook(lambda module, args, output: features.append(output))
    handle.remove()

``Module.__call__`` checks one attribute (``_hooks``, None until a hook is registered), so a module
without hooks pays nothing more. With hooks, a call runs as PyTorch's ``Module._call_impl``:

1. forward pre-hooks ``hook(module, args)`` (``with_kwargs``: ``hook(module, args, kwargs)``); a
   returned value replaces the positional inputs (a non-tuple is wrapped in one);
2. with backward hooks, every tensor input that requires grad passes through an identity view
   whose gradient hook collects ``grad_input``;
3. ``forward``;
4. forward hooks ``hook(module, args, output)`` (``with_kwargs``: ``(module, args, kwargs,
   output)``); a returned value replaces the output; one registered with ``always_call=True``
   also runs when a pre-hook, forward or another hook raises (output None if forward did not
   return), its own error then only a warning;
5. with backward hooks, the tensor output(s) pass through an identity view: when their gradient
   arrives the backward pre-hooks ``hook(module, grad_output)`` run (a return replaces it), and once
   every input's gradient is in, the backward hooks ``hook(module, grad_input, grad_output)`` (a
   return replaces ``grad_input``). In ``grad_input`` a non-tensor input has None and a tensor
   input that does not require grad has zeros, as in PyTorch; a module none of whose inputs
   requires grad gets its backward hook with ``grad_input`` all None when ``grad_output``
   arrives.
"""

from __future__ import annotations

import itertools
import warnings
from collections import OrderedDict

import numpy as np

from ..autograd.tensor import Tensor, is_grad_enabled

__all__ = ["RemovableHandle", "call_with_hooks", "drop_empty_hook_tables"]

_ids = itertools.count()
_KINDS = ("forward_pre", "forward", "backward_pre", "backward")


class RemovableHandle:
    """What the ``register_*_hook`` methods return: ``remove()`` unregisters (twice is
    harmless); also a context manager that removes the hook on exit.

    Parameters
    ----------
    table : OrderedDict
        The hook table the hook was put in (keyed by ``id``, a unique integer).

    Examples
    --------
    >>> layer = ln.nn.Linear(2, 2)
    >>> shapes = []
    >>> handle = layer.register_forward_hook(lambda m, args, out: shapes.append(tuple(out.shape)))
    >>> _ = layer(ln.ones(3, 2)); handle.remove(); handle.remove(); _ = layer(ln.ones(1, 2))
    >>> shapes                                  # only the call before remove()
    [(3, 2)]
    >>> with layer.register_forward_hook(lambda m, args, out: out * 0):
    ...     print(layer(ln.ones(1, 2)).abs().sum().item())
    0.0
    """

    __slots__ = ("_table", "id")

    def __init__(self, table: OrderedDict):
        self._table, self.id = table, next(_ids)

    def remove(self) -> None:
        """Unregister the hook this handle was returned for (a second call does nothing)."""
        self._table.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def add_module_hook(module, kind: str, hook, prepend: bool = False, **options):
    """Register ``hook`` of ``kind`` on ``module``; returns its `RemovableHandle`."""
    if not callable(hook):
        raise TypeError(f"a hook must be callable, got {type(hook).__name__}")
    tables = module.__dict__.get("_hooks")
    if tables is None:
        tables = {k: OrderedDict() for k in _KINDS}
        object.__setattr__(module, "_hooks", tables)
    table = tables[kind]
    handle = RemovableHandle(table)
    table[handle.id] = (hook, options)
    if prepend:
        table.move_to_end(handle.id, last=False)
    return handle


def call_with_hooks(module, args: tuple, kwargs: dict):
    """``module(*args, **kwargs)`` with its hooks (see the module docstring). When anything
    raises, the forward hooks registered with ``always_call=True`` that have not run yet run
    with the output so far (None), their own errors becoming warnings, and the error goes on.

    Order: pre-hooks (may replace ``args``), ``forward``, forward hooks (may replace the
    output); backward hooks wrap the tensors that require grad.

    Parameters
    ----------
    module : Module
        A module with hooks registered (``module._hooks`` set).
    args : tuple
        Positional inputs.
    kwargs : dict
        Keyword inputs.

    Returns
    -------
    The output of ``forward``, or what the last forward hook returned instead.

    Examples
    --------
    >>> layer = ln.nn.Linear(2, 3)
    >>> _ = layer.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
    >>> out = ln.nn.hooks.call_with_hooks(layer, (ln.ones(4, 2),), {})
    >>> out.shape, bool((out == layer.forward(ln.full((4, 2), 2.0))).all())   # x was doubled
    (torch.Size([4, 3]), True)
    """
    tables = module._hooks
    state = {"args": args, "kwargs": kwargs, "output": None, "called": set()}
    try:
        return _run_with_hooks(module, tables, state)
    except Exception:
        for key, (hook, options) in tuple(tables["forward"].items()):
            if not options.get("always_call") or key in state["called"]:
                continue
            try:
                result = (hook(module, state["args"], state["kwargs"], state["output"])
                          if options.get("with_kwargs") else
                          hook(module, state["args"], state["output"]))
                if result is not None:
                    state["output"] = result
            except Exception as err:
                warnings.warn("module forward hook with ``always_call=True`` raised an exception "
                              f"that was silenced as another error was raised in forward: {err}",
                              stacklevel=2)
        raise


def _run_with_hooks(module, tables: dict, state: dict):
    args, kwargs = state["args"], state["kwargs"]
    for hook, options in tuple(tables["forward_pre"].values()):
        if options.get("with_kwargs"):
            result = hook(module, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError("forward pre-hook must return None or a tuple of "
                                       f"(new_args, new_kwargs), but got {result}. A hook "
                                       "registered with with_kwargs=True returns None or "
                                       "(args, kwargs)")
                args, kwargs = result
        else:
            result = hook(module, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        state["args"], state["kwargs"] = args, kwargs
    backward = (tables["backward"] or tables["backward_pre"]) and is_grad_enabled()
    bookkeeping = None
    if backward:
        bookkeeping = _BackwardState(module)
        args = bookkeeping.wrap_inputs(args)
    output = state["output"] = module.forward(*args, **kwargs)
    for key, (hook, options) in tuple(tables["forward"].items()):
        if options.get("always_call"):
            state["called"].add(key)
        if options.get("with_kwargs"):
            result = hook(module, args, kwargs, output)
        else:
            result = hook(module, args, output)
        if result is not None:
            output = state["output"] = result
    if backward:
        output = bookkeeping.wrap_outputs(output)
    return output


def drop_empty_hook_tables(module) -> None:
    """Forget ``module``'s hook tables once every hook is removed, so its calls take the fast
    path again (`lucidnet.nn.summary` uses it after its temporary hooks).

    Parameters
    ----------
    module : Module
        The module; left as it is while any hook is still registered.

    Examples
    --------
    >>> layer = ln.nn.Linear(1, 1)
    >>> handle = layer.register_forward_hook(lambda *args: None)
    >>> handle.remove()
    >>> "_hooks" in vars(layer)
    True
    >>> ln.nn.hooks.drop_empty_hook_tables(layer)
    >>> "_hooks" in vars(layer)
    False
    """
    tables = module.__dict__.get("_hooks")
    if tables is not None and not any(tables.values()):
        del module.__dict__["_hooks"]


class _BackwardState:
    """One call's backward bookkeeping: the inputs' gradients as they arrive."""

    def __init__(self, module):
        self.module = module
        self.slots: list = []  # for each positional input: True if a tensor that requires grad
        self.grad_input: list = []
        self.pending = 0
        self.grad_output = None

    def wrap_inputs(self, args: tuple) -> tuple:
        wrapped = []
        for i, a in enumerate(args):
            if isinstance(a, Tensor) and a.requires_grad:
                a = a.view_as(a)  # an identity node of its own to hook on
                a.register_hook(self._input_hook(i))
                self.slots.append(True)
                self.pending += 1
            else:
                self.slots.append(False)
            wrapped.append(a)
        # as PyTorch: once some input requires grad, a tensor input that does not gets zeros
        # (the materialized gradient of a non-differentiable output); a non-tensor gets None
        self.grad_input = [Tensor(np.zeros(a.shape, a.dtype))
                           if self.pending and isinstance(a, Tensor) and not self.slots[i]
                           else None for i, a in enumerate(args)]
        return tuple(wrapped)

    def wrap_outputs(self, output):
        tensors = output if isinstance(output, tuple) else (output,)
        outs = []
        self.out_grads = [None] * len(tensors)
        self.out_waiting = 0
        for i, t in enumerate(tensors):
            if isinstance(t, Tensor) and t.requires_grad:
                t = t.view_as(t)
                t.register_hook(self._output_hook(i))
                self.out_waiting += 1
            outs.append(t)
        return tuple(outs) if isinstance(output, tuple) else outs[0]

    def _output_hook(self, i):
        def hook(grad):
            self.out_grads[i] = grad
            self.out_waiting -= 1
            if self.out_waiting:
                return None
            grad_output = tuple(self.out_grads)
            replaced = None
            for fn, _ in tuple(self.module._hooks["backward_pre"].values()):
                result = fn(self.module, grad_output)
                if result is not None:
                    grad_output = result if isinstance(result, tuple) else (result,)
                    replaced = grad_output
            self.grad_output = grad_output
            if self.pending == 0:  # no input needs a gradient: the hook gets Nones now
                self._call_backward_hooks()
            return None if replaced is None else replaced[i]

        return hook

    def _input_hook(self, i):
        def hook(grad):
            self.grad_input[i] = grad
            self.pending -= 1
            if self.pending:
                return None
            replaced = self._call_backward_hooks()
            if replaced is None:
                return None
            if sum(self.slots) != 1:
                raise RuntimeError(
                    "a full backward hook that returns new grad_input is supported by lucidnet "
                    "for modules with one tensor input that requires grad; modify the gradients "
                    "with tensor hooks (x.register_hook) instead")
            return replaced[i]

        return hook

    def _call_backward_hooks(self):
        grad_input, replaced = tuple(self.grad_input), None
        for fn, _ in tuple(self.module._hooks["backward"].values()):
            result = fn(self.module, grad_input, self.grad_output)
            if result is not None:
                result = result if isinstance(result, tuple) else (result,)
                if len(result) != len(grad_input):
                    raise RuntimeError(f"a backward hook returned {len(result)} gradients for a "
                                       f"module with {len(grad_input)} inputs")
                grad_input = replaced = result
        return replaced
