"""Loading the work plan: the tasks matching the filters, grouped by stage, and the work streams
and people it can be filtered by.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import ColumnElement

from tracker.auth.models import Person
from tracker.extensions import db
from tracker.paging import Page
from tracker.plan.models import (
    Progress,
    Stage,
    Task,
    task_responsible,
)
from tracker.plan.stages import StageStatus, stage_statuses
from tracker.plan.tasks import progress_condition
from tracker.projects.models import Membership, Project, WorkStream


def project_work_streams(project: Project) -> list[WorkStream]:
    return list(
        db.session.execute(
            select(WorkStream)
            .where(WorkStream.project_id == project.id)
            .order_by(WorkStream.position, WorkStream.code)
        ).scalars()
    )


def task_people(project: Project) -> list[Person]:
    """Everyone who can be named on a task: the project's members and anyone already named."""
    members = select(Membership.person_id).where(Membership.project_id == project.id)
    named = (
        select(task_responsible.c.person_id)
        .join(Task, Task.id == task_responsible.c.task_id)
        .where(Task.project_id == project.id)
    )
    return list(
        db.session.execute(
            select(Person)
            .where(or_(Person.id.in_(members), Person.id.in_(named)))
            .order_by(Person.name)
        ).scalars()
    )


@dataclass(frozen=True)
class TaskFilter:
    stage_id: int | None = None
    work_stream_id: int | None = None
    person_id: int | None = None
    status: Progress | None = None

    @property
    def active(self) -> bool:
        values = (self.stage_id, self.work_stream_id, self.person_id, self.status)
        return any(v is not None for v in values)


@dataclass
class StageTasks:
    stage: Stage
    status: StageStatus
    tasks: list[Task]
    continued: bool = False  # its tasks began on an earlier page


def attach_responsible(tasks: Sequence[Task], task_ids: Select[tuple[int]]) -> None:
    """Load the people responsible for `tasks`, whose ids `task_ids` selects, in one query.

    selectinload would send one query per 500 tasks, so a page's queries would grow with the plan.
    """
    responsible: dict[int, list[Person]] = {task.id: [] for task in tasks}
    rows = db.session.execute(
        select(task_responsible.c.task_id, Person)
        .join(Person, Person.id == task_responsible.c.person_id)
        .where(task_responsible.c.task_id.in_(task_ids))
        .order_by(task_responsible.c.task_id, Person.id)
    )
    for task_id, person in rows:
        if task_id in responsible:
            responsible[task_id].append(person)
    for task in tasks:
        set_committed_value(task, "responsible", responsible[task.id])


def _conditions(project: Project, filters: TaskFilter, today: dt.date) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Task.project_id == project.id]
    if filters.stage_id is not None:
        conditions.append(Task.stage_id == filters.stage_id)
    if filters.work_stream_id is not None:
        conditions.append(Task.work_stream_id == filters.work_stream_id)
    if filters.person_id is not None:
        conditions.append(Task.responsible.any(Person.id == filters.person_id))
    if filters.status is not None:
        conditions.append(progress_condition(filters.status, today))
    return conditions


def work_plan_tasks(
    project: Project, filters: TaskFilter, *, today: dt.date, page: Page | None = None
) -> list[Task]:
    """The tasks matching the filters (only those of `page`, when given), in the work plan's
    order, with their people and work stream: two queries."""
    conditions = _conditions(project, filters, today)
    query = (
        select(Task)
        .join(Stage, Stage.id == Task.stage_id)
        .where(*conditions)
        .options(joinedload(Task.work_stream))
        .order_by(Stage.number, Task.position, Task.code, Task.id)
    )
    if page is not None:
        query = query.limit(page.size).offset(page.offset)
    tasks = list(db.session.execute(query).scalars())
    ids = select(Task.id).where(*conditions)
    if page is not None:
        ids = select(Task.id).where(Task.id.in_([task.id for task in tasks]))
    attach_responsible(tasks, ids)
    return tasks


def stage_task_counts(project: Project, filters: TaskFilter, *, today: dt.date) -> dict[int, int]:
    """How many tasks of each stage match the filters: one query."""
    rows = db.session.execute(
        select(Task.stage_id, func.count())
        .where(*_conditions(project, filters, today))
        .group_by(Task.stage_id)
    )
    return {stage_id: count for stage_id, count in rows}


def work_plan(
    stages: Sequence[Stage],
    tasks: Sequence[Task],
    filters: TaskFilter,
    first_pages: Mapping[int, int],
    page: Page,
) -> list[StageTasks]:
    """The page's tasks grouped by stage as in section 8.4. A filtered view leaves out empty
    stages; otherwise an empty stage shows on the page where its tasks would begin
    (`first_pages`, from `stage_first_pages`)."""
    statuses = stage_statuses(stages)
    by_stage: dict[int, list[Task]] = defaultdict(list)
    for task in tasks:
        by_stage[task.stage_id].append(task)
    groups = []
    for stage in sorted(stages, key=lambda s: s.number):
        if filters.stage_id is not None and stage.id != filters.stage_id:
            continue
        if not by_stage.get(stage.id) and (filters.active or first_pages[stage.id] != page.number):
            continue
        groups.append(
            StageTasks(
                stage,
                statuses[stage.number],
                by_stage.get(stage.id, []),
                continued=first_pages[stage.id] < page.number,
            )
        )
    return groups


def stage_first_pages(
    stages: Sequence[Stage], counts: Mapping[int, int], page: Page
) -> dict[int, int]:
    """The page on which each stage's tasks begin (for a stage with none, the page where they
    would: the last page at most)."""
    pages: dict[int, int] = {}
    offset = 0
    for stage in sorted(stages, key=lambda s: s.number):
        pages[stage.id] = min(offset // page.size + 1, page.count)
        offset += counts.get(stage.id, 0)
    return pages
