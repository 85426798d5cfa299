"""lucidnet.onnx.export: its options, modes, metadata, user converters and clear errors."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import lucidnet as ln
import lucidnet.onnx as lo
from lucidnet import nn

from .helpers import onnx, randn, roundtrip, session


def _mlp():
    ln.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.5),
                         nn.Linear(8, 3))


def test_returns_the_model_written_to_path(tmp_path):
    path = tmp_path / "m.onnx"
    proto = lo.export(_mlp(), randn(5, 4), path)
    assert isinstance(proto, onnx.ModelProto)
    assert onnx.load(str(path)).SerializeToString() == proto.SerializeToString()
    assert proto.opset_import[0].version == lo.DEFAULT_OPSET == 19
    assert [i.name for i in proto.graph.input] == ["input"]
    assert [o.name for o in proto.graph.output] == ["output"]
    dims = proto.graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param == "N" and dims[1].dim_value == 4
    assert proto.producer_name == "lucidnet"
    assert not [p for p in os.listdir(tmp_path) if p != "m.onnx"]  # no temporary file left


def test_second_export_is_identical_and_save_load_roundtrip(tmp_path):
    model = _mlp()
    a = lo.export(model, randn(5, 4), tmp_path / "a.onnx").SerializeToString()
    b = lo.export(model, randn(2, 4, seed=3), tmp_path / "b.onnx").SerializeToString()
    assert a == b  # deterministic: the example's values do not enter the graph
    ln.save(model, tmp_path / "m.npz")
    again = ln.load(tmp_path / "m.npz")
    roundtrip(again, randn(5, 4), [randn(1, 4, seed=1)], tmp_path / "c.onnx")
    x = randn(6, 4, seed=4)
    np.testing.assert_allclose(session(tmp_path / "c.onnx").run(None, {"input": x})[0],
                               session(tmp_path / "a.onnx").run(None, {"input": x})[0])


def test_training_mode_is_exported_as_eval_and_restored(tmp_path):
    model = _mlp()
    model.train()
    model[3].eval()  # a mixed tree: each module gets its own mode back
    x = randn(7, 4)
    model[1](randn(16, 4 * 2).reshape(16, 8) + 2)  # running statistics that are not 0 / 1
    lo.export(model, x, tmp_path / "m.onnx")
    assert model.training and model[0].training and model[1].training
    assert not model[3].training
    model.eval()
    ref = model(x).data
    np.testing.assert_allclose(session(tmp_path / "m.onnx").run(None, {"input": x})[0], ref,
                               rtol=1e-5, atol=1e-6)


def test_fixed_batch_names_and_metadata(tmp_path):
    proto = lo.export(_mlp(), randn(5, 4), tmp_path / "m.onnx", dynamic_batch=False,
                      input_names="features", output_names=["logits"], opset=21,
                      metadata={"classes": ["a", "b", "c"], "note": "hi"})
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_value == 5
    assert proto.opset_import[0].version == 21
    props = {p.key: p.value for p in proto.metadata_props}
    assert props["note"] == "hi" and props["classes"] == '["a", "b", "c"]'
    assert props["lucidnet_version"] == ln.__version__
    out = session(tmp_path / "m.onnx").run(["logits"], {"features": randn(5, 4)})[0]
    assert out.shape == (5, 3)


def test_opset_18_works_and_circular_padding_needs_19(tmp_path):
    roundtrip(nn.Sequential(nn.Conv1d(1, 2, 3, padding=1), nn.GELU()), randn(2, 1, 6), [],
              tmp_path / "a.onnx", opset=18)
    with pytest.raises(lo.ExportError, match=r"model\[0\].*circular.*opset 19"):
        lo.export(nn.Sequential(nn.Conv1d(1, 2, 3, padding=1, padding_mode="circular")),
                  randn(2, 1, 6), tmp_path / "b.onnx", opset=18)


class Scale(nn.Module):
    def __init__(self, k):
        super().__init__()
        self.k = k

    def forward(self, x):
        return x * self.k


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = nn.Linear(3, 3)
        self.block = Scale(2.0)

    def forward(self, x):
        return self.block(self.inner(x))


def test_unknown_module_names_its_path_class_and_the_remedy(tmp_path):
    model = nn.Sequential(nn.Linear(4, 3), nn.Sequential(nn.ReLU(), Scale(3.0)))
    with pytest.raises(lo.ExportError) as err:
        lo.export(model, randn(2, 4), tmp_path / "m.onnx")
    text = str(err.value)
    assert "model[1][1]" in text and "Scale" in text and "Linear" in text and "register" in text
    assert not (tmp_path / "m.onnx").exists()
    with pytest.raises(lo.ExportError, match=r"cannot export model: .*Block"):
        lo.export(Block(), randn(2, 3), tmp_path / "m.onnx")


def test_register_a_user_converter(tmp_path):
    class Twice(Scale):
        pass

    @lo.register(Twice)
    def _twice(g, module, x):
        return g.op("Mul", x, g.scalar(module.k))

    assert "Twice" in lo.supported()
    model = nn.Sequential(nn.Linear(4, 3), Twice(2.5), nn.Tanh())
    roundtrip(model, randn(3, 4), [randn(8, 4, seed=1)], tmp_path / "m.onnx")
    # the parent class has no converter: lookup is by exact class (a subclass may differ)
    with pytest.raises(lo.ExportError, match="Scale"):
        lo.export(nn.Sequential(Scale(1.0)), randn(3, 4), tmp_path / "n.onnx")


def test_a_converter_that_returns_nonsense_is_named(tmp_path):
    class Bad(Scale):
        pass

    lo.register(Bad)(lambda g, m, x: None)
    with pytest.raises(lo.ExportError, match=r"converter of model\[0\] \(Bad\) returned None"):
        lo.export(nn.Sequential(Bad(1.0)), randn(3, 4), tmp_path / "m.onnx")
    with pytest.raises(TypeError, match="module class"):
        lo.register("Linear")
    with pytest.raises(TypeError, match="converter function"):
        lo.register(Bad)(42)


def test_unsupported_options_are_clear(tmp_path):
    with pytest.raises(lo.ExportError, match=r"model\[1\].*return_indices"):
        lo.export(nn.Sequential(nn.Conv2d(1, 1, 1), nn.MaxPool2d(2, return_indices=True)),
                  randn(2, 1, 4, 4), tmp_path / "m.onnx")
    with pytest.raises(TypeError, match="integer"):  # lucidnet's own error, from the example
        lo.export(nn.Embedding(4, 2), randn(2, 3), tmp_path / "m.onnx")


def test_float64_is_refused_with_the_fix(tmp_path):
    model = _mlp().double()
    with pytest.raises(lo.ExportError, match=r"float64.*model\.float\(\)"):
        lo.export(model, randn(2, 4), tmp_path / "m.onnx")
    with pytest.raises(lo.ExportError, match=r"float64.*astype\(np.float32\)"):
        lo.export(_mlp(), randn(2, 4).astype(np.float64), tmp_path / "m.onnx")
    roundtrip(model.float(), randn(2, 4), [], tmp_path / "m.onnx")


@pytest.mark.parametrize("opset", [17, 99, "19", True])
def test_bad_opset(opset, tmp_path):
    with pytest.raises(lo.ExportError, match="opset must be an int from 18"):
        lo.export(_mlp(), randn(2, 4), tmp_path / "m.onnx", opset=opset)


def test_bad_paths_names_and_inputs(tmp_path):
    with pytest.raises(lo.ExportError, match="does not exist"):
        lo.export(_mlp(), randn(2, 4), tmp_path / "nowhere" / "m.onnx")
    with pytest.raises(lo.ExportError, match="is a folder"):
        lo.export(_mlp(), randn(2, 4), tmp_path)
    with pytest.raises(lo.ExportError, match="input_names must be 1"):
        lo.export(_mlp(), randn(2, 4), tmp_path / "m.onnx", input_names=["a", "b"])
    with pytest.raises(lo.ExportError, match="also input names"):
        lo.export(_mlp(), randn(2, 4), tmp_path / "m.onnx", input_names="x", output_names="x")
    with pytest.raises(TypeError, match="nn.Module"):
        lo.export(lambda x: x, randn(2, 4), tmp_path / "m.onnx")
    with pytest.raises(TypeError, match="hold numbers"):
        lo.export(_mlp(), np.array([["a"] * 4]), tmp_path / "m.onnx")
    with pytest.raises(ValueError):  # lucidnet's own shape error, from running the example
        lo.export(_mlp(), randn(2, 5), tmp_path / "m.onnx")


def test_zero_size_and_one_row_batches(tmp_path):
    model = _mlp()
    lo.export(model, randn(1, 4), tmp_path / "m.onnx")
    sess = session(tmp_path / "m.onnx")
    assert sess.run(None, {"input": np.zeros((0, 4), np.float32)})[0].shape == (0, 3)
    model.eval()
    x = randn(1, 4, seed=5)
    np.testing.assert_allclose(sess.run(None, {"input": x})[0], model(x).data, rtol=1e-5,
                               atol=1e-6)


def test_missing_onnx_is_a_clear_import_error(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ImportError, match=r'pip install "lucidnet\[onnx\]"'):
        lo.export(_mlp(), randn(2, 4), tmp_path / "m.onnx")
    with pytest.raises(ImportError, match=r'pip install "lucidnet\[onnx\]"'):
        lo.export_run(tmp_path, tmp_path / "m.onnx")


def test_importing_lucidnet_onnx_imports_neither_onnx_nor_torch():
    code = ("import sys, lucidnet.onnx; "
            "bad = [m for m in ('onnx', 'onnxruntime', 'torch') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_tensor_and_list_examples(tmp_path):
    model = _mlp()
    proto = lo.export(model, ln.tensor(randn(3, 4)), tmp_path / "t.onnx")
    assert len(proto.graph.input) == 1
    proto = lo.export(model, randn(3, 4).tolist(), tmp_path / "l.onnx")  # one input, not 3
    assert len(proto.graph.input) == 1
    x = randn(2, 4, seed=9)
    np.testing.assert_allclose(session(tmp_path / "l.onnx").run(None, {"input": x})[0],
                               session(tmp_path / "t.onnx").run(None, {"input": x})[0])


def test_forward_hooks_that_change_values_are_refused(tmp_path):
    model = _mlp()
    seen = []
    handle = model[2].register_forward_hook(lambda m, args, out: seen.append(out.shape))
    roundtrip(model, randn(3, 4), [randn(5, 4, seed=1)], tmp_path / "a.onnx")  # observing: fine
    assert seen
    handle.remove()
    handle = model[2].register_forward_hook(lambda m, args, out: out * 2)
    with pytest.raises(lo.ExportError, match="forward hook"):
        lo.export(model, randn(3, 4), tmp_path / "b.onnx")
    handle.remove()
    model.register_forward_pre_hook(lambda m, args: (args[0] + 1,))
    with pytest.raises(lo.ExportError, match="forward hook"):
        lo.export(model, randn(3, 4), tmp_path / "b.onnx")
    assert not (tmp_path / "b.onnx").exists()


class Residual(nn.Sequential):
    def forward(self, x):
        return x + super().forward(x)


class Plain(nn.Sequential):
    pass


def test_sequential_subclasses(tmp_path):
    ln.manual_seed(0)
    with pytest.raises(lo.ExportError, match=r"cannot export model\[1\]: .*Residual"):
        lo.export(nn.Sequential(nn.Linear(4, 4), Residual(nn.Linear(4, 4), nn.ReLU())),
                  randn(2, 4), tmp_path / "m.onnx")
    roundtrip(Plain(nn.Linear(4, 4), nn.ReLU()), randn(2, 4), [randn(6, 4, seed=1)],
              tmp_path / "p.onnx")
