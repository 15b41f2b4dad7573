"""People: everyone the project document names, and anyone who signs in."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, Dialect, ForeignKey, Index, Integer, String, TypeDecorator, func
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.database import (
    TimestampMixin,
    UTCDateTime,
    VersionedMixin,
    enum_column,
    intpk,
    utcnow,
)
from tracker.enums import LabelledEnum
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.projects.models import Membership


def new_calendar_key() -> str:
    """A person's calendar key: 32 random bytes (tracker/calendars/services.py says why)."""
    return secrets.token_urlsafe(32)


class MailPreference(LabelledEnum):
    """What e-mail a person wants (tracker/mail): each message as it happens, one digest a day,
    or nothing at all."""

    IMMEDIATE = "immediate", "Immediate messages"
    DIGEST = "digest", "A daily digest only"
    NONE = "none", "No e-mail"


def normalise_email(email: str | None) -> str:
    return (email or "").strip().lower()


class EmailAddress(TypeDecorator[str]):
    """An email address, held and compared in lower case without surrounding spaces.

    Every value bound to the column is normalised, so `Person.email == typed` finds the person
    whatever case they typed, and every write (forms, CLI, seed, import) stores one spelling.
    The unique index on lower(email) makes the database refuse a second person with the same
    address in another case, even one written around this type.
    """

    impl = String(254)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return normalise_email(value) or None


class Person(TimestampMixin, VersionedMixin, UserMixin, db.Model):
    """A person in the council's project. Only people with a password can sign in."""

    __tablename__ = "person"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(120))
    initials: Mapped[str | None] = mapped_column(String(10), index=True)
    job_title: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(EmailAddress)
    phone: Mapped[str | None] = mapped_column(String(40))
    password_hash: Mapped[str | None] = mapped_column(String(256))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped to end every session at once (tracker.auth.services.end_sessions).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Signs the address of the person's calendar feed; a new key is a new address.
    # (The server default only let the migration add the column; it gave every row a key.)
    calendar_key: Mapped[str] = mapped_column(
        String(64), default=new_calendar_key, server_default=""
    )

    mail_preference: Mapped[MailPreference] = mapped_column(
        enum_column(MailPreference), default=MailPreference.IMMEDIATE, server_default="immediate"
    )

    memberships: Mapped[list[Membership]] = relationship(back_populates="person")

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """What the session (and a remember cookie) keeps: the id and the session generation,
        so that a cookie made before the last bump names no one (see load_user)."""
        return f"{self.id}:{self.session_generation or 0}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.is_active_account

    @property
    def label(self) -> str:
        return f"{self.name} ({self.initials})" if self.initials else self.name

    def __repr__(self) -> str:
        return f"<Person {self.name}>"


# One address per person whatever its case, enforced by the database (SQLite and PostgreSQL).
Index("uq_person_email_lower", func.lower(Person.email), unique=True)


class LoginAttempt(db.Model):
    """A failed sign-in, kept to slow down password guessing (tracker.auth.throttle)."""

    __tablename__ = "login_attempt"
    __audited__ = False

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(254), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    # The client address the attempt came from ("" for rows older than the column).
    source: Mapped[str] = mapped_column(String(64), index=True, default="", server_default="")
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))


class ApiToken(db.Model):
    """A personal token for the read-only JSON API. Only a SHA-256 hash of the token is kept:
    the token itself is shown once, when it is made. Not audited: the row is its own record
    (made, last used, revoked), and each use would otherwise add an audit event."""

    __tablename__ = "api_token"
    __audited__ = False

    id: Mapped[intpk]
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
