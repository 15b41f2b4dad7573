"""What the reports area shows against a meeting on the project's meetings page
(tracker/projects/areas.py): the pack of a project group meeting (9.4), and the quarterly
highlight report an EMT or lead member meeting reads (9.1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from flask import url_for
from sqlalchemy import select

from tracker.extensions import db
from tracker.filters import date
from tracker.permissions import can
from tracker.projects.areas import Asker, Paper, add_meeting_papers
from tracker.projects.models import Meeting, MeetingKind
from tracker.reports.models import HighlightReport, ReportKind, ReportStatus

# A quarterly report goes to the first EMT and lead member meetings after its quarter ends:
# a meeting more than a quarter after the report's end reads a later one.
QUARTER_DAYS = 92
QUARTERLY_AUDIENCES = frozenset({MeetingKind.EMT, MeetingKind.LEAD_MEMBER})


def quarterly_report_for(
    reports: Sequence[HighlightReport], held_on: dt.date
) -> HighlightReport | None:
    """The quarterly report a meeting held on `held_on` reads: the one whose period ended
    last, on or before the meeting and no more than a quarter before it; an issued report
    before a draft of the same period."""
    fitting = [
        r
        for r in reports
        if r.period_end <= held_on and (held_on - r.period_end).days <= QUARTER_DAYS
    ]
    return max(
        fitting,
        key=lambda r: (r.period_end, r.status == ReportStatus.ISSUED, r.id),
        default=None,
    )


def _papers(asker: Asker, meetings: Sequence[Meeting]) -> dict[int, list[Paper]]:
    slug = asker.project.slug
    found: dict[int, list[Paper]] = {}
    packs = can("report.view_drafts", asker.roles)
    for meeting in meetings:
        if packs and meeting.kind == MeetingKind.PROJECT_GROUP:
            href = url_for("reports.meeting_pack_page", slug=slug, meeting_id=meeting.id)
            found[meeting.id] = [Paper(f"Pack for {date(meeting.held_on)}", href)]
    if not any(m.kind in QUARTERLY_AUDIENCES for m in meetings):
        return found
    query = select(HighlightReport).where(
        HighlightReport.project_id == asker.project.id,
        HighlightReport.kind == ReportKind.QUARTERLY,
    )
    if not packs:  # drafts are for those who write or approve them
        query = query.where(HighlightReport.status == ReportStatus.ISSUED)
    reports = list(db.session.execute(query).scalars())
    for meeting in meetings:
        report = quarterly_report_for(reports, meeting.held_on)
        if meeting.kind in QUARTERLY_AUDIENCES and report is not None:
            number = f" {report.number}" if report.number else " (draft)"
            period = f"{date(report.period_start)} to {date(report.period_end)}"
            href = url_for("reports.report", slug=slug, report_id=report.id)
            found[meeting.id] = [Paper(f"Quarterly highlight report{number}: {period}", href)]
    return found


def register() -> None:
    add_meeting_papers("reports", _papers)
