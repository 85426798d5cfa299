"""lucidnet.onnx.export_run: CLI runs (digits MLP and CNN) and table runs (numeric and text
columns, imputation) with their preprocessing inside the graph; clear errors."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

import lucidnet as ln
import lucidnet.onnx as lo
from lucidnet import models, nn

from .helpers import onnx, session


@pytest.fixture(scope="module")
def digits():
    from lucidnet.data import load_dataset

    return load_dataset("digits")


@pytest.fixture(scope="module", params=["mlp", "cnn"])
def run_dir(request, tmp_path_factory):
    from lucidnet import cli

    out = tmp_path_factory.mktemp(f"run_{request.param}")
    args = ["train", "--epochs", "1", "--quiet", "--out", str(out)]
    if request.param == "cnn":
        args += ["--model", "cnn"]
    assert cli.main(args) == 0
    return out


def test_cli_run_matches_lucidnet_and_predict(run_dir, digits, tmp_path, capsys):
    from lucidnet import cli

    proto = lo.export_run(run_dir, tmp_path / "model.onnx")
    onnx.checker.check_model(onnx.load(str(tmp_path / "model.onnx")), full_check=True)
    sess = session(tmp_path / "model.onnx")
    assert [i.name for i in sess.get_inputs()] == ["input"]
    assert sess.get_inputs()[0].shape == ["N", 64]
    assert [o.name for o in sess.get_outputs()] == ["output", "probabilities", "label"]
    X = digits.X.astype(np.float32)  # raw rows: the scaler (and the image reshape) are inside
    output, proba, label = sess.run(None, {"input": X})

    model, meta = ln.load(run_dir / "model.npz", with_metadata=True)
    model.eval()
    kind = meta["config"]["model"]
    inputs = X.reshape((-1, *meta["image_shape"])) if kind == "cnn" else X
    ref = model(inputs).data
    np.testing.assert_allclose(output, ref, rtol=1e-5, atol=2e-6)
    ref_proba = np.exp(ref - ref.max(1, keepdims=True))
    ref_proba /= ref_proba.sum(1, keepdims=True)
    np.testing.assert_allclose(proba, ref_proba, rtol=1e-5, atol=1e-6)
    assert label.dtype == np.int64
    np.testing.assert_array_equal(label, ref.argmax(1))

    # the same labels as `lucidnet predict` on a CSV of the raw rows
    rows = 300
    path = tmp_path / "rows.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(digits.feature_names)
        w.writerows(X[:rows].tolist())
    assert cli.main(["predict", str(run_dir), "--input", str(path), "--output",
                     str(tmp_path / "pred.csv")]) == 0
    capsys.readouterr()
    with open(tmp_path / "pred.csv") as f:
        predicted = [r["prediction"] for r in csv.DictReader(f)]
    names = meta["class_names"]
    assert predicted == [names[i] for i in label[:rows]]

    props = {p.key: p.value for p in proto.metadata_props}
    assert json.loads(props["class_names"]) == names
    assert json.loads(props["input_columns"]) == {"input": list(digits.feature_names)}
    assert props["task"] == "classification" and props["lucidnet_version"] == ln.__version__
    # a model file works as the run folder does, and a second export is the same
    again = lo.export_run(run_dir / "model.npz", tmp_path / "again.onnx")
    assert again.SerializeToString() == proto.SerializeToString()


# ----------------------------------------------------------------------------- table runs
COLUMNS = [
    {"name": "age", "kind": "numeric", "fill": 37.5},
    {"name": "color", "kind": "categorical", "categories": ["blue", "red"], "fill": "red"},
    {"name": "height", "kind": "numeric", "fill": 1.7},
    {"name": "size", "kind": "categorical", "categories": ["L", "M", "S"], "fill": "M"},
]


def _encoded_names(columns):
    return [n for c in columns for n in
            ([c["name"]] if c["kind"] == "numeric" else
             [f"{c['name']}={v}" for v in c["categories"]])]


def _save_table_run(path, columns, task="classification", n_out=3, seed=0):
    """A model.npz laid out as `lucidnet train` writes one for a table (spec section 2)."""
    ln.manual_seed(seed)
    names = _encoded_names(columns)
    f = len(names)
    rng = np.random.default_rng(seed)
    scaler = nn.Standardize(f, mean=rng.normal(size=f), std=rng.uniform(0.5, 2, size=f))
    net = models.MLP(f, hidden=(8,), out_features=n_out, activation="gelu")
    meta = {"config": {"model": "mlp", "data_path": "train.csv"}, "task": task,
            "n_outputs": n_out, "input_scaler": "Standardize layer 0", "feature_names": names,
            "image_shape": None,
            "class_names": ["no", "maybe", "yes"][:n_out] if task == "classification" else None,
            "table": {"format": "csv", "target": "label", "columns": columns,
                      "encoded_names": names}}
    ln.save(nn.Sequential(scaler, net), path, metadata=meta)
    return path


def _encode(columns, numeric, text):
    """The spec's encoding in NumPy: fills for NaN / "", one-hot in category order, an
    unknown category all zero."""
    blocks, i, j = [], 0, 0
    for c in columns:
        if c["kind"] == "numeric":
            v = numeric[:, i].copy()
            if c.get("fill") is not None:
                v[np.isnan(v)] = c["fill"]
            blocks.append(v[:, None])
            i += 1
        else:
            v = text[:, j].copy()
            if c.get("fill") is not None:
                v[v == ""] = c["fill"]
            blocks.append(np.stack([(v == k) for k in c["categories"]], 1).astype(np.float32))
            j += 1
    return np.concatenate(blocks, 1).astype(np.float32)


def _table_rows():
    numeric = np.array([[30, 1.8], [np.nan, 1.6], [45, np.nan], [22.5, 1.75], [60, 1.9]],
                       dtype=np.float32)
    text = np.array([["blue", "S"], ["red", ""], ["", "L"], ["green", "M"], ["red", "XL"]],
                    dtype=object)
    return numeric, text


def test_table_with_text_columns_and_imputation(tmp_path):
    path = _save_table_run(tmp_path / "model.npz", COLUMNS)
    proto = lo.export_run(path, tmp_path / "m.onnx")
    sess = session(tmp_path / "m.onnx")
    inputs = {i.name: i for i in sess.get_inputs()}
    assert list(inputs) == ["numeric", "categorical"]
    assert inputs["categorical"].type == "tensor(string)" and inputs["numeric"].shape == ["N", 2]
    numeric, text = _table_rows()
    output, proba, label = sess.run(None, {"numeric": numeric, "categorical": text})
    model = ln.load(path)
    model.eval()
    encoded = _encode(COLUMNS, numeric, text)
    assert encoded[3, 1:3].sum() == 0 and encoded[4, 4:7].sum() == 0  # unknown: all zero
    ref = model(encoded).data
    np.testing.assert_allclose(output, ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(label, ref.argmax(1))
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-6)
    props = {p.key: p.value for p in proto.metadata_props}
    assert json.loads(props["input_columns"]) == {"numeric": ["age", "height"],
                                                  "categorical": ["color", "size"]}
    assert json.loads(props["table"])["columns"] == COLUMNS
    assert "all-zero" in props["unknown_category"]
    # one row at a time too (dynamic batch)
    one = sess.run(["output"], {"numeric": numeric[1:2], "categorical": text[1:2]})[0]
    np.testing.assert_allclose(one, ref[1:2], rtol=1e-5, atol=1e-6)


def test_table_without_imputation_lets_nan_through(tmp_path):
    columns = [dict(c, fill=None) for c in COLUMNS]
    path = _save_table_run(tmp_path / "model.npz", columns)
    lo.export_run(path, tmp_path / "m.onnx")
    numeric, text = _table_rows()
    output = session(tmp_path / "m.onnx").run(["output"], {"numeric": numeric,
                                                           "categorical": text})[0]
    model = ln.load(path)
    model.eval()
    ref = model(_encode(columns, numeric, text)).data
    np.testing.assert_allclose(output, ref, rtol=1e-5, atol=1e-6)  # NaN where NaN (row 1, 2)
    assert np.isnan(output[1]).all() and np.isfinite(output[0]).all()


def test_numeric_only_regression_table(tmp_path):
    columns = [{"name": "x1", "kind": "numeric", "fill": 0.5},
               {"name": "x2", "kind": "numeric", "fill": None},
               {"name": "x3", "kind": "numeric", "fill": -2.0}]
    path = _save_table_run(tmp_path / "model.npz", columns, task="regression", n_out=1)
    proto = lo.export_run(path, tmp_path / "m.onnx")
    assert [i.name for i in proto.graph.input] == ["input"]
    assert [o.name for o in proto.graph.output] == ["output"]
    x = np.array([[1, 2, 3], [np.nan, 1, np.nan], [0, 0, 0]], dtype=np.float32)
    (out,) = session(tmp_path / "m.onnx").run(None, {"input": x})
    model = ln.load(path)
    model.eval()
    ref = model(_encode(columns, x, np.zeros((3, 0), object))).data
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)


def test_text_only_table(tmp_path):
    columns = [COLUMNS[1], COLUMNS[3]]
    path = _save_table_run(tmp_path / "model.npz", columns)
    proto = lo.export_run(path, tmp_path / "m.onnx")
    assert [i.name for i in proto.graph.input] == ["categorical"]
    _, text = _table_rows()
    out = session(tmp_path / "m.onnx").run(["output"], {"categorical": text})[0]
    model = ln.load(path)
    model.eval()
    np.testing.assert_allclose(out, model(_encode(columns, np.zeros((5, 0)), text)).data,
                               rtol=1e-5, atol=1e-6)


def test_table_metadata_of_the_tables_helper(tmp_path):
    """The encoder that `lucidnet train --data` fits (data.tabular.TableEncoder) describes
    columns the exported graph encodes exactly as its transform does."""
    tabular = pytest.importorskip("lucidnet.data.tabular")
    src = tmp_path / "train.csv"
    src.write_text("age,color,height,label\n30,blue,1.8,no\n,red,1.6,yes\n45,red,,maybe\n"
                   "22,blue,1.75,no\n60,,1.9,yes\n")
    table = tabular.read_table(str(src))
    encoder = tabular.TableEncoder(impute="mean").fit(table, "label")
    desc = encoder.to_dict()
    path = _save_table_run(tmp_path / "model.npz", desc["columns"])
    lo.export_run(path, tmp_path / "m.onnx")
    numeric = np.array([[30, 1.8], [np.nan, 1.6], [45, np.nan], [22, 1.75], [60, 1.9]],
                       np.float32)
    text = np.array([["blue"], ["red"], ["red"], ["blue"], [""]], dtype=object)
    out = session(tmp_path / "m.onnx").run(["output"], {"numeric": numeric,
                                                        "categorical": text})[0]
    model = ln.load(path)
    model.eval()
    np.testing.assert_allclose(out, model(encoder.transform(table)).data, rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------------------- errors
def test_export_run_errors(tmp_path):
    with pytest.raises(lo.ExportError, match="no such run folder or model file"):
        lo.export_run(tmp_path / "missing", tmp_path / "m.onnx")
    with pytest.raises(lo.ExportError, match="holds no model.npz"):
        lo.export_run(tmp_path, tmp_path / "m.onnx")
    plain = nn.Sequential(nn.Linear(3, 2))
    ln.save(plain, tmp_path / "plain.npz")
    with pytest.raises(lo.ExportError, match=r"not a model written by 'lucidnet train'.*"
                                             r"lucidnet\.onnx\.export"):
        lo.export_run(tmp_path / "plain.npz", tmp_path / "m.onnx")
    ln.save(plain, tmp_path / "noscaler.npz", metadata={"task": "regression"})
    with pytest.raises(lo.ExportError, match=r"Sequential\(Standardize, network\)"):
        lo.export_run(tmp_path / "noscaler.npz", tmp_path / "m.onnx")
    (tmp_path / "junk.npz").write_bytes(b"not a zip file at all")
    with pytest.raises(lo.ExportError, match="not a readable lucidnet model file"):
        lo.export_run(tmp_path / "junk.npz", tmp_path / "m.onnx")
    path = _save_table_run(tmp_path / "model.npz", COLUMNS)
    with pytest.raises(lo.ExportError, match="opset 19"):
        lo.export_run(path, tmp_path / "m.onnx", opset=18)
    with pytest.raises(lo.ExportError, match="does not exist"):
        lo.export_run(path, tmp_path / "no" / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


def test_export_run_table_that_does_not_fit_the_scaler(tmp_path):
    path = _save_table_run(tmp_path / "model.npz", COLUMNS)
    model, meta = ln.load(path, with_metadata=True)
    meta["table"]["columns"] = COLUMNS[:2]
    ln.save(model, tmp_path / "bad.npz", metadata=meta)
    with pytest.raises(lo.ExportError, match="encode to 3 values but the model's scaler takes 7"):
        lo.export_run(tmp_path / "bad.npz", tmp_path / "m.onnx")


class Custom(nn.Module):
    def forward(self, x):
        return x


def test_export_run_unknown_layer_names_its_path(tmp_path):
    model = nn.Sequential(nn.Standardize(3), nn.Sequential(nn.Linear(3, 2), Custom()))
    ln.save(model, tmp_path / "model.npz", metadata={"task": "regression", "n_outputs": 2,
                                                     "config": {"model": "mlp"}})
    with pytest.raises(lo.ExportError, match=r"cannot export model\[1\]\[1\]: .*Custom"):
        lo.export_run(tmp_path, tmp_path / "m.onnx")


def test_cli_table_run_end_to_end(tmp_path, capsys):
    """`lucidnet train --data table.csv` with a text column and missing values imputed, then
    export_run: onnxruntime on the raw columns gives `lucidnet predict`'s labels and
    probabilities."""
    pytest.importorskip("lucidnet.data.tabular")
    from lucidnet import cli

    rng = np.random.default_rng(0)
    n = 90
    age = rng.uniform(20, 70, n).round(1)
    color = rng.choice(["blue", "red", "green"], n)
    height = rng.normal(1.7, 0.1, n).round(2)
    label = np.where((age > 45) ^ (color == "red"), "yes", "no")
    rows = [["" if i % 17 == 3 else age[i], "" if i % 19 == 5 else color[i], height[i],
             label[i]] for i in range(n)]
    train = tmp_path / "train.csv"
    with open(train, "w", newline="") as f:
        csv.writer(f).writerows([["age", "color", "height", "label"], *rows])
    run = tmp_path / "run"
    assert cli.main(["train", "--data", str(train), "--target", "label", "--impute", "mean",
                     "--epochs", "2", "--quiet", "--out", str(run)]) == 0
    lo.export_run(run, tmp_path / "m.onnx")

    # predict reads the columns by name: give them in another order, label-free
    new = tmp_path / "new.csv"
    with open(new, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["height", "color", "age"])
        w.writerows([[r[2], r[1], r[0]] for r in rows])
    assert cli.main(["predict", str(run), "--input", str(new), "--output",
                     str(tmp_path / "pred.csv")]) == 0
    capsys.readouterr()
    with open(tmp_path / "pred.csv") as f:
        pred = list(csv.DictReader(f))

    numeric = np.array([[np.nan if r[0] == "" else r[0], r[2]] for r in rows], np.float32)
    text = np.array([[r[1]] for r in rows], dtype=object)
    _, proba, label_idx = session(tmp_path / "m.onnx").run(
        None, {"numeric": numeric, "categorical": text})
    names = ln.load(run / "model.npz", with_metadata=True)[1]["class_names"]
    assert [p["prediction"] for p in pred] == [names[i] for i in label_idx]
    ref = np.array([[float(p[f"p_{c}"]) for c in names] for p in pred])
    np.testing.assert_allclose(proba, ref, rtol=1e-5, atol=1e-6)  # predict prints 6 digits


@pytest.mark.parametrize("kind", ["cnn", "mlp"])
def test_cli_image_folder_run(kind, tmp_path, capsys):
    """An image-folder run takes flat 0..255 pixels; the CNN's reshape is inside the graph."""
    pytest.importorskip("PIL")
    from PIL import Image

    from lucidnet import cli
    from lucidnet.data.image_folder import load_image_folder

    rng = np.random.default_rng(0)
    for cls, scale in (("cat", 0.5), ("dog", 1.0)):
        (tmp_path / "imgs" / cls).mkdir(parents=True)
        for i in range(8):
            a = (rng.uniform(0, 255, (6, 5, 3)) * scale).astype(np.uint8)
            Image.fromarray(a).save(tmp_path / "imgs" / cls / f"{i}.png")
    run = tmp_path / "run"
    assert cli.main(["train", "--data", str(tmp_path / "imgs"), "--epochs", "1", "--quiet",
                     "--model", kind, "--out", str(run)]) == 0
    capsys.readouterr()
    lo.export_run(run, tmp_path / "m.onnx")
    X = load_image_folder(str(tmp_path / "imgs")).X.astype(np.float32)
    output, _, label = session(tmp_path / "m.onnx").run(None, {"input": X})
    model, meta = ln.load(run / "model.npz", with_metadata=True)
    model.eval()
    ref = model(X.reshape((-1, *meta["image_shape"])) if kind == "cnn" else X).data
    np.testing.assert_allclose(output, ref, rtol=1e-5, atol=2e-6)
    np.testing.assert_array_equal(label, ref.argmax(1))
