"""Local replacements for what the compat programs would download or draw (CI has no network
and no display).

Images: the MNIST test digits in /work/shared/data/mnist-t10k (IDX files, read with NumPy) when
that folder is there and ``COMPAT_SYNTHETIC_DIGITS`` is not set; otherwise made-up 28x28 digits
(a fixed random template per class, plus noise). ``FashionMNIST`` hands out the same digits.
``CIFAR10`` is always made up: 32x32 colour pictures, one tint and template per class.

Both runs of a program (PyTorch and lucidnet) read the same arrays. Tensors are built with the
framework that ``COMPAT_FRAMEWORK`` names (the harness sets it), through ``from_numpy``.
"""

from __future__ import annotations

import gzip
import importlib
import os
from functools import cache
from pathlib import Path

import numpy as np

# how many samples each split holds (kept small: every program runs in seconds)
SPLITS = {
    ("FashionMNIST", True): (0, 640), ("FashionMNIST", False): (8000, 320),
    ("CIFAR10", True): (0, 400), ("CIFAR10", False): (800, 200),
}


def _tensor_lib():
    return importlib.import_module(os.environ.get("COMPAT_FRAMEWORK", "torch"))


def _idx_array(path: Path) -> np.ndarray:
    """An IDX file: 2 zero bytes, a type byte, a rank byte, big-endian int32 extents, data."""
    blob = gzip.decompress(path.read_bytes())
    rank = blob[3]
    extents = np.frombuffer(blob, ">i4", count=rank, offset=4)
    return np.frombuffer(blob, np.uint8, offset=4 + 4 * rank).reshape(tuple(extents))


def _mnist_folder() -> Path | None:
    if os.environ.get("COMPAT_SYNTHETIC_DIGITS"):
        return None
    repo_shared = Path(__file__).resolve().parents[4] / "shared" / "data" / "mnist-t10k"
    for folder in (repo_shared, Path("/work/shared/data/mnist-t10k")):
        if (folder / "t10k-labels-idx1-ubyte.gz").exists():
            return folder
    return None


def _made_up(seed: int, count: int, shape: tuple, tint_range=None):
    """``count`` uint8 pictures of ``shape``: a class template (a random on/off mask, tinted
    per class when ``tint_range`` is given) over uniform noise; labels int64 in [0, 10)."""
    gen = np.random.default_rng(seed)
    masks = gen.random((10, *shape)) < 0.28
    ink = np.full((10,) + (1,) * len(shape), 190.0)
    if tint_range is not None:
        ink = gen.integers(*tint_range, size=(10,) + (1,) * (len(shape) - 1) + (shape[-1],))
    labels = gen.integers(0, 10, count)
    pictures = gen.random((count, *shape)) * 80 + masks[labels] * ink[labels]
    return np.clip(pictures, 0, 255).astype(np.uint8), labels.astype(np.int64)


@cache
def _pool(kind: str) -> tuple[np.ndarray, np.ndarray]:
    """All pictures and labels of ``kind``: "digits" (28x28) or "colour" (32x32x3)."""
    if kind == "colour":
        return _made_up(97, 1000, (32, 32, 3), tint_range=(50, 256))
    folder = _mnist_folder()
    if folder is None:
        return _made_up(31, 10000, (28, 28))
    return (_idx_array(folder / "t10k-images-idx3-ubyte.gz"),
            _idx_array(folder / "t10k-labels-idx1-ubyte.gz").astype(np.int64))


# ---------------------------------------------------------------- transforms (torchvision's)

class ToTensor:
    """uint8 (H, W) or (H, W, C) -> float32 (C, H, W) scaled to [0, 1]."""

    def __call__(self, picture):
        planes = picture[None] if picture.ndim == 2 else np.moveaxis(picture, -1, 0)
        return _tensor_lib().from_numpy(np.ascontiguousarray(planes, np.float32) / 255)


class Normalize:
    """(x - mean[c]) / std[c] for each channel c."""

    def __init__(self, mean, std):
        self.mean = np.float32(mean).reshape(-1, 1, 1)
        self.std = np.float32(std).reshape(-1, 1, 1)

    def __call__(self, t):
        return _tensor_lib().from_numpy((t.numpy() - self.mean) / self.std)


class Compose:
    def __init__(self, steps):
        self.steps = list(steps)

    def __call__(self, x):
        for f in self.steps:
            x = f(x)
        return x


class transforms:  # noqa: N801 - named as torchvision's module
    ToTensor, Normalize, Compose = ToTensor, Normalize, Compose


# ---------------------------------------------------------------- data sets (torchvision's)

class _Split:
    """``ds[i] -> (transform(picture), target_transform(int label))`` over one split."""

    kind = "FashionMNIST"

    def __init__(self, root=None, train=True, download=False, transform=None,
                 target_transform=None):
        first, size = SPLITS[self.kind, bool(train)]
        pictures, labels = _pool("colour" if self.kind == "CIFAR10" else "digits")
        self.data = pictures[first:first + size]
        self.targets = labels[first:first + size]
        self.transform, self.target_transform = transform, target_transform

    def __len__(self):
        return len(self.data)

    def __getitem__(self, i):
        picture, label = self.data[i], int(self.targets[i])
        if self.transform is not None:
            picture = self.transform(picture)
        if self.target_transform is not None:
            label = self.target_transform(label)
        return picture, label


class datasets:  # noqa: N801 - named as torchvision's module
    class FashionMNIST(_Split):
        kind = "FashionMNIST"

    class CIFAR10(_Split):
        kind = "CIFAR10"


def mnist_pickle(n_train: int = 1000, n_valid: int = 500):
    """The ``((x_train, y_train), (x_valid, y_valid), (x_test, y_test))`` of the pickled MNIST
    file: x float32 (n, 784) in [0, 1], y int64; the test part is ``(None, None)``."""
    pictures, labels = _pool("digits")
    flat = pictures.reshape(-1, 784).astype(np.float32) / 255
    valid = slice(8000, 8000 + n_valid)
    return (flat[:n_train], labels[:n_train]), (flat[valid], labels[valid]), (None, None)


# ---------------------------------------------------------------- showing pictures

class utils:  # noqa: N801 - named as torchvision's module
    @staticmethod
    def make_grid(batch, nrow: int = 8, **kwargs):
        """The first picture of the batch (only shown, never compared)."""
        return batch[0]


class _Canvas:
    def add_subplot(self, *args, **kwargs):
        return None


class plt:  # noqa: N801 - matplotlib.pyplot, drawing nothing
    @staticmethod
    def figure(*args, **kwargs):
        return _Canvas()

    imshow = title = axis = show = staticmethod(lambda *args, **kwargs: None)
