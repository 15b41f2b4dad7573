"""Rules of the budget: actual to date is the sum of recorded spend; remaining is derived.

Neither figure is ever stored or typed, so a line whose source document stated a different
remaining figure (the February 2010 training line) shows the derived one, with the stated figure
kept in the line's notes.

Money is whole pence (int) throughout; staff days are `Decimal` with one decimal place.

For reporting: `budget_summary(project)`, `spend_by_month(project)` and `staff_summary(project)`
each load what they need in a fixed number of queries. The pages load once and call the pure
`summarise_budget`, `monthly_spend` and `summarise_staff` on what they loaded.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.auth.models import Person
from tracker.budget.models import BudgetLine, FundingSource, SpendEntry, StaffResource, StaffTime
from tracker.extensions import db
from tracker.filters import date as format_date
from tracker.filters import london_today as today
from tracker.filters import money
from tracker.projects.models import Membership, Project


@dataclass(frozen=True)
class BudgetTotals:
    provision_pence: int
    actual_pence: int

    @property
    def remaining_pence(self) -> int:
        return self.provision_pence - self.actual_pence


def line_actual(line: BudgetLine) -> int:
    """Actual to date, in pence: everything spent against the line."""
    return sum(entry.amount_pence for entry in line.spend)


def line_remaining(line: BudgetLine) -> int:
    """Provision less actual to date, in pence; negative when the line is overspent."""
    return line.provision_pence - line_actual(line)


def lines_totals(lines: Iterable[BudgetLine]) -> BudgetTotals:
    provision = actual = 0
    for line in lines:
        provision += line.provision_pence
        actual += line_actual(line)
    return BudgetTotals(provision_pence=provision, actual_pence=actual)


def source_totals(source: FundingSource) -> BudgetTotals:
    """Provision, actual and remaining over all the lines a funding source pays for."""
    return lines_totals(source.lines)


# Budget lines and funding sources ----------------------------------------------------------


class BudgetRuleError(ValueError):
    """A refused change to the budget; `field` names the form field the message belongs beside."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class LineFigures:
    """A budget line with its derived figures."""

    line: BudgetLine
    actual_pence: int

    @property
    def provision_pence(self) -> int:
        return self.line.provision_pence

    @property
    def remaining_pence(self) -> int:
        return self.line.provision_pence - self.actual_pence

    @property
    def overspent(self) -> bool:
        """Spent more than the provision: a penny over is overspent; exactly spent is not."""
        return self.remaining_pence < 0

    @property
    def fully_spent(self) -> bool:
        return self.remaining_pence == 0 and self.actual_pence > 0

    @property
    def costed_pence(self) -> int:
        """Quantity times unit cost, to compare with the provision the line was given."""
        return self.line.quantity * self.line.unit_cost_pence

    @property
    def provision_differs(self) -> bool:
        return self.costed_pence != self.line.provision_pence

    @property
    def status(self) -> tuple[str, str]:
        """The line's state in words, and a tag colour that only repeats the words."""
        if self.overspent:
            return f"Overspent by {money(-self.remaining_pence)}", "red"
        if self.fully_spent:
            return "Fully spent", "blue"
        return "Within provision", "green"


class _Totalled:
    """Provision, actual and remaining of a group of lines, read from its `totals`."""

    totals: BudgetTotals

    @property
    def provision_pence(self) -> int:
        return self.totals.provision_pence

    @property
    def actual_pence(self) -> int:
        return self.totals.actual_pence

    @property
    def remaining_pence(self) -> int:
        return self.totals.remaining_pence


@dataclass(frozen=True)
class SourceFigures(_Totalled):
    """A funding source, its lines and their totals against the source's allocation."""

    source: FundingSource
    lines: list[LineFigures]

    @property
    def allocation_pence(self) -> int:
        return self.source.allocation_pence

    @property
    def totals(self) -> BudgetTotals:
        return BudgetTotals(
            provision_pence=sum(f.provision_pence for f in self.lines),
            actual_pence=sum(f.actual_pence for f in self.lines),
        )

    @property
    def unprovided_pence(self) -> int:
        """Allocation not yet given to any line; negative when the lines ask for more."""
        return self.allocation_pence - self.provision_pence

    @property
    def provision_over_allocation_pence(self) -> int:
        return max(self.provision_pence - self.allocation_pence, 0)

    @property
    def spend_over_allocation_pence(self) -> int:
        return max(self.actual_pence - self.allocation_pence, 0)

    @property
    def over_allocation(self) -> bool:
        """The lines provide, or have spent, more than the source was allocated."""
        return bool(self.provision_over_allocation_pence or self.spend_over_allocation_pence)

    @property
    def overspent_lines(self) -> list[LineFigures]:
        return [f for f in self.lines if f.overspent]

    @property
    def problems(self) -> list[str]:
        """What is wrong with the source, in words (empty when nothing is)."""
        name = self.source.name
        problems = []
        if self.spend_over_allocation_pence:
            problems.append(
                f"{name}: spent {money(self.spend_over_allocation_pence)} more than its "
                f"allocation of {money(self.allocation_pence)}"
            )
        if self.provision_over_allocation_pence:
            problems.append(
                f"{name}: its lines provide {money(self.provision_over_allocation_pence)} more "
                f"than its allocation of {money(self.allocation_pence)}"
            )
        return problems

    @property
    def status(self) -> tuple[str, str]:
        if self.spend_over_allocation_pence:
            return (f"Spend over allocation by {money(self.spend_over_allocation_pence)}", "red")
        if self.provision_over_allocation_pence:
            return (
                f"Provision over allocation by {money(self.provision_over_allocation_pence)}",
                "amber",
            )
        if self.overspent_lines:
            count = len(self.overspent_lines)
            return f"{count} line{'s' if count != 1 else ''} overspent", "red"
        return "Within allocation", "green"


@dataclass(frozen=True)
class BudgetSummary(_Totalled):
    """Every funding source with its lines, and the totals over them all."""

    sources: list[SourceFigures]

    @property
    def lines(self) -> list[LineFigures]:
        return [f for s in self.sources for f in s.lines]

    @property
    def totals(self) -> BudgetTotals:
        return BudgetTotals(
            provision_pence=sum(s.provision_pence for s in self.sources),
            actual_pence=sum(s.actual_pence for s in self.sources),
        )

    @property
    def allocation_pence(self) -> int:
        return sum(s.allocation_pence for s in self.sources)

    @property
    def spend(self) -> list[SpendEntry]:
        """Every spend entry, oldest first."""
        entries = [entry for f in self.lines for entry in f.line.spend]
        return sorted(entries, key=lambda e: (e.spent_on, e.id))

    @property
    def overspent_lines(self) -> list[LineFigures]:
        return [f for f in self.lines if f.overspent]

    @property
    def problems(self) -> list[str]:
        """Every overspent line and every source over its allocation, in words."""
        problems = [p for s in self.sources for p in s.problems]
        for f in self.overspent_lines:
            problems.append(
                f"{f.line.product} ({f.line.source.code}): overspent by "
                f"{money(-f.remaining_pence)}; {money(f.actual_pence)} spent against a provision "
                f"of {money(f.provision_pence)}"
            )
        return problems

    def as_dict(self) -> dict:
        """Per source and in total: allocation, provision, actual and remaining, in pence."""

        def figures(item: SourceFigures | BudgetSummary) -> dict:
            return {
                "allocation_pence": item.allocation_pence,
                "provision_pence": item.provision_pence,
                "actual_pence": item.actual_pence,
                "remaining_pence": item.remaining_pence,
            }

        return {
            "sources": [
                {"code": s.source.code, "name": s.source.name} | figures(s) for s in self.sources
            ],
            "total": figures(self),
        }


def load_sources(project: Project) -> list[FundingSource]:
    """The funding sources with their lines and spend: three queries, whatever the size."""
    return list(
        db.session.execute(
            select(FundingSource)
            .where(FundingSource.project_id == project.id)
            .order_by(FundingSource.position, FundingSource.id)
            .options(selectinload(FundingSource.lines).selectinload(BudgetLine.spend))
        ).scalars()
    )


def summarise_budget(sources: Sequence[FundingSource]) -> BudgetSummary:
    return BudgetSummary(
        sources=[
            SourceFigures(
                source=source,
                lines=[LineFigures(line, line_actual(line)) for line in source.lines],
            )
            for source in sources
        ]
    )


def budget_summary(project: Project) -> BudgetSummary:
    """Per funding source and in total: provision, actual to date and remaining (derived).

    `.as_dict()` gives the figures as plain numbers of pence, for reports.
    """
    return summarise_budget(load_sources(project))


def get_line(project: Project, line_id: int) -> BudgetLine | None:
    line = db.session.get(BudgetLine, line_id)
    return line if line is not None and line.project_id == project.id else None


def get_source(project: Project, source_id: int) -> FundingSource | None:
    source = db.session.get(FundingSource, source_id)
    return source if source is not None and source.project_id == project.id else None


def get_spend(project: Project, entry_id: int) -> SpendEntry | None:
    entry = db.session.execute(
        select(SpendEntry)
        .join(BudgetLine, BudgetLine.id == SpendEntry.line_id)
        .where(SpendEntry.id == entry_id, BudgetLine.project_id == project.id)
        .options(joinedload(SpendEntry.line).joinedload(BudgetLine.source))
    ).scalar_one_or_none()
    return entry


def project_sources(project: Project) -> list[FundingSource]:
    """The funding sources alone (for choosing one), in their order."""
    return list(
        db.session.execute(
            select(FundingSource)
            .where(FundingSource.project_id == project.id)
            .order_by(FundingSource.position, FundingSource.id)
        ).scalars()
    )


def project_lines(project: Project) -> list[BudgetLine]:
    """The budget lines alone (for choosing one), by source then position."""
    return list(
        db.session.execute(
            select(BudgetLine)
            .join(FundingSource, FundingSource.id == BudgetLine.source_id)
            .where(BudgetLine.project_id == project.id)
            .order_by(FundingSource.position, FundingSource.id, BudgetLine.position, BudgetLine.id)
            .options(joinedload(BudgetLine.source))
        ).scalars()
    )


def save_source(
    project: Project,
    source: FundingSource | None,
    *,
    code: str,
    name: str,
    allocation_pence: int,
) -> FundingSource:
    """Add a funding source (source None) or change one. The code is unique in the project."""
    code = code.strip().upper()
    taken = db.session.execute(
        select(FundingSource.id).where(
            FundingSource.project_id == project.id,
            func.upper(FundingSource.code) == code,
        )
    ).scalar_one_or_none()
    if taken is not None and (source is None or taken != source.id):
        raise BudgetRuleError(f"The project already has a funding source with code {code}", "code")
    if allocation_pence < 0:
        raise BudgetRuleError("The allocation must be £0 or more", "allocation")
    if source is None:
        position = db.session.execute(
            select(func.coalesce(func.max(FundingSource.position), 0)).where(
                FundingSource.project_id == project.id
            )
        ).scalar_one()
        source = FundingSource(project_id=project.id, position=position + 1)
        db.session.add(source)
    source.code = code
    source.name = name.strip()
    source.allocation_pence = allocation_pence
    db.session.flush()
    return source


def save_line(
    project: Project,
    line: BudgetLine | None,
    *,
    source: FundingSource,
    product: str,
    quantity: int,
    unit_cost_pence: int,
    provision_pence: int | None,
    notes: str = "",
) -> BudgetLine:
    """Add a budget line (line None) or change one. A blank provision is quantity × unit cost."""
    if source.project_id != project.id:
        raise BudgetRuleError("Select a funding source of this project", "source")
    if quantity < 1:
        raise BudgetRuleError("Quantity must be 1 or more", "quantity")
    if unit_cost_pence < 0:
        raise BudgetRuleError("The unit cost must be £0 or more", "unit_cost")
    if provision_pence is None:
        provision_pence = quantity * unit_cost_pence
    if provision_pence < 0:
        raise BudgetRuleError("The provision must be £0 or more", "provision")
    if line is None or line.source_id != source.id:
        position = db.session.execute(
            select(func.coalesce(func.max(BudgetLine.position), 0)).where(
                BudgetLine.project_id == project.id
            )
        ).scalar_one()
        if line is None:
            line = BudgetLine(project_id=project.id)
            db.session.add(line)
        line.position = position + 1
    line.source_id = source.id
    line.source = source
    line.product = product.strip()
    line.quantity = quantity
    line.unit_cost_pence = unit_cost_pence
    line.provision_pence = provision_pence
    line.notes = (notes or "").strip()
    db.session.flush()
    return line


def record_spend(
    line: BudgetLine,
    *,
    spent_on: dt.date,
    amount_pence: int,
    supplier: str = "",
    reference: str = "",
    description: str = "",
    on: dt.date | None = None,
) -> SpendEntry:
    """Record money spent against a line. The amount is more than £0 and not in the future."""
    if amount_pence <= 0:
        raise BudgetRuleError("The amount must be more than £0", "amount")
    if spent_on > (on or today()):
        raise BudgetRuleError("The date must be today or in the past", "spent_on")
    entry = SpendEntry(
        line_id=line.id,
        spent_on=spent_on,
        amount_pence=amount_pence,
        supplier=supplier.strip(),
        reference=reference.strip(),
        description=description.strip(),
    )
    line.spend.append(entry)
    db.session.add(entry)
    db.session.flush()
    return entry


def delete_spend(entry: SpendEntry) -> None:
    db.session.delete(entry)
    db.session.flush()


# Spend by month --------------------------------------------------------------------------------


PLANNED_RULE = (
    "Planned spend is the provision of every budget line spread evenly over the months of the "
    "project, {start} to {end} ({count} months), and added up month by month. Actual spend is "
    "everything recorded up to the end of each month."
)


@dataclass(frozen=True)
class MonthSpend:
    month: dt.date  # the first day of the month
    planned_pence: int  # planned in this month
    planned_to_date_pence: int  # planned up to the end of this month
    actual_pence: int | None  # spent in this month; None for a month still to come
    actual_to_date_pence: int | None

    @property
    def variance_pence(self) -> int | None:
        """Spent to date less planned to date: negative is underspent, positive ahead of plan."""
        if self.actual_to_date_pence is None:
            return None
        return self.actual_to_date_pence - self.planned_to_date_pence


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first day of every month from `first`'s month to `last`'s month, both included."""
    months, month = [], month_start(first)
    while month <= month_start(last):
        months.append(month)
        month = add_months(month, 1)
    return months


def project_months(project: Project) -> list[dt.date]:
    return months_between(project.start_date, project.end_date)


def planned_rule(project: Project) -> str:
    months = project_months(project)
    return PLANNED_RULE.format(
        start=format_date(project.start_date),
        end=format_date(project.end_date),
        count=len(months),
    )


def monthly_spend(
    project: Project, sources: Sequence[FundingSource], on: dt.date | None = None
) -> list[MonthSpend]:
    """Planned against actual spend for every month of the project (pure: no queries).

    Planned: the total provision spread evenly over the project's months; month i (of n) has
    `provision * i // n` planned to date, so the figures are whole pence and the last month
    reaches the whole provision. Actual: spend added up by the month it was made, shown up to
    the month of `on` (today). Months before or after the project are added when spend falls in
    them.
    """
    on = on or today()
    lines = [line for source in sources for line in source.lines]
    provision = sum(line.provision_pence for line in lines)
    spent: dict[dt.date, int] = {}
    for line in lines:
        for entry in line.spend:
            month = month_start(entry.spent_on)
            spent[month] = spent.get(month, 0) + entry.amount_pence
    planned_months = project_months(project)
    count = len(planned_months)
    first = min([planned_months[0], *spent]) if planned_months else min(spent, default=None)
    last = max([planned_months[-1], *spent]) if planned_months else max(spent, default=None)
    if first is None or last is None:
        return []
    rows = []
    planned_before = actual_to_date = 0
    for month in months_between(first, last):
        if not planned_months or month < planned_months[0]:
            planned_to_date = 0
        elif month > planned_months[-1]:
            planned_to_date = provision
        else:
            index = (month.year - planned_months[0].year) * 12 + month.month
            index -= planned_months[0].month - 1
            planned_to_date = provision * index // count
        actual = spent.get(month, 0)
        actual_to_date += actual
        past = month <= month_start(on)
        rows.append(
            MonthSpend(
                month=month,
                planned_pence=planned_to_date - planned_before,
                planned_to_date_pence=planned_to_date,
                actual_pence=actual if past else None,
                actual_to_date_pence=actual_to_date if past else None,
            )
        )
        planned_before = planned_to_date
    return rows


def spend_by_month(project: Project, on: dt.date | None = None) -> list[MonthSpend]:
    """Planned and actual spend, month by month and to date (see `monthly_spend`)."""
    return monthly_spend(project, load_sources(project), on)


# Staff time --------------------------------------------------------------------------------


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


def project_people(project: Project) -> list[Person]:
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
        raise BudgetRuleError("Select a role of this project", "resource")
    month = month_start(month)
    first, last = month_start(project.start_date), month_start(project.end_date)
    if not first <= month <= last:
        raise BudgetRuleError(
            "The month must be within the project, "
            f"{format_date(first, month_only=True)} to {format_date(last, month_only=True)}",
            "month",
        )
    try:
        days = check_days(Decimal(days), month)
    except ValueError as exc:
        raise BudgetRuleError(str(exc), "days") from exc
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
