"""The standard (criteria, elements), the evidence library, ratings and gap actions."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
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
from tracker.projects.models import Service, WorkStream


class Standard(TimestampMixin, db.Model):
    """A version of the CSE standard, with its accreditation thresholds as data."""

    __tablename__ = "standard"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(40))
    min_full: Mapped[int] = mapped_column(Integer, default=46)
    max_partial: Mapped[int] = mapped_column(Integer, default=11)
    max_non_compliant: Mapped[int] = mapped_column(Integer, default=0)

    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="standard", order_by="Criterion.number", cascade="all, delete-orphan"
    )


class Criterion(db.Model):
    __tablename__ = "criterion"
    __table_args__ = (UniqueConstraint("standard_id", "number"),)

    id: Mapped[intpk]
    standard_id: Mapped[int] = mapped_column(ForeignKey("standard.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))

    standard: Mapped[Standard] = relationship(back_populates="criteria")
    subcriteria: Mapped[list[SubCriterion]] = relationship(
        back_populates="criterion", order_by="SubCriterion.position", cascade="all, delete-orphan"
    )


class SubCriterion(db.Model):
    __tablename__ = "subcriterion"
    __table_args__ = (UniqueConstraint("criterion_id", "code"),)

    id: Mapped[intpk]
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)

    criterion: Mapped[Criterion] = relationship(back_populates="subcriteria")
    elements: Mapped[list[Element]] = relationship(
        back_populates="subcriterion", order_by="Element.position", cascade="all, delete-orphan"
    )


class Element(db.Model):
    __tablename__ = "element"
    __table_args__ = (UniqueConstraint("subcriterion_id", "code"),)

    id: Mapped[intpk]
    subcriterion_id: Mapped[int] = mapped_column(ForeignKey("subcriterion.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(10), index=True)
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)

    subcriterion: Mapped[SubCriterion] = relationship(back_populates="elements")
    guidance: Mapped[list[GuidanceItem]] = relationship(
        back_populates="element", order_by="GuidanceItem.position", cascade="all, delete-orphan"
    )


class GuidanceItem(db.Model):
    __tablename__ = "guidance_item"

    id: Mapped[intpk]
    element_id: Mapped[int] = mapped_column(ForeignKey("element.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)

    element: Mapped[Element] = relationship(back_populates="guidance")


class StreamElement(db.Model):
    """An element a work stream is expected to evidence (the element x work stream assignment
    the manager edits). Its own record, not a bare link table, so that every assignment made or
    taken away is in the audit trail under the stream's project."""

    __tablename__ = "work_stream_element"
    __audit_parent__ = "work_stream"
    __table_args__ = (UniqueConstraint("work_stream_id", "element_id"),)

    id: Mapped[intpk]
    work_stream_id: Mapped[int] = mapped_column(ForeignKey("work_stream.id", ondelete="CASCADE"))
    element_id: Mapped[int] = mapped_column(
        ForeignKey("element.id", ondelete="CASCADE"), index=True
    )

    work_stream: Mapped[WorkStream] = relationship()
    element: Mapped[Element] = relationship()


class EvidenceStatus(LabelledEnum):
    DRAFT = "draft", "Draft", "grey"
    SUBMITTED = "submitted", "Submitted for review", "blue"
    ACCEPTED = "accepted", "Accepted", "green"
    RETURNED = "returned", "Returned: needs work", "orange"


evidence_element = Table(
    "evidence_element",
    db.metadata,
    Column("evidence_id", ForeignKey("evidence_item.id", ondelete="CASCADE"), primary_key=True),
    Column("element_id", ForeignKey("element.id", ondelete="CASCADE"), primary_key=True),
)


class EvidenceItem(TimestampMixin, WithdrawableMixin, VersionedMixin, db.Model):
    """A document or link that supports one or more elements, owned by one work stream."""

    __tablename__ = "evidence_item"

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    work_stream_id: Mapped[int] = mapped_column(ForeignKey("work_stream.id"))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    evidence_date: Mapped[dt.date | None] = mapped_column(Date)
    review_by: Mapped[dt.date | None] = mapped_column(Date)
    link_url: Mapped[str | None] = mapped_column(String(2000))
    status: Mapped[EvidenceStatus] = mapped_column(
        enum_column(EvidenceStatus), default=EvidenceStatus.DRAFT
    )
    personal_data: Mapped[bool] = mapped_column(Boolean, default=False)
    retain_until: Mapped[dt.date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    work_stream: Mapped[WorkStream] = relationship()
    created_by: Mapped[Person | None] = relationship(foreign_keys=[created_by_id])
    elements: Mapped[list[Element]] = relationship(
        secondary=evidence_element, order_by="Element.code"
    )
    files: Mapped[list[EvidenceFile]] = relationship(
        back_populates="item", order_by="EvidenceFile.version", cascade="all, delete-orphan"
    )
    steps: Mapped[list[EvidenceStep]] = relationship(
        back_populates="item", order_by="EvidenceStep.at", cascade="all, delete-orphan"
    )


class EvidenceFile(TimestampMixin, db.Model):
    """One version of an item's file. The bytes live in storage under a random name."""

    __tablename__ = "evidence_file"
    __audit_parent__ = "item"
    __table_args__ = (UniqueConstraint("item_id", "version"),)

    id: Mapped[intpk]
    item_id: Mapped[int] = mapped_column(ForeignKey("evidence_item.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    original_name: Mapped[str] = mapped_column(String(255))
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(120))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    item: Mapped[EvidenceItem] = relationship(back_populates="files")


class EvidenceStep(db.Model):
    """A step in an item's review: submitted, accepted, returned with comments."""

    __tablename__ = "evidence_step"
    __audit_parent__ = "item"

    id: Mapped[intpk]
    item_id: Mapped[int] = mapped_column(ForeignKey("evidence_item.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    from_status: Mapped[EvidenceStatus | None] = mapped_column(enum_column(EvidenceStatus))
    to_status: Mapped[EvidenceStatus] = mapped_column(enum_column(EvidenceStatus))
    comment: Mapped[str] = mapped_column(Text, default="")

    item: Mapped[EvidenceItem] = relationship(back_populates="steps")
    by: Mapped[Person | None] = relationship()


class RatingScale(enum.StrEnum):
    SELF = "self"  # 100%, >50%, <50%, 0%
    ASSESSOR = "assessor"  # Compliance Plus, Compliance, Partial Compliance, Non-compliance


class RatingScope(enum.StrEnum):
    SERVICE = "service"
    WORK_STREAM = "work_stream"
    COUNCIL = "council"


class AssessmentRound(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "assessment_round"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    scale: Mapped[RatingScale] = mapped_column(enum_column(RatingScale))
    scope: Mapped[RatingScope] = mapped_column(enum_column(RatingScope))
    held_from: Mapped[dt.date | None] = mapped_column(Date)
    held_to: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")

    ratings: Mapped[list[ElementRating]] = relationship(
        back_populates="round", cascade="all, delete-orphan"
    )


class ElementRating(TimestampMixin, db.Model):
    """One rating of one element in a round: for a service, a work stream or the whole council."""

    __tablename__ = "element_rating"
    __audit_parent__ = "round"
    __table_args__ = (UniqueConstraint("round_id", "element_id", "service_id", "work_stream_id"),)

    id: Mapped[intpk]
    round_id: Mapped[int] = mapped_column(ForeignKey("assessment_round.id", ondelete="CASCADE"))
    element_id: Mapped[int] = mapped_column(ForeignKey("element.id"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"))
    work_stream_id: Mapped[int | None] = mapped_column(ForeignKey("work_stream.id"))
    # A value of the round's scale: "100", ">50", "<50", "0" or "plus", "full", "partial", "none".
    rating: Mapped[str] = mapped_column(String(20))
    rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    rated_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")

    round: Mapped[AssessmentRound] = relationship(back_populates="ratings")
    element: Mapped[Element] = relationship()
    service: Mapped[Service | None] = relationship()
    work_stream: Mapped[WorkStream | None] = relationship()


class ActionStatus(LabelledEnum):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class GapAction(TimestampMixin, WithdrawableMixin, VersionedMixin, db.Model):
    """What will be done about an element rated partial or non-compliant."""

    __tablename__ = "gap_action"

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    element_id: Mapped[int] = mapped_column(ForeignKey("element.id"))
    rating_id: Mapped[int | None] = mapped_column(ForeignKey("element_rating.id"))
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(
        enum_column(ActionStatus), default=ActionStatus.OPEN
    )
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    element: Mapped[Element] = relationship()
    owner: Mapped[Person | None] = relationship(foreign_keys=[owner_id])
