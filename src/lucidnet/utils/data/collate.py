"""Turn a list of samples into a batch, as ``torch.utils.data.default_collate`` does.

``default_collate`` looks at the first sample and recurses into its structure:

==========================  ==============================================================
sample element              batch element
==========================  ==============================================================
Tensor (shape S)            Tensor (B, *S): the samples stacked on a new first axis
NumPy array (S)             Tensor (B, *S) of the array's dtype
NumPy scalar                Tensor (B,) of its dtype
Python float                Tensor (B,) float64 (as PyTorch: not the default dtype)
Python int / bool           Tensor (B,) int64 / bool (a float among them: default dtype)
str / bytes                 the list of the B values
dict / Mapping              the same mapping, each key collated over the batch
namedtuple                  the same namedtuple, each field collated
tuple                       a *list*, each position collated (PyTorch's convention)
list / Sequence             the same sequence type, each position collated
==========================  ==============================================================

``default_convert`` (used when ``batch_size=None``: no batching) only turns NumPy arrays and
scalars into Tensors, through the same containers. ``collate(batch, collate_fn_map=...)`` is the
generic recursion; ``default_collate_fn_map`` maps element types to their batch functions and may be
extended for a custom type.
"""

from __future__ import annotations

import collections.abc
import copy
import re

import numpy as np

from ...autograd.tensor import Tensor, tensor

__all__ = ["collate", "default_collate", "default_convert", "default_collate_fn_map"]

np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}")


def _as_tensor(array) -> Tensor:
    """``torch.as_tensor`` for NumPy data: a Tensor over the same memory, same dtype."""
    return Tensor(np.asarray(array))


def default_convert(data):
    """Turn NumPy arrays and scalars into Tensors, inside mappings, namedtuples and sequences
    (a tuple becomes a list); everything else (Tensors included) is returned as it is.

    Parameters
    ----------
    data : object
        A sample or a batch.

    Examples
    --------
    >>> from lucidnet.utils.data import default_convert
    >>> default_convert([np.array([1, 2]), "a"])
    [tensor([1, 2]), 'a']
    """
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_", "bytes_"):
        if isinstance(data, np.ndarray) and np_str_obj_array_pattern.search(data.dtype.str):
            return data             # arrays of strings or objects stay NumPy
        return _as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)
                clone.update({key: default_convert(data[key]) for key in data})
                return clone
            return elem_type({key: default_convert(data[key]) for key in data})
        except TypeError:
            return {key: default_convert(data[key]) for key in data}
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                for i, d in enumerate(data):
                    clone[i] = default_convert(d)
                return clone
            return elem_type([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data


def collate(batch, *, collate_fn_map: dict | None = None):
    """Collate ``batch`` (a list of samples) by the structure of its first sample.

    An element whose type (or a base class, in the map's order) is in ``collate_fn_map`` goes
    to that function, ``fn(batch, collate_fn_map=...)``; mappings, namedtuples and sequences
    are collated per key / field / position. Anything else is a TypeError.

    Parameters
    ----------
    batch : list
        The samples, all of the first one's structure.
    collate_fn_map : dict, optional
        ``{type or tuple of types: fn}`` for the leaves (``default_collate_fn_map``: arrays,
        tensors, numbers, strings).

    Returns
    -------
    The batch, of the samples' structure with each leaf stacked (``(N, *leaf shape)``).

    Examples
    --------
    >>> from lucidnet.utils.data.collate import collate, default_collate_fn_map
    >>> collate([1, 2, 3], collate_fn_map=default_collate_fn_map)
    tensor([1, 2, 3])
    """
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        def per_key():
            return {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                    for key in elem}
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update(per_key())
                return clone
            return elem_type(per_key())
        except TypeError:
            return per_key()
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(collate(samples, collate_fn_map=collate_fn_map)
                           for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if not all(len(e) == size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))
        if isinstance(elem, tuple):
            return [collate(samples, collate_fn_map=collate_fn_map) for samples in transposed]
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, samples in enumerate(transposed):
                    clone[i] = collate(samples, collate_fn_map=collate_fn_map)
                return clone
            return elem_type([collate(samples, collate_fn_map=collate_fn_map)
                              for samples in transposed])
        except TypeError:
            return [collate(samples, collate_fn_map=collate_fn_map) for samples in transposed]
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def _stack_arrays(arrays: list) -> np.ndarray:
    shape = arrays[0].shape
    for i, a in enumerate(arrays):
        if a.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shape)} "
                               f"at entry 0 and {list(a.shape)} at entry {i}")
    return np.stack(arrays)


def collate_tensor_fn(batch, *, collate_fn_map=None) -> Tensor:
    """Tensors of one shape ``S`` -> one Tensor ``(B, *S)`` (differentiable when a sample
    requires grad, as ``torch.stack``)."""
    if any(t.requires_grad for t in batch):
        from ... import stack

        _stack_arrays([t.data for t in batch])  # the shape check, with PyTorch's message
        return stack(list(batch), 0)
    return Tensor(_stack_arrays([t.data for t in batch]))


def collate_numpy_array_fn(batch, *, collate_fn_map=None) -> Tensor:
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return Tensor(_stack_arrays([np.asarray(b) for b in batch]))


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None) -> Tensor:
    return _as_tensor(np.array(batch))


def collate_float_fn(batch, *, collate_fn_map=None) -> Tensor:
    return Tensor(np.array(batch, dtype=np.float64))


def collate_int_fn(batch, *, collate_fn_map=None) -> Tensor:
    return tensor(list(batch))      # ints -> int64, bools -> bool, a float among them -> default


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map: dict = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """Collate a list of samples into a batch as PyTorch's ``default_collate`` (table above).

    Samples ``s_1 .. s_N`` of one structure give that structure with each leaf stacked:
    arrays / tensors of shape S -> a tensor (N, *S); Python ints / floats -> an int64 / float64
    tensor (N,); strings -> a list.

    Parameters
    ----------
    batch : list
        The samples.

    Examples
    --------
    >>> from lucidnet.utils.data import default_collate
    >>> xb, yb = default_collate([(np.zeros(2), 0), (np.ones(2), 1)])
    >>> xb.shape, yb
    (torch.Size([2, 2]), tensor([0, 1]))
    >>> default_collate([{"x": 1.0}, {"x": 2.0}])
    {'x': tensor([1., 2.], dtype=torch.float64)}
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
