"""The queue of what waits for each person (tracker/queue): who is told of what, the edges of
"due in 14 days or late" at the status date, withdrawn records never shown, the links open,
and a fixed number of queries whatever the project holds."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import (
    ChangeRequestFactory,
    EvidenceItemFactory,
    GapActionFactory,
    PersonFactory,
    RiskFactory,
    StageReviewFactory,
    TaskFactory,
    make_element,
    make_project,
    member,
)
from tests.helpers import sign_in
from tests.html import parse
from tracker.auth.models import Person
from tracker.evidence.access import Viewer
from tracker.evidence.models import (
    ActionStatus,
    Element,
    EvidenceItem,
    EvidenceStatus,
    EvidenceStep,
)
from tracker.extensions import db
from tracker.issues.models import ChangeStatus
from tracker.plan.models import Progress, Task
from tracker.projects.models import Project, Role
from tracker.queue.rules import Sources, Whom, is_due_within, is_risk_review_due, tasks_due
from tracker.queue.services import waiting_for
from tracker.risks.models import Risk, RiskStatus
from tracker.withdrawal.services import withdraw

ON = dt.date(2010, 3, 15)  # the project's status date
AT = dt.datetime(2010, 3, 1, 9, tzinfo=dt.UTC)


# Rules at their edges --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "due"), [(-30, True), (0, True), (14, True), (15, False), (None, False)]
)
def test_due_within_a_fortnight_of_the_status_date_or_late(days: int | None, due: bool) -> None:
    day = None if days is None else ON + dt.timedelta(days=days)
    assert is_due_within(day, ON) is due


@pytest.mark.parametrize(
    ("days", "status", "due"),
    [
        (0, RiskStatus.OPEN, True),
        (-10, None, True),
        (1, RiskStatus.OPEN, False),
        (-10, RiskStatus.CLOSED, False),
        (None, RiskStatus.OPEN, False),
    ],
)
def test_a_risk_review_is_due_from_its_review_by_date(
    days: int | None, status: RiskStatus | None, due: bool
) -> None:
    risk = Risk(review_by=None if days is None else ON + dt.timedelta(days=days), status=status)
    assert is_risk_review_due(risk, ON) is due


@pytest.mark.parametrize(
    ("days", "kind"), [(-1, "Task late"), (0, "Task due"), (14, "Task due"), (15, None)]
)
def test_a_task_is_late_after_its_target_finish_at_the_status_date(
    days: int, kind: str | None
) -> None:
    owner = Person(id=7, name="Olive Owner")
    task = Task(
        id=1,
        code="1.1",
        activity="Plan",
        target_finish=ON + dt.timedelta(days=days),
        progress=Progress.ON_TRACK,
        responsible=[owner],
    )
    viewer = Viewer(person_id=7, roles=frozenset({Role.WS_MEMBER}), stream_ids=frozenset())
    whom = Whom(slug="p", roles=viewer.roles, viewer=viewer, person_id=7)
    found = tasks_due(Sources(today=ON, tasks=[task]), whom)
    assert [w.kind for w in found] == ([kind] if kind else [])
    assert all(w.endpoint == "plan.work_plan" for w in found)  # a member cannot update it


# Who is told of what ---------------------------------------------------------------------------


def _people(project: Project) -> dict[Role, Person]:
    """One person in each role (work stream roles in the first stream)."""
    people = {}
    for role in Role:
        person = PersonFactory(name=f"The {role.label.lower()}")
        member(person, project, role)
        people[role] = person
    return people


def _evidence(project, status: EvidenceStatus, title: str, **fields):
    item = EvidenceItemFactory(project=project, status=status, title=title, **fields)
    db.session.add(EvidenceStep(item=item, at=AT, to_status=status))
    return item


def _scenario(project: Project) -> dict[Role, Person]:
    """One record of each kind that waits, and near misses that do not."""
    project.status_date = ON
    people = _people(project)
    element = make_element()
    project.standard_id = element.subcriterion.criterion.standard_id
    other_stream = project.work_streams[1]
    StageReviewFactory(stage=project.stages[0], requested_at=AT)
    ChangeRequestFactory(project=project, number=1, status=ChangeStatus.RAISED)
    ChangeRequestFactory(
        project=project, number=2, status=ChangeStatus.ASSESSED, needs_more_resources=True
    )
    ChangeRequestFactory(
        project=project, number=3, status=ChangeStatus.ASSESSED, impact_days=1, impact_cost_pence=0
    )
    ChangeRequestFactory(project=project, number=4, status=ChangeStatus.APPROVED)
    _evidence(project, EvidenceStatus.SUBMITTED, "Survey")
    _evidence(
        project,
        EvidenceStatus.SUBMITTED,
        "Complaint letters",
        personal_data=True,
        work_stream=other_stream,
    )
    _evidence(project, EvidenceStatus.RETURNED, "Leaflet")
    _evidence(project, EvidenceStatus.RETURNED, "Housing leaflet", work_stream=other_stream)
    _evidence(project, EvidenceStatus.ACCEPTED, "Charter")
    RiskFactory(project=project, number="01", description="Staff leave", review_by=ON)
    RiskFactory(project=project, number="02", review_by=ON + dt.timedelta(days=1))
    member_ = people[Role.WS_MEMBER]
    for code, activity, days, progress in (
        ("1.1", "Due on the last day", 14, Progress.ON_TRACK),
        ("1.2", "Due a day too late", 15, Progress.ON_TRACK),
        ("1.3", "Late but done", -5, Progress.COMPLETE),
    ):
        TaskFactory(
            project=project,
            code=code,
            activity=activity,
            target_finish=ON + dt.timedelta(days=days),
            progress=progress,
            responsible=[member_],
        )
    for description, status in (
        ("Write the standards", ActionStatus.OPEN),
        ("Already done", ActionStatus.DONE),
    ):
        GapActionFactory(
            project=project,
            element=element,
            description=description,
            owner=people[Role.WS_LEAD],
            due_on=ON - dt.timedelta(days=1),
            status=status,
        )
    db.session.commit()
    return people


EXPECTED = {
    Role.SPONSOR: {"Decide the stage 1 review (Stage 1)", "Decide change request 2"},
    Role.MANAGER: {
        "Assess change request 1",
        "Decide change request 3",
        "Review “Survey”",
        "Review “Complaint letters”",
        "Review risk 01: Staff leave",
    },
    Role.SUPPORT: {
        "Assess change request 1",
        "Review “Survey”",
        "Review “Complaint letters”",
        "Review risk 01: Staff leave",
    },
    Role.WS_LEAD: {"Rework “Leaflet”", "Element 1.1.1: Write the standards"},
    Role.WS_MEMBER: {"1.1 Due on the last day"},
    # Personal data of another stream is not theirs to see, so not theirs to review.
    Role.PP_REP: {"Review “Survey”"},
    Role.ASSURANCE: {"Review “Survey”"},
    Role.EMT: set(),
    Role.LEAD_MEMBER: set(),
    Role.ASSESSOR: set(),
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_is_told_of_its_own_work(db, project, role: Role) -> None:
    people = _scenario(project)
    found = waiting_for(people[role], project)
    assert {w.title for w in found} == EXPECTED[role]


def test_the_queue_is_oldest_first_and_says_since_when(db, project) -> None:
    people = _scenario(project)
    manager = people[Role.MANAGER]
    later = ChangeRequestFactory(project=project, number=5, raised_on=dt.date(2010, 3, 10))
    db.session.commit()
    found = waiting_for(manager, project)
    assert [w.since for w in found] == sorted(w.since for w in found)
    assert found[-2].title == f"Assess change request {later.number}"
    assert found[-1].since == ON and found[-1].since_means == "review by"
    assert found[0].since == dt.date(2010, 3, 1)


def test_withdrawn_records_never_wait(db, project) -> None:
    people = _scenario(project)
    manager = people[Role.MANAGER]
    for entry in waiting_for(manager, project):
        assert entry.title  # everything is there before
    records = [
        db.session.execute(db.select(Risk).where(Risk.number == "01")).scalar_one(),
        *db.session.execute(
            db.select(EvidenceItem).where(EvidenceItem.status == EvidenceStatus.SUBMITTED)
        ).scalars(),
    ]
    for record in records:
        withdraw(record, "Entered twice", manager, AT)
    db.session.commit()
    titles = {w.title for w in waiting_for(manager, project)}
    assert titles == {"Assess change request 1", "Decide change request 3"}


@pytest.mark.parametrize("role", [r for r in Role if EXPECTED[r]])
def test_every_link_of_the_home_page_queue_opens(db, client, project, role: Role) -> None:
    people = _scenario(project)
    sign_in(client, people[role])
    home = parse(client.get(f"/projects/{project.slug}/").text)
    links = [a["href"] for a in home.select("#waiting-for-you a")]
    assert len(links) == len(EXPECTED[role])
    for link in links:
        assert client.get(link).status_code == 200, link


def test_the_manager_is_told_of_evidence_not_only_late_tasks(db, client, project) -> None:
    people = _scenario(project)
    sign_in(client, people[Role.MANAGER])
    home = parse(client.get(f"/projects/{project.slug}/").text)
    queue = home.select_one("#waiting-for-you").get_text(" ")
    assert "Evidence to review" in queue and "Survey" in queue


def test_the_list_of_projects_shows_the_queue_of_each(db, client, project) -> None:
    people = _scenario(project)
    sponsor = people[Role.SPONSOR]
    other = make_project()
    member(sponsor, other, Role.SPONSOR)
    StageReviewFactory(stage=other.stages[1], requested_at=AT)
    db.session.commit()
    sign_in(client, sponsor)
    page = parse(client.get("/").text)
    lists = page.select(".app-waiting-list")
    assert len(lists) == 2
    texts = sorted(ul.get_text(" ") for ul in lists)
    assert sum("Decide the stage 2 review" in t for t in texts) == 1
    assert sum("Decide change request 2" in t for t in texts) == 1
    for link in page.select(".app-waiting-list a"):
        assert client.get(link["href"]).status_code == 200


def test_the_dashboard_lists_what_waits_for_anyone(db, client, project) -> None:
    people = _scenario(project)
    sign_in(client, people[Role.EMT])
    page = parse(client.get(f"/projects/{project.slug}/dashboard").text)
    caption = page.find("caption", string=lambda s: s and "What is waiting for someone" in s)
    table = caption.find_parent("table").get_text(" ")
    for text in (
        "Decide the stage 1 review",
        "Decide change request 2",
        "Assess change request 1",
        "Review “Survey”",
        "Rework “Leaflet”",
        "Rework “Housing leaflet”",
        "Review risk 01",
        "1.1 Due on the last day",
        "Write the standards",
        "The work stream member",
    ):
        assert text in table, text
    # The EMT do not see personal data of a stream that is not theirs.
    assert "Complaint letters" not in table
    # Each link opens a page the reader may see: where the work is shown, as they cannot do it.
    links = [a["href"] for a in caption.find_parent("table").select("a")]
    assert links and all(client.get(link).status_code == 200 for link in links)


# A fixed number of queries ---------------------------------------------------------------------


def _more(project: Project, people: dict[Role, Person], n: int) -> None:
    """n more of every kind, all waiting for someone."""
    element = db.session.execute(db.select(Element)).scalars().first()
    for i in range(n):
        StageReviewFactory(stage=project.stages[i % 5], requested_at=AT)
        ChangeRequestFactory(project=project, status=ChangeStatus.RAISED)
        ChangeRequestFactory(
            project=project, status=ChangeStatus.ASSESSED, impact_days=1, impact_cost_pence=0
        )
        _evidence(project, EvidenceStatus.SUBMITTED, f"More {i}")
        _evidence(project, EvidenceStatus.RETURNED, f"Back {i}")
        RiskFactory(project=project, review_by=ON)
        for role in (Role.MANAGER, Role.WS_LEAD):
            TaskFactory(project=project, target_finish=ON, responsible=[people[role]])
            GapActionFactory(project=project, element=element, owner=people[role], due_on=ON)
    db.session.commit()


@pytest.mark.parametrize("role", [Role.SPONSOR, Role.MANAGER, Role.WS_LEAD, Role.PP_REP])
def test_one_persons_queue_runs_a_fixed_number_of_queries(
    db, project, count_queries, role: Role
) -> None:
    people = _scenario(project)
    person = people[role]
    _more(project, people, 1)  # one of each, so that every query of the large run runs here too
    db.session.expire_all()
    with count_queries as few:
        small = waiting_for(person, project)
    _more(project, people, 30)
    db.session.expire_all()
    with count_queries as many:
        large = waiting_for(person, project)
    assert len(large) > len(small)
    assert many.count == few.count, (few.count, many.count)
