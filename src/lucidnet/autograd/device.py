"""The device: lucidnet computes on the CPU, and says so clearly when asked for another.

``lucidnet.device("cpu")`` is PyTorch's ``torch.device``: ``.type``, ``.index``, ``str()``, equality
and hashing as there (a device does not equal the string ``"cpu"``: ``torch.device("cpu") ==
"cpu"`` is False in PyTorch too; compare ``d.type == "cpu"``). A ``"cuda"`` / ``"mps"`` device
object may be made, as in PyTorch, but moving or creating a tensor or module there raises a
RuntimeError that names the device-agnostic spelling::

    device = "cuda" if torch.cuda.is_available() else "cpu"

Also here: the default device (always the CPU), the determinism switches (recorded; NumPy is
deterministic already), the thread count (``set_num_threads``: lucidnet.threads' function, which sizes the BLAS, Numba
and optimizer pools) and ``set_printoptions`` (the print options of tensors, autograd/printing.py).
"""

from __future__ import annotations

import math
import numbers
import re

import numpy as np

from .. import threads as _thread_pools
from .registry import register
from .tensor import Tensor

__all__ = ["device", "check_device", "CPU_ONLY_HINT", "set_num_threads", "get_num_threads",
           "set_printoptions", "get_default_device", "set_default_device",
           "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
           "set_float32_matmul_precision", "get_float32_matmul_precision"]

# PyTorch's device types: all may name a device object; only "cpu" holds lucidnet tensors
_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
                 "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                 "privateuseone")
_DEVICE_RE = re.compile(r"([a-z]+)(?::(\d+))?\Z")

CPU_ONLY_HINT = (
    "lucidnet runs on the CPU only (its arrays are NumPy arrays). Write device-agnostic code: "
    "device = \"cuda\" if torch.cuda.is_available() else \"cpu\" (torch.cuda.is_available() is "
    "False here), then .to(device)"
)


class device:
    """Where a tensor lives, as ``torch.device``: ``device("cpu")``, ``device("cpu:0")``,
    ``device("cpu", 0)``, ``device(type="cpu")``, ``device(other_device)``.

    ``str(device("cpu")) == "cpu"``, ``.type == "cpu"``, ``.index`` is None or the number after
    the colon. Devices of other types ("cuda", "mps", ...) can be named but hold no tensor.

    Parameters
    ----------
    type : str or device
        ``"kind"`` or ``"kind:index"`` with kind one of PyTorch's device types ("cpu", "cuda",
        "mps", ...), or a device to copy. An integer (PyTorch's CUDA ordinal) raises
        RuntimeError, as there is no CUDA device.
    index : int, optional
        The ordinal, when the string does not carry one.

    Examples
    --------
    >>> d = ln.device("cpu:0")
    >>> d, str(d), d.type, d.index
    (device(type='cpu', index=0), 'cpu:0', 'cpu', 0)
    >>> ln.device("cpu", 0) == d, ln.device("cpu") == d      # the index takes part
    (True, False)
    >>> ln.ones(2).device
    device(type='cpu')
    >>> ln.device("gpu")
    Traceback (most recent call last):
        ...
    RuntimeError: Expected one of cpu, cuda, ... device type at start of device string: gpu
    """

    __slots__ = ("_type", "_index")

    def __init__(self, type=None, index=None):
        if isinstance(type, device):
            if index is not None:
                raise TypeError("device(device, index): give the index in the device itself")
            self._type, self._index = type.type, type.index
            return
        if isinstance(type, numbers.Integral) and not isinstance(type, bool):
            raise RuntimeError(f"device({type}): an integer names an accelerator (CUDA) device "
                               f"and none is available. {CPU_ONLY_HINT}")
        if not isinstance(type, str):
            raise TypeError(f"device() expects a string such as 'cpu', got "
                            f"{builtins_type(type).__name__} {type!r}")
        match = _DEVICE_RE.match(type)
        if match is None:
            raise RuntimeError(f"Invalid device string: {type!r}; expected e.g. 'cpu' or 'cpu:0'")
        kind, number = match.group(1), match.group(2)
        if kind not in _DEVICE_TYPES:
            raise RuntimeError(f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start "
                               f"of device string: {type}")
        if number is not None and index is not None:
            raise RuntimeError("type (string) must not include an index because index was "
                               f"passed explicitly: {type}")
        if number is not None:
            index = int(number)
        if index is not None:
            if isinstance(index, bool) or not isinstance(index, numbers.Integral) or index < 0:
                raise RuntimeError(f"device index must be a non-negative integer, got {index!r}")
            index = int(index)
        self._type, self._index = kind, index

    @property
    def type(self) -> str:
        """The device kind: ``'cpu'``, ``'cuda'``, ``'mps'``... (lucidnet computes on ``'cpu'``)."""
        return self._type

    @property
    def index(self) -> int | None:
        """The device ordinal (``cuda:1`` -> 1), or None when none was given."""
        return self._index

    def __str__(self) -> str:
        return self._type if self._index is None else f"{self._type}:{self._index}"

    def __repr__(self) -> str:
        index = "" if self._index is None else f", index={self._index}"
        return f"device(type={self._type!r}{index})"

    def __eq__(self, other):
        if not isinstance(other, device):
            return NotImplemented
        return (self._type, self._index) == (other._type, other._index)

    def __hash__(self):
        return hash((self._type, self._index))

    def __reduce__(self):
        return (device, (self._type, self._index))


builtins_type = type  # `device.__init__` shadows the name `type` with its argument
register("device", value=device)
_CPU = device("cpu")


def check_device(where_to, what: str = "this operation") -> device:
    """``where_to`` (a device, a string, an int or None) as a device; anything but the CPU
    raises RuntimeError saying lucidnet runs on the CPU only and how to write it.

    Parameters
    ----------
    where_to : device, str, int or None
        The requested device; None means the CPU.
    what : str, optional
        The caller's name, which starts the error message.

    Returns
    -------
    device
        The CPU device (with its index, if one was given).

    Examples
    --------
    >>> ln.autograd.device.check_device(None)
    device(type='cpu')
    >>> ln.autograd.device.check_device("cuda", "Tensor.to()")
    Traceback (most recent call last):
        ...
    RuntimeError: Tensor.to(): cannot use device 'cuda'. lucidnet runs on the CPU only ...
    """
    if where_to is None:
        return _CPU
    d = where_to if isinstance(where_to, device) else device(where_to)
    if d.type != "cpu":
        raise RuntimeError(f"{what}: cannot use device {str(d)!r}. {CPU_ONLY_HINT}")
    return d


# ------------------------------------------------------------------ Tensor device methods
@register("device")
@property
def _tensor_device(self) -> device:
    """The CPU, where every lucidnet tensor lives."""
    return _CPU


def _constant(value, doc: str) -> property:
    """A read-only Tensor property that is always ``value`` (its getter carries ``doc``)."""
    def get(self):
        return value

    get.__doc__ = doc
    return property(get)


register("is_cuda")(_constant(False, "False: lucidnet has no CUDA tensors."))
register("is_cpu")(_constant(True, "True: every lucidnet tensor is on the CPU."))
for _name in ("is_xpu", "is_mps", "is_quantized", "is_sparse", "is_mkldnn", "is_nested"):
    register(_name)(_constant(False, "False: lucidnet tensors are dense CPU tensors."))
register("is_meta")(_constant(False, "False: lucidnet has no meta tensors."))


@register("cpu")
def cpu(self, memory_format=None) -> Tensor:
    """The tensor itself: it is on the CPU already."""
    return self


@register("cuda")
def cuda(self, device=None, non_blocking: bool = False, memory_format=None) -> Tensor:
    """Not available: raises RuntimeError (lucidnet runs on the CPU only)."""
    raise RuntimeError(f"Tensor.cuda(): {CPU_ONLY_HINT}")


@register("get_device")
def get_device(self) -> int:
    """-1, PyTorch's answer for a CPU tensor."""
    return -1


# ------------------------------------------------------------------ threads and printing
_threads = {"intra": None, "interop": None}
_threads = {"interop": None}

def _positive_int(n, name: str) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"{name} expects a positive integer, got {n!r}")
    return int(n)


@register("set_num_threads", method=False, function=True)
def set_num_threads(n: int) -> None:
    """Use ``n`` threads (``torch.set_num_threads``): the same function as
    `lucidnet.set_num_threads` (`lucidnet.threads.set_num_threads`), which sizes the BLAS,
    Numba and optimizer pools.

    Parameters
    ----------
    n : int
        A positive thread count; anything else raises ValueError.

    Examples
    --------
    >>> ln.autograd.device.set_num_threads(0)
    Traceback (most recent call last):
        ...
    ValueError: set_num_threads expects a positive integer (a thread count such as 1 or 2), got 0
    """
    _thread_pools.set_num_threads(n)


@register("get_num_threads", method=False, function=True)
def get_num_threads() -> int:
    """The thread count lucidnet computes with: the same as `lucidnet.get_num_threads`.

    Returns
    -------
    int
        A positive thread count.

    Examples
    --------
    >>> ln.autograd.device.get_num_threads() == ln.get_num_threads()
    True
    """
    return _thread_pools.get_num_threads()


@register("set_num_interop_threads", method=False, function=True)
def set_num_interop_threads(n: int) -> None:
    """Recorded only: lucidnet runs no inter-op thread pool (each op is one NumPy call).

    Parameters
    ----------
    n : int
        A positive thread count; anything else raises ValueError.

    Examples
    --------
    >>> ln.set_num_interop_threads(0)
    Traceback (most recent call last):
        ...
    ValueError: set_num_interop_threads expects a positive integer, got 0
    """
    _threads["interop"] = _positive_int(n, "set_num_interop_threads")


@register("get_num_interop_threads", method=False, function=True)
def get_num_interop_threads() -> int:
    """The number given to `set_num_interop_threads` (1 before: ops run one after another).

    Examples
    --------
    >>> ln.get_num_interop_threads() >= 1
    True
    """
    return _threads["interop"] or 1


_PROFILES = {"default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
             "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
             "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80)}


@register("set_printoptions", method=False, function=True)
def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None) -> None:
    """``torch.set_printoptions``: how tensors print (autograd/printing.py reads these).

    ``precision`` digits (4), ``threshold`` entries above which a tensor is summarized (1000),
    ``edgeitems`` shown at each end of a summarized dim (3), ``linewidth`` characters per line
    (80); ``profile`` "default", "short" (precision 2, 2 edge items) or "full" (never
    summarize) sets all four first. ``sci_mode=True`` forces scientific notation, False fixed;
    None (also what every call without it sets, as PyTorch) lets each tensor choose. NumPy's own
    print options are not touched.

    Parameters
    ----------
    precision : int, optional
        Digits after the point.
    threshold : int or float, optional
        Entries above which a tensor prints summarized (``math.inf``: never).
    edgeitems : int, optional
        Entries shown at each end of a summarized axis.
    linewidth : int, optional
        Characters per line before wrapping.
    profile : {"default", "short", "full"}, optional
        Sets the four options above first; another name raises ValueError.
    sci_mode : bool or None, optional
        Force scientific (True) or fixed (False) notation; None lets each tensor choose.

    Examples
    --------
    >>> ln.set_printoptions(precision=2)
    >>> ln.tensor([1 / 3, 2 / 3])
    tensor([0.33, 0.67])
    >>> ln.set_printoptions(threshold=5, edgeitems=2)
    >>> ln.arange(10)
    tensor([0, 1,  ..., 8, 9])
    >>> ln.set_printoptions(profile="default")        # back to 4 digits, 1000 entries
    >>> ln.tensor([1 / 3])
    tensor([0.3333])
    """
    from .printing import PRINT_OPTS

    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: profile must be one of {sorted(_PROFILES)}, "
                             f"got {profile!r}")
        for name, value in _PROFILES[profile].items():
            setattr(PRINT_OPTS, name, value)
    given = dict(precision=precision, threshold=threshold, edgeitems=edgeitems,
                 linewidth=linewidth)
    for name, value in given.items():
        if value is not None:
            setattr(PRINT_OPTS, name, value)
    PRINT_OPTS.sci_mode = sci_mode


@register("get_default_device", method=False, function=True)
def get_default_device() -> device:
    """The device factories put new tensors on: always the CPU.

    Examples
    --------
    >>> ln.get_default_device()
    device(type='cpu')
    """
    return _CPU


@register("set_default_device", method=False, function=True)
def set_default_device(where) -> None:
    """Accepts the CPU (or None); any other device raises, as lucidnet runs on the CPU only.

    Parameters
    ----------
    where : device, str or None
        The device factories should use.

    Examples
    --------
    >>> ln.set_default_device("cpu")
    >>> ln.set_default_device("cuda")
    Traceback (most recent call last):
        ...
    RuntimeError: set_default_device(): cannot use device 'cuda'. lucidnet runs on the CPU only ...
    """
    check_device(where, "set_default_device()")


# ------------------------------------------------------------------ determinism switches
_settings = {"deterministic": False, "warn_only": False, "matmul_precision": "highest"}


@register("use_deterministic_algorithms", method=False, function=True)
def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Recorded (``are_deterministic_algorithms_enabled`` returns it) and otherwise a no-op:
    lucidnet's NumPy kernels are deterministic already.

    Parameters
    ----------
    mode : bool
        Whether to demand deterministic algorithms.
    warn_only : bool, optional
        PyTorch warns instead of raising for a non-deterministic op; recorded only.

    Examples
    --------
    >>> ln.use_deterministic_algorithms(True)
    >>> ln.are_deterministic_algorithms_enabled()
    True
    >>> ln.use_deterministic_algorithms(False)       # back to the default
    >>> ln.use_deterministic_algorithms("yes")
    Traceback (most recent call last):
        ...
    TypeError: use_deterministic_algorithms(mode, warn_only=...) takes bools, got mode='yes', ...
    """
    if not isinstance(mode, (bool, np.bool_)) or not isinstance(warn_only, (bool, np.bool_)):
        raise TypeError(f"use_deterministic_algorithms(mode, warn_only=...) takes bools, got "
                        f"mode={mode!r}, warn_only={warn_only!r}")
    _settings["deterministic"], _settings["warn_only"] = bool(mode), bool(warn_only)


@register("are_deterministic_algorithms_enabled", method=False, function=True)
def are_deterministic_algorithms_enabled() -> bool:
    """What `use_deterministic_algorithms` last set (False at first).

    Examples
    --------
    >>> ln.are_deterministic_algorithms_enabled()
    False
    """
    return _settings["deterministic"]


@register("is_deterministic_algorithms_warn_only_enabled", method=False, function=True)
def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """The ``warn_only`` flag `use_deterministic_algorithms` last set (False at first).

    Examples
    --------
    >>> ln.is_deterministic_algorithms_warn_only_enabled()
    False
    """
    return _settings["warn_only"]


@register("set_float32_matmul_precision", method=False, function=True)
def set_float32_matmul_precision(precision: str) -> None:
    """Recorded only ("highest", "high" or "medium"): NumPy's float32 matmul has one precision.

    Parameters
    ----------
    precision : {"highest", "high", "medium"}
        PyTorch's TF32 / bfloat16 switch; another value raises ValueError.

    Examples
    --------
    >>> ln.set_float32_matmul_precision("high")
    >>> ln.get_float32_matmul_precision()
    'high'
    >>> ln.set_float32_matmul_precision("highest")       # back to the default
    >>> ln.set_float32_matmul_precision("low")
    Traceback (most recent call last):
        ...
    ValueError: set_float32_matmul_precision: expected 'highest', 'high' or 'medium', got 'low'
    """
    if precision not in ("highest", "high", "medium"):
        raise ValueError(f"set_float32_matmul_precision: expected 'highest', 'high' or "
                         f"'medium', got {precision!r}")
    _settings["matmul_precision"] = precision


@register("get_float32_matmul_precision", method=False, function=True)
def get_float32_matmul_precision() -> str:
    """What `set_float32_matmul_precision` last set ("highest" at first).

    Examples
    --------
    >>> ln.get_float32_matmul_precision()
    'highest'
    """
    return _settings["matmul_precision"]
