"""Highlight reports: drafting, editing, issuing (numbered and frozen) and correcting.

An issued report is a record: its sections and a snapshot of the figures are kept as they were
on the day, and it never changes. A correction is a new report that names the one it corrects.
Services flush, never commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import func, select

from tracker.auth.models import Person
from tracker.extensions import db
from tracker.filters import date as format_date
from tracker.happenings import announce
from tracker.projects.models import Project
from tracker.reports.drafting import draft_sections
from tracker.reports.models import HighlightReport, ReportKind, ReportStatus
from tracker.reports.quarter_drafting import draft_quarter_sections
from tracker.reports.snapshots import snapshot, stream_snapshot
from tracker.reports.statuses import RAG_WORDS
from tracker.reports.stream_drafting import draft_stream_sections
from tracker.rules import RuleRefused
from tracker.transitions import claim, lock


def quarter_period(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """The first and last day of a calendar quarter (1 to 4)."""
    first = dt.date(year, 3 * quarter - 2, 1)
    after = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return first, after - dt.timedelta(days=1)


def new_draft(
    project: Project,
    person: Person,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    *,
    kind: ReportKind = ReportKind.PROJECT,
    work_stream_id: int | None = None,
) -> HighlightReport:
    """A report of `kind` for the period (a work stream report for `work_stream_id`), every
    heading drafted from live data."""
    if end < start:
        raise RuleRefused("The end of the period must be on or after its start", field="period_end")
    if kind is ReportKind.WORK_STREAM:
        if work_stream_id is None:
            raise RuleRefused("Select the work stream the report is for", field="work_stream")
        sections = draft_stream_sections(project, work_stream_id, start, end, today)
    elif kind is ReportKind.QUARTERLY:
        sections = draft_quarter_sections(project, start, end, today)
    else:
        sections = draft_sections(project, start, end, today)
    report = HighlightReport(
        project_id=project.id,
        kind=kind,
        work_stream_id=work_stream_id if kind is ReportKind.WORK_STREAM else None,
        period_start=start,
        period_end=end,
        status=ReportStatus.DRAFT,
        produced_by_id=person.id,
        sections=sections,
        snapshot={},
    )
    db.session.add(report)
    db.session.flush()
    return report


def _refuse_if_issued(report: HighlightReport) -> None:
    if report.status is ReportStatus.ISSUED:
        raise RuleRefused(
            f"{report.kind.label} {report.number} was issued on {format_date(report.issued_on)} "
            "and cannot be changed: issue a correction instead"
        )


def save_sections(report: HighlightReport, edits: Mapping[str, tuple[str | None, str]]) -> None:
    """New status and wording for the headings named in `edits` (key -> (status, text))."""
    _refuse_if_issued(report)
    sections = []
    for section in report.sections:
        status, text = edits.get(section["key"], (section.get("status"), section["text"]))
        if status not in (None, *RAG_WORDS):
            raise RuleRefused(f"{status} is not a status: use green, amber or red")
        sections.append(section | {"status": status or None, "text": text.strip()})
    report.sections = sections  # a new list, so that the change is saved and audited
    db.session.flush()


def issue(
    report: HighlightReport,
    project: Project,
    today: dt.date,
    now: dt.datetime,
    by: Person | None = None,
) -> None:
    """Number, date and freeze the report with the figures as they are today, and tell its
    audience (by e-mail, with a link to it).

    Issued once (tracker.transitions): of two people issuing it at the same moment, the second
    is refused. The project is locked while the number is taken, so that two reports issued at
    the same moment get the next two numbers."""
    _refuse_if_issued(report)
    if not claim(report, "status", ReportStatus.ISSUED):
        raise RuleRefused(
            f"Someone else issued this {report.kind.label.lower()} a moment ago: it is now "
            "frozen, and nothing was changed"
        )
    lock(project)
    last = db.session.execute(
        select(func.max(HighlightReport.number)).where(
            HighlightReport.project_id == report.project_id, HighlightReport.kind == report.kind
        )
    ).scalar_one()
    report.number = (last or 0) + 1
    report.issued_on = today
    report.issued_at = now
    report.snapshot = (
        stream_snapshot(project, report.work_stream_id, today)
        if report.kind is ReportKind.WORK_STREAM and report.work_stream_id is not None
        else snapshot(project, today)
    )
    db.session.flush()
    announce("report.issued", report, by=by)


def correction(report: HighlightReport, person: Person) -> HighlightReport:
    """A new draft that corrects an issued report, starting from its wording."""
    if report.status is not ReportStatus.ISSUED:
        raise RuleRefused("Only an issued report can be corrected: change the draft instead")
    fixed = HighlightReport(
        project_id=report.project_id,
        kind=report.kind,
        work_stream_id=report.work_stream_id,
        period_start=report.period_start,
        period_end=report.period_end,
        status=ReportStatus.DRAFT,
        produced_by_id=person.id,
        sections=[dict(s) for s in report.sections],
        snapshot={},
        corrects_id=report.id,
    )
    db.session.add(fixed)
    db.session.flush()
    return fixed


def project_reports(project: Project, *, drafts: bool) -> list[HighlightReport]:
    """Drafts (when the reader may see them), then issued reports, newest first (one query)."""
    query = select(HighlightReport).where(HighlightReport.project_id == project.id)
    if not drafts:
        query = query.where(HighlightReport.status == ReportStatus.ISSUED)
    return list(
        db.session.execute(
            query.order_by(HighlightReport.status, HighlightReport.period_end.desc())
        ).scalars()
    )


def streams_reported(
    reports: list[HighlightReport], stream_ids: list[int], months: list[dt.date]
) -> dict[tuple[int, dt.date], HighlightReport | None]:
    """For each work stream and month (first days), its issued report ending in that month."""
    found: dict[tuple[int, dt.date], HighlightReport | None] = {
        (s, m): None for s in stream_ids for m in months
    }
    for report in reports:
        if report.kind is ReportKind.WORK_STREAM and report.status is ReportStatus.ISSUED:
            key = (report.work_stream_id, report.period_end.replace(day=1))
            if key in found:
                found[key] = report
    return found
