"""The budget's money now, or as it stood just before a moment.

A change request keeps the class it was decided under (9.3), so the money the budget had left
must be known as it stood just before its decision: provision less the spend recorded up to
that day, with any provision moved since then wound back. The budget keeps no history of its
provisions; whoever moved them (approved change requests: tracker.issues) says when and by how
much, as `ProvisionChange`s.

`load_money(project, provision_changes)` loads the figures in two queries whatever the size of
the budget; `MoneyThen.totals(as_of)` gives provision and actual as they stood, and the
remaining figure is the budget's own (`BudgetTotals.remaining_pence`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import func, select

from tracker.budget.figures import BudgetTotals
from tracker.budget.models import BudgetLine, FundingSource, SpendEntry
from tracker.extensions import db
from tracker.filters import LONDON
from tracker.projects.models import Project


@dataclass(frozen=True)
class ProvisionChange:
    """A budget line's provision moved by `delta_pence` at the moment `at`."""

    at: dt.datetime
    line_id: int
    delta_pence: int


@dataclass(frozen=True)
class SourceMoney:
    """A funding source's name, allocation and the provision of its lines now."""

    name: str
    allocation_pence: int
    provision_pence: int


@dataclass(frozen=True)
class MoneyThen:
    provision_pence: int
    spend_by_day: tuple[tuple[dt.date, int], ...] = ()
    provision_changes: tuple[ProvisionChange, ...] = ()
    # Each budget line's funding source, and each source's money.
    line_sources: Mapping[int, int] = field(default_factory=dict)
    sources: Mapping[int, SourceMoney] = field(default_factory=dict)

    def _moved_since(self, as_of: dt.datetime, source_id: int | None = None) -> int:
        """Provision moved at or after `as_of` (on one source's lines if given)."""
        return sum(
            change.delta_pence
            for change in self.provision_changes
            if change.at >= as_of
            and (source_id is None or self.line_sources.get(change.line_id) == source_id)
        )

    def totals(self, as_of: dt.datetime | None = None) -> BudgetTotals:
        """Provision and actual to date now, or as they stood just before the moment `as_of`."""
        if as_of is None:
            return BudgetTotals(
                provision_pence=self.provision_pence,
                actual_pence=sum(amount for _, amount in self.spend_by_day),
            )
        day = as_of.astimezone(LONDON).date()
        return BudgetTotals(
            provision_pence=self.provision_pence - self._moved_since(as_of),
            actual_pence=sum(amount for spent, amount in self.spend_by_day if spent <= day),
        )

    def remaining(self, as_of: dt.datetime | None = None) -> int:
        """What the budget has left now, or had left just before the moment `as_of`."""
        return self.totals(as_of).remaining_pence

    def source_provision(self, source_id: int, as_of: dt.datetime | None = None) -> int:
        """The provision of a source's lines now, or just before the moment `as_of`."""
        provision = self.sources[source_id].provision_pence
        return provision if as_of is None else provision - self._moved_since(as_of, source_id)


def load_money(project: Project, provision_changes: Iterable[ProvisionChange] = ()) -> MoneyThen:
    """The project's budget lines, their sources and spend per day: two queries."""
    lines = db.session.execute(
        select(
            BudgetLine.id,
            BudgetLine.source_id,
            BudgetLine.provision_pence,
            FundingSource.name,
            FundingSource.allocation_pence,
        )
        .join(FundingSource, FundingSource.id == BudgetLine.source_id)
        .where(BudgetLine.project_id == project.id)
    ).all()
    spend = db.session.execute(
        select(SpendEntry.spent_on, func.sum(SpendEntry.amount_pence))
        .join(BudgetLine, BudgetLine.id == SpendEntry.line_id)
        .where(BudgetLine.project_id == project.id)
        .group_by(SpendEntry.spent_on)
    ).all()
    provided: dict[int, int] = defaultdict(int)
    for line in lines:
        provided[line.source_id] += line.provision_pence
    return MoneyThen(
        provision_pence=sum(line.provision_pence for line in lines),
        spend_by_day=tuple((day, int(amount)) for day, amount in spend),
        provision_changes=tuple(provision_changes),
        line_sources={line.id: line.source_id for line in lines},
        sources={
            line.source_id: SourceMoney(line.name, line.allocation_pence, provided[line.source_id])
            for line in lines
        },
    )
