"""The evidence library: files checked by content, who adds and reviews, personal data."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from tests.factories import (
    AssessmentRoundFactory,
    EvidenceFileFactory,
    EvidenceItemFactory,
    MembershipFactory,
    PersonFactory,
    member,
)
from tests.helpers import sign_in
from tests.html import hrefs, parse
from tracker.audit import AuditEvent
from tracker.evidence.files import clean_name, content_matches, store_upload
from tracker.evidence.models import EvidenceFile, EvidenceItem, EvidenceStatus
from tracker.evidence.storage import LocalStorage
from tracker.projects.models import Role
from tracker.rules import RuleRefused
from tracker.seeding import load_seed

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 100


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


# Files, by content --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "ok"),
    [
        ("report.pdf", PDF, True),
        ("setup.pdf", EXE, False),  # an executable renamed .pdf
        ("letter.docx", docx_bytes(), True),
        ("letter.xlsx", docx_bytes(), False),  # a Word file named as Excel
        ("plain.zip.docx", b"PK\x03\x04" + b"\x00" * 30, False),  # not a real archive
        ("survey.csv", b"Name,Score\nAnn,5\n", True),
        ("notes.txt", "café".encode(), True),
        ("notes.txt", b"\x00\x01\x02binary", False),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, True),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20, True),
    ],
)
def test_the_type_is_decided_by_the_content(name: str, content: bytes, ok: bool) -> None:
    ext = name.rsplit(".", 1)[-1]
    assert content_matches(io.BytesIO(content), ext) is ok


def test_names_are_cleaned() -> None:
    assert clean_name("../../etc/passwd.pdf") == "etc_passwd.pdf"
    assert clean_name("../../x") == ""
    assert clean_name("Survey results 2009.xlsx") == "Survey_results_2009.xlsx"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.pdf", b"", "The selected file is empty"),
        ("setup.pdf", EXE, "The selected file is not a real PDF"),
        ("big.pdf", PDF + b"x" * 2000, "must be smaller than"),
        ("../../x", PDF, "Select a file with a name that ends in its type"),
        ("tool.exe", EXE, "must be a PDF, Word, Excel"),
    ],
)
def test_a_refused_upload_leaves_no_file(app, tmp_path: Path, name, content, message) -> None:
    store = LocalStorage(tmp_path)
    with pytest.raises(RuleRefused, match=message) as refused:
        store_upload(io.BytesIO(content), name, store, max_bytes=1000)
    assert refused.value.field == "file"  # shown beside the file field
    assert list(tmp_path.iterdir()) == []


def test_an_accepted_upload_is_stored_under_a_random_name_with_its_checksum(
    app, db, tmp_path
) -> None:
    import hashlib

    stored = store_upload(io.BytesIO(PDF), "Report.pdf", LocalStorage(tmp_path), max_bytes=10**6)
    assert stored.original_name == "Report.pdf"
    assert stored.size_bytes == len(PDF)
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
    assert stored.key != "Report.pdf" and len(stored.key) == 32
    # Under a temporary name until the transaction that records it commits.
    assert [p.name for p in tmp_path.iterdir()] == [f"{stored.key}.part"]
    db.session.commit()
    assert [p.name for p in tmp_path.iterdir()] == [stored.key]
    assert (tmp_path / stored.key).read_bytes() == PDF


# Through the pages ----------------------------------------------------------------------------


@pytest.fixture
def evidence_project(db, project):
    """The small project with the standard of the seed (57 elements)."""
    from tracker.evidence.models import Standard

    load_seed(Path(__file__).resolve().parent.parent / "seed")
    project.standard_id = db.session.execute(db.select(Standard.id)).scalars().first()
    db.session.commit()
    return project


def url(project, path: str) -> str:
    return f"/projects/{project.slug}/{path}"


def element_ids(*codes: str) -> list[str]:
    """The ids of the elements of the seed's standard with these codes, as the form sends them."""
    from tracker.evidence.models import Element
    from tracker.extensions import db

    found = dict(db.session.execute(db.select(Element.code, Element.id)).all())
    return [str(found[code]) for code in codes]


def ticked(source: object, name: str = "elements") -> list[str]:
    """The values of the ticked checkboxes named `name`."""
    return [box.get("value") for box in parse(source).select(f'input[name="{name}"][checked]')]


def add_form(project, **changes) -> dict:
    data = {
        "title": "Customer survey 2009",
        "description": "Results of the annual survey",
        "work_stream": str(project.work_streams[0].id),
        "elements": element_ids("1.1.1", "1.2.1"),
        "evidence_date": ["1", "6", "2009"],
        "file": (io.BytesIO(PDF), "survey.pdf"),
    }
    data.update(changes)
    return data


def post_item(client, project, **changes):
    return client.post(
        url(project, "evidence/new"),
        data=add_form(project, **changes),
        content_type="multipart/form-data",
    )


def uploads(app) -> set[str]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def test_a_lead_adds_evidence_for_two_elements_of_their_stream(
    app, db, client, login_as, evidence_project
):
    lead = login_as(Role.WS_LEAD)
    before = uploads(app)
    response = post_item(client, evidence_project)
    assert response.status_code == 302
    item = db.session.execute(db.select(EvidenceItem)).scalar_one()
    assert [e.code for e in item.elements] == ["1.1.1", "1.2.1"]
    assert item.status is EvidenceStatus.DRAFT and item.created_by_id == lead.id
    assert item.files[0].original_name == "survey.pdf" and item.files[0].version == 1
    assert uploads(app) - before == {item.files[0].storage_key}
    assert "static" not in app.config["UPLOAD_FOLDER"]
    tables = {e.table_name for e in db.session.execute(db.select(AuditEvent)).scalars()}
    assert {"evidence_item", "evidence_file"} <= tables
    page = client.get(url(evidence_project, "standard/elements/1.2.1")).text
    assert "Customer survey 2009" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"elements": ["999999"]}, "Select elements of the standard from the list"),
        ({"elements": ["1.1.1"]}, "Select elements of the standard from the list"),
        ({"elements": []}, "Select the elements of the standard this evidence supports"),
        ({"file": (io.BytesIO(EXE), "setup.pdf")}, "The selected file is not a real PDF"),
        ({"file": (io.BytesIO(b""), "empty.pdf")}, "The selected file is empty"),
        ({"file": (io.BytesIO(PDF), "../../x")}, "Select a file with a name that ends in its type"),
        (
            {"file": (io.BytesIO(b""), ""), "link_url": "javascript:alert(1)"},
            "Enter a link that starts with https://",
        ),
        ({"file": (io.BytesIO(b""), "")}, "Choose a file or enter a link to the document"),
        ({"title": ""}, "Enter a title for the evidence"),
        ({"personal_data": "y"}, "Enter the date to keep the personal data until"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_nothing_is_stored(
    app, db, client, login_as, evidence_project, changes, message
):
    login_as(Role.WS_LEAD)
    before = uploads(app)
    response = post_item(client, evidence_project, **changes)
    assert response.status_code == 400
    assert message in response.text
    assert db.session.execute(db.select(EvidenceItem)).first() is None
    assert uploads(app) == before


@pytest.mark.parametrize(
    ("size", "status", "message"),
    [
        # Just over the limit: refused beside the field, the rest of the form kept.
        (1024 * 1024 + 10, 400, "The selected file must be smaller than 1 MB"),
        # Far over: refused before it is read, with a page saying what to do.
        (3 * 1024 * 1024, 413, "choose a smaller file"),
    ],
)
def test_a_file_over_the_limit_is_refused_and_nothing_is_stored(
    app, db, client, login_as, evidence_project, size, status, message
):
    app.config["MAX_UPLOAD_MB"] = 1
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    login_as(Role.WS_LEAD)
    before = uploads(app)
    big = PDF + b"x" * (size - len(PDF))
    response = post_item(client, evidence_project, file=(io.BytesIO(big), "big.pdf"))
    assert response.status_code == status
    assert message in response.text
    assert db.session.execute(db.select(EvidenceItem)).first() is None
    assert uploads(app) == before


def test_a_failure_after_the_checks_leaves_no_file_behind(
    app, db, client, login_as, evidence_project, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("tracker.evidence.views.add_item", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    login_as(Role.WS_LEAD)
    before = uploads(app)
    response = post_item(client, evidence_project)
    assert response.status_code == 500 and "Traceback" not in response.text
    assert uploads(app) == before
    assert db.session.execute(db.select(EvidenceItem)).first() is None


def test_the_request_limit_leaves_room_for_the_forms_other_fields() -> None:
    from tracker.config import Config

    assert Config().MAX_CONTENT_LENGTH == (Config.MAX_UPLOAD_MB + 1) * 1024 * 1024


def test_a_lead_cannot_add_evidence_for_another_stream(db, client, login_as, evidence_project):
    login_as(Role.WS_LEAD)
    other = evidence_project.work_streams[1]
    form = client.get(url(evidence_project, "evidence/new")).text
    assert other.name not in form
    response = post_item(client, evidence_project, work_stream=str(other.id))
    assert response.status_code == 400
    assert "Select a work stream you can add evidence for" in response.text
    assert db.session.execute(db.select(EvidenceItem)).first() is None


def test_the_same_file_twice_is_offered_for_linking(app, db, client, login_as, evidence_project):
    login_as(Role.WS_LEAD)
    assert post_item(client, evidence_project).status_code == 302
    stored = uploads(app)
    again = post_item(client, evidence_project, title="Survey again")
    assert again.status_code == 400
    assert "This file is in the library already" in again.text
    assert "Customer survey 2009" in again.text
    assert len(db.session.execute(db.select(EvidenceFile)).scalars().all()) == 1
    assert uploads(app) == stored  # the second copy was not kept
    anyway = post_item(client, evidence_project, title="Survey again", store_anyway="y")
    assert anyway.status_code == 302


def _person(db, project, role):
    person = PersonFactory()
    member(person, project, role)
    db.session.commit()
    return person


def other_stream_member(db, project):
    """A member of the project's second work stream (the tests' items are in the first)."""
    person = PersonFactory()
    MembershipFactory(
        person=person, project=project, role=Role.WS_MEMBER, work_stream=project.work_streams[1]
    )
    db.session.commit()
    return person


def test_submitted_evidence_is_accepted_or_returned_with_comments(
    db, client, login_as, evidence_project
):
    login_as(Role.WS_LEAD)
    post_item(client, evidence_project)
    item = db.session.execute(db.select(EvidenceItem)).scalar_one()
    item_url = url(evidence_project, f"evidence/{item.id}")
    assert client.post(f"{item_url}/submit").status_code == 302
    # A second submission is refused: it is under review already.
    client.post(f"{item_url}/submit")
    db.session.refresh(item)
    assert item.status is EvidenceStatus.SUBMITTED and len(item.steps) == 1

    # The assessor reads, never writes.
    sign_in(client, _person(db, evidence_project, Role.ASSESSOR))
    assert client.get(item_url).status_code == 200
    assert client.post(f"{item_url}/review", data={"outcome": "accept"}).status_code == 403

    sign_in(client, _person(db, evidence_project, Role.ASSURANCE))
    returned = client.post(f"{item_url}/review", data={"outcome": "return", "comment": ""})
    assert returned.status_code == 400
    assert "Enter what the evidence needs before it can be accepted" in returned.text
    assert (
        client.post(
            f"{item_url}/review", data={"outcome": "return", "comment": "Add the 2009 results"}
        ).status_code
        == 302
    )
    db.session.refresh(item)
    assert item.status is EvidenceStatus.RETURNED
    assert item.steps[-1].comment == "Add the 2009 results"

    sign_in(client, _person(db, evidence_project, Role.PP_REP))
    client.post(f"{item_url}/submit")  # a P&P rep of the same stream resubmits
    db.session.refresh(item)
    assert item.status is EvidenceStatus.SUBMITTED
    assert client.post(f"{item_url}/review", data={"outcome": "accept"}).status_code == 302
    db.session.refresh(item)
    assert item.status is EvidenceStatus.ACCEPTED
    assert [s.to_status for s in item.steps] == [
        EvidenceStatus.SUBMITTED,
        EvidenceStatus.RETURNED,
        EvidenceStatus.SUBMITTED,
        EvidenceStatus.ACCEPTED,
    ]
    history = client.get(item_url).text
    assert "Returned: needs work" in history and "Add the 2009 results" in history


def test_a_new_version_keeps_the_old_one_and_needs_a_new_review(
    db, client, login_as, evidence_project
):
    login_as(Role.MANAGER)
    post_item(client, evidence_project)
    item = db.session.execute(db.select(EvidenceItem)).scalar_one()
    item.status = EvidenceStatus.ACCEPTED
    db.session.commit()
    response = client.post(
        url(evidence_project, f"evidence/{item.id}/versions"),
        data={"file": (io.BytesIO(PDF + b"% v2\n"), "survey-v2.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.refresh(item)
    assert [f.version for f in item.files] == [1, 2]
    assert item.status is EvidenceStatus.DRAFT
    step = item.steps[-1]  # the return to draft is a recorded step, like any other
    assert (step.from_status, step.to_status) == (EvidenceStatus.ACCEPTED, EvidenceStatus.DRAFT)
    assert "Version 2" in step.comment
    page = client.get(url(evidence_project, f"evidence/{item.id}")).text
    assert "Version 2 of the file uploaded" in page
    assert f"{len(PDF)} bytes" in page  # a small file's size in bytes, not "0.0 KB"
    refused = client.post(
        url(evidence_project, f"evidence/{item.id}/versions"),
        data={"file": (io.BytesIO(EXE), "survey-v3.pdf")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400 and "not a real PDF" in refused.text


def test_downloads_are_attachments_behind_the_permission_check(
    db, client, login_as, evidence_project
):
    login_as(Role.WS_LEAD)
    post_item(client, evidence_project, personal_data="y", retain_until=["1", "1", "2012"])
    item = db.session.execute(db.select(EvidenceItem)).scalar_one()
    file_url = url(evidence_project, f"evidence/files/{item.files[0].id}")
    response = client.get(file_url)
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"

    # Personal data: not for a member of another stream, nor the EMT; yes for the assessor.
    outsider = other_stream_member(db, evidence_project)
    sign_in(client, outsider)
    assert client.get(file_url).status_code == 404
    assert client.get(url(evidence_project, f"evidence/{item.id}")).status_code == 404
    assert "Customer survey 2009" not in client.get(url(evidence_project, "evidence")).text
    sign_in(client, _person(db, evidence_project, Role.EMT))
    assert client.get(file_url).status_code == 404
    sign_in(client, _person(db, evidence_project, Role.ASSESSOR))
    assert client.get(file_url).status_code == 404  # a draft: not put forward yet
    item.status = EvidenceStatus.SUBMITTED
    db.session.commit()
    assert client.get(file_url).status_code == 200


def test_the_library_runs_a_fixed_number_of_queries(
    db, client, login_as, evidence_project, count_queries
):
    from tracker.evidence.services import project_elements

    login_as(Role.MANAGER)
    elements = project_elements(evidence_project)

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            item = EvidenceItemFactory(
                project=evidence_project,
                work_stream=evidence_project.work_streams[i % 2],
                title=f"Item {i}",
                elements=[elements[i % 57], elements[(i + 7) % 57]],
            )
            EvidenceFileFactory(item=item)
        db.session.commit()

    add(3, 0)
    pages = ["evidence", "standard/elements/1.1.1", "readiness", "standard"]
    few = []
    for page in pages:
        with count_queries as counted:
            assert client.get(url(evidence_project, page)).status_code == 200
        few.append(counted.count)
    add(200, 3)
    for page, before in zip(pages, few, strict=True):
        with count_queries as counted:
            assert client.get(url(evidence_project, page)).status_code == 200
        assert counted.count == before, page
    listing = client.get(url(evidence_project, "evidence?page=3")).text
    assert "203 items, page 3 of 3" in listing and "Item 0" in listing
    # A page past the end, however far, shows the last page rather than an empty list or an error.
    for far in ("4", "99999999999999999999999"):
        beyond = client.get(url(evidence_project, f"evidence?page={far}"))
        assert beyond.status_code == 200 and "203 items, page 3 of 3" in beyond.text
        assert "Item 0" in beyond.text
    # The page links keep the filters, and only them: a stray argument in the address (one
    # named like url_for's own) is neither a 500 nor carried into the links.
    stray = client.get(url(evidence_project, "evidence?page=2&status=draft&slug=x&_external=1"))
    assert stray.status_code == 200
    assert f"{url(evidence_project, 'evidence')}?status=draft&page=3" in hrefs(stray)


def test_the_seed_self_assessment_is_the_appendix_4_matrix(db, client, login_as, seeded):
    from tracker.evidence.models import AssessmentRound

    member(PersonFactory(), seeded, Role.EMT)
    person = PersonFactory()
    member(person, seeded, Role.ASSESSOR)
    db.session.commit()
    sign_in(client, person)
    round_ = db.session.execute(db.select(AssessmentRound)).scalar_one()
    page = client.get(f"/projects/{seeded.slug}/ratings/{round_.id}").text
    assert "Self-assessment May–June 2009" in page
    assert "Affordable Housing" in page and "Criterion 1: Customer Insight" in page
    assert "Total 100%" in page and "&gt;50%" in page
    only = client.get(f"/projects/{seeded.slug}/ratings/{round_.id}?criterion=5").text
    assert "Criterion 1: Customer Insight" not in only and "5.3.3" in only


def test_a_gap_action_is_added_for_an_element_and_shown_to_its_owner(
    db, client, login_as, evidence_project
):
    from tracker.evidence.models import ActionStatus, GapAction

    lead = login_as(Role.WS_LEAD)
    new = url(evidence_project, "standard/elements/3.3.3/gap-actions/new")
    refused = client.post(new, data={"description": " ", "status": "open", "owner": "0"})
    assert refused.status_code == 400 and "Enter what will be done about the gap" in refused.text
    response = client.post(
        new,
        data={
            "description": "Publish the service standards",
            "owner": str(lead.id),
            "due_on": ["30", "9", "2010"],
            "status": "open",
        },
    )
    assert response.status_code == 302
    action = db.session.execute(db.select(GapAction)).scalar_one()
    assert action.element.code == "3.3.3" and action.owner_id == lead.id
    assert (
        "Publish the service standards"
        in client.get(url(evidence_project, "standard/elements/3.3.3")).text
    )
    home = client.get(url(evidence_project, "")).text
    assert "Your gap actions (1)" in home and "Publish the service standards" in home
    assert "Overdue" in client.get(url(evidence_project, "gap-actions")).text

    edit = url(evidence_project, f"gap-actions/{action.id}/edit")
    assert 'value="Publish the service standards"' in client.get(edit).text or (
        "Publish the service standards" in client.get(edit).text
    )
    client.post(
        edit,
        data={"description": "Publish the service standards", "owner": "0", "status": "done"},
    )
    db.session.refresh(action)
    assert action.status is ActionStatus.DONE and action.completed_at is not None
    assert "Your gap actions" not in client.get(url(evidence_project, "")).text

    sign_in(client, _person(db, evidence_project, Role.ASSESSOR))
    assert client.post(new, data={"description": "x", "status": "open"}).status_code == 403


def test_coverage_counts_each_streams_evidence_by_status(db, client, login_as, evidence_project):
    login_as(Role.WS_LEAD)
    post_item(client, evidence_project)
    page = client.get(url(evidence_project, "evidence/coverage")).text
    assert "1: 1 draft" in page
    csv = client.get(url(evidence_project, "evidence/coverage?format=csv"))
    assert csv.headers["Content-Disposition"].startswith("attachment")
    lines = csv.data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Element,")
    assert any(line.startswith("1.2.1,1: 1 draft") for line in lines)


def test_the_ratings_matrix_downloads_as_a_spreadsheet(db, client, login_as, seeded):
    from openpyxl import load_workbook

    from tracker.evidence.models import AssessmentRound

    person = PersonFactory()
    member(person, seeded, Role.MANAGER)
    db.session.commit()
    sign_in(client, person)
    round_ = db.session.execute(db.select(AssessmentRound)).scalar_one()
    response = client.get(f"/projects/{seeded.slug}/ratings/{round_.id}?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Element" and len(rows) == 58  # a header and the 57 elements
    assert rows[1][0] == "1.1.1" and rows[1][1] in ("100%", ">50%", "<50%", "0%")


def test_the_assessors_pack_holds_each_accepted_file_once(db, client, login_as, evidence_project):
    from openpyxl import load_workbook

    login_as(Role.WS_LEAD)
    post_item(client, evidence_project)  # supports 1.1.1 and 1.2.1
    post_item(
        client,
        evidence_project,
        title="Draft notes",
        file=(io.BytesIO(PDF + b"% draft\n"), "draft.pdf"),
    )
    accepted = db.session.execute(
        db.select(EvidenceItem).filter_by(title="Customer survey 2009")
    ).scalar_one()
    accepted.status = EvidenceStatus.ACCEPTED
    db.session.commit()

    sign_in(client, _person(db, evidence_project, Role.ASSESSOR))
    response = client.get(url(evidence_project, "evidence/pack"))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    stored = [n for n in names if n.endswith("survey.pdf")]
    assert stored == [f"criterion-1/element-1.1.1/{accepted.id}-survey.pdf"]
    assert archive.read(stored[0]) == PDF
    pointer = f"criterion-1/element-1.2.1/{accepted.id}-survey.pdf.html"
    assert pointer in names
    assert (
        f"../../criterion-1/element-1.1.1/{accepted.id}-survey.pdf"
        in archive.read(pointer).decode()
    )
    assert not any("draft" in n for n in names)  # only accepted evidence
    index = archive.read("index.html").decode()
    assert "Customer survey 2009" in index and "Element 5.3.3" in index
    # Grouped as the standard is; each entry says who gave it, its date, file and checksum.
    assert index.index("Criterion 1: ") < index.index("1.1 ") < index.index("Element 1.1.1")
    assert index.count(f"href='criterion-1/element-1.1.1/{accepted.id}-survey.pdf'") == 2
    assert "dated 1 Jun 2009" in index and accepted.files[0].sha256 in index
    sheet = load_workbook(io.BytesIO(archive.read("elements.xlsx"))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 58 and rows[1][0] == "1.1.1" and rows[1][2] == "Customer survey 2009"

    sign_in(client, _person(db, evidence_project, Role.WS_MEMBER))
    assert client.get(url(evidence_project, "evidence/pack")).status_code == 403


def test_the_pack_names_a_file_lost_from_storage_instead_of_failing(
    db, client, login_as, evidence_project
):
    from tracker.evidence.storage import storage

    login_as(Role.MANAGER)
    post_item(client, evidence_project)
    item = db.session.execute(db.select(EvidenceItem)).scalar_one()
    item.status = EvidenceStatus.ACCEPTED
    db.session.commit()
    storage().delete(item.files[0].storage_key)
    response = client.get(url(evidence_project, "evidence/pack"))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert "the file survey.pdf is missing" in archive.read("index.html").decode()
    assert not [n for n in archive.namelist() if n.endswith("survey.pdf")]


def test_past_its_retention_date_the_manager_deletes_the_personal_data(
    app, db, client, login_as, evidence_project
):
    login_as(Role.WS_LEAD)
    post_item(client, evidence_project, personal_data="y", retain_until=["1", "1", "2011"])
    item = db.session.execute(db.select(EvidenceItem)).scalar_one()
    key = item.files[0].storage_key
    assert (
        client.post(url(evidence_project, f"evidence/{item.id}/remove-personal-data")).status_code
        == 403
    )

    sign_in(client, _person(db, evidence_project, Role.MANAGER))
    library_page = client.get(url(evidence_project, "evidence")).text
    assert "past its retention date" in library_page
    response = client.post(url(evidence_project, f"evidence/{item.id}/remove-personal-data"))
    assert response.status_code == 302
    db.session.refresh(item)
    assert item.files == [] and not item.personal_data
    assert key not in uploads(app)
    assert "Personal data removed" in client.get(url(evidence_project, f"evidence/{item.id}")).text
    deleted = (
        db.session.execute(
            db.select(AuditEvent).filter_by(table_name="evidence_file", action="delete")
        )
        .scalars()
        .all()
    )
    assert deleted


def test_ratings_are_entered_one_column_at_a_time_on_the_rounds_scale(
    db, client, login_as, evidence_project
):
    from tracker.evidence.models import (
        ElementRating,
        RatingScale,
        RatingScope,
    )
    from tracker.evidence.services import project_elements

    elements = project_elements(evidence_project)
    round_ = AssessmentRoundFactory(
        project=evidence_project,
        name="Self-assessment 2010",
        scale=RatingScale.SELF,
        scope=RatingScope.WORK_STREAM,
    )
    db.session.commit()
    own, other = evidence_project.work_streams
    entry = url(evidence_project, f"ratings/{round_.id}/enter")

    login_as(Role.WS_LEAD)  # leads the first stream
    assert client.get(entry).headers["Location"].endswith(f"?for={own.id}")
    assert client.get(f"{entry}?for={other.id}").status_code == 302  # back to their own
    bad = client.post(f"{entry}?for={own.id}", data={f"element-{elements[0].id}": "plus"})
    assert bad.status_code == 400 and "plus is not a rating of this round" in bad.text
    mine = db.select(ElementRating).filter_by(round_id=round_.id)
    assert db.session.execute(mine).first() is None
    saved = client.post(
        f"{entry}?for={own.id}",
        data={f"element-{elements[0].id}": "100", f"element-{elements[1].id}": ">50"},
    )
    assert saved.status_code == 302
    ratings = db.session.execute(mine).scalars().all()
    assert {(r.element_id, r.work_stream_id, r.rating) for r in ratings} == {
        (elements[0].id, own.id, "100"),
        (elements[1].id, own.id, ">50"),
    }
    matrix = client.get(url(evidence_project, f"ratings/{round_.id}")).text
    assert "Total 100%" in matrix

    round_.scope = RatingScope.SERVICE
    db.session.commit()
    assert client.get(entry).status_code == 403  # services are rated by the planners


def test_the_manager_adds_a_rating_round(db, client, login_as, evidence_project):
    from tracker.evidence.models import AssessmentRound, RatingScale, RatingScope

    login_as(Role.MANAGER)
    new = url(evidence_project, "ratings/new")
    bad = client.post(
        new,
        data={
            "name": "Pre-assessment Oct 2010",
            "scale": "assessor",
            "scope": "council",
            "held_from": ["20", "10", "2010"],
            "held_to": ["1", "10", "2010"],
        },
    )
    assert bad.status_code == 400 and "must be on or after its start" in bad.text
    good = client.post(
        new, data={"name": "Pre-assessment Oct 2010", "scale": "assessor", "scope": "council"}
    )
    assert good.status_code == 302
    round_ = db.session.execute(
        db.select(AssessmentRound).filter_by(name="Pre-assessment Oct 2010")
    ).scalar_one()
    assert round_.scale is RatingScale.ASSESSOR and round_.scope is RatingScope.COUNCIL
    again = client.post(
        new, data={"name": "Pre-assessment Oct 2010", "scale": "self", "scope": "service"}
    )
    assert again.status_code == 400 and "There is a round with this name already" in again.text


def test_ratings_are_imported_only_when_every_row_can_be_read(
    db, client, login_as, evidence_project
):
    from tracker.evidence.models import ElementRating, RatingScale, RatingScope

    round_ = AssessmentRoundFactory(
        project=evidence_project,
        name="Documentary review Sep 2010",
        scale=RatingScale.ASSESSOR,
        scope=RatingScope.WORK_STREAM,
    )
    db.session.commit()
    login_as(Role.MANAGER)
    stream = evidence_project.work_streams[0].name
    broken = (
        f"Element,Work stream,Rating,Note\n1.1.1,{stream},Compliance,\n"
        f"9.9.9,{stream},full,\n1.1.2,Nowhere,full,\n1.1.3,{stream},Excellent,\n"
    )
    imported = url(evidence_project, f"ratings/{round_.id}/import")
    response = client.post(
        imported,
        data={"file": (io.BytesIO(broken.encode()), "ratings.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    page = response.text
    assert "Row 3: 9.9.9 is not an element of the standard" in page
    assert "Row 4: “Nowhere” is not one of the project&#39;s work streams" in page
    assert "Row 5: Excellent is not a rating of this round" in page
    mine = db.select(ElementRating).filter_by(round_id=round_.id)
    assert db.session.execute(mine).first() is None  # nothing half-imported

    good = f"Element,Work stream,Rating\n1.1.1,{stream},Compliance\n1.1.2,{stream},partial\n"
    response = client.post(
        imported,
        data={"file": (io.BytesIO(good.encode()), "ratings.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert sorted(r.rating for r in db.session.execute(mine).scalars()) == ["full", "partial"]


def test_existing_evidence_is_linked_to_more_elements_instead_of_uploaded_again(
    db, client, login_as, evidence_project
):
    login_as(Role.WS_LEAD)
    post_item(client, evidence_project)
    item = db.session.execute(db.select(EvidenceItem)).scalar_one()
    again = post_item(client, evidence_project, title="Survey again")
    assert f"/evidence/{item.id}/edit" in again.text  # offered for linking
    edit = url(evidence_project, f"evidence/{item.id}/edit")
    form = client.get(edit).text
    assert ticked(form) == element_ids("1.1.1", "1.2.1")
    data = {
        "title": "Customer survey 2009",
        "work_stream": str(evidence_project.work_streams[0].id),
        "elements": element_ids("1.1.1", "1.2.1", "3.3.3"),
    }
    bad = client.post(edit, data={**data, "elements": [*element_ids("1.1.1"), "999999"]})
    assert bad.status_code == 400 and "Select elements of the standard from the list" in bad.text
    assert client.post(edit, data=data).status_code == 302
    db.session.refresh(item)
    assert [e.code for e in item.elements] == ["1.1.1", "1.2.1", "3.3.3"]
    assert len(db.session.execute(db.select(EvidenceFile)).scalars().all()) == 1

    sign_in(client, _person(db, evidence_project, Role.ASSESSOR))
    assert client.get(edit).status_code == 403


def test_coverage_filters_by_criterion_and_work_stream(db, client, login_as, evidence_project):
    login_as(Role.WS_LEAD)
    post_item(client, evidence_project)
    other = evidence_project.work_streams[1]
    page = client.get(url(evidence_project, "evidence/coverage?criterion=1")).text
    assert parse(page).find(string="1.1.1") and not parse(page).find(string="2.1.1")
    page = client.get(url(evidence_project, f"evidence/coverage?work_stream={other.id}")).text
    assert "1: 1 draft" not in page
    # An unknown format is the page; its download links keep the filters and nothing else.
    response = client.get(url(evidence_project, "evidence/coverage?criterion=1&format=x&slug=y"))
    assert response.status_code == 200
    assert f'{url(evidence_project, "evidence/coverage")}?format=csv&amp;criterion=1"' in (
        response.text
    )
