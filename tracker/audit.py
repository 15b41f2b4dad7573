"""The audit trail: one session hook records every create, change and delete, whoever makes it.

Views, services and CLI commands never write audit rows themselves. Who acted comes from the
signed-in user or, outside a request, from `acting_as`; why (for example the change request
that moved a date) from `because_of`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
from collections.abc import Iterator
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, Integer, String, Text, event, insert, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from tracker.auth.models import Person
from tracker.database import UTCDateTime, intpk, utcnow
from tracker.extensions import db

_actor_label: ContextVar[str | None] = ContextVar("audit_actor_label", default=None)
_cause: ContextVar[str | None] = ContextVar("audit_cause", default=None)

# Columns whose changes are noise (timestamps, the row version every update adds 1 to) or must
# not be copied anywhere (password hashes, the key of a calendar feed's address).
_SKIPPED = frozenset({"created_at", "updated_at", "row_version"})
_SECRET = frozenset({"password_hash", "calendar_key"})


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    __audited__ = False

    id: Mapped[intpk]
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(10))  # create, update, delete
    table_name: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[int | None] = mapped_column(Integer)
    record_label: Mapped[str] = mapped_column(String(300), default="")
    project_id: Mapped[int | None] = mapped_column(Integer, index=True)
    cause: Mapped[str] = mapped_column(Text, default="")
    # {field: [old, new]}
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[Person | None] = relationship()

    __table_args__ = (db.Index("ix_audit_event_record", "table_name", "record_id"),)


@contextlib.contextmanager
def acting_as(label: str) -> Iterator[None]:
    """Name the actor for changes made outside a request (a CLI command, a script)."""
    token = _actor_label.set(label)
    try:
        yield
    finally:
        _actor_label.reset(token)


@contextlib.contextmanager
def because_of(cause: str) -> Iterator[None]:
    """Record why the changes made inside this block happened."""
    token = _cause.set(cause)
    try:
        yield
    finally:
        _cause.reset(token)


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, db.Model):
        return inspect(value).mapper.primary_key_from_instance(value)[0]
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _parent(session: Session, obj: Any) -> Any:
    """The record named by `__audit_parent__`. A record added with only its parent's id (the
    seed adds a stage review by `stage_id`) has the relationship unloaded, so the parent is
    then fetched by that foreign key, from the identity map when it is already there."""
    name = getattr(type(obj), "__audit_parent__", None)
    if name is None:
        return None
    parent = getattr(obj, name, None)
    if parent is not None:
        return parent
    relationship_ = inspect(obj).mapper.relationships[name]
    (column,) = relationship_.local_columns
    key = getattr(obj, column.key, None)
    if key is None:
        return None
    with session.no_autoflush:
        return session.get(relationship_.mapper.class_, key)


def _project_id(session: Session, obj: Any) -> int | None:
    """The project a record belongs to, following `__audit_parent__` links where needed."""
    seen = 0
    while obj is not None and seen < 4:
        if getattr(obj, "__tablename__", None) == "project":
            return obj.id
        pid = getattr(obj, "project_id", None)
        if pid is not None:
            return pid
        obj = _parent(session, obj)
        seen += 1
    return None


def _label(obj: Any) -> str:
    for attr in ("code", "number", "name", "title", "product", "role_name", "description"):
        value = getattr(obj, attr, None)
        if value:
            return str(value)[:300]
    return ""


def _changes(obj: Any, *, action: str) -> dict[str, Any]:
    state = inspect(obj)
    changes: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in _SKIPPED:
            continue
        hist = state.attrs[key].history
        if action == "create":
            new = state.attrs[key].value
            if new is not None:
                changes[key] = [None, "(set)" if key in _SECRET else _plain(new)]
        elif action == "delete":
            old = state.attrs[key].value
            if old is not None:
                changes[key] = ["(set)" if key in _SECRET else _plain(old), None]
        elif hist.has_changes():
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if old != new:
                if key in _SECRET:
                    changes[key] = ["(changed)", "(changed)"]
                else:
                    changes[key] = [_plain(old), _plain(new)]
    # Many-to-many collections (responsible people, elements an item supports) as lists of ids.
    for rel in state.mapper.relationships:
        if rel.secondary is None or action == "delete":
            continue
        hist = state.attrs[rel.key].history
        if hist.added or hist.deleted:
            changes[rel.key] = {
                "removed": [_plain(v) for v in hist.deleted],
                "added": [_plain(v) for v in hist.added],
            }
    return changes


def _actor() -> tuple[int | None, str]:
    label = _actor_label.get()
    if label:
        return None, label
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, current_user.name
    return None, "system"


@event.listens_for(Session, "after_flush")
def _record_changes(session: Session, flush_context: Any) -> None:
    rows: list[dict[str, Any]] = []
    actor_id, actor_label = _actor()
    now = utcnow()
    cause = _cause.get() or ""
    for action, objects in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            if not getattr(type(obj), "__audited__", True) or not hasattr(obj, "__tablename__"):
                continue
            if action == "update" and not session.is_modified(obj, include_collections=True):
                continue
            changes = _changes(obj, action=action)
            if action == "update" and not changes:
                continue
            # New rows have their primary key by now, though not yet an identity key.
            primary_key = inspect(obj).mapper.primary_key_from_instance(obj)
            rows.append(
                {
                    "at": now,
                    "actor_id": actor_id,
                    "actor_label": actor_label,
                    "action": action,
                    "table_name": obj.__tablename__,
                    "record_id": primary_key[0] if len(primary_key) == 1 else None,
                    "record_label": _label(obj),
                    "project_id": _project_id(session, obj),
                    "cause": cause,
                    "changes": changes,
                }
            )
    if rows:
        session.connection().execute(insert(AuditEvent), rows)
