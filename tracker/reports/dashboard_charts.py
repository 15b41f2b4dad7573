"""The dashboard's own chart: the five stages as a Gantt summary, with the milestones.

Spend against plan is the budget area's chart (tracker/budget/charts.py). Like every chart in
the tracker, this one is drawn by static/js/charts.js from JSON embedded in the page, and the
page has a table with the same facts and an aria-label that says what it shows. Colour is
never the only cue: each stage's bar carries its status in words and a pattern.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from tracker.charts import HOVER_TEXT
from tracker.filters import date as format_date
from tracker.plan.models import Stage
from tracker.plan.stages import StageStatus
from tracker.reports.dashboard import MilestoneRow

FONT = {"family": "arial, sans-serif", "size": 14, "color": "#0b0c0c"}
# GOV.UK colours, and a pattern for each status so that colour is not the only cue.
STAGE_STYLES: dict[StageStatus, tuple[str, str]] = {
    StageStatus.APPROVED: ("#00703c", ""),
    StageStatus.AWAITING_REVIEW: ("#f47738", "x"),
    StageStatus.IN_PROGRESS: ("#1d70b8", "/"),
    StageStatus.NOT_STARTED: ("#b1b4b6", "."),
}
DAY_MS = 24 * 3600 * 1000


def _label(stage: Stage) -> str:
    return f"Stage {stage.number}"


def stage_figure(
    stages: Sequence[Stage],
    statuses: Mapping[int, StageStatus],
    milestones: Sequence[MilestoneRow],
    today: dt.date,
) -> go.Figure:
    """One bar per stage from its start to its end, labelled with its status; the next
    milestones as diamonds on their stage's row; a line for today."""
    traces = _stage_bars(stages, statuses) + _milestone_diamonds(milestones)
    first, last = chart_span(stages, milestones, today)
    layout = _layout(stages, first, last)
    if first <= today <= last:
        layout |= _today_line(today)
    return go.Figure(data=traces, layout=layout)


def _stage_bars(
    stages: Sequence[Stage], statuses: Mapping[int, StageStatus]
) -> list[go.BaseTraceType]:
    """A trace of bars per status, in the colour and pattern of that status."""
    traces: list[go.BaseTraceType] = []
    for status, (colour, pattern) in STAGE_STYLES.items():
        rows = [s for s in stages if statuses[s.number] is status]
        if not rows:
            continue
        traces.append(
            go.Bar(
                name=status.label,
                orientation="h",
                y=[_label(s) for s in rows],
                base=[s.start_date.isoformat() for s in rows],
                x=[((s.end_date - s.start_date).days + 1) * DAY_MS for s in rows],
                text=[status.label for _ in rows],
                textposition="auto",  # beside a bar too short to hold its status
                insidetextanchor="middle",
                constraintext="none",
                cliponaxis=False,
                marker={
                    "color": colour,
                    "pattern": {"shape": pattern, "fgcolor": "#ffffff", "fillmode": "overlay"},
                    "line": {"color": "#0b0c0c", "width": 1},
                },
                hovertext=[
                    f"Stage {s.number} {s.name}: {format_date(s.start_date)} to "
                    f"{format_date(s.end_date)}, {status.label.lower()}"
                    for s in rows
                ],
                hovertemplate=HOVER_TEXT,
            )
        )
    return traces


def _milestone_diamonds(milestones: Sequence[MilestoneRow]) -> list[go.BaseTraceType]:
    """The milestones that belong to a stage, as diamonds on its row (none: no trace)."""
    dated = [row for row in milestones if row.milestone.stage is not None]
    if not dated:
        return []
    return [
        go.Scatter(
            name="Next milestones (diamonds)",
            mode="markers",
            y=[_label(row.milestone.stage) for row in dated],
            x=[row.milestone.scheduled_finish.isoformat() for row in dated],
            marker={"symbol": "diamond", "size": 14, "color": "#0b0c0c"},
            hovertext=[
                f"{row.milestone.name}: {format_date(row.milestone.scheduled_finish)}"
                for row in dated
            ],
            hovertemplate=HOVER_TEXT,
        )
    ]


def _layout(stages: Sequence[Stage], first: dt.date, last: dt.date) -> dict:
    """The chart's frame: a row per stage, in order, and the dates from `first` to `last`."""
    return {
        "font": FONT,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "height": 120 + 50 * max(len(stages), 1),
        "margin": {"l": 80, "r": 90, "t": 40, "b": 40},
        "barmode": "overlay",
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        "xaxis": {
            "type": "date",
            "gridcolor": "#dddddd",
            "range": [first.isoformat(), last.isoformat()],
        },
        "yaxis": {
            "autorange": "reversed",
            "categoryorder": "array",
            "categoryarray": [_label(s) for s in stages],
        },
    }


def _today_line(today: dt.date) -> dict:
    """A dotted red line at the status date, labelled, for a chart whose dates include it."""
    return {
        "shapes": [
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": today.isoformat(),
                "x1": today.isoformat(),
                "y0": 0,
                "y1": 1,
                "line": {"color": "#d4351c", "width": 2, "dash": "dot"},
            }
        ],
        "annotations": [
            {
                "x": today.isoformat(),
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "text": "Status date",
                "showarrow": False,
                "yanchor": "bottom",
            }
        ],
    }


def chart_span(
    stages: Sequence[Stage], milestones: Sequence[MilestoneRow], today: dt.date
) -> tuple[dt.date, dt.date]:
    """The dates the chart shows: the stages and milestones with a little room either side, so
    that a today long before or after the project does not squash the bars into a corner."""
    dates = [d for s in stages for d in (s.start_date, s.end_date)]
    dates += [row.milestone.scheduled_finish for row in milestones]
    if not dates:
        return today, today
    # Room after the last bar for a status written beside it.
    return min(dates) - dt.timedelta(days=14), max(dates) + dt.timedelta(days=45)


def stage_summary(
    stages: Sequence[Stage],
    statuses: Mapping[int, StageStatus],
    milestones: Sequence[MilestoneRow],
    today: dt.date,
) -> str:
    """The chart in words, for its aria-label and the note under it; it says where today falls
    when the chart leaves it out."""
    if not stages:
        return "Gantt summary of the stages: the project has no stages."
    first, last = stages[0], stages[-1]
    approved = sum(1 for s in stages if statuses[s.number] is StageStatus.APPROVED)
    start, end = chart_span(stages, milestones, today)
    where = ""
    if today > end:
        where = f" Today ({format_date(today)}) is after the last date the chart shows."
    elif today < start:
        where = f" Today ({format_date(today)}) is before the first date the chart shows."
    return (
        f"Gantt summary of {len(stages)} stages from {format_date(first.start_date)} to "
        f"{format_date(last.end_date)}: {approved} approved.{where} "
        "The table below the chart gives each stage's dates and status."
    )
