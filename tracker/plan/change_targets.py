"""What a change request may move in the plan (9.3), with each date as it is now.

`MOVABLE_DATES` names, per kind of thing in the plan, the date columns a change may move and how
a person names them; `change_targets(project)` lists every one of them in the project as choices
for the change request's effect form: (value, label), the value written "kind:id:column".
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from tracker.extensions import db
from tracker.filters import date as day_text
from tracker.plan.models import Milestone, Stage, Task
from tracker.projects.models import Project

MOVABLE_DATES: dict[str, dict[str, str]] = {
    "task": {"start_date": "start", "target_finish": "target finish"},
    "milestone": {"scheduled_finish": "scheduled finish"},
    "stage": {"start_date": "start", "end_date": "end"},
    "project": {"end_date": "end"},
}


def _now(value: dt.date | None) -> str:
    return day_text(value) if value is not None else "not set"


def _dates(kind: str, thing: Stage | Milestone | Task, name: str) -> list[tuple[str, str]]:
    """The dates of one stage, milestone or task a change may move, as choices."""
    return [
        (f"{kind}:{thing.id}:{column}", f"{name}: {words} (now {_now(getattr(thing, column))})")
        for column, words in MOVABLE_DATES[kind].items()
    ]


def change_targets(project: Project) -> list[tuple[str, str]]:
    """Every date a change may move: stages, milestones, the project end, then tasks, in the
    plan's order (three queries)."""
    stages = db.session.execute(
        select(Stage).where(Stage.project_id == project.id).order_by(Stage.number)
    ).scalars()
    choices = [c for s in stages for c in _dates("stage", s, f"Stage {s.number} {s.name}")]
    milestones = db.session.execute(
        select(Milestone)
        .where(Milestone.project_id == project.id)
        .order_by(Milestone.position, Milestone.scheduled_finish, Milestone.id)
    ).scalars()
    choices += [c for m in milestones for c in _dates("milestone", m, f"Milestone {m.name}")]
    choices.append(
        (f"project:{project.id}:end_date", f"Project end (now {_now(project.end_date)})")
    )
    tasks = db.session.execute(
        select(Task).where(Task.project_id == project.id).order_by(Task.position, Task.id)
    ).scalars()
    choices += [c for t in tasks for c in _dates("task", t, f"Task {t.code} {t.activity}")]
    return choices
