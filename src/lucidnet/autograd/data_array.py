"""`DataArray`: the NumPy array behind a parameter's ``.data`` and a ``.grad``, with PyTorch's methods.

In PyTorch ``p.data`` is a tensor that shares ``p``'s memory and that autograd does not track, so
tutorials initialise and update weights through it::

    net[0].weight.data.normal_(0, 0.01)          # d2l
    m.bias.data.zero_()                          # init_weights() of many models
    w1.data -= learning_rate * w1.grad.data      # pre-1.0 tutorials
    w1.grad.data.zero_()

In lucidnet ``t.data`` is the NumPy array itself (the engine computes on it directly). For the
arrays users reach through ``.data`` -- those of Parameters and of gradients -- that array is a
`DataArray`: a plain ``ndarray`` (every NumPy method and operator unchanged) that also answers the
Tensor methods NumPy lacks (``normal_``, ``zero_``, ``fill_``, ``add_``, ``copy_``, ``norm``,
``clone``, ...) and prints as a tensor. The methods run on a tensor view of the same memory,
outside the graph (as PyTorch's ``.data``): an in-place method changes the array and returns it;
any other returns its result as a `DataArray` too (``w.data *= w.data.abs() >= 5`` stays NumPy).

Where NumPy already has a method of the same name, NumPy's wins (``.data.sum(0)``, ``.data.max()``,
``.data.size`` is an int, ``.data.view`` takes a dtype): use the tensor itself for PyTorch's
versions (``with torch.no_grad(): p.view(-1)``).

Speed: ``__array_priority__ = -1`` makes a plain array win the output type of any NumPy operation
with one, so ``x @ W.T + b`` on a batch returns a plain array and the subclass never spreads into
the computation (a subclass output costs NumPy a few hundred nanoseconds more per operation).
"""

from __future__ import annotations

import numpy as np

__all__ = ["DataArray", "as_data_array"]


class DataArray(np.ndarray):
    """An ndarray that also takes Tensor methods (see the module docstring).

    What ``p.data`` and ``p.grad.data`` are for a Parameter ``p``: NumPy methods and operators
    work unchanged; a name NumPy lacks runs the Tensor method of that name on the same memory,
    outside the graph (in-place ones return the array itself); it prints as a tensor.

    Examples
    --------
    >>> p = ln.nn.Parameter(ln.ones(3))
    >>> p.data.fill_(2.0)                       # in place, through .data, as in PyTorch
    tensor([2., 2., 2.])
    >>> p.data.norm(), p.data.sum()              # Tensor's norm; NumPy's sum
    (tensor(3.4641), tensor(6.))
    >>> _ = p.data.zero_(); p
    Parameter containing:
    tensor([0., 0., 0.], requires_grad=True)
    """

    __array_priority__ = -1.0

    def __repr__(self) -> str:
        # prints as the tensor PyTorch's .data is: print(p.data), print(true_b - b.data)
        from .tensor import Tensor

        return repr(Tensor._wrap(self.view(np.ndarray)))

    __str__ = __repr__

    @property
    def data(self) -> DataArray:
        """The array itself, as ``t.data.data`` is the tensor's data in PyTorch (NumPy's buffer
        object stays reachable as ``memoryview(a)``)."""
        return self

    def __getitem__(self, index):
        # one element is a 0-d DataArray, as PyTorch's p.data[0] is a 0-d tensor (prints so)
        item = super().__getitem__(index)
        return item if isinstance(item, np.ndarray) else np.asarray(item).view(DataArray)

    def __getattr__(self, name):
        # called only for names ndarray does not have: offer the Tensor method of that name
        from .tensor import Tensor, no_grad

        method = getattr(Tensor, name, None)
        if name.startswith("_") or not callable(method):
            raise AttributeError(
                f"'{type(self).__name__}' object has no attribute {name!r}: in lucidnet `.data` "
                "is the tensor's NumPy array (PyTorch's is a tensor); use the tensor itself, "
                "under `with torch.no_grad():` if it must stay out of the graph"
            )
        plain = self.view(np.ndarray)

        def call(*args, **kwargs):
            view = Tensor._wrap(plain)
            with no_grad():
                result = method(view, *args, **kwargs)
            if result is view:
                return self
            # a tensor result comes back as an array too, so it can go back into .data
            return result.data.view(DataArray) if isinstance(result, Tensor) else result

        call.__name__ = name
        call.__doc__ = method.__doc__
        return call


def as_data_array(array: np.ndarray) -> np.ndarray:
    """``array`` viewed as a `DataArray` (no copy); any other object is returned unchanged.

    Parameters
    ----------
    array : numpy.ndarray or object
        A plain ndarray (a subclass, e.g. a DataArray already, or a non-array stays as it is).

    Examples
    --------
    >>> from lucidnet.autograd.data_array import as_data_array
    >>> a = np.arange(3.0)
    >>> v = as_data_array(a)
    >>> type(v).__name__, np.shares_memory(a, v), as_data_array(5)
    ('DataArray', True, 5)
    >>> _ = v.add_(1); a                        # a Tensor method, in a's memory
    array([1., 2., 3.])
    """
    if type(array) is np.ndarray:
        return array.view(DataArray)
    return array
