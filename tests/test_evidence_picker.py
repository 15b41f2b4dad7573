"""Adding evidence: elements picked from the standard by a search on code or title, and
several files uploaded at once, each its own item or all versions of one."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest

from tests.factories import EvidenceItemFactory
from tests.html import error_summary_links, field_error, field_value, text_of
from tests.test_evidence import (
    EXE,
    PDF,
    add_form,
    docx_bytes,
    element_ids,
    evidence_project,
    ticked,
    uploads,
    url,
)
from tracker.audit import AuditEvent
from tracker.evidence.models import EvidenceFile, EvidenceItem
from tracker.evidence.picker import search_elements
from tracker.projects.models import Role

__all__ = ["evidence_project"]  # the fixture, used by name


def _element(number: int, code: str, text: str, subtitle: str = "Delivery") -> SimpleNamespace:
    return SimpleNamespace(
        id=number, code=code, text=text, subcriterion=SimpleNamespace(title=subtitle)
    )


ELEMENTS = [
    _element(1, "1.1.1", "We understand our customer groups", "Customer Identification"),
    _element(2, "1.1.2", "We have developed customer insight", "Customer Identification"),
    _element(3, "1.10.1", "A tenth sub-criterion, to tell 1.1 from 1.10"),
    _element(4, "4.3.2", "We have an easy to use Complaints procedure"),
    _element(5, "4.3.3", "We train staff to handle complaints objectively"),
]


def codes(found) -> list[str]:
    return [e.code for e in found]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["1.1.1", "1.1.2", "1.10.1", "4.3.2", "4.3.3"]),  # no search: every element
        ("   ", ["1.1.1", "1.1.2", "1.10.1", "4.3.2", "4.3.3"]),
        ("1.1.1", ["1.1.1"]),
        ("1.1", ["1.1.1", "1.1.2"]),  # a code's start, by whole parts: not 1.10.1
        ("1.1.", ["1.1.1", "1.1.2"]),
        ("4", ["4.3.2", "4.3.3"]),
        ("COMPLAINTS", ["4.3.2", "4.3.3"]),  # words of the title, in any case
        ("complaints staff", ["4.3.3"]),  # every word must be in it
        ("customer identification", ["1.1.1", "1.1.2"]),  # the sub-criterion's title
        ("9.9.9", []),
        ("zebra", []),
    ],
)
def test_the_search_finds_elements_by_code_or_title(query: str, expected: list[str]) -> None:
    assert codes(search_elements(ELEMENTS, query)) == expected


# The form ----------------------------------------------------------------------------------


def _search(client, project, query: str, **changes):
    data = add_form(project, element_search=query, search="Search the standard", **changes)
    return client.post(url(project, "evidence/new"), data=data, content_type="multipart/form-data")


def test_the_add_page_offers_every_element_under_its_criterion(client, login_as, evidence_project):
    login_as(Role.WS_LEAD)
    page = client.get(url(evidence_project, "evidence/new?element=1.2.1"))
    assert page.status_code == 200
    text = text_of(page)
    assert page.text.count('name="elements"') == 57
    assert "Criterion 1: Customer Insight" in text and "Criterion 5:" in text
    assert ticked(page) == element_ids("1.2.1")  # the element the page was opened from
    assert 'id="elements"' in page.text  # the error summary's link lands on the first box


def test_a_search_keeps_what_was_entered_shows_the_matches_and_saves_nothing(
    app, db, client, login_as, evidence_project
):
    login_as(Role.WS_LEAD)
    before = uploads(app)
    page = _search(client, evidence_project, "complaints", elements=element_ids("1.1.1"))
    assert page.status_code == 200
    assert db.session.execute(db.select(EvidenceItem)).first() is None
    assert uploads(app) == before  # the chosen file is not stored by a search
    assert field_value(page, "title") == "Customer survey 2009"
    assert field_value(page, "element_search") == "complaints"
    text = text_of(page)
    assert "4.3.2" in text and "4.3.5" in text and "2.1.1" not in text
    assert ticked(page) == element_ids("1.1.1")  # kept ticked, though not a match
    assert "elements match “complaints”" in text
    assert error_summary_links(page) == []

    by_code = _search(client, evidence_project, "1.1.1", elements=[])
    assert by_code.text.count('name="elements"') == 1 and ticked(by_code) == []

    nothing = _search(client, evidence_project, "zebra crossing", elements=[])
    assert "No element of the standard matches “zebra crossing”" in text_of(nothing)
    assert nothing.text.count('name="elements"') == 0


def test_elements_picked_after_a_search_are_saved(db, client, login_as, evidence_project):
    login_as(Role.WS_LEAD)
    found = _search(client, evidence_project, "complaints", elements=[])
    assert ticked(found) == []
    response = client.post(
        url(evidence_project, "evidence/new"),
        data=add_form(evidence_project, elements=element_ids("4.3.2", "4.3.5")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    item = db.session.execute(db.select(EvidenceItem)).scalar_one()
    assert [e.code for e in item.elements] == ["4.3.2", "4.3.5"]


def test_no_element_or_a_foreign_one_is_refused_beside_the_field(
    db, client, login_as, evidence_project
):
    login_as(Role.WS_LEAD)
    for elements, message in [
        ([], "Select the elements of the standard this evidence supports"),
        ([*element_ids("1.1.1"), "999999"], "Select elements of the standard from the list"),
    ]:
        response = client.post(
            url(evidence_project, "evidence/new"),
            data=add_form(evidence_project, elements=elements),
            content_type="multipart/form-data",
        )
        assert response.status_code == 400
        assert field_error(response, "elements") == message
        assert "#elements" in error_summary_links(response)
    assert db.session.execute(db.select(EvidenceItem)).first() is None


def test_the_add_page_runs_a_fixed_number_of_queries(
    client, login_as, evidence_project, count_queries
):
    login_as(Role.WS_LEAD)
    new = url(evidence_project, "evidence/new")  # read before counting: the project expires
    few, more = add_form(evidence_project, elements=[]), add_form(evidence_project)
    client.get(new)  # the first request signs in once
    with count_queries as empty:
        assert client.get(new).status_code == 200
    with count_queries as one:
        assert (
            client.post(new, data=few | {"element_search": "1.1.1", "search": "y"}).status_code
            == 200
        )
    for i in range(20):
        EvidenceItemFactory(project=evidence_project, title=f"Item {i}")
    with count_queries as full:
        assert client.get(f"{new}?element=1.1.1").status_code == 200
    with count_queries as many:
        assert (
            client.post(new, data=more | {"element_search": "customer", "search": "y"}).status_code
            == 200
        )
    assert empty.count == full.count
    assert one.count == many.count


# Several files -------------------------------------------------------------------------------


def _files(*named: tuple[bytes, str]) -> list[tuple[io.BytesIO, str]]:
    return [(io.BytesIO(content), name) for content, name in named]


def _post(client, project, files, **changes):
    return client.post(
        url(project, "evidence/new"),
        data=add_form(project, file=files, **changes),
        content_type="multipart/form-data",
    )


def test_the_file_hint_says_how_much_may_be_uploaded(app, client, login_as, evidence_project):
    login_as(Role.WS_LEAD)
    page = client.get(url(evidence_project, "evidence/new")).text
    assert f"up to {app.config['MAX_UPLOAD_MB']} MB in all" in page
    assert "multiple" in page.split('name="file"')[1].split(">")[0]
    legend = page.split('name="files_as"')[0].rsplit("<legend", 1)[1]
    assert "If you choose several files" in legend  # the radios are named or "multiple" in page


def test_several_files_become_an_item_each_with_the_same_details(
    app, db, client, login_as, evidence_project
):
    login_as(Role.WS_LEAD)
    before = uploads(app)
    files = _files((PDF, "Survey results 2009.pdf"), (docx_bytes(), "Action_plan.docx"))
    response = _post(client, evidence_project, files, title="", files_as="items")
    assert response.status_code == 302, text_of(response)[:1500]
    assert response.location.endswith(url(evidence_project, "evidence"))
    items = db.session.execute(db.select(EvidenceItem).order_by(EvidenceItem.id)).scalars().all()
    assert [i.title for i in items] == ["Survey results 2009", "Action plan"]
    for item in items:
        assert [e.code for e in item.elements] == ["1.1.1", "1.2.1"]
        assert item.description == "Results of the annual survey"
        assert item.work_stream_id == evidence_project.work_streams[0].id
        assert len(item.files) == 1
    assert len(uploads(app) - before) == 2
    created = db.select(AuditEvent.table_name, AuditEvent.record_id).filter_by(action="create")
    audited = set(db.session.execute(created).all())
    assert {("evidence_item", i.id) for i in items} <= audited  # audited as single uploads are
    assert {("evidence_file", i.files[0].id) for i in items} <= audited

    # A title entered goes before each file's name.
    more = _files((PDF + b"% a\n", "a.pdf"), (PDF + b"% b\n", "b.pdf"))
    assert _post(client, evidence_project, more, title="Pack").status_code == 302
    titles = db.session.execute(db.select(EvidenceItem.title).order_by(EvidenceItem.id)).scalars()
    assert list(titles)[-2:] == ["Pack: a", "Pack: b"]


def test_several_files_become_versions_of_one_item(app, db, client, login_as, evidence_project):
    login_as(Role.WS_LEAD)
    files = _files((PDF, "draft.pdf"), (PDF + b"% final\n", "final.pdf"))
    response = _post(client, evidence_project, files, files_as="versions")
    assert response.status_code == 302
    item = db.session.execute(db.select(EvidenceItem)).scalar_one()
    assert item.title == "Customer survey 2009"
    versions = sorted((f.version, f.original_name) for f in item.files)
    assert versions == [(1, "draft.pdf"), (2, "final.pdf")]

    # Versions of one item need its title.
    refused = _post(
        client,
        evidence_project,
        _files((PDF, "c.pdf"), (PDF, "d.pdf")),
        title="",
        files_as="versions",
    )
    assert refused.status_code == 400
    assert field_error(refused, "title") == "Enter a title for the evidence"


def test_one_bad_file_refuses_them_all_and_nothing_is_saved(
    app, db, client, login_as, evidence_project
):
    login_as(Role.WS_LEAD)
    before = uploads(app)
    files = _files((PDF, "good.pdf"), (docx_bytes(), "fine.docx"), (EXE, "setup.pdf"))
    for files_as in ("items", "versions"):
        response = _post(client, evidence_project, list(files), files_as=files_as)
        assert response.status_code == 400
        message = field_error(response, "file")
        assert message == (
            "The file setup.pdf is not a real PDF: its content does not match its name"
        )
        assert db.session.execute(db.select(EvidenceItem)).first() is None
        assert db.session.execute(db.select(EvidenceFile)).first() is None
        assert uploads(app) == before  # the two good files stored first are gone too
        files = _files((PDF, "good.pdf"), (docx_bytes(), "fine.docx"), (EXE, "setup.pdf"))


def test_the_edit_form_picks_elements_the_same_way(db, client, login_as, evidence_project):
    login_as(Role.WS_LEAD)
    client.post(
        url(evidence_project, "evidence/new"),
        data=add_form(evidence_project),
        content_type="multipart/form-data",
    )
    item = db.session.execute(db.select(EvidenceItem)).scalar_one()
    edit = url(evidence_project, f"evidence/{item.id}/edit")
    data = {
        "title": "Customer survey 2009",
        "work_stream": str(evidence_project.work_streams[0].id),
        "elements": element_ids("1.1.1", "1.2.1"),
        "row_version": str(item.row_version),
    }
    found = client.post(edit, data=data | {"element_search": "complaints", "search": "y"})
    assert found.status_code == 200 and "4.3.2" in text_of(found)
    assert ticked(found) == element_ids("1.1.1", "1.2.1")
    saved = client.post(edit, data=data | {"elements": element_ids("1.1.1", "4.3.2")})
    assert saved.status_code == 302
    db.session.refresh(item)
    assert [e.code for e in item.elements] == ["1.1.1", "4.3.2"]
