"""Issue 16, CSV: no silently wrong table (overflow, missing targets, BOM, header, encoding)."""

import numpy as np
import pytest

from lucidnet.data import load_csv


def _write(tmp_path, content, name="t.csv"):
    p = tmp_path / name
    (p.write_bytes if isinstance(content, bytes) else p.write_text)(content)
    return p


def test_value_beyond_float32_is_an_error_naming_line_and_column(tmp_path):
    p = _write(tmp_path, "a,b,y\n1,2,0\n3,1e39,1\n")
    with pytest.raises(ValueError, match=r"t.csv: line 3, column 'b' \(index 1\).*float32"):
        load_csv(p, target="y")


@pytest.mark.parametrize("cell", ["", "nan", "NA"])
def test_missing_target_is_an_error_not_a_class(tmp_path, cell):
    p = _write(tmp_path, f"a,y\n1,0.5\n2,{cell}\n3,1.5\n4,2\n")
    with pytest.raises(ValueError, match="line 3, target column 'y': missing value"):
        load_csv(p, target="y")


def test_utf8_bom_is_not_part_of_the_first_column_name(tmp_path):
    p = _write(tmp_path, "\ufeffa,b,y\n1,2,0\n3,4,1\n".encode())
    ds = load_csv(p, target="y")
    assert ds.feature_names == ["a", "b"]
    assert load_csv(p, target="a").feature_names == ["b", "y"]


def test_all_numeric_first_line_is_data_not_a_header(tmp_path):
    p = _write(tmp_path, "1,2,0\n3,4,1\n5,6,0\n")
    ds = load_csv(p, target=-1)
    assert ds.n_samples == 3 and ds.feature_names == ["column0", "column1"]
    np.testing.assert_array_equal(ds.X[0], [1, 2])
    assert load_csv(p, target=-1, header=True).n_samples == 2  # forced header still honoured
    with pytest.raises(ValueError, match="no header line"):
        load_csv(p, target="y")


def test_non_utf8_file_error_names_file_and_line(tmp_path):
    p = _write(tmp_path, b"a,b\n1,2\n3,\xe94\n", name="latin.csv")
    with pytest.raises(ValueError, match=r"latin.csv: line 3 is not valid UTF-8"):
        load_csv(p, target=None)
