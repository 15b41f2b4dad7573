"""The project, its people and work streams, services and meetings."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import Person
from tracker.database import (
    TimestampMixin,
    VersionedMixin,
    WithdrawableMixin,
    enum_column,
    intpk,
)
from tracker.enums import LabelledEnum
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.plan.models import Stage


class Role(LabelledEnum):
    SPONSOR = "sponsor", "Project sponsor"
    MANAGER = "manager", "Project manager"
    SUPPORT = "support", "Project support officer"
    WS_LEAD = "ws_lead", "Work stream lead"
    WS_MEMBER = "ws_member", "Work stream member"
    PP_REP = "pp_rep", "Policy and performance representative"
    ASSURANCE = "assurance", "Project assurance group member"
    EMT = "emt", "Executive management team"
    LEAD_MEMBER = "lead_member", "Lead member"
    ASSESSOR = "assessor", "Assessor"


# Roles that belong to one work stream.
WORK_STREAM_ROLES = frozenset({Role.WS_LEAD, Role.WS_MEMBER, Role.PP_REP})


class Project(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "project"

    id: Mapped[intpk]
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    council: Mapped[str] = mapped_column(String(200))
    objective: Mapped[str] = mapped_column(Text, default="")
    scope: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    # The date the project's figures are judged at, as Microsoft Project's status date; none
    # means today (tracker.projects.status.status_date).
    status_date: Mapped[dt.date | None] = mapped_column(Date)
    standard_id: Mapped[int | None] = mapped_column(ForeignKey("standard.id"))

    stages: Mapped[list[Stage]] = relationship(
        back_populates="project", order_by="Stage.number", cascade="all, delete-orphan"
    )
    work_streams: Mapped[list[WorkStream]] = relationship(
        back_populates="project", order_by="WorkStream.position", cascade="all, delete-orphan"
    )
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="project", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Project {self.slug}>"


class WorkStream(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "work_stream"
    __table_args__ = (UniqueConstraint("project_id", "code"),)

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)

    project: Mapped[Project] = relationship(back_populates="work_streams")


class Membership(TimestampMixin, db.Model):
    """A person's role in a project; work stream roles name their stream."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("project_id", "person_id", "role", "work_stream_id"),)

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    work_stream_id: Mapped[int | None] = mapped_column(ForeignKey("work_stream.id"))
    note: Mapped[str | None] = mapped_column(String(200))

    project: Mapped[Project] = relationship(back_populates="memberships")
    person: Mapped[Person] = relationship(back_populates="memberships")
    work_stream: Mapped[WorkStream | None] = relationship()


class Contact(TimestampMixin, db.Model):
    """Someone the project document lists as a contact (section 12) who may hold no role."""

    __tablename__ = "contact"
    __table_args__ = (UniqueConstraint("project_id", "person_id"),)

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    # What they are the contact for, e.g. "Communications".
    responsibility: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    person: Mapped[Person] = relationship()


class Service(TimestampMixin, VersionedMixin, db.Model):
    """A council service, as rated in the 2009 self-assessment, under its corporate area, and
    the work stream that evidences for it (its ratings are that stream's to act on)."""

    __tablename__ = "service"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    corporate_area: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    work_stream_id: Mapped[int | None] = mapped_column(
        ForeignKey("work_stream.id", ondelete="SET NULL")
    )


class MeetingKind(LabelledEnum):
    PROJECT_GROUP = "project_group", "Project group"
    EMT = "emt", "Executive management team"
    LEAD_MEMBER = "lead_member", "Lead member"
    ASSURANCE = "assurance", "Project assurance group"


class Meeting(TimestampMixin, WithdrawableMixin, VersionedMixin, db.Model):
    __tablename__ = "meeting"

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    kind: Mapped[MeetingKind] = mapped_column(enum_column(MeetingKind))
    held_on: Mapped[dt.date] = mapped_column(Date)
    # The document gives some meetings only a month ("Apr 10, exact dates not yet scheduled").
    month_only: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
