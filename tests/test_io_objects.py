"""lucidnet.save / lucidnet.load of general objects, as torch.save / torch.load in tutorials:
state dicts, checkpoint dicts (model + optimizer + loss), tensors, nested containers; BytesIO;
PyTorch (pickle) files refused; plain NumPy .npz read as a state dict; clear errors."""

import collections
import io
import json
import math
import os
import zipfile

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn, optim
from lucidnet.autograd.data_array import DataArray
from lucidnet.io import ModelFileError, load_state


def _round_trip(obj, tmp_path, name="obj.pth"):
    path = tmp_path / name
    assert ln.save(obj, path) == os.fspath(path)
    return ln.load(path)


def _same(a, b):
    """Deep equality that also compares types, dtypes, shapes, nan and the order of dict keys."""
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, ln.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape and a.requires_grad == b.requires_grad
        np.testing.assert_array_equal(a.data, b.data)
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, np.generic):
        assert a.dtype == b.dtype and (a == b or (np.isnan(a) and np.isnan(b)))
    elif isinstance(a, dict):
        assert list(a) == list(b) and [type(k) for k in a] == [type(k) for k in b]
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b)
    else:
        assert a == b and (not isinstance(a, float) or math.copysign(1, a) == math.copysign(1, b))


def _members(path):
    """The JSON document and the arrays of a lucidnet file, read without pickle."""
    with np.load(path, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    return json.loads(str(arrays.pop("__lucidnet__.json"))), arrays


def _rewrite(path, change):
    doc, arrays = _members(path)
    change(doc, arrays)
    with open(path, "wb") as f:  # a file object: numpy adds no .npz to the name
        np.savez(f, **arrays, **{"__lucidnet__.json": np.array(json.dumps(doc))})


# ---------------------------------------------------------------- every type round-trips
@pytest.mark.parametrize("value", [
    "text", "", "ünïcode ✓", 0, -7, 2**100, 0.1, -0.0, 1e308, math.inf, -math.inf, math.nan,
    True, False, None, [], (), {}, [1, [2, [3]]], (1, (2.5, "x")),
])
def test_python_values_round_trip_with_their_types(tmp_path, value):
    _same(value, _round_trip(value, tmp_path))


def test_dict_keys_order_and_container_types_are_kept(tmp_path):
    obj = {"b": 1, "a": 2, 3: "int key", 0: "zero", 1.5: "float key", True: "bool key",
           None: "none key", "nested": collections.OrderedDict([("z", 1), ("y", [1, (2,)])])}
    back = _round_trip(obj, tmp_path)
    _same(obj, back)
    assert type(back) is dict and type(back["nested"]) is collections.OrderedDict
    assert list(back) == ["b", "a", 3, 0, 1.5, True, None, "nested"]
    assert type(back["nested"]["y"]) is list and type(back["nested"]["y"][1]) is tuple


def test_namedtuples_and_dict_subclasses_come_back_as_tuples_and_dicts(tmp_path):
    Point = collections.namedtuple("Point", "x y")
    back = _round_trip({"p": Point(1, 2), "d": collections.defaultdict(list, a=[1])}, tmp_path)
    assert type(back["p"]) is tuple and back["p"] == (1, 2)
    assert type(back["d"]) is dict and back["d"] == {"a": [1]}


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "uint8", "bool"])
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 0, 3), (2, 3)])
def test_tensors_keep_dtype_shape_and_values(tmp_path, dtype, shape):
    data = (np.arange(math.prod(shape)).reshape(shape) % 3).astype(dtype)
    t = ln.tensor(data)
    back = _round_trip(t, tmp_path)
    _same(t, back)
    assert type(back) is ln.Tensor and back.grad_fn is None


def test_requires_grad_parameters_and_non_contiguous_tensors(tmp_path):
    w = ln.randn(3, 4, requires_grad=True)
    p = nn.Parameter(ln.randn(2, 2))
    frozen = nn.Parameter(ln.zeros(2), requires_grad=False)
    made = (w * 2).sum(0)  # a non-leaf: saved as its values, loads as a leaf
    back = _round_trip({"w": w, "p": p, "frozen": frozen, "t": w.T, "made": made}, tmp_path)
    assert back["w"].requires_grad and type(back["w"]) is ln.Tensor
    assert type(back["p"]) is nn.Parameter and back["p"].requires_grad
    assert type(back["frozen"]) is nn.Parameter and not back["frozen"].requires_grad
    np.testing.assert_array_equal(back["t"].data, w.data.T)
    assert back["made"].requires_grad and back["made"].is_leaf
    np.testing.assert_array_equal(back["made"].data, made.data)
    back["w"].sum().backward()  # a loaded tensor is a usable leaf
    np.testing.assert_array_equal(back["w"].grad.data, np.ones((3, 4), np.float32))


def test_numpy_arrays_and_scalars_keep_their_types(tmp_path):
    obj = {"f32": np.ones((2, 3), np.float32), "c": np.array([1 + 2j]), "s": np.array(["ab", "c"]),
           "b": np.array([True, False]), "big": np.arange(6, dtype=">i4").reshape(2, 3),
           "fortran": np.asfortranarray(np.arange(6.0).reshape(2, 3)),
           "data_array": ln.nn.Linear(2, 2).weight.data,
           "np_f32": np.float32(1.5), "np_i64": np.int64(-3), "np_bool": np.bool_(True),
           "np_c": np.complex128(1 - 1j), "np_nan": np.float64(np.nan)}
    back = _round_trip(obj, tmp_path)
    _same(obj, back)
    assert type(back["data_array"]) is DataArray and type(back["f32"]) is np.ndarray
    assert type(back["np_f32"]) is np.float32 and type(back["np_bool"]) is np.bool_


def test_the_same_array_saved_twice_is_stored_once_and_shared(tmp_path):
    a = np.arange(4.0)
    back = _round_trip({"x": a, "y": [a], "t": ln.from_numpy(a)}, tmp_path)
    _, arrays = _members(tmp_path / "obj.pth")
    assert len(arrays) == 1
    back["x"][0] = 10.0
    assert back["y"][0][0] == 10.0 and back["t"].data[0] == 10.0


def test_modules_alone_and_nested_in_a_dict(tmp_path):
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    back = _round_trip({"model": model, "epoch": 2}, tmp_path)
    assert repr(back["model"]) == repr(model) and back["epoch"] == 2
    x = ln.randn(5, 3)
    np.testing.assert_array_equal(back["model"](x).data, model(x).data)
    alone = _round_trip(model, tmp_path, "model.pt")  # the model format of lucidnet.save
    np.testing.assert_array_equal(alone(x).data, model(x).data)
    assert load_state(tmp_path / "model.pt")["kind"] == "model"


def test_non_finite_values_are_kept_in_objects_but_refused_in_modules(tmp_path):
    back = _round_trip({"loss": math.nan, "t": ln.tensor([np.inf, np.nan])}, tmp_path)
    assert math.isnan(back["loss"]) and np.isinf(back["t"].data[0]) and np.isnan(back["t"].data[1])
    model = nn.Linear(2, 1)
    model.weight.data[0, 0] = np.nan
    with pytest.raises(ValueError, match=r"Linear at obj\['model'\].*'weight' holds 1 non-finite"
                                         r".*allow_nonfinite"):
        ln.save({"model": model}, tmp_path / "bad.pth")
    assert not (tmp_path / "bad.pth").exists()
    ln.save({"model": model}, tmp_path / "ok.pth", allow_nonfinite=True)
    assert np.isnan(ln.load(tmp_path / "ok.pth")["model"].weight.data[0, 0])


# ---------------------------------------------------------------- where it is written
def test_bytesio_and_path_objects(tmp_path):
    obj = {"a": ln.tensor([1.0, 2.0]), "b": [1, "x"]}
    buffer = io.BytesIO()
    assert ln.save(obj, buffer) is None
    buffer.seek(0)
    _same(obj, ln.load(buffer))
    model = nn.Linear(2, 3)
    buffer = io.BytesIO()
    ln.save(model, buffer)
    buffer.seek(0)
    np.testing.assert_array_equal(ln.load(buffer).weight.data, model.weight.data)
    for name in ["model.pth", "model.pt", "weights.npz", "no_extension"]:
        assert ln.save(obj, str(tmp_path / name)) == str(tmp_path / name)
        _same(obj, ln.load(str(tmp_path / name)))
    assert sorted(os.listdir(tmp_path)) == ["model.pt", "model.pth", "no_extension", "weights.npz"]


def test_second_save_over_the_same_path_replaces_it_atomically(tmp_path):
    path = tmp_path / "ckpt.pth"
    ln.save({"epoch": 1}, path)
    ln.save({"epoch": 2, "w": ln.ones(3)}, path)
    assert ln.load(path)["epoch"] == 2
    with pytest.raises(TypeError):
        ln.save({"epoch": 3, "bad": object()}, path)  # refused before anything is written
    assert ln.load(path)["epoch"] == 2 and os.listdir(tmp_path) == ["ckpt.pth"]


def test_save_load_save_gives_the_same_content(tmp_path):
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    opt = optim.Adam(model.parameters(), lr=0.01)
    model(ln.randn(4, 2)).sum().backward()
    opt.step()
    obj = {"sd": model.state_dict(), "opt": opt.state_dict(), "t": ln.randn(2, requires_grad=True),
           "n": np.float32(2.0), "tuple": (1, None), 5: [0.5, math.inf]}
    ln.save(obj, tmp_path / "a.pth")
    ln.save(ln.load(tmp_path / "a.pth"), tmp_path / "b.pth")
    assert (tmp_path / "a.pth").read_bytes() == (tmp_path / "b.pth").read_bytes()
    buffer = io.BytesIO()
    ln.save(obj, buffer)
    assert buffer.getvalue() == (tmp_path / "a.pth").read_bytes()
    ln.save(model, tmp_path / "m1.pt")
    ln.save(ln.load(tmp_path / "m1.pt"), tmp_path / "m2.pt")
    assert (tmp_path / "m1.pt").read_bytes() == (tmp_path / "m2.pt").read_bytes()
    doc_a, arrays_a = _members(tmp_path / "a.pth")
    doc_b, arrays_b = _members(tmp_path / "b.pth")
    assert json.dumps(doc_a, allow_nan=True) == json.dumps(doc_b, allow_nan=True)
    assert arrays_a.keys() == arrays_b.keys()
    for key in arrays_a:
        assert arrays_a[key].dtype == arrays_b[key].dtype
        np.testing.assert_array_equal(arrays_a[key], arrays_b[key])


def test_files_are_zips_of_npy_arrays_and_one_json_text(tmp_path):
    ln.save({"w": ln.ones(2)}, tmp_path / "x.pth")
    with zipfile.ZipFile(tmp_path / "x.pth") as z:
        assert all(n.endswith(".npy") for n in z.namelist())
    doc, _ = _members(tmp_path / "x.pth")
    assert doc["format"] == "lucidnet-2" and "object" in doc
    assert load_state(tmp_path / "x.pth") == {"kind": "object"}


# ---------------------------------------------------------------- the PyTorch tutorial flows
def _net():
    ln.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))


def _train(model, optimizer, steps, start=0):
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((20, 4, 3)).astype(np.float32)
    loss = None
    for step in range(start, start + steps):
        x = ln.tensor(xs[step])
        optimizer.zero_grad()
        loss = nn.MSELoss()(model(x), x.sum(1, keepdim=True))
        loss.backward()
        optimizer.step()
    return loss


def test_state_dict_save_and_load_state_dict(tmp_path):
    model = _net()
    ln.save(model.state_dict(), tmp_path / "model.pth")
    other = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))
    state = ln.load(tmp_path / "model.pth", weights_only=True)
    assert type(state) is collections.OrderedDict and list(state) == list(model.state_dict())
    other.load_state_dict(state)
    x = ln.randn(5, 3)
    np.testing.assert_array_equal(other(x).data, model(x).data)


@pytest.mark.parametrize("make", [lambda p: optim.Adam(p, lr=0.01),
                                  lambda p: optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
                                  lambda p: optim.RMSprop(p, lr=0.01)])
def test_checkpoint_resume_trains_exactly_as_without_stopping(tmp_path, make):
    model = _net()
    optimizer = make(model.parameters())
    _train(model, optimizer, 10)
    expected = {k: v.copy() for k, v in model.state_dict().items()}

    model = _net()
    optimizer = make(model.parameters())
    loss = _train(model, optimizer, 6)
    ln.save({"epoch": 6, "model_state_dict": model.state_dict(),
             "optimizer_state_dict": optimizer.state_dict(), "loss": loss}, tmp_path / "ckpt.pt")
    del model, optimizer

    model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))
    optimizer = make(model.parameters())
    checkpoint = ln.load(tmp_path / "ckpt.pt", map_location="cpu")
    model.load_state_dict(checkpoint["model_state_dict"])
    optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    assert checkpoint["epoch"] == 6 and isinstance(checkpoint["loss"], ln.Tensor)
    model.train()
    _train(model, optimizer, 4, start=checkpoint["epoch"])
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, expected[key])


def test_optimizer_state_dict_round_trips_exactly(tmp_path):
    model = _net()
    optimizer = optim.Adam(model.parameters(), lr=0.01, betas=(0.8, 0.9))
    _train(model, optimizer, 2)
    state = optimizer.state_dict()
    back = _round_trip(state, tmp_path)
    _same(state, back)
    assert set(back["state"]) == {0, 1, 2, 3}  # int keys stay ints


def test_tensor_save_and_load(tmp_path):
    t = ln.arange(6.0).reshape(2, 3)
    ln.save(t, tmp_path / "tensor.pt")
    _same(t, ln.load(tmp_path / "tensor.pt"))


def test_types_come_back_as_torch_load_gives_them(tmp_path):
    torch = pytest.importorskip("torch")
    obj = {"epoch": 3, "loss": 0.25, "name": "run", "flags": [True, None], "shape": (2, 3),
           7: "int key", "od": collections.OrderedDict(a=1)}
    torch.save(obj, tmp_path / "t.pth")
    theirs = torch.load(tmp_path / "t.pth", weights_only=True)
    ours = _round_trip(obj, tmp_path)
    _same(theirs, ours)
    net = torch.nn.Linear(2, 2)
    torch.save(net.state_dict(), tmp_path / "sd_torch.pth")
    ours = _round_trip(nn.Linear(2, 2).state_dict(), tmp_path, "sd.pth")
    theirs = torch.load(tmp_path / "sd_torch.pth", weights_only=True)
    assert type(ours) is type(theirs) and list(ours) == list(theirs)


# ---------------------------------------------------------------- files from elsewhere
def test_a_real_torch_save_file_is_refused_clearly(tmp_path):
    torch = pytest.importorskip("torch")
    net = torch.nn.Linear(3, 2)
    torch.save(net.state_dict(), tmp_path / "model.pth")
    torch.save(net.state_dict(), tmp_path / "old.pth", _use_new_zipfile_serialization=False)
    torch.save(torch.ones(2), tmp_path / "t.pt")
    for name in ["model.pth", "old.pth", "t.pt"]:
        for weights_only in [None, True]:
            with pytest.raises(ModelFileError, match=name) as info:
                ln.load(tmp_path / name, weights_only=weights_only)
            text = str(info.value)
            assert "PyTorch" in text and "does not unpickle" in text and "numpy.savez" in text
    # the conversion the message gives works
    sd = torch.load(tmp_path / "model.pth", weights_only=True)
    np.savez(tmp_path / "model.npz", **{k: v.numpy() for k, v in sd.items()})
    model = nn.Linear(3, 2)
    model.load_state_dict(ln.load(tmp_path / "model.npz", weights_only=True))
    np.testing.assert_array_equal(model.weight.data, net.weight.detach().numpy())
    buffer = io.BytesIO()
    torch.save(net.state_dict(), buffer)
    buffer.seek(0)
    with pytest.raises(ModelFileError, match="PyTorch"):
        ln.load(buffer)


def test_a_plain_numpy_npz_reads_as_an_ordered_dict_of_tensors(tmp_path):
    arrays = {"layer.weight": np.ones((2, 3), np.float32), "layer.bias": np.zeros(2),
              "steps": np.array(4, np.int64)}
    np.savez(tmp_path / "w.npz", **arrays)
    state = ln.load(tmp_path / "w.npz", weights_only=True)
    assert type(state) is collections.OrderedDict and list(state) == list(arrays)
    for key, value in arrays.items():
        assert type(state[key]) is ln.Tensor and state[key].dtype == value.dtype
        np.testing.assert_array_equal(state[key].data, value)
    with pytest.raises(ModelFileError, match=r"not a lucidnet file.*weights_only=True"):
        ln.load(tmp_path / "w.npz")
    np.savez(tmp_path / "obj.npz", a=np.array([{"x": 1}], dtype=object))
    with pytest.raises(ModelFileError, match="never pickled"):
        ln.load(tmp_path / "obj.npz", weights_only=True)
    np.savez(tmp_path / "str.npz", a=np.array(["x"]))
    with pytest.raises(ModelFileError, match="a tensor holds numbers"):
        ln.load(tmp_path / "str.npz", weights_only=True)


# ---------------------------------------------------------------- bad inputs
class _Thing:
    pass


@pytest.mark.parametrize("bad, where, kind", [
    ({"extra": lambda x: x}, r"obj\['extra'\]", "function"),
    ({"a": [1, _Thing()]}, r"obj\['a'\]\[1\]", "_Thing"),
    ([{1, 2}], r"obj\[0\]", "set"),
    ({"b": b"bytes"}, r"obj\['b'\]", "bytes"),
    ({"c": 1 + 2j}, r"obj\['c'\]", "complex"),
    (_Thing(), "obj", "_Thing"),
])
def test_unsupported_objects_name_their_type_and_place(tmp_path, bad, where, kind):
    with pytest.raises(TypeError, match=f"{kind} at {where}.*never a pickle"):
        ln.save(bad, tmp_path / "x.pth")
    assert not (tmp_path / "x.pth").exists()


def test_other_bad_objects(tmp_path):
    with pytest.raises(TypeError, match=r"obj\['a'\].*dtype object"):
        ln.save({"a": np.array([None])}, tmp_path / "x.pth")
    with pytest.raises(TypeError, match=r"key \(1, 2\) is a tuple"):
        ln.save({(1, 2): 0}, tmp_path / "x.pth")
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match=r"obj\[0\].*contains itself"):
        ln.save(loop, tmp_path / "x.pth")
    with pytest.raises(TypeError, match="metadata=.*is for a Module"):
        ln.save({"a": 1}, tmp_path / "x.pth", metadata={"n": 1})
    with pytest.raises(TypeError, match="path .* or a binary file object"):
        ln.save({"a": 1}, 3)
    with pytest.raises(TypeError, match="or a binary file object"):
        ln.load(3)


def test_load_arguments_as_torch_load(tmp_path):
    path = tmp_path / "x.pth"
    ln.save({"w": ln.ones(2)}, path)
    for location in ["cpu", "cpu:0", ln.device("cpu"), {"cuda:0": "cpu"},
                     {"cuda:0": "cuda:1"},  # the DDP tutorial's; no tensor is on cuda:0
                     {"cpu": "cpu", "cuda:1": "cuda:0"}, lambda storage, loc: storage]:
        np.testing.assert_array_equal(ln.load(path, map_location=location)["w"].data, [1, 1])
    assert ln.load(path, mmap=True, weights_only=False)["w"].shape == (2,)
    assert ln.load(path, with_metadata=True)[1] == {}
    for location in ["cuda", ln.device("cuda:0"), {"cpu": "cuda"}, {"cpu:0": "cuda:0"}]:
        with pytest.raises(RuntimeError, match="CPU only"):
            ln.load(path, map_location=location)
    with pytest.raises(TypeError, match="weights_only=...\\) expects True, False or None"):
        ln.load(path, weights_only="yes")
    with pytest.raises(TypeError, match="never unpickles, so pickle_module"):
        ln.load(path, None, object())
    with pytest.raises(TypeError, match="never unpickles, so encoding"):
        ln.load(path, encoding="latin1")
    with pytest.raises(FileNotFoundError, match="nope.pth"):
        ln.load(tmp_path / "nope.pth")


@pytest.mark.parametrize("change, message", [
    (lambda d, a: d.update(object={"__what__": 1}), "unrecognised entry"),
    (lambda d, a: d.update(object={"__tensor__": "missing"}), "not in the file"),
    (lambda d, a: d["object"]["__dict__"][0][1].update(requires_grad="yes"), "requires_grad"),
    (lambda d, a: a.update(o0=np.arange(3)), "only floating-point tensors can require"),
    (lambda d, a: d.update(object={"__scalar__": "o0"}), "NumPy scalar entry"),
    (lambda d, a: d.update(object={"__dict__": [[[1], 2]]}), "dict key"),
    (lambda d, a: d.update(object={"__dict__": "x"}), "x.pth"),
    (lambda d, a: d.update(object={"__tuple__": 3}), "JSON list"),
    (lambda d, a: d.update(object={"__model__": {"class": "os.system"}, "weights": []}),
     "unknown layer class"),
])
def test_malformed_object_files_raise_model_file_error(tmp_path, change, message):
    path = tmp_path / "x.pth"
    ln.save({"w": ln.ones(3, requires_grad=True)}, path)
    _rewrite(path, change)
    with pytest.raises(ModelFileError, match=message):
        ln.load(path)


def test_scheduler_state_dicts_round_trip_in_a_checkpoint(tmp_path):
    model = _net()
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    step = optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    plateau = optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=0)
    for loss in [1.0, 2.0, 3.0]:
        optimizer.step()
        step.step()
        plateau.step(loss)
    checkpoint = {"step": step.state_dict(), "plateau": plateau.state_dict(),
                  "optimizer": optimizer.state_dict()}
    back = _round_trip(checkpoint, tmp_path)
    _same(checkpoint, back)
    optimizer2 = optim.SGD(_net().parameters(), lr=0.1)
    step2 = optim.lr_scheduler.StepLR(optimizer2, step_size=2, gamma=0.5)
    optimizer2.load_state_dict(back["optimizer"])
    step2.load_state_dict(back["step"])
    step.step()
    step2.step()
    assert step2.get_last_lr() == step.get_last_lr()


def test_a_nested_module_whose_architecture_is_not_json_names_its_place(tmp_path):
    class Holder(nn.Module):
        def __init__(self, fn):
            super().__init__()
            self.fn = fn

    with pytest.raises(TypeError, match=r"module at obj\['model'\].*Holder.*function"):
        ln.save({"model": Holder(lambda x: x)}, tmp_path / "x.pth")
