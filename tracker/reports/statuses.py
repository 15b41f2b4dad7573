"""The status rules of a highlight report, in one place: schedule, budget and resources for
the project (appendix 5, the quarterly report and the dashboard), and schedule for a work
stream (appendix 6). Each rule is a function from live data to a `Status` (red, amber or green,
with the reason), and has its rule in words (`*_RULE`), shown beside the status on the edit page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from tracker.budget.figures import budget_summary
from tracker.budget.staff import staff_summary
from tracker.extensions import db
from tracker.filters import date as format_date
from tracker.filters import money
from tracker.plan.milestones import finish_variance
from tracker.plan.models import Milestone, Progress, Task
from tracker.plan.tasks import progress_condition
from tracker.projects.models import Project

# A milestone more than this many days behind its baseline makes the schedule red.
SCHEDULE_RED_DAYS = 14
# Less than this share of the provision left, with more than this share of the project to run,
# makes the budget amber.
BUDGET_AMBER_SHARE = Decimal("0.10")
# Staff days used ahead of the plan by more than this share make resources amber.
RESOURCE_AMBER_SHARE = Decimal("0.10")
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


def _late_tasks(project: Project, today: dt.date) -> list[Task]:
    return list(
        db.session.execute(
            select(Task)
            .where(Task.project_id == project.id, progress_condition(Progress.LATE, today))
            .order_by(Task.target_finish, Task.code)
        ).scalars()
    )


def milestones_in_order(project: Project) -> list[Milestone]:
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
        (m, v)
        for m in milestones_in_order(project)
        if (v := finish_variance(m)) is not None and v > 0
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
    """Red when a budget line or the project budget is overspent; amber when less than 10% of
    the project budget's provision is left; otherwise green. Money beside the project budget
    (`FundingSource.in_project_budget` false) is stated on its own, not blended in."""
    whole = budget_summary(project)
    summary = whole.project_budget
    over = [f for f in whole.lines if f.remaining_pence < 0]
    if over or summary.remaining_pence < 0:
        names = ", ".join(f.line.product for f in over) or "the budget"
        return Status("red", f"Overspent: {names}", BUDGET_RULE)
    reason = ". ".join(
        [
            f"{money(summary.actual_pence)} spent of {money(summary.provision_pence)}; "
            f"{money(summary.remaining_pence)} left",
            *(
                f"Beside the project budget, {s.source.name}: {money(s.actual_pence)} spent of "
                f"{money(s.provision_pence)}; {money(s.remaining_pence)} left"
                for s in whole.beside
            ),
        ]
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
