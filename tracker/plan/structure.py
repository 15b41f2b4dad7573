"""Editing the plan's structure: its stages (8.1) and milestones (8.5), until the plan is
baselined.

Before the first baseline the plan is a draft: stages and milestones are added, edited and put
in order freely, within the rules of their dates. Once a baseline is saved the dates are
commitments, and they move only through change control (tracker.issues): these rules then
refuse to add, move or re-date anything (a stage's name and products still change).

- `plan_is_baselined`: whether a baseline has been saved.
- `stage_date_problems`: an end before the start, a stage outside its project, overlapping
  stages.
- `save_stage`, `move_stage`: add or change a stage, or move it up or down (renumbering).
- `save_new_milestone`, `move_milestone`: add a milestone, or move it up or down.
- `uncovered_project_days`: the project's days that no stage covers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from tracker.extensions import db
from tracker.filters import date as format_date
from tracker.ordering import move_position, next_position
from tracker.plan.models import Milestone, PlanBaseline, Stage
from tracker.plan.stages import worsens_stage_overrun
from tracker.projects.models import Project
from tracker.projects.span import check_in_span
from tracker.rules import RuleRefused

BASELINED = (
    "The plan has been baselined, so its stages and milestones are commitments: their dates "
    "now move only through a change request"
)


def plan_is_baselined(project: Project) -> bool:
    """Whether the project's plan has a saved baseline (one query)."""
    return (
        db.session.execute(
            select(PlanBaseline.id).where(PlanBaseline.project_id == project.id).limit(1)
        ).first()
        is not None
    )


def refuse_if_baselined(project: Project) -> None:
    if plan_is_baselined(project):
        raise RuleRefused(BASELINED)


# Stages ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageValues:
    name: str
    start_date: dt.date
    end_date: dt.date
    products: str = ""


def stage_date_problems(
    project: Project,
    stage: Stage | None,
    start: dt.date,
    end: dt.date,
    stages: Sequence[Stage],
) -> list[RuleRefused]:
    """Every problem with a stage's dates (`stage` None for a new one), each with its field: an
    end before the start, a start or end outside the project's dates, and an overlap with
    another of the project's `stages` (the stages run one after another)."""
    problems = []
    if end < start:
        problems.append(
            RuleRefused("End date must be the same as or after the start date", "end_date")
        )
    for field, day, what in (("start_date", start, "Start date"), ("end_date", end, "End date")):
        try:
            check_in_span(project, day, what=what, field=field)
        except RuleRefused as refused:
            problems.append(refused)
    for other in stages:
        if stage is not None and other.id == stage.id:
            continue
        if other.start_date <= end and start <= other.end_date:
            field = "start_date" if other.start_date <= start else "end_date"
            problems.append(
                RuleRefused(
                    f"The stage would overlap stage {other.number}, {other.name} "
                    f"({format_date(other.start_date)} to {format_date(other.end_date)})",
                    field,
                )
            )
            break
    return problems


def _clean_products(text: str) -> str:
    """One product a line, without blank lines or stray spaces."""
    return "\n".join(line.strip() for line in (text or "").splitlines() if line.strip())


def save_stage(
    project: Project, stage: Stage | None, values: StageValues, stages: Sequence[Stage]
) -> Stage:
    """Add a stage after the last (stage None) or change one. Once the plan is baselined a
    stage's name and products still change, but no stage is added and no date moves. Refused
    too when its dates break a rule; nothing changes then."""
    if stage is None:
        refuse_if_baselined(project)
    elif plan_is_baselined(project):
        for field, new, old in (
            ("start_date", values.start_date, stage.start_date),
            ("end_date", values.end_date, stage.end_date),
        ):
            if new != old:
                raise RuleRefused(f"{BASELINED}. Leave the date as it is", field)
    problems = stage_date_problems(project, stage, values.start_date, values.end_date, stages)
    if problems:
        raise problems[0]
    if stage is not None:
        _refuse_stranded_tasks(stage, values.end_date)
    if stage is None:
        number = max((s.number for s in stages), default=0) + 1
        stage = Stage(project_id=project.id, number=number)
        db.session.add(stage)
    stage.name = values.name.strip()
    stage.start_date = values.start_date
    stage.end_date = values.end_date
    stage.products = _clean_products(values.products)
    db.session.flush()
    return stage


def _refuse_stranded_tasks(stage: Stage, new_end: dt.date) -> None:
    """An earlier stage end must not leave a task of the stage finishing after it: the same
    rule as a task moved past its stage's end (`worsens_stage_overrun`)."""
    for task in stage.tasks:
        finish = task.target_finish
        if finish and worsens_stage_overrun(finish, new_end, finish, stage.end_date):
            raise RuleRefused(
                f"Task {task.code} finishes on {format_date(finish)}, after this end date: "
                "bring the task's target completion forward first",
                "end_date",
            )


def stages_out_of_order(stages: Sequence[Stage]) -> list[Stage]:
    """Stages that start before the stage numbered before them: the stage gate goes by number,
    so the numbers must follow the dates."""
    ordered = sorted(stages, key=lambda s: s.number)
    return [
        later
        for earlier, later in zip(ordered, ordered[1:], strict=False)
        if later.start_date < earlier.start_date
    ]


def move_stage(project: Project, stage: Stage, up: bool, stages: Sequence[Stage]) -> None:
    """Swap the stage's number with the stage before it (`up`) or after it. Refused once the
    plan is baselined; moving the first stage up or the last down changes nothing."""
    refuse_if_baselined(project)
    ordered = sorted(stages, key=lambda s: s.number)
    index = next(i for i, s in enumerate(ordered) if s.id == stage.id)
    other_index = index - 1 if up else index + 1
    if not 0 <= other_index < len(ordered):
        return
    other = ordered[other_index]
    mine, theirs = stage.number, other.number
    stage.number = 0  # the numbers are unique in the project: step aside first
    db.session.flush()
    other.number = mine
    db.session.flush()
    stage.number = theirs
    db.session.flush()


def uncovered_project_days(
    project: Project, stages: Sequence[Stage] | None = None
) -> list[tuple[dt.date, dt.date]]:
    """The spans of the project's days (first, last) that no stage covers, in date order: the
    days before the first stage, between stages, and after the last stage until the project
    ends. Empty when the stages cover the whole project. `stages` are the project's, when
    already loaded."""
    if stages is None:
        stages = project.stages
    gaps = []
    next_day = project.start_date
    for stage in sorted(stages, key=lambda s: s.start_date):
        if stage.start_date > next_day:
            gaps.append((next_day, min(stage.start_date - dt.timedelta(days=1), project.end_date)))
        next_day = max(next_day, stage.end_date + dt.timedelta(days=1))
        if next_day > project.end_date:
            break
    if next_day <= project.end_date:
        gaps.append((next_day, project.end_date))
    return [(first, last) for first, last in gaps if first <= last]


# Milestones ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneValues:
    name: str
    stage: Stage | None
    scheduled_finish: dt.date
    notes: str = ""


def save_new_milestone(project: Project, values: MilestoneValues) -> Milestone:
    """Add a milestone after the last. Refused once the plan is baselined, or when its
    scheduled finish is outside the project's dates."""
    refuse_if_baselined(project)
    check_in_span(
        project, values.scheduled_finish, what="Scheduled finish", field="scheduled_finish"
    )
    if values.stage is not None and values.stage.project_id != project.id:
        raise RuleRefused("Select a stage of this project", "stage")
    milestone = Milestone(
        project_id=project.id,
        stage=values.stage,
        name=values.name.strip(),
        scheduled_finish=values.scheduled_finish,
        notes=values.notes.strip(),
        position=next_position(Milestone, project.id),
    )
    db.session.add(milestone)
    db.session.flush()
    return milestone


def move_milestone(
    project: Project, milestone: Milestone, up: bool, milestones: Sequence[Milestone]
) -> None:
    """Move a milestone up or down the table (`milestones` in the table's order), numbering the
    positions afresh. Refused once the plan is baselined."""
    refuse_if_baselined(project)
    move_position(milestones, milestone, up)
