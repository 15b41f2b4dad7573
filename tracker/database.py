"""Shared database pieces: the naming convention, column types and mixins."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any

from sqlalchemy import DateTime, Enum, Integer, MetaData, String, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
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
