"""The status date: the one day every derived figure of a project is judged at.

As Microsoft Project's status date, a manager may set it to look at the project as it stood on
a day (the seeded 2010 demo sits at the date of its Project Document); unset, it is today in
the council's time zone. Lateness, RAG statuses, forecasts, variances, "due soon" lists, the
risk trend's end and drafted reports all ask this function, never the clock. Audit times,
decision dates and file names stay real.
"""

from __future__ import annotations

import datetime as dt

from tracker.filters import london_today
from tracker.projects.models import Project
from tracker.rules import RuleRefused


def status_date(project: Project) -> dt.date:
    """The project's status date if set, else today."""
    return project.status_date or london_today()


def status_date_problem(project: Project, chosen: dt.date | None) -> str | None:
    """Why `chosen` cannot be the project's status date, or None when it can.

    None (back to today) is always allowed. A set date must lie within the project's span,
    start and end included: outside it every figure would be judged before work began or
    after it closed.
    """
    if chosen is None:
        return None
    if chosen < project.start_date:
        return f"Status date must be on or after the project's start, {_day(project.start_date)}"
    if chosen > project.end_date:
        return f"Status date must be on or before the project's end, {_day(project.end_date)}"
    return None


def _day(value: dt.date) -> str:
    return f"{value.day} {value.strftime('%B %Y')}"


def set_status_date(project: Project, chosen: dt.date | None) -> None:
    """Judge the project's figures at `chosen`, or at today when None; a date outside the
    project's span is refused beside the status date field, and nothing changes."""
    problem = status_date_problem(project, chosen)
    if problem:
        raise RuleRefused(problem, field="status_date")
    project.status_date = chosen
