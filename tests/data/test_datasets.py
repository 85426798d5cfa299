import gzip
import hashlib
import struct
from pathlib import Path

import numpy as np
import pytest

from lucidnet.data import DATASETS, Dataset, load_csv, load_dataset, load_idx, load_mnist

MNIST_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "mnist-t10k"
if not MNIST_DIR.exists():
    MNIST_DIR = Path("/work/shared/data/mnist-t10k")


# --------------------------------------------------------------------------- registry and bundles
@pytest.mark.parametrize("name, shape, n_classes, image_shape", [
    ("digits", (1797, 64), 10, (1, 8, 8)), ("iris", (150, 4), 3, None),
    ("wine", (178, 13), 3, None), ("breast_cancer", (569, 30), 2, None),
])
def test_sklearn_bundles(name, shape, n_classes, image_shape):
    sk = pytest.importorskip("sklearn.datasets")
    ds = load_dataset(name)
    ref = getattr(sk, f"load_{name}")()
    assert isinstance(ds, Dataset) and ds.task == "classification"
    assert ds.X.shape == shape and ds.X.dtype == np.float32 and ds.y.dtype == np.int64
    assert ds.n_classes == n_classes and len(ds.target_names) == n_classes
    assert ds.image_shape == image_shape and len(ds.feature_names) == shape[1]
    np.testing.assert_array_equal(ds.y, ref.target)
    np.testing.assert_allclose(ds.X, ref.data.astype(np.float32))


def test_digits_range_and_images():
    ds = load_dataset("digits")
    assert ds.X.min() == 0.0 and ds.X.max() == 16.0
    assert ds.images().shape == (1797, 1, 8, 8)


def test_diabetes_is_regression():
    ds = load_dataset("diabetes")
    assert ds.task == "regression" and ds.n_classes is None
    assert ds.X.shape == (442, 10) and ds.y.dtype == np.float32
    assert 25 <= ds.y.min() and ds.y.max() <= 346


def test_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="unknown dataset 'cifar'; valid names: .*digits.*xor"):
        load_dataset("cifar")
    with pytest.raises(TypeError, match="unexpected argument.*accepts: n_samples"):
        load_dataset("moons", n_smaples=3)


# --------------------------------------------------------------------------- toy sets
@pytest.mark.parametrize("gate, truth", [("and", [0, 0, 0, 1]), ("or", [0, 1, 1, 1]),
                                         ("xor", [0, 1, 1, 0])])
def test_logic_gates(gate, truth):
    ds = load_dataset(gate)
    np.testing.assert_array_equal(ds.X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(ds.y, truth)
    noisy = load_dataset(gate, n_samples=200, noise=0.1, seed=0)
    assert noisy.X.shape == (200, 2)
    corner = np.rint(noisy.X).astype(int)  # noise 0.1 << 0.5: rounding recovers the corner
    np.testing.assert_array_equal(noisy.y, np.array(truth)[corner[:, 0] * 2 + corner[:, 1]])
    assert 0.05 < np.std(noisy.X - corner) < 0.15
    np.testing.assert_array_equal(np.bincount(corner[:, 0] * 2 + corner[:, 1]), [50] * 4)


@pytest.mark.parametrize("name, kw", [("moons", {}), ("circles", {"factor": 0.3}),
                                      ("spirals", {"n_arms": 3}), ("xor", {"n_samples": 40})])
def test_generators_seeded(name, kw):
    a = load_dataset(name, seed=7, **kw)
    b = load_dataset(name, seed=7, **kw)
    c = load_dataset(name, seed=8, **kw)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)
    assert a.X.dtype == np.float32 and a.y.dtype == np.int64


def test_moons_circles_spirals_geometry():
    m = load_dataset("moons", n_samples=101, noise=0.0, seed=0)
    assert np.bincount(m.y).tolist() == [50, 51]
    outer = m.X[m.y == 0]
    np.testing.assert_allclose(np.hypot(*outer.T), 1.0, atol=1e-6)
    c = load_dataset("circles", n_samples=100, noise=0.0, factor=0.4, seed=0)
    np.testing.assert_allclose(np.hypot(*c.X[c.y == 1].T), 0.4, atol=1e-6)
    s = load_dataset("spirals", n_samples=301, n_arms=3, noise=0.0, seed=0)
    assert s.n_classes == 3 and np.bincount(s.y).tolist() == [101, 100, 100]
    assert np.hypot(*s.X.T).max() <= 1.0 + 1e-6


@pytest.mark.parametrize("name, kw, match", [
    ("moons", {"n_samples": 1}, "n_samples must be an integer >= 2"),
    ("circles", {"noise": -1.0}, r"make_circles: noise must be a finite number in \[0.0, inf\), got -1.0"),
    ("circles", {"factor": 1.5}, r"factor must be a finite number in \(0.0, 1.0\), got 1.5"),
    ("moons", {"noise": float("nan")}, "noise must be a finite number"),
    ("spirals", {"n_arms": 1}, "n_arms must be an integer >= 2"),
    ("xor", {"n_samples": 0}, "n_samples must be an integer >= 1"),
    ("mnist", {}, "never downloads"),
])
def test_generator_errors(name, kw, match):
    with pytest.raises(ValueError, match=match):
        load_dataset(name, **kw)


def test_mnist1d_offline_split():
    pytest.importorskip("mnist1d")
    state = np.random.get_state()
    ds = load_dataset("mnist1d")
    assert np.random.get_state()[1].tolist() == state[1].tolist()  # global NumPy state untouched
    assert ds.X.shape == (4000, 40) and ds.X_test.shape == (1000, 40)
    assert ds.y.shape == (4000,) and ds.y_test.shape == (1000,)
    assert ds.X.dtype == np.float32 and ds.y.dtype == np.int64 and ds.image_shape == (1, 40)
    assert set(np.unique(ds.y)) == set(range(10)) and ds.n_classes == 10
    again = load_dataset("mnist1d")
    np.testing.assert_array_equal(again.X_test, ds.X_test)
    again.X[0, 0] = 1e6  # copies: mutating one load does not leak into the next
    assert load_dataset("mnist1d").X[0, 0] != 1e6


# --------------------------------------------------------------------------- IDX / MNIST
def _write_idx(path, array, code=0x08, gz=False, magic=None, extra=b"", cut=0):
    array = np.asarray(array)
    header = magic if magic is not None else struct.pack(">HBB", 0, code, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    dtype = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}[code]
    raw = header + array.astype(dtype).tobytes() + extra
    raw = raw[:len(raw) - cut]
    Path(path).write_bytes(gzip.compress(raw) if gz else raw)
    return path


@pytest.mark.parametrize("code, dtype", [(0x08, np.uint8), (0x09, np.int8), (0x0B, np.int16),
                                         (0x0C, np.int32), (0x0D, np.float32), (0x0E, np.float64)])
@pytest.mark.parametrize("gz", [False, True])
def test_idx_round_trip(tmp_path, code, dtype, gz):
    arr = (np.arange(2 * 3 * 4) - (0 if dtype == np.uint8 else 5)).reshape(2, 3, 4).astype(dtype)
    got = load_idx(_write_idx(tmp_path / "a.idx", arr, code=code, gz=gz))
    assert got.dtype == np.dtype(dtype) and got.shape == (2, 3, 4)
    np.testing.assert_array_equal(got, arr)


@pytest.mark.parametrize("kw, match", [
    ({"magic": b"\x01\x02\x08\x03"}, "bad magic number"),
    ({"code": 0x08, "magic": b"\x00\x00\x07\x03"}, "bad magic number"),
    ({"cut": 5}, "truncated data"),
    ({"extra": b"\x00\x01"}, "trailing bytes"),
])
def test_idx_malformed(tmp_path, kw, match):
    path = _write_idx(tmp_path / "bad.idx", np.zeros((2, 3, 3), np.uint8), **kw)
    with pytest.raises(ValueError, match=match):
        load_idx(path)


def test_idx_short_and_bad_gzip(tmp_path):
    (tmp_path / "tiny").write_bytes(b"\x00\x00")
    with pytest.raises(ValueError, match="shorter than the 4-byte magic"):
        load_idx(tmp_path / "tiny")
    (tmp_path / "hdr").write_bytes(b"\x00\x00\x08\x03\x00\x00\x00\x02")
    with pytest.raises(ValueError, match="truncated header"):
        load_idx(tmp_path / "hdr")
    good = gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x04abcd")
    (tmp_path / "cut.gz").write_bytes(good[:-6])
    with pytest.raises(ValueError, match="corrupt or truncated gzip"):
        load_idx(tmp_path / "cut.gz")


def test_load_mnist_small_files_and_mismatch(tmp_path):
    images = np.arange(3 * 4 * 5).reshape(3, 4, 5).astype(np.uint8)
    labels = np.array([3, 1, 4], np.uint8)
    ip = _write_idx(tmp_path / "img.gz", images, gz=True)
    lp = _write_idx(tmp_path / "lab", labels)
    ds = load_mnist(ip, lp)
    assert ds.X.shape == (3, 20) and ds.image_shape == (1, 4, 5)
    np.testing.assert_allclose(ds.X, images.reshape(3, 20) / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(ds.y, labels)
    assert load_mnist(ip, lp, normalize=False).X.max() == 59.0
    short = _write_idx(tmp_path / "lab2", labels[:2])
    with pytest.raises(ValueError, match="count mismatch: .* 3 images but .* 2 labels"):
        load_mnist(ip, short)
    with pytest.raises(ValueError, match="expected an MNIST image file"):
        load_mnist(lp, lp)
    with pytest.raises(ValueError, match="expected an MNIST label file"):
        load_mnist(ip, ip)


@pytest.mark.skipif(not MNIST_DIR.exists(), reason=f"MNIST t10k files not found at {MNIST_DIR}")
def test_mnist_t10k_real_files():
    images = MNIST_DIR / "t10k-images-idx3-ubyte.gz"
    labels = MNIST_DIR / "t10k-labels-idx1-ubyte.gz"
    image_bytes = gzip.decompress(images.read_bytes())
    label_bytes = gzip.decompress(labels.read_bytes())
    assert struct.unpack(">I", image_bytes[:4])[0] == 2051
    assert struct.unpack(">I", label_bytes[:4])[0] == 2049
    assert hashlib.md5(image_bytes).hexdigest() == "2646ac647ad5339dbf082846283269ea"
    assert hashlib.md5(label_bytes).hexdigest() == "27ae3e4e09519cfbb04c329615203637"
    ds = load_mnist(images, labels)
    assert ds.X.shape == (10000, 784) and ds.image_shape == (1, 28, 28)
    assert 0.0 <= ds.X.min() and ds.X.max() <= 1.0
    assert ds.y[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert np.bincount(ds.y).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    via_registry = load_dataset("mnist", path=MNIST_DIR)
    np.testing.assert_array_equal(via_registry.y, ds.y)


# --------------------------------------------------------------------------- CSV
def test_csv_classification_by_name_and_index(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("a,b,label\n1,2,cat\n3,4.5,dog\n\n5,6,cat\n")
    ds = load_csv(p, target="label")
    assert ds.task == "classification" and ds.n_classes == 2
    assert ds.target_names == ["cat", "dog"] and ds.feature_names == ["a", "b"]
    np.testing.assert_array_equal(ds.X, [[1, 2], [3, 4.5], [5, 6]])
    np.testing.assert_array_equal(ds.y, [0, 1, 0])
    by_index = load_csv(p, target=-1)
    np.testing.assert_array_equal(by_index.y, ds.y)
    q = tmp_path / "u.csv"
    q.write_text("k,x\n3,0.5\n1,0.25\n3,1\n")
    first = load_csv(q, target=0)
    assert first.task == "classification" and first.target_names == ["1", "3"]
    np.testing.assert_array_equal(first.y, [1, 0, 1])


def test_csv_regression_no_header_and_delimiter(tmp_path):
    p = tmp_path / "r.tsv"
    p.write_text("0.5;1;2\n1.5;3;4\n")
    ds = load_csv(p, target=0, delimiter=";", header=False)
    assert ds.task == "regression" and ds.y.dtype == np.float32
    np.testing.assert_allclose(ds.y, [0.5, 1.5])
    assert ds.feature_names == ["column1", "column2"]
    forced = load_csv(p, target=2, delimiter=";", header=False, task="regression")
    assert forced.task == "regression"


@pytest.mark.parametrize("text, kw, match", [
    ("a,b\n1,2\n", {"target": "c"}, r"target column 'c' not in header; columns: \['a', 'b'\]"),
    ("a,b,y\n1,2,0\n3,x,1\n", {"target": "y"}, r"line 3, column 'b' \(index 1\): 'x' is not a number"),
    ("a,b,y\n1,2,0\n3,4\n", {"target": "y"}, "line 3 has 2 fields, the header .line 1. has 3"),
    ("a,b,y\n1,,0\n", {"target": "y"}, "line 2, column 'b'"),
    ("a,b,y\n1,nan,0\n", {"target": "y"}, "line 2, column 'b' .*non-finite"),
    ("a,y\n1,cat\n", {"target": "y", "task": "regression"}, "line 2, target column 'y'"),
    ("a,b\n", {"target": "b"}, "no data rows"),
    ("", {}, "empty file"),
    ("a,b\n1,2\n", {"target": 5}, "target index 5 out of range"),
])
def test_csv_errors(tmp_path, text, kw, match):
    p = tmp_path / "bad.csv"
    p.write_text(text)
    with pytest.raises(ValueError, match=match):
        load_csv(p, **kw)


def test_registry_contents():
    for name in ("digits", "iris", "wine", "breast_cancer", "diabetes", "and", "or", "xor",
                 "moons", "circles", "spirals", "mnist1d"):
        assert name in DATASETS


@pytest.mark.parametrize("kw", [{"n_samples": 2.5}, {"n_samples": True}, {"noise": "0.1"}])
def test_generator_argument_of_the_wrong_type_is_a_type_error(kw):
    with pytest.raises(TypeError, match="make_moons: (n_samples must be an integer|noise must be "
                                        "a real number)"):
        load_dataset("moons", **kw)
