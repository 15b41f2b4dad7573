"""A one-sheet Excel workbook (Office Open XML, ECMA-376), written as it goes.

Why not openpyxl or XlsxWriter, which the tracker would rather use: at 20,000 rows of the plan
(340,000 cells) openpyxl took 3.2 s and XlsxWriter 1.5 s, both building an object per cell;
issue 15 asks for the plan's download in under half a second. A sheet of plain values is a
small, fixed piece of XML: this writes each row as text straight into the ZIP (0.13 s), and
the tests read every workbook back with openpyxl. Only `tracker.exports` calls it: it decides
what goes in a cell (text is never a formula there: every string is an inline string, which
Excel never evaluates).

Cells: None and "" are left empty; bool as TRUE/FALSE; numbers as numbers; dates and
datetimes as Excel serial days with the format "dd mmm yyyy"; anything else as text.
Characters XML cannot carry (control characters) become U+FFFD.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"

_CONTENT_TYPES = (
    _HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_TYPE}.worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_TYPE}.styles+xml"/></Types>'
)
_ROOT_RELS = (
    _HEAD + f'<Relationships xmlns="{_PACKAGE_REL}"><Relationship Id="rId1" '
    f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    _HEAD + f'<Relationships xmlns="{_PACKAGE_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
)
# Styles: 0 plain, 1 a date ("dd mmm yyyy"), 2 bold (the header row).
_STYLES = (
    _HEAD + f'<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd mmm yyyy"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_DATE_STYLE, _BOLD_STYLE = 1, 2
# Excel's day 0 (its serial numbers count from 30 December 1899, as Lotus 1-2-3's did).
_EPOCH = dt.date(1899, 12, 30).toordinal()
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ROWS_PER_WRITE = 1000


def column_name(index: int) -> str:
    """The letters of the column at `index` (from 0): A … Z, AA …"""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _cell(ref: str, value: Any, style: int = 0) -> str:
    """One cell's XML, or "" for an empty one. Text first: it is most of a sheet's cells."""
    kind = type(value)
    styled = f' s="{style}"' if style else ""
    if kind is str:
        if not value:
            return ""
        text = _text(value)
        return f'<c r="{ref}" t="inlineStr"{styled}><is><t xml:space="preserve">{text}</t></is></c>'
    if value is None:
        return ""
    if kind is bool:
        return f'<c r="{ref}" t="b"{styled}><v>{int(value)}</v></c>'
    if kind is int or kind is float or kind is Decimal:
        return f'<c r="{ref}"{styled}><v>{value}</v></c>'
    if isinstance(value, dt.datetime):
        moment = value.replace(tzinfo=None)
        seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
        serial = moment.toordinal() - _EPOCH + seconds / 86400
        return f'<c r="{ref}" s="{_DATE_STYLE}"><v>{serial}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="{_DATE_STYLE}"><v>{value.toordinal() - _EPOCH}</v></c>'
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return f'<c r="{ref}"{styled}><v>{value}</v></c>'
    # Other text (an enum of strings, Markup) as its characters; anything else as it reads.
    return _cell(ref, str.__str__(value) if isinstance(value, str) else str(value), style)


def _text(value: str) -> str:
    """Text for XML: escaped, and characters XML cannot carry replaced (searched for only when
    the text has a control character at all, which it almost never has)."""
    if not value.isprintable() and _NOT_XML.search(value):
        value = _NOT_XML.sub("\ufffd", value)
    return escape(value)


def _row(number: int, letters: Sequence[str], values: Sequence[Any], style: int = 0) -> str:
    cells = "".join(
        [_cell(f"{letter}{number}", v, style) for letter, v in zip(letters, values, strict=True)]
    )
    return f'<row r="{number}">{cells}</row>'


def _sheet_start(widths: Sequence[float]) -> str:
    cols = "".join(
        f'<col min="{n}" max="{n}" width="{width}" customWidth="1"/>'
        for n, width in enumerate(widths, start=1)
    )
    cols = f"<cols>{cols}</cols>" if cols else ""
    return (
        _HEAD + f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetViews>'
        '<sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft"'
        ' state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView>'
        f'</sheetViews><sheetFormatPr defaultRowHeight="15"/>{cols}'
        "<sheetData>"
    )


def write_workbook(
    out: IO[bytes],
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[float] = (),
) -> None:
    """Write a workbook of one sheet named `title` (cut to Excel's 31 characters): the header
    in bold, frozen, then `rows`, into `out`, a thousand rows at a time."""
    letters = [column_name(n) for n in range(len(header))]
    name = quoteattr(_NOT_XML.sub("\ufffd", title[:31]) or "Sheet1")
    workbook = (
        _HEAD + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
        f'<sheet name={name} sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", _STYLES)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(_sheet_start(widths).encode("utf-8"))
            sheet.write(_row(1, letters, header, _BOLD_STYLE).encode("utf-8"))
            batch: list[str] = []
            for number, values in enumerate(rows, start=2):
                batch.append(_row(number, letters, values))
                if len(batch) == _ROWS_PER_WRITE:
                    sheet.write("".join(batch).encode("utf-8"))
                    batch.clear()
            sheet.write(("".join(batch) + "</sheetData></worksheet>").encode("utf-8"))
