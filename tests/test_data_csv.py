"""Data files for ``check --data``: a CSV whose header names the columns, and X / y in .safetensors (compare.data.files)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from compare.data.files import load_csv, load_data_file
from core.errors import InputError


def _csv(tmp_path, text: str):
    path = tmp_path / "data.csv"
    path.write_text(text)
    return path


def test_csv_with_a_header_names_features_and_labels(tmp_path):
    path = _csv(tmp_path, "petal_length,species,petal_width\n1.4,setosa,0.2\n4.7,versicolor,1.4\n\n6.0,virginica,2.5\n")
    X, y, classes = load_csv(path, label="species")
    np.testing.assert_array_equal(X, [[1.4, 0.2], [4.7, 1.4], [6.0, 2.5]])
    assert classes == ["setosa", "versicolor", "virginica"] and y.tolist() == [0, 1, 2]
    X, y, classes = load_csv(_csv(tmp_path, "a,b,t\n1,2,0.5\n3,4,0.25\n"))  # default: the last column
    assert X.tolist() == [[1.0, 2.0], [3.0, 4.0]] and y.tolist() == [0.5, 0.25] and classes == []


@pytest.mark.parametrize(
    "text, label, message",
    [
        ("a,b\n1,x\n", "a", "row 2, column 'b': expected a number, got 'x'"),
        ("a,b\n1,2\n", "c", "no label column c (columns: a, b)"),
        ("a,b\n1,2,3\n", None, "row 2 has 3 values, the header names 2"),
        ("a,b\n", None, "expected a header row naming the columns and at least one row of data"),
    ],
)
def test_bad_csv_is_one_line_naming_the_place(tmp_path, text, label, message):
    with pytest.raises(InputError, match=re.escape(message)):
        load_csv(_csv(tmp_path, text), label)


def test_data_in_safetensors_and_a_label_for_a_non_csv(tmp_path):
    from safetensors.numpy import save_file

    X, y = np.arange(6.0).reshape(3, 2), np.array([0, 1, 1])
    save_file({"X": X, "y": y}, str(tmp_path / "d.safetensors"))
    got_X, got_y = load_data_file(tmp_path / "d.safetensors")
    np.testing.assert_array_equal(got_X, X)
    np.testing.assert_array_equal(got_y, y)
    with pytest.raises(InputError, match="--label 'y': only a .csv data file has named columns"):
        load_data_file(tmp_path / "d.safetensors", "y")
