"""Sign-in rules: checking a password, slowing down guessing, ending sessions, safe redirects."""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from urllib.parse import urlsplit

from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.auth.models import Person
from tracker.auth.models import normalise_email as normalise_email
from tracker.auth.throttle import Throttle, forget_failures, is_locked, record_failure
from tracker.extensions import db


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password, made as real ones are, checked when there is no real one."""
    return generate_password_hash(secrets.token_urlsafe(32))


def authenticate(
    email: str,
    password: str,
    now: dt.datetime,
    *,
    source: str,
    throttle: Throttle,
    known_device: bool = False,
) -> tuple[Person | None, bool]:
    """Check a sign-in from `source` (the client's address). Returns (person or None, locked).

    While locked (tracker.auth.throttle), the password is not looked at. Otherwise the password
    is always checked against a hash, a dummy one for an unknown or inactive address, so that
    known and unknown addresses take the same time and an answer's speed tells nothing.
    """
    address = normalise_email(email)
    if is_locked(throttle, address, source, now, known_device=known_device):
        return None, True
    person = db.session.execute(
        select(Person).where(func.lower(Person.email) == address)
    ).scalar_one_or_none()
    usable = person is not None and person.is_active and bool(person.password_hash)
    stored = person.password_hash if usable and person is not None else _dummy_hash()
    if check_password_hash(stored, password) and usable:
        forget_failures(address)
        return person, False
    record_failure(throttle, address, source, person.id if person else None, now)
    return None, False


def end_sessions(person: Person) -> None:
    """Sign the person out everywhere: every session and remember cookie names the session
    generation it was made in (Person.get_id), and one made before this bump no longer loads.

    One UPDATE adding one, so that two at once both count; not an ORM change, so it adds no
    audit event of its own (the password change or sign-out that causes it is the record)."""
    db.session.execute(
        update(Person)
        .where(Person.id == person.id)
        .values(session_generation=Person.session_generation + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(person, ["session_generation"])


def person_for_session(session_id: str) -> Person | None:
    """The person a session's id names, if it is still theirs: an active account, and the
    generation it was made in still current. A bare id (a session made before generations
    existed) counts as generation 0, which ends at the person's next sign-out."""
    id_part, _, generation = session_id.partition(":")
    try:
        person_id, made_in = int(id_part), int(generation or 0)
    except ValueError:
        return None
    person = db.session.get(Person, person_id)
    if person is None or not person.is_active or person.session_generation != made_in:
        return None
    return person


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
