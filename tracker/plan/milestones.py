"""Milestones: their variance against the baseline, the inconsistencies of the milestone table,
and changing one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.filters import date as format_date
from tracker.plan.models import (
    Milestone,
    Stage,
    Task,
)
from tracker.plan.structure import BASELINED, plan_is_baselined
from tracker.projects.models import Project
from tracker.projects.span import check_in_span
from tracker.rules import RuleRefused


def finish_variance(milestone: Milestone) -> int | None:
    """Days between the baseline finish and the actual finish (or, until then, the scheduled one).

    Positive means later than the baseline. None when there is no baseline to compare with.
    """
    if milestone.baseline_finish is None:
        return None
    finish: dt.date = milestone.actual_finish or milestone.scheduled_finish
    return (finish - milestone.baseline_finish).days


# Milestones ------------------------------------------------------------------------------------


def project_milestones(project: Project) -> list[Milestone]:
    return list(
        db.session.execute(
            select(Milestone)
            .where(Milestone.project_id == project.id)
            .options(joinedload(Milestone.stage))
            .order_by(Milestone.position, Milestone.scheduled_finish, Milestone.id)
        ).scalars()
    )


def latest_task_finishes(project: Project) -> dict[int, dt.date]:
    """Each stage's latest task target finish, by stage id: one query."""
    rows = db.session.execute(
        select(Task.stage_id, func.max(Task.target_finish))
        .where(Task.project_id == project.id)
        .group_by(Task.stage_id)
    )
    return {stage_id: finish for stage_id, finish in rows if finish is not None}


def _finish(milestone: Milestone) -> dt.date:
    return milestone.actual_finish or milestone.scheduled_finish


def milestone_warnings(
    project: Project,
    milestones: Sequence[Milestone],
    stages: Sequence[Stage],
    latest_task_finish: Mapping[int, dt.date],
) -> dict[int, list[str]]:
    """Obvious inconsistencies of the milestone table, by milestone id (every milestone listed).

    The data is shown as written and flagged, never corrected:
    - a stage milestone earlier than the milestone of an earlier stage;
    - a stage milestone before its stage starts;
    - a stage review scheduled before the stage's work ends (its latest task target finish, or
      its milestone), for reviews not yet decided;
    - a scheduled, baseline or actual finish outside the project's start and end.
    `stages` need their reviews loaded; `latest_task_finish` is by stage id.
    """
    warnings: dict[int, list[str]] = {m.id: [] for m in milestones}
    stage_by_id = {s.id: s for s in stages}
    staged = sorted(
        (m for m in milestones if m.stage_id in stage_by_id),
        key=lambda m: (stage_by_id[m.stage_id].number, _finish(m)),
    )
    by_stage: dict[int, list[Milestone]] = defaultdict(list)
    for milestone in staged:
        by_stage[milestone.stage_id].append(milestone)

    for milestone in staged:
        stage = stage_by_id[milestone.stage_id]
        finish = _finish(milestone)
        which = "actual finish" if milestone.actual_finish else "scheduled finish"
        earlier = [
            m
            for m in staged
            if stage_by_id[m.stage_id].number < stage.number and _finish(m) > finish
        ]
        if earlier:
            latest = max(earlier, key=_finish)
            warnings[milestone.id].append(
                f"The {which} ({format_date(finish)}) is earlier than the stage "
                f"{stage_by_id[latest.stage_id].number} milestone ({format_date(_finish(latest))})"
            )
        if finish < stage.start_date:
            warnings[milestone.id].append(
                f"The {which} ({format_date(finish)}) is before stage {stage.number} starts "
                f"({format_date(stage.start_date)})"
            )

    for stage in stages:
        own = by_stage.get(stage.id)
        if not own:
            continue
        ends = [(_finish(m), "its milestone") for m in own]
        if stage.id in latest_task_finish:
            ends.append((latest_task_finish[stage.id], "its latest task target"))
        work_ends, what = max(ends, key=lambda e: e[0])
        for review in stage.reviews:
            if review.decision is not None or review.scheduled_on is None:
                continue
            if review.scheduled_on < work_ends:
                warnings[own[-1].id].append(
                    f"The stage {stage.number} review is scheduled for "
                    f"{format_date(review.scheduled_on)}, before the stage's work ends "
                    f"({format_date(work_ends)}, {what})"
                )

    for milestone in milestones:
        for label, day in (
            ("scheduled finish", milestone.scheduled_finish),
            ("baseline finish", milestone.baseline_finish),
            ("actual finish", milestone.actual_finish),
        ):
            if day is not None and not project.start_date <= day <= project.end_date:
                warnings[milestone.id].append(
                    f"The {label} ({format_date(day)}) is outside the project's dates "
                    f"({format_date(project.start_date)} to {format_date(project.end_date)})"
                )
    return warnings


def update_milestone(
    project: Project,
    milestone: Milestone,
    *,
    scheduled_finish: dt.date,
    actual_finish: dt.date | None,
    notes: str,
    today: dt.date,
) -> None:
    """Change a milestone's scheduled and actual finish and notes; the baseline stays as saved.

    The scheduled finish moves only within the project's dates, and only until the plan is
    baselined: after that, through a change request (`tracker.plan.structure`)."""
    if scheduled_finish != milestone.scheduled_finish:
        if plan_is_baselined(project):
            raise RuleRefused(
                f"{BASELINED}. Leave the scheduled finish as it is", "scheduled_finish"
            )
        check_in_span(project, scheduled_finish, what="Scheduled finish", field="scheduled_finish")
    if actual_finish is not None and actual_finish > today:
        raise RuleRefused("Actual finish must be today or in the past", field="actual_finish")
    milestone.scheduled_finish = scheduled_finish
    milestone.actual_finish = actual_finish
    milestone.notes = (notes or "").strip()
    db.session.flush()
