"""The issue log (8.7): its entries, numbered "01", "02" ..., of type I (an issue or question) or
R (a request for change, written with it by tracker.issues.changes).

An entry's "last updated" date is set here on every change to it or to its request for change
(`touch`), never typed.

Services flush, never commit: the request's transaction commits once it has succeeded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.issues.models import EntryStatus, EntryType, IssueLogEntry
from tracker.numbering import flush_numbered, next_log_number
from tracker.projects.models import Project
from tracker.projects.span import check_in_span
from tracker.transitions import assign


def touch(entry: IssueLogEntry, on: dt.date) -> None:
    """The tracker's own "last updated" date; called by every service that changes an entry."""
    entry.last_updated_on = on


def new_entry(
    project: Project,
    *,
    entry_type: EntryType,
    description: str,
    identified_on: dt.date,
    author_id: int | None,
    resolution: str,
    status: EntryStatus,
    on: dt.date,
    number_taken: str,
) -> IssueLogEntry:
    """An entry with the next number; `number_taken` is the refusal when someone else took
    that number a moment earlier (beside the description)."""
    entry = IssueLogEntry(
        project_id=project.id,
        number=next_log_number(IssueLogEntry, project.id),
        type=entry_type,
        description=description.strip(),
        identified_on=identified_on,
        identified_month_only=False,
        author_id=author_id,
        resolution=resolution.strip(),
        status=status,
        last_updated_on=on,
    )
    db.session.add(entry)
    flush_numbered(number_taken, field="description")
    return entry


def add_issue(
    project: Project,
    *,
    description: str,
    identified_on: dt.date,
    author_id: int | None,
    resolution: str = "",
    status: EntryStatus = EntryStatus.OPEN,
    on: dt.date,
) -> IssueLogEntry:
    """A new issue or question (type I), identified within the project's dates. Requests for
    change get theirs from `raise_change`."""
    check_in_span(project, identified_on, what="Date identified", field="identified_on")
    return new_entry(
        project,
        entry_type=EntryType.ISSUE,
        description=description,
        identified_on=identified_on,
        author_id=author_id,
        resolution=resolution,
        status=status,
        on=on,
        number_taken="The issue log changed while you wrote: save again",
    )


def update_issue(
    entry: IssueLogEntry,
    *,
    description: str,
    identified_on: dt.date,
    author_id: int | None,
    resolution: str,
    status: EntryStatus,
    on: dt.date,
) -> bool:
    """Save an edited entry; returns whether anything changed (the date moves only then, and
    only within the project's dates)."""
    values: dict[str, Any] = {
        "description": description.strip(),
        "author_id": author_id,
        "resolution": resolution.strip(),
        "status": status,
    }
    if identified_on != entry.identified_on:
        project = db.session.get(Project, entry.project_id)  # loaded already: no query
        assert project is not None
        check_in_span(project, identified_on, what="Date identified", field="identified_on")
        # A typed day replaces the month-only date the V1.2 log gives.
        values |= {"identified_on": identified_on, "identified_month_only": False}
    changed = assign(entry, values)  # its status decided once (tracker.transitions)
    if changed:
        touch(entry, on)
        db.session.flush()
    return changed


def issue_log(project: Project) -> list[IssueLogEntry]:
    """Every entry with its author and request for change: one query."""
    entries = (
        db.session.execute(
            select(IssueLogEntry)
            .where(IssueLogEntry.project_id == project.id)
            .options(joinedload(IssueLogEntry.author), joinedload(IssueLogEntry.change_request))
        )
        .unique()
        .scalars()
        .all()
    )
    return sorted(entries, key=_entry_order)


def _entry_order(entry: IssueLogEntry) -> tuple[int, int, str]:
    """Numbered entries in number order ("9" before "10"), anything else after them."""
    number = entry.number
    return (0, int(number), number) if number.isdigit() else (1, 0, number)
