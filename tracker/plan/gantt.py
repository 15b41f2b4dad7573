"""The Gantt chart of the plan (Project Document 8.3).

`gantt_data` turns the rows of `tracker.plan.timeline_rows` into plain lists (one compact array
per row, see `ROW_FIELDS`), which the page embeds as JSON once (`tracker.charts.data_json`);
static/js/gantt.js builds Plotly traces from them for the rows in view only, so that a plan of
20,000 tasks draws as fast as one of 40. The same rows fill the paginated table that is the
chart's text alternative; `chart_summary` is the chart's aria-label.

The names in the data are the user's text as it is: gantt.js escapes them before Plotly sees
them (Plotly draws a subset of HTML) and puts row names beside the plot with `textContent`.

Colour is never the only cue: each progress state also has its own fill pattern and a text label
in the key, the hover text and the table; milestones are diamonds; the critical path has a
thick outline.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tracker.filters import date as format_date
from tracker.filters import days as format_days
from tracker.plan.progress_styles import PROGRESS_STYLES
from tracker.plan.timeline_rows import Timeline, TimelineRow

EPOCH = dt.date(1970, 1, 1)
# The fields of each row's array, in order; dates are days since 1970-01-01 (or null).
ROW_FIELDS = (
    "key",
    "kind",
    "label",  # shown beside the plot, cut short there by CSS
    "start",
    "finish",
    "forecast_start",
    "forecast_finish",
    "actual_finish",
    "baseline_start",
    "baseline_finish",
    "style",  # the progress: an index into "styles", or null
    "critical",  # 1 or 0
    "slip",
    "responsible",
)
_STYLE_INDEX = {progress: n for n, progress in enumerate(PROGRESS_STYLES)}


def _day(day: dt.date | None) -> int | None:
    return None if day is None else (day - EPOCH).days


def _row(row: TimelineRow) -> list[Any]:
    return [
        row.key,
        row.kind,
        row.label,
        _day(row.start),
        _day(row.finish),
        _day(row.forecast_start),
        _day(row.forecast_finish),
        _day(row.actual_finish),
        _day(row.baseline_start or row.baseline_finish),
        _day(row.baseline_finish),
        _STYLE_INDEX.get(row.progress),
        1 if row.critical else 0,
        row.slip or 0,
        row.responsible or "",
    ]


def gantt_data(timeline: Timeline, today: dt.date | None = None) -> dict[str, Any]:
    """What gantt.js needs to draw any window of the chart: the dated rows in order, the shown
    dependencies as pairs of row indexes, the progress styles, the date range and today."""
    dated = [r for r in timeline.rows if r.forecast_start and r.forecast_finish]
    index = {r.key: n for n, r in enumerate(dated)}
    links = [
        [index[pred], index[succ]]
        for pred, succ in timeline.links
        if pred in index and succ in index
    ]
    data: dict[str, Any] = {
        "fields": list(ROW_FIELDS),
        "rows": [_row(r) for r in dated],
        "links": links,
        "styles": [
            {
                "label": style.label,
                "name": f"{style.label} ({style.pattern_name})",
                "colour": style.colour,
                "pattern": style.pattern,
            }
            for style in PROGRESS_STYLES.values()
        ],
        "range": None,
        "today": None,
    }
    if timeline.first_day and timeline.last_day:
        first = timeline.first_day - dt.timedelta(days=7)
        last = timeline.last_day + dt.timedelta(days=14)
        data["range"] = [first.isoformat(), last.isoformat()]
        if today is not None and first <= today <= last:
            data["today"] = {"day": today.isoformat(), "text": f"Status date {format_date(today)}"}
    return data


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
