"""The issue log's part of the project home page (tracker/projects/areas.py): the entries new
in the log for those who keep it, and how many entries and change requests the log holds. The
change requests waiting for someone are in their queue (tracker/queue)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from tracker.extensions import db
from tracker.issues.models import ChangeRequest, EntryStatus, IssueLogEntry
from tracker.permissions import can
from tracker.projects.areas import Asker, CountedArea, add_counts, add_home_part, counting
from tracker.projects.models import Project

# An issue log entry counts as new for this many days after it was identified.
NEW_ENTRY_DAYS = 14


def is_new_entry(entry: IssueLogEntry, today: dt.date) -> bool:
    """An open entry identified within the last NEW_ENTRY_DAYS days (today included)."""
    return (
        entry.status is EntryStatus.OPEN
        and today - dt.timedelta(days=NEW_ENTRY_DAYS - 1) <= entry.identified_on <= today
    )


def _new_entries(project: Project, today: dt.date) -> list[IssueLogEntry]:
    since = today - dt.timedelta(days=NEW_ENTRY_DAYS - 1)
    entries = db.session.execute(
        select(IssueLogEntry)
        .where(
            IssueLogEntry.project_id == project.id,
            IssueLogEntry.status == EntryStatus.OPEN,
            IssueLogEntry.identified_on >= since,
        )
        .order_by(IssueLogEntry.identified_on.desc(), IssueLogEntry.number)
    ).scalars()
    return [e for e in entries if is_new_entry(e, today)]


def home_part(asker: Asker) -> dict[str, Any]:
    part: dict[str, Any] = {"new_entries": []}
    if can("risk.edit", asker.roles):
        part["new_entries"] = _new_entries(asker.project, asker.today)
    part["new_entry_days"] = NEW_ENTRY_DAYS
    return part


def register() -> None:
    add_home_part("issues", home_part)
    add_counts(
        CountedArea(70, "Issue log entries", "issues.log", "issue.view", counting(IssueLogEntry)),
        CountedArea(80, "Change requests", "issues.changes", "issue.view", counting(ChangeRequest)),
    )
