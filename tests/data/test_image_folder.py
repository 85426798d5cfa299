"""Image folders (issue 14): class sub-folders of PNG/JPEG/GIF files as a Dataset; files as rows."""

import builtins
import os

import numpy as np
import pytest

from lucidnet.data.datasets import Dataset
from lucidnet.data.image_folder import IMAGE_EXTENSIONS, load_image_folder, load_images

Image = pytest.importorskip("PIL.Image")


def _grey(seed, h=3, w=4):
    return np.random.default_rng(seed).integers(0, 256, (h, w), dtype=np.uint8)


def _rgb(seed, h=3, w=4):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def _save(path, array, mode=None, **kw):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array, mode).save(path, **kw) if mode else Image.fromarray(array).save(path, **kw)
    return array


def _read(path, mode=None):
    """The file's pixels as Pillow gives them (optionally converted), file closed after."""
    with Image.open(path) as img:
        return np.asarray(img.convert(mode) if mode else img)


def _mode(path):
    with Image.open(path) as img:
        return img.mode


def _as_row(array):
    """(H, W) or (H, W, C) uint8 -> the flat C-order (C, H, W) row the loader should give."""
    a = array[None] if array.ndim == 2 else array.transpose(2, 0, 1)
    return a.astype(np.float32).reshape(-1)


@pytest.fixture
def grey_tree(tmp_path):
    """root/cat (2 images), root/dog (3 images, one in a nested folder), all 4x3 greyscale PNG."""
    root = tmp_path / "pets"
    arrays = {
        "cat/b.png": _grey(1), "cat/a.png": _grey(2),
        "dog/2.png": _grey(3), "dog/10.png": _grey(4), "dog/sub/0.png": _grey(5),
    }
    for rel, a in arrays.items():
        _save(root / rel, a)
    return root, arrays


# --------------------------------------------------------------------------- the dataset
def test_grey_folder_shapes_labels_order(grey_tree):
    root, arrays = grey_tree
    ds, paths = load_image_folder(root, return_paths=True)
    assert isinstance(ds, Dataset)
    assert ds.task == "classification" and ds.n_classes == 2
    assert ds.target_names == ["cat", "dog"]
    assert ds.image_shape == (1, 3, 4)
    assert ds.X.dtype == np.float32 and ds.X.shape == (5, 12)
    assert ds.y.dtype == np.int64 and ds.y.tolist() == [0, 0, 1, 1, 1]
    # sorted by path parts: dog/10.png < dog/2.png (string order) < dog/sub/0.png
    rels = [os.path.relpath(p, root).replace(os.sep, "/") for p in paths]
    assert rels == ["cat/a.png", "cat/b.png", "dog/10.png", "dog/2.png", "dog/sub/0.png"]
    for row, rel in zip(ds.X, rels):
        np.testing.assert_array_equal(row, _as_row(arrays[rel]))
    assert ds.X.min() >= 0 and ds.X.max() <= 255
    assert ds.name == "pets"
    assert ds.feature_names[:2] == ["pixel_0_0_0", "pixel_0_0_1"]
    assert ds.feature_names[-1] == "pixel_0_2_3" and len(ds.feature_names) == 12
    assert "cat (2)" in ds.description and "dog (3)" in ds.description
    np.testing.assert_array_equal(ds.images()[0, 0], arrays["cat/a.png"])
    # without return_paths: the Dataset alone, the same numbers (second call, same result)
    again = load_image_folder(str(root))
    np.testing.assert_array_equal(again.X, ds.X)


def test_rgb_detected_and_grey_images_replicated(tmp_path):
    rgb = _save(tmp_path / "a" / "0.png", _rgb(0))
    grey = _save(tmp_path / "b" / "0.png", _grey(1))
    ds = load_image_folder(tmp_path)
    assert ds.image_shape == (3, 3, 4) and ds.X.shape == (2, 36)
    np.testing.assert_array_equal(ds.X[0], _as_row(rgb))
    np.testing.assert_array_equal(ds.X[1], _as_row(np.stack([grey] * 3, -1)))
    assert ds.feature_names[12] == "pixel_1_0_0"


def test_mode_forced(grey_tree, tmp_path):
    root, arrays = grey_tree
    ds = load_image_folder(root, mode="RGB")
    assert ds.image_shape == (3, 3, 4)
    a = arrays["cat/a.png"]
    np.testing.assert_array_equal(ds.X[0], _as_row(np.stack([a] * 3, -1)))
    # colour forced to grey: Pillow's ITU-R 601-2 luma
    c = _save(tmp_path / "c" / "x" / "0.png", _rgb(7))
    _save(tmp_path / "c" / "y" / "0.png", _rgb(8))
    ds = load_image_folder(tmp_path / "c", mode="L")
    r, g, b = (c[..., i].astype(np.int64) for i in range(3))
    luma = (r * 299 + g * 587 + b * 114 + 500) // 1000  # Pillow rounds
    assert np.abs(ds.X[0] - luma.reshape(-1)).max() <= 1
    np.testing.assert_array_equal(ds.X[0], _read(tmp_path / "c/x/0.png", "L").reshape(-1))
    with pytest.raises(ValueError, match="mode must be None"):
        load_image_folder(root, mode="RGBA")


def test_alpha_dropped_and_palette_converted(tmp_path):
    rgba = np.concatenate([_rgb(0), np.full((3, 4, 1), 7, np.uint8)], axis=-1)
    rgba[0, 0, 3] = 0  # fully transparent pixel keeps its stored colour
    _save(tmp_path / "a" / "0.png", rgba, "RGBA")
    la = np.stack([_grey(1), np.zeros((3, 4), np.uint8)], -1)
    _save(tmp_path / "b" / "0.png", la, "LA")
    pal = Image.fromarray(_rgb(2)).quantize(5)
    pal.save(tmp_path / "b" / "1.png", transparency=1)
    ds = load_image_folder(tmp_path)
    assert ds.image_shape == (3, 3, 4)  # RGBA and a colour palette are colour
    np.testing.assert_array_equal(ds.X[0], _as_row(rgba[..., :3]))
    np.testing.assert_array_equal(ds.X[1], _as_row(np.stack([la[..., 0]] * 3, -1)))
    expected = np.asarray(pal.convert("RGB"))
    np.testing.assert_array_equal(ds.X[2], _as_row(expected))
    # LA alone is greyscale: 1 channel, alpha dropped
    _save(tmp_path / "g" / "a" / "0.png", la, "LA")
    _save(tmp_path / "g" / "b" / "0.png", _grey(3))
    ds = load_image_folder(tmp_path / "g")
    assert ds.image_shape == (1, 3, 4)
    np.testing.assert_array_equal(ds.X[0], _as_row(la[..., 0]))


def test_jpeg_gif_bmp_and_grey_gif_is_grey(tmp_path):
    _save(tmp_path / "a" / "0.gif", _grey(0))  # Pillow reads a grey GIF as a grey palette ('P')
    assert _mode(tmp_path / "a" / "0.gif") == "P"
    _save(tmp_path / "a" / "1.JPG", _grey(1))  # extension matched case-insensitively
    _save(tmp_path / "b" / "0.bmp", _grey(2))
    _save(tmp_path / "b" / "1.tiff", _grey(3))
    ds = load_image_folder(tmp_path)
    assert ds.image_shape == (1, 3, 4) and ds.y.tolist() == [0, 0, 1, 1]
    np.testing.assert_array_equal(ds.X[0], _as_row(_grey(0)))
    jpeg = _read(tmp_path / "a" / "1.JPG").astype(np.float32)
    np.testing.assert_array_equal(ds.X[1], jpeg.reshape(-1))
    np.testing.assert_array_equal(ds.X[3], _as_row(_grey(3)))
    # a colour GIF makes the folder RGB
    _save(tmp_path / "b" / "2.gif", _rgb(4))
    assert load_image_folder(tmp_path).image_shape == (3, 3, 4)


def test_16_bit_scaled_not_clipped(tmp_path):
    wide = np.array([[0, 257, 65535, 1000], [30000, 2, 514, 65535], [128, 255, 256, 40000]],
                    dtype=np.uint16)
    _save(tmp_path / "a" / "0.png", wide)
    assert _mode(tmp_path / "a" / "0.png").startswith("I")
    _save(tmp_path / "b" / "0.png", _grey(0))
    ds = load_image_folder(tmp_path)
    assert ds.image_shape == (1, 3, 4)  # a 16-bit grey PNG counts as greyscale
    np.testing.assert_allclose(ds.X[0], wide.reshape(-1) / 257.0, rtol=1e-6)
    assert ds.X[0].max() == 255.0 and ds.X[0, 1] == 1.0
    ds = load_image_folder(tmp_path, mode="RGB")
    np.testing.assert_allclose(ds.X[0].reshape(3, -1), np.stack([wide.reshape(-1) / 257.0] * 3),
                               rtol=1e-6)
    # 1 -> 0/255 and bilevel images are grey
    Image.fromarray(_grey(5) > 127).save(tmp_path / "b" / "1.png")
    ds = load_image_folder(tmp_path)
    assert ds.image_shape == (1, 3, 4)
    np.testing.assert_array_equal(ds.X[2], np.where(_grey(5) > 127, 255.0, 0.0).reshape(-1))


def test_float_images_refused(tmp_path):
    Image.fromarray(np.ones((3, 4), np.float32)).save(tmp_path / "a.tif")
    (tmp_path / "a").mkdir()
    os.replace(tmp_path / "a.tif", tmp_path / "a" / "0.tif")
    _save(tmp_path / "b" / "0.png", _grey(0))
    with pytest.raises(ValueError, match=r"0\.tif.*float"):
        load_image_folder(tmp_path)


def test_hidden_and_non_image_files_ignored(grey_tree):
    root, _ = grey_tree
    before = load_image_folder(root)
    (root / "cat" / ".hidden.png").write_bytes(b"not an image")
    (root / "cat" / "notes.txt").write_text("hello")
    (root / "cat" / "Thumbs.db").write_bytes(b"\0\1")
    (root / "dog" / ".git").mkdir()
    _save(root / "dog" / ".git" / "x.png", _grey(9))
    (root / ".ipynb_checkpoints").mkdir()
    _save(root / ".ipynb_checkpoints" / "x.png", _grey(9))
    _save(root / "__MACOSX" / "x.png", _grey(9))
    _save(root / "stray.png", _grey(9))  # directly in the root: no class, ignored
    (root / "labels.csv").write_text("a,b\n")
    after = load_image_folder(root)
    assert after.target_names == ["cat", "dog"]
    np.testing.assert_array_equal(after.X, before.X)
    np.testing.assert_array_equal(after.y, before.y)
    # extensions narrows the search (ending with or without the dot)
    only = load_image_folder(root, extensions=["PNG"])
    assert only.X.shape == before.X.shape
    with pytest.raises(ValueError, match="no image files"):
        load_image_folder(root, extensions=(".jpg",))
    with pytest.raises(ValueError, match="extensions"):
        load_image_folder(root, extensions=())


# --------------------------------------------------------------------------- errors
def test_mixed_sizes_name_two_files(tmp_path):
    _save(tmp_path / "a" / "0.png", _grey(0))
    _save(tmp_path / "a" / "1.png", _grey(1))
    _save(tmp_path / "b" / "0.png", _grey(2, h=5, w=6))
    with pytest.raises(ValueError) as err:
        load_image_folder(tmp_path)
    msg = str(err.value)
    assert "0.png is 4x3" in msg and os.path.join("b", "0.png") + " is 6x5" in msg
    assert "1 of 3" in msg and "resize" in msg


def test_unreadable_file_named(tmp_path):
    _save(tmp_path / "a" / "0.png", _grey(0))
    _save(tmp_path / "b" / "0.png", _grey(1))
    (tmp_path / "b" / "broken.png").write_bytes(b"this is no png")
    with pytest.raises(ValueError, match=r"broken\.png: Pillow cannot read"):
        load_image_folder(tmp_path)


def test_truncated_file_named(tmp_path):
    _save(tmp_path / "a" / "0.png", _grey(0, 40, 40))
    good = _save(tmp_path / "b" / "0.png", _grey(1, 40, 40))
    raw = (tmp_path / "b" / "0.png").read_bytes()
    (tmp_path / "b" / "1.png").write_bytes(raw[: len(raw) // 2])  # header intact, data cut
    assert good.shape == (40, 40)
    with pytest.raises(ValueError, match=r"1\.png: Pillow cannot"):
        load_image_folder(tmp_path)


def test_folder_errors(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        load_image_folder(tmp_path / "nope")
    f = _save(tmp_path / "x.png", _grey(0))
    assert f.shape == (3, 4)
    with pytest.raises(ValueError, match="is a file, not a folder"):
        load_image_folder(tmp_path / "x.png")
    flat = tmp_path / "flat"
    _save(flat / "0.png", _grey(0))
    with pytest.raises(ValueError, match=r"no class sub-folders.*1 image file"):
        load_image_folder(flat)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no class sub-folders"):
        load_image_folder(tmp_path / "empty")
    one = tmp_path / "one"
    _save(one / "cat" / "0.png", _grey(0))
    with pytest.raises(ValueError, match="single class sub-folder 'cat'.*at least 2"):
        load_image_folder(one)
    (one / "dog").mkdir()
    (one / "dog" / "readme.txt").write_text("x")
    with pytest.raises(ValueError, match=r"class folder .*dog.* holds no image files"):
        load_image_folder(one)


def test_missing_pillow_says_pip_install(grey_tree, monkeypatch):
    root, _ = grey_tree
    real_import = builtins.__import__

    def no_pil(name, *args, **kwargs):
        if name == "PIL" or name.startswith("PIL."):
            raise ImportError("No module named 'PIL'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pil)
    with pytest.raises(ModuleNotFoundError, match="pip install pillow"):
        load_image_folder(root)
    with pytest.raises(ModuleNotFoundError, match="pip install pillow"):
        load_images(root, (1, 3, 4))


# --------------------------------------------------------------------------- load_images
def test_load_images_round_trip_equals_dataset_rows(grey_tree):
    root, arrays = grey_tree
    ds, paths = load_image_folder(root, return_paths=True)
    X, got = load_images(root, ds.image_shape, return_paths=True)
    assert got == paths  # same recursive sorted walk
    assert X.dtype == np.float32
    np.testing.assert_array_equal(X, ds.X)
    np.testing.assert_array_equal(load_images(paths[::-1], ds.image_shape), ds.X[::-1])
    one = load_images(paths[2], ds.image_shape)
    assert one.shape == (1, 12)
    np.testing.assert_array_equal(one[0], ds.X[2])
    # pathlib paths and the RGB conversion of grey files
    rgb = load_images([root / "cat" / "a.png"], (3, 3, 4))
    np.testing.assert_array_equal(rgb[0], _as_row(np.stack([arrays["cat/a.png"]] * 3, -1)))
    empty = load_images([], (1, 3, 4))
    assert empty.shape == (0, 12) and empty.dtype == np.float32


def test_load_images_rgb_round_trip(tmp_path):
    _save(tmp_path / "a" / "0.png", np.concatenate([_rgb(0), np.full((3, 4, 1), 9, np.uint8)],
                                                   -1), "RGBA")
    _save(tmp_path / "b" / "0.jpg", _rgb(1))
    _save(tmp_path / "b" / "1.gif", _rgb(2))
    ds = load_image_folder(tmp_path)
    np.testing.assert_array_equal(load_images(tmp_path, ds.image_shape), ds.X)
    np.testing.assert_array_equal(load_images(tmp_path / "b", ds.image_shape), ds.X[1:])


def test_load_images_errors(grey_tree, tmp_path):
    root, _ = grey_tree
    with pytest.raises(ValueError, match=r"is 4x3 \(width x height\) but the model expects 3x3"):
        load_images(root, (1, 3, 3))
    for bad in [(3, 4), (2, 3, 4), (1, 0, 4), (1, 3.5, 4), "abc", None]:
        with pytest.raises(ValueError, match="image_shape"):
            load_images(root, bad)
    with pytest.raises(ValueError, match="does not exist"):
        load_images(root / "missing.png", (1, 3, 4))
    with pytest.raises(ValueError, match="is a folder"):
        load_images([root / "cat"], (1, 3, 4))
    with pytest.raises(TypeError, match="image file paths"):
        load_images([1, 2], (1, 3, 4))
    with pytest.raises(TypeError, match="a folder or a list"):
        load_images(3, (1, 3, 4))
    (tmp_path / "none").mkdir()
    (tmp_path / "none" / "a.txt").write_text("x")
    with pytest.raises(ValueError, match="holds no image files"):
        load_images(tmp_path / "none", (1, 3, 4))
    with pytest.raises(ValueError, match=r"a\.txt: Pillow cannot read"):
        load_images([tmp_path / "none" / "a.txt"], (1, 3, 4))


def test_default_extensions():
    assert IMAGE_EXTENSIONS == (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")


def test_int32_cmyk_multiframe_and_case_sorted_classes(tmp_path):
    # class order is Python string order, as torchvision's: "B" < "a"
    Image.fromarray(np.array([[70000, 0, 1, 2]] * 3, dtype=np.int32), "I").save(tmp_path / "x.tif")
    _save(tmp_path / "a" / "0.png", _rgb(0))
    frames = [Image.fromarray(_rgb(s)) for s in (1, 2)]
    (tmp_path / "B").mkdir()
    frames[0].save(tmp_path / "B" / "anim.gif", save_all=True, append_images=frames[1:])
    cmyk = Image.fromarray(_rgb(3)).convert("CMYK")
    cmyk.save(tmp_path / "a" / "1.jpg")
    ds = load_image_folder(tmp_path)
    assert ds.target_names == ["B", "a"] and ds.y.tolist() == [0, 1, 1]
    with Image.open(tmp_path / "B" / "anim.gif") as img:
        assert getattr(img, "n_frames", 1) == 2
        first = np.asarray(img.convert("RGB"))  # the first frame
    np.testing.assert_array_equal(ds.X[0], _as_row(first))
    np.testing.assert_array_equal(ds.X[2], _as_row(_read(tmp_path / "a" / "1.jpg", "RGB")))
    # 32-bit integer pixels beyond 16 bits are refused, naming the file
    (tmp_path / "a" / "2.tif").write_bytes((tmp_path / "x.tif").read_bytes())
    with pytest.raises(ValueError, match=r"2\.tif: 32-bit integer pixels .*max 70000"):
        load_image_folder(tmp_path, mode="RGB")
