"""Issue 16, save / load: the module tree round-trips, classes are found by qualified name, sizes
are checked before allocating, every damaged file raises ModelFileError, non-finite models are
not saved silently."""

import json
import sys
import zipfile

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn
from lucidnet.io import ModelFileError, load_state, save_state

X = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)


def _out(model):
    model.eval()
    return model(ln.tensor(X)).data


def _config_json(path) -> str:
    with np.load(path, allow_pickle=False) as archive:
        doc = json.loads(str(archive["__lucidnet__.json"]))
    return json.dumps(doc)


def _round_trip(model, tmp_path):
    """save -> load -> save: same outputs, same architecture, same file contents."""
    first = ln.save(model, tmp_path / "a.npz")
    loaded = ln.load(first)
    second = ln.save(loaded, tmp_path / "b.npz")
    assert repr(loaded) == repr(model)
    np.testing.assert_array_equal(_out(loaded), _out(model))
    assert _config_json(first) == _config_json(second)
    return loaded


# ---------------------------------------------------------------- 1. the module tree
def test_sequential_edits_round_trip(tmp_path):
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    model.append(nn.Sigmoid())
    loaded = _round_trip(model, tmp_path)
    assert isinstance(loaded[3], nn.Sigmoid) and len(loaded) == 4
    model[0] = nn.Linear(4, 8, bias=False)
    model.insert(1, nn.Tanh())
    del model[2]  # the ReLU
    loaded = _round_trip(model, tmp_path)
    assert [type(m).__name__ for m in loaded] == ["Linear", "Tanh", "Linear", "Sigmoid"]
    assert loaded[0].bias is None and list(loaded.state_dict()) == list(model.state_dict())


def test_nested_sequential_and_module_list_round_trip(tmp_path):
    inner = nn.Sequential(nn.Linear(4, 6), nn.Tanh())
    inner.append(nn.Linear(6, 5))
    model = nn.Sequential(inner, nn.ReLU(), nn.Linear(5, 2))
    loaded = _round_trip(model, tmp_path)
    assert len(loaded[0]) == 3

    class Stack(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(4, 4)])

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

    model = Stack()
    model.layers.append(nn.Linear(4, 3))
    model.layers.insert(0, nn.Tanh())
    loaded = _round_trip(model, tmp_path)
    assert [type(m).__name__ for m in loaded.layers] == ["Tanh", "Linear", "Linear"]


def test_custom_module_with_replaced_and_deleted_submodules(tmp_path):
    class Net(nn.Module):
        def __init__(self, hidden):
            super().__init__()
            self.fc = nn.Linear(4, hidden)
            self.extra = nn.Linear(hidden, hidden)
            self.head = nn.Linear(hidden, 2)

        def forward(self, x):
            x = self.fc(x)
            if hasattr(self, "extra"):
                x = self.extra(x)
            return self.head(x)

    model = Net(3)
    model.fc = nn.Sequential(nn.Linear(4, 3), nn.ReLU())
    del model.extra
    loaded = _round_trip(model, tmp_path)
    assert isinstance(loaded.fc, nn.Sequential) and not hasattr(loaded, "extra")
    assert list(loaded.state_dict()) == ["fc.0.weight", "fc.0.bias", "head.weight", "head.bias"]


def test_old_constructor_call_files_still_load(tmp_path, monkeypatch):
    import lucidnet.io as lnio

    monkeypatch.setattr(lnio, "FORMAT", "lucidnet-1")
    weights = {"0.weight": np.ones((3, 2), np.float32), "0.bias": np.zeros(3, np.float32)}
    config = {"class": "Sequential", "args": [
        {"__module__": {"class": "Linear", "args": [2, 3], "kwargs": {}}},
        {"__module__": {"class": "ReLU", "args": [], "kwargs": {}}}], "kwargs": {}}
    save_state(tmp_path / "old.npz", {"kind": "model", "config": config, "dtype": "float32",
                                      "state_dict": weights, "metadata": {}})
    model = ln.load(tmp_path / "old.npz")
    assert isinstance(model[1], nn.ReLU)
    np.testing.assert_array_equal(model[0].weight.data, np.ones((3, 2)))


# ---------------------------------------------------------------- 2. the registry
def test_user_class_with_lucidnet_name_loads_as_itself(tmp_path):
    class Linear(nn.Linear):
        def forward(self, x):
            return super().forward(x) * 0 + 7

    model = nn.Sequential(Linear(4, 2))
    loaded = ln.load(ln.save(model, tmp_path / "m.npz"))
    assert type(loaded[0]) is Linear
    np.testing.assert_array_equal(_out(loaded), np.full((5, 2), 7, np.float32))


def test_class_not_defined_here_is_a_clear_error_and_nothing_is_imported(tmp_path, monkeypatch):
    class Mystery(nn.Module):
        def forward(self, x):
            return x

    path = ln.save(nn.Sequential(Mystery()), tmp_path / "m.npz")
    name = f"{Mystery.__module__}.{Mystery.__qualname__}"
    monkeypatch.delitem(nn.Module._registry, name)
    with pytest.raises(ModelFileError, match=r"unknown layer class .*Mystery.*define or import"):
        ln.load(path)
    save_state(tmp_path / "x.npz", {"kind": "model", "config": {
        "class": "lucidnet_never_imported_module.Evil", "args": [], "kwargs": {}, "children": {}},
        "dtype": "float32", "state_dict": {}})
    with pytest.raises(ModelFileError, match="lucidnet_never_imported_module.Evil"):
        ln.load(tmp_path / "x.npz")
    assert "lucidnet_never_imported_module" not in sys.modules


# ---------------------------------------------------------------- 3. sizes
def _npy_header(shape, dtype="<f8") -> bytes:
    header = f"{{'descr': '{dtype}', 'fortran_order': False, 'shape': {shape!r}, }}"
    header = header + " " * (63 - len(header) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode()


def test_declared_huge_array_is_refused_before_allocating(tmp_path):
    def add_junk(path):  # a 2**40-value member in a few bytes
        with zipfile.ZipFile(path, "a") as zf:
            zf.writestr("junk.npy", _npy_header((2**40,)) + b"\0" * 64)

    path = ln.save(nn.Sequential(nn.Linear(2, 1)), tmp_path / "m.npz")
    add_junk(path)
    assert isinstance(ln.load(path), nn.Sequential)  # unreferenced members are never read
    path = ln.save(nn.Sequential(nn.Linear(2, 1)), tmp_path / "n.npz")
    doc = json.loads(_config_json(path))
    _put(_at(doc, "state_dict"), "0.weight", {"__ndarray__": "junk"})  # now 0.weight points at it
    _write_doc(path, doc)
    add_junk(path)
    with pytest.raises(ModelFileError, match=r"n.npz.*declares shape \(1099511627776,\)"):
        ln.load(path)
    with pytest.raises(ModelFileError, match="declares shape"):
        load_state(path)


def test_huge_layer_named_in_a_tiny_file_is_refused(tmp_path):
    save_state(tmp_path / "m.npz", {"kind": "model", "dtype": "float32", "state_dict": {},
                                    "config": {"class": "lucidnet.nn.linear.Linear",
                                               "args": [10**6, 10**6], "kwargs": {},
                                               "children": {}}})
    with pytest.raises(ModelFileError, match="would allocate"):
        ln.load(tmp_path / "m.npz")


# ---------------------------------------------------------------- 4. malformed files
def _write_doc(path, doc) -> None:
    """Replace the JSON document of ``path`` (``doc`` a dict, or raw text)."""
    with np.load(path, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    arrays["__lucidnet__.json"] = np.array(doc if isinstance(doc, str) else json.dumps(doc))
    with open(path, "wb") as f:
        np.savez(f, **arrays)


def _model():
    ln.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 2))


def _assert_loads_same_or_model_file_error(path, expected):
    try:
        loaded = ln.load(path)
    except ModelFileError as err:
        assert str(path) in str(err)
        return "error"
    np.testing.assert_array_equal(_out(loaded), expected)
    return "loaded"


def test_flipped_bits_and_truncations_raise_model_file_error(tmp_path):
    model = _model()
    expected = _out(model)
    raw = open(ln.save(model, tmp_path / "m.npz"), "rb").read()
    rng = np.random.default_rng(1)
    bad = tmp_path / "bad.npz"
    outcomes = set()
    for i in rng.choice(len(raw), size=400, replace=False):
        damaged = bytearray(raw)
        damaged[i] ^= 1 << int(rng.integers(8))
        bad.write_bytes(bytes(damaged))
        outcomes.add(_assert_loads_same_or_model_file_error(bad, expected))
    for n in range(0, len(raw), max(1, len(raw) // 60)):
        bad.write_bytes(raw[:n])
        outcomes.add(_assert_loads_same_or_model_file_error(bad, expected))
    assert "error" in outcomes


def _at(doc, *keys):
    """The skeleton node of a nested dict entry (dicts are saved as ``{"__dict__": pairs}``)."""
    node = doc["state"]
    for key in keys:
        node = dict(node["__dict__"])[key]
    return node


def _put(node, key, value):
    """Set (or add, or with value ``...`` drop) ``key`` of a skeleton dict node."""
    pairs = [p for p in node["__dict__"] if p[0] != key]
    node["__dict__"][:] = pairs + ([] if value is ... else [[key, value]])


def _obj(**items):
    return {"__dict__": [[k, v] for k, v in items.items()]}


FIRST = ("config", "children", "0")
MUTATIONS = [
    lambda d: 5,
    lambda d: d.update(format=None),
    lambda d: d.update(state="text"),
    lambda d: d.update(state=[1, 2]),
    lambda d: d["state"]["__dict__"].append([[1], 2]),  # unhashable key
    lambda d: d["state"]["__dict__"].append([1]),
    lambda d: d.update(state={"__weird__": 1}),
    lambda d: _put(_at(d, "config"), "class", 5),
    lambda d: _put(_at(d, "config"), "class", "Nope"),
    lambda d: _put(_at(d, "config"), "args", "x"),
    lambda d: _put(_at(d, "config"), "children", [1]),
    lambda d: _put(_at(d, "config", "children"), "0", 7),
    lambda d: _put(_at(d, *FIRST), "args", [1, 2, 3, 4, 5, 6]),
    lambda d: _put(_at(d, *FIRST), "kwargs", _obj(bogus=1)),
    lambda d: _put(_at(d, *FIRST), "args", ["4", 3]),
    lambda d: _put(_at(d, *FIRST), "args", [5, 3]),
    lambda d: _put(_at(d, *FIRST), "args", [4, 3, True, _obj(__dtype__="O")]),
    lambda d: _put(_at(d, *FIRST), "args", [4, 3, True, _obj(__weird__=1)]),
    lambda d: _put(_at(d, *FIRST), "args", [4, 3, True, _obj(__array__=[1], dtype="O")]),
    lambda d: _put(_at(d, *FIRST), "args", [4, 3, True, _obj(__child__="9")]),
    lambda d: _put(_at(d, "config", "children"), "3", ...),
    lambda d: _put(_at(d, "state_dict"), "0.weight", {"__ndarray__": "nope"}),
    lambda d: _put(_at(d, "state_dict"), "0.weight", {"__ndarray__": 5}),
    lambda d: _put(_at(d, "state_dict"), "0.weight", "text"),
    lambda d: _put(_at(d, "state_dict"), "0.weight", ...),
    lambda d: _put(_at(d, "state_dict"), "0.weight", _at(d, "state_dict", "0.bias")),
    lambda d: _put(_at(d), "dtype", "object"),
    lambda d: _put(_at(d), "metadata", [1]),
    lambda d: _put(_at(d), "config", None),
    lambda d: _put(_at(d), "state_dict", None),
    lambda d: _put(_at(d), "config", ...),
]


@pytest.mark.parametrize("mutate", range(len(MUTATIONS)))
def test_malformed_documents_raise_model_file_error(tmp_path, mutate):
    path = ln.save(_model(), tmp_path / "m.npz")
    doc = json.loads(_config_json(path))
    result = MUTATIONS[mutate](doc)
    _write_doc(path, result if result is not None else doc)
    with pytest.raises(ModelFileError, match="m.npz"):
        ln.load(path)


def test_deeply_nested_and_non_json_documents(tmp_path):
    path = ln.save(_model(), tmp_path / "m.npz")
    for text in ["[" * 100_000 + "]" * 100_000, "{not json", "",
                 json.dumps({"format": "lucidnet-2", "state": {"__tuple__": "[" * 50_000}})]:
        _write_doc(path, text)
        with pytest.raises(ModelFileError):
            ln.load(path)
    deep = '{"__module__": ' * 5000 + "{}" + "}" * 5000
    _write_doc(path, '{"format": "lucidnet-2", "state": {"__dict__": [["config", {"class": '
                     '"lucidnet.nn.module.Sequential", "args": [' + deep + ']}]]}}')
    with pytest.raises(ModelFileError):
        ln.load(path)


def test_missing_non_zip_and_directory_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.npz"):
        ln.load(tmp_path / "nope.npz")
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"this is not a zip file")
    with pytest.raises(ModelFileError, match="bad.npz") as info:
        ln.load(bad)
    assert "allow_pickle" not in str(info.value)
    with pytest.raises(OSError, match="directory"):
        ln.load(tmp_path)
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, **{"__lucidnet__.json": np.array([{"x": 1}], dtype=object)})
    with pytest.raises(ModelFileError, match="pickled"):
        ln.load(pickled)


# ---------------------------------------------------------------- 5. non-finite models
def test_non_finite_parameters_or_buffers_are_not_saved_silently(tmp_path):
    model = _model()
    model[0].weight.data[0, 0] = np.nan
    with pytest.raises(ValueError, match=r"'0\.weight' holds 1 non-finite.*allow_nonfinite"):
        ln.save(model, tmp_path / "m.npz")
    assert not (tmp_path / "m.npz").exists()
    model = _model()
    model[1].running_var[:] = np.inf
    with pytest.raises(ValueError, match=r"'1\.running_var' holds 3 non-finite"):
        ln.save(model, tmp_path / "m.npz")
    loaded = ln.load(ln.save(model, tmp_path / "m.npz", allow_nonfinite=True))
    assert np.isinf(loaded[1].running_var).all()


def test_shared_modules_and_tied_parameters_stay_shared(tmp_path):
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.enc = nn.Linear(4, 4)
            self.dec = nn.Linear(4, 4)
            self.dec.weight = self.enc.weight
            self.act = nn.Tanh()

        def forward(self, x):
            return self.dec(self.act(self.enc(x)))

    model = Tied()
    model.enc = nn.Linear(4, 4)   # an edit after construction: the tie is now to the new layer
    model.dec.weight = model.enc.weight
    model.again = model.act       # one module under two names
    loaded = _round_trip(model, tmp_path)
    assert loaded.dec.weight is loaded.enc.weight and loaded.again is loaded.act
    np.testing.assert_array_equal(loaded.enc.weight.data, model.enc.weight.data)


def test_module_given_to_a_constructor_is_saved_once_as_a_child(tmp_path):
    from lucidnet.nn.noise import WeightNoise

    model = nn.Sequential(WeightNoise(nn.Linear(4, 2), std=0.0))
    _round_trip(model, tmp_path)
    assert '["__child__", "module"]' in _config_json(tmp_path / "a.npz")
    model[0].module = nn.Linear(4, 2, bias=False)  # replaced after construction
    loaded = _round_trip(model, tmp_path)
    assert loaded[0].module.bias is None


def test_layer_allocating_more_than_the_file_holds_is_refused_before_initializing(tmp_path):
    # one large integer argument passes the argument check; the parameter budget stops it
    save_state(tmp_path / "m.npz", {"kind": "model", "dtype": "float32", "state_dict": {},
                                    "config": {"class": "lucidnet.nn.conv.Conv2d",
                                               "args": [1, 1, 20_000], "kwargs": {},
                                               "children": {}}})
    with pytest.raises(ModelFileError, match="exceeds the number of values the model file holds"):
        ln.load(tmp_path / "m.npz")


def test_unedited_children_of_a_custom_module_are_the_constructor_objects(tmp_path):
    class Listed(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(4, 4)
            self.b = nn.Linear(4, 2)
            self.order = [self.a, self.b]  # a plain list: not registered, used by forward

        def forward(self, x):
            for layer in self.order:
                x = layer(x)
            return x

    model = Listed()
    loaded = _round_trip(model, tmp_path)
    assert loaded.order[0] is loaded.a and loaded.order[1] is loaded.b


def test_large_integer_arguments_without_large_weights_load(tmp_path):
    """Sizes are bounded by what the layers really allocate, not guessed from their integer
    arguments: a user module keeping big numbers (a dataset size, a seed) and long 1-D pooling
    load back as saved."""

    class Counted(nn.Module):
        def __init__(self, n_samples=60000, seed=20261201):
            super().__init__()
            self.n_samples, self.seed = n_samples, seed
            self.fc = nn.Linear(4, 2)

        def forward(self, x):
            return self.fc(x)

    for model in (Counted(60000, 20261201),
                  nn.Sequential(nn.MaxPool1d(5000, stride=5000), nn.Flatten(), nn.Linear(2, 1))):
        ln.save(model, tmp_path / "m.npz")
        loaded = ln.load(tmp_path / "m.npz")
        assert repr(loaded) == repr(model)
        np.testing.assert_array_equal(loaded.state_dict()[next(iter(model.state_dict()))],
                                      next(iter(model.state_dict().values())))


@pytest.mark.parametrize("config", [
    {"class": "lucidnet.nn.normalization.BatchNorm1d", "args": [10**9], "kwargs": {},
     "children": {}},
    {"class": "lucidnet.nn.normalization.LayerNorm", "args": [10**9], "kwargs": {},
     "children": {}},
])
def test_huge_normalization_layer_is_refused_before_writing_memory(tmp_path, config):
    """Normalization layers fill their ones only after the Parameter / buffer is counted, so a
    tiny file naming BatchNorm1d(10**9) is refused without writing 4 GB first."""
    import resource

    save_state(tmp_path / "m.npz", {"kind": "model", "dtype": "float32", "state_dict": {},
                                    "config": config})
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ModelFileError, match="exceeds the number of values the model file holds"):
        ln.load(tmp_path / "m.npz")
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 500_000  # KiB
