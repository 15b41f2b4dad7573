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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, Any

from flask import Response, send_file

from tracker.xlsx import write_workbook

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The longest text an Excel cell holds; longer text is cut with a note rather than refused.
XLSX_CELL_LIMIT = 32_767
_CUT = " [cut: too long for one Excel cell; the CSV download has it in full]"
CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv_cell(value: Any) -> Any:
    """A value as the CSV writes it: text that starts like a formula with an apostrophe before
    it, dates (and times) in ISO form, None as an empty cell. Numbers and text go through
    first: they are most of the cells of a 20,000-row plan."""
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_START) else value
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _csv_chunks(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> Iterator[bytes]:
    """The CSV a thousand rows at a time, with a byte-order mark first (so that Excel reads £
    and – right) and ISO dates."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    out.write("\ufeff")
    writer.writerow([_csv_cell(column) for column in columns])
    for number, row in enumerate(rows, start=1):
        writer.writerow([_csv_cell(row.get(column)) for column in columns])
        if not number % 1000:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def table_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> bytes:
    """UTF-8 CSV with a byte-order mark, ISO dates and defused formulas, as one piece."""
    return b"".join(_csv_chunks(columns, rows))


class _ChunkReader(io.RawIOBase):
    """A file that reads from an iterator of byte strings, so that `send_file` streams what the
    iterator writes as it writes it (and sets the headers of a download, whatever its name)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._left = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._left:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._left = chunk
        size = min(len(buffer), len(self._left))
        buffer[:size], self._left = self._left[:size], self._left[size:]
        return size


def table_xlsx(
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    title: str,
    widths: Mapping[str, int] | None = None,
) -> bytes:
    """One sheet: a bold header row frozen at the top, dates as dates, text never a formula."""
    widths = widths or {}
    sheet_widths = [widths.get(c, max(10, min(len(c) + 2, 40))) for c in columns]
    out = io.BytesIO()
    write_workbook(out, title, columns, (_xlsx_row(row, columns) for row in rows), sheet_widths)
    return out.getvalue()


def _xlsx_row(row: Mapping[str, Any], columns: Sequence[str]) -> list[Any]:
    values = []
    for column in columns:
        value = row.get(column)
        if isinstance(value, str) and len(value) > XLSX_CELL_LIMIT:
            value = value[: XLSX_CELL_LIMIT - len(_CUT)] + _CUT
        values.append(value)
    return values


def download(
    columns: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    *,
    filename: str,
    file_format: str,
    title: str,
) -> Response:
    """A CSV or XLSX attachment; `file_format` is "csv" or "xlsx" (anything else is CSV)."""
    body: IO[bytes]
    if file_format == "xlsx":
        body, mimetype, ext = io.BytesIO(table_xlsx(columns, rows, title)), XLSX_MIMETYPE, "xlsx"
    else:
        # Streamed as it is written, a thousand rows at a time.
        body, mimetype, ext = _ChunkReader(_csv_chunks(columns, rows)), CSV_MIMETYPE, "csv"
    # send_file writes Content-Disposition for any name (RFC 6266 `filename*` when not ASCII).
    response = send_file(body, as_attachment=True, download_name=f"{filename}.{ext}")
    response.content_type = mimetype  # as it is: mimetype= would add a second charset
    return response
