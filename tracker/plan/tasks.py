"""Rules of a task of the work plan: its lateness, its dates, the people named on it, saving
it, and who may update it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import and_, func, not_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql.elements import ColumnElement

from tracker.auth.models import Person
from tracker.database import INCLUDE_WITHDRAWN
from tracker.extensions import db
from tracker.filters import date as format_date
from tracker.ordering import next_position
from tracker.plan.models import (
    Progress,
    Stage,
    Task,
)
from tracker.plan.stages import check_task_progress_allowed, worsens_stage_overrun
from tracker.projects.models import Membership, Project, Role, WorkStream
from tracker.rules import RuleRefused

# Lateness --------------------------------------------------------------------------------------


def effective_progress(task: Task, today: dt.date) -> Progress:
    """The progress the work plan shows: a task past its target and not finished is late.

    On the target date itself the task is not late yet; the day after it is. A task that is
    complete, or has an actual finish, is never late.
    """
    if task.progress is Progress.COMPLETE or task.actual_finish is not None:
        return task.progress
    if task.target_finish is not None and today > task.target_finish:
        return Progress.LATE
    return task.progress


def _overdue(today: dt.date) -> ColumnElement[bool]:
    """SQL for the lateness `effective_progress` derives (kept in step with it by a test)."""
    return and_(
        Task.progress != Progress.COMPLETE,
        Task.actual_finish.is_(None),
        Task.target_finish.is_not(None),
        Task.target_finish < today,
    )


def progress_condition(progress: Progress, today: dt.date) -> ColumnElement[bool]:
    """SQL: the task's effective progress on `today` is `progress`."""
    if progress is Progress.LATE:
        return or_(Task.progress == Progress.LATE, _overdue(today))
    return and_(Task.progress == progress, not_(_overdue(today)))


# Dates and people of a task --------------------------------------------------------------------


def task_date_problems(
    start: dt.date | None,
    target_finish: dt.date | None,
    actual_finish: dt.date | None,
    *,
    today: dt.date,
) -> list[RuleRefused]:
    """Every problem with a task's dates, each with the field it belongs to."""
    problems = []
    if start and target_finish and target_finish < start:
        problems.append(
            RuleRefused(
                "Target completion must be the same as or after the start date",
                field="target_finish",
            )
        )
    if actual_finish and start and actual_finish < start:
        problems.append(
            RuleRefused(
                "Actual finish must be the same as or after the start date", field="actual_finish"
            )
        )
    elif actual_finish and actual_finish > today:
        problems.append(
            RuleRefused("Actual finish must be today or in the past", field="actual_finish")
        )
    return problems


_SEPARATORS = re.compile(r"[/,;+&]|\band\b", re.IGNORECASE)


def resolve_people(text: str, people: Iterable[Person]) -> list[Person]:
    """People named by initials or full names ("PK/EG", "PK, Emma George"), in the order given.

    Only `people` (those of the project) can be named. Raises RuleRefused (field
    "responsible") for a name no one has, or initials two people share.
    """
    by_key: dict[str, list[Person]] = defaultdict(list)
    for person in people:
        for key in {(person.initials or "").strip().upper(), person.name.strip().upper()}:
            if key and person not in by_key[key]:
                by_key[key].append(person)
    chosen: list[Person] = []
    unknown: list[str] = []
    for token in (t.strip() for t in _SEPARATORS.split(text or "")):
        if not token:
            continue
        matches = by_key.get(token.upper())
        if matches is None and " " in token:
            # "PK EG": initials separated by spaces only
            parts = token.split()
            if all(by_key.get(p.upper()) for p in parts):
                for part in parts:
                    _add_unique(chosen, by_key[part.upper()], part)
                continue
        if not matches:
            unknown.append(token)
            continue
        _add_unique(chosen, matches, token)
    if unknown:
        names = ", ".join(unknown)
        raise RuleRefused(
            f"No one in this project has the initials or name {names}. "
            "Enter the initials of people in the project, like PK/EG",
            field="responsible",
        )
    return chosen


def _add_unique(chosen: list[Person], matches: list[Person], token: str) -> None:
    if len(matches) > 1:
        names = " and ".join(p.name for p in matches)
        raise RuleRefused(
            f"{names} both have the initials {token.upper()}: enter the full name instead",
            field="responsible",
        )
    if matches[0] not in chosen:
        chosen.append(matches[0])


# Saving tasks ---------------------------------------------------------------------------------


@dataclass
class TaskValues:
    """What the task form gives, as plain values."""

    code: str
    stage: Stage
    activity: str
    detail: str = ""
    responsible: list[Person] = field(default_factory=list)
    responsibility_note: str = ""
    work_stream: WorkStream | None = None
    start_date: dt.date | None = None
    target_finish: dt.date | None = None
    actual_finish: dt.date | None = None
    progress: Progress = Progress.NOT_STARTED
    comments: str = ""


def task_problems(
    project: Project,
    task: Task | None,
    values: TaskValues,
    stages: Sequence[Stage],
    *,
    today: dt.date,
) -> list[RuleRefused]:
    """Every reason the task cannot be saved with these values (empty when it can)."""
    problems = task_date_problems(
        values.start_date, values.target_finish, values.actual_finish, today=today
    )
    code = values.code.strip()
    if not code:
        problems.append(RuleRefused("Enter the task's code", field="code"))
    else:
        taken = db.session.execute(
            select(Task.id)
            .where(
                Task.project_id == project.id,
                func.lower(Task.code) == code.lower(),
                Task.id != (task.id if task is not None else -1),
            )
            # A withdrawn task keeps its code: the database's unique constraint counts it too.
            .execution_options(**INCLUDE_WITHDRAWN)
        ).first()
        if taken:
            problems.append(RuleRefused(f"A task with the code {code} already exists", "code"))
    if values.stage.project_id != project.id:
        problems.append(RuleRefused("Select a stage of this project", field="stage"))
    if values.work_stream is not None and values.work_stream.project_id != project.id:
        problems.append(RuleRefused("Select a work stream of this project", "work_stream"))
    if values.actual_finish is not None and values.progress is not Progress.COMPLETE:
        problems.append(
            RuleRefused(
                "Select Complete, or remove the actual finish date: a task with an actual "
                "finish is complete",
                field="progress",
            )
        )
    overrun = stage_overrun(task, values)
    if overrun is not None:
        problems.append(overrun)
    try:
        check_task_progress_allowed(
            values.stage, stages, values.progress, values.actual_finish, task=task
        )
    except RuleRefused as refused:
        problems.append(refused)
    return problems


# The message the task form recognises, to offer raising a change request beside it.
OVERRUN_ADVICE = "raise a change request to move the end of the stage"


def stage_overrun(task: Task | None, values: TaskValues) -> RuleRefused | None:
    """A task edit that takes the task past the end of its stage goes through change control,
    as a change request's new finish does (`worsens_stage_overrun`): refused here, with the
    advice to raise a change request. None when the new target finish fits."""
    stage, finish = values.stage, values.target_finish
    if finish is None:
        return None
    old_finish = task.target_finish if task is not None and task.stage_id == stage.id else None
    if not worsens_stage_overrun(finish, stage.end_date, old_finish, stage.end_date):
        return None
    return RuleRefused(
        f"Target completion must be on or before {format_date(stage.end_date)}, when stage "
        f"{stage.number} ends. To finish later, {OVERRUN_ADVICE}",
        field="target_finish",
    )


def save_task(
    project: Project,
    task: Task | None,
    values: TaskValues,
    stages: Sequence[Stage],
    *,
    today: dt.date,
) -> Task:
    """Create (task None) or change a task of the work plan. Nothing changes if a rule refuses."""
    problems = task_problems(project, task, values, stages, today=today)
    if problems:
        raise problems[0]
    if task is None:
        task = Task(project_id=project.id, position=next_position(Task, project.id))
        db.session.add(task)
    task.code = values.code.strip()
    task.stage = values.stage
    task.activity = values.activity.strip()
    task.detail = values.detail.strip()
    task.responsible = list(values.responsible)
    task.responsibility_note = values.responsibility_note.strip()
    task.work_stream = values.work_stream
    task.start_date = values.start_date
    task.target_finish = values.target_finish
    task.actual_finish = values.actual_finish
    task.progress = values.progress
    task.comments = values.comments.strip()
    try:
        db.session.flush()
    except IntegrityError:  # someone took the code a moment earlier
        raise RuleRefused(f"A task with the code {values.code} already exists", "code") from None
    return task


def update_task_progress(
    task: Task, stages: Sequence[Stage], *, progress: Progress, comments: str
) -> None:
    """A work stream lead's update: progress and comments only, within the stage gate."""
    check_task_progress_allowed(task.stage, stages, progress, task.actual_finish, task=task)
    if task.actual_finish is not None and progress is not Progress.COMPLETE:
        raise RuleRefused(
            f"This task finished on {format_date(task.actual_finish)}, so its progress is "
            "Complete. Ask the project manager to change the actual finish.",
            field="progress",
        )
    task.progress = progress
    task.comments = comments.strip()
    db.session.flush()


def led_work_stream_ids(person_id: int, project: Project) -> frozenset[int]:
    """The work streams this person leads in the project."""
    return frozenset(
        db.session.execute(
            select(Membership.work_stream_id).where(
                Membership.project_id == project.id,
                Membership.person_id == person_id,
                Membership.role == Role.WS_LEAD,
                Membership.work_stream_id.is_not(None),
            )
        ).scalars()
    )


def can_update_progress(task: Task, roles: frozenset[Role], led_stream_ids: frozenset[int]) -> bool:
    """The manager and support officer update any task; a work stream lead only their streams'."""
    if roles & {Role.MANAGER, Role.SUPPORT}:
        return True
    return Role.WS_LEAD in roles and task.work_stream_id in led_stream_ids


def can_edit_task(roles: frozenset[Role]) -> bool:
    return bool(roles & {Role.MANAGER, Role.SUPPORT})


def get_task(project: Project, task_id: int) -> Task | None:
    return db.session.execute(
        select(Task)
        .where(Task.id == task_id, Task.project_id == project.id)
        .options(selectinload(Task.responsible), joinedload(Task.work_stream))
    ).scalar_one_or_none()
