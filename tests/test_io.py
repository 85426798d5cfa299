"""save / load: npz + JSON, atomic, never unpickles; clear errors for bad files."""

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn


def test_round_trip_keeps_architecture_weights_dtype_and_metadata(tmp_path):
    ln.set_default_dtype(np.float64)
    model = nn.Sequential(nn.Linear(4, 8), nn.LeakyReLU(0.2), nn.Linear(8, 3), nn.Softmax(dim=1))
    ln.set_default_dtype(np.float32)
    path = ln.save(model, tmp_path / "m.npz", metadata={"note": "hi", "scores": [1.0, 2.0]})
    loaded, meta = ln.load(path, with_metadata=True)
    assert repr(loaded) == repr(model) and meta == {"note": "hi", "scores": [1.0, 2.0]}
    x = np.random.default_rng(0).standard_normal((5, 4))
    np.testing.assert_array_equal(loaded(ln.tensor(x)).data, model(ln.tensor(x)).data)
    assert loaded[0].weight.dtype == np.float64
    with np.load(path, allow_pickle=False) as archive:  # plain arrays + a JSON text entry
        assert "__lucidnet__.json" in archive.files


def test_missing_corrupt_and_foreign_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such lucidnet file"):
        ln.load(tmp_path / "nope.npz")
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"this is not a zip file")
    with pytest.raises(ValueError, match="not a readable lucidnet file"):
        ln.load(bad)
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, a=np.zeros(3))
    with pytest.raises(ValueError, match="not a lucidnet file"):
        ln.load(foreign)
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, **{"__lucidnet__.json": np.array([{"x": 1}], dtype=object)})
    with pytest.raises(ValueError):
        ln.load(pickled)


def test_unknown_layer_class_is_refused(tmp_path):
    from lucidnet.io import load_state, save_state

    path = tmp_path / "m.npz"
    save_state(path, {"kind": "model", "config": {"class": "os.system", "args": ["echo hacked"],
                                                 "kwargs": {}}, "state_dict": {}})
    assert load_state(path)["config"]["class"] == "os.system"
    with pytest.raises(ValueError, match="unknown layer class 'os.system'"):
        ln.load(path)


def test_save_state_round_trips_nested_structures(tmp_path):
    from lucidnet.io import load_state, save_state

    state = {"epoch": 3, "lr": 0.1, "name": "x", "none": None, "nested": {"a": np.arange(3), "b": [1, (2, 3)]},
             "list": [np.ones((2, 2), dtype=np.float32), {"k": np.float64(2.5)}], 7: "int key"}
    save_state(tmp_path / "s.npz", state)
    back = load_state(tmp_path / "s.npz")
    assert back["epoch"] == 3 and back["nested"]["b"] == [1, (2, 3)] and back[7] == "int key"
    np.testing.assert_array_equal(back["nested"]["a"], np.arange(3))
    assert back["list"][0].dtype == np.float32 and back["list"][1]["k"] == 2.5


def test_a_tensor_constructor_argument_round_trips(tmp_path):
    """PyTorch code passes class weights as a tensor: CrossEntropyLoss(weight=torch.tensor(...))."""
    model = nn.Sequential(nn.Linear(2, 2))
    model.loss = nn.CrossEntropyLoss(weight=ln.tensor([1.0, 2.5]))
    path = tmp_path / "m.npz"
    ln.save(model, path)
    back = ln.load(path)
    assert isinstance(back.loss.weight, ln.Tensor)
    np.testing.assert_array_equal(back.loss.weight.data, np.array([1.0, 2.5], np.float32))
    assert back.loss.weight.dtype == np.float32
    ln.save(back, path)  # save -> load -> save
    np.testing.assert_array_equal(ln.load(path).loss.weight.data, [1.0, 2.5])
