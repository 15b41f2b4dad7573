"""CSV and XLSX downloads: dates, money-safe text, and no formula injection."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from tests.factories import EvidenceItemFactory, MembershipFactory, PersonFactory, member
from tests.helpers import sign_in
from tracker.evidence.models import AssessmentRound
from tracker.exports import (
    CSV_MIMETYPE,
    XLSX_CELL_LIMIT,
    XLSX_MIMETYPE,
    download,
    table_csv,
    table_xlsx,
)
from tracker.projects.models import Role

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


def test_text_too_long_for_an_excel_cell_is_cut_with_a_note():
    rows = [{"Number": "01", "Description": "x" * 40_000, "Date": None}]
    cell = load_workbook(io.BytesIO(table_xlsx(COLUMNS, rows, "Audit"))).active["B2"].value
    assert len(cell) == XLSX_CELL_LIMIT and cell.endswith("the CSV download has it in full]")
    assert table_csv(COLUMNS, rows).decode("utf-8").count("x") == 40_000


def test_download_is_an_attachment(app):
    with app.test_request_context():
        response = download(COLUMNS, ROWS, filename="risk-log", file_format="xlsx", title="Risks")
    # nosniff and the other security headers: tests/test_security_headers.py, on every response.
    assert response.headers["Content-Disposition"] == "attachment; filename=risk-log.xlsx"


def test_a_csv_download_names_its_charset_once(app):
    with app.test_request_context():
        response = download(COLUMNS, ROWS, filename="risk-log", file_format="csv", title="Risks")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


# Every log and matrix of the seeded project, as each format, through its page's link.
DOWNLOADS = [
    ("plan/export", "Plan", 25),
    ("risks/export", "Risk log", 8),
    ("issues/export", "Issue log", 3),
    ("changes/export", "Change requests", 1),
    ("budget/lines/export", "Budget lines", 11),
    ("budget/spend/export", "Spend", 2),
    ("staff/export", "Staff time", 0),
    ("evidence/coverage", "Evidence coverage", 57),
    ("ratings/{round}", "Self-assessment", 57),
    ("plan/milestones/export", "Milestones", 5),
    ("gap-actions/export", "Gap actions", 0),
    ("evidence/export", "Evidence library", 0),
    ("audit/export", "Audit trail", 100),
]


@pytest.mark.parametrize(("path", "title", "rows"), DOWNLOADS)
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_every_log_and_matrix_downloads_as_csv_and_xlsx(
    db, client, seeded, path: str, title: str, rows: int, file_format: str
):
    manager = PersonFactory()
    member(manager, seeded, Role.MANAGER)
    db.session.commit()
    sign_in(client, manager)
    first_round = db.session.execute(db.select(AssessmentRound.id)).scalars().first()
    url = f"/projects/{seeded.slug}/{path.format(round=first_round)}?format={file_format}"
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    if file_format == "csv":
        assert response.headers["Content-Type"] == CSV_MIMETYPE
        lines = response.data.decode("utf-8-sig").splitlines()
        assert len(lines) >= rows + 1  # the header, then a line a row (some cells hold lines)
    else:
        assert response.headers["Content-Type"] == XLSX_MIMETYPE
        sheet = load_workbook(io.BytesIO(response.data)).active
        assert sheet.title.startswith(title)
        assert sheet.max_row - 1 >= rows


def test_the_evidence_download_hides_personal_data_as_the_library_does(db, client, seeded):
    own, other = seeded.work_streams[0], seeded.work_streams[1]
    EvidenceItemFactory(project=seeded, work_stream=own, title="Complaints log")
    EvidenceItemFactory(project=seeded, work_stream=own, title="Named callers", personal_data=True)
    outsider = MembershipFactory(project=seeded, role=Role.WS_MEMBER, work_stream=other).person
    manager = PersonFactory()
    member(manager, seeded, Role.MANAGER)
    db.session.commit()

    def titles(person) -> str:
        sign_in(client, person)
        return client.get(f"/projects/{seeded.slug}/evidence/export?format=csv").text

    assert "Complaints log" in titles(outsider) and "Named callers" not in titles(outsider)
    assert "Named callers" in titles(manager)
