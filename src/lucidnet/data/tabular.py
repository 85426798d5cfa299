"""Your own tables: CSV / TSV / Parquet files read by column name, and their encoding to numbers.

``read_table(path)`` reads a file with a header line into a :class:`Table` (names, one object
array per column, the file line of every row for error messages). ``TableEncoder`` turns the
chosen feature columns into the float32 matrix a network takes:

- a *numeric* column (every non-missing cell is a number) gives one value per row;
- a *categorical* column with categories :math:`c_1 < \\dots < c_K` (sorted) gives the one-hot
  block :math:`(\\mathbb{1}[x = c_1], \\dots, \\mathbb{1}[x = c_K])`;
- a missing cell ("", NA, N/A, NaN, null, None; Parquet nulls) is refused with the file, line
  and column, unless ``impute="mean"``: then a numeric column is filled with its training mean
  :math:`\\bar x = \\frac{1}{n}\\sum_i x_i` (over its non-missing training cells) and a categorical
  one with its most frequent training category.

``encode_target`` turns the target column into class indices (classification) or float32 values
(regression), inferred as :func:`lucidnet.data.load_csv` infers them.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import os
import re
import warnings
from collections import Counter
from dataclasses import dataclass

import numpy as np

from .datasets import _FLOAT32_MAX, _MISSING, _number, _try_numbers

__all__ = ["TABLE_FORMATS", "Table", "TableEncoder", "encode_target", "read_table"]

#: file extension -> format name
TABLE_FORMATS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".parquet": "parquet",
                 ".pq": "parquet"}
_DELIMITERS = {"csv": ",", "tsv": "\t"}


@dataclass(repr=False)
class Table:
    """A table read from a file: column names, one column array each, and where rows came from.

    Attributes
    ----------
    names : list of str
        Column names, as in the header line.
    columns : list of numpy.ndarray
        One object array per column, ``len(table)`` cells each: stripped strings for text files;
        for Parquet, numbers stay numbers, strings stay strings and nulls are ``None``.
    lines : numpy.ndarray of int64
        The 1-based line of each row in the file (as an editor counts them); for Parquet, the
        row index + 2 (as if the header were line 1).
    path : str
        The file it came from (named in every error message).
    format : str
        ``"csv"``, ``"tsv"`` or ``"parquet"``.

    Examples
    --------
    >>> from lucidnet.data import read_table
    >>> with open("pets.csv", "w") as f:
    ...     _ = f.write("age,color,kind\\n3,red,cat\\n5,blue,dog\\n2,red,cat\\n")
    >>> table = read_table("pets.csv")
    >>> table
    Table(path='pets.csv', format='csv', rows=3, columns=['age', 'color', 'kind'])
    >>> table.column("color"), table.lines          # line 1 is the header
    (array(['red', 'blue', 'red'], dtype=object), array([2, 3, 4]))
    >>> len(table.take([2, 0]))
    2
    """

    names: list
    columns: list
    lines: np.ndarray
    path: str
    format: str = "csv"

    def __len__(self) -> int:
        """Number of data rows."""
        return int(len(self.lines))

    def column(self, name: str) -> np.ndarray:
        """The cells of the column ``name`` (ValueError listing the columns if there is none)."""
        if name not in self.names:
            raise ValueError(f"{self.path}: no column {name!r}; columns: {', '.join(self.names)}")
        return self.columns[self.names.index(name)]

    def take(self, rows) -> Table:
        """The table restricted to the row indices ``rows`` (in that order)."""
        rows = np.asarray(rows, dtype=np.int64)
        return Table(list(self.names), [c[rows] for c in self.columns], self.lines[rows],
                     self.path, self.format)

    def __repr__(self) -> str:
        return (f"Table(path={self.path!r}, format={self.format!r}, rows={len(self)}, "
                f"columns={self.names})")


def table_format(path) -> str | None:
    """``"csv"`` / ``"tsv"`` / ``"parquet"`` from the file's extension, None for another one.

    Examples
    --------
    >>> from lucidnet.data.tabular import table_format
    >>> table_format("train.TSV"), table_format("notes.txt")
    ('tsv', None)
    """
    return TABLE_FORMATS.get(os.path.splitext(os.fspath(path))[1].lower())


def read_table(path: str | os.PathLike, *, delimiter: str | None = None) -> Table:
    """Read a table with a header line: ``.csv`` (comma), ``.tsv`` / ``.tab`` (tab) or
    ``.parquet`` / ``.pq`` (through pyarrow, an optional dependency).

    Parameters
    ----------
    path : str or os.PathLike
        The file. Its extension chooses the format; another extension is read as CSV when
        ``delimiter`` is given, else refused.
    delimiter : str, optional
        Field separator of a text file (default: from the extension).

    Returns
    -------
    Table

    Raises
    ------
    ValueError
        The file is empty, has no data rows, a first line of numbers only (no header), empty or
        duplicate column names, or a row with another number of fields than the header
        (naming the line).
    ImportError
        A Parquet file without pyarrow installed.

    Notes
    -----
    Text files must be UTF-8 (a BOM is fine; another encoding is refused, naming the likely
    one). A first line ``sep=;`` (Excel's way to name the separator) sets the delimiter. A
    header read as one column that holds ``;``, a tab or ``|`` is refused, saying which
    separator the file seems to use. Unnamed columns at the right end whose cells are all
    empty (a spreadsheet's trailing separators) are dropped. A row's line is the line it
    starts on (a quoted cell may span lines). In Parquet files, the ``__index_level_N__``
    columns pandas writes for an unnamed index are dropped (row labels, not data).

    Examples
    --------
    >>> from lucidnet.data import read_table
    >>> with open("pets.tsv", "w") as f:
    ...     _ = f.write("age\\tcolor\\n3\\tred\\n5\\tblue\\n")
    >>> read_table("pets.tsv")
    Table(path='pets.tsv', format='tsv', rows=2, columns=['age', 'color'])
    """
    path = os.fspath(path)
    fmt = table_format(path)
    if fmt is None and delimiter is None:
        raise ValueError(f"{path}: unknown table format {os.path.splitext(path)[1]!r}; expected "
                         f"{', '.join(TABLE_FORMATS)} (or give the delimiter)")
    if not os.path.exists(path):
        raise ValueError(f"no such table file: {path!r}")
    if os.path.isdir(path):
        raise ValueError(f"{path!r} is a folder; give a table file (.csv, .tsv, .parquet)")
    if fmt == "parquet":
        return _read_parquet(path)
    fmt = fmt or "csv"
    rows, lines, sep = _read_rows(path, delimiter or _DELIMITERS[fmt])
    if not rows:
        raise ValueError(f"{path}: empty file, expected a header line naming the columns and "
                         "data rows")
    names, header_line = rows[0], lines[0]
    if _try_numbers(names) is not None:
        raise ValueError(f"{path}: line {header_line} holds only numbers, so the file has no "
                         "header line; add a first line naming the columns (e.g. x1,x2,label)")
    if len(names) == 1 and delimiter is None:
        _refuse_other_separator(path, names[0], sep)
    rows, lines = rows[1:], lines[1:]
    names, rows = _drop_empty_trailing_columns(names, rows)
    _check_names(names, path)
    if not rows:
        raise ValueError(f"{path}: no data rows after the header line")
    width = len(names)
    for row, line in zip(rows, lines):
        if len(row) != width:
            raise ValueError(f"{path}: line {line} has {len(row)} fields, the header (line "
                             f"{header_line}) has {width}")
    cells = np.empty((len(rows), width), dtype=object)
    cells[...] = rows
    return Table(list(names), [cells[:, j].copy() for j in range(width)],
                 np.asarray(lines, dtype=np.int64), path, fmt)


def _read_rows(path, delimiter: str) -> tuple[list[list[str]], list[int], str]:
    """Non-blank rows (cells stripped), the 1-based line each starts on (a quoted cell may span
    lines) and the separator used: ``delimiter``, or the one a first line ``sep=X`` names (what
    Excel writes to say its separator). A UTF-8 BOM is dropped; a file in another encoding is
    refused, naming the encoding it most likely is and how to save it as UTF-8."""
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ValueError(_not_utf8(path, raw, err)) from None
    first = text.split("\n", 1)[0].rstrip("\r")
    start = 1
    if len(first) == 5 and first.lower().startswith("sep="):
        delimiter, text, start = first[4], text.split("\n", 1)[1] if "\n" in text else "", 2
    # skipinitialspace: a quoted field after "a, " is a quoted field (cells are stripped anyway)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                        skipinitialspace=True)
    rows, lines = [], []
    skipped = start - 1
    for row in reader:
        if row and any(c.strip() for c in row):
            rows.append([c.strip() for c in row])
            lines.append(start)
        start = skipped + reader.line_num + 1
    return rows, lines, delimiter


def _not_utf8(path, raw: bytes, err: UnicodeDecodeError) -> str:
    line = raw[:err.start].count(b"\n") + 1
    head = f"{path}: line {line} is not valid UTF-8 (byte {raw[err.start]:#04x})"
    how = ("save it as UTF-8 (Excel: Save As > 'CSV UTF-8 (Comma delimited)'; LibreOffice: "
           "Character set 'Unicode (UTF-8)'; or iconv -f {enc} -t UTF-8 in.csv > out.csv)")
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return (f"{path}: the file is not valid UTF-8: it is UTF-16 (Excel's 'Unicode Text' "
                f"writes it); " + how.format(enc="UTF-16"))
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError:
        return f"{head}; " + how.format(enc="ENCODING")
    return (f"{head}: it looks like Windows-1252 / Latin-1 (what Excel's plain 'CSV' writes); "
            + how.format(enc="CP1252"))


#: separators a one-column header betrays (European Excel writes ';' with decimal commas)
_OTHER_SEPARATORS = (";", "\t", "|")


def _refuse_other_separator(path, header: str, sep: str) -> None:
    """A header read as one column that holds another separator: say so and how to read it."""
    for other in _OTHER_SEPARATORS:
        if other != sep and other in header:
            euro = (" (Excel in many European languages writes ';' between fields and "
                    "decimal commas: 1,5)") if other == ";" else ""
            raise ValueError(
                f"{path}: the header line {header!r} is one column when read with {sep!r} "
                f"between fields; the file looks separated by {other!r}{euro}. Save it "
                f"comma-separated with '.' as the decimal point (Excel: Save As > 'CSV UTF-8 "
                f"(Comma delimited)'; LibreOffice: field delimiter ',')"
                + (", or name it .tsv" if other == "\t" else "")
                + f"; in Python: read_table(path, delimiter={other!r})")


def _drop_empty_trailing_columns(names: list, rows: list) -> tuple[list, list]:
    """Drop the unnamed columns at the right end whose cells are all empty (what a
    spreadsheet writes after the last column), and empty fields past the header's end."""
    width = len(names)
    while width and not names[width - 1] and all(
            len(r) < width or not r[width - 1] for r in rows):
        width -= 1
    if width == len(names) and all(len(r) <= width for r in rows):
        return names, rows
    trimmed = [r[:width] if len(r) > width and not any(r[width:]) else r for r in rows]
    return names[:width], trimmed


def _check_names(names, path) -> None:
    empty = [j for j, n in enumerate(names) if not n]
    if empty:
        j = empty[0]
        left = next((repr(n) for n in reversed(names[:j]) if n), None)
        right = next((repr(n) for n in names[j + 1:] if n), None)
        where = (f" (between {left} and {right})" if left and right else
                 f" (after {left})" if left else f" (before {right})" if right else "")
        index = ("; a first unnamed column is usually a row index: pandas' to_csv writes it "
                 "unless index=False, R's write.csv unless row.names=FALSE; write the file "
                 "without it") if j == 0 else ""
        raise ValueError(f"{path}: column {j + 1}{where} of the header has no name; name "
                         f"every column (columns are counted from 1){index}")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"{path}: duplicate column names {twice}; column names must be unique")


#: the column pandas' ``DataFrame.to_parquet`` writes for an unnamed (non-range) index: row
#: labels, never data (a named index is a column of its own name and is kept)
_PANDAS_INDEX = re.compile(r"__index_level_\d+__")


def _read_parquet(path: str) -> Table:
    try:
        import pyarrow.parquet as pq  # lazy: an optional dependency
    except ImportError:
        raise ImportError(f"reading the Parquet file {path} needs pyarrow: pip install pyarrow "
                          "(or pip install 'lucidnet[parquet]')") from None
    try:
        data = pq.read_table(path)
    except Exception as err:  # pyarrow's own error classes: a file it cannot read
        raise ValueError(f"{path}: not a readable Parquet file ({type(err).__name__}: {err})") \
            from None
    names = [str(n) for n in data.column_names]
    _check_names(names, path)
    if data.num_rows == 0:
        raise ValueError(f"{path}: no data rows")
    columns = []
    keep = [j for j, n in enumerate(names) if not _PANDAS_INDEX.fullmatch(n)]
    names = [names[j] for j in keep]
    for j in keep:
        values = data.column(j).to_pylist()
        col = np.empty(len(values), dtype=object)
        col[:] = values
        columns.append(col)
    return Table(names, columns, np.arange(data.num_rows, dtype=np.int64) + 2, path, "parquet")


# ------------------------------------------------------------------ cells
def _is_missing(cell) -> bool:
    if cell is None:
        return True
    if isinstance(cell, str):
        return cell.strip().lower() in _MISSING
    if isinstance(cell, float):
        return math.isnan(cell)
    return False


def _missing_mask(col: np.ndarray) -> np.ndarray:
    # text cells inline (the common case, a file's every cell), other cells through _is_missing
    return np.fromiter((c.strip().lower() in _MISSING if type(c) is str else _is_missing(c)
                        for c in col), dtype=bool, count=len(col))


def _all_floats(cells) -> bool:
    """Whether every cell converts with float() (NumPy's C loop; bools excluded): the fast
    path of a numeric column."""
    try:
        np.asarray(cells, dtype=object).astype(np.float64)
    except (TypeError, ValueError):
        return False
    return not any(isinstance(c, (bool, np.bool_)) for c in cells)


def _as_number(cell) -> float | None:
    """The cell as a float, None if it is not a number (text or bool)."""
    if isinstance(cell, (bool, np.bool_)):
        return None
    if isinstance(cell, (int, float, np.integer, np.floating)):
        return float(cell)
    try:
        return float(cell)
    except (TypeError, ValueError):
        return None


def _category(cell) -> str:
    """A categorical cell as the text it is matched by (a Parquet number 3.0 as '3', like the
    cell 3 of a text file)."""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, (float, np.floating)) and float(cell).is_integer():
        return str(int(cell))
    return str(cell)


def _numbers(col: np.ndarray, lines, path, name: str, index: int) -> np.ndarray:
    """The non-missing cells of a numeric column as float64, an error naming the first bad one."""
    try:
        values = np.asarray(col, dtype=object).astype(np.float64)
        ok = bool((np.abs(values) <= _FLOAT32_MAX).all()) and not any(
            isinstance(c, (bool, np.bool_)) for c in col)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        for cell, line in zip(col, lines):
            if isinstance(cell, (bool, np.bool_)):
                raise ValueError(f"{path}: line {line}, column {name!r} (index {index}): "
                                 f"{cell!r} is not a number")
            v = _as_number(cell)
            if v is not None and not math.isfinite(v):
                what = "an infinite value" if math.isinf(v) else "a NaN value"
                raise ValueError(f"{path}: line {line}, column {name!r} (index {index}): {what} "
                                 f"{cell!r}; a network needs finite numbers: replace it with a "
                                 "number, or leave the cell empty (or NA) to mark it missing")
            _number(str(cell), path, int(line), name, index)
    return values


def _shown(cell) -> str:
    """A missing cell as an error message names it: its text, or (null) for a Parquet null."""
    return "(null)" if cell is None else repr(cell)


def _missing_error(table: Table, name: str, row: int, cell, trained: bool,
                   count: int = 1) -> ValueError:
    many = f" ({count} of the {len(table)} cells of {name!r} are missing)" if count > 1 else ""
    how = ("the model was trained without imputation: fill the cell or drop the row, or train "
           "again with --impute mean") if trained else \
        "fill the cell or drop the row, or impute with --impute mean (impute='mean')"
    return ValueError(f"{table.path}: line {int(table.lines[row])}, column {name!r}: missing "
                      f"value {_shown(cell)}{many}; {how}")


# ------------------------------------------------------------------ column kinds
#: a number written with a decimal comma (12,5 or 1.234,5): text to Python, a number to a person
_DECIMAL_COMMA = re.compile(r"[+-]?\d{1,3}(?:[. ]\d{3})*,\d+|[+-]?\d+,\d+")
#: what is stripped to see whether a text column is numbers with units or separators
_UNITS = re.compile(r"[\s%$\u20ac\u00a3\u00a5,']")
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?|"
                   r"\d{1,2}[./]\d{1,2}[./]\d{2,4}")
#: a categorical column with more distinct values than this (and than half its rows) warns
_MANY_CATEGORIES = 20


def _check_cell_types(cells, lines, path, name: str, forced: bool) -> None:
    """Refuse cells a network cannot take as a number or a category (Parquet types): lists and
    structs always; dates, times and bytes unless the column is named categorical."""
    if all(isinstance(c, str) for c in cells):
        return  # a text file's cells
    for cell, line in zip(cells, lines):
        if isinstance(cell, (list, tuple, dict, np.ndarray)):
            kind = "struct (dict)" if isinstance(cell, dict) else "list"
            raise ValueError(f"{path}: column {name!r} holds {kind} values ({str(cell)[:40]!r} "
                             f"on line {line}); a network takes numbers or categories: flatten "
                             "it into columns of their own, or leave it out of the features "
                             "(--features)")
        if forced:
            continue
        if isinstance(cell, (datetime.date, datetime.time, datetime.timedelta)):
            raise ValueError(f"{path}: column {name!r} holds dates/times ({str(cell)!r} on line "
                             f"{line}); a network takes numbers: convert it to numbers first "
                             "(days since a start date, the hour, the weekday, ... as columns of "
                             "their own), leave it out of the features (--features), or name it "
                             "in --categorical to one-hot encode its distinct values")
        if isinstance(cell, (bytes, bytearray)):
            raise ValueError(f"{path}: column {name!r} holds binary values ({cell[:20]!r} on line "
                             f"{line}); decode it to text first, leave it out of the features "
                             "(--features), or name it in --categorical")


def _is_numeric_column(cells, lines, path, name: str, target: bool = False) -> bool:
    """Whether a column (its non-missing cells) is numeric; refuses a column that is numbers
    but for a few cells (a typo like 1O, a decimal comma 12,5, a '?' for missing), rather than
    one-hot encoding every distinct number of it."""
    if _all_floats(cells):
        return True
    bad = [(c, line) for c, line in zip(cells, lines) if _as_number(c) is None]
    if not bad:
        return True
    n, n_num = len(cells), len(cells) - len(bad)
    commas = [c for c, _ in bad if isinstance(c, str) and _DECIMAL_COMMA.fullmatch(c)]
    if n_num < n / 2 and len(commas) < len(bad):
        return False  # text: a categorical column
    first, counts = {}, Counter()
    for cell, line in bad:
        first.setdefault(cell, int(line))
        counts[cell] += 1
    shown = ", ".join(f"{c!r} (line {first[c]})" if counts[c] == 1 else
                      f"{c!r} ({counts[c]} cells, first on line {first[c]})"
                      for c in list(first)[:5]) + (" ..." if len(first) > 5 else "")
    what = "target column" if target else "column"
    if n_num:
        head = (f"{path}: {what} {name!r} looks numeric ({n_num} of {n} cells are numbers) but "
                f"{len(bad)} {'cell is' if len(bad) == 1 else 'cells are'} not: {shown}")
    else:
        head = (f"{path}: {what} {name!r} holds numbers written with a decimal comma or a "
                f"thousands separator: {shown}")
    comma = ("; a comma inside a number (a decimal comma 12,5 or a thousands separator 1,000) "
             "makes it text: write plain numbers with '.' as the decimal point (12.5, 1000)") \
        if commas else ""
    if target:
        raise ValueError(f"{head}{comma}; fix the cells, or, if the labels are classes, pass "
                         "--task classification (task='classification')")
    raise ValueError(f"{head}{comma}; fix the cells, or leave them empty to mark them missing "
                     "(--impute mean then fills them), or, if the column holds categories, name "
                     f"it in --categorical ({name}) to one-hot encode it")


_ID_NAME = re.compile(r"(?i:^(?:id|index|idx|row|rownum|row_?number|no|nr|#|unnamed.*)$|"
                      r"[_\s.-]id$)|[a-z]Id$|ID$")


def _row_number_warning(path, name: str, values: np.ndarray) -> str | None:
    """A numeric column named like an identifier (id, ..._id, ...Id, index, row, Unnamed: 0)
    holding distinct consecutive integers: a warning (a plain x = 0..n-1 is a fine feature)."""
    n = len(values)
    if not _ID_NAME.search(name) or n <= _MANY_CATEGORIES or \
            not np.all(values == np.round(values)):
        return None
    lo, hi = values.min(), values.max()
    if hi - lo != n - 1 or len(np.unique(values)) != n:
        return None
    return (f"{path}: column {name!r} holds {n} distinct consecutive integers "
            f"({lo:g}..{hi:g}): a row number or an identifier? As a feature it lets the network "
            "learn from the order of the rows, which new data does not share; leave it out "
            "(--features)")


def _category_warnings(path, name: str, categories: list, cells, forced: bool) -> list:
    """Warnings about a categorical column that is likely a mistake: numbers with units, dates,
    an identifier / free text (a category per row), categories differing only in case."""
    out = []
    if not forced and all(isinstance(c, str) for c in cells):
        sample = categories[0]
        if all(_as_number(_UNITS.sub("", c)) is not None for c in categories):
            out.append(f"{path}: column {name!r} is one-hot encoded as {len(categories)} "
                       f"categories, but its values look like numbers with units or separators "
                       f"(e.g. {sample!r}): strip them to plain numbers to use it as a number")
        elif all(_DATE.fullmatch(c) for c in categories):
            out.append(f"{path}: column {name!r} is one-hot encoded as {len(categories)} "
                       f"categories, but its values look like dates (e.g. {sample!r}): convert "
                       "it to numbers (days since a start date, the weekday, the month) or leave "
                       "it out (--features)")
        elif len(categories) > _MANY_CATEGORIES and len(categories) > len(cells) / 2:
            out.append(f"{path}: column {name!r} has {len(categories)} distinct values in "
                       f"{len(cells)} rows (an identifier or free text?): one-hot encoded, most "
                       "of its inputs are seen once and cannot carry over to new rows, and "
                       "predict refuses every value not seen in training; leave it out "
                       "(--features), or name it in --categorical to keep it")
    groups: dict = {}
    for c in categories:
        groups.setdefault(c.lower(), []).append(c)
    twins = [g for g in groups.values() if len(g) > 1]
    if twins:
        more = f" (and {len(twins) - 1} more such groups)" if len(twins) > 1 else ""
        out.append(f"{path}: column {name!r}: the categories "
                   f"{' and '.join(repr(c) for c in twins[0])} differ only in upper/lower "
                   f"case{more} and are encoded as different categories; if they mean the same, "
                   "write them the same way in the file")
    return out


# ------------------------------------------------------------------ the encoder
class TableEncoder:
    """Feature columns of a table -> float32 matrix: numbers as they are, categories one-hot.

    Parameters
    ----------
    features : sequence of str, optional
        The feature columns, in this order (default: every column but the target, in the file's
        order).
    categorical : sequence of str, optional
        Columns to treat as categorical even when every cell is a number (codes, zip codes).
        A column of text is categorical anyway. A column that is numbers but for a few cells
        (at least half its cells are numbers: a typo ``1O``, a decimal comma ``12,5``, a ``?``
        for missing) is refused at ``fit``, naming the cells and their lines, rather than
        one-hot encoded silently: fix the cells, empty them (missing), or name the column here.
    impute : {None, "mean"}
        None refuses missing cells (ValueError naming file, line and column); ``"mean"`` fills
        a numeric column with its training mean and a categorical one with its most frequent
        training category (ties: the first in sorted order).

    Attributes
    ----------
    columns_ : list of dict
        After ``fit``: one dict per feature column, ``{"name", "kind": "numeric", "fill"}`` or
        ``{"name", "kind": "categorical", "categories", "fill"}`` (``fill`` None without
        imputation).
    encoded_names_ : list of str
        The name of each encoded value: a numeric column's name, ``"name=category"`` for each
        category of a categorical column.

    Notes
    -----
    Row ``i`` is encoded as the concatenation over the columns of :math:`x_{ij}` (numeric) or
    :math:`e_k \\in \\{0, 1\\}^{K_j}` with :math:`x_{ij} = c_{jk}` (categorical). A category
    unseen in training is an error at ``transform`` time, naming column, value, line and the
    known categories: it has no one-hot slot, and an all-zero block would be a silent guess.

    ``fit`` warns (UserWarning) about a categorical column that is likely a mistake: more than
    20 distinct values and more than half as many as rows (an identifier or free text), values
    that are numbers with units or separators (``12%``, ``$3``) or dates, and categories that
    differ only in upper/lower case; and about a numeric column named like an identifier
    (``id``, ``PassengerId``, ``index``, ``Unnamed: 0``) holding distinct consecutive integers
    (a row number). Dates, times, lists and structs of a Parquet file are refused (dates and
    times are one-hot encoded when named in ``categorical``). The training file's columns
    left out of ``features`` are ``ignored_`` (stored by ``to_dict``): ``check_columns`` lets
    a file laid out like the training file hold them.

    Examples
    --------
    >>> from lucidnet.data import TableEncoder, read_table
    >>> with open("pets.csv", "w") as f:
    ...     _ = f.write("age,color,kind\\n3,red,cat\\n5,blue,dog\\n2,red,cat\\n")
    >>> table = read_table("pets.csv")
    >>> encoder = TableEncoder().fit(table, target="kind")
    >>> encoder
    TableEncoder([age:num, color:cat] -> 3 values, impute=None)
    >>> encoder.encoded_names_
    ['age', 'color=blue', 'color=red']
    >>> encoder.transform(table)
    array([[3., 0., 1.],
           [5., 1., 0.],
           [2., 0., 1.]], dtype=float32)
    >>> restored = TableEncoder.from_dict(encoder.to_dict())   # e.g. from a model's metadata
    >>> np.array_equal(restored.transform(table), encoder.transform(table))
    True
    """

    def __init__(self, features=None, categorical=(), impute: str | None = None):
        if impute not in (None, "mean"):
            raise ValueError(f"impute must be None (refuse missing values) or 'mean', got {impute!r}")
        if isinstance(features, str) or isinstance(categorical, str):
            raise TypeError("features and categorical are lists of column names, not a string; "
                            "e.g. features=['age', 'color']")
        self.features = None if features is None else [str(f) for f in features]
        self.categorical = [str(c) for c in (categorical or ())]
        self.impute = impute
        self.columns_: list | None = None
        self.ignored_: list = []
        self._warned: set = set()  # fit runs twice in a CLI run: each warning once

    # ----------------------------------------------------------- fitting
    def fit(self, table: Table, target: str | None = None, rows=None) -> TableEncoder:
        """Decide each feature column's kind and categories from ``table``.

        Parameters
        ----------
        table : Table
        target : str, optional
            The label column: never a feature.
        rows : array-like of int, optional
            The training rows: the imputation fills (mean, most frequent category) come from
            them alone. Kinds and categories always come from every row of ``table`` (the set of
            values a column can take is part of its schema, not a statistic of the split).
        """
        if target is not None and target not in table.names:
            raise ValueError(f"{table.path}: target column {target!r} not in the header; "
                             f"columns: {', '.join(table.names)}")
        features = self.features
        if features is None:
            features = [n for n in table.names if n != target]
        else:
            twice = sorted({f for f in features if features.count(f) > 1})
            if twice:
                raise ValueError(f"features name a column more than once: {twice}")
            absent = [f for f in features if f not in table.names]
            if absent:
                raise ValueError(f"{table.path}: feature column(s) {absent} not in the header; "
                                 f"columns: {', '.join(table.names)}")
            if target is not None and target in features:
                raise ValueError(f"the target column {target!r} cannot also be a feature")
        if not features:
            raise ValueError(f"{table.path}: no feature columns (the table has only "
                             f"{', '.join(table.names)})")
        stray = [c for c in self.categorical if c not in features]
        if stray:
            raise ValueError(f"categorical column(s) {stray} are not among the features "
                             f"{features}")
        train = np.arange(len(table)) if rows is None else np.asarray(rows, dtype=np.int64)
        columns = []
        for name in features:
            col = table.column(name)
            missing = _missing_mask(col)
            if missing.any() and self.impute is None:
                i = int(np.argmax(missing))
                raise _missing_error(table, name, i, col[i], trained=False,
                                     count=int(missing.sum()))
            if missing.all():
                raise ValueError(f"{table.path}: column {name!r} has no values at all; drop it "
                                 "from the features")
            present, where = col[~missing], table.lines[~missing]
            forced = name in self.categorical
            _check_cell_types(present, where, table.path, name, forced)
            is_number = not forced and _is_numeric_column(present, where, table.path, name)
            if is_number:
                values = _numbers(present, table.lines[~missing], table.path, name,
                                  table.names.index(name))
                spec = {"name": name, "kind": "numeric", "fill": None}
                message = _row_number_warning(table.path, name, values)
                if message and message not in self._warned:
                    self._warned.add(message)
                    warnings.warn(message, UserWarning, stacklevel=2)
                if self.impute == "mean":
                    keep = ~missing[train]
                    if not keep.any():
                        raise ValueError(f"{table.path}: column {name!r} has no values in the "
                                         "training rows to take a mean of")
                    full = np.full(len(col), np.nan)
                    full[~missing] = values
                    spec["fill"] = float(full[train][keep].mean())
            else:
                spec = {"name": name, "kind": "categorical",
                        "categories": sorted({_category(c) for c in present}), "fill": None}
                for message in _category_warnings(table.path, name, spec["categories"],
                                                  present, forced):
                    if message not in self._warned:
                        self._warned.add(message)
                        warnings.warn(message, UserWarning, stacklevel=2)
                if self.impute == "mean":
                    seen = [_category(c) for c, m in zip(col[train], missing[train]) if not m]
                    if not seen:
                        raise ValueError(f"{table.path}: column {name!r} has no values in the "
                                         "training rows to take the most frequent of")
                    counts = Counter(seen)
                    top = max(counts.values())
                    spec["fill"] = min(c for c, k in counts.items() if k == top)
            columns.append(spec)
        self.columns_ = columns
        self.features = list(features)
        # the training file's other columns (left out with features=): a file laid out like the
        # training file may hold them, and check_columns lets them be
        self.ignored_ = [n for n in table.names if n not in features and n != target]
        return self

    def _check_fitted(self) -> list:
        if self.columns_ is None:
            raise RuntimeError("TableEncoder is not fitted: call fit(table, target) first")
        return self.columns_

    @property
    def encoded_names_(self) -> list:
        """The name of each encoded column, in order: a numeric column's name, and
        ``"name=category"`` for each category of a categorical one (after ``fit``)."""
        names = []
        for spec in self._check_fitted():
            if spec["kind"] == "numeric":
                names.append(spec["name"])
            else:
                names += [f"{spec['name']}={c}" for c in spec["categories"]]
        return names

    @property
    def n_encoded_(self) -> int:
        """Width of the encoded matrix: numeric columns plus the categories of every
        categorical column."""
        return len(self.encoded_names_)

    # ----------------------------------------------------------- encoding
    def check_columns(self, table: Table, ignore=()) -> None:
        """Refuse a table whose columns are not the feature columns (order free), apart from
        the names in ``ignore`` (a label column) and the training file's columns left out of
        the features (``ignored_``, present or not): one ValueError listing the missing and
        the unexpected names, with a close match for a misspelled one."""
        import difflib

        wanted = [spec["name"] for spec in self._check_fitted()]
        skip = set(ignore) | set(self.ignored_)
        have = [n for n in table.names if n not in skip]
        missing = [n for n in wanted if n not in have]
        unexpected = [n for n in have if n not in wanted]
        if not missing and not unexpected:
            return

        def show(cols, against):
            parts = []
            for c in cols[:6]:
                close = difflib.get_close_matches(c, against, n=1, cutoff=0.6) or \
                    [a for a in against if a.lower() == c.lower()]
                parts.append(f"{c!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
            return ", ".join(parts) + (" ..." if len(cols) > 6 else "")

        cased = {}  # a name that matches a wanted one but for upper/lower case
        for m in missing:
            same = [u for u in unexpected if u.lower() == m.lower()]
            if len(same) == 1 and sum(w.lower() == m.lower() for w in wanted) == 1:
                cased[same[0]] = m
        missing = [m for m in missing if m not in cased.values()]
        unexpected = [u for u in unexpected if u not in cased]
        parts = ([f"missing {show(missing, unexpected)}"] if missing else []) + \
            ([f"unexpected {show(unexpected, missing)}; drop the extra column(s) from the file"]
             if unexpected else [])
        if cased:
            parts.append("names that differ only in upper/lower case: " + ", ".join(
                f"{u!r} should be {m!r}" for u, m in cased.items()) + "; rename them in the "
                "header (names are matched exactly)")
        raise ValueError(f"{table.path}: the columns do not match the model's {len(wanted)} "
                         f"feature columns ({', '.join(wanted)}): {'; '.join(parts)}")

    def transform(self, table: Table) -> np.ndarray:
        """Encode the feature columns of ``table`` (found by name; other columns are ignored).

        Returns
        -------
        numpy.ndarray of float32, shape (len(table), n_encoded_)
        """
        columns = self._check_fitted()
        absent = [spec["name"] for spec in columns if spec["name"] not in table.names]
        if absent:
            raise ValueError(f"{table.path}: feature column(s) {absent} not in the header; "
                             f"columns: {', '.join(table.names)}")
        blocks = []
        for spec in columns:
            name = spec["name"]
            col = table.column(name)
            missing = _missing_mask(col)
            if missing.any() and spec["fill"] is None:
                i = int(np.argmax(missing))
                raise _missing_error(table, name, i, col[i], trained=True,
                                     count=int(missing.sum()))
            present = ~missing
            if spec["kind"] == "numeric":
                out = np.full(len(col), np.nan if spec["fill"] is None else spec["fill"])
                out[present] = _numbers(col[present], table.lines[present], table.path, name,
                                        table.names.index(name))
                blocks.append(out[:, None])
                continue
            cats = spec["categories"]
            index = {c: k for k, c in enumerate(cats)}
            codes = np.empty(len(col), dtype=np.int64)
            for i, cell in enumerate(col):
                key = spec["fill"] if missing[i] else _category(cell)
                k = index.get(key)
                if k is None:
                    shown = ", ".join(repr(c) for c in cats[:10]) + (" ..." if len(cats) > 10
                                                                      else "")
                    raise ValueError(f"{table.path}: line {int(table.lines[i])}, column "
                                     f"{name!r}: unknown category {key!r} (not seen in "
                                     f"training); known: {shown}")
                codes[i] = k
            block = np.zeros((len(col), len(cats)))
            block[np.arange(len(col)), codes] = 1.0
            blocks.append(block)
        if not blocks:
            return np.zeros((len(table), 0), dtype=np.float32)
        return np.concatenate(blocks, axis=1).astype(np.float32)

    def fit_transform(self, table: Table, target: str | None = None, rows=None) -> np.ndarray:
        """``fit(table, target, rows).transform(table)``: all rows encoded, float32 of shape
        ``(len(table), n_encoded_)``."""
        return self.fit(table, target, rows).transform(table)

    # ----------------------------------------------------------- saving
    def to_dict(self) -> dict:
        """``{"columns": [...], "encoded_names": [...], "ignored": [...]}``: JSON-able, for a
        model's metadata (``ignored``: the training file's columns that are not features)."""
        columns = self._check_fitted()
        return {"columns": [dict(spec) for spec in columns],
                "encoded_names": self.encoded_names_, "ignored": list(self.ignored_)}

    @classmethod
    def from_dict(cls, d: dict) -> TableEncoder:
        """The fitted encoder that ``to_dict`` (or a run's ``"table"`` metadata) describes."""
        if not isinstance(d, dict) or not isinstance(d.get("columns"), list):
            raise ValueError(f"not a table encoder description (expected a dict with 'columns'), "
                             f"got {d!r:.80}")
        columns = []
        for spec in d["columns"]:
            if not isinstance(spec, dict) or spec.get("kind") not in ("numeric", "categorical") \
                    or not isinstance(spec.get("name"), str):
                raise ValueError(f"bad column description {spec!r:.80} (expected name, kind "
                                 "'numeric' or 'categorical')")
            if spec["kind"] == "categorical" and not isinstance(spec.get("categories"), list):
                raise ValueError(f"categorical column {spec['name']!r} has no categories list")
            columns.append({**spec, "fill": spec.get("fill")})
        imputed = bool(columns) and all(spec["fill"] is not None for spec in columns)
        enc = cls([spec["name"] for spec in columns],
                  [spec["name"] for spec in columns if spec["kind"] == "categorical"],
                  "mean" if imputed else None)
        enc.columns_ = columns
        ignored = d.get("ignored") or []
        if not isinstance(ignored, list) or not all(isinstance(n, str) for n in ignored):
            raise ValueError(f"bad 'ignored' column list {ignored!r:.80} (expected names)")
        enc.ignored_ = list(ignored)
        return enc

    def __repr__(self) -> str:
        if self.columns_ is None:
            return f"TableEncoder(features={self.features}, impute={self.impute!r})"
        kinds = ", ".join(f"{s['name']}:{s['kind'][:3]}" for s in self.columns_)
        return f"TableEncoder([{kinds}] -> {self.n_encoded_} values, impute={self.impute!r})"


# ------------------------------------------------------------------ the target
def _label_names(cells) -> tuple[list[str], np.ndarray | None]:
    """Class label text of each cell (numbers as load_csv names them: 1.0 -> '1') and the
    numeric values when every cell is a number."""
    values = _try_numbers([_as_number(c) if _as_number(c) is not None else "x" for c in cells])
    if values is not None:
        return [str(int(v)) if v == int(v) else str(v) for v in values], values
    return [_category(c) for c in cells], None


def encode_target(table: Table, target: str, task: str | None = None, classes=None):
    """The target column as training labels.

    Parameters
    ----------
    table : Table
    target : str
        Its name.
    task : {None, "classification", "regression"}
        None infers it as :func:`lucidnet.data.load_csv` does: a non-numeric or integer-valued
        target (3 or 3.0) is classification, any other numeric target regression. A target of
        numbers but for a few cells (a typo, a decimal comma) is refused rather than taken as
        text classes; text labels differing only in case warn.
    classes : list of str, optional
        The class names to map to (a trained model's): a label outside them is an error.
        Default: the sorted unique labels of the column.

    Returns
    -------
    y : numpy.ndarray
        int64 class indices into ``classes`` (classification) or float32 values (regression).
    task : str
    classes : list of str or None
        The class names (None for regression).

    Examples
    --------
    >>> from lucidnet.data import encode_target, read_table
    >>> with open("pets.csv", "w") as f:
    ...     _ = f.write("age,color,kind\\n3,red,cat\\n5,blue,dog\\n2,red,cat\\n")
    >>> encode_target(read_table("pets.csv"), "kind")
    (array([0, 1, 0]), 'classification', ['cat', 'dog'])
    >>> encode_target(read_table("pets.csv"), "age", task="regression")[0]
    array([3., 5., 2.], dtype=float32)
    """
    if task not in (None, "classification", "regression"):
        raise ValueError(f"task must be None, 'classification' or 'regression', got {task!r}")
    if target not in table.names:
        raise ValueError(f"{table.path}: target column {target!r} not in the header; columns: "
                         f"{', '.join(table.names)}")
    col = table.column(target)
    missing = _missing_mask(col)
    if missing.any():
        i = int(np.argmax(missing))
        raise ValueError(f"{table.path}: line {int(table.lines[i])}, target column {target!r}: "
                         f"missing value {_shown(col[i])}; drop or fill the "
                         "rows without a target")
    names, values = _label_names(col)
    if values is None and task is None and classes is None:
        _is_numeric_column(col, table.lines, table.path, target, target=True)
    if values is None and classes is None and task != "regression":
        for message in _category_warnings(table.path, target, sorted(set(names)), names, True):
            warnings.warn(message.replace("categories", "labels", 1).replace(
                "different categories", "different classes"), UserWarning, stacklevel=2)
    if task == "regression" or (task is None and classes is None and values is not None
                                and not np.all(values == np.round(values))):
        y = _numbers(col, table.lines, table.path, target, table.names.index(target))
        return y.astype(np.float32), "regression", None
    if classes is None:
        if values is not None:
            uniq, y = np.unique(values, return_inverse=True)
            classes = [str(int(c)) if c == int(c) else str(c) for c in uniq]
        else:
            classes, y = np.unique(np.array(names, dtype=object).astype(str), return_inverse=True)
            classes = [str(c) for c in classes]
        return y.ravel().astype(np.int64), "classification", classes
    index = {str(c): k for k, c in enumerate(classes)}
    y = np.empty(len(col), dtype=np.int64)
    for i, label in enumerate(names):
        k = index.get(label)
        if k is None:
            raise ValueError(f"{table.path}: line {int(table.lines[i])}, target column "
                             f"{target!r}: label {label!r} is not one of the model's classes "
                             f"{list(classes)}")
        y[i] = k
    return y, "classification", list(classes)
