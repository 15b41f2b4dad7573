"""Shared database pieces: the naming convention, column types and mixins."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any

from sqlalchemy import (
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    event,
    inspect,
    text,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    ORMExecuteState,
    Session,
    declared_attr,
    mapped_column,
    with_loader_criteria,
)
from werkzeug.routing import IntegerConverter

# The largest value an INTEGER column holds on PostgreSQL (SQLite's limit is larger).
MAX_ID = 2**31 - 1

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """A moment in time stored as naive UTC and always returned timezone-aware (UTC).

    SQLite keeps no zone, PostgreSQL would convert; storing naive UTC behaves the same on both.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs a timezone-aware datetime")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC)


# Money is always whole pence in an integer column; never a float.
Pence = Annotated[int, mapped_column(Integer)]
intpk = Annotated[int, mapped_column(Integer, primary_key=True)]
str50 = Annotated[str, mapped_column(String(50))]
str200 = Annotated[str, mapped_column(String(200))]
Timestamp = Annotated[dt.datetime, mapped_column(UTCDateTime)]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class VersionedMixin:
    """A record that people edit through a form, guarded against lost updates.

    `row_version` is SQLAlchemy's version counter: every UPDATE adds 1 and only matches the row
    at the number it was read at, so two saves racing each other cannot both succeed (the loser
    gets StaleDataError). Edit forms carry it too (see tracker/versioning.py). Named
    `row_version` because evidence files and the standard already have a `version` of their own.
    """

    row_version: Mapped[int] = mapped_column(Integer, server_default=text("1"))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.row_version}


class WithdrawableMixin:
    """A record a user added and can withdraw (a mistake, a duplicate) with a reason.

    A withdrawn record is kept, never deleted: it stays in the audit trail and can be restored.
    Every ORM query leaves withdrawn rows out (see `_leave_out_withdrawn`), so they leave lists,
    counts, charts, readiness and reports without each query having to remember. A query that
    must see them (the "withdrawn" list, restoring, a record's history) asks for
    `execution_options(include_withdrawn=True)`.
    """

    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)

    @declared_attr
    def withdrawn_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


INCLUDE_WITHDRAWN = {"include_withdrawn": True}


@event.listens_for(Session, "do_orm_execute")
def _leave_out_withdrawn(state: ORMExecuteState) -> None:
    """SQLAlchemy's documented pattern for rows most queries must not see: add the criterion to
    every ORM SELECT (and so to its relationship and lazy loads) unless the query opts out."""
    if (
        state.is_select
        and not state.is_column_load
        and not state.is_relationship_load
        and not state.execution_options.get("include_withdrawn", False)
    ):
        state.statement = state.statement.options(
            with_loader_criteria(
                WithdrawableMixin,
                lambda cls: cls.withdrawn_at.is_(None),
                include_aliases=True,
            )
        )


@event.listens_for(Session, "before_flush")
def _count_list_changes(session: Session, flush_context: Any, instances: Any) -> None:
    """A record's many-to-many lists (a task's responsible people, the elements an evidence item
    supports) live in another table, so changing only them would leave the record's row, and
    with it its version, alone: count such a change as a change of the record."""
    for obj in session.dirty:
        if not isinstance(obj, VersionedMixin):
            continue
        state = inspect(obj)
        lists_changed = any(
            rel.secondary is not None and state.attrs[rel.key].history.has_changes()
            for rel in state.mapper.relationships
        )
        if lists_changed and not state.attrs.row_version.history.has_changes():
            obj.row_version += 1


def enum_column(enum_cls: type[enum.Enum]) -> Enum:
    """A string column holding an enum's values (not its names), checked on the way in."""
    values = [member.value for member in enum_cls]
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=max(len(v) for v in values),
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
    )


class IdConverter(IntegerConverter):
    """`<int:...>` in a route, limited to ids the database can hold: a larger number in an
    address is a page that does not exist (404), not a database error."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
