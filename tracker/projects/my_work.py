"""What needs the signed-in person now, for the project home page: one list per duty.

Each list is worked out only for the people whose roles give them that duty, by the rules the
areas already keep (late tasks, overdue risk reviews, who decides a change), in a fixed number
of queries whatever the size of the logs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.auth.models import Person
from tracker.evidence.gap_actions import project_actions
from tracker.evidence.models import GapAction
from tracker.extensions import db
from tracker.issues.changes import project_changes
from tracker.issues.classification import ChangeView
from tracker.issues.models import ChangeStatus, EntryStatus, IssueLogEntry
from tracker.permissions import can
from tracker.plan.models import Progress, Task
from tracker.plan.tasks import led_work_stream_ids, progress_condition
from tracker.projects.models import Project, Role
from tracker.risks.models import Risk
from tracker.risks.services import is_review_overdue, overdue_reviews, risks_owned_by

# An issue log entry counts as new for this many days after it was identified.
NEW_ENTRY_DAYS = 14
# A work stream lead is shown their stream's unfinished tasks due within this many days.
DUE_SOON_DAYS = 14


@dataclass
class MyWork:
    """The lists the home page shows; an empty list means nothing is waiting."""

    major_changes: list[ChangeView] = field(default_factory=list)
    minor_changes: list[ChangeView] = field(default_factory=list)
    overdue_risk_reviews: list[Risk] = field(default_factory=list)
    late_tasks: list[Task] = field(default_factory=list)
    new_entries: list[IssueLogEntry] = field(default_factory=list)
    own_risks: list[Risk] = field(default_factory=list)
    # Ids of the person's own risks whose review is overdue: flagged to the owner too.
    own_overdue: set[int] = field(default_factory=set)
    stream_tasks: list[Task] = field(default_factory=list)
    gap_actions: list[GapAction] = field(default_factory=list)

    @property
    def anything(self) -> bool:
        return any(
            (
                self.major_changes,
                self.minor_changes,
                self.overdue_risk_reviews,
                self.late_tasks,
                self.new_entries,
                self.own_risks,
                self.stream_tasks,
                self.gap_actions,
            )
        )


def is_new_entry(entry: IssueLogEntry, today: dt.date) -> bool:
    """An open entry identified within the last NEW_ENTRY_DAYS days (today included)."""
    return (
        entry.status is EntryStatus.OPEN
        and today - dt.timedelta(days=NEW_ENTRY_DAYS - 1) <= entry.identified_on <= today
    )


def is_due_soon_or_late(task: Task, today: dt.date) -> bool:
    """Not complete, and its target completion is past or within DUE_SOON_DAYS days."""
    if task.progress is Progress.COMPLETE or task.actual_finish is not None:
        return False
    return task.target_finish is not None and task.target_finish <= today + dt.timedelta(
        days=DUE_SOON_DAYS
    )


def changes_awaiting(views: list[ChangeView], decider: Role) -> list[ChangeView]:
    """Assessed change requests whose decision belongs to `decider`, oldest first."""
    return sorted(
        (v for v in views if v.change.status is ChangeStatus.ASSESSED and v.decider is decider),
        key=lambda v: v.change.number,
    )


def _tasks(project: Project, *conditions: object) -> list[Task]:
    return list(
        db.session.execute(
            select(Task)
            .where(Task.project_id == project.id, *conditions)
            .options(selectinload(Task.responsible), selectinload(Task.stage))
            .order_by(Task.target_finish, Task.code)
        ).scalars()
    )


def _new_entries(project: Project, today: dt.date) -> list[IssueLogEntry]:
    since = today - dt.timedelta(days=NEW_ENTRY_DAYS - 1)
    entries = db.session.execute(
        select(IssueLogEntry)
        .where(
            IssueLogEntry.project_id == project.id,
            IssueLogEntry.status == EntryStatus.OPEN,
            IssueLogEntry.identified_on >= since,
        )
        .order_by(IssueLogEntry.identified_on.desc(), IssueLogEntry.number)
    ).scalars()
    return [e for e in entries if is_new_entry(e, today)]


def my_work(project: Project, person: Person, roles: frozenset[Role], today: dt.date) -> MyWork:
    """What this person's roles ask of them in the project today."""
    work = MyWork()
    deciders = [r for r in (Role.SPONSOR, Role.MANAGER) if r in roles]
    if deciders and can("change.decide", roles):
        views = project_changes(project)
        if Role.SPONSOR in deciders:
            work.major_changes = changes_awaiting(views, Role.SPONSOR)
        if Role.MANAGER in deciders:
            work.minor_changes = changes_awaiting(views, Role.MANAGER)
    if can("risk.edit", roles):
        work.overdue_risk_reviews = overdue_reviews(project, today)
        work.late_tasks = _tasks(project, progress_condition(Progress.LATE, today))
        work.new_entries = _new_entries(project, today)
    if can("risk.view", roles):
        work.own_risks = risks_owned_by(project, person)
        work.own_overdue = {r.id for r in work.own_risks if is_review_overdue(r, today)}
    work.gap_actions = project_actions(project, owner_id=person.id)
    if Role.WS_LEAD in roles:
        streams = led_work_stream_ids(person.id, project)
        if streams:
            horizon = today + dt.timedelta(days=DUE_SOON_DAYS)
            candidates = _tasks(
                project,
                Task.work_stream_id.in_(streams),
                Task.target_finish.is_not(None),
                Task.target_finish <= horizon,
            )
            work.stream_tasks = [t for t in candidates if is_due_soon_or_late(t, today)]
    return work
