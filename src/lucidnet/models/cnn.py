"""A small convolutional network builder.

    [Conv(k, padding k//2) -> (BatchNorm) -> ReLU -> MaxPool(2)] x len(channels)
    -> Flatten -> (Dropout) -> (Linear(hidden) -> ReLU -> (Dropout)) -> Linear(num_classes)

2-D for images (``image_size=(H, W)``), 1-D for signals (``image_size=L``, e.g. MNIST-1D).
A block pools only while the feature map is at least 2 long, so tiny inputs (8x8 digits)
can take several blocks.
"""

from __future__ import annotations

import numpy as np

from .. import nn

__all__ = ["CNN"]


def _positive(value, name):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"CNN: {name} must be a positive integer, got {value!r}")
    return int(value)


def CNN(in_channels: int, image_size, num_classes: int, channels=(16, 32), kernel_size: int = 3,
        batch_norm: bool = False, dropout: float = 0.0, hidden: int | None = None,
        pool: str = "max") -> nn.Sequential:
    """Build a Conv -> (BN) -> ReLU -> Pool stack and a linear classifier head.

    Parameters
    ----------
    in_channels : channels of the input (1 for grey images or signals).
    image_size : (H, W) for 2-D inputs (N, C, H, W); an int L for 1-D inputs (N, C, L).
    num_classes : outputs (logits; pair with ``nn.CrossEntropyLoss``).
    channels : output channels of each conv block.
    kernel_size : odd kernel size; padding kernel_size // 2 keeps the spatial size.
    batch_norm : BatchNorm after each convolution (its bias is then dropped, as usual).
    dropout : dropout rate before each linear layer of the head.
    hidden : width of an optional hidden dense layer in the head.
    pool : "max" or "avg".

    Examples
    --------
    >>> from lucidnet.models import CNN
    >>> net = CNN(1, (8, 8), num_classes=10, channels=(4,))
    >>> net(ln.ones(2, 1, 8, 8)).shape
    torch.Size([2, 10])
    """
    in_channels = _positive(in_channels, "in_channels")
    num_classes = _positive(num_classes, "num_classes")
    kernel_size = _positive(kernel_size, "kernel_size")
    if isinstance(image_size, (int, np.integer)):
        size, nd = [_positive(image_size, "image_size")], 1
    elif isinstance(image_size, (tuple, list)) and len(image_size) == 2:
        size, nd = [_positive(s, "image_size") for s in image_size], 2
    else:
        raise ValueError(f"CNN: image_size must be (H, W) for images or an int L for 1-D "
                         f"signals, got {image_size!r}")
    if isinstance(channels, (int, np.integer)):
        channels = (channels,)
    channels = tuple(_positive(c, "channels") for c in channels)
    if not channels:
        raise ValueError("CNN: channels must name at least one conv block")
    if pool not in ("max", "avg"):
        raise ValueError(f"CNN: pool must be 'max' or 'avg', got {pool!r}")
    Conv = nn.Conv2d if nd == 2 else nn.Conv1d
    Norm = nn.BatchNorm2d if nd == 2 else nn.BatchNorm1d
    Pool = {("max", 2): nn.MaxPool2d, ("max", 1): nn.MaxPool1d,
            ("avg", 2): nn.AvgPool2d, ("avg", 1): nn.AvgPool1d}[pool, nd]
    layers = []
    c_in = in_channels
    for c_out in channels:
        layers.append(Conv(c_in, c_out, kernel_size, padding=kernel_size // 2,
                           bias=not batch_norm))
        if batch_norm:
            layers.append(Norm(c_out))
        layers.append(nn.ReLU())
        if min(size) >= 2:
            layers.append(Pool(2))
            size = [s // 2 for s in size]
        c_in = c_out
    layers.append(nn.Flatten())
    features = c_in * int(np.prod(size))
    if hidden:
        if dropout:
            layers.append(nn.Dropout(dropout))
        layers += [nn.Linear(features, _positive(hidden, "hidden")), nn.ReLU()]
        features = hidden
    if dropout:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(features, num_classes))
    return nn.Sequential(*layers)
