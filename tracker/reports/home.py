"""The reports' part of the project home page (tracker/projects/areas.py): how many meetings
and highlight reports the project holds."""

from __future__ import annotations

from tracker.projects.areas import CountedArea, add_counts, counting
from tracker.projects.models import Meeting
from tracker.reports.models import HighlightReport


def register() -> None:
    add_counts(
        CountedArea(50, "Meetings", "reports.meetings", "report.view_drafts", counting(Meeting)),
        CountedArea(
            120, "Highlight reports", "reports.reports", "report.view", counting(HighlightReport)
        ),
    )
