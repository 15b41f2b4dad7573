"""The CSE template (seed/cse_template.toml): its stages, their standard products and tasks, and
a milestone at each stage end, laid over a new project's start and end dates.

The template is data; this module only reads it and spreads its fractions over real dates. The
plan it makes is not baselined: the manager edits the dates before saving the first baseline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from tracker.config import PROJECT_ROOT
from tracker.evidence.models import Standard
from tracker.extensions import db
from tracker.plan.models import Milestone, Stage, Task
from tracker.projects.models import Project, WorkStream
from tracker.seeding.files import _read_toml

TEMPLATE_FILE = PROJECT_ROOT / "seed" / "cse_template.toml"


@dataclass(frozen=True)
class TemplateTask:
    activity: str
    detail: str
    start: float  # fractions of the stage's span
    finish: float
    work_stream: str = ""  # the code of one of the template's work streams


@dataclass(frozen=True)
class TemplateStage:
    number: int
    name: str
    span: float  # fraction of the project's span
    products: str
    tasks: tuple[TemplateTask, ...]


@dataclass(frozen=True)
class CseTemplate:
    stages: tuple[TemplateStage, ...]
    standard_seed: Path  # the seed file naming the standard, beside its criteria file
    work_streams: tuple[tuple[str, str], ...] = ()  # (code, name)


def load_template(path: Path = TEMPLATE_FILE) -> CseTemplate:
    """The template as written; refuses one whose stage spans do not cover the project."""
    data = _read_toml(path)
    stages = tuple(
        TemplateStage(
            number=conf["number"],
            name=conf["name"],
            span=float(conf["span"]),
            products=conf.get("products", "").strip(),
            tasks=tuple(
                TemplateTask(
                    activity=task["activity"],
                    detail=task.get("detail", ""),
                    start=float(task.get("start", 0.0)),
                    finish=float(task.get("finish", 1.0)),
                    work_stream=task.get("work_stream", ""),
                )
                for task in conf.get("tasks", [])
            ),
        )
        for conf in data["stages"]
    )
    if abs(sum(stage.span for stage in stages) - 1) > 1e-9:
        raise ValueError(f"{path.name}: the stages' spans must add up to 1")
    streams = tuple((conf["code"], conf["name"]) for conf in data.get("work_streams", []))
    return CseTemplate(stages, path.parent / data["standard"]["seed"], streams)


def day_at(start: dt.date, end: dt.date, fraction: float) -> dt.date:
    """The day `fraction` of the way from `start` to `end` (0 is start, 1 is end)."""
    return start + dt.timedelta(days=round((end - start).days * fraction))


def spread_stages(
    spans: list[float], start: dt.date, end: dt.date
) -> list[tuple[dt.date, dt.date]]:
    """Each stage's first and last day: consecutive, without gaps or overlaps, the first
    starting with the project and the last ending with it. A span too short for every stage
    to have a day of its own gives each stage at least one day, overrunning the end."""
    ranges: list[tuple[dt.date, dt.date]] = []
    done = 0.0
    first = start
    for number, span in enumerate(spans, start=1):
        done += span
        last = end if number == len(spans) else day_at(start, end, done)
        last = max(last, first)
        ranges.append((first, last))
        first = last + dt.timedelta(days=1)
    return ranges


def current_standard(template: CseTemplate) -> Standard:
    """The newest standard the installation holds; on an empty installation, the one the seed
    names, loaded as `flask seed` loads it."""
    standard = db.session.execute(
        select(Standard).order_by(Standard.id.desc()).limit(1)
    ).scalar_one_or_none()
    if standard is not None:
        return standard
    from tracker.seeding.loader import _Loader
    from tracker.seeding.standard import load_standard

    return load_standard(_Loader(template.standard_seed.parent))


def instantiate(project: Project, template: CseTemplate) -> None:
    """Give a new (flushed) project the template's work streams, stages, tasks and stage-end
    milestones over its dates, and the current standard. The budget starts empty."""
    project.standard_id = current_standard(template).id
    streams: dict[str, WorkStream] = {}
    for position, (code, name) in enumerate(template.work_streams, start=1):
        streams[code] = WorkStream(project_id=project.id, code=code, name=name, position=position)
        db.session.add(streams[code])
    db.session.flush()
    ranges = spread_stages([s.span for s in template.stages], project.start_date, project.end_date)
    position = 0
    for conf, (first, last) in zip(template.stages, ranges, strict=True):
        stage = Stage(
            project_id=project.id,
            number=conf.number,
            name=conf.name,
            start_date=first,
            end_date=last,
            products=conf.products,
        )
        db.session.add(stage)
        db.session.flush()
        for number, task in enumerate(conf.tasks, start=1):
            position += 1
            db.session.add(
                Task(
                    project_id=project.id,
                    stage_id=stage.id,
                    code=f"{conf.number}.{number}",
                    activity=task.activity,
                    detail=task.detail,
                    work_stream_id=streams[task.work_stream].id if task.work_stream else None,
                    start_date=day_at(first, last, task.start),
                    target_finish=day_at(first, last, task.finish),
                    position=position,
                )
            )
        db.session.add(
            Milestone(
                project_id=project.id,
                stage_id=stage.id,
                name=f"Stage {conf.number} - {conf.name} Complete",
                scheduled_finish=last,
                position=conf.number,
            )
        )
    db.session.flush()
