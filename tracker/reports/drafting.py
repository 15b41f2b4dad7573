"""Drafting the monthly highlight report (appendix 5) from what the tracker knows.

Each heading is drafted by one function from live data; the manager then edits the wording and
sets the status before issuing. The three status rules (schedule, budget, resources) are also
what the dashboard shows; each has its rule in words as `RULE` and in its result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from tracker.budget.figures import budget_summary
from tracker.budget.models import StaffResource, StaffTime
from tracker.budget.months import MonthSpend, spend_by_month
from tracker.budget.staff import staff_summary
from tracker.evidence.models import EvidenceItem, EvidenceStatus, EvidenceStep
from tracker.evidence.readiness import project_readiness
from tracker.extensions import db
from tracker.filters import date as format_date
from tracker.filters import money
from tracker.issues.changes import changes_approved_between
from tracker.issues.models import EntryStatus, IssueLogEntry
from tracker.plan.milestones import finish_variance
from tracker.plan.models import Milestone, Progress, Task
from tracker.plan.stages import plan_stages, stage_statuses
from tracker.plan.tasks import progress_condition
from tracker.plan.work_plan import attach_responsible
from tracker.projects.models import Membership, Project, Role
from tracker.reports.models import HighlightReport, ReportKind, ReportStatus
from tracker.risks.models import Risk, RiskReview
from tracker.risks.services import is_live, risk_score, sort_by_score

# A milestone more than this many days behind its baseline makes the schedule red.
SCHEDULE_RED_DAYS = 14
# Less than this share of the provision left, with more than this share of the project to run,
# makes the budget amber.
BUDGET_AMBER_SHARE = Decimal("0.10")
# Staff days used ahead of the plan by more than this share make resources amber.
RESOURCE_AMBER_SHARE = Decimal("0.10")
KEY_RISKS = 5

SECTION_HEADINGS = [
    ("schedule_status", "Schedule Status"),
    ("budget_status", "Budget Status"),
    ("resource_status", "Resource Status"),
    ("products_completed", "Products completed during this period"),
    ("products_next", "Products to be completed during the next period"),
    ("key_risks", "Key Project Risks"),
    ("key_issues", "Key Project Issues"),
    ("change_impact", "Budget and Schedule Impact of any changes"),
]
RAG_WORDS = {"green": "Green", "amber": "Amber", "red": "Red"}


@dataclass(frozen=True)
class Status:
    rag: str  # "green", "amber" or "red"
    reason: str
    rule: str


SCHEDULE_RULE = (
    f"Red when a milestone is more than {SCHEDULE_RED_DAYS} days behind its baseline; amber when "
    "a milestone is behind its baseline or a task is late; otherwise green."
)
BUDGET_RULE = (
    "Red when a budget line or the whole budget is overspent; amber when less than "
    f"{BUDGET_AMBER_SHARE:.0%} of the provision is left; otherwise green."
)
RESOURCE_RULE = (
    "Red when the staff days recorded for a role exceed its planned days; amber when the days "
    f"used run more than {RESOURCE_AMBER_SHARE:.0%} ahead of the plan for the time elapsed; "
    "otherwise green."
)


def _late_tasks(project: Project, today: dt.date) -> list[Task]:
    return list(
        db.session.execute(
            select(Task)
            .where(Task.project_id == project.id, progress_condition(Progress.LATE, today))
            .order_by(Task.target_finish, Task.code)
        ).scalars()
    )


def _milestones(project: Project) -> list[Milestone]:
    return list(
        db.session.execute(
            select(Milestone)
            .where(Milestone.project_id == project.id)
            .order_by(Milestone.position, Milestone.scheduled_finish)
        ).scalars()
    )


def schedule_status(project: Project, today: dt.date) -> Status:
    """Red when a milestone is more than 14 days behind its baseline; amber when a milestone is
    behind its baseline or a task is late; otherwise green."""
    behind = [
        (m, v) for m in _milestones(project) if (v := finish_variance(m)) is not None and v > 0
    ]
    late = _late_tasks(project, today)
    worst = max(behind, key=lambda pair: pair[1], default=None)
    if worst and worst[1] > SCHEDULE_RED_DAYS:
        return Status(
            "red", f"{worst[0].name} is {worst[1]} days behind its baseline", SCHEDULE_RULE
        )
    if worst or late:
        parts = []
        if worst:
            parts.append(f"{worst[0].name} is {worst[1]} days behind its baseline")
        if late:
            parts.append(f"{len(late)} task{'s are' if len(late) != 1 else ' is'} late")
        return Status("amber", "; ".join(parts), SCHEDULE_RULE)
    return Status("green", "Every milestone is on its baseline and no task is late", SCHEDULE_RULE)


def budget_status(project: Project, today: dt.date) -> Status:
    """Red when a budget line or the whole budget is overspent; amber when less than 10% of
    the provision is left; otherwise green."""
    summary = budget_summary(project)
    over = [f for f in summary.lines if f.remaining_pence < 0]
    if over or summary.remaining_pence < 0:
        names = ", ".join(f.line.product for f in over) or "the budget"
        return Status("red", f"Overspent: {names}", BUDGET_RULE)
    reason = (
        f"{money(summary.actual_pence)} spent of {money(summary.provision_pence)}; "
        f"{money(summary.remaining_pence)} left"
    )
    if summary.provision_pence and Decimal(summary.remaining_pence) < (
        BUDGET_AMBER_SHARE * summary.provision_pence
    ):
        return Status("amber", reason, BUDGET_RULE)
    return Status("green", reason, BUDGET_RULE)


def resource_status(project: Project, today: dt.date) -> Status:
    """Red when the staff days recorded for a role exceed its planned days; amber when the days
    used run more than 10% ahead of the plan for the time elapsed; otherwise green."""
    staff = staff_summary(project)
    if staff.over_plan:
        roles = ", ".join(r.resource.role_name for r in staff.over_plan)
        return Status("red", f"More days than planned: {roles}", RESOURCE_RULE)
    length = (project.end_date - project.start_date).days or 1
    elapsed = min(max((today - project.start_date).days, 0), length)
    expected = Decimal(staff.planned_days) * elapsed / length
    reason = f"{staff.actual_days} of {staff.planned_days} planned days used"
    if staff.actual_days > expected * (1 + RESOURCE_AMBER_SHARE) and staff.actual_days > 0:
        return Status(
            "amber", reason + f", ahead of the {expected:.0f} planned by now", RESOURCE_RULE
        )
    return Status("green", reason, RESOURCE_RULE)


def status_text(status: Status, end: dt.date, today: dt.date) -> str:
    """A status's reason as drafted. The statuses are judged on the day of drafting, so for a
    period already over the text says so (the figures may have moved since the period ended)."""
    text = status.reason + "."
    if end < today:
        text += f" As at {format_date(today)}, when this was drafted."
    return text


# The other headings ------------------------------------------------------------------------------


def _tasks(project: Project) -> list[Task]:
    return list(
        db.session.execute(
            select(Task).where(Task.project_id == project.id).order_by(Task.position, Task.code)
        ).scalars()
    )


def products_completed(tasks: list[Task], start: dt.date, end: dt.date) -> list[str]:
    """Tasks finished in the period (by their actual finish)."""
    return [
        f"{t.code} {t.activity} (finished {format_date(t.actual_finish)})"
        for t in tasks
        if t.actual_finish is not None and start <= t.actual_finish <= end
    ]


def next_period_end(start: dt.date, end: dt.date) -> dt.date:
    """The last day of the next period: the next calendar month when the period is whole
    months (1 to 28 Feb, then March to the 31st), otherwise as many days again."""
    after = end + dt.timedelta(days=1)
    if start.day == 1 and after.day == 1:
        following = (after.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return following - dt.timedelta(days=1)
    return end + (end - start) + dt.timedelta(days=1)


def products_next(tasks: list[Task], start: dt.date, end: dt.date) -> list[str]:
    """Unfinished tasks due by the end of the next period, or already overdue."""
    horizon = next_period_end(start, end)
    return [
        f"{t.code} {t.activity} (due {format_date(t.target_finish)})"
        for t in tasks
        if t.actual_finish is None
        and t.progress is not Progress.COMPLETE
        and t.target_finish is not None
        and t.target_finish <= horizon
    ]


def key_risks(risks: list[Risk], start: dt.date, end: dt.date) -> list[str]:
    """The highest-scoring live risks, and any risk reviewed (changed) in the period."""
    live = sort_by_score(r for r in risks if is_live(r.status))[:KEY_RISKS]
    changed = [
        r
        for r in risks
        if r not in live
        and any(start <= review.reviewed_at.date() <= end for review in r.reviews[1:])
    ]
    return [
        f"Risk {r.number}: {r.description} (score {risk_score(r.probability, r.impact)})"
        for r in live
    ] + [f"Risk {r.number} changed in the period: {r.description}" for r in changed]


def key_issues(entries: list[IssueLogEntry], start: dt.date, end: dt.date) -> list[str]:
    """Open issue log entries, and entries identified or closed in the period (a closed entry
    last updated in the period was resolved then, as the February 2010 report shows)."""
    return [
        f"{e.number}: {e.description}" + ("" if e.status is EntryStatus.OPEN else " (Resolved)")
        for e in entries
        if e.status is EntryStatus.OPEN
        or start <= e.identified_on <= end
        or start <= e.last_updated_on <= end
    ]


def _effect_value(value: dt.date | int | None, is_money: bool) -> str:
    if value is None:
        return "none"
    if isinstance(value, dt.date):
        return format_date(value)
    return money(value) if is_money else str(value)


def change_impact(project: Project, start: dt.date, end: dt.date) -> list[str]:
    """Changes approved in the period, minor ones included, with their effect on the plan and
    the budget."""
    lines = []
    for view in changes_approved_between(project, start, end):
        kind = "major" if view.classification.major else "minor"
        effects = "; ".join(
            f"{e.heading}: {_effect_value(e.old, e.is_money)} to {_effect_value(e.new, e.is_money)}"
            for e in view.effects
        ) or ("no change to dates or budget")
        lines.append(f"Change request {view.change.number} ({kind}): {effects}")
    return lines or ["None to report."]


def draft_sections(project: Project, start: dt.date, end: dt.date, today: dt.date) -> list[dict]:
    """Every heading of appendix 5, drafted from the tracker's data as at `today`."""
    tasks = _tasks(project)
    risks = list(
        db.session.execute(
            select(Risk)
            .where(Risk.project_id == project.id)
            .options(selectinload(Risk.reviews).load_only(RiskReview.reviewed_at))
        ).scalars()
    )
    entries = list(
        db.session.execute(
            select(IssueLogEntry)
            .where(IssueLogEntry.project_id == project.id)
            .order_by(IssueLogEntry.number)
        ).scalars()
    )
    statuses = {
        "schedule_status": schedule_status(project, today),
        "budget_status": budget_status(project, today),
        "resource_status": resource_status(project, today),
    }
    texts = {
        "products_completed": products_completed(tasks, start, end) or ["None in this period."],
        "products_next": products_next(tasks, start, end) or ["None due."],
        "key_risks": key_risks(risks, start, end) or ["No live risks."],
        "key_issues": key_issues(entries, start, end) or ["No open issues."],
        "change_impact": change_impact(project, start, end),
    }
    sections = []
    for key, heading in SECTION_HEADINGS:
        status = statuses.get(key)
        sections.append(
            {
                "key": key,
                "heading": heading,
                "status": status.rag if status else None,
                "text": status_text(status, end, today) if status else "\n".join(texts[key]),
            }
        )
    return sections


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
            "allocated": summary.provision_pence,
            "spent": summary.actual_pence,
            "remaining": summary.remaining_pence,
        },
        "milestones": [
            {
                "name": m.name,
                "scheduled": m.scheduled_finish.isoformat(),
                "baseline": m.baseline_finish.isoformat() if m.baseline_finish else None,
                "variance_days": finish_variance(m),
            }
            for m in _milestones(project)
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


# The work stream report (appendix 6) ------------------------------------------------------

STREAM_HEADINGS = [
    ("schedule_status", "Schedule Status"),
    ("resource_status", "Resource Status"),
    ("products_completed", "Products completed during this period"),
    ("products_next", "Products to be completed during the next period"),
    ("risks", "Risks"),
    ("issues", "Issues"),
]


STREAM_SCHEDULE_RULE = "Amber when a task of the work stream is late; otherwise green."
# The plan has staff days by role, not by work stream, so no rule sets a stream's resources.
STREAM_RESOURCE_RULE = (
    "No rule sets this: the plan's staff days are by role, not by work stream. Set it from the "
    "days the stream's people recorded."
)


def stream_schedule_status(tasks: list[Task], today: dt.date) -> Status:
    """Amber when a task of the stream is late; otherwise green."""
    late = [
        t
        for t in tasks
        if t.actual_finish is None
        and t.progress is not Progress.COMPLETE
        and t.target_finish is not None
        and t.target_finish < today
    ]
    if late:
        codes = ", ".join(t.code for t in late)
        plural = "s" if len(late) != 1 else ""
        return Status("amber", f"{len(late)} task{plural} late: {codes}", STREAM_SCHEDULE_RULE)
    return Status("green", "No task of the work stream is late", STREAM_SCHEDULE_RULE)


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
    tasks = [t for t in _tasks(project) if t.work_stream_id == stream_id]
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


# The quarterly report for the EMT and the lead member --------------------------------------


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
