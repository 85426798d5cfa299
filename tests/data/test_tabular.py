"""lucidnet.data.tabular: read_table (CSV / TSV / Parquet), TableEncoder, encode_target."""

import json

import numpy as np
import pytest

from lucidnet.data.tabular import Table, TableEncoder, encode_target, read_table


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def mixed(tmp_path):
    return _write(tmp_path / "t.csv", "age,color,size,label\n"
                  "30,red,1,yes\n"
                  "\n"
                  "40, blue ,2,no\n"
                  "50,red,1,yes\n"
                  "20,green,3,no\n")


def test_read_csv_names_cells_and_editor_lines(mixed):
    t = read_table(mixed)
    assert isinstance(t, Table) and t.format == "csv" and len(t) == 4
    assert t.names == ["age", "color", "size", "label"]
    assert list(t.column("color")) == ["red", "blue", "red", "green"]  # stripped
    assert list(t.lines) == [2, 4, 5, 6]  # the blank line 3 is skipped, lines stay the file's
    assert all(c.dtype == object for c in t.columns)
    sub = t.take([2, 0])
    assert list(sub.column("age")) == ["50", "30"] and list(sub.lines) == [5, 2]


def test_tsv_and_parquet_read_the_same_table(tmp_path, mixed):
    tsv = _write(tmp_path / "t.tsv", mixed.read_text().replace(",", "\t"))
    a, b = read_table(mixed), read_table(tsv)
    assert b.format == "tsv" and b.names == a.names
    assert all(list(x) == list(y) for x, y in zip(a.columns, b.columns))
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"age": [30.0, None, float("nan")], "color": ["red", None, "blue"],
                             "n": [1, 2, 3]}), path)
    p = read_table(path)
    assert p.format == "parquet" and p.names == ["age", "color", "n"] and list(p.lines) == [2, 3, 4]
    assert p.column("age")[0] == 30.0 and p.column("age")[1] is None
    assert p.column("n")[2] == 3 and p.column("color")[1] is None
    enc = TableEncoder(impute="mean").fit(p)
    X = enc.transform(p)
    # numbers stay numbers (no text round trip); null and NaN are missing -> the mean 30
    np.testing.assert_array_equal(X[:, 0], [30, 30, 30])
    assert enc.encoded_names_ == ["age", "color=blue", "color=red", "n"]
    np.testing.assert_array_equal(X[:, 1:3], [[0, 1], [1, 0], [1, 0]])  # tie: first sorted, blue


@pytest.mark.parametrize("text,needle", [
    ("", "empty file"),
    ("1,2,3\n4,5,6\n", "no header line"),
    ("a,b\n", "no data rows"),
    ("a,a\n1,2\n", "duplicate column names ['a']"),
    ("a,,c\n1,2,3\n", "column 2 (between 'a' and 'c') of the header has no name"),
    ("a,b\n1,2\n3\n", "line 3 has 1 fields, the header (line 1) has 2"),
])
def test_read_table_refuses_bad_files_in_one_line(tmp_path, text, needle):
    with pytest.raises(ValueError) as err:
        read_table(_write(tmp_path / "bad.csv", text))
    assert needle in str(err.value) and "\n" not in str(err.value)


def test_read_table_unknown_extension_missing_file_and_folder(tmp_path):
    with pytest.raises(ValueError, match="unknown table format '.xlsx'"):
        read_table(_write(tmp_path / "a.xlsx", "a\n1\n"))
    assert read_table(tmp_path / "a.xlsx", delimiter=",").names == ["a"]
    with pytest.raises(ValueError, match="no such table file"):
        read_table(tmp_path / "none.csv")
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(ValueError, match="is a folder"):
        read_table(tmp_path / "dir.csv")


def test_encoder_kinds_one_hot_layout_and_names(mixed):
    t = read_table(mixed)
    enc = TableEncoder().fit(t, "label")
    assert [c["kind"] for c in enc.columns_] == ["numeric", "categorical", "numeric"]
    assert enc.columns_[1]["categories"] == ["blue", "green", "red"]  # sorted
    assert enc.encoded_names_ == ["age", "color=blue", "color=green", "color=red", "size"]
    X = enc.transform(t)
    assert X.dtype == np.float32 and X.shape == (4, 5)
    np.testing.assert_array_equal(X, [[30, 0, 0, 1, 1], [40, 1, 0, 0, 2], [50, 0, 0, 1, 1],
                                      [20, 0, 1, 0, 3]])
    # forced categorical numbers, a chosen feature order
    enc2 = TableEncoder(features=["size", "age"], categorical=["size"]).fit(t, "label")
    assert enc2.encoded_names_ == ["size=1", "size=2", "size=3", "age"]
    np.testing.assert_array_equal(enc2.transform(t)[:, :3].argmax(1), [0, 1, 0, 2])


def test_encoder_round_trips_through_json(mixed):
    t = read_table(mixed)
    enc = TableEncoder(impute="mean").fit(t, "label")
    d = json.loads(json.dumps(enc.to_dict()))
    assert set(d) == {"columns", "encoded_names", "ignored"} and d["ignored"] == []
    back = TableEncoder.from_dict(d)
    assert back.impute == "mean" and back.columns_ == enc.columns_
    np.testing.assert_array_equal(back.transform(t), enc.transform(t))
    assert TableEncoder.from_dict(back.to_dict()).to_dict() == d  # second round trip
    with pytest.raises(ValueError, match="not a table encoder"):
        TableEncoder.from_dict({"x": 1})
    with pytest.raises(RuntimeError, match="not fitted"):
        TableEncoder().transform(t)


def test_missing_values_refused_with_line_and_column_or_imputed(tmp_path):
    path = _write(tmp_path / "m.csv", "x,c,y\n1,a,0\nNA,b,1\n3,,0\n5,a,1\n")
    t = read_table(path)
    with pytest.raises(ValueError) as err:
        TableEncoder().fit(t, "y")
    msg = str(err.value)
    assert "m.csv: line 3, column 'x': missing value 'NA'" in msg and "--impute mean" in msg
    enc = TableEncoder(impute="mean").fit(t, "y")
    assert enc.columns_[0]["fill"] == pytest.approx(3.0)  # (1 + 3 + 5) / 3
    assert enc.columns_[1]["fill"] == "a"  # most frequent
    X = enc.transform(t)
    np.testing.assert_array_equal(X[:, 0], [1, 3, 3, 5])
    np.testing.assert_array_equal(X[2, 1:], [1, 0])  # the empty cell -> 'a'
    # fills from the training rows only (rows 0 and 3): mean (1 + 5) / 2
    assert TableEncoder(impute="mean").fit(t, "y", rows=[0, 3]).columns_[0]["fill"] == 3.0
    # a model trained without imputation refuses missing cells at transform time too
    clean = TableEncoder().fit(read_table(_write(tmp_path / "c.csv", "x,y\n1,0\n2,1\n")), "y")
    with pytest.raises(ValueError, match=r"m.csv: line 3, column 'x': missing value 'NA'; the "
                                         "model was trained without imputation"):
        clean.transform(t)


def test_unknown_category_names_column_value_line_and_known(tmp_path, mixed):
    enc = TableEncoder().fit(read_table(mixed), "label")
    new = read_table(_write(tmp_path / "n.csv", "age,color,size\n1,red,1\n2,purple,1\n"))
    with pytest.raises(ValueError) as err:
        enc.transform(new)
    assert ("n.csv: line 3, column 'color': unknown category 'purple'" in str(err.value)
            and "'blue', 'green', 'red'" in str(err.value))


def test_non_numbers_in_numeric_column_and_non_finite_cells(tmp_path, mixed):
    enc = TableEncoder().fit(read_table(mixed), "label")
    bad = read_table(_write(tmp_path / "b.csv", "age,color,size\n1,red,1\nold,red,1\n"))
    with pytest.raises(ValueError, match="line 3, column 'age' .*'old' is not a number"):
        enc.transform(bad)
    inf = read_table(_write(tmp_path / "i.csv", "a,y\n1,0\ninf,1\n"))
    with pytest.raises(ValueError, match="line 3, column 'a'.*an infinite value"):
        TableEncoder().fit(inf, "y")


def test_check_columns_order_free_missing_unexpected_and_misnamed(tmp_path, mixed):
    enc = TableEncoder().fit(read_table(mixed), "label")
    ok = read_table(_write(tmp_path / "ok.csv", "size,label,color,age\n1,yes,red,30\n"))
    enc.check_columns(ok, ignore=["label"])
    with pytest.raises(ValueError, match="unexpected 'label'"):
        enc.check_columns(ok)
    bad = read_table(_write(tmp_path / "bad.csv", "Age,color,extra\n1,red,2\n"))
    with pytest.raises(ValueError) as err:
        enc.check_columns(bad)
    msg = str(err.value)
    assert "missing 'size'" in msg and "'Age' should be 'age'" in msg
    assert "unexpected 'extra'" in msg and "'Age'" not in msg.split("unexpected")[1].split(";")[0]


def test_encoder_argument_errors(mixed):
    t = read_table(mixed)
    with pytest.raises(ValueError, match="impute must be None"):
        TableEncoder(impute="median")
    with pytest.raises(TypeError, match="not a string"):
        TableEncoder(features="age")
    with pytest.raises(ValueError, match=r"feature column\(s\) \['weight'\] not in the header"):
        TableEncoder(features=["weight"]).fit(t, "label")
    with pytest.raises(ValueError, match="cannot also be a feature"):
        TableEncoder(features=["age", "label"]).fit(t, "label")
    with pytest.raises(ValueError, match="not among the features"):
        TableEncoder(features=["age"], categorical=["color"]).fit(t, "label")
    with pytest.raises(ValueError, match="more than once"):
        TableEncoder(features=["age", "age"]).fit(t, "label")


def test_encode_target_infers_like_load_csv(tmp_path):
    from lucidnet.data import load_csv

    path = _write(tmp_path / "y.csv", "x,cls,num,int\n1,b,0.5,3\n2,a,1.5,1\n3,b,2.25,3\n")
    t = read_table(path)
    y, task, classes = encode_target(t, "cls")
    assert task == "classification" and classes == ["a", "b"] and list(y) == [1, 0, 1]
    y, task, classes = encode_target(t, "num")
    assert task == "regression" and classes is None and y.dtype == np.float32
    np.testing.assert_allclose(y, [0.5, 1.5, 2.25])
    y, task, classes = encode_target(t, "int")
    ref = load_csv(_write(tmp_path / "n.csv", "x,int\n1,3\n2,1\n3,3\n"), target="int")
    assert task == ref.task and classes == ref.target_names and list(y) == list(ref.y)
    assert encode_target(t, "int", "regression")[1] == "regression"
    # mapping onto a trained model's classes; a label outside them is an error
    assert list(encode_target(t, "cls", classes=["b", "a"])[0]) == [0, 1, 0]
    with pytest.raises(ValueError, match="label 'a' is not one of the model's classes"):
        encode_target(t, "cls", classes=["b"])
    miss = read_table(_write(tmp_path / "m.csv", "x,y\n1,a\n2,NA\n"))
    with pytest.raises(ValueError, match="line 3, target column 'y': missing value 'NA'"):
        encode_target(miss, "y")


def test_parquet_numbers_in_a_categorical_column_match_the_text_files(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    text = read_table(_write(tmp_path / "t.csv", "code,y\n1,a\n2,b\n3,a\n"))
    enc = TableEncoder(categorical=["code"]).fit(text, "y")
    pq.write_table(pa.table({"code": [3.0, 1.0], "y": ["a", "b"]}), tmp_path / "p.parquet")
    X = enc.transform(read_table(tmp_path / "p.parquet"))
    np.testing.assert_array_equal(X, [[0, 0, 1], [1, 0, 0]])
    assert encode_target(read_table(tmp_path / "p.parquet"), "y", classes=["a", "b"])[0].tolist() \
        == [0, 1]


def test_zero_rows_and_a_second_fit(mixed):
    t = read_table(mixed)
    enc = TableEncoder().fit(t, "label")
    empty = enc.transform(t.take([]))
    assert empty.shape == (0, 5) and empty.dtype == np.float32
    first = enc.to_dict()
    assert enc.fit(t, "label").to_dict() == first  # fitting again gives the same encoder
    assert "numeric" not in repr(TableEncoder()) and "5 values" in repr(enc)
