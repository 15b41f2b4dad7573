"""The workbook writer (tracker/xlsx.py), read back with openpyxl: every kind of value, the
header, and text XML cannot carry. And the CSV download is streamed."""

from __future__ import annotations

import datetime as dt
import enum
import io
from decimal import Decimal

from markupsafe import Markup
from openpyxl import load_workbook

from tracker.exports import download
from tracker.xlsx import column_name, write_workbook


def _book(rows, header=("A", "B", "C"), title="Sheet", widths=()):
    out = io.BytesIO()
    write_workbook(out, title, header, rows, widths)
    return load_workbook(io.BytesIO(out.getvalue())).active


def test_values_keep_their_kinds():
    sheet = _book(
        [
            [1, 2.5, Decimal("3.25")],
            [True, False, None],
            [dt.date(2010, 2, 26), dt.datetime(2010, 2, 26, 18, 0), ""],
            ["=1+1", "a & b < c", "  spaced  "],
        ]
    )
    assert [c.value for c in sheet[2]] == [1, 2.5, 3.25]
    assert [c.value for c in sheet[3]] == [True, False, None]
    assert sheet["A4"].value == dt.datetime(2010, 2, 26)
    assert sheet["A4"].number_format == "dd mmm yyyy"
    assert sheet["B4"].value == dt.datetime(2010, 2, 26, 18, 0)
    assert sheet["C4"].value is None
    assert [c.value for c in sheet[5]] == ["=1+1", "a & b < c", "  spaced  "]
    assert all(c.data_type == "s" for c in sheet[5])


def test_the_header_is_bold_and_frozen_and_columns_have_widths():
    sheet = _book([[1, 2, 3]], header=("One", "Two", "<Three>"), widths=(12, 20, 8))
    assert [c.value for c in sheet[1]] == ["One", "Two", "<Three>"]
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width == 20


def test_text_xml_cannot_carry_becomes_a_replacement_character():
    sheet = _book([["bell\x07 and\x00null", "ok", "tab\tkept"]], title="Odd \x01 name")
    assert sheet["A2"].value == "bell\ufffd and\ufffdnull"
    assert sheet["C2"].value == "tab\tkept"
    assert sheet.title == "Odd \ufffd name"


def test_column_names_go_on_after_z():
    assert [column_name(n) for n in (0, 25, 26, 51, 52, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


def test_a_csv_download_is_streamed_and_whole(app):
    rows = [{"N": n, "Text": f"row {n}"} for n in range(2500)]
    with app.test_request_context():
        response = download(["N", "Text"], rows, filename="big", file_format="csv", title="T")
        assert response.is_streamed
        text = b"".join(response.response).decode("utf-8")
    lines = text.split("\r\n")
    assert lines[0] == "\ufeffN,Text" and lines[1] == "0,row 0" and lines[2500] == "2499,row 2499"
    assert response.headers["Content-Disposition"] == "attachment; filename=big.csv"


def test_other_text_is_written_as_its_characters():
    class Colour(str, enum.Enum):  # noqa: UP042 - str() of this one is "Colour.RED"
        RED = "red"

    sheet = _book([[Colour.RED, Markup("<b>x</b>"), 7]])
    assert [c.value for c in sheet[2]] == ["red", "<b>x</b>", 7]
