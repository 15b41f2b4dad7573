"""No text from the data becomes a formula in any file the tracker writes for a spreadsheet.

Every free-text column of the seeded project (tests/hostile.py) is given text that a spreadsheet
would run (`=HYPERLINK(...)`, `+`, `-`, `@`, a tab or a carriage return first), each column
getting every variant across its rows. Then every GET address a project manager may use is
fetched as it is and as `?format=csv` and `?format=xlsx`, and every CSV and XLSX that comes
back, alone or inside a ZIP (the assessor's pack, the project export), is read: no XLSX cell is
a formula and no CSV cell starts like one. The addresses are found from the app's URL map, so
a new download is covered without touching this file; a second test fails when code outside
tracker/exports.py writes a CSV or a workbook itself.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

from openpyxl import load_workbook

import tracker
from tests.factories import PersonFactory, member
from tests.helpers import sign_in
from tests.hostile import make_hostile
from tests.pages import manager_pages, seeded_records
from tracker.extensions import db
from tracker.projects.models import Role

PAYLOADS = (
    '=HYPERLINK("https://evil.example/login","Sign in again")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?")
TRACKER = Path(tracker.__file__).parent


def _csv_cells(data: bytes) -> list[str]:
    text = data.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def _check_csv(name: str, data: bytes, seen: set[str]) -> list[str]:
    problems = []
    for cell in _csv_cells(data):
        if cell.startswith(FORMULA_START) and not NUMBER.fullmatch(cell):
            problems.append(f"{name}: CSV cell {cell[:60]!r} starts like a formula")
        seen |= {p for p in PAYLOADS if cell.startswith("'" + p[:3])}
    return problems


def _check_xlsx(name: str, data: bytes, seen: set[str]) -> list[str]:
    problems = []
    book = load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    problems.append(f"{name}: {sheet.title}!{cell.coordinate} is {cell.value!r}")
                if isinstance(cell.value, str):
                    seen |= {p for p in PAYLOADS if cell.value.startswith(p[:3])}
    return problems


def _check(name: str, data: bytes, seen: set[str], checked: list[str]) -> list[str]:
    """The problems of one file, by what it is; a ZIP's members are checked one by one."""
    if name.endswith(".csv") or name.endswith("text/csv"):
        checked.append(name)
        return _check_csv(name, data, seen)
    if not data.startswith(b"PK"):
        return []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.namelist()
        if "xl/workbook.xml" in members:
            checked.append(name)
            return _check_xlsx(name, data, seen)
        problems = []
        for member_name in members:
            if member_name.endswith((".csv", ".xlsx")):
                problems += _check(
                    f"{name} {member_name}", archive.read(member_name), seen, checked
                )
        return problems


def test_no_file_the_tracker_writes_holds_a_formula_from_the_data(app, client, seeded):
    manager = PersonFactory()
    member(manager, seeded, Role.MANAGER)
    values, particular = seeded_records(seeded, manager)
    db.session.commit()
    make_hostile(lambda label, n: PAYLOADS[n], variants=len(PAYLOADS))
    sign_in(client, manager)

    problems, checked, seen = [], [], set()
    for url in manager_pages(app, values, particular, downloads=True):
        bodies = {}
        for query in ("", "?format=csv", "?format=xlsx"):
            response = client.get(url + query)
            assert response.status_code < 500, f"{url}{query} answered {response.status_code}"
            if response.status_code == 200 and response.mimetype != "text/html":
                bodies[response.data] = f"{url}{query} {response.mimetype}"
        for data, name in bodies.items():
            problems += _check(name, data, seen, checked)

    assert not problems, "text from the data became a formula:\n" + "\n".join(problems)
    assert any("elements.xlsx" in name for name in checked), checked
    assert sum(name.endswith("text/csv") for name in checked) >= 10, checked
    assert sum("spreadsheetml" in name for name in checked) >= 10, checked
    assert seen == set(PAYLOADS), "not every kind of formula reached a file: proves nothing"


WRITERS = re.compile(
    r"csv\.(writer|DictWriter)\(|\bWorkbook\(|xlsxwriter|\.to_csv\(|\.to_excel\(|write_workbook\b"
)
# The workbook writer itself, which only tracker/exports.py calls.
WRITER_MODULE = TRACKER / "xlsx.py"


def test_only_the_exports_module_writes_spreadsheets():
    """Every CSV and workbook goes through tracker/exports.py, whose cells are never formulas."""
    offenders = [
        str(path.relative_to(TRACKER.parent))
        for path in sorted(TRACKER.rglob("*.py"))
        if path not in (TRACKER / "exports.py", WRITER_MODULE)
        and WRITERS.search(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, f"these write a CSV or workbook without tracker/exports.py: {offenders}"
