"""Issue 14, part 1: `lucidnet train --data FILE --target COL` on your own table (CSV / TSV /
Parquet) or image folder, and predict / evaluate on such runs -- by column name, with one-line
errors (exit 2) for every user mistake."""

import csv
import io
import json

import numpy as np
import pytest

import lucidnet as ln
from lucidnet.cli import main
from lucidnet.data.tabular import TableEncoder, read_table

FAST = ["--epochs", "3", "--quiet", "--lr", "0.01", "--hidden", "16"]


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def _rows(n=120, seed=0, missing=False):
    """age (numeric), color (text), level (integer codes), score (numeric), label (text)."""
    rng = np.random.default_rng(seed)
    age = rng.normal(40, 10, n)
    color = rng.choice(["red", "blue", "green"], n)
    level = rng.integers(1, 4, n)
    score = rng.normal(0, 1, n)
    label = np.where((age > 40) ^ (color == "red"), "yes", "no")
    rows = []
    for i in range(n):
        a = "" if missing and i % 17 == 5 else f"{age[i]:.2f}"
        c = "NA" if missing and i % 23 == 7 else color[i]
        rows.append({"age": a, "color": c, "level": str(level[i]), "score": f"{score[i]:.3f}",
                     "label": label[i]})
    return rows


def _write_csv(path, rows, columns=None, delimiter=","):
    columns = columns or list(rows[0])
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter=delimiter)
        w.writerow(columns)
        for r in rows:
            w.writerow([r[c] for c in columns])
    return path


def _predictions(path):
    return list(csv.reader(io.StringIO(path.read_text())))


def _err(capsys):
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err, err
    return err


@pytest.fixture(scope="module")
def table_run(tmp_path_factory):
    """A classification run with a categorical column and imputed missing cells."""
    root = tmp_path_factory.mktemp("table")
    data = _write_csv(root / "people.csv", _rows(missing=True))
    run = root / "run"
    assert main(["train", "--data", str(data), "--target", "label", "--impute", "mean",
                 *FAST, "--out", str(run)]) == 0
    return root, data, run


def test_table_run_records_config_and_table_metadata(table_run):
    root, data, run = table_run
    cfg = json.loads((run / "config.json").read_text())
    assert cfg["data"] == str(data) and cfg["input"] == "table" and cfg["dataset"] is None
    assert cfg["target"] == "label" and cfg["task"] == "classification"
    assert cfg["impute"] == "mean" and cfg["features"] is None and cfg["categorical"] == []
    assert cfg["test"] is None and cfg["test_file"] is None
    assert cfg["data_file"]["size"] == data.stat().st_size and len(cfg["data_file"]["sha256"]) == 64
    model, meta = ln.load(str(run / "model.npz"), with_metadata=True)
    table = meta["table"]
    assert set(table) == {"format", "target", "columns", "encoded_names", "ignored"}
    assert table["ignored"] == []  # every column of the file but the target is a feature
    assert table["format"] == "csv" and table["target"] == "label"
    assert [(c["name"], c["kind"]) for c in table["columns"]] == [
        ("age", "numeric"), ("color", "categorical"), ("level", "numeric"), ("score", "numeric")]
    assert table["columns"][1]["categories"] == ["blue", "green", "red"]
    assert all(c["fill"] is not None for c in table["columns"])  # imputed run
    assert table["encoded_names"] == ["age", "color=blue", "color=green", "color=red", "level",
                                      "score"]
    assert meta["feature_names"] == table["encoded_names"]
    assert meta["class_names"] == ["no", "yes"] and meta["task"] == "classification"
    assert isinstance(model[0], ln.nn.Standardize) and model[0].num_features == 6
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["dataset"] == "people.csv" and 0 <= metrics["test"]["accuracy"] <= 1


def test_predict_matches_the_saved_model_on_encoded_rows_and_column_order_is_free(table_run,
                                                                                   tmp_path):
    root, data, run = table_run
    rows = _rows(40, seed=3, missing=True)
    a = _write_csv(tmp_path / "a.csv", rows, ["age", "color", "level", "score"])
    b = _write_csv(tmp_path / "b.csv", rows, ["score", "label", "level", "color", "age"])
    assert main(["predict", str(run), "--input", str(a), "--output", str(tmp_path / "pa.csv")]) == 0
    assert main(["predict", str(run), "--input", str(b), "--output", str(tmp_path / "pb.csv")]) == 0
    pa, pb = _predictions(tmp_path / "pa.csv"), _predictions(tmp_path / "pb.csv")
    assert pa == pb and pa[0] == ["prediction", "p_no", "p_yes"] and len(pa) == 41
    # the same numbers from lucidnet.load(model.npz) on the encoded rows
    model, meta = ln.load(str(run / "model.npz"), with_metadata=True)
    X = TableEncoder.from_dict(meta["table"]).transform(read_table(a))
    model.eval()
    with ln.no_grad():
        logits = np.asarray(model(ln.tensor(X)).data, dtype=np.float64)
    proba = np.exp(logits - logits.max(1, keepdims=True))
    proba /= proba.sum(1, keepdims=True)
    got = np.array([[float(v) for v in r[1:]] for r in pa[1:]])
    np.testing.assert_allclose(got, proba, rtol=1e-5, atol=1e-6)
    assert [r[0] for r in pa[1:]] == [meta["class_names"][k] for k in proba.argmax(1)]


def test_evaluate_on_a_labelled_csv_and_on_the_runs_own_split(table_run, tmp_path, capsys):
    root, data, run = table_run
    rows = _rows(50, seed=4)
    lab = _write_csv(tmp_path / "labelled.csv", rows)
    out = tmp_path / "ev"
    assert main(["evaluate", str(run), "--data", str(lab), "--out", str(out)]) == 0
    assert "labelled.csv (every row, 50 samples)" in capsys.readouterr().out
    acc = json.loads((out / "metrics.json").read_text())["accuracy"]
    feats = _write_csv(tmp_path / "f.csv", rows, ["age", "color", "level", "score"])
    assert main(["predict", str(run), "--input", str(feats), "--output", str(tmp_path / "p.csv")]) == 0
    pred = [r[0] for r in _predictions(tmp_path / "p.csv")[1:]]
    assert acc == pytest.approx(np.mean([p == r["label"] for p, r in zip(pred, rows)]))
    # the target column by another name
    renamed = [{**{k: v for k, v in r.items() if k != "label"}, "truth": r["label"]} for r in rows]
    other = _write_csv(tmp_path / "other.csv", renamed)
    assert main(["evaluate", str(run), "--data", str(other), "--target", "truth",
                 "--out", str(tmp_path / "ev2")]) == 0
    assert json.loads((tmp_path / "ev2" / "metrics.json").read_text())["accuracy"] == acc
    capsys.readouterr()
    assert main(["evaluate", str(run), "--data", str(feats), "--out", str(tmp_path / "e3")]) == 2
    assert "has no target column 'label'" in _err(capsys)
    # no --data: the run's own held-out split, the same accuracy as training reported
    assert main(["evaluate", str(run), "--out", str(tmp_path / "own")]) == 0
    assert "its held-out test split" in capsys.readouterr().out
    own = json.loads((tmp_path / "own" / "metrics.json").read_text())["accuracy"]
    assert own == json.loads((run / "metrics.json").read_text())["test"]["accuracy"]
    assert main(["evaluate", str(run), "--dataset", "iris"]) == 2
    assert "not on a bundled dataset" in _err(capsys)


@pytest.mark.parametrize("columns,needle", [
    (["age", "color", "level"], "missing 'score'"),
    (["age", "color", "level", "score", "height"], "unexpected 'height'"),
    (["Age", "color", "level", "score"], "upper/lower case: 'Age' should be 'age'"),
])
def test_predict_refuses_missing_unexpected_and_misnamed_columns(table_run, tmp_path, capsys,
                                                                 columns, needle):
    root, data, run = table_run
    rows = [{**r, "Age": r["age"], "height": "1.8"} for r in _rows(5)]
    path = _write_csv(tmp_path / "x.csv", rows, columns)
    assert main(["predict", str(run), "--input", str(path)]) == 2
    err = _err(capsys)
    assert needle in err and "x.csv" in err


def test_predict_unknown_category_and_ignored_target_column(table_run, tmp_path, capsys):
    root, data, run = table_run
    rows = _rows(5)
    rows[2]["color"] = "purple"
    path = _write_csv(tmp_path / "x.csv", rows, ["age", "color", "level", "score"])
    assert main(["predict", str(run), "--input", str(path)]) == 2
    assert "line 4, column 'color': unknown category 'purple'" in _err(capsys)
    rows = [{**r, "id": str(i)} for i, r in enumerate(_rows(5))]
    path = _write_csv(tmp_path / "y.csv", rows, ["id", "age", "color", "level", "score"])
    assert main(["predict", str(run), "--input", str(path)]) == 2
    assert "unexpected 'id'" in _err(capsys)
    assert main(["predict", str(run), "--input", str(path), "--target", "id"]) == 0
    assert main(["predict", str(run), "--input", str(path), "--target", "nope"]) == 2
    assert "--target 'nope' is not a column" in _err(capsys)


def test_missing_values_refused_at_train_and_predict_time_without_impute(tmp_path, capsys):
    data = _write_csv(tmp_path / "m.csv", _rows(missing=True))
    assert main(["train", "--data", str(data), "--target", "label", *FAST]) == 2
    err = _err(capsys)
    assert "m.csv: line 7, column 'age': missing value ''" in err and "--impute mean" in err
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())
    clean = _write_csv(tmp_path / "c.csv", _rows())
    assert main(["train", "--data", str(clean), "--target", "label", *FAST]) == 0
    run = tmp_path / "runs" / "c-mlp-seed0"  # the default folder: <file stem>-<model>-seed<N>
    assert (run / "model.npz").exists()
    rows = _rows(10)
    rows[3]["score"] = "n/a"
    path = _write_csv(tmp_path / "p.csv", rows, ["age", "color", "level", "score"])
    capsys.readouterr()
    assert main(["predict", str(run), "--input", str(path)]) == 2
    assert "p.csv: line 5, column 'score': missing value 'n/a'; the model was trained without " \
           "imputation" in _err(capsys)


def test_regression_target_trains_predicts_and_matches_the_model(tmp_path, capsys):
    rng = np.random.default_rng(1)
    rows = [{"x1": f"{a:.3f}", "kind": k, "y": f"{2 * a + (k == 'b') + 0.01 * e:.4f}"}
            for a, k, e in zip(rng.normal(size=80), rng.choice(["a", "b"], 80),
                               rng.normal(size=80))]
    data = _write_csv(tmp_path / "reg.csv", rows)
    run = tmp_path / "r"
    assert main(["train", "--data", str(data), "--target", "y", *FAST, "--out", str(run)]) == 0
    assert "test R^2" in capsys.readouterr().out
    model, meta = ln.load(str(run / "model.npz"), with_metadata=True)
    assert meta["task"] == "regression" and meta["class_names"] is None
    assert json.loads((run / "config.json").read_text())["task"] == "regression"
    feats = _write_csv(tmp_path / "f.csv", rows[:12], ["kind", "x1"])
    assert main(["predict", str(run), "--input", str(feats), "--output", str(tmp_path / "p.csv")]) == 0
    pred = _predictions(tmp_path / "p.csv")
    assert pred[0] == ["prediction"]
    X = TableEncoder.from_dict(meta["table"]).transform(read_table(feats))
    model.eval()
    with ln.no_grad():
        ref = np.asarray(model(ln.tensor(X)).data).reshape(-1)
    np.testing.assert_allclose([float(r[0]) for r in pred[1:]], ref, rtol=1e-5, atol=1e-6)
    assert main(["evaluate", str(run), "--data", str(data), "--out", str(tmp_path / "e")]) == 0
    assert "r2" in json.loads((tmp_path / "e" / "metrics.json").read_text())
    # integer-valued targets are classes unless --task regression says otherwise
    ints = _write_csv(tmp_path / "ints.csv", [{**r, "y": str(round(float(r["y"])))} for r in rows])
    assert main(["train", "--data", str(ints), "--target", "y", "--task", "regression", *FAST,
                 "--out", str(tmp_path / "ri")]) == 0
    assert ln.load(str(tmp_path / "ri" / "model.npz"), with_metadata=True)[1]["task"] == "regression"


def test_tsv_training_and_parquet_prediction(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rows = _rows(90)
    data = _write_csv(tmp_path / "t.tsv", rows, delimiter="\t")
    run = tmp_path / "r"
    assert main(["train", "--data", str(data), "--target", "label", *FAST, "--out", str(run)]) == 0
    meta = ln.load(str(run / "model.npz"), with_metadata=True)[1]
    assert meta["table"]["format"] == "tsv"
    part = rows[:15]
    _write_csv(tmp_path / "in.csv", part, ["age", "color", "level", "score"])
    pq.write_table(pa.table({"level": [int(r["level"]) for r in part],
                             "score": [float(r["score"]) for r in part],
                             "color": [r["color"] for r in part],
                             "age": [float(r["age"]) for r in part]}), tmp_path / "in.parquet")
    for name in ("in.csv", "in.parquet"):
        assert main(["predict", str(run), "--input", str(tmp_path / name),
                     "--output", str(tmp_path / f"{name}.out")]) == 0
    assert (tmp_path / "in.csv.out").read_text() == (tmp_path / "in.parquet.out").read_text()
    # a Parquet training file too
    pq.write_table(pa.table({k: [r[k] for r in rows] for k in rows[0]}), tmp_path / "t.parquet")
    assert main(["train", "--data", str(tmp_path / "t.parquet"), "--target", "label", *FAST,
                 "--out", str(tmp_path / "rp")]) == 0
    assert ln.load(str(tmp_path / "rp" / "model.npz"),
                   with_metadata=True)[1]["table"]["format"] == "parquet"


def test_test_file_features_and_categorical(tmp_path, capsys):
    data = _write_csv(tmp_path / "train.csv", _rows(100))
    test = _write_csv(tmp_path / "test.csv", _rows(30, seed=9))
    run = tmp_path / "r"
    assert main(["train", "--data", str(data), "--target", "label", "--test", str(test),
                 "--features", "color,level,age", "--categorical", "level", *FAST,
                 "--out", str(run)]) == 0
    out = capsys.readouterr().out
    assert "(90 train / 10 validation / 30 test)" in out  # validation from the training file
    meta = ln.load(str(run / "model.npz"), with_metadata=True)[1]
    assert meta["table"]["encoded_names"] == ["color=blue", "color=green", "color=red",
                                              "level=1", "level=2", "level=3", "age"]
    cfg = json.loads((run / "config.json").read_text())
    assert cfg["features"] == ["color", "level", "age"] and cfg["categorical"] == ["level"]
    assert cfg["test"] == str(test) and cfg["test_file"]["size"] == test.stat().st_size
    assert main(["evaluate", str(run), "--out", str(tmp_path / "e")]) == 0
    assert "its test file test.csv, 30 samples" in capsys.readouterr().out
    # 'score' is a column of the training file left out by --features: a file laid out like
    # the training file may hold it; a column the training file lacked is refused
    feats = _write_csv(tmp_path / "f.csv", _rows(5), ["age", "color", "level", "score"])
    assert main(["predict", str(run), "--input", str(feats)]) == 0
    capsys.readouterr()
    rows = [{**r, "height": "1.8"} for r in _rows(5)]
    feats = _write_csv(tmp_path / "g.csv", rows, ["age", "color", "level", "height"])
    assert main(["predict", str(run), "--input", str(feats)]) == 2
    assert "unexpected 'height'" in _err(capsys)


def test_resume_of_a_table_run_equals_an_uninterrupted_run_and_refuses_a_changed_file(tmp_path,
                                                                                      capsys):
    data = _write_csv(tmp_path / "d.csv", _rows(80, missing=True))
    common = ["--data", str(data), "--target", "label", "--impute", "mean", "--quiet",
              "--lr", "0.01", "--hidden", "8"]
    assert main(["train", *common, "--epochs", "3", "--out", str(tmp_path / "full")]) == 0
    assert main(["train", *common, "--epochs", "2", "--out", str(tmp_path / "part")]) == 0
    assert main(["train", "--resume", str(tmp_path / "part"), "--epochs", "3"]) == 0
    full = ln.load(str(tmp_path / "full" / "model.npz")).state_dict()
    part = ln.load(str(tmp_path / "part" / "model.npz")).state_dict()
    for k in full:
        np.testing.assert_array_equal(np.asarray(full[k]), np.asarray(part[k]))
    with open(data, "a") as f:
        f.write("50,red,1,0.5,yes\n")
    capsys.readouterr()
    assert main(["train", "--resume", str(tmp_path / "part"), "--epochs", "4"]) == 2
    err = _err(capsys)
    assert "changed since the run was trained" in err and "d.csv" in err
    assert main(["evaluate", str(tmp_path / "part")]) == 2
    assert "changed since the run was trained" in _err(capsys)
    assert main(["train", "--resume", str(tmp_path / "part"), "--target", "age"]) == 2
    assert "cannot change --target" in _err(capsys)


def test_train_option_mistakes_are_one_line(tmp_path, capsys):
    data = _write_csv(tmp_path / "d.csv", _rows(30))
    (tmp_path / "nohead.csv").write_text("1,2,3\n4,5,6\n")
    (tmp_path / "d.xlsx").write_text("x")
    d = str(data)
    cases = [
        (["--data", d, "--dataset", "iris", "--target", "label"], "--data and --dataset are exclusive"),
        (["--target", "label"], "--target is an option of --data FILE"),
        (["--data", d], "needs --target COLUMN"),
        (["--data", d, "--target", "nope"], "--target 'nope' is not a column"),
        (["--data", d, "--target", "label", "--model", "cnn"], "--model cnn needs image data"),
        (["--data", d, "--target", "label", "--task", "ranking"], "unknown task 'ranking'"),
        (["--data", d, "--target", "label", "--impute", "median"], "unknown imputation"),
        (["--data", str(tmp_path / "none.csv"), "--target", "y"], "no such file or folder"),
        (["--data", str(tmp_path / "d.xlsx"), "--target", "y"], "unknown file type"),
        (["--data", str(tmp_path / "nohead.csv"), "--target", "y"], "no header line"),
        (["--data", d, "--target", "label", "--features", "age,weight"], "['weight'] not in the header"),
        (["--data", d, "--target", "label", "--categorical", "score", "--features", "age"],
         "not among the features"),
        (["--data", d, "--target", "label", "--test", d, "--test-size", "0.3"], "no --test-size"),
        (["--data", d, "--target", "label", "--features", ","], "comma-separated column names"),
        (["--data", d, "--target", "label", "--augment", "rotate=10"], "--augment needs image data"),
    ]
    for argv, needle in cases:
        assert main(["train", *argv, *FAST]) == 2, argv
        err = _err(capsys)
        assert needle in err, (argv, err)


def test_bundled_dataset_runs_are_unchanged(tmp_path):
    run = tmp_path / "iris"
    assert main(["train", "--dataset", "iris", *FAST, "--out", str(run)]) == 0
    cfg = json.loads((run / "config.json").read_text())
    for key in ("data", "input", "target", "task", "features", "categorical", "impute", "test",
                "data_file", "test_file"):
        assert key not in cfg
    assert cfg["dataset"] == "iris"
    meta = ln.load(str(run / "model.npz"), with_metadata=True)[1]
    assert "table" not in meta
    assert main(["evaluate", str(run), "--data", str(_write_csv(tmp_path / "x.csv", _rows(5)))]) == 2


# ---------------------------------------------------------------- image folders
@pytest.fixture(scope="module")
def image_folder(tmp_path_factory):
    Image = pytest.importorskip("PIL.Image")
    pytest.importorskip("lucidnet.data.image_folder")
    root = tmp_path_factory.mktemp("images")
    rng = np.random.default_rng(0)
    for split, n in (("train", 16), ("test", 5)):
        for k, name in enumerate(("dark", "light")):
            (root / split / name).mkdir(parents=True)
            for i in range(n):
                base = 60 if k == 0 else 190
                pixels = np.clip(base + rng.normal(0, 20, (6, 5)), 0, 255).astype(np.uint8)
                Image.fromarray(pixels, mode="L").save(root / split / name / f"{i:02d}.png")
    return root


@pytest.mark.parametrize("model", ["mlp", "cnn"])
def test_image_folder_run_trains_predicts_and_evaluates(image_folder, tmp_path, capsys, model):
    from lucidnet.data.image_folder import load_images

    run = tmp_path / model
    assert main(["train", "--data", str(image_folder / "train"), "--model", model,
                 "--test", str(image_folder / "test"), "--epochs", "2", "--quiet",
                 "--out", str(run)]) == 0
    assert "(28 train / 4 validation / 10 test)" in capsys.readouterr().out
    mdl, meta = ln.load(str(run / "model.npz"), with_metadata=True)
    assert meta["image_shape"] == [1, 6, 5] and meta["class_names"] == ["dark", "light"]
    assert "table" not in meta
    cfg = json.loads((run / "config.json").read_text())
    assert cfg["input"] == "images" and cfg["data_file"]["files"] == 32
    folder = image_folder / "test" / "light"
    assert main(["predict", str(run), "--input", str(folder), "--output", str(tmp_path / "p.csv")]) == 0
    pred = _predictions(tmp_path / "p.csv")
    assert pred[0] == ["file", "prediction", "p_dark", "p_light"] and len(pred) == 6
    assert pred[1][0].endswith("00.png")
    X = load_images(folder, meta["image_shape"])
    if model == "cnn":
        X = X.reshape(len(X), 1, 6, 5)
    mdl.eval()
    with ln.no_grad():
        logits = np.asarray(mdl(ln.tensor(X)).data, dtype=np.float64)
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    np.testing.assert_allclose([[float(v) for v in r[2:]] for r in pred[1:]], p, rtol=1e-5,
                               atol=1e-6)
    capsys.readouterr()
    assert main(["predict", str(run), "--input", str(folder / "03.png")]) == 0
    assert capsys.readouterr().out.splitlines()[1] == ",".join(pred[4])
    assert main(["evaluate", str(run), "--data", str(image_folder / "test"),
                 "--out", str(tmp_path / "e")]) == 0
    assert "accuracy" in json.loads((tmp_path / "e" / "metrics.json").read_text())
    assert main(["train", "--data", str(image_folder / "train"), "--target", "x"]) == 2
    assert "--target is for tables" in _err(capsys)


def test_config_file_names_the_table_and_its_columns(tmp_path):
    data = _write_csv(tmp_path / "d.csv", _rows(40))
    toml = tmp_path / "c.toml"
    toml.write_text(f'data = "{data}"\ntarget = "label"\nfeatures = ["age", "color"]\n'
                    'epochs = 2\nquiet = true\nhidden = [8]\n')
    assert main(["train", "--config", str(toml), "--out", str(tmp_path / "r")]) == 0
    meta = ln.load(str(tmp_path / "r" / "model.npz"), with_metadata=True)[1]
    assert meta["table"]["encoded_names"] == ["age", "color=blue", "color=green", "color=red"]
    toml.write_text(f'data = "{data}"\ntarget = "label"\nfeatures = [1]\n')
    assert main(["train", "--config", str(toml)]) == 2


def test_small_and_degenerate_tables(tmp_path, capsys):
    tiny = tmp_path / "tiny.csv"
    tiny.write_text("a,b,y\n1,x,p\n2,y,q\n3,x,p\n4,y,q\n5,x,p\n")
    assert main(["train", "--data", str(tiny), "--target", "y", *FAST, "--out", str(tmp_path / "t")]) == 0
    assert "too few to split" in capsys.readouterr().out
    rare = tmp_path / "rare.csv"
    rare.write_text("a,y\n" + "".join(f"{i},{'b' if i == 0 else 'a'}\n" for i in range(40)))
    assert main(["train", "--data", str(rare), "--target", "y", *FAST]) == 2
    assert "class 'b' of the target 'y' has only 1 row" in _err(capsys)
    one = tmp_path / "one.csv"
    one.write_text("a,y\n" + "".join(f"{i},a\n" for i in range(30)))
    assert main(["train", "--data", str(one), "--target", "y", *FAST]) == 2
    assert "holds a single class 'a'" in _err(capsys)
    only = tmp_path / "only.csv"
    only.write_text("y\n1\n2\n")
    assert main(["train", "--data", str(only), "--target", "y", *FAST]) == 2
    assert "no feature columns" in _err(capsys)
    assert main(["evaluate", str(tmp_path / "t"), "--data-path", str(tmp_path)]) == 2
    assert "--data-path is for --dataset mnist" in _err(capsys)
