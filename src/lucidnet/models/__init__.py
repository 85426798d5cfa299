"""Ready-made models: Rosenblatt's `Perceptron`, the `MLP` and `CNN` builders.

    MLP:  z(l) = W(l) a(l-1) + b(l),  a(l) = f(z(l))  for each hidden layer, then a linear
          output layer with the unit the task needs: none (regression / logits for
          CrossEntropyLoss), "sigmoid" (binary), "softmax" (multi-class probabilities).
"""

from __future__ import annotations

from itertools import pairwise

from .. import nn
from .cnn import CNN
from .perceptron import ConvergenceWarning, Perceptron

__all__ = ["CNN", "MLP", "OUTPUTS", "ConvergenceWarning", "Perceptron"]

OUTPUTS = {None: None, "linear": None, "identity": None, "sigmoid": "sigmoid",
           "softmax": "softmax"}


def MLP(in_features: int, hidden=(64,), out_features: int = 1, activation: str = "relu",
        output: str | None = None, dropout: float = 0.0, batch_norm: bool = False,
        init: str = "default") -> nn.Sequential:
    """Build Linear -> (BatchNorm1d) -> activation -> (Dropout) per hidden width, then
    Linear(out_features) and the optional output unit.

    ``activation`` and ``init`` are names from ``nn.ACTIVATIONS`` / ``nn.init.INITIALIZERS``
    ("default" keeps PyTorch's U(-1/sqrt(fan_in), 1/sqrt(fan_in)); any other initializer is
    applied to every weight, with biases set to zero).

    Examples
    --------
    >>> from lucidnet.models import MLP
    >>> net = MLP(4, hidden=(8,), out_features=3)
    >>> net
    Sequential(
      (0): Linear(in_features=4, out_features=8, bias=True)
      (1): ReLU()
      (2): Linear(in_features=8, out_features=3, bias=True)
    )
    >>> net(ln.ones(2, 4)).shape
    torch.Size([2, 3])
    """
    if output not in OUTPUTS:
        raise ValueError(f"MLP: output must be one of {list(OUTPUTS)}, got {output!r}")
    if isinstance(hidden, int):
        hidden = (hidden,)
    initializer = nn.init.get_initializer(init)
    nn.get_activation(activation)  # validate the name before building anything
    widths = [in_features, *hidden]
    layers = []
    for w_in, w_out in pairwise(widths):
        layers.append(nn.Linear(w_in, w_out))
        if batch_norm:
            layers.append(nn.BatchNorm1d(w_out))
        layers.append(nn.get_activation(activation))
        if dropout:
            layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(widths[-1], out_features))
    if OUTPUTS[output] == "sigmoid":
        layers.append(nn.Sigmoid())
    elif OUTPUTS[output] == "softmax":
        layers.append(nn.Softmax(dim=-1))
    model = nn.Sequential(*layers)
    if initializer is not None:
        for m in model.modules():
            if isinstance(m, nn.Linear):
                initializer(m.weight)
                nn.init.zeros_(m.bias)
    return model
