"""Each event's message, sent when the service's transaction commits (tracker.happenings)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import (
    ChangeRequestFactory,
    EvidenceItemFactory,
    GapActionFactory,
    HighlightReportFactory,
    PersonFactory,
    make_element,
    member,
)
from tests.smtp import Mailbox, text_body
from tracker.evidence.access import viewer_for
from tracker.evidence.gap_actions import save_action
from tracker.evidence.models import ActionStatus, EvidenceStatus
from tracker.evidence.services import review, submit
from tracker.issues.changes import assess_change, raise_change
from tracker.projects.models import Role
from tracker.reports.models import ReportKind
from tracker.reports.services import issue

NOW = dt.datetime(2010, 3, 15, 10, tzinfo=dt.UTC)


@pytest.fixture
def people(db, project):
    found = {}
    for role in (Role.SPONSOR, Role.MANAGER, Role.WS_LEAD, Role.WS_MEMBER, Role.EMT):
        found[role] = PersonFactory(name=role.label, email=f"{role.value}@example.gov.uk")
        member(found[role], project, role)
    db.session.commit()
    return found


def addresses(mailbox: Mailbox) -> list[str]:
    return sorted(address for sent in mailbox.recipients for address in sent)


def test_a_change_raised_and_assessed_goes_to_its_decider(db, project, people, smtp_server):
    change = raise_change(
        project,
        description="Add a second survey",
        expected_benefits="Better insight",
        requested_by=people[Role.WS_MEMBER],
        on=dt.date(2010, 3, 15),
    )
    db.session.commit()
    assert addresses(smtp_server) == ["manager@example.gov.uk"]
    text = text_body(smtp_server.messages[0])
    assert "Work stream member raised change request 1." in text
    assert f"http://127.0.0.1:5000/projects/{project.slug}/changes/{change.id}" in text
    assess_change(
        change,
        impact_days=30,
        impact_products="Survey",
        impact_cost_pence=0,
        needs_more_resources=True,
        changes_requirements=False,
        raise_to_major=False,
        assessed_by=people[Role.MANAGER],
        now=NOW,
    )
    db.session.commit()
    assert addresses(smtp_server)[-1:] == ["sponsor@example.gov.uk"]  # major: more resources


def test_rolled_back_work_sends_nothing(db, project, people, smtp_server):
    ChangeRequestFactory(project=project)
    raise_change(
        project,
        description="Dropped",
        expected_benefits="",
        requested_by=people[Role.WS_MEMBER],
        on=dt.date(2010, 3, 15),
    )
    db.session.rollback()
    db.session.commit()
    assert smtp_server.messages == []


def test_evidence_submitted_then_returned(db, project, people, smtp_server):
    author = people[Role.WS_MEMBER]
    item = EvidenceItemFactory(project=project, created_by=author, title="Complaints leaflet")
    db.session.commit()
    submit(item, author, viewer_for(author.id, project, frozenset({Role.WS_MEMBER})), NOW)
    db.session.commit()
    assert addresses(smtp_server) == ["manager@example.gov.uk"]
    manager = people[Role.MANAGER]
    review(
        item,
        manager,
        viewer_for(manager.id, project, frozenset({Role.MANAGER})),
        accept=False,
        comment="Name of a complainant on page 2",
        now=NOW,
    )
    db.session.commit()
    returned = smtp_server.messages[1:]
    assert sorted(str(m["To"].addresses[0].addr_spec) for m in returned) == [
        "ws_lead@example.gov.uk",
        "ws_member@example.gov.uk",
    ]
    text = text_body(returned[0])
    assert "Complaints leaflet" in text
    assert "Project manager returned evidence with comments" in text
    assert "complainant" not in text  # the reviewer's comments stay in the tracker
    assert item.status is EvidenceStatus.RETURNED


def test_a_gap_action_is_told_to_its_new_owner_once(db, project, people, smtp_server):
    action = GapActionFactory.build(project=project, element=make_element())
    owner = people[Role.WS_LEAD]
    for _ in range(2):
        save_action(
            action,
            description="Publish service standards",
            owner_id=owner.id,
            due_on=dt.date(2010, 4, 30),
            status=ActionStatus.OPEN,
            now=NOW,
            by=people[Role.MANAGER],
        )
        db.session.commit()
    assert addresses(smtp_server) == ["ws_lead@example.gov.uk"]
    assert "due 30 Apr 2010" in text_body(smtp_server.messages[0])


def test_the_quarterly_report_goes_to_the_emt_with_a_link(db, project, people, smtp_server):
    report = HighlightReportFactory(project=project, kind=ReportKind.QUARTERLY)
    db.session.commit()
    issue(report, project, dt.date(2010, 3, 31), NOW, by=people[Role.MANAGER])
    db.session.commit()
    assert addresses(smtp_server) == ["emt@example.gov.uk"]
    message = smtp_server.messages[0]
    assert f"/projects/{project.slug}/reports/{report.id}" in text_body(message)
    assert not list(message.iter_attachments())
