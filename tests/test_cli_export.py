"""``lucidnet export RUN --format onnx|safetensors``: the exported files give lucidnet's predictions."""

import csv

import numpy as np
import pytest

import lucidnet as ln
from lucidnet.cli import main


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("export") / "digits"
    assert main(["train", "--epochs", "1", "--quiet", "--out", str(run)]) == 0
    return run


def _predict_csv(run, tmp_path, X, names):
    path = tmp_path / "rows.csv"
    path.write_text(",".join(names) + "\n" + "\n".join(",".join(f"{v:g}" for v in row) for row in X)
                    + "\n")
    out = tmp_path / "pred.csv"
    assert main(["predict", str(run), "--input", str(path), "--output", str(out)]) == 0
    rows = list(csv.reader(out.read_text().splitlines()))
    return rows[0], rows[1:]


def test_onnx_export_gives_the_predictions_of_lucidnet_predict(digits_run, tmp_path, capsys):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    out = tmp_path / "digits.onnx"
    assert main(["export", str(digits_run), "--format", "onnx", "-o", str(out)]) == 0
    assert "inputs: input" in capsys.readouterr().out
    ds = ln.data.load_dataset("digits")
    X = ds.X[:200].astype(np.float32)
    session = ort.InferenceSession(str(out))
    output, proba, label = session.run(["output", "probabilities", "label"], {"input": X})
    header, rows = _predict_csv(digits_run, tmp_path, X, ds.feature_names)
    assert header[0] == "prediction"
    assert [r[0] for r in rows] == [ds.target_names[i] for i in label]
    np.testing.assert_allclose(np.array([[float(v) for v in r[1:]] for r in rows]), proba,
                               rtol=1e-4, atol=1e-5)
    model = ln.load(str(digits_run / "model.npz"))
    model.eval()
    with ln.no_grad():
        np.testing.assert_allclose(model(X).numpy(), output, rtol=1e-5, atol=2e-6)


def test_export_format_from_extension_and_default_name(digits_run, tmp_path):
    pytest.importorskip("onnx")
    assert main(["export", str(digits_run), "-o", str(tmp_path / "m.onnx")]) == 0
    assert (tmp_path / "m.onnx").stat().st_size > 0
    assert main(["export", str(digits_run), "--format", "safetensors"]) == 0
    assert (digits_run / "model.safetensors").exists()
    # a second export overwrites the first with the same bytes
    first = (digits_run / "model.safetensors").read_bytes()
    assert main(["export", str(digits_run / "model.npz"), "--format", "safetensors"]) == 0
    assert (digits_run / "model.safetensors").read_bytes() == first


def test_safetensors_export_loads_and_predicts_as_the_run(digits_run, tmp_path):
    out = tmp_path / "digits.safetensors"
    assert main(["export", str(digits_run), "-o", str(out)]) == 0
    model, meta = ln.load(str(out), with_metadata=True)
    ref, ref_meta = ln.load(str(digits_run / "model.npz"), with_metadata=True)
    assert meta == ref_meta
    X = ln.data.load_dataset("digits").X[:50].astype(np.float32)
    model.eval()
    ref.eval()
    with ln.no_grad():
        np.testing.assert_array_equal(model(X).numpy(), ref(X).numpy())
    ds = ln.data.load_dataset("digits")
    a = _predict_csv(digits_run, tmp_path, X, ds.feature_names)
    path = tmp_path / "rows.csv"
    pred = tmp_path / "pred2.csv"
    assert main(["predict", str(out), "--input", str(path), "--output", str(pred)]) == 0
    assert list(csv.reader(pred.read_text().splitlines()))[1:] == a[1]


def test_safetensors_export_with_another_extension_is_still_safetensors(digits_run, tmp_path):
    out = tmp_path / "weights.bin"
    assert main(["export", str(digits_run), "--format", "safetensors", "-o", str(out)]) == 0
    assert out.read_bytes()[8:9] == b"{"
    model = ln.load(str(out))
    assert isinstance(model, ln.nn.Sequential)


@pytest.mark.parametrize("argv, message", [
    (["--format", "onnx", "-o", "{tmp}"], "is a folder"),
    (["-o", "{tmp}/x.bin"], "say which format"),
    ([], "say which format"),
    (["--format", "safetensors", "--opset", "17"], "--opset is for --format onnx"),
    (["--format", "pickle"], "invalid choice"),
])
def test_export_mistakes_are_one_line_errors(digits_run, tmp_path, capsys, argv, message):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main(["export", str(digits_run), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_export_of_a_missing_run_or_non_model_file(tmp_path, capsys):
    assert main(["export", str(tmp_path / "nope"), "--format", "onnx"]) == 2
    assert "no such model file or run folder" in capsys.readouterr().err
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip at all")
    assert main(["export", str(junk), "--format", "safetensors", "-o", str(tmp_path / "o.st")]) == 2
    assert capsys.readouterr().err.startswith("error:")


def test_cnn_refuses_the_mlp_options_it_would_ignore(tmp_path, capsys):
    for extra in (["--activation", "tanh"], ["--hidden", "32"], ["--init", "he_normal"]):
        assert main(["train", "--model", "cnn", "--epochs", "1", "--quiet",
                     "--out", str(tmp_path / "cnn"), *extra]) == 2
        err = capsys.readouterr().err
        assert f"{extra[0]}: MLP option" in err and "would ignore it" in err
    assert not (tmp_path / "cnn").exists()
