"""The project home page by role: what needs this person now (each area's home.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import (
    ChangeRequestFactory,
    IssueLogEntryFactory,
    PersonFactory,
    RiskFactory,
    TaskFactory,
    member,
)
from tracker.filters import london_today
from tracker.issues.home import NEW_ENTRY_DAYS, is_new_entry
from tracker.issues.models import ChangeStatus, EntryStatus, EntryType, IssueLogEntry
from tracker.plan.home import DUE_SOON_DAYS, is_due_soon_or_late
from tracker.plan.models import Progress, Task
from tracker.projects.models import Role
from tracker.risks.models import Level

TODAY = dt.date(2010, 3, 15)


def _entry(identified_on: dt.date, status: EntryStatus = EntryStatus.OPEN) -> IssueLogEntry:
    return IssueLogEntry(
        number="01",
        type=EntryType.ISSUE,
        description="x",
        identified_on=identified_on,
        last_updated_on=identified_on,
        status=status,
    )


@pytest.mark.parametrize(
    ("days_ago", "new"),
    [(0, True), (NEW_ENTRY_DAYS - 1, True), (NEW_ENTRY_DAYS, False), (-1, False)],
)
def test_an_entry_is_new_for_its_first_fortnight(days_ago: int, new: bool) -> None:
    assert is_new_entry(_entry(TODAY - dt.timedelta(days=days_ago)), TODAY) is new


def test_a_closed_entry_is_never_new() -> None:
    assert not is_new_entry(_entry(TODAY, EntryStatus.CLOSED), TODAY)


@pytest.mark.parametrize(
    ("days_ahead", "progress", "shown"),
    [
        (DUE_SOON_DAYS, Progress.ON_TRACK, True),
        (DUE_SOON_DAYS + 1, Progress.ON_TRACK, False),
        (-30, Progress.NOT_STARTED, True),
        (-30, Progress.COMPLETE, False),
        (0, Progress.AT_RISK, True),
    ],
)
def test_a_lead_sees_unfinished_tasks_due_within_a_fortnight_or_late(
    days_ahead: int, progress: Progress, shown: bool
) -> None:
    task = Task(code="1.1", target_finish=TODAY + dt.timedelta(days=days_ahead), progress=progress)
    assert is_due_soon_or_late(task, TODAY) is shown


def _fill(db, project, owner, n: int, start: int = 0) -> None:
    """`n` of each thing the home page lists: late tasks, overdue risks, new entries, changes."""
    today = london_today()
    stream = project.work_streams[0]
    for i in range(start, start + n):
        TaskFactory(
            project=project,
            code=f"9.{i}",
            activity=f"Late task {i}",
            work_stream=stream,
            target_finish=today - dt.timedelta(days=3),
            progress=Progress.ON_TRACK,
            responsible=[owner],
            position=i,
        )
        RiskFactory(
            project=project,
            probability=Level.H,
            owner=owner,
            review_by=today - dt.timedelta(days=1),
        )
        IssueLogEntryFactory(
            project=project,
            description=f"Fresh issue {i}",
            identified_on=today,
            author=owner,
        )
        ChangeRequestFactory(
            project=project,
            raised_on=today,
            description="Move the workshop",
            status=ChangeStatus.ASSESSED,
            impact_days=1,
            impact_cost_pence=0,
            needs_more_resources=True,
            requested_by=owner,
        )
    db.session.commit()


def test_the_manager_sees_overdue_reviews_late_tasks_and_new_entries(db, client, login_as, project):
    manager = login_as(Role.MANAGER)
    _fill(db, project, manager, 2)
    html = client.get(f"/projects/{project.slug}/").get_data(as_text=True)
    assert "Waiting for you" in html
    assert html.count("Risk review due") == 2  # in the queue (tracker/queue)
    assert html.count("Task late") == 2  # the manager's own late tasks
    assert "Late tasks (2)" in html
    assert "New in the issue log (2)" in html
    assert "Risks you own (2)" in html
    assert html.count("Review overdue") == 2  # the owner is told too
    # Major changes (more resources) wait for the sponsor, not the manager.
    assert "Decide change request" not in html


def test_the_sponsor_sees_major_changes_waiting_and_not_the_managers_lists(
    db, client, login_as, project
):
    owner = PersonFactory()
    member(owner, project, Role.MANAGER)
    _fill(db, project, owner, 2)
    login_as(Role.SPONSOR)
    html = client.get(f"/projects/{project.slug}/").get_data(as_text=True)
    assert "Waiting for you" in html
    assert html.count("Decide change request") == 2
    assert html.count("Major change to decide") == 2
    assert "Late tasks" not in html
    assert "Risk review due" not in html


def test_a_work_stream_lead_sees_their_streams_tasks(db, client, login_as, project):
    owner = PersonFactory()
    member(owner, project, Role.MANAGER)
    _fill(db, project, owner, 1)
    login_as(Role.WS_LEAD)
    html = client.get(f"/projects/{project.slug}/").get_data(as_text=True)
    assert "Your work streams&#39; tasks due in the next 14 days or late" in html
    assert "9.0 Late task 0" in html
    assert "late" in html
    assert "Risk review due" not in html


def test_an_assessor_sees_nothing_to_do(db, client, login_as, project):
    owner = PersonFactory()
    member(owner, project, Role.MANAGER)
    _fill(db, project, owner, 1)
    login_as(Role.ASSESSOR)
    html = client.get(f"/projects/{project.slug}/").get_data(as_text=True)
    assert "Needs your attention" not in html
    assert "Waiting for you" not in html


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SPONSOR, Role.WS_LEAD])
def test_home_runs_a_fixed_number_of_queries_whatever_the_logs_hold(
    db, client, login_as, project, count_queries, role
):
    person = login_as(role)
    if role is Role.SPONSOR:
        member(person, project, Role.MANAGER)  # a sponsor who also manages sees every list
    _fill(db, project, person, 2)
    with count_queries as few:
        assert client.get(f"/projects/{project.slug}/").status_code == 200
    _fill(db, project, person, 40, start=2)
    with count_queries as many:
        assert client.get(f"/projects/{project.slug}/").status_code == 200
    assert many.count == few.count
