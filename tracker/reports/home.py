"""The reports' part of the project home page (tracker/projects/areas.py): how many meetings
and highlight reports the project holds; and their papers on the meetings page."""

from __future__ import annotations

from tracker.projects.areas import CountedArea, add_counts, counting
from tracker.projects.models import Meeting
from tracker.reports import meeting_papers
from tracker.reports.models import HighlightReport


def register() -> None:
    add_counts(
        CountedArea(50, "Meetings", "projects.meetings", "report.view_drafts", counting(Meeting)),
        CountedArea(
            120, "Highlight reports", "reports.reports", "report.view", counting(HighlightReport)
        ),
    )
    meeting_papers.register()
