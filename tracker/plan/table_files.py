"""Reading an uploaded .xlsx or UTF-8 .csv into rows of cells, within size limits."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

from openpyxl import load_workbook

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED_BYTES = 60 * 1024 * 1024
MAX_ROWS = 5000


class FileProblem(ValueError):
    """The file as a whole cannot be read (wrong type, too big, no header)."""


def read_table(data: bytes) -> list[list[Any]]:
    """The rows of an .xlsx (first sheet) or a UTF-8 .csv, told apart by their content."""
    if len(data) > MAX_IMPORT_BYTES:
        raise FileProblem(f"The file must be smaller than {MAX_IMPORT_BYTES // (1024 * 1024)} MB")
    if not data.strip():
        raise FileProblem("The selected file is empty")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
    if b"\x00" in data:
        raise FileProblem("The file must be an Excel workbook (.xlsx) or a CSV file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileProblem(
            "The file must be an Excel workbook (.xlsx) or a CSV file saved as UTF-8"
        ) from exc
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    return [[_unescape(cell) for cell in row] for row in rows]


def _unescape(cell: str) -> str:
    """Undo the apostrophe that an export puts before text that looks like a formula."""
    if cell.startswith("'") and cell[1:2] and cell[1] in "=+-@":
        return cell[1:]
    return cell


def _read_xlsx(data: bytes) -> list[list[Any]]:
    not_a_workbook = "The file is not an Excel workbook (.xlsx) that the tracker can read"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "xl/workbook.xml" not in names:
                raise FileProblem(not_a_workbook)
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise FileProblem("The workbook is too large to import")
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except FileProblem:
        raise
    except Exception as exc:  # openpyxl raises many kinds of error for a damaged file
        raise FileProblem(not_a_workbook) from exc
    try:
        sheet = workbook.worksheets[0]
        rows: list[list[Any]] = []
        for values in sheet.iter_rows(values_only=True):
            rows.append(list(values))
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()
