"""Edit forms that refuse a save made from a stale copy of the record (lost updates).

Two people open the same risk; one saves; without this the other's save silently overwrites the
first. Every record edited through a form has a `row_version` (`VersionedMixin` in
tracker/database.py: SQLAlchemy's version counter). The edit form carries the version it was
rendered from in a hidden field (`VersionedForm`); on save, `refuse_stale` compares it with the
record's current version before anything is written. When they differ the save is refused: the
form is shown again with what the person typed, the hidden version moves on to the one they have
now seen, and the page (templates/macros/versioning.html, through base.html) lists each field
whose saved value differs from theirs, so they can re-apply their change and save again.

Two saves that race past this check still cannot both win: the UPDATE matches only the version
it read, and the loser's flush raises StaleDataError, which the application's error handlers
turn into a "someone else just did this" page.

A form that is not one record's fields (the ratings grid, a decision on a change request or a
stage review) carries instead what its page showed, as words (`SeenField`); on save, what
differs from what the records hold now is named (`changed_since`) and the save is refused the
same way, on the same page.

A form posted without a version (a script, or a page rendered before versions existed) is not
checked: the hidden field is on every edit form a browser gets.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from wtforms import Field, HiddenField
from wtforms.fields.choices import SelectFieldBase

from tracker.database import VersionedMixin
from tracker.filters import date as format_date
from tracker.filters import money
from tracker.forms import PoundsField

# A version that no record has: what a hidden field holding something other than a number means.
_UNREADABLE = -1
_NOT_COMPARED = frozenset({"csrf_token", "submit", "row_version"})
BLANK = "(blank)"


class VersionField(HiddenField):
    """The row version a form was rendered from: None when blank (a form for a new record)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        self.data = int(text) if text.isdigit() else (_UNREADABLE if text else None)


class SeenField(HiddenField):
    """What a page showed of the records its form acts on, as words (name -> text), carried as
    JSON: None when not sent, {} when unreadable (then everything counts as changed)."""

    data: dict[str, str] | None

    def _value(self) -> str:
        return json.dumps(self.data or {}, sort_keys=True)

    def process_formdata(self, valuelist: list[str]) -> None:
        text = valuelist[0] if valuelist else ""
        try:
            seen = json.loads(text) if text else None
        except ValueError:
            seen = {}
        if seen is not None and not isinstance(seen, dict):
            seen = {}
        self.data = None if seen is None else {str(k): str(v) for k, v in seen.items()}


def changed_since(seen: Mapping[str, str], now: Mapping[str, str]) -> list[str]:
    """The names whose text differs between what a page showed and what is saved now, in the
    order of `now` (then any that are gone)."""
    names = list(now) + [name for name in seen if name not in now]
    return [name for name in names if not same(seen.get(name), now.get(name))]


class DecidedOnForm:
    """Mix into a FlaskForm that decides on a record (a change request, a stage review); render
    `form.seen` beside `form.csrf_token`, filled from what the page shows the decision is based
    on (`refuse_changed_decision`)."""

    seen = SeenField()
    version_conflict: Conflict | None = None


def refuse_changed_decision(form: Any, now: Mapping[str, str]) -> bool:
    """Refuse a decision made on a page that showed something other than `now` (name -> text
    of what the decision is based on, as the page words it): True when the record's page must
    be shown again, naming what changed. What the form carries moves on to `now`, so deciding
    again, once the person has read it, is accepted. Not checked when not sent (see above)."""
    seen = form.seen.data
    form.seen.data = dict(now)
    if seen is None:
        return False
    found = [
        Difference(name, now.get(name) or BLANK, seen.get(name) or BLANK)
        for name in changed_since(seen, now)
    ]
    if found:
        form.version_conflict = Conflict(tuple(found), decision=True)
    return bool(found)


class VersionedForm:
    """Mix into a FlaskForm that edits an existing record; render `form.row_version` in the
    template beside `form.csrf_token`."""

    row_version = VersionField()
    # Set when a save was refused as stale: what the page then shows.
    version_conflict: Conflict | None = None


@dataclass(frozen=True)
class Difference:
    """One field whose saved value is not what the person typed, as words for the page."""

    label: str
    saved: str
    yours: str


@dataclass(frozen=True)
class Conflict:
    """A refused save: the fields that differ (none for a form with no fields of the record,
    such as a confirmation to delete it). For a refused decision, `decision` is True and each
    difference's `yours` is what the person's page showed, not what they typed."""

    differences: tuple[Difference, ...]
    decision: bool = False


def show_record(form: Any, record: VersionedMixin, data: Mapping[str, Any]) -> None:
    """Fill an edit form from the record (`data`: field name -> value, as the form holds it)."""
    for name, value in data.items():
        form[name].data = value
    form.row_version.data = record.row_version


def record_data(form: Any, record: VersionedMixin, **overrides: Any) -> dict[str, Any]:
    """The record as a form filled from it with `obj=` holds it: each field takes the
    attribute of its name, except `overrides` (a select of ids, an enum's value)."""
    data = {
        field.name: getattr(record, field.name)
        for field in form
        if field.name not in _NOT_COMPARED and hasattr(record, field.name)
    }
    return data | overrides


def is_stale(form: Any, record: VersionedMixin) -> bool:
    """Whether the form was rendered from a version of the record other than the current one."""
    submitted = form.row_version.data
    return submitted is not None and submitted != record.row_version


def refuse_stale(form: Any, record: VersionedMixin, saved: Callable[[], Mapping[str, Any]]) -> bool:
    """Refuse a save made from a stale form: True when the view must show the form again.

    `saved` gives the record's current values as the form holds them (the same mapping that
    `show_record` filled the form with); it is only called when the versions differ. A stale
    form whose every field already matches what is saved loses nothing, so it goes through.
    """
    if not is_stale(form, record):
        return False
    found = differences(form, saved())
    if found:
        refuse(form, record, found)
    return bool(found)


def refuse(form: Any, record: VersionedMixin, found: Iterable[Difference] = ()) -> None:
    """Mark the form as refused, showing `found`. Its version moves on to the current one, so
    that saving again, once the person has read what changed, succeeds."""
    form.row_version.data = record.row_version
    form.version_conflict = Conflict(tuple(found))


def form_status(form: Any, method: str) -> int:
    """The status of an edit page: 409 when refused as stale, 400 for another refusal."""
    if getattr(form, "version_conflict", None):
        return 409
    return 400 if method == "POST" else 200


def differences(form: Any, saved: Mapping[str, Any]) -> list[Difference]:
    """The form's fields whose typed value differs from the saved one, in the form's order."""
    found = []
    for field in form:
        if field.name in _NOT_COMPARED or field.name not in saved:
            continue
        now, typed = saved[field.name], field.data
        if not same(now, typed):
            found.append(Difference(field.label.text, shown(field, now), shown(field, typed)))
    return found


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    return value


def same(saved: Any, typed: Any) -> bool:
    """Equal as a person would judge them: blank and None alike, line endings and surrounding
    spaces ignored (a browser sends a text area's lines ending in CR LF), 3 and "3" alike."""
    saved, typed = _plain(saved), _plain(typed)
    if isinstance(saved, str) or isinstance(typed, str):
        return str(saved) == str(typed)
    return saved == typed


def shown(field: Field, value: Any) -> str:
    """A value as the page shows it: a choice by its label, dates and money as elsewhere."""
    if value is None or value == "":
        return BLANK
    if isinstance(field, SelectFieldBase) and isinstance(value, list | tuple):  # checkboxes
        labels = {str(choice.value): str(choice.label) for choice in field.iter_choices()}
        return ", ".join(labels.get(str(v), str(v)) for v in value) or BLANK
    if isinstance(field, SelectFieldBase):
        for choice in field.iter_choices():
            if str(choice.value) == str(value):
                return str(choice.label)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(field, PoundsField):
        return money(value)
    return str(value)
