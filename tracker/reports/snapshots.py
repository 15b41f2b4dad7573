"""The figures an issued report keeps: taken from live data on the day it is issued (a snapshot),
so that the report reads the same ever after. tracker/reports/figures.py reads them back for
the page and the PDF.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from tracker.budget.figures import budget_summary
from tracker.budget.months import MonthSpend, spend_by_month
from tracker.budget.staff import staff_summary
from tracker.evidence.readiness import project_readiness
from tracker.extensions import db
from tracker.filters import date as format_date
from tracker.plan.milestones import finish_variance
from tracker.plan.models import Task
from tracker.plan.stages import plan_stages, stage_statuses
from tracker.plan.work_plan import attach_responsible
from tracker.projects.models import Project
from tracker.reports.statuses import milestones_in_order


def snapshot(project: Project, today: dt.date) -> dict:
    """The figures a report states, as they are on the day it is issued (display values only,
    no record ids, so that an issued report reads the same wherever it is moved)."""
    summary = budget_summary(project)
    staff = staff_summary(project)
    found = project_readiness(project, today)
    readiness = (
        {
            "basis": found.basis,
            "sentence": found.verdict.sentence,
            "by_criterion": {
                str(number): {c.value: n for c, n in counts.items()}
                for number, counts in found.by_criterion.items()
            },
        }
        if found
        else None
    )
    stages = plan_stages(project)
    statuses = stage_statuses(stages)
    return {
        "taken_on": today.isoformat(),
        "stages": [
            {
                "number": stage.number,
                "name": stage.name,
                "start": stage.start_date.isoformat(),
                "end": stage.end_date.isoformat(),
                "status": statuses[stage.number].value,
            }
            for stage in stages
        ],
        "readiness": readiness,
        "budget_status": {
            "allocated": summary.project_budget.provision_pence,
            "spent": summary.project_budget.actual_pence,
            "remaining": summary.project_budget.remaining_pence,
        },
        "milestones": [
            {
                "name": m.name,
                "scheduled": m.scheduled_finish.isoformat(),
                "baseline": m.baseline_finish.isoformat() if m.baseline_finish else None,
                "variance_days": finish_variance(m),
            }
            for m in milestones_in_order(project)
        ],
        "staff_days": {"planned": staff.planned_days, "actual": str(staff.actual_days)},
        "spend_by_month": [
            {
                "month": m.month.isoformat(),
                "planned": m.planned_pence,
                "planned_to_date": m.planned_to_date_pence,
                "actual": m.actual_pence,
                "actual_to_date": m.actual_to_date_pence,
            }
            for m in spend_by_month(project, today)
        ],
    }


def stream_snapshot(project: Project, stream_id: int, today: dt.date) -> dict:
    """What a work stream report states, as it is on the day it is issued: the stream's rows
    of the work plan (not the project's budget and milestones, which are not the lead's)."""
    in_stream = (Task.project_id == project.id, Task.work_stream_id == stream_id)
    tasks = list(
        db.session.execute(
            select(Task).where(*in_stream).order_by(Task.position, Task.code)
        ).scalars()
    )
    attach_responsible(tasks, select(Task.id).where(*in_stream))
    return {
        "taken_on": today.isoformat(),
        "work_plan": [
            {
                "code": t.code,
                "activity": t.activity,
                "responsibility": ", ".join(p.name for p in t.responsible) or t.responsibility_note,
                "target": format_date(t.target_finish),
                "progress": t.progress.value,
                "comments": t.comments,
            }
            for t in tasks
        ],
    }


def spend_from_snapshot(snap: dict) -> list[MonthSpend]:
    """The spend by month an issued report kept, for its chart and table."""
    return [
        MonthSpend(
            month=dt.date.fromisoformat(m["month"]),
            planned_pence=m["planned"],
            planned_to_date_pence=m["planned_to_date"],
            actual_pence=m["actual"],
            actual_to_date_pence=m["actual_to_date"],
        )
        for m in snap.get("spend_by_month", [])
    ]
