"""Fixed image kernels and ``apply_kernel``: what a convolution does before it learns.

A blur kernel averages a neighbourhood and smooths; an edge kernel (Sobel, Laplacian) responds
where intensity changes. ``apply_kernel`` slides a kernel over an image -- cross-correlation,
the operation every CNN layer computes -- through the same strided im2col op as ``nn.Conv2d``:

    out[i, j] = sum_{a, b} kernel[a, b] * image_padded[i + a, j + b]

A trained CNN learns its own kernels instead (compare with ``conv.weight`` after training).
"""

from __future__ import annotations

import numpy as np

from .autograd.ops.conv import Conv

__all__ = [
    "KERNELS",
    "apply_kernel",
    "box_blur",
    "gaussian",
    "get_kernel",
    "laplacian",
    "sharpen",
    "sobel_x",
    "sobel_y",
]


def box_blur(size: int = 3) -> np.ndarray:
    """Mean filter: every entry 1 / size^2.

    Examples
    --------
    >>> from lucidnet.kernels import box_blur
    >>> box_blur(3).sum()
    np.float64(1.0)
    """
    if not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(f"box_blur: size must be a positive integer, got {size!r}")
    return np.full((size, size), 1.0 / size ** 2)


def gaussian(size: int = 5, sigma: float = 1.0) -> np.ndarray:
    """Normalized Gaussian: exp(-(a^2 + b^2) / (2 sigma^2)) / sum, a, b centred offsets.

    Examples
    --------
    >>> from lucidnet.kernels import gaussian
    >>> k = gaussian(5, 1.0)
    >>> k.shape, round(float(k.sum()), 6), bool(k[2, 2] == k.max())
    ((5, 5), 1.0, True)
    """
    if not isinstance(size, (int, np.integer)) or size < 1 or size % 2 == 0:
        raise ValueError(f"gaussian: size must be a positive odd integer, got {size!r}")
    if not sigma > 0:
        raise ValueError(f"gaussian: sigma must be > 0, got {sigma!r}")
    r = np.arange(size) - size // 2
    g = np.exp(-(r[:, None] ** 2 + r[None, :] ** 2) / (2.0 * sigma ** 2))
    return g / g.sum()


def sharpen() -> np.ndarray:
    """Identity plus the negative Laplacian: boosts the centre against its 4 neighbours.

    Examples
    --------
    >>> from lucidnet.kernels import sharpen
    >>> sharpen()
    array([[ 0., -1.,  0.],
           [-1.,  5., -1.],
           [ 0., -1.,  0.]])
    """
    return np.array([[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]])


def sobel_x() -> np.ndarray:
    """Horizontal gradient (responds to vertical edges).

    Examples
    --------
    >>> from lucidnet.kernels import sobel_x
    >>> sobel_x()
    array([[-1.,  0.,  1.],
           [-2.,  0.,  2.],
           [-1.,  0.,  1.]])
    """
    return np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])


def sobel_y() -> np.ndarray:
    """Vertical gradient (responds to horizontal edges).

    Examples
    --------
    >>> from lucidnet.kernels import sobel_y
    >>> sobel_y()
    array([[-1., -2., -1.],
           [ 0.,  0.,  0.],
           [ 1.,  2.,  1.]])
    """
    return sobel_x().T.copy()


def laplacian() -> np.ndarray:
    """Second derivative, 4-neighbour: zero on flat and linear regions, large at edges.

    Examples
    --------
    >>> from lucidnet.kernels import laplacian
    >>> laplacian()
    array([[ 0.,  1.,  0.],
           [ 1., -4.,  1.],
           [ 0.,  1.,  0.]])
    """
    return np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])


KERNELS = {
    "blur": box_blur,
    "box": box_blur,
    "gaussian": gaussian,
    "sharpen": sharpen,
    "sobel_x": sobel_x,
    "sobel_y": sobel_y,
    "laplacian": laplacian,
}


def get_kernel(name: str, **kwargs) -> np.ndarray:
    """A kernel by name; the error lists the valid names.

    Examples
    --------
    >>> from lucidnet.kernels import get_kernel
    >>> get_kernel('box', size=2)
    array([[0.25, 0.25],
           [0.25, 0.25]])
    """
    try:
        make = KERNELS[name]
    except KeyError:
        raise ValueError(f"unknown kernel {name!r}; valid names: {', '.join(KERNELS)}") from None
    return make(**kwargs)


def apply_kernel(image, kernel, padding: str = "same") -> np.ndarray:
    """Cross-correlate a 2-D image (H, W) -- or a stack (..., H, W) -- with a 2-D kernel.

    ``kernel`` is an array or a name from `KERNELS`. ``padding="same"`` zero-pads so the output
    keeps the image size; ``"valid"`` keeps only positions where the kernel fits.

    Examples
    --------
    >>> from lucidnet.kernels import apply_kernel, sobel_x
    >>> image = np.array([[0.0, 0.0, 1.0, 1.0]] * 4)      # a vertical edge
    >>> apply_kernel(image, sobel_x(), padding='valid')
    array([[4., 4.],
           [4., 4.]])
    """
    kernel = get_kernel(kernel) if isinstance(kernel, str) else np.asarray(kernel, dtype=float)
    image = np.asarray(image)
    if kernel.ndim != 2:
        raise ValueError(f"apply_kernel: kernel must be 2-D (kh, kw), got shape {kernel.shape}")
    if image.ndim < 2:
        raise ValueError(f"apply_kernel: image must be (H, W) or (..., H, W), got {image.shape}")
    dtype = image.dtype if image.dtype.kind == "f" else np.dtype(np.float64)
    kh, kw = kernel.shape
    if padding == "same":
        pads = ((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2)
    elif padding == "valid":
        pads = ((0, 0), (0, 0))
    else:
        raise ValueError(f"apply_kernel: padding must be 'same' or 'valid', got {padding!r}")
    h, w = image.shape[-2:]
    if h + sum(pads[0]) < kh or w + sum(pads[1]) < kw:
        raise ValueError(f"apply_kernel: kernel {kernel.shape} is larger than the image {(h, w)}")
    batch = image.reshape(-1, 1, h, w).astype(dtype, copy=False)
    out = Conv.forward(_NoContext(), batch, kernel.astype(dtype)[None, None], None,
                       stride=(1, 1), padding=pads, dilation=(1, 1))
    return out.reshape(image.shape[:-2] + out.shape[-2:])


class _NoContext:
    """Stand-in context for a forward pass that will never be differentiated."""

    def save_for_backward(self, *arrays) -> None:
        pass
