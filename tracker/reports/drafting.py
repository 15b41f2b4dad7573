"""Drafting the monthly highlight report (appendix 5) from what the tracker knows.

Each heading is drafted by one function from live data; the manager then edits the wording and
sets the status before issuing. The three status headings are drafted by the status rules of
tracker/reports/statuses.py, which the dashboard shows too; the other headings' rules are here,
and the work stream report (stream_drafting.py) and the quarterly report (quarter_drafting.py)
draft some of their headings with them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.filters import date as format_date
from tracker.filters import money
from tracker.issues.changes import changes_approved_between
from tracker.issues.models import EntryStatus, IssueLogEntry
from tracker.plan.models import Progress, Task
from tracker.projects.models import Project
from tracker.reports.statuses import budget_status, resource_status, schedule_status, status_text
from tracker.risks.models import Risk, RiskReview
from tracker.risks.services import is_live, risk_score, sort_by_score

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


def tasks_in_order(project: Project) -> list[Task]:
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
    tasks = tasks_in_order(project)
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
