"""On-the-fly data augmentation and input noise injection.

Augmentation trains on random label-preserving variations of each input (a digit rotated by a
few degrees is still that digit), a fresh one every epoch: the model sees more varied data and
overfits less. Input noise injection (adding small Gaussian noise to the inputs) is a related
regularizer: it makes the model insensitive to tiny input changes, like a penalty on its
gradient with respect to the input.

Every transform is a callable ``t(batch) -> batch`` on float arrays shaped (N, C, H, W) or
(N, H, W), with its own seeded generator (``seed`` argument; ``state_dict`` for checkpoints),
drawing one random parameter per sample and applied to the whole batch in a few vectorized NumPy
calls: rotation, zoom and shear are one affine resampling (bilinear or nearest), elastic
distortion one per-pixel resampling of smoothed random displacement fields, crop one gather.

Pixels that come from outside the image (rotation corners, zoom-out and crop borders) get
``fill``: ``"min"`` (the default) is each image's own per-channel minimum, i.e. the background
of dark-background images in any units. This matters because the CLI augments *standardized*
batches, where black is ``-mean/std`` (about -0.8 on digits), not 0: a constant ``fill=0.0``
paints grey frames and corners that never occur in real data. ``"edge"`` repeats the border
pixels; a number is used as is (e.g. ``0.0`` for raw images in [0, 1]).
``build_augmentation("rotate=15,flip,crop=2,noise=0.1")`` builds a :class:`Compose` from the
CLI's ``--augment`` string. Text (token-list) augmentation lives in ``lucidnet.data.text``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from ._common import make_rng, rng_state, set_rng_state

__all__ = [
    "AUGMENTATIONS",
    "ColorJitter",
    "Compose",
    "ElasticDistortion",
    "GaussianNoise",
    "RandomCrop",
    "RandomHorizontalFlip",
    "RandomRotation",
    "RandomScale",
    "RandomShear",
    "RandomVerticalFlip",
    "RandomZoom",
    "Transform",
    "build_augmentation",
    "pad_images",
    "sample_images",
]


def _check_float(x, name: str, min_ndim: int = 2) -> np.ndarray:
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"{name} expects a floating batch, got dtype {x.dtype}; "
                        "convert with x.astype(np.float32)")
    if x.ndim < min_ndim:
        hint = "; flat inputs need Compose(..., image_shape=(C, H, W))" if min_ndim >= 3 else ""
        raise ValueError(f"{name} expects a batch with at least {min_ndim} dims (N, ...), "
                         f"got shape {x.shape}{hint}")
    return x


def _as_nchw(x, name: str) -> tuple[np.ndarray, bool]:
    """View (N, H, W) as (N, 1, H, W); returns the 4-D array and whether a channel was added."""
    x = _check_float(x, name, 1)
    if x.ndim == 3:
        return x[:, None], True
    if x.ndim == 4:
        return x, False
    raise ValueError(f"{name} expects images (N, C, H, W) or (N, H, W), got shape {x.shape}; "
                     "flat inputs need Compose(..., image_shape=(C, H, W))")


FILLS = ("min", "edge")


def _check_fill(fill) -> float | str:
    if isinstance(fill, str):
        if fill not in FILLS:
            raise ValueError(f"fill must be a number or one of {FILLS}, got {fill!r}")
        return fill
    if isinstance(fill, bool) or not isinstance(fill, (int, float, np.integer, np.floating)):
        raise TypeError(f"fill must be a number or one of {FILLS}, got {type(fill).__name__}")
    if not math.isfinite(fill):
        raise ValueError(f"fill must be finite, got {fill!r}")
    return float(fill)


def pad_images(x: np.ndarray, p: int, fill: float | str = "min") -> np.ndarray:
    """Pad (N, C, H, W) by ``p`` pixels on each side with ``fill``: a number, ``"min"`` (each
    image's per-channel minimum) or ``"edge"`` (repeat the border pixels).

    Returns an array of shape ``(N, C, H + 2p, W + 2p)`` and ``x``'s dtype.

    Examples
    --------
    >>> from lucidnet.data.augment import pad_images
    >>> x = np.arange(4.0).reshape(1, 1, 2, 2)
    >>> pad_images(x, 1, fill=0.0)[0, 0]
    array([[0., 0., 0., 0.],
           [0., 0., 1., 0.],
           [0., 2., 3., 0.],
           [0., 0., 0., 0.]])
    >>> pad_images(x, 1, fill="edge")[0, 0]
    array([[0., 0., 1., 1.],
           [0., 0., 1., 1.],
           [2., 2., 3., 3.],
           [2., 2., 3., 3.]])
    """
    fill = _check_fill(fill)
    widths = ((0, 0), (0, 0), (p, p), (p, p))
    if fill == "edge":
        return np.pad(x, widths, mode="edge")
    if fill == "min":
        n, ch, h, w = x.shape
        out = np.empty((n, ch, h + 2 * p, w + 2 * p), dtype=x.dtype)
        out[...] = x.min(axis=(2, 3), keepdims=True)
        out[:, :, p:p + h, p:p + w] = x
        return out
    return np.pad(x, widths, constant_values=fill)


class Transform:
    """Base class of the random transforms: ``t(batch) -> batch`` with its own generator.

    Subclasses implement ``__call__``. The generator is seeded by ``seed`` (an int, a
    ``numpy.random.Generator``, or ``None`` to draw a seed from lucidnet's global generator, so
    ``lucidnet.manual_seed`` governs it); :meth:`state_dict` / :meth:`load_state_dict` save and
    restore it, so a resumed training run augments exactly as the uninterrupted one would.

    Parameters
    ----------
    seed : int, numpy.random.Generator or None

    Examples
    --------
    >>> from lucidnet.data import Transform
    >>> class Negate(Transform):
    ...     def __call__(self, batch):
    ...         return -batch
    >>> Negate()(np.array([[1.0, -2.0]]))
    array([[-1.,  2.]])
    """

    def __init__(self, seed: int | np.random.Generator | None = None) -> None:
        self.rng = make_rng(seed)

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def state_dict(self) -> dict:
        """JSON-able state: ``{"rng": <generator state>}``."""
        return {"rng": rng_state(self.rng)}

    def load_state_dict(self, state: dict) -> None:
        """Restore the generator from :meth:`state_dict`: the next batches are transformed as
        they were after the state was saved."""
        set_rng_state(self.rng, state["rng"])

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if k != "rng")
        return f"{type(self).__name__}({args})"


class Compose(Transform):
    """Apply transforms in order. With ``image_shape=(C, H, W)`` flat (N, C*H*W) batches are
    viewed as images for the transforms and flattened back afterwards.

    Parameters
    ----------
    transforms : sequence of callables
        Each ``t(batch) -> batch``; its ``state_dict`` (if any) is part of this one's.
    image_shape : (int, int, int), optional
        The ``(C, H, W)`` shape of one image when batches arrive flat.

    Examples
    --------
    >>> from lucidnet.data import Compose, GaussianNoise, RandomHorizontalFlip
    >>> flip_all = Compose([RandomHorizontalFlip(p=1.0)], image_shape=(1, 2, 3))
    >>> flip_all(np.arange(6.0).reshape(1, 6))
    array([[2., 1., 0., 5., 4., 3.]])
    >>> aug = Compose([RandomHorizontalFlip(seed=0), GaussianNoise(0.1, seed=1)])
    >>> batch = np.zeros((4, 1, 3, 3), dtype=np.float32)
    >>> state = aug.state_dict()
    >>> first = aug(batch)
    >>> aug.load_state_dict(state)           # replay the same random draws
    >>> np.array_equal(aug(batch), first)
    True
    """

    def __init__(self, transforms: Sequence[Callable[[np.ndarray], np.ndarray]],
                 image_shape: Sequence[int] | None = None) -> None:
        self.transforms = list(transforms)
        for t in self.transforms:
            if not callable(t):
                raise TypeError(f"Compose expects callables, got {t!r}")
        self.image_shape = None if image_shape is None else tuple(int(s) for s in image_shape)

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        flat = self.image_shape is not None and np.ndim(batch) == 2
        if flat:
            if batch.shape[1] != math.prod(self.image_shape):
                raise ValueError(f"batch of {batch.shape[1]} features does not match "
                                 f"image_shape {self.image_shape}")
            batch = batch.reshape(batch.shape[0], *self.image_shape)
        for t in self.transforms:
            batch = t(batch)
        return batch.reshape(batch.shape[0], -1) if flat else batch

    def state_dict(self) -> dict:
        """``{"transforms": [state of each transform, or None for one without state]}``."""
        return {"transforms": [t.state_dict() if hasattr(t, "state_dict") else None
                               for t in self.transforms]}

    def load_state_dict(self, state: dict) -> None:
        """Restore every transform from :meth:`state_dict` (same number of transforms)."""
        states = state["transforms"]
        if len(states) != len(self.transforms):
            raise ValueError(f"state has {len(states)} transforms, this Compose has "
                             f"{len(self.transforms)}")
        for t, s in zip(self.transforms, states):
            if s is not None:
                t.load_state_dict(s)

    def __len__(self) -> int:
        return len(self.transforms)

    def __repr__(self) -> str:
        return f"Compose({self.transforms!r})"


# --------------------------------------------------------------------------- affine resampling
def affine_resample(x: np.ndarray, inv: np.ndarray, mode: str = "bilinear",
                    fill: float | str = "min") -> np.ndarray:
    """Warp each image of ``x`` (N, C, H, W) about its centre.

    ``inv`` (N, 2, 2) maps output (row, col) offsets from the centre to input offsets:
    ``out[n, :, p] = x[n, :, c + inv[n] (p - c)]``, sampled bilinearly (or nearest), ``fill``
    outside the image (a number, ``"min"`` or ``"edge"``; see the module docstring). The image
    gets a one-pixel ``fill`` border and source coordinates are clamped onto it, so off-image
    samples read ``fill`` with no masks; each of the four corners is then one flat ``take`` for
    the whole batch.
    """
    if mode not in ("bilinear", "nearest"):
        raise ValueError(f"mode must be 'bilinear' or 'nearest', got {mode!r}")
    n, _, h, w = x.shape
    ctype = x.dtype if x.dtype in (np.float32, np.float64) else np.float64
    cy, cx = (h - 1) / 2.0, (w - 1) / 2.0
    gy, gx = np.meshgrid(np.arange(h, dtype=ctype) - cy, np.arange(w, dtype=ctype) - cx,
                         indexing="ij")
    inv = inv.astype(ctype)
    sy = inv[:, 0, 0, None, None] * gy + inv[:, 0, 1, None, None] * gx + cy
    sx = inv[:, 1, 0, None, None] * gy + inv[:, 1, 1, None, None] * gx + cx
    return sample_images(x, sy, sx, mode, fill)


def sample_images(x: np.ndarray, sy: np.ndarray, sx: np.ndarray, mode: str = "bilinear",
                  fill: float | str = "min") -> np.ndarray:
    """``out[n, :, i, j] = x[n, :, sy[n, i, j], sx[n, i, j]]`` for (N, H, W) source coordinates
    (pixel units, any real values), sampled bilinearly (or nearest), ``fill`` off the image.

    The image gets a one-pixel ``fill`` border and source coordinates are clamped onto it, so
    off-image samples read ``fill`` with no masks; each of the four corners is then one flat
    ``take`` for the whole batch. Shared by :func:`affine_resample` and
    :class:`ElasticDistortion`.

    Examples
    --------
    Every output pixel read from source pixel (0, 0):

    >>> from lucidnet.data.augment import sample_images
    >>> x = np.arange(4.0).reshape(1, 1, 2, 2) + 1
    >>> sample_images(x, np.zeros((1, 2, 2)), np.zeros((1, 2, 2)), mode="nearest")[0, 0]
    array([[1., 1.],
           [1., 1.]])
    """
    if mode not in ("bilinear", "nearest"):
        raise ValueError(f"mode must be 'bilinear' or 'nearest', got {mode!r}")
    n, ch, h, w = x.shape
    hp, wp = h + 2, w + 2
    # (N*Hp*Wp, C) rows: one gather fetches every channel of a pixel
    padded = pad_images(x, 1, fill)
    rows = padded.transpose(0, 2, 3, 1).reshape(n * hp * wp, ch)
    # source coordinates in the padded frame, clamped onto the fill border
    sy = np.clip(sy + 1, 0, hp - 1)
    sx = np.clip(sx + 1, 0, wp - 1)
    base = (np.arange(n) * (hp * wp))[:, None, None]
    if mode == "nearest":
        idx = base + np.rint(sy).astype(np.intp) * wp + np.rint(sx).astype(np.intp)
        out = rows.take(idx.ravel(), axis=0)
    else:
        y0 = np.minimum(sy.astype(np.intp), hp - 2)  # floor: coordinates are >= 0 here
        x0 = np.minimum(sx.astype(np.intp), wp - 2)
        wy = (sy - y0).reshape(-1, 1)
        wx = (sx - x0).reshape(-1, 1)
        i00 = (base + y0 * wp + x0).ravel()
        top = rows.take(i00, axis=0) * (1 - wx) + rows.take(i00 + 1, axis=0) * wx
        bottom = rows.take(i00 + wp, axis=0) * (1 - wx) + rows.take(i00 + wp + 1, axis=0) * wx
        out = top * (1 - wy) + bottom * wy
    return np.ascontiguousarray(out.reshape(n, h, w, ch).transpose(0, 3, 1, 2)).astype(
        x.dtype, copy=False)


class _RandomAffine(Transform):
    def __init__(self, mode: str, fill: float | str, seed) -> None:
        super().__init__(seed)
        if mode not in ("bilinear", "nearest"):
            raise ValueError(f"mode must be 'bilinear' or 'nearest', got {mode!r}")
        self.mode, self.fill = mode, _check_fill(fill)

    def _inverse_maps(self, n: int) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        x, added = _as_nchw(batch, type(self).__name__)
        out = affine_resample(x, self._inverse_maps(x.shape[0]), self.mode, self.fill)
        return out[:, 0] if added else out


def _range(value, name: str, centre: float | None = None, low: float = -math.inf):
    """A (lo, hi) range from a scalar half-width (around ``centre``) or a pair."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"{name} must be >= 0, got {value!r}")
        lo, hi = (-value, value) if centre is None else (centre - value, centre + value)
    else:
        try:
            lo, hi = (float(v) for v in value)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a number or a (min, max) pair, got {value!r}") from None
    if not lo <= hi or lo < low:
        raise ValueError(f"{name} range ({lo}, {hi}) must satisfy {low} <= min <= max")
    return float(lo), float(hi)


class RandomRotation(_RandomAffine):
    """Rotate each image by an angle drawn uniformly from ``[-degrees, degrees]`` (or a
    ``(min, max)`` pair) about its centre; positive = counter-clockwise on screen.

    Accepts (N, C, H, W) or (N, H, W) float batches. ``mode`` is ``"bilinear"`` or
    ``"nearest"``; ``fill`` (a number, ``"min"`` or ``"edge"``) paints the corners that come
    from outside the image.

    Examples
    --------
    >>> from lucidnet.data import RandomRotation
    >>> x = np.arange(9, dtype=np.float32).reshape(1, 3, 3)
    >>> RandomRotation(degrees=(90, 90), mode="nearest")(x)[0]
    array([[2., 5., 8.],
           [1., 4., 7.],
           [0., 3., 6.]], dtype=float32)
    """

    def __init__(self, degrees: float | tuple[float, float], mode: str = "bilinear",
                 fill: float | str = "min", seed: int | None = None) -> None:
        super().__init__(mode, fill, seed)
        self.degrees = _range(degrees, "degrees")

    def _inverse_maps(self, n):
        theta = np.deg2rad(self.rng.uniform(*self.degrees, size=n))
        c, s = np.cos(theta), np.sin(theta)
        # output offset p = R p_in in (row, col) with rows pointing down; inverse is R^T
        return np.stack([np.stack([c, s], -1), np.stack([-s, c], -1)], 1)


class RandomZoom(_RandomAffine):
    """Scale each image about its centre by a factor drawn uniformly from ``scale``
    (``(0.9, 1.1)``, or a scalar ``z`` meaning ``(1 - z, 1 + z)``); > 1 zooms in.

    ``RandomScale`` is the same class. ``mode`` and ``fill`` as :class:`RandomRotation`.

    Examples
    --------
    >>> from lucidnet.data import RandomZoom
    >>> x = np.arange(16, dtype=np.float32).reshape(1, 4, 4)
    >>> RandomZoom(scale=(2, 2), mode="nearest")(x)[0]      # the central 2x2, doubled
    array([[ 5.,  5.,  6.,  6.],
           [ 5.,  5.,  6.,  6.],
           [ 9.,  9., 10., 10.],
           [ 9.,  9., 10., 10.]], dtype=float32)
    """

    def __init__(self, scale: float | tuple[float, float] = (0.9, 1.1), mode: str = "bilinear",
                 fill: float | str = "min", seed: int | None = None) -> None:
        super().__init__(mode, fill, seed)
        self.scale = _range(scale, "scale", centre=1.0)
        if self.scale[0] <= 0:
            raise ValueError(f"scale factors must be > 0, got range {self.scale}")

    def _inverse_maps(self, n):
        inv = 1.0 / self.rng.uniform(*self.scale, size=n)
        return inv[:, None, None] * np.eye(2)


RandomScale = RandomZoom


class RandomShear(_RandomAffine):
    """Shear (slant) each image about its centre by an angle drawn uniformly from
    ``[-degrees, degrees]`` (or a ``(min, max)`` pair), ``|degrees| < 90``.

    ``axis="x"`` (default, handwriting slant): ``col_out = col_in - tan(phi) * row_in`` with rows
    pointing down and offsets from the centre, so a positive angle leans the top of the image to
    the right; ``axis="y"`` shears rows instead (``row_out = row_in - tan(phi) * col_in``).
    ``mode`` and ``fill`` as :class:`RandomRotation`.

    Examples
    --------
    >>> from lucidnet.data import RandomShear
    >>> x = np.arange(9, dtype=np.float32).reshape(1, 3, 3)
    >>> RandomShear(degrees=(45, 45), mode="nearest", fill=0.0)(x)[0]
    array([[0., 0., 1.],
           [3., 4., 5.],
           [7., 8., 0.]], dtype=float32)
    """

    def __init__(self, degrees: float | tuple[float, float], axis: str = "x",
                 mode: str = "bilinear", fill: float | str = "min", seed: int | None = None) -> None:
        super().__init__(mode, fill, seed)
        self.degrees = _range(degrees, "degrees")
        if not -90 < self.degrees[0] <= self.degrees[1] < 90:
            raise ValueError(f"shear degrees must lie strictly inside (-90, 90), got {self.degrees}")
        if axis not in ("x", "y"):
            raise ValueError(f"axis must be 'x' or 'y', got {axis!r}")
        self.axis = axis

    def _inverse_maps(self, n):
        k = np.tan(np.deg2rad(self.rng.uniform(*self.degrees, size=n)))
        inv = np.broadcast_to(np.eye(2), (n, 2, 2)).copy()
        if self.axis == "x":
            inv[:, 1, 0] = k   # col_in = col_out + k * row_out
        else:
            inv[:, 0, 1] = k   # row_in = row_out + k * col_out
        return inv


def _gaussian_smooth(f: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian blur over the last two axes of ``f`` (kernel normalized to 1, radius
    ``ceil(3 sigma)``, symmetric boundary: scipy's ``gaussian_filter`` ``mode="reflect"``)."""
    r = max(1, math.ceil(3 * sigma))
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    k /= k.sum()
    for axis in (-2, -1):
        widths = [(0, 0)] * f.ndim
        widths[axis] = (r, r)
        p = np.pad(f, widths, mode="symmetric")
        size = f.shape[axis]
        f = sum(k[i] * np.take(p, np.arange(i, i + size), axis=axis) for i in range(2 * r + 1))
    return f


class ElasticDistortion(Transform):
    """Elastic distortion (Simard, Steinkraus & Platt 2003): a smooth random warp per image.

    Per image, a displacement field ``(dy, dx) = alpha * G_sigma * U(-1, 1)`` (uniform noise per
    pixel, smoothed by a normalized Gaussian of std ``sigma`` pixels, separable, in NumPy) moves
    each output pixel's source: ``out[i, j] = x[i + dy[i, j], j + dx[i, j]]``, sampled bilinearly
    (or nearest), ``fill`` off the image. ``alpha=0`` is the identity. Simard used
    ``alpha=34, sigma=4`` on 28x28 MNIST; 8x8 digits need a few pixels' worth, e.g. ``(8, 1.5)``.

    Examples
    --------
    >>> from lucidnet.data import ElasticDistortion
    >>> batch = np.random.default_rng(0).random((4, 1, 8, 8)).astype(np.float32)
    >>> warp = ElasticDistortion(alpha=8, sigma=1.5, seed=0)
    >>> out = warp(batch)
    >>> out.shape, out.dtype
    ((4, 1, 8, 8), dtype('float32'))
    >>> np.allclose(ElasticDistortion(alpha=0, sigma=1.0)(batch), batch)   # alpha 0: identity
    True
    """

    def __init__(self, alpha: float, sigma: float, mode: str = "bilinear",
                 fill: float | str = "min", seed: int | None = None) -> None:
        super().__init__(seed)
        for name, v, lo in (("alpha", alpha, "0"), ("sigma", sigma, "0 (exclusive)")):
            if (isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating))
                    or not math.isfinite(v)):
                raise ValueError(f"{name} must be a finite number >= {lo}, got {v!r}")
        if alpha < 0:
            raise ValueError(f"alpha must be a finite number >= 0, got {alpha!r}")
        if not sigma > 0:
            raise ValueError(f"sigma must be a finite number > 0, got {sigma!r}")
        if mode not in ("bilinear", "nearest"):
            raise ValueError(f"mode must be 'bilinear' or 'nearest', got {mode!r}")
        self.alpha, self.sigma = float(alpha), float(sigma)
        self.mode, self.fill = mode, _check_fill(fill)

    def fields(self, n: int, h: int, w: int) -> np.ndarray:
        """Draw ``n`` displacement fields (n, 2, h, w) in pixels: [:, 0] rows, [:, 1] cols."""
        noise = self.rng.uniform(-1.0, 1.0, size=(n, 2, h, w))
        return self.alpha * _gaussian_smooth(noise, self.sigma)

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        x, added = _as_nchw(batch, "ElasticDistortion")
        n, _, h, w = x.shape
        d = self.fields(n, h, w)
        ctype = x.dtype if x.dtype in (np.float32, np.float64) else np.float64
        gy, gx = np.meshgrid(np.arange(h, dtype=ctype), np.arange(w, dtype=ctype), indexing="ij")
        out = sample_images(x, gy + d[:, 0].astype(ctype), gx + d[:, 1].astype(ctype),
                            self.mode, self.fill)
        return out[:, 0] if added else out


class RandomHorizontalFlip(Transform):
    """Mirror each sample left-right (last axis) with probability ``p``.

    Needs image batches (N, H, W) or (N, C, H, W); flat batches go through
    ``Compose(..., image_shape=...)``. Only for data whose mirror image has the same label
    (photos of objects; not digits or text).

    Examples
    --------
    >>> from lucidnet.data import RandomHorizontalFlip
    >>> RandomHorizontalFlip(p=1.0)(np.arange(6.0).reshape(1, 2, 3))
    array([[[2., 1., 0.],
            [5., 4., 3.]]])
    """

    axis = -1

    def __init__(self, p: float = 0.5, seed: int | None = None) -> None:
        super().__init__(seed)
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p must be a probability in [0, 1], got {p!r}")
        self.p = float(p)

    def __call__(self, batch):
        # a flat (N, H*W) image flipped along its last axis would be turned by 180 degrees
        x = _check_float(batch, type(self).__name__, 3)
        flip = self.rng.random(x.shape[0]) < self.p
        out = x.copy()
        out[flip] = np.flip(x[flip], axis=self.axis)
        return out


class RandomVerticalFlip(RandomHorizontalFlip):
    """Mirror each image top-bottom (axis -2) with probability ``p``.

    Examples
    --------
    >>> from lucidnet.data import RandomVerticalFlip
    >>> RandomVerticalFlip(p=1.0)(np.arange(6.0).reshape(1, 2, 3))
    array([[[3., 4., 5.],
            [0., 1., 2.]]])
    """

    axis = -2


class ColorJitter(Transform):
    """Random brightness and contrast per image.

    ``x <- b x`` with ``b ~ U[max(0, 1 - brightness), 1 + brightness]``, then
    ``x <- m + c (x - m)`` with ``m`` the image mean and ``c ~ U[max(0, 1 - contrast), 1 + contrast]``;
    ``clip=(lo, hi)`` clamps the result (e.g. (0, 1) for images in that range).

    Examples
    --------
    >>> from lucidnet.data import ColorJitter
    >>> batch = np.random.default_rng(0).random((4, 1, 8, 8)).astype(np.float32)
    >>> out = ColorJitter(brightness=0.5, contrast=0.3, clip=(0, 1), seed=0)(batch)
    >>> out.shape, bool(out.min() >= 0), bool(out.max() <= 1)
    ((4, 1, 8, 8), True, True)
    >>> np.allclose(ColorJitter()(batch), batch)                # 0 and 0: identity
    True
    """

    def __init__(self, brightness: float = 0.0, contrast: float = 0.0,
                 clip: tuple[float, float] | None = None, seed: int | None = None) -> None:
        super().__init__(seed)
        for name, v in (("brightness", brightness), ("contrast", contrast)):
            if not isinstance(v, (int, float, np.floating)) or v < 0:
                raise ValueError(f"{name} must be a number >= 0, got {v!r}")
        self.brightness, self.contrast, self.clip = float(brightness), float(contrast), clip

    def __call__(self, batch):
        x = _check_float(batch, "ColorJitter")
        n = x.shape[0]
        if x.size == 0:
            return x.copy()
        shape = (n,) + (1,) * (x.ndim - 1)
        b = self.rng.uniform(max(0.0, 1 - self.brightness), 1 + self.brightness, n)
        c = self.rng.uniform(max(0.0, 1 - self.contrast), 1 + self.contrast, n)
        out = x * b.reshape(shape).astype(x.dtype)
        mean = out.reshape(n, -1).mean(axis=1).reshape(shape)
        out = mean + c.reshape(shape).astype(x.dtype) * (out - mean)
        if self.clip is not None:
            np.clip(out, self.clip[0], self.clip[1], out=out)
        return out


class RandomCrop(Transform):
    """Pad by ``padding`` (``fill``: a number, ``"min"`` or ``"edge"``) then cut a random ``size``
    window from each image. ``size=None`` keeps the input size, i.e. a random shift of
    up to ``padding``.

    Examples
    --------
    >>> from lucidnet.data import RandomCrop
    >>> batch = np.random.default_rng(0).random((4, 1, 8, 8)).astype(np.float32)
    >>> RandomCrop(padding=2, seed=0)(batch).shape           # shifted by up to 2 pixels
    (4, 1, 8, 8)
    >>> RandomCrop(size=6, seed=0)(batch).shape
    (4, 1, 6, 6)
    """

    def __init__(self, size: int | tuple[int, int] | None = None, padding: int = 0,
                 fill: float | str = "min", seed: int | None = None) -> None:
        super().__init__(seed)
        if isinstance(padding, bool) or not isinstance(padding, (int, np.integer)) or padding < 0:
            raise ValueError(f"padding must be an integer >= 0, got {padding!r}")
        if size is not None:
            size = (size, size) if isinstance(size, (int, np.integer)) else tuple(size)
            if len(size) != 2 or min(size) < 1:
                raise ValueError(f"size must be a positive int or (height, width), got {size!r}")
        self.size, self.padding, self.fill = size, int(padding), _check_fill(fill)

    def __call__(self, batch):
        x, added = _as_nchw(batch, "RandomCrop")
        n, _, h, w = x.shape
        ch, cw = self.size or (h, w)
        p = self.padding
        if p:
            x = pad_images(x, p, self.fill)
        hp, wp = h + 2 * p, w + 2 * p
        if ch > hp or cw > wp:
            raise ValueError(f"crop size {(ch, cw)} exceeds the padded image {(hp, wp)}")
        oy = self.rng.integers(0, hp - ch + 1, n)
        ox = self.rng.integers(0, wp - cw + 1, n)
        rows = (oy[:, None] + np.arange(ch))[:, :, None]   # (N, ch, 1)
        cols = (ox[:, None] + np.arange(cw))[:, None, :]   # (N, 1, cw)
        out = x.transpose(0, 2, 3, 1)[np.arange(n)[:, None, None], rows, cols]  # (N, ch, cw, C)
        out = np.ascontiguousarray(out.transpose(0, 3, 1, 2))
        return out[:, 0] if added else out


class GaussianNoise(Transform):
    """Input noise injection ``x + std * N(0, 1)`` on any batch shape (fresh noise per call).

    Examples
    --------
    >>> from lucidnet.data import GaussianNoise
    >>> noisy = GaussianNoise(std=0.1, seed=0)(np.zeros(1000, dtype=np.float32))
    >>> noisy.dtype, round(float(noisy.std()), 1)
    (dtype('float32'), 0.1)
    """

    def __init__(self, std: float = 0.1, seed: int | None = None) -> None:
        super().__init__(seed)
        if not isinstance(std, (int, float, np.floating)) or not std >= 0:
            raise ValueError(f"std must be a number >= 0, got {std!r}")
        self.std = float(std)

    def __call__(self, batch):
        x = _check_float(batch, "GaussianNoise", 1)
        dtype = x.dtype if x.dtype in (np.float32, np.float64) else np.float64
        return (x + self.std * self.rng.standard_normal(x.shape, dtype=dtype)).astype(x.dtype)


# --------------------------------------------------------------------------- spec-string registry
def _n_values(name, values, allowed):
    if len(values) not in allowed:
        want = " or ".join(str(a) for a in allowed)
        raise ValueError(f"augmentation {name!r} takes {want} value(s), got {len(values)}: "
                         f"{':'.join(str(v) for v in values)}")


def _build_rotate(v, seed):
    _n_values("rotate", v, (1, 2))
    return RandomRotation(v[0] if len(v) == 1 else tuple(v), seed=seed)


def _build_flip(cls, name):
    def build(v, seed):
        _n_values(name, v, (0, 1))
        return cls(v[0] if v else 0.5, seed=seed)
    return build


def _build_zoom(v, seed):
    _n_values("zoom", v, (1, 2))
    return RandomZoom(v[0] if len(v) == 1 else tuple(v), seed=seed)


def _build_shear(v, seed):
    _n_values("shear", v, (1, 2))
    return RandomShear(v[0] if len(v) == 1 else tuple(v), seed=seed)


def _build_elastic(v, seed):
    _n_values("elastic", v, (2,))
    return ElasticDistortion(v[0], v[1], seed=seed)


def _build_jitter(v, seed):
    _n_values("jitter", v, (1, 2))
    return ColorJitter(v[0], v[-1], seed=seed)


def _build_crop(v, seed):
    _n_values("crop", v, (1, 2))
    if any(float(a) != int(a) for a in v):
        raise ValueError(f"crop takes integers PAD[:SIZE], got {v}")
    return RandomCrop(int(v[1]) if len(v) == 2 else None, padding=int(v[0]), seed=seed)


def _build_noise(v, seed):
    _n_values("noise", v, (1,))
    return GaussianNoise(v[0], seed=seed)


AUGMENTATIONS: dict[str, tuple[Callable, str]] = {
    "rotate": (_build_rotate, "rotate=DEG or rotate=MIN:MAX  -> RandomRotation"),
    "flip": (_build_flip(RandomHorizontalFlip, "flip"), "flip[=P]  -> RandomHorizontalFlip (P=0.5)"),
    "hflip": (_build_flip(RandomHorizontalFlip, "hflip"), "hflip[=P] -> RandomHorizontalFlip"),
    "vflip": (_build_flip(RandomVerticalFlip, "vflip"), "vflip[=P] -> RandomVerticalFlip"),
    "zoom": (_build_zoom, "zoom=Z (1-Z..1+Z) or zoom=LO:HI -> RandomZoom"),
    "scale": (_build_zoom, "scale=Z or scale=LO:HI -> RandomZoom"),
    "shear": (_build_shear, "shear=DEG or shear=MIN:MAX -> RandomShear (horizontal slant)"),
    "elastic": (_build_elastic, "elastic=ALPHA:SIGMA -> ElasticDistortion (Simard et al. 2003)"),
    "jitter": (_build_jitter, "jitter=B[:C] -> ColorJitter(brightness=B, contrast=C (=B))"),
    "brightness": (lambda v, s: (_n_values("brightness", v, (1,)), ColorJitter(v[0], 0, seed=s))[1],
                   "brightness=B -> ColorJitter(brightness=B)"),
    "contrast": (lambda v, s: (_n_values("contrast", v, (1,)), ColorJitter(0, v[0], seed=s))[1],
                 "contrast=C -> ColorJitter(contrast=C)"),
    "crop": (_build_crop, "crop=PAD[:SIZE] -> RandomCrop(size=SIZE or input size, padding=PAD)"),
    "noise": (_build_noise, "noise=STD -> GaussianNoise (input noise injection)"),
}


def build_augmentation(spec: str | None, seed: int | None = None,
                       image_shape: Sequence[int] | None = None) -> Compose:
    """Parse an augmentation spec string into a :class:`Compose` (for ``--augment``).

    Grammar: ``ITEM[,ITEM...]`` with ``ITEM = NAME[=VALUE[:VALUE]]``, applied left to right;
    spaces are ignored; ``""``/``"none"`` gives the identity. Names (see ``AUGMENTATIONS``):
    rotate=DEG | rotate=MIN:MAX, flip[=P] | hflip[=P], vflip[=P], zoom=Z | zoom=LO:HI (alias
    scale), shear=DEG | shear=MIN:MAX, elastic=ALPHA:SIGMA, jitter=B[:C], brightness=B, contrast=C, crop=PAD[:SIZE], noise=STD.
    Example: ``"rotate=15,flip,crop=2,noise=0.1"``. Each transform gets its own stream spawned
    from ``seed`` (None: from lucidnet's global generator). ``image_shape=(C, H, W)`` lets the
    result act on flat (N, C*H*W) batches.

    Examples
    --------
    >>> from lucidnet.data import build_augmentation
    >>> aug = build_augmentation("rotate=15,flip,noise=0.1", seed=0)
    >>> aug
    Compose([RandomRotation(mode='bilinear', fill='min', degrees=(-15.0, 15.0)), RandomHorizontalFlip(p=0.5), GaussianNoise(std=0.1)])
    >>> aug(np.zeros((2, 1, 8, 8), dtype=np.float32)).shape
    (2, 1, 8, 8)
    >>> len(build_augmentation("none"))
    0
    """
    items = [] if spec is None else [s.strip() for s in str(spec).replace(" ", "").split(",")]
    items = [s for s in items if s]
    if items == ["none"]:
        items = []
    seeds = (np.random.SeedSequence(seed).spawn(len(items)) if seed is not None
             else [None] * len(items))
    transforms = []
    for item, ss in zip(items, seeds):
        name, _, raw = item.partition("=")
        name = name.lower()
        if name not in AUGMENTATIONS:
            raise ValueError(f"unknown augmentation {name!r} in {spec!r}; valid names: "
                             f"{', '.join(AUGMENTATIONS)}")
        try:
            values = [float(v) for v in raw.split(":")] if raw else []
        except ValueError:
            raise ValueError(f"augmentation {item!r}: values must be numbers; usage: "
                             f"{AUGMENTATIONS[name][1]}") from None
        if not all(math.isfinite(v) for v in values):
            raise ValueError(f"augmentation {item!r}: values must be finite")
        rng = None if ss is None else np.random.default_rng(ss)
        try:
            transforms.append(AUGMENTATIONS[name][0](values, rng))
        except ValueError as exc:
            raise ValueError(f"augmentation {item!r}: {exc}; usage: {AUGMENTATIONS[name][1]}") from None
    return Compose(transforms, image_shape=image_shape)
