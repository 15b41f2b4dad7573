"""Stages and their reviews, the work plan, dependencies, milestones and baselines."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
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
from tracker.projects.models import Meeting, Project, WorkStream


class Stage(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "stage"
    __table_args__ = (UniqueConstraint("project_id", "number"),)

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    # What the stage delivers (the CSE template's standard products), one per line.
    products: Mapped[str] = mapped_column(Text, default="", server_default="")

    project: Mapped[Project] = relationship(back_populates="stages")
    reviews: Mapped[list[StageReview]] = relationship(
        back_populates="stage", order_by="StageReview.id", cascade="all, delete-orphan"
    )
    tasks: Mapped[list[Task]] = relationship(back_populates="stage", order_by="Task.position")


class ReviewDecision(LabelledEnum):
    APPROVED = "approved", "Approved", "green"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", "Approved with conditions", "green"
    NOT_APPROVED = "not_approved", "Not approved", "red"


class StageReview(TimestampMixin, db.Model):
    """The sponsor's mandatory control point at the end of a stage (Project Document 9.2)."""

    __tablename__ = "stage_review"
    __audit_parent__ = "stage"

    id: Mapped[intpk]
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id", ondelete="CASCADE"))
    scheduled_on: Mapped[dt.date | None] = mapped_column(Date)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    requested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    summary: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[ReviewDecision | None] = mapped_column(enum_column(ReviewDecision))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reasons: Mapped[str] = mapped_column(Text, default="")

    stage: Mapped[Stage] = relationship(back_populates="reviews")
    meeting: Mapped[Meeting | None] = relationship()
    requested_by: Mapped[Person | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[Person | None] = relationship(foreign_keys=[decided_by_id])
    conditions: Mapped[list[ReviewCondition]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReviewCondition.id"
    )


class ReviewCondition(TimestampMixin, db.Model):
    """A condition attached to an approval, tracked until someone closes it."""

    __tablename__ = "review_condition"
    __audit_parent__ = "review"

    id: Mapped[intpk]
    review_id: Mapped[int] = mapped_column(ForeignKey("stage_review.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    closing_note: Mapped[str] = mapped_column(Text, default="")

    review: Mapped[StageReview] = relationship(back_populates="conditions")


class Progress(LabelledEnum):
    """A task's progress in words and tag colour, with the symbol the project's own reports use
    where it has one (✓ complete, ☺ on track)."""

    symbol: str

    NOT_STARTED = "not_started", "Not started", "grey"
    ON_TRACK = "on_track", "On track", "blue", "☺"
    AT_RISK = "at_risk", "At risk", "amber"
    LATE = "late", "Late", "red"
    COMPLETE = "complete", "Complete", "green", "✓"

    def __init__(self, value: str, label: str, colour: str, symbol: str = "") -> None:
        super().__init__(value, label, colour)
        self.symbol = symbol


task_responsible = Table(
    "task_responsible",
    db.metadata,
    Column("task_id", ForeignKey("task.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("person.id", ondelete="CASCADE"), primary_key=True),
)


class Task(TimestampMixin, WithdrawableMixin, VersionedMixin, db.Model):
    """A row of the work plan (Project Document 8.4)."""

    __tablename__ = "task"
    __table_args__ = (UniqueConstraint("project_id", "code"),)

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id"))
    code: Mapped[str] = mapped_column(String(20))
    activity: Mapped[str] = mapped_column(String(300))
    detail: Mapped[str] = mapped_column(Text, default="")
    # Responsibility as the document writes it when it is not people ("EMT/ Service Managers").
    responsibility_note: Mapped[str] = mapped_column(String(200), default="")
    work_stream_id: Mapped[int | None] = mapped_column(ForeignKey("work_stream.id"))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    target_finish: Mapped[dt.date | None] = mapped_column(Date)
    actual_finish: Mapped[dt.date | None] = mapped_column(Date)
    progress: Mapped[Progress] = mapped_column(enum_column(Progress), default=Progress.NOT_STARTED)
    comments: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    stage: Mapped[Stage] = relationship(back_populates="tasks")
    work_stream: Mapped[WorkStream | None] = relationship()
    # In the order people joined the tracker, so that every page writes them the same way.
    responsible: Mapped[list[Person]] = relationship(secondary=task_responsible, order_by=Person.id)


class TaskDependency(TimestampMixin, db.Model):
    """Finish-to-start: the successor (a task or a milestone) waits for the predecessor (a task
    or a milestone, such as the previous stage's review).

    Exactly one predecessor column and exactly one successor column is set. Each pair of kinds
    has its own unique constraint: a row with a NULL in it escapes a constraint, so together
    the four forbid the same dependency twice.
    """

    __tablename__ = "task_dependency"
    __table_args__ = (
        CheckConstraint(
            "(predecessor_id IS NULL) <> (predecessor_milestone_id IS NULL)",
            name="one_predecessor",
        ),
        CheckConstraint(
            "(successor_task_id IS NULL) <> (successor_milestone_id IS NULL)",
            name="one_successor",
        ),
        UniqueConstraint("predecessor_id", "successor_task_id"),
        UniqueConstraint("predecessor_id", "successor_milestone_id"),
        UniqueConstraint("predecessor_milestone_id", "successor_task_id"),
        UniqueConstraint("predecessor_milestone_id", "successor_milestone_id"),
    )

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    # The predecessor task; NULL when the predecessor is a milestone.
    predecessor_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    predecessor_milestone_id: Mapped[int | None] = mapped_column(
        ForeignKey("milestone.id", ondelete="CASCADE")
    )
    successor_task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    successor_milestone_id: Mapped[int | None] = mapped_column(
        ForeignKey("milestone.id", ondelete="CASCADE")
    )
    lag_days: Mapped[int] = mapped_column(Integer, default=0)


class Milestone(TimestampMixin, WithdrawableMixin, VersionedMixin, db.Model):
    """A row of the milestone table (8.5). The finish variance is derived, never stored."""

    __tablename__ = "milestone"

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stage.id"))
    name: Mapped[str] = mapped_column(String(300))
    scheduled_finish: Mapped[dt.date] = mapped_column(Date)
    baseline_finish: Mapped[dt.date | None] = mapped_column(Date)
    actual_finish: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    stage: Mapped[Stage | None] = relationship()


class PlanBaseline(TimestampMixin, db.Model):
    """A named, read-only copy of the plan's dates ("V1.2 26 Feb 2010")."""

    __tablename__ = "plan_baseline"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    taken_on: Mapped[dt.date] = mapped_column(Date)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # One entry per task, milestone and stage: {"kind", "id", "code", "name", "start", "finish"}.
    items: Mapped[list[Any]] = mapped_column(JSON, default=list)
