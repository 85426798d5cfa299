"""Issue 14 review: real people's files and programs against tables, ONNX and safetensors.

Each test is a bug a demanding user hit (a silent wrong answer, a misleading error, a
save -> load that did not round-trip), fixed in the library.
"""

from __future__ import annotations

import datetime
import re
import warnings

import numpy as np
import pytest

import lucidnet as ln
from lucidnet import nn
from lucidnet.data.tabular import TableEncoder, encode_target, read_table


def _write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def _numbers_with(tmp_path, bad, n=300):
    rows = "".join(f"{i * 0.5},{i % 2}\n" for i in range(n))
    return _write(tmp_path / "t.csv", f"a,y\n{rows}{bad},0\n{n},1\n")


# ------------------------------------------------------------------ numeric columns with typos
@pytest.mark.parametrize("bad", ["1O", "\"12,5\"", "?"])
def test_one_bad_cell_in_a_numeric_column_is_refused_not_one_hot_encoded(tmp_path, bad):
    # 300 numbers and one typo used to give a categorical column of 302 one-hot inputs, silently
    t = read_table(_numbers_with(tmp_path, bad))
    with pytest.raises(ValueError) as err:
        TableEncoder().fit(t, "y")
    msg = str(err.value)
    shown = bad.strip('"')
    assert f"{shown!r}" in msg and "line 302" in msg and "'a'" in msg
    assert "301 of 302" in msg and "--categorical" in msg
    if shown == "12,5":
        assert "decimal comma" in msg
    # the way out the message names: the column really is categories
    enc = TableEncoder(categorical=["a"]).fit(t, "y")
    assert enc.columns_[0]["kind"] == "categorical" and len(enc.columns_[0]["categories"]) == 302


def test_a_column_of_decimal_commas_is_refused_with_what_to_do(tmp_path):
    path = _write(tmp_path / "t.csv", 'a,y\n"1,5",0\n"2,25",1\n"3,0",0\n')
    with pytest.raises(ValueError, match=r"decimal comma.*'1,5'.*line 2"):
        TableEncoder().fit(read_table(path), "y")


def test_a_mostly_text_column_is_still_categorical(tmp_path):
    path = _write(tmp_path / "t.csv", "size,y\nS,0\nM,1\nL,0\n1,1\nXL,0\n")
    enc = TableEncoder().fit(read_table(path), "y")
    assert enc.columns_[0]["categories"] == ["1", "L", "M", "S", "XL"]


def test_infinite_cells_are_refused_without_suggesting_imputation(tmp_path):
    path = _write(tmp_path / "t.csv", "a,y\n1,0\ninf,1\n3,0\n")
    with pytest.raises(ValueError) as err:
        TableEncoder(impute="mean").fit(read_table(path), "y")
    msg = str(err.value)
    assert "line 3" in msg and "'inf'" in msg and "infinite" in msg
    assert "impute missing values first" not in msg  # --impute does not fill inf


# ------------------------------------------------------------------ identifiers, free text
def test_an_identifier_column_warns_that_it_cannot_generalize(tmp_path):
    path = _write(tmp_path / "t.csv", "id,a,y\n" + "".join(
        f"user{i},{i},{i % 2}\n" for i in range(100)))
    with pytest.warns(UserWarning, match=r"'id' has 100 distinct values in 100 rows"):
        TableEncoder().fit(read_table(path), "y")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # named as categorical on purpose: no warning
        TableEncoder(features=["a"]).fit(read_table(path), "y")


def test_numbers_with_units_warn_with_the_fix(tmp_path):
    path = _write(tmp_path / "t.csv", "rate,y\n" + "".join(
        f"{i}%,{i % 2}\n" for i in range(60)))
    with pytest.warns(UserWarning, match=r"numbers with units or separators"):
        TableEncoder().fit(read_table(path), "y")


def test_categories_that_differ_only_in_case_warn(tmp_path):
    path = _write(tmp_path / "t.csv", "flag,y\nTRUE,0\nFALSE,1\nTrue,0\nfalse,1\n")
    with pytest.warns(UserWarning, match=r"'FALSE' and 'false' differ only in upper/lower case"):
        TableEncoder().fit(read_table(path), "y")


# ------------------------------------------------------------------ file formats
@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_a_file_with_another_separator_says_so_and_how_to_read_it(tmp_path, sep):
    path = _write(tmp_path / "t.csv", f"a{sep}b{sep}y\n1{sep}2{sep}0\n3{sep}4{sep}1\n")
    with pytest.raises(ValueError, match=rf"separated by {re.escape(repr(sep))}.*delimiter={re.escape(repr(sep))}"):
        read_table(path)
    t = read_table(path, delimiter=sep)
    assert t.names == ["a", "b", "y"] and list(t.column("b")) == ["2", "4"]


def test_trailing_empty_columns_of_a_spreadsheet_are_dropped(tmp_path):
    # Excel / LibreOffice write a separator after the last column when a cell right of the table
    # was ever touched: empty name, empty cells
    path = _write(tmp_path / "t.csv", "a,y,,\r\n1,0,,\r\n2,1,,\r\n")
    t = read_table(path)
    assert t.names == ["a", "y"] and list(t.column("a")) == ["1", "2"]
    # but an unnamed column with values is refused, counted from 1 as a spreadsheet does
    path = _write(tmp_path / "u.csv", "a,,y\n1,5,0\n2,6,1\n")
    with pytest.raises(ValueError, match=r"column 2 \(between 'a' and 'y'\) of the header has no"):
        read_table(path)


def test_a_quoted_multi_line_cell_reports_the_line_its_row_starts_on(tmp_path):
    path = _write(tmp_path / "t.csv", 'a,note,y\n1,"one\ntwo\nthree",0\nx,ok,1\n')
    t = read_table(path)
    assert list(t.lines) == [2, 5]
    assert t.column("note")[0] == "one\ntwo\nthree"


@pytest.mark.parametrize("encoding,hint", [("cp1252", "Windows-1252"), ("utf-16", "UTF-16")])
def test_a_file_that_is_not_utf8_names_its_likely_encoding(tmp_path, encoding, hint):
    path = _write(tmp_path / "t.csv", "größe,y\n1,0\n", encoding)
    with pytest.raises(ValueError, match=rf"not valid UTF-8.*{hint}.*CSV UTF-8"):
        read_table(path)


def test_parquet_timestamps_and_lists_are_refused_with_what_to_do(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    when = [datetime.datetime(2024, 1, d) for d in (1, 2, 3)]
    pq.write_table(pa.table({"when": when, "day": [datetime.date(2024, 1, d) for d in (1, 2, 3)],
                             "tags": [[1], [2], [3]], "y": [0, 1, 0]}), tmp_path / "t.parquet")
    t = read_table(tmp_path / "t.parquet")
    with pytest.raises(ValueError, match=r"'when' holds dates/times.*convert"):
        TableEncoder(features=["when"]).fit(t, "y")
    with pytest.raises(ValueError, match=r"'day' holds dates/times"):
        TableEncoder(features=["day"]).fit(t, "y")
    with pytest.raises(ValueError, match=r"'tags' holds list values"):
        TableEncoder(features=["tags"]).fit(t, "y")
    # one-hot encoding the distinct dates is allowed when asked for
    enc = TableEncoder(features=["day"], categorical=["day"]).fit(t, "y")
    assert enc.columns_[0]["categories"] == ["2024-01-01", "2024-01-02", "2024-01-03"]


def test_a_parquet_null_is_named_as_a_null(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    pq.write_table(pa.table({"a": pa.array([1.0, None, 3.0]), "y": pa.array([0, 1, None])}),
                   tmp_path / "t.parquet")
    t = read_table(tmp_path / "t.parquet")
    with pytest.raises(ValueError, match=r"line 3, column 'a': missing value \(null\)"):
        TableEncoder().fit(t, "y")
    with pytest.raises(ValueError, match=r"line 4, target column 'y': missing value \(null\)"):
        encode_target(t, "y")


# ------------------------------------------------------------------ predict's column check
def _fitted(tmp_path):
    path = _write(tmp_path / "train.csv", "age,color,y\n30,red,0\n40,blue,1\n")
    return TableEncoder().fit(read_table(path), "y")


def test_header_case_differences_are_named_as_such(tmp_path):
    enc = _fitted(tmp_path)
    other = read_table(_write(tmp_path / "p.csv", "Age,COLOR\n1,red\n"))
    with pytest.raises(ValueError) as err:
        enc.check_columns(other)
    msg = str(err.value)
    assert "differ only in upper/lower case" in msg and "'Age' should be 'age'" in msg
    assert "'COLOR' should be 'color'" in msg


def test_unexpected_columns_say_how_to_fix(tmp_path):
    enc = _fitted(tmp_path)
    other = read_table(_write(tmp_path / "p.csv", "id,age,color\n1,1,red\n"))
    with pytest.raises(ValueError, match=r"unexpected 'id'.*drop the extra column"):
        enc.check_columns(other)


# ------------------------------------------------------------------ float16 models
@pytest.mark.parametrize("ext", ["npz", "safetensors"])
def test_a_float16_model_saves_and_loads_back(tmp_path, ext):
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).to(dtype=np.float16)
    x = ln.tensor(np.random.default_rng(0).normal(size=(5, 3)).astype(np.float16))
    path = tmp_path / f"m.{ext}"
    ln.save(model, path)
    back = ln.load(path)
    assert back[0].weight.dtype == np.float16
    np.testing.assert_array_equal(back(x).data, model(x).data)
    ln.save(back, tmp_path / f"again.{ext}")
    assert (tmp_path / f"again.{ext}").read_bytes() == path.read_bytes() or ext == "npz"


# ------------------------------------------------------------------ the CLI on such tables
def test_cli_an_integer_quantity_target_points_to_task_regression(tmp_path, capsys):
    from lucidnet.cli import main

    rng = np.random.default_rng(0)
    area = rng.integers(30, 200, size=300)
    price = area * 1000 + rng.integers(0, 900, size=300) * 10  # integer-valued: classes by default
    path = _write(tmp_path / "price.csv", "area,price\n" + "".join(
        f"{a},{p}\n" for a, p in zip(area, price)))
    assert main(["train", "--data", str(path), "--target", "price", "--epochs", "1", "--quiet",
                 "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert "--task regression" in err and "price" in err


def test_cli_table_warnings_are_one_clean_line(tmp_path, capsys):
    from lucidnet.cli import main

    path = _write(tmp_path / "ids.csv", "id,a,label\n" + "".join(
        f"u{i},{i * 0.1},{i % 2}\n" for i in range(60)))
    assert main(["train", "--data", str(path), "--target", "label", "--epochs", "1", "--quiet",
                 "--out", str(tmp_path / "run")]) == 0
    err = capsys.readouterr().err
    lines = [ln_ for ln_ in err.splitlines() if "distinct values" in ln_]
    assert len(lines) == 1 and lines[0].startswith("warning: ") and "runs.py" not in err


def test_thousands_separators_are_named_too(tmp_path):
    path = _write(tmp_path / "t.csv", 'a,y\n"1,000",0\n"2,500",1\n"12,000",0\n')
    with pytest.raises(ValueError, match=r"thousands separator"):
        TableEncoder().fit(read_table(path), "y")


def test_excel_sep_line_chooses_the_separator(tmp_path):
    # Excel writes (and reads) a first line "sep=;" naming the field separator
    path = _write(tmp_path / "t.csv", "sep=;\r\na;b;y\r\n1.5;x;0\r\n2.5;z;1\r\n")
    t = read_table(path)
    assert t.names == ["a", "b", "y"] and list(t.lines) == [3, 4]
    assert list(t.column("a")) == ["1.5", "2.5"]


def test_target_labels_that_differ_only_in_case_warn(tmp_path):
    path = _write(tmp_path / "t.csv", "a,y\n1,Yes\n2,yes\n3,no\n")
    with pytest.warns(UserWarning, match=r"'Yes' and 'yes' differ only in upper/lower case"):
        y, task, classes = encode_target(read_table(path), "y")
    assert classes == ["Yes", "no", "yes"]


def test_a_pandas_index_column_in_parquet_is_not_a_feature(tmp_path):
    # DataFrame.to_parquet() of a filtered frame writes its index as '__index_level_0__': the
    # row numbers must not become a (leaking) numeric feature, nor an 'unexpected' column
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    meta = {b"pandas": b'{"index_columns": ["__index_level_0__"], "columns": []}'}
    table = pa.table({"a": [1.0, 2.0, 3.0], "y": [0, 1, 0],
                      "__index_level_0__": [4, 7, 9]}).replace_schema_metadata(meta)
    pq.write_table(table, tmp_path / "t.parquet")
    t = read_table(tmp_path / "t.parquet")
    assert t.names == ["a", "y"]
    assert TableEncoder().fit(t, "y").encoded_names_ == ["a"]


@pytest.mark.parametrize("bad", ["1O", "\"12,5\""])
def test_a_numeric_target_with_a_bad_cell_is_refused_not_taken_as_classes(tmp_path, bad):
    rows = "".join(f"{i},{i * 0.37:.2f}\n" for i in range(40))
    path = _write(tmp_path / "t.csv", f"a,y\n{rows}40,{bad}\n")
    with pytest.raises(ValueError, match=r"target column 'y' looks numeric.*line 42.*--task "
                                         r"classification"):
        encode_target(read_table(path), "y")
    # asked for: classes it is
    y, task, classes = encode_target(read_table(path), "y", task="classification")
    assert task == "classification" and len(classes) == 41


def test_cli_more_classes_than_test_rows_names_the_target_and_the_ways_out(tmp_path, capsys):
    from lucidnet.cli import main

    path = _write(tmp_path / "many.csv", "a,label\n" + "".join(
        f"{i},c{i % 100}\n" for i in range(300)))
    assert main(["train", "--data", str(path), "--target", "label", "--epochs", "1", "--quiet",
                 "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert "'label' has 100 classes" in err and "60 rows" in err and "--test-size" in err
    assert "--test FILE" in err


# ------------------------------------------------------------------ ONNX: what axis 0 is
def test_onnx_a_single_unbatched_example_is_not_declared_a_batch(tmp_path):
    onnx = pytest.importorskip("onnx")
    import lucidnet.onnx as lo

    model = nn.Sequential(nn.Linear(6, 2))
    x = np.random.default_rng(0).normal(size=6).astype(np.float32)  # one row, no batch axis
    with pytest.warns(UserWarning, match=r"axis 0 .* not a batch axis"):
        proto = lo.export(model, x, tmp_path / "m.onnx")
    dims = proto.graph.input[0].type.tensor_type.shape.dim
    assert [d.dim_value for d in dims] == [6] and not dims[0].dim_param
    onnx.checker.check_model(proto)
    # a batch keeps its symbolic axis; 1-D Embedding indices are a batch too
    proto = lo.export(model, x[None], tmp_path / "b.onnx")
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "N"
    emb = nn.Sequential(nn.Embedding(10, 3))
    proto = lo.export(emb, np.array([1, 2, 3]), tmp_path / "e.onnx")
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "N"


def test_onnx_an_output_whose_axis_0_is_not_the_batch_is_not_named_n(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    import lucidnet.onnx as lo

    model = nn.Sequential(nn.Flatten(0, 1))  # (N, C, H, W) -> (N*C, H, W)
    x = np.random.default_rng(0).normal(size=(2, 3, 4, 4)).astype(np.float32)
    proto = lo.export(model, x, tmp_path / "m.onnx")
    out = proto.graph.output[0].type.tensor_type.shape.dim
    assert out[0].dim_param != "N" and [d.dim_value for d in out[1:]] == [4, 4]
    sess = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    x5 = np.concatenate([x, x, x[:1]])
    np.testing.assert_array_equal(sess.run(None, {"input": x5})[0], x5.reshape(15, 4, 4))


@pytest.mark.parametrize("fmt,name", [("onnx", "m.safetensors"), ("safetensors", "m.onnx")])
def test_cli_export_refuses_a_format_contradicting_the_file_name(tmp_path, capsys, fmt, name):
    from lucidnet.cli import main

    path = _write(tmp_path / "t.csv", "a,label\n" + "".join(f"{i},{i % 2}\n" for i in range(20)))
    run = tmp_path / "run"
    assert main(["train", "--data", str(path), "--target", "label", "--epochs", "1", "--quiet",
                 "--out", str(run)]) == 0
    capsys.readouterr()
    assert main(["export", str(run), "--format", fmt, "-o", str(tmp_path / name)]) == 2
    assert "ends in" in capsys.readouterr().err and not (tmp_path / name).exists()


@pytest.mark.parametrize("text", [",a,y\n0,1.5,0\n1,2.5,1\n",  # pandas' to_csv (index=True)
                                  '"","a","y"\n"1",1.5,0\n"2",2.5,1\n'])  # R's write.csv
def test_an_unnamed_index_column_names_the_writer_option(tmp_path, text):
    with pytest.raises(ValueError, match=r"column 1 \(before 'a'\).*index=False.*row.names"):
        read_table(_write(tmp_path / "t.csv", text))


def test_cli_the_integer_classes_note_is_for_integer_targets_only(tmp_path, capsys):
    from lucidnet.cli import main

    # 30 text classes in 60 rows: a note about "integer values" would be wrong
    text = _write(tmp_path / "text.csv", "a,label\n" + "".join(
        f"{i},sp{i % 30}\n" for i in range(60)))
    assert main(["train", "--data", str(text), "--target", "label", "--epochs", "1", "--quiet",
                 "--out", str(tmp_path / "r1"), "--val-size", "0", "--test-size", "0.5"]) == 0
    assert "integer values" not in capsys.readouterr().out
    # 40 integer values, 10 rows each: classes, with the note pointing to --task regression
    ints = _write(tmp_path / "ints.csv", "a,age\n" + "".join(
        f"{i},{20 + i % 40}\n" for i in range(400)))
    assert main(["train", "--data", str(ints), "--target", "age", "--epochs", "1", "--quiet",
                 "--out", str(tmp_path / "r2"), "--val-size", "0"]) == 0
    assert "--task regression" in capsys.readouterr().out


def test_cli_predictions_csv_quotes_class_names_with_commas(tmp_path, capsys):
    import csv

    from lucidnet.cli import main

    labels = ['"no ""way"""', '"yes, sure"']  # as a CSV writer quotes them
    path = _write(tmp_path / "t.csv", "a,label\n" + "".join(
        f"{i},{labels[i % 2]}\n" for i in range(40)))
    run = tmp_path / "run"
    assert main(["train", "--data", str(path), "--target", "label", "--epochs", "1", "--quiet",
                 "--out", str(run)]) == 0
    out = tmp_path / "pred.csv"
    assert main(["predict", str(run), "--input", str(path), "--output", str(out)]) == 0
    with open(out, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["prediction", 'p_no "way"', "p_yes, sure"]
    assert all(len(r) == 3 and r[0] in ('no "way"', "yes, sure") for r in rows[1:])


def test_a_row_number_column_warns(tmp_path):
    rng = np.random.default_rng(0)
    ids = rng.permutation(np.arange(1, 101))  # PassengerId, shuffled
    path = _write(tmp_path / "t.csv", "PassengerId,a,y\n" + "".join(
        f"{i},{rng.normal():.3f},{i % 2}\n" for i in ids))
    with pytest.warns(UserWarning, match=r"'PassengerId' holds 100 distinct consecutive "
                                         r"integers \(1\.\.100\)"):
        TableEncoder().fit(read_table(path), "y")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TableEncoder(features=["a"]).fit(read_table(path), "y")


def test_a_missing_value_error_counts_the_columns_missing_cells(tmp_path):
    path = _write(tmp_path / "t.csv", "a,y\n1,0\n,1\n3,0\nNA,1\n5,0\n")
    with pytest.raises(ValueError, match=r"line 3, column 'a': missing value ''.*2 of the 5 "
                                         r"cells of 'a' are missing"):
        TableEncoder().fit(read_table(path), "y")


def test_a_npz_model_under_a_safetensors_name_still_loads(tmp_path):
    model = nn.Linear(3, 2)
    ln.save(model, tmp_path / "m.npz")
    (tmp_path / "m.safetensors").write_bytes((tmp_path / "m.npz").read_bytes())  # renamed
    back = ln.load(tmp_path / "m.safetensors")
    np.testing.assert_array_equal(back.weight.data, model.weight.data)


def test_cli_a_features_run_predicts_and_evaluates_on_its_own_file_layout(tmp_path, capsys):
    from lucidnet.cli import main

    rng = np.random.default_rng(0)
    path = _write(tmp_path / "t.csv", "id,name,a,color,label\n" + "".join(
        f"{i},n{i},{rng.normal():.3f},{'red' if i % 3 else 'blue'},{i % 2}\n" for i in range(60)))
    run = tmp_path / "run"
    assert main(["train", "--data", str(path), "--target", "label", "--features", "a,color",
                 "--epochs", "1", "--quiet", "--out", str(run)]) == 0
    capsys.readouterr()
    assert main(["predict", str(run), "--input", str(path)]) == 0  # id and name: left out
    assert len(capsys.readouterr().out.splitlines()) == 61
    assert main(["evaluate", str(run), "--data", str(path), "--out", str(tmp_path / "e")]) == 0
    assert main(["evaluate", str(run), "--all", "--out", str(tmp_path / "w")]) == 0
    capsys.readouterr()
    # a file of the features alone is fine too; a column the training file lacked is not
    only = _write(tmp_path / "only.csv", "color,a\nred,0.5\n")
    assert main(["predict", str(run), "--input", str(only)]) == 0
    extra = _write(tmp_path / "extra.csv", "color,a,zzz\nred,0.5,1\n")
    assert main(["predict", str(run), "--input", str(extra)]) == 2
    assert "unexpected 'zzz'" in capsys.readouterr().err


def test_encoder_dict_round_trip_keeps_the_left_out_columns(tmp_path):
    path = _write(tmp_path / "t.csv", "id,a,y\n1,2,0\n2,3,1\n")
    enc = TableEncoder(features=["a"]).fit(read_table(path), "y")
    d = enc.to_dict()
    assert d["ignored"] == ["id"]
    again = TableEncoder.from_dict(d)
    again.check_columns(read_table(path), ignore=["y"])
    assert TableEncoder.from_dict({k: v for k, v in d.items() if k != "ignored"}).to_dict() == \
        {**d, "ignored": []}  # older metadata without the key


def test_quoted_fields_after_a_space_are_unquoted(tmp_path):
    # hand-written CSVs put a space after each comma: ' "b, c"' is still a quoted field
    path = _write(tmp_path / "t.csv", 'a, "b, c", y\n1, "red, dark", 0\n2, blue, 1\n')
    t = read_table(path)
    assert t.names == ["a", "b, c", "y"] and list(t.column("b, c")) == ["red, dark", "blue"]
