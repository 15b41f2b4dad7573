"""The budget: funding sources, budget lines, spend, staff resources and the time booked to them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from tests.factories.base import Base
from tests.factories.people import PersonFactory, ProjectPart
from tracker.budget.models import BudgetLine, FundingSource, SpendEntry, StaffResource, StaffTime


class FundingSourceFactory(ProjectPart):
    class Meta:
        model = FundingSource

    code = factory.Sequence(lambda n: f"S{n + 1}")
    name = factory.Sequence(lambda n: f"Source {n + 1}")
    allocation_pence = 0
    position = factory.Sequence(int)


class BudgetLineFactory(ProjectPart):
    """One line of `source` (made in the same project when not given): one of `unit_cost_pence`,
    whose provision is the same amount unless named."""

    class Meta:
        model = BudgetLine

    source = factory.SubFactory(FundingSourceFactory, project=factory.SelfAttribute("..project"))
    product = factory.Sequence(lambda n: f"Product {n + 1}")
    quantity = 1
    unit_cost_pence = 0
    provision_pence = factory.LazyAttribute(lambda o: o.quantity * o.unit_cost_pence)
    position = factory.Sequence(int)


class SpendEntryFactory(Base):
    class Meta:
        model = SpendEntry

    line = factory.SubFactory(BudgetLineFactory)
    spent_on = dt.date(2010, 3, 1)
    amount_pence = 0


class StaffResourceFactory(ProjectPart):
    class Meta:
        model = StaffResource

    role_name = factory.Sequence(lambda n: f"Officer {n + 1}")
    quantity = 1
    days_each = 20
    position = factory.Sequence(int)


class StaffTimeFactory(Base):
    """Days `person` gave to `resource` in a month (the month's first day)."""

    class Meta:
        model = StaffTime

    resource = factory.SubFactory(StaffResourceFactory)
    person = factory.SubFactory(PersonFactory)
    month = dt.date(2010, 3, 1)
    days = Decimal("1")
