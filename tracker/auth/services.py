"""Sign-in rules: checking a password, slowing down guessing, safe redirects."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select

from tracker.auth.models import LoginAttempt, Person
from tracker.auth.models import normalise_email as normalise_email
from tracker.extensions import db


def recent_failures(email: str, now: dt.datetime, window_seconds: int) -> int:
    since = now - dt.timedelta(seconds=window_seconds)
    return db.session.execute(
        select(func.count(LoginAttempt.id)).where(
            LoginAttempt.email == normalise_email(email), LoginAttempt.at >= since
        )
    ).scalar_one()


def authenticate(
    email: str, password: str, now: dt.datetime, *, max_failures: int, window_seconds: int
) -> tuple[Person | None, bool]:
    """Check a sign-in. Returns (person or None, locked).

    After `max_failures` failures for one address within the window, every further attempt is
    refused without looking at the password, whether or not the address exists.
    """
    address = normalise_email(email)
    if recent_failures(address, now, window_seconds) >= max_failures:
        return None, True
    person = db.session.execute(
        select(Person).where(func.lower(Person.email) == address)
    ).scalar_one_or_none()
    if person is not None and person.is_active and person.check_password(password):
        db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == address))
        return person, False
    db.session.add(LoginAttempt(email=address, at=now, person_id=person.id if person else None))
    return None, False


def is_safe_next(target: str | None) -> bool:
    """Only paths on this site: "/projects/x", never "//evil" or "https://evil"."""
    if not target:
        return False
    parts = urlsplit(target)
    return (
        not parts.scheme
        and not parts.netloc
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
    )
