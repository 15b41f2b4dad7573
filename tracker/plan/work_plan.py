"""Loading the work plan: the tasks matching the filters, grouped by stage, and the work streams
and people it can be filtered by.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import ColumnElement

from tracker.auth.models import Person
from tracker.extensions import db
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


def work_plan_tasks(project: Project, filters: TaskFilter, *, today: dt.date) -> list[Task]:
    """The tasks matching the filters, with their people and work stream: two queries."""
    conditions: list[ColumnElement[bool]] = [Task.project_id == project.id]
    if filters.stage_id is not None:
        conditions.append(Task.stage_id == filters.stage_id)
    if filters.work_stream_id is not None:
        conditions.append(Task.work_stream_id == filters.work_stream_id)
    if filters.person_id is not None:
        conditions.append(Task.responsible.any(Person.id == filters.person_id))
    if filters.status is not None:
        conditions.append(progress_condition(filters.status, today))
    tasks = list(
        db.session.execute(
            select(Task)
            .join(Stage, Stage.id == Task.stage_id)
            .where(*conditions)
            .options(joinedload(Task.work_stream))
            .order_by(Stage.number, Task.position, Task.code)
        ).scalars()
    )
    attach_responsible(tasks, select(Task.id).where(*conditions))
    return tasks


def work_plan(
    stages: Sequence[Stage], tasks: Sequence[Task], filters: TaskFilter
) -> list[StageTasks]:
    """Tasks grouped by stage as in section 8.4. A filtered view leaves out empty stages."""
    statuses = stage_statuses(stages)
    by_stage: dict[int, list[Task]] = defaultdict(list)
    for task in tasks:
        by_stage[task.stage_id].append(task)
    groups = []
    for stage in sorted(stages, key=lambda s: s.number):
        if filters.stage_id is not None and stage.id != filters.stage_id:
            continue
        if filters.active and not by_stage.get(stage.id):
            continue
        groups.append(StageTasks(stage, statuses[stage.number], by_stage.get(stage.id, [])))
    return groups
