"""What keeps a record from being withdrawn: one function per rule.

Each takes the record and answers None when it may be withdrawn, or the refusal in GOV.UK
words, saying what depends on it. Withdrawn dependants do not count: the hook in
`tracker.database` leaves them out of every query here.
"""

from __future__ import annotations

from sqlalchemy import or_, select

from tracker.budget.models import BudgetLine, SpendEntry
from tracker.extensions import db
from tracker.filters import date as format_date
from tracker.filters import money
from tracker.forms import capitalised
from tracker.issues.models import DECIDED, ChangeEffect, ChangeRequest, EffectTarget, IssueLogEntry
from tracker.plan.models import Milestone, Stage, StageReview, Task, TaskDependency
from tracker.projects.models import Meeting


def _names(links: list[TaskDependency], *, waiting: bool) -> list[str]:
    """The tasks and milestones at the other end of `links`: their successors when `waiting`."""
    tasks = {t.id: f"task {t.code} {t.activity}" for t in _linked(Task, links, waiting)}
    milestones = {m.id: f"milestone {m.name}" for m in _linked(Milestone, links, waiting)}
    names = []
    for link in links:
        task_id = link.successor_task_id if waiting else link.predecessor_id
        milestone_id = link.successor_milestone_id if waiting else link.predecessor_milestone_id
        name = tasks.get(task_id or 0) or milestones.get(milestone_id or 0)
        if name:
            names.append(name)
    return names


def _linked(model: type, links: list[TaskDependency], waiting: bool) -> list:
    if model is Task:
        ids = {link.successor_task_id if waiting else link.predecessor_id for link in links}
    else:
        ids = {
            link.successor_milestone_id if waiting else link.predecessor_milestone_id
            for link in links
        }
    ids.discard(None)
    if not ids:
        return []
    return list(db.session.execute(select(model).where(model.id.in_(ids))).scalars())


def _dependencies(record: Task | Milestone) -> str | None:
    """The tasks and milestones that wait for `record`, or that it waits for: a withdrawn end
    would leave the schedule a link to nothing, so the links go first."""
    is_task = isinstance(record, Task)
    before = TaskDependency.predecessor_id if is_task else TaskDependency.predecessor_milestone_id
    after = TaskDependency.successor_task_id if is_task else TaskDependency.successor_milestone_id
    links = list(
        db.session.execute(
            select(TaskDependency)
            .where(or_(before == record.id, after == record.id))
            .order_by(TaskDependency.id)
        ).scalars()
    )
    waiting = _names(
        [link for link in links if getattr(link, before.key) == record.id], waiting=True
    )
    awaited = _names(
        [link for link in links if getattr(link, after.key) == record.id], waiting=False
    )
    parts = []
    if waiting:
        parts.append(f"{', '.join(waiting)} {'waits' if len(waiting) == 1 else 'wait'} for it")
    if awaited:
        parts.append(f"it waits for {', '.join(awaited)}")
    if not parts:
        return None
    return f"Remove its dependencies first: {'; '.join(parts)}"


def _pending_changes(target: EffectTarget, target_id: int) -> str | None:
    """Change requests not yet decided that would change the record when approved."""
    numbers = db.session.execute(
        select(ChangeRequest.number)
        .join(ChangeEffect, ChangeEffect.change_request_id == ChangeRequest.id)
        .where(
            ChangeEffect.target == target,
            ChangeEffect.target_id == target_id,
            ChangeRequest.status.not_in(DECIDED),
        )
        .distinct()
        .order_by(ChangeRequest.number)
    ).scalars()
    found = [str(n) for n in numbers]
    if not found:
        return None
    which = "request" if len(found) == 1 else "requests"
    return f"Change {which} {', '.join(found)}, not yet decided, would change it"


def task_refusal(task: Task) -> str | None:
    return _dependencies(task) or _pending_changes(EffectTarget.TASK, task.id)


def milestone_refusal(milestone: Milestone) -> str | None:
    """A milestone reached is part of the project's record; one that tasks wait for holds
    them up."""
    if milestone.actual_finish is not None:
        return (
            f"The milestone was reached on {format_date(milestone.actual_finish)}: "
            "a milestone reached stays in the plan"
        )
    return _dependencies(milestone) or _pending_changes(EffectTarget.MILESTONE, milestone.id)


def change_refusal(change: ChangeRequest) -> str | None:
    """A decision is final and may already have moved dates: it stays on record."""
    if change.status in DECIDED:
        return (
            f"Change request {change.number} was {change.status.label.lower()}: "
            "a decided change stays on record"
        )
    return None


def issue_refusal(entry: IssueLogEntry) -> str | None:
    """An entry of type R records a change request: it goes with the request."""
    request = db.session.execute(
        select(ChangeRequest).where(ChangeRequest.issue_entry_id == entry.id)
    ).scalar_one_or_none()
    if request is None:
        return None
    return (
        f"It is the log's entry for change request {request.number}: withdraw the change "
        "request, and this entry goes with it"
    )


def budget_line_refusal(line: BudgetLine) -> str | None:
    """Spend recorded against a line is money the project has spent: withdraw it first."""
    amounts = list(
        db.session.execute(
            select(SpendEntry.amount_pence).where(SpendEntry.line_id == line.id)
        ).scalars()
    )
    if amounts:
        entries = "entry" if len(amounts) == 1 else "entries"
        return (
            f"{money(sum(amounts))} of spend is recorded against it ({len(amounts)} {entries}): "
            "withdraw the spend first"
        )
    return _pending_changes(EffectTarget.BUDGET_LINE, line.id)


def spend_restore_refusal(entry: SpendEntry) -> str | None:
    """Spend comes back only onto a line in the budget."""
    line = db.session.execute(
        select(BudgetLine)
        .where(BudgetLine.id == entry.line_id)
        .execution_options(include_withdrawn=True)
    ).scalar_one()
    if line.is_withdrawn:
        return f"Its budget line, {line.product}, is withdrawn: restore the line first"
    return None


def issue_restore_refusal(entry: IssueLogEntry) -> str | None:
    """The log's entry for a withdrawn change request comes back with the request."""
    request = db.session.execute(
        select(ChangeRequest)
        .where(ChangeRequest.issue_entry_id == entry.id)
        .execution_options(include_withdrawn=True)
    ).scalar_one_or_none()
    if request is None or not request.is_withdrawn:
        return None
    return (
        f"It is the log's entry for change request {request.number}, which is withdrawn: "
        "restore the change request, and this entry comes back with it"
    )


def meeting_refusal(meeting: Meeting) -> str | None:
    """A meeting that decided a change, or holds a stage review, is part of their record."""
    changes = db.session.execute(
        select(ChangeRequest.number)
        .where(ChangeRequest.meeting_id == meeting.id)
        .order_by(ChangeRequest.number)
    ).scalars()
    stages = db.session.execute(
        select(Stage.number)
        .join(StageReview, StageReview.stage_id == Stage.id)
        .where(StageReview.meeting_id == meeting.id)
        .order_by(Stage.number)
    ).scalars()
    found = [f"change request {n} was decided at it" for n in changes]
    found += [f"the stage {n} review is held at it" for n in stages]
    if not found:
        return None
    return capitalised("; ".join(found))
