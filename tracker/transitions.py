"""Every state change is decided once, whoever else is deciding at the same moment.

Two people (or one person's double click, or two browser tabs) can ask for the same change of
state at once: accept and return the same evidence, issue the same report, decide the same
change request. Each request reads the record, checks the rule and writes. Without more, both
pass the check and both write: an item "accepted" and "returned", a report numbered twice.
The tracker holds to one rule instead: a state change is written only if the state is still
the one the request read. The second request finds the state moved and is refused with a
message, and nothing is doubled. Three tools, used by every area's services:

- `claim(record, attribute, value)`: compare-and-set. It runs
  `UPDATE ... SET attribute = value WHERE id = :id AND attribute = <the value this request read>`
  and says whether the row changed. On PostgreSQL the second of two such updates waits for the
  first transaction to end, then re-checks its WHERE against the committed row and updates
  nothing; SQLite lets one writer at a time. So it decides once on either database, and the
  row stays locked (PostgreSQL) until the commit, so the rest of the change is one piece.
- `lock(record)` / `locked(query, model)`: `SELECT ... FOR NO KEY UPDATE`, re-reading the
  row, for a change that derives a value from other rows (the next file version, the next
  report number) where there is no single column to compare. It has effect on PostgreSQL,
  the production database; SQLite, which runs one writer at a time, ignores it, and a race
  there ends at a unique constraint, which tracker.errors turns into the "someone else just
  did this" page.
- `fingerprint(*values)`: a short digest of what a decision was based on, carried by the form,
  so that a decision made on a page read before the record changed is refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from typing import Any, TypeVar

from sqlalchemy import Select, inspect, select, update

from tracker.extensions import db

Q = TypeVar("Q", bound=Select[Any])


class Conflict(Exception):
    """Someone else changed the record first; nothing of this request is saved. tracker.errors
    answers with the 409 page and this message, for services with no page of their own to say it.
    """


def _value_read(record: Any, attribute: str) -> Any:
    """The attribute's value as this request read it from the database (before any change)."""
    history = inspect(record).attrs[attribute].load_history()
    if history.deleted:
        return history.deleted[0]
    if history.unchanged:
        return history.unchanged[0]
    return getattr(record, attribute)


def claim(record: Any, attribute: str, value: Any) -> bool:
    """Move `attribute` of `record` to `value` only if the database still holds the value this
    request read. True if it did (the attribute is then set, for the audit trail to record at
    the flush); False if someone else changed it first: the caller refuses in its own words.

    Nothing else this request has changed is flushed first: the claim is decided on the state
    read, before any other write of the record (which, on a versioned record changed by someone
    else meanwhile, would fail with the bare StaleDataError instead of the caller's words).
    """
    state = inspect(record)
    if state.key is None:  # not saved yet: no one else can be changing it
        setattr(record, attribute, value)
        return True
    mapper = state.mapper
    column = mapper.columns[attribute]
    read = _value_read(record, attribute)
    key_columns = mapper.primary_key
    identity = state.identity
    assert identity is not None
    conditions = [c == v for c, v in zip(key_columns, identity, strict=True)]
    conditions.append(column.is_(None) if read is None else column == read)
    with db.session.no_autoflush:
        result = db.session.execute(
            update(mapper.local_table)
            .where(*conditions)
            .values({column.name: value})
            .execution_options(synchronize_session=False)
        )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    setattr(record, attribute, value)
    return True


def assign(record: Any, values: Mapping[str, Any], *, once: Collection[str] = ("status",)) -> bool:
    """Set each attribute of `values` that differs; whether any did. The state attributes named
    in `once` are claimed, changed or not, so that the change is made on the state this request
    read; if someone else moved it first, Conflict is raised."""
    changed = False
    for name, value in values.items():
        differs = getattr(record, name) != value
        if name in once and not claim(record, name, value):
            raise Conflict(f"Someone else changed the {name} of this record a moment ago")
        setattr(record, name, value)
        changed = changed or differs
    return changed


def locked(query: Q, model: type) -> Q:
    """`query` (which loads `model`) with the rows it reads locked until the commit, and
    re-read, so that what the request then checks is what the database holds now.

    The lock is PostgreSQL's FOR NO KEY UPDATE, the one an UPDATE of the row takes: two
    requests locking the row still go one after the other, but a request that has already
    added a row pointing at it (an audit event naming the project, which takes FOR KEY SHARE)
    does not block the other. With FOR UPDATE, two people issuing two reports each held that
    share and waited for the other's: a deadlock, and one of them got the 409 page."""
    return query.with_for_update(of=model, key_share=True).execution_options(populate_existing=True)


def lock(record: Any) -> None:
    """Lock `record`'s row until the commit and re-read it (see `locked`). A record not saved
    yet needs no lock: no one else can see it."""
    mapper = inspect(record).mapper
    identity = inspect(record).identity
    if identity is None:
        return
    conditions = [c == v for c, v in zip(mapper.primary_key, identity, strict=True)]
    db.session.execute(locked(select(mapper.class_).where(*conditions), mapper.class_))


def fingerprint(*values: Any) -> str:
    """A short digest of the values a decision is based on (for a hidden form field)."""
    return hashlib.sha256(repr(values).encode()).hexdigest()[:16]
