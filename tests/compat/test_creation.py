"""Factories, dtypes and random draws against PyTorch (issue 9, item 1).

Deterministic factories must match PyTorch in shape, dtype and value; random ones in shape,
dtype, range and distribution (mean/std), and be reproducible from a seed (lucidnet's own
numbers: the generators differ, so a seed does not reproduce PyTorch's values).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import lucidnet as ln
from tests.compat.op_check import both_raise

torch = pytest.importorskip("torch")


def np_dtype(torch_dtype) -> np.dtype:
    return torch.empty(0, dtype=torch_dtype).numpy().dtype


def same(ours, theirs, exact=True, rtol=1e-6, atol=0.0):
    """Our tensor equals PyTorch's in shape, dtype and values."""
    assert isinstance(ours, ln.Tensor), type(ours)
    expected = theirs.detach().numpy()
    assert ours.shape == expected.shape
    assert ours.dtype == expected.dtype, (ours.dtype, expected.dtype)
    if exact:
        np.testing.assert_array_equal(ours.data, expected)
    else:
        np.testing.assert_allclose(ours.data, expected, rtol=rtol, atol=atol)


@pytest.fixture(params=["float32", "float64"])
def default_dtype(request):
    """Run under each default dtype, in both libraries; restored afterwards."""
    ln.set_default_dtype(getattr(ln, request.param))
    torch.set_default_dtype(getattr(torch, request.param))
    yield request.param
    ln.set_default_dtype(ln.float32)
    torch.set_default_dtype(torch.float32)


# ------------------------------------------------------------------ dtype objects
DTYPE_NAMES = ["float32", "float", "float64", "double", "float16", "half", "int64", "long",
               "int32", "int", "int16", "short", "int8", "uint8", "uint16", "uint32", "uint64",
               "bool", "complex64", "cfloat", "complex128", "cdouble"]


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_dtype_objects_name_the_same_types_as_torch(name):
    ours = getattr(ln, name)
    assert isinstance(ours, ln.dtype)
    assert ours == np_dtype(getattr(torch, name))
    assert ln.zeros(2, dtype=ours).dtype == ours


def test_dtype_aliases_are_the_same_objects_and_compare_with_tensor_dtypes():
    assert ln.float is ln.float32 and ln.double is ln.float64 and ln.long is ln.int64
    assert ln.int is ln.int32 and ln.half is ln.float16 and ln.short is ln.int16
    t = ln.zeros(3)
    assert t.dtype == ln.float32 and t.dtype != ln.float64
    assert {ln.float32: "f"}[t.dtype] == "f"  # hash-equal: usable as dict keys
    assert np.zeros(2, dtype=ln.long).dtype == np.int64  # NumPy reads them directly
    assert not hasattr(ln, "bfloat16")  # NumPy has no bfloat16


@pytest.mark.parametrize("name", ["float32", "float64", "float16"])
def test_finfo_matches_torch(name):
    ours, theirs = ln.finfo(getattr(ln, name)), torch.finfo(getattr(torch, name))
    for attr in ("eps", "max", "min", "tiny", "bits", "resolution", "smallest_normal"):
        # NumPy holds float16's resolution (1e-3) as a float16: 1.0004e-3
        rel = 1e-3 if name == "float16" else 1e-6
        assert float(getattr(ours, attr)) == pytest.approx(float(getattr(theirs, attr)),
                                                           rel=rel), attr


@pytest.mark.parametrize("name", ["int64", "int32", "int16", "int8", "uint8"])
def test_iinfo_matches_torch(name):
    ours, theirs = ln.iinfo(getattr(ln, name)), torch.iinfo(getattr(torch, name))
    assert (ours.min, ours.max, ours.bits) == (theirs.min, theirs.max, theirs.bits)


def test_finfo_default_and_wrong_kinds(default_dtype):
    assert ln.finfo().eps == torch.finfo().eps
    both_raise(lambda lib: lib.finfo(lib.int64), TypeError)
    both_raise(lambda lib: lib.iinfo(lib.float32), TypeError)


def test_bad_dtype_arguments_are_type_errors():
    for bad in ("float32", 3, object()):
        both_raise(lambda lib, bad=bad: lib.zeros(2, dtype=bad), TypeError)
    with pytest.raises(TypeError, match="lucidnet.float32"):
        ln.zeros(2, dtype="float32")
    with pytest.raises(TypeError, match="not supported"):
        ln.zeros(2, dtype=np.dtype("U3"))


def test_set_default_tensor_type_as_torch():
    try:
        for t in ("lib.DoubleTensor", "'torch.DoubleTensor'"):
            ln.set_default_tensor_type(eval(t, {"lib": ln}))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # deprecated in PyTorch
                torch.set_default_tensor_type(eval(t, {"lib": torch}))
            same(ln.tensor([1.5]), torch.tensor([1.5]))
            ln.set_default_tensor_type(ln.FloatTensor)
            torch.set_default_tensor_type(torch.FloatTensor)
            same(ln.tensor([1.5]), torch.tensor([1.5]))
        both_raise(lambda lib: lib.set_default_tensor_type(lib.LongTensor), TypeError)
        with pytest.raises(TypeError, match="invalid type"):
            ln.set_default_tensor_type("torch.NoTensor")
    finally:
        ln.set_default_dtype(ln.float32)
        torch.set_default_dtype(torch.float32)


def test_python_types_as_dtypes_read_as_torch():
    for py in (float, int, bool):
        same(ln.zeros(2, dtype=py), torch.zeros(2, dtype=py))


def test_is_tensor_is_floating_point_numel():
    t, i = ln.ones(2, 3), ln.tensor([1, 2])
    assert ln.is_tensor(t) and not ln.is_tensor([1.0]) and not ln.is_tensor(np.ones(2))
    assert ln.is_floating_point(t) and not ln.is_floating_point(i)
    assert t.is_floating_point() and not i.is_floating_point() and not t.is_complex()
    assert ln.numel(t) == torch.numel(torch.ones(2, 3)) == 6
    assert ln.numel(ln.zeros(())) == 1 and ln.numel(ln.zeros(0, 4)) == 0
    both_raise(lambda lib: lib.is_floating_point([1.0]), TypeError)


# ------------------------------------------------------------------ tensor()
TENSOR_DATA = [
    "3", "3.5", "True", "1+2j", "[]", "[[]]", "[[], []]", "[True, False]", "[True, 2]", "[1, 2.0]",
    "[[1, 2], [3, 4]]", "[[1, 2], [3, 4.0]]", "(1, 2)", "range(3)", "[True, 1.5]",
    "[lib.tensor(1.0), lib.tensor(2.0)]", "[lib.tensor(1), 2.5]", "[lib.ones(1), lib.ones(1)]",
    "[lib.tensor(1.0, dtype=lib.float64), 2]", "[lib.tensor([[1.0]])]",
    "np.float64(1.0)", "np.int32(3)", "[np.float64(1.0), 2.0]", "[np.float32(1), 2.0]",
    "[np.int32(1), 2]", "[np.uint8(1), np.int8(2)]", "[np.float16(1), 2]",
    "np.array([1, 2], dtype=np.float64)", "np.array([1, 2], dtype=np.float16)",
    "np.array([[1, 2]], dtype=np.uint8)", "np.array(1.5)", "np.zeros((0, 3), np.int32)",
    "[np.array([1.0, 2.0]), np.array([3.0, 4.0])]", "[[[1, 2]], [[3, 4]]]",
]


@pytest.mark.parametrize("expr", TENSOR_DATA)
def test_tensor_infers_dtype_and_values_as_torch(expr, default_dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns about lists of arrays
        theirs = torch.tensor(eval(expr, {"lib": torch, "np": np}))
    ours = ln.tensor(eval(expr, {"lib": ln, "np": np}))
    same(ours, theirs)
    assert ours.is_leaf and not ours.requires_grad


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool", "float16", "float64",
                                   "complex64"])
def test_tensor_with_dtype_converts_as_torch(dtype):
    data = [[1.7, -1.7, 0.0], [2.5, 1.0, 3.0]] if dtype != "uint8" else [[1.7, 200.0, 0.0]]
    same(ln.tensor(data, dtype=getattr(ln, dtype)), torch.tensor(data, dtype=getattr(torch, dtype)))


def test_python_numbers_go_straight_to_the_asked_dtype():
    same(ln.tensor([0.1, 1.7], dtype=ln.float64), torch.tensor([0.1, 1.7], dtype=torch.float64))
    same(ln.tensor(2 ** 40 + 1, dtype=ln.float64), torch.tensor(2 ** 40 + 1, dtype=torch.float64))
    same(ln.tensor([-1, 2], dtype=ln.uint8), torch.tensor([-1, 2], dtype=torch.uint8))


def test_tensor_copies_its_data():
    a = np.arange(3.0)
    t = ln.tensor(a)
    a[0] = 99.0
    assert t.data[0] == 0.0
    src = ln.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match=r"detach\(\).clone\(\)"):
        copy = ln.tensor(src)
    assert not copy.requires_grad and copy.is_leaf
    copy.data[0] = 5.0
    assert src.data[0] == 1.0


def test_tensor_requires_grad():
    t = ln.tensor([1.0, 2.0], requires_grad=True)
    (t * t).sum().backward()
    np.testing.assert_array_equal(np.asarray(t.grad), [2.0, 4.0])
    for data, dtype in (([1, 2], None), ([1.0, 2.0], "int64"), ([True], None)):
        both_raise(lambda lib, d=data, k=dtype: lib.tensor(
            d, dtype=None if k is None else getattr(lib, k), requires_grad=True), RuntimeError)
    with pytest.raises(TypeError, match="floating-point"):  # also a TypeError, as before
        ln.tensor([1, 2], requires_grad=True)


@pytest.mark.parametrize("expr", ["[[1, 2], [3]]", "[1, [2]]", "'a'", "[1, 'a']", "None",
                                  "[1, None]", "[lib.ones(2), lib.ones(2)]",
                                  "np.array(['a'])", "np.array([1], dtype=np.longdouble)",
                                  "{1: 2}"])
def test_tensor_refuses_bad_data(expr):
    err = both_raise(lambda lib: lib.tensor(eval(expr, {"lib": lib, "np": np})),
                     (TypeError, ValueError))
    assert str(err)


def test_tensor_bad_data_messages_say_what_to_do():
    with pytest.raises(ValueError, match="ragged"):
        ln.tensor([[1, 2], [3]])
    with pytest.raises(ValueError, match="lucidnet.stack"):
        ln.tensor([ln.ones(2), ln.ones(2)])
    with pytest.raises(OverflowError, match="int64"):
        ln.tensor(2 ** 64)


def test_as_tensor_shares_memory_when_it_can():
    a = np.arange(3.0)
    t = ln.as_tensor(a)
    assert t.dtype == ln.float64 and np.shares_memory(t.data, a)
    a[1] = 7.0
    assert t.data[1] == 7.0
    converted = ln.as_tensor(a, dtype=ln.float32)
    assert converted.dtype == ln.float32 and not np.shares_memory(converted.data, a)
    x = ln.ones(2)
    assert ln.as_tensor(x) is x and ln.as_tensor(x, dtype=ln.float32) is x
    same(ln.as_tensor(x, dtype=ln.float64), torch.as_tensor(torch.ones(2), dtype=torch.float64))
    same(ln.as_tensor([1, 2]), torch.as_tensor([1, 2]))
    same(ln.as_tensor([ln.tensor(1.0), ln.tensor(2.0)]),
         torch.as_tensor([torch.tensor(1.0), torch.tensor(2.0)]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.int32, np.uint8,
                                   np.bool_, np.float16, np.uint16])
def test_from_numpy_shares_memory_both_ways(dtype):
    a = np.zeros((2, 3), dtype=dtype)
    t = ln.from_numpy(a)
    same(t, torch.from_numpy(a.copy()))
    a[0, 0] = 1
    assert t.data[0, 0] == 1
    t.data[1, 2] = 1  # an in-place change of the tensor shows in the array
    assert a[1, 2] == 1
    assert t.numpy() is a


def test_from_numpy_in_place_ops_change_the_array():
    a = np.ones(3, dtype=np.float32)
    t = ln.from_numpy(a)
    t += 1
    np.testing.assert_array_equal(a, [2.0, 2.0, 2.0])
    zero_d = ln.from_numpy(np.array(1.0))
    same(zero_d, torch.from_numpy(np.array(1.0)))


def test_from_numpy_refuses_other_input():
    both_raise(lambda lib: lib.from_numpy([1.0]), TypeError)
    both_raise(lambda lib: lib.from_numpy(np.array(["a"])), TypeError)
    both_raise(lambda lib: lib.from_numpy(np.array([1.0], dtype=np.longdouble)), TypeError)


# ------------------------------------------------------------------ zeros, ones, full, empty
SIZES = ["2, 3", "(2, 3)", "[2, 3]", "()", "[]", "0", "0, 3", "(4,)", "1, 1, 1",
         "lib.zeros(2, 5).shape", "np.int64(3)", "lib.tensor(3)"]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", ["zeros", "ones"])
def test_zeros_ones_sizes_as_torch(name, size, default_dtype):
    call = f"lib.{name}({size})"
    same(eval(call, {"lib": ln, "np": np}), eval(call, {"lib": torch, "np": np}))


@pytest.mark.parametrize("size", SIZES)
def test_empty_sizes_and_dtypes_as_torch(size, default_dtype):
    call = f"lib.empty({size})"
    ours, theirs = eval(call, {"lib": ln, "np": np}), eval(call, {"lib": torch, "np": np})
    assert ours.shape == tuple(theirs.shape) and ours.dtype == np_dtype(theirs.dtype)
    assert ln.empty(2, dtype=ln.int64).dtype == ln.int64


@pytest.mark.parametrize("dtype", ["int64", "int32", "bool", "float64", "float16", "uint8",
                                   "complex64"])
def test_zeros_ones_with_dtype(dtype):
    same(ln.zeros(2, 3, dtype=getattr(ln, dtype)), torch.zeros(2, 3, dtype=getattr(torch, dtype)))
    same(ln.ones((2,), dtype=getattr(ln, dtype)), torch.ones((2,), dtype=getattr(torch, dtype)))


def test_zeros_size_keyword_and_requires_grad():
    same(ln.zeros(size=(2, 3)), torch.zeros(size=(2, 3)))
    t = ln.ones(2, requires_grad=True)
    assert t.requires_grad and t.is_leaf
    (t * 3).sum().backward()
    np.testing.assert_array_equal(np.asarray(t.grad), [3.0, 3.0])
    both_raise(lambda lib: lib.zeros(2, dtype=lib.long, requires_grad=True), RuntimeError)


@pytest.mark.parametrize("name", ["zeros", "ones", "empty", "rand", "randn"])
@pytest.mark.parametrize("size", ["-1", "(2, -1)", "2.0", "(2, 1.5)", "True", "'a'", ""])
def test_bad_sizes_raise_as_torch(name, size):
    err = both_raise(lambda lib: eval(f"lib.{name}({size})", {"lib": lib}),
                     (TypeError, RuntimeError))
    if size in ("-1", "(2, -1)"):
        assert isinstance(err, RuntimeError) and "non-negative" in str(err)
    else:
        assert isinstance(err, TypeError)


FULL_CASES = ["(2,), 3", "(2,), True", "(2,), 3.0", "(2, 3), 1.5", "(), 7", "(0,), 1.0",
              "(2,), 3, dtype=lib.float32", "(2,), 2.7, dtype=lib.int64", "[2, 2], -1",
              "(2,), lib.tensor(3.0)", "(3,), float('inf')", "(2,), 1+1j"]


@pytest.mark.parametrize("args", FULL_CASES)
def test_full_as_torch(args, default_dtype):
    call = f"lib.full({args})"
    same(eval(call, {"lib": ln}), eval(call, {"lib": torch}))


def test_full_size_must_be_a_tuple_and_grad():
    both_raise(lambda lib: lib.full(2, 3.0), TypeError)
    both_raise(lambda lib: lib.full((2,), "a"), TypeError)
    t = ln.full((), 0.3, dtype=ln.float64, requires_grad=True)
    assert t.requires_grad and t.shape == () and t.dtype == ln.float64


LIKE_INPUTS = ["lib.ones(2, 3)", "lib.tensor([1, 2])", "lib.zeros((), dtype=lib.float64)",
               "lib.zeros(0, 2)", "lib.tensor([True])"]


@pytest.mark.parametrize("src", LIKE_INPUTS)
@pytest.mark.parametrize("call", ["zeros_like(x)", "ones_like(x)", "full_like(x, 2.7)",
                                  "full_like(x, 3)", "zeros_like(x, dtype=lib.float64)",
                                  "ones_like(x, dtype=lib.int32)"])
def test_like_factories_as_torch(src, call):
    ours = eval(f"lib.{call}", {"lib": ln, "x": eval(src, {"lib": ln})})
    theirs = eval(f"lib.{call}", {"lib": torch, "x": eval(src, {"lib": torch})})
    same(ours, theirs)


def test_like_factories_shape_dtype_and_grad():
    x = ln.ones(2, 3, requires_grad=True)
    for fn in (ln.zeros_like, ln.ones_like, ln.empty_like, ln.rand_like, ln.randn_like):
        out = fn(x)
        assert out.shape == (2, 3) and out.dtype == ln.float32 and not out.requires_grad
    assert ln.zeros_like(x, requires_grad=True).requires_grad
    assert ln.empty_like(ln.tensor([1, 2])).dtype == ln.int64
    both_raise(lambda lib: lib.zeros_like([1.0]), TypeError)
    both_raise(lambda lib: lib.rand_like(lib.tensor([1, 2])), (TypeError,))
    both_raise(lambda lib: lib.randn_like(lib.tensor([1, 2])), (TypeError,))
    both_raise(lambda lib: lib.zeros_like(lib.tensor([1, 2]), requires_grad=True), RuntimeError)


def test_randint_like():
    x = ln.zeros(1000)
    a = ln.randint_like(x, 10)
    b = ln.randint_like(x, 3, 10)
    c = ln.randint_like(x, high=5)
    assert a.dtype == ln.float32 and a.shape == (1000,)
    assert a.data.min() >= 0 and a.data.max() <= 9 and np.all(a.data == np.round(a.data))
    assert b.data.min() >= 3 and b.data.max() <= 9 and c.data.max() <= 4
    assert ln.randint_like(ln.tensor([1, 2]), 5).dtype == ln.int64


# ------------------------------------------------------------------ ranges
ARANGE_CASES = ["5", "1, 4", "0, 1, 0.1", "5.0", "0, 5, 2", "5, 0, -1", "0, 0", "1, 2, 0.3",
                "np.int64(3)", "lib.tensor(3)", "lib.tensor(3.0)", "0, 10, 3, dtype=lib.float32",
                "0.5, 3, dtype=lib.int64", "True", "-0.5, 3", "1, 2.5", "-3.2, 7.7, 0.37",
                "0, 10, 1/3", "0.1, 0.9, 0.1", "-1, 1, 0.01", "1e6, 1e6 + 10, 0.7",
                "0, 3, 0.5, dtype=lib.int32", "10, -10, -3", "0, 1, 0.1, dtype=lib.float64",
                "end=4", "2, 12, 2.5, dtype=lib.int64", "-5, 5, 0.5, dtype=lib.float16",
                "0, 100, 7, dtype=lib.uint8", "3, dtype=lib.float64"]


@pytest.mark.parametrize("args", ARANGE_CASES)
def test_arange_length_dtype_and_values_as_torch(args, default_dtype):
    call = f"lib.arange({args})"
    ours = eval(call, {"lib": ln, "np": np})
    theirs = eval(call, {"lib": torch, "np": np})
    # the length and dtype are exactly PyTorch's; values agree to a rounding of the dtype
    # (PyTorch's vectorized kernel adds the steps in another order on some CPUs)
    kind = ours.dtype.kind
    same(ours, theirs, exact=kind != "f", rtol=1e-6 if ours.dtype == ln.float64 else 2e-3,
         atol=1e-6 * max(1.0, float(np.abs(theirs.double().numpy()).max(initial=0))))


@pytest.mark.parametrize("args", ["0, 5, -1", "0, 5, 0", "2, 1", "float('inf')",
                                  "0, float('nan')", "0, 1, 0.1, dtype=lib.int64", "1+2j",
                                  "'a'", "lib.ones(2)"])
def test_arange_bad_ranges_raise_as_torch(args):
    err = both_raise(lambda lib: eval(f"lib.arange({args})", {"lib": lib}),
                     (RuntimeError, ValueError, TypeError))
    assert str(err)


def test_arange_requires_grad_and_dtype_check():
    t = ln.arange(3.0, requires_grad=True)
    assert t.requires_grad and t.dtype == ln.float32
    both_raise(lambda lib: lib.arange(3, requires_grad=True), RuntimeError)


LINSPACE_CASES = ["0, 1, 5", "0, 10, 5, dtype=lib.int64", "0, 1, 1", "0, 1, 0", "3, 1, 4",
                  "-math.pi, math.pi, 2000", "0, 10, 7", "-1, 1, 11", "0.1, 0.7, 9",
                  "1e-3, 1e3, 13", "0, 10, 4, dtype=lib.int64", "-5, 10, 7, dtype=lib.int64",
                  "10, -5, 7, dtype=lib.int64", "lib.tensor(0.0), lib.tensor(1.0), 3",
                  "0, 1, 5, dtype=lib.float64", "2, 2, 3", "0, 1, steps=3"]


@pytest.mark.parametrize("args", LINSPACE_CASES)
def test_linspace_as_torch(args, default_dtype):
    call = f"lib.linspace({args})"
    ours = eval(call, {"lib": ln, "math": math})
    theirs = eval(call, {"lib": torch, "math": math})
    kind = ours.dtype.kind
    same(ours, theirs, exact=kind != "f", rtol=2e-7 if ours.dtype == ln.float32 else 1e-15,
         atol=1e-7 * max(1.0, float(np.abs(theirs.double().numpy()).max(initial=0))))
    if kind == "f" and ours.shape[0] > 1:  # both ends exact
        assert ours.data[0] == theirs[0].item() and ours.data[-1] == theirs[-1].item()


@pytest.mark.parametrize("args", ["0, 2, 3", "0, 2, 3, base=2", "-2, 2, 9", "0, 2, 3, dtype=lib.int64",
                                  "1, 0, 5, base=0.5", "0, 0, 1", "0, 1, 0", "0, 3, 4, 2, dtype=lib.float64"])
def test_logspace_as_torch(args):
    call = f"lib.logspace({args})"
    ours, theirs = eval(call, {"lib": ln}), eval(call, {"lib": torch})
    same(ours, theirs, exact=ours.dtype.kind != "f", rtol=1e-6 if ours.dtype == ln.float32
         else 1e-14)


@pytest.mark.parametrize("name", ["linspace", "logspace"])
def test_linspace_logspace_bad_steps(name):
    both_raise(lambda lib: getattr(lib, name)(0, 1, -1), RuntimeError)
    both_raise(lambda lib: getattr(lib, name)(0, 1, 2.0), TypeError)
    both_raise(lambda lib: getattr(lib, name)(0, 1), TypeError)
    assert ln.linspace(0, 1, 3, requires_grad=True).requires_grad


@pytest.mark.parametrize("args", ["3", "2, 3", "0", "3, 0", "2, m=3", "2, dtype=lib.long",
                                  "3, dtype=lib.bool", "1"])
def test_eye_as_torch(args, default_dtype):
    call = f"lib.eye({args})"
    same(eval(call, {"lib": ln}), eval(call, {"lib": torch}))


def test_eye_bad_input():
    both_raise(lambda lib: lib.eye(-1), RuntimeError)
    both_raise(lambda lib: lib.eye(2, -1), RuntimeError)
    both_raise(lambda lib: lib.eye(2.0), TypeError)


# ------------------------------------------------------------------ random factories
@pytest.mark.parametrize("call", ["rand(2, 3)", "rand((2, 3))", "rand(())", "rand(0, 4)",
                                  "randn(2, 3)", "randn([5])", "randn(())",
                                  "rand(3, dtype=lib.float64)", "randn(3, dtype=lib.float16)",
                                  "randint(10, (3,))", "randint(3, 10, (2, 2))",
                                  "randint(0, 10, (2,), dtype=lib.float32)",
                                  "randint(high=10, size=(2,))", "randint(low=2, high=10, size=(2,))",
                                  "randint(0, 256, (3,), dtype=lib.uint8)", "randint(5, size=(2,))",
                                  "randperm(5)", "randperm(0)", "randperm(3, dtype=lib.float32)",
                                  "normal(0.0, 1.0, (2,))", "normal(lib.zeros(2), 1.0)",
                                  "normal(0.0, lib.ones(2))", "normal(lib.zeros(2), lib.ones(2))",
                                  "normal(lib.zeros(2, 1), lib.ones(3))", "normal(0, 1, (2,))",
                                  "normal(2.0, 3.0, size=(2,), dtype=lib.float64)",
                                  "normal(lib.zeros(3, dtype=lib.float64), 2.0)",
                                  "bernoulli(lib.full((3,), 0.5))",
                                  "bernoulli(lib.full((3,), 0.5, dtype=lib.float64), p=1.0)",
                                  "multinomial(lib.tensor([0.0, 1.0, 0.0]), 2)",
                                  "multinomial(lib.tensor([[1.0, 1.0], [1.0, 0.0]]), 1)",
                                  "multinomial(lib.tensor([1.0, 2.0]), 5, replacement=True)"])
def test_random_factories_shape_and_dtype_as_torch(call, default_dtype):
    ours, theirs = eval(f"lib.{call}", {"lib": ln}), eval(f"lib.{call}", {"lib": torch})
    assert ours.shape == tuple(theirs.shape)
    assert ours.dtype == np_dtype(theirs.dtype)
    assert not ours.requires_grad


def test_rand_range_and_moments():
    ln.manual_seed(0)
    u = ln.rand(200_000).data
    assert u.min() >= 0.0 and u.max() < 1.0
    assert u.mean() == pytest.approx(0.5, abs=0.005) and u.std() == pytest.approx(12 ** -0.5,
                                                                                 abs=0.005)
    z = ln.randn(200_000, dtype=ln.float64).data
    assert z.mean() == pytest.approx(0.0, abs=0.01) and z.std() == pytest.approx(1.0, abs=0.01)


def test_randint_range_and_uniformity():
    ln.manual_seed(1)
    r = ln.randint(-3, 4, (70_000,)).data
    assert r.min() == -3 and r.max() == 3
    counts = np.bincount(r + 3)
    assert counts.min() > 9_000 and counts.max() < 11_000
    big = ln.randint(0, 2 ** 40, (5,))
    assert big.dtype == ln.int64 and big.data.max() < 2 ** 40


def test_randint_bad_input_as_torch():
    both_raise(lambda lib: lib.randint(10, 3), TypeError)
    both_raise(lambda lib: lib.randint(3, 3, (2,)), RuntimeError)
    both_raise(lambda lib: lib.randint(10.5, (2,)), TypeError)
    both_raise(lambda lib: lib.randint(0, 300, (3,), dtype=lib.uint8), RuntimeError)
    both_raise(lambda lib: lib.randint(0, 10, (2,), requires_grad=True), RuntimeError)
    both_raise(lambda lib: lib.randint(0, 10, (-2,)), RuntimeError)


def test_randperm_is_a_permutation():
    p = ln.randperm(1000)
    assert p.dtype == ln.int64 and sorted(p.tolist()) == list(range(1000))
    assert p.tolist() != list(range(1000))
    both_raise(lambda lib: lib.randperm(-1), RuntimeError)


def test_normal_moments_broadcasting_and_errors():
    ln.manual_seed(2)
    x = ln.normal(2.0, 3.0, (100_000,), dtype=ln.float64).data
    assert x.mean() == pytest.approx(2.0, abs=0.05) and x.std() == pytest.approx(3.0, abs=0.05)
    m = ln.tensor([[-10.0], [10.0]])
    y = ln.normal(m, ln.full((50_000,), 0.5))
    assert y.shape == (2, 50_000) and y.dtype == ln.float32
    assert y.data[0].mean() == pytest.approx(-10.0, abs=0.02)
    assert y.data[1].std() == pytest.approx(0.5, abs=0.02)
    both_raise(lambda lib: lib.normal(0.0, -1.0, (2,)), RuntimeError)
    both_raise(lambda lib: lib.normal(lib.zeros(2), lib.tensor([1.0, -1.0])), RuntimeError)
    with pytest.raises(TypeError, match="size"):
        ln.normal(0.0, 1.0)


def test_normal_with_grad_parameters_gives_zero_gradient_as_torch():
    for lib in (ln, torch):
        mean = lib.zeros(3, requires_grad=True)
        std = lib.ones(3, requires_grad=True)
        out = lib.normal(mean, std)
        assert out.requires_grad
        out.sum().backward()
        np.testing.assert_array_equal(np.asarray(mean.grad), np.zeros(3))
        np.testing.assert_array_equal(np.asarray(std.grad), np.zeros(3))


def test_bernoulli_rate_and_errors():
    ln.manual_seed(3)
    p = ln.tensor([0.0, 0.25, 1.0], dtype=ln.float64)
    draws = np.stack([ln.bernoulli(p).data for _ in range(4000)])
    assert draws.dtype == np.float64 and set(np.unique(draws)) <= {0.0, 1.0}
    np.testing.assert_allclose(draws.mean(0), [0.0, 0.25, 1.0], atol=0.02)
    assert ln.bernoulli(ln.zeros(4), p=1.0).tolist() == [1.0] * 4
    both_raise(lambda lib: lib.bernoulli(lib.tensor([1.5])), RuntimeError)
    both_raise(lambda lib: lib.bernoulli(lib.tensor([1, 0])), (TypeError,))
    assert ln.zeros(3).bernoulli().shape == (3,)


def test_multinomial_draws_and_errors():
    ln.manual_seed(4)
    w = ln.tensor([1.0, 0.0, 3.0])
    with_replacement = ln.multinomial(w, 40_000, replacement=True).data
    assert with_replacement.dtype == np.int64
    freq = np.bincount(with_replacement, minlength=3) / 40_000
    np.testing.assert_allclose(freq, [0.25, 0.0, 0.75], atol=0.01)
    rows = ln.multinomial(ln.tensor([[1.0, 1.0, 1.0, 0.0], [0.0, 0.0, 5.0, 1.0]]), 2).data
    assert rows.shape == (2, 2)
    for row in rows:
        assert len(set(row.tolist())) == 2  # without replacement: distinct
    assert set(rows[1].tolist()) == {2, 3}
    assert 3 not in rows[0].tolist()
    first = np.bincount([ln.multinomial(ln.tensor([1.0, 3.0]), 1).item() for _ in range(4000)])
    assert first[1] / 4000 == pytest.approx(0.75, abs=0.03)
    for bad in ("lib.multinomial(lib.tensor([1.0, 1.0]), 3)",
                "lib.multinomial(lib.tensor([1.0, 1.0]), 0)",
                "lib.multinomial(lib.tensor([0.0, 0.0]), 1)",
                "lib.multinomial(lib.ones(2, 2, 2), 1)",
                "lib.multinomial(lib.tensor([-1.0, 1.0]), 1)",
                "lib.multinomial(lib.tensor([1, 1]), 1)"):
        both_raise(lambda lib, b=bad: eval(b, {"lib": lib}), (RuntimeError, TypeError))


def test_random_factories_accept_requires_grad_and_refuse_int_dtypes():
    assert ln.rand(2, requires_grad=True).requires_grad
    assert ln.randn(2, requires_grad=True).is_leaf
    both_raise(lambda lib: lib.rand(2, dtype=lib.long), (TypeError,))
    both_raise(lambda lib: lib.randn(2, dtype=lib.int32), (TypeError,))


# ------------------------------------------------------------------ seeds and generators
DRAWS = [lambda g: ln.rand(5, generator=g), lambda g: ln.randn(2, 3, generator=g),
         lambda g: ln.randint(0, 100, (6,), generator=g), lambda g: ln.randperm(8, generator=g),
         lambda g: ln.normal(0.0, 1.0, (4,), generator=g),
         lambda g: ln.bernoulli(ln.full((6,), 0.5), generator=g),
         lambda g: ln.multinomial(ln.ones(5), 3, generator=g)]


@pytest.mark.parametrize("draw", DRAWS)
def test_manual_seed_reproduces_every_random_factory(draw):
    ln.manual_seed(123)
    first = draw(None).data
    ln.manual_seed(123)
    np.testing.assert_array_equal(draw(None).data, first)
    g = ln.Generator().manual_seed(7)
    mine = draw(g).data
    g.manual_seed(7)
    np.testing.assert_array_equal(draw(g).data, mine)


def test_a_generator_is_independent_of_the_global_stream():
    ln.manual_seed(0)
    expected = ln.rand(3).data
    ln.manual_seed(0)
    ln.rand(4, generator=ln.Generator().manual_seed(1))
    np.testing.assert_array_equal(ln.rand(3).data, expected)


def test_generator_api_as_torch():
    g = ln.Generator()
    assert g.initial_seed() == torch.Generator().initial_seed() == 67280421310721
    assert g.manual_seed(3) is g and g.initial_seed() == 3
    assert ln.manual_seed(5) is ln.default_generator
    assert ln.initial_seed() == 5 == torch.manual_seed(5).initial_seed()
    assert ln.manual_seed(-1).initial_seed() == torch.manual_seed(-1).initial_seed()
    assert ln.Generator(device="cpu").device == ln.device("cpu")
    state = g.get_state()
    a = ln.rand(3, generator=g).data
    g.set_state(state)
    np.testing.assert_array_equal(ln.rand(3, generator=g).data, a)
    s = ln.seed()
    assert isinstance(s, int) and ln.initial_seed() == s
    assert g.permutation(4).shape == (4,)  # NumPy's generator methods serve too
    both_raise(lambda lib: lib.manual_seed("a"), TypeError)
    both_raise(lambda lib: lib.manual_seed(2 ** 64), ValueError)
    with pytest.raises(RuntimeError, match="CPU only"):
        ln.Generator(device="cuda")
    with pytest.raises(TypeError, match="Generator"):
        ln.rand(2, generator=3)


def test_initial_seed_reads_without_reseeding():
    ln.manual_seed(9)
    ln.rand(2)
    expected = ln.rand(3).data
    ln.manual_seed(9)
    ln.rand(2)
    assert ln.initial_seed() == 9 and ln.default_generator.initial_seed() == 9
    np.testing.assert_array_equal(ln.rand(3).data, expected)


def test_global_rng_state_round_trip():
    state = ln.get_rng_state()
    a = ln.rand(4).data
    ln.set_rng_state(state)
    np.testing.assert_array_equal(ln.rand(4).data, a)


# ------------------------------------------------------------------ Tensor.new_*
NEW_CASES = ["new_tensor([1, 2])", "new_tensor([1.7])", "new_tensor(np.array([1, 2]))",
             "new_zeros(3)", "new_zeros((3, 2))", "new_zeros(2, 3)", "new_ones(2, dtype=lib.int32)",
             "new_full((2,), 3)", "new_full((2,), 3.5)", "new_zeros(())", "new_ones(0)"]


@pytest.mark.parametrize("src", ["lib.ones(2)", "lib.ones(2, dtype=lib.long)",
                                 "lib.ones(2, dtype=lib.float64)"])
@pytest.mark.parametrize("call", NEW_CASES)
def test_new_methods_as_torch(src, call):
    ours = eval(f"x.{call}", {"lib": ln, "np": np, "x": eval(src, {"lib": ln})})
    theirs = eval(f"x.{call}", {"lib": torch, "np": np, "x": eval(src, {"lib": torch})})
    same(ours, theirs)


def test_new_methods_grad_and_empty():
    x = ln.ones(2, requires_grad=True)
    assert not x.new_zeros(2).requires_grad
    assert x.new_zeros(2, requires_grad=True).requires_grad
    e = x.new_empty((2, 3))
    assert e.shape == (2, 3) and e.dtype == ln.float32
    copy = x.new_tensor(x)
    assert not copy.requires_grad and copy.is_leaf
    both_raise(lambda lib: lib.ones(2).new_full(2, 1.0), TypeError)
    both_raise(lambda lib: lib.ones(2).new_zeros(-1), RuntimeError)


# ------------------------------------------------------------------ legacy tensor types
@pytest.mark.parametrize("name", ["FloatTensor", "DoubleTensor", "LongTensor", "IntTensor",
                                  "ByteTensor", "BoolTensor", "HalfTensor", "ShortTensor",
                                  "CharTensor"])
def test_legacy_tensor_types(name):
    ours, theirs = getattr(ln, name), getattr(torch, name)
    same(ours([1, 0, 1]), theirs([1, 0, 1]))
    same(ours(np.array([1.0, 2.0])), theirs(np.array([1.0, 2.0])))
    assert ours(2, 3).shape == (2, 3) and ours(2, 3).dtype == np_dtype(theirs(2, 3).dtype)
    assert ours().shape == (0,)
    made = ours([1])
    assert isinstance(made, ours) and isinstance(made, ln.Tensor)
    assert ln.ones(1).type(ours).type() == torch.ones(1).type(theirs).type() == f"torch.{name}"


def test_legacy_isinstance_checks_the_dtype():
    assert isinstance(ln.ones(2), ln.FloatTensor)
    assert not isinstance(ln.ones(2, dtype=ln.long), ln.FloatTensor)
    same(ln.LongTensor([1.5, 2]), torch.LongTensor([1.5, 2]))
