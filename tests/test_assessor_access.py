"""The assessor reads the evidence put forward, not the money nor the project's internals; and a
record's history shows a reader only what the record's own page shows them."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.factories import (
    ChangeEffectFactory,
    ChangeRequestFactory,
    EvidenceFileFactory,
    EvidenceItemFactory,
    HighlightReportFactory,
    MeetingFactory,
    PersonFactory,
    member,
)
from tests.helpers import sign_in
from tests.html import definitions, hrefs, parse
from tests.test_evidence import (
    PDF,
    _person,
    evidence_project,
    other_stream_member,
    post_item,
    url,
)
from tracker.evidence.models import EvidenceItem, EvidenceStatus, EvidenceStep
from tracker.projects.models import Role

__all__ = ["evidence_project"]  # the fixture, used by name

NOW = dt.datetime(2010, 6, 1, 9, tzinfo=dt.UTC)


def _item(db, project, title: str, status: EvidenceStatus, *, comment: str = "") -> EvidenceItem:
    """An item of the first work stream in `status`, with one file named after it, and a
    reviewer's comment in its steps when one is given."""
    item = EvidenceItemFactory(project=project, title=title, status=status)
    EvidenceFileFactory(
        item=item,
        original_name=f"{title}.pdf",
        storage_key=title.replace(" ", "-").lower().ljust(32, "0")[:32],
        size_bytes=len(PDF),
    )
    if comment:
        item.steps.append(
            EvidenceStep(
                at=NOW, from_status=EvidenceStatus.SUBMITTED, to_status=status, comment=comment
            )
        )
    db.session.add(item)
    db.session.commit()
    return item


@pytest.fixture
def four_items(db, evidence_project):
    """One item in each state; the submitted one was returned once with a comment."""
    items = {
        status: _item(db, evidence_project, f"{status.value} item", status)
        for status in EvidenceStatus
    }
    returned = items[EvidenceStatus.RETURNED]
    returned.steps.append(
        EvidenceStep(
            at=NOW,
            from_status=EvidenceStatus.SUBMITTED,
            to_status=EvidenceStatus.RETURNED,
            comment="Needs the 2009 figures",
        )
    )
    items[EvidenceStatus.SUBMITTED].steps.append(
        EvidenceStep(
            at=NOW,
            from_status=EvidenceStatus.SUBMITTED,
            to_status=EvidenceStatus.RETURNED,
            comment="Add the complaint log",
        )
    )
    db.session.commit()
    return items


def test_the_assessor_sees_only_evidence_put_forward(db, client, four_items, evidence_project):
    sign_in(client, _person(db, evidence_project, Role.ASSESSOR))
    draft, returned = four_items[EvidenceStatus.DRAFT], four_items[EvidenceStatus.RETURNED]
    submitted = four_items[EvidenceStatus.SUBMITTED]
    for hidden in (draft, returned):
        assert client.get(url(evidence_project, f"evidence/{hidden.id}")).status_code == 404
        file_url = url(evidence_project, f"evidence/files/{hidden.files[0].id}")
        assert client.get(file_url).status_code == 404
    library = client.get(url(evidence_project, "evidence")).text
    assert "submitted item" in library and "accepted item" in library
    assert "draft item" not in library and "returned item" not in library
    assert "2 items" in library
    # The status filter offers only what the assessor can see, and a forged one finds nothing.
    statuses = [option.get("value") for option in parse(library).select("[value]")]
    assert "draft" not in statuses and "returned" not in statuses
    forged = client.get(url(evidence_project, "evidence?status=draft")).text
    assert "draft item" not in forged
    # No reviewer's comments, on the item or in its history.
    page = client.get(url(evidence_project, f"evidence/{submitted.id}")).text
    assert "Add the complaint log" not in page and "Returned" not in page
    step = submitted.steps[0]
    history = url(evidence_project, f"history/evidence_step/{step.id}")
    assert client.get(history).status_code == 403
    item_history = client.get(url(evidence_project, f"history/evidence_item/{submitted.id}"))
    assert item_history.status_code == 200 and "returned" not in item_history.text.lower()
    assert client.get(url(evidence_project, f"history/evidence_item/{draft.id}")).status_code == 403
    # Counts, downloads and readiness say nothing of work in progress either.
    home = client.get(url(evidence_project, ""))
    assert ("Evidence items", "2") in definitions(home, linked=True)
    export = client.get(url(evidence_project, "evidence/export?format=csv")).text
    assert "submitted item" in export and "draft item" not in export
    readiness = client.get(url(evidence_project, "readiness")).text
    assert "submitted item" in readiness and "draft item" not in readiness


def test_those_who_work_on_the_evidence_still_see_drafts_and_comments(
    db, client, four_items, evidence_project
):
    sign_in(client, _person(db, evidence_project, Role.ASSURANCE))
    library = client.get(url(evidence_project, "evidence")).text
    assert "4 items" in library and parse(library).select_one('[value="returned"]')
    submitted = four_items[EvidenceStatus.SUBMITTED]
    assert (
        "Add the complaint log"
        in client.get(url(evidence_project, f"evidence/{submitted.id}")).text
    )
    step = url(evidence_project, f"history/evidence_step/{submitted.steps[0].id}")
    assert client.get(step).status_code == 200


@pytest.mark.parametrize(
    "path",
    ["risks", "issues", "changes", "dashboard", "budget", "staff", "plan/tasks", "people"],
)
def test_the_assessor_cannot_open_the_projects_internals(client, login_as, project, path):
    login_as(Role.ASSESSOR)
    assert client.get(url(project, path)).status_code == 403


def test_the_change_page_shows_the_assessor_no_money(db, client, login_as, project):
    change = ChangeRequestFactory(
        project=project, description="More training", impact_cost_pence=2_550_000
    )
    db.session.commit()
    login_as(Role.ASSESSOR)
    response = client.get(url(project, f"changes/{change.id}"))
    assert response.status_code == 403
    assert "£" not in response.text and "left in the budget" not in response.text


def test_the_assessors_home_and_navigation_offer_only_what_they_may_open(client, login_as, seeded):
    """Every link on the pages the assessor reaches, followed from the home page, opens."""
    person = PersonFactory()
    member(person, seeded, Role.ASSESSOR)
    from tracker.extensions import db

    db.session.commit()
    sign_in(client, person)
    start = f"/projects/{seeded.slug}/"
    seen, queue, refused = {start}, [start], []
    while queue and len(seen) < 60:
        page = client.get(queue.pop(0))
        if "text/html" not in page.content_type:
            continue
        found = [link for link in hrefs(page, "[href]") if link.startswith("/projects/")]
        for href in (re.split(r"[#?]", link)[0] for link in found):
            if href not in seen:
                seen.add(href)
                status = client.get(href).status_code
                if status == 403:
                    refused.append(href)
                elif status == 200:
                    queue.append(href)
    assert refused == []
    home = client.get(start).text
    for internal in ("/plan/", "/risks", "/issues", "/budget", "/dashboard", "/people"):
        assert f"/projects/{seeded.slug}{internal}" not in home, internal


# Histories ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.MANAGER, 200),
        (Role.SPONSOR, 200),
        (Role.WS_MEMBER, 403),
        (Role.ASSURANCE, 403),
        (Role.ASSESSOR, 403),
    ],
)
def test_a_meetings_history_is_for_those_who_see_meetings(
    db, client, login_as, project, role, status
):
    from tracker.projects.models import MeetingKind

    meeting = MeetingFactory(project=project, kind=MeetingKind.EMT, held_on=dt.date(2010, 7, 1))
    db.session.commit()
    login_as(role)
    assert client.get(url(project, "meetings")).status_code == status
    assert client.get(url(project, f"history/meeting/{meeting.id}")).status_code == status


def test_report_and_change_money_is_not_in_the_assessors_histories(db, client, login_as, project):
    from tracker.issues.models import EffectTarget
    from tracker.reports.models import ReportStatus

    report = HighlightReportFactory(
        project=project,
        number=1,
        status=ReportStatus.ISSUED,
        snapshot={"budget": [{"allocated_pence": 2_550_000}]},
    )
    change = ChangeRequestFactory(project=project)
    ChangeEffectFactory(
        change_request=change,
        target=EffectTarget.BUDGET_LINE,
        target_id=1,
        field="provision",
        new_amount_pence=2_550_000,
        old_amount_pence=1_000_000,
    )
    db.session.commit()
    pages = [
        url(project, f"history/highlight_report/{report.id}"),
        url(project, f"history/change_effect/{change.effects[0].id}"),
        url(project, f"history/change_request/{change.id}"),
    ]
    login_as(Role.ASSESSOR)
    for page in pages:
        response = client.get(page)
        assert response.status_code == 403, page
        assert "25,500" not in response.text
    login_as(Role.MANAGER)
    assert "25,500" in client.get(pages[1]).text


def test_money_is_left_out_of_any_history_for_a_reader_without_the_budget(project):
    from tracker.projects.history import HISTORY_RULES, Reader, hidden_fields

    def reader(role: Role) -> Reader:
        return Reader(project, person_id=0, roles=frozenset({role}))

    for table in HISTORY_RULES:
        hidden = hidden_fields(reader(Role.ASSESSOR), table, 0)
        assert "allocated_pence" in hidden and "new_amount_pence" in hidden
        assert "snapshot" in hidden and "description" not in hidden
        assert "new_amount_pence" not in hidden_fields(reader(Role.EMT), table, 0)


def test_every_audited_table_has_the_rule_of_its_page(app):
    from tracker.extensions import db
    from tracker.permissions import PERMISSIONS
    from tracker.projects.history import HISTORY_RULES

    audited = {
        mapper.class_.__tablename__
        for mapper in db.Model.registry.mappers
        if getattr(mapper.class_, "__audited__", True)
    }
    assert audited == set(HISTORY_RULES)
    assert all(rule.action in PERMISSIONS for rule in HISTORY_RULES.values())


def test_a_removed_personal_data_files_name_stays_with_its_stream(
    db, client, login_as, evidence_project
):
    lead = login_as(Role.WS_LEAD)
    post_item(
        client,
        evidence_project,
        personal_data="y",
        retain_until=["1", "1", "2011"],
        file=(__import__("io").BytesIO(PDF), "Complaint from MrsJones.pdf"),
    )
    item = db.session.execute(db.select(EvidenceItem)).scalar_one()
    file_id = item.files[0].id
    sign_in(client, _person(db, evidence_project, Role.MANAGER))
    assert (
        client.post(url(evidence_project, f"evidence/{item.id}/remove-personal-data")).status_code
        == 302
    )
    history = url(evidence_project, f"history/evidence_file/{file_id}")
    assert "MrsJones" in client.get(history).text  # the manager sees every stream's data

    outsider = other_stream_member(db, evidence_project)
    sign_in(client, outsider)
    response = client.get(history)
    assert response.status_code in (200, 403) and "MrsJones" not in response.text
    sign_in(client, lead)
    assert "MrsJones" in client.get(history).text  # its own stream still does
