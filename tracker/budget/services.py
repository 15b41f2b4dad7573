"""Rules of the budget: actual to date is the sum of recorded spend; remaining is derived.

Neither figure is ever stored or typed, so a line whose source document stated a different
remaining figure (the February 2010 training line) shows the derived one, with the stated figure
kept in the line's notes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tracker.budget.models import BudgetLine, FundingSource


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
