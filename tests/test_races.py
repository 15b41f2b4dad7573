"""People deciding the same thing at the same moment, with real threads: each state change is
made once, and a race ends in a clear refusal, never a 500 (tracker/transitions.py).

Each thread has its own test client, its own app context and so its own database session and
connection, as two gunicorn workers would; a barrier releases them together. They need
PostgreSQL, whose row locks and concurrent transactions are what production runs on: on SQLite
(one file, one writer) they are skipped. CI runs them: it sets TEST_DATABASE_URL. The same
rules are tested on both databases, one request at a time, in tests/test_decided_once.py.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import PersonFactory, member
from tests.helpers import sign_in
from tests.html import one, text_of
from tests.test_evidence import PDF
from tracker.auth.models import Person
from tracker.evidence.models import EvidenceFile, EvidenceItem, EvidenceStatus, EvidenceStep
from tracker.issues.models import ChangeRequest, ChangeStatus
from tracker.plan.models import ReviewDecision, StageReview
from tracker.plan.stage_reviews import request_review
from tracker.plan.stages import plan_stages
from tracker.projects.models import Meeting, MeetingKind, Project, Role
from tracker.reports.models import HighlightReport, ReportKind, ReportStatus


@pytest.fixture(autouse=True)
def _postgresql_only(db) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("Needs PostgreSQL (set TEST_DATABASE_URL): concurrent transactions")


@dataclass
class Answer:
    status: int
    text: str


def at_once(app: Flask, calls: list[tuple[int, Callable[[FlaskClient], object]]]) -> list[Answer]:
    """Run each call as the person with that id, each in its own thread with its own client,
    all released at the same moment. An exception in a request (a 500) fails the test."""
    barrier = threading.Barrier(len(calls))
    answers: list[Answer | None] = [None] * len(calls)
    failures: list[BaseException] = []

    def run(index: int, person_id: int, call: Callable[[FlaskClient], object]) -> None:
        try:
            client = FlaskClient(app, app.response_class, use_cookies=True)
            sign_in(client, person_id)
            barrier.wait(timeout=30)
            response = call(client)
            answers[index] = Answer(response.status_code, response.get_data(as_text=True))  # type: ignore[attr-defined]
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            failures.append(error)

    threads = [
        threading.Thread(target=run, args=(i, person, call))
        for i, (person, call) in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    assert all(a is not None for a in answers)
    return [a for a in answers if a is not None]


def text_of_answer(answer: Answer) -> str:
    """A refused answer's main words, for an assertion's message."""
    return text_of(one(answer.text, "main"))[:600]


def people(db, project: Project, role: Role, count: int) -> list[int]:
    found = []
    for _ in range(count):
        person = PersonFactory()
        member(person, project, role)
        found.append(person)
    db.session.commit()
    return [p.id for p in found]


def submitted_item(db, project: Project) -> EvidenceItem:
    item = EvidenceItem(
        project_id=project.id,
        work_stream_id=project.work_streams[0].id,
        title="Customer survey 2009",
        status=EvidenceStatus.SUBMITTED,
    )
    db.session.add(item)
    db.session.commit()
    return item


def test_a_review_sent_after_another_was_recorded_says_why_it_was_refused(client, db, project):
    """The late reviewer read the item after the first review: the page has no review form to
    put the refusal beside, so it is said at the top, with a 409."""
    item = submitted_item(db, project)
    first, late = people(db, project, Role.ASSURANCE, 2)
    address = f"/projects/{project.slug}/evidence/{item.id}/review"
    sign_in(client, db.session.get(Person, first))
    assert client.post(address, data={"outcome": "accept"}).status_code == 302
    sign_in(client, db.session.get(Person, late))
    refused = client.post(address, data={"outcome": "return", "comment": "Add 2009"})
    assert refused.status_code == 409
    assert "Only evidence submitted for review can be accepted or returned" in text_of(
        one(refused.text, "main")
    )


def test_ten_reviews_of_one_item_at_once_record_one_step(app, db, project):
    item = submitted_item(db, project)
    address = f"/projects/{project.slug}/evidence/{item.id}/review"
    reviewers = people(db, project, Role.ASSURANCE, 10)

    def review(accept: bool) -> Callable[[FlaskClient], object]:
        data = {"outcome": "accept"} if accept else {"outcome": "return", "comment": "Add 2009"}
        return lambda client: client.post(address, data=data)

    answers = at_once(app, [(p, review(i % 2 == 0)) for i, p in enumerate(reviewers)])

    steps = db.session.execute(db.select(EvidenceStep)).scalars().all()
    assert len(steps) == 1
    assert [a.status for a in answers].count(302) == 1
    refused = [a for a in answers if a.status != 302]
    assert {a.status for a in refused} <= {400, 409}
    unexplained = [
        text_of_answer(a)
        for a in refused
        if not ("a moment ago" in a.text or "Only evidence submitted for review" in a.text)
    ]
    assert unexplained == [], "\n".join(unexplained)
    db.session.expire_all()
    assert db.session.get(EvidenceItem, item.id).status is steps[0].to_status


def test_new_file_versions_at_once_get_their_own_numbers(app, db, project):
    item = submitted_item(db, project)
    address = f"/projects/{project.slug}/evidence/{item.id}/versions"
    managers = people(db, project, Role.MANAGER, 5)

    def upload(n: int) -> Callable[[FlaskClient], object]:
        return lambda client: client.post(
            address,
            data={"file": (io.BytesIO(PDF + f"% {n}\n".encode()), f"v{n}.pdf")},
            content_type="multipart/form-data",
        )

    answers = at_once(app, [(p, upload(n)) for n, p in enumerate(managers)])

    assert {a.status for a in answers} <= {302, 409}
    versions = db.session.execute(db.select(EvidenceFile.version)).scalars().all()
    assert sorted(versions) == list(range(1, [a.status for a in answers].count(302) + 1))
    # The item went back to draft once, by one recorded step.
    steps = db.session.execute(db.select(EvidenceStep)).scalars().all()
    assert [(s.from_status, s.to_status) for s in steps] == [
        (EvidenceStatus.SUBMITTED, EvidenceStatus.DRAFT)
    ]


def draft_report(db, project: Project) -> HighlightReport:
    report = HighlightReport(
        project_id=project.id,
        kind=ReportKind.PROJECT,
        period_start=dt.date(2010, 2, 1),
        period_end=dt.date(2010, 2, 28),
        status=ReportStatus.DRAFT,
        sections=[],
        snapshot={},
    )
    db.session.add(report)
    db.session.commit()
    return report


def test_one_report_issued_twice_at_once_is_issued_once(app, db, project):
    report = draft_report(db, project)
    address = f"/projects/{project.slug}/reports/{report.id}/issue"
    managers = people(db, project, Role.MANAGER, 2)

    answers = at_once(
        app, [(p, lambda client: client.post(address, follow_redirects=True)) for p in managers]
    )

    assert [a.status for a in answers] == [200, 200]
    issued = [a for a in answers if "issued: it is now frozen" in a.text]
    assert len(issued) == 1
    (refused,) = [a for a in answers if a not in issued]
    assert "Someone else issued this highlight report a moment ago" in refused.text
    db.session.expire_all()
    assert db.session.get(HighlightReport, report.id).number == 1


def test_two_reports_issued_at_once_get_the_next_two_numbers(app, db, project):
    reports = [draft_report(db, project), draft_report(db, project)]
    managers = people(db, project, Role.MANAGER, 2)

    base = f"/projects/{project.slug}/reports"

    def issue(report_id: int) -> Callable[[FlaskClient], object]:
        return lambda client: client.post(f"{base}/{report_id}/issue")

    answers = at_once(app, [(p, issue(r.id)) for p, r in zip(managers, reports, strict=True)])

    assert [a.status for a in answers] == [302, 302]
    numbers = db.session.execute(db.select(HighlightReport.number)).scalars().all()
    assert sorted(numbers) == [1, 2]


def test_a_stage_review_decided_by_two_at_once_is_decided_once(app, db, project):
    meeting = Meeting(
        project_id=project.id, kind=MeetingKind.PROJECT_GROUP, held_on=dt.date(2010, 3, 26)
    )
    db.session.add(meeting)
    stages = plan_stages(project)
    review = request_review(
        stages[0],
        stages,
        person=PersonFactory(),
        summary="Seminars held",
        meeting=meeting,
        now=dt.datetime(2010, 3, 26, 10, tzinfo=dt.UTC),
    )
    db.session.commit()
    address = f"/projects/{project.slug}/plan/reviews/{review.id}/decide"
    sponsors = people(db, project, Role.SPONSOR, 4)
    choices = [
        {"decision": ReviewDecision.APPROVED.value},
        {"decision": ReviewDecision.NOT_APPROVED.value, "reasons": "Not yet"},
    ]

    decided_once_by(app, address, sponsors, choices)

    db.session.expire_all()
    assert db.session.get(StageReview, review.id).decision is not None
    assert len(db.session.execute(db.select(StageReview)).scalars().all()) == 1


ANALYSIS = {"impact_days": "1", "impact_products": "Work plan", "impact_cost": "0"}


def assessed_change(db, client, project: Project) -> tuple[ChangeRequest, str]:
    """A change request the signed-in manager has raised and assessed with ANALYSIS, and the
    address of its page."""
    raised = client.post(
        f"/projects/{project.slug}/changes/new",
        data={"description": "Extend stage 1", "expected_benefits": "Time to finish"},
    )
    assert raised.status_code == 302
    change = db.session.execute(db.select(ChangeRequest)).scalar_one()
    base = f"/projects/{project.slug}/changes/{change.id}"
    assert client.post(f"{base}/assess", data=ANALYSIS).status_code == 302
    return change, base


def decided_once_by(app: Flask, address: str, deciders: list[int], choices: list[dict]) -> None:
    """The deciders post their choices (taken in turn) to `address` at once: one is taken,
    the others are refused with a 409 page."""
    turns = [(p, choices[i % len(choices)]) for i, p in enumerate(deciders)]
    answers = at_once(
        app, [(p, lambda c, data=data: c.post(address, data=data)) for p, data in turns]
    )

    assert [a.status for a in answers].count(302) == 1
    assert {a.status for a in answers} <= {302, 409}


def test_a_change_decided_by_two_at_once_is_decided_once(app, db, client, login_as, project):
    login_as(Role.MANAGER)
    change, base = assessed_change(db, client, project)
    managers = people(db, project, Role.MANAGER, 4)
    choices = [{"decision": "approve"}, {"decision": "reject", "note": "Not now"}]

    decided_once_by(app, f"{base}/decide", managers, choices)

    db.session.expire_all()
    decided = db.session.get(ChangeRequest, change.id)
    assert decided.status in (ChangeStatus.APPROVED, ChangeStatus.REJECTED)


def test_an_analysis_saved_as_the_change_is_decided_never_undoes_the_decision(
    app, db, client, login_as, project
):
    login_as(Role.MANAGER)
    change, base = assessed_change(db, client, project)
    manager, support = people(db, project, Role.MANAGER, 1) + people(db, project, Role.SUPPORT, 1)

    answers = at_once(
        app,
        [
            (manager, lambda c: c.post(f"{base}/decide", data={"decision": "approve"})),
            (support, lambda c: c.post(f"{base}/assess", data=ANALYSIS | {"impact_days": "2"})),
        ],
    )

    assert answers[0].status == 302
    assert answers[1].status in (302, 409)  # saved before the decision, or refused after it
    db.session.expire_all()
    assert db.session.get(ChangeRequest, change.id).status is ChangeStatus.APPROVED


def test_a_stage_review_asked_for_by_two_at_once_is_asked_for_once(app, db, project):
    meeting = Meeting(
        project_id=project.id, kind=MeetingKind.PROJECT_GROUP, held_on=dt.date(2099, 3, 26)
    )
    db.session.add(meeting)
    db.session.commit()
    address = f"/projects/{project.slug}/plan/reviews/request"
    managers = people(db, project, Role.MANAGER, 2) + people(db, project, Role.SUPPORT, 2)

    def ask(n: int) -> Callable[[FlaskClient], object]:
        data = {"summary": f"Summary {n}", "meeting": str(meeting.id)}
        return lambda client: client.post(address, data=data)

    answers = at_once(app, [(p, ask(n)) for n, p in enumerate(managers)])

    assert sorted(a.status for a in answers) == [302, 409, 409, 409]
    refused = [a for a in answers if a.status == 409]
    assert all("already waiting for the sponsor" in a.text for a in refused)
    db.session.expire_all()
    reviews = db.session.execute(db.select(StageReview)).scalars().all()
    assert [r.requested_at is not None for r in reviews] == [True]


def test_one_form_sent_five_times_at_once_adds_one_risk(app, db, project):
    """A double click on PostgreSQL: the same form (one `once` token) sent by five requests at
    the same moment adds one risk; the others are sent where the first went (tracker/once.py)."""
    from sqlalchemy import func, select

    from tests.test_risk_views import form_data
    from tracker.risks.models import Risk

    (manager,) = people(db, project, Role.MANAGER, 1)
    data = form_data(once="0123456789abcdef0123456789abcdef")
    address = f"/projects/{project.slug}/risks/new"

    answers = at_once(app, [(manager, lambda c: c.post(address, data=data))] * 5)

    assert sorted(a.status for a in answers) == [302, 303, 303, 303, 303]
    assert db.session.scalar(select(func.count(Risk.id))) == 1
