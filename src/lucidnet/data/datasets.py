"""Datasets: bundled (scikit-learn), generated toy sets, MNIST-1D, IDX (MNIST) and CSV files.

``load_dataset(name, **kw)`` looks a name up in ``DATASETS`` and returns a :class:`Dataset`.
Inputs are float32 ``(n_samples, n_features)`` -- image data stays flat, ``image_shape`` tells
how to view it as (C, H, W) -- targets int64 class indices (classification) or float32
(regression). Nothing here downloads or unpickles anything.
"""

from __future__ import annotations

import csv
import functools
import gzip
import inspect
import io
import math
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .._validation import check_int, check_real
from ._common import make_rng

__all__ = [
    "DATASETS",
    "Dataset",
    "load_csv",
    "load_dataset",
    "load_idx",
    "load_mnist",
    "load_mnist1d",
    "make_circles",
    "make_logic_gate",
    "make_moons",
    "make_spirals",
]


@dataclass(repr=False)
class Dataset:
    """A dataset in memory.

    ``X`` float32 (n, n_features); ``y`` int64 class indices in ``[0, n_classes)`` or float32
    regression targets; ``image_shape`` e.g. ``(1, 8, 8)`` so ``X.reshape(-1, *image_shape)`` is
    NCHW (None for tabular data). ``X_test`` / ``y_test`` hold a held-out split when the dataset
    defines one (MNIST-1D: 4,000 train in ``X``/``y``, 1,000 test), else None.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features), float32
    y : ndarray of shape (n_samples,)
        int64 class indices, or float32 regression targets (empty for a features-only table).
    task : {"classification", "regression"}
    n_classes : int or None
    feature_names : list of str
    target_names : list of str or None
        The name of each class index.
    image_shape : tuple of int or None
    description, name : str
    X_test, y_test : ndarray or None

    Examples
    --------
    >>> from lucidnet.data import make_logic_gate
    >>> ds = make_logic_gate("xor")
    >>> ds
    Dataset(name='xor', task='classification', X=(4, 2), n_classes=2, image_shape=None)
    >>> ds.X, ds.y
    (array([[0., 0.],
           [0., 1.],
           [1., 0.],
           [1., 1.]], dtype=float32), array([0, 1, 1, 0]))
    >>> ds.n_samples, ds.n_features
    (4, 2)
    """

    X: np.ndarray
    y: np.ndarray
    task: str
    n_classes: int | None = None
    feature_names: list[str] = field(default_factory=list)
    target_names: list[str] | None = None
    image_shape: tuple[int, ...] | None = None
    description: str = ""
    X_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    name: str = ""

    @property
    def n_samples(self) -> int:
        """Number of samples (rows of ``X``; the test split is not counted)."""
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        """Number of input features (columns of ``X``; ``C*H*W`` for images)."""
        return int(self.X.shape[1])

    def images(self, X: np.ndarray | None = None) -> np.ndarray:
        """``X`` (or the given array) viewed as (N, *image_shape), e.g. NCHW for a CNN.

        Raises ``ValueError`` for tabular data (``image_shape`` is None)."""
        if self.image_shape is None:
            raise ValueError(f"dataset {self.name!r} is tabular (image_shape is None)")
        X = self.X if X is None else X
        return X.reshape(-1, *self.image_shape)

    def __repr__(self) -> str:
        test = "" if self.X_test is None else f", n_test={self.X_test.shape[0]}"
        return (f"Dataset(name={self.name!r}, task={self.task!r}, X={self.X.shape}, "
                f"n_classes={self.n_classes}, image_shape={self.image_shape}{test})")


def _classification(X, y, **kw) -> Dataset:
    y = np.asarray(y).astype(np.int64)
    n_classes = kw.pop("n_classes", None) or int(y.max()) + 1
    X = np.asarray(X, dtype=np.float32)
    kw.setdefault("feature_names", [f"x{i}" for i in range(X.shape[1])])
    return Dataset(X, y, "classification", n_classes, **kw)


# --------------------------------------------------------------------------- generated toy sets
_GATES = {"and": (0, 0, 0, 1), "or": (0, 1, 1, 1), "xor": (0, 1, 1, 0)}
_CORNERS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)


def make_logic_gate(gate: str = "xor", n_samples: int | None = None, noise: float | None = None,
                    seed: int | None = None) -> Dataset:
    """The AND / OR / XOR truth table on {0,1}^2.

    ``n_samples=None``: the 4 corners (plus Gaussian noise if ``noise`` > 0). ``n_samples=k``:
    k points, corners used in turn (balanced) in shuffled order, with noise std ``noise``
    (default 0.1) -- a noisy, non-trivial version of the same problem.

    XOR is the classic problem a single linear unit (perceptron) cannot solve: its two classes
    are not separable by a line, while one hidden layer suffices.

    Examples
    --------
    >>> from lucidnet.data import make_logic_gate
    >>> make_logic_gate("and").y
    array([0, 0, 0, 1])
    >>> noisy = make_logic_gate("xor", n_samples=8, seed=0)
    >>> noisy.X.shape, np.bincount(noisy.y).tolist()
    ((8, 2), [4, 4])
    """
    if gate not in _GATES:
        raise ValueError(f"unknown gate {gate!r}; valid: {', '.join(_GATES)}")
    truth = np.array(_GATES[gate], dtype=np.int64)
    rng = make_rng(seed)
    if n_samples is None:
        corner = np.arange(4)
        noise = 0.0 if noise is None else noise
    else:
        check_int("make_logic_gate", "n_samples", n_samples, low=1)
        corner = rng.permutation(np.arange(n_samples) % 4)
        noise = 0.1 if noise is None else noise
    check_real("make_logic_gate", "noise", noise, low=0.0)
    X = _CORNERS[corner] + noise * rng.standard_normal((len(corner), 2))
    return _classification(X, truth[corner], n_classes=2, target_names=["0", "1"], name=gate,
                           description=f"{gate.upper()} truth table on {{0,1}}^2"
                           + (f", {len(corner)} noisy samples (std {noise})" if noise else ""))


def make_moons(n_samples: int = 200, noise: float = 0.1, seed: int | None = None) -> Dataset:
    """Two interleaving half circles (as ``sklearn.datasets.make_moons``), 2 classes.

    ``n_samples // 2`` points on the upper half of the unit circle (class 0) and the rest on a
    lower half circle shifted by ``(1, -0.5)`` (class 1), shuffled, plus Gaussian noise of std
    ``noise``: a small 2-D problem that needs a non-linear decision boundary.

    Examples
    --------
    >>> from lucidnet.data import make_moons
    >>> moons = make_moons(n_samples=100, noise=0.1, seed=0)
    >>> moons.X.shape, np.bincount(moons.y).tolist()
    ((100, 2), [50, 50])
    """
    check_int("make_moons", "n_samples", n_samples, low=2)
    check_real("make_moons", "noise", noise, low=0.0)
    rng = make_rng(seed)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.concatenate([np.stack([np.cos(t_out), np.sin(t_out)], 1),
                        np.stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5], 1)])
    y = np.repeat([0, 1], [n_out, n_in])
    perm = rng.permutation(n_samples)
    X = X[perm] + noise * rng.standard_normal((n_samples, 2))
    return _classification(X, y[perm], n_classes=2, target_names=["outer", "inner"], name="moons",
                           description=f"two moons, {n_samples} samples, noise {noise}")


def make_circles(n_samples: int = 200, noise: float = 0.05, factor: float = 0.5,
                 seed: int | None = None) -> Dataset:
    """A small circle (radius ``factor``, class 1) inside a unit circle (class 0).

    Points evenly spaced on each circle, shuffled, plus Gaussian noise of std ``noise``
    (as ``sklearn.datasets.make_circles``); no line separates the classes, a feature like
    ``x1² + x2²`` does.

    Examples
    --------
    >>> from lucidnet.data import make_circles
    >>> circles = make_circles(n_samples=50, seed=0)
    >>> circles.X.shape, np.bincount(circles.y).tolist()
    ((50, 2), [25, 25])
    """
    check_int("make_circles", "n_samples", n_samples, low=2)
    check_real("make_circles", "noise", noise, low=0.0)
    check_real("make_circles", "factor", factor, low=0.0, low_open=True, high=1.0)
    rng = make_rng(seed)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.concatenate([np.stack([np.cos(t_out), np.sin(t_out)], 1),
                        factor * np.stack([np.cos(t_in), np.sin(t_in)], 1)])
    y = np.repeat([0, 1], [n_out, n_in])
    perm = rng.permutation(n_samples)
    X = X[perm] + noise * rng.standard_normal((n_samples, 2))
    return _classification(X, y[perm], n_classes=2, target_names=["outer", "inner"],
                           name="circles", description=f"two circles, {n_samples} samples, "
                           f"noise {noise}, factor {factor}")


def make_spirals(n_samples: int = 300, n_arms: int = 2, noise: float = 0.2,
                 seed: int | None = None) -> Dataset:
    """``n_arms`` interleaved spirals, one class per arm (CS231n's toy set).

    Arm j: radius ``r`` from 0 to 1, angle ``4 j + 4 r`` (radians) plus N(0, noise^2), point
    ``(r sin t, r cos t)``; samples are split between arms as evenly as possible, shuffled.

    Examples
    --------
    >>> from lucidnet.data import make_spirals
    >>> spirals = make_spirals(n_samples=90, n_arms=3, seed=0)
    >>> spirals.n_classes, np.bincount(spirals.y).tolist()
    (3, [30, 30, 30])
    """
    check_int("make_spirals", "n_arms", n_arms, low=2)
    check_int("make_spirals", "n_samples", n_samples, low=n_arms)
    check_real("make_spirals", "noise", noise, low=0.0)
    rng = make_rng(seed)
    counts = np.full(n_arms, n_samples // n_arms)
    counts[:n_samples % n_arms] += 1
    y = np.repeat(np.arange(n_arms), counts)
    r = np.concatenate([np.linspace(0.0, 1.0, c) for c in counts])
    t = 4.0 * y + 4.0 * r + noise * rng.standard_normal(n_samples)
    X = np.stack([r * np.sin(t), r * np.cos(t)], 1)
    perm = rng.permutation(n_samples)
    return _classification(X[perm], y[perm], n_classes=n_arms,
                           target_names=[f"arm{j}" for j in range(n_arms)], name="spirals",
                           description=f"{n_arms} spirals, {n_samples} samples, noise {noise}")


# --------------------------------------------------------------------------- scikit-learn bundles
_SKLEARN = {
    "digits": ("load_digits", (1, 8, 8), "8x8 handwritten digits (UCI), pixels 0..16, 10 classes"),
    "iris": ("load_iris", None, "Fisher's iris: 4 measurements, 3 species"),
    "wine": ("load_wine", None, "UCI wine: 13 chemical features, 3 cultivars"),
    "breast_cancer": ("load_breast_cancer", None,
                      "Wisconsin diagnostic breast cancer: 30 features, malignant/benign"),
    "diabetes": ("load_diabetes", None,
                 "diabetes progression (regression): 10 scaled features, target in 25..346"),
}


def _load_sklearn(name: str) -> Dataset:
    import sklearn.datasets  # lazy: `import lucidnet` needs NumPy alone

    fn, image_shape, description = _SKLEARN[name]
    bunch = getattr(sklearn.datasets, fn)()
    names = getattr(bunch, "feature_names", None)
    if names is None or len(names) == 0:
        names = [f"x{i}" for i in range(bunch.data.shape[1])]
    features = [str(f) for f in names]
    if name == "diabetes":
        return Dataset(bunch.data.astype(np.float32), bunch.target.astype(np.float32), "regression",
                       None, features, None, None, description, name=name)
    names = [str(t) for t in bunch.target_names]
    return _classification(bunch.data, bunch.target, n_classes=len(names), feature_names=features,
                           target_names=names, image_shape=image_shape, description=description,
                           name=name)


# --------------------------------------------------------------------------- MNIST-1D
@functools.lru_cache(maxsize=1)
def _mnist1d_arrays():
    import random

    from mnist1d.data import get_dataset_args, make_dataset

    # make_dataset reseeds Python's and NumPy's global generators; put them back afterwards
    py_state, np_state = random.getstate(), np.random.get_state()
    try:
        data = make_dataset(get_dataset_args())  # the offline generator, never the download path
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)
    return (data["x"].astype(np.float32), data["y"].astype(np.int64),
            data["x_test"].astype(np.float32), data["y_test"].astype(np.int64))


def load_mnist1d() -> Dataset:
    """MNIST-1D (Greydanus 2020) from its deterministic generator: 4,000 train + 1,000 test.

    ``X``/``y`` are the package's train part, ``X_test``/``y_test`` its test part; signals of
    length 40 (``image_shape=(1, 40)``), 10 classes. Generated once per process (a few
    seconds), cached. MNIST-1D is small enough to train on a laptop CPU in seconds, yet (unlike
    the 8x8 digits) it separates models: a CNN clearly beats an MLP, a linear model fails.

    Examples
    --------
    The example is not run by the test suite (generating the set takes several seconds):

    >>> from lucidnet.data import load_mnist1d
    >>> load_mnist1d()                                          # doctest: +SKIP
    Dataset(name='mnist1d', task='classification', X=(4000, 40), n_classes=10, image_shape=(1, 40), n_test=1000)
    """
    X, y, Xt, yt = (a.copy() for a in _mnist1d_arrays())
    return Dataset(X, y, "classification", 10, [f"t{i}" for i in range(X.shape[1])],
                   [str(i) for i in range(10)], (1, 40),
                   "MNIST-1D: 1-D digit templates, shifted, scaled, sheared and noised (seed 42)",
                   X_test=Xt, y_test=yt, name="mnist1d")


# --------------------------------------------------------------------------- IDX / MNIST files
_IDX_DTYPES = {0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"),
               0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def _read_bytes(path) -> bytes:
    with open(path, "rb") as fh:
        raw = fh.read()
    if raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise ValueError(f"{path}: corrupt or truncated gzip stream ({exc})") from None
    return raw


def load_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (the MNIST format), raw or gzip-compressed, into a NumPy array.

    Header: two zero bytes, a dtype code (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
    0x0D float32, 0x0E float64), the number of dimensions, then each dimension as a big-endian
    uint32; the data follow, big-endian, C order. Any mismatch raises ValueError with the reason.

    Returns the array in native byte order with the file's shape and dtype.

    Examples
    --------
    >>> import struct
    >>> from lucidnet.data import load_idx
    >>> header = struct.pack(">HBBI", 0, 0x08, 1, 3)         # uint8, 1 dimension of size 3
    >>> with open("labels.idx", "wb") as f:
    ...     _ = f.write(header + bytes([7, 1, 4]))
    >>> load_idx("labels.idx")
    array([7, 1, 4], dtype=uint8)
    """
    raw = _read_bytes(path)
    if len(raw) < 4:
        raise ValueError(f"{path}: not an IDX file: {len(raw)} bytes, shorter than the 4-byte magic")
    zero, code, ndim = struct.unpack(">HBB", raw[:4])
    magic = struct.unpack(">I", raw[:4])[0]
    if zero != 0 or code not in _IDX_DTYPES or ndim == 0:
        raise ValueError(f"{path}: bad magic number {magic} (0x{magic:08X}); an IDX file starts "
                         "with 0x0000, a dtype code in {0x08,0x09,0x0B,0x0C,0x0D,0x0E} and ndim >= 1 "
                         "(MNIST images: 2051, labels: 2049)")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: truncated header: {ndim} dimensions need {header} bytes, "
                         f"file has {len(raw)}")
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = _IDX_DTYPES[code]
    expected = math.prod(dims) * dtype.itemsize
    got = len(raw) - header
    if got < expected:
        raise ValueError(f"{path}: truncated data: shape {dims} of {dtype.name} needs {expected} "
                         f"bytes, file has {got}")
    if got > expected:
        raise ValueError(f"{path}: {got - expected} unexpected trailing bytes after shape {dims}")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(dims).astype(dtype.newbyteorder("="))


def load_mnist(images_path: str | os.PathLike, labels_path: str | os.PathLike,
               normalize: bool = True) -> Dataset:
    """MNIST-format images + labels (IDX, .gz or raw) as a flat float32 Dataset.

    Images must have magic 2051 (uint8, 3-D), labels 2049 (uint8, 1-D), with the same count.
    ``X`` is (N, rows*cols), divided by 255 when ``normalize`` (else 0..255);
    ``image_shape = (1, rows, cols)``; ``n_classes`` is 10.

    Examples
    --------
    Two 2x3 images and their labels, written in the MNIST format:

    >>> import struct
    >>> from lucidnet.data import load_mnist
    >>> with open("images.idx", "wb") as f:
    ...     _ = f.write(struct.pack(">HBBIII", 0, 0x08, 3, 2, 2, 3) + bytes(range(12)))
    >>> with open("labels.idx", "wb") as f:
    ...     _ = f.write(struct.pack(">HBBI", 0, 0x08, 1, 2) + bytes([7, 1]))
    >>> mnist = load_mnist("images.idx", "labels.idx")
    >>> mnist
    Dataset(name='mnist', task='classification', X=(2, 6), n_classes=10, image_shape=(1, 2, 3))
    >>> mnist.y, mnist.images().shape
    (array([7, 1]), (2, 1, 2, 3))
    """
    images, labels = load_idx(images_path), load_idx(labels_path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(f"{images_path}: expected an MNIST image file (magic 2051: uint8, 3-D), got "
                         f"{images.dtype} with shape {images.shape}")
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise ValueError(f"{labels_path}: expected an MNIST label file (magic 2049: uint8, 1-D), got "
                         f"{labels.dtype} with shape {labels.shape}")
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"count mismatch: {images_path} has {images.shape[0]} images but "
                         f"{labels_path} has {labels.shape[0]} labels")
    if labels.size and labels.max() > 9:
        raise ValueError(f"{labels_path}: labels must be digits 0..9, found {labels.max()}")
    n, rows, cols = images.shape
    X = images.reshape(n, rows * cols).astype(np.float32)
    if normalize:
        X /= 255.0
    return Dataset(X, labels.astype(np.int64), "classification", 10,
                   [f"pixel_{r}_{c}" for r in range(rows) for c in range(cols)],
                   [str(i) for i in range(10)], (1, rows, cols),
                   f"MNIST-format digits from {os.fspath(images_path)}", name="mnist")


def _load_mnist_dir(path: str | os.PathLike | None = None, prefix: str = "t10k",
                    normalize: bool = True) -> Dataset:
    """MNIST from a folder holding ``{prefix}-images-idx3-ubyte[.gz]`` and the labels file."""
    if path is None:
        raise ValueError("load_dataset('mnist') needs path=<folder with the IDX files>; "
                         "lucidnet never downloads data")
    found = []
    for kind in ("images-idx3-ubyte", "labels-idx1-ubyte"):
        cands = [os.path.join(path, f"{prefix}-{kind}{ext}") for ext in (".gz", "")]
        hit = next((c for c in cands if os.path.exists(c)), None)
        if hit is None:
            raise ValueError(f"no {prefix}-{kind}[.gz] in {os.fspath(path)}")
        found.append(hit)
    return load_mnist(*found, normalize=normalize)


# --------------------------------------------------------------------------- CSV
_MISSING = {"", "na", "n/a", "nan", "null", "none"}
_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _read_csv_rows(path, delimiter: str) -> tuple[list[list[str]], list[int]]:
    """Non-blank rows (cells stripped) and their 1-based line numbers; a UTF-8 BOM is dropped."""
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        raise ValueError(f"{os.fspath(path)}: line {line} is not valid UTF-8 (byte "
                         f"{raw[err.start]:#04x}); save the file as UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, lines = [], []
    for row in reader:
        if not row or all(not c.strip() for c in row):
            continue
        rows.append([c.strip() for c in row])
        lines.append(reader.line_num)
    return rows, lines


def load_csv(path: str | os.PathLike, target: str | int | None = -1, delimiter: str = ",",
             header: bool | None = None, task: str | None = None) -> Dataset:
    """A numeric CSV table as a Dataset; ``target`` names the label column (name or index), or
    None for a table of features only (``y`` is then an empty array: data to predict on).

    ``header=None`` detects the header line: a first line whose cells are all numbers is data
    (columns are then named ``column0, column1, ...``), anything else is the header. ``True`` /
    ``False`` force it. A UTF-8 byte-order mark is ignored. Feature cells must be finite numbers
    within float32's range. ``task=None`` infers it: a non-numeric or integer-valued target means
    classification (labels mapped to ``0..K-1`` in sorted order, ``target_names`` the original
    values), otherwise regression. A missing target (empty, NA, nan) is an error, never a class.
    Blank lines are skipped. Errors name the file, the line (1-based, as in an editor) and the
    column. For tables with text (categorical) feature columns or missing values use
    :func:`lucidnet.data.read_table` and :class:`lucidnet.data.TableEncoder`.

    Examples
    --------
    >>> from lucidnet.data import load_csv
    >>> with open("people.csv", "w") as f:
    ...     _ = f.write("height,weight,label\\n1.5,50,a\\n1.8,80,b\\n1.6,60,a\\n")
    >>> ds = load_csv("people.csv", target="label")
    >>> ds.feature_names, ds.target_names, ds.y
    (['height', 'weight'], ['a', 'b'], array([0, 1, 0]))
    >>> ds.X
    array([[ 1.5, 50. ],
           [ 1.8, 80. ],
           [ 1.6, 60. ]], dtype=float32)
    """
    if task not in (None, "classification", "regression"):
        raise ValueError(f"task must be None, 'classification' or 'regression', got {task!r}")
    if header not in (None, True, False):
        raise ValueError(f"header must be None (detect), True or False, got {header!r}")
    rows, lines = _read_csv_rows(path, delimiter)
    if not rows:
        raise ValueError(f"{path}: empty file, expected a header line and data rows")
    if header is None:
        header = _try_numbers(rows[0]) is None
    if header:
        names, rows, header_line = rows[0], rows[1:], lines[0]
        lines = lines[1:]
    else:
        names = [f"column{j}" for j in range(len(rows[0]))]
        header_line = None
    if not rows:
        raise ValueError(f"{path}: no data rows")
    width = len(names)
    for row, line in zip(rows, lines):
        if len(row) != width:
            ref = f"the header (line {header_line})" if header else f"line {lines[0]}"
            raise ValueError(f"{path}: line {line} has {len(row)} fields, {ref} has {width}")
    if target is None:
        t = None
    elif isinstance(target, str):
        if not header:
            raise ValueError(f"{path}: target column {target!r} given by name, but the file has no "
                             "header line; pass a column index instead")
        if target not in names:
            raise ValueError(f"{path}: target column {target!r} not in header; columns: {names}")
        t = names.index(target)
    elif isinstance(target, (int, np.integer)) and not isinstance(target, bool):
        if not -width <= target < width:
            raise ValueError(f"{path}: target index {target} out of range for {width} columns")
        t = int(target) % width
    else:
        raise TypeError(f"target must be a column name or index, got {target!r}")
    if width < (1 if t is None else 2):
        raise ValueError(f"{path}: need at least one feature column besides the target")
    feats = [j for j in range(width) if j != t]
    try:  # one vectorized parse; the slow cell-by-cell pass only runs to locate an error
        X = np.array([[row[j] for j in feats] for row in rows], dtype=np.float64)
        ok = bool((np.abs(X) <= _FLOAT32_MAX).all())  # also False for NaN / inf
    except ValueError:
        ok = False
    if not ok:
        for row, line in zip(rows, lines):
            for j in feats:
                _number(row[j], path, line, names[j], j)
    feature_names = [names[j] for j in feats]
    if t is None:
        return Dataset(X.astype(np.float32), np.empty(0, dtype=np.float32), task or "unknown",
                       feature_names=feature_names, name=os.path.basename(os.fspath(path)),
                       description=f"CSV table {os.fspath(path)} (features only)")
    y_raw = [row[t] for row in rows]
    for value, line in zip(y_raw, lines):
        if value.lower() in _MISSING:
            raise ValueError(f"{path}: line {line}, target column {names[t]!r}: missing value "
                             f"{value!r}; drop or fill the rows without a target")
    common = {"feature_names": feature_names, "name": os.path.basename(os.fspath(path)),
              "description": f"CSV table {os.fspath(path)}, target column {names[t]!r}"}
    values = _try_numbers(y_raw)
    if task == "regression" or (task is None and values is not None
                                and not np.all(values == np.round(values))):
        for value, line in zip(y_raw, lines):
            _number(value, path, line, names[t], t, what="target column")
        return Dataset(X.astype(np.float32), values.astype(np.float32), "regression", None, **common)
    if values is not None:
        classes, y = np.unique(values, return_inverse=True)
        target_names = [str(int(c)) if c == int(c) else str(c) for c in classes]
    else:
        classes, y = np.unique(np.array(y_raw), return_inverse=True)
        target_names = [str(c) for c in classes]
    return Dataset(X.astype(np.float32), y.ravel().astype(np.int64), "classification",
                   len(classes), target_names=target_names, **common)


def _number(cell: str, path, line: int, col_name: str, col: int, what: str = "column") -> float:
    where = f"{path}: line {line}, {what} {col_name!r} (index {col})"
    try:
        v = float(cell)
    except ValueError:
        raise ValueError(f"{where}: {cell!r} is not a number") from None
    if not math.isfinite(v):
        raise ValueError(f"{where}: non-finite value {cell!r}; impute missing values first")
    if abs(v) > _FLOAT32_MAX:
        raise ValueError(f"{where}: {cell!r} is beyond float32's range (|x| <= {_FLOAT32_MAX:.4g}); "
                         "rescale the column")
    return v


def _try_numbers(cells) -> np.ndarray | None:
    try:
        v = np.array([float(c) for c in cells])
    except ValueError:
        return None
    return v if np.all(np.isfinite(v)) else None


# --------------------------------------------------------------------------- registry
def _gate_loader(gate: str) -> Callable[..., Dataset]:
    def load(n_samples: int | None = None, noise: float | None = None,
             seed: int | None = None) -> Dataset:
        return make_logic_gate(gate, n_samples=n_samples, noise=noise, seed=seed)
    load.__doc__ = make_logic_gate.__doc__
    return load


DATASETS: dict[str, Callable[..., Dataset]] = {
    **{name: functools.partial(_load_sklearn, name) for name in _SKLEARN},
    **{gate: _gate_loader(gate) for gate in _GATES},
    "moons": make_moons,
    "circles": make_circles,
    "spirals": make_spirals,
    "mnist1d": load_mnist1d,
    "mnist": _load_mnist_dir,
}


def load_dataset(name: str, **kwargs) -> Dataset:
    """Load a dataset by name from ``DATASETS``; keyword arguments go to its loader.

    Names: digits, iris, wine, breast_cancer, diabetes (scikit-learn bundles); and, or, xor
    (``n_samples``, ``noise``, ``seed``); moons, circles (``n_samples``, ``noise``, ``seed``;
    circles also ``factor``); spirals (``n_samples``, ``n_arms``, ``noise``, ``seed``);
    mnist1d (train in X/y, test in X_test/y_test); mnist (``path`` to a folder of IDX files,
    ``prefix`` 't10k' or 'train', ``normalize``). An unknown name or argument raises with the
    valid ones listed.

    Examples
    --------
    >>> from lucidnet.data import load_dataset
    >>> load_dataset("iris")
    Dataset(name='iris', task='classification', X=(150, 4), n_classes=3, image_shape=None)
    >>> load_dataset("xor", n_samples=20, seed=0).X.shape
    (20, 2)
    """
    if not isinstance(name, str) or name.lower() not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; valid names: {', '.join(sorted(DATASETS))}")
    loader = DATASETS[name.lower()]
    params = inspect.signature(loader).parameters
    unknown = [k for k in kwargs if k not in params]
    if unknown:
        raise TypeError(f"dataset {name!r} got unexpected argument(s) {unknown}; "
                        f"it accepts: {', '.join(params) or 'no arguments'}")
    return loader(**kwargs)
