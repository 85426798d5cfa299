"""Image folders: ``root/class_name/*.png`` as a classification Dataset, image files as rows.

Pillow reads the files; it is imported inside the functions (``pip install pillow``, or the
``lucidnet[images]`` extra), so ``import lucidnet`` still needs NumPy alone.

Pixel conversion (one rule, shared by :func:`load_image_folder` and :func:`load_images`, so a
model trained on a folder sees the same numbers when it predicts):

- 8-bit modes (``1``, ``L``, ``P``, ``RGB``, ``CMYK``, ``YCbCr`` ...) go through Pillow's
  ``Image.convert("L")`` / ``convert("RGB")``: colour to grey is ITU-R 601-2 luma
  ``L = R*299/1000 + G*587/1000 + B*114/1000``; grey to colour repeats the grey value in R, G, B;
  bilevel ``1`` becomes 0 / 255; a palette image takes its palette colours.
- Alpha (``RGBA``, ``LA``, ``PA``, a palette with a transparent index) is **dropped**, as Pillow's
  ``convert`` and torchvision's default loader do: a pixel keeps the colour stored under it,
  whatever its transparency. Flatten the images onto a background first if that colour is
  meaningless in your files.
- 16-bit grey (``I;16``, ``I;16B``, ``I;16L``, and ``I`` holding values in 0..65535) is scaled,
  not clipped: ``v -> v / 257`` (0..65535 onto 0..255, unrounded). Pillow's own ``convert("L")``
  clips every value above 255 to 255, which would turn most 16-bit images white.
- 32-bit float images (mode ``F``) are refused: their range is unknown.
- Multi-frame files (animated GIF, multi-page TIFF) give their first frame. EXIF orientation is
  not applied (as in torchvision): the stored pixel grid is used.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

import numpy as np

from .datasets import Dataset

__all__ = ["IMAGE_EXTENSIONS", "load_image_folder", "load_images"]

#: File-name endings read as images (matched case-insensitively).
IMAGE_EXTENSIONS: tuple[str, ...] = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff",
                                     ".webp")

_GREY_MODES = frozenset({"1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "I;16N"})
_WIDE_MODES = frozenset({"I", "I;16", "I;16B", "I;16L", "I;16N"})
_CHANNELS_TO_MODE = {1: "L", 3: "RGB"}
_IGNORED_FOLDERS = frozenset({"__MACOSX"})  # macOS zip archives' resource-fork folder


# --------------------------------------------------------------------------- Pillow and files
def _pillow():
    try:
        from PIL import Image
    except ImportError:
        raise ModuleNotFoundError(
            "reading image files needs Pillow, which is not installed: "
            "pip install pillow  (or pip install 'lucidnet[images]')", name="PIL") from None
    return Image


def _hidden(name: str) -> bool:
    return name.startswith(".") or name in _IGNORED_FOLDERS


def _check_extensions(extensions) -> tuple[str, ...]:
    if isinstance(extensions, str):
        extensions = (extensions,)
    try:
        exts = tuple(extensions)
    except TypeError:
        raise TypeError(f"extensions must be a sequence of file endings like ('.png', '.jpg'), "
                        f"got {extensions!r}") from None
    if not exts or not all(isinstance(e, str) and e.strip(". ") for e in exts):
        raise ValueError(f"extensions must be a non-empty sequence of file endings like "
                         f"('.png', '.jpg'), got {extensions!r}")
    return tuple(e.lower() if e.startswith(".") else "." + e.lower() for e in exts)


def _image_files(folder: str, exts: tuple[str, ...]) -> list[str]:
    """Image files under ``folder`` (recursive), hidden names skipped, sorted by path parts.

    Sorting by the tuple of path components (not the joined string) keeps a folder's files
    together before a sibling folder's, whatever the separator's code point.
    """
    found: list[tuple[tuple[str, ...], str]] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not _hidden(d)]
        rel = os.path.relpath(dirpath, folder)
        parts = () if rel == os.curdir else tuple(rel.split(os.sep))
        for name in filenames:
            if not _hidden(name) and name.lower().endswith(exts):
                found.append((parts + (name,), os.path.join(dirpath, name)))
    found.sort(key=lambda item: item[0])
    return [path for _, path in found]


def _open(Image, path: str):
    """Open ``path`` (header only; pixels are decoded later) or say which file Pillow refused."""
    try:
        return Image.open(path)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValueError(f"{path}: Pillow cannot read this file as an image ({exc}); "
                         "delete or fix it, or move it out of the folder") from None


def _is_grey(img) -> bool:
    if img.mode in _GREY_MODES:
        return True
    if img.mode in ("P", "PA"):  # a GIF saved from a grey image is a palette of greys
        palette = img.getpalette("RGB")
        if palette:
            rgb = np.asarray(palette, dtype=np.int64).reshape(-1, 3)
            return bool((rgb == rgb[:, :1]).all())
    return False


def _pixels(img, path: str, channels: int) -> np.ndarray:
    """Decode ``img`` into a float32 (channels, H, W) array of 0..255 values (module docstring)."""
    mode = img.mode
    try:
        if mode == "F":
            raise ValueError(f"{path}: 32-bit float images (Pillow mode 'F') are not supported: "
                             "their value range is unknown; save them as 8- or 16-bit images")
        if mode in _WIDE_MODES:
            wide = np.asarray(img).astype(np.float32)
            if wide.size and (wide.min() < 0 or wide.max() > 65535):
                raise ValueError(f"{path}: 32-bit integer pixels (Pillow mode 'I') outside "
                                 f"0..65535 (min {wide.min():g}, max {wide.max():g}); save the "
                                 "image as 8- or 16-bit")
            grey = wide / np.float32(257.0)
            return np.broadcast_to(grey, (channels, *grey.shape))
        target = _CHANNELS_TO_MODE[channels]
        if mode != target:
            try:
                img = img.convert(target)
            except ValueError:  # modes Pillow cannot convert directly (LAB -> L, La ...)
                img = img.convert("RGBA" if mode in ("La", "RGBa") else "RGB").convert(target)
        arr = np.asarray(img, dtype=np.uint8)
    except (OSError, SyntaxError) as exc:  # truncated / corrupt data shows only on decoding
        raise ValueError(f"{path}: Pillow cannot decode this image ({exc}); "
                         "delete or fix it, or move it out of the folder") from None
    arr = arr[None] if arr.ndim == 2 else arr.transpose(2, 0, 1)
    return arr.astype(np.float32)


def _read_all(Image, paths: Sequence[str], channels: int, size: tuple[int, int]) -> np.ndarray:
    """Decode every file into one float32 (N, C*H*W) array; each must be ``size`` (W, H)."""
    width, height = size
    X = np.empty((len(paths), channels * height * width), dtype=np.float32)
    for i, path in enumerate(paths):
        with _open(Image, path) as img:
            if img.size != size:  # the file changed since the header scan
                raise ValueError(f"{path} is {img.size[0]}x{img.size[1]} (width x height), "
                                 f"expected {width}x{height}")
            X[i] = _pixels(img, path, channels).reshape(-1)
    return X


def _feature_names(shape: tuple[int, int, int]) -> list[str]:
    c, h, w = shape
    return [f"pixel_{k}_{r}_{col}" for k in range(c) for r in range(h) for col in range(w)]


# --------------------------------------------------------------------------- folder as a Dataset
def _class_folders(root: str) -> list[str]:
    if not os.path.exists(root):
        raise ValueError(f"image folder {root!r} does not exist")
    if not os.path.isdir(root):
        raise ValueError(f"{root!r} is a file, not a folder; an image dataset is a folder with one "
                         "sub-folder of images per class (root/cat/*.png, root/dog/*.png)")
    with os.scandir(root) as entries:
        return sorted(e.name for e in entries if e.is_dir() and not _hidden(e.name))


def _no_classes_message(root: str, exts: tuple[str, ...]) -> str:
    loose = [n for n in sorted(os.listdir(root)) if not _hidden(n) and n.lower().endswith(exts)]
    hint = (f"; it holds {len(loose)} image file(s) directly (e.g. {loose[0]!r}) but the class "
            "of an image is the name of the sub-folder it sits in") if loose else ""
    return (f"image folder {root!r} has no class sub-folders{hint}: put each class's images in "
            "its own sub-folder (root/cat/*.png, root/dog/*.png)")


def _scan(Image, paths: Sequence[str]) -> tuple[tuple[int, int], bool]:
    """Read headers: the common (W, H) size (error naming two files that differ) and greyness."""
    first_size = None
    grey = True
    for path in paths:
        with _open(Image, path) as img:
            if first_size is None:
                first_size = img.size
            elif img.size != first_size:
                n_other = sum(1 for p in paths if _header_size(Image, p) != first_size)
                (w0, h0), (w1, h1) = first_size, img.size
                raise ValueError(
                    f"all images must have the same size, but {paths[0]} is {w0}x{h0} (width x "
                    f"height) and {path} is {w1}x{h1} ({n_other} of {len(paths)} images are not "
                    f"{w0}x{h0}); resize them to one size first, e.g. with Pillow: "
                    f"Image.open(p).resize(({w0}, {h0})).save(p) -- images are never resized "
                    "silently")
            grey = grey and _is_grey(img)
    assert first_size is not None
    return first_size, grey


def _header_size(Image, path: str) -> tuple[int, int]:
    with _open(Image, path) as img:
        return img.size


def load_image_folder(path: str | os.PathLike, *, mode: str | None = None,
                      extensions: Iterable[str] = IMAGE_EXTENSIONS,
                      return_paths: bool = False) -> Dataset | tuple[Dataset, list[str]]:
    """A folder of class sub-folders of images as a classification :class:`Dataset`.

    Layout: ``path/<class_name>/<image files>``. The classes are the sub-folders, sorted by
    name (Python string order: case-sensitive, "B" before "a"); class ``k`` is the k-th name,
    so ``class_to_idx = {name: k for k, name in enumerate(ds.target_names)}``. Each class folder
    is searched recursively; its files are taken in sorted path order, class after class.

    Parameters
    ----------
    path : folder holding one sub-folder per class.
    mode : ``"L"`` (1 channel), ``"RGB"`` (3 channels) or None: ``"L"`` when every image is
        stored greyscale (Pillow modes ``1``, ``L``, ``LA``, 16-bit ``I;16``/``I``, or a palette
        whose colours are all grey), else ``"RGB"``. An RGB file whose pixels happen to be grey
        counts as colour. How each mode is converted: see the module docstring (alpha is
        dropped, 16-bit is scaled by 1/257).
    extensions : file endings read as images, case-insensitive. Files with other endings
        (``labels.csv``, ``README``, ``Thumbs.db`` ...) are ignored, and so are hidden files and
        folders (names starting with ``.``) and ``__MACOSX`` folders, at every depth, and any
        file directly in ``path`` (an image there has no class).
    return_paths : also return the list of files, one per row of ``X``.

    Returns
    -------
    Dataset with ``X`` float32 (N, C*H*W): raw pixel values 0..255, not scaled (standardize
    later), each row the image's C×H×W array flattened in C order, so
    ``ds.images()`` is NCHW; ``y`` int64 in ``0..K-1``; ``image_shape = (C, H, W)``;
    ``feature_names`` ``pixel_<c>_<row>_<col>``; ``target_names`` the class folder names;
    ``task = "classification"``; ``name`` the folder's name; the description lists the class
    counts. With ``return_paths``: ``(dataset, paths)``.

    Raises
    ------
    ValueError
        ``path`` is not a folder, has no class sub-folders or fewer than 2, a class folder has
        no image files, a file cannot be read by Pillow (naming it), or images differ in size
        (naming two files and their sizes: images are never resized silently).
    ModuleNotFoundError
        Pillow is not installed (``pip install pillow``).

    Notes
    -----
    Compared with ``torchvision.datasets.ImageFolder``: the same sorted ``class_to_idx``, the
    same recursive, sorted walk inside each class folder, the same alpha-dropping conversion to
    RGB. Differences: hidden files and folders are skipped (torchvision takes a hidden folder as
    a class and reads hidden ``._x.png`` files); ``.gif`` is read and ``.ppm``/``.pgm`` are not
    (pass ``extensions`` to change that); greyscale folders stay 1-channel unless
    ``mode="RGB"`` (torchvision's loader always gives RGB); 16-bit images are scaled rather than
    clipped; fewer than 2 classes is an error; all images are loaded at once into one array and
    must share one size (torchvision loads lazily and leaves resizing to its transforms).

    Examples
    --------
    Two classes of two tiny greyscale images each (Pillow writes them):

    >>> import os
    >>> from PIL import Image
    >>> from lucidnet.data import load_image_folder
    >>> for name, value in (("cat", 0), ("dog", 255)):
    ...     os.makedirs(f"pets/{name}", exist_ok=True)
    ...     for i in range(2):
    ...         Image.fromarray(np.full((2, 3), value, np.uint8)).save(f"pets/{name}/{i}.png")
    >>> ds = load_image_folder("pets")
    >>> ds
    Dataset(name='pets', task='classification', X=(4, 6), n_classes=2, image_shape=(1, 2, 3))
    >>> ds.target_names, ds.y
    (['cat', 'dog'], array([0, 0, 1, 1]))
    """
    if mode not in (None, "L", "RGB"):
        raise ValueError(f"mode must be None (detect), 'L' (greyscale, 1 channel) or 'RGB' "
                         f"(3 channels), got {mode!r}")
    exts = _check_extensions(extensions)
    root = os.fspath(path)
    classes = _class_folders(root)
    if not classes:
        raise ValueError(_no_classes_message(root, exts))
    if len(classes) < 2:
        raise ValueError(f"image folder {root!r} has a single class sub-folder {classes[0]!r}; "
                         "classification needs at least 2 classes, one sub-folder each")
    files: list[str] = []
    labels: list[int] = []
    counts: list[int] = []
    for k, name in enumerate(classes):
        found = _image_files(os.path.join(root, name), exts)
        if not found:
            raise ValueError(f"class folder {os.path.join(root, name)!r} holds no image files "
                             f"(endings {', '.join(exts)}); add images or remove the folder")
        files += found
        labels += [k] * len(found)
        counts.append(len(found))
    Image = _pillow()
    (width, height), grey = _scan(Image, files)
    mode = mode or ("L" if grey else "RGB")
    channels = 1 if mode == "L" else 3
    X = _read_all(Image, files, channels, (width, height))
    shape = (channels, height, width)
    name = os.path.basename(os.path.normpath(os.path.abspath(root)))
    summary = ", ".join(f"{c} ({n})" for c, n in zip(classes, counts))
    description = (f"image folder {root}: {len(files)} {mode} images of {width}x{height} "
                   f"(C, H, W = {shape}), pixels 0..255, {len(classes)} classes in index order: "
                   f"{summary}")
    ds = Dataset(X, np.asarray(labels, dtype=np.int64), "classification", len(classes),
                 _feature_names(shape), list(classes), shape, description, name=name)
    return (ds, files) if return_paths else ds


# --------------------------------------------------------------------------- files as rows
def _check_image_shape(image_shape) -> tuple[int, int, int]:
    try:
        shape = tuple(int(s) for s in image_shape)
        ok = len(shape) == 3 and shape == tuple(image_shape)
    except (TypeError, ValueError):
        ok = False
    if not ok or shape[0] not in _CHANNELS_TO_MODE or min(shape[1:]) < 1:
        raise ValueError(f"image_shape must be (C, H, W) with C = 1 (greyscale) or 3 (RGB) and "
                         f"H, W >= 1, e.g. a dataset's image_shape, got {image_shape!r}")
    return shape  # type: ignore[return-value]


def _listed_files(paths_or_folder, exts: tuple[str, ...]) -> tuple[list[str], bool]:
    """The files to read, and whether they came from a folder search."""
    if isinstance(paths_or_folder, (str, os.PathLike)):
        target = os.fspath(paths_or_folder)
        if os.path.isdir(target):
            return _image_files(target, exts), True
        paths = [target]
    elif isinstance(paths_or_folder, Iterable):
        paths = list(paths_or_folder)
        for p in paths:
            if not isinstance(p, (str, os.PathLike)):
                raise TypeError(f"expected image file paths, got {type(p).__name__} {p!r}")
        paths = [os.fspath(p) for p in paths]
    else:
        raise TypeError("load_images takes an image file, a folder or a list of image files, "
                        f"got {type(paths_or_folder).__name__}")
    for p in paths:
        if not os.path.exists(p):
            raise ValueError(f"image file {p!r} does not exist")
        if os.path.isdir(p):
            raise ValueError(f"{p!r} is a folder; pass a folder on its own (not inside a list) "
                             "to read every image under it")
    return paths, False


def load_images(paths_or_folder, image_shape: Sequence[int], *,
                extensions: Iterable[str] = IMAGE_EXTENSIONS,
                return_paths: bool = False) -> np.ndarray | tuple[np.ndarray, list[str]]:
    """Image files as rows for a model trained on :func:`load_image_folder` data.

    Parameters
    ----------
    paths_or_folder : one image file, a list of image files (read in the order given, whatever
        their ending), or a folder: every image file under it, **recursively**, in sorted path
        order, skipping hidden names and files whose ending is not in ``extensions`` -- the
        same walk as :func:`load_image_folder`, so on a class-folder tree (no images directly in
        it) the rows equal that dataset's ``X`` in the same order.
    image_shape : the training data's (C, H, W). C picks the conversion: 1 -> ``"L"``,
        3 -> ``"RGB"`` (module docstring: luma for colour to grey, alpha dropped, 16-bit / 257).
    extensions : file endings searched for in a folder (case-insensitive).
    return_paths : also return the file list, one per row.

    Returns
    -------
    float32 (N, C*H*W) raw pixel values 0..255 (what the model's stored scaler expects);
    ``(X, paths)`` with ``return_paths``. An empty list gives a (0, C*H*W) array.

    Raises
    ------
    ValueError
        A path does not exist, a folder holds no images, Pillow cannot read a file (naming it),
        or an image's size differs from ``image_shape`` (images are never resized silently).

    Examples
    --------
    >>> import os
    >>> from PIL import Image
    >>> from lucidnet.data import load_images
    >>> os.makedirs("new", exist_ok=True)
    >>> Image.fromarray(np.full((2, 3), 255, np.uint8)).save("new/a.png")
    >>> X = load_images("new", image_shape=(1, 2, 3))
    >>> X.shape, X.dtype, float(X.max())
    ((1, 6), dtype('float32'), 255.0)
    """
    shape = _check_image_shape(image_shape)
    exts = _check_extensions(extensions)
    paths, searched = _listed_files(paths_or_folder, exts)
    if searched and not paths:
        raise ValueError(f"folder {os.fspath(paths_or_folder)!r} holds no image files "
                         f"(endings {', '.join(exts)}, searched recursively)")
    channels, height, width = shape
    Image = _pillow()
    for path in paths:  # every size checked before any pixel is decoded
        size = _header_size(Image, path)
        if size != (width, height):
            raise ValueError(f"{path} is {size[0]}x{size[1]} (width x height) but the model "
                             f"expects {width}x{height} images (image_shape {shape}); resize it "
                             f"first, e.g. Image.open(p).resize(({width}, {height})).save(p)")
    X = _read_all(Image, paths, channels, (width, height))
    return (X, paths) if return_paths else X
