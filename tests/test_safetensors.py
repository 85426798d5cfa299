"""lucidnet.safetensors: our own reader / writer of the format, checked against the reference
package (``safetensors``) and PyTorch where installed; ln.save / ln.load of .safetensors files."""

import io
import json
import struct
import sys

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn
from lucidnet import safetensors as st
from lucidnet.io import ModelFileError

DTYPES = [np.float64, np.float32, np.float16, np.int64, np.int32, np.int16, np.int8, np.uint64,
          np.uint32, np.uint16, np.uint8, np.bool_, np.complex64]
SHAPES = [(), (0,), (2, 0, 3), (1,), (5,), (2, 3, 4)]


def _ref():
    return pytest.importorskip("safetensors.numpy")


def _sample(dtype, shape, seed=0):
    rng = np.random.default_rng(seed)
    values = rng.standard_normal(shape) * 50
    if np.dtype(dtype).kind == "c":
        values = values + 1j * rng.standard_normal(shape)
    if np.dtype(dtype).kind == "b":
        return np.asarray(values > 0)
    if np.dtype(dtype).kind == "u":
        values = np.abs(values)
    return np.asarray(values).astype(dtype)


def _assert_same(a: dict, b: dict):
    assert list(a) == list(b) or sorted(a) == sorted(b)
    for k in a:
        assert a[k].dtype == b[k].dtype and a[k].shape == b[k].shape, k
        np.testing.assert_array_equal(a[k], b[k])


def _header(data: bytes) -> dict:
    (n,) = struct.unpack("<Q", data[:8])
    return json.loads(data[8:8 + n])


# ---------------------------------------------------------------- round trips
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_every_dtype_and_shape_round_trips_and_saves_again_identically(dtype, tmp_path):
    tensors = {f"t{i}": _sample(dtype, shape, i) for i, shape in enumerate(SHAPES)}
    data = st.save(tensors)
    loaded = st.load(data)
    _assert_same(loaded, tensors)
    assert all(v.flags.writeable and v.flags.c_contiguous for v in loaded.values())
    assert st.save(loaded) == data                          # save -> load -> save: same bytes
    st.save_file(tensors, tmp_path / "x.safetensors")
    assert (tmp_path / "x.safetensors").read_bytes() == data
    from_file = st.load_file(tmp_path / "x.safetensors")
    _assert_same(from_file, tensors)
    assert list(from_file) == list(loaded)                  # file order, both ways


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_byte_identical_to_the_reference_and_readable_both_ways(dtype, tmp_path):
    ref = _ref()
    tensors = {name: _sample(dtype, shape, i)
               for i, (name, shape) in enumerate(zip("zyxwvu", SHAPES))}
    tensors["mixed.f32"] = _sample(np.float32, (3, 2))    # other dtypes sort around it
    tensors["mixed.i8"] = _sample(np.int8, (7,))
    for metadata in (None, {}, {"format": "pt"}):
        ours = st.save(tensors, metadata)
        assert ours == ref.save(tensors, metadata)
        _assert_same(ref.load(ours), tensors)
        ref.save_file(tensors, tmp_path / "ref.safetensors", metadata)
        _assert_same(st.load_file(tmp_path / "ref.safetensors"), tensors)
        assert st.read_metadata(tmp_path / "ref.safetensors") == metadata


def test_many_metadata_keys_equal_up_to_their_order_and_unicode_names(tmp_path):
    ref = _ref()
    metadata = {"zeta": "1", "alpha": "é \"quoted\" \n\t\x01 \u2028 ✓", "mid": "", "beta": "{}"}
    tensors = {"ünïcode.weight ✓": np.ones((2, 2), np.float32), "a\"b\\c\n": np.arange(3)}
    ours, theirs = st.save(tensors, metadata), ref.save(tensors, metadata)
    assert len(ours) == len(theirs) and _header(ours) == _header(theirs)
    assert ours[8 + struct.unpack("<Q", ours[:8])[0]:] == theirs[8 + struct.unpack(
        "<Q", theirs[:8])[0]:]
    assert list(_header(ours)["__metadata__"]) == sorted(metadata)   # ours is deterministic
    assert st.save(tensors, metadata) == ours
    assert st.save(tensors, dict(reversed(list(metadata.items())))) == ours
    ref.save_file(tensors, tmp_path / "r.safetensors", metadata)
    with st.safe_open(tmp_path / "r.safetensors") as f:
        assert f.metadata() == metadata
        assert f.keys() == sorted(tensors)
        np.testing.assert_array_equal(f.get_tensor("a\"b\\c\n"), np.arange(3))


def test_noncontiguous_big_endian_and_tensor_inputs_are_converted():
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    tensors = {"t": base.T, "step": base[::2, 1::3], "big": base.astype(">f4"),
               "tensor": ln.tensor(base, requires_grad=True), "param": nn.Linear(2, 3).weight,
               "scalar": np.float64(3.5)}
    loaded = st.load(st.save(tensors))
    for k in ("t", "step", "big"):
        np.testing.assert_array_equal(loaded[k], tensors[k])
        assert loaded[k].dtype == np.float32
    np.testing.assert_array_equal(loaded["tensor"], base)
    np.testing.assert_array_equal(loaded["param"], tensors["param"].data)
    assert loaded["scalar"].shape == () and loaded["scalar"] == 3.5


def test_converted_inputs_give_the_reference_bytes_of_the_plain_arrays():
    ref = _ref()
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    ours = st.save({"t": base.T, "big": base.astype(">f4"), "tensor": ln.tensor(base)})
    assert ours == ref.save({"t": np.ascontiguousarray(base.T), "big": base, "tensor": base})


def test_save_refuses_what_the_format_cannot_hold():
    with pytest.raises(TypeError, match="'c'.*complex128"):
        st.save({"c": np.zeros(2, np.complex128)})
    with pytest.raises(TypeError, match="dtype <U1"):
        st.save({"s": np.array(["a"])})
    with pytest.raises(TypeError, match="'lst' is a list"):
        st.save({"lst": [1.0, 2.0]})
    with pytest.raises(TypeError, match="names must be str"):
        st.save({1: np.zeros(1)})
    with pytest.raises(ValueError, match="reserved"):
        st.save({"__metadata__": np.zeros(1)})
    with pytest.raises(TypeError, match="str to str.*'n': int"):
        st.save({"a": np.zeros(1)}, metadata={"n": 1})
    with pytest.raises(TypeError, match="dict of name"):
        st.save(np.zeros(3))


def test_a_failed_save_leaves_the_previous_file(tmp_path):
    path = tmp_path / "w.safetensors"
    st.save_file({"a": np.ones(3)}, path)
    before = path.read_bytes()
    with pytest.raises(TypeError):
        st.save_file({"a": np.ones(3), "b": object()}, path)
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == [path.name]


def test_same_array_under_two_names_is_written_twice_as_the_reference():
    ref = _ref()
    shared = np.arange(4, dtype=np.float32)
    tensors = {"a": shared, "b": shared}
    assert st.save(tensors) == ref.save(tensors)
    loaded = st.load(st.save(tensors))
    assert not np.shares_memory(loaded["a"], loaded["b"])


# ---------------------------------------------------------------- files of other tools
def test_bf16_loads_as_exact_float32_and_f8_is_a_clear_error(tmp_path):
    torch = pytest.importorskip("torch")
    storch = pytest.importorskip("safetensors.torch")
    values = torch.randn(3, 5, dtype=torch.float32).to(torch.bfloat16)
    values[0, :4] = torch.tensor([float("inf"), float("-inf"), 0.0, -0.0])
    storch.save_file({"w": values, "h": values.to(torch.float16)}, tmp_path / "b.safetensors")
    loaded = st.load_file(tmp_path / "b.safetensors")
    assert loaded["w"].dtype == np.float32 and loaded["h"].dtype == np.float16
    np.testing.assert_array_equal(loaded["w"], values.float().numpy())
    assert np.signbit(loaded["w"][0, 3])
    np.testing.assert_array_equal(loaded["h"], values.to(torch.float16).numpy())
    if hasattr(torch, "float8_e4m3fn"):
        storch.save_file({"q": torch.zeros(2, dtype=torch.float8_e4m3fn)},
                         tmp_path / "f8.safetensors")
        with pytest.raises(ModelFileError, match="f8.safetensors.*'q'.*F8_E4M3.*cannot"):
            st.load_file(tmp_path / "f8.safetensors")


def _torch_cnn(torch):
    tnn = torch.nn
    return tnn.Sequential(tnn.Conv2d(3, 4, 3, padding=1), tnn.BatchNorm2d(4), tnn.ReLU(),
                          tnn.MaxPool2d(2), tnn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2),
                          tnn.GELU(), tnn.Flatten(), tnn.Linear(24, 8), tnn.LayerNorm(8),
                          tnn.Tanh(), tnn.Linear(8, 3))


def _our_cnn():
    return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2),
                         nn.GELU(), nn.Flatten(), nn.Linear(24, 8), nn.LayerNorm(8), nn.Tanh(),
                         nn.Linear(8, 3))


def _trained_torch_cnn(torch):
    torch.manual_seed(0)
    model = _torch_cnn(torch)
    with torch.no_grad():  # running statistics and num_batches_tracked away from their start
        for _ in range(3):
            model(torch.randn(6, 3, 8, 8) * 2 + 1)
    return model.eval()


def test_a_pytorch_model_saved_with_safetensors_loads_and_gives_the_same_outputs(tmp_path):
    torch = pytest.importorskip("torch")
    storch = pytest.importorskip("safetensors.torch")
    model = _trained_torch_cnn(torch)
    path = tmp_path / "torch.safetensors"
    storch.save_file(model.state_dict(), path)
    assert path.read_bytes() == st.save({k: v.numpy() for k, v in model.state_dict().items()})
    state = ln.load(path, weights_only=True, map_location="cpu")
    assert isinstance(state, dict) and sorted(state) == sorted(model.state_dict())
    assert all(isinstance(v, ln.Tensor) for v in state.values())
    assert state["1.num_batches_tracked"].dtype == np.int64 and \
        int(state["1.num_batches_tracked"].data) == 3
    ours = _our_cnn()
    ours.load_state_dict(ln.load(path))
    ours.eval()
    x = np.random.default_rng(1).standard_normal((5, 3, 8, 8)).astype(np.float32)
    with torch.no_grad():
        expected = model(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(ln.tensor(x)).data, expected, rtol=1e-5, atol=1e-5)
    assert int(ours[1].num_batches_tracked) == 3
    # the upstream-named helper gives the same
    again = _our_cnn()
    assert st.load_model(again, path) == ([], [])
    np.testing.assert_array_equal(again.eval()(ln.tensor(x)).data, ours(ln.tensor(x)).data)


@pytest.mark.parametrize("half", ["float16", "bfloat16"])
def test_half_precision_pytorch_files_load_into_a_float32_model(half, tmp_path):
    torch = pytest.importorskip("torch")
    storch = pytest.importorskip("safetensors.torch")
    model = _trained_torch_cnn(torch).to(getattr(torch, half))
    path = tmp_path / f"{half}.safetensors"
    storch.save_file(model.state_dict(), path)
    ours = _our_cnn()
    ours.load_state_dict(ln.load(path))
    assert ours[0].weight.dtype == np.float32
    model = model.float()  # the same (rounded) weights in float32 on the PyTorch side
    x = np.random.default_rng(2).standard_normal((4, 3, 8, 8)).astype(np.float32)
    with torch.no_grad():
        expected = model(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours.eval()(ln.tensor(x)).data, expected, rtol=1e-5, atol=1e-5)


def test_our_model_file_loads_in_pytorch(tmp_path):
    torch = pytest.importorskip("torch")
    storch = pytest.importorskip("safetensors.torch")
    ln.manual_seed(0)
    ours = _our_cnn()
    ours(ln.randn(4, 3, 8, 8))
    ours.eval()
    path = ln.save(ours, tmp_path / "ours.safetensors")
    model = _torch_cnn(torch)
    model.load_state_dict(storch.load_file(path))
    x = np.random.default_rng(3).standard_normal((2, 3, 8, 8)).astype(np.float32)
    with torch.no_grad():
        expected = model.eval()(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(ln.tensor(x)).data, expected, rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------- ln.save / ln.load
def test_ln_save_a_model_loads_back_with_architecture_metadata_and_same_bytes(tmp_path):
    ln.manual_seed(0)
    model = _our_cnn()
    model(ln.randn(4, 3, 8, 8))
    model.eval()
    path = tmp_path / "m.safetensors"
    assert ln.save(model, path, metadata={"classes": ["a", "b", "c"], "acc": 0.5}) == str(path)
    loaded, meta = ln.load(path, with_metadata=True)
    assert repr(loaded) == repr(model) and meta == {"classes": ["a", "b", "c"], "acc": 0.5}
    x = ln.randn(3, 3, 8, 8)
    np.testing.assert_array_equal(loaded.eval()(x).data, model(x).data)
    assert ln.load(path).training  # as with .npz: loaded models start in training mode
    ln.save(loaded, tmp_path / "again.safetensors", metadata=meta)
    assert (tmp_path / "again.safetensors").read_bytes() == path.read_bytes()
    ln.save(model, path, metadata={"mean": np.array([0.5, 1.5]), "n": np.int64(3)})
    assert ln.load(path, with_metadata=True)[1] == {"mean": [0.5, 1.5], "n": 3}
    header = st.read_metadata(path)
    assert sorted(header) == ["lucidnet", "lucidnet.metadata"]
    assert json.loads(header["lucidnet"])["config"] == ln.io.model_config(model)


def test_float64_model_and_a_model_with_tied_weights(tmp_path):
    ln.set_default_dtype(np.float64)
    try:
        shared = nn.Linear(3, 3)
        model = nn.Sequential(shared, nn.Tanh(), shared, nn.Linear(3, 2))
    finally:
        ln.set_default_dtype(np.float32)
    path = ln.save(model, tmp_path / "tied.safetensors")
    stored = st.load_file(path)
    assert sorted(stored) == ["0.bias", "0.weight", "3.bias", "3.weight"]  # stored once
    assert stored["0.weight"].dtype == np.float64
    loaded = ln.load(path)
    assert loaded[0] is loaded[2] and loaded[0].weight.dtype == np.float64
    x = ln.tensor(np.random.default_rng(0).standard_normal((4, 3)))
    np.testing.assert_array_equal(loaded(x).data, model(x).data)
    fresh = nn.Sequential(nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 3), nn.Linear(3, 2))
    assert st.load_model(fresh, path) == ([], [])         # the aliases fill "2.weight"
    np.testing.assert_array_equal(fresh[2].weight.data, model[0].weight.data.astype(np.float32))


def test_ln_save_a_state_dict_and_load_it_as_an_ordered_dict_of_tensors(tmp_path):
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 1))
    path = tmp_path / "sd.safetensors"
    ln.save(model.state_dict(), path, metadata={"source": "test"})
    state, meta = ln.load(path, with_metadata=True)
    assert meta == {"source": "test"} and type(state).__name__ == "OrderedDict"
    fresh = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 1))
    fresh.load_state_dict(state)
    for (k, a), b in zip(model.state_dict().items(), fresh.state_dict().values()):
        np.testing.assert_array_equal(a, b, err_msg=k)
    ln.save(ln.load(path), tmp_path / "sd2.safetensors", metadata=meta)
    assert (tmp_path / "sd2.safetensors").read_bytes() == path.read_bytes()


def test_format_detected_from_the_first_bytes(tmp_path):
    data = st.save({"w": np.arange(3.0)}, {"k": "v"})
    (tmp_path / "weights.bin").write_bytes(data)
    np.testing.assert_array_equal(ln.load(tmp_path / "weights.bin")["w"].data, np.arange(3.0))
    buffer = io.BytesIO(b"junk" + data)
    buffer.read(4)
    state, meta = ln.load(buffer, with_metadata=True)
    assert meta == {"k": "v"} and list(state) == ["w"]
    ln.save({"w": np.ones(2)}, tmp_path / "x.npz")        # npz by any other name is unchanged
    assert ln.load(tmp_path / "x.npz")["w"].shape == (2,)
    model = nn.Linear(2, 2)
    (tmp_path / "model.pt").write_bytes(open(ln.save(model, tmp_path / "m.safetensors"),
                                             "rb").read())
    assert isinstance(ln.load(tmp_path / "model.pt"), nn.Linear)
    upper = ln.save({"a": np.ones(1)}, tmp_path / "UP.SAFETENSORS")
    assert open(upper, "rb").read() == st.save({"a": np.ones(1)})


def test_what_a_safetensors_file_cannot_hold_is_refused_clearly(tmp_path):
    path = tmp_path / "c.safetensors"
    model = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="'optimizer' is of type dict.*\\.npz or \\.pth"):
        ln.save({"weight": model.weight, "optimizer": {"lr": 0.1}}, path)
    with pytest.raises(TypeError, match="'epoch' is of type int"):
        ln.save({"epoch": 3, "model_state_dict": model.state_dict()}, path)
    with pytest.raises(TypeError, match="named tensors only.*of type Tensor"):
        ln.save(ln.ones(3), path)
    with pytest.raises(TypeError, match="str to str"):
        ln.save(model.state_dict(), path, metadata={"epoch": 3})
    with pytest.raises(TypeError, match="JSON-able"):
        ln.save(model, path, metadata={"bad": object()})
    assert not path.exists()
    model.weight.data[0, 0] = np.nan
    with pytest.raises(ValueError, match="non-finite.*allow_nonfinite"):
        ln.save(model, path)
    assert not path.exists()
    ln.save(model, path, allow_nonfinite=True)
    assert np.isnan(ln.load(path).weight.data[0, 0])
    ln.save(model.state_dict(), path)                     # a state dict keeps nan as in .npz
    assert np.isnan(ln.load(path)["weight"].data[0, 0])
    with pytest.raises(RuntimeError):
        ln.load(path, map_location="cuda")


# ---------------------------------------------------------------- malformed files
def _raw(header, data=b"", *, text=None):
    body = text if text is not None else json.dumps(header).encode()
    return struct.pack("<Q", len(body)) + body + data


F32_1 = {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}
MALFORMED = {
    "empty file": (b"", "shorter than the 8-byte header length"),
    "seven bytes": (b"\x08\0\0\0\0\0\0", "shorter than the 8-byte"),
    "huge header length": (struct.pack("<Q", 2**63) + b"{}", "more than the 100000000"),
    "header past the end": (struct.pack("<Q", 1000) + b"{}", "holds only 2.*truncated"),
    "truncated data": (_raw({"a": F32_1}, b"\0\0"), "cover 4 bytes.*holds 2.*truncated"),
    "extra bytes": (_raw({"a": F32_1}, b"\0" * 5), "holds 5.*extra bytes"),
    "bad json": (_raw(None, b"", text=b'{"a": {"dtype": "F32",'), "not valid JSON"),
    "nan in json": (_raw(None, b"", text=b'{"a": NaN}'), "NaN, which is not JSON"),
    "not an object": (_raw([1, 2]), "must be a JSON object, got a list"),
    "bad utf-8": (_raw(None, b"", text=b'{"\xff": 1}'), "not valid UTF-8"),
    "duplicate key": (_raw(None, b"\0" * 8, text=b'{"a": {"dtype": "F32", "shape": [1], '
                           b'"data_offsets": [0, 4]}, "a": {"dtype": "F32", "shape": [1], '
                           b'"data_offsets": [4, 8]}}'), "names 'a' twice"),
    "overlapping offsets": (_raw({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                                  "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}},
                                 b"\0" * 8), "'b'.*overlaps"),
    "gap": (_raw({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, b"\0" * 8),
            "gap of 4 bytes"),
    "wrong size": (_raw({"a": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 12]}},
                        b"\0" * 12), "needs 16 bytes but its data_offsets span 12"),
    "size overflow": (_raw({"a": {"dtype": "F64", "shape": [2**40, 2**40],
                                  "data_offsets": [0, 8]}}, b"\0" * 8), "needs .* bytes"),
    "end before begin": (_raw({"a": {"dtype": "U8", "shape": [0], "data_offsets": [4, 0]}},
                              b"\0" * 4), "end before begin"),
    "unknown dtype": (_raw({"a": {"dtype": "F31", "shape": [1], "data_offsets": [0, 4]}},
                           b"\0" * 4), "unknown dtype 'F31'; known: .*BF16"),
    "lowercase dtype": (_raw({"a": {"dtype": "f32", "shape": [1], "data_offsets": [0, 4]}},
                             b"\0" * 4), "unknown dtype 'f32'"),
    "negative dim": (_raw({"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}},
                          b"\0" * 4), "non-negative integer, got -1"),
    "float dim": (_raw({"a": {"dtype": "F32", "shape": [1.0], "data_offsets": [0, 4]}},
                       b"\0" * 4), "non-negative integer, got 1.0"),
    "bool dim": (_raw({"a": {"dtype": "F32", "shape": [True], "data_offsets": [0, 4]}},
                      b"\0" * 4), "non-negative integer, got True"),
    "three offsets": (_raw({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4, 4]}},
                           b"\0" * 4), r"must be \[begin, end\]"),
    "missing shape": (_raw({"a": {"dtype": "F32", "data_offsets": [0, 4]}}, b"\0" * 4),
                      "'dtype', 'shape' and 'data_offsets'"),
    "metadata not strings": (_raw({"__metadata__": {"n": 1}}), "object of strings"),
    "metadata nested": (_raw({"__metadata__": {"n": {"m": "x"}}}), "object of strings"),
    "trailing garbage in header": (_raw(None, b"", text=b'{}\0\0\0\0\0\0'), "not valid JSON"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_every_malformed_file_is_a_clear_error(case, tmp_path):
    data, message = MALFORMED[case]
    path = tmp_path / "bad.safetensors"
    path.write_bytes(data)
    for read in (st.load_file, ln.load, st.read_metadata):   # the message names the file
        with pytest.raises(ModelFileError, match=f"bad.safetensors.*{message}"):
            read(path)
    with pytest.raises(ModelFileError, match=f"the safetensors bytes.*{message}"):
        st.load(data)
    with pytest.raises(ModelFileError, match=message):
        ln.load(io.BytesIO(data)) if st.is_safetensors(data[:9]) else st.load(data)



@pytest.mark.parametrize("case", sorted(set(MALFORMED) - {"duplicate key"}))
def test_the_reference_refuses_the_same_files(case):
    ref = _ref()  # (it reads a duplicated name as one tensor, then finds the offsets wrong)
    with pytest.raises(Exception):  # noqa: B017 -- its error types vary (KeyError, its own)
        ref.load(MALFORMED[case][0])


def test_accepted_like_the_reference_padding_extra_fields_null_metadata_empty(tmp_path):
    cases = [_raw(None, b"\0" * 4, text=b' {"a": {"dtype": "F32", "shape": [1], '
                  b'"data_offsets": [0, 4], "note": 1}}   '),
             _raw({"__metadata__": None, "a": F32_1}, b"\0" * 4),
             _raw({"a": {"dtype": "F32", "shape": [0], "data_offsets": [0, 0]},
                   "b": {"dtype": "I8", "shape": [0, 3], "data_offsets": [0, 0]}}),
             _raw({})]
    for data in cases:
        loaded = st.load(data)
        assert all(v.size == 0 or v.tolist() == [0.0] for v in loaded.values())
    assert st.load(_raw({})) == {} and st.save({}) == b"\x08" + b"\0" * 7 + b"{}      "


def test_loading_never_imports_or_runs_code(tmp_path):
    document = {"format": "lucidnet-2", "kind": "model", "dtype": "float32",
                "config": {"class": "evil_module_xyz.Payload", "args": [], "kwargs": {},
                           "children": {}}}
    path = tmp_path / "evil.safetensors"
    st.save_file({"w": np.zeros(1)}, path, {"lucidnet": json.dumps(document)})
    with pytest.raises(ModelFileError, match="evil.safetensors.*unknown layer class"):
        ln.load(path)
    assert "evil_module_xyz" not in sys.modules
    st.save_file({"w": np.zeros(1)}, path, {"lucidnet": "{not json"})
    with pytest.raises(ModelFileError, match="'lucidnet' metadata is not JSON"):
        ln.load(path)
    model = nn.Linear(2, 2)
    ln.save(model, path)
    data = st.load_file(path)
    data["weight"] = np.zeros((3, 3), np.float32)         # weights that do not fit the tree
    st.save_file(data, path, st.read_metadata(path))
    with pytest.raises(ModelFileError, match="evil.safetensors.*does not fit"):
        ln.load(path)


def test_safe_open_reads_lazily_and_reports_names(tmp_path):
    path = tmp_path / "lazy.safetensors"
    st.save_file({"b": np.ones((2, 2), np.float32), "a": np.arange(3)}, path)
    with st.safe_open(path, framework="np") as f:
        assert f.keys() == ["a", "b"] and f.offset_keys() == ["a", "b"]
        assert f.metadata() is None
        weight = f.get_tensor("b")
        weight[0, 0] = 7                                  # a writeable copy
        np.testing.assert_array_equal(f.get_tensor("b"), np.ones((2, 2)))
        with pytest.raises(KeyError, match="no tensor 'c'"):
            f.get_tensor("c")
    with pytest.raises(ValueError, match="closed"):
        f.get_tensor("a")
    with pytest.raises(ValueError, match="never imports torch"):
        st.safe_open(path, framework="pt")
    with pytest.raises(FileNotFoundError):
        st.load_file(tmp_path / "missing.safetensors")
    with pytest.raises(FileNotFoundError, match="no such lucidnet file"):
        ln.load(tmp_path / "missing.safetensors")


def test_damaged_bytes_load_or_raise_model_file_error_never_anything_else():
    rng = np.random.default_rng(0)
    good = st.save({"w": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.arange(2),
                    "m": np.ones(1, np.bool_)}, {"k": "v"})
    for _ in range(400):
        data = bytearray(good)
        for position in rng.integers(0, len(data), rng.integers(1, 4)):
            data[position] = rng.integers(0, 256)
        if rng.random() < 0.3:
            data = data[:rng.integers(0, len(data))]
        try:
            loaded = st.load(bytes(data))
        except ModelFileError:
            continue
        assert all(isinstance(v, np.ndarray) for v in loaded.values())


def test_bytes_like_inputs_and_file_objects(tmp_path):
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    data = st.save({k: np.asarray(v) for k, v in model.state_dict().items()})
    for given in (data, bytearray(data), memoryview(data)):
        assert sorted(st.load(given)) == ["0.bias", "0.weight"]
    with pytest.raises(TypeError, match="reads bytes"):
        st.load("model.safetensors")
    path = ln.save(model, tmp_path / "m.safetensors")
    with open(path, "rb") as f:
        rebuilt = ln.load(io.BytesIO(f.read()))
    assert repr(rebuilt) == repr(model)
    np.testing.assert_array_equal(rebuilt[0].weight.data, model[0].weight.data)


def test_a_tied_pytorch_model_saved_with_save_model_loads_with_load_model(tmp_path):
    torch = pytest.importorskip("torch")
    storch = pytest.importorskip("safetensors.torch")
    torch.manual_seed(0)
    shared = torch.nn.Linear(3, 3)
    model = torch.nn.Sequential(shared, torch.nn.Tanh(), shared, torch.nn.Linear(3, 2))
    path = tmp_path / "tied.safetensors"
    storch.save_model(model, path)                         # stores the tied weights once
    assert len(st.load_file(path)) == 4
    ours_shared = nn.Linear(3, 3)
    ours = nn.Sequential(ours_shared, nn.Tanh(), ours_shared, nn.Linear(3, 2))
    assert st.load_model(ours, path) == ([], [])
    x = np.random.default_rng(4).standard_normal((5, 3)).astype(np.float32)
    with torch.no_grad():
        expected = model(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(ln.tensor(x)).data, expected, rtol=1e-5, atol=1e-6)
