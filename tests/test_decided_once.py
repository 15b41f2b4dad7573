"""A decision made on a state someone else has just changed is refused with a message, on both
databases (tracker/transitions.py); a race the database catches is a 409 page, never a 500.

Real concurrency is tested with threads on PostgreSQL in tests/test_races.py. Here the other
person acts at a chosen moment instead: `meanwhile` commits their change on a connection of its
own while the request is between reading the record and writing it, which is the window two
people at the same moment fall into.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

import tracker.evidence.gap_views
import tracker.evidence.views
import tracker.issues.change_views
import tracker.issues.views
import tracker.plan.stage_views
import tracker.reports.services
import tracker.reports.views
import tracker.risks.views
from tests.helpers import sign_in
from tests.html import hrefs, one, parse
from tests.test_evidence import PDF, evidence_project
from tests.test_races import ANALYSIS, assessed_change, draft_report, people, submitted_item
from tests.test_versioning import read_form, risk
from tracker import create_app
from tracker.config import TestConfig
from tracker.evidence.models import (
    EvidenceFile,
    EvidenceItem,
    EvidenceStatus,
    EvidenceStep,
    GapAction,
)
from tracker.evidence.services import project_elements
from tracker.extensions import db as _db
from tracker.issues.models import ChangeRequest, ChangeStatus, EntryStatus, EntryType, IssueLogEntry
from tracker.plan.models import StageReview
from tracker.projects.models import Meeting, MeetingKind, Role
from tracker.reports.models import HighlightReport, ReportStatus
from tracker.risks.models import Risk, RiskReview, RiskStatus

__all__ = ["evidence_project", "risk"]  # the fixtures, used by name


def meanwhile(monkeypatch, module: object, name: str, *statements: Any) -> None:
    """Someone else commits `statements` just before the request calls `module.name`."""
    real = getattr(module, name)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with _db.engine.begin() as connection:
            for statement in statements:
                connection.execute(statement)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapped)


# Evidence -----------------------------------------------------------------------------------


def test_a_review_as_someone_else_accepts_the_item_is_refused(db, client, project, monkeypatch):
    item = submitted_item(db, project)
    (reviewer,) = people(db, project, Role.ASSURANCE, 1)
    sign_in(client, reviewer)
    meanwhile(
        monkeypatch,
        tracker.evidence.views,
        "review_item",
        update(EvidenceItem).where(EvidenceItem.id == item.id).values(status="accepted"),
    )

    response = client.post(
        f"/projects/{project.slug}/evidence/{item.id}/review",
        data={"outcome": "return", "comment": "Add the 2009 results"},
    )

    assert response.status_code == 409
    assert "Someone else changed this evidence a moment ago" in response.text
    assert db.session.execute(db.select(EvidenceStep)).scalars().all() == []
    assert db.session.get(EvidenceItem, item.id).status is EvidenceStatus.ACCEPTED


def test_a_review_of_a_page_read_before_a_new_version_is_refused(db, client, project):
    item = submitted_item(db, project)
    page = f"/projects/{project.slug}/evidence/{item.id}"
    (reviewer,) = people(db, project, Role.ASSURANCE, 1)
    (manager,) = people(db, project, Role.MANAGER, 1)
    sign_in(client, reviewer)
    seen = one(client.get(page), 'input[type="hidden"][name="seen"]')["value"]
    assert re.fullmatch(r"\w+", seen)
    # While the reviewer reads, a new file goes in and the item is submitted again.
    sign_in(client, manager)
    client.post(
        f"{page}/versions",
        data={"file": (io.BytesIO(PDF), "survey-v2.pdf")},
        content_type="multipart/form-data",
    )
    assert client.post(f"{page}/submit").status_code == 302
    sign_in(client, reviewer)

    response = client.post(f"{page}/review", data={"outcome": "accept", "seen": seen})

    assert response.status_code == 409
    assert "This evidence changed after you opened it" in response.text
    assert db.session.get(EvidenceItem, item.id).status is EvidenceStatus.SUBMITTED
    # The page shown with the message can be reviewed as it is now.
    again = one(response, 'input[type="hidden"][name="seen"]')["value"]
    assert re.fullmatch(r"\w+", again)
    ok = client.post(f"{page}/review", data={"outcome": "accept", "seen": again})
    assert ok.status_code == 302


# Reports ------------------------------------------------------------------------------------


def test_issuing_a_report_someone_else_has_just_issued_is_refused(db, client, project, monkeypatch):
    report = draft_report(db, project)
    (manager,) = people(db, project, Role.MANAGER, 1)
    sign_in(client, manager)
    meanwhile(
        monkeypatch,
        tracker.reports.views,
        "issue",
        update(HighlightReport)
        .where(HighlightReport.id == report.id)
        .values(status="issued", number=1, issued_on=dt.date(2010, 3, 1)),
    )

    response = client.post(
        f"/projects/{project.slug}/reports/{report.id}/issue", follow_redirects=True
    )

    assert "Someone else issued this highlight report a moment ago" in response.text
    found = db.session.get(HighlightReport, report.id)
    assert (found.number, found.issued_on) == (1, dt.date(2010, 3, 1))


def test_a_number_taken_as_the_report_is_issued_is_a_409_page_not_a_500(
    db, client, project, monkeypatch
):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer at a time: no one else can write in this window")
    first, other = draft_report(db, project), draft_report(db, project)
    (manager,) = people(db, project, Role.MANAGER, 1)
    sign_in(client, manager)
    # Between taking the next number and saving it, another report is issued with it.
    meanwhile(
        monkeypatch,
        tracker.reports.services,
        "snapshot",
        update(HighlightReport)
        .where(HighlightReport.id == other.id)
        .values(status="issued", number=1),
    )
    address = f"/projects/{project.slug}/reports/{first.id}"

    response = client.post(f"{address}/issue", headers={"Referer": f"http://localhost{address}"})

    assert response.status_code == 409
    assert "Someone else has just changed this" in response.text
    assert address in hrefs(response)  # back to the record
    assert db.session.get(HighlightReport, first.id).status is ReportStatus.DRAFT


# Change requests ----------------------------------------------------------------------------


def test_an_analysis_saved_after_the_decision_never_undoes_it(
    db, client, login_as, project, monkeypatch
):
    login_as(Role.MANAGER)
    change, base = assessed_change(db, client, project)
    meanwhile(
        monkeypatch,
        tracker.issues.change_views,
        "assess_change",
        update(ChangeRequest).where(ChangeRequest.id == change.id).values(status="approved"),
    )

    response = client.post(f"{base}/assess", data=ANALYSIS | {"impact_days": "9"})

    assert response.status_code == 409
    assert f"Change request {change.number} has been approved already" in response.text
    found = db.session.get(ChangeRequest, change.id)
    assert (found.status, found.impact_days) == (ChangeStatus.APPROVED, 1)


# The one error handler ----------------------------------------------------------------------


@pytest.fixture
def bare_app(tmp_path) -> Flask:
    """An app of its own, to which the tests add routes that fail as a race would."""

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'bare.sqlite'}"
        PROPAGATE_EXCEPTIONS = False  # as in production: the error pages answer

    return create_app(Config)


def _unique_violation() -> IntegrityError:
    import sqlite3

    return IntegrityError(
        "UPDATE x", {}, sqlite3.IntegrityError("UNIQUE constraint failed: x.number")
    )


def _foreign_key_violation() -> IntegrityError:
    import sqlite3

    return IntegrityError("INSERT x", {}, sqlite3.IntegrityError("FOREIGN KEY constraint failed"))


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (_unique_violation, 409),
        (lambda: StaleDataError("UPDATE statement on table 'risk' expected to update 1 row"), 409),
        (_foreign_key_violation, 500),
    ],
)
def test_a_race_the_database_refuses_is_a_409_page(
    bare_app: Flask, error: Callable[[], Exception], status: int
):
    @bare_app.post("/projects/p/risks/3/edit")
    def fails() -> str:
        raise error()

    response = bare_app.test_client().post(
        "/projects/p/risks/3/edit", headers={"Referer": "http://localhost/projects/p/risks/3"}
    )

    assert response.status_code == status
    if status == 409:
        assert "Someone else has just changed this" in response.text
        assert "/projects/p/risks/3" in hrefs(response)
        assert parse(response).select_one("html.govuk-template")  # the service's own page


def test_a_race_found_at_the_commit_after_the_view_is_a_409_page(bare_app: Flask):
    @bare_app.post("/projects/p/risks/3/review")
    def saves() -> str:
        return "saved"

    @bare_app.after_request
    def commit(response: Any) -> Any:
        raise _unique_violation()

    response = bare_app.test_client().post("/projects/p/risks/3/review")

    assert response.status_code == 409
    assert "/projects/p/risks/3" in hrefs(response)  # no Referer: the record posted to


# Records whose status is claimed (tracker.transitions.assign) ---------------------------------

TAKEN = "Someone else changed the status of this record a moment ago"
AT = dt.datetime(2010, 3, 1, 9, tzinfo=dt.UTC)


def someone_reviews(risk: Risk, status: RiskStatus) -> tuple[Any, Any]:
    """What another person's review setting `status` writes: the risk and a review row."""
    return (
        update(Risk)
        .where(Risk.id == risk.id)
        .values(status=status, row_version=Risk.row_version + 1),
        insert(RiskReview).values(
            risk_id=risk.id, reviewed_at=AT, probability="M", impact="H", status=status
        ),
    )


def refused_as_taken(
    monkeypatch, client, meantime: tuple[object, str, Any], address: str, **changes: str
) -> None:
    """Someone else sets the record's status (`meantime`: the module, the name the view calls
    and the statements, as `meanwhile` takes them) while the form at `address` is saved with
    `changes` (to the form as the page gives it, with its row version): the save is refused,
    the status being taken."""
    module, name, statements = meantime
    meanwhile(monkeypatch, module, name, *statements)

    response = client.post(address, data=read_form(client.get(address)) | changes)

    assert response.status_code == 409
    assert TAKEN in response.text


@pytest.mark.parametrize(
    ("was", "view", "page", "changes"),
    [
        ("open", "update_risk", "edit", {"countermeasures": "Both posts filled"}),
        ("closed", "review_risk", "review", {"note": "Two leavers announced"}),
    ],
    ids=["closing", "reopening"],
)
def test_setting_a_risks_status_someone_else_has_just_set_is_refused(
    db, client, login_as, project, risk, monkeypatch, was, view, page, changes
):
    """Closing a risk someone else has just closed, or reopening one just reopened."""
    risk.status = RiskStatus(was)
    db.session.commit()
    becomes = RiskStatus.CLOSED if risk.status is RiskStatus.OPEN else RiskStatus.OPEN
    login_as(Role.MANAGER)

    refused_as_taken(
        monkeypatch,
        client,
        (tracker.risks.views, view, someone_reviews(risk, becomes)),
        f"/projects/{project.slug}/risks/{risk.id}/{page}",
        status=becomes.value,
        **changes,
    )

    reviews = db.session.execute(db.select(RiskReview)).scalars().all()
    assert [r.reviewed_by_id for r in reviews] == [None]  # the other person's review only


def test_closing_an_issue_someone_else_has_just_closed_is_refused(
    db, client, login_as, project, monkeypatch
):
    manager = login_as(Role.MANAGER)
    entry = IssueLogEntry(
        project_id=project.id,
        author_id=manager.id,
        number="1",
        type=EntryType.ISSUE,
        description="The survey supplier went out of business",
        identified_on=dt.date(2010, 1, 4),
        last_updated_on=dt.date(2010, 1, 4),
        status=EntryStatus.OPEN,
    )
    db.session.add(entry)
    db.session.commit()
    closed = (
        update(IssueLogEntry)
        .where(IssueLogEntry.id == entry.id)
        .values(status="closed", resolution="New supplier", row_version=2)
    )

    refused_as_taken(
        monkeypatch,
        client,
        (tracker.issues.views, "update_issue", [closed]),
        f"/projects/{project.slug}/issues/{entry.id}/edit",
        status="closed",
        resolution="Survey done in house",
    )

    assert db.session.get(IssueLogEntry, entry.id).resolution == "New supplier"


def test_finishing_a_gap_action_someone_else_has_just_finished_is_refused(
    db, client, login_as, evidence_project, monkeypatch
):
    action = GapAction(
        project_id=evidence_project.id,
        element_id=project_elements(evidence_project)[0].id,
        description="Segment the customers",
    )
    db.session.add(action)
    db.session.commit()
    login_as(Role.MANAGER)
    done = (
        update(GapAction)
        .where(GapAction.id == action.id)
        .values(status="done", completed_at=AT, row_version=2)
    )

    refused_as_taken(
        monkeypatch,
        client,
        (tracker.evidence.gap_views, "save_action", [done]),
        f"/projects/{evidence_project.slug}/gap-actions/{action.id}/edit",
        status="done",
        description="Customers segmented",
    )

    assert db.session.get(GapAction, action.id).completed_at == AT


# Stage reviews and personal data --------------------------------------------------------------


def group_meeting(db, project) -> Meeting:
    meeting = Meeting(
        project_id=project.id, kind=MeetingKind.PROJECT_GROUP, held_on=dt.date(2099, 3, 26)
    )
    db.session.add(meeting)
    db.session.commit()
    return meeting


def pending_reviews(db) -> list[StageReview]:
    query = db.select(StageReview).where(
        StageReview.requested_at.is_not(None), StageReview.decision.is_(None)
    )
    return db.session.execute(query).scalars().all()


def test_asking_for_a_review_someone_else_has_just_asked_for_is_refused(
    db, client, login_as, project, monkeypatch
):
    meeting = group_meeting(db, project)
    login_as(Role.MANAGER)
    meanwhile(
        monkeypatch,
        tracker.plan.stage_views,
        "request_review",
        insert(StageReview).values(
            stage_id=project.stages[0].id,
            meeting_id=meeting.id,
            scheduled_on=meeting.held_on,
            requested_at=AT,
            summary="Asked by someone else",
        ),
    )

    response = client.post(
        f"/projects/{project.slug}/plan/reviews/request",
        data={"summary": "Seminars held", "meeting": str(meeting.id)},
    )

    assert response.status_code == 409
    assert "A review of stage 1 is already waiting for the sponsor" in response.text
    assert [r.summary for r in pending_reviews(db)] == ["Asked by someone else"]


def test_removing_personal_data_someone_else_has_just_removed_is_refused(
    db, client, login_as, project, monkeypatch
):
    item = submitted_item(db, project)
    item.personal_data, item.retain_until = True, dt.date(2011, 1, 1)
    db.session.add(
        EvidenceFile(
            item=item,
            version=1,
            original_name="complaints.pdf",
            storage_key="0" * 32,
            size_bytes=len(PDF),
            content_type="application/pdf",
            sha256="0" * 64,
        )
    )
    db.session.commit()
    login_as(Role.MANAGER)
    meanwhile(
        monkeypatch,
        tracker.evidence.views,
        "remove_personal_data",
        update(EvidenceItem)
        .where(EvidenceItem.id == item.id)
        .values(personal_data=False, retain_until=None, row_version=EvidenceItem.row_version + 1),
        delete(EvidenceFile).where(EvidenceFile.item_id == item.id),
        insert(EvidenceStep).values(
            item_id=item.id, at=AT, from_status="submitted", to_status="submitted"
        ),
    )

    response = client.post(
        f"/projects/{project.slug}/evidence/{item.id}/remove-personal-data",
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert "Someone else deleted the personal data of this evidence a moment ago" in response.text
    steps = db.session.execute(db.select(EvidenceStep)).scalars().all()
    assert [s.at for s in steps] == [AT]  # the other person's removal, once
