"""The rows of the timeline (Project Document 8.3): what the Gantt chart draws and its accessible
table lists.

`timeline_rows` turns the loaded plan, its forecast and a baseline into rows: one per stage (a
summary bar), task and milestone, filtered by stage or work stream.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field

from tracker.plan.baselines import PlanData, milestone_key, task_key
from tracker.plan.models import Progress, Stage
from tracker.plan.progress_styles import progress_label
from tracker.plan.schedule import Forecast, Link
from tracker.plan.tasks import effective_progress
from tracker.projects.models import WorkStream

LABEL_LENGTH = 48


@dataclass(slots=True)
class TimelineRow:
    """One row of the chart and of the table: a stage, a task or a milestone."""

    key: str  # "s3", "t12", "m4"
    kind: str  # stage, task, milestone
    code: str
    name: str
    stage: Stage | None
    work_stream: WorkStream | None = None
    responsible: str = ""
    start: dt.date | None = None
    finish: dt.date | None = None  # target finish; a milestone's scheduled date
    actual_finish: dt.date | None = None
    forecast_start: dt.date | None = None
    forecast_finish: dt.date | None = None
    slip: int = 0
    critical: bool = False
    total_float: int | None = None
    baseline_start: dt.date | None = None
    baseline_finish: dt.date | None = None
    progress: Progress | None = None
    predecessors: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}".strip()

    @property
    def short_label(self) -> str:
        label = self.label
        return label if len(label) <= LABEL_LENGTH else label[: LABEL_LENGTH - 1] + "…"

    @property
    def progress_label(self) -> str:
        return progress_label(self.progress)

    @property
    def moved_since_baseline(self) -> int | None:
        if self.baseline_finish is None or self.forecast_finish is None:
            return None
        return (self.forecast_finish - self.baseline_finish).days


@dataclass
class Timeline:
    rows: list[TimelineRow]
    first_day: dt.date | None
    last_day: dt.date | None
    links: list[tuple[str, str]]  # (predecessor key, successor key), both shown

    @property
    def tasks(self) -> list[TimelineRow]:
        return [row for row in self.rows if row.kind == "task"]

    @property
    def milestones(self) -> list[TimelineRow]:
        return [row for row in self.rows if row.kind == "milestone"]

    @property
    def stages(self) -> list[TimelineRow]:
        return [row for row in self.rows if row.kind == "stage"]

    @property
    def critical(self) -> list[TimelineRow]:
        return [row for row in self.rows if row.critical and row.kind != "stage"]

    @property
    def pushed_milestones(self) -> list[TimelineRow]:
        return [row for row in self.milestones if row.slip > 0]


def timeline_rows(
    plan: PlanData,
    forecasts: Mapping[Hashable, Forecast],
    baseline: Mapping[str, tuple[dt.date | None, dt.date]] | None = None,
    *,
    today: dt.date,
    stage_id: int | None = None,
    work_stream_id: int | None = None,
    only: Collection[str] | None = None,
) -> Timeline:
    """The rows to show, stage by stage: the stage's summary row, its tasks, its milestones.

    A task's progress is the one the work plan shows on `today`: past its target and not
    complete, it is late whatever was recorded. With `only`, just the tasks and milestones of
    those keys, and no stage summaries (a page of a list needs no more; see `row_keys`).
    """
    baseline = baseline or {}
    links = plan.links()
    predecessors = _predecessor_texts(plan, links)

    def with_forecast(row: TimelineRow) -> TimelineRow:
        result = forecasts.get(row.key)
        if result is not None:
            row.forecast_start, row.forecast_finish = result.start, result.finish
            row.slip, row.critical, row.total_float = (
                result.slip,
                result.critical,
                result.total_float,
            )
        else:
            row.forecast_start, row.forecast_finish = row.start, row.finish
        if row.key in baseline:
            row.baseline_start, row.baseline_finish = baseline[row.key]
        row.predecessors = predecessors.get(row.key, [])
        return row

    tasks_by_stage = _task_rows(plan, with_forecast, today, stage_id, work_stream_id, only)
    shown_task_keys = {row.key for rows in tasks_by_stage.values() for row in rows}
    milestones_by_stage = _milestone_rows(
        plan, links, shown_task_keys, with_forecast, stage_id, work_stream_id, only
    )

    rows: list[TimelineRow] = []
    for stage in plan.stages:
        children = tasks_by_stage.get(stage.id, []) + milestones_by_stage.get(stage.id, [])
        if stage_id is not None and stage.id != stage_id:
            continue
        if work_stream_id is not None and not children:
            continue
        if only is None:
            rows.append(_stage_summary(stage, children, baseline))
        rows.extend(children)
    if stage_id is None:
        rows.extend(milestones_by_stage.get(None, []))

    shown = {row.key for row in rows}
    shown_links = [
        (link.predecessor, link.successor)
        for link in links
        if link.predecessor in shown and link.successor in shown
    ]
    days = [d for row in rows for d in (row.forecast_start, row.forecast_finish) if d]
    days += [d for row in rows for d in (row.baseline_start, row.baseline_finish) if d]
    return Timeline(rows, min(days, default=None), max(days, default=None), shown_links)


def row_keys(plan: PlanData) -> list[str]:
    """The keys of the plan's tasks and milestones in the order `timeline_rows` shows them:
    stage by stage, its tasks then its milestones; then the milestones of no stage."""
    tasks: dict[int, list[str]] = {}
    for task in plan.tasks:
        tasks.setdefault(task.stage_id, []).append(task_key(task.id))
    milestones: dict[int | None, list[str]] = {}
    for milestone in plan.milestones:
        milestones.setdefault(milestone.stage_id, []).append(milestone_key(milestone.id))
    keys = [
        key
        for stage in plan.stages
        for key in tasks.get(stage.id, []) + milestones.get(stage.id, [])
    ]
    return keys + milestones.get(None, [])


def _predecessor_texts(plan: PlanData, links: Sequence[Link]) -> dict[str, list[str]]:
    """Each successor's predecessors, named by task code or by "Milestone: <name>"."""
    names = {task_key(task.id): task.code for task in plan.tasks}
    names |= {milestone_key(m.id): f"Milestone: {m.name}" for m in plan.milestones}
    predecessors: dict[str, list[str]] = {}
    for link in links:
        if link.predecessor not in names:
            continue
        text = names[link.predecessor] + (f" +{link.lag}d" if link.lag else "")
        predecessors.setdefault(link.successor, []).append(text)
    return predecessors


def _task_rows(
    plan: PlanData,
    with_forecast: Callable[[TimelineRow], TimelineRow],
    today: dt.date,
    stage_id: int | None,
    work_stream_id: int | None,
    only: Collection[str] | None,
) -> dict[int, list[TimelineRow]]:
    """The rows of the tasks shown, by stage id."""
    tasks_by_stage: dict[int, list[TimelineRow]] = {}
    for task in plan.tasks:
        if only is not None and task_key(task.id) not in only:
            continue
        if stage_id is not None and task.stage_id != stage_id:
            continue
        if work_stream_id is not None and task.work_stream_id != work_stream_id:
            continue
        people = "/".join(p.initials or p.name for p in task.responsible)
        tasks_by_stage.setdefault(task.stage_id, []).append(
            with_forecast(
                TimelineRow(
                    key=task_key(task.id),
                    kind="task",
                    code=task.code,
                    name=task.activity,
                    stage=task.stage,
                    work_stream=task.work_stream,
                    responsible=people or task.responsibility_note,
                    start=task.start_date,
                    finish=task.target_finish,
                    actual_finish=task.actual_finish,
                    progress=effective_progress(task, today),
                )
            )
        )
    return tasks_by_stage


def _milestone_rows(
    plan: PlanData,
    links: Sequence[Link],
    shown_task_keys: set[str],
    with_forecast: Callable[[TimelineRow], TimelineRow],
    stage_id: int | None,
    work_stream_id: int | None,
    only: Collection[str] | None,
) -> dict[int | None, list[TimelineRow]]:
    """The rows of the milestones shown, by stage id (None for a milestone of no stage)."""
    # Filtered by work stream, a milestone is shown when a task of the stream leads to it.
    milestone_targets = {
        link.successor
        for link in links
        if link.successor.startswith("m") and link.predecessor in shown_task_keys
    }
    milestones_by_stage: dict[int | None, list[TimelineRow]] = {}
    for milestone in plan.milestones:
        key = milestone_key(milestone.id)
        if only is not None and key not in only:
            continue
        if stage_id is not None and milestone.stage_id != stage_id:
            continue
        if work_stream_id is not None and key not in milestone_targets:
            continue
        milestones_by_stage.setdefault(milestone.stage_id, []).append(
            with_forecast(
                TimelineRow(
                    key=key,
                    kind="milestone",
                    code="",
                    name=milestone.name,
                    stage=milestone.stage,
                    start=milestone.scheduled_finish,
                    finish=milestone.scheduled_finish,
                    actual_finish=milestone.actual_finish,
                    progress=Progress.COMPLETE if milestone.actual_finish else None,
                )
            )
        )
    return milestones_by_stage


def _stage_summary(
    stage: Stage,
    children: Sequence[TimelineRow],
    baseline: Mapping[str, tuple[dt.date | None, dt.date]],
) -> TimelineRow:
    """The stage's summary row: it spans its own dates and the forecasts of its children."""
    summary = TimelineRow(
        key=f"s{stage.id}",
        kind="stage",
        code=f"S{stage.number}",
        name=stage.name,
        stage=stage,
        start=stage.start_date,
        finish=stage.end_date,
    )
    finishes = [c.forecast_finish for c in children if c.forecast_finish] + [stage.end_date]
    starts = [c.forecast_start for c in children if c.forecast_start] + [stage.start_date]
    summary.forecast_start, summary.forecast_finish = min(starts), max(finishes)
    summary.slip = max((summary.forecast_finish - stage.end_date).days, 0)
    summary.critical = any(c.critical for c in children)
    if summary.key in baseline:
        summary.baseline_start, summary.baseline_finish = baseline[summary.key]
    return summary
