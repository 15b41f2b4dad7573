"""Loading the plan from seed/: stages and their reviews, tasks, milestones and the baseline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from tracker.extensions import db
from tracker.issues.models import EffectTarget
from tracker.plan.models import Milestone, PlanBaseline, Progress, Stage, StageReview, Task
from tracker.projects.models import MeetingKind
from tracker.seeding.files import _date, _read_csv
from tracker.seeding.loader import _Loader


def load_stages(loader: _Loader) -> None:
    for conf in loader.config["stages"]:
        values = {"name": conf["name"], "start_date": conf["start"], "end_date": conf["end"]}
        stage, created = loader._get_or_add(
            Stage,
            {"project_id": loader.project.id, "number": conf["number"]},
            loader.before_change(EffectTarget.STAGE, conf["number"], values),
        )
        if created:
            loader.rewound.add((EffectTarget.STAGE, stage.id))
        loader.stages[stage.number] = stage
        # 9.2 schedules each review at a project group meeting; link it where one is held
        # that day (the dates written with a slip match none).
        meeting = loader.meetings.get((MeetingKind.PROJECT_GROUP, conf["review_on"]))
        loader._get_or_add(
            StageReview,
            {"stage_id": stage.id, "scheduled_on": conf["review_on"]},
            {"meeting_id": meeting.id if meeting else None},
        )


def load_tasks(loader: _Loader) -> None:
    for position, row in enumerate(_read_csv(loader.dir / "tasks.csv"), start=1):
        refs = [ref.strip() for ref in row["responsible"].split("/") if ref.strip()]
        stream = loader.streams[row["work_stream"]] if row["work_stream"] else None
        loader._get_or_add(
            Task,
            {"project_id": loader.project.id, "code": row["code"]},
            {
                "stage_id": loader.stages[int(row["stage"])].id,
                "activity": row["activity"],
                "detail": row["detail"],
                "responsibility_note": row["responsibility_note"],
                "work_stream_id": stream.id if stream else None,
                "start_date": _date(row["start"]),
                "target_finish": _date(row["target_finish"]),
                "actual_finish": _date(row["actual_finish"]),
                "progress": Progress(row["progress"]),
                "comments": row["comments"],
                "position": position,
                "responsible": [loader.person(ref) for ref in refs],
            },
        )


def load_milestones(loader: _Loader) -> None:
    for position, row in enumerate(_read_csv(loader.dir / "milestones.csv"), start=1):
        values = {
            "stage_id": loader.stages[int(row["stage"])].id if row["stage"] else None,
            "scheduled_finish": _date(row["scheduled_finish"]),
            "baseline_finish": _date(row["baseline_finish"]),
            "actual_finish": _date(row["actual_finish"]),
            "notes": row["notes"],
            "position": position,
        }
        milestone, created = loader._get_or_add(
            Milestone,
            {"project_id": loader.project.id, "name": row["name"]},
            loader.before_change(EffectTarget.MILESTONE, row["name"], values),
        )
        loader.milestones[row["name"]] = milestone
        if created:
            loader.rewound.add((EffectTarget.MILESTONE, milestone.id))


def load_baseline(loader: _Loader) -> None:
    """A copy of the plan's dates as loaded, under the name the document version gives."""
    conf = loader.config["baseline"]
    key = {"project_id": loader.project.id, "name": conf["name"]}
    if db.session.execute(select(PlanBaseline.id).filter_by(**key)).first():
        return

    def iso(day: dt.date | None) -> str | None:
        return day.isoformat() if day else None

    items: list[dict[str, Any]] = []
    for stage in sorted(loader.stages.values(), key=lambda s: s.number):
        items.append(
            {
                "kind": "stage",
                "id": stage.id,
                "code": f"S{stage.number}",
                "name": stage.name,
                "start": iso(stage.start_date),
                "finish": iso(stage.end_date),
            }
        )
    tasks = db.session.execute(
        select(Task).where(Task.project_id == loader.project.id).order_by(Task.position)
    ).scalars()
    for task in tasks:
        items.append(
            {
                "kind": "task",
                "id": task.id,
                "code": task.code,
                "name": task.activity,
                "start": iso(task.start_date),
                "finish": iso(task.target_finish),
            }
        )
    for milestone in sorted(loader.milestones.values(), key=lambda m: m.position):
        items.append(
            {
                "kind": "milestone",
                "id": milestone.id,
                "code": None,
                "name": milestone.name,
                "start": None,
                "finish": iso(milestone.scheduled_finish),
            }
        )
    loader._get_or_add(
        PlanBaseline,
        key,
        {
            "taken_on": conf["taken_on"],
            "taken_by_id": loader.person(conf["taken_by"]).id,
            "items": items,
        },
    )
