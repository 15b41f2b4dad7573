"""CSV and XLSX downloads of the registers whose pages had none: the milestones (with their
baseline, variance and warnings), the evidence library, the gap actions and the audit trail.
Each is linked from its page, needs the same permission as that page, and reads its rows with
the area's own services.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, g, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.audit import AuditEvent
from tracker.evidence.access import viewer_for
from tracker.evidence.gap_actions import is_overdue, project_actions
from tracker.evidence.services import library
from tracker.exports import download
from tracker.extensions import db
from tracker.filters import LONDON, london_today
from tracker.permissions import requires
from tracker.plan.milestones import (
    finish_variance,
    latest_task_finishes,
    milestone_warnings,
    project_milestones,
)
from tracker.plan.stages import plan_stages
from tracker.projects.status import status_date
from tracker.reports import bp

MILESTONE_COLUMNS = [
    "Milestone",
    "Stage",
    "Baseline finish",
    "Scheduled finish",
    "Actual finish",
    "Variance (days)",
    "Warnings",
    "Notes",
]
EVIDENCE_COLUMNS = [
    "Title",
    "Work stream",
    "Elements",
    "Status",
    "Evidence date",
    "Review by",
    "Files",
    "Link",
    "Personal data",
    "Keep until",
]
GAP_ACTION_COLUMNS = ["Element", "Action", "Owner", "Due", "Status", "Overdue"]
AUDIT_COLUMNS = ["When (London time)", "Who", "Action", "Record type", "Record", "Cause", "Changes"]


def _send(columns: list[str], rows: list[dict[str, Any]], name: str, title: str) -> Response:
    return download(
        columns,
        rows,
        filename=f"{g.project.slug}-{name}-{london_today().isoformat()}",
        file_format=request.args.get("format", "csv"),
        title=title,
    )


@bp.route("/projects/<slug>/plan/milestones/export")
@requires("plan.view")
def milestones_export(slug: str) -> Response:
    stages = plan_stages(g.project)
    milestones = project_milestones(g.project)
    warnings = milestone_warnings(g.project, milestones, stages, latest_task_finishes(g.project))
    rows = [
        {
            "Milestone": m.name,
            "Stage": m.stage.number if m.stage else None,
            "Baseline finish": m.baseline_finish,
            "Scheduled finish": m.scheduled_finish,
            "Actual finish": m.actual_finish,
            "Variance (days)": finish_variance(m),
            "Warnings": "; ".join(warnings.get(m.id, [])),
            "Notes": m.notes,
        }
        for m in milestones
    ]
    return _send(MILESTONE_COLUMNS, rows, "milestones", "Milestones")


@bp.route("/projects/<slug>/evidence/export")
@requires("evidence.view")
def evidence_export(slug: str) -> Response:
    """Every item the reader may see on the library page (personal data stays hidden from
    those the page hides it from)."""
    items = library(g.project, viewer_for(current_user.id, g.project, g.roles)).items
    rows = [
        {
            "Title": item.title,
            "Work stream": item.work_stream.name,
            "Elements": ", ".join(e.code for e in item.elements),
            "Status": item.status.label,
            "Evidence date": item.evidence_date,
            "Review by": item.review_by,
            "Files": ", ".join(f.original_name for f in item.files),
            "Link": item.link_url,
            "Personal data": "Yes" if item.personal_data else "No",
            "Keep until": item.retain_until,
        }
        for item in items
    ]
    return _send(EVIDENCE_COLUMNS, rows, "evidence-library", "Evidence library")


@bp.route("/projects/<slug>/gap-actions/export")
@requires("rating.view")
def gap_actions_export(slug: str) -> Response:
    today = status_date(g.project)
    rows = [
        {
            "Element": action.element.code,
            "Action": action.description,
            "Owner": action.owner.name if action.owner else None,
            "Due": action.due_on,
            "Status": action.status.label,
            "Overdue": "Yes" if is_overdue(action, today) else "No",
        }
        for action in project_actions(g.project)
    ]
    return _send(GAP_ACTION_COLUMNS, rows, "gap-actions", "Gap actions")


@bp.route("/projects/<slug>/audit/export")
@requires("audit.project")
def audit_export(slug: str) -> Response:
    """The whole trail, newest first (the page shows it a page at a time)."""
    events = db.session.execute(
        select(AuditEvent)
        .where(AuditEvent.project_id == g.project.id)
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    ).scalars()
    rows = [
        {
            "When (London time)": event.at.astimezone(LONDON).strftime("%Y-%m-%d %H:%M:%S"),
            "Who": event.actor.name if event.actor else event.actor_label,
            "Action": event.action,
            "Record type": event.table_name.replace("_", " "),
            "Record": event.record_label or event.record_id,
            "Cause": event.cause,
            "Changes": json.dumps(event.changes, ensure_ascii=False, default=str),
        }
        for event in events
    ]
    return _send(AUDIT_COLUMNS, rows, "audit-trail", "Audit trail")
