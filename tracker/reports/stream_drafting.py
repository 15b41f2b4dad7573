"""Drafting the work stream report (appendix 6) from what the tracker knows of one stream: its
tasks, its evidence, and the staff days, risks and issue log entries of its people.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from tracker.budget.models import StaffResource, StaffTime
from tracker.evidence.models import EvidenceItem, EvidenceStatus, EvidenceStep
from tracker.extensions import db
from tracker.issues.models import IssueLogEntry
from tracker.projects.models import Membership, Project, Role
from tracker.reports.drafting import (
    key_issues,
    key_risks,
    products_completed,
    products_next,
    tasks_in_order,
)
from tracker.reports.statuses import status_text, stream_schedule_status
from tracker.risks.models import Risk, RiskReview

STREAM_HEADINGS = [
    ("schedule_status", "Schedule Status"),
    ("resource_status", "Resource Status"),
    ("products_completed", "Products completed during this period"),
    ("products_next", "Products to be completed during the next period"),
    ("risks", "Risks"),
    ("issues", "Issues"),
]


def evidence_lines(
    statuses: list[tuple[str, dt.datetime | None]], start: dt.date, end: dt.date
) -> list[str]:
    """The stream's evidence: how many items by status, and how many were accepted in the period.
    `statuses` holds each item's status and, for accepted items, when it was accepted."""
    counts: dict[str, int] = {}
    accepted_in_period = 0
    for status, accepted_at in statuses:
        counts[status] = counts.get(status, 0) + 1
        if accepted_at is not None and start <= accepted_at.date() <= end:
            accepted_in_period += 1
    if not counts:
        return ["No evidence in the library yet."]
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    return [
        f"Evidence accepted in the period: {accepted_in_period}.",
        f"Evidence in the library: {summary}.",
    ]


def stream_days(days: list[tuple[dt.date, Decimal]], start: dt.date, end: dt.date) -> str:
    """The staff days the stream's people recorded: in the period's months and in all.
    `days` holds each record's month (its first day) and days."""
    if not days:
        return "No staff days recorded by the work stream's people."
    first = start.replace(day=1)
    in_period = sum((d for month, d in days if first <= month <= end), Decimal(0))
    in_all = sum((d for _, d in days), Decimal(0))
    return (
        f"{in_period} staff days recorded by the work stream's people in the period; "
        f"{in_all} since the project began."
    )


# What the people in these roles own and record is the whole project's, not a work stream's,
# even where they also have a role in a stream (the seed's manager leads Corporate Services).
PROJECT_WIDE_ROLES = (Role.SPONSOR, Role.MANAGER, Role.SUPPORT)


def _stream_people(project: Project, stream_id: int) -> Select:
    """The ids of the people with a role in the work stream and none across the project."""
    in_project = Membership.project_id == project.id
    project_wide = select(Membership.person_id).where(
        in_project, Membership.role.in_(PROJECT_WIDE_ROLES)
    )
    return select(Membership.person_id).where(
        in_project,
        Membership.work_stream_id == stream_id,
        Membership.person_id.not_in(project_wide),
    )


def draft_stream_sections(
    project: Project, stream_id: int, start: dt.date, end: dt.date, today: dt.date
) -> list[dict]:
    """Appendix 6 for one work stream, from its tasks, its evidence, and the staff days, risks
    and issue log entries of its people (the logs are the project's: a stream's risks are those
    its people own, its issues those its people raised, leaving out people with a project-wide
    role, whose risks and issues are the project's)."""
    tasks = [t for t in tasks_in_order(project) if t.work_stream_id == stream_id]
    people = _stream_people(project, stream_id)
    days = list(
        db.session.execute(
            select(StaffTime.month, StaffTime.days)
            .join(StaffTime.resource)
            .where(StaffResource.project_id == project.id, StaffTime.person_id.in_(people))
        )
    )
    risks = list(
        db.session.execute(
            select(Risk)
            .where(Risk.project_id == project.id, Risk.owner_id.in_(people))
            .options(selectinload(Risk.reviews).load_only(RiskReview.reviewed_at))
        ).scalars()
    )
    entries = list(
        db.session.execute(
            select(IssueLogEntry)
            .where(IssueLogEntry.project_id == project.id, IssueLogEntry.author_id.in_(people))
            .order_by(IssueLogEntry.number)
        ).scalars()
    )
    accepted = (
        select(func.max(EvidenceStep.at))
        .where(
            EvidenceStep.item_id == EvidenceItem.id,
            EvidenceStep.to_status == EvidenceStatus.ACCEPTED,
        )
        .scalar_subquery()
    )
    evidence = [
        (status.value, accepted_at)
        for status, accepted_at in db.session.execute(
            select(EvidenceItem.status, accepted).where(
                EvidenceItem.project_id == project.id, EvidenceItem.work_stream_id == stream_id
            )
        )
    ]
    schedule = stream_schedule_status(tasks, today)
    texts = {
        "schedule_status": status_text(schedule, end, today),
        "resource_status": stream_days(days, start, end),
        "products_completed": "\n".join(
            products_completed(tasks, start, end) + evidence_lines(evidence, start, end)
        ),
        "products_next": "\n".join(products_next(tasks, start, end) or ["None due."]),
        "risks": "\n".join(
            key_risks(risks, start, end) or ["No live risk is owned by the work stream's people."]
        ),
        "issues": "\n".join(
            key_issues(entries, start, end)
            or ["No open issue was raised by the work stream's people."]
        ),
    }
    return [
        {
            "key": key,
            "heading": heading,
            "status": schedule.rag if key == "schedule_status" else None,
            "text": texts[key],
        }
        for key, heading in STREAM_HEADINGS
    ]
