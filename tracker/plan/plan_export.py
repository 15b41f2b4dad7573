"""The plan as a CSV or Excel file: one row per task and milestone.

The columns are those Microsoft Project uses (ID, Name, Start, Finish, Predecessors, Resource
Names) followed by the tracker's own (WBS, Milestone, Stage, Work Stream, Progress, Actual
Finish, Comments) and the forecast (read-only).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from tracker.exports import table_csv, table_xlsx
from tracker.plan.baselines import PlanData, milestone_key, task_key
from tracker.plan.models import Milestone
from tracker.plan.schedule import Forecast

EXPORT_COLUMNS = [
    "ID",
    "Name",
    "Start",
    "Finish",
    "Predecessors",
    "Resource Names",
    "WBS",
    "Milestone",
    "Stage",
    "Work Stream",
    "Progress",
    "Actual Finish",
    "Comments",
    "Forecast Start",
    "Forecast Finish",
    "Slip (days)",
    "Critical",
]
EXPORT_WIDTHS = {"Name": 48, "Comments": 40, "Predecessors": 18, "Resource Names": 18} | {
    column: 14
    for column in ("Start", "Finish", "Actual Finish", "Forecast Start", "Forecast Finish")
}


def export_rows(plan: PlanData, forecasts: dict[Hashable, Forecast]) -> list[dict[str, Any]]:
    """One dict per task, then per milestone, keyed by EXPORT_COLUMNS. Dates stay dates."""
    stage_numbers = {stage.id: stage.number for stage in plan.stages}
    row_ids: dict[str, int] = {}
    ordered: list[tuple[str, Any]] = [(task_key(t.id), t) for t in plan.tasks]
    ordered += [(milestone_key(m.id), m) for m in plan.milestones]
    for number, (key, _) in enumerate(ordered, start=1):
        row_ids[key] = number
    predecessors: dict[str, list[str]] = {}
    for link in plan.links():
        pred_id = row_ids.get(link.predecessor)
        if pred_id is None or link.successor not in row_ids:
            continue
        lag = f"FS{link.lag:+d} days" if link.lag else ""
        predecessors.setdefault(link.successor, []).append(f"{pred_id}{lag}")

    rows: list[dict[str, Any]] = []
    for key, record in ordered:
        result = forecasts.get(key)
        is_task = not isinstance(record, Milestone)
        rows.append(
            {
                "ID": row_ids[key],
                "Name": record.activity if is_task else record.name,
                "Start": record.start_date if is_task else record.scheduled_finish,
                "Finish": record.target_finish if is_task else record.scheduled_finish,
                "Predecessors": ",".join(predecessors.get(key, ())),
                "Resource Names": (
                    ",".join(p.initials or p.name for p in record.responsible) if is_task else ""
                ),
                "WBS": record.code if is_task else "",
                "Milestone": "No" if is_task else "Yes",
                "Stage": stage_numbers.get(record.stage_id, ""),
                "Work Stream": record.work_stream.code if is_task and record.work_stream else "",
                "Progress": (
                    record.progress.label
                    if is_task
                    else ("Complete" if record.actual_finish else "")
                ),
                "Actual Finish": record.actual_finish,
                "Comments": record.comments if is_task else record.notes,
                "Forecast Start": result.start if result else None,
                "Forecast Finish": result.finish if result else None,
                "Slip (days)": result.slip if result else None,
                "Critical": ("Yes" if result.critical else "No") if result else "",
            }
        )
    return rows


def export_csv(rows: Sequence[dict[str, Any]]) -> bytes:
    """UTF-8 CSV with ISO dates; text that looks like a formula gets a leading apostrophe."""
    return table_csv(EXPORT_COLUMNS, rows)


def export_xlsx(rows: Sequence[dict[str, Any]]) -> bytes:
    """One sheet with real dates; text is never stored as a formula."""
    return table_xlsx(EXPORT_COLUMNS, rows, "Plan", widths=EXPORT_WIDTHS)
