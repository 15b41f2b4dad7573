"""The Gantt chart of the plan (Project Document 8.3).

`gantt_figure` draws the rows of `tracker.plan.timeline_rows` as a Plotly figure built here with
`plotly.graph_objects`; the page embeds its JSON and /vendor/plotly.min.js draws it. The same rows
fill the table that is the chart's text alternative; `chart_summary` is the chart's aria-label.

Colour is never the only cue: each progress state also has its own fill pattern and a text label
in the legend, the hover text and the table; milestones are diamonds; the critical path has a
thick outline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import plotly.graph_objects as go
from markupsafe import Markup

from tracker.charts import HOVER_TEXT
from tracker.filters import date as format_date
from tracker.filters import days as format_days
from tracker.plan.progress_styles import PROGRESS_STYLES
from tracker.plan.timeline_rows import Timeline, TimelineRow

MS_PER_DAY = 24 * 3600 * 1000
ROW_HEIGHT = 24


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
    dated = [r for r in timeline.rows if r.forecast_start and r.forecast_finish]
    task_rows = [r for r in dated if r.kind == "task"]
    traces: list[go.BaseTraceType] = [
        *_baseline_traces(dated),
        *_stage_traces(dated),
        *_progress_traces(task_rows),
        *_critical_traces(task_rows),
        *_milestone_traces(dated),
        *_dependency_traces(timeline, dated),
    ]
    return go.Figure(data=traces, layout=_layout(timeline, today))


def _baseline_traces(dated: Sequence[TimelineRow]) -> list[go.BaseTraceType]:
    """The baseline as a faint wide bar behind each task that has one."""
    baseline_rows = [r for r in dated if r.kind == "task" and r.baseline_finish]
    if not baseline_rows:
        return []
    return [
        _bar(
            baseline_rows,
            [(r.baseline_start or r.baseline_finish, r.baseline_finish) for r in baseline_rows],
            hover=False,
            name="Baseline (faint wide bar)",
            width=0.8,
            marker={"color": "rgba(80, 90, 95, 0.22)", "line": {"width": 0}},
        )
    ]


def _stage_traces(dated: Sequence[TimelineRow]) -> list[go.BaseTraceType]:
    """A thin black summary bar for each stage."""
    stage_rows = [r for r in dated if r.kind == "stage"]
    if not stage_rows:
        return []
    return [
        _bar(
            stage_rows,
            _forecast_spans(stage_rows),
            name="Stage (black summary bar)",
            width=0.35,
            marker={"color": "#0b0c0c"},
        )
    ]


def _progress_traces(task_rows: Sequence[TimelineRow]) -> list[go.BaseTraceType]:
    """The task bars, one trace per progress state: its colour, its pattern and its words."""
    traces: list[go.BaseTraceType] = []
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
    return traces


def _critical_traces(task_rows: Sequence[TimelineRow]) -> list[go.BaseTraceType]:
    """A thick outline around each task on the critical path."""
    critical_rows = [r for r in task_rows if r.critical]
    if not critical_rows:
        return []
    return [
        _bar(
            critical_rows,
            _forecast_spans(critical_rows),
            name="Critical path (thick outline)",
            width=0.7,
            marker={"color": "rgba(0, 0, 0, 0)", "line": {"color": "#0b0c0c", "width": 3}},
        )
    ]


def _milestone_traces(dated: Sequence[TimelineRow]) -> list[go.BaseTraceType]:
    """Milestones as diamonds at their forecast; a pushed one keeps an open diamond on its
    scheduled date and says how far it was pushed."""
    milestone_rows = [r for r in dated if r.kind == "milestone"]
    pushed = [r for r in milestone_rows if r.slip > 0]
    traces: list[go.BaseTraceType] = []
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
    return traces


def _dependency_traces(timeline: Timeline, dated: Sequence[TimelineRow]) -> list[go.BaseTraceType]:
    """One trace of arrows, from each shown predecessor to its shown successor."""
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
    if not arrow_x:
        return []
    return [
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
    ]


def _layout(timeline: Timeline, today: dt.date | None) -> dict:
    """The layout: legend on top, dates across the top, one category row per timeline row, the
    date range with a margin either side, and the line for today."""
    rows = timeline.rows
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
        "yaxis": _row_axis(rows),
        "shapes": [],
        "annotations": [],
    }
    if timeline.first_day and timeline.last_day:
        first = timeline.first_day - dt.timedelta(days=7)
        last = timeline.last_day + dt.timedelta(days=14)
        layout["xaxis"]["range"] = [_iso(first), _iso(last)]
        if today is not None and first <= today <= last:
            _mark_today(layout, today)
    if not rows:
        layout["annotations"].append(
            {"text": "Nothing to show", "showarrow": False, "xref": "paper", "yref": "paper"}
        )
    return layout


def _row_axis(rows: Sequence[TimelineRow]) -> dict:
    """The y axis: the rows in order, stages in bold and milestones with a diamond."""
    return {
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
    }


def _mark_today(layout: dict, today: dt.date) -> None:
    """A dashed red line at the status date, with its date under the chart."""
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
            "text": f"Status date {format_date(today)}",
            "showarrow": False,
            "font": {"color": "#d4351c"},
        }
    )


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
