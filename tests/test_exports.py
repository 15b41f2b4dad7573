"""CSV and XLSX downloads: dates, money-safe text, and no formula injection."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from tracker.exports import download, table_csv, table_xlsx

COLUMNS = ["Number", "Description", "Date"]
ROWS = [
    {"Number": "01", "Description": '=HYPERLINK("x")', "Date": dt.date(2010, 2, 26)},
    {"Number": "02", "Description": "Budget £1,200 – spent", "Date": None},
]


def test_csv_has_bom_iso_dates_and_defused_formulas():
    text = table_csv(COLUMNS, ROWS).decode("utf-8")
    assert text.startswith("\ufeffNumber,Description,Date\r\n")
    assert "2010-02-26" in text
    assert "'=HYPERLINK" in text
    assert "£1,200 – spent" in text


def test_xlsx_keeps_dates_and_text(app):
    sheet = load_workbook(io.BytesIO(table_xlsx(COLUMNS, ROWS, "Risks"))).active
    assert sheet.title == "Risks"
    assert [c.value for c in sheet[1]] == COLUMNS
    assert sheet["C2"].value.date() == dt.date(2010, 2, 26)
    assert sheet["B2"].data_type == "s"
    assert sheet["B2"].value == '=HYPERLINK("x")'


def test_download_is_an_attachment(app):
    with app.test_request_context():
        response = download(COLUMNS, ROWS, filename="risk-log", file_format="xlsx", title="Risks")
    assert response.headers["Content-Disposition"] == 'attachment; filename="risk-log.xlsx"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
