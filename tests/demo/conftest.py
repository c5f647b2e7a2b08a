"""Shared demo workspace (written once per session at the default size) and a plain reader
that gives back each export's rows as text, as a spreadsheet or editor shows them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Callable
from pathlib import Path

import fastexcel
import pyreadstat
import pytest

from outcomes.demo import DemoTruth, write_demo


def as_text(value: object) -> str:
    """Return a cell as text: integral floats without ``.0``, dates in ISO, missing as ''."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def read_rows(path: Path) -> tuple[list[str], list[list[str]], int]:
    """Return (column names, data rows as text, header rows above the data) of one export."""
    if path.suffix == ".sav":
        frame, _ = pyreadstat.read_sav(str(path), user_missing=True)
        rows = [[as_text(v) for v in row] for row in frame.itertuples(index=False)]
        return list(frame.columns), rows, 0
    if path.suffix == ".xlsx":
        sheet = fastexcel.read_excel(str(path)).load_sheet("Gegevens", header_row=None)
        records = sheet.to_polars().rows()
        header = [as_text(v) for v in records[0]]
        return header, [[as_text(v) for v in row] for row in records[1:]], 1
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        text, delimiter, header_rows = data[3:].decode("utf-8"), ",", 3
    elif path.parent.name == "samen-oplopen":
        text, delimiter, header_rows = data.decode("cp1252"), ";", 1
    else:
        text, delimiter, header_rows = data.decode("utf-8"), ";", 1
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return records[0], records[header_rows:], header_rows


RowReader = Callable[[Path], tuple[list[str], list[list[str]], int]]


@pytest.fixture(scope="session")
def raw_rows() -> RowReader:
    return read_rows


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("demo")
    write_demo(home)
    return home


@pytest.fixture(scope="session")
def truth(demo_home: Path) -> DemoTruth:
    return DemoTruth.load(demo_home / "demo" / "truth.json")
