"""The risk log (Project Document 8.6) and each review of a risk."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, String, Text, UniqueConstraint
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


class Level(LabelledEnum):
    """High, medium or low, for probability and impact alike."""

    H = "H", "High"
    M = "M", "Medium"
    L = "L", "Low"


class RiskStatus(LabelledEnum):
    OPEN = "open", "Open", "blue"
    CLOSED = "closed", "Closed", "grey"


def status_label(status: RiskStatus | None) -> str:
    """The status in words: a risk or review loaded from the source log may have none recorded
    (which the pages show as "Not recorded", in amber)."""
    return status.label if status else "Not recorded"


class Risk(TimestampMixin, WithdrawableMixin, VersionedMixin, db.Model):
    __tablename__ = "risk"
    __table_args__ = (UniqueConstraint("project_id", "number"),)

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(Text)
    probability: Mapped[Level] = mapped_column(enum_column(Level))
    impact: Mapped[Level] = mapped_column(enum_column(Level))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    countermeasures: Mapped[str] = mapped_column(Text, default="")
    action_date: Mapped[dt.date | None] = mapped_column(Date)
    action_ongoing: Mapped[bool] = mapped_column(Boolean, default=False)
    # None where the source log left the status blank (risk 08 in V1.2).
    status: Mapped[RiskStatus | None] = mapped_column(enum_column(RiskStatus))
    review_by: Mapped[dt.date | None] = mapped_column(Date)

    owner: Mapped[Person | None] = relationship(foreign_keys=[owner_id])
    reviews: Mapped[list[RiskReview]] = relationship(
        back_populates="risk", cascade="all, delete-orphan", order_by="RiskReview.reviewed_at"
    )


class RiskReview(TimestampMixin, db.Model):
    """One look at a risk: what it was judged to be on that day."""

    __tablename__ = "risk_review"
    __audit_parent__ = "risk"

    id: Mapped[intpk]
    risk_id: Mapped[int] = mapped_column(ForeignKey("risk.id", ondelete="CASCADE"))
    reviewed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    probability: Mapped[Level] = mapped_column(enum_column(Level))
    impact: Mapped[Level] = mapped_column(enum_column(Level))
    status: Mapped[RiskStatus | None] = mapped_column(enum_column(RiskStatus))
    note: Mapped[str] = mapped_column(Text, default="")

    risk: Mapped[Risk] = relationship(back_populates="reviews")
    reviewed_by: Mapped[Person | None] = relationship()
