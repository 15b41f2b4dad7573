"""The plan read as plain rows, for the pages that only read it (issue 15).

`read_plan` returns the same `PlanData` as `load_plan`, but its tasks and dependencies are
slotted rows built from `select(columns)` instead of ORM objects: at 20,000 tasks and 30,000
dependencies, building and tracking ORM instances cost more than a second, the database a
tenth of that. The rows carry the attributes of `Task` and `TaskDependency` that reading needs
(and the same names), so the forecast, the timeline, the baselines' snapshot and the export
take either. Pages that change tasks (the import) keep `load_plan`.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import select

from tracker.auth.models import Person
from tracker.extensions import db
from tracker.plan.baselines import PlanData, project_milestones, project_stages
from tracker.plan.models import Progress, Stage, Task, TaskDependency, task_responsible
from tracker.plan.work_plan import project_work_streams
from tracker.projects.models import Project, WorkStream


class PersonRow(NamedTuple):
    name: str
    initials: str | None


class TaskRow(NamedTuple):
    """A task as the reading pages use it: the columns of `Task`, its stage and work stream
    (shared objects, looked up, not loaded per task) and the people responsible. Named tuples
    because building them is cheap: a plan may have 20,000."""

    id: int
    stage_id: int
    code: str
    activity: str
    detail: str
    responsibility_note: str
    work_stream_id: int | None
    start_date: dt.date | None
    target_finish: dt.date | None
    actual_finish: dt.date | None
    progress: Progress
    comments: str
    position: int
    stage: Stage | None
    work_stream: WorkStream | None
    responsible: list[PersonRow]


class DependencyRow(NamedTuple):
    id: int
    predecessor_id: int | None
    predecessor_milestone_id: int | None
    successor_task_id: int | None
    successor_milestone_id: int | None
    lag_days: int


TASK_COLUMNS = (
    Task.id,
    Task.stage_id,
    Task.code,
    Task.activity,
    Task.detail,
    Task.responsibility_note,
    Task.work_stream_id,
    Task.start_date,
    Task.target_finish,
    Task.actual_finish,
    Task.progress,
    Task.comments,
    Task.position,
)


def _responsible(project: Project) -> dict[int, list[PersonRow]]:
    """Each task's people, in the order they joined the tracker, as `Task.responsible` has them.

    The pairs come as two ids and the people once each: a plan has 20,000 pairs but some forty
    people, so each person's row is made once and shared."""
    pairs = db.session.execute(
        select(task_responsible.c.task_id, task_responsible.c.person_id)
        .join(Task, Task.id == task_responsible.c.task_id)
        .where(Task.project_id == project.id)
        .order_by(task_responsible.c.task_id, task_responsible.c.person_id)
    ).all()
    named = {person_id for _, person_id in pairs}
    people = {
        person_id: PersonRow(name, initials)
        for person_id, name, initials in db.session.execute(
            select(Person.id, Person.name, Person.initials).where(Person.id.in_(named))
        )
    }
    responsible: dict[int, list[PersonRow]] = {}
    for task_id, person_id in pairs:
        responsible.setdefault(task_id, []).append(people[person_id])
    return responsible


def read_plan(project: Project) -> PlanData:
    """Stages, work streams, tasks (with the people responsible), milestones and dependencies,
    as `load_plan` gives them, in seven queries whatever the size of the plan."""
    stages = project_stages(project)
    work_streams = project_work_streams(project)
    stage_by_id = {stage.id: stage for stage in stages}
    stream_by_id = {stream.id: stream for stream in work_streams}
    people = _responsible(project)
    no_one: list[PersonRow] = []
    tasks = [
        TaskRow(*row, stage_by_id.get(row[1]), stream_by_id.get(row[6]), people.get(row[0], no_one))
        for row in db.session.execute(select(*TASK_COLUMNS).where(Task.project_id == project.id))
    ]
    tasks.sort(key=lambda t: (t.stage.number if t.stage else 0, t.position, t.id))
    milestones = project_milestones(project)
    dependencies = [
        DependencyRow(*row)
        for row in db.session.execute(
            select(
                TaskDependency.id,
                TaskDependency.predecessor_id,
                TaskDependency.predecessor_milestone_id,
                TaskDependency.successor_task_id,
                TaskDependency.successor_milestone_id,
                TaskDependency.lag_days,
            )
            .where(TaskDependency.project_id == project.id)
            .order_by(TaskDependency.id)
        )
    ]
    return PlanData(project, stages, work_streams, tasks, milestones, dependencies)  # type: ignore[arg-type]
