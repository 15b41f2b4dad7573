"""Money (Project Document 10.2) and staff time (10.1). All money is integer pence."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import (
    true as sa_true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import Person
from tracker.database import TimestampMixin, VersionedMixin, WithdrawableMixin, intpk
from tracker.extensions import db


class FundingSource(TimestampMixin, VersionedMixin, db.Model):
    """Where money comes from: the Service First budget, the corporate training budget."""

    __tablename__ = "funding_source"
    __table_args__ = (UniqueConstraint("project_id", "code"),)

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    allocation_pence: Mapped[int] = mapped_column(Integer)
    # Part of the project budget (Project Document 10.2), or money alongside it (the corporate
    # training budget), which the dashboard shows as its own line rather than blended in.
    in_project_budget: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    position: Mapped[int] = mapped_column(Integer, default=0)

    lines: Mapped[list[BudgetLine]] = relationship(
        back_populates="source", order_by="BudgetLine.position"
    )


class BudgetLine(TimestampMixin, WithdrawableMixin, VersionedMixin, db.Model):
    """A product the budget pays for. Actual to date and remaining are derived from spend."""

    __tablename__ = "budget_line"

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    source_id: Mapped[int] = mapped_column(ForeignKey("funding_source.id"))
    product: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_cost_pence: Mapped[int] = mapped_column(Integer)
    provision_pence: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    source: Mapped[FundingSource] = relationship(back_populates="lines")
    spend: Mapped[list[SpendEntry]] = relationship(
        back_populates="line", order_by="SpendEntry.spent_on", cascade="all, delete-orphan"
    )


class SpendEntry(TimestampMixin, WithdrawableMixin, VersionedMixin, db.Model):
    __tablename__ = "spend_entry"
    __audit_parent__ = "line"

    id: Mapped[intpk]
    line_id: Mapped[int] = mapped_column(ForeignKey("budget_line.id", ondelete="CASCADE"))
    spent_on: Mapped[dt.date] = mapped_column(Date)
    amount_pence: Mapped[int] = mapped_column(Integer)
    supplier: Mapped[str] = mapped_column(String(200), default="")
    reference: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text, default="")

    line: Mapped[BudgetLine] = relationship(back_populates="spend")


class StaffResource(TimestampMixin, VersionedMixin, db.Model):
    """Planned staff time for a role: quantity of people times days each (10.1)."""

    __tablename__ = "staff_resource"

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    role_name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer)
    days_each: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)


class StaffTime(TimestampMixin, VersionedMixin, db.Model):
    """Days a person actually gave the project in a month, against a planned role."""

    __tablename__ = "staff_time"
    __audit_parent__ = "resource"
    __table_args__ = (UniqueConstraint("resource_id", "person_id", "month"),)

    id: Mapped[intpk]
    resource_id: Mapped[int] = mapped_column(ForeignKey("staff_resource.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    month: Mapped[dt.date] = mapped_column(Date)  # first day of the month
    days: Mapped[Decimal] = mapped_column(Numeric(6, 1))

    resource: Mapped[StaffResource] = relationship()
    person: Mapped[Person] = relationship()
