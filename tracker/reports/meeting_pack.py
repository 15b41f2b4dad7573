"""The pack for a project group meeting (9.4): what the meeting must decide and read."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.issues.changes import project_changes
from tracker.issues.classification import ChangeView
from tracker.issues.log import issue_log
from tracker.issues.models import ChangeStatus, IssueLogEntry
from tracker.plan.models import StageReview
from tracker.plan.stage_reviews import reviews_awaiting_decision
from tracker.projects.models import Meeting, Project
from tracker.reports.models import HighlightReport, ReportKind, ReportStatus
from tracker.reports.services import project_reports
from tracker.risks.models import Risk
from tracker.risks.services import HeatMap, heat_map, project_risks, sort_by_number


@dataclass
class MeetingPack:
    meeting: Meeting
    reviews: list[StageReview]
    changes: list[ChangeView]
    highlight: HighlightReport | None
    stream_reports: list[HighlightReport]
    issues: list[IssueLogEntry]
    risks: list[Risk]
    heat: HeatMap


def meeting_pack(project: Project, meeting: Meeting) -> MeetingPack:
    """Stage reviews due, change requests to decide, the latest issued highlight report and the
    work stream reports issued since the one before it, the issue log and the risk log."""
    issued = [
        r
        for r in project_reports(project, drafts=False)
        if r.issued_on is None or r.issued_on <= meeting.held_on
    ]
    highlight = next((r for r in issued if r.kind is ReportKind.PROJECT), None)
    since = highlight.period_start if highlight else None
    streams = [
        r
        for r in issued
        if r.kind is ReportKind.WORK_STREAM
        and r.status is ReportStatus.ISSUED
        and (since is None or r.period_end >= since)
    ]
    risks = project_risks(project)
    return MeetingPack(
        meeting=meeting,
        reviews=reviews_awaiting_decision(project),
        changes=[
            v
            for v in project_changes(project)
            if v.change.status in (ChangeStatus.RAISED, ChangeStatus.ASSESSED)
        ],
        highlight=highlight,
        stream_reports=streams,
        issues=issue_log(project),
        risks=sort_by_number(risks),
        heat=heat_map(risks),
    )
