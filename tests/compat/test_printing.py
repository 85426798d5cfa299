"""Printed tensors and shapes against PyTorch (issue 9: a program prints what PyTorch prints).

``repr``, ``str`` and f-strings of lucidnet tensors equal PyTorch's character for character
(lucidnet prints PyTorch's ``torch.float64`` / ``torch.Size`` spelling, see
autograd/printing.py), over a range of values, dtypes, shapes and print options.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn

torch = pytest.importorskip("torch")

OPTION_NAMES = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")


@pytest.fixture(autouse=True)
def default_print_options():
    """Every test starts and ends with PyTorch's default print options in both libraries."""
    torch.set_printoptions(profile="default")
    ln.set_printoptions(profile="default")
    yield
    torch.set_printoptions(profile="default")
    ln.set_printoptions(profile="default")


def both(array, **kwargs):
    array = np.asarray(array)
    return ln.tensor(array.copy(), **kwargs), torch.tensor(array.copy(), **kwargs)


def assert_prints_same(ours, theirs):
    assert repr(ours) == repr(theirs)
    assert str(ours) == str(theirs)
    assert f"{ours}" == f"{theirs}"


rng = np.random.default_rng(0)
FLOAT_CASES = {
    "normal": rng.standard_normal(7),
    "normal_2d": rng.standard_normal((4, 5)),
    "normal_3d": rng.standard_normal((2, 3, 4)),
    "normal_4d": rng.standard_normal((2, 2, 2, 3)),
    "normal_5d": rng.standard_normal((2, 1, 2, 1, 2)),
    "wide_row": rng.standard_normal(30),
    "wide_2d": rng.standard_normal((3, 17)) * 100,
    "tiny": rng.standard_normal(5) * 1e-6,
    "huge": rng.standard_normal(5) * 1e9,
    "mixed": np.array([1e-3, 1.0, 2e3, -5.0]),
    "ratio_just_under_1000": np.array([0.01, 9.99]),
    "ratio_just_over_1000": np.array([0.01, 10.01]),
    "min_1e-4": np.array([1e-4, 0.5]),
    "over_1e8": np.array([2e8, 3e8]),
    "integers": np.array([1.0, 2.0, -3.0, 100.0]),
    "integers_2d": np.arange(12.0).reshape(3, 4),
    "big_integers": np.array([1.0, 12345678.0]),
    "integer_sci": np.array([1.0, 1e10]),
    "zeros": np.zeros((2, 3)),
    "negative_zero": np.array([-0.0, 0.0, 1.5]),
    "negative_zero_int_mode": np.array([-0.0, 1.0]),
    "nan_inf": np.array([np.nan, np.inf, -np.inf, 1.5]),
    "nan_inf_integers": np.array([np.nan, np.inf, -np.inf, 2.0]),
    "only_nan": np.array([np.nan, np.nan]),
    "nan_sci": np.array([np.nan, 1e-8, 1.0]),
    "scalar": np.array(3.14159265),
    "scalar_integer": np.array(3.0),
    "scalar_tiny": np.array(1e-7),
    "scalar_nan": np.array(np.nan),
    "single": np.array([0.5]),
    "over_threshold": rng.standard_normal(1001),
    "threshold_exactly": rng.standard_normal(1000),
    "summarized_2d": rng.standard_normal((40, 30)),
    "summarized_3d": rng.standard_normal((10, 11, 12)),
    "summarized_narrow": rng.standard_normal((500, 3)),
    "summarized_4d": rng.standard_normal((8, 2, 9, 9)),
    "summarized_mixed": np.concatenate([rng.standard_normal(600), [1e5], rng.standard_normal(600)]),
}


@pytest.mark.parametrize("name", sorted(FLOAT_CASES))
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_float_tensors_print_as_torch(name, dtype):
    array = FLOAT_CASES[name]
    if dtype == "float16" and np.nanmax(np.abs(array[np.isfinite(array)]), initial=0) > 6e4:
        array = array / 1e5  # keep float16 finite
    with np.errstate(over="ignore"):
        ours, theirs = both(array.astype(dtype))
    assert_prints_same(ours, theirs)


INT_CASES = {
    "small": np.array([1, 2, 3]),
    "negative": np.array([-1, 20, -300]),
    "long_row_wraps": np.arange(100),
    "big_values_wrap": np.arange(0, 10**12, 10**10),
    "matrix": np.arange(-6, 6).reshape(3, 4),
    "cube": np.arange(24).reshape(2, 3, 4),
    "four_d": np.arange(48).reshape(2, 2, 3, 4),
    "over_threshold": np.arange(5000),
    "summarized_2d": np.arange(2000).reshape(40, 50),
    "scalar": np.array(7),
    "single": np.array([42]),
}


@pytest.mark.parametrize("name", sorted(INT_CASES))
@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "int8", "uint8"])
def test_int_tensors_print_as_torch(name, dtype):
    array = INT_CASES[name]
    if np.dtype(dtype).itemsize < 8:
        info = np.iinfo(dtype)
        array = np.clip(array % (int(info.max) + 1), info.min, info.max)
    assert_prints_same(*both(array.astype(dtype)))


@pytest.mark.parametrize("array", [
    np.array([True, False, True]), np.array(True), np.ones((2, 3), bool),
    rng.standard_normal((3, 2, 2)) > 0, np.arange(3000) % 3 == 0,
], ids=["row", "scalar", "matrix", "cube", "summarized"])
def test_bool_tensors_print_as_torch(array):
    assert_prints_same(*both(array))


@pytest.mark.parametrize("array", [
    np.array([1 + 2j, -0.5 - 1j]), np.array([1e-6 + 1j, 3 + 0j]), np.array(2 - 3j),
    np.array([[1j, 2], [3, -4j]]),
], ids=["row", "sci", "scalar", "matrix"])
@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex_tensors_print_as_torch(array, dtype):
    assert_prints_same(*both(array.astype(dtype)))


@pytest.mark.parametrize("shape", [(0,), (0, 3), (2, 0), (3, 0, 2), (0, 0, 0)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "bool"])
def test_empty_tensors_print_as_torch(shape, dtype):
    assert_prints_same(*both(np.zeros(shape, dtype)))


def test_empty_prints_size_and_dtype_examples():
    assert repr(ln.tensor([])) == "tensor([])"
    assert repr(ln.zeros(0, 3)) == "tensor([], size=(0, 3))"
    assert repr(ln.tensor([], dtype=ln.long)) == "tensor([], dtype=torch.int64)"


def test_scalar_and_dtype_suffix_examples():
    assert repr(ln.tensor(3.14159265)) == "tensor(3.1416)"
    assert repr(ln.tensor([1.0, 2.0], dtype=ln.float64)) == "tensor([1., 2.], dtype=torch.float64)"
    assert repr(ln.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(ln.tensor([True])) == "tensor([True])"


def test_default_dtype_float64_prints_float32_suffix():
    saved = ln.get_default_dtype()
    torch_saved = torch.get_default_dtype()
    try:
        ln.set_default_dtype(ln.float64)
        torch.set_default_dtype(torch.float64)
        for array in (np.array([1.5, 2.0]), np.array([1.5, 2.0], np.float32),
                      np.array([1 + 1j]), np.array([1 + 1j], np.complex64), np.zeros(0)):
            ours, theirs = ln.tensor(array), torch.tensor(array)
            assert_prints_same(ours, theirs)
    finally:
        ln.set_default_dtype(saved)
        torch.set_default_dtype(torch_saved)


# ------------------------------------------------------------------ autograd suffixes
def test_requires_grad_and_grad_fn_suffixes():
    array = rng.standard_normal((2, 3)).astype(np.float32)
    a, ta = both(array, requires_grad=True)
    assert_prints_same(a, ta)
    assert repr(a).endswith(", requires_grad=True)")
    for make in (lambda x: x + 1, lambda x: x * 2, lambda x: x.sum(), lambda x: x.mean(),
                 lambda x: x - x, lambda x: x / 3, lambda x: x.exp()):
        ours, theirs = make(a), make(ta)  # (a 0-d f"{}" is the full float: sums differ in ulps)
        assert repr(ours) == repr(theirs) and str(ours) == str(theirs)
    assert repr(a * 2).endswith("grad_fn=<MulBackward0>)")
    with ln.no_grad():
        assert repr(a * 2).endswith("]])") and "grad" not in repr(a * 2)
    assert_prints_same(a.detach(), ta.detach())


def test_suffixes_wrap_past_the_line_width():
    array = (np.arange(8, dtype=np.float64) + 0.5) * 1e3
    a, ta = both(array, requires_grad=True)
    assert_prints_same(a, ta)
    assert_prints_same(a * 2, ta * 2)
    b, tb = both(np.arange(14, dtype=np.float16) + 0.25, requires_grad=True)
    assert_prints_same(b + 1, tb + 1)
    assert "\n" in repr(b + 1)


def test_parameter_prints_as_torch():
    array = rng.standard_normal((3, 2)).astype(np.float32)
    p, tp = nn.Parameter(ln.tensor(array)), torch.nn.Parameter(torch.tensor(array))
    assert repr(p) == repr(tp)
    assert str(p) == str(tp)
    assert repr(p).startswith("Parameter containing:\ntensor([[")
    frozen = nn.Parameter(ln.tensor(array), requires_grad=False)
    assert repr(frozen) == repr(torch.nn.Parameter(torch.tensor(array), requires_grad=False))


def test_linear_layer_weight_prints_as_torch():
    layer, tlayer = nn.Linear(3, 2), torch.nn.Linear(3, 2)
    with torch.no_grad():
        tlayer.weight.copy_(torch.tensor(layer.weight.data))
        tlayer.bias.copy_(torch.tensor(layer.bias.data))
    assert repr(layer.weight) == repr(tlayer.weight)
    x = rng.standard_normal((4, 3)).astype(np.float32)
    out, tout = layer(ln.tensor(x)), tlayer(torch.tensor(x))
    assert repr(out).split("grad_fn")[0] == repr(tout).split("grad_fn")[0]


# ------------------------------------------------------------------ print options
@pytest.mark.parametrize("options", [
    dict(precision=2), dict(precision=8), dict(precision=0), dict(threshold=5),
    dict(edgeitems=1, threshold=10), dict(edgeitems=0, threshold=10), dict(linewidth=40),
    dict(linewidth=200), dict(sci_mode=True), dict(sci_mode=False), dict(profile="short"),
    dict(profile="full"), dict(profile="short", precision=6, sci_mode=False),
], ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
@pytest.mark.parametrize("name", ["normal_2d", "mixed", "integers", "summarized_3d", "tiny",
                                  "nan_inf", "wide_row", "summarized_narrow"])
def test_print_options_as_torch(options, name):
    ln.set_printoptions(**options)
    torch.set_printoptions(**options)
    assert_prints_same(*both(FLOAT_CASES[name].astype(np.float32)))
    assert_prints_same(*both(np.arange(120).reshape(2, 6, 10)))


def test_set_printoptions_resets_sci_mode_as_torch():
    ln.set_printoptions(sci_mode=True)
    torch.set_printoptions(sci_mode=True)
    ln.set_printoptions(precision=3)  # sci_mode back to None, as PyTorch
    torch.set_printoptions(precision=3)
    assert_prints_same(*both(np.array([1.5, 2.25], np.float32)))
    assert "e+" not in repr(ln.tensor([1.5]))


def test_set_printoptions_leaves_numpy_alone():
    saved = np.get_printoptions()
    ln.set_printoptions(precision=1, threshold=3, linewidth=20, sci_mode=True)
    assert np.get_printoptions() == saved


def test_set_printoptions_bad_profile():
    with pytest.raises(ValueError, match="profile must be one of"):
        ln.set_printoptions(profile="long")


# ------------------------------------------------------------------ f-strings
@pytest.mark.parametrize("spec", ["", ".4f", ">7f", ".2e", "10.3f", "g", "+.1f", "<8"])
def test_format_of_a_scalar_is_the_python_number(spec):
    for value, dtype in ((0.123456789, "float32"), (2.5, "float64"), (-3.0, "float16"),
                         (7, "int64"), (True, "bool")):
        ours, theirs = both(np.array(value, dtype))
        if spec in ("", "<8") or dtype not in ("bool",):
            try:
                expected = format(theirs, spec)
            except (ValueError, TypeError) as err:
                with pytest.raises(type(err)):
                    format(ours, spec)
                continue
            assert format(ours, spec) == expected


def test_format_examples():
    loss = ln.tensor(0.69314718)
    assert f"{loss:.4f}" == "0.6931"
    assert f"{ln.tensor(2.5):>7f}" == "2.500000"
    assert f"loss: {loss.item():>7f}" == "loss: 0.693147"
    grad_loss = (ln.tensor([0.5], requires_grad=True) * 2).sum()
    assert f"{grad_loss:.3f}" == "1.000"


def test_format_of_other_tensors_as_torch():
    ours, theirs = both(np.array([1.5], np.float32))
    assert f"{ours}" == f"{theirs}" == "tensor([1.5000])"
    with pytest.raises(TypeError, match="unsupported format string passed to Tensor.__format__"):
        f"{ours:.4f}"
    with pytest.raises(TypeError):
        f"{theirs:.4f}"
    with pytest.raises(TypeError, match=r"t\.item\(\)"):
        format(ln.ones(2, 2), ".2f")
    p, tp = nn.Parameter(ln.tensor(1.5)), torch.nn.Parameter(torch.tensor(1.5))
    assert f"{p}" == f"{tp}"
    with pytest.raises(TypeError, match="Parameter.__format__"):
        format(p, ".2f")
    with pytest.raises(TypeError):
        format(tp, ".2f")


def test_print_writes_the_repr(capsys):
    array = np.array([[1.0, 2.5], [3.0, 4.0]], np.float32)
    t, tt = both(array)
    print(t, t.shape, t.dtype == ln.float32)
    ours = capsys.readouterr().out
    print(tt, tt.shape, tt.dtype == torch.float32)
    assert ours == capsys.readouterr().out


# ------------------------------------------------------------------ Size
@pytest.mark.parametrize("shape", [(), (3,), (64, 1, 28, 28), (0, 3), (2, 0, 1)])
def test_size_repr_equality_numel(shape):
    t, tt = ln.zeros(shape), torch.zeros(shape)
    for ours, theirs in ((t.shape, tt.shape), (t.size(), tt.size()), (ln.Size(shape),
                                                                         torch.Size(shape))):
        assert isinstance(ours, ln.Size) and isinstance(ours, tuple)
        assert repr(ours) == repr(theirs) and str(ours) == str(theirs)
        assert f"{ours}" == f"{theirs}" and "%s" % (ours,) == "%s" % (theirs,)  # noqa: UP031
        assert ours == shape and ours == theirs and tuple(ours) == shape
        assert hash(ours) == hash(shape)
        assert ours.numel() == theirs.numel() == int(np.prod(shape))
        assert ours.numel().__class__ is int
    assert np.zeros(t.shape).shape == shape


def test_size_slices_and_arithmetic_stay_sizes():
    s, ts = ln.Size([2, 3, 4]), torch.Size([2, 3, 4])
    for ours, theirs in ((s[1:], ts[1:]), (s[::-1], ts[::-1]), (s + (5,), ts + (5,)),
                         ((5,) + s, (5,) + ts), (s * 2, ts * 2), (2 * s, 2 * ts),
                         (s + s, ts + ts)):
        assert repr(ours) == repr(theirs)
        assert isinstance(ours, ln.Size)
    assert s[0] == 2 and s[-1] == 4 and type(s[0]) is int
    assert s.index(3) == 1 and s.count(2) == 1
    a, b, c = s
    assert (a, b, c) == (2, 3, 4)
    with pytest.raises(IndexError):
        s[3]
    with pytest.raises(TypeError):
        s + [1]


def test_size_constructor():
    assert repr(ln.Size([np.int64(3), ln.tensor(2)])) == "torch.Size([3, 2])"
    assert ln.Size() == () and repr(ln.Size()) == repr(torch.Size())
    assert repr(ln.Size([True, 2])) == repr(torch.Size([True, 2]))
    assert ln.Size(ln.tensor([2, 3])) == (2, 3)
    with pytest.raises(TypeError, match="iterable of 'int'"):
        ln.Size([1.5])
    with pytest.raises(TypeError):
        torch.Size([1.5])
    assert pickle.loads(pickle.dumps(ln.Size([2, 3]))) == ln.Size([2, 3])
    assert type(pickle.loads(pickle.dumps(ln.Size([2, 3])))) is ln.Size


def test_size_of_one_dim():
    t = ln.zeros(2, 3, 4)
    assert t.size(0) == 2 and t.size(-1) == 4 and type(t.size(1)) is int
    assert t.shape[1:] == (3, 4) and repr(t.shape[1:]) == "torch.Size([3, 4])"
    assert repr(t.reshape(6, 4).shape) == "torch.Size([6, 4])"


def test_shape_follows_a_swapped_data_array():
    t = ln.zeros(2, 3)
    t.data = np.zeros((4, 5), np.float32)
    assert t.shape == (4, 5) and repr(t.size()) == "torch.Size([4, 5])"


# ------------------------------------------------------------------ random tensors, random options
def _random_array(seed: int):
    r = np.random.default_rng(seed)
    shape = tuple(int(n) for n in r.integers(0, 6, size=r.integers(0, 5)))
    if r.random() < 0.15:
        shape = tuple(int(n) for n in r.integers(8, 14, size=3))  # over the threshold
    kind = r.choice(["float32", "float64", "float16", "int64", "int32", "bool"])
    values = r.standard_normal(shape) * 10.0 ** r.integers(-9, 10)
    if r.random() < 0.3:
        values = np.round(values)
    if r.random() < 0.3 and values.size:
        flat = values.reshape(-1)
        picks = r.integers(0, flat.size, size=3)
        flat[picks] = r.choice([np.nan, np.inf, -np.inf, 0.0, -0.0], size=3)
    if kind == "bool":
        return values > 0
    if kind.startswith("int"):
        return np.nan_to_num(values, posinf=7, neginf=-7).clip(-2**31, 2**31 - 1).astype(kind)
    with np.errstate(over="ignore", invalid="ignore"):
        return values.astype(kind)


@pytest.mark.parametrize("seed", range(150))
def test_random_tensors_print_as_torch(seed):
    r = np.random.default_rng(10_000 + seed)
    options = {}
    if seed % 3 == 0:
        options = dict(precision=int(r.integers(0, 9)), linewidth=int(r.integers(20, 160)),
                       edgeitems=int(r.integers(0, 5)), threshold=int(r.integers(5, 200)),
                       sci_mode=[None, True, False][int(r.integers(0, 3))])
    ln.set_printoptions(**options)
    torch.set_printoptions(**options)
    array = _random_array(seed)
    requires_grad = array.dtype.kind == "f" and seed % 2 == 0
    ours, theirs = both(array, requires_grad=requires_grad)
    assert_prints_same(ours, theirs)
