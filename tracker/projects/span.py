"""The project's span, from its start date to its end date, and the dates recorded in it.

A record dated outside the project (money spent, an issue identified) is refused: such a date
is a slip of the keyboard, and it would stretch every chart of months to cover it. A form for a
new record opens on the project's status date, or today, brought into the span.
"""

from __future__ import annotations

import datetime as dt

from tracker.filters import date as format_date
from tracker.projects.models import Project
from tracker.rules import RuleRefused


def span_text(project: Project) -> str:
    """The project's dates in words: "1 Dec 2009 to 31 Mar 2011"."""
    return f"{format_date(project.start_date)} to {format_date(project.end_date)}"


def in_span(project: Project, day: dt.date) -> bool:
    """Whether `day` is within the project, its first and last days included."""
    return project.start_date <= day <= project.end_date


def check_in_span(project: Project, day: dt.date, *, what: str, field: str) -> None:
    """Refuse a date outside the project, beside `field`; `what` names the date as a message
    starts ("Date spent")."""
    if not in_span(project, day):
        raise RuleRefused(
            f"{what} must be within the project's dates ({span_text(project)})", field
        )


def clamp_to_span(project: Project, day: dt.date) -> dt.date:
    """`day`, or the project's nearest day when it is outside."""
    return min(max(day, project.start_date), project.end_date)


def new_entry_date(project: Project, today: dt.date) -> dt.date:
    """The date a form for a new record opens on: the project's status date when it has one,
    otherwise today, brought into the project's span (a 2010 project seen in 2026 opens on its
    last day, not on a date it would refuse)."""
    return clamp_to_span(project, project.status_date or today)
