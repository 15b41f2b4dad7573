"""What proposed new dates would break in the plan: checked before a change request is approved.

- `dependency_breaks`: a finish-to-start dependency between tasks and milestones (8.2) that the
  new dates would break; `broken_links` is the rule on plain dates.
- `stage_overlaps`: a stage that would start on or before the end of the stage before it (the
  stages run one after another: 8.1).
- `stage_overruns`: a task that would finish after the end of its stage (its finish moved
  later, or the stage's end earlier).
- `plan_conflicts`: all three, as the change request page and its approval use them.

The proposed dates are any objects with `target` ("task", "milestone", "stage" or "project"),
`target_id`, `field` (the date column) and `new_date`: a change request's effects
(tracker.issues) are such objects. A conflict already in the plan counts only if the new dates
make it worse, so an old slip does not block an unrelated change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import or_, select

from tracker.extensions import db
from tracker.filters import date as day_text
from tracker.plan.baselines import dependency_keys
from tracker.plan.models import Milestone, Stage, Task, TaskDependency
from tracker.plan.schedule import Link
from tracker.plan.stages import worsens_stage_overrun
from tracker.projects.models import Project


class ProposedDate(Protocol):
    """A new date proposed for a task, milestone, stage or the project (a change's effect)."""

    @property
    def target(self) -> str: ...

    @property
    def target_id(self) -> int: ...

    @property
    def field(self) -> str: ...

    @property
    def new_date(self) -> dt.date | None: ...


@dataclass(frozen=True)
class DependencyBreak:
    predecessor: str
    successor: str
    predecessor_finish: dt.date
    successor_start: dt.date
    earliest_start: dt.date
    successor_is_milestone: bool = False
    predecessor_is_milestone: bool = False

    def message(self) -> str:
        verb = "be reached" if self.successor_is_milestone else "start"
        finish = "be reached" if self.predecessor_is_milestone else "finish"
        return (
            f"{self.successor} would {verb} on {day_text(self.successor_start)}, but it waits for "
            f"{self.predecessor}, which would {finish} on {day_text(self.predecessor_finish)}: it "
            f"cannot {verb} before {day_text(self.earliest_start)}"
        )


def broken_links(
    before: Mapping[str, tuple[dt.date, dt.date]],
    after: Mapping[str, tuple[dt.date, dt.date]],
    links: Iterable[Link],
    milestones: Iterable[str] = (),
) -> list[tuple[Link, dt.date, dt.date]]:
    """Finish-to-start links that the move from `before` to `after` breaks.

    Items are keyed as in tracker.plan.schedule ("t12", "m3") with (start, finish) dates; a
    predecessor already finished is given with its actual finish. As the forecast counts them, a
    task may start the day after its predecessor finishes (+ lag), a milestone on that day
    (+ lag). A link already broken before the move counts only if the move makes it worse, so an
    old slip in the plan does not block unrelated changes.

    Returns (link, earliest start, successor start) for each broken link.
    """
    milestones = set(milestones)
    broken: list[tuple[Link, dt.date, dt.date]] = []

    def shortfall(
        dates: Mapping[str, tuple[dt.date, dt.date]], link: Link
    ) -> tuple[int, dt.date, dt.date] | None:
        if link.predecessor not in dates or link.successor not in dates:
            return None
        gap = link.lag if link.successor in milestones else 1 + link.lag
        earliest = dates[link.predecessor][1] + dt.timedelta(days=gap)
        start = dates[link.successor][0]
        return (earliest - start).days, earliest, start

    for link in links:
        now = shortfall(after, link)
        if now is None or now[0] <= 0:
            continue
        was = shortfall(before, link)
        if was is not None and was[0] >= now[0]:
            continue
        broken.append((link, now[1], now[2]))
    return broken


def _plan_dates(
    project: Project,
) -> tuple[
    dict[str, tuple[dt.date, dt.date]], dict[str, str], set[str], dict[str, bool], list[Link]
]:
    tasks = db.session.execute(
        select(
            Task.id,
            Task.code,
            Task.activity,
            Task.start_date,
            Task.target_finish,
            Task.actual_finish,
        ).where(Task.project_id == project.id)
    ).all()
    milestones = db.session.execute(
        select(
            Milestone.id, Milestone.name, Milestone.scheduled_finish, Milestone.actual_finish
        ).where(Milestone.project_id == project.id)
    ).all()
    deps = db.session.execute(
        select(
            TaskDependency.predecessor_id,
            TaskDependency.predecessor_milestone_id,
            TaskDependency.successor_task_id,
            TaskDependency.successor_milestone_id,
            TaskDependency.lag_days,
        ).where(TaskDependency.project_id == project.id)
    ).all()
    dates: dict[str, tuple[dt.date, dt.date]] = {}
    names: dict[str, str] = {}
    finished: dict[str, bool] = {}
    for t in tasks:
        start = t.start_date or t.target_finish
        finish = t.actual_finish or t.target_finish or t.start_date
        if start is None or finish is None:
            continue
        dates[f"t{t.id}"] = (start, finish)
        names[f"t{t.id}"] = f"Task {t.code} {t.activity}"
        finished[f"t{t.id}"] = t.actual_finish is not None
    for m in milestones:
        day = m.actual_finish or m.scheduled_finish
        dates[f"m{m.id}"] = (day, day)
        names[f"m{m.id}"] = f"Milestone {m.name}"
        finished[f"m{m.id}"] = m.actual_finish is not None
    links = [
        Link(
            *dependency_keys(
                d.predecessor_id,
                d.predecessor_milestone_id,
                d.successor_task_id,
                d.successor_milestone_id,
            ),
            d.lag_days or 0,
        )
        for d in deps
    ]
    return dates, names, {f"m{m.id}" for m in milestones}, finished, links


def dependency_breaks(project: Project, moves: Sequence[ProposedDate]) -> list[DependencyBreak]:
    """The finish-to-start dependencies the change's proposed dates would break (three queries)."""
    date_effects = [e for e in moves if e.target in ("task", "milestone") and e.new_date]
    if not date_effects:
        return []
    before, names, milestones, finished, links = _plan_dates(project)
    after = dict(before)
    for effect in date_effects:
        key = f"{'t' if effect.target == 'task' else 'm'}{effect.target_id}"
        new = effect.new_date
        assert new is not None
        if finished.get(key):
            continue  # a finished task or milestone keeps its actual finish
        start, finish = after.get(key, (new, new))  # an undated task takes its dates from here
        if effect.target == "milestone":
            start = finish = new
        elif effect.field == "start_date":
            start = new
        else:
            finish = new
        after[key] = (start, finish)
    moved = {k for k in after if after[k] != before.get(k)}
    relevant = [link for link in links if link.predecessor in moved or link.successor in moved]
    return [
        DependencyBreak(
            predecessor=names.get(link.predecessor, link.predecessor),
            successor=names.get(link.successor, link.successor),
            predecessor_finish=after[link.predecessor][1],
            successor_start=start,
            earliest_start=earliest,
            successor_is_milestone=link.successor in milestones,
            predecessor_is_milestone=link.predecessor in milestones,
        )
        for link, earliest, start in broken_links(before, after, relevant, milestones)
    ]


@dataclass(frozen=True)
class StageOverlap:
    """A change would make a stage start on or before the end of the stage before it."""

    earlier: str
    later: str
    earlier_end: dt.date
    later_start: dt.date

    def message(self) -> str:
        return (
            f"{self.later} would start on {day_text(self.later_start)}, but {self.earlier} would "
            f"end on {day_text(self.earlier_end)}: the stages run one after another, so move the "
            f"start of {self.later} too"
        )


def stage_overlaps(project: Project, moves: Sequence[ProposedDate]) -> list[StageOverlap]:
    """Stages that the change's proposed stage dates would make overlap (one query).

    As with dependencies, an overlap already in the plan counts only if the change makes it
    worse, so an old slip does not block an unrelated change.
    """
    new_dates = {
        (e.target_id, e.field): e.new_date
        for e in moves
        if e.target == "stage" and e.new_date is not None
    }
    if not new_dates:
        return []
    stages = db.session.execute(
        select(Stage.id, Stage.number, Stage.name, Stage.start_date, Stage.end_date)
        .where(Stage.project_id == project.id)
        .order_by(Stage.number)
    ).all()
    overlaps: list[StageOverlap] = []
    for earlier, later in zip(stages, stages[1:], strict=False):
        end = new_dates.get((earlier.id, "end_date"), earlier.end_date)
        start = new_dates.get((later.id, "start_date"), later.start_date)
        if start > end or (end - start) <= (earlier.end_date - later.start_date):
            continue
        overlaps.append(
            StageOverlap(
                earlier=f"stage {earlier.number} {earlier.name}",
                later=f"stage {later.number} {later.name}",
                earlier_end=end,
                later_start=start,
            )
        )
    return overlaps


@dataclass(frozen=True)
class StageOverrun:
    """A change would make a task finish after the end of its stage."""

    task: str
    stage: str
    task_finish: dt.date
    stage_end: dt.date

    def message(self) -> str:
        return (
            f"{self.task} would finish on {day_text(self.task_finish)}, after {self.stage} ends on "
            f"{day_text(self.stage_end)}: the stage review would come before its work is done, so "
            f"move the end of {self.stage} too"
        )


def stage_overruns(project: Project, moves: Sequence[ProposedDate]) -> list[StageOverrun]:
    """Tasks that the change's proposed finishes, or its new stage ends, would leave finishing
    after the end of their stage (one query).

    As with dependencies, an overrun already in the plan counts only if the change makes it
    worse.
    """
    finishes = {
        e.target_id: e.new_date
        for e in moves
        if e.target == "task" and e.field == "target_finish" and e.new_date
    }
    stage_ends = {
        e.target_id: e.new_date
        for e in moves
        if e.target == "stage" and e.field == "end_date" and e.new_date
    }
    if not finishes and not stage_ends:
        return []
    rows = db.session.execute(
        select(Task.id, Task.code, Task.activity, Task.target_finish)
        .add_columns(Stage.id, Stage.number, Stage.end_date)
        .join(Stage, Stage.id == Task.stage_id)
        .where(
            Task.project_id == project.id,
            or_(Task.id.in_(finishes), Task.stage_id.in_(stage_ends)),
        )
        .order_by(Task.position, Task.id)
    ).all()
    overruns = []
    for task_id, code, activity, old_finish, stage_id, number, old_end in rows:
        finish, end = finishes.get(task_id, old_finish), stage_ends.get(stage_id, old_end)
        if finish and worsens_stage_overrun(finish, end, old_finish, old_end):
            overruns.append(
                StageOverrun(
                    task=f"Task {code} {activity}",
                    stage=f"stage {number}",
                    task_finish=finish,
                    stage_end=end,
                )
            )
    return overruns


def plan_conflicts(
    project: Project, moves: Sequence[ProposedDate]
) -> list[DependencyBreak | StageOverlap | StageOverrun]:
    """Everything in the plan the change's proposed dates would break: the dependencies between
    tasks and milestones, the order of the stages, and a stage's work fitting inside it."""
    return [
        *dependency_breaks(project, moves),
        *stage_overlaps(project, moves),
        *stage_overruns(project, moves),
    ]
