"""Staff time (Project Document 10.1): days as people type them, the days planned for each role
against the days recorded, and the rule for recording a person's days in a month.

Staff days are `Decimal` with one decimal place. `staff_summary(project)` loads what it needs in
two queries (`load_staff`); pages that have loaded it call the pure `summarise_staff`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.auth.models import Person
from tracker.budget.models import StaffResource, StaffTime
from tracker.budget.months import month_start
from tracker.extensions import db
from tracker.filters import date as format_date
from tracker.projects.models import Membership, Project
from tracker.rules import RuleRefused

MAX_DAYS_IN_MONTH = 31
DAYS_PLACES = Decimal("0.1")
_DAYS = re.compile(r"^(?P<minus>[-\u2212])?\s*(?:\d+(?:\.\d*)?|\.\d+)$")


def format_days(value: Decimal | int | None) -> str:
    """Days as a person writes them: 130, 1.5, 0.5 (no trailing ".0")."""
    if value is None:
        return ""
    number = Decimal(value)
    text = f"{number:,.1f}"
    return text[:-2] if text.endswith(".0") else text


def parse_days(text: str, month: dt.date | None = None) -> Decimal:
    """Days typed as text ("1.5", "2", "0.5") to a Decimal with at most one decimal place.

    Raises ValueError with a message for the form: blank, not a number, negative, more than one
    decimal place, or more days than the month has (31 when the month is not known).
    """
    cleaned = (text or "").strip()
    if not cleaned:
        raise ValueError("Enter the number of days")
    match = _DAYS.match(cleaned)
    if not match:
        raise ValueError("Days must be a number, like 2 or 1.5")
    if match["minus"]:
        raise ValueError("Days must be 0 or more")
    return check_days(Decimal(cleaned), month)


def check_days(days: Decimal, month: dt.date | None = None) -> Decimal:
    """Days as stored: 0 or more, no more than the month has, at most one decimal place."""
    if days < 0:
        raise ValueError("Days must be 0 or more")
    limit = calendar.monthrange(month.year, month.month)[1] if month else MAX_DAYS_IN_MONTH
    if days > limit:
        when = f"in {format_date(month, month_only=True)}" if month else "in a month"
        raise ValueError(f"Days must be {limit} or fewer {when}")
    if days != days.quantize(DAYS_PLACES):
        raise ValueError("Days must have 1 decimal place or fewer, like 1.5")
    return days.quantize(DAYS_PLACES)


@dataclass(frozen=True)
class RoleDays:
    """A planned staff resource (10.1) with the days actually recorded against it."""

    resource: StaffResource
    actual_days: Decimal

    @property
    def planned_days(self) -> int:
        return self.resource.quantity * self.resource.days_each

    @property
    def remaining_days(self) -> Decimal:
        return Decimal(self.planned_days) - self.actual_days

    @property
    def over_plan(self) -> bool:
        return self.remaining_days < 0

    @property
    def status(self) -> tuple[str, str]:
        if self.over_plan:
            return f"Over plan by {format_days(-self.remaining_days)} days", "red"
        if self.remaining_days == 0 and self.actual_days > 0:
            return "All planned days used", "blue"
        return "Within plan", "green"


@dataclass(frozen=True)
class MonthDays:
    month: dt.date
    by_resource: dict[int, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.by_resource.values(), Decimal(0))


@dataclass(frozen=True)
class StaffSummary:
    roles: list[RoleDays]
    months: list[MonthDays]
    entries: list[StaffTime] = field(default_factory=list)

    @property
    def planned_days(self) -> int:
        return sum(r.planned_days for r in self.roles)

    @property
    def actual_days(self) -> Decimal:
        return sum((r.actual_days for r in self.roles), Decimal(0))

    @property
    def remaining_days(self) -> Decimal:
        return Decimal(self.planned_days) - self.actual_days

    @property
    def over_plan(self) -> list[RoleDays]:
        return [r for r in self.roles if r.over_plan]

    def as_dict(self) -> dict:
        """Planned, actual and remaining days by role and in total (days as Decimal)."""
        return {
            "roles": [
                {
                    "role": r.resource.role_name,
                    "quantity": r.resource.quantity,
                    "days_each": r.resource.days_each,
                    "planned_days": r.planned_days,
                    "actual_days": r.actual_days,
                    "remaining_days": r.remaining_days,
                }
                for r in self.roles
            ],
            "total": {
                "planned_days": self.planned_days,
                "actual_days": self.actual_days,
                "remaining_days": self.remaining_days,
            },
        }


def load_staff(project: Project) -> tuple[list[StaffResource], list[StaffTime]]:
    """The planned resources and every recorded month of time, with its person: two queries."""
    resources = list(
        db.session.execute(
            select(StaffResource)
            .where(StaffResource.project_id == project.id)
            .order_by(StaffResource.position, StaffResource.id)
        ).scalars()
    )
    times = list(
        db.session.execute(
            select(StaffTime)
            .join(StaffResource, StaffResource.id == StaffTime.resource_id)
            .join(Person, Person.id == StaffTime.person_id)
            .where(StaffResource.project_id == project.id)
            .order_by(StaffTime.month, Person.name, StaffResource.position, StaffTime.id)
            .options(joinedload(StaffTime.person))
        ).scalars()
    )
    return resources, times


def summarise_staff(resources: Sequence[StaffResource], times: Sequence[StaffTime]) -> StaffSummary:
    actual: dict[int, Decimal] = {r.id: Decimal(0) for r in resources}
    months: dict[dt.date, dict[int, Decimal]] = {}
    for time in times:
        days = Decimal(time.days)
        actual[time.resource_id] = actual.get(time.resource_id, Decimal(0)) + days
        by_resource = months.setdefault(time.month, {})
        by_resource[time.resource_id] = by_resource.get(time.resource_id, Decimal(0)) + days
    return StaffSummary(
        roles=[RoleDays(r, actual[r.id]) for r in resources],
        months=[MonthDays(month, months[month]) for month in sorted(months)],
        entries=list(times),
    )


def staff_summary(project: Project) -> StaffSummary:
    """Planned days by role (quantity × days each), actual days recorded, by role and month."""
    return summarise_staff(*load_staff(project))


def members_for_staff_time(project: Project) -> list[Person]:
    """Everyone with a role in the project, by name: the people time can be recorded for."""
    return list(
        db.session.execute(
            select(Person)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.project_id == project.id)
            .distinct()
            .order_by(Person.name, Person.id)
        ).scalars()
    )


def project_resources(project: Project) -> list[StaffResource]:
    return list(
        db.session.execute(
            select(StaffResource)
            .where(StaffResource.project_id == project.id)
            .order_by(StaffResource.position, StaffResource.id)
        ).scalars()
    )


@dataclass(frozen=True)
class Recorded:
    entry: StaffTime
    previous_days: Decimal | None  # None when the month was not recorded before


def record_staff_time(
    project: Project,
    *,
    resource: StaffResource,
    person: Person,
    month: dt.date,
    days: Decimal,
) -> Recorded:
    """Set the days a person gave the project in a month in a role.

    Recording the same person, role and month again replaces the days recorded before (the
    unique constraint allows one row), so a correction is simply recorded again.
    """
    if resource.project_id != project.id:
        raise RuleRefused("Select a role of this project", "resource")
    month = month_start(month)
    first, last = month_start(project.start_date), month_start(project.end_date)
    if not first <= month <= last:
        raise RuleRefused(
            "The month must be within the project, "
            f"{format_date(first, month_only=True)} to {format_date(last, month_only=True)}",
            "month",
        )
    try:
        days = check_days(Decimal(days), month)
    except ValueError as exc:
        raise RuleRefused(str(exc), "days") from exc
    entry = db.session.execute(
        select(StaffTime).where(
            StaffTime.resource_id == resource.id,
            StaffTime.person_id == person.id,
            StaffTime.month == month,
        )
    ).scalar_one_or_none()
    previous = None
    if entry is None:
        entry = StaffTime(resource_id=resource.id, person_id=person.id, month=month, days=days)
        db.session.add(entry)
    else:
        previous = Decimal(entry.days)
        entry.days = days
    db.session.flush()
    return Recorded(entry=entry, previous_days=previous)
