"""``parameters_to_vector`` / ``vector_to_parameters`` (``torch.nn.utils``)."""

from __future__ import annotations

import numpy as np

from ...autograd.tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters) -> Tensor:
    """All parameters flattened and joined into one 1-D tensor (differentiable).

    ``vec = concat(p_1.reshape(-1), ..., p_k.reshape(-1))`` in the order given.

    Parameters
    ----------
    parameters : iterable of Tensor
        E.g. ``model.parameters()``.

    Returns
    -------
    Tensor
        1-D, of length ``sum(p.numel())``.

    Examples
    --------
    >>> from lucidnet.nn.utils import parameters_to_vector
    >>> parameters_to_vector(ln.nn.Linear(3, 2).parameters()).shape     # 6 weights + 2 biases
    torch.Size([8])
    """
    from ...autograd.ops.shape import Concatenate

    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    if not params:
        raise RuntimeError("parameters_to_vector: expected a non-empty list of Tensors")
    return Concatenate.apply(*[p.reshape(-1) for p in params], axis=0)


def vector_to_parameters(vec: Tensor, parameters) -> None:
    """Point each parameter's ``.data`` at its slice of ``vec`` (as PyTorch: they then share
    ``vec``'s memory).

    Parameter ``i`` takes ``vec[o_i : o_i + n_i].reshape(p_i.shape)``, ``o_i`` the total size of
    the parameters before it.

    Parameters
    ----------
    vec : Tensor
        1-D, of length ``sum(p.numel())``.
    parameters : iterable of Tensor
        The parameters to overwrite, in the order of `parameters_to_vector`.

    Examples
    --------
    >>> from lucidnet.nn.utils import vector_to_parameters
    >>> layer = ln.nn.Linear(2, 1)
    >>> vector_to_parameters(ln.tensor([1.0, 2.0, 3.0]), layer.parameters())
    >>> layer.weight, layer.bias
    (Parameter containing:
    tensor([[1., 2.]], requires_grad=True), Parameter containing:
    tensor([3.], requires_grad=True))
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    total = sum(int(np.prod(p.shape)) for p in params)
    if vec.ndim != 1 or vec.shape[0] != total:
        raise RuntimeError(f"vector_to_parameters: vec must be 1-D with {total} entries (the "
                           f"parameters' total), got shape {tuple(vec.shape)}")
    start = 0
    for p in params:
        n = int(np.prod(p.shape))
        p.data = vec.data[start:start + n].reshape(p.shape)
        start += n
