"""Drafting the quarterly report for the EMT and the lead member: the project's three statuses,
the quarter's monthly reports in brief, readiness for accreditation and the changes approved.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from tracker.evidence.readiness import project_readiness
from tracker.extensions import db
from tracker.filters import date as format_date
from tracker.projects.models import Project
from tracker.reports.drafting import SECTION_HEADINGS, change_impact
from tracker.reports.models import HighlightReport, ReportKind, ReportStatus
from tracker.reports.statuses import (
    RAG_WORDS,
    budget_status,
    resource_status,
    schedule_status,
    status_text,
)


def monthly_in_brief(reports: list[HighlightReport]) -> list[str]:
    """Each monthly report of the quarter in one line: its number, period and statuses."""
    lines = []
    for report in sorted(reports, key=lambda r: r.period_start):
        statuses = ", ".join(
            f"{s['heading'].replace(' Status', '').lower()} {RAG_WORDS[s['status']].lower()}"
            for s in report.sections
            if s.get("status")
        )
        period = f"{format_date(report.period_start)} to {format_date(report.period_end)}"
        lines.append(f"Report {report.number} ({period}){': ' + statuses if statuses else ''}")
    return lines or ["No monthly report was issued in the quarter."]


def draft_quarter_sections(
    project: Project, start: dt.date, end: dt.date, today: dt.date
) -> list[dict]:
    """The quarter's status, its monthly reports in brief, readiness and approved changes."""
    monthly = list(
        db.session.execute(
            select(HighlightReport).where(
                HighlightReport.project_id == project.id,
                HighlightReport.kind == ReportKind.PROJECT,
                HighlightReport.status == ReportStatus.ISSUED,
                HighlightReport.period_end >= start,
                HighlightReport.period_end <= end,
            )
        ).scalars()
    )
    found = project_readiness(project, today)
    statuses = {
        "schedule_status": schedule_status(project, today),
        "budget_status": budget_status(project, today),
        "resource_status": resource_status(project, today),
    }
    sections = [
        {
            "key": key,
            "heading": heading,
            "status": statuses[key].rag,
            "text": status_text(statuses[key], end, today),
        }
        for key, heading in SECTION_HEADINGS[:3]
    ]
    return sections + [
        {
            "key": "monthly_reports",
            "heading": "Monthly reports this quarter",
            "status": None,
            "text": "\n".join(monthly_in_brief(monthly)),
        },
        {
            "key": "readiness",
            "heading": "Readiness for accreditation",
            "status": None,
            "text": found.verdict.sentence if found else "No standard is set for the project.",
        },
        {
            "key": "change_impact",
            "heading": "Changes approved this quarter",
            "status": None,
            "text": "\n".join(change_impact(project, start, end)),
        },
    ]
