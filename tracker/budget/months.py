"""Spend month by month: planned against actual, and the month arithmetic it needs.

`spend_by_month(project)` loads the budget in three queries; pages that have loaded it already
call the pure `monthly_spend` on what they loaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from tracker.budget.figures import load_sources
from tracker.budget.models import FundingSource
from tracker.filters import date as format_date
from tracker.projects.models import Project
from tracker.projects.span import clamp_to_span

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
    project: Project, sources: Sequence[FundingSource], on: dt.date
) -> list[MonthSpend]:
    """Planned against actual spend for every month of the project (pure: no queries).

    Planned: the total provision spread evenly over the project's months; month i (of n) has
    `provision * i // n` planned to date, so the figures are whole pence and the last month
    reaches the whole provision. Actual: spend added up by the month it was made, shown up to
    the month of `on` (the project's status date). The months are the project's, whatever the
    data: spend dated before the project (or after it), recorded before dates outside it were
    refused, counts in its first (or last) month, so that the totals stay whole and no chart
    stretches beyond the project.
    """
    lines = [line for source in sources for line in source.lines]
    provision = sum(line.provision_pence for line in lines)
    spent: dict[dt.date, int] = {}
    for line in lines:
        for entry in line.spend:
            month = month_start(clamp_to_span(project, entry.spent_on))
            spent[month] = spent.get(month, 0) + entry.amount_pence
    planned_months = project_months(project)
    count = len(planned_months)
    rows = []
    planned_before = actual_to_date = 0
    for index, month in enumerate(planned_months, start=1):
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


def spend_by_month(project: Project, on: dt.date) -> list[MonthSpend]:
    """Planned and actual spend, month by month and to date (see `monthly_spend`)."""
    return monthly_spend(project, load_sources(project), on)
