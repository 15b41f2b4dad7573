"""Highlight reports (appendices 5 and 6). An issued report is frozen: it never changes."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import Person
from tracker.database import TimestampMixin, UTCDateTime, VersionedMixin, enum_column, intpk
from tracker.extensions import db
from tracker.projects.models import WorkStream


class ReportKind(enum.StrEnum):
    PROJECT = "project"  # appendix 5, monthly to the project group
    WORK_STREAM = "work_stream"  # appendix 6, monthly from each lead
    QUARTERLY = "quarterly"  # to the EMT and the lead member

    @property
    def label(self) -> str:
        return {
            "project": "Highlight report",
            "work_stream": "Work stream highlight report",
            "quarterly": "Quarterly highlight report",
        }[self.value]


class ReportStatus(enum.StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"


class HighlightReport(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "highlight_report"
    __table_args__ = (UniqueConstraint("project_id", "kind", "number"),)

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    kind: Mapped[ReportKind] = mapped_column(enum_column(ReportKind))
    work_stream_id: Mapped[int | None] = mapped_column(ForeignKey("work_stream.id"))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    # Numbered in issue order within its kind; None while a draft.
    number: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[ReportStatus] = mapped_column(
        enum_column(ReportStatus), default=ReportStatus.DRAFT
    )
    issued_on: Mapped[dt.date | None] = mapped_column(Date)
    issued_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    produced_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # Each heading of the template: {"key", "heading", "status" (RAG or None), "text"}.
    sections: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # Figures as they were when issued (milestones, budget, risks ...), shown instead of live data.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("highlight_report.id"))

    work_stream: Mapped[WorkStream | None] = relationship()
    produced_by: Mapped[Person | None] = relationship()
    corrects: Mapped[HighlightReport | None] = relationship(remote_side="HighlightReport.id")
