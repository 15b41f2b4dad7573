"""The staff-days form's guard against lost updates (tracker/versioning.py).

Unlike other edit forms, this one picks its record inside the form: recording a person, role
and month that already has days replaces them. So the form carries, beside the version, which
record it was read for (`entry`: its id, 0 when the month had no days then). On save, the
record the form now names is compared with that: the version counts only if the form was read
for this very record; a form read for another record, or for none, has seen none of this
record's days, and is refused when they differ from what the person typed, as a stale form is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from tracker.budget.models import StaffTime
from tracker.budget.months import month_start
from tracker.budget.staff import format_days
from tracker.extensions import db
from tracker.versioning import refuse_stale


def staff_entry(resource_id: int, person_id: int, month: dt.date | None) -> StaffTime | None:
    """The days recorded for the person, role and month, if any."""
    if not (resource_id and person_id and month):
        return None
    return db.session.execute(
        select(StaffTime).where(
            StaffTime.resource_id == resource_id,
            StaffTime.person_id == person_id,
            StaffTime.month == month_start(month),
        )
    ).scalar_one_or_none()


def show_entry(form: Any, entry: StaffTime | None) -> None:
    """Fill the form for the record it opens on (None: a month with no days yet)."""
    form.entry.data = entry.id if entry else 0
    form.row_version.data = entry.row_version if entry else 0
    if entry is not None:
        form.days.data = format_days(entry.days)


def refuse_stale_days(form: Any, entry: StaffTime | None) -> bool:
    """Refuse to replace days that the person did not see: True when the form is shown again
    with what is saved now beside what they typed. A form posted without a version is not
    checked (see tracker/versioning.py)."""
    if entry is None:
        return False
    if form.row_version.data is not None and form.entry.data != entry.id:
        form.row_version.data = 0  # read for another record, or for none: no version of this
    if not refuse_stale(form, entry, lambda: {"days": format_days(entry.days)}):
        return False
    form.entry.data = entry.id  # saving again, now that they have seen it, replaces it
    return True
