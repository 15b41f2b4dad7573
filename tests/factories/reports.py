"""Highlight reports."""

from __future__ import annotations

import datetime as dt

from tests.factories.people import ProjectPart
from tracker.reports.models import HighlightReport, ReportKind, ReportStatus


class HighlightReportFactory(ProjectPart):
    """A draft project highlight report for February 2010."""

    class Meta:
        model = HighlightReport

    kind = ReportKind.PROJECT
    period_start = dt.date(2010, 2, 1)
    period_end = dt.date(2010, 2, 28)
    status = ReportStatus.DRAFT
