"""What the budget's figures are: actual to date is the sum of recorded spend; remaining is
derived.

Neither figure is ever stored or typed, so a line whose source document stated a different
remaining figure (the February 2010 training line) shows the derived one, with the stated figure
kept in the line's notes. Money is whole pence (int) throughout.

For reporting, `budget_summary(project)` loads the funding sources, their lines and spend in
three queries (`load_sources`); pages load once and call the pure `summarise_budget` on what
they loaded. `.as_dict()` gives the figures as plain numbers of pence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.budget.models import BudgetLine, FundingSource, SpendEntry
from tracker.extensions import db
from tracker.filters import money
from tracker.projects.models import Project


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
    def project_budget(self) -> BudgetSummary:
        """The sources of the project budget itself (Project Document 10.2), whose totals are
        the budget's headline; money beside it (`beside`) is never blended in."""
        return BudgetSummary(sources=[s for s in self.sources if s.source.in_project_budget])

    @property
    def beside(self) -> list[SourceFigures]:
        """Sources outside the project budget (a corporate training allocation), each shown as
        its own line."""
        return [s for s in self.sources if not s.source.in_project_budget]

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
                {
                    "code": s.source.code,
                    "name": s.source.name,
                    "in_project_budget": s.source.in_project_budget,
                }
                | figures(s)
                for s in self.sources
            ],
            "project_budget": figures(self.project_budget),
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
