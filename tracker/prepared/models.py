"""A file asked for in one request and built by the worker (see tracker.prepared)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import Person
from tracker.database import UTCDateTime, enum_column, intpk, utcnow
from tracker.enums import LabelledEnum
from tracker.extensions import db
from tracker.projects.models import Project


class PreparedStatus(LabelledEnum):
    QUEUED = "queued", "Being prepared", "blue"
    READY = "ready", "Ready", "green"
    FAILED = "failed", "Failed", "red"


class PreparedDownload(db.Model):
    """One request for a slow file. `what` names the thing within the kind (a report's id; 0
    for the project's pack); `storage_key` is the built file in evidence storage. Not in the
    audit trail, nor in a project's export: it is a temporary copy of what the project holds,
    which nobody edits."""

    __tablename__ = "prepared_download"
    __audited__ = False
    __table_args__ = (
        Index("ix_prepared_download_lookup", "project_id", "kind", "what", "requested_by_id"),
    )

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    what: Mapped[int] = mapped_column(Integer, default=0)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[PreparedStatus] = mapped_column(
        enum_column(PreparedStatus), default=PreparedStatus.QUEUED
    )
    storage_key: Mapped[str | None] = mapped_column(String(100))
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(String(300))

    project: Mapped[Project] = relationship()
    requested_by: Mapped[Person] = relationship()
