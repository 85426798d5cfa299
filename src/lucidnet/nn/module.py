"""`Module`, `Parameter` and containers: PyTorch's structure and state-dict key names (SPEC B1, B4)."""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections import OrderedDict
from collections.abc import Iterator

import numpy as np

from ..autograd.data_array import as_data_array
from ..autograd.tensor import Tensor

__all__ = ["Parameter", "Module", "Sequential", "ModuleList", "qualified_name",
           "parameter_budget"]


def qualified_name(cls: type) -> str:
    """The registry key of a Module class: ``"lucidnet.nn.linear.Linear"``."""
    return f"{cls.__module__}.{cls.__qualname__}"


# values that new Parameters may still hold while a model is rebuilt from a file (None: no limit)
_parameter_budget: contextvars.ContextVar = contextvars.ContextVar("parameter_budget",
                                                                  default=None)


@contextlib.contextmanager
def parameter_budget(values: int):
    """Refuse (ValueError) new Parameters and buffers beyond ``values`` values in total inside this
    block, so rebuilding a model named in a file cannot fill the memory before its weights are
    checked. Layers allocate with ``np.empty`` / ``np.zeros`` (no page touched) and fill only
    after the Parameter or buffer exists, so the refusal comes before any memory is written."""
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
    """A tensor that is a learnable weight of a module (``requires_grad=True`` by default)."""

    __slots__ = ()

    def __init__(self, data, requires_grad: bool = True):
        data = np.asarray(data.data if isinstance(data, Tensor) else data)
        _charge_budget(data, "a parameter")  # before a layer's initializer writes into `data`
        # a DataArray takes PyTorch's tensor methods, outside the graph, as p.data does in
        # PyTorch: layer.weight.data.normal_(0, 0.01), m.bias.data.zero_()
        super().__init__(as_data_array(data), requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Module:
    """Base class of every layer and model.

    Assigning a `Parameter` or a `Module` to an attribute registers it; ``register_buffer`` keeps
    non-learned state (running statistics) that is saved in the state dict.
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
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    # ------------------------------------------------------------------ registration
    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise RuntimeError(
                f"{type(self).__name__}: call super().__init__() before assigning attributes"
            )
        if isinstance(value, Parameter):
            self._modules.pop(name, None)
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._parameters.pop(name, None)
            self._modules[name] = value
        else:
            if name in self._parameters:
                if value is not None:
                    raise TypeError(f"cannot assign {type(value).__name__} to parameter "
                                    f"'{name}': expected a Parameter or None")
                self._parameters[name] = None
            self._modules.pop(name, None)
            if name in self._buffers:
                self._buffers[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        for table in (self._parameters, self._buffers, self._modules):
            table.pop(name, None)
        object.__delattr__(self, name)

    def register_buffer(self, name: str, value) -> None:
        """Keep ``value`` (a NumPy array or None) as state saved with the model."""
        _charge_budget(value, f"buffer {name!r}")
        self._buffers[name] = value
        object.__setattr__(self, name, value)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        if param is None:
            self._parameters.pop(name, None)
            object.__setattr__(self, name, None)
        else:
            setattr(self, name, param)

    def add_module(self, name: str, module: Module) -> None:
        setattr(self, name, module)

    # ------------------------------------------------------------------ calling
    def forward(self, *args, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------------ traversal
    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        stack = [(prefix, self)]
        seen = set()
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(f"{name}.{k}" if name else k, m) for k, m in module._modules.items()
                        if m is not None]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        yield from ((k, m) for k, m in self._modules.items() if m is not None)

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def named_parameters(self, prefix: str = "", recurse: bool = True):
        seen = set()
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for mod_name, module in modules:
            for name, p in module._parameters.items():
                if p is None or id(p) in seen:
                    continue
                seen.add(id(p))
                yield (f"{mod_name}.{name}" if mod_name else name), p

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = ""):
        for mod_name, module in self.named_modules(prefix):
            for name, b in module._buffers.items():
                if b is not None:
                    yield (f"{mod_name}.{name}" if mod_name else name), b

    def buffers(self):
        for _, b in self.named_buffers():
            yield b

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    # ------------------------------------------------------------------ modes
    def train(self, mode: bool = True) -> Module:
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self) -> Module:
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.parameters():
            if set_to_none:
                p._grad = None  # the slot behind .grad: no property call per parameter
            elif p.grad is not None:
                p.grad.zero_()

    def requires_grad_(self, flag: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad = flag
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
    def state_dict(self) -> OrderedDict[str, np.ndarray]:
        """Copies of every parameter and buffer, keyed as PyTorch would ("0.weight", ...)."""
        state = OrderedDict()
        for mod_name, module in self.named_modules():
            prefix = f"{mod_name}." if mod_name else ""
            for name, p in module._parameters.items():
                if p is not None:
                    state[prefix + name] = p.data.copy()
            for name, b in module._buffers.items():
                if b is not None:
                    state[prefix + name] = np.array(b, copy=True)
        return state

    def _state_slots(self) -> dict:
        """``{key: (module, attribute name, is_parameter)}`` for every state-dict entry."""
        own = {}
        for mod_name, module in self.named_modules():
            prefix = f"{mod_name}." if mod_name else ""
            for name, p in module._parameters.items():
                if p is not None:
                    own[prefix + name] = (module, name, True)
            for name, b in module._buffers.items():
                if b is not None:
                    own[prefix + name] = (module, name, False)
        return own

    def check_state_shapes(self, shapes: dict, strict: bool = True) -> tuple[list, list]:
        """Check state-dict keys and shapes (``{key: shape}``) against this model, reading no data.

        Raises a ValueError listing missing keys, unexpected keys and shape mismatches; returns
        ``(missing_keys, unexpected_keys)`` when ``strict=False`` and all shapes fit.
        """
        own = self._state_slots()
        missing = [k for k in own if k not in shapes]
        unexpected = [k for k in shapes if k not in own]
        mismatched = []
        for key, (module, name, _) in own.items():
            model_shape = tuple(np.shape(getattr(module, name)))
            if key in shapes and tuple(shapes[key]) != model_shape:
                mismatched.append(f"{key}: checkpoint {tuple(shapes[key])}, model {model_shape}")
        if mismatched or (strict and (missing or unexpected)):
            parts = []
            if missing:
                parts.append("missing keys: " + ", ".join(missing))
            if unexpected:
                parts.append("unexpected keys: " + ", ".join(map(str, unexpected)))
            if mismatched:
                parts.append("shape mismatch: " + "; ".join(mismatched))
            raise ValueError(
                f"state dict does not fit {type(self).__name__} (was it saved from a different "
                "architecture?) -- " + " | ".join(parts)
            )
        return missing, unexpected

    def load_state_dict(self, state_dict, strict: bool = True):
        """Copy arrays into the parameters and buffers in place.

        Raises a ValueError listing missing keys, unexpected keys and shape mismatches (nothing is
        changed then). Returns ``(missing_keys, unexpected_keys)`` when ``strict=False``.
        """
        if not hasattr(state_dict, "items"):
            raise TypeError(f"load_state_dict expects a dict of arrays, got "
                            f"{type(state_dict).__name__}")
        own = self._state_slots()
        given = {}
        for k, v in state_dict.items():
            value = np.asarray(getattr(v, "data", v))
            if value.dtype.kind not in "biuf":
                raise TypeError(f"load_state_dict: entry {k!r} is not a numeric array "
                                f"(dtype {value.dtype})")
            given[k] = value
        missing, unexpected = self.check_state_shapes(
            {k: v.shape for k, v in given.items()}, strict)
        for key, (module, name, is_param) in own.items():
            if key not in given:
                continue
            current = getattr(module, name)
            target = current.data if is_param else current
            if isinstance(target, np.ndarray) and target.ndim > 0:
                np.copyto(target, given[key], casting="unsafe")
            else:
                value = np.array(given[key], dtype=np.asarray(target).dtype)
                if is_param:
                    current.data = value
                else:
                    setattr(module, name, value)
        return missing, unexpected

    # ------------------------------------------------------------------ printing
    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = [f"({name}): " + repr(m).replace("\n", "\n  ") for name, m in self._modules.items()]
        extra = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({extra})"
        head = f"{type(self).__name__}({extra}" if extra else f"{type(self).__name__}("
        return head + "\n  " + "\n  ".join(lines) + "\n)"


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
    """Modules applied one after the other; keys "0.weight", "1.bias"... as in PyTorch."""

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
        items = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*items[index])
        return items[index]


class ModuleList(_ModuleSequence):
    """A list of modules whose parameters are registered ("0.weight", ...)."""

    def __init__(self, modules=()):
        super().__init__()
        for m in modules:
            self.append(m)

    def __getitem__(self, index):
        items = list(self._modules.values())
        return ModuleList(items[index]) if isinstance(index, slice) else items[index]
