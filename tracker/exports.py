"""Tables to CSV and XLSX downloads, for every log, plan and matrix.

Text that starts like a formula is never run by a spreadsheet: CSV cells get a leading
apostrophe (as Excel itself does) and XLSX cells are typed as text, header cells included (a
matrix's columns are named after work streams and services). Every CSV and workbook the tracker
writes goes through here (tests/test_spreadsheet_formulas.py checks it).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from typing import Any

from flask import Response, send_file
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The longest text an Excel cell holds; longer text is cut with a note rather than refused.
XLSX_CELL_LIMIT = 32_767
_CUT = " [cut: too long for one Excel cell; the CSV download has it in full]"
CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def table_csv(columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> bytes:
    """UTF-8 CSV with a byte-order mark (so that Excel reads £ and – right), ISO dates."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_csv_cell(column) for column in columns])
    for row in rows:
        writer.writerow([_csv_cell(row.get(column)) for column in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx_cell(cell: Cell, value: Any) -> None:
    """Put `value` in `cell`: a date as a date, text always as text (never a formula)."""
    cell.value = value
    if isinstance(value, dt.date):
        cell.number_format = "dd mmm yyyy"
    elif isinstance(value, str):
        if len(value) > XLSX_CELL_LIMIT:
            cell.value = value[: XLSX_CELL_LIMIT - len(_CUT)] + _CUT
        cell.data_type = "s"


def table_xlsx(
    columns: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    title: str,
    widths: Mapping[str, int] | None = None,
) -> bytes:
    """One sheet: a bold header row, dates as dates, text never as a formula."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    for col_number, column in enumerate(columns, start=1):
        header = sheet.cell(row=1, column=col_number)
        _xlsx_cell(header, column)
        header.font = Font(bold=True)
    for row_number, row in enumerate(rows, start=2):
        for col_number, column in enumerate(columns, start=1):
            value = row.get(column)
            if value is not None and value != "":
                _xlsx_cell(sheet.cell(row=row_number, column=col_number), value)
    for col_number, column in enumerate(columns, start=1):
        width = (widths or {}).get(column, max(10, min(len(column) + 2, 40)))
        sheet.column_dimensions[get_column_letter(col_number)].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def download(
    columns: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    *,
    filename: str,
    file_format: str,
    title: str,
) -> Response:
    """A CSV or XLSX attachment; `file_format` is "csv" or "xlsx" (anything else is CSV)."""
    if file_format == "xlsx":
        body, mimetype, ext = table_xlsx(columns, rows, title), XLSX_MIMETYPE, "xlsx"
    else:
        body, mimetype, ext = table_csv(columns, rows), CSV_MIMETYPE, "csv"
    # send_file writes Content-Disposition for any name (RFC 6266 `filename*` when not ASCII).
    response = send_file(io.BytesIO(body), as_attachment=True, download_name=f"{filename}.{ext}")
    response.content_type = mimetype  # as it is: mimetype= would add a second charset
    return response
