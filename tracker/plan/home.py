"""The plan's part of the project home page (tracker/projects/areas.py): the stages and their
status, the late tasks for those who keep the logs, a work stream lead's tasks due soon or
late, and how many tasks and milestones the plan holds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.permissions import can
from tracker.plan.models import Milestone, Progress, Stage, Task
from tracker.plan.stages import stage_statuses
from tracker.plan.tasks import effective_progress, led_work_stream_ids, progress_condition
from tracker.projects.areas import (
    Asker,
    CountedArea,
    add_counts,
    add_home_part,
    counting,
)
from tracker.projects.models import Project, Role

# A work stream lead is shown their stream's unfinished tasks due within this many days.
DUE_SOON_DAYS = 14


def is_due_soon_or_late(task: Task, today: dt.date) -> bool:
    """Not complete, and its target completion is past or within DUE_SOON_DAYS days."""
    if task.progress is Progress.COMPLETE or task.actual_finish is not None:
        return False
    return task.target_finish is not None and task.target_finish <= today + dt.timedelta(
        days=DUE_SOON_DAYS
    )


def project_stages(project: Project) -> list[Stage]:
    return list(
        db.session.execute(
            select(Stage)
            .where(Stage.project_id == project.id)
            .options(selectinload(Stage.reviews))
            .order_by(Stage.number)
        ).scalars()
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


def _stream_tasks(asker: Asker) -> list[Task]:
    """The unfinished tasks of the streams the asker leads, due within DUE_SOON_DAYS or late."""
    streams = led_work_stream_ids(asker.person.id, asker.project)
    if not streams:
        return []
    horizon = asker.today + dt.timedelta(days=DUE_SOON_DAYS)
    candidates = _tasks(
        asker.project,
        Task.work_stream_id.in_(streams),
        Task.target_finish.is_not(None),
        Task.target_finish <= horizon,
    )
    return [t for t in candidates if is_due_soon_or_late(t, asker.today)]


def home_part(asker: Asker) -> dict[str, Any]:
    stages = project_stages(asker.project)
    late_tasks = (
        _tasks(asker.project, progress_condition(Progress.LATE, asker.today))
        if can("risk.edit", asker.roles)
        else []
    )
    stream_tasks = _stream_tasks(asker) if Role.WS_LEAD in asker.roles else []
    return {
        "stages": stages,
        "statuses": stage_statuses(stages),
        "late_tasks": late_tasks,
        "stream_tasks": stream_tasks,
        "progress_words": {
            t.id: effective_progress(t, asker.today).label.lower() for t in stream_tasks
        },
        "due_soon_days": DUE_SOON_DAYS,
    }


def register() -> None:
    add_home_part("plan", home_part)
    add_counts(
        CountedArea(30, "Work plan tasks", "plan.work_plan", "plan.view", counting(Task)),
        CountedArea(40, "Milestones", "plan.milestones", "plan.view", counting(Milestone)),
    )
