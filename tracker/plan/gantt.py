"""The Gantt chart of the plan (Project Document 8.3) and the rows of its accessible table.

`timeline_rows` turns the loaded plan, its forecast and a baseline into rows: one per stage (a
summary bar), task and milestone, filtered by stage or work stream. `gantt_figure` draws those
rows as a Plotly figure built here with `plotly.graph_objects`; the page embeds its JSON and
/vendor/plotly.min.js draws it. The same rows fill the table that is the chart's text
alternative.

Colour is never the only cue: each progress state also has its own fill pattern and a text label
in the legend, the hover text and the table; milestones are diamonds; the critical path has a
thick outline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

import plotly.graph_objects as go
from markupsafe import Markup

from tracker.charts import HOVER_TEXT
from tracker.filters import date as format_date
from tracker.filters import days as format_days
from tracker.plan.baselines import PlanData, milestone_key, task_key
from tracker.plan.models import Progress, Stage
from tracker.plan.schedule import Forecast
from tracker.plan.tasks import effective_progress
from tracker.projects.models import WorkStream

MS_PER_DAY = 24 * 3600 * 1000
ROW_HEIGHT = 24
LABEL_LENGTH = 48


@dataclass(frozen=True)
class ProgressStyle:
    label: str
    colour: str
    pattern: str
    pattern_name: str
    tag_colour: str


# GOV.UK palette colours; the pattern and the words carry the same meaning as the colour.
PROGRESS_STYLES: dict[Progress, ProgressStyle] = {
    Progress.COMPLETE: ProgressStyle("Complete", "#00703c", "", "solid", "green"),
    Progress.ON_TRACK: ProgressStyle("On track", "#1d70b8", "/", "diagonal stripes", "blue"),
    Progress.AT_RISK: ProgressStyle("At risk", "#f47738", "x", "cross-hatched", "amber"),
    Progress.LATE: ProgressStyle("Late", "#d4351c", "-", "horizontal stripes", "red"),
    Progress.NOT_STARTED: ProgressStyle("Not started", "#505a5f", ".", "dotted", "grey"),
}


def progress_label(progress: Progress | None) -> str:
    return PROGRESS_STYLES[progress].label if progress else ""


@dataclass
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
) -> Timeline:
    """The rows to show, stage by stage: the stage's summary row, its tasks, its milestones.

    A task's progress is the one the work plan shows on `today`: past its target and not
    complete, it is late whatever was recorded.
    """
    baseline = baseline or {}
    # A predecessor is named by its task code, or by "Milestone: <name>".
    names = {task_key(task.id): task.code for task in plan.tasks}
    names |= {milestone_key(m.id): f"Milestone: {m.name}" for m in plan.milestones}
    predecessors: dict[str, list[str]] = {}
    links = plan.links()
    for link in links:
        if link.predecessor not in names:
            continue
        text = names[link.predecessor] + (f" +{link.lag}d" if link.lag else "")
        predecessors.setdefault(link.successor, []).append(text)

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

    tasks_by_stage: dict[int, list[TimelineRow]] = {}
    for task in plan.tasks:
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
    shown_task_keys = {row.key for rows in tasks_by_stage.values() for row in rows}
    # Filtered by work stream, a milestone is shown when a task of the stream leads to it.
    milestone_targets = {
        link.successor
        for link in links
        if link.successor.startswith("m") and link.predecessor in shown_task_keys
    }
    milestones_by_stage: dict[int | None, list[TimelineRow]] = {}
    for milestone in plan.milestones:
        key = milestone_key(milestone.id)
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

    rows: list[TimelineRow] = []
    for stage in plan.stages:
        children = tasks_by_stage.get(stage.id, []) + milestones_by_stage.get(stage.id, [])
        if stage_id is not None and stage.id != stage_id:
            continue
        if work_stream_id is not None and not children:
            continue
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
        rows.append(summary)
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


# The figure -------------------------------------------------------------------------------


def _iso(day: dt.date) -> str:
    return day.isoformat()


def _span_ms(start: dt.date, finish: dt.date) -> int:
    """A bar covers whole days: from the start of `start` to the end of `finish`."""
    return max((finish - start).days + 1, 1) * MS_PER_DAY


def _hover(row: TimelineRow) -> Markup:
    """The hover text: the row's label in bold, then a line for each fact; the label and the
    names in it are escaped by `Markup`, the tracker's own `<b>` and `<br>` are kept."""
    parts: list[str | Markup] = [Markup("<b>{}</b>").format(row.label)]
    if row.kind == "milestone":
        parts.append(f"Scheduled {format_date(row.finish)}")
        if row.forecast_finish and row.forecast_finish != row.finish:
            parts.append(f"Forecast {format_date(row.forecast_finish)} ({format_days(row.slip)})")
    else:
        parts.append(f"{format_date(row.start)} to {format_date(row.finish)}")
        if row.slip:
            parts.append(
                f"Forecast {format_date(row.forecast_start)} to "
                f"{format_date(row.forecast_finish)} ({format_days(row.slip)})"
            )
    if row.actual_finish:
        parts.append(f"Finished {format_date(row.actual_finish)}")
    if row.progress_label:
        parts.append(f"Progress: {row.progress_label}")
    if row.baseline_finish:
        parts.append(f"Baseline finish {format_date(row.baseline_finish)}")
    if row.critical:
        parts.append("On the critical path")
    if row.responsible:
        parts.append(f"Responsible: {row.responsible}")
    return Markup("<br>").join(parts)


def _bar(
    rows: Sequence[TimelineRow],
    spans: Sequence[tuple[dt.date, dt.date]],
    *,
    hover: bool = True,
    **kwargs: object,
) -> go.Bar:
    """Horizontal bars on a date axis: each starts at `base` and is `x` milliseconds long."""
    if hover:
        kwargs["hovertext"] = [_hover(row) for row in rows]
        kwargs["hovertemplate"] = HOVER_TEXT
    else:
        kwargs["hoverinfo"] = "skip"
    return go.Bar(
        orientation="h",
        y=[row.key for row in rows],
        base=[_iso(start) for start, _ in spans],
        x=[_span_ms(start, finish) for start, finish in spans],
        **kwargs,
    )


def _forecast_spans(rows: Sequence[TimelineRow]) -> list[tuple[dt.date, dt.date]]:
    return [(row.forecast_start, row.forecast_finish) for row in rows]  # type: ignore[misc]


def _midday(day: dt.date) -> str:
    return f"{day.isoformat()} 12:00"


def gantt_figure(timeline: Timeline, today: dt.date | None = None) -> go.Figure:
    """The Gantt chart: stage summary bars, task bars coloured and patterned by progress, the
    baseline as a faint bar behind each task, milestones as diamonds, dependency arrows, the
    critical path outlined and a line for today."""
    rows = timeline.rows
    dated = [r for r in rows if r.forecast_start and r.forecast_finish]
    traces: list[go.BaseTraceType] = []

    baseline_rows = [r for r in dated if r.kind == "task" and r.baseline_finish]
    if baseline_rows:
        traces.append(
            _bar(
                baseline_rows,
                [(r.baseline_start or r.baseline_finish, r.baseline_finish) for r in baseline_rows],
                hover=False,
                name="Baseline (faint wide bar)",
                width=0.8,
                marker={"color": "rgba(80, 90, 95, 0.22)", "line": {"width": 0}},
            )
        )

    stage_rows = [r for r in dated if r.kind == "stage"]
    if stage_rows:
        traces.append(
            _bar(
                stage_rows,
                _forecast_spans(stage_rows),
                name="Stage (black summary bar)",
                width=0.35,
                marker={"color": "#0b0c0c"},
            )
        )

    task_rows = [r for r in dated if r.kind == "task"]
    for progress, style in PROGRESS_STYLES.items():
        group = [r for r in task_rows if r.progress == progress]
        if not group:
            continue
        traces.append(
            _bar(
                group,
                _forecast_spans(group),
                name=f"{style.label} ({style.pattern_name})",
                width=0.55,
                marker={
                    "color": style.colour,
                    "pattern": {
                        "shape": style.pattern,
                        "fgcolor": "#ffffff",
                        "fillmode": "overlay",
                        "size": 6,
                        "solidity": 0.35,
                    },
                    "line": {"color": style.colour, "width": 1},
                },
                text=[style.label for _ in group],
                textposition="inside",
                insidetextanchor="start",
                textfont={"color": "#ffffff", "size": 11},
            )
        )

    critical_rows = [r for r in task_rows if r.critical]
    if critical_rows:
        traces.append(
            _bar(
                critical_rows,
                _forecast_spans(critical_rows),
                name="Critical path (thick outline)",
                width=0.7,
                marker={"color": "rgba(0, 0, 0, 0)", "line": {"color": "#0b0c0c", "width": 3}},
            )
        )

    milestone_rows = [r for r in dated if r.kind == "milestone"]
    pushed = [r for r in milestone_rows if r.slip > 0]
    if pushed:
        traces.append(
            go.Scatter(
                x=[_midday(r.finish) for r in pushed],
                y=[r.key for r in pushed],
                mode="markers",
                name="Milestone scheduled date (open diamond)",
                marker={
                    "symbol": "diamond-open",
                    "size": 13,
                    "color": "#505a5f",
                    "line": {"width": 2},
                },
                hovertext=[_hover(r) for r in pushed],
                hovertemplate=HOVER_TEXT,
            )
        )
    if milestone_rows:
        traces.append(
            go.Scatter(
                x=[_midday(r.forecast_finish) for r in milestone_rows],
                y=[r.key for r in milestone_rows],
                mode="markers+text",
                name="Milestone (diamond; “pushed” when it moves)",
                marker={
                    "symbol": "diamond",
                    "size": 15,
                    "color": ["#d4351c" if r.slip > 0 else "#0b0c0c" for r in milestone_rows],
                    "line": {
                        "color": "#0b0c0c",
                        "width": [3 if r.critical else 1 for r in milestone_rows],
                    },
                },
                text=[
                    f"pushed {format_days(r.slip)}" if r.slip > 0 else "" for r in milestone_rows
                ],
                textposition="middle right",
                textfont={"size": 11, "color": "#0b0c0c"},
                cliponaxis=False,
                hovertext=[_hover(r) for r in milestone_rows],
                hovertemplate=HOVER_TEXT,
            )
        )

    by_key = {r.key: r for r in dated}
    arrow_x: list[str | None] = []
    arrow_y: list[str | None] = []
    arrow_size: list[int] = []
    for pred_key, succ_key in timeline.links:
        pred, succ = by_key.get(pred_key), by_key.get(succ_key)
        if pred is None or succ is None:
            continue
        # From the end of a task's bar (its finish day included), or a milestone's diamond.
        if pred.kind == "milestone":
            origin = _midday(pred.forecast_finish)
        else:
            origin = _iso(pred.forecast_finish + dt.timedelta(days=1))
        target = succ.forecast_finish if succ.kind == "milestone" else succ.forecast_start
        arrow_x += [origin, _iso(target) if succ.kind != "milestone" else _midday(target), None]
        arrow_y += [pred_key, succ_key, None]
        arrow_size += [0, 9, 0]
    if arrow_x:
        traces.append(
            go.Scatter(
                x=arrow_x,
                y=arrow_y,
                mode="lines+markers",
                name="Dependency (arrow)",
                line={"color": "#6f777b", "width": 1},
                marker={
                    "symbol": "arrow",
                    "angleref": "previous",
                    "size": arrow_size,
                    "color": "#6f777b",
                },
                hoverinfo="skip",
                connectgaps=False,
            )
        )

    height = 170 + ROW_HEIGHT * max(len(rows), 4)
    layout: dict = {
        "barmode": "overlay",
        "height": height,
        "margin": {"l": 10, "r": 110, "t": 150, "b": 40},
        # Progress words inside bars only where they fit at a readable size.
        "uniformtext": {"minsize": 10, "mode": "hide"},
        "font": {"family": "Arial, sans-serif", "size": 12, "color": "#0b0c0c"},
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
        "hovermode": "closest",
        "showlegend": True,
        "legend": {
            "orientation": "h",
            "yref": "container",
            "y": 1,
            "yanchor": "top",
            "x": 0,
            "font": {"size": 12},
        },
        "xaxis": {
            "type": "date",
            "side": "top",
            "showgrid": True,
            "gridcolor": "#e5e6e7",
            "tickformat": Markup("%b<br>%Y"),
            "ticklabelmode": "period",
            "tickangle": 0,
            "automargin": True,
        },
        "yaxis": {
            "type": "category",
            "autorange": "reversed",
            "categoryorder": "array",
            "categoryarray": [r.key for r in rows],
            "tickmode": "array",
            "tickvals": [r.key for r in rows],
            "ticktext": [
                Markup("<b>{}</b>").format(r.short_label)
                if r.kind == "stage"
                else (f"◆ {r.short_label}" if r.kind == "milestone" else r.short_label)
                for r in rows
            ],
            "automargin": True,
            "showgrid": False,
        },
        "shapes": [],
        "annotations": [],
    }
    if timeline.first_day and timeline.last_day:
        first = timeline.first_day - dt.timedelta(days=7)
        last = timeline.last_day + dt.timedelta(days=14)
        layout["xaxis"]["range"] = [_iso(first), _iso(last)]
        if today is not None and first <= today <= last:
            layout["shapes"].append(
                {
                    "type": "line",
                    "xref": "x",
                    "yref": "paper",
                    "x0": _midday(today),
                    "x1": _midday(today),
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": "#d4351c", "width": 2, "dash": "dash"},
                }
            )
            layout["annotations"].append(
                {
                    "x": _midday(today),
                    "xref": "x",
                    "y": 0,
                    "yref": "paper",
                    "yanchor": "top",
                    "text": f"Today {format_date(today)}",
                    "showarrow": False,
                    "font": {"color": "#d4351c"},
                }
            )
    if not rows:
        layout["annotations"].append(
            {"text": "Nothing to show", "showarrow": False, "xref": "paper", "yref": "paper"}
        )
    return go.Figure(data=traces, layout=layout)


def chart_summary(timeline: Timeline, today: dt.date | None = None) -> str:
    """One or two sentences that say what the chart shows, for its aria-label."""
    tasks, milestones = timeline.tasks, timeline.milestones
    if not timeline.rows:
        return "Gantt chart: there is nothing in the plan to show."
    parts = [
        f"Gantt chart of {len(tasks)} task{'s' if len(tasks) != 1 else ''} "
        f"and {len(milestones)} milestone{'s' if len(milestones) != 1 else ''} "
        f"in {len(timeline.stages)} stage{'s' if len(timeline.stages) != 1 else ''}"
    ]
    if timeline.first_day and timeline.last_day:
        parts[0] += f", from {format_date(timeline.first_day)} to {format_date(timeline.last_day)}"
    parts[0] += "."
    late = [t for t in tasks if t.slip > 0]
    if late:
        parts.append(f"{len(late)} task{'s are' if len(late) != 1 else ' is'} forecast to slip.")
    pushed = timeline.pushed_milestones
    if pushed:
        parts.append(
            "Milestones pushed: "
            + "; ".join(f"{m.name} by {format_days(m.slip)}" for m in pushed[:5])
            + ("; and more." if len(pushed) > 5 else ".")
        )
    critical = [r for r in timeline.critical if r.kind == "task"]
    if critical:
        parts.append(f"{len(critical)} tasks are on the critical path.")
    parts.append("The table below the chart gives the same information.")
    return " ".join(parts)
