"""The issue log (8.7) and requests for change (9.3, appendix 7), kept in one register."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import Person
from tracker.database import (
    TimestampMixin,
    UTCDateTime,
    VersionedMixin,
    WithdrawableMixin,
    enum_column,
    intpk,
)
from tracker.enums import LabelledEnum
from tracker.extensions import db
from tracker.projects.models import Meeting


class EntryType(LabelledEnum):
    ISSUE = "I", "Issue or question"
    REQUEST_FOR_CHANGE = "R", "Request for change"


class EntryStatus(LabelledEnum):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class IssueLogEntry(TimestampMixin, WithdrawableMixin, VersionedMixin, db.Model):
    __tablename__ = "issue_log_entry"
    __table_args__ = (UniqueConstraint("project_id", "number"),)

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(10))
    type: Mapped[EntryType] = mapped_column(enum_column(EntryType))
    description: Mapped[str] = mapped_column(Text)
    identified_on: Mapped[dt.date] = mapped_column(Date)
    # The V1.2 log gives months only ("Jan 10").
    identified_month_only: Mapped[bool] = mapped_column(Boolean, default=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    resolution: Mapped[str] = mapped_column(Text, default="")
    last_updated_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[EntryStatus] = mapped_column(enum_column(EntryStatus))

    author: Mapped[Person | None] = relationship(foreign_keys=[author_id])
    change_request: Mapped[ChangeRequest | None] = relationship(back_populates="issue_entry")


class ChangeStatus(LabelledEnum):
    RAISED = "raised", "Raised, awaiting impact analysis", "grey"  # part 1 written
    ASSESSED = "assessed", "Awaiting decision", "blue"  # part 2 impact analysis written
    APPROVED = "approved", "Approved", "green"
    REJECTED = "rejected", "Rejected", "red"


# A decision is final: nothing moves a request out of these.
DECIDED = frozenset({ChangeStatus.APPROVED, ChangeStatus.REJECTED})


class ChangeRequest(TimestampMixin, WithdrawableMixin, VersionedMixin, db.Model):
    """Appendix 7. Whether it is major or minor is derived from its impact, never typed."""

    __tablename__ = "change_request"
    __table_args__ = (UniqueConstraint("project_id", "number"),)

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    issue_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("issue_log_entry.id"), unique=True
    )
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    raised_on: Mapped[dt.date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    expected_benefits: Mapped[str] = mapped_column(Text, default="")
    # Part 2: impact analysis by the project manager.
    impact_days: Mapped[int | None] = mapped_column(Integer)
    impact_products: Mapped[str] = mapped_column(Text, default="")
    impact_cost_pence: Mapped[int | None] = mapped_column(Integer)
    needs_more_resources: Mapped[bool] = mapped_column(Boolean, default=False)
    changes_requirements: Mapped[bool] = mapped_column(Boolean, default=False)
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    assessed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The manager may raise a minor change to major; nobody may lower a major one.
    raised_to_major: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[ChangeStatus] = mapped_column(
        enum_column(ChangeStatus), default=ChangeStatus.RAISED
    )
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))

    issue_entry: Mapped[IssueLogEntry | None] = relationship(back_populates="change_request")
    requested_by: Mapped[Person | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[Person | None] = relationship(foreign_keys=[decided_by_id])
    meeting: Mapped[Meeting | None] = relationship()
    effects: Mapped[list[ChangeEffect]] = relationship(
        back_populates="change_request", cascade="all, delete-orphan", order_by="ChangeEffect.id"
    )


class EffectTarget(enum.StrEnum):
    TASK = "task"
    MILESTONE = "milestone"
    STAGE = "stage"
    PROJECT = "project"
    BUDGET_LINE = "budget_line"


class ChangeEffect(TimestampMixin, db.Model):
    """One proposed change to the plan or budget, applied when the request is approved."""

    __tablename__ = "change_effect"
    __audit_parent__ = "change_request"

    id: Mapped[intpk]
    change_request_id: Mapped[int] = mapped_column(
        ForeignKey("change_request.id", ondelete="CASCADE")
    )
    target: Mapped[EffectTarget] = mapped_column(enum_column(EffectTarget))
    target_id: Mapped[int] = mapped_column(Integer)
    # For dates: which date ("end_date", "target_finish", "scheduled_finish") and its new value.
    field: Mapped[str] = mapped_column(String(40))
    new_date: Mapped[dt.date | None] = mapped_column(Date)
    new_amount_pence: Mapped[int | None] = mapped_column(Integer)
    # What it was when the request was approved, so the effect can be read later.
    old_date: Mapped[dt.date | None] = mapped_column(Date)
    old_amount_pence: Mapped[int | None] = mapped_column(Integer)
    applied_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    change_request: Mapped[ChangeRequest] = relationship(back_populates="effects")
