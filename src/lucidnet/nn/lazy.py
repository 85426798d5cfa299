"""Lazy layers: ``in_features`` / ``in_channels`` read from the first input (PyTorch's
``nn.LazyLinear``, ``nn.LazyConv1d`` ...).

Until the first call the weight and bias are `UninitializedParameter` s: registered (so
``parameters()`` and ``state_dict()`` list them) but without a shape; asking for one raises a
RuntimeError that says to run a forward pass first. The first call

    1. reads the size from the input: Linear  in_features = x.shape[-1]
                                       Conv    in_channels = x.shape[1] (x.shape[0] unbatched)
    2. materialises the parameters in place (the same Parameter objects, now ordinary ones),
    3. initialises them as the normal layer does (its ``reset_parameters``),
    4. turns the module into the normal class (``cls_to_become``: a LazyLinear becomes a
       Linear, so ``type(m) is nn.Linear``), and records the normal class's constructor
       arguments, so ``lucidnet.save`` stores a Linear and ``lucidnet.load`` rebuilds one.

Loading a state dict into a lazy module materialises it from the arrays' shapes (no random
initialisation), as PyTorch's. Make the optimizer after the dry run: one made before holds the
parameters' empty placeholders and refuses to step. A module whose lazy layers are nested in a
container materialises on the first forward; a container's ``load_state_dict`` reaches them only
through the ``_materialize_from_state`` hook (see `LazyModuleMixin`).
"""

from __future__ import annotations

import inspect

import numpy as np

from ..autograd.data_array import as_data_array
from ..autograd.dtypes import to_dtype
from ..autograd.tensor import Tensor, get_default_dtype, no_grad
from . import init
from .conv import _SPATIAL, Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from .linear import Linear
from .module import Module, Parameter, _charge_budget

__all__ = ["UninitializedParameter", "LazyModuleMixin", "LazyLinear", "LazyConv1d",
           "LazyConv2d", "LazyConvTranspose1d", "LazyConvTranspose2d"]

_NO_SHAPE = ("Can't access the shape of an uninitialized parameter or buffer. This error usually "
             "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
             "initialized one. Call `forward` to initialize the parameters before accessing "
             "their attributes.")


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet (a lazy layer's weight before its first call).

    It holds an empty placeholder array of its dtype; ``shape``, ``size()``, ``numel()``,
    ``ndim`` and ``dim()`` raise RuntimeError. ``materialize(shape)`` gives it an (uninitialised)
    array of that shape and turns it, in place, into an ordinary `Parameter`.

    Parameters
    ----------
    requires_grad : bool, default True
        As for `Parameter`.
    device : str, optional
        Only ``"cpu"``.
    dtype : dtype, optional
        Dtype of the future array (default: the default dtype).

    Examples
    --------
    >>> p = ln.nn.UninitializedParameter()
    >>> p.shape
    Traceback (most recent call last):
    ...
    RuntimeError: Can't access the shape of an uninitialized parameter or buffer. ...
    >>> p.materialize((2, 3))
    >>> type(p).__name__, p.shape
    ('Parameter', torch.Size([2, 3]))
    """

    __slots__ = ()
    cls_to_become = Parameter

    def __init__(self, requires_grad: bool = True, device=None, dtype=None):
        if device is not None:
            from ..autograd.device import check_device
            check_device(device, "UninitializedParameter")
        dtype = to_dtype(dtype, "UninitializedParameter") or np.dtype(get_default_dtype())
        super().__init__(np.empty((0,), dtype=dtype), requires_grad=requires_grad)

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Become a `Parameter` of ``shape`` (dtype: this one's unless given), values unset."""
        dtype = to_dtype(dtype, "materialize") if dtype is not None else self.data.dtype
        shape = tuple(int(n) for n in shape)
        array = np.empty(shape, dtype=dtype)
        _charge_budget(array, "a parameter")
        self.data = as_data_array(array)
        self._grad = None
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        """Not known yet: raises RuntimeError until the first forward call gives the parameter its shape."""
        raise RuntimeError(_NO_SHAPE)

    @property
    def ndim(self):
        """Not known yet: raises RuntimeError until the first forward call gives the parameter its shape."""
        raise RuntimeError(_NO_SHAPE)

    def size(self, dim=None):
        raise RuntimeError(_NO_SHAPE)

    def numel(self) -> int:
        raise RuntimeError(_NO_SHAPE)

    def dim(self) -> int:
        raise RuntimeError(_NO_SHAPE)

    def __len__(self) -> int:
        raise RuntimeError(_NO_SHAPE)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


def is_lazy(p) -> bool:
    return isinstance(p, UninitializedParameter)


class LazyModuleMixin:
    """What a lazy layer adds to its normal class (listed first among the bases).

    A subclass sets ``cls_to_become`` (the normal class), ``_lazy_arg`` (the constructor
    argument read from the input: ``"in_features"`` / ``"in_channels"``) and implements
    ``_infer(x)`` (that size from an input) and ``_shapes(size)`` (each parameter's shape).

    Examples
    --------
    >>> layer = ln.nn.LazyLinear(4)
    >>> isinstance(layer, ln.nn.LazyModuleMixin), layer.has_uninitialized_params()
    (True, True)
    >>> _ = layer(ln.ones(5, 3))              # the first call reads in_features = 3
    >>> type(layer).__name__, isinstance(layer, ln.nn.LazyModuleMixin)   # a plain Linear now
    ('Linear', False)
    """

    cls_to_become: type | None = None
    _lazy_arg = ""

    def has_uninitialized_params(self) -> bool:
        """Whether any parameter of this module (not its children) still lacks a shape."""
        return any(is_lazy(p) for p in self._parameters.values())

    def _lazy_setup(self, **unset) -> None:
        """Swap the placeholder parameters made by the normal constructor for uninitialised
        ones (same dtype) and mark the inferred size unknown (0, as PyTorch's repr shows)."""
        for name, p in list(self._parameters.items()):
            if p is not None:
                setattr(self, name, UninitializedParameter(dtype=p.data.dtype))
        for name, value in unset.items():
            object.__setattr__(self, name, value)
        self.__dict__.pop("_lazy_pending", None)

    def reset_parameters(self) -> None:
        """Initialise as the normal layer, once the parameters have shapes (a no-op before)."""
        if "_lazy_pending" in self.__dict__ or self.has_uninitialized_params():
            return
        super().reset_parameters()

    def initialize_parameters(self, x) -> None:
        """Read the size from ``x``, materialise the parameters, initialise them."""
        if not self.has_uninitialized_params():
            return
        size = self._infer(x)
        weight_was_lazy = is_lazy(self._parameters.get("weight"))
        with no_grad():
            self._materialize(size)
            if weight_was_lazy:
                self.reset_parameters()
            else:  # a bias left out of a loaded state dict: the normal layer's bias init
                bias = self._parameters.get("bias")
                fan_in, _ = init.compute_fans(self.weight.data.shape)
                bound = 1.0 / np.sqrt(fan_in) if fan_in > 0 else 0.0
                init.uniform_(bias, -bound, bound)

    def _materialize(self, size: int, names=None) -> None:
        """Give the uninitialised parameters (those in ``names``, default all) their shapes;
        once none is left, become the normal class."""
        object.__setattr__(self, self._lazy_arg, int(size))
        for name, shape in self._shapes(int(size)).items():
            p = self._parameters.get(name)
            if is_lazy(p) and (names is None or name in names):
                p.materialize(shape)
        if not self.has_uninitialized_params():
            self._become()

    def _become(self) -> None:
        """Turn into ``cls_to_become`` and record its constructor call (for lucidnet.save)."""
        lazy_cls = type(self)
        args, kw = self.__dict__.get("_init_config", ((), {}))
        bound = inspect.signature(lazy_cls.__init__).bind(self, *args, **kw).arguments
        bound.pop("self", None)
        object.__setattr__(self, "_init_config",
                           ((getattr(self, self._lazy_arg),), dict(bound)))
        if self.cls_to_become is not None:
            self.__class__ = self.cls_to_become

    def forward(self, *args, **kwargs):
        """First call: infer the missing sizes from the input (``initialize_parameters``), turn the
        module into its eager class (``LazyLinear`` becomes ``Linear``) and run that forward.
        """
        if not args:
            raise TypeError(f"{type(self).__name__}.forward() needs an input tensor")
        self.initialize_parameters(args[0])
        if isinstance(self, LazyModuleMixin):  # still lazy: some parameter has no shape
            raise RuntimeError(f"{type(self).__name__} has not been fully initialized")
        return self.forward(*args, **kwargs)  # the normal class's forward now

    # ------------------------------------------------------------- loading a state dict
    def _materialize_from_state(self, prefix: str, shapes: dict) -> None:
        """Materialise the uninitialised parameters whose keys (``prefix + name``) ``shapes``
        holds, from those shapes (``{key: array or shape}``); values are copied afterwards by
        ``load_state_dict``. An entry saved from a lazy module before its first call (an empty
        placeholder of shape (0,)) leaves the parameter uninitialised."""
        given = {}
        for name, p in self._parameters.items():
            key = prefix + name
            if is_lazy(p) and key in shapes:
                value = shapes[key]
                shape = tuple(value) if isinstance(value, (tuple, list)) else np.shape(
                    getattr(value, "data", value))
                if shape != (0,):
                    given[name] = shape
        if "weight" not in given:
            return
        size = self._size_from_weight(given["weight"])
        expected = self._shapes(size)
        for name, shape in given.items():
            if tuple(expected[name]) != shape:
                from .module import StateDictError

                raise StateDictError(
                    f"state dict does not fit {type(self).__name__}({self.extra_repr()}): "
                    f"{prefix + name} has shape {shape}, the layer needs {tuple(expected[name])} "
                    f"(with {self._lazy_arg}={size} read from {prefix}weight)")
        with no_grad():  # only the entries given: one left out is initialised at the first call
            self._materialize(size, names=given)

    def check_state_shapes(self, shapes: dict, strict: bool = True):
        """As `Module.check_state_shapes`, after materialising the lazy layers from
        ``shapes`` (a lazy module loaded from a file is shaped so)."""
        skip = _prepare_lazy(self, {k: tuple(v) for k, v in shapes.items()})
        if not skip:
            return Module._check_state_shapes(self, shapes, strict)
        return _check_rest(self, {k: v for k, v in shapes.items() if k not in skip}, skip,
                           strict)

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """As `Module.load_state_dict`; an uninitialised parameter takes the shape of its entry
        first (then the values), as PyTorch's lazy modules do."""
        if not hasattr(state_dict, "items"):
            return Module._load_state_dict(self, state_dict, strict, assign)
        skip = _prepare_lazy(self, {k: np.shape(getattr(v, "data", v))
                                    for k, v in state_dict.items()})
        if not skip:
            return Module._load_state_dict(self, state_dict, strict, assign)
        rest = {k: v for k, v in state_dict.items() if k not in skip}
        _check_rest(self, {k: np.shape(getattr(v, "data", v)) for k, v in rest.items()}, skip,
                    strict)
        return Module._load_state_dict(self, rest, strict=False, assign=assign)


def _placeholders(module, prefix: str, shapes: dict) -> set:
    """Keys of ``shapes`` holding an uninitialised placeholder (shape (0,)) for a parameter of
    ``module`` that is still uninitialised: loading leaves those as they are."""
    return {prefix + name for name, p in module._parameters.items()
            if is_lazy(p) and tuple(shapes.get(prefix + name, ())) == (0,)}


def _prepare_lazy(root, shapes: dict) -> set:
    """Materialise every lazy module of ``root``'s tree from ``shapes`` ({key: shape}); return
    the keys to leave out of the normal check (placeholders for still-lazy parameters)."""
    skip = set()
    for name, module in list(root.named_modules()):
        if isinstance(module, LazyModuleMixin) and module.has_uninitialized_params():
            prefix = f"{name}." if name else ""
            skip |= _placeholders(module, prefix, shapes)
            module._materialize_from_state(prefix, shapes)
    return skip


def _check_rest(root, shapes: dict, skip: set, strict: bool):
    """Module's shape check of the entries left, strict about every key but ``skip``."""
    from .module import StateDictError, _load_report

    missing, unexpected = Module._check_state_shapes(root, shapes, strict=False)
    missing = [k for k in missing if k not in skip]
    if strict and (missing or unexpected):
        raise StateDictError(_load_report(type(root).__name__, missing, unexpected, []))
    return missing, unexpected


def _array(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


# ---------------------------------------------------------------- LazyLinear
class LazyLinear(LazyModuleMixin, Linear):
    """`Linear` whose ``in_features`` is the last dimension of its first input; then a Linear.

    ``LazyLinear(out_features, bias=True, device=None, dtype=None)`` (PyTorch's): after the first
    call ``y = x W^T + b`` with ``W`` of shape (out_features, x.shape[-1]).

    Parameters
    ----------
    out_features : int
        Size of each output sample.
    bias : bool, default True
        Whether to learn an additive bias.
    device, dtype : optional
        As for `Linear`.

    Examples
    --------
    >>> layer = ln.nn.LazyLinear(4)
    >>> layer
    LazyLinear(in_features=0, out_features=4, bias=True)
    >>> layer(ln.ones(5, 3)).shape, layer.weight.shape
    (torch.Size([5, 4]), torch.Size([4, 3]))
    >>> layer
    Linear(in_features=3, out_features=4, bias=True)
    """

    cls_to_become = Linear
    _lazy_arg = "in_features"

    def __init__(self, out_features: int, bias: bool = True, device=None, dtype=None):
        object.__setattr__(self, "_lazy_pending", True)  # the normal init draws nothing
        Linear.__init__(self, 1, out_features, bias, device, dtype)
        self._lazy_setup(in_features=0)

    def _infer(self, x) -> int:
        shape = np.shape(_array(x))
        if not shape or shape[-1] < 1:
            raise ValueError(f"LazyLinear(out_features={self.out_features}) cannot read "
                             f"in_features from an input of shape {tuple(shape)}: it needs at "
                             "least 1 dimension and a last dimension of size >= 1")
        return shape[-1]

    def _size_from_weight(self, shape: tuple) -> int:
        if len(shape) != 2:
            raise ValueError(f"LazyLinear: weight must be 2-D (out_features, in_features), got "
                             f"shape {shape}")
        return shape[1]

    def _shapes(self, size: int) -> dict:
        return {"weight": (self.out_features, size), "bias": (self.out_features,)}


# ---------------------------------------------------------------- lazy convolutions
class _LazyConvMixin(LazyModuleMixin):
    _lazy_arg = "in_channels"
    _transposed = False

    def _lazy_conv_init(self, out_channels, kernel_size, groups, kwargs) -> None:
        object.__setattr__(self, "_lazy_pending", True)
        groups_ok = groups if isinstance(groups, (int, np.integer)) and groups >= 1 else 1
        if (isinstance(out_channels, (int, np.integer)) and out_channels >= 1
                and out_channels % groups_ok):
            raise ValueError(f"{type(self).__name__}: out_channels ({out_channels}) must be "
                             f"divisible by groups ({groups})")
        # a placeholder in_channels (= groups) lets the normal constructor check the rest
        self.cls_to_become.__init__(self, groups_ok, out_channels, kernel_size, groups=groups,
                                    **kwargs)
        self._lazy_setup(in_channels=0)

    def _infer(self, x) -> int:
        shape = np.shape(_array(x))
        nd = self.nd
        name = type(self).__name__
        if len(shape) not in (nd + 1, nd + 2):
            raise ValueError(f"{name}({self.extra_repr()}) expects input of shape "
                             f"(N, C, {_SPATIAL[nd]}) or unbatched (C, {_SPATIAL[nd]}), got shape "
                             f"{tuple(shape)} ({len(shape)} dims)")
        channels = shape[1] if len(shape) == nd + 2 else shape[0]
        self._check_channels(channels)
        return channels

    def _check_channels(self, channels: int) -> None:
        name = type(self).__name__
        if channels < 1:
            raise ValueError(f"{name}: cannot read in_channels from an input with {channels} "
                             "channels; it needs at least 1")
        if channels % self.groups:
            raise ValueError(f"{name}: in_channels ({channels}, read from the input) must be "
                             f"divisible by groups ({self.groups})")

    def _size_from_weight(self, shape: tuple) -> int:
        if len(shape) != self.nd + 2:
            raise ValueError(f"{type(self).__name__}: weight must have {self.nd + 2} dims, got "
                             f"shape {shape}")
        size = shape[0] if self._transposed else shape[1] * self.groups
        self._check_channels(size)
        return size

    def _shapes(self, size: int) -> dict:
        if self._transposed:
            weight = (size, self.out_channels // self.groups) + self.kernel_size
        else:
            weight = (self.out_channels, size // self.groups) + self.kernel_size
        return {"weight": weight, "bias": (self.out_channels,)}


class LazyConv1d(_LazyConvMixin, Conv1d):
    """`Conv1d` whose ``in_channels`` is read from its first input (N, C, L) or (C, L).

    Takes `Conv1d`'s arguments without ``in_channels``; after the first call it is a `Conv1d`
    with ``in_channels = C`` and weight (out_channels, C / groups, kernel_size).

    Parameters
    ----------
    out_channels : int
        O, the output channels.
    kernel_size : int or tuple
        K per spatial axis.
    stride, padding, dilation : int or tuple
        As for `Conv1d`.
    groups : int, default 1
        Channel groups (the channels read from the input must be divisible by it).
    bias : bool, default True
        Learn an additive bias per output channel.
    padding_mode : str, default "zeros"
        As for `Conv1d`.
    device, dtype : optional
        ``"cpu"`` only; the parameters' dtype.

    Examples
    --------
    >>> conv = ln.nn.LazyConv1d(8, 3)
    >>> conv(ln.ones(2, 5, 10)).shape, conv.weight.shape
    (torch.Size([2, 8, 8]), torch.Size([8, 5, 3]))
    >>> conv
    Conv1d(5, 8, kernel_size=(3,), stride=(1,))
    """

    cls_to_become = Conv1d

    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device=None,
                 dtype=None):
        self._lazy_conv_init(out_channels, kernel_size, groups, dict(
            stride=stride, padding=padding, dilation=dilation, bias=bias,
            padding_mode=padding_mode, device=device, dtype=dtype))


class LazyConv2d(_LazyConvMixin, Conv2d):
    """`Conv2d` whose ``in_channels`` is read from its first input (N, C, H, W) or (C, H, W).

    Takes `Conv2d`'s arguments without ``in_channels``; after the first call it is a `Conv2d`
    with ``in_channels = C`` and weight (out_channels, C / groups, kH, kW).

    Parameters
    ----------
    out_channels : int
        O, the output channels.
    kernel_size : int or tuple
        K per spatial axis.
    stride, padding, dilation : int or tuple
        As for `Conv2d`.
    groups : int, default 1
        Channel groups (the channels read from the input must be divisible by it).
    bias : bool, default True
        Learn an additive bias per output channel.
    padding_mode : str, default "zeros"
        As for `Conv2d`.
    device, dtype : optional
        ``"cpu"`` only; the parameters' dtype.

    Examples
    --------
    >>> conv = ln.nn.LazyConv2d(8, 3, padding=1)
    >>> conv(ln.ones(2, 3, 6, 6)).shape, conv.weight.shape
    (torch.Size([2, 8, 6, 6]), torch.Size([8, 3, 3, 3]))
    >>> type(conv).__name__, conv.in_channels
    ('Conv2d', 3)
    """

    cls_to_become = Conv2d

    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device=None,
                 dtype=None):
        self._lazy_conv_init(out_channels, kernel_size, groups, dict(
            stride=stride, padding=padding, dilation=dilation, bias=bias,
            padding_mode=padding_mode, device=device, dtype=dtype))


class LazyConvTranspose1d(_LazyConvMixin, ConvTranspose1d):
    """`ConvTranspose1d` whose ``in_channels`` is read from its first input.

    Takes `ConvTranspose1d`'s arguments without ``in_channels``; input (N, C, L) or (C, L);
    afterwards the weight is (C, out_channels / groups, kernel_size) and
    ``L_out = (L - 1) stride - 2 padding + dilation (kernel_size - 1) + output_padding + 1``.

    Parameters
    ----------
    out_channels : int
        O, the output channels.
    kernel_size : int or tuple
        K per spatial axis.
    stride, padding, dilation : int or tuple
        As for `ConvTranspose1d` (with ``output_padding``).
    groups : int, default 1
        Channel groups (the channels read from the input must be divisible by it).
    bias : bool, default True
        Learn an additive bias per output channel.
    padding_mode : str, default "zeros"
        As for `ConvTranspose1d`.
    device, dtype : optional
        ``"cpu"`` only; the parameters' dtype.

    Examples
    --------
    >>> up = ln.nn.LazyConvTranspose1d(4, 2, stride=2)
    >>> up(ln.ones(1, 6, 5)).shape, up.weight.shape
    (torch.Size([1, 4, 10]), torch.Size([6, 4, 2]))
    """

    cls_to_become = ConvTranspose1d
    _transposed = True

    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, output_padding=0,
                 groups: int = 1, bias: bool = True, dilation=1, padding_mode: str = "zeros",
                 device=None, dtype=None):
        self._lazy_conv_init(out_channels, kernel_size, groups, dict(
            stride=stride, padding=padding, output_padding=output_padding, bias=bias,
            dilation=dilation, padding_mode=padding_mode, device=device, dtype=dtype))


class LazyConvTranspose2d(_LazyConvMixin, ConvTranspose2d):
    """`ConvTranspose2d` whose ``in_channels`` is read from its first input.

    Takes `ConvTranspose2d`'s arguments without ``in_channels``; input (N, C, H, W) or
    (C, H, W); afterwards the weight is (C, out_channels / groups, kH, kW).

    Parameters
    ----------
    out_channels : int
        O, the output channels.
    kernel_size : int or tuple
        K per spatial axis.
    stride, padding, dilation : int or tuple
        As for `ConvTranspose2d` (with ``output_padding``).
    groups : int, default 1
        Channel groups (the channels read from the input must be divisible by it).
    bias : bool, default True
        Learn an additive bias per output channel.
    padding_mode : str, default "zeros"
        As for `ConvTranspose2d`.
    device, dtype : optional
        ``"cpu"`` only; the parameters' dtype.

    Examples
    --------
    >>> up = ln.nn.LazyConvTranspose2d(4, 2, stride=2)
    >>> up(ln.ones(1, 6, 5, 5)).shape, up.weight.shape
    (torch.Size([1, 4, 10, 10]), torch.Size([6, 4, 2, 2]))
    >>> type(up).__name__
    'ConvTranspose2d'
    """

    cls_to_become = ConvTranspose2d
    _transposed = True

    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, output_padding=0,
                 groups: int = 1, bias: bool = True, dilation=1, padding_mode: str = "zeros",
                 device=None, dtype=None):
        self._lazy_conv_init(out_channels, kernel_size, groups, dict(
            stride=stride, padding=padding, output_padding=output_padding, bias=bias,
            dilation=dilation, padding_mode=padding_mode, device=device, dtype=dtype))
