"""`Module`, `Parameter` and containers: PyTorch's structure and state-dict key names."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import operator
from collections import OrderedDict, namedtuple
from collections.abc import Iterable, Iterator, Mapping

import numpy as np

from ..autograd.data_array import DataArray, as_data_array
from ..autograd.tensor import Tensor, get_default_dtype
from . import model_summary as _summary
from .hooks import RemovableHandle, add_module_hook, call_with_hooks

__all__ = ["Parameter", "Buffer", "Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList",
           "ParameterDict", "StateDictError", "qualified_name", "parameter_budget"]


def qualified_name(cls: type) -> str:
    """The registry key of a Module class: ``"lucidnet.nn.linear.Linear"``.

    Parameters
    ----------
    cls : type
        A class (usually a `Module` subclass).

    Returns
    -------
    str
        ``cls.__module__ + "." + cls.__qualname__``, the name `lucidnet.save` writes and
        `lucidnet.load` looks up.

    Examples
    --------
    >>> ln.nn.module.qualified_name(ln.nn.Linear)
    'lucidnet.nn.linear.Linear'
    """
    return f"{cls.__module__}.{cls.__qualname__}"


# values that new Parameters may still hold while a model is rebuilt from a file (None: no limit)
_parameter_budget: contextvars.ContextVar = contextvars.ContextVar("parameter_budget",
                                                                  default=None)


@contextlib.contextmanager
def parameter_budget(values: int):
    """Refuse (ValueError) new Parameters and buffers beyond ``values`` values in total inside this
    block, so rebuilding a model named in a file cannot fill the memory before its weights are
    checked. Layers allocate with ``np.empty`` / ``np.zeros`` (no page touched) and fill only
    after the Parameter or buffer exists, so the refusal comes before any memory is written.

    Parameters
    ----------
    values : int
        The total number of values (sum of ``array.size``) that new Parameters and buffers may
        hold inside the ``with`` block.

    Examples
    --------
    >>> with ln.nn.module.parameter_budget(10):
    ...     small = ln.nn.Linear(2, 2)          # 4 + 2 = 6 values: fits
    ...     big = ln.nn.Linear(4, 4)            # 16 more: refused
    Traceback (most recent call last):
    ...
    ValueError: a parameter of shape (4, 4) would allocate 16 values, which exceeds ...
    """
    token = _parameter_budget.set([int(values)])
    try:
        yield
    finally:
        _parameter_budget.reset(token)


def _charge_budget(array, what: str) -> None:
    """Count a new parameter or buffer against the `parameter_budget` in force, if any."""
    budget = _parameter_budget.get()
    if budget is not None and isinstance(array, np.ndarray):
        budget[0] -= array.size
        if budget[0] < 0:
            raise ValueError(f"{what} of shape {array.shape} would allocate {array.size} values, "
                             "which exceeds the number of values the model file holds")


class Parameter(Tensor):
    """A tensor that is a learnable weight of a module (``requires_grad=True`` by default).

    Assigning a Parameter to a `Module` attribute registers it: it then appears in
    ``module.parameters()`` (what an optimizer updates) and in the state dict under the attribute's
    dotted name.

    Parameters
    ----------
    data : array_like or Tensor
        The initial values (copied into the parameter's own array).
    requires_grad : bool, default True
        Whether backward computes a gradient for it (``False`` freezes it).

    Examples
    --------
    >>> p = ln.nn.Parameter(ln.zeros(2))
    >>> p
    Parameter containing:
    tensor([0., 0.], requires_grad=True)
    """

    __slots__ = ()

    def __init__(self, data, requires_grad: bool = True):
        data = np.asarray(data.data if isinstance(data, Tensor) else data)
        _charge_budget(data, "a parameter")  # before a layer's initializer writes into `data`
        # a DataArray takes PyTorch's tensor methods, outside the graph, as p.data does in
        # PyTorch: layer.weight.data.normal_(0, 0.01), m.bias.data.zero_()
        super().__init__(as_data_array(data), requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What `Module.load_state_dict` returns, as PyTorch's: a named tuple ``(missing_keys,
    unexpected_keys)`` that prints ``<All keys matched successfully>`` when both are empty."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


class StateDictError(RuntimeError, ValueError):
    """A state dict `Module.load_state_dict` refuses: a RuntimeError as PyTorch raises, and a
    ValueError as lucidnet's other checks of a file or checkpoint raise.

    Examples
    --------
    >>> layer = ln.nn.Linear(2, 1)
    >>> try:
    ...     layer.load_state_dict({"weight": ln.ones(3, 3)})
    ... except ln.nn.module.StateDictError as err:
    ...     print(str(err).splitlines()[0])
    Error(s) in loading state_dict for Linear (missing keys: bias | shape mismatch: weight: ...
    """


def _typename(obj) -> str:
    """``torch.typename``: ``"torch.FloatTensor"`` for a tensor, ``"int"`` for a builtin,
    ``"numpy.ndarray"`` otherwise."""
    if isinstance(obj, Tensor):
        return obj.type()
    cls = obj if isinstance(obj, type) else type(obj)
    module = getattr(cls, "__module__", "") or ""
    return cls.__qualname__ if module in ("", "builtins") else f"{module}.{cls.__qualname__}"


def _check_member_name(name, kind: str) -> None:
    """PyTorch's checks of a parameter / buffer name: a non-empty string without a dot."""
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string. Got {_typename(name)}")
    if "." in name:
        raise KeyError(f"{kind} name can't contain \".\"")
    if name == "":
        raise KeyError(f"{kind} name can't be empty string \"\"")


def _size(shape) -> str:
    return f"torch.Size({list(shape)})"


_BUFFER_TYPES = (Tensor, np.ndarray, np.generic)


class Buffer:
    """Register a buffer by assignment, as ``torch.nn.Buffer``:
    ``self.mask = Buffer(ln.ones(3, 3), persistent=False)`` is
    ``self.register_buffer("mask", ln.ones(3, 3), persistent=False)``; the module keeps the
    tensor or array itself (``self.mask`` is it), not this wrapper.

    Parameters
    ----------
    data : Tensor or numpy.ndarray, optional
        The buffer's value (an empty tensor by default, as PyTorch).
    persistent : bool, default True
        Whether the buffer is part of the state dict.

    Examples
    --------
    >>> class Counter(ln.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.steps = ln.nn.Buffer(ln.zeros(1))
    ...         self.mask = ln.nn.Buffer(ln.ones(2), persistent=False)
    >>> m = Counter()
    >>> list(m.state_dict()), [name for name, _ in m.named_buffers()]
    (['steps'], ['steps', 'mask'])
    >>> type(m.mask).__name__                    # the tensor itself, not the wrapper
    'Tensor'
    """

    __slots__ = ("data", "persistent")

    def __init__(self, data=None, *, persistent: bool = True):
        if data is None:
            data = Tensor(np.empty(0, dtype=get_default_dtype()))
        if not isinstance(data, _BUFFER_TYPES):
            raise TypeError(f"Buffer holds a Tensor or a NumPy array, got {_typename(data)}")
        self.data, self.persistent = data, bool(persistent)


class Module:
    """Base class of every layer and model, with ``torch.nn.Module``'s API.

    Assigning a `Parameter` or a `Module` to an attribute registers it (``None`` keeps the
    slot); ``register_buffer(name, array, persistent=True)`` keeps non-learned state (running
    statistics): a persistent buffer is saved in the state dict, a non-persistent one is not but
    is still listed by ``buffers()`` and cast by ``to()``. Registered members are also plain
    attributes, so reading ``layer.weight`` costs one dict lookup.

    A subclass calls ``super().__init__()`` first, assigns its layers and implements
    ``forward``; ``module(x)`` runs the forward hooks around ``forward(x)``.

    Examples
    --------
    >>> class TwoLayer(ln.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = ln.nn.Linear(3, 4)
    ...         self.out = ln.nn.Linear(4, 1)
    ...     def forward(self, x):
    ...         return self.out(ln.relu(self.hidden(x)))
    >>> net = TwoLayer()
    >>> net(ln.ones(5, 3)).shape
    torch.Size([5, 1])
    >>> list(net.state_dict()), net.num_parameters()     # (3*4 + 4) + (4*1 + 1)
    (['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias'], 21)
    """

    _registry: dict = {}
    #: containers whose constructor arguments are their children: saved as children alone
    _children_are_config = False

    def __init_subclass__(cls, **kwargs):
        """Register every Module class by qualified name (module + qualname) and record each
        instance's constructor arguments, so `lucidnet.save` can store the module tree as JSON
        and `load` rebuild it without pickle (only classes defined in this process)."""
        super().__init_subclass__(**kwargs)
        Module._registry[qualified_name(cls)] = cls  # a redefinition (notebook cell) wins
        original = cls.__dict__.get("__init__")
        if original is None or getattr(original, "_records_config", False):
            return

        @functools.wraps(original)
        def __init__(self, *args, **kw):
            if "_init_config" not in self.__dict__:
                object.__setattr__(self, "_init_config", (args, kw))
            original(self, *args, **kw)

        __init__._records_config = True
        cls.__init__ = __init__

    def __init__(self):
        own = self.__dict__
        own["training"] = True
        own["_parameters"] = OrderedDict()
        own["_buffers"] = OrderedDict()
        own["_non_persistent_buffers_set"] = set()
        own["_modules"] = OrderedDict()

    # ------------------------------------------------------------------ registration
    def __setattr__(self, name: str, value) -> None:
        """PyTorch's rules: a Parameter or Module value registers it (and unregisters whatever
        the name held); a registered parameter takes only a Parameter or None, a child module
        only a Module or None, a buffer only a tensor, an array or None; anything else is a
        plain attribute."""
        own = self.__dict__
        params = own.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call "
                                     "(call super().__init__() first in your __init__)")
            self._buffers.pop(name, None)
            self._modules.pop(name, None)
            self._non_persistent_buffers_set.discard(name)
            _check_leaf(name, value)
            params[name] = value
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as parameter '{name}' "
                                "(torch.nn.Parameter or None expected)")
            params[name] = None
        elif isinstance(value, Module):
            modules = own.get("_modules")
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call "
                                     "(call super().__init__() first in your __init__)")
            params.pop(name, None)
            self._buffers.pop(name, None)
            self._non_persistent_buffers_set.discard(name)
            modules[name] = value
        elif params is not None and name in self._modules:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as child module '{name}' "
                                "(torch.nn.Module or None expected)")
            self._modules[name] = None
        elif isinstance(value, Buffer):
            self.register_buffer(name, value.data, persistent=value.persistent)
            return
        elif params is not None and name in self._buffers:
            if value is not None and not isinstance(value, _BUFFER_TYPES):
                raise TypeError(f"cannot assign '{_typename(value)}' as buffer '{name}' "
                                "(a Tensor, a NumPy array or None expected)")
            self._buffers[name] = value  # keeps its persistent flag
        object.__setattr__(self, name, value)

    def __getattr__(self, name: str):
        """Only reached when ``name`` is not an attribute: a member put into ``_parameters`` /
        ``_buffers`` / ``_modules`` directly is still found, as in PyTorch."""
        own = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            members = own.get(table)
            if members is not None and name in members:
                return members[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        own = self.__dict__
        registered = False
        for table in ("_parameters", "_buffers", "_modules"):
            members = own.get(table)
            if members is not None and name in members:
                del members[name]
                registered = True
        if registered:
            own["_non_persistent_buffers_set"].discard(name)
            own.pop(name, None)
        else:
            object.__delattr__(self, name)

    def __dir__(self):
        """Attributes, methods, parameters, buffers and children, without the numbered entries of
        containers (``"0"`` is no Python name), sorted, as PyTorch's."""
        keys = {*dir(type(self)), *self.__dict__, *self._parameters, *self._modules,
                *self._buffers}
        return sorted(k for k in keys if not k[0].isdigit())

    def register_buffer(self, name: str, tensor, persistent: bool = True) -> None:
        """Add a buffer: state that is not learned (running statistics), as PyTorch's.

        Parameters
        ----------
        name : str
            The attribute name (no ``"."``, not empty, not already another attribute).
        tensor : Tensor, numpy.ndarray or None
            The value; None keeps the name registered with no state (skipped by ``buffers()``
            and ``state_dict()``).
        persistent : bool, default True
            Whether the buffer is part of ``state_dict()``. A non-persistent buffer (a cached
            mask, a constant table) is still listed by ``buffers()`` and cast by ``to()``.
        """
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call "
                                 "(call super().__init__() first in your __init__)")
        _check_member_name(name, "buffer")
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, _BUFFER_TYPES):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                            "(a Tensor, a NumPy array or None required)")
        _charge_budget(tensor, f"buffer {name!r}")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)
        object.__setattr__(self, name, tensor)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or None: the name stays registered, with no state), as PyTorch's:
        the name must be a non-empty string without ``"."`` that is not another attribute."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call "
                                 "(call super().__init__() first in your __init__)")
        _check_member_name(name, "parameter")
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute '{name}' already exists")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                            "(torch.nn.Parameter or None required)")
        if param is not None:
            _check_leaf(name, param)
        self._parameters[name] = param
        object.__setattr__(self, name, param)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module (or None) under ``name``, as PyTorch's (same checks of the name)."""
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        if "_modules" not in self.__dict__:
            raise AttributeError("cannot assign module before Module.__init__() call "
                                 "(call super().__init__() first in your __init__)")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {_typename(name)}")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if "." in name:
            raise KeyError(f"module name can't contain \".\", got: {name}")
        if name == "":
            raise KeyError("module name can't be empty string \"\"")
        self._modules[name] = module
        object.__setattr__(self, name, module)

    def register_module(self, name: str, module: Module | None) -> None:
        """Alias of `add_module`."""
        self.add_module(name, module)

    def _get_name(self) -> str:
        return type(self).__name__

    def get_submodule(self, target: str) -> Module:
        """The submodule at the dotted path ``target`` (``"encoder.0"``; ``""`` is the module
        itself); AttributeError naming the step that fails."""
        module = self
        if target == "":
            return module
        for item in target.split("."):
            if not hasattr(module, item):
                raise AttributeError(module._get_name() + " has no attribute `" + item + "`")
            module = getattr(module, item)
            if not isinstance(module, Module):
                raise AttributeError("`" + item + "` is not an nn.Module")
        return module

    def set_submodule(self, target: str, module: Module, strict: bool = False) -> None:
        """Put ``module`` at the dotted path ``target``; its parent must exist. ``strict=True``
        only replaces an existing submodule."""
        if target == "":
            raise ValueError("Cannot set the submodule without a target name!")
        if not isinstance(module, Module):
            raise ValueError(f"`module` is not an nn.Module, found {type(module)}")
        parent_path, _, name = target.rpartition(".")
        parent = self.get_submodule(parent_path)
        if strict and not hasattr(parent, name):
            raise AttributeError(parent._get_name() + " has no attribute `" + name + "`")
        if hasattr(parent, name) and not isinstance(getattr(parent, name), Module):
            raise AttributeError("`" + name + "` is not an nn.Module")
        setattr(parent, name, module)

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at the dotted path ``target`` (``"encoder.0.weight"``)."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if not hasattr(module, name):
            raise AttributeError(module._get_name() + " has no attribute `" + name + "`")
        param = getattr(module, name)
        if not isinstance(param, Parameter):
            raise AttributeError("`" + name + "` is not an nn.Parameter")
        return param

    def get_buffer(self, target: str):
        """The buffer at the dotted path ``target`` (``"bn.running_mean"``)."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if not hasattr(module, name):
            raise AttributeError(module._get_name() + " has no attribute `" + name + "`")
        if name not in module._buffers:
            raise AttributeError("`" + name + "` is not a buffer")
        return getattr(module, name)

    # ------------------------------------------------------------------ calling
    def forward(self, *args, **kwargs):
        """The computation of the module: outputs from inputs. Every layer defines it.

        Call the module (``layer(x)``), not ``forward`` directly: ``__call__`` runs the registered
        forward and backward hooks around it.

        Parameters
        ----------
        *args, **kwargs
            The inputs, as the layer documents (most take one Tensor ``x``).

        Returns
        -------
        Tensor or tuple of Tensor
            The outputs, recorded in the autograd graph when an input or parameter needs a gradient.
        """
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function')

    _hooks = None  # the module's hook tables (nn/hooks.py), made by the first register_*_hook

    def __call__(self, *args, **kwargs):
        if self._hooks is None:
            return self.forward(*args, **kwargs)
        return call_with_hooks(self, args, kwargs)

    # ------------------------------------------------------------------ hooks (nn/hooks.py)
    def register_forward_pre_hook(self, hook, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """``hook(module, args)`` before each forward; a returned value replaces the inputs
        (a non-tuple is wrapped in one). ``with_kwargs=True``: ``hook(module, args, kwargs)``
        returning None or ``(args, kwargs)``. ``prepend=True`` runs it before the hooks
        registered earlier."""
        return add_module_hook(self, "forward_pre", hook, prepend, with_kwargs=with_kwargs)

    def register_forward_hook(self, hook, *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        """``hook(module, args, output)`` after each forward; a returned value replaces the
        output (``with_kwargs=True``: ``hook(module, args, kwargs, output)``).
        ``always_call=True`` also runs it when forward raises (with ``output`` None); an error
        it raises then is turned into a warning and the forward's error propagates."""
        return add_module_hook(self, "forward", hook, prepend, with_kwargs=with_kwargs,
                               always_call=always_call)

    def register_full_backward_pre_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_output)`` when the gradients of the outputs are known; a returned
        tuple replaces them."""
        return add_module_hook(self, "backward_pre", hook, prepend)

    def register_full_backward_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_input, grad_output)`` once the gradients of the module's tensor
        inputs are computed (None for inputs that need none); a returned tuple replaces
        ``grad_input``."""
        return add_module_hook(self, "backward", hook, prepend)

    def register_backward_hook(self, hook) -> RemovableHandle:
        """PyTorch's deprecated form; lucidnet calls it as `register_full_backward_hook` does
        (PyTorch's old hook saw only the last op's gradients, which is why it was deprecated)."""
        return self.register_full_backward_hook(hook)

    # ------------------------------------------------------------------ traversal
    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """``(dotted name, module)`` for this module and every submodule, depth first in
        registration order, as PyTorch's: a module reached twice is yielded once unless
        ``remove_duplicate=False``; ``memo`` is a set of modules to skip (filled as it goes)."""
        if memo is None:
            memo = set()
        stack = [(prefix, self)]
        while stack:  # iterative: the preorder of PyTorch's recursion, without its depth limit
            name, module = stack.pop()
            if module in memo:
                continue
            if remove_duplicate:
                memo.add(module)
            yield name, module
            stack.extend(reversed([(f"{name}.{k}" if name else k, m)
                                   for k, m in module._modules.items() if m is not None]))

    def modules(self) -> Iterator[Module]:
        """This module and every submodule, depth first in registration order (each once).

        Examples
        --------
        >>> from lucidnet import nn
        >>> net = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
        >>> [type(m).__name__ for m in net.modules()]
        ['Sequential', 'Linear', 'ReLU']
        """
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(name, child) pairs in registration order; a child registered twice is yielded once,
        under its first name, as PyTorch's."""
        seen = set()
        for k, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield k, m

    def children(self) -> Iterator[Module]:
        """The direct submodules, in registration order (a child registered twice comes once).

        Examples
        --------
        >>> from lucidnet import nn
        >>> net = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
        >>> [type(m).__name__ for m in net.children()]
        ['Linear', 'ReLU']
        """
        for _, m in self.named_children():
            yield m

    def _named_members(self, table: str, prefix: str, recurse: bool, remove_duplicate: bool):
        seen = set()
        modules = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
                   if recurse else [(prefix, self)])
        for mod_name, module in modules:
            for name, value in module.__dict__[table].items():
                if value is None or id(value) in seen:
                    continue
                if remove_duplicate:
                    seen.add(id(value))
                yield (f"{mod_name}.{name}" if mod_name else name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """``(dotted name, parameter)`` pairs; a parameter shared by two modules comes once
        (under its first name) unless ``remove_duplicate=False``; ``recurse=False``: this
        module's own parameters only."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """The learnable `Parameter` tensors (what an optimizer updates), each once, in registration order.

        Parameters
        ----------
        recurse : bool, default True
            Include the parameters of submodules; ``False``: this module's own only.

        Examples
        --------
        >>> from lucidnet import nn
        >>> net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
        >>> [tuple(p.shape) for p in net.parameters()]
        [(3, 2), (3,), (1, 3), (1,)]
        """
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True):
        """``(dotted name, buffer)`` pairs, persistent or not, as `named_parameters`."""
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True):
        """The buffers (non-learned state such as BatchNorm's running mean and variance), persistent or not.

        Parameters
        ----------
        recurse : bool, default True
            Include the buffers of submodules.

        Examples
        --------
        >>> from lucidnet import nn
        >>> [tuple(b.shape) for b in nn.BatchNorm1d(2).buffers()]   # running_mean, running_var, num_batches_tracked
        [(2,), (2,), ()]
        """
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def num_parameters(self) -> int:
        """The number of learnable values: the sum of ``p.numel()`` over `parameters`.

        For a Linear(in, out) layer this is out * in + out.

        Examples
        --------
        >>> from lucidnet import nn
        >>> nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)).num_parameters()   # 6+3 + 3+1
        13
        """
        return sum(p.numel() for p in self.parameters())

    # ------------------------------------------------------------------ modes
    def train(self, mode: bool = True) -> Module:
        """Set ``training`` on this module and (through their own ``train``) its children;
        returns the module."""
        if not isinstance(mode, (bool, np.bool_)):
            raise ValueError(f"training mode is expected to be boolean, got {mode!r}")
        object.__setattr__(self, "training", bool(mode))
        for child in self.children():
            child.train(mode)
        return self

    def eval(self) -> Module:
        """``train(False)``: dropout off, normalization layers use their running statistics."""
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of the parameters: ``None`` (the default, as PyTorch's) or, with
        ``set_to_none=False``, zeros in place."""
        for p in self.parameters():
            if set_to_none:
                p._grad = None  # the slot behind .grad: no property call per parameter
            elif p.grad is not None:
                p.grad.zero_()

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set ``requires_grad`` on every parameter (freeze with False); returns the module."""
        for p in self.parameters():
            p.requires_grad = requires_grad
        return self

    def share_memory(self) -> Module:
        """The module itself: lucidnet's arrays live in one process (PyTorch moves tensors to
        shared memory for multiprocessing)."""
        return self

    # ------------------------------------------------------------------ dtype and device
    def to(self, *args, **kwargs) -> Module:
        """Cast the floating parameters and buffers, as PyTorch's ``Module.to``: ``to(dtype)``,
        ``to(device)``, ``to(device, dtype)``, ``to(tensor)`` (its dtype), ``non_blocking=``.

        The Parameter objects stay the same (their ``data`` and ``grad`` change dtype), so an
        optimizer made before keeps working. Integer buffers keep their dtype. The CPU is the
        only device: ``"cpu"`` changes nothing, ``"cuda"`` raises RuntimeError saying how to
        write device-agnostic code. Returns the module.
        """
        from ..autograd.dtypes import parse_to

        _, dtype, _ = parse_to("Module.to", args, kwargs)
        if dtype is not None and dtype.kind != "f":
            raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got desired "
                            f"dtype={dtype}; cast integer inputs instead (x.float())")
        if dtype is not None:
            self._cast(dtype, only_floating=True)
        return self

    def _cast(self, dtype, only_floating: bool) -> None:
        """Give the parameters (in place: same objects) and buffers ``dtype``."""
        dtype = np.dtype(dtype)
        for m in self.modules():
            for p in m._parameters.values():
                if p is None or p.data.dtype == dtype or (only_floating and p.data.dtype.kind != "f"):
                    continue
                p.data = p.data.astype(dtype)
                grad = p.grad
                if grad is not None:
                    p.grad = (grad.astype(dtype) if isinstance(grad, np.ndarray) else
                              grad.to(dtype))
            for name, b in list(m._buffers.items()):
                array = b.data if isinstance(b, Tensor) else b
                if not isinstance(array, np.ndarray) or array.dtype == dtype or (
                        only_floating and array.dtype.kind != "f"):
                    continue
                m._buffers[name] = cast = (b.to(dtype) if isinstance(b, Tensor) else
                                           b.astype(dtype))
                object.__setattr__(m, name, cast)

    def double(self) -> Module:
        """Floating parameters and buffers to float64, in place; returns the module."""
        return self.to(np.float64)

    def float(self) -> Module:
        """Floating parameters and buffers to float32, in place; returns the module."""
        return self.to(np.float32)

    def half(self) -> Module:
        """Floating parameters and buffers to float16, in place; returns the module."""
        return self.to(np.float16)

    def bfloat16(self) -> Module:
        """Not available: NumPy has no bfloat16 type."""
        raise TypeError("lucidnet has no bfloat16 (NumPy lacks the type); use .half() for "
                        "16-bit floats or .float() for float32")

    def type(self, dst_type) -> Module:
        """Cast every parameter and buffer (floating or not) to ``dst_type``; returns the
        module. Parameters that require grad must stay floating."""
        from ..autograd.dtypes import to_dtype

        dtype = to_dtype(dst_type, "Module.type")
        if dtype.kind != "f" and any(p.requires_grad for p in self.parameters()):
            raise RuntimeError(f"Module.type({dtype}): parameters that require gradients must "
                               "be floating point; pass a floating dtype")
        self._cast(dtype, only_floating=False)
        return self

    def cpu(self) -> Module:
        """The module itself: it is on the CPU already."""
        return self

    def cuda(self, device=None) -> Module:
        """Not available: raises RuntimeError (lucidnet runs on the CPU only)."""
        from ..autograd.device import CPU_ONLY_HINT

        raise RuntimeError(f"Module.cuda(): {CPU_ONLY_HINT}")

    def apply(self, fn) -> Module:
        """Call ``fn`` on every submodule and then on this module, as PyTorch: children first, in
        registration order, each child's own subtree before it (``net.apply(init_weights)`` draws
        random weights in PyTorch's order)."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ state
    def state_dict(self, *args, destination=None, prefix: str = "", keep_vars: bool = False):
        """Every parameter and persistent buffer, keyed as PyTorch's (``"0.weight"``,
        ``"bn.running_mean"``): a module registered under two names gives both keys.

        Parameters
        ----------
        destination : dict, optional
            Filled and returned (a new OrderedDict by default).
        prefix : str, default ""
            Put before every key (``"encoder."``).
        keep_vars : bool, default False
            False: copies of the arrays that also take tensor methods and print as tensors
            (`DataArray`), so ``state_dict()["0.bias"].clone()`` works and later training does
            not change them (PyTorch shares the memory instead). True: the Parameter objects
            and buffers themselves.
        """
        if args:  # PyTorch's deprecated positional order: destination, prefix, keep_vars
            destination = args[0]
            prefix = args[1] if len(args) > 1 else prefix
            keep_vars = args[2] if len(args) > 2 else keep_vars
        if destination is None:
            destination = OrderedDict()
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=f"{prefix}{name}.",
                                  keep_vars=keep_vars)
        return destination

    def _save_to_state_dict(self, destination, prefix: str, keep_vars: bool) -> None:
        """This module's own parameters and persistent buffers into ``destination``."""
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else as_data_array(
                    np.array(p.data, copy=True))
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = b if keep_vars else as_data_array(
                    np.array(b, copy=True))

    def _walk(self) -> Iterator[tuple[str, Module]]:
        """``(key prefix, module)`` for every path to every module (a shared module once per
        path), in the order of `state_dict` and of PyTorch's recursive load."""
        stack = [("", self)]
        while stack:
            prefix, module = stack.pop()
            yield prefix, module
            stack.extend(reversed([(f"{prefix}{k}.", m) for k, m in module._modules.items()
                                   if m is not None]))

    def _state_slots(self) -> dict:
        """``{key: (module, attribute name, is_parameter)}`` for every state-dict entry, in the
        order of `state_dict`."""
        own = {}
        for prefix, module in self._walk():
            for name, p in module._parameters.items():
                if p is not None:
                    own[prefix + name] = (module, name, True)
            for name, b in module._buffers.items():
                if b is not None and name not in module._non_persistent_buffers_set:
                    own[prefix + name] = (module, name, False)
        return own

    def _unexpected_keys(self, keys) -> list:
        """PyTorch's unexpected keys, in its order: following a key's dotted path, at the module
        whose prefix it starts with, a dotted rest must begin with a child's name and a last
        name must be a parameter or persistent buffer (so a key naming a child is unexpected;
        a key under a None child is not). Reported module by module in load order."""
        modules = dict(self._walk())
        order = {prefix: i for i, prefix in enumerate(modules)}
        found = []
        for position, key in enumerate(keys):
            if not isinstance(key, str):
                found.append((-1, position, key))
                continue
            prefix = ""
            while True:
                module = modules[prefix]
                head, dot, _ = key[len(prefix):].partition(".")
                if dot:
                    if head not in module._modules:
                        found.append((order[prefix], position, key))
                    elif prefix + head + "." in modules:
                        prefix = prefix + head + "."
                        continue
                elif not _holds_state(module, head):
                    found.append((order[prefix], position, key))
                break
        return [key for _, _, key in sorted(found, key=lambda entry: entry[:2])]

    def _incompatible(self, shapes: dict) -> tuple[dict, list, list, list]:
        """(own slots, missing keys, unexpected keys, (key, checkpoint shape, model shape) of
        every mismatch) for a state dict given as ``{key: shape}``."""
        own = self._state_slots()
        missing = [k for k in own if k not in shapes]
        unexpected = self._unexpected_keys(shapes)
        mismatched = []
        for key, (module, name, _) in own.items():
            if key in shapes:
                model_shape = tuple(np.shape(getattr(module, name)))
                if tuple(shapes[key]) != model_shape:
                    mismatched.append((key, tuple(shapes[key]), model_shape))
        return own, missing, unexpected, mismatched

    def _lazy_descendant(self):
        """A strict descendant that is a lazy layer with uninitialised parameters, or None. Its
        class's ``load_state_dict`` / ``check_state_shapes`` work for any root: they shape every
        lazy layer of the tree from the state dict, then load as this class does."""
        for module in self.modules():
            if (module is not self and hasattr(module, "_materialize_from_state")
                    and module.has_uninitialized_params()):
                return module
        return None

    def check_state_shapes(self, shapes: dict, strict: bool = True) -> tuple[list, list]:
        """Check state-dict keys and shapes (``{key: shape}``) against this model, reading no data.

        Raises a ValueError listing missing keys, unexpected keys and shape mismatches; returns
        ``(missing_keys, unexpected_keys)`` when ``strict=False`` and all shapes fit.
        """
        lazy = self._lazy_descendant()
        if lazy is not None:  # materialise the lazy layers from the shapes first (nn/lazy.py)
            return type(lazy).check_state_shapes(self, shapes, strict)
        return self._check_state_shapes(shapes, strict)

    def _check_state_shapes(self, shapes: dict, strict: bool = True):
        """`check_state_shapes` of the tree as it is (lazy layers left as they are)."""
        _, missing, unexpected, mismatched = self._incompatible(shapes)
        if mismatched or (strict and (missing or unexpected)):
            raise ValueError(
                f"state dict does not fit {type(self).__name__} (was it saved from a different "
                "architecture?) -- " + _short_report(missing, unexpected, mismatched))
        return _IncompatibleKeys(missing, unexpected)

    def load_state_dict(self, state_dict: Mapping, strict: bool = True, assign: bool = False):
        """Load parameters and persistent buffers from ``state_dict``, as PyTorch's.

        Parameters
        ----------
        state_dict : mapping of str to array or tensor
            Keys as `state_dict` gives them (a PyTorch state dict of NumPy arrays fits).
        strict : bool, default True
            Refuse keys missing from ``state_dict`` and keys the model does not have.
        assign : bool, default False
            False: copy the values into the existing arrays (their dtype is kept). True: the
            module takes the given arrays themselves (their dtype; each parameter keeps its
            ``requires_grad``); build the optimizer after loading then.

        Returns
        -------
        _IncompatibleKeys
            The named tuple ``(missing_keys, unexpected_keys)``.

        Raises
        ------
        StateDictError (a RuntimeError and a ValueError)
            With PyTorch's message (``Error(s) in loading state_dict for Net: ...``) when a
            shape differs, or when ``strict`` and some keys are missing or unexpected; nothing
            is changed then (PyTorch may have copied some entries already).
        TypeError
            ``state_dict`` is not a mapping, or a value is not a numeric array.
        """
        lazy = self._lazy_descendant()
        if lazy is not None and hasattr(state_dict, "items"):
            # a lazy layer inside takes its shapes from the entries first (nn/lazy.py)
            return type(lazy).load_state_dict(self, state_dict, strict, assign)
        return self._load_state_dict(state_dict, strict, assign)

    def _load_state_dict(self, state_dict: Mapping, strict: bool = True, assign: bool = False):
        """`load_state_dict` into the tree as it is (lazy layers left as they are)."""
        if not isinstance(state_dict, Mapping) and not hasattr(state_dict, "items"):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}: pass "
                            "model.state_dict() or a dict of arrays")
        given = {}
        for k, v in state_dict.items():
            value = np.asarray(getattr(v, "data", v))
            if value.dtype.kind not in "biuf":
                raise TypeError(f"load_state_dict: entry {k!r} is not a numeric array "
                                f"(dtype {value.dtype})")
            given[k] = value
        for key, (module, name, _) in self._state_slots().items():
            value = given.get(key)  # PyTorch's 0.3 compatibility: a (1,) array fits a 0-d slot
            if value is not None and value.shape == (1,) and np.ndim(getattr(module, name)) == 0:
                given[key] = value.reshape(())
        own, missing, unexpected, mismatched = self._incompatible(
            {k: v.shape for k, v in given.items()})
        if mismatched or (strict and (missing or unexpected)):
            raise StateDictError(_load_report(type(self).__name__, missing if strict else [],
                                              unexpected if strict else [], mismatched))
        for key, (module, name, is_param) in own.items():
            if key in given:
                _load_entry(module, name, is_param, given[key], assign)
        return _IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------ printing
    def extra_repr(self) -> str:
        """The text inside this module's own parentheses (``in_features=3, ...``); override it
        in a layer with settings."""
        return ""

    def __repr__(self) -> str:
        """PyTorch's layout: ``Name(extra)`` on one line when there are no children and the
        extra text is one line; otherwise one line per extra line and per child, indented."""
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + repr(m).replace("\n", "\n  ")
                       for name, m in self._modules.items()]
        if len(extra_lines) == 1 and not child_lines:
            return f"{self._get_name()}({extra_lines[0]})"
        lines = extra_lines + child_lines
        if not lines:
            return f"{self._get_name()}()"
        return f"{self._get_name()}(\n  " + "\n  ".join(lines) + "\n)"

    # ------------------------------------------------------------------ summary
    def summary(self, input_size=None, *, input_data=None, dtypes=None, depth: int | None = None,
                **forward_kwargs):
        """A Keras / torchinfo style table of the layers (`lucidnet.nn.summary`):
        name and type, output shape, parameter count, trainable or not, and the totals.

        ``input_size`` is a shape with the batch dimension (``(32, 784)``), a list of shapes,
        or an example input (tensor, array or tuple of them); None lists the parameters only.

        >>> from lucidnet import nn
        >>> model = nn.Sequential(nn.Linear(784, 10))
        >>> print(model.summary((32, 784)))     # doctest: +SKIP
        >>> model.summary().total_params
        7850
        """
        return _summary.summary(self, input_size, input_data=input_data, dtypes=dtypes,
                                depth=depth, **forward_kwargs)


def _holds_state(module: Module, name: str) -> bool:
    """Whether ``name`` is a parameter or a persistent buffer of ``module`` (not None)."""
    if module._parameters.get(name) is not None:
        return True
    return (module._buffers.get(name) is not None
            and name not in module._non_persistent_buffers_set)


def _check_leaf(name: str, param) -> None:
    if getattr(param, "grad_fn", None) is not None:
        raise ValueError(f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters "
                         f"must be created explicitly. To express '{name}' as a function of "
                         "another Tensor, compute the value in the forward() method.")


def _short_report(missing, unexpected, mismatched) -> str:
    parts = []
    if missing:
        parts.append("missing keys: " + ", ".join(missing))
    if unexpected:
        parts.append("unexpected keys: " + ", ".join(map(str, unexpected)))
    if mismatched:
        parts.append("shape mismatch: " + "; ".join(
            f"{key}: checkpoint {given}, model {model}" for key, given, model in mismatched))
    return " | ".join(parts)


def _load_report(owner: str, missing, unexpected, mismatched) -> str:
    """PyTorch's load_state_dict message, after a one-line summary on the first line."""
    lines = []
    if missing:
        lines.append("Missing key(s) in state_dict: {}. ".format(
            ", ".join(f'"{k}"' for k in missing)))
    if unexpected:
        lines.append("Unexpected key(s) in state_dict: {}. ".format(
            ", ".join(f'"{k}"' for k in unexpected)))
    lines += [f"size mismatch for {key}: copying a param with shape {_size(given)} from "
              f"checkpoint, the shape in current model is {_size(model)}."
              for key, given, model in mismatched]
    return (f"Error(s) in loading state_dict for {owner} ("
            + _short_report(missing, unexpected, mismatched) + "):\n\t" + "\n\t".join(lines)
            + "\nWas it saved from a different architecture? strict=False loads the keys that fit "
            "and returns the missing and unexpected ones.")


def _load_entry(module: Module, name: str, is_param: bool, value: np.ndarray,
                assign: bool) -> None:
    """Put one state-dict entry into ``module.name`` (copied in, or assigned)."""
    current = getattr(module, name)
    if assign:
        if is_param:
            setattr(module, name, Parameter(value, requires_grad=current.requires_grad))
        else:
            setattr(module, name, Tensor(value) if isinstance(current, Tensor) else value)
        return
    target = current.data if isinstance(current, Tensor) else current
    if isinstance(target, np.ndarray) and target.ndim > 0:
        np.copyto(target, value, casting="unsafe")
        return
    value = np.array(value, dtype=np.asarray(target).dtype)  # 0-d counters are rebound
    if isinstance(current, Tensor):
        current.data = value
    else:
        setattr(module, name, value)


class _ModuleSequence(Module):
    """The list-like editing shared by Sequential and ModuleList (PyTorch semantics: deleting or
    inserting renumbers the keys "0", "1", ...)."""

    _children_are_config = True  # saved as its children: edits survive lucidnet.save / load

    def _key(self, index: int) -> str:
        keys = list(self._modules)
        if not isinstance(index, (int, np.integer)) or not -len(keys) <= index < len(keys):
            raise IndexError(f"index {index!r} is out of range for {type(self).__name__} of "
                             f"length {len(keys)}")
        return keys[index]

    def _renumber(self, items) -> None:
        for name in list(self._modules):
            delattr(self, name)
        for i, m in enumerate(items):
            self.add_module(str(i), m)

    def append(self, module: Module):
        _require_module(module, type(self).__name__)
        self.add_module(str(len(self._modules)), module)
        return self

    def extend(self, modules):
        for m in modules:
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> None:
        _require_module(module, type(self).__name__)
        items = list(self._modules.values())
        items.insert(index, module)
        self._renumber(items)

    def __setitem__(self, index: int, module: Module) -> None:
        _require_module(module, type(self).__name__)
        setattr(self, self._key(index), module)

    def __delitem__(self, index) -> None:
        items = list(self._modules.values())
        if isinstance(index, slice):
            del items[index]
        else:
            del items[list(self._modules).index(self._key(index))]
        self._renumber(items)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())


def _require_module(module, owner: str) -> None:
    if not isinstance(module, Module):
        raise TypeError(f"{owner} holds Module instances, got {type(module).__name__}")


class Sequential(_ModuleSequence):
    """Modules applied one after the other: ``Sequential(f, g, h)(x) = h(g(f(x)))``.

    State-dict keys are the positions ("0.weight", "2.bias"...) as in PyTorch, or the names of an
    ``OrderedDict`` given as the one argument. Indexing gives a module (``net[0]``) or, with a
    slice, a new Sequential.

    Parameters
    ----------
    *modules : Module
        The layers in order (or one dict / OrderedDict of name -> module).

    Examples
    --------
    >>> from lucidnet import nn
    >>> net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    >>> net(ln.ones(4, 2)).shape
    torch.Size([4, 1])
    >>> list(net.state_dict())
    ['0.weight', '0.bias', '2.weight', '2.bias']
    """

    def __init__(self, *modules: Module):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], (dict, OrderedDict)):
            for name, m in modules[0].items():
                self.add_module(name, m)
        else:
            for i, m in enumerate(modules):
                if not isinstance(m, Module):
                    raise TypeError(f"Sequential expects Module instances, argument {i} is "
                                    f"{type(m).__name__}")
                self.add_module(str(i), m)

    def forward(self, x):
        for name, module in self._modules.items():
            try:
                x = module(x)
            except ValueError as err:
                if getattr(err, "_lucidnet_located", False):
                    raise
                new = ValueError(f"layer {name} ({type(module).__name__}): {err}")
                new._lucidnet_located = True
                raise new from None
        return x

    def __getitem__(self, index):
        if isinstance(index, slice):  # PyTorch keeps the keys: net[1:] holds "1", "2", ...
            return type(self)(OrderedDict(list(self._modules.items())[index]))
        return list(self._modules.values())[index]

    def insert(self, index: int, module: Module) -> Sequential:
        """Insert ``module`` before position ``index`` (keys renumbered); returns the Sequential."""
        super().insert(index, module)
        return self

    def pop(self, index):
        """Remove the module (or Sequential of modules, for a slice) at ``index`` and return it."""
        value = self[index]
        del self[index]
        return value

    def _require_sequential(self, other) -> None:
        if not isinstance(other, Sequential):
            raise ValueError(f"add operator supports only objects of Sequential class, but "
                             f"{type(other).__name__} is given; wrap it: nn.Sequential(layer)")

    def __add__(self, other) -> Sequential:
        """A new Sequential of this one's modules followed by ``other``'s (keys 0, 1, ...)."""
        self._require_sequential(other)
        return Sequential(*self, *other)

    def __iadd__(self, other) -> Sequential:
        self._require_sequential(other)
        return self.extend(list(other))

    def _check_factor(self, factor) -> None:
        if not isinstance(factor, int) or isinstance(factor, bool):
            raise TypeError(f"unsupported operand type(s) for *: 'Sequential' and "
                            f"'{type(factor).__name__}'")
        if factor <= 0:
            raise ValueError(f"Non-positive multiplication factor {factor} for Sequential")

    def __mul__(self, factor: int) -> Sequential:
        """A new Sequential repeating these (same, shared) modules ``factor`` times."""
        self._check_factor(factor)
        return Sequential(*(list(self) * factor))

    __rmul__ = __mul__

    def __imul__(self, factor: int) -> Sequential:
        self._check_factor(factor)
        return self.extend(list(self) * (factor - 1))


class ModuleList(_ModuleSequence):
    """A list of modules whose parameters are registered under their positions ("0.weight", ...).

    Unlike `Sequential` it has no forward: the owner decides how to call the modules.

    Parameters
    ----------
    modules : iterable of Module, optional
        The initial entries.

    Examples
    --------
    >>> from lucidnet import nn
    >>> layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    >>> len(layers), len(list(layers.parameters()))
    (3, 6)
    """

    def __init__(self, modules=()):
        super().__init__()
        for m in modules:
            self.append(m)

    def __getitem__(self, index):
        items = list(self._modules.values())
        return type(self)(items[index]) if isinstance(index, slice) else items[index]

    def extend(self, modules) -> ModuleList:
        """Append every module of the iterable ``modules``; returns the ModuleList."""
        if not isinstance(modules, Iterable):
            raise TypeError(f"ModuleList.extend should be called with an iterable, but got "
                            f"{type(modules).__name__}")
        return super().extend(modules)

    def __iadd__(self, modules) -> ModuleList:
        return self.extend(modules)

    def __add__(self, other) -> ModuleList:
        """A new ModuleList of this one's modules followed by those of the iterable ``other``."""
        return ModuleList([*self, *other])

    def pop(self, index):
        """Remove the module (or ModuleList, for a slice) at ``index`` and return it."""
        value = self[index]
        del self[index]
        return value

    def __repr__(self) -> str:
        """PyTorch's format: a run of identical modules prints once, ``(0-2): 3 x Linear(...)``."""
        reprs = [repr(m) for m in self]
        if not reprs:
            return f"{type(self).__name__}()"
        runs = []  # [first index, last index, repr]
        for i, r in enumerate(reprs):
            if runs and runs[-1][2] == r:
                runs[-1][1] = i
            else:
                runs.append([i, i, r])
        lines = [(f"({a}): {r}" if a == b else f"({a}-{b}): {b - a + 1} x {r}").replace("\n", "\n  ")
                 for a, b, r in runs]
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"


def _pairs(values, owner: str):
    """The (key, value) pairs of ``update(values)`` in PyTorch's order: an OrderedDict or a
    container in its own order, another mapping sorted by key (ParameterDict only, as PyTorch),
    an iterable of pairs as given."""
    if not isinstance(values, Iterable):
        raise TypeError(f"{owner}.update should be called with an iterable of key/value pairs, "
                        f"but got {type(values).__name__}")
    if isinstance(values, (OrderedDict, ModuleDict, ParameterDict)):
        return list(values.items())
    if isinstance(values, Mapping):
        return sorted(values.items()) if owner == "ParameterDict" else list(values.items())
    pairs = []
    for j, pair in enumerate(values):
        if not isinstance(pair, Iterable):
            raise TypeError(f"{owner} update sequence element #{j} should be Iterable; is "
                            f"{type(pair).__name__}")
        pair = list(pair)
        if len(pair) != 2:
            raise ValueError(f"{owner} update sequence element #{j} has length {len(pair)}; "
                             "2 is required")
        pairs.append(pair)
    return pairs


def _check_name(owner: Module, name, kind: str, table: dict) -> None:
    """PyTorch's checks of a submodule / parameter name: a string, not empty, without ".", not
    an attribute the container already has (``keys``, ``training``...)."""
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
    if "." in name:
        got = f", got: {name}" if kind == "module" else ""  # PyTorch's two wordings
        raise KeyError(f"{kind} name can't contain \".\"{got}")
    if name == "":
        raise KeyError(f"{kind} name can't be empty string \"\"")
    if name not in table and hasattr(owner, name):
        raise KeyError(f"attribute '{name}' already exists")


class ModuleDict(Module):
    """An ordered dict of named submodules, registered as children: state-dict keys
    ``"heads.a.weight"``, ``heads["a"]`` to get one, as ``torch.nn.ModuleDict``.

    Parameters
    ----------
    modules : mapping or iterable of (str, Module) pairs, optional
        The initial entries, in their order.

    Examples
    --------
    >>> heads = ln.nn.ModuleDict({"a": ln.nn.Linear(2, 3), "b": ln.nn.ReLU()})
    >>> list(heads.keys()), list(heads.state_dict())
    (['a', 'b'], ['a.weight', 'a.bias'])
    >>> heads["a"](ln.ones(4, 2)).shape
    torch.Size([4, 3])
    """

    _children_are_config = True  # saved as its children: edits survive lucidnet.save / load

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module | None) -> None:
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        _check_name(self, key, "module", self._modules)
        if module is None:  # PyTorch keeps a None entry (skipped by children())
            self._parameters.pop(key, None)
            self._modules[key] = None
            object.__setattr__(self, key, None)
        else:
            setattr(self, key, module)

    def __delitem__(self, key: str) -> None:
        if key not in self._modules:
            raise KeyError(key)
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key) -> bool:
        return key in self._modules

    def clear(self) -> None:
        """Remove every entry."""
        for key in list(self._modules):
            del self[key]

    def pop(self, key: str) -> Module:
        """Remove ``key`` and return its module (KeyError if absent)."""
        value = self[key]
        del self[key]
        return value

    def keys(self):
        """The entry names, in insertion order (a view, as ``dict.keys``)."""
        return self._modules.keys()

    def items(self):
        """The ``(name, module)`` pairs, in insertion order (a view, as ``dict.items``)."""
        return self._modules.items()

    def values(self):
        """The modules, in insertion order (a view, as ``dict.values``)."""
        return self._modules.values()

    def update(self, modules) -> None:
        """Add or overwrite entries from a mapping or an iterable of (key, module) pairs, in
        their order."""
        for key, module in _pairs(modules, "ModuleDict"):
            self[key] = module


def _as_entry(value):
    """A tensor becomes a Parameter (PyTorch converts on insertion); other objects stay as
    they are."""
    if isinstance(value, Parameter):
        return value
    if isinstance(value, (Tensor, DataArray)):  # a DataArray is a tensor's .data
        return Parameter(value)
    return value


def _tensor_line(key, value, type_name) -> str:
    if isinstance(value, Tensor):
        kind = "Parameter" if isinstance(value, Parameter) else "Tensor"
        size = "x".join(str(n) for n in value.shape)
        return f"  ({key}): {kind} containing: [{type_name(value)} of size {size}]"
    return f"  ({key}): Object of type: {type(value).__name__}"


def _layout_entry(value):
    """How `lucidnet.save` records one entry of a ParameterList / ParameterDict: a parameter
    by its shape, dtype and requires_grad (the weights travel in the state dict), anything
    else as itself."""
    if isinstance(value, Parameter):
        return ("parameter", tuple(value.shape), np.dtype(value.dtype), bool(value.requires_grad))
    return ("value", value)


def _from_layout(entry):
    if not isinstance(entry, tuple) or len(entry) not in (2, 4) or \
            entry[0] not in ("parameter", "value"):
        raise ValueError(f"not a saved ParameterList / ParameterDict entry: {entry!r}")
    if entry[0] == "value":
        return entry[1]
    _, shape, dtype, requires_grad = entry
    return Parameter(np.empty(tuple(int(n) for n in shape), dtype=np.dtype(dtype)),
                     requires_grad=bool(requires_grad))


class _LiveLayout:
    """The constructor arguments `lucidnet.save` records for a ParameterList / ParameterDict:
    read when saving (``args, kwargs = config``), so appends, deletions and ``.double()`` after
    construction are saved as they are then."""

    def __init__(self, owner):
        self.owner = owner

    def __iter__(self):
        return iter(((), {"_layout": self.owner._layout()}))


class ParameterList(Module):
    """A list whose tensors are registered parameters (state-dict keys ``"params.0"``), as
    ``torch.nn.ParameterList``: a tensor put in becomes a `Parameter`; other objects are kept
    as they are (not parameters).

    Parameters
    ----------
    values : iterable, optional
        The initial entries.

    Examples
    --------
    >>> params = ln.nn.ParameterList([ln.ones(2), ln.zeros(3, 1)])
    >>> list(params.state_dict()), type(params[0]).__name__
    (['0', '1'], 'Parameter')
    >>> [tuple(p.shape) for p in params.parameters()]
    [(2,), (3, 1)]
    """

    def __init__(self, values=None, *, _layout=None):
        super().__init__()
        self._size = 0
        if type(self).__init__ is ParameterList.__init__:  # a subclass records its own arguments
            self.__dict__["_init_config"] = _LiveLayout(self)
        if _layout is not None:  # rebuilt by lucidnet.load: shapes only, the weights follow
            values = [_from_layout(entry) for entry in _layout]
        if values is not None:
            self += values

    def _layout(self) -> list:
        return [_layout_entry(value) for value in self]

    def _index(self, index) -> str:
        index = operator.index(index)
        if not -len(self) <= index < len(self):
            raise IndexError(f"index {index} is out of range for ParameterList of length "
                             f"{len(self)}")
        return str(index % len(self))

    def __getitem__(self, index):
        if isinstance(index, slice):
            out = type(self)()
            for i in range(*index.indices(len(self))):
                out.append(self[i])
            return out
        return getattr(self, self._index(index))

    def __setitem__(self, index: int, value) -> None:
        setattr(self, self._index(index), _as_entry(value))

    def __len__(self) -> int:
        return self._size

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __iadd__(self, values) -> ParameterList:
        return self.extend(values)

    def append(self, value) -> ParameterList:
        """Append ``value`` (a tensor becomes a Parameter); returns the ParameterList."""
        self._size += 1
        self[self._size - 1] = value
        return self

    def extend(self, values) -> ParameterList:
        """Append every value of the iterable ``values``; returns the ParameterList."""
        if not isinstance(values, Iterable) or isinstance(values, (Tensor, np.ndarray)):
            raise TypeError(f"ParameterList.extend should be called with an iterable, but got "
                            f"{type(values).__name__}")
        for value in values:
            self.append(value)
        return self

    def extra_repr(self) -> str:
        return "\n".join(_tensor_line(i, p, lambda t: f"torch.{t.dtype}")
                         for i, p in enumerate(self))

    def __call__(self, *args, **kwargs):
        raise RuntimeError("ParameterList should not be called.")


class _MissingKey(KeyError, AttributeError):
    """A key a ParameterDict lacks: KeyError as a dict, AttributeError as PyTorch raises."""


class ParameterDict(Module):
    """An ordered dict whose tensors are registered parameters (state-dict keys
    ``"params.left"``), as ``torch.nn.ParameterDict``: a tensor put in becomes a `Parameter`;
    other objects are kept as they are. Keys are strings.

    Parameters
    ----------
    parameters : mapping or iterable of (str, value) pairs, optional
        The initial entries (a plain dict is taken in sorted key order, as PyTorch does).

    Examples
    --------
    >>> params = ln.nn.ParameterDict({"w": ln.ones(2), "b": ln.zeros(1)})
    >>> list(params.keys()), list(params.state_dict())      # sorted, as PyTorch
    (['b', 'w'], ['b', 'w'])
    >>> params["w"].requires_grad
    True
    """

    def __init__(self, parameters=None, *, _layout=None):
        super().__init__()
        self._keys = {}
        if type(self).__init__ is ParameterDict.__init__:  # a subclass records its own arguments
            self.__dict__["_init_config"] = _LiveLayout(self)
        if _layout is not None:  # rebuilt by lucidnet.load: shapes only, the weights follow
            parameters = [(key, _from_layout(entry)) for key, entry in _layout]
        if parameters is not None:
            self.update(parameters)

    def _layout(self) -> list:
        return [(key, _layout_entry(value)) for key, value in self.items()]

    @staticmethod
    def _attr(key) -> str:
        if not isinstance(key, str):
            raise TypeError(f"Index given to ParameterDict cannot be used as a key as it is not "
                            f"a string (type is '{type(key).__name__}'); use str(key)")
        return key

    def __getitem__(self, key: str):
        if self._attr(key) not in self._keys:
            raise _MissingKey(key)
        return getattr(self, key)

    def __setitem__(self, key: str, value) -> None:
        value = _as_entry(value)
        if isinstance(value, Parameter):
            _check_name(self, self._attr(key), "parameter", self._parameters)
        setattr(self, self._attr(key), value)
        self._keys[key] = None

    def __delitem__(self, key: str) -> None:
        if self._attr(key) not in self._keys:
            raise KeyError(key)
        del self._keys[key]
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __reversed__(self) -> Iterator[str]:
        return reversed(self._keys)

    def __contains__(self, key) -> bool:
        return key in self._keys

    def copy(self) -> ParameterDict:
        """A new ParameterDict holding the same (not copied) parameters."""
        return ParameterDict(OrderedDict(self.items()))

    def setdefault(self, key: str, default=None):
        """The value of ``key``, first set to ``default`` if absent."""
        if key not in self:
            self[key] = default
        return self[key]

    def clear(self) -> None:
        """Remove every entry."""
        for key in list(self._keys):
            del self[key]

    def pop(self, key: str):
        """Remove ``key`` and return its value (KeyError if absent)."""
        value = self[key]
        del self[key]
        return value

    def popitem(self) -> tuple:
        """Remove and return the last inserted ``(key, value)`` pair."""
        if not self._keys:
            raise KeyError("popitem(): ParameterDict is empty")
        key = next(reversed(self._keys))
        return key, self.pop(key)

    def get(self, key: str, default=None):
        """The value under ``key``, or ``default`` if there is none (as ``dict.get``)."""
        return self[key] if key in self else default

    def fromkeys(self, keys, default=None) -> ParameterDict:
        """A new ParameterDict with ``keys``, each holding ``default``."""
        return ParameterDict((k, default) for k in keys)

    def keys(self):
        """The entry names, in insertion order."""
        return self._keys.keys()

    def items(self):
        """The ``(name, value)`` pairs, in insertion order (an iterator)."""
        return ((k, self[k]) for k in self._keys)

    def values(self):
        """The values (Parameters or other objects), in insertion order (an iterator)."""
        return (self[k] for k in self._keys)

    def update(self, parameters) -> None:
        """Add or overwrite entries: an OrderedDict, ParameterDict or iterable of pairs in its
        order, another mapping in sorted key order (as PyTorch)."""
        for key, value in _pairs(parameters, "ParameterDict"):
            self[key] = value

    def __or__(self, other) -> ParameterDict:
        merged = self.copy()
        merged.update(other)
        return merged

    def __ror__(self, other) -> ParameterDict:
        merged = other.copy()
        merged.update(self)
        return merged

    def __ior__(self, other) -> ParameterDict:
        self.update(other)
        return self

    def extra_repr(self) -> str:
        return "\n".join(_tensor_line(k, p, lambda t: t.type()) for k, p in self.items())

    def __call__(self, input):
        raise RuntimeError("ParameterDict should not be called.")
