"""Personal API tokens: made, shown once, kept only as a SHA-256 hash, revoked by their owner."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select, update

from tracker.auth.models import ApiToken, Person
from tracker.extensions import db

TOKEN_PREFIX = "cse_"
# A token's last use is written at most this often, so that reading the API is not a write
# on every request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(person: Person, name: str, now: dt.datetime) -> tuple[ApiToken, str]:
    """A new token for `person`: the row (holding only the hash) and the token itself, which is
    shown once and never again."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(person_id=person.id, name=name.strip(), token_hash=hash_token(token))
    row.created_at = now
    db.session.add(row)
    db.session.flush()
    return row, token


def person_tokens(person: Person) -> list[ApiToken]:
    """The person's tokens, newest first, revoked ones included: one query."""
    return list(
        db.session.execute(
            select(ApiToken)
            .where(ApiToken.person_id == person.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        ).scalars()
    )


def revoke_token(person: Person, token_id: int, now: dt.datetime) -> ApiToken | None:
    """Revoke one of the person's own tokens (again is harmless); None if it is not theirs."""
    token = db.session.execute(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.person_id == person.id)
    ).scalar_one_or_none()
    if token is not None and token.revoked_at is None:
        token.revoked_at = now
    return token


def parse_bearer(authorization: str | None) -> str | None:
    """The token in an `Authorization: Bearer <token>` header, or None."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


def token_owner(token: str | None, now: dt.datetime) -> Person | None:
    """The active person whose unrevoked token this is, noting when it was last used."""
    if not token:
        return None
    row = db.session.execute(
        select(ApiToken.id, ApiToken.last_used_at, Person)
        .join(Person, Person.id == ApiToken.person_id)
        .where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))
    ).first()
    if row is None or not row.Person.is_active:
        return None
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        db.session.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
    return row.Person
